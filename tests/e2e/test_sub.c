/*  clip sub, end to end: a real clipd with real workers, and `clip sub`
    run as a process; plus a scripted publisher and replay endpoint for the
    cases a real daemon cannot be made to show on demand (lost live records,
    an unanswered request, a refused one).  Every wait is bounded.  */
#include <criterion/criterion.h>
#include <jansson.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "clip_record.h"
#include "clip_replay_msg.h"
#include "clip_util.h"
#include "testutil.h"

#define HUAWEI CLIP_SOURCE_DIR "/corpus/huawei"

static const char *const huawei [] = {
    "000_9e0fcb074dd77aaf.txt", "001_3dbc5d8e002cb599.txt", "002_b2f4190119ca8e61.txt",
    "003_209deb8297a06381.txt", "004_a2dcec478da87fef.txt",
};

/*  What a test started, so that the suite's fini cleans up after a failed
    assertion too: no clipd is left running, no temporary folder left.  */
typedef struct fake fake_t;
static void fake_free (fake_t *f);
static char *s_dir;
static tu_daemon_t *s_daemon;
static tu_sub_t *s_sub;
static fake_t *s_fake;
static pid_t s_child;

static void
cleanup (void)
{
    if (s_child > 0) {
        kill (s_child, SIGKILL);
        waitpid (s_child, NULL, 0);
        s_child = 0;
    }
    tu_sub_free (s_sub);
    s_sub = NULL;
    if (s_daemon) {
        /*  SIGTERM first: clipd then stops its own workers.  */
        tu_daemon_stop (s_daemon);
        tu_daemon_free (s_daemon);
        s_daemon = NULL;
    }
    if (s_fake)
        fake_free (s_fake);
    s_fake = NULL;
    if (s_dir) {
        tu_rmtree (s_dir);
        free (s_dir);
        s_dir = NULL;
    }
}

TestSuite (sub, .fini = cleanup);

/*  Drop the Huawei article i into the inbox under name (its own if NULL).  */
static void
drop_huawei (const tu_daemon_t *d, int i, const char *name)
{
    char *src = clip_path_join (HUAWEI, huawei [i]);
    char *dst = clip_path_join (d->inbox, name ? name : huawei [i]);
    tu_drop (src, dst);
    free (src);
    free (dst);
}

/*  Receive n records on the plain subscriber into by_seq [seq] (1-based;
    by_seq has room for max + 1).  */
static void
recv_records (tu_sub_t *sub, int n, json_t **by_seq, int max)
{
    for (int i = 0; i < n; i++) {
        char *topic = NULL;
        char *text = tu_sub_recv (sub, 30000, &topic);
        cr_assert_not_null (text, "record %d of %d not published within 30 s", i + 1, n);
        json_t *rec = json_loads (text, 0, NULL);
        cr_assert_not_null (rec, "bad JSON: %s", text);
        json_int_t seq = json_integer_value (json_object_get (rec, "seq"));
        cr_assert (seq >= 1 && seq <= max, "unexpected seq %lld", (long long) seq);
        cr_assert_null (by_seq [seq], "seq %lld published twice", (long long) seq);
        by_seq [seq] = rec;
        free (text);
        free (topic);
    }
}

/*  Parse clip sub's output: one JSON object per line.  Returns the count;
    lines [] gets new references.  */
static int
parse_lines (const char *out, json_t **lines, int max)
{
    int n = 0;
    const char *p = out;
    while (p && *p) {
        const char *nl = strchr (p, '\n');
        cr_assert_not_null (nl, "output does not end with a newline: %s", p);
        json_error_t e;
        json_t *o = json_loadb (p, (size_t) (nl - p), 0, &e);
        cr_assert_not_null (o, "line %d is not JSON (%s): %.*s", n + 1, e.text, (int) (nl - p), p);
        cr_assert_lt (n, max, "more than %d lines", max);
        lines [n++] = o;
        p = nl + 1;
    }
    return n;
}

/*  Run clip sub with args (NULL-terminated, after "sub"); expect exit 0 and
    return the parsed lines.  */
