#!/usr/bin/env bash
# The fuzzing proof: builds the libFuzzer harnesses of tests/fuzz with clang
# in build-fuzz, replays the committed seeds and every regression input
# (tests/fuzz/regress/<harness>/, inputs that once crashed), then runs each
# harness for CLIP_FUZZ_SECONDS (60) seconds, CLIP_FUZZ_JOBS (2) at a time.
# New inputs go to a scratch folder (build-fuzz/fuzz-work/), never to the
# committed corpus.  Writes RELIABILITY_DIR/fuzz_<harness>.json for each
# (scripts/reliability.sh renders them into README.md).  Exits 1 when a
# harness crashed (sanitizer report, broken property, timeout, out of
# memory); the crashing input is kept in build-fuzz/fuzz-work/<harness>/.
#   usage: scripts/fuzz.sh [RELIABILITY_DIR]   (default build-test/reliability)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-build-test/reliability}")
seconds=${CLIP_FUZZ_SECONDS:-60}
jobs=${CLIP_FUZZ_JOBS:-2}
build=${CLIP_FUZZ_BUILD:-build-fuzz}
work=$build/fuzz-work
mkdir -p "$out"

CC=clang cmake -S . -B "$build" -DCLIP_FUZZ=ON -DCLIP_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target fuzz -j"$(nproc)" >/dev/null

harnesses=()
for src in tests/fuzz/fuzz_*.c; do
  harnesses+=("$(basename "$src" .c)")
done

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Inputs larger than this are not tried: the seeds are 0.1-3 KB, and the
# analysis's cost per byte is for bench/, not for the fuzzer.
max_len () {
  case $1 in
    fuzz_wire) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

# Replay: each file once, through the harness's checks.  A failure here is a
# regression of a bug already found.
failed=0
declare -A replayed
rm -rf "$work"
mkdir -p "$work"
for h in "${harnesses[@]}"; do
  inputs=(tests/fuzz/corpus/"$h"/* tests/fuzz/regress/"$h"/*)
  existing=()
  for f in "${inputs[@]}"; do [ -f "$f" ] && existing+=("$f"); done
  [ ${#existing[@]} -gt 0 ] || continue
  if ! "$build/tests/fuzz/$h" "${existing[@]}" >"$work/$h.replay.log" 2>&1; then
    echo "fuzz: $h fails on a committed input:" >&2
    tail -n 40 "$work/$h.replay.log" >&2
    failed=1
  fi
  replayed[$h]=${#existing[@]}
  echo "fuzz: $h: replayed ${#existing[@]} committed inputs"
done

run_one () {
  local h=$1 dir=$work/$1
  mkdir -p "$dir/corpus"
  local start=$SECONDS rc=0
  "$build/tests/fuzz/$h" -max_total_time="$seconds" -max_len="$(max_len "$h")" \
      -rss_limit_mb=1536 -timeout=30 -print_final_stats=1 \
      -artifact_prefix="$dir/" "$dir/corpus" "tests/fuzz/corpus/$h" >"$dir/log" 2>&1 || rc=$?
  local execs cov corp crash_file
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -n 1 | grep -o '[0-9]*' || true)
  corp=$(grep -o 'corp: [0-9]*' "$dir/log" | tail -n 1 | grep -o '[0-9]*' || true)
  crash_file=$(ls "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-* 2>/dev/null | head -n 1 || true)
  local elapsed=$((SECONDS - start)) crashes=0 verdict="no crash"
  if [ "$rc" -ne 0 ]; then
    crashes=1
    verdict="a crash (input $crash_file)"
  fi
  local seeds=${replayed[$h]:-0}
  printf '{"proof": "%s", "harness": "%s", "seconds": %d, "executions": %s, "replayed": %d, "corpus": %s, "coverage": %s, "crashes": %d, "summary": "%s inputs tried in %d s (%d committed seeds and regression inputs replayed first); the corpus grew to %s inputs covering %s edges; %s."}\n' \
      "$h" "$h" "$elapsed" "${execs:-0}" "$seeds" "${corp:-0}" "${cov:-0}" "$crashes" \
      "${execs:-0}" "$elapsed" "$seeds" "${corp:-0}" "${cov:-0}" "$verdict" >"$out/$h.json"
  echo "fuzz: $h: ${execs:-0} executions in ${elapsed} s, corpus ${corp:-0}, coverage ${cov:-0}, $verdict"
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $h crashed; its log ends:" >&2
    tail -n 60 "$dir/log" >&2
    return 1
  fi
}

for h in "${harnesses[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
    wait -n || true
  done
  ( rc=0; run_one "$h" || rc=$?; echo "$rc" >"$work/$h.rc" ) &
done
wait
for h in "${harnesses[@]}"; do
  [ "$(cat "$work/$h.rc" 2>/dev/null)" = 0 ] || failed=1
done
exit "$failed"
