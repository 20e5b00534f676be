/*  commit: the transaction script of clipd.  See commit.h.  */
#include "commit.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utlist.h>

#include "clip_db.h"
#include "clip_defaults.h"
#include "clip_log.h"
#include "clip_util.h"

/*  A result waiting for the group commit, or whose commit failed (disk
    full, I/O error) and is retried: its file is still in processing/ and
    nothing was published.  */
typedef struct commit_item {
    clip_task_t *task;
    clip_record_t *rec;
    void *sketch;
    size_t sketch_len;
    char *packed;               /* the record as inserted in this attempt */
    size_t packed_len;
    struct commit_item *next;
} commit_item_t;

/*  The batch handed to the commit thread, and how its transaction ended.  */
typedef enum {
    JOB_NONE = 0,               /* no batch in flight */
    JOB_QUEUED,                 /* the thread has it (or is about to) */
    JOB_DONE                    /* the thread ended its transaction */
} job_state_t;

struct clip_commit {
    /*  The loop's side: touched on the loop's thread only.  */
    uv_loop_t *loop;
    sqlite3 *db;                /* borrowed */
    clip_corpus_t *corpus;      /* borrowed */
    clip_results_t *results;    /* borrowed */
    clip_commit_settings_t settings;
    clip_commit_done_fn *on_done;
    void *arg;
    uv_timer_t batch_timer;     /* starts the next batch (batch_delay_ms) */
    uv_timer_t retry_timer;
    uv_async_t async;           /* the thread ended a batch's transaction */
    int open_handles;
    commit_item_t *batch;       /* results waiting for the next commit */
    size_t n_batch;
    commit_item_t *pending;     /* results whose commit failed */
    size_t n_inflight;          /* results of the batch in flight (0: none) */
    uint64_t corpus_size;       /* clip_corpus_size as of the last commit */
    bool thresholds_due;        /* set by clip_commit_set_thresholds */
    double near_containment, near_jaccard, related_containment;

    /*  Shared with the commit thread, under mutex.  While state is
        JOB_QUEUED the thread owns job, db, the corpus and the rows of the
        results (commit.h); the loop's thread touches none of them.  */
    uv_thread_t thread;
    uv_mutex_t mutex;
    uv_cond_t cond;             /* state or quit changed */
    job_state_t state;
    bool quit;
    commit_item_t *job;
    /*  How the job ended, written by the thread before it sets JOB_DONE.  */
    bool job_ok;
    uint64_t job_us;            /* BEGIN to the end of COMMIT */
    uint64_t job_corpus_size;
    char job_error [256];
};

static void on_batch_timer (uv_timer_t *timer);
static void on_retry_timer (uv_timer_t *timer);
static void on_async (uv_async_t *async);
static void commit_thread (void *arg);

void
clip_commit_settings_default (clip_commit_settings_t *settings)
{
    settings->retry_ms = CLIP_COMMIT_RETRY_MS;
    settings->max_bytes = CLIP_DEFAULT_MAX_BYTES;
    settings->batch_max = CLIP_DEFAULT_COMMIT_BATCH_MAX;
    settings->batch_delay_ms = CLIP_DEFAULT_COMMIT_DELAY_MS;
    settings->metrics = NULL;
}

