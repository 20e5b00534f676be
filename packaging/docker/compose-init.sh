#!/bin/sh
# docker-compose.yml's one-shot "init" service: runs as root once per `up`,
# before clipd and the workers, and is idempotent.
#
# 1. Keys (first start only; an existing key is never replaced):
#      /keys/server.key            clipd's pair          (clipd only)
#      /keys/workers/worker.pub    allowed worker key     (clipd's allow-list)
#      /keys/subscribers/host.pub  allowed subscriber key (clipd's allow-list)
#      /keys/host.key              that subscriber's pair, for `clip sub` on the
#                                  host (README "Scaling out" shows how to get it)
#      /worker-keys/server.pub     clipd's public key     (workers only)
#      /worker-keys/worker.key     the workers' pair      (workers only)
#    Two volumes, so that a worker container never sees clipd's secret key.
# 2. The bind-mounted inbox: clipd (uid 10001) renames files out of it, so it
#    needs write access to the folder.  The folder's owner is kept; it is
#    given to clipd's group with group write, and nothing else changes.
set -eu
umask 077
keys=/keys worker_keys=/worker-keys
mkdir -p "$keys/workers" "$keys/subscribers"
if [ ! -e "$keys/server.key" ]; then
  clip keygen "$keys/server" >/dev/null
  echo "init: made clipd's key pair"
fi
if [ ! -e "$worker_keys/worker.key" ]; then
  clip keygen "$worker_keys/worker" >/dev/null
  echo "init: made the workers' key pair"
fi
if [ ! -e "$keys/host.key" ]; then
  clip keygen "$keys/host" >/dev/null
  echo "init: made the host subscriber's key pair"
fi
cp "$keys/server.pub" "$worker_keys/server.pub"
cp "$worker_keys/worker.pub" "$keys/workers/worker.pub"
cp "$keys/host.pub" "$keys/subscribers/host.pub"
rm -f "$worker_keys/worker.pub"
chown -R 10001:10001 "$keys" "$worker_keys"
chmod 0750 "$keys" "$worker_keys" "$keys/workers" "$keys/subscribers"
chmod 0644 "$keys"/*.pub "$keys"/workers/*.pub "$keys"/subscribers/*.pub "$worker_keys/server.pub"
if [ -d /inbox ]; then
  chgrp 10001 /inbox && chmod g+rwx /inbox
fi
echo "init: keys and inbox ready"
