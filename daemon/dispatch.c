/*  dispatch: hands tasks to workers over a ROUTER socket.  See dispatch.h.  */
#include "dispatch.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include <utlist.h>
#include <zmq.h>

#include "clip_defaults.h"
#include "clip_log.h"
#include "clip_sketch.h"
#include "clip_util.h"
#include "clip_wire.h"
#include "zwatch.h"

#define IDENTITY_MAX 256
#define WORKER_LOST_MESSAGE "no worker finished this article: each one it was given was lost or late"
/*  Messages queued per worker on the way in (see clip_dispatch_new).  */
#define DISPATCH_RCVHWM 16

struct clip_task {
    uint64_t claim;             /* the file's claim id */
    char *name;                 /* its name in the inbox */
    char *path;                 /* its path in processing/ */
    uint64_t size;
    uint64_t received;          /* unix ms */
    uint64_t arrived;           /* unix ms, in the inbox; 0 when unknown */
    char *data;                 /* the file's bytes, read at the first dispatch */
    size_t data_len;
    /*  Dispatch's bookkeeping.  */
    uint64_t task_id;           /* the current attempt's id, 0 when queued */
    int attempts;
    bool started;               /* its deadline runs: the oldest its worker holds */
    uint64_t deadline;          /* monotonic ms; UINT64_MAX until started */
    uint64_t sent_us;           /* monotonic us, when it was sent, then started */
    struct dispatch_worker *worker;
    /*  In the queue while waiting, in its worker's list while held.  */
    struct clip_task *prev, *next;
    UT_hash_handle hh;
};

typedef struct dispatch_worker {
    unsigned char identity [IDENTITY_MAX];
    size_t identity_len;
    char *name;                 /* "host:pid" as the worker reports it */
    uint64_t last_heard;        /* monotonic ms */
    int credit;                 /* tasks it may hold; 0 until known (READY,
                                   an idle HEARTBEAT or a late RESULT) */
    int bodies;                 /* tasks it takes in one TASK message, 1.. */
    bool ready;                 /* on the ready list: refilling, room left */
    bool refilling;             /* since it had a group's room, until full */
    clip_task_t *tasks;         /* the tasks it holds, in the order sent */
    int n_tasks;
    UT_hash_handle hh;
    struct dispatch_worker *ready_prev, *ready_next;
} dispatch_worker_t;

struct clip_dispatch {
    uv_loop_t *loop;
    void *socket;
    zwatch_t watch;
    uv_timer_t timer;
    uv_idle_t pump_idle;            /* active while submissions wait for pump */
    int open_handles;
    clip_dispatch_settings_t settings;
    clip_dispatch_callbacks_t callbacks;
    void *arg;
    dispatch_worker_t *workers;     /* hash by identity */
    size_t n_workers;
    size_t credit_total;            /* the credit of every known worker */
    /*  Workers with credit left, the longest idle first.  The next task
        goes to the first holding the fewest tasks, which then moves to
        the tail; a worker that becomes ready joins the tail: tasks go
        round every idle worker in turn (the zguide's least-recently-used
        queue) instead of always to the same one, which would leave the
        others cold whenever tasks come one at a time, as they do when
        claims are slow, and an idle worker is preferred to one that has
        work queued.  */
    dispatch_worker_t *ready;
    clip_task_t *queue;             /* waiting for a worker, oldest first */
    size_t n_queued;
    clip_task_t *running;           /* hash by task_id */
    uint64_t next_task_id;          /* starts at random: see clip_dispatch_new */
    char endpoint [256];
};

void
clip_dispatch_settings_default (clip_dispatch_settings_t *settings)
{
    settings->heartbeat_ms = CLIP_DEFAULT_HEARTBEAT_MS;
    settings->liveness_ms = CLIP_DEFAULT_LIVENESS_MS;
    settings->task_timeout_ms = CLIP_DEFAULT_TASK_TIMEOUT_MS;
    settings->max_attempts = CLIP_DEFAULT_MAX_ATTEMPTS;
    settings->prefetch = CLIP_DEFAULT_PREFETCH;
    settings->max_bytes = CLIP_DEFAULT_MAX_BYTES;
    settings->max_entities = CLIP_RECORD_MAX_ENTITIES;
    settings->metrics = NULL;
    settings->curve = NULL;
}

