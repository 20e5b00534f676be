/*  Tests for proto/clip_record: msgpack round trips, the decoder's tolerance
    (key order, unknown keys, int widths) and its refusals, topics, the JSON
    rendering, and a bounded mutation loop that must never crash.  */
#include <criterion/criterion.h>
#include <jansson.h>
#include <msgpack.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clip_msgpack.h"
#include "clip_record.h"

/*  ---------------------------------------------------------------------
    Helpers
    --------------------------------------------------------------------- */

static clip_record_t *
full_record (void)
{
    clip_record_t *rec = clip_record_new ();
    rec->has_seq = true;
    rec->seq = 42;
    clip_record_set (rec, &rec->id, "9f86d081884c7d65");
    clip_record_set (rec, &rec->file, "huawei 5g.txt");
    rec->bytes = 12345;
    clip_record_set (rec, &rec->encoding, "utf-8");
    clip_record_set (rec, &rec->title, "Huawei unveils “new” chip — in Zürich");
    rec->has_times = true;
    rec->received = 1700000000123ULL;
    rec->done = 1700000000456ULL;
    clip_record_set (rec, &rec->worker, "host-a:4242");
    clip_record_add_entity (rec, "ORG", "Huawei Technologies Ltd.", "Huawei", 0, 24);
    clip_record_add_entity (rec, "LOC", "Britain", "United Kingdom", 30, 37);
    clip_record_add_entity (rec, "MONEY", "$100bn", "USD 100000000000", 40, 46);
    rec->has_dedupe = true;
    clip_record_set (rec, &rec->verdict, "near_duplicate");
    clip_record_add_match (rec, "aaaa", "000.txt", 0, 0.8125, 0.95);
    clip_record_add_match (rec, "bbbb", "002.txt", 7, 0.25, 1.0);
    clip_record_set (rec, &rec->cluster, "aaaa");
    return rec;
}

static void
assert_str_eq (const char *a, const char *b, const char *what)
{
    if (a == NULL || b == NULL)
        cr_assert (a == b, "%s: %s vs %s", what, a ? a : "(null)", b ? b : "(null)");
    else
        cr_assert_str_eq (a, b, "%s", what);
}

static void
assert_records_equal (const clip_record_t *a, const clip_record_t *b)
{
    cr_assert_eq (a->v, b->v);
    cr_assert_eq (a->has_seq, b->has_seq);
    if (a->has_seq)
        cr_assert_eq (a->seq, b->seq);
    assert_str_eq (a->id, b->id, "id");
    assert_str_eq (a->stored_as, b->stored_as, "stored_as");
    assert_str_eq (a->file, b->file, "file");
    cr_assert_eq (a->bytes, b->bytes);
    assert_str_eq (a->encoding, b->encoding, "encoding");
    assert_str_eq (a->title, b->title, "title");
    cr_assert_eq (a->has_times, b->has_times);
    if (a->has_times) {
        cr_assert_eq (a->received, b->received);
        cr_assert_eq (a->done, b->done);
    }
    assert_str_eq (a->worker, b->worker, "worker");
    assert_str_eq (a->status, b->status, "status");
    assert_str_eq (a->error_code, b->error_code, "error_code");
    assert_str_eq (a->error_message, b->error_message, "error_message");
    cr_assert_eq (a->n_entities, b->n_entities);
    for (size_t i = 0; i < a->n_entities; i++) {
        assert_str_eq (a->entities [i].type, b->entities [i].type, "entity type");
        assert_str_eq (a->entities [i].text, b->entities [i].text, "entity text");
        assert_str_eq (a->entities [i].canonical, b->entities [i].canonical, "canonical");
        cr_assert_eq (a->entities [i].start, b->entities [i].start);
        cr_assert_eq (a->entities [i].end, b->entities [i].end);
    }
    cr_assert_eq (a->has_dedupe, b->has_dedupe);
    if (a->has_dedupe) {
        assert_str_eq (a->verdict, b->verdict, "verdict");
        assert_str_eq (a->cluster, b->cluster, "cluster");
        cr_assert_eq (a->n_matches, b->n_matches);
        for (size_t i = 0; i < a->n_matches; i++) {
            assert_str_eq (a->matches [i].id, b->matches [i].id, "match id");
            assert_str_eq (a->matches [i].file, b->matches [i].file, "match file");
            cr_assert_eq (a->matches [i].seq, b->matches [i].seq);
            cr_assert_eq (a->matches [i].jaccard, b->matches [i].jaccard);
            cr_assert_eq (a->matches [i].containment, b->matches [i].containment);
        }
    }
}

static clip_record_t *
round_trip (const clip_record_t *rec)
{
    char *data;
    size_t len;
    cr_assert_eq (clip_record_encode (rec, &data, &len), 0);
    char err [256] = "";
    clip_record_t *back = clip_record_decode (data, len, err, sizeof err);
    cr_assert_not_null (back, "decode failed: %s", err);
    free (data);
    return back;
}

/*  The top-level keys of an encoded record, in order, joined by commas.  */
static char *
top_keys (const clip_record_t *rec)
{
    char *data;
    size_t len;
    clip_record_encode (rec, &data, &len);
    msgpack_unpacked up;
    char err [256];
    cr_assert_eq (clip_msgpack_unpack (&up, data, len, 0, err, sizeof err), 0, "%s", err);
    cr_assert_eq (up.data.type, MSGPACK_OBJECT_MAP);
    char *keys = calloc (1, 512);
    for (uint32_t i = 0; i < up.data.via.map.size; i++) {
        msgpack_object *k = &up.data.via.map.ptr [i].key;
        cr_assert_eq (k->type, MSGPACK_OBJECT_STR);
        if (i)
            strcat (keys, ",");
        strncat (keys, k->via.str.ptr, k->via.str.size);
    }
    msgpack_unpacked_destroy (&up);
    free (data);
    return keys;
}

/*  A growable buffer for packing hand-made inputs.  */
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
pb_str (packbuf_t *pb, const char *s)
{
    clip_msgpack_pack_str (&pb->pk, s);
}

/*  The type, text and canonical name of an entity, "Ren" a PER.  */
static void
pb_person (packbuf_t *pb)
{
    pb_str (pb, "type"); pb_str (pb, "PER");
    pb_str (pb, "text"); pb_str (pb, "Ren");
    pb_str (pb, "canonical"); pb_str (pb, "Ren Zhengfei");
}

static void
pb_raw (packbuf_t *pb, const void *bytes, size_t len)
{
    msgpack_sbuffer_write (&pb->sbuf, bytes, len);
}

/*  Decode pb's content expecting failure, and check the reason mentions
    `needle`.  */
static void
expect_reject (packbuf_t *pb, const char *needle)
{
    char err [256] = "";
    clip_record_t *rec = clip_record_decode (pb->sbuf.data, pb->sbuf.size, err, sizeof err);
    cr_assert_null (rec, "accepted input that should mention '%s'", needle);
    cr_assert (strstr (err, needle), "error '%s' does not mention '%s'", err, needle);
    msgpack_sbuffer_destroy (&pb->sbuf);
}

/*  The minimal valid record's keys, so that rejection tests change one
    thing at a time.  `skip` names a key to leave out.  */
static void
pb_minimal_fields (packbuf_t *pb, const char *skip, int extra)
{
    int n = 3 + extra - (skip ? 1 : 0);
    msgpack_pack_map (&pb->pk, (size_t) n);
    if (!skip || strcmp (skip, "v")) {
        pb_str (pb, "v");
        msgpack_pack_uint64 (&pb->pk, 1);
    }
    if (!skip || strcmp (skip, "file")) {
        pb_str (pb, "file");
        pb_str (pb, "a.txt");
    }
    if (!skip || strcmp (skip, "status")) {
        pb_str (pb, "status");
        pb_str (pb, "ok");
    }
}

/*  ---------------------------------------------------------------------
    Round trips
    --------------------------------------------------------------------- */

Test (record, new_has_defaults)
{
    clip_record_t *rec = clip_record_new ();
    cr_assert_eq (rec->v, CLIP_RECORD_VERSION);
    cr_assert_str_eq (rec->status, "ok");
    cr_assert_not (rec->has_seq);
    cr_assert_not (rec->has_times);
    cr_assert_not (rec->has_dedupe);
    cr_assert_eq (rec->n_entities, 0);
    clip_record_destroy (&rec);
    cr_assert_null (rec);
    clip_record_destroy (&rec);     /* destroying NULL is harmless */
}

