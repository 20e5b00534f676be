/*  metrics: the numbers clipd exposes on /metrics and /healthz.

    One table, CLIPD_METRICS_MAP, declares every metric once: the field of
    clipd_metrics_t that holds it, its Prometheus family, its label set (or
    "" for none), whether it is a counter or a gauge, and its help text.
    Two more tables follow its pattern: CLIPD_LABELLED_MAP, counters with
    one sample per code of a proto/clip_codes.h table (all rendered from
    zero, so a rate over them works before the first failure), and
    CLIPD_HISTOGRAMS_MAP, the latency histograms.
    Rows of one family with different labels sit next to each other, so the
    family's HELP and TYPE are written once.  Adding a metric is adding a
    row; http.c renders the table, nothing else lists the metrics.

    Threads: the loop writes every field (counters only ever grow), the HTTP
    thread only reads them.  Fields are C11 atomics, so no lock is shared
    and a slow scraper can never stall the loop.  Modules that are not the
    daemon itself (dispatch, replay, inbox) take a clipd_metrics_t pointer
    that may be NULL (unit tests); use CLIPD_METRIC_ADD / _SET, which accept
    a NULL pointer.
*/
#ifndef CLIPD_METRICS_H
#define CLIPD_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "clip_codes.h"

/*  A short text the loop publishes for the HTTP thread (a file name in a
    health reason).  A sequence lock over atomic bytes: the writer never
    waits, the reader retries while a write is under way and never sees a
    torn text.  One writer, the loop.  */
#define CLIPD_METRIC_TEXT_MAX 256
typedef struct {
    atomic_uint_fast64_t seq;               /* odd while being written */
    atomic_uchar text [CLIPD_METRIC_TEXT_MAX];
} clipd_metric_text_t;

static inline void
clipd_metric_text_set (clipd_metric_text_t *t, const char *s)
{
    atomic_fetch_add (&t->seq, 1);
    size_t i = 0;
    for (; s && s [i] && i + 1 < CLIPD_METRIC_TEXT_MAX; i++)
        atomic_store_explicit (&t->text [i], (unsigned char) s [i], memory_order_relaxed);
    atomic_store_explicit (&t->text [i], 0, memory_order_relaxed);
    atomic_fetch_add (&t->seq, 1);
}

/*  Copy the text into out (size bytes, NUL-terminated); "" if it kept
    changing.  */
static inline void
clipd_metric_text_get (const clipd_metric_text_t *t, char *out, size_t size)
{
    for (int attempt = 0; attempt < 1000 && size > 0; attempt++) {
        uint_fast64_t before = atomic_load (&t->seq);
        size_t i = 0;
        for (; i + 1 < size && i < CLIPD_METRIC_TEXT_MAX; i++) {
            out [i] = (char) atomic_load_explicit (&t->text [i], memory_order_relaxed);
            if (!out [i])
                break;
        }
        out [i < size ? i : size - 1] = 0;
        atomic_thread_fence (memory_order_acquire);
        if (!(before & 1) && atomic_load (&t->seq) == before)
            return;
    }
    if (size > 0)
        out [0] = 0;
}

/*  A histogram with fixed bucket bounds (CLIPD_HISTOGRAM_BOUNDS_US, in
    microseconds: 100 us to 10 s, enough for an analysis, a commit's fsync
    and an article's whole trip), one atomic count per bucket, the last one
    for everything above.  Buckets are not cumulative here: the renderer
    sums them, and renders _count as that sum, so a scrape racing an
    observation still sees a consistent histogram.  One writer, the loop.  */
#define CLIPD_HISTOGRAM_BOUNDS_US(X)                                          \
    X (100) X (250) X (500) X (1000) X (2500) X (5000) X (10000) X (25000)    \
    X (50000) X (100000) X (250000) X (500000) X (1000000) X (2500000)        \
    X (5000000) X (10000000)
#define CLIPD_HISTOGRAM_COUNT_BOUND(us) + 1
#define CLIPD_HISTOGRAM_BOUNDS (0 CLIPD_HISTOGRAM_BOUNDS_US (CLIPD_HISTOGRAM_COUNT_BOUND))

typedef struct {
    atomic_uint_fast64_t buckets [CLIPD_HISTOGRAM_BOUNDS + 1];
    atomic_uint_fast64_t sum_us;
} clipd_histogram_t;

/*  The upper bound of bucket i (< CLIPD_HISTOGRAM_BOUNDS), in us.  */
static inline uint64_t
clipd_histogram_bound (size_t i)
{
    static const uint64_t bounds [] = {
#define CLIPD_HISTOGRAM_BOUND_ITEM(b) b,
        CLIPD_HISTOGRAM_BOUNDS_US (CLIPD_HISTOGRAM_BOUND_ITEM)
#undef CLIPD_HISTOGRAM_BOUND_ITEM
    };
    return bounds [i];
}

