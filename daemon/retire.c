/*  retire: moves a file whose record is committed out of processing/.
    See retire.h.  */
#include "retire.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uthash.h>
#include <utlist.h>
#include <xxhash.h>

#include "clip_log.h"
#include "clip_utf8.h"
#include "clip_util.h"
#include "inbox.h"

#define ERROR_JSON_SUFFIX ".error.json"

/*  A committed file whose move failed, waiting for its next attempt.  */
typedef struct entry {
    char *path;                 /* in processing/ */
    char *file;                 /* the inbox name, for the log */
    char *target;               /* the name it gets: the record's stored_as, or
                                   file fitted to NAME_MAX */
    uint64_t seq;
    char *error_json;           /* the error file's bytes for a failed article, else NULL */
    unsigned attempts;
    uint64_t delay_ms;
    uint64_t next_ms;           /* monotonic */
    struct entry *prev, *next;
} entry_t;

/*  A name in done/ or failed/ promised to a file whose record names it
    (chosen, maybe not committed yet) and which is not there yet.  */
typedef struct reserved {
    char *name;
    UT_hash_handle hh;
} reserved_t;

struct clip_retire {
    char *done_dir;
    char *failed_dir;
    bool delete_done;
    clipd_metrics_t *metrics;
    entry_t *backlog;           /* oldest first */
    size_t n_backlog;
    /*  Names chosen, files not moved yet: one table a folder, so that a
        name is looked up as it is, no key built (issue 12).  */
    reserved_t *reserved [2];   /* [failed] */
};

clip_retire_t *
clip_retire_new (const char *done_dir, const char *failed_dir, bool delete_done,
                 clipd_metrics_t *metrics)
{
    clip_retire_t *self = clip_calloc (1, sizeof *self);
    self->done_dir = clip_strdup (done_dir);
    self->failed_dir = clip_strdup (failed_dir);
    self->delete_done = delete_done;
    self->metrics = metrics;
    return self;
}

static void
entry_free (entry_t *e)
{
    free (e->path);
    free (e->file);
    free (e->target);
    free (e->error_json);
    free (e);
}

void
clip_retire_destroy (clip_retire_t **self_p)
{
    assert (self_p);
    clip_retire_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    entry_t *e, *tmp;
    DL_FOREACH_SAFE (self->backlog, e, tmp) {
        DL_DELETE (self->backlog, e);
        entry_free (e);
    }
    for (int failed = 0; failed < 2; failed++) {
        reserved_t *r, *rtmp;
        HASH_ITER (hh, self->reserved [failed], r, rtmp) {
            HASH_DEL (self->reserved [failed], r);
            free (r->name);
            free (r);
        }
    }
    free (self->done_dir);
    free (self->failed_dir);
    free (self);
}

/*  ------------------------------------------------------------------ */
/*  Names                                                               */

/*  "name" with a numeric suffix before its extension: a.txt -> a.1.txt.  */
static char *
suffixed_name (const char *name, uint64_t n)
{
    if (n == 0)
        return clip_strdup (name);
    const char *dot = strrchr (name, '.');
    if (!dot || dot == name)
        return clip_strprintf ("%s.%llu", name, (unsigned long long) n);
    return clip_strprintf ("%.*s.%llu%s", (int) (dot - name), name, (unsigned long long) n, dot);
}

char *
clip_retire_name (const char *name, uint64_t n, size_t max)
{
    char *plain = suffixed_name (name, n);
    if (strlen (plain) <= max)
        return plain;
    free (plain);
    /*  Keep the extension (when it is one: short, not the whole name), the
        suffix, and as much of the stem as fits; the hash tells apart long
        names that share their first bytes.  */
    size_t len = strlen (name);
    const char *dot = strrchr (name, '.');
    size_t ext_len = dot && dot != name && strlen (dot) <= 32 ? strlen (dot) : 0;
    char sfx [32] = "";
    if (n)
        snprintf (sfx, sizeof sfx, ".%llu", (unsigned long long) n);
    char tag [16];
    snprintf (tag, sizeof tag, "~%08x", (unsigned) XXH32 (name, len, 0));
    size_t fixed = strlen (tag) + strlen (sfx) + ext_len;
    assert (max > fixed);
    /*  On a character boundary; a name that is not UTF-8 is cut anywhere.  */
    size_t cut = clip_utf8_cut (name, len - ext_len, max - fixed);
    return clip_strprintf ("%.*s%s%s%s", (int) cut, name, tag, sfx, ext_len ? dot : "");
}