Test (record, full_round_trip)
{
    clip_record_t *rec = full_record ();
    clip_record_t *back = round_trip (rec);
    assert_records_equal (rec, back);
    cr_assert_str_eq (back->entities [2].canonical, "USD 100000000000");
    cr_assert_eq (back->matches [0].jaccard, 0.8125);
    cr_assert_eq (back->matches [1].seq, 7);
    char *keys = top_keys (rec);
    cr_assert_str_eq (keys, "v,seq,id,file,bytes,encoding,title,received,done,worker,"
                            "status,entities,dedupe");
    free (keys);
    clip_record_destroy (&back);
    clip_record_destroy (&rec);
}

Test (record, failed_round_trip)
{
    clip_record_t *rec = clip_record_new ();
    rec->has_seq = true;
    rec->seq = 3;
    clip_record_set (rec, &rec->file, "huge.bin");
    rec->bytes = 20000000;
    rec->has_times = true;
    rec->received = 10;
    rec->done = 11;
    clip_record_set_error (rec, "too_large", "file is 20000000 bytes, limit 10485760");
    cr_assert_str_eq (rec->status, "failed");
    clip_record_t *back = round_trip (rec);
    assert_records_equal (rec, back);
    cr_assert_null (back->id);
    cr_assert_null (back->title);
    cr_assert_null (back->worker);
    cr_assert_str_eq (back->error_code, "too_large");
    char *keys = top_keys (rec);
    cr_assert_str_eq (keys, "v,seq,file,bytes,received,done,status,error,entities");
    free (keys);
    cr_assert_str_eq (clip_record_topic (back), "error");
    clip_record_destroy (&back);
    clip_record_destroy (&rec);
}

Test (record, analyze_style_round_trip)
{
    clip_record_t *rec = full_record ();
    rec->has_seq = false;
    rec->has_times = false;
    clip_record_t *back = round_trip (rec);
    assert_records_equal (rec, back);
    cr_assert_not (back->has_seq);
    cr_assert_not (back->has_times);
    char *keys = top_keys (rec);
    cr_assert_str_eq (keys, "v,id,file,bytes,encoding,title,worker,status,entities,dedupe");
    free (keys);
    clip_record_destroy (&back);
    clip_record_destroy (&rec);
}

Test (record, empty_entities_and_matches)
{
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->file, "empty.txt");
    clip_record_set (rec, &rec->id, "00");
    rec->has_dedupe = true;
    clip_record_set (rec, &rec->verdict, "unique");
    clip_record_set (rec, &rec->cluster, "00");
    clip_record_t *back = round_trip (rec);
    assert_records_equal (rec, back);
    cr_assert_eq (back->n_entities, 0);
    cr_assert_null (back->entities);
    cr_assert_eq (back->n_matches, 0);
    cr_assert (back->has_dedupe);
    char *keys = top_keys (rec);
    cr_assert_str_eq (keys, "v,id,file,bytes,status,entities,dedupe");
    free (keys);
    clip_record_destroy (&back);
    clip_record_destroy (&rec);
}

Test (record, dup_is_deep)
{
    clip_record_t *rec = full_record ();
    clip_record_t *copy = clip_record_dup (rec);
    assert_records_equal (rec, copy);
    cr_assert_neq (copy->title, rec->title);
    cr_assert_neq (copy->entities, rec->entities);
    cr_assert_neq (copy->matches [0].id, rec->matches [0].id);
    clip_record_destroy (&rec);
    cr_assert_str_eq (copy->entities [1].canonical, "United Kingdom");
    clip_record_destroy (&copy);
}

Test (record, set_copies_and_clears)
{
    clip_record_t *rec = clip_record_new ();
    char title [] = "first";
    clip_record_set (rec, &rec->title, title);
    title [0] = 'X';
    cr_assert_str_eq (rec->title, "first");
    clip_record_set (rec, &rec->title, rec->title);    /* self-assignment */
    cr_assert_str_eq (rec->title, "first");
    clip_record_set (rec, &rec->title, NULL);
    cr_assert_null (rec->title);
    clip_record_destroy (&rec);
}

/*  ---------------------------------------------------------------------
    Decoder tolerance
    --------------------------------------------------------------------- */

Test (record, decode_any_order_and_unknown_keys)
{
    packbuf_t pb;
    pb_init (&pb);
    msgpack_pack_map (&pb.pk, 8);
    pb_str (&pb, "future_field");
    msgpack_pack_array (&pb.pk, 2);
    msgpack_pack_nil (&pb.pk);
    msgpack_pack_true (&pb.pk);
    pb_str (&pb, "status");
    pb_str (&pb, "ok");
    msgpack_pack_uint64 (&pb.pk, 17);           /* a non-string key: unknown */
    pb_str (&pb, "ignored");
    pb_str (&pb, "dedupe");
    msgpack_pack_map (&pb.pk, 4);
    pb_str (&pb, "cluster");
    pb_str (&pb, "c1");
    pb_str (&pb, "score");                      /* unknown, nested */
    msgpack_pack_double (&pb.pk, 3.5);
    pb_str (&pb, "matches");
    msgpack_pack_array (&pb.pk, 1);
    msgpack_pack_map (&pb.pk, 6);
    pb_str (&pb, "containment");
    msgpack_pack_float (&pb.pk, 0.5f);          /* float32 is accepted */
    pb_str (&pb, "jaccard");
    msgpack_pack_uint64 (&pb.pk, 1);            /* so is an integer */
    pb_str (&pb, "seq");
    pb_raw (&pb, "\xd1\x00\x05", 3);            /* int16 holding 5 */
    pb_str (&pb, "file");
    pb_str (&pb, "m.txt");
    pb_str (&pb, "id");
    pb_str (&pb, "m1");
    pb_str (&pb, "extra");
    msgpack_pack_map (&pb.pk, 0);
    pb_str (&pb, "verdict");
    pb_str (&pb, "related");
    pb_str (&pb, "entities");
    msgpack_pack_array (&pb.pk, 1);
    msgpack_pack_map (&pb.pk, 6);
    pb_str (&pb, "end");
    pb_raw (&pb, "\xd3\x00\x00\x00\x00\x00\x00\x00\x09", 9);   /* int64 holding 9 */
    pb_str (&pb, "start");
    pb_raw (&pb, "\xcd\x00\x02", 3);            /* uint16 holding 2 */
    pb_str (&pb, "note");
    pb_str (&pb, "unknown");
    pb_str (&pb, "canonical");
    pb_str (&pb, "Huawei");
    pb_str (&pb, "text");
    pb_str (&pb, "Huawei's");
    pb_str (&pb, "type");
    pb_str (&pb, "ORG");
    pb_str (&pb, "file");
    pb_str (&pb, "x.txt");
    pb_str (&pb, "title");
    msgpack_pack_nil (&pb.pk);                  /* nil optional string = absent */
    pb_str (&pb, "v");
    pb_raw (&pb, "\xd0\x01", 2);                /* int8 holding 1 */

    char err [256] = "";
    clip_record_t *rec = clip_record_decode (pb.sbuf.data, pb.sbuf.size, err, sizeof err);
    cr_assert_not_null (rec, "decode failed: %s", err);
    cr_assert_eq (rec->v, 1);
    cr_assert_str_eq (rec->file, "x.txt");
    cr_assert_str_eq (rec->status, "ok");
    cr_assert_null (rec->title);
    cr_assert_not (rec->has_seq);
    cr_assert_eq (rec->n_entities, 1);
    cr_assert_str_eq (rec->entities [0].text, "Huawei's");
    cr_assert_eq (rec->entities [0].start, 2);
    cr_assert_eq (rec->entities [0].end, 9);
    cr_assert (rec->has_dedupe);
    cr_assert_str_eq (rec->verdict, "related");
    cr_assert_str_eq (rec->cluster, "c1");
    cr_assert_eq (rec->n_matches, 1);
    cr_assert_eq (rec->matches [0].seq, 5);
    cr_assert_eq (rec->matches [0].jaccard, 1.0);
    cr_assert_eq (rec->matches [0].containment, 0.5);
    cr_assert_str_eq (clip_record_topic (rec), "article.related");
    clip_record_destroy (&rec);
    msgpack_sbuffer_destroy (&pb.sbuf);
}

Test (record, decode_minimal)
{
    packbuf_t pb;
    pb_init (&pb);
    pb_minimal_fields (&pb, NULL, 0);
    char err [256] = "";
    clip_record_t *rec = clip_record_decode (pb.sbuf.data, pb.sbuf.size, err, sizeof err);
    cr_assert_not_null (rec, "decode failed: %s", err);
    cr_assert_eq (rec->bytes, 0);
    cr_assert_eq (rec->n_entities, 0);
    cr_assert_not (rec->has_dedupe);
    cr_assert_str_eq (clip_record_topic (rec), "article");
    clip_record_destroy (&rec);
    msgpack_sbuffer_destroy (&pb.sbuf);
}

