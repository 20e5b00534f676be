#!/usr/bin/env node
// Example clipd subscriber in JavaScript: what `clip sub` does, in one file.
//
// Prints every record once, as one line of JSON, in seq order and without
// gaps: records already in the results log (replayed from --since), then live
// ones.  See proto/README.md ("Records", "Replay") for the wire format.
//
//     node sub.js [--since N] [--topic PREFIX] [--replay EP] [--count N]
//                 [--timeout-ms N] [--curve-server-key FILE|Z85 --curve-key FILE]
//                 [PUB_EP]
//
// Numbers print as `clip sub` prints them: similarity scores (jaccard,
// containment) rounded to 4 decimals, a whole score with its ".0".
// --count N exits 0 after N records; --timeout-ms N exits after N ms without
// a record: 0, or 1 when clipd never answered (as `clip sub`).
//
// With CURVE (proto/README.md, "CURVE"): clipd's public key (its .pub file
// or the 40 Z85 characters) and our own pair (NAME.key from `clip keygen
// NAME`, whose NAME.pub clipd allows with --curve-subscribers); also from
// the environment as CLIP_CURVE_SERVER_KEY and CLIP_CURVE_KEY.
//
// Needs Node 18+ and `npm install` in this folder (zeromq 6, @msgpack/msgpack).

import * as fs from "node:fs";
import * as zmq from "zeromq";
import { encode, decode } from "@msgpack/msgpack";

const DEFAULT_PUB = "tcp://127.0.0.1:5556";
const DEFAULT_REPLAY = "tcp://127.0.0.1:5557";
const REPLAY_TIMEOUT_MS = 10_000; // no answer from the replay endpoint in this long: give up
const SETTLE_MS = 1000;           // when to replay once more after starting (see follow())
const IDLE_MS = 5000;             // replay again after this long without a live record

const USAGE = "usage: sub.js [--since N] [--topic PREFIX] [--replay EP] [--count N] " +
              "[--timeout-ms N] [--curve-server-key FILE|Z85 --curve-key FILE] [PUB_EP]";
const SCORES = new Set(["jaccard", "containment"]);
const KEY_FILE_MAX = 4096;
const Z85 = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;

class Fatal extends Error {}

// Stop with this exit status (--count reached, or --timeout-ms passed).
class Done extends Error {
  constructor(status, message) {
    super(message || "");
    this.status = status;
  }
}

// One value as JSON, numbers as `clip sub` prints them: a score rounded to
// 4 decimals and printed as a real (1.0, not 1), null when not finite.
function toJson(value, key) {
  if (typeof value === "number" && SCORES.has(key)) {
    if (!Number.isFinite(value)) return "null";
    const v = Math.round(value * 10000) / 10000;
    return Number.isInteger(v) ? v.toFixed(1) : String(v);
  }
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return "[" + value.map((v) => toJson(v)).join(",") + "]";
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString("utf8"));
  if (value !== null && typeof value === "object")
    return "{" + Object.entries(value).map(([k, v]) => JSON.stringify(k) + ":" + toJson(v, k))
                                    .join(",") + "}";
  return JSON.stringify(value === undefined ? null : value);
}

function parseArgs(argv) {
  const opts = { since: 0, topic: "", replay: DEFAULT_REPLAY, pub: DEFAULT_PUB,
                 count: 0, timeoutMs: 0,
                 curveServerKey: process.env.CLIP_CURVE_SERVER_KEY || "",
                 curveKey: process.env.CLIP_CURVE_KEY || "" };
  let positional = 0;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const takeValue = () => {
      if (value !== undefined) return value;
      if (i + 1 >= argv.length) usageError(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === "-h" || arg === "--help") {
      console.log(USAGE);
      console.log("Print clipd records as JSON lines: replayed from the results log " +
                  "since N, then live, each once, in seq order.");
      process.exit(0);
    } else if (arg === "--since") {
      const text = takeValue();
      if (!/^[0-9]+$/.test(text)) usageError(`--since: not a non-negative integer: ${text}`);
      opts.since = Number(text);
    } else if (arg === "--count" || arg === "--timeout-ms") {
      const text = takeValue();
      if (!/^[0-9]+$/.test(text) || Number(text) === 0)
        usageError(`${arg}: not a positive integer: ${text}`);
      opts[arg === "--count" ? "count" : "timeoutMs"] = Number(text);
    } else if (arg === "--topic") {
      opts.topic = takeValue();
    } else if (arg === "--replay") {
      opts.replay = takeValue();
    } else if (arg === "--curve-server-key") {
      opts.curveServerKey = takeValue();
    } else if (arg === "--curve-key") {
      opts.curveKey = takeValue();
    } else if (arg.startsWith("-") && arg !== "-") {
      usageError(`unknown option ${arg}`);
    } else if (positional++ === 0) {
      opts.pub = arg;
    } else {
      usageError(`unexpected argument ${arg}`);
    }
  }
  return opts;
}

