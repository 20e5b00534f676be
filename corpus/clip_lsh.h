/*  clip_lsh: the in-memory candidate index of the corpus.

    What is stored is each article's keys, and what is looked up is the new
    article's probes (clip_sketch_keys_of, clip_sketch_probes_of): every
    shingle of an article of fewer than 40 shingles, else a sample chosen
    by the article's own set (bin minima), in which each shingle is a key
    with probability >= 0.432 and a probe with probability >= 0.632.  A
    pair is a candidate when enough of the shingles it shares are a probe
    of the one and a key of the other.  With m shared shingles that count
    is binomial in m: it depends on the containment of the smaller article
    and not on Jaccard or on how much longer the other one is, so a short
    article copied into a long one is found as surely as an equal-sized
    copy.

    Candidate rule: at least two hits, or one when either article has fewer
    than CLIP_LSH_FEW shingles.  Recall at containment 0.7 of the smaller
    article (n shingles, m >= 0.7 n shared):
      - n >= 40: a shared shingle is a hit with probability about
        0.632 * 0.432 = 0.273 (the two samples use different bins), and
        P (binomial (28, 0.273) < 2) = 0.0015;
      - 18 <= n < 40: all of the small article's shingles are keys or
        probes, so hits are at least binomial (m, 0.432): P (binomial (13,
        0.432) < 2) = 0.0072;
      - n < 18: nothing is left to chance, in either order of arrival.
        An item of fewer than CLIP_LSH_FEW shingles has every shingle as
        a key, and a query also looks up its other shingles (those that
        are not probes) in a filter of those items' keys, counting a hit
        for such an item: every shingle of the query meets every key of
        the short item.  The other way round, a short article's shingles
        meet only the long item's keys here; the rest of that item's
        shingles are in the corpus's postings (clip_postings.h), which
        short articles also look up.  By sampling alone one hit
        (0.568^m for m shared shingles) would miss 1.1% at 11 shingles
        and 43% of three-word articles.
    bench_dedupe prints the measured table.

    Memory: ordered linear probing in 64 segments (chosen by the top bits
    of the mixed key), 8-byte slots, each segment kept 60% to 72% full and
    grown by a fifth on its own (one segment's rehash at a time, a
    streaming pass; doubled while under 32 KiB); two bytes per item (its
    shingle count).  About 73 keys and 870 to 975 bytes per Reuters-sized
    article.  A key shared by more than max_postings items (boilerplate
    such as "mln dlrs vs") stops taking new items: it finds nothing the
    other keys do not.

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

/*  Loading an empty index with many items (opening a corpus): between
    these calls, inserts are only collected (8 bytes a key), and
    clip_lsh_load_end sorts each segment's and lays it out in one
    sequential pass, instead of a cache miss per key.  The index must be
    empty at clip_lsh_load_begin; no query in between.  */
void clip_lsh_load_begin (clip_lsh_t *self);
void clip_lsh_load_end (clip_lsh_t *self);

/*  Remove every item, keeping about the room they took: for an index
    that is emptied and filled again (the corpus's staged articles, at
    every commit), so that it does not grow from nothing each time.  Not
    while loading.  */
void clip_lsh_clear (clip_lsh_t *self);

/*  The candidates of an article of `shingles` shingles: the items whose
    keys its probes (distinct) hit often enough by the rule above, most
    hits first.  others are the article's shingles that are not probes
    (clip_sketch_minus; NULL and 0 when there are none or to skip them):
    each that is a key of an item of fewer than CLIP_LSH_FEW shingles is a
    hit too, so that every short item copied into the article is found.
    *hits gets a buffer owned by the index, valid until the next call.
    Returns the count.  */
size_t clip_lsh_query (clip_lsh_t *self, const uint32_t *probes, size_t n_probes,
                       const uint32_t *others, size_t n_others,
                       size_t shingles, const clip_lsh_hit_t **hits);

/*  Items inserted, keys stored, and bytes of memory held.  */
size_t clip_lsh_items (const clip_lsh_t *self);
size_t clip_lsh_keys (const clip_lsh_t *self);
size_t clip_lsh_memory (const clip_lsh_t *self);

#endif
