/*  clip sub: print published records as JSON lines, once each, in seq order.

    Owns one SUB socket (live records) and one DEALER socket (the replay
    endpoint).  Follows the subscriber recipe of proto/README.md, "Replay":
    subscribe first, catch up from --since through the replay endpoint, then
    follow live, catching up again whenever a live record's seq shows that
    something was missed, and after IDLE_CATCH_UP_MS without a live record
    (a record missed while the SUB socket reconnected has no later one to
    show the gap).  `covered` is the promise kept: every record with
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

    "Reached" means clipd has answered a replay request or published a
    record to us.  Until it has, a line on stderr says so after
    CONNECT_WARN_MS (once, and once more when it is reached), and
    --timeout-ms ends the run with status 1 instead of 0: a subscriber
    that never reached its daemon has not "seen no records".

    --pretty prints one line per record for people instead of JSON
    (clip_sub_pretty below); colours only on a terminal and without
    NO_COLOR.  --state DIR reads clipd's bound endpoints from
    DIR/endpoints.json, for a clipd started on ports "*".
*/
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "clip_cmd.h"
#include "clip_curve.h"
#include "clip_log.h"
#include "clip_opt.h"
#include "clip_record.h"
#include "clip_replay_msg.h"
#include "clip_util.h"
#include "clip_utf8.h"
#include "clip_wire.h"

#define DEFAULT_PUB     "tcp://127.0.0.1:5556"
#define DEFAULT_REPLAY  "tcp://127.0.0.1:5557"
#define REPLAY_LIMIT    CLIP_REPLAY_DEFAULT_LIMIT
#define REPLAY_PATIENCE_MS 5000
/*  The subscription needs a moment to reach the publisher; a record
    published meanwhile and committed after the first catch-up would be
    missed, so catch up once more this long after starting.  */
#define SECOND_CATCH_UP_MS 1000
/*  A record published while our SUB socket was not connected (clipd
    restarting, the network down) shows as a gap only when a later record
    comes; with none coming it would never be printed.  So while no live
    record arrives for this long, catch up all the same: one small request
    to the replay endpoint, answered from its index.  */
#define IDLE_CATCH_UP_MS 5000
#define QUEUE_MAX       100000
/*  Say on stderr that clipd has not answered yet after this long.  */
#define CONNECT_WARN_MS 3000
/*  endpoints.json is a few hundred bytes.  */
#define ENDPOINTS_MAX   65536

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
    uint64_t start;             /* clip_mono_ms at start */
    bool reached;               /* clipd answered or published (header) */
    bool warned;                /* the "cannot reach" line was printed */
    bool pretty;                /* --pretty */
    bool colour;                /* --pretty on a terminal without NO_COLOR */
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
        "  --state DIR      read clipd's bound endpoints from DIR/endpoints.json (for a\n"
        "                   clipd started with ports '*'); EP and --replay override\n"
        "  --pretty         one readable line per record instead of JSON: time (UTC),\n"
        "                   seq, verdict, title, top entities, the article it copies;\n"
        "                   coloured on a terminal unless NO_COLOR is set\n"
        "  --count N        exit (status 0) after printing N records\n"
        "  --timeout-ms N   exit after N ms without printing a record: status 0, or 1\n"
        "                   if clipd was never reached\n"
        "  --curve-server-key FILE|Z85\n"
        "                   clipd's public key (its .pub or .key file, or the 40 Z85\n"
        "                   characters): connect with CURVE (env CLIP_CURVE_SERVER_KEY);\n"
        "                   needs --curve-key\n"
        "  --curve-key FILE our key pair (NAME.key from clip keygen), whose NAME.pub\n"
        "                   clipd must allow (--curve-subscribers; env CLIP_CURVE_KEY)\n"
        "  -h, --help       print this help\n"
        "\n"
        "Without --count or --timeout-ms, runs until SIGINT or SIGTERM (exit 0).  While\n"
        "clipd is not running, keeps trying, and says so on stderr after %d s.\n"
        "Exit status: 0 ok, 1 clipd was not reached within --timeout-ms, or the replay\n"
        "endpoint refused the request, 2 bad usage.\n", CONNECT_WARN_MS / 1000);
}

