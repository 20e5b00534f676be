/*  clip_record: one article's result, its msgpack codec and its JSON form.
    See clip_record.h for the contract and proto/README.md ("Records") for
    the wire format this file implements.

    Decoding runs on bytes from the network and the results log, so it is
    written to survive anything: the bytes are parsed by the one guarded
    reader, clip_msgpack_unpack (clip_msgpack.h), which refuses declared
    lengths and counts larger than the bytes that remain and caps the
    number of objects at CLIP_RECORD_MAX_OBJECTS (len), so that msgpack-c's
    allocation stays within a small multiple of the input size.
*/
#include "clip_record.h"
#include "clip_codes.h"
#include "clip_msgpack.h"
#include "clip_utf8.h"
#include "clip_util.h"

#include <assert.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static clip_entity_t *entities_unpack (const clip_record_t *self);
static void entities_free (clip_entity_t *list, size_t n);
typedef enum { ENTITY_OK, ENTITY_BAD_TYPE, ENTITY_OUTSIDE, ENTITY_TOO_LONG } entity_problem_t;
static entity_problem_t entity_problem (const char *type, size_t type_len, size_t text_len,
                                        size_t canonical_len, uint64_t start, uint64_t end,
                                        uint64_t file_bytes);

/*  ---------------------------------------------------------------------
    Life cycle and setters
    --------------------------------------------------------------------- */

clip_record_t *
clip_record_new (void)
{
    clip_record_t *self = clip_calloc (1, sizeof (*self));
    self->v = CLIP_RECORD_VERSION;
    self->status = clip_strdup (clip_status_name (CLIP_STATUS_OK));
    return self;
}

static char *
dup_or_null (const char *s)
{
    return s ? clip_strdup (s) : NULL;
}

void
clip_record_destroy (clip_record_t **self_p)
{
    assert (self_p);
    clip_record_t *self = *self_p;
    if (!self)
        return;
    free (self->id);
    free (self->file);
    free (self->stored_as);
    free (self->encoding);
    free (self->title);
    free (self->worker);
    free (self->status);
    free (self->error_code);
    free (self->error_message);
    entities_free (self->entities, self->n_entities);
    free (self->entities_packed);
    free (self->verdict);
    for (size_t i = 0; i < self->n_matches; i++) {
        free (self->matches [i].id);
        free (self->matches [i].file);
    }
    free (self->matches);
    free (self->cluster);
    free (self);
    *self_p = NULL;
}

clip_record_t *
clip_record_dup (const clip_record_t *self)
{
    assert (self);
    clip_record_t *copy = clip_calloc (1, sizeof (*copy));
    *copy = *self;              /* scalars and flags; every pointer is replaced below */
    copy->id = dup_or_null (self->id);
    copy->file = dup_or_null (self->file);
    copy->stored_as = dup_or_null (self->stored_as);
    copy->encoding = dup_or_null (self->encoding);
    copy->title = dup_or_null (self->title);
    copy->worker = dup_or_null (self->worker);
    copy->status = dup_or_null (self->status);
    copy->error_code = dup_or_null (self->error_code);
    copy->error_message = dup_or_null (self->error_message);
    copy->entities = NULL;
    if (self->entities_packed) {
        copy->entities_packed = clip_malloc (self->entities_packed_len);
        memcpy (copy->entities_packed, self->entities_packed, self->entities_packed_len);
    }
    else
    if (self->n_entities) {
        copy->entities = clip_calloc (self->n_entities, sizeof (clip_entity_t));
        for (size_t i = 0; i < self->n_entities; i++) {
            const clip_entity_t *e = &self->entities [i];
            copy->entities [i] = (clip_entity_t) {
                dup_or_null (e->type), dup_or_null (e->text), dup_or_null (e->canonical),
                e->start, e->end
            };
        }
    }
    copy->verdict = dup_or_null (self->verdict);
    copy->matches = NULL;
    if (self->n_matches) {
        copy->matches = clip_calloc (self->n_matches, sizeof (clip_match_t));
        for (size_t i = 0; i < self->n_matches; i++) {
            const clip_match_t *m = &self->matches [i];
            copy->matches [i] = (clip_match_t) {
                dup_or_null (m->id), dup_or_null (m->file), m->seq, m->jaccard, m->containment
            };
        }
    }
    copy->cluster = dup_or_null (self->cluster);
    return copy;
}

void
clip_record_set (clip_record_t *self, char **field, const char *value)
{
    assert (self);
    /*  Only the record's own top-level strings may be set this way; anything
        else would be freed with the wrong owner.  */
    assert ((char *) field >= (char *) self && (char *) field < (char *) (self + 1));
    char *copy = dup_or_null (value);   /* before free: value may be *field */
    free (*field);
    *field = copy;
}

void
clip_record_set_error (clip_record_t *self, const char *code, const char *message)
{
    assert (self);
    assert (code);
    clip_record_set (self, &self->status, clip_status_name (CLIP_STATUS_FAILED));
    clip_record_set (self, &self->error_code, code);
    clip_record_set (self, &self->error_message, message ? message : "");
}

void
clip_record_add_entity (clip_record_t *self, const char *type, const char *text,
                        const char *canonical, uint64_t start, uint64_t end)
{
    assert (self);
    if (self->entities_packed) {
        self->entities = entities_unpack (self);
        free (self->entities_packed);
        self->entities_packed = NULL;
    }
    self->entities = clip_realloc (self->entities,
                                   (self->n_entities + 1) * sizeof (clip_entity_t));
    self->entities [self->n_entities++] = (clip_entity_t) {
        dup_or_null (type), dup_or_null (text), dup_or_null (canonical), start, end
    };
}

void
clip_record_add_match (clip_record_t *self, const char *id, const char *file,
                       uint64_t seq, double jaccard, double containment)
{
    assert (self);
    self->matches = clip_realloc (self->matches,
                                  (self->n_matches + 1) * sizeof (clip_match_t));
    self->matches [self->n_matches++] = (clip_match_t) {
        dup_or_null (id), dup_or_null (file), seq, jaccard, containment
    };
    /*  A record with matches has a dedupe part, whatever else was set.  */
    self->has_dedupe = true;
}

void
clip_record_fail (clip_record_t *self, clip_error_t code, const char *message)
{
    assert (clip_error_name (code));    /* a listed code: the program's own */
    clip_record_set_error (self, clip_error_name (code), message);
}

void
clip_record_set_verdict (clip_record_t *self, clip_verdict_t verdict)
{
    assert (self);
    assert (clip_verdict_name (verdict));
    clip_record_set (self, &self->verdict, clip_verdict_name (verdict));
}

