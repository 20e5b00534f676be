/*  results: the results log, a gap-free sequence of records.

    Owns the `results` table of the state database.  Every article's record
    is appended here, in one transaction with its corpus row, before its file
    leaves processing/ and before it is published: so a subscriber that sees
    a record can always replay it, and a crash can never lose a result that
    was published nor publish one twice.

    seq starts at 1 and has no gaps: it is assigned in memory as head + 1 and
    only advanced when the COMMIT succeeded; rows are never deleted.  Each
    row also stores the claim id of its file (unique), which is how a restart
    recognises a file in processing/ whose record was already committed.
*/
#ifndef CLIP_RESULTS_H
#define CLIP_RESULTS_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "clip_corpus.h"
#include "clip_record.h"

typedef struct clip_results clip_results_t;

/*  Open the log in db (tables created if needed).  db and corpus stay owned
    by the caller.  Returns NULL with err set.  Caller owns the result.  */
clip_results_t *clip_results_open (sqlite3 *db, clip_corpus_t *corpus, char *err, size_t err_size);
void clip_results_destroy (clip_results_t **self_p);

/*  The highest committed seq (0 for an empty log).  */
uint64_t clip_results_head (const clip_results_t *self);
/*  The highest claim id ever committed (0 if none).  */
uint64_t clip_results_max_claim (const clip_results_t *self);

/*  Look up the record committed for a claim.  Returns 1 and sets *rec
    (caller owns) when found, 0 when not, -1 on error.  */
int clip_results_find_claim (clip_results_t *self, uint64_t claim, clip_record_t **rec);

/*  Group commit: several records in one transaction, one fsync.
    clip_results_begin opens it; clip_results_add judges a record against the
    corpus (which sees the records added before it in the same transaction),
    gives it the next seq, sets done, stages its corpus row and writes its
    result row, and hands back the encoded record in *packed (caller owns);
    clip_results_commit makes them all durable at once.  If add or commit
    fails, the caller calls clip_results_rollback: no seq is used up and
    nothing was published, so every record of the batch can be retried.
    Each returns 0 or -1.  */
int clip_results_begin (clip_results_t *self);
int clip_results_add (clip_results_t *self, clip_record_t *rec, uint64_t claim,
                      const void *sketch, size_t sketch_len,
                      const void *data, size_t data_len,
                      char **packed, size_t *packed_len);
int clip_results_commit (clip_results_t *self);
void clip_results_rollback (clip_results_t *self);

/*  One record in a transaction of its own (begin, add, commit; rollback on
    failure).  On success *packed (caller owns) holds the encoded record as
    committed, and rec holds its final values.  Returns 0, or -1 when nothing
    was committed (the caller retries later).  */
int clip_results_append (clip_results_t *self, clip_record_t *rec, uint64_t claim,
                         const void *sketch, size_t sketch_len,
                         const void *data, size_t data_len,
                         char **packed, size_t *packed_len);

/*  Called once per record by clip_results_replay.  */
typedef void (*clip_results_replay_cb) (uint64_t seq, const char *topic,
                                        const void *record, size_t len, void *arg);

/*  Serve records with seq > since whose topic starts with prefix, in seq
    order, at most limit of them.  *last gets the highest seq examined (the
    next since), *head the highest committed seq.  since is any uint64: at
    or above INT64_MAX (no seq is larger) nothing is served and *last is
    since.  Returns 0 or -1.  */
int clip_results_replay (clip_results_t *self, uint64_t since, const char *prefix,
                         size_t limit, clip_results_replay_cb cb, void *arg,
                         uint64_t *last, uint64_t *head);

#endif
