/*  publish: the XPUB endpoint.  See publish.h.  */
#include "publish.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "clip_log.h"
#include "clip_util.h"
#include "clip_wire.h"
#include "zwatch.h"

/*  Notifications read before a send, at most.  */
#define CLIP_PUBLISH_BATCH 256
/*  How long sends may go without reading the notifications, in us: see
    clip_publish_send.  */
#define CLIP_PUBLISH_APPLY_US 1000
/*  See on_readable.  */
#define CLIP_PUBLISH_RCVHWM 16

/*  Back-off between attempts to bind again after a reset, in ms.  */
#define CLIP_PUBLISH_REBIND_FIRST_MS 10
#define CLIP_PUBLISH_REBIND_MAX_MS 1000

struct clip_publish {
    void *socket;
    zwatch_t watch;
    uv_timer_t rebind;          /* retries the bind after a reset */
    clipd_metrics_t *metrics;
    long held;                  /* distinct prefixes libzmq holds */
    long held_at_reset;         /* held at the last reset; 0 once under the cap */
    bool unbound;               /* reset, not yet bound again */
    uint64_t backoff_ms;
    int closing;                /* handles still to close */
    char endpoint [256];
    /*  The socket's monitor (ZMQ_EVENT_ACCEPTED / _DISCONNECTED), read in
        the loop: the connections open now, for clipd_subscribers.  NULL
        when the monitor could not be set up (the gauge then stays 0).  */
    void *monitor;
    zwatch_t monitor_watch;
    long connections;
    uint64_t read_us;           /* monotonic us, when notifications were last read */
};

static void rebind (clip_publish_t *self);

static void
on_rebind_timer (uv_timer_t *timer)
{
    rebind (timer->data);
}

/*  Bind the endpoint again; on failure (the old listener may still hold
    the port for a moment: libzmq closes it on its I/O thread) retry from
    a timer, never blocking the loop.  */
static void
rebind (clip_publish_t *self)
{
    if (zmq_bind (self->socket, self->endpoint) == 0) {
        self->unbound = false;
        self->backoff_ms = 0;
        clip_info ("publisher_rebound", "endpoint=%s", self->endpoint);
        return;
    }
    int e = errno;
    self->backoff_ms = self->backoff_ms ? self->backoff_ms * 2 : CLIP_PUBLISH_REBIND_FIRST_MS;
    if (self->backoff_ms > CLIP_PUBLISH_REBIND_MAX_MS)
        self->backoff_ms = CLIP_PUBLISH_REBIND_MAX_MS;
    if (self->backoff_ms == CLIP_PUBLISH_REBIND_MAX_MS)
        clip_warn ("publisher_rebind_failed", "endpoint=%s error=\"%s\" retry_ms=%llu",
                   self->endpoint, zmq_strerror (e), (unsigned long long) self->backoff_ms);
    uv_timer_start (&self->rebind, on_rebind_timer, self->backoff_ms, 0);
}

/*  Too many distinct subscriptions: drop every connection (zmq_unbind
    terminates the connections the listener accepted, and with them what
    libzmq keeps for them) and bind again.  Real SUB sockets reconnect and
    subscribe again by themselves; what was published meanwhile they fetch
    from the replay endpoint, as after any loss.  */
static void
reset (clip_publish_t *self)
{
    clip_warn ("publisher_reset", "endpoint=%s subscriptions=%ld limit=%d "
               "message=\"too many distinct subscriptions: every subscriber is dropped\"",
               self->endpoint, self->held, CLIP_PUBLISH_MAX_SUBSCRIPTIONS);
    CLIPD_METRIC_ADD (self->metrics, publisher_resets, 1);
    self->held_at_reset = self->held;
    if (zmq_unbind (self->socket, self->endpoint) != 0)
        clip_warn ("publisher_unbind_failed", "endpoint=%s error=\"%s\"", self->endpoint,
                   zmq_strerror (errno));
    self->unbound = true;
    self->backoff_ms = 0;
    rebind (self);
}

/*  Every topic clip_record_topic (proto/clip_record.c) can return.  A new
    topic there must be added here, or subscriptions to it are counted as
    unmatchable.  */
static const char *const topics [] = {
    "article.unique", "article.related", "article.near_duplicate", "article.duplicate",
    "article", "error",
};

bool
clip_publish_subscription_useful (const void *prefix, size_t len)
{
    for (size_t i = 0; i < sizeof topics / sizeof topics [0]; i++)
        if (len <= strlen (topics [i]) && memcmp (topics [i], prefix, len) == 0)
            return true;
    return false;
}

/*  One notification: a subscription (first byte 1) to a prefix no peer
    held, or an unsubscription (0) from a prefix no peer holds any more
    (the peer sent it, or left), already applied by libzmq; counted, so
    that held is the number of distinct prefixes libzmq keeps.  Anything
    else (an XSUB peer's own messages) is read and dropped.  Read so that
    libzmq's queue of notifications stays short.  */
