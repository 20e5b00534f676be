/*  clip sub: print published records as JSON lines, once each, in seq order.

    Owns one SUB socket (live records) and one DEALER socket (the replay
    endpoint).  Follows the subscriber recipe of proto/README.md, "Replay":
    subscribe first, catch up from --since through the replay endpoint, then
    follow live, catching up again whenever a live record's seq shows that
    something was missed.  `covered` is the promise kept: every record with
    seq <= covered whose topic matches the prefix has been printed, and
    nothing above it has.

    While a replay answer is awaited, live records are read off the SUB
    socket into a bounded in-process queue so that ZeroMQ's own queue does
    not overflow during a long catch-up; when our queue is full we stop
    reading and let ZeroMQ drop, which the seq check repairs later.

    A daemon that is not running is waited for: ZeroMQ reconnects by itself,
    and a replay request with no answer for REPLAY_PATIENCE_MS is sent again
    on a fresh DEALER (the old one may be connected to nothing, or to a
    daemon that restarted and forgot the request).

    With --curve-server-key and --curve-key both sockets are CURVE clients;
    a monitor on each (clip_curve.h) logs one error line on stderr when
    clipd refuses the key (event=auth_refused) or the handshake fails
    (event=handshake_failed), then at most once a minute, while clip sub
    keeps trying.
*/
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "clip_cmd.h"
#include "clip_curve.h"
#include "clip_log.h"
#include "clip_record.h"
#include "clip_replay_msg.h"
#include "clip_util.h"
#include "clip_wire.h"

#define DEFAULT_PUB     "tcp://127.0.0.1:5556"
#define DEFAULT_REPLAY  "tcp://127.0.0.1:5557"
#define REPLAY_LIMIT    CLIP_REPLAY_DEFAULT_LIMIT
#define REPLAY_PATIENCE_MS 5000
/*  The subscription needs a moment to reach the publisher; a record
    published meanwhile and committed after the first catch-up would be
    missed, so catch up once more this long after starting.  */
#define SECOND_CATCH_UP_MS 1000
#define QUEUE_MAX       100000

/*  Set by the SIGINT/SIGTERM handler: the one piece of process-wide state,
    because a signal handler can reach nothing else.  */
static volatile sig_atomic_t s_interrupted = 0;

static void
on_signal (int sig)
{
    (void) sig;
    s_interrupted = 1;
}

typedef enum {
    RUN_ON = 0,         /* keep going */
    RUN_DONE,           /* exit 0: count reached, idle timeout, or signal */
    RUN_FAILED          /* exit 1 */
} run_t;

typedef struct {
    void *ctx;
    void *sub;
    void *dealer;
    const char *pub_ep;
    const char *replay_ep;
    const char *prefix;
    uint64_t covered;           /* see the header comment */
    uint64_t count;             /* 0: no limit */
    uint64_t printed;
    uint64_t timeout_ms;        /* 0: no idle timeout */
    uint64_t last_print;        /* clip_mono_ms of the last print (or start) */
    clip_record_t **queue;      /* live records not yet handled, FIFO */
    size_t q_head, q_len, q_cap;
    bool curve;                 /* --curve-server-key and --curve-key */
    char server_key [CLIP_CURVE_Z85_LEN + 1];
    clip_curve_pair_t pair;
    clip_curve_monitor_t *sub_monitor;
    clip_curve_monitor_t *dealer_monitor;
} sub_t;

static void
usage (FILE *out)
{
    fprintf (out,
        "Usage: clip sub [OPTIONS] [EP]\n"
        "\n"
        "Print every record clipd publishes as one JSON line, each once, in seq order,\n"
        "with no gaps: subscribe to EP (default " DEFAULT_PUB "), replay what was\n"
        "committed since N from the replay endpoint, then follow live.\n"
        "\n"
        "Options:\n"
        "  --since N        print records with seq above N (default 0: everything)\n"
        "  --topic PREFIX   only records whose topic starts with PREFIX\n"
        "                   (article.unique, article.related, article.near_duplicate,\n"
        "                   article.duplicate, error; default: all)\n"
        "  --replay EP      the replay endpoint (default " DEFAULT_REPLAY ")\n"
        "  --count N        exit (status 0) after printing N records\n"
        "  --timeout-ms N   exit (status 0) after N ms without printing a record\n"
        "  --curve-server-key FILE|Z85\n"
        "                   clipd's public key (its .pub or .key file, or the 40 Z85\n"
        "                   characters): connect with CURVE (env CLIP_CURVE_SERVER_KEY);\n"
        "                   needs --curve-key\n"
        "  --curve-key FILE our key pair (NAME.key from clip keygen), whose NAME.pub\n"
        "                   clipd must allow (--curve-subscribers; env CLIP_CURVE_KEY)\n"
        "  -h, --help       print this help\n"
        "\n"
        "Without --count or --timeout-ms, runs until SIGINT or SIGTERM (exit 0).  While\n"
        "clipd is not running, keeps trying.  Exit status: 0 ok, 1 the replay endpoint\n"
        "refused the request, 2 bad usage.\n");
}

