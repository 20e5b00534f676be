/*  End to end: /metrics as a Prometheus server reads it.  A real clipd with
    a real worker analyses real files; the scrape is parsed by the
    Prometheus client library's own text parser (python3-prometheus-client,
    tests/e2e/metrics_check.py), and its counters and histogram counts are
    checked against what the test dropped.  */
#include <criterion/criterion.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clip_util.h"
#include "testutil.h"

static const char *huawei [] = {
    "000_9e0fcb074dd77aaf.txt", "001_3dbc5d8e002cb599.txt", "002_b2f4190119ca8e61.txt",
};

/*  Run metrics_check.py on a scrape with the expectations given; its
    output (one line per problem) in *out.  */
static int
check (const char *scrape_path, const char *const *expect, char **out)
{
    const char *argv [64] = { "/usr/bin/python3", CLIP_SOURCE_DIR "/tests/e2e/metrics_check.py", scrape_path };
    size_t n = 3;
    for (size_t i = 0; expect [i] && n + 1 < sizeof argv / sizeof argv [0]; i++)
        argv [n++] = expect [i];
    argv [n] = NULL;
    return tu_run (argv, out, 60000);
}

typedef struct {
    const tu_daemon_t *d;
    const char *needle;         /* a line the scrape must hold */
} scrape_wait_t;

static bool
scrape_has (void *arg)
{
    scrape_wait_t *w = arg;
    char *body = NULL;
    bool found = tu_http_get (w->d->http, "/metrics", &body) == 200 && strstr (body, w->needle);
    free (body);
    return found;
}

/*  Three articles and one file too large: every verdict and every error
    code is a label from the start (zero until seen), and the counts and
    the histograms' counts match what was dropped.  */