clip_status_t
clip_record_status (const clip_record_t *self)
{
    assert (self);
    return clip_status_parse (self->status);
}

clip_verdict_t
clip_record_verdict (const clip_record_t *self)
{
    assert (self);
    return clip_verdict_parse (self->verdict);
}

clip_error_t
clip_record_error (const clip_record_t *self)
{
    assert (self);
    return clip_error_parse (self->error_code);
}

static bool
is_failed (const clip_record_t *self)
{
    return clip_record_status (self) == CLIP_STATUS_FAILED;
}

const char *
clip_record_topic (const clip_record_t *self)
{
    assert (self);
    if (is_failed (self))
        return "error";
    /*  No verdict, or one this version does not know (no topic): still
        under the "article" prefix, so that subscribers to "article" see
        it.  */
    const char *topic = self->has_dedupe ? clip_verdict_topic (clip_record_verdict (self)) : NULL;
    return topic ? topic : "article";
}

/*  ---------------------------------------------------------------------
    UTF-8
    --------------------------------------------------------------------- */

/*  Sets *len to the length of s once cleaned.  Returns NULL when s is
    well-formed UTF-8 (use it as is), else a new string (caller frees) with
    every ill-formed sequence replaced by U+FFFD.  */
static char *
utf8_clean (const char *s, size_t *len)
{
    size_t in_len = strlen (s);
    size_t i = clip_utf8_valid_prefix (s, in_len);
    *len = in_len;
    if (i == in_len)
        return NULL;
    char *clean = clip_malloc (in_len * 3 + 1);     /* each bad byte grows to 3 */
    memcpy (clean, s, i);
    size_t out = i;
    while (i < in_len) {
        size_t at = i;
        if (clip_utf8_next (s, in_len, &i) != CLIP_UTF8_INVALID) {
            memcpy (clean + out, s + at, i - at);
            out += i - at;
        }
        else {
            /*  One U+FFFD per maximal subpart, as Unicode recommends.  */
            memcpy (clean + out, "\xef\xbf\xbd", 3);
            out += 3;
            i = at + clip_utf8_ill_formed_len (s + at, in_len - at);
        }
    }
    clean [out] = 0;
    *len = out;
    return clean;
}

/*  ---------------------------------------------------------------------
    Encoding
    --------------------------------------------------------------------- */

typedef struct {
    char *data;
    size_t len;
    size_t cap;
} growbuf_t;

/*  msgpack-c's write callback.  Growth aborts on exhaustion (clip_realloc),
    which is why encoding cannot fail.  */
static int
growbuf_write (void *data, const char *buf, size_t len)
{
    growbuf_t *gb = data;
    if (gb->len + len > gb->cap) {
        size_t cap = gb->cap ? gb->cap : 256;
        while (cap < gb->len + len)
            cap *= 2;
        gb->data = clip_realloc (gb->data, cap);
        gb->cap = cap;
    }
    memcpy (gb->data + gb->len, buf, len);
    gb->len += len;
    return 0;
}

/*  msgpack's str type holds UTF-8, and every subscriber's library decodes
    it as such, some strictly.  Text reaches records already decoded, but
    file names are bytes: one that is not UTF-8 is written with U+FFFD in
    place of its bad bytes (the daemon keeps the real name itself).  */
static void
pack_cstr (msgpack_packer *pk, const char *s)
{
    size_t len;
    char *clean = utf8_clean (s, &len);
    clip_msgpack_pack_strn (pk, clean ? clean : s, len);
    free (clean);
}

/*  A key and its string, cleaned as above.  Optional strings are skipped
    by the caller when NULL; for the ones the format requires, NULL is
    written as "" so that readers can rely on the type (as
    clip_msgpack_pack_kv_str does, which cannot clean).  */
static void
pack_str_kv (msgpack_packer *pk, const char *key, const char *value)
{
    clip_msgpack_pack_str (pk, key);     /* keys: this file's ASCII literals */
    pack_cstr (pk, value ? value : "");
}

int
clip_record_encode (const clip_record_t *self, char **data, size_t *len)
{
    assert (self);
    assert (data);
    assert (len);
    bool failed = is_failed (self);

    size_t n_keys = 5;          /* v, file, bytes, status, entities */
    n_keys += self->has_seq;
    n_keys += self->id != NULL;
    n_keys += self->stored_as != NULL;
    n_keys += self->encoding != NULL;
    n_keys += self->title != NULL;
    n_keys += self->has_times ? 2 : 0;
    n_keys += self->worker != NULL;
    n_keys += failed;
    n_keys += self->has_dedupe;
    n_keys += self->entities_truncated;

    growbuf_t gb = { NULL, 0, 0 };
    msgpack_packer pk;
    msgpack_packer_init (&pk, &gb, growbuf_write);
    msgpack_pack_map (&pk, n_keys);

    clip_msgpack_pack_kv_uint (&pk, "v", self->v);
    if (self->has_seq)
        clip_msgpack_pack_kv_uint (&pk, "seq", self->seq);
    if (self->id)
        pack_str_kv (&pk, "id", self->id);
    pack_str_kv (&pk, "file", self->file);
    if (self->stored_as)
        pack_str_kv (&pk, "stored_as", self->stored_as);
    clip_msgpack_pack_kv_uint (&pk, "bytes", self->bytes);
    if (self->encoding)
        pack_str_kv (&pk, "encoding", self->encoding);
    if (self->title)
        pack_str_kv (&pk, "title", self->title);
    if (self->has_times) {
        clip_msgpack_pack_kv_uint (&pk, "received", self->received);
        clip_msgpack_pack_kv_uint (&pk, "done", self->done);
    }
    if (self->worker)
        pack_str_kv (&pk, "worker", self->worker);
    pack_str_kv (&pk, "status", self->status ? self->status : clip_status_name (CLIP_STATUS_OK));
    if (failed) {
        clip_msgpack_pack_str (&pk, "error");
        msgpack_pack_map (&pk, 2);
        pack_str_kv (&pk, "code", self->error_code);
        pack_str_kv (&pk, "message", self->error_message);
    }
    clip_msgpack_pack_str (&pk, "entities");
    if (self->entities_packed)
        /*  Checked to be these very bytes (keep_packed): a copy.  */
        growbuf_write (&gb, self->entities_packed, self->entities_packed_len);
    else {
        /*  keep_packed compares a worker's bytes with what this loop
            writes: the two change together.  */
        msgpack_pack_array (&pk, self->n_entities);
        for (size_t i = 0; i < self->n_entities; i++) {
            const clip_entity_t *e = &self->entities [i];
            msgpack_pack_map (&pk, 5);
            pack_str_kv (&pk, "type", e->type);
            pack_str_kv (&pk, "text", e->text);
            pack_str_kv (&pk, "canonical", e->canonical);
            clip_msgpack_pack_kv_uint (&pk, "start", e->start);
            clip_msgpack_pack_kv_uint (&pk, "end", e->end);
        }
    }
    if (self->entities_truncated) {
        clip_msgpack_pack_kv_bool (&pk, "entities_truncated", true);
    }
    if (self->has_dedupe) {
        clip_msgpack_pack_str (&pk, "dedupe");
        msgpack_pack_map (&pk, 3);
        pack_str_kv (&pk, "verdict", self->verdict);
        clip_msgpack_pack_str (&pk, "matches");
        msgpack_pack_array (&pk, self->n_matches);
        for (size_t i = 0; i < self->n_matches; i++) {
            const clip_match_t *m = &self->matches [i];
            msgpack_pack_map (&pk, 5);
            pack_str_kv (&pk, "id", m->id);
            pack_str_kv (&pk, "file", m->file);
            clip_msgpack_pack_kv_uint (&pk, "seq", m->seq);
            clip_msgpack_pack_str (&pk, "jaccard");
            msgpack_pack_double (&pk, m->jaccard);
            clip_msgpack_pack_str (&pk, "containment");
            msgpack_pack_double (&pk, m->containment);
        }
        pack_str_kv (&pk, "cluster", self->cluster);
    }
    *data = gb.data;
    *len = gb.len;
    return 0;
}

