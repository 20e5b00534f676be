/*  clip_codes: the functions over the code tables.  See clip_codes.h.  */
#include "clip_codes.h"

#include <string.h>

/*  Name, description and name length arrays in enum order, and the four
    functions of one kind, generated from its map.  A table has a handful
    of rows, so a linear search (lengths first: the decoder parses every
    entity's type) is the fastest parse there is.  */
#define CLIP_CODES_DEFINE(kind, MAP)                                          \
    static const char *const kind##_names [] = {                              \
        MAP (CLIP_CODES_NAME_)                                                \
    };                                                                        \
    static const char *const kind##_descs [] = {                              \
        MAP (CLIP_CODES_DESC_)                                                \
    };                                                                        \
    static const size_t kind##_lens [] = {                                    \
        MAP (CLIP_CODES_LEN_)                                                 \
    };                                                                        \
    const char *                                                              \
    clip_##kind##_name (clip_##kind##_t code)                                 \
    {                                                                         \
        return (int) code >= 0 && (size_t) code < sizeof kind##_names / sizeof kind##_names [0] \
             ? kind##_names [code] : NULL;                                    \
    }                                                                         \
    const char *                                                              \
    clip_##kind##_describe (clip_##kind##_t code)                             \
    {                                                                         \
        return (int) code >= 0 && (size_t) code < sizeof kind##_descs / sizeof kind##_descs [0] \
             ? kind##_descs [code] : NULL;                                    \
    }                                                                         \
    clip_##kind##_t                                                           \
    clip_##kind##_parse_len (const char *s, size_t len)                       \
    {                                                                         \
        for (size_t i = 0; s && i < sizeof kind##_names / sizeof kind##_names [0]; i++) \
            if (kind##_lens [i] == len && memcmp (s, kind##_names [i], len) == 0) \
                return (clip_##kind##_t) i;                                   \
        return (clip_##kind##_t) -1;                                          \
    }                                                                         \
    clip_##kind##_t                                                           \
    clip_##kind##_parse (const char *s)                                       \
    {                                                                         \
        return clip_##kind##_parse_len (s, s ? strlen (s) : 0);               \
    }

#define CLIP_CODES_NAME_(id, name, desc) name,
#define CLIP_CODES_DESC_(id, name, desc) desc,
#define CLIP_CODES_LEN_(id, name, desc) sizeof name - 1,

CLIP_CODES_DEFINE (status, CLIP_STATUS_MAP)
CLIP_CODES_DEFINE (verdict, CLIP_VERDICT_MAP)
CLIP_CODES_DEFINE (error, CLIP_ERROR_MAP)
CLIP_CODES_DEFINE (entity_type, CLIP_ENTITY_TYPE_MAP)
CLIP_CODES_DEFINE (replay_code, CLIP_REPLAY_CODE_MAP)

/*  Each enum's COUNT is its table's length: the arrays above and the enums
    come from the same map, so this only fails if the generation is broken.  */
_Static_assert (sizeof status_names / sizeof status_names [0] == CLIP_STATUS_COUNT, "status");
_Static_assert (sizeof verdict_names / sizeof verdict_names [0] == CLIP_VERDICT_COUNT, "verdict");
_Static_assert (sizeof error_names / sizeof error_names [0] == CLIP_ERROR_COUNT, "error");
_Static_assert (sizeof entity_type_names / sizeof entity_type_names [0]
                == CLIP_ENTITY_TYPE_COUNT, "entity_type");
_Static_assert (sizeof replay_code_names / sizeof replay_code_names [0]
                == CLIP_REPLAY_CODE_COUNT, "replay_code");

/*  The topics, "article." followed by the verdict's name, made by the
    compiler from the same map.  */
static const char *const verdict_topics [] = {
#define XX(id, name, desc) "article." name,
    CLIP_VERDICT_MAP (XX)
#undef XX
};

const char *
clip_verdict_topic (clip_verdict_t code)
{
    return (int) code >= 0 && code < CLIP_VERDICT_COUNT ? verdict_topics [code] : NULL;
}
