/*  The code tables (proto/clip_codes.h): every name round-trips through
    parse and name, no table holds a name twice, anything else parses to
    the UNKNOWN value, also by length (a string inside a message); and the record exposes its codes as these enums while
    the wire keeps the strings (an unknown status or verdict from a worker
    is refused with a message naming it, an unknown error code is kept as
    it came, as before the table).  */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_codes.h"
#include "clip_record.h"
#include "clip_replay_msg.h"

/*  One kind's functions, so that every table goes through the same checks.  */
typedef struct {
    const char *kind;
    int count;
    const char *(*name) (int);
    int (*parse) (const char *);
    const char *(*describe) (int);
    int (*parse_len) (const char *, size_t);
    bool upper;             /* names in upper case (entity types), else lower and '_' */
} table_t;

#define TABLE_FUNCS(kind, T)                                                  \
    static const char *kind##_name_ (int c) { return clip_##kind##_name ((T) c); } \
    static int kind##_parse_ (const char *s) { return (int) clip_##kind##_parse (s); } \
    static const char *kind##_describe_ (int c) { return clip_##kind##_describe ((T) c); } \
    static int kind##_parse_len_ (const char *s, size_t n) { return (int) clip_##kind##_parse_len (s, n); }

TABLE_FUNCS (status, clip_status_t)
TABLE_FUNCS (verdict, clip_verdict_t)
TABLE_FUNCS (error, clip_error_t)
TABLE_FUNCS (entity_type, clip_entity_type_t)
TABLE_FUNCS (replay_code, clip_replay_code_t)

