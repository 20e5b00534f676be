#!/usr/bin/env bash
# The deployment test of issue 10, against a real Docker engine:
#   compose: build the image, up --scale worker=3, 5 Huawei + 300 Reuters
#   articles through ./inbox, every record read from the host with
#   `clip sub --since 0` over CURVE, from at least 2 workers; a worker
#   container killed mid-run and the pool scaled 3 -> 1 -> 3 while files flow:
#   nothing lost, nothing twice; a worker with a key clipd does not know is
#   refused and analyses nothing; down and up again: the results and the
#   corpus survive (replay serves seq 1..N, a re-dropped article is a
#   duplicate).
#   swarm: the same compose file with `docker stack deploy` (and the Swarm
#   part, docker-stack.yml), 3 worker replicas, records read from the host.
# Everything it makes (containers, networks, volumes, the image, swarm state,
# the temporary copy) is removed at the end, also on failure.
#
#   usage: tests/docker/test_compose.sh CLIP_BINARY
# Exit 0 on success or skip (says SKIP and why), 1 on failure.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
clip=$(realpath "${1:?usage: test_compose.sh CLIP_BINARY}")
data="$repo/../shared/data"
start=$SECONDS

say () { printf '[%4ds] %s\n' $((SECONDS - start)) "$*"; }
fail () { say "FAIL: $*"; exit 1; }

if [ ! -f "$data/reuters21578.tar.gz" ]; then
  say "SKIP: ../shared/data (Reuters) is not here"; exit 0
fi
set +e
engine=$("$repo/scripts/docker.sh" engine); rc=$?
set -e
if [ $rc -eq 3 ]; then say "SKIP: no Docker engine can run on this machine"; exit 0; fi
[ $rc -eq 0 ] || fail "scripts/docker.sh engine failed"
"$repo/scripts/docker.sh" base-image

work=$(mktemp -d /tmp/clipd-compose.XXXXXX)
project="clipdtest$$"
image="clipd-test:$$"
stack="clipdswarm$$"
swarm_mine=0
export COMPOSE_PROJECT_NAME=$project CLIPD_IMAGE=$image
# Host ports: three free ones on 127.0.0.1, fixed for the whole run (a port
# Docker picks would change when the clipd container restarts).
read -r CLIPD_PUB_PORT CLIPD_REPLAY_PORT CLIPD_HTTP_PORT < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
export CLIPD_PUB_PORT CLIPD_REPLAY_PORT CLIPD_HTTP_PORT
sub_pid=

cleanup () {
  set +e
  [ -n "$sub_pid" ] && kill "$sub_pid" 2>/dev/null
  if [ -d "$work/src" ]; then
    (cd "$work/src" && docker-compose down -v --remove-orphans -t 5 >/dev/null 2>&1)
  fi
  docker stack rm "$stack" >/dev/null 2>&1
  for _ in $(seq 1 60); do
    [ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] && break
    sleep 1
  done
  docker volume ls -q --filter "label=com.docker.stack.namespace=$stack" | xargs -r docker volume rm -f >/dev/null 2>&1
  docker network ls -q --filter "label=com.docker.stack.namespace=$stack" | xargs -r docker network rm >/dev/null 2>&1
  if [ $swarm_mine -eq 1 ]; then
    docker swarm leave --force >/dev/null 2>&1
    docker network rm docker_gwbridge >/dev/null 2>&1
  fi
  docker image rm -f "$image" >/dev/null 2>&1
  # The build stage's image, left dangling by the legacy builder.
  docker image prune -f --filter "label=clipd.stage=build" >/dev/null 2>&1
  if [ -n "${KEEP_WORK:-}" ]; then say "kept $work"; else rm -rf "$work"; fi
  [ "$engine" = started ] && "$repo/scripts/docker.sh" stop
  say "cleaned up"
}
trap cleanup EXIT

# A copy of the sources, as a user's checkout would be (no build trees).
mkdir -p "$work/src" "$work/articles"
tar -C "$repo" --exclude=./.git --exclude='./build*' --exclude=./inbox --exclude=./var -c . |
  tar -C "$work/src" -x
