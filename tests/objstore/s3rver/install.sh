#!/usr/bin/env bash
# Installs the pinned s3rver (package.json + package-lock.json beside this script) into the
# given directory with `npm ci`. Skips the work when that exact lock file is already installed.
set -euo pipefail
src="$(cd "$(dirname "$0")" && pwd)"
dest="${1:?usage: install.sh <destination dir>}"
mkdir -p "$dest"
if [ -x "$dest/node_modules/.bin/s3rver" ] && cmp -s "$src/package-lock.json" "$dest/package-lock.json"; then
  echo "s3rver already installed in $dest"
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "npm is required for the s3rver integration tests (scripts/install-deps.sh installs it)" >&2; exit 1; }
cp "$src/package.json" "$src/package-lock.json" "$dest/"
cd "$dest"
npm ci --no-audit --no-fund --loglevel=error
test -x "$dest/node_modules/.bin/s3rver"
echo "s3rver installed in $dest"
