/*  Every program answers --help and --version, exits 2 on bad usage and 1
    on failure, with a message that names what was wrong.  */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clip_util.h"
#include "testutil.h"

static int
run (const char *prog, const char *a1, const char *a2, const char *a3, char **out)
{
    char *bin = tu_bin (prog);
    const char *argv [] = { bin, a1, a2, a3, NULL };
    int status = tu_run (argv, out, 10000);
    free (bin);
    return status;
}

Test (cli, help_and_version)
{
    const char *progs [] = { "daemon/clipd", "workers/clip-worker", "clip/clip" };
    const char *names [] = { "clipd", "clip-worker", "clip" };
    for (int i = 0; i < 3; i++) {
        char *out = NULL;
        cr_assert_eq (run (progs [i], "--help", NULL, NULL, &out), 0, "%s --help", names [i]);
        cr_assert (strstr (out, "Usage"), "%s --help prints usage", names [i]);
        free (out);
        cr_assert_eq (run (progs [i], "--version", NULL, NULL, &out), 0);
        char *expect = clip_strprintf ("%s %s", names [i], CLIP_VERSION);
        cr_assert (strstr (out, expect), "%s --version: %s", names [i], out);
        free (expect);
        free (out);
        cr_assert_eq (run (progs [i], "--no-such-flag", NULL, NULL, NULL), 2, "%s bad flag", names [i]);
    }
}

Test (cli, bad_values_are_usage_errors)
{
    cr_assert_eq (run ("daemon/clipd", "--max-bytes", "lots", NULL, NULL), 2);
    cr_assert_eq (run ("daemon/clipd", "--on-done", "shred", NULL, NULL), 2);
    cr_assert_eq (run ("daemon/clipd", "--near-jaccard", "1.5", NULL, NULL), 2);
    cr_assert_eq (run ("daemon/clipd", "--workers", NULL, NULL, NULL), 2);
    cr_assert_eq (run ("workers/clip-worker", "--heartbeat-ms", "0", NULL, NULL), 2);
    cr_assert_eq (run ("clip/clip", "frobnicate", NULL, NULL, NULL), 2);
}

Test (cli, settings_come_from_the_environment_and_the_config_file)
{
    char *dir = tu_tempdir ("cli");
    char *conf = clip_path_join (dir, "clipd.conf");
    tu_write (conf, "[clipd]\nmax_bytes = nope\n", 25);
    cr_assert_eq (run ("daemon/clipd", "--config", conf, NULL, NULL), 2, "a bad value in the file");
    tu_write (conf, "[clipd]\nno-such-key = 1\n", 24);
    cr_assert_eq (run ("daemon/clipd", "--config", conf, NULL, NULL), 2, "an unknown key in the file");
    setenv ("CLIPD_ON_DONE", "shred", 1);
    cr_assert_eq (run ("daemon/clipd", "--version", NULL, NULL, NULL), 0);
    cr_assert_eq (run ("daemon/clipd", "--inbox", dir, NULL, NULL), 2, "a bad value in the environment");
    unsetenv ("CLIPD_ON_DONE");
    free (conf);
    tu_rmtree (dir);
    free (dir);
}

