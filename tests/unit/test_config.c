/*  config: reloading the settings (SIGHUP) and naming what changed.  */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdlib.h>
#include <string.h>

#include "clip_util.h"
#include "config.h"
#include "publish.h"
#include "testutil.h"

static void
write_text (const char *path, const char *text)
{
    tu_write (path, text, strlen (text));
}

Test (config, reload_reads_the_file_again_and_names_the_changes)
{
    char *dir = tu_tempdir ("config");
    char *path = clip_path_join (dir, "clipd.conf");
    write_text (path, "[clipd]\nnear-containment = 0.7\nmax-bytes = 100\n");
    char *argv [] = { "clipd", "--config", path, "--near-jaccard", "0.6", NULL };
    clipd_config_t cfg;
    cr_assert_eq (clipd_config_parse (&cfg, 5, argv), 0);
    cr_assert_str_eq (cfg.log_level, "info");

    write_text (path, "[clipd]\nnear-containment = 0.4\nmax-bytes = 200\nnear-jaccard = 0.1\n"
                      "log-level = debug\n");
    clipd_config_t fresh;
    char err [512] = "";
    cr_assert_eq (clipd_config_reload (&cfg, &fresh, err, sizeof err), 0, "%s", err);
    cr_assert_float_eq (fresh.near_containment, 0.4, 1e-9);
    cr_assert_float_eq (fresh.near_jaccard, 0.6, 1e-9, "the flag still wins over the file");
    cr_assert_str_eq (fresh.log_level, "debug");
    const char *names [8];
    cr_assert_eq (clipd_config_changed (&cfg, &fresh, false, names, 8), 1);
    cr_assert_str_eq (names [0], "max-bytes");
    cr_assert_eq (clipd_config_changed (&cfg, &fresh, true, names, 8), 2);
    cr_assert_str_eq (names [0], "near-containment");
    cr_assert_str_eq (names [1], "log-level");
    clipd_config_clear (&fresh);

    /*  A broken file: refused, with what and where.  */
    write_text (path, "[clipd]\nnear-containment = 7\n");
    cr_assert_eq (clipd_config_reload (&cfg, &fresh, err, sizeof err), -1);
    cr_assert (strstr (err, "near-containment") && strstr (err, path), "%s", err);
    clipd_config_clear (&fresh);
    write_text (path, "[clipd]\nlog-level = loud\n");
    cr_assert_eq (clipd_config_reload (&cfg, &fresh, err, sizeof err), -1);
    cr_assert (strstr (err, "log-level"), "%s", err);
    clipd_config_clear (&fresh);

    clipd_config_clear (&cfg);
    free (path);
    tu_rmtree (dir);
    free (dir);
}

Test (publish, only_prefixes_of_published_topics_can_match)
{
    const char *yes [] = { "", "a", "article", "article.", "article.near", "article.near_duplicate",
                           "article.duplicate", "article.unique", "article.related", "e", "error" };
    const char *no [] = { "article.unique.", "errors", "x", "article.nope", "Article" };
    for (size_t i = 0; i < sizeof yes / sizeof yes [0]; i++)
        cr_assert (clip_publish_subscription_useful (yes [i], strlen (yes [i])), "%s", yes [i]);
    for (size_t i = 0; i < sizeof no / sizeof no [0]; i++)
        cr_assert (!clip_publish_subscription_useful (no [i], strlen (no [i])), "%s", no [i]);
}

/*  Issue 13: bounds and allowed values live in the settings table; every
    source is checked from the same row, and the message names the
    setting, where the value came from, and what is allowed.  */

static char *s_dir;

static void
bounds_fini (void)
{
    unsetenv ("CLIPD_HEARTBEAT_MS");
    unsetenv ("CLIPD_MAX_INFLIGHT");
    unsetenv ("CLIPD_ON_DONE");
    unsetenv ("CLIPD_MAX_BYTES");
    unsetenv ("CLIPD_NEAR_JACCARD");
    if (s_dir) {
        tu_rmtree (s_dir);
        free (s_dir);
        s_dir = NULL;
    }
}

TestSuite (config_bounds, .fini = bounds_fini);

