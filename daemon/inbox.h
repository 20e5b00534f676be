/*  inbox: finds article files in the inbox folder and claims them.

    Owns the view of the inbox: a bounded table of candidate files, the
    watcher back-end that reports events (inbox_watch.h: inotify, or libuv's
    uv_fs_event, chosen by the setting inbox-watch), the settle timer and
    the periodic rescan; and the claim format in the processing folder
    (claim names, their sidecars).  Whichever back-end runs, it promises:

    - A regular file whose name does not start with '.' and does not end in
      ".tmp" or ".part" becomes a candidate; everything else is left alone.
      Directories, symlinks, FIFOs, sockets and devices are logged once and
      skipped, never opened.
    - A candidate is ready when the kernel reported it renamed into the
      folder (inotify's IN_MOVED_TO), when its mtime is older than the
      settle time, or when its size and mtime have not changed for the
      settle time.  So files renamed in are taken at once and files written
      in place once they stopped changing.  libuv's uv_fs_event reports a
      rename and a create alike, and file timestamps are too coarse to tell
      them apart, so with the fs_event back-end (the fallback, and the
      default off Linux) every file counts as written in place: one renamed
      in is taken once its mtime is older than the settle time, at once
      when it was written earlier than that (inbox_watch.h).
    - Nothing is missed: events can be lost (inotify's queue overflows, and
      libuv drops that signal), so a scan at start, a rescan on overflow and
      a periodic rescan guarantee every file is eventually seen.  The
      candidate table is bounded (max_pending); when it is full, the scan
      stops adding (events for new names are dropped too) and, once the
      claims have emptied half of the table, a rescan follows on the
      loop's next turn, not at a timer's tick.  So 100,000 waiting files
      cost the daemon little memory, and a burst larger than the table is
      claimed without a pause (test_inbox:
      a_full_table_is_refilled_once_half_of_it_is_claimed).
    - The folder, not the inode, is watched: when the inbox folder is
      deleted, renamed away or replaced (inotify's IN_DELETE_SELF,
      IN_MOVE_SELF, IN_IGNORED; IN_DELETE, IN_MOVED_FROM, IN_CREATE,
      IN_MOVED_TO naming it on the folder that holds it, since the kernel
      reports IN_DELETE_SELF only once the inbox's own descriptor is
      closed; with fs_event, any event naming the inbox on the folder that
      holds it or on itself makes the inbox compare identities; and every
      periodic rescan compares the path's (st_dev, st_ino) with the watched
      folder's, which also catches a file system mounted over the path),
      the path is watched again, logged as
      inbox_rewatched and counted
      (clipd_inbox_rewatched_total).  While the path is missing it is
      retried with back-off (100 ms doubling to 5 s) and recreated once it
      has been missing for INBOX_RECREATE_MS, so that an operator's own
      `rm -rf inbox; mkdir inbox` wins; while it cannot be watched (not a
      folder, cannot be created) clipd_inbox_unwatched is 1 and /healthz
      says so.  Files in a folder renamed away are no longer the inbox's.
    - Cost: one stat of a file in the inbox per article renamed in, made
      by the claim (is it still there, still a regular file?), whose size
      the claim keeps and dispatch reads by; two for one found by a rescan
      or written in place, one when it is found and one when it is
      claimed (is it still the file found?).  None is made for what is
      known without it: a new name inotify reports renamed in (ready at
      once, the claim looks at it), a name reported renamed away or
      deleted (the inbox's own claims), a new name while the table is full
      (the rescan that follows room looks at it), a name a rescan finds
      already a candidate (the settle timer or the claim looks at it).
      Tested by tests/unit/test_inbox_stats.c.
    - clip_inbox_claim moves one ready file into the processing folder
      under a name carrying the claim id, and hands it over: by rename()
      when the inbox and the processing folder are on one file system, by
      copy otherwise (see "Claiming by copy" below).

    Claim names.  A claim is processing/<claim>_<name>, the claim id as 20
    digits.  When that would exceed NAME_MAX (inbox names of 235 bytes and
    more), the name is cut on a UTF-8 boundary and the full inbox name is
    kept in a sidecar, processing/.<claim>.claim (a header line, for copies
    the source's identity, then "name " and the raw name to the end of the
    file, so any bytes a name may hold survive), written and fsynced
    (file and folder) before the rename, so that a crash at any point leaves
    either no claim file (the sidecar is an orphan, removed at the next
    start) or a claim file whose sidecar holds its full name:
    clip_claim_recover returns the inbox name, never the cut one.  The
    sidecar goes when the file leaves processing/ (clip_claim_release); an
    orphan left by a crash is removed by clip_inbox_start.  Only a cut name
    has a sidecar once its claim is made (a copy's goes at step 4, below),
    so clip_claim_release knows from the names whether to unlink one.

    Claiming by copy.  rename() fails with EXDEV when the inbox is on
    another file system than the state folder (a docker bind mount for
    ./inbox, a named volume for the state).  The claim then copies:
      1. open the inbox file (O_NOFOLLOW, O_NONBLOCK), copy it to
         processing/.<claim>.tmp, fsync; the source must not have changed
         meanwhile (size, mtime, ctime), else the claim is abandoned and the
         file is looked at again later;
      2. write the sidecar durably with the name and the source's identity
         (st_dev, st_ino, st_ctim, st_size);
      3. rename .<claim>.tmp to the claim name, fsync processing/;
      4. unlink the inbox file if the name still holds the same inode, fsync
         the inbox folder;
      5. once the inbox file is durably gone (or its name no longer holds
         the inode copied), the sidecar is unlinked, unless the name was
         cut (then it is released with the claim, as above).  If the unlink
         of the inbox file was not durable (its folder's fsync failed), the
         sidecar stays, so that a restart still finds the twin; it goes as
         an orphan at a later start.
    Exactly once across kill -9: before step 3 is durable there is no claim
    file, only leftovers (a dot-file copy, an orphan sidecar) that the next
    start removes, and the inbox file is untouched, so it is claimed again,
    once.  From step 3 on, the claim file exists and is processed (or, if
    its record is committed, moved on) exactly like a renamed claim; if the
    crash came before step 4 was durable, the inbox still holds its twin.
    clipd_run calls clip_claim_recover for every claim file before the inbox
    is first scanned, and it unlinks an inbox file whose (st_dev, st_ino,
    st_ctim, st_size) equal those the sidecar recorded: the same inode,
    unchanged since the copy (any write, rename or chmod moves ctime, and a
    new file at that name gets a new ctime even if it reuses the inode
    number), so the twin is never taken a second time, while a new file
    dropped under the same name since is.  A file whose identity no longer
    matches is a new article and is processed on its own.  The one window
    left: a writer renaming a new file over NAME between step 4's check and
    the unlink, a few microseconds, loses that file; a writer that reuses a
    name still in the inbox already races with the claim in the same way
    when claims are renames.  Copying costs one read and one write of the
    file on the loop (files above --max-bytes included, which go to
    failed/), and the file exists twice until step 4.
*/
#ifndef CLIP_INBOX_H
#define CLIP_INBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "metrics.h"

