/*  dispatch: the promises of dispatch.h, on a real libuv loop and a real
    ROUTER, with fake workers that are real DEALER sockets over inproc://
    (the same ZeroMQ context) driven by the test: they take a task and never
    answer, or disconnect, or answer late.

    - after max_attempts a task comes back through on_failed, "worker_lost";
    - a RESULT carrying an old task id is dropped;
    - a worker of the first protocol (no credit offered) holds at most
      one task, though prefetch is 4;
    - tasks go round the idle workers in turn, and with prefetch the
      next goes to the worker holding the fewest;
    - prefetch: a worker offering credit 3 holds 3; its loss requeues all
      3, in order, and only the one it could have started used an
      attempt; the second task's deadline starts at the first's result;
    - read once: a requeued task is not read again, and its bytes come
      back with it.

    Every wait is bounded; the loop and the fake workers are run in turns
    from this one thread.  */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>
#include <zmq.h>

#include "clip_record.h"
#include "clip_util.h"
#include "clip_wire.h"
#include "dispatch.h"
#include "testutil.h"

#define MAX_DONE 16

typedef struct {
    uv_loop_t loop;
    void *ctx;
    char *dir;
    char endpoint [300];
    clip_dispatch_t *dispatch;
    /*  What came back through the callbacks, in order.  */
    int n_results;
    char result_ids [MAX_DONE][64];
    int n_failed;
    char failed_codes [MAX_DONE][32];
    int failed_attempts [MAX_DONE];
    char failed_names [MAX_DONE][32];
    char result_data [MAX_DONE][128];   /* clip_task_data of each result */
    clip_task_t *done [2 * MAX_DONE];
    int n_done;
} fixture_t;

typedef struct {
    void *sock;
    char name [32];
    int tasks_received;
    int task_messages;                  /* TASK messages, of one body or several */
    int max_bodies;                     /* the most tasks one of them carried */
    int heartbeats_received;
    uint64_t last_task;
    uint64_t task_ids [MAX_DONE];       /* every TASK's id, in order */
    char task_files [MAX_DONE][32];     /* and its file */
    char task_data [MAX_DONE][128];     /* and its bytes */
} fake_t;

static void
on_result (clip_task_t *task, clip_record_t *rec, void *sketch, size_t sketch_len, void *arg)
{
    (void) sketch_len;
    fixture_t *f = arg;
    cr_assert_lt (f->n_results, MAX_DONE);
    size_t len = 0;
    const char *data = clip_task_data (task, &len);
    snprintf (f->result_data [f->n_results], sizeof f->result_data [0], "%.*s", (int) len,
              data ? data : "");
    snprintf (f->result_ids [f->n_results++], sizeof f->result_ids [0], "%s",
              rec->id ? rec->id : "");
    f->done [f->n_done++] = task;
    clip_record_destroy (&rec);
    free (sketch);
}

static void
on_failed (clip_task_t *task, clip_error_t code, const char *message, void *arg)
{
    (void) message;
    fixture_t *f = arg;
    cr_assert_lt (f->n_failed, MAX_DONE);
    f->failed_attempts [f->n_failed] = clip_task_attempts (task);
    snprintf (f->failed_names [f->n_failed], sizeof f->failed_names [0], "%s",
              clip_task_name (task));
    snprintf (f->failed_codes [f->n_failed++], sizeof f->failed_codes [0], "%s", clip_error_name (code));
    f->done [f->n_done++] = task;
}

/*  A dispatch on f's loop and endpoint (f->dispatch).  */
static void
dispatch_open (fixture_t *f, int max_attempts, uint64_t task_timeout_ms, int prefetch)
{
    clip_dispatch_settings_t s = { 0 };
    clip_dispatch_settings_default (&s);
    s.heartbeat_ms = 50;
    s.liveness_ms = 5000;           /* idle fakes are never forgotten here */
    s.task_timeout_ms = task_timeout_ms;
    s.max_attempts = max_attempts;
    s.prefetch = prefetch;
    clip_dispatch_callbacks_t cb = { on_result, on_failed };
    char err [256];
    f->dispatch = clip_dispatch_new (&f->loop, f->ctx, f->endpoint, &s, &cb, f, err, sizeof err);
    cr_assert_not_null (f->dispatch, "%s", err);
}

/*  Over inproc:// by default; ipc, a socket file in f->dir, where a test
    needs what a real connection does (a DEALER reconnecting by itself).  */
static void
fixture_open_on (fixture_t *f, bool ipc, int max_attempts, uint64_t task_timeout_ms, int prefetch)
{
    static int instance;
    memset (f, 0, sizeof *f);
    cr_assert_eq (uv_loop_init (&f->loop), 0);
    f->ctx = zmq_ctx_new ();
    f->dir = tu_tempdir ("dispatch");
    if (ipc)
        snprintf (f->endpoint, sizeof f->endpoint, "ipc://%s/tasks.sock", f->dir);
    else
        snprintf (f->endpoint, sizeof f->endpoint, "inproc://dispatch-%d-%d", (int) getpid (),
                  instance++);
    dispatch_open (f, max_attempts, task_timeout_ms, prefetch);
}

static void
fixture_open_prefetch (fixture_t *f, int max_attempts, uint64_t task_timeout_ms, int prefetch)
{
    fixture_open_on (f, false, max_attempts, task_timeout_ms, prefetch);
}

/*  Prefetch 4: the fakes that offer no credit (the first protocol) must
    still get one task at a time.  */
static void
fixture_open (fixture_t *f, int max_attempts, uint64_t task_timeout_ms)
{
    fixture_open_prefetch (f, max_attempts, task_timeout_ms, 4);
}

static void
fixture_close (fixture_t *f)
{
    clip_dispatch_destroy (&f->dispatch);
    cr_assert_null (f->dispatch);
    uv_run (&f->loop, UV_RUN_DEFAULT);
    cr_assert_eq (uv_loop_close (&f->loop), 0);
    zmq_ctx_term (f->ctx);
    for (int i = 0; i < f->n_done; i++)
        clip_task_destroy (&f->done [i]);
    tu_rmtree (f->dir);
    free (f->dir);
}

