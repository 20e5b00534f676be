/*  clip_lsh: the in-memory candidate index of the corpus.

    Banding: one row per band.  An article's keys are the MinHash values of
    its non-empty one-permutation bins (clip_sketch_keys: 128 bins, so at
    most 128 keys, fewer for a short article; a long article of n shingles
    gets the minima of about n/2 finer bins, which include the 128), and two
    articles are candidates when they share at least min_hits keys (2 by
    default, fewer when one of them has fewer keys).  Why single-row bands:
    a key is shared when the smallest hash of a bin of the larger set lies in
    the smaller set, so the recall depends on the containment of the smaller
    set rather than on Jaccard; bands of r rows would need J^r, and J is
    small for short-in-long pairs.  With 128 bins alone, pairs of
    containment 0.7 would be candidates with probability >= 0.99 only up to
    a size ratio of about 13 (expected shared keys ~ C*128/ratio); the finer
    bins of long articles remove that limit (bench_dedupe prints the table).

    Memory: open addressing with linear probing in 64 segments (chosen by the
    top bits of the mixed key), 8-byte slots (key, item), each segment kept
    at most 85% full and grown by a quarter on its own, so that growing
    pauses for one segment's rehash; two bytes per item (its key count).
    A key shared by more than max_postings items (boilerplate such as "mln
    dlrs vs") stops taking new items: it finds nothing the other keys do not.

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

#define CLIP_LSH_MIN_HITS 2
#define CLIP_LSH_MAX_POSTINGS 512

/*  An empty index sized for expected_keys keys (0 for a small default).
    Caller owns the result.  */
clip_lsh_t *clip_lsh_new (size_t expected_keys);
void clip_lsh_destroy (clip_lsh_t **self_p);

/*  Add item with its keys (at most 65535 of them).  Items need not be inserted
    in order, but each at most once.  */
void clip_lsh_insert (clip_lsh_t *self, uint32_t item, const uint32_t *keys, size_t n_keys);

/*  The items sharing at least min (min_hits, n_keys, their own key count)
    keys with the query, most hits first.  *hits gets a buffer owned by the
    index, valid until the next call.  Returns the count.  */
size_t clip_lsh_query (clip_lsh_t *self, const uint32_t *keys, size_t n_keys,
                       uint32_t min_hits, const clip_lsh_hit_t **hits);

/*  Items inserted, keys stored, and bytes of memory held.  */
size_t clip_lsh_items (const clip_lsh_t *self);
size_t clip_lsh_keys (const clip_lsh_t *self);
size_t clip_lsh_memory (const clip_lsh_t *self);

#endif
