/*  retire: moves a file whose record is committed out of processing/.

    Owns the moves into done/ and failed/ (or the deletion with
    --on-done delete), the error files beside failed articles, and the
    backlog of committed files whose move failed.  It promises:

    - The record says where the file went (stored_as, proto/README.md), and
      the log's record, the published one and the replayed one agree, across
      crashes.  The record is committed before the file is moved, so the
      name cannot be found at the move: it is chosen before the commit
      (clip_retire_choose, called as the result is handed to the commit)
      and the move then uses the name the record gives.  The inbox name
      when it is free, else the first free of a.1.txt, a.2.txt, ...
      "Free" means nothing there (nor NAME.error.json in failed/) and not
      promised to another file: a name chosen is held in memory until its
      file is in place, so two a.txt in flight at once get different names
      whatever order their commits and moves take.  Choices are made on
      the loop's thread, one at a time, so holding them in memory is
      enough; a name derived from the claim id (a.CLAIM.txt, unique by
      construction) would be needed only if several processes chose, and
      would break the names operators know.  After a crash between the
      commit and the move, the record read back from the log gives the
      name and clip_retire_file holds it again before anything new is
      chosen (clipd recovers processing/ before the first result can be
      committed), so the file is moved where its record says.  Only a file
      put into done/ or failed/ by someone else under exactly that name,
      between the choice and the move, makes them differ: the file then
      gets a further suffix (nothing is overwritten) and
      event=retire_renamed (warn) names both.
    - Nothing is overwritten: files and error files are moved into place
      with renameat2(RENAME_NOREPLACE).
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

/*  Before rec is committed: choose the name its file, named file in the
    inbox (the record's file once committed: the task's name), will have
    in done/ or failed/ and hold it; set rec->stored_as to it when it is
    not file, else clear it (a worker's value is never kept).  With
    --on-done delete an article that did not fail gets none.  */
void clip_retire_choose (clip_retire_t *self, clip_record_t *rec, const char *file);

/*  The record rec is committed: move the file at path (in processing/) on,
    under rec->stored_as when set, else rec->file (fitted to NAME_MAX).
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
char *clip_retire_name (const char *name, uint64_t n, size_t max);

/*  Nulls the caller's pointer.  Files still in the backlog stay in
    processing/, for the next start.  */
void clip_retire_destroy (clip_retire_t **self_p);

#endif
