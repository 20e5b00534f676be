/*  The inbox's cost in a burst (issue 12): the stats it makes per article.

    A burst larger than the candidate table, renamed in and claimed as
    clipd does, on a real folder, a real loop and real inotify.  This
    executable defines fstatat and stat itself (forwarding to the system
    call), so that it can count the calls the inbox makes: every one is a
    path lookup in the inbox folder on the loop thread.  What is promised:
    one stat per article renamed in (at the claim), two for one found by
    a rescan or written in place (when it is found and when it is
    claimed), and none for what the kernel already said (a name renamed
    away or deleted: the inbox's own claims), none for a new name while
    the table is full (the rescan that follows room looks at it), none in
    a rescan for a name already a candidate, and none after the rename
    that claims it.  */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clip_util.h"
#include "inbox.h"
#include "testutil.h"

/*  Counted: calls naming something under s_root (stat) or relative to a
    folder descriptor (fstatat), which only the inbox makes here.  */
static const char *s_root;
static long s_stats;

int
fstatat (int dirfd, const char *path, struct stat *st, int flags)
{
    if (s_root && dirfd >= 0 && path [0] != '/')
        s_stats++;
    return (int) syscall (SYS_newfstatat, dirfd, path, st, flags);
}

int
stat (const char *path, struct stat *st)
{
    if (s_root && strncmp (path, s_root, strlen (s_root)) == 0)
        s_stats++;
    return (int) syscall (SYS_newfstatat, AT_FDCWD, path, st, 0);
}

static void
on_ready (clip_inbox_t *inbox, void *arg)
{
    (void) inbox;
    (void) arg;
}

#define BURST 200
#define TABLE 16

/*  Renames BURST files into an inbox whose candidate table holds table
    names, claims them as clipd does; returns the stats made.  */
static long
burst_stats (size_t table)
{
    char *dir = tu_tempdir ("inbox-stats");
    char *inbox = clip_path_join (dir, "inbox");
    char *staging = clip_path_join (dir, "staging");
    char *processing = clip_path_join (dir, "processing");
    cr_assert_eq (clip_mkdirs (inbox, 0755), 0);
    cr_assert_eq (clip_mkdirs (staging, 0755), 0);
    cr_assert_eq (clip_mkdirs (processing, 0755), 0);
    for (int i = 0; i < BURST; i++) {
        char name [32];
        snprintf (name, sizeof name, "%05d.txt", i);
        char *path = clip_path_join (staging, name);
        tu_write (path, "An article renamed into the inbox.\n", 35);
        free (path);
    }
    uv_loop_t loop;
    uv_loop_init (&loop);
    /*  A short settle time: its timer is what rescans once the full table
        has room again.  */
    clip_inbox_settings_t s = { 40, 600000, table, "inotify" };
    clip_inbox_t *in = clip_inbox_new (&loop, inbox, processing, &s, on_ready, NULL, NULL);
    cr_assert_eq (clip_inbox_start (in), 0);
    s_root = dir;
    s_stats = 0;
    for (int i = 0; i < BURST; i++) {
        char name [32];
        snprintf (name, sizeof name, "%05d.txt", i);
        char *from = clip_path_join (staging, name);
        char *to = clip_path_join (inbox, name);
        cr_assert_eq (rename (from, to), 0);
        free (from);
        free (to);
    }
    /*  Claim as clipd does, a few at a time (its --max-inflight), each
        loop turn, until the burst is in processing/.  */
    int claimed = 0;
    uint64_t until = clip_mono_ms () + (uint64_t) tu_scaled_ms (60000);
    while (claimed < BURST && clip_mono_ms () < until) {
        uv_run (&loop, UV_RUN_NOWAIT);
        clip_claim_t c;
        for (int k = 0; k < 4 && clip_inbox_claim (in, 1000 + (uint64_t) claimed, &c) == 1; k++) {
            cr_assert_eq (c.size, 35, "the size of %s", c.name);
            clip_claim_clear (&c);
            claimed++;
        }
        usleep (1000);
    }
    cr_assert_eq (claimed, BURST, "claimed %d of %d", claimed, BURST);
    /*  The events of the claims' own renames out of the inbox, and a
        rescan or two.  */
    uint64_t settle = clip_mono_ms () + 300;
    while (clip_mono_ms () < settle) {
        uv_run (&loop, UV_RUN_NOWAIT);
        usleep (5000);
    }
    long stats = s_stats;
    s_root = NULL;
    cr_log_info ("%ld stats for %d articles, table %zu", stats, BURST, table);
    clip_inbox_destroy (&in);
    uv_run (&loop, UV_RUN_DEFAULT);
    cr_assert_eq (uv_loop_close (&loop), 0);
    tu_rmtree (dir);
    free (dir);
    free (inbox);
    free (staging);
    free (processing);
    return stats;
}

/*  A burst larger than the table: most names are found by the rescan that
    follows room, which stats them (it cannot tell a file renamed in from
    one being written), then once more at the claim; some slack for a name
    found by a rescan and its event both.  Before issue 12: 4 an article
    and more.  */
Test (inbox_stats, a_burst_beyond_the_table_costs_about_two_stats_per_article, .timeout = 120)
{
    long stats = burst_stats (TABLE);
    cr_assert_leq (stats, 2 * BURST + BURST / 4, "%ld stats for %d articles (%.2f each)", stats,
                   BURST, (double) stats / BURST);
}

/*  A burst the table holds: every name comes with its IN_MOVED_TO event,
    ready at once and not looked at until the claim, whose stat is the
    only one.  Before: two an article.  */
Test (inbox_stats, a_renamed_in_article_costs_one_stat, .timeout = 120)
{
    long stats = burst_stats (4 * BURST);
    cr_assert_leq (stats, BURST + BURST / 10, "%ld stats for %d articles (%.2f each)", stats,
                   BURST, (double) stats / BURST);
}
