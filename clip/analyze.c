/*  clip analyze: analyse files without a daemon, one JSON line per file.

    Owns an analyzer and a corpus for the length of one run.  Each file is
    analysed as a worker would, judged against the corpus as clipd would, and
    then staged into that corpus, so that a later file on the command line is
    judged against the earlier ones too.  The corpus is either

      - temporary (--corpus DIR|none): an in-memory SQLite database seeded
        with DIR's articles exactly as clipd seeds an empty state, or
      - a state directory's (--state DIR): STATE/clipd.db.  With --add each
        file is committed on its own, as clipd does; --add writes the state
        database, so, like clip corpus import and compact, it holds the lock
        a running clipd holds on the state folder (clip_db_lock_state) for
        the whole run, and refuses while clipd runs: clipd alone judges and
        writes its corpus.  Without --add the
        stored corpus must not change, and a running clipd must not be held
        up: the database is opened read-only and the corpus tables are copied
        into TEMP tables of the same names, which shadow them for every
        unqualified statement of clip_corpus.  Nothing can then reach the
        file, and no write lock is ever taken on it.

    Without --add, every file is staged inside one transaction that is rolled
    back at the end (clip_corpus judges against staged, uncommitted articles
    as well, through its pending index and its id lookup on the same
    connection).

    Records carry no seq and no times (has_seq and has_times false): they
    were never in a results log.  The file field is the path as given; a
    folder stands for every file under it (recursively, in name order,
    hidden names and symlinked folders skipped), each with its path under
    the folder as given; "-" reads one article from standard input (file
    "-").

    On a terminal (stderr) a run that lasts more than PROGRESS_AFTER_MS
    shows a progress bar with the rate and the time left on stderr;
    nothing is drawn when stderr is not a terminal.
*/
#include <errno.h>
#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clip_analyze.h"
#include "clip_cmd.h"
#include "clip_corpus.h"
#include "clip_datadir.h"
#include "clip_db.h"
#include "clip_import.h"
#include "clip_log.h"
#include "clip_opt.h"
#include "clip_record.h"
#include "clip_util.h"

/*  clipd's default --max-bytes: a file clipd would refuse is refused here
    with the same error.  */
#define MAX_BYTES 10485760
/*  Folders deeper than this are not entered (a loop of bind mounts).  */
#define MAX_DEPTH 64
/*  The progress bar appears once a run has lasted this long, and is
    redrawn at most this often.  */
#define PROGRESS_AFTER_MS 2000
#define PROGRESS_EVERY_MS 200

typedef struct {
    const char *state;          /* --state, or NULL */
    const char *corpus_dir;     /* --corpus, or NULL for the default */
    const char *data_dir;
    bool add;
    sqlite3 *db;
    clip_corpus_t *corpus;
    clip_analyzer_t *analyzer;
    bool in_transaction;        /* the rollback transaction (no --add) */
    int lock_fd;                /* STATE/clipd.lock, held with --add; else -1 */
    const char *max_entities;   /* --max-entities, or NULL for the default */
} analyze_t;

/*  A count of entities: digits only.  */
static bool
max_entities_parse (const char *s, size_t *out)
{
    uint64_t v;
    if (clip_opt_uint (s, 0, SIZE_MAX, &v) != 0)
        return false;
    if (out)
        *out = (size_t) v;
    return true;
}

