/*  The install: `cmake --install` of this build tree into a temporary
    prefix, then the installed clipd, started from another folder with the
    source and build trees out of reach (a tmpfs over each, in a mount
    namespace of this test's own), processes the five Huawei articles with
    entities and judges them against the shipped corpus; the man pages and
    the systemd unit are installed.  And the hand-written man pages name
    every flag their programs' --help prints, and render without a warning.

    Needs root for the mount namespace (as test_moving's tmpfs tests do):
    skipped with a message where mount(2) or unshare(2) is refused.  */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clip_util.h"
#include "testutil.h"

/*  What the build told us of the install (tests/CMakeLists.txt).  */
#ifndef CLIP_CMAKE_COMMAND
#  error "CLIP_CMAKE_COMMAND must be defined by the build"
#endif

static const char *const huawei [] = {
    "000_9e0fcb074dd77aaf.txt", "001_3dbc5d8e002cb599.txt", "002_b2f4190119ca8e61.txt",
    "003_209deb8297a06381.txt", "004_a2dcec478da87fef.txt",
};
#define N_HUAWEI (sizeof huawei / sizeof huawei [0])

/*  The suite's state, cleaned up by the fini whatever failed.  */
static char *tmp;               /* holds prefix/, work/, articles/ */
static char *masked [2];        /* mount points of the tmpfs hiding the trees */
static pid_t clipd_pid;

static void
cleanup (void)
{
    if (clipd_pid > 0) {
        kill (clipd_pid, SIGTERM);
        if (tu_wait (clipd_pid, 10000) < 0)
            cr_log_warn ("the installed clipd did not stop within 10 s: killed");
        clipd_pid = 0;
    }
    for (int i = 1; i >= 0; i--) {
        if (masked [i] && umount2 (masked [i], MNT_DETACH) != 0)
            cr_log_warn ("umount %s: %s", masked [i], strerror (errno));
        free (masked [i]);
        masked [i] = NULL;
    }
    /*  The mounts above were in this process's own namespace, so the tree
        is whole again for anyone; tmp is under /tmp, never under it.  */
    if (tmp) {
        tu_rmtree (tmp);
        free (tmp);
        tmp = NULL;
    }
}

TestSuite (install, .fini = cleanup);

static char *
slurp (const char *path)
{
    char *data = tu_read (path, NULL);
    cr_assert_not_null (data, "cannot read %s", path);
    return data;
}

static bool
is_file (const char *path)
{
    struct stat st;
    return stat (path, &st) == 0 && S_ISREG (st.st_mode);
}

/*  Run argv, stdout and stderr to files; stdout's content (caller frees),
    the exit status in *status, and stderr's in *errors when not NULL
    (caller frees).  No cr_log_warn here: Criterion 2.4 exits 1 after any
    warning, even when every test passed.  */
static char *
run_capture (const char *const *argv, int timeout_ms, int *status, char **errors)
{
    char *out = clip_path_join (tmp, "out.txt");
    char *err = clip_path_join (tmp, "err.txt");
    pid_t pid = tu_spawn (argv, out, err);
    *status = tu_wait (pid, timeout_ms);
    char *text = tu_read (out, NULL);
    char *err_text = tu_read (err, NULL);
    if (errors)
        *errors = err_text ? err_text : clip_strdup ("");
    else
        free (err_text);
    unlink (out);
    unlink (err);
    free (out);
    free (err);
    return text ? text : clip_strdup ("");
}

/*  Hide path behind an empty read-only tmpfs, in this process's mount
    namespace only.  Returns NULL, or why not (caller frees).  */
static char *
mask (int slot, const char *path)
{
    if (mount ("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=64k") != 0)
        return clip_strprintf ("cannot mount a tmpfs over %s: %s", path, strerror (errno));
    masked [slot] = clip_strdup (path);
    return NULL;
}

/*  A mount namespace of this test's own (Criterion runs each test in a
    process of its own), in which the source tree and the build tree are
    empty.  The propagation is made private before anything is mounted, so
    that nothing mounted here can reach the machine's namespace.  Returns
    NULL, or why it is not permitted (caller frees).  */