static int
run_sub (const char *const *args, json_t **lines, int max)
{
    char *clip = tu_bin ("clip/clip");
    const char *argv [32] = { clip, "sub" };
    int n = 2;
    for (int i = 0; args [i]; i++)
        argv [n++] = args [i];
    argv [n] = NULL;
    char *out = NULL;
    int status = tu_run (argv, &out, 60000);
    cr_assert_eq (status, 0, "clip sub exited with %d", status);
    int count = parse_lines (out ? out : "", lines, max);
    free (out);
    free (clip);
    return count;
}

static void
free_lines (json_t **lines, int n)
{
    for (int i = 0; i < n; i++)
        json_decref (lines [i]);
}

static const char *
verdict_of (json_t *rec)
{
    return json_string_value (json_object_get (json_object_get (rec, "dedupe"), "verdict"));
}

/*  The daemon starts with an empty corpus so that the first five records
    are not duplicates: the topic filter then has something to filter out.  */
Test (sub, replay_matches_live, .timeout = 240)
{
    s_dir = tu_tempdir ("sub");
    const char *extra [] = { "--workers", "2", "--corpus", "none", NULL };
    tu_daemon_t *d = s_daemon = tu_daemon_start (s_dir, extra);
    tu_sub_t *sub = s_sub = tu_sub_new (d->pub);
    for (int i = 0; i < 5; i++)
        drop_huawei (d, i, NULL);
    json_t *live [8] = { NULL };
    recv_records (sub, 5, live, 7);

    /*  Everything from 0: the same five records, in seq order.  */
    json_t *lines [16];
    const char *all [] = { "--since", "0", "--count", "5", "--replay", d->replay, d->pub, NULL };
    int n = run_sub (all, lines, 16);
    cr_assert_eq (n, 5);
    for (int i = 0; i < n; i++) {
        cr_assert_eq (json_integer_value (json_object_get (lines [i], "seq")), i + 1);
        char *a = json_dumps (lines [i], JSON_SORT_KEYS | JSON_COMPACT);
        char *b = json_dumps (live [i + 1], JSON_SORT_KEYS | JSON_COMPACT);
        cr_assert (json_equal (lines [i], live [i + 1]),
                   "seq %d differs:\n replayed %s\n live     %s", i + 1, a, b);
        free (a);
        free (b);
    }
    free_lines (lines, n);

    /*  From 3: 4 and 5, first.  */
    const char *from3 [] = { "--since", "3", "--count", "2", "--replay", d->replay, d->pub, NULL };
    n = run_sub (from3, lines, 16);
    cr_assert_eq (n, 2);
    cr_assert_eq (json_integer_value (json_object_get (lines [0], "seq")), 4);
    cr_assert_eq (json_integer_value (json_object_get (lines [1], "seq")), 5);
    cr_assert (json_equal (lines [1], live [5]));
    free_lines (lines, n);

    /*  Two copies of known articles: duplicates, seq 6 and 7.  */
    for (int i = 1; i <= 5; i++)
        cr_assert_str_neq (verdict_of (live [i]), "duplicate");
    drop_huawei (d, 0, "copy-of-000.txt");
    drop_huawei (d, 3, "copy-of-003.txt");
    recv_records (sub, 2, live, 7);
    cr_assert_str_eq (verdict_of (live [6]), "duplicate");
    cr_assert_str_eq (verdict_of (live [7]), "duplicate");

    /*  The topic filter skips seq 1 to 5 and prints 6 and 7 first.  */
    const char *dups [] = { "--topic", "article.dup", "--since", "0", "--count", "2",
                            "--replay", d->replay, d->pub, NULL };
    n = run_sub (dups, lines, 16);
    cr_assert_eq (n, 2);
    cr_assert_eq (json_integer_value (json_object_get (lines [0], "seq")), 6);
    cr_assert_eq (json_integer_value (json_object_get (lines [1], "seq")), 7);
    cr_assert (json_equal (lines [0], live [6]));
    cr_assert (json_equal (lines [1], live [7]));
    free_lines (lines, n);

    for (int i = 0; i < 8; i++)
        json_decref (live [i]);
    cr_assert_eq (tu_daemon_stop (d), 0);
}

/*  Started after five records were committed, clip sub replays them and
    then prints two live ones: seven records, 1 to 7, once each.  */
