/*  clip status: how a running clipd is, from its HTTP endpoint.

    By default a short summary for people: health (and the reason of a
    503), version and uptime, queue, workers, records and their rate,
    verdicts, errors by code, commits; read from GET /healthz (JSON) and GET
    /metrics (Prometheus text).  --json prints the same summary as one JSON
    object for scripts, with /healthz's own object under "healthz".
    --metrics prints /metrics as it is, --live asks /livez (for container
    health checks).  --state DIR reads the address from DIR/endpoints.json,
    for a clipd started on port 0.

    The metrics are parsed by family and label, not by position, so that a
    family or label clipd adds later does not break the summary: a figure
    clipd does not export is left out.  Exit 0 when clipd says it is
    healthy, 1 when it says it is not or cannot be reached, 2 on bad usage.  */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clip_cmd.h"
#include "clip_opt.h"
#include "clip_util.h"

#define DEFAULT_HTTP    "127.0.0.1:9110"
/*  /healthz answers a few hundred bytes, /metrics some tens of KB.  */
#define HEALTHZ_MAX     65536
#define METRICS_MAX     (4u << 20)
#define ENDPOINTS_MAX   65536
#define TIMEOUT_S       10L

typedef struct {
    char *data;
    size_t len;
    size_t max;
} body_t;

static size_t
on_data (char *ptr, size_t size, size_t nmemb, void *arg)
{
    body_t *b = arg;
    size_t n = size * nmemb;
    /*  Refuse to buffer more than the endpoint can mean to send.  */
    if (b->len + n > b->max)
        return 0;
    b->data = clip_realloc (b->data, b->len + n + 1);
    memcpy (b->data + b->len, ptr, n);
    b->len += n;
    b->data [b->len] = 0;
    return n;
}

/*  GET http://ADDR/path into *body (caller owns; never NULL on success).
    Returns the HTTP status, or -1 after saying why it could not ask.  */
static long
http_get (CURL *curl, const char *http, const char *path, size_t max, char **body)
{
    char *url = clip_strprintf ("http://%s/%s", http, path);
    body_t b = { NULL, 0, max };
    curl_easy_setopt (curl, CURLOPT_URL, url);
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt (curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt (curl, CURLOPT_TIMEOUT, TIMEOUT_S);
    curl_easy_setopt (curl, CURLOPT_NOPROXY, "*");
    CURLcode rc = curl_easy_perform (curl);
    long code = -1;
    if (rc != CURLE_OK) {
        clip_opt_error ("status", "cannot reach clipd at %s: %s", url,
                        rc == CURLE_WRITE_ERROR ? "the answer is too large"
                                                : curl_easy_strerror (rc));
        free (b.data);
        b.data = NULL;
    }
    else
        curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &code);
    free (url);
    *body = b.data ? b.data : (code >= 0 ? clip_strdup ("") : NULL);
    return code;
}

/*  One sample of the text format: name{labels} value.  */
typedef struct {
    char *name;
    char *labels;               /* between the braces, "" when none */
    double value;
} sample_t;

typedef struct {
    sample_t *s;
    size_t n, cap;
} samples_t;

/*  Parse the exposition format's sample lines (comments skipped); a line
    that does not parse is skipped too: the summary shows what it can.  */
static void
samples_parse (samples_t *self, char *text)
{
    char *save = NULL;
    for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
        if (*line == '#' || *line == 0)
            continue;
        size_t name_len = strcspn (line, "{ ");
        char *labels = "";
        char *rest = line + name_len;
        if (*rest == '{') {
            char *close = strchr (rest, '}');
            if (!close)
                continue;
            *close = 0;
            labels = rest + 1;
            rest = close + 1;
        }
        else
        if (*rest == 0)
            continue;
        else
            *rest++ = 0;
        line [name_len] = 0;
        char *end;
        double v = strtod (rest, &end);
        if (end == rest)
            continue;
        if (self->n == self->cap) {
            self->cap = self->cap ? self->cap * 2 : 64;
            self->s = clip_realloc (self->s, self->cap * sizeof *self->s);
        }
        self->s [self->n++] = (sample_t) { clip_strdup (line), clip_strdup (labels), v };
    }
}

