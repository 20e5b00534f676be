/*  clip status: ask a running clipd how it is (GET /healthz) and print the
    answer.  Exit 0 when clipd says it is healthy, 1 when it says it is not
    or cannot be reached, 2 on bad usage.  */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_cmd.h"
#include "clip_util.h"

typedef struct {
    char *data;
    size_t len;
} body_t;

static size_t
on_data (char *ptr, size_t size, size_t nmemb, void *arg)
{
    body_t *b = arg;
    size_t n = size * nmemb;
    /*  /healthz answers a few hundred bytes; refuse to buffer megabytes.  */
    if (b->len + n > 65536)
        return 0;
    b->data = clip_realloc (b->data, b->len + n + 1);
    memcpy (b->data + b->len, ptr, n);
    b->len += n;
    b->data [b->len] = 0;
    return n;
}

static void
usage (FILE *out)
{
    fprintf (out,
        "Usage: clip status [--http ADDR:PORT] [--metrics | --live]\n"
        "Print a running clipd's health (GET /healthz, JSON) or, with --metrics,\n"
        "its Prometheus metrics.  Exit 0 if healthy, 1 if not or unreachable.\n\n"
        "  --http ADDR:PORT   clipd's --http address (default 127.0.0.1:9110)\n"
        "  --metrics          print GET /metrics instead\n"
        "  --live             ask GET /livez instead: 0 unless clipd itself is stuck\n"
        "                     (for container health checks, which restart what fails)\n");
}

int
clip_status_main (int argc, char **argv)
{
    const char *http = "127.0.0.1:9110";
    int metrics = 0, live = 0;
    static const struct option longopts[] = {
        { "http", required_argument, NULL, 'h' },
        { "metrics", no_argument, NULL, 'm' },
        { "live", no_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'H' },
        { NULL, 0, NULL, 0 }
    };
    int c;
    optind = 1;
    while ((c = getopt_long (argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
            case 'h': http = optarg; break;
            case 'm': metrics = 1; break;
            case 'l': live = 1; break;
            case 'H': usage (stdout); return 0;
            default: usage (stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf (stderr, "clip status: unexpected argument '%s'\n", argv [optind]);
        return 2;
    }
    /*  Checked before curl is set up, which a bad usage would leak.  */
    if (metrics && live) {
        fprintf (stderr, "clip status: --metrics and --live ask different things: give one\n");
        return 2;
    }
    curl_global_init (CURL_GLOBAL_DEFAULT);
    CURL *curl = curl_easy_init ();
    char *url = clip_strprintf ("http://%s/%s", http,
                                metrics ? "metrics" : live ? "livez" : "healthz");
    body_t body = { NULL, 0 };
    curl_easy_setopt (curl, CURLOPT_URL, url);
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt (curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt (curl, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt (curl, CURLOPT_NOPROXY, "*");
    CURLcode rc = curl_easy_perform (curl);
    long code = 0;
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &code);
    int status;
    if (rc != CURLE_OK) {
        fprintf (stderr, "clip status: cannot reach clipd at %s: %s\n", url, curl_easy_strerror (rc));
        status = 1;
    }
    else {
        fputs (body.data ? body.data : "", stdout);
        status = code == 200 ? 0 : 1;
    }
    free (body.data);
    free (url);
    curl_easy_cleanup (curl);
    curl_global_cleanup ();
    return status;
}
