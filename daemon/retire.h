/*  retire: moves a file whose record is committed out of processing/.

    Owns the moves into done/ and failed/ (or the deletion with
    --on-done delete), the error files beside failed articles, and the
    backlog of committed files whose move failed.  It promises:

    - Nothing is overwritten: a name taken in done/ or failed/ gets a numeric
      suffix (a.txt, a.1.txt, ...); files and error files are moved into
      place with renameat2(RENAME_NOREPLACE).
    - Names always fit: when NAME (or NAME.error.json, or a suffixed name)
      would exceed NAME_MAX, the name is shortened deterministically: its
      stem cut on a UTF-8 boundary, "~" and 8 hex digits of a hash of the
      full name, then the extension.  The full name is in the record (and
      in the error file).
    - A failed article's NAME.error.json is written durably before the move.
      One found at the chosen name is reused only when its bytes are exactly
      those clipd writes for this record (a crash between writing it and
      moving the file left it behind); anything else there, a planted file
      or another article's error file, is left alone and a free name is
      taken.
    - A move that fails (no space, no inodes, EIO, a folder gone) is not
      forgotten: the file stays in processing/, is logged, counted
      (clipd_retire_failures_total, each failed attempt), gauged
      (clipd_retire_backlog, with the oldest file's name for /healthz) and
      retried with back-off, 1 s doubling to 60 s per file, from
      clip_retire_tick; when one retry succeeds the others are tried at
      once.  A restart finds these files in processing/ with their record
      committed and moves them on (clipd's recover_processing).  The backlog
      is bounded by the files in processing/; the daemon stops claiming
      while it holds CLIP_RETIRE_BACKLOG_MAX files.
*/
#ifndef CLIP_RETIRE_H
#define CLIP_RETIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clip_record.h"
#include "metrics.h"

typedef struct clip_retire clip_retire_t;

#define CLIP_RETIRE_FIRST_MS 1000
#define CLIP_RETIRE_MAX_MS 60000
/*  Files retried per tick, so a long backlog cannot stall the loop.  */
#define CLIP_RETIRE_PER_TICK 64
#define CLIP_RETIRE_BACKLOG_MAX 4096

/*  done_dir and failed_dir must exist; delete_done deletes articles that
    did not fail instead of moving them to done_dir.  metrics may be NULL.
    Caller owns the result.  */
clip_retire_t *clip_retire_new (const char *done_dir, const char *failed_dir, bool delete_done,
                                clipd_metrics_t *metrics);

/*  The record rec is committed: move the file at path (in processing/) on.
    Returns 0 when it was moved (or had vanished: logged), or a negative
    errno when the move failed: the file is then in the backlog and
    retried.  */
int clip_retire_file (clip_retire_t *self, const char *path, const clip_record_t *rec);

/*  Retry the backlog's files that are due (at most CLIP_RETIRE_PER_TICK).
    Call it periodically (clipd: every loop tick).  */
void clip_retire_tick (clip_retire_t *self);

/*  Files in the backlog, and the oldest one's inbox name (NULL if none). */
size_t clip_retire_backlog (const clip_retire_t *self);
const char *clip_retire_first (const clip_retire_t *self);

/*  The error file written beside a failed article: JSON, caller owns.  */
char *clip_retire_error_json (const clip_record_t *rec);

/*  The name a file gets in a folder: name, or with suffix n > 0 before its
    extension, shortened to at most max bytes as above.  Caller owns.  */
char *clip_retire_name (const char *name, unsigned n, size_t max);

/*  Nulls the caller's pointer.  Files still in the backlog stay in
    processing/, for the next start.  */
void clip_retire_destroy (clip_retire_t **self_p);

#endif