Test (metrics, scrape_parses_and_counts_what_was_dropped)
{
    char *dir = tu_tempdir ("metrics");
    const char *extra [] = { "--workers", "1", "--corpus", "none", "--max-bytes", "65536", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    cr_assert_not_null (d->http);

    /*  Before anything arrived: the labels are there, at zero, and the
        scrape already parses.  */
    char *body = NULL;
    cr_assert_eq (tu_http_get (d->http, "/metrics", &body), 200);
    char *scrape = clip_path_join (dir, "scrape.txt");
    tu_write (scrape, body, strlen (body));
    free (body);
    char *out = NULL;
    const char *at_start [] = {
        "clipd_records_total=0",
        "clipd_records_verdict_total{verdict=\"unique\"}=0",
        "clipd_records_verdict_total{verdict=\"duplicate\"}=0",
        "clipd_records_failed_total{code=\"too_large\"}=0",
        "clipd_records_failed_total{code=\"worker_lost\"}=0",
        "clipd_end_to_end_seconds_count=0",
        "clipd_build_info{version=\"" CLIP_VERSION "\"}=1",
        "process_open_fds>=3",
        "process_resident_memory_bytes>=1000000",
        "process_cpu_seconds_total>=0",
        "process_start_time_seconds>=1700000000",
        NULL
    };
    cr_assert_eq (check (scrape, at_start, &out), 0, "%s", out);
    free (out);

    tu_wait_log (d, "event=worker_joined", 1, 10000);
    for (size_t i = 0; i < sizeof huawei / sizeof huawei [0]; i++) {
        char *src = clip_strprintf ("%s/corpus/huawei/%s", CLIP_SOURCE_DIR, huawei [i]);
        char *dst = clip_path_join (d->inbox, huawei [i]);
        tu_drop (src, dst);
        free (src);
        free (dst);
    }
    char *big = clip_path_join (dir, "big.txt");
    size_t big_len = 100000;
    char *text = clip_malloc (big_len);
    memset (text, 'a', big_len);
    tu_write (big, text, big_len);
    free (text);
    char *big_dst = clip_path_join (d->inbox, "big.txt");
    tu_drop (big, big_dst);

    scrape_wait_t w = { d, "\nclipd_records_total 4\n" };
    cr_assert (tu_wait_for (scrape_has, &w, 30000), "four records never counted");
    cr_assert_eq (tu_http_get (d->http, "/metrics", &body), 200);
    tu_write (scrape, body, strlen (body));
    free (body);
    const char *after [] = {
        "clipd_records_total=4",
        /*  Three different articles (some share passages: related).  */
        "sum(clipd_records_verdict_total)=3",
        "clipd_records_verdict_total{verdict=\"duplicate\"}=0",
        "clipd_records_failed_total{code=\"too_large\"}=1",
        "sum(clipd_records_failed_total)=1",
        "clipd_records_failed_total{code=\"worker_lost\"}=0",
        /*  The too-large file never went to a worker.  */
        "clipd_task_seconds_count=3",
        "clipd_commit_seconds_count>=1",
        "clipd_commits_total>=1",
        "clipd_end_to_end_seconds_count=4",
        "clipd_tasks_resent_total=0",
        "clipd_task_timeouts_total=0",
        "clipd_worker_restarts_total=0",
        "clipd_work_waiting=0",
        NULL
    };
    cr_assert_eq (check (scrape, after, &out), 0, "%s", out);
    free (out);

    /*  A replay of the whole log is counted, record by record.  */
    char *clip = tu_bin ("clip/clip");
    const char *replay [] = { clip, "sub", "--since", "0", "--count", "4", "--timeout-ms", "20000",
                              "--replay", d->replay, d->pub, NULL };
    cr_assert_eq (tu_run (replay, NULL, 30000), 0);
    free (clip);
    scrape_wait_t r = { d, "\nclipd_replay_records_total 4\n" };
    cr_assert (tu_wait_for (scrape_has, &r, 10000), "the four replayed records never counted");

    /*  The checker itself can fail: a wrong expectation is reported.  */
    const char *wrong [] = { "clipd_records_total=5", NULL };
    cr_assert_eq (check (scrape, wrong, &out), 1, "%s", out);
    cr_assert (strstr (out, "clipd_records_total=5: the scrape says 4"), "%s", out);
    free (out);

    cr_assert_eq (tu_daemon_stop (d), 0);
    tu_daemon_free (d);
    free (big);
    free (big_dst);
    free (scrape);
    tu_rmtree (dir);
    free (dir);
}

typedef struct {
    const tu_daemon_t *d;
    long long lag_ms;           /* the largest loop_lag_ms seen */
} lag_wait_t;

static bool
lag_reported (void *arg)
{
    lag_wait_t *w = arg;
    char *body = NULL;
    if (tu_http_get (w->d->http, "/healthz", &body) == 200) {
        json_t *h = json_loads (body, 0, NULL);
        long long lag = json_integer_value (json_object_get (h, "loop_lag_ms"));
        if (lag > w->lag_ms)
            w->lag_ms = lag;
        json_decref (h);
    }
    free (body);
    return w->lag_ms >= 1500;
}

/*  /healthz says which clipd answers, for how long it has run, how much
    room its state folder has, and how late its loop runs: a loop held up
    (here the whole process, stopped for 2 s) shows as lag, for 10 s.  */
Test (metrics, healthz_reports_version_uptime_free_space_and_real_loop_lag)
{
    char *dir = tu_tempdir ("metrics");
    const char *extra [] = { "--corpus", "none", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    char *body = NULL;
    cr_assert_eq (tu_http_get (d->http, "/healthz", &body), 200, "%s", body);
    json_t *h = json_loads (body, 0, NULL);
    cr_assert_not_null (h, "%s", body);
    cr_assert_str_eq (json_string_value (json_object_get (h, "version")), CLIP_VERSION);
    cr_assert (json_is_integer (json_object_get (h, "uptime_s")), "%s", body);
    cr_assert_gt (json_integer_value (json_object_get (h, "state_free_bytes")), 0, "%s", body);
    cr_assert (json_is_integer (json_object_get (h, "loop_lag_ms")), "%s", body);
    json_decref (h);
    free (body);

    cr_assert_eq (kill (d->pid, SIGSTOP), 0);
    /*  A stopped process cannot be asked; the test waits on the clock.  */
    uint64_t until = clip_mono_ms () + 2000;
    while (clip_mono_ms () < until)
        poll (NULL, 0, (int) (until - clip_mono_ms ()));
    cr_assert_eq (kill (d->pid, SIGCONT), 0);
    lag_wait_t w = { d, 0 };
    cr_assert (tu_wait_for (lag_reported, &w, 5000),
               "a loop stopped for 2 s reported a lag of %lld ms at most", w.lag_ms);
    cr_assert_eq (tu_daemon_stop (d), 0);
    tu_daemon_free (d);
    tu_rmtree (dir);
    free (dir);
}

/*  clipd_subscribers follows the connections to the pub endpoint: two
    subscribers come, one goes.  */
Test (metrics, subscribers_gauge_follows_connections)
{
    char *dir = tu_tempdir ("metrics");
    const char *extra [] = { "--corpus", "none", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    scrape_wait_t none = { d, "\nclipd_subscribers 0\n" };
    cr_assert (tu_wait_for (scrape_has, &none, 10000), "clipd_subscribers is not 0 at start");
    tu_sub_t *a = tu_sub_new (d->pub);
    tu_sub_t *b = tu_sub_new (d->pub);
    scrape_wait_t two = { d, "\nclipd_subscribers 2\n" };
    cr_assert (tu_wait_for (scrape_has, &two, 15000), "two subscribers never counted");
    tu_sub_free (a);
    scrape_wait_t one = { d, "\nclipd_subscribers 1\n" };
    cr_assert (tu_wait_for (scrape_has, &one, 15000), "a subscriber that left is still counted");
    tu_sub_free (b);
    cr_assert_eq (tu_daemon_stop (d), 0);
    tu_daemon_free (d);
    tu_rmtree (dir);
    free (dir);
}
