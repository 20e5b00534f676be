/*  Tests for clip_lsh: insert, query with hit counts, growth, boilerplate
    keys, and candidate recall for short-in-long pairs built from real
    sketches.  */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_lsh.h"
#include "clip_sketch.h"
#include "clip_util.h"

static bool
has_item (const clip_lsh_hit_t *hits, size_t n, uint32_t item, uint32_t *count)
{
    for (size_t i = 0; i < n; i++)
        if (hits [i].item == item) {
            if (count)
                *count = hits [i].hits;
            return true;
        }
    return false;
}

Test (lsh, finds_items_sharing_two_keys)
{
    clip_lsh_t *lsh = clip_lsh_new (0);
    uint32_t a [] = { 10, 20, 30, 40 };
    uint32_t b [] = { 10, 21, 31, 41 };
    uint32_t c [] = { 10, 20, 32, 42 };
    clip_lsh_insert (lsh, 0, a, 4);
    clip_lsh_insert (lsh, 1, b, 4);
    clip_lsh_insert (lsh, 7, c, 4);
    cr_assert_eq (clip_lsh_items (lsh), 3);
    cr_assert_eq (clip_lsh_keys (lsh), 12);

    const clip_lsh_hit_t *hits;
    uint32_t q [] = { 10, 20, 30, 99 };
    size_t n = clip_lsh_query (lsh, q, 4, 2, &hits);
    /*  a shares 3, c shares 2, b shares only one.  */
    cr_assert_eq (n, 2);
    cr_assert_eq (hits [0].item, 0);
    cr_assert_eq (hits [0].hits, 3);
    cr_assert_eq (hits [1].item, 7);
    cr_assert_eq (hits [1].hits, 2);
    n = clip_lsh_query (lsh, q, 4, 1, &hits);
    cr_assert_eq (n, 3);
    uint32_t none [] = { 1, 2, 3 };
    cr_assert_eq (clip_lsh_query (lsh, none, 3, 2, &hits), 0);
    cr_assert_eq (clip_lsh_query (lsh, none, 0, 2, &hits), 0);
    clip_lsh_destroy (&lsh);
    cr_assert_null (lsh);
}

Test (lsh, short_articles_need_fewer_hits)
{
    clip_lsh_t *lsh = clip_lsh_new (0);
    uint32_t one [] = { 5 };
    uint32_t many [] = { 5, 6, 7, 8 };
    clip_lsh_insert (lsh, 0, one, 1);
    clip_lsh_insert (lsh, 1, many, 4);
    const clip_lsh_hit_t *hits;
    /*  A one-key query finds both; a long query finds the one-key item.  */
    cr_assert_eq (clip_lsh_query (lsh, one, 1, 2, &hits), 2);
    uint32_t q [] = { 5, 100, 101, 102 };
    size_t n = clip_lsh_query (lsh, q, 4, 2, &hits);
    cr_assert_eq (n, 1);
    cr_assert_eq (hits [0].item, 0);
    clip_lsh_destroy (&lsh);
}

Test (lsh, growth_keeps_everything)
{
    clip_lsh_t *lsh = clip_lsh_new (0);
    uint32_t keys [64];
    for (uint32_t item = 0; item < 20000; item++) {
        for (uint32_t k = 0; k < 64; k++)
            keys [k] = item * 64 + k + 1;
        clip_lsh_insert (lsh, item, keys, 64);
    }
    cr_assert_eq (clip_lsh_keys (lsh), 20000 * 64);
    const clip_lsh_hit_t *hits;
    for (uint32_t item = 0; item < 20000; item += 997) {
        for (uint32_t k = 0; k < 64; k++)
            keys [k] = item * 64 + k + 1;
        size_t n = clip_lsh_query (lsh, keys, 64, 2, &hits);
        cr_assert_eq (n, 1);
        cr_assert_eq (hits [0].item, item);
        cr_assert_eq (hits [0].hits, 64);
    }
    /*  Slots are 8 bytes at most 85% full after growth by half: well under
        a kilobyte for 64 keys an item.  */
    cr_assert_lt (clip_lsh_memory (lsh) / 20000, 64 * 8 * 2);
    clip_lsh_destroy (&lsh);
}

