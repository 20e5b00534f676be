/*  clip_codes: every code clipd puts on the wire, in one table.

    A record's `status`, its `dedupe.verdict`, its `error.code`, an
    entity's `type`, and a replay refusal's `code` are strings on the wire
    (proto/README.md) and stay so.  This header is the one place that lists them: each X-macro
    map below holds, per code, its C name, its wire string and the one-line
    meaning proto/README.md documents, and the enums and the name / parse /
    describe functions are generated from it (as libuv's UV_ERRNO_MAP).
    Code compares enums (clip_record_status (rec) == CLIP_STATUS_FAILED),
    never strings, so a misspelt code is a compile error, not a silent miss.

    Parsing never fails: a string that is not in the table (a peer of a
    newer version, a broken worker, NULL) parses to the map's UNKNOWN
    value (-1), which has no name.  What to do with it is the caller's
    decision: clip_record_validate refuses an unknown status or verdict,
    and accepts any non-empty error code (as it always did).

    The enums count from 0 in table order, so a table of counters can be
    indexed by them (size CLIP_X_COUNT).  Adding a code is one line in its
    map, and one row in proto/README.md.
*/
#ifndef CLIP_CODES_H
#define CLIP_CODES_H

#include <stddef.h>

/*  A record's `status`.  */
#define CLIP_STATUS_MAP(XX)                                                   \
    XX (OK,     "ok",     "the article was analysed")                         \
    XX (FAILED, "failed", "the article could not be analysed: see `error`")

/*  A record's `dedupe.verdict` (corpus/README.md says how each is found).
    Each verdict is also the publishing topic "article.<verdict>".  */
#define CLIP_VERDICT_MAP(XX)                                                  \
    XX (UNIQUE,         "unique",                                             \
        "no corpus article shares enough of its text")                        \
    XX (RELATED,        "related",                                            \
        "shares copied passages with a corpus article")                       \
    XX (NEAR_DUPLICATE, "near_duplicate",                                     \
        "most of the smaller article's text is in a corpus article")          \
    XX (DUPLICATE,      "duplicate",                                          \
        "the same normalised text is already in the corpus")

/*  A failed record's `error.code` (proto/README.md, "Error codes").  */
#define CLIP_ERROR_MAP(XX)                                                    \
    XX (EMPTY,       "empty",                                                 \
        "the file has no bytes, or only white space")                         \
    XX (NOT_TEXT,    "not_text",                                              \
        "the file holds binary data (NUL bytes or mostly control characters)") \
    XX (TOO_LARGE,   "too_large",                                             \
        "the file is larger than --max-bytes")                                \
    XX (WORKER_LOST, "worker_lost",                                           \
        "every worker given the file was lost or missed the deadline")        \
    XX (VANISHED,    "vanished",                                              \
        "the file was removed from processing/ by someone else")              \
    XX (UNREADABLE,  "unreadable",                                            \
        "the file could not be read")                                         \
    XX (BAD_RESULT,  "bad_result",                                            \
        "a worker answered with a malformed record, or one that breaks the SPEC") \
    XX (NOT_A_FILE,  "not_a_file",                                            \
        "(clip analyze only) the path is not a regular file")

/*  An entity's `type` (the SPEC, "A result"): the four name types of
    CoNLL-2003, which the tagger finds (its CLIP_ENT_* are the first four,
    in this order), and the three the money and date grammar finds.  The
    enum's order is also the order of the scorer's per-type tables.  */
#define CLIP_ENTITY_TYPE_MAP(XX)                                              \
    XX (PER,     "PER",     "a person")                                      \
    XX (ORG,     "ORG",     "an organisation: a company, an institution, a team") \
    XX (LOC,     "LOC",     "a place: a country, a city, a region, a site")  \
    XX (MISC,    "MISC",    "another name: a nationality, an event, a product, a work") \
    XX (MONEY,   "MONEY",   "an amount of money")                            \
    XX (DATE,    "DATE",    "a date or a period of time")                    \
    XX (PERCENT, "PERCENT", "a percentage")