static void
usage (FILE *out)
{
    fprintf (out,
        "Usage: clip analyze [--state DIR | --corpus DIR|none] [--add] [--data-dir DIR]\n"
        "                    [--max-entities N] FILE|FOLDER|-...\n"
        "\n"
        "Analyse files without a daemon and print one JSON result per file, each judged\n"
        "against the corpus and against the files before it on the command line.  A\n"
        "FOLDER stands for every file under it (recursively, in name order; hidden\n"
        "names skipped); - reads one article from standard input.  The records have no\n"
        "seq, received or done.  On a terminal, a long run shows its progress, rate and\n"
        "time left on stderr.\n"
        "\n"
        "Options:\n"
        "  --corpus DIR     judge against a temporary corpus loaded from DIR's articles\n"
        "                   (default: the shipped Huawei corpus); 'none': an empty one\n"
        "  --state DIR      judge against the corpus of clipd's state directory DIR\n"
        "                   (DIR/clipd.db); it is left unchanged unless --add\n"
        "  --add            with --state: add the analysed files to the stored corpus;\n"
        "                   refuses while a clipd runs on DIR\n"
        "  --data-dir DIR   where the NER model and the shipped corpus live\n"
        "                   (default %s)\n"
        "  --max-entities N keep at most N entities per record, the first in text order,\n"
        "                   and mark a record cut so with entities_truncated (default %d)\n"
        "  -h, --help       print this help\n"
        "\n"
        "A file that cannot be read gives a failed record (error code 'unreadable', or\n"
        "'not_a_file' for a directory).  Exit status: 0 every file was analysed (failed\n"
        "records included), 1 the corpus or the analyzer could not be set up, 2 bad usage.\n",
        clip_datadir_default (), CLIP_ANALYZE_MAX_ENTITIES);
}

static int
exec_sql (analyze_t *self, const char *sql)
{
    char err [256];
    if (clip_db_exec (self->db, sql, err, sizeof err) != 0) {
        fprintf (stderr, "clip: analyze: %s: %s\n", sql, err);
        return -1;
    }
    return 0;
}

/*  Stage an analysed, judged article, committing it when this run commits
    per file (temporary corpus seeding, --add).  */
static int
store (analyze_t *self, const clip_record_t *rec, const void *sketch, size_t sketch_len,
       const void *data, size_t len, bool commit)
{
    if (commit && exec_sql (self, "BEGIN IMMEDIATE") != 0)
        return -1;
    if (clip_corpus_stage (self->corpus, rec, sketch, sketch_len, data, len) != 0) {
        if (commit) {
            exec_sql (self, "ROLLBACK");
            clip_corpus_drop_staged (self->corpus);
        }
        return -1;
    }
    if (commit) {
        if (exec_sql (self, "COMMIT") != 0) {
            exec_sql (self, "ROLLBACK");
            clip_corpus_drop_staged (self->corpus);
            return -1;
        }
        clip_corpus_publish_staged (self->corpus);
    }
    return 0;
}

/*  Load dir's articles into the (empty, temporary) corpus, as clipd seeds
    an empty state.  */
static int
seed (analyze_t *self, const char *dir)
{
    char err [512];
    clip_import_stats_t stats;
    if (clip_corpus_import_dir (self->corpus, self->db, dir, MAX_BYTES, 256, NULL, NULL,
                                &stats, err, sizeof err) != 0) {
        fprintf (stderr, "clip: analyze: corpus %s: %s\n", dir, err);
        return -1;
    }
    clip_debug ("corpus_seeded", "dir=%s articles=%zu", dir, stats.imported);
    return 0;
}

/*  Copy every corpus_ table (and its indexes) of the read-only main
    database into a TEMP table of the same name and schema, in one read
    transaction so that the copy is a consistent snapshot.  The schema is
    read from sqlite_master rather than repeated here, so that it follows
    clip_corpus.c.  */
