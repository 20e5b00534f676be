/*  clip_ner: named entities in one article.

    Composes the tokenizer, the trained sequence tagger (PER ORG LOC MISC),
    the deterministic MONEY / DATE / PERCENT grammar (clip_numex) and the
    linker to canonical names (clip_link).  Loaded once per worker process;
    extraction is reentrant for one clip_ner_t per thread.

    Offsets are byte offsets into the UTF-8 text given; the caller maps them
    back to the bytes as received (clip_text_orig_offset).
*/
#ifndef CLIP_NER_H
#define CLIP_NER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct clip_ner clip_ner_t;

typedef struct {
    const char *type;       /* static string: PER ORG LOC MISC MONEY DATE PERCENT */
    size_t start, end;      /* byte offsets into the text, end exclusive */
    char *text;             /* owned copy of text [start, end) */
    char *canonical;        /* owned */
} clip_ner_entity_t;

/*  Load the model and alias table from data_dir (the directory holding
    workers/ner/model and corpus/aliases.tsv, i.e. CLIP_DATADIR).  Returns
    NULL with err set on failure.  Caller owns the result.  */
clip_ner_t *clip_ner_load (const char *data_dir, char *err, size_t err_size);
void clip_ner_destroy (clip_ner_t **self_p);

/*  Extract entities, in text order, without overlaps.  On success *out
    (caller owns; free with clip_ner_entities_free) and *n are set.
    Returns 0 or -1.  */
int clip_ner_extract (clip_ner_t *self, const char *utf8, size_t len,
                      clip_ner_entity_t **out, size_t *n);
void clip_ner_entities_free (clip_ner_entity_t *entities, size_t n);

/*  The same, keeping only the first max entities in text order: names
    after them are not linked, so a document of a million names costs
    little memory.  *truncated (when not NULL) is set when there were
    more.  The canonical names of the ones kept are those of a full
    extraction, except that an acronym defined only after the last one
    kept ("... (NCSC)") is not seen.  */
int clip_ner_extract_max (clip_ner_t *self, const char *utf8, size_t len, size_t max,
                          clip_ner_entity_t **out, size_t *n_out, bool *truncated);

/*  Scoring against hand-labelled articles: a label file has one entity a
    line, `start TAB end TAB TYPE TAB text` (byte offsets, end exclusive;
    '#' starts a comment line), and text must equal the article's bytes
    [start, end).  */
typedef struct {
    size_t start, end;
    const char *type;       /* static string, as in clip_ner_entity_t */
} clip_ner_label_t;

enum { CLIP_NER_NTYPES = 7 };   /* PER ORG LOC MISC MONEY DATE PERCENT */

typedef struct {
    size_t gold [CLIP_NER_NTYPES], found [CLIP_NER_NTYPES], correct [CLIP_NER_NTYPES];
} clip_ner_score_spans_t;

/*  Read the labels of one article of len bytes and check each against it.
    Returns 0 with *out (caller owns; free()) and *n set, or -1 with err
    set (unreadable file, bad line, unknown type, text differing from the
    article's bytes, overlapping or unsorted spans).  */
int clip_ner_labels_read (const char *path, const char *text, size_t len,
                          clip_ner_label_t **out, size_t *n,
                          char *err, size_t err_size);

/*  Extract the entities of one article and add them to score: an entity
    counts as correct when its span and type both equal a label's.  When
    errors is not NULL, each missed or wrong span is written there, one a
    line.  Returns 0 or -1 (extraction failed).  */
int clip_ner_score_article (clip_ner_t *self, const char *text, size_t len,
                            const clip_ner_label_t *gold, size_t ngold,
                            clip_ner_score_spans_t *score, FILE *errors);

/*  Micro-averaged F1 in percent over all seven types.  */
double clip_ner_score_spans_f1 (const clip_ner_score_spans_t *score);

/*  Per-type precision, recall, F1, then "all", then the line `F1 <percent>`.  */
void clip_ner_score_spans_print (const clip_ner_score_spans_t *score, FILE *out);

/*  `clip ner ...` subcommands (train, eval, tag); returns the exit code.  */
int clip_ner_main (int argc, char **argv);

#endif
