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
#include <jansson.h>
#include <uthash.h>
#include <utlist.h>

#include "clip_defaults.h"
#include "clip_log.h"
#include "clip_utf8.h"
#include "clip_util.h"
#include "inbox_watch.h"

/*  Skipped names remembered so each is logged once; forgotten when full.  */
#define SKIPPED_MAX 4096
/*  Re-watching a missing inbox: first retry, and the longest wait.  */
#define REWATCH_FIRST_MS 100
#define REWATCH_MAX_MS 5000
/*  "<20 digits>_": the claim prefix.  */
#define CLAIM_PREFIX 21
/*  A sidecar is a few hundred bytes; anything much larger is not ours.  */
#define SIDECAR_MAX 4096

typedef struct candidate {
    char *name;
    uint64_t size;
    struct timespec mtime;
    uint64_t changed_at;        /* monotonic ms when size or mtime last changed */
    bool stated;                /* size and mtime are known (false: renamed in, not looked at) */
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
    int dir_fd;                 /* the watched folder; -1 while it cannot be */
    dev_t dir_dev;              /* its identity, to notice it was replaced */
    ino_t dir_ino;
    clipd_metrics_t *metrics;   /* may be NULL */
    clip_inbox_settings_t settings;
    clip_inbox_ready_cb on_ready;
    void *arg;
    /*  The back-end that reports events (inbox_watch.h): chosen by
        settings.watch; NULL ops when the setting names none of this
        system's.  */
    const clip_inbox_watch_ops_t *watch_ops;
    bool watch_auto;            /* "auto": fall back to fs_event if inotify fails */
    clip_inbox_watch_t *watch;  /* created by clip_inbox_start */
    char *parent;               /* the folder holding the inbox */
    char *base;                 /* the inbox's name in it */
    bool any_ready;             /* events made candidates ready since on_ready */
    uv_timer_t settle_timer;
    uv_timer_t rescan_timer;
    uv_timer_t refill_timer;    /* the scan once a full table has room (refill) */
    uv_timer_t rewatch_timer;   /* retries a missing inbox with back-off */
    uint64_t rewatch_delay_ms;
    uint64_t missing_since;     /* monotonic ms the path was first found missing, or 0 */
    const char *rewatch_reason; /* why the folder is being watched again */
    bool logged_unwatched;      /* the inbox_unwatched warning was logged */
    bool logged_copy;           /* claiming by copy was logged */
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
    settings->settle_ms = CLIP_DEFAULT_SETTLE_MS;
    settings->rescan_ms = CLIP_DEFAULT_RESCAN_MS;
    settings->max_pending = CLIP_DEFAULT_MAX_PENDING;
    settings->watch = CLIP_INBOX_WATCH_AUTO;
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

/*  A new candidate for name, not ready, its size and mtime not known.  */
static candidate_t *
candidate_add (clip_inbox_t *self, const char *name, uint64_t now)
{
    candidate_t *c = clip_calloc (1, sizeof *c);
    c->name = clip_strdup (name);
    c->changed_at = now;
    HASH_ADD_KEYPTR (hh, self->candidates, c->name, strlen (c->name), c);
    self->n_candidates++;
    return c;
}

static void
candidate_set_ready (clip_inbox_t *self, candidate_t *c)
{
    c->ready = true;
    DL_APPEND (self->ready, c);
    self->n_ready++;
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

/*  Look at one name in the inbox and update its candidate.  what says what
    the back-end knows (inbox_watch.h): renamed in, gone, or only that
    something happened.  Returns true if the candidate became ready.  A
    stat per event and per article is most of the inbox's cost in a burst,
    so none is made when the answer is known without it: the name is gone
    (the event says so, in order), or it is new and the table is full (the
    rescan that follows room will look at it).  */
static bool
observe (clip_inbox_t *self, const char *name, clip_inbox_file_event_t what)
{
    if (self->dir_fd < 0 || !name_is_article (name))
        return false;
    candidate_t *c = NULL;
    HASH_FIND_STR (self->candidates, name, c);
    if (what == CLIP_INBOX_GONE) {
        if (c)
            candidate_remove (self, c);
        forget_skipped (self, name);
        return false;
    }
    if (!c && self->n_candidates >= self->settings.max_pending) {
        self->overflow = true;
        return false;
    }
    if (!c && what == CLIP_INBOX_MOVED_IN) {
        /*  Renamed in: ready at once whatever its size and times, and the
            claim stats it anyway (is it still there, still a regular
            file?), so it is not looked at here: one stat an article in a
            burst instead of two (issue 12).  */
        candidate_set_ready (self, candidate_add (self, name, clip_mono_ms ()));
        return true;
    }
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
    if (!c || !c->stated) {
        /*  New, or renamed in and not looked at until now: its first look,
            not a change (a renamed-in candidate stays ready).  */
        if (!c)
            c = candidate_add (self, name, now);
        c->size = (uint64_t) st.st_size;
        c->mtime = st.st_mtim;
        c->stated = true;
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
    bool renamed_in = what == CLIP_INBOX_MOVED_IN;
    bool old = wall >= mtime_ms + self->settings.settle_ms;
    bool settled = now >= c->changed_at + self->settings.settle_ms;
    if (renamed_in || old || settled) {
        candidate_set_ready (self, c);
        return true;
    }
    return false;
}

/*  Forget every candidate and skipped name: they belong to a folder that is
    no longer the inbox.  */
static void
forget_all (clip_inbox_t *self)
{
    candidate_t *c, *tmp;
    HASH_ITER (hh, self->candidates, c, tmp)
        candidate_remove (self, c);
    skipped_t *s, *stmp;
    HASH_ITER (hh, self->skipped, s, stmp) {
        HASH_DEL (self->skipped, s);
        free (s->name);
        free (s);
    }
    self->n_skipped = 0;
    self->overflow = false;
}

static void
scan (clip_inbox_t *self)
{
    if (self->dir_fd < 0)
        return;                 /* the folder is being watched again */
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
        /*  A name already a candidate is looked at by the settle timer
            (not ready yet) or by the claim (ready), not again here: a
            burst larger than the table rescans each time half of it is
            free, and would stat every waiting candidate each time.  */
        candidate_t *c = NULL;
        HASH_FIND_STR (self->candidates, e->d_name, c);
        if (!c && observe (self, e->d_name, CLIP_INBOX_CHANGED))
            any = true;
        if (self->overflow)
            break;
    }
    closedir (d);
    if (any || self->n_ready)
        self->on_ready (self, self->arg);
}

/*  ------------------------------------------------------------------ */
/*  Watching the folder, and watching it again when it is replaced      */

static void watch_again (clip_inbox_t *self);

/*  Drop the watch, the folder descriptor and what was known of the folder,
    then watch the path again (now, or with back-off while it is missing).  */
static void
rewatch (clip_inbox_t *self, const char *reason)
{
    if (self->watch)
        self->watch_ops->unwatch (self->watch);
    if (self->dir_fd >= 0)
        close (self->dir_fd);
    self->dir_fd = -1;
    forget_all (self);
    self->rewatch_reason = reason;
    self->rewatch_delay_ms = REWATCH_FIRST_MS;
    self->missing_since = 0;
    watch_again (self);
}

/*  Whether the inbox's path still names the folder watched: when not
    (missing, unreadable, another folder), watch the path again, logging
    why (or what was found, when why is NULL), and return true.  The
    identity is sound because dir_fd holds the watched folder: its inode
    cannot be reused while it is open.  */
static bool
check_path (clip_inbox_t *self, const char *why)
{
    struct stat st;
    const char *reason = NULL;
    if (stat (self->dir, &st) != 0)
        reason = errno == ENOENT ? "missing" : "unreadable";
    else
    if (st.st_dev != self->dir_dev || st.st_ino != self->dir_ino)
        reason = "replaced";
    if (reason)
        rewatch (self, why ? why : reason);
    return reason != NULL;
}

/*  What the back-end reports (clip_inbox_watch_events_t).  */
static void
on_watch_file (void *arg, const char *name, clip_inbox_file_event_t what)
{
    clip_inbox_t *self = arg;
    if (observe (self, name, what))
        self->any_ready = true;
}

static void
on_watch_done (void *arg)
{
    clip_inbox_t *self = arg;
    if (self->any_ready) {
        self->any_ready = false;
        self->on_ready (self, self->arg);
    }
}

static void
on_watch_folder (void *arg, const char *reason)
{
    clip_inbox_t *self = arg;
    if (self->dir_fd < 0) {
        /*  Nothing is watched and the name is back: try now.  */
        self->rewatch_delay_ms = REWATCH_FIRST_MS;
        watch_again (self);
    }
    else
        /*  Even when the back-end knows the watched folder went, compare:
            its name coming back on the parent may be our own mkdir (a
            missing inbox recreated), which is no reason to watch again.  */
        check_path (self, reason);  /* scans the new folder, if there is one */
}

static void
on_watch_lost (void *arg)
{
    scan (arg);
}

static const clip_inbox_watch_events_t watch_events = {
    .file = on_watch_file, .done = on_watch_done, .folder = on_watch_folder, .lost = on_watch_lost,
};

/*  The back-end, whatever folder: created once.  Returns 0 or a negative
    errno (the back-end asked for is not available).  */
static int
watcher_init (clip_inbox_t *self)
{
    if (!self->watch_ops)
        return -EINVAL;
    int err = 0;
    self->watch = self->watch_ops->new (self->loop, self->dir, self->parent, self->base,
                                        &watch_events, self, &err);
    if (!self->watch && self->watch_auto && self->watch_ops != &clip_inbox_fsevent) {
        /*  Out of inotify instances, say: libuv's own may still work, and
            the timers see every file anyway.  */
        clip_warn ("inbox_watch_fallback", "watch=%s error=\"%s\" action=use_fs_event",
                   self->watch_ops->name, strerror (-err));
        self->watch_ops = &clip_inbox_fsevent;
        self->watch = self->watch_ops->new (self->loop, self->dir, self->parent, self->base,
                                            &watch_events, self, &err);
    }
    if (!self->watch)
        return err;
    clip_info ("inbox_watch", "watch=%s", self->watch_ops->name);
    return 0;
}

/*  Open the folder at the inbox path and watch it.  Returns 0 or a negative
    errno (the folder cannot be opened: nothing is watched).  */
static int
watch_folder (clip_inbox_t *self)
{
    int fd = open (self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat (fd, &st) != 0) {
        int rc = -errno;
        if (fd >= 0)
            close (fd);
        return rc;
    }
    self->dir_fd = fd;
    self->dir_dev = st.st_dev;
    self->dir_ino = st.st_ino;
    /*  By path: if it was replaced since the open, the next periodic rescan
        sees the identities differ and watches again.  */
    int rc = self->watch_ops->watch_folder (self->watch);
    if (rc < 0) {
        /*  Keep going on the timers alone: slower, but nothing is missed.  */
        char q [600];
        clip_warn ("inbox_watch_unavailable", "dir=%s error=\"%s\"",
                   clip_log_quote (q, sizeof q, self->dir), strerror (-rc));
    }
    return 0;
}

static void
on_rewatch_timer (uv_timer_t *timer)
{
    watch_again (timer->data);
}

static void
watch_again (clip_inbox_t *self)
{
    char q [600];
    clip_log_quote (q, sizeof q, self->dir);
    int rc = watch_folder (self);
    if (rc == -ENOENT) {
        /*  Recreated only after a while, so that an operator's own
            `rm -rf inbox; mkdir inbox` is not met with "File exists".  */
        uint64_t now = clip_mono_ms ();
        if (!self->missing_since)
            self->missing_since = now;
        if (now - self->missing_since >= INBOX_RECREATE_MS) {
            rc = clip_mkdirs (self->dir, 0755);
            if (rc == 0) {
                clip_warn ("inbox_recreated", "inbox=%s", q);
                rc = watch_folder (self);
            }
        }
    }
    if (rc < 0) {
        /*  Watch for the name to come back, when the parent is there.  */
        self->watch_ops->watch_parent (self->watch);
        CLIPD_METRIC_SET (self->metrics, inbox_unwatched, 1);
        if (!self->logged_unwatched)
            clip_warn ("inbox_unwatched", "inbox=%s reason=%s error=\"%s\" action=retry",
                       q, self->rewatch_reason, strerror (-rc));
        self->logged_unwatched = true;
        uv_timer_start (&self->rewatch_timer, on_rewatch_timer, self->rewatch_delay_ms, 0);
        self->rewatch_delay_ms *= 2;
        if (self->rewatch_delay_ms > REWATCH_MAX_MS)
            self->rewatch_delay_ms = REWATCH_MAX_MS;
        return;
    }
    CLIPD_METRIC_SET (self->metrics, inbox_unwatched, 0);
    CLIPD_METRIC_ADD (self->metrics, inbox_rewatched, 1);
    clip_warn ("inbox_rewatched", "inbox=%s reason=%s", q, self->rewatch_reason);
    self->logged_unwatched = false;
    self->missing_since = 0;
    uv_timer_stop (&self->rewatch_timer);
    scan (self);
}

/*  A scan found the table full and half of it is free again: time to look
    for the names it could not hold (on_settle_timer, refill).  */
static bool
room_after_overflow (const clip_inbox_t *self)
{
    return self->overflow && self->n_candidates < self->settings.max_pending / 2;
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
            if (observe (self, name, CLIP_INBOX_CHANGED))
                any = true;
            free (name);
        }
    }
    if (room_after_overflow (self))
        scan (self);
    else
    if (any)
        self->on_ready (self, self->arg);
}

