/*  bench_wal_frames: where the WAL frames of clipd's group commits go
    (issue 12), by page size and batch size.

    Replays the rows a real clipd wrote (the results log, corpus_articles
    and corpus_keys of a state database, e.g. the log base bench/run keeps
    in BUILD/bench-seed/log-base-5000/state/clipd.db) into a new database
    made by clip_db_open with the tables clipd makes (clip_results_open,
    clip_corpus_open), in transactions of B articles each, as clipd's
    commit thread does: per article one results row, and for an article
    its corpus_articles and corpus_keys rows (the corpus judge only reads;
    the postings are not written in a burst, CLIP_POSTINGS_FLUSH).  After
    each COMMIT the new frames are read back from the -wal file, each
    frame's page number (its header's first word) is named by the b-tree
    that owns the page (the dbstat table), and the frames are counted per
    b-tree.  SQLite checkpoints the WAL as clipd's connection does (the
    default automatic checkpoint at 1,000 pages, run here from the WAL
    hook that replaces it).

    Counts, not times: they do not move with the machine's load.  Prints
    per page size and batch size: frames per article, WAL bytes per
    article, and frames per article by b-tree.  The system calls (pwrite64
    and fdatasync, the WAL's and the checkpoints') are counted from outside,
    e.g. strace -f -c -e trace=pwrite64,fdatasync,fsync.

    Usage: bench_wal_frames --src DB --dir DIR [--base DB] [--page-size P,...]
                            [--batch B,...] [--articles N]
    P 0 means what clip_db_open gives a new database (CLIP_DB_PAGE_SIZE).
    --base DB starts from a copy of that state database (e.g. a corpus of
    100,000 seeded by bench/run in BUILD/bench-seed/100000/state) turned
    to page size P by a VACUUM, and replays src's rows after its own (seq,
    claim and corpus row numbers shifted past its largest): the cost of a
    batch into a large corpus, where each article's id lands on a leaf of
    its own in corpus_articles_id.
    DIR is emptied of clipd.db* and written; N defaults to every row.
*/
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clip_corpus.h"
#include "clip_db.h"
#include "clip_util.h"
#include "results.h"

#define MAX_TREES 32

typedef struct {
    sqlite3 *db;
    char *wal_path;
    int page_size;
    int frames_seen;            /* frames of the WAL already counted */
    uint64_t frames;            /* in all */
    uint64_t commits;
    char *names [MAX_TREES];    /* b-tree names, by first sight */
    uint64_t by_tree [MAX_TREES + 1];   /* the last: pages owned by none */
    int *owner;                 /* page number -> tree index, -1 none */
    size_t n_owner;
    uint32_t *pages;            /* the page of every frame counted */
    size_t n_pages, cap_pages;
} meter_t;

static int
tree_index (meter_t *m, const char *name)
{
    for (int i = 0; i < MAX_TREES; i++) {
        if (!m->names [i]) {
            m->names [i] = clip_strdup (name);
            return i;
        }
        if (strcmp (m->names [i], name) == 0)
            return i;
    }
    return MAX_TREES;
}

/*  Which b-tree owns each page, once at the end (pages change hands only
    through the freelist, which an insert-only replay hardly uses; dbstat
    reads the whole file, too slow to run after every commit of a large
    database).  */
static void
load_owners (meter_t *m)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2 (m->db, "SELECT name, pageno FROM dbstat", -1, &q, NULL) != SQLITE_OK) {
        fprintf (stderr, "bench_wal_frames: dbstat: %s\n", sqlite3_errmsg (m->db));
        exit (1);
    }
    for (size_t i = 0; i < m->n_owner; i++)
        m->owner [i] = -1;
    while (sqlite3_step (q) == SQLITE_ROW) {
        size_t page = (size_t) sqlite3_column_int64 (q, 1);
        if (page >= m->n_owner) {
            size_t n = page * 2 + 64;
            m->owner = clip_realloc (m->owner, n * sizeof *m->owner);
            for (size_t i = m->n_owner; i < n; i++)
                m->owner [i] = -1;
            m->n_owner = n;
        }
        m->owner [page] = tree_index (m, (const char *) sqlite3_column_text (q, 0));
    }
    sqlite3_finalize (q);
}

