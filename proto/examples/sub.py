#!/usr/bin/env python3
"""Example clipd subscriber in Python: what `clip sub` does, in one file.

Prints every record once, as one line of JSON, in seq order and without
gaps: records already in the results log (replayed from --since), then live
ones.  See proto/README.md ("Records", "Replay") for the wire format.

    sub.py [--since N] [--topic PREFIX] [--replay EP] [--count N]
           [--timeout-ms N] [--curve-server-key FILE|Z85 --curve-key FILE] [PUB_EP]

Numbers print as `clip sub` prints them: similarity scores (jaccard,
containment) rounded to 4 decimals, a whole score with its ".0".  --count N
exits 0 after N records; --timeout-ms N exits after N ms without a record:
0, or 1 when clipd never answered (as `clip sub`).

With CURVE (proto/README.md, "CURVE"): clipd's public key (its .pub file or
the 40 Z85 characters) and our own pair (NAME.key from `clip keygen NAME`,
whose NAME.pub clipd allows with --curve-subscribers); also from the
environment as CLIP_CURVE_SERVER_KEY and CLIP_CURVE_KEY.

Needs pyzmq and msgpack (Debian: python3-zmq python3-msgpack;
elsewhere: pip install pyzmq msgpack).
"""
import argparse
import json
import math
import os
import signal
import sys
import time

import msgpack
import zmq
import zmq.utils.z85

DEFAULT_PUB = "tcp://127.0.0.1:5556"
DEFAULT_REPLAY = "tcp://127.0.0.1:5557"
REPLAY_TIMEOUT_MS = 10_000   # no answer from the replay endpoint in this long: give up
SETTLE_S = 1.0               # when to replay once more after starting (see follow())
IDLE_S = 5.0                 # replay again after this long without a live record


class Fatal(Exception):
    pass


class Done(Exception):
    """Stop with this exit status (--count reached, or --timeout-ms passed)."""
    def __init__(self, status, message=None):
        super().__init__(message)
        self.status = status
        self.message = message


SCORES = ("jaccard", "containment")


KEY_FILE_MAX = 4096


def read_key_file(path, secret):
    """The keys of a file written by `clip keygen`: {"public-key": ..., ...}.

    A file holding a secret must not be open to group or others (as ssh
    requires of a private key)."""
    try:
        st = os.stat(path)
        if secret and st.st_mode & 0o077:
            raise Fatal("%s: holds a secret key but its mode %04o lets group or others "
                        "read it: run chmod 600 %s" % (path, st.st_mode & 0o7777, path))
        if st.st_size > KEY_FILE_MAX:
            raise Fatal("%s: more than a key file holds (%d bytes)" % (path, KEY_FILE_MAX))
        with open(path, encoding="ascii") as f:
            text = f.read(KEY_FILE_MAX + 1)
    except (OSError, UnicodeDecodeError) as e:
        raise Fatal("%s: cannot read the key file: %s" % (path, e))
    keys = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        name, sep, value = line.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or name not in ("public-key", "secret-key") or name in keys:
            raise Fatal("%s: line %d is not 'public-key = ...' or 'secret-key = ...'"
                        % (path, number))
        if len(value) != 40:
            raise Fatal("%s: %s has %d characters, a Z85 key has 40" % (path, name, len(value)))
        try:
            zmq.utils.z85.decode(value)
        except Exception:
            raise Fatal("%s: %s is not valid Z85" % (path, name))
        keys[name] = value
    return keys


def load_curve(server_spec, key_path):
    """(server public, our public, our secret) as Z85 bytes, or None."""
    if not server_spec and not key_path:
        return None
    if not server_spec or not key_path:
        raise Fatal("--curve-server-key and --curve-key go together: give clipd's "
                    "public key and our own pair, or neither")
    if not zmq.has("curve"):
        raise Fatal("this libzmq was built without CURVE")
    if len(server_spec) == 40 and not os.path.exists(server_spec):
        server = server_spec
    else:
        server = read_key_file(server_spec, False).get("public-key")
        if not server:
            raise Fatal("%s: no public-key" % server_spec)
    pair = read_key_file(key_path, True)
    if "public-key" not in pair or "secret-key" not in pair:
        raise Fatal("%s: needs public-key and secret-key (the .key file of clip keygen)"
                    % key_path)
    if zmq.curve_public(pair["secret-key"].encode()) != pair["public-key"].encode():
        raise Fatal("%s: public-key is not the one of secret-key" % key_path)
    return server.encode(), pair["public-key"].encode(), pair["secret-key"].encode()


def apply_curve(sock, curve):
    if curve:
        server, public, secret = curve
        sock.curve_serverkey = server
        sock.curve_publickey = public
        sock.curve_secretkey = secret


def unpack(frame):
    # Strings are UTF-8; replace rather than fail on a bad byte.
    return msgpack.unpackb(frame, raw=False, unicode_errors="replace",
                           strict_map_key=False)


