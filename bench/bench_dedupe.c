/*  bench_dedupe: accuracy, speed and memory of near-duplicate detection.

    1. Reuters-21578 (the tarball is extracted to a temporary directory, or
       --reuters DIR names the extracted files): every article goes through
       the real pipeline (clip_text decode + normalise + digest, clip_sketch,
       clip_corpus judge/stage/publish on a SQLite file) in file order, and
       the verdicts are compared with an exact reference: all pairs of
       distinct texts with containment >= 0.7 or Jaccard > 0.5 of their
       word 3-shingle sets (64-bit shingle hashes computed here, found by an
       exact prefix-filtering join), and all pairs of identical normalised
       texts.  Prints precision and recall of near_duplicate and duplicate
       pairs, and signatures per second on one core.
    2. Candidate recall at containment 0.7 by size of the smaller set and
       size ratio, by clip_lsh's rule on clip_sketch's keys and probes.
       Synthetic index: N articles (default 1,000,000) with set sizes drawn
       from Reuters', inserted into clip_lsh; then 30% more are looked up
       and inserted (10% of them near-duplicates of indexed articles), timed
       over the first tenth and over the whole, which spans one growth of
       every segment.  Prints the rates, the memory per article and the
       recall of the planted near-duplicates.
    3. Load: a SQLite corpus of N synthetic articles written through
       clip_corpus_stage, then the time clip_corpus_open takes to load it:
       from the keys snapshot (STATE/clipd.db.keys) when there is one, else
       from corpus_keys, writing the snapshot (the first open after the
       corpus is written, or with --no-snapshot).

    Usage: bench_dedupe [--reuters DIR] [--articles N] [--skip-reuters]
                        [--skip-index] [--skip-load] [--cold] [--no-snapshot]
                        [--tmp DIR]
    --cold drops the database and its keys snapshot from the page cache
    before timing the open; --no-snapshot deletes the snapshot first, so
    that the open reads corpus_keys (and writes the snapshot again).
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "clip_corpus.h"
#include "clip_db.h"
#include "clip_lsh.h"
#include "clip_sketch.h"
#include "clip_sketch_keys.h"
#include "clip_text.h"
#include "clip_util.h"

static double
now_s (clockid_t clock)
{
    struct timespec ts;
    clock_gettime (clock, &ts);
    return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t
rss_kib (void)
{
    FILE *f = fopen ("/proc/self/status", "r");
    char line [256];
    size_t kib = 0;
    while (f && fgets (line, sizeof line, f))
        if (sscanf (line, "VmRSS: %zu kB", &kib) == 1)
            break;
    if (f)
        fclose (f);
    return kib;
}

/*  Anonymous memory of this process on transparent huge pages, in KiB:
    the index asks for them (random lookups in a gigabyte otherwise miss
    the TLB), and a run that did not get them is slower.  */
static size_t
huge_kib (void)
{
    FILE *f = fopen ("/proc/self/smaps_rollup", "r");
    char line [256];
    size_t kib = 0;
    while (f && fgets (line, sizeof line, f))
        if (sscanf (line, "AnonHugePages: %zu kB", &kib) == 1)
            break;
    if (f)
        fclose (f);
    return kib;
}

/*  ---- Reuters ----------------------------------------------------------- */

typedef struct {
    char *file;
    char *data;
    size_t len;
    char *norm;
    size_t norm_len;
    char id [33];
    void *sketch;
    size_t sketch_len;
    uint64_t *set;          /* reference: sorted distinct 64-bit shingles */
    size_t n_set;
    int text;               /* index of the first article with this text */
    /*  The system's output.  */
    clip_verdict_t verdict;
    char **near_ids;        /* matches scored near_duplicate */
    size_t n_near;
    char *dup_of;
} article_t;

