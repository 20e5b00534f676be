/*  clip_postings: the shingles the index does not hold, for short articles.
    See clip_postings.h.

    In memory, postings wait in 1,024 vectors by the top ten bits of their
    hash (rows increasing in each), so that a lookup scans one of them and
    forgetting rolled-back rows cuts each vector's tail.  Written, each
    vector is split into the 16 buckets it covers, keeping that order.

    A write goes out in SLICES steps, one per call of
    clip_postings_write_some (the corpus makes one after each COMMIT), each
    a transaction writing an eighth of the vectors: the daemon then pauses
    for an eighth of a write at a time.  Meanwhile the vectors being
    written are frozen apart ("out"), new postings are held in fresh ones,
    and a lookup reads the table, the frozen vectors not yet written, and
    the held ones: each posting exactly once.  Only the last step records
    'postings_row'; the rows of a write that a crash interrupted are those
    with `first` above it, deleted at the next open (the first step records
    'postings_writing' so that the next open knows to look).  Merges only
    take rows at or below 'postings_row'.  */
#include "clip_postings.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_db.h"
#include "clip_log.h"
#include "clip_util.h"

#define MEM_BITS 10
#define MEMS (1u << MEM_BITS)
#define BUCKETS (1u << CLIP_POSTINGS_BUCKET_BITS)
#define SPLIT (1u << (CLIP_POSTINGS_BUCKET_BITS - MEM_BITS))
/*  Each write merges rows in one bucket in this many.  */
#define MERGE_EVERY 16
#define SLICES 8
#define MEMS_PER_SLICE (MEMS / SLICES)

typedef struct {
    uint64_t *v;                /* hash << 32 | row */
    uint32_t n;
    uint32_t cap;
} mem_t;

struct clip_postings {
    sqlite3 *db;                /* not owned */
    sqlite3_stmt *find;
    sqlite3_stmt *insert;
    sqlite3_stmt *bucket_sizes;
    sqlite3_stmt *bucket_rows;
    sqlite3_stmt *bucket_delete;
    sqlite3_stmt *set_meta;
    sqlite3_stmt *set_writing;
    mem_t mem [MEMS];           /* held */
    size_t held;
    uint32_t last_held;         /* the last row held */
    mem_t out [MEMS];           /* being written, up to row out_last */
    size_t out_held;            /* of which not yet in the table */
    uint32_t out_last;
    bool writing;
    unsigned next_slice;        /* out's slices below it are in the table */
    uint64_t written;           /* corpus_meta 'postings_row' */
    uint64_t writes;            /* corpus_meta 'postings_writes' */
    uint8_t *blob;              /* scratch for writing */
    size_t blob_cap;
};

static const char *schema =
    "CREATE TABLE IF NOT EXISTS corpus_postings ("
    "  bucket INTEGER NOT NULL,"
    "  first INTEGER NOT NULL,"
    "  postings BLOB NOT NULL,"
    "  PRIMARY KEY (bucket, first)) WITHOUT ROWID;";

static uint8_t *
blob_room (clip_postings_t *self, size_t bytes)
{
    if (bytes > self->blob_cap) {
        self->blob_cap = bytes * 2;
        self->blob = clip_realloc (self->blob, self->blob_cap);
    }
    return self->blob;
}

static bool
step_done (clip_postings_t *self, sqlite3_stmt *q)
{
    int rc = sqlite3_step (q);
    sqlite3_reset (q);
    sqlite3_clear_bindings (q);
    if (rc != SQLITE_DONE)
        clip_error ("postings_write_failed", "sqlite=\"%s\"", sqlite3_errmsg (self->db));
    return rc == SQLITE_DONE;
}

/*  Delete the rows of a write that a crash interrupted: those above
    'postings_row' (the corpus adds those articles again).  */
