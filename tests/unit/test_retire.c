/*  retire: moving committed files out of processing/ on real folders.
    Names that would exceed NAME_MAX, error files that are not ours, and
    moves that fail for real (a folder replaced by a file) and are retried
    with back-off until they succeed.  */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clip_record.h"
#include "clip_util.h"
#include "retire.h"
#include "testutil.h"

typedef struct {
    char *dir;
    char *processing;
    char *done;
    char *failed;
    clipd_metrics_t metrics;
    clip_retire_t *retire;
} fixture_t;

static void
setup (fixture_t *f)
{
    memset (f, 0, sizeof *f);
    f->dir = tu_tempdir ("retire");
    f->processing = clip_path_join (f->dir, "processing");
    f->done = clip_path_join (f->dir, "done");
    f->failed = clip_path_join (f->dir, "failed");
    cr_assert_eq (clip_mkdirs (f->processing, 0755), 0);
    cr_assert_eq (clip_mkdirs (f->done, 0755), 0);
    cr_assert_eq (clip_mkdirs (f->failed, 0755), 0);
    f->retire = clip_retire_new (f->done, f->failed, false, &f->metrics);
}

static void
teardown (fixture_t *f)
{
    clip_retire_destroy (&f->retire);
    cr_assert_null (f->retire);
    tu_rmtree (f->dir);
    free (f->dir);
    free (f->processing);
    free (f->done);
    free (f->failed);
}

/*  A file in processing/ under a claim-like name; caller owns the path.  */
static char *
processing_file (fixture_t *f, const char *claim_name, const char *text)
{
    char *path = clip_path_join (f->processing, claim_name);
    tu_write (path, text, strlen (text));
    return path;
}

static clip_record_t *
failed_record (const char *file, uint64_t seq)
{
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->file, file);
    rec->seq = seq;
    rec->has_seq = true;
    rec->received = 1000;
    rec->done = 2000;
    clip_record_set_error (rec, "too_large", "the file has 99 bytes, more than --max-bytes 10");
    return rec;
}

static clip_record_t *
ok_record (const char *file, uint64_t seq)
{
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->file, file);
    rec->seq = seq;
    rec->has_seq = true;
    return rec;
}

static bool
exists (const char *dir, const char *name)
{
    char *path = clip_path_join (dir, name);
    struct stat st;
    bool yes = lstat (path, &st) == 0;
    free (path);
    return yes;
}

static char *
long_name (size_t len, const char *ext)
{
    char *name = clip_malloc (len + 1);
    size_t stem = len - strlen (ext);
    for (size_t i = 0; i < stem; i++)
        name [i] = (char) ('a' + i % 26);
    strcpy (name + stem, ext);
    return name;
}

Test (retire, long_names_are_shortened_deterministically_and_keep_their_extension)
{
    for (size_t len = 230; len <= NAME_MAX; len++) {
        char *name = long_name (len, ".txt");
        for (unsigned n = 0; n < 3; n++) {
            size_t max = NAME_MAX - strlen (".error.json");
            char *a = clip_retire_name (name, n, max);
            char *b = clip_retire_name (name, n, max);
            cr_assert_str_eq (a, b, "the same name always gets the same short name");
            cr_assert_leq (strlen (a), max, "%zu bytes (len %zu, n %u)", strlen (a), len, n);
            cr_assert (strlen (a) >= 4 && strcmp (a + strlen (a) - 4, ".txt") == 0, "%s", a);
            if (len + (n ? 2 : 0) <= max)
                cr_assert_eq (strlen (a), len + (n ? 2 : 0), "names that fit are not touched");
            free (a);
            free (b);
        }
        free (name);
    }
    /*  Two long names that differ only past the cut stay apart.  */
    char *x = long_name (255, "x.txt");
    char *y = long_name (255, "y.txt");
    char *sx = clip_retire_name (x, 0, 200);
    char *sy = clip_retire_name (y, 0, 200);
    cr_assert_str_neq (sx, sy);
    free (x); free (y); free (sx); free (sy);
    /*  Cut on a UTF-8 boundary: "é" is two bytes.  */
    char utf [300] = "";
    for (int i = 0; i < 120; i++)
        strcat (utf, "é");
    strcat (utf, ".txt");
    char *su = clip_retire_name (utf, 0, 100);
    cr_assert_leq (strlen (su), 100);
    char *tilde = strchr (su, '~');
    cr_assert_not_null (tilde);
    cr_assert_eq ((tilde - su) % 2, 0, "no half character before the tag: %s", su);
    free (su);
}