static void
on_refill_timer (uv_timer_t *timer)
{
    scan (timer->data);
}

/*  A scan found the table full (overflow) and the claims have since emptied
    half of it: scan again on the next turn of the loop, not at the settle
    timer's next tick.  Claims drain a full table of 1,024 in about a
    quarter of a second in a burst, which is also the settle tick: waiting
    for it left the workers idle for tens of milliseconds each time (issue
    12).  Deferred, not called here: the scan reports ready candidates to
    the owner, who is in the middle of claiming.  Half, not one: each scan
    reads the folder, so it should find many names, not one.  */
static void
refill (clip_inbox_t *self)
{
    if (self->started && room_after_overflow (self)
    &&  !uv_is_active ((uv_handle_t *) &self->refill_timer))
        uv_timer_start (&self->refill_timer, on_refill_timer, 0, 0);
}

static void
on_rescan_timer (uv_timer_t *timer)
{
    clip_inbox_t *self = timer->data;
    if (self->dir_fd < 0)
        return;                 /* the rewatch timer is at work */
    /*  The back-ends say when the watched folder goes, but not when another
        folder takes its path while the event was lost or the watch could
        not be set (or a file system is mounted over it): compare
        identities.  */
    if (!check_path (self, NULL))
        scan (self);
}

/*  ------------------------------------------------------------------ */
/*  Claim names, sidecars, claiming                                     */

