#!/usr/bin/env node
// Example clipd subscriber in JavaScript: what `clip sub` does, in one file.
//
// Prints every record once, as one line of JSON, in seq order and without
// gaps: records already in the results log (replayed from --since), then live
// ones.  See proto/README.md ("Records", "Replay") for the wire format.
//
//     node sub.js [--since N] [--topic PREFIX] [--replay EP] [PUB_EP]
//
// Needs Node 18+ and `npm install` in this folder (zeromq 6, @msgpack/msgpack).

import * as zmq from "zeromq";
import { encode, decode } from "@msgpack/msgpack";

const DEFAULT_PUB = "tcp://127.0.0.1:5556";
const DEFAULT_REPLAY = "tcp://127.0.0.1:5557";
const REPLAY_TIMEOUT_MS = 10_000; // no answer from the replay endpoint in this long: give up
const SETTLE_MS = 1000;           // when to replay once more after starting (see follow())

const USAGE = "usage: sub.js [--since N] [--topic PREFIX] [--replay EP] [PUB_EP]";

class Fatal extends Error {}

function parseArgs(argv) {
  const opts = { since: 0, topic: "", replay: DEFAULT_REPLAY, pub: DEFAULT_PUB };
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
    } else if (arg === "--topic") {
      opts.topic = takeValue();
    } else if (arg === "--replay") {
      opts.replay = takeValue();
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

function usageError(message) {
  process.stderr.write(`${USAGE}\nsub.js: ${message}\n`);
  process.exit(2);
}

class Subscriber {
  constructor(pubEp, replayEp, topic, since) {
    this.topic = topic;
    // Every record matching the topic with seq <= covered has been printed
    // (or lies before --since).  It can run ahead of the last printed seq: a
    // replay says how far it looked (replay.end "last"), and the records it
    // skipped there did not match the topic.
    this.covered = since;

    // Subscribe first, so that nothing published from now on is missed: what
    // was committed before is then fetched from the replay endpoint.
    this.sub = new zmq.Subscriber({ linger: 0 });
    this.sub.subscribe(topic);
    this.sub.connect(pubEp);

    this.replay = new zmq.Dealer({ linger: 0, receiveTimeout: REPLAY_TIMEOUT_MS });
    this.replay.connect(replayEp);
  }

  emit(record) {
    process.stdout.write(JSON.stringify(record) + "\n");
  }

  // Replay every matching record above covered, page by page.
  async catchUp() {
    for (;;) {
      await this.replay.send(encode({ since: this.covered, topic: this.topic }));
      let end;
      for (;;) {
        let frames;
        try {
          frames = await this.replay.receive();
        } catch (err) {
          if (err.code === "EAGAIN")
            throw new Fatal(`no answer from the replay endpoint in ${REPLAY_TIMEOUT_MS / 1000} s`);
          throw err;
        }
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
    // closes that window; later losses show up as seq gaps.
    const settleAt = Date.now() + SETTLE_MS;
    let settled = false;
    for (;;) {
      this.sub.receiveTimeout = settled ? -1 : Math.max(1, settleAt - Date.now());
      try {
        await this.handleLive(await this.sub.receive());
      } catch (err) {
        if (err.code !== "EAGAIN") throw err;
      }
      if (!settled && Date.now() >= settleAt) {
        settled = true;
        await this.catchUp();
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
  await new Subscriber(opts.pub, opts.replay, opts.topic, opts.since).follow();
} catch (err) {
  process.stderr.write(`sub.js: ${err.message}\n`);
  process.exit(1);
}
