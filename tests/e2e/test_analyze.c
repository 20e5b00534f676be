/*  clip analyze, end to end: the real program on the shipped Huawei
    articles, with a temporary corpus and with a state directory made by a
    real clipd.  */
#include <criterion/criterion.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "clip_util.h"
#include "testutil.h"

#define HUAWEI CLIP_SOURCE_DIR "/corpus/huawei"

static const char *const huawei [] = {
    HUAWEI "/000_9e0fcb074dd77aaf.txt", HUAWEI "/001_3dbc5d8e002cb599.txt",
    HUAWEI "/002_b2f4190119ca8e61.txt", HUAWEI "/003_209deb8297a06381.txt",
    HUAWEI "/004_a2dcec478da87fef.txt",
};

/*  What a test started, cleaned up by the suite's fini also after a failed
    assertion.  */
static char *s_dir;
static tu_daemon_t *s_daemon;

static void
cleanup (void)
{
    tu_suite_cleanup (&s_dir, &s_daemon);
}

TestSuite (analyze, .fini = cleanup);

/*  Run clip analyze with args (NULL-terminated, after "analyze"); returns
    the exit status and the parsed lines in lines [] (*n of them).  */
static int
run_analyze (const char *const *args, json_t **lines, int max, int *n)
{
    char *clip = tu_bin ("clip/clip");
    const char *argv [32] = { clip, "analyze" };
    int argc = 2;
    for (int i = 0; args [i]; i++)
        argv [argc++] = args [i];
    argv [argc] = NULL;
    char *out = NULL;
    int status = tu_run (argv, &out, 120000);
    *n = 0;
    for (const char *p = out; p && *p; ) {
        const char *nl = strchr (p, '\n');
        cr_assert_not_null (nl, "output does not end with a newline");
        json_error_t e;
        json_t *o = json_loadb (p, (size_t) (nl - p), 0, &e);
        cr_assert_not_null (o, "not JSON (%s): %.*s", e.text, (int) (nl - p), p);
        cr_assert_lt (*n, max);
        lines [(*n)++] = o;
        p = nl + 1;
    }
    free (out);
    free (clip);
    return status;
}

static void
free_lines (json_t **lines, int n)
{
    for (int i = 0; i < n; i++)
        json_decref (lines [i]);
}

static const char *
str (json_t *o, const char *key)
{
    return json_string_value (json_object_get (o, key));
}

static json_t *
dedupe (json_t *rec)
{
    return json_object_get (rec, "dedupe");
}

static json_t *
first_match (json_t *rec)
{
    return json_array_get (json_object_get (dedupe (rec), "matches"), 0);
}

/*  What every analyze record has and lacks.  */
static void
assert_offline_ok (json_t *rec, const char *file)
{
    cr_assert_str_eq (str (rec, "status"), "ok", "status of %s", file);
    cr_assert_str_eq (str (rec, "file"), file);
    cr_assert_null (json_object_get (rec, "seq"), "an offline record has no seq");
    cr_assert_null (json_object_get (rec, "received"));
    cr_assert_null (json_object_get (rec, "done"));
    cr_assert_eq (strlen (str (rec, "id")), 32);
    cr_assert_not_null (dedupe (rec));
}

Test (analyze, empty_corpus_and_earlier_files, .timeout = 120)
{
    char *dir = s_dir = tu_tempdir ("analyze");
    char *copy = clip_path_join (dir, "copy-of-000.txt");
    tu_drop (huawei [0], copy);
    json_t *lines [8];
    int n;
    const char *args [] = { "--corpus", "none", huawei [0], huawei [1], huawei [2], huawei [3],
                            huawei [4], copy, NULL };
    cr_assert_eq (run_analyze (args, lines, 8, &n), 0);
    cr_assert_eq (n, 6);
    for (int i = 0; i < 5; i++)
        assert_offline_ok (lines [i], huawei [i]);
    assert_offline_ok (lines [5], copy);
    cr_assert_str_eq (str (dedupe (lines [0]), "verdict"), "unique");
    cr_assert_eq (json_array_size (json_object_get (dedupe (lines [0]), "matches")), 0);
    cr_assert_str_eq (str (dedupe (lines [0]), "cluster"), str (lines [0], "id"));
    for (int i = 1; i < 5; i++)
        cr_assert_str_neq (str (dedupe (lines [i]), "verdict"), "duplicate");
    /*  The copy is judged against the files before it.  */
    cr_assert_str_eq (str (dedupe (lines [5]), "verdict"), "duplicate");
    cr_assert_str_eq (str (lines [5], "id"), str (lines [0], "id"));
    cr_assert_str_eq (str (first_match (lines [5]), "file"), huawei [0]);
    cr_assert_str_eq (str (dedupe (lines [5]), "cluster"), str (lines [0], "id"));
    free_lines (lines, n);
    free (copy);
}

