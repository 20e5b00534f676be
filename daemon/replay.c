/*  replay: serves records from the results log.  See replay.h.  */
#include "replay.h"

#include <assert.h>
#include <errno.h>
#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "clip_log.h"
#include "clip_util.h"
#include "clip_wire.h"
#include "zwatch.h"

struct clip_replay {
    void *socket;
    zwatch_t watch;
    clip_results_t *results;
    char endpoint [256];
};

typedef struct {
    clip_replay_t *self;
    const void *identity;
    size_t identity_len;
    bool failed;
} serve_ctx_t;

static int
send_message (clip_replay_t *self, const void *identity, size_t identity_len,
              const char *topic, const void *body, size_t body_len)
{
    if (zmq_send (self->socket, identity, identity_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
    ||  zmq_send (self->socket, topic, strlen (topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
    ||  zmq_send (self->socket, body, body_len, ZMQ_DONTWAIT) < 0)
        return -1;
    return 0;
}

static void
on_record (uint64_t seq, const char *topic, const void *record, size_t len, void *arg)
{
    serve_ctx_t *ctx = arg;
    if (ctx->failed)
        return;
    if (send_message (ctx->self, ctx->identity, ctx->identity_len, topic, record, len) != 0)
        ctx->failed = true;
}

static void
pack_str (msgpack_packer *pk, const char *s)
{
    msgpack_pack_str (pk, strlen (s));
    msgpack_pack_str_body (pk, s, strlen (s));
}

static void
send_error (clip_replay_t *self, const void *identity, size_t identity_len,
            const char *code, const char *message)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 2);
    pack_str (&pk, "code");
    pack_str (&pk, code);
    pack_str (&pk, "message");
    pack_str (&pk, message);
    send_message (self, identity, identity_len, "replay.error", sbuf.data, sbuf.size);
    msgpack_sbuffer_destroy (&sbuf);
    clip_warn ("replay_bad_request", "code=%s message=\"%s\"", code, message);
}

static void
serve (clip_replay_t *self, const void *identity, size_t identity_len,
       const void *body, size_t body_len)
{
    msgpack_unpacked up;
    msgpack_unpacked_init (&up);
    size_t off = 0;
    if (msgpack_unpack_next (&up, body, body_len, &off) != MSGPACK_UNPACK_SUCCESS
    ||  off != body_len || up.data.type != MSGPACK_OBJECT_MAP) {
        msgpack_unpacked_destroy (&up);
        send_error (self, identity, identity_len, "bad_request",
                    "the request must be one msgpack map {since, topic?, limit?}");
        return;
    }
    bool have_since = false;
    uint64_t since = 0, limit = CLIP_REPLAY_DEFAULT_LIMIT;
    char prefix [256] = "";
    const char *bad = NULL;
    msgpack_object_map *map = &up.data.via.map;
    for (uint32_t i = 0; i < map->size && !bad; i++) {
        msgpack_object *k = &map->ptr [i].key, *v = &map->ptr [i].val;
        if (k->type != MSGPACK_OBJECT_STR)
            continue;
        #define KEY_IS(s) (k->via.str.size == strlen (s) && memcmp (k->via.str.ptr, s, strlen (s)) == 0)
        if (KEY_IS ("since")) {
            if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
                bad = "'since' must be a non-negative integer";
            else {
                since = v->via.u64;
                have_since = true;
            }
        }
        else
        if (KEY_IS ("limit")) {
            if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER || v->via.u64 == 0)
                bad = "'limit' must be a positive integer";
            else
                limit = v->via.u64 > CLIP_REPLAY_MAX_LIMIT ? CLIP_REPLAY_MAX_LIMIT : v->via.u64;
        }
        else
        if (KEY_IS ("topic")) {
            if (v->type != MSGPACK_OBJECT_STR || v->via.str.size >= sizeof prefix)
                bad = "'topic' must be a string of at most 255 bytes";
            else {
                memcpy (prefix, v->via.str.ptr, v->via.str.size);
                prefix [v->via.str.size] = 0;
            }
        }
        #undef KEY_IS
    }
    msgpack_unpacked_destroy (&up);
    if (!bad && !have_since)
        bad = "'since' is required";
    if (bad) {
        send_error (self, identity, identity_len, "bad_request", bad);
        return;
    }
    serve_ctx_t ctx = { self, identity, identity_len, false };
    uint64_t last = 0, head = 0;
    if (clip_results_replay (self->results, since, prefix, (size_t) limit, on_record, &ctx,
                             &last, &head) != 0) {
        send_error (self, identity, identity_len, "internal", "the results log could not be read");
        return;
    }
    if (ctx.failed) {
        clip_warn ("replay_client_slow", "since=%llu error=\"%s\"",
                   (unsigned long long) since, zmq_strerror (errno));
        return;
    }
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 3);
    pack_str (&pk, "last");
    msgpack_pack_uint64 (&pk, last);
    pack_str (&pk, "head");
    msgpack_pack_uint64 (&pk, head);
    pack_str (&pk, "more");
    if (last < head)
        msgpack_pack_true (&pk);
    else
        msgpack_pack_false (&pk);
    send_message (self, identity, identity_len, "replay.end", sbuf.data, sbuf.size);
    msgpack_sbuffer_destroy (&sbuf);
}

