/*  End to end: the commit's settings rows (commit-batch-max,
    commit-delay-ms, db-mmap-mib) reach a real clipd and change what it
    does, seen from outside: the commits counted on /metrics, when a record
    is published, and what clipd maps of its state database.  */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clip_util.h"
#include "testutil.h"

#define HUAWEI CLIP_SOURCE_DIR "/corpus/huawei"

static const char *const huawei [] = {
    "000_9e0fcb074dd77aaf.txt", "001_3dbc5d8e002cb599.txt", "002_b2f4190119ca8e61.txt",
};

static char *s_dir;
static tu_daemon_t *s_daemon;

static void
cleanup (void)
{
    tu_suite_cleanup (&s_dir, &s_daemon);
}

TestSuite (commit_settings, .fini = cleanup);

static void
drop_huawei (const tu_daemon_t *d, int i)
{
    char *src = clip_path_join (HUAWEI, huawei [i]);
    char *dst = clip_path_join (d->inbox, huawei [i]);
    tu_drop (src, dst);
    free (src);
    free (dst);
}

static double
now_s (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

/*  At most one result per transaction: three files dropped at once take
    three commits, even though a long delay asks each batch to wait for
    more (it is full at one).  With the default maximum (1024) the delay
    would gather the three into one commit.  */
Test (commit_settings, batch_max_caps_the_results_of_one_commit)
{
    s_dir = tu_tempdir ("commit-max");
    const char *extra [] = { "--workers", "1", "--corpus", "none", "--commit-batch-max", "1",
                             "--commit-delay-ms", "1000", NULL };
    s_daemon = tu_daemon_start (s_dir, extra);
    tu_wait_log (s_daemon, "event=worker_joined", 1, 60000);
    for (int i = 0; i < 3; i++)
        drop_huawei (s_daemon, i);
    tu_wait_log (s_daemon, "event=recorded", 3, 60000);
    cr_assert_eq (tu_metric (s_daemon, "clipd_records_total"), 3);
    cr_assert_eq (tu_metric (s_daemon, "clipd_commits_total"), 3,
                  "each commit holds one result at most");
}

/*  A result waits commit-delay-ms for others before its commit: its
    record is never published sooner (a lower bound on time, which a
    loaded machine cannot break).  */
Test (commit_settings, delay_holds_a_lone_result_back)
{
    s_dir = tu_tempdir ("commit-delay");
    const char *extra [] = { "--workers", "1", "--corpus", "none", "--commit-delay-ms", "800",
                             NULL };
    s_daemon = tu_daemon_start (s_dir, extra);
    tu_wait_log (s_daemon, "event=worker_joined", 1, 60000);
    tu_sub_t *sub = tu_sub_new (s_daemon->pub);
    double start = now_s ();
    drop_huawei (s_daemon, 0);
    char *text = tu_sub_recv (sub, 60000, NULL);
    double took = now_s () - start;
    cr_assert_not_null (text, "no record within 60 s");
    cr_assert (took >= 0.8, "published %.3f s after the drop, before the 0.8 s delay", took);
    free (text);
    tu_sub_free (sub);
}

/*  Does clipd map its state database (STATE/clipd.db itself, not the WAL's
    shared-memory file)?  */
static bool
maps_database (const tu_daemon_t *d)
{
    char *maps_path = clip_strprintf ("/proc/%d/maps", (int) d->pid);
    char *db = clip_path_join (d->state, "clipd.db");
    char *maps = tu_read (maps_path, NULL);
    cr_assert_not_null (maps);
    bool found = false;
    size_t len = strlen (db);
    for (const char *p = strstr (maps, db); p && !found; p = strstr (p + 1, db))
        found = p [len] == '\n';
    free (maps);
    free (db);
    free (maps_path);
    return found;
}

/*  A clipd with one record in its state, started again: its first run's
    clean stop checkpointed the WAL into clipd.db (a new database's pages
    are all in the WAL, and nothing is mapped from an empty file), which
    the second reads at start-up.  mmap_mib NULL: the default.  */
static void
run_twice (const char *mmap_mib)
{
    s_dir = tu_tempdir ("commit-mmap");
    const char *extra [] = { "--workers", "1", "--corpus", "none",
                             mmap_mib ? "--db-mmap-mib" : NULL, mmap_mib, NULL };
    s_daemon = tu_daemon_start (s_dir, extra);
    tu_wait_log (s_daemon, "event=worker_joined", 1, 60000);
    drop_huawei (s_daemon, 0);
    tu_wait_log (s_daemon, "event=recorded", 1, 60000);
    cr_assert_eq (tu_daemon_stop (s_daemon), 0);
    tu_daemon_free (s_daemon);
    s_daemon = tu_daemon_start (s_dir, extra);
    tu_wait_log (s_daemon, "event=worker_joined", 1, 60000);
}

/*  By default SQLite reads the database through a map (no pread(2) per
    page); with 0 it maps nothing and reads.  */
Test (commit_settings, database_is_mapped_by_default)
{
    run_twice (NULL);
    cr_assert (maps_database (s_daemon), "clipd.db is not in /proc/PID/maps");
}

Test (commit_settings, db_mmap_mib_zero_maps_nothing)
{
    run_twice ("0");
    cr_assert_not (maps_database (s_daemon), "clipd.db is mapped with --db-mmap-mib 0");
}
