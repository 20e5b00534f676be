/*  Tests for clip_sketch: words, shingles, keys and probes, the format, exact
    Jaccard and containment, the index keys.  */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clip_sketch.h"
#include "clip_sketch_keys.h"
#include "clip_text.h"
#include "clip_util.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

typedef struct {
    void *blob;
    size_t len;
    clip_sketch_view_t view;
} sk_t;

static void
sk_make (sk_t *sk, const char *text)
{
    cr_assert_eq (clip_sketch_compute (text, strlen (text), &sk->blob, &sk->len), 0);
    cr_assert_eq (clip_sketch_parse (sk->blob, sk->len, &sk->view), 0);
}

static void
sk_free (sk_t *sk)
{
    free (sk->blob);
}

static void
compare (const char *a, const char *b, double *j, double *c)
{
    sk_t x, y;
    sk_make (&x, a);
    sk_make (&y, b);
    clip_sketch_compare (&x.view, &y.view, j, c, NULL);
    sk_free (&x);
    sk_free (&y);
}

Test (sketch, words_are_lowercased_and_stripped)
{
    const char *text = "Huawei\u2019s U.S. co-founder, \u00c9COLE  42";
    clip_sketch_word_t *w = NULL;
    size_t n = clip_sketch_words (text, strlen (text), &w);
    cr_assert_eq (n, 5);
    clip_sketch_word_t *ref = NULL;
    const char *plain = "huaweis us cofounder \u00e9cole 42";
    cr_assert_eq (clip_sketch_words (plain, strlen (plain), &ref), 5);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq (w [i].hash, ref [i].hash, "word %zu differs", i);
    /*  Spans cover the word from its first to its last kept character.  */
    cr_assert_eq (w [0].start, 0);
    cr_assert_eq (w [0].end, strlen ("Huawei\u2019s"));
    cr_assert_eq (w [1].start, strlen ("Huawei\u2019s "));
    cr_assert_eq (w [1].end, strlen ("Huawei\u2019s U.S"));
    free (w);
    free (ref);
}

Test (sketch, same_text_same_bytes)
{
    sk_t a, b;
    sk_make (&a, "The quick brown fox jumps over the lazy dog");
    sk_make (&b, "The quick brown fox jumps over the lazy dog");
    cr_assert_eq (a.len, b.len);
    cr_assert_eq (memcmp (a.blob, b.blob, a.len), 0);
    /*  9 words: 7 distinct 3-shingles.  */
    cr_assert_eq (a.view.n, 7);
    cr_assert_eq (a.len, CLIP_SKETCH_HEADER + 4 * 7);
    sk_free (&a);
    sk_free (&b);
}

Test (sketch, case_and_punctuation_do_not_matter)
{
    double j, c;
    compare ("The Quick, brown fox -- jumps!", "the quick brown fox jumps", &j, &c);
    cr_assert_float_eq (j, 1.0, 1e-12);
    cr_assert_float_eq (c, 1.0, 1e-12);
    compare ("the quick brown fox jumps", "the quick brown cat jumps", &j, &c);
    /*  {tqb, qbf, bfj} vs {tqb, qbc, bcj}: one shared of five.  */
    cr_assert_float_eq (j, 1.0 / 5, 1e-12);
    cr_assert_float_eq (c, 1.0 / 3, 1e-12);
}

Test (sketch, repeated_shingles_count_once)
{
    sk_t a;
    sk_make (&a, "a b c a b c a b c");
    /*  abc, bca, cab.  */
    cr_assert_eq (a.view.n, 3);
    for (uint32_t i = 1; i < a.view.n; i++)
        cr_assert_lt (clip_sketch_hash (&a.view, i - 1), clip_sketch_hash (&a.view, i));
    sk_free (&a);
}

