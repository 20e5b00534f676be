/*  clip_tagger: the learned PER / ORG / LOC / MISC sequence tagger.

    An averaged perceptron over BILOU labels, decoded greedily left to right
    under the BILOU transition constraints.  Features (word, lower-case form,
    shape, prefixes and suffixes, a window of two neighbours, word clusters
    and capitalisation statistics learned from unlabeled news by
    clip_clusters, the two previous labels, headline and sentence-initial
    context, and the document history of each capitalised word) are hashed
    into a fixed table of weight rows, one weight per label: tagging does no
    allocation per token.

    The model directory holds model.bin (the weights, see clip_tagger_save)
    and clusters.tsv (see clip_clusters.h), and may hold model2.bin, an
    optional second pass stacked on the first: it tags the document again
    with the first pass's labels of every mention of a word as features
    (clip_tagger_tag_doc).  A loaded tagger is read-only and
    may be shared by threads; each thread tags with its own clip_tagdoc_t,
    which carries the per-document history and, for the first pass of a
    loaded model, a cache of what each word it has seen adds to the label
    scores by itself and as a neighbour (8192 words, 4.4 MB, made on first
    use; exact, as the weights are integers: the labels are those tagging
    without it gives).
*/
#ifndef CLIP_TAGGER_H
#define CLIP_TAGGER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "clip_clusters.h"
#include "clip_codes.h"

/*  Entity types the tagger labels, in label order: the first four of the
    wire's (clip_codes.h), so that a type is also a clip_entity_type_t.  */
enum {
    CLIP_ENT_PER = CLIP_ENTITY_TYPE_PER,
    CLIP_ENT_ORG = CLIP_ENTITY_TYPE_ORG,
    CLIP_ENT_LOC = CLIP_ENTITY_TYPE_LOC,
    CLIP_ENT_MISC = CLIP_ENTITY_TYPE_MISC,
    CLIP_ENT_NTYPES
};
_Static_assert (CLIP_ENT_PER == 0 && CLIP_ENT_NTYPES == 4, "the tagger's types lead the map");

/*  Labels: 0 is O; then B, I, L, U of each type: label = 1 + 4 * type + pos.  */
#define CLIP_TAG_NLABELS 17
enum { CLIP_POS_B = 0, CLIP_POS_I, CLIP_POS_L, CLIP_POS_U };

static inline int clip_label_type (int label) { return label ? (label - 1) / 4 : -1; }
static inline int clip_label_pos (int label) { return label ? (label - 1) % 4 : -1; }
static inline int clip_label_make (int type, int pos) { return 1 + 4 * type + pos; }

/*  "PER", "ORG", "LOC", "MISC" (static strings).  */
const char *clip_ent_type_name (int type);
/*  The type for a name, or -1.  */
int clip_ent_type_parse (const char *name, size_t len);

typedef struct {
    const char *text;       /* not NUL-terminated */
    uint32_t len;
} clip_word_t;

/*  An entity span over words [start, end) of a sentence.  */
typedef struct {
    uint32_t start, end;
    int type;
} clip_span_t;

/*  Decode labels into spans (an unfinished B/I run ends where it stops).
    spans must have room for n entries; returns the number written.  */
size_t clip_labels_spans (const uint8_t *labels, size_t n, clip_span_t *spans);

/*  Document consistency over the labels of a whole document (words and
    labels of all its sentences in order): a single word of an earlier
    person's full name is that person ("Guo" after "Guo Ping"), and a
    capitalised name the tagger missed somewhere gets the type most of its
    tagged mentions have.  (Forcing every mention of a name to one type was
    measured and lowers CoNLL F1: the same word is often a place in one
    sentence and a team in the next.)  Names longer than 32 words are not
    looked for among the untagged words.  Linear in n: hash tables, no
    comparison of every mention with every other.  */
void clip_tagger_doc_consistency (const clip_word_t *words, uint8_t *labels, size_t n);

typedef struct clip_tagger clip_tagger_t;
typedef struct clip_tagdoc clip_tagdoc_t;

/*  Load model.bin and clusters.tsv from model_dir.  Returns NULL with err
    set on failure.  Caller owns the result.  */
clip_tagger_t *clip_tagger_load (const char *model_dir, char *err, size_t err_size);
void clip_tagger_destroy (clip_tagger_t **self_p);

/*  Add a name (its words, normalised as clip_token_normalise does) of a
    type to the gazetteer of a loaded tagger, before it is shared: a curated
    alias table thus tells the tagger about names the training data never
    had ("Huawei").  */
void clip_tagger_gaz_add (clip_tagger_t *self, int type, const clip_word_t *words, size_t n);

/*  The types the gazetteer of a loaded tagger (gazetteer.tsv and the names
    clip_tagger_gaz_add added; not names.tsv) knows the name words [0, n)
    by, compared in ASCII lower case: a bit 1 << CLIP_ENT_* per type, 0
    when it knows none.  Names are kept as 64-bit hashes: a collision, at
    worst, gives a name the types of another.  */
unsigned clip_tagger_gaz_types (const clip_tagger_t *self, const clip_word_t *words, size_t n);

/*  How often unlabeled news writes word w with a capital where no
    sentence starts (clusters.tsv's bucket, clip_clusters.h): 0 under a
    tenth of the time, 1 under half, 2 under nine tenths, 3 more; -1 when
    the clusters do not know the word or have too little evidence.  */
int clip_tagger_cap_bucket (const clip_tagger_t *self, const clip_word_t *w);

/*  Per-thread tagging state, the history of one document and the word
    cache (above).  Caller owns the result.  */
clip_tagdoc_t *clip_tagdoc_new (void);
void clip_tagdoc_destroy (clip_tagdoc_t **self_p);
/*  Forget the history: the next sentence starts a new document.  */
void clip_tagdoc_reset (clip_tagdoc_t *doc);
/*  Start a new document and let its words [0, n) (all sentences, in order)
    inform the tagging of each: a capitalised word also sees the contexts of
    its other mentions.  Implies clip_tagdoc_reset.  */
void clip_tagdoc_begin (clip_tagdoc_t *doc, const clip_word_t *words, size_t n);

/*  Tag a whole document: its sentences are words [sent [s], sent [s + 1])
    for s < nsent, and their labels go to the same places of labels.
    Begins the document (clip_tagdoc_begin), tags it once, and when the
    model has a second pass (model2.bin) tags it again with the first
    pass's labels of every mention in the document as features.  */
void clip_tagger_tag_doc (const clip_tagger_t *self, clip_tagdoc_t *doc,
                          const clip_word_t *words, const size_t *sent, size_t nsent,
                          uint8_t *labels);

/*  Tag one sentence of words [0, n) into labels [0, n) with the first pass
    only, then record it in the document history.  */
void clip_tagger_tag (const clip_tagger_t *self, clip_tagdoc_t *doc,
                      const clip_word_t *words, size_t n, uint8_t *labels);

/*  Not here, so that the worker and the daemon link none of it: the CoNLL
    reader and scorer are clip_conll.h, training clip_tagger_train.h (the
    clip_ner_train library, linked by the clip tool and the tests).  */

#endif
