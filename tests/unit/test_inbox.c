/*  The inbox: which names are articles, what is skipped, when a file is
    ready (renamed in: at once; written in place: once settled), claiming by
    rename, and the bounded candidate table.  Real folders, a real libuv loop,
    real inotify.  Every test that watches runs against both watcher
    back-ends (inbox_watch.h): suite inbox_inotify and suite inbox_fs_event,
    the latter forcing the fallback as --inbox-watch fs_event does; where
    fs_event cannot keep a promise as inotify does (it cannot tell a file
    renamed in), each back-end has its own test of what it does.  */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "clip_utf8.h"
#include "clip_util.h"
#include "inbox.h"
#include "inbox_watch.h"
#include "testutil.h"

/*  The back-end the running test forces (each Criterion test runs in its
    own process).  */
static const char *s_watch = "inotify";

/*  Declare a test body run once per back-end, as inbox_inotify::test and
    inbox_fs_event::test.  */
#define ON_BOTH(test)                                                       \
    static void test (void);                                                \
    Test (inbox_inotify, test) { s_watch = "inotify"; test (); }            \
    Test (inbox_fs_event, test) { s_watch = "fs_event"; test (); }          \
    static void test (void)

typedef struct {
    char *dir;
    char *inbox;
    char *processing;
    uv_loop_t loop;
    clip_inbox_t *watcher;
    int ready_calls;
} fixture_t;

static void
on_ready (clip_inbox_t *inbox, void *arg)
{
    ((fixture_t *) arg)->ready_calls++;
}

static void
setup (fixture_t *f, uint64_t settle_ms, uint64_t rescan_ms, size_t max_pending)
{
    f->dir = tu_tempdir ("inbox");
    f->inbox = clip_path_join (f->dir, "inbox");
    f->processing = clip_path_join (f->dir, "processing");
    cr_assert_eq (clip_mkdirs (f->inbox, 0755), 0);
    cr_assert_eq (clip_mkdirs (f->processing, 0755), 0);
    uv_loop_init (&f->loop);
    clip_inbox_settings_t s = { settle_ms, rescan_ms, max_pending, s_watch };
    f->watcher = clip_inbox_new (&f->loop, f->inbox, f->processing, &s, on_ready, f, NULL);
}

static void
start (fixture_t *f)
{
    cr_assert_eq (clip_inbox_start (f->watcher), 0);
}

/*  Run the loop for about ms milliseconds.  */
static void
spin (fixture_t *f, int ms)
{
    uint64_t end = clip_mono_ms () + (uint64_t) ms;
    while (clip_mono_ms () < end) {
        uv_run (&f->loop, UV_RUN_NOWAIT);
        usleep (5000);
    }
}

static void
teardown (fixture_t *f)
{
    clip_inbox_destroy (&f->watcher);
    uv_run (&f->loop, UV_RUN_DEFAULT);
    cr_assert_eq (uv_loop_close (&f->loop), 0, "every handle was closed");
    tu_rmtree (f->dir);
    free (f->dir);
    free (f->inbox);
    free (f->processing);
}

static void
put (fixture_t *f, const char *name, const char *text)
{
    char *path = clip_path_join (f->inbox, name);
    tu_write (path, text, strlen (text));
    free (path);
}

/*  Set a file's mtime into the past, as if written long ago.  */
static void
age (fixture_t *f, const char *name)
{
    char *path = clip_path_join (f->inbox, name);
    struct timeval tv [2] = { { 1000000000, 0 }, { 1000000000, 0 } };
    cr_assert_eq (utimes (path, tv), 0);
    free (path);
}

/*  n files written long ago, PREFIX00.txt and on: ready once found.  */
static void
put_old (fixture_t *f, const char *prefix, int n)
{
    for (int i = 0; i < n; i++) {
        char name [32];
        snprintf (name, sizeof name, "%s%02d.txt", prefix, i);
        put (f, name, "text");
        age (f, name);
    }
}

static int
claim_all (fixture_t *f, char names [][64], int max)
{
    int n = 0;
    clip_claim_t c;
    while (n < max && clip_inbox_claim (f->watcher, 1000 + (uint64_t) n, &c) == 1) {
        snprintf (names [n], 64, "%s", c.name);
        struct stat st;
        cr_assert_eq (stat (c.path, &st), 0, "claimed file is in processing/");
        cr_assert_eq (c.claim, 1000 + (uint64_t) n);
        clip_claim_clear (&c);
        n++;
    }
    return n;
}

