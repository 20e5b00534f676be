/*  clip_conll: CoNLL-2003 files in memory and their scoring (conlleval
    semantics), for training and evaluating the tagger (`clip ner eval
    FILE`, clip_tagger_train); hand-labelled articles made into the same
    training documents (`clip ner train --extra`, `clip ner conll`).  In the clip_ner_train library: the worker
    and the daemon do not link it.  */
#ifndef CLIP_CONLL_H
#define CLIP_CONLL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "clip_tagger.h"

/*  A labelled corpus in memory: documents of sentences of words.  */
typedef struct {
    char *buf;              /* the words' text */
    clip_word_t *words;
    uint8_t *gold;          /* BILOU label per word */
    size_t nwords;
    size_t *sent;           /* first word of each sentence, nsent + 1 entries */
    size_t nsent;
    size_t *doc;            /* first sentence of each document, ndoc + 1 entries */
    size_t ndoc;
} clip_corpus_conll_t;

/*  Read a CoNLL-2003 file (word first column, IOB1 or IOB2 tag last;
    -DOCSTART- lines start documents).  Returns NULL with err set on
    failure.  Caller owns the result.  */
clip_corpus_conll_t *clip_conll_read (const char *path, char *err, size_t err_size);
void clip_conll_destroy (clip_corpus_conll_t **self_p);

/*  What clip_conll_hashed_read did with the labels.  */
typedef struct {
    size_t articles, tokens, sentences;
    size_t spans;           /* PER / ORG / LOC / MISC labels made training spans */
    size_t other;           /* MONEY / DATE / PERCENT labels (left O: the grammar's) */
    size_t unaligned;       /* labels starting or ending inside a token: the
                               tokens they touch take their type whole */
    size_t shared;          /* labels sharing a token with the label before:
                               joined into that label's span and type */
    size_t crossing;        /* labels across a sentence the tagger is given:
                               cut into one span per sentence */
} clip_conll_hashed_stats_t;

/*  Hand-labelled articles as training documents: the hashed labels of
    path (clip_ner_hashed_read, clip_ner_score.h: a label whose hash
    differs from the article's bytes is an error naming the article and
    offsets) over the articles under text_dir, one document per article in
    the label file's order, tokenised and split into sentences exactly as
    clip_ner_extract shows them to the tagger (clip_ner_tagger_word,
    clip_ner_tagger_sentences).  Only PER / ORG / LOC / MISC labels become
    spans; MONEY / DATE / PERCENT are the grammar's and their tokens stay
    O.  A label boundary inside a token (a hyphenated word, "France-Germany")
    extends the label to the whole token, which the tagger sees whole
    and the rules after it cut.  Returns NULL with err set on failure;
    stats (may be NULL) gets the counts above.  Caller owns the result.  */
clip_corpus_conll_t *clip_conll_hashed_read (const char *path, const char *text_dir,
                                             clip_conll_hashed_stats_t *stats,
                                             char *err, size_t err_size);

/*  Write corpus as a CoNLL-2003 file (word TAB IOB2 tag, -DOCSTART- before
    each document, a blank line after each sentence), which clip_conll_read
    reads back to the same words and labels.  Returns 0 or -1 (errno set).  */
int clip_conll_write (const clip_corpus_conll_t *corpus, FILE *out);

/*  Span counts for precision and recall with conlleval semantics.  */
typedef struct {
    size_t gold [CLIP_ENT_NTYPES], pred [CLIP_ENT_NTYPES], correct [CLIP_ENT_NTYPES];
} clip_ner_score_t;

/*  Add one sentence's spans to score.  */
void clip_ner_score_add (clip_ner_score_t *score, const uint8_t *gold,
                         const uint8_t *pred, size_t n);
/*  Overall F1 in percent.  */
double clip_ner_score_f1 (const clip_ner_score_t *score);
/*  The conlleval table: per-type and overall precision, recall and F1 (in
    percent), then the line "F1 <percent>"; nothing printed when out is
    NULL.  Returns the overall F1.  */
double clip_score_table (FILE *out, int ntypes, const char *const *names,
                         const size_t *gold, const size_t *found, const size_t *correct);
/*  Print the per-type table and last "F1 <percent>".  */
void clip_ner_score_print (const clip_ner_score_t *score, FILE *out);

/*  Tag a whole corpus (documents in order) and score it against its gold
    labels.  */
void clip_tagger_eval (const clip_tagger_t *self, const clip_corpus_conll_t *corpus,
                       clip_ner_score_t *score);

#endif
