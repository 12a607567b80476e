#!/usr/bin/env python3
"""Whole queries side by side: Meridian, VictoriaMetrics 1.79 and Prometheus 2.42 (Debian's
packages) over the same generated data, on loopback, in one run.

Scenarios
  long   30 days of the demo fleet (3 clusters x HA pair), 2h blocks compacted and downsampled by
         `meridian compact`; dashboard queries over the 30 days at ~1,000 points per series.
         Meridian with automatic resolution, Meridian forced to raw data
         (max_source_resolution=0s), VictoriaMetrics over the same raw samples (cache off).
  day    24h of one cluster with ~10,000 series in 2h blocks; dashboard queries over the day at a
         60s step. Meridian (embedded store, and `meridian store` over gRPC), Prometheus and
         VictoriaMetrics.

Per query and target: the median wall time of --runs requests (targets alternate within each
round, as this machine is noisy), min-max, and the server's CPU seconds per request; per target
the peak RSS. Answers are compared with the first target's (relative difference of the values).

  python3 bench/compare/compare.py --scenario long --runs 5
"""

import argparse
import json
import math
import os
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MERIDIAN = os.environ.get("MERIDIAN_BINARY", os.path.join(ROOT, "build", "meridian"))

LONG_QUERIES = [
    "sum by (cluster) (rate(http_requests_total[1h]))",
    "sum by (cluster, mode) (increase(node_cpu_seconds_total[6h]))",
    "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[1h])))",
    "avg by (cluster) (node_memory_MemAvailable_bytes)",
    "max by (cluster) (max_over_time(node_load1[1h]))",
    "avg by (cluster) (avg_over_time(container_memory_working_set_bytes[2h]))",
    "sum by (cluster) (sum_over_time(up[1h]))",
]

DAY_QUERIES = [
    "sum by (job) (rate(http_requests_total[5m]))",
    "sum by (mode) (rate(node_cpu_seconds_total[5m]))",
    "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
    "avg by (instance) (node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)",
    "topk(5, sum by (pod) (rate(container_cpu_usage_seconds_total[5m])))",
    "max_over_time(node_load1[15m])",
    "sum(container_memory_working_set_bytes)",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.2)
    raise RuntimeError("no answer from " + url)


def proc_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def proc_peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


class Server:
    def __init__(self, name, argv, ready_url, log_path, env=None):
        self.name = name
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        wait_http(ready_url)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


class Target:
    """A query endpoint: a base URL, extra parameters, and the servers whose CPU it uses."""

    def __init__(self, name, base, servers, extra=None):
        self.name, self.base, self.servers, self.extra = name, base, servers, extra or {}

    def query(self, q, start, end, step):
        params = {"query": q, "start": str(start), "end": str(end), "step": str(step)}
        params.update(self.extra)
        body = urllib.parse.urlencode(params).encode()
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(self.base + "/api/v1/query_range", data=body, timeout=600) as r:
                data = r.read()
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{self.name}: {q}: HTTP {e.code}: {e.read()[:300]!r}") from None
        took = time.perf_counter() - t0
        doc = json.loads(data)
        if doc.get("status") != "success":
            raise RuntimeError(f"{self.name}: {q}: {data[:300]!r}")
        return took, doc["data"]["result"]

    def cpu(self):
        return sum(proc_cpu_seconds(s.proc.pid) for s in self.servers)

    def peak_rss(self):
        return sum(proc_peak_rss_mb(s.proc.pid) for s in self.servers)


def series_key(metric):
    return tuple(sorted((k, v) for k, v in metric.items()))


def answer_difference(a, b):
    """Median relative difference of the values both answers have (0 = same numbers)."""
    bm = {series_key(s["metric"]): dict((p[0], float(p[1])) for p in s["values"]) for s in b}
    diffs = []
    for s in a:
        other = bm.get(series_key(s["metric"]))
        if other is None:
            continue
        for t, v in s["values"]:
            w = other.get(t)
            if w is None:
                continue
            v = float(v)
            if math.isnan(v) or math.isnan(w):
                continue
            scale = max(abs(v), abs(w), 1e-12)
            diffs.append(abs(v - w) / scale)
    if not diffs:
        return float("nan")
    return statistics.median(diffs)


