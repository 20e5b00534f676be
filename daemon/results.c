/*  results: the results log.  See results.h.  */
#include "results.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_db.h"
#include "clip_log.h"
#include "clip_util.h"

struct clip_results {
    sqlite3 *db;                /* not owned: the writer's connection */
    sqlite3 *rdb;               /* the readers' connection: owned when not db */
    sqlite3_stmt *insert;
    sqlite3_stmt *find_claim;
    sqlite3_stmt *replay;
    uint64_t head;              /* committed */
    uint64_t max_claim;
    uint64_t batch_head;        /* the last seq inserted, head if none */
    uint64_t batch_max_claim;
};

static const char *schema =
    "CREATE TABLE IF NOT EXISTS results ("
    "  seq INTEGER PRIMARY KEY,"
    "  claim INTEGER NOT NULL UNIQUE,"
    "  topic TEXT NOT NULL,"
    "  record BLOB NOT NULL);";

/*  The readers' own connection to the file of db, so that a lookup or a
    replay on the loop's thread never waits for (nor interleaves with) the
    commit thread's transaction on db: in WAL mode it reads the last
    committed state while a COMMIT is being made durable.  A database
    without a file (":memory:") has no second connection: db is used.  */
static int
open_reader (clip_results_t *self, char *err, size_t err_size)
{
    const char *path = sqlite3_db_filename (self->db, "main");
    if (!path || !*path) {
        self->rdb = self->db;
        return 0;
    }
    if (sqlite3_open_v2 (path, &self->rdb, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL)
        != SQLITE_OK) {
        snprintf (err, err_size, "results: cannot open a reader on %s: %s", path,
                  self->rdb ? sqlite3_errmsg (self->rdb) : "out of memory");
        return -1;
    }
    sqlite3_busy_timeout (self->rdb, 5000);
    /*  Mapped as the writer's connection is (clip_db_set_mmap): a replay
        from an old seq reads the log in order, a page at a time.  */
    sqlite3_int64 mmap_bytes = -1;         /* negative: ask, change nothing */
    if (sqlite3_file_control (self->db, "main", SQLITE_FCNTL_MMAP_SIZE, &mmap_bytes) != SQLITE_OK
    ||  mmap_bytes < 0)
        mmap_bytes = 0;
    return clip_db_exec (self->rdb, "PRAGMA query_only=1", err, err_size)
        || clip_db_set_mmap (self->rdb, (uint64_t) mmap_bytes, err, err_size);
}

clip_results_t *
clip_results_open (sqlite3 *db, char *err, size_t err_size)
{
    clip_results_t *self = clip_calloc (1, sizeof *self);
    self->db = db;
    sqlite3_stmt *q = NULL;
    if (clip_db_exec (db, schema, err, err_size)
    ||  open_reader (self, err, err_size)
    ||  clip_db_prepare (self->db, "results", "INSERT INTO results (seq, claim, topic, record) VALUES (?1, ?2, ?3, ?4)",
                 &self->insert, err, err_size)
    ||  clip_db_prepare (self->rdb, "results", "SELECT record FROM results WHERE claim = ?1", &self->find_claim, err, err_size)
    ||  clip_db_prepare (self->rdb, "results", "SELECT seq, topic, record FROM results WHERE seq > ?1"
                       " AND substr (topic, 1, length (?2)) = ?2 ORDER BY seq LIMIT ?3",
                 &self->replay, err, err_size)
    ||  clip_db_prepare (self->db, "results", "SELECT coalesce (max (seq), 0), coalesce (max (claim), 0) FROM results",
                 &q, err, err_size)) {
        clip_results_destroy (&self);
        return NULL;
    }
    if (sqlite3_step (q) == SQLITE_ROW) {
        self->head = (uint64_t) sqlite3_column_int64 (q, 0);
        self->max_claim = (uint64_t) sqlite3_column_int64 (q, 1);
    }
    sqlite3_finalize (q);
    self->batch_head = self->head;
    self->batch_max_claim = self->max_claim;
    return self;
}

void
clip_results_destroy (clip_results_t **self_p)
{
    assert (self_p);
    clip_results_t *self = *self_p;
    if (!self)
        return;
    sqlite3_finalize (self->insert);
    sqlite3_finalize (self->find_claim);
    sqlite3_finalize (self->replay);
    if (self->rdb && self->rdb != self->db)
        sqlite3_close (self->rdb);
    free (self);
    *self_p = NULL;
}

uint64_t
clip_results_head (const clip_results_t *self)
{
    return self->head;
}

