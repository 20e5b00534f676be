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

#include <stddef.h>

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

/*  `clip ner ...` subcommands (train, eval, tag); returns the exit code.  */
int clip_ner_main (int argc, char **argv);

#endif