static int
drop_unfinished (clip_postings_t *self, char *err, size_t err_size)
{
    if (clip_db_exec (self->db, "BEGIN IMMEDIATE", err, err_size))
        return -1;
    bool ok = true;
    for (uint32_t b = 0; b < BUCKETS && ok; b++) {
        sqlite3_bind_int64 (self->bucket_delete, 1, b);
        sqlite3_bind_int64 (self->bucket_delete, 2, (sqlite3_int64) self->written + 1);
        sqlite3_bind_int64 (self->bucket_delete, 3, INT64_MAX);
        ok = step_done (self, self->bucket_delete);
    }
    if (ok) {
        sqlite3_bind_int64 (self->set_writing, 1, 0);
        ok = step_done (self, self->set_writing);
    }
    if (!ok || clip_db_exec (self->db, "COMMIT", err, err_size)) {
        if (!ok)
            snprintf (err, err_size, "postings: cannot drop an unfinished write: %s",
                      sqlite3_errmsg (self->db));
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    clip_info ("postings_unfinished_dropped", "written=%llu", (unsigned long long) self->written);
    return 0;
}

clip_postings_t *
clip_postings_open (sqlite3 *db, char *err, size_t err_size)
{
    assert (db);
    clip_postings_t *self = clip_calloc (1, sizeof *self);
    self->db = db;
    bool writable = !sqlite3_db_readonly (db, "main");
    /*  Postings written with buckets of another size are in the wrong
        rows: made again from the articles.  */
    int64_t bits = clip_db_meta (db, "postings_bits", 0);
    if (clip_db_meta (db, "postings_row", 0) > 0 && bits != CLIP_POSTINGS_BUCKET_BITS) {
        if (!writable) {
            snprintf (err, err_size, "postings: written with %lld-bit buckets, this clip uses %d",
                      (long long) bits, CLIP_POSTINGS_BUCKET_BITS);
            clip_postings_destroy (&self);
            return NULL;
        }
        if (clip_db_exec (db, "BEGIN IMMEDIATE; DROP TABLE IF EXISTS corpus_postings;"
                          " DELETE FROM corpus_meta WHERE name LIKE 'postings_%'; COMMIT",
                          err, err_size)) {
            sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
            clip_postings_destroy (&self);
            return NULL;
        }
        clip_info ("postings_dropped", "bits=%lld now=%d", (long long) bits,
                   CLIP_POSTINGS_BUCKET_BITS);
    }
    if (writable && clip_db_exec (db, schema, err, err_size)) {
        clip_postings_destroy (&self);
        return NULL;
    }
    if (clip_db_prepare (db, "postings", "SELECT postings FROM corpus_postings WHERE bucket = ?1"
                         " ORDER BY first", &self->find, err, err_size)
    ||  (writable
    &&   (clip_db_prepare (db, "postings", "INSERT INTO corpus_postings (bucket, first, postings)"
                           " VALUES (?1, ?2, ?3)", &self->insert, err, err_size)
    ||    clip_db_prepare (db, "postings", "SELECT first, length (postings) FROM corpus_postings"
                           " WHERE bucket = ?1 AND first <= ?2 ORDER BY first",
                           &self->bucket_sizes, err, err_size)
    ||    clip_db_prepare (db, "postings", "SELECT postings FROM corpus_postings"
                           " WHERE bucket = ?1 AND first >= ?2 AND first <= ?3 ORDER BY first",
                           &self->bucket_rows, err, err_size)
    ||    clip_db_prepare (db, "postings", "DELETE FROM corpus_postings"
                           " WHERE bucket = ?1 AND first >= ?2 AND first <= ?3",
                           &self->bucket_delete, err, err_size)
    ||    clip_db_prepare (db, "postings", "INSERT OR REPLACE INTO corpus_meta (name, value)"
                           " VALUES ('postings_writing', ?1)", &self->set_writing, err, err_size)
    ||    clip_db_prepare (db, "postings", "INSERT OR REPLACE INTO corpus_meta (name, value)"
                           " VALUES ('postings_row', ?1), ('postings_writes', ?2),"
                           " ('postings_bits', ?3)", &self->set_meta, err, err_size)))) {
        clip_postings_destroy (&self);
        return NULL;
    }
    self->written = (uint64_t) clip_db_meta (db, "postings_row", 0);
    self->writes = (uint64_t) clip_db_meta (db, "postings_writes", 0);
    if (writable && (uint64_t) clip_db_meta (db, "postings_writing", 0) > self->written
    &&  drop_unfinished (self, err, err_size)) {
        clip_postings_destroy (&self);
        return NULL;
    }
    return self;
}

void
clip_postings_destroy (clip_postings_t **self_p)
{
    assert (self_p);
    clip_postings_t *self = *self_p;
    if (!self)
        return;
    sqlite3_finalize (self->find);
    sqlite3_finalize (self->insert);
    sqlite3_finalize (self->bucket_sizes);
    sqlite3_finalize (self->bucket_rows);
    sqlite3_finalize (self->bucket_delete);
    sqlite3_finalize (self->set_meta);
    sqlite3_finalize (self->set_writing);
    for (size_t m = 0; m < MEMS; m++) {
        free (self->mem [m].v);
        free (self->out [m].v);
    }
    free (self->blob);
    free (self);
    *self_p = NULL;
}

uint64_t
clip_postings_written (const clip_postings_t *self)
{
    return self->written;
}

size_t
clip_postings_held (const clip_postings_t *self)
{
    return self->held + self->out_held;
}

size_t
clip_postings_memory (const clip_postings_t *self)
{
    size_t bytes = sizeof *self + self->blob_cap;
    for (size_t m = 0; m < MEMS; m++)
        bytes += (self->mem [m].cap + self->out [m].cap) * sizeof *self->mem [m].v;
    return bytes;
}

void
clip_postings_add (clip_postings_t *self, uint32_t row, const uint32_t *hashes, size_t n)
{
    assert (self);
    assert (row > self->written && (self->held == 0 || row > self->last_held));
    assert (!self->writing || row > self->out_last);
    if (n == 0)
        return;
    self->last_held = row;
    for (size_t i = 0; i < n; i++) {
        mem_t *m = &self->mem [hashes [i] >> (32 - MEM_BITS)];
        if (m->n == m->cap) {
            /*  By half again, not twice: this is most of what it holds.  */
            m->cap = m->cap ? m->cap + m->cap / 2 : 64;
            m->v = clip_realloc (m->v, m->cap * sizeof *m->v);
        }
        m->v [m->n++] = (uint64_t) hashes [i] << 32 | row;
    }
    self->held += n;
}

void
clip_postings_forget (clip_postings_t *self, uint32_t row)
{
    assert (self);
    if (self->held == 0 || row > self->last_held)
        return;
    for (size_t i = 0; i < MEMS; i++) {
        mem_t *m = &self->mem [i];
        while (m->n > 0 && (uint32_t) m->v [m->n - 1] >= row) {
            m->n--;
            self->held--;
        }
    }
    self->last_held = row - 1;
}

/*  Write frozen vector mi as the rows of its SPLIT buckets, each row's
    `first` the row of its first posting.  */
static bool
write_mem (clip_postings_t *self, size_t mi)
{
    const mem_t *m = &self->out [mi];
    if (m->n == 0)
        return true;
    uint32_t count [SPLIT + 1] = { 0 };
    for (uint32_t i = 0; i < m->n; i++)
        count [(m->v [i] >> (64 - CLIP_POSTINGS_BUCKET_BITS)) % SPLIT + 1]++;
    for (uint32_t s = 0; s < SPLIT; s++)
        count [s + 1] += count [s];
    uint8_t *blob = blob_room (self, (size_t) m->n * 8);
    uint32_t at [SPLIT];
    memcpy (at, count, sizeof at);
    for (uint32_t i = 0; i < m->n; i++) {
        uint64_t v = m->v [i];
        uint32_t s = (v >> (64 - CLIP_POSTINGS_BUCKET_BITS)) % SPLIT;
        clip_put_le32 (blob + 8 * at [s], (uint32_t) (v >> 32));
        clip_put_le32 (blob + 8 * at [s] + 4, (uint32_t) v);
        at [s]++;
    }
    for (uint32_t s = 0; s < SPLIT; s++) {
        if (count [s + 1] == count [s])
            continue;
        sqlite3_bind_int64 (self->insert, 1, (sqlite3_int64) (mi * SPLIT + s));
        sqlite3_bind_int64 (self->insert, 2, clip_get_le32 (blob + 8 * count [s] + 4));
        sqlite3_bind_blob (self->insert, 3, blob + 8 * count [s],
                           (int) (8 * (count [s + 1] - count [s])), SQLITE_STATIC);
        if (!step_done (self, self->insert))
            return false;
    }
    return true;
}

/*  Merge the newest rows of a bucket into one, keeping their order: going
    from the newest back, each older row as long as it is no larger than
    the rows after it together.  Row sizes then at least double from the
    newest to the oldest, as in a binary counter: a bucket keeps a few
    rows more than the writes since its last merge, and a posting is
    rewritten about log2 (writes / MERGE_EVERY) times, not once per merge
    of its bucket.  */
static bool
merge_bucket (clip_postings_t *self, uint32_t bucket)
{
    enum { MOST = 64 };
    int64_t first [MOST];
    int64_t size [MOST];
    size_t rows = 0;
    sqlite3_stmt *q = self->bucket_sizes;
    sqlite3_bind_int64 (q, 1, bucket);
    sqlite3_bind_int64 (q, 2, (sqlite3_int64) self->written);
    int rc;
    while ((rc = sqlite3_step (q)) == SQLITE_ROW) {
        /*  More rows than MOST: merge from the MOST-th newest.  */
        if (rows == MOST) {
            memmove (first, first + 1, (MOST - 1) * sizeof *first);
            memmove (size, size + 1, (MOST - 1) * sizeof *size);
            rows--;
        }
        first [rows] = sqlite3_column_int64 (q, 0);
        size [rows++] = sqlite3_column_int64 (q, 1);
    }
    sqlite3_reset (q);
    sqlite3_clear_bindings (q);
    if (rc != SQLITE_DONE) {
        clip_error ("postings_write_failed", "sqlite=\"%s\"", sqlite3_errmsg (self->db));
        return false;
    }
    if (rows < 2)
        return true;
    size_t from = rows - 1;
    int64_t newer = size [from];
    while (from > 0 && size [from - 1] <= newer)
        newer += size [--from];
    if (rows - from < 2)
        return true;
    q = self->bucket_rows;
    sqlite3_bind_int64 (q, 1, bucket);
    sqlite3_bind_int64 (q, 2, first [from]);
    sqlite3_bind_int64 (q, 3, (sqlite3_int64) self->written);
    size_t len = 0;
    while ((rc = sqlite3_step (q)) == SQLITE_ROW) {
        size_t n = (size_t) sqlite3_column_bytes (q, 0);
        /*  blob_room keeps what is there when it grows.  */
        uint8_t *blob = blob_room (self, len + n);
        if (n > 0)
            memcpy (blob + len, sqlite3_column_blob (q, 0), n);
        len += n;
    }
    sqlite3_reset (q);
    sqlite3_clear_bindings (q);
    if (rc != SQLITE_DONE) {
        clip_error ("postings_write_failed", "sqlite=\"%s\"", sqlite3_errmsg (self->db));
        return false;
    }
    sqlite3_bind_int64 (self->bucket_delete, 1, bucket);
    sqlite3_bind_int64 (self->bucket_delete, 2, first [from]);
    sqlite3_bind_int64 (self->bucket_delete, 3, (sqlite3_int64) self->written);
    if (!step_done (self, self->bucket_delete))
        return false;
    sqlite3_bind_int64 (self->insert, 1, bucket);
    sqlite3_bind_int64 (self->insert, 2, first [from]);
    sqlite3_bind_blob (self->insert, 3, self->blob, (int) len, SQLITE_STATIC);
    return step_done (self, self->insert);
}

/*  Freeze what is held as the write under way.  */
static void
start_write (clip_postings_t *self)
{
    assert (!self->writing && self->held > 0);
    memcpy (self->out, self->mem, sizeof self->out);
    memset (self->mem, 0, sizeof self->mem);
    self->out_held = self->held;
    self->out_last = self->last_held;
    self->held = 0;
    self->writing = true;
    self->next_slice = 0;
}

/*  Write the next slice of the write under way, with the merges of its
    buckets, in a transaction; the last slice records 'postings_row'.  */
static int
write_slice (clip_postings_t *self)
{
    assert (self->writing && self->insert);
    char err [256];
    uint64_t t0 = clip_now_ms ();
    if (clip_db_exec (self->db, "BEGIN IMMEDIATE", err, sizeof err)) {
        clip_error ("postings_write_failed", "error=\"%s\"", err);
        return -1;
    }
    unsigned slice = self->next_slice;
    bool last = slice + 1 == SLICES, ok = true;
    size_t mi0 = slice * MEMS_PER_SLICE, mi1 = mi0 + MEMS_PER_SLICE, postings = 0;
    if (slice == 0) {
        sqlite3_bind_int64 (self->set_writing, 1, self->out_last);
        ok = step_done (self, self->set_writing);
    }
    for (size_t mi = mi0; mi < mi1 && ok; mi++) {
        ok = write_mem (self, mi);
        postings += self->out [mi].n;
    }
    uint32_t turn = (uint32_t) (self->writes % MERGE_EVERY);
    for (uint32_t b = (uint32_t) mi0 * SPLIT; b < mi1 * SPLIT && ok; b++)
        if (b % MERGE_EVERY == turn)
            ok = merge_bucket (self, b);
    if (ok && last) {
        sqlite3_bind_int64 (self->set_meta, 1, self->out_last);
        sqlite3_bind_int64 (self->set_meta, 2, (sqlite3_int64) self->writes + 1);
        sqlite3_bind_int (self->set_meta, 3, CLIP_POSTINGS_BUCKET_BITS);
        ok = step_done (self, self->set_meta);
    }
    if (ok && clip_db_exec (self->db, "COMMIT", err, sizeof err)) {
        clip_error ("postings_write_failed", "error=\"%s\"", err);
        ok = false;
    }
    if (!ok) {
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    clip_debug ("postings_written", "to_row=%u slice=%u/%u postings=%zu ms=%llu", self->out_last,
               slice + 1, SLICES, postings, (unsigned long long) (clip_now_ms () - t0));
    /*  Freed, not kept for the next write: memory then holds at most
        one write's worth and what came since.  */
    for (size_t mi = mi0; mi < mi1; mi++) {
        self->out_held -= self->out [mi].n;
        free (self->out [mi].v);
        self->out [mi] = (mem_t) { NULL, 0, 0 };
    }
    self->next_slice++;
    if (last) {
        self->written = self->out_last;
        self->writes++;
        self->writing = false;
        free (self->blob);
        self->blob = NULL;
        self->blob_cap = 0;
    }
    return 0;
}

int
clip_postings_write_some (clip_postings_t *self, size_t at_least)
{
    assert (self);
    if (!self->writing) {
        if (self->held == 0 || self->held < at_least)
            return 0;
        start_write (self);
    }
    return write_slice (self);
}

int
clip_postings_flush (clip_postings_t *self)
{
    assert (self);
    while (self->writing || self->held > 0)
        if (clip_postings_write_some (self, 0))
            return -1;
    return 0;
}

int
clip_postings_find (clip_postings_t *self, const uint32_t *hashes, size_t n,
                    size_t max_rows, clip_postings_fn *fn, void *arg)
{
    assert (self && fn);
    for (size_t i = 0; i < n; i++) {
        uint32_t h = hashes [i];
        size_t found = 0;
        sqlite3_stmt *q = self->find;
        sqlite3_bind_int64 (q, 1, h >> (32 - CLIP_POSTINGS_BUCKET_BITS));
        int rc = SQLITE_DONE;
        while (found < max_rows && (rc = sqlite3_step (q)) == SQLITE_ROW) {
            const uint8_t *p = sqlite3_column_blob (q, 0);
            size_t count = (size_t) sqlite3_column_bytes (q, 0) / 8;
            for (size_t k = 0; k < count && found < max_rows; k++)
                if (clip_get_le32 (p + 8 * k) == h) {
                    fn (arg, clip_get_le32 (p + 8 * k + 4));
                    found++;
                }
        }
        if (found < max_rows && rc != SQLITE_DONE) {
            clip_error ("postings_find_failed", "sqlite=\"%s\"", sqlite3_errmsg (self->db));
            sqlite3_reset (q);
            return -1;
        }
        sqlite3_reset (q);
        /*  Then the write under way, where not yet written, and what is
            held: rows increasing.  */
        size_t mi = h >> (32 - MEM_BITS);
        const mem_t *mems [2] = {
            self->writing && mi >= self->next_slice * MEMS_PER_SLICE ? &self->out [mi] : NULL,
            &self->mem [mi]
        };
        for (int w = 0; w < 2; w++)
            for (uint32_t k = 0; mems [w] && k < mems [w]->n && found < max_rows; k++)
                if ((uint32_t) (mems [w]->v [k] >> 32) == h) {
                    fn (arg, (uint32_t) mems [w]->v [k]);
                    found++;
                }
    }
    return 0;
}
