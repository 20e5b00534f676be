/*  inbox_fsevent: the inbox's uv_fs_event back-end, for any system libuv
    runs on.  See inbox_watch.h for what it cannot tell and what the inbox
    does instead.  */
#include "inbox_watch.h"

#include <stdlib.h>
#include <string.h>

#include "clip_log.h"
#include "clip_util.h"

struct clip_inbox_watch {
    char *dir;
    char *parent;
    char *base;
    uv_fs_event_t folder;       /* the inbox folder */
    uv_fs_event_t holder;       /* the folder holding it */
    int open_handles;
    clip_inbox_watch_events_t events;
    void *arg;
};

static void
on_folder_event (uv_fs_event_t *handle, const char *filename, int events, int status)
{
    clip_inbox_watch_t *self = handle->data;
    (void) events;              /* UV_RENAME or UV_CHANGE: neither says "renamed in" */
    if (status < 0) {
        clip_warn ("inbox_watch_error", "watch=fs_event error=\"%s\"", uv_strerror (status));
        self->events.lost (self->arg);
    }
    else
    if (!filename)
        self->events.lost (self->arg);   /* the system could not name the file */
    else {
        if (strcmp (filename, self->base) == 0) {
            /*  libuv names the watched folder itself by its base name (its
                own deletion, move or change; on kqueue systems, any event):
                check the path, and look at everything.  */
            self->events.folder (self->arg, NULL);
            self->events.lost (self->arg);
        }
        /*  A rename and a create look alike here: written in place, as far
            as the inbox knows, so it waits for the settle time.  */
        self->events.file (self->arg, filename, CLIP_INBOX_CHANGED);
    }
    self->events.done (self->arg);
}

static void
on_holder_event (uv_fs_event_t *handle, const char *filename, int events, int status)
{
    clip_inbox_watch_t *self = handle->data;
    (void) events;
    /*  Only the inbox's own name matters here; an event that names nothing
        might be it.  */
    if (status < 0 || !filename || strcmp (filename, self->base) == 0)
        self->events.folder (self->arg, NULL);
}

static void
on_closed (uv_handle_t *handle)
{
    clip_inbox_watch_t *self = handle->data;
    if (--self->open_handles > 0)
        return;
    free (self->dir);
    free (self->parent);
    free (self->base);
    free (self);
}

static clip_inbox_watch_t *
fsevent_new (uv_loop_t *loop, const char *dir, const char *parent, const char *base,
             const clip_inbox_watch_events_t *events, void *arg, int *err)
{
    clip_inbox_watch_t *self = clip_calloc (1, sizeof *self);
    /*  uv_fs_event_init does not fail in libuv today; keep the contract
        anyway.  */
    int rc = uv_fs_event_init (loop, &self->folder);
    if (rc < 0) {
        free (self);
        *err = rc;
        return NULL;
    }
    self->folder.data = self;
    self->open_handles = 1;
    rc = uv_fs_event_init (loop, &self->holder);
    if (rc < 0) {
        *err = rc;
        uv_close ((uv_handle_t *) &self->folder, on_closed);
        return NULL;
    }
    self->open_handles++;
    self->dir = clip_strdup (dir);
    self->parent = clip_strdup (parent);
    self->base = clip_strdup (base);
    self->events = *events;
    self->arg = arg;
    self->holder.data = self;
    return self;
}

static void
fsevent_watch_parent (clip_inbox_watch_t *self)
{
    if (!uv_is_active ((uv_handle_t *) &self->holder))
        uv_fs_event_start (&self->holder, on_holder_event, self->parent, 0);
}

static int
fsevent_watch_folder (clip_inbox_watch_t *self)
{
    int rc = 0;
    if (!uv_is_active ((uv_handle_t *) &self->folder))
        rc = uv_fs_event_start (&self->folder, on_folder_event, self->dir, 0);
    fsevent_watch_parent (self);
    return rc;
}

static void
fsevent_unwatch (clip_inbox_watch_t *self)
{
    if (uv_is_active ((uv_handle_t *) &self->folder))
        uv_fs_event_stop (&self->folder);
    if (uv_is_active ((uv_handle_t *) &self->holder))
        uv_fs_event_stop (&self->holder);
}

static void
fsevent_destroy (clip_inbox_watch_t **self_p)
{
    clip_inbox_watch_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    uv_close ((uv_handle_t *) &self->folder, on_closed);
    uv_close ((uv_handle_t *) &self->holder, on_closed);
}

const clip_inbox_watch_ops_t clip_inbox_fsevent = {
    .name = "fs_event",
    .new = fsevent_new,
    .watch_folder = fsevent_watch_folder,
    .watch_parent = fsevent_watch_parent,
    .unwatch = fsevent_unwatch,
    .destroy = fsevent_destroy,
};
