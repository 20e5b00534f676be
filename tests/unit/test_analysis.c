/*  The worker's analysis: never crashes on any bytes, clear errors for what
    is not an article, entity offsets into the file as received (also after
    the Windows-1252 fallback).  Uses the shipped NER model.  */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "clip_analyze.h"
#include "clip_sketch.h"
#include "clip_util.h"

static clip_analyzer_t *
analyzer (void)
{
    char err [256];
    clip_analyzer_t *a = clip_analyzer_new (CLIP_SOURCE_DIR, "test:1", err, sizeof err);
    cr_assert_not_null (a, "%s", err);
    return a;
}

/*  Every entity's [start, end) in the original bytes holds its text, or
    (after the Windows-1252 fallback) bytes that decode to it.  */
static void
check_offsets (const clip_record_t *rec, const char *data, size_t len, bool utf8)
{
    for (size_t i = 0; i < rec->n_entities; i++) {
        const clip_entity_t *e = &rec->entities [i];
        cr_assert_leq (e->start, e->end);
        cr_assert_leq (e->end, len, "entity %s ends inside the file", e->text);
        if (utf8)
            cr_assert (strlen (e->text) == e->end - e->start
                       && memcmp (data + e->start, e->text, e->end - e->start) == 0,
                       "entity '%s' at [%llu,%llu)", e->text,
                       (unsigned long long) e->start, (unsigned long long) e->end);
    }
}

Test (analyze, the_first_huawei_article)
{
    clip_analyzer_t *a = analyzer ();
    char *path = clip_strprintf ("%s/corpus/huawei/000_9e0fcb074dd77aaf.txt", CLIP_SOURCE_DIR);
    char *data;
    size_t len;
    cr_assert_eq (clip_file_read (path, 1 << 20, &data, &len), 0);
    void *sketch;
    size_t sketch_len;
    clip_record_t *rec = clip_analyzer_run (a, "000.txt", data, len, &sketch, &sketch_len);
    cr_assert_str_eq (rec->status, "ok");
    cr_assert_str_eq (rec->id, "69de78f64cce554c4fc1f1c9e764ff06");
    cr_assert_str_eq (rec->encoding, "utf-8");
    cr_assert_str_eq (rec->title, "date 2019-03-31 By AP");
    cr_assert_str_eq (rec->worker, "test:1");
    cr_assert_eq (rec->bytes, len);
    clip_sketch_view_t view;
    cr_assert_eq (clip_sketch_parse (sketch, sketch_len, &view), 0);
    cr_assert_gt (view.n, 300);
    check_offsets (rec, data, len, true);
    /*  A few entities a reader marks in this article.  */
    bool huawei = false, guo = false, money = false, uk = false;
    for (size_t i = 0; i < rec->n_entities; i++) {
        const clip_entity_t *e = &rec->entities [i];
        if (!strcmp (e->type, "ORG") && !strcmp (e->canonical, "Huawei"))
            huawei = true;
        if (!strcmp (e->type, "PER") && !strcmp (e->canonical, "Guo Ping"))
            guo = true;
        if (!strcmp (e->type, "MONEY") && !strcmp (e->canonical, "USD 100000000000"))
            money = true;
        if (!strcmp (e->type, "LOC") && !strcmp (e->canonical, "United Kingdom"))
            uk = true;
    }
    cr_assert (huawei && guo && money && uk, "huawei %d guo %d money %d uk %d", huawei, guo, money, uk);
    free (sketch);
    clip_record_destroy (&rec);
    free (data);
    free (path);
    clip_analyzer_destroy (&a);
    cr_assert_null (a);
}

Test (analyze, windows_1252_offsets_point_into_the_original_bytes)
{
    clip_analyzer_t *a = analyzer ();
    /*  "Huawei" after two cp1252 curly quotes (1 byte each, 3 in UTF-8).  */
    const char *text = "\x93Quoted\x94 news\n\nChinese giant Huawei said on Friday that \x80" "5 billion "
                       "was spent by Huawei Technologies Ltd. in Britain.\n";
    size_t len = strlen (text);
    clip_record_t *rec = clip_analyzer_run (a, "cp.txt", text, len, NULL, NULL);
    cr_assert_str_eq (rec->status, "ok");
    cr_assert_str_eq (rec->encoding, "windows-1252");
    int found = 0;
    for (size_t i = 0; i < rec->n_entities; i++) {
        const clip_entity_t *e = &rec->entities [i];
        cr_assert_leq (e->end, len);
        if (!strcmp (e->text, "Huawei")) {
            cr_assert_eq (memcmp (text + e->start, "Huawei", 6), 0, "offset %llu", (unsigned long long) e->start);
            cr_assert_eq (e->end - e->start, 6);
            found++;
        }
        if (!strcmp (e->type, "MONEY")) {
            cr_assert_eq ((unsigned char) text [e->start], 0x80, "the euro sign's byte");
            cr_assert_str_eq (e->canonical, "EUR 5000000000");
        }
    }
    cr_assert_geq (found, 1);
    clip_record_destroy (&rec);
    clip_analyzer_destroy (&a);
}