/*  ---------------------------------------------------------------------
    Rejections
    --------------------------------------------------------------------- */

Test (record, reject_wrong_top_level_types)
{
    packbuf_t pb;

    pb_init (&pb);
    pb_minimal_fields (&pb, NULL, 1);
    pb_str (&pb, "seq");
    pb_str (&pb, "12");
    expect_reject (&pb, "field 'seq': expected uint, got str");

    pb_init (&pb);
    pb_minimal_fields (&pb, NULL, 1);
    pb_str (&pb, "bytes");
    msgpack_pack_int64 (&pb.pk, -5);
    expect_reject (&pb, "field 'bytes': expected uint, got negative int");

    pb_init (&pb);
    pb_minimal_fields (&pb, NULL, 1);
    pb_str (&pb, "title");
    clip_msgpack_pack_bin (&pb.pk, "abc", 3);
    expect_reject (&pb, "field 'title': expected str, got bin");

    pb_init (&pb);
    pb_minimal_fields (&pb, NULL, 1);
    pb_str (&pb, "entities");
    msgpack_pack_map (&pb.pk, 0);
    expect_reject (&pb, "field 'entities': expected array, got map");

    pb_init (&pb);
    pb_minimal_fields (&pb, NULL, 1);
    pb_str (&pb, "dedupe");
    msgpack_pack_array (&pb.pk, 0);
    expect_reject (&pb, "field 'dedupe': expected map, got array");

    pb_init (&pb);
    pb_minimal_fields (&pb, NULL, 1);
    pb_str (&pb, "received");
    msgpack_pack_uint64 (&pb.pk, 5);
    expect_reject (&pb, "field 'done': missing");

    pb_init (&pb);
    pb_minimal_fields (&pb, NULL, 1);
    pb_str (&pb, "worker");
    pb_raw (&pb, "\xa3" "a\0b", 4);
    expect_reject (&pb, "field 'worker': string contains a NUL byte");

    pb_init (&pb);
    pb_minimal_fields (&pb, NULL, 1);
    pb_str (&pb, "file");
    pb_str (&pb, "again.txt");
    expect_reject (&pb, "field 'file': duplicate key");
}

Test (record, reject_missing_required)
{
    packbuf_t pb;
    pb_init (&pb);
    pb_minimal_fields (&pb, "v", 0);
    expect_reject (&pb, "field 'v': missing");
    pb_init (&pb);
    pb_minimal_fields (&pb, "file", 0);
    expect_reject (&pb, "field 'file': missing");
    pb_init (&pb);
    pb_minimal_fields (&pb, "status", 0);
    expect_reject (&pb, "field 'status': missing");
}

Test (record, reject_version_and_error_consistency)
{
    packbuf_t pb;
    pb_init (&pb);
    msgpack_pack_map (&pb.pk, 3);
    pb_str (&pb, "v");
    msgpack_pack_uint64 (&pb.pk, 2);
    pb_str (&pb, "file");
    pb_str (&pb, "a");
    pb_str (&pb, "status");
    pb_str (&pb, "ok");
    expect_reject (&pb, "field 'v': unsupported record version 2");

    pb_init (&pb);
    msgpack_pack_map (&pb.pk, 3);
    pb_str (&pb, "v");
    msgpack_pack_uint64 (&pb.pk, 1);
    pb_str (&pb, "file");
    pb_str (&pb, "a");
    pb_str (&pb, "status");
    pb_str (&pb, "failed");
    expect_reject (&pb, "field 'error': missing while status is 'failed'");

    pb_init (&pb);
    pb_minimal_fields (&pb, NULL, 1);
    pb_str (&pb, "error");
    msgpack_pack_map (&pb.pk, 2);
    pb_str (&pb, "code");
    pb_str (&pb, "x");
    pb_str (&pb, "message");
    pb_str (&pb, "y");
    expect_reject (&pb, "field 'error': present but status is 'ok'");

    pb_init (&pb);
    msgpack_pack_map (&pb.pk, 4);
    pb_str (&pb, "v");
    msgpack_pack_uint64 (&pb.pk, 1);
    pb_str (&pb, "file");
    pb_str (&pb, "a");
    pb_str (&pb, "status");
    pb_str (&pb, "failed");
    pb_str (&pb, "error");
    msgpack_pack_map (&pb.pk, 1);
    pb_str (&pb, "code");
    pb_str (&pb, "x");
    expect_reject (&pb, "field 'error.message': missing");
}

Test (record, reject_nested_fields_by_path)
{
    packbuf_t pb;
    pb_init (&pb);
    pb_minimal_fields (&pb, NULL, 1);
    pb_str (&pb, "entities");
    msgpack_pack_array (&pb.pk, 2);
    msgpack_pack_map (&pb.pk, 5);
    pb_person (&pb);
    pb_str (&pb, "start"); msgpack_pack_uint64 (&pb.pk, 0);
    pb_str (&pb, "end"); msgpack_pack_uint64 (&pb.pk, 3);
    msgpack_pack_map (&pb.pk, 5);
    pb_person (&pb);
    pb_str (&pb, "start"); msgpack_pack_int64 (&pb.pk, -1);
    pb_str (&pb, "end"); msgpack_pack_uint64 (&pb.pk, 3);
    expect_reject (&pb, "field 'entities[1].start': expected uint, got negative int");

    pb_init (&pb);
    pb_minimal_fields (&pb, NULL, 1);
    pb_str (&pb, "entities");
    msgpack_pack_array (&pb.pk, 1);
    msgpack_pack_map (&pb.pk, 4);
    pb_str (&pb, "type"); pb_str (&pb, "PER");
    pb_str (&pb, "text"); pb_str (&pb, "Ren");
    pb_str (&pb, "start"); msgpack_pack_uint64 (&pb.pk, 0);
    pb_str (&pb, "end"); msgpack_pack_uint64 (&pb.pk, 3);
    expect_reject (&pb, "field 'entities[0].canonical': missing");

    /*  The names of list elements are made only for the message, the
        element alone or with its key.  */
    pb_init (&pb);
    pb_minimal_fields (&pb, NULL, 1);
    pb_str (&pb, "entities");
    msgpack_pack_array (&pb.pk, 3);
    for (int i = 0; i < 2; i++) {
        msgpack_pack_map (&pb.pk, 5);
        pb_person (&pb);
        pb_str (&pb, "start"); msgpack_pack_uint64 (&pb.pk, 0);
        pb_str (&pb, "end"); msgpack_pack_uint64 (&pb.pk, 3);
    }
    pb_str (&pb, "Ren");
    expect_reject (&pb, "field 'entities[2]': expected map, got str");

    pb_init (&pb);
    pb_minimal_fields (&pb, NULL, 1);
    pb_str (&pb, "entities");
    msgpack_pack_array (&pb.pk, 1);
    msgpack_pack_map (&pb.pk, 6);
    pb_person (&pb);
    pb_str (&pb, "start"); msgpack_pack_uint64 (&pb.pk, 0);
    pb_str (&pb, "end"); msgpack_pack_uint64 (&pb.pk, 3);
    pb_str (&pb, "text"); pb_str (&pb, "Ren");
    expect_reject (&pb, "field 'entities[0].text': duplicate key");

    pb_init (&pb);
    pb_minimal_fields (&pb, NULL, 1);
    pb_str (&pb, "dedupe");
    msgpack_pack_map (&pb.pk, 3);
    pb_str (&pb, "verdict"); pb_str (&pb, "unique");
    pb_str (&pb, "cluster"); pb_str (&pb, "c");
    pb_str (&pb, "matches");
    msgpack_pack_array (&pb.pk, 1);
    msgpack_pack_map (&pb.pk, 5);
    pb_str (&pb, "id"); pb_str (&pb, "m");
    pb_str (&pb, "file"); pb_str (&pb, "m.txt");
    pb_str (&pb, "seq"); msgpack_pack_uint64 (&pb.pk, 0);
    pb_str (&pb, "jaccard"); pb_str (&pb, "0.5");
    pb_str (&pb, "containment"); msgpack_pack_double (&pb.pk, 0.5);
    expect_reject (&pb, "field 'dedupe.matches[0].jaccard': expected float, got str");

    pb_init (&pb);
    pb_minimal_fields (&pb, NULL, 1);
    pb_str (&pb, "dedupe");
    msgpack_pack_map (&pb.pk, 3);
    pb_str (&pb, "verdict"); pb_str (&pb, "unique");
    pb_str (&pb, "cluster"); pb_str (&pb, "c");
    pb_str (&pb, "matches");
    msgpack_pack_array (&pb.pk, 1);
    msgpack_pack_map (&pb.pk, 5);
    pb_str (&pb, "id"); pb_str (&pb, "m");
    pb_str (&pb, "file"); pb_str (&pb, "m.txt");
    pb_str (&pb, "seq"); msgpack_pack_uint64 (&pb.pk, 0);
    pb_str (&pb, "jaccard"); msgpack_pack_double (&pb.pk, 0.5);
    pb_str (&pb, "containment"); pb_raw (&pb, "\xcb\x7f\xf8\0\0\0\0\0\0", 9);    /* NaN */
    expect_reject (&pb, "field 'dedupe.matches[0].containment': not a finite number");

    pb_init (&pb);
    pb_minimal_fields (&pb, NULL, 1);
    pb_str (&pb, "dedupe");
    msgpack_pack_map (&pb.pk, 2);
    pb_str (&pb, "verdict"); pb_str (&pb, "unique");
    pb_str (&pb, "matches"); msgpack_pack_array (&pb.pk, 0);
    expect_reject (&pb, "field 'dedupe.cluster': missing");
}