clip_commit_t *
clip_commit_new (uv_loop_t *loop, sqlite3 *db, clip_corpus_t *corpus, clip_results_t *results,
                 const clip_commit_settings_t *settings, clip_commit_done_fn *on_done, void *arg)
{
    assert (loop && db && corpus && results && on_done);
    clip_commit_t *self = clip_calloc (1, sizeof *self);
    self->loop = loop;
    self->db = db;
    self->corpus = corpus;
    self->results = results;
    if (settings)
        self->settings = *settings;
    else
        clip_commit_settings_default (&self->settings);
    if (self->settings.batch_max == 0)
        self->settings.batch_max = CLIP_DEFAULT_COMMIT_BATCH_MAX;
    self->on_done = on_done;
    self->arg = arg;
    self->corpus_size = clip_corpus_size (corpus);
    uv_timer_init (loop, &self->batch_timer);
    self->batch_timer.data = self;
    uv_timer_init (loop, &self->retry_timer);
    self->retry_timer.data = self;
    uv_async_init (loop, &self->async, on_async);
    self->async.data = self;
    /*  Only a batch in flight keeps the loop alive (start_batch).  */
    uv_unref ((uv_handle_t *) &self->async);
    self->open_handles = 3;
    uv_mutex_init (&self->mutex);
    uv_cond_init (&self->cond);
    int rc = uv_thread_create (&self->thread, commit_thread, self);
    if (rc != 0) {
        /*  As for memory (clip_calloc): clipd cannot work without it.  */
        clip_error ("commit_thread_failed", "error=\"%s\"", uv_strerror (rc));
        abort ();
    }
    return self;
}

static void
item_free (commit_item_t *p)
{
    clip_task_destroy (&p->task);
    clip_record_destroy (&p->rec);
    free (p->sketch);
    free (p->packed);
    free (p);
}

static void
list_free (commit_item_t **list)
{
    commit_item_t *p, *tmp;
    LL_FOREACH_SAFE (*list, p, tmp) {
        LL_DELETE (*list, p);
        item_free (p);
    }
}

static void
on_handle_closed (uv_handle_t *handle)
{
    clip_commit_t *self = handle->data;
    if (--self->open_handles == 0) {
        uv_cond_destroy (&self->cond);
        uv_mutex_destroy (&self->mutex);
        free (self);
    }
}

void
clip_commit_destroy (clip_commit_t **self_p)
{
    assert (self_p);
    clip_commit_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    /*  A batch in flight ends first (committed or rolled back): the thread
        takes a queued job before it looks at quit, and db, the corpus and
        the log, which the caller closes next, are not freed under it.  */
    uv_mutex_lock (&self->mutex);
    self->quit = true;
    uv_cond_signal (&self->cond);
    uv_mutex_unlock (&self->mutex);
    uv_thread_join (&self->thread);
    if (self->state == JOB_DONE) {
        /*  Ended but not handed over (clip_commit_run was not called): the
            log's head is made right; the files stay in processing/, where
            the next start finds their records committed.  */
        if (self->job_ok)
            clip_results_committed (self->results);
        else
            clip_results_rolled_back (self->results);
        list_free (&self->job);
    }
    list_free (&self->pending);
    list_free (&self->batch);
    uv_close ((uv_handle_t *) &self->batch_timer, on_handle_closed);
    uv_close ((uv_handle_t *) &self->retry_timer, on_handle_closed);
    uv_close ((uv_handle_t *) &self->async, on_handle_closed);
}

/*  The next batch starts at once (at the next loop turn) when nothing is
    in flight and it is full or no delay is set, else batch_delay_ms after
    its first result; while a batch is in flight, the next one waits for it
    (on_async), growing meanwhile.  */
static void
arm_batch (clip_commit_t *self)
{
    if (self->n_inflight > 0 || !self->batch)
        return;
    uint64_t delay = self->n_batch >= self->settings.batch_max ? 0 : self->settings.batch_delay_ms;
    if (uv_is_active ((uv_handle_t *) &self->batch_timer)) {
        if (delay > 0)
            return;             /* already counting from the first result */
        uv_timer_stop (&self->batch_timer);
    }
    uv_timer_start (&self->batch_timer, on_batch_timer, delay, 0);
}

void
clip_commit_add (clip_commit_t *self, clip_task_t **task_p, clip_record_t **rec_p,
                 void **sketch_p, size_t sketch_len)
{
    assert (task_p && *task_p && rec_p && *rec_p);
    commit_item_t *p = clip_calloc (1, sizeof *p);
    p->task = *task_p;
    p->rec = *rec_p;
    *task_p = NULL;
    *rec_p = NULL;
    if (sketch_p) {
        p->sketch = *sketch_p;
        *sketch_p = NULL;
    }
    p->sketch_len = p->sketch ? sketch_len : 0;
    clip_record_set (p->rec, &p->rec->file, clip_task_name (p->task));
    p->rec->received = clip_task_received (p->task);
    LL_APPEND (self->batch, p);
    self->n_batch++;
    arm_batch (self);
}