// The keys of a file written by `clip keygen`: { "public-key": ..., ... }.
// A file holding a secret must not be open to group or others (as ssh
// requires of a private key).
function readKeyFile(path, secret) {
  let text;
  try {
    const st = fs.statSync(path);
    if (secret && (st.mode & 0o077))
      throw new Fatal(`${path}: holds a secret key but its mode ${(st.mode & 0o7777).toString(8)} ` +
                      `lets group or others read it: run chmod 600 ${path}`);
    if (st.size > KEY_FILE_MAX)
      throw new Fatal(`${path}: more than a key file holds (${KEY_FILE_MAX} bytes)`);
    text = fs.readFileSync(path, "ascii");
  } catch (err) {
    if (err instanceof Fatal) throw err;
    throw new Fatal(`${path}: cannot read the key file: ${err.message}`);
  }
  const keys = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line[0] === "#" || line[0] === ";") return;
    const eq = line.indexOf("=");
    const name = eq > 0 ? line.slice(0, eq).trim() : "";
    const value = eq > 0 ? line.slice(eq + 1).trim() : "";
    if ((name !== "public-key" && name !== "secret-key") || name in keys)
      throw new Fatal(`${path}: line ${i + 1} is not 'public-key = ...' or 'secret-key = ...'`);
    if (!Z85.test(value))
      throw new Fatal(`${path}: ${name} is not 40 Z85 characters`);
    keys[name] = value;
  });
  return keys;
}

// The socket options for CURVE, or {} without it.
function curveOptions(serverSpec, keyPath) {
  if (!serverSpec && !keyPath) return {};
  if (!serverSpec || !keyPath)
    throw new Fatal("--curve-server-key and --curve-key go together: give clipd's public " +
                    "key and our own pair, or neither");
  const server = Z85.test(serverSpec) && !fs.existsSync(serverSpec)
    ? serverSpec : readKeyFile(serverSpec, false)["public-key"];
  if (!server) throw new Fatal(`${serverSpec}: no public-key`);
  const pair = readKeyFile(keyPath, true);
  if (!pair["public-key"] || !pair["secret-key"])
    throw new Fatal(`${keyPath}: needs public-key and secret-key (the .key file of clip keygen)`);
  return { curveServerKey: server, curvePublicKey: pair["public-key"],
           curveSecretKey: pair["secret-key"] };
}

function usageError(message) {
  process.stderr.write(`${USAGE}\nsub.js: ${message}\n`);
  process.exit(2);
}

class Subscriber {
  constructor(pubEp, replayEp, topic, since, curve, count = 0, timeoutMs = 0) {
    this.topic = topic;
    this.replayEp = replayEp;
    this.count = count;             // 0: no limit
    this.timeoutMs = timeoutMs;     // 0: no idle timeout
    this.printed = 0;
    this.lastPrint = Date.now();
    this.reached = false;           // clipd answered or published
    // Every record matching the topic with seq <= covered has been printed
    // (or lies before --since).  It can run ahead of the last printed seq: a
    // replay says how far it looked (replay.end "last"), and the records it
    // skipped there did not match the topic.
    this.covered = since;

    // Subscribe first, so that nothing published from now on is missed: what
    // was committed before is then fetched from the replay endpoint.
    // With CURVE, a key clipd does not allow is refused at the handshake:
    // nothing arrives, and the replay below times out (clipd logs
    // event=auth_refused and counts clipd_auth_refused_total).
    this.sub = new zmq.Subscriber({ linger: 0, ...curve });
    this.sub.subscribe(topic);
    this.sub.connect(pubEp);

    this.replay = new zmq.Dealer({ linger: 0, receiveTimeout: REPLAY_TIMEOUT_MS, ...curve });
    this.replay.connect(replayEp);
  }

  emit(record) {
    process.stdout.write(toJson(record) + "\n");
    this.printed++;
    this.lastPrint = Date.now();
    if (this.count && this.printed >= this.count) throw new Done(0);
  }

  // ms (-1: forever), cut to what is left of --timeout-ms; at least 1.
  waitMs(ms) {
    if (!this.timeoutMs) return ms;
    const left = this.lastPrint + this.timeoutMs - Date.now();
    return Math.max(1, ms < 0 ? left : Math.min(ms, left));
  }

  // Stop once --timeout-ms passed without a record: status 0, or 1 when
  // clipd never answered.
  checkIdle() {
    if (!this.timeoutMs || Date.now() < this.lastPrint + this.timeoutMs) return;
    if (this.reached) throw new Done(0);
    throw new Done(1, `clipd not reached at ${this.replayEp} within --timeout-ms ${this.timeoutMs}`);
  }