static void
submit (fixture_t *f, const char *name)
{
    char *path = clip_path_join (f->dir, name);
    char text [256];
    int n = snprintf (text, sizeof text, "The article %s, as a worker would be given it.\n", name);
    tu_write (path, text, (size_t) n);
    uint64_t claim = clip_now_ms ();
    clip_task_t *task = clip_task_new (claim, name, path, (uint64_t) n, claim);
    free (path);
    clip_dispatch_submit (f->dispatch, &task);
    cr_assert_null (task, "dispatch took the task");
}

static fake_t *
fake_new (fixture_t *f, const char *name)
{
    fake_t *w = clip_calloc (1, sizeof *w);
    snprintf (w->name, sizeof w->name, "%s", name);
    w->sock = zmq_socket (f->ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt (w->sock, ZMQ_LINGER, &zero, sizeof zero);
    cr_assert_eq (zmq_connect (w->sock, f->endpoint), 0, "%s", zmq_strerror (errno));
    return w;
}

static void
fake_close (fake_t **w_p)
{
    if (*w_p && (*w_p)->sock)
        zmq_close ((*w_p)->sock);
    free (*w_p);
    *w_p = NULL;
}

static void
fake_send (fake_t *w, clip_wire_kind_t kind, bool busy)
{
    clip_wire_msg_t msg = { .kind = kind, .worker = w->name, .protocol = CLIP_WIRE_PROTOCOL,
                            .busy = busy };
    cr_assert_eq (clip_wire_send (w->sock, NULL, 0, &msg, 0), 0);
}

/*  READY or HEARTBEAT offering credit (the second protocol's key).  */
static void
fake_send_credit (fake_t *w, clip_wire_kind_t kind, bool busy, uint64_t credit)
{
    clip_wire_msg_t msg = { .kind = kind, .worker = w->name, .protocol = CLIP_WIRE_PROTOCOL,
                            .busy = busy, .credit = credit };
    cr_assert_eq (clip_wire_send (w->sock, NULL, 0, &msg, 0), 0);
}

/*  READY offering credit and taking up to bodies tasks a message.  */
static void
fake_send_bodies (fake_t *w, uint64_t credit, uint64_t bodies)
{
    clip_wire_msg_t msg = { .kind = CLIP_WIRE_READY, .worker = w->name,
                            .protocol = CLIP_WIRE_PROTOCOL, .credit = credit, .bodies = bodies };
    cr_assert_eq (clip_wire_send (w->sock, NULL, 0, &msg, 0), 0);
}

/*  A well-formed packed record whose id is id (caller frees).  */
static char *
record_packed (const fake_t *w, const char *id, uint64_t bytes, size_t *len)
{
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->id, id);
    clip_record_set (rec, &rec->file, "x.txt");
    clip_record_set (rec, &rec->encoding, "utf-8");
    clip_record_set (rec, &rec->title, "The article");
    clip_record_set (rec, &rec->worker, w->name);
    rec->bytes = bytes;
    char *packed = NULL;
    clip_record_encode (rec, &packed, len);
    clip_record_destroy (&rec);
    return packed;
}

/*  A RESULT for task with a well-formed record whose id is id.  */
static void
fake_result (fake_t *w, uint64_t task, const char *id, uint64_t bytes)
{
    size_t len = 0;
    char *packed = record_packed (w, id, bytes, &len);
    clip_wire_msg_t msg = { .kind = CLIP_WIRE_RESULT, .worker = w->name, .task = task,
                            .data = packed, .data_len = len };
    cr_assert_eq (clip_wire_send (w->sock, NULL, 0, &msg, 0), 0);
    free (packed);
}

/*  Read what the daemon sent w (HEARTBEATs are counted, not kept): every
    body of a TASK of several is a task.  Returns the number of TASKs
    read, the last one's id in w->last_task.  */
static int
fake_drain (fake_t *w)
{
    int tasks = 0;
    for (;;) {
        zmq_msg_t *frames;
        int count = clip_wire_recv_frames (w->sock, &frames, ZMQ_DONTWAIT);
        if (count < 0)
            return tasks;
        cr_assert_geq (count, 2);
        for (int body = 1; body < count; body++) {
            char err [256];
            clip_wire_msg_t *msg = clip_wire_decode (zmq_msg_data (&frames [0]),
                                                     zmq_msg_size (&frames [0]),
                                                     zmq_msg_data (&frames [body]),
                                                     zmq_msg_size (&frames [body]),
                                                     err, sizeof err);
            cr_assert_not_null (msg, "%s", err);
            cr_assert (count == 2 || msg->kind == CLIP_WIRE_TASK, "several bodies only in a TASK");
            if (msg->kind == CLIP_WIRE_TASK) {
                if (body == 1) {
                    w->task_messages++;
                    if (count - 1 > w->max_bodies)
                        w->max_bodies = count - 1;
                }
                if (w->tasks_received < MAX_DONE) {
                    w->task_ids [w->tasks_received] = msg->task;
                    snprintf (w->task_files [w->tasks_received], sizeof w->task_files [0], "%s",
                              msg->file);
                    snprintf (w->task_data [w->tasks_received], sizeof w->task_data [0], "%.*s",
                              (int) msg->data_len, (const char *) msg->data);
                }
                w->last_task = msg->task;
                w->tasks_received++;
                tasks++;
            }
            else
            if (msg->kind == CLIP_WIRE_HEARTBEAT)
                w->heartbeats_received++;
            clip_wire_msg_destroy (&msg);
        }
        clip_wire_frames_free (frames, count);
    }
}

static void
sleep_ms (int ms)
{
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
    nanosleep (&ts, NULL);
}