Test (record, reject_malformed_framing)
{
    char err [256];
    packbuf_t pb;

    /*  Not a map.  */
    pb_init (&pb);
    msgpack_pack_array (&pb.pk, 1);
    msgpack_pack_uint64 (&pb.pk, 1);
    expect_reject (&pb, "record is not a map (got array)");

    /*  Empty input.  */
    err [0] = 0;
    cr_assert_null (clip_record_decode ("", 0, err, sizeof err));
    cr_assert_str_eq (err, "empty input");

    /*  Truncated: the full record cut short.  */
    clip_record_t *rec = full_record ();
    char *data;
    size_t len;
    clip_record_encode (rec, &data, &len);
    err [0] = 0;
    cr_assert_null (clip_record_decode (data, len - 1, err, sizeof err));
    cr_assert (strstr (err, "truncated"), "got '%s'", err);

    /*  Trailing garbage: one byte too many.  */
    char *longer = malloc (len + 1);
    memcpy (longer, data, len);
    longer [len] = 0x01;
    err [0] = 0;
    cr_assert_null (clip_record_decode (longer, len + 1, err, sizeof err));
    cr_assert_str_eq (err, "trailing garbage: 1 bytes after the msgpack object");
    free (longer);
    free (data);
    clip_record_destroy (&rec);

    /*  A container header claiming 2^32-1 elements in five bytes must be
        refused before anything is allocated for it.  */
    err [0] = 0;
    cr_assert_null (clip_record_decode ("\xdd\xff\xff\xff\xff", 5, err, sizeof err));
    cr_assert (strstr (err, "truncated"), "got '%s'", err);
    err [0] = 0;
    cr_assert_null (clip_record_decode ("\xdf\xff\xff\xff\xff", 5, err, sizeof err));
    cr_assert (strstr (err, "truncated"), "got '%s'", err);

    /*  The byte msgpack never uses.  */
    err [0] = 0;
    cr_assert_null (clip_record_decode ("\xc1", 1, err, sizeof err));
    cr_assert_str_eq (err, "invalid msgpack: byte 0xc1 at offset 0");

    /*  Deep nesting is refused, not recursed into.  */
    char deep [200];
    memset (deep, 0x91, sizeof deep - 1);
    deep [sizeof deep - 1] = 0x00;
    err [0] = 0;
    cr_assert_null (clip_record_decode (deep, sizeof deep, err, sizeof err));
    cr_assert (err [0], "no reason given");

    /*  A NULL err is allowed.  */
    cr_assert_null (clip_record_decode ("\xc1", 1, NULL, 0));
}

/*  ---------------------------------------------------------------------
    Topics
    --------------------------------------------------------------------- */

Test (record, topic)
{
    clip_record_t *rec = clip_record_new ();
    cr_assert_str_eq (clip_record_topic (rec), "article");
    rec->has_dedupe = true;
    const char *verdicts [] = { "unique", "related", "near_duplicate", "duplicate" };
    const char *topics [] = { "article.unique", "article.related",
                              "article.near_duplicate", "article.duplicate" };
    for (int i = 0; i < 4; i++) {
        clip_record_set (rec, &rec->verdict, verdicts [i]);
        cr_assert_str_eq (clip_record_topic (rec), topics [i]);
    }
    clip_record_set (rec, &rec->verdict, "something_new");
    cr_assert_str_eq (clip_record_topic (rec), "article");
    clip_record_set (rec, &rec->verdict, "duplicate");
    clip_record_set_error (rec, "decode", "bad bytes");
    cr_assert_str_eq (clip_record_topic (rec), "error");
    clip_record_destroy (&rec);
}

/*  ---------------------------------------------------------------------
    JSON
    --------------------------------------------------------------------- */

static json_t *
parse_json (const char *text)
{
    cr_assert_not_null (text);
    cr_assert_null (strchr (text, '\n'), "JSON is not one line: %s", text);
    json_error_t jerr;
    json_t *root = json_loads (text, 0, &jerr);
    cr_assert_not_null (root, "invalid JSON (%s): %s", jerr.text, text);
    return root;
}

static const char *
jstr (json_t *obj, const char *key)
{
    json_t *v = json_object_get (obj, key);
    cr_assert (json_is_string (v), "'%s' is not a string", key);
    return json_string_value (v);
}

static json_int_t
jint (json_t *obj, const char *key)
{
    json_t *v = json_object_get (obj, key);
    cr_assert (json_is_integer (v), "'%s' is not an integer", key);
    return json_integer_value (v);
}

static double
jreal (json_t *obj, const char *key)
{
    json_t *v = json_object_get (obj, key);
    cr_assert (json_is_real (v), "'%s' is not a real", key);
    return json_real_value (v);
}

Test (record, json_full)
{
    clip_record_t *rec = full_record ();
    rec->matches [0].jaccard = 0.123456;
    char *text = clip_record_to_json (rec);
    json_t *root = parse_json (text);

    /*  Keys in SPEC order.  */
    const char *order [] = { "v", "seq", "id", "file", "bytes", "encoding", "title",
                             "received", "done", "worker", "status", "entities", "dedupe" };
    size_t k = 0;
    for (void *it = json_object_iter (root); it; it = json_object_iter_next (root, it), k++) {
        cr_assert_lt (k, sizeof order / sizeof order [0]);
        cr_assert_str_eq (json_object_iter_key (it), order [k]);
    }
    cr_assert_eq (k, sizeof order / sizeof order [0]);

    cr_assert_eq (jint (root, "v"), 1);
    cr_assert_eq (jint (root, "seq"), 42);
    cr_assert_str_eq (jstr (root, "id"), rec->id);
    cr_assert_str_eq (jstr (root, "file"), "huawei 5g.txt");
    cr_assert_eq (jint (root, "bytes"), 12345);
    cr_assert_str_eq (jstr (root, "encoding"), "utf-8");
    cr_assert_str_eq (jstr (root, "title"), rec->title);
    cr_assert_eq (jint (root, "received"), 1700000000123LL);
    cr_assert_eq (jint (root, "done"), 1700000000456LL);
    cr_assert_str_eq (jstr (root, "worker"), "host-a:4242");
    cr_assert_str_eq (jstr (root, "status"), "ok");
    cr_assert_null (json_object_get (root, "error"));

    json_t *entities = json_object_get (root, "entities");
    cr_assert (json_is_array (entities));
    cr_assert_eq (json_array_size (entities), 3);
    json_t *e1 = json_array_get (entities, 1);
    cr_assert_str_eq (jstr (e1, "type"), "LOC");
    cr_assert_str_eq (jstr (e1, "text"), "Britain");
    cr_assert_str_eq (jstr (e1, "canonical"), "United Kingdom");
    cr_assert_eq (jint (e1, "start"), 30);
    cr_assert_eq (jint (e1, "end"), 37);

    json_t *dedupe = json_object_get (root, "dedupe");
    cr_assert_str_eq (jstr (dedupe, "verdict"), "near_duplicate");
    cr_assert_str_eq (jstr (dedupe, "cluster"), "aaaa");
    json_t *matches = json_object_get (dedupe, "matches");
    cr_assert_eq (json_array_size (matches), 2);
    json_t *m0 = json_array_get (matches, 0);
    cr_assert_str_eq (jstr (m0, "id"), "aaaa");
    cr_assert_str_eq (jstr (m0, "file"), "000.txt");
    cr_assert_eq (jint (m0, "seq"), 0);
    cr_assert_float_eq (jreal (m0, "jaccard"), 0.1235, 1e-12);
    cr_assert_float_eq (jreal (m0, "containment"), 0.95, 1e-12);
    json_t *m1 = json_array_get (matches, 1);
    cr_assert_float_eq (jreal (m1, "containment"), 1.0, 1e-12);
    /*  Scores are printed short, not with binary noise.  */
    cr_assert (strstr (text, "\"jaccard\":0.1235,"), "%s", text);
    cr_assert (strstr (text, "\"containment\":0.95}"), "%s", text);

    json_decref (root);
    free (text);
    clip_record_destroy (&rec);
}