Test (lsh, boilerplate_keys_are_capped)
{
    clip_lsh_t *lsh = clip_lsh_new (0);
    for (uint32_t item = 0; item < CLIP_LSH_MAX_POSTINGS + 100; item++) {
        uint32_t keys [] = { 777, 100000 + item };
        clip_lsh_insert (lsh, item, keys, 2);
    }
    cr_assert_eq (clip_lsh_keys (lsh), CLIP_LSH_MAX_POSTINGS + CLIP_LSH_MAX_POSTINGS + 100);
    /*  A late item is still found through its own key.  */
    const clip_lsh_hit_t *hits;
    uint32_t item = CLIP_LSH_MAX_POSTINGS + 50;
    uint32_t q [] = { 777, 100000 + item };
    /*  Its boilerplate key was not stored, so it has one hit: and so has
        each of the items that took the boilerplate key.  */
    size_t n = clip_lsh_query (lsh, q, 2, 2, &hits);
    cr_assert_eq (n, 0, "n %zu", n);
    n = clip_lsh_query (lsh, q, 2, 1, &hits);
    cr_assert_eq (n, CLIP_LSH_MAX_POSTINGS + 1, "n %zu", n);
    uint32_t count = 0;
    cr_assert (has_item (hits, n, item, &count));
    cr_assert_eq (count, 1);
    clip_lsh_destroy (&lsh);
}

/*  Words w0..w(n-1) of a deterministic vocabulary, as text.  */
static char *
text_of (const uint32_t *words, size_t n)
{
    char *s = clip_malloc (n * 12 + 1);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t) sprintf (s + len, "w%u ", words [i]);
    s [len] = 0;
    return s;
}

static size_t
keys_of (const char *text, uint32_t *keys)
{
    void *blob;
    size_t len;
    clip_sketch_compute (text, strlen (text), &blob, &len);
    clip_sketch_view_t v;
    cr_assert_eq (clip_sketch_parse (blob, len, &v), 0);
    size_t n = clip_sketch_keys (&v, keys);
    free (blob);
    return n;
}

Test (lsh, short_in_long_recall)
{
    /*  A short article (60 words) whose 70% is copied into a long one ten
        times its size: the pair must be a candidate.  The random numbers
        come from a fixed seed, so the test is deterministic.  */
    srandom (42);
    int found = 0, trials = 200;
    for (int t = 0; t < trials; t++) {
        uint32_t shortw [60], longw [600];
        for (int i = 0; i < 60; i++)
            shortw [i] = (uint32_t) random ();
        for (int i = 0; i < 600; i++)
            longw [i] = (uint32_t) random ();
        /*  Copy the first 42 words as one passage, mid-article.  */
        memcpy (longw + 300, shortw, 42 * sizeof (uint32_t));
        char *s = text_of (shortw, 60), *l = text_of (longw, 600);
        uint32_t ks [CLIP_SKETCH_MAX_KEYS], kl [CLIP_SKETCH_MAX_KEYS];
        size_t ns = keys_of (s, ks), nl = keys_of (l, kl);
        clip_lsh_t *lsh = clip_lsh_new (0);
        /*  Both directions: the long one indexed, then the short one.  */
        clip_lsh_insert (lsh, 0, kl, nl);
        const clip_lsh_hit_t *hits;
        size_t n = clip_lsh_query (lsh, ks, ns, CLIP_LSH_MIN_HITS, &hits);
        bool a = has_item (hits, n, 0, NULL);
        clip_lsh_insert (lsh, 1, ks, ns);
        n = clip_lsh_query (lsh, kl, nl, CLIP_LSH_MIN_HITS, &hits);
        bool b = has_item (hits, n, 1, NULL);
        found += a && b;
        clip_lsh_destroy (&lsh);
        free (s);
        free (l);
    }
    cr_assert_geq (found, trials * 97 / 100, "found %d of %d", found, trials);
}