clip_task_t *
clip_task_new (uint64_t claim, const char *name, const char *path, uint64_t size,
               uint64_t received)
{
    clip_task_t *task = clip_calloc (1, sizeof *task);
    task->claim = claim;
    task->name = clip_strdup (name);
    task->path = clip_strdup (path);
    task->size = size;
    task->received = received;
    return task;
}

uint64_t
clip_task_claim (const clip_task_t *task)
{
    return task->claim;
}

const char *
clip_task_name (const clip_task_t *task)
{
    return task->name;
}

const char *
clip_task_path (const clip_task_t *task)
{
    return task->path;
}

uint64_t
clip_task_size (const clip_task_t *task)
{
    return task->size;
}

uint64_t
clip_task_received (const clip_task_t *task)
{
    return task->received;
}

uint64_t
clip_task_arrived (const clip_task_t *task)
{
    return task->arrived;
}

void
clip_task_set_arrived (clip_task_t *task, uint64_t arrived)
{
    task->arrived = arrived;
}

int
clip_task_attempts (const clip_task_t *task)
{
    return task->attempts;
}

const char *
clip_task_data (const clip_task_t *task, size_t *len)
{
    *len = task->data_len;
    return task->data;
}

void
clip_task_destroy (clip_task_t **task_p)
{
    assert (task_p);
    clip_task_t *task = *task_p;
    if (!task)
        return;
    free (task->name);
    free (task->path);
    free (task->data);
    free (task);
    *task_p = NULL;
}

static void pump (clip_dispatch_t *self);

static void fail_task (clip_dispatch_t *self, clip_task_t *task, clip_error_t code,
                       const char *message);

/*  Put a task that lost its worker (already out of the worker's list)
    back at the front of the queue, or, when it has used up its attempts,
    hand it back as failed now: waiting for the next idle worker to notice
    could be for ever when none is left.  A task whose deadline never
    started was only waiting behind another in the worker: it used no
    attempt (worker_start_head counts them).  */
static void
requeue (clip_dispatch_t *self, clip_task_t *task, const char *why)
{
    char q [600];
    clip_warn ("task_requeued", "file=%s task=%llu attempts=%d started=%s reason=%s",
               clip_log_quote (q, sizeof q, task->name), (unsigned long long) task->task_id,
               task->attempts, task->started ? "yes" : "no", why);
    if (task->task_id)
        HASH_DEL (self->running, task);
    task->task_id = 0;
    task->worker = NULL;
    task->started = false;
    if (task->attempts >= self->settings.max_attempts) {
        fail_task (self, task, CLIP_ERROR_WORKER_LOST, WORKER_LOST_MESSAGE);
        return;
    }
    CLIPD_METRIC_ADD (self->settings.metrics, tasks_resent, 1);
    DL_PREPEND (self->queue, task);
    self->n_queued++;
}

/*  Start the deadline of the oldest task w holds, if not yet running: the
    worker works in order, so it can start a task only once it has sent
    the result of the one before (or at once, for the first).  */
static void
worker_start_head (clip_dispatch_t *self, dispatch_worker_t *w)
{
    clip_task_t *head = w->tasks;
    if (!head || head->started)
        return;
    head->started = true;
    head->attempts++;
    head->sent_us = clip_mono_us ();
    head->deadline = head->sent_us / 1000 + self->settings.task_timeout_ms;
}

/*  Put w on the ready list when it may take a task, take it off when it
    may not; a worker already on the list keeps its place.  Tasks go to a
    worker in groups (dispatch.h, "Groups"): once it has room for half its
    credit it may take tasks until it is full, then not until it has that
    much room again.  */