/*  ---------------------------------------------------------------------
    Decoding
    --------------------------------------------------------------------- */

typedef struct {
    char *err;
    size_t err_size;
    /*  Inside a list ("entities", "dedupe.matches"): the element's index,
        and field names are its keys.  The full name ("entities[3].text")
        is made only for an error message: formatting it for every field
        of every entity was most of the decoding (issue 12).  */
    const char *list;
    uint32_t index;
    char name [96];
    /*  clip_record_decode_relay: the input, where the entities may be
        kept as they are (keep_packed).  NULL for clip_record_decode.  */
    const char *relay;
    size_t relay_len;
} decoder_t;

/*  The name of field for an error message: field itself, or within a
    list, "list[index].field" ("list[index]" when field is NULL).  */
static const char *
fname (decoder_t *dec, const char *field)
{
    if (!dec->list)
        return field ? field : "";
    if (field)
        snprintf (dec->name, sizeof dec->name, "%s[%" PRIu32 "].%s", dec->list, dec->index, field);
    else
        snprintf (dec->name, sizeof dec->name, "%s[%" PRIu32 "]", dec->list, dec->index);
    return dec->name;
}

static int dec_fail (decoder_t *dec, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/*  Record the reason and return -1, so that callers can `return dec_fail`.  */
static int
dec_fail (decoder_t *dec, const char *fmt, ...)
{
    if (dec->err && dec->err_size) {
        va_list args;
        va_start (args, fmt);
        vsnprintf (dec->err, dec->err_size, fmt, args);
        va_end (args);
    }
    return -1;
}

/*  A string field.  nil is read as NULL where nullable; C strings cannot
    carry NUL bytes, so a string holding one is refused rather than cut.  */
static int
get_str (decoder_t *dec, const char *field, const msgpack_object *o,
         bool nullable, char **out)
{
    if (o->type == MSGPACK_OBJECT_NIL && nullable) {
        *out = NULL;
        return 0;
    }
    if (o->type != MSGPACK_OBJECT_STR)
        return dec_fail (dec, "field '%s': expected str, got %s", fname (dec, field),
                         clip_msgpack_type_name (o));
    if (memchr (o->via.str.ptr, 0, o->via.str.size))
        return dec_fail (dec, "field '%s': string contains a NUL byte", fname (dec, field));
    *out = clip_strndup (o->via.str.ptr, o->via.str.size);
    return 0;
}

static int
get_uint (decoder_t *dec, const char *field, const msgpack_object *o, uint64_t *out)
{
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return dec_fail (dec, "field '%s': expected uint, got %s", fname (dec, field),
                         clip_msgpack_type_name (o));
    *out = o->via.u64;
    return 0;
}

/*  Floats of either width, and integers, which some encoders (JavaScript's)
    emit for whole numbers such as 1.0.  */
static int
get_double (decoder_t *dec, const char *field, const msgpack_object *o, double *out)
{
    double value;
    if (o->type == MSGPACK_OBJECT_FLOAT32 || o->type == MSGPACK_OBJECT_FLOAT64)
        value = o->via.f64;
    else if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
        value = (double) o->via.u64;
    else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        value = (double) o->via.i64;
    else
        return dec_fail (dec, "field '%s': expected float, got %s", fname (dec, field),
                         clip_msgpack_type_name (o));
    if (!isfinite (value))
        return dec_fail (dec, "field '%s': not a finite number", fname (dec, field));
    *out = value;
    return 0;
}

/*  Walk a map's known keys: sets slots[i] to the value of names[i], refusing
    duplicates and a value that is not a map.  */
static int
map_fields (decoder_t *dec, const char *field, const msgpack_object *o,
            const char *const *names, int n_names, const msgpack_object **slots)
{
    if (o->type != MSGPACK_OBJECT_MAP)
        return dec_fail (dec, "field '%s': expected map, got %s", fname (dec, field),
                         clip_msgpack_type_name (o));
    /*  Unknown keys are skipped: they are for newer readers.  */
    int k;
    if (clip_msgpack_map_slots (o, names, n_names, slots, &k) != 0) {
        const char *f = fname (dec, field);
        if (*f)
            return dec_fail (dec, "field '%s.%s': duplicate key", f, names [k]);
        return dec_fail (dec, "field '%s': duplicate key", names [k]);
    }
    return 0;
}

static int
require (decoder_t *dec, const char *field, const msgpack_object *slot)
{
    if (!slot)
        return dec_fail (dec, "field '%s': missing", fname (dec, field));
    return 0;
}

enum { E_TYPE, E_TEXT, E_CANONICAL, E_START, E_END, E_COUNT };
static const char *const ENTITY_KEYS [E_COUNT] = {
    "type", "text", "canonical", "start", "end"
};

/*  One element of "entities" (dec->list and dec->index name it).  */
static int
decode_entity (decoder_t *dec, const msgpack_object *o, clip_entity_t *e)
{
    const msgpack_object *s [E_COUNT];
    if (map_fields (dec, NULL, o, ENTITY_KEYS, E_COUNT, s))
        return -1;
    char **strs [3] = { &e->type, &e->text, &e->canonical };
    for (int k = E_TYPE; k <= E_CANONICAL; k++)
        if (require (dec, ENTITY_KEYS [k], s [k])
        ||  get_str (dec, ENTITY_KEYS [k], s [k], false, strs [k]))
            return -1;
    return require (dec, "start", s [E_START]) || get_uint (dec, "start", s [E_START], &e->start)
        || require (dec, "end", s [E_END]) || get_uint (dec, "end", s [E_END], &e->end)
         ? -1 : 0;
}

/*  A msgpack_packer's write callback that compares what would be written
    with the bytes at a cursor instead of writing it.  */
typedef struct {
    const char *at;
    const char *end;
    bool same;
} compare_t;

static int
compare_write (void *data, const char *buf, size_t len)
{
    compare_t *c = data;
    if (!c->same || (size_t) (c->end - c->at) < len) {
        c->same = false;
        return 0;
    }
    /*  A header: one to nine bytes, fewer than a call to memcmp costs
        (this runs six times per entity).  */
    for (size_t i = 0; i < len; i++)
        if (c->at [i] != buf [i]) {
            c->same = false;
            return 0;
        }
    c->at += len;
    return 0;
}

/*  An entity's key as clip_msgpack_pack_str writes it (fixstr: one
    header byte, 0xa0 + length), spelt out because keep_packed compares
    keys for every entity; record::relay_keeps_a_workers_entities_as_their_bytes
    fails when they are not msgpack-c's bytes.  */
#define COMPARE_KEY(cmp, packed) compare_key ((cmp), (packed), sizeof (packed) - 1)

static inline void
compare_key (compare_t *c, const char *packed, size_t len)
{
    /*  len is a constant once inlined: the compiler expands the memcmp
        of an equality test into a load or two.  */
    if (c->same && (size_t) (c->end - c->at) >= len && memcmp (c->at, packed, len) == 0)
        c->at += len;
    else
        c->same = false;
}

/*  A string value: its header as msgpack-c packs it, then its bytes,
    which are the object's own (msgpack-c points into the input): the
    cursor must be at them.  */
static void
compare_str (msgpack_packer *pk, compare_t *cmp, const msgpack_object *o)
{
    msgpack_pack_str (pk, o->via.str.size);
    if (cmp->same && cmp->at == o->via.str.ptr)
        cmp->at += o->via.str.size;
    else
        cmp->same = false;
}

/*  Whether the eight bytes at s are all 0x01..0x7f.  */
static inline bool
plain_ascii8 (const char *s)
{
    uint64_t word;
    memcpy (&word, s, 8);
    /*  A byte 0x00 borrows into its high bit, a byte from 0x80 has it:
        zero exactly when all eight are 0x01..0x7f.  */
    return ((word | (word - UINT64_C (0x0101010101010101))) & UINT64_C (0x8080808080808080)) == 0;
}

/*  A str without NUL bytes that is well-formed UTF-8 (what encoding
    writes unchanged).  Names are mostly short and ASCII: eight bytes at a
    time, then byte by byte, a run of bytes 0x01..0x7f is passed over
    (each a character, so what follows starts one), and only what remains
    from the first other byte is searched for a NUL and decoded.  */
static bool
is_clean_str (const msgpack_object *o)
{
    if (o->type != MSGPACK_OBJECT_STR)
        return false;
    const char *s = o->via.str.ptr;
    size_t n = o->via.str.size, i = 0;
    for (; n - i >= 8; i += 8)
        if (!plain_ascii8 (s + i))
            break;
    /*  The last bytes of a longer string as one word, overlapping bytes
        already passed over.  */
    if (n >= 8 && n - i < 8 && plain_ascii8 (s + n - 8))
        return true;
    while (i < n && (unsigned char) s [i] - 1u < 0x7f)
        i++;
    if (i == n)
        return true;
    return !memchr (s + i, 0, n - i) && clip_utf8_valid_prefix (s + i, n - i) == n - i;
}

/*  clip_record_decode_relay: keep the entities array o as the bytes it
    came in, when they are what clip_record_encode writes for the same
    entities and every entity passes clip_record_validate's checks (the
    file's size aside).  The bytes are found from msgpack-c's string
    objects, which point into the input, and then compared with what
    encoding writes, through a packer whose output is a comparison: the
    same calls as the encoding loop, so the same bytes or no keeping.
    Returns false, with rec untouched, when they cannot be kept:
    clip_record_decode's path then decides, with its own errors.  */
static bool
keep_packed (decoder_t *dec, const msgpack_object *o, clip_record_t *rec)
{
    uint32_t n = o->via.array.size;
    if (!dec->relay || n == 0)
        return false;
    const msgpack_object *first = &o->via.array.ptr [0];
    if (first->type != MSGPACK_OBJECT_MAP || first->via.map.size != E_COUNT
    ||  first->via.map.ptr [0].key.type != MSGPACK_OBJECT_STR)
        return false;
    /*  Before the first key's bytes: the array's header, the map's (one
        byte) and the key's (one byte, "type" being short).  */
    size_t head = n <= 15 ? 1 : n <= 0xffff ? 3 : 5;
    uintptr_t key = (uintptr_t) first->via.map.ptr [0].key.via.str.ptr;
    uintptr_t base = (uintptr_t) dec->relay;
    if (key < base + head + 2 || key > base + dec->relay_len)
        return false;
    const char *begin = dec->relay + (key - base - head - 2);
    compare_t cmp = { begin, dec->relay + dec->relay_len, true };
    msgpack_packer pk;
    msgpack_packer_init (&pk, &cmp, compare_write);
    msgpack_pack_array (&pk, n);
    uint64_t end_max = 0;
    for (uint32_t i = 0; i < n && cmp.same; i++) {
        const msgpack_object *e = &o->via.array.ptr [i];
        if (e->type != MSGPACK_OBJECT_MAP || e->via.map.size != E_COUNT)
            return false;
        const msgpack_object_kv *kv = e->via.map.ptr;
        const msgpack_object *type = &kv [E_TYPE].val, *text = &kv [E_TEXT].val;
        const msgpack_object *canonical = &kv [E_CANONICAL].val;
        /*  The type needs no is_clean_str: entity_problem below accepts
            only the seven ASCII names.  */
        if (type->type != MSGPACK_OBJECT_STR || !is_clean_str (text) || !is_clean_str (canonical)
        ||  kv [E_START].val.type != MSGPACK_OBJECT_POSITIVE_INTEGER
        ||  kv [E_END].val.type != MSGPACK_OBJECT_POSITIVE_INTEGER)
            return false;
        uint64_t start = kv [E_START].val.via.u64, end = kv [E_END].val.via.u64;
        /*  Every rule of clip_record_validate but the file's size, which
            it checks against entities_end_max.  */
        if (entity_problem (type->via.str.ptr, type->via.str.size, text->via.str.size,
                            canonical->via.str.size, start, end, UINT64_MAX) != ENTITY_OK)
            return false;
        /*  The keys are compared as bytes: any other key, or these in
            another order, differs.  What this writes is what the encoding
            loop writes, call for call.  */
        msgpack_pack_map (&pk, E_COUNT);
        COMPARE_KEY (&cmp, "\xa4" "type");
        compare_str (&pk, &cmp, type);
        COMPARE_KEY (&cmp, "\xa4" "text");
        compare_str (&pk, &cmp, text);
        COMPARE_KEY (&cmp, "\xa9" "canonical");
        compare_str (&pk, &cmp, canonical);
        COMPARE_KEY (&cmp, "\xa5" "start");
        msgpack_pack_uint64 (&pk, start);
        COMPARE_KEY (&cmp, "\xa3" "end");
        msgpack_pack_uint64 (&pk, end);
        if (end > end_max)
            end_max = end;
    }
    if (!cmp.same)
        return false;
    rec->entities_packed_len = (size_t) (cmp.at - begin);
    rec->entities_packed = clip_malloc (rec->entities_packed_len);
    memcpy (rec->entities_packed, begin, rec->entities_packed_len);
    rec->n_entities = n;
    rec->entities_end_max = end_max;
    return true;
}

static int
decode_entities (decoder_t *dec, const msgpack_object *o, clip_record_t *rec)
{
    if (o->type != MSGPACK_OBJECT_ARRAY)
        return dec_fail (dec, "field 'entities': expected array, got %s", clip_msgpack_type_name (o));
    uint32_t n = o->via.array.size;
    if (n == 0 || keep_packed (dec, o, rec))
        return 0;
    rec->entities = clip_calloc (n, sizeof (clip_entity_t));
    rec->n_entities = n;        /* zeroed entries are safe to destroy */
    int rc = 0;
    dec->list = "entities";
    for (dec->index = 0; dec->index < n && rc == 0; dec->index++)
        rc = decode_entity (dec, &o->via.array.ptr [dec->index], &rec->entities [dec->index]);
    dec->list = NULL;
    return rc;
}

enum { M_ID, M_FILE, M_SEQ, M_JACCARD, M_CONTAINMENT, M_COUNT };
static const char *const MATCH_KEYS [M_COUNT] = {
    "id", "file", "seq", "jaccard", "containment"
};

/*  One element of "dedupe.matches" (dec->list and dec->index name it).  */
static int
decode_match (decoder_t *dec, const msgpack_object *o, clip_match_t *m)
{
    const msgpack_object *s [M_COUNT];
    if (map_fields (dec, NULL, o, MATCH_KEYS, M_COUNT, s))
        return -1;
    for (int k = 0; k < M_COUNT; k++)
        if (require (dec, MATCH_KEYS [k], s [k]))
            return -1;
    return get_str (dec, "id", s [M_ID], false, &m->id)
        || get_str (dec, "file", s [M_FILE], false, &m->file)
        || get_uint (dec, "seq", s [M_SEQ], &m->seq)
        || get_double (dec, "jaccard", s [M_JACCARD], &m->jaccard)
        || get_double (dec, "containment", s [M_CONTAINMENT], &m->containment) ? -1 : 0;
}

static int
decode_matches (decoder_t *dec, const msgpack_object *o, clip_record_t *rec)
{
    if (o->type != MSGPACK_OBJECT_ARRAY)
        return dec_fail (dec, "field 'dedupe.matches': expected array, got %s",
                         clip_msgpack_type_name (o));
    uint32_t n = o->via.array.size;
    if (n == 0)
        return 0;
    rec->matches = clip_calloc (n, sizeof (clip_match_t));
    rec->n_matches = n;
    int rc = 0;
    dec->list = "dedupe.matches";
    for (dec->index = 0; dec->index < n && rc == 0; dec->index++)
        rc = decode_match (dec, &o->via.array.ptr [dec->index], &rec->matches [dec->index]);
    dec->list = NULL;
    return rc;
}

enum { D_VERDICT, D_MATCHES, D_CLUSTER, D_COUNT };
static const char *const DEDUPE_KEYS [D_COUNT] = { "verdict", "matches", "cluster" };

static int
decode_dedupe (decoder_t *dec, const msgpack_object *o, clip_record_t *rec)
{
    const msgpack_object *s [D_COUNT];
    if (map_fields (dec, "dedupe", o, DEDUPE_KEYS, D_COUNT, s)
    ||  require (dec, "dedupe.verdict", s [D_VERDICT])
    ||  require (dec, "dedupe.matches", s [D_MATCHES])
    ||  require (dec, "dedupe.cluster", s [D_CLUSTER])
    ||  get_str (dec, "dedupe.verdict", s [D_VERDICT], false, &rec->verdict)
    ||  decode_matches (dec, s [D_MATCHES], rec)
    ||  get_str (dec, "dedupe.cluster", s [D_CLUSTER], false, &rec->cluster))
        return -1;
    rec->has_dedupe = true;
    return 0;
}

enum { R_CODE, R_MESSAGE, R_COUNT };
static const char *const ERROR_KEYS [R_COUNT] = { "code", "message" };

static int
decode_error (decoder_t *dec, const msgpack_object *o, clip_record_t *rec)
{
    const msgpack_object *s [R_COUNT];
    return map_fields (dec, "error", o, ERROR_KEYS, R_COUNT, s)
        || require (dec, "error.code", s [R_CODE])
        || require (dec, "error.message", s [R_MESSAGE])
        || get_str (dec, "error.code", s [R_CODE], false, &rec->error_code)
        || get_str (dec, "error.message", s [R_MESSAGE], false, &rec->error_message)
        ? -1 : 0;
}

enum {
    K_V, K_SEQ, K_ID, K_FILE, K_BYTES, K_ENCODING, K_TITLE, K_RECEIVED, K_DONE,
    K_WORKER, K_STATUS, K_ERROR, K_ENTITIES, K_ENTITIES_TRUNCATED, K_DEDUPE, K_STORED_AS, K_COUNT
};
static const char *const RECORD_KEYS [K_COUNT] = {
    "v", "seq", "id", "file", "bytes", "encoding", "title", "received", "done",
    "worker", "status", "error", "entities", "entities_truncated", "dedupe", "stored_as"
};

/*  stored_as names one entry of done/ or failed/: a reader joins it to
    the folder, so nothing that leads elsewhere.  255: NAME_MAX.  */
static int
check_stored_as (decoder_t *dec, const char *name)
{
    size_t len = strlen (name);
    if (len == 0 || len > 255 || strchr (name, '/') || strcmp (name, ".") == 0
    ||  strcmp (name, "..") == 0)
        return dec_fail (dec, "field 'stored_as': not a file name (1 to 255 bytes, no '/', "
                         "not . or ..)");
    return 0;
}

static int
decode_record (decoder_t *dec, const msgpack_object *root, clip_record_t *rec)
{
    if (root->type != MSGPACK_OBJECT_MAP)
        return dec_fail (dec, "record is not a map (got %s)", clip_msgpack_type_name (root));
    const msgpack_object *s [K_COUNT];
    if (map_fields (dec, "", root, RECORD_KEYS, K_COUNT, s))
        return -1;

    if (require (dec, "v", s [K_V]) || get_uint (dec, "v", s [K_V], &rec->v))
        return -1;
    if (rec->v != CLIP_RECORD_VERSION)
        return dec_fail (dec, "field 'v': unsupported record version %" PRIu64
                         " (this reader knows %d)", rec->v, CLIP_RECORD_VERSION);
    if (s [K_SEQ]) {
        if (get_uint (dec, "seq", s [K_SEQ], &rec->seq))
            return -1;
        rec->has_seq = true;
    }
    if (s [K_ID] && get_str (dec, "id", s [K_ID], true, &rec->id))
        return -1;
    if (require (dec, "file", s [K_FILE]) || get_str (dec, "file", s [K_FILE], false, &rec->file))
        return -1;
    if (s [K_STORED_AS]
    &&  (get_str (dec, "stored_as", s [K_STORED_AS], false, &rec->stored_as)
         || check_stored_as (dec, rec->stored_as)))
        return -1;
    if (s [K_BYTES] && get_uint (dec, "bytes", s [K_BYTES], &rec->bytes))
        return -1;
    if (s [K_ENCODING] && get_str (dec, "encoding", s [K_ENCODING], true, &rec->encoding))
        return -1;
    if (s [K_TITLE] && get_str (dec, "title", s [K_TITLE], true, &rec->title))
        return -1;
    if (s [K_RECEIVED] || s [K_DONE]) {
        /*  The two times are one optional part: both or neither.  */
        if (require (dec, "received", s [K_RECEIVED])
        ||  require (dec, "done", s [K_DONE])
        ||  get_uint (dec, "received", s [K_RECEIVED], &rec->received)
        ||  get_uint (dec, "done", s [K_DONE], &rec->done))
            return -1;
        rec->has_times = true;
    }
    if (s [K_WORKER] && get_str (dec, "worker", s [K_WORKER], true, &rec->worker))
        return -1;
    free (rec->status);
    rec->status = NULL;
    if (require (dec, "status", s [K_STATUS])
    ||  get_str (dec, "status", s [K_STATUS], false, &rec->status))
        return -1;
    if (s [K_ERROR]) {
        if (!is_failed (rec))
            return dec_fail (dec, "field 'error': present but status is '%s'", rec->status);
        if (decode_error (dec, s [K_ERROR], rec))
            return -1;
    }
    else
    if (is_failed (rec))
        return dec_fail (dec, "field 'error': missing while status is 'failed'");
    if (s [K_ENTITIES] && decode_entities (dec, s [K_ENTITIES], rec))
        return -1;
    if (s [K_ENTITIES_TRUNCATED]) {
        if (s [K_ENTITIES_TRUNCATED]->type != MSGPACK_OBJECT_BOOLEAN)
            return dec_fail (dec, "field 'entities_truncated': expected bool, got %s",
                             clip_msgpack_type_name (s [K_ENTITIES_TRUNCATED]));
        rec->entities_truncated = s [K_ENTITIES_TRUNCATED]->via.boolean;
    }
    if (s [K_DEDUPE] && decode_dedupe (dec, s [K_DEDUPE], rec))
        return -1;
    return 0;
}

static clip_record_t *
decode (const void *data, size_t len, bool relay, char *err, size_t err_size)
{
    assert (data || len == 0);
    decoder_t dec = { .err = err, .err_size = err_size,
                      .relay = relay ? data : NULL, .relay_len = len };
    if (err && err_size)
        err [0] = 0;
    if (len == 0) {
        dec_fail (&dec, "empty input");
        return NULL;
    }
    msgpack_unpacked unpacked;
    clip_record_t *rec = NULL;
    if (clip_msgpack_unpack (&unpacked, data, len, CLIP_RECORD_MAX_OBJECTS (len),
                             err, err_size) == 0) {
        rec = clip_record_new ();
        if (decode_record (&dec, &unpacked.data, rec))
            clip_record_destroy (&rec);
    }
    msgpack_unpacked_destroy (&unpacked);
    return rec;
}

clip_record_t *
clip_record_decode (const void *data, size_t len, char *err, size_t err_size)
{
    return decode (data, len, false, err, err_size);
}

clip_record_t *
clip_record_decode_relay (const void *data, size_t len, char *err, size_t err_size)
{
    return decode (data, len, true, err, err_size);
}

/*  A kept array as entities (clip_record_decode_relay made sure it
    decodes).  Caller frees with entities_free.  */
static clip_entity_t *
entities_unpack (const clip_record_t *self)
{
    msgpack_unpacked unpacked;
    int rc = clip_msgpack_unpack (&unpacked, self->entities_packed, self->entities_packed_len,
                                  CLIP_RECORD_MAX_OBJECTS (self->entities_packed_len), NULL, 0);
    decoder_t dec = { 0 };
    clip_record_t list = { 0 };
    rc = rc || decode_entities (&dec, &unpacked.data, &list);
    msgpack_unpacked_destroy (&unpacked);
    assert (rc == 0 && list.n_entities == self->n_entities);
    (void) rc;
    return list.entities;
}

static void
entities_free (clip_entity_t *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++) {
        free (list [i].type);
        free (list [i].text);
        free (list [i].canonical);
    }
    free (list);
}