/*  Parse args (NULL-terminated, no program name) as a reload does (the
    same parser as at start, printing nothing).  Returns 0 or -1.  */
static int
parse_args (const char *const *args, clipd_config_t *cfg, char *err, size_t err_size)
{
    static char *argv [32];
    int argc = 0;
    argv [argc++] = "clipd";
    for (int i = 0; args [i] && argc < 31; i++)
        argv [argc++] = (char *) args [i];
    argv [argc] = NULL;
    clipd_config_t start = { .argc = argc, .argv = argv };
    err [0] = 0;
    return clipd_config_reload (&start, cfg, err, err_size);
}

static void
env_name_of (const char *name, char *env, size_t size)
{
    snprintf (env, size, "CLIPD_");
    size_t o = strlen (env);
    for (const char *p = name; *p && o + 1 < size; p++)
        env [o++] = *p == '-' ? '_' : (char) (*p - 'a' + 'A');
    env [o] = 0;
}

Test (config_bounds, each_violation_from_each_source_names_setting_origin_and_range)
{
    struct {
        const char *name, *value, *allowed;
    } cases [] = {
        { "heartbeat-ms", "5", "10..60000" },                   /* below min */
        { "max-inflight", "65537", "1..65536" },                /* above max */
        { "max-bytes", "1073741825", "1..1073741824" },         /* above the wire's limit */
        { "on-done", "shred", "keep|delete" },                  /* not in the enum */
        { "log-level", "loud", "debug|info|warn|error" },
        { "max-bytes", "lots", "1..1073741824" },               /* not a number */
        { "max-pending", "-1", "1..1048576" },                  /* no sign */
        { "near-jaccard", "0.5x", "0..1" },
        { "near-jaccard", "1.5", "0..1" },
    };
    s_dir = tu_tempdir ("config-bounds");
    char *path = clip_path_join (s_dir, "clipd.conf");
    clipd_config_t cfg;
    char err [1024];
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        const char *name = cases [i].name, *value = cases [i].value;
        char flag [64], env [64], where [700], quoted [64];
        snprintf (flag, sizeof flag, "--%s", name);
        env_name_of (name, env, sizeof env);
        snprintf (quoted, sizeof quoted, "'%s'", value);

        /*  A flag.  */
        const char *args [] = { flag, value, NULL };
        cr_assert_eq (parse_args (args, &cfg, err, sizeof err), -1, "flag %s %s", flag, value);
        cr_assert (strstr (err, "command line") && strstr (err, flag)
                   && strstr (err, cases [i].allowed) && strstr (err, quoted), "%s", err);
        clipd_config_clear (&cfg);

        /*  The environment.  */
        setenv (env, value, 1);
        const char *none [] = { NULL };
        cr_assert_eq (parse_args (none, &cfg, err, sizeof err), -1, "%s=%s", env, value);
        cr_assert (strstr (err, env) && strstr (err, name) && strstr (err, cases [i].allowed)
                   && strstr (err, quoted), "%s", err);
        clipd_config_clear (&cfg);
        unsetenv (env);

        /*  The file, on its line 3.  */
        char *text = clip_strprintf ("[clipd]\n# a comment\n%s = %s\n", name, value);
        write_text (path, text);
        free (text);
        const char *file [] = { "--config", path, NULL };
        cr_assert_eq (parse_args (file, &cfg, err, sizeof err), -1, "file %s = %s", name, value);
        snprintf (where, sizeof where, "%s:3:", path);
        cr_assert (strstr (err, where) && strstr (err, name) && strstr (err, cases [i].allowed)
                   && strstr (err, quoted), "%s", err);
        clipd_config_clear (&cfg);
    }
    /*  The bounds themselves are allowed, and enums take any case.  */
    const char *edges [] = { "--heartbeat-ms", "10", "--liveness-ms", "600000", "--max-inflight",
                             "65536", "--max-bytes", "1073741824", "--on-done", "DELETE",
                             "--near-jaccard", "1", NULL };
    cr_assert_eq (parse_args (edges, &cfg, err, sizeof err), 0, "%s", err);
    cr_assert_eq (cfg.heartbeat_ms, 10);
    cr_assert_eq (cfg.max_inflight, 65536);
    cr_assert_str_eq (cfg.on_done, "delete", "stored as the table spells it");
    clipd_config_clear (&cfg);
    free (path);
}

