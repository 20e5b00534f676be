/*  The replay protocol's codec (proto/clip_replay_msg.h): every check of a
    request is exercised by a request that only that check refuses, so that
    removing it fails a test here.  */
#include <criterion/criterion.h>
#include <msgpack.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clip_msgpack.h"
#include "clip_replay_msg.h"

typedef struct {
    msgpack_sbuffer sbuf;
    msgpack_packer pk;
} packbuf_t;

static void
pb_init (packbuf_t *pb)
{
    msgpack_sbuffer_init (&pb->sbuf);
    msgpack_packer_init (&pb->pk, &pb->sbuf, msgpack_sbuffer_write);
}

static void
pk_str (packbuf_t *pb, const char *s)
{
    clip_msgpack_pack_str (&pb->pk, s);
}

/*  Decode what pb holds; returns the decoder's result, err filled.  */
static int
decode (packbuf_t *pb, clip_replay_request_t *req, char *err, size_t size)
{
    err [0] = 0;
    int rc = clip_replay_request_decode (pb->sbuf.data, pb->sbuf.size, req, err, size);
    msgpack_sbuffer_destroy (&pb->sbuf);
    return rc;
}

static void
expect_refused (packbuf_t *pb, const char *needle)
{
    clip_replay_request_t req;
    char err [256];
    cr_assert_eq (decode (pb, &req, err, sizeof err), -1, "accepted; expected '%s'", needle);
    cr_assert (strstr (err, needle), "error '%s' does not name '%s'", err, needle);
}

Test (replay_request, round_trip)
{
    clip_replay_request_t in = { .since = 42, .limit = 77 };
    strcpy (in.topic, "article.near");
    char *data;
    size_t len;
    cr_assert_eq (clip_replay_request_encode (&in, &data, &len), 0);
    clip_replay_request_t out;
    char err [256];
    cr_assert_eq (clip_replay_request_decode (data, len, &out, err, sizeof err), 0, "%s", err);
    cr_assert_eq (out.since, 42);
    cr_assert_eq (out.limit, 77);
    cr_assert_str_eq (out.topic, "article.near");
    free (data);
}

Test (replay_request, defaults)
{
    packbuf_t pb;
    pb_init (&pb);
    msgpack_pack_map (&pb.pk, 1);
    pk_str (&pb, "since");
    msgpack_pack_uint64 (&pb.pk, 0);
    clip_replay_request_t req;
    char err [256];
    cr_assert_eq (decode (&pb, &req, err, sizeof err), 0, "%s", err);
    cr_assert_eq (req.limit, CLIP_REPLAY_DEFAULT_LIMIT);
    cr_assert_str_eq (req.topic, "");
}

Test (replay_request, since_is_required)
{
    packbuf_t pb;
    pb_init (&pb);
    msgpack_pack_map (&pb.pk, 2);
    pk_str (&pb, "topic");
    pk_str (&pb, "");
    pk_str (&pb, "limit");
    msgpack_pack_uint64 (&pb.pk, 10);
    expect_refused (&pb, "'since': required");
}

Test (replay_request, limit_zero_refused)
{
    packbuf_t pb;
    pb_init (&pb);
    msgpack_pack_map (&pb.pk, 2);
    pk_str (&pb, "since");
    msgpack_pack_uint64 (&pb.pk, 0);
    pk_str (&pb, "limit");
    msgpack_pack_uint64 (&pb.pk, 0);
    expect_refused (&pb, "'limit': must be at least 1");
}

Test (replay_request, limit_above_max_clamped)
{
    uint64_t limits [] = { CLIP_REPLAY_MAX_LIMIT, CLIP_REPLAY_MAX_LIMIT + 1, UINT64_MAX };
    uint64_t want [] = { CLIP_REPLAY_MAX_LIMIT, CLIP_REPLAY_MAX_LIMIT, CLIP_REPLAY_MAX_LIMIT };
    for (int i = 0; i < 3; i++) {
        clip_replay_request_t in = { .since = 1, .limit = limits [i] }, out;
        char *data;
        size_t len;
        clip_replay_request_encode (&in, &data, &len);
        char err [256];
        cr_assert_eq (clip_replay_request_decode (data, len, &out, err, sizeof err), 0, "%s", err);
        cr_assert_eq (out.limit, want [i], "limit %llu gave %llu", (unsigned long long) limits [i],
                      (unsigned long long) out.limit);
        free (data);
    }
    /*  Below the maximum, a limit is kept as asked.  */
    clip_replay_request_t in = { .since = 1, .limit = 1 }, out;
    char *data;
    size_t len;
    clip_replay_request_encode (&in, &data, &len);
    cr_assert_eq (clip_replay_request_decode (data, len, &out, NULL, 0), 0);
    cr_assert_eq (out.limit, 1);
    free (data);
}