uint64_t
clip_results_max_claim (const clip_results_t *self)
{
    return self->max_claim;
}

int
clip_results_find_claim (clip_results_t *self, uint64_t claim, clip_record_t **rec)
{
    sqlite3_stmt *q = self->find_claim;
    sqlite3_bind_int64 (q, 1, (sqlite3_int64) claim);
    int rc = sqlite3_step (q);
    int found = 0;
    if (rc == SQLITE_ROW) {
        char err [256];
        *rec = clip_record_decode (sqlite3_column_blob (q, 0),
                                   (size_t) sqlite3_column_bytes (q, 0), err, sizeof err);
        if (*rec)
            found = 1;
        else {
            clip_error ("results_corrupt", "claim=%llu error=\"%s\"", (unsigned long long) claim, err);
            found = -1;
        }
    }
    else
    if (rc != SQLITE_DONE) {
        clip_error ("results_lookup_failed", "sqlite=\"%s\"", sqlite3_errmsg (self->rdb));
        found = -1;
    }
    sqlite3_reset (q);
    return found;
}

uint64_t
clip_results_next_seq (const clip_results_t *self)
{
    return self->batch_head + 1;
}

int
clip_results_insert (clip_results_t *self, uint64_t seq, uint64_t claim, const char *topic,
                     const void *record, size_t len)
{
    /*  The caller's own invariants: an open transaction, no gap.  */
    assert (!sqlite3_get_autocommit (self->db));
    assert (seq == self->batch_head + 1);
    sqlite3_stmt *q = self->insert;
    sqlite3_bind_int64 (q, 1, (sqlite3_int64) seq);
    sqlite3_bind_int64 (q, 2, (sqlite3_int64) claim);
    sqlite3_bind_text (q, 3, topic, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob (q, 4, record, (int) len, SQLITE_STATIC);
    int rc = sqlite3_step (q);
    sqlite3_reset (q);
    sqlite3_clear_bindings (q);
    if (rc != SQLITE_DONE) {
        clip_error ("results_insert_failed", "seq=%llu claim=%llu sqlite=\"%s\"",
                    (unsigned long long) seq, (unsigned long long) claim,
                    sqlite3_errmsg (self->db));
        return -1;
    }
    self->batch_head = seq;
    if (claim > self->batch_max_claim)
        self->batch_max_claim = claim;
    return 0;
}

void
clip_results_committed (clip_results_t *self)
{
    self->head = self->batch_head;
    self->max_claim = self->batch_max_claim;
}

void
clip_results_rolled_back (clip_results_t *self)
{
    self->batch_head = self->head;
    self->batch_max_claim = self->max_claim;
}

int
clip_results_replay (clip_results_t *self, uint64_t since, const char *prefix,
                     size_t limit, clip_results_replay_cb cb, void *arg,
                     uint64_t *last, uint64_t *head)
{
    sqlite3_stmt *q = self->replay;
    /*  head moves only on the caller's thread (clip_results_committed, once
        the commit thread's COMMIT is durable), so it cannot move while we
        serve, and every row up to it is committed, hence visible to the
        readers' connection.  Rows above it (a COMMIT under way) are not
        served.  */
    uint64_t top = self->head;
    *head = top;
    /*  since is unsigned: a value at or above 2^63 would bind as a
        negative int64 and select every row.  No seq exceeds INT64_MAX (an
        SQLite rowid), so there is nothing above such a since.  */
    if (since >= (uint64_t) INT64_MAX) {
        *last = since;
        return 0;
    }
    sqlite3_bind_int64 (q, 1, (sqlite3_int64) since);
    sqlite3_bind_text (q, 2, prefix ? prefix : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (q, 3, (sqlite3_int64) limit);
    size_t served = 0;
    uint64_t seen = since;
    int rc;
    while ((rc = sqlite3_step (q)) == SQLITE_ROW) {
        uint64_t seq = (uint64_t) sqlite3_column_int64 (q, 0);
        if (seq > top)
            break;
        cb (seq, (const char *) sqlite3_column_text (q, 1),
            sqlite3_column_blob (q, 2), (size_t) sqlite3_column_bytes (q, 2), arg);
        seen = seq;
        served++;
    }
    sqlite3_reset (q);
    sqlite3_clear_bindings (q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        clip_error ("replay_failed", "sqlite=\"%s\"", sqlite3_errmsg (self->rdb));
        return -1;
    }
    /*  Fewer rows than asked for means none matched above the last one.  */
    *last = served < limit ? (top > since ? top : since) : seen;
    *head = top;
    return 0;
}
