#!/usr/bin/env bash
# Installs what is missing, builds Meridian, fills a local demo bucket once (30 days, compacted and
# downsampled), and starts the querier on 127.0.0.1:10902 over it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release meridian
data=${MERIDIAN_DEMO_DIR:-$PWD/.demo}
mkdir -p "$data/bucket"
cat > "$data/bucket.yaml" <<YAML
type: FILESYSTEM
config:
  directory: $data/bucket
YAML
if [ ! -e "$data/bucket/.generated-30d" ]; then
  # 30 days of 2h blocks as sidecars upload them, then one compactor iteration as a Thanos
  # deployment runs it: 2h blocks merged up to 14d, 5m and 1h copies made, raw data older than
  # 7 days removed once its downsampled copies exist. About a minute on 2 cores.
  rm -rf "$data/bucket" "$data/compact" && mkdir -p "$data/bucket"
  ./build/meridian tools gen-demo --objstore.config-file="$data/bucket.yaml" --duration=30d --scrape-interval=30s
  ./build/meridian compact --objstore.config-file="$data/bucket.yaml" --data-dir="$data/compact" \
    --http-address=127.0.0.1:0 --consistency-delay=0s --delete-delay=0s --retention.resolution-raw=7d --log.level=warn
  touch "$data/bucket/.generated-30d"
fi
# The demo data are HA pairs (external label `replica`), deduplicated as a Thanos deployment would.
exec ./build/meridian query --http-address=127.0.0.1:10902 --grpc-address=127.0.0.1:10901 \
  --objstore.config-file="$data/bucket.yaml" --data-dir="$data/cache" --query.replica-label=replica
