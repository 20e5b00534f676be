/*  The results log: gap-free seq, claim lookup, replay paging and filters,
    persistence, on a real SQLite file.  */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_corpus.h"
#include "clip_db.h"
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
