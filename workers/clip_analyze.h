/*  clip_analyze: everything a worker computes from one article.

    Given the bytes of a file, produces the worker's part of the record (id,
    encoding, title, bytes, file, worker, entities, or an error) and the
    sketch the daemon needs to judge near-duplicates.  The daemon adds seq,
    times and the dedupe verdict.  Used by clip-worker, by `clip analyze` and
    by clipd itself when it seeds the corpus, so that all three agree.

    Errors (status "failed", SPEC error codes): "empty" for a file with no
    bytes or only white space, "not_text" for binary data.  Never fails on any
    other input: bytes that are not UTF-8 are read as Windows-1252.
*/
#ifndef CLIP_ANALYZE_H
#define CLIP_ANALYZE_H

#include <stddef.h>

#include "clip_record.h"

typedef struct clip_analyzer clip_analyzer_t;

/*  Create an analyzer.  With a data_dir, loads the NER model and alias table
    from it (failing if they cannot be loaded: a worker without its model
    must not quietly report no entities); with NULL, records carry no
    entities (clipd seeding its corpus needs only ids and sketches).
    worker_name goes into every record ("host:pid").  Returns NULL with err
    set on failure.  Caller owns the result.  */
clip_analyzer_t *clip_analyzer_new (const char *data_dir, const char *worker_name,
                                    char *err, size_t err_size);
void clip_analyzer_destroy (clip_analyzer_t **self_p);

/*  Analyse one article.  Returns a new record (caller owns) and, when
    sketch is not NULL, a new sketch (caller owns *sketch; NULL for a failed
    article).  */
clip_record_t *clip_analyzer_run (clip_analyzer_t *self, const char *file,
                                  const void *data, size_t len,
                                  void **sketch, size_t *sketch_len);

#endif
