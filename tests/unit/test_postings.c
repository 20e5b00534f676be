/*  Tests for clip_postings on a real SQLite file: what is held in memory
    and what is written are found alike, earliest rows first; forgetting
    drops only the rows asked; writes merge buckets so that a bucket keeps
    few rows; what a reopen finds is what was written.  */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clip_db.h"
#include "clip_postings.h"
#include "clip_util.h"
#include "testutil.h"

typedef struct {
    char *dir;
    char *path;
    sqlite3 *db;
    clip_postings_t *postings;
} env_t;

static void
env_open (env_t *env)
{
    char err [256] = "";
    env->db = clip_db_open (env->path, 0, err, sizeof err);
    cr_assert_not_null (env->db, "%s", err);
    /*  The corpus makes corpus_meta; the postings only write to it.  */
    cr_assert_eq (clip_db_exec (env->db, "CREATE TABLE IF NOT EXISTS corpus_meta ("
                                "name TEXT PRIMARY KEY, value INTEGER NOT NULL)", err, sizeof err),
                  0, "%s", err);
    env->postings = clip_postings_open (env->db, err, sizeof err);
    cr_assert_not_null (env->postings, "%s", err);
}

static void
env_close (env_t *env)
{
    clip_postings_destroy (&env->postings);
    sqlite3_close (env->db);
}

static void
env_new (env_t *env)
{
    env->dir = tu_tempdir ("postings");
    env->path = clip_path_join (env->dir, "clipd.db");
    env_open (env);
}

static void
env_destroy (env_t *env)
{
    env_close (env);
    tu_rmtree (env->dir);
    free (env->dir);
    free (env->path);
}

typedef struct {
    uint32_t rows [4096];
    size_t n;
} found_t;

static void
collect (void *arg, uint32_t row)
{
    found_t *f = arg;
    cr_assert_lt (f->n, 4096);
    f->rows [f->n++] = row;
}

static size_t
find (env_t *env, uint32_t hash, size_t max_rows, found_t *f)
{
    f->n = 0;
    cr_assert_eq (clip_postings_find (env->postings, &hash, 1, max_rows, collect, f), 0);
    return f->n;
}

/*  Row r holds hashes r * 7919 + k for k < 20, and the shared hash 42.  */
static void
add_row (env_t *env, uint32_t r)
{
    uint32_t h [21];
    for (uint32_t k = 0; k < 20; k++)
        h [k] = r * 7919u * 65537u + k * 2654435761u;
    h [20] = 42;
    clip_postings_add (env->postings, r, h, 21);
}

static uint32_t
hash_of (uint32_t r, uint32_t k)
{
    return r * 7919u * 65537u + k * 2654435761u;
}

Test (postings, held_and_written_are_found_alike)
{
    env_t env;
    env_new (&env);
    for (uint32_t r = 1; r <= 50; r++)
        add_row (&env, r);
    found_t f;
    cr_assert_eq (find (&env, hash_of (17, 3), 100, &f), 1);
    cr_assert_eq (f.rows [0], 17);
    cr_assert_eq (find (&env, 42, 100, &f), 50);
    cr_assert_eq (clip_postings_written (env.postings), 0);
    cr_assert_eq (clip_postings_flush (env.postings), 0);
    cr_assert_eq (clip_postings_written (env.postings), 50);
    cr_assert_eq (clip_postings_held (env.postings), 0);
    for (uint32_t r = 51; r <= 80; r++)
        add_row (&env, r);
    /*  Written and held together, the earliest first, capped.  */
    cr_assert_eq (find (&env, 42, 100, &f), 80);
    for (size_t i = 0; i < f.n; i++)
        cr_assert_eq (f.rows [i], i + 1);
    cr_assert_eq (find (&env, 42, 10, &f), 10);
    cr_assert_eq (f.rows [9], 10);
    cr_assert_eq (find (&env, hash_of (60, 19), 100, &f), 1);
    cr_assert_eq (f.rows [0], 60);
    cr_assert_eq (find (&env, 43, 100, &f), 0);
    env_destroy (&env);
}

Test (postings, forget_drops_the_rolled_back_rows_only)
{
    env_t env;
    env_new (&env);
    for (uint32_t r = 1; r <= 10; r++)
        add_row (&env, r);
    clip_postings_forget (env.postings, 7);
    found_t f;
    cr_assert_eq (find (&env, 42, 100, &f), 6);
    cr_assert_eq (find (&env, hash_of (7, 0), 100, &f), 0);
    cr_assert_eq (clip_postings_held (env.postings), 6 * 21);
    /*  The same rows again, as after a rollback the row numbers are reused.  */
    for (uint32_t r = 7; r <= 12; r++)
        add_row (&env, r);
    cr_assert_eq (find (&env, 42, 100, &f), 12);
    cr_assert_eq (clip_postings_flush (env.postings), 0);
    cr_assert_eq (clip_postings_written (env.postings), 12);
    env_destroy (&env);
}

