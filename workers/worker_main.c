/*  clip-worker: connects to clipd, takes articles, analyses them one at a
    time in the order received and sends the results back, in groups
    while more tasks are in hand.

    The worker is a DEALER speaking the protocol in proto/clip_wire.h.  It
    offers --credit tasks (default 64; the daemon gives at most its
    --prefetch): it receives ahead into a local queue of at most that many
    TASKs, so the next article is in hand when a result goes out and the
    worker never waits for a round trip through the daemon.  What does not
    fit stays in ZeroMQ's queue, unread, so the local queue holds at most
    --credit files (up to CLIP_WIRE_BODIES_MAX - 1 more from a daemon
    that sent more than it was offered, in a message of several).  It
    takes up to CLIP_WIRE_BODIES_MAX tasks a message, and answers with
    several results a message to a daemon that sends it several
    (clip_wire.h).  A daemon of the first protocol ignores the offer and
    sends one TASK at a time.  Results leave in groups while more tasks are
    in hand (run, below; proto/README.md, "Groups").  When the worker drops
    its socket (below), the tasks queued and the results held are dropped
    with it: the daemon gives those tasks to others.
    While idle it sends a HEARTBEAT every interval and expects to hear
    from the daemon at least every liveness period; when it does not, it
    drops the socket and connects again with exponential backoff (the
    Paranoid Pirate pattern), so a restarted daemon gets its workers back.
    Analysis never crashes on any bytes; a task that cannot be analysed comes
    back as a failed record.

    A worker started by clipd --workers must not outlive it.  clipd spawns
    through uv_spawn, which offers no hook between fork and exec, so the
    worker arms PR_SET_PDEATHSIG (SIGTERM) itself, first thing in main, and
    then compares getppid () with the pid clipd passed as --parent-pid: a
    parent that died before the signal was armed is seen by that check, one
    that dies after it sends the signal.  No window is left.

    With CURVE (--curve-server-key and --curve-key), the DEALER is a CURVE
    client; a socket monitor (clip_curve.h) logs one clear error line when
    clipd refuses the key (event=auth_refused) or the handshake fails
    (event=handshake_failed), then at most once a minute, and the worker
    keeps trying: the key may be allowed later (clipd's SIGHUP).  The task
    endpoint may name a host (tcp://clipd:5555): libzmq resolves it again
    at each reconnect, and the socket made anew after a silence (above)
    resolves it too, so a restarted daemon at a new address is found.  */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <zmq.h>

#include "clip_analyze.h"
#include "clip_curve.h"
#include "clip_datadir.h"
#include "clip_defaults.h"
#include "clip_log.h"
#include "clip_record.h"
#include "clip_util.h"
#include "clip_wire.h"

typedef struct {
    const char *tasks;              /* the daemon's task endpoint */
    const char *data_dir;
    uint64_t heartbeat_ms;
    uint64_t liveness_ms;
    bool exit_with_parent;
    pid_t parent_pid;               /* --parent-pid, or 0 */
    uint64_t max_entities;          /* --max-entities */
    uint64_t credit;                /* --credit: tasks held at once, 1..CLIP_WIRE_CREDIT_MAX */
    bool curve;                     /* --curve-server-key and --curve-key given */
    char server_key [CLIP_CURVE_Z85_LEN + 1];
    clip_curve_pair_t pair;
} worker_options_t;

/*  Set from the signal handler; the only way a signal can reach the loop.  */
static volatile sig_atomic_t stop_requested;

static void
on_signal (int sig)
{
    stop_requested = sig;
}