Test (sub, replay_then_live, .timeout = 240)
{
    s_dir = tu_tempdir ("sub-live");
    const char *extra [] = { "--workers", "2", NULL };
    tu_daemon_t *d = s_daemon = tu_daemon_start (s_dir, extra);
    tu_sub_t *sub = s_sub = tu_sub_new (d->pub);
    for (int i = 0; i < 5; i++)
        drop_huawei (d, i, NULL);
    json_t *live [8] = { NULL };
    recv_records (sub, 5, live, 7);

    char *clip = tu_bin ("clip/clip");
    char *out_path = clip_path_join (s_dir, "sub.out");
    const char *argv [] = { clip, "sub", "--since", "0", "--count", "7",
                            "--replay", d->replay, d->pub, NULL };
    s_child = tu_spawn (argv, out_path, NULL);
    drop_huawei (d, 1, "again-001.txt");
    drop_huawei (d, 2, "again-002.txt");
    recv_records (sub, 2, live, 7);
    int status = tu_wait (s_child, 60000);
    s_child = 0;
    cr_assert_eq (status, 0, "clip sub exited with %d", status);

    char *out = tu_read (out_path, NULL);
    json_t *lines [16];
    int n = parse_lines (out ? out : "", lines, 16);
    cr_assert_eq (n, 7);
    for (int i = 0; i < n; i++) {
        cr_assert_eq (json_integer_value (json_object_get (lines [i], "seq")), i + 1);
        cr_assert (json_equal (lines [i], live [i + 1]), "seq %d differs from the published one", i + 1);
    }
    /*  Two workers: the two new files may be finished in either order.  */
    const char *f6 = json_string_value (json_object_get (lines [5], "file"));
    const char *f7 = json_string_value (json_object_get (lines [6], "file"));
    cr_assert ((strcmp (f6, "again-001.txt") == 0 && strcmp (f7, "again-002.txt") == 0)
               || (strcmp (f6, "again-002.txt") == 0 && strcmp (f7, "again-001.txt") == 0),
               "seq 6 and 7 are %s and %s", f6, f7);
    free_lines (lines, n);
    free (out);
    free (out_path);
    free (clip);
    for (int i = 0; i < 8; i++)
        json_decref (live [i]);
    cr_assert_eq (tu_daemon_stop (d), 0);
}

/* ---------------------------------------------------------------------- */
/*  A scripted daemon: an XPUB (which tells when the subscription arrived)
    and a ROUTER serving replay requests from a log the test fills.  */

struct fake {
    void *ctx;
    void *pub;
    void *router;
    char pub_ep [256];
    char replay_ep [256];
    char *topics [16];          /* the log: seq i at index i - 1 */
    char *bodies [16];
    size_t lens [16];
    int head;
    int requests;               /* replay requests received */
    bool subscribed;
    bool answer;                /* false: swallow requests */
    bool refuse;                /* answer with replay.error */
    char last_identity [256];
    size_t last_identity_len;
    char first_identity [256];
    size_t first_identity_len;
};

static void
fake_bind (void *sock, char *ep, size_t size)
{
    int zero = 0;
    zmq_setsockopt (sock, ZMQ_LINGER, &zero, sizeof zero);
    cr_assert_eq (zmq_bind (sock, "tcp://127.0.0.1:*"), 0);
    zmq_getsockopt (sock, ZMQ_LAST_ENDPOINT, ep, &size);
}

static fake_t *
fake_new (void)
{
    fake_t *f = clip_calloc (1, sizeof *f);
    f->ctx = zmq_ctx_new ();
    f->pub = zmq_socket (f->ctx, ZMQ_XPUB);
    f->router = zmq_socket (f->ctx, ZMQ_ROUTER);
    fake_bind (f->pub, f->pub_ep, sizeof f->pub_ep);
    fake_bind (f->router, f->replay_ep, sizeof f->replay_ep);
    f->answer = true;
    return f;
}

static void
fake_free (fake_t *f)
{
    for (int i = 0; i < f->head; i++) {
        free (f->topics [i]);
        free (f->bodies [i]);
    }
    zmq_close (f->pub);
    zmq_close (f->router);
    zmq_ctx_term (f->ctx);
    free (f);
}