Test (config_bounds, liveness_must_exceed_heartbeat)
{
    clipd_config_t cfg;
    char err [1024];
    const char *args [] = { "--heartbeat-ms", "2000", "--liveness-ms", "2000", NULL };
    cr_assert_eq (parse_args (args, &cfg, err, sizeof err), -1);
    cr_assert (strstr (err, "liveness-ms (2000, command line)")
               && strstr (err, "heartbeat-ms (2000, command line)"), "%s", err);
    clipd_config_clear (&cfg);
    /*  Each named with where it came from.  */
    setenv ("CLIPD_HEARTBEAT_MS", "6000", 1);
    const char *none [] = { NULL };
    cr_assert_eq (parse_args (none, &cfg, err, sizeof err), -1);
    cr_assert (strstr (err, "liveness-ms (5000, default)")
               && strstr (err, "heartbeat-ms (6000, environment CLIPD_HEARTBEAT_MS)"), "%s", err);
    clipd_config_clear (&cfg);
    unsetenv ("CLIPD_HEARTBEAT_MS");
    const char *ok [] = { "--heartbeat-ms", "2000", "--liveness-ms", "2001", NULL };
    cr_assert_eq (parse_args (ok, &cfg, err, sizeof err), 0, "%s", err);
    clipd_config_clear (&cfg);
}

Test (config_bounds, unknown_keys_and_other_sections_name_file_and_line)
{
    s_dir = tu_tempdir ("config-bounds");
    char *path = clip_path_join (s_dir, "clipd.conf");
    clipd_config_t cfg;
    char err [1024], where [700];
    const char *file [] = { "--config", path, NULL };

    write_text (path, "[clipd]\nmax-bytes = 100\n\nno-such-key = 1\n");
    cr_assert_eq (parse_args (file, &cfg, err, sizeof err), -1);
    snprintf (where, sizeof where, "%s:4:", path);
    cr_assert (strstr (err, where) && strstr (err, "no-such-key"), "%s", err);
    clipd_config_clear (&cfg);

    write_text (path, "[clipd]\nmax-bytes = 100\n[server]\nmax-bytes = 200\n");
    cr_assert_eq (parse_args (file, &cfg, err, sizeof err), -1, "a section other than [clipd]");
    snprintf (where, sizeof where, "%s:4:", path);
    cr_assert (strstr (err, where) && strstr (err, "[server]"), "%s", err);
    clipd_config_clear (&cfg);

    /*  Keys before any section are still clipd's.  */
    write_text (path, "max-bytes = 100\n[clipd]\nmax_inflight = 7\n");
    cr_assert_eq (parse_args (file, &cfg, err, sizeof err), 0, "%s", err);
    cr_assert_eq (cfg.max_bytes, 100);
    cr_assert_eq (cfg.max_inflight, 7);
    clipd_config_clear (&cfg);
    free (path);
}

/*  What a FILE * printer wrote, as a string (caller frees).  */
static char *
print_to_string (void (*print) (FILE *))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream (&buf, &len);
    cr_assert_not_null (f);
    print (f);
    fclose (f);
    return buf;
}

Test (config_bounds, the_sample_round_trips_to_the_defaults_and_shows_ranges)
{
    s_dir = tu_tempdir ("config-bounds");
    char *path = clip_path_join (s_dir, "sample.conf");
    char *sample = print_to_string (clipd_config_print_sample);
    write_text (path, sample);
    cr_assert (strstr (sample, "# range: 10..60000\nheartbeat-ms = 1000\n"), "%s", sample);
    cr_assert (strstr (sample, "# one of: keep|delete\non-done = keep\n"), "%s", sample);
    cr_assert (strstr (sample, "# range: 0..1\nnear-jaccard = 0.5\n"), "%s", sample);

    clipd_config_t defaults, from_sample;
    char err [1024];
    const char *none [] = { NULL };
    cr_assert_eq (parse_args (none, &defaults, err, sizeof err), 0, "%s", err);
    const char *file [] = { "--config", path, NULL };
    cr_assert_eq (parse_args (file, &from_sample, err, sizeof err), 0, "%s", err);
    const char *names [64];
    cr_assert_eq (clipd_config_changed (&defaults, &from_sample, true, names, 64), 0);
    size_t n = clipd_config_changed (&defaults, &from_sample, false, names, 64);
    /*  Only --config itself differs.  */
    cr_assert_eq (n, 1, "%zu settings differ, first %s", n, n ? names [0] : "");
    cr_assert_str_eq (names [0], "config");
    clipd_config_clear (&defaults);
    clipd_config_clear (&from_sample);
    free (sample);
    free (path);
}