static int
parse_u64 (const char *s, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull (s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/*  The record's JSON on stdout, then covered moves up to its seq.  */
static run_t
emit (sub_t *self, const clip_record_t *rec)
{
    char *json = clip_record_to_json (rec);
    printf ("%s\n", json);
    free (json);
    if (fflush (stdout) != 0) {
        clip_error ("stdout_failed", "error=\"%s\"", strerror (errno));
        return RUN_FAILED;
    }
    self->covered = rec->seq;
    self->printed++;
    self->last_print = clip_mono_ms ();
    if (self->count && self->printed >= self->count)
        return RUN_DONE;
    return RUN_ON;
}

/*  Why we should stop now, if we should.  */
static run_t
check_stop (const sub_t *self)
{
    if (s_interrupted)
        return RUN_DONE;
    if (self->timeout_ms && clip_mono_ms () >= self->last_print + self->timeout_ms)
        return RUN_DONE;
    return RUN_ON;
}

/*  Milliseconds zmq_poll may wait before deadline or the idle timeout;
    -1 when neither applies.  */
static long
wait_ms (const sub_t *self, uint64_t deadline)
{
    uint64_t until = deadline;
    if (self->timeout_ms) {
        uint64_t idle = self->last_print + self->timeout_ms;
        if (!until || idle < until)
            until = idle;
    }
    if (!until)
        return -1;
    uint64_t now = clip_mono_ms ();
    return until > now ? (long) (until - now) : 0;
}

/*  Returns zmq_connect's result: it fails only on a malformed endpoint,
    which the first call (at start) reports.  */
static int
dealer_open (sub_t *self)
{
    self->dealer = zmq_socket (self->ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt (self->dealer, ZMQ_LINGER, &zero, sizeof zero);
    clip_wire_keepalive (self->dealer);
    /*  A page is at most REPLAY_LIMIT records plus its end; the default
        high-water mark of 1000 messages could otherwise drop its tail.  */
    int hwm = 4 * REPLAY_LIMIT + 16;
    zmq_setsockopt (self->dealer, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (self->curve) {
        char err [300];
        if (clip_curve_client_apply (self->dealer, self->server_key, &self->pair, err,
                                     sizeof err) != 0) {
            fprintf (stderr, "clip sub: %s\n", err);
            return -1;
        }
        clip_curve_monitor_attach (self->dealer_monitor, self->dealer);
    }
    return zmq_connect (self->dealer, self->replay_ep);
}

static void
dealer_close (sub_t *self)
{
    clip_curve_monitor_detach (self->dealer_monitor);
    if (self->dealer)
        zmq_close (self->dealer);
    self->dealer = NULL;
}

/*  Queue {since: covered, topic: prefix, limit} on the DEALER.  With no
    peer connected yet ZeroMQ keeps it until the connection is made; a
    failure here is treated like an unanswered request.  */
static void
send_request (sub_t *self)
{
    clip_replay_request_t req = { .since = self->covered, .limit = REPLAY_LIMIT };
    snprintf (req.topic, sizeof req.topic, "%s", self->prefix);
    char *data;
    size_t len;
    clip_replay_request_encode (&req, &data, &len);
    if (zmq_send (self->dealer, data, len, ZMQ_DONTWAIT) < 0)
        clip_debug ("replay_send_failed", "error=\"%s\"", zmq_strerror (errno));
    free (data);
}

/*  Read up to a batch of live records off the SUB socket into the queue,
    without blocking.  */
static void
drain_sub (sub_t *self)
{
    for (int batch = 0; batch < 1000 && self->q_len < QUEUE_MAX; batch++) {
        zmq_msg_t *frames;
        int n = clip_wire_recv_frames (self->sub, &frames, ZMQ_DONTWAIT);
        if (n < 0)
            return;
        clip_record_t *rec = NULL;
        char err [256] = "";
        if (n == 2)
            rec = clip_record_decode (zmq_msg_data (&frames [1]), zmq_msg_size (&frames [1]),
                                      err, sizeof err);
        else
            snprintf (err, sizeof err, "expected 2 frames, got %d", n);
        clip_wire_frames_free (frames, n);
        if (rec && !rec->has_seq) {
            snprintf (err, sizeof err, "the record has no seq");
            clip_record_destroy (&rec);
        }
        if (!rec) {
            char q [600];
            clip_warn ("live_message_dropped", "reason=%s", clip_log_quote (q, sizeof q, err));
            continue;
        }
        if (self->q_head + self->q_len == self->q_cap) {
            if (self->q_head > 0) {
                memmove (self->queue, self->queue + self->q_head, self->q_len * sizeof *self->queue);
                self->q_head = 0;
            }
            else {
                self->q_cap = self->q_cap ? self->q_cap * 2 : 64;
                self->queue = clip_realloc (self->queue, self->q_cap * sizeof *self->queue);
            }
        }
        self->queue [self->q_head + self->q_len++] = rec;
    }
}

static clip_record_t *
queue_pop (sub_t *self)
{
    if (self->q_len == 0)
        return NULL;
    clip_record_t *rec = self->queue [self->q_head++];
    if (--self->q_len == 0)
        self->q_head = 0;
    return rec;
}

/*  Handle one answer message from the replay endpoint.  Sets *end when the
    page is over and *more to its `more`.  */
static run_t
on_replay_message (sub_t *self, bool *end, bool *more)
{
    zmq_msg_t *frames;
    int n = clip_wire_recv_frames (self->dealer, &frames, ZMQ_DONTWAIT);
    if (n < 0)
        return RUN_ON;
    run_t rc = RUN_ON;
    if (n != 2) {
        clip_warn ("replay_message_dropped", "reason=\"expected 2 frames, got %d\"", n);
        clip_wire_frames_free (frames, n);
        return RUN_ON;
    }
    const char *topic = zmq_msg_data (&frames [0]);
    size_t topic_len = zmq_msg_size (&frames [0]);
    const char *body = zmq_msg_data (&frames [1]);
    size_t body_len = zmq_msg_size (&frames [1]);
    bool is_end = topic_len == strlen (CLIP_REPLAY_END_TOPIC)
               && memcmp (topic, CLIP_REPLAY_END_TOPIC, topic_len) == 0;
    bool is_error = topic_len == strlen (CLIP_REPLAY_ERROR_TOPIC)
                 && memcmp (topic, CLIP_REPLAY_ERROR_TOPIC, topic_len) == 0;
    if (is_end) {
        char err [256];
        clip_replay_end_t answer;
        if (clip_replay_end_decode (body, body_len, &answer, err, sizeof err) == 0) {
            if (answer.last > self->covered)
                self->covered = answer.last;
            *more = answer.more;
        }
        else {
            char q [300];
            clip_warn ("replay_end_malformed", "reason=%s", clip_log_quote (q, sizeof q, err));
            *more = false;
        }
        *end = true;
    }
    else
    if (is_error) {
        char err [256];
        clip_replay_error_t refusal;
        if (clip_replay_error_decode (body, body_len, &refusal, err, sizeof err) != 0) {
            snprintf (refusal.code, sizeof refusal.code, "?");
            snprintf (refusal.message, sizeof refusal.message, "(malformed: %s)", err);
        }
        if (strcmp (refusal.code, "busy") == 0)
            /*  clipd is answering too many clients, or still sending us a
                page we gave up on: the request counts as unanswered and is
                sent again, on a fresh DEALER, after REPLAY_PATIENCE_MS.  */
            clip_info ("replay_busy", "endpoint=%s", self->replay_ep);
        else {
            fprintf (stderr, "clip sub: the replay endpoint refused the request: %s: %s\n",
                     refusal.code, refusal.message);
            rc = RUN_FAILED;
        }
    }
    else {
        char err [256];
        clip_record_t *rec = clip_record_decode (body, body_len, err, sizeof err);
        char q [600];
        if (!rec)
            clip_warn ("replay_record_dropped", "reason=%s", clip_log_quote (q, sizeof q, err));
        else
        if (!rec->has_seq)
            clip_warn ("replay_record_dropped", "reason=\"the record has no seq\"");
        else
        if (rec->seq > self->covered)
            rc = emit (self, rec);
        clip_record_destroy (&rec);
    }
    clip_wire_frames_free (frames, n);
    return rc;
}

/*  Step 3 of the recipe: page through the replay from covered until the
    endpoint says there is no more.  Live records arriving meanwhile are
    queued.  */
static run_t
catch_up (sub_t *self)
{
    bool more = true;
    while (more) {
        if (!self->dealer)
            dealer_open (self);
        send_request (self);
        uint64_t deadline = clip_mono_ms () + REPLAY_PATIENCE_MS;
        bool end = false;
        more = false;
        while (!end) {
            run_t rc = check_stop (self);
            if (rc != RUN_ON)
                return rc;
            if (clip_mono_ms () >= deadline) {
                clip_info ("replay_retry", "endpoint=%s since=%" PRIu64,
                           self->replay_ep, self->covered);
                dealer_close (self);
                more = true;    /* ask again, on a fresh DEALER */
                break;
            }
            zmq_pollitem_t items [2] = {
                { .socket = self->dealer, .events = ZMQ_POLLIN },
                { .socket = self->sub, .events = ZMQ_POLLIN },
            };
            int n_items = self->q_len < QUEUE_MAX ? 2 : 1;
            if (zmq_poll (items, n_items, wait_ms (self, deadline)) < 0) {
                if (errno == EINTR)
                    continue;
                clip_error ("poll_failed", "error=\"%s\"", zmq_strerror (errno));
                return RUN_FAILED;
            }
            if (n_items == 2 && (items [1].revents & ZMQ_POLLIN))
                drain_sub (self);
            /*  Every message of an answer shows the request is being
                served: patience restarts.  */
            while (!end && (items [0].revents & ZMQ_POLLIN)) {
                uint32_t events = 0;
                size_t len = sizeof events;
                if (zmq_getsockopt (self->dealer, ZMQ_EVENTS, &events, &len) != 0
                ||  !(events & ZMQ_POLLIN))
                    break;
                deadline = clip_mono_ms () + REPLAY_PATIENCE_MS;
                rc = on_replay_message (self, &end, &more);
                if (rc != RUN_ON)
                    return rc;
            }
        }
    }
    return RUN_ON;
}

/*  Step 4: one live record.  */
static run_t
on_live (sub_t *self, clip_record_t *rec)
{
    run_t rc = RUN_ON;
    if (rec->seq > self->covered + 1)
        rc = catch_up (self);
    if (rc == RUN_ON && rec->seq > self->covered)
        rc = emit (self, rec);
    return rc;
}

static run_t
run (sub_t *self)
{
    uint64_t second_catch_up = clip_mono_ms () + SECOND_CATCH_UP_MS;
    run_t rc = catch_up (self);
    while (rc == RUN_ON) {
        clip_record_t *rec;
        while (rc == RUN_ON && (rec = queue_pop (self)) != NULL) {
            rc = on_live (self, rec);
            clip_record_destroy (&rec);
        }
        if (rc != RUN_ON)
            break;
        if (second_catch_up && clip_mono_ms () >= second_catch_up) {
            second_catch_up = 0;
            rc = catch_up (self);
            continue;
        }
        rc = check_stop (self);
        if (rc != RUN_ON)
            break;
        zmq_pollitem_t item = { .socket = self->sub, .events = ZMQ_POLLIN };
        if (zmq_poll (&item, 1, wait_ms (self, second_catch_up)) < 0) {
            if (errno == EINTR)
                continue;
            clip_error ("poll_failed", "error=\"%s\"", zmq_strerror (errno));
            return RUN_FAILED;
        }
        if (item.revents & ZMQ_POLLIN)
            drain_sub (self);
    }
    return rc;
}

int
clip_sub_main (int argc, char **argv)
{
    sub_t self = { .pub_ep = DEFAULT_PUB, .replay_ep = DEFAULT_REPLAY, .prefix = "" };
    bool have_ep = false;
    const char *server_key = getenv ("CLIP_CURVE_SERVER_KEY");
    const char *key_file = getenv ("CLIP_CURVE_KEY");
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        const char *value = NULL;
        /*  Options taking a value accept "--opt value" and "--opt=value".  */
        const char *opts [] = { "--since", "--topic", "--replay", "--count", "--timeout-ms",
                                "--curve-server-key", "--curve-key" };
        const char *opt = NULL;
        for (size_t k = 0; k < sizeof opts / sizeof opts [0]; k++) {
            size_t len = strlen (opts [k]);
            if (strncmp (arg, opts [k], len) == 0 && (arg [len] == 0 || arg [len] == '=')) {
                opt = opts [k];
                if (arg [len] == '=')
                    value = arg + len + 1;
                else
                if (i + 1 < argc)
                    value = argv [++i];
                else {
                    fprintf (stderr, "clip sub: %s needs a value\n", opt);
                    return 2;
                }
            }
        }
        if (opt) {
            uint64_t n = 0;
            bool numeric = strcmp (opt, "--topic") != 0 && strcmp (opt, "--replay") != 0
                        && strncmp (opt, "--curve-", 8) != 0;
            if (numeric && parse_u64 (value, &n) != 0) {
                fprintf (stderr, "clip sub: %s needs a non-negative integer, not '%s'\n", opt, value);
                return 2;
            }
            if (strcmp (opt, "--curve-server-key") == 0)
                server_key = value;
            else
            if (strcmp (opt, "--curve-key") == 0)
                key_file = value;
            else
            if (strcmp (opt, "--since") == 0)
                self.covered = n;
            else
            if (strcmp (opt, "--topic") == 0)
                self.prefix = value;
            else
            if (strcmp (opt, "--replay") == 0)
                self.replay_ep = value;
            else
            if (strcmp (opt, "--count") == 0)
                self.count = n;
            else
                self.timeout_ms = n;
            if ((strcmp (opt, "--count") == 0 || strcmp (opt, "--timeout-ms") == 0) && n == 0) {
                fprintf (stderr, "clip sub: %s needs a positive integer\n", opt);
                return 2;
            }
        }
        else
        if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0) {
            usage (stdout);
            return 0;
        }
        else
        if (arg [0] == '-') {
            fprintf (stderr, "clip sub: unknown option '%s' (see clip sub --help)\n", arg);
            return 2;
        }
        else
        if (have_ep) {
            fprintf (stderr, "clip sub: one publishing endpoint only ('%s' is extra)\n", arg);
            return 2;
        }
        else {
            self.pub_ep = arg;
            have_ep = true;
        }
    }
    if (strlen (self.prefix) > CLIP_REPLAY_TOPIC_MAX) {
        fprintf (stderr, "clip sub: --topic holds at most 255 bytes\n");
        return 2;
    }
    char curve_err [1000];
    int curve = clip_curve_client_load (server_key, key_file, self.server_key, &self.pair,
                                        curve_err, sizeof curve_err);
    if (curve < 0) {
        fprintf (stderr, "clip sub: %s\n", curve_err);
        return 2;
    }
    self.curve = curve == 1;

    struct sigaction sa;
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset (&sa.sa_mask);
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);

    self.ctx = zmq_ctx_new ();
    self.sub = zmq_socket (self.ctx, ZMQ_SUB);
    int zero = 0;
    zmq_setsockopt (self.sub, ZMQ_LINGER, &zero, sizeof zero);
    clip_wire_keepalive (self.sub);
    int hwm = 100000;
    zmq_setsockopt (self.sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt (self.sub, ZMQ_SUBSCRIBE, self.prefix, strlen (self.prefix));
    int status = 0;
    if (self.curve) {
        self.sub_monitor = clip_curve_monitor_new (self.ctx, "pub");
        self.dealer_monitor = clip_curve_monitor_new (self.ctx, "replay");
        char err [300];
        if (clip_curve_client_apply (self.sub, self.server_key, &self.pair, err, sizeof err) != 0) {
            fprintf (stderr, "clip sub: %s\n", err);
            status = 1;
        }
        else
            clip_curve_monitor_attach (self.sub_monitor, self.sub);
    }
    if (status != 0)
        ;
    else
    if (zmq_connect (self.sub, self.pub_ep) != 0) {
        fprintf (stderr, "clip sub: bad endpoint '%s': %s\n", self.pub_ep, zmq_strerror (errno));
        status = 2;
    }
    else
    if (dealer_open (&self) != 0) {
        fprintf (stderr, "clip sub: bad replay endpoint '%s': %s\n", self.replay_ep,
                 zmq_strerror (errno));
        status = 2;
    }
    if (status == 0) {
        self.last_print = clip_mono_ms ();
        run_t rc = run (&self);
        status = rc == RUN_FAILED ? 1 : 0;
    }
    clip_record_t *rec;
    while ((rec = queue_pop (&self)) != NULL)
        clip_record_destroy (&rec);
    free (self.queue);
    dealer_close (&self);
    clip_curve_monitor_destroy (&self.dealer_monitor);
    clip_curve_monitor_destroy (&self.sub_monitor);
    zmq_close (self.sub);
    zmq_ctx_term (self.ctx);
    memset (&self.pair, 0, sizeof self.pair);
    return status;
}
