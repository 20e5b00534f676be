/*  zap: clipd's ZAP handler (RFC 27, ZAP 1.0), the gate of its CURVE
    endpoints.

    CURVE alone only encrypts: any client that knows the server's public
    key would get in.  libzmq asks the ZAP handler of the socket's context
    (the socket bound to inproc://zeromq.zap.01) about every CURVE
    handshake, with the ZAP domain of the listening socket and the client's
    public key; this module answers from one allow-list per domain:
    "workers" (the task endpoint) and "subscribers" (pub and replay).  200
    for a key listed in the request's domain, 400 for anything else (a key
    not listed, another domain, a mechanism other than CURVE).

    Owned by clipd.c, one per daemon, created in clipd's ZeroMQ context
    BEFORE the CURVE sockets bind (a CURVE server with a ZAP domain and no
    handler refuses everyone) and destroyed after them.  Its ROUTER socket
    is read in the libuv loop through zwatch, one request per callback, so
    a handshake waits at most for one loop turn.  Nothing here blocks.

    Requests are input, even from inside the process: a request with the
    wrong frame count or sizes is refused (400 when its envelope and id can
    be read, otherwise dropped: libzmq then ends that handshake after
    ZMQ_HANDSHAKE_IVL) and never crashes clipd.  Each refusal is a warn
    line `event=auth_refused domain=... key=<z85> address=<peer ip>`, at
    most CLIP_ZAP_LOG_BURST a second (the rest are counted and summed up
    in one event=auth_refused_suppressed line); refusals and acceptances
    are counted per domain in the metrics (clipd_auth_refused_total,
    clipd_auth_accepted_total).

    Lists are replaced whole (clip_zap_set_list), so a reload that fails
    keeps the old list.  Only new handshakes see a change: a peer already
    connected when its key is removed stays connected until it disconnects
    (libzmq asks ZAP only during the handshake); restart clipd to cut it.
*/
#ifndef CLIP_ZAP_H
#define CLIP_ZAP_H

#include <stddef.h>
#include <uv.h>

#include "clip_curve.h"
#include "metrics.h"

#define CLIP_ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define CLIP_ZAP_LOG_BURST 10

typedef struct clip_zap clip_zap_t;

/*  Bind the handler in zmq_ctx and watch it in loop.  Both lists start
    empty (everyone refused).  metrics may be NULL and must outlive the
    handler.  Returns NULL with err set.  Caller owns the result.  */
clip_zap_t *clip_zap_new (uv_loop_t *loop, void *zmq_ctx, clipd_metrics_t *metrics,
                          char *err, size_t err_size);
/*  Replace the allow-list of domain (CLIP_CURVE_DOMAIN_WORKERS or
    _SUBSCRIBERS) with *list_p, taking ownership and nulling it.  Returns
    0, or -1 for an unknown domain (the list is then left to the caller).  */
int clip_zap_set_list (clip_zap_t *self, const char *domain, clip_curve_list_t **list_p);
/*  Close the socket now; the watch is freed once the loop runs.  Nulls
    the caller's pointer.  */
void clip_zap_destroy (clip_zap_t **self_p);

#endif
