#!/usr/bin/env bash
# Benchmark: N files waiting in the inbox (default 100,000) before clipd
# starts; measures how fast the spine drains them (records/s, end to end:
# claim, worker analysis, commit, move, publish) and clipd's peak memory.
#
#   bench/inbox_flood.sh [BUILD_DIR] [N] [WORKERS]
#
# Prints: files, seconds, records/s, clipd peak RSS (VmHWM).
set -euo pipefail
build=${1:-build}
n=${2:-100000}
workers=${3:-2}
dir=$(mktemp -d /tmp/clip-bench-flood-XXXXXX)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
mkdir -p "$dir/inbox"
python3 - "$dir/inbox" "$n" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(d, f"a{i:06d}.txt"), "w") as f:
        f.write(f"Headline {i}\n\nA short article number {i} about Huawei and the {i % 97} networks.\n")
    # Old mtimes: the files are complete, as if they had waited a while.
    os.utime(os.path.join(d, f"a{i:06d}.txt"), (1e9, 1e9))
PY
start=$(date +%s.%N)
"$build/daemon/clipd" --inbox "$dir/inbox" --state "$dir/var" --workers "$workers" --corpus none \
  --tasks 'tcp://127.0.0.1:*' --pub 'tcp://127.0.0.1:*' --replay 'tcp://127.0.0.1:*' \
  2> "$dir/clipd.log" &
pid=$!
peak=0
while :; do
  done_count=$( (find "$dir/var/done" -type f 2>/dev/null || true) | wc -l)
  hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null || true)
  [ "${hwm:-0}" -gt "$peak" ] && peak=$hwm
  [ "$done_count" -ge "$n" ] && break
  kill -0 $pid 2>/dev/null || { echo "clipd died"; tail "$dir/clipd.log"; exit 1; }
  sleep 1
done
end=$(date +%s.%N)
awk -v n="$n" -v s="$start" -v e="$end" -v peak="$peak" -v w="$workers" 'BEGIN {
  printf "files %d  seconds %.1f  records/s %.0f  clipd peak RSS %d KiB  workers %d\n",
         n, e - s, n / (e - s), peak, w }'
