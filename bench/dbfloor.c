/*  bench_dbfloor: the durable writes the pipeline needs and nothing else,
    so that clipd's CPU per article can be read against what SQLite itself
    costs for the same rows (issue 12; bench/README.md).

        bench_dbfloor --src DB --dir DIR [--batch B,...] [--articles N]

    Replays the rows a real clipd wrote (a state database such as the log
    base bench/run keeps in BUILD/bench-seed/log-base-5000/state/clipd.db):
    per article its results row and, where it has them, its
    corpus_articles and corpus_keys rows, into a new database in DIR with
    the same tables and indexes, the same settings as clip_db_open (WAL,
    synchronous=FULL, 16 KiB pages), through prepared statements, B
    articles a transaction.  The rows are read into memory first.  No
    judge, no corpus index, no postings: the floor of the commit.

    Prints per batch size one line: n, batch, cpu_ms (user + system CPU
    per article, getrusage, the COMMITs' fsyncs included) and seconds.
    Exit 0, 1 on a failure (named), 2 bad usage.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench_clock.h"

typedef struct {
    void *bytes;
    int size;
} blob_t;

typedef struct {
    sqlite3_int64 seq, claim;
    blob_t topic, record;
    int has_corpus, has_keys;
    blob_t id, file, cluster, sketch, data, keys;
    sqlite3_int64 shingles;
} row_t;

static const char *schema =
    "CREATE TABLE results (seq INTEGER PRIMARY KEY, claim INTEGER NOT NULL UNIQUE,"
    " topic TEXT NOT NULL, record BLOB NOT NULL);"
    "CREATE TABLE corpus_articles (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL,"
    " file TEXT NOT NULL, seq INTEGER NOT NULL, cluster TEXT NOT NULL, sketch BLOB, data BLOB);"
    "CREATE INDEX corpus_articles_id ON corpus_articles (id);"
    "CREATE TABLE corpus_keys (article INTEGER PRIMARY KEY, shingles INTEGER NOT NULL,"
    " keys BLOB NOT NULL);";

static blob_t
column_copy (sqlite3_stmt *q, int col)
{
    blob_t b = { NULL, sqlite3_column_bytes (q, col) };
    const void *p = sqlite3_column_blob (q, col);
    b.bytes = malloc (b.size ? (size_t) b.size : 1);
    if (!b.bytes)
        abort ();
    if (p)
        memcpy (b.bytes, p, (size_t) b.size);
    return b;
}

static int
fail (sqlite3 *db, const char *what)
{
    fprintf (stderr, "bench_dbfloor: %s: %s\n", what, db ? sqlite3_errmsg (db) : "out of memory");
    return 1;
}

/*  The first `want` articles of the results log of `path`, with their
    corpus rows (joined by seq).  */
static long
rows_load (const char *path, long want, row_t **out)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return -fail (db, path);
    const char *sql =
        "SELECT r.seq, r.claim, r.topic, r.record, a.rowid IS NOT NULL, k.article IS NOT NULL,"
        " a.id, a.file, a.cluster, a.sketch, a.data, k.keys, k.shingles"
        " FROM results r LEFT JOIN corpus_articles a ON a.seq = r.seq"
        " LEFT JOIN corpus_keys k ON k.article = a.rowid ORDER BY r.seq LIMIT ?";
    if (sqlite3_prepare_v2 (db, sql, -1, &q, NULL) != SQLITE_OK)
        return -fail (db, "select");
    sqlite3_bind_int64 (q, 1, want);
    row_t *rows = calloc ((size_t) want, sizeof *rows);
    long n = 0;
    while (sqlite3_step (q) == SQLITE_ROW) {
        row_t *r = &rows[n++];
        r->seq = sqlite3_column_int64 (q, 0);
        r->claim = sqlite3_column_int64 (q, 1);
        r->topic = column_copy (q, 2);
        r->record = column_copy (q, 3);
        r->has_corpus = sqlite3_column_int (q, 4);
        r->has_keys = sqlite3_column_int (q, 5);
        r->id = column_copy (q, 6);
        r->file = column_copy (q, 7);
        r->cluster = column_copy (q, 8);
        r->sketch = column_copy (q, 9);
        r->data = column_copy (q, 10);
        r->keys = column_copy (q, 11);
        r->shingles = sqlite3_column_int64 (q, 12);
    }
    sqlite3_finalize (q);
    sqlite3_close (db);
    *out = rows;
    return n;
}

