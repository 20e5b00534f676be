/*  clip_sketch: word shingles, their hash set and a one-permutation MinHash.
    See clip_sketch.h for the definitions and the format.  */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <xxhash.h>

#include "clip_sketch.h"
#include "clip_util.h"

#define SKETCH_VERSION 2

/*  The word splitter, shared by the sketch and by clip_sketch_words.  It
    calls back once per word with the word's lower-cased bytes and span.  */
typedef void (word_fn_t) (void *arg, const char *lower, size_t lower_len,
                          size_t start, size_t end);

static bool
is_space_cp (utf8proc_int32_t cp)
{
    if (cp == 0x85 || cp == 0x1680 || cp == 0x180E)
        return true;
    utf8proc_category_t cat = utf8proc_category (cp);
    return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL
        || cat == UTF8PROC_CATEGORY_ZP;
}

static bool
is_word_cp (utf8proc_int32_t cp)
{
    switch (utf8proc_category (cp)) {
        case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
        case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
        case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
            return true;
        default:
            return false;
    }
}

static void
split_words (const char *text, size_t len, char *buf, word_fn_t *fn, void *arg)
{
    /*  buf holds at least 2 * len + 8 bytes: lower-casing never more than
        doubles the length of a character's encoding.  */
    const uint8_t *s = (const uint8_t *) text;
    size_t blen = 0, start = 0, end = 0;
    size_t i = 0;
    while (i < len) {
        uint8_t c = s [i];
        if (c < 0x80) {
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                if (blen == 0)
                    start = i;
                buf [blen++] = (char) c;
                end = i + 1;
            }
            else
            if (c >= 'A' && c <= 'Z') {
                if (blen == 0)
                    start = i;
                buf [blen++] = (char) (c + 32);
                end = i + 1;
            }
            else
            if (c == ' ' || (c >= '\t' && c <= '\r')) {
                if (blen)
                    fn (arg, buf, blen, start, end);
                blen = 0;
            }
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate (s + i, (utf8proc_ssize_t) (len - i), &cp);
        if (n <= 0 || is_space_cp (cp)) {
            /*  Invalid bytes separate words, as white space does.  */
            if (blen)
                fn (arg, buf, blen, start, end);
            blen = 0;
            i += n > 0 ? (size_t) n : 1;
            continue;
        }
        if (is_word_cp (cp)) {
            if (blen == 0)
                start = i;
            blen += (size_t) utf8proc_encode_char (utf8proc_tolower (cp),
                                                   (utf8proc_uint8_t *) buf + blen);
            end = i + (size_t) n;
        }
        i += (size_t) n;
    }
    if (blen)
        fn (arg, buf, blen, start, end);
}

uint32_t
clip_sketch_shingle (const clip_sketch_word_t *words, size_t n)
{
    assert (n >= 1 && n <= CLIP_SKETCH_SHINGLE);
    uint64_t h [CLIP_SKETCH_SHINGLE];
    for (size_t i = 0; i < n; i++)
        h [i] = words [i].hash;
    return (uint32_t) (XXH3_64bits (h, n * sizeof h [0]) >> 32);
}

/*  Collecting shingle hashes while splitting.  */
typedef struct {
    uint64_t last [CLIP_SKETCH_SHINGLE];  /* the previous words' hashes */
    size_t n_words;
    uint32_t *set;
    size_t n_set;
    size_t cap_set;
} collect_t;

static void
collect_word (void *arg, const char *lower, size_t lower_len, size_t start, size_t end)
{
    collect_t *c = arg;
    c->last [0] = c->last [1];
    c->last [1] = c->last [2];
    c->last [2] = XXH3_64bits (lower, lower_len);
    c->n_words++;
    if (c->n_words >= CLIP_SKETCH_SHINGLE) {
        if (c->n_set == c->cap_set) {
            c->cap_set = c->cap_set ? c->cap_set * 2 : 256;
            c->set = clip_realloc (c->set, c->cap_set * sizeof (uint32_t));
        }
        c->set [c->n_set++] = (uint32_t) (XXH3_64bits (c->last, sizeof c->last) >> 32);
    }
}

