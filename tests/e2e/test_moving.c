/*  Files that must keep moving: a real clipd whose file moves fail for real
    (a folder replaced by a file, a file system out of inodes), whose inbox
    folder is replaced under it or lives on another file system, that meets
    names of 235-255 bytes across kill -9, and error files it did not
    write.  Real processes, real folders, real mounts (tmpfs, when root).  */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clip_record.h"
#include "clip_util.h"
#include "testutil.h"

/*  ------------------------------------------------------------------ */
/*  Helpers                                                             */


/*  The `file` of every record, in seq order (caller frees each and the
    array); *n set.  */
static char **
record_files (const char *state, int *n)
{
    char *path = clip_path_join (state, "clipd.db");
    sqlite3 *db;
    cr_assert_eq (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q;
    cr_assert_eq (sqlite3_prepare_v2 (db, "SELECT record FROM results ORDER BY seq", -1, &q, NULL),
                  SQLITE_OK);
    char **files = NULL;
    *n = 0;
    while (sqlite3_step (q) == SQLITE_ROW) {
        char err [256];
        clip_record_t *rec = clip_record_decode (sqlite3_column_blob (q, 0),
                                                 (size_t) sqlite3_column_bytes (q, 0), err, sizeof err);
        cr_assert_not_null (rec, "%s", err);
        files = clip_realloc (files, (size_t) (*n + 1) * sizeof *files);
        files [(*n)++] = clip_strdup (rec->file);
        clip_record_destroy (&rec);
    }
    sqlite3_finalize (q);
    sqlite3_close (db);
    free (path);
    return files;
}

static void
free_files (char **files, int n)
{
    for (int i = 0; i < n; i++)
        free (files [i]);
    free (files);
}

/*  Put text into the inbox under name by rename (a staging dot-file first):
    works for names of NAME_MAX bytes, which "name.tmp" would not.  */
static void
drop_text (const tu_daemon_t *d, const char *name, const char *text)
{
    char *tmp = clip_path_join (d->inbox, ".staging");
    char *dst = clip_path_join (d->inbox, name);
    tu_write (tmp, text, strlen (text));
    cr_assert_eq (rename (tmp, dst), 0, "rename to %s: %s", name, strerror (errno));
    free (tmp);
    free (dst);
}

typedef struct {
    const tu_daemon_t *d;
    unsigned status;
    const char *needle;
} health_wait_t;

static bool
health_is (void *arg)
{
    health_wait_t *w = arg;
    char *body = NULL;
    int status = tu_http_get (w->d->http, "/healthz", &body);
    bool yes = status == (int) w->status && (!w->needle || (body && strstr (body, w->needle)));
    free (body);
    return yes;
}

static void
wait_health (const tu_daemon_t *d, unsigned status, const char *needle, int ms)
{
    health_wait_t w = { d, status, needle };
    if (!tu_wait_for (health_is, &w, ms)) {
        char *body = NULL;
        int got = tu_http_get (d->http, "/healthz", &body);
        cr_assert_fail ("/healthz is %d %s, not %u with \"%s\"", got, body ? body : "", status,
                        needle ? needle : "");
    }
}

typedef struct {
    const char *dir;
    int n;
} count_wait_t;

static bool
count_is (void *arg)
{
    count_wait_t *w = arg;
    return tu_count_files (w->dir) == w->n;
}

static void
wait_count (const char *dir, int n, int ms)
{
    count_wait_t w = { dir, n };
    cr_assert (tu_wait_for (count_is, &w, ms), "%s holds %d files, not %d", dir, tu_count_files (dir), n);
}

static bool
exists (const char *dir, const char *name)
{
    char *path = clip_path_join (dir, name);
    struct stat st;
    bool yes = lstat (path, &st) == 0;
    free (path);
    return yes;
}

/*  A name of len bytes, distinct per tag, ending in ".txt".  */
static char *
long_name (char tag, size_t len)
{
    char *name = clip_malloc (len + 1);
    name [0] = tag;
    for (size_t i = 1; i < len - 4; i++)
        name [i] = (char) ('a' + i % 26);
    memcpy (name + len - 4, ".txt", 5);
    return name;
}

/*  The tmpfs a test mounted, until it unmounts it: a failed assertion ends
    the test before its own umount2, so the suite's fini detaches what is
    left rather than leave a mount on the machine.  */
static char *s_mounted;

static bool
mount_tmpfs (const char *path, const char *options)
{
    if (mount ("tmpfs", path, "tmpfs", 0, options) != 0) {
        cr_log_warn ("cannot mount a tmpfs at %s (%s): this test needs root", path, strerror (errno));
        return false;
    }
    s_mounted = clip_strdup (path);
    return true;
}

static void
unmount_tmpfs (const char *path)
{
    cr_assert_eq (umount2 (path, MNT_DETACH), 0, "umount %s: %s", path, strerror (errno));
    free (s_mounted);
    s_mounted = NULL;
}

static void
moving_fini (void)
{
    if (s_mounted) {
        if (umount2 (s_mounted, MNT_DETACH) != 0)
            cr_log_error ("cannot unmount %s: %s", s_mounted, strerror (errno));
        free (s_mounted);
        s_mounted = NULL;
    }
}

TestSuite (moving, .fini = moving_fini);

/*  A text longer than --max-bytes 16: such files fail (too_large) without
    a worker, which makes the whole claim, commit, move path quick.  */
#define BIG "this article is longer than sixteen bytes\n"

/*  ------------------------------------------------------------------ */
/*  Defect 4: a committed file whose move fails                         */

/*  failed/ replaced by a regular file: the move of a failed article fails
    (ENOTDIR) on every attempt.  It is counted, shown on /healthz with the
    file's name, retried with back-off, and once failed/ is a folder again
    the file leaves processing/ with no restart and exactly one record.  */
Test (moving, a_move_that_fails_is_retried_counted_reported_and_completes)
{
    char *dir = tu_tempdir ("moving");
    const char *extra [] = { "--corpus", "none", "--max-bytes", "16", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    char *failed = clip_path_join (d->state, "failed");
    char *processing = clip_path_join (d->state, "processing");
    cr_assert_eq (rmdir (failed), 0);
    tu_write (failed, "not a folder", 12);

    drop_text (d, "stuck.txt", BIG);
    tu_wait_log (d, "event=retire_failed", 1, 15000);
    cr_assert_eq (tu_count_files (processing), 1, "the committed file waits in processing/");
    cr_assert_geq (tu_metric (d, "clipd_retire_failures_total"), 1);
    cr_assert_eq (tu_metric (d, "clipd_retire_backlog"), 1);
    wait_health (d, 503, "stuck.txt", 5000);
    wait_health (d, 503, "1 committed files cannot be moved", 5000);
    /*  It is retried: more failures while it lasts.  */
    tu_wait_log (d, "attempts=2", 1, 15000);
    cr_assert_geq (tu_metric (d, "clipd_retire_failures_total"), 2);

    cr_assert_eq (unlink (failed), 0);
    cr_assert_eq (mkdir (failed, 0755), 0);
    wait_count (processing, 0, 30000);
    cr_assert (exists (failed, "stuck.txt"));
    cr_assert (exists (failed, "stuck.txt.error.json"));
    wait_health (d, 200, NULL, 5000);
    cr_assert_eq (tu_metric (d, "clipd_retire_backlog"), 0);
    cr_assert_eq (tu_daemon_stop (d), 0);
    cr_assert_eq (tu_db_int (d->state, "SELECT count(*) FROM results"), 1, "exactly one record");
    tu_daemon_free (d);
    free (failed);
    free (processing);
    tu_rmtree (dir);
    free (dir);
}

/*  The issue's own case: no inode left for NAME.error.json (a tmpfs with
    few inodes holding the whole working folder).  The file stays in
    processing/, is retried, and moves on once inodes are freed.  */
Test (moving, no_inode_for_the_error_file_then_inodes_freed)
{
    char *dir = tu_tempdir ("moving");
    if (!mount_tmpfs (dir, "size=64m,nr_inodes=400")) {
        tu_rmtree (dir);
        free (dir);
        cr_skip_test ("mount(2) not permitted");
    }
    const char *extra [] = { "--corpus", "none", "--max-bytes", "16", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    char *failed = clip_path_join (d->state, "failed");
    char *processing = clip_path_join (d->state, "processing");
    char *staging = clip_path_join (d->inbox, ".staging");
    tu_write (staging, BIG, strlen (BIG));
    /*  Use up every inode left.  */
    char *fill = clip_path_join (dir, "fill");
    cr_assert_eq (mkdir (fill, 0755), 0);
    int filled = 0;
    for (;; filled++) {
        char name [32];
        snprintf (name, sizeof name, "%d", filled);
        char *p = clip_path_join (fill, name);
        int fd = open (p, O_WRONLY | O_CREAT | O_EXCL, 0644);
        free (p);
        if (fd < 0) {
            cr_assert_eq (errno, ENOSPC, "%s", strerror (errno));
            break;
        }
        close (fd);
    }
    char *dst = clip_path_join (d->inbox, "v.txt");
    cr_assert_eq (rename (staging, dst), 0);
    tu_wait_log (d, "event=retire_failed", 1, 15000);
    cr_assert_geq (tu_log_count (d, "No space left on device"), 1, "it failed for want of an inode");
    cr_assert_eq (tu_count_files (processing), 1);
    cr_assert_geq (tu_metric (d, "clipd_retire_failures_total"), 1);
    wait_health (d, 503, "v.txt", 5000);

    for (int i = 0; i < filled; i++) {
        char name [32];
        snprintf (name, sizeof name, "%d", i);
        char *p = clip_path_join (fill, name);
        unlink (p);
        free (p);
    }
    wait_count (processing, 0, 30000);
    cr_assert (exists (failed, "v.txt"));
    cr_assert (exists (failed, "v.txt.error.json"));
    wait_health (d, 200, NULL, 5000);
    cr_assert_eq (tu_daemon_stop (d), 0);
    cr_assert_eq (tu_db_int (d->state, "SELECT count(*) FROM results"), 1, "exactly one record");
    tu_daemon_free (d);
    free (dst); free (fill); free (staging); free (failed); free (processing);
    unmount_tmpfs (dir);
    tu_rmtree (dir);
    free (dir);
}

/*  ------------------------------------------------------------------ */
/*  Defect 11: only clipd's own error files are reused                  */

/*  An error file at NAME.error.json whose seq is the one the article is
    about to get, but which clipd did not write: one planted in failed/, one
    that came through the inbox as an article of its own.  Neither is
    adopted; each article gets its own error file under a free name.  */
Test (moving, a_planted_error_file_with_the_next_seq_is_not_adopted)
{
    char *dir = tu_tempdir ("moving");
    const char *extra [] = { "--corpus", "none", "--max-bytes", "16", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    char *failed = clip_path_join (d->state, "failed");

    /*  Through the inbox: w.txt.error.json, an article (too large: failed,
        seq 1), lands as failed/w.txt.error.json and claims seq 2.  */
    const char *w_planted = "{\"file\": \"w.txt\", \"seq\": 2, \"error\": {\"code\": \"planted\"}}\n";
    drop_text (d, "w.txt.error.json", w_planted);
    tu_wait_files (failed, 2, 15000);
    char *w_json = clip_path_join (failed, "w.txt.error.json");
    char *got = tu_read (w_json, NULL);
    cr_assert_str_eq (got, w_planted);
    free (got);
    drop_text (d, "w.txt", BIG);
    tu_wait_files (failed, 4, 15000);

    /*  Planted in failed/ by hand, for seq 3.  */
    const char *v_planted = "{\"file\": \"v.txt\", \"seq\": 3, \"error\": {\"code\": \"planted\"}}\n";
    char *v_json = clip_path_join (failed, "v.txt.error.json");
    tu_write (v_json, v_planted, strlen (v_planted));
    drop_text (d, "v.txt", BIG);
    tu_wait_files (failed, 7, 15000);
    cr_assert_eq (tu_daemon_stop (d), 0);
    cr_assert_eq (tu_db_int (d->state, "SELECT max(seq) FROM results"), 3);

    got = tu_read (w_json, NULL);
    cr_assert_str_eq (got, w_planted, "the article w.txt.error.json is untouched");
    free (got);
    got = tu_read (v_json, NULL);
    cr_assert_str_eq (got, v_planted, "the planted v.txt.error.json is untouched");
    free (got);
    const char *own [2][2] = { { "w.1.txt", "w.1.txt.error.json" }, { "v.1.txt", "v.1.txt.error.json" } };
    const char *file [2] = { "\"file\": \"w.txt\"", "\"file\": \"v.txt\"" };
    for (int i = 0; i < 2; i++) {
        cr_assert (exists (failed, own [i][0]), "%s", own [i][0]);
        char *p = clip_path_join (failed, own [i][1]);
        got = tu_read (p, NULL);
        cr_assert_not_null (got, "%s was written", own [i][1]);
        cr_assert (strstr (got, file [i]) && strstr (got, "too_large"), "%s", got);
        free (got);
        free (p);
    }
    cr_assert (!exists (failed, "w.txt") && !exists (failed, "v.txt"),
               "no article beside an error file that is not its own");
    tu_daemon_free (d);
    free (w_json); free (v_json); free (failed);
    tu_rmtree (dir);
    free (dir);
}

/*  ------------------------------------------------------------------ */
/*  Defect 8: names of 235-255 bytes                                    */

/*  Files named with 235 to 255 bytes: claimed with no worker connected,
    so they sit in processing/ under shortened claim names; kill -9; the
    restart, with a worker, analyses them and every record's `file` is the
    full inbox name.  Then more such names, processed without a crash.  */
Test (moving, names_of_235_to_255_bytes_keep_their_full_name_across_kill_9)
{
    char *dir = tu_tempdir ("moving");
    const char *no_workers [] = { "--corpus", "none", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, no_workers);
    char *done = clip_path_join (d->state, "done");
    char *processing = clip_path_join (d->state, "processing");
    int n = NAME_MAX - 235 + 1;
    char **names = clip_calloc (2 * (size_t) n, sizeof *names);
    for (int i = 0; i < n; i++) {
        names [i] = long_name ('a', 235 + (size_t) i);
        char *text = clip_strprintf ("Article %d. Huawei opened an office in Berlin on Monday, "
                                     "the company said.\n", i);
        drop_text (d, names [i], text);
        free (text);
    }
    tu_wait_log (d, "event=claimed", n, 15000);
    wait_count (d->inbox, 0, 15000);
    tu_daemon_kill (d);
    tu_daemon_free (d);

    const char *workers [] = { "--corpus", "none", "--workers", "1", NULL };
    d = tu_daemon_start (dir, workers);
    tu_wait_files (done, n, 60000);
    for (int i = 0; i < n; i++) {
        names [n + i] = long_name ('b', 235 + (size_t) i);
        char *text = clip_strprintf ("Second %d. Siemens hired staff in Munich, a spokesman said.\n", i);
        drop_text (d, names [n + i], text);
        free (text);
    }
    tu_wait_files (done, 2 * n, 60000);
    wait_count (processing, 0, 15000);      /* no sidecar left behind either */
    cr_assert_eq (tu_daemon_stop (d), 0);

    int got_n = 0;
    char **files = record_files (d->state, &got_n);
    cr_assert_eq (got_n, 2 * n, "one record per file");
    for (int i = 0; i < 2 * n; i++) {
        bool found = false;
        for (int j = 0; j < got_n && !found; j++)
            found = strcmp (files [j], names [i]) == 0;
        cr_assert (found, "a record names %s in full", names [i]);
        cr_assert (exists (done, names [i]), "done/ holds %zu-byte %s", strlen (names [i]), names [i]);
    }
    free_files (files, got_n);
    for (int i = 0; i < 2 * n; i++)
        free (names [i]);
    free (names);
    tu_daemon_free (d);
    free (done);
    free (processing);
    tu_rmtree (dir);
    free (dir);
}

/*  Long names that fail: NAME.error.json would exceed NAME_MAX, so both
    names are shortened deterministically (the error file holds the full
    name); nothing stays in processing/.  */
Test (moving, long_names_that_fail_get_their_error_file)
{
    char *dir = tu_tempdir ("moving");
    const char *extra [] = { "--corpus", "none", "--max-bytes", "16", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    char *failed = clip_path_join (d->state, "failed");
    char *processing = clip_path_join (d->state, "processing");
    const size_t lens [] = { 240, 250, NAME_MAX, NAME_MAX };
    for (int i = 0; i < 4; i++) {
        /*  The last two share their name: the second gets a suffix.  */
        char *name = long_name ('c', lens [i]);
        drop_text (d, name, BIG);
        free (name);
        tu_wait_files (failed, 2 * (i + 1), 15000);
    }
    wait_count (processing, 0, 15000);
    cr_assert_eq (tu_log_count (d, "event=retire_failed"), 0);
    cr_assert_eq (tu_daemon_stop (d), 0);
    /*  Every error file names its article in full.  */
    char *full = long_name ('c', NAME_MAX);
    char *cmd = clip_strprintf ("grep -l '%s' '%s'/*.error.json | wc -l", full, failed);
    char *out = NULL;
    const char *argv [] = { "/bin/sh", "-c", cmd, NULL };
    cr_assert_eq (tu_run (argv, &out, 10000), 0);
    cr_assert_eq (atoi (out), 2, "two error files name the 255-byte article: %s", out);
    free (out); free (cmd); free (full);
    cr_assert_eq (tu_db_int (d->state, "SELECT count(*) FROM results"), 4);
    tu_daemon_free (d);
    free (failed);
    free (processing);
    tu_rmtree (dir);
    free (dir);
}

/*  ------------------------------------------------------------------ */
/*  Defect 5: the inbox folder replaced, or on another file system      */

Test (moving, a_replaced_inbox_folder_is_watched_again)
{
    char *dir = tu_tempdir ("moving");
    const char *extra [] = { "--corpus", "none", "--max-bytes", "16", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    char *failed = clip_path_join (d->state, "failed");

    char *cmd = clip_strprintf ("rm -rf '%s' && mkdir '%s'", d->inbox, d->inbox);
    const char *argv [] = { "/bin/sh", "-c", cmd, NULL };
    cr_assert_eq (tu_run (argv, NULL, 10000), 0);
    tu_wait_log (d, "event=inbox_rewatched", 1, 15000);
    drop_text (d, "after-rm.txt", BIG);
    tu_wait_files (failed, 2, 15000);
    cr_assert (exists (failed, "after-rm.txt"));

    char *old = clip_path_join (dir, "inbox.old");
    cr_assert_eq (rename (d->inbox, old), 0);
    cr_assert_eq (mkdir (d->inbox, 0755), 0);
    tu_wait_log (d, "event=inbox_rewatched", 2, 15000);
    drop_text (d, "after-mv.txt", BIG);
    tu_wait_files (failed, 4, 15000);
    cr_assert (exists (failed, "after-mv.txt"));
    cr_assert_geq (tu_metric (d, "clipd_inbox_rewatched_total"), 2);

    /*  The path taken by a file: nothing can be watched, and /healthz says
        so until the folder is back.  */
    char *cmd2 = clip_strprintf ("rm -rf '%s' && echo x > '%s'", d->inbox, d->inbox);
    const char *argv2 [] = { "/bin/sh", "-c", cmd2, NULL };
    cr_assert_eq (tu_run (argv2, NULL, 10000), 0);
    wait_health (d, 503, "inbox", 15000);
    cr_assert_eq (tu_metric (d, "clipd_inbox_unwatched"), 1);
    cr_assert_eq (unlink (d->inbox), 0);
    cr_assert_eq (mkdir (d->inbox, 0755), 0);
    wait_health (d, 200, NULL, 15000);
    drop_text (d, "back.txt", BIG);
    tu_wait_files (failed, 6, 15000);
    cr_assert_eq (tu_daemon_stop (d), 0);
    cr_assert_eq (tu_db_int (d->state, "SELECT count(*) FROM results"), 3);
    tu_daemon_free (d);
    free (cmd); free (cmd2); free (old); free (failed);
    tu_rmtree (dir);
    free (dir);
}

/*  The inbox on a tmpfs, the state on the disk (as a docker bind mount and
    a named volume): every claim is a copy, each file analysed once, the
    inbox emptied, nothing left in processing/.  */
Test (moving, an_inbox_on_another_file_system_is_claimed_by_copy)
{
    char *dir = tu_tempdir ("moving");
    char *inbox = clip_path_join (dir, "inbox");
    cr_assert_eq (mkdir (inbox, 0755), 0);
    if (!mount_tmpfs (inbox, "size=16m")) {
        tu_rmtree (dir);
        free (dir);
        free (inbox);
        cr_skip_test ("mount(2) not permitted");
    }
    const char *extra [] = { "--corpus", "none", "--workers", "1", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    char *done = clip_path_join (d->state, "done");
    char *processing = clip_path_join (d->state, "processing");
    char *lname = long_name ('d', NAME_MAX);
    const char *names [] = { "one.txt", "two.txt", "three.txt", lname };
    for (int i = 0; i < 4; i++) {
        char *text = clip_strprintf ("Report %d. Huawei and Ericsson met regulators in Brussels on "
                                     "Tuesday, officials said.\n", i);
        drop_text (d, names [i], text);
        free (text);
    }
    tu_wait_files (done, 4, 60000);
    wait_count (processing, 0, 15000);
    cr_assert_eq (tu_count_files (inbox), 0);
    cr_assert_eq (tu_metric (d, "clipd_claims_copied_total"), 4);
    cr_assert_eq (tu_log_count (d, "event=claim_failed"), 0);
    cr_assert_eq (tu_log_count (d, "event=claim_by_copy"), 1, "said once");
    cr_assert_eq (tu_daemon_stop (d), 0);
    int n = 0;
    char **files = record_files (d->state, &n);
    cr_assert_eq (n, 4);
    for (int i = 0; i < 4; i++)
        cr_assert (exists (done, names [i]), "%s", names [i]);
    free_files (files, n);
    tu_daemon_free (d);
    free (lname); free (done); free (processing);
    unmount_tmpfs (inbox);
    free (inbox);
    tu_rmtree (dir);
    free (dir);
}