ON_BOTH (only_regular_articles_are_claimed)
{
    fixture_t f;
    setup (&f, 50, 60000, 100);
    put (&f, "article.txt", "hello");
    put (&f, ".hidden", "x");
    put (&f, "upload.tmp", "x");
    put (&f, "upload.part", "x");
    put (&f, "name with spaces é.txt", "x");
    char *sub = clip_path_join (f.inbox, "folder");
    mkdir (sub, 0755);
    char *fifo = clip_path_join (f.inbox, "pipe");
    cr_assert_eq (mkfifo (fifo, 0644), 0);
    char *link = clip_path_join (f.inbox, "link.txt");
    cr_assert_eq (symlink ("/etc/hostname", link), 0);
    age (&f, "article.txt");
    age (&f, "name with spaces é.txt");
    start (&f);
    spin (&f, 200);
    char names [16][64];
    int n = claim_all (&f, names, 16);
    cr_assert_eq (n, 2, "claimed %d files", n);
    cr_assert (strcmp (names [0], "article.txt") == 0 || strcmp (names [1], "article.txt") == 0);
    cr_assert (strcmp (names [0], "name with spaces é.txt") == 0
               || strcmp (names [1], "name with spaces é.txt") == 0);
    /*  What is not an article stays where it is.  */
    struct stat st;
    cr_assert_eq (lstat (fifo, &st), 0);
    cr_assert_eq (lstat (link, &st), 0);
    cr_assert_eq (lstat (sub, &st), 0);
    char *tmp = clip_path_join (f.inbox, "upload.tmp");
    cr_assert_eq (lstat (tmp, &st), 0);
    free (tmp);
    free (sub);
    free (fifo);
    free (link);
    teardown (&f);
}

Test (inbox_inotify, renamed_in_is_ready_at_once_written_in_place_waits)
{
    /*  A settle time far longer than the test: only a rename can make a
        file ready here.  */
    fixture_t f;
    setup (&f, 600000, 600000, 100);
    start (&f);
    put (&f, "in-place.txt", "being written");
    put (&f, ".staging", "finished article");
    char *from = clip_path_join (f.inbox, ".staging");
    char *to = clip_path_join (f.inbox, "renamed.txt");
    cr_assert_eq (rename (from, to), 0);
    spin (&f, 300);
    cr_assert_eq (clip_inbox_ready_count (f.watcher), 1);
    char names [4][64];
    cr_assert_eq (claim_all (&f, names, 4), 1);
    cr_assert_str_eq (names [0], "renamed.txt");
    free (from);
    free (to);
    teardown (&f);
}

/*  Spin until the inbox has n ready files (at most ms); returns whether.  */
static bool
spin_until_ready (fixture_t *f, size_t n, int ms)
{
    uint64_t end = clip_mono_ms () + (uint64_t) tu_scaled_ms (ms);
    while (clip_mono_ms () < end) {
        uv_run (&f->loop, UV_RUN_NOWAIT);
        if (clip_inbox_ready_count (f->watcher) == n)
            return true;
        usleep (5000);
    }
    return false;
}

/*  A file written earlier and then renamed in (a `mv` from another folder):
    its mtime is older than the settle time, so both back-ends take it at
    once, fs_event too, which cannot tell a rename from a create.  Neither
    timer can fire during the test: only the event makes it ready.  */
ON_BOTH (an_old_file_renamed_in_is_ready_at_once)
{
    fixture_t f;
    setup (&f, 600000, 600000, 100);
    start (&f);
    put (&f, ".staging", "finished article");
    age (&f, ".staging");
    char *from = clip_path_join (f.inbox, ".staging");
    char *to = clip_path_join (f.inbox, "moved.txt");
    cr_assert_eq (rename (from, to), 0);
    cr_assert (spin_until_ready (&f, 1, 10000), "the renamed file is ready");
    char names [4][64];
    cr_assert_eq (claim_all (&f, names, 4), 1);
    cr_assert_str_eq (names [0], "moved.txt");
    free (from);
    free (to);
    teardown (&f);
}

/*  What fs_event does instead of telling a rename: a file renamed in just
    after it was written counts as written in place, so it is taken once
    its mtime is older than the settle time, not before, and then without a
    rescan (the periodic one is far off).  */
