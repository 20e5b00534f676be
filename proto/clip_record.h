/*  clip_record: one article's result, and its one codec.

    A record is what clipd publishes for every article (SPEC "A result"): a
    msgpack map with string keys.  This module owns the in-memory form, the
    msgpack encoding used on every socket and in the results log, and the JSON
    rendering printed by `clip sub` and `clip analyze`.  Every program uses it,
    so the wire format has exactly one implementation.

    Ownership: a clip_record_t owns every string and array it points to; they
    are freed by clip_record_destroy.  Setters copy their arguments.

    Decoding ignores keys it does not know (so that adding a field is not a
    breaking change) and fails with a message naming the first field of the
    wrong type.  Optional parts are marked by the has_* flags: a record from
    `clip analyze` has no seq, received or done; a failed record has an error
    and may lack id and title.
*/
#ifndef CLIP_RECORD_H
#define CLIP_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clip_codes.h"

#define CLIP_RECORD_VERSION 1
/*  Entities kept in one record, by default: clip-worker and clip analyze
    keep the first this many in text order and set entities_truncated;
    clipd refuses (bad_result) a worker's record holding more than its own
    --max-entities.  */
#define CLIP_RECORD_MAX_ENTITIES 10000

typedef struct {
    char *type;             /* PER ORG LOC MISC MONEY DATE PERCENT */
    char *text;             /* the mention as it appears in the decoded text */
    char *canonical;        /* the linked name */
    uint64_t start;         /* byte offset into the file as received */
    uint64_t end;           /* exclusive */
} clip_entity_t;

typedef struct {
    char *id;               /* the matched corpus article's id */
    char *file;             /* its file name */
    uint64_t seq;           /* its seq in the results log; 0 for seeded articles */
    double jaccard;
    double containment;     /* share of the smaller article found in the other */
} clip_match_t;

typedef struct {
    uint64_t v;             /* CLIP_RECORD_VERSION */
    bool has_seq;
    uint64_t seq;
    char *id;               /* hex digest of the normalised text; may be NULL if failed */
    char *file;
    char *stored_as;        /* the name in done/ or failed/ when it is not file's
                               (file's name was taken: a.txt kept as a.17.txt);
                               NULL otherwise, and while clipd has not chosen it.
                               Set by clipd only (retire.h), never by a worker:
                               one name, no '/', not "." or "..", at most 255
                               bytes */
    uint64_t bytes;
    char *encoding;         /* "utf-8" or "windows-1252"; may be NULL if failed */
    char *title;            /* may be NULL if failed */
    bool has_times;
    uint64_t received;      /* unix ms */
    uint64_t done;          /* unix ms */
    char *worker;           /* "host:pid"; may be NULL if never analysed */
    char *status;           /* "ok" or "failed" (CLIP_STATUS_MAP); as received,
                               so compare clip_record_status (rec) */
    char *error_code;       /* set iff status is "failed": CLIP_ERROR_MAP, or any
                               code a peer sent; compare clip_record_error (rec) */
    char *error_message;

    clip_entity_t *entities;
    size_t n_entities;
    /*  Set only by clip_record_decode_relay: the "entities" array kept as
        the msgpack bytes it arrived in, which are byte for byte what
        clip_record_encode writes for it.  entities is then NULL and
        n_entities its count; entities_end_max is the largest end among
        them.  Encoding copies the bytes; every other function of this
        module reads them as if they were unpacked.  */
    char *entities_packed;
    size_t entities_packed_len;
    uint64_t entities_end_max;
    bool entities_truncated;    /* the analysis found more than it kept (the
                                   worker's --max-entities); key absent when false */

    bool has_dedupe;
    char *verdict;          /* CLIP_VERDICT_MAP; compare clip_record_verdict (rec) */
    clip_match_t *matches;
    size_t n_matches;
    char *cluster;
} clip_record_t;

/*  Create an empty record (v set, status "ok").  Caller owns the result.  */
clip_record_t *clip_record_new (void);
/*  Free a record and everything it owns; nulls the caller's pointer.  */
void clip_record_destroy (clip_record_t **self_p);
/*  Deep copy.  Caller owns the result.  */
clip_record_t *clip_record_dup (const clip_record_t *self);

/*  Replace a string field (NULL clears it).  field must point into self,
    e.g. clip_record_set (rec, &rec->title, "Hello").  */