static void
worker_update_ready (clip_dispatch_t *self, dispatch_worker_t *w)
{
    int room_left = w->credit - w->n_tasks;
    int group = w->credit > 1 ? w->credit / 2 : 1;
    if (room_left >= group)
        w->refilling = true;
    if (room_left <= 0)
        w->refilling = false;
    bool room = room_left > 0 && w->refilling;
    if (room && !w->ready) {
        DL_APPEND2 (self->ready, w, ready_prev, ready_next);
        w->ready = true;
    }
    else
    if (!room && w->ready) {
        DL_DELETE2 (self->ready, w, ready_prev, ready_next);
        w->ready = false;
    }
}

static void
worker_unset_ready (clip_dispatch_t *self, dispatch_worker_t *w)
{
    if (w->ready) {
        DL_DELETE2 (self->ready, w, ready_prev, ready_next);
        w->ready = false;
    }
}

/*  Every task w holds goes back to the queue (see requeue), keeping their
    order at its front.  */
static void
worker_requeue_all (clip_dispatch_t *self, dispatch_worker_t *w, const char *why)
{
    while (w->tasks) {
        clip_task_t *last = w->tasks->prev;     /* utlist: the head's prev is the tail */
        DL_DELETE (w->tasks, last);
        w->n_tasks--;
        requeue (self, last, why);
    }
    assert (w->n_tasks == 0);
}

/*  Every change of a worker's credit goes through here, so that
    credit_total stays the sum (clip_dispatch_capacity).  */
static void
worker_set_credit (clip_dispatch_t *self, dispatch_worker_t *w, int credit)
{
    self->credit_total = self->credit_total - (size_t) w->credit + (size_t) credit;
    w->credit = credit;
}

static void
worker_remove (clip_dispatch_t *self, dispatch_worker_t *w, const char *why)
{
    char qn [300];
    clip_warn ("worker_lost", "worker=%s reason=%s tasks=%d",
               clip_log_quote (qn, sizeof qn, w->name ? w->name : "?"), why, w->n_tasks);
    worker_requeue_all (self, w, why);
    worker_unset_ready (self, w);
    worker_set_credit (self, w, 0);
    HASH_DEL (self->workers, w);
    self->n_workers--;
    free (w->name);
    free (w);
}

/*  Send w n messages of one kind as one message (clip_wire_send_group),
    never waiting, and let the watch see what the send did to the socket.  */
static int
send_to (clip_dispatch_t *self, dispatch_worker_t *w, const clip_wire_msg_t *msgs, size_t n)
{
    int rc = clip_wire_send_group (self->socket, w->identity, w->identity_len, msgs, n,
                                   ZMQ_DONTWAIT);
    zwatch_kick (&self->watch);
    return rc;
}

static void
fail_task (clip_dispatch_t *self, clip_task_t *task, clip_error_t code, const char *message)
{
    self->callbacks.on_failed (task, code, message, self->arg);
}

/*  The ready worker to give the next task: the first (longest idle)
    of those holding the fewest tasks.  */
static dispatch_worker_t *
pick_worker (clip_dispatch_t *self)
{
    dispatch_worker_t *best = NULL, *w;
    DL_FOREACH2 (self->ready, w, ready_next) {
        if (!best || w->n_tasks < best->n_tasks)
            best = w;
        if (best->n_tasks == 0)
            break;
    }
    return best;
}

/*  How many of the queued tasks go to w in its next message: as many as
    it has room for and takes in one message, but no more than its share
    of the queue among the ready workers, so that a few tasks still go
    round the idle workers one each rather than all to the first.  */
static int
group_size (const clip_dispatch_t *self, const dispatch_worker_t *w)
{
    size_t ready = 0;
    const dispatch_worker_t *r;
    DL_FOREACH2 (self->ready, r, ready_next)
        ready++;
    size_t share = ready ? (self->n_queued + ready - 1) / ready : self->n_queued;
    int n = w->credit - w->n_tasks;
    if (n > w->bodies)
        n = w->bodies;
    if ((size_t) n > share)
        n = (int) share;
    return n > 0 ? n : 1;
}

/*  Take the task at the queue's head for sending: read its file the first
    time (dispatch.h, "Read once").  Returns it, or NULL when it was
    failed instead (out of attempts, or its file unreadable).  */
