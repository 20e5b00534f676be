#!/usr/bin/env bash
# Builds clipd and runs it: 2 local workers, inbox ./inbox, state ./var, the
# shipped Huawei corpus.  Extra arguments go to clipd (see clipd --help).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCLIP_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
cat >&2 <<MSG
clipd is starting with 2 workers and the Huawei corpus.
  Drop article files into:   $PWD/inbox/
  Watch results (JSON):      $PWD/build/clip/clip sub --since 0
  Finished files go to:      $PWD/var/done/  (failures: $PWD/var/failed/)
Stop with Ctrl-C.
MSG
exec ./build/daemon/clipd --workers 2 --inbox ./inbox --state ./var "$@"
