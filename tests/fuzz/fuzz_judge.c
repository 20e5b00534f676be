/*  fuzz_judge: what clipd does with the sketch of a worker's RESULT, on
    arbitrary sketch bytes: clip_corpus_judge against a corpus holding the
    five Huawei articles (opened once, in a temporary folder), then the
    corpus row staged in a transaction that is rolled back
    (clip_corpus_stage, clip_corpus_drop_staged), so that every input meets
    the same corpus and a crash replays from its input alone.

    Checks, besides the sanitizers: judging succeeds whatever the sketch
    (a malformed one is logged and judged by its id alone), and gives a
    verdict, a cluster and scores between 0 and 1.  */
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clip_analyze.h"
#include "clip_corpus.h"
#include "clip_db.h"
#include "clip_log.h"
#include "clip_record.h"
#include "clip_util.h"
#include "fuzz_check.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char dir [64];
static sqlite3 *db;
static clip_corpus_t *corpus;

static void
remove_dir (void)
{
    char *cmd = clip_strprintf ("rm -rf '%s'", dir);
    if (system (cmd) != 0)
        fprintf (stderr, "fuzz_judge: cannot remove %s\n", dir);
    free (cmd);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    clip_log_init ("fuzz_judge", CLIP_LOG_ERROR);
    snprintf (dir, sizeof dir, "/tmp/clip-fuzz-judge-XXXXXX");
    FUZZ_CHECK (mkdtemp (dir), "mkdtemp");
    atexit (remove_dir);
    char err [256] = "";
    char *path = clip_path_join (dir, "clipd.db");
    db = clip_db_open (path, 0, err, sizeof err);
    FUZZ_CHECK (db, "%s", err);
    corpus = clip_corpus_open (db, NULL, err, sizeof err);
    FUZZ_CHECK (corpus, "%s", err);
    free (path);
    clip_analyzer_t *an = clip_analyzer_new (NULL, "fuzz:1", err, sizeof err);
    static const char *articles [] = {
        "000_9e0fcb074dd77aaf.txt", "001_3dbc5d8e002cb599.txt", "002_b2f4190119ca8e61.txt",
        "003_209deb8297a06381.txt", "004_a2dcec478da87fef.txt",
    };
    for (int i = 0; i < 5; i++) {
        char *file = clip_strprintf ("%s/corpus/huawei/%s", CLIP_DATADIR, articles [i]);
        char *text;
        size_t len;
        FUZZ_CHECK (clip_file_read (file, 1 << 20, &text, &len) == 0, "cannot read %s", file);
        void *sketch;
        size_t sketch_len;
        clip_record_t *rec = clip_analyzer_run (an, articles [i], text, len, &sketch, &sketch_len);
        FUZZ_CHECK (clip_corpus_judge (corpus, rec, sketch, sketch_len) == 0, "seed judge");
        rec->seq = (uint64_t) i + 1;
        FUZZ_CHECK (clip_db_exec (db, "BEGIN", err, sizeof err) == 0, "%s", err);
        FUZZ_CHECK (clip_corpus_stage (corpus, rec, sketch, sketch_len, text, len) == 0, "stage");
        FUZZ_CHECK (clip_db_exec (db, "COMMIT", err, sizeof err) == 0, "%s", err);
        clip_corpus_publish_staged (corpus);
        free (sketch);
        clip_record_destroy (&rec);
        free (text);
        free (file);
    }
    clip_analyzer_destroy (&an);
    return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->id, "0123456789abcdef0123456789abcdef");
    clip_record_set (rec, &rec->file, "hostile.txt");
    rec->bytes = size;
    FUZZ_CHECK (clip_corpus_judge (corpus, rec, data, size) == 0, "judge failed");
    FUZZ_CHECK (rec->has_dedupe && rec->verdict && rec->cluster, "no verdict or cluster");
    for (size_t i = 0; i < rec->n_matches; i++) {
        const clip_match_t *m = &rec->matches [i];
        FUZZ_CHECK (isfinite (m->jaccard) && m->jaccard >= 0 && m->jaccard <= 1
                    && isfinite (m->containment) && m->containment >= 0 && m->containment <= 1,
                    "match %zu: jaccard %g containment %g", i, m->jaccard, m->containment);
    }
    rec->seq = 99;
    char err [256] = "";
    FUZZ_CHECK (clip_db_exec (db, "BEGIN", err, sizeof err) == 0, "%s", err);
    FUZZ_CHECK (clip_corpus_stage (corpus, rec, data, size, "x", 1) == 0, "stage failed");
    FUZZ_CHECK (clip_db_exec (db, "ROLLBACK", err, sizeof err) == 0, "%s", err);
    clip_corpus_drop_staged (corpus);
    clip_record_destroy (&rec);
    return 0;
}
