/*  clip-worker's side of several tasks a message (proto/README.md,
    "Groups"): a real clip-worker process against a fake daemon, a ROUTER
    on loopback TCP driven by the test.

    - READY offers the worker's credit and the tasks it takes a message;
    - a TASK of several bodies is analysed in order, one result for each,
      in RESULT messages of at most as many bodies;
    - to a daemon that sends one task a message (one that does not know
      the groups), every RESULT has one body, however many tasks the
      worker holds;
    - no result is held back while the next task in hand is a large file.

    That results are held at all (at most 8, at most 10 ms) is not
    asserted: under valgrind or on a loaded machine one analysis can take
    longer than the hold, and the worker then answers at once, as it
    should.  Every wait is bounded.  */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "clip_defaults.h"
#include "clip_record.h"
#include "clip_util.h"
#include "clip_wire.h"
#include "testutil.h"

#define TASKS 3

typedef struct {
    void *ctx;
    void *router;
    char endpoint [128];
    char *dir;
    pid_t worker;
    unsigned char id [256];     /* the worker's routing identity */
    size_t id_len;
} fake_daemon_t;

/*  The test's daemon, static for the suite's clean-up: a test that fails
    midway still stops its worker and removes its folder.  */
static fake_daemon_t s_fake;

static void
cleanup (void)
{
    fake_daemon_t *f = &s_fake;
    if (f->worker > 0) {
        kill (f->worker, SIGKILL);
        tu_wait (f->worker, 30000);
    }
    if (f->router)
        zmq_close (f->router);
    if (f->ctx)
        zmq_ctx_term (f->ctx);
    if (f->dir) {
        tu_rmtree (f->dir);
        free (f->dir);
    }
    memset (f, 0, sizeof *f);
}

TestSuite (worker_groups, .fini = cleanup);

/*  The next message from the worker that is not a HEARTBEAT, within
    timeout_ms: its frames (identity, command, bodies), or -1.  */
static int
recv_message (fake_daemon_t *f, zmq_msg_t **frames, int timeout_ms)
{
    uint64_t until = clip_mono_ms () + (uint64_t) tu_scaled_ms (timeout_ms);
    while (clip_mono_ms () < until) {
        zmq_pollitem_t item = { .socket = f->router, .events = ZMQ_POLLIN };
        if (zmq_poll (&item, 1, 200) <= 0)
            continue;
        int n = clip_wire_recv_frames (f->router, frames, ZMQ_DONTWAIT);
        if (n < 0)
            continue;
        cr_assert_geq (n, 3, "an identity, a command and a body at least");
        if (zmq_msg_size (&(*frames) [1]) == 9
        &&  memcmp (zmq_msg_data (&(*frames) [1]), "HEARTBEAT", 9) == 0) {
            clip_wire_frames_free (*frames, n);
            continue;
        }
        return n;
    }
    return -1;
}

static clip_wire_msg_t *
decode_body (zmq_msg_t *frames, int body)
{
    char err [256];
    clip_wire_msg_t *msg = clip_wire_decode (zmq_msg_data (&frames [1]), zmq_msg_size (&frames [1]),
                                             zmq_msg_data (&frames [body]),
                                             zmq_msg_size (&frames [body]), err, sizeof err);
    cr_assert_not_null (msg, "%s", err);
    return msg;
}

/*  A fake daemon on a free loopback port and a clip-worker connected to
    it, whose READY has been read (and checked).  */
static fake_daemon_t *
fake_open (void)
{
    fake_daemon_t *f = &s_fake;
    memset (f, 0, sizeof *f);
    f->dir = tu_tempdir ("worker-groups");
    f->ctx = zmq_ctx_new ();
    f->router = zmq_socket (f->ctx, ZMQ_ROUTER);
    int zero = 0;
    zmq_setsockopt (f->router, ZMQ_LINGER, &zero, sizeof zero);
    cr_assert_eq (zmq_bind (f->router, "tcp://127.0.0.1:*"), 0);
    size_t len = sizeof f->endpoint;
    cr_assert_eq (zmq_getsockopt (f->router, ZMQ_LAST_ENDPOINT, f->endpoint, &len), 0);
    char *bin = tu_bin ("workers/clip-worker");
    char *log = clip_path_join (f->dir, "worker.log");
    const char *argv [] = { bin, "--tasks", f->endpoint, "--log-level", "debug", NULL };
    f->worker = tu_spawn (argv, NULL, log);
    free (bin);
    free (log);

    zmq_msg_t *frames;
    int n = recv_message (f, &frames, 60000);
    cr_assert_eq (n, 3, "READY comes first, one body");
    clip_wire_msg_t *ready = decode_body (frames, 2);
    cr_assert_eq (ready->kind, CLIP_WIRE_READY);
    cr_assert_eq (ready->credit, CLIP_DEFAULT_WORKER_CREDIT, "the default credit");
    cr_assert_eq (ready->bodies, CLIP_WIRE_BODIES_MAX, "it takes %d tasks a message",
                  CLIP_WIRE_BODIES_MAX);
    f->id_len = zmq_msg_size (&frames [0]);
    cr_assert_leq (f->id_len, sizeof f->id);
    memcpy (f->id, zmq_msg_data (&frames [0]), f->id_len);
    clip_wire_msg_destroy (&ready);
    clip_wire_frames_free (frames, n);
    return f;
}

/*  The end of a test that passed: the worker stops cleanly on SIGTERM;
    the rest is the suite's clean-up.  */
static void
fake_close (fake_daemon_t *f)
{
    kill (f->worker, SIGTERM);
    int status = tu_wait (f->worker, 30000);
    f->worker = 0;
    cr_assert_eq (status, 0, "clip-worker exits 0 on SIGTERM");
}