Test (retire, a_failed_article_with_a_name_of_up_to_255_bytes_gets_its_error_file)
{
    fixture_t f;
    setup (&f);
    for (size_t len = 235; len <= NAME_MAX; len += 4) {
        char *name = long_name (len, ".txt");
        char claim_name [32];
        snprintf (claim_name, sizeof claim_name, "claim%zu", len);
        char *path = processing_file (&f, claim_name, "text");
        clip_record_t *rec = failed_record (name, len);
        cr_assert_eq (clip_retire_file (f.retire, path, rec), 0, "len %zu", len);
        cr_assert_neq (access (path, F_OK), 0, "moved out of processing/");
        /*  The error file beside it holds the full name and exactly what
            clipd writes.  */
        char *shortname = clip_retire_name (name, 0, NAME_MAX - strlen (".error.json"));
        cr_assert (exists (f.failed, shortname), "len %zu: %s", len, shortname);
        char *json_name = clip_strprintf ("%s.error.json", shortname);
        char *json_path = clip_path_join (f.failed, json_name);
        char *got = tu_read (json_path, NULL);
        char *want = clip_retire_error_json (rec);
        cr_assert_not_null (got, "len %zu: no %s", len, json_name);
        cr_assert_str_eq (got, want);
        cr_assert (strstr (got, name), "the error file names the full inbox name");
        free (got); free (want); free (json_path); free (json_name); free (shortname);
        clip_record_destroy (&rec);
        free (path);
        free (name);
    }
    cr_assert_eq (clip_retire_backlog (f.retire), 0);
    cr_assert_eq (atomic_load (&f.metrics.retire_failures), 0);
    teardown (&f);
}

Test (retire, a_done_file_of_255_bytes_and_its_suffixed_twin_fit)
{
    fixture_t f;
    setup (&f);
    char *name = long_name (NAME_MAX, ".txt");
    for (int i = 0; i < 2; i++) {
        char claim_name [32];
        snprintf (claim_name, sizeof claim_name, "claim%d", i);
        char *path = processing_file (&f, claim_name, i ? "second" : "first");
        clip_record_t *rec = ok_record (name, (uint64_t) i + 1);
        cr_assert_eq (clip_retire_file (f.retire, path, rec), 0);
        clip_record_destroy (&rec);
        free (path);
    }
    cr_assert (exists (f.done, name), "a name of exactly NAME_MAX is kept as it is");
    char *second = clip_retire_name (name, 1, NAME_MAX);
    cr_assert (exists (f.done, second), "the second gets a suffix, shortened: %s", second);
    cr_assert_eq (tu_count_files (f.done), 2);
    free (second);
    free (name);
    teardown (&f);
}

/*  An error file at the chosen name whose seq matches but whose bytes are
    not what clipd writes for this record is someone else's: untouched, and
    the article goes to a free name with its own error file.  */
Test (retire, a_planted_error_file_with_the_same_seq_is_not_adopted)
{
    fixture_t f;
    setup (&f);
    const char *planted = "{\"file\": \"v.txt\", \"seq\": 7, \"error\": {\"code\": \"planted\"}}\n";
    char *planted_path = clip_path_join (f.failed, "v.txt.error.json");
    tu_write (planted_path, planted, strlen (planted));
    char *path = processing_file (&f, "c1", "text");
    clip_record_t *rec = failed_record ("v.txt", 7);
    cr_assert_eq (clip_retire_file (f.retire, path, rec), 0);
    char *got = tu_read (planted_path, NULL);
    cr_assert_str_eq (got, planted, "the planted file is untouched");
    cr_assert (!exists (f.failed, "v.txt"), "v.txt did not go beside the planted error file");
    cr_assert (exists (f.failed, "v.1.txt"));
    char *own_path = clip_path_join (f.failed, "v.1.txt.error.json");
    char *own = tu_read (own_path, NULL);
    char *want = clip_retire_error_json (rec);
    cr_assert_not_null (own, "v.txt's own error file was written");
    cr_assert_str_eq (own, want);
    free (got); free (own); free (want); free (own_path); free (planted_path); free (path);
    clip_record_destroy (&rec);
    teardown (&f);
}