/*  Commit record seq = head + 1 to the fake log.  */
static void
fake_commit (fake_t *f, const char *topic)
{
    cr_assert_lt (f->head, 16);
    clip_record_t *rec = clip_record_new ();
    rec->has_seq = true;
    rec->seq = (uint64_t) f->head + 1;
    char *name = clip_strprintf ("article-%d.txt", f->head + 1);
    clip_record_set (rec, &rec->file, name);
    clip_record_set (rec, &rec->id, "0123456789abcdef0123456789abcdef");
    free (name);
    char *data;
    size_t len;
    clip_record_encode (rec, &data, &len);
    clip_record_destroy (&rec);
    f->topics [f->head] = clip_strdup (topic);
    f->bodies [f->head] = data;
    f->lens [f->head] = len;
    f->head++;
}

static void
fake_publish (fake_t *f, int seq)
{
    const char *topic = f->topics [seq - 1];
    cr_assert_geq (zmq_send (f->pub, topic, strlen (topic), ZMQ_SNDMORE), 0);
    cr_assert_geq (zmq_send (f->pub, f->bodies [seq - 1], f->lens [seq - 1], 0), 0);
}

static void
fake_reply (fake_t *f, const char *topic, const void *body, size_t len)
{
    zmq_send (f->router, f->last_identity, f->last_identity_len, ZMQ_SNDMORE);
    zmq_send (f->router, topic, strlen (topic), ZMQ_SNDMORE);
    zmq_send (f->router, body, len, 0);
}

/*  Serve one request as clipd's replay does (prefix "" only).  */
static void
fake_serve (fake_t *f, const void *req, size_t req_len)
{
    char err [256];
    clip_replay_request_t request;
    cr_assert_eq (clip_replay_request_decode (req, req_len, &request, err, sizeof err), 0,
                  "clip sub sent a bad request: %s", err);
    uint64_t since = request.since;
    cr_assert_eq (request.limit, 1000, "clip sub asks for pages of 1000");

    char *body;
    size_t len;
    if (f->refuse) {
        clip_replay_error_encode ("bad_request", "scripted refusal", &body, &len);
        fake_reply (f, CLIP_REPLAY_ERROR_TOPIC, body, len);
    }
    else {
        for (int seq = (int) since + 1; seq <= f->head; seq++)
            fake_reply (f, f->topics [seq - 1], f->bodies [seq - 1], f->lens [seq - 1]);
        clip_replay_end_t end = {
            .last = (uint64_t) f->head > since ? (uint64_t) f->head : since,
            .head = (uint64_t) f->head, .more = false
        };
        clip_replay_end_encode (&end, &body, &len);
        fake_reply (f, CLIP_REPLAY_END_TOPIC, body, len);
    }
    free (body);
}

/*  Handle whatever arrives within timeout_ms.  */
static void
fake_pump (fake_t *f, int timeout_ms)
{
    zmq_pollitem_t items [2] = {
        { .socket = f->pub, .events = ZMQ_POLLIN },
        { .socket = f->router, .events = ZMQ_POLLIN },
    };
    if (zmq_poll (items, 2, timeout_ms) <= 0)
        return;
    if (items [0].revents & ZMQ_POLLIN) {
        char buf [256];
        int n = zmq_recv (f->pub, buf, sizeof buf, 0);
        if (n > 0 && buf [0] == 1)
            f->subscribed = true;
    }
    if (items [1].revents & ZMQ_POLLIN) {
        char identity [256];
        int n;
        zmq_msg_t id, body;
        zmq_msg_init (&id);
        zmq_msg_init (&body);
        cr_assert_geq (zmq_msg_recv (&id, f->router, 0), 0);
        cr_assert (zmq_msg_more (&id));
        cr_assert_geq (zmq_msg_recv (&body, f->router, 0), 0);
        cr_assert (!zmq_msg_more (&body), "a request is one frame");
        n = (int) zmq_msg_size (&id);
        cr_assert_leq (n, (int) sizeof identity);
        memcpy (f->last_identity, zmq_msg_data (&id), (size_t) n);
        f->last_identity_len = (size_t) n;
        if (f->requests++ == 0) {
            memcpy (f->first_identity, zmq_msg_data (&id), (size_t) n);
            f->first_identity_len = (size_t) n;
        }
        if (f->answer)
            fake_serve (f, zmq_msg_data (&body), zmq_msg_size (&body));
        zmq_msg_close (&id);
        zmq_msg_close (&body);
    }
}