/*  ------------------------------------------------------------------ */
/*  Moving one file                                                     */

/*  rename() that never replaces: renameat2(RENAME_NOREPLACE), or where the
    file system cannot do that, link() (which fails on an existing name just
    the same) and unlink().  */
static int
move_noreplace (const char *src, const char *dst)
{
    if (renameat2 (AT_FDCWD, src, AT_FDCWD, dst, RENAME_NOREPLACE) == 0)
        return 0;
    int rc = -errno;
    if (rc == -EINVAL || rc == -ENOSYS)
        rc = link (src, dst) == 0 ? (unlink (src), 0) : -errno;
    return rc;
}

/*  What is at json_path: 1 when it holds exactly `expected` (our own error
    file, left by a crash between writing it and moving its article), 0
    when nothing is there, -EEXIST when something else is, another negative
    errno when the folder cannot be looked at.  */
static int
error_json_is_ours (const char *json_path, const char *expected)
{
    struct stat st;
    if (lstat (json_path, &st) != 0)
        return errno == ENOENT ? 0 : -errno;
    size_t want = strlen (expected);
    char *data = NULL;
    size_t len = 0;
    if (!S_ISREG (st.st_mode) || (uint64_t) st.st_size != want
    ||  clip_file_read (json_path, want, &data, &len) != 0)
        return -EEXIST;
    bool ours = len == want && memcmp (data, expected, want) == 0;
    free (data);
    return ours ? 1 : -EEXIST;
}

/*  Write an error file durably at json_path, never replacing anything.
    The temporary file is written beside the article in processing/, under
    a short name (json_path may be NAME_MAX long already) of the pattern the
    inbox sweeps at start, so a crash mid-write leaves nothing in failed/.  */
static int
error_json_write (const char *src, const char *dir, const char *json_path, const char *text,
                  uint64_t seq)
{
    const char *slash = strrchr (src, '/');
    char *tmp = clip_strprintf ("%.*s/.%020llu.error.tmp", slash ? (int) (slash - src) : 1,
                                slash ? src : ".", (unsigned long long) seq);
    int rc = 0;
    int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        rc = -errno;
    for (size_t off = 0, len = strlen (text); rc == 0 && off < len; ) {
        ssize_t n = write (fd, text + off, len - off);
        if (n < 0 && errno != EINTR)
            rc = -errno;
        if (n > 0)
            off += (size_t) n;
    }
    if (rc == 0 && fsync (fd) != 0)
        rc = -errno;
    if (fd >= 0 && close (fd) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0)
        rc = move_noreplace (tmp, json_path);
    if (rc == 0)
        rc = clip_fsync_dir (dir, true);
    else
        unlink (tmp);
    free (tmp);
    return rc;
}

/*  Move src into dir under target, the name its record gives (retire.h);
    when something clipd did not put there holds target, under target with
    a numeric suffix, shortened to fit: nothing is ever overwritten.  When
    error_json is not NULL it is first written durably as <chosen
    name>.error.json.  Sets *placed to the name used (caller owns).
    Returns 0 or a negative errno.  */