static int
exec (sqlite3 *db, const char *sql)
{
    return sqlite3_exec (db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : fail (db, sql);
}

static int
step (sqlite3 *db, sqlite3_stmt *q)
{
    int rc = sqlite3_step (q);
    sqlite3_reset (q);
    return rc == SQLITE_DONE ? 0 : fail (db, "insert");
}

/*  One replay of every row, `batch` articles a transaction, into a new
    DIR/floor.db.  */
static int
replay (const char *dir, const row_t *rows, long n, long batch)
{
    char path[4096];
    snprintf (path, sizeof path, "%s/floor.db", dir);
    const char *suffixes[] = { "", "-wal", "-shm" };
    for (int i = 0; i < 3; i++) {
        char p[4200];
        snprintf (p, sizeof p, "%s%s", path, suffixes[i]);
        unlink (p);
    }
    sqlite3 *db;
    if (sqlite3_open (path, &db) != SQLITE_OK)
        return fail (db, path);
    if (exec (db, "PRAGMA page_size=16384") || exec (db, "PRAGMA journal_mode=WAL")
        || exec (db, "PRAGMA synchronous=FULL") || exec (db, schema))
        return 1;
    sqlite3_stmt *ins_result, *ins_article, *ins_keys;
    if (sqlite3_prepare_v2 (db, "INSERT INTO results VALUES (?,?,?,?)", -1, &ins_result, NULL)
        || sqlite3_prepare_v2 (db, "INSERT INTO corpus_articles (id, file, seq, cluster, sketch,"
                               " data) VALUES (?,?,?,?,?,?)", -1, &ins_article, NULL)
        || sqlite3_prepare_v2 (db, "INSERT INTO corpus_keys VALUES (?,?,?)", -1, &ins_keys, NULL))
        return fail (db, "prepare");
    double cpu0 = bench_cpu_s (), t0 = bench_now_s ();
    for (long i = 0; i < n; i += batch) {
        if (exec (db, "BEGIN"))
            return 1;
        for (long j = i; j < i + batch && j < n; j++) {
            const row_t *r = &rows[j];
            sqlite3_bind_int64 (ins_result, 1, r->seq);
            sqlite3_bind_int64 (ins_result, 2, r->claim);
            sqlite3_bind_text (ins_result, 3, r->topic.bytes, r->topic.size, SQLITE_STATIC);
            sqlite3_bind_blob (ins_result, 4, r->record.bytes, r->record.size, SQLITE_STATIC);
            if (step (db, ins_result))
                return 1;
            if (!r->has_corpus)
                continue;
            sqlite3_bind_text (ins_article, 1, r->id.bytes, r->id.size, SQLITE_STATIC);
            sqlite3_bind_text (ins_article, 2, r->file.bytes, r->file.size, SQLITE_STATIC);
            sqlite3_bind_int64 (ins_article, 3, r->seq);
            sqlite3_bind_text (ins_article, 4, r->cluster.bytes, r->cluster.size, SQLITE_STATIC);
            sqlite3_bind_blob (ins_article, 5, r->sketch.bytes, r->sketch.size, SQLITE_STATIC);
            sqlite3_bind_blob (ins_article, 6, r->data.bytes, r->data.size, SQLITE_STATIC);
            if (step (db, ins_article))
                return 1;
            if (!r->has_keys)
                continue;
            sqlite3_bind_int64 (ins_keys, 1, sqlite3_last_insert_rowid (db));
            sqlite3_bind_int64 (ins_keys, 2, r->shingles);
            sqlite3_bind_blob (ins_keys, 3, r->keys.bytes, r->keys.size, SQLITE_STATIC);
            if (step (db, ins_keys))
                return 1;
        }
        if (exec (db, "COMMIT"))
            return 1;
    }
    double cpu = bench_cpu_s () - cpu0, wall = bench_now_s () - t0;
    printf ("n=%ld batch=%ld cpu_ms=%.4f seconds=%.3f\n", n, batch, cpu * 1000 / n, wall);
    sqlite3_finalize (ins_result);
    sqlite3_finalize (ins_article);
    sqlite3_finalize (ins_keys);
    sqlite3_close (db);
    return 0;
}

int
main (int argc, char **argv)
{
    const char *src = NULL, *dir = NULL, *batches = "1,8,16,64";
    long want = 5000;
    static const struct option options[] = {
        { "src", required_argument, NULL, 's' },
        { "dir", required_argument, NULL, 'd' },
        { "batch", required_argument, NULL, 'b' },
        { "articles", required_argument, NULL, 'n' },
        { NULL, 0, NULL, 0 },
    };
    int opt;
    while ((opt = getopt_long (argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 's': src = optarg; break;
        case 'd': dir = optarg; break;
        case 'b': batches = optarg; break;
        case 'n': want = atol (optarg); break;
        default: goto usage;
        }
    }
    if (!src || !dir || want < 1)
        goto usage;
    row_t *rows;
    long n = rows_load (src, want, &rows);
    if (n < 1)
        return 1;
    for (const char *p = batches; *p;) {
        char *end;
        long batch = strtol (p, &end, 10);
        if (end == p || batch < 1 || (*end && *end != ','))
            goto usage;
        if (replay (dir, rows, n, batch))
            return 1;
        p = *end ? end + 1 : end;
    }
    return 0;
usage:
    fprintf (stderr, "usage: bench_dbfloor --src DB --dir DIR [--batch B,...] [--articles N]\n");
    return 2;
}