/*  Run the loop and read every fake's input in turns, for ms.  */
static void
spin (fixture_t *f, fake_t **fakes, int n, int ms)
{
    uint64_t until = clip_mono_ms () + (uint64_t) ms;
    do {
        uv_run (&f->loop, UV_RUN_NOWAIT);
        for (int i = 0; i < n; i++)
            if (fakes [i] && fakes [i]->sock)
                fake_drain (fakes [i]);
        sleep_ms (2);
    } while (clip_mono_ms () < until);
}

/*  Spin until cond holds, at most ms; returns cond.  */
#define SPIN_UNTIL(f, fakes, n, cond, ms) ({                                  \
    uint64_t until_ = clip_mono_ms () + (uint64_t) (ms);                      \
    while (!(cond) && clip_mono_ms () < until_)                               \
        spin ((f), (fakes), (n), 5);                                          \
    (cond);                                                                   \
})

static int
total_tasks (fake_t **fakes, int n)
{
    int t = 0;
    for (int i = 0; i < n; i++)
        t += fakes [i] ? fakes [i]->tasks_received : 0;
    return t;
}

/*  Workers that take the task and never answer: each attempt ends at its
    deadline; after max_attempts the task fails with worker_lost, and no
    further worker is given it, though one is idle.  */
Test (dispatch, silent_workers_exhaust_max_attempts_then_worker_lost, .timeout = 60)
{
    fixture_t f;
    fixture_open (&f, 2, 300);
    fake_t *fakes [3] = { fake_new (&f, "silent:1"), fake_new (&f, "silent:2"),
                          fake_new (&f, "spare:3") };
    for (int i = 0; i < 3; i++)
        fake_send (fakes [i], CLIP_WIRE_READY, false);
    cr_assert (SPIN_UNTIL (&f, fakes, 3, clip_dispatch_worker_count (f.dispatch) == 3, 10000));
    submit (&f, "poison.txt");
    /*  The deadline is 300 ms; 20 s is far more than two of them.  */
    cr_assert (SPIN_UNTIL (&f, fakes, 3, f.n_failed == 1, 20000),
               "the task came back after %d attempts (tasks sent: %d)", 2,
               total_tasks (fakes, 3));
    /*  Keep the spare idle worker alive a while: nothing more may reach it.  */
    spin (&f, fakes, 3, 500);
    cr_assert_str_eq (f.failed_codes [0], "worker_lost");
    cr_assert_eq (f.failed_attempts [0], 2);
    cr_assert_eq (total_tasks (fakes, 3), 2, "exactly max_attempts dispatches");
    for (int i = 0; i < 3; i++)
        cr_assert_leq (fakes [i]->tasks_received, 1, "%s was given the task twice",
                       fakes [i]->name);
    cr_assert_eq (f.n_results, 0);
    for (int i = 0; i < 3; i++)
        fake_close (&fakes [i]);
    fixture_close (&f);
}

/*  The last attempt's worker is lost and no other worker exists: the task
    fails at once, rather than waiting in the queue for a worker that may
    never come.  */
Test (dispatch, a_task_out_of_attempts_fails_even_with_no_worker_left, .timeout = 60)
{
    fixture_t f;
    fixture_open (&f, 1, 300);
    fake_t *fakes [1] = { fake_new (&f, "silent:1") };
    fake_send (fakes [0], CLIP_WIRE_READY, false);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, clip_dispatch_worker_count (f.dispatch) == 1, 10000));
    submit (&f, "poison.txt");
    cr_assert (SPIN_UNTIL (&f, fakes, 1, fakes [0]->tasks_received == 1, 10000));
    /*  The deadline (300 ms) passes; the worker is forgotten with it.  */
    cr_assert (SPIN_UNTIL (&f, fakes, 1, f.n_failed == 1, 20000),
               "the task is still waiting (queued %zu, workers %zu)",
               clip_dispatch_queued (f.dispatch), clip_dispatch_worker_count (f.dispatch));
    cr_assert_str_eq (f.failed_codes [0], "worker_lost");
    cr_assert_eq (clip_dispatch_queued (f.dispatch), 0);
    fake_close (&fakes [0]);
    fixture_close (&f);
}

/*  Workers that take the task and disconnect: each is found unreachable,
    the task goes to the next; after max_attempts, worker_lost.  */
Test (dispatch, disconnecting_workers_exhaust_max_attempts_then_worker_lost, .timeout = 60)
{
    fixture_t f;
    /*  A deadline far away: only the disconnections may end the attempts.  */
    fixture_open (&f, 2, 600000);
    fake_t *fakes [3] = { fake_new (&f, "quitter:1"), fake_new (&f, "quitter:2"),
                          fake_new (&f, "spare:3") };
    for (int i = 0; i < 2; i++)
        fake_send (fakes [i], CLIP_WIRE_READY, false);
    cr_assert (SPIN_UNTIL (&f, fakes, 3, clip_dispatch_worker_count (f.dispatch) == 2, 10000));
    submit (&f, "poison.txt");
    for (int attempt = 0; attempt < 2; attempt++) {
        cr_assert (SPIN_UNTIL (&f, fakes, 3, total_tasks (fakes, 3) == attempt + 1, 20000),
                   "attempt %d dispatched", attempt + 1);
        for (int i = 0; i < 2; i++)
            if (fakes [i]->sock && fakes [i]->tasks_received) {
                zmq_close (fakes [i]->sock);
                fakes [i]->sock = NULL;
            }
    }
    /*  Both lost; an idle worker arrives.  */
    fake_send (fakes [2], CLIP_WIRE_READY, false);
    cr_assert (SPIN_UNTIL (&f, fakes, 3, f.n_failed == 1, 20000),
               "the task came back (tasks sent: %d)", total_tasks (fakes, 3));
    spin (&f, fakes, 3, 300);
    cr_assert_str_eq (f.failed_codes [0], "worker_lost");
    cr_assert_eq (total_tasks (fakes, 3), 2);
    cr_assert_eq (fakes [2]->tasks_received, 0);
    for (int i = 0; i < 3; i++)
        fake_close (&fakes [i]);
    fixture_close (&f);
}