/*  Pump until the child exits (at most timeout_ms); returns its status or
    -1 after killing it.  */
static int
fake_run_until_exit (fake_t *f, pid_t pid, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 20) {
        int status;
        if (waitpid (pid, &status, WNOHANG) == pid)
            return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
        fake_pump (f, 20);
    }
    kill (pid, SIGKILL);
    waitpid (pid, NULL, 0);
    return -1;
}

/*  Wait (at most 20 s) until clip sub has subscribed and sent both of its
    first (empty) catch-ups, the second a second after start: a request
    soon after comes from what the test does next (the idle catch-up is
    IDLE_CATCH_UP_MS, 5 s, away).  */
static void
fake_wait_started (fake_t *f)
{
    bool started = false;
    for (int waited = 0; waited < 20000 && !started; waited += 20) {
        fake_pump (f, 20);
        started = f->subscribed && f->requests >= 2;
    }
    cr_assert (started, "clip sub did not subscribe and ask for a replay within 20 s");
}

/*  Live record 3 arrives while 1 and 2 were never seen live: clip sub fills
    the gap from the replay before printing it, then prints 4 live.  */
Test (sub, fills_gaps_from_replay, .timeout = 60)
{
    fake_t *f = s_fake = fake_new ();
    s_dir = tu_tempdir ("sub-gap");
    char *out_path = clip_path_join (s_dir, "out");
    char *clip = tu_bin ("clip/clip");
    const char *argv [] = { clip, "sub", "--count", "4", "--replay", f->replay_ep, f->pub_ep, NULL };
    pid_t pid = s_child = tu_spawn (argv, out_path, NULL);
    fake_wait_started (f);
    int before = f->requests;
    fake_commit (f, "article.unique");
    fake_commit (f, "article.unique");
    fake_commit (f, "article.related");
    fake_publish (f, 3);
    /*  The gap makes clip sub ask again.  */
    for (int waited = 0; waited < 20000 && f->requests == before; waited += 20)
        fake_pump (f, 20);
    cr_assert_gt (f->requests, before, "a gap did not cause a replay request");
    fake_commit (f, "article.unique");
    fake_publish (f, 4);
    int status = fake_run_until_exit (f, pid, 20000);
    s_child = 0;
    cr_assert_eq (status, 0, "clip sub exited with %d", status);

    char *out = tu_read (out_path, NULL);
    json_t *lines [8];
    int n = parse_lines (out ? out : "", lines, 8);
    cr_assert_eq (n, 4, "output:\n%s", out ? out : "");
    for (int i = 0; i < n; i++)
        cr_assert_eq (json_integer_value (json_object_get (lines [i], "seq")), i + 1);
    free_lines (lines, n);
    free (out);
    free (clip);
    free (out_path);
}

/*  A record committed while the SUB socket heard nothing (clipd restarted
    and published it before the subscription came back) and no record
    after it: no gap ever shows, so clip sub asks the replay endpoint all
    the same once it has been idle a while, and prints it.  Before it did,
    the record was never printed (CI's Docker test saw it under load).  */
Test (sub, idle_catch_up_finds_a_record_never_published, .timeout = 60)
{
    fake_t *f = s_fake = fake_new ();
    s_dir = tu_tempdir ("sub-idle");
    char *out_path = clip_path_join (s_dir, "out");
    char *clip = tu_bin ("clip/clip");
    const char *argv [] = { clip, "sub", "--count", "1", "--replay", f->replay_ep, f->pub_ep, NULL };
    pid_t pid = s_child = tu_spawn (argv, out_path, NULL);
    fake_wait_started (f);
    fake_commit (f, "article.unique");          /* committed, never published */
    int status = fake_run_until_exit (f, pid, 30000);
    s_child = 0;
    cr_assert_eq (status, 0, "clip sub did not print the unpublished record within 30 s "
                  "(status %d)", status);
    char *out = tu_read (out_path, NULL);
    json_t *lines [4];
    int n = parse_lines (out ? out : "", lines, 4);
    cr_assert_eq (n, 1, "output:\n%s", out ? out : "");
    cr_assert_eq (json_integer_value (json_object_get (lines [0], "seq")), 1);
    free_lines (lines, n);
    free (out);
    free (clip);
    free (out_path);
}

