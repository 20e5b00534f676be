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
#include <stdint.h>

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
       "Articles in the corpus.")

typedef struct {
#define CLIPD_METRIC_FIELD(field, family, labels, type, help) atomic_uint_fast64_t field;
    CLIPD_METRICS_MAP (CLIPD_METRIC_FIELD)
#undef CLIPD_METRIC_FIELD
    /*  Not exported as such: read by /healthz and for the uptime.  */
    atomic_uint_fast64_t loop_tick_ms;      /* monotonic ms of the last loop tick */
    atomic_uint_fast64_t started_ms;        /* unix ms */
} clipd_metrics_t;

#define CLIPD_METRIC_ADD(m, field, n) \
    do { if (m) atomic_fetch_add (&(m)->field, (n)); } while (0)
#define CLIPD_METRIC_SET(m, field, v) \
    do { if (m) atomic_store (&(m)->field, (v)); } while (0)

#endif