/*  A worker whose task passed its deadline answers after the task went to
    another worker under a new id: its RESULT is dropped, the new one is
    the task's only result.  */
Test (dispatch, a_late_result_for_an_old_task_id_is_dropped, .timeout = 60)
{
    fixture_t f;
    fixture_open (&f, 3, 300);
    fake_t *fakes [2] = { fake_new (&f, "slow:1"), fake_new (&f, "fast:2") };
    fake_send (fakes [0], CLIP_WIRE_READY, false);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, clip_dispatch_worker_count (f.dispatch) == 1, 10000));
    submit (&f, "a.txt");
    cr_assert (SPIN_UNTIL (&f, fakes, 2, fakes [0]->tasks_received == 1, 10000));
    uint64_t old_id = fakes [0]->last_task;
    fake_send (fakes [1], CLIP_WIRE_READY, false);
    /*  slow:1 misses its deadline; the task goes to fast:2.  */
    cr_assert (SPIN_UNTIL (&f, fakes, 2, fakes [1]->tasks_received == 1, 20000));
    uint64_t new_id = fakes [1]->last_task;
    cr_assert_neq (new_id, old_id, "each attempt has its own id");
    cr_assert_eq (clip_dispatch_worker_count (f.dispatch), 1, "slow:1 was forgotten");
    /*  The late answer: slow:1 is known again once it is read.  */
    fake_result (fakes [0], old_id, "aaaa", 50);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, clip_dispatch_worker_count (f.dispatch) == 2, 10000));
    cr_assert_eq (f.n_results, 0, "the late result was dropped");
    cr_assert_eq (f.n_failed, 0);
    fake_result (fakes [1], new_id, "bbbb", 50);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, f.n_results == 1, 10000));
    spin (&f, fakes, 2, 200);
    cr_assert_eq (f.n_results, 1, "one result per task");
    cr_assert_str_eq (f.result_ids [0], "bbbb");
    /*  Answering the old id again changes nothing either.  */
    fake_result (fakes [0], old_id, "aaaa", 50);
    spin (&f, fakes, 2, 300);
    cr_assert_eq (f.n_results, 1);
    for (int i = 0; i < 2; i++)
        fake_close (&fakes [i]);
    fixture_close (&f);
}

/*  One worker, three tasks: it holds one at a time, whatever it says in
    between (idle heartbeats may cross a TASK on the wire), and gets the
    next only after its RESULT.  */
Test (dispatch, a_worker_holds_at_most_one_task, .timeout = 60)
{
    fixture_t f;
    fixture_open (&f, 3, 600000);
    fake_t *fakes [1] = { fake_new (&f, "only:1") };
    fake_send (fakes [0], CLIP_WIRE_READY, false);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, clip_dispatch_worker_count (f.dispatch) == 1, 10000));
    submit (&f, "a.txt");
    submit (&f, "b.txt");
    submit (&f, "c.txt");
    for (int round = 1; round <= 3; round++) {
        cr_assert (SPIN_UNTIL (&f, fakes, 1, fakes [0]->tasks_received == round, 10000),
                   "task %d given", round);
        cr_assert_eq (clip_dispatch_queued (f.dispatch), (size_t) (3 - round));
        /*  Idle heartbeats while holding the task: still one task.  */
        for (int i = 0; i < 5; i++) {
            fake_send (fakes [0], CLIP_WIRE_HEARTBEAT, false);
            spin (&f, fakes, 1, 60);
        }
        cr_assert_eq (fakes [0]->tasks_received, round, "a second task while holding one");
        char id [8];
        snprintf (id, sizeof id, "%04x", round);
        fake_result (fakes [0], fakes [0]->last_task, id, 40);
        cr_assert (SPIN_UNTIL (&f, fakes, 1, f.n_results == round, 10000));
    }
    spin (&f, fakes, 1, 200);
    cr_assert_eq (fakes [0]->tasks_received, 3);
    cr_assert_eq (f.n_failed, 0);
    fake_close (&fakes [0]);
    fixture_close (&f);
}

/*  Three idle workers and tasks that come one at a time, each answered
    before the next arrives (as when claims are slower than analysis):
    every worker gets its turn, the longest idle first, not the same one
    every time.  */
Test (dispatch, tasks_go_round_the_idle_workers_in_turn, .timeout = 60)
{
    fixture_t f;
    fixture_open (&f, 3, 600000);
    fake_t *fakes [3] = { fake_new (&f, "a:1"), fake_new (&f, "b:2"), fake_new (&f, "c:3") };
    for (int i = 0; i < 3; i++)
        fake_send (fakes [i], CLIP_WIRE_READY, false);
    cr_assert (SPIN_UNTIL (&f, fakes, 3, clip_dispatch_worker_count (f.dispatch) == 3, 10000));
    const char *names [6] = { "1.txt", "2.txt", "3.txt", "4.txt", "5.txt", "6.txt" };
    int order [6];
    for (int round = 0; round < 6; round++) {
        submit (&f, names [round]);
        cr_assert (SPIN_UNTIL (&f, fakes, 3, total_tasks (fakes, 3) == round + 1, 10000),
                   "task %d given", round + 1);
        int holder = -1;
        uint64_t most = 0;
        for (int i = 0; i < 3; i++) {
            /*  Exactly one fake has a task outstanding: the one whose
                last task id is the newest (ids count up from a random
                start, which leaves room for far more than these 6).  */
            if (fakes [i]->tasks_received && fakes [i]->last_task > most) {
                most = fakes [i]->last_task;
                holder = i;
            }
        }
        order [round] = holder;
        char id [8];
        snprintf (id, sizeof id, "%04x", round + 1);
        fake_result (fakes [holder], fakes [holder]->last_task, id, 40);
        cr_assert (SPIN_UNTIL (&f, fakes, 3, f.n_results == round + 1, 10000));
    }
    for (int i = 0; i < 3; i++)
        cr_assert_eq (fakes [i]->tasks_received, 2, "worker %s got %d of 6 tasks", fakes [i]->name,
                      fakes [i]->tasks_received);
    /*  In turn: each round's worker is not the previous round's.  */
    for (int round = 1; round < 6; round++)
        cr_assert_neq (order [round], order [round - 1], "round %d went to the same worker", round);
    for (int i = 0; i < 3; i++)
        fake_close (&fakes [i]);
    fixture_close (&f);
}

