/*  CURVE with authentication, without Docker (issue 10): a real clipd with
    --curve-secret and allow-lists, real clip-worker processes, real CURVE
    sockets on loopback (ports picked by the kernel), keys written by the
    real `clip keygen`.  Each test says what it would see without the
    feature.  Every wait is bounded.  */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "clip_curve.h"
#include "clip_record.h"
#include "clip_replay_msg.h"
#include "clip_util.h"
#include "clip_wire.h"
#include "testutil.h"

#define HUAWEI CLIP_SOURCE_DIR "/corpus/huawei"
#define MAX_CHILDREN 8

static const char *const huawei [] = {
    "000_9e0fcb074dd77aaf.txt", "001_3dbc5d8e002cb599.txt", "002_b2f4190119ca8e61.txt",
    "003_209deb8297a06381.txt", "004_a2dcec478da87fef.txt",
};

/*  What a test started, cleaned up by the fini after a failed assertion
    too.  */
static char *s_dir;
static tu_daemon_t *s_daemon;
static pid_t s_children [MAX_CHILDREN];
static int s_n_children;

static void
cleanup (void)
{
    for (int i = 0; i < s_n_children; i++)
        if (s_children [i] > 0) {
            kill (s_children [i], SIGKILL);
            waitpid (s_children [i], NULL, 0);
        }
    s_n_children = 0;
    tu_suite_cleanup (&s_dir, &s_daemon);
}

TestSuite (curve, .fini = cleanup, .timeout = 240);

/*  The end of a test that ran: workers and clipd stop cleanly on SIGTERM
    (exit 0: under the sanitizers, no leak and no error in either).  */
static void
stop_all (void)
{
    for (int i = 0; i < s_n_children; i++) {
        kill (s_children [i], SIGTERM);
        int status = tu_wait (s_children [i], tu_scaled_ms (10000));
        s_children [i] = 0;
        cr_assert_eq (status, 0, "clip-worker %d exits 0 on SIGTERM", i);
    }
    s_n_children = 0;
    if (s_daemon) {
        int status = tu_daemon_stop (s_daemon);
        char *log = tu_read (s_daemon->log, NULL);
        cr_assert_eq (status, 0, "clipd exits 0 on SIGTERM:\n%s", log);
        free (log);
        tu_daemon_free (s_daemon);
        s_daemon = NULL;
    }
}

static char *
path_in (const char *dir, const char *name)
{
    return clip_path_join (dir, name);
}

/*  `clip keygen DIR/NAME`; asserts it succeeded.  */
static void
keygen (const char *dir, const char *name)
{
    char *clip = tu_bin ("clip/clip");
    char *base = clip_path_join (dir, name);
    const char *argv [] = { clip, "keygen", base, NULL };
    char *out = NULL;
    int rc = tu_run (argv, &out, tu_scaled_ms (10000));
    cr_assert_eq (rc, 0, "clip keygen %s exits 0", base);
    cr_assert (out && strlen (out) == CLIP_CURVE_Z85_LEN + 1, "keygen prints the public key");
    free (out);
    free (base);
    free (clip);
}

/*  Copy DIR/NAME.pub into folder.  */
static void
allow (const char *dir, const char *name, const char *folder)
{
    char *src = clip_strprintf ("%s/%s.pub", dir, name);
    char *dst = clip_strprintf ("%s/%s.pub", folder, name);
    tu_drop (src, dst);
    free (src);
    free (dst);
}

/*  The keys every test uses, in s_dir/keys: server, worker (allowed as a
    worker), sub (allowed as a subscriber), stranger (allowed nowhere).  */
static void
make_keys (char **workers_dir, char **subs_dir, char **keys_dir)
{
    *keys_dir = path_in (s_dir, "keys");
    *workers_dir = path_in (s_dir, "allowed-workers");
    *subs_dir = path_in (s_dir, "allowed-subscribers");
    cr_assert_eq (clip_mkdirs (*keys_dir, 0755), 0);
    cr_assert_eq (clip_mkdirs (*workers_dir, 0755), 0);
    cr_assert_eq (clip_mkdirs (*subs_dir, 0755), 0);
    const char *names [] = { "server", "worker", "sub", "stranger" };
    for (int i = 0; i < 4; i++)
        keygen (*keys_dir, names [i]);
    allow (*keys_dir, "worker", *workers_dir);
    allow (*keys_dir, "sub", *subs_dir);
}

