/*  clip_sketch: what the near-duplicate search needs to know about an article.

    A worker computes the sketch from the article's normalised text and sends
    the bytes to the daemon, which indexes and verifies them (corpus/).  The
    sketch holds:

      - the set of the article's word 3-shingles as sorted, distinct 32-bit
        hashes: enough to compute Jaccard and containment exactly, up to
        32-bit hash collisions (about one in 4e9 per pair of shingles);
      - nothing else: the index keys and probes are one-permutation MinHash
        values taken from that set, at a resolution that grows with the
        article (corpus/clip_sketch_keys.h), which a fixed-length signature
        cannot do: a fixed 128-value one finds a short article copied into
        one 50 times longer about half of the time.

    Words: the text is split on white space (clip_utf8_is_space, the rule
    the tokenizer and the money/date grammar also follow); every character
    that is not a letter, a mark or a number (clip_utf8_is_word: Unicode
    categories L*, M*, N*) is deleted from a word ("Huawei's" -> "huaweis",
    "U.S." -> "us"; an ignorable U+200B inside a word joins it); letters
    are lower-cased (utf8proc).  A text of one or two words has one shingle made of all its
    words; a text with no word has an empty set.

    The bytes (format and reading) are proto/clip_sketch_wire.h, included
    here; what the corpus index samples from them is
    corpus/clip_sketch_keys.h.
*/
#ifndef CLIP_SKETCH_H
#define CLIP_SKETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clip_sketch_wire.h"

#define CLIP_SKETCH_SHINGLE 3

/*  Compute the sketch of normalised text (any UTF-8; invalid bytes count as
    word separators).  *blob gets a new buffer (caller owns, free()), *blob_len
    its size.  Returns 0 (computing cannot fail short of memory exhaustion).  */
int clip_sketch_compute (const char *normalised, size_t len, void **blob, size_t *blob_len);

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
