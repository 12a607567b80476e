#!/usr/bin/env bash
# Installs what is missing, builds Meridian, fills a local demo bucket once, and starts the querier
# on 127.0.0.1:10902 over it.
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
if [ ! -e "$data/bucket/.generated" ]; then
  ./build/meridian tools gen-demo --objstore.config-file="$data/bucket.yaml"
  touch "$data/bucket/.generated"
fi
# The demo data are HA pairs (external label `replica`), deduplicated as a Thanos deployment would.
exec ./build/meridian query --http-address=127.0.0.1:10902 --grpc-address=127.0.0.1:10901 \
  --objstore.config-file="$data/bucket.yaml" --data-dir="$data/cache" --query.replica-label=replica
