/*  results: the results log, a gap-free sequence of records.

    Owns the `results` table of the state database, its head (the highest
    committed seq) and its highest claim id.  It is only the log: it judges
    nothing and opens no transaction.  The transaction script (judge, seq,
    corpus row, result row, COMMIT or ROLLBACK) is daemon/commit.c's, which
    inserts here inside the transaction it opened, and tells the log how it
    ended.

    seq starts at 1 and has no gaps: a row inserted must carry
    clip_results_next_seq, and the head only advances when the caller says
    its COMMIT succeeded (clip_results_committed); after a ROLLBACK
    (clip_results_rolled_back) the seqs inserted are given again.  Rows are
    never deleted.  Each row also stores the claim id of its file (unique),
    which is how a restart recognises a file in processing/ whose record
    was already committed.

    Threads: the rows are written (clip_results_next_seq, _insert) on db by
    the commit thread (commit.h), one transaction at a time; everything
    else (head, max_claim, _committed, _rolled_back, _find_claim, _replay)
    is called on the loop's thread (_committed and _rolled_back once the
    commit thread has ended the transaction).  Lookups and replay read
    through a second connection of their own to db's file (WAL: they see
    the last committed rows, never wait for a COMMIT's fsync, and never
    share a connection with the writer); a database without a file
    (":memory:") uses db for both.
*/
#ifndef CLIP_RESULTS_H
#define CLIP_RESULTS_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "clip_record.h"

typedef struct clip_results clip_results_t;

/*  Open the log in db (table created if needed), and the readers'
    connection to db's file.  db stays owned by the caller and must outlive
    the log.  Returns NULL with err set.  Caller owns the result.  */
clip_results_t *clip_results_open (sqlite3 *db, char *err, size_t err_size);
void clip_results_destroy (clip_results_t **self_p);

/*  The highest committed seq (0 for an empty log).  */
uint64_t clip_results_head (const clip_results_t *self);
/*  The highest claim id ever committed (0 if none).  */
uint64_t clip_results_max_claim (const clip_results_t *self);

/*  Look up the record committed for a claim.  Returns 1 and sets *rec
    (caller owns) when found, 0 when not, -1 on error.  */
int clip_results_find_claim (clip_results_t *self, uint64_t claim, clip_record_t **rec);

/*  Inside a transaction the caller opened on db (BEGIN): the seq the next
    row must carry, head + 1 plus the rows inserted since.  */
uint64_t clip_results_next_seq (const clip_results_t *self);
/*  Insert one row: seq (must be clip_results_next_seq), the file's claim
    id (unique: a claim already logged fails), the record's topic and its
    encoded bytes (copied by SQLite).  Returns 0, or -1 (SQLite error
    logged; the caller rolls back).  */
int clip_results_insert (clip_results_t *self, uint64_t seq, uint64_t claim, const char *topic,
                         const void *record, size_t len);
/*  The caller's transaction ended: COMMIT succeeded (the rows inserted
    become the head), or it was rolled back (their seqs will be given
    again).  */
void clip_results_committed (clip_results_t *self);
void clip_results_rolled_back (clip_results_t *self);

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
