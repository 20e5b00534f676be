/*  The results log alone: gap-free seq, claim lookup, replay paging and
    filters, persistence, and inserts rolled back with their transaction,
    on a real SQLite file.  The transaction script that judges and stages
    corpus rows (and its batch that fails half-way) is tests/unit/
    test_commit.c's.  */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_db.h"
#include "clip_util.h"
#include "results.h"
#include "testutil.h"

typedef struct {
    char *dir;
    sqlite3 *db;
    clip_results_t *results;
} fixture_t;

static void
open_log (fixture_t *f)
{
    char err [256];
    char *path = clip_path_join (f->dir, "clipd.db");
    f->db = clip_db_open (path, 0, err, sizeof err);
    cr_assert_not_null (f->db, "%s", err);
    free (path);
    f->results = clip_results_open (f->db, err, sizeof err);
    cr_assert_not_null (f->results, "%s", err);
}

static void
close_log (fixture_t *f)
{
    clip_results_destroy (&f->results);
    sqlite3_close (f->db);
    f->db = NULL;
}

static clip_record_t *
ok_record (const char *id, const char *file)
{
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->id, id);
    clip_record_set (rec, &rec->file, file);
    clip_record_set (rec, &rec->encoding, "utf-8");
    clip_record_set (rec, &rec->title, file);
    clip_record_set (rec, &rec->worker, "test:1");
    rec->bytes = 10;
    rec->received = 1000;
    return rec;
}

static void
sql (fixture_t *f, const char *text)
{
    char err [256];
    cr_assert_eq (clip_db_exec (f->db, text, err, sizeof err), 0, "%s: %s", text, err);
}

/*  Log one record in a transaction of its own, as the commit does (without
    the corpus): BEGIN, the next seq, insert, COMMIT, or ROLLBACK when the
    insert fails.  On success *packed (caller owns) holds the bytes as
    logged and rec its seq.  Returns 0 or -1.  */
static int
log_one (fixture_t *f, clip_record_t *rec, uint64_t claim, char **packed, size_t *len)
{
    *packed = NULL;
    sql (f, "BEGIN IMMEDIATE");
    rec->has_seq = true;
    rec->seq = clip_results_next_seq (f->results);
    rec->has_times = true;
    rec->done = clip_now_ms ();
    clip_record_encode (rec, packed, len);
    if (clip_results_insert (f->results, rec->seq, claim, clip_record_topic (rec), *packed,
                             *len) != 0) {
        sql (f, "ROLLBACK");
        clip_results_rolled_back (f->results);
        free (*packed);
        *packed = NULL;
        rec->has_seq = false;
        rec->seq = 0;
        return -1;
    }
    sql (f, "COMMIT");
    clip_results_committed (f->results);
    return 0;
}

static uint64_t
append (fixture_t *f, clip_record_t *rec, uint64_t claim)
{
    char *packed = NULL;
    size_t len = 0;
    int rc = log_one (f, rec, claim, &packed, &len);
    uint64_t seq = rc == 0 ? rec->seq : 0;
    if (rc == 0) {
        cr_assert_not_null (packed);
        char err [128];
        clip_record_t *back = clip_record_decode (packed, len, err, sizeof err);
        cr_assert_not_null (back, "%s", err);
        cr_assert_eq (back->seq, seq, "the published bytes carry the committed seq");
        clip_record_destroy (&back);
    }
    free (packed);
    clip_record_destroy (&rec);
    return seq;
}

/*  An article as the commit leaves it: judged (the log itself judges
    nothing), its topic from its verdict.  */
static clip_record_t *
judged_record (const char *id, const char *file, const char *verdict)
{
    clip_record_t *rec = ok_record (id, file);
    rec->has_dedupe = true;
    clip_record_set (rec, &rec->verdict, verdict);
    clip_record_set (rec, &rec->cluster, id);
    return rec;
}

typedef struct {
    uint64_t seqs [64];
    char topics [64][32];
    int n;
} seen_t;

static void
collect (uint64_t seq, const char *topic, const void *record, size_t len, void *arg)
{
    seen_t *s = arg;
    cr_assert_lt (s->n, 64);
    s->seqs [s->n] = seq;
    snprintf (s->topics [s->n], sizeof s->topics [0], "%s", topic);
    s->n++;
}

Test (results, seq_is_gap_free_and_survives_reopen)
{
    fixture_t f = { .dir = tu_tempdir ("results") };
    open_log (&f);
    cr_assert_eq (clip_results_head (f.results), 0);
    cr_assert_eq (append (&f, ok_record ("aa", "a.txt"), 100), 1);
    cr_assert_eq (append (&f, ok_record ("bb", "b.txt"), 101), 2);

    /*  A failed commit (the claim is already recorded) must not use up a
        seq: the next record still gets 3.  */
    cr_assert_eq (append (&f, ok_record ("cc", "c.txt"), 101), 0);
    cr_assert_eq (clip_results_head (f.results), 2);
    cr_assert_eq (append (&f, ok_record ("cc", "c.txt"), 102), 3);

    close_log (&f);
    open_log (&f);
    cr_assert_eq (clip_results_head (f.results), 3);
    cr_assert_eq (clip_results_max_claim (f.results), 102);
    cr_assert_eq (append (&f, ok_record ("dd", "d.txt"), 103), 4);
    close_log (&f);
    tu_rmtree (f.dir);
    free (f.dir);
}