Test (config_bounds, the_man_page_shows_ranges_and_choices)
{
    char *page = print_to_string (clipd_config_print_man);
    cr_assert (strstr (page, "Range: \\fB10..60000\\fR."), "heartbeat-ms");
    cr_assert (strstr (page, "One of: \\fBdebug|info|warn|error\\fR."), "log-level");
    cr_assert (strstr (page, "Default: \\fB0.7\\fR."), "near-containment");
    free (page);
}

Test (config_bounds, help_shows_ranges_and_choices, .init = cr_redirect_stdout)
{
    char *argv [] = { "clipd", "--help", NULL };
    clipd_config_t cfg;
    cr_assert_eq (clipd_config_parse (&cfg, 2, argv), 1);
    clipd_config_clear (&cfg);
    fflush (stdout);
    FILE *f = cr_get_redirected_stdout ();
    char help [16384];
    size_t n = fread (help, 1, sizeof help - 1, f);
    help [n] = 0;
    cr_assert (strstr (help, "heartbeat interval with workers [1000] (10..60000)"), "%s", help);
    cr_assert (strstr (help, "[keep] (one of keep|delete)"), "%s", help);
    cr_assert (strstr (help, "[0.25] (0..1)"), "%s", help);
}

/*  Issue 11: the parser collects every problem (a flag, the environment,
    each bad line of the file and the rules across settings), not only
    the first, and at most 100 of them, then "and N more".  */
Test (config_bounds, every_problem_is_collected_and_bounded)
{
    s_dir = tu_tempdir ("config-bounds");
    char *path = clip_path_join (s_dir, "clipd.conf");
    clipd_config_t cfg;
    char err [16384], where [700];
    write_text (path, "[clipd]\nmax-bytes = 0\nno-such-key = 1\n[other]\nx = 1\n");
    setenv ("CLIPD_HEARTBEAT_MS", "5", 1);
    const char *args [] = { "--config", path, "--on-done", "shred", "--liveness-ms", "20",
                            "--tasks", "tcp://10.1.2.3:1", NULL };
    cr_assert_eq (parse_args (args, &cfg, err, sizeof err), -1);
    unsetenv ("CLIPD_HEARTBEAT_MS");
    const int lines [] = { 2, 3, 5 };
    for (int i = 0; i < 3; i++) {
        snprintf (where, sizeof where, "%s:%d: ", path, lines [i]);
        cr_assert (strstr (err, where), "%s in %s", where, err);
    }
    cr_assert (strstr (err, "command line: --on-done"), "%s", err);
    cr_assert (strstr (err, "environment CLIPD_HEARTBEAT_MS: heartbeat-ms"), "%s", err);
    cr_assert (strstr (err, "--tasks tcp://10.1.2.3:1 is beyond loopback"), "%s", err);
    clipd_config_clear (&cfg);

    /*  150 unknown keys: 100 named, then how many more.  */
    FILE *f = fopen (path, "w");
    cr_assert_not_null (f);
    for (int i = 0; i < 150; i++)
        fprintf (f, "bad-key-%d = 1\n", i);
    fclose (f);
    const char *file [] = { "--config", path, NULL };
    cr_assert_eq (parse_args (file, &cfg, err, sizeof err), -1);
    snprintf (where, sizeof where, "%s:100: unknown setting 'bad-key-99'", path);
    cr_assert (strstr (err, where), "%s", err);
    cr_assert (!strstr (err, "bad-key-100'"), "%s", err);
    cr_assert (strstr (err, "; and 50 more"), "%s", err);
    clipd_config_clear (&cfg);
    free (path);
}