/*  ---------------------------------------------------------------------
    Validation
    --------------------------------------------------------------------- */

/*  " ok failed", " unique related ...", " PER ORG ...": the names for
    error messages, from the tables (clip_codes.h).  */
#define XX(id, name, desc) " " name
static const char STATUS_LIST [] = CLIP_STATUS_MAP (XX);
static const char VERDICT_LIST [] = CLIP_VERDICT_MAP (XX);
static const char ENTITY_TYPE_LIST [] = CLIP_ENTITY_TYPE_MAP (XX);
#undef XX

/*  Whether s is one of the list's n strings.  */
static bool
one_of (const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp (s, list [i]) == 0)
            return true;
    return false;
}

static bool
is_hex_id (const char *s)
{
    size_t n = s ? strlen (s) : 0;
    if (n == 0 || n > CLIP_RECORD_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s [i] >= '0' && s [i] <= '9') || (s [i] >= 'a' && s [i] <= 'f')
        ||    (s [i] >= 'A' && s [i] <= 'F')))
            return false;
    return true;
}

static bool
is_score (double x)
{
    return isfinite (x) && x >= 0 && x <= 1;
}

/*  How much longer than its source a text may be (see clip_record_validate),
    and how much longer than that a canonical name.  */
#define TEXT_GROWTH_MAX 16
#define CANONICAL_EXTRA_MAX 1024

