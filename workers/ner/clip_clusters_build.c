/*  clip_clusters_build: word classes from unlabeled text (`clip ner
    clusters`).  See clip_clusters_build.h.  */
#include "clip_clusters_build.h"
#include "clip_clusters.h"
#include "clip_token.h"
#include "clip_util.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

/*  uthash allocates through clip_malloc, which ends the program on
    exhaustion with a log line, as every other allocation here does.  */
#define uthash_malloc(sz) clip_malloc (sz)
#include <uthash.h>

/*  ------------------------------------------------------------------------
    Building  */

#define MIN_COUNT 3             /* words seen fewer times get no class */
#define MAX_VOCAB 60000
#define NCONTEXT 400            /* context words per side */
#define BRANCH 16
#define LEVELS 3
#define ITERATIONS 12
#define KEY_MAX 48

typedef struct {
    char *key;
    uint64_t count;
    uint32_t caps, noncaps;     /* capitalised / not, away from sentence starts */
    int rank;                   /* by frequency, or -1 */
} vword_t;

/*  The words by key: uthash over small items of their own (the words
    array moves as it grows; the items and the keys they point to do
    not).  */
typedef struct {
    uint32_t id;                /* into vocab_t's words */
    UT_hash_handle hh;          /* keyed by words [id].key */
} vindex_t;

typedef struct {
    vword_t *words;
    size_t n, cap;
    vindex_t *index;
} vocab_t;

/*  The id of key in v, or UINT32_MAX.  */
static uint32_t
vocab_find (const vocab_t *v, const char *key, size_t len)
{
    vindex_t *x;
    HASH_FIND (hh, v->index, key, len, x);
    return x ? x->id : UINT32_MAX;
}

static uint32_t
vocab_intern (vocab_t *v, const char *key, size_t len)
{
    uint32_t id = vocab_find (v, key, len);
    if (id != UINT32_MAX)
        return id;
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 4096;
        v->words = clip_realloc (v->words, v->cap * sizeof (vword_t));
    }
    v->words [v->n] = (vword_t) { .key = clip_strndup (key, len), .rank = -1 };
    vindex_t *x = clip_malloc (sizeof *x);
    x->id = (uint32_t) v->n;
    HASH_ADD_KEYPTR (hh, v->index, v->words [v->n].key, len, x);
    return (uint32_t) v->n++;
}

static void
vocab_release (vocab_t *v)
{
    vindex_t *x, *tmp;
    HASH_ITER (hh, v->index, x, tmp) {
        HASH_DEL (v->index, x);
        free (x);
    }
    for (size_t i = 0; i < v->n; i++)
        free (v->words [i].key);
    free (v->words);
}

typedef struct {
    char **paths;
    size_t n, cap;
} pathlist_t;

static int
cmp_str (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
collect_files (const char *dir, pathlist_t *list)
{
    DIR *d = opendir (dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir (d))) {
        if (e->d_name [0] == '.')
            continue;
        char *p = clip_path_join (dir, e->d_name);
        struct stat st;
        if (lstat (p, &st) == 0 && S_ISDIR (st.st_mode)) {
            collect_files (p, list);
            free (p);
        }
        else
        if (lstat (p, &st) == 0 && S_ISREG (st.st_mode)) {
            if (list->n == list->cap) {
                list->cap = list->cap ? 2 * list->cap : 1024;
                list->paths = clip_realloc (list->paths, list->cap * sizeof (char *));
            }
            list->paths [list->n++] = p;
        }
        else
            free (p);
    }
    closedir (d);
}

