/*  Tests for clip_lsh: insert, query with hit counts, growth, boilerplate
    keys, and candidate recall for short-in-long pairs built from real
    sketches.  */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_lsh.h"
#include "clip_sketch.h"
#include "clip_sketch_keys.h"
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
    /*  Articles of 40 shingles: two shared keys make a candidate.  */
    uint32_t a [] = { 10, 20, 30, 40 };
    uint32_t b [] = { 10, 21, 31, 41 };
    uint32_t c [] = { 10, 20, 32, 42 };
    clip_lsh_insert (lsh, 0, 40, a, 4);
    clip_lsh_insert (lsh, 1, 40, b, 4);
    clip_lsh_insert (lsh, 7, 40, c, 4);
    cr_assert_eq (clip_lsh_items (lsh), 3);
    cr_assert_eq (clip_lsh_keys (lsh), 12);

    const clip_lsh_hit_t *hits;
    uint32_t q [CLIP_LSH_FEW] = { 10, 20, 30, 99 };
    for (uint32_t i = 4; i < CLIP_LSH_FEW; i++)
        q [i] = 1000 + i;
    size_t n = clip_lsh_query (lsh, q, CLIP_LSH_FEW, NULL, 0, CLIP_LSH_FEW, &hits);
    /*  a shares 3, c shares 2, b shares only one.  */
    cr_assert_eq (n, 2);
    cr_assert_eq (hits [0].item, 0);
    cr_assert_eq (hits [0].hits, 3);
    cr_assert_eq (hits [1].item, 7);
    cr_assert_eq (hits [1].hits, 2);
    /*  A query of few shingles takes one shared key.  */
    n = clip_lsh_query (lsh, q, 4, NULL, 0, 4, &hits);
    cr_assert_eq (n, 3);
    uint32_t none [] = { 1, 2, 3 };
    cr_assert_eq (clip_lsh_query (lsh, none, 3, NULL, 0, 3, &hits), 0);
    cr_assert_eq (clip_lsh_query (lsh, none, 0, NULL, 0, 0, &hits), 0);
    clip_lsh_destroy (&lsh);
    cr_assert_null (lsh);
}

Test (lsh, short_articles_need_one_hit)
{
    clip_lsh_t *lsh = clip_lsh_new (0);
    uint32_t one [] = { 5 };
    uint32_t many [] = { 5, 6, 7, 8 };
    clip_lsh_insert (lsh, 0, 1, one, 1);
    clip_lsh_insert (lsh, 1, 100, many, 4);
    const clip_lsh_hit_t *hits;
    /*  A one-shingle query finds both; a long one finds the short item
        through one key, the long item only through two.  */
    cr_assert_eq (clip_lsh_query (lsh, one, 1, NULL, 0, 1, &hits), 2);
    uint32_t q [40] = { 5, 100, 101, 102 };
    for (uint32_t i = 4; i < 40; i++)
        q [i] = 1000 + i;
    size_t n = clip_lsh_query (lsh, q, 40, NULL, 0, 40, &hits);
    cr_assert_eq (n, 1);
    cr_assert_eq (hits [0].item, 0);
    q [1] = 6;
    n = clip_lsh_query (lsh, q, 40, NULL, 0, 40, &hits);
    cr_assert_eq (n, 2);
    cr_assert_eq (hits [0].item, 1);
    cr_assert_eq (hits [0].hits, 2);
    clip_lsh_destroy (&lsh);
}