/*  The rules one entity must follow, in the order validate_entities
    reports them: the first one broken.  Also what keep_packed asks
    (file_bytes UINT64_MAX) before it keeps a worker's list as bytes.  */
static entity_problem_t
entity_problem (const char *type, size_t type_len, size_t text_len, size_t canonical_len,
                uint64_t start, uint64_t end, uint64_t file_bytes)
{
    if (clip_entity_type_parse_len (type, type_len) == CLIP_ENTITY_TYPE_UNKNOWN)
        return ENTITY_BAD_TYPE;
    if (start > end || end > file_bytes)
        return ENTITY_OUTSIDE;
    /*  A canonical name may be longer than its mention ("UK" is
        "United Kingdom"), within a name's length.  */
    uint64_t span = end - start;
    if (text_len > TEXT_GROWTH_MAX * span + 16
    ||  canonical_len > TEXT_GROWTH_MAX * span + CANONICAL_EXTRA_MAX)
        return ENTITY_TOO_LONG;
    return ENTITY_OK;
}

static int
validate_entities (decoder_t *dec, const clip_entity_t *list, size_t n, uint64_t file_bytes)
{
    for (size_t i = 0; i < n; i++) {
        const clip_entity_t *e = &list [i];
        /*  A missing text or canonical counts as empty for the rules, and
            is reported after the type, before the rest.  */
        entity_problem_t problem = entity_problem (e->type, e->type ? strlen (e->type) : 0,
                                                   e->text ? strlen (e->text) : 0,
                                                   e->canonical ? strlen (e->canonical) : 0,
                                                   e->start, e->end, file_bytes);
        if (problem == ENTITY_BAD_TYPE)
            return dec_fail (dec, "field 'entities[%zu].type': not one of%s", i,
                             ENTITY_TYPE_LIST);
        if (!e->text || !e->canonical)
            return dec_fail (dec, "field 'entities[%zu]': text and canonical are required", i);
        if (problem == ENTITY_OUTSIDE)
            return dec_fail (dec, "field 'entities[%zu]': start %" PRIu64 ", end %" PRIu64
                             " not within the file's %" PRIu64 " bytes",
                             i, e->start, e->end, file_bytes);
        if (problem == ENTITY_TOO_LONG)
            return dec_fail (dec, "field 'entities[%zu]': text or canonical longer than its "
                             "%" PRIu64 " bytes in the file can make", i, e->end - e->start);
    }
    return 0;
}

