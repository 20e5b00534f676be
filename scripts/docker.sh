#!/usr/bin/env bash
# A Docker engine and the base image clipd's Dockerfile builds on, on a
# machine that may have neither and may reach no image registry.
#
#   scripts/docker.sh engine      install Debian's docker.io and docker-compose
#                                 if missing; start dockerd if none answers.
#                                 Prints "started" when it started one (the
#                                 caller then stops it with `stop`).
#   scripts/docker.sh base-image  make sure debian:bookworm-slim exists: pulled
#                                 if a registry answers, else built with
#                                 debootstrap (--variant=minbase) and imported.
#   scripts/docker.sh stop        stop the dockerd this script started.
#
# Exit 0 on success; 3 when no engine can run here (an unprivileged
# container, no root): callers skip their Docker tests on 3.
set -euo pipefail

pidfile=/run/clipd-test-dockerd.pid
log=/tmp/clipd-test-dockerd.log

engine_answers () { timeout 20 docker info >/dev/null 2>&1; }

engine () {
  if ! command -v dockerd >/dev/null || ! command -v docker-compose >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "docker.sh: Docker is not installed and this is not root: cannot install it" >&2
      exit 3
    fi
    echo "docker.sh: installing docker.io and docker-compose" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends docker.io docker-compose debootstrap >/dev/null
  fi
  command -v docker >/dev/null || { echo "docker.sh: no docker client" >&2; exit 3; }
  if engine_answers; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "docker.sh: no Docker engine answers and this is not root: cannot start one" >&2
    exit 3
  fi
  echo "docker.sh: starting dockerd (log: $log)" >&2
  dockerd >"$log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 60); do
    if engine_answers; then
      echo started
      return 0
    fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "docker.sh: dockerd exited at once (no privileges for an engine here?); its log:" >&2
      tail -5 "$log" >&2
      rm -f "$pidfile"
      exit 3
    fi
    sleep 1
  done
  echo "docker.sh: dockerd did not answer within 60 s; its log:" >&2
  tail -5 "$log" >&2
  exit 3
}

base_image () {
  if docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
    return 0
  fi
  if timeout 60 docker pull -q debian:bookworm-slim >/dev/null 2>&1; then
    return 0
  fi
  echo "docker.sh: no registry: building debian:bookworm-slim with debootstrap" >&2
  command -v debootstrap >/dev/null || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
  local root
  root=$(mktemp -d /tmp/clipd-bookworm.XXXXXX)
  trap 'rm -rf "$root"' RETURN
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$root.log" 2>&1 || {
    echo "docker.sh: debootstrap failed; the end of its log:" >&2; tail -5 "$root.log" >&2; exit 1; }
  rm -f "$root.log"
  # What the real slim image leaves out: documentation and package lists.
  rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/var/lib/apt/lists/* \
         "$root"/var/cache/apt/*.bin
  tar -C "$root" -c . | docker import - debian:bookworm-slim >/dev/null
}

stop () {
  [ -f "$pidfile" ] || return 0
  local pid
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  rm -f "$pidfile"
}

case "${1:-}" in
  engine) engine ;;
  base-image) base_image ;;
  stop) stop ;;
  *) echo "usage: scripts/docker.sh engine|base-image|stop" >&2; exit 2 ;;
esac
