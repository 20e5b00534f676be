/*  inbox_watch: how the inbox hears about its folder, behind one small
    interface with two back-ends (as Fluent Bit's in_tail: tail_fs.h over
    tail_fs_inotify.c and tail_fs_stat.c).

    A back-end watches two things, both given by path when it is created:
    the inbox folder (names in it appearing, changing, going) and the folder
    holding it (the inbox's own name going or coming, since the kernel
    reports the inbox's IN_DELETE_SELF only once the inbox's own descriptor
    is closed).  It tells the inbox through clip_inbox_watch_events_t and
    decides nothing: the inbox (inbox.c) looks at the file or the path
    itself, keeps the candidates, and owns the scans and timers that make
    the promises of inbox.h hold whatever a back-end misses.

    - inotify (inbox_inotify.c, Linux; what "auto" picks there): reads
      inotify itself through uv_poll, because only inotify tells a file
      renamed into the folder (IN_MOVED_TO) from one being created and
      written, and only it reports a lost queue (IN_Q_OVERFLOW).  Files
      renamed in are reported CLIP_INBOX_MOVED_IN and taken at once; a name
      renamed away or deleted (IN_MOVED_FROM, IN_DELETE: the inbox's own
      claims, mostly) is reported CLIP_INBOX_GONE, which the inbox
      believes without a stat, since the events come in order and a file
      that takes the name again is reported after.
    - fs_event (inbox_fsevent.c, anywhere libuv runs; "auto" elsewhere,
      and on Linux when no inotify instance can be had):
      libuv's uv_fs_event, on the inbox folder and on the folder holding
      it.  It cannot tell a rename from a create (libuv reports both as
      UV_RENAME) and hides a lost queue, so what it cannot tell is left to
      the inbox's own rules: every name is reported as written in place
      (CLIP_INBOX_CHANGED, looked at with a stat), so a file renamed in is ready once its mtime is
      older than the settle time (at once for a file written earlier, as a
      `mv` from another folder usually is) or once unchanged for the settle
      time; an event naming the inbox itself, or no file, makes the inbox
      check its path and scan; lost events are caught by the periodic
      rescan.  A scan-only (stat) back-end would be the same as this one
      minus the events: the inbox's scans and timers already are that.

    Callbacks come from the loop, never from inside a call into the
    back-end, except that a back-end may be told to unwatch or watch from
    within its own callback (folder below), which both back-ends allow.
*/
#ifndef CLIP_INBOX_WATCH_H
#define CLIP_INBOX_WATCH_H

#include <stdbool.h>
#include <string.h>
#include <uv.h>

/*  What a back-end knows happened to a name in the inbox folder.  */
typedef enum {
    CLIP_INBOX_CHANGED,         /* appeared, changed or went: look at it */
    CLIP_INBOX_MOVED_IN,        /* renamed into the folder (inotify only) */
    CLIP_INBOX_GONE             /* renamed away or deleted (inotify only) */
} clip_inbox_file_event_t;

/*  What a back-end reports.  arg is the one given to new.  */
typedef struct {
    /*  Something happened to name in the inbox folder.  */
    void (*file) (void *arg, const char *name, clip_inbox_file_event_t what);
    /*  The end of a batch of file calls: tell the owner what became ready.  */
    void (*done) (void *arg);
    /*  The inbox's path may now name another folder, or none, or (when
        nothing is watched) a folder again.  reason ("moved", "deleted",
        "replaced") when the back-end knows the watched folder went; NULL
        when it cannot tell and the inbox must compare the path's identity
        with the watched folder's.  */
    void (*folder) (void *arg, const char *reason);
    /*  Events were lost, or came without a name: look at the whole folder.  */
    void (*lost) (void *arg);
} clip_inbox_watch_events_t;

typedef struct clip_inbox_watch clip_inbox_watch_t;

/*  One back-end.  Its watch object is owned by the inbox.  */
typedef struct {
    const char *name;           /* as the setting inbox-watch spells it */
    /*  Create the watcher for the inbox at dir, whose name in the folder
        parent is base (strings copied).  Watches nothing yet.  Returns NULL
        with *err a negative errno when the back-end is not available.  */
    clip_inbox_watch_t *(*new) (uv_loop_t *loop, const char *dir, const char *parent,
                                const char *base, const clip_inbox_watch_events_t *events,
                                void *arg, int *err);
    /*  Watch the folder now at dir, and the parent if it is not yet.
        Returns 0 or a negative errno (the folder is not watched; the
        inbox's timers still see it).  */
    int (*watch_folder) (clip_inbox_watch_t *self);
    /*  Watch the parent for the inbox's name, if it is not yet (while the
        inbox folder is missing: to see it come back).  */
    void (*watch_parent) (clip_inbox_watch_t *self);
    /*  Stop watching both (the folder went): events still queued for them
        are dropped.  */
    void (*unwatch) (clip_inbox_watch_t *self);
    /*  Stop; the watcher is freed once its handles are closed (the loop must
        run).  No callback comes after.  Nulls the caller's pointer.  */
    void (*destroy) (clip_inbox_watch_t **self_p);
} clip_inbox_watch_ops_t;

#ifdef __linux__
extern const clip_inbox_watch_ops_t clip_inbox_inotify;
#endif
extern const clip_inbox_watch_ops_t clip_inbox_fsevent;

/*  The setting's value that picks the system's best back-end.  */
#define CLIP_INBOX_WATCH_AUTO "auto"

/*  The back-end a setting names: "auto" (or NULL) is inotify on Linux and
    fs_event elsewhere; "inotify" and "fs_event" name one.  NULL for a
    name that is not a back-end of this system.  */
static inline const clip_inbox_watch_ops_t *
clip_inbox_watch_find (const char *name)
{
#ifdef __linux__
    if (!name || strcmp (name, CLIP_INBOX_WATCH_AUTO) == 0 || strcmp (name, clip_inbox_inotify.name) == 0)
        return &clip_inbox_inotify;
#else
    if (!name || strcmp (name, CLIP_INBOX_WATCH_AUTO) == 0)
        return &clip_inbox_fsevent;
#endif
    if (strcmp (name, clip_inbox_fsevent.name) == 0)
        return &clip_inbox_fsevent;
    return NULL;
}

#endif
