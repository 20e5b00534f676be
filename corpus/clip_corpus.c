/*  clip_corpus: the articles already seen, and the verdict for a new one.
    See clip_corpus.h.

    Tables (all prefixed corpus_):
      corpus_articles  one row per article as received, duplicates included:
                       id, file, seq, cluster, sketch (clip_sketch bytes) and
                       data (the file as received, for `clip corpus explain`).
      corpus_keys      the index keys of each article that is not a
                       duplicate (clip_sketch_keys, little-endian u32) and
                       its shingle count, kept apart so that loading the
                       index at open reads a few hundred bytes per article
                       and none of the rest.

      corpus_meta      name, value: 'database', a random id of this database;
                       'keys_rule', the CLIP_SKETCH_KEYS_RULE that made the
                       keys (missing: rule 1, before the shingle count).  A
                       database of another rule has its corpus_keys rebuilt
                       from the sketches when it is opened for writing.

    Beside the database file, FILE.keys (clip_keysnap) holds a derived copy
    of corpus_keys, appended after each COMMIT and read at open in large
    sequential reads: the rows of corpus_keys are spread through the file
    among the articles, which makes a cold open slow.  Whatever the state
    of the snapshot (missing, behind, torn, from another database), the
    index is the same: what it does not cover, or covers wrongly, is read
    from corpus_keys.

    Judging: an article whose id is already present is a duplicate of the
    first row with that id.  Other candidates come from the LSH index
    (clip_lsh) of the published articles and from a second, small index of
    the articles staged in the open transaction, so that an article judged
    right after another one was staged sees it even before COMMIT.  Every
    candidate is verified with the exact Jaccard and containment of the two
    shingle sets (clip_sketch_compare), its sketch read from corpus_articles
    through a blob handle, its other columns only when it is a match.  */
#include "clip_corpus.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_db.h"
#include "clip_defaults.h"
#include "clip_keysnap.h"
#include "clip_log.h"
#include "clip_lsh.h"
#include "clip_postings.h"
#include "clip_sketch_keys.h"
#include "clip_util.h"

/*  A staged article: its row and keys, until publish or drop.  */
typedef struct {
    uint32_t item;
    uint32_t shingles;
    size_t n_keys;
    uint32_t *keys;
} staged_t;

/*  The sketches of the rows this corpus staged last, kept so that a
    candidate among them is compared without a B-tree seek and a page read
    through SQLite (sqlite3_blob_reopen and the pread of a WAL page: two
    fifths of clipd's commit thread in a burst of news, issue 12).  The
    earlier copies of a story that comes again, the near-duplicates this
    module is for, are mostly recent.  A
    ring indexed by row (rows are staged in increasing order): a slot holds
    the row it was filled for, so a lookup is one comparison.  Bounded by
    RECENT_ROWS slots and RECENT_BYTES of sketches (the oldest go first);
    a sketch above RECENT_SKETCH_MAX bytes is not kept.  Rows are never
    changed once written, and the slots of a transaction rolled back are
    emptied (clip_corpus_drop_staged), since its row numbers are given
    again.  */
#define RECENT_ROWS 8192
#define RECENT_BYTES (8u << 20)
#define RECENT_SKETCH_MAX (16u << 10)

typedef struct {
    uint64_t row;                   /* 0: empty */
    size_t len;
    uint8_t *bytes;
} recent_t;

struct clip_corpus {
    sqlite3 *db;                    /* not owned */
    clip_corpus_settings_t settings;
    sqlite3_stmt *find_by_id;
    sqlite3_stmt *find_by_row;
    sqlite3_stmt *insert;
    sqlite3_stmt *insert_keys;
    uint64_t size;                  /* committed articles */
    clip_lsh_t *index;              /* published articles */
    clip_lsh_t *pending;            /* staged articles */
    staged_t *staged;
    size_t n_staged;
    size_t cap_staged;
    uint64_t staged_rows;           /* rows written in the open transaction */
    uint64_t first_staged_row;      /* its first row, and its last one */
    uint64_t last_staged_row;
    uint64_t last_staged_id_hash;
    clip_keysnap_t *snap;           /* NULL: none, or no longer kept */
    clip_postings_t *postings;      /* NULL in a read-only database without */
    recent_t *recent;               /* RECENT_ROWS slots, by row; NULL until the first stage */
    size_t recent_bytes;            /* sketch bytes they hold */
    uint64_t recent_oldest;         /* no slot holds a row below it */
    sqlite3_blob *blob;             /* judging: the candidates' sketches */
    uint8_t *blob_buf;              /* and the last one read (judge_end) */
    size_t blob_cap;
    uint64_t database_id;           /* corpus_meta 'database'; 0 if none */
};

static const char *schema =
    "CREATE TABLE IF NOT EXISTS corpus_articles ("
    "  rowid INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL,"
    "  file TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  cluster TEXT NOT NULL,"
    "  sketch BLOB,"
    "  data BLOB);"
    "CREATE INDEX IF NOT EXISTS corpus_articles_id ON corpus_articles (id);"
    "CREATE TABLE IF NOT EXISTS corpus_keys ("
    "  article INTEGER PRIMARY KEY,"
    "  shingles INTEGER NOT NULL,"
    "  keys BLOB NOT NULL);";

/*  A random id given to the database when its corpus tables are made, which
    the keys snapshot records, so that a snapshot is never taken for that of
    another database (a copy of the database keeps it).  */
static const char *meta_schema =
    "CREATE TABLE IF NOT EXISTS corpus_meta ("
    "  name TEXT PRIMARY KEY,"
    "  value INTEGER NOT NULL);"
    "INSERT OR IGNORE INTO corpus_meta (name, value) VALUES ('database', random () | 1);";

/*  The database's id, or 0 if it has none yet.  */
static uint64_t
database_id (sqlite3 *db)
{
    return (uint64_t) clip_db_meta (db, "database", 0);
}

void
clip_corpus_settings_default (clip_corpus_settings_t *settings)
{
    settings->near_containment = CLIP_DEFAULT_NEAR_CONTAINMENT;
    settings->near_jaccard = CLIP_DEFAULT_NEAR_JACCARD;
    settings->related_containment = CLIP_DEFAULT_RELATED_CONTAINMENT;
    settings->max_matches = 5;
}

