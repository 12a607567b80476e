#!/usr/bin/env bash
# Installs what is missing, builds Meridian (release and ASan+UBSan), and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release
bash scripts/build.sh asan
status=0
echo "== unit and integration tests (release)"
ctest --test-dir build --output-on-failure --timeout 900 -j2 || status=1
echo "== unit tests under ASan+UBSan"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure --timeout 900 -j2 -L unit || status=1
exit $status
