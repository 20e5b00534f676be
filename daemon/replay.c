/*  replay: serves records from the results log.  See replay.h.  */
#include "replay.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include <zmq.h>

#include "clip_log.h"
#include "clip_util.h"
#include "clip_wire.h"
#include "zwatch.h"

#define IDENTITY_MAX 256
/*  Rows read from the log per query while filling a page: a held page
    re-reads at most this many rows it could not send.  */
#define SLICE_ROWS 64
/*  Retry delay for held pages: from RESUME_MIN_MS, doubled while no page
    makes progress, up to RESUME_MAX_MS.  */
#define RESUME_MIN_MS 1
#define RESUME_MAX_MS 100

typedef struct replay_page {
    unsigned char identity [IDENTITY_MAX];
    size_t identity_len;
    clip_replay_request_t req;
    uint64_t cursor;            /* seq of the last record sent, or since */
    uint64_t sent;              /* records sent */
    size_t bytes;               /* bytes of the records sent */
    bool ending;                /* every record sent: only `end` remains */
    clip_replay_end_t end;
    uint64_t progress_ms;       /* monotonic ms of the last message sent */
    UT_hash_handle hh;
} replay_page_t;

struct clip_replay {
    void *socket;
    zwatch_t watch;
    uv_timer_t timer;           /* resumes held pages */
    uint64_t resume_ms;         /* its current delay */
    int open_handles;
    clip_results_t *results;
    clipd_metrics_t *metrics;
    replay_page_t *held;        /* hash by identity */
    size_t n_held;
    char endpoint [256];
};

typedef enum {
    PAGE_DONE = 0,              /* fully queued, or answered with an error */
    PAGE_HELD,                  /* the peer's pipe is full: try later */
    PAGE_GONE                   /* the peer is gone */
} page_state_t;

/*  Queue one message for a peer.  Returns PAGE_DONE when queued.  With
    ROUTER_MANDATORY a full pipe refuses the identity frame (EAGAIN) before
    anything of the message is queued, so a refused message can simply be
    sent again later.  */