#define TABLE(kind, COUNT, upper)                                             \
    { #kind, COUNT, kind##_name_, kind##_parse_, kind##_describe_, kind##_parse_len_, upper }
static const table_t TABLES [] = {
    TABLE (status, CLIP_STATUS_COUNT, false),
    TABLE (verdict, CLIP_VERDICT_COUNT, false),
    TABLE (error, CLIP_ERROR_COUNT, false),
    TABLE (entity_type, CLIP_ENTITY_TYPE_COUNT, true),
    TABLE (replay_code, CLIP_REPLAY_CODE_COUNT, false),
};
#define N_TABLES (sizeof TABLES / sizeof TABLES [0])

Test (codes, every_name_round_trips)
{
    for (size_t t = 0; t < N_TABLES; t++) {
        const table_t *tb = &TABLES [t];
        cr_assert_gt (tb->count, 0, "%s: empty table", tb->kind);
        for (int c = 0; c < tb->count; c++) {
            const char *name = tb->name (c);
            cr_assert_not_null (name, "%s %d: no name", tb->kind, c);
            cr_assert_gt (strlen (name), 0, "%s %d: empty name", tb->kind, c);
            cr_assert_eq (tb->parse (name), c, "%s '%s' parses to %d", tb->kind, name,
                          tb->parse (name));
            const char *desc = tb->describe (c);
            cr_assert (desc && *desc, "%s '%s': no description", tb->kind, name);
            /*  Wire names are short machine words: lower case and '_', or
                the CoNLL-2003 type names in capitals.  */
            for (const char *p = name; *p; p++)
                cr_assert (tb->upper ? *p >= 'A' && *p <= 'Z'
                                     : (*p >= 'a' && *p <= 'z') || *p == '_',
                           "%s '%s': bad character", tb->kind, name);
            /*  A name inside a longer buffer parses by its length alone;
                one byte less or more is another string.  */
            char buf [64];
            size_t n = strlen (name);
            cr_assert_lt (n + 1, sizeof buf);
            memcpy (buf, name, n);
            buf [n] = 'x';
            cr_assert_eq (tb->parse_len (buf, n), c, "%s '%s' by length", tb->kind, name);
            cr_assert_eq (tb->parse_len (buf, n + 1), -1, "%s '%s' + 1 byte", tb->kind, name);
            cr_assert_eq (tb->parse_len (buf, n - 1), -1, "%s '%s' - 1 byte", tb->kind, name);
        }
    }
}

Test (codes, no_duplicate_names)
{
    for (size_t t = 0; t < N_TABLES; t++) {
        const table_t *tb = &TABLES [t];
        for (int a = 0; a < tb->count; a++)
            for (int b = a + 1; b < tb->count; b++)
                cr_assert_str_neq (tb->name (a), tb->name (b), "%s: '%s' listed twice",
                                   tb->kind, tb->name (a));
    }
}

Test (codes, unknown_names_parse_to_unknown)
{
    const char *strangers [] = {
        "", "OK", "Failed", "ok ", " ok", "uniq", "near-duplicate", "duplicates",
        "too large", "TOO_LARGE", "timeout", "bad_request\n", "article.unique",
        "per", "Org", "PERSON", "LOCATION", "MISC ", "DATES"
    };
    cr_assert_eq (clip_status_parse (NULL), CLIP_STATUS_UNKNOWN);
    cr_assert_eq (clip_verdict_parse (NULL), CLIP_VERDICT_UNKNOWN);
    cr_assert_eq (clip_error_parse (NULL), CLIP_ERROR_UNKNOWN);
    cr_assert_eq (clip_entity_type_parse (NULL), CLIP_ENTITY_TYPE_UNKNOWN);
    cr_assert_eq (clip_replay_code_parse (NULL), CLIP_REPLAY_CODE_UNKNOWN);
    for (size_t t = 0; t < N_TABLES; t++)
        cr_assert_eq (TABLES [t].parse_len (NULL, 0), -1, "%s: NULL", TABLES [t].kind);
    for (size_t i = 0; i < sizeof strangers / sizeof strangers [0]; i++)
        for (size_t t = 0; t < N_TABLES; t++)
            cr_assert_eq (TABLES [t].parse (strangers [i]), -1, "%s: '%s' parsed as known",
                          TABLES [t].kind, strangers [i]);
    /*  Values outside a table have no name, description or topic.  */
    for (size_t t = 0; t < N_TABLES; t++) {
        cr_assert_null (TABLES [t].name (-1));
        cr_assert_null (TABLES [t].name (TABLES [t].count));
        cr_assert_null (TABLES [t].describe (-1));
        cr_assert_null (TABLES [t].describe (TABLES [t].count));
    }
    cr_assert_null (clip_verdict_topic (CLIP_VERDICT_UNKNOWN));
    cr_assert_null (clip_verdict_topic (CLIP_VERDICT_COUNT));
}

/*  The names the SPEC and proto/README.md document, spelt out once more
    here so that a change to a wire name (which would break every peer)
    fails a test.  */
Test (codes, wire_names_are_the_documented_ones)
{
    cr_assert_str_eq (clip_status_name (CLIP_STATUS_OK), "ok");
    cr_assert_str_eq (clip_status_name (CLIP_STATUS_FAILED), "failed");
    cr_assert_eq (CLIP_STATUS_COUNT, 2);
    const char *verdicts [] = { "unique", "related", "near_duplicate", "duplicate" };
    cr_assert_eq (CLIP_VERDICT_COUNT, 4);
    for (int v = 0; v < CLIP_VERDICT_COUNT; v++) {
        cr_assert_str_eq (clip_verdict_name ((clip_verdict_t) v), verdicts [v]);
        char topic [64];
        snprintf (topic, sizeof topic, "article.%s", verdicts [v]);
        cr_assert_str_eq (clip_verdict_topic ((clip_verdict_t) v), topic);
    }
    const char *errors [] = {
        "empty", "not_text", "too_large", "worker_lost", "vanished", "unreadable",
        "bad_result", "not_a_file"
    };
    cr_assert_eq (CLIP_ERROR_COUNT, 8);
    for (int e = 0; e < CLIP_ERROR_COUNT; e++)
        cr_assert_str_eq (clip_error_name ((clip_error_t) e), errors [e]);
    cr_assert_str_eq (clip_replay_code_name (CLIP_REPLAY_CODE_BAD_REQUEST), "bad_request");
    cr_assert_str_eq (clip_replay_code_name (CLIP_REPLAY_CODE_BUSY), "busy");
    cr_assert_str_eq (clip_replay_code_name (CLIP_REPLAY_CODE_INTERNAL), "internal");
    cr_assert_eq (CLIP_REPLAY_CODE_COUNT, 3);
    /*  The SPEC's entity types, in the order the tagger's labels use.  */
    const char *types [] = { "PER", "ORG", "LOC", "MISC", "MONEY", "DATE", "PERCENT" };
    cr_assert_eq (CLIP_ENTITY_TYPE_COUNT, 7);
    for (int t = 0; t < CLIP_ENTITY_TYPE_COUNT; t++)
        cr_assert_str_eq (clip_entity_type_name ((clip_entity_type_t) t), types [t]);
}

/*  ------------------------------------------------------------------ */
/*  The record carries strings and exposes enums                        */

static clip_record_t *
ok_record (const char *verdict)
{
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->file, "a.txt");
    clip_record_set (rec, &rec->id, "abc123");
    rec->bytes = 10;
    if (verdict) {
        rec->has_dedupe = true;
        clip_record_set (rec, &rec->verdict, verdict);
        clip_record_set (rec, &rec->cluster, "abc123");
    }
    return rec;
}