void clip_record_set (clip_record_t *self, char **field, const char *value);
/*  Mark the record failed with an error code and message.  */
void clip_record_set_error (clip_record_t *self, const char *code, const char *message);
/*  The same with a listed code (clip_codes.h): what clipd's own code
    uses, so that no code is spelt twice.  */
void clip_record_fail (clip_record_t *self, clip_error_t code, const char *message);
/*  Set the verdict to a listed one (the dedupe part's flag is not
    touched: clip_record_add_match or the caller sets it).  */
void clip_record_set_verdict (clip_record_t *self, clip_verdict_t verdict);

/*  The codes as enums, parsed from the strings the record holds (they stay
    strings: they are what the wire carries, and a peer may send a code this
    version does not list).  Each is the map's UNKNOWN value (-1) when the
    field is NULL or not in the table; compare these, never the strings.
    clip_record_verdict reads the verdict field whether or not has_dedupe
    is set.  */
clip_status_t clip_record_status (const clip_record_t *self);
clip_verdict_t clip_record_verdict (const clip_record_t *self);
clip_error_t clip_record_error (const clip_record_t *self);

/*  Append an entity / a match; the strings are copied.  */
void clip_record_add_entity (clip_record_t *self, const char *type, const char *text,
                             const char *canonical, uint64_t start, uint64_t end);
void clip_record_add_match (clip_record_t *self, const char *id, const char *file,
                            uint64_t seq, double jaccard, double containment);

/*  The publishing topic: "article.<verdict>" when ok, "error" when failed.  */
const char *clip_record_topic (const clip_record_t *self);

/*  Encode as a msgpack map into a new buffer; caller owns *data.
    Returns 0 (encoding cannot fail short of memory exhaustion).  */
int clip_record_encode (const clip_record_t *self, char **data, size_t *len);
/*  Decode a msgpack map.  Returns a new record (caller owns) or NULL with a
    one-line reason written to err (if err is not NULL).  */
clip_record_t *clip_record_decode (const void *data, size_t len, char *err, size_t err_size);

/*  clip_record_decode for a record that is to be relayed, as clipd relays
    a worker's result: when its entities are encoded exactly as
    clip_record_encode would encode them (as every clip-worker does), they
    are kept packed (entities_packed above) rather than made into strings
    only to be packed again, which was most of what clipd spent on a
    result (issue 12).  Otherwise, and for everything else, it is
    clip_record_decode: the same record, the same errors.  Entities that
    are kept packed have been checked as clip_record_validate checks them,
    except against the file's size.  */
clip_record_t *clip_record_decode_relay (const void *data, size_t len, char *err, size_t err_size);

/*  The most msgpack objects (keys, values, elements) clip_record_decode
    accepts in len bytes.  A record of clipd's spends at least 3 bytes per
    object beyond its first few (an entity is 11 objects in 38 bytes or
    more), so this refuses only padding, such as arrays of one-byte nils,
    and keeps msgpack-c's allocation (24 bytes per object) within 8 times
    the input plus a constant.  */
#define CLIP_RECORD_MAX_OBJECTS(len) ((size_t) 64 + (size_t) (len) / 3)

/*  Check a decoded record against the SPEC (proto/README.md, "The record
    map") before it is trusted: status "ok" or "failed"; an error (non-empty
    code) exactly when failed; for "ok" an id that is a non-empty hex string
    (at most CLIP_RECORD_ID_MAX characters); encoding, when present, "utf-8"
    or "windows-1252"; every entity of one of the seven types with
    start <= end <= file_bytes (the size of the file as clipd knows it, not
    the record's own `bytes`); a dedupe part, when present, with a known
    verdict, a cluster, and finite scores between 0 and 1.  Returns 0, or -1
    with a one-line reason naming the field in err.  */
#define CLIP_RECORD_ID_MAX 128
int clip_record_validate (const clip_record_t *self, uint64_t file_bytes,
                          char *err, size_t err_size);

/*  Render as one line of JSON (no trailing newline), keys in SPEC order.
    Caller owns the result.  */
char *clip_record_to_json (const clip_record_t *self);
/*  Re-render a msgpack record as JSON; NULL with err set if malformed.  */
char *clip_record_msgpack_to_json (const void *data, size_t len, char *err, size_t err_size);

#endif
