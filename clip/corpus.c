/*  clip corpus: import a folder into the corpus, show its figures, and
    explain what two articles share.

        clip corpus import [--state DIR] DIR
        clip corpus stats [--state DIR]
        clip corpus explain [--state DIR] [--min-words N] A B
        clip corpus compact [--state DIR]

    import and compact write, so they take the lock clipd holds on
    STATE/clipd.lock and refuse to run beside a daemon; stats and explain
    only read (SQLite WAL
    lets them run while clipd writes).  explain takes ids, abbreviated to
    any unique prefix, or file names as recorded, and shows the passages
    the two share and those only one has.  The work is the corpus library's (clip_corpus.h, clip_db.h,
    clip_import.h); this file is only the command line.  */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clip_cmd.h"
#include "clip_corpus.h"
#include "clip_db.h"
#include "clip_import.h"
#include "clip_log.h"
#include "clip_opt.h"
#include "clip_sketch.h"
#include "clip_text.h"
#include "clip_utf8.h"
#include "clip_util.h"

#define DEFAULT_STATE "./var"
#define MAX_FILE (64u << 20)
#define BATCH 256

static void
usage (FILE *out)
{
    fprintf (out,
        "Usage: clip corpus import [--state DIR] DIR\n"
        "       clip corpus stats [--state DIR]\n"
        "       clip corpus explain [--state DIR] [--min-words N] A B\n"
        "       clip corpus compact [--state DIR]\n\n"
        "  import   add every file of DIR (in name order) to the corpus, judging each\n"
        "           against the articles before it; refuses while clipd runs\n"
        "  stats    articles, distinct texts, clusters, stored bytes, each explained\n"
        "  explain  the passages two articles share, and those only one of them has\n"
        "           (A's removed, B's added), with byte offsets in each file; A and B\n"
        "           are ids, unique id prefixes, or file names as recorded\n"
        "  compact  rewrite the state database table by table (SQLite VACUUM), so that\n"
        "           it is smaller and corpus_keys contiguous (fast to rebuild the keys\n"
        "           snapshot from); refuses while clipd runs\n\n"
        "  --state DIR      clipd's state folder (default %s)\n"
        "  --min-words N    explain: shortest shared passage shown (default 8 words)\n"
        "  -h, --help       print this help\n",
        DEFAULT_STATE);
}

static void
progress (size_t done, size_t total, uint64_t start_ms)
{
    int width = 40;
    int filled = total ? (int) (done * (size_t) width / total) : width;
    double s = (double) (clip_mono_ms () - start_ms) / 1000.0;
    fprintf (stderr, "\rimporting [%.*s%*s] %zu/%zu  %.0f/s ", filled,
             "########################################", width - filled, "", done, total,
             s > 0 ? done / s : 0.0);
    fflush (stderr);
}

/*  Take the lock clipd holds on STATE/clipd.lock (clip_db_lock_state):
    while clipd runs, it alone writes the state database.  Returns the
    locked descriptor, or -1 after printing why.  */
static int
take_lock (const char *state, const char *cmd, const char *advice)
{
    char err [PATH_MAX + 128];
    int fd = clip_db_lock_state (state, err, sizeof err);
    if (fd < 0)
        fprintf (stderr, "clip: corpus %s: %s%s%s\n", cmd, err, fd == -EWOULDBLOCK ? "; " : "",
                 fd == -EWOULDBLOCK ? advice : "");
    return fd < 0 ? -1 : fd;
}

typedef struct {
    bool tty;
    uint64_t start_ms;
} import_view_t;

static void
on_imported (size_t done, size_t total, const char *name, const char *skipped, void *arg)
{
    import_view_t *view = arg;
    if (skipped)
        fprintf (stderr, "%sclip: corpus import: skipped %s: %s\n", view->tty ? "\n" : "",
                 name, skipped);
    if (view->tty && (done % 16 == 0 || done == total || skipped))
        progress (done, total, view->start_ms);
}