Test (postings, writes_merge_buckets_and_survive_reopen)
{
    env_t env;
    env_new (&env);
    /*  100 writes of 4 rows each: without merging a bucket would hold a
        row per write; with it, the 16 writes since its last merge and a
        few more.  */
    uint32_t r = 0;
    for (int w = 0; w < 100; w++) {
        for (int i = 0; i < 4; i++)
            add_row (&env, ++r);
        cr_assert_eq (clip_postings_flush (env.postings), 0);
    }
    sqlite3_stmt *q;
    cr_assert_eq (sqlite3_prepare_v2 (env.db, "SELECT max(n) FROM (SELECT count(*) AS n FROM"
                                      " corpus_postings GROUP BY bucket)", -1, &q, NULL), SQLITE_OK);
    cr_assert_eq (sqlite3_step (q), SQLITE_ROW);
    int most = sqlite3_column_int (q, 0);
    sqlite3_finalize (q);
    cr_assert_leq (most, 24, "a bucket holds %d rows", most);
    env_close (&env);
    env_open (&env);
    cr_assert_eq (clip_postings_written (env.postings), 400);
    found_t f;
    cr_assert_eq (find (&env, 42, 4096, &f), 400);
    for (size_t i = 0; i < f.n; i++)
        cr_assert_eq (f.rows [i], i + 1);
    for (uint32_t row = 1; row <= 400; row += 37) {
        cr_assert_eq (find (&env, hash_of (row, 11), 100, &f), 1);
        cr_assert_eq (f.rows [0], row);
    }
    env_destroy (&env);
}

Test (postings, a_failed_write_keeps_what_is_held)
{
    env_t env;
    env_new (&env);
    for (uint32_t r = 1; r <= 5; r++)
        add_row (&env, r);
    /*  A transaction already open: the write cannot begin its own.  */
    cr_assert_eq (sqlite3_exec (env.db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    cr_assert_eq (clip_postings_flush (env.postings), -1);
    cr_assert_eq (sqlite3_exec (env.db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    cr_assert_eq (clip_postings_written (env.postings), 0);
    found_t f;
    cr_assert_eq (find (&env, 42, 100, &f), 5);
    cr_assert_eq (clip_postings_flush (env.postings), 0);
    cr_assert_eq (clip_postings_written (env.postings), 5);
    env_destroy (&env);
}

Test (postings, written_with_other_buckets_is_made_again)
{
    env_t env;
    env_new (&env);
    for (uint32_t r = 1; r <= 5; r++)
        add_row (&env, r);
    cr_assert_eq (clip_postings_flush (env.postings), 0);
    env_close (&env);
    /*  As if an older clip had written them with 4,096 buckets.  */
    sqlite3 *db;
    cr_assert_eq (sqlite3_open (env.path, &db), SQLITE_OK);
    cr_assert_eq (sqlite3_exec (db, "UPDATE corpus_meta SET value = 12 WHERE name = 'postings_bits'",
                                NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close (db);
    env_open (&env);
    cr_assert_eq (clip_postings_written (env.postings), 0);
    found_t f;
    cr_assert_eq (find (&env, 42, 100, &f), 0);
    env_destroy (&env);
}

/*  Every posting of rows 1..last is found exactly once.  */
static void
check_all_once (env_t *env, uint32_t last)
{
    found_t f;
    cr_assert_eq (find (env, 42, 4096, &f), last);
    for (size_t i = 0; i < f.n; i++)
        cr_assert_eq (f.rows [i], i + 1, "at %zu: row %u", i, f.rows [i]);
    for (uint32_t r = 1; r <= last; r++)
        for (uint32_t k = 0; k < 20; k++) {
            cr_assert_eq (find (env, hash_of (r, k), 10, &f), 1, "row %u hash %u", r, k);
            cr_assert_eq (f.rows [0], r);
        }
}

Test (postings, a_write_goes_out_in_steps_and_each_posting_is_found_once)
{
    env_t env;
    env_new (&env);
    for (uint32_t r = 1; r <= 50; r++)
        add_row (&env, r);
    /*  Nothing to do below the threshold.  */
    cr_assert_eq (clip_postings_write_some (env.postings, 10000), 0);
    cr_assert_eq (clip_postings_held (env.postings), 50 * 21);
    for (int step = 0; step < 8; step++) {
        cr_assert_eq (clip_postings_write_some (env.postings, 1), 0);
        /*  Rows added while the write is under way are held apart.  */
        add_row (&env, 51 + (uint32_t) step);
        check_all_once (&env, 51 + (uint32_t) step);
        cr_assert_eq (clip_postings_written (env.postings), step < 7 ? 0 : 50);
    }
    cr_assert_eq (clip_postings_held (env.postings), 8 * 21);
    cr_assert_eq (clip_postings_flush (env.postings), 0);
    cr_assert_eq (clip_postings_written (env.postings), 58);
    check_all_once (&env, 58);
    env_destroy (&env);
}

Test (postings, a_write_cut_by_a_crash_is_dropped_at_open)
{
    env_t env;
    env_new (&env);
    for (uint32_t r = 1; r <= 30; r++)
        add_row (&env, r);
    cr_assert_eq (clip_postings_flush (env.postings), 0);
    for (uint32_t r = 31; r <= 60; r++)
        add_row (&env, r);
    for (int step = 0; step < 3; step++)
        cr_assert_eq (clip_postings_write_some (env.postings, 1), 0);
    /*  A crash: what memory held is gone, three eighths are written.  */
    env_close (&env);
    env_open (&env);
    cr_assert_eq (clip_postings_written (env.postings), 30);
    check_all_once (&env, 30);
    /*  The corpus adds the articles after 'postings_row' again.  */
    for (uint32_t r = 31; r <= 60; r++)
        add_row (&env, r);
    check_all_once (&env, 60);
    cr_assert_eq (clip_postings_flush (env.postings), 0);
    env_close (&env);
    env_open (&env);
    check_all_once (&env, 60);
    env_destroy (&env);
}