Test (replay_request, topic_length)
{
    char topic [CLIP_REPLAY_TOPIC_MAX + 2];
    memset (topic, 'a', sizeof topic - 1);
    topic [CLIP_REPLAY_TOPIC_MAX] = 0;          /* 255 bytes: accepted */
    packbuf_t pb;
    pb_init (&pb);
    msgpack_pack_map (&pb.pk, 2);
    pk_str (&pb, "since");
    msgpack_pack_uint64 (&pb.pk, 0);
    pk_str (&pb, "topic");
    pk_str (&pb, topic);
    clip_replay_request_t req;
    char err [256];
    cr_assert_eq (decode (&pb, &req, err, sizeof err), 0, "%s", err);
    cr_assert_eq (strlen (req.topic), CLIP_REPLAY_TOPIC_MAX);

    topic [CLIP_REPLAY_TOPIC_MAX] = 'a';        /* 256 bytes: refused */
    topic [CLIP_REPLAY_TOPIC_MAX + 1] = 0;
    pb_init (&pb);
    msgpack_pack_map (&pb.pk, 2);
    pk_str (&pb, "since");
    msgpack_pack_uint64 (&pb.pk, 0);
    pk_str (&pb, "topic");
    pk_str (&pb, topic);
    expect_refused (&pb, "'topic': 256 bytes, more than 255");

    /*  A NUL would cut the prefix short in SQL.  */
    pb_init (&pb);
    msgpack_pack_map (&pb.pk, 2);
    pk_str (&pb, "since");
    msgpack_pack_uint64 (&pb.pk, 0);
    pk_str (&pb, "topic");
    clip_msgpack_pack_strn (&pb.pk, "a\0b", 3);
    expect_refused (&pb, "'topic': contains a NUL byte");
}

/*  One key of the wrong type per request.  */
static void
wrong_type (const char *key, void (*pack_value) (packbuf_t *), const char *needle)
{
    packbuf_t pb;
    pb_init (&pb);
    bool since = strcmp (key, "since") != 0;
    msgpack_pack_map (&pb.pk, since ? 2 : 1);
    if (since) {
        pk_str (&pb, "since");
        msgpack_pack_uint64 (&pb.pk, 0);
    }
    pk_str (&pb, key);
    pack_value (&pb);
    expect_refused (&pb, needle);
}

static void v_str (packbuf_t *pb) { pk_str (pb, "12"); }
static void v_negative (packbuf_t *pb) { msgpack_pack_int64 (&pb->pk, -1); }
static void v_nil (packbuf_t *pb) { msgpack_pack_nil (&pb->pk); }
static void v_float (packbuf_t *pb) { msgpack_pack_double (&pb->pk, 3.0); }
static void v_bool (packbuf_t *pb) { msgpack_pack_true (&pb->pk); }
static void v_int (packbuf_t *pb) { msgpack_pack_uint64 (&pb->pk, 7); }
static void v_bin (packbuf_t *pb) { clip_msgpack_pack_bin (&pb->pk, "a", 1); }

Test (replay_request, wrong_types_refused)
{
    wrong_type ("since", v_str, "'since': expected a non-negative integer, got str");
    wrong_type ("since", v_negative, "'since': expected a non-negative integer, got negative int");
    wrong_type ("since", v_nil, "'since': expected a non-negative integer, got nil");
    wrong_type ("since", v_float, "'since': expected a non-negative integer, got float64");
    wrong_type ("limit", v_negative, "'limit': expected a non-negative integer, got negative int");
    wrong_type ("limit", v_bool, "'limit': expected a non-negative integer, got bool");
    wrong_type ("limit", v_str, "'limit': expected a non-negative integer, got str");
    wrong_type ("topic", v_int, "'topic': expected str, got uint");
    wrong_type ("topic", v_bin, "'topic': expected str, got bin");
    wrong_type ("topic", v_nil, "'topic': expected str, got nil");
}

Test (replay_request, not_a_map_refused)
{
    clip_replay_request_t req;
    char err [256];
    cr_assert_eq (clip_replay_request_decode ("", 0, &req, err, sizeof err), -1);
    cr_assert (strstr (err, "empty input"), "%s", err);
    cr_assert_eq (clip_replay_request_decode ("\x91\x00", 2, &req, err, sizeof err), -1);
    cr_assert (strstr (err, "expected a map, got array"), "%s", err);
    /*  The old hand-written decoder's bug class: a declared count far
        above the bytes there are.  */
    cr_assert_eq (clip_replay_request_decode ("\xdf\x7f\xff\xff\xff", 5, &req, err, sizeof err), -1);
    cr_assert (strstr (err, "declared"), "%s", err);
    /*  Trailing bytes after the map.  */
    cr_assert_eq (clip_replay_request_decode ("\x80\x00", 2, &req, err, sizeof err), -1);
    cr_assert (strstr (err, "trailing"), "%s", err);
}

