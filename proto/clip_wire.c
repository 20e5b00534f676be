/*  clip_wire: the worker protocol.  See clip_wire.h.  */
#include "clip_wire.h"

#include <assert.h>
#include <errno.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_msgpack.h"
#include "clip_util.h"

static const char *command_names[] = { "READY", "HEARTBEAT", "RESULT", "TASK" };

static void
free_sbuffer (void *data, void *hint)
{
    free (data);
}

/*  Pack msg's body (its map) into sbuf.  */
static void
pack_body (msgpack_sbuffer *sbuf, const clip_wire_msg_t *msg)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, sbuf, msgpack_sbuffer_write);
    /*  The optional keys are sent only when set.  */
    int optional = (msg->credit != 0) + (msg->bodies != 0);
    switch (msg->kind) {
        case CLIP_WIRE_READY:
            msgpack_pack_map (&pk, 2 + optional);
            clip_msgpack_pack_kv_str (&pk, "worker", msg->worker);
            clip_msgpack_pack_kv_uint (&pk, "protocol", CLIP_WIRE_PROTOCOL);
            break;
        case CLIP_WIRE_HEARTBEAT:
            if (!msg->worker) {
                msgpack_pack_map (&pk, 0);
                return;
            }
            msgpack_pack_map (&pk, 2 + optional);
            clip_msgpack_pack_kv_str (&pk, "worker", msg->worker);
            clip_msgpack_pack_kv_bool (&pk, "busy", msg->busy);
            break;
        case CLIP_WIRE_RESULT:
            msgpack_pack_map (&pk, 4);
            clip_msgpack_pack_kv_str (&pk, "worker", msg->worker);
            clip_msgpack_pack_kv_uint (&pk, "task", msg->task);
            clip_msgpack_pack_kv_bin (&pk, "record", msg->data, msg->data_len);
            clip_msgpack_pack_kv_bin (&pk, "sketch", msg->sketch, msg->sketch_len);
            return;
        case CLIP_WIRE_TASK:
            msgpack_pack_map (&pk, 3);
            clip_msgpack_pack_kv_uint (&pk, "task", msg->task);
            clip_msgpack_pack_kv_str (&pk, "file", msg->file);
            clip_msgpack_pack_kv_bin (&pk, "data", msg->data, msg->data_len);
            return;
    }
    if (msg->credit)
        clip_msgpack_pack_kv_uint (&pk, "credit", msg->credit);
    if (msg->bodies)
        clip_msgpack_pack_kv_uint (&pk, "bodies", msg->bodies);
}

int
clip_wire_send_group (void *socket, const void *identity, size_t identity_len,
                      const clip_wire_msg_t *msgs, size_t n, int flags)
{
    assert (n >= 1 && n <= CLIP_WIRE_BODIES_MAX);
    assert (msgs [0].kind <= CLIP_WIRE_TASK);
    assert (n == 1 || msgs [0].kind == CLIP_WIRE_TASK || msgs [0].kind == CLIP_WIRE_RESULT);
    const char *cmd = command_names [msgs [0].kind];
    if (identity
    &&  zmq_send (socket, identity, identity_len, ZMQ_SNDMORE | flags) < 0)
        return -1;
    if (zmq_send (socket, cmd, strlen (cmd), ZMQ_SNDMORE | flags) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        assert (msgs [i].kind == msgs [0].kind);
        msgpack_sbuffer sbuf;
        msgpack_sbuffer_init (&sbuf);
        pack_body (&sbuf, &msgs [i]);
        /*  Hand the body buffer to ZeroMQ without copying: task bodies
            hold whole files.  */
        zmq_msg_t body;
        size_t size = sbuf.size;
        char *data = msgpack_sbuffer_release (&sbuf);
        if (zmq_msg_init_data (&body, data, size, free_sbuffer, NULL) != 0) {
            free (data);
            return -1;
        }
        if (zmq_msg_send (&body, socket, (i + 1 < n ? ZMQ_SNDMORE : 0) | flags) < 0) {
            int e = errno;
            zmq_msg_close (&body);
            errno = e;
            return -1;
        }
    }
    return 0;
}

int
clip_wire_send (void *socket, const void *identity, size_t identity_len,
                const clip_wire_msg_t *msg, int flags)
{
    return clip_wire_send_group (socket, identity, identity_len, msg, 1, flags);
}

