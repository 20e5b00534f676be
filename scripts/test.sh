#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs every
# test: once on a normal build, once under AddressSanitizer and
# UndefinedBehaviorSanitizer.  Tests that need ../shared/data skip without it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
jobs=$(nproc)

run_suite () {
  local dir=$1; shift
  cmake -S . -B "$dir" -DCLIP_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  (cd "$dir" && ctest --output-on-failure --timeout 600)
}

echo "== build and test (RelWithDebInfo)"
run_suite build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "== build and test under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite build-sanitize -DCMAKE_BUILD_TYPE=Debug -DCLIP_SANITIZE=ON
