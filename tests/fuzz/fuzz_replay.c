/*  fuzz_replay: the replay protocol's decoders (proto/clip_replay_msg.h) on
    arbitrary bodies: the request clipd's replay endpoint reads from any
    client, and the replay.end and replay.error answers `clip sub` reads.

    Checks, besides the sanitizers, what the header promises of a decoded
    request: limit within 1 .. CLIP_REPLAY_MAX_LIMIT, a topic of at most
    CLIP_REPLAY_TOPIC_MAX bytes; and that each decoded message encodes to a
    body that decodes to the same message.  */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clip_replay_msg.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char err [256] = "";
    char *enc = NULL;
    size_t enc_len = 0;

    clip_replay_request_t req, back;
    memset (&req, 0, sizeof req);
    if (clip_replay_request_decode (data, size, &req, err, sizeof err) == 0) {
        FUZZ_CHECK (req.limit >= 1 && req.limit <= CLIP_REPLAY_MAX_LIMIT,
                    "limit %llu", (unsigned long long) req.limit);
        FUZZ_CHECK (memchr (req.topic, 0, sizeof req.topic), "topic not terminated");
        FUZZ_CHECK (strlen (req.topic) <= CLIP_REPLAY_TOPIC_MAX, "topic too long");
        FUZZ_CHECK (clip_replay_request_encode (&req, &enc, &enc_len) == 0, "encode");
        memset (&back, 0, sizeof back);
        FUZZ_CHECK (clip_replay_request_decode (enc, enc_len, &back, err, sizeof err) == 0,
                    "an encoded request does not decode: %s", err);
        FUZZ_CHECK (back.since == req.since && back.limit == req.limit
                    && strcmp (back.topic, req.topic) == 0, "request round trip");
        free (enc);
    }
    else
        FUZZ_CHECK (err [0], "refused without a reason");

    clip_replay_end_t end, end2;
    if (clip_replay_end_decode (data, size, &end, err, sizeof err) == 0) {
        FUZZ_CHECK (clip_replay_end_encode (&end, &enc, &enc_len) == 0, "encode");
        FUZZ_CHECK (clip_replay_end_decode (enc, enc_len, &end2, err, sizeof err) == 0
                    && end2.last == end.last && end2.head == end.head && end2.more == end.more,
                    "replay.end round trip: %s", err);
        free (enc);
    }

    clip_replay_error_t e, e2;
    if (clip_replay_error_decode (data, size, &e, err, sizeof err) == 0) {
        FUZZ_CHECK (memchr (e.code, 0, sizeof e.code) && memchr (e.message, 0, sizeof e.message),
                    "error strings not terminated");
        FUZZ_CHECK (clip_replay_error_encode (e.code, e.message, &enc, &enc_len) == 0, "encode");
        FUZZ_CHECK (clip_replay_error_decode (enc, enc_len, &e2, err, sizeof err) == 0
                    && strcmp (e.code, e2.code) == 0 && strcmp (e.message, e2.message) == 0,
                    "replay.error round trip: %s", err);
        free (enc);
    }
    return 0;
}
