/*  clip_msgpack: the one guarded msgpack reader, and the writer helpers.
    See clip_msgpack.h.  */
#include "clip_msgpack.h"

#include <assert.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "clip_util.h"

static uint64_t
read_be (const uint8_t *p, size_t n)
{
    uint64_t value = 0;
    for (size_t i = 0; i < n; i++)
        value = (value << 8) | p [i];
    return value;
}

int
clip_msgpack_check (const void *data, size_t len, size_t max_objects,
                    char *err, size_t err_size)
{
    const uint8_t *p = data;
    if (len == 0)
        return clip_err_set (err, err_size, "empty input");
    assert (p);
    /*  0 is no cap: no count of objects in len bytes reaches SIZE_MAX, so
        one comparison per object serves both.  */
    size_t cap = max_objects ? max_objects : SIZE_MAX;
    size_t pos = 0;
    uint64_t pending = 1;       /* objects still to read */
    size_t objects = 0;         /* objects read so far */
    while (pending > 0) {
        if (pos >= len)
            return clip_err_set (err, err_size, "truncated msgpack: input ends at byte %zu", len);
        uint8_t b = p [pos++];
        pending--;
        if (++objects > cap)
            return clip_err_set (err, err_size, "too many msgpack objects: more than %zu in %zu bytes",
                         max_objects, len);
        uint64_t body = 0;      /* payload bytes after the length field */
        uint64_t items = 0;     /* nested objects the header announces */
        /*  fixstr first (every key and most values of a record are one),
            then the other one-byte headers; the classes are disjoint, so
            the order only decides how soon the common ones are found.  */
        if (b >= 0xa0 && b <= 0xbf)
            body = b & 0x1f;
        else if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
            ;                   /* fixint, nil, bool */
        else if (b <= 0x8f)
            items = 2u * (b & 0x0f);
        else if (b <= 0x9f)
            items = b & 0x0f;
        else {
            size_t head = 0;    /* bytes of length field after the type byte */
            int size_kind = 0;  /* 1 body = length, 2 items = length,
                                   3 items = 2 * length, 4 ext: body = length + 1 */
            switch (b) {
                case 0xc4: head = 1; size_kind = 1; break;     /* bin 8/16/32 */
                case 0xc5: head = 2; size_kind = 1; break;
                case 0xc6: head = 4; size_kind = 1; break;
                case 0xc7: head = 1; size_kind = 4; break;     /* ext 8/16/32 */
                case 0xc8: head = 2; size_kind = 4; break;
                case 0xc9: head = 4; size_kind = 4; break;
                case 0xca: body = 4; break;                    /* float 32/64 */
                case 0xcb: body = 8; break;
                case 0xcc: case 0xd0: body = 1; break;         /* (u)int 8..64 */
                case 0xcd: case 0xd1: body = 2; break;
                case 0xce: case 0xd2: body = 4; break;
                case 0xcf: case 0xd3: body = 8; break;
                case 0xd4: body = 2; break;                    /* fixext 1..16 */
                case 0xd5: body = 3; break;
                case 0xd6: body = 5; break;
                case 0xd7: body = 9; break;
                case 0xd8: body = 17; break;
                case 0xd9: head = 1; size_kind = 1; break;     /* str 8/16/32 */
                case 0xda: head = 2; size_kind = 1; break;
                case 0xdb: head = 4; size_kind = 1; break;
                case 0xdc: head = 2; size_kind = 2; break;     /* array 16/32 */
                case 0xdd: head = 4; size_kind = 2; break;
                case 0xde: head = 2; size_kind = 3; break;     /* map 16/32 */
                case 0xdf: head = 4; size_kind = 3; break;
                default:
                    return clip_err_set (err, err_size, "invalid msgpack: byte 0x%02x at offset %zu",
                                 b, pos - 1);
            }
            if (head) {
                if (len - pos < head)
                    return clip_err_set (err, err_size, "truncated msgpack: input ends at byte %zu", len);
                uint64_t n = read_be (p + pos, head);
                pos += head;
                switch (size_kind) {
                    case 1: body = n; break;
                    case 2: items = n; break;
                    case 3: items = 2 * n; break;
                    default: body = n + 1; break;
                }
            }
        }
        /*  The body must fit in what remains, and then every object still
            to read must have a byte of it (each takes at least one: a
            count above what remains is a lie, and refusing it here keeps
            msgpack-c from allocating for it).  Both hold when the sum
            fits (none of the three nears 2^63); only when it does not is
            it worked out which failed.  */
        if (body + items + pending > len - pos) {
            if (body > len - pos)
                return clip_err_set (err, err_size, "truncated msgpack: a length of %" PRIu64
                             " bytes at offset %zu, but only %zu bytes remain",
                             body, pos, len - pos);
            pos += (size_t) body;
            pending += items;
            return clip_err_set (err, err_size, "truncated msgpack: %" PRIu64 " elements declared at"
                         " offset %zu, but only %zu bytes remain", pending, pos, len - pos);
        }
        pos += (size_t) body;
        pending += items;
    }
    if (pos != len)
        return clip_err_set (err, err_size, "trailing garbage: %zu bytes after the msgpack object",
                     len - pos);
    return 0;
}