/*  An unanswered request is sent again on a fresh DEALER (a new identity);
    a refusal ends clip sub with status 1 and the reason on stderr.  */
Test (sub, retries_then_reports_refusal, .timeout = 60)
{
    fake_t *f = s_fake = fake_new ();
    f->answer = false;
    s_dir = tu_tempdir ("sub-refused");
    char *err_path = clip_path_join (s_dir, "err");
    char *clip = tu_bin ("clip/clip");
    const char *argv [] = { clip, "sub", "--replay", f->replay_ep, f->pub_ep, NULL };
    pid_t pid = s_child = tu_spawn (argv, NULL, err_path);
    bool first = false;
    for (int waited = 0; waited < 20000 && !first; waited += 20) {
        fake_pump (f, 20);
        first = f->requests >= 1;
    }
    cr_assert (first, "no replay request within 20 s");
    f->answer = true;
    f->refuse = true;
    /*  clip sub waits 5 s for an answer before asking again.  */
    int status = fake_run_until_exit (f, pid, 20000);
    s_child = 0;
    cr_assert_eq (status, 1, "clip sub exited with %d", status);
    cr_assert_eq (f->requests, 2);
    cr_assert (f->first_identity_len != f->last_identity_len
               || memcmp (f->first_identity, f->last_identity, f->last_identity_len) != 0,
               "the request was sent again on the same socket");
    char *err = tu_read (err_path, NULL);
    cr_assert_not_null (err);
    cr_assert_not_null (strstr (err, "scripted refusal"), "stderr: %s", err);
    free (err);
    free (clip);
    free (err_path);
}

/*  A replay endpoint that never answers is not a reached clipd:
    --timeout-ms ends the wait with status 1, saying so (issue 11).  */
Test (sub, idle_timeout_without_answer_fails, .timeout = 60)
{
    fake_t *f = s_fake = fake_new ();
    f->answer = false;          /* a daemon that never answers */
    char *clip = tu_bin ("clip/clip");
    s_dir = tu_tempdir ("sub-noanswer");
    char *err_path = clip_path_join (s_dir, "sub.err");
    const char *argv [] = { clip, "sub", "--timeout-ms", "500", "--replay", f->replay_ep,
                            f->pub_ep, NULL };
    pid_t pid = s_child = tu_spawn (argv, NULL, err_path);
    int status = fake_run_until_exit (f, pid, 20000);
    s_child = 0;
    cr_assert_eq (status, 1, "clip sub exited with %d", status);
    char *err = tu_read (err_path, NULL);
    cr_assert (err && strstr (err, "clip: sub: clipd not reached at"), "stderr: %s", err);
    free (err);
    free (err_path);
    free (clip);
}

