/*  clip_import: a folder of articles into the corpus.  See clip_import.h.  */
#include "clip_import.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clip_analyze.h"
#include "clip_db.h"
#include "clip_util.h"

static int
keep_entry (const struct dirent *e)
{
    return e->d_name [0] != '.';
}

/*  The counter of a record's verdict in clip_import_stats_t; judging
    always gives a listed one, and anything else would count as unique, as
    it always did.  */
static int
verdict_index (const clip_record_t *rec)
{
    clip_verdict_t v = clip_record_verdict (rec);
    return v == CLIP_VERDICT_UNKNOWN ? CLIP_VERDICT_UNIQUE : (int) v;
}

int
clip_corpus_import_dir (clip_corpus_t *corpus, sqlite3 *db, const char *dir,
                        size_t max_bytes, size_t batch, clip_import_cb cb, void *arg,
                        clip_import_stats_t *stats, char *err, size_t err_size)
{
    clip_import_stats_t local = { 0 };
    if (!stats)
        stats = &local;
    memset (stats, 0, sizeof *stats);
    if (batch == 0)
        batch = 1;
    struct dirent **names = NULL;
    int n = scandir (dir, &names, keep_entry, alphasort);
    if (n < 0) {
        snprintf (err, err_size, "cannot read folder %s: %s", dir, strerror (errno));
        return -1;
    }
    clip_analyzer_t *analyzer = clip_analyzer_new (NULL, "import", err, err_size);
    int rc = analyzer ? 0 : -1;
    size_t in_tx = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const char *name = names [i]->d_name;
        char *path = clip_path_join (dir, name);
        struct stat st;
        if (lstat (path, &st) != 0 || !S_ISREG (st.st_mode)) {
            free (path);
            continue;
        }
        stats->files++;
        char *data = NULL;
        size_t len = 0;
        const char *skipped = NULL;
        char reason [256];
        int r = clip_file_read (path, max_bytes, &data, &len);
        free (path);
        clip_record_t *rec = NULL;
        void *sketch = NULL;
        size_t sketch_len = 0;
        if (r != 0) {
            snprintf (reason, sizeof reason, "%s", r == -EFBIG ? "too large" : strerror (-r));
            skipped = reason;
        }
        else {
            rec = clip_analyzer_run (analyzer, name, data, len, &sketch, &sketch_len);
            if (clip_record_status (rec) != CLIP_STATUS_OK) {
                snprintf (reason, sizeof reason, "%s", rec->error_message);
                skipped = reason;
            }
        }
        if (!skipped) {
            if (in_tx == 0 && clip_db_exec (db, "BEGIN IMMEDIATE", err, err_size))
                rc = -1;
            else
            if (clip_corpus_judge (corpus, rec, sketch, sketch_len)
            ||  clip_corpus_stage (corpus, rec, sketch, sketch_len, data, len)) {
                snprintf (err, err_size, "cannot store %s: %s", name, sqlite3_errmsg (db));
                rc = -1;
            }
            else {
                in_tx++;
                stats->imported++;
                stats->verdicts [verdict_index (rec)]++;
            }
        }
        else
            stats->skipped++;
        if (rc == 0 && in_tx >= batch) {
            if (clip_db_exec (db, "COMMIT", err, err_size) == 0) {
                clip_corpus_publish_staged (corpus);
                in_tx = 0;
            }
            else
                rc = -1;
        }
        clip_record_destroy (&rec);
        free (sketch);
        free (data);
        if (cb && rc == 0)
            cb (stats->files, (size_t) n, name, skipped, arg);
    }
    if (rc == 0 && in_tx > 0) {
        if (clip_db_exec (db, "COMMIT", err, err_size) == 0)
            clip_corpus_publish_staged (corpus);
        else
            rc = -1;
    }
    if (rc != 0 && in_tx > 0) {
        char e2 [128];
        clip_db_exec (db, "ROLLBACK", e2, sizeof e2);
        clip_corpus_drop_staged (corpus);
        stats->imported -= in_tx;
    }
    for (int i = 0; i < n; i++)
        free (names [i]);
    free (names);
    clip_analyzer_destroy (&analyzer);
    return rc;
}
