/*  Tests for clip_corpus: verdicts, matches and clusters on the Huawei corpus
    and variants of its articles, through the real API on a real SQLite file;
    the two-phase add; persistence across close and reopen.  */
#include <criterion/criterion.h>

#include <glob.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/file.h>

#include "clip_cmd.h"
#include "clip_corpus.h"
#include "clip_db.h"
#include "clip_sketch.h"
#include "clip_sketch_keys.h"
#include "clip_text.h"
#include "clip_util.h"
#include "testutil.h"

typedef struct {
    char *dir;
    sqlite3 *db;
    clip_corpus_t *corpus;
} env_t;

static void
env_open (env_t *env)
{
    char err [256] = "";
    char *path = clip_path_join (env->dir, "clipd.db");
    env->db = clip_db_open (path, 0, err, sizeof err);
    cr_assert_not_null (env->db, "%s", err);
    env->corpus = clip_corpus_open (env->db, NULL, err, sizeof err);
    cr_assert_not_null (env->corpus, "%s", err);
    free (path);
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
    env->dir = tu_tempdir ("corpus");
    env_open (env);
}

static void
env_destroy (env_t *env)
{
    env_close (env);
    tu_rmtree (env->dir);
    free (env->dir);
}

/*  What a worker and the daemon do for one file: decode, normalise, id,
    sketch; judge; stage in a transaction; commit; publish.  When commit is
    false the transaction stays open and nothing is published.  */
static clip_record_t *
judge (env_t *env, const char *file, const void *data, size_t len, void **sketch,
       size_t *sketch_len)
{
    clip_text_t *text = clip_text_decode (data, len);
    size_t nlen;
    char *norm = clip_text_normalise (text->utf8, text->len, &nlen);
    char id [33];
    clip_text_digest (norm, nlen, id);
    cr_assert_eq (clip_sketch_compute (norm, nlen, sketch, sketch_len), 0);
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->id, id);
    clip_record_set (rec, &rec->file, file);
    cr_assert_eq (clip_corpus_judge (env->corpus, rec, *sketch, *sketch_len), 0);
    cr_assert (rec->has_dedupe);
    cr_assert_not_null (rec->verdict);
    cr_assert_not_null (rec->cluster);
    free (norm);
    clip_text_destroy (&text);
    return rec;
}

