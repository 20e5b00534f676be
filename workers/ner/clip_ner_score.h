/*  clip_ner_score: clip_ner_extract scored against hand-labelled articles
    (`clip ner eval --spans | --hashed`, the NER tests).  In the
    clip_ner_train library: the worker and the daemon do not link it.  */
#ifndef CLIP_NER_SCORE_H
#define CLIP_NER_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "clip_codes.h"
#include "clip_ner.h"

/*  Scoring against hand-labelled articles: a label file has one entity a
    line, `start TAB end TAB TYPE TAB text` (byte offsets, end exclusive;
    '#' starts a comment line), and text must equal the article's bytes
    [start, end).  */
typedef struct {
    size_t start, end;
    const char *type;       /* static string, as in clip_ner_entity_t */
} clip_ner_label_t;

/*  Per-type tables are indexed by clip_entity_type_t (clip_codes.h).  */
enum { CLIP_NER_NTYPES = CLIP_ENTITY_TYPE_COUNT };

typedef struct {
    size_t gold [CLIP_NER_NTYPES], found [CLIP_NER_NTYPES], correct [CLIP_NER_NTYPES];
    /*  Canonical names: of the PER / ORG / LOC labels with a canonical
        that were found with their exact span and type, how many, and how
        many got the same canonical name (byte for byte).  */
    size_t canon_gold, canon_right;
} clip_ner_score_spans_t;

/*  Read the labels of one article of len bytes and check each against it.
    Returns 0 with *out (caller owns; free()) and *n set, or -1 with err
    set (unreadable file, bad line, unknown type, text differing from the
    article's bytes, overlapping or unsorted spans).  */
int clip_ner_labels_read (const char *path, const char *text, size_t len,
                          clip_ner_label_t **out, size_t *n,
                          char *err, size_t err_size);

/*  Labels that quote nothing of the article, for text that may not be
    copied into the repository (tests/data/ner-heldout): one entity a line,
    `file TAB start TAB end TAB TYPE TAB xxh64 TAB canonical`, where file is
    a relative path under text_dir (no "..", no leading '/'), the offsets
    are bytes (end exclusive), xxh64 is the 16 hex digits of XXH64 (seed 0)
    of the article's bytes [start, end), and canonical is the expected
    canonical name ("-" for none, as for MONEY DATE PERCENT).  '#' starts a
    comment line.  The lines of one article are consecutive and in text
    order, without overlaps.  */
typedef struct {
    char *file;                 /* as written in the label file */
    char *text;                 /* the article's bytes (NUL-terminated) */
    size_t len;
    clip_ner_label_t *labels;
    char **canonical;           /* per label: the expected canonical name,
                                   or NULL ("-": not scored) */
    size_t n;
} clip_ner_article_t;

/*  Read a hashed label file (at most 16 MB) and each article it names
    from text_dir (at most 64 MB each, all kept in memory).  Returns 0 with *out (caller owns; clip_ner_articles_free) and *n set,
    or -1 with err set, naming the label file's line: unreadable file, bad
    line, unknown type, a span past the article's end, overlapping or
    unsorted spans, an article's lines not together, and a hash that
    differs from the article's bytes (naming the article and offsets).  */
int clip_ner_hashed_read (const char *path, const char *text_dir,
                          clip_ner_article_t **out, size_t *n,
                          char *err, size_t err_size);
void clip_ner_articles_free (clip_ner_article_t **articles_p, size_t n);

/*  Extract the entities of one article and add them to score: an entity
    counts as correct when its span and type both equal a label's; for a
    correct PER / ORG / LOC whose label has a canonical (below), the
    canonical names are compared too.  When errors is not NULL, each
    missed, spurious or wrong span and each wrong canonical name is written
    there, one a line.  Returns 0 or -1 (extraction failed).  */
int clip_ner_score_article (clip_ner_t *self, const char *text, size_t len,
                            const clip_ner_label_t *gold, size_t ngold,
                            clip_ner_score_spans_t *score, FILE *errors);

/*  The same, canonical [i] (NULL: not scored) being the expected canonical
    name of gold [i]; canonical itself may be NULL.  */
int clip_ner_score_article_canonical (clip_ner_t *self, const char *text, size_t len,
                                      const clip_ner_label_t *gold,
                                      char *const *canonical, size_t ngold,
                                      clip_ner_score_spans_t *score, FILE *errors);

/*  Micro-averaged F1 in percent over all seven types.  */
double clip_ner_score_spans_f1 (const clip_ner_score_spans_t *score);

/*  Share of the correctly found PER / ORG / LOC (with a labelled canonical)
    whose canonical name is right, in percent (0 when there are none).  */
double clip_ner_score_spans_canonical (const clip_ner_score_spans_t *score);

/*  When canonical names were scored, the line `canonical <right> of <n>
    <percent>`; then per-type precision, recall, F1, then "all", then the
    line `F1 <percent>`.  */
void clip_ner_score_spans_print (const clip_ner_score_spans_t *score, FILE *out);

#endif