Test (sub, bad_usage)
{
    char *clip = tu_bin ("clip/clip");
    const char *cases [][5] = {
        { clip, "sub", "--since", "-1", NULL },
        { clip, "sub", "--since", "x", NULL },
        { clip, "sub", "--count", NULL },
        { clip, "sub", "--count", "0", NULL },
        { clip, "sub", "--bogus", NULL },
        { clip, "sub", "tcp://127.0.0.1:1", "tcp://127.0.0.1:2", NULL },
        { clip, "sub", "not-an-endpoint", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++)
        cr_assert_eq (tu_run (cases [i], NULL, 10000), 2, "case %zu", i);
    const char *help [] = { clip, "sub", "--help", NULL };
    char *out = NULL;
    cr_assert_eq (tu_run (help, &out, 10000), 0);
    cr_assert_not_null (strstr (out, "--timeout-ms"));
    cr_assert_not_null (strstr (out, "--count"));
    free (out);
    free (clip);
}

/*  Run clip sub (args after "sub", NULL-terminated) with stdout and
    stderr captured (caller owns both); returns the exit status.  */
static int
run_sub_captured (const char *const *args, char **out, char **err)
{
    char *clip = tu_bin ("clip/clip");
    const char *argv [32] = { clip, "sub" };
    int n = 2;
    for (int i = 0; args [i]; i++)
        argv [n++] = args [i];
    argv [n] = NULL;
    char *out_path = clip_path_join (s_dir, "sub.out");
    char *err_path = clip_path_join (s_dir, "sub.err");
    pid_t pid = tu_spawn (argv, out_path, err_path);
    int status = tu_wait (pid, tu_scaled_ms (60000));
    *out = tu_read (out_path, NULL);
    *err = tu_read (err_path, NULL);
    cr_assert (*out && *err);
    free (out_path);
    free (err_path);
    free (clip);
    return status;
}

/*  Run clip sub with its stdout on a pseudo-terminal, NO_COLOR set or not;
    returns what it printed (caller owns).  */
static char *
run_sub_on_tty (const char *const *args, bool no_color)
{
    char *clip = tu_bin ("clip/clip");
    const char *argv [32] = { clip, "sub" };
    int n = 2;
    for (int i = 0; args [i]; i++)
        argv [n++] = args [i];
    argv [n] = NULL;
    int master, slave;
    cr_assert_eq (openpty (&master, &slave, NULL, NULL, NULL), 0);
    pid_t pid = s_child = fork ();
    cr_assert_geq (pid, 0);
    if (pid == 0) {
        dup2 (slave, STDOUT_FILENO);
        close (master);
        close (slave);
        if (no_color)
            setenv ("NO_COLOR", "1", 1);
        else
            unsetenv ("NO_COLOR");
        execv (argv [0], (char *const *) argv);
        _exit (127);
    }
    close (slave);
    size_t len = 0, cap = 4096;
    char *text = clip_malloc (cap);
    uint64_t deadline = clip_mono_ms () + (uint64_t) tu_scaled_ms (60000);
    for (;;) {
        struct pollfd p = { .fd = master, .events = POLLIN };
        if (clip_mono_ms () > deadline || poll (&p, 1, 200) < 0)
            break;
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            if (len + 1024 >= cap)
                text = clip_realloc (text, cap *= 2);
            ssize_t got = read (master, text + len, cap - len - 1);
            if (got <= 0)
                break;          /* EIO: the child closed the terminal */
            len += (size_t) got;
        }
    }
    text [len] = 0;
    close (master);
    cr_assert_eq (tu_wait (pid, 10000), 0, "clip sub on a terminal: %s", text);
    s_child = 0;
    free (clip);
    return text;
}

static bool
is_iso_utc (const char *s)
{
    /*  2026-12-06T01:53:12Z  */
    const char *shape = "dddd-dd-ddTdd:dd:ddZ";
    for (size_t i = 0; shape [i]; i++)
        if (shape [i] == 'd' ? !(s [i] >= '0' && s [i] <= '9') : s [i] != shape [i])
            return false;
    return true;
}

/*  --state, --pretty (plain when piped, coloured on a terminal unless
    NO_COLOR), and an idle timeout after clipd was reached (status 0), on a
    real clipd started with ports "*" (issue 11).  */
