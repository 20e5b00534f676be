/*  No worker outlives its clipd, even one that was still starting when
    clipd died (issue 9, defect 7): a real clipd --workers 2 is killed with
    SIGKILL at varied moments right after it spawned its workers, and every
    clip-worker it started must be gone within a bounded time.

    The workers are found through /proc, by a variable this test puts in
    clipd's environment (which its workers inherit), so that a worker is
    found whatever its parent has become and however early it was
    orphaned.  */
#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clip_util.h"
#include "testutil.h"

#define TAG_NAME "CLIP_TEST_ORPHAN_TAG"
#define MAX_FOUND 256

/*  The pids of the live (not zombie) clip-worker processes whose
    environment holds TAG_NAME=tag.  Returns their number.  */
static int
find_tagged_workers (const char *tag, pid_t *pids, int max)
{
    char *needle = clip_strprintf ("%s=%s", TAG_NAME, tag);
    size_t needle_len = strlen (needle) + 1;    /* with its NUL */
    int n = 0;
    DIR *proc = opendir ("/proc");
    cr_assert_not_null (proc);
    struct dirent *e;
    while ((e = readdir (proc)) && n < max) {
        if (!isdigit ((unsigned char) e->d_name [0]))
            continue;
        pid_t pid = (pid_t) atoi (e->d_name);
        char path [64];
        snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
        size_t len = 0;
        char *stat = tu_read (path, &len);
        /*  "pid (comm) S ...": a zombie has exited already.  */
        char *close_paren = stat ? strrchr (stat, ')') : NULL;
        bool live = close_paren && close_paren [1] == ' ' && close_paren [2] != 'Z'
                 && strstr (stat, "(clip-worker)") != NULL;
        free (stat);
        if (!live)
            continue;
        snprintf (path, sizeof path, "/proc/%d/environ", (int) pid);
        char *env = tu_read (path, &len);
        for (size_t at = 0; env && at < len; at += strlen (env + at) + 1)
            if (len - at >= needle_len && memcmp (env + at, needle, needle_len) == 0) {
                pids [n++] = pid;
                break;
            }
        free (env);
    }
    closedir (proc);
    free (needle);
    return n;
}

typedef struct {
    const char *tag;
    int left;
} orphans_t;

static bool
no_orphans_left (void *arg)
{
    orphans_t *o = arg;
    pid_t pids [MAX_FOUND];
    o->left = find_tagged_workers (o->tag, pids, MAX_FOUND);
    return o->left == 0;
}

static void
sleep_ms (int ms)
{
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
    nanosleep (&ts, NULL);
}

Test (orphans, no_worker_outlives_a_clipd_killed_while_it_starts, .timeout = 280)
{
    char tag [64];
    snprintf (tag, sizeof tag, "%d-%llu", (int) getpid (), (unsigned long long) clip_now_ms ());
    /*  Inherited by clipd (tu_spawn keeps the environment) and so by every
        worker it starts.  */
    cr_assert_eq (setenv (TAG_NAME, tag, 1), 0);
    /*  A worker takes a few hundred ms to start (the NER model): kills
        from the moment it was spawned through and after that window.  */
    static const int delays_ms [] = { 0, 0, 10, 25, 50, 80, 120, 180, 250, 400, 700 };
    int rounds = (int) (sizeof delays_ms / sizeof delays_ms [0]);
    int spawned = 0;
    for (int i = 0; i < rounds; i++) {
        char *dir = tu_tempdir ("orphans");
        const char *extra [] = { "--workers", "2", "--corpus", "none", NULL };
        tu_daemon_t *d = tu_daemon_start (dir, extra);
        tu_wait_log (d, "event=worker_spawned", 2, 10000);
        sleep_ms (delays_ms [i]);
        tu_daemon_kill (d);
        spawned += tu_log_count (d, "event=worker_spawned");
        tu_daemon_free (d);
        tu_rmtree (dir);
        free (dir);
    }
    cr_assert_geq (spawned, 2 * rounds);
    /*  Each worker must notice: a worker that starts after its clipd died
        exits at once, one that was running gets SIGTERM from the kernel.
        20 s is far more than either takes, even on a loaded machine.  */
    orphans_t o = { tag, 0 };
    bool clean = tu_wait_for (no_orphans_left, &o, 20000);
    if (!clean) {
        /*  Leave nothing behind, then fail naming what survived.  */
        pid_t pids [MAX_FOUND];
        int n = find_tagged_workers (tag, pids, MAX_FOUND);
        char list [1024] = "";
        for (int i = 0; i < n; i++) {
            size_t used = strlen (list);
            snprintf (list + used, sizeof list - used, " %d", (int) pids [i]);
            kill (pids [i], SIGKILL);
        }
        cr_assert_fail ("%d of the %d workers outlived their killed clipd by 20 s:%s",
                        n, spawned, list);
    }
    unsetenv (TAG_NAME);
}