/*  The text submit writes for name.  */
static void
text_of (const char *name, char *out, size_t size)
{
    snprintf (out, size, "The article %s, as a worker would be given it.\n", name);
}

/*  Prefetch 4, a worker offering 3: it is given 3 of 5 tasks at once, in
    the order submitted, and no more while it holds them, whatever it says
    in between; each result makes room for one more.  */
Test (dispatch, a_worker_with_credit_3_holds_3_tasks, .timeout = 60)
{
    fixture_t f;
    fixture_open_prefetch (&f, 3, 600000, 4);
    fake_t *fakes [1] = { fake_new (&f, "ahead:1") };
    fake_send_credit (fakes [0], CLIP_WIRE_READY, false, 3);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, clip_dispatch_worker_count (f.dispatch) == 1, 10000));
    const char *names [5] = { "1.txt", "2.txt", "3.txt", "4.txt", "5.txt" };
    for (int i = 0; i < 5; i++)
        submit (&f, names [i]);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, fakes [0]->tasks_received == 3, 10000),
               "given %d of its credit 3", fakes [0]->tasks_received);
    for (int i = 0; i < 5; i++) {
        fake_send_credit (fakes [0], CLIP_WIRE_HEARTBEAT, false, 3);   /* crosses the TASKs */
        spin (&f, fakes, 1, 60);
    }
    cr_assert_eq (fakes [0]->tasks_received, 3, "a fourth task beyond the credit");
    cr_assert_eq (clip_dispatch_queued (f.dispatch), 2);
    for (int i = 0; i < 3; i++) {
        char text [128];
        text_of (names [i], text, sizeof text);
        cr_assert_str_eq (fakes [0]->task_files [i], names [i], "sent in order");
        cr_assert_str_eq (fakes [0]->task_data [i], text);
    }
    fake_result (fakes [0], fakes [0]->task_ids [0], "0001", 40);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, fakes [0]->tasks_received == 4, 10000));
    spin (&f, fakes, 1, 200);
    cr_assert_eq (fakes [0]->tasks_received, 4, "one result, one more task");
    cr_assert_eq (f.n_results, 1);
    cr_assert_eq (clip_dispatch_queued (f.dispatch), 1);
    fake_close (&fakes [0]);
    fixture_close (&f);
}

/*  A worker holding 3 tasks is lost (its process exited): all 3 go back
    to the queue and to the next worker, in their order, under new ids;
    only the first, which it could have been working on, used an attempt.
    Read once: the file of the second is gone from the disk by then, yet
    it is sent again, with the bytes read the first time, and its result
    carries them (the commit stores those, not a second read).  */
Test (dispatch, a_lost_worker_gives_back_all_its_tasks, .timeout = 60)
{
    fixture_t f;
    fixture_open_prefetch (&f, 1, 600000, 4);
    fake_t *fakes [2] = { fake_new (&f, "lost:1"), fake_new (&f, "next:2") };
    fake_send_credit (fakes [0], CLIP_WIRE_READY, false, 3);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, clip_dispatch_worker_count (f.dispatch) == 1, 10000));
    const char *names [3] = { "a.txt", "b.txt", "c.txt" };
    for (int i = 0; i < 3; i++)
        submit (&f, names [i]);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, fakes [0]->tasks_received == 3, 10000));
    char *path = clip_path_join (f.dir, "b.txt");
    cr_assert_eq (unlink (path), 0);
    free (path);
    /*  max_attempts is 1: a.txt, started, is out of attempts and fails;
        b.txt and c.txt never started and go to next:2.  */
    clip_dispatch_worker_exited (f.dispatch, "lost:1");
    cr_assert_eq (clip_dispatch_worker_count (f.dispatch), 0);
    cr_assert_eq (f.n_failed, 1);
    cr_assert_str_eq (f.failed_names [0], "a.txt");
    cr_assert_str_eq (f.failed_codes [0], "worker_lost");
    cr_assert_eq (f.failed_attempts [0], 1);
    cr_assert_eq (clip_dispatch_queued (f.dispatch), 2, "b and c wait for a worker");
    fake_send_credit (fakes [1], CLIP_WIRE_READY, false, 3);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, fakes [1]->tasks_received == 2, 10000),
               "next:2 got %d tasks (failed %d)", fakes [1]->tasks_received, f.n_failed);
    cr_assert_eq (f.n_failed, 1, "b.txt was not read again (it is gone)");
    cr_assert_str_eq (fakes [1]->task_files [0], "b.txt");
    cr_assert_str_eq (fakes [1]->task_files [1], "c.txt");
    char text [128];
    text_of ("b.txt", text, sizeof text);
    cr_assert_str_eq (fakes [1]->task_data [0], text);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            cr_assert_neq (fakes [1]->task_ids [i], fakes [0]->task_ids [j], "a new id");
    /*  The lost worker's late answers are dropped; next:2's are the results.  */
    fake_result (fakes [0], fakes [0]->task_ids [1], "dead", 40);
    fake_result (fakes [1], fakes [1]->task_ids [0], "000b", 40);
    fake_result (fakes [1], fakes [1]->task_ids [1], "000c", 40);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, f.n_results == 2, 10000));
    spin (&f, fakes, 2, 200);
    cr_assert_eq (f.n_results, 2);
    cr_assert_str_eq (f.result_ids [0], "000b");
    cr_assert_str_eq (f.result_data [0], text, "the bytes read at dispatch ride with the task");
    cr_assert_str_eq (f.result_ids [1], "000c");
    for (int i = 0; i < 2; i++)
        fake_close (&fakes [i]);
    fixture_close (&f);
}