static tu_daemon_t *
start_curve_daemon (const char *keys, const char *workers, const char *subs,
                    const char *const *more)
{
    char *secret = clip_strprintf ("%s/server.key", keys);
    const char *extra [24] = { "--curve-secret", secret, "--curve-workers", workers,
                               "--curve-subscribers", subs, "--corpus", "none" };
    int n = 8;
    for (int i = 0; more && more [i] && n < 22; i++)
        extra [n++] = more [i];
    extra [n] = NULL;
    tu_daemon_t *d = tu_daemon_start (s_dir, extra);
    free (secret);
    return d;
}

/*  A clip-worker with key NAME against d, logging to s_dir/NAME-worker.log.  */
static pid_t
start_worker (const tu_daemon_t *d, const char *keys, const char *name, char **log_out)
{
    char *worker = tu_bin ("workers/clip-worker");
    char *server = clip_strprintf ("%s/server.pub", keys);
    char *key = clip_strprintf ("%s/%s.key", keys, name);
    char *log = clip_strprintf ("%s/%s-worker.log", s_dir, name);
    const char *argv [] = { worker, "--tasks", d->tasks, "--curve-server-key", server,
                            "--curve-key", key, "--liveness-ms", "1500", NULL };
    pid_t pid = tu_spawn (argv, NULL, log);
    cr_assert (s_n_children < MAX_CHILDREN);
    s_children [s_n_children++] = pid;
    free (worker);
    free (server);
    free (key);
    if (log_out)
        *log_out = log;
    else
        free (log);
    return pid;
}

static void
drop (const tu_daemon_t *d, int i, const char *as)
{
    char *src = clip_strprintf ("%s/%s", HUAWEI, huawei [i]);
    char *dst = clip_path_join (d->inbox, as);
    tu_drop (src, dst);
    free (src);
    free (dst);
}

#define REFUSED_WORKERS "clipd_auth_refused_total{domain=\"workers\"}"
#define REFUSED_SUBS "clipd_auth_refused_total{domain=\"subscribers\"}"
#define ACCEPTED_SUBS "clipd_auth_accepted_total{domain=\"subscribers\"}"

typedef struct {
    const char *path;
    const char *needle;
} file_has_t;

static bool
file_has (void *arg)
{
    file_has_t *f = arg;
    char *text = tu_read (f->path, NULL);
    bool found = text && strstr (text, f->needle);
    free (text);
    return found;
}

static char *
done_dir (const tu_daemon_t *d)
{
    return clip_path_join (d->state, "done");
}

static bool
has_files (void *arg)
{
    return tu_count_files (arg) > 0;
}

/*  The negative check, bounded: nothing reaches done/ within ms.  */
static void
assert_nothing_done (const tu_daemon_t *d, int ms, const char *why)
{
    char *done = done_dir (d);
    cr_assert_not (tu_wait_for (has_files, done, tu_scaled_ms (ms)), "%s", why);
    free (done);
}

/*  A CURVE client socket of type with key NAME; connected.  */
static void *
curve_socket (void *ctx, int type, const char *keys, const char *name, const char *endpoint)
{
    void *s = zmq_socket (ctx, type);
    int zero = 0;
    zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero);
    char *server_path = clip_strprintf ("%s/server.pub", keys);
    char *key_path = clip_strprintf ("%s/%s.key", keys, name);
    char server [CLIP_CURVE_Z85_LEN + 1], err [512];
    clip_curve_pair_t pair;
    cr_assert_eq (clip_curve_public_load (server_path, server, err, sizeof err), 0, "%s", err);
    cr_assert_eq (clip_curve_pair_load (key_path, &pair, err, sizeof err), 0, "%s", err);
    cr_assert_eq (clip_curve_client_apply (s, server, &pair, err, sizeof err), 0, "%s", err);
    if (type == ZMQ_SUB)
        zmq_setsockopt (s, ZMQ_SUBSCRIBE, "", 0);
    cr_assert_eq (zmq_connect (s, endpoint), 0);
    free (server_path);
    free (key_path);
    return s;
}

