/*  http: health and metrics over libmicrohttpd.  See http.h.  */
#include "http.h"

#include <arpa/inet.h>
#include <assert.h>
#include <dirent.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <utlist.h>

#include "clip_log.h"
#include "clip_util.h"

/*  The loop ticks every LOOP_TICK_MS (clipd.c's TICK_MS); this long
    without a tick means it is stuck.  */
#define LOOP_TICK_MS 500
#define LOOP_STALLED_MS 5000

/*  One connection, from accept to close (MHD_OPTION_NOTIFY_CONNECTION).  */
typedef struct http_conn {
    int fd;
    uint64_t started_ms;        /* monotonic */
    bool cut;                   /* shut down by the reaper */
    struct http_conn *prev, *next;
} http_conn_t;

struct clip_http {
    struct MHD_Daemon *daemon;
    const clipd_metrics_t *metrics;
    char *state_dir;            /* for its free space; may be NULL */
    unsigned port;
    /*  The reaper: a thread that shuts down connections older than
        CLIP_HTTP_CONNECTION_MAX_MS.  MHD's own timeout counts from the last
        byte received, so a client dripping one byte a second would hold a
        connection for ever.  */
    pthread_mutex_t mutex;      /* guards conns, stop */
    pthread_cond_t wake;
    pthread_t reaper;
    bool reaper_started;
    bool stop;
    http_conn_t *conns;
    atomic_uint_fast64_t log_ms;    /* last MHD error logged, for the rate limit */
};

#define LOAD(field) ((unsigned long long) atomic_load (&m->field))

/*  The loop's lag in ms: how late its 500 ms tick ran, the most in the
    last 10 s (clipd.c measures it), or, when the next tick is overdue
    now, by how much.  So
    an idle loop says about 0, a busy one how long its callbacks hold it,
    and a stuck one a number that keeps growing.  *stalled when no tick
    came for LOOP_STALLED_MS.  */
static uint64_t
loop_lag (const clipd_metrics_t *m, bool *stalled)
{
    uint64_t now = clip_mono_ms ();
    uint64_t tick = LOAD (loop_tick_ms);
    uint64_t since = now > tick ? now - tick : 0;
    uint64_t lag = LOAD (loop_lag_us) / 1000;
    if (since > LOOP_TICK_MS && since - LOOP_TICK_MS > lag)
        lag = since - LOOP_TICK_MS;
    *stalled = since > LOOP_STALLED_MS;
    return lag;
}

static char *
render_health (const clipd_metrics_t *m, const char *state_dir, unsigned *status)
{
    bool stalled;
    uint64_t lag = loop_lag (m, &stalled);
    bool starved = LOAD (workers) == 0 && (LOAD (queued) > 0 || LOAD (inbox_ready) > 0);
    *status = stalled || starved ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK;
    const char *reason = stalled ? "the event loop is not turning"
                       : starved ? "articles wait and no worker is connected" : "";
    /*  Commits failing (disk full, I/O error): clipd keeps the files and
        retries, but nothing moves until a commit succeeds again.  */
    char commit_reason [CLIPD_METRIC_TEXT_MAX];
    if (!*reason && LOAD (commit_failing)) {
        clipd_metric_text_get (&m->commit_error, commit_reason, sizeof commit_reason);
        /*  The reason sits in a JSON string: keep it plain.  */
        for (char *c = commit_reason; *c; c++)
            if (*c == '"' || *c == '\\' || (unsigned char) *c < 0x20)
                *c = '\'';
        if (!*commit_reason)
            snprintf (commit_reason, sizeof commit_reason, "commits to the results log are failing");
        reason = commit_reason;
        *status = MHD_HTTP_SERVICE_UNAVAILABLE;
    }
    /*  Files that stopped moving (retire.c, inbox.c): each its own reason.  */
    char files_reason [2048];   /* a name of 255 bytes, escaped at six bytes each at worst */
    if (!*reason && LOAD (retire_backlog) > 0) {
        char first [CLIPD_METRIC_TEXT_MAX];
        clipd_metric_text_get (&m->retire_first, first, sizeof first);
        json_t *js = json_string (first);
        char *quoted = js ? json_dumps (js, JSON_ENCODE_ANY) : NULL;
        json_decref (js);
        /*  quoted is "..." with JSON escapes: the reason is a JSON string.  */
        snprintf (files_reason, sizeof files_reason,
                  "%llu committed files cannot be moved out of processing/ (retried), first: %.*s",
                  LOAD (retire_backlog), quoted ? (int) strlen (quoted) - 2 : 0,
                  quoted ? quoted + 1 : "");
        free (quoted);
        reason = files_reason;
        *status = MHD_HTTP_SERVICE_UNAVAILABLE;
    }
    if (!*reason && LOAD (inbox_unwatched)) {
        reason = "the inbox folder is missing or cannot be watched (retried)";
        *status = MHD_HTTP_SERVICE_UNAVAILABLE;
    }
    /*  The state folder's free space (for an unprivileged process, as df
        shows it); -1 when it cannot be read.  */
    struct statvfs vfs;
    long long free_bytes = state_dir && statvfs (state_dir, &vfs) == 0
                         ? (long long) vfs.f_bavail * (long long) vfs.f_frsize : -1;
    uint64_t now = clip_now_ms (), started = LOAD (started_ms);
    return clip_strprintf (
        "{\"status\": \"%s\", \"reason\": \"%s\", \"version\": \"%s\", \"uptime_s\": %llu, "
        "\"workers\": %llu, \"inflight\": %llu, "
        "\"queued\": %llu, \"inbox_ready\": %llu, \"head\": %llu, \"corpus\": %llu, "
        "\"loop_lag_ms\": %llu, \"state_free_bytes\": %lld}\n",
        *status == MHD_HTTP_OK ? "ok" : "unavailable",
        reason, CLIP_VERSION, (unsigned long long) (now > started ? (now - started) / 1000 : 0),
        LOAD (workers), LOAD (inflight), LOAD (queued), LOAD (inbox_ready), LOAD (head),
        LOAD (corpus), (unsigned long long) lag, free_bytes);
}