/*  Copy a msgpack string or binary object into a new NUL-terminated buffer.  */
static int
take_bytes (const msgpack_object *o, void **out, size_t *len, bool want_str)
{
    const char *ptr;
    uint32_t size;
    if (o->type == MSGPACK_OBJECT_STR) {
        ptr = o->via.str.ptr;
        size = o->via.str.size;
    }
    else
    if (o->type == MSGPACK_OBJECT_BIN && !want_str) {
        ptr = o->via.bin.ptr;
        size = o->via.bin.size;
    }
    else
        return -1;
    char *copy = clip_malloc ((size_t) size + 1);
    if (size)
        memcpy (copy, ptr, size);
    copy [size] = 0;
    *out = copy;
    if (len)
        *len = size;
    return 0;
}

/*  The keys of every command's body; each command uses some of them (a
    key another command uses is read and ignored).  `record` is RESULT's
    name for `data`.  */
enum { W_WORKER, W_FILE, W_DATA, W_RECORD, W_SKETCH, W_TASK, W_PROTOCOL, W_BUSY, W_CREDIT,
       W_BODIES, W_COUNT };
static const char *const WIRE_KEYS [W_COUNT] = {
    "worker", "file", "data", "record", "sketch", "task", "protocol", "busy", "credit", "bodies"
};

int
clip_wire_kind_of (const void *command, size_t command_len)
{
    for (int i = 0; i <= CLIP_WIRE_TASK; i++)
        if (strlen (command_names [i]) == command_len
        &&  memcmp (command_names [i], command, command_len) == 0)
            return i;
    return -1;
}