void
clip_commit_set_thresholds (clip_commit_t *self, double near_containment, double near_jaccard,
                            double related_containment)
{
    self->near_containment = near_containment;
    self->near_jaccard = near_jaccard;
    self->related_containment = related_containment;
    self->thresholds_due = true;
}

uint64_t
clip_commit_corpus_size (const clip_commit_t *self)
{
    return self->corpus_size;
}

/*  ------------------------------------------------------------------ */
/*  On the commit thread                                                */

/*  A record judged before (a retried batch) must not keep its old verdict
    and matches: what came before it may have changed.  */
static void
clear_dedupe (clip_record_t *rec)
{
    for (size_t i = 0; i < rec->n_matches; i++) {
        free (rec->matches [i].id);
        free (rec->matches [i].file);
    }
    free (rec->matches);
    rec->matches = NULL;
    rec->n_matches = 0;
    clip_record_set (rec, &rec->verdict, NULL);
    clip_record_set (rec, &rec->cluster, NULL);
    rec->has_dedupe = false;
}

/*  One result inside the open transaction: judge, seq, corpus row, log
    row.  Returns 0 or -1 (the caller rolls back).  */
static int
add_one (clip_commit_t *self, commit_item_t *p)
{
    clip_record_t *rec = p->rec;
    free (p->packed);
    p->packed = NULL;
    bool article = clip_record_status (rec) == CLIP_STATUS_OK;
    clear_dedupe (rec);
    if (article && clip_corpus_judge (self->corpus, rec, p->sketch, p->sketch_len) != 0)
        return -1;
    rec->has_seq = true;
    rec->seq = clip_results_next_seq (self->results);
    rec->has_times = true;
    rec->done = clip_now_ms ();
    if (article) {
        /*  The corpus keeps the bytes as received, to show passages later:
            those dispatch read to send the task (read once, dispatch.h).
            A task that was never dispatched has none; its file is read
            here, and one that cannot be read is stored without them.  */
        size_t data_len = 0;
        const char *data = clip_task_data (p->task, &data_len);
        char *read_back = NULL;
        if (!data && clip_file_read (clip_task_path (p->task), self->settings.max_bytes,
                                     &read_back, &data_len) == 0)
            data = read_back;
        int rc = clip_corpus_stage (self->corpus, rec, p->sketch, p->sketch_len, data,
                                    data ? data_len : 0);
        free (read_back);
        if (rc != 0)
            return -1;
    }
    clip_record_encode (rec, &p->packed, &p->packed_len);
    return clip_results_insert (self->results, rec->seq, clip_task_claim (p->task),
                                clip_record_topic (rec), p->packed, p->packed_len);
}

static int
exec_logged (clip_commit_t *self, const char *sql)
{
    char err [512];
    if (clip_db_exec (self->db, sql, err, sizeof err)) {
        clip_error ("results_sql_failed", "error=\"%s\"", err);
        return -1;
    }
    return 0;
}

/*  The transaction script for list (commit.h), on the commit thread: on
    success the staged corpus rows are published (its postings may be
    written in a transaction of their own, an fsync this thread also
    takes); on failure everything of the attempt is undone in the database
    and the corpus.  The log's head and the hand-over are the loop's
    (finish_batch).  */
static void
run_transaction (clip_commit_t *self, commit_item_t *list)
{
    uint64_t started_us = clip_mono_us ();
    bool ok = exec_logged (self, "BEGIN IMMEDIATE") == 0;
    commit_item_t *p;
    LL_FOREACH (list, p) {
        if (!ok)
            break;
        ok = add_one (self, p) == 0;
    }
    if (ok)
        ok = exec_logged (self, "COMMIT") == 0;
    self->job_ok = ok;
    self->job_us = clip_mono_us () - started_us;
    if (ok) {
        clip_corpus_publish_staged (self->corpus);
        self->job_corpus_size = clip_corpus_size (self->corpus);
        return;
    }
    snprintf (self->job_error, sizeof self->job_error, "%s", sqlite3_errmsg (self->db));
    /*  A COMMIT that failed on a full disk or an I/O error may have ended
        the transaction already.  */
    if (!sqlite3_get_autocommit (self->db))
        exec_logged (self, "ROLLBACK");
    clip_corpus_drop_staged (self->corpus);
}