/*  Colours of --pretty (ANSI SGR), by verdict; a verdict not listed
    (one added later) is printed plain.  */
static const struct {
    const char *verdict;
    const char *sgr;
} s_colours [] = {
    { "unique", "32" },             /* green */
    { "related", "36" },            /* cyan */
    { "near_duplicate", "33" },     /* yellow */
    { "duplicate", "35" },          /* magenta */
};
#define SGR_ERROR "31"              /* red */
#define SGR_DIM "2"
#define PRETTY_ENTITIES 3           /* top entities shown */
#define PRETTY_TITLE_MAX 80         /* bytes of title shown */

static void
sgr (FILE *out, bool colour, const char *code)
{
    if (colour)
        fprintf (out, "\033[%sm", code ? code : "0");
}

/*  s, with control characters (a title is input) shown as spaces, cut at
    max bytes on a character boundary, "..." marking the cut.  */
static void
put_clean (FILE *out, const char *s, size_t max)
{
    size_t len = strlen (s), cut = clip_utf8_cut (s, len, max);
    for (size_t i = 0; i < cut; i++) {
        unsigned char c = (unsigned char) s [i];
        fputc (c < 0x20 || c == 0x7f ? ' ' : c, out);
    }
    if (cut < len)
        fputs ("...", out);
}

