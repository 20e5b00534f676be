/*  The worker protocol: every message round-trips through real ZeroMQ
    sockets, and malformed bodies are rejected with a reason.  */
#include <criterion/criterion.h>
#include <errno.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "clip_msgpack.h"
#include "clip_util.h"
#include "clip_wire.h"

static clip_wire_msg_t *
roundtrip (void *dealer, void *router, const clip_wire_msg_t *msg, bool to_worker)
{
    zmq_msg_t *frames;
    char err [256];
    if (to_worker) {
        /*  Learn the dealer's identity first.  */
        clip_wire_msg_t hello = { .kind = CLIP_WIRE_READY, .worker = "w" };
        cr_assert_eq (clip_wire_send (dealer, NULL, 0, &hello, 0), 0);
        int n = clip_wire_recv_frames (router, &frames, 0);
        cr_assert_eq (n, 3);
        cr_assert_eq (clip_wire_send (router, zmq_msg_data (&frames [0]), zmq_msg_size (&frames [0]),
                                      msg, 0), 0);
        clip_wire_frames_free (frames, n);
        n = clip_wire_recv_frames (dealer, &frames, 0);
        cr_assert_eq (n, 2);
        clip_wire_msg_t *out = clip_wire_decode (zmq_msg_data (&frames [0]), zmq_msg_size (&frames [0]),
                                                 zmq_msg_data (&frames [1]), zmq_msg_size (&frames [1]),
                                                 err, sizeof err);
        cr_assert_not_null (out, "%s", err);
        clip_wire_frames_free (frames, n);
        return out;
    }
    cr_assert_eq (clip_wire_send (dealer, NULL, 0, msg, 0), 0);
    int n = clip_wire_recv_frames (router, &frames, 0);
    cr_assert_eq (n, 3, "ROUTER sees identity, command, body");
    clip_wire_msg_t *out = clip_wire_decode (zmq_msg_data (&frames [1]), zmq_msg_size (&frames [1]),
                                             zmq_msg_data (&frames [2]), zmq_msg_size (&frames [2]),
                                             err, sizeof err);
    cr_assert_not_null (out, "%s", err);
    clip_wire_frames_free (frames, n);
    return out;
}

Test (wire, every_message_round_trips)
{
    void *ctx = zmq_ctx_new ();
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    cr_assert_eq (zmq_bind (router, "tcp://127.0.0.1:*"), 0);
    char ep [256];
    size_t len = sizeof ep;
    zmq_getsockopt (router, ZMQ_LAST_ENDPOINT, ep, &len);
    cr_assert_eq (zmq_connect (dealer, ep), 0);

    clip_wire_msg_t ready = { .kind = CLIP_WIRE_READY, .worker = "host:42" };
    clip_wire_msg_t *out = roundtrip (dealer, router, &ready, false);
    cr_assert_eq (out->kind, CLIP_WIRE_READY);
    cr_assert_str_eq (out->worker, "host:42");
    cr_assert_eq (out->protocol, CLIP_WIRE_PROTOCOL);
    clip_wire_msg_destroy (&out);
    cr_assert_null (out);

    clip_wire_msg_t hb = { .kind = CLIP_WIRE_HEARTBEAT, .worker = "host:42", .busy = true };
    out = roundtrip (dealer, router, &hb, false);
    cr_assert_eq (out->kind, CLIP_WIRE_HEARTBEAT);
    cr_assert (out->busy);
    clip_wire_msg_destroy (&out);

    char blob [3] = { 0, 1, 2 };
    clip_wire_msg_t result = { .kind = CLIP_WIRE_RESULT, .worker = "host:42", .task = 77,
                               .data = "rec", .data_len = 3, .sketch = blob, .sketch_len = 3 };
    out = roundtrip (dealer, router, &result, false);
    cr_assert_eq (out->kind, CLIP_WIRE_RESULT);
    cr_assert_eq (out->task, 77);
    cr_assert_eq (out->data_len, 3);
    cr_assert_eq (memcmp (out->data, "rec", 3), 0);
    cr_assert_eq (out->sketch_len, 3);
    cr_assert_eq (memcmp (out->sketch, blob, 3), 0);
    clip_wire_msg_destroy (&out);

    /*  A task carries a whole file, binary bytes and NULs included.  */
    size_t big = 1 << 20;
    char *data = malloc (big);
    for (size_t i = 0; i < big; i++)
        data [i] = (char) (i * 7);
    clip_wire_msg_t task = { .kind = CLIP_WIRE_TASK, .task = 5, .file = "a b é.txt",
                             .data = data, .data_len = big };
    out = roundtrip (dealer, router, &task, true);
    cr_assert_eq (out->kind, CLIP_WIRE_TASK);
    cr_assert_eq (out->task, 5);
    cr_assert_str_eq (out->file, "a b é.txt");
    cr_assert_eq (out->data_len, big);
    cr_assert_eq (memcmp (out->data, data, big), 0);
    clip_wire_msg_destroy (&out);
    free (data);

    zmq_close (dealer);
    zmq_close (router);
    zmq_ctx_term (ctx);
}

