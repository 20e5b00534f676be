/*  Tests for the corpus keys snapshot (clip_keysnap, STATE/clipd.db.keys):
    whatever state the snapshot is in when the corpus opens (up to date,
    missing, behind the database, torn, corrupt, from another database,
    left behind by a writer that did not publish), the reopened corpus gives
    the same verdicts, matches and clusters as the corpus that wrote the
    rows, and the snapshot is brought up to date.  */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clip_corpus.h"
#include "clip_db.h"
#include "clip_keysnap.h"
#include "clip_sketch.h"
#include "clip_text.h"
#include "clip_util.h"

/*  Articles of the corpus, and half as many again for the second batch.  */
#define N_BASE 48

typedef struct {
    char *dir;
    char *db_path;
    char *snap_path;
    sqlite3 *db;
    clip_corpus_t *corpus;
} env_t;

static void
env_open (env_t *env)
{
    char err [256] = "";
    env->db = clip_db_open (env->db_path, 0, err, sizeof err);
    cr_assert_not_null (env->db, "%s", err);
    env->corpus = clip_corpus_open (env->db, NULL, err, sizeof err);
    cr_assert_not_null (env->corpus, "%s", err);
}

static void
env_close (env_t *env)
{
    clip_corpus_destroy (&env->corpus);
    sqlite3_close (env->db);
    env->db = NULL;
}

static void
env_new (env_t *env)
{
    char tmpl [] = "/tmp/test_corpus_snapshot.XXXXXX";
    cr_assert_not_null (mkdtemp (tmpl));
    env->dir = clip_strdup (tmpl);
    env->db_path = clip_path_join (env->dir, "clipd.db");
    env->snap_path = clip_strprintf ("%s.keys", env->db_path);
    env_open (env);
}

static void
env_destroy (env_t *env)
{
    env_close (env);
    char *cmd = clip_strprintf ("rm -rf '%s'", env->dir);
    cr_assert_eq (system (cmd), 0);
    free (cmd);
    free (env->snap_path);
    free (env->db_path);
    free (env->dir);
}

static uint64_t
next (uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/*  Words [from, to) of article seed's text (of n words), then extra fresh
    words from extra_seed.  Caller owns the result.  */
static char *
text_of (uint64_t seed, size_t n, size_t from, size_t to, uint64_t extra_seed, size_t extra)
{
    char *buf = clip_malloc ((to - from + extra) * 12 + 1);
    size_t len = 0;
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        uint64_t w = next (&s) % 50000;
        if (i >= from && i < to)
            len += (size_t) sprintf (buf + len, "w%" PRIu64 " ", w);
    }
    s = extra_seed;
    for (size_t i = 0; i < extra; i++)
        len += (size_t) sprintf (buf + len, "x%" PRIu64 " ", next (&s) % 50000);
    buf [len] = 0;
    return buf;
}

static size_t
words_of (uint64_t seed)
{
    return 60 + (size_t) (seed * 37 % 400);
}

/*  The text of corpus article i: articles 3k are fresh, 3k+1 trimmed copies
    of 3k, 3k+2 copies of 3k+1's second half with new text after it.  */
static char *
article (size_t i)
{
    uint64_t seed = 1000 + i - i % 3;
    size_t n = words_of (seed);
    switch (i % 3) {
        case 0: return text_of (seed, n, 0, n, 0, 0);
        case 1: return text_of (seed, n, n / 10, n, 0, 0);
        default: return text_of (seed, n, n / 2, n, 7000 + i, n / 4);
    }
}

static void
sketch_of (const char *text, char id [33], void **sketch, size_t *sketch_len)
{
    size_t len = strlen (text);
    size_t nlen;
    char *norm = clip_text_normalise (text, len, &nlen);
    clip_text_digest (norm, nlen, id);
    cr_assert_eq (clip_sketch_compute (norm, nlen, sketch, sketch_len), 0);
    free (norm);
}

/*  Judge, stage and commit articles [from, to) in one transaction.  When
    publish is false the writer behaves like one that never tells the
    corpus about its COMMIT (as bench_dedupe's loader does).  */