static page_state_t
send_message (clip_replay_t *self, const void *identity, size_t identity_len,
              const char *topic, const void *body, size_t body_len)
{
    if (zmq_send (self->socket, identity, identity_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return errno == EAGAIN ? PAGE_HELD : PAGE_GONE;
    if (zmq_send (self->socket, topic, strlen (topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
    ||  zmq_send (self->socket, body, body_len, ZMQ_DONTWAIT) < 0)
        return PAGE_GONE;
    return PAGE_DONE;
}

/*  Best effort: a peer whose pipe is full does not get it.  */
static void
send_error (clip_replay_t *self, const void *identity, size_t identity_len,
            clip_replay_code_t code, const char *message)
{
    /*  Counted before the answer leaves: a client that reads the answer and
        then asks /metrics (another thread) must see it counted.  */
    char q [600];
    clip_log_quote (q, sizeof q, message);
    /*  A client that asks before reading can do so as fast as it likes:
        "busy" is counted, and logged only at debug level.  */
    const char *name = clip_replay_code_name (code);
    assert (name);
    if (code == CLIP_REPLAY_CODE_BUSY) {
        clip_debug ("replay_refused", "code=%s message=%s", name, q);
        CLIPD_METRIC_ADD (self->metrics, replay_busy, 1);
    }
    else {
        clip_warn ("replay_refused", "code=%s message=%s", name, q);
        CLIPD_METRIC_ADD (self->metrics, replay_bad_requests, 1);
    }
    char *body;
    size_t len;
    clip_replay_error_encode (name, message, &body, &len);
    send_message (self, identity, identity_len, CLIP_REPLAY_ERROR_TOPIC, body, len);
    free (body);
}

typedef struct {
    clip_replay_t *self;
    replay_page_t *page;
    size_t rows;                /* rows the query returned */
    page_state_t state;         /* PAGE_HELD / PAGE_GONE stop the slice */
    bool capped;                /* the page reached CLIP_REPLAY_PAGE_BYTES */
} slice_t;

static void
on_record (uint64_t seq, const char *topic, const void *record, size_t len, void *arg)
{
    slice_t *ctx = arg;
    ctx->rows++;
    if (ctx->state != PAGE_DONE || ctx->capped)
        return;
    replay_page_t *page = ctx->page;
    if (page->sent > 0 && page->bytes >= CLIP_REPLAY_PAGE_BYTES) {
        ctx->capped = true;
        return;
    }
    ctx->state = send_message (ctx->self, page->identity, page->identity_len, topic, record, len);
    if (ctx->state != PAGE_DONE)
        return;
    page->sent++;
    page->bytes += len;
    page->cursor = seq;
    CLIPD_METRIC_ADD (ctx->self->metrics, replay_records, 1);
    page->progress_ms = clip_mono_ms ();
}

/*  Send as much of the page as the peer's pipe takes.  */
static page_state_t
serve_page (clip_replay_t *self, replay_page_t *page)
{
    while (!page->ending) {
        uint64_t want = page->req.limit - page->sent;
        size_t slice = want < SLICE_ROWS ? (size_t) want : SLICE_ROWS;
        slice_t ctx = { self, page, 0, PAGE_DONE, false };
        uint64_t last = 0, head = 0;
        if (clip_results_replay (self->results, page->cursor, page->req.topic, slice,
                                 on_record, &ctx, &last, &head) != 0) {
            send_error (self, page->identity, page->identity_len, CLIP_REPLAY_CODE_INTERNAL,
                        "the results log could not be read");
            return PAGE_DONE;
        }
        if (ctx.state != PAGE_DONE)
            return ctx.state;
        page->end.head = head;
        if (ctx.capped || page->sent == page->req.limit) {
            /*  Stopped by the page's bounds: resume above the last record
                sent.  */
            page->end.last = page->cursor;
            page->ending = true;
        }
        else
        if (ctx.rows < slice) {
            /*  No matching record above the last one: everything up to
                head was examined.  */
            page->end.last = last;
            page->ending = true;
        }
    }
    page->end.more = page->end.last < page->end.head;
    char *body;
    size_t len;
    clip_replay_end_encode (&page->end, &body, &len);
    page_state_t state = send_message (self, page->identity, page->identity_len,
                                       CLIP_REPLAY_END_TOPIC, body, len);
    free (body);
    if (state == PAGE_DONE)
        page->progress_ms = clip_mono_ms ();
    return state;
}

static void
page_drop (clip_replay_t *self, replay_page_t *page)
{
    HASH_DEL (self->held, page);
    self->n_held--;
    free (page);
}

static void on_timer (uv_timer_t *timer);

static void
schedule (clip_replay_t *self)
{
    if (self->n_held && !uv_is_active ((uv_handle_t *) &self->timer))
        uv_timer_start (&self->timer, on_timer, self->resume_ms, 0);
}

static void
on_timer (uv_timer_t *timer)
{
    clip_replay_t *self = timer->data;
    bool progress = false;
    replay_page_t *page, *tmp;
    HASH_ITER (hh, self->held, page, tmp) {
        uint64_t before = page->progress_ms;
        page_state_t state = serve_page (self, page);
        if (page->progress_ms != before)
            progress = true;
        if (state == PAGE_HELD && clip_mono_ms () - page->progress_ms > CLIP_REPLAY_STALL_MS) {
            clip_warn ("replay_abandoned", "since=%" PRIu64 " sent=%" PRIu64
                       " reason=\"the client took nothing for %d ms\"",
                       page->cursor, page->sent, CLIP_REPLAY_STALL_MS);
            CLIPD_METRIC_ADD (self->metrics, replay_abandoned, 1);
            state = PAGE_GONE;
        }
        if (state != PAGE_HELD)
            page_drop (self, page);
    }
    zwatch_kick (&self->watch);
    self->resume_ms = progress ? RESUME_MIN_MS
                    : self->resume_ms * 2 > RESUME_MAX_MS ? RESUME_MAX_MS : self->resume_ms * 2;
    schedule (self);
}

static void
serve (clip_replay_t *self, const void *identity, size_t identity_len,
       const void *body, size_t body_len)
{
    replay_page_t *page = NULL;
    HASH_FIND (hh, self->held, identity, identity_len, page);
    if (page) {
        send_error (self, identity, identity_len, CLIP_REPLAY_CODE_BUSY,
                    "the previous answer is still being sent: read it before asking again");
        return;
    }
    char err [256];
    clip_replay_request_t req;
    if (clip_replay_request_decode (body, body_len, &req, err, sizeof err) != 0) {
        send_error (self, identity, identity_len, CLIP_REPLAY_CODE_BAD_REQUEST, err);
        return;
    }
    if (self->n_held >= CLIP_REPLAY_MAX_HELD) {
        send_error (self, identity, identity_len, CLIP_REPLAY_CODE_BUSY,
                    "too many clients are being answered: ask again later");
        return;
    }
    page = clip_calloc (1, sizeof *page);
    memcpy (page->identity, identity, identity_len);
    page->identity_len = identity_len;
    page->req = req;
    page->cursor = req.since;
    page->progress_ms = clip_mono_ms ();
    page_state_t state = serve_page (self, page);
    if (state != PAGE_HELD) {
        free (page);
        return;
    }
    HASH_ADD (hh, self->held, identity, page->identity_len, page);
    self->n_held++;
    self->resume_ms = RESUME_MIN_MS;
    schedule (self);
}

static bool
on_readable (zwatch_t *watch, void *arg)
{
    clip_replay_t *self = arg;
    zmq_msg_t *frames;
    int count = clip_wire_recv_frames (self->socket, &frames, ZMQ_DONTWAIT);
    if (count < 0) {
        if (errno != EMSGSIZE)
            return false;       /* nothing there (EAGAIN) */
        clip_warn ("replay_refused", "code=bad_request message=\"too many frames\"");
        CLIPD_METRIC_ADD (self->metrics, replay_bad_requests, 1);
        return true;
    }
    const void *identity = zmq_msg_data (&frames [0]);
    size_t identity_len = zmq_msg_size (&frames [0]);
    if (identity_len == 0 || identity_len > IDENTITY_MAX)
        ;                       /* ROUTER identities are 1..255 bytes */
    else
    if (count == 2) {
        CLIPD_METRIC_ADD (self->metrics, replay_requests, 1);
        serve (self, identity, identity_len, zmq_msg_data (&frames [1]),
               zmq_msg_size (&frames [1]));
    }
    else
        send_error (self, identity, identity_len, CLIP_REPLAY_CODE_BAD_REQUEST,
                    "the request must be exactly one frame (use a DEALER socket)");
    clip_wire_frames_free (frames, count);
    return true;
}

clip_replay_t *
clip_replay_new (uv_loop_t *loop, void *zmq_ctx, const char *endpoint,
                 const clip_curve_pair_t *curve, clip_results_t *results,
                 clipd_metrics_t *metrics, char *err, size_t err_size)
{
    clip_replay_t *self = clip_calloc (1, sizeof *self);
    self->results = results;
    self->metrics = metrics;
    self->resume_ms = RESUME_MIN_MS;
    self->socket = zmq_socket (zmq_ctx, ZMQ_ROUTER);
    /*  SNDHWM bounds, in messages, what waits for one peer; with
        ROUTER_MANDATORY a full pipe is an EAGAIN we act on (the page is
        held) instead of a silent drop.  MAXMSGSIZE: a request is a small
        map; ZeroMQ disconnects a peer that sends a larger frame before
        allocating for it.  */
    int hwm = CLIP_REPLAY_SNDHWM, one = 1, zero = 0;
    int64_t max_frame = CLIP_REPLAY_REQUEST_MAX;
    zmq_setsockopt (self->socket, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt (self->socket, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt (self->socket, ZMQ_LINGER, &zero, sizeof zero);
    clip_wire_keepalive (self->socket);
    zmq_setsockopt (self->socket, ZMQ_MAXMSGSIZE, &max_frame, sizeof max_frame);
    if (curve && clip_curve_server_apply (self->socket, curve, CLIP_CURVE_DOMAIN_SUBSCRIBERS,
                                          err, err_size) != 0) {
        zmq_close (self->socket);
        free (self);
        return NULL;
    }
    if (zwatch_bind (self->socket, endpoint, "replay", self->endpoint, sizeof self->endpoint,
                     err, err_size) != 0) {
        zmq_close (self->socket);
        free (self);
        return NULL;
    }
    int rc = zwatch_init (loop, &self->watch, self->socket, on_readable, self);
    assert (rc == 0);
    uv_timer_init (loop, &self->timer);
    self->timer.data = self;
    self->open_handles = 2;
    return self;
}

const char *
clip_replay_endpoint (const clip_replay_t *self)
{
    return self->endpoint;
}

static void
release (clip_replay_t *self)
{
    if (--self->open_handles == 0)
        free (self);
}

static void
on_watch_closed (zwatch_t *watch)
{
    release ((clip_replay_t *) ((char *) watch - offsetof (clip_replay_t, watch)));
}

static void
on_timer_closed (uv_handle_t *handle)
{
    release (handle->data);
}

void
clip_replay_destroy (clip_replay_t **self_p)
{
    assert (self_p);
    clip_replay_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    replay_page_t *page, *tmp;
    HASH_ITER (hh, self->held, page, tmp)
        page_drop (self, page);
    zwatch_close (&self->watch, on_watch_closed);
    uv_close ((uv_handle_t *) &self->timer, on_timer_closed);
    zmq_close (self->socket);
    self->socket = NULL;
}
