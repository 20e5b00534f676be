/*  clipd's log as an operator runs it (issue 11, "Logs"): --log-level
    warn hides the routine per-file lines but shows every failed article,
    whether clipd failed it (too_large) or its worker did (empty);
    --log-format json makes every line of clipd and of the workers it
    spawns one JSON object; SIGHUP switches the format; the start-up line
    says what clipd is doing; clip analyze keeps its postings slices to
    debug.  Real clipd, real clip-worker, real clip, real files.  */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_util.h"
#include "testutil.h"

static char *s_dir;
static tu_daemon_t *s_daemon;

static void
cleanup (void)
{
    tu_suite_cleanup (&s_dir, &s_daemon);
}

TestSuite (log_levels, .fini = cleanup);

static void
drop_text (const char *name, const char *text, size_t len)
{
    char *src = clip_path_join (s_dir, "src.tmp");
    char *dst = clip_path_join (s_daemon->inbox, name);
    tu_write (src, text, len);
    tu_drop (src, dst);
    free (src);
    free (dst);
}

/*  The first line of log holding needle, as a string (caller frees).  */
static char *
line_with (const char *log, const char *needle)
{
    const char *p = strstr (log, needle);
    cr_assert_not_null (p, "no line with %s in:\n%s", needle, log);
    while (p > log && p [-1] != '\n')
        p--;
    const char *nl = strchr (p, '\n');
    return clip_strndup (p, nl ? (size_t) (nl - p) : strlen (p));
}

Test (log_levels, warn_hides_routine_lines_and_shows_every_failed_article, .timeout = 180)
{
    s_dir = tu_tempdir ("log_levels");
    const char *extra [] = { "--corpus", "none", "--workers", "1", "--max-bytes", "100",
                             "--log-level", "warn", NULL };
    s_daemon = tu_daemon_start (s_dir, extra);
    /*  Failed by clipd itself: over --max-bytes.  */
    char big [300];
    memset (big, 'a', sizeof big);
    drop_text ("big.txt", big, sizeof big);
    /*  Failed by the worker: nothing but white space.  */
    drop_text ("blank.txt", "  \n\t\n", 5);
    /*  And one that succeeds: routine, so not shown.  */
    const char *ok = "Nokia opened a factory in Oulu.\n";
    drop_text ("ok.txt", ok, strlen (ok));
    char *done = clip_path_join (s_daemon->state, "done");
    char *failed = clip_path_join (s_daemon->state, "failed");
    tu_wait_files (done, 1, 120000);
    tu_wait_files (failed, 4, 60000);   /* two files and their .error.json */
    cr_assert_eq (tu_daemon_stop (s_daemon), 0);

    char *log = tu_read (s_daemon->log, NULL);
    cr_assert_null (strstr (log, "event=claimed"), "%s", log);
    cr_assert_null (strstr (log, "event=recorded"), "%s", log);
    cr_assert_null (strstr (log, "event=listening"), "%s", log);
    cr_assert_null (strstr (log, "level=info"), "%s", log);
    cr_assert_null (strstr (log, "level=debug"), "%s", log);
    /*  Nothing else warns on a clean start: libmicrohttpd once did, for
        the order of its options.  */
    for (const char *p = strstr (log, "level=warn"); p; p = strstr (p + 1, "level=warn")) {
        const char *nl = strchr (p, '\n');
        int len = nl ? (int) (nl - p) : (int) strlen (p);
        cr_assert (memmem (p, (size_t) len, "event=article_failed", 20), "%.*s", len, p);
    }
    char *line = line_with (log, "code=too_large");
    cr_assert (strstr (line, "level=warn event=article_failed file=\"big.txt\""), "%s", line);
    free (line);
    line = line_with (log, "code=\"empty\"");
    cr_assert (strstr (line, "level=warn event=article_failed file=\"blank.txt\""), "%s", line);
    free (line);
    free (log);
    free (done);
    free (failed);
}

/*  Each line of log parsed (asserted); returns how many, and counts those
    of prog in *of_prog.  */
