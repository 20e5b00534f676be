/*  The inbox's fallback watcher, end to end: a real clipd started with
    --inbox-watch fs_event (libuv's uv_fs_event instead of inotify, forced
    as Fluent Bit's in_tail test forces its stat watcher), a real worker,
    real folders.  Files renamed in and files written in place get their
    record, and so do files dropped after the inbox folder was replaced
    (deleted and made again, renamed away and another made): with the
    periodic rescan a day off, only the back-end's events can have found
    them.  */
#include <criterion/criterion.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clip_record.h"
#include "clip_util.h"
#include "testutil.h"

/*  Whether a record for file was committed with status ok, and how many
    records name it.  */
static int
records_for (const char *state, const char *file, bool *ok)
{
    char *path = clip_path_join (state, "clipd.db");
    sqlite3 *db;
    cr_assert_eq (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout (db, 10000);
    sqlite3_stmt *q;
    cr_assert_eq (sqlite3_prepare_v2 (db, "SELECT record FROM results ORDER BY seq", -1, &q, NULL),
                  SQLITE_OK);
    int n = 0;
    *ok = false;
    while (sqlite3_step (q) == SQLITE_ROW) {
        char err [256];
        clip_record_t *rec = clip_record_decode (sqlite3_column_blob (q, 0),
                                                 (size_t) sqlite3_column_bytes (q, 0), err, sizeof err);
        cr_assert_not_null (rec, "%s", err);
        if (strcmp (rec->file, file) == 0) {
            n++;
            *ok = clip_record_status (rec) == CLIP_STATUS_OK;
        }
        clip_record_destroy (&rec);
    }
    sqlite3_finalize (q);
    sqlite3_close (db);
    free (path);
    return n;
}

typedef struct {
    const char *state;
    const char *file;
} record_wait_t;

static bool
has_record (void *arg)
{
    record_wait_t *w = arg;
    char *db = clip_path_join (w->state, "clipd.db");
    bool exists = access (db, F_OK) == 0;
    free (db);
    bool ok = false;
    return exists && records_for (w->state, w->file, &ok) > 0;
}

static void
wait_record (const tu_daemon_t *d, const char *file)
{
    record_wait_t w = { d->state, file };
    cr_assert (tu_wait_for (has_record, &w, 60000), "no record for %s", file);
}

static char *
article (const char *tag)
{
    return clip_strprintf ("Report %s. Huawei and Ericsson met regulators in Brussels on Tuesday, "
                           "officials said.\n", tag);
}

/*  Written elsewhere, then renamed into the inbox: uv_fs_event reports it
    as it would a file being created.  */
static void
drop_renamed (const char *inbox, const char *name)
{
    char *tmp = clip_path_join (inbox, ".staging");
    char *dst = clip_path_join (inbox, name);
    char *text = article (name);
    tu_write (tmp, text, strlen (text));
    cr_assert_eq (rename (tmp, dst), 0, "rename to %s: %s", name, strerror (errno));
    free (text);
    free (tmp);
    free (dst);
}

/*  Written in place, in two writes: taken once unchanged for --settle-ms.  */
static void
write_in_place (const char *inbox, const char *name)
{
    char *path = clip_path_join (inbox, name);
    char *text = article (name);
    FILE *f = fopen (path, "w");
    cr_assert_not_null (f);
    size_t half = strlen (text) / 2;
    cr_assert_eq (fwrite (text, 1, half, f), half);
    fflush (f);
    cr_assert_eq (fwrite (text + half, 1, strlen (text) - half, f), strlen (text) - half);
    cr_assert_eq (fclose (f), 0);
    free (text);
    free (path);
}

static int
sh (const char *script)
{
    const char *argv [] = { "/bin/sh", "-c", script, NULL };
    return tu_run (argv, NULL, 10000);
}

Test (inbox_watch, fs_event_takes_renamed_in_written_in_place_and_a_replaced_folder)
{
    char *dir = tu_tempdir ("inbox-watch");
    const char *extra [] = { "--inbox-watch", "fs_event", "--rescan-ms", "86400000",
                             "--settle-ms", "300", "--corpus", "none", "--workers", "1", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    tu_wait_log (d, "event=inbox_watch watch=fs_event", 1, 15000);

    drop_renamed (d->inbox, "renamed.txt");
    write_in_place (d->inbox, "in-place.txt");
    wait_record (d, "renamed.txt");
    wait_record (d, "in-place.txt");

    /*  Deleted and made again.  */
    char *cmd = clip_strprintf ("rm -rf '%s' && mkdir '%s'", d->inbox, d->inbox);
    cr_assert_eq (sh (cmd), 0);
    tu_wait_log (d, "event=inbox_rewatched", 1, 15000);
    drop_renamed (d->inbox, "after-rm.txt");
    wait_record (d, "after-rm.txt");

    /*  Renamed away, another made: the new one is the inbox.  */
    char *old = clip_path_join (dir, "inbox.old");
    cr_assert_eq (rename (d->inbox, old), 0);
    cr_assert_eq (mkdir (d->inbox, 0755), 0);
    tu_wait_log (d, "event=inbox_rewatched", 2, 15000);
    write_in_place (d->inbox, "after-mv.txt");
    wait_record (d, "after-mv.txt");

    cr_assert_eq (tu_log_count (d, "watch=inotify"), 0, "the fallback ran, not inotify");
    cr_assert_eq (tu_daemon_stop (d), 0);
    const char *files [] = { "renamed.txt", "in-place.txt", "after-rm.txt", "after-mv.txt" };
    for (int i = 0; i < 4; i++) {
        bool ok = false;
        cr_assert_eq (records_for (d->state, files [i], &ok), 1, "one record for %s", files [i]);
        cr_assert (ok, "%s was analysed", files [i]);
    }
    cr_assert_eq (tu_db_int (d->state, "SELECT count(*) FROM results"), 4);
    tu_daemon_free (d);
    free (cmd);
    free (old);
    tu_rmtree (dir);
    free (dir);
}

/*  A name that is no back-end is refused at start, naming the setting and
    the choices (the settings table's row).  */
Test (inbox_watch, an_unknown_back_end_is_a_usage_error)
{
    char *dir = tu_tempdir ("inbox-watch");
    char *bin = tu_bin ("daemon/clipd");
    char *err_path = clip_path_join (dir, "err.log");
    const char *argv [] = { bin, "--inbox-watch", "kqueue", NULL };
    pid_t pid = tu_spawn (argv, NULL, err_path);
    cr_assert_eq (tu_wait (pid, 10000), 2);
    char *log = tu_read (err_path, NULL);
    cr_assert (strstr (log, "--inbox-watch") && strstr (log, "fs_event"), "%s", log);
    free (log);
    free (bin);
    free (err_path);
    tu_rmtree (dir);
    free (dir);
}