static clip_task_t *
take_queued (clip_dispatch_t *self)
{
    clip_task_t *task = self->queue;
    DL_DELETE (self->queue, task);
    self->n_queued--;
    if (task->attempts >= self->settings.max_attempts) {
        fail_task (self, task, CLIP_ERROR_WORKER_LOST, WORKER_LOST_MESSAGE);
        return NULL;
    }
    if (!task->data) {
        /*  The claim stat'ed the file (clip_task_size): no fstat.  */
        int rc = clip_file_read_sized (task->path, self->settings.max_bytes, task->size,
                                       &task->data, &task->data_len);
        if (rc != 0) {
            task->data = NULL;
            task->data_len = 0;
            char *msg = clip_strprintf ("cannot read the claimed file: %s", strerror (-rc));
            fail_task (self, task, rc == -ENOENT ? CLIP_ERROR_VANISHED : CLIP_ERROR_UNREADABLE,
                       msg);
            free (msg);
            return NULL;
        }
    }
    return task;
}

/*  Give queued tasks to workers with credit, several to a message where
    the worker takes them (group_size).  */
static void
pump (clip_dispatch_t *self)
{
    while (self->queue) {
        dispatch_worker_t *w = pick_worker (self);
        if (!w)
            return;
        assert (w->n_tasks < w->credit);
        int want = group_size (self, w);
        clip_task_t *group [CLIP_WIRE_BODIES_MAX];
        clip_wire_msg_t msgs [CLIP_WIRE_BODIES_MAX];
        int n = 0;
        while (n < want && self->queue) {
            clip_task_t *task = take_queued (self);
            if (!task)
                continue;
            if (++self->next_task_id == 0)
                self->next_task_id = 1;     /* 0 means not sent */
            task->task_id = self->next_task_id;
            msgs [n] = (clip_wire_msg_t) {
                .kind = CLIP_WIRE_TASK, .task = task->task_id, .file = task->name,
                .data = task->data, .data_len = task->data_len
            };
            group [n++] = task;
        }
        if (n == 0)
            continue;
        if (send_to (self, w, msgs, (size_t) n) != 0) {
            /*  Unreachable (ROUTER_MANDATORY) or its pipe is full: either way
                this worker cannot take work now; what it holds goes back
                to the queue, before these, which keep their order.  */
            int e = errno;
            for (int i = n - 1; i >= 0; i--) {
                group [i]->task_id = 0;
                DL_PREPEND (self->queue, group [i]);
                self->n_queued++;
            }
            worker_remove (self, w, e == EHOSTUNREACH ? "unreachable" : "send_failed");
            continue;
        }
        for (int i = 0; i < n; i++) {
            clip_task_t *task = group [i];
            task->worker = w;
            task->started = false;
            task->deadline = UINT64_MAX;
            task->sent_us = clip_mono_us ();
            HASH_ADD (hh, self->running, task_id, sizeof task->task_id, task);
            DL_APPEND (w->tasks, task);
            w->n_tasks++;
            if (clip_log_enabled (CLIP_LOG_DEBUG)) {
                char q [600], qn [300];
                clip_debug ("dispatched", "file=%s task=%llu worker=%s held=%d",
                            clip_log_quote (q, sizeof q, task->name),
                            (unsigned long long) task->task_id,
                            clip_log_quote (qn, sizeof qn, w->name), w->n_tasks);
            }
        }
        worker_start_head (self, w);
        /*  To the tail of the ready list (round robin), or off it.  */
        worker_unset_ready (self, w);
        worker_update_ready (self, w);
    }
}