Test (wire, malformed_messages_are_rejected_with_a_reason)
{
    char err [256];
    cr_assert_null (clip_wire_decode ("HELLO", 5, "\x80", 1, err, sizeof err));
    cr_assert_str_eq (err, "unknown command");
    cr_assert_null (clip_wire_decode ("TASK", 4, "\x01", 1, err, sizeof err));
    cr_assert (strstr (err, "not one msgpack map"), "%s", err);
    cr_assert_null (clip_wire_decode ("TASK", 4, "", 0, err, sizeof err));
    /*  {task: "x"}  */
    cr_assert_null (clip_wire_decode ("TASK", 4, "\x81\xa4task\xa1x", 8, err, sizeof err));
    cr_assert (strstr (err, "'task'"), "%s", err);
    /*  {task: 1} without data  */
    cr_assert_null (clip_wire_decode ("TASK", 4, "\x81\xa4task\x01", 7, err, sizeof err));
    cr_assert (strstr (err, "'data'"), "%s", err);
    /*  Trailing bytes after the map.  */
    cr_assert_null (clip_wire_decode ("HEARTBEAT", 9, "\x80\x80", 2, err, sizeof err));
    /*  Unknown keys are ignored.  */
    clip_wire_msg_t *ok = clip_wire_decode ("HEARTBEAT", 9, "\x81\xa3zzz\x01", 6, err, sizeof err);
    cr_assert_not_null (ok, "%s", err);
    clip_wire_msg_destroy (&ok);
    /*  Every truncation of a valid message fails cleanly.  */
    msgpack_sbuffer sb;
    msgpack_sbuffer_init (&sb);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 3);
    clip_msgpack_pack_kv_uint (&pk, "task", 9);
    clip_msgpack_pack_kv_str (&pk, "file", "a.txt");
    clip_msgpack_pack_kv_bin (&pk, "data", "hello", 5);
    clip_wire_msg_t *full = clip_wire_decode ("TASK", 4, sb.data, sb.size, err, sizeof err);
    cr_assert_not_null (full, "%s", err);
    clip_wire_msg_destroy (&full);
    for (size_t cut = 0; cut < sb.size; cut++)
        cr_assert_null (clip_wire_decode ("TASK", 4, sb.data, cut, err, sizeof err));
    msgpack_sbuffer_destroy (&sb);
}

/*  Credit (prefetch): READY and HEARTBEAT may carry `credit`, the tasks a
    worker offers to hold; a worker of the first protocol sends none (read
    as 0, which dispatch takes as one), and an explicit 0 or a credit that
    is not an unsigned integer is refused.  */