Test (sketch, empty_and_short_texts)
{
    sk_t e, one, two, other;
    sk_make (&e, "");
    cr_assert_eq (e.view.n, 0);
    static uint32_t keys [CLIP_SKETCH_MAX_KEYS];
    cr_assert_eq (clip_sketch_keys (&e.view, keys), 0);
    sk_make (&one, "Huawei");
    cr_assert_eq (one.view.n, 1);
    cr_assert_eq (clip_sketch_keys (&one.view, keys), 1);
    cr_assert_eq (keys [0], clip_sketch_hash (&one.view, 0));
    sk_make (&two, "huawei!");
    double j, c;
    clip_sketch_compare (&one.view, &two.view, &j, &c, NULL);
    cr_assert_float_eq (j, 1.0, 1e-12);
    sk_make (&other, "Ericsson");
    clip_sketch_compare (&one.view, &other.view, &j, &c, NULL);
    cr_assert_float_eq (j, 0.0, 1e-12);
    clip_sketch_compare (&e.view, &e.view, &j, &c, NULL);
    cr_assert_float_eq (j, 0.0, 1e-12);
    cr_assert_float_eq (c, 0.0, 1e-12);
    /*  Only punctuation: no word.  */
    sk_t p;
    sk_make (&p, " -- ... !!! ");
    cr_assert_eq (p.view.n, 0);
    sk_free (&p);
    sk_free (&e);
    sk_free (&one);
    sk_free (&two);
    sk_free (&other);
}

Test (sketch, invalid_utf8_separates_words)
{
    const char text [] = "alpha\xff" "beta\xc3 gamma";
    clip_sketch_word_t *w = NULL;
    cr_assert_eq (clip_sketch_words (text, sizeof text - 1, &w), 3);
    free (w);
}

Test (sketch, parse_rejects_garbage)
{
    clip_sketch_view_t v;
    cr_assert_eq (clip_sketch_parse ("hello", 5, &v), -1);
    cr_assert_eq (clip_sketch_parse (NULL, 0, &v), -1);
    sk_t a;
    sk_make (&a, "one two three four");
    cr_assert_eq (clip_sketch_parse (a.blob, a.len - 4, &v), -1);
    cr_assert_eq (clip_sketch_parse (a.blob, a.len + 0, &v), 0);
    ((char *) a.blob) [2] = 99;
    cr_assert_eq (clip_sketch_parse (a.blob, a.len, &v), -1);
    sk_free (&a);
}

Test (sketch, parse_checked_rejects_unsorted_and_repeated_hashes)
{
    clip_sketch_view_t v;
    sk_t a;
    sk_make (&a, "one two three four five six seven eight nine ten");
    cr_assert_eq (clip_sketch_parse_checked (a.blob, a.len, &v), 0);
    cr_assert_gt (v.n, 2);
    uint8_t *h = (uint8_t *) a.blob + CLIP_SKETCH_HEADER;
    uint8_t saved [4];
    /*  A repeated hash, then two swapped: parse takes both, the checked
        parse neither.  */
    memcpy (saved, h + 4, 4);
    memcpy (h + 4, h, 4);
    cr_assert_eq (clip_sketch_parse (a.blob, a.len, &v), 0);
    cr_assert_eq (clip_sketch_parse_checked (a.blob, a.len, &v), -1);
    memcpy (h + 4, h, 4);
    memcpy (h, saved, 4);
    cr_assert_eq (clip_sketch_parse (a.blob, a.len, &v), 0);
    cr_assert_eq (clip_sketch_parse_checked (a.blob, a.len, &v), -1);
    sk_free (&a);
}

static char *
read_huawei (const char *prefix)
{
    char *path = clip_strprintf ("%s/corpus/huawei", CLIP_SOURCE_DIR);
    char *cmd = clip_strprintf ("ls %s/%s_*.txt", path, prefix);
    FILE *p = popen (cmd, "r");
    char line [1024] = "";
    cr_assert (fgets (line, sizeof line, p));
    pclose (p);
    line [strcspn (line, "\n")] = 0;
    char *data;
    size_t len;
    cr_assert_eq (clip_file_read (line, 1 << 20, &data, &len), 0, "%s", line);
    clip_text_t *t = clip_text_decode (data, len);
    char *norm = clip_text_normalise (t->utf8, t->len, NULL);
    clip_text_destroy (&t);
    free (data);
    free (path);
    free (cmd);
    return norm;
}

