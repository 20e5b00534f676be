/*  zap: clipd's ZAP handler.  See zap.h.  */
#include "zap.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "clip_log.h"
#include "clip_util.h"
#include "zwatch.h"

/*  A ZAP request through a ROUTER: [routing id, "", version, request id,
    domain, address, identity, mechanism, credentials...].  CURVE has one
    credential (the 32-byte key), PLAIN two, NULL none; a few more frames
    than any mechanism's are read, the rest dropped.  */
#define ZAP_MAX_FRAMES 12
#define ZAP_MIN_FRAMES 8
#define ZAP_MAX_FRAME 512

struct clip_zap {
    void *socket;
    zwatch_t watch;
    clipd_metrics_t *metrics;
    clip_curve_list_t *workers;
    clip_curve_list_t *subscribers;
    uint64_t window_ms;         /* start of the current log window (1 s) */
    unsigned logged;            /* refusal lines in that window */
    uint64_t suppressed;        /* refusals not logged since */
};

static void
on_watch_closed (zwatch_t *watch)
{
    clip_zap_t *self = (clip_zap_t *) ((char *) watch - offsetof (clip_zap_t, watch));
    clip_curve_list_destroy (&self->workers);
    clip_curve_list_destroy (&self->subscribers);
    free (self);
}

static bool
frame_is (zmq_msg_t *frame, const char *text)
{
    size_t len = strlen (text);
    return zmq_msg_size (frame) == len && memcmp (zmq_msg_data (frame), text, len) == 0;
}

/*  A frame's bytes as a NUL-terminated text of at most size - 1 bytes.  */
static const char *
frame_text (zmq_msg_t *frame, char *buf, size_t size)
{
    size_t n = zmq_msg_size (frame);
    if (n >= size)
        n = size - 1;
    memcpy (buf, zmq_msg_data (frame), n);
    buf [n] = 0;
    return buf;
}

static void
send_reply (clip_zap_t *self, zmq_msg_t *frames, const char *status, const char *text,
            const char *user_id)
{
    /*  [routing id, "", "1.0", request id, status, text, user id, metadata].
        The handler's own socket, inproc, never full in practice: a failed
        send only ends that one handshake (libzmq times it out).  */
    zmq_msg_t out;
    zmq_msg_init_size (&out, zmq_msg_size (&frames [0]));
    memcpy (zmq_msg_data (&out), zmq_msg_data (&frames [0]), zmq_msg_size (&frames [0]));
    if (zmq_msg_send (&out, self->socket, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&out);
        return;
    }
    const char *parts [6] = { "", "1.0", NULL, status, text, user_id };
    for (int i = 0; i < 6; i++) {
        if (i == 2)
            zmq_send (self->socket, zmq_msg_data (&frames [3]), zmq_msg_size (&frames [3]),
                      ZMQ_SNDMORE | ZMQ_DONTWAIT);
        else
            zmq_send (self->socket, parts [i], strlen (parts [i]), ZMQ_SNDMORE | ZMQ_DONTWAIT);
    }
    zmq_send (self->socket, "", 0, ZMQ_DONTWAIT);
    zwatch_kick (&self->watch);
}

/*  One refusal line, at most CLIP_ZAP_LOG_BURST a second.  */
static void
log_refusal (clip_zap_t *self, const char *domain, const char *key, const char *address,
             const char *reason)
{
    uint64_t now = clip_mono_ms ();
    if (now - self->window_ms >= 1000) {
        if (self->suppressed)
            clip_warn ("auth_refused_suppressed", "count=%llu message=\"refusals not logged "
                       "one by one (more than %d a second); clipd_auth_refused_total counts "
                       "them all\"", (unsigned long long) self->suppressed, CLIP_ZAP_LOG_BURST);
        self->window_ms = now;
        self->logged = 0;
        self->suppressed = 0;
    }
    if (self->logged >= CLIP_ZAP_LOG_BURST) {
        self->suppressed++;
        return;
    }
    self->logged++;
    char qd [300], qa [300];
    clip_warn ("auth_refused", "domain=%s key=%s address=%s reason=\"%s\"",
               clip_log_quote (qd, sizeof qd, domain), key,
               clip_log_quote (qa, sizeof qa, address), reason);
}