int
clip_record_validate (const clip_record_t *self, uint64_t file_bytes,
                      char *err, size_t err_size)
{
    assert (self);
    decoder_t dec = { .err = err, .err_size = err_size };
    static const char *const ENCODINGS [] = { "utf-8", "windows-1252" };
    if (self->v != CLIP_RECORD_VERSION)
        return dec_fail (&dec, "field 'v': unsupported record version %" PRIu64, self->v);
    if (!self->file)
        return dec_fail (&dec, "field 'file': missing");
    /*  clipd chooses where a file goes (retire.h): a worker does not.  */
    if (self->stored_as)
        return dec_fail (&dec, "field 'stored_as': set by clipd, not by a worker");
    /*  The value is a peer's: shown cut short (callers quote the message
        when they log it).  */
    if (clip_record_status (self) == CLIP_STATUS_UNKNOWN)
        return dec_fail (&dec, "field 'status': '%.32s' is not one of%s",
                         self->status ? self->status : "", STATUS_LIST);
    if (is_failed (self)) {
        if (!self->error_code || !*self->error_code || !self->error_message)
            return dec_fail (&dec, "field 'error': a failed record needs a code and a message");
    }
    else {
        if (self->error_code)
            return dec_fail (&dec, "field 'error': present but status is 'ok'");
        if (!is_hex_id (self->id))
            return dec_fail (&dec, "field 'id': a record with status 'ok' needs an id of 1 to"
                             " %d hex digits", CLIP_RECORD_ID_MAX);
    }
    if (self->id && !is_hex_id (self->id))
        return dec_fail (&dec, "field 'id': not 1 to %d hex digits", CLIP_RECORD_ID_MAX);
    if (self->encoding && !one_of (self->encoding, ENCODINGS, 2))
        return dec_fail (&dec, "field 'encoding': must be 'utf-8' or 'windows-1252'");
    /*  Texts come from the file: decoding makes at most three UTF-8 bytes
        of a byte and normalisation (NFKC) a few characters of one, so a
        text far longer than its source is not the file's.  The factor is
        loose on purpose: refusing an honest record would be worse.  */
    if (self->title && strlen (self->title) > TEXT_GROWTH_MAX * file_bytes + 16)
        return dec_fail (&dec, "field 'title': %zu bytes, longer than a file of %" PRIu64
                         " bytes can make", strlen (self->title), file_bytes);
    if (!self->entities_packed) {
        if (validate_entities (&dec, self->entities, self->n_entities, file_bytes))
            return -1;
    }
    else
    if (self->entities_end_max > file_bytes) {
        /*  keep_packed checked the rest: this is the one check it could
            not make.  Which entity, in the words of the one loop.  */
        clip_entity_t *list = entities_unpack (self);
        int rc = validate_entities (&dec, list, self->n_entities, file_bytes);
        entities_free (list, self->n_entities);
        assert (rc != 0);
        return -1;
    }
    if (self->has_dedupe) {
        if (clip_record_verdict (self) == CLIP_VERDICT_UNKNOWN)
            return dec_fail (&dec, "field 'dedupe.verdict': '%.32s' is not one of%s",
                             self->verdict ? self->verdict : "", VERDICT_LIST);
        if (!self->cluster)
            return dec_fail (&dec, "field 'dedupe.cluster': missing");
        for (size_t i = 0; i < self->n_matches; i++) {
            const clip_match_t *m = &self->matches [i];
            if (!m->id || !m->file)
                return dec_fail (&dec, "field 'dedupe.matches[%zu]': id and file are required", i);
            if (!is_score (m->jaccard) || !is_score (m->containment))
                return dec_fail (&dec, "field 'dedupe.matches[%zu]': scores must be within"
                                 " 0 and 1", i);
        }
    }
    return 0;
}