static int
shadow_corpus (analyze_t *self)
{
    if (exec_sql (self, "BEGIN") != 0)
        return -1;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2 (self->db,
        "SELECT type, name, sql FROM main.sqlite_master"
        " WHERE name LIKE 'corpus\\_%' ESCAPE '\\' AND sql IS NOT NULL"
        " ORDER BY type = 'index', rowid", -1, &q, NULL) == SQLITE_OK ? 0 : -1;
    int tables = 0;
    while (rc == 0 && sqlite3_step (q) == SQLITE_ROW) {
        const char *type = (const char *) sqlite3_column_text (q, 0);
        const char *name = (const char *) sqlite3_column_text (q, 1);
        const char *sql = (const char *) sqlite3_column_text (q, 2);
        char *copy = NULL;
        if (strcmp (type, "table") == 0 && strncmp (sql, "CREATE TABLE ", 13) == 0) {
            copy = clip_strprintf ("CREATE TEMP TABLE %s", sql + 13);
            rc = exec_sql (self, copy);
            free (copy);
            copy = clip_strprintf ("INSERT INTO temp.\"%s\" SELECT * FROM main.\"%s\"", name, name);
            tables++;
        }
        else
        if (strcmp (type, "index") == 0 && strncmp (sql, "CREATE INDEX ", 13) == 0)
            copy = clip_strprintf ("CREATE INDEX temp.%s", sql + 13);
        else
        if (strcmp (type, "index") == 0 && strncmp (sql, "CREATE UNIQUE INDEX ", 20) == 0)
            copy = clip_strprintf ("CREATE UNIQUE INDEX temp.%s", sql + 20);
        if (rc == 0 && copy)
            rc = exec_sql (self, copy);
        free (copy);
    }
    if (rc != 0)
        fprintf (stderr, "clip: analyze: cannot copy the stored corpus: %s\n",
                 sqlite3_errmsg (self->db));
    sqlite3_finalize (q);
    if (rc == 0 && tables == 0) {
        fprintf (stderr, "clip: analyze: %s/clipd.db holds no corpus\n", self->state);
        rc = -1;
    }
    if (exec_sql (self, rc == 0 ? "COMMIT" : "ROLLBACK") != 0)
        rc = -1;
    return rc;
}

static int
setup (analyze_t *self)
{
    char err [512];
    char *me = clip_process_name ();
    self->analyzer = clip_analyzer_new (self->data_dir, me, err, sizeof err);
    free (me);
    if (!self->analyzer) {
        fprintf (stderr, "clip: analyze: %s\n", err);
        return -1;
    }
    size_t max_entities;
    if (self->max_entities && max_entities_parse (self->max_entities, &max_entities))
        clip_analyzer_set_max_entities (self->analyzer, max_entities);
    if (self->state) {
        char *path = clip_path_join (self->state, "clipd.db");
        struct stat st;
        if (stat (path, &st) != 0) {
            /*  Opening would create an empty database: refuse instead, a
                mistyped --state is far likelier than a wish for nothing.  */
            fprintf (stderr, "clip: analyze: no state database %s: %s\n", path, strerror (errno));
            free (path);
            return -1;
        }
        if (self->add) {
            self->lock_fd = clip_db_lock_state (self->state, err, sizeof err);
            if (self->lock_fd < 0) {
                fprintf (stderr, "clip: analyze: %s%s\n", err,
                         self->lock_fd == -EWOULDBLOCK
                         ? "; --add refuses while clipd runs: stop clipd first, or drop the"
                           " files into its inbox" : "");
                free (path);
                return -1;
            }
        }
        self->db = clip_db_open (path, !self->add, err, sizeof err);
        free (path);
        if (self->db && !self->add && shadow_corpus (self) != 0)
            return -1;
    }
    else
        self->db = clip_db_open (":memory:", 0, err, sizeof err);
    if (!self->db) {
        fprintf (stderr, "clip: analyze: %s\n", err);
        return -1;
    }
    clip_corpus_settings_t settings;
    clip_corpus_settings_default (&settings);
    self->corpus = clip_corpus_open (self->db, &settings, err, sizeof err);
    if (!self->corpus) {
        fprintf (stderr, "clip: analyze: %s\n", err);
        return -1;
    }
    if (!self->state) {
        const char *dir = self->corpus_dir;
        char *fallback = NULL;
        if (!dir)
            dir = fallback = clip_datadir_path (self->data_dir, CLIP_DATA_HUAWEI);
        int rc = strcmp (dir, "none") == 0 ? 0 : seed (self, dir);
        free (fallback);
        if (rc != 0)
            return -1;
    }
    /*  Without --add nothing may reach the stored corpus: one transaction
        holds every staged file and is rolled back at the end.  IMMEDIATE
        takes the write lock now, so staging cannot fail half-way with
        SQLITE_BUSY.  A temporary corpus needs no commit either.  */
    if (!self->add) {
        if (exec_sql (self, "BEGIN IMMEDIATE") != 0)
            return -1;
        self->in_transaction = true;
    }
    return 0;
}

static clip_record_t *
failed_record (const char *file, clip_error_t code, const char *message)
{
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->file, file);
    clip_record_fail (rec, code, message);
    return rec;
}

