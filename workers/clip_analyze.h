/*  clip_analyze: everything a worker computes from one article.

    Given the bytes of a file, produces the worker's part of the record (id,
    encoding, title, bytes, file, worker, entities, or an error) and the
    sketch the daemon needs to judge near-duplicates.  The daemon adds seq,
    times and the dedupe verdict.  Used by clip-worker, by `clip analyze` and
    by clipd itself when it seeds the corpus, so that all three agree.

    Entities are capped (clip_analyzer_set_max_entities): a record keeps
    the first ones in text order and says it was cut (entities_truncated),
    so that a pathological article (a sentence repeated for megabytes)
    cannot make a record of tens of megabytes.

    Time and memory are linear in the size of the article: every stage
    (decode, normalise, tokenize, tag, document consistency, the MONEY /
    DATE / PERCENT grammar, linking, sketch, record) does bounded work per
    byte or token; bench/bench_analyze measures it from 1 KB to 10 MB.

    Errors (status "failed", SPEC error codes): "empty" for a file with no
    bytes or only white space, "not_text" for binary data.  Never fails on any
    other input: bytes that are not UTF-8 are read as Windows-1252.
*/
#ifndef CLIP_ANALYZE_H
#define CLIP_ANALYZE_H

#include <stddef.h>

#include "clip_record.h"

typedef struct clip_analyzer clip_analyzer_t;

/*  The default cap on the entities of one record (`clip-worker
    --max-entities`, `clip analyze --max-entities`).  A long news article
    has a few hundred.  */
#define CLIP_ANALYZE_MAX_ENTITIES CLIP_RECORD_MAX_ENTITIES

/*  Create an analyzer.  With a data_dir, loads the NER model and alias table
    from it (failing if they cannot be loaded: a worker without its model
    must not quietly report no entities); with NULL, records carry no
    entities (clipd seeding its corpus needs only ids and sketches).
    worker_name goes into every record ("host:pid").  Returns NULL with err
    set on failure.  Caller owns the result.  */
clip_analyzer_t *clip_analyzer_new (const char *data_dir, const char *worker_name,
                                    char *err, size_t err_size);
void clip_analyzer_destroy (clip_analyzer_t **self_p);

/*  Keep at most max entities per record (the first, in text order), and
    mark a record that had more with entities_truncated.  0 keeps none.
    The default is CLIP_ANALYZE_MAX_ENTITIES.  */
void clip_analyzer_set_max_entities (clip_analyzer_t *self, size_t max);

/*  Analyse one article.  Returns a new record (caller owns) and, when
    sketch is not NULL, a new sketch (caller owns *sketch; NULL for a failed
    article).  */
clip_record_t *clip_analyzer_run (clip_analyzer_t *self, const char *file,
                                  const void *data, size_t len,
                                  void **sketch, size_t *sketch_len);

#endif