Test (cli, a_second_daemon_on_the_same_state_is_refused)
{
    char *dir = tu_tempdir ("cli");
    const char *extra [] = { "--corpus", "none", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    char *bin = tu_bin ("daemon/clipd");
    char *err_path = clip_path_join (dir, "second.log");
    const char *argv [] = { bin, "--inbox", d->inbox, "--state", d->state, "--corpus", "none",
                            "--tasks", "tcp://127.0.0.1:*", "--pub", "tcp://127.0.0.1:*",
                            "--replay", "tcp://127.0.0.1:*", NULL };
    pid_t pid = tu_spawn (argv, NULL, err_path);
    cr_assert_eq (tu_wait (pid, 10000), 1);
    char *log = tu_read (err_path, NULL);
    cr_assert (strstr (log, "in use by another clipd"), "%s", log);
    free (log);
    /*  And a public endpoint without CURVE is refused, as bad usage (2),
        before anything binds (issue 10).  */
    const char *argv2 [] = { bin, "--state", dir, "--tasks", "tcp://0.0.0.0:5999", NULL };
    pid = tu_spawn (argv2, NULL, err_path);
    cr_assert_eq (tu_wait (pid, 10000), 2);
    log = tu_read (err_path, NULL);
    cr_assert (strstr (log, "needs CURVE"), "%s", log);
    free (log);
    cr_assert_eq (tu_daemon_stop (d), 0);
    tu_daemon_free (d);
    free (bin);
    free (err_path);
    tu_rmtree (dir);
    free (dir);
}

Test (cli, the_sample_config_is_a_valid_config)
{
    char *dir = tu_tempdir ("cli");
    char *bin = tu_bin ("daemon/clipd");
    char *sample = clip_strprintf ("%s/docs/clipd.conf.sample", CLIP_SOURCE_DIR);
    char *err_path = clip_path_join (dir, "err.log");
    /*  Parsed whole, then stopped by a bad flag checked after the file.  */
    const char *argv [] = { bin, "--config", sample, "--on-done", "shred", NULL };
    pid_t pid = tu_spawn (argv, NULL, err_path);
    cr_assert_eq (tu_wait (pid, 10000), 2);
    char *log = tu_read (err_path, NULL);
    cr_assert (strstr (log, "--on-done must be"), "the sample itself parsed: %s", log);
    free (log);
    free (bin);
    free (sample);
    free (err_path);
    tu_rmtree (dir);
    free (dir);
}

Test (cli, bad_numbers_for_ner_training_are_usage_errors)
{
    char *out = NULL;
    const char *cases [][2] = { { "--epochs", "abc" }, { "--epochs", "0" }, { "--seed", "-1" },
                                { "--seed", "7x" } };
    for (int i = 0; i < 4; i++) {
        char *bin = tu_bin ("clip/clip");
        const char *argv [] = { bin, "ner", "train", cases [i][0], cases [i][1], NULL };
        cr_assert_eq (tu_run (argv, &out, 10000), 2, "%s %s", cases [i][0], cases [i][1]);
        free (out);
        free (bin);
    }
}

typedef struct {
    const char *endpoints;      /* written once clipd is up */
    pid_t pid;
} started_t;

/*  clipd is up, or has exited.  */
static bool
started_or_gone (void *arg)
{
    started_t *s = arg;
    int status;
    return access (s->endpoints, F_OK) == 0 || waitpid (s->pid, &status, WNOHANG) != 0;
}

/*  A lock on the state folder held for a moment (a clipd killed with -9
    whose forked child has not yet exec'd still holds it) is waited for:
    clipd starts once it is free, instead of calling the folder taken.  */
Test (cli, a_state_lock_held_for_a_moment_is_waited_for)
{
    char *dir = tu_tempdir ("cli");
    char *state = clip_path_join (dir, "var");
    cr_assert_eq (clip_mkdirs (state, 0755), 0);
    char *lock_path = clip_path_join (state, "clipd.lock");
    int fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    cr_assert_geq (fd, 0);
    cr_assert_eq (flock (fd, LOCK_EX | LOCK_NB), 0);
    char *bin = tu_bin ("daemon/clipd");
    char *inbox = clip_path_join (dir, "inbox");
    char *err_path = clip_path_join (dir, "clipd.log");
    const char *argv [] = { bin, "--inbox", inbox, "--state", state, "--corpus", "none",
                            "--tasks", "tcp://127.0.0.1:*", "--pub", "tcp://127.0.0.1:*",
                            "--replay", "tcp://127.0.0.1:*", "--http", "off", NULL };
    pid_t pid = tu_spawn (argv, NULL, err_path);
    usleep (300000);
    close (fd);                 /* the lock goes with the descriptor */
    char *endpoints = clip_path_join (state, "endpoints.json");
    started_t started = { endpoints, pid };
    tu_wait_for (started_or_gone, &started, 20000);
    char *log = tu_read (err_path, NULL);
    cr_assert_eq (access (endpoints, F_OK), 0, "clipd did not start once the lock was free: %s",
                  log ? log : "");
    free (log);
    kill (pid, SIGTERM);
    cr_assert_eq (tu_wait (pid, 10000), 0);
    free (endpoints); free (err_path); free (inbox); free (bin); free (lock_path); free (state);
    tu_rmtree (dir);
    free (dir);
}

/*  Run argv (NULL-terminated) with stdout and stderr captured (caller owns
    both); returns the exit status.  */
static int
run_captured (const char *dir, const char *const *argv, char **out, char **err)
{
    char *out_path = clip_path_join (dir, "out");
    char *err_path = clip_path_join (dir, "err");
    pid_t pid = tu_spawn (argv, out_path, err_path);
    int status = tu_wait (pid, tu_scaled_ms (20000));
    *out = tu_read (out_path, NULL);
    *err = tu_read (err_path, NULL);
    if (!*out)
        *out = clip_strdup ("");
    if (!*err)
        *err = clip_strdup ("");
    free (out_path);
    free (err_path);
    return status;
}

/*  Every program and every clip subcommand (issue 11): --help and -h exit
    0 with the usage on stdout; an unknown option exits 2 naming it, in
    one style ("clip: sub: unknown option '--x'"); an option missing its
    value exits 2 naming the option.  */
Test (cli, every_command_answers_help_and_names_bad_usage, .timeout = 240)
{
    static const struct {
        const char *prog;
        const char *words [3];      /* the subcommand's words after prog */
        const char *name;           /* as messages name it; NULL: not checked */
        const char *valued;         /* an option that takes a value, or NULL */
    } table [] = {
        { "daemon/clipd", { NULL }, NULL, NULL },
        { "workers/clip-worker", { NULL }, "clip-worker", "--tasks" },
        { "clip/clip", { NULL }, "clip", NULL },
        { "clip/clip", { "sub", NULL }, "clip: sub", "--since" },
        { "clip/clip", { "analyze", NULL }, "clip: analyze", "--state" },
        { "clip/clip", { "status", NULL }, "clip: status", "--http" },
        { "clip/clip", { "keygen", NULL }, "clip: keygen", NULL },
        { "clip/clip", { "corpus", NULL }, "clip: corpus", NULL },
        { "clip/clip", { "corpus", "import", NULL }, "clip: corpus import", "--state" },
        { "clip/clip", { "corpus", "stats", NULL }, "clip: corpus stats", "--state" },
        { "clip/clip", { "corpus", "explain", NULL }, "clip: corpus explain", "--min-words" },
        { "clip/clip", { "corpus", "compact", NULL }, "clip: corpus compact", "--state" },
        { "clip/clip", { "ner", NULL }, "clip: ner", NULL },
        { "clip/clip", { "ner", "train", NULL }, "clip: ner train", "--train" },
        { "clip/clip", { "ner", "eval", NULL }, "clip: ner eval", "--model-dir" },
        { "clip/clip", { "ner", "tag", NULL }, "clip: ner tag", "--data-dir" },
        { "clip/clip", { "ner", "clusters", NULL }, "clip: ner clusters", "--out" },
        { "clip/clip", { "ner", "names", NULL }, "clip: ner names", "--out" },
    };
    char *dir = tu_tempdir ("cli-help");
    for (size_t i = 0; i < sizeof table / sizeof table [0]; i++) {
        char *bin = tu_bin (table [i].prog);
        const char *argv [8] = { bin };
        int n = 1;
        for (int w = 0; table [i].words [w]; w++)
            argv [n++] = table [i].words [w];
        char label [128];
        snprintf (label, sizeof label, "%s%s%s%s%s", table [i].prog,
                  n > 1 ? " " : "", n > 1 ? argv [1] : "", n > 2 ? " " : "", n > 2 ? argv [2] : "");
        const char *asks [] = { "--help", "-h" };
        for (int a = 0; a < 2; a++) {
            argv [n] = asks [a];
            argv [n + 1] = NULL;
            char *out, *err;
            int status = run_captured (dir, argv, &out, &err);
            cr_assert_eq (status, 0, "%s %s exited %d: %s", label, asks [a], status, err);
            cr_assert (strstr (out, "Usage") || strstr (out, "usage"),
                       "%s %s prints its usage on stdout: %s", label, asks [a], out);
            free (out);
            free (err);
        }
        argv [n] = "--no-such-flag";
        argv [n + 1] = NULL;
        char *out, *err;
        cr_assert_eq (run_captured (dir, argv, &out, &err), 2, "%s --no-such-flag", label);
        cr_assert (strstr (err, "'--no-such-flag'"), "%s names the bad option: %s", label, err);
        if (table [i].name) {
            char *expect = clip_strprintf ("%s: unknown option '--no-such-flag'",
                                           table [i].name);
            cr_assert (strstr (err, expect), "%s: expected \"%s\" in: %s", label, expect, err);
            free (expect);
        }
        free (out);
        free (err);
        if (table [i].valued) {
            argv [n] = table [i].valued;
            argv [n + 1] = NULL;
            cr_assert_eq (run_captured (dir, argv, &out, &err), 2, "%s %s", label,
                          table [i].valued);
            char *expect = clip_strprintf ("%s: option '%s' needs a value", table [i].name,
                                           table [i].valued);
            cr_assert (strstr (err, expect), "%s: expected \"%s\" in: %s", label, expect, err);
            free (expect);
            free (out);
            free (err);
        }
        free (bin);
    }
    tu_rmtree (dir);
    free (dir);
}

static bool
head_is_two (void *arg)
{
    const tu_daemon_t *d = arg;
    char *body = NULL;
    bool done = tu_http_get (d->http, "/healthz", &body) == 200 && body
             && strstr (body, "\"head\": 2");
    free (body);
    return done;
}

/*  clip status: a summary for people by default, --json for scripts,
    --state to find the address; from a real clipd that published one
    article and a copy of it (issue 11).  */
Test (cli, status_summarises_a_running_clipd, .timeout = 120)
{
    char *dir = tu_tempdir ("cli-status");
    const char *extra [] = { "--workers", "1", "--corpus", "none", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    char *src = clip_strprintf ("%s/corpus/huawei/000_9e0fcb074dd77aaf.txt", CLIP_SOURCE_DIR);
    char *dst = clip_path_join (d->inbox, "a.txt");
    tu_drop (src, dst);
    char *copy = clip_path_join (d->inbox, "b.txt");
    tu_drop (src, copy);
    free (copy);
    cr_assert (tu_wait_for (head_is_two, d, 60000), "the articles were not published");
    char *clip = tu_bin ("clip/clip");
    char *out = NULL, *err = NULL;
    const char *text [] = { clip, "status", "--http", d->http, NULL };
    cr_assert_eq (run_captured (dir, text, &out, &err), 0, "%s", err);
    char *first = clip_strprintf ("at %s: ok, up ", d->http);
    cr_assert (strncmp (out, "clipd ", 6) == 0 && strstr (out, first), "%s", out);
    free (first);
    cr_assert (strstr (out, "\n  workers   1 connected\n"), "%s", out);
    cr_assert (strstr (out, "\n  records   2"), "%s", out);
    cr_assert (strstr (out, "\n  verdicts  ") && strstr (out, "duplicate 1"), "%s", out);
    cr_assert (strstr (out, "\n  errors    none\n"), "%s", out);
    cr_assert (strstr (out, "\n  queue     0 in the inbox, 0 queued, 0 in flight\n"), "%s", out);
    cr_assert (strstr (out, "seq 2 published; the corpus holds 2 articles"), "%s", out);
    free (out);
    free (err);

    const char *as_json [] = { clip, "status", "--json", "--state", d->state, NULL };
    cr_assert_eq (run_captured (dir, as_json, &out, &err), 0, "%s", err);
    json_error_t e;
    json_t *o = json_loads (out, 0, &e);
    cr_assert_not_null (o, "not JSON (%s): %s", e.text, out);
    cr_assert_str_eq (json_string_value (json_object_get (o, "status")), "ok");
    cr_assert_str_eq (json_string_value (json_object_get (o, "http")), d->http);
    cr_assert_eq (json_integer_value (json_object_get (o, "records")), 2);
    cr_assert_eq (json_integer_value (json_object_get (o, "workers")), 1);
    cr_assert_eq (json_integer_value (json_object_get (json_object_get (o, "verdicts"),
                                                       "duplicate")), 1);
    cr_assert (json_is_object (json_object_get (o, "healthz")));
    json_decref (o);
    free (out);
    free (err);

    /*  Unreachable: 1, said on stderr.  */
    const char *gone [] = { clip, "status", "--http", "127.0.0.1:1", NULL };
    cr_assert_eq (run_captured (dir, gone, &out, &err), 1);
    cr_assert (strstr (err, "clip: status: cannot reach clipd at"), "%s", err);
    free (out);
    free (err);
    cr_assert_eq (tu_daemon_stop (d), 0);
    tu_daemon_free (d);
    free (clip);
    free (src);
    free (dst);
    tu_rmtree (dir);
    free (dir);
}

/*  clip corpus explain takes file names as recorded, and shows what only
    one side has; clip corpus stats explains its terms (issue 11).  */
Test (cli, corpus_explain_by_file_name_shows_differences, .timeout = 120)
{
    char *dir = tu_tempdir ("cli-corpus");
    char *state = clip_path_join (dir, "var");
    char *clip = tu_bin ("clip/clip");
    char *huawei = clip_strprintf ("%s/corpus/huawei", CLIP_SOURCE_DIR);
    char *out, *err;
    const char *import [] = { clip, "corpus", "import", "--state", state, huawei, NULL };
    cr_assert_eq (run_captured (dir, import, &out, &err), 0, "%s", err);
    free (out);
    free (err);
    const char *explain [] = { clip, "corpus", "explain", "--state", state,
                               "000_9e0fcb074dd77aaf.txt", "001_3dbc5d8e002cb599.txt", NULL };
    cr_assert_eq (run_captured (dir, explain, &out, &err), 0, "%s", err);
    cr_assert (strstr (out, "A 69de78f64cce554c4fc1f1c9e764ff06 000_9e0fcb074dd77aaf.txt"), "%s",
               out);
    cr_assert (strstr (out, "jaccard 0.425 containment 0.816"), "%s", out);
    cr_assert (strstr (out, "\npassage 1: "), "%s", out);
    char *removed = strstr (out, "\nonly in A (removed), ");
    char *added = strstr (out, "\nonly in B (added), ");
    cr_assert (removed && added, "%s", out);
    cr_assert (strstr (out, "words of A are not in B (removed),"), "%s", out);
    free (out);
    free (err);
    const char *unknown [] = { clip, "corpus", "explain", "--state", state, "nope.txt",
                               "001_3dbc5d8e002cb599.txt", NULL };
    cr_assert_eq (run_captured (dir, unknown, &out, &err), 1);
    cr_assert (strstr (err, "clip: corpus explain: no article nope.txt"), "%s", err);
    free (out);
    free (err);
    const char *stats [] = { clip, "corpus", "stats", "--state", state, NULL };
    cr_assert_eq (run_captured (dir, stats, &out, &err), 0, "%s", err);
    cr_assert (strstr (out, "\ndistinct texts    articles whose normalised text differs"), "%s",
               out);
    cr_assert (strstr (out, "\nclusters          groups of copies"), "%s", out);
    free (out);
    free (err);
    free (huawei);
    free (clip);
    free (state);
    tu_rmtree (dir);
    free (dir);
}

/*  clipd --check-config (issue 11): flags, environment and file checked
    together by the parser a start uses; every problem listed, one per
    line, each naming where it came from; exit 2, or 0 with "configuration
    ok" and the file read.  Nothing is created, bound or started.  */
static int
check_config (const char *const *argv, const char *dir, char **out, char **err)
{
    char *out_path = clip_path_join (dir, "check.out");
    char *err_path = clip_path_join (dir, "check.err");
    unlink (out_path);          /* tu_spawn appends */
    unlink (err_path);
    pid_t pid = tu_spawn (argv, out_path, err_path);
    int status = tu_wait (pid, 20000);
    size_t len;
    cr_assert_eq (clip_file_read (out_path, 1 << 20, out, &len), 0);
    cr_assert_eq (clip_file_read (err_path, 1 << 20, err, &len), 0);
    free (out_path);
    free (err_path);
    return status;
}

static int
count_lines (const char *text)
{
    int n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

Test (cli, check_config_lists_every_problem_with_where_it_came_from, .timeout = 60)
{
    char *dir = tu_tempdir ("cli-check");
    char *bin = tu_bin ("daemon/clipd");
    char *conf = clip_path_join (dir, "clipd.conf");
    char *state = clip_path_join (dir, "var");
    char *inbox = clip_path_join (dir, "inbox");
    char *out = NULL, *err = NULL;

    /*  Three bad lines: three problems, each with FILE:LINE.  */
    const char *bad = "[clipd]\nmax-bytes = 0\n# fine\nno-such-key = 1\nnear-jaccard = 1.5\n";
    tu_write (conf, bad, strlen (bad));
    const char *argv [] = { bin, "--check-config", "--config", conf, "--state", state,
                            "--inbox", inbox, NULL };
    cr_assert_eq (check_config (argv, dir, &out, &err), 2, "%s", err);
    cr_assert_eq (count_lines (err), 3, "%s", err);
    const int lines [] = { 2, 4, 5 };
    for (int i = 0; i < 3; i++) {
        char *where = clip_strprintf ("%s:%d: ", conf, lines [i]);
        cr_assert (strstr (err, where), "%s in %s", where, err);
        free (where);
    }
    cr_assert (!strstr (out, "configuration ok"), "%s", out);
    free (out);
    free (err);

    /*  A good file: exit 0, one line naming it; nothing was created.  */
    const char *good = "[clipd]\nmax-bytes = 1000\nnear-jaccard = 0.5\n";
    tu_write (conf, good, strlen (good));
    cr_assert_eq (check_config (argv, dir, &out, &err), 0, "%s", err);
    char *ok = clip_strprintf ("configuration ok (config file %s)\n", conf);
    cr_assert (strstr (out, ok) && count_lines (out) == 1, "%s", out);
    free (ok);
    cr_assert_eq (access (state, F_OK), -1, "--check-config creates no folder");
    cr_assert_eq (access (inbox, F_OK), -1, "--check-config creates no folder");
    free (out);
    free (err);

    /*  A bad flag and a bad environment variable: both listed.  */
    setenv ("CLIPD_MAX_INFLIGHT", "0", 1);
    const char *argv2 [] = { bin, "--check-config", "--config", conf, "--state", state,
                             "--inbox", inbox, "--workers", "many", NULL };
    int status = check_config (argv2, dir, &out, &err);
    unsetenv ("CLIPD_MAX_INFLIGHT");
    cr_assert_eq (status, 2, "%s", err);
    cr_assert (strstr (err, "command line: --workers") && strstr (err, "'many'"), "%s", err);
    cr_assert (strstr (err, "environment CLIPD_MAX_INFLIGHT: max-inflight"), "%s", err);
    cr_assert_eq (count_lines (err), 2, "%s", err);
    free (out);
    free (err);

    /*  A state folder that cannot be created (its parent is a file) and a
        CURVE key file that cannot be read.  */
    char *blocker = clip_path_join (dir, "plain-file");
    tu_write (blocker, "x", 1);
    char *under = clip_path_join (blocker, "var");
    char *key = clip_path_join (dir, "missing.key");
    const char *argv3 [] = { bin, "--check-config", "--state", under, "--inbox", inbox,
                             "--curve-secret", key, "--curve-workers", dir,
                             "--curve-subscribers", dir, NULL };
    cr_assert_eq (check_config (argv3, dir, &out, &err), 2, "%s", err);
    cr_assert (strstr (err, "command line: state") && strstr (err, "is not a folder"), "%s", err);
    cr_assert (strstr (err, "command line: curve-secret") && strstr (err, "missing.key"), "%s", err);
    cr_assert_eq (count_lines (err), 2, "%s", err);
    free (out);
    free (err);

    free (blocker);
    free (under);
    free (key);
    free (conf);
    free (state);
    free (inbox);
    free (bin);
    tu_rmtree (dir);
    free (dir);
}

/*  clip's own --log-level and --log-format, before the command, win over
    CLIP_LOG: `clip analyze` is quiet at info and says what it did at
    debug, in JSON when asked; a bad level is bad usage, named.  */
Test (cli, clip_takes_log_level_and_format_before_the_command, .timeout = 60)
{
    char *dir = tu_tempdir ("cli");
    char *clip = tu_bin ("clip/clip");
    char *err_path = clip_path_join (dir, "clip.log");
    char *file = clip_strprintf ("%s/corpus/huawei/000_9e0fcb074dd77aaf.txt", CLIP_SOURCE_DIR);
    const char *quiet [] = { clip, "analyze", file, NULL };
    pid_t pid = tu_spawn (quiet, "/dev/null", err_path);
    cr_assert_eq (tu_wait (pid, 30000), 0);
    char *log = tu_read (err_path, NULL);
    cr_assert_null (strstr (log, "event=postings_written"), "%s", log);
    free (log);
    const char *debug [] = { clip, "--log-level", "debug", "--log-format", "json", "analyze",
                             file, NULL };
    pid = tu_spawn (debug, "/dev/null", err_path);
    cr_assert_eq (tu_wait (pid, 30000), 0);
    log = tu_read (err_path, NULL);
    char *line = strstr (log, "{\"time\"");
    cr_assert_not_null (line, "no JSON log line: %s", log);
    json_t *o = json_loadb (line, strcspn (line, "\n"), 0, NULL);
    cr_assert_not_null (o, "not JSON: %s", line);
    cr_assert_str_eq (json_string_value (json_object_get (o, "level")), "debug");
    json_decref (o);
    cr_assert (strstr (log, "\"event\":\"postings_written\""), "%s", log);
    free (log);
    const char *bad [] = { clip, "--log-level", "loud", "analyze", file, NULL };
    pid = tu_spawn (bad, "/dev/null", err_path);
    cr_assert_eq (tu_wait (pid, 30000), 2);
    log = tu_read (err_path, NULL);
    cr_assert (strstr (log, "clip: option '--log-level' takes debug, info, warn or error, not 'loud'"),
               "%s", log);
    free (log);
    free (file);
    free (err_path);
    free (clip);
    tu_rmtree (dir);
    free (dir);
}