/*  claim as "%020llu" (20 digits hold every uint64_t) into out, without
    printf: a claim is named, and its path built, for every article on the
    loop (issue 12).  */
static void
format_claim_id (char out [20], uint64_t claim)
{
    for (int i = 19; i >= 0; i--) {
        out [i] = (char) ('0' + claim % 10);
        claim /= 10;
    }
}

/*  clip_claim_filename into out; returns its length, or 0 when the name
    has to be cut (then clip_claim_filename builds it).  */
static size_t
claim_filename_into (char out [NAME_MAX + 1], uint64_t claim, const char *name)
{
    size_t len = strlen (name);
    if (CLAIM_PREFIX + len > NAME_MAX)
        return 0;
    format_claim_id (out, claim);
    out [20] = '_';
    memcpy (out + CLAIM_PREFIX, name, len + 1);
    return CLAIM_PREFIX + len;
}

char *
clip_claim_filename (uint64_t claim, const char *name)
{
    char buf [NAME_MAX + 1];
    size_t len = claim_filename_into (buf, claim, name);
    if (len)
        return clip_strndup (buf, len);
    char *full = clip_strprintf ("%020llu_%s", (unsigned long long) claim, name);
    /*  Cut on a UTF-8 character boundary (a name that is not UTF-8
        anywhere); the full name is in the sidecar.  */
    full [clip_utf8_cut (full, strlen (full), NAME_MAX)] = 0;
    return full;
}