/*  Analyse, judge and stage data, read from path.  Returns its record
    (caller owns) or NULL when the corpus failed (a SQLite error: setup
    trouble, not the file's).  */
static clip_record_t *
analyze_data (analyze_t *self, const char *path, const char *data, size_t len)
{
    void *sketch = NULL;
    size_t sketch_len = 0;
    clip_record_t *rec = clip_analyzer_run (self->analyzer, path, data, len, &sketch, &sketch_len);
    rec->has_seq = false;
    rec->seq = 0;
    rec->has_times = false;
    if (clip_record_status (rec) == CLIP_STATUS_OK
    &&  (clip_corpus_judge (self->corpus, rec, sketch, sketch_len) != 0
    ||   store (self, rec, sketch, sketch_len, data, len, self->add) != 0)) {
        clip_opt_error ("analyze", "the corpus failed on %s", path);
        clip_record_destroy (&rec);
    }
    free (sketch);
    return rec;
}

/*  Standard input, up to MAX_BYTES, as the article "-".  */
static clip_record_t *
analyze_stdin (analyze_t *self)
{
    size_t cap = 65536, len = 0;
    char *data = clip_malloc (cap);
    for (;;) {
        if (len == cap) {
            if (cap > MAX_BYTES)
                break;
            cap *= 2;
            data = clip_realloc (data, cap);
        }
        ssize_t n = read (STDIN_FILENO, data + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            char *msg = clip_strprintf ("cannot read standard input: %s", strerror (errno));
            clip_record_t *rec = failed_record ("-", CLIP_ERROR_UNREADABLE, msg);
            free (msg);
            free (data);
            return rec;
        }
        if (n == 0)
            break;
        len += (size_t) n;
    }
    if (len > MAX_BYTES) {
        char *msg = clip_strprintf ("standard input holds more than %d bytes", MAX_BYTES);
        clip_record_t *rec = failed_record ("-", CLIP_ERROR_TOO_LARGE, msg);
        free (msg);
        free (data);
        return rec;
    }
    clip_record_t *rec = analyze_data (self, "-", data, len);
    free (data);
    return rec;
}

/*  Analyse one file.  Returns its record (caller owns) or NULL when the
    corpus failed.  */
static clip_record_t *
analyze_file (analyze_t *self, const char *path)
{
    if (strcmp (path, "-") == 0)
        return analyze_stdin (self);
    struct stat st;
    if (stat (path, &st) != 0) {
        char *msg = clip_strprintf ("cannot read %s: %s", path, strerror (errno));
        clip_record_t *rec = failed_record (path, CLIP_ERROR_UNREADABLE, msg);
        free (msg);
        return rec;
    }
    if (S_ISDIR (st.st_mode)) {
        /*  Folders are walked (files_walk): one here could not be read,
            or was too deep.  */
        DIR *d = opendir (path);
        if (d) {
            closedir (d);
            return failed_record (path, CLIP_ERROR_NOT_A_FILE, "is a directory");
        }
        char *msg = clip_strprintf ("cannot read the folder %s: %s", path, strerror (errno));
        clip_record_t *rec = failed_record (path, CLIP_ERROR_UNREADABLE, msg);
        free (msg);
        return rec;
    }
    if (!S_ISREG (st.st_mode))
        return failed_record (path, CLIP_ERROR_NOT_A_FILE, "is not a regular file");
    if ((uint64_t) st.st_size > MAX_BYTES) {
        char *msg = clip_strprintf ("the file holds %llu bytes, more than %d",
                                    (unsigned long long) st.st_size, MAX_BYTES);
        clip_record_t *rec = failed_record (path, CLIP_ERROR_TOO_LARGE, msg);
        rec->bytes = (uint64_t) st.st_size;
        free (msg);
        return rec;
    }
    /*  clip_file_read never follows a symlink (clipd must not); a link
        named on the command line is the user's choice, so follow it here.  */
    char *real = realpath (path, NULL);
    char *data = NULL;
    size_t len = 0;
    int rc = real ? clip_file_read (real, MAX_BYTES, &data, &len) : -errno;
    free (real);
    if (rc != 0) {
        char *msg = clip_strprintf ("cannot read %s: %s", path,
                                    rc == -EFBIG ? "it grew beyond the size limit" : strerror (-rc));
        clip_record_t *rec = failed_record (path, rc == -EFBIG ? CLIP_ERROR_TOO_LARGE : CLIP_ERROR_UNREADABLE, msg);
        free (msg);
        return rec;
    }
    clip_record_t *rec = analyze_data (self, path, data, len);
    free (data);
    return rec;
}