Test (record, json_failed_and_analyze_style)
{
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->file, "bad.txt");
    rec->bytes = 9;
    clip_record_set_error (rec, "io", "read failed: \"quoted\"\n");
    char *text = clip_record_to_json (rec);
    json_t *root = parse_json (text);
    cr_assert_null (json_object_get (root, "seq"));
    cr_assert_null (json_object_get (root, "received"));
    cr_assert_null (json_object_get (root, "done"));
    cr_assert_null (json_object_get (root, "id"));
    cr_assert_null (json_object_get (root, "dedupe"));
    cr_assert_str_eq (jstr (root, "status"), "failed");
    json_t *error = json_object_get (root, "error");
    cr_assert_str_eq (jstr (error, "code"), "io");
    cr_assert_str_eq (jstr (error, "message"), "read failed: \"quoted\"\n");
    cr_assert_eq (json_array_size (json_object_get (root, "entities")), 0);
    json_decref (root);
    free (text);
    clip_record_destroy (&rec);
}

Test (record, json_replaces_invalid_utf8)
{
    clip_record_t *rec = clip_record_new ();
    /*  A lone continuation byte, a truncated 3-byte sequence, an overlong
        form and a surrogate, between valid text.  */
    clip_record_set (rec, &rec->file, "a\x80" "b\xe2\x82" "c\xc0\xaf" "d\xed\xa0\x80" "é");
    clip_record_set (rec, &rec->title, "\xff");
    char *text = clip_record_to_json (rec);
    json_t *root = parse_json (text);
    cr_assert_str_eq (jstr (root, "file"),
                      "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd"
                      "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "é");
    cr_assert_str_eq (jstr (root, "title"), "\xef\xbf\xbd");
    json_decref (root);
    free (text);
    clip_record_destroy (&rec);
}

Test (record, encode_writes_valid_utf8)
{
    /*  A file name is bytes; on the wire every str must be UTF-8.  */
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->file, "caf\xe9.txt");     /* Latin-1 e-acute */
    clip_record_add_entity (rec, "PER", "ok \xc3\xa9", "\xf5", 0, 1);
    clip_record_t *back = round_trip (rec);
    cr_assert_str_eq (back->file, "caf\xef\xbf\xbd.txt");
    cr_assert_str_eq (back->entities [0].text, "ok \xc3\xa9");
    cr_assert_str_eq (back->entities [0].canonical, "\xef\xbf\xbd");
    clip_record_destroy (&back);
    clip_record_destroy (&rec);
}

Test (record, json_edge_numbers)
{
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->file, "n");
    rec->bytes = UINT64_MAX;                    /* beyond JSON's signed range */
    clip_record_add_match (rec, "i", "f", 1, 0.0 / 0.0, 1.0 / 0.0);
    char *text = clip_record_to_json (rec);
    json_t *root = parse_json (text);
    cr_assert (json_is_real (json_object_get (root, "bytes")), "%s", text);
    cr_assert_float_eq (json_real_value (json_object_get (root, "bytes")),
                        18446744073709551615.0, 1e6);   /* 15 digits */
    json_t *m = json_array_get (json_object_get (json_object_get (root, "dedupe"), "matches"), 0);
    cr_assert (json_is_null (json_object_get (m, "jaccard")));
    cr_assert (json_is_null (json_object_get (m, "containment")));
    json_decref (root);
    free (text);
    clip_record_destroy (&rec);
}

Test (record, msgpack_to_json)
{
    clip_record_t *rec = full_record ();
    char *data;
    size_t len;
    clip_record_encode (rec, &data, &len);
    char err [256] = "";
    char *text = clip_record_msgpack_to_json (data, len, err, sizeof err);
    char *direct = clip_record_to_json (rec);
    cr_assert_not_null (text, "%s", err);
    cr_assert_str_eq (text, direct);
    free (text);
    free (direct);
    cr_assert_null (clip_record_msgpack_to_json (data, 3, err, sizeof err));
    cr_assert (strstr (err, "truncated"), "got '%s'", err);
    free (data);
    clip_record_destroy (&rec);
}

/*  ---------------------------------------------------------------------
    Mutations: every outcome is a record or a reason, never a crash
    --------------------------------------------------------------------- */

/*  Decode one input; on success the record must encode and render.  */
static int
try_decode (const void *data, size_t len)
{
    char err [256];
    err [0] = 0;
    clip_record_t *rec = clip_record_decode (data, len, err, sizeof err);
    if (!rec) {
        cr_assert (err [0], "rejected without a reason (len %zu)", len);
        return 0;
    }
    char *out;
    size_t out_len;
    clip_record_encode (rec, &out, &out_len);
    char *json = clip_record_to_json (rec);
    cr_assert_not_null (json);
    free (json);
    free (out);
    clip_record_destroy (&rec);
    return 1;
}

Test (record, mutations_never_crash)
{
    clip_record_t *rec = full_record ();
    clip_record_set_error (rec, "x", "y");      /* covers the error map too */
    char *data;
    size_t len;
    clip_record_encode (rec, &data, &len);
    clip_record_destroy (&rec);

    /*  Every truncation is refused: the map would be incomplete.  */
    for (size_t n = 0; n < len; n++)
        cr_assert_eq (try_decode (data, n), 0, "truncation to %zu accepted", n);

    /*  Every byte, flipped in a few ways.  */
    char *copy = malloc (len);
    const uint8_t flips [] = { 0x01, 0x80, 0xff, 0x10, 0x7f };
    int accepted = 0, tried = 0;
    for (size_t i = 0; i < len; i++) {
        for (size_t f = 0; f < sizeof flips; f++) {
            memcpy (copy, data, len);
            copy [i] = (char) (copy [i] ^ flips [f]);
            accepted += try_decode (copy, len);
            tried++;
        }
    }
    /*  Flips inside string bodies keep the record valid, so some pass.  */
    cr_assert_gt (accepted, 0);
    cr_assert_lt (accepted, tried);

    /*  Random multi-byte damage from a fixed-seed generator (xorshift), so
        that a failure reproduces.  */
    uint64_t state = 0x9e3779b97f4a7c15ULL;
    for (int round = 0; round < 3000; round++) {
        memcpy (copy, data, len);
        for (int k = 0; k < 4; k++) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            copy [state % len] = (char) (state >> 32);
        }
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        try_decode (copy, (size_t) (state % (len + 1)));
    }
    free (copy);
    free (data);
}

/*  ---------------------------------------------------------------------
    Validation of a worker's record against the SPEC: each case breaks one
    rule, so that removing that rule's check fails here
    --------------------------------------------------------------------- */

static void
expect_invalid (clip_record_t *rec, uint64_t bytes, const char *needle)
{
    char err [256] = "";
    cr_assert_eq (clip_record_validate (rec, bytes, err, sizeof err), -1,
                  "accepted; expected '%s'", needle);
    cr_assert (strstr (err, needle), "error '%s' does not name '%s'", err, needle);
    clip_record_destroy (&rec);
}

Test (record, validate_accepts_spec_records)
{
    char err [256] = "";
    clip_record_t *rec = full_record ();
    cr_assert_eq (clip_record_validate (rec, 12345, err, sizeof err), 0, "%s", err);
    /*  An entity may end exactly at the end of the file.  */
    cr_assert_eq (clip_record_validate (rec, 46, err, sizeof err), 0, "%s", err);
    clip_record_destroy (&rec);
    rec = clip_record_new ();
    clip_record_set (rec, &rec->file, "a.txt");
    clip_record_set_error (rec, "empty", "no text");
    cr_assert_eq (clip_record_validate (rec, 0, err, sizeof err), 0, "%s", err);
    clip_record_destroy (&rec);
}