static void
handle (clip_zap_t *self, zmq_msg_t *frames, int n, bool oversized)
{
    /*  Without a routing id, an empty delimiter and a request id there is
        no one to answer.  */
    if (n < 4 || zmq_msg_size (&frames [1]) != 0 || zmq_msg_size (&frames [0]) == 0
    ||  zmq_msg_size (&frames [3]) > 255) {
        clip_warn ("zap_request_dropped", "frames=%d reason=\"no envelope or request id\"", n);
        return;
    }
    char domain [256] = "-", address [256] = "-", mechanism [32] = "-";
    char key [CLIP_CURVE_Z85_LEN + 1] = "-";
    const char *reason = NULL;
    if (oversized || n < ZAP_MIN_FRAMES)
        reason = "malformed ZAP request";
    else
    if (!frame_is (&frames [2], "1.0"))
        reason = "ZAP version is not 1.0";
    else {
        frame_text (&frames [4], domain, sizeof domain);
        frame_text (&frames [5], address, sizeof address);
        frame_text (&frames [7], mechanism, sizeof mechanism);
        if (!frame_is (&frames [7], "CURVE"))
            reason = "mechanism is not CURVE";
        else
        if (n != ZAP_MIN_FRAMES + 1 || zmq_msg_size (&frames [8]) != CLIP_CURVE_KEY_BYTES)
            reason = "malformed CURVE credentials";
        else
            zmq_z85_encode (key, zmq_msg_data (&frames [8]), CLIP_CURVE_KEY_BYTES);
    }
    bool workers = strcmp (domain, CLIP_CURVE_DOMAIN_WORKERS) == 0;
    bool subscribers = strcmp (domain, CLIP_CURVE_DOMAIN_SUBSCRIBERS) == 0;
    if (!reason && !workers && !subscribers)
        reason = "unknown domain";
    if (!reason) {
        const clip_curve_list_t *list = workers ? self->workers : self->subscribers;
        if (!clip_curve_list_has (list, zmq_msg_data (&frames [8])))
            reason = "key not in the domain's allow-list";
    }
    if (reason) {
        if (workers)
            CLIPD_METRIC_ADD (self->metrics, auth_refused_workers, 1);
        else
        if (subscribers)
            CLIPD_METRIC_ADD (self->metrics, auth_refused_subscribers, 1);
        log_refusal (self, domain, key, address, reason);
        send_reply (self, frames, "400", "not allowed", "");
        return;
    }
    if (workers)
        CLIPD_METRIC_ADD (self->metrics, auth_accepted_workers, 1);
    else
        CLIPD_METRIC_ADD (self->metrics, auth_accepted_subscribers, 1);
    char qa [300];
    clip_info ("auth_accepted", "domain=%s key=%s address=%s", domain, key,
               clip_log_quote (qa, sizeof qa, address));
    send_reply (self, frames, "200", "OK", key);
}

/*  One request per call (zwatch.h).  */
static bool
on_readable (zwatch_t *watch, void *arg)
{
    (void) watch;
    clip_zap_t *self = arg;
    zmq_msg_t frames [ZAP_MAX_FRAMES];
    int n = 0;
    bool more = true, oversized = false;
    while (more) {
        /*  Past ZAP_MAX_FRAMES, frames land in a scratch message, dropped.  */
        zmq_msg_t scratch;
        zmq_msg_t *frame = n < ZAP_MAX_FRAMES ? &frames [n] : &scratch;
        zmq_msg_init (frame);
        if (zmq_msg_recv (frame, self->socket, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (frame);
            break;
        }
        more = zmq_msg_more (frame);
        if (zmq_msg_size (frame) > ZAP_MAX_FRAME)
            oversized = true;
        if (frame == &scratch) {
            oversized = true;
            zmq_msg_close (frame);
        }
        else
            n++;
    }
    if (n > 0)
        handle (self, frames, n, oversized);
    for (int i = 0; i < n; i++)
        zmq_msg_close (&frames [i]);
    return n > 0 || oversized;  /* a request taken, or none there */
}

clip_zap_t *
clip_zap_new (uv_loop_t *loop, void *zmq_ctx, clipd_metrics_t *metrics, char *err,
              size_t err_size)
{
    if (!clip_curve_available ()) {
        clip_err_set (err, err_size, "this libzmq was built without CURVE (zmq_has (\"curve\") "
                      "is false): --curve-secret needs one built with libsodium");
        return NULL;
    }
    clip_zap_t *self = clip_calloc (1, sizeof *self);
    self->metrics = metrics;
    self->workers = clip_curve_list_new ();
    self->subscribers = clip_curve_list_new ();
    self->socket = zmq_socket (zmq_ctx, ZMQ_ROUTER);
    int zero = 0;
    zmq_setsockopt (self->socket, ZMQ_LINGER, &zero, sizeof zero);
    char bound [64];
    if (!self->socket
    ||  zwatch_bind (self->socket, CLIP_ZAP_ENDPOINT, "ZAP", bound, sizeof bound, err,
                     err_size) != 0) {
        if (self->socket)
            zmq_close (self->socket);
        clip_curve_list_destroy (&self->workers);
        clip_curve_list_destroy (&self->subscribers);
        free (self);
        return NULL;
    }
    int rc = zwatch_init (loop, &self->watch, self->socket, on_readable, self);
    assert (rc == 0);
    (void) rc;
    return self;
}

int
clip_zap_set_list (clip_zap_t *self, const char *domain, clip_curve_list_t **list_p)
{
    clip_curve_list_t **slot = strcmp (domain, CLIP_CURVE_DOMAIN_WORKERS) == 0 ? &self->workers
                             : strcmp (domain, CLIP_CURVE_DOMAIN_SUBSCRIBERS) == 0
                               ? &self->subscribers : NULL;
    if (!slot)
        return -1;
    clip_curve_list_destroy (slot);
    *slot = *list_p;
    *list_p = NULL;
    return 0;
}

void
clip_zap_destroy (clip_zap_t **self_p)
{
    assert (self_p);
    clip_zap_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    zwatch_close (&self->watch, on_watch_closed);
    zmq_close (self->socket);
    self->socket = NULL;
}