/*  A replay refusal's `code` (["replay.error", {code, message}];
    proto/README.md, "Replay").  */
#define CLIP_REPLAY_CODE_MAP(XX)                                              \
    XX (BAD_REQUEST, "bad_request", "the request was malformed")              \
    XX (BUSY,        "busy",        "ask again later")                        \
    XX (INTERNAL,    "internal",    "the results log could not be read")

typedef enum {
    CLIP_STATUS_UNKNOWN = -1,       /* absent, or not in CLIP_STATUS_MAP */
#define XX(id, name, desc) CLIP_STATUS_##id,
    CLIP_STATUS_MAP (XX)
#undef XX
    CLIP_STATUS_COUNT
} clip_status_t;

typedef enum {
    CLIP_VERDICT_UNKNOWN = -1,      /* absent, or not in CLIP_VERDICT_MAP */
#define XX(id, name, desc) CLIP_VERDICT_##id,
    CLIP_VERDICT_MAP (XX)
#undef XX
    CLIP_VERDICT_COUNT
} clip_verdict_t;

typedef enum {
    CLIP_ERROR_UNKNOWN = -1,        /* absent, or not in CLIP_ERROR_MAP */
#define XX(id, name, desc) CLIP_ERROR_##id,
    CLIP_ERROR_MAP (XX)
#undef XX
    CLIP_ERROR_COUNT
} clip_error_t;

typedef enum {
    CLIP_ENTITY_TYPE_UNKNOWN = -1,  /* absent, or not in CLIP_ENTITY_TYPE_MAP */
#define XX(id, name, desc) CLIP_ENTITY_TYPE_##id,
    CLIP_ENTITY_TYPE_MAP (XX)
#undef XX
    CLIP_ENTITY_TYPE_COUNT
} clip_entity_type_t;

typedef enum {
    CLIP_REPLAY_CODE_UNKNOWN = -1,  /* absent, or not in CLIP_REPLAY_CODE_MAP */
#define XX(id, name, desc) CLIP_REPLAY_CODE_##id,
    CLIP_REPLAY_CODE_MAP (XX)
#undef XX
    CLIP_REPLAY_CODE_COUNT
} clip_replay_code_t;

/*  For each kind: _name gives the wire string of a listed code (NULL for
    UNKNOWN or any value outside the table); _parse the code named by s
    (exact, case-sensitive; UNKNOWN for NULL or a string not listed);
    _parse_len the same for the len bytes at s, which need no NUL (a
    string inside a message); _describe the one-line meaning (NULL outside
    the table).  The strings are static.  */
const char *clip_status_name (clip_status_t code);
clip_status_t clip_status_parse (const char *s);
clip_status_t clip_status_parse_len (const char *s, size_t len);
const char *clip_status_describe (clip_status_t code);

const char *clip_verdict_name (clip_verdict_t code);
clip_verdict_t clip_verdict_parse (const char *s);
clip_verdict_t clip_verdict_parse_len (const char *s, size_t len);
const char *clip_verdict_describe (clip_verdict_t code);
/*  The publishing topic of an ok record with this verdict,
    "article.<verdict>"; NULL outside the table.  */
const char *clip_verdict_topic (clip_verdict_t code);

const char *clip_error_name (clip_error_t code);
clip_error_t clip_error_parse (const char *s);
clip_error_t clip_error_parse_len (const char *s, size_t len);
const char *clip_error_describe (clip_error_t code);

const char *clip_entity_type_name (clip_entity_type_t code);
clip_entity_type_t clip_entity_type_parse (const char *s);
clip_entity_type_t clip_entity_type_parse_len (const char *s, size_t len);
const char *clip_entity_type_describe (clip_entity_type_t code);

const char *clip_replay_code_name (clip_replay_code_t code);
clip_replay_code_t clip_replay_code_parse (const char *s);
clip_replay_code_t clip_replay_code_parse_len (const char *s, size_t len);
const char *clip_replay_code_describe (clip_replay_code_t code);

#endif
