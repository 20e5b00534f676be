#!/usr/bin/env python3
"""How long clipd takes to refuse (and to accept) a CURVE handshake.

    bench/curve_refusal.py [BUILD] [N]

Makes keys with BUILD/clip/clip keygen in a temporary folder, starts
BUILD/daemon/clipd with --curve-secret and allow-lists on loopback, then N
times for each case connects a DEALER to the task endpoint (pyzmq) and
times zmq_connect to the first handshake event on the socket's monitor:
HANDSHAKE_FAILED_AUTH for a key not listed, HANDSHAKE_SUCCEEDED for a
listed one.  Prints median, p90 and max in ms.  Needs python3-zmq.
"""
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import zmq
from zmq.utils.monitor import recv_monitor_message


def keys(path):
    out = {}
    with open(path) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                name, value = line.split("=", 1)
                out[name.strip()] = value.strip().encode()
    return out


def handshake_ms(ctx, endpoint, server, pair):
    s = ctx.socket(zmq.DEALER)
    s.linger = 0
    s.curve_serverkey = server
    s.curve_publickey = pair["public-key"]
    s.curve_secretkey = pair["secret-key"]
    mon = s.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH | zmq.EVENT_HANDSHAKE_SUCCEEDED
                               | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL
                               | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL)
    start = time.perf_counter()
    s.connect(endpoint)
    event = recv_monitor_message(mon)["event"] if mon.poll(5000) else None
    elapsed = (time.perf_counter() - start) * 1000
    s.disable_monitor()
    mon.close()
    s.close()
    return elapsed, event


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    tmp = tempfile.mkdtemp(prefix="curve-bench-")
    clipd = None
    try:
        allowed = os.path.join(tmp, "allowed")
        os.mkdir(allowed)
        for name in ("server", "worker", "stranger"):
            subprocess.run([os.path.join(build, "clip/clip"), "keygen", os.path.join(tmp, name)],
                           check=True, stdout=subprocess.DEVNULL)
        shutil.copy(os.path.join(tmp, "worker.pub"), allowed)
        state = os.path.join(tmp, "var")
        clipd = subprocess.Popen(
            [os.path.join(build, "daemon/clipd"), "--inbox", os.path.join(tmp, "inbox"),
             "--state", state, "--corpus", "none", "--http", "off",
             "--tasks", "tcp://127.0.0.1:*", "--pub", "tcp://127.0.0.1:*",
             "--replay", "tcp://127.0.0.1:*", "--curve-secret", os.path.join(tmp, "server.key"),
             "--curve-workers", allowed, "--curve-subscribers", allowed,
             "--log-level", "error"])
        endpoints = os.path.join(state, "endpoints.json")
        for _ in range(500):
            if os.path.exists(endpoints):
                break
            time.sleep(0.02)
        tasks = json.load(open(endpoints))["tasks"]
        server = keys(os.path.join(tmp, "server.pub"))["public-key"]
        ctx = zmq.Context()
        for label, name in (("refused", "stranger"), ("accepted", "worker")):
            pair = keys(os.path.join(tmp, name + ".key"))
            runs = [handshake_ms(ctx, tasks, server, pair) for _ in range(n)]
            times = sorted(t for t, _ in runs)
            events = sorted(set(str(e) for _, e in runs))
            print("%-9s n=%d median=%.2f ms p90=%.2f ms max=%.2f ms events=%s"
                  % (label, n, statistics.median(times), times[int(0.9 * n) - 1], times[-1],
                     ",".join(events)))
        ctx.term()
    finally:
        if clipd:
            clipd.send_signal(signal.SIGTERM)
            clipd.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
