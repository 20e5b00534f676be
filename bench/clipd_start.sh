#!/usr/bin/env bash
# Benchmark: how long clipd takes from exec to serving (its "listening" log
# line: the corpus index is built and every endpoint is bound) on a large
# state folder, from a cold page cache when run as root.
#
#   bench/clipd_start.sh [BUILD_DIR] [STATE_DIR] [RUNS]
#
# STATE_DIR defaults to the 1,000,000-article corpus bench_dedupe keeps in
# /tmp/dd/benchtmp/load-state (made by: bench_dedupe --skip-reuters
# --skip-index --tmp /tmp/dd/benchtmp).  clipd adds its results tables to
# it; nothing else changes.  Prints one line per run.
set -euo pipefail
build=${1:-build}
state=${2:-/tmp/dd/benchtmp/load-state}
runs=${3:-3}
[ -f "$state/clipd.db" ] || { echo "clipd_start.sh: no clipd.db in $state" >&2; exit 2; }
dir=$(mktemp -d /tmp/clip-bench-start-XXXXXX)
pid=
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; rm -rf "$dir"' EXIT
for run in $(seq "$runs"); do
    cache="as cached"
    if [ "$(id -u)" = 0 ]; then
        sync
        echo 3 > /proc/sys/vm/drop_caches
        cache="cold page cache"
    fi
    : > "$dir/clipd.log"
    start=$(date +%s.%N)
    "$build/daemon/clipd" --state "$state" --inbox "$dir/inbox" --workers 0 \
      --tasks 'tcp://127.0.0.1:*' --pub 'tcp://127.0.0.1:*' --replay 'tcp://127.0.0.1:*' \
      --http 127.0.0.1:0 2> "$dir/clipd.log" &
    pid=$!
    deadline=$(( $(date +%s) + 120 ))
    until grep -q 'event=listening' "$dir/clipd.log"; do
        if ! kill -0 "$pid" 2>/dev/null || [ "$(date +%s)" -gt "$deadline" ]; then
            cat "$dir/clipd.log" >&2
            exit 1
        fi
        sleep 0.01
    done
    ready=$(date +%s.%N)
    corpus=$(grep -o 'corpus=[0-9]*' "$dir/clipd.log" | head -1 | cut -d= -f2)
    kill "$pid"
    wait "$pid" || true
    pid=
    awk -v s="$start" -v r="$ready" -v c="$corpus" -v k="$cache" \
        'BEGIN { printf "run: corpus of %d articles, %s: listening %.2f s after exec\n", c, k, r - s }'
done
