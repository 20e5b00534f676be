/*  commit: the transaction script (commit.h) on a real SQLite file in a
    temporary folder, a real corpus and log, and a real libuv loop.

    - a batch of several records commits in one transaction with
      consecutive seqs, each handed over in seq order exactly once, and
      only once its row is durable;
    - a commit that fails mid-batch (a SQLite trigger aborts the insert of
      one record) rolls back everything: no seq used up, no corpus row
      left staged (the corpus judges nothing against them), nothing handed
      over; the batch is retried on the timer and, once the cause is gone,
      committed with the same seqs and every verdict judged anew;
    - a duplicate is judged against a record earlier in the same batch;
    - failed records are logged but not stored in the corpus;
    - a batch dropped after failing (shutdown) is as if never tried;
    - the loop keeps working while a batch's commit is held (another
      connection holds the write lock, as a slow fsync would hold the
      thread): more results are accepted meanwhile and committed after it,
      in order;
    - shutdown with a batch in flight: clip_commit_run waits for it and
      hands it over; destroy lets it end and leaves the log's head right;
    - a batch starts once full (batch_max) or batch_delay_ms after its
      first result, and a burst longer than batch_max is several batches.

    Every wait is bounded (tu_wait_for); the loop runs in this thread.  */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "clip_corpus.h"
#include "clip_db.h"
#include "clip_sketch.h"
#include "clip_util.h"
#include "commit.h"
#include "results.h"
#include "testutil.h"

#define MAX_DONE 32
/*  The retry's back-off in these tests: short, the waits are bounded by
    WAIT_MS anyway.  */
#define RETRY_MS 20
#define WAIT_MS 20000

typedef struct {
    char *dir;
    sqlite3 *db;
    clip_corpus_t *corpus;
    clip_results_t *results;
    uv_loop_t loop;
    clip_commit_t *commit;
    clipd_metrics_t metrics;
    /*  What was handed over, in order: the record as published (decoded
        from the bytes handed over) and its task's claim.  */
    int n_done;
    clip_record_t *done [MAX_DONE];
    uint64_t done_claim [MAX_DONE];
    /*  For the waits.  */
    int want_done;
    uint64_t want_failures;
} fixture_t;

/*  The commit's callback: checks that the record is durable before it is
    handed over, and keeps what would be published.  */
static void
on_done (clip_task_t *task, const clip_record_t *rec, const char *packed, size_t packed_len,
         void *arg)
{
    fixture_t *f = arg;
    cr_assert_lt (f->n_done, MAX_DONE);
    cr_assert (rec->has_seq);
    cr_assert_geq (clip_results_head (f->results), rec->seq, "handed over before its COMMIT");
    clip_record_t *logged = NULL;
    cr_assert_eq (clip_results_find_claim (f->results, clip_task_claim (task), &logged), 1,
                  "claim %llu is not in the log", (unsigned long long) clip_task_claim (task));
    cr_assert_eq (logged->seq, rec->seq);
    clip_record_destroy (&logged);
    char err [256];
    clip_record_t *copy = clip_record_decode (packed, packed_len, err, sizeof err);
    cr_assert_not_null (copy, "%s", err);
    cr_assert_eq (copy->seq, rec->seq, "the bytes handed over carry the committed seq");
    f->done_claim [f->n_done] = clip_task_claim (task);
    f->done [f->n_done++] = copy;
}

static void
commit_open_with (fixture_t *f, size_t batch_max, uint64_t batch_delay_ms)
{
    clip_commit_settings_t s;
    clip_commit_settings_default (&s);
    cr_assert_eq (s.retry_ms, CLIP_COMMIT_RETRY_MS);
    cr_assert_eq (s.batch_max, CLIP_DEFAULT_COMMIT_BATCH_MAX);
    cr_assert_eq (s.batch_delay_ms, 0);
    s.retry_ms = RETRY_MS;
    s.metrics = &f->metrics;
    if (batch_max)
        s.batch_max = batch_max;
    s.batch_delay_ms = batch_delay_ms;
    f->commit = clip_commit_new (&f->loop, f->db, f->corpus, f->results, &s, on_done, f);
    cr_assert_not_null (f->commit);
}

static void
commit_open (fixture_t *f)
{
    commit_open_with (f, 0, 0);
}

/*  Destroy the commit and let the loop close its handles.  */
static void
commit_close (fixture_t *f)
{
    clip_commit_destroy (&f->commit);
    cr_assert_null (f->commit);
    uv_run (&f->loop, UV_RUN_DEFAULT);
}