/*  The files to analyse, in order: command-line arguments, with folders
    replaced by the files under them.  */
typedef struct {
    char **paths;
    size_t n, cap;
} files_t;

static void
files_add (files_t *self, char *path)
{
    if (self->n == self->cap) {
        self->cap = self->cap ? self->cap * 2 : 64;
        self->paths = clip_realloc (self->paths, self->cap * sizeof *self->paths);
    }
    self->paths [self->n++] = path;
}

static void
files_free (files_t *self)
{
    for (size_t i = 0; i < self->n; i++)
        free (self->paths [i]);
    free (self->paths);
}

static int
cmp_names (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

/*  Every file under dir, in name order, depth first.  A folder that cannot
    be read becomes an entry of its own, which then fails as unreadable:
    the run says what it skipped.  Symlinked folders are not entered (they
    may loop); symlinked files are kept.  */
static void
files_walk (files_t *self, const char *dir, int depth)
{
    if (depth >= MAX_DEPTH) {
        clip_opt_error ("analyze", "%s: deeper than %d folders: not entered", dir, MAX_DEPTH);
        return;
    }
    DIR *d = opendir (dir);
    if (!d) {
        files_add (self, clip_strdup (dir));
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir (d)) != NULL) {
        if (e->d_name [0] == '.')
            continue;
        if (n == cap)
            names = clip_realloc (names, (cap = cap ? cap * 2 : 64) * sizeof *names);
        names [n++] = clip_strdup (e->d_name);
    }
    closedir (d);
    if (n > 1)
        qsort (names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        char *path = clip_path_join (dir, names [i]);
        free (names [i]);
        struct stat lst, st;
        if (lstat (path, &lst) == 0 && S_ISDIR (lst.st_mode)) {
            files_walk (self, path, depth + 1);
            free (path);
        }
        else
        if (S_ISLNK (lst.st_mode) && stat (path, &st) == 0 && S_ISDIR (st.st_mode))
            free (path);
        else
            files_add (self, path);
    }
    free (names);
}

/*  The progress bar on stderr: done of total, the rate and the time
    left.  Drawn only on a terminal and once the run has lasted
    PROGRESS_AFTER_MS, so that a short run and a pipe see nothing.  */
typedef struct {
    bool tty;
    bool drawn;
    uint64_t start, last;
} progress_t;

static void
progress_draw (progress_t *self, size_t done, size_t total, bool final)
{
    uint64_t now = clip_mono_ms ();
    if (!self->tty || now < self->start + PROGRESS_AFTER_MS
    ||  (!final && now < self->last + PROGRESS_EVERY_MS))
        return;
    self->last = now;
    self->drawn = true;
    double s = (double) (now - self->start) / 1000.0;
    double rate = s > 0 ? (double) done / s : 0;
    int width = 30;
    int filled = total ? (int) (done * (size_t) width / total) : width;
    fprintf (stderr, "\r[%.*s%*s] %zu/%zu files  %.1f/s", filled,
             "##############################", width - filled, "", done, total, rate);
    if (rate > 0 && done < total) {
        long long left = (long long) ((double) (total - done) / rate + 0.5);
        fprintf (stderr, "  ETA %lld:%02lld   ", left / 60, left % 60);
    }
    else
        fprintf (stderr, "             ");
    if (final)
        fputc ('\n', stderr);
    fflush (stderr);
}