def scores_rounded(value, key=None):
    """value with every score rounded to 4 decimals, as `clip sub` prints
    them (a score that is not finite becomes None, JSON's null)."""
    if isinstance(value, dict):
        return {k: scores_rounded(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [scores_rounded(v) for v in value]
    if key in SCORES and isinstance(value, (int, float)):
        value = float(value)
        return round(value, 4) if math.isfinite(value) else None
    return value


def to_json(value):
    # msgpack maps decode to dicts in wire order, so keys print in the
    # record's own order, as `clip sub` prints them.
    return json.dumps(scores_rounded(value), ensure_ascii=False, separators=(",", ":"),
                      default=lambda o: o.decode("utf-8", "replace")
                      if isinstance(o, bytes) else str(o))


class Subscriber:
    def __init__(self, ctx, pub_ep, replay_ep, topic, since, curve=None, count=0,
                 timeout_ms=0):
        self.topic = topic
        self.replay_ep = replay_ep
        self.count = count              # 0: no limit
        self.timeout_ms = timeout_ms    # 0: no idle timeout
        self.printed = 0
        self.last_print = time.monotonic()
        self.reached = False            # clipd answered or published
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
        # With CURVE, a key clipd does not allow is refused at the handshake:
        # nothing arrives, and the replay below times out (clipd logs
        # event=auth_refused and counts clipd_auth_refused_total).
        apply_curve(self.sub, curve)
        self.sub.connect(pub_ep)

        self.replay = ctx.socket(zmq.DEALER)
        self.replay.setsockopt(zmq.LINGER, 0)
        apply_curve(self.replay, curve)
        self.replay.connect(replay_ep)

    def emit(self, record):
        sys.stdout.write(to_json(record) + "\n")
        sys.stdout.flush()
        self.printed += 1
        self.last_print = time.monotonic()
        if self.count and self.printed >= self.count:
            raise Done(0)

    def wait_ms(self, ms):
        """ms (None: forever), cut to what is left of --timeout-ms."""
        if not self.timeout_ms:
            return ms
        left = self.last_print + self.timeout_ms / 1000 - time.monotonic()
        left = max(0, int(left * 1000))
        return left if ms is None else min(ms, left)

    def check_idle(self):
        """Stop once --timeout-ms passed without a record: status 0, or 1
        when clipd never answered."""
        if self.timeout_ms and time.monotonic() >= self.last_print + self.timeout_ms / 1000:
            if self.reached:
                raise Done(0)
            raise Done(1, "clipd not reached at %s within --timeout-ms %d"
                       % (self.replay_ep, self.timeout_ms))

    def catch_up(self, idle=False):
        """Replay every matching record above covered, page by page.  An
        idle catch-up (idle=True) that gets no answer in time gives up
        quietly: clipd may be restarting, and the next one asks again."""
        while True:
            self.replay.send(msgpack.packb({"since": self.covered, "topic": self.topic}))
            give_up = time.monotonic() + REPLAY_TIMEOUT_MS / 1000
            while True:
                left = max(0, int((give_up - time.monotonic()) * 1000))
                if not self.replay.poll(self.wait_ms(left)):
                    self.check_idle()
                    if time.monotonic() < give_up:
                        continue
                    if idle:
                        return
                    raise Fatal("no answer from the replay endpoint in %d s (with CURVE: "
                                "is our key allowed by clipd's --curve-subscribers?)"
                                % (REPLAY_TIMEOUT_MS // 1000))
                frames = self.replay.recv_multipart()
                self.reached = True
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
        self.reached = True
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
        # starting closes that window.  Later losses show up as seq gaps,
        # except one while the SUB socket reconnected (clipd restarted)
        # with no record after it: so replay again whenever no live record
        # came for IDLE_S.
        settle_at = time.monotonic() + SETTLE_S
        idle_at = time.monotonic() + IDLE_S
        while True:
            next_at = idle_at if settle_at is None else min(settle_at, idle_at)
            timeout = max(0, int((next_at - time.monotonic()) * 1000))
            if self.sub.poll(self.wait_ms(timeout)):
                self.handle_live(self.sub.recv_multipart())
                idle_at = time.monotonic() + IDLE_S
            self.check_idle()
            now = time.monotonic()
            if (settle_at is not None and now >= settle_at) or now >= idle_at:
                self.catch_up(idle=settle_at is None)
                settle_at = None
                idle_at = time.monotonic() + IDLE_S


def uint(text):
    try:
        value = int(text, 10)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError("not a non-negative integer: %r" % text)
    return value


def positive(text):
    value = uint(text)
    if value == 0:
        raise argparse.ArgumentTypeError("not a positive integer: %r" % text)
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
    ap.add_argument("--count", type=positive, default=0, metavar="N",
                    help="exit (status 0) after printing N records")
    ap.add_argument("--timeout-ms", type=positive, default=0, metavar="N",
                    help="exit after N ms without printing a record: status 0, or 1 "
                    "if clipd was never reached")
    ap.add_argument("--curve-server-key", default=os.environ.get("CLIP_CURVE_SERVER_KEY"),
                    metavar="FILE|Z85", help="clipd's public key: connect with CURVE "
                    "(env CLIP_CURVE_SERVER_KEY)")
    ap.add_argument("--curve-key", default=os.environ.get("CLIP_CURVE_KEY"), metavar="FILE",
                    help="our key pair, NAME.key from clip keygen (env CLIP_CURVE_KEY)")
    ap.add_argument("pub", nargs="?", default=DEFAULT_PUB, metavar="PUB_EP",
                    help="publishing endpoint (default %s)" % DEFAULT_PUB)
    args = ap.parse_args()

    # Leave quietly on SIGTERM as on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        curve = load_curve(args.curve_server_key, args.curve_key)
    except Fatal as e:
        print("sub: %s" % e, file=sys.stderr)
        return 2
    ctx = zmq.Context()
    try:
        Subscriber(ctx, args.pub, args.replay, args.topic, args.since, curve,
                   args.count, args.timeout_ms).follow()
    except Done as done:
        if done.message:
            print("sub: %s" % done.message, file=sys.stderr)
        return done.status
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
