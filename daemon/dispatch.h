/*  dispatch: hands tasks to workers over a ROUTER socket.

    Owns the task endpoint, the table of known workers and the tasks between
    submission and result.  Promises:

    - Credit (prefetch): a worker holds at most min (its credit, prefetch)
      tasks: the credit it offers in READY (1 when it offers none: a worker
      of the first protocol) and the setting prefetch (1..64).  It
      analyses them in the order sent, so a worker never waits for the
      daemon between two tasks.  The next task goes to the ready worker
      holding the fewest, the longest idle first among equals.
    - Groups: a worker is ready once it has room for half its credit (one
      task at a credit of 1 to 3) and stays ready until it holds its full
      credit; then it waits for that much room again.  A worker that
      holds nothing is always ready, so no task waits while a worker
      idles, but under load a worker's tasks leave in groups, one wake-up
      of the loop and of libzmq's I/O thread for several (clip-worker
      answers in groups too: worker_main.c).  The tasks submitted in one
      turn of the loop are given out together, after the callbacks that
      submitted them, and a worker that takes several tasks a message
      (its `bodies`, clip_wire.h) gets its group as one message: as many
      as it has room for and takes, but no more than its share of the
      queue among the ready workers, so a few tasks still go round the
      idle workers one each.  A worker
      the daemon forgot (a deadline) and hears again gets credit back on an
      idle HEARTBEAT (all of its credit) or a late RESULT (one task, as much
      as it surely has room for).
    - Liveness: heartbeats both ways every heartbeat_ms; an idle worker silent
      for liveness_ms is forgotten.
    - Deadlines: a task's deadline (task_timeout_ms) runs from when the
      worker could start it, not from when it was sent: for the first task
      a worker holds, from the send; for each later one, from the arrival of
      the result of the one before it (the worker works in order, so it
      could not start it sooner).  Only the oldest task a worker holds has
      its deadline running.
    - Loss: when a deadline passes, or the worker is lost (silent,
      unreachable, restarted, or its process exited), ALL the tasks it
      holds go back to the front of the queue, in their order, and are given
      to other workers under new task ids.  An answer carrying an old task
      id is late and dropped, so each task yields at most one result.
    - Attempts: a task counts an attempt when its deadline starts (the
      worker could work on it); a task requeued before that, queued behind
      another in a lost worker, did not use one.  A task that exhausted
      max_attempts is handed back as failed ("worker_lost"), so one
      poisonous file cannot stall the pipeline.
    - Read once: a task's file is read (at most max_bytes) when it is first
      dispatched, and the bytes stay with the task (clip_task_data) until it
      is destroyed: a requeued task is not read again, and the commit
      stores them in the corpus instead of reading the file a second time.
      Memory: only tasks claimed and not yet committed exist, so the bytes
      held are at most --max-inflight-bytes and one file more (256 MiB +
      --max-bytes by default; clipd.c's claim stops there), in at most
      --max-inflight files; in practice workers x prefetch tasks and
      one prefetch more (clipd.c claims no further ahead of the workers:
      clip_dispatch_capacity) plus the results waiting for a commit.
    - Nothing a peer sends is trusted: frames above
      clip_wire_result_frame_max (max_bytes, max_entities) are refused by ZeroMQ
      (ZMQ_MAXMSGSIZE: the peer is disconnected), malformed messages are
      dropped and counted, and a RESULT whose record or sketch is larger
      than clip_wire_record_max / clip_wire_sketch_max of the file, whose
      sketch does not parse, whose record does not decode or fails
      clip_record_validate against the file's size, fails
      its file with "bad_result" (counted as clipd_bad_results_total).  The
      record's `file` and `bytes` are the daemon's, not the worker's.
    - Tasks (clip_task_t, made and freed here) are owned by dispatch from
      clip_dispatch_submit until they are handed back through on_result /
      on_failed; the callee then owns them.
*/
#ifndef CLIP_DISPATCH_H
#define CLIP_DISPATCH_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "clip_curve.h"
#include "clip_record.h"
#include "metrics.h"

typedef struct clip_dispatch clip_dispatch_t;

/*  clip_task_t: one claimed file on its way to a worker and back.  Made
    by clip_task_new and freed by clip_task_destroy, both here; its struct
    is private (dispatch keeps its attempts, deadline and queue links in
    it).  Whoever holds the pointer owns the task: the claimer, then
    dispatch (clip_dispatch_submit), then the callee of on_result /
    on_failed (for clipd: the commit, clip_commit_add), which destroys it.  */