Test (wire, credit_rides_on_ready_and_heartbeat_and_is_optional)
{
    void *ctx = zmq_ctx_new ();
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    cr_assert_eq (zmq_bind (router, "inproc://wire-credit"), 0);
    cr_assert_eq (zmq_connect (dealer, "inproc://wire-credit"), 0);
    clip_wire_msg_t ready = { .kind = CLIP_WIRE_READY, .worker = "host:42", .credit = 3 };
    clip_wire_msg_t *out = roundtrip (dealer, router, &ready, false);
    cr_assert_eq (out->kind, CLIP_WIRE_READY);
    cr_assert_eq (out->protocol, CLIP_WIRE_PROTOCOL, "an optional key: same protocol");
    cr_assert_eq (out->credit, 3);
    clip_wire_msg_destroy (&out);
    clip_wire_msg_t hb = { .kind = CLIP_WIRE_HEARTBEAT, .worker = "host:42", .credit = 16 };
    out = roundtrip (dealer, router, &hb, false);
    cr_assert_eq (out->credit, 16);
    cr_assert_not (out->busy);
    clip_wire_msg_destroy (&out);
    clip_wire_msg_t old = { .kind = CLIP_WIRE_READY, .worker = "old:1" };
    out = roundtrip (dealer, router, &old, false);
    cr_assert_eq (out->credit, 0, "no credit key: a worker of the first protocol");
    clip_wire_msg_destroy (&out);
    zmq_close (dealer);
    zmq_close (router);
    zmq_ctx_term (ctx);

    char err [256];
    /*  {credit: 0}  */
    cr_assert_null (clip_wire_decode ("READY", 5, "\x81\xa6" "credit" "\x00", 9, err, sizeof err));
    cr_assert (strstr (err, "'credit'"), "%s", err);
    /*  {credit: "2"}  */
    cr_assert_null (clip_wire_decode ("HEARTBEAT", 9, "\x81\xa6" "credit" "\xa1" "2", 10, err,
                                      sizeof err));
    cr_assert (strstr (err, "'credit'"), "%s", err);
    /*  {credit: -1}  */
    cr_assert_null (clip_wire_decode ("READY", 5, "\x81\xa6" "credit" "\xff", 9, err, sizeof err));
    /*  {credit: 200}: read as sent; dispatch caps it at its prefetch.  */
    clip_wire_msg_t *big = clip_wire_decode ("READY", 5, "\x81\xa6" "credit" "\xcc\xc8", 10, err,
                                             sizeof err);
    cr_assert_not_null (big, "%s", err);
    cr_assert_eq (big->credit, 200);
    clip_wire_msg_destroy (&big);
}

/*  `bodies` (tasks a worker takes in one TASK message) rides on READY and
    HEARTBEAT beside credit, and is optional; 0 is refused.  */
Test (wire, bodies_rides_on_ready_and_heartbeat_and_is_optional)
{
    void *ctx = zmq_ctx_new ();
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    cr_assert_eq (zmq_bind (router, "inproc://wire-bodies"), 0);
    cr_assert_eq (zmq_connect (dealer, "inproc://wire-bodies"), 0);
    clip_wire_msg_t ready = { .kind = CLIP_WIRE_READY, .worker = "host:42", .credit = 16,
                              .bodies = 8 };
    clip_wire_msg_t *out = roundtrip (dealer, router, &ready, false);
    cr_assert_eq (out->credit, 16);
    cr_assert_eq (out->bodies, 8);
    cr_assert_eq (out->protocol, CLIP_WIRE_PROTOCOL, "an optional key: same protocol");
    clip_wire_msg_destroy (&out);
    clip_wire_msg_t hb = { .kind = CLIP_WIRE_HEARTBEAT, .worker = "host:42", .bodies = 4 };
    out = roundtrip (dealer, router, &hb, false);
    cr_assert_eq (out->bodies, 4);
    cr_assert_eq (out->credit, 0);
    clip_wire_msg_destroy (&out);
    clip_wire_msg_t old = { .kind = CLIP_WIRE_READY, .worker = "old:1", .credit = 4 };
    out = roundtrip (dealer, router, &old, false);
    cr_assert_eq (out->bodies, 0, "no bodies key: one task a message");
    clip_wire_msg_destroy (&out);
    zmq_close (dealer);
    zmq_close (router);
    zmq_ctx_term (ctx);

    char err [256];
    /*  {bodies: 0}  */
    cr_assert_null (clip_wire_decode ("READY", 5, "\x81\xa6" "bodies" "\x00", 9, err, sizeof err));
    cr_assert (strstr (err, "'bodies'"), "%s", err);
    /*  {bodies: true}  */
    cr_assert_null (clip_wire_decode ("HEARTBEAT", 9, "\x81\xa6" "bodies" "\xc3", 9, err,
                                      sizeof err));
    cr_assert (strstr (err, "'bodies'"), "%s", err);
}