static void
on_readable (zwatch_t *watch, void *arg)
{
    clip_replay_t *self = arg;
    zmq_msg_t *frames;
    int count = clip_wire_recv_frames (self->socket, &frames, ZMQ_DONTWAIT);
    if (count < 0)
        return;
    if (count == 2)
        serve (self, zmq_msg_data (&frames [0]), zmq_msg_size (&frames [0]),
               zmq_msg_data (&frames [1]), zmq_msg_size (&frames [1]));
    else
    if (count >= 1)
        send_error (self, zmq_msg_data (&frames [0]), zmq_msg_size (&frames [0]), "bad_request",
                    "the request must be exactly one frame (use a DEALER socket)");
    clip_wire_frames_free (frames, count);
    zwatch_kick (&self->watch);
}

clip_replay_t *
clip_replay_new (uv_loop_t *loop, void *zmq_ctx, const char *endpoint,
                 clip_results_t *results, char *err, size_t err_size)
{
    clip_replay_t *self = clip_calloc (1, sizeof *self);
    self->results = results;
    self->socket = zmq_socket (zmq_ctx, ZMQ_ROUTER);
    /*  A page is at most 10,000 records and a client asks for the next page
        only after reading this one, so this bounds what one client can
        queue; ROUTER_MANDATORY turns an overflow into an error we log
        instead of a silent drop.  */
    int hwm = CLIP_REPLAY_MAX_LIMIT * 2 + 16, one = 1, zero = 0;
    zmq_setsockopt (self->socket, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt (self->socket, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt (self->socket, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_bind (self->socket, endpoint) != 0) {
        snprintf (err, err_size, "cannot bind replay endpoint %s: %s", endpoint, zmq_strerror (errno));
        zmq_close (self->socket);
        free (self);
        return NULL;
    }
    size_t len = sizeof self->endpoint;
    zmq_getsockopt (self->socket, ZMQ_LAST_ENDPOINT, self->endpoint, &len);
    int rc = zwatch_init (loop, &self->watch, self->socket, on_readable, self);
    assert (rc == 0);
    return self;
}

const char *
clip_replay_endpoint (const clip_replay_t *self)
{
    return self->endpoint;
}

static void
on_closed (zwatch_t *watch)
{
    free ((char *) watch - offsetof (clip_replay_t, watch));
}

void
clip_replay_destroy (clip_replay_t **self_p)
{
    assert (self_p);
    clip_replay_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    zwatch_close (&self->watch, on_closed);
    zmq_close (self->socket);
}
