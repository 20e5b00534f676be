# shellcheck shell=bash
# bench/lib.sh: what bench/run and bench/syscalls.sh both do, sourced by
# them (not run): list the Reuters articles, start clipd on a folder and
# wait until it serves.  The callers keep their own clean-up traps.

# bench_reuters_files DIR: the names of DIR's Reuters-21578 articles
# (NNNNN.txt), in name order, one a line.
bench_reuters_files() {
    (cd "$1" && printf '%s\n' [0-9]*.txt | grep -E '^[0-9]+\.txt$' | sort)
}

# bench_clipd_spawn CLIPD DIR WORKERS [CLIPD ARGS]: clipd on DIR/state and
# DIR/inbox with WORKERS local workers and every endpoint on a free
# loopback port, in the background, its log in DIR/clipd.log; sets
# clipd_pid (the caller records it for its clean-up before waiting).
bench_clipd_spawn() {
    local clipd=$1 dir=$2 workers=$3
    shift 3
    "$clipd" --state "$dir/state" --inbox "$dir/inbox" --workers "$workers" \
        --tasks 'tcp://127.0.0.1:*' --pub 'tcp://127.0.0.1:*' --replay 'tcp://127.0.0.1:*' \
        --http 127.0.0.1:0 --log-level info "$@" 2> "$dir/clipd.log" &
    clipd_pid=$!
}

# bench_clipd_wait DIR WORKERS [SECONDS]: wait (at most SECONDS, 900 by
# default) until the clipd of bench_clipd_spawn listens and all its
# workers joined; sets pub (its PUB endpoint).  Returns 1, with the end
# of its log on stderr, if it exited or the time ran out.
bench_clipd_wait() {
    local dir=$1 workers=$2 limit
    limit=$(( $(date +%s) + ${3:-900} ))
    until grep -q "event=worker_joined .*workers=$workers\$" "$dir/clipd.log" 2>/dev/null; do
        if ! kill -0 "$clipd_pid" 2>/dev/null || [ "$(date +%s)" -gt "$limit" ]; then
            echo "clipd did not start with $workers workers; its log:" >&2
            tail -20 "$dir/clipd.log" >&2
            return 1
        fi
        sleep 0.05
    done
    pub=$(grep -o 'event=listening .*' "$dir/clipd.log" | grep -o 'pub=[^ ]*' | head -1 | cut -d= -f2)
    pub=${pub//\"/}
}
