#!/usr/bin/env bash
# The valgrind proof: runs the pipeline end-to-end test (tests/e2e/
# test_pipeline.c) with clipd and every clip-worker it spawns under valgrind
# memcheck (--trace-children=yes follows clipd's exec of the workers), one
# log per process, waits scaled by CLIP_TEST_TIME_SCALE.  Writes
# RELIABILITY_DIR/valgrind.json (what ran, processes, errors) for
# scripts/reliability.sh.  Exits 1 when a test failed or valgrind reported
# an error (definite leaks count as errors).
#   usage: scripts/valgrind.sh [BUILD_DIR [RELIABILITY_DIR]]
#   CLIP_VALGRIND_FILTER: a Criterion --filter (default: every pipeline test)
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-build-test}")
out=$(realpath -m "${2:-$build/reliability}")
filter=${CLIP_VALGRIND_FILTER:-pipeline/*}
logs=$build/valgrind-logs
rm -rf "$logs"
mkdir -p "$logs" "$out"

valgrind_cmd="$(command -v valgrind) --trace-children=yes --log-file=$logs/vg.%p.log --error-exitcode=99 \
--leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite"
start=$SECONDS
rc=0
CLIP_TEST_WRAPPER=$valgrind_cmd CLIP_TEST_TIME_SCALE=${CLIP_TEST_TIME_SCALE:-5} \
  "$build/tests/test_pipeline" --jobs 1 --filter "$filter" >"$logs/test.log" 2>&1 || rc=$?
elapsed=$((SECONDS - start))
cat "$logs/test.log"

# Every process valgrind ran leaves a log; one that ran to its end holds an
# ERROR SUMMARY.  A process killed by a signal has none, but the errors it
# met before are in its log all the same, one "== Invalid ..." block each.
processes=0 summaries=0 errors=0 leaked=0
for f in "$logs"/vg.*.log; do
  [ -f "$f" ] || continue
  processes=$((processes + 1))
  if s=$(grep -o 'ERROR SUMMARY: [0-9]*' "$f" | grep -o '[0-9]*$'); then
    summaries=$((summaries + 1))
    errors=$((errors + s))
  else
    n=$(grep -cE '^==[0-9]+== (Invalid|Conditional|Use of uninit|Syscall param|Mismatched|Source and destination|Argument)' "$f" || true)
    errors=$((errors + n))
  fi
  l=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tr -d , | head -n 1)
  leaked=$((leaked + ${l:-0}))
done
workers=$(grep -l 'clip-worker' "$logs"/vg.*.log 2>/dev/null | wc -l)
tests=$(sed -n 's/.*Tested: \([0-9]*\).*/\1/p' "$logs/test.log" | tail -n 1)
passing=$(sed -n 's/.*Passing: \([0-9]*\).*/\1/p' "$logs/test.log" | tail -n 1)
printf '{"proof": "valgrind", "tests": %s, "passing": %s, "filter": "%s", "processes": %d, "workers": %d, "errors": %d, "definitely_lost_bytes": %d, "seconds": %d, "summary": "The end-to-end pipeline test (%s of %s tests passing) with clipd and its clip-workers under valgrind memcheck: %d processes (%d of them workers), %d errors, %d bytes definitely lost, in %d s."}\n' \
  "${tests:-0}" "${passing:-0}" "$filter" "$processes" "$workers" "$errors" "$leaked" "$elapsed" \
  "${passing:-0}" "${tests:-0}" "$processes" "$workers" "$errors" "$leaked" "$elapsed" >"$out/valgrind.json"
echo "valgrind: ${passing:-0}/${tests:-0} tests passing, $processes processes ($workers workers), $errors errors, $leaked bytes definitely lost, ${elapsed} s"
if [ "$rc" -ne 0 ] || [ "$errors" -ne 0 ] || [ "$summaries" -eq 0 ]; then
  for f in "$logs"/vg.*.log; do
    grep -qE 'ERROR SUMMARY: [1-9]|== (Invalid|Conditional|Use of uninit|Syscall param|Mismatched)' "$f" && cat "$f"
  done
  echo "valgrind: FAILED (test exit $rc, $errors errors; logs in $logs)" >&2
  exit 1
fi
