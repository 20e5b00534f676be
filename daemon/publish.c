/*  publish: the XPUB endpoint.  See publish.h.  */
#include "publish.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "clip_util.h"
#include "zwatch.h"

/*  Notifications read before a send, at most.  */
#define CLIP_PUBLISH_BATCH 256

struct clip_publish {
    void *socket;
    zwatch_t watch;
    clipd_metrics_t *metrics;
    char endpoint [256];
};

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

/*  One notification: a subscription (first byte 1) or an unsubscription
    (0) a peer sent, already applied by libzmq; counted.  Anything else (an
    XSUB peer's own messages) is read and dropped.  Read so that libzmq's
    queue of notifications stays short.  */
static void
on_readable (zwatch_t *watch, void *arg)
{
    clip_publish_t *self = arg;
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    if (zmq_msg_recv (&msg, self->socket, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&msg);
        return;
    }
    const unsigned char *data = zmq_msg_data (&msg);
    size_t size = zmq_msg_size (&msg);
    if (size >= 1 && data [0] == 1) {
        if (clip_publish_subscription_useful (data + 1, size - 1))
            CLIPD_METRIC_ADD (self->metrics, subscriptions_matchable, 1);
        else
            CLIPD_METRIC_ADD (self->metrics, subscriptions_unmatchable, 1);
    }
    zmq_msg_close (&msg);
}

clip_publish_t *
clip_publish_new (uv_loop_t *loop, void *zmq_ctx, const char *endpoint,
                  clipd_metrics_t *metrics, char *err, size_t err_size)
{
    clip_publish_t *self = clip_calloc (1, sizeof *self);
    self->metrics = metrics;
    self->socket = zmq_socket (zmq_ctx, ZMQ_XPUB);
    if (!self->socket) {
        snprintf (err, err_size, "cannot create the pub socket: %s", zmq_strerror (errno));
        free (self);
        return NULL;
    }
    int one = 1, zero = 0;
    int64_t max_frame = CLIP_PUBLISH_MAX_FRAME;
    zmq_setsockopt (self->socket, ZMQ_LINGER, &zero, sizeof zero);
    /*  Every (un)subscription notified, duplicates included, to count them.
        Not ZMQ_XPUB_MANUAL: libzmq 4.3.4 remembers every subscription a
        peer sent in manual mode too (no memory saved), and applies a manual
        subscription to a pipe that may already be freed when its peer left
        before we read it (fixed in 4.3.5, zeromq/libzmq#4137).  */
    zmq_setsockopt (self->socket, ZMQ_XPUB_VERBOSER, &one, sizeof one);
    zmq_setsockopt (self->socket, ZMQ_MAXMSGSIZE, &max_frame, sizeof max_frame);
    if (zmq_bind (self->socket, endpoint) != 0) {
        snprintf (err, err_size, "cannot bind pub endpoint %s: %s", endpoint, zmq_strerror (errno));
        zmq_close (self->socket);
        free (self);
        return NULL;
    }
    size_t len = sizeof self->endpoint;
    zmq_getsockopt (self->socket, ZMQ_LAST_ENDPOINT, self->endpoint, &len);
    int rc = zwatch_init (loop, &self->watch, self->socket, on_readable, self);
    assert (rc == 0);
    (void) rc;
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
apply_pending (clip_publish_t *self)
{
    for (int i = 0; i < CLIP_PUBLISH_BATCH; i++) {
        int events = 0;
        size_t size = sizeof events;
        if (zmq_getsockopt (self->socket, ZMQ_EVENTS, &events, &size) != 0
        ||  !(events & ZMQ_POLLIN))
            return;
        on_readable (&self->watch, self);
    }
}

int
clip_publish_send (clip_publish_t *self, const char *topic, const void *data, size_t len)
{
    apply_pending (self);
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
    free ((clip_publish_t *) ((char *) watch - offsetof (clip_publish_t, watch)));
}

void
clip_publish_destroy (clip_publish_t **self_p)
{
    assert (self_p);
    clip_publish_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    zwatch_close (&self->watch, on_watch_closed);
    zmq_close (self->socket);
    self->socket = NULL;
}