Test (inbox_fs_event, a_fresh_file_renamed_in_waits_for_the_settle_time)
{
    s_watch = "fs_event";
    fixture_t f;
    const uint64_t settle = 1500;
    setup (&f, settle, 600000, 100);
    start (&f);
    uint64_t t0 = clip_now_ms ();
    put (&f, ".staging", "finished article");
    char *from = clip_path_join (f.inbox, ".staging");
    char *to = clip_path_join (f.inbox, "renamed.txt");
    cr_assert_eq (rename (from, to), 0);
    spin (&f, 300);
    /*  Only when the machine did not stall past the settle time meanwhile.  */
    if (clip_now_ms () < t0 + settle - 100)
        cr_assert_eq (clip_inbox_ready_count (f.watcher), 0, "not ready before the settle time");
    cr_assert (spin_until_ready (&f, 1, 15000), "ready once settled");
    /*  File times are coarse (a tick behind): allow them 50 ms.  */
    cr_assert_geq (clip_now_ms () + 50, t0 + settle, "not before the settle time");
    char names [4][64];
    cr_assert_eq (claim_all (&f, names, 4), 1);
    cr_assert_str_eq (names [0], "renamed.txt");
    free (from);
    free (to);
    teardown (&f);
}

ON_BOTH (a_file_still_changing_is_not_ready_until_it_settles)
{
    fixture_t f;
    setup (&f, 1000, 600000, 100);
    start (&f);
    char *path = clip_path_join (f.inbox, "growing.txt");
    FILE *w = fopen (path, "w");
    cr_assert_not_null (w);
    /*  Append every 100 ms for a second: never unchanged for 1000 ms.  */
    for (int i = 0; i < 10; i++) {
        fprintf (w, "line %d\n", i);
        fflush (w);
        spin (&f, 100);
        cr_assert_eq (clip_inbox_ready_count (f.watcher), 0, "ready while still written (i=%d)", i);
    }
    fclose (w);
    spin (&f, 2500);
    cr_assert_eq (clip_inbox_ready_count (f.watcher), 1);
    clip_claim_t c;
    cr_assert_eq (clip_inbox_claim (f.watcher, 1, &c), 1);
    size_t len;
    char *data = tu_read (c.path, &len);
    cr_assert (strstr (data, "line 9"), "the whole file was claimed");
    free (data);
    clip_claim_clear (&c);
    free (path);
    teardown (&f);
}

ON_BOTH (a_file_removed_before_claim_is_skipped)
{
    fixture_t f;
    setup (&f, 50, 600000, 100);
    put (&f, "gone.txt", "x");
    put (&f, "kept.txt", "y");
    age (&f, "gone.txt");
    age (&f, "kept.txt");
    start (&f);
    cr_assert_eq (clip_inbox_ready_count (f.watcher), 2);
    /*  Removed between the event and the claim.  */
    char *gone = clip_path_join (f.inbox, "gone.txt");
    unlink (gone);
    free (gone);
    char names [4][64];
    cr_assert_eq (claim_all (&f, names, 4), 1);
    cr_assert_str_eq (names [0], "kept.txt");
    teardown (&f);
}

ON_BOTH (the_candidate_table_is_bounded_and_nothing_is_missed)
{
    fixture_t f;
    setup (&f, 40, 100, 3);
    put_old (&f, "a", 20);
    start (&f);
    cr_assert_leq (clip_inbox_ready_count (f.watcher), 3);
    int total = 0;
    for (int round = 0; round < 100 && total < 20; round++) {
        cr_assert_leq (clip_inbox_ready_count (f.watcher), 3);
        char names [4][64];
        total += claim_all (&f, names, 4);
        spin (&f, 60);
    }
    cr_assert_eq (total, 20, "every file claimed in the end (%d)", total);
    cr_assert_eq (tu_count_files (f.processing), 20);
    teardown (&f);
}

/*  A scan that found the table full scans again as soon as the claims
    have emptied half of it, not at the settle timer's next tick (here five
    minutes away, and the periodic rescan ten): in a burst larger than the
    table, waiting for the tick left the workers idle (issue 12).  */
ON_BOTH (a_full_table_is_refilled_once_half_of_it_is_claimed)
{
    fixture_t f;
    setup (&f, 600000, 600000, 4);
    put_old (&f, "b", 20);
    start (&f);
    int total = 0;
    uint64_t deadline = clip_mono_ms () + 30000;
    while (total < 20 && clip_mono_ms () < deadline) {
        char names [4][64];
        total += claim_all (&f, names, 4);
        spin (&f, 10);
    }
    cr_assert_eq (total, 20, "every file claimed long before the settle tick (%d)", total);
    cr_assert_eq (tu_count_files (f.processing), 20);
    teardown (&f);
}

/*  The setting picks the back-end: auto is inotify on Linux; a name that is
    no back-end is refused at start, and such an inbox is freed at once.  */
