/*  commit: the transaction script of clipd, from a worker's answer to a
    committed record.

    Owns the results waiting for the next group commit (the batch), the
    batch in flight, those whose commit failed (pending), the commit
    thread that runs each transaction, the loop handles that start a batch,
    learn that one ended and retry a failed one, and the commit metrics
    (clipd_commits_total, clipd_commit_failures_total, clipd_commit_failing
    and its /healthz reason, clipd_commit_seconds, clipd_records_*).  The
    corpus, the log and the database are borrowed.

    One commit, for a batch of queued results at once (one fsync), run on
    the commit thread:

        BEGIN IMMEDIATE
        for each result, in queue order:
            judge it against the corpus (an article only; the corpus sees
              the articles staged before it in this transaction, so of two
              copies in one batch the first is the original),
            give it the log's next seq and the done time,
            stage its corpus row (an article only),
            insert its row in the log
        COMMIT
            -> publish the staged corpus rows (thread); then, on the loop's
               thread, advance the log's head and hand each record to the
               caller, in seq order, exactly once
        or, if any step failed: ROLLBACK
            -> drop the staged corpus rows (thread) and the seqs given
               (none is used up), hand nothing over, keep the results
               (their files stay in processing/) and try them all again
               retry_ms later, first in the queue, so with the same seqs
               when nothing else came first and every verdict judged anew.

    Threads.  The loop never waits for a COMMIT's fsync: claiming,
    dispatching and receiving results go on while a batch is made durable.
    One batch is in flight at a time, the next one accumulating meanwhile,
    so seqs are given and records handed over in order.  A batch starts at
    the loop turn after its first result arrived when nothing is in flight
    (or batch_delay_ms later, at once when it holds batch_max results), and
    right after the one in flight ends otherwise; it takes at most
    batch_max results.  While a batch is in flight the commit thread alone
    touches db, the corpus (judge, stage, publish, drop) and the log's rows
    (results.h); the loop's thread touches none of them (its lookups and
    replay read through the log's own reader connection), keeps the log's
    head, and reads the corpus's size and sets its thresholds only through
    this module (clip_commit_corpus_size, clip_commit_set_thresholds),
    between batches.  clip_commit_destroy lets a batch in flight end
    (committed or rolled back) and joins the thread before it returns, so
    the caller may then close the corpus, the log and db.

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
#include "clip_defaults.h"
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
    /*  The most results in one transaction (CLIP_DEFAULT_COMMIT_BATCH_MAX;
        0: that): bounds the time a batch holds the write lock and the
        memory of its rows; a burst beyond it is several batches back to
        back.  */
    size_t batch_max;
    uint64_t batch_delay_ms;    /* CLIP_DEFAULT_COMMIT_DELAY_MS, 0: a batch
                                   starts at the next loop turn when nothing
                                   is in flight; else this long after its
                                   first result, to gather more */
    clipd_metrics_t *metrics;   /* may be NULL; borrowed, must outlive */
} clip_commit_settings_t;

/*  A record is committed: task, rec and packed (the record's bytes as
    committed and to be published) are lent for the call, and freed by the
    commit after it returns.  Called on the loop's thread, in seq order.
    The next batch may be in flight meanwhile: the callee must not use db
    or the corpus (the log's lookups are fine), may queue more results
    (clip_commit_add), and must not destroy the commit.  */
typedef void (clip_commit_done_fn) (clip_task_t *task, const clip_record_t *rec,
                                    const char *packed, size_t packed_len, void *arg);

void clip_commit_settings_default (clip_commit_settings_t *settings);

/*  A commit on loop, writing through db into corpus and results (all
    borrowed; they must outlive it) on a thread of its own, started here.
    db must be in WAL mode and opened SQLITE_OPEN_NOMUTEX or better
    (clip_db_open): the thread uses it while the loop's thread does not.
    settings may be NULL (defaults).  Caller owns the result.  */
clip_commit_t *clip_commit_new (uv_loop_t *loop, sqlite3 *db, clip_corpus_t *corpus,
                                clip_results_t *results, const clip_commit_settings_t *settings,
                                clip_commit_done_fn *on_done, void *arg);
/*  Let a batch in flight end and stop the thread, drop what is queued or
    pending (their files stay in processing/ and are analysed again at the
    next start; a batch that committed but was not handed over is found
    committed there), stop the handles and null the caller's pointer.  The
    memory is freed once the loop has run the handles' close callbacks.  */
void clip_commit_destroy (clip_commit_t **self_p);

/*  Queue one result for the next commit (at the next loop turn).  Takes
    ownership of *task_p, *rec_p and *sketch_p (may be NULL: a failed
    record, or an article without a sketch) and nulls the caller's
    pointers.  The record's file and received time are set from the task:
    the daemon, not the worker, is the authority on them.  */
void clip_commit_add (clip_commit_t *self, clip_task_t **task_p, clip_record_t **rec_p,
                      void **sketch_p, size_t sketch_len);

/*  Commit what is in flight and queued now, waiting for it on this
    thread, not at the next loop turns (shutdown): the batch in flight is
    waited for and handed over, then the queued results are committed,
    batch after batch.  Returns 0 (committed and handed over, or nothing
    queued) or -1 (the last commit failed: its results are pending, a
    retry is armed).  */
int clip_commit_run (clip_commit_t *self);

/*  The thresholds of the corpus's verdicts (clip_corpus_set_thresholds),
    applied before the next batch starts.  */
void clip_commit_set_thresholds (clip_commit_t *self, double near_containment, double near_jaccard,
                                 double related_containment);
/*  The corpus's size after the last commit handed over (the corpus itself
    is the commit thread's while a batch is in flight).  */
uint64_t clip_commit_corpus_size (const clip_commit_t *self);

/*  Results queued for the next commit, results whose commit failed, and
    results in the batch in flight (0 when none is).  */
size_t clip_commit_queued (const clip_commit_t *self);
size_t clip_commit_pending (const clip_commit_t *self);
size_t clip_commit_inflight (const clip_commit_t *self);

#endif