static void
samples_free (samples_t *self)
{
    for (size_t i = 0; i < self->n; i++) {
        free (self->s [i].name);
        free (self->s [i].labels);
    }
    free (self->s);
}

/*  The value of label key in labels (key="value"), into buf; false when
    absent.  Escapes (\" \\ \n) are kept as written: clipd's label values
    are codes and versions.  */
static bool
label_get (const char *labels, const char *key, char *buf, size_t size)
{
    size_t klen = strlen (key);
    for (const char *p = labels; *p;) {
        while (*p == ',' || *p == ' ')
            p++;
        const char *eq = strchr (p, '=');
        if (!eq || eq [1] != '"')
            return false;
        const char *v = eq + 2, *q = v;
        while (*q && *q != '"')
            q += (*q == '\\' && q [1]) ? 2 : 1;
        if ((size_t) (eq - p) == klen && strncmp (p, key, klen) == 0) {
            snprintf (buf, size, "%.*s", (int) (q - v), v);
            return true;
        }
        p = *q ? q + 1 : q;
    }
    return false;
}

/*  The sum of a family's samples (all label sets); NAN when absent.  */
static double
samples_sum (const samples_t *self, const char *name)
{
    double sum = NAN;
    for (size_t i = 0; i < self->n; i++)
        if (strcmp (self->s [i].name, name) == 0)
            sum = (isnan (sum) ? 0 : sum) + self->s [i].value;
    return sum;
}

/*  Label value -> total, in order of first appearance.  */
typedef struct {
    char key [128];
    double value;
} tally_t;

#define TALLY_MAX 64

/*  Add the samples of the first family accepted by want that has the
    label key, by that label's value.  One family only: two families
    counting the same events by code must not add up to twice as many.  */
static size_t
samples_tally (const samples_t *self, bool (*want) (const char *name), const char *key,
               tally_t *tally, size_t n)
{
    const char *family = NULL;
    for (size_t i = 0; i < self->n; i++) {
        char value [128];
        if (!want (self->s [i].name) || !label_get (self->s [i].labels, key, value, sizeof value))
            continue;
        if (!family)
            family = self->s [i].name;
        if (strcmp (family, self->s [i].name) != 0)
            continue;
        size_t k = 0;
        while (k < n && strcmp (tally [k].key, value) != 0)
            k++;
        if (k == n) {
            if (n == TALLY_MAX)
                continue;
            snprintf (tally [n].key, sizeof tally [n].key, "%s", value);
            tally [n++].value = 0;
        }
        tally [k].value += self->s [i].value;
    }
    return n;
}

static bool
is_verdict_family (const char *name)
{
    return strcmp (name, "clipd_records_verdict_total") == 0;
}

/*  Failures by error code, whatever the family is called.  */
static bool
is_error_family (const char *name)
{
    size_t len = strlen (name);
    return strncmp (name, "clipd_", 6) == 0 && len > 6 && strcmp (name + len - 6, "_total") == 0
        && (strstr (name, "fail") || strstr (name, "error"));
}

/*  The summary, built once and printed either way.  */
typedef struct {
    const char *http;
    json_t *healthz;            /* NULL when /healthz was not JSON */
    long healthz_code;
    samples_t metrics;
    bool have_metrics;
    const char *status;
    const char *reason;
    const char *version;
    char build_version [128];   /* clipd_build_info's, when /healthz has none */
    double uptime_s;            /* NAN: unknown */
    tally_t verdicts [TALLY_MAX];
    size_t n_verdicts;
    tally_t errors [TALLY_MAX];
    size_t n_errors;
} summary_t;

static double
healthz_num (const summary_t *s, const char *key)
{
    json_t *v = s->healthz ? json_object_get (s->healthz, key) : NULL;
    return json_is_number (v) ? json_number_value (v) : NAN;
}

static double
metric (const summary_t *s, const char *name)
{
    return s->have_metrics ? samples_sum (&s->metrics, name) : NAN;
}

