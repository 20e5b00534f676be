/*  http: clipd's health and metrics endpoint (libmicrohttpd).

    GET /healthz answers JSON {status, reason, version, uptime_s, workers,
    inflight, queued, inbox_ready, head, corpus, loop_lag_ms,
    state_free_bytes}: 200 when the loop is turning and, if files are
    waiting, some worker is connected; 503 otherwise, with the reason.
    loop_lag_ms is how late the loop runs its timers (about 0 when idle).  GET /livez answers
    {status, reason, loop_lag_ms}, 503 only when the loop is not turning:
    the question a container engine that restarts on failure asks (a
    restart mends a stuck loop, not a missing worker or a full disk).
    GET /metrics answers the Prometheus text format: the table of
    metrics.h (counters, gauges, counters labelled by every code of
    proto/clip_codes.h from zero, histograms), clipd_build_info, and the
    usual process_* metrics read from /proc at scrape time.  Anything else is 404.

    /healthz is also 503 while commits to the results log fail (reason
    "commits to the results log are failing: <SQLite error>").

    libmicrohttpd serves from its own thread; it only reads clipd_metrics_t
    (metrics.h), whose fields are C11 atomics the loop writes, so no lock is
    shared with the loop and a slow scraper can never stall it.

    Limits, so that idle or slow clients cannot keep health unreachable:
    one request per connection ("Connection: close"); a connection silent
    for CLIP_HTTP_IDLE_TIMEOUT_S is closed by libmicrohttpd, and any
    connection older than CLIP_HTTP_CONNECTION_MAX_MS (one dripping a byte
    a second included) is shut down by a reaper thread; at most
    CLIP_HTTP_MAX_CONNECTIONS at once (fewer if RLIMIT_NOFILE is low),
    served by an epoll thread; CLIP_HTTP_CONNECTION_MEMORY bytes of request
    per connection (larger headers get 431).  MHD's own errors are logged
    as event=http_error, at most one line a second.
*/
#ifndef CLIP_HTTP_H
#define CLIP_HTTP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"

#define CLIP_HTTP_MAX_CONNECTIONS 1024
#define CLIP_HTTP_IDLE_TIMEOUT_S 3
#define CLIP_HTTP_CONNECTION_MAX_MS 5000
#define CLIP_HTTP_REAP_MS 500
#define CLIP_HTTP_CONNECTION_MEMORY (16 * 1024)

typedef struct clip_http clip_http_t;

/*  Serve on "ADDR:PORT" (IPv4; port 0 picks a free one).  metrics must
    outlive the server; state_dir (copied; may be NULL) is the folder whose
    free space /healthz reports.  Returns NULL with err set.  Caller owns
    the result. */
clip_http_t *clip_http_start (const char *addr_port, const clipd_metrics_t *metrics,
                              const char *state_dir, char *err, size_t err_size);
/*  The port actually bound.  */
unsigned clip_http_port (const clip_http_t *self);
/*  Stop serving (joins the server thread); nulls the caller's pointer.  */
void clip_http_stop (clip_http_t **self_p);

#endif