void
clip_corpus_set_thresholds (clip_corpus_t *self, double near_containment, double near_jaccard,
                            double related_containment)
{
    assert (self);
    self->settings.near_containment = near_containment;
    self->settings.near_jaccard = near_jaccard;
    self->settings.related_containment = related_containment;
}

static void
insert_keys (void *arg, uint32_t row, uint32_t shingles, const uint32_t *keys, size_t n_keys)
{
    clip_corpus_t *self = arg;
    if (row < 1 || n_keys > CLIP_SKETCH_MAX_KEYS || n_keys > shingles) {
        clip_warn ("corpus_bad_keys", "article=%u", row);
        return;
    }
    clip_lsh_insert (self->index, row - 1, shingles, keys, n_keys);
}

/*  The keys of a sketch as a corpus_keys blob, and as values in *keys_out
    (*n_keys of them).  Caller owns both (NULL when there is no key).  */
static uint8_t *
keys_blob (const clip_sketch_view_t *view, uint32_t **keys_out, size_t *n_keys)
{
    uint32_t *keys = clip_malloc ((clip_sketch_keys_max (view->n) + 1) * sizeof *keys);
    *n_keys = clip_sketch_keys (view, keys);
    if (*n_keys == 0) {
        free (keys);
        *keys_out = NULL;
        return NULL;
    }
    uint8_t *blob = clip_malloc (4 * *n_keys);
    for (size_t i = 0; i < *n_keys; i++)
        clip_put_le32 (blob + 4 * i, keys [i]);
    *keys_out = keys;
    return blob;
}

/*  The rule the stored keys were made by (1 when not recorded).  */
static int
keys_rule (sqlite3 *db)
{
    return (int) clip_db_meta (db, "keys_rule", 1);
}

/*  Remake corpus_keys by the current rule from the stored sketches, for the
    articles that have keys, in one transaction.  Returns 0 or -1.  */
static int
rebuild_keys (sqlite3 *db, int old_rule, char *err, size_t err_size)
{
    if (clip_db_exec (db, "BEGIN IMMEDIATE", err, err_size))
        return -1;
    sqlite3_stmt *read = NULL, *write = NULL;
    int rc = clip_db_exec (db, "DROP TABLE IF EXISTS corpus_keys_new;"
                           "CREATE TABLE corpus_keys_new ("
                           "  article INTEGER PRIMARY KEY,"
                           "  shingles INTEGER NOT NULL,"
                           "  keys BLOB NOT NULL);", err, err_size);
    if (rc == 0)
        rc = clip_db_prepare (db, "corpus", "SELECT a.rowid, a.sketch FROM corpus_keys k"
                              " JOIN corpus_articles a ON a.rowid = k.article ORDER BY a.rowid",
                              &read, err, err_size)
          || clip_db_prepare (db, "corpus", "INSERT INTO corpus_keys_new (article, shingles, keys)"
                              " VALUES (?1, ?2, ?3)", &write, err, err_size);
    int step = SQLITE_DONE;
    uint64_t rebuilt = 0;
    while (rc == 0 && (step = sqlite3_step (read)) == SQLITE_ROW) {
        clip_sketch_view_t view;
        if (clip_sketch_parse (sqlite3_column_blob (read, 1),
                               (size_t) sqlite3_column_bytes (read, 1), &view) != 0) {
            /*  Its keys are lost, not the article: it is still judged as a
                duplicate by its id, and shown by explain.  */
            clip_warn ("corpus_bad_sketch", "article=%lld keys=dropped",
                       (long long) sqlite3_column_int64 (read, 0));
            continue;
        }
        uint32_t *keys;
        size_t n_keys;
        uint8_t *blob = keys_blob (&view, &keys, &n_keys);
        if (!blob)
            continue;
        sqlite3_bind_int64 (write, 1, sqlite3_column_int64 (read, 0));
        sqlite3_bind_int64 (write, 2, view.n);
        sqlite3_bind_blob (write, 3, blob, (int) (4 * n_keys), SQLITE_STATIC);
        if (sqlite3_step (write) != SQLITE_DONE) {
            snprintf (err, err_size, "corpus: cannot rebuild the keys: %s", sqlite3_errmsg (db));
            rc = -1;
        }
        sqlite3_reset (write);
        free (blob);
        free (keys);
        rebuilt++;
    }
    if (rc == 0 && step != SQLITE_DONE) {
        snprintf (err, err_size, "corpus: cannot rebuild the keys: %s", sqlite3_errmsg (db));
        rc = -1;
    }
    sqlite3_finalize (read);
    sqlite3_finalize (write);
    char *meta = clip_strprintf ("DROP TABLE corpus_keys;"
                                 "ALTER TABLE corpus_keys_new RENAME TO corpus_keys;"
                                 /*  The postings are the shingles that are
                                     not keys: made again at open.  */
                                 "DROP TABLE IF EXISTS corpus_postings;"
                                 "DELETE FROM corpus_meta WHERE name LIKE 'postings_%%';"
                                 "INSERT OR REPLACE INTO corpus_meta (name, value) VALUES ('keys_rule', %d);"
                                 "COMMIT;", CLIP_SKETCH_KEYS_RULE);
    if (rc == 0)
        rc = clip_db_exec (db, meta, err, err_size);
    free (meta);
    if (rc != 0)
        sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
    else
    if (rebuilt > 0)
        clip_info ("corpus_keys_rebuilt", "from_rule=%d to_rule=%d articles=%llu", old_rule,
                   CLIP_SKETCH_KEYS_RULE, (unsigned long long) rebuilt);
    return rc;
}

/*  The hash of the id of a row (0 for row 0 or a missing row), which tells
    whether a snapshot covering that row belongs to this database.  Returns
    0 or -1 on a SQLite error.  */