static void
handle_result (clip_dispatch_t *self, dispatch_worker_t *w, clip_wire_msg_t *msg)
{
    clip_task_t *task = NULL;
    HASH_FIND (hh, self->running, &msg->task, sizeof msg->task, task);
    if (!task || task->worker != w) {
        char qn [300];
        clip_info ("late_result_dropped", "task=%llu worker=%s",
                   (unsigned long long) msg->task, clip_log_quote (qn, sizeof qn, w->name));
        /*  A worker we forgot (its deadline passed) and hear again: having
            answered, it has room for at least one task, whatever else of
            ours it still holds.  Its full credit comes back with its next
            idle HEARTBEAT.  */
        if (w->credit == 0 && w->n_tasks == 0) {
            worker_set_credit (self, w, 1);
            worker_update_ready (self, w);
        }
        return;
    }
    HASH_DEL (self->running, task);
    /*  Results come in the order sent from a worker that follows the
        protocol; one that answers out of order only ends its deadline
        sooner.  The next task's deadline starts now.  */
    bool was_head = task == w->tasks;
    DL_DELETE (w->tasks, task);
    w->n_tasks--;
    task->task_id = 0;
    task->worker = NULL;
    task->started = false;
    if (was_head)
        worker_start_head (self, w);
    worker_update_ready (self, w);
    CLIPD_METRIC_OBSERVE (self->settings.metrics, task_seconds, clip_mono_us () - task->sent_us);
    char err [256];
    clip_record_t *rec = NULL;
    clip_sketch_view_t view;
    if (msg->data_len > clip_wire_record_max (task->size, self->settings.max_entities))
        snprintf (err, sizeof err, "a record of %zu bytes for a file of %llu bytes", msg->data_len,
                  (unsigned long long) task->size);
    else
    if (msg->sketch_len > clip_wire_sketch_max (task->size))
        snprintf (err, sizeof err, "a sketch of %zu bytes for a file of %llu bytes",
                  msg->sketch_len, (unsigned long long) task->size);
    else
    if (msg->sketch_len && clip_sketch_parse_checked (msg->sketch, msg->sketch_len, &view) != 0)
        snprintf (err, sizeof err, "the sketch is malformed (bad header or length, or hashes "
                  "not strictly increasing)");
    else
    if ((rec = clip_record_decode_relay (msg->data, msg->data_len, err, sizeof err)) != NULL
    &&  clip_record_validate (rec, task->size, err, sizeof err) != 0)
        clip_record_destroy (&rec);
    else
    if (rec && rec->n_entities > self->settings.max_entities) {
        snprintf (err, sizeof err, "%zu entities, more than --max-entities %llu", rec->n_entities,
                  (unsigned long long) self->settings.max_entities);
        clip_record_destroy (&rec);
    }
    if (!rec) {
        char q [600], qn [300], qe [300];
        clip_warn ("bad_result", "file=%s worker=%s error=%s",
                   clip_log_quote (q, sizeof q, task->name),
                   clip_log_quote (qn, sizeof qn, w->name), clip_log_quote (qe, sizeof qe, err));
        CLIPD_METRIC_ADD (self->settings.metrics, bad_results, 1);
        char *text = clip_strprintf ("worker %s sent a malformed record: %s", w->name, err);
        fail_task (self, task, CLIP_ERROR_BAD_RESULT, text);
        free (text);
        return;
    }
    /*  The daemon, not the worker, knows what it sent and assigns seq, the
        times and the verdict.  */
    rec->bytes = task->size;
    rec->has_seq = false;
    rec->seq = 0;
    rec->has_times = false;
    void *sketch = msg->sketch;
    msg->sketch = NULL;
    self->callbacks.on_result (task, rec, sketch, msg->sketch_len, self->arg);
}

/*  The tasks a worker may hold: what it offers (1 when it says nothing:
    the first protocol), at most prefetch.  */
static int
credit_of (const clip_dispatch_t *self, const clip_wire_msg_t *msg)
{
    uint64_t credit = msg->credit ? msg->credit : 1;
    if (credit > (uint64_t) self->settings.prefetch)
        credit = (uint64_t) self->settings.prefetch;
    return (int) credit;
}

/*  The tasks a worker takes in one TASK message: what it offers (1 when
    it says nothing), at most CLIP_WIRE_BODIES_MAX.  */
static int
bodies_of (const clip_wire_msg_t *msg)
{
    return msg->bodies == 0 ? 1
         : msg->bodies > CLIP_WIRE_BODIES_MAX ? CLIP_WIRE_BODIES_MAX : (int) msg->bodies;
}