static int
cmd_import (const char *state, const char *dir)
{
    int rc = clip_mkdirs (state, 0755);
    if (rc) {
        fprintf (stderr, "clip: corpus import: cannot create %s: %s\n", state, strerror (-rc));
        return 1;
    }
    int lock_fd = take_lock (state, "import", "stop clipd first, or drop the files into its inbox");
    if (lock_fd < 0)
        return 1;
    char err [512] = "";
    char *db_path = clip_path_join (state, "clipd.db");
    sqlite3 *db = clip_db_open (db_path, 0, err, sizeof err);
    free (db_path);
    clip_corpus_t *corpus = db ? clip_corpus_open (db, NULL, err, sizeof err) : NULL;
    int status = 0;
    if (!corpus) {
        fprintf (stderr, "clip: corpus import: %s\n", err);
        status = 1;
    }
    else {
        import_view_t view = { isatty (STDERR_FILENO), clip_mono_ms () };
        clip_import_stats_t st;
        rc = clip_corpus_import_dir (corpus, db, dir, MAX_FILE, BATCH, on_imported, &view,
                                     &st, err, sizeof err);
        if (view.tty)
            fputc ('\n', stderr);
        if (rc != 0) {
            fprintf (stderr, "clip: corpus import: %s\n", err);
            status = 1;
        }
        else
            printf ("imported %zu files from %s: %zu unique, %zu related, %zu near_duplicate, "
                    "%zu duplicate, %zu skipped; the corpus holds %llu articles\n",
                    st.imported, dir, st.verdicts [0], st.verdicts [1], st.verdicts [2],
                    st.verdicts [3], st.skipped, (unsigned long long) clip_corpus_size (corpus));
    }
    clip_corpus_destroy (&corpus);
    if (db)
        sqlite3_close (db);
    close (lock_fd);
    return status;
}

static sqlite3 *
open_read_only (const char *state, const char *cmd)
{
    char err [512] = "";
    char *db_path = clip_path_join (state, "clipd.db");
    struct stat st;
    sqlite3 *db = NULL;
    if (stat (db_path, &st) != 0)
        fprintf (stderr, "clip: corpus %s: no state database at %s\n", cmd, db_path);
    else
    if (!(db = clip_db_open (db_path, 1, err, sizeof err)))
        fprintf (stderr, "clip: corpus %s: %s\n", cmd, err);
    free (db_path);
    return db;
}

static int
cmd_stats (const char *state)
{
    sqlite3 *db = open_read_only (state, "stats");
    if (!db)
        return 1;
    sqlite3_stmt *q = NULL;
    const char *sql =
        "SELECT count(*), count(DISTINCT id), count(DISTINCT cluster),"
        " coalesce(sum(length(data)), 0), coalesce(avg(length(sketch)), 0),"
        " (SELECT count(*) FROM corpus_keys),"
        " (SELECT coalesce(sum(length(keys)), 0) / 4 FROM corpus_keys),"
        " (SELECT count(*) FROM (SELECT cluster FROM corpus_articles"
        "   GROUP BY cluster HAVING count(DISTINCT id) > 1)),"
        " (SELECT count(*) FROM corpus_articles WHERE seq = 0)"
        " FROM corpus_articles";
    if (sqlite3_prepare_v2 (db, sql, -1, &q, NULL) != SQLITE_OK || sqlite3_step (q) != SQLITE_ROW) {
        fprintf (stderr, "clip: corpus stats: no corpus in %s (%s)\n", state, sqlite3_errmsg (db));
        sqlite3_finalize (q);
        sqlite3_close (db);
        return 1;
    }
    long long articles = sqlite3_column_int64 (q, 0);
    long long indexed = sqlite3_column_int64 (q, 5);
    long long keys = sqlite3_column_int64 (q, 6);
    printf ("articles          %lld (%lld seeded, %lld from the inbox)\n", articles,
            sqlite3_column_int64 (q, 8), articles - sqlite3_column_int64 (q, 8));
    printf ("distinct texts    %lld\n", sqlite3_column_int64 (q, 1));
    printf ("clusters          %lld (%lld with copies)\n", sqlite3_column_int64 (q, 2),
            sqlite3_column_int64 (q, 7));
    printf ("indexed           %lld articles, %.1f keys each\n", indexed,
            indexed ? (double) keys / indexed : 0.0);
    printf ("stored bytes      %lld (files as received)\n", sqlite3_column_int64 (q, 3));
    printf ("sketch bytes      %.0f on average\n", sqlite3_column_double (q, 4));
    printf ("\n"
        "articles          every stored article, one per file: seeded ones were imported\n"
        "                  (clip corpus import, or clipd's --corpus folder at first start),\n"
        "                  the others came through clipd's inbox\n"
        "distinct texts    articles whose normalised text differs (an id is the hash of\n"
        "                  it): exact copies share one\n"
        "clusters          groups of copies: an article judged duplicate or near_duplicate\n"
        "                  joins the cluster of the article it copies; \"with copies\" are\n"
        "                  clusters of more than one distinct text\n"
        "indexed           articles in the index that finds candidate copies, and the\n"
        "                  index keys (sampled shingles of %d words) stored per article\n"
        "stored bytes      the files as received, kept so that clip corpus explain can\n"
        "                  show passages\n"
        "sketch bytes      an article's similarity sketch (its word shingles, hashed), by\n"
        "                  which jaccard and containment are computed\n", CLIP_SKETCH_SHINGLE);
    sqlite3_finalize (q);
    sqlite3_close (db);
    return 0;
}