Test (inbox, the_watch_setting_picks_the_back_end)
{
    cr_assert_eq (clip_inbox_watch_find ("auto"), &clip_inbox_inotify);
    cr_assert_eq (clip_inbox_watch_find (NULL), &clip_inbox_inotify);
    cr_assert_eq (clip_inbox_watch_find ("inotify"), &clip_inbox_inotify);
    cr_assert_eq (clip_inbox_watch_find ("fs_event"), &clip_inbox_fsevent);
    cr_assert_null (clip_inbox_watch_find ("kqueue"));
    s_watch = "kqueue";
    fixture_t f;
    setup (&f, 50, 600000, 100);
    cr_assert_eq (clip_inbox_start (f.watcher), -EINVAL);
    teardown (&f);
}

Test (inbox, claim_names_round_trip)
{
    char *name = clip_claim_filename (1234567, "a b é.txt");
    uint64_t claim;
    char *orig;
    cr_assert_eq (clip_claim_parse (name, &claim, &orig), 0);
    cr_assert_eq (claim, 1234567);
    cr_assert_str_eq (orig, "a b é.txt");
    free (orig);
    free (name);
    cr_assert_eq (clip_claim_parse ("plain.txt", &claim, &orig), -1);
    cr_assert_eq (clip_claim_parse ("0000000000000000000x_a", &claim, &orig), -1);
    /*  A name near NAME_MAX is cut to fit, on a character boundary.  */
    char longname [260];
    memset (longname, 'x', 250);
    strcpy (longname + 250, "é.txt");
    name = clip_claim_filename (1, longname);
    cr_assert_leq (strlen (name), NAME_MAX);
    cr_assert_eq (clip_claim_parse (name, &claim, &orig), 0);
    cr_assert_eq (claim, 1);
    free (orig);
    free (name);
}

/*  A claim's name is printf's "%020llu_NAME", cut on a character boundary
    to NAME_MAX, for every claim and around the length where the cut
    starts, and its claim reads back from it.  */
Test (inbox, claim_names_are_20_digits_and_the_name_and_parse_back)
{
    const uint64_t claims [] = { 0, 7, 1234567, 99999999999999999ULL, UINT64_MAX };
    const size_t lens [] = { 1, 10, NAME_MAX - 22, NAME_MAX - 21, NAME_MAX - 20, NAME_MAX - 19,
                             NAME_MAX };
    for (size_t c = 0; c < sizeof claims / sizeof claims [0]; c++)
        for (size_t l = 0; l < sizeof lens / sizeof lens [0]; l++) {
            /*  Two-byte characters, so that an odd cut falls inside one.  */
            char name [NAME_MAX + 1];
            for (size_t i = 0; i < lens [l]; i++)
                name [i] = i < 3 ? 'a' : (i - 3) % 2 == 0 ? '\xc3' : '\xa9';
            name [lens [l]] = 0;
            char want [NAME_MAX + 32];
            int n = snprintf (want, sizeof want, "%020llu_%s", (unsigned long long) claims [c], name);
            want [clip_utf8_cut (want, (size_t) n, NAME_MAX)] = 0;
            char *got = clip_claim_filename (claims [c], name);
            cr_assert_str_eq (got, want, "claim %llu, %zu bytes", (unsigned long long) claims [c],
                              lens [l]);
            uint64_t back;
            char *orig;
            cr_assert_eq (clip_claim_parse (got, &back, &orig), 0);
            cr_assert_eq (back, claims [c]);
            free (orig);
            free (got);
        }
    /*  20 digits past UINT64_MAX are no claim.  */
    uint64_t back;
    char *orig = NULL;
    cr_assert_eq (clip_claim_parse ("18446744073709551616_a", &back, &orig), -1);
    cr_assert_eq (clip_claim_parse ("99999999999999999999_a", &back, &orig), -1);
    cr_assert_eq (clip_claim_parse ("18446744073709551615_a", &back, &orig), 0);
    cr_assert_eq (back, UINT64_MAX);
    free (orig);
}

/*  Paths are joined with exactly one slash added, none after a slash.  */
Test (inbox, paths_join_with_one_slash)
{
    const char *cases [] [3] = { { "a", "b", "a/b" }, { "a/", "b", "a/b" }, { "", "b", "/b" },
                                 { "/", "b", "/b" }, { "a//", "b", "a//b" }, { "a", "", "a/" },
                                 { "/x/y", ".00000000000000000001.claim",
                                   "/x/y/.00000000000000000001.claim" } };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        char *got = clip_path_join (cases [i] [0], cases [i] [1]);
        cr_assert_str_eq (got, cases [i] [2]);
        free (got);
        /*  The same joins into a buffer, with a suffix: in the buffer
            when they fit (one byte too few goes to the heap).  */
        char want [96], buf [96], *heap = NULL;
        snprintf (want, sizeof want, "%s.json", cases [i] [2]);
        got = clip_path_join_buf (buf, sizeof buf, cases [i] [0], cases [i] [1], ".json", &heap);
        cr_assert (got == buf && heap == NULL);
        cr_assert_str_eq (got, want);
        got = clip_path_join_buf (buf, strlen (want), cases [i] [0], cases [i] [1], ".json",
                                  &heap);
        cr_assert (got == heap && got != buf);
        cr_assert_str_eq (got, want);
        free (heap);
    }
}