static void
state_open (fixture_t *f)
{
    char err [256];
    char *path = clip_path_join (f->dir, "clipd.db");
    f->db = clip_db_open (path, 0, err, sizeof err);
    cr_assert_not_null (f->db, "%s", err);
    free (path);
    f->corpus = clip_corpus_open (f->db, NULL, err, sizeof err);
    cr_assert_not_null (f->corpus, "%s", err);
    f->results = clip_results_open (f->db, err, sizeof err);
    cr_assert_not_null (f->results, "%s", err);
}

static void
state_close (fixture_t *f)
{
    clip_results_destroy (&f->results);
    clip_corpus_destroy (&f->corpus);
    sqlite3_close (f->db);
    f->db = NULL;
}

static fixture_t *
fixture_open (void)
{
    fixture_t *f = clip_calloc (1, sizeof *f);
    f->dir = tu_tempdir ("commit");
    state_open (f);
    cr_assert_eq (uv_loop_init (&f->loop), 0);
    commit_open (f);
    return f;
}

static void
fixture_close (fixture_t **f_p)
{
    fixture_t *f = *f_p;
    commit_close (f);
    cr_assert_eq (uv_loop_close (&f->loop), 0, "the commit left a handle open");
    state_close (f);
    for (int i = 0; i < f->n_done; i++)
        clip_record_destroy (&f->done [i]);
    tu_rmtree (f->dir);
    free (f->dir);
    free (f);
    *f_p = NULL;
}

static bool
enough_done (void *arg)
{
    fixture_t *f = arg;
    uv_run (&f->loop, UV_RUN_NOWAIT);
    return f->n_done >= f->want_done;
}

/*  Run the loop until n records were handed over in all.  */
static void
wait_done (fixture_t *f, int n)
{
    f->want_done = n;
    cr_assert (tu_wait_for (enough_done, f, WAIT_MS), "%d records handed over, %d expected "
               "(queued %zu, pending %zu)", f->n_done, n, clip_commit_queued (f->commit),
               clip_commit_pending (f->commit));
}

static bool
enough_failures (void *arg)
{
    fixture_t *f = arg;
    uv_run (&f->loop, UV_RUN_NOWAIT);
    return atomic_load (&f->metrics.commit_failures) >= f->want_failures;
}

/*  Run the loop until n commits failed in all.  */
static void
wait_failures (fixture_t *f, uint64_t n)
{
    f->want_failures = n;
    cr_assert (tu_wait_for (enough_failures, f, WAIT_MS), "%llu commits failed, %llu expected",
               (unsigned long long) atomic_load (&f->metrics.commit_failures),
               (unsigned long long) n);
}

/*  ------------------------------------------------------------------ */

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
article_init (article_t *a, const char *id, const char *file, const char *text, bool sketch)
{
    *a = (article_t) { id, file, text, NULL, 0 };
    if (sketch)
        cr_assert_eq (clip_sketch_compute (text, strlen (text), &a->sketch, &a->sketch_len), 0);
}

static void
article_fini (article_t *a)
{
    free (a->sketch);
    a->sketch = NULL;
}

static clip_record_t *
ok_record (const char *id)
{
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->id, id);
    /*  What the worker says; the commit takes the task's name.  */
    clip_record_set (rec, &rec->file, "as-the-worker-said.txt");
    clip_record_set (rec, &rec->encoding, "utf-8");
    clip_record_set (rec, &rec->title, id);
    clip_record_set (rec, &rec->worker, "test:1");
    return rec;
}

/*  Queue an article as clipd does: its file in processing/ (the commit
    reads it back for the corpus), its task, its record and a copy of its
    sketch, all given to the commit.  */
static void
add_article (fixture_t *f, const article_t *a, uint64_t claim)
{
    char *path = clip_path_join (f->dir, a->file);
    tu_write (path, a->text, strlen (a->text));
    clip_task_t *task = clip_task_new (claim, a->file, path, strlen (a->text), 1000 + claim);
    free (path);
    clip_record_t *rec = ok_record (a->id);
    rec->bytes = strlen (a->text);
    void *sketch = NULL;
    if (a->sketch) {
        sketch = clip_malloc (a->sketch_len);
        memcpy (sketch, a->sketch, a->sketch_len);
    }
    clip_commit_add (f->commit, &task, &rec, &sketch, a->sketch_len);
    cr_assert_null (task, "the commit took the task");
    cr_assert_null (rec, "the commit took the record");
    cr_assert_null (sketch, "the commit took the sketch");
}

/*  Queue a failed record that arrives with a dedupe part (a worker's
    claim, or left from an earlier attempt): only the commit judges, and
    it judges no failed record.  */