Test (replay_request, repeated_key_refused)
{
    packbuf_t pb;
    pb_init (&pb);
    msgpack_pack_map (&pb.pk, 2);
    pk_str (&pb, "since");
    msgpack_pack_uint64 (&pb.pk, 0);
    pk_str (&pb, "since");
    msgpack_pack_uint64 (&pb.pk, 5);
    expect_refused (&pb, "'since': repeated");
}

Test (replay_request, unknown_keys_ignored)
{
    packbuf_t pb;
    pb_init (&pb);
    msgpack_pack_map (&pb.pk, 4);
    pk_str (&pb, "since");
    msgpack_pack_uint64 (&pb.pk, 9);
    pk_str (&pb, "format");
    msgpack_pack_array (&pb.pk, 2);
    msgpack_pack_nil (&pb.pk);
    msgpack_pack_true (&pb.pk);
    msgpack_pack_uint64 (&pb.pk, 7);            /* a key that is not a string */
    pk_str (&pb, "x");
    pk_str (&pb, "Since");                      /* keys are case-sensitive */
    pk_str (&pb, "x");
    clip_replay_request_t req;
    char err [256];
    cr_assert_eq (decode (&pb, &req, err, sizeof err), 0, "%s", err);
    cr_assert_eq (req.since, 9);
}

Test (replay_request, too_many_objects_refused)
{
    /*  Honest counts, but more objects than a request may hold.  */
    packbuf_t pb;
    pb_init (&pb);
    msgpack_pack_map (&pb.pk, 2);
    pk_str (&pb, "since");
    msgpack_pack_uint64 (&pb.pk, 0);
    pk_str (&pb, "pad");
    msgpack_pack_array (&pb.pk, 100);
    for (int i = 0; i < 100; i++)
        msgpack_pack_nil (&pb.pk);
    expect_refused (&pb, "too many msgpack objects");
}

Test (replay_request, since_is_unsigned)
{
    uint64_t edges [] = {
        0, 1, (uint64_t) INT64_MAX, (uint64_t) INT64_MAX + 1, UINT64_MAX - 1, UINT64_MAX
    };
    for (size_t i = 0; i < sizeof edges / sizeof edges [0]; i++) {
        clip_replay_request_t in = { .since = edges [i], .limit = 5 }, out;
        char *data;
        size_t len;
        clip_replay_request_encode (&in, &data, &len);
        char err [256];
        cr_assert_eq (clip_replay_request_decode (data, len, &out, err, sizeof err), 0, "%s", err);
        cr_assert_eq (out.since, edges [i], "since %llu read back as %llu",
                      (unsigned long long) edges [i], (unsigned long long) out.since);
        free (data);
    }
    /*  2^63 written as msgpack uint64 (0xcf): bytes a signed reader would
        take for a negative number.  */
    const char body [] = "\x81\xa5since\xcf\x80\x00\x00\x00\x00\x00\x00\x00";
    clip_replay_request_t out;
    cr_assert_eq (clip_replay_request_decode (body, sizeof body - 1, &out, NULL, 0), 0);
    cr_assert_eq (out.since, (uint64_t) 1 << 63);
}

Test (replay_answers, end_and_error_round_trip)
{
    clip_replay_end_t end = { .last = UINT64_MAX, .head = 12, .more = true }, got;
    char *data;
    size_t len;
    char err [256];
    clip_replay_end_encode (&end, &data, &len);
    cr_assert_eq (clip_replay_end_decode (data, len, &got, err, sizeof err), 0, "%s", err);
    cr_assert_eq (got.last, UINT64_MAX);
    cr_assert_eq (got.head, 12);
    cr_assert (got.more);
    free (data);
    /*  last is required.  */
    cr_assert_eq (clip_replay_end_decode ("\x81\xa4head\x01", 7, &got, err, sizeof err), -1);
    cr_assert (strstr (err, "'last': required"), "%s", err);
    /*  more must be a bool.  */
    cr_assert_eq (clip_replay_end_decode ("\x83\xa4last\x01\xa4head\x01\xa4more\x01", 19, &got,
                                          err, sizeof err), -1);
    cr_assert (strstr (err, "'more': expected bool"), "%s", err);

    clip_replay_error_t e;
    clip_replay_error_encode ("bad_request", "no since", &data, &len);
    cr_assert_eq (clip_replay_error_decode (data, len, &e, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq (e.code, "bad_request");
    cr_assert_str_eq (e.message, "no since");
    free (data);
    cr_assert_eq (clip_replay_error_decode ("\x81\xa4" "code\xa1" "x", 8, &e, err, sizeof err), -1);
    cr_assert (strstr (err, "'message': required"), "%s", err);
}
