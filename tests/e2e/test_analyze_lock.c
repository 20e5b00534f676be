/*  clip analyze --add never writes into a running clipd's corpus (issue 9,
    defect 12): like clip corpus import and compact, it refuses while a real
    clipd holds the state folder, names that clipd, changes nothing, and
    works once clipd has stopped.  */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clip_util.h"
#include "testutil.h"

#define ARTICLE CLIP_SOURCE_DIR "/corpus/huawei/002_b2f4190119ca8e61.txt"

static char *s_dir;
static tu_daemon_t *s_daemon;

static void
cleanup (void)
{
    tu_suite_cleanup (&s_dir, &s_daemon);
}

TestSuite (analyze_lock, .fini = cleanup);

/*  Rows in the state database's corpus, read as any reader would (WAL
    lets it read beside clipd).  */
static long long
corpus_rows (const char *state)
{
    return tu_db_int (state, "SELECT count (*) FROM corpus_articles");
}

/*  Run clip analyze args... (NULL-terminated); returns the exit status,
    stdout and stderr (caller owns both).  */
static int
run_analyze (const char *const *args, char **out, char **err)
{
    char *clip = tu_bin ("clip/clip");
    const char *argv [16] = { clip, "analyze" };
    int argc = 2;
    for (int i = 0; args [i]; i++)
        argv [argc++] = args [i];
    argv [argc] = NULL;
    char *out_path = clip_path_join (s_dir, "analyze.out");
    char *err_path = clip_path_join (s_dir, "analyze.err");
    unlink (out_path);
    unlink (err_path);
    pid_t pid = tu_spawn (argv, out_path, err_path);
    int status = tu_wait (pid, 120000);
    *out = tu_read (out_path, NULL);
    *err = tu_read (err_path, NULL);
    cr_assert_not_null (*out);
    cr_assert_not_null (*err);
    free (out_path);
    free (err_path);
    free (clip);
    return status;
}

Test (analyze_lock, add_refuses_while_clipd_runs_and_works_after)
{
    s_dir = tu_tempdir ("analyze_lock");
    /*  The shipped corpus is seeded at the first start: 5 articles.  */
    s_daemon = tu_daemon_start (s_dir, NULL);
    char *state = clip_strdup (s_daemon->state);
    long long before = corpus_rows (state);
    cr_assert_gt (before, 0);
    char *article = clip_path_join (s_dir, "new.txt");
    const char *text = "Ericsson and Nokia announced a joint research centre in Espoo on "
                       "Tuesday, with two hundred engineers working on radio access networks.\n";
    tu_write (article, text, strlen (text));

    const char *add [] = { "--state", state, "--add", article, NULL };
    char *out, *err;
    int status = run_analyze (add, &out, &err);
    cr_assert_neq (status, 0, "refused while clipd runs; stdout: %s", out);
    cr_assert_eq (status, 1, "a failure, not bad usage: %s", err);
    cr_assert_not_null (strstr (err, "running clipd"), "says why: %s", err);
    char pid [32];
    snprintf (pid, sizeof pid, "pid %d", (int) s_daemon->pid);
    cr_assert_not_null (strstr (err, pid), "names the running clipd (%s): %s", pid, err);
    cr_assert_str_eq (out, "", "nothing analysed");
    free (out);
    free (err);
    cr_assert_eq (corpus_rows (state), before, "the corpus is unchanged");

    /*  Without --add it only reads, and may run beside clipd.  */
    const char *look [] = { "--state", state, article, NULL };
    cr_assert_eq (run_analyze (look, &out, &err), 0, "%s", err);
    cr_assert_not_null (strstr (out, "\"verdict\":\"unique\""), "%s", out);
    free (out);
    free (err);
    cr_assert_eq (corpus_rows (state), before);

    /*  clipd gone, the lock is free: --add adds.  */
    cr_assert_eq (tu_daemon_stop (s_daemon), 0);
    tu_daemon_free (s_daemon);
    s_daemon = NULL;
    cr_assert_eq (run_analyze (add, &out, &err), 0, "%s", err);
    cr_assert_not_null (strstr (out, "\"verdict\":\"unique\""), "%s", out);
    free (out);
    free (err);
    cr_assert_eq (corpus_rows (state), before + 1);
    free (article);
    free (state);
}