static clip_record_t *
add (env_t *env, const char *file, const void *data, size_t len)
{
    void *sketch;
    size_t sketch_len;
    clip_record_t *rec = judge (env, file, data, len, &sketch, &sketch_len);
    cr_assert_eq (sqlite3_exec (env->db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    cr_assert_eq (clip_corpus_stage (env->corpus, rec, sketch, sketch_len, data, len), 0);
    cr_assert_eq (sqlite3_exec (env->db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    clip_corpus_publish_staged (env->corpus);
    free (sketch);
    return rec;
}

static clip_record_t *
add_str (env_t *env, const char *file, const char *text)
{
    return add (env, file, text, strlen (text));
}

/*  The Huawei article whose name starts with prefix.  */
static char *
huawei (const char *prefix, size_t *len, char **name)
{
    char *pattern = clip_strprintf ("%s/corpus/huawei/%s_*.txt", CLIP_SOURCE_DIR, prefix);
    glob_t g;
    cr_assert_eq (glob (pattern, 0, NULL, &g), 0, "%s", pattern);
    cr_assert_eq (g.gl_pathc, 1);
    char *data;
    cr_assert_eq (clip_file_read (g.gl_pathv [0], 1 << 20, &data, len), 0);
    if (name)
        *name = clip_strdup (strrchr (g.gl_pathv [0], '/') + 1);
    globfree (&g);
    free (pattern);
    return data;
}

/*  Load 000..004 in order; ids [i] gets article i's id.  */
static void
load_huawei (env_t *env, char ids [5][33], const char *verdicts [5])
{
    for (int i = 0; i < 5; i++) {
        char prefix [16], *name;
        size_t len;
        snprintf (prefix, sizeof prefix, "%03d", i);
        char *data = huawei (prefix, &len, &name);
        clip_record_t *rec = add (env, name, data, len);
        snprintf (ids [i], 33, "%s", rec->id);
        if (verdicts) {
            /*  The table's static name: it outlives the record.  */
            verdicts [i] = clip_verdict_name (clip_record_verdict (rec));
            cr_assert_not_null (verdicts [i], "%s: verdict '%s'", name, rec->verdict);
        }
        clip_record_destroy (&rec);
        free (data);
        free (name);
    }
}

static const clip_match_t *
find_match (const clip_record_t *rec, const char *id)
{
    for (size_t i = 0; i < rec->n_matches; i++)
        if (strcmp (rec->matches [i].id, id) == 0)
            return &rec->matches [i];
    return NULL;
}

Test (corpus, huawei_one_at_a_time)
{
    env_t env;
    env_new (&env);
    char ids [5][33];
    char *name0;
    size_t len;
    free (huawei ("000", &len, &name0));

    const char *verdict [5];
    clip_record_t *recs [5];
    for (int i = 0; i < 5; i++) {
        char prefix [16], *name;
        snprintf (prefix, sizeof prefix, "%03d", i);
        char *data = huawei (prefix, &len, &name);
        recs [i] = add (&env, name, data, len);
        snprintf (ids [i], 33, "%s", recs [i]->id);
        verdict [i] = recs [i]->verdict;
        free (data);
        free (name);
    }
    cr_assert_str_eq (verdict [0], "unique");
    cr_assert_str_eq (recs [0]->cluster, ids [0]);
    cr_assert_eq (recs [0]->n_matches, 0);

    cr_assert_str_eq (verdict [1], "near_duplicate");
    cr_assert_str_eq (recs [1]->cluster, ids [0]);
    cr_assert_geq (recs [1]->n_matches, 1);
    cr_assert_str_eq (recs [1]->matches [0].id, ids [0]);
    cr_assert_str_eq (recs [1]->matches [0].file, name0);
    cr_assert_eq (recs [1]->matches [0].seq, 0);
    cr_assert_float_eq (recs [1]->matches [0].jaccard, 0.43, 0.02);
    cr_assert_float_eq (recs [1]->matches [0].containment, 0.82, 0.02);

    cr_assert_str_eq (verdict [2], "related");
    cr_assert_str_eq (recs [2]->cluster, ids [2]);
    const clip_match_t *m = find_match (recs [2], ids [1]);
    cr_assert_not_null (m, "002 does not list 001");
    cr_assert_float_eq (m->containment, 0.42, 0.03);
    cr_assert_eq (recs [2]->matches [0].containment >= recs [2]->matches [recs [2]->n_matches - 1].containment, 1);

    for (int i = 3; i < 5; i++) {
        cr_assert_str_eq (verdict [i], "unique", "%03d is %s", i, verdict [i]);
        cr_assert_str_eq (recs [i]->cluster, ids [i]);
        cr_assert_eq (recs [i]->n_matches, 0);
    }
    cr_assert_eq (clip_corpus_size (env.corpus), 5);
    for (int i = 0; i < 5; i++)
        clip_record_destroy (&recs [i]);
    free (name0);
    env_destroy (&env);
}

/*  Lines of a text, without their line ends, blank lines dropped.  */
static size_t
split_lines (const char *text, char ***lines)
{
    size_t n = 0, cap = 64;
    *lines = clip_malloc (cap * sizeof **lines);
    const char *p = text;
    while (*p) {
        size_t l = strcspn (p, "\n");
        size_t k = l;
        while (k > 0 && (p [k - 1] == '\r' || p [k - 1] == ' '))
            k--;
        if (k > 0) {
            if (n == cap)
                *lines = clip_realloc (*lines, (cap *= 2) * sizeof **lines);
            (*lines) [n++] = clip_strndup (p, k);
        }
        p += l + (p [l] == '\n');
    }
    return n;
}

static char *
join_lines (char **lines, const size_t *order, size_t n, const char *sep)
{
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += strlen (lines [order [i]]) + strlen (sep);
    char *s = clip_malloc (total);
    s [0] = 0;
    for (size_t i = 0; i < n; i++) {
        strcat (s, lines [order [i]]);
        strcat (s, sep);
    }
    return s;
}

static void
free_lines (char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free (lines [i]);
    free (lines);
}

/*  Replace every occurrence of from by to; caller owns the result.  */
static char *
replace_all (const char *s, const char *from, const char *to)
{
    size_t fl = strlen (from), tl = strlen (to);
    char *out = clip_malloc (strlen (s) * (tl > fl ? tl : 1) + 1);
    char *o = out;
    while (*s) {
        if (strncmp (s, from, fl) == 0) {
            memcpy (o, to, tl);
            o += tl;
            s += fl;
        }
        else
            *o++ = *s++;
    }
    *o = 0;
    return out;
}

/*  The verdicts of variants, each judged against the five Huawei articles
    and then dropped, so that they are judged independently.  */
static clip_record_t *
judge_only (env_t *env, const char *file, const char *text)
{
    void *sketch;
    size_t sketch_len;
    clip_record_t *rec = judge (env, file, text, strlen (text), &sketch, &sketch_len);
    free (sketch);
    return rec;
}

Test (corpus, variants_of_real_articles)
{
    env_t env;
    env_new (&env);
    char ids [5][33];
    load_huawei (&env, ids, NULL);
    size_t len, n;
    char **lines;

    /*  A retitled and trimmed copy: a new first line, the last quarter of
        the paragraphs cut.  */
    char *a004 = huawei ("004", &len, NULL);
    n = split_lines (a004, &lines);
    size_t order [64];
    for (size_t i = 0; i < n; i++)
        order [i] = i;
    free (lines [0]);
    lines [0] = clip_strdup ("Huawei boss: Washington has shown no proof of 5G spying");
    char *trimmed = join_lines (lines, order, n - n / 4, "\n\n");
    clip_record_t *rec = judge_only (&env, "trimmed.txt", trimmed);
    cr_assert_str_eq (rec->verdict, "near_duplicate");
    cr_assert_str_eq (rec->cluster, ids [4]);
    cr_assert_str_eq (rec->matches [0].id, ids [4]);
    cr_assert_float_eq (rec->matches [0].containment, 1.0, 0.05);
    clip_record_destroy (&rec);
    free (trimmed);

    /*  Paragraphs in reverse order.  */
    size_t rev [64];
    for (size_t i = 0; i < n; i++)
        rev [i] = n - 1 - i;
    char *reordered = join_lines (lines, rev, n, "\n\n");
    rec = judge_only (&env, "reordered.txt", reordered);
    cr_assert_str_eq (rec->verdict, "near_duplicate");
    cr_assert_str_eq (rec->cluster, ids [4]);
    cr_assert_gt (rec->matches [0].containment, 0.85);
    clip_record_destroy (&rec);
    free (reordered);

    /*  A few paragraphs of 004 copied into a new article.  */
    const char *fresh =
        "Ferry services between the islands resumed on Thursday after a week of storms\n\n"
        "The harbour authority said the first boats left at dawn and that the timetable "
        "would be back to normal by the weekend, although passengers were warned to expect "
        "delays while crews cleared debris from the piers and checked the moorings.\n\n"
        "Local businesses, many of which depend on summer visitors, welcomed the news. "
        "A cafe owner near the terminal said takings had fallen by half since the storms "
        "began and that several of her staff had been unable to reach work at all.\n\n"
        "The regional council has promised an inquiry into why the backup generators at "
        "the terminal failed during the worst of the weather, leaving hundreds of people "
        "waiting in the dark for hours without information about their journeys.\n\n"
        "Engineers will inspect the sea wall next month, and a spokesman for the council "
        "said that repairs, if needed, would be scheduled outside the busiest weeks of the "
        "tourist season so that the islands are not cut off again.\n\n";
    char *mixed = clip_strprintf ("%s%s\n\n%s\n\n%s\n", fresh, lines [4], lines [5], lines [6]);
    rec = judge_only (&env, "mixed.txt", mixed);
    cr_assert_str_eq (rec->verdict, "related", "containment %f",
                      rec->n_matches ? rec->matches [0].containment : 0.0);
    cr_assert_str_eq (rec->cluster, rec->id);
    cr_assert_str_eq (rec->matches [0].id, ids [4]);
    clip_record_destroy (&rec);
    free (mixed);
    /*  And the new text alone shares nothing.  */
    rec = judge_only (&env, "fresh.txt", fresh);
    cr_assert_str_eq (rec->verdict, "unique");
    cr_assert_eq (rec->n_matches, 0);
    clip_record_destroy (&rec);
    free_lines (lines, n);
    free (a004);

    /*  CRLF line ends and straight quotes: the same normalised text.  */
    char *a002 = huawei ("002", &len, NULL);
    char *t1 = replace_all (a002, "\n", "\r\n");
    char *t2 = replace_all (t1, "\u201c", "\"");
    char *t3 = replace_all (t2, "\u201d", "\"");
    char *crlf = replace_all (t3, "\u2019", "'");
    cr_assert_neq (strcmp (crlf, a002), 0);
    rec = judge_only (&env, "crlf.txt", crlf);
    cr_assert_str_eq (rec->verdict, "duplicate");
    cr_assert_str_eq (rec->id, ids [2]);
    cr_assert_str_eq (rec->cluster, ids [2]);
    cr_assert_str_eq (rec->matches [0].id, ids [2]);
    cr_assert_float_eq (rec->matches [0].jaccard, 1.0, 1e-9);
    clip_record_destroy (&rec);
    free (t1);
    free (t2);
    free (t3);
    free (crlf);
    free (a002);

    /*  Saved as Windows-1252: decoded, it is the same article.  */
    char *a000 = huawei ("000", &len, NULL);
    iconv_t cd = iconv_open ("WINDOWS-1252", "UTF-8");
    cr_assert_neq (cd, (iconv_t) -1);
    char *cp = clip_malloc (len + 1);
    char *in = a000, *out = cp;
    size_t inleft = len, outleft = len;
    cr_assert_neq (iconv (cd, &in, &inleft, &out, &outleft), (size_t) -1);
    iconv_close (cd);
    size_t cplen = len - outleft;
    cr_assert_lt (cplen, len);
    void *sketch;
    size_t sketch_len;
    rec = judge (&env, "cp1252.txt", cp, cplen, &sketch, &sketch_len);
    cr_assert_str_eq (rec->verdict, "duplicate");
    cr_assert_str_eq (rec->cluster, ids [0]);
    clip_record_destroy (&rec);
    free (sketch);
    free (cp);

    /*  The first half of 001 (a longer edit of 000): a near-duplicate, in
        000's cluster.  */
    char *a001 = huawei ("001", &len, NULL);
    n = split_lines (a001, &lines);
    for (size_t i = 0; i < n; i++)
        order [i] = i;
    char *half = join_lines (lines, order, n / 2, "\n");
    rec = judge_only (&env, "half.txt", half);
    cr_assert_str_eq (rec->verdict, "near_duplicate");
    cr_assert_str_eq (rec->cluster, ids [0]);
    cr_assert_not_null (find_match (rec, ids [1]));
    cr_assert_float_eq (find_match (rec, ids [1])->containment, 1.0, 0.02);
    clip_record_destroy (&rec);
    free (half);
    free_lines (lines, n);
    free (a001);
    free (a000);
    env_destroy (&env);
}

/*  After a reopen: 001 with a name shortened is a near-duplicate in the
    cluster of 000, found through the reloaded index.  Returns the record.  */
static clip_record_t *
assert_edited_001_found (env_t *env, char ids [5][33])
{
    size_t len;
    char *a001 = huawei ("001", &len, NULL);
    char *edited = replace_all (a001, "Guo Ping", "Mr Guo");
    clip_record_t *rec = judge_only (env, "edited.txt", edited);
    cr_assert_str_eq (rec->verdict, "near_duplicate");
    cr_assert_str_eq (rec->cluster, ids [0]);
    free (edited);
    free (a001);
    return rec;
}

Test (corpus, persists_across_reopen)
{
    env_t env;
    env_new (&env);
    char ids [5][33];
    load_huawei (&env, ids, NULL);
    env_close (&env);
    env_open (&env);
    cr_assert_eq (clip_corpus_size (env.corpus), 5);
    /*  The same verdicts as before the restart, from the reloaded index.  */
    clip_record_t *rec = assert_edited_001_found (&env, ids);
    cr_assert_not_null (find_match (rec, ids [1]));
    cr_assert_not_null (find_match (rec, ids [0]));
    clip_record_destroy (&rec);
    size_t len;
    char *a001 = huawei ("001", &len, NULL);
    rec = judge_only (&env, "again.txt", a001);
    cr_assert_str_eq (rec->verdict, "duplicate");
    cr_assert_str_eq (rec->matches [0].id, ids [1]);
    cr_assert_str_eq (rec->cluster, ids [0]);
    clip_record_destroy (&rec);
    /*  The original bytes are stored.  */
    sqlite3_stmt *q;
    sqlite3_prepare_v2 (env.db, "SELECT data FROM corpus_articles WHERE id = ?1", -1, &q, NULL);
    sqlite3_bind_text (q, 1, ids [1], -1, SQLITE_STATIC);
    cr_assert_eq (sqlite3_step (q), SQLITE_ROW);
    cr_assert_eq ((size_t) sqlite3_column_bytes (q, 0), len);
    cr_assert_eq (memcmp (sqlite3_column_blob (q, 0), a001, len), 0);
    sqlite3_finalize (q);
    free (a001);
    env_destroy (&env);
}

Test (corpus, keys_of_an_older_rule_are_rebuilt)
{
    /*  A database written by the first keys rule: corpus_keys without the
        shingle count, keys that are not this rule's, no 'keys_rule' row,
        and a keys snapshot of that time.  Opening it rebuilds the keys from
        the stored sketches, and the verdicts are those of a new corpus.  */
    env_t env;
    env_new (&env);
    char ids [5][33];
    load_huawei (&env, ids, NULL);
    env_close (&env);
    char err [256] = "";
    char *path = clip_path_join (env.dir, "clipd.db");
    sqlite3 *db = clip_db_open (path, 0, err, sizeof err);
    cr_assert_not_null (db, "%s", err);
    cr_assert_eq (sqlite3_exec (db, "DROP TABLE corpus_keys;"
                                "CREATE TABLE corpus_keys (article INTEGER PRIMARY KEY, keys BLOB NOT NULL);"
                                "INSERT INTO corpus_keys SELECT rowid, x'01000000' FROM corpus_articles;"
                                "DELETE FROM corpus_meta WHERE name = 'keys_rule';"
                                /*  And one stored sketch that cannot be read.  */
                                "UPDATE corpus_articles SET sketch = x'00' WHERE rowid = 4;",
                                NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close (db);
    /*  Read-only, it cannot be rebuilt: a clear error.  */
    db = clip_db_open (path, 1, err, sizeof err);
    cr_assert_not_null (db, "%s", err);
    cr_assert_null (clip_corpus_open (db, NULL, err, sizeof err));
    cr_assert (strstr (err, "rule 1") && strstr (err, "rebuild"), "%s", err);
    sqlite3_close (db);

    env_open (&env);
    sqlite3_stmt *q;
    cr_assert_eq (sqlite3_prepare_v2 (env.db, "SELECT count(*), min(shingles), min(length(keys))"
                                      " FROM corpus_keys", -1, &q, NULL), SQLITE_OK);
    cr_assert_eq (sqlite3_step (q), SQLITE_ROW);
    /*  The article whose sketch is unreadable loses its keys, not its row.  */
    cr_assert_eq (sqlite3_column_int (q, 0), 4);
    cr_assert_gt (sqlite3_column_int (q, 1), 100);
    cr_assert_gt (sqlite3_column_int (q, 2), 4 * 40);
    sqlite3_finalize (q);
    cr_assert_eq (sqlite3_prepare_v2 (env.db, "SELECT value FROM corpus_meta WHERE name = 'keys_rule'",
                                      -1, &q, NULL), SQLITE_OK);
    cr_assert_eq (sqlite3_step (q), SQLITE_ROW);
    cr_assert_eq (sqlite3_column_int (q, 0), CLIP_SKETCH_KEYS_RULE);
    sqlite3_finalize (q);
    clip_record_t *rec = assert_edited_001_found (&env, ids);
    clip_record_destroy (&rec);
    cr_assert_eq (clip_corpus_size (env.corpus), 5);
    free (path);
    env_destroy (&env);
}

Test (corpus, staged_articles_are_seen_and_rollback_forgets_them)
{
    env_t env;
    env_new (&env);
    size_t len0, len1;
    char *a000 = huawei ("000", &len0, NULL);
    char *a001 = huawei ("001", &len1, NULL);
    /*  Two near-duplicates judged in arrival order inside one transaction:
        exactly one original.  */
    cr_assert_eq (sqlite3_exec (env.db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    void *s0, *s1;
    size_t l0, l1;
    clip_record_t *r0 = judge (&env, "a.txt", a000, len0, &s0, &l0);
    cr_assert_eq (clip_corpus_stage (env.corpus, r0, s0, l0, a000, len0), 0);
    clip_record_t *r1 = judge (&env, "b.txt", a001, len1, &s1, &l1);
    cr_assert_str_eq (r0->verdict, "unique");
    cr_assert_str_eq (r1->verdict, "near_duplicate");
    cr_assert_str_eq (r1->cluster, r0->id);
    cr_assert_eq (sqlite3_exec (env.db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    clip_corpus_drop_staged (env.corpus);
    cr_assert_eq (clip_corpus_size (env.corpus), 0);
    clip_record_destroy (&r1);
    free (s1);
    r1 = judge (&env, "b.txt", a001, len1, &s1, &l1);
    cr_assert_str_eq (r1->verdict, "unique");
    clip_record_destroy (&r0);
    clip_record_destroy (&r1);
    free (s0);
    free (s1);
    free (a000);
    free (a001);
    env_destroy (&env);
}

/*  n random words "wXXXXXX" from seed: no two texts share a word by
    chance.  */
static char *
random_words (size_t n, unsigned *seed)
{
    char *s = clip_malloc (n * 9 + 1);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t) sprintf (s + len, "%sw%07x", i ? " " : "", (unsigned) rand_r (seed) & 0xFFFFFFF);
    return s;
}

/*  The rows a corpus staged lately are compared from the sketches it kept
    (clip_corpus.c, "recent"), not read again: a sketch damaged in the
    database behind its back still gives the same match, until the corpus
    is opened again and reads it.  */
Test (corpus, recent_sketches_are_compared_from_memory)
{
    env_t env;
    env_new (&env);
    char ids [5][33];
    load_huawei (&env, ids, NULL);
    size_t len0;
    char *a000 = huawei ("000", &len0, NULL);
    /*  Not a000 itself: its id would make it a duplicate without a look.  */
    char *again = clip_strprintf ("%s\n\nA line the original does not have.\n", a000);
    clip_record_t *rec = judge_only (&env, "again.txt", again);
    const clip_match_t *m = find_match (rec, ids [0]);
    cr_assert_not_null (m);
    double j = m->jaccard, c = m->containment;
    clip_record_destroy (&rec);
    char *sql = clip_strprintf ("UPDATE corpus_articles SET sketch = NULL WHERE id = '%s'", ids [0]);
    cr_assert_eq (sqlite3_exec (env.db, sql, NULL, NULL, NULL), SQLITE_OK);
    free (sql);
    rec = judge_only (&env, "again.txt", again);
    m = find_match (rec, ids [0]);
    cr_assert_not_null (m, "compared from memory");
    cr_assert (m->jaccard == j && m->containment == c);
    clip_record_destroy (&rec);
    env_close (&env);
    env_open (&env);
    rec = judge_only (&env, "again.txt", again);
    cr_assert_null (find_match (rec, ids [0]), "read from the database once opened again");
    clip_record_destroy (&rec);
    free (again);
    free (a000);
    env_destroy (&env);
}

/*  A transaction rolled back gives its row numbers again: the sketch kept
    for a rolled-back row must not stand for the row staged under its
    number next.  Here that row's sketch is too large to be kept (a long
    article holding the first), so only the rollback can have emptied its
    slot: the match must be the one a corpus opened afresh computes.  */
Test (corpus, a_rolled_back_row_is_not_compared_from_memory)
{
    env_t env;
    env_new (&env);
    size_t len0, len1;
    char *a000 = huawei ("000", &len0, NULL);
    char *a001 = huawei ("001", &len1, NULL);
    cr_assert_eq (sqlite3_exec (env.db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    void *s0;
    size_t l0;
    clip_record_t *r0 = judge (&env, "a.txt", a000, len0, &s0, &l0);
    cr_assert_eq (clip_corpus_stage (env.corpus, r0, s0, l0, a000, len0), 0);
    cr_assert_eq (sqlite3_exec (env.db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    clip_corpus_drop_staged (env.corpus);
    clip_record_destroy (&r0);
    free (s0);

    unsigned seed = 7;
    char *words = random_words (6000, &seed);
    char *longer = clip_strprintf ("%s\n\n%s", a000, words);
    clip_record_t *r = add_str (&env, "long.txt", longer);
    char id [33];
    snprintf (id, sizeof id, "%s", r->id);
    clip_record_destroy (&r);

    r = judge_only (&env, "b.txt", a001);
    const clip_match_t *m = find_match (r, id);
    cr_assert_not_null (m);
    double j = m->jaccard, c = m->containment;
    clip_record_destroy (&r);
    env_close (&env);
    env_open (&env);
    r = judge_only (&env, "b.txt", a001);
    m = find_match (r, id);
    cr_assert_not_null (m);
    cr_assert (m->jaccard == j && m->containment == c,
               "jaccard %g containment %g, read afresh %g %g", j, c, m->jaccard, m->containment);
    clip_record_destroy (&r);
    free (longer);
    free (words);
    free (a000);
    free (a001);
    env_destroy (&env);
}

/*  A long article (1,500 words) with the first words of `small` in the
    middle: enough of them that 70% of its shingles are in it.  */
static char *
quoting (const char *small, unsigned *seed)
{
    size_t words = 1;
    for (const char *p = small; *p; p++)
        words += *p == ' ';
    size_t copied = words < 3 ? words : (size_t) (0.7 * (double) (words - 2) + 0.999) + 2;
    size_t cut = 0, seen = 0;
    while (small [cut] && !(small [cut] == ' ' && ++seen == copied))
        cut++;
    char *head = random_words (750, seed), *tail = random_words (750, seed);
    char *text = clip_strprintf ("%s %.*s %s", head, (int) cut, small, tail);
    free (head);
    free (tail);
    return text;
}

/*  Short articles (3 to 16 words) quoted in long ones: whichever came
    first, the later one is a near-duplicate of the earlier; after a
    clean reopen (postings read from corpus_postings) and after a crash
    (postings added again from the articles).  Sampling alone misses some
    of these pairs; nothing may be missed here.  */
Test (corpus, short_articles_are_found_in_either_order)
{
    env_t env;
    env_new (&env);
    const size_t sizes [] = { 3, 4, 5, 8, 12, 16 };
    enum { TRIALS = 12, N = 6 * TRIALS };
    char *shorts [N], *longs [N], long_ids [N][33], again_id [33] = "";
    unsigned seed = 7;
    for (size_t i = 0; i < N; i++) {
        shorts [i] = random_words (sizes [i % 6], &seed);
        longs [i] = quoting (shorts [i], &seed);
        clip_record_t *rec = add_str (&env, "long.txt", longs [i]);
        cr_assert_str_eq (rec->verdict, "unique");
        strcpy (long_ids [i], rec->id);
        clip_record_destroy (&rec);
    }
    for (int phase = 0; phase < 3; phase++) {
        if (phase == 1) {
            /*  A clean close writes what memory held.  */
            env_close (&env);
            env_open (&env);
        }
        if (phase == 2) {
            /*  A crash before the postings are written: an open transaction
                keeps the corpus from writing them as it closes.  */
            char *again = quoting (shorts [0], &seed);
            clip_record_t *rec = add_str (&env, "long.txt", again);
            strcpy (again_id, rec->id);
            clip_record_destroy (&rec);
            free (again);
            cr_assert_eq (sqlite3_exec (env.db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
            clip_corpus_destroy (&env.corpus);
            cr_assert_eq (sqlite3_exec (env.db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
            sqlite3_close (env.db);
            env_open (&env);
        }
        for (size_t i = 0; i < N; i++) {
            clip_record_t *rec = judge_only (&env, "short.txt", shorts [i]);
            cr_assert_str_eq (rec->verdict, "near_duplicate", "phase %d: %zu words: %s",
                              phase, sizes [i % 6], rec->verdict);
            cr_assert_str_eq (rec->cluster, long_ids [i]);
            /*  After the crash, shorts [0] is also in a long article whose
                postings were never written: added again at open.  */
            if (phase == 2 && i == 0) {
                cr_assert_eq (rec->n_matches, 2);
                cr_assert (find_match (rec, again_id));
            }
            clip_record_destroy (&rec);
        }
    }
    /*  The other order: the short one first.  */
    for (size_t i = 0; i < N; i++) {
        char *small = random_words (sizes [i % 6], &seed);
        clip_record_t *first = add_str (&env, "short.txt", small);
        char *text = quoting (small, &seed);
        clip_record_t *rec = judge_only (&env, "long.txt", text);
        cr_assert_str_eq (rec->verdict, "near_duplicate", "%zu words first: %s",
                          sizes [i % 6], rec->verdict);
        cr_assert_str_eq (rec->cluster, first->id);
        clip_record_destroy (&rec);
        clip_record_destroy (&first);
        free (text);
        free (small);
    }
    for (size_t i = 0; i < N; i++) {
        free (shorts [i]);
        free (longs [i]);
    }
    env_destroy (&env);
}

Test (corpus, empty_and_one_word_articles)
{
    env_t env;
    env_new (&env);
    clip_record_t *e1 = add_str (&env, "empty.txt", "");
    cr_assert_str_eq (e1->verdict, "unique");
    cr_assert_str_eq (e1->cluster, e1->id);
    clip_record_t *e2 = add_str (&env, "blank.txt", " \r\n\t ");
    cr_assert_str_eq (e2->verdict, "duplicate");
    cr_assert_str_eq (e2->cluster, e1->id);
    clip_record_t *w1 = add_str (&env, "word.txt", "Huawei\n");
    cr_assert_str_eq (w1->verdict, "unique");
    cr_assert_eq (w1->n_matches, 0);
    clip_record_t *w2 = add_str (&env, "word2.txt", "huawei!");
    cr_assert_str_eq (w2->verdict, "near_duplicate");
    cr_assert_str_eq (w2->cluster, w1->id);
    clip_record_t *w3 = add_str (&env, "word3.txt", "Ericsson");
    cr_assert_str_eq (w3->verdict, "unique");
    /*  A real article is not a copy of its one-word subject.  */
    size_t len;
    char *a003 = huawei ("003", &len, NULL);
    clip_record_t *r = add (&env, "003.txt", a003, len);
    cr_assert_str_eq (r->verdict, "unique");
    cr_assert_eq (clip_corpus_size (env.corpus), 6);
    clip_record_destroy (&e1);
    clip_record_destroy (&e2);
    clip_record_destroy (&w1);
    clip_record_destroy (&w2);
    clip_record_destroy (&w3);
    clip_record_destroy (&r);
    free (a003);
    env_destroy (&env);
}

Test (corpus, settings_change_the_verdict)
{
    env_t env;
    env_new (&env);
    env_close (&env);
    char err [256];
    char *path = clip_path_join (env.dir, "clipd.db");
    env.db = clip_db_open (path, 0, err, sizeof err);
    clip_corpus_settings_t s;
    clip_corpus_settings_default (&s);
    cr_assert_float_eq (s.near_containment, 0.7, 1e-12);
    cr_assert_float_eq (s.near_jaccard, 0.5, 1e-12);
    cr_assert_float_eq (s.related_containment, 0.25, 1e-12);
    cr_assert_eq (s.max_matches, 5);
    /*  With containment 0.9 required, 000 and 001 (0.82) are only related.  */
    s.near_containment = 0.9;
    env.corpus = clip_corpus_open (env.db, &s, err, sizeof err);
    char ids [5][33];
    const char *verdicts [5];
    load_huawei (&env, ids, verdicts);
    cr_assert_str_eq (verdicts [1], "related");
    cr_assert_str_eq (verdicts [2], "related");
    free (path);
    env_destroy (&env);
}

/*  Run `clip corpus ...` in this process with stdout captured into *out
    (caller owns).  Returns the exit status.  */
static int
run_cli (char **out, const char *a1, const char *a2, const char *a3, const char *a4,
         const char *a5, const char *a6)
{
    char *argv [] = { "corpus", (char *) a1, (char *) a2, (char *) a3, (char *) a4,
                      (char *) a5, (char *) a6, NULL };
    int argc = 1;
    while (argv [argc])
        argc++;
    char path [] = "/tmp/test_corpus_out.XXXXXX";
    int fd = mkstemp (path);
    cr_assert_geq (fd, 0);
    fflush (stdout);
    int saved = dup (STDOUT_FILENO);
    dup2 (fd, STDOUT_FILENO);
    int rc = clip_corpus_main (argc, argv);
    fflush (stdout);
    dup2 (saved, STDOUT_FILENO);
    close (saved);
    close (fd);
    size_t len;
    cr_assert_eq (clip_file_read (path, 1 << 24, out, &len), 0);
    unlink (path);
    return rc;
}

Test (corpus, cli_import_stats_explain)
{
    char tmpl [] = "/tmp/test_corpus_cli.XXXXXX";
    cr_assert_not_null (mkdtemp (tmpl));
    char *state = clip_path_join (tmpl, "state");
    char *huawei_dir = clip_strprintf ("%s/corpus/huawei", CLIP_SOURCE_DIR);
    char *out = NULL;
    cr_assert_eq (run_cli (&out, "import", "--state", state, huawei_dir, NULL, NULL), 0);
    cr_assert_not_null (strstr (out, "3 unique, 1 related, 1 near_duplicate, 0 duplicate"), "%s", out);
    free (out);
    cr_assert_eq (run_cli (&out, "stats", "--state", state, NULL, NULL, NULL), 0);
    cr_assert_not_null (strstr (out, "articles          5 (5 seeded"), "%s", out);
    cr_assert_not_null (strstr (out, "clusters          4 (1 with copies)"), "%s", out);
    free (out);

    /*  explain 000 001, by id prefixes.  */
    env_t env = { .dir = state };
    env_open (&env);
    char ids [2][33];
    sqlite3_stmt *q;
    sqlite3_prepare_v2 (env.db, "SELECT id FROM corpus_articles ORDER BY rowid LIMIT 2", -1, &q, NULL);
    for (int i = 0; i < 2; i++) {
        cr_assert_eq (sqlite3_step (q), SQLITE_ROW);
        snprintf (ids [i], 33, "%s", (const char *) sqlite3_column_text (q, 0));
    }
    sqlite3_finalize (q);
    env_close (&env);
    char p0 [9], p1 [9];
    snprintf (p0, sizeof p0, "%.8s", ids [0]);
    snprintf (p1, sizeof p1, "%.8s", ids [1]);
    cr_assert_eq (run_cli (&out, "explain", "--state", state, p0, p1, NULL), 0);
    cr_assert_not_null (strstr (out, "jaccard 0.425 containment 0.816"), "%s", out);
    /*  The first passage's offsets point at the same words in both files.  */
    size_t as, ae, bs, be;
    char *pa = strstr (out, "A bytes ");
    char *pb = strstr (out, "B bytes ");
    cr_assert (pa && pb);
    cr_assert_eq (sscanf (pa, "A bytes %zu-%zu", &as, &ae), 2);
    cr_assert_eq (sscanf (pb, "B bytes %zu-%zu", &bs, &be), 2);
    size_t la, lb;
    char *da = huawei ("000", &la, NULL), *db = huawei ("001", &lb, NULL);
    cr_assert_leq (ae, la);
    cr_assert_leq (be, lb);
    cr_assert_eq (strncmp (da + as, "after a stinging British", 24), 0, "%.40s", da + as);
    cr_assert_eq (strncmp (db + bs, "after a stinging British", 24), 0, "%.40s", db + bs);
    cr_assert_eq (strncmp (da + ae - 7, "company", 7), 0);
    cr_assert_eq (strncmp (db + be - 7, "company", 7), 0);
    free (da);
    free (db);
    free (out);
    cr_assert_eq (run_cli (&out, "explain", "--state", state, p0, "ffffffff", NULL), 1);
    free (out);

    /*  A running clipd holds the lock: import refuses and writes nothing.  */
    char *lock = clip_path_join (state, "clipd.lock");
    int fd = open (lock, O_RDWR | O_CREAT, 0644);
    cr_assert_eq (flock (fd, LOCK_EX | LOCK_NB), 0);
    cr_assert_eq (run_cli (&out, "import", "--state", state, huawei_dir, NULL, NULL), 1);
    free (out);
    cr_assert_eq (run_cli (&out, "compact", "--state", state, NULL, NULL, NULL), 1);
    free (out);
    close (fd);
    /*  Without clipd, compact rewrites the database; nothing is lost.  */
    cr_assert_eq (run_cli (&out, "compact", "--state", state, NULL, NULL, NULL), 0);
    cr_assert_not_null (strstr (out, "compacted "), "%s", out);
    free (out);
    cr_assert_eq (run_cli (&out, "stats", "--state", state, NULL, NULL, NULL), 0);
    cr_assert_not_null (strstr (out, "articles          5 "), "%s", out);
    free (out);
    cr_assert_eq (run_cli (&out, "bogus", NULL, NULL, NULL, NULL, NULL), 2);
    free (out);

    /*  Files that are not articles are skipped, also when they come last
        (the last batch is still committed).  */
    char *dir2 = clip_path_join (tmpl, "more");
    char *state2 = clip_path_join (tmpl, "state2");
    cr_assert_eq (clip_mkdirs (dir2, 0755), 0);
    size_t l4;
    char *a4 = huawei ("004", &l4, NULL);
    char *f1 = clip_path_join (dir2, "a.txt"), *f2 = clip_path_join (dir2, "b_empty.txt");
    char *f3 = clip_path_join (dir2, "c_binary.txt");
    cr_assert_eq (clip_file_write_durable (f1, a4, l4), 0);
    cr_assert_eq (clip_file_write_durable (f2, " \r\n", 3), 0);
    cr_assert_eq (clip_file_write_durable (f3, "a\0b", 3), 0);
    cr_assert_eq (run_cli (&out, "import", "--state", state2, dir2, NULL, NULL), 0);
    cr_assert_not_null (strstr (out, "1 unique, 0 related, 0 near_duplicate, 0 duplicate, 2 skipped;"
                                     " the corpus holds 1 articles"), "%s", out);
    free (out);
    cr_assert_eq (run_cli (&out, "stats", "--state", state2, NULL, NULL, NULL), 0);
    cr_assert_not_null (strstr (out, "articles          1 "), "%s", out);
    free (out);
    free (a4);
    free (f1);
    free (f2);
    free (f3);
    free (dir2);
    free (state2);

    char *cmd = clip_strprintf ("rm -rf '%s'", tmpl);
    cr_assert_eq (system (cmd), 0);
    free (cmd);
    free (lock);
    free (state);
    free (huawei_dir);
}

/*  No statement of db is left running (a blob handle is one too).  */
static void
assert_no_statement_running (sqlite3 *db)
{
    for (sqlite3_stmt *q = sqlite3_next_stmt (db, NULL); q; q = sqlite3_next_stmt (db, q))
        cr_assert (!sqlite3_stmt_busy (q), "still running: %s", sqlite3_sql (q));
}

/*  The candidates' sketches are read through a blob handle moved from
    row to row: a row whose sketch it cannot read (NULL, or bytes that are
    no sketch) is no match and does not stop the others being verified,
    and nothing is left open after a judge (an open read would hold the
    WAL, and a ROLLBACK would abort it).  */
Test (corpus, unreadable_candidates_are_skipped_and_judge_leaves_nothing_open)
{
    env_t env;
    env_new (&env);
    char ids [5][33];
    load_huawei (&env, ids, NULL);
    /*  Opened again: the rows it staged itself it would compare from
        memory (recent_sketches_are_compared_from_memory).  */
    env_close (&env);
    env_open (&env);
    size_t len0, len4;
    char *a000 = huawei ("000", &len0, NULL);
    char *a004 = huawei ("004", &len4, NULL);
    char *both = clip_strprintf ("%s\n\n%s", a000, a004);
    clip_record_t *rec = judge_only (&env, "both.txt", both);
    assert_no_statement_running (env.db);
    const clip_match_t *m0 = find_match (rec, ids [0]), *m4 = find_match (rec, ids [4]);
    cr_assert_not_null (m0);
    cr_assert_not_null (m4);
    double c4 = m4->containment, j4 = m4->jaccard;
    size_t n = rec->n_matches;
    clip_record_destroy (&rec);

    const char *damage [] = { "NULL", "X'435302'", "''" };
    for (size_t d = 0; d < sizeof damage / sizeof damage [0]; d++) {
        char *sql = clip_strprintf ("UPDATE corpus_articles SET sketch = %s WHERE id = '%s'",
                                    damage [d], ids [0]);
        cr_assert_eq (sqlite3_exec (env.db, sql, NULL, NULL, NULL), SQLITE_OK);
        free (sql);
        /*  Twice: the handle is opened again after a row it could not read.  */
        for (int again = 0; again < 2; again++) {
            rec = judge_only (&env, "both.txt", both);
            assert_no_statement_running (env.db);
            cr_assert_null (find_match (rec, ids [0]), "%s", damage [d]);
            m4 = find_match (rec, ids [4]);
            cr_assert_not_null (m4, "%s", damage [d]);
            cr_assert (m4->containment == c4 && m4->jaccard == j4);
            cr_assert_eq (rec->n_matches, n - 1);
            clip_record_destroy (&rec);
        }
    }
    free (both);
    free (a000);
    free (a004);
    env_destroy (&env);
}