Test (record, validate_refuses_each_broken_rule)
{
    clip_record_t *rec = full_record ();
    clip_record_set (rec, &rec->id, NULL);
    expect_invalid (rec, 12345, "field 'id': a record with status 'ok' needs an id");

    rec = full_record ();
    clip_record_set (rec, &rec->id, "");
    expect_invalid (rec, 12345, "field 'id'");

    rec = full_record ();
    clip_record_set (rec, &rec->id, "xyz/..");
    expect_invalid (rec, 12345, "field 'id'");

    rec = full_record ();
    char long_id [CLIP_RECORD_ID_MAX + 2];
    memset (long_id, 'a', sizeof long_id - 1);
    long_id [sizeof long_id - 1] = 0;
    clip_record_set (rec, &rec->id, long_id);
    expect_invalid (rec, 12345, "field 'id'");

    rec = full_record ();
    clip_record_set (rec, &rec->status, "maybe");
    expect_invalid (rec, 12345, "field 'status'");

    rec = full_record ();
    clip_record_set (rec, &rec->status, NULL);
    expect_invalid (rec, 12345, "field 'status'");

    rec = full_record ();
    clip_record_set (rec, &rec->error_code, "oops");
    expect_invalid (rec, 12345, "field 'error': present but status is 'ok'");

    rec = clip_record_new ();
    clip_record_set (rec, &rec->file, "a.txt");
    clip_record_set_error (rec, "", "no code");
    expect_invalid (rec, 12345, "field 'error'");

    rec = full_record ();
    clip_record_set (rec, &rec->encoding, "ebcdic");
    expect_invalid (rec, 12345, "field 'encoding'");

    rec = full_record ();
    clip_record_set (rec, &rec->file, NULL);
    expect_invalid (rec, 12345, "field 'file'");

    rec = full_record ();
    clip_record_add_entity (rec, "WEAPON", "x", "x", 0, 1);
    expect_invalid (rec, 12345, "field 'entities[3].type'");

    rec = full_record ();
    clip_record_add_entity (rec, "per", "x", "x", 0, 1);
    expect_invalid (rec, 12345, "field 'entities[3].type'");

    /*  Offsets on the file's bytes as clipd knows them, whatever the
        record's own `bytes` says.  */
    rec = full_record ();
    rec->bytes = UINT64_MAX;
    expect_invalid (rec, 45, "field 'entities[2]': start 40, end 46 not within the file's 45 bytes");

    rec = full_record ();
    clip_record_add_entity (rec, "PER", "x", "x", 9, 8);
    expect_invalid (rec, 12345, "field 'entities[3]': start 9, end 8");

    rec = full_record ();
    clip_record_add_entity (rec, "PER", NULL, "x", 0, 1);
    expect_invalid (rec, 12345, "field 'entities[3]': text and canonical are required");

    rec = full_record ();
    clip_record_set (rec, &rec->verdict, "probably");
    expect_invalid (rec, 12345, "field 'dedupe.verdict'");

    rec = full_record ();
    clip_record_set (rec, &rec->cluster, NULL);
    expect_invalid (rec, 12345, "field 'dedupe.cluster'");

    rec = full_record ();
    rec->matches [1].jaccard = 1.5;
    expect_invalid (rec, 12345, "field 'dedupe.matches[1]': scores");

    rec = full_record ();
    rec->matches [0].containment = -0.1;
    expect_invalid (rec, 12345, "field 'dedupe.matches[0]': scores");
}

/*  A nil id decodes as absent: for status ok, validation refuses it.  */
Test (record, validate_refuses_a_nil_id_after_decoding)
{
    const char body [] = "\x86\xa1v\x01\xa2id\xc0\xa4" "file\xa1x\xa5" "bytes\x05\xa6status\xa2ok"
                         "\xa8" "entities\x90";
    char err [256] = "";
    clip_record_t *rec = clip_record_decode (body, sizeof body - 1, err, sizeof err);
    cr_assert_not_null (rec, "%s", err);
    cr_assert_null (rec->id);
    expect_invalid (rec, 5, "field 'id'");
}

/*  Honest counts but padding: more objects than a record of that size can
    hold is refused before msgpack-c allocates for them.  */
Test (record, decode_caps_objects_by_size)
{
    clip_record_t *rec = full_record ();
    char *data;
    size_t len;
    clip_record_encode (rec, &data, &len);
    clip_record_destroy (&rec);
    /*  The record plus an unknown key holding 30,000 nils.  */
    size_t n = 30000;
    char *padded = malloc (len + n + 16);
    cr_assert_lt ((unsigned char) data [0], 0x8f);
    padded [0] = (char) (data [0] + 1);         /* one more key in the fixmap */
    memcpy (padded + 1, data + 1, len - 1);
    size_t at = len;
    memcpy (padded + at, "\xa3pad\xdd", 5);
    at += 5;
    padded [at++] = 0;
    padded [at++] = 0;
    padded [at++] = (char) (n >> 8);
    padded [at++] = (char) n;
    memset (padded + at, 0xc0, n);
    at += n;
    char err [256] = "";
    cr_assert_null (clip_record_decode (padded, at, err, sizeof err));
    cr_assert (strstr (err, "too many msgpack objects"), "%s", err);
    /*  The same key with a 300-byte string instead is a record.  */
    at = len;
    memcpy (padded + at, "\xa3pad\xd9", 5);
    at += 5;
    padded [at++] = (char) 200;
    memset (padded + at, 'p', 200);
    at += 200;
    rec = clip_record_decode (padded, at, err, sizeof err);
    cr_assert_not_null (rec, "%s", err);
    clip_record_destroy (&rec);
    free (padded);
    free (data);
}

/*  Issue 11: stored_as, the file's name in done/ or failed/ when it is not
    file's: optional, round-trips through msgpack and JSON, refused when it
    is not one file name, and never taken from a worker.  */
Test (record, stored_as_round_trips_and_is_checked)
{
    clip_record_t *rec = full_record ();
    clip_record_set (rec, &rec->stored_as, "huawei 5g.1.txt");
    char *data = NULL;
    size_t len = 0;
    cr_assert_eq (clip_record_encode (rec, &data, &len), 0);
    char err [256] = "";
    clip_record_t *back = clip_record_decode (data, len, err, sizeof err);
    cr_assert_not_null (back, "%s", err);
    cr_assert_str_eq (back->stored_as, "huawei 5g.1.txt");
    clip_record_t *copy = clip_record_dup (back);
    cr_assert_str_eq (copy->stored_as, "huawei 5g.1.txt");
    clip_record_destroy (&copy);
    char *json = clip_record_to_json (back);
    cr_assert (strstr (json, "\"stored_as\":\"huawei 5g.1.txt\""), "%s", json);
    free (json);
    clip_record_destroy (&back);
    free (data);

    /*  Absent when not set: the key is not written.  */
    clip_record_set (rec, &rec->stored_as, NULL);
    cr_assert_eq (clip_record_encode (rec, &data, &len), 0);
    back = clip_record_decode (data, len, err, sizeof err);
    cr_assert_not_null (back, "%s", err);
    cr_assert_null (back->stored_as);
    json = clip_record_to_json (back);
    cr_assert (!strstr (json, "stored_as"), "%s", json);
    free (json);
    clip_record_destroy (&back);
    free (data);
    clip_record_destroy (&rec);

    /*  Not one name: refused, whoever sent it.  */
    const char *bad [] = { "", "../a.txt", "a/b.txt", ".", ".." };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        packbuf_t pb;
        pb_init (&pb);
        pb_minimal_fields (&pb, NULL, 1);
        pb_str (&pb, "stored_as");
        pb_str (&pb, bad [i]);
        expect_reject (&pb, "field 'stored_as': not a file name");
    }
    packbuf_t pb;
    pb_init (&pb);
    pb_minimal_fields (&pb, NULL, 1);
    pb_str (&pb, "stored_as");
    msgpack_pack_uint64 (&pb.pk, 3);
    expect_reject (&pb, "field 'stored_as': expected str, got");

    /*  A worker's record carrying it is refused (clipd chooses it).  */
    rec = full_record ();
    cr_assert_eq (clip_record_validate (rec, 12345, err, sizeof err), 0, "%s", err);
    clip_record_set (rec, &rec->stored_as, "a.1.txt");
    expect_invalid (rec, 12345, "field 'stored_as': set by clipd");
}

/*  ---------------------------------------------------------------------
    clip_record_decode_relay: a worker's entities kept as their bytes,
    and everything else as clip_record_decode does it
    --------------------------------------------------------------------- */

/*  A worker's record with n entities, offsets growing so that every width
    of msgpack's unsigned integers appears once n passes 16.  */
static clip_record_t *
worker_record (size_t n)
{
    clip_record_t *rec = full_record ();
    rec->has_seq = false;
    rec->has_dedupe = false;
    static const char *const types [] = { "PER", "ORG", "LOC", "MISC", "MONEY", "DATE", "PERCENT" };
    for (size_t i = 3; i < n; i++) {
        uint64_t start = (uint64_t) 1 << (2 * i % 40);
        clip_record_add_entity (rec, types [i % 7], "Zürich “AG”", "Zürich AG", start, start + 12);
    }
    return rec;
}

static void
encode_or_fail (const clip_record_t *rec, char **data, size_t *len)
{
    cr_assert_eq (clip_record_encode (rec, data, len), 0);
}

