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

#include "clip_token.h"

typedef struct clip_ner clip_ner_t;

typedef struct {
    const char *type;       /* static string: PER ORG LOC MISC MONEY DATE PERCENT */
    size_t start, end;      /* byte offsets into the text, end exclusive */
    char *text;             /* owned copy of text [start, end) */
    char *canonical;        /* owned */
} clip_ner_entity_t;

/*  Load the model and alias table from data_dir, an installed share/clipd
    or a source tree (clip_datadir.h maps either).  Returns
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

/*  Scoring against hand-labelled articles is clip_ner_score.h.  */

/*  For `clip ner names`, which counts the names a model finds in unlabeled
    text: a clip_ner_t with only the tagger of model_dir (no alias table,
    no linker; clip_ner_extract is not to be called on it).  Returns NULL
    with err set on failure.  Caller owns the result (clip_ner_destroy).  */
clip_ner_t *clip_ner_load_tagger (const char *model_dir, char *err, size_t err_size);

enum { CLIP_NER_NAME_MAX_WORDS = 6 };

/*  Called with a name's words (ASCII lower-cased, joined by one space; a
    NUL-terminated string valid during the call) and its tagger type
    (CLIP_ENT_PER ... CLIP_ENT_MISC, clip_tagger.h).  */
typedef void (clip_ner_name_fn) (const char *key, int type, void *arg);

/*  Tag one text with the tagger alone (names trimmed, cut and joined as
    for extraction, a piece of a word such as "France" of "France-Germany"
    left out; no MONEY / DATE / PERCENT, no linking) and call fn for each
    name of at most CLIP_NER_NAME_MAX_WORDS words, in text order.  Returns the number
    of tokens of the text.  */
size_t clip_ner_names_each (clip_ner_t *self, const char *utf8, size_t len,
                            clip_ner_name_fn *fn, void *arg);

/*  The document as clip_ner_extract shows it to the tagger, for training
    on labelled articles (clip_conll_hashed_read) with exactly the words
    and sentences the tagger will see.  clip_ner_tagger_word writes token
    i of toks (clip_tokenize of utf8) as the tagger sees it into buf
    (room for CLIP_NER_WORD_MAX bytes; NUL-terminated): normalised
    (clip_token_normalise), "Ltd." as "Ltd", "US" as "U.S.", a
    capitalised "Government" inside a sentence in lower case.  Returns its
    length.  clip_ner_tagger_sentences writes the first token of each
    sentence the tagger is given (a long one is cut in pieces), then
    toks->n, into sents (room for toks->n + 1 entries; toks->n may be 0)
    and returns the number of sentences (at least 1).  */
enum { CLIP_NER_WORD_MAX = 64 };
size_t clip_ner_tagger_word (const char *utf8, const clip_tokens_t *toks, size_t i, char *buf);
size_t clip_ner_tagger_sentences (const clip_tokens_t *toks, size_t *sents);

#endif
