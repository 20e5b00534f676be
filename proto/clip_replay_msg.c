/*  clip_replay_msg: the replay protocol's codec.  See clip_replay_msg.h.  */
#include "clip_replay_msg.h"

#include <assert.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_msgpack.h"
#include "clip_util.h"

/*  ---------------------------------------------------------------------
    Encoding
    --------------------------------------------------------------------- */

static void
finish (msgpack_sbuffer *sbuf, char **data, size_t *len)
{
    *len = sbuf->size;
    *data = msgpack_sbuffer_release (sbuf);
}

int
clip_replay_request_encode (const clip_replay_request_t *req, char **data, size_t *len)
{
    assert (req && data && len);
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 3);
    clip_msgpack_pack_kv_uint (&pk, "since", req->since);
    clip_msgpack_pack_kv_str (&pk, "topic", req->topic);
    clip_msgpack_pack_kv_uint (&pk, "limit", req->limit);
    finish (&sbuf, data, len);
    return 0;
}

int
clip_replay_end_encode (const clip_replay_end_t *end, char **data, size_t *len)
{
    assert (end && data && len);
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 3);
    clip_msgpack_pack_kv_uint (&pk, "last", end->last);
    clip_msgpack_pack_kv_uint (&pk, "head", end->head);
    clip_msgpack_pack_kv_bool (&pk, "more", end->more);
    finish (&sbuf, data, len);
    return 0;
}

int
clip_replay_error_encode (const char *code, const char *message, char **data, size_t *len)
{
    assert (code && message && data && len);
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 2);
    clip_msgpack_pack_kv_str (&pk, "code", code);
    clip_msgpack_pack_kv_str (&pk, "message", message);
    finish (&sbuf, data, len);
    return 0;
}

/*  ---------------------------------------------------------------------
    Decoding
    --------------------------------------------------------------------- */

/*  Parse body as one map and find the known keys: slots[i] gets the value
    of names[i] or NULL.  Unknown keys and keys that are not strings are
    skipped; a repeated known key is refused.  */
static int
open_map (msgpack_unpacked *up, const void *body, size_t len, const char *what,
          const char *const *names, int n_names, const msgpack_object **slots,
          char *err, size_t err_size)
{
    char why [160];
    if (clip_msgpack_unpack (up, body, len, CLIP_REPLAY_MAX_OBJECTS, why, sizeof why) != 0)
        return clip_err_set (err, err_size, "%s: not one msgpack map: %s", what, why);
    if (up->data.type != MSGPACK_OBJECT_MAP)
        return clip_err_set (err, err_size, "%s: expected a map, got %s", what,
                     clip_msgpack_type_name (&up->data));
    int repeated;
    if (clip_msgpack_map_slots (&up->data, names, n_names, slots, &repeated) != 0)
        return clip_err_set (err, err_size, "%s: field '%s': repeated", what, names [repeated]);
    return 0;
}

static int
get_uint (const msgpack_object *o, const char *what, const char *field, uint64_t *out,
          char *err, size_t err_size)
{
    if (!o)
        return clip_err_set (err, err_size, "%s: field '%s': required", what, field);
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return clip_err_set (err, err_size, "%s: field '%s': expected a non-negative integer, got %s",
                     what, field, clip_msgpack_type_name (o));
    *out = o->via.u64;
    return 0;
}

/*  A str into buf (cut to fit when cut is true, else refused when too
    long); NUL bytes refused.  */
static int
get_str (const msgpack_object *o, const char *what, const char *field, char *buf, size_t size,
         bool cut, char *err, size_t err_size)
{
    if (!o)
        return clip_err_set (err, err_size, "%s: field '%s': required", what, field);
    if (o->type != MSGPACK_OBJECT_STR)
        return clip_err_set (err, err_size, "%s: field '%s': expected str, got %s", what, field,
                     clip_msgpack_type_name (o));
    size_t n = o->via.str.size;
    if (memchr (o->via.str.ptr, 0, n))
        return clip_err_set (err, err_size, "%s: field '%s': contains a NUL byte", what, field);
    if (n >= size) {
        if (!cut)
            return clip_err_set (err, err_size, "%s: field '%s': %zu bytes, more than %zu", what,
                         field, n, size - 1);
        n = size - 1;
    }
    memcpy (buf, o->via.str.ptr, n);
    buf [n] = 0;
    return 0;
}