static void
usage (FILE *out)
{
    fprintf (out,
        "Usage: clip-worker [OPTIONS]\n"
        "Connect to clipd and analyse articles (entities, sketches).\n\n"
        "  --tasks EP          daemon task endpoint (default " CLIP_DEFAULT_TASKS_ENDPOINT ",\n"
        "                      env CLIP_WORKER_TASKS)\n"
        "  --data-dir DIR      where the NER model and aliases live (default %s)\n"
        "  --heartbeat-ms N    heartbeat interval (default %d)\n"
        "  --liveness-ms N     reconnect after this long without a word from\n"
        "                      the daemon (default %d)\n"
        "  --exit-with-parent  exit when the parent process goes away\n"
        "  --parent-pid PID    exit at once unless the parent is PID, and when it\n"
        "                      goes away (set by clipd --workers, so that no worker\n"
        "                      outlives its daemon, even one that died while the\n"
        "                      worker was starting); implies --exit-with-parent\n"
        "  --credit N          hold up to N tasks at once, 1..%d: the next ones are\n"
        "                      received while one is analysed (default %d; clipd\n"
        "                      gives at most its --prefetch)\n"
        "  --max-entities N    keep at most N entities per record, the first in\n"
        "                      text order, and mark a record cut so with\n"
        "                      entities_truncated (default %d)\n"
        "  --curve-server-key FILE|Z85\n"
        "                      clipd's public key (its .pub or .key file, or the 40\n"
        "                      Z85 characters): connect with CURVE (env\n"
        "                      CLIP_WORKER_CURVE_SERVER_KEY); needs --curve-key\n"
        "  --curve-key FILE    this worker's key pair (NAME.key from clip keygen, mode\n"
        "                      0600), whose NAME.pub clipd must allow (--curve-workers;\n"
        "                      env CLIP_WORKER_CURVE_KEY)\n"
        "  --log-level LEVEL   lowest level logged: debug, info, warn or error\n"
        "                      (default info, env CLIP_LOG)\n"
        "  --log-format FORMAT logfmt (key=value pairs) or json (one JSON object\n"
        "                      per line) (default logfmt, env CLIP_LOG_FORMAT)\n"
        "  -h, --help, --version\n", clip_datadir_default (), CLIP_DEFAULT_HEARTBEAT_MS,
        CLIP_DEFAULT_LIVENESS_MS, CLIP_WIRE_CREDIT_MAX, CLIP_DEFAULT_WORKER_CREDIT,
        CLIP_ANALYZE_MAX_ENTITIES);
}

