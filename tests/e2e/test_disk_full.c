/*  End to end: the state disk full.  clipd's inbox and state live on a
    small tmpfs mounted for the test (root only: skipped otherwise); once
    it is full, commits to the results log fail for real (SQLITE_FULL),
    /healthz must say 503 with the reason, and once space is freed clipd
    resumes by itself: /healthz 200 again, each file recorded exactly
    once.  */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clip_util.h"
#include "testutil.h"

typedef struct {
    const char *http;
    int want;                   /* status */
    const char *needle;         /* in the body, or NULL */
    char *last;                 /* the last body (owned) */
} health_wait_t;

static bool
health_is (void *arg)
{
    health_wait_t *w = arg;
    free (w->last);
    w->last = NULL;
    int status = tu_http_get (w->http, "/healthz", &w->last);
    return status == w->want && (!w->needle || (w->last && strstr (w->last, w->needle)));
}

/*  Fill the file system holding path with one file until ENOSPC.  */
static void
fill (const char *path)
{
    int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    cr_assert_geq (fd, 0, "%s: %s", path, strerror (errno));
    char block [65536];
    memset (block, 'x', sizeof block);
    for (;;) {
        ssize_t n = write (fd, block, sizeof block);
        if (n <= 0)
            break;
    }
    /*  Then the last bytes, one at a time.  */
    while (write (fd, block, 1) == 1) {
    }
    close (fd);
}

/*  The mount point, detached even when an assertion ends the test.  */
static char *mounted;

static void
unmount_fini (void)
{
    if (mounted) {
        umount2 (mounted, MNT_DETACH);
        tu_rmtree (mounted);
        free (mounted);
        mounted = NULL;
    }
}

/*  Occurrences of "file": "<name>" in clip sub's JSON lines.  */
static int
records_for (const char *all, const char *file)
{
    char *needle = clip_strprintf ("\"file\":\"%s\",\"bytes\"", file);
    int n = 0;
    for (const char *p = all; (p = strstr (p, needle)); p++)
        n++;
    free (needle);
    return n;
}

Test (disk_full, health_says_503_while_commits_fail, .timeout = 240, .fini = unmount_fini)
{
    if (geteuid () != 0)
        cr_skip_test ("needs root to mount a small tmpfs for the state folder");
    char *dir = tu_tempdir ("disk-full");
    if (mount ("clipd-test", dir, "tmpfs", 0, "size=4m") != 0) {
        int e = errno;
        tu_rmtree (dir);
        cr_skip_test ("cannot mount a tmpfs on %s: %s", dir, strerror (e));
    }
    mounted = dir;
    const char *extra [] = { "--corpus", "none", "--workers", "1", "--settle-ms", "50", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    char *done = clip_path_join (d->state, "done");

    /*  A first file goes through: the database exists and is in use.  */
    char *src = clip_strprintf ("%s/corpus/huawei/000_9e0fcb074dd77aaf.txt", CLIP_SOURCE_DIR);
    char *dst = clip_path_join (d->inbox, "first.txt");
    tu_drop (src, dst);
    tu_wait_files (done, 1, 120000);

    /*  The next articles are staged on the same file system, the file
        system is filled, then they are renamed into the inbox (a rename
        needs no space).  Each is large enough that its commit must grow
        the database's write-ahead log.  */
    char *staging = clip_path_join (dir, "staging");
    cr_assert_eq (mkdir (staging, 0755), 0);
    const char *names [] = { "a.txt", "b.txt", "c.txt" };
    size_t article_len;
    char *article = tu_read (src, &article_len);
    cr_assert_not_null (article);
    for (int i = 0; i < 3; i++) {
        char *path = clip_path_join (staging, names [i]);
        FILE *f = fopen (path, "w");
        cr_assert_not_null (f);
        for (int k = 0; k < 40; k++)
            fprintf (f, "Part %d of %s, copy %d.\n\n%.*s\n", k, names [i], k, (int) article_len, article);
        fclose (f);
        free (path);
    }
    char *filler = clip_path_join (dir, "filler");
    fill (filler);
    for (int i = 0; i < 3; i++) {
        char *from = clip_path_join (staging, names [i]);
        char *to = clip_path_join (d->inbox, names [i]);
        cr_assert_eq (rename (from, to), 0, "%s", strerror (errno));
        free (from);
        free (to);
    }

    health_wait_t w = { d->http, 503, "commits to the results log are failing", NULL };
    cr_assert (tu_wait_for (health_is, &w, 120000),
               "/healthz did not report failing commits: %s", w.last ? w.last : "(none)");
    cr_log_info ("while full: %s", w.last);
    cr_assert (strstr (w.last, "full"), "the reason carries SQLite's error: %s", w.last);
    cr_assert_eq (tu_count_files (done), 1, "nothing was retired while commits fail");

    /*  Space again: clipd resumes by itself.  */
    cr_assert_eq (unlink (filler), 0);
    w.want = 200;
    w.needle = "\"status\": \"ok\"";
    cr_assert (tu_wait_for (health_is, &w, 120000), "/healthz did not recover: %s",
               w.last ? w.last : "(none)");
    tu_wait_files (done, 4, 120000);

    /*  Every record, from the results log: one per file, seq 1..4.  */
    char *clip = tu_bin ("clip/clip");
    const char *argv [] = { clip, "sub", "--since", "0", "--count", "4", "--timeout-ms", "20000",
                            "--replay", d->replay, d->pub, NULL };
    char *all = NULL;
    cr_assert_eq (tu_run (argv, &all, 60000), 0, "clip sub failed: %s", all ? all : "");
    for (int i = 0; i < 3; i++)
        cr_assert_eq (records_for (all, names [i]), 1, "%s recorded once: %s", names [i], all);
    cr_assert_eq (records_for (all, "first.txt"), 1);
    cr_assert_eq (tu_daemon_stop (d), 0);
    cr_assert_eq (tu_count_files (done), 4, "each file retired once");
    char *db_path = clip_path_join (d->state, "clipd.db");
    free (all);
    free (clip);

    free (w.last);
    free (db_path);
    free (filler);
    free (article);
    free (staging);
    free (dst);
    free (src);
    free (done);
    tu_daemon_free (d);
}