Test (lsh, growth_keeps_everything)
{
    clip_lsh_t *lsh = clip_lsh_new (0);
    uint32_t keys [64];
    for (uint32_t item = 0; item < 20000; item++) {
        for (uint32_t k = 0; k < 64; k++)
            keys [k] = item * 64 + k + 1;
        clip_lsh_insert (lsh, item, 128, keys, 64);
    }
    cr_assert_eq (clip_lsh_keys (lsh), 20000 * 64);
    const clip_lsh_hit_t *hits;
    for (uint32_t item = 0; item < 20000; item += 997) {
        for (uint32_t k = 0; k < 64; k++)
            keys [k] = item * 64 + k + 1;
        size_t n = clip_lsh_query (lsh, keys, 64, NULL, 0, 64, &hits);
        cr_assert_eq (n, 1);
        cr_assert_eq (hits [0].item, item);
        cr_assert_eq (hits [0].hits, 64);
    }
    /*  8-byte slots at least 60% full after growth (and a spill area of
        at most a sixteenth): under a kilobyte for 64 keys an item.  */
    cr_assert_lt (clip_lsh_memory (lsh) / 20000, 64 * 8 * 100 / 60 * 17 / 16 + 16);
    clip_lsh_destroy (&lsh);
}

Test (lsh, same_key_many_items_in_any_order)
{
    /*  Equal keys sit side by side in the ordered table, whatever the order
        of insertion, and every one is found; neighbours of the key are
        not disturbed.  */
    clip_lsh_t *lsh = clip_lsh_new (0);
    for (uint32_t i = 0; i < 300; i++) {
        uint32_t item = (i * 7919u) % 300;
        uint32_t keys [] = { 41, 42, 43 + item };
        clip_lsh_insert (lsh, item, 100, keys, 3);
    }
    const clip_lsh_hit_t *hits;
    uint32_t q [CLIP_LSH_FEW];
    for (uint32_t i = 0; i < CLIP_LSH_FEW; i++)
        q [i] = 5000 + i;
    q [0] = 42;
    q [1] = 43 + 123;
    size_t n = clip_lsh_query (lsh, q, CLIP_LSH_FEW, NULL, 0, CLIP_LSH_FEW, &hits);
    cr_assert_eq (n, 1);
    cr_assert_eq (hits [0].item, 123);
    q [1] = 41;
    n = clip_lsh_query (lsh, q, CLIP_LSH_FEW, NULL, 0, CLIP_LSH_FEW, &hits);
    cr_assert_eq (n, 300);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq (hits [i].hits, 2);
        cr_assert_eq (hits [i].item, i, "sorted by item at equal hits");
    }
    clip_lsh_destroy (&lsh);
}