/*  A group of TASKs (or RESULTs) is one message: the command, then one
    body for each, in order; each decodes alone with the command.  */
Test (wire, a_group_is_one_message_of_a_body_each)
{
    void *ctx = zmq_ctx_new ();
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    cr_assert_eq (zmq_bind (router, "inproc://wire-group"), 0);
    cr_assert_eq (zmq_connect (dealer, "inproc://wire-group"), 0);
    clip_wire_msg_t hello = { .kind = CLIP_WIRE_READY, .worker = "w" };
    cr_assert_eq (clip_wire_send (dealer, NULL, 0, &hello, 0), 0);
    zmq_msg_t *frames;
    int n = clip_wire_recv_frames (router, &frames, 0);
    cr_assert_eq (n, 3);
    char id [256];
    size_t id_len = zmq_msg_size (&frames [0]);
    memcpy (id, zmq_msg_data (&frames [0]), id_len);
    clip_wire_frames_free (frames, n);

    clip_wire_msg_t tasks [CLIP_WIRE_BODIES_MAX];
    char names [CLIP_WIRE_BODIES_MAX][16];
    for (int i = 0; i < CLIP_WIRE_BODIES_MAX; i++) {
        snprintf (names [i], sizeof names [0], "%d.txt", i);
        tasks [i] = (clip_wire_msg_t) { .kind = CLIP_WIRE_TASK, .task = 100 + (uint64_t) i,
                                        .file = names [i], .data = names [i],
                                        .data_len = strlen (names [i]) };
    }
    cr_assert_eq (clip_wire_send_group (router, id, id_len, tasks, CLIP_WIRE_BODIES_MAX, 0), 0);
    n = clip_wire_recv_frames (dealer, &frames, 0);
    cr_assert_eq (n, 1 + CLIP_WIRE_BODIES_MAX, "the command and a body for each task");
    char err [256];
    for (int i = 0; i < CLIP_WIRE_BODIES_MAX; i++) {
        clip_wire_msg_t *t = clip_wire_decode (zmq_msg_data (&frames [0]), zmq_msg_size (&frames [0]),
                                               zmq_msg_data (&frames [1 + i]),
                                               zmq_msg_size (&frames [1 + i]), err, sizeof err);
        cr_assert_not_null (t, "%s", err);
        cr_assert_eq (t->kind, CLIP_WIRE_TASK);
        cr_assert_eq (t->task, 100 + (uint64_t) i);
        cr_assert_str_eq (t->file, names [i]);
        clip_wire_msg_destroy (&t);
    }
    clip_wire_frames_free (frames, n);

    /*  RESULTs back, two in one message: the ROUTER sees the identity, the
        command and two bodies, within CLIP_WIRE_MAX_FRAMES.  */
    clip_wire_msg_t results [2] = {
        { .kind = CLIP_WIRE_RESULT, .worker = "w", .task = 100, .data = "\x80", .data_len = 1 },
        { .kind = CLIP_WIRE_RESULT, .worker = "w", .task = 101, .data = "\x80", .data_len = 1 },
    };
    cr_assert_eq (clip_wire_send_group (dealer, NULL, 0, results, 2, 0), 0);
    n = clip_wire_recv_frames (router, &frames, 0);
    cr_assert_eq (n, 4);
    for (int i = 0; i < 2; i++) {
        clip_wire_msg_t *r = clip_wire_decode (zmq_msg_data (&frames [1]), zmq_msg_size (&frames [1]),
                                               zmq_msg_data (&frames [2 + i]),
                                               zmq_msg_size (&frames [2 + i]), err, sizeof err);
        cr_assert_not_null (r, "%s", err);
        cr_assert_eq (r->task, 100 + (uint64_t) i);
        clip_wire_msg_destroy (&r);
    }
    clip_wire_frames_free (frames, n);
    cr_assert_leq (2 + CLIP_WIRE_BODIES_MAX, CLIP_WIRE_MAX_FRAMES,
                   "a full group from a ROUTER is within the frame limit");
    zmq_close (dealer);
    zmq_close (router);
    zmq_ctx_term (ctx);
}