typedef struct clip_task clip_task_t;

/*  A task for the file claimed as claim, named name in the inbox, at path
    in processing/, of size bytes, received at unix ms received.  The
    strings are copied.  Caller owns the result.  */
clip_task_t *clip_task_new (uint64_t claim, const char *name, const char *path, uint64_t size,
                            uint64_t received);
/*  Free a task and null the caller's pointer; NULL is a no-op.  */
void clip_task_destroy (clip_task_t **task_p);

uint64_t clip_task_claim (const clip_task_t *task);
const char *clip_task_name (const clip_task_t *task);
const char *clip_task_path (const clip_task_t *task);
uint64_t clip_task_size (const clip_task_t *task);
uint64_t clip_task_received (const clip_task_t *task);
/*  When the file arrived in the inbox (unix ms; 0 when unknown), for the
    end-to-end latency.  */
uint64_t clip_task_arrived (const clip_task_t *task);
void clip_task_set_arrived (clip_task_t *task, uint64_t arrived);
/*  Attempts made so far: a worker was sent it and could start it (see
    "Attempts" above).  */
int clip_task_attempts (const clip_task_t *task);
/*  The file's bytes as read for its first dispatch, *len set; NULL (and
    *len 0) when it was never read.  Owned by the task, valid until it is
    destroyed.  */
const char *clip_task_data (const clip_task_t *task, size_t *len);

typedef struct {
    /*  Defaults: CLIP_DEFAULT_* in clip_defaults.h.  */
    uint64_t heartbeat_ms;
    uint64_t liveness_ms;
    uint64_t task_timeout_ms;
    int max_attempts;
    int prefetch;               /* most tasks a worker holds, 1..CLIP_WIRE_CREDIT_MAX */
    uint64_t max_bytes;         /* largest file sent */
    uint64_t max_entities;      /* most entities in a worker's record */
    clipd_metrics_t *metrics;   /* counters (bad_results, ...); may be NULL;
                                   borrowed, must outlive the dispatch */
    const clip_curve_pair_t *curve; /* NULL (default): no security; else the
                                   task endpoint is a CURVE server of ZAP
                                   domain "workers"; borrowed, read at new */
} clip_dispatch_settings_t;

typedef struct {
    /*  A worker answered: rec and sketch are the callee's (sketch may be NULL).  */
    void (*on_result) (clip_task_t *task, clip_record_t *rec, void *sketch, size_t sketch_len,
                       void *arg);
    /*  The task could not be analysed; code/message say why.  */
    void (*on_failed) (clip_task_t *task, clip_error_t code, const char *message, void *arg);
} clip_dispatch_callbacks_t;

void clip_dispatch_settings_default (clip_dispatch_settings_t *settings);

/*  Bind the task endpoint.  Returns NULL with err set.  Caller owns the
    result.  */
clip_dispatch_t *clip_dispatch_new (uv_loop_t *loop, void *zmq_ctx, const char *endpoint,
                                    const clip_dispatch_settings_t *settings,
                                    const clip_dispatch_callbacks_t *callbacks, void *arg,
                                    char *err, size_t err_size);
/*  Close the socket; tasks still held are freed (their files stay in
    processing/ for the next start).  Nulls the caller's pointer.  */
void clip_dispatch_destroy (clip_dispatch_t **self_p);

/*  Queue a task: dispatch takes ownership of *task_p and nulls the
    caller's pointer.  It is given to a worker once the loop's callbacks
    of this turn are done, with the others submitted meanwhile ("Groups"). */
void clip_dispatch_submit (clip_dispatch_t *self, clip_task_t **task_p);
/*  A local worker process exited: its tasks, if any, go to other workers
    now rather than at their deadline.  */
void clip_dispatch_worker_exited (clip_dispatch_t *self, const char *worker_name);

/*  The endpoint actually bound (a '*' port resolved).  */
const char *clip_dispatch_endpoint (const clip_dispatch_t *self);
size_t clip_dispatch_worker_count (const clip_dispatch_t *self);
size_t clip_dispatch_queued (const clip_dispatch_t *self);
/*  The tasks the known workers may hold at once: the sum of their
    credits (0 before any worker said READY).  */
size_t clip_dispatch_capacity (const clip_dispatch_t *self);

#endif