Test (record, relay_keeps_a_workers_entities_as_their_bytes)
{
    const size_t counts [] = { 3, 15, 16, 40 };      /* fixarray and array16 headers */
    for (size_t c = 0; c < sizeof counts / sizeof counts [0]; c++) {
        clip_record_t *rec = worker_record (counts [c]);
        char *data, *again;
        size_t len, again_len;
        encode_or_fail (rec, &data, &len);
        char err [256] = "";
        clip_record_t *relay = clip_record_decode_relay (data, len, err, sizeof err);
        cr_assert_not_null (relay, "%s", err);
        cr_assert_not_null (relay->entities_packed, "%zu entities were unpacked", counts [c]);
        cr_assert_null (relay->entities);
        cr_assert_eq (relay->n_entities, counts [c]);
        cr_assert_eq (relay->entities_end_max, counts [c] > 3 ? ((uint64_t) 1 << (2 * (counts [c] - 1) % 40)) + 12 : 46);
        encode_or_fail (relay, &again, &again_len);
        cr_assert (again_len == len && memcmp (again, data, len) == 0,
                   "%zu entities: %zu bytes again for %zu", counts [c], again_len, len);
        /*  What a reader of the record sees is the same.  */
        char *json = clip_record_to_json (rec), *json_relay = clip_record_to_json (relay);
        cr_assert_str_eq (json_relay, json);
        clip_record_t *copy = clip_record_dup (relay);
        char *json_copy = clip_record_to_json (copy);
        cr_assert_str_eq (json_copy, json);
        cr_assert_eq (clip_record_validate (relay, (uint64_t) 1 << 40, err, sizeof err), 0, "%s", err);
        free (json_copy);
        clip_record_destroy (&copy);
        free (json_relay);
        free (json);
        free (again);
        free (data);
        clip_record_destroy (&relay);
        clip_record_destroy (&rec);
    }
}

/*  The head of an ok record as a worker packs it: v, id, file, status,
    then the key "entities" and an array of n, whose entities the caller
    packs.  */
static void
pack_ok_record_head (msgpack_packer *pk, uint32_t n_entities)
{
    msgpack_pack_map (pk, 5);
    clip_msgpack_pack_kv_uint (pk, "v", 1);
    clip_msgpack_pack_kv_str (pk, "id", "abc123");
    clip_msgpack_pack_kv_str (pk, "file", "a.txt");
    clip_msgpack_pack_kv_str (pk, "status", "ok");
    clip_msgpack_pack_str (pk, "entities");
    msgpack_pack_array (pk, n_entities);
}

/*  Entities packed another way than clip_record_encode's: each decodes
    (clip_record_decode accepts them), so clip_record_decode_relay must
    unpack them and write them as the encoder does.  */
Test (record, relay_unpacks_entities_written_another_way)
{
    static const char *const variants [] = {
        "keys in another order", "an unknown key", "a wide integer", "a str8 header",
        "ill-formed UTF-8", "an unknown type", "start after end",
    };
    for (size_t v = 0; v < sizeof variants / sizeof variants [0]; v++) {
        msgpack_sbuffer sbuf;
        msgpack_sbuffer_init (&sbuf);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
        /*  A record of two entities, the second written the variant's
            way.  */
        pack_ok_record_head (&pk, 2);
        msgpack_pack_map (&pk, 5);
        clip_msgpack_pack_kv_str (&pk, "type", "ORG");
        clip_msgpack_pack_kv_str (&pk, "text", "Acme");
        clip_msgpack_pack_kv_str (&pk, "canonical", "Acme");
        clip_msgpack_pack_kv_uint (&pk, "start", 0);
        clip_msgpack_pack_kv_uint (&pk, "end", 4);
        msgpack_pack_map (&pk, v == 1 ? 6 : 5);
        if (v == 0) {
            clip_msgpack_pack_kv_str (&pk, "text", "Bo");
            clip_msgpack_pack_kv_str (&pk, "type", "PER");
        }
        else {
            clip_msgpack_pack_kv_str (&pk, "type", v == 5 ? "THING" : "PER");
            if (v == 3) {
                clip_msgpack_pack_str (&pk, "text");
                const char str8 [] = { (char) 0xd9, 2, 'B', 'o' };
                msgpack_sbuffer_write (&sbuf, str8, sizeof str8);
            }
            else
                clip_msgpack_pack_kv_str (&pk, "text", v == 4 ? "B\xff" : "Bo");
        }
        clip_msgpack_pack_kv_str (&pk, "canonical", "Bo");
        if (v == 2) {
            clip_msgpack_pack_str (&pk, "start");
            const char u64 [] = { (char) 0xcf, 0, 0, 0, 0, 0, 0, 0, 6 };
            msgpack_sbuffer_write (&sbuf, u64, sizeof u64);
        }
        else
            clip_msgpack_pack_kv_uint (&pk, "start", v == 6 ? 9 : 6);
        clip_msgpack_pack_kv_uint (&pk, "end", 8);
        if (v == 1)
            clip_msgpack_pack_kv_str (&pk, "salience", "high");

        char err [256] = "", relay_err [256] = "";
        clip_record_t *plain = clip_record_decode (sbuf.data, sbuf.size, err, sizeof err);
        clip_record_t *relay = clip_record_decode_relay (sbuf.data, sbuf.size, relay_err,
                                                         sizeof relay_err);
        cr_assert_not_null (plain, "%s: %s", variants [v], err);
        cr_assert_not_null (relay, "%s: %s", variants [v], relay_err);
        cr_assert_null (relay->entities_packed, "%s: kept as bytes", variants [v]);
        assert_records_equal (relay, plain);
        char *a, *b;
        size_t a_len, b_len;
        encode_or_fail (plain, &a, &a_len);
        encode_or_fail (relay, &b, &b_len);
        cr_assert (a_len == b_len && memcmp (a, b, a_len) == 0, "%s: encodes differently",
                   variants [v]);
        int r1 = clip_record_validate (plain, 100, err, sizeof err);
        int r2 = clip_record_validate (relay, 100, relay_err, sizeof relay_err);
        cr_assert (r1 == r2 && strcmp (err, relay_err) == 0, "%s: validate '%s' and '%s'",
                   variants [v], err, relay_err);
        free (a);
        free (b);
        clip_record_destroy (&plain);
        clip_record_destroy (&relay);
        msgpack_sbuffer_destroy (&sbuf);
    }
}

/*  Kept entities are checked against the file's size when validated, and
    the error names the same entity in the same words.  */
Test (record, relay_validate_names_the_entity_beyond_the_file)
{
    clip_record_t *rec = worker_record (20);
    char *data;
    size_t len;
    encode_or_fail (rec, &data, &len);
    char err [256] = "", relay_err [256] = "";
    clip_record_t *relay = clip_record_decode_relay (data, len, relay_err, sizeof relay_err);
    cr_assert_not_null (relay->entities_packed);
    uint64_t size = ((uint64_t) 1 << 20) + 11;     /* entity 10's end, less one */
    cr_assert_eq (clip_record_validate (rec, size, err, sizeof err), -1);
    cr_assert_eq (clip_record_validate (relay, size, relay_err, sizeof relay_err), -1);
    cr_assert_str_eq (relay_err, err);
    cr_assert (strstr (err, "entities[10]"), "%s", err);
    cr_assert_eq (clip_record_validate (relay, size + 1 + ((uint64_t) 1 << 38), relay_err,
                                        sizeof relay_err), 0, "%s", relay_err);
    free (data);
    clip_record_destroy (&relay);
    clip_record_destroy (&rec);
}

/*  Adding an entity to a record whose entities are kept unpacks them
    first: the new one comes after them.  */
Test (record, relay_add_entity_appends_after_the_kept_ones)
{
    clip_record_t *rec = worker_record (5);
    char *data;
    size_t len;
    encode_or_fail (rec, &data, &len);
    clip_record_t *relay = clip_record_decode_relay (data, len, NULL, 0);
    cr_assert_not_null (relay->entities_packed);
    clip_record_add_entity (rec, "LOC", "Oslo", "Oslo", 1, 5);
    clip_record_add_entity (relay, "LOC", "Oslo", "Oslo", 1, 5);
    cr_assert_null (relay->entities_packed);
    assert_records_equal (relay, rec);
    free (data);
    clip_record_destroy (&relay);
    clip_record_destroy (&rec);
}

/*  The mutation loop above, through both decoders: the same verdict and
    error on every damaged record, the same bytes once encoded.  */