Test (results, failed_records_are_logged)
{
    fixture_t f = { .dir = tu_tempdir ("results") };
    open_log (&f);
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->file, "big.bin");
    clip_record_set_error (rec, "too_large", "the file is too large");
    cr_assert_eq (append (&f, rec, 7), 1);
    clip_record_t *found = NULL;
    cr_assert_eq (clip_results_find_claim (f.results, 7, &found), 1);
    cr_assert_str_eq (found->status, "failed");
    cr_assert_str_eq (found->error_code, "too_large");
    cr_assert_eq (found->seq, 1);
    clip_record_destroy (&found);
    cr_assert_eq (clip_results_find_claim (f.results, 8, &found), 0);
    close_log (&f);
    tu_rmtree (f.dir);
    free (f.dir);
}

Test (results, replay_pages_and_filters)
{
    fixture_t f = { .dir = tu_tempdir ("results") };
    open_log (&f);
    /*  seq 1..6: ids a,b,a,c,a,err -> unique, unique, duplicate, unique,
        duplicate, error (the verdicts as the commit gives them).  */
    const char *ids [] = { "a", "b", "a", "c", "a" };
    const char *verdicts [] = { "unique", "unique", "duplicate", "unique", "duplicate" };
    for (int i = 0; i < 5; i++) {
        char name [16];
        snprintf (name, sizeof name, "f%d", i);
        cr_assert_eq (append (&f, judged_record (ids [i], name, verdicts [i]), (uint64_t) (10 + i)),
                      (uint64_t) (i + 1));
    }
    clip_record_t *bad = clip_record_new ();
    clip_record_set (bad, &bad->file, "x");
    clip_record_set_error (bad, "empty", "the file is empty");
    cr_assert_eq (append (&f, bad, 20), 6);

    seen_t s = { 0 };
    uint64_t last, head;
    cr_assert_eq (clip_results_replay (f.results, 0, "", 4, collect, &s, &last, &head), 0);
    cr_assert_eq (s.n, 4);
    for (int i = 0; i < 4; i++)
        cr_assert_eq (s.seqs [i], (uint64_t) (i + 1));
    cr_assert_eq (last, 4);
    cr_assert_eq (head, 6);
    memset (&s, 0, sizeof s);
    cr_assert_eq (clip_results_replay (f.results, last, "", 4, collect, &s, &last, &head), 0);
    cr_assert_eq (s.n, 2);
    cr_assert_eq (s.seqs [0], 5);
    cr_assert_eq (s.seqs [1], 6);
    cr_assert_str_eq (s.topics [1], "error");
    cr_assert_eq (last, 6, "a short page has examined the log up to head");

    memset (&s, 0, sizeof s);
    cr_assert_eq (clip_results_replay (f.results, 0, "article.dup", 100, collect, &s, &last, &head), 0);
    cr_assert_eq (s.n, 2);
    cr_assert_eq (s.seqs [0], 3);
    cr_assert_eq (s.seqs [1], 5);
    cr_assert_str_eq (s.topics [0], "article.duplicate");
    cr_assert_eq (last, 6);

    memset (&s, 0, sizeof s);
    cr_assert_eq (clip_results_replay (f.results, 6, "", 100, collect, &s, &last, &head), 0);
    cr_assert_eq (s.n, 0);
    cr_assert_eq (last, 6);
    memset (&s, 0, sizeof s);
    cr_assert_eq (clip_results_replay (f.results, 99, "", 100, collect, &s, &last, &head), 0);
    cr_assert_eq (s.n, 0);
    cr_assert_eq (last, 99, "a since above head is echoed back, never moved backwards");
    close_log (&f);
    tu_rmtree (f.dir);
    free (f.dir);
}

/*  Rows inserted in a transaction that is rolled back use up no seq and
    no claim: the next rows get the same seqs, and only committed rows are
    found or replayed.  */
Test (results, rolled_back_inserts_give_their_seqs_again)
{
    fixture_t f = { .dir = tu_tempdir ("results") };
    open_log (&f);
    cr_assert_eq (append (&f, ok_record ("aa", "a.txt"), 100), 1);
    sql (&f, "BEGIN IMMEDIATE");
    cr_assert_eq (clip_results_next_seq (f.results), 2);
    cr_assert_eq (clip_results_insert (f.results, 2, 101, "article", "x", 1), 0);
    cr_assert_eq (clip_results_next_seq (f.results), 3, "the next row follows the inserted one");
    cr_assert_eq (clip_results_insert (f.results, 3, 102, "article", "y", 1), 0);
    cr_assert_eq (clip_results_head (f.results), 1, "nothing counts before COMMIT");
    sql (&f, "ROLLBACK");
    clip_results_rolled_back (f.results);
    cr_assert_eq (clip_results_head (f.results), 1);
    cr_assert_eq (clip_results_max_claim (f.results), 100);
    cr_assert_eq (clip_results_next_seq (f.results), 2, "seq 2 is given again");
    clip_record_t *found = NULL;
    cr_assert_eq (clip_results_find_claim (f.results, 101, &found), 0);
    cr_assert_eq (append (&f, ok_record ("bb", "b.txt"), 101), 2);
    cr_assert_eq (clip_results_max_claim (f.results), 101);
    seen_t s = { 0 };
    uint64_t last, head;
    cr_assert_eq (clip_results_replay (f.results, 0, "", 100, collect, &s, &last, &head), 0);
    cr_assert_eq (s.n, 2);
    cr_assert_eq (s.seqs [1], 2);
    cr_assert_eq (head, 2);
    close_log (&f);
    tu_rmtree (f.dir);
    free (f.dir);
}
