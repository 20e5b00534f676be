/*  clip_clusters_build: making clusters.tsv (clip_clusters.h) from
    unlabeled text, for `clip ner clusters` and `clip ner names`.  In the
    clip_ner_train library: the worker and the daemon do not link it.  */
#ifndef CLIP_CLUSTERS_BUILD_H
#define CLIP_CLUSTERS_BUILD_H

#include <stddef.h>
#include <stdio.h>

/*  Every regular file under the directories (recursively, symbolic links
    not followed), sorted by path: the order every corpus pass uses so that
    results repeat.  *n gets the count; caller owns the array and strings.  */
char **clip_clusters_files (char *const *dirs, size_t ndirs, size_t *n);

/*  Build the clusters file from every regular file under the directories
    (recursively).  Returns 0 or -1 with err set.  */
int clip_clusters_build (char *const *dirs, size_t ndirs, const char *out_path,
                         FILE *log, char *err, size_t err_size);

/*  Add a fourth column to the clusters file base_path: each word's class
    among nclass (2..CLIP_CLUSTER_XCLASS_MAX) by predictive exchange
    clustering of the bigrams of every regular file under the directories
    (at most `passes` passes over the words), written to out_path (which
    may be base_path).  The base file's classes and buckets are kept as
    they are, so a model trained on them keeps its features.  Returns 0 or
    -1 with err set.  */
int clip_clusters_exchange (char *const *dirs, size_t ndirs, const char *base_path,
                            unsigned nclass, unsigned passes, const char *out_path,
                            FILE *log, char *err, size_t err_size);

/*  Add a column to the clusters file base_path: each word's class among
    nclass (2..CLIP_CLUSTER_XCLASS_MAX) by spherical k-means of word
    vectors (vectors_path: GloVe's text format, a word and its numbers a
    line, most frequent first; the first max_words distinct keys are
    read).  Words of the vectors that the base file lacks are added after
    it with no path and no bucket (clip_clusters.h), "-" in the other
    columns.  Deterministic (a fixed seed); written to out_path, which may
    be base_path.  Returns 0 or -1 with err set.  */
int clip_clusters_vectors (const char *vectors_path, const char *base_path, unsigned nclass,
                           size_t max_words, const char *out_path, FILE *log,
                           char *err, size_t err_size);

#endif