static void
summary_build (summary_t *s)
{
    json_t *st = s->healthz ? json_object_get (s->healthz, "status") : NULL;
    s->status = json_is_string (st) ? json_string_value (st)
              : s->healthz_code == 200 ? "ok" : "unavailable";
    json_t *reason = s->healthz ? json_object_get (s->healthz, "reason") : NULL;
    s->reason = json_is_string (reason) ? json_string_value (reason) : "";
    json_t *version = s->healthz ? json_object_get (s->healthz, "version") : NULL;
    s->version = json_is_string (version) ? json_string_value (version) : NULL;
    s->uptime_s = healthz_num (s, "uptime_s");
    if (isnan (s->uptime_s))
        s->uptime_s = healthz_num (s, "uptime_seconds");
    double started = metric (s, "process_start_time_seconds");
    if (isnan (s->uptime_s) && !isnan (started) && started > 0)
        s->uptime_s = (double) clip_now_ms () / 1000.0 - started;
    if (!s->have_metrics)
        return;
    for (size_t i = 0; !s->version && i < s->metrics.n; i++)
        if (strcmp (s->metrics.s [i].name, "clipd_build_info") == 0
        &&  label_get (s->metrics.s [i].labels, "version", s->build_version,
                       sizeof s->build_version))
            s->version = s->build_version;
    s->n_verdicts = samples_tally (&s->metrics, is_verdict_family, "verdict", s->verdicts, 0);
    s->n_errors = samples_tally (&s->metrics, is_error_family, "code", s->errors, 0);
}

/*  A figure from /healthz, else from a /metrics gauge.  */
static double
figure (const summary_t *s, const char *healthz_key, const char *family)
{
    double v = healthz_num (s, healthz_key);
    return isnan (v) ? metric (s, family) : v;
}

static void
print_duration (double s)
{
    long long t = (long long) s;
    if (t >= 86400)
        printf ("%lldd %lldh", t / 86400, t % 86400 / 3600);
    else
    if (t >= 3600)
        printf ("%lldh %lldm", t / 3600, t % 3600 / 60);
    else
    if (t >= 60)
        printf ("%lldm %llds", t / 60, t % 60);
    else
        printf ("%llds", t);
}

static void
print_tally (const char *what, const tally_t *t, size_t n)
{
    printf ("  %-10s", what);
    size_t shown = 0;
    for (size_t i = 0; i < n; i++)
        if (t [i].value > 0)
            printf ("%s%s %.0f", shown++ ? ", " : "", t [i].key, t [i].value);
    printf ("%s\n", shown ? "" : "none");
}

/*  value/s since start, when both are known.  */
static void
print_rate (double count, double uptime_s)
{
    if (!isnan (count) && !isnan (uptime_s) && uptime_s >= 1)
        printf (" (%.2f/s since start)", count / uptime_s);
}

static void
summary_print_text (const summary_t *s)
{
    printf ("clipd%s%s at %s: %s", s->version ? " " : "", s->version ? s->version : "", s->http,
            s->status);
    if (*s->reason)
        printf (": %s", s->reason);
    if (!isnan (s->uptime_s)) {
        printf (", up ");
        print_duration (s->uptime_s);
    }
    printf ("\n");
    double ready = figure (s, "inbox_ready", "clipd_inbox_ready");
    double queued = figure (s, "queued", "clipd_queued");
    double inflight = figure (s, "inflight", "clipd_inflight");
    if (!isnan (ready) || !isnan (queued) || !isnan (inflight))
        printf ("  %-10s%.0f in the inbox, %.0f queued, %.0f in flight\n", "queue",
                isnan (ready) ? 0 : ready, isnan (queued) ? 0 : queued,
                isnan (inflight) ? 0 : inflight);
    double workers = figure (s, "workers", "clipd_workers");
    if (!isnan (workers))
        printf ("  %-10s%.0f connected\n", "workers", workers);
    double records = metric (s, "clipd_records_total");
    double failed = metric (s, "clipd_records_failed_total");
    if (!isnan (records)) {
        printf ("  %-10s%.0f", "records", records);
        print_rate (records, s->uptime_s);
        if (!isnan (failed))
            printf (", %.0f failed", failed);
        printf ("\n");
    }
    if (s->have_metrics) {
        print_tally ("verdicts", s->verdicts, s->n_verdicts);
        print_tally ("errors", s->errors, s->n_errors);
    }
    double commits = metric (s, "clipd_commits_total");
    double commit_failures = metric (s, "clipd_commit_failures_total");
    if (!isnan (commits)) {
        printf ("  %-10s%.0f", "commits", commits);
        print_rate (commits, s->uptime_s);
        if (!isnan (commit_failures))
            printf (", %.0f failed", commit_failures);
        printf ("\n");
    }
    double head = figure (s, "head", "clipd_results_head");
    double corpus = figure (s, "corpus", "clipd_corpus_articles");
    if (!isnan (head) || !isnan (corpus))
        printf ("  %-10sseq %.0f published; the corpus holds %.0f articles\n", "results",
                isnan (head) ? 0 : head, isnan (corpus) ? 0 : corpus);
    if (!s->have_metrics)
        printf ("  (no /metrics: figures from /healthz only)\n");
}

