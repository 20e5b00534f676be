/*  dispatch: hands tasks to workers over a ROUTER socket.

    Owns the task endpoint, the table of known workers and the tasks between
    submission and result.  Promises:

    - Credit: a worker holds at most one task; it gets one after READY, after
      its RESULT, or after an idle HEARTBEAT.
    - Liveness: heartbeats both ways every heartbeat_ms; an idle worker silent
      for liveness_ms is forgotten.  A task has a deadline (task_timeout_ms):
      when it passes, or when the worker is lost (silent, unreachable, or its
      process exited), the task goes back to the front of the queue and is
      given to another worker under a new task id.  An answer carrying an old
      task id is late and dropped, so each task yields at most one result.
    - A task that exhausted max_attempts is handed back as failed
      ("worker_lost"), so one poisonous file cannot stall the pipeline.
    - Nothing a peer sends is trusted: frames above
      clip_wire_result_frame_max (max_bytes, max_entities) are refused by ZeroMQ
      (ZMQ_MAXMSGSIZE: the peer is disconnected), malformed messages are
      dropped and counted, and a RESULT whose record or sketch is larger
      than clip_wire_record_max / clip_wire_sketch_max of the file, whose
      sketch does not parse, whose record does not decode or fails
      clip_record_validate against the file's size, fails
      its file with "bad_result" (counted as clipd_bad_results_total).  The
      record's `file` and `bytes` are the daemon's, not the worker's.
    - Tasks are owned by dispatch from clip_dispatch_submit until they are
      handed back through on_result / on_failed; the callee then owns them.
*/
#ifndef CLIP_DISPATCH_H
#define CLIP_DISPATCH_H

#include <stddef.h>
#include <stdint.h>
#include <uthash.h>
#include <uv.h>

#include "clip_curve.h"
#include "clip_record.h"
#include "metrics.h"

typedef struct clip_dispatch clip_dispatch_t;
struct dispatch_worker;

typedef struct clip_task {
    uint64_t claim;             /* the file's claim id */
    char *name;                 /* its name in the inbox */
    char *path;                 /* its path in processing/ */
    uint64_t size;
    uint64_t received;          /* unix ms */
    /*  Managed by dispatch.  */
    uint64_t task_id;           /* the current attempt's id, 0 when queued */
    int attempts;
    uint64_t deadline;          /* monotonic ms */
    struct dispatch_worker *worker;
    struct clip_task *prev, *next;
    UT_hash_handle hh;
} clip_task_t;

typedef struct {
    /*  Defaults: CLIP_DEFAULT_* in clip_defaults.h.  */
    uint64_t heartbeat_ms;
    uint64_t liveness_ms;
    uint64_t task_timeout_ms;
    int max_attempts;
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
    void (*on_failed) (clip_task_t *task, const char *code, const char *message, void *arg);
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

/*  Queue a task (dispatch takes ownership).  */
void clip_dispatch_submit (clip_dispatch_t *self, clip_task_t *task);
/*  A local worker process exited: its task, if any, goes to another worker
    now rather than at its deadline.  */
void clip_dispatch_worker_exited (clip_dispatch_t *self, const char *worker_name);

/*  The endpoint actually bound (a '*' port resolved).  */
const char *clip_dispatch_endpoint (const clip_dispatch_t *self);
size_t clip_dispatch_worker_count (const clip_dispatch_t *self);
size_t clip_dispatch_queued (const clip_dispatch_t *self);

/*  Free a task handed back by a callback.  */
void clip_task_destroy (clip_task_t **task_p);

#endif
