/*  The results log: gap-free seq, claim lookup, replay paging and filters,
    persistence, and a batch whose commit fails half-way (a SQLite trigger
    aborts one insert) then is retried, on a real SQLite file.  */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_corpus.h"
#include "clip_db.h"
#include "clip_sketch.h"
#include "clip_util.h"
#include "results.h"
#include "testutil.h"

typedef struct {
    char *dir;
    sqlite3 *db;
    clip_corpus_t *corpus;
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
    f->corpus = clip_corpus_open (f->db, NULL, err, sizeof err);
    cr_assert_not_null (f->corpus, "%s", err);
    f->results = clip_results_open (f->db, f->corpus, err, sizeof err);
    cr_assert_not_null (f->results, "%s", err);
}

static void
close_log (fixture_t *f)
{
    clip_results_destroy (&f->results);
    clip_corpus_destroy (&f->corpus);
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

static uint64_t
append (fixture_t *f, clip_record_t *rec, uint64_t claim)
{
    char *packed = NULL;
    size_t len = 0;
    int rc = clip_results_append (f->results, rec, claim, NULL, 0, "text", 4, &packed, &len);
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

Test (results, duplicate_verdict_from_the_corpus)
{
    fixture_t f = { .dir = tu_tempdir ("results") };
    open_log (&f);
    clip_record_t *first = ok_record ("same", "first.txt");
    char *packed;
    size_t len;
    cr_assert_eq (clip_results_append (f.results, first, 1, NULL, 0, "x", 1, &packed, &len), 0);
    cr_assert_str_eq (first->verdict, "unique");
    cr_assert_str_eq (first->cluster, "same");
    free (packed);
    clip_record_t *second = ok_record ("same", "second.txt");
    cr_assert_eq (clip_results_append (f.results, second, 2, NULL, 0, "x", 1, &packed, &len), 0);
    cr_assert_str_eq (second->verdict, "duplicate");
    cr_assert_str_eq (clip_record_topic (second), "article.duplicate");
    cr_assert_eq (second->n_matches, 1);
    cr_assert_str_eq (second->matches [0].file, "first.txt");
    cr_assert_eq (second->matches [0].seq, 1);
    free (packed);
    clip_record_destroy (&first);
    clip_record_destroy (&second);
    close_log (&f);
    tu_rmtree (f.dir);
    free (f.dir);
}

Test (results, failed_records_are_logged_but_not_in_the_corpus)
{
    fixture_t f = { .dir = tu_tempdir ("results") };
    open_log (&f);
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->file, "big.bin");
    clip_record_set_error (rec, "too_large", "the file is too large");
    cr_assert_eq (append (&f, rec, 7), 1);
    cr_assert_eq (clip_corpus_size (f.corpus), 0);
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
        duplicate, error.  */
    const char *ids [] = { "a", "b", "a", "c", "a" };
    for (int i = 0; i < 5; i++) {
        char name [16];
        snprintf (name, sizeof name, "f%d", i);
        cr_assert_eq (append (&f, ok_record (ids [i], name), (uint64_t) (10 + i)), (uint64_t) (i + 1));
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

/*  ------------------------------------------------------------------
    A commit that fails mid-batch, for real: a trigger on the database file
    aborts the insert of one seq, the batch is rolled back and retried.  */

typedef struct {
    const char *id;
    const char *file;
    const char *text;
    void *sketch;
    size_t sketch_len;
} article_t;

static const char *text_a =
    "Huawei said on Monday that its quarterly revenue rose by twelve percent as demand for "
    "its smartphones recovered in China and sales of network equipment to European "
    "operators held steady despite pressure from Washington, according to a statement "
    "released at its headquarters in Shenzhen where executives also announced new "
    "investment in research.";
/*  A with two words changed near the end: a near-duplicate of it.  */
static const char *text_b =
    "Huawei said on Monday that its quarterly revenue rose by twelve percent as demand for "
    "its smartphones recovered in China and sales of network equipment to European "
    "operators held steady despite pressure from Washington, according to a statement "
    "released at its headquarters in Shenzhen where executives also announced a large "
    "investment in chips.";
static const char *text_d =
    "The city council of Lyon approved a plan on Thursday to extend the tram network by "
    "nine kilometres, adding eleven stations in the eastern suburbs, with construction "
    "expected to start next spring and to last three years at a cost of four hundred "
    "million euros shared with the regional government.";
static const char *text_p =
    "Heavy rain flooded several villages in northern Portugal over the weekend, forcing "
    "hundreds of residents to leave their homes while firefighters pumped water from "
    "basements and the national weather service warned of further storms moving in from "
    "the Atlantic before the end of the week.";
static const char *text_e =
    "Shares of the Danish shipping group Maersk fell sharply in Copenhagen after the "
    "company cut its profit forecast for the year, blaming weaker container volumes, "
    "lower freight rates and rising fuel costs, while its chief executive told analysts "
    "that trade between Asia and Europe would stay subdued until the summer.";
static const char *text_f =
    "Shares of the Danish shipping group Maersk fell sharply in Copenhagen on Friday after "
    "the company cut its profit forecast for the year, blaming weaker container volumes, "
    "lower freight rates and rising fuel costs, while its chief executive told analysts "
    "that trade between Asia and Europe would stay subdued until the autumn.";
static const char *text_g =
    "The museum in Krakow reopened its medieval gallery on Saturday after a two year "
    "restoration that uncovered painted ceilings hidden under layers of plaster, and "
    "curators said visitors would be able to see the altarpieces in their original "
    "colours for the first time in a century.";

static void
article_init (article_t *a, const char *id, const char *file, const char *text)
{
    *a = (article_t) { id, file, text, NULL, 0 };
    cr_assert_eq (clip_sketch_compute (text, strlen (text), &a->sketch, &a->sketch_len), 0);
}

static clip_record_t *
article_record (const article_t *a)
{
    clip_record_t *rec = ok_record (a->id, a->file);
    rec->bytes = strlen (a->text);
    return rec;
}

/*  A failed record that arrives with a dedupe part (a worker's claim, or
    left from an earlier attempt): only the daemon judges, and it judges
    no failed record.  */
static clip_record_t *
failed_with_verdict (const char *file)
{
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->file, file);
    clip_record_set_error (rec, "not_text", "binary");
    clip_record_set (rec, &rec->verdict, "duplicate");
    clip_record_set (rec, &rec->cluster, "aa");
    clip_record_add_match (rec, "aa", "a.txt", 1, 1.0, 1.0);
    return rec;
}

static void
sql (fixture_t *f, const char *text)
{
    char err [256];
    cr_assert_eq (clip_db_exec (f->db, text, err, sizeof err), 0, "%s: %s", text, err);
}

static long long
count_rows (fixture_t *f, const char *table)
{
    char *text = clip_strprintf ("SELECT count (*) FROM %s", table);
    sqlite3_stmt *q = NULL;
    cr_assert_eq (sqlite3_prepare_v2 (f->db, text, -1, &q, NULL), SQLITE_OK);
    cr_assert_eq (sqlite3_step (q), SQLITE_ROW);
    long long n = sqlite3_column_int64 (q, 0);
    sqlite3_finalize (q);
    free (text);
    return n;
}

/*  Make the insert of `seq` into results fail, as a full disk or an I/O
    error would, inside the batch.  */
static void
inject_failure_at (fixture_t *f, uint64_t seq)
{
    char *text = clip_strprintf ("CREATE TRIGGER inject BEFORE INSERT ON results"
                                 " WHEN NEW.seq = %llu BEGIN SELECT RAISE (ABORT, 'injected');"
                                 " END", (unsigned long long) seq);
    sql (f, text);
    free (text);
}

/*  Add recs [0..n) as one batch (arts [i] NULL for a failed record) and
    commit.  seqs [i] gets each record's seq as given in this attempt (0
    if it was not reached).  Returns the index of the record whose add
    failed (the batch then rolled back), n if a commit failed, or -1 when
    all were committed.  packed [i] gets the published bytes on success.  */
static int
run_batch (fixture_t *f, clip_record_t **recs, article_t **arts, const uint64_t *claims, int n,
           uint64_t *seqs, char **packed, size_t *packed_len)
{
    cr_assert_eq (clip_results_begin (f->results), 0);
    for (int i = 0; i < n; i++) {
        seqs [i] = 0;
        packed [i] = NULL;
    }
    for (int i = 0; i < n; i++) {
        const article_t *a = arts [i];
        int rc = clip_results_add (f->results, recs [i], claims [i],
                                   a ? a->sketch : NULL, a ? a->sketch_len : 0,
                                   a ? a->text : NULL, a ? strlen (a->text) : 0,
                                   &packed [i], &packed_len [i]);
        seqs [i] = recs [i]->seq;
        if (rc != 0) {
            clip_results_rollback (f->results);
            for (int j = 0; j <= i; j++) {
                free (packed [j]);
                packed [j] = NULL;
            }
            return i;
        }
    }
    if (clip_results_commit (f->results) != 0) {
        clip_results_rollback (f->results);
        return n;
    }
    return -1;
}

static void
assert_verdict (const clip_record_t *rec, const char *verdict, const char *cluster,
                int n_matches, const char *match_id, uint64_t match_seq)
{
    cr_assert (rec->has_dedupe, "%s judged", rec->file);
    cr_assert_str_eq (rec->verdict, verdict, "%s", rec->file);
    cr_assert_str_eq (rec->cluster, cluster, "%s", rec->file);
    cr_assert_eq (rec->n_matches, (size_t) n_matches, "%s: %zu matches, %d expected",
                  rec->file, rec->n_matches, n_matches);
    if (match_id) {
        cr_assert_str_eq (rec->matches [0].id, match_id, "%s", rec->file);
        cr_assert_eq (rec->matches [0].seq, match_seq, "%s", rec->file);
    }
}

/*  The published bytes hold what rec holds.  */
static clip_record_t *
published (const char *packed, size_t len)
{
    char err [256];
    cr_assert_not_null (packed);
    clip_record_t *rec = clip_record_decode (packed, len, err, sizeof err);
    cr_assert_not_null (rec, "%s", err);
    return rec;
}

static void
free_all (clip_record_t **recs, char **packed, int n)
{
    for (int i = 0; i < n; i++) {
        clip_record_destroy (&recs [i]);
        free (packed [i]);
        packed [i] = NULL;
    }
}

Test (results, a_batch_that_fails_half_way_is_retried_as_if_never_tried)
{
    fixture_t f = { .dir = tu_tempdir ("results") };
    open_log (&f);
    article_t p, a, b, d, e, ff, g;
    article_init (&p, "0p", "p.txt", text_p);
    article_init (&a, "0a", "a.txt", text_a);
    article_init (&b, "0b", "b.txt", text_b);
    article_init (&d, "0d", "d.txt", text_d);
    article_init (&e, "0e", "e.txt", text_e);
    article_init (&ff, "0f", "f.txt", text_f);
    article_init (&g, "0c", "g.txt", text_g);
    {
        clip_record_t *rec = article_record (&p);
        char *packed;
        size_t len;
        cr_assert_eq (clip_results_append (f.results, rec, 1, p.sketch, p.sketch_len, p.text,
                                           strlen (p.text), &packed, &len), 0);
        cr_assert_eq (rec->seq, 1);
        free (packed);
        clip_record_destroy (&rec);
    }

    /*  1. [A, B, X, D]: B is a near-duplicate of A, X a failed record that
        came with a verdict; the insert of D's seq fails.  */
    clip_record_t *recs [4];
    char *packed [4];
    size_t packed_len [4];
    uint64_t first [4], again [4];
    article_t *arts [4] = { &a, &b, NULL, &d };
    uint64_t claims [4] = { 10, 11, 12, 13 };
    recs [0] = article_record (&a);
    recs [1] = article_record (&b);
    recs [2] = failed_with_verdict ("x.bin");
    recs [3] = article_record (&d);
    inject_failure_at (&f, 5);
    cr_assert_eq (run_batch (&f, recs, arts, claims, 4, first, packed, packed_len), 3,
                  "the insert of seq 5 fails");
    cr_assert_eq (first [0], 2);
    cr_assert_eq (first [1], 3);
    cr_assert_eq (first [2], 4);
    cr_assert_eq (first [3], 5);
    /*  As judged in the failed attempt: B after A.  */
    assert_verdict (recs [1], "near_duplicate", "0a", 1, "0a", 2);
    cr_assert_eq (clip_results_head (f.results), 1, "nothing of the batch counts");
    cr_assert_eq (count_rows (&f, "results"), 1);
    cr_assert_eq (count_rows (&f, "corpus_articles"), 1, "no staged row survives the rollback");
    cr_assert_eq (clip_corpus_size (f.corpus), 1);
    sql (&f, "DROP TRIGGER inject");

    /*  The same batch again: the same seqs, every verdict judged anew
        against what is now before it, nothing of the failed attempt
        counted twice.  */
    cr_assert_eq (run_batch (&f, recs, arts, claims, 4, again, packed, packed_len), -1);
    for (int i = 0; i < 4; i++)
        cr_assert_eq (again [i], first [i], "record %d keeps its seq", i);
    cr_assert_eq (clip_results_head (f.results), 5);
    assert_verdict (recs [0], "unique", "0a", 0, NULL, 0);
    assert_verdict (recs [1], "near_duplicate", "0a", 1, "0a", 2);
    assert_verdict (recs [3], "unique", "0d", 0, NULL, 0);
    cr_assert_not (recs [2]->has_dedupe, "a failed record carries no verdict");
    clip_record_t *x = published (packed [2], packed_len [2]);
    cr_assert_not (x->has_dedupe);
    cr_assert_null (x->verdict);
    cr_assert_eq (x->n_matches, 0);
    cr_assert_str_eq (clip_record_topic (x), "error");
    clip_record_destroy (&x);
    clip_record_t *pb = published (packed [1], packed_len [1]);
    assert_verdict (pb, "near_duplicate", "0a", 1, "0a", 2);
    clip_record_destroy (&pb);
    cr_assert_eq (clip_corpus_size (f.corpus), 4, "P, A, B, D");
    cr_assert_eq (count_rows (&f, "corpus_articles"), 4);
    free_all (recs, packed, 4);

    /*  2. [E, F]: F a near-duplicate of E; the insert of F's seq fails.
        Retried as [F, E] (a retry may meet its records in another order):
        F has nothing before it any more and must not keep its verdict;
        E is now the copy.  */
    arts [0] = &e;
    arts [1] = &ff;
    claims [0] = 20;
    claims [1] = 21;
    recs [0] = article_record (&e);
    recs [1] = article_record (&ff);
    inject_failure_at (&f, 7);
    cr_assert_eq (run_batch (&f, recs, arts, claims, 2, first, packed, packed_len), 1);
    assert_verdict (recs [1], "near_duplicate", "0e", 1, "0e", 6);
    sql (&f, "DROP TRIGGER inject");
    cr_assert_eq (clip_corpus_size (f.corpus), 4);
    cr_assert_eq (count_rows (&f, "corpus_articles"), 4);
    clip_record_t *swapped [2] = { recs [1], recs [0] };
    article_t *swapped_arts [2] = { &ff, &e };
    uint64_t swapped_claims [2] = { 21, 20 };
    cr_assert_eq (run_batch (&f, swapped, swapped_arts, swapped_claims, 2, again, packed,
                             packed_len), -1);
    cr_assert_eq (again [0], 6);
    cr_assert_eq (again [1], 7);
    assert_verdict (swapped [0], "unique", "0f", 0, NULL, 0);
    assert_verdict (swapped [1], "near_duplicate", "0f", 1, "0f", 6);
    clip_record_t *pf = published (packed [0], packed_len [0]);
    assert_verdict (pf, "unique", "0f", 0, NULL, 0);
    clip_record_destroy (&pf);
    cr_assert_eq (clip_corpus_size (f.corpus), 6);
    cr_assert_eq (count_rows (&f, "corpus_articles"), 6);
    free_all (swapped, packed, 2);

    /*  3. [G] fails and is not retried: a later article with G's text and
        id is judged as if G had never been: unique.  */
    recs [0] = article_record (&g);
    arts [0] = &g;
    claims [0] = 30;
    inject_failure_at (&f, 8);
    cr_assert_eq (run_batch (&f, recs, arts, claims, 1, first, packed, packed_len), 0);
    sql (&f, "DROP TRIGGER inject");
    clip_record_destroy (&recs [0]);
    cr_assert_eq (clip_corpus_size (f.corpus), 6);
    article_t h = g;
    h.file = "h.txt";
    recs [0] = article_record (&h);
    arts [0] = &h;
    claims [0] = 31;
    cr_assert_eq (run_batch (&f, recs, arts, claims, 1, again, packed, packed_len), -1);
    cr_assert_eq (again [0], 8);
    assert_verdict (recs [0], "unique", "0c", 0, NULL, 0);
    cr_assert_eq (clip_corpus_size (f.corpus), 7);
    cr_assert_eq (count_rows (&f, "corpus_articles"), 7);
    free_all (recs, packed, 1);

    /*  After a reopen (the index rebuilt from the file), the same corpus.  */
    close_log (&f);
    open_log (&f);
    cr_assert_eq (clip_results_head (f.results), 8);
    cr_assert_eq (clip_corpus_size (f.corpus), 7);
    close_log (&f);
    article_t *all [] = { &p, &a, &b, &d, &e, &ff, &g };
    for (size_t i = 0; i < sizeof all / sizeof all [0]; i++)
        free (all [i]->sketch);
    tu_rmtree (f.dir);
    free (f.dir);
}