static void
commit_thread (void *arg)
{
    clip_commit_t *self = arg;
    uv_mutex_lock (&self->mutex);
    for (;;) {
        while (self->state != JOB_QUEUED && !self->quit)
            uv_cond_wait (&self->cond, &self->mutex);
        if (self->state != JOB_QUEUED)
            break;              /* quit, nothing in flight */
        commit_item_t *list = self->job;
        uv_mutex_unlock (&self->mutex);
        run_transaction (self, list);
        uv_mutex_lock (&self->mutex);
        self->state = JOB_DONE;
        uv_cond_signal (&self->cond);
        uv_async_send (&self->async);
    }
    uv_mutex_unlock (&self->mutex);
}

/*  ------------------------------------------------------------------ */
/*  On the loop's thread                                                */

static void
count_record (clip_commit_t *self, const clip_record_t *rec)
{
    clipd_metrics_t *m = self->settings.metrics;
    if (!m)
        return;
    atomic_fetch_add (&m->records_total, 1);
    if (clip_record_status (rec) == CLIP_STATUS_FAILED) {
        int code = clip_record_error (rec);
        atomic_fetch_add (&m->records_by_error [code >= 0 ? code : CLIP_ERROR_COUNT], 1);
        return;
    }
    int verdict = clip_record_verdict (rec);
    if (verdict >= 0)
        atomic_fetch_add (&m->records_by_verdict [verdict], 1);
}

/*  Hand the next batch (at most batch_max results, oldest first) to the
    commit thread.  Nothing may be in flight.  */
static void
start_batch (clip_commit_t *self)
{
    assert (self->n_inflight == 0 && self->batch);
    uv_timer_stop (&self->batch_timer);
    commit_item_t *list = self->batch, *last = self->batch;
    size_t n = 1;
    while (last->next && n < self->settings.batch_max) {
        last = last->next;
        n++;
    }
    self->batch = last->next;
    last->next = NULL;
    self->n_batch -= n;
    self->n_inflight = n;
    /*  Nothing is in flight: the corpus is the loop's to change.  */
    if (self->thresholds_due) {
        clip_corpus_set_thresholds (self->corpus, self->near_containment, self->near_jaccard,
                                    self->related_containment);
        self->thresholds_due = false;
    }
    uv_ref ((uv_handle_t *) &self->async);
    uv_mutex_lock (&self->mutex);
    assert (self->state == JOB_NONE);
    self->job = list;
    self->state = JOB_QUEUED;
    uv_cond_signal (&self->cond);
    uv_mutex_unlock (&self->mutex);
}

/*  Take the batch whose transaction ended, if any (wait: until it has).
    Returns it, NULL when none.  */
static commit_item_t *
take_job (clip_commit_t *self, bool wait)
{
    if (self->n_inflight == 0)
        return NULL;
    commit_item_t *list = NULL;
    uv_mutex_lock (&self->mutex);
    while (wait && self->state == JOB_QUEUED)
        uv_cond_wait (&self->cond, &self->mutex);
    if (self->state == JOB_DONE) {
        list = self->job;
        self->job = NULL;
        self->state = JOB_NONE;
    }
    uv_mutex_unlock (&self->mutex);
    if (list) {
        self->n_inflight = 0;
        uv_unref ((uv_handle_t *) &self->async);
    }
    return list;
}

/*  The batch list ended its transaction (the thread's job_* say how): on
    success the log's head advances, the next batch starts (the thread
    works while this one is handed over), and each record is handed over
    in seq order, exactly once; on failure the seqs are given back and the
    results wait for the retry, their files in processing/.  Returns 0 or
    -1.  */