/*  ---------------------------------------------------------------------
    JSON
    --------------------------------------------------------------------- */

/*  Jansson reports exhaustion by returning NULL; like clip_malloc, give up
    at once rather than print a partial record.  */
static void
json_oom (void)
{
    fprintf (stderr, "level=error event=out_of_memory where=json\n");
    abort ();
}

static json_t *
json_checked (json_t *value)
{
    if (!value)
        json_oom ();
    return value;
}

/*  A JSON string for s.  Strings are cleaned on the way in, but a record
    built in memory may still hold ill-formed UTF-8, which jansson refuses;
    a stray byte must not cost the whole line.  */
static json_t *
json_str (const char *s)
{
    size_t len;
    char *clean = utf8_clean (s, &len);
    json_t *js = json_stringn (clean ? clean : s, len);
    free (clean);
    return json_checked (js);
}

static void
jset (json_t *object, const char *key, json_t *value)
{
    if (json_object_set_new (object, key, json_checked (value)))
        json_oom ();
}

static void
jset_str (json_t *object, const char *key, const char *value)
{
    jset (object, key, json_str (value ? value : ""));
}

/*  JSON integers are signed 64-bit in jansson; the rare larger value is
    written as a real rather than wrapped to a negative number.  */
static void
jset_uint (json_t *object, const char *key, uint64_t value)
{
    if (value <= (uint64_t) INT64_MAX)
        jset (object, key, json_integer ((json_int_t) value));
    else
        jset (object, key, json_real ((double) value));
}