int
clip_msgpack_unpack (msgpack_unpacked *out, const void *data, size_t len,
                     size_t max_objects, char *err, size_t err_size)
{
    assert (out);
    msgpack_unpacked_init (out);
    if (clip_msgpack_check (data, len, max_objects, err, err_size))
        return -1;
    size_t off = 0;
    if (msgpack_unpack_next (out, data, len, &off) != MSGPACK_UNPACK_SUCCESS || off != len)
        /*  The walk accepted it, so this is msgpack-c's own nesting limit
            (or memory exhaustion).  */
        return clip_err_set (err, err_size, "invalid msgpack: rejected by the parser (nesting too deep?)");
    return 0;
}

const char *
clip_msgpack_type_name (const msgpack_object *o)
{
    switch (o->type) {
        case MSGPACK_OBJECT_NIL: return "nil";
        case MSGPACK_OBJECT_BOOLEAN: return "bool";
        case MSGPACK_OBJECT_POSITIVE_INTEGER: return "uint";
        case MSGPACK_OBJECT_NEGATIVE_INTEGER: return "negative int";
        case MSGPACK_OBJECT_FLOAT32: return "float32";
        case MSGPACK_OBJECT_FLOAT64: return "float64";
        case MSGPACK_OBJECT_STR: return "str";
        case MSGPACK_OBJECT_BIN: return "bin";
        case MSGPACK_OBJECT_ARRAY: return "array";
        case MSGPACK_OBJECT_MAP: return "map";
        case MSGPACK_OBJECT_EXT: return "ext";
    }
    return "unknown";
}

bool
clip_msgpack_key_is (const msgpack_object *o, const char *key)
{
    size_t n = strlen (key);
    return o->type == MSGPACK_OBJECT_STR && o->via.str.size == n
        && memcmp (o->via.str.ptr, key, n) == 0;
}

void
clip_msgpack_pack_str (msgpack_packer *pk, const char *s)
{
    clip_msgpack_pack_strn (pk, s, strlen (s));
}

void
clip_msgpack_pack_strn (msgpack_packer *pk, const char *s, size_t n)
{
    msgpack_pack_str (pk, n);
    if (n)
        msgpack_pack_str_body (pk, s, n);
}

void
clip_msgpack_pack_bin (msgpack_packer *pk, const void *data, size_t len)
{
    msgpack_pack_bin (pk, len);
    if (len)
        msgpack_pack_bin_body (pk, data, len);
}

void
clip_msgpack_pack_bool (msgpack_packer *pk, bool value)
{
    if (value)
        msgpack_pack_true (pk);
    else
        msgpack_pack_false (pk);
}

void
clip_msgpack_pack_kv_str (msgpack_packer *pk, const char *key, const char *value)
{
    clip_msgpack_pack_str (pk, key);
    clip_msgpack_pack_str (pk, value ? value : "");
}

void
clip_msgpack_pack_kv_uint (msgpack_packer *pk, const char *key, uint64_t value)
{
    clip_msgpack_pack_str (pk, key);
    msgpack_pack_uint64 (pk, value);
}

void
clip_msgpack_pack_kv_bool (msgpack_packer *pk, const char *key, bool value)
{
    clip_msgpack_pack_str (pk, key);
    clip_msgpack_pack_bool (pk, value);
}

void
clip_msgpack_pack_kv_bin (msgpack_packer *pk, const char *key, const void *data, size_t len)
{
    clip_msgpack_pack_str (pk, key);
    clip_msgpack_pack_bin (pk, data, len);
}

int
clip_msgpack_map_slots (const msgpack_object *map, const char *const *names, int n_names,
                        const msgpack_object **slots, int *repeated)
{
    assert (map && map->type == MSGPACK_OBJECT_MAP);
    for (int k = 0; k < n_names; k++)
        slots [k] = NULL;
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object_kv *kv = &map->via.map.ptr [i];
        if (kv->key.type != MSGPACK_OBJECT_STR)
            continue;
        /*  The key's first byte (NUL for "") rules out most names before
            clip_msgpack_key_is measures them: a record's map has sixteen.  */
        char first = kv->key.via.str.size ? kv->key.via.str.ptr [0] : 0;
        for (int k = 0; k < n_names; k++) {
            if (names [k][0] != first || !clip_msgpack_key_is (&kv->key, names [k]))
                continue;
            if (slots [k]) {
                if (repeated)
                    *repeated = k;
                return -1;
            }
            slots [k] = &kv->val;
            break;
        }
    }
    return 0;
}