  // Replay every matching record above covered, page by page.  An idle
  // catch-up (idle true) that gets no answer in time gives up quietly:
  // clipd may be restarting, and the next one asks again.
  async catchUp(idle = false) {
    for (;;) {
      await this.replay.send(encode({ since: this.covered, topic: this.topic }));
      let end;
      const giveUp = Date.now() + REPLAY_TIMEOUT_MS;
      for (;;) {
        let frames;
        try {
          this.replay.receiveTimeout = this.waitMs(Math.max(1, giveUp - Date.now()));
          frames = await this.replay.receive();
        } catch (err) {
          if (err.code !== "EAGAIN") throw err;
          this.checkIdle();
          if (Date.now() < giveUp) continue;
          if (idle) return;
          throw new Fatal(`no answer from the replay endpoint in ${REPLAY_TIMEOUT_MS / 1000} s ` +
                          "(with CURVE: is our key allowed by clipd's --curve-subscribers?)");
        }
        this.reached = true;
        if (frames.length !== 2) continue;      // not a [topic, body] message: not ours
        const topic = frames[0].toString("utf8");
        const body = decode(frames[1]);
        if (topic === "replay.error")
          throw new Fatal(`replay refused: ${body.code}: ${body.message}`);
        if (topic === "replay.end") {
          end = body;
          break;
        }
        if (Number.isInteger(body?.seq) && body.seq > this.covered) {
          this.emit(body);
          this.covered = body.seq;
        }
      }
      if (!Number.isInteger(end?.last))
        throw new Fatal(`malformed replay.end: ${JSON.stringify(end)}`);
      this.covered = Math.max(this.covered, end.last);
      if (!end.more) return;
    }
  }

  async handleLive(frames) {
    this.reached = true;
    if (frames.length !== 2) return;
    let record;
    try {
      record = decode(frames[1]);
    } catch (err) {                             // a record we cannot read: the log has it
      process.stderr.write(`sub.js: unreadable live record: ${err.message}\n`);
      return;
    }
    const seq = record?.seq;
    if (!Number.isInteger(seq) || seq <= this.covered)
      return;                                   // already printed (replayed, or a repeat)
    if (seq > this.covered + 1) {
      // Records may have been lost in between (PUB drops for slow
      // subscribers): fetch them from the log first.  The replay may well
      // return this very record, which is then not printed twice.
      await this.catchUp();
    }
    if (seq > this.covered) {
      this.emit(record);
      this.covered = seq;
    }
  }

  async follow() {
    await this.catchUp();
    // A subscription takes a moment to reach the publisher, so a record
    // published in that moment may be neither live nor (if committed after
    // the replay above) replayed.  One more replay shortly after starting
    // closes that window.  Later losses show up as seq gaps, except one
    // while the SUB socket reconnected (clipd restarted) with no record
    // after it: so replay again whenever no live record came for IDLE_MS.
    const settleAt = Date.now() + SETTLE_MS;
    let settled = false;
    let idleAt = Date.now() + IDLE_MS;
    for (;;) {
      const nextAt = settled ? idleAt : Math.min(settleAt, idleAt);
      this.sub.receiveTimeout = this.waitMs(Math.max(1, nextAt - Date.now()));
      try {
        await this.handleLive(await this.sub.receive());
        idleAt = Date.now() + IDLE_MS;
      } catch (err) {
        if (err.code !== "EAGAIN") throw err;
      }
      this.checkIdle();
      if ((!settled && Date.now() >= settleAt) || Date.now() >= idleAt) {
        await this.catchUp(settled);
        settled = true;
        idleAt = Date.now() + IDLE_MS;
      }
    }
  }
}

const opts = parseArgs(process.argv.slice(2));
// Leave quietly on Ctrl-C, SIGTERM or a closed pipe (e.g. piped into head).
process.on("SIGINT", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));
process.stdout.on("error", (err) => process.exit(err.code === "EPIPE" ? 0 : 1));
try {
  let curve;
  try {
    curve = curveOptions(opts.curveServerKey, opts.curveKey);
  } catch (err) {
    if (!(err instanceof Fatal)) throw err;
    usageError(err.message);
  }
  await new Subscriber(opts.pub, opts.replay, opts.topic, opts.since, curve,
                       opts.count, opts.timeoutMs).follow();
} catch (err) {
  if (err instanceof Done) {
    if (err.message) process.stderr.write(`sub.js: ${err.message}\n`);
    process.exit(err.status);
  }
  process.stderr.write(`sub.js: ${err.message}\n`);
  process.exit(1);
}