static int
every_line_is_json (char *log, const char *prog, int *of_prog)
{
    int lines = 0;
    *of_prog = 0;
    for (char *line = log; *line; lines++) {
        char *nl = strchr (line, '\n');
        cr_assert_not_null (nl, "the log ends with a newline");
        *nl = 0;
        json_error_t jerr;
        json_t *o = json_loads (line, 0, &jerr);
        cr_assert_not_null (o, "not JSON (%s): %s", jerr.text, line);
        cr_assert (json_is_string (json_object_get (o, "time")), "%s", line);
        cr_assert (json_is_string (json_object_get (o, "level")), "%s", line);
        cr_assert (json_is_string (json_object_get (o, "event")), "%s", line);
        const char *p = json_string_value (json_object_get (o, "prog"));
        if (p && strcmp (p, prog) == 0)
            (*of_prog)++;
        json_decref (o);
        *nl = '\n';
        line = nl + 1;
    }
    return lines;
}

Test (log_levels, json_lines_from_clipd_and_its_workers_all_parse, .timeout = 180)
{
    s_dir = tu_tempdir ("log_levels");
    const char *extra [] = { "--corpus", "none", "--workers", "1", "--log-format", "json",
                             "--log-level", "debug", NULL };
    s_daemon = tu_daemon_start (s_dir, extra);
    const char *ok = "Nokia opened a factory in Oulu on \"Monday\".\n";
    drop_text ("ok \"1\".txt", ok, strlen (ok));
    drop_text ("blank.txt", " \n", 2);
    tu_wait_log (s_daemon, "\"event\":\"recorded\"", 2, 120000);
    cr_assert_eq (tu_daemon_stop (s_daemon), 0);
    char *log = tu_read (s_daemon->log, NULL);
    int workers_lines;
    int lines = every_line_is_json (log, "clip-worker", &workers_lines);
    cr_assert_geq (lines, 6, "%s", log);
    cr_assert_geq (workers_lines, 2, "the worker's lines are JSON too:\n%s", log);
    cr_assert_not_null (strstr (log, "\"event\":\"claimed\",\"file\":\"ok \\\"1\\\".txt\""),
                        "%s", log);
    cr_assert_not_null (strstr (log, "\"level\":\"debug\""), "%s", log);
    cr_assert_not_null (strstr (log, "\"level\":\"warn\",\"event\":\"article_failed\""), "%s", log);
    free (log);
}

static void
write_text (const char *path, const char *text)
{
    tu_write (path, text, strlen (text));
}

Test (log_levels, sighup_switches_the_format, .timeout = 120)
{
    s_dir = tu_tempdir ("log_levels");
    char *conf = clip_path_join (s_dir, "clipd.conf");
    write_text (conf, "[clipd]\nlog-format = logfmt\nmax-bytes = 10\n");
    const char *extra [] = { "--corpus", "none", "--config", conf, NULL };
    s_daemon = tu_daemon_start (s_dir, extra);
    tu_wait_log (s_daemon, "event=listening", 1, 10000);
    write_text (conf, "[clipd]\nlog_format = json\nmax-bytes = 10\n");
    cr_assert_eq (kill (s_daemon->pid, SIGHUP), 0);
    tu_wait_log (s_daemon, "\"event\":\"reloaded\"", 1, 10000);
    drop_text ("big.txt", "more than ten bytes\n", 20);
    tu_wait_log (s_daemon, "\"event\":\"article_failed\"", 1, 30000);
    cr_assert_eq (tu_daemon_stop (s_daemon), 0);
    char *log = tu_read (s_daemon->log, NULL);
    char *reloaded = strstr (log, "{\"time\"");
    cr_assert_not_null (reloaded, "%s", log);
    /*  logfmt before the reload, JSON from the reload on.  */
    cr_assert (strncmp (log, "ts=", 3) == 0, "%s", log);
    cr_assert_not_null (strstr (reloaded, "\"event\":\"reloaded\""), "%s", reloaded);
    cr_assert_not_null (strstr (reloaded, "\"log_format\":\"json\""), "%s", reloaded);
    int n;
    every_line_is_json (reloaded, "clipd", &n);
    cr_assert_geq (n, 3, "%s", reloaded);
    free (log);
    free (conf);
}

/*  The start-up line names the version, the folders, every endpoint as
    bound, the workers, the corpus and CURVE; with --http off it says so
    (no http_port=0).  */
