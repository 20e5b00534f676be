/*  config: reloading the settings (SIGHUP) and naming what changed.  */
#include <criterion/criterion.h>
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