/*  The deadline of a worker's second task starts when it could start it:
    at the result of the first, not when it was sent.  Deadline 2 s; the
    first is answered 1 s after the send, the second never: the worker is
    dropped 2 s after the first result (a deadline from the send would
    drop it 1 s after).  The second and the third go back; with
    max_attempts 1, the second (started) fails and the third (never
    started) goes to a spare worker.  */
Test (dispatch, a_timeout_on_the_second_task_counts_from_the_first_result, .timeout = 60)
{
    fixture_t f;
    fixture_open_prefetch (&f, 1, 2000, 4);
    fake_t *fakes [2] = { fake_new (&f, "stuck:1"), fake_new (&f, "spare:2") };
    fake_send_credit (fakes [0], CLIP_WIRE_READY, false, 3);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, clip_dispatch_worker_count (f.dispatch) == 1, 10000));
    const char *names [3] = { "1.txt", "2.txt", "3.txt" };
    for (int i = 0; i < 3; i++)
        submit (&f, names [i]);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, fakes [0]->tasks_received == 3, 10000));
    spin (&f, fakes, 2, 1000);
    fake_result (fakes [0], fakes [0]->task_ids [0], "0001", 40);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, f.n_results == 1, 10000));
    uint64_t answered = clip_mono_ms ();
    cr_assert_eq (f.n_failed, 0, "the first result came in time (loaded machine?)");
    cr_assert (SPIN_UNTIL (&f, fakes, 2, f.n_failed >= 1, 20000));
    uint64_t dropped = clip_mono_ms ();
    cr_assert_eq (f.n_failed, 1, "only the second failed: the third used no attempt");
    cr_assert_geq (dropped - answered, 1500, "the second's deadline ran from %llu ms before "
                   "the first result", (unsigned long long) (2000 - (dropped - answered)));
    cr_assert_str_eq (f.failed_names [0], "2.txt");
    cr_assert_str_eq (f.failed_codes [0], "worker_lost");
    cr_assert_eq (clip_dispatch_worker_count (f.dispatch), 0);
    fake_send (fakes [1], CLIP_WIRE_READY, false);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, fakes [1]->tasks_received == 1, 10000));
    cr_assert_str_eq (fakes [1]->task_files [0], "3.txt", "the third used no attempt");
    /*  The stuck worker's answer to the second is late: dropped.  */
    fake_result (fakes [0], fakes [0]->task_ids [1], "late", 40);
    fake_result (fakes [1], fakes [1]->task_ids [0], "0003", 40);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, f.n_results == 2, 10000));
    spin (&f, fakes, 2, 200);
    cr_assert_eq (f.n_results, 2);
    cr_assert_str_eq (f.result_ids [1], "0003");
    for (int i = 0; i < 2; i++)
        fake_close (&fakes [i]);
    fixture_close (&f);
}

/*  Prefetch: the next task goes to the worker holding the fewest, not to
    the next in turn.  Two workers of credit 4 get two tasks each (in
    turn); "quick" answers both while "slow" still works on its two.  The
    next two tasks must both go to quick (0 held, then 1, against slow's
    2): given in turn, the first would queue behind slow's two while quick
    sat idle, which is what made an article wait up to three analyses at a
    steady rate (issue 12).  */
Test (dispatch, the_next_task_goes_to_the_least_loaded_worker, .timeout = 60)
{
    fixture_t f;
    fixture_open_prefetch (&f, 3, 600000, 4);
    fake_t *fakes [2] = { fake_new (&f, "slow:1"), fake_new (&f, "quick:2") };
    /*  slow joins first, so that taking turns would give it the fifth.  */
    fake_send_credit (fakes [0], CLIP_WIRE_READY, false, 4);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, clip_dispatch_worker_count (f.dispatch) == 1, 10000));
    fake_send_credit (fakes [1], CLIP_WIRE_READY, false, 4);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, clip_dispatch_worker_count (f.dispatch) == 2, 10000));
    const char *names [6] = { "1.txt", "2.txt", "3.txt", "4.txt", "5.txt", "6.txt" };
    for (int i = 0; i < 4; i++)
        submit (&f, names [i]);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, total_tasks (fakes, 2) == 4, 10000));
    cr_assert_eq (fakes [0]->tasks_received, 2, "idle workers take turns");
    cr_assert_eq (fakes [1]->tasks_received, 2, "idle workers take turns");
    fake_result (fakes [1], fakes [1]->task_ids [0], "0001", 40);
    fake_result (fakes [1], fakes [1]->task_ids [1], "0002", 40);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, f.n_results == 2, 10000));
    submit (&f, names [4]);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, total_tasks (fakes, 2) == 5, 10000));
    cr_assert_eq (fakes [1]->tasks_received, 3, "the fifth went to slow, holding 2, while "
                  "quick was idle");
    submit (&f, names [5]);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, total_tasks (fakes, 2) == 6, 10000));
    cr_assert_eq (fakes [1]->tasks_received, 4, "the sixth went to slow, holding 2, not "
                  "to quick, holding 1");
    cr_assert_str_eq (fakes [1]->task_files [2], "5.txt");
    cr_assert_str_eq (fakes [1]->task_files [3], "6.txt");
    cr_assert_eq (fakes [0]->tasks_received, 2);
    for (int i = 0; i < 2; i++)
        fake_close (&fakes [i]);
    fixture_close (&f);
}