mkdir -p "$work/src/inbox"
tar -C "$work" -xzf "$data/reuters21578.tar.gz"
# 301 articles: 300 for the compose run, one more after clipd's restart.
mapfile -t reuters < <(find "$work" -path '*reuters21578/*.txt' | sort | sed -n 1,301p)
[ ${#reuters[@]} -eq 301 ] || fail "fewer than 301 Reuters articles"
cd "$work/src"

say "building the image"
docker-compose build -q init >/dev/null
say "image built"

dc () { docker-compose "$@"; }
port () { dc port "$1" "$2" | sed 's/.*://'; }

# Waits up to $1 seconds for the command "$2..." to succeed.
wait_for () {
  local limit=$1; shift
  local until=$((SECONDS + limit))
  while ! "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $until ] || return 1
    sleep 1
  done
}
healthy () { "$clip" status --http "127.0.0.1:$(port clipd 9110)" >/dev/null; }
count_lines () { [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; }

# Drops files into the inbox the way a writer should: write aside, rename in.
drop () {
  local f name
  for f in "$@"; do
    name=$(basename "$(dirname "$f")")_$(basename "$f")
    cp "$f" "inbox/.$name.tmp" && mv "inbox/.$name.tmp" "inbox/$name"
  done
}

fetch_keys () {
  dc run --rm --no-deps -T --entrypoint cat init /keys/host.key >"$work/host.key"
  dc run --rm --no-deps -T --entrypoint cat init /keys/server.pub >"$work/server.pub"
  chmod 600 "$work/host.key"
}

# clip sub from the host, over CURVE, into $1, in the background.
subscribe () {
  "$clip" sub --since 0 --curve-server-key "$work/server.pub" --curve-key "$work/host.key" \
    --replay "tcp://127.0.0.1:$(port clipd 5557)" "tcp://127.0.0.1:$(port clipd 5556)" \
    >"$1" 2>"$1.err" &
  sub_pid=$!
}

say "up with 3 workers"
dc up -d --scale worker=3 >/dev/null 2>&1 || { dc logs --tail 20; fail "compose up"; }
wait_for 120 healthy || { dc logs --tail 30 clipd; fail "clipd not healthy within 120 s"; }
# The image's own HEALTHCHECK (clip status --live) works in the container.
docker_healthy () { [ "$(docker inspect -f '{{.State.Health.Status}}' "$(dc ps -q clipd)")" = healthy ]; }
wait_for 120 docker_healthy ||
  fail "the clipd container's HEALTHCHECK: $(docker inspect -f '{{json .State.Health}}' "$(dc ps -q clipd)")"
# PUB, replay and HTTP are published on the host's loopback only.
for p in 5556 5557 9110; do
  published=$(dc port clipd "$p")
  case "$published" in
    127.0.0.1:*) ;;
    *) fail "port $p is published on '$published', not on 127.0.0.1 only" ;;
  esac
done
fetch_keys

# A worker whose key clipd does not know: refused, never analyses anything.
dc run -d --no-deps --name "${project}_stranger" --entrypoint sh worker -c \
  'clip keygen /tmp/stranger >/dev/null && exec clip-worker --tasks tcp://clipd:5555 \
     --curve-server-key /worker-keys/server.pub --curve-key /tmp/stranger.key' >/dev/null
stranger_host=$(docker inspect -f '{{.Config.Hostname}}' "${project}_stranger")

subscribe "$work/records.jsonl"
all=( $(ls corpus/huawei/*.txt 2>/dev/null) )
[ ${#all[@]} -eq 5 ] || fail "the five Huawei articles are not in corpus/huawei"
first=( "${all[@]}" "${reuters[@]:0:150}" )
second=( "${reuters[@]:150:150}" )

say "dropping 155 articles; killing a worker container mid-run"
drop "${first[@]}"
wait_for 120 count_lines "$work/records.jsonl" 20 || fail "no records within 120 s: $(tail -3 "$work/records.jsonl.err")"
victim=$(dc ps -q worker | sed -n 1p)
docker kill "$victim" >/dev/null
wait_for 240 count_lines "$work/records.jsonl" 155 || fail "only $(wc -l <"$work/records.jsonl") of 155 records after a worker was killed"

say "dropping 150 more; scaling 3 -> 1 -> 3 while they flow"
drop "${second[@]:0:75}"
dc up -d --no-recreate --scale worker=1 worker >/dev/null 2>&1
drop "${second[@]:75}"
dc up -d --no-recreate --scale worker=3 worker >/dev/null 2>&1
wait_for 300 count_lines "$work/records.jsonl" 305 || fail "only $(wc -l <"$work/records.jsonl") of 305 records after scaling"

python3 - "$work/records.jsonl" 305 "$stranger_host" <<'PY' || fail "records check"
import json, sys
path, n, stranger = sys.argv[1], int(sys.argv[2]), sys.argv[3]
recs = [json.loads(l) for l in open(path)]
seqs = [r["seq"] for r in recs]
files = [r["file"] for r in recs]
assert sorted(seqs) == list(range(1, n + 1)), f"seqs are not 1..{n}: {len(seqs)} records"
assert len(set(files)) == n, f"{n - len(set(files))} files twice"
bad = [r["file"] for r in recs if r["status"] != "ok"]
assert not bad, f"failed records: {bad[:5]}"
workers = {r["worker"].rsplit(":", 1)[0] for r in recs}
assert len(workers) >= 2, f"records from {len(workers)} worker host(s) only: {workers}"
assert stranger not in workers, "the stranger's worker analysed articles"
print(f"records ok: {n}, seq 1..{n}, from {len(workers)} worker containers")
PY

say "the stranger worker was refused"
metrics=$("$clip" status --metrics --http "127.0.0.1:$(port clipd 9110)")
refused=$(echo "$metrics" | awk '/^clipd_auth_refused_total\{domain="workers"\}/ {print $2}')
[ "${refused:-0}" != 0 ] || fail "clipd_auth_refused_total{domain=\"workers\"} is ${refused:-missing}"
# (Read whole first: grep -q would stop reading early, and under pipefail
# docker's SIGPIPE would count as a failure.)
stranger_log=$(docker logs "${project}_stranger" 2>&1)
case "$stranger_log" in
  *auth_refused*|*handshake_failed*) ;;
  *) fail "the stranger worker did not say it was refused: $(echo "$stranger_log" | tail -5)" ;;
esac
docker rm -f "${project}_stranger" >/dev/null

say "clipd's container restarted: the running workers come back to it"
dc restart -t 20 clipd >/dev/null 2>&1
wait_for 120 healthy || { dc logs --tail 30 clipd; fail "clipd not healthy after a restart"; }
drop "${reuters[300]}"
wait_for 120 count_lines "$work/records.jsonl" 306 || fail "no record after clipd's restart: $(tail -3 "$work/records.jsonl.err")"
kill "$sub_pid"; wait "$sub_pid" 2>/dev/null || true; sub_pid=

say "down and up again: results and corpus survive"
dc down -t 20 >/dev/null 2>&1
dc up -d --scale worker=2 >/dev/null 2>&1
wait_for 120 healthy || { dc logs --tail 30 clipd; fail "clipd not healthy after down/up"; }
subscribe "$work/again.jsonl"
wait_for 120 count_lines "$work/again.jsonl" 306 || fail "replay after restart served $(wc -l <"$work/again.jsonl") of 306"
cp "${all[3]}" "inbox/.redrop.tmp" && mv "inbox/.redrop.tmp" inbox/redropped.txt
wait_for 120 count_lines "$work/again.jsonl" 307 || fail "the re-dropped article got no record"
python3 - "$work/again.jsonl" <<'PY' || fail "after restart"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert [r["seq"] for r in recs] == list(range(1, 308)), "replay is not seq 1..307 in order"
last = recs[-1]
assert last["file"] == "redropped.txt" and last["dedupe"]["verdict"] == "duplicate", \
    f"re-dropped article: {last['file']} {last['dedupe']['verdict']}"
print("after down/up: seq 1..306 replayed, the re-dropped article is a duplicate")
PY
kill "$sub_pid"; wait "$sub_pid" 2>/dev/null || true; sub_pid=
dc down -v -t 20 >/dev/null 2>&1
rm -rf inbox/* var 2>/dev/null || true

say "swarm: docker stack deploy of the same file (+ docker-stack.yml)"
if [ "$(docker info -f '{{.Swarm.LocalNodeState}}')" != active ]; then
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
  swarm_mine=1
fi
docker stack deploy -c docker-compose.yml -c docker-stack.yml "$stack" >/dev/null 2>&1 ||
  fail "stack deploy: $(docker stack deploy -c docker-compose.yml -c docker-stack.yml "$stack" 2>&1 | tail -3)"
docker service scale "${stack}_worker=3" >/dev/null 2>&1
running_workers () {
  [ "$(docker service ps -q --filter desired-state=running --filter "name=${stack}_worker" "${stack}_worker" |
       xargs -r docker inspect -f '{{.Status.State}}' | grep -c running)" -ge 3 ]
}
wait_for 180 running_workers || fail "3 worker replicas not running: $(docker service ps "${stack}_worker" | tail -5)"
swarm_healthy () { "$clip" status --http "127.0.0.1:$CLIPD_HTTP_PORT" >/dev/null; }
wait_for 180 swarm_healthy || fail "clipd in the swarm not healthy: $(docker service logs --tail 10 "${stack}_clipd" 2>&1)"
keys_container=$(docker ps -q --filter "name=${stack}_clipd" | sed -n 1p)
docker exec "$keys_container" cat /keys/host.key >"$work/host.key"
docker exec "$keys_container" cat /keys/server.pub >"$work/server.pub"
drop "${all[@]}"
"$clip" sub --since 0 --count 5 --timeout-ms 120000 --curve-server-key "$work/server.pub" \
  --curve-key "$work/host.key" --replay "tcp://127.0.0.1:$CLIPD_REPLAY_PORT" \
  "tcp://127.0.0.1:$CLIPD_PUB_PORT" >"$work/swarm.jsonl" 2>"$work/swarm.err" || true
[ "$(wc -l <"$work/swarm.jsonl")" -eq 5 ] || {
  docker service logs --tail 15 "${stack}_clipd" 2>&1; docker service logs --tail 30 "${stack}_worker" 2>&1
  fail "swarm: $(wc -l <"$work/swarm.jsonl") of 5 records: $(tail -3 "$work/swarm.err")"; }
say "swarm: 5 records read from the host"
say "PASS (compose and swarm)"
