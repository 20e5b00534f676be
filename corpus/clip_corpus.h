/*  clip_corpus: the articles already seen, and the verdict for a new one.

    Owns the corpus tables in the state database (SQLite, WAL) and the
    in-memory index built from them at open.  The daemon holds the only
    clip_corpus_t of a state directory, and judges articles one at a time in
    the order their results arrive, which is what makes "exactly one of two
    simultaneous near-duplicates is the original" hold whatever the number of
    workers: workers compute sketches, the daemon alone decides.

    Adding is two-phase so that the index never holds an article whose row was
    rolled back: clip_corpus_stage writes the row inside the caller's open
    transaction; after COMMIT the caller calls clip_corpus_publish_staged, or
    clip_corpus_drop_staged after ROLLBACK.

    Sketch: the bytes a worker computes from an article's normalised text
    (clip_sketch in workers/), opaque to the daemon.  The id alone decides
    `duplicate`.

    Memory: the index (about 900 bytes an article, clip_corpus_index_memory)
    and the sketches of the last 8,192 rows it staged, at most 8 MiB
    (16 KiB a sketch; larger ones are not kept), so that a candidate among
    them, the usual case for a story that comes again, is compared without
    reading its row (clip_corpus.c, "recent").
*/
#ifndef CLIP_CORPUS_H
#define CLIP_CORPUS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clip_record.h"

typedef struct clip_corpus clip_corpus_t;

typedef struct {
    double near_containment;    /* near_duplicate at or above; default 0.7 */
    double near_jaccard;        /* near_duplicate above; default 0.5 */
    double related_containment; /* related above; default 0.25 */
    size_t max_matches;         /* matches reported; default 5 */
} clip_corpus_settings_t;

/*  Fill settings with the SPEC's defaults.  */
void clip_corpus_settings_default (clip_corpus_settings_t *settings);

/*  Open the corpus in db (creating its tables if needed) and load the index.
    db stays owned by the caller and must outlive the corpus.  Returns NULL
    with err set on failure.  Caller owns the result.  */
clip_corpus_t *clip_corpus_open (sqlite3 *db, const clip_corpus_settings_t *settings,
                                 char *err, size_t err_size);
void clip_corpus_destroy (clip_corpus_t **self_p);
/*  Change the verdict thresholds (clip_corpus_settings_t) for the articles
    judged from now on; verdicts already given stay as they are.  */
void clip_corpus_set_thresholds (clip_corpus_t *self, double near_containment, double near_jaccard,
                                 double related_containment);

/*  Number of articles in the corpus.  */
uint64_t clip_corpus_size (const clip_corpus_t *self);

/*  Judge an article against the corpus: fill rec's dedupe part (verdict,
    matches, cluster).  rec->id must be set.  Read-only.  Returns 0 or -1.  */
int clip_corpus_judge (clip_corpus_t *self, clip_record_t *rec,
                       const void *sketch, size_t sketch_len);

/*  Write the article's corpus row inside the caller's open transaction.
    rec must have been judged (rec->seq is stored; 0 for seeded articles).
    data is the file as received, kept so that passages can be shown later.
    Returns 0 or -1 (SQLite error logged).  */
int clip_corpus_stage (clip_corpus_t *self, const clip_record_t *rec,
                       const void *sketch, size_t sketch_len,
                       const void *data, size_t data_len);
/*  After the caller's COMMIT / ROLLBACK.  publish_staged may write the
    postings of the articles published (clip_postings.h) in a transaction
    of its own; drop_staged only after a ROLLBACK: it forgets rows.  */
void clip_corpus_publish_staged (clip_corpus_t *self);
void clip_corpus_drop_staged (clip_corpus_t *self);

/*  The index is sized at open for this many keys per stored article (the
    mean for Reuters-sized articles is about 73), so that it opens about
    62% full, with room for a sixth more articles before it grows; a
    corpus of longer articles grows it as it loads.  */
#define CLIP_CORPUS_KEYS_PER_ARTICLE 84

/*  Bytes of memory held by the in-memory index, with the postings held
    until they are written (at most 16 MiB and a half).  */
size_t clip_corpus_index_memory (const clip_corpus_t *self);

#endif
