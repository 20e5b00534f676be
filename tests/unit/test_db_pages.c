/*  clip_db: the page size of the state database (issue 12).  A database
    clip_db_open creates gets CLIP_DB_PAGE_SIZE (fewer WAL frames per
    article: bench/README.md, bench_wal_frames); one that exists, made
    with 4 KiB pages by an earlier clipd, keeps its page size and still
    works, through the modules and through a real clipd.  The page size
    is read from the file's own header (bytes 16-17), not only from
    SQLite.  */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clip_corpus.h"
#include "clip_db.h"
#include "clip_util.h"
#include "results.h"
#include "testutil.h"

static char *s_dir;
static tu_daemon_t *s_daemon;

static void
cleanup (void)
{
    tu_suite_cleanup (&s_dir, &s_daemon);
}

TestSuite (db_pages, .fini = cleanup);

/*  The page size written in the database file's header: bytes 16 and 17,
    big-endian, 1 meaning 65536.  */
static int
header_page_size (const char *path)
{
    FILE *f = fopen (path, "rb");
    cr_assert (f, "cannot open %s", path);
    unsigned char h [100];
    size_t n = fread (h, 1, sizeof h, f);
    fclose (f);
    cr_assert_eq (n, sizeof h, "%s has no header", path);
    cr_assert (memcmp (h, "SQLite format 3", 16) == 0, "%s is not an SQLite file", path);
    int size = h [16] << 8 | h [17];
    return size == 1 ? 65536 : size;
}

/*  An old clipd's database: 4 KiB pages, WAL, the log's and the corpus's
    tables made by their modules, and one committed row.  */
static void
make_old_db (const char *path)
{
    sqlite3 *db = NULL;
    cr_assert_eq (sqlite3_open (path, &db), SQLITE_OK);
    cr_assert_eq (sqlite3_exec (db, "PRAGMA page_size=4096; PRAGMA journal_mode=WAL;",
                                NULL, NULL, NULL), SQLITE_OK);
    char err [256];
    clip_results_t *results = clip_results_open (db, err, sizeof err);
    cr_assert (results, "%s", err);
    clip_corpus_t *corpus = clip_corpus_open (db, NULL, err, sizeof err);
    cr_assert (corpus, "%s", err);
    cr_assert_eq (clip_db_exec (db, "BEGIN IMMEDIATE", err, sizeof err), 0, "%s", err);
    cr_assert_eq (clip_results_insert (results, 1, 7, "old", "a", 1), 0);
    cr_assert_eq (clip_db_exec (db, "COMMIT", err, sizeof err), 0, "%s", err);
    clip_results_committed (results);
    clip_corpus_destroy (&corpus);
    clip_results_destroy (&results);
    sqlite3_close (db);
}

static long long
int_of (sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q = NULL;
    cr_assert_eq (sqlite3_prepare_v2 (db, sql, -1, &q, NULL), SQLITE_OK, "%s", sqlite3_errmsg (db));
    cr_assert_eq (sqlite3_step (q), SQLITE_ROW, "%s", sql);
    long long v = sqlite3_column_int64 (q, 0);
    sqlite3_finalize (q);
    return v;
}

Test (db_pages, a_new_database_gets_the_chosen_page_size)
{
    cr_assert (CLIP_DB_PAGE_SIZE > 4096, "larger pages than SQLite's default are the point");
    s_dir = tu_tempdir ("db-pages-new");
    char *path = clip_path_join (s_dir, "clipd.db");
    char err [256];
    sqlite3 *db = clip_db_open (path, 0, err, sizeof err);
    cr_assert (db, "%s", err);
    /*  The tables clipd makes first: the page size must already hold.  */
    clip_results_t *results = clip_results_open (db, err, sizeof err);
    cr_assert (results, "%s", err);
    cr_assert_eq (clip_db_page_size (db), CLIP_DB_PAGE_SIZE);
    clip_results_destroy (&results);
    sqlite3_close (db);
    cr_assert_eq (header_page_size (path), CLIP_DB_PAGE_SIZE);
    /*  Opened again, read-only as clip corpus stats does, it is the same.  */
    db = clip_db_open (path, 1, err, sizeof err);
    cr_assert (db, "%s", err);
    cr_assert_eq (clip_db_page_size (db), CLIP_DB_PAGE_SIZE);
    sqlite3_close (db);
    free (path);
}