static char *
long_name (size_t len)
{
    /*  Multi-byte characters, so that the cut has to find a boundary.  */
    char *name = clip_malloc (len + 1);
    size_t i = 0;
    while (i + 4 < len) {
        if (i % 7 == 3 && i + 2 + 4 <= len) {
            memcpy (name + i, "é", 2);
            i += 2;
        }
        else {
            name [i] = (char) ('a' + i % 26);
            i++;
        }
    }
    while (i < len - 4)
        name [i++] = 'z';
    memcpy (name + i, ".txt", 4);
    name [len] = 0;
    return name;
}

static const char *
base_name (const char *path)
{
    const char *slash = strrchr (path, '/');
    return slash ? slash + 1 : path;
}

/*  Names of 235-255 bytes: the claim prefix makes the claim name too long,
    so it is cut, and the full inbox name survives in the sidecar for a
    restart (clip_claim_recover) to find.  */
ON_BOTH (long_names_survive_a_restart_through_the_sidecar)
{
    fixture_t f;
    setup (&f, 50, 600000, 100);
    for (size_t len = 235; len <= NAME_MAX; len++) {
        char *name = long_name (len);
        cr_assert_eq (strlen (name), len);
        put (&f, name, "text");
        age (&f, name);
        free (name);
    }
    start (&f);
    int n = 0;
    clip_claim_t c;
    while (clip_inbox_claim (f.watcher, 5000 + (uint64_t) n, &c) == 1) {
        n++;
        cr_assert_leq (strlen (base_name (c.path)), NAME_MAX);
        cr_assert_geq (strlen (c.name), 235, "the claim hands over the full name");
        /*  After a crash, only the folder is left to tell the name.  */
        uint64_t claim;
        char *name = NULL;
        cr_assert_eq (clip_claim_recover (f.processing, f.inbox, base_name (c.path), &claim, &name), 0);
        cr_assert_eq (claim, c.claim);
        cr_assert_str_eq (name, c.name, "the full inbox name, not the cut one");
        free (name);
        /*  Once the file left processing/, its sidecar goes too.  */
        char *moved = clip_path_join (f.dir, "moved");
        cr_assert_eq (rename (c.path, moved), 0);
        clip_claim_release (c.path, c.name);
        free (moved);
        clip_claim_clear (&c);
    }
    cr_assert_eq (n, NAME_MAX - 235 + 1);
    cr_assert_eq (tu_count_files (f.processing), 0, "no sidecar left");
    teardown (&f);
}

/*  Leftovers of claims a crash interrupted are removed at start; the sidecar
    of a claim file still there is kept.  */
/*  A claim whose name fits whole has no sidecar, so releasing it makes no
    unlink(2) (one system call fewer per article, issue 12): a file put at
    its sidecar's path stays.  Without the inbox name, the sidecar is
    unlinked whatever it is.  */
Test (inbox, releasing_a_name_that_fits_unlinks_nothing)
{
    char *dir = tu_tempdir ("inbox-release");
    char *cname = clip_claim_filename (42, "short.txt");
    char *cpath = clip_path_join (dir, cname);
    char *side = clip_strprintf ("%s/.%020llu.claim", dir, 42ULL);
    tu_write (side, "x", 1);
    clip_claim_release (cpath, "short.txt");
    cr_assert_eq (access (side, F_OK), 0, "no sidecar is looked for");
    clip_claim_release (cpath, "other.txt");
    cr_assert_neq (access (side, F_OK), 0, "another name: the sidecar goes");
    tu_write (side, "x", 1);
    clip_claim_release (cpath, NULL);
    cr_assert_neq (access (side, F_OK), 0, "an unknown name: the sidecar goes");
    tu_rmtree (dir);
    free (dir);
    free (cname);
    free (cpath);
    free (side);
}

