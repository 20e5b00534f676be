/*  inbox: finds article files in the inbox folder and claims them.
    See inbox.h.  */
#include "inbox.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif
#include <uthash.h>
#include <utlist.h>

#include "clip_log.h"
#include "clip_util.h"

/*  Skipped names remembered so each is logged once; forgotten when full.  */
#define SKIPPED_MAX 4096

typedef struct candidate {
    char *name;
    uint64_t size;
    struct timespec mtime;
    uint64_t changed_at;        /* monotonic ms when size or mtime last changed */
    bool ready;
    struct candidate *prev, *next;  /* in the ready list, oldest first */
    UT_hash_handle hh;
} candidate_t;

typedef struct skipped {
    char *name;
    UT_hash_handle hh;
} skipped_t;

struct clip_inbox {
    uv_loop_t *loop;
    char *dir;
    char *processing;
    int dir_fd;
    clip_inbox_settings_t settings;
    clip_inbox_ready_cb on_ready;
    void *arg;
    /*  Two back-ends behind one interface: raw inotify where the kernel has
        it, since only inotify tells a file renamed in (IN_MOVED_TO) from one
        being written (libuv reports both as UV_RENAME); uv_fs_event
        elsewhere, where renamed-in files wait for the settle time.  */
    int inotify_fd;
    uv_poll_t inotify_poll;
    uv_fs_event_t watch;
    bool use_inotify;
    uv_timer_t settle_timer;
    uv_timer_t rescan_timer;
    int open_handles;
    candidate_t *candidates;    /* hash by name */
    size_t n_candidates;
    candidate_t *ready;         /* list, oldest first */
    size_t n_ready;
    skipped_t *skipped;
    size_t n_skipped;
    bool overflow;              /* a scan found more files than fit */
    bool started;
};

void
clip_inbox_settings_default (clip_inbox_settings_t *settings)
{
    settings->settle_ms = 500;
    settings->rescan_ms = 5000;
    settings->max_pending = 1024;
}

static bool
name_is_article (const char *name)
{
    size_t n = strlen (name);
    if (n == 0 || name [0] == '.')
        return false;
    if (n >= 4 && strcmp (name + n - 4, ".tmp") == 0)
        return false;
    if (n >= 5 && strcmp (name + n - 5, ".part") == 0)
        return false;
    return true;
}

static const char *
kind_name (mode_t mode)
{
    if (S_ISDIR (mode))  return "directory";
    if (S_ISLNK (mode))  return "symlink";
    if (S_ISFIFO (mode)) return "fifo";
    if (S_ISSOCK (mode)) return "socket";
    if (S_ISCHR (mode) || S_ISBLK (mode)) return "device";
    return "other";
}

static void
skip_once (clip_inbox_t *self, const char *name, const char *why)
{
    skipped_t *s = NULL;
    HASH_FIND_STR (self->skipped, name, s);
    if (s)
        return;
    if (self->n_skipped >= SKIPPED_MAX) {
        skipped_t *tmp;
        HASH_ITER (hh, self->skipped, s, tmp) {
            HASH_DEL (self->skipped, s);
            free (s->name);
            free (s);
        }
        self->n_skipped = 0;
    }
    s = clip_calloc (1, sizeof *s);
    s->name = clip_strdup (name);
    HASH_ADD_KEYPTR (hh, self->skipped, s->name, strlen (s->name), s);
    self->n_skipped++;
    char q [600];
    clip_warn ("skipped", "file=%s reason=%s", clip_log_quote (q, sizeof q, name), why);
}

static void
forget_skipped (clip_inbox_t *self, const char *name)
{
    skipped_t *s = NULL;
    HASH_FIND_STR (self->skipped, name, s);
    if (s) {
        HASH_DEL (self->skipped, s);
        free (s->name);
        free (s);
        self->n_skipped--;
    }
}

static void
candidate_remove (clip_inbox_t *self, candidate_t *c)
{
    if (c->ready) {
        DL_DELETE (self->ready, c);
        self->n_ready--;
    }
    HASH_DEL (self->candidates, c);
    self->n_candidates--;
    free (c->name);
    free (c);
}