/*  Unix ms as ISO 8601 in UTC, to the second: 2026-12-06T01:53:12Z.  */
static void
iso_time (uint64_t ms, char *buf, size_t size)
{
    time_t t = (time_t) (ms / 1000);
    struct tm tm;
    if (!gmtime_r (&t, &tm) || strftime (buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf (buf, size, "?");
}

typedef struct {
    const char *name;
    size_t count;
    size_t first;               /* index of the first mention */
} top_t;

static int
cmp_top (const void *a, const void *b)
{
    const top_t *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

/*  The names mentioned most (by canonical name; ties in text order).
    Numbers, dates and amounts are left out: they say little about what an
    article is about.  Fills top [] and returns how many (at most max).  */
static size_t
top_entities (const clip_record_t *rec, top_t *top, size_t max)
{
    top_t *all = clip_malloc ((rec->n_entities + 1) * sizeof *all);
    size_t n = 0;
    for (size_t i = 0; i < rec->n_entities; i++) {
        const clip_entity_t *e = &rec->entities [i];
        const char *type = e->type ? e->type : "";
        if (strcmp (type, "PER") != 0 && strcmp (type, "ORG") != 0
        &&  strcmp (type, "LOC") != 0 && strcmp (type, "MISC") != 0)
            continue;
        const char *name = e->canonical && *e->canonical ? e->canonical : e->text;
        if (!name || !*name)
            continue;
        size_t k = 0;
        while (k < n && strcmp (all [k].name, name) != 0)
            k++;
        if (k == n)
            all [n++] = (top_t) { name, 0, i };
        all [k].count++;
    }
    qsort (all, n, sizeof *all, cmp_top);
    size_t kept = n < max ? n : max;
    memcpy (top, all, kept * sizeof *top);
    free (all);
    return kept;
}

/*  One line for people (--pretty):
        TIME  #SEQ  VERDICT  "TITLE"  [TOP ENTITIES]  ~ FILE #SEQ (j 0.91 c 0.97)
    or, for a failed file,
        TIME  #SEQ  error  FILE  CODE: MESSAGE  */
static void
print_pretty (FILE *out, const clip_record_t *rec, bool colour)
{
    char when [40] = "-";
    if (rec->has_times)
        iso_time (rec->done ? rec->done : rec->received, when, sizeof when);
    sgr (out, colour, SGR_DIM);
    fprintf (out, "%s", when);
    sgr (out, colour, NULL);
    if (rec->has_seq)
        fprintf (out, "  #%" PRIu64, rec->seq);
    if (rec->error_code) {
        fputs ("  ", out);
        sgr (out, colour, SGR_ERROR);
        fputs ("error", out);
        sgr (out, colour, NULL);
        fputs ("  ", out);
        put_clean (out, rec->file ? rec->file : "", 200);
        fputs ("  ", out);
        put_clean (out, rec->error_code, 64);
        fputs (": ", out);
        put_clean (out, rec->error_message ? rec->error_message : "", 200);
        fputc ('\n', out);
        return;
    }
    const char *verdict = rec->verdict ? rec->verdict : "-";
    const char *code = NULL;
    for (size_t i = 0; i < sizeof s_colours / sizeof s_colours [0]; i++)
        if (strcmp (verdict, s_colours [i].verdict) == 0)
            code = s_colours [i].sgr;
    fputs ("  ", out);
    if (code)
        sgr (out, colour, code);
    fprintf (out, "%-14s", verdict);
    if (code)
        sgr (out, colour, NULL);
    fputs ("  \"", out);
    put_clean (out, rec->title && *rec->title ? rec->title : rec->file ? rec->file : "",
               PRETTY_TITLE_MAX);
    fputc ('"', out);
    top_t top [PRETTY_ENTITIES];
    size_t n_top = top_entities (rec, top, PRETTY_ENTITIES);
    if (n_top) {
        fputs ("  [", out);
        for (size_t i = 0; i < n_top; i++) {
            if (i)
                fputs (", ", out);
            put_clean (out, top [i].name, 60);
        }
        fputc (']', out);
    }
    /*  The first match is the one the verdict is about.  */
    if (rec->n_matches > 0) {
        const clip_match_t *m = &rec->matches [0];
        fputs ("  ~ ", out);
        put_clean (out, m->file && *m->file ? m->file : m->id ? m->id : "?", 120);
        if (m->seq)
            fprintf (out, " #%" PRIu64, m->seq);
        /*  Four decimals at most, as in the JSON.  */
        fprintf (out, " (jaccard %.4g, containment %.4g)", m->jaccard, m->containment);
    }
    fputc ('\n', out);
}

/*  The record on stdout (JSON, or --pretty), then covered moves up to
    its seq.  */
static run_t
emit (sub_t *self, const clip_record_t *rec)
{
    if (self->pretty)
        print_pretty (stdout, rec, self->colour);
    else {
        char *json = clip_record_to_json (rec);
        printf ("%s\n", json);
        free (json);
    }
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

/*  clipd answered or published: say so if we said it could not be
    reached.  */
static void
mark_reached (sub_t *self)
{
    if (self->reached)
        return;
    self->reached = true;
    if (self->warned)
        clip_opt_error ("sub", "reached clipd at %s", self->replay_ep);
}

/*  Why we should stop now, if we should.  Says once on stderr that clipd
    has not been reached, CONNECT_WARN_MS after start.  */
static run_t
check_stop (sub_t *self)
{
    if (s_interrupted)
        return RUN_DONE;
    uint64_t now = clip_mono_ms ();
    if (!self->reached && !self->warned && now >= self->start + CONNECT_WARN_MS) {
        self->warned = true;
        clip_opt_error ("sub", "cannot reach clipd at %s (replay) and %s (pub) after %d s; "
                        "still trying", self->replay_ep, self->pub_ep, CONNECT_WARN_MS / 1000);
    }
    if (self->timeout_ms && now >= self->last_print + self->timeout_ms) {
        if (self->reached)
            return RUN_DONE;
        clip_opt_error ("sub", "clipd not reached at %s within --timeout-ms %" PRIu64,
                        self->replay_ep, self->timeout_ms);
        return RUN_FAILED;
    }
    return RUN_ON;
}

/*  Milliseconds zmq_poll may wait before deadline, the idle timeout or the
    "cannot reach" line; -1 when none applies.  */
static long
wait_ms (const sub_t *self, uint64_t deadline)
{
    uint64_t until = deadline;
    if (self->timeout_ms) {
        uint64_t idle = self->last_print + self->timeout_ms;
        if (!until || idle < until)
            until = idle;
    }
    if (!self->reached && !self->warned) {
        uint64_t warn = self->start + CONNECT_WARN_MS;
        if (!until || warn < until)
            until = warn;
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
            clip_opt_error ("sub", "%s", err);
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
        mark_reached (self);
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
    mark_reached (self);
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
        if (refusal.code_id == CLIP_REPLAY_CODE_BUSY)
            /*  clipd is answering too many clients, or still sending us a
                page we gave up on: the request counts as unanswered and is
                sent again, on a fresh DEALER, after REPLAY_PATIENCE_MS.  */
            clip_info ("replay_busy", "endpoint=%s", self->replay_ep);
        else {
            clip_opt_error ("sub", "the replay endpoint refused the request: %s: %s",
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
    uint64_t idle_catch_up = clip_mono_ms () + IDLE_CATCH_UP_MS;
    while (rc == RUN_ON) {
        clip_record_t *rec;
        while (rc == RUN_ON && (rec = queue_pop (self)) != NULL) {
            rc = on_live (self, rec);
            clip_record_destroy (&rec);
            idle_catch_up = clip_mono_ms () + IDLE_CATCH_UP_MS;
        }
        if (rc != RUN_ON)
            break;
        uint64_t now = clip_mono_ms ();
        if ((second_catch_up && now >= second_catch_up) || now >= idle_catch_up) {
            second_catch_up = 0;
            rc = catch_up (self);
            idle_catch_up = clip_mono_ms () + IDLE_CATCH_UP_MS;
            continue;
        }
        rc = check_stop (self);
        if (rc != RUN_ON)
            break;
        uint64_t next = second_catch_up && second_catch_up < idle_catch_up
                        ? second_catch_up : idle_catch_up;
        zmq_pollitem_t item = { .socket = self->sub, .events = ZMQ_POLLIN };
        if (zmq_poll (&item, 1, wait_ms (self, next)) < 0) {
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

/*  A non-negative integer option's value into *out; 2 after saying why
    when it is not one (or is 0 where positive is asked).  */
static int
option_u64 (const char *opt, const char *value, bool positive, uint64_t *out)
{
    if (clip_opt_uint (value, 0, UINT64_MAX, out) != 0)
        return clip_opt_usage_error ("sub", "%s needs a non-negative integer, not '%s'", opt,
                                     value);
    if (positive && *out == 0)
        return clip_opt_usage_error ("sub", "%s needs a positive integer, not '%s'", opt,
                                     value);
    return 0;
}

/*  STATE/endpoints.json, written by a running clipd: its bound pub and
    replay endpoints into pub and replay (caller owns).  Returns 0, or -1
    after saying why.  */
static int
read_endpoints (const char *state, char **pub, char **replay)
{
    char *path = clip_path_join (state, "endpoints.json");
    char *text = NULL;
    size_t len = 0;
    int rc = clip_file_read (path, ENDPOINTS_MAX, &text, &len);
    if (rc != 0) {
        clip_opt_error ("sub", "cannot read %s: %s (is clipd running with --state %s?)", path,
                        rc == -EFBIG ? "too large for an endpoints file" : strerror (-rc), state);
        free (path);
        return -1;
    }
    json_error_t jerr;
    json_t *root = json_loadb (text, len, 0, &jerr);
    free (text);
    const char *p = json_string_value (json_object_get (root, "pub"));
    const char *r = json_string_value (json_object_get (root, "replay"));
    rc = 0;
    if (!root) {
        clip_opt_error ("sub", "%s: not JSON: %s (line %d)", path, jerr.text, jerr.line);
        rc = -1;
    }
    else
    if (!p || !*p || !r || !*r) {
        clip_opt_error ("sub", "%s: no \"pub\" and \"replay\" endpoints in it", path);
        rc = -1;
    }
    else {
        *pub = clip_strdup (p);
        *replay = clip_strdup (r);
    }
    json_decref (root);
    free (path);
    return rc;
}

int
clip_sub_main (int argc, char **argv)
{
    sub_t self = { .pub_ep = DEFAULT_PUB, .replay_ep = DEFAULT_REPLAY, .prefix = "" };
    const char *server_key = getenv ("CLIP_CURVE_SERVER_KEY");
    const char *key_file = getenv ("CLIP_CURVE_KEY");
    const char *state = NULL, *replay = NULL;
    enum { O_SINCE = 1000, O_TOPIC, O_REPLAY, O_COUNT, O_TIMEOUT, O_SERVER_KEY, O_KEY,
           O_PRETTY, O_STATE };
    static const struct option longopts [] = {
        { "since", required_argument, NULL, O_SINCE },
        { "topic", required_argument, NULL, O_TOPIC },
        { "replay", required_argument, NULL, O_REPLAY },
        { "count", required_argument, NULL, O_COUNT },
        { "timeout-ms", required_argument, NULL, O_TIMEOUT },
        { "curve-server-key", required_argument, NULL, O_SERVER_KEY },
        { "curve-key", required_argument, NULL, O_KEY },
        { "pretty", no_argument, NULL, O_PRETTY },
        { "state", required_argument, NULL, O_STATE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    clip_opt_begin ();
    int c, rc;
    while ((c = clip_opt_next ("sub", argc, argv, "h", longopts)) != -1) {
        switch (c) {
            case O_SINCE:
                if ((rc = option_u64 ("--since", optarg, false, &self.covered)) != 0)
                    return rc;
                break;
            case O_COUNT:
                if ((rc = option_u64 ("--count", optarg, true, &self.count)) != 0)
                    return rc;
                break;
            case O_TIMEOUT:
                if ((rc = option_u64 ("--timeout-ms", optarg, true, &self.timeout_ms)) != 0)
                    return rc;
                break;
            case O_TOPIC: self.prefix = optarg; break;
            case O_REPLAY: replay = optarg; break;
            case O_SERVER_KEY: server_key = optarg; break;
            case O_KEY: key_file = optarg; break;
            case O_PRETTY: self.pretty = true; break;
            case O_STATE: state = optarg; break;
            case 'h': usage (stdout); return 0;
            default: return 2;
        }
    }
    if (argc - optind > 1)
        return clip_opt_usage_error ("sub", "one publishing endpoint only ('%s' is extra)",
                                     argv [optind + 1]);
    const char *pub = optind < argc ? argv [optind] : NULL;
    /*  Freed at the end: the endpoints read from --state.  */
    char *state_pub = NULL, *state_replay = NULL;
    if (state && read_endpoints (state, &state_pub, &state_replay) != 0)
        return 1;
    self.pub_ep = pub ? pub : state_pub ? state_pub : DEFAULT_PUB;
    self.replay_ep = replay ? replay : state_replay ? state_replay : DEFAULT_REPLAY;
    self.colour = self.pretty && isatty (STDOUT_FILENO) && !getenv ("NO_COLOR");
    int status = 0;
    char curve_err [1000];
    int curve = 0;
    if (strlen (self.prefix) > CLIP_REPLAY_TOPIC_MAX)
        status = clip_opt_usage_error ("sub", "--topic holds at most %d bytes",
                                       CLIP_REPLAY_TOPIC_MAX);
    else
    if ((curve = clip_curve_client_load (server_key, key_file, self.server_key, &self.pair,
                                         curve_err, sizeof curve_err)) < 0)
        status = clip_opt_usage_error ("sub", "%s", curve_err);
    if (status != 0) {
        free (state_pub);
        free (state_replay);
        return status;
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
    if (self.curve) {
        self.sub_monitor = clip_curve_monitor_new (self.ctx, "pub");
        self.dealer_monitor = clip_curve_monitor_new (self.ctx, "replay");
        char err [300];
        if (clip_curve_client_apply (self.sub, self.server_key, &self.pair, err, sizeof err) != 0) {
            clip_opt_error ("sub", "%s", err);
            status = 1;
        }
        else
            clip_curve_monitor_attach (self.sub_monitor, self.sub);
    }
    if (status != 0)
        ;
    else
    if (zmq_connect (self.sub, self.pub_ep) != 0) {
        status = clip_opt_usage_error ("sub", "bad endpoint '%s': %s", self.pub_ep,
                                       zmq_strerror (errno));
    }
    else
    if (dealer_open (&self) != 0) {
        status = clip_opt_usage_error ("sub", "bad replay endpoint '%s': %s", self.replay_ep,
                                       zmq_strerror (errno));
    }
    if (status == 0) {
        self.start = self.last_print = clip_mono_ms ();
        run_t outcome = run (&self);
        status = outcome == RUN_FAILED ? 1 : 0;
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
    free (state_pub);
    free (state_replay);
    return status;
}