static clip_record_t *
round_trip (const clip_record_t *rec)
{
    char *data;
    size_t len;
    clip_record_encode (rec, &data, &len);
    char err [256] = "";
    clip_record_t *back = clip_record_decode (data, len, err, sizeof err);
    cr_assert_not_null (back, "%s", err);
    free (data);
    return back;
}

Test (codes, record_exposes_enums_and_keeps_strings)
{
    clip_record_t *rec = ok_record (NULL);
    cr_assert_eq (clip_record_status (rec), CLIP_STATUS_OK);
    cr_assert_eq (clip_record_verdict (rec), CLIP_VERDICT_UNKNOWN);
    cr_assert_eq (clip_record_error (rec), CLIP_ERROR_UNKNOWN);
    for (int v = 0; v < CLIP_VERDICT_COUNT; v++) {
        clip_record_set_verdict (rec, (clip_verdict_t) v);
        rec->has_dedupe = true;
        clip_record_set (rec, &rec->cluster, "abc123");
        cr_assert_str_eq (rec->verdict, clip_verdict_name ((clip_verdict_t) v));
        clip_record_t *back = round_trip (rec);
        cr_assert_eq (clip_record_verdict (back), v);
        cr_assert_str_eq (back->verdict, clip_verdict_name ((clip_verdict_t) v));
        cr_assert_str_eq (clip_record_topic (back), clip_verdict_topic ((clip_verdict_t) v));
        cr_assert_eq (clip_record_validate (back, 10, NULL, 0), 0);
        clip_record_destroy (&back);
    }
    for (int e = 0; e < CLIP_ERROR_COUNT; e++) {
        clip_record_fail (rec, (clip_error_t) e, "why");
        clip_record_t *back = round_trip (rec);
        cr_assert_eq (clip_record_status (back), CLIP_STATUS_FAILED);
        cr_assert_str_eq (back->status, "failed");
        cr_assert_eq (clip_record_error (back), e);
        cr_assert_str_eq (back->error_code, clip_error_name ((clip_error_t) e));
        cr_assert_str_eq (clip_record_topic (back), "error");
        /*  The JSON form carries the same string.  */
        char *json = clip_record_to_json (back);
        char needle [64];
        snprintf (needle, sizeof needle, "\"code\":\"%s\"", clip_error_name ((clip_error_t) e));
        cr_assert (strstr (json, needle), "%s", json);
        free (json);
        clip_record_destroy (&back);
    }
    clip_record_destroy (&rec);
}

/*  A worker's record with a status or verdict this version does not list
    decodes (the codec is not the judge), and clip_record_validate refuses
    it with a message naming the field and the value.  */