Test (sketch, huawei_pair_matches_the_measured_figures)
{
    char *a = read_huawei ("000");
    char *b = read_huawei ("001");
    char *c = read_huawei ("002");
    char *d = read_huawei ("003");
    double j, k;
    compare (a, b, &j, &k);
    /*  data/README.md: Jaccard 0.43, containment 0.82.  */
    cr_assert (fabs (j - 0.43) < 0.02, "jaccard %f", j);
    cr_assert (fabs (k - 0.82) < 0.02, "containment %f", k);
    compare (c, b, &j, &k);
    cr_assert (fabs (k - 0.42) < 0.03, "containment %f", k);
    compare (a, d, &j, &k);
    cr_assert_lt (j, 0.01);

    sk_t x, y;
    sk_make (&x, a);
    sk_make (&y, b);
    /*  Every key is one of the set's shingles.  */
    static uint32_t keys [CLIP_SKETCH_MAX_KEYS];
    size_t n = clip_sketch_keys (&x.view, keys);
    cr_assert_gt (n, 0);
    for (size_t key = 0; key < n; key++) {
        bool in = false;
        for (uint32_t i = 0; i < x.view.n && !in; i++)
            in = clip_sketch_hash (&x.view, i) == keys [key];
        cr_assert (in);
    }
    sk_free (&x);
    sk_free (&y);
    free (a);
    free (b);
    free (c);
    free (d);
}

Test (sketch, keys_are_bin_minima_of_half_as_many_bins)
{
    /*  2,000 distinct words: 1,998 shingles, ceil (1998 / 2) = 999 bins, so
        about 999 * (1 - e^-2) = 864 keys: each the smallest hash of its
        bin, checked against a direct computation.  */
    char *text = clip_malloc (2000 * 8 + 1);
    size_t len = 0;
    for (int i = 0; i < 2000; i++)
        len += (size_t) sprintf (text + len, "w%d ", i);
    sk_t a;
    sk_make (&a, text);
    cr_assert_eq (a.view.n, 1998);
    cr_assert_eq (clip_sketch_keys_max (1), 1);
    cr_assert_eq (clip_sketch_keys_max (1998), 1998);
    cr_assert_eq (clip_sketch_keys_max (1 << 20), 2 * CLIP_SKETCH_MAX_KEYS);
    static uint32_t keys [CLIP_SKETCH_MAX_KEYS], mins [999];
    static bool filled [999];
    size_t n = clip_sketch_keys (&a.view, keys);
    cr_assert (n > 820 && n <= 999, "%zu keys", n);
    for (uint32_t i = 0; i < a.view.n; i++) {
        uint32_t v = clip_sketch_hash (&a.view, i);
        size_t bin = (size_t) ((uint64_t) v * 999 >> 32);
        if (!filled [bin] || v < mins [bin])
            mins [bin] = v;
        filled [bin] = true;
    }
    size_t taken = 0;
    for (size_t bin = 0; bin < 999; bin++)
        if (filled [bin]) {
            cr_assert_lt (taken, n);
            cr_assert_eq (keys [taken++], mins [bin], "bin %zu", bin);
        }
    cr_assert_eq (taken, n);
    /*  Probes: the minima of 1,998 bins, about 1998 * (1 - 1/e) = 1263;
        every key is one of them.  */
    static uint32_t probes [2 * CLIP_SKETCH_MAX_KEYS];
    size_t np = clip_sketch_probes (&a.view, probes);
    cr_assert (np > 1180 && np < 1340, "%zu probes", np);
    for (size_t i = 1; i < np; i++)
        cr_assert_neq ((uint64_t) probes [i - 1] * 1998 >> 32, (uint64_t) probes [i] * 1998 >> 32);
    size_t p = 0;
    for (size_t k = 0; k < n; k++) {
        while (p < np && probes [p] < keys [k])
            p++;
        cr_assert (p < np && probes [p] == keys [k], "key %zu is not a probe", k);
    }
    sk_free (&a);
    free (text);
}

