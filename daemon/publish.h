/*  publish: the endpoint where committed records go out to subscribers.

    An XPUB socket: for a subscriber exactly PUB ([topic, record] frames,
    prefix matching on the topic, messages dropped, never blocking clipd,
    when the subscriber does not keep up; proto/README.md).

    What a peer can make clipd hold is bounded by ZMQ_MAXMSGSIZE
    (CLIP_PUBLISH_MAX_FRAME; CLIP_PUBLISH_MAX_FRAME_CURVE with CURVE): every useful subscription is a prefix of a
    topic (article.unique, article.related, article.near_duplicate,
    article.duplicate, article, error; at most 23 bytes with its flag), and
    ZeroMQ disconnects a peer that sends a longer frame before allocating
    anything for it.  Without it, 12.5 MiB of long subscriptions cost
    400 MiB in ZeroMQ's subscription trie and a long stall of the loop.
    The number is bounded too: libzmq keeps every distinct subscription
    (about 1 KB each) while its peer stays connected, and cannot drop one
    peer (ZMQ_XPUB_MANUAL does not help in libzmq 4.3.4), so when the
    distinct prefixes held pass CLIP_PUBLISH_MAX_SUBSCRIPTIONS the endpoint
    is unbound, which drops every connection and frees what they held, and
    bound again (retried from a timer, 10 ms doubling to 1 s, while the
    port is not free yet).  Real subscribers reconnect and subscribe again
    by themselves and fill the gap from replay, as after any loss.  So that
    the count read keeps up with what libzmq holds, ZMQ_RCVHWM is small (a
    connection's subscriptions enter libzmq's trie a few at a time) and
    notifications are read in batches.

    The subscription notifications (a prefix new to the socket, or no
    longer held by any peer) are read from the loop through zwatch, a
    bounded number per loop turn and before a send when none were read for
    a millisecond (not before each: an empty read costs two system calls a
    record; tests/unit/test_publish_cost.c), and counted in the
    metrics (may be NULL): new ones by whether they can match, the
    distinct prefixes held, the resets.
*/
#ifndef CLIP_PUBLISH_H
#define CLIP_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "clip_curve.h"
#include "metrics.h"

/*  The longest frame accepted from a subscriber.  The longest useful
    subscription is 1 + strlen ("article.near_duplicate") = 23 bytes; the
    ZMTP handshake of a subscriber (its READY command) also passes through
    this limit and must fit, with room for a routing id.  */
#define CLIP_PUBLISH_MAX_FRAME 64
/*  The same bound with CURVE, where a frame on the wire is the CURVE
    handshake's (HELLO is 200 bytes, INITIATE about 300 with its metadata)
    or a MESSAGE wrapping a subscription in 33 bytes of box (a prefix of
    up to 469 bytes passes, with the 10 bytes of the SUBSCRIBE command).  Peers that
    pass the handshake are allow-listed subscribers (daemon/zap.h): what a
    stranger can send before being refused is bounded by this too.  */
#define CLIP_PUBLISH_MAX_FRAME_CURVE 512

/*  Distinct subscription prefixes held (all peers together) past which
    every subscriber is dropped.  clipd's topics have about 30 useful
    prefixes; a few thousand subscribers with their own prefix still fit.
    Memory held: a few MB.  */
#define CLIP_PUBLISH_MAX_SUBSCRIPTIONS 4096

typedef struct clip_publish clip_publish_t;

/*  Bind an XPUB on endpoint and watch it in loop; with curve (may be
    NULL: no security) as a CURVE server of ZAP domain "subscribers".
    Returns NULL with err set.  Caller owns the result; metrics (may be
    NULL) must outlive it.  */
clip_publish_t *clip_publish_new (uv_loop_t *loop, void *zmq_ctx, const char *endpoint,
                                  const clip_curve_pair_t *curve, clipd_metrics_t *metrics,
                                  char *err, size_t err_size);
/*  The endpoint actually bound (port resolved).  */
const char *clip_publish_endpoint (const clip_publish_t *self);
/*  Send [topic, data] to the peers subscribed to topic.  Never blocks: a
    peer whose queue is full loses the message.  Returns 0 or -1 (errno
    set).  */
int clip_publish_send (clip_publish_t *self, const char *topic, const void *data, size_t len);
/*  True if a subscription to prefix can match a topic clipd publishes.  */
bool clip_publish_subscription_useful (const void *prefix, size_t len);
/*  Close the socket now; the watch handles are freed once the loop runs.
    Nulls the caller's pointer.  */
void clip_publish_destroy (clip_publish_t **self_p);

#endif