/*  Our own error file, left by a crash between writing it and moving the
    article, is reused: no second name, no orphan.  */
Test (retire, our_own_error_file_left_by_a_crash_is_reused)
{
    fixture_t f;
    setup (&f);
    clip_record_t *rec = failed_record ("w.txt", 9);
    char *text = clip_retire_error_json (rec);
    char *json_path = clip_path_join (f.failed, "w.txt.error.json");
    tu_write (json_path, text, strlen (text));
    char *path = processing_file (&f, "c1", "text");
    cr_assert_eq (clip_retire_file (f.retire, path, rec), 0);
    cr_assert (exists (f.failed, "w.txt"));
    cr_assert_eq (tu_count_files (f.failed), 2, "w.txt and its one error file");
    free (text); free (json_path); free (path);
    clip_record_destroy (&rec);
    teardown (&f);
}

static bool
backlog_empty (void *arg)
{
    fixture_t *f = arg;
    clip_retire_tick (f->retire);
    return clip_retire_backlog (f->retire) == 0;
}

/*  failed/ replaced by a regular file: every move fails (ENOTDIR) until it
    is a folder again.  The failure is counted, the file named, retried with
    back-off, and moved once repaired, without anything restarting.  */
Test (retire, a_move_that_fails_is_retried_with_back_off_until_it_succeeds)
{
    fixture_t f;
    setup (&f);
    cr_assert_eq (rmdir (f.failed), 0);
    tu_write (f.failed, "not a folder", 12);
    char *path = processing_file (&f, "c1", "text");
    clip_record_t *rec = failed_record ("stuck.txt", 3);
    cr_assert_lt (clip_retire_file (f.retire, path, rec), 0);
    cr_assert_eq (access (path, F_OK), 0, "still in processing/");
    cr_assert_eq (clip_retire_backlog (f.retire), 1);
    cr_assert_str_eq (clip_retire_first (f.retire), "stuck.txt");
    cr_assert_eq (atomic_load (&f.metrics.retire_failures), 1);
    cr_assert_eq (atomic_load (&f.metrics.retire_backlog), 1);
    char first [CLIPD_METRIC_TEXT_MAX];
    clipd_metric_text_get (&f.metrics.retire_first, first, sizeof first);
    cr_assert_str_eq (first, "stuck.txt");

    /*  Ticking often for 3.5 s: attempts at about 1 s and 3 s only (back-off
        1, 2, 4 s), never every tick.  */
    uint64_t end = clip_mono_ms () + 3500;
    while (clip_mono_ms () < end) {
        clip_retire_tick (f.retire);
        usleep (20000);
    }
    uint64_t failures = atomic_load (&f.metrics.retire_failures);
    cr_assert_geq (failures, 2, "retried (%llu failures)", (unsigned long long) failures);
    cr_assert_leq (failures, 3, "with back-off (%llu failures)", (unsigned long long) failures);
    cr_assert_eq (access (path, F_OK), 0);

    /*  Repaired: it leaves processing/ at its next attempt.  */
    cr_assert_eq (unlink (f.failed), 0);
    cr_assert_eq (mkdir (f.failed, 0755), 0);
    cr_assert (tu_wait_for (backlog_empty, &f, 30000), "moved after the repair");
    cr_assert_neq (access (path, F_OK), 0);
    cr_assert (exists (f.failed, "stuck.txt"));
    cr_assert (exists (f.failed, "stuck.txt.error.json"));
    cr_assert_eq (atomic_load (&f.metrics.retire_backlog), 0);
    clipd_metric_text_get (&f.metrics.retire_first, first, sizeof first);
    cr_assert_str_eq (first, "");
    free (path);
    clip_record_destroy (&rec);
    teardown (&f);
}

/*  A file that vanished from processing/ while it waited is dropped from the
    backlog, not retried forever.  */