static int
cmp_str (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
cmp_u64 (const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

/*  The reference shingle set: the same words as the sketch, but 64-bit
    shingle hashes computed independently of it.  */
static void
reference_set (article_t *a)
{
    clip_sketch_word_t *w;
    size_t n = clip_sketch_words (a->norm, a->norm_len, &w);
    size_t k = n >= 3 ? n - 2 : n > 0 ? 1 : 0;
    a->set = clip_malloc ((k ? k : 1) * sizeof *a->set);
    for (size_t i = 0; i < k; i++) {
        size_t m = n >= 3 ? 3 : n;
        uint64_t h [3];
        for (size_t j = 0; j < m; j++)
            h [j] = w [i + j].hash;
        a->set [i] = XXH3_64bits_withSeed (h, m * 8, 0x5EED);
    }
    qsort (a->set, k, sizeof *a->set, cmp_u64);
    size_t d = 0;
    for (size_t i = 0; i < k; i++)
        if (d == 0 || a->set [i] != a->set [d - 1])
            a->set [d++] = a->set [i];
    a->n_set = d;
    free (w);
}

static size_t
overlap (const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t i = 0, j = 0, c = 0;
    while (i < na && j < nb) {
        if (a [i] < b [j])
            i++;
        else
        if (b [j] < a [i])
            j++;
        else {
            c++;
            i++;
            j++;
        }
    }
    return c;
}

typedef struct {
    uint32_t a, b;          /* text indexes, a > b (a is later) */
} pair_t;

static int
cmp_pair (const void *x, const void *y)
{
    const pair_t *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return p->b < q->b ? -1 : p->b > q->b;
}

/*  token -> document frequency, for the global order of the prefix join.  */
typedef struct {
    uint64_t token;
    uint32_t doc;
} posting_t;

static int
cmp_posting (const void *x, const void *y)
{
    const posting_t *p = x, *q = y;
    if (p->token != q->token)
        return p->token < q->token ? -1 : 1;
    return p->doc < q->doc ? -1 : p->doc > q->doc;
}

/*  Exact join: every pair of distinct texts with containment >= 0.5 of the
    smaller set (a superset of near-duplicates: Jaccard > 0.5 implies it),
    then filtered by the near-duplicate definition.  Prefix filtering: order
    each set by global token frequency; a pair with overlap >= ceil (|S|/2)
    shares a token within the first |S| - ceil (|S|/2) + 1 tokens of the
    smaller set S.  */
static pair_t *
reference_near (article_t **texts, size_t n_texts, size_t *n_pairs, double near_c, double near_j)
{
    size_t total = 0;
    for (size_t i = 0; i < n_texts; i++)
        total += texts [i]->n_set;
    posting_t *post = clip_malloc ((total ? total : 1) * sizeof *post);
    size_t p = 0;
    for (size_t i = 0; i < n_texts; i++)
        for (size_t k = 0; k < texts [i]->n_set; k++)
            post [p++] = (posting_t) { texts [i]->set [k], (uint32_t) i };
    qsort (post, total, sizeof *post, cmp_posting);
    /*  Distinct tokens with their postings ranges.  */
    size_t n_tok = 0;
    for (size_t i = 0; i < total; i++)
        if (i == 0 || post [i].token != post [i - 1].token)
            n_tok++;
    uint64_t *tok = clip_malloc ((n_tok ? n_tok : 1) * sizeof *tok);
    size_t *start = clip_malloc ((n_tok + 1) * sizeof *start);
    n_tok = 0;
    for (size_t i = 0; i < total; i++)
        if (i == 0 || post [i].token != post [i - 1].token) {
            tok [n_tok] = post [i].token;
            start [n_tok++] = i;
        }
    start [n_tok] = total;

    pair_t *pairs = NULL;
    size_t np = 0, cap = 0;
    uint32_t *mark = clip_calloc (n_texts, sizeof *mark);
    typedef struct { size_t df; size_t t; } ord_t;
    ord_t *ord = NULL;
    size_t ord_cap = 0;
    for (size_t s = 0; s < n_texts; s++) {
        article_t *S = texts [s];
        if (S->n_set == 0)
            continue;
        if (S->n_set > ord_cap) {
            ord_cap = S->n_set;
            ord = clip_realloc (ord, ord_cap * sizeof *ord);
        }
        for (size_t k = 0; k < S->n_set; k++) {
            /*  Binary search of the token.  */
            size_t lo = 0, hi = n_tok;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (tok [mid] < S->set [k])
                    lo = mid + 1;
                else
                    hi = mid;
            }
            ord [k] = (ord_t) { start [lo + 1] - start [lo], lo };
        }
        /*  Rarest first, ties by token: a total order shared by all sets.  */
        for (size_t i = 1; i < S->n_set; i++) {
            ord_t v = ord [i];
            size_t j = i;
            while (j > 0 && (ord [j - 1].df > v.df
                             || (ord [j - 1].df == v.df && ord [j - 1].t > v.t))) {
                ord [j] = ord [j - 1];
                j--;
            }
            ord [j] = v;
        }
        size_t need = (S->n_set + 1) / 2;
        size_t prefix = S->n_set - need + 1;
        for (size_t k = 0; k < prefix; k++) {
            size_t t = ord [k].t;
            for (size_t q = start [t]; q < start [t + 1]; q++) {
                uint32_t b = post [q].doc;
                if (b == s || mark [b] == s + 1)
                    continue;
                mark [b] = (uint32_t) s + 1;
                article_t *B = texts [b];
                /*  S is the smaller set of the pair (ties: lower index).  */
                if (B->n_set < S->n_set || (B->n_set == S->n_set && b < s))
                    continue;
                size_t o = overlap (S->set, S->n_set, B->set, B->n_set);
                double c = (double) o / S->n_set;
                double j = (double) o / (S->n_set + B->n_set - o);
                if (c >= near_c || j > near_j) {
                    if (np == cap) {
                        cap = cap ? cap * 2 : 1024;
                        pairs = clip_realloc (pairs, cap * sizeof *pairs);
                    }
                    pairs [np++] = (pair_t) { s > b ? (uint32_t) s : b, s > b ? b : (uint32_t) s };
                }
            }
        }
    }
    free (ord);
    free (mark);
    free (tok);
    free (start);
    free (post);
    if (np > 1)
        qsort (pairs, np, sizeof *pairs, cmp_pair);
    *n_pairs = np;
    return pairs;
}

static void
report_pr (const char *what, pair_t *sys, size_t ns, pair_t *ref, size_t nr)
{
    qsort (sys, ns, sizeof *sys, cmp_pair);
    qsort (ref, nr, sizeof *ref, cmp_pair);
    size_t i = 0, j = 0, both = 0;
    while (i < ns && j < nr) {
        int c = cmp_pair (&sys [i], &ref [j]);
        if (c < 0)
            i++;
        else
        if (c > 0)
            j++;
        else {
            both++;
            i++;
            j++;
        }
    }
    printf ("%-15s reference pairs %zu, reported %zu, both %zu: precision %.4f recall %.4f\n",
            what, nr, ns, both, ns ? (double) both / ns : 1.0, nr ? (double) both / nr : 1.0);
}

static int
bench_reuters (const char *dir, const char *tmp)
{
    DIR *d = opendir (dir);
    if (!d) {
        fprintf (stderr, "bench_dedupe: cannot open %s: %s\n", dir, strerror (errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir (d))) {
        size_t l = strlen (e->d_name);
        if (l < 5 || strcmp (e->d_name + l - 4, ".txt") != 0)
            continue;
        if (n == cap)
            names = clip_realloc (names, (cap = cap ? cap * 2 : 1024) * sizeof *names);
        names [n++] = clip_strdup (e->d_name);
    }
    closedir (d);
    qsort (names, n, sizeof *names, cmp_str);
    article_t *arts = clip_calloc (n ? n : 1, sizeof *arts);
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        article_t *a = &arts [i];
        char *path = clip_path_join (dir, names [i]);
        if (clip_file_read (path, 64 << 20, &a->data, &a->len) != 0) {
            fprintf (stderr, "bench_dedupe: cannot read %s\n", path);
            return -1;
        }
        free (path);
        a->file = names [i];
        clip_text_t *t = clip_text_decode (a->data, a->len);
        a->norm = clip_text_normalise (t->utf8, t->len, &a->norm_len);
        clip_text_digest (a->norm, a->norm_len, a->id);
        clip_text_destroy (&t);
        bytes += a->norm_len;
    }
    free (names);
    printf ("reuters: %zu articles, %.1f MB normalised text, %.0f bytes on average\n",
            n, bytes / 1e6, n ? (double) bytes / n : 0.0);

    /*  Signatures on one core: the best of three passes, in thread CPU time
        (the wall clock of a shared machine measures the neighbours).  */
    double best = 1e30;
    for (int pass = 0; pass < 3; pass++) {
        double t0 = now_s (CLOCK_THREAD_CPUTIME_ID);
        for (size_t i = 0; i < n; i++) {
            free (arts [i].sketch);
            clip_sketch_compute (arts [i].norm, arts [i].norm_len, &arts [i].sketch,
                                 &arts [i].sketch_len);
        }
        double t = now_s (CLOCK_THREAD_CPUTIME_ID) - t0;
        if (t < best)
            best = t;
    }
    size_t sketch_bytes = 0;
    for (size_t i = 0; i < n; i++)
        sketch_bytes += arts [i].sketch_len;
    printf ("signatures: %.0f articles/s, %.1f MB/s on one core (%.3f s for %zu); "
            "sketch %.0f bytes on average\n", n / best, bytes / best / 1e6, best, n,
            n ? (double) sketch_bytes / n : 0.0);

    /*  The real corpus on a SQLite file, 256 articles a transaction.  */
    char *state = clip_strprintf ("%s/reuters-state", tmp);
    clip_mkdirs (state, 0755);
    char *dbpath = clip_path_join (state, "clipd.db");
    unlink (dbpath);
    char *snappath = clip_strprintf ("%s.keys", dbpath);
    unlink (snappath);
    free (snappath);
    char err [512] = "";
    sqlite3 *db = clip_db_open (dbpath, 0, err, sizeof err);
    if (!db) {
        fprintf (stderr, "bench_dedupe: %s\n", err);
        return -1;
    }
    clip_corpus_settings_t settings;
    clip_corpus_settings_default (&settings);
    /*  Every match, not the top 5: recall is measured on pairs.  */
    settings.max_matches = 1000000;
    clip_corpus_t *corpus = clip_corpus_open (db, &settings, err, sizeof err);
    if (!corpus) {
        fprintf (stderr, "bench_dedupe: %s\n", err);
        return -1;
    }
    double t0 = now_s (CLOCK_MONOTONIC);
    size_t in_tx = 0;
    for (size_t i = 0; i < n; i++) {
        article_t *a = &arts [i];
        if (in_tx == 0)
            clip_db_exec (db, "BEGIN", err, sizeof err);
        clip_record_t *rec = clip_record_new ();
        clip_record_set (rec, &rec->id, a->id);
        clip_record_set (rec, &rec->file, a->file);
        if (clip_corpus_judge (corpus, rec, a->sketch, a->sketch_len)
        ||  clip_corpus_stage (corpus, rec, a->sketch, a->sketch_len, a->data, a->len)) {
            fprintf (stderr, "bench_dedupe: corpus failed on %s\n", a->file);
            return -1;
        }
        a->verdict = clip_record_verdict (rec);
        a->near_ids = clip_malloc ((rec->n_matches + 1) * sizeof *a->near_ids);
        for (size_t m = 0; m < rec->n_matches; m++) {
            clip_match_t *mt = &rec->matches [m];
            if (strcmp (mt->id, a->id) == 0)
                a->dup_of = clip_strdup (mt->id);
            else
            if (mt->containment >= settings.near_containment || mt->jaccard > settings.near_jaccard)
                a->near_ids [a->n_near++] = clip_strdup (mt->id);
        }
        clip_record_destroy (&rec);
        if (++in_tx == 256 || i + 1 == n) {
            clip_db_exec (db, "COMMIT", err, sizeof err);
            clip_corpus_publish_staged (corpus);
            in_tx = 0;
        }
    }
    double t_corpus = now_s (CLOCK_MONOTONIC) - t0;
    printf ("corpus: judged and stored %zu articles in %.2f s (%.0f/s, SQLite, 256 a "
            "transaction); index %.0f bytes/article\n", n, t_corpus, n / t_corpus,
            (double) clip_corpus_index_memory (corpus) / n);
    clip_corpus_destroy (&corpus);
    sqlite3_close (db);

    /*  The reference.  Exact duplicates: equal normalised strings.  Near:
        over distinct texts, numbered by first appearance.  */
    t0 = now_s (CLOCK_MONOTONIC);
    article_t **texts = clip_malloc (n * sizeof *texts);
    size_t n_texts = 0;
    /*  Group identical strings by sorting indexes on the text.  */
    size_t *idx = clip_malloc (n * sizeof *idx);
    for (size_t i = 0; i < n; i++)
        idx [i] = i;
    /*  Insertion into buckets keyed by a 64-bit hash, then compared as
        strings: equal hashes of unequal strings would show as a mismatch.  */
    uint64_t *h = clip_malloc (n * sizeof *h);
    for (size_t i = 0; i < n; i++)
        h [i] = XXH3_64bits_withSeed (arts [i].norm, arts [i].norm_len, 7);
    pair_t *ref_dup = NULL, *sys_dup = NULL;
    size_t n_ref_dup = 0, n_sys_dup = 0;
    ref_dup = clip_malloc (n * 64 * sizeof *ref_dup);
    sys_dup = clip_malloc (n * 64 * sizeof *sys_dup);
    for (size_t i = 0; i < n; i++) {
        arts [i].text = -1;
        for (size_t j = 0; j < i; j++)
            if (h [j] == h [i] && arts [j].norm_len == arts [i].norm_len
                && memcmp (arts [j].norm, arts [i].norm, arts [i].norm_len) == 0) {
                if (arts [i].text < 0)
                    arts [i].text = arts [j].text;
                if (n_ref_dup < n * 64)
                    ref_dup [n_ref_dup++] = (pair_t) { (uint32_t) i, (uint32_t) j };
            }
        if (arts [i].text < 0) {
            arts [i].text = (int) n_texts;
            texts [n_texts++] = &arts [i];
            reference_set (&arts [i]);
        }
        /*  The system: a duplicate of id X pairs with every earlier X.  */
        if (arts [i].verdict == CLIP_VERDICT_DUPLICATE && arts [i].dup_of)
            for (size_t j = 0; j < i; j++)
                if (strcmp (arts [j].id, arts [i].dup_of) == 0 && n_sys_dup < n * 64)
                    sys_dup [n_sys_dup++] = (pair_t) { (uint32_t) i, (uint32_t) j };
    }
    free (h);
    free (idx);
    size_t n_ref_near;
    pair_t *ref_near = reference_near (texts, n_texts, &n_ref_near,
                                       settings.near_containment, settings.near_jaccard);
    double t_ref = now_s (CLOCK_MONOTONIC) - t0;
    /*  The system's near pairs between distinct texts, by first appearance.  */
    size_t n_sys_near = 0, cap_sys = 1024;
    pair_t *sys_near = clip_malloc (cap_sys * sizeof *sys_near);
    /*  id -> text: the first article with the id.  */
    for (size_t i = 0; i < n; i++) {
        article_t *a = &arts [i];
        if (texts [a->text] != a)
            continue;           /* a later copy of a text: judged as its duplicate */
        for (size_t m = 0; m < a->n_near; m++) {
            int other = -1;
            for (size_t j = 0; j < n && other < 0; j++)
                if (strcmp (arts [j].id, a->near_ids [m]) == 0)
                    other = arts [j].text;
            if (other < 0 || other == a->text)
                continue;
            if (n_sys_near == cap_sys)
                sys_near = clip_realloc (sys_near, (cap_sys *= 2) * sizeof *sys_near);
            sys_near [n_sys_near++] = (pair_t) { (uint32_t) a->text, (uint32_t) other };
        }
    }
    size_t verdicts [CLIP_VERDICT_COUNT] = { 0 };
    for (size_t i = 0; i < n; i++)
        if (arts [i].verdict != CLIP_VERDICT_UNKNOWN)
            verdicts [arts [i].verdict]++;
    printf ("verdicts: unique %zu, related %zu, near_duplicate %zu, duplicate %zu\n",
            verdicts [CLIP_VERDICT_UNIQUE], verdicts [CLIP_VERDICT_RELATED],
            verdicts [CLIP_VERDICT_NEAR_DUPLICATE], verdicts [CLIP_VERDICT_DUPLICATE]);
    printf ("reference: %zu distinct texts, exact join in %.2f s\n", n_texts, t_ref);
    report_pr ("near_duplicate", sys_near, n_sys_near, ref_near, n_ref_near);
    report_pr ("duplicate", sys_dup, n_sys_dup, ref_dup, n_ref_dup);

    for (size_t i = 0; i < n; i++) {
        article_t *a = &arts [i];
        free (a->file);
        free (a->data);
        free (a->norm);
        free (a->sketch);
        free (a->set);
        for (size_t m = 0; m < a->n_near; m++)
            free (a->near_ids [m]);
        free (a->near_ids);
        free (a->dup_of);
    }
    free (arts);
    free (texts);
    free (ref_near);
    free (sys_near);
    free (ref_dup);
    free (sys_dup);
    free (dbpath);
    free (state);
    return 0;
}

/*  ---- Synthetic articles -------------------------------------------------- */

static inline uint64_t
splitmix (uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/*  Shingle-set sizes like Reuters': a log-normal around 120 (median) with
    the occasional long article, clamped to 8..3000.  */
static uint32_t
synthetic_size (uint64_t *rng)
{
    double u1 = ((double) (splitmix (rng) >> 11) + 0.5) / 9007199254740992.0;
    double u2 = ((double) (splitmix (rng) >> 11) + 0.5) / 9007199254740992.0;
    double z = sqrt (-2 * log (u1)) * cos (6.283185307179586 * u2);
    double v = exp (log (120.0) + 0.8 * z);
    return v < 8 ? 8 : v > 3000 ? 3000 : (uint32_t) v;
}

/*  Sort and deduplicate n hashes; returns the new count.  */
static size_t
sorted_set (uint32_t *set, size_t n)
{
    clip_sketch_sort_u32 (set, NULL, n);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || set [i] != set [m - 1])
            set [m++] = set [i];
    return m;
}

/*  The shingle hashes of synthetic article i, sorted: deterministic from
    i, so that a near-duplicate can copy most of an earlier article's set.
    set holds 3000 values.  */
static size_t
synthetic_set (uint64_t i, uint64_t copy_of, double copied, uint32_t *set)
{
    uint64_t rng = i * 0x2545F4914F6CDD1Dull + 1;
    uint32_t n = synthetic_size (&rng);
    uint32_t from_copy = 0;
    if (copy_of != UINT64_MAX) {
        uint64_t crng = copy_of * 0x2545F4914F6CDD1Dull + 1;
        uint32_t cn = synthetic_size (&crng);
        from_copy = (uint32_t) (cn * copied);
        for (uint32_t k = 0; k < from_copy; k++)
            set [k] = (uint32_t) (splitmix (&crng) >> 32);
        n = cn;
    }
    for (uint32_t k = from_copy; k < n; k++)
        set [k] = (uint32_t) (splitmix (&rng) >> 32);
    return sorted_set (set, n);
}

/*  How many of the sorted set a are in the sorted keys k.  */
static size_t
shared (const uint32_t *a, size_t na, const uint32_t *k, size_t nk)
{
    size_t i = 0, j = 0, n = 0;
    while (i < na && j < nk) {
        if (a [i] < k [j])
            i++;
        else
        if (k [j] < a [i])
            j++;
        else {
            n++;
            i++;
            j++;
        }
    }
    return n;
}

/*  Whether a, looked up, finds b, stored, by the rules of clip_lsh and
    clip_corpus: probes of a against keys of b; when b is short, every
    shingle of a against its keys (the short items' filter); when a is
    short, every shingle of a against every shingle of b (the keys in the
    index, the rest in corpus_postings), verified if it shares enough to
    be related.  */
static bool
candidate (const uint32_t *a, size_t na, const uint32_t *pa, size_t npa,
           const uint32_t *b, size_t nb, const uint32_t *kb, size_t nkb)
{
    size_t need = na < CLIP_LSH_FEW || nb < CLIP_LSH_FEW ? 1 : 2;
    if (shared (pa, npa, kb, nkb) >= need)
        return true;
    if (nb < CLIP_LSH_FEW && shared (a, na, kb, nkb) >= 1)
        return true;
    return na < CLIP_LSH_FEW && (double) shared (a, na, b, nb) > 0.25 * (double) na;
}

/*  Candidate recall of pairs with containment 0.7 of the smaller set, by
    size of the smaller set and size ratio: the share of random pairs that
    are candidates by the rules above, in both orders of arrival.  */
static void
bench_recall (void)
{
    const size_t sizes [] = { 1, 3, 5, 8, 10, 11, 12, 15, 18, 20, 30, 100, 300, 1000 };
    const double ratios [] = { 1, 2, 5, 10, 20, 50, 100, 200 };
    const int trials = 2000;
    uint64_t rng = 7;
    printf ("candidate recall at containment 0.70, both orders of arrival (rows: smaller "
            "set in shingles; columns: size ratio; %d random pairs each)\n%8s", trials, "");
    for (size_t r = 0; r < sizeof ratios / sizeof ratios [0]; r++)
        printf (" %7.0fx", ratios [r]);
    printf ("\n");
    for (size_t si = 0; si < sizeof sizes / sizeof sizes [0]; si++) {
        size_t na = sizes [si];
        printf ("%8zu", na);
        for (size_t r = 0; r < sizeof ratios / sizeof ratios [0]; r++) {
            size_t nb = (size_t) (na * ratios [r]);
            size_t common = (size_t) ceil (na * 0.7 - 1e-9);
            if (nb < common)
                nb = common;
            if (nb > 100000) {
                printf (" %8s", "-");
                continue;
            }
            uint32_t *a = clip_malloc (na * sizeof *a), *b = clip_malloc (nb * sizeof *b);
            uint32_t *ka = clip_malloc ((clip_sketch_keys_max (na) + 1) * sizeof *ka);
            uint32_t *kb = clip_malloc ((clip_sketch_keys_max (nb) + 1) * sizeof *kb);
            uint32_t *pa = clip_malloc ((clip_sketch_keys_max (na) + 1) * sizeof *pa);
            uint32_t *pb = clip_malloc ((clip_sketch_keys_max (nb) + 1) * sizeof *pb);
            int found = 0;
            for (int t = 0; t < trials; t++) {
                for (size_t i = 0; i < na; i++)
                    a [i] = (uint32_t) (splitmix (&rng) >> 32);
                for (size_t i = 0; i < nb; i++)
                    b [i] = i < common ? a [i] : (uint32_t) (splitmix (&rng) >> 32);
                size_t sa = sorted_set (a, na), sb = sorted_set (b, nb);
                size_t nka = clip_sketch_keys_of (a, sa, ka), nkb = clip_sketch_keys_of (b, sb, kb);
                size_t npa = clip_sketch_probes_of (a, sa, pa), npb = clip_sketch_probes_of (b, sb, pb);
                found += candidate (a, sa, pa, npa, b, sb, kb, nkb)
                      && candidate (b, sb, pb, npb, a, sa, ka, nka);
            }
            printf (" %8.4f", (double) found / trials);
            free (a);
            free (b);
            free (ka);
            free (kb);
            free (pa);
            free (pb);
        }
        printf ("\n");
    }
}

static void
bench_index (size_t n_articles)
{
    uint32_t set [3000], keys [3000], probes [3000];
    /*  From empty, growing as it goes: the pauses of growth.  */
    clip_lsh_t *lsh = clip_lsh_new (0);
    double t0 = now_s (CLOCK_MONOTONIC), worst = 0;
    size_t total_keys = 0, total_shingles = 0;
    for (size_t i = 0; i < n_articles; i++) {
        size_t n = synthetic_set (i, UINT64_MAX, 0, set);
        size_t nk = clip_sketch_keys_of (set, n, keys);
        total_keys += nk;
        total_shingles += n;
        double a = now_s (CLOCK_MONOTONIC);
        clip_lsh_insert (lsh, (uint32_t) i, n, keys, nk);
        double d = now_s (CLOCK_MONOTONIC) - a;
        if (d > worst)
            worst = d;
    }
    double t_build = now_s (CLOCK_MONOTONIC) - t0;
    printf ("index: %zu synthetic articles (%.1f shingles, %.1f keys each) inserted into an "
            "empty index in %.2f s, longest insert (a growth) %.3f s; memory %.0f bytes/article\n",
            n_articles, (double) total_shingles / n_articles, (double) total_keys / n_articles,
            t_build, worst, (double) clip_lsh_memory (lsh) / n_articles);
    clip_lsh_destroy (&lsh);

    /*  Sized as clip_corpus_open sizes it for a stored corpus.  */
    size_t rss0 = rss_kib ();
    lsh = clip_lsh_new (n_articles * CLIP_CORPUS_KEYS_PER_ARTICLE);
    for (size_t i = 0; i < n_articles; i++) {
        size_t n = synthetic_set (i, UINT64_MAX, 0, set);
        size_t nk = clip_sketch_keys_of (set, n, keys);
        clip_lsh_insert (lsh, (uint32_t) i, n, keys, nk);
    }
    size_t mem = clip_lsh_memory (lsh);
    printf ("index: %zu articles as loaded at open: memory %.0f bytes/article (index "
            "accounting), RSS growth %.0f bytes/article\n", n_articles,
            (double) mem / n_articles, (double) (rss_kib () - rss0) * 1024 / n_articles);

    /*  More articles, each looked up with its probes and inserted with its
        keys; sets and keys prepared first, so that only the index is
        timed.  The first tenth is timed alone; the whole three tenths go
        through one growth of every segment (by a fifth), so their rate is
        the amortized one.  */
    size_t m = n_articles * 3 / 10, first = n_articles / 10;
    size_t cap_q = m * 200, used_q = 0;
    uint32_t *qs = clip_malloc (cap_q * sizeof *qs);
    size_t *qoff = clip_malloc ((m + 1) * sizeof *qoff);
    uint32_t *qn = clip_malloc (m * sizeof *qn), *qsize = clip_malloc (m * sizeof *qsize);
    uint32_t *qk = clip_malloc (m * sizeof *qk), others [3000];
    uint64_t *planted = clip_malloc (m * sizeof *planted);
    uint64_t rng = 99;
    for (size_t q = 0; q < m; q++) {
        planted [q] = q % 10 == 0 ? splitmix (&rng) % n_articles : UINT64_MAX;
        size_t n = synthetic_set (n_articles + q, planted [q], 0.8, set);
        size_t nk = clip_sketch_keys_of (set, n, keys);
        size_t np = clip_sketch_probes_of (set, n, probes);
        size_t no = clip_sketch_minus (set, n, probes, np, others);
        if (used_q + np + nk + no > cap_q)
            qs = clip_realloc (qs, (cap_q = cap_q * 2 + np + nk + no) * sizeof *qs);
        qoff [q] = used_q;
        qn [q] = (uint32_t) np;
        qk [q] = (uint32_t) nk;
        qsize [q] = (uint32_t) n;
        memcpy (qs + used_q, probes, np * sizeof *probes);
        memcpy (qs + used_q + np, keys, nk * sizeof *keys);
        memcpy (qs + used_q + np + nk, others, no * sizeof *others);
        used_q += np + nk + no;
    }
    qoff [m] = used_q;
    size_t found = 0, n_planted = 0, candidates = 0;
    double t_query = 0;
    double c0 = now_s (CLOCK_THREAD_CPUTIME_ID), c_first = 0, t_first = 0;
    t0 = now_s (CLOCK_MONOTONIC);
    for (size_t q = 0; q < m; q++) {
        if (q == first) {
            t_first = now_s (CLOCK_MONOTONIC) - t0;
            c_first = now_s (CLOCK_THREAD_CPUTIME_ID) - c0;
        }
        const clip_lsh_hit_t *hits;
        const uint32_t *probes_q = qs + qoff [q];
        double tq = now_s (CLOCK_MONOTONIC);
        const uint32_t *others_q = probes_q + qn [q] + qk [q];
        size_t nh = clip_lsh_query (lsh, probes_q, qn [q], others_q,
                                    qoff [q + 1] - qoff [q] - qn [q] - qk [q], qsize [q], &hits);
        t_query += now_s (CLOCK_MONOTONIC) - tq;
        candidates += nh;
        if (planted [q] != UINT64_MAX) {
            n_planted++;
            for (size_t h = 0; h < nh; h++)
                if (hits [h].item == planted [q]) {
                    found++;
                    break;
                }
        }
        clip_lsh_insert (lsh, (uint32_t) (n_articles + q), qsize [q], probes_q + qn [q], qk [q]);
    }
    double t = now_s (CLOCK_MONOTONIC) - t0;
    double c = now_s (CLOCK_THREAD_CPUTIME_ID) - c0;
    printf ("index: query+insert of %zu more: %.0f articles/s wall, %.0f/s CPU\n",
            first, first / t_first, first / c_first);
    printf ("index: query+insert of %zu more, through one growth of every segment: "
            "%.0f articles/s wall, %.0f/s CPU; memory at %zu articles %.0f bytes/article\n",
            m, m / t, m / c, n_articles + m, (double) clip_lsh_memory (lsh) / (n_articles + m));
    printf ("index: %.2f candidates/query; planted near-duplicates found %zu/%zu; "
            "of the time, queries %.0f%%, inserts %.0f%%; on huge pages %.0f of %.0f MB\n",
            (double) candidates / m, found, n_planted, 100 * t_query / t, 100 * (t - t_query) / t,
            huge_kib () / 1024.0, clip_lsh_memory (lsh) / 1048576.0);
    free (qs);
    free (qoff);
    free (qn);
    free (qsize);
    free (qk);
    free (planted);
    clip_lsh_destroy (&lsh);
}

/*  Synthetic article text: n words of a random vocabulary.  */
static size_t
synthetic_text (uint64_t i, char *buf)
{
    uint64_t rng = i * 0x2545F4914F6CDD1Dull + 1;
    uint32_t n = synthetic_size (&rng) + 2;
    size_t len = 0;
    for (uint32_t k = 0; k < n; k++)
        len += (size_t) sprintf (buf + len, "w%" PRIx64 " ", splitmix (&rng) % 200000);
    return len;
}

/*  Excerpts of 3 to 12 words of stored synthetic articles, judged
    against the corpus: every one must come out a near-duplicate, however
    short (the postings, clip_postings.h), and this is what a judgement
    of one costs.  */
static void
bench_excerpts (clip_corpus_t *corpus, uint64_t n_stored)
{
    const size_t sizes [] = { 3, 5, 8, 12 };
    enum { PER_SIZE = 500 };
    char *buf = clip_malloc (3100 * 24);
    uint64_t rng = 5;
    for (size_t si = 0; si < sizeof sizes / sizeof sizes [0]; si++) {
        size_t words = sizes [si], found = 0;
        double t = 0;
        for (int k = 0; k < PER_SIZE; k++) {
            size_t len = synthetic_text (splitmix (&rng) % n_stored, buf);
            size_t n_words = 0;
            for (size_t i = 0; i < len; i++)
                n_words += buf [i] == ' ';
            size_t first = n_words > words ? splitmix (&rng) % (n_words - words) : 0;
            size_t start = 0, end, seen = 0;
            for (start = 0; seen < first; start++)
                seen += buf [start] == ' ';
            for (end = start, seen = 0; end < len && seen < words; end++)
                seen += buf [end] == ' ';
            size_t ex_len = end - start - 1;
            void *sk;
            size_t sk_len;
            clip_sketch_compute (buf + start, ex_len, &sk, &sk_len);
            char id [33];
            clip_text_digest (buf + start, ex_len, id);
            clip_record_t *rec = clip_record_new ();
            clip_record_set (rec, &rec->id, id);
            clip_record_set (rec, &rec->file, "excerpt.txt");
            double t0 = now_s (CLOCK_MONOTONIC);
            clip_corpus_judge (corpus, rec, sk, sk_len);
            t += now_s (CLOCK_MONOTONIC) - t0;
            found += clip_record_verdict (rec) == CLIP_VERDICT_NEAR_DUPLICATE;
            clip_record_destroy (&rec);
            free (sk);
        }
        printf ("load: %2zu-word excerpts of stored articles judged: %zu/%d near-duplicates, "
                "%.0f us a judgement\n", words, found, PER_SIZE, t * 1e6 / PER_SIZE);
    }
    free (buf);
}

static int
bench_load (size_t n_articles, const char *tmp, bool cold, bool no_snapshot)
{
    char *state = clip_strprintf ("%s/load-state", tmp);
    clip_mkdirs (state, 0755);
    char *dbpath = clip_path_join (state, "clipd.db");
    char err [512] = "";
    struct stat st;
    sqlite3 *db;
    clip_corpus_t *corpus;
    if (stat (dbpath, &st) != 0) {
        db = clip_db_open (dbpath, 0, err, sizeof err);
        corpus = db ? clip_corpus_open (db, NULL, err, sizeof err) : NULL;
        if (!corpus) {
            fprintf (stderr, "bench_dedupe: %s\n", err);
            return -1;
        }
        double t0 = now_s (CLOCK_MONOTONIC);
        char *buf = clip_malloc (3100 * 24);
        for (size_t i = 0; i < n_articles; i++) {
            if (i % 10000 == 0)
                clip_db_exec (db, "BEGIN", err, sizeof err);
            size_t len = synthetic_text (i, buf);
            void *sk;
            size_t sk_len;
            clip_sketch_compute (buf, len, &sk, &sk_len);
            char id [33];
            clip_text_digest (buf, len, id);
            clip_record_t *rec = clip_record_new ();
            clip_record_set (rec, &rec->id, id);
            clip_record_set (rec, &rec->file, "synthetic.txt");
            clip_record_set_verdict (rec, CLIP_VERDICT_UNIQUE);
            clip_record_set (rec, &rec->cluster, id);
            /*  Staged without judging (it would only find nothing) and
                without the original bytes, to keep the file small.  */
            if (clip_corpus_stage (corpus, rec, sk, sk_len, NULL, 0))
                return -1;
            clip_record_destroy (&rec);
            free (sk);
            if (i % 10000 == 9999 || i + 1 == n_articles) {
                clip_db_exec (db, "COMMIT", err, sizeof err);
                clip_corpus_publish_staged (corpus);
            }
        }
        free (buf);
        printf ("load: wrote %zu synthetic articles in %.1f s\n", n_articles,
                now_s (CLOCK_MONOTONIC) - t0);
        clip_corpus_destroy (&corpus);
        sqlite3_close (db);
    }
    stat (dbpath, &st);
    char *snappath = clip_strprintf ("%s.keys", dbpath);
    if (no_snapshot)
        unlink (snappath);
    struct stat snap_st = { .st_size = 0 };
    bool have_snapshot = stat (snappath, &snap_st) == 0;
    if (cold) {
        /*  Drop the files from the page cache, as after a reboot.  */
        const char *files [] = { dbpath, snappath };
        for (size_t f = 0; f < sizeof files / sizeof files [0]; f++) {
            int fd = open (files [f], O_RDONLY);
            if (fd >= 0) {
                fdatasync (fd);
                posix_fadvise (fd, 0, 0, POSIX_FADV_DONTNEED);
                close (fd);
            }
        }
    }
    char snap_desc [96] = "no keys snapshot: corpus_keys read, snapshot written";
    if (have_snapshot)
        snprintf (snap_desc, sizeof snap_desc, "keys snapshot %.0f MB", snap_st.st_size / 1e6);
    size_t rss0 = rss_kib ();
    double t0 = now_s (CLOCK_MONOTONIC);
    db = clip_db_open (dbpath, 0, err, sizeof err);
    corpus = db ? clip_corpus_open (db, NULL, err, sizeof err) : NULL;
    if (!corpus) {
        fprintf (stderr, "bench_dedupe: %s\n", err);
        return -1;
    }
    double t = now_s (CLOCK_MONOTONIC) - t0;
    printf ("load: clip_corpus_open of %" PRIu64 " articles (database %.0f MB, %s, %s) in %.2f s; "
            "index %.0f bytes/article, RSS growth %.0f bytes/article\n",
            clip_corpus_size (corpus), st.st_size / 1e6,
            snap_desc,
            cold ? "dropped from the page cache" : "as cached", t,
            (double) clip_corpus_index_memory (corpus) / clip_corpus_size (corpus),
            (double) (rss_kib () - rss0) * 1024 / clip_corpus_size (corpus));
    bench_excerpts (corpus, clip_corpus_size (corpus));
    clip_corpus_destroy (&corpus);
    sqlite3_close (db);
    free (snappath);
    free (dbpath);
    free (state);
    return 0;
}

int
main (int argc, char **argv)
{
    const char *reuters = NULL;
    const char *tmp_arg = NULL;
    size_t n_articles = 1000000;
    int skip_reuters = 0, skip_index = 0, skip_load = 0;
    bool cold = false, no_snapshot = false;
    static const struct option opts [] = {
        { "reuters", required_argument, NULL, 'r' },
        { "articles", required_argument, NULL, 'n' },
        { "tmp", required_argument, NULL, 't' },
        { "skip-reuters", no_argument, NULL, 'R' },
        { "skip-index", no_argument, NULL, 'I' },
        { "skip-load", no_argument, NULL, 'L' },
        { "cold", no_argument, NULL, 'C' },
        { "no-snapshot", no_argument, NULL, 'S' },
        { NULL, 0, NULL, 0 }
    };
    int c;
    while ((c = getopt_long (argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
            case 'r': reuters = optarg; break;
            case 'n': n_articles = strtoull (optarg, NULL, 10); break;
            case 't': tmp_arg = optarg; break;
            case 'R': skip_reuters = 1; break;
            case 'I': skip_index = 1; break;
            case 'L': skip_load = 1; break;
            case 'C': cold = true; break;
            case 'S': no_snapshot = true; break;
            default:
                fprintf (stderr, "usage: bench_dedupe [--reuters DIR] [--articles N] [--tmp DIR]"
                                 " [--skip-reuters] [--skip-index] [--skip-load] [--cold]"
                                 " [--no-snapshot]\n");
                return 2;
        }
    }
    char tmpl [] = "/tmp/bench_dedupe.XXXXXX";
    const char *tmp = tmp_arg;
    if (!tmp) {
        if (!mkdtemp (tmpl)) {
            perror ("mkdtemp");
            return 1;
        }
        tmp = tmpl;
    }
    int rc = 0;
    if (!skip_reuters) {
        char *dir = NULL;
        if (reuters)
            dir = clip_strdup (reuters);
        else {
            char *cmd = clip_strprintf ("tar -xzf '%s/reuters21578.tar.gz' -C '%s'",
                                        CLIP_SHARED_DATA, tmp);
            if (system (cmd) != 0) {
                fprintf (stderr, "bench_dedupe: cannot extract Reuters (%s)\n", cmd);
                return 1;
            }
            free (cmd);
            dir = clip_strprintf ("%s/reuters21578", tmp);
        }
        rc |= bench_reuters (dir, tmp);
        free (dir);
    }
    if (!skip_index) {
        bench_recall ();
        bench_index (n_articles);
    }
    if (!skip_load)
        rc |= bench_load (n_articles, tmp, cold, no_snapshot);
    if (!tmp_arg) {
        char *cmd = clip_strprintf ("rm -rf '%s'", tmp);
        if (system (cmd) != 0)
            rc = 1;
        free (cmd);
    }
    return rc ? 1 : 0;
}