/*  One article for explain: its row, decoded text, words and shingles.  */
typedef struct {
    char *id;
    char *file;
    char *data;
    size_t len;
    clip_text_t *text;
    clip_sketch_word_t *words;
    size_t n_words;
    uint32_t *shingles;         /* shingle i starts at word i */
    size_t n_shingles;
    size_t width;               /* words in a shingle */
} side_t;

/*  Rows of corpus_articles for an id prefix (a non-empty hex string) or,
    failing that, for a file name as recorded (the record's "file").  */
static int
find_rows (sqlite3 *db, const char *key, bool by_file, side_t *side)
{
    sqlite3_stmt *q = NULL;
    const char *sql = by_file
        ? "SELECT id, file, data FROM corpus_articles WHERE file = ?1 ORDER BY rowid"
        : "SELECT id, file, data FROM corpus_articles WHERE id >= ?1"
          " AND id < ?1 || 'g' ORDER BY rowid";
    if (sqlite3_prepare_v2 (db, sql, -1, &q, NULL) != SQLITE_OK) {
        fprintf (stderr, "clip: corpus explain: %s\n", sqlite3_errmsg (db));
        return -1;
    }
    sqlite3_bind_text (q, 1, key, -1, SQLITE_STATIC);
    int found = 0;
    while (sqlite3_step (q) == SQLITE_ROW) {
        const char *id = (const char *) sqlite3_column_text (q, 0);
        if (found && strcmp (id, side->id) != 0) {
            fprintf (stderr, "clip: corpus explain: %s is ambiguous (%s, %s): give more of "
                     "the id\n", key, side->id, id);
            found = -1;
            break;
        }
        if (found)
            continue;           /* a duplicate row of the same text */
        found = 1;
        side->id = clip_strdup (id);
        side->file = clip_strdup ((const char *) sqlite3_column_text (q, 1));
        side->len = (size_t) sqlite3_column_bytes (q, 2);
        side->data = clip_malloc (side->len + 1);
        if (side->len)
            memcpy (side->data, sqlite3_column_blob (q, 2), side->len);
    }
    sqlite3_finalize (q);
    return found;
}

