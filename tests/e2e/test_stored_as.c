/*  Issue 11: a file whose name was taken in done/ is kept under another
    name, and its record says which (stored_as), the same in the record
    published and in the one replayed from the log, so that a record can
    be matched to its file.  Real clipd, worker, files and sockets.  */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clip_util.h"
#include "testutil.h"

static char *
corpus_file (const char *name)
{
    return clip_strprintf ("%s/corpus/huawei/%s", CLIP_SOURCE_DIR, name);
}

/*  One published record within timeout_ms, parsed (caller decrefs).  */
static json_t *
receive_one (tu_sub_t *sub, int timeout_ms)
{
    char *text = tu_sub_recv (sub, timeout_ms, NULL);
    cr_assert_not_null (text, "no record published within %d ms", timeout_ms);
    json_error_t jerr;
    json_t *rec = json_loads (text, 0, &jerr);
    cr_assert_not_null (rec, "%s: %s", jerr.text, text);
    free (text);
    return rec;
}

Test (stored_as, the_second_a_txt_record_names_the_file_in_done, .timeout = 180)
{
    char *dir = tu_tempdir ("stored-as");
    const char *extra [] = { "--workers", "1", "--corpus", "none", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    tu_sub_t *sub = tu_sub_new (d->pub);
    char *done = clip_path_join (d->state, "done");
    char *dst = clip_path_join (d->inbox, "a.txt");
    const char *sources [] = { "000_9e0fcb074dd77aaf.txt", "001_3dbc5d8e002cb599.txt" };
    json_t *recs [2];
    for (int i = 0; i < 2; i++) {
        char *src = corpus_file (sources [i]);
        tu_drop (src, dst);
        recs [i] = receive_one (sub, tu_scaled_ms (60000));
        tu_wait_files (done, i + 1, tu_scaled_ms (20000));
        free (src);
    }
    cr_assert_str_eq (json_string_value (json_object_get (recs [0], "file")), "a.txt");
    cr_assert_null (json_object_get (recs [0], "stored_as"), "the first keeps its name");
    cr_assert_str_eq (json_string_value (json_object_get (recs [1], "file")), "a.txt");
    const char *stored = json_string_value (json_object_get (recs [1], "stored_as"));
    cr_assert_not_null (stored, "the second record says where its file went");
    cr_assert_str_eq (stored, "a.1.txt");

    /*  Each record's name holds that record's file: the bytes match.  */
    for (int i = 0; i < 2; i++) {
        char *src = corpus_file (sources [i]);
        char *kept = clip_path_join (done, i == 0 ? "a.txt" : stored);
        size_t a_len = 0, b_len = 0;
        char *a = tu_read (src, &a_len), *b = tu_read (kept, &b_len);
        cr_assert_not_null (b, "%s is in done/", kept);
        cr_assert (a_len == b_len && memcmp (a, b, a_len) == 0, "%s holds %s", kept, sources [i]);
        cr_assert_eq ((json_int_t) b_len, json_integer_value (json_object_get (recs [i], "bytes")));
        free (a);
        free (b);
        free (kept);
        free (src);
    }

    /*  Replayed from the log: the same name.  */
    char *clip = tu_bin ("clip/clip");
    const char *argv [] = { clip, "sub", "--since", "0", "--count", "2", "--timeout-ms", "20000",
                            "--replay", d->replay, d->pub, NULL };
    char *out = NULL;
    cr_assert_eq (tu_run (argv, &out, tu_scaled_ms (30000)), 0);
    char *second = out ? strchr (out, '\n') : NULL;
    cr_assert (second && strstr (second, "\"stored_as\":\"a.1.txt\""), "replay: %s", out);
    cr_assert (!strstr (out, "\"stored_as\"") || strstr (out, "\"stored_as\"") > second,
               "the first replayed record has no stored_as: %s", out);
    free (out);
    free (clip);

    for (int i = 0; i < 2; i++)
        json_decref (recs [i]);
    tu_sub_free (sub);
    cr_assert_eq (tu_daemon_stop (d), 0);
    tu_daemon_free (d);
    free (dst);
    free (done);
    tu_rmtree (dir);
    free (dir);
}