static bool
read_one (clip_publish_t *self)
{
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    if (zmq_msg_recv (&msg, self->socket, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&msg);
        return false;
    }
    const unsigned char *data = zmq_msg_data (&msg);
    size_t size = zmq_msg_size (&msg);
    if (size >= 1 && data [0] == 1) {
        self->held++;
        if (clip_publish_subscription_useful (data + 1, size - 1))
            CLIPD_METRIC_ADD (self->metrics, subscriptions_matchable, 1);
        else
            CLIPD_METRIC_ADD (self->metrics, subscriptions_unmatchable, 1);
    }
    else
    if (size >= 1 && data [0] == 0 && self->held > 0)
        self->held--;
    zmq_msg_close (&msg);
    CLIPD_METRIC_SET (self->metrics, subscriptions_held, (uint64_t) self->held);
    /*  After a reset, the notifications libzmq queued before it (new
        prefixes of the peers dropped, then their removal) are still read:
        reset again only past the cap above what was held then.  */
    if (self->held <= CLIP_PUBLISH_MAX_SUBSCRIPTIONS)
        self->held_at_reset = 0;
    else
    if (!self->unbound
    &&  (self->held_at_reset == 0
    ||   self->held > self->held_at_reset + CLIP_PUBLISH_MAX_SUBSCRIPTIONS))
        reset (self);
    return true;
}

/*  Notifications read in one call, at most.  libzmq moves a peer's
    subscriptions into its trie (and queues their notifications) each time
    it processes its commands: on every ZMQ_EVENTS read, and every 100th
    receive; each time at most ZMQ_RCVHWM (CLIP_PUBLISH_RCVHWM) per
    connection.  Reading many notifications per ZMQ_EVENTS read keeps the
    count we act on close to what libzmq holds.  */
#define CLIP_PUBLISH_READ_BATCH 256

static bool
on_readable (zwatch_t *watch, void *arg)
{
    (void) watch;
    clip_publish_t *self = arg;
    int i = 0;
    while (i < CLIP_PUBLISH_READ_BATCH && read_one (self))
        i++;
    self->read_us = clip_mono_us ();
    return i == CLIP_PUBLISH_READ_BATCH;       /* a full batch: more may wait */
}

/*  One monitor event: a 6-byte frame (event, value), then the endpoint.
    Connections are counted as libzmq accepts and drops them, which also
    counts a peer that a reset or the ZAP handler is about to drop.  */
static bool
on_monitor (zwatch_t *watch, void *arg)
{
    (void) watch;
    clip_publish_t *self = arg;
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    if (zmq_msg_recv (&msg, self->monitor, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&msg);
        return false;
    }
    uint16_t event = 0;
    if (zmq_msg_size (&msg) >= sizeof event)
        memcpy (&event, zmq_msg_data (&msg), sizeof event);
    while (zmq_msg_more (&msg) && zmq_msg_recv (&msg, self->monitor, ZMQ_DONTWAIT) >= 0)
        ;
    zmq_msg_close (&msg);
    if (event == ZMQ_EVENT_ACCEPTED)
        self->connections++;
    else
    if (event == ZMQ_EVENT_DISCONNECTED && self->connections > 0)
        self->connections--;
    CLIPD_METRIC_SET (self->metrics, subscribers, (uint64_t) self->connections);
    return true;
}

static void
monitor_start (clip_publish_t *self, uv_loop_t *loop, void *zmq_ctx)
{
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "inproc://clipd-pub-monitor-%p", (void *) self);
    if (zmq_socket_monitor (self->socket, endpoint,
                            ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0)
        goto fail;
    self->monitor = zmq_socket (zmq_ctx, ZMQ_PAIR);
    int zero = 0;
    if (!self->monitor
    ||  zmq_setsockopt (self->monitor, ZMQ_LINGER, &zero, sizeof zero) != 0
    ||  zmq_connect (self->monitor, endpoint) != 0
    ||  zwatch_init (loop, &self->monitor_watch, self->monitor, on_monitor, self) != 0)
        goto fail;
    return;
fail:
    clip_warn ("publisher_monitor_failed", "error=\"%s\" message=\"clipd_subscribers stays 0\"",
               zmq_strerror (errno));
    zmq_socket_monitor (self->socket, NULL, 0);
    if (self->monitor)
        zmq_close (self->monitor);
    self->monitor = NULL;
}