static void
refuse_message (clip_dispatch_t *self, const char *why)
{
    char q [300];
    clip_warn ("bad_worker_message", "error=%s", clip_log_quote (q, sizeof q, why));
    CLIPD_METRIC_ADD (self->settings.metrics, worker_messages_refused, 1);
}

/*  One message from a worker: an identity, a command and one body, or a
    RESULT of up to CLIP_WIRE_BODIES_MAX bodies.  Each body is decoded
    and refused (counted) alone; the others of its message still count.  */
static bool
on_readable (zwatch_t *watch, void *arg)
{
    clip_dispatch_t *self = arg;
    zmq_msg_t *frames;
    int count = clip_wire_recv_frames (self->socket, &frames, ZMQ_DONTWAIT);
    if (count < 0) {
        if (errno != EMSGSIZE)
            return false;       /* nothing there (EAGAIN) */
        char why [64];
        snprintf (why, sizeof why, "more than %d frames", CLIP_WIRE_MAX_FRAMES);
        refuse_message (self, why);
        return true;
    }
    char err [256];
    if (count < 3 || zmq_msg_size (&frames [0]) > IDENTITY_MAX)
        snprintf (err, sizeof err, "expected 3 frames, got %d", count);
    else
    if (count > 3 && clip_wire_kind_of (zmq_msg_data (&frames [1]), zmq_msg_size (&frames [1]))
                     != CLIP_WIRE_RESULT)
        snprintf (err, sizeof err, "%d bodies in a message other than RESULT", count - 2);
    else
        err [0] = 0;
    if (err [0]) {
        refuse_message (self, err);
        clip_wire_frames_free (frames, count);
        return true;
    }
    clip_wire_msg_t *msgs [CLIP_WIRE_BODIES_MAX];
    int n = 0;
    for (int i = 2; i < count; i++) {
        clip_wire_msg_t *msg = clip_wire_decode (zmq_msg_data (&frames [1]), zmq_msg_size (&frames [1]),
                                                 zmq_msg_data (&frames [i]), zmq_msg_size (&frames [i]),
                                                 err, sizeof err);
        if (!msg || msg->kind == CLIP_WIRE_TASK) {
            refuse_message (self, msg ? "TASK from a worker" : err);
            clip_wire_msg_destroy (&msg);
            continue;
        }
        msgs [n++] = msg;
    }
    if (n == 0) {
        clip_wire_frames_free (frames, count);
        return true;
    }
    size_t id_len = zmq_msg_size (&frames [0]);
    dispatch_worker_t *w = NULL;
    HASH_FIND (hh, self->workers, zmq_msg_data (&frames [0]), id_len, w);
    if (!w) {
        w = clip_calloc (1, sizeof *w);
        memcpy (w->identity, zmq_msg_data (&frames [0]), id_len);
        w->identity_len = id_len;
        w->name = clip_strdup (msgs [0]->worker && *msgs [0]->worker ? msgs [0]->worker : "unknown");
        w->bodies = 1;
        HASH_ADD (hh, self->workers, identity, id_len, w);
        self->n_workers++;
        char qn [300];
        clip_info ("worker_joined", "worker=%s workers=%zu", clip_log_quote (qn, sizeof qn, w->name),
                   self->n_workers);
    }
    clip_wire_frames_free (frames, count);
    w->last_heard = clip_mono_ms ();
    for (int i = 0; i < n; i++) {
        clip_wire_msg_t *msg = msgs [i];
        switch (msg->kind) {
            case CLIP_WIRE_READY:
                worker_requeue_all (self, w, "worker_restarted");
                worker_set_credit (self, w, credit_of (self, msg));
                w->bodies = bodies_of (msg);
                worker_update_ready (self, w);
                break;
            case CLIP_WIRE_HEARTBEAT:
                /*  An idle heartbeat may cross a TASK on the wire: a worker we
                    gave tasks keeps them until it answers or its deadline.  */
                if (!msg->busy && w->n_tasks == 0) {
                    worker_set_credit (self, w, credit_of (self, msg));
                    w->bodies = bodies_of (msg);
                    worker_update_ready (self, w);
                }
                break;
            case CLIP_WIRE_RESULT:
                handle_result (self, w, msg);
                break;
            case CLIP_WIRE_TASK:
                break;
        }
        clip_wire_msg_destroy (&msg);
    }
    pump (self);
    return true;
}