static bool
parse_claim_id (const char *s, uint64_t *claim)
{
    uint64_t v = 0;
    for (int i = 0; i < 20; i++) {
        if (s [i] < '0' || s [i] > '9')
            return false;
        uint64_t d = (uint64_t) (s [i] - '0');
        /*  19 digits stay below 10^19 < 2^64: only the last can overflow,
            so one division a name, not twenty (every article's release
            parses its claim).  */
        if (i == 19 && v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *claim = v;
    return true;
}

int
clip_claim_parse (const char *filename, uint64_t *claim, char **name)
{
    if (strlen (filename) < CLAIM_PREFIX + 1 || filename [20] != '_'
    ||  !parse_claim_id (filename, claim))
        return -1;
    *name = clip_strdup (filename + CLAIM_PREFIX);
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

static char *
sidecar_path (const char *processing_dir, uint64_t claim)
{
    size_t dl = strlen (processing_dir);
    char *path = clip_malloc (dl + sizeof "/.01234567890123456789.claim");
    memcpy (path, processing_dir, dl);
    memcpy (path + dl, "/.", 2);
    format_claim_id (path + dl + 2, claim);
    memcpy (path + dl + 22, ".claim", sizeof ".claim");
    return path;
}

/*  The sidecar: a header line, the copied file's identity for copy claims,
    and the name, raw, to the end (a name may hold any byte but '/' and NUL,
    newlines included, and need not be UTF-8).  */
#define SIDECAR_MAGIC "clipd-claim 1\n"

static int
sidecar_write (const char *path, const char *name, const struct stat *src)
{
    char *text;
    if (src)
        text = clip_strprintf (SIDECAR_MAGIC "source %llu %llu %lld %ld %lld\nname %s",
                               (unsigned long long) src->st_dev, (unsigned long long) src->st_ino,
                               (long long) src->st_ctim.tv_sec, (long) src->st_ctim.tv_nsec,
                               (long long) src->st_size, name);
    else
        text = clip_strprintf (SIDECAR_MAGIC "name %s", name);
    int rc = clip_file_write_durable (path, text, strlen (text));
    free (text);
    return rc;
}

/*  Read a sidecar: *name (caller owns) and, when has_src, the identity of
    the file copied.  Returns 0, -ENOENT, or -EINVAL when it is not one.  */
static int
sidecar_read (const char *path, char **name, struct stat *src, bool *has_src)
{
    char *data = NULL;
    size_t len = 0;
    int rc = clip_file_read (path, SIDECAR_MAX, &data, &len);
    if (rc != 0)
        return rc;
    *has_src = false;
    memset (src, 0, sizeof *src);
    const char *p = data;
    rc = -EINVAL;
    if (strlen (data) != len || strncmp (p, SIDECAR_MAGIC, strlen (SIDECAR_MAGIC)) != 0)
        goto out;
    p += strlen (SIDECAR_MAGIC);
    if (strncmp (p, "source ", 7) == 0) {
        unsigned long long dev, ino;
        long long sec, size;
        long nsec;
        int used = 0;
        if (sscanf (p, "source %llu %llu %lld %ld %lld\n%n", &dev, &ino, &sec, &nsec, &size, &used) != 5
        ||  used == 0)
            goto out;
        src->st_dev = (dev_t) dev;
        src->st_ino = (ino_t) ino;
        src->st_ctim.tv_sec = (time_t) sec;
        src->st_ctim.tv_nsec = nsec;
        src->st_size = (off_t) size;
        *has_src = true;
        p += used;
    }
    if (strncmp (p, "name ", 5) != 0)
        goto out;
    p += 5;
    size_t n = strlen (p);
    if (n == 0 || n > NAME_MAX || strchr (p, '/') || strcmp (p, ".") == 0 || strcmp (p, "..") == 0)
        goto out;
    *name = clip_strdup (p);
    rc = 0;
out:
    free (data);
    return rc;
}

static int
copy_fd (int in, int out)
{
    size_t size = 65536;
    char *buf = clip_malloc (size);
    int rc = 0;
    for (;;) {
        ssize_t n = read (in, buf, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = -errno;
            break;
        }
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n; ) {
            ssize_t w = write (out, buf + off, (size_t) (n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                rc = -errno;
                break;
            }
            off += w;
        }
        if (rc)
            break;
    }
    free (buf);
    return rc;
}

static bool
same_file_unchanged (const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size
        && timespec_eq (a->st_mtim, b->st_mtim) && timespec_eq (a->st_ctim, b->st_ctim);
}

/*  Steps 1 to 4 of "Claiming by copy" in inbox.h.  */
static int
claim_by_copy (int src_dirfd, const char *name, const char *processing_dir, uint64_t claim,
               const char *target, const char *sidecar, bool *twin_gone)
{
    *twin_gone = false;
    int in = openat (src_dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (in < 0)
        return -errno;
    char *tmp = clip_strprintf ("%s/.%020llu.tmp", processing_dir, (unsigned long long) claim);
    struct stat before, after;
    int out = -1;
    int rc = 0;
    if (fstat (in, &before) != 0)
        rc = -errno;
    else
    if (!S_ISREG (before.st_mode))
        rc = -EINVAL;
    if (rc == 0 && (out = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
        rc = -errno;
    if (rc == 0)
        rc = copy_fd (in, out);
    if (rc == 0 && fsync (out) != 0)
        rc = -errno;
    if (out >= 0 && close (out) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && fstat (in, &after) != 0)
        rc = -errno;
    if (rc == 0 && !same_file_unchanged (&before, &after))
        rc = -EAGAIN;           /* still being written: look again later */
    if (rc == 0)
        rc = sidecar_write (sidecar, name, &before);
    if (rc == 0 && rename (tmp, target) != 0)
        rc = -errno;
    if (rc == 0)
        rc = clip_fsync_dir (processing_dir, true);
    if (rc == 0) {
        struct stat now;
        if (fstatat (src_dirfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0
        &&  now.st_dev == before.st_dev && now.st_ino == before.st_ino) {
            if (unlinkat (src_dirfd, name, 0) != 0) {
                /*  The inbox keeps the only copy: undo the claim.  */
                rc = -errno;
                unlink (target);
            }
            else
                /*  If lost, recovery removes the twin (the sidecar stays).  */
                *twin_gone = fsync (src_dirfd) == 0;
        }
        else
            /*  The name was removed or replaced since the open: the copy
                is of the file opened, which is nobody else's now.  */
            *twin_gone = true;
    }
    if (rc != 0)
        unlink (tmp);
    close (in);
    free (tmp);
    return rc;
}

/*  clip_claim_take; known, when not NULL, is the file's stat made by the
    caller just before, whose size a rename keeps (a copy stats its own).  */
static int
claim_take (int src_dirfd, const char *name, const char *processing_dir, uint64_t claim,
            const struct stat *known, clip_claim_t *out)
{
    char buf [NAME_MAX + 1];
    bool cut = claim_filename_into (buf, claim, name) == 0;
    char *target;
    if (cut) {
        char *target_name = clip_claim_filename (claim, name);
        target = clip_path_join (processing_dir, target_name);
        free (target_name);
    }
    else
        target = clip_path_join (processing_dir, buf);
    /*  The sidecar's path only when there is one to write: a cut name, or
        a copy (one path fewer per article).  */
    char *sidecar = cut ? sidecar_path (processing_dir, claim) : NULL;
    bool copied = false, twin_gone = false;
    int rc = cut ? sidecar_write (sidecar, name, NULL) : 0;
    if (rc == 0 && renameat (src_dirfd, name, AT_FDCWD, target) != 0) {
        rc = -errno;
        if (rc == -EXDEV) {
            if (!sidecar)
                sidecar = sidecar_path (processing_dir, claim);
            rc = claim_by_copy (src_dirfd, name, processing_dir, claim, target, sidecar,
                                &twin_gone);
            copied = true;
        }
    }
    /*  A copy's sidecar told recovery which inbox file is its twin; once
        that file is durably gone, only a cut name still needs it, so that
        clip_claim_release knows from the names alone whether there is one.  */
    if (rc == 0 && copied && twin_gone && !cut)
        unlink (sidecar);
    if (rc != 0) {
        if (cut || copied)
            unlink (sidecar);
        free (sidecar);
        free (target);
        return rc;
    }
    struct stat st;
    out->claim = claim;
    out->name = clip_strdup (name);
    out->path = target;
    if (known && !copied)
        out->size = (uint64_t) known->st_size;
    else
        out->size = stat (target, &st) == 0 ? (uint64_t) st.st_size : 0;
    out->copied = copied;
    free (sidecar);
    return 0;
}

int
clip_claim_take (int src_dirfd, const char *name, const char *processing_dir, uint64_t claim,
                 clip_claim_t *out)
{
    return claim_take (src_dirfd, name, processing_dir, claim, NULL, out);
}

/*  A copy claim interrupted before its inbox file was unlinked: unlink it
    now if it is the very file copied (see inbox.h).  */
static void
remove_twin (const char *inbox_dir, const char *name, const struct stat *src)
{
    int dfd = open (inbox_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return;
    struct stat st;
    if (fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG (st.st_mode)
    &&  st.st_dev == src->st_dev && st.st_ino == src->st_ino && st.st_size == src->st_size
    &&  timespec_eq (st.st_ctim, src->st_ctim)
    &&  unlinkat (dfd, name, 0) == 0) {
        fsync (dfd);
        char q [600];
        clip_info ("claim_completed", "file=%s action=removed_inbox_copy",
                   clip_log_quote (q, sizeof q, name));
    }
    close (dfd);
}

int
clip_claim_recover (const char *processing_dir, const char *inbox_dir, const char *filename,
                    uint64_t *claim, char **name)
{
    if (clip_claim_parse (filename, claim, name) != 0)
        return -1;
    char *sidecar = sidecar_path (processing_dir, *claim);
    char *full = NULL;
    struct stat src;
    bool has_src = false;
    int rc = sidecar_read (sidecar, &full, &src, &has_src);
    char q [600];
    clip_log_quote (q, sizeof q, filename);
    if (rc == 0 && strncmp (full, *name, strlen (*name)) != 0)
        rc = -EINVAL;           /* not the sidecar of this claim's name */
    if (rc == 0) {
        free (*name);
        *name = full;
        full = NULL;
        if (has_src && inbox_dir)
            remove_twin (inbox_dir, *name, &src);
    }
    else
    if (rc != -ENOENT)
        clip_warn ("claim_sidecar_invalid", "file=%s error=\"%s\" action=use_claim_name", q,
                   strerror (-rc));
    free (full);
    free (sidecar);
    return 0;
}

void
clip_claim_release (const char *path, const char *name)
{
    const char *slash = strrchr (path, '/');
    const char *base = slash ? slash + 1 : path;
    uint64_t claim;
    if (strlen (base) < CLAIM_PREFIX + 1 || base [20] != '_' || !parse_claim_id (base, &claim))
        return;
    /*  A name that was not cut has no sidecar (a copy's went once its twin
        was gone): no unlink(2) that fails, one system call fewer per
        article (issue 12).  */
    if (name && strcmp (base + CLAIM_PREFIX, name) == 0)
        return;
    char *dir = slash ? clip_strndup (path, (size_t) (slash - path)) : clip_strdup (".");
    char *sidecar = sidecar_path (dir, claim);
    unlink (sidecar);
    free (sidecar);
    free (dir);
}

static int
cmp_u64 (const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

/*  Remove what claims interrupted by a crash left in the processing folder:
    copies not yet renamed (.<claim>.tmp), sidecars being written, sidecars
    whose claim file is gone, and retire.c's error files being written
    (.<seq>.error.tmp).  Runs at start, before any claim.  */
static void
sweep_orphans (clip_inbox_t *self)
{
    DIR *d = opendir (self->processing);
    if (!d)
        return;
    uint64_t *claims = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir (d)) != NULL) {
        uint64_t claim;
        if (strlen (e->d_name) > CLAIM_PREFIX && e->d_name [20] == '_'
        &&  parse_claim_id (e->d_name, &claim)) {
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                claims = clip_realloc (claims, cap * sizeof *claims);
            }
            claims [n++] = claim;
        }
    }
    if (n)
        qsort (claims, n, sizeof *claims, cmp_u64);
    rewinddir (d);
    while ((e = readdir (d)) != NULL) {
        const char *f = e->d_name;
        uint64_t claim;
        if (f [0] != '.' || strlen (f) < 22 || f [21] != '.' || !parse_claim_id (f + 1, &claim))
            continue;           /* not a name of ours */
        if (strcmp (f + 22, "claim") == 0 && n && bsearch (&claim, claims, n, sizeof *claims, cmp_u64))
            continue;
        char *path = clip_path_join (self->processing, f);
        if (unlink (path) == 0) {
            char q [600];
            clip_info ("claim_orphan_removed", "file=%s", clip_log_quote (q, sizeof q, f));
        }
        free (path);
    }
    closedir (d);
    free (claims);
}

/*  ------------------------------------------------------------------ */
/*  The inbox                                                           */

clip_inbox_t *
clip_inbox_new (uv_loop_t *loop, const char *inbox_dir, const char *processing_dir,
                const clip_inbox_settings_t *settings, clip_inbox_ready_cb on_ready, void *arg,
                clipd_metrics_t *metrics)
{
    clip_inbox_t *self = clip_calloc (1, sizeof *self);
    self->loop = loop;
    self->dir = clip_strdup (inbox_dir);
    self->processing = clip_strdup (processing_dir);
    self->dir_fd = -1;
    const char *watch = settings ? settings->watch : NULL;
    self->watch_auto = !watch || strcmp (watch, CLIP_INBOX_WATCH_AUTO) == 0;
    self->watch_ops = clip_inbox_watch_find (watch);
    /*  The folder holding the inbox, and the inbox's name in it: "a/b/" is
        a/ and b.  */
    char *trimmed = clip_strdup (inbox_dir);
    size_t len = strlen (trimmed);
    while (len > 1 && trimmed [len - 1] == '/')
        trimmed [--len] = 0;
    char *slash = strrchr (trimmed, '/');
    if (!slash) {
        self->parent = clip_strdup (".");
        self->base = clip_strdup (trimmed);
    }
    else {
        self->parent = slash == trimmed ? clip_strdup ("/") : clip_strndup (trimmed, (size_t) (slash - trimmed));
        self->base = clip_strdup (slash + 1);
    }
    free (trimmed);
    self->metrics = metrics;
    self->rewatch_reason = "start";
    if (settings)
        self->settings = *settings;
    else
        clip_inbox_settings_default (&self->settings);
    if (self->settings.max_pending == 0)
        self->settings.max_pending = 1;
    self->settings.watch = NULL;    /* the caller's string: resolved above, not kept */
    self->on_ready = on_ready;
    self->arg = arg;
    return self;
}

int
clip_inbox_start (clip_inbox_t *self)
{
    assert (!self->started);
    int rc = watcher_init (self);
    if (rc < 0)
        return rc;              /* not started: destroy frees at once */
    self->started = true;
    sweep_orphans (self);
    uv_timer_init (self->loop, &self->settle_timer);
    uv_timer_init (self->loop, &self->rescan_timer);
    uv_timer_init (self->loop, &self->refill_timer);
    uv_timer_init (self->loop, &self->rewatch_timer);
    self->settle_timer.data = self;
    self->rescan_timer.data = self;
    self->refill_timer.data = self;
    self->rewatch_timer.data = self;
    self->open_handles += 4;
    rc = watch_folder (self);
    if (rc < 0)
        return rc;
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

static int claim_next (clip_inbox_t *self, uint64_t claim, clip_claim_t *out);

int
clip_inbox_claim (clip_inbox_t *self, uint64_t claim, clip_claim_t *out)
{
    int rc = claim_next (self, claim, out);
    refill (self);
    return rc;
}

static int
claim_next (clip_inbox_t *self, uint64_t claim, clip_claim_t *out)
{
    while (self->ready && self->dir_fd >= 0) {
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
        if (c->stated && ((uint64_t) st.st_size != c->size || !timespec_eq (st.st_mtim, c->mtime))) {
            char *name = clip_strdup (c->name);
            observe (self, name, CLIP_INBOX_CHANGED);
            free (name);
            continue;
        }
        int rc = claim_take (self->dir_fd, c->name, self->processing, claim, &st, out);
        if (rc == -EAGAIN) {
            /*  Changed while it was copied: settle again.  */
            char *name = clip_strdup (c->name);
            candidate_remove (self, c);
            observe (self, name, CLIP_INBOX_CHANGED);
            free (name);
            continue;
        }
        if (rc != 0) {
            if (rc == -ENOENT)
                clip_warn ("vanished", "file=%s", q);
            else {
                clip_error ("claim_failed", "file=%s error=\"%s\"", q, strerror (-rc));
                skip_once (self, c->name, "cannot_move");
            }
            candidate_remove (self, c);
            continue;
        }
        out->arrived_ms = (uint64_t) st.st_ctim.tv_sec * 1000
                        + (uint64_t) st.st_ctim.tv_nsec / 1000000;
        if (out->copied) {
            CLIPD_METRIC_ADD (self->metrics, claims_copied, 1);
            if (!self->logged_copy) {
                char qi [600];
                clip_info ("claim_by_copy", "inbox=%s reason=\"the inbox and the state folder are "
                           "on different file systems\"", clip_log_quote (qi, sizeof qi, self->dir));
                self->logged_copy = true;
            }
        }
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
    forget_all (self);
    if (self->dir_fd >= 0)
        close (self->dir_fd);
    free (self->dir);
    free (self->processing);
    free (self->parent);
    free (self->base);
    if (!self->started) {
        free (self);
        return;
    }
    if (self->watch)
        self->watch_ops->destroy (&self->watch);
    uv_close ((uv_handle_t *) &self->settle_timer, on_handle_closed);
    uv_close ((uv_handle_t *) &self->rescan_timer, on_handle_closed);
    uv_close ((uv_handle_t *) &self->refill_timer, on_handle_closed);
    uv_close ((uv_handle_t *) &self->rewatch_timer, on_handle_closed);
}
