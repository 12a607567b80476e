#!/usr/bin/env bash
# Installs every Debian package Meridian needs to build, test and run.
# Safe to run repeatedly; it only installs what is missing.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang lld libclang-rt-14-dev
  # parser generator and runtime (the runtime needs uuid-dev)
  antlr4 libantlr4-runtime-dev uuid-dev
  # gRPC and protobuf
  protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libgrpc++-dev libgrpc-dev libabsl-dev
  # libraries
  libcpp-httplib-dev rapidjson-dev libre2-dev libsnappy-dev libzstd-dev libxxhash-dev
  libroaring-dev libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev
  prometheus-cpp-dev libcurl4-openssl-dev libssl-dev zlib1g-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # real peers used by the integration tests, and VictoriaMetrics (with vmctl) for the benchmarks
  prometheus curl victoria-metrics python3
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node and npm (for s3rver and the web UI): this image may carry a newer Node that bundles npm,
# which conflicts with Debian's separate npm package, so only install them when absent.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing: ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  # Debian's prometheus package starts a server on :9090; tests start their own on free ports.
  if command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
    $SUDO systemctl disable --now victoria-metrics >/dev/null 2>&1 || true
  fi
fi
