/*  inbox: finds article files in the inbox folder and claims them.

    Owns the view of the inbox: a bounded table of candidate files and the
    uv_fs_event watch, the settle timer and the periodic rescan.  It promises:

    - A regular file whose name does not start with '.' and does not end in
      ".tmp" or ".part" becomes a candidate; everything else is left alone.
      Directories, symlinks, FIFOs, sockets and devices are logged once and
      skipped, never opened.
    - A candidate is ready when the kernel reported it renamed into the
      folder (inotify's IN_MOVED_TO), when its mtime is older than the
      settle time, or when its size and mtime have not changed for the
      settle time.  So files renamed in are taken at once and files written
      in place once they stopped changing.  (libuv's uv_fs_event reports a
      rename and a create alike, and file timestamps are too coarse to tell
      them apart, so on Linux the inbox reads inotify itself through
      uv_poll; uv_fs_event is the fallback elsewhere.)
    - Nothing is missed: events can be lost (inotify's queue overflows, and
      libuv drops that signal), so a scan at start, a rescan on overflow and
      a periodic rescan guarantee every file is eventually seen.  The
      candidate table is bounded (max_pending); when it is full, the scan
      stops adding and a rescan follows as soon as there is room, so
      100,000 waiting files cost the daemon little memory.
    - clip_inbox_claim moves one ready file into the processing folder by
      rename(), under a name carrying the claim id, and hands it over.
*/
#ifndef CLIP_INBOX_H
#define CLIP_INBOX_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct clip_inbox clip_inbox_t;

typedef struct {
    uint64_t settle_ms;         /* default 500 */
    uint64_t rescan_ms;         /* default 5000 */
    size_t max_pending;         /* default 1024 */
} clip_inbox_settings_t;

/*  Candidates became ready: the owner should claim while it has room.  */
typedef void (*clip_inbox_ready_cb) (clip_inbox_t *inbox, void *arg);

typedef struct {
    uint64_t claim;             /* the claim id given to clip_inbox_claim */
    char *name;                 /* the name it had in the inbox; owned */
    char *path;                 /* its path in the processing folder; owned */
    uint64_t size;              /* bytes, at claim time */
} clip_claim_t;

void clip_inbox_settings_default (clip_inbox_settings_t *settings);

/*  Create the inbox watcher; inbox_dir and processing_dir must exist.
    Nothing happens until clip_inbox_start.  Caller owns the result.  */
clip_inbox_t *clip_inbox_new (uv_loop_t *loop, const char *inbox_dir, const char *processing_dir,
                              const clip_inbox_settings_t *settings,
                              clip_inbox_ready_cb on_ready, void *arg);
/*  Scan, start watching and start the timers.  Returns 0 or a negative errno. */
int clip_inbox_start (clip_inbox_t *self);

/*  Number of ready candidates.  */
size_t clip_inbox_ready_count (const clip_inbox_t *self);

/*  Claim the oldest ready file under claim id `claim`.  Returns 1 with *out
    filled (caller owns its strings; free with clip_claim_clear), 0 when no
    file is ready.  Files that vanished or cannot be moved are logged and
    skipped.  */
int clip_inbox_claim (clip_inbox_t *self, uint64_t claim, clip_claim_t *out);
void clip_claim_clear (clip_claim_t *claim);

/*  The processing-folder name for a claim: "<claim>_<name>", cut to fit
    NAME_MAX.  Caller owns the result.  Parse back with clip_claim_parse,
    which returns 0 and sets *claim and *name (caller owns), or -1 when the
    name is not a claim name.  */
char *clip_claim_filename (uint64_t claim, const char *name);
int clip_claim_parse (const char *filename, uint64_t *claim, char **name);

/*  Stop watching; the inbox is freed once its handles are closed (the loop
    must run).  Nulls the caller's pointer.  */
void clip_inbox_destroy (clip_inbox_t **self_p);

#endif