Test (sketch, compare_small_with_much_larger)
{
    /*  Sizes 16 times apart or more take the galloping path: its counts
        must equal a direct count, at both ends of the large set too.  */
    char *big = clip_malloc (4000 * 8 + 1), *small = clip_malloc (40 * 8 + 1);
    size_t len = 0;
    for (int i = 0; i < 4000; i++)
        len += (size_t) sprintf (big + len, "w%d ", i);
    const int starts [] = { 0, 1000, 3975 };
    for (size_t s = 0; s < 3; s++) {
        len = 0;
        /*  25 words from the big text, then 5 of its own.  */
        for (int i = 0; i < 25; i++)
            len += (size_t) sprintf (small + len, "w%d ", starts [s] + i);
        for (int i = 0; i < 5; i++)
            len += (size_t) sprintf (small + len, "x%d ", i);
        sk_t a, b;
        sk_make (&a, small);
        sk_make (&b, big);
        uint32_t direct = 0;
        for (uint32_t i = 0; i < a.view.n; i++)
            for (uint32_t k = 0; k < b.view.n; k++)
                direct += clip_sketch_hash (&a.view, i) == clip_sketch_hash (&b.view, k);
        cr_assert_eq (direct, 23);
        uint32_t common;
        double j, c;
        clip_sketch_compare (&a.view, &b.view, &j, &c, &common);
        cr_assert_eq (common, direct);
        clip_sketch_compare (&b.view, &a.view, NULL, NULL, &common);
        cr_assert_eq (common, direct);
        cr_assert_float_eq (c, 23.0 / 28, 1e-9);
        sk_free (&a);
        sk_free (&b);
    }
    free (big);
    free (small);
}

Test (sketch, small_sets_keep_and_probe_every_shingle)
{
    /*  Under CLIP_SKETCH_SMALL shingles, keys and probes are the whole set.  */
    sk_t a;
    sk_make (&a, "Huawei opened a research centre in Cambridge on Monday, the "
                 "company said, and will hire three hundred engineers there");
    cr_assert_lt (a.view.n, CLIP_SKETCH_SMALL);
    uint32_t keys [CLIP_SKETCH_SMALL], probes [CLIP_SKETCH_SMALL];
    cr_assert_eq (clip_sketch_keys (&a.view, keys), a.view.n);
    cr_assert_eq (clip_sketch_probes (&a.view, probes), a.view.n);
    for (uint32_t i = 0; i < a.view.n; i++) {
        cr_assert_eq (keys [i], clip_sketch_hash (&a.view, i));
        cr_assert_eq (probes [i], keys [i]);
    }
    sk_free (&a);
}

Test (sketch, version_1_sketches_are_still_read)
{
    /*  Corpora store sketches: one of version 1, with its 128-value MinHash
        block between the count and the hashes, reads as the same set.  */
    sk_t a;
    sk_make (&a, "The quick brown fox jumps over the lazy dog");
    size_t len = a.len + 4 * 128;
    uint8_t *v1 = clip_calloc (1, len);
    memcpy (v1, a.blob, CLIP_SKETCH_HEADER);
    v1 [2] = 1;
    memcpy (v1 + CLIP_SKETCH_HEADER + 4 * 128, (uint8_t *) a.blob + CLIP_SKETCH_HEADER,
            a.len - CLIP_SKETCH_HEADER);
    clip_sketch_view_t view;
    cr_assert_eq (clip_sketch_parse (v1, len, &view), 0);
    cr_assert_eq (view.n, a.view.n);
    for (uint32_t i = 0; i < view.n; i++)
        cr_assert_eq (clip_sketch_hash (&view, i), clip_sketch_hash (&a.view, i));
    /*  Cut short, or of an unknown version: refused.  */
    cr_assert_eq (clip_sketch_parse (v1, len - 4, &view), -1);
    cr_assert_eq (clip_sketch_parse (v1, CLIP_SKETCH_HEADER + 8, &view), -1);
    v1 [2] = 3;
    cr_assert_eq (clip_sketch_parse (v1, len, &view), -1);
    uint8_t *bad = a.blob;
    bad [2] = 9;
    cr_assert_eq (clip_sketch_parse (a.blob, a.len, &view), -1);
    free (v1);
    sk_free (&a);
}