/*  /livez: is this process worth keeping?  Only a loop that stopped
    turning says no.  Every other 503 of /healthz (no worker while articles
    wait, commits failing, files stuck) is about the world around clipd,
    which restarting clipd does not mend: a container engine that restarts
    on an unhealthy check (Swarm, Kubernetes' livenessProbe) must ask this,
    and a load balancer or an operator /healthz.  */
static char *
render_live (const clipd_metrics_t *m, unsigned *status)
{
    bool stalled;
    uint64_t lag = loop_lag (m, &stalled);
    *status = stalled ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK;
    return clip_strprintf ("{\"status\": \"%s\", \"reason\": \"%s\", \"loop_lag_ms\": %llu}\n",
                           stalled ? "unavailable" : "ok",
                           stalled ? "the event loop is not turning" : "",
                           (unsigned long long) lag);
}

/*  One histogram in the text format: cumulative buckets, then _sum and
    _count.  The buckets are read once and _count is their total, so the
    +Inf bucket and _count always agree (metrics.h).  */
static void
render_histogram (FILE *out, const char *name, const char *help, const clipd_histogram_t *h)
{
    fprintf (out, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    unsigned long long total = 0;
    for (size_t i = 0; i <= CLIPD_HISTOGRAM_BOUNDS; i++) {
        total += atomic_load_explicit (&h->buckets [i], memory_order_relaxed);
        if (i < CLIPD_HISTOGRAM_BOUNDS)
            fprintf (out, "%s_bucket{le=\"%g\"} %llu\n", name, (double) clipd_histogram_bound (i) / 1e6, total);
        else
            fprintf (out, "%s_bucket{le=\"+Inf\"} %llu\n", name, total);
    }
    fprintf (out, "%s_sum %.6f\n%s_count %llu\n", name,
             (double) atomic_load_explicit (&h->sum_us, memory_order_relaxed) / 1e6, name, total);
}

/*  The process metrics every Prometheus client library exports, under
    their usual names, read from /proc at scrape time (by this thread: the
    loop is not involved).  A value /proc does not give is left out rather
    than made up.  */
static void
render_process (FILE *out, uint64_t started_ms)
{
    long ticks = sysconf (_SC_CLK_TCK);
    long page = sysconf (_SC_PAGESIZE);
    char buf [1024];
    FILE *f = fopen ("/proc/self/stat", "r");
    size_t n = f ? fread (buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose (f);
    buf [n] = 0;
    /*  Fields after the command name, which is in parentheses and may hold
        spaces: start at the last ')'.  utime and stime are fields 14 and
        15, vsize 23, rss 24 (proc(5)).  */
    char *p = strrchr (buf, ')');
    unsigned long long utime = 0, stime = 0, vsize = 0, rss = 0;
    if (p && ticks > 0 && page > 0
    &&  sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu "
                "%*d %*d %*d %*d %*d %*d %*u %llu %llu", &utime, &stime, &vsize, &rss) == 4) {
        fprintf (out, "# HELP process_cpu_seconds_total User and system CPU time spent, in seconds.\n"
                 "# TYPE process_cpu_seconds_total counter\n"
                 "process_cpu_seconds_total %.2f\n",
                 (double) (utime + stime) / (double) ticks);
        fprintf (out, "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
                 "# TYPE process_virtual_memory_bytes gauge\n"
                 "process_virtual_memory_bytes %llu\n", vsize);
        fprintf (out, "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
                 "# TYPE process_resident_memory_bytes gauge\n"
                 "process_resident_memory_bytes %llu\n", rss * (unsigned long long) page);
    }
    DIR *dir = opendir ("/proc/self/fd");
    if (dir) {
        unsigned long long fds = 0;
        struct dirent *e;
        while ((e = readdir (dir)))
            if (e->d_name [0] != '.')
                fds++;
        closedir (dir);
        /*  Less the descriptor opendir itself held.  */
        fprintf (out, "# HELP process_open_fds Number of open file descriptors.\n"
                 "# TYPE process_open_fds gauge\n"
                 "process_open_fds %llu\n", fds > 0 ? fds - 1 : 0);
    }
    struct rlimit rl;
    if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        fprintf (out, "# HELP process_max_fds Maximum number of open file descriptors.\n"
                 "# TYPE process_max_fds gauge\n"
                 "process_max_fds %llu\n", (unsigned long long) rl.rlim_cur);
    fprintf (out, "# HELP process_start_time_seconds Start time of the process since the unix epoch, in seconds.\n"
             "# TYPE process_start_time_seconds gauge\n"
             "process_start_time_seconds %.3f\n", (double) started_ms / 1000.0);
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
#define RENDER_LABELLED(field, name, label, count, label_of, help)                       \
    fprintf (out, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);                \
    for (int i = 0; i < (count); i++)                                                   \
        fprintf (out, "%s{%s=\"%s\"} %llu\n", name, label, label_of (i),                  \
                 (unsigned long long) atomic_load (&m->field [i]));
    CLIPD_LABELLED_MAP (RENDER_LABELLED)
#undef RENDER_LABELLED
#define RENDER_HISTOGRAM(field, name, help) render_histogram (out, name, help, &m->field);
    CLIPD_HISTOGRAMS_MAP (RENDER_HISTOGRAM)
#undef RENDER_HISTOGRAM
    fprintf (out, "# HELP clipd_build_info The clipd version serving, as a label.\n"
             "# TYPE clipd_build_info gauge\n"
             "clipd_build_info{version=\"%s\"} 1\n", CLIP_VERSION);
    render_process (out, started);
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
        MHD_add_response_header (r, MHD_HTTP_HEADER_CONNECTION, "close");
        enum MHD_Result rc = MHD_queue_response (conn, MHD_HTTP_METHOD_NOT_ALLOWED, r);
        MHD_destroy_response (r);
        return rc;
    }
    unsigned status = MHD_HTTP_OK;
    char *body;
    const char *type;
    if (strcmp (url, "/healthz") == 0) {
        body = render_health (self->metrics, self->state_dir, &status);
        type = "application/json";
    }
    else
    if (strcmp (url, "/livez") == 0) {
        body = render_live (self->metrics, &status);
        type = "application/json";
    }
    else
    if (strcmp (url, "/metrics") == 0) {
        body = render_metrics (self->metrics);
        type = "text/plain; version=0.0.4";
    }
    else {
        body = clip_strdup ("not found: try /healthz, /livez or /metrics\n");
        type = "text/plain";
        status = MHD_HTTP_NOT_FOUND;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer (strlen (body), body,
                                                              MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header (r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    /*  One request per connection: a connection's life is then one
        request, which the reaper bounds.  */
    MHD_add_response_header (r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result rc = MHD_queue_response (conn, status, r);
    MHD_destroy_response (r);
    return rc;
}

/*  Connections at most: well above what health checks and scrapers need,
    well below the descriptors clipd may open (it needs its own for the
    database, inbox and sockets).  */
static unsigned
connection_limit (void)
{
    struct rlimit rl;
    unsigned limit = CLIP_HTTP_MAX_CONNECTIONS;
    if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        rlim_t share = rl.rlim_cur > 512 ? (rl.rlim_cur - 256) / 2 : 64;
        if (share < limit)
            limit = (unsigned) share;
    }
    return limit;
}

static void
on_connection (void *cls, struct MHD_Connection *conn, void **socket_context,
               enum MHD_ConnectionNotificationCode code)
{
    clip_http_t *self = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info (conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        http_conn_t *c = clip_calloc (1, sizeof *c);
        c->fd = info ? info->connect_fd : -1;
        c->started_ms = clip_mono_ms ();
        pthread_mutex_lock (&self->mutex);
        DL_APPEND (self->conns, c);
        pthread_mutex_unlock (&self->mutex);
        *socket_context = c;
    }
    else
    if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        /*  MHD closes the descriptor only after this returns: holding the
            mutex here keeps the reaper from touching a reused one.  */
        http_conn_t *c = *socket_context;
        pthread_mutex_lock (&self->mutex);
        DL_DELETE (self->conns, c);
        pthread_mutex_unlock (&self->mutex);
        free (c);
        *socket_context = NULL;
    }
}

/*  Every CLIP_HTTP_REAP_MS, shut down the connections older than
    CLIP_HTTP_CONNECTION_MAX_MS.  shutdown(), not close(): the descriptor
    stays MHD's, MHD sees the end of the stream and closes the connection
    as usual.  */
static void *
reaper_main (void *arg)
{
    clip_http_t *self = arg;
    pthread_mutex_lock (&self->mutex);
    while (!self->stop) {
        struct timespec ts;
        clock_gettime (CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += (long) CLIP_HTTP_REAP_MS * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        pthread_cond_timedwait (&self->wake, &self->mutex, &ts);
        uint64_t now = clip_mono_ms ();
        http_conn_t *c;
        DL_FOREACH (self->conns, c) {
            if (!c->cut && c->fd >= 0 && now - c->started_ms > CLIP_HTTP_CONNECTION_MAX_MS) {
                shutdown (c->fd, SHUT_RDWR);
                c->cut = true;
            }
        }
    }
    pthread_mutex_unlock (&self->mutex);
    return NULL;
}

/*  MHD's own errors (e.g. the connection limit reached), through clip_log,
    at most one line a second: a peer must not be able to flood the log.  */
static void
on_mhd_log (void *cls, const char *fmt, va_list ap)
{
    clip_http_t *self = cls;
    uint64_t now = clip_mono_ms ();
    uint64_t last = atomic_load (&self->log_ms);
    if (last && now - last < 1000)
        return;
    if (!atomic_compare_exchange_strong (&self->log_ms, &last, now))
        return;
    char text [512];
    vsnprintf (text, sizeof text, fmt, ap);
    size_t len = strlen (text);
    while (len > 0 && (text [len - 1] == '\n' || text [len - 1] == ' '))
        text [--len] = 0;
    char q [600];
    clip_warn ("http_error", "message=%s", clip_log_quote (q, sizeof q, text));
}

clip_http_t *
clip_http_start (const char *addr_port, const clipd_metrics_t *metrics, const char *state_dir,
                 char *err, size_t err_size)
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
    self->state_dir = state_dir ? clip_strdup (state_dir) : NULL;
    pthread_mutex_init (&self->mutex, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init (&attr);
    pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
    pthread_cond_init (&self->wake, &attr);
    pthread_condattr_destroy (&attr);
    /*  epoll, so the connection limit is not bound by FD_SETSIZE.  */
    self->daemon = MHD_start_daemon (MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG,
                                     0, NULL, NULL, on_request, self,
                                     /*  First: libmicrohttpd (0.9.75) logs the options
                                         before this one on stderr, and warns when it is
                                         not first.  */
                                     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, self,
                                     MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &sa,
                                     MHD_OPTION_CONNECTION_LIMIT, connection_limit (),
                                     MHD_OPTION_CONNECTION_TIMEOUT,
                                     (unsigned) CLIP_HTTP_IDLE_TIMEOUT_S,
                                     MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                     (size_t) CLIP_HTTP_CONNECTION_MEMORY,
                                     MHD_OPTION_NOTIFY_CONNECTION, on_connection, self,
                                     MHD_OPTION_END);
    if (!self->daemon) {
        snprintf (err, err_size, "cannot serve HTTP on %s (address in use?)", addr_port);
        pthread_cond_destroy (&self->wake);
        pthread_mutex_destroy (&self->mutex);
        free (self->state_dir);
        free (self);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info (self->daemon, MHD_DAEMON_INFO_BIND_PORT);
    self->port = info ? info->port : (unsigned) port;
    self->reaper_started = pthread_create (&self->reaper, NULL, reaper_main, self) == 0;
    if (!self->reaper_started) {
        snprintf (err, err_size, "cannot start the HTTP reaper thread");
        clip_http_stop (&self);
        return NULL;
    }
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
    if (self->reaper_started) {
        pthread_mutex_lock (&self->mutex);
        self->stop = true;
        pthread_cond_signal (&self->wake);
        pthread_mutex_unlock (&self->mutex);
        pthread_join (self->reaper, NULL);
    }
    /*  Closes every connection, each through on_connection.  */
    MHD_stop_daemon (self->daemon);
    assert (self->conns == NULL);
    pthread_cond_destroy (&self->wake);
    pthread_mutex_destroy (&self->mutex);
    free (self->state_dir);
    free (self);
    *self_p = NULL;
}
