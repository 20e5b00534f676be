/*  clip_clusters: word classes learned from unlabeled news.

    Built by clip_clusters_build (`clip ner clusters DIR...`) from plain-text
    files: every word of the lower-cased text with digits mapped to 0 (so
    that headlines in capitals and numbers share their class) is described by
    the distribution of its left and right neighbours among the most
    frequent words; spherical k-means splits the vocabulary into 16 classes,
    each of those again into 16 and again into 16, giving a three-level
    hierarchy (a path such as 3/7/12) whose prefixes the tagger uses at
    three granularities, as Brown cluster prefixes are used.  Each word also
    gets a capitalisation bucket: how often it was written with a capital
    letter where a sentence does not start, a strong cue for names.

    Seeds come from a fixed-seed generator and files are read in sorted
    order, so the same input gives a byte-identical file.  The file is text,
    one word a line: word TAB path TAB capbucket, path being the three
    levels as one integer 0..4095, and then up to CLIP_CLUSTER_XCOLUMNS
    more columns, each the word's class ("-" for none) by another method,
    exchange clustering of the bigrams (clip_clusters_exchange, `clip ner
    clusters --exchange N`), which groups words by the words before them
    where the path groups them by both neighbours' distributions; one
    column per number of classes, coarse and fine side by side; or
    spherical k-means of word vectors learnt elsewhere from far more text
    (clip_clusters_vectors, `clip ner clusters --vectors FILE --kmeans N`).

    A word the vectors know and the text did not has no path and no bucket
    ("-" in both columns): it is known by its classes alone
    (CLIP_CLUSTER_PATHLESS), and to the features that read the path it is
    as unknown as a word not in the file.
*/
#ifndef CLIP_CLUSTERS_H
#define CLIP_CLUSTERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct clip_clusters clip_clusters_t;

/*  A lookup value: 0 for an unknown word, else CLIP_CLUSTER_KNOWN set with
    the path in the low 12 bits, the capitalisation bucket (0..4, 4 = not
    enough evidence) above, and above that, CLIP_CLUSTER_XBITS bits each, the word's class
    + 1 in each exchange column of the file (0: no such column, or "-").
    CLIP_CLUSTER_PATHLESS: the word has classes but no path nor bucket
    (both 0 then); CLIP_CLUSTER_HAS_PATH tells a word with a path.  */
#define CLIP_CLUSTER_KNOWN (UINT64_C (1) << 63)
#define CLIP_CLUSTER_PATHLESS (UINT64_C (1) << 62)
#define CLIP_CLUSTER_HAS_PATH(v) (((v) & (CLIP_CLUSTER_KNOWN | CLIP_CLUSTER_PATHLESS)) \
                                  == CLIP_CLUSTER_KNOWN)
#define CLIP_CLUSTER_PATH(v) ((uint32_t) (v) & 0xFFFu)
#define CLIP_CLUSTER_CAPB(v) (((uint32_t) (v) >> 12) & 0xFu)
#define CLIP_CLUSTER_XCOLUMNS 4
#define CLIP_CLUSTER_XBITS 11
#define CLIP_CLUSTER_XCLASS(v, i) \
    ((uint32_t) ((v) >> (16 + CLIP_CLUSTER_XBITS * (i))) & ((1u << CLIP_CLUSTER_XBITS) - 1))
#define CLIP_CLUSTER_XCLASS_MAX ((1u << CLIP_CLUSTER_XBITS) - 2)

/*  Load a clusters file; path NULL gives an empty table.  Returns NULL with
    err set on failure.  Caller owns the result.  */
clip_clusters_t *clip_clusters_load (const char *path, char *err, size_t err_size);
void clip_clusters_destroy (clip_clusters_t **self_p);

/*  Number of words in the table.  */
size_t clip_clusters_size (const clip_clusters_t *self);

/*  The lookup key of a word: ASCII lower case, digits as 0.  Writes at most
    size - 1 bytes and a NUL; returns the length.  */
size_t clip_clusters_key (const char *word, size_t len, char *buf, size_t size);

/*  Look up a key made by clip_clusters_key.  */
uint64_t clip_clusters_lookup (const clip_clusters_t *self, const char *key, size_t len);

/*  Building the file is clip_clusters_build.h (the clip_ner_train
    library, which the worker and the daemon do not link).  */

#endif
