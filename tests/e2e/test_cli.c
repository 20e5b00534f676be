/*  Every program answers --help and --version, exits 2 on bad usage and 1
    on failure, with a message that names what was wrong.  */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
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