static char *
hide_trees (void)
{
    if (unshare (CLONE_NEWNS) != 0)
        return clip_strprintf ("unshare(CLONE_NEWNS): %s", strerror (errno));
    if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return clip_strprintf ("making / private in a new mount namespace: %s", strerror (errno));
    char src [PATH_MAX], bin [PATH_MAX];
    cr_assert_not_null (realpath (CLIP_SOURCE_DIR, src));
    cr_assert_not_null (realpath (CLIP_BIN_DIR, bin));
    char *why = mask (0, src);
    if (why)
        return why;
    size_t n = strlen (src);
    bool inside = strncmp (bin, src, n) == 0 && (bin [n] == '/' || bin [n] == 0);
    return inside ? NULL : mask (1, bin);
}

static bool
verdict_is (json_t *rec, const char *verdict)
{
    json_t *v = json_object_get (json_object_get (rec, "dedupe"), "verdict");
    return json_is_string (v) && strcmp (json_string_value (v), verdict) == 0;
}

Test (install, installed_clipd_runs_without_the_source_tree, .timeout = 240)
{
    tmp = tu_tempdir ("install");
    char *prefix = clip_path_join (tmp, "prefix");
    char *work = clip_path_join (tmp, "work");
    char *articles = clip_path_join (tmp, "articles");
    cr_assert_eq (mkdir (work, 0755), 0);
    cr_assert_eq (mkdir (articles, 0755), 0);

    /*  The install, from this very build tree.  */
    const char *install [] = { CLIP_CMAKE_COMMAND, "--install", CLIP_BIN_DIR, "--prefix", prefix,
                               NULL };
    int status;
    char *errors;
    free (run_capture (install, 120000, &status, &errors));
    cr_assert_eq (status, 0, "cmake --install failed: %s", errors);
    free (errors);

    /*  What a packager expects to find.  */
    const char *expected [] = {
        "bin/clipd", "bin/clip", "bin/clip-worker",
        CLIP_INSTALL_DATADIR "/clipd/model/model.bin",
        CLIP_INSTALL_DATADIR "/clipd/model/clusters.tsv",
        CLIP_INSTALL_DATADIR "/clipd/model/names.tsv",
        CLIP_INSTALL_DATADIR "/clipd/model/gazetteer.tsv",
        CLIP_INSTALL_DATADIR "/clipd/aliases.tsv",
        CLIP_INSTALL_DOCDIR "/clipd.conf.sample",
        CLIP_INSTALL_DOCDIR "/README.md",
        CLIP_INSTALL_DOCDIR "/ARCHITECTURE.md",
        CLIP_INSTALL_MANDIR "/man8/clipd.8",
        CLIP_INSTALL_MANDIR "/man1/clip.1",
        CLIP_INSTALL_MANDIR "/man1/clip-worker.1",
        CLIP_SYSTEMD_UNITDIR "/clipd.service",
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected [0]; i++) {
        char *path = clip_path_join (prefix, expected [i]);
        cr_expect (is_file (path), "not installed: %s", path);
        free (path);
    }
    for (size_t i = 0; i < N_HUAWEI; i++) {
        char *path = clip_strprintf ("%s/%s/clipd/corpus/huawei/%s", prefix, CLIP_INSTALL_DATADIR,
                                     huawei [i]);
        cr_expect (is_file (path), "not installed: %s", path);
        free (path);
    }
    /*  Nothing of the tests, benchmarks or fuzzers.  */
    char *bindir = clip_path_join (prefix, "bin");
    cr_expect_eq (tu_count_files (bindir), 3, "bin/ holds clipd, clip and clip-worker only");
    free (bindir);
    char *unit_path = clip_strprintf ("%s/%s/clipd.service", prefix, CLIP_SYSTEMD_UNITDIR);
    char *unit = slurp (unit_path);
    cr_expect (strstr (unit, "ExecStart=" CLIP_INSTALL_FULL_BINDIR "/clipd "),
               "the unit starts the configured bindir's clipd:\n%s", unit);
    cr_expect (strstr (unit, "DynamicUser=yes") && strstr (unit, "ProtectSystem=strict")
               && strstr (unit, "StateDirectory=clipd") && !strstr (unit, "@CMAKE"),
               "a hardened unit, its variables substituted:\n%s", unit);
    free (unit);
    free (unit_path);

    /*  The articles to drop, copied while the source tree is in reach.  */
    for (size_t i = 0; i < N_HUAWEI; i++) {
        char *src = clip_strprintf ("%s/corpus/huawei/%s", CLIP_SOURCE_DIR, huawei [i]);
        char *dst = clip_strprintf ("%s/dropped-%s", articles, huawei [i]);
        size_t len;
        char *data = tu_read (src, &len);
        cr_assert_not_null (data, "%s", src);
        tu_write (dst, data, len);
        free (data);
        free (src);
        free (dst);
    }

    char *why = hide_trees ();
    if (why) {
        /*  The message goes into the skip: a warning would fail the run.  */
        char reason [600];
        snprintf (reason, sizeof reason, "%s (this test needs root): the install is not tried "
                  "without its source tree", why);
        free (why);
        free (prefix);
        free (work);
        free (articles);
        cr_skip_test ("%s", reason);
    }
    char *clipd = clip_path_join (prefix, "bin/clipd");
    char *clip = clip_path_join (prefix, "bin/clip");
    char *probe = clip_strprintf ("%s/corpus/huawei/%s", CLIP_SOURCE_DIR, huawei [0]);
    cr_assert (access (probe, F_OK) != 0, "the source tree is still in reach");
    free (probe);

    /*  From another folder, with nothing in the environment pointing back.  */
    cr_assert_eq (chdir (work), 0);
    unsetenv ("CLIPD_DATA_DIR");
    unsetenv ("CLIPD_WORKER_BIN");
    unsetenv ("CLIPD_CONFIG");
    unsetenv ("CLIP_TEST_WRAPPER");

    char *datadir = clip_strprintf ("%s/%s/clipd", prefix, CLIP_INSTALL_DATADIR);
    char resolved [PATH_MAX];
    cr_assert_not_null (realpath (datadir, resolved));
    const char *help_argv [] = { clipd, "--help", NULL };
    char *help = run_capture (help_argv, 10000, &status, NULL);
    cr_assert_eq (status, 0);
    char *shown = clip_strprintf ("[%s]", resolved);
    cr_expect (strstr (help, shown), "clipd --help shows the installed data dir %s:\n%s", shown, help);
    cr_expect (!strstr (help, CLIP_SOURCE_DIR), "clipd --help names the source tree:\n%s", help);
    free (shown);
    free (help);

    /*  The installed clipd with two of its own workers, the unit's command
        but for ephemeral ports.  */
    char *log = clip_path_join (tmp, "clipd.log");
    const char *argv [] = {
        clipd, "--workers", "2", "--tasks", "tcp://127.0.0.1:*", "--pub", "tcp://127.0.0.1:*",
        "--replay", "tcp://127.0.0.1:*", "--http", "127.0.0.1:0", NULL
    };
    clipd_pid = tu_spawn (argv, log, log);
    json_t *endpoints = NULL;
    for (int waited = 0; !endpoints && waited < tu_scaled_ms (20000); waited += 50) {
        endpoints = json_load_file ("var/endpoints.json", 0, NULL);
        if (!endpoints) {
            int st;
            if (waitpid (clipd_pid, &st, WNOHANG) == clipd_pid) {
                clipd_pid = 0;
                char *text = tu_read (log, NULL);
                cr_assert_fail ("the installed clipd exited at start:\n%s", text ? text : "");
            }
            usleep (50000);
        }
    }
    cr_assert_not_null (endpoints, "the installed clipd wrote no var/endpoints.json");
    char *pub = clip_strdup (json_string_value (json_object_get (endpoints, "pub")));
    char *replay = clip_strdup (json_string_value (json_object_get (endpoints, "replay")));
    json_decref (endpoints);

    for (size_t i = 0; i < N_HUAWEI; i++) {
        char *src = clip_strprintf ("%s/dropped-%s", articles, huawei [i]);
        char *dst = clip_strprintf ("inbox/dropped-%s", huawei [i]);
        tu_drop (src, dst);
        free (src);
        free (dst);
    }

    /*  Read back with the installed clip.  */
    char *timeout = clip_strprintf ("%d", tu_scaled_ms (60000));
    const char *sub [] = { clip, "sub", "--since", "0", "--count", "5", "--timeout-ms", timeout,
                           "--replay", replay, pub, NULL };
    char *lines = run_capture (sub, tu_scaled_ms (90000), &status, &errors);
    cr_assert_eq (status, 0, "the installed clip sub failed: %s", errors);
    free (errors);
    int records = 0;
    for (char *save, *line = strtok_r (lines, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
        json_error_t jerr;
        json_t *rec = json_loads (line, 0, &jerr);
        cr_assert_not_null (rec, "not JSON: %s", line);
        records++;
        const char *file = json_string_value (json_object_get (rec, "file"));
        cr_assert_not_null (file, "%s", line);
        cr_expect_str_eq (json_string_value (json_object_get (rec, "status")), "ok", "%s", line);
        cr_expect_gt (json_array_size (json_object_get (rec, "entities")), 0,
                      "%s: no entities (the model was not loaded)", file);
        /*  A duplicate of the very article shipped in the corpus that
            clipd loaded from its install at first start.  */
        cr_expect (verdict_is (rec, "duplicate"), "%s is not a duplicate: %s", file, line);
        json_t *m = json_array_get (json_object_get (json_object_get (rec, "dedupe"), "matches"), 0);
        const char *matched = json_string_value (json_object_get (m, "file"));
        cr_expect (matched && strncmp (file, "dropped-", 8) == 0 && strstr (matched, file + 8),
                   "%s matched %s, not its shipped self", file, matched ? matched : "nothing");
        json_decref (rec);
    }
    cr_expect_eq (records, 5, "5 records from the installed clipd");
    char *text = tu_read (log, NULL);
    cr_expect (text && strstr (text, "event=corpus_seeded") && strstr (text, resolved),
               "the corpus was seeded from the install:\n%s", text ? text : "");
    free (text);

    /*  --data-dir and CLIPD_DATA_DIR still win over the install's: a
        folder holding nothing makes both programs fail, naming it.  */
    char *nowhere = clip_path_join (tmp, "nowhere");
    char *article = clip_strprintf ("%s/dropped-%s", articles, huawei [0]);
    const char *analyze [] = { clip, "analyze", "--data-dir", nowhere, article, NULL };
    free (run_capture (analyze, 30000, &status, &errors));
    cr_expect_eq (status, 1, "clip analyze --data-dir of an empty folder fails");
    cr_expect (strstr (errors, nowhere), "the error names --data-dir's folder: %s", errors);
    free (errors);
    setenv ("CLIPD_DATA_DIR", nowhere, 1);
    const char *elsewhere [] = { clipd, "--state", "var2", "--inbox", "inbox2",
                                 "--tasks", "tcp://127.0.0.1:*", "--pub", "tcp://127.0.0.1:*",
                                 "--replay", "tcp://127.0.0.1:*", "--http", "127.0.0.1:0", NULL };
    char *err_log = clip_path_join (tmp, "clipd2.log");
    pid_t pid = tu_spawn (elsewhere, err_log, err_log);
    cr_expect_eq (tu_wait (pid, 20000), 1, "clipd with CLIPD_DATA_DIR of an empty folder fails");
    unsetenv ("CLIPD_DATA_DIR");
    char *err_text = tu_read (err_log, NULL);
    cr_expect (err_text && strstr (err_text, nowhere), "the error names CLIPD_DATA_DIR's folder:\n%s",
               err_text ? err_text : "");
    free (err_text);
    free (err_log);
    free (article);
    free (nowhere);
    free (lines);
    free (timeout);
    free (pub);
    free (replay);
    free (log);
    free (datadir);
    free (clipd);
    free (clip);
    free (prefix);
    free (work);
    free (articles);
}

/*  Every --flag in text (help output), each once, NULL-terminated; caller
    frees each and the array.  */
static char **
flags_of (const char *text)
{
    char **flags = NULL;
    size_t n = 0;
    for (const char *p = text; (p = strstr (p, "--")) != NULL; ) {
        const char *s = p + 2, *e = s;
        while ((*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9') || *e == '-')
            e++;
        p = e;
        if (e == s)
            continue;
        char *flag = clip_strndup (s, (size_t) (e - s));
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++)
            seen = strcmp (flags [i], flag) == 0;
        if (seen) {
            free (flag);
            continue;
        }
        flags = clip_realloc (flags, (n + 2) * sizeof *flags);
        flags [n++] = flag;
        flags [n] = NULL;
    }
    return flags;
}

/*  The flag as roff writes it: every dash escaped.  */
static char *
roff_flag (const char *flag)
{
    char *out = clip_malloc (4 * strlen (flag) + 8);
    size_t o = 0;
    out [o++] = '\\', out [o++] = '-', out [o++] = '\\', out [o++] = '-';
    for (const char *p = flag; *p; p++) {
        if (*p == '-')
            out [o++] = '\\';
        out [o++] = *p;
    }
    out [o] = 0;
    return out;
}

static void
check_page_names_flags (const char *const *help_argv, const char *page_path)
{
    int status;
    char *help = run_capture (help_argv, 10000, &status, NULL);
    cr_assert_eq (status, 0, "%s --help failed", help_argv [0]);
    char *page = slurp (page_path);
    char **flags = flags_of (help);
    cr_assert_not_null (flags, "no flag in %s --help", help_argv [0]);
    for (size_t i = 0; flags [i]; i++) {
        char *roff = roff_flag (flags [i]);
        cr_expect (strstr (page, roff), "%s does not describe --%s, which `%s%s%s --help' prints",
                   page_path, flags [i], help_argv [0], help_argv [2] ? " " : "",
                   help_argv [2] ? help_argv [1] : "");
        free (roff);
        free (flags [i]);
    }
    free (flags);
    free (page);
    free (help);
}

Test (install, man_pages_name_every_flag_of_help)
{
    tmp = tu_tempdir ("install-man");
    char *worker = tu_bin ("workers/clip-worker");
    char *clip = tu_bin ("clip/clip");
    char *clipd = tu_bin ("daemon/clipd");
    const char *worker_help [] = { worker, "--help", NULL };
    const char *sub_help [] = { clip, "sub", "--help", NULL };
    const char *analyze_help [] = { clip, "analyze", "--help", NULL };
    const char *clipd_help [] = { clipd, "--help", NULL };
    check_page_names_flags (worker_help, CLIP_SOURCE_DIR "/docs/man/clip-worker.1");
    check_page_names_flags (sub_help, CLIP_SOURCE_DIR "/docs/man/clip.1");
    check_page_names_flags (analyze_help, CLIP_SOURCE_DIR "/docs/man/clip.1");
    check_page_names_flags (clipd_help, CLIP_BIN_DIR "/docs/man/clipd.8");
    free (worker);
    free (clip);
    free (clipd);
}

/*  The path of program found on PATH (caller frees), or NULL.  */
static char *
on_path (const char *program)
{
    const char *path = getenv ("PATH");
    char *copy = clip_strdup (path ? path : "/usr/bin:/bin");
    char *found = NULL;
    for (char *save, *dir = strtok_r (copy, ":", &save); dir && !found;
         dir = strtok_r (NULL, ":", &save)) {
        char *candidate = clip_path_join (dir, program);
        if (access (candidate, X_OK) == 0)
            found = candidate;
        else
            free (candidate);
    }
    free (copy);
    return found;
}

Test (install, man_pages_render_without_warnings)
{
    char *groff = on_path ("groff");
    if (!groff)
        cr_skip_test ("groff is not installed: the man pages are not rendered");
    tmp = tu_tempdir ("install-groff");
    const char *pages [] = {
        CLIP_SOURCE_DIR "/docs/man/clip.1", CLIP_SOURCE_DIR "/docs/man/clip-worker.1",
        CLIP_BIN_DIR "/docs/man/clipd.8",
    };
    for (size_t i = 0; i < sizeof pages / sizeof pages [0]; i++) {
        char *err = clip_path_join (tmp, "groff.err");
        const char *argv [] = { groff, "-man", "-Tutf8", "-ww", "-z", pages [i], NULL };
        pid_t pid = tu_spawn (argv, "/dev/null", err);
        int status = tu_wait (pid, 30000);
        char *warnings = tu_read (err, NULL);
        cr_expect_eq (status, 0, "groff failed on %s", pages [i]);
        cr_expect (!warnings || !*warnings, "groff warns on %s:\n%s", pages [i], warnings);
        free (warnings);
        free (err);
    }
    free (groff);
}