static int
place_file (const char *src, const char *dir, const char *target, const char *error_json,
            uint64_t seq, char **placed)
{
    size_t max = error_json ? NAME_MAX - strlen (ERROR_JSON_SUFFIX) : NAME_MAX;
    for (unsigned n = 0; n < 100000; n++) {
        char *candidate = n == 0 ? clip_strdup (target) : clip_retire_name (target, n, max);
        char dst_buf [PATH_MAX], json_buf [PATH_MAX + sizeof ERROR_JSON_SUFFIX];
        char *dst_heap = NULL, *json_heap = NULL;
        /*  On the stack: no allocation for the paths of each article;
            a path too long for PATH_MAX is still tried, to fail as it did.  */
        char *dst = clip_path_join_buf (dst_buf, sizeof dst_buf, dir, candidate, "", &dst_heap);
        char *json_path = error_json ? clip_path_join_buf (json_buf, sizeof json_buf, dir,
                                                           candidate, ERROR_JSON_SUFFIX,
                                                           &json_heap)
                                     : NULL;
        int rc = 0;
        bool have_json = false;
        if (json_path) {
            rc = error_json_is_ours (json_path, error_json);
            have_json = rc == 1;
            if (rc == 1)
                rc = 0;
        }
        /*  Without an error file the move alone finds a taken name
            (RENAME_NOREPLACE, or link(), fails with EEXIST): no lstat
            first, one system call fewer per article on the loop.  */
        struct stat st;
        if (rc == 0 && json_path)
            rc = lstat (dst, &st) == 0 ? -EEXIST : errno == ENOENT ? 0 : -errno;
        if (rc == 0 && json_path && !have_json)
            rc = error_json_write (src, dir, json_path, error_json, seq);
        if (rc == 0) {
            rc = move_noreplace (src, dst);
            if (rc != 0 && json_path)
                unlink (json_path);
        }
        free (dst_heap);
        free (json_heap);
        if (rc == 0)
            *placed = candidate;
        else
            free (candidate);
        if (rc != -EEXIST)
            return rc;
    }
    return -EEXIST;
}

/*  ------------------------------------------------------------------ */
/*  Names chosen before the commit                                      */

static reserved_t *
find_reserved (const clip_retire_t *self, bool failed, const char *name)
{
    reserved_t *r = NULL;
    HASH_FIND_STR (self->reserved [failed], name, r);
    return r;
}

static bool
is_reserved (const clip_retire_t *self, bool failed, const char *name)
{
    return find_reserved (self, failed, name) != NULL;
}

static void
reserve (clip_retire_t *self, bool failed, const char *name)
{
    if (is_reserved (self, failed, name))
        return;
    reserved_t *r = clip_calloc (1, sizeof *r);
    r->name = clip_strdup (name);
    HASH_ADD_KEYPTR (hh, self->reserved [failed], r->name, strlen (r->name), r);
}

static void
unreserve (clip_retire_t *self, bool failed, const char *name)
{
    reserved_t *r = find_reserved (self, failed, name);
    if (r) {
        HASH_DEL (self->reserved [failed], r);
        free (r->name);
        free (r);
    }
}

/*  Free for a new file: promised to no file in flight, and nothing there
    (nor, in failed/, an error file of that name).  */
static bool
name_free (const clip_retire_t *self, bool failed, const char *name)
{
    if (is_reserved (self, failed, name))
        return false;
    /*  The error file's path, cut before its suffix for the file's own.  */
    char buf [PATH_MAX + sizeof ERROR_JSON_SUFFIX], *heap = NULL;
    char *path = clip_path_join_buf (buf, sizeof buf, failed ? self->failed_dir : self->done_dir,
                                     name, ERROR_JSON_SUFFIX, &heap);
    size_t len = strlen (path) - (sizeof ERROR_JSON_SUFFIX - 1);
    path [len] = 0;
    struct stat st;
    bool taken = lstat (path, &st) == 0 || errno != ENOENT;
    path [len] = ERROR_JSON_SUFFIX [0];
    taken = taken || (failed && (lstat (path, &st) == 0 || errno != ENOENT));
    free (heap);
    return !taken;
}

static size_t
name_max (bool failed)
{
    return failed ? NAME_MAX - strlen (ERROR_JSON_SUFFIX) : NAME_MAX;
}

