/*  checkpoint: the WAL of a real database file is copied back by the
    checkpoint thread, not by the connection that commits, and stays
    bounded under writes that never pause; a reader holding old pages
    delays nothing but the restart.  */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "clip_db.h"
#include "clip_util.h"
#include "metrics.h"
#include "testutil.h"

static char *s_dir;

static void
cleanup (void)
{
    if (s_dir) {
        tu_rmtree (s_dir);
        free (s_dir);
        s_dir = NULL;
    }
}

TestSuite (checkpoint, .fini = cleanup);

typedef struct {
    sqlite3 *db;
    clipd_metrics_t metrics;
    clip_checkpoint_t *checkpoint;
    char *path;
} fixture_t;

static void
fixture_open (fixture_t *f)
{
    s_dir = tu_tempdir ("checkpoint");
    memset (f, 0, sizeof *f);
    f->path = clip_path_join (s_dir, "clipd.db");
    char err [256];
    f->db = clip_db_open (f->path, 0, err, sizeof err);
    cr_assert_not_null (f->db, "%s", err);
    cr_assert_eq (clip_db_exec (f->db, "CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)", err,
                                sizeof err), 0, "%s", err);
    f->checkpoint = clip_checkpoint_new (f->db, &f->metrics, err, sizeof err);
    cr_assert_not_null (f->checkpoint, "%s", err);
}

/*  f->path stays, for a look at the file afterwards: the test frees it.  */
static void
fixture_close (fixture_t *f)
{
    clip_checkpoint_destroy (&f->checkpoint);
    cr_assert_null (f->checkpoint);
    cr_assert_eq (sqlite3_close (f->db), SQLITE_OK);
}

/*  One transaction of `pages` pages of new rows (a 4,000-byte blob each).  */
static void
commit_pages (fixture_t *f, int pages)
{
    static unsigned char blob [4000];
    sqlite3_stmt *q = NULL;
    cr_assert_eq (sqlite3_exec (f->db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK,
                  "%s", sqlite3_errmsg (f->db));
    cr_assert_eq (sqlite3_prepare_v2 (f->db, "INSERT INTO t (data) VALUES (?1)", -1, &q, NULL),
                  SQLITE_OK);
    for (int i = 0; i < pages; i++) {
        sqlite3_bind_blob (q, 1, blob, sizeof blob, SQLITE_STATIC);
        cr_assert_eq (sqlite3_step (q), SQLITE_DONE, "%s", sqlite3_errmsg (f->db));
        sqlite3_reset (q);
    }
    sqlite3_finalize (q);
    cr_assert_eq (sqlite3_exec (f->db, "COMMIT", NULL, NULL, NULL), SQLITE_OK,
                  "%s", sqlite3_errmsg (f->db));
}

static bool
checkpointed (void *arg)
{
    fixture_t *f = arg;
    return atomic_load (&f->metrics.checkpoints) > 0;
}

/*  The pages in the WAL now, asked on a connection of the test's own
    (a PASSIVE checkpoint that can copy nothing the thread did not).  */
static int
wal_pages (const char *path)
{
    sqlite3 *db = NULL;
    cr_assert_eq (sqlite3_open (path, &db), SQLITE_OK);
    sqlite3_busy_timeout (db, 5000);
    /*  A first read opens the WAL (a new connection knows its mode then).  */
    cr_assert_eq (sqlite3_exec (db, "SELECT count (*) FROM sqlite_master", NULL, NULL, NULL),
                  SQLITE_OK);
    int log = -1, copied = -1, rc = SQLITE_BUSY;
    /*  BUSY while the thread checkpoints: one checkpointer at a time.  */
    for (int tries = 0; tries < 3000 && rc == SQLITE_BUSY; tries++) {
        rc = sqlite3_wal_checkpoint_v2 (db, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
        if (rc == SQLITE_BUSY)
            sqlite3_sleep (10);
    }
    cr_assert_eq (rc, SQLITE_OK, "%s", sqlite3_errmsg (db));
    sqlite3_close (db);
    return log;
}

/*  1,200 pages committed: the thread checkpoints (counted; SQLite's own
    checkpoint, inside the COMMIT that passed 1,000 pages, counts
    nothing), and every row is there.  */
Test (checkpoint, the_thread_checkpoints_a_wal_past_1000_pages, .timeout = 120)
{
    fixture_t f;
    fixture_open (&f);
    for (int i = 0; i < 40; i++)
        commit_pages (&f, 30);
    cr_assert (tu_wait_for (checkpointed, &f, 30000), "no checkpoint counted");
    cr_assert_eq (atomic_load (&f.metrics.checkpoint_failures), 0);
    fixture_close (&f);
    sqlite3 *db = NULL;
    cr_assert_eq (sqlite3_open (f.path, &db), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    cr_assert_eq (sqlite3_prepare_v2 (db, "SELECT count (*) FROM t", -1, &q, NULL), SQLITE_OK);
    cr_assert_eq (sqlite3_step (q), SQLITE_ROW);
    cr_assert_eq (sqlite3_column_int (q, 0), 1200);
    sqlite3_finalize (q);
    sqlite3_close (db);
    free (f.path);
}

/*  Writes that never pause, and a reader that holds the oldest pages for
    a while: every COMMIT goes through, and once the reader is gone the
    RESTART checkpoint lets the WAL start again from its beginning instead
    of growing past CLIP_CHECKPOINT_RESTART_PAGES for good.  */
Test (checkpoint, the_wal_starts_again_under_writes_that_never_pause, .timeout = 300)
{
    fixture_t f;
    fixture_open (&f);
    commit_pages (&f, 10);
    sqlite3 *reader = NULL;
    cr_assert_eq (sqlite3_open (f.path, &reader), SQLITE_OK);
    cr_assert_eq (sqlite3_exec (reader, "BEGIN; SELECT count (*) FROM t;", NULL, NULL, NULL),
                  SQLITE_OK);
    int per_commit = 200;
    int commits = (CLIP_CHECKPOINT_RESTART_PAGES + 2000) / per_commit;
    for (int i = 0; i < commits; i++)
        commit_pages (&f, per_commit);
    int held = wal_pages (f.path);
    cr_assert_geq (held, CLIP_CHECKPOINT_RESTART_PAGES,
                   "the reader should have kept the WAL from starting again (%d pages)", held);
    sqlite3_exec (reader, "COMMIT", NULL, NULL, NULL);
    sqlite3_close (reader);
    /*  More writes: the next wake-ups RESTART, and a later COMMIT starts
        the WAL again, so it holds far fewer pages than were written.  */
    for (int i = 0; i < 20; i++)
        commit_pages (&f, per_commit);
    int pages = wal_pages (f.path);
    cr_assert_lt (pages, CLIP_CHECKPOINT_RESTART_PAGES, "the WAL holds %d pages", pages);
    cr_assert_eq (atomic_load (&f.metrics.checkpoint_failures), 0);
    fixture_close (&f);
    free (f.path);
}
