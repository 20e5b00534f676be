#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs every
# test: once on a normal build, once under AddressSanitizer and
# UndefinedBehaviorSanitizer.  Tests that need ../shared/data skip without it.
# Then the deployment test against a real Docker engine, installed and
# started if missing (tests/docker/test_compose.sh), and the proofs of
# issue 9: the pipeline end-to-end test with clipd and its workers under
# valgrind (scripts/valgrind.sh), and every libFuzzer
# harness for 60 s (scripts/fuzz.sh); each writes its figures to
# build-test/reliability/.  Prints the time of each step.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
reliability=build-test/reliability

times=()
step () {
  local name=$1; shift
  local start=$SECONDS
  echo "== $name"
  "$@"
  times+=("$(printf '%-40s %4d s' "$name" $((SECONDS - start)))")
  echo "== $name: $((SECONDS - start)) s"
}
report_times () {
  echo "== step times"
  for t in "${times[@]}"; do echo "   $t"; done
  echo "   total: $SECONDS s"
}
trap report_times EXIT

run_suite () {
  local dir=$1; shift
  cmake -S . -B "$dir" -DCLIP_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  (cd "$dir" && ctest --output-on-failure --timeout 600)
}
sanitized_suite () {
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite build-sanitize -DCMAKE_BUILD_TYPE=Debug -DCLIP_SANITIZE=ON
}

step "dependencies" ./scripts/deps.sh --test
rm -rf "$reliability" build-sanitize/reliability
step "build and test (RelWithDebInfo)" run_suite build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo
# A short run of the benchmark harness (bench/README.md), so it keeps working;
# its figures are not checked (benchmarks are not timed tests).
if [ -f ../shared/data/reuters21578.tar.gz ]; then
  step "bench/run --smoke" bench/run --smoke --build build-test
else
  echo "== bench/run --smoke: skipped, ../shared/data/reuters21578.tar.gz is absent"
fi
step "Docker: compose and swarm deployment" ./tests/docker/test_compose.sh build-test/clip/clip
step "build and test under ASan + UBSan" sanitized_suite
step "end-to-end test under valgrind" ./scripts/valgrind.sh build-test "$reliability"
step "fuzzing (libFuzzer, 60 s per harness)" ./scripts/fuzz.sh "$reliability"
if [ -x scripts/reliability.sh ]; then
  step "README reliability section" ./scripts/reliability.sh
fi