Test (sub, pretty_and_state, .timeout = 240)
{
    s_dir = tu_tempdir ("sub-pretty");
    const char *extra [] = { "--workers", "1", "--corpus", "none", NULL };
    tu_daemon_t *d = s_daemon = tu_daemon_start (s_dir, extra);
    tu_sub_t *sub = s_sub = tu_sub_new (d->pub);
    drop_huawei (d, 0, NULL);
    json_t *live [4] = { NULL };
    /*  The copy after the original, so that it copies seq 1.  */
    recv_records (sub, 1, live, 3);
    drop_huawei (d, 0, "copy-of-000.txt");
    recv_records (sub, 1, live, 3);
    cr_assert_str_eq (verdict_of (live [2]), "duplicate");

    /*  JSON lines, by default, from the endpoints in STATE/endpoints.json.  */
    char *out, *err;
    const char *json_args [] = { "--state", d->state, "--since", "0", "--count", "2", NULL };
    cr_assert_eq (run_sub_captured (json_args, &out, &err), 0, "stderr: %s", err);
    json_t *lines [4];
    cr_assert_eq (parse_lines (out, lines, 4), 2);
    cr_assert (json_equal (lines [0], live [1]) && json_equal (lines [1], live [2]));
    free_lines (lines, 2);
    free (out);
    free (err);

    /*  --pretty, piped: no colour.  */
    const char *pretty_args [] = { "--state", d->state, "--since", "0", "--count", "2",
                                   "--pretty", NULL };
    cr_assert_eq (run_sub_captured (pretty_args, &out, &err), 0, "stderr: %s", err);
    cr_assert_null (strchr (out, '\033'), "colour on a pipe: %s", out);
    char *second = strchr (out, '\n');
    cr_assert (second && strchr (second + 1, '\n') && !strchr (second + 1, '\n') [1],
               "two lines: %s", out);
    second++;
    cr_assert (is_iso_utc (out) && is_iso_utc (second), "ISO times: %s", out);
    cr_assert (strncmp (out + 20, "  #1  unique ", 13) == 0, "%s", out);
    cr_assert (strncmp (second + 20, "  #2  duplicate ", 16) == 0, "%s", out);
    const char *title = json_string_value (json_object_get (live [1], "title"));
    char *quoted = clip_strprintf ("\"%.40s", title);
    cr_assert (strstr (out, quoted) && strstr (second, quoted), "the title: %s", out);
    free (quoted);
    /*  The most mentioned name of the article leads its entities.  */
    cr_assert (strstr (out, "  [Huawei"), "top entities: %s", out);
    cr_assert (strstr (second, "~ 000_9e0fcb074dd77aaf.txt #1 (jaccard 1, containment 1)"),
               "the original it copies: %s", second);
    free (out);
    free (err);

    /*  On a terminal: coloured, unless NO_COLOR.  */
    const char *one [] = { "--state", d->state, "--since", "0", "--count", "1", "--pretty", NULL };
    char *tty = run_sub_on_tty (one, false);
    cr_assert (strstr (tty, "\033[32munique"), "green unique on a terminal: %s", tty);
    free (tty);
    tty = run_sub_on_tty (one, true);
    cr_assert_null (strchr (tty, '\033'), "NO_COLOR: %s", tty);
    cr_assert (strstr (tty, "#1  unique"), "%s", tty);
    free (tty);

    /*  Reached, then idle: status 0, nothing printed.  */
    const char *idle [] = { "--state", d->state, "--since", "2", "--timeout-ms", "1500", NULL };
    cr_assert_eq (run_sub_captured (idle, &out, &err), 0, "stderr: %s", err);
    cr_assert_str_eq (out, "");
    cr_assert_null (strstr (err, "cannot reach"), "%s", err);
    free (out);
    free (err);
    json_decref (live [1]);
    json_decref (live [2]);
}

/*  Nothing listening: a line on stderr after a few seconds, then status 1
    when --timeout-ms passes; a --state folder without endpoints.json is
    named (issue 11).  */
Test (sub, unreachable_clipd_is_said_and_fails, .timeout = 60)
{
    s_dir = tu_tempdir ("sub-unreachable");
    /*  Ports of sockets bound then closed: nothing listens there now.  */
    char pub [64], replay [64];
    void *ctx = zmq_ctx_new ();
    for (int i = 0; i < 2; i++) {
        void *s = zmq_socket (ctx, ZMQ_ROUTER);
        int zero = 0;
        zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero);
        cr_assert_eq (zmq_bind (s, "tcp://127.0.0.1:*"), 0);
        size_t size = 64;
        zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, i ? replay : pub, &size);
        zmq_close (s);
    }
    zmq_ctx_term (ctx);
    char *out, *err;
    const char *args [] = { "--timeout-ms", "4500", "--replay", replay, pub, NULL };
    uint64_t start = clip_mono_ms ();
    cr_assert_eq (run_sub_captured (args, &out, &err), 1, "stderr: %s", err);
    cr_assert_geq (clip_mono_ms () - start, 4500);
    cr_assert_str_eq (out, "");
    cr_assert (strstr (err, "clip: sub: cannot reach clipd at"), "the early line: %s", err);
    cr_assert (strstr (err, "still trying"), "%s", err);
    cr_assert (strstr (err, "clip: sub: clipd not reached at"), "the last line: %s", err);
    free (out);
    free (err);

    const char *nostate [] = { "--state", s_dir, "--timeout-ms", "1000", NULL };
    cr_assert_eq (run_sub_captured (nostate, &out, &err), 1);
    cr_assert (strstr (err, "endpoints.json"), "%s", err);
    free (out);
    free (err);
}