/*  A number, or null when unknown (JSON has no NaN).  */
static json_t *
jnum (double v)
{
    if (isnan (v))
        return json_null ();
    if (v == floor (v) && fabs (v) < 9e15)
        return json_integer ((json_int_t) v);
    return json_real (v);
}

static json_t *
jtally (const tally_t *t, size_t n)
{
    json_t *o = json_object ();
    for (size_t i = 0; i < n; i++)
        json_object_set_new (o, t [i].key, jnum (t [i].value));
    return o;
}

static void
summary_print_json (const summary_t *s)
{
    double records = metric (s, "clipd_records_total");
    double commits = metric (s, "clipd_commits_total");
    double up = s->uptime_s;
    json_t *o = json_pack ("{s:s, s:s, s:s}", "http", s->http, "status", s->status,
                           "reason", s->reason);
    json_object_set_new (o, "version", s->version ? json_string (s->version) : json_null ());
    json_object_set_new (o, "uptime_s", jnum (isnan (up) ? NAN : floor (up)));
    json_object_set_new (o, "inbox_ready", jnum (figure (s, "inbox_ready", "clipd_inbox_ready")));
    json_object_set_new (o, "queued", jnum (figure (s, "queued", "clipd_queued")));
    json_object_set_new (o, "inflight", jnum (figure (s, "inflight", "clipd_inflight")));
    json_object_set_new (o, "workers", jnum (figure (s, "workers", "clipd_workers")));
    json_object_set_new (o, "records", jnum (records));
    json_object_set_new (o, "records_failed", jnum (metric (s, "clipd_records_failed_total")));
    json_object_set_new (o, "records_per_s",
                         jnum (!isnan (records) && !isnan (up) && up >= 1 ? records / up : NAN));
    json_object_set_new (o, "commits", jnum (commits));
    json_object_set_new (o, "commit_failures", jnum (metric (s, "clipd_commit_failures_total")));
    json_object_set_new (o, "head", jnum (figure (s, "head", "clipd_results_head")));
    json_object_set_new (o, "corpus", jnum (figure (s, "corpus", "clipd_corpus_articles")));
    json_object_set_new (o, "verdicts", s->have_metrics ? jtally (s->verdicts, s->n_verdicts)
                                                        : json_null ());
    json_object_set_new (o, "errors", s->have_metrics ? jtally (s->errors, s->n_errors)
                                                      : json_null ());
    json_object_set (o, "healthz", s->healthz ? s->healthz : json_null ());
    char *text = json_dumps (o, JSON_PRESERVE_ORDER);
    printf ("%s\n", text ? text : "{}");
    free (text);
    json_decref (o);
}

static void
usage (FILE *out)
{
    fprintf (out,
        "Usage: clip status [--http ADDR:PORT | --state DIR] [--json | --metrics | --live]\n"
        "\n"
        "Print a short summary of a running clipd: health, queue, workers, records and\n"
        "their rate, verdicts, errors by code, commits (from GET /healthz and GET\n"
        "/metrics).  Exit 0 if healthy, 1 if not or unreachable, 2 bad usage.\n"
        "\n"
        "Options:\n"
        "  --http ADDR:PORT   clipd's --http address (default " DEFAULT_HTTP ")\n"
        "  --state DIR        read the address from DIR/endpoints.json (clipd's --state)\n"
        "  --json             the summary as one JSON object, for scripts\n"
        "  --metrics          print GET /metrics as it is\n"
        "  --live             ask GET /livez instead: 0 unless clipd itself is stuck\n"
        "                     (for container health checks, which restart what fails)\n"
        "  -h, --help         print this help\n");
}

