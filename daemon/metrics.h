/*  metrics: the numbers clipd exposes on /metrics and /healthz.

    One table, CLIPD_METRICS_MAP, declares every metric once: the field of
    clipd_metrics_t that holds it, its Prometheus family, its label set (or
    "" for none), whether it is a counter or a gauge, and its help text.
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

/*  X (field, family, labels, type, help)  */
#define CLIPD_METRICS_MAP(X)                                                                \
    X (records_total, "clipd_records_total", "", counter,                                  \
       "Records committed to the results log.")                                            \
    X (records_failed, "clipd_records_failed_total", "", counter,                          \
       "Records of articles that failed.")                                                 \
    X (records_duplicate, "clipd_records_verdict_total", "verdict=\"duplicate\"", counter, \
       "Records by near-duplicate verdict.")                                               \
    X (records_near, "clipd_records_verdict_total", "verdict=\"near_duplicate\"", counter, \
       "Records by near-duplicate verdict.")                                               \
    X (commits_total, "clipd_commits_total", "", counter,                                  \
       "Group commits (one fsync each).")                                                  \
    X (commit_failures, "clipd_commit_failures_total", "", counter,                        \
       "Group commits that failed and were retried.")                                      \
    X (commit_failing, "clipd_commit_failing", "", gauge,                                  \
       "1 while commits to the results log fail (cleared by the next commit that succeeds).") \
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

#endif
