/*  clip_sketch_keys: the near-duplicate index's sampling rule, part of
    what the corpus stores (corpus_keys, the keys snapshot), so it lives
    beside the code that stores it; CLIP_SKETCH_KEYS_RULE numbers it, and a
    corpus made by another rule is rebuilt (clip_corpus.c).  Reads sketches
    through proto/clip_sketch_wire.h.  */
#ifndef CLIP_SKETCH_KEYS_H
#define CLIP_SKETCH_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "clip_sketch_wire.h"

/*  What the near-duplicate index stores and looks up for a set of n
    shingle hashes (sorted, distinct); clip_lsh.h says why these choices
    make every copy a candidate.

    Keys, stored: every shingle of a small set (n < CLIP_SKETCH_SMALL);
    else the smallest hash of each non-empty bin when the 32-bit hash range
    is cut into R = ceil (n / 2) equal bins (at most CLIP_SKETCH_MAX_KEYS),
    so that a shingle is a key with probability f = (R / n) (1 - exp
    (-n / R)) >= 0.432 for every n up to 2 * CLIP_SKETCH_MAX_KEYS, whatever
    else the article holds.

    Probes, looked up: every shingle of a small set; else the bin minima of
    twice as many bins as the keys' (n or n + 1 up to the cap), so that a
    shingle is a probe with probability >= 0.632, and every key is a probe
    (the smallest of a key bin is the smallest of one of its two halves).

    Both come in increasing order into an array of clip_sketch_keys_max (n)
    values (n, up to twice CLIP_SKETCH_MAX_KEYS); each returns its count (0
    for an empty set).  The rule is part
    of what is stored (corpus_keys, the keys snapshot): CLIP_SKETCH_KEYS_RULE
    says which rule made them.  */
#define CLIP_SKETCH_KEYS_RULE 2
#define CLIP_SKETCH_SMALL 40
#define CLIP_SKETCH_MAX_KEYS 65535
size_t clip_sketch_keys_of (const uint32_t *sorted, size_t n, uint32_t *keys);
size_t clip_sketch_probes_of (const uint32_t *sorted, size_t n, uint32_t *probes);
size_t clip_sketch_keys_max (size_t n);

/*  The members of the sorted set a that are not in the sorted set b, in
    increasing order, into out (room for na values; it may be a itself).
    Returns their count.  The index uses it for an article's shingles that
    are not probes, and those that are not keys (clip_lsh.h).  */
size_t clip_sketch_minus (const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                          uint32_t *out);

/*  The keys and the probes of a parsed sketch, by the rules above.  */
size_t clip_sketch_keys (const clip_sketch_view_t *view, uint32_t *keys);
size_t clip_sketch_probes (const clip_sketch_view_t *view, uint32_t *probes);

#endif