Test (db_pages, an_old_4k_database_keeps_its_pages_and_works)
{
    s_dir = tu_tempdir ("db-pages-old");
    char *path = clip_path_join (s_dir, "clipd.db");
    make_old_db (path);
    cr_assert_eq (header_page_size (path), 4096);
    char err [256];
    sqlite3 *db = clip_db_open (path, 0, err, sizeof err);
    cr_assert (db, "%s", err);
    cr_assert_eq (clip_db_page_size (db), 4096, "an existing database keeps its page size");
    clip_results_t *results = clip_results_open (db, err, sizeof err);
    cr_assert (results, "%s", err);
    clip_corpus_t *corpus = clip_corpus_open (db, NULL, err, sizeof err);
    cr_assert (corpus, "%s", err);
    cr_assert_eq (clip_results_head (results), 1);
    /*  Enough rows to take new pages: the file grows in 4 KiB pages.  */
    char blob [3000];
    memset (blob, 'x', sizeof blob);
    cr_assert_eq (clip_db_exec (db, "BEGIN IMMEDIATE", err, sizeof err), 0, "%s", err);
    for (uint64_t seq = 2; seq <= 40; seq++)
        cr_assert_eq (clip_results_insert (results, seq, 100 + seq, "new", blob, sizeof blob), 0);
    cr_assert_eq (clip_db_exec (db, "COMMIT", err, sizeof err), 0, "%s", err);
    clip_results_committed (results);
    cr_assert_eq (clip_results_head (results), 40);
    clip_corpus_destroy (&corpus);
    clip_results_destroy (&results);
    cr_assert_eq (clip_db_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", err, sizeof err), 0, "%s", err);
    cr_assert_eq (int_of (db, "SELECT count (*) FROM results"), 40);
    cr_assert_eq (int_of (db, "SELECT count (*) FROM results WHERE seq = 1 AND claim = 7"), 1);
    /*  39 rows of 3,000 bytes: one a page when pages are 4 KiB (five
        would share a 16 KiB page).  */
    cr_assert_geq (int_of (db, "SELECT page_count FROM pragma_page_count"), 39,
                   "the rows took 4 KiB pages");
    cr_assert_eq (int_of (db, "SELECT count (*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
    sqlite3_close (db);
    cr_assert_eq (header_page_size (path), 4096);
    free (path);
}

/*  A real clipd: on a new state folder its database has the chosen page
    size; on a state folder whose database an earlier clipd made with 4 KiB
    pages, it commits records into it as before, and the pages stay 4 KiB.  */
static void
run_clipd_once (int with_old_db)
{
    s_dir = tu_tempdir ("db-pages-clipd");
    char *state = clip_path_join (s_dir, "var");
    char *path = clip_path_join (state, "clipd.db");
    if (with_old_db) {
        cr_assert_eq (mkdir (state, 0755), 0);
        make_old_db (path);
    }
    const char *extra [] = { "--workers", "1", "--corpus", "none", NULL };
    s_daemon = tu_daemon_start (s_dir, extra);
    tu_wait_log (s_daemon, "event=worker_joined", 1, 60000);
    char *src = clip_path_join (CLIP_SOURCE_DIR "/corpus/huawei", "000_9e0fcb074dd77aaf.txt");
    char *dst = clip_path_join (s_daemon->inbox, "000_9e0fcb074dd77aaf.txt");
    tu_drop (src, dst);
    tu_wait_log (s_daemon, "event=recorded", 1, 60000);
    cr_assert_eq (tu_db_int (state, "SELECT count (*) FROM results"), with_old_db ? 2 : 1);
    cr_assert_eq (tu_db_int (state, "SELECT count (*) FROM corpus_articles"), 1);
    cr_assert_eq (tu_daemon_stop (s_daemon), 0);
    tu_daemon_free (s_daemon);
    s_daemon = NULL;
    cr_assert_eq (header_page_size (path), with_old_db ? 4096 : CLIP_DB_PAGE_SIZE);
    cr_assert_eq (tu_db_int (state, "SELECT count (*) FROM pragma_integrity_check"
                                    " WHERE integrity_check = 'ok'"), 1);
    free (src);
    free (dst);
    free (path);
    free (state);
}

Test (db_pages, clipd_makes_a_new_state_database_with_the_chosen_pages)
{
    run_clipd_once (0);
}

Test (db_pages, clipd_keeps_committing_into_an_old_4k_database)
{
    run_clipd_once (1);
}