ON_BOTH (orphan_sidecars_and_copies_are_removed_at_start)
{
    fixture_t f;
    setup (&f, 50, 600000, 100);
    char *name = long_name (250);
    char *claim_name = clip_claim_filename (42, name);
    char *claim_path = clip_path_join (f.processing, claim_name);
    tu_write (claim_path, "x", 1);
    const char *kept = ".00000000000000000042.claim";
    char *kept_path = clip_path_join (f.processing, kept);
    char *text = clip_strprintf ("clipd-claim 1\nname %s", name);
    tu_write (kept_path, text, strlen (text));
    const char *orphans [] = { ".00000000000000000043.claim", ".00000000000000000044.tmp",
                               ".00000000000000000045.claim.123.tmp" };
    for (int i = 0; i < 3; i++) {
        char *p = clip_path_join (f.processing, orphans [i]);
        tu_write (p, "x", 1);
        free (p);
    }
    start (&f);
    cr_assert_eq (tu_count_files (f.processing), 2, "the claim and its sidecar only");
    cr_assert_eq (access (kept_path, F_OK), 0);
    uint64_t claim;
    char *got = NULL;
    cr_assert_eq (clip_claim_recover (f.processing, f.inbox, claim_name, &claim, &got), 0);
    cr_assert_str_eq (got, name);
    free (got);
    /*  A sidecar that does not belong to the claim name is not believed.  */
    tu_write (kept_path, "clipd-claim 1\nname other.txt", 28);
    cr_assert_eq (clip_claim_recover (f.processing, f.inbox, claim_name, &claim, &got), 0);
    cr_assert_str_eq (got, claim_name + 21);
    free (got);
    free (text); free (kept_path); free (claim_path); free (claim_name); free (name);
    teardown (&f);
}

static clipd_metrics_t test_metrics;

static void
setup_metrics (fixture_t *f, uint64_t rescan_ms)
{
    memset (&test_metrics, 0, sizeof test_metrics);
    f->dir = tu_tempdir ("inbox");
    f->inbox = clip_path_join (f->dir, "inbox");
    f->processing = clip_path_join (f->dir, "processing");
    cr_assert_eq (clip_mkdirs (f->inbox, 0755), 0);
    cr_assert_eq (clip_mkdirs (f->processing, 0755), 0);
    uv_loop_init (&f->loop);
    clip_inbox_settings_t s = { 50, rescan_ms, 100, s_watch };
    f->watcher = clip_inbox_new (&f->loop, f->inbox, f->processing, &s, on_ready, f, &test_metrics);
}

/*  Spin until a file can be claimed (at most ms); returns its name or NULL.  */
static char *
spin_claim (fixture_t *f, int ms)
{
    uint64_t end = clip_mono_ms () + (uint64_t) ms;
    clip_claim_t c;
    while (clip_mono_ms () < end) {
        uv_run (&f->loop, UV_RUN_NOWAIT);
        if (clip_inbox_claim (f->watcher, clip_now_ms (), &c) == 1) {
            char *name = clip_strdup (c.name);
            clip_claim_clear (&c);
            return name;
        }
        usleep (5000);
    }
    return NULL;
}

/*  A file renamed into the (new) inbox: ready at once.  */
static void
drop (fixture_t *f, const char *name)
{
    char *tmp = clip_path_join (f->inbox, ".staging");
    char *dst = clip_path_join (f->inbox, name);
    tu_write (tmp, "text", 4);
    cr_assert_eq (rename (tmp, dst), 0);
    free (tmp);
    free (dst);
}

/*  The inbox deleted and made again, then renamed away and another made:
    each time the new folder is watched (the back-end tells: inotify by
    its events on the inbox and its parent, fs_event by an event naming the
    inbox on its parent; the periodic rescan is far off), files dropped
    into it are claimed, and the old one's are not.  */
ON_BOTH (a_replaced_inbox_folder_is_watched_again)
{
    fixture_t f;
    setup_metrics (&f, 600000);
    start (&f);
    drop (&f, "first.txt");
    char *got = spin_claim (&f, 5000);
    cr_assert_not_null (got);
    free (got);

    char *cmd = clip_strprintf ("rm -rf '%s' && mkdir '%s'", f.inbox, f.inbox);
    cr_assert_eq (system (cmd), 0);
    free (cmd);
    spin (&f, 100);
    drop (&f, "after-rm.txt");
    got = spin_claim (&f, 10000);
    cr_assert_not_null (got, "a file in the recreated inbox is claimed");
    cr_assert_str_eq (got, "after-rm.txt");
    free (got);
    cr_assert_geq (atomic_load (&test_metrics.inbox_rewatched), 1);

    char *old = clip_path_join (f.dir, "inbox.old");
    cr_assert_eq (rename (f.inbox, old), 0);
    cr_assert_eq (mkdir (f.inbox, 0755), 0);
    spin (&f, 100);
    char *stale = clip_path_join (old, "stale.txt");
    tu_write (stale, "x", 1);
    drop (&f, "after-mv.txt");
    got = spin_claim (&f, 10000);
    cr_assert_not_null (got, "a file in the new inbox is claimed");
    cr_assert_str_eq (got, "after-mv.txt");
    free (got);
    spin (&f, 300);
    got = spin_claim (&f, 300);
    cr_assert_null (got, "nothing is taken from the folder renamed away (%s)", got ? got : "");
    cr_assert_eq (access (stale, F_OK), 0);
    cr_assert_geq (atomic_load (&test_metrics.inbox_rewatched), 2);
    cr_assert_eq (atomic_load (&test_metrics.inbox_unwatched), 0);
    free (stale);
    free (old);
    teardown (&f);
}