/*  Messages (of any frames) received on s within ms.  */
static int
recv_within (void *s, int ms)
{
    uint64_t until = clip_mono_ms () + (uint64_t) tu_scaled_ms (ms);
    for (;;) {
        uint64_t now = clip_mono_ms ();
        if (now >= until)
            return 0;
        zmq_pollitem_t item = { .socket = s, .events = ZMQ_POLLIN };
        if (zmq_poll (&item, 1, (long) (until - now)) > 0 && (item.revents & ZMQ_POLLIN)) {
            zmq_msg_t *frames;
            int n = clip_wire_recv_frames (s, &frames, ZMQ_DONTWAIT);
            if (n > 0) {
                clip_wire_frames_free (frames, n);
                return 1;
            }
        }
    }
}

static void
send_replay_request (void *dealer)
{
    clip_replay_request_t req = { .since = 0, .limit = 10 };
    char *data;
    size_t len;
    clip_replay_request_encode (&req, &data, &len);
    cr_assert_eq (zmq_send (dealer, data, len, 0), (int) len);
    free (data);
}

/*  ------------------------------------------------------------------ */

/*  An allowed worker gets tasks; a stranger with valid keys gets nothing and
    is counted.  Without the ZAP handler, the stranger would get in (CURVE
    alone only encrypts) and the counter would not exist.  */
Test (curve, allowed_worker_works_stranger_refused)
{
    s_dir = tu_tempdir ("curve-workers");
    char *workers, *subs, *keys;
    make_keys (&workers, &subs, &keys);
    s_daemon = start_curve_daemon (keys, workers, subs, NULL);
    cr_assert_eq (tu_metric (s_daemon, REFUSED_WORKERS), 0, "the label is there at 0");
    cr_assert_eq (tu_metric (s_daemon, REFUSED_SUBS), 0, "the label is there at 0");

    /*  The stranger alone first: the file waits.  */
    char *stranger_log;
    start_worker (s_daemon, keys, "stranger", &stranger_log);
    drop (s_daemon, 0, "a.txt");
    tu_wait_metric (s_daemon, REFUSED_WORKERS, 1, 15000);
    file_has_t refused = { stranger_log, "event=auth_refused" };
    cr_assert (tu_wait_for (file_has, &refused, tu_scaled_ms (10000)),
               "the stranger logs why it is refused");
    tu_wait_log (s_daemon, "event=auth_refused domain=\"workers\"", 1, 5000);
    /*  Bounded: it must not get the task in 3 s (it is refused again at each
        reconnect).  */
    assert_nothing_done (s_daemon, 3000, "nothing processed by the stranger");
    /*  Refused again and again (it retries), it said so once.  */
    tu_wait_metric (s_daemon, REFUSED_WORKERS, 2, 15000);
    char *text = tu_read (stranger_log, NULL);
    int lines = 0;
    for (char *p = text; p && (p = strstr (p, "event=auth_refused")) != NULL; p++)
        lines++;
    cr_assert_eq (lines, 1, "one error line for many refusals:\n%s", text);
    free (text);
    char *done = done_dir (s_daemon);
    cr_assert_eq (tu_log_count (s_daemon, "event=worker_joined"), 0, "the stranger never joined");

    start_worker (s_daemon, keys, "worker", NULL);
    tu_wait_files (done, 1, 30000);
    tu_wait_log (s_daemon, "event=auth_accepted domain=workers", 1, 5000);
    cr_assert_eq (tu_log_count (s_daemon, "event=worker_joined"), 1, "only the allowed worker joined");
    stop_all ();
    free (done);
    free (stranger_log);
    free (workers);
    free (subs);
    free (keys);
}

/*  An allowed subscriber reads PUB and replay; a stranger reads nothing
    from either and is counted.  */