typedef struct clip_inbox clip_inbox_t;

/*  How long the inbox path may be missing before clipd recreates it.  */
#define INBOX_RECREATE_MS 1000

typedef struct {
    /*  Defaults: CLIP_DEFAULT_* in clip_defaults.h.  */
    uint64_t settle_ms;
    uint64_t rescan_ms;
    size_t max_pending;
    /*  The watcher back-end: "auto" or NULL (inotify on Linux, falling back
        to fs_event if inotify cannot be had; fs_event elsewhere), "inotify"
        or "fs_event" (inbox_watch.h).  Read by clip_inbox_new only.  */
    const char *watch;
} clip_inbox_settings_t;

/*  Candidates became ready: the owner should claim while it has room.  */
typedef void (*clip_inbox_ready_cb) (clip_inbox_t *inbox, void *arg);

typedef struct {
    uint64_t claim;             /* the claim id given to clip_inbox_claim */
    char *name;                 /* the name it had in the inbox, in full; owned */
    char *path;                 /* its path in the processing folder; owned */
    uint64_t size;              /* bytes, at claim time */
    uint64_t arrived_ms;        /* unix ms: the file's change time in the inbox,
                                   which its rename into it (or its last write) set */
    bool copied;                /* claimed by copy (another file system) */
} clip_claim_t;

