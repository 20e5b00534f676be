/*  clip_sketch: what the near-duplicate search needs to know about an article.

    A worker computes the sketch from the article's normalised text and sends
    the bytes to the daemon, which indexes and verifies them (corpus/).  The
    sketch holds:

      - the set of the article's word 3-shingles as sorted, distinct 32-bit
        hashes: enough to compute Jaccard and containment exactly, up to
        32-bit hash collisions (about one in 4e9 per pair of shingles);
      - nothing else: the index keys and probes are one-permutation MinHash
        values taken from that set, at a resolution that grows with the
        article (clip_sketch_keys_of below), which a fixed-length signature
        cannot do: a fixed 128-value one finds a short article copied into
        one 50 times longer about half of the time.

    Words: the text is split on white space; every character that is not a
    letter, a mark or a number (Unicode categories L*, M*, N*) is deleted from
    a word ("Huawei's" -> "huaweis", "U.S." -> "us"); letters are lower-cased
    (utf8proc).  A text of one or two words has one shingle made of all its
    words; a text with no word has an empty set.

    Format (all integers little-endian), version 2:
        "CS" version(u8) reserved(u8) n(u32) hashes[n](u32)
    Version 1 (before 2026-11-23) had a 128-value MinHash signature between
    n and the hashes; it is still read (corpora store sketches).
*/
#ifndef CLIP_SKETCH_H
#define CLIP_SKETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLIP_SKETCH_SHINGLE 3
#define CLIP_SKETCH_HEADER 8

/*  Compute the sketch of normalised text (any UTF-8; invalid bytes count as
    word separators).  *blob gets a new buffer (caller owns, free()), *blob_len
    its size.  Returns 0 (computing cannot fail short of memory exhaustion).  */
int clip_sketch_compute (const char *normalised, size_t len, void **blob, size_t *blob_len);

/*  A parsed, borrowed view of sketch bytes (which may be unaligned, e.g. a
    SQLite blob); valid while the bytes are.  */
typedef struct {
    uint32_t n;                 /* distinct shingles */
    const uint8_t *hashes;      /* n sorted little-endian u32 */
} clip_sketch_view_t;

/*  Check the bytes and fill view.  Returns 0, or -1 when they are not a
    well-formed sketch.  */
int clip_sketch_parse (const void *blob, size_t len, clip_sketch_view_t *view);
/*  clip_sketch_parse, and also check that the hashes are strictly
    increasing, as every comparison and lookup assumes: for sketches that
    come from outside (a worker's RESULT), once, before they are judged or
    stored.  Sketches read back from the database were checked on the way
    in, so they skip this O(n) pass.  Returns 0 or -1.  */
int clip_sketch_parse_checked (const void *blob, size_t len, clip_sketch_view_t *view);

uint32_t clip_sketch_hash (const clip_sketch_view_t *view, size_t i);

/*  Exact Jaccard and containment (shared shingles over the smaller set) of
    two sketches, by merging their sorted sets.  Both are 0 when either set is
    empty.  *shared (if not NULL) gets the number of shared shingles.  */
void clip_sketch_compare (const clip_sketch_view_t *a, const clip_sketch_view_t *b,
                          double *jaccard, double *containment, uint32_t *shared);

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

/*  The sketch's shingle hashes, in increasing order, into out (which holds
    view->n values).  */
void clip_sketch_hashes (const clip_sketch_view_t *view, uint32_t *out);

/*  Sort n values ascending: insertion sort when short, else an LSD radix
    sort (a qsort call per comparison would cost more than the rest of a
    sketch).  tmp holds n values of scratch, or is NULL to allocate it.  */
void clip_sketch_sort_u32 (uint32_t *a, uint32_t *tmp, size_t n);

/*  One word of a text, for callers that need positions (explain).  */
typedef struct {
    size_t start;               /* byte offset of its first character */
    size_t end;                 /* byte offset after its last character */
    uint64_t hash;              /* hash of the lower-cased, stripped word */
} clip_sketch_word_t;

/*  Split text into words as the sketch does.  *words gets a new array
    (caller owns, free(); NULL when there is no word).  Returns the count.  */
size_t clip_sketch_words (const char *text, size_t len, clip_sketch_word_t **words);

/*  The 32-bit hash of the shingle made of n words starting at words (n is
    CLIP_SKETCH_SHINGLE, or fewer for a text that short); the value that goes
    into the sketch's set.  */
uint32_t clip_sketch_shingle (const clip_sketch_word_t *words, size_t n);

#endif