static int
finish_batch (clip_commit_t *self, commit_item_t *list)
{
    clipd_metrics_t *m = self->settings.metrics;
    commit_item_t *p, *tmp;
    if (!self->job_ok) {
        clip_results_rolled_back (self->results);
        /*  /healthz says 503 with this reason until a commit succeeds.  */
        if (m) {
            char *reason = clip_strprintf ("commits to the results log are failing: %s",
                                           self->job_error);
            clipd_metric_text_set (&m->commit_error, reason);
            free (reason);
        }
        CLIPD_METRIC_SET (m, commit_failing, 1);
        CLIPD_METRIC_ADD (m, commit_failures, 1);
        size_t count = 0;
        LL_FOREACH (list, p) {
            free (p->packed);
            p->packed = NULL;
            count++;
        }
        clip_error ("commit_failed", "records=%zu retry_in_ms=%llu", count,
                    (unsigned long long) self->settings.retry_ms);
        LL_CONCAT (self->pending, list);
        uv_timer_start (&self->retry_timer, on_retry_timer, self->settings.retry_ms, 0);
        return -1;
    }
    CLIPD_METRIC_OBSERVE (m, commit_seconds, self->job_us);
    clip_results_committed (self->results);
    self->corpus_size = self->job_corpus_size;
    CLIPD_METRIC_ADD (m, commits_total, 1);
    CLIPD_METRIC_SET (m, commit_failing, 0);
    /*  The next batch overlaps this hand-over: it holds only seqs above
        this batch's, and its records are handed over after these.  */
    if (self->batch)
        start_batch (self);
    LL_FOREACH_SAFE (list, p, tmp) {
        LL_DELETE (list, p);
        const clip_record_t *rec = p->rec;
        char q [600];
        char qw [300];
        clip_info ("recorded", "seq=%llu file=%s topic=%s worker=%s", (unsigned long long) rec->seq,
                   clip_log_quote (q, sizeof q, rec->file), clip_record_topic (rec),
                   clip_log_quote (qw, sizeof qw, rec->worker ? rec->worker : "-"));
        self->on_done (p->task, rec, p->packed, p->packed_len, self->arg);
        /*  Counted once the caller is done with it (its gauges refreshed):
            a scrape that sees it counted sees its file finished.  */
        count_record (self, rec);
        item_free (p);
    }
    return 0;
}

int
clip_commit_run (clip_commit_t *self)
{
    int rc = 0;
    for (;;) {
        commit_item_t *list = take_job (self, true);
        if (list) {
            rc = finish_batch (self, list);
            continue;
        }
        if (!self->batch)
            break;
        start_batch (self);
    }
    return rc;
}

static void
on_async (uv_async_t *async)
{
    clip_commit_t *self = async->data;
    commit_item_t *list = take_job (self, false);
    if (list)
        finish_batch (self, list);
    arm_batch (self);
}

static void
on_batch_timer (uv_timer_t *timer)
{
    clip_commit_t *self = timer->data;
    if (self->n_inflight == 0 && self->batch)
        start_batch (self);
}

static void
on_retry_timer (uv_timer_t *timer)
{
    clip_commit_t *self = timer->data;
    /*  The failed results go first: with nothing else committed since,
        they are given the same seqs again.  */
    size_t n = 0;
    commit_item_t *p;
    LL_FOREACH (self->pending, p)
        n++;
    LL_CONCAT (self->pending, self->batch);
    self->batch = self->pending;
    self->pending = NULL;
    self->n_batch += n;
    if (self->n_inflight == 0 && self->batch)
        start_batch (self);
}

size_t
clip_commit_queued (const clip_commit_t *self)
{
    return self->n_batch;
}

size_t
clip_commit_pending (const clip_commit_t *self)
{
    size_t n = 0;
    const commit_item_t *p;
    LL_FOREACH (self->pending, p)
        n++;
    return n;
}

size_t
clip_commit_inflight (const clip_commit_t *self)
{
    return self->n_inflight;
}