static uint64_t
rng_next (uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static double
dot (const float *a, const float *b, size_t d)
{
    float s = 0;
    for (size_t i = 0; i < d; i++)
        s += a [i] * b [i];
    return s;
}

/*  Spherical k-means of the unit vectors vec [members [i]] into k classes;
    class [i] receives each member's class.  Seeds by k-means++ from rng.  */
static void
kmeans (const float *vec, size_t dim, const uint32_t *members, size_t n, int k,
        uint64_t *rng, uint32_t *klass)
{
    if ((size_t) k > n)
        k = (int) n;
    float *cent = clip_calloc ((size_t) k * dim, sizeof (float));
    double *dist = clip_malloc (n * sizeof (double));
    /*  k-means++ seeding over cosine distance.  */
    size_t first = (size_t) (rng_next (rng) % n);
    memcpy (cent, vec + (size_t) members [first] * dim, dim * sizeof (float));
    for (size_t i = 0; i < n; i++)
        dist [i] = 1.0 - dot (vec + (size_t) members [i] * dim, cent, dim);
    for (int c = 1; c < k; c++) {
        double total = 0;
        for (size_t i = 0; i < n; i++)
            total += dist [i] > 0 ? dist [i] * dist [i] : 0;
        double pick = (double) (rng_next (rng) >> 11) / 9007199254740992.0 * total;
        size_t chosen = n - 1;
        for (size_t i = 0; i < n; i++) {
            double d = dist [i] > 0 ? dist [i] * dist [i] : 0;
            if (pick < d) {
                chosen = i;
                break;
            }
            pick -= d;
        }
        float *cc = cent + (size_t) c * dim;
        memcpy (cc, vec + (size_t) members [chosen] * dim, dim * sizeof (float));
        for (size_t i = 0; i < n; i++) {
            double d = 1.0 - dot (vec + (size_t) members [i] * dim, cc, dim);
            if (d < dist [i])
                dist [i] = d;
        }
    }
    memset (klass, 0, n * sizeof *klass);
    float *sum = clip_malloc ((size_t) k * dim * sizeof (float));
    for (int it = 0; it < ITERATIONS; it++) {
        size_t changed = 0;
        for (size_t i = 0; i < n; i++) {
            const float *v = vec + (size_t) members [i] * dim;
            int best = 0;
            double bs = -2;
            for (int c = 0; c < k; c++) {
                double s = dot (v, cent + (size_t) c * dim, dim);
                if (s > bs) {
                    bs = s;
                    best = c;
                }
            }
            if (klass [i] != (uint32_t) best || it == 0)
                changed++;
            klass [i] = (uint32_t) best;
        }
        if (it > 0 && changed == 0)
            break;
        memset (sum, 0, (size_t) k * dim * sizeof (float));
        for (size_t i = 0; i < n; i++) {
            const float *v = vec + (size_t) members [i] * dim;
            float *s = sum + (size_t) klass [i] * dim;
            for (size_t j = 0; j < dim; j++)
                s [j] += v [j];
        }
        for (int c = 0; c < k; c++) {
            float *s = sum + (size_t) c * dim;
            double norm = sqrt (dot (s, s, dim));
            if (norm > 0)
                for (size_t j = 0; j < dim; j++)
                    cent [(size_t) c * dim + j] = (float) (s [j] / norm);
        }
    }
    free (sum);
    free (dist);
    free (cent);
}

static int
cmp_rank (const void *a, const void *b)
{
    const vword_t *x = *(const vword_t *const *) a, *y = *(const vword_t *const *) b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp (x->key, y->key);
}

static int
cmp_key (const void *a, const void *b)
{
    const vword_t *x = *(const vword_t *const *) a, *y = *(const vword_t *const *) b;
    return strcmp (x->key, y->key);
}

/*  Split members (indices into the ranked vocabulary) recursively, adding
    this level's class to path.  */
static void
split (const float *vec, size_t dim, uint32_t *members, size_t n, int level,
       uint32_t *path, uint64_t *rng)
{
    if (level >= LEVELS || n == 0)
        return;
    unsigned shift = (unsigned) (4 * (LEVELS - 1 - level));
    if (n < 2 * BRANCH)
        return;                 /* too few to split: class 0 below */
    uint32_t *klass = clip_malloc (n * sizeof *klass);
    kmeans (vec, dim, members, n, BRANCH, rng, klass);
    uint32_t *sorted = clip_malloc (n * sizeof (uint32_t));
    size_t o = 0;
    for (int c = 0; c < BRANCH; c++) {
        size_t start = o;
        for (size_t i = 0; i < n; i++)
            if (klass [i] == (uint32_t) c) {
                sorted [o++] = members [i];
                path [members [i]] |= (uint32_t) c << shift;
            }
        split (vec, dim, sorted + start, o - start, level + 1, path, rng);
    }
    free (sorted);
    free (klass);
}

/*  Every word of the files, as ids of vocab (counted, and their
    capitalisation away from sentence starts noted) into *seq_p, with
    UINT32_MAX before each sentence.  Returns the length of *seq_p.  */
static size_t
corpus_read (const pathlist_t *files, vocab_t *vocab, uint32_t **seq_p)
{
    uint32_t *seq = NULL;
    size_t nseq = 0, capseq = 0;
    clip_tokens_t toks = { 0 };
    for (size_t f = 0; f < files->n; f++) {
        char *data;
        size_t len;
        if (clip_file_read (files->paths [f], (size_t) 64 << 20, &data, &len) < 0)
            continue;
        clip_tokenize (data, len, &toks);
        size_t sent = 0;
        while (sent < toks.n) {
            size_t send = sent + 1;
            while (send < toks.n && !(toks.tokens [send].flags & CLIP_TOKEN_SENT_START))
                send++;
            /*  Capitalisation only counts in sentences that have lower case:
                headlines in capitals say nothing about a word.  */
            int has_lower = 0;
            for (size_t t = sent; t < send && !has_lower; t++)
                for (uint32_t b = toks.tokens [t].start; b < toks.tokens [t].end; b++)
                    if (data [b] >= 'a' && data [b] <= 'z') {
                        has_lower = 1;
                        break;
                    }
            if (nseq + (send - sent) + 1 > capseq) {
                capseq = (capseq + (send - sent) + 1) * 2;
                seq = clip_realloc (seq, capseq * sizeof (uint32_t));
            }
            seq [nseq++] = UINT32_MAX;
            for (size_t t = sent; t < send; t++) {
                const char *w = data + toks.tokens [t].start;
                size_t wl = toks.tokens [t].end - toks.tokens [t].start;
                char norm [KEY_MAX], key [KEY_MAX];
                size_t nl = clip_token_normalise (w, wl, norm, sizeof norm);
                size_t kl = clip_clusters_key (norm, nl, key, sizeof key);
                uint32_t id = vocab_intern (vocab, key, kl);
                vword_t *vw = &vocab->words [id];
                vw->count++;
                if (has_lower && t > sent && ((norm [0] | 0x20) >= 'a' && (norm [0] | 0x20) <= 'z')) {
                    if (norm [0] >= 'A' && norm [0] <= 'Z')
                        vw->caps++;
                    else
                        vw->noncaps++;
                }
                seq [nseq++] = id;
            }
            sent = send;
        }
        free (data);
    }
    clip_tokens_release (&toks);
    *seq_p = seq;
    return nseq;
}

/*  Free what corpus_read and clip_clusters_files made.  */
static void
corpus_free (vocab_t *vocab, uint32_t *seq, pathlist_t *files)
{
    vocab_release (vocab);
    free (seq);
    for (size_t i = 0; i < files->n; i++)
        free (files->paths [i]);
    free (files->paths);
}

char **
clip_clusters_files (char *const *dirs, size_t ndirs, size_t *n)
{
    pathlist_t files = { 0 };
    for (size_t i = 0; i < ndirs; i++)
        collect_files (dirs [i], &files);
    if (files.n)
        qsort (files.paths, files.n, sizeof (char *), cmp_str);
    *n = files.n;
    return files.paths;
}

int
clip_clusters_build (char *const *dirs, size_t ndirs, const char *out_path,
                     FILE *log, char *err, size_t err_size)
{
    pathlist_t files = { 0 };
    files.paths = clip_clusters_files (dirs, ndirs, &files.n);
    if (files.n == 0) {
        free (files.paths);
        snprintf (err, err_size, "no files found");
        return -1;
    }

    vocab_t vocab = { 0 };
    uint32_t *seq = NULL;       /* word ids, UINT32_MAX between sentences */
    size_t nseq = corpus_read (&files, &vocab, &seq);
    if (log)
        fprintf (log, "clusters: %zu files, %zu tokens, %zu distinct words\n",
                 files.n, nseq, vocab.n);

    /*  Rank the vocabulary by frequency.  */
    vword_t **ranked = clip_malloc (vocab.n * sizeof (vword_t *));
    for (size_t i = 0; i < vocab.n; i++)
        ranked [i] = &vocab.words [i];
    qsort (ranked, vocab.n, sizeof (vword_t *), cmp_rank);
    size_t nv = 0;
    while (nv < vocab.n && nv < MAX_VOCAB && ranked [nv]->count >= MIN_COUNT)
        nv++;
    for (size_t i = 0; i < nv; i++)
        ranked [i]->rank = (int) i;

    /*  Context vectors: left and right neighbours among the NCONTEXT most
        frequent words, one more slot per side for anything else.  */
    size_t side = NCONTEXT + 1, dim = 2 * side;
    float *vec = clip_calloc (nv * dim, sizeof (float));
    for (size_t i = 0; i < nseq; i++) {
        if (seq [i] == UINT32_MAX)
            continue;
        int r = vocab.words [seq [i]].rank;
        if (r < 0)
            continue;
        uint32_t left = seq [i - 1], right = i + 1 < nseq ? seq [i + 1] : UINT32_MAX;
        int lr = left == UINT32_MAX ? -1 : vocab.words [left].rank;
        int rr = right == UINT32_MAX ? -1 : vocab.words [right].rank;
        vec [(size_t) r * dim + (lr >= 0 && lr < NCONTEXT ? (size_t) lr : NCONTEXT)] += 1;
        vec [(size_t) r * dim + side + (rr >= 0 && rr < NCONTEXT ? (size_t) rr : NCONTEXT)] += 1;
    }
    /*  Square roots of the neighbour distributions (Hellinger), made unit
        length, so that the dot product compares distributions.  */
    for (size_t r = 0; r < nv; r++) {
        float *v = vec + r * dim;
        double total = 0;
        for (size_t j = 0; j < dim; j++)
            total += v [j];
        double norm = 0;
        for (size_t j = 0; j < dim; j++) {
            v [j] = total > 0 ? (float) sqrt (v [j] / total) : 0;
            norm += (double) v [j] * v [j];
        }
        norm = sqrt (norm);
        for (size_t j = 0; j < dim && norm > 0; j++)
            v [j] = (float) (v [j] / norm);
    }
    uint32_t *members = clip_malloc ((nv ? nv : 1) * sizeof (uint32_t));
    uint32_t *path = clip_calloc (nv ? nv : 1, sizeof (uint32_t));
    for (size_t i = 0; i < nv; i++)
        members [i] = (uint32_t) i;
    uint64_t rng = 0x243F6A8885A308D3ULL;
    split (vec, dim, members, nv, 0, path, &rng);

    /*  Write, sorted by word.  */
    vword_t **out = clip_malloc ((nv ? nv : 1) * sizeof (vword_t *));
    memcpy (out, ranked, nv * sizeof (vword_t *));
    qsort (out, nv, sizeof (vword_t *), cmp_key);
    size_t cap = nv * 64 + 1, used = 0;
    char *text = clip_malloc (cap);
    for (size_t i = 0; i < nv; i++) {
        const vword_t *w = out [i];
        if (strchr (w->key, '\t') || strchr (w->key, '\n') || !w->key [0])
            continue;
        unsigned capb;
        uint32_t total = w->caps + w->noncaps;
        if (total < 3)
            capb = 4;
        else {
            double ratio = (double) w->caps / total;
            capb = ratio < 0.1 ? 0 : ratio < 0.5 ? 1 : ratio < 0.9 ? 2 : 3;
        }
        int k = snprintf (text + used, cap - used, "%s\t%u\t%u\n", w->key, path [w->rank], capb);
        if (k < 0 || (size_t) k >= cap - used)
            break;
        used += (size_t) k;
    }
    int rc = clip_file_write_durable (out_path, text, used);
    if (rc < 0)
        snprintf (err, err_size, "cannot write %s: %s", out_path, strerror (-rc));
    else
    if (log)
        fprintf (log, "clusters: %zu words in %d levels of %d written to %s\n",
                 nv, LEVELS, BRANCH, out_path);
    free (text);
    free (out);
    free (path);
    free (members);
    free (vec);
    free (ranked);
    corpus_free (&vocab, seq, &files);
    return rc < 0 ? -1 : 0;
}

/*  ------------------------------------------------------------------------
    Exchange classes  */

#define XLOG_TABLE (1u << 20)   /* x log x tabulated below this count */

static inline double
xlogx (const double *table, uint64_t x)
{
    return x < XLOG_TABLE ? table [x] : (double) x * log ((double) x);
}

static int
cmp_u64 (const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

/*  Predictive exchange clustering (Uszkoreit and Brants, ACL 2008): the
    classes c(w) of nw words that maximise the likelihood of the bigram
    model P(w | v) = P(c(w) | v) P(w | c(w)), i.e.
        sum over v, c of N(v, c) log N(v, c)  -  sum over c of N(c) log N(c),
    N(v, c) counting word v followed by a word of class c.  Each pass
    takes the words in order (the most frequent first) and moves each to
    the class that gains most, which needs only the word's predecessors:
    a pass costs (distinct bigrams) x nclass.  succ [j] .. succ [j + 1] in
    pred / count are the predecessors of word j (ids < npred) and how
    often; klass gets each word's class.  Deterministic: no randomness,
    the same order of sums every run.  */
static void
exchange (const uint64_t *succ, const uint32_t *pred, const uint32_t *count, size_t nw,
          size_t npred, unsigned nclass, unsigned passes, uint32_t *klass, FILE *trace)
{
    uint32_t *m = clip_calloc (npred * nclass, sizeof (uint32_t));
    uint64_t *nc = clip_calloc (nclass, sizeof (uint64_t));
    uint64_t *nword = clip_calloc (nw ? nw : 1, sizeof (uint64_t));
    double *table = clip_malloc (XLOG_TABLE * sizeof (double));
    double *gain = clip_malloc (nclass * sizeof (double));
    table [0] = 0;
    for (uint32_t x = 1; x < XLOG_TABLE; x++)
        table [x] = (double) x * log ((double) x);
    /*  Start: round robin in frequency order, so that the most frequent
        words begin in classes of their own.  */
    for (size_t j = 0; j < nw; j++) {
        klass [j] = (uint32_t) (j % nclass);
        for (uint64_t e = succ [j]; e < succ [j + 1]; e++) {
            m [(size_t) pred [e] * nclass + klass [j]] += count [e];
            nword [j] += count [e];
        }
        nc [klass [j]] += nword [j];
    }
    for (unsigned pass = 0; pass < passes; pass++) {
        size_t moved = 0;
        for (size_t j = 0; j < nw; j++) {
            uint32_t from = klass [j];
            for (uint64_t e = succ [j]; e < succ [j + 1]; e++)
                m [(size_t) pred [e] * nclass + from] -= count [e];
            nc [from] -= nword [j];
            for (unsigned c = 0; c < nclass; c++)
                gain [c] = xlogx (table, nc [c]) - xlogx (table, nc [c] + nword [j]);
            for (uint64_t e = succ [j]; e < succ [j + 1]; e++) {
                const uint32_t *row = m + (size_t) pred [e] * nclass;
                uint32_t n = count [e];
                for (unsigned c = 0; c < nclass; c++)
                    gain [c] += xlogx (table, (uint64_t) row [c] + n) - xlogx (table, row [c]);
            }
            uint32_t best = from;
            for (unsigned c = 0; c < nclass; c++)
                if (gain [c] > gain [best] + 1e-9)
                    best = c;
            klass [j] = best;
            moved += best != from;
            for (uint64_t e = succ [j]; e < succ [j + 1]; e++)
                m [(size_t) pred [e] * nclass + best] += count [e];
            nc [best] += nword [j];
        }
        if (trace)
            fprintf (trace, "clusters: exchange pass %u: %zu of %zu words moved\n", pass + 1, moved, nw);
        if (moved == 0)
            break;
    }
    free (gain);
    free (table);
    free (nword);
    free (nc);
    free (m);
}

/*  What adding a class column starts with: a count of classes in range
    and the base file read (caller owns *base_p), with its count of line
    ends.  Returns 0 or -1 with err set.  */
static int
column_begin (unsigned nclass, const char *base_path, char **base_p, size_t *len_p,
              size_t *lines_p, char *err, size_t err_size)
{
    if (nclass < 2 || nclass > CLIP_CLUSTER_XCLASS_MAX) {
        snprintf (err, err_size, "classes: %u is not in 2..%u", nclass, CLIP_CLUSTER_XCLASS_MAX);
        return -1;
    }
    int rc = clip_file_read (base_path, (size_t) 256 << 20, base_p, len_p);
    if (rc < 0) {
        snprintf (err, err_size, "cannot read %s: %s", base_path, strerror (-rc));
        return -1;
    }
    *lines_p = 0;
    for (size_t i = 0; i < *len_p; i++)
        *lines_p += (*base_p) [i] == '\n';
    return 0;
}

/*  The bytes a base file of len bytes and lines line ends takes with one
    class column more (column_append: a tab and at most four digits
    where a line end was, and one more line end for a last line without
    one), extra bytes beside.  */
static size_t
column_text_cap (size_t len, size_t lines, size_t extra)
{
    return len + lines * 8 + 8 + extra;
}

/*  Append line [line, lend), the li'th (from 0) of base_path, to text
    (cap bytes, *used of them taken) with one more column: klass, or "-"
    when klass is UINT32_MAX.  want: the columns every line must have, 0
    for any that can take one more.  Returns the line's columns, or 0 with
    err set.  */
static size_t
column_append (const char *base_path, size_t li, const char *line, const char *lend,
               size_t want, uint32_t klass, char *text, size_t cap, size_t *used,
               char *err, size_t err_size)
{
    size_t columns = 1;
    for (const char *q = line; q < lend; q++)
        columns += *q == '\t';
    if (want && columns != want) {
        snprintf (err, err_size, "%s: line %zu has %zu columns, line 1 has %zu",
                  base_path, li + 1, columns, want);
        return 0;
    }
    if (columns < 3 || columns > 2 + CLIP_CLUSTER_XCOLUMNS) {
        snprintf (err, err_size, "%s: line %zu has %zu columns; a class column can be "
                  "added to 3 to %d", base_path, li + 1, columns, 2 + CLIP_CLUSTER_XCOLUMNS);
        return 0;
    }
    memcpy (text + *used, line, (size_t) (lend - line));
    *used += (size_t) (lend - line);
    if (klass != UINT32_MAX)
        *used += (size_t) snprintf (text + *used, cap - *used, "\t%u\n", klass);
    else
        *used += (size_t) snprintf (text + *used, cap - *used, "\t-\n");
    return columns;
}

int
clip_clusters_exchange (char *const *dirs, size_t ndirs, const char *base_path,
                        unsigned nclass, unsigned passes, const char *out_path,
                        FILE *log, char *err, size_t err_size)
{
    char *base;
    size_t base_len, nlines;
    if (column_begin (nclass, base_path, &base, &base_len, &nlines, err, err_size) < 0)
        return -1;
    int rc = 0;
    pathlist_t files = { 0 };
    files.paths = clip_clusters_files (dirs, ndirs, &files.n);
    if (files.n == 0) {
        free (files.paths);
        free (base);
        snprintf (err, err_size, "no files found");
        return -1;
    }
    vocab_t vocab = { 0 };
    uint32_t *seq = NULL;
    size_t nseq = corpus_read (&files, &vocab, &seq);

    /*  The words to class: those of the base file (its first column) that
        the text has, numbered by frequency.  Every other word is one
        predecessor, "rare", and the start of a sentence another.  */
    uint32_t *line_word = clip_malloc ((nlines + 1) * sizeof (uint32_t));
    uint32_t *word_of = clip_malloc ((vocab.n ? vocab.n : 1) * sizeof (uint32_t));
    for (size_t i = 0; i < vocab.n; i++)
        word_of [i] = UINT32_MAX;
    vword_t **chosen = clip_malloc ((nlines + 1) * sizeof (vword_t *));
    size_t nw = 0, li = 0;
    for (char *line = base; line < base + base_len; li++) {
        char *nl = memchr (line, '\n', (size_t) (base + base_len - line));
        char *lend = nl ? nl : base + base_len;
        char *tab = memchr (line, '\t', (size_t) (lend - line));
        uint32_t id = tab ? vocab_find (&vocab, line, (size_t) (tab - line)) : UINT32_MAX;
        line_word [li] = id;
        if (id != UINT32_MAX && word_of [id] == UINT32_MAX) {
            word_of [id] = 0;
            chosen [nw++] = &vocab.words [id];
        }
        line = nl ? nl + 1 : base + base_len;
    }
    qsort (chosen, nw, sizeof (vword_t *), cmp_rank);
    for (size_t j = 0; j < nw; j++)
        word_of [chosen [j] - vocab.words] = (uint32_t) j;
    const uint32_t rare = (uint32_t) nw, start = (uint32_t) nw + 1;

    /*  The bigrams (word, predecessor), counted: sorted pairs, then runs.  */
    uint64_t *pairs = clip_malloc ((nseq ? nseq : 1) * sizeof (uint64_t));
    size_t np = 0;
    for (size_t i = 0; i < nseq; i++) {
        if (seq [i] == UINT32_MAX || word_of [seq [i]] == UINT32_MAX)
            continue;
        uint32_t p = i == 0 || seq [i - 1] == UINT32_MAX ? start
                   : word_of [seq [i - 1]] == UINT32_MAX ? rare : word_of [seq [i - 1]];
        pairs [np++] = (uint64_t) word_of [seq [i]] << 32 | p;
    }
    qsort (pairs, np, sizeof (uint64_t), cmp_u64);
    uint64_t *succ = clip_calloc (nw + 1, sizeof (uint64_t));
    uint32_t *pred = clip_malloc ((np ? np : 1) * sizeof (uint32_t));
    uint32_t *count = clip_malloc ((np ? np : 1) * sizeof (uint32_t));
    size_t ne = 0;
    for (size_t i = 0; i < np; i++) {
        if (i > 0 && pairs [i] == pairs [i - 1]) {
            count [ne - 1]++;
            continue;
        }
        pred [ne] = (uint32_t) pairs [i];
        count [ne] = 1;
        succ [(pairs [i] >> 32) + 1] = ++ne;
    }
    for (size_t j = 1; j <= nw; j++)
        if (succ [j] < succ [j - 1])
            succ [j] = succ [j - 1];        /* a word never after anything */
    if (log)
        fprintf (log, "clusters: exchange: %zu files, %zu tokens, %zu words to class, "
                 "%zu distinct bigrams, %u classes\n", files.n, nseq, nw, ne, nclass);
    uint32_t *klass = clip_malloc ((nw ? nw : 1) * sizeof (uint32_t));
    exchange (succ, pred, count, nw, nw + 2, nclass, passes, klass, log);

    /*  The base file, each line with one more column: its word's class,
        or "-" when the text lacks the word.  */
    size_t cap = column_text_cap (base_len, nlines, 0), used = 0;
    char *text = clip_malloc (cap);
    bool bad = false;
    li = 0;
    for (char *line = base; line < base + base_len; li++) {
        char *nl = memchr (line, '\n', (size_t) (base + base_len - line));
        char *lend = nl ? nl : base + base_len;
        uint32_t k = line_word [li] != UINT32_MAX ? klass [word_of [line_word [li]]] : UINT32_MAX;
        if (!column_append (base_path, li, line, lend, 0, k, text, cap, &used, err, err_size)) {
            bad = true;
            break;
        }
        line = nl ? nl + 1 : base + base_len;
    }
    if (!bad)
        rc = clip_file_write_durable (out_path, text, used);
    if (!bad && rc < 0)
        snprintf (err, err_size, "cannot write %s: %s", out_path, strerror (-rc));
    else
    if (!bad && log)
        fprintf (log, "clusters: %zu words with %u exchange classes written to %s\n",
                 nw, nclass, out_path);
    free (text);
    free (klass);
    free (count);
    free (pred);
    free (succ);
    free (pairs);
    free (chosen);
    free (word_of);
    free (line_word);
    free (base);
    corpus_free (&vocab, seq, &files);
    return bad || rc < 0 ? -1 : 0;
}

/*  ------------------------------------------------------------------------
    Classes of word vectors  */

/*  The seed of the vectors' k-means: any fixed value, so that the same
    file gives the same classes.  */
#define VECTORS_SEED 0x9E3779B97F4A7C15ULL

/*  Read the first max_words distinct keys of a vectors file (word, then
    dim numbers, separated by spaces, one word a line, most frequent
    first: GloVe's text format), each vector scaled to unit length.  A
    word whose key (clip_clusters_key) an earlier line had is skipped, as
    is a word with no key or a zero vector.  Returns the number kept, or
    -1 with err set; *vec_p (n * *dim_p floats) is the caller's, and the
    words, numbered in the file's order, are added to vocab (empty).  */
static long
vectors_read (const char *path, size_t max_words, float **vec_p, size_t *dim_p,
              vocab_t *vocab, char *err, size_t err_size)
{
    FILE *f = fopen (path, "r");
    if (!f) {
        snprintf (err, err_size, "cannot open %s: %s", path, strerror (errno));
        return -1;
    }
    char *line = NULL;
    size_t line_cap = 0, dim = 0, n = 0, cap = 0, lineno = 0, vec_cap = 0;
    float *vec = NULL, *row = NULL;
    long rc = 0;
    ssize_t len;
    while (n < max_words && (len = getline (&line, &line_cap, f)) >= 0) {
        lineno++;
        if (len > 0 && line [len - 1] == '\n')
            line [--len] = 0;
        char *sp = strchr (line, ' ');
        if (!sp || sp == line) {
            snprintf (err, err_size, "%s: line %zu is not a word and numbers", path, lineno);
            rc = -1;
            break;
        }
        /*  The numbers, counted on the first line.  */
        size_t d = 0;
        for (char *q = sp; *q; ) {
            while (*q == ' ')
                q++;
            if (!*q)
                break;
            char *end;
            float x = strtof (q, &end);
            if (end == q || !isfinite (x) || (*end && *end != ' ')) {
                snprintf (err, err_size, "%s: line %zu: not a number at '%.20s'", path, lineno, q);
                rc = -1;
                break;
            }
            if (dim && d >= dim) {
                d++;
                break;
            }
            if (d == cap) {
                cap = cap ? 2 * cap : 128;
                row = clip_realloc (row, cap * sizeof *row);
            }
            row [d++] = x;
            q = end;
        }
        if (rc < 0)
            break;
        if (!dim)
            dim = d;
        if (d != dim || dim == 0) {
            snprintf (err, err_size, "%s: line %zu has %s%zu numbers, line 1 had %zu", path,
                      lineno, d > dim ? "more than " : "", d > dim ? dim : d, dim);
            rc = -1;
            break;
        }
        char key [KEY_MAX];
        size_t klen = (size_t) (sp - line);
        if (klen >= KEY_MAX)
            continue;               /* no word the tagger keys is that long */
        klen = clip_clusters_key (line, klen, key, sizeof key);
        if (memchr (key, '\t', klen) || vocab_find (vocab, key, klen) != UINT32_MAX)
            continue;
        double norm = sqrt (dot (row, row, dim));
        if (!(norm > 0))
            continue;
        if (n == vec_cap) {
            vec_cap = vec_cap ? 2 * vec_cap : 1024;
            vec = clip_realloc (vec, vec_cap * dim * sizeof *vec);
        }
        for (size_t j = 0; j < dim; j++)
            vec [n * dim + j] = (float) (row [j] / norm);
        uint32_t id = vocab_intern (vocab, key, klen);
        assert (id == n);           /* new keys only, numbered in order */
        (void) id;
        n++;
    }
    if (rc == 0 && ferror (f)) {
        snprintf (err, err_size, "cannot read %s: %s", path, strerror (errno));
        rc = -1;
    }
    if (rc == 0 && n < 2) {
        snprintf (err, err_size, "%s: fewer than two words", path);
        rc = -1;
    }
    free (line);
    free (row);
    fclose (f);
    *vec_p = vec;
    *dim_p = dim;
    return rc < 0 ? -1 : (long) n;
}

int
clip_clusters_vectors (const char *vectors_path, const char *base_path, unsigned nclass,
                       size_t max_words, const char *out_path, FILE *log,
                       char *err, size_t err_size)
{
    char *base;
    size_t base_len, nlines;
    if (column_begin (nclass, base_path, &base, &base_len, &nlines, err, err_size) < 0)
        return -1;
    int rc = 0;
    float *vec = NULL;
    size_t dim = 0;
    vocab_t vocab = { 0 };
    long nv = vectors_read (vectors_path, max_words, &vec, &dim, &vocab, err, err_size);
    if (nv < 0) {
        free (vec);
        vocab_release (&vocab);
        free (base);
        return -1;
    }
    size_t n = (size_t) nv;
    if (log)
        fprintf (log, "clusters: vectors: %zu words of %zu numbers from %s, %u classes\n",
                 n, dim, vectors_path, nclass);
    uint32_t *members = clip_malloc (n * sizeof *members);
    for (size_t i = 0; i < n; i++)
        members [i] = (uint32_t) i;
    uint32_t *klass = clip_malloc (n * sizeof *klass);
    uint64_t rng = VECTORS_SEED;
    kmeans (vec, dim, members, n, (int) nclass, &rng, klass);

    /*  The base file, each line with one more column (its word's class, or
        "-" when the vectors lack the word), then a line for each word of
        the vectors the base lacks: no path, no bucket, "-" in the base's
        other columns.  */
    bool *in_base = clip_calloc (n, sizeof *in_base);
    /*  Each base line grows by its class; each word added takes its key
        (under KEY_MAX), at most 2 + CLIP_CLUSTER_XCOLUMNS "-" columns and
        its class.  */
    size_t cap = column_text_cap (base_len, nlines, n * (KEY_MAX + 32)), used = 0;
    char *text = clip_malloc (cap);
    size_t columns = 0, li = 0;
    bool bad = false;
    for (char *line = base; line < base + base_len && !bad; li++) {
        char *nl = memchr (line, '\n', (size_t) (base + base_len - line));
        char *lend = nl ? nl : base + base_len;
        char *tab = memchr (line, '\t', (size_t) (lend - line));
        uint32_t id = tab ? vocab_find (&vocab, line, (size_t) (tab - line)) : UINT32_MAX;
        columns = column_append (base_path, li, line, lend, columns, id != UINT32_MAX
                                 ? klass [id] : UINT32_MAX, text, cap, &used, err, err_size);
        if (!columns) {
            bad = true;
            break;
        }
        if (id != UINT32_MAX)
            in_base [id] = true;
        line = nl ? nl + 1 : base + base_len;
    }
    size_t added = 0;
    if (!bad) {
        /*  In the vectors' order: most frequent first.  */
        for (size_t i = 0; i < n; i++) {
            if (in_base [i])
                continue;
            used += (size_t) snprintf (text + used, cap - used, "%s\t-\t-", vocab.words [i].key);
            for (size_t c = 3; c < columns; c++)
                used += (size_t) snprintf (text + used, cap - used, "\t-");
            used += (size_t) snprintf (text + used, cap - used, "\t%u\n", klass [i]);
            added++;
        }
        assert (used < cap);
        rc = clip_file_write_durable (out_path, text, used);
        if (rc < 0)
            snprintf (err, err_size, "cannot write %s: %s", out_path, strerror (-rc));
        else
        if (log)
            fprintf (log, "clusters: %zu base words and %zu more with %u vector classes "
                     "written to %s\n", li, added, nclass, out_path);
    }
    free (text);
    free (in_base);
    free (klass);
    free (members);
    free (vec);
    vocab_release (&vocab);
    free (base);
    return bad || rc < 0 ? -1 : 0;
}
