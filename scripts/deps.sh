#!/usr/bin/env bash
# Installs what clipd needs to build and run, from Debian 12's packages;
# with --test also what the full test run needs: python3-zmq and
# python3-msgpack (the example subscriber's test), python3-prometheus-client
# (parses /metrics in the metrics test), sqlite3 (bench/run grows a results
# log with it; the CI runs its smoke), clang and
# libclang-rt-14-dev (the libFuzzer harnesses), llvm-14 (the symbolizer for
# their stack traces) and valgrind (the end-to-end test under memcheck).
# Runs as root (apt-get); installs only what is missing, so it is quick the
# second time.
#   usage: scripts/deps.sh [--test]
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libuv1-dev libzmq3-dev libmsgpack-dev libsqlite3-dev libutf8proc-dev
  libxxhash-dev libjansson-dev libinih-dev uthash-dev libmicrohttpd-dev
  libcurl4-openssl-dev
  libcriterion-dev
)
if [ "${1:-}" = "--test" ]; then
  packages+=(python3-zmq python3-msgpack python3-prometheus-client sqlite3 clang libclang-rt-14-dev llvm-14 valgrind)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "clipd: missing packages: ${missing[*]}; run this as root (or install them)" >&2
    exit 1
  fi
  echo "clipd: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
