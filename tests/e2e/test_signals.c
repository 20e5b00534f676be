/*  End to end: clipd and its signals.  SIGUSR1 and SIGUSR2 are ignored
    (and logged), SIGHUP reloads the settings of --config: the live ones
    (verdict thresholds, log level) apply to the next verdicts, the others
    are named as needing a restart, and a broken file is refused with the
    old settings kept.  A real clipd, a real worker, real files.  */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clip_util.h"
#include "testutil.h"

static bool
alive (pid_t pid)
{
    return kill (pid, 0) == 0;
}

static void
write_config (const char *path, const char *near_containment, const char *extra)
{
    char *text = clip_strprintf ("[clipd]\nnear-containment = %s\nsettle-ms = 50\n%s",
                                 near_containment, extra);
    tu_write (path, text, strlen (text));
    free (text);
}

/*  The first half of a corpus article, then as many words that are in no
    article: containment about 0.5 with it, jaccard about 0.33, "related"
    under the default thresholds.  seed varies the added words.  */
static char *
half_article (unsigned seed)
{
    char *path = clip_strprintf ("%s/corpus/huawei/000_9e0fcb074dd77aaf.txt", CLIP_SOURCE_DIR);
    size_t len;
    char *text = tu_read (path, &len);
    cr_assert_not_null (text, "cannot read %s", path);
    free (path);
    size_t words = 0;
    for (size_t i = 0; i < len; i++)
        if ((i == 0 || text [i - 1] == ' ' || text [i - 1] == '\n') && text [i] != ' ' && text [i] != '\n')
            words++;
    size_t want = words / 2, seen = 0, cut = len;
    for (size_t i = 0; i < len; i++)
        if ((i == 0 || text [i - 1] == ' ' || text [i - 1] == '\n') && text [i] != ' ' && text [i] != '\n')
            if (seen++ == want) {
                cut = i;
                break;
            }
    static const char *vocab [] = {
        "orchard", "lantern", "meadow", "copper", "violet", "harbor", "quartz", "saddle",
        "timber", "willow", "falcon", "garnet", "hollow", "juniper", "kettle", "marble",
        "nectar", "oyster", "pebble", "raven", "silver", "thistle", "umber", "velvet",
    };
    size_t cap = cut + want * 10 + 8, o = cut;
    char *out = clip_malloc (cap);
    memcpy (out, text, cut);
    out [o++] = '\n';
    unsigned x = seed * 2654435761u + 1;
    for (size_t i = 0; i < want; i++) {
        x = x * 1103515245u + 12345u;
        o += (size_t) snprintf (out + o, cap - o, "%s ", vocab [(x >> 16) % 24]);
    }
    out [o] = 0;
    free (text);
    return out;
}

static void
drop_text (const char *inbox, const char *name, const char *text)
{
    char *tmp = clip_strprintf ("%s/.%s.tmp", inbox, name);
    char *dst = clip_path_join (inbox, name);
    tu_write (tmp, text, strlen (text));
    cr_assert_eq (rename (tmp, dst), 0);
    free (tmp);
    free (dst);
}

Test (signals, usr1_usr2_ignored_and_logged)
{
    char *dir = tu_tempdir ("signals");
    const char *extra [] = { "--corpus", "none", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    kill (d->pid, SIGUSR1);
    tu_wait_log (d, "event=signal_ignored signal=SIGUSR1", 1, 10000);
    kill (d->pid, SIGUSR2);
    tu_wait_log (d, "event=signal_ignored signal=SIGUSR2", 1, 10000);
    /*  No --config: SIGHUP re-reads flags and environment, nothing changes.  */
    kill (d->pid, SIGHUP);
    tu_wait_log (d, "event=reloaded", 1, 10000);
    cr_assert (alive (d->pid), "clipd died of a signal");
    char *body = NULL;
    cr_assert_eq (tu_http_get (d->http, "/healthz", &body), 200, "%s", body);
    free (body);
    cr_assert_eq (tu_daemon_stop (d), 0, "clipd exits 0 on SIGTERM after the other signals");
    tu_daemon_free (d);
    tu_rmtree (dir);
    free (dir);
}

Test (signals, sighup_applies_thresholds_to_later_verdicts, .timeout = 240)
{
    char *dir = tu_tempdir ("sighup");
    char *conf = clip_path_join (dir, "clipd.conf");
    write_config (conf, "0.7", "");
    const char *extra [] = { "--config", conf, "--workers", "1", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    tu_sub_t *sub = tu_sub_new (d->pub);

    /*  Default thresholds: half of a corpus article is "related".  */
    char *a = half_article (1);
    drop_text (d->inbox, "a.txt", a);
    char *topic = NULL;
    char *rec = tu_sub_recv (sub, 120000, &topic);
    cr_assert_not_null (rec, "no record for a.txt");
    cr_assert_str_eq (topic, "article.related", "before SIGHUP: %s", rec);
    free (rec);
    free (topic);

    /*  Lower near-containment in the file, change a setting that cannot
        change live, SIGHUP.  */
    write_config (conf, "0.4", "max-bytes = 5000000\n");
    kill (d->pid, SIGHUP);
    tu_wait_log (d, "event=reloaded", 1, 10000);
    cr_assert_eq (tu_log_count (d, "near_containment=0.4"), 1, "the reload logs the value applied");
    cr_assert_eq (tu_log_count (d, "event=reload_needs_restart setting=max-bytes"), 1,
                  "a setting that needs a restart is named");

    /*  The same kind of article is now a near duplicate.  */
    char *b = half_article (2);
    drop_text (d->inbox, "b.txt", b);
    rec = tu_sub_recv (sub, 120000, &topic);
    cr_assert_not_null (rec, "no record for b.txt");
    cr_assert_str_eq (topic, "article.near_duplicate", "after SIGHUP: %s", rec);
    free (rec);
    free (topic);

    /*  A broken file is refused; clipd keeps running with 0.4.  */
    tu_write (conf, "[clipd]\nnear-containment = 7\n", strlen ("[clipd]\nnear-containment = 7\n"));
    kill (d->pid, SIGHUP);
    tu_wait_log (d, "event=reload_refused", 1, 10000);
    cr_assert_eq (tu_log_count (d, "event=reloaded"), 1, "the broken file was not applied");
    cr_assert (alive (d->pid));
    char *c = half_article (3);
    drop_text (d->inbox, "c.txt", c);
    rec = tu_sub_recv (sub, 120000, &topic);
    cr_assert_not_null (rec, "no record for c.txt");
    cr_assert_str_eq (topic, "article.near_duplicate", "the old settings are kept: %s", rec);
    free (rec);
    free (topic);

    tu_sub_free (sub);
    cr_assert_eq (tu_daemon_stop (d), 0);
    tu_daemon_free (d);
    free (a);
    free (b);
    free (c);
    free (conf);
    tu_rmtree (dir);
    free (dir);
}