/*  Similarity scores with four decimals, which is all a reader can use;
    JSON has no NaN or infinity, so those become null.  */
static void
jset_score (json_t *object, const char *key, double value)
{
    if (!isfinite (value)) {
        jset (object, key, json_null ());
        return;
    }
    char buf [64];
    snprintf (buf, sizeof buf, "%.4f", value);
    jset (object, key, json_real (strtod (buf, NULL)));
}

char *
clip_record_to_json (const clip_record_t *self)
{
    assert (self);
    json_t *root = json_checked (json_object ());
    jset_uint (root, "v", self->v);
    if (self->has_seq)
        jset_uint (root, "seq", self->seq);
    if (self->id)
        jset_str (root, "id", self->id);
    jset_str (root, "file", self->file);
    if (self->stored_as)
        jset_str (root, "stored_as", self->stored_as);
    jset_uint (root, "bytes", self->bytes);
    if (self->encoding)
        jset_str (root, "encoding", self->encoding);
    if (self->title)
        jset_str (root, "title", self->title);
    if (self->has_times) {
        jset_uint (root, "received", self->received);
        jset_uint (root, "done", self->done);
    }
    if (self->worker)
        jset_str (root, "worker", self->worker);
    jset_str (root, "status", self->status ? self->status : clip_status_name (CLIP_STATUS_OK));
    if (is_failed (self)) {
        json_t *error = json_checked (json_object ());
        jset_str (error, "code", self->error_code);
        jset_str (error, "message", self->error_message);
        jset (root, "error", error);
    }
    json_t *entities = json_checked (json_array ());
    clip_entity_t *unpacked = self->entities_packed ? entities_unpack (self) : NULL;
    for (size_t i = 0; i < self->n_entities; i++) {
        const clip_entity_t *e = unpacked ? &unpacked [i] : &self->entities [i];
        json_t *entity = json_checked (json_object ());
        jset_str (entity, "type", e->type);
        jset_str (entity, "text", e->text);
        jset_str (entity, "canonical", e->canonical);
        jset_uint (entity, "start", e->start);
        jset_uint (entity, "end", e->end);
        if (json_array_append_new (entities, entity))
            json_oom ();
    }
    entities_free (unpacked, self->n_entities);
    jset (root, "entities", entities);
    if (self->entities_truncated)
        jset (root, "entities_truncated", json_true ());
    if (self->has_dedupe) {
        json_t *dedupe = json_checked (json_object ());
        jset_str (dedupe, "verdict", self->verdict);
        json_t *matches = json_checked (json_array ());
        for (size_t i = 0; i < self->n_matches; i++) {
            const clip_match_t *m = &self->matches [i];
            json_t *match = json_checked (json_object ());
            jset_str (match, "id", m->id);
            jset_str (match, "file", m->file);
            jset_uint (match, "seq", m->seq);
            jset_score (match, "jaccard", m->jaccard);
            jset_score (match, "containment", m->containment);
            if (json_array_append_new (matches, match))
                json_oom ();
        }
        jset (dedupe, "matches", matches);
        jset_str (dedupe, "cluster", self->cluster);
        jset (root, "dedupe", dedupe);
    }
    /*  Jansson keeps insertion order, so keys come out in SPEC order.  The
        precision only matters for scores, already rounded to 4 decimals:
        15 digits print them without binary noise (0.7, not 0.69999...).  */
    char *text = json_dumps (root, JSON_COMPACT | JSON_PRESERVE_ORDER
                                   | JSON_REAL_PRECISION (15));
    json_decref (root);
    if (!text)
        json_oom ();            /* the strings are valid UTF-8: only exhaustion fails */
    /*  json_dumps allocates with malloc (no custom allocator is installed
        anywhere in clipd), so the caller frees the result with free().  */
    return text;
}

char *
clip_record_msgpack_to_json (const void *data, size_t len, char *err, size_t err_size)
{
    clip_record_t *rec = clip_record_decode (data, len, err, err_size);
    if (!rec)
        return NULL;
    char *text = clip_record_to_json (rec);
    clip_record_destroy (&rec);
    return text;
}