Test (analyze, what_is_not_an_article_fails_with_a_reason)
{
    clip_analyzer_t *a = analyzer ();
    clip_record_t *rec = clip_analyzer_run (a, "e", "", 0, NULL, NULL);
    cr_assert_str_eq (rec->status, "failed");
    cr_assert_str_eq (rec->error_code, "empty");
    clip_record_destroy (&rec);
    rec = clip_analyzer_run (a, "w", " \n\t\r\n ", 6, NULL, NULL);
    cr_assert_str_eq (rec->error_code, "empty");
    clip_record_destroy (&rec);
    rec = clip_analyzer_run (a, "b", "PNG\0\0\0binary", 12, NULL, NULL);
    cr_assert_str_eq (rec->error_code, "not_text");
    cr_assert_gt (strlen (rec->error_message), 10);
    cr_assert_null (rec->id);
    clip_record_destroy (&rec);
    /*  One word is an article.  */
    rec = clip_analyzer_run (a, "w", "Huawei", 6, NULL, NULL);
    cr_assert_str_eq (rec->status, "ok");
    cr_assert_str_eq (rec->title, "Huawei");
    clip_record_destroy (&rec);
    clip_analyzer_destroy (&a);
}

Test (analyze, never_crashes_on_any_bytes)
{
    clip_analyzer_t *a = analyzer ();
    /*  A fixed-seed generator: the same inputs every run.  */
    uint64_t state = 0x9e3779b97f4a7c15ULL;
    char buf [4096];
    for (int round = 0; round < 400; round++) {
        size_t len = (size_t) (round * 37) % sizeof buf;
        for (size_t i = 0; i < len; i++) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            /*  Mostly text-like bytes, with some high and control bytes.  */
            unsigned r = (unsigned) (state >> 32);
            static const char alphabet [] = " aAbZ.,'\n$%\xe2\x80\x99\xc2\xa3";
            buf [i] = r % 5 == 0 ? (char) ((r >> 8) & 0xff) : alphabet [(r >> 8) % 17];
        }
        void *sketch = NULL;
        size_t sketch_len = 0;
        clip_record_t *rec = clip_analyzer_run (a, "fuzz", buf, len, &sketch, &sketch_len);
        cr_assert_not_null (rec->status);
        cr_assert_eq (rec->bytes, len);
        if (clip_record_status (rec) == CLIP_STATUS_OK)
            check_offsets (rec, buf, len, false);
        char *packed;
        size_t packed_len;
        clip_record_encode (rec, &packed, &packed_len);
        char err [128];
        clip_record_t *back = clip_record_decode (packed, packed_len, err, sizeof err);
        cr_assert_not_null (back, "round %d: %s", round, err);
        clip_record_destroy (&back);
        free (packed);
        free (sketch);
        clip_record_destroy (&rec);
    }
    clip_analyzer_destroy (&a);
}

/*  An article of one sentence repeated: six entities a sentence.  */
static char *
repeated_article (size_t times, size_t *len)
{
    const char *s = "Huawei said on Monday that Ren Zhengfei met Theresa May in London "
                    "to discuss a $100 million deal. ";
    size_t sl = strlen (s);
    char *text = malloc (times * sl + 1);
    for (size_t i = 0; i < times; i++)
        memcpy (text + i * sl, s, sl);
    text [times * sl] = 0;
    *len = times * sl;
    return text;
}

static bool
has_bytes (const char *data, size_t len, const char *s)
{
    return memmem (data, len, s, strlen (s)) != NULL;
}