/*  The TASKs' bodies: three short articles, task ids 101..103.  */
static void
tasks_make (clip_wire_msg_t *msgs, char texts [TASKS][128], char names [TASKS][32])
{
    for (int i = 0; i < TASKS; i++) {
        snprintf (names [i], sizeof names [0], "story-%d.txt", i);
        int len = snprintf (texts [i], sizeof texts [0],
                            "Huawei said on Monday that story %d of %d was filed in Shenzhen.\n",
                            i + 1, TASKS);
        msgs [i] = (clip_wire_msg_t) {
            .kind = CLIP_WIRE_TASK, .task = 101 + (uint64_t) i, .file = names [i],
            .data = texts [i], .data_len = (size_t) len
        };
    }
}

/*  Read RESULTs until `tasks` results came (bounded): their task ids in
    order from 101, each record's file checked; *max_bodies the most
    bodies one RESULT message had, *first_bodies the first one's.  */
static void
results_collect_n (fake_daemon_t *f, int tasks, char names [][32], int *max_bodies,
                   int *first_bodies)
{
    int got = 0;
    *max_bodies = 0;
    *first_bodies = 0;
    while (got < tasks) {
        zmq_msg_t *frames;
        int n = recv_message (f, &frames, 60000);
        cr_assert_gt (n, 0, "results came (%d of %d)", got, TASKS);
        cr_assert_eq (zmq_msg_size (&frames [1]), 6);
        cr_assert_eq (memcmp (zmq_msg_data (&frames [1]), "RESULT", 6), 0);
        if (n - 2 > *max_bodies)
            *max_bodies = n - 2;
        if (!*first_bodies)
            *first_bodies = n - 2;
        for (int b = 2; b < n; b++) {
            cr_assert_lt (got, tasks, "no more results than tasks");
            clip_wire_msg_t *res = decode_body (frames, b);
            cr_assert_eq (res->task, 101 + (uint64_t) got, "results in the order of the tasks");
            char err [256];
            clip_record_t *rec = clip_record_decode (res->data, res->data_len, err, sizeof err);
            cr_assert_not_null (rec, "%s", err);
            cr_assert_str_eq (rec->file, names [got]);
            cr_assert_str_eq (rec->status, "ok");
            clip_record_destroy (&rec);
            clip_wire_msg_destroy (&res);
            got++;
        }
        clip_wire_frames_free (frames, n);
    }
}

static void
results_collect (fake_daemon_t *f, char names [TASKS][32], int *max_bodies)
{
    int first;
    results_collect_n (f, TASKS, names, max_bodies, &first);
}

Test (worker_groups, a_task_message_of_several_bodies_gets_every_result_in_order, .timeout = 240)
{
    fake_daemon_t *f = fake_open ();
    clip_wire_msg_t msgs [TASKS];
    char texts [TASKS][128], names [TASKS][32];
    tasks_make (msgs, texts, names);
    cr_assert_eq (clip_wire_send_group (f->router, f->id, f->id_len, msgs, TASKS, 0), 0);
    int max_bodies;
    results_collect (f, names, &max_bodies);
    cr_assert_leq (max_bodies, TASKS);
    fake_close (f);
}

Test (worker_groups, a_daemon_sending_one_task_a_message_gets_one_result_a_message, .timeout = 240)
{
    fake_daemon_t *f = fake_open ();
    clip_wire_msg_t msgs [TASKS];
    char texts [TASKS][128], names [TASKS][32];
    tasks_make (msgs, texts, names);
    /*  Back to back, so that the worker holds all three at once: it would
        group its results for a daemon that had shown it takes groups.  */
    for (int i = 0; i < TASKS; i++)
        cr_assert_eq (clip_wire_send (f->router, f->id, f->id_len, &msgs [i], 0), 0);
    int max_bodies;
    results_collect (f, names, &max_bodies);
    cr_assert_eq (max_bodies, 1, "one result a message to a daemon of one task a message");
    fake_close (f);
}

/*  A result is not held back while the next task in hand is a file of
    more than 64 KiB, whose analysis would hold it long: of four tasks in
    one message, the second large, the first result leaves alone.  (Held,
    it would have gone with the large file's, after its analysis.)  */
Test (worker_groups, no_result_waits_on_a_large_file, .timeout = 240)
{
    fake_daemon_t *f = fake_open ();
    enum { N = 4, LARGE = 100 * 1024 };
    char names [N][32], small [N][128];
    char *large = clip_malloc (LARGE);
    const char *sentence = "Huawei shipped more handsets in the quarter, its rivals said. ";
    size_t slen = strlen (sentence);
    for (size_t at = 0; at < LARGE; at += slen)
        memcpy (large + at, sentence, at + slen <= LARGE ? slen : LARGE - at);
    clip_wire_msg_t msgs [N];
    for (int i = 0; i < N; i++) {
        snprintf (names [i], sizeof names [0], "story-%d.txt", i);
        int len = snprintf (small [i], sizeof small [0],
                            "Huawei said on Monday that story %d was filed in Shenzhen.\n", i + 1);
        msgs [i] = (clip_wire_msg_t) {
            .kind = CLIP_WIRE_TASK, .task = 101 + (uint64_t) i, .file = names [i],
            .data = i == 1 ? large : small [i], .data_len = i == 1 ? LARGE : (size_t) len
        };
    }
    cr_assert_eq (clip_wire_send_group (f->router, f->id, f->id_len, msgs, N, 0), 0);
    int max_bodies, first_bodies;
    results_collect_n (f, N, names, &max_bodies, &first_bodies);
    cr_assert_eq (first_bodies, 1, "the first result waited for the large file's analysis");
    free (large);
    fake_close (f);
}