static int
load_side (sqlite3 *db, const char *key, side_t *side)
{
    bool hex = *key && strspn (key, "0123456789abcdef") == strlen (key);
    int found = hex ? find_rows (db, key, false, side) : 0;
    if (found == 0)
        found = find_rows (db, key, true, side);
    if (found == 0)
        fprintf (stderr, "clip: corpus explain: no article %s in the corpus (give an id, an id "
                 "prefix, or a file name as recorded)\n", key);
    if (found != 1)
        return -1;
    side->text = clip_text_decode (side->data, side->len);
    side->n_words = clip_sketch_words (side->text->utf8, side->text->len, &side->words);
    side->width = side->n_words < CLIP_SKETCH_SHINGLE ? side->n_words : CLIP_SKETCH_SHINGLE;
    side->n_shingles = side->n_words == 0 ? 0 : side->n_words - side->width + 1;
    side->shingles = clip_malloc ((side->n_shingles + 1) * sizeof *side->shingles);
    for (size_t i = 0; i < side->n_shingles; i++)
        side->shingles [i] = clip_sketch_shingle (side->words + i, side->width);
    return 0;
}

static void
free_side (side_t *side)
{
    free (side->id);
    free (side->file);
    free (side->data);
    clip_text_destroy (&side->text);
    free (side->words);
    free (side->shingles);
}

typedef struct {
    uint32_t hash;
    uint32_t pos;
} spos_t;