Test (analyze, entities_are_capped_to_the_first_in_text_order)
{
    size_t len;
    char *text = repeated_article (200, &len);
    clip_analyzer_t *all = analyzer ();
    clip_record_t *full = clip_analyzer_run (all, "r.txt", text, len, NULL, NULL);
    cr_assert_gt (full->n_entities, 150, "the article has %zu entities", full->n_entities);
    cr_assert_not (full->entities_truncated, "the default cap is far above this article");

    clip_analyzer_t *a = analyzer ();
    clip_analyzer_set_max_entities (a, 150);
    clip_record_t *rec = clip_analyzer_run (a, "r.txt", text, len, NULL, NULL);
    cr_assert_eq (rec->n_entities, 150);
    cr_assert (rec->entities_truncated);
    for (size_t i = 0; i < rec->n_entities; i++) {
        cr_assert_str_eq (rec->entities [i].type, full->entities [i].type);
        cr_assert_eq (rec->entities [i].start, full->entities [i].start, "entity %zu", i);
        cr_assert_eq (rec->entities [i].end, full->entities [i].end, "entity %zu", i);
    }
    /*  The flag travels: msgpack, back, and JSON.  */
    char *packed;
    size_t packed_len;
    clip_record_encode (rec, &packed, &packed_len);
    cr_assert (has_bytes (packed, packed_len, "entities_truncated"));
    char err [256];
    clip_record_t *back = clip_record_decode (packed, packed_len, err, sizeof err);
    cr_assert_not_null (back, "%s", err);
    cr_assert (back->entities_truncated);
    cr_assert_eq (back->n_entities, 150);
    char *json = clip_record_to_json (rec);
    cr_assert_not_null (strstr (json, "\"entities_truncated\":true"), "%.200s", json);
    /*  Anything but a bool is refused, naming the field: the byte after
        the key is msgpack true (0xc3); make it the integer 1.  */
    char *key = memmem (packed, packed_len, "entities_truncated", 18);
    cr_assert_eq ((unsigned char) key [18], 0xc3);
    key [18] = 0x01;
    clip_record_t *bad = clip_record_decode (packed, packed_len, err, sizeof err);
    cr_assert_null (bad);
    cr_assert_not_null (strstr (err, "entities_truncated"), "%s", err);
    free (json);
    free (packed);
    clip_record_destroy (&back);
    clip_record_destroy (&rec);
    clip_record_destroy (&full);
    clip_analyzer_destroy (&a);
    clip_analyzer_destroy (&all);
    free (text);
}

Test (analyze, no_truncation_flag_at_or_below_the_cap)
{
    size_t len;
    char *text = repeated_article (20, &len);
    clip_analyzer_t *a = analyzer ();
    clip_record_t *rec = clip_analyzer_run (a, "r.txt", text, len, NULL, NULL);
    size_t n = rec->n_entities;
    cr_assert_gt (n, 20);
    cr_assert_not (rec->entities_truncated);
    clip_record_destroy (&rec);

    /*  Exactly as many as the cap: nothing was cut, no flag.  */
    clip_analyzer_set_max_entities (a, n);
    rec = clip_analyzer_run (a, "r.txt", text, len, NULL, NULL);
    cr_assert_eq (rec->n_entities, n);
    cr_assert_not (rec->entities_truncated);
    char *packed;
    size_t packed_len;
    clip_record_encode (rec, &packed, &packed_len);
    cr_assert_not (has_bytes (packed, packed_len, "entities_truncated"), "the key is absent");
    char *json = clip_record_to_json (rec);
    cr_assert_null (strstr (json, "entities_truncated"), "%.200s", json);
    char err [256];
    clip_record_t *back = clip_record_decode (packed, packed_len, err, sizeof err);
    cr_assert_not_null (back, "%s", err);
    cr_assert_not (back->entities_truncated);
    free (json);
    free (packed);
    clip_record_destroy (&back);
    clip_record_destroy (&rec);
    clip_analyzer_destroy (&a);
    free (text);
}

Test (analyze, a_repeated_sentence_is_cut_at_the_default_cap, .timeout = 120)
{
    /*  1 MB of one sentence, 60,000 mentions (the 9 MB case of issue 9
        made a record of 32.7 MB with 460,000 entities).  */
    size_t len;
    char *text = repeated_article (10000, &len);
    clip_analyzer_t *a = analyzer ();
    clip_record_t *rec = clip_analyzer_run (a, "r.txt", text, len, NULL, NULL);
    cr_assert_str_eq (rec->status, "ok");
    cr_assert_eq (rec->n_entities, CLIP_ANALYZE_MAX_ENTITIES);
    cr_assert (rec->entities_truncated);
    cr_assert_eq (rec->entities [CLIP_ANALYZE_MAX_ENTITIES - 1].end <= len, true);
    clip_record_destroy (&rec);
    clip_analyzer_destroy (&a);
    free (text);
}
