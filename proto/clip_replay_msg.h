/*  clip_replay_msg: the replay protocol's messages, and their one codec.

    A client (a DEALER) sends a request, one frame holding the msgpack map
    {since, topic?, limit?}; clipd's replay ROUTER answers with records
    ([topic, record], as published) and then ["replay.end", {last, head,
    more}], or ["replay.error", {code, message}].  proto/README.md
    ("Replay") documents them for other languages; clipd (daemon/replay.c),
    `clip sub` and the tests use this codec and nothing else, and the limits
    below are defined here only.

    Decoding goes through the guarded reader (clip_msgpack.h): at most
    CLIP_REPLAY_MAX_OBJECTS msgpack objects, counts checked against the
    bytes that remain.  Every decoder returns 0, or -1 with a one-line
    reason in err (if err is not NULL) that names the field; it ignores
    keys it does not know (and keys that are not strings) and refuses a
    repeated known key.  Encoders write a new buffer to *data (caller owns,
    free()) and return 0 (they cannot fail short of memory exhaustion).
*/
#ifndef CLIP_REPLAY_MSG_H
#define CLIP_REPLAY_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clip_codes.h"

#define CLIP_REPLAY_END_TOPIC "replay.end"
#define CLIP_REPLAY_ERROR_TOPIC "replay.error"

/*  A request without `limit` gets this many records at most.  */
#define CLIP_REPLAY_DEFAULT_LIMIT 1000
/*  A larger `limit` is lowered to this (not refused).  */
#define CLIP_REPLAY_MAX_LIMIT 10000
/*  The longest topic prefix, in bytes.  */
#define CLIP_REPLAY_TOPIC_MAX 255
/*  The largest request frame the replay endpoint accepts (ZMQ_MAXMSGSIZE:
    ZeroMQ disconnects a peer that sends a larger one).  */
#define CLIP_REPLAY_REQUEST_MAX 4096
/*  msgpack objects in one request or answer map, at most.  */
#define CLIP_REPLAY_MAX_OBJECTS 64
/*  A page ends after `limit` records or once the records sent reach this
    many bytes (at least one record is sent, whatever its size); `more` then
    tells the client to ask again.  */
#define CLIP_REPLAY_PAGE_BYTES ((size_t) 1024 * 1024)

typedef struct {
    uint64_t since;             /* records with seq > since; any uint64 */
    char topic [CLIP_REPLAY_TOPIC_MAX + 1];     /* prefix, "" for all */
    uint64_t limit;             /* 1 .. CLIP_REPLAY_MAX_LIMIT once decoded */
} clip_replay_request_t;

typedef struct {
    uint64_t last;              /* the highest seq examined: the next since */
    uint64_t head;              /* the highest committed seq */
    bool more;                  /* records above last may exist */
} clip_replay_end_t;

#define CLIP_REPLAY_CODE_MAX 64
#define CLIP_REPLAY_MESSAGE_MAX 512

typedef struct {
    char code [CLIP_REPLAY_CODE_MAX];           /* cut to fit */
    char message [CLIP_REPLAY_MESSAGE_MAX];     /* cut to fit */
    clip_replay_code_t code_id;     /* code, from CLIP_REPLAY_CODE_MAP (clip_codes.h);
                                       CLIP_REPLAY_CODE_UNKNOWN when not listed */
} clip_replay_error_t;

/*  {since, topic, limit}; limit 0 is written as is (the decoder refuses
    it), so that tests can send what a broken client would.  */
int clip_replay_request_encode (const clip_replay_request_t *req, char **data, size_t *len);

/*  Checks: the body is one map; `since` present, a non-negative integer
    (any of 0 .. 2^64-1); `topic`, when present, a str of at most
    CLIP_REPLAY_TOPIC_MAX bytes with no NUL byte (default ""); `limit`, when
    present, a positive integer, lowered to CLIP_REPLAY_MAX_LIMIT when
    larger (default CLIP_REPLAY_DEFAULT_LIMIT).  On failure *req is
    unspecified.  */
int clip_replay_request_decode (const void *body, size_t len, clip_replay_request_t *req,
                                char *err, size_t err_size);

int clip_replay_end_encode (const clip_replay_end_t *end, char **data, size_t *len);
/*  `last` and `head` required non-negative integers, `more` a bool
    (false when absent).  */
int clip_replay_end_decode (const void *body, size_t len, clip_replay_end_t *end,
                            char *err, size_t err_size);

/*  code is a name from CLIP_REPLAY_CODE_MAP (clip_replay_code_name):
    clipd sends no other; tests and fuzzers may send any string.  */
int clip_replay_error_encode (const char *code, const char *message, char **data, size_t *len);
/*  `code` and `message` required strs.  A code not in the table is
    accepted (a newer clipd may send one) and decoded with code_id
    CLIP_REPLAY_CODE_UNKNOWN: the client treats it as a refusal.  */
int clip_replay_error_decode (const void *body, size_t len, clip_replay_error_t *error,
                              char *err, size_t err_size);

#endif