Test (retire, a_waiting_file_that_vanished_leaves_the_backlog)
{
    fixture_t f;
    setup (&f);
    cr_assert_eq (rmdir (f.done), 0);
    tu_write (f.done, "x", 1);
    char *path = processing_file (&f, "c1", "text");
    clip_record_t *rec = ok_record ("gone.txt", 1);
    cr_assert_lt (clip_retire_file (f.retire, path, rec), 0);
    cr_assert_eq (clip_retire_backlog (f.retire), 1);
    cr_assert_eq (unlink (path), 0);
    cr_assert (tu_wait_for (backlog_empty, &f, 10000));
    free (path);
    clip_record_destroy (&rec);
    teardown (&f);
}

/*  Issue 11: the record says where its file went.  The name is chosen
    before the commit and held until the file is there, so two files of
    one name in flight at once, committed and moved in any order, each
    land where their record says; a record read back after a crash is
    followed, not a fresh search.  */
Test (retire, names_are_chosen_before_the_commit_and_held_until_the_move)
{
    fixture_t f;
    setup (&f);
    /*  done/a.txt is there already: the next a.txt is a.1.txt.  */
    char *old = clip_path_join (f.done, "a.txt");
    tu_write (old, "old", 3);
    clip_record_t *r1 = ok_record ("a.txt", 1);
    clip_record_t *r2 = ok_record ("a.txt", 2);
    clip_record_t *r3 = failed_record ("a.txt", 3);
    /*  A worker's record does not say where clipd keeps the file.  */
    clip_record_set (r1, &r1->stored_as, "../../etc/passwd");
    clip_retire_choose (f.retire, r1, r1->file);
    clip_retire_choose (f.retire, r2, r2->file);
    clip_retire_choose (f.retire, r3, r3->file);
    cr_assert_str_eq (r1->stored_as, "a.1.txt");
    cr_assert_str_eq (r2->stored_as, "a.2.txt", "a.1.txt is promised to the first one");
    cr_assert_null (r3->stored_as, "failed/ has no a.txt");

    /*  Moved in the other order than chosen.  */
    char *p2 = processing_file (&f, "00000000000000000002_a.txt", "two");
    char *p1 = processing_file (&f, "00000000000000000001_a.txt", "one");
    char *p3 = processing_file (&f, "00000000000000000003_a.txt", "three");
    cr_assert_eq (clip_retire_file (f.retire, p2, r2), 0);
    cr_assert_eq (clip_retire_file (f.retire, p1, r1), 0);
    cr_assert_eq (clip_retire_file (f.retire, p3, r3), 0);
    char *got = clip_path_join (f.done, "a.1.txt");
    char *text = tu_read (got, NULL);
    cr_assert_str_eq (text, "one");
    free (text);
    free (got);
    got = clip_path_join (f.done, "a.2.txt");
    text = tu_read (got, NULL);
    cr_assert_str_eq (text, "two");
    free (text);
    free (got);
    cr_assert (exists (f.failed, "a.txt") && exists (f.failed, "a.txt.error.json"));

    /*  After a restart (a fresh retire): the record read back from the log
        says a.4.txt, though a.3.txt is free now; the file goes there, and
        the name stays held while the move is retried.  */
    clip_retire_destroy (&f.retire);
    f.retire = clip_retire_new (f.done, f.failed, false, &f.metrics);
    clip_record_t *r4 = ok_record ("a.txt", 4);
    clip_record_set (r4, &r4->stored_as, "a.4.txt");
    char *p4 = processing_file (&f, "00000000000000000004_a.txt", "four");
    cr_assert_eq (clip_retire_file (f.retire, p4, r4), 0);
    got = clip_path_join (f.done, "a.4.txt");
    text = tu_read (got, NULL);
    cr_assert_str_eq (text, "four");
    free (text);
    free (got);
    cr_assert (!exists (f.done, "a.3.txt"));

    /*  A recovered record whose move fails (done/ replaced by a file):
        its name stays promised, a new a.txt does not take it.  */
    clip_record_t *r5 = ok_record ("a.txt", 5);
    clip_record_set (r5, &r5->stored_as, "a.3.txt");
    char *p5 = processing_file (&f, "00000000000000000005_a.txt", "five");
    char *moved_done = clip_strprintf ("%s.away", f.done);
    cr_assert_eq (rename (f.done, moved_done), 0);
    tu_write (f.done, "x", 1);
    cr_assert_lt (clip_retire_file (f.retire, p5, r5), 0);
    cr_assert_eq (unlink (f.done), 0);
    cr_assert_eq (rename (moved_done, f.done), 0);
    clip_record_t *r6 = ok_record ("a.txt", 6);
    clip_retire_choose (f.retire, r6, r6->file);
    cr_assert_str_eq (r6->stored_as, "a.5.txt", "a.3.txt is held for the backlog's file");

    clip_record_destroy (&r1);
    clip_record_destroy (&r2);
    clip_record_destroy (&r3);
    clip_record_destroy (&r4);
    clip_record_destroy (&r5);
    clip_record_destroy (&r6);
    free (p1); free (p2); free (p3); free (p4); free (p5);
    free (moved_done);
    free (old);
    teardown (&f);
}

