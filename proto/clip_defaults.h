/*  clip_defaults: the default of each of clipd's tunable numbers, written
    once.

    clipd's settings table (daemon/config.c) shows, checks and applies
    them; the modules that take those settings fill their
    *_settings_default from the same names (daemon/dispatch.c,
    daemon/inbox.c, corpus/clip_corpus.c) and clip-worker uses the
    heartbeat pair, so a module used without clipd (unit tests, clip
    analyze, a worker started by hand) behaves as clipd does by default.
    Each is a plain literal so that it can be printed as it is written.
    Bounds are not here: they belong to the settings table, which alone
    takes values from outside.  */
#ifndef CLIP_DEFAULTS_H
#define CLIP_DEFAULTS_H

/*  Worker protocol (proto/README.md): heartbeat interval and how long a
    silent peer is still believed alive; both clipd and clip-worker.  */
#define CLIP_DEFAULT_HEARTBEAT_MS 1000
#define CLIP_DEFAULT_LIVENESS_MS 5000
#define CLIP_DEFAULT_TASKS_ENDPOINT "tcp://127.0.0.1:5555"

/*  Dispatch.  */
#define CLIP_DEFAULT_TASK_TIMEOUT_MS 60000
#define CLIP_DEFAULT_MAX_ATTEMPTS 3
/*  Tasks a worker holds at once (clipd --prefetch; clip-worker --credit
    offers up to CLIP_WIRE_CREDIT_MAX): a worker has the next article in
    hand when it sends a result, and never waits for the daemon's loop.
    bench/run on 2 loaded cores, 2026-12-06, median end to end: 529/s at
    1, 891/s at 2, 1,094/s at 4 (issue 12).  2026-12-07, with the groups
    of dispatch.h (a worker takes more once it has room for half its
    credit), `bench/syscalls.sh -- --prefetch N`, three bursts of 5,000
    Reuters articles each: clipd's system calls per article 26.5 at 4,
    21.5 at 8, 19.2 at 16, its context switches 2.38, 1.81, 1.46 (groups
    of 2, 4 and 8: the bigger, the fewer wake-ups).  A worker lost costs
    no more for it: every task it held goes back at once, and only the
    oldest one's deadline runs (dispatch.h).

    64, with 256 files in flight (1,024 since: below): tasks were claimed as commits freed
    their place, so they came in pulses, one per commit; with 16 and 64 a
    worker ran out between two (a burst's scheduler trace,
    2026-12-07: each of the two workers asleep, waiting for tasks, 28% of
    the burst, the cores idle 13%), and a bigger window alone made the
    commits' pulses bigger.  Six bursts each, alternated, end to end
    median 3,988 -> 4,280 articles/s (bench/README.md, "Prefetch and
    files in flight").  Memory stays bounded by bytes, not by counts:
    max-inflight-bytes.  */
#define CLIP_DEFAULT_PREFETCH 64
#define CLIP_DEFAULT_WORKER_CREDIT 64
#define CLIP_DEFAULT_MAX_BYTES 10485760         /* 10 MiB */
/*  Files claimed and not yet committed.  Claims follow the workers'
    answers (clipd.c, analysis_window: the files not yet answered are
    kept at the workers' credit and one group more), so what this bounds
    is the files that wait for a commit, with their bytes and records:
    1,024 lets a burst go on analysing through a slow commit (a WAL
    checkpoint's fsync) instead of stopping when 256 wait for it.  Five
    bursts of 5,000 Reuters articles each, alternated, 2026-12-07:
    window at 256 as before 3,659 to 4,284 articles/s (median 3,796),
    the workers' window with 256 in flight 3,215 to 4,280 (3,976), with
    1,024 3,711 to 4,530 (4,404).  Memory stays bounded by bytes:
    max-inflight-bytes.  */
#define CLIP_DEFAULT_MAX_INFLIGHT 1024
/*  The files in flight hold their bytes (read once, kept for the commit)
    in clipd and, while analysed, in a worker: no more is claimed once
    this much is in flight (one file more at most).  */
#define CLIP_DEFAULT_MAX_INFLIGHT_BYTES 268435456 /* 256 MiB */

/*  Commit (daemon/commit.h): results in one transaction at most, and how
    long the first of a batch may wait for others (0: a batch starts at
    the next loop turn once the one in flight ended, so batches grow by
    themselves while a COMMIT's fsync runs).  */
#define CLIP_DEFAULT_COMMIT_BATCH_MAX 1024
#define CLIP_DEFAULT_COMMIT_DELAY_MS 0
/*  The state database read through a memory map of up to this many MiB
    (corpus/clip_db.h): SQLite's cap on Debian, 2 GiB less 64 KiB, rounded
    down.  */
#define CLIP_DEFAULT_DB_MMAP_MIB 2047

/*  Inbox.  */
#define CLIP_DEFAULT_SETTLE_MS 500
#define CLIP_DEFAULT_RESCAN_MS 5000
#define CLIP_DEFAULT_MAX_PENDING 1024

/*  Corpus verdict thresholds (proto/README.md, verdicts).  */
#define CLIP_DEFAULT_NEAR_CONTAINMENT 0.7
#define CLIP_DEFAULT_NEAR_JACCARD 0.5
#define CLIP_DEFAULT_RELATED_CONTAINMENT 0.25

#endif