/*  After a COMMIT: the WAL holds n_frames valid frames; those from
    frames_seen on are this commit's.  */
static int
on_wal (void *arg, sqlite3 *db, const char *name, int n_frames)
{
    (void) db;
    (void) name;
    meter_t *m = arg;
    if (n_frames < m->frames_seen)
        m->frames_seen = 0;     /* the WAL was restarted */
    m->commits++;
    FILE *f = fopen (m->wal_path, "rb");
    if (!f) {
        fprintf (stderr, "bench_wal_frames: %s: %s\n", m->wal_path, strerror (errno));
        exit (1);
    }
    for (int i = m->frames_seen; i < n_frames; i++) {
        unsigned char h [4];
        long off = 32 + (long) i * (24 + m->page_size);
        if (fseek (f, off, SEEK_SET) != 0 || fread (h, 1, 4, f) != 4) {
            fprintf (stderr, "bench_wal_frames: short WAL at frame %d\n", i);
            exit (1);
        }
        size_t page = (size_t) h [0] << 24 | (size_t) h [1] << 16 | (size_t) h [2] << 8 | h [3];
        if (m->n_pages == m->cap_pages) {
            m->cap_pages = m->cap_pages ? m->cap_pages * 2 : 4096;
            m->pages = clip_realloc (m->pages, m->cap_pages * sizeof *m->pages);
        }
        m->pages [m->n_pages++] = (uint32_t) page;
        m->frames++;
    }
    fclose (f);
    m->frames_seen = n_frames;
    /*  What SQLite's automatic checkpoint does (sqlite3_wal_hook replaces
        it): a passive checkpoint once the WAL holds 1,000 frames.  */
    if (n_frames >= 1000) {
        int n_log = 0, n_ckpt = 0;
        sqlite3_wal_checkpoint_v2 (m->db, "main", SQLITE_CHECKPOINT_PASSIVE, &n_log, &n_ckpt);
    }
    return SQLITE_OK;
}

static void
must (sqlite3 *db, const char *sql)
{
    char err [512];
    if (clip_db_exec (db, sql, err, sizeof err)) {
        fprintf (stderr, "bench_wal_frames: %s\n", err);
        exit (1);
    }
}