/*  done/ and failed/ hold their promises apart: a name promised in one
    is free in the other; in failed/ an error file alone takes a name, in
    done/ it does not.  */
Test (retire, each_folder_holds_its_own_names)
{
    fixture_t f;
    setup (&f);
    char *planted = clip_path_join (f.failed, "b.txt.error.json");
    tu_write (planted, "{}", 2);
    char *in_done = clip_path_join (f.done, "c.txt.error.json");
    tu_write (in_done, "{}", 2);
    clip_record_t *r [6] = { ok_record ("a.txt", 1), failed_record ("a.txt", 2),
                             ok_record ("a.txt", 3), failed_record ("a.txt", 4),
                             failed_record ("b.txt", 5), ok_record ("c.txt", 6) };
    for (int i = 0; i < 6; i++)
        clip_retire_choose (f.retire, r [i], r [i]->file);
    cr_assert_null (r [0]->stored_as);
    cr_assert_null (r [1]->stored_as, "done/'s a.txt does not take failed/'s");
    cr_assert_str_eq (r [2]->stored_as, "a.1.txt");
    cr_assert_str_eq (r [3]->stored_as, "a.1.txt");
    cr_assert_str_eq (r [4]->stored_as, "b.1.txt", "b.txt.error.json is there");
    cr_assert_null (r [5]->stored_as, "an error file in done/ takes no name");
    for (int i = 0; i < 6; i++)
        clip_record_destroy (&r [i]);
    free (planted);
    free (in_done);
    teardown (&f);
}

/*  With --on-done delete an article gets no name; a failed one does.  */
Test (retire, deleted_articles_get_no_stored_name)
{
    fixture_t f;
    setup (&f);
    clip_retire_destroy (&f.retire);
    f.retire = clip_retire_new (f.done, f.failed, true, &f.metrics);
    char *old = clip_path_join (f.done, "a.txt");
    tu_write (old, "old", 3);
    clip_record_t *r = ok_record ("a.txt", 1);
    clip_retire_choose (f.retire, r, r->file);
    cr_assert_null (r->stored_as);
    clip_record_destroy (&r);
    free (old);
    teardown (&f);
}

/*  A folder gone (done/ removed: the move fails with ENOENT, the file is
    still in processing/) is a move to retry, not a file that vanished:
    the file is not forgotten, and is moved once the folder is back.  The
    move is tried first and only a failed one looks at the file, one lstat
    fewer per article.  */
Test (retire, a_done_folder_gone_is_retried_not_taken_for_a_vanished_file)
{
    fixture_t f;
    setup (&f);
    cr_assert_eq (rmdir (f.done), 0);
    char *path = processing_file (&f, "c1", "text");
    clip_record_t *rec = ok_record ("kept.txt", 1);
    cr_assert_eq (clip_retire_file (f.retire, path, rec), -ENOENT);
    cr_assert_eq (access (path, F_OK), 0, "still in processing/");
    cr_assert_eq (clip_retire_backlog (f.retire), 1, "in the backlog, not dropped as vanished");
    cr_assert_eq (atomic_load (&f.metrics.retire_failures), 1);
    cr_assert_eq (mkdir (f.done, 0755), 0);
    cr_assert (tu_wait_for (backlog_empty, &f, 30000), "moved after the repair");
    cr_assert_neq (access (path, F_OK), 0);
    cr_assert (exists (f.done, "kept.txt"));
    free (path);
    clip_record_destroy (&rec);
    teardown (&f);
}
