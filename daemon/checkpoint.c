/*  checkpoint: the WAL copied back on a thread of its own.  See
    checkpoint.h.  */
#include "checkpoint.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#include "clip_db.h"
#include "clip_log.h"
#include "clip_util.h"

struct clip_checkpoint {
    sqlite3 *db;                /* the writer's connection, borrowed */
    sqlite3 *own;               /* the thread's connection; NULL: no file */
    clipd_metrics_t *metrics;
    /*  The hook's, on the committing thread only.  */
    int last_pages;             /* the WAL's pages after the last COMMIT */
    int next_at;                /* wake the thread when it holds this many */
    /*  Shared with the thread, under mutex.  */
    uv_thread_t thread;
    uv_mutex_t mutex;
    uv_cond_t cond;
    int due;                    /* the WAL's pages when woken; 0: not woken */
    bool quit;
};

/*  The WAL past CLIP_CHECKPOINT_RESTART_PAGES: a RESTART checkpoint on
    the writer's own connection, between its transactions (SQLite calls
    the hook once the write lock is released), so that it never waits for
    a writer: a RESTART from the thread would, and writes that follow each
    other closely keep it waiting for ever.  It waits at most
    CLIP_CHECKPOINT_WAIT_MS for the thread's checkpoint and for readers of
    old pages, copies what the thread has not (little: the thread keeps
    up), and the next COMMIT starts the WAL again.  */
static void
restart (clip_checkpoint_t *self, sqlite3 *db, int pages)
{
    sqlite3_busy_timeout (db, CLIP_CHECKPOINT_WAIT_MS);
    int log = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2 (db, "main", SQLITE_CHECKPOINT_RESTART, &log, &copied);
    sqlite3_busy_timeout (db, CLIP_DB_BUSY_MS);
    /*  BUSY: a reader of old pages, or the thread's checkpoint, outlasted
        the wait; what could be copied was, and the next try comes after
        CLIP_CHECKPOINT_PAGES more.  */
    if (rc == SQLITE_OK || rc == SQLITE_BUSY)
        CLIPD_METRIC_ADD (self->metrics, checkpoints, 1);
    else {
        CLIPD_METRIC_ADD (self->metrics, checkpoint_failures, 1);
        clip_warn ("checkpoint_failed", "mode=restart wal_pages=%d sqlite=\"%s\"", pages,
                   sqlite3_errmsg (db));
    }
    clip_debug ("checkpoint", "mode=restart wal_pages=%d copied=%d busy=%s", log, copied,
                rc == SQLITE_BUSY ? "yes" : "no");
}

/*  After each COMMIT on db, with the pages the WAL holds: every
    CLIP_CHECKPOINT_PAGES more since the last time, wake the thread, or
    past CLIP_CHECKPOINT_RESTART_PAGES restart.  Fewer pages than after the
    last COMMIT: the WAL started again from its beginning.  Never fails
    the COMMIT.  */
static int
on_wal_commit (void *arg, sqlite3 *db, const char *name, int pages)
{
    (void) name;
    clip_checkpoint_t *self = arg;
    if (pages < self->last_pages)
        self->next_at = CLIP_CHECKPOINT_PAGES;
    self->last_pages = pages;
    if (pages < self->next_at)
        return SQLITE_OK;
    self->next_at = pages + CLIP_CHECKPOINT_PAGES;
    if (pages >= CLIP_CHECKPOINT_RESTART_PAGES) {
        restart (self, db, pages);
        return SQLITE_OK;
    }
    uv_mutex_lock (&self->mutex);
    self->due = pages;
    uv_cond_signal (&self->cond);
    uv_mutex_unlock (&self->mutex);
    return SQLITE_OK;
}

static void
checkpoint_thread (void *arg)
{
    clip_checkpoint_t *self = arg;
    uv_mutex_lock (&self->mutex);
    for (;;) {
        while (!self->quit && self->due == 0)
            uv_cond_wait (&self->cond, &self->mutex);
        if (self->quit)
            break;
        int pages = self->due;
        self->due = 0;
        uv_mutex_unlock (&self->mutex);

        int rc = sqlite3_wal_checkpoint_v2 (self->own, "main", SQLITE_CHECKPOINT_PASSIVE,
                                            NULL, NULL);
        /*  BUSY: another checkpoint is running (the writer's restart);
            the next wake-up copies what is left.  */
        if (rc == SQLITE_OK || rc == SQLITE_BUSY)
            CLIPD_METRIC_ADD (self->metrics, checkpoints, 1);
        else {
            CLIPD_METRIC_ADD (self->metrics, checkpoint_failures, 1);
            clip_warn ("checkpoint_failed", "mode=passive wal_pages=%d sqlite=\"%s\"", pages,
                       sqlite3_errmsg (self->own));
        }
        uv_mutex_lock (&self->mutex);
    }
    uv_mutex_unlock (&self->mutex);
}

clip_checkpoint_t *
clip_checkpoint_new (sqlite3 *db, clipd_metrics_t *metrics, char *err, size_t err_size)
{
    assert (db);
    clip_checkpoint_t *self = clip_calloc (1, sizeof *self);
    self->db = db;
    self->metrics = metrics;
    const char *path = sqlite3_db_filename (db, "main");
    if (!path || !*path)
        return self;
    if (sqlite3_open_v2 (path, &self->own, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL)
        != SQLITE_OK) {
        snprintf (err, err_size, "checkpoint: cannot open %s: %s", path,
                  self->own ? sqlite3_errmsg (self->own) : "out of memory");
        sqlite3_close (self->own);
        free (self);
        return NULL;
    }
    /*  Its own connection checkpoints only when asked.  */
    sqlite3_wal_autocheckpoint (self->own, 0);
    self->next_at = CLIP_CHECKPOINT_PAGES;
    uv_mutex_init (&self->mutex);
    uv_cond_init (&self->cond);
    int rc = uv_thread_create (&self->thread, checkpoint_thread, self);
    if (rc != 0) {
        snprintf (err, err_size, "checkpoint: cannot start a thread: %s", uv_strerror (rc));
        uv_cond_destroy (&self->cond);
        uv_mutex_destroy (&self->mutex);
        sqlite3_close (self->own);
        free (self);
        return NULL;
    }
    /*  Replaces the automatic checkpoint of the writer's connection.  */
    sqlite3_wal_hook (db, on_wal_commit, self);
    return self;
}

void
clip_checkpoint_destroy (clip_checkpoint_t **self_p)
{
    assert (self_p);
    clip_checkpoint_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    if (self->own) {
        /*  The writer checkpoints by itself again (and replaces the hook,
            which points here).  */
        sqlite3_wal_autocheckpoint (self->db, CLIP_CHECKPOINT_PAGES);
        uv_mutex_lock (&self->mutex);
        self->quit = true;
        uv_cond_signal (&self->cond);
        uv_mutex_unlock (&self->mutex);
        uv_thread_join (&self->thread);
        uv_cond_destroy (&self->cond);
        uv_mutex_destroy (&self->mutex);
        sqlite3_close (self->own);
    }
    free (self);
}
