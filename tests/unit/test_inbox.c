/*  The inbox: which names are articles, what is skipped, when a file is
    ready (renamed in: at once; written in place: once settled), claiming by
    rename, and the bounded candidate table.  Real folders, a real libuv loop,
    real inotify.  */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "clip_util.h"
#include "inbox.h"
#include "testutil.h"

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
    clip_inbox_settings_t s = { settle_ms, rescan_ms, max_pending };
    f->watcher = clip_inbox_new (&f->loop, f->inbox, f->processing, &s, on_ready, f);
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

Test (inbox, only_regular_articles_are_claimed)
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

Test (inbox, renamed_in_is_ready_at_once_written_in_place_waits)
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

Test (inbox, a_file_still_changing_is_not_ready_until_it_settles)
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

Test (inbox, a_file_removed_before_claim_is_skipped)
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

Test (inbox, the_candidate_table_is_bounded_and_nothing_is_missed)
{
    fixture_t f;
    setup (&f, 40, 100, 3);
    for (int i = 0; i < 20; i++) {
        char name [32];
        snprintf (name, sizeof name, "a%02d.txt", i);
        put (&f, name, "text");
        age (&f, name);
    }
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