/*  A tmpfs mounted at path (root only): true, or false when the test
    cannot mount (it then skips, saying why).  */
static bool
mount_tmpfs (const char *path, const char *options)
{
    if (mount ("tmpfs", path, "tmpfs", 0, options) != 0) {
        cr_log_warn ("cannot mount a tmpfs at %s (%s): this test needs root", path, strerror (errno));
        return false;
    }
    return true;
}

/*  Replaced without a single inotify event: a file system mounted over the
    inbox path hides the watched folder.  The periodic rescan compares the
    path's (st_dev, st_ino) with the watched folder's and watches the new
    one.  (It is on another file system than processing/: claims copy.)  */
ON_BOTH (the_periodic_rescan_notices_a_folder_mounted_over_the_inbox)
{
    fixture_t f;
    setup_metrics (&f, 200);
    start (&f);
    if (!mount_tmpfs (f.inbox, "size=1m")) {
        teardown (&f);
        cr_skip_test ("mount(2) not permitted");
    }
    drop (&f, "on-tmpfs.txt");
    char *got = spin_claim (&f, 10000);
    cr_assert_not_null (got, "the folder mounted over the inbox is watched");
    cr_assert_str_eq (got, "on-tmpfs.txt");
    cr_assert_geq (atomic_load (&test_metrics.inbox_rewatched), 1);
    cr_assert_eq (atomic_load (&test_metrics.claims_copied), 1);
    free (got);
    cr_assert_eq (umount2 (f.inbox, MNT_DETACH), 0);
    teardown (&f);
}

static char *
sidecar_of (fixture_t *f, uint64_t claim)
{
    char *name = clip_strprintf (".%020llu.claim", (unsigned long long) claim);
    char *path = clip_path_join (f->processing, name);
    free (name);
    return path;
}

/*  The inbox on another file system than processing/: rename() fails with
    EXDEV, so files are claimed by copy, fsync and unlink, the copy whole,
    the inbox file gone, short and long names alike.  */
ON_BOTH (claims_across_file_systems_copy_the_file)
{
    fixture_t f;
    setup_metrics (&f, 600000);
    if (!mount_tmpfs (f.inbox, "size=4m")) {
        clip_inbox_destroy (&f.watcher);
        uv_run (&f.loop, UV_RUN_DEFAULT);
        uv_loop_close (&f.loop);
        tu_rmtree (f.dir);
        cr_skip_test ("mount(2) not permitted");
    }
    char big [100000];
    for (size_t i = 0; i < sizeof big; i++)
        big [i] = (char) ('a' + i % 23);
    char *path = clip_path_join (f.inbox, "big.txt");
    tu_write (path, big, sizeof big);
    age (&f, "big.txt");
    char *lname = long_name (NAME_MAX);
    put (&f, lname, "long");
    age (&f, lname);
    start (&f);
    clip_claim_t c;
    int n = 0;
    while (clip_inbox_claim (f.watcher, 7000 + (uint64_t) n, &c) == 1) {
        n++;
        cr_assert (c.copied);
        size_t len;
        char *data = tu_read (c.path, &len);
        if (strcmp (c.name, "big.txt") == 0) {
            cr_assert_eq (len, sizeof big);
            cr_assert_eq (memcmp (data, big, len), 0, "the copy is whole");
        }
        else {
            cr_assert_str_eq (c.name, lname);
            cr_assert_str_eq (data, "long");
        }
        free (data);
        /*  The inbox file is gone: only a cut name keeps its sidecar.  */
        char *side = sidecar_of (&f, c.claim);
        if (strcmp (c.name, "big.txt") == 0)
            cr_assert_neq (access (side, F_OK), 0, "a copy's sidecar goes with its twin");
        else
            cr_assert_eq (access (side, F_OK), 0, "a cut name keeps its sidecar");
        free (side);
        clip_claim_clear (&c);
    }
    cr_assert_eq (n, 2);
    cr_assert_eq (tu_count_files (f.inbox), 0, "the inbox files are gone");
    cr_assert_eq (atomic_load (&test_metrics.claims_copied), 2);
    free (lname);
    free (path);
    cr_assert_eq (umount2 (f.inbox, MNT_DETACH), 0);
    teardown (&f);
}