clip_wire_msg_t *
clip_wire_decode (const void *command, size_t command_len,
                  const void *body, size_t body_len, char *err, size_t err_size)
{
    int kind = clip_wire_kind_of (command, command_len);
    if (kind < 0) {
        snprintf (err, err_size, "unknown command");
        return NULL;
    }
    msgpack_unpacked up;
    char why [160];
    int rc = clip_msgpack_unpack (&up, body, body_len, CLIP_WIRE_MAX_OBJECTS, why, sizeof why);
    if (rc == 0 && up.data.type != MSGPACK_OBJECT_MAP) {
        snprintf (why, sizeof why, "a %s, not a map", clip_msgpack_type_name (&up.data));
        rc = -1;
    }
    if (rc != 0) {
        msgpack_unpacked_destroy (&up);
        snprintf (err, err_size, "%s: body is not one msgpack map: %s", command_names [kind], why);
        return NULL;
    }
    const msgpack_object *s [W_COUNT];
    int repeated = -1;
    if (clip_msgpack_map_slots (&up.data, WIRE_KEYS, W_COUNT, s, &repeated) == 0
    &&  s [W_DATA] && s [W_RECORD])
        repeated = W_RECORD;    /* the same field under both its names */
    if (repeated >= 0) {
        /*  One value per field: a body naming one twice is refused rather
            than one of its values silently chosen.  */
        msgpack_unpacked_destroy (&up);
        snprintf (err, err_size, "%s: field '%s' repeated", command_names [kind],
                  WIRE_KEYS [repeated]);
        return NULL;
    }
    clip_wire_msg_t *msg = clip_calloc (1, sizeof *msg);
    msg->kind = (clip_wire_kind_t) kind;
    const char *bad = NULL;
    const msgpack_object *data = s [W_DATA] ? s [W_DATA] : s [W_RECORD];
    if (s [W_WORKER] && take_bytes (s [W_WORKER], (void **) &msg->worker, NULL, true))
        bad = "worker";
    else
    if (s [W_FILE] && take_bytes (s [W_FILE], (void **) &msg->file, NULL, true))
        bad = "file";
    else
    if (data && take_bytes (data, &msg->data, &msg->data_len, false))
        bad = "data";
    else
    if (s [W_SKETCH] && take_bytes (s [W_SKETCH], &msg->sketch, &msg->sketch_len, false))
        bad = "sketch";
    else
    if (s [W_TASK] && s [W_TASK]->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        bad = "task";
    else
    if (s [W_PROTOCOL] && s [W_PROTOCOL]->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        bad = "protocol";
    else
    if (s [W_BUSY] && s [W_BUSY]->type != MSGPACK_OBJECT_BOOLEAN)
        bad = "busy";
    else
    /*  A credit of 0 would be a worker that takes nothing: malformed.  */
    if (s [W_CREDIT] && (s [W_CREDIT]->type != MSGPACK_OBJECT_POSITIVE_INTEGER
                     ||  s [W_CREDIT]->via.u64 == 0))
        bad = "credit";
    else
    if (s [W_BODIES] && (s [W_BODIES]->type != MSGPACK_OBJECT_POSITIVE_INTEGER
                     ||  s [W_BODIES]->via.u64 == 0))
        bad = "bodies";
    if (!bad) {
        msg->task = s [W_TASK] ? s [W_TASK]->via.u64 : 0;
        msg->protocol = s [W_PROTOCOL] ? s [W_PROTOCOL]->via.u64 : 0;
        msg->busy = s [W_BUSY] ? s [W_BUSY]->via.boolean : false;
        msg->credit = s [W_CREDIT] ? s [W_CREDIT]->via.u64 : 0;
        msg->bodies = s [W_BODIES] ? s [W_BODIES]->via.u64 : 0;
    }
    msgpack_unpacked_destroy (&up);
    if (!bad && (msg->kind == CLIP_WIRE_TASK || msg->kind == CLIP_WIRE_RESULT)) {
        if (!msg->task)
            bad = "task";
        else
        if (!msg->data)
            bad = msg->kind == CLIP_WIRE_TASK ? "data" : "record";
    }
    if (bad) {
        snprintf (err, err_size, "%s: field '%s' missing or of the wrong type",
                  command_names [kind], bad);
        clip_wire_msg_destroy (&msg);
        return NULL;
    }
    return msg;
}

void
clip_wire_msg_destroy (clip_wire_msg_t **self_p)
{
    assert (self_p);
    clip_wire_msg_t *self = *self_p;
    if (!self)
        return;
    free (self->worker);
    free (self->file);
    free (self->data);
    free (self->sketch);
    free (self);
    *self_p = NULL;
}

int
clip_wire_recv_frames (void *socket, zmq_msg_t **frames, int flags)
{
    zmq_msg_t *list = clip_malloc (sizeof (zmq_msg_t) * CLIP_WIRE_MAX_FRAMES);
    int count = 0;
    bool more = true;
    while (more && count < CLIP_WIRE_MAX_FRAMES) {
        zmq_msg_init (&list [count]);
        /*  Only the first frame may find nothing; the rest of a multipart
            message is always there once its first frame is.  */
        if (zmq_msg_recv (&list [count], socket, count == 0 ? flags : 0) < 0) {
            int e = errno;
            zmq_msg_close (&list [count]);
            clip_wire_frames_free (list, count);
            errno = e;
            return -1;
        }
        more = zmq_msg_more (&list [count]);
        count++;
    }
    if (more) {
        /*  Too many frames: read the rest of the message, one frame at a
            time (each bounded by the socket's ZMQ_MAXMSGSIZE), and drop it
            all, so that the next read starts at a message boundary.  */
        zmq_msg_t extra;
        zmq_msg_init (&extra);
        while (more && zmq_msg_recv (&extra, socket, 0) >= 0)
            more = zmq_msg_more (&extra);
        zmq_msg_close (&extra);
        clip_wire_frames_free (list, count);
        errno = EMSGSIZE;
        return -1;
    }
    *frames = list;
    return count;
}

uint64_t
clip_wire_record_max (uint64_t file_bytes, uint64_t max_entities)
{
    if (file_bytes > (UINT64_MAX / 2 - CLIP_WIRE_HEADROOM) / 4
    ||  max_entities > UINT64_MAX / 2 / CLIP_WIRE_ENTITY_MAX)
        return UINT64_MAX;
    return 4 * file_bytes + CLIP_WIRE_HEADROOM + max_entities * CLIP_WIRE_ENTITY_MAX;
}

uint64_t
clip_wire_sketch_max (uint64_t file_bytes)
{
    if (file_bytes > (UINT64_MAX - 64) / 4)
        return UINT64_MAX;
    return 4 * file_bytes + 64;
}

int64_t
clip_wire_result_frame_max (uint64_t max_bytes, uint64_t max_entities)
{
    uint64_t record = clip_wire_record_max (max_bytes, max_entities), sketch = clip_wire_sketch_max (max_bytes);
    uint64_t total = record + sketch + CLIP_WIRE_HEADROOM;
    if (record == UINT64_MAX || sketch == UINT64_MAX || total < record || total > INT64_MAX)
        return INT64_MAX;
    return (int64_t) total;
}

void
clip_wire_frames_free (zmq_msg_t *frames, int count)
{
    for (int i = 0; i < count; i++)
        zmq_msg_close (&frames [i]);
    free (frames);
}

void
clip_wire_keepalive (void *socket)
{
    int ivl = CLIP_WIRE_KEEPALIVE_MS, timeout = CLIP_WIRE_KEEPALIVE_TIMEOUT_MS;
    int ttl = CLIP_WIRE_KEEPALIVE_TIMEOUT_MS;
    zmq_setsockopt (socket, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt (socket, ZMQ_HEARTBEAT_TIMEOUT, &timeout, sizeof timeout);
    zmq_setsockopt (socket, ZMQ_HEARTBEAT_TTL, &ttl, sizeof ttl);
}
