/*  replay: serves records from the results log to subscribers that missed
    them (PUB/SUB drops messages for slow or late subscribers).

    Owns the replay ROUTER socket and the pages it has not finished sending.
    The protocol (proto/README.md, "Replay"; codec and limits in
    proto/clip_replay_msg.h): a DEALER sends one msgpack map {since, topic?,
    limit?}; the answer is a page of two-frame messages [topic, record] with
    seq > since, in seq order, then ["replay.end", {last, head, more}].

    What one peer can make clipd hold is bounded, in messages and bytes:
    - a request frame is at most CLIP_REPLAY_REQUEST_MAX bytes
      (ZMQ_MAXMSGSIZE; a larger one disconnects the peer);
    - a page ends after `limit` records (at most CLIP_REPLAY_MAX_LIMIT) or
      once CLIP_REPLAY_PAGE_BYTES of records were sent, whichever is first;
    - at most CLIP_REPLAY_SNDHWM messages wait in a peer's outgoing pipe
      (ZMQ_SNDHWM).  A page is sent only as fast as the peer takes it: when
      the pipe is full the page is held (its position only, never copies of
      records) and resumed from the results log when there is room;
    - a peer has at most one held page: a request that arrives while its
      page is held is refused with replay.error "busy", as is any request
      while CLIP_REPLAY_MAX_HELD pages are held;
    - a held page that makes no progress for CLIP_REPLAY_STALL_MS is
      abandoned (its replay.end is never sent; the client asks again).
    So a peer that never reads costs at most CLIP_REPLAY_SNDHWM messages
    (each one record) plus one held page.
*/
#ifndef CLIP_REPLAY_H
#define CLIP_REPLAY_H

#include <stddef.h>
#include <uv.h>

#include "clip_curve.h"
#include "clip_replay_msg.h"
#include "metrics.h"
#include "results.h"

#define CLIP_REPLAY_SNDHWM 128
#define CLIP_REPLAY_MAX_HELD 64
#define CLIP_REPLAY_STALL_MS 30000

typedef struct clip_replay clip_replay_t;

/*  Bind the replay endpoint; with curve (may be NULL: no security) as a
    CURVE server of ZAP domain "subscribers".  results stays owned by the
    caller; metrics (may be NULL) too, and must outlive the replay.
    Returns NULL with err set.  Caller owns the result.  */
clip_replay_t *clip_replay_new (uv_loop_t *loop, void *zmq_ctx, const char *endpoint,
                                const clip_curve_pair_t *curve, clip_results_t *results,
                                clipd_metrics_t *metrics, char *err, size_t err_size);
/*  The endpoint actually bound (a '*' port resolved).  */
const char *clip_replay_endpoint (const clip_replay_t *self);
/*  Close the socket and drop held pages.  Nulls the caller's pointer.  */
void clip_replay_destroy (clip_replay_t **self_p);

#endif