Test (curve, subscribers_allowed_and_refused)
{
    s_dir = tu_tempdir ("curve-subs");
    char *workers, *subs, *keys;
    make_keys (&workers, &subs, &keys);
    s_daemon = start_curve_daemon (keys, workers, subs, NULL);
    start_worker (s_daemon, keys, "worker", NULL);
    void *ctx = zmq_ctx_new ();
    void *sub = curve_socket (ctx, ZMQ_SUB, keys, "sub", s_daemon->pub);
    void *stranger_sub = curve_socket (ctx, ZMQ_SUB, keys, "stranger", s_daemon->pub);
    /*  The allowed subscription has reached clipd once its handshake is
        accepted and the prefix is held.  */
    tu_wait_metric (s_daemon, ACCEPTED_SUBS, 1, 15000);
    tu_wait_metric (s_daemon, "clipd_subscriptions", 1, 15000);
    tu_wait_metric (s_daemon, REFUSED_SUBS, 1, 15000);
    drop (s_daemon, 0, "a.txt");
    cr_assert_eq (recv_within (sub, 30000), 1, "the allowed subscriber reads PUB");
    cr_assert_eq (recv_within (stranger_sub, 2000), 0, "the stranger reads nothing from PUB");

    void *dealer = curve_socket (ctx, ZMQ_DEALER, keys, "sub", s_daemon->replay);
    send_replay_request (dealer);
    cr_assert_eq (recv_within (dealer, 15000), 1, "the allowed subscriber reads replay");
    long long before = tu_metric (s_daemon, REFUSED_SUBS);
    void *stranger_dealer = curve_socket (ctx, ZMQ_DEALER, keys, "stranger", s_daemon->replay);
    /*  Queued, never sent: the connection is not made.  */
    zmq_send (stranger_dealer, "x", 1, ZMQ_DONTWAIT);
    tu_wait_metric (s_daemon, REFUSED_SUBS, before + 1, 15000);
    cr_assert_eq (recv_within (stranger_dealer, 2000), 0, "the stranger reads nothing from replay");

    /*  clip sub, the program, with the allowed pair reads the record; with
        the stranger's it prints nothing and says why on stderr.  */
    char *clip = tu_bin ("clip/clip");
    char *server = clip_strprintf ("%s/server.pub", keys);
    char *key = clip_strprintf ("%s/sub.key", keys);
    char *skey = clip_strprintf ("%s/stranger.key", keys);
    char *out = NULL;
    const char *ok_argv [] = { clip, "sub", "--since", "0", "--count", "1", "--timeout-ms", "20000",
                               "--curve-server-key", server, "--curve-key", key,
                               "--replay", s_daemon->replay, s_daemon->pub, NULL };
    cr_assert_eq (tu_run (ok_argv, &out, tu_scaled_ms (30000)), 0);
    cr_assert (out && strstr (out, "\"seq\":1"), "clip sub with the allowed pair: %s", out);
    free (out);
    char *err_path = path_in (s_dir, "stranger-sub.err");
    char *out_path = path_in (s_dir, "stranger-sub.out");
    const char *bad_argv [] = { clip, "sub", "--since", "0", "--timeout-ms", "3000",
                                "--curve-server-key", server, "--curve-key", skey,
                                "--replay", s_daemon->replay, s_daemon->pub, NULL };
    pid_t pid = tu_spawn (bad_argv, out_path, err_path);
    /*  Refused, clipd is never reached: --timeout-ms exits 1 (issue 11).  */
    cr_assert_eq (tu_wait (pid, tu_scaled_ms (30000)), 1);
    char *printed = tu_read (out_path, NULL);
    cr_assert (printed && !*printed, "clip sub with the stranger's pair prints nothing");
    file_has_t says = { err_path, "event=auth_refused" };
    cr_assert (file_has (&says), "clip sub says it was refused");
    free (printed);
    free (err_path);
    free (out_path);
    free (clip);
    free (server);
    free (key);
    free (skey);

    zmq_close (sub);
    zmq_close (stranger_sub);
    zmq_close (dealer);
    zmq_close (stranger_dealer);
    zmq_ctx_term (ctx);
    stop_all ();
    free (workers);
    free (subs);
    free (keys);
}