Test (codes, unknown_status_or_verdict_from_a_peer_is_refused_by_name)
{
    clip_record_t *rec = ok_record ("near_dup");
    clip_record_t *back = round_trip (rec);
    cr_assert_eq (clip_record_verdict (back), CLIP_VERDICT_UNKNOWN);
    cr_assert_str_eq (back->verdict, "near_dup");
    cr_assert_str_eq (clip_record_topic (back), "article");
    char err [256] = "";
    cr_assert_eq (clip_record_validate (back, 10, err, sizeof err), -1);
    cr_assert (strstr (err, "dedupe.verdict") && strstr (err, "'near_dup'")
               && strstr (err, "near_duplicate"), "%s", err);
    clip_record_destroy (&back);
    clip_record_destroy (&rec);

    rec = ok_record (NULL);
    clip_record_set (rec, &rec->status, "maybe");
    back = round_trip (rec);
    cr_assert_eq (clip_record_status (back), CLIP_STATUS_UNKNOWN);
    cr_assert_str_eq (back->status, "maybe");
    err [0] = 0;
    cr_assert_eq (clip_record_validate (back, 10, err, sizeof err), -1);
    cr_assert (strstr (err, "'status'") && strstr (err, "'maybe'") && strstr (err, "ok failed"),
               "%s", err);
    clip_record_destroy (&back);
    clip_record_destroy (&rec);
}

/*  An error code not in the table is kept as it came, and a failed record
    carrying it is valid: a newer worker may fail a file for a reason this
    clipd does not list, and the subscriber should still see that reason.  */
Test (codes, unknown_error_code_is_kept_as_sent)
{
    clip_record_t *rec = ok_record (NULL);
    clip_record_set_error (rec, "timeout_in_decoder", "a newer worker's reason");
    clip_record_t *back = round_trip (rec);
    cr_assert_eq (clip_record_status (back), CLIP_STATUS_FAILED);
    cr_assert_eq (clip_record_error (back), CLIP_ERROR_UNKNOWN);
    cr_assert_str_eq (back->error_code, "timeout_in_decoder");
    char err [256] = "";
    cr_assert_eq (clip_record_validate (back, 10, err, sizeof err), 0, "%s", err);
    char *json = clip_record_to_json (back);
    cr_assert (strstr (json, "\"code\":\"timeout_in_decoder\""), "%s", json);
    free (json);
    clip_record_destroy (&back);
    /*  An empty code is still refused.  */
    clip_record_set_error (rec, "", "no code");
    back = round_trip (rec);
    cr_assert_eq (clip_record_validate (back, 10, err, sizeof err), -1);
    cr_assert (strstr (err, "'error'"), "%s", err);
    clip_record_destroy (&back);
    clip_record_destroy (&rec);
}

/*  A replay refusal: listed codes decode to their enum, an unlisted one is
    still a refusal, with its text, as before the table.  */
Test (codes, replay_codes_decode_to_enums)
{
    char err [256];
    for (int c = 0; c < CLIP_REPLAY_CODE_COUNT; c++) {
        char *data;
        size_t len;
        clip_replay_error_encode (clip_replay_code_name ((clip_replay_code_t) c), "m", &data, &len);
        clip_replay_error_t e;
        cr_assert_eq (clip_replay_error_decode (data, len, &e, err, sizeof err), 0, "%s", err);
        cr_assert_eq (e.code_id, c);
        cr_assert_str_eq (e.code, clip_replay_code_name ((clip_replay_code_t) c));
        free (data);
    }
    char *data;
    size_t len;
    clip_replay_error_encode ("overloaded", "a newer clipd", &data, &len);
    clip_replay_error_t e;
    cr_assert_eq (clip_replay_error_decode (data, len, &e, err, sizeof err), 0, "%s", err);
    cr_assert_eq (e.code_id, CLIP_REPLAY_CODE_UNKNOWN);
    cr_assert_str_eq (e.code, "overloaded");
    cr_assert_str_eq (e.message, "a newer clipd");
    free (data);
}