/*  Groups: a worker holding its full credit is given more only once it
    has room for half of it, and is then filled up, so that under load its
    tasks leave together (dispatch.h, "Groups").  That none was sent is
    read, not timed: over inproc:// what the daemon sends is in the fake's
    pipe when its loop turn ends, and its HEARTBEATs share the pipe with
    its TASKs, in order; a HEARTBEAT received after the RESULT was taken,
    with no TASK before it, shows that the RESULT earned none.  */
Test (dispatch, a_full_worker_is_given_more_once_it_has_room_for_half, .timeout = 60)
{
    fixture_t f;
    fixture_open_prefetch (&f, 3, 600000, 4);
    fake_t *fakes [1] = { fake_new (&f, "busy:1") };
    fake_send_credit (fakes [0], CLIP_WIRE_READY, false, 4);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, clip_dispatch_worker_count (f.dispatch) == 1, 10000));
    const char *names [6] = { "1.txt", "2.txt", "3.txt", "4.txt", "5.txt", "6.txt" };
    for (int i = 0; i < 6; i++)
        submit (&f, names [i]);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, fakes [0]->tasks_received == 4, 10000));
    fake_result (fakes [0], fakes [0]->task_ids [0], "0001", 40);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, f.n_results == 1, 10000));
    int beats = fakes [0]->heartbeats_received;
    cr_assert (SPIN_UNTIL (&f, fakes, 1, fakes [0]->heartbeats_received > beats, 10000));
    cr_assert_eq (fakes [0]->tasks_received, 4, "room for one of four earned no task");
    fake_result (fakes [0], fakes [0]->task_ids [1], "0002", 40);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, fakes [0]->tasks_received == 6, 10000),
               "room for two of four: both tasks waiting, got %d", fakes [0]->tasks_received - 4);
    cr_assert_str_eq (fakes [0]->task_files [4], "5.txt");
    cr_assert_str_eq (fakes [0]->task_files [5], "6.txt");
    fake_close (&fakes [0]);
    fixture_close (&f);
}

/*  A worker outlives the daemon that gave it tasks (clipd killed, a new
    one bound to the same endpoint): its DEALER reconnects by itself, its
    HEARTBEAT earns it tasks from the new daemon, and only then come its
    RESULTs for the dead daemon's tasks.  Those must not be taken for the
    new tasks (the crash model once saw another file's entities rejected
    as out of range, and could have seen them recorded): the new daemon
    uses other ids, drops the old RESULTs, and each new task's record is
    the one answered for it.  */
Test (dispatch, results_for_a_previous_daemons_tasks_are_dropped, .timeout = 60)
{
    fixture_t f;
    fixture_open_on (&f, true, 3, 600000, 4);
    fake_t *fakes [1] = { fake_new (&f, "survivor:1") };
    fake_send_credit (fakes [0], CLIP_WIRE_READY, false, 4);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, clip_dispatch_worker_count (f.dispatch) == 1, 10000));
    const char *before [4] = { "a1.txt", "a2.txt", "a3.txt", "a4.txt" };
    for (int i = 0; i < 4; i++)
        submit (&f, before [i]);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, fakes [0]->tasks_received == 4, 10000));

    /*  The daemon goes; the next binds the same socket file.  */
    clip_dispatch_destroy (&f.dispatch);
    uv_run (&f.loop, UV_RUN_DEFAULT);
    dispatch_open (&f, 3, 600000, 4);
    /*  Until the DEALER has reconnected its heartbeats may be queued or
        lost; it keeps sending, as a worker does every second.  */
    uint64_t until = clip_mono_ms () + 20000;
    while (clip_dispatch_worker_count (f.dispatch) == 0 && clip_mono_ms () < until) {
        fake_send_credit (fakes [0], CLIP_WIRE_HEARTBEAT, false, 4);
        spin (&f, fakes, 1, 50);
    }
    cr_assert_eq (clip_dispatch_worker_count (f.dispatch), 1, "the worker came back");
    const char *after [4] = { "b1.txt", "b2.txt", "b3.txt", "b4.txt" };
    for (int i = 0; i < 4; i++)
        submit (&f, after [i]);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, fakes [0]->tasks_received == 8, 10000),
               "%d tasks", fakes [0]->tasks_received);
    for (int i = 0; i < 4; i++) {
        cr_assert_str_eq (fakes [0]->task_files [4 + i], after [i]);
        for (int j = 0; j < 4; j++)
            cr_assert_neq (fakes [0]->task_ids [4 + i], fakes [0]->task_ids [j],
                           "the new daemon reused the dead one's task id %llu",
                           (unsigned long long) fakes [0]->task_ids [j]);
    }

    /*  The old answers arrive first, as they would from the worker's
        queue; the new daemon has nothing to match them to.  */
    for (int i = 0; i < 4; i++)
        fake_result (fakes [0], fakes [0]->task_ids [i], "0ld0", 40);
    spin (&f, fakes, 1, 300);
    cr_assert_eq (f.n_results, 0, "an old RESULT became a record");
    cr_assert_eq (f.n_failed, 0, "an old RESULT failed a new task");
    const char *ids [4] = { "0001", "0002", "0003", "0004" };
    for (int i = 0; i < 4; i++)
        fake_result (fakes [0], fakes [0]->task_ids [4 + i], ids [i], 40);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, f.n_results == 4, 10000), "%d results", f.n_results);
    for (int i = 0; i < 4; i++) {
        char text [128];
        text_of (after [i], text, sizeof text);
        cr_assert_str_eq (f.result_ids [i], ids [i]);
        cr_assert_str_eq (f.result_data [i], text, "the record of %s", after [i]);
    }
    cr_assert_eq (f.n_failed, 0);
    fake_close (&fakes [0]);
    fixture_close (&f);
}

/*  Several tasks a message (clip_wire.h): the tasks submitted in one turn
    of the loop go to a worker that takes several a message as one TASK
    of as many bodies as it has room for and takes, in their order.  */