Test (analyze, default_corpus, .timeout = 120)
{
    json_t *lines [8];
    int n;
    const char *args [] = { huawei [0], huawei [1], huawei [2], huawei [3], huawei [4], NULL };
    cr_assert_eq (run_analyze (args, lines, 8, &n), 0);
    cr_assert_eq (n, 5);
    for (int i = 0; i < 5; i++) {
        assert_offline_ok (lines [i], huawei [i]);
        cr_assert_str_eq (str (dedupe (lines [i]), "verdict"), "duplicate");
        json_t *m = first_match (lines [i]);
        /*  Seeded articles carry their own names and seq 0.  */
        cr_assert_str_eq (str (m, "file"), strrchr (huawei [i], '/') + 1);
        cr_assert_eq (json_integer_value (json_object_get (m, "seq")), 0);
        cr_assert_str_eq (str (m, "id"), str (lines [i], "id"));
    }
    free_lines (lines, n);
}

Test (analyze, unreadable_files, .timeout = 60)
{
    char *dir = s_dir = tu_tempdir ("analyze-bad");
    char *missing = clip_path_join (dir, "missing.txt");
    json_t *lines [4];
    int n;
    /*  A device is not a file (a folder is walked: analyze_folder_and_stdin).  */
    const char *args [] = { "--corpus", "none", missing, "/dev/null", huawei [3], NULL };
    cr_assert_eq (run_analyze (args, lines, 4, &n), 0);
    cr_assert_eq (n, 3);
    cr_assert_str_eq (str (lines [0], "status"), "failed");
    cr_assert_str_eq (str (lines [0], "file"), missing);
    json_t *err = json_object_get (lines [0], "error");
    cr_assert_str_eq (str (err, "code"), "unreadable");
    cr_assert_not_null (strstr (str (err, "message"), "No such file"), "%s", str (err, "message"));
    cr_assert_str_eq (str (json_object_get (lines [1], "error"), "code"), "not_a_file");
    cr_assert_str_eq (str (lines [1], "status"), "failed");
    assert_offline_ok (lines [2], huawei [3]);
    free_lines (lines, n);
    free (missing);
}

Test (analyze, bad_usage, .timeout = 60)
{
    json_t *lines [2];
    int n;
    const char *none [] = { "--corpus", "none", NULL };
    cr_assert_eq (run_analyze (none, lines, 2, &n), 2);
    const char *both [] = { "--corpus", "none", "--state", "/tmp", huawei [0], NULL };
    cr_assert_eq (run_analyze (both, lines, 2, &n), 2);
    const char *add [] = { "--add", huawei [0], NULL };
    cr_assert_eq (run_analyze (add, lines, 2, &n), 2);
    const char *bogus [] = { "--bogus", huawei [0], NULL };
    cr_assert_eq (run_analyze (bogus, lines, 2, &n), 2);
    /*  A state directory without a database is a setup failure.  */
    char *dir = s_dir = tu_tempdir ("analyze-nostate");
    const char *nostate [] = { "--state", dir, huawei [0], NULL };
    cr_assert_eq (run_analyze (nostate, lines, 2, &n), 1);
    cr_assert_eq (n, 0);
    char *db = clip_path_join (dir, "clipd.db");
    struct stat st;
    cr_assert_neq (stat (db, &st), 0, "a database was created");
    free (db);
}