void
clip_sketch_sort_u32 (uint32_t *a, uint32_t *tmp, size_t n)
{
    if (n <= 64) {
        for (size_t i = 1; i < n; i++) {
            uint32_t v = a [i];
            size_t j = i;
            while (j > 0 && a [j - 1] > v) {
                a [j] = a [j - 1];
                j--;
            }
            a [j] = v;
        }
        return;
    }
    uint32_t *own = tmp ? NULL : clip_malloc (n * sizeof *own);
    uint32_t *src = a, *dst = tmp ? tmp : own;
    for (int shift = 0; shift < 32; shift += 8) {
        size_t count [257] = { 0 };
        for (size_t i = 0; i < n; i++)
            count [((src [i] >> shift) & 0xFF) + 1]++;
        for (int b = 0; b < 256; b++)
            count [b + 1] += count [b];
        for (size_t i = 0; i < n; i++)
            dst [count [(src [i] >> shift) & 0xFF]++] = src [i];
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    /*  Four passes: the result is back in a.  */
    free (own);
}

int
clip_sketch_compute (const char *normalised, size_t len, void **blob, size_t *blob_len)
{
    assert (normalised || len == 0);
    assert (blob && blob_len);
    collect_t c = { .n_words = 0 };
    char *buf = clip_malloc (2 * len + 8);
    split_words (normalised, len, buf, collect_word, &c);
    free (buf);
    if (c.n_words > 0 && c.n_words < CLIP_SKETCH_SHINGLE) {
        /*  A text shorter than one shingle is one shingle of all its words;
            the hash of fewer words is taken over fewer bytes, so it never
            equals a full shingle's by construction.  */
        uint64_t h [CLIP_SKETCH_SHINGLE];
        for (size_t i = 0; i < c.n_words; i++)
            h [i] = c.last [CLIP_SKETCH_SHINGLE - c.n_words + i];
        c.set = clip_malloc (sizeof (uint32_t));
        c.set [0] = (uint32_t) (XXH3_64bits (h, c.n_words * sizeof h [0]) >> 32);
        c.n_set = 1;
    }
    clip_sketch_sort_u32 (c.set, NULL, c.n_set);
    size_t n = 0;
    for (size_t i = 0; i < c.n_set; i++)
        if (n == 0 || c.set [i] != c.set [n - 1])
            c.set [n++] = c.set [i];

    size_t size = CLIP_SKETCH_HEADER + 4 * n;
    uint8_t *out = clip_malloc (size);
    out [0] = 'C';
    out [1] = 'S';
    out [2] = SKETCH_VERSION;
    out [3] = 0;
    clip_put_le32 (out + 4, (uint32_t) n);
    for (size_t i = 0; i < n; i++)
        clip_put_le32 (out + CLIP_SKETCH_HEADER + 4 * i, c.set [i]);
    free (c.set);
    *blob = out;
    *blob_len = size;
    return 0;
}

int
clip_sketch_parse (const void *blob, size_t len, clip_sketch_view_t *view)
{
    assert (view);
    const uint8_t *p = blob;
    if (!p || len < CLIP_SKETCH_HEADER || p [0] != 'C' || p [1] != 'S')
        return -1;
    /*  Version 1 had a 128-value MinHash signature before the hashes.  */
    size_t skip = p [2] == SKETCH_VERSION ? 0 : p [2] == 1 ? 4 * 128 : SIZE_MAX;
    if (skip == SIZE_MAX || len < CLIP_SKETCH_HEADER + skip)
        return -1;
    uint32_t n = clip_get_le32 (p + 4);
    if ((len - CLIP_SKETCH_HEADER - skip) % 4 != 0 || (len - CLIP_SKETCH_HEADER - skip) / 4 != n)
        return -1;
    view->n = n;
    view->hashes = p + CLIP_SKETCH_HEADER + skip;
    return 0;
}

int
clip_sketch_parse_checked (const void *blob, size_t len, clip_sketch_view_t *view)
{
    if (clip_sketch_parse (blob, len, view) != 0)
        return -1;
    for (uint32_t i = 1; i < view->n; i++)
        if (clip_get_le32 (view->hashes + 4 * (i - 1)) >= clip_get_le32 (view->hashes + 4 * i))
            return -1;
    return 0;
}

uint32_t
clip_sketch_hash (const clip_sketch_view_t *view, size_t i)
{
    assert (i < view->n);
    return clip_get_le32 (view->hashes + 4 * i);
}

/*  The shared shingles of a small set and a much larger one: each of the
    small set's hashes is sought in the large one by galloping from the
    last place found, so the cost grows with the small set, not the large
    one (a headline against a long report).  */
static uint32_t
common_galloping (const clip_sketch_view_t *small, const clip_sketch_view_t *large)
{
    uint32_t common = 0;
    size_t lo = 0;
    for (size_t i = 0; i < small->n && lo < large->n; i++) {
        uint32_t x = clip_get_le32 (small->hashes + 4 * i);
        /*  Find the first position >= x: double the step, then bisect.  */
        size_t step = 1, hi = lo;
        while (hi < large->n && clip_get_le32 (large->hashes + 4 * hi) < x) {
            lo = hi + 1;
            hi += step;
            step *= 2;
        }
        if (hi > large->n)
            hi = large->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (clip_get_le32 (large->hashes + 4 * mid) < x)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < large->n && clip_get_le32 (large->hashes + 4 * lo) == x) {
            common++;
            lo++;
        }
    }
    return common;
}

/*  The shared shingles of two sets of similar size, by merging them.  */
static uint32_t
common_merge (const clip_sketch_view_t *a, const clip_sketch_view_t *b)
{
    size_t i = 0, j = 0;
    uint32_t common = 0;
    while (i < a->n && j < b->n) {
        uint32_t x = clip_get_le32 (a->hashes + 4 * i);
        uint32_t y = clip_get_le32 (b->hashes + 4 * j);
        if (x < y)
            i++;
        else
        if (y < x)
            j++;
        else {
            common++;
            i++;
            j++;
        }
    }
    return common;
}