static void
add_batch (env_t *env, size_t from, size_t to, bool publish)
{
    cr_assert_eq (sqlite3_exec (env->db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    for (size_t i = from; i < to; i++) {
        char *text = article (i);
        char id [33];
        void *sketch;
        size_t sketch_len;
        sketch_of (text, id, &sketch, &sketch_len);
        clip_record_t *rec = clip_record_new ();
        clip_record_set (rec, &rec->id, id);
        char file [32];
        snprintf (file, sizeof file, "a%03zu.txt", i);
        clip_record_set (rec, &rec->file, file);
        cr_assert_eq (clip_corpus_judge (env->corpus, rec, sketch, sketch_len), 0);
        cr_assert_eq (clip_corpus_stage (env->corpus, rec, sketch, sketch_len, text, strlen (text)), 0);
        clip_record_destroy (&rec);
        free (sketch);
        free (text);
    }
    cr_assert_eq (sqlite3_exec (env->db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    if (publish)
        clip_corpus_publish_staged (env->corpus);
    else
        clip_corpus_drop_staged (env->corpus);
}

/*  Every article in a few batches, with a copy of one (a duplicate, which
    has no keys) on the way.  */
static void
add_all (env_t *env, size_t from, size_t to)
{
    for (size_t i = from; i < to; i += 7)
        add_batch (env, i, i + 7 < to ? i + 7 : to, true);
}

/*  Judge probes against the corpus without adding them, and describe every
    verdict, cluster and match.  Probes: near copies of every corpus article
    (early ones and late ones), a partial copy, exact copies, fresh text.
    *near counts the near_duplicate verdicts.  Caller owns the result.  */
static char *
judge_probes (env_t *env, size_t n_articles, size_t *near)
{
    size_t cap = 1 << 16, len = 0;
    char *out = clip_malloc (cap);
    out [0] = 0;
    *near = 0;
    for (size_t i = 0; i < n_articles + 3; i++) {
        char *text;
        uint64_t seed = 1000 + i - i % 3;
        size_t n = words_of (seed);
        if (i >= n_articles)
            text = text_of (90000 + i, 200, 0, 200, 0, 0);            /* unique */
        else if (i % 5 == 0)
            text = article (i);                                         /* duplicate */
        else if (i % 3 == 2)
            text = text_of (seed, n, n / 2, n * 3 / 4, 5000 + i, n / 2); /* related */
        else
            text = text_of (seed, n, n / 5, n * 9 / 10, 5000 + i, 5);    /* near */
        char id [33];
        void *sketch;
        size_t sketch_len;
        sketch_of (text, id, &sketch, &sketch_len);
        clip_record_t *rec = clip_record_new ();
        clip_record_set (rec, &rec->id, id);
        cr_assert_eq (clip_corpus_judge (env->corpus, rec, sketch, sketch_len), 0);
        if (clip_record_verdict (rec) == CLIP_VERDICT_NEAR_DUPLICATE)
            (*near)++;
        char *line = clip_strprintf ("%zu %s %s", i, rec->verdict, rec->cluster);
        for (size_t m = 0; m < rec->n_matches; m++) {
            char *more = clip_strprintf ("%s | %s %.4f %.4f", line, rec->matches [m].id,
                                         rec->matches [m].jaccard, rec->matches [m].containment);
            free (line);
            line = more;
        }
        size_t l = strlen (line);
        while (len + l + 2 > cap) {
            cap *= 2;
            out = clip_realloc (out, cap);
        }
        memcpy (out + len, line, l);
        len += l;
        out [len++] = '\n';
        out [len] = 0;
        free (line);
        clip_record_destroy (&rec);
        free (sketch);
        free (text);
    }
    return out;
}

static void
count_record (void *arg, uint32_t row, uint32_t shingles, const uint32_t *keys, size_t n_keys)
{
    (void) row;
    (void) keys;
    cr_assert_gt (n_keys, 0);
    cr_assert_geq (shingles, n_keys);
    (*(size_t *) arg)++;
}

/*  The snapshot on disk covers every row of the corpus and reads back whole:
    one record per article with keys.  */
static void
assert_snapshot_current (env_t *env, size_t keyed)
{
    clip_keysnap_t *snap = clip_keysnap_open (env->snap_path, false);
    cr_assert_not_null (snap, "no snapshot at %s", env->snap_path);
    uint64_t last, id_hash;
    cr_assert_eq (clip_keysnap_covered (snap, &last, &id_hash), 0);
    cr_assert_eq (last, clip_corpus_size (env->corpus));
    size_t records = 0;
    cr_assert_eq (clip_keysnap_read (snap, count_record, &records), 0);
    cr_assert_eq (records, keyed);
    clip_keysnap_destroy (&snap);
}

static off_t
file_size (const char *path)
{
    struct stat st;
    cr_assert_eq (stat (path, &st), 0, "%s", path);
    return st.st_size;
}

/*  When the file was last written, to the nanosecond.  */
static struct timespec
modified (const char *path)
{
    struct stat st;
    cr_assert_eq (stat (path, &st), 0, "%s", path);
    return st.st_mtim;
}

static void
assert_not_written (const char *path, struct timespec before)
{
    struct timespec now = modified (path);
    cr_assert (now.tv_sec == before.tv_sec && now.tv_nsec == before.tv_nsec,
               "%s was written", path);
}

static void
copy_file (const char *from, const char *to)
{
    char *cmd = clip_strprintf ("cp '%s' '%s'", from, to);
    cr_assert_eq (system (cmd), 0);
    free (cmd);
}

/*  Overwrite one byte of a file.  */
static void
poke (const char *path, off_t at, uint8_t value)
{
    int fd = open (path, O_WRONLY);
    cr_assert_geq (fd, 0);
    cr_assert_eq (pwrite (fd, &value, 1, at), 1);
    close (fd);
}

/*  A corpus of 2 * N_BASE articles (one a duplicate) written and judged with
    the corpus that wrote them; saved: the snapshot after the first half.  */
typedef struct {
    env_t env;
    char *reference;            /* probe verdicts before any reopen */
    char *half_snapshot;        /* a copy of the snapshot after N_BASE articles */
    char *full_snapshot;        /* and after all of them */
    size_t keyed;               /* articles with keys */
} fixture_t;

static void
fixture_new (fixture_t *fx)
{
    env_new (&fx->env);
    add_all (&fx->env, 0, N_BASE);
    fx->half_snapshot = clip_strprintf ("%s/half.keys", fx->env.dir);
    copy_file (fx->env.snap_path, fx->half_snapshot);
    add_all (&fx->env, N_BASE, 2 * N_BASE);
    /*  Article 0 again: a duplicate, stored without keys.  */
    add_batch (&fx->env, 0, 1, true);
    fx->keyed = 2 * N_BASE;
    cr_assert_eq (clip_corpus_size (fx->env.corpus), 2 * N_BASE + 1);
    size_t near;
    fx->reference = judge_probes (&fx->env, 2 * N_BASE, &near);
    /*  The probes exercise the index: near copies of early and late
        articles are found.  */
    cr_assert_gt (near, N_BASE / 2, "%s", fx->reference);
    cr_assert (strstr (fx->reference, " related ") != NULL, "%s", fx->reference);
    cr_assert (strstr (fx->reference, " duplicate ") != NULL, "%s", fx->reference);
    cr_assert (strstr (fx->reference, " unique ") != NULL, "%s", fx->reference);
    assert_snapshot_current (&fx->env, fx->keyed);
    fx->full_snapshot = clip_strprintf ("%s/full.keys", fx->env.dir);
    copy_file (fx->env.snap_path, fx->full_snapshot);
    env_close (&fx->env);
}

static void
fixture_destroy (fixture_t *fx)
{
    free (fx->reference);
    free (fx->half_snapshot);
    free (fx->full_snapshot);
    env_destroy (&fx->env);
}

/*  Reopen and compare every probe verdict with the reference; the snapshot
    must be current afterwards.  */
static void
reopen_and_compare (fixture_t *fx)
{
    env_open (&fx->env);
    cr_assert_eq (clip_corpus_size (fx->env.corpus), 2 * N_BASE + 1);
    size_t near;
    char *got = judge_probes (&fx->env, 2 * N_BASE, &near);
    cr_assert_str_eq (got, fx->reference);
    free (got);
    assert_snapshot_current (&fx->env, fx->keyed);
    /*  Repaired, extended or rebuilt, the file is the one the writer left.  */
    char *a, *b;
    size_t a_len, b_len;
    cr_assert_eq (clip_file_read (fx->env.snap_path, 1 << 26, &a, &a_len), 0);
    cr_assert_eq (clip_file_read (fx->full_snapshot, 1 << 26, &b, &b_len), 0);
    cr_assert_eq (a_len, b_len);
    cr_assert_eq (memcmp (a, b, a_len), 0);
    free (a);
    free (b);
}

Test (corpus_snapshot, up_to_date)
{
    fixture_t fx;
    fixture_new (&fx);
    off_t before = file_size (fx.env.snap_path);
    struct timespec written = modified (fx.env.snap_path);
    /*  Let a rewrite show in the modification time.  */
    usleep (20000);
    reopen_and_compare (&fx);
    /*  Nothing to add: the file was read, not rewritten.  */
    assert_not_written (fx.env.snap_path, written);
    /*  Appending after a reopen continues the same file.  */
    add_batch (&fx.env, 2 * N_BASE, 2 * N_BASE + 3, true);
    fx.keyed += 3;
    assert_snapshot_current (&fx.env, fx.keyed);
    cr_assert_gt (file_size (fx.env.snap_path), before);
    fixture_destroy (&fx);
}

Test (corpus_snapshot, missing)
{
    fixture_t fx;
    fixture_new (&fx);
    cr_assert_eq (unlink (fx.env.snap_path), 0);
    reopen_and_compare (&fx);
    fixture_destroy (&fx);
}

Test (corpus_snapshot, stale)
{
    fixture_t fx;
    fixture_new (&fx);
    /*  As after a crash between the COMMITs and the snapshot appends.  */
    copy_file (fx.half_snapshot, fx.env.snap_path);
    reopen_and_compare (&fx);
    fixture_destroy (&fx);
}

Test (corpus_snapshot, data_past_the_header_is_ignored)
{
    fixture_t fx;
    fixture_new (&fx);
    /*  As after a crash between an append and its header.  */
    FILE *f = fopen (fx.env.snap_path, "ab");
    cr_assert_not_null (f);
    fputs ("a half-written record", f);
    fclose (f);
    reopen_and_compare (&fx);
    fixture_destroy (&fx);
}

Test (corpus_snapshot, torn)
{
    fixture_t fx;
    fixture_new (&fx);
    cr_assert_eq (truncate (fx.env.snap_path, file_size (fx.env.snap_path) / 2), 0);
    reopen_and_compare (&fx);
    fixture_destroy (&fx);
}

Test (corpus_snapshot, corrupt_key)
{
    fixture_t fx;
    fixture_new (&fx);
    /*  One key of one article in the middle changed.  */
    poke (fx.env.snap_path, file_size (fx.env.snap_path) / 2 & ~(off_t) 3, 0x5A);
    reopen_and_compare (&fx);
    fixture_destroy (&fx);
}

Test (corpus_snapshot, corrupt_header)
{
    fixture_t fx;
    fixture_new (&fx);
    poke (fx.env.snap_path, 24, 0x01);      /* the last row covered */
    reopen_and_compare (&fx);
    fixture_destroy (&fx);
}

Test (corpus_snapshot, garbage)
{
    fixture_t fx;
    fixture_new (&fx);
    FILE *f = fopen (fx.env.snap_path, "wb");
    cr_assert_not_null (f);
    for (int i = 0; i < 5000; i++)
        fputc (i * 7 & 0xFF, f);
    fclose (f);
    reopen_and_compare (&fx);
    fixture_destroy (&fx);
}

Test (corpus_snapshot, from_another_database)
{
    fixture_t fx;
    fixture_new (&fx);
    /*  Another corpus with as many rows but other articles: a snapshot
        copied from it must not be taken for this one's.  */
    env_t other;
    env_new (&other);
    for (size_t i = 0; i < 2 * N_BASE + 1; i += 7) {
        size_t to = i + 7 < 2 * N_BASE + 1 ? i + 7 : 2 * N_BASE + 1;
        /*  Offset texts: different articles in every row.  */
        add_batch (&other, i + 300, to + 300, true);
    }
    cr_assert_eq (clip_corpus_size (other.corpus), 2 * N_BASE + 1);
    env_close (&other);
    copy_file (other.snap_path, fx.env.snap_path);
    env_destroy (&other);
    reopen_and_compare (&fx);
    fixture_destroy (&fx);
}

Test (corpus_snapshot, from_another_database_with_the_same_last_article)
{
    fixture_t fx;
    fixture_new (&fx);
    /*  Other articles in every row but the last, which holds the same
        article as this corpus's last row (article 0).  */
    env_t other;
    env_new (&other);
    for (size_t i = 0; i < 2 * N_BASE; i += 7)
        add_batch (&other, i + 300, (i + 7 < 2 * N_BASE ? i + 7 : 2 * N_BASE) + 300, true);
    add_batch (&other, 0, 1, true);
    cr_assert_eq (clip_corpus_size (other.corpus), 2 * N_BASE + 1);
    env_close (&other);
    copy_file (other.snap_path, fx.env.snap_path);
    env_destroy (&other);
    reopen_and_compare (&fx);
    fixture_destroy (&fx);
}

Test (corpus_snapshot, copy_of_the_database)
{
    fixture_t fx;
    fixture_new (&fx);
    /*  A copy of the database with its snapshot (a backup, a move) is the
        same database: the snapshot is used as it is.  */
    char *dir = clip_strprintf ("%s/copy", fx.env.dir);
    cr_assert_eq (clip_mkdirs (dir, 0755), 0);
    char *db_copy = clip_path_join (dir, "clipd.db");
    char *snap_copy = clip_strprintf ("%s.keys", db_copy);
    copy_file (fx.env.db_path, db_copy);
    copy_file (fx.env.snap_path, snap_copy);
    free (fx.env.db_path);
    free (fx.env.snap_path);
    fx.env.db_path = db_copy;
    fx.env.snap_path = snap_copy;
    struct timespec written = modified (snap_copy);
    usleep (20000);
    reopen_and_compare (&fx);
    assert_not_written (snap_copy, written);
    free (dir);
    fixture_destroy (&fx);
}

Test (corpus_snapshot, writer_that_does_not_publish)
{
    fixture_t fx;
    fixture_new (&fx);
    env_open (&fx.env);
    /*  Rows committed behind the snapshot's back, then a published batch:
        the snapshot must not claim the rows it lacks.  */
    add_batch (&fx.env, 2 * N_BASE, 2 * N_BASE + 3, false);
    add_batch (&fx.env, 2 * N_BASE + 3, 2 * N_BASE + 6, true);
    clip_keysnap_t *snap = clip_keysnap_open (fx.env.snap_path, false);
    uint64_t last, id_hash;
    cr_assert_eq (clip_keysnap_covered (snap, &last, &id_hash), 0);
    cr_assert_eq (last, 2 * N_BASE + 1);
    clip_keysnap_destroy (&snap);
    env_close (&fx.env);
    /*  Reopened with the snapshot behind, then without one at all.  */
    size_t near;
    env_open (&fx.env);
    char *reopened = judge_probes (&fx.env, 2 * N_BASE + 6, &near);
    fx.keyed += 6;
    assert_snapshot_current (&fx.env, fx.keyed);
    env_close (&fx.env);
    cr_assert_eq (unlink (fx.env.snap_path), 0);
    env_open (&fx.env);
    char *fresh = judge_probes (&fx.env, 2 * N_BASE + 6, &near);
    cr_assert_str_eq (reopened, fresh);
    /*  The unpublished rows are found after the reopen.  */
    cr_assert (strstr (fresh, "\n96 duplicate ") || strstr (fresh, "\n97 near_duplicate "), "%s", fresh);
    free (fresh);
    free (reopened);
    fixture_destroy (&fx);
}

Test (corpus_snapshot, second_opener_does_not_write)
{
    fixture_t fx;
    fixture_new (&fx);
    env_open (&fx.env);
    /*  A second process-like opener of the same database while the first
        holds the snapshot: it reads it, and never writes it.  */
    char err [256] = "";
    sqlite3 *db2 = clip_db_open (fx.env.db_path, 0, err, sizeof err);
    cr_assert_not_null (db2, "%s", err);
    clip_corpus_t *c2 = clip_corpus_open (db2, NULL, err, sizeof err);
    cr_assert_not_null (c2, "%s", err);
    cr_assert_eq (clip_corpus_size (c2), 2 * N_BASE + 1);
    /*  The first one keeps appending.  */
    add_batch (&fx.env, 2 * N_BASE, 2 * N_BASE + 3, true);
    fx.keyed += 3;
    assert_snapshot_current (&fx.env, fx.keyed);
    clip_corpus_destroy (&c2);
    sqlite3_close (db2);
    fixture_destroy (&fx);
}

Test (corpus_snapshot, memory_database_has_none)
{
    char err [256] = "";
    sqlite3 *db = clip_db_open (":memory:", 0, err, sizeof err);
    cr_assert_not_null (db, "%s", err);
    clip_corpus_t *c = clip_corpus_open (db, NULL, err, sizeof err);
    cr_assert_not_null (c, "%s", err);
    cr_assert_eq (access (":memory:.keys", F_OK), -1);
    clip_corpus_destroy (&c);
    sqlite3_close (db);
}
