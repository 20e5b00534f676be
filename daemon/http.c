/*  http: health and metrics over libmicrohttpd.  See http.h.  */
#include "http.h"

#include <arpa/inet.h>
#include <assert.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_util.h"

/*  The loop ticks every 500 ms; this long without a tick means it is stuck.  */
#define LOOP_STALLED_MS 5000

struct clip_http {
    struct MHD_Daemon *daemon;
    const clipd_metrics_t *metrics;
    unsigned port;
};

#define LOAD(field) ((unsigned long long) atomic_load (&m->field))

static char *
render_health (const clipd_metrics_t *m, unsigned *status)
{
    uint64_t now = clip_mono_ms ();
    uint64_t tick = LOAD (loop_tick_ms);
    uint64_t lag = now > tick ? now - tick : 0;
    bool stalled = lag > LOOP_STALLED_MS;
    bool starved = LOAD (workers) == 0 && (LOAD (queued) > 0 || LOAD (inbox_ready) > 0);
    *status = stalled || starved ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK;
    return clip_strprintf (
        "{\"status\": \"%s\", \"reason\": \"%s\", \"workers\": %llu, \"inflight\": %llu, "
        "\"queued\": %llu, \"inbox_ready\": %llu, \"head\": %llu, \"corpus\": %llu, "
        "\"loop_lag_ms\": %llu}\n",
        *status == MHD_HTTP_OK ? "ok" : "unavailable",
        stalled ? "the event loop is not turning" : starved ? "articles wait and no worker is connected" : "",
        LOAD (workers), LOAD (inflight), LOAD (queued), LOAD (inbox_ready), LOAD (head),
        LOAD (corpus), (unsigned long long) lag);
}

static char *
render_metrics (const clipd_metrics_t *m)
{
    uint64_t now = clip_now_ms ();
    uint64_t started = LOAD (started_ms);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&text, &len);
    if (!out)
        return clip_strdup ("");
    const char *family = "";
#define RENDER_METRIC(field, name, labels, type, help)                                  \
    if (strcmp (family, name) != 0) {                                                   \
        fprintf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, #type);          \
        family = name;                                                                  \
    }                                                                                   \
    fprintf (out, *labels ? "%s{%s} %llu\n" : "%s%s %llu\n", name, labels, LOAD (field));
    CLIPD_METRICS_MAP (RENDER_METRIC)
#undef RENDER_METRIC
    fprintf (out, "# HELP clipd_uptime_seconds Seconds since clipd started.\n"
             "# TYPE clipd_uptime_seconds gauge\n"
             "clipd_uptime_seconds %llu\n",
             (unsigned long long) (now > started ? (now - started) / 1000 : 0));
    fclose (out);
    return text;
}

static enum MHD_Result
on_request (void *cls, struct MHD_Connection *conn, const char *url, const char *method,
            const char *version, const char *upload_data, size_t *upload_size, void **req_cls)
{
    clip_http_t *self = cls;
    if (strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0) {
        static char msg [] = "only GET\n";
        struct MHD_Response *r = MHD_create_response_from_buffer (strlen (msg), msg,
                                                                  MHD_RESPMEM_PERSISTENT);
        enum MHD_Result rc = MHD_queue_response (conn, MHD_HTTP_METHOD_NOT_ALLOWED, r);
        MHD_destroy_response (r);
        return rc;
    }
    unsigned status = MHD_HTTP_OK;
    char *body;
    const char *type;
    if (strcmp (url, "/healthz") == 0) {
        body = render_health (self->metrics, &status);
        type = "application/json";
    }
    else
    if (strcmp (url, "/metrics") == 0) {
        body = render_metrics (self->metrics);
        type = "text/plain; version=0.0.4";
    }
    else {
        body = clip_strdup ("not found: try /healthz or /metrics\n");
        type = "text/plain";
        status = MHD_HTTP_NOT_FOUND;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer (strlen (body), body,
                                                              MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header (r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result rc = MHD_queue_response (conn, status, r);
    MHD_destroy_response (r);
    return rc;
}

clip_http_t *
clip_http_start (const char *addr_port, const clipd_metrics_t *metrics, char *err, size_t err_size)
{
    const char *colon = strrchr (addr_port, ':');
    struct sockaddr_in sa = { .sin_family = AF_INET };
    char host [64];
    char *end = NULL;
    unsigned long port = colon ? strtoul (colon + 1, &end, 10) : 0;
    if (!colon || (size_t) (colon - addr_port) >= sizeof host || !end || *end || port > 65535) {
        snprintf (err, err_size, "--http must be ADDR:PORT (IPv4), got '%s'", addr_port);
        return NULL;
    }
    memcpy (host, addr_port, (size_t) (colon - addr_port));
    host [colon - addr_port] = 0;
    if (inet_pton (AF_INET, host, &sa.sin_addr) != 1) {
        snprintf (err, err_size, "--http address '%s' is not an IPv4 address", host);
        return NULL;
    }
    sa.sin_port = htons ((uint16_t) port);
    clip_http_t *self = clip_calloc (1, sizeof *self);
    self->metrics = metrics;
    self->daemon = MHD_start_daemon (MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
                                     0, NULL, NULL, on_request, self,
                                     MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &sa,
                                     MHD_OPTION_CONNECTION_LIMIT, (unsigned) 64,
                                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) 10,
                                     MHD_OPTION_END);
    if (!self->daemon) {
        snprintf (err, err_size, "cannot serve HTTP on %s (address in use?)", addr_port);
        free (self);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info (self->daemon, MHD_DAEMON_INFO_BIND_PORT);
    self->port = info ? info->port : (unsigned) port;
    return self;
}

unsigned
clip_http_port (const clip_http_t *self)
{
    return self->port;
}

void
clip_http_stop (clip_http_t **self_p)
{
    assert (self_p);
    clip_http_t *self = *self_p;
    if (!self)
        return;
    MHD_stop_daemon (self->daemon);
    free (self);
    *self_p = NULL;
}