static void
on_timer (uv_timer_t *timer)
{
    clip_dispatch_t *self = timer->data;
    uint64_t now = clip_mono_ms ();
    dispatch_worker_t *w, *tmp;
    HASH_ITER (hh, self->workers, w, tmp) {
        /*  Only the oldest task a worker holds has its deadline running.  */
        if (w->tasks && now > w->tasks->deadline) {
            char q [600], qn [300];
            clip_warn ("task_timeout", "file=%s worker=%s",
                       clip_log_quote (q, sizeof q, w->tasks->name),
                       clip_log_quote (qn, sizeof qn, w->name));
            CLIPD_METRIC_ADD (self->settings.metrics, task_timeouts, 1);
            worker_remove (self, w, "task_timeout");
            continue;
        }
        if (!w->tasks && now > w->last_heard + self->settings.liveness_ms) {
            worker_remove (self, w, "silent");
            continue;
        }
        clip_wire_msg_t hb = { .kind = CLIP_WIRE_HEARTBEAT };
        if (send_to (self, w, &hb, 1) != 0 && errno == EHOSTUNREACH)
            worker_remove (self, w, "unreachable");
    }
    pump (self);
}

clip_dispatch_t *
clip_dispatch_new (uv_loop_t *loop, void *zmq_ctx, const char *endpoint,
                   const clip_dispatch_settings_t *settings,
                   const clip_dispatch_callbacks_t *callbacks, void *arg,
                   char *err, size_t err_size)
{
    clip_dispatch_t *self = clip_calloc (1, sizeof *self);
    self->loop = loop;
    if (settings)
        self->settings = *settings;
    else
        clip_dispatch_settings_default (&self->settings);
    /*  The configuration bounds it (config.c); a caller's 0 means one.  */
    if (self->settings.prefetch < 1)
        self->settings.prefetch = 1;
    if (self->settings.prefetch > CLIP_WIRE_CREDIT_MAX)
        self->settings.prefetch = CLIP_WIRE_CREDIT_MAX;
    self->callbacks = *callbacks;
    self->arg = arg;
    /*  Task ids must not repeat across daemons: a worker outlives a clipd
        killed under it, its DEALER reconnects to the next one by itself,
        and what it sends then (RESULTs for tasks the dead daemon gave it)
        arrives after its HEARTBEAT has already earned it new tasks.  Ids
        counted from 1 again would match those old RESULTs to the new
        tasks: another file's entities in a record, or a good file failed
        as bad_result (the crash model caught it).  A random 63-bit start
        makes a collision as likely as guessing it.  */
    uint64_t start = 0;
    if (uv_random (NULL, NULL, &start, sizeof start, 0, NULL) != 0)
        start = clip_now_ms () << 20 ^ (uint64_t) clip_mono_us ();
    self->next_task_id = start >> 1;
    self->socket = zmq_socket (zmq_ctx, ZMQ_ROUTER);
    int one = 1, zero = 0;
    zmq_setsockopt (self->socket, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt (self->socket, ZMQ_LINGER, &zero, sizeof zero);
    /*  The largest frame a worker may send is a RESULT for a file of
        max_bytes; ZeroMQ drops a peer that announces a larger one before
        allocating it.  A worker sends a heartbeat a second and one result
        per task, so a short receive queue per peer is plenty, and bounds
        what a peer can make us hold (RCVHWM messages of at most that size;
        past it ZeroMQ stops reading the peer's connection).  */
    int64_t max_frame = clip_wire_result_frame_max (self->settings.max_bytes,
                                                    self->settings.max_entities);
    int rcvhwm = DISPATCH_RCVHWM;
    zmq_setsockopt (self->socket, ZMQ_MAXMSGSIZE, &max_frame, sizeof max_frame);
    zmq_setsockopt (self->socket, ZMQ_RCVHWM, &rcvhwm, sizeof rcvhwm);
    if (self->settings.curve
    &&  clip_curve_server_apply (self->socket, self->settings.curve, CLIP_CURVE_DOMAIN_WORKERS,
                                 err, err_size) != 0) {
        zmq_close (self->socket);
        free (self);
        return NULL;
    }
    if (zwatch_bind (self->socket, endpoint, "task", self->endpoint, sizeof self->endpoint,
                     err, err_size) != 0) {
        zmq_close (self->socket);
        free (self);
        return NULL;
    }
    int rc = zwatch_init (loop, &self->watch, self->socket, on_readable, self);
    assert (rc == 0);
    uv_timer_init (loop, &self->timer);
    self->timer.data = self;
    uv_timer_start (&self->timer, on_timer, self->settings.heartbeat_ms, self->settings.heartbeat_ms);
    uv_idle_init (loop, &self->pump_idle);
    self->pump_idle.data = self;
    self->open_handles = 3;
    return self;
}

static void
release (clip_dispatch_t *self)
{
    if (--self->open_handles == 0)
        free (self);
}

static void
on_watch_closed (zwatch_t *watch)
{
    release ((clip_dispatch_t *) ((char *) watch - offsetof (clip_dispatch_t, watch)));
}

static void
on_handle_closed (uv_handle_t *handle)
{
    release (handle->data);
}

void
clip_dispatch_destroy (clip_dispatch_t **self_p)
{
    assert (self_p);
    clip_dispatch_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    dispatch_worker_t *w, *wtmp;
    HASH_ITER (hh, self->workers, w, wtmp) {
        HASH_DEL (self->workers, w);
        free (w->name);
        free (w);
    }
    clip_task_t *t, *ttmp;
    HASH_ITER (hh, self->running, t, ttmp) {
        HASH_DEL (self->running, t);
        clip_task_destroy (&t);
    }
    DL_FOREACH_SAFE (self->queue, t, ttmp) {
        DL_DELETE (self->queue, t);
        clip_task_destroy (&t);
    }
    zwatch_close (&self->watch, on_watch_closed);
    uv_close ((uv_handle_t *) &self->timer, on_handle_closed);
    uv_close ((uv_handle_t *) &self->pump_idle, on_handle_closed);
    zmq_close (self->socket);
    self->socket = NULL;
}

/*  The tasks submitted since the loop last polled leave together
    (clip_dispatch_submit): an active idle handle runs once the callbacks
    that submitted them are done, and makes the loop's next poll not
    wait, so a task submitted from a timer leaves as soon as one from an
    I/O callback.  */
static void
on_pump_idle (uv_idle_t *idle)
{
    clip_dispatch_t *self = idle->data;
    uv_idle_stop (idle);
    pump (self);
}

void
clip_dispatch_submit (clip_dispatch_t *self, clip_task_t **task_p)
{
    assert (task_p && *task_p);
    clip_task_t *task = *task_p;
    *task_p = NULL;
    task->task_id = 0;
    task->worker = NULL;
    DL_APPEND (self->queue, task);
    self->n_queued++;
    if (!uv_is_active ((uv_handle_t *) &self->pump_idle))
        uv_idle_start (&self->pump_idle, on_pump_idle);
}

void
clip_dispatch_worker_exited (clip_dispatch_t *self, const char *worker_name)
{
    dispatch_worker_t *w, *tmp;
    HASH_ITER (hh, self->workers, w, tmp) {
        if (w->name && strcmp (w->name, worker_name) == 0)
            worker_remove (self, w, "process_exited");
    }
    pump (self);
}

size_t
clip_dispatch_worker_count (const clip_dispatch_t *self)
{
    return self->n_workers;
}

size_t
clip_dispatch_queued (const clip_dispatch_t *self)
{
    return self->n_queued;
}

size_t
clip_dispatch_capacity (const clip_dispatch_t *self)
{
    return self->credit_total;
}

const char *
clip_dispatch_endpoint (const clip_dispatch_t *self)
{
    return self->endpoint;
}
