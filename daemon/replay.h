/*  replay: serves records from the results log to subscribers that missed
    them (PUB/SUB drops messages for slow or late subscribers).

    Owns the replay ROUTER socket.  The protocol (proto/README.md, "Replay"):
    a DEALER sends one msgpack map {since, topic?, limit?}; the answer is up
    to `limit` two-frame messages [topic, record] with seq > since, in seq
    order, then ["replay.end", {last, head, more}].  A page is bounded
    (limit <= 10000), so one request costs bounded memory and loop time.
*/
#ifndef CLIP_REPLAY_H
#define CLIP_REPLAY_H

#include <stddef.h>
#include <uv.h>

#include "results.h"

#define CLIP_REPLAY_DEFAULT_LIMIT 1000
#define CLIP_REPLAY_MAX_LIMIT 10000

typedef struct clip_replay clip_replay_t;

/*  Bind the replay endpoint.  results stays owned by the caller.  Returns
    NULL with err set.  Caller owns the result.  */
clip_replay_t *clip_replay_new (uv_loop_t *loop, void *zmq_ctx, const char *endpoint,
                                clip_results_t *results, char *err, size_t err_size);
/*  The endpoint actually bound (a '*' port resolved).  */
const char *clip_replay_endpoint (const clip_replay_t *self);
void clip_replay_destroy (clip_replay_t **self_p);

#endif
