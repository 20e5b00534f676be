/*  commit: the transaction script of clipd.  See commit.h.  */
#include "commit.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdbool.h>
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

struct clip_commit {
    uv_loop_t *loop;
    sqlite3 *db;                /* borrowed */
    clip_corpus_t *corpus;      /* borrowed */
    clip_results_t *results;    /* borrowed */
    clip_commit_settings_t settings;
    clip_commit_done_fn *on_done;
    void *arg;
    uv_idle_t idle;             /* runs the group commit once per loop turn */
    uv_timer_t retry_timer;
    int open_handles;
    commit_item_t *batch;       /* results waiting for the next commit */
    commit_item_t *pending;     /* results whose commit failed */
};

static void on_idle (uv_idle_t *handle);
static void on_retry_timer (uv_timer_t *timer);

void
clip_commit_settings_default (clip_commit_settings_t *settings)
{
    settings->retry_ms = CLIP_COMMIT_RETRY_MS;
    settings->max_bytes = CLIP_DEFAULT_MAX_BYTES;
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
    self->on_done = on_done;
    self->arg = arg;
    uv_idle_init (loop, &self->idle);
    self->idle.data = self;
    uv_timer_init (loop, &self->retry_timer);
    self->retry_timer.data = self;
    self->open_handles = 2;
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
on_handle_closed (uv_handle_t *handle)
{
    clip_commit_t *self = handle->data;
    if (--self->open_handles == 0)
        free (self);
}

void
clip_commit_destroy (clip_commit_t **self_p)
{
    assert (self_p);
    clip_commit_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    commit_item_t *p, *tmp;
    LL_CONCAT (self->pending, self->batch);
    self->batch = NULL;
    LL_FOREACH_SAFE (self->pending, p, tmp) {
        LL_DELETE (self->pending, p);
        item_free (p);
    }
    uv_close ((uv_handle_t *) &self->idle, on_handle_closed);
    uv_close ((uv_handle_t *) &self->retry_timer, on_handle_closed);
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
    if (!uv_is_active ((uv_handle_t *) &self->idle))
        uv_idle_start (&self->idle, on_idle);
}

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

/*  Everything of the attempt is undone: the transaction, the corpus rows
    staged, the seqs given.  The results wait for the retry.  */
static void
rolled_back (clip_commit_t *self, commit_item_t *list)
{
    clipd_metrics_t *m = self->settings.metrics;
    /*  /healthz says 503 with this reason until a commit succeeds.  */
    if (m) {
        char *reason = clip_strprintf ("commits to the results log are failing: %s",
                                       sqlite3_errmsg (self->db));
        clipd_metric_text_set (&m->commit_error, reason);
        free (reason);
    }
    CLIPD_METRIC_SET (m, commit_failing, 1);
    /*  A COMMIT that failed on a full disk or an I/O error may have ended
        the transaction already.  */
    if (!sqlite3_get_autocommit (self->db))
        exec_logged (self, "ROLLBACK");
    clip_corpus_drop_staged (self->corpus);
    clip_results_rolled_back (self->results);
    CLIPD_METRIC_ADD (m, commit_failures, 1);
    commit_item_t *p;
    int count;
    LL_COUNT (list, p, count);
    clip_error ("commit_failed", "records=%d retry_in_ms=%llu", count,
                (unsigned long long) self->settings.retry_ms);
    LL_FOREACH (list, p) {
        free (p->packed);
        p->packed = NULL;
    }
    LL_CONCAT (self->pending, list);
    uv_timer_start (&self->retry_timer, on_retry_timer, self->settings.retry_ms, 0);
}

int
clip_commit_run (clip_commit_t *self)
{
    commit_item_t *list = self->batch, *p, *tmp;
    self->batch = NULL;
    if (!list)
        return 0;
    uint64_t started_us = clip_mono_us ();
    bool ok = exec_logged (self, "BEGIN IMMEDIATE") == 0;
    LL_FOREACH (list, p) {
        if (!ok)
            break;
        ok = add_one (self, p) == 0;
    }
    if (ok)
        ok = exec_logged (self, "COMMIT") == 0;
    if (!ok) {
        rolled_back (self, list);
        return -1;
    }
    CLIPD_METRIC_OBSERVE (self->settings.metrics, commit_seconds, clip_mono_us () - started_us);
    clip_corpus_publish_staged (self->corpus);
    clip_results_committed (self->results);
    CLIPD_METRIC_ADD (self->settings.metrics, commits_total, 1);
    CLIPD_METRIC_SET (self->settings.metrics, commit_failing, 0);
    LL_FOREACH_SAFE (list, p, tmp) {
        LL_DELETE (list, p);
        const clip_record_t *rec = p->rec;
        count_record (self, rec);
        char q [600];
        char qw [300];
        clip_info ("recorded", "seq=%llu file=%s topic=%s worker=%s", (unsigned long long) rec->seq,
                   clip_log_quote (q, sizeof q, rec->file), clip_record_topic (rec),
                   clip_log_quote (qw, sizeof qw, rec->worker ? rec->worker : "-"));
        self->on_done (p->task, rec, p->packed, p->packed_len, self->arg);
        item_free (p);
    }
    return 0;
}

static void
on_idle (uv_idle_t *handle)
{
    clip_commit_t *self = handle->data;
    uv_idle_stop (handle);
    clip_commit_run (self);
}

static void
on_retry_timer (uv_timer_t *timer)
{
    clip_commit_t *self = timer->data;
    LL_CONCAT (self->batch, self->pending);
    self->pending = NULL;
    clip_commit_run (self);
}

size_t
clip_commit_queued (const clip_commit_t *self)
{
    size_t n = 0;
    const commit_item_t *p;
    LL_FOREACH (self->batch, p)
        n++;
    return n;
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
