/*  commit: the transaction script of clipd, from a worker's answer to a
    committed record.

    Owns the results waiting for the next group commit (the batch), those
    whose commit failed (pending), the loop handles that run the commit
    once per loop turn and retry a failed one, and the commit metrics
    (clipd_commits_total, clipd_commit_failures_total, clipd_commit_failing
    and its /healthz reason, clipd_records_*).  The corpus, the log and the
    database are borrowed.

    One commit, for every queued result at once (one fsync):

        BEGIN IMMEDIATE
        for each result, in queue order:
            judge it against the corpus (an article only; the corpus sees
              the articles staged before it in this transaction, so of two
              copies in one batch the first is the original),
            give it the log's next seq and the done time,
            stage its corpus row (an article only),
            insert its row in the log
        COMMIT
            -> publish the staged corpus rows and the log's new head, then
               hand each record to the caller, in seq order, exactly once
        or, if any step failed: ROLLBACK
            -> drop the staged corpus rows and the seqs given (none is used
               up), hand nothing over, keep the results (their files stay
               in processing/) and try them all again retry_ms later, with
               the same seqs when nothing else came first and every verdict
               judged anew.

    Promises: a record is handed over only once its row is durable, and at
    most once; a failed commit leaves the corpus and the log as if it had
    never been tried.
*/
#ifndef CLIP_COMMIT_H
#define CLIP_COMMIT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "clip_corpus.h"
#include "clip_record.h"
#include "dispatch.h"
#include "metrics.h"
#include "results.h"

typedef struct clip_commit clip_commit_t;

/*  The wait before a failed commit is tried again.  */
#define CLIP_COMMIT_RETRY_MS 1000

typedef struct {
    uint64_t retry_ms;          /* CLIP_COMMIT_RETRY_MS */
    uint64_t max_bytes;         /* the largest file read back for the corpus
                                   (the corpus keeps an article's bytes), for
                                   a task that carries none: a dispatched
                                   task carries the bytes dispatch read
                                   (clip_task_data), used as they are */
    clipd_metrics_t *metrics;   /* may be NULL; borrowed, must outlive */
} clip_commit_settings_t;

/*  A record is committed: task, rec and packed (the record's bytes as
    committed and to be published) are lent for the call, and freed by the
    commit after it returns.  Called in seq order.  The callee may queue
    more results (clip_commit_add), not destroy the commit.  */
typedef void (clip_commit_done_fn) (clip_task_t *task, const clip_record_t *rec,
                                    const char *packed, size_t packed_len, void *arg);

void clip_commit_settings_default (clip_commit_settings_t *settings);

/*  A commit on loop, writing through db into corpus and results (all
    borrowed; they must outlive it).  settings may be NULL (defaults).
    Caller owns the result.  */
clip_commit_t *clip_commit_new (uv_loop_t *loop, sqlite3 *db, clip_corpus_t *corpus,
                                clip_results_t *results, const clip_commit_settings_t *settings,
                                clip_commit_done_fn *on_done, void *arg);
/*  Drop what is queued or pending (their files stay in processing/ and are
    analysed again at the next start), stop the handles and null the
    caller's pointer.  The memory is freed once the loop has run the
    handles' close callbacks.  */
void clip_commit_destroy (clip_commit_t **self_p);

/*  Queue one result for the next commit (at the next loop turn).  Takes
    ownership of *task_p, *rec_p and *sketch_p (may be NULL: a failed
    record, or an article without a sketch) and nulls the caller's
    pointers.  The record's file and received time are set from the task:
    the daemon, not the worker, is the authority on them.  */
void clip_commit_add (clip_commit_t *self, clip_task_t **task_p, clip_record_t **rec_p,
                      void **sketch_p, size_t sketch_len);

/*  Commit what is queued now, not at the next loop turn (shutdown).
    Returns 0 (committed and handed over, or nothing queued) or -1 (the
    commit failed: the results are pending, a retry is armed).  */
int clip_commit_run (clip_commit_t *self);

/*  Results queued for the next commit, and results whose commit failed.  */
size_t clip_commit_queued (const clip_commit_t *self);
size_t clip_commit_pending (const clip_commit_t *self);

#endif