/*  kill -9 between the copy (renamed into processing/, sidecar written) and
    the unlink of the inbox file: both exist.  clip_claim_recover removes
    the inbox twin, the very inode copied and unchanged, so it is not taken
    twice; a new file dropped under the same name since is left alone.  */
Test (inbox, recovery_removes_the_inbox_twin_of_an_interrupted_copy_only)
{
    fixture_t f;
    setup_metrics (&f, 600000);
    if (!mount_tmpfs (f.inbox, "size=1m")) {
        clip_inbox_destroy (&f.watcher);
        uv_run (&f.loop, UV_RUN_DEFAULT);
        uv_loop_close (&f.loop);
        tu_rmtree (f.dir);
        cr_skip_test ("mount(2) not permitted");
    }
    const char *names [2] = { "twin.txt", "new.txt" };
    for (int i = 0; i < 2; i++) {
        uint64_t claim = 100 + (uint64_t) i;
        char *src = clip_path_join (f.inbox, names [i]);
        tu_write (src, "article", 7);
        struct stat st;
        cr_assert_eq (stat (src, &st), 0);
        /*  What claim_by_copy leaves once step 3 is durable.  */
        char *cname = clip_claim_filename (claim, names [i]);
        char *cpath = clip_path_join (f.processing, cname);
        tu_write (cpath, "article", 7);
        char *side = sidecar_of (&f, claim);
        char *text = clip_strprintf ("clipd-claim 1\nsource %llu %llu %lld %ld %lld\nname %s",
                                     (unsigned long long) st.st_dev, (unsigned long long) st.st_ino,
                                     (long long) st.st_ctim.tv_sec, (long) st.st_ctim.tv_nsec,
                                     (long long) st.st_size, names [i]);
        tu_write (side, text, strlen (text));
        if (i == 1) {
            /*  The unlink happened; then a new file came under that name.  */
            cr_assert_eq (unlink (src), 0);
            usleep (20000);
            tu_write (src, "article", 7);
        }
        free (text); free (side); free (cpath); free (src);
        uint64_t got_claim;
        char *got = NULL;
        cr_assert_eq (clip_claim_recover (f.processing, f.inbox, cname, &got_claim, &got), 0);
        cr_assert_str_eq (got, names [i]);
        free (got);
        free (cname);
    }
    char *twin = clip_path_join (f.inbox, "twin.txt");
    char *fresh = clip_path_join (f.inbox, "new.txt");
    cr_assert_neq (access (twin, F_OK), 0, "the twin of the claimed copy is gone");
    cr_assert_eq (access (fresh, F_OK), 0, "a new file under a claimed name stays");
    free (twin);
    free (fresh);
    cr_assert_eq (umount2 (f.inbox, MNT_DETACH), 0);
    teardown (&f);
}

static bool
unwatched_is (uint64_t v, fixture_t *f, int ms)
{
    uint64_t end = clip_mono_ms () + (uint64_t) ms;
    while (clip_mono_ms () < end) {
        uv_run (&f->loop, UV_RUN_NOWAIT);
        if (atomic_load (&test_metrics.inbox_unwatched) == v)
            return true;
        usleep (5000);
    }
    return false;
}

/*  The inbox path taken by a regular file: it cannot be watched, and that is
    reported (clipd_inbox_unwatched, hence /healthz) while it lasts; a
    missing path is recreated after INBOX_RECREATE_MS.  */
ON_BOTH (an_inbox_that_cannot_be_watched_is_reported_and_retried)
{
    fixture_t f;
    setup_metrics (&f, 600000);
    start (&f);
    cr_assert_eq (rmdir (f.inbox), 0);
    tu_write (f.inbox, "not a folder", 12);
    cr_assert (unwatched_is (1, &f, 5000), "reported while the path is a file");
    spin (&f, 1500);
    cr_assert_eq (atomic_load (&test_metrics.inbox_unwatched), 1, "still: a file is never replaced");
    cr_assert_eq (unlink (f.inbox), 0);
    /*  Missing now: recreated by the inbox itself.  */
    cr_assert (unwatched_is (0, &f, 15000), "recreated and watched again");
    struct stat st;
    cr_assert_eq (stat (f.inbox, &st), 0);
    cr_assert (S_ISDIR (st.st_mode));
    drop (&f, "back.txt");
    char *got = spin_claim (&f, 10000);
    cr_assert_not_null (got);
    free (got);
    /*  The parent's event for the inbox's own mkdir came before back.txt's:
        it is no reason to watch a second time.  */
    cr_assert_eq (atomic_load (&test_metrics.inbox_rewatched), 1, "watched again once");
    teardown (&f);
}