static void *
connect_socket (void *ctx, const worker_options_t *opt, clip_curve_monitor_t *monitor)
{
    const char *endpoint = opt->tasks;
    void *sock = zmq_socket (ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt (sock, ZMQ_LINGER, &linger, sizeof linger);
    /*  Let ZeroMQ's own reconnects back off too, up to 5 s.  */
    int ivl = 100, ivl_max = 5000;
    zmq_setsockopt (sock, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt (sock, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max);
    /*  A TASK carries one file: a larger frame is refused before it is read
        (proto/README.md, "Limits").  */
    int64_t max_frame = CLIP_WIRE_TASK_FRAME_MAX;
    zmq_setsockopt (sock, ZMQ_MAXMSGSIZE, &max_frame, sizeof max_frame);
    if (opt->curve) {
        char err [300];
        if (clip_curve_client_apply (sock, opt->server_key, &opt->pair, err, sizeof err) != 0) {
            clip_error ("curve_failed", "error=\"%s\"", err);
            zmq_close (sock);
            return NULL;
        }
        if (clip_curve_monitor_attach (monitor, sock) != 0)
            clip_warn ("monitor_failed", "error=\"%s\"", zmq_strerror (errno));
    }
    if (zmq_connect (sock, endpoint) != 0) {
        char q [600];
        clip_error ("connect_failed", "endpoint=%s error=\"%s\"", clip_log_quote (q, sizeof q, endpoint),
                    zmq_strerror (errno));
        clip_curve_monitor_detach (monitor);
        zmq_close (sock);
        return NULL;
    }
    return sock;
}

static void
close_socket (void *sock, clip_curve_monitor_t *monitor)
{
    clip_curve_monitor_detach (monitor);
    zmq_close (sock);
}

/*  READY or HEARTBEAT: the credit offered, and the most tasks taken in
    one TASK message (clip_wire.h).  */
static int
send_simple (void *sock, clip_wire_kind_t kind, const char *name, bool busy, uint64_t credit)
{
    clip_wire_msg_t msg = { .kind = kind, .worker = (char *) name, .busy = busy,
                            .credit = credit, .bodies = CLIP_WIRE_BODIES_MAX };
    return clip_wire_send (sock, NULL, 0, &msg, ZMQ_DONTWAIT);
}

/*  Results leave in groups (see run): at most this many are held back,
    which is as many as one RESULT message carries.  */
#define RESULTS_HELD_MAX CLIP_WIRE_BODIES_MAX
/*  ... and none while the next task in hand is larger than this (its
    analysis would hold them long) or once the oldest has waited this long.  */
#define RESULTS_HOLD_BYTES_MAX (64 * 1024)
#define RESULTS_HOLD_MS_MAX 10

/*  A result made and not sent yet: the encoded record and the sketch.  */
typedef struct {
    uint64_t task;
    char *record;
    size_t record_len;
    void *sketch;
    size_t sketch_len;
} result_t;

static void
analyse (clip_analyzer_t *analyzer, const clip_wire_msg_t *task, result_t *out)
{
    out->task = task->task;
    out->sketch = NULL;
    out->sketch_len = 0;
    clip_record_t *rec = clip_analyzer_run (analyzer, task->file, task->data, task->data_len,
                                            &out->sketch, &out->sketch_len);
    out->record = NULL;
    out->record_len = 0;
    clip_record_encode (rec, &out->record, &out->record_len);
    if (clip_log_enabled (CLIP_LOG_DEBUG)) {
        char q [512];
        clip_debug ("analysed", "task=%llu file=%s status=%s", (unsigned long long) task->task,
                    clip_log_quote (q, sizeof q, task->file), rec->status);
    }
    clip_record_destroy (&rec);
}

/*  Send the results held, in order (sock NULL: drop them), and free them:
    as one message when the daemon takes several (grouped), else one a
    message.  */
static void
results_send (void *sock, const char *name, bool grouped, result_t *held, size_t *n_held)
{
    clip_wire_msg_t out [RESULTS_HELD_MAX];
    for (size_t i = 0; i < *n_held; i++)
        out [i] = (clip_wire_msg_t) {
            .kind = CLIP_WIRE_RESULT, .worker = (char *) name, .task = held [i].task,
            .data = held [i].record, .data_len = held [i].record_len,
            .sketch = held [i].sketch, .sketch_len = held [i].sketch_len
        };
    size_t step = grouped ? *n_held : 1;
    for (size_t i = 0; sock && i < *n_held; i += step)
        if (clip_wire_send_group (sock, NULL, 0, &out [i], step, 0) != 0)
            clip_warn ("result_not_sent", "task=%llu results=%zu error=\"%s\"",
                       (unsigned long long) held [i].task, step, zmq_strerror (errno));
    for (size_t i = 0; i < *n_held; i++) {
        free (held [i].record);
        free (held [i].sketch);
    }
    *n_held = 0;
}

static int
run (const worker_options_t *opt)
{
    char *name = clip_process_name ();
    char err [256];
    clip_analyzer_t *analyzer = clip_analyzer_new (opt->data_dir, name, err, sizeof err);
    if (!analyzer) {
        char q [600];
        clip_error ("analyzer_failed", "error=%s", clip_log_quote (q, sizeof q, err));
        free (name);
        return 1;
    }
    clip_analyzer_set_max_entities (analyzer, (size_t) opt->max_entities);
    void *ctx = zmq_ctx_new ();
    clip_curve_monitor_t *monitor = clip_curve_monitor_new (ctx, "tasks");
    void *sock = connect_socket (ctx, opt, monitor);
    if (!sock) {
        clip_curve_monitor_destroy (&monitor);
        clip_analyzer_destroy (&analyzer);
        zmq_ctx_term (ctx);
        free (name);
        return 1;
    }
    /*  The name is the host's and the endpoint the operator's: quoted, as
        every value that did not come from this program.  */
    char qname [300], qtasks [600];
    clip_log_quote (qname, sizeof qname, name);
    clip_log_quote (qtasks, sizeof qtasks, opt->tasks);
    clip_info ("started", "worker=%s tasks=%s curve=%s", qname, qtasks, opt->curve ? "yes" : "no");
    send_simple (sock, CLIP_WIRE_READY, name, false, opt->credit);

    /*  With --parent-pid, main checked the parent before anything else; the
        pid recorded here after start-up could already be that of init.  */
    pid_t parent = opt->parent_pid ? opt->parent_pid : getppid ();
    uint64_t backoff = 250;
    uint64_t last_heard = clip_mono_ms ();
    uint64_t next_heartbeat = last_heard + opt->heartbeat_ms;
    /*  The tasks received ahead, oldest first: a ring.  Messages are read
        while it holds fewer than credit, and one brings at most
        CLIP_WIRE_BODIES_MAX, so it never holds more than QUEUE_CAP.  */
    enum { QUEUE_CAP = CLIP_WIRE_CREDIT_MAX + CLIP_WIRE_BODIES_MAX };
    clip_wire_msg_t *queue [QUEUE_CAP] = { NULL };
    size_t q_head = 0, q_len = 0;
    /*  The daemon has sent a TASK of several bodies on this connection, so
        it takes RESULTs of several too (clip_wire.h).  */
    bool grouped = false;
    /*  The results made and held back, oldest first, and when the oldest
        was made (monotonic ms).  */
    result_t held [RESULTS_HELD_MAX];
    size_t n_held = 0;
    uint64_t held_since = 0;
    while (!stop_requested) {
        /*  With work queued, what came is read without waiting and without
            zmq_poll, which asks the kernel (a poll system call) on every
            call; a receive that finds nothing costs no system call most
            of the time (libzmq looks at its command pipe at most every
            millisecond or so).  Only an idle worker waits in zmq_poll.  */
        bool readable = q_len > 0;
        if (!q_len) {
            zmq_pollitem_t item = { .socket = sock, .events = ZMQ_POLLIN };
            uint64_t now = clip_mono_ms ();
            long timeout = next_heartbeat > now ? (long) (next_heartbeat - now) : 0;
            int rc = zmq_poll (&item, 1, timeout);
            if (rc < 0) {
                if (errno == EINTR)
                    continue;
                clip_error ("poll_failed", "error=\"%s\"", zmq_strerror (errno));
                break;
            }
            readable = item.revents & ZMQ_POLLIN;
        }
        /*  Read what came, while the local queue has room; the rest waits
            in ZeroMQ's.  */
        while (readable && q_len < opt->credit) {
            zmq_msg_t *frames;
            int count = clip_wire_recv_frames (sock, &frames, ZMQ_DONTWAIT);
            if (count < 0)
                break;
            last_heard = clip_mono_ms ();
            backoff = 250;
            /*  A command and its bodies: one, or up to
                CLIP_WIRE_BODIES_MAX tasks; each body stands alone.  */
            int bodies = count - 1;
            if (count < 2)
                snprintf (err, sizeof err, "expected 2 frames, got %d", count);
            else
            if (bodies > CLIP_WIRE_BODIES_MAX
            ||  (bodies > 1 && clip_wire_kind_of (zmq_msg_data (&frames [0]),
                                                  zmq_msg_size (&frames [0])) != CLIP_WIRE_TASK))
                snprintf (err, sizeof err, "%d bodies in a message other than TASK", bodies);
            else
                err [0] = 0;
            if (err [0]) {
                char q [600];
                clip_warn ("bad_message", "error=%s", clip_log_quote (q, sizeof q, err));
                bodies = 0;
            }
            if (bodies > 1)
                grouped = true;
            for (int i = 1; i <= bodies; i++) {
                clip_wire_msg_t *msg = clip_wire_decode (zmq_msg_data (&frames [0]),
                                                         zmq_msg_size (&frames [0]),
                                                         zmq_msg_data (&frames [i]),
                                                         zmq_msg_size (&frames [i]),
                                                         err, sizeof err);
                if (!msg) {
                    char q [600];
                    clip_warn ("bad_message", "error=%s", clip_log_quote (q, sizeof q, err));
                }
                else
                if (msg->kind == CLIP_WIRE_TASK) {
                    queue [(q_head + q_len++) % QUEUE_CAP] = msg;
                    msg = NULL;
                }
                clip_wire_msg_destroy (&msg);
            }
            clip_wire_frames_free (frames, count);
        }
        if (q_len) {
            clip_wire_msg_t *task = queue [q_head];
            queue [q_head] = NULL;
            q_head = (q_head + 1) % QUEUE_CAP;
            q_len--;
            analyse (analyzer, task, &held [n_held++]);
            clip_wire_msg_destroy (&task);
            /*  The analysis may have taken a while: what the daemon said
                meanwhile is queued, so count it as heard from.  */
            last_heard = clip_mono_ms ();
            if (n_held == 1)
                held_since = last_heard;
            /*  Results leave in groups, as the daemon's tasks come (one
                wake-up of each side for several; dispatch.h, "Groups"):
                one is held while at least as many tasks as are held are
                still in hand, so that the daemon's answer, more tasks,
                comes before this worker runs out; all go at once when
                fewer are, when RESULTS_HELD_MAX are held, when the next
                task is large enough to hold them long, or when the
                oldest has waited RESULTS_HOLD_MS_MAX.  A worker with
                nothing more in hand, at a low rate every time, sends
                each result as soon as it is made.  */
            if (n_held >= q_len || n_held == RESULTS_HELD_MAX
                || queue [q_head]->data_len > RESULTS_HOLD_BYTES_MAX
                || last_heard - held_since >= RESULTS_HOLD_MS_MAX)
                results_send (sock, name, grouped, held, &n_held);
        }
        uint64_t now = clip_mono_ms ();
        if (now >= next_heartbeat) {
            /*  Once per heartbeat, not per task: a parent that dies
                sends PR_SET_PDEATHSIG's signal at once (main), so this
                check is only the backstop for a worker started without
                it, and a heartbeat's delay is soon enough there.  */
            if (opt->exit_with_parent && getppid () != parent) {
                clip_warn ("parent_gone", "worker=%s", qname);
                break;
            }
            send_simple (sock, CLIP_WIRE_HEARTBEAT, name, q_len > 0, opt->credit);
            next_heartbeat = now + opt->heartbeat_ms;
        }
        if (now - last_heard > opt->liveness_ms) {
            clip_warn ("daemon_silent", "tasks=%s silent_ms=%llu reconnect_in_ms=%llu", qtasks,
                       (unsigned long long) (now - last_heard), (unsigned long long) backoff);
            close_socket (sock, monitor);
            sock = NULL;
            /*  The daemon gives what we held to other workers.  */
            results_send (NULL, name, false, held, &n_held);
            for (; q_len; q_len--, q_head = (q_head + 1) % QUEUE_CAP)
                clip_wire_msg_destroy (&queue [q_head]);
            /*  Sleep in small steps so that a signal still stops us quickly.  */
            for (uint64_t slept = 0; slept < backoff && !stop_requested; slept += 50)
                zmq_poll (NULL, 0, 50);
            if (backoff < 8000)
                backoff *= 2;
            if (stop_requested)
                break;
            sock = connect_socket (ctx, opt, monitor);
            if (!sock)
                break;
            send_simple (sock, CLIP_WIRE_READY, name, false, opt->credit);
            grouped = false;
            last_heard = clip_mono_ms ();
        }
    }
    for (; q_len; q_len--, q_head = (q_head + 1) % QUEUE_CAP)
        clip_wire_msg_destroy (&queue [q_head]);
    /*  Stopped (or the socket lost) between two tasks: what is made goes.  */
    results_send (sock, name, grouped, held, &n_held);
    clip_info ("stopped", "worker=%s signal=%d", qname, (int) stop_requested);
    if (sock)
        close_socket (sock, monitor);
    clip_curve_monitor_destroy (&monitor);
    zmq_ctx_term (ctx);
    clip_analyzer_destroy (&analyzer);
    free (name);
    return 0;
}

static bool
parse_u64 (const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull (s, &end, 10);
    if (errno || end == s || *end || s [0] == '-')
        return false;
    *out = v;
    return true;
}

int
main (int argc, char **argv)
{
    /*  Before anything else, so that the window in which the parent can die
        unnoticed ends here (checked against --parent-pid below).  The
        signal is SIGTERM, which stops the worker as an operator's would;
        until its handler is installed it kills the worker outright.  Only
        a worker that is told to follow its parent keeps it (below).  A
        death signal the parent set before exec (kept across it) is the
        parent's choice: left as it is.  */
    int inherited_pdeathsig = 0;
    prctl (PR_GET_PDEATHSIG, &inherited_pdeathsig);
    if (inherited_pdeathsig == 0)
        prctl (PR_SET_PDEATHSIG, SIGTERM);
    /*  CLIP_LOG and CLIP_LOG_FORMAT first; the flags, below, win.  */
    if (clip_log_init ("clip-worker", CLIP_LOG_INFO) != 0)
        return 2;
    worker_options_t opt = {
        .tasks = getenv ("CLIP_WORKER_TASKS") ? getenv ("CLIP_WORKER_TASKS") : CLIP_DEFAULT_TASKS_ENDPOINT,
        .data_dir = clip_datadir_default (),
        .heartbeat_ms = CLIP_DEFAULT_HEARTBEAT_MS,
        .liveness_ms = CLIP_DEFAULT_LIVENESS_MS,
        .max_entities = CLIP_ANALYZE_MAX_ENTITIES,
        .credit = CLIP_DEFAULT_WORKER_CREDIT,
    };
    static const struct option longopts[] = {
        { "tasks", required_argument, NULL, 't' },
        { "data-dir", required_argument, NULL, 'd' },
        { "heartbeat-ms", required_argument, NULL, 'b' },
        { "liveness-ms", required_argument, NULL, 'l' },
        { "exit-with-parent", no_argument, NULL, 'P' },
        { "parent-pid", required_argument, NULL, 'p' },
        { "max-entities", required_argument, NULL, 'e' },
        { "credit", required_argument, NULL, 'c' },
        { "curve-server-key", required_argument, NULL, 'S' },
        { "curve-key", required_argument, NULL, 'K' },
        { "log-level", required_argument, NULL, 'L' },
        { "log-format", required_argument, NULL, 'F' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 }
    };
    const char *server_key = getenv ("CLIP_WORKER_CURVE_SERVER_KEY");
    const char *key_file = getenv ("CLIP_WORKER_CURVE_KEY");
    int c;
    /*  getopt's own messages off (opterr 0, ':' first): a bad usage is
        told in clip's one style, naming the argument.  */
    opterr = 0;
    while ((c = getopt_long (argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
            case 't': opt.tasks = optarg; break;
            case 'd': opt.data_dir = optarg; break;
            case 'b':
            case 'l': {
                uint64_t v;
                if (!parse_u64 (optarg, &v) || v == 0) {
                    fprintf (stderr, "clip-worker: --%s needs a positive number, got '%s'\n",
                             c == 'b' ? "heartbeat-ms" : "liveness-ms", optarg);
                    return 2;
                }
                if (c == 'b')
                    opt.heartbeat_ms = v;
                else
                    opt.liveness_ms = v;
                break;
            }
            case 'P': opt.exit_with_parent = true; break;
            case 'p': {
                uint64_t v;
                if (!parse_u64 (optarg, &v) || v <= 1 || v > INT32_MAX) {
                    fprintf (stderr, "clip-worker: --parent-pid needs a process id above 1, got '%s'\n",
                             optarg);
                    return 2;
                }
                opt.parent_pid = (pid_t) v;
                opt.exit_with_parent = true;
                break;
            }
            case 'e':
                if (!parse_u64 (optarg, &opt.max_entities)) {
                    fprintf (stderr, "clip-worker: --max-entities needs a number, got '%s'\n",
                             optarg);
                    return 2;
                }
                break;
            case 'c':
                if (!parse_u64 (optarg, &opt.credit) || opt.credit < 1
                ||  opt.credit > CLIP_WIRE_CREDIT_MAX) {
                    fprintf (stderr, "clip-worker: --credit needs a number from 1 to %d, got '%s'\n",
                             CLIP_WIRE_CREDIT_MAX, optarg);
                    return 2;
                }
                break;
            case 'S': server_key = optarg; break;
            case 'K': key_file = optarg; break;
            case 'L': {
                int level = clip_log_level_from_name (optarg);
                if (level < 0) {
                    fprintf (stderr, "clip-worker: --log-level must be one of "
                             "debug|info|warn|error, got '%s'\n", optarg);
                    return 2;
                }
                clip_log_set_level ((clip_log_level_t) level);
                break;
            }
            case 'F': {
                int format = clip_log_format_from_name (optarg);
                if (format < 0) {
                    fprintf (stderr, "clip-worker: --log-format must be one of logfmt|json, "
                             "got '%s'\n", optarg);
                    return 2;
                }
                clip_log_set_format ((clip_log_format_t) format);
                break;
            }
            case 'h': usage (stdout); return 0;
            case 'V': printf ("clip-worker %s\n", CLIP_VERSION); return 0;
            default: {
                const char *arg = argv [optind - 1];
                int len = (int) strcspn (arg, "=");
                if (c == ':')
                    fprintf (stderr, "clip-worker: option '%.*s' needs a value\n", len, arg);
                else
                if (optopt && strncmp (arg, "--", 2) != 0)
                    fprintf (stderr, "clip-worker: unknown option '-%c'\n", optopt);
                else
                if (optopt)
                    fprintf (stderr, "clip-worker: option '%.*s' takes no value\n", len, arg);
                else
                    fprintf (stderr, "clip-worker: unknown option '%.*s'\n", len, arg);
                fprintf (stderr, "Try 'clip-worker --help'.\n");
                return 2;
            }
        }
    }
    if (optind < argc) {
        fprintf (stderr, "clip-worker: unexpected argument '%s'\nTry 'clip-worker --help'.\n",
                 argv [optind]);
        return 2;
    }
    char curve_err [1000];
    int curve = clip_curve_client_load (server_key, key_file, opt.server_key, &opt.pair,
                                        curve_err, sizeof curve_err);
    if (curve < 0) {
        fprintf (stderr, "clip-worker: %s\n", curve_err);
        return 2;
    }
    opt.curve = curve == 1;
    if (!opt.exit_with_parent)
        prctl (PR_SET_PDEATHSIG, inherited_pdeathsig);
    else
    if (opt.parent_pid && getppid () != opt.parent_pid) {
        clip_warn ("parent_gone", "parent_pid=%d ppid=%d", (int) opt.parent_pid, (int) getppid ());
        return 1;
    }
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset (&sa.sa_mask);
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);
    signal (SIGPIPE, SIG_IGN);
    return run (&opt);
}