Test (sketch, minus_is_the_set_difference)
{
    const uint32_t a [] = { 1, 3, 5, 7, 9 }, b [] = { 0, 3, 4, 9, 12 };
    uint32_t out [5];
    cr_assert_eq (clip_sketch_minus (a, 5, b, 5, out), 3);
    cr_assert_eq (out [0], 1);
    cr_assert_eq (out [1], 5);
    cr_assert_eq (out [2], 7);
    cr_assert_eq (clip_sketch_minus (a, 5, NULL, 0, out), 5);
    cr_assert_eq (clip_sketch_minus (a, 5, a, 5, out), 0);
    /*  In place: the probes and the rest of a set.  */
    uint32_t set [200], probes [200];
    for (uint32_t i = 0; i < 200; i++)
        set [i] = i * 21474836u;
    size_t np = clip_sketch_probes_of (set, 200, probes);
    size_t no = clip_sketch_minus (set, 200, probes, np, set);
    cr_assert_eq (np + no, 200);
}

/*  A word longer than the splitter's stack buffer (a text without spaces,
    a long URL) moves to the heap: it must hash as the same word written
    in lower case, whether it grows by ASCII bytes or by wider characters,
    and the words around it stay as they were.  */
Test (sketch, words_longer_than_the_stack_buffer)
{
    for (size_t n = 250; n <= 5000; n += 1250) {
        char *mixed = clip_malloc (4 * n + 32), *lower = clip_malloc (4 * n + 32);
        size_t m = 0, l = 0;
        m += (size_t) sprintf (mixed + m, "Alpha ");
        l += (size_t) sprintf (lower + l, "alpha ");
        for (size_t i = 0; i < n; i++) {
            if (i % 3 == 2) {
                /*  É (C3 89) lower-cases to é (C3 A9).  */
                memcpy (mixed + m, "\xc3\x89", 2);
                memcpy (lower + l, "\xc3\xa9", 2);
                m += 2;
                l += 2;
            }
            else {
                mixed [m++] = (char) ('A' + i % 26);
                lower [l++] = (char) ('a' + i % 26);
            }
        }
        m += (size_t) sprintf (mixed + m, " Beta Gamma");
        l += (size_t) sprintf (lower + l, " beta gamma");
        clip_sketch_word_t *wm = NULL, *wl = NULL;
        cr_assert_eq (clip_sketch_words (mixed, m, &wm), 4);
        cr_assert_eq (clip_sketch_words (lower, l, &wl), 4);
        for (size_t i = 0; i < 4; i++)
            cr_assert_eq (wm [i].hash, wl [i].hash, "n %zu: word %zu differs", n, i);
        /*  The hash is XXH3-64 of the lower-cased word's bytes.  */
        size_t lw = l - strlen ("alpha ") - strlen (" beta gamma");
        cr_assert_eq (wl [1].hash, XXH3_64bits (lower + strlen ("alpha "), lw), "n %zu", n);
        cr_assert_eq (wm [1].start, strlen ("Alpha "));
        cr_assert_eq (wm [1].end, m - strlen (" Beta Gamma"));
        /*  And the sketches agree byte for byte.  */
        void *bm, *bl;
        size_t bml, bll;
        cr_assert_eq (clip_sketch_compute (mixed, m, &bm, &bml), 0);
        cr_assert_eq (clip_sketch_compute (lower, l, &bl, &bll), 0);
        cr_assert_eq (bml, bll);
        cr_assert (memcmp (bm, bl, bml) == 0);
        free (bm);
        free (bl);
        free (wm);
        free (wl);
        free (mixed);
        free (lower);
    }
}

/*  The plain merge clip_sketch_compare used before its four-at-a-time
    one: the reference.  */
static uint32_t
common_reference (const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t i = 0, j = 0;
    uint32_t common = 0;
    while (i < na && j < nb) {
        if (a [i] < b [j])
            i++;
        else
        if (b [j] < a [i])
            j++;
        else {
            common++;
            i++;
            j++;
        }
    }
    return common;
}

static uint64_t
rng_next (uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 16;
}

/*  n sorted distinct hashes drawn from [0, range), written as sketch
    bytes at an odd offset (a SQLite blob need not be aligned).  */
static void
random_set (uint64_t *seed, uint32_t *set, size_t *n, uint64_t range, uint64_t base)
{
    for (size_t i = 0; i < *n; i++)
        set [i] = (uint32_t) (base + rng_next (seed) % range);
    clip_sketch_sort_u32 (set, NULL, *n);
    size_t m = 0;
    for (size_t i = 0; i < *n; i++)
        if (m == 0 || set [i] != set [m - 1])
            set [m++] = set [i];
    *n = m;
}