/*  Peak resident memory of this process, in kB.  */
static long
vm_hwm_kb (void)
{
    FILE *f = fopen ("/proc/self/status", "r");
    cr_assert_not_null (f);
    char line [256];
    long kb = -1;
    while (fgets (line, sizeof line, f))
        if (sscanf (line, "VmHWM: %ld kB", &kb) == 1)
            break;
    fclose (f);
    return kb;
}

/*  Five bytes declaring 2^31 array elements: msgpack-c would allocate for
    every declared element (48 GB); the guarded reader refuses the lie from
    the count alone, at once, with a reason.  */
/*  A body naming a field twice (a RESULT with two records, say) is
    refused: the decoder does not pick one of the values.  `record` and
    `data` are one field under two names.  */
Test (wire, a_repeated_key_is_refused)
{
    struct { const char *cmd; const char *k1; const char *k2; const char *needle; } cases [] = {
        { "RESULT", "record", "record", "RESULT: field 'record' repeated" },
        { "RESULT", "data", "record", "RESULT: field 'record' repeated" },
        { "TASK", "data", "data", "TASK: field 'data' repeated" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        msgpack_sbuffer sb;
        msgpack_sbuffer_init (&sb);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &sb, msgpack_sbuffer_write);
        msgpack_pack_map (&pk, 4);
        clip_msgpack_pack_kv_str (&pk, "worker", "w:1");
        clip_msgpack_pack_kv_uint (&pk, "task", 7);
        clip_msgpack_pack_kv_bin (&pk, cases [i].k1, "first", 5);
        clip_msgpack_pack_kv_bin (&pk, cases [i].k2, "second", 6);
        char err [256] = "";
        clip_wire_msg_t *msg = clip_wire_decode (cases [i].cmd, strlen (cases [i].cmd),
                                                 sb.data, sb.size, err, sizeof err);
        cr_assert_null (msg, "case %zu accepted", i);
        cr_assert_str_eq (err, cases [i].needle);
        msgpack_sbuffer_destroy (&sb);
    }
    /*  The same field once, and a repeated key the decoder does not know,
        are accepted.  */
    msgpack_sbuffer sb;
    msgpack_sbuffer_init (&sb);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 5);
    clip_msgpack_pack_kv_str (&pk, "worker", "w:1");
    clip_msgpack_pack_kv_uint (&pk, "task", 7);
    clip_msgpack_pack_kv_bin (&pk, "record", "first", 5);
    clip_msgpack_pack_kv_uint (&pk, "zzz", 1);
    clip_msgpack_pack_kv_uint (&pk, "zzz", 2);
    char err [256] = "";
    clip_wire_msg_t *msg = clip_wire_decode ("RESULT", 6, sb.data, sb.size, err, sizeof err);
    cr_assert_not_null (msg, "%s", err);
    cr_assert_eq (msg->data_len, 5);
    cr_assert_eq (memcmp (msg->data, "first", 5), 0);
    clip_wire_msg_destroy (&msg);
    msgpack_sbuffer_destroy (&sb);
}

Test (wire, a_declared_count_above_the_bytes_is_refused_at_once)
{
    const char *bodies [] = { "\xdd\x80\x00\x00\x00", "\xdf\x80\x00\x00\x00",
                              "\xdb\x80\x00\x00\x00", "\xc6\x80\x00\x00\x00" };
    for (int i = 0; i < 4; i++) {
        char err [256] = "";
        long hwm = vm_hwm_kb ();
        uint64_t start = clip_mono_ms ();
        cr_assert_null (clip_wire_decode ("RESULT", 6, bodies [i], 5, err, sizeof err));
        cr_assert_lt (clip_mono_ms () - start, 1000);
        cr_assert_lt (vm_hwm_kb () - hwm, 1024, "decoding 5 bytes grew the peak by %ld kB",
                      vm_hwm_kb () - hwm);
        cr_assert (strstr (err, "RESULT: body is not one msgpack map: truncated msgpack"),
                   "body %d: %s", i, err);
        cr_assert (strstr (err, "declared") || strstr (err, "a length of 2147483648"),
                   "body %d: %s", i, err);
    }
}