static long long
corpus_count (const char *state)
{
    char *path = clip_path_join (state, "clipd.db");
    sqlite3 *db = NULL;
    cr_assert_eq (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    cr_assert_eq (sqlite3_prepare_v2 (db, "SELECT count(*) FROM corpus_articles", -1, &q, NULL),
                  SQLITE_OK);
    cr_assert_eq (sqlite3_step (q), SQLITE_ROW);
    long long count = sqlite3_column_int64 (q, 0);
    sqlite3_finalize (q);
    sqlite3_close (db);
    free (path);
    return count;
}

static const char article [] =
    "Offline analysis test article\n\n"
    "The harbour authority of a small coastal town announced on Tuesday that the\n"
    "old lighthouse will be restored over the next two summers, paid for by a\n"
    "local fund and volunteers who have collected donations since the storm.\n";

Test (analyze, state_dir, .timeout = 180)
{
    char *dir = s_dir = tu_tempdir ("analyze-state");
    /*  A state directory as clipd leaves it: the Huawei corpus seeded.  */
    tu_daemon_t *d = s_daemon = tu_daemon_start (dir, NULL);
    cr_assert_eq (tu_daemon_stop (d), 0);
    cr_assert_eq (corpus_count (d->state), 5);

    char *fresh = clip_path_join (dir, "fresh.txt");
    char *again = clip_path_join (dir, "fresh-again.txt");
    tu_write (fresh, article, sizeof article - 1);
    tu_write (again, article, sizeof article - 1);
    json_t *lines [4];
    int n;

    /*  Without --add: judged against the stored corpus and the earlier
        file, but nothing is stored.  */
    const char *look [] = { "--state", d->state, fresh, again, huawei [4], NULL };
    cr_assert_eq (run_analyze (look, lines, 4, &n), 0);
    cr_assert_eq (n, 3);
    cr_assert_str_eq (str (dedupe (lines [0]), "verdict"), "unique");
    cr_assert_str_eq (str (dedupe (lines [1]), "verdict"), "duplicate");
    cr_assert_str_eq (str (first_match (lines [1]), "file"), fresh);
    cr_assert_str_eq (str (dedupe (lines [2]), "verdict"), "duplicate");
    free_lines (lines, n);
    cr_assert_eq (corpus_count (d->state), 5, "the stored corpus changed without --add");

    /*  Still unknown to the stored corpus.  */
    const char *again_look [] = { "--state", d->state, again, NULL };
    cr_assert_eq (run_analyze (again_look, lines, 4, &n), 0);
    cr_assert_eq (n, 1);
    cr_assert_str_eq (str (dedupe (lines [0]), "verdict"), "unique");
    free_lines (lines, n);

    /*  With --add both rows are stored, the copy as a duplicate.  */
    const char *add [] = { "--state", d->state, "--add", fresh, again, NULL };
    cr_assert_eq (run_analyze (add, lines, 4, &n), 0);
    cr_assert_eq (n, 2);
    cr_assert_str_eq (str (dedupe (lines [0]), "verdict"), "unique");
    cr_assert_str_eq (str (dedupe (lines [1]), "verdict"), "duplicate");
    free_lines (lines, n);
    cr_assert_eq (corpus_count (d->state), 7);

    /*  And a later run sees them.  */
    cr_assert_eq (run_analyze (again_look, lines, 4, &n), 0);
    cr_assert_eq (n, 1);
    cr_assert_str_eq (str (dedupe (lines [0]), "verdict"), "duplicate");
    cr_assert_str_eq (str (first_match (lines [0]), "file"), fresh);
    cr_assert_eq (json_integer_value (json_object_get (first_match (lines [0]), "seq")), 0);
    free_lines (lines, n);
    cr_assert_eq (corpus_count (d->state), 7);

    free (fresh);
    free (again);
}

Test (analyze, max_entities, .timeout = 120)
{
    json_t *lines [2];
    int n;
    const char *capped [] = { "--corpus", "none", "--max-entities", "3", huawei [0], NULL };
    cr_assert_eq (run_analyze (capped, lines, 2, &n), 0);
    cr_assert_eq (n, 1);
    cr_assert_eq (json_array_size (json_object_get (lines [0], "entities")), 3);
    cr_assert (json_is_true (json_object_get (lines [0], "entities_truncated")));
    free_lines (lines, n);
    const char *plenty [] = { "--corpus", "none", huawei [0], NULL };
    cr_assert_eq (run_analyze (plenty, lines, 2, &n), 0);
    cr_assert_gt (json_array_size (json_object_get (lines [0], "entities")), 3);
    cr_assert_null (json_object_get (lines [0], "entities_truncated"));
    free_lines (lines, n);
    const char *bad [] = { "--corpus", "none", "--max-entities", "-1", huawei [0], NULL };
    cr_assert_eq (run_analyze (bad, lines, 2, &n), 2);
    const char *word [] = { "--corpus", "none", "--max-entities", "ten", huawei [0], NULL };
    cr_assert_eq (run_analyze (word, lines, 2, &n), 2);
}

/*  Run clip analyze (args after "analyze") with stdin from in_path, stdout
    into *out and stderr into *err (caller owns both).  */
static int
run_with_stdin (const char *in_path, const char *const *args, char **out, char **err)
{
    char *clip = tu_bin ("clip/clip");
    const char *argv [32] = { clip, "analyze" };
    int argc = 2;
    for (int i = 0; args [i]; i++)
        argv [argc++] = args [i];
    argv [argc] = NULL;
    char *out_path = clip_path_join (s_dir, "analyze.out");
    char *err_path = clip_path_join (s_dir, "analyze.err");
    pid_t pid = fork ();
    cr_assert_geq (pid, 0);
    if (pid == 0) {
        int in = open (in_path, O_RDONLY);
        int o = open (out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open (err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || o < 0 || e < 0)
            _exit (127);
        dup2 (in, STDIN_FILENO);
        dup2 (o, STDOUT_FILENO);
        dup2 (e, STDERR_FILENO);
        execv (argv [0], (char *const *) argv);
        _exit (127);
    }
    int status = tu_wait (pid, tu_scaled_ms (120000));
    *out = tu_read (out_path, NULL);
    *err = tu_read (err_path, NULL);
    cr_assert (*out && *err);
    free (out_path);
    free (err_path);
    free (clip);
    return status;
}

/*  A folder stands for the files under it, recursively and in name order,
    hidden names skipped; "-" is standard input; nothing is drawn on a
    stderr that is not a terminal (issue 11).  */
Test (analyze, analyze_folder_and_stdin, .timeout = 180)
{
    char *dir = s_dir = tu_tempdir ("analyze-folder");
    char *top = clip_path_join (dir, "in");
    char *deep = clip_path_join (top, "b/c");
    char *side = clip_path_join (top, "a");
    char *empty = clip_path_join (dir, "empty");
    cr_assert_eq (clip_mkdirs (deep, 0755), 0);
    cr_assert_eq (clip_mkdirs (side, 0755), 0);
    cr_assert_eq (clip_mkdirs (empty, 0755), 0);
    char *f1 = clip_path_join (deep, "001.txt");
    char *f0 = clip_path_join (side, "000.txt");
    char *hidden = clip_path_join (side, ".partial.txt");
    tu_drop (huawei [1], f1);
    tu_drop (huawei [0], f0);
    tu_write (hidden, article, sizeof article - 1);

    char *out, *err;
    json_t *lines [8];
    const char *args [] = { "--corpus", "none", top, empty, NULL };
    cr_assert_eq (run_with_stdin ("/dev/null", args, &out, &err), 0, "%s", err);
    int n = 0;
    for (char *p = out; *p; n++) {
        char *nl = strchr (p, '\n');
        cr_assert (nl && n < 8);
        lines [n] = json_loadb (p, (size_t) (nl - p), 0, NULL);
        cr_assert_not_null (lines [n]);
        p = nl + 1;
    }
    cr_assert_eq (n, 2, "the folder's two visible files: %s", out);
    cr_assert_str_eq (str (lines [0], "file"), f0);
    cr_assert_str_eq (str (lines [1], "file"), f1);
    cr_assert_str_eq (str (lines [0], "status"), "ok");
    cr_assert_str_eq (str (lines [1], "status"), "ok");
    cr_assert (strstr (err, "clip: analyze: ") && strstr (err, "no files in this folder"),
               "the empty folder is said: %s", err);
    cr_assert_null (strchr (err, '\r'), "no progress bar on a pipe: %s", err);
    char *id0 = clip_strdup (str (lines [0], "id"));
    free_lines (lines, n);
    free (out);
    free (err);

    /*  Standard input, judged against a file before it on the line.  */
    const char *stdin_args [] = { "--corpus", "none", huawei [0], "-", NULL };
    cr_assert_eq (run_with_stdin (huawei [0], stdin_args, &out, &err), 0, "%s", err);
    char *nl = strchr (out, '\n');
    cr_assert (nl && nl [1]);
    json_t *rec = json_loads (nl + 1, 0, NULL);
    cr_assert_not_null (rec, "%s", out);
    cr_assert_str_eq (str (rec, "file"), "-");
    cr_assert_str_eq (str (rec, "id"), id0);
    cr_assert_str_eq (str (dedupe (rec), "verdict"), "duplicate");
    json_decref (rec);
    free (out);
    free (err);
    const char *twice [] = { "--corpus", "none", "-", "-", NULL };
    cr_assert_eq (run_with_stdin ("/dev/null", twice, &out, &err), 2);
    cr_assert (strstr (err, "'-' (standard input) given 2 times"), "%s", err);
    free (out);
    free (err);
    free (id0);
    free (top); free (deep); free (side); free (empty); free (f0); free (f1); free (hidden);
}