void
clip_sketch_compare (const clip_sketch_view_t *a, const clip_sketch_view_t *b,
                     double *jaccard, double *containment, uint32_t *shared)
{
    uint32_t common = a->n * 16 < b->n ? common_galloping (a, b)
                    : b->n * 16 < a->n ? common_galloping (b, a)
                    : common_merge (a, b);
    double uni = (double) a->n + (double) b->n - common;
    uint32_t smaller = a->n < b->n ? a->n : b->n;
    if (jaccard)
        *jaccard = uni > 0 && smaller > 0 ? common / uni : 0.0;
    if (containment)
        *containment = smaller > 0 ? (double) common / smaller : 0.0;
    if (shared)
        *shared = common;
}

size_t
clip_sketch_keys_max (size_t n)
{
    return n < 2 * CLIP_SKETCH_MAX_KEYS ? n : 2 * CLIP_SKETCH_MAX_KEYS;
}

/*  The bins of the keys of a set of n >= CLIP_SKETCH_SMALL; the probes use
    twice as many, so that each key bin is two probe bins and each key, the
    smallest of its bin, is also the smallest of one of those two: a probe.
    Looking an article up thus brings into the cache every line its keys
    will be inserted in.  */
static size_t
key_bins (size_t n)
{
    size_t bins = (n + 1) / 2;
    return bins < CLIP_SKETCH_MAX_KEYS ? bins : CLIP_SKETCH_MAX_KEYS;
}

/*  The smallest hash of each non-empty one of `bins` equal bins.  The set
    is sorted: the first hash of each bin is its minimum.  */
static size_t
bin_minima (const uint32_t *sorted, size_t n, uint64_t bins, uint32_t *out)
{
    size_t count = 0;
    uint64_t last_bin = UINT64_MAX;
    for (size_t i = 0; i < n; i++) {
        uint64_t bin = (uint64_t) sorted [i] * bins >> 32;
        if (bin != last_bin) {
            last_bin = bin;
            out [count++] = sorted [i];
        }
    }
    return count;
}

size_t
clip_sketch_keys_of (const uint32_t *sorted, size_t n, uint32_t *keys)
{
    if (n < CLIP_SKETCH_SMALL) {
        memcpy (keys, sorted, n * sizeof *keys);
        return n;
    }
    return bin_minima (sorted, n, key_bins (n), keys);
}

size_t
clip_sketch_probes_of (const uint32_t *sorted, size_t n, uint32_t *probes)
{
    if (n < CLIP_SKETCH_SMALL) {
        memcpy (probes, sorted, n * sizeof *probes);
        return n;
    }
    return bin_minima (sorted, n, 2 * key_bins (n), probes);
}

size_t
clip_sketch_minus (const uint32_t *a, size_t na, const uint32_t *b, size_t nb, uint32_t *out)
{
    size_t i = 0, j = 0, n = 0;
    while (i < na) {
        while (j < nb && b [j] < a [i])
            j++;
        if (j == nb || b [j] != a [i])
            out [n++] = a [i];
        i++;
    }
    return n;
}

void
clip_sketch_hashes (const clip_sketch_view_t *view, uint32_t *out)
{
    for (uint32_t i = 0; i < view->n; i++)
        out [i] = clip_get_le32 (view->hashes + 4 * i);
}

static size_t
sample (const clip_sketch_view_t *view, uint32_t *out,
        size_t (*rule) (const uint32_t *, size_t, uint32_t *))
{
    if (view->n == 0)
        return 0;
    uint32_t *set = clip_malloc (view->n * sizeof *set);
    clip_sketch_hashes (view, set);
    size_t n = rule (set, view->n, out);
    free (set);
    return n;
}

size_t
clip_sketch_keys (const clip_sketch_view_t *view, uint32_t *keys)
{
    return sample (view, keys, clip_sketch_keys_of);
}

size_t
clip_sketch_probes (const clip_sketch_view_t *view, uint32_t *probes)
{
    return sample (view, probes, clip_sketch_probes_of);
}

typedef struct {
    clip_sketch_word_t *words;
    size_t n;
    size_t cap;
} words_t;

static void
push_word (void *arg, const char *lower, size_t lower_len, size_t start, size_t end)
{
    words_t *w = arg;
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->words = clip_realloc (w->words, w->cap * sizeof *w->words);
    }
    w->words [w->n++] = (clip_sketch_word_t) { .start = start, .end = end,
                                        .hash = XXH3_64bits (lower, lower_len) };
}

size_t
clip_sketch_words (const char *text, size_t len, clip_sketch_word_t **words)
{
    assert (words);
    words_t w = { NULL, 0, 0 };
    char *buf = clip_malloc (2 * len + 8);
    split_words (text, len, buf, push_word, &w);
    free (buf);
    *words = w.words;
    return w.n;
}
