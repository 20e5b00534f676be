/*  inbox_inotify: the inbox's inotify back-end, read through uv_poll.
    See inbox_watch.h.  Linux only (daemon/CMakeLists.txt builds it there).  */
#include "inbox_watch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "clip_log.h"
#include "clip_util.h"

#define INBOX_EVENTS (IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVED_TO           \
                      | IN_MOVED_FROM | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
/*  On the folder holding the inbox: its name going or coming.  Needed
    because the kernel reports IN_DELETE_SELF only once the last reference
    to the folder is dropped, and the inbox holds one (its descriptor).  */
#define PARENT_EVENTS (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ONLYDIR)

struct clip_inbox_watch {
    char *dir;
    char *parent;
    char *base;
    int fd;                     /* the inotify instance */
    int wd;                     /* the watch on the inbox folder, or -1 */
    int parent_wd;              /* the watch on the folder holding it, or -1 */
    uv_poll_t poll;
    clip_inbox_watch_events_t events;
    void *arg;
};

static void
on_readable (uv_poll_t *handle, int status, int revents)
{
    clip_inbox_watch_t *self = handle->data;
    (void) status;
    (void) revents;
    /*  Aligned as inotify(7) asks.  */
    char buf [16384] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
    bool rescan = false;
    const char *gone = NULL;
    for (;;) {
        ssize_t n = read (self->fd, buf, sizeof buf);
        if (n <= 0)
            break;
        for (char *p = buf; p < buf + n; ) {
            struct inotify_event *ev = (struct inotify_event *) p;
            p += sizeof *ev + ev->len;
            if (ev->mask & IN_Q_OVERFLOW)
                rescan = true;
            else
            if (ev->wd == self->parent_wd && self->parent_wd >= 0) {
                /*  The inbox's name in its parent: gone, or (when the inbox
                    watches nothing) back; the inbox tells which.  */
                if (ev->len > 0 && strcmp (ev->name, self->base) == 0 && !gone)
                    gone = ev->mask & IN_MOVED_FROM ? "moved"
                         : ev->mask & IN_DELETE ? "deleted" : "replaced";
            }
            else
            if (ev->wd != self->wd || self->wd < 0 || gone)
                ;               /* a watch already dropped, or a folder no longer ours */
            else
            if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
                gone = ev->mask & IN_MOVE_SELF ? "moved" : "deleted";
            else
            if (ev->len > 0)
                self->events.file (self->arg, ev->name,
                                   ev->mask & IN_MOVED_TO ? CLIP_INBOX_MOVED_IN
                                   : ev->mask & (IN_MOVED_FROM | IN_DELETE) ? CLIP_INBOX_GONE
                                   : CLIP_INBOX_CHANGED);
        }
    }
    if (gone)
        self->events.folder (self->arg, gone);   /* scans the new folder, if there is one */
    else
    if (rescan) {
        clip_warn ("inbox_events_overflow", "action=rescan");
        self->events.lost (self->arg);
    }
    self->events.done (self->arg);
}

static clip_inbox_watch_t *
inotify_new (uv_loop_t *loop, const char *dir, const char *parent, const char *base,
             const clip_inbox_watch_events_t *events, void *arg, int *err)
{
    int fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        *err = -errno;
        return NULL;
    }
    clip_inbox_watch_t *self = clip_calloc (1, sizeof *self);
    int rc = uv_poll_init (loop, &self->poll, fd);
    if (rc < 0) {
        close (fd);
        free (self);
        *err = rc;
        return NULL;
    }
    self->dir = clip_strdup (dir);
    self->parent = clip_strdup (parent);
    self->base = clip_strdup (base);
    self->fd = fd;
    self->wd = -1;
    self->parent_wd = -1;
    self->events = *events;
    self->arg = arg;
    self->poll.data = self;
    uv_poll_start (&self->poll, UV_READABLE, on_readable);
    return self;
}

static void
inotify_watch_parent (clip_inbox_watch_t *self)
{
    if (self->parent_wd < 0)
        self->parent_wd = inotify_add_watch (self->fd, self->parent, PARENT_EVENTS);
}

static int
inotify_watch_folder (clip_inbox_watch_t *self)
{
    /*  By path: if the folder was replaced since the inbox opened it, the
        next periodic rescan sees the identities differ and watches again.  */
    self->wd = inotify_add_watch (self->fd, self->dir, INBOX_EVENTS);
    int rc = self->wd < 0 ? -errno : 0;
    inotify_watch_parent (self);
    return rc;
}

static void
inotify_unwatch (clip_inbox_watch_t *self)
{
    if (self->wd >= 0)
        inotify_rm_watch (self->fd, self->wd);
    if (self->parent_wd >= 0)
        inotify_rm_watch (self->fd, self->parent_wd);
    self->wd = -1;
    self->parent_wd = -1;
}

static void
on_closed (uv_handle_t *handle)
{
    clip_inbox_watch_t *self = handle->data;
    close (self->fd);
    free (self->dir);
    free (self->parent);
    free (self->base);
    free (self);
}

static void
inotify_destroy (clip_inbox_watch_t **self_p)
{
    clip_inbox_watch_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    uv_close ((uv_handle_t *) &self->poll, on_closed);
}

const clip_inbox_watch_ops_t clip_inbox_inotify = {
    .name = "inotify",
    .new = inotify_new,
    .watch_folder = inotify_watch_folder,
    .watch_parent = inotify_watch_parent,
    .unwatch = inotify_unwatch,
    .destroy = inotify_destroy,
};