Test (lsh, boilerplate_keys_are_capped)
{
    clip_lsh_t *lsh = clip_lsh_new (0);
    for (uint32_t item = 0; item < CLIP_LSH_MAX_POSTINGS + 100; item++) {
        uint32_t keys [] = { 777, 100000 + item };
        clip_lsh_insert (lsh, item, 4, keys, 2);
    }
    cr_assert_eq (clip_lsh_keys (lsh), CLIP_LSH_MAX_POSTINGS + CLIP_LSH_MAX_POSTINGS + 100);
    /*  A late item is still found through its own key.  */
    const clip_lsh_hit_t *hits;
    uint32_t item = CLIP_LSH_MAX_POSTINGS + 50;
    uint32_t q [] = { 777, 100000 + item };
    /*  Its boilerplate key was not stored, so it has one hit: and so has
        each of the items that took the boilerplate key.  */
    size_t n = clip_lsh_query (lsh, q, 2, NULL, 0, 2, &hits);
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

/*  The sketch of a text: its probes, its other shingles (others, may be
    NULL) and its keys (arrays of n_max).  Returns the number of
    shingles.  */
static size_t
sketch_of (const char *text, uint32_t *probes, size_t *n_probes, uint32_t *keys, size_t *n_keys,
           uint32_t *others, size_t *n_others, size_t n_max)
{
    void *blob;
    size_t len;
    clip_sketch_compute (text, strlen (text), &blob, &len);
    clip_sketch_view_t v;
    cr_assert_eq (clip_sketch_parse (blob, len, &v), 0);
    cr_assert_leq (v.n, n_max);
    *n_probes = clip_sketch_probes (&v, probes);
    *n_keys = clip_sketch_keys (&v, keys);
    if (others) {
        uint32_t *set = clip_malloc ((v.n + 1) * sizeof *set);
        clip_sketch_hashes (&v, set);
        *n_others = clip_sketch_minus (set, v.n, probes, *n_probes, others);
        free (set);
    }
    size_t n = v.n;
    free (blob);
    return n;
}

/*  A short article whose 70% is copied into a long one, as one passage
    mid-article: the pair must be a candidate whichever came first.  The
    random words come from a fixed seed, so the test is deterministic;
    the probability of a miss is computed in clip_lsh.h.  Returns the
    pairs found in both orders; *short_first (if not NULL) gets those
    found when the short one was stored first.  */
static int
short_in_long_orders (size_t short_words, size_t long_words, int trials, int *short_first)
{
    srandom (42);
    int found = 0, first = 0;
    uint32_t *shortw = clip_malloc (short_words * sizeof (uint32_t));
    uint32_t *longw = clip_malloc (long_words * sizeof (uint32_t));
    uint32_t *ss = clip_malloc (short_words * sizeof (uint32_t));
    uint32_t *sl = clip_malloc (long_words * sizeof (uint32_t));
    uint32_t *ol = clip_malloc (long_words * sizeof (uint32_t));
    uint32_t *ks = clip_malloc (short_words * sizeof (uint32_t));
    uint32_t *kl = clip_malloc (long_words * sizeof (uint32_t));
    for (int t = 0; t < trials; t++) {
        for (size_t i = 0; i < short_words; i++)
            shortw [i] = (uint32_t) random ();
        for (size_t i = 0; i < long_words; i++)
            longw [i] = (uint32_t) random ();
        /*  The shingles of the copied words, and none across its ends.  */
        size_t copied = (size_t) ((double) (short_words - 2) * 0.7 + 0.999) + 2;
        memcpy (longw + long_words / 2, shortw, copied * sizeof (uint32_t));
        char *s = text_of (shortw, short_words), *l = text_of (longw, long_words);
        size_t nks, nkl, nps, npl, nol;
        size_t ns = sketch_of (s, ss, &nps, ks, &nks, NULL, NULL, short_words);
        size_t nl = sketch_of (l, sl, &npl, kl, &nkl, ol, &nol, long_words);
        clip_lsh_t *lsh = clip_lsh_new (0);
        clip_lsh_insert (lsh, 0, nl, kl, nkl);
        const clip_lsh_hit_t *hits;
        size_t n = clip_lsh_query (lsh, ss, nps, NULL, 0, ns, &hits);
        bool a = has_item (hits, n, 0, NULL);
        clip_lsh_destroy (&lsh);
        lsh = clip_lsh_new (0);
        clip_lsh_insert (lsh, 1, ns, ks, nks);
        n = clip_lsh_query (lsh, sl, npl, ol, nol, nl, &hits);
        bool b = has_item (hits, n, 1, NULL);
        found += a && b;
        first += b;
        clip_lsh_destroy (&lsh);
        free (s);
        free (l);
    }
    free (shortw);
    free (longw);
    free (ss);
    free (sl);
    free (ol);
    free (ks);
    free (kl);
    if (short_first)
        *short_first = first;
    return found;
}

static int
short_in_long (size_t short_words, size_t long_words, int trials)
{
    return short_in_long_orders (short_words, long_words, trials, NULL);
}

Test (lsh, short_stored_first_is_always_found)
{
    /*  Every shingle of a short item is a key, and a long article looks up
        those of its shingles that are not probes where the short items'
        bitmap says so: nothing is left to chance, down to one shingle.  */
    const size_t words [] = { 3, 4, 5, 8, 12, 16, 19 };
    for (size_t w = 0; w < sizeof words / sizeof words [0]; w++) {
        int first;
        short_in_long_orders (words [w], 1500, 100, &first);
        cr_assert_eq (first, 100, "%zu words in 1,500: found %d of 100", words [w], first);
    }
}

Test (lsh, others_count_only_for_short_items)
{
    /*  A long item shares one non-probe shingle with the query: no hit
        (two probes are needed between long articles); a short item
        sharing it is a candidate.  */
    clip_lsh_t *lsh = clip_lsh_new (0);
    uint32_t long_keys [40], short_keys [3] = { 7, 8, 9 };
    for (uint32_t k = 0; k < 40; k++)
        long_keys [k] = 1000 + k;
    clip_lsh_insert (lsh, 0, 80, long_keys, 40);
    clip_lsh_insert (lsh, 1, 3, short_keys, 3);
    uint32_t probes [2] = { 5, 6 }, others [3] = { 8, 1000, 1001 };
    const clip_lsh_hit_t *hits;
    size_t n = clip_lsh_query (lsh, probes, 2, others, 3, 100, &hits);
    cr_assert_eq (n, 1);
    cr_assert_eq (hits [0].item, 1);
    cr_assert_eq (hits [0].hits, 1);
    clip_lsh_destroy (&lsh);
}

Test (lsh, short_in_long_recall)
{
    /*  60 words in 600 (sampled probes and keys on both sides), 30 words in
        3,000 (every shingle of the short one), and 20 words (18 shingles,
        two hits needed) in 2,000.  */
    int found = short_in_long (60, 600, 200);
    cr_assert_geq (found, 198, "found %d of 200", found);
    found = short_in_long (30, 3000, 200);
    cr_assert_geq (found, 198, "found %d of 200", found);
    found = short_in_long (20, 2000, 200);
    cr_assert_geq (found, 196, "found %d of 200", found);
}

Test (lsh, headline_in_long_recall)
{
    /*  A headline of 14 words (12 shingles) with 70% of it in an article
        of 5,000 words: found 99% of the time or more (the bound is
        0.568^9).  */
    int found = short_in_long (14, 5000, 300);
    cr_assert_geq (found, 294, "found %d of 300", found);
}

Test (lsh, loading_gives_the_same_index)
{
    /*  The same items inserted one by one and loaded in bulk (with keys
        shared by more than CLIP_LSH_MAX_POSTINGS items, and more keys than
        the index was sized for): the same keys are stored and every query
        gives the same candidates with the same hits.  */
    clip_lsh_t *one = clip_lsh_new (1000), *bulk = clip_lsh_new (1000);
    clip_lsh_load_begin (bulk);
    uint64_t rng = 1;
    uint32_t keys [40];
    for (uint32_t item = 0; item < 3000; item++) {
        for (size_t k = 0; k < 40; k++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            /*  A few keys are common to many items.  */
            keys [k] = k < 2 ? (uint32_t) (rng >> 61) : (uint32_t) (rng >> 40) % 50000;
        }
        clip_sketch_sort_u32 (keys, NULL, 40);
        size_t n = 0;
        for (size_t k = 0; k < 40; k++)
            if (n == 0 || keys [k] != keys [n - 1])
                keys [n++] = keys [k];
        clip_lsh_insert (one, item, 80, keys, n);
        clip_lsh_insert (bulk, item, 80, keys, n);
    }
    clip_lsh_load_end (bulk);
    cr_assert_eq (clip_lsh_keys (bulk), clip_lsh_keys (one));
    cr_assert_eq (clip_lsh_items (bulk), 3000);
    for (uint32_t probe = 0; probe < 50000; probe += 37) {
        uint32_t q [CLIP_LSH_FEW];
        for (uint32_t i = 0; i < CLIP_LSH_FEW; i++)
            q [i] = (probe + i * 101) % 50000;
        q [0] = probe % 8;
        const clip_lsh_hit_t *h1, *h2;
        size_t n1 = clip_lsh_query (one, q, CLIP_LSH_FEW, NULL, 0, CLIP_LSH_FEW, &h1);
        clip_lsh_hit_t *copy = clip_malloc ((n1 + 1) * sizeof *copy);
        memcpy (copy, h1, n1 * sizeof *copy);
        size_t n2 = clip_lsh_query (bulk, q, CLIP_LSH_FEW, NULL, 0, CLIP_LSH_FEW, &h2);
        cr_assert_eq (n2, n1, "probe %u", probe);
        for (size_t i = 0; i < n1; i++) {
            cr_assert_eq (h2 [i].item, copy [i].item);
            cr_assert_eq (h2 [i].hits, copy [i].hits);
        }
        free (copy);
    }
    /*  After loading, the index takes inserts as usual.  */
    uint32_t late [] = { 4000001, 4000002 };
    clip_lsh_insert (bulk, 3000, 2, late, 2);
    const clip_lsh_hit_t *h;
    cr_assert_eq (clip_lsh_query (bulk, late, 2, NULL, 0, 2, &h), 1);
    cr_assert_eq (h [0].item, 3000);
    clip_lsh_destroy (&one);
    clip_lsh_destroy (&bulk);
}

Test (lsh, every_key_is_found_after_growing)
{
    /*  From the smallest table to a few hundred thousand keys: every
        segment grows many times, each growth moving its slots in place.  */
    clip_lsh_t *lsh = clip_lsh_new (0);
    enum { ITEMS = 6000, KEYS = 50 };
    uint64_t s = 99;
    uint32_t keys [KEYS];
    for (uint32_t i = 0; i < ITEMS; i++) {
        for (int k = 0; k < KEYS; k++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            keys [k] = (uint32_t) (s >> 32);
        }
        clip_lsh_insert (lsh, i, 200, keys, KEYS);
    }
    cr_assert_eq (clip_lsh_keys (lsh), ITEMS * KEYS);
    s = 99;
    for (uint32_t i = 0; i < ITEMS; i++) {
        for (int k = 0; k < KEYS; k++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            keys [k] = (uint32_t) (s >> 32);
        }
        const clip_lsh_hit_t *hits;
        size_t n = clip_lsh_query (lsh, keys, KEYS, NULL, 0, 200, &hits);
        cr_assert_geq (n, 1);
        cr_assert_eq (hits [0].item, i);
        cr_assert_eq (hits [0].hits, KEYS);
    }
    clip_lsh_destroy (&lsh);
}

Test (lsh, clear_forgets_everything_and_keeps_room_for_a_while)
{
    /*  As the corpus's index of staged articles is used: filled with a
        batch, emptied at the commit, filled again with items numbered
        from 0.  */
    clip_lsh_t *lsh = clip_lsh_new (0);
    uint32_t keys [64];
    const clip_lsh_hit_t *hits;
    for (uint32_t item = 0; item < 3000; item++) {
        for (uint32_t k = 0; k < 64; k++)
            keys [k] = item * 64 + k + 1;
        clip_lsh_insert (lsh, item, 128, keys, 64);
    }
    uint32_t few [] = { 7000001, 7000002, 7000003 };
    clip_lsh_insert (lsh, 3000, 3, few, 3);
    size_t big = clip_lsh_memory (lsh);
    clip_lsh_clear (lsh);
    cr_assert_eq (clip_lsh_items (lsh), 0);
    cr_assert_eq (clip_lsh_keys (lsh), 0);
    /*  Nothing is found, neither by its keys nor, for the short item, by
        the other shingles of a query (its filter is emptied too).  */
    for (uint32_t item = 0; item < 3000; item += 101) {
        for (uint32_t k = 0; k < 64; k++)
            keys [k] = item * 64 + k + 1;
        cr_assert_eq (clip_lsh_query (lsh, keys, 64, NULL, 0, 64, &hits), 0);
    }
    uint32_t probe [] = { 1 };
    cr_assert_eq (clip_lsh_query (lsh, probe, 1, few, 3, 100, &hits), 0);
    /*  The room stays for a batch of the same size.  */
    cr_assert_geq (clip_lsh_memory (lsh), big * 9 / 10);

    /*  Small batches after it: the room shrinks (not at once), and every
        batch finds exactly its own items, numbered from 0 again.  */
    for (int batch = 0; batch < 20; batch++) {
        for (uint32_t item = 0; item < 5; item++) {
            for (uint32_t k = 0; k < 64; k++)
                keys [k] = (uint32_t) batch * 100000 + item * 64 + k + 1;
            clip_lsh_insert (lsh, item, 128, keys, 64);
        }
        cr_assert_eq (clip_lsh_items (lsh), 5);
        cr_assert_eq (clip_lsh_keys (lsh), 5 * 64);
        for (uint32_t item = 0; item < 5; item++) {
            for (uint32_t k = 0; k < 64; k++)
                keys [k] = (uint32_t) batch * 100000 + item * 64 + k + 1;
            size_t n = clip_lsh_query (lsh, keys, 64, NULL, 0, 64, &hits);
            cr_assert_eq (n, 1, "batch %d item %u: %zu candidates", batch, item, n);
            cr_assert_eq (hits [0].item, item);
            cr_assert_eq (hits [0].hits, 64);
        }
        clip_lsh_clear (lsh);
    }
    cr_assert_lt (clip_lsh_memory (lsh), big / 8);
    clip_lsh_destroy (&lsh);
}

Test (lsh, many_candidates_of_large_item_numbers_are_all_counted)
{
    /*  A query's items are counted by sorting them, skipping the bytes
        that are zero in all of them: items below 256 (one byte sorted),
        65,536 (two), 2^24 (three) and above (four), more than 64 of them
        (not an insertion sort), each to be found with its exact count.  */
    const uint32_t ranges [] = { 200, 60000, 6600000, 23300000 };
    for (size_t r = 0; r < sizeof ranges / sizeof ranges [0]; r++) {
        clip_lsh_t *lsh = clip_lsh_new (0);
        uint32_t items [100];
        for (uint32_t i = 0; i < 100; i++) {
            /*  In no order; the larger ones sharing their low 16 bits
                with others, which only the passes over the high bytes
                tell apart.  */
            uint32_t spread = (i * 37) % 100;
            items [i] = r == 0 ? spread * 2 : r == 1 ? spread * 600
                      : r == 2 ? spread << 16 | i % 7 : 1u << 24 | spread << 16 | i % 7;
            cr_assert_lt (items [i], ranges [r]);
            /*  Three keys every item has, and one or two of its own.  */
            uint32_t keys [] = { 1, 2, 3, 1000 + i, 2000 + i };
            clip_lsh_insert (lsh, items [i], 40, keys, i % 2 ? 5 : 4);
        }
        const clip_lsh_hit_t *hits;
        uint32_t q [40] = { 1, 2, 3 };
        for (uint32_t i = 3; i < 40; i++)
            q [i] = 1000 + (i - 3) * 2;     /* own keys of items 0, 2, 4, ... */
        size_t n = clip_lsh_query (lsh, q, 40, NULL, 0, 40, &hits);
        cr_assert_eq (n, 100, "range %u: %zu candidates", ranges [r], n);
        for (uint32_t i = 0; i < 100; i++) {
            uint32_t count = 0;
            cr_assert (has_item (hits, n, items [i], &count), "range %u: item %u missing",
                       ranges [r], items [i]);
            cr_assert_eq (count, i % 2 == 0 && i < 74 ? 4u : 3u, "range %u: item %u",
                          ranges [r], items [i]);
        }
        /*  Most hits first, then by item.  */
        for (size_t k = 1; k < n; k++)
            cr_assert (hits [k - 1].hits > hits [k].hits
                    || (hits [k - 1].hits == hits [k].hits && hits [k - 1].item < hits [k].item));
        clip_lsh_destroy (&lsh);
    }
}