/*  The "http" of STATE/endpoints.json (caller owns), or NULL after saying
    why.  */
static char *
read_http (const char *state)
{
    char *path = clip_path_join (state, "endpoints.json");
    char *text = NULL, *http = NULL;
    size_t len = 0;
    int rc = clip_file_read (path, ENDPOINTS_MAX, &text, &len);
    json_t *root = rc == 0 ? json_loadb (text, len, 0, NULL) : NULL;
    const char *h = json_string_value (json_object_get (root, "http"));
    if (rc != 0)
        clip_opt_error ("status", "cannot read %s: %s (is clipd running with --state %s?)",
                        path, rc == -EFBIG ? "too large" : strerror (-rc), state);
    else
    if (!h)
        clip_opt_error ("status", "%s: no \"http\" address in it", path);
    else
    if (!*h)
        clip_opt_error ("status", "%s: clipd serves no HTTP (--http off)", path);
    else
        http = clip_strdup (h);
    json_decref (root);
    free (text);
    free (path);
    return http;
}

int
clip_status_main (int argc, char **argv)
{
    const char *http = NULL, *state = NULL;
    int metrics = 0, live = 0, as_json = 0;
    enum { O_HTTP = 1000, O_METRICS, O_LIVE, O_JSON, O_STATE };
    static const struct option longopts [] = {
        { "http", required_argument, NULL, O_HTTP },
        { "state", required_argument, NULL, O_STATE },
        { "metrics", no_argument, NULL, O_METRICS },
        { "live", no_argument, NULL, O_LIVE },
        { "json", no_argument, NULL, O_JSON },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    clip_opt_begin ();
    int c;
    while ((c = clip_opt_next ("status", argc, argv, "h", longopts)) != -1) {
        switch (c) {
            case O_HTTP: http = optarg; break;
            case O_STATE: state = optarg; break;
            case O_METRICS: metrics = 1; break;
            case O_LIVE: live = 1; break;
            case O_JSON: as_json = 1; break;
            case 'h': usage (stdout); return 0;
            default: return 2;
        }
    }
    if (optind < argc)
        return clip_opt_usage_error ("status", "unexpected argument '%s'", argv [optind]);
    /*  Checked before curl is set up, which a bad usage would leak.  */
    if (metrics + live + as_json > 1)
        return clip_opt_usage_error ("status", "--json, --metrics and --live ask different "
                                     "things: give one");
    if (http && state)
        return clip_opt_usage_error ("status", "--http and --state both give the address: "
                                     "give one");
    char *from_state = NULL;
    if (state && !(from_state = read_http (state)))
        return 1;
    if (!http)
        http = from_state ? from_state : DEFAULT_HTTP;
    curl_global_init (CURL_GLOBAL_DEFAULT);
    CURL *curl = curl_easy_init ();
    int status = 1;
    char *body = NULL;
    if (metrics || live) {
        long code = http_get (curl, http, metrics ? "metrics" : "livez",
                              metrics ? METRICS_MAX : HEALTHZ_MAX, &body);
        if (code >= 0) {
            fputs (body, stdout);
            status = code == 200 ? 0 : 1;
        }
    }
    else {
        summary_t s = { .http = http };
        s.healthz_code = http_get (curl, http, "healthz", HEALTHZ_MAX, &body);
        if (s.healthz_code >= 0) {
            s.healthz = json_loads (body, 0, NULL);
            if (!json_is_object (s.healthz)) {
                json_decref (s.healthz);
                s.healthz = NULL;
            }
            char *text = NULL;
            /*  The summary still shows health when /metrics fails.  */
            if (http_get (curl, http, "metrics", METRICS_MAX, &text) == 200) {
                samples_parse (&s.metrics, text);
                s.have_metrics = true;
            }
            free (text);
            summary_build (&s);
            if (as_json)
                summary_print_json (&s);
            else
                summary_print_text (&s);
            status = s.healthz_code == 200 ? 0 : 1;
        }
        json_decref (s.healthz);
        samples_free (&s.metrics);
    }
    free (body);
    free (from_state);
    curl_easy_cleanup (curl);
    curl_global_cleanup ();
    return status;
}