Test (dispatch, a_worker_taking_several_a_message_gets_its_group_in_one, .timeout = 60)
{
    fixture_t f;
    fixture_open_prefetch (&f, 3, 600000, 16);
    fake_t *fakes [1] = { fake_new (&f, "groups:1") };
    fake_send_bodies (fakes [0], 16, 8);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, clip_dispatch_worker_count (f.dispatch) == 1, 10000));
    const char *names [10] = { "1.txt", "2.txt", "3.txt", "4.txt", "5.txt",
                               "6.txt", "7.txt", "8.txt", "9.txt", "10.txt" };
    for (int i = 0; i < 10; i++)
        submit (&f, names [i]);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, fakes [0]->tasks_received == 10, 10000));
    cr_assert_eq (fakes [0]->task_messages, 2, "ten tasks in %d messages", fakes [0]->task_messages);
    cr_assert_eq (fakes [0]->max_bodies, 8);
    for (int i = 0; i < 10; i++) {
        char text [128];
        text_of (names [i], text, sizeof text);
        cr_assert_str_eq (fakes [0]->task_files [i], names [i]);
        cr_assert_str_eq (fakes [0]->task_data [i], text);
    }
    fake_close (&fakes [0]);
    fixture_close (&f);
}

/*  A worker that does not say it takes several (every worker before the
    key, and the fakes above) gets one task a message, however many wait.  */
Test (dispatch, a_worker_not_offering_bodies_gets_one_task_a_message, .timeout = 60)
{
    fixture_t f;
    fixture_open_prefetch (&f, 3, 600000, 16);
    fake_t *fakes [1] = { fake_new (&f, "single:1") };
    fake_send_credit (fakes [0], CLIP_WIRE_READY, false, 16);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, clip_dispatch_worker_count (f.dispatch) == 1, 10000));
    const char *names [6] = { "1.txt", "2.txt", "3.txt", "4.txt", "5.txt", "6.txt" };
    for (int i = 0; i < 6; i++)
        submit (&f, names [i]);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, fakes [0]->tasks_received == 6, 10000));
    cr_assert_eq (fakes [0]->task_messages, 6);
    cr_assert_eq (fakes [0]->max_bodies, 1);
    fake_close (&fakes [0]);
    fixture_close (&f);
}

/*  A few tasks still go round the idle workers one each: a group is no
    larger than a worker's share of the queue among the ready workers.  */
Test (dispatch, two_tasks_go_one_to_each_of_two_idle_workers_that_take_groups, .timeout = 60)
{
    fixture_t f;
    fixture_open_prefetch (&f, 3, 600000, 16);
    fake_t *fakes [2] = { fake_new (&f, "g:1"), fake_new (&f, "g:2") };
    fake_send_bodies (fakes [0], 16, 8);
    fake_send_bodies (fakes [1], 16, 8);
    cr_assert (SPIN_UNTIL (&f, fakes, 2, clip_dispatch_worker_count (f.dispatch) == 2, 10000));
    submit (&f, "a.txt");
    submit (&f, "b.txt");
    cr_assert (SPIN_UNTIL (&f, fakes, 2, total_tasks (fakes, 2) == 2, 10000));
    cr_assert_eq (fakes [0]->tasks_received, 1);
    cr_assert_eq (fakes [1]->tasks_received, 1);
    fake_close (&fakes [0]);
    fake_close (&fakes [1]);
    fixture_close (&f);
}

/*  A RESULT of several bodies gives a result for each, in order; a body
    that does not decode is refused alone, and the others of its message
    still count.  */
Test (dispatch, a_result_message_of_several_bodies_gives_each_result, .timeout = 60)
{
    fixture_t f;
    fixture_open_prefetch (&f, 3, 600000, 16);
    fake_t *fakes [1] = { fake_new (&f, "answers:1") };
    fake_send_bodies (fakes [0], 16, 8);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, clip_dispatch_worker_count (f.dispatch) == 1, 10000));
    const char *names [4] = { "1.txt", "2.txt", "3.txt", "4.txt" };
    for (int i = 0; i < 4; i++)
        submit (&f, names [i]);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, fakes [0]->tasks_received == 4, 10000));
    const char *ids [4] = { "0001", "0002", "0003", "0004" };
    clip_wire_msg_t msgs [4];
    char *packed [4];
    for (int i = 0; i < 4; i++) {
        size_t len;
        packed [i] = record_packed (fakes [0], ids [i], 40, &len);
        msgs [i] = (clip_wire_msg_t) { .kind = CLIP_WIRE_RESULT, .worker = fakes [0]->name,
                                       .task = fakes [0]->task_ids [i], .data = packed [i],
                                       .data_len = len };
    }
    /*  Three of them in one message, the second without its task id.  */
    msgs [1].task = 0;
    cr_assert_eq (clip_wire_send_group (fakes [0]->sock, NULL, 0, msgs, 3, 0), 0);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, f.n_results == 2, 10000), "%d results", f.n_results);
    cr_assert_str_eq (f.result_ids [0], "0001");
    cr_assert_str_eq (f.result_ids [1], "0003");
    cr_assert_eq (f.n_failed, 0);
    /*  A READY of several bodies (two empty maps) is not a RESULT: refused
        whole.  Taken, it would have given back the task still held, and
        the last RESULT, below, would have come late.  */
    zmq_send (fakes [0]->sock, "READY", 5, ZMQ_SNDMORE);
    zmq_send (fakes [0]->sock, "\x80", 1, ZMQ_SNDMORE);
    zmq_send (fakes [0]->sock, "\x80", 1, 0);
    cr_assert_eq (clip_wire_send (fakes [0]->sock, NULL, 0, &msgs [3], 0), 0);
    cr_assert (SPIN_UNTIL (&f, fakes, 1, f.n_results == 3, 10000), "%d results", f.n_results);
    cr_assert_str_eq (f.result_ids [2], "0004", "the READY of two bodies did not requeue the task");
    for (int i = 0; i < 4; i++)
        free (packed [i]);
    fake_close (&fakes [0]);
    fixture_close (&f);
}