clip_publish_t *
clip_publish_new (uv_loop_t *loop, void *zmq_ctx, const char *endpoint,
                  const clip_curve_pair_t *curve, clipd_metrics_t *metrics,
                  char *err, size_t err_size)
{
    clip_publish_t *self = clip_calloc (1, sizeof *self);
    self->metrics = metrics;
    self->socket = zmq_socket (zmq_ctx, ZMQ_XPUB);
    if (!self->socket) {
        snprintf (err, err_size, "cannot create the pub socket: %s", zmq_strerror (errno));
        free (self);
        return NULL;
    }
    int zero = 0;
    int64_t max_frame = curve ? CLIP_PUBLISH_MAX_FRAME_CURVE : CLIP_PUBLISH_MAX_FRAME;
    zmq_setsockopt (self->socket, ZMQ_LINGER, &zero, sizeof zero);
    clip_wire_keepalive (self->socket);
    if (curve && clip_curve_server_apply (self->socket, curve, CLIP_CURVE_DOMAIN_SUBSCRIBERS,
                                          err, err_size) != 0) {
        zmq_close (self->socket);
        free (self);
        return NULL;
    }
    /*  Not ZMQ_XPUB_VERBOSER: without it libzmq notifies a prefix when
        its first peer subscribes and when its last one leaves, so that
        counting +1/-1 gives the distinct prefixes it holds exactly (with
        it, a peer could unsubscribe from what it never held and drive the
        count down).  Not ZMQ_XPUB_MANUAL: libzmq 4.3.4 remembers every
        subscription a peer sent in manual mode too (no memory saved), and
        applies a manual subscription to a pipe that may already be freed
        when its peer left before we read it (fixed in 4.3.5,
        zeromq/libzmq#4137).  */
    zmq_setsockopt (self->socket, ZMQ_MAXMSGSIZE, &max_frame, sizeof max_frame);
    /*  Subscriptions a connection may have on their way into libzmq's trie
        at once (they wait in the kernel beyond that).  */
    int rcvhwm = CLIP_PUBLISH_RCVHWM;
    zmq_setsockopt (self->socket, ZMQ_RCVHWM, &rcvhwm, sizeof rcvhwm);
    if (zwatch_bind (self->socket, endpoint, "pub", self->endpoint, sizeof self->endpoint,
                     err, err_size) != 0) {
        zmq_close (self->socket);
        free (self);
        return NULL;
    }
    int rc = zwatch_init (loop, &self->watch, self->socket, on_readable, self);
    assert (rc == 0);
    rc = uv_timer_init (loop, &self->rebind);
    assert (rc == 0);
    (void) rc;
    self->rebind.data = self;
    monitor_start (self, loop, zmq_ctx);
    return self;
}

const char *
clip_publish_endpoint (const clip_publish_t *self)
{
    return self->endpoint;
}

/*  Read the notifications that arrived, at most a batch, so that they
    never pile up in libzmq while records are being published.  */
static void
apply_pending (clip_publish_t *self, uint64_t now_us)
{
    for (int i = 0; i < CLIP_PUBLISH_BATCH && read_one (self); i++)
        ;
    self->read_us = now_us;
}

int
clip_publish_send (clip_publish_t *self, const char *topic, const void *data, size_t len)
{
    /*  Not before every send: a read that finds nothing still costs
        libzmq a poll(2) and a getpid(2) (its mailbox check), one per
        record.  Notifications enter libzmq's queue only when it processes
        its commands, which a send does at most about once a millisecond
        (its max_command_delay), so reading once a millisecond of sends
        lets no more pile up than reading before each; the loop reads
        them too, on the next turn after any send (the kick below).  */
    uint64_t now_us = clip_mono_us ();
    if (now_us - self->read_us >= CLIP_PUBLISH_APPLY_US)
        apply_pending (self, now_us);
    /*  Never blocks: a subscriber that cannot keep up loses messages and
        fills the gap from the replay endpoint.  */
    if (zmq_send (self->socket, topic, strlen (topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
    ||  zmq_send (self->socket, data, len, ZMQ_DONTWAIT) < 0)
        return -1;
    /*  Sending processes ZeroMQ's commands, which may queue subscriptions
        without the fd signalling again.  */
    zwatch_kick (&self->watch);
    return 0;
}

static void
on_watch_closed (zwatch_t *watch)
{
    clip_publish_t *self = (clip_publish_t *) ((char *) watch - offsetof (clip_publish_t, watch));
    if (--self->closing == 0)
        free (self);
}

static void
on_monitor_watch_closed (zwatch_t *watch)
{
    clip_publish_t *self = (clip_publish_t *) ((char *) watch
                                               - offsetof (clip_publish_t, monitor_watch));
    if (--self->closing == 0)
        free (self);
}

static void
on_timer_closed (uv_handle_t *handle)
{
    clip_publish_t *self = handle->data;
    if (--self->closing == 0)
        free (self);
}

void
clip_publish_destroy (clip_publish_t **self_p)
{
    assert (self_p);
    clip_publish_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    self->closing = self->monitor ? 3 : 2;
    zwatch_close (&self->watch, on_watch_closed);
    uv_close ((uv_handle_t *) &self->rebind, on_timer_closed);
    if (self->monitor) {
        zwatch_close (&self->monitor_watch, on_monitor_watch_closed);
        zmq_socket_monitor (self->socket, NULL, 0);
        zmq_close (self->monitor);
        self->monitor = NULL;
    }
    zmq_close (self->socket);
    self->socket = NULL;
}
