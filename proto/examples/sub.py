#!/usr/bin/env python3
"""Example clipd subscriber in Python: what `clip sub` does, in one file.

Prints every record once, as one line of JSON, in seq order and without
gaps: records already in the results log (replayed from --since), then live
ones.  See proto/README.md ("Records", "Replay") for the wire format.

    sub.py [--since N] [--topic PREFIX] [--replay EP] [PUB_EP]

Needs pyzmq and msgpack (Debian: python3-zmq python3-msgpack;
elsewhere: pip install pyzmq msgpack).
"""
import argparse
import json
import os
import signal
import sys
import time

import msgpack
import zmq

DEFAULT_PUB = "tcp://127.0.0.1:5556"
DEFAULT_REPLAY = "tcp://127.0.0.1:5557"
REPLAY_TIMEOUT_MS = 10_000   # no answer from the replay endpoint in this long: give up
SETTLE_S = 1.0               # when to replay once more after starting (see follow())


class Fatal(Exception):
    pass


def unpack(frame):
    # Strings are UTF-8; replace rather than fail on a bad byte.
    return msgpack.unpackb(frame, raw=False, unicode_errors="replace",
                           strict_map_key=False)


def to_json(value):
    # msgpack maps decode to dicts in wire order, so keys print in the
    # record's own order, as `clip sub` prints them.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                      default=lambda o: o.decode("utf-8", "replace")
                      if isinstance(o, bytes) else str(o))


class Subscriber:
    def __init__(self, ctx, pub_ep, replay_ep, topic, since):
        self.topic = topic
        # Every record matching the topic with seq <= covered has been
        # printed (or lies before --since).  It can run ahead of the last
        # printed seq: a replay says how far it looked (replay.end "last"),
        # and the records it skipped there did not match the topic.
        self.covered = since

        # Subscribe first, so that nothing published from now on is missed:
        # what was committed before is then fetched from the replay endpoint.
        self.sub = ctx.socket(zmq.SUB)
        self.sub.setsockopt(zmq.LINGER, 0)
        self.sub.setsockopt(zmq.SUBSCRIBE, topic.encode("utf-8"))
        self.sub.connect(pub_ep)

        self.replay = ctx.socket(zmq.DEALER)
        self.replay.setsockopt(zmq.LINGER, 0)
        self.replay.connect(replay_ep)

    def emit(self, record):
        sys.stdout.write(to_json(record) + "\n")
        sys.stdout.flush()

    def catch_up(self):
        """Replay every matching record above covered, page by page."""
        while True:
            self.replay.send(msgpack.packb({"since": self.covered, "topic": self.topic}))
            while True:
                if not self.replay.poll(REPLAY_TIMEOUT_MS):
                    raise Fatal("no answer from the replay endpoint in %d s"
                                % (REPLAY_TIMEOUT_MS // 1000))
                frames = self.replay.recv_multipart()
                if len(frames) != 2:
                    continue            # not a [topic, body] message: not ours
                topic = frames[0].decode("utf-8", "replace")
                body = unpack(frames[1])
                if topic == "replay.error":
                    raise Fatal("replay refused: %s: %s"
                                % (body.get("code"), body.get("message")))
                if topic == "replay.end":
                    break
                seq = body.get("seq") if isinstance(body, dict) else None
                if isinstance(seq, int) and seq > self.covered:
                    self.emit(body)
                    self.covered = seq
            if not isinstance(body, dict) or not isinstance(body.get("last"), int):
                raise Fatal("malformed replay.end: %r" % (body,))
            self.covered = max(self.covered, body["last"])
            if not body.get("more"):
                return

    def handle_live(self, frames):
        if len(frames) != 2:
            return
        try:
            record = unpack(frames[1])
        except Exception as e:          # a record we cannot read: the log has it
            print("sub: unreadable live record: %s" % e, file=sys.stderr)
            return
        seq = record.get("seq") if isinstance(record, dict) else None
        if not isinstance(seq, int) or seq <= self.covered:
            return                      # already printed (replayed, or a repeat)
        if seq > self.covered + 1:
            # Records may have been lost in between (PUB drops for slow
            # subscribers): fetch them from the log first.  The replay may
            # well return this very record, which is then not printed twice.
            self.catch_up()
        if seq > self.covered:
            self.emit(record)
            self.covered = seq

    def follow(self):
        self.catch_up()
        # A subscription takes a moment to reach the publisher, so a record
        # published in that moment may be neither live nor (if committed
        # after the replay above) replayed.  One more replay shortly after
        # starting closes that window; later losses show up as seq gaps.
        settle_at = time.monotonic() + SETTLE_S
        while True:
            timeout = None
            if settle_at is not None:
                timeout = max(0, int((settle_at - time.monotonic()) * 1000))
            if self.sub.poll(timeout):
                self.handle_live(self.sub.recv_multipart())
            if settle_at is not None and time.monotonic() >= settle_at:
                settle_at = None
                self.catch_up()


def uint(text):
    try:
        value = int(text, 10)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError("not a non-negative integer: %r" % text)
    return value


def main():
    ap = argparse.ArgumentParser(
        description="Print clipd records as JSON lines: replayed from the results "
                    "log since N, then live, each once, in seq order.")
    ap.add_argument("--since", type=uint, default=0, metavar="N",
                    help="print records with seq above N (default 0: all)")
    ap.add_argument("--topic", default="", metavar="PREFIX",
                    help="only topics starting with PREFIX, e.g. article.duplicate or error")
    ap.add_argument("--replay", default=DEFAULT_REPLAY, metavar="EP",
                    help="replay endpoint (default %s)" % DEFAULT_REPLAY)
    ap.add_argument("pub", nargs="?", default=DEFAULT_PUB, metavar="PUB_EP",
                    help="publishing endpoint (default %s)" % DEFAULT_PUB)
    args = ap.parse_args()

    # Leave quietly on SIGTERM as on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    ctx = zmq.Context()
    try:
        Subscriber(ctx, args.pub, args.replay, args.topic, args.since).follow()
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:             # e.g. piped into head
        # Python would complain again when flushing stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (Fatal, zmq.ZMQError) as e:
        print("sub: %s" % e, file=sys.stderr)
        return 1
    finally:
        ctx.destroy(linger=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