static bool
timespec_eq (struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/*  Look at one name in the inbox and update its candidate.  moved_in says
    the kernel reported it renamed into the folder.  Returns true if the
    candidate became ready.  */
static bool
observe (clip_inbox_t *self, const char *name, bool moved_in)
{
    if (!name_is_article (name))
        return false;
    candidate_t *c = NULL;
    HASH_FIND_STR (self->candidates, name, c);
    struct stat st;
    if (fstatat (self->dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (c)
            candidate_remove (self, c);
        forget_skipped (self, name);
        return false;
    }
    if (!S_ISREG (st.st_mode)) {
        if (c)
            candidate_remove (self, c);
        skip_once (self, name, kind_name (st.st_mode));
        return false;
    }
    uint64_t now = clip_mono_ms ();
    if (!c) {
        if (self->n_candidates >= self->settings.max_pending) {
            self->overflow = true;
            return false;
        }
        c = clip_calloc (1, sizeof *c);
        c->name = clip_strdup (name);
        c->size = (uint64_t) st.st_size;
        c->mtime = st.st_mtim;
        c->changed_at = now;
        HASH_ADD_KEYPTR (hh, self->candidates, c->name, strlen (c->name), c);
        self->n_candidates++;
    }
    else
    if (c->size != (uint64_t) st.st_size || !timespec_eq (c->mtime, st.st_mtim)) {
        /*  Still being written: start the settle period again.  */
        c->size = (uint64_t) st.st_size;
        c->mtime = st.st_mtim;
        c->changed_at = now;
        if (c->ready) {
            DL_DELETE (self->ready, c);
            self->n_ready--;
            c->ready = false;
        }
    }
    if (c->ready)
        return false;
    uint64_t mtime_ms = (uint64_t) st.st_mtim.tv_sec * 1000 + (uint64_t) st.st_mtim.tv_nsec / 1000000;
    uint64_t wall = clip_now_ms ();
    bool renamed_in = moved_in;
    bool old = wall >= mtime_ms + self->settings.settle_ms;
    bool settled = now >= c->changed_at + self->settings.settle_ms;
    if (renamed_in || old || settled) {
        c->ready = true;
        DL_APPEND (self->ready, c);
        self->n_ready++;
        return true;
    }
    return false;
}

static void
scan (clip_inbox_t *self)
{
    /*  A fresh descriptor each time: readdir on a shared one would need a
        rewind and would race with our own renames out of the folder.  */
    int fd = openat (self->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close (fd);
        char q [600];
        clip_error ("inbox_scan_failed", "dir=%s error=\"%s\"",
                    clip_log_quote (q, sizeof q, self->dir), strerror (errno));
        return;
    }
    self->overflow = false;
    bool any = false;
    struct dirent *e;
    while ((e = readdir (d)) != NULL) {
        if (observe (self, e->d_name, false))
            any = true;
        if (self->overflow)
            break;
    }
    closedir (d);
    if (any || self->n_ready)
        self->on_ready (self, self->arg);
}

static void
on_fs_event (uv_fs_event_t *handle, const char *filename, int events, int status)
{
    clip_inbox_t *self = handle->data;
    if (status < 0) {
        clip_warn ("inbox_watch_error", "error=\"%s\"", uv_strerror (status));
        scan (self);
        return;
    }
    if (!filename) {
        /*  The kernel could not name the file: look at everything.  */
        scan (self);
        return;
    }
    if (observe (self, filename, false))
        self->on_ready (self, self->arg);
}

#ifdef __linux__
static void
on_inotify (uv_poll_t *handle, int status, int events)
{
    clip_inbox_t *self = handle->data;
    /*  Aligned as inotify(7) asks.  */
    char buf [16384] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
    bool any = false, rescan = false;
    for (;;) {
        ssize_t n = read (self->inotify_fd, buf, sizeof buf);
        if (n <= 0)
            break;
        for (char *p = buf; p < buf + n; ) {
            struct inotify_event *ev = (struct inotify_event *) p;
            if (ev->mask & IN_Q_OVERFLOW)
                rescan = true;
            else
            if (ev->len > 0 && observe (self, ev->name, (ev->mask & IN_MOVED_TO) != 0))
                any = true;
            p += sizeof *ev + ev->len;
        }
    }
    if (rescan) {
        clip_warn ("inbox_events_overflow", "action=rescan");
        scan (self);
    }
    else
    if (any)
        self->on_ready (self, self->arg);
}
#endif

static void
watch_start (clip_inbox_t *self)
{
#ifdef __linux__
    self->inotify_fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
    if (self->inotify_fd >= 0
    &&  inotify_add_watch (self->inotify_fd, self->dir,
                           IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVED_TO
                           | IN_MOVED_FROM | IN_DELETE | IN_ONLYDIR) >= 0
    &&  uv_poll_init (self->loop, &self->inotify_poll, self->inotify_fd) == 0) {
        self->use_inotify = true;
        self->inotify_poll.data = self;
        self->open_handles++;
        uv_poll_start (&self->inotify_poll, UV_READABLE, on_inotify);
        return;
    }
    if (self->inotify_fd >= 0)
        close (self->inotify_fd);
    self->inotify_fd = -1;
#endif
    uv_fs_event_init (self->loop, &self->watch);
    self->watch.data = self;
    self->open_handles++;
    int rc = uv_fs_event_start (&self->watch, on_fs_event, self->dir, 0);
    if (rc < 0) {
        /*  Keep going on the timers alone: slower, but nothing is missed.  */
        char q [600];
        clip_warn ("inbox_watch_unavailable", "dir=%s error=\"%s\"",
                   clip_log_quote (q, sizeof q, self->dir), uv_strerror (rc));
    }
}

static void
on_settle_timer (uv_timer_t *timer)
{
    clip_inbox_t *self = timer->data;
    bool any = false;
    candidate_t *c, *tmp;
    HASH_ITER (hh, self->candidates, c, tmp) {
        if (!c->ready) {
            /*  observe may free c; copy the name first.  */
            char *name = clip_strdup (c->name);
            if (observe (self, name, false))
                any = true;
            free (name);
        }
    }
    if (self->overflow && self->n_candidates < self->settings.max_pending / 2)
        scan (self);
    else
    if (any)
        self->on_ready (self, self->arg);
}

static void
on_rescan_timer (uv_timer_t *timer)
{
    scan (timer->data);
}

clip_inbox_t *
clip_inbox_new (uv_loop_t *loop, const char *inbox_dir, const char *processing_dir,
                const clip_inbox_settings_t *settings, clip_inbox_ready_cb on_ready, void *arg)
{
    clip_inbox_t *self = clip_calloc (1, sizeof *self);
    self->loop = loop;
    self->dir = clip_strdup (inbox_dir);
    self->processing = clip_strdup (processing_dir);
    self->dir_fd = -1;
    self->inotify_fd = -1;
    if (settings)
        self->settings = *settings;
    else
        clip_inbox_settings_default (&self->settings);
    if (self->settings.max_pending == 0)
        self->settings.max_pending = 1;
    self->on_ready = on_ready;
    self->arg = arg;
    return self;
}

int
clip_inbox_start (clip_inbox_t *self)
{
    assert (!self->started);
    self->dir_fd = open (self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (self->dir_fd < 0)
        return -errno;
    self->started = true;
    watch_start (self);
    uv_timer_init (self->loop, &self->settle_timer);
    uv_timer_init (self->loop, &self->rescan_timer);
    self->settle_timer.data = self;
    self->rescan_timer.data = self;
    self->open_handles += 2;
    uint64_t tick = self->settings.settle_ms / 2;
    if (tick < 20)
        tick = 20;
    uv_timer_start (&self->settle_timer, on_settle_timer, tick, tick);
    uv_timer_start (&self->rescan_timer, on_rescan_timer,
                    self->settings.rescan_ms, self->settings.rescan_ms);
    scan (self);
    return 0;
}

size_t
clip_inbox_ready_count (const clip_inbox_t *self)
{
    return self->n_ready;
}

char *
clip_claim_filename (uint64_t claim, const char *name)
{
    char *full = clip_strprintf ("%020llu_%s", (unsigned long long) claim, name);
    if (strlen (full) > NAME_MAX) {
        /*  Cut on a UTF-8 character boundary.  */
        size_t cut = NAME_MAX;
        while (cut > 0 && ((unsigned char) full [cut] & 0xC0) == 0x80)
            cut--;
        full [cut] = 0;
    }
    return full;
}

int
clip_claim_parse (const char *filename, uint64_t *claim, char **name)
{
    if (strlen (filename) < 22 || filename [20] != '_')
        return -1;
    uint64_t v = 0;
    for (int i = 0; i < 20; i++) {
        if (filename [i] < '0' || filename [i] > '9')
            return -1;
        v = v * 10 + (uint64_t) (filename [i] - '0');
    }
    *claim = v;
    *name = clip_strdup (filename + 21);
    return 0;
}

void
clip_claim_clear (clip_claim_t *claim)
{
    free (claim->name);
    free (claim->path);
    claim->name = NULL;
    claim->path = NULL;
}

int
clip_inbox_claim (clip_inbox_t *self, uint64_t claim, clip_claim_t *out)
{
    while (self->ready) {
        candidate_t *c = self->ready;
        char q [600];
        clip_log_quote (q, sizeof q, c->name);
        /*  Look once more: the file may have changed or gone since it was
            found ready.  */
        struct stat st;
        if (fstatat (self->dir_fd, c->name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            clip_warn ("vanished", "file=%s", q);
            candidate_remove (self, c);
            continue;
        }
        if (!S_ISREG (st.st_mode)) {
            skip_once (self, c->name, kind_name (st.st_mode));
            candidate_remove (self, c);
            continue;
        }
        if ((uint64_t) st.st_size != c->size || !timespec_eq (st.st_mtim, c->mtime)) {
            char *name = clip_strdup (c->name);
            observe (self, name, false);
            free (name);
            continue;
        }
        char *target_name = clip_claim_filename (claim, c->name);
        char *target = clip_path_join (self->processing, target_name);
        free (target_name);
        char *source = clip_path_join (self->dir, c->name);
        int rc = rename (source, target);
        int e = errno;
        free (source);
        if (rc != 0) {
            if (e == ENOENT)
                clip_warn ("vanished", "file=%s", q);
            else {
                clip_error ("claim_failed", "file=%s error=\"%s\"", q, strerror (e));
                skip_once (self, c->name, "cannot_move");
            }
            free (target);
            candidate_remove (self, c);
            continue;
        }
        out->claim = claim;
        out->name = clip_strdup (c->name);
        out->path = target;
        out->size = (uint64_t) st.st_size;
        candidate_remove (self, c);
        return 1;
    }
    return 0;
}

static void
on_handle_closed (uv_handle_t *handle)
{
    clip_inbox_t *self = handle->data;
    if (--self->open_handles > 0)
        return;
    if (self->inotify_fd >= 0)
        close (self->inotify_fd);
    free (self);
}

void
clip_inbox_destroy (clip_inbox_t **self_p)
{
    assert (self_p);
    clip_inbox_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    candidate_t *c, *tmp;
    HASH_ITER (hh, self->candidates, c, tmp)
        candidate_remove (self, c);
    skipped_t *s, *stmp;
    HASH_ITER (hh, self->skipped, s, stmp) {
        HASH_DEL (self->skipped, s);
        free (s->name);
        free (s);
    }
    if (self->dir_fd >= 0)
        close (self->dir_fd);
    free (self->dir);
    free (self->processing);
    if (!self->started) {
        free (self);
        return;
    }
    if (self->use_inotify)
        uv_close ((uv_handle_t *) &self->inotify_poll, on_handle_closed);
    else
        uv_close ((uv_handle_t *) &self->watch, on_handle_closed);
    uv_close ((uv_handle_t *) &self->settle_timer, on_handle_closed);
    uv_close ((uv_handle_t *) &self->rescan_timer, on_handle_closed);
}