enum { Q_SINCE, Q_TOPIC, Q_LIMIT, Q_COUNT };
static const char *const REQUEST_KEYS [Q_COUNT] = { "since", "topic", "limit" };

int
clip_replay_request_decode (const void *body, size_t len, clip_replay_request_t *req,
                            char *err, size_t err_size)
{
    assert (req);
    if (err && err_size)
        err [0] = 0;
    msgpack_unpacked up;
    const msgpack_object *s [Q_COUNT];
    int rc = open_map (&up, body, len, "request", REQUEST_KEYS, Q_COUNT, s, err, err_size);
    if (rc == 0)
        rc = get_uint (s [Q_SINCE], "request", "since", &req->since, err, err_size);
    req->topic [0] = 0;
    if (rc == 0 && s [Q_TOPIC])
        rc = get_str (s [Q_TOPIC], "request", "topic", req->topic, sizeof req->topic, false,
                      err, err_size);
    req->limit = CLIP_REPLAY_DEFAULT_LIMIT;
    if (rc == 0 && s [Q_LIMIT]) {
        rc = get_uint (s [Q_LIMIT], "request", "limit", &req->limit, err, err_size);
        if (rc == 0 && req->limit == 0)
            rc = clip_err_set (err, err_size, "request: field 'limit': must be at least 1");
        if (rc == 0 && req->limit > CLIP_REPLAY_MAX_LIMIT)
            req->limit = CLIP_REPLAY_MAX_LIMIT;
    }
    msgpack_unpacked_destroy (&up);
    return rc;
}

enum { E_LAST, E_HEAD, E_MORE, E_COUNT };
static const char *const END_KEYS [E_COUNT] = { "last", "head", "more" };

int
clip_replay_end_decode (const void *body, size_t len, clip_replay_end_t *end,
                        char *err, size_t err_size)
{
    assert (end);
    msgpack_unpacked up;
    const msgpack_object *s [E_COUNT];
    int rc = open_map (&up, body, len, CLIP_REPLAY_END_TOPIC, END_KEYS, E_COUNT, s, err, err_size);
    if (rc == 0)
        rc = get_uint (s [E_LAST], CLIP_REPLAY_END_TOPIC, "last", &end->last, err, err_size);
    if (rc == 0)
        rc = get_uint (s [E_HEAD], CLIP_REPLAY_END_TOPIC, "head", &end->head, err, err_size);
    end->more = false;
    if (rc == 0 && s [E_MORE]) {
        if (s [E_MORE]->type != MSGPACK_OBJECT_BOOLEAN)
            rc = clip_err_set (err, err_size, "%s: field 'more': expected bool, got %s",
                       CLIP_REPLAY_END_TOPIC, clip_msgpack_type_name (s [E_MORE]));
        else
            end->more = s [E_MORE]->via.boolean;
    }
    msgpack_unpacked_destroy (&up);
    return rc;
}

enum { R_CODE, R_MESSAGE, R_COUNT };
static const char *const ERROR_KEYS [R_COUNT] = { "code", "message" };

int
clip_replay_error_decode (const void *body, size_t len, clip_replay_error_t *error,
                          char *err, size_t err_size)
{
    assert (error);
    msgpack_unpacked up;
    const msgpack_object *s [R_COUNT];
    int rc = open_map (&up, body, len, CLIP_REPLAY_ERROR_TOPIC, ERROR_KEYS, R_COUNT, s,
                       err, err_size);
    if (rc == 0)
        rc = get_str (s [R_CODE], CLIP_REPLAY_ERROR_TOPIC, "code", error->code,
                      sizeof error->code, true, err, err_size);
    if (rc == 0)
        rc = get_str (s [R_MESSAGE], CLIP_REPLAY_ERROR_TOPIC, "message", error->message,
                      sizeof error->message, true, err, err_size);
    /*  A code this version does not list is still a refusal: the caller
        sees it as CLIP_REPLAY_CODE_UNKNOWN, with its text in code.  */
    error->code_id = rc == 0 ? clip_replay_code_parse (error->code) : CLIP_REPLAY_CODE_UNKNOWN;
    msgpack_unpacked_destroy (&up);
    return rc;
}