static int
cmp_spos (const void *a, const void *b)
{
    const spos_t *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void
print_excerpt (const side_t *s, size_t from, size_t to)
{
    const char *t = s->text->utf8;
    size_t max = 160;
    putchar ('"');
    size_t end = from + clip_utf8_cut (t + from, to - from, max);
    for (size_t i = from; i < end; i++)
        putchar (t [i] == '\n' || t [i] == '\r' || t [i] == '\t' ? ' ' : t [i]);
    printf ("%s\"\n", end < to ? "..." : "");
}

/*  The runs of side's words outside every shared passage (cov false):
    what the other article does not have.  Shows the first DIFFS_SHOWN.
    Returns the words in them.  */
#define DIFFS_SHOWN 20

static size_t
print_differences (const side_t *side, const bool *cov, const char *name, const char *what)
{
    size_t runs = 0, words = 0;
    for (size_t i = 0; i < side->n_words;) {
        if (cov [i]) {
            i++;
            continue;
        }
        size_t end = i;
        while (end < side->n_words && !cov [end])
            end++;
        runs++;
        words += end - i;
        if (runs <= DIFFS_SHOWN) {
            size_t from = side->words [i].start, to = side->words [end - 1].end;
            printf ("\nonly in %s (%s), %zu word%s:\n  %s bytes %zu-%zu  ", name, what, end - i,
                    end - i == 1 ? "" : "s", name, clip_text_orig_offset (side->text, from),
                    clip_text_orig_offset (side->text, to));
            print_excerpt (side, from, to);
        }
        i = end;
    }
    if (runs > DIFFS_SHOWN)
        printf ("\n(%zu more passages only in %s not shown)\n", runs - DIFFS_SHOWN, name);
    return words;
}

static int
cmd_explain (const char *state, const char *id1, const char *id2, size_t min_words)
{
    sqlite3 *db = open_read_only (state, "explain");
    if (!db)
        return 1;
    side_t a = { 0 }, b = { 0 };
    int status = 0;
    if (load_side (db, id1, &a) || load_side (db, id2, &b)) {
        status = 1;
        goto done;
    }
    /*  Scores, the same as the verdicts use.  */
    size_t an, bn;
    char *na = clip_text_normalise (a.text->utf8, a.text->len, &an);
    char *nb = clip_text_normalise (b.text->utf8, b.text->len, &bn);
    void *ska, *skb;
    size_t la, lb;
    clip_sketch_compute (na, an, &ska, &la);
    clip_sketch_compute (nb, bn, &skb, &lb);
    clip_sketch_view_t va, vb;
    clip_sketch_parse (ska, la, &va);
    clip_sketch_parse (skb, lb, &vb);
    double j, c;
    uint32_t shared;
    clip_sketch_compare (&va, &vb, &j, &c, &shared);
    printf ("A %s %s (%zu bytes, %u shingles)\n", a.id, a.file, a.len, va.n);
    printf ("B %s %s (%zu bytes, %u shingles)\n", b.id, b.file, b.len, vb.n);
    printf ("jaccard %.3f containment %.3f (%u shared shingles)\n", j, c, shared);
    free (na);
    free (nb);
    free (ska);
    free (skb);

    /*  Passages: maximal runs of consecutive shingles of A found
        consecutively in B, longest match first at each place in A.  */
    spos_t *index = clip_malloc ((b.n_shingles + 1) * sizeof *index);
    for (size_t i = 0; i < b.n_shingles; i++)
        index [i] = (spos_t) { b.shingles [i], (uint32_t) i };
    qsort (index, b.n_shingles, sizeof *index, cmp_spos);
    size_t passages = 0, shown_words = 0, a_done = 0;
    /*  Words inside a shown passage, on each side: the rest is what
        differs.  */
    bool *a_cov = clip_calloc (a.n_words + 1, sizeof *a_cov);
    bool *b_cov = clip_calloc (b.n_words + 1, sizeof *b_cov);
    for (size_t i = 0; i < a.n_shingles;) {
        spos_t key = { a.shingles [i], 0 };
        size_t lo = 0, hi = b.n_shingles;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (cmp_spos (&index [mid], &key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t best_len = 0, best_j = 0;
        for (size_t k = lo; k < b.n_shingles && index [k].hash == key.hash; k++) {
            size_t jj = index [k].pos, len = 0;
            while (i + len < a.n_shingles && jj + len < b.n_shingles
                   && a.shingles [i + len] == b.shingles [jj + len])
                len++;
            if (len > best_len) {
                best_len = len;
                best_j = jj;
            }
        }
        if (best_len == 0) {
            i++;
            continue;
        }
        /*  Consecutive runs overlap by up to two words (a shingle that
            differs still shares words with the run before): start after
            the words already shown.  */
        size_t from = i, words = best_len + a.width - 1, end = i + words;
        size_t skip = a_done > from ? a_done - from : 0;
        if (skip > words)
            skip = words;
        from += skip;
        best_j += skip;
        words -= skip;
        if (end > a_done)
            a_done = end;
        if (words >= min_words) {
            size_t as = a.words [from].start, ae = a.words [from + words - 1].end;
            size_t bs = b.words [best_j].start, be = b.words [best_j + words - 1].end;
            passages++;
            shown_words += words;
            for (size_t k = 0; k < words; k++) {
                a_cov [from + k] = true;
                b_cov [best_j + k] = true;
            }
            printf ("\npassage %zu: %zu words\n", passages, words);
            printf ("  A bytes %zu-%zu  ", clip_text_orig_offset (a.text, as),
                    clip_text_orig_offset (a.text, ae));
            print_excerpt (&a, as, ae);
            printf ("  B bytes %zu-%zu  ", clip_text_orig_offset (b.text, bs),
                    clip_text_orig_offset (b.text, be));
            print_excerpt (&b, bs, be);
        }
        i += best_len;
    }
    printf ("\n%zu passages of %zu words or more (%zu words of A's %zu)\n", passages,
            min_words, shown_words, a.n_words);
    size_t removed = print_differences (&a, a_cov, "A", "removed");
    size_t added = print_differences (&b, b_cov, "B", "added");
    printf ("\n%zu words of A are not in B (removed), %zu words of B are not in A (added)\n",
            removed, added);
    free (a_cov);
    free (b_cov);
    free (index);
done:
    free_side (&a);
    free_side (&b);
    sqlite3_close (db);
    return status;
}


static int
cmd_compact (const char *state)
{
    char *db_path = clip_path_join (state, "clipd.db");
    struct stat st;
    if (stat (db_path, &st) != 0) {
        fprintf (stderr, "clip: corpus compact: no state database at %s\n", db_path);
        free (db_path);
        return 1;
    }
    int lock_fd = take_lock (state, "compact", "stop clipd first");
    if (lock_fd < 0) {
        free (db_path);
        return 1;
    }
    char err [512] = "";
    int status = 0;
    uint64_t start = clip_mono_ms ();
    off_t before = st.st_size;
    sqlite3 *db = clip_db_open (db_path, 0, err, sizeof err);
    /*  Articles are written with their index keys, so the pages of
        corpus_keys end up spread through the file, and rebuilding the keys
        snapshot (clip_keysnap) from a cold disk reads them one by one;
        VACUUM stores each table contiguously.  Rowids are kept, so the
        snapshot stays valid.  */
    if (!db || clip_db_exec (db, "VACUUM", err, sizeof err)
    ||  clip_db_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", err, sizeof err)) {
        fprintf (stderr, "clip: corpus compact: %s\n", err);
        status = 1;
    }
    if (db)
        sqlite3_close (db);
    if (status == 0 && stat (db_path, &st) == 0)
        printf ("compacted %s in %.1f s: %lld bytes before, %lld after\n", db_path,
                (double) (clip_mono_ms () - start) / 1000.0, (long long) before,
                (long long) st.st_size);
    close (lock_fd);
    free (db_path);
    return status;
}

static const char *const s_commands [] = { "import", "stats", "explain", "compact" };

int
clip_corpus_main (int argc, char **argv)
{
    assert (argc >= 1);
    if (argc < 2) {
        usage (stderr);
        return 2;
    }
    if (strcmp (argv [1], "--help") == 0 || strcmp (argv [1], "-h") == 0
    ||  strcmp (argv [1], "help") == 0) {
        usage (stdout);
        return 0;
    }
    const char *cmd = argv [1];
    bool known = false;
    for (size_t i = 0; i < sizeof s_commands / sizeof s_commands [0]; i++)
        known |= strcmp (cmd, s_commands [i]) == 0;
    if (!known)
        return clip_opt_usage_error ("corpus", "unknown %s '%s' (commands: import, stats, "
                                     "explain, compact)", cmd [0] == '-' ? "option" : "command",
                                     cmd);
    /*  Messages name the command: "clip: corpus explain: ...".  */
    char name [32];
    snprintf (name, sizeof name, "corpus %s", cmd);
    bool explain = strcmp (cmd, "explain") == 0;
    const char *state = DEFAULT_STATE;
    size_t min_words = 8;
    enum { O_STATE = 1000, O_MIN_WORDS };
    static const struct option opts [] = {
        { "state", required_argument, NULL, O_STATE },
        { "min-words", required_argument, NULL, O_MIN_WORDS },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    /*  Parse after the subcommand (argv [0] is then its name).  */
    argc--;
    argv++;
    clip_opt_begin ();
    int c;
    while ((c = clip_opt_next (name, argc, argv, "h", opts)) != -1) {
        switch (c) {
            case O_STATE: state = optarg; break;
            case O_MIN_WORDS: {
                if (!explain)
                    return clip_opt_usage_error (name, "--min-words is an option of explain only");
                char *end;
                errno = 0;
                long v = strtol (optarg, &end, 10);
                if (errno || end == optarg || *end || v < 1 || v > 100000)
                    return clip_opt_usage_error (name, "--min-words wants a number from 1 to "
                                                 "100000, not '%s'", optarg);
                min_words = (size_t) v;
                break;
            }
            case 'h': usage (stdout); return 0;
            default: return 2;
        }
    }
    int rest = argc - optind;
    int want = explain ? 2 : strcmp (cmd, "import") == 0 ? 1 : 0;
    if (rest > want)
        return clip_opt_usage_error (name, "unexpected argument '%s'", argv [optind + want]);
    if (rest < want)
        return clip_opt_usage_error (name, "%s", explain ? "needs two articles: A B (ids, "
                                     "id prefixes or file names)" : "needs the folder to import");
    if (strcmp (cmd, "import") == 0)
        return cmd_import (state, argv [optind]);
    if (strcmp (cmd, "stats") == 0)
        return cmd_stats (state);
    if (strcmp (cmd, "compact") == 0)
        return cmd_compact (state);
    return cmd_explain (state, argv [optind], argv [optind + 1], min_words);
}