/*  The largest value of one column of the new database (0: empty).  */
static int64_t
max_of (sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q = NULL;
    int64_t v = 0;
    if (sqlite3_prepare_v2 (db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step (q) == SQLITE_ROW)
        v = sqlite3_column_int64 (q, 0);
    sqlite3_finalize (q);
    return v;
}

static void
run_one (const char *src, const char *base, const char *dir, int page_size, int batch,
         int64_t articles)
{
    char *path = clip_path_join (dir, "clipd.db");
    char *wal = clip_strprintf ("%s-wal", path);
    char *shm = clip_strprintf ("%s-shm", path);
    char *keys = clip_strprintf ("%s.keys", path);
    unlink (path);
    unlink (wal);
    unlink (shm);
    unlink (keys);
    char err [512];
    if (base) {
        /*  A copy of the base, its pages made page_size (or left) by a
            VACUUM, which changes the page size only out of WAL mode.  */
        sqlite3 *pre = NULL;
        char *sql;
        sql = clip_strprintf ("VACUUM base INTO '%s'", path);
        sqlite3_open (":memory:", &pre);
        char *attach = clip_strprintf ("ATTACH 'file:%s?mode=ro' AS base", base);
        must (pre, attach);
        must (pre, sql);
        free (attach);
        free (sql);
        sqlite3_close (pre);
        if (page_size > 0) {
            sqlite3_open (path, &pre);
            sql = clip_strprintf ("PRAGMA journal_mode=DELETE; PRAGMA page_size=%d; VACUUM;"
                                  " PRAGMA journal_mode=WAL;", page_size);
            must (pre, sql);
            free (sql);
            sqlite3_close (pre);
        }
    }
    else
    if (page_size > 0) {
        /*  A database made with that page size: clip_db_open keeps the
            page size of a database that exists.  */
        sqlite3 *pre = NULL;
        char *sql = clip_strprintf ("PRAGMA page_size=%d; PRAGMA journal_mode=WAL;", page_size);
        if (sqlite3_open (path, &pre) != SQLITE_OK) {
            fprintf (stderr, "bench_wal_frames: cannot create %s\n", path);
            exit (1);
        }
        must (pre, sql);
        free (sql);
        sqlite3_close (pre);
    }
    sqlite3 *db = clip_db_open (path, 0, err, sizeof err);
    if (!db) {
        fprintf (stderr, "bench_wal_frames: %s\n", err);
        exit (1);
    }
    clip_results_t *results = clip_results_open (db, err, sizeof err);
    clip_corpus_t *corpus = results ? clip_corpus_open (db, NULL, err, sizeof err) : NULL;
    if (!corpus) {
        fprintf (stderr, "bench_wal_frames: %s\n", err);
        exit (1);
    }
    clip_corpus_destroy (&corpus);
    clip_results_destroy (&results);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2 (db, "PRAGMA page_size", -1, &q, NULL);
    sqlite3_step (q);
    int actual = sqlite3_column_int (q, 0);
    sqlite3_finalize (q);
    must (db, "PRAGMA wal_checkpoint(TRUNCATE)");

    char *attach = clip_strprintf ("ATTACH 'file:%s?mode=ro' AS src", src);
    sqlite3_db_config (db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
    must (db, attach);
    free (attach);
    int64_t total = 0;
    sqlite3_prepare_v2 (db, "SELECT count (*) FROM src.results", -1, &q, NULL);
    if (sqlite3_step (q) == SQLITE_ROW)
        total = sqlite3_column_int64 (q, 0);
    sqlite3_finalize (q);
    if (articles > 0 && articles < total)
        total = articles;

    /*  The rows replayed come after the base's.  */
    int64_t off_seq = max_of (db, "SELECT coalesce (max (seq), 0) FROM main.results");
    int64_t off_claim = max_of (db, "SELECT coalesce (max (claim), 0) FROM main.results");
    int64_t off_row = max_of (db, "SELECT coalesce (max (rowid), 0) FROM main.corpus_articles");
    int64_t base_articles = max_of (db, "SELECT count (*) FROM main.corpus_articles");
    meter_t m = { .db = db, .wal_path = wal, .page_size = actual };
    sqlite3_wal_hook (db, on_wal, &m);
    sqlite3_stmt *ins [3] = { NULL, NULL, NULL };
    const char *sql [3] = {
        "INSERT INTO main.results (seq, claim, topic, record)"
        " SELECT seq + ?3, claim + ?4, topic, record FROM src.results"
        " WHERE seq > ?1 AND seq <= ?2 ORDER BY seq",
        "INSERT INTO main.corpus_articles (rowid, id, file, seq, cluster, sketch, data)"
        " SELECT rowid + ?5, id, file, seq + ?3, cluster, sketch, data FROM src.corpus_articles"
        " WHERE seq > ?1 AND seq <= ?2 ORDER BY rowid",
        "INSERT INTO main.corpus_keys (article, shingles, keys)"
        " SELECT k.article + ?5, k.shingles, k.keys FROM src.corpus_keys k JOIN src.corpus_articles a"
        " ON a.rowid = k.article WHERE a.seq > ?1 AND a.seq <= ?2 ORDER BY k.article"
    };
    for (int i = 0; i < 3; i++)
        if (sqlite3_prepare_v2 (db, sql [i], -1, &ins [i], NULL) != SQLITE_OK) {
            fprintf (stderr, "bench_wal_frames: %s: %s\n", sql [i], sqlite3_errmsg (db));
            exit (1);
        }
    for (int64_t from = 0; from < total; from += batch) {
        int64_t to = from + batch < total ? from + batch : total;
        must (db, "BEGIN IMMEDIATE");
        for (int i = 0; i < 3; i++) {
            sqlite3_bind_int64 (ins [i], 1, from);
            sqlite3_bind_int64 (ins [i], 2, to);
            if (i == 0)
                sqlite3_bind_int64 (ins [i], 4, off_claim);
            else
                sqlite3_bind_int64 (ins [i], 5, off_row);
            if (i < 2)
                sqlite3_bind_int64 (ins [i], 3, off_seq);
            if (sqlite3_step (ins [i]) != SQLITE_DONE) {
                fprintf (stderr, "bench_wal_frames: %s\n", sqlite3_errmsg (db));
                exit (1);
            }
            sqlite3_reset (ins [i]);
        }
        must (db, "COMMIT");
    }
    for (int i = 0; i < 3; i++)
        sqlite3_finalize (ins [i]);

    load_owners (&m);
    for (size_t i = 0; i < m.n_pages; i++) {
        uint32_t page = m.pages [i];
        m.by_tree [page < m.n_owner && m.owner [page] >= 0 ? m.owner [page] : MAX_TREES]++;
    }
    double n = (double) total;
    printf ("page %5d  batch %4d  corpus before %" PRId64 "  articles %" PRId64 "  commits %" PRIu64
            "  frames/article %.3f  WAL bytes/article %.0f\n",
            actual, batch, base_articles, total, m.commits, (double) m.frames / n,
            (double) m.frames * (24 + actual) / n);
    for (int i = 0; i <= MAX_TREES; i++)
        if (m.by_tree [i] > 0)
            printf ("    %-32s %.3f\n", i < MAX_TREES ? m.names [i] : "(free or new)",
                    (double) m.by_tree [i] / n);
    fflush (stdout);
    sqlite3_wal_hook (db, NULL, NULL);
    sqlite3_close (db);
    for (int i = 0; i < MAX_TREES; i++)
        free (m.names [i]);
    free (m.owner);
    free (m.pages);
    free (path);
    free (wal);
    free (shm);
    free (keys);
}

static int
parse_list (const char *s, int *out, int max)
{
    int n = 0;
    char *copy = clip_strdup (s), *save = NULL;
    for (char *t = strtok_r (copy, ",", &save); t && n < max; t = strtok_r (NULL, ",", &save)) {
        char *end;
        long v = strtol (t, &end, 10);
        if (*end || v < 0 || v > 65536) {
            fprintf (stderr, "bench_wal_frames: bad number '%s'\n", t);
            exit (2);
        }
        out [n++] = (int) v;
    }
    free (copy);
    return n;
}

int
main (int argc, char **argv)
{
    const char *src = NULL, *dir = NULL, *base = NULL;
    int pages [8] = { 0 }, batches [16] = { 32 };
    int n_pages = 1, n_batches = 1;
    int64_t articles = 0;
    static const struct option opts [] = {
        { "src", required_argument, NULL, 's' },
        { "dir", required_argument, NULL, 'd' },
        { "base", required_argument, NULL, 'B' },
        { "page-size", required_argument, NULL, 'p' },
        { "batch", required_argument, NULL, 'b' },
        { "articles", required_argument, NULL, 'n' },
        { NULL, 0, NULL, 0 }
    };
    int c;
    while ((c = getopt_long (argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
            case 's': src = optarg; break;
            case 'd': dir = optarg; break;
            case 'B': base = optarg; break;
            case 'p': n_pages = parse_list (optarg, pages, 8); break;
            case 'b': n_batches = parse_list (optarg, batches, 16); break;
            case 'n': articles = strtoll (optarg, NULL, 10); break;
            default:
                fprintf (stderr, "usage: bench_wal_frames --src DB --dir DIR [--base DB] [--page-size P,...]"
                                 " [--batch B,...] [--articles N]\n");
                return 2;
        }
    }
    if (!src || !dir || access (src, R_OK) != 0) {
        fprintf (stderr, "bench_wal_frames: --src DB (readable) and --dir DIR are needed\n");
        return 2;
    }
    for (int i = 0; i < n_pages; i++)
        for (int j = 0; j < n_batches; j++)
            if (batches [j] > 0)
                run_one (src, base, dir, pages [i], batches [j], articles);
    return 0;
}
