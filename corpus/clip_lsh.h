/*  clip_lsh: the in-memory candidate index of the corpus.

    What is stored: each article's keys, a sample of its shingle hashes
    (clip_sketch_keys: the minimum of each of ceil (n / 2) hash bins, so
    that every shingle is a key with probability f >= 0.43, whatever the
    article's length).  What is looked up: every shingle of the new
    article, not a sample.  A pair is then a candidate when enough of the
    shingles they share are keys of the stored one: with m shared
    shingles, the number found is binomial (m, f), which depends on the
    containment of the smaller article and not on Jaccard or on how much
    longer the other one is.  That is the point: a short article copied
    into a long one is found as surely as an equal-sized copy.

    Candidate rule: at least two shared keys, or one when either article
    has fewer than CLIP_LSH_FEW shingles.  At containment 0.7 (m >= 0.7 n
    of the smaller article's n shingles) and f >= 0.432 this misses at
    most 1% of pairs once the smaller article has 12 shingles: two hits
    from n = 18 on (m >= 13: P (binomial (13, 0.432) < 2) = 0.0072), one
    hit below (m >= 9: 0.568^9 = 0.0062).  Below 12 shingles (one sentence
    of fewer than 14 words) it misses 0.568^m: 1.1% at 11, 1.9% at 10,
    and 43% for a three-word article.  bench_dedupe prints the measured
    table.

    Memory: ordered linear probing in 64 segments (chosen by the top bits
    of the mixed key), 8-byte slots, each segment kept 60% to 72% full and
    grown by a fifth on its own (one segment's rehash at a time, a
    streaming pass); two bytes per item (its shingle count).  About 72
    keys and 800 to 950 bytes per Reuters-sized article.  A key shared by more than
    max_postings items (boilerplate such as "mln dlrs vs") stops taking new
    items: it finds nothing the other keys do not.

    Items are dense small integers (the corpus row number minus one) chosen by
    the caller.  Not thread-safe; the daemon owns one.
*/
#ifndef CLIP_LSH_H
#define CLIP_LSH_H

#include <stddef.h>
#include <stdint.h>

typedef struct clip_lsh clip_lsh_t;

typedef struct {
    uint32_t item;
    uint32_t hits;          /* keys shared with the query */
} clip_lsh_hit_t;

#define CLIP_LSH_FEW 18
#define CLIP_LSH_MAX_POSTINGS 512

/*  An empty index sized for expected_keys keys (0 for a small default).
    Caller owns the result.  */
clip_lsh_t *clip_lsh_new (size_t expected_keys);
void clip_lsh_destroy (clip_lsh_t **self_p);

/*  Add item, an article of `shingles` shingles, with its keys (at most
    65535 of them).  Items need not be inserted in order, but each at most
    once.  */
void clip_lsh_insert (clip_lsh_t *self, uint32_t item, size_t shingles,
                      const uint32_t *keys, size_t n_keys);

/*  The candidates of an article: the items with which its shingles (all
    of them, distinct) share enough keys by the rule above, most hits
    first.  *hits gets a buffer owned by the index, valid until the next
    call.  Returns the count.  */
size_t clip_lsh_query (clip_lsh_t *self, const uint32_t *shingles, size_t n,
                       const clip_lsh_hit_t **hits);

/*  Items inserted, keys stored, and bytes of memory held.  */
size_t clip_lsh_items (const clip_lsh_t *self);
size_t clip_lsh_keys (const clip_lsh_t *self);
size_t clip_lsh_memory (const clip_lsh_t *self);

#endif