static inline void
clipd_histogram_observe (clipd_histogram_t *h, uint64_t us)
{
    size_t i = 0;
    while (i < CLIPD_HISTOGRAM_BOUNDS && us > clipd_histogram_bound (i))
        i++;
    atomic_fetch_add_explicit (&h->buckets [i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit (&h->sum_us, us, memory_order_relaxed);
}

/*  Counters by a code, one sample per code of the table from the start:
    X (field, family, label, count, name, help), name (i) the label value
    of index i.  A failed record whose code is not in CLIP_ERROR_MAP (a
    worker of another version) counts as "other".  */
static inline const char *
clipd_error_label (int i)
{
    return i < CLIP_ERROR_COUNT ? clip_error_name ((clip_error_t) i) : "other";
}
static inline const char *
clipd_verdict_label (int i)
{
    return clip_verdict_name ((clip_verdict_t) i);
}
#define CLIPD_LABELLED_MAP(X)                                                                \
    X (records_by_verdict, "clipd_records_verdict_total", "verdict", CLIP_VERDICT_COUNT,     \
       clipd_verdict_label, "Records of analysed articles, by near-duplicate verdict.")     \
    X (records_by_error, "clipd_records_failed_total", "code", CLIP_ERROR_COUNT + 1,         \
       clipd_error_label, "Records of articles that failed, by error code.")

/*  X (field, family, help): one row per histogram, rendered by http.c.  */
#define CLIPD_HISTOGRAMS_MAP(X)                                                             \
    X (task_seconds, "clipd_task_seconds",                                                 \
       "From sending a task to a worker to receiving its result: the analysis and the round trip.") \
    X (commit_seconds, "clipd_commit_seconds",                                             \
       "Group commits, from BEGIN to a durable COMMIT (its fsync included).")              \
    X (end_to_end_seconds, "clipd_end_to_end_seconds",                                     \
       "From a file's arrival in the inbox (its change time, which the rename sets) to its record's publication.")

/*  X (field, family, labels, type, help)  */
#define CLIPD_METRICS_MAP(X)                                                                \
    X (records_total, "clipd_records_total", "", counter,                                  \
       "Records committed to the results log.")                                            \
    X (commits_total, "clipd_commits_total", "", counter,                                  \
       "Group commits (one fsync each).")                                                  \
    X (commit_failures, "clipd_commit_failures_total", "", counter,                        \
       "Group commits that failed and were retried.")                                      \
    X (commit_failing, "clipd_commit_failing", "", gauge,                                  \
       "1 while commits to the results log fail (cleared by the next commit that succeeds).") \
    X (tasks_resent, "clipd_tasks_resent_total", "", counter,                              \
       "Tasks sent again to another worker because theirs was lost or missed the deadline.") \
    X (task_timeouts, "clipd_task_timeouts_total", "", counter,                            \
       "Tasks whose worker missed the deadline (--task-timeout-ms); the worker is dropped.") \
    X (worker_restarts, "clipd_worker_restarts_total", "", counter,                        \
       "Local workers (--workers) restarted after they exited.")                           \
    X (replay_records, "clipd_replay_records_total", "", counter,                          \
       "Records served to replay requests.")                                               \
    X (subscribers, "clipd_subscribers", "", gauge,                                        \
       "Connections open to the pub endpoint (subscribers; under CURVE, also peers being authenticated).") \
    X (work_waiting, "clipd_work_waiting", "", gauge,                                      \
       "Files waiting: ready in the inbox (at most --max-pending are tracked) plus claimed and not finished. For autoscalers.") \
    X (loop_lag_us, "clipd_loop_lag_microseconds", "", gauge,                              \
       "How late the event loop ran its 500 ms timer, the most in the last 10 s: how long its callbacks hold it.") \
    X (subscriptions_matchable, "clipd_subscriptions_total", "matchable=\"yes\"", counter,  \
       "Subscriptions received on the pub endpoint, by whether they can match a topic.")  \
    X (subscriptions_unmatchable, "clipd_subscriptions_total", "matchable=\"no\"", counter, \
       "Subscriptions received on the pub endpoint, by whether they can match a topic.")  \
    X (subscriptions_held, "clipd_subscriptions", "", gauge,                               \
       "Distinct subscription prefixes the pub endpoint holds now.")                       \
    X (publisher_resets, "clipd_publisher_resets_total", "", counter,                      \
       "Times the pub endpoint dropped every subscriber: too many distinct subscriptions.") \
    X (inflight, "clipd_inflight", "", gauge,                                              \
       "Files claimed and not yet finished.")                                              \
    X (inflight_bytes, "clipd_inflight_bytes", "", gauge,                                  \
       "Bytes of the files claimed and not yet finished (bounded by --max-inflight-bytes).") \
    X (queued, "clipd_queued", "", gauge,                                                  \
       "Tasks waiting for a worker.")                                                      \
    X (workers, "clipd_workers", "", gauge,                                                \
       "Workers connected.")                                                               \
    X (inbox_ready, "clipd_inbox_ready", "", gauge,                                        \
       "Inbox files ready to be claimed.")                                                 \
    X (head, "clipd_results_head", "", gauge,                                              \
       "The highest committed seq.")                                                       \
    X (corpus, "clipd_corpus_articles", "", gauge,                                         \
       "Articles in the corpus.")                                                          \
    X (bad_results, "clipd_bad_results_total", "", counter,                                \
       "Worker results refused as malformed (the file failed with bad_result).")           \
    X (worker_messages_refused, "clipd_worker_messages_refused_total", "", counter,         \
       "Messages on the task endpoint dropped as malformed.")                              \
    X (replay_requests, "clipd_replay_requests_total", "", counter,                        \
       "Replay requests received.")                                                        \
    X (replay_bad_requests, "clipd_replay_refused_total", "reason=\"bad_request\"", counter, \
       "Replay requests refused.")                                                         \
    X (replay_busy, "clipd_replay_refused_total", "reason=\"busy\"", counter,              \
       "Replay requests refused.")                                                         \
    X (replay_abandoned, "clipd_replay_abandoned_total", "", counter,                      \
       "Replay pages abandoned: the client took nothing for 30 s.")                        \
    X (retire_failures, "clipd_retire_failures_total", "", counter,                        \
       "Failed attempts to move a committed file out of processing/ (retried).")           \
    X (retire_backlog, "clipd_retire_backlog", "", gauge,                                  \
       "Committed files still in processing/ because moving them failed.")                 \
    X (inbox_rewatched, "clipd_inbox_rewatched_total", "", counter,                        \
       "Times the inbox folder was deleted, moved or replaced and watched again.")         \
    X (inbox_unwatched, "clipd_inbox_unwatched", "", gauge,                                \
       "1 while the inbox path is missing or cannot be watched.")                          \
    X (claims_copied, "clipd_claims_copied_total", "", counter,                            \
       "Files claimed by copy because the inbox is on another file system.")               \
    X (auth_refused_workers, "clipd_auth_refused_total", "domain=\"workers\"", counter,     \
       "CURVE handshakes refused by the ZAP handler, by domain.")                          \
    X (auth_refused_subscribers, "clipd_auth_refused_total", "domain=\"subscribers\"",      \
       counter, "CURVE handshakes refused by the ZAP handler, by domain.")                 \
    X (auth_accepted_workers, "clipd_auth_accepted_total", "domain=\"workers\"", counter,   \
       "CURVE handshakes accepted by the ZAP handler, by domain.")                         \
    X (auth_accepted_subscribers, "clipd_auth_accepted_total", "domain=\"subscribers\"",    \
       counter, "CURVE handshakes accepted by the ZAP handler, by domain.")

typedef struct {
#define CLIPD_METRIC_FIELD(field, family, labels, type, help) atomic_uint_fast64_t field;
    CLIPD_METRICS_MAP (CLIPD_METRIC_FIELD)
#undef CLIPD_METRIC_FIELD
    /*  Labelled by a code table (proto/clip_codes.h): every label value
        is rendered from the start, at zero (CLIPD_LABELLED_MAP).  */
    atomic_uint_fast64_t records_by_verdict [CLIP_VERDICT_COUNT];
    atomic_uint_fast64_t records_by_error [CLIP_ERROR_COUNT + 1];   /* + "other" */
#define CLIPD_HISTOGRAM_FIELD(field, family, help) clipd_histogram_t field;
    CLIPD_HISTOGRAMS_MAP (CLIPD_HISTOGRAM_FIELD)
#undef CLIPD_HISTOGRAM_FIELD
    /*  Not exported as such: read by /healthz and for the uptime.  */
    atomic_uint_fast64_t loop_tick_ms;      /* monotonic ms of the last loop tick */
    atomic_uint_fast64_t started_ms;        /* unix ms */
    clipd_metric_text_t retire_first;       /* the oldest file of retire_backlog */
    clipd_metric_text_t commit_error;       /* why commits fail, while commit_failing */
} clipd_metrics_t;

#define CLIPD_METRIC_ADD(m, field, n) \
    do { if (m) atomic_fetch_add (&(m)->field, (n)); } while (0)
#define CLIPD_METRIC_SET(m, field, v) \
    do { if (m) atomic_store (&(m)->field, (v)); } while (0)
#define CLIPD_METRIC_OBSERVE(m, field, us) \
    do { if (m) clipd_histogram_observe (&(m)->field, (us)); } while (0)

#endif