/*  Domains are separate: a key allowed as a subscriber is not a worker.  */
Test (curve, subscriber_key_cannot_take_tasks)
{
    s_dir = tu_tempdir ("curve-domains");
    char *workers, *subs, *keys;
    make_keys (&workers, &subs, &keys);
    s_daemon = start_curve_daemon (keys, workers, subs, NULL);
    start_worker (s_daemon, keys, "sub", NULL);
    drop (s_daemon, 0, "a.txt");
    tu_wait_metric (s_daemon, REFUSED_WORKERS, 1, 15000);
    assert_nothing_done (s_daemon, 3000, "a subscriber's key took no task");
    cr_assert_eq (tu_log_count (s_daemon, "event=worker_joined"), 0);
    stop_all ();
    free (workers);
    free (subs);
    free (keys);
}

/*  SIGHUP reads the folders again: a key added lets its worker in; a
    broken folder keeps the lists in force.  */
Test (curve, sighup_reloads_allow_list)
{
    s_dir = tu_tempdir ("curve-hup");
    char *workers, *subs, *keys;
    make_keys (&workers, &subs, &keys);
    s_daemon = start_curve_daemon (keys, workers, subs, NULL);
    start_worker (s_daemon, keys, "stranger", NULL);
    drop (s_daemon, 0, "a.txt");
    tu_wait_metric (s_daemon, REFUSED_WORKERS, 1, 15000);
    char *done = done_dir (s_daemon);
    cr_assert_eq (tu_count_files (done), 0);

    /*  A broken .pub: the reload is refused, the old lists stay.  */
    char *bad = clip_strprintf ("%s/broken.pub", workers);
    tu_write (bad, "public-key = short\n", 19);
    kill (s_daemon->pid, SIGHUP);
    tu_wait_log (s_daemon, "event=allow_lists_reload_refused", 1, 10000);
    cr_assert (tu_log_count (s_daemon, "broken.pub") >= 1, "the refusal names the file");
    unlink (bad);
    free (bad);

    allow (keys, "stranger", workers);
    kill (s_daemon->pid, SIGHUP);
    tu_wait_log (s_daemon, "event=allow_lists_loaded workers=2", 1, 10000);
    /*  The worker retries by itself (a new socket after its liveness).  */
    tu_wait_files (done, 1, 40000);
    stop_all ();
    free (done);
    free (workers);
    free (subs);
    free (keys);
}

/*  --workers N with CURVE: clipd makes the local workers' pair itself; no
    --curve-workers folder is needed.  */
Test (curve, local_workers_with_curve)
{
    s_dir = tu_tempdir ("curve-local");
    char *workers, *subs, *keys;
    make_keys (&workers, &subs, &keys);
    char *secret = clip_strprintf ("%s/server.key", keys);
    const char *extra [] = { "--curve-secret", secret, "--curve-subscribers", subs,
                             "--corpus", "none", "--workers", "1", NULL };
    s_daemon = tu_daemon_start (s_dir, extra);
    char *local = clip_path_join (s_daemon->state, "local-worker.key");
    struct stat st;
    cr_assert_eq (stat (local, &st), 0, "STATE/local-worker.key is written");
    cr_assert_eq (st.st_mode & 0777, 0600, "and only its owner reads it");
    drop (s_daemon, 1, "b.txt");
    char *done = done_dir (s_daemon);
    tu_wait_files (done, 1, 60000);
    stop_all ();
    free (done);
    free (local);
    free (secret);
    free (workers);
    free (subs);
    free (keys);
}

/*  Run clipd with args (after its program name) to its end; returns the
    exit status and the stderr text in *err_text.  */
static int
run_clipd (const char *const *args, char **err_text)
{
    char *clipd = tu_bin ("daemon/clipd");
    const char *argv [32] = { clipd };
    int n = 1;
    for (int i = 0; args [i] && n < 31; i++)
        argv [n++] = args [i];
    argv [n] = NULL;
    char *err_path = path_in (s_dir, "clipd.err");
    pid_t pid = tu_spawn (argv, NULL, err_path);
    int rc = tu_wait (pid, tu_scaled_ms (20000));
    *err_text = tu_read (err_path, NULL);
    free (err_path);
    free (clipd);
    return rc;
}

/*  Beyond loopback without keys: refused before anything binds (the
    address below is TEST-NET-1, never this host's: a bind would fail with
    exit 1, not 2) and before the state folder is made.  */