void
clip_retire_choose (clip_retire_t *self, clip_record_t *rec, const char *file)
{
    /*  A worker's record does not say where clipd keeps the file.  */
    clip_record_set (rec, &rec->stored_as, NULL);
    bool failed = clip_record_status (rec) == CLIP_STATUS_FAILED;
    if (!failed && self->delete_done)
        return;
    size_t max = name_max (failed);
    char *name = NULL;
    /*  As many tries as the move itself would make (place_file).  */
    for (unsigned n = 0; n < 100000 && !name; n++) {
        char *candidate = clip_retire_name (file, n, max);
        if (name_free (self, failed, candidate))
            name = candidate;
        else
            free (candidate);
    }
    if (!name)
        return;                 /* the move then looks for a free name itself */
    reserve (self, failed, name);
    if (strcmp (name, file) != 0)
        clip_record_set (rec, &rec->stored_as, name);
    free (name);
}

char *
clip_retire_error_json (const clip_record_t *rec)
{
    json_t *o = json_pack ("{s:s, s:I, s:{s:s, s:s}, s:I, s:I}",
                           "file", rec->file ? rec->file : "",
                           "seq", (json_int_t) rec->seq,
                           "error", "code", rec->error_code ? rec->error_code : "",
                           "message", rec->error_message ? rec->error_message : "",
                           "received", (json_int_t) rec->received,
                           "done", (json_int_t) rec->done);
    char *text = o ? json_dumps (o, JSON_INDENT (2)) : NULL;
    json_decref (o);
    if (!text)
        return clip_strdup ("{\"error\": {\"code\": \"unknown\"}}\n");
    char *copy = clip_strprintf ("%s\n", text);
    free (text);
    return copy;
}

/*  Move e's file on.  Returns 0 or a negative errno; *vanished is set when
    the file is gone from processing/ (by hand): nothing to move, whatever
    else is wrong.  Only a move that failed asks (one lstat fewer per
    article), and a folder gone (ENOENT from the move, the file still
    there) is a failure to retry, not a vanished file.  A failed article
    is looked for first, so that no error file is written for a file that
    is gone.  */
static int
attempt (clip_retire_t *self, const entry_t *e, char **placed, bool *vanished)
{
    struct stat st;
    *vanished = false;
    int rc;
    if (e->error_json) {
        if (lstat (e->path, &st) != 0 && errno == ENOENT) {
            *vanished = true;
            return -ENOENT;
        }
        rc = place_file (e->path, self->failed_dir, e->target, e->error_json, e->seq, placed);
    }
    else
    if (self->delete_done)
        rc = unlink (e->path) == 0 ? 0 : -errno;
    else
        rc = place_file (e->path, self->done_dir, e->target, NULL, e->seq, placed);
    if (rc != 0 && lstat (e->path, &st) != 0 && errno == ENOENT)
        *vanished = true;
    return rc;
}

/*  The file left processing/: its name is no longer only promised.  Named
    when it could not take the name its record gives.  */
static void
moved (clip_retire_t *self, const entry_t *e, char *placed)
{
    unreserve (self, e->error_json != NULL, e->target);
    if (placed && strcmp (placed, e->target) != 0) {
        char q [600], qt [600], qp [600];
        clip_warn ("retire_renamed", "file=%s seq=%llu stored_as=%s placed=%s reason=\"the "
                   "name was taken by a file clipd did not put there\"",
                   clip_log_quote (q, sizeof q, e->file), (unsigned long long) e->seq,
                   clip_log_quote (qt, sizeof qt, e->target),
                   clip_log_quote (qp, sizeof qp, placed));
    }
    free (placed);
}

static void
publish_gauges (clip_retire_t *self)
{
    if (!self->metrics)
        return;
    CLIPD_METRIC_SET (self->metrics, retire_backlog, self->n_backlog);
    clipd_metric_text_set (&self->metrics->retire_first, self->backlog ? self->backlog->file : "");
}

/*  ------------------------------------------------------------------ */
/*  The backlog                                                         */