Test (sketch, compare_counts_as_the_plain_merge)
{
    /*  Random sets of every size up to 600 (both block remainders, both
        paths: merge and galloping), drawn from small ranges so that they
        share much, equal last hashes of blocks included, and from the top
        of the 32-bit range (an unsigned order, not a signed one).  */
    uint64_t seed = 12;
    uint32_t *a = clip_malloc (600 * sizeof *a), *b = clip_malloc (600 * sizeof *b);
    uint8_t *ba = clip_malloc (CLIP_SKETCH_HEADER + 4 * 600 + 1);
    uint8_t *bb = clip_malloc (CLIP_SKETCH_HEADER + 4 * 600 + 1);
    for (int trial = 0; trial < 20000; trial++) {
        size_t na = rng_next (&seed) % (trial % 7 == 0 ? 600 : 40);
        size_t nb = rng_next (&seed) % (trial % 5 == 0 ? 600 : 40);
        uint64_t range = 1 + rng_next (&seed) % (trial % 3 == 0 ? 1200 : 80);
        uint64_t base = trial % 4 == 0 ? (uint64_t) UINT32_MAX + 1 - range : 0x7FFFFFF0u;
        if (trial % 4 == 1)
            base = 0;
        random_set (&seed, a, &na, range, base);
        random_set (&seed, b, &nb, range, base);
        void *blob;
        size_t len;
        clip_sketch_wire_encode (a, na, &blob, &len);
        memcpy (ba + 1, blob, len);
        free (blob);
        clip_sketch_view_t va, vb;
        cr_assert_eq (clip_sketch_parse (ba + 1, len, &va), 0);
        clip_sketch_wire_encode (b, nb, &blob, &len);
        memcpy (bb + 1, blob, len);
        free (blob);
        cr_assert_eq (clip_sketch_parse (bb + 1, len, &vb), 0);

        uint32_t want = common_reference (a, na, b, nb), got, back;
        double j, c, j2, c2;
        clip_sketch_compare (&va, &vb, &j, &c, &got);
        clip_sketch_compare (&vb, &va, &j2, &c2, &back);
        cr_assert_eq (got, want, "trial %d: %zu and %zu hashes: %u shared, not %u",
                      trial, na, nb, got, want);
        cr_assert_eq (back, want, "trial %d reversed", trial);
        /*  The scores from the count, as before, bit for bit.  */
        size_t smaller = na < nb ? na : nb;
        double uni = (double) na + (double) nb - want;
        cr_assert (j == (uni > 0 && smaller > 0 ? want / uni : 0.0) && j == j2);
        cr_assert (c == (smaller > 0 ? (double) want / smaller : 0.0) && c == c2);
    }
    free (a);
    free (b);
    free (ba);
    free (bb);
}

static int
cmp_u32 (const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return x < y ? -1 : x > y;
}

/*  The radix sort passes over no byte that is zero in every value: values
    of 1, 2, 3 and 4 bytes, and values with only a high byte set, odd and
    even numbers of passes, with and without scratch, sort as qsort does.  */
Test (sketch, sort_skips_the_bytes_no_value_uses)
{
    static const uint32_t masks [] = { 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF, 0xFF000000, 0x00FF00FF };
    uint64_t seed = 7;
    enum { N = 3000 };
    uint32_t *a = malloc (N * sizeof *a), *b = malloc (N * sizeof *b), *tmp = malloc (N * sizeof *tmp);
    for (size_t m = 0; m < sizeof masks / sizeof masks [0]; m++)
        for (int with_tmp = 0; with_tmp < 2; with_tmp++) {
            for (size_t i = 0; i < N; i++)
                a [i] = b [i] = (uint32_t) rng_next (&seed) & masks [m];
            clip_sketch_sort_u32 (a, with_tmp ? tmp : NULL, N);
            qsort (b, N, sizeof *b, cmp_u32);
            cr_assert_eq (memcmp (a, b, N * sizeof *a), 0, "mask %08x, scratch %d",
                          (unsigned) masks [m], with_tmp);
        }
    free (a);
    free (b);
    free (tmp);
}