Test (curve, refused_beyond_loopback_without_keys)
{
    s_dir = tu_tempdir ("curve-refuse");
    char *state = path_in (s_dir, "var");
    char *inbox = path_in (s_dir, "inbox");
    const char *endpoints [][2] = {
        { "--tasks", "tcp://192.0.2.1:5555" }, { "--pub", "tcp://192.0.2.1:5556" },
        { "--replay", "tcp://192.0.2.1:5557" },
    };
    for (int i = 0; i < 3; i++) {
        const char *args [] = { "--state", state, "--inbox", inbox, "--http", "off",
                                endpoints [i][0], endpoints [i][1], NULL };
        char *err = NULL;
        cr_assert_eq (run_clipd (args, &err), 2, "%s beyond loopback: exit 2", endpoints [i][0]);
        cr_assert (err && strstr (err, endpoints [i][0]) && strstr (err, "--curve-secret FILE")
                   && strstr (err, "clip keygen") && strstr (err, "--allow-insecure"),
                   "the message names the flag and the fixes: %s", err);
        free (err);
    }
    const char *http [] = { "--state", state, "--inbox", inbox, "--http", "192.0.2.1:9110", NULL };
    char *err = NULL;
    cr_assert_eq (run_clipd (http, &err), 2);
    cr_assert (err && strstr (err, "--http") && strstr (err, "reverse proxy")
               && strstr (err, "--allow-insecure"), "%s", err);
    free (err);
    struct stat st;
    cr_assert_neq (stat (state, &st), 0, "nothing was made: refused before start");
    free (state);
    free (inbox);
}

/*  --curve-secret needs the allow-lists.  */
Test (curve, curve_secret_needs_lists)
{
    s_dir = tu_tempdir ("curve-lists");
    char *workers, *subs, *keys;
    make_keys (&workers, &subs, &keys);
    char *secret = clip_strprintf ("%s/server.key", keys);
    char *state = path_in (s_dir, "var");
    const char *no_subs [] = { "--state", state, "--curve-secret", secret, "--curve-workers",
                               workers, NULL };
    char *err = NULL;
    cr_assert_eq (run_clipd (no_subs, &err), 2);
    cr_assert (err && strstr (err, "--curve-subscribers DIR"), "%s", err);
    free (err);
    const char *no_workers [] = { "--state", state, "--curve-secret", secret,
                                  "--curve-subscribers", subs, NULL };
    cr_assert_eq (run_clipd (no_workers, &err), 2);
    cr_assert (err && strstr (err, "--curve-workers DIR"), "%s", err);
    free (err);
    /*  A secret others can read is refused like ssh does.  */
    chmod (secret, 0644);
    const char *open_secret [] = { "--state", state, "--inbox", state, "--curve-secret", secret,
                                   "--curve-subscribers", subs, "--curve-workers", workers,
                                   "--tasks", "tcp://127.0.0.1:*", "--pub", "tcp://127.0.0.1:*",
                                   "--replay", "tcp://127.0.0.1:*", "--http", "off", NULL };
    cr_assert_neq (run_clipd (open_secret, &err), 0);
    cr_assert (err && strstr (err, "chmod 600"), "%s", err);
    free (err);
    free (state);
    free (secret);
    free (workers);
    free (subs);
    free (keys);
}