void clip_inbox_settings_default (clip_inbox_settings_t *settings);

/*  Create the inbox watcher; inbox_dir and processing_dir must exist.
    metrics may be NULL.  Nothing happens until clip_inbox_start.  Caller
    owns the result.  */
clip_inbox_t *clip_inbox_new (uv_loop_t *loop, const char *inbox_dir, const char *processing_dir,
                              const clip_inbox_settings_t *settings,
                              clip_inbox_ready_cb on_ready, void *arg, clipd_metrics_t *metrics);
/*  Remove the orphans of claims interrupted by a crash from the processing
    folder, scan, start watching and start the timers.  Call it after every
    claim file left by an earlier run went through clip_claim_recover.
    Returns 0 or a negative errno: -EINVAL when settings.watch names no
    back-end of this system, the back-end's error when the one named
    explicitly cannot be had (inotify out of instances), -ENOENT etc.
    when the folder cannot be opened.  */
int clip_inbox_start (clip_inbox_t *self);

/*  Number of ready candidates.  */
size_t clip_inbox_ready_count (const clip_inbox_t *self);

/*  Claim the oldest ready file under claim id `claim`.  Returns 1 with *out
    filled (caller owns its strings; free with clip_claim_clear), 0 when no
    file is ready.  Files that vanished or cannot be moved are logged and
    skipped.  */
int clip_inbox_claim (clip_inbox_t *self, uint64_t claim, clip_claim_t *out);
void clip_claim_clear (clip_claim_t *claim);

/*  Move the regular file `name` in the folder src_dirfd into processing_dir
    as claim `claim` (rename, or copy on EXDEV; a sidecar for long names),
    as described above.  Returns 0 with *out filled, or a negative errno:
    -ENOENT when it vanished, -EAGAIN when it changed during a copy.  */
int clip_claim_take (int src_dirfd, const char *name, const char *processing_dir, uint64_t claim,
                     clip_claim_t *out);

/*  A claim file found in processing_dir at start: sets *claim and *name
    (the full inbox name, from the sidecar when there is one; caller owns)
    and, for a copy whose inbox twin is still in inbox_dir, removes the
    twin.  Returns 0, or -1 when filename is not a claim name.  */
int clip_claim_recover (const char *processing_dir, const char *inbox_dir, const char *filename,
                        uint64_t *claim, char **name);

/*  The claim file at path left the processing folder: drop its sidecar, if
    any.  name is the inbox name the claim stands for (the full one): when
    the claim name holds it whole, there is no sidecar and nothing is done;
    NULL when unknown (the sidecar is then unlinked if it exists).  */
void clip_claim_release (const char *path, const char *name);

/*  The processing-folder name for a claim: "<claim>_<name>", cut to fit
    NAME_MAX.  Caller owns the result.  Parse back with clip_claim_parse,
    which returns 0 and sets *claim and *name (as found in the file name,
    so cut when it was long; caller owns), or -1 when the name is not a
    claim name.  */
char *clip_claim_filename (uint64_t claim, const char *name);
int clip_claim_parse (const char *filename, uint64_t *claim, char **name);

/*  Stop watching; the inbox is freed once its handles are closed (the loop
    must run).  Nulls the caller's pointer.  */
void clip_inbox_destroy (clip_inbox_t **self_p);

#endif
