/*  clip_import: a folder of articles into the corpus.

    The one way articles enter the corpus other than through the inbox:
    clipd seeding an empty state (--corpus DIR), `clip analyze` building its
    temporary corpus, and `clip corpus import` all use it, so that the three
    agree on what an article is and on its verdict.  Files are taken in name
    order (dot-files and anything but regular files are left out), analysed
    as a worker would (without entities), each judged against the articles
    before it, and committed `batch` at a time.  A file that is not an
    article (unreadable, too large, empty, binary) is skipped and reported;
    the others still go in.
*/
#ifndef CLIP_IMPORT_H
#define CLIP_IMPORT_H

#include <sqlite3.h>
#include <stddef.h>

#include "clip_corpus.h"

typedef struct {
    size_t files;               /* regular files looked at */
    size_t imported;
    size_t skipped;
    size_t verdicts [CLIP_VERDICT_COUNT];   /* by clip_verdict_t: unique, related,
                                               near_duplicate, duplicate */
} clip_import_stats_t;

/*  Called after each file, with why it was skipped (NULL when imported).  */
typedef void (*clip_import_cb) (size_t done, size_t total, const char *name,
                                const char *skipped, void *arg);

/*  Import every article of dir into corpus (whose database is db; no
    transaction may be open).  stats is filled when not NULL.  Returns 0, or
    -1 with err set when the folder cannot be read or the database fails (the
    articles committed before that stay).  */
int clip_corpus_import_dir (clip_corpus_t *corpus, sqlite3 *db, const char *dir,
                            size_t max_bytes, size_t batch,
                            clip_import_cb cb, void *arg,
                            clip_import_stats_t *stats, char *err, size_t err_size);

#endif