static void
teardown (analyze_t *self)
{
    if (self->in_transaction) {
        exec_sql (self, "ROLLBACK");
        if (self->corpus)
            clip_corpus_drop_staged (self->corpus);
    }
    clip_corpus_destroy (&self->corpus);
    if (self->db)
        sqlite3_close (self->db);
    clip_analyzer_destroy (&self->analyzer);
    /*  Released last: the database is closed.  */
    if (self->lock_fd >= 0)
        close (self->lock_fd);
    self->lock_fd = -1;
}

int
clip_analyze_main (int argc, char **argv)
{
    analyze_t self = { .data_dir = clip_datadir_default (), .lock_fd = -1 };
    enum { O_STATE = 1000, O_CORPUS, O_ADD, O_DATA_DIR, O_MAX_ENTITIES };
    static const struct option longopts [] = {
        { "state", required_argument, NULL, O_STATE },
        { "corpus", required_argument, NULL, O_CORPUS },
        { "add", no_argument, NULL, O_ADD },
        { "data-dir", required_argument, NULL, O_DATA_DIR },
        { "max-entities", required_argument, NULL, O_MAX_ENTITIES },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    clip_opt_begin ();
    int c;
    while ((c = clip_opt_next ("analyze", argc, argv, "h", longopts)) != -1) {
        switch (c) {
            case O_STATE: self.state = optarg; break;
            case O_CORPUS: self.corpus_dir = optarg; break;
            case O_ADD: self.add = true; break;
            case O_DATA_DIR: self.data_dir = optarg; break;
            case O_MAX_ENTITIES: self.max_entities = optarg; break;
            case 'h': usage (stdout); return 0;
            default: return 2;
        }
    }
    if ((self.state && !*self.state) || (self.corpus_dir && !*self.corpus_dir)
    ||  !*self.data_dir)
        return clip_opt_usage_error ("analyze", "%s needs a value, not ''",
                                     self.state && !*self.state ? "--state"
                                     : self.corpus_dir && !*self.corpus_dir ? "--corpus"
                                     : "--data-dir");
    if (self.state && self.corpus_dir)
        return clip_opt_usage_error ("analyze", "--state and --corpus exclude each other");
    if (self.max_entities && !max_entities_parse (self.max_entities, NULL))
        return clip_opt_usage_error ("analyze", "--max-entities needs a number, got '%s'",
                                     self.max_entities);
    if (self.add && !self.state)
        return clip_opt_usage_error ("analyze", "--add needs --state (a --corpus corpus is "
                                     "temporary)");
    if (optind >= argc)
        return clip_opt_usage_error ("analyze", "no FILE given");
    int dashes = 0;
    for (int i = optind; i < argc; i++)
        dashes += strcmp (argv [i], "-") == 0;
    if (dashes > 1)
        return clip_opt_usage_error ("analyze", "'-' (standard input) given %d times: once "
                                     "only", dashes);

    /*  Expanded before anything runs, so that the progress bar knows the
        total.  */
    files_t files = { 0 };
    for (int i = optind; i < argc; i++) {
        struct stat st;
        if (strcmp (argv [i], "-") != 0 && stat (argv [i], &st) == 0 && S_ISDIR (st.st_mode)) {
            size_t before = files.n;
            files_walk (&files, argv [i], 0);
            if (files.n == before)
                clip_opt_error ("analyze", "%s: no files in this folder", argv [i]);
        }
        else
            files_add (&files, clip_strdup (argv [i]));
    }
    int status = 0;
    if (setup (&self) != 0)
        status = 1;
    progress_t progress = { .tty = isatty (STDERR_FILENO) == 1, .start = clip_mono_ms () };
    for (size_t i = 0; i < files.n && status == 0; i++) {
        clip_record_t *rec = analyze_file (&self, files.paths [i]);
        if (!rec) {
            status = 1;
            break;
        }
        char *json = clip_record_to_json (rec);
        printf ("%s\n", json);
        free (json);
        clip_record_destroy (&rec);
        if (fflush (stdout) != 0) {
            clip_opt_error ("analyze", "cannot write the output: %s", strerror (errno));
            status = 1;
        }
        progress_draw (&progress, i + 1, files.n, false);
    }
    if (progress.drawn)
        progress_draw (&progress, files.n, files.n, true);
    files_free (&files);
    teardown (&self);
    return status;
}