static void
add_failed (fixture_t *f, const char *file, uint64_t claim, bool with_verdict)
{
    char *path = clip_path_join (f->dir, file);
    clip_task_t *task = clip_task_new (claim, file, path, 10, 1000 + claim);
    free (path);
    clip_record_t *rec = clip_record_new ();
    clip_record_set_error (rec, with_verdict ? "not_text" : "too_large",
                           with_verdict ? "binary" : "the file is too large");
    if (with_verdict) {
        clip_record_set (rec, &rec->verdict, "duplicate");
        clip_record_set (rec, &rec->cluster, "aa");
        clip_record_add_match (rec, "aa", "a.txt", 1, 1.0, 1.0);
    }
    clip_commit_add (f->commit, &task, &rec, NULL, 0);
    cr_assert_null (task);
    cr_assert_null (rec);
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

/*  Make the insert of the record of `claim` fail, as a full disk or an I/O
    error would, inside the batch, but only when it is given `seq`: the
    failure itself proves which seq it had in the failed attempt.  */
static void
inject_failure_at (fixture_t *f, uint64_t claim, uint64_t seq)
{
    char *text = clip_strprintf ("CREATE TRIGGER inject BEFORE INSERT ON results"
                                 " WHEN NEW.claim = %llu AND NEW.seq = %llu BEGIN"
                                 " SELECT RAISE (ABORT, 'injected'); END",
                                 (unsigned long long) claim, (unsigned long long) seq);
    sql (f, text);
    free (text);
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

/*  How the corpus judges an article now (read-only).  */
static clip_record_t *
probe (fixture_t *f, const article_t *a, const char *id)
{
    clip_record_t *rec = ok_record (id);
    cr_assert_eq (clip_corpus_judge (f->corpus, rec, a->sketch, a->sketch_len), 0);
    return rec;
}

/*  ------------------------------------------------------------------ */

Test (commit, a_batch_commits_with_consecutive_seqs_each_handed_over_once_in_order,
      .timeout = 120)
{
    fixture_t *f = fixture_open ();
    article_t p, a, b, d, e;
    article_init (&p, "0p", "p.txt", text_p, true);
    article_init (&a, "0a", "a.txt", text_a, true);
    article_init (&b, "0b", "b.txt", text_b, true);
    article_init (&d, "0d", "d.txt", text_d, true);
    article_init (&e, "0e", "e.txt", text_e, true);
    add_article (f, &p, 1);
    wait_done (f, 1);
    cr_assert_eq (f->done [0]->seq, 1);
    cr_assert_eq (atomic_load (&f->metrics.commits_total), 1);

    /*  Five results in one loop turn: one batch, one transaction.  */
    add_article (f, &a, 10);
    add_article (f, &b, 11);
    add_failed (f, "x.bin", 12, false);
    add_article (f, &d, 13);
    add_article (f, &e, 14);
    cr_assert_eq (clip_commit_queued (f->commit), 5);
    cr_assert_eq (f->n_done, 1, "nothing is committed before the loop turns");
    wait_done (f, 6);
    cr_assert_eq (atomic_load (&f->metrics.commits_total), 2, "one commit for the batch");
    cr_assert_eq (atomic_load (&f->metrics.commit_failures), 0);
    const char *files [6] = { "p.txt", "a.txt", "b.txt", "x.bin", "d.txt", "e.txt" };
    const uint64_t claims [6] = { 1, 10, 11, 12, 13, 14 };
    for (int i = 0; i < 6; i++) {
        cr_assert_eq (f->done [i]->seq, (uint64_t) (i + 1), "handed over in seq order");
        cr_assert_eq (f->done_claim [i], claims [i], "in the order queued");
        cr_assert_str_eq (f->done [i]->file, files [i], "the file is the task's name");
        cr_assert_eq (f->done [i]->received, 1000 + claims [i], "received is the task's");
        cr_assert (f->done [i]->has_times && f->done [i]->done > 0);
    }
    assert_verdict (f->done [1], "unique", "0a", 0, NULL, 0);
    assert_verdict (f->done [2], "near_duplicate", "0a", 1, "0a", 2);
    cr_assert_not (f->done [3]->has_dedupe);
    cr_assert_str_eq (clip_record_topic (f->done [3]), "error");
    cr_assert_eq (clip_results_head (f->results), 6);
    cr_assert_eq (clip_results_max_claim (f->results), 14);
    cr_assert_eq (count_rows (f, "results"), 6);
    cr_assert_eq (clip_corpus_size (f->corpus), 5, "every article but the failed record");
    cr_assert_eq (atomic_load (&f->metrics.records_total), 6);
    uint64_t failed = 0;
    for (int i = 0; i <= CLIP_ERROR_COUNT; i++)
        failed += atomic_load (&f->metrics.records_by_error [i]);
    cr_assert_eq (failed, 1);
    cr_assert_eq (atomic_load (&f->metrics.records_by_verdict [CLIP_VERDICT_NEAR_DUPLICATE]), 1);
    cr_assert_eq (atomic_load (&f->metrics.records_by_verdict [CLIP_VERDICT_UNIQUE]), 4);
    cr_assert_eq (clip_commit_queued (f->commit), 0);
    cr_assert_eq (clip_commit_pending (f->commit), 0);
    /*  Exactly once: the loop has nothing left to run, and turning it
        hands nothing over again.  */
    cr_assert_eq (uv_run (&f->loop, UV_RUN_NOWAIT), 0, "a handle is still active");
    cr_assert_eq (f->n_done, 6);
    fixture_close (&f);
    article_t *all [] = { &p, &a, &b, &d, &e };
    for (size_t i = 0; i < sizeof all / sizeof all [0]; i++)
        article_fini (all [i]);
}

Test (commit, a_commit_that_fails_mid_batch_rolls_back_everything_then_commits_the_same_seqs,
      .timeout = 120)
{
    fixture_t *f = fixture_open ();
    article_t p, a, b, d, e, ff;
    article_init (&p, "0p", "p.txt", text_p, true);
    article_init (&a, "0a", "a.txt", text_a, true);
    article_init (&b, "0b", "b.txt", text_b, true);
    article_init (&d, "0d", "d.txt", text_d, true);
    article_init (&e, "0e", "e.txt", text_e, true);
    article_init (&ff, "0f", "f.txt", text_f, true);
    add_article (f, &p, 1);
    wait_done (f, 1);

    /*  1. [A, B, X, D]: B is a near-duplicate of A, X a failed record that
        came with a verdict; the insert of D (claim 13) at seq 5 fails, so
        A, B, X were given 2, 3, 4 and staged before it.  */
    inject_failure_at (f, 13, 5);
    add_article (f, &a, 10);
    add_article (f, &b, 11);
    add_failed (f, "x.bin", 12, true);
    add_article (f, &d, 13);
    wait_failures (f, 1);
    cr_assert_eq (f->n_done, 1, "nothing of the batch is handed over");
    cr_assert_eq (clip_commit_pending (f->commit), 4);
    cr_assert_eq (clip_results_head (f->results), 1, "nothing of the batch counts");
    cr_assert_eq (clip_results_max_claim (f->results), 1);
    cr_assert_eq (count_rows (f, "results"), 1);
    cr_assert_eq (count_rows (f, "corpus_articles"), 1, "no staged row survives the rollback");
    cr_assert_eq (clip_corpus_size (f->corpus), 1);
    cr_assert_eq (atomic_load (&f->metrics.commit_failing), 1);
    char reason [CLIPD_METRIC_TEXT_MAX];
    clipd_metric_text_get (&f->metrics.commit_error, reason, sizeof reason);
    cr_assert (strstr (reason, "commits to the results log are failing") != NULL, "%s", reason);
    /*  The corpus judges nothing against the rolled-back A: B's text is a
        new article, not A's near-duplicate.  */
    clip_record_t *q = probe (f, &b, "0q");
    assert_verdict (q, "unique", "0q", 0, NULL, 0);
    clip_record_destroy (&q);
    /*  While the cause stays, the retries fail the same way.  */
    wait_failures (f, 2);
    cr_assert_eq (f->n_done, 1);
    cr_assert_eq (clip_results_head (f->results), 1);
    cr_assert_eq (count_rows (f, "corpus_articles"), 1);
    sql (f, "DROP TRIGGER inject");

    /*  The cause gone, the retry commits the same batch: the same seqs,
        every verdict judged anew against what is now before it, nothing
        of the failed attempts counted twice.  */
    wait_done (f, 5);
    const uint64_t claims [4] = { 10, 11, 12, 13 };
    for (int i = 0; i < 4; i++) {
        cr_assert_eq (f->done [1 + i]->seq, (uint64_t) (i + 2), "record %d keeps its seq", i);
        cr_assert_eq (f->done_claim [1 + i], claims [i]);
    }
    cr_assert_eq (clip_results_head (f->results), 5);
    assert_verdict (f->done [1], "unique", "0a", 0, NULL, 0);
    assert_verdict (f->done [2], "near_duplicate", "0a", 1, "0a", 2);
    assert_verdict (f->done [4], "unique", "0d", 0, NULL, 0);
    const clip_record_t *x = f->done [3];
    cr_assert_not (x->has_dedupe, "a failed record carries no verdict");
    cr_assert_null (x->verdict);
    cr_assert_eq (x->n_matches, 0);
    cr_assert_str_eq (clip_record_topic (x), "error");
    cr_assert_eq (clip_corpus_size (f->corpus), 4, "P, A, B, D");
    cr_assert_eq (count_rows (f, "corpus_articles"), 4);
    cr_assert_eq (atomic_load (&f->metrics.commit_failing), 0, "cleared by the commit");
    cr_assert_eq (atomic_load (&f->metrics.records_total), 5, "each record counted once");
    cr_assert_eq (clip_commit_pending (f->commit), 0);
    uint64_t failures = atomic_load (&f->metrics.commit_failures);

    /*  2. [E, F]: F a near-duplicate of E, judged against E earlier in
        the same batch; the insert of F at seq 7 fails once.  */
    inject_failure_at (f, 21, 7);
    add_article (f, &e, 20);
    add_article (f, &ff, 21);
    wait_failures (f, failures + 1);
    cr_assert_eq (clip_corpus_size (f->corpus), 4);
    cr_assert_eq (count_rows (f, "corpus_articles"), 4);
    sql (f, "DROP TRIGGER inject");
    wait_done (f, 7);
    cr_assert_eq (f->done [5]->seq, 6);
    cr_assert_eq (f->done [6]->seq, 7);
    assert_verdict (f->done [5], "unique", "0e", 0, NULL, 0);
    assert_verdict (f->done [6], "near_duplicate", "0e", 1, "0e", 6);
    cr_assert_eq (clip_corpus_size (f->corpus), 6);
    cr_assert_eq (count_rows (f, "corpus_articles"), 6);

    /*  After a reopen (the index rebuilt from the file), the same log and
        corpus.  */
    commit_close (f);
    state_close (f);
    state_open (f);
    commit_open (f);
    cr_assert_eq (clip_results_head (f->results), 7);
    cr_assert_eq (clip_results_max_claim (f->results), 21);
    cr_assert_eq (clip_corpus_size (f->corpus), 6);
    fixture_close (&f);
    article_t *all [] = { &p, &a, &b, &d, &e, &ff };
    for (size_t i = 0; i < sizeof all / sizeof all [0]; i++)
        article_fini (all [i]);
}

/*  Two copies in one batch: the second is judged against the first, staged
    before it in the same transaction; a third copy later, against the
    first committed.  Exact copies are known by their id (no sketch).  */
Test (commit, a_duplicate_is_judged_against_a_record_earlier_in_the_same_batch, .timeout = 120)
{
    fixture_t *f = fixture_open ();
    article_t first, second, third, e, ff;
    article_init (&first, "same", "first.txt", text_d, false);
    article_init (&second, "same", "second.txt", text_d, false);
    article_init (&third, "same", "third.txt", text_d, false);
    article_init (&e, "0e", "e.txt", text_e, true);
    article_init (&ff, "0f", "f.txt", text_f, true);
    add_article (f, &first, 1);
    add_article (f, &e, 2);
    add_article (f, &second, 3);
    add_article (f, &ff, 4);
    wait_done (f, 4);
    cr_assert_eq (atomic_load (&f->metrics.commits_total), 1, "one batch");
    cr_assert_str_eq (f->done [0]->verdict, "unique");
    cr_assert_str_eq (f->done [0]->cluster, "same");
    const clip_record_t *dup = f->done [2];
    cr_assert_str_eq (dup->file, "second.txt");
    cr_assert_str_eq (dup->verdict, "duplicate");
    cr_assert_str_eq (clip_record_topic (dup), "article.duplicate");
    cr_assert_eq (dup->n_matches, 1);
    cr_assert_str_eq (dup->matches [0].file, "first.txt");
    cr_assert_eq (dup->matches [0].seq, 1);
    assert_verdict (f->done [1], "unique", "0e", 0, NULL, 0);
    assert_verdict (f->done [3], "near_duplicate", "0e", 1, "0e", 2);
    cr_assert_eq (atomic_load (&f->metrics.records_by_verdict [CLIP_VERDICT_DUPLICATE]), 1);
    cr_assert_eq (atomic_load (&f->metrics.records_by_verdict [CLIP_VERDICT_NEAR_DUPLICATE]), 1);
    add_article (f, &third, 5);
    wait_done (f, 5);
    cr_assert_str_eq (f->done [4]->verdict, "duplicate");
    cr_assert_eq (f->done [4]->matches [0].seq, 1);
    cr_assert_str_eq (f->done [4]->matches [0].file, "first.txt");
    fixture_close (&f);
    article_fini (&e);
    article_fini (&ff);
}

Test (commit, failed_records_are_logged_but_not_in_the_corpus, .timeout = 120)
{
    fixture_t *f = fixture_open ();
    add_failed (f, "big.bin", 7, false);
    wait_done (f, 1);
    cr_assert_eq (f->done [0]->seq, 1);
    cr_assert_eq (clip_corpus_size (f->corpus), 0);
    clip_record_t *found = NULL;
    cr_assert_eq (clip_results_find_claim (f->results, 7, &found), 1);
    cr_assert_str_eq (found->status, "failed");
    cr_assert_str_eq (found->error_code, "too_large");
    cr_assert_str_eq (found->file, "big.bin");
    cr_assert_eq (found->seq, 1);
    clip_record_destroy (&found);
    fixture_close (&f);
}

/*  [G] fails and is dropped (clipd stops before the retry): a later
    article with G's text and id is judged as if G had never been.  */
Test (commit, a_batch_dropped_after_failing_is_as_if_never_tried, .timeout = 120)
{
    fixture_t *f = fixture_open ();
    article_t p, g, h;
    article_init (&p, "0p", "p.txt", text_p, true);
    article_init (&g, "0c", "g.txt", text_g, true);
    add_article (f, &p, 1);
    wait_done (f, 1);
    inject_failure_at (f, 30, 2);
    add_article (f, &g, 30);
    wait_failures (f, 1);
    cr_assert_eq (clip_commit_run (f->commit), 0, "nothing queued: pending waits for the timer");
    cr_assert_eq (clip_commit_pending (f->commit), 1);
    /*  Dropped with the commit (its file would stay in processing/).  */
    commit_close (f);
    sql (f, "DROP TRIGGER inject");
    commit_open (f);
    cr_assert_eq (clip_corpus_size (f->corpus), 1);
    h = g;
    h.file = "h.txt";
    add_article (f, &h, 31);
    wait_done (f, 2);
    cr_assert_eq (f->done [1]->seq, 2, "G used up no seq");
    assert_verdict (f->done [1], "unique", "0c", 0, NULL, 0);
    cr_assert_eq (clip_corpus_size (f->corpus), 2);
    cr_assert_eq (count_rows (f, "corpus_articles"), 2);
    cr_assert_eq (uv_run (&f->loop, UV_RUN_NOWAIT), 0);
    cr_assert_eq (f->n_done, 2, "G is never handed over");
    fixture_close (&f);
    article_fini (&p);
    article_fini (&g);
}

/*  ------------------------------------------------------------------ */
/*  The commit off the loop's thread                                    */

/*  Another connection takes the write lock: the commit thread's BEGIN
    IMMEDIATE waits for it (for up to HOLD_BUSY_MS), as the thread would
    wait for a slow fsync.  */
#define HOLD_BUSY_MS 60000

static sqlite3 *
hold_write_lock (fixture_t *f)
{
    char err [256];
    char *path = clip_path_join (f->dir, "clipd.db");
    sqlite3 *db2 = clip_db_open (path, 0, err, sizeof err);
    free (path);
    cr_assert_not_null (db2, "%s", err);
    cr_assert_eq (clip_db_exec (db2, "BEGIN IMMEDIATE", err, sizeof err), 0, "%s", err);
    /*  Longer than any wait below: a loop that waited for the commit
        would miss them all.  */
    sqlite3_busy_timeout (f->db, HOLD_BUSY_MS);
    return db2;
}

static void
release_write_lock (sqlite3 **db2_p)
{
    char err [256];
    cr_assert_eq (clip_db_exec (*db2_p, "ROLLBACK", err, sizeof err), 0, "%s", err);
    sqlite3_close (*db2_p);
    *db2_p = NULL;
}

/*  Releases the lock from another thread a moment later, while the test's
    thread waits in clip_commit_run or clip_commit_destroy.  If the moment
    comes first, the wait is only shorter.  */
static void
release_later (void *arg)
{
    uv_sleep (200);
    release_write_lock (arg);
}

typedef struct {
    fixture_t *f;
    int ticks;                  /* of a 2 ms timer on the loop */
    int want_ticks;
    size_t want_inflight;
} turning_t;

static void
on_tick (uv_timer_t *timer)
{
    turning_t *t = timer->data;
    t->ticks++;
}

/*  A 2 ms timer on the fixture's loop counting into t: the proof that the
    loop turns while a commit is held.  */
static void
turning_start (turning_t *t, uv_timer_t *timer)
{
    uv_timer_init (&t->f->loop, timer);
    timer->data = t;
    uv_timer_start (timer, on_tick, 2, 2);
}

static bool
loop_turned (void *arg)
{
    turning_t *t = arg;
    uv_run (&t->f->loop, UV_RUN_NOWAIT);
    return t->ticks >= t->want_ticks && clip_commit_inflight (t->f->commit) == t->want_inflight;
}

/*  Run the loop until the timer ticked n more times and the batch in
    flight holds inflight results, well before the held commit could end
    on its own.  */
static void
wait_turns (turning_t *t, int n, size_t inflight)
{
    t->want_ticks = t->ticks + n;
    t->want_inflight = inflight;
    cr_assert (tu_wait_for (loop_turned, t, WAIT_MS), "the loop turned %d times of %d, "
               "%zu in flight of %zu: it waits for the commit", t->ticks, t->want_ticks,
               clip_commit_inflight (t->f->commit), inflight);
}

Test (commit, the_loop_keeps_working_while_a_commit_is_held_and_later_results_follow_in_order,
      .timeout = 240)
{
    fixture_t *f = fixture_open ();
    article_t p, a, b, d, e;
    article_init (&p, "0p", "p.txt", text_p, true);
    article_init (&a, "0a", "a.txt", text_a, true);
    article_init (&b, "0b", "b.txt", text_b, true);
    article_init (&d, "0d", "d.txt", text_d, true);
    article_init (&e, "0e", "e.txt", text_e, true);
    add_article (f, &p, 1);
    wait_done (f, 1);
    turning_t t = { .f = f };
    uv_timer_t timer;
    turning_start (&t, &timer);

    sqlite3 *db2 = hold_write_lock (f);
    add_article (f, &a, 10);
    add_failed (f, "x.bin", 11, false);
    /*  The batch [A, X] is in flight, its commit held; the loop turns.  */
    wait_turns (&t, 10, 2);
    /*  Results keep coming and are accepted: the next batch grows.  */
    add_article (f, &b, 12);
    add_article (f, &d, 13);
    wait_turns (&t, 10, 2);
    cr_assert_eq (clip_commit_queued (f->commit), 2, "B and D wait for the batch in flight");
    cr_assert_eq (f->n_done, 1, "nothing is handed over before its COMMIT");
    cr_assert_eq (clip_results_head (f->results), 1);
    cr_assert_eq (atomic_load (&f->metrics.commits_total), 1);
    /*  The log's lookups do not wait for the commit either.  */
    clip_record_t *found = NULL;
    cr_assert_eq (clip_results_find_claim (f->results, 1, &found), 1);
    clip_record_destroy (&found);
    cr_assert_eq (clip_results_find_claim (f->results, 10, &found), 0);

    release_write_lock (&db2);
    wait_done (f, 5);
    add_article (f, &e, 14);
    wait_done (f, 6);
    const uint64_t claims [6] = { 1, 10, 11, 12, 13, 14 };
    for (int i = 0; i < 6; i++) {
        cr_assert_eq (f->done [i]->seq, (uint64_t) (i + 1), "handed over in seq order");
        cr_assert_eq (f->done_claim [i], claims [i], "in the order accepted");
    }
    /*  B is judged against A, committed in the batch before it.  */
    assert_verdict (f->done [3], "near_duplicate", "0a", 1, "0a", 2);
    cr_assert_eq (atomic_load (&f->metrics.commits_total), 4, "[P] [A, X] [B, D] [E]");
    cr_assert_eq (atomic_load (&f->metrics.commit_failures), 0);
    cr_assert_eq (clip_results_head (f->results), 6);
    cr_assert_eq (clip_commit_corpus_size (f->commit), 5);
    uv_close ((uv_handle_t *) &timer, NULL);
    fixture_close (&f);
    article_t *all [] = { &p, &a, &b, &d, &e };
    for (size_t i = 0; i < sizeof all / sizeof all [0]; i++)
        article_fini (all [i]);
}

/*  SIGTERM with a batch in flight: clipd calls clip_commit_run, which
    waits for it, hands it over, then commits what is queued.  */
Test (commit, run_waits_for_the_batch_in_flight_then_commits_the_queue, .timeout = 240)
{
    fixture_t *f = fixture_open ();
    article_t a, d;
    article_init (&a, "0a", "a.txt", text_a, true);
    article_init (&d, "0d", "d.txt", text_d, true);
    turning_t t = { .f = f };
    uv_timer_t timer;
    turning_start (&t, &timer);
    sqlite3 *db2 = hold_write_lock (f);
    add_article (f, &a, 10);
    wait_turns (&t, 1, 1);
    add_article (f, &d, 11);
    add_failed (f, "x.bin", 12, false);
    uv_thread_t releaser;
    cr_assert_eq (uv_thread_create (&releaser, release_later, &db2), 0);
    cr_assert_eq (clip_commit_run (f->commit), 0);
    cr_assert_eq (f->n_done, 3, "the batch in flight and the queue, handed over");
    for (int i = 0; i < 3; i++) {
        cr_assert_eq (f->done [i]->seq, (uint64_t) (i + 1));
        cr_assert_eq (f->done_claim [i], (uint64_t) (10 + i));
    }
    cr_assert_eq (clip_commit_inflight (f->commit), 0);
    cr_assert_eq (clip_commit_queued (f->commit), 0);
    uv_thread_join (&releaser);
    uv_close ((uv_handle_t *) &timer, NULL);
    fixture_close (&f);
    article_fini (&a);
    article_fini (&d);
}

/*  Destroyed with a batch in flight and no clip_commit_run (a start-up
    error, or the run failed): the batch ends before destroy returns, so
    closing the corpus, the log and db after it is safe, and what it
    committed counts.  */
Test (commit, destroy_lets_the_batch_in_flight_end_before_the_state_is_closed, .timeout = 240)
{
    fixture_t *f = fixture_open ();
    article_t a, d;
    article_init (&a, "0a", "a.txt", text_a, true);
    article_init (&d, "0d", "d.txt", text_d, true);
    turning_t t = { .f = f };
    uv_timer_t timer;
    turning_start (&t, &timer);
    sqlite3 *db2 = hold_write_lock (f);
    add_article (f, &a, 10);
    add_article (f, &d, 11);
    wait_turns (&t, 1, 2);
    add_failed (f, "x.bin", 12, false);
    uv_thread_t releaser;
    cr_assert_eq (uv_thread_create (&releaser, release_later, &db2), 0);
    uv_close ((uv_handle_t *) &timer, NULL);
    commit_close (f);
    uv_thread_join (&releaser);
    cr_assert_eq (f->n_done, 0, "nothing is handed over by destroy");
    cr_assert_eq (clip_results_head (f->results), 2, "the batch in flight was committed");
    cr_assert_eq (count_rows (f, "results"), 2, "the queued result was dropped");
    cr_assert_eq (clip_corpus_size (f->corpus), 2);
    state_close (f);
    state_open (f);
    commit_open (f);
    cr_assert_eq (clip_results_head (f->results), 2);
    cr_assert_eq (clip_results_max_claim (f->results), 11);
    add_failed (f, "x.bin", 12, false);
    wait_done (f, 1);
    cr_assert_eq (f->done [0]->seq, 3);
    fixture_close (&f);
    article_fini (&a);
    article_fini (&d);
}

/*  Batching by time and size: with a delay, the first result waits for
    more (here the delay is longer than the test, so only a full batch
    starts); a burst longer than batch_max is several batches, in order.  */
Test (commit, a_batch_starts_when_full_or_after_its_delay_and_a_burst_is_cut_at_batch_max,
      .timeout = 120)
{
    fixture_t *f = clip_calloc (1, sizeof *f);
    f->dir = tu_tempdir ("commit");
    state_open (f);
    cr_assert_eq (uv_loop_init (&f->loop), 0);
    commit_open_with (f, 3, 600000);
    turning_t t = { .f = f };
    uv_timer_t timer;
    turning_start (&t, &timer);
    add_failed (f, "1.bin", 1, false);
    add_failed (f, "2.bin", 2, false);
    wait_turns (&t, 10, 0);
    cr_assert_eq (clip_commit_queued (f->commit), 2, "waiting for the delay or a third");
    cr_assert_eq (f->n_done, 0);
    add_failed (f, "3.bin", 3, false);
    wait_done (f, 3);
    cr_assert_eq (atomic_load (&f->metrics.commits_total), 1, "one batch, started full");
    /*  Seven at once: 3 + 3 + 1, each batch right after the one before
        (those results have waited a commit already: no delay).  */
    for (uint64_t i = 4; i <= 10; i++) {
        char name [16];
        snprintf (name, sizeof name, "%llu.bin", (unsigned long long) i);
        add_failed (f, name, i, false);
    }
    wait_done (f, 10);
    cr_assert_eq (atomic_load (&f->metrics.commits_total), 4);
    cr_assert_eq (clip_commit_queued (f->commit), 0);
    /*  A lone result waits for the delay; clip_commit_run (shutdown) does
        not.  */
    add_failed (f, "11.bin", 11, false);
    wait_turns (&t, 10, 0);
    cr_assert_eq (clip_commit_queued (f->commit), 1);
    cr_assert_eq (clip_commit_run (f->commit), 0);
    cr_assert_eq (f->n_done, 11);
    cr_assert_eq (atomic_load (&f->metrics.commits_total), 5);
    for (int i = 0; i < 11; i++) {
        cr_assert_eq (f->done [i]->seq, (uint64_t) (i + 1));
        cr_assert_eq (f->done_claim [i], (uint64_t) (i + 1));
    }
    uv_close ((uv_handle_t *) &timer, NULL);
    fixture_close (&f);
}