Test (record, relay_agrees_with_decode_on_damaged_records)
{
    clip_record_t *rec = worker_record (18);
    char *data;
    size_t len;
    encode_or_fail (rec, &data, &len);
    clip_record_destroy (&rec);
    char *copy = malloc (len);
    uint64_t state = 0x2545f4914f6cdd1dULL;
    int kept = 0;
    for (int round = 0; round < 4000; round++) {
        memcpy (copy, data, len);
        for (int k = 0; k < 1 + round % 3; k++) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            copy [state % len] ^= (char) (1u << (state >> 40) % 8);
        }
        char err [256] = "", relay_err [256] = "";
        clip_record_t *plain = clip_record_decode (copy, len, err, sizeof err);
        clip_record_t *relay = clip_record_decode_relay (copy, len, relay_err, sizeof relay_err);
        cr_assert_eq (!plain, !relay, "round %d: '%s' / '%s'", round, err, relay_err);
        cr_assert_str_eq (relay_err, err, "round %d", round);
        if (!plain)
            continue;
        kept += relay->entities_packed != NULL;
        char *a, *b;
        size_t a_len, b_len;
        encode_or_fail (plain, &a, &a_len);
        encode_or_fail (relay, &b, &b_len);
        cr_assert (a_len == b_len && memcmp (a, b, a_len) == 0, "round %d: encodes differently", round);
        int r1 = clip_record_validate (plain, 1 << 20, err, sizeof err);
        int r2 = clip_record_validate (relay, 1 << 20, relay_err, sizeof relay_err);
        cr_assert (r1 == r2 && strcmp (err, relay_err) == 0, "round %d: '%s' / '%s'", round, err,
                   relay_err);
        free (a);
        free (b);
        clip_record_destroy (&plain);
        clip_record_destroy (&relay);
    }
    /*  Flips in the title or outside the entities leave them as encoded.  */
    cr_assert_gt (kept, 0);
    free (copy);
    free (data);
}

/*  A record (status ok) of one entity with the given type and text (n
    bytes, which may hold any byte), packed as a worker packs it.  */
static void
pack_one_entity (msgpack_sbuffer *sbuf, const char *type, const char *text, size_t n)
{
    msgpack_sbuffer_init (sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, sbuf, msgpack_sbuffer_write);
    pack_ok_record_head (&pk, 1);
    msgpack_pack_map (&pk, 5);
    clip_msgpack_pack_kv_str (&pk, "type", type);
    clip_msgpack_pack_str (&pk, "text");
    clip_msgpack_pack_strn (&pk, text, n);
    clip_msgpack_pack_kv_str (&pk, "canonical", "C");
    clip_msgpack_pack_kv_uint (&pk, "start", 0);
    clip_msgpack_pack_kv_uint (&pk, "end", 8);
}

/*  Decode sbuf both ways: the same verdict, error and encoding; returns
    whether the relay kept the entities as bytes.  */
static bool
relay_agrees (const msgpack_sbuffer *sbuf, const char *what, bool *accepted)
{
    char err [256] = "", relay_err [256] = "";
    clip_record_t *plain = clip_record_decode (sbuf->data, sbuf->size, err, sizeof err);
    clip_record_t *relay = clip_record_decode_relay (sbuf->data, sbuf->size, relay_err,
                                                     sizeof relay_err);
    cr_assert_eq (!plain, !relay, "%s: '%s' / '%s'", what, err, relay_err);
    cr_assert_str_eq (relay_err, err, "%s", what);
    *accepted = plain != NULL;
    if (!plain)
        return false;
    bool kept = relay->entities_packed != NULL;
    char *a, *b;
    size_t a_len, b_len;
    encode_or_fail (plain, &a, &a_len);
    encode_or_fail (relay, &b, &b_len);
    cr_assert (a_len == b_len && memcmp (a, b, a_len) == 0, "%s: encodes differently", what);
    int r1 = clip_record_validate (plain, 100, err, sizeof err);
    int r2 = clip_record_validate (relay, 100, relay_err, sizeof relay_err);
    cr_assert (r1 == r2 && strcmp (err, relay_err) == 0, "%s: validate '%s' and '%s'", what,
               err, relay_err);
    free (a);
    free (b);
    clip_record_destroy (&plain);
    clip_record_destroy (&relay);
    return kept;
}

/*  A name is kept as bytes exactly when encoding would write it
    unchanged: ASCII or well-formed UTF-8 of any length, wherever a
    multibyte character falls (in a word of eight bytes read at once, or
    in the bytes after the last), and not when one byte anywhere is
    ill-formed; a NUL byte anywhere is refused by both decoders alike.  */
Test (record, relay_keeps_a_name_as_bytes_iff_it_is_clean)
{
    char text [32];
    /*  From 1: msgpack-c's empty str need not point into the input, so
        an empty name is never found there.  */
    for (size_t n = 1; n <= 20; n++) {
        for (size_t i = 0; i < n; i++)
            text [i] = (char) ('a' + i);
        char what [64];
        msgpack_sbuffer sbuf;
        bool accepted;
        snprintf (what, sizeof what, "%zu ASCII bytes", n);
        pack_one_entity (&sbuf, "PER", text, n);
        cr_assert (relay_agrees (&sbuf, what, &accepted) && accepted, "%s: not kept", what);
        msgpack_sbuffer_destroy (&sbuf);
        for (size_t at = 0; at < n; at++) {
            char bad [32];
            memcpy (bad, text, n);
            bad [at] = (char) 0xff;
            snprintf (what, sizeof what, "%zu bytes, 0xff at %zu", n, at);
            pack_one_entity (&sbuf, "PER", bad, n);
            cr_assert_not (relay_agrees (&sbuf, what, &accepted), "%s: kept", what);
            cr_assert (accepted, "%s: refused", what);
            msgpack_sbuffer_destroy (&sbuf);

            bad [at] = 0;
            snprintf (what, sizeof what, "%zu bytes, NUL at %zu", n, at);
            pack_one_entity (&sbuf, "PER", bad, n);
            relay_agrees (&sbuf, what, &accepted);
            cr_assert_not (accepted, "%s: accepted", what);
            msgpack_sbuffer_destroy (&sbuf);

            if (at + 2 > n)
                continue;
            memcpy (bad, text, n);
            memcpy (bad + at, "\xc3\xa9", 2);               /* é */
            snprintf (what, sizeof what, "%zu bytes, é at %zu", n, at);
            pack_one_entity (&sbuf, "PER", bad, n);
            cr_assert (relay_agrees (&sbuf, what, &accepted) && accepted, "%s: not kept", what);
            msgpack_sbuffer_destroy (&sbuf);

            bad [at + 1] = 'x';                             /* a lead byte alone */
            snprintf (what, sizeof what, "%zu bytes, a lone lead byte at %zu", n, at);
            pack_one_entity (&sbuf, "PER", bad, n);
            cr_assert_not (relay_agrees (&sbuf, what, &accepted), "%s: kept", what);
            cr_assert (accepted, "%s: refused", what);
            msgpack_sbuffer_destroy (&sbuf);
        }
    }
}

/*  The seven types and nothing near them: the relay keeps the first,
    validation names the others, whichever decoder read them.  */
Test (record, entity_types_are_exactly_the_seven)
{
    static const char *const good [] = { "PER", "ORG", "LOC", "MISC", "MONEY", "DATE", "PERCENT" };
    static const char *const bad [] = {
        "", "P", "PE", "PERS", "per", "ORH", "LOD", "MISCS", "DAT", "DATA", "MONEZ", "PERCENT ",
        "PERCEN", "PERCENS", "NORP", "TIME", "LOCATION"
    };
    for (size_t i = 0; i < sizeof good / sizeof good [0]; i++) {
        msgpack_sbuffer sbuf;
        bool accepted;
        pack_one_entity (&sbuf, good [i], "Name", 4);
        cr_assert (relay_agrees (&sbuf, good [i], &accepted) && accepted, "%s: not kept", good [i]);
        clip_record_t *rec = clip_record_decode (sbuf.data, sbuf.size, NULL, 0);
        char err [256] = "";
        cr_assert_eq (clip_record_validate (rec, 100, err, sizeof err), 0, "%s: %s", good [i], err);
        clip_record_destroy (&rec);
        msgpack_sbuffer_destroy (&sbuf);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        msgpack_sbuffer sbuf;
        bool accepted;
        pack_one_entity (&sbuf, bad [i], "Name", 4);
        cr_assert_not (relay_agrees (&sbuf, bad [i], &accepted), "'%s': kept", bad [i]);
        cr_assert (accepted);
        clip_record_t *rec = clip_record_decode (sbuf.data, sbuf.size, NULL, 0);
        char err [256] = "";
        cr_assert_eq (clip_record_validate (rec, 100, err, sizeof err), -1, "'%s' accepted", bad [i]);
        cr_assert_str_eq (err, "field 'entities[0].type': not one of PER ORG LOC MISC MONEY DATE"
                          " PERCENT");
        clip_record_destroy (&rec);
        msgpack_sbuffer_destroy (&sbuf);
    }
}
