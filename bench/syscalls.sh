#!/usr/bin/env bash
# Benchmark: the system calls clipd makes per article (issue 12), counted
# by the kernel (perf's syscalls:sys_enter_* tracepoints) over one burst of
# figure 1 of bench/run: N Reuters-21578 articles renamed into the inbox
# at once, 2 local workers, an empty corpus.  clipd's threads (the loop,
# the commit thread, libzmq's I/O thread), or with --workers those of the
# two clip-worker processes clipd started instead.
#
#   bench/syscalls.sh [--build DIR] [--articles N] [--workers] [-- CLIPD ARGS]
#
# CLIPD ARGS are passed to clipd (e.g. -- --prefetch 8).  Also printed:
# the context switches per article (perf's context-switches event) and the
# CPU time per article (/proc/PID/stat) of the same processes.
# Needs perf and root (or perf_event_paranoid <= -1) for the tracepoints.
# Prints one line per system call (count, per article, name), most first,
# and the total; every process it starts is stopped on exit, every wait
# is bounded, the temporary folder removed.  The count is the kernel's,
# so unlike a rate it hardly moves with the machine's load.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
build=$here/../build
articles=5000
who=clipd
while [ $# -gt 0 ]; do
    case $1 in
        --build) build=$2; shift 2 ;;
        --articles) articles=$2; shift 2 ;;
        --workers) who=workers; shift ;;
        --) shift; break ;;
        *) echo "usage: bench/syscalls.sh [--build DIR] [--articles N] [--workers] [-- CLIPD ARGS]" >&2; exit 2 ;;
    esac
done
data=${CLIP_SHARED_DATA:-$here/../../shared/data}
[ -f "$data/reuters21578.tar.gz" ] || { echo "bench/syscalls.sh: no $data/reuters21578.tar.gz" >&2; exit 1; }
command -v perf > /dev/null || { echo "bench/syscalls.sh: perf is not installed (apt-get install linux-perf)" >&2; exit 1; }
for b in daemon/clipd workers/clip-worker bench/bench_feed; do
    [ -x "$build/$b" ] || { echo "bench/syscalls.sh: $build/$b missing (build it)" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/clip-syscalls-XXXXXX")
clipd_pid=
perf_pid=
cleanup() {
    local p
    for p in $perf_pid $clipd_pid; do kill -TERM "$p" 2>/dev/null || true; done
    for p in $perf_pid $clipd_pid; do
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

tar -xzf "$data/reuters21578.tar.gz" -C "$tmp"
mapfile -t files < <(bench_reuters_files "$tmp/reuters21578")
[ "${#files[@]}" -ge "$((articles + 4))" ] || { echo "bench/syscalls.sh: too few articles" >&2; exit 1; }
mkdir -p "$tmp/src" "$tmp/inbox"
(cd "$tmp/reuters21578" && ln "${files[@]:0:articles}" "$tmp/src/")
for i in 0 1 2 3; do cp "$tmp/reuters21578/${files[$((articles + i))]}" "$tmp/src/+warm$i.txt"; done

bench_clipd_spawn "$build/daemon/clipd" "$tmp" 2 --corpus none "$@"
bench_clipd_wait "$tmp" 2 300 || { echo "bench/syscalls.sh: clipd did not start" >&2; exit 1; }

# perf attaches to every thread of the processes counted; its start is
# waited for by a first count file, so that the burst is counted whole.
pids=$clipd_pid
if [ "$who" = workers ]; then
    pids=$(pgrep -d, -P "$clipd_pid" -f clip-worker || true)
    [ "$(echo "$pids" | tr , '\n' | grep -c .)" -eq 2 ] || { echo "bench/syscalls.sh: expected 2 workers under clipd, found '$pids'" >&2; exit 1; }
fi
perf stat -e 'syscalls:sys_enter_*,context-switches' -p "$pids" -x, -o "$tmp/perf.csv" 2> "$tmp/perf.err" &
perf_pid=$!
limit=$(( $(date +%s) + 60 ))
until [ -s "$tmp/perf.csv" ] || [ "$(date +%s)" -gt "$limit" ]; do sleep 0.05; done
sleep 0.5
# CPU time (user + system, clock ticks) of the processes counted.
ticks() { local p s=0; for p in ${pids//,/ }; do s=$((s + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$s"; }
ticks0=$(ticks)
timeout 600 "$build/bench/bench_feed" --src "$tmp/src" --inbox "$tmp/inbox" --pub "$pub" \
    --warmup 4 --timeout-ms 300000 > "$tmp/feed.out"
ticks1=$(ticks)
kill -INT "$perf_pid"
wait "$perf_pid" || true
perf_pid=
echo "burst: $(cat "$tmp/feed.out")"
# perf -x, lines: count,unit,event,...
awk -F, -v n="$articles" '
    $3 ~ /^syscalls:sys_enter_/ && $1 ~ /^[0-9]+$/ && $1 > 0 {
        name = $3; sub(/^syscalls:sys_enter_/, "", name)
        printf "%9d %7.2f %s\n", $1, $1 / n, name; total += $1
    }
    $3 == "context-switches" { cs = $1 }
    END {
        printf "%9d %7.2f total per article (%s, all threads; %d articles)\n", total, total / n, who, n
        printf "%9d %7.2f context switches per article\n", cs, cs / n
        printf "%9s %7.3f ms of CPU per article\n", "", (t1 - t0) * 1000 / hz / n
    }
' who="$who" t0="$ticks0" t1="$ticks1" hz="$(getconf CLK_TCK)" "$tmp/perf.csv" | sort -k1,1nr