def run(cmd, log):
    with open(log, "a") as f:
        subprocess.run(cmd, check=True, stdout=f, stderr=subprocess.STDOUT)


def bucket_yaml(work):
    path = os.path.join(work, "bucket.yaml")
    with open(path, "w") as f:
        f.write(f"type: FILESYSTEM\nconfig:\n  directory: {work}/bucket\n")
    return path


def raw_block_groups(bucket_dir):
    """Raw blocks grouped by external labels: {labels-tuple: [block dirs]}."""
    groups = {}
    for name in sorted(os.listdir(bucket_dir)):
        meta_path = os.path.join(bucket_dir, name, "meta.json")
        if not os.path.exists(meta_path) or os.path.exists(os.path.join(bucket_dir, name, "deletion-mark.json")):
            continue
        with open(meta_path) as f:
            meta = json.load(f)
        thanos = meta.get("thanos", {})
        if thanos.get("downsample", {}).get("resolution", 0) != 0:
            continue
        key = tuple(sorted((thanos.get("labels") or {}).items()))
        groups.setdefault(key, []).append(os.path.join(bucket_dir, name))
    return groups


def import_into_vm(groups, vm_url, work, log, drop_labels=("replica",)):
    """vmctl prometheus per external-label group, the group's labels added to its series."""
    for i, (labels, blocks) in enumerate(sorted(groups.items())):
        snap = os.path.join(work, f"vm-snapshot-{i}")
        os.makedirs(snap, exist_ok=True)
        for b in blocks:  # hard links: Prometheus's block reader does not follow symlinked dirs
            shutil.copytree(b, os.path.join(snap, os.path.basename(b)), copy_function=os.link)
        cmd = ["vmctl", "prometheus", "--prom-snapshot=" + snap, "--vm-addr=" + vm_url, "-s", "--vm-disable-progress-bar"]
        for k, v in labels:
            if k not in drop_labels:
                cmd.append(f"--vm-extra-label={k}={v}")
        # vmctl 1.79 insists on a terminal for its progress output even when told not to draw it.
        run(["script", "-qec", " ".join(shlex.quote(c) for c in cmd), "/dev/null"], log)
    try:
        urllib.request.urlopen(vm_url + "/internal/force_flush", timeout=60).read()
    except Exception:
        pass
    time.sleep(2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", choices=["long", "day"], default="long")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", default="")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--targets", default="", help="comma-separated target names to run (default: all)")
    args = ap.parse_args()

    work = args.work or tempfile.mkdtemp(prefix="meridian-compare-")
    os.makedirs(work, exist_ok=True)
    log = os.path.join(work, "setup.log")
    servers = []
    try:
        yaml = bucket_yaml(work)
        os.makedirs(os.path.join(work, "bucket"), exist_ok=True)
        t0 = time.time()
        # A work dir from an earlier --keep run is reused as it is (data generated, imported and
        # compacted): only the servers start again.
        done_marker = os.path.join(work, ".setup-done")
        reuse = os.path.exists(done_marker)
        if reuse:
            with open(done_marker) as f:
                saved = json.load(f)
            mint, maxt = saved["mint"], saved["maxt"]
            raw_groups = {tuple(tuple(p) for p in k): v for k, v in saved["groups"]}
        else:
            if args.scenario == "long":
                run([MERIDIAN, "tools", "gen-demo", "--objstore.config-file=" + yaml, "--duration=30d",
                     "--scrape-interval=30s"], log)
            else:
                run([MERIDIAN, "tools", "gen-demo", "--objstore.config-file=" + yaml, "--duration=24h",
                     "--scrape-interval=15s", "--clusters=bench", "--replicas=a", "--nodes-per-cluster=156"], log)
            raw_groups = raw_block_groups(os.path.join(work, "bucket"))
            metas = []
            for blocks in raw_groups.values():
                for b in blocks:
                    with open(os.path.join(b, "meta.json")) as f:
                        metas.append(json.load(f))
            mint = min(m["minTime"] for m in metas) / 1000
            maxt = max(m["maxTime"] for m in metas) / 1000
        # VictoriaMetrics gets the raw 2h blocks before compaction.
        vm_port = free_port()
        vm_url = f"http://127.0.0.1:{vm_port}"
        vm_args = ["victoria-metrics", "-storageDataPath=" + os.path.join(work, "vm"),
                   f"-httpListenAddr=127.0.0.1:{vm_port}", "-search.disableCache", "-retentionPeriod=100y",
                   "-search.maxPointsPerTimeseries=100000"]
        if args.scenario == "long":
            vm_args.append("-dedup.minScrapeInterval=30s")  # its answer to the HA pairs
        vm = Server("victoriametrics", vm_args, vm_url + "/health", os.path.join(work, "vm.log"))
        servers.append(vm)
        prom = None
        pdata = os.path.join(work, "prom")
        if not reuse:
            import_into_vm(raw_groups, vm_url, work, log)
            if args.scenario == "day":
                os.makedirs(pdata, exist_ok=True)
                for blocks in raw_groups.values():
                    for b in blocks:
                        shutil.copytree(b, os.path.join(pdata, os.path.basename(b)))
        if args.scenario == "day":
            cfg = os.path.join(work, "prometheus.yml")
            with open(cfg, "w") as f:
                f.write("global: {}\n")
            pport = free_port()
            prom = Server("prometheus", ["prometheus", "--config.file=" + cfg, "--storage.tsdb.path=" + pdata,
                                         f"--web.listen-address=127.0.0.1:{pport}", "--storage.tsdb.retention.time=100y",
                                         "--storage.tsdb.min-block-duration=2h", "--storage.tsdb.max-block-duration=2h"],
                          f"http://127.0.0.1:{pport}/-/ready", os.path.join(work, "prom.log"))
            servers.append(prom)
        if args.scenario == "long" and not reuse:
            run([MERIDIAN, "compact", "--objstore.config-file=" + yaml, "--data-dir=" + os.path.join(work, "compact"),
                 "--http-address=127.0.0.1:0", "--consistency-delay=0s", "--delete-delay=0s", "--log.level=warn"], log)
        if not reuse:
            with open(done_marker, "w") as f:
                json.dump({"mint": mint, "maxt": maxt, "groups": [[list(k), v] for k, v in raw_groups.items()]}, f)
        setup_s = time.time() - t0

        mport, mgrpc = free_port(), free_port()
        query = Server("meridian", [MERIDIAN, "query", f"--http-address=127.0.0.1:{mport}",
                                    f"--grpc-address=127.0.0.1:{mgrpc}", "--objstore.config-file=" + yaml,
                                    "--data-dir=" + os.path.join(work, "cache"), "--query.replica-label=replica"],
                       f"http://127.0.0.1:{mport}/-/ready", os.path.join(work, "meridian.log"))
        servers.append(query)
        murl = f"http://127.0.0.1:{mport}"
        targets = []
        if args.scenario == "long":
            targets.append(Target("meridian auto", murl, [query], {"max_source_resolution": "auto"}))
            targets.append(Target("meridian raw", murl, [query], {"max_source_resolution": "0s"}))
            targets.append(Target("victoriametrics", vm_url, [vm]))
            queries = LONG_QUERIES
        else:
            sport, sgrpc, qport, qgrpc = free_port(), free_port(), free_port(), free_port()
            store = Server("meridian store", [MERIDIAN, "store", f"--http-address=127.0.0.1:{sport}",
                                              f"--grpc-address=127.0.0.1:{sgrpc}", "--objstore.config-file=" + yaml,
                                              "--data-dir=" + os.path.join(work, "store-cache")],
                           f"http://127.0.0.1:{sport}/-/ready", os.path.join(work, "store.log"))
            servers.append(store)
            q2 = Server("meridian query (grpc)", [MERIDIAN, "query", f"--http-address=127.0.0.1:{qport}",
                                                  f"--grpc-address=127.0.0.1:{qgrpc}", f"--endpoint=127.0.0.1:{sgrpc}"],
                        f"http://127.0.0.1:{qport}/-/ready", os.path.join(work, "query2.log"))
            servers.append(q2)
            targets.append(Target("meridian", murl, [query]))
            targets.append(Target("meridian grpc", f"http://127.0.0.1:{qport}", [q2, store]))
            targets.append(Target("prometheus", f"http://127.0.0.1:{pport}", [prom]))
            targets.append(Target("victoriametrics", vm_url, [vm]))
            queries = DAY_QUERIES

        if args.targets:
            wanted = set(args.targets.split(","))
            targets = [t for t in targets if t.name in wanted]
        # The range: the data's span, aligned to the step.
        step = 2592 if args.scenario == "long" else 60
        start = math.ceil(mint / step) * step + (3600 if args.scenario == "long" else 300)
        end = math.floor(maxt / step) * step

        print(f"# scenario {args.scenario}: {len(queries)} queries, {args.runs} runs each, range "
              f"{(end - start) / 86400:.1f}d at step {step}s; setup {setup_s:.0f}s; work dir {work}")
        rows = []
        for q in queries:
            times = {t.name: [] for t in targets}
            cpu = {t.name: 0.0 for t in targets}
            answers = {}
            for t in targets:  # warm-up, and the answer to compare
                _, answers[t.name] = t.query(q, start, end, step)
            for r in range(args.runs):
                order = targets[r % len(targets):] + targets[:r % len(targets)]
                for t in order:
                    c0 = t.cpu()
                    took, _ = t.query(q, start, end, step)
                    cpu[t.name] += t.cpu() - c0
                    times[t.name].append(took)
            ref = targets[0].name
            rows.append((q, {n: (statistics.median(v), min(v), max(v), cpu[n] / args.runs) for n, v in times.items()},
                         {n: answer_difference(answers[ref], a) for n, a in answers.items() if n != ref},
                         {n: sum(len(s["values"]) for s in a) for n, a in answers.items()}))

        names = [t.name for t in targets]
        print("\n| query | " + " | ".join(f"{n} ms (min-max) [cpu ms]" for n in names) + " | " +
              " | ".join(f"{n} / {names[0]}" for n in names[1:]) + " |")
        print("|---" * (1 + 2 * len(names) - 1) + "|")
        totals = {n: 0.0 for n in names}
        for q, res, diff, points in rows:
            cells = []
            for n in names:
                med, lo, hi, c = res[n]
                totals[n] += med
                cells.append(f"{med * 1000:.0f} ({lo * 1000:.0f}-{hi * 1000:.0f}) [{c * 1000:.0f}]")
            ratios = [f"{res[n][0] / res[names[0]][0]:.2f}x" for n in names[1:]]
            print(f"| `{q}` | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
        print("| **sum of medians** | " + " | ".join(f"**{totals[n] * 1000:.0f}**" for n in names) + " | " +
              " | ".join(f"**{totals[n] / totals[names[0]]:.2f}x**" for n in names[1:]) + " |")
        print("\npeak RSS MB: " + ", ".join(f"{t.name} {t.peak_rss():.0f}" for t in targets))
        print("answers, median relative difference to " + names[0] + " (points returned):")
        for q, res, diff, points in rows:
            print(f"  {q}: " + ", ".join(f"{n} {d:.2e}" for n, d in diff.items()) + "  (" +
                  ", ".join(f"{n} {p}" for n, p in points.items()) + ")")
    finally:
        for s in reversed(servers):
            s.stop()
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