int
clip_retire_file (clip_retire_t *self, const char *path, const clip_record_t *rec)
{
    entry_t *e = clip_calloc (1, sizeof *e);
    e->path = clip_strdup (path);
    e->file = clip_strdup (rec->file ? rec->file : "");
    e->seq = rec->seq;
    bool failed = clip_record_status (rec) == CLIP_STATUS_FAILED;
    if (failed)
        e->error_json = clip_retire_error_json (rec);
    /*  The name the record gives, held until the file is there: so that no
        file chosen later takes it (a record recovered at start was chosen
        by an earlier run).  */
    e->target = rec->stored_as ? clip_strdup (rec->stored_as)
                               : clip_retire_name (e->file, 0, name_max (failed));
    if (failed || !self->delete_done)
        reserve (self, failed, e->target);
    char q [600];
    clip_log_quote (q, sizeof q, e->file);
    char *placed = NULL;
    bool vanished;
    int rc = attempt (self, e, &placed, &vanished);
    if (rc == 0 || vanished) {
        moved (self, e, placed);
        if (rc != 0)
            clip_warn ("retire_vanished", "file=%s seq=%llu", q, (unsigned long long) e->seq);
        clip_claim_release (e->path, e->file);
        entry_free (e);
        return 0;
    }
    CLIPD_METRIC_ADD (self->metrics, retire_failures, 1);
    e->attempts = 1;
    e->delay_ms = CLIP_RETIRE_FIRST_MS;
    e->next_ms = clip_mono_ms () + e->delay_ms;
    DL_APPEND (self->backlog, e);
    self->n_backlog++;
    publish_gauges (self);
    clip_error ("retire_failed", "file=%s seq=%llu error=\"%s\" retry_in_ms=%llu backlog=%zu", q,
                (unsigned long long) e->seq, strerror (-rc), (unsigned long long) e->delay_ms,
                self->n_backlog);
    return rc;
}

void
clip_retire_tick (clip_retire_t *self)
{
    if (!self->backlog)
        return;
    uint64_t now = clip_mono_ms ();
    int budget = CLIP_RETIRE_PER_TICK;
    bool any_moved = false;
    entry_t *e, *tmp;
    DL_FOREACH_SAFE (self->backlog, e, tmp) {
        if (budget == 0)
            break;
        if (e->next_ms > now)
            continue;
        budget--;
        char q [600];
        clip_log_quote (q, sizeof q, e->file);
        char *placed = NULL;
        bool vanished;
        int rc = attempt (self, e, &placed, &vanished);
        if (rc == 0 || vanished) {
            moved (self, e, placed);
            if (rc == 0)
                clip_info ("retired", "file=%s seq=%llu attempts=%u", q, (unsigned long long) e->seq,
                           e->attempts + 1);
            else
                clip_warn ("retire_vanished", "file=%s seq=%llu", q, (unsigned long long) e->seq);
            clip_claim_release (e->path, e->file);
            DL_DELETE (self->backlog, e);
            entry_free (e);
            self->n_backlog--;
            any_moved = true;
            continue;
        }
        CLIPD_METRIC_ADD (self->metrics, retire_failures, 1);
        e->attempts++;
        e->delay_ms = e->delay_ms * 2 > CLIP_RETIRE_MAX_MS ? CLIP_RETIRE_MAX_MS : e->delay_ms * 2;
        e->next_ms = now + e->delay_ms;
        /*  Logged at attempts 2, 4, 8, ...: a long outage does not flood
            the log, and every file is still named.  */
        if ((e->attempts & (e->attempts - 1)) == 0)
            clip_warn ("retire_failed", "file=%s seq=%llu error=\"%s\" attempts=%u retry_in_ms=%llu",
                       q, (unsigned long long) e->seq, strerror (-rc), e->attempts,
                       (unsigned long long) e->delay_ms);
    }
    /*  One move succeeded: whatever stopped them has likely been repaired,
        so the others need not wait out their back-off.  */
    if (any_moved)
        DL_FOREACH (self->backlog, e)
            e->next_ms = now;
    publish_gauges (self);
}

size_t
clip_retire_backlog (const clip_retire_t *self)
{
    return self->n_backlog;
}

const char *
clip_retire_first (const clip_retire_t *self)
{
    return self->backlog ? self->backlog->file : NULL;
}