static int
row_id_hash (clip_corpus_t *self, uint64_t row, uint64_t *hash)
{
    *hash = 0;
    if (row == 0)
        return 0;
    sqlite3_stmt *q = self->find_by_row;
    sqlite3_bind_int64 (q, 1, (sqlite3_int64) row);
    int rc = sqlite3_step (q);
    if (rc == SQLITE_ROW)
        *hash = clip_keysnap_id_hash ((const char *) sqlite3_column_text (q, 0));
    sqlite3_reset (q);
    sqlite3_clear_bindings (q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/*  The keys snapshot of a database file (see clip_keysnap.h), or NULL for
    a database in memory.  Caller owns the result.  */
static char *
snapshot_path (sqlite3 *db)
{
    const char *file = sqlite3_db_filename (db, "main");
    return file && *file ? clip_strprintf ("%s.keys", file) : NULL;
}

/*  Load the snapshot into the index if it is intact and belongs to this
    database.  Returns the last row it covers, or 0 after discarding it (the
    index is then empty again and the snapshot, if writable, emptied).  */
static uint64_t
load_snapshot (clip_corpus_t *self, size_t expected_keys)
{
    uint64_t last = 0, id_hash = 0, have = 0;
    clip_keysnap_t *snap = self->snap;
    bool ok = clip_keysnap_covered (snap, &last, &id_hash) == 0
           && self->database_id != 0 && clip_keysnap_database (snap) == self->database_id
           && last > 0 && last <= self->size
           && row_id_hash (self, last, &have) == 0 && have == id_hash;
    if (ok && clip_keysnap_read (snap, insert_keys, self) != 0) {
        /*  Torn or corrupt: start again from the database.  */
        clip_lsh_destroy (&self->index);
        self->index = clip_lsh_new (expected_keys);
        clip_lsh_load_begin (self->index);
        ok = false;
    }
    if (ok)
        return last;
    if (last > 0)
        clip_info ("corpus_snapshot_rebuilt", "covered=%llu rows=%llu",
                   (unsigned long long) last, (unsigned long long) self->size);
    if (!clip_keysnap_writable (snap) || clip_keysnap_reset (snap, self->database_id) != 0)
        clip_keysnap_destroy (&self->snap);
    return 0;
}

/*  Read every article's keys into the index: those the snapshot covers
    from it, the rest from corpus_keys (appending them to the snapshot).  */
static int
load_index (clip_corpus_t *self, char *err, size_t err_size)
{
    sqlite3_stmt *q = NULL;
    if (clip_db_prepare (self->db, "corpus", "SELECT max(article) FROM corpus_keys", &q, err, err_size))
        return -1;
    uint64_t articles = 0;
    if (sqlite3_step (q) == SQLITE_ROW)
        articles = (uint64_t) sqlite3_column_int64 (q, 0);
    sqlite3_finalize (q);
    /*  An upper bound of the indexed articles (duplicates have no keys).  */
    size_t expected_keys = articles * CLIP_CORPUS_KEYS_PER_ARTICLE;
    self->index = clip_lsh_new (expected_keys);
    clip_lsh_load_begin (self->index);

    char *path = snapshot_path (self->db);
    if (path)
        self->snap = clip_keysnap_open (path, !sqlite3_db_readonly (self->db, "main"));
    free (path);
    uint64_t from = self->snap ? load_snapshot (self, expected_keys) : 0;

    if (clip_db_prepare (self->db, "corpus", "SELECT article, shingles, keys FROM corpus_keys"
                         " WHERE article > ?1", &q, err, err_size))
        return -1;
    sqlite3_bind_int64 (q, 1, (sqlite3_int64) from);
    int rc;
    uint64_t tail = 0;
    uint32_t *keys = clip_malloc (CLIP_SKETCH_MAX_KEYS * sizeof *keys);
    while ((rc = sqlite3_step (q)) == SQLITE_ROW) {
        sqlite3_int64 article = sqlite3_column_int64 (q, 0);
        sqlite3_int64 shingles = sqlite3_column_int64 (q, 1);
        const uint8_t *blob = sqlite3_column_blob (q, 2);
        size_t n = (size_t) sqlite3_column_bytes (q, 2) / 4;
        if (article < 1 || article >= UINT32_MAX || n > CLIP_SKETCH_MAX_KEYS
        ||  shingles < (sqlite3_int64) n || shingles > UINT32_MAX) {
            clip_warn ("corpus_bad_keys", "article=%lld", (long long) article);
            continue;
        }
        for (size_t i = 0; i < n; i++)
            keys [i] = clip_get_le32 (blob + 4 * i);
        clip_lsh_insert (self->index, (uint32_t) (article - 1), (size_t) shingles, keys, n);
        if (self->snap)
            clip_keysnap_add (self->snap, (uint32_t) article, (uint32_t) shingles, keys, n);
        tail++;
    }
    free (keys);
    sqlite3_finalize (q);
    clip_lsh_load_end (self->index);
    if (rc != SQLITE_DONE) {
        snprintf (err, err_size, "corpus: cannot load the index: %s", sqlite3_errmsg (self->db));
        return -1;
    }
    /*  Bring the snapshot up to the rows read, so that the next open reads
        them sequentially too.  */
    uint64_t id_hash;
    if (self->snap && clip_keysnap_writable (self->snap)
    &&  (tail > 0 || clip_keysnap_last_row (self->snap) != self->size)) {
        if (self->size >= UINT32_MAX || row_id_hash (self, self->size, &id_hash) != 0
        ||  clip_keysnap_commit (self->snap, self->size, id_hash) != 0)
            clip_keysnap_destroy (&self->snap);
    }
    if (self->snap && !clip_keysnap_writable (self->snap))
        clip_keysnap_destroy (&self->snap);
    return 0;
}

/*  Articles read at a time when the postings are brought up to date.  */
#define POSTINGS_BATCH 20000
/*  A read-only open (clip corpus stats, clip analyze) holds at most this
    many articles' postings that were never written.  */
#define POSTINGS_READ_ONLY_MAX 200000

/*  The shingles of a sketch that are not among its keys, into others
    (room for view->n).  Returns their count.  */
static size_t
others_of (const clip_sketch_view_t *view, const uint32_t *keys, size_t n_keys, uint32_t *others)
{
    clip_sketch_hashes (view, others);
    return clip_sketch_minus (others, view->n, keys, n_keys, others);
}

/*  Open the postings and add again those of the articles after the last
    row written: after a crash, the articles of the last few seconds; the
    first time a corpus of an earlier version is opened, all of them,
    written as they fill memory.  */
static int
load_postings (clip_corpus_t *self, char *err, size_t err_size)
{
    bool writable = !sqlite3_db_readonly (self->db, "main");
    char why [256] = "";
    self->postings = clip_postings_open (self->db, why, sizeof why);
    if (!self->postings && !writable) {
        clip_warn ("corpus_postings_unusable", "reason=\"%s\" effect=short_articles_sampled", why);
        return 0;
    }
    if (!self->postings) {
        snprintf (err, err_size, "corpus: %s", why);
        return -1;
    }
    uint64_t from = clip_postings_written (self->postings);
    if (from >= self->size)
        return 0;
    if (!writable && self->size - from > POSTINGS_READ_ONLY_MAX) {
        clip_warn ("corpus_postings_behind", "written=%llu articles=%llu reason=read_only "
                   "effect=short_articles_sampled", (unsigned long long) from,
                   (unsigned long long) self->size);
        clip_postings_destroy (&self->postings);
        return 0;
    }
    sqlite3_stmt *q = NULL;
    if (clip_db_prepare (self->db, "corpus", "SELECT k.article, k.keys, a.sketch FROM corpus_keys k"
                         " JOIN corpus_articles a ON a.rowid = k.article"
                         " WHERE k.article > ?1 AND k.article <= ?2 ORDER BY k.article LIMIT ?3",
                         &q, err, err_size))
        return -1;
    uint64_t added = 0;
    uint32_t *keys = clip_malloc (CLIP_SKETCH_MAX_KEYS * sizeof *keys), *others = NULL;
    size_t others_cap = 0;
    int rc = SQLITE_DONE;
    for (;;) {
        sqlite3_bind_int64 (q, 1, (sqlite3_int64) from);
        sqlite3_bind_int64 (q, 2, (sqlite3_int64) self->size);
        sqlite3_bind_int (q, 3, POSTINGS_BATCH);
        size_t rows = 0;
        while ((rc = sqlite3_step (q)) == SQLITE_ROW) {
            rows++;
            sqlite3_int64 article = sqlite3_column_int64 (q, 0);
            from = (uint64_t) article;
            size_t n_keys = (size_t) sqlite3_column_bytes (q, 1) / 4;
            clip_sketch_view_t view;
            if (article < 1 || article >= UINT32_MAX || n_keys > CLIP_SKETCH_MAX_KEYS
            ||  clip_sketch_parse (sqlite3_column_blob (q, 2), (size_t) sqlite3_column_bytes (q, 2),
                                   &view) != 0)
                continue;           /* warned about when the index was loaded */
            const uint8_t *blob = sqlite3_column_blob (q, 1);
            for (size_t i = 0; i < n_keys; i++)
                keys [i] = clip_get_le32 (blob + 4 * i);
            if (view.n > others_cap) {
                others_cap = view.n;
                others = clip_realloc (others, others_cap * sizeof *others);
            }
            size_t n = others_of (&view, keys, n_keys, others);
            clip_postings_add (self->postings, (uint32_t) article, others, n);
            added++;
        }
        sqlite3_reset (q);
        if (rc != SQLITE_DONE || rows < POSTINGS_BATCH)
            break;
        if (writable && sqlite3_get_autocommit (self->db)
        &&  clip_postings_held (self->postings) >= CLIP_POSTINGS_FLUSH)
            clip_postings_flush (self->postings);   /* kept in memory if it fails */
    }
    sqlite3_finalize (q);
    free (keys);
    free (others);
    if (rc != SQLITE_DONE) {
        snprintf (err, err_size, "corpus: cannot read the postings' articles: %s",
                  sqlite3_errmsg (self->db));
        return -1;
    }
    if (added > 0)
        clip_info ("corpus_postings_added", "articles=%llu held=%zu", (unsigned long long) added,
                   clip_postings_held (self->postings));
    return 0;
}

clip_corpus_t *
clip_corpus_open (sqlite3 *db, const clip_corpus_settings_t *settings, char *err, size_t err_size)
{
    assert (db);
    clip_corpus_t *self = clip_calloc (1, sizeof *self);
    self->db = db;
    if (settings)
        self->settings = *settings;
    else
        clip_corpus_settings_default (&self->settings);

    char *msg = NULL;
    self->database_id = database_id (db);
    if (sqlite3_exec (db, schema, NULL, NULL, &msg) != SQLITE_OK
    ||  (self->database_id == 0 && !sqlite3_db_readonly (db, "main")
    &&   sqlite3_exec (db, meta_schema, NULL, NULL, &msg) != SQLITE_OK)) {
        snprintf (err, err_size, "corpus: cannot create tables: %s", msg ? msg : "?");
        sqlite3_free (msg);
        clip_corpus_destroy (&self);
        return NULL;
    }
    /*  Still 0 only in a read-only database of an older version.  */
    if (self->database_id == 0)
        self->database_id = database_id (db);
    /*  A new database is rebuilt too, at no cost: it has no keys.  */
    int rule = keys_rule (db);
    if (rule != CLIP_SKETCH_KEYS_RULE) {
        if (sqlite3_db_readonly (db, "main") || !sqlite3_get_autocommit (db)) {
            snprintf (err, err_size, "corpus: the index keys were made by rule %d, this clip uses "
                      "rule %d: open the state directory once with clipd (or clip corpus import) "
                      "to rebuild them", rule, CLIP_SKETCH_KEYS_RULE);
            clip_corpus_destroy (&self);
            return NULL;
        }
        if (rebuild_keys (db, rule, err, err_size)) {
            clip_corpus_destroy (&self);
            return NULL;
        }
    }
    sqlite3_stmt *count = NULL;
    if (clip_db_prepare (self->db, "corpus", "SELECT id, file, seq, cluster, rowid FROM corpus_articles"
                       " WHERE id = ?1 ORDER BY rowid LIMIT 1", &self->find_by_id, err, err_size)
    ||  clip_db_prepare (self->db, "corpus", "SELECT id, file, seq, cluster, sketch FROM corpus_articles"
                       " WHERE rowid = ?1", &self->find_by_row, err, err_size)
    ||  clip_db_prepare (self->db, "corpus", "INSERT INTO corpus_articles (id, file, seq, cluster, sketch, data)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &self->insert, err, err_size)
    ||  clip_db_prepare (self->db, "corpus", "INSERT INTO corpus_keys (article, shingles, keys)"
                       " VALUES (?1, ?2, ?3)",
                 &self->insert_keys, err, err_size)
    /*  Rows are never deleted and a rolled-back rowid is reused, so the
        largest rowid is the count, found without reading the table.  */
    ||  clip_db_prepare (self->db, "corpus", "SELECT max(rowid) FROM corpus_articles", &count, err, err_size)) {
        clip_corpus_destroy (&self);
        return NULL;
    }
    /*  One read transaction for the count and the keys, so that rows
        another process commits meanwhile are in neither.  */
    bool own_txn = sqlite3_get_autocommit (db) && clip_db_exec (db, "BEGIN", err, err_size) == 0;
    if (sqlite3_step (count) == SQLITE_ROW)
        self->size = (uint64_t) sqlite3_column_int64 (count, 0);
    sqlite3_finalize (count);
    self->pending = clip_lsh_new (0);
    int rc = load_index (self, err, err_size);
    if (own_txn)
        sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
    if (rc == 0)
        rc = load_postings (self, err, err_size);
    if (rc) {
        clip_corpus_destroy (&self);
        return NULL;
    }
    return self;
}

static void
recent_clear (clip_corpus_t *self, uint64_t row)
{
    recent_t *r = &self->recent [row % RECENT_ROWS];
    if (r->row != row)
        return;
    self->recent_bytes -= r->len;
    free (r->bytes);
    *r = (recent_t) { 0 };
}

/*  Empty the slots of the rows below below: every slot then holds a row of
    [recent_oldest, recent_oldest + RECENT_ROWS), one row to a slot.  */
static void
recent_forget_below (clip_corpus_t *self, uint64_t below)
{
    if (below - self->recent_oldest >= RECENT_ROWS) {
        for (size_t i = 0; i < RECENT_ROWS; i++)
            if (self->recent [i].row)
                recent_clear (self, self->recent [i].row);
    }
    else
        for (uint64_t row = self->recent_oldest; row < below; row++)
            recent_clear (self, row);
    self->recent_oldest = below;
}

static void
recent_put (clip_corpus_t *self, uint64_t row, const void *sketch, size_t len)
{
    if (!self->recent)
        self->recent = clip_calloc (RECENT_ROWS, sizeof *self->recent);
    if (row < self->recent_oldest || len > RECENT_SKETCH_MAX)
        return;                 /* not after the rows kept (another writer's), or too large */
    if (row - self->recent_oldest >= RECENT_ROWS)
        recent_forget_below (self, row - RECENT_ROWS + 1);
    recent_clear (self, row);
    /*  The oldest go first until the new one fits.  */
    while (self->recent_bytes + len > RECENT_BYTES && self->recent_oldest < row)
        recent_clear (self, self->recent_oldest++);
    recent_t *r = &self->recent [row % RECENT_ROWS];
    r->bytes = clip_malloc (len);
    memcpy (r->bytes, sketch, len);
    r->len = len;
    r->row = row;
    self->recent_bytes += len;
}

static const recent_t *
recent_find (const clip_corpus_t *self, uint64_t row)
{
    if (!self->recent)
        return NULL;
    const recent_t *r = &self->recent [row % RECENT_ROWS];
    return r->row == row ? r : NULL;
}

void
clip_corpus_destroy (clip_corpus_t **self_p)
{
    assert (self_p);
    clip_corpus_t *self = *self_p;
    if (!self)
        return;
    sqlite3_finalize (self->find_by_id);
    sqlite3_finalize (self->find_by_row);
    sqlite3_blob_close (self->blob);
    free (self->blob_buf);
    if (self->recent)
        for (size_t i = 0; i < RECENT_ROWS; i++)
            free (self->recent [i].bytes);
    free (self->recent);
    sqlite3_finalize (self->insert);
    sqlite3_finalize (self->insert_keys);
    clip_lsh_destroy (&self->index);
    clip_lsh_destroy (&self->pending);
    clip_keysnap_destroy (&self->snap);
    /*  Written on the way out, so that the next open has nothing to add
        again (unless a transaction is open: those rows are not committed).  */
    if (self->postings && clip_postings_held (self->postings) > 0
    &&  !sqlite3_db_readonly (self->db, "main") && sqlite3_get_autocommit (self->db)
    &&  self->n_staged == 0)
        clip_postings_flush (self->postings);
    clip_postings_destroy (&self->postings);
    for (size_t i = 0; i < self->n_staged; i++)
        free (self->staged [i].keys);
    free (self->staged);
    free (self);
    *self_p = NULL;
}

uint64_t
clip_corpus_size (const clip_corpus_t *self)
{
    return self->size;
}

size_t
clip_corpus_index_memory (const clip_corpus_t *self)
{
    return clip_lsh_memory (self->index) + clip_lsh_memory (self->pending)
         + (self->postings ? clip_postings_memory (self->postings) : 0);
}

/*  A verified candidate.  */
typedef struct {
    int64_t row;
    int level;                      /* 2 near_duplicate, 1 related */
    double jaccard;
    double containment;
    char *id;
    char *file;
    uint64_t seq;
    char *cluster;
} match_t;

static int
match_cmp (const void *a, const void *b)
{
    const match_t *x = a, *y = b;
    if (x->level != y->level)
        return x->level > y->level ? -1 : 1;
    if (x->containment != y->containment)
        return x->containment > y->containment ? -1 : 1;
    if (x->jaccard != y->jaccard)
        return x->jaccard > y->jaccard ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

typedef struct {
    match_t *m;
    size_t n;
    size_t cap;
} matches_t;

static void
matches_free (matches_t *ms)
{
    for (size_t i = 0; i < ms->n; i++) {
        free (ms->m [i].id);
        free (ms->m [i].file);
        free (ms->m [i].cluster);
    }
    free (ms->m);
}

static bool
seen_row (const matches_t *ms, int64_t row)
{
    for (size_t i = 0; i < ms->n; i++)
        if (ms->m [i].row == row)
            return true;
    return false;
}

/*  The level a candidate reaches with these scores: 2 near_duplicate, 1
    related, 0 neither.  */
static int
level_of (const clip_corpus_settings_t *s, double jaccard, double containment)
{
    return containment >= s->near_containment || jaccard > s->near_jaccard ? 2
         : containment > s->related_containment ? 1 : 0;
}

/*  A judge's lookup statement q is done with: reset it, rc being its
    step's result (a row or done).  Returns 0, or -1, logged, on a SQLite
    error.  */
static int
lookup_done (clip_corpus_t *self, sqlite3_stmt *q, int rc)
{
    sqlite3_reset (q);
    sqlite3_clear_bindings (q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        clip_error ("corpus_judge_failed", "sqlite=\"%s\"", sqlite3_errmsg (self->db));
        return -1;
    }
    return 0;
}

/*  Keep row as a match: read its text columns (find_by_row), unless it
    has the article's id (the same text: decided by the id).  Returns 0 or
    -1 on a SQLite error.  */
static int
keep_match (clip_corpus_t *self, const char *id, int64_t row, int level, double j, double c,
            matches_t *ms)
{
    sqlite3_stmt *q = self->find_by_row;
    sqlite3_bind_int64 (q, 1, row);
    int rc = sqlite3_step (q);
    if (rc == SQLITE_ROW && strcmp ((const char *) sqlite3_column_text (q, 0), id) != 0) {
        if (ms->n == ms->cap) {
            ms->cap = ms->cap ? ms->cap * 2 : 8;
            ms->m = clip_realloc (ms->m, ms->cap * sizeof *ms->m);
        }
        ms->m [ms->n++] = (match_t) {
            .row = row, .level = level, .jaccard = j, .containment = c,
            .id = clip_strdup ((const char *) sqlite3_column_text (q, 0)),
            .file = clip_strdup ((const char *) sqlite3_column_text (q, 1)),
            .seq = (uint64_t) sqlite3_column_int64 (q, 2),
            .cluster = clip_strdup ((const char *) sqlite3_column_text (q, 3))
        };
    }
    return lookup_done (self, q, rc);
}

/*  Read row by find_by_row, compare it with the article and keep it if it
    is at least related: the way for a row whose sketch the blob handle
    cannot read (NULL, or a SQLite error, which this reports).  Returns 0
    or -1 on a SQLite error.  */
static int
verify_by_statement (clip_corpus_t *self, const char *id, const clip_sketch_view_t *view,
                     int64_t row, matches_t *ms)
{
    sqlite3_stmt *q = self->find_by_row;
    sqlite3_bind_int64 (q, 1, row);
    int rc = sqlite3_step (q);
    double j = 0, c = 0;
    int level = 0;
    if (rc == SQLITE_ROW) {
        clip_sketch_view_t other;
        if (clip_sketch_parse (sqlite3_column_blob (q, 4), (size_t) sqlite3_column_bytes (q, 4),
                               &other) == 0) {
            clip_sketch_compare (view, &other, &j, &c, NULL);
            level = level_of (&self->settings, j, c);
        }
    }
    if (lookup_done (self, q, rc))
        return -1;
    return level > 0 ? keep_match (self, id, row, level, j, c, ms) : 0;
}

/*  Read row's sketch, compare it with the article and keep the row if it
    is at least related.  A row staged lately is compared from the sketch
    kept for it ("recent" above).  Most candidates are not related, so
    only the sketch is read, through an incremental-blob handle moved from
    row to row
    (sqlite3_blob_reopen and read: one B-tree seek, about 2,200
    instructions, where find_by_row's step and reset took 6,700, callgrind
    on Reuters); the
    text columns are read for a match only.  The handle lives for one
    judge (judge_end): open, it is an active statement.  Returns 0 or -1
    on a SQLite error.  */
static int
verify (clip_corpus_t *self, const char *id, const clip_sketch_view_t *view,
        int64_t row, matches_t *ms)
{
    if (seen_row (ms, row))
        return 0;
    const uint8_t *bytes;
    size_t len;
    const recent_t *r = recent_find (self, (uint64_t) row);
    if (r) {
        bytes = r->bytes;
        len = r->len;
    }
    else {
        int rc = self->blob ? sqlite3_blob_reopen (self->blob, row)
                            : sqlite3_blob_open (self->db, "main", "corpus_articles", "sketch", row,
                                                 0, &self->blob);
        int n = rc == SQLITE_OK ? sqlite3_blob_bytes (self->blob) : 0;
        if (rc == SQLITE_OK && (size_t) n > self->blob_cap) {
            self->blob_cap = (size_t) n;
            self->blob_buf = clip_realloc (self->blob_buf, self->blob_cap);
        }
        if (rc == SQLITE_OK)
            rc = sqlite3_blob_read (self->blob, self->blob_buf, n, 0);
        if (rc != SQLITE_OK) {
            /*  A row without a sketch, or an error: the handle can only be
                closed now, and the statement says which it was.  */
            sqlite3_blob_close (self->blob);
            self->blob = NULL;
            return verify_by_statement (self, id, view, row, ms);
        }
        bytes = self->blob_buf;
        len = (size_t) n;
    }
    clip_sketch_view_t other;
    if (clip_sketch_parse (bytes, len, &other) != 0)
        return 0;
    double j, c;
    clip_sketch_compare (view, &other, &j, &c, NULL);
    int level = level_of (&self->settings, j, c);
    return level > 0 ? keep_match (self, id, row, level, j, c, ms) : 0;
}

/*  The sketch buffer kept from one judge to the next, at most: that of an
    article of some 16,000 shingles, so that one huge article does not
    hold its size for good.  */
#define BLOB_BUF_KEPT (64u << 10)

/*  After the last verify of a judge.  */
static void
judge_end (clip_corpus_t *self)
{
    sqlite3_blob_close (self->blob);
    self->blob = NULL;
    if (self->blob_cap > BLOB_BUF_KEPT) {
        free (self->blob_buf);
        self->blob_buf = NULL;
        self->blob_cap = 0;
    }
}

/*  What an article looks up: its probes, and its other shingles.  */
typedef struct {
    uint32_t *set;                  /* every shingle, sorted */
    uint32_t *probes;
    size_t n_probes;
    uint32_t *others;               /* the set less the probes */
    size_t n_others;
} lookup_t;

static void
lookup_init (lookup_t *lk, const clip_sketch_view_t *view)
{
    size_t n = view->n ? view->n : 1;
    lk->set = clip_malloc (n * sizeof *lk->set);
    clip_sketch_hashes (view, lk->set);
    lk->probes = clip_malloc ((clip_sketch_keys_max (n) + 1) * sizeof *lk->probes);
    lk->n_probes = clip_sketch_probes_of (lk->set, view->n, lk->probes);
    lk->others = clip_malloc (n * sizeof *lk->others);
    lk->n_others = clip_sketch_minus (lk->set, view->n, lk->probes, lk->n_probes, lk->others);
}

static void
lookup_free (lookup_t *lk)
{
    free (lk->set);
    free (lk->probes);
    free (lk->others);
}

static int
verify_hits (clip_corpus_t *self, clip_lsh_t *index, const char *id,
             const clip_sketch_view_t *view, const lookup_t *lk, matches_t *ms)
{
    const clip_lsh_hit_t *hits;
    size_t n = clip_lsh_query (index, lk->probes, lk->n_probes, lk->others, lk->n_others,
                               view->n, &hits);
    /*  The hits buffer belongs to the index; verify does not query it.  */
    for (size_t i = 0; i < n; i++) {
        /*  The pending index numbers its items by their place in staged.  */
        uint32_t item = index == self->pending ? self->staged [hits [i].item].item
                                               : hits [i].item;
        if (verify (self, id, view, (int64_t) item + 1, ms))
            return -1;
    }
    return 0;
}

/*  The rows one shingle of a short article may bring from the postings:
    the earliest ones (more would be boilerplate, such as "the company
    said").  */
#define POSTINGS_MAX_ROWS 1024

typedef struct {
    uint32_t *rows;
    size_t n;
    size_t cap;
} rows_t;

static void
collect_row (void *arg, uint32_t row)
{
    rows_t *r = arg;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->rows = clip_realloc (r->rows, r->cap * sizeof *r->rows);
    }
    r->rows [r->n++] = row;
}

/*  An article of fewer than CLIP_LSH_FEW shingles is also looked up among
    the shingles that are not keys (clip_postings.h).  An article that
    shares a key with it is a candidate already; one that shares none has
    all its shared shingles here, counted exactly, so only those that
    share enough to be related at least are verified.  */
static int
verify_postings (clip_corpus_t *self, const char *id, const clip_sketch_view_t *view,
                 const lookup_t *lk, matches_t *ms)
{
    if (!self->postings || view->n == 0 || view->n >= CLIP_LSH_FEW)
        return 0;
    rows_t r = { NULL, 0, 0 };
    int rc = clip_postings_find (self->postings, lk->set, view->n, POSTINGS_MAX_ROWS,
                                 collect_row, &r);
    size_t need = (size_t) (self->settings.related_containment * view->n) + 1;
    if (rc == 0 && r.n > 0) {
        clip_sketch_sort_u32 (r.rows, NULL, r.n);
        for (size_t i = 0, j; i < r.n && rc == 0; i = j) {
            for (j = i; j < r.n && r.rows [j] == r.rows [i]; j++)
                ;
            if (j - i >= need)
                rc = verify (self, id, view, r.rows [i], ms);
        }
    }
    free (r.rows);
    return rc;
}

int
clip_corpus_judge (clip_corpus_t *self, clip_record_t *rec, const void *sketch, size_t sketch_len)
{
    assert (self);
    assert (rec && rec->id);
    /*  Start from a clean dedupe part: a record may be judged again.  */
    for (size_t i = 0; i < rec->n_matches; i++) {
        free (rec->matches [i].id);
        free (rec->matches [i].file);
    }
    free (rec->matches);
    rec->matches = NULL;
    rec->n_matches = 0;
    rec->has_dedupe = true;

    /*  The id alone decides `duplicate`.  */
    sqlite3_stmt *q = self->find_by_id;
    sqlite3_bind_text (q, 1, rec->id, -1, SQLITE_STATIC);
    int rc = sqlite3_step (q);
    match_t dup = { .row = 0 };
    if (rc == SQLITE_ROW) {
        dup = (match_t) {
            .row = sqlite3_column_int64 (q, 4), .level = 3, .jaccard = 1.0, .containment = 1.0,
            .id = clip_strdup ((const char *) sqlite3_column_text (q, 0)),
            .file = clip_strdup ((const char *) sqlite3_column_text (q, 1)),
            .seq = (uint64_t) sqlite3_column_int64 (q, 2),
            .cluster = clip_strdup ((const char *) sqlite3_column_text (q, 3))
        };
    }
    if (lookup_done (self, q, rc))
        return -1;

    matches_t ms = { NULL, 0, 0 };
    clip_sketch_view_t view;
    int result = 0;
    if (sketch && clip_sketch_parse (sketch, sketch_len, &view) == 0) {
        lookup_t lk;
        lookup_init (&lk, &view);
        if (lk.n_probes > 0
        &&  (verify_hits (self, self->index, rec->id, &view, &lk, &ms)
        ||   verify_hits (self, self->pending, rec->id, &view, &lk, &ms)
        ||   verify_postings (self, rec->id, &view, &lk, &ms)))
            result = -1;
        lookup_free (&lk);
        judge_end (self);
    }
    else
    if (sketch_len > 0 || sketch) {
        char qid [300];
        clip_warn ("corpus_bad_sketch", "id=%s", clip_log_quote (qid, sizeof qid, rec->id));
    }

    if (result == 0) {
        if (ms.n > 1)
            qsort (ms.m, ms.n, sizeof *ms.m, match_cmp);
        clip_verdict_t verdict = dup.id ? CLIP_VERDICT_DUPLICATE
                               : ms.n > 0 && ms.m [0].level == 2 ? CLIP_VERDICT_NEAR_DUPLICATE
                               : ms.n > 0 ? CLIP_VERDICT_RELATED : CLIP_VERDICT_UNIQUE;
        /*  The cluster is that of the earliest article this one copies, so
            a chain of edits stays in the cluster of its first version.  */
        const match_t *first = dup.id ? &dup : NULL;
        for (size_t i = 0; i < ms.n; i++)
            if (ms.m [i].level == 2 && (!first || ms.m [i].row < first->row))
                first = &ms.m [i];
        clip_record_set_verdict (rec, verdict);
        clip_record_set (rec, &rec->cluster, first ? first->cluster : rec->id);
        size_t max = self->settings.max_matches;
        if (dup.id && max > 0) {
            clip_record_add_match (rec, dup.id, dup.file, dup.seq, 1.0, 1.0);
            max--;
        }
        for (size_t i = 0; i < ms.n && i < max; i++)
            clip_record_add_match (rec, ms.m [i].id, ms.m [i].file, ms.m [i].seq,
                                   ms.m [i].jaccard, ms.m [i].containment);
    }
    matches_free (&ms);
    free (dup.id);
    free (dup.file);
    free (dup.cluster);
    return result;
}

int
clip_corpus_stage (clip_corpus_t *self, const clip_record_t *rec,
                   const void *sketch, size_t sketch_len, const void *data, size_t data_len)
{
    assert (self);
    assert (rec && rec->id && rec->cluster);
    clip_sketch_view_t view;
    bool have_sketch = sketch && clip_sketch_parse (sketch, sketch_len, &view) == 0;
    sqlite3_stmt *q = self->insert;
    sqlite3_bind_text (q, 1, rec->id, -1, SQLITE_STATIC);
    sqlite3_bind_text (q, 2, rec->file ? rec->file : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64 (q, 3, (sqlite3_int64) rec->seq);
    sqlite3_bind_text (q, 4, rec->cluster, -1, SQLITE_STATIC);
    if (have_sketch)
        sqlite3_bind_blob (q, 5, sketch, (int) sketch_len, SQLITE_STATIC);
    else
        sqlite3_bind_null (q, 5);
    if (data)
        sqlite3_bind_blob64 (q, 6, data, data_len, SQLITE_STATIC);
    else
        sqlite3_bind_null (q, 6);
    int rc = sqlite3_step (q);
    sqlite3_reset (q);
    sqlite3_clear_bindings (q);
    if (rc != SQLITE_DONE) {
        clip_error ("corpus_stage_failed", "sqlite=\"%s\"", sqlite3_errmsg (self->db));
        return -1;
    }
    sqlite3_int64 row = sqlite3_last_insert_rowid (self->db);
    if (self->staged_rows++ == 0)
        self->first_staged_row = (uint64_t) row;
    self->last_staged_row = (uint64_t) row;
    self->last_staged_id_hash = clip_keysnap_id_hash (rec->id);

    /*  A duplicate adds nothing to the index: its keys are its original's.  */
    bool duplicate = clip_record_verdict (rec) == CLIP_VERDICT_DUPLICATE;
    if (!have_sketch || duplicate || row >= UINT32_MAX)
        return 0;
    uint32_t *keys;
    size_t n_keys;
    uint8_t *blob = keys_blob (&view, &keys, &n_keys);
    if (!blob)
        return 0;
    q = self->insert_keys;
    sqlite3_bind_int64 (q, 1, row);
    sqlite3_bind_int64 (q, 2, view.n);
    sqlite3_bind_blob (q, 3, blob, (int) (4 * n_keys), SQLITE_STATIC);
    rc = sqlite3_step (q);
    sqlite3_reset (q);
    sqlite3_clear_bindings (q);
    free (blob);
    if (rc != SQLITE_DONE) {
        free (keys);
        clip_error ("corpus_stage_failed", "sqlite=\"%s\"", sqlite3_errmsg (self->db));
        return -1;
    }
    if (self->n_staged == self->cap_staged) {
        self->cap_staged = self->cap_staged ? self->cap_staged * 2 : 16;
        self->staged = clip_realloc (self->staged, self->cap_staged * sizeof *self->staged);
    }
    staged_t st = { .item = (uint32_t) (row - 1), .shingles = view.n, .n_keys = n_keys,
                    .keys = keys };
    if (self->postings) {
        uint32_t *others = clip_malloc (view.n * sizeof *others);
        size_t n = others_of (&view, keys, n_keys, others);
        clip_postings_add (self->postings, (uint32_t) row, others, n);
        free (others);
    }
    clip_lsh_insert (self->pending, (uint32_t) self->n_staged, st.shingles, st.keys, st.n_keys);
    self->staged [self->n_staged++] = st;
    recent_put (self, (uint64_t) row, sketch, sketch_len);
    return 0;
}

static void
reset_pending (clip_corpus_t *self)
{
    for (size_t i = 0; i < self->n_staged; i++)
        free (self->staged [i].keys);
    self->n_staged = 0;
    self->staged_rows = 0;
    /*  Emptied, keeping the room the batch took for the next one.  */
    clip_lsh_clear (self->pending);
}

/*  Append the committed rows to the snapshot.  The rows of one transaction
    are consecutive; if they do not follow the rows the snapshot covers,
    another writer committed rows in between, and the snapshot is left as it
    is (the next open reads the rows it lacks from corpus_keys).  */
static void
publish_snapshot (clip_corpus_t *self)
{
    if (!self->snap || self->staged_rows == 0)
        return;
    if (self->first_staged_row != clip_keysnap_last_row (self->snap) + 1
    ||  self->last_staged_row >= UINT32_MAX) {
        clip_info ("corpus_snapshot_stale", "covered=%llu first=%llu",
                   (unsigned long long) clip_keysnap_last_row (self->snap),
                   (unsigned long long) self->first_staged_row);
        clip_keysnap_destroy (&self->snap);
        return;
    }
    for (size_t i = 0; i < self->n_staged; i++)
        clip_keysnap_add (self->snap, self->staged [i].item + 1, self->staged [i].shingles,
                          self->staged [i].keys, self->staged [i].n_keys);
    if (clip_keysnap_commit (self->snap, self->last_staged_row, self->last_staged_id_hash) != 0)
        clip_keysnap_destroy (&self->snap);
}

void
clip_corpus_publish_staged (clip_corpus_t *self)
{
    assert (self);
    for (size_t i = 0; i < self->n_staged; i++)
        clip_lsh_insert (self->index, self->staged [i].item, self->staged [i].shingles,
                         self->staged [i].keys, self->staged [i].n_keys);
    publish_snapshot (self);
    self->size += self->staged_rows;
    reset_pending (self);
    if (self->postings && sqlite3_get_autocommit (self->db))
        clip_postings_write_some (self->postings, CLIP_POSTINGS_FLUSH);   /* kept if it fails */
}

void
clip_corpus_drop_staged (clip_corpus_t *self)
{
    assert (self);
    if (self->postings && self->staged_rows > 0)
        clip_postings_forget (self->postings, (uint32_t) self->first_staged_row);
    if (self->recent && self->staged_rows > 0)
        for (uint64_t row = self->first_staged_row; row <= self->last_staged_row; row++)
            recent_clear (self, row);
    reset_pending (self);
}