/*  An honest but huge count (a 4 MiB array of nils) is refused by the cap
    on objects, before msgpack-c allocates 24 bytes per nil.  */
Test (wire, too_many_objects_are_refused_before_allocation)
{
    size_t n = 4u << 20;
    char *body = malloc (n + 16);
    size_t len = 0;
    body [len++] = (char) 0x81;
    memcpy (body + len, "\xa3pad\xdd", 5);
    len += 5;
    body [len++] = (char) (n >> 24);
    body [len++] = (char) (n >> 16);
    body [len++] = (char) (n >> 8);
    body [len++] = (char) n;
    memset (body + len, 0xc0, n);
    len += n;
    long hwm = vm_hwm_kb ();
    char err [256] = "";
    cr_assert_null (clip_wire_decode ("HEARTBEAT", 9, body, len, err, sizeof err));
    cr_assert (strstr (err, "too many msgpack objects"), "%s", err);
    cr_assert_lt (vm_hwm_kb () - hwm, 16 * 1024, "the peak grew by %ld kB", vm_hwm_kb () - hwm);
    free (body);
}

/*  A message of more frames than any message of the protocol is read to
    its end and dropped; the next message is read whole.  */
Test (wire, too_many_frames_are_dropped_whole)
{
    void *ctx = zmq_ctx_new ();
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    cr_assert_eq (zmq_bind (router, "inproc://frames"), 0);
    cr_assert_eq (zmq_connect (dealer, "inproc://frames"), 0);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq (zmq_send (dealer, "x", 1, i < 999 ? ZMQ_SNDMORE : 0), 1);
    clip_wire_msg_t hb = { .kind = CLIP_WIRE_HEARTBEAT, .worker = "w" };
    cr_assert_eq (clip_wire_send (dealer, NULL, 0, &hb, 0), 0);
    zmq_msg_t *frames;
    errno = 0;
    cr_assert_eq (clip_wire_recv_frames (router, &frames, 0), -1);
    cr_assert_eq (errno, EMSGSIZE);
    int n = clip_wire_recv_frames (router, &frames, 0);
    cr_assert_eq (n, 3, "the next message starts where it should");
    cr_assert_eq (zmq_msg_size (&frames [1]), 9);
    clip_wire_frames_free (frames, n);
    zmq_close (dealer);
    zmq_close (router);
    zmq_ctx_term (ctx);
}

Test (wire, frame_limits)
{
    /*  The RESULT frame for files of max_bytes: record (4x + headroom +
        320 per entity), sketch (4x + 64), headroom; saturated rather than
        wrapped.  */
    cr_assert_eq (clip_wire_record_max (1000, 0), 4000 + CLIP_WIRE_HEADROOM);
    cr_assert_eq (clip_wire_record_max (1000, 10), 4000 + CLIP_WIRE_HEADROOM + 3200);
    cr_assert_eq (clip_wire_record_max (1000, UINT64_MAX), UINT64_MAX);
    cr_assert_eq (clip_wire_sketch_max (1000), 4064);
    cr_assert_eq (clip_wire_result_frame_max (1000, 10),
                  (int64_t) (4000 + 3200 + 4064 + 2 * CLIP_WIRE_HEADROOM));
    cr_assert_eq (clip_wire_result_frame_max (UINT64_MAX, 10), INT64_MAX);
    cr_assert_eq (clip_wire_result_frame_max ((uint64_t) 1 << 62, 10), INT64_MAX);
    cr_assert_eq (clip_wire_result_frame_max (1000, (uint64_t) 1 << 62), INT64_MAX);
}