/*  clip keygen: modes, no overwrite, a matching pair.  */
Test (curve, keygen_files)
{
    s_dir = tu_tempdir ("curve-keygen");
    keygen (s_dir, "k");
    char *key = path_in (s_dir, "k.key");
    char *pub = path_in (s_dir, "k.pub");
    struct stat st;
    cr_assert_eq (stat (key, &st), 0);
    cr_assert_eq (st.st_mode & 0777, 0600, "NAME.key is 0600");
    cr_assert_eq (stat (pub, &st), 0);
    cr_assert_eq (st.st_mode & 0777, 0644, "NAME.pub is 0644");
    clip_curve_pair_t pair;
    char err [512], public [CLIP_CURVE_Z85_LEN + 1];
    cr_assert_eq (clip_curve_pair_load (key, &pair, err, sizeof err), 0, "%s", err);
    cr_assert_eq (clip_curve_public_load (pub, public, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq (public, pair.public_z85, "NAME.pub holds the pair's public key");
    char derived [CLIP_CURVE_Z85_LEN + 1];
    cr_assert_eq (zmq_curve_public (derived, pair.secret_z85), 0);
    cr_assert_str_eq (derived, pair.public_z85, "the pair matches");
    char *before = tu_read (key, NULL);

    char *clip = tu_bin ("clip/clip");
    char *base = path_in (s_dir, "k");
    char *err_path = path_in (s_dir, "keygen.err");
    const char *argv [] = { clip, "keygen", base, NULL };
    pid_t pid = tu_spawn (argv, NULL, err_path);
    cr_assert_eq (tu_wait (pid, tu_scaled_ms (10000)), 1, "an existing pair: exit 1");
    char *msg = tu_read (err_path, NULL);
    cr_assert (msg && strstr (msg, "k.key exists") && strstr (msg, "--force"), "%s", msg);
    char *after = tu_read (key, NULL);
    cr_assert_str_eq (after, before, "not overwritten");
    free (after);
    free (msg);
    /*  Only the .pub left: still refused, naming it.  */
    unlink (key);
    pid = tu_spawn (argv, NULL, err_path);
    cr_assert_eq (tu_wait (pid, tu_scaled_ms (10000)), 1);
    msg = tu_read (err_path, NULL);
    cr_assert (msg && strstr (msg, "k.pub exists"), "%s", msg);
    free (msg);
    const char *force [] = { clip, "keygen", "--force", base, NULL };
    cr_assert_eq (tu_run (force, NULL, tu_scaled_ms (10000)), 0, "--force replaces");
    cr_assert_eq (clip_curve_pair_load (key, &pair, err, sizeof err), 0, "%s", err);
    cr_assert_eq (clip_curve_public_load (pub, public, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq (public, pair.public_z85);
    free (before);
    free (err_path);
    free (base);
    free (clip);
    free (key);
    free (pub);
}

typedef struct {
    const char *path;
} out_arg_t;

static bool
printed_seq1 (void *arg)
{
    char *text = tu_read (((out_arg_t *) arg)->path, NULL);
    bool ok = text && strstr (text, "\"seq\":1");
    free (text);
    return ok;
}

/*  The Python example subscriber reads the same key files over CURVE.  */
Test (curve, python_example_with_curve)
{
    if (system ("/usr/bin/python3 -c 'import zmq, msgpack' 2>/dev/null") != 0)
        cr_skip_test ("python3-zmq / python3-msgpack are not installed");
    s_dir = tu_tempdir ("curve-python");
    char *workers, *subs, *keys;
    make_keys (&workers, &subs, &keys);
    s_daemon = start_curve_daemon (keys, workers, subs, NULL);
    start_worker (s_daemon, keys, "worker", NULL);
    drop (s_daemon, 0, "a.txt");
    char *done = done_dir (s_daemon);
    tu_wait_files (done, 1, 30000);
    free (done);
    char *script = clip_strprintf ("%s/proto/examples/sub.py", CLIP_SOURCE_DIR);
    char *server = clip_strprintf ("%s/server.pub", keys);
    char *key = clip_strprintf ("%s/sub.key", keys);
    char *out = path_in (s_dir, "py.out");
    char *err = path_in (s_dir, "py.err");
    const char *argv [] = { "/usr/bin/python3", script, "--curve-server-key", server,
                            "--curve-key", key, "--replay", s_daemon->replay, s_daemon->pub,
                            NULL };
    pid_t pid = tu_spawn (argv, out, err);
    cr_assert (s_n_children < MAX_CHILDREN);
    s_children [s_n_children++] = pid;
    out_arg_t o = { out };
    cr_assert (tu_wait_for (printed_seq1, &o, tu_scaled_ms (20000)),
               "sub.py with the allowed pair prints the record");
    /*  Half the keys is bad usage.  */
    const char *half [] = { "/usr/bin/python3", script, "--curve-key", key, NULL };
    cr_assert_eq (tu_run (half, NULL, tu_scaled_ms (20000)), 2);
    stop_all ();
    free (script);
    free (server);
    free (key);
    free (out);
    free (err);
    free (workers);
    free (subs);
    free (keys);
}