Test (log_levels, the_start_up_line_says_what_clipd_is_doing, .timeout = 120)
{
    s_dir = tu_tempdir ("log_levels");
    const char *extra [] = { "--corpus", "none", "--http", "off", NULL };
    s_daemon = tu_daemon_start (s_dir, extra);
    tu_wait_log (s_daemon, "event=listening", 1, 10000);
    char *log = tu_read (s_daemon->log, NULL);
    char *line = line_with (log, "event=listening");
    char *expect = clip_strprintf ("level=info event=listening version=%s inbox=\"%s\" "
                                   "state=\"%s\" tasks=%s pub=%s replay=%s http=off workers=0 "
                                   "corpus=0 head=0 curve=off", CLIP_VERSION, s_daemon->inbox,
                                   s_daemon->state, s_daemon->tasks, s_daemon->pub,
                                   s_daemon->replay);
    cr_assert_not_null (strstr (line, expect), "\n%s\nexpected\n%s", line, expect);
    cr_assert_null (strstr (log, "http_port"), "%s", log);
    free (expect);
    free (line);
    free (log);
    cr_assert_eq (tu_daemon_stop (s_daemon), 0);
    tu_daemon_free (s_daemon);
    s_daemon = NULL;

    /*  With HTTP: its address and the port bound (0 asked).  */
    const char *extra_http [] = { "--corpus", "none", "--log-format", "json", NULL };
    s_daemon = tu_daemon_start (s_dir, extra_http);
    tu_wait_log (s_daemon, "\"event\":\"listening\"", 1, 10000);
    log = tu_read (s_daemon->log, NULL);
    line = line_with (log, "\"event\":\"listening\"");
    json_t *o = json_loads (line, 0, NULL);
    cr_assert_not_null (o, "%s", line);
    cr_assert_str_eq (json_string_value (json_object_get (o, "http")), s_daemon->http);
    cr_assert_neq (strcmp (s_daemon->http, "127.0.0.1:0"), 0);
    cr_assert_str_eq (json_string_value (json_object_get (o, "tasks")), s_daemon->tasks);
    cr_assert_eq (json_integer_value (json_object_get (o, "workers")), 0);
    cr_assert_str_eq (json_string_value (json_object_get (o, "version")), CLIP_VERSION);
    json_decref (o);
    free (line);
    free (log);
}

/*  clip analyze prints its results, not its postings slices: those are
    debug (CLIP_LOG=debug shows them).  CLIP_LOG=loud is bad usage.  */
Test (log_levels, clip_analyze_is_quiet_at_info, .timeout = 120)
{
    s_dir = tu_tempdir ("log_levels");
    char *file = clip_path_join (s_dir, "a.txt");
    const char *text = "Huawei sold phones in Paris on Monday.\n";
    tu_write (file, text, strlen (text));
    char *clip = tu_bin ("clip/clip");
    char *out_path = clip_path_join (s_dir, "out.json");
    char *err_path = clip_path_join (s_dir, "err.log");
    const char *argv [] = { clip, "analyze", file, NULL };
    const char *levels [] = { NULL, "debug", "loud" };
    for (int i = 0; i < 3; i++) {
        if (levels [i])
            setenv ("CLIP_LOG", levels [i], 1);
        pid_t pid = tu_spawn (argv, out_path, err_path);
        int rc = tu_wait (pid, tu_scaled_ms (60000));
        unsetenv ("CLIP_LOG");
        char *err = tu_read (err_path, NULL);
        cr_assert_not_null (err);
        if (i == 2) {
            cr_assert_eq (rc, 2, "%s", err);
            cr_assert_not_null (strstr (err, "CLIP_LOG must be one of debug|info|warn|error, "
                                             "got 'loud'"), "%s", err);
        }
        else {
            cr_assert_eq (rc, 0, "%s", err);
            cr_assert_eq (strstr (err, "event=postings_written") != NULL, i == 1,
                          "CLIP_LOG=%s:\n%s", levels [i] ? levels [i] : "(unset)", err);
        }
        free (err);
    }
    free (clip);
    free (file);
    free (out_path);
    free (err_path);
}
