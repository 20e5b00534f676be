/*  clip_util: allocation, time and durable-file helpers.  See clip_util.h. */
#include "clip_util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void
oom (size_t size)
{
    fprintf (stderr, "level=error event=out_of_memory size=%zu\n", size);
    abort ();
}

void *
clip_malloc (size_t size)
{
    void *p = malloc (size ? size : 1);
    if (!p)
        oom (size);
    return p;
}

void *
clip_calloc (size_t n, size_t size)
{
    void *p = calloc (n ? n : 1, size ? size : 1);
    if (!p)
        oom (n * size);
    return p;
}

void *
clip_realloc (void *ptr, size_t size)
{
    void *p = realloc (ptr, size ? size : 1);
    if (!p)
        oom (size);
    return p;
}

char *
clip_strdup (const char *s)
{
    return clip_strndup (s, strlen (s));
}

char *
clip_strndup (const char *s, size_t n)
{
    char *p = clip_malloc (n + 1);
    memcpy (p, s, n);
    p [n] = 0;
    return p;
}

char *
clip_strprintf (const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    char *s = NULL;
    int n = vasprintf (&s, fmt, ap);
    va_end (ap);
    if (n < 0)
        oom (0);
    return s;
}

int
clip_err_set (char *err, size_t err_size, const char *fmt, ...)
{
    if (err && err_size) {
        va_list args;
        va_start (args, fmt);
        vsnprintf (err, err_size, fmt, args);
        va_end (args);
    }
    return -1;
}

uint64_t
clip_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

uint64_t
clip_mono_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

uint64_t
clip_mono_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

char *
clip_process_name (void)
{
    char host [256];
    if (gethostname (host, sizeof host) != 0)
        strcpy (host, "unknown");
    host [sizeof host - 1] = 0;
    return clip_strprintf ("%s:%d", host, (int) getpid ());
}

char *
clip_path_join_buf (char *buf, size_t size, const char *dir, const char *name,
                    const char *suffix, char **heap)
{
    /*  Copied, not printed: clipd joins paths for every article on its
        loop, and vasprintf costs ten times the copies (issue 12).  */
    size_t dl = strlen (dir), nl = strlen (name), sl = strlen (suffix);
    size_t slash = dl && dir [dl - 1] == '/' ? 0 : 1;
    size_t total = dl + slash + nl + sl + 1;
    char *path = buf;
    if (total > size)
        path = *heap = clip_malloc (total);
    memcpy (path, dir, dl);
    if (slash)
        path [dl] = '/';
    memcpy (path + dl + slash, name, nl);
    memcpy (path + dl + slash + nl, suffix, sl + 1);
    return path;
}

char *
clip_path_join (const char *dir, const char *name)
{
    char *heap = NULL;
    return clip_path_join_buf (NULL, 0, dir, name, "", &heap);
}

int
clip_fsync_dir (const char *path, bool is_dir)
{
    char *copy = clip_strdup (path);
    const char *dir = is_dir ? copy : dirname (copy);
    int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0)
        rc = -errno;
    else {
        if (fsync (fd) != 0)
            rc = -errno;
        close (fd);
    }
    free (copy);
    return rc;
}

int
clip_file_write_durable (const char *path, const void *data, size_t len)
{
    char *tmp = clip_strprintf ("%s.%d.tmp", path, (int) getpid ());
    int rc = 0;
    int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = -errno;
        goto out;
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write (fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = -errno;
            break;
        }
        p += n;
        left -= (size_t) n;
    }
    if (rc == 0 && fsync (fd) != 0)
        rc = -errno;
    close (fd);
    if (rc == 0 && rename (tmp, path) != 0)
        rc = -errno;
    if (rc == 0)
        rc = clip_fsync_dir (path, false);
    else
        unlink (tmp);
out:
    free (tmp);
    return rc;
}

/*  Read fd to its end, up to max bytes, expecting size bytes (0: unknown,
    read until read(2) says 0).  Closes fd.  */
static int
read_all (int fd, size_t max, uint64_t size, char **data, size_t *len)
{
    if (size > max) {
        close (fd);
        return -EFBIG;
    }
    size_t cap = (size_t) size + 1;
    char *buf = clip_malloc (cap + 1);
    size_t have = 0;
    for (;;) {
        if (have == cap) {
            /*  The file grew while we read it; keep reading up to max.  */
            if (have > max) {
                free (buf);
                close (fd);
                return -EFBIG;
            }
            cap *= 2;
            buf = clip_realloc (buf, cap + 1);
        }
        ssize_t n = read (fd, buf + have, cap - have);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int rc = -errno;
            free (buf);
            close (fd);
            return rc;
        }
        if (n == 0)
            break;
        have += (size_t) n;
        /*  A file with a size that gave exactly that many bytes when asked
            for one more is at its end: no read(2) to hear it say 0.  (A
            file of /proc shows size 0 and reads in pieces, so it goes on
            until that 0.)  */
        if (size > 0 && have == (size_t) size && have < cap)
            break;
    }
    close (fd);
    if (have > max) {
        free (buf);
        return -EFBIG;
    }
    buf [have] = 0;
    *data = buf;
    *len = have;
    return 0;
}

/*  O_NONBLOCK so that a FIFO that slipped past the caller's lstat cannot
    block us; O_NOFOLLOW so that a symlink is never followed.  */
static int
open_for_read (const char *path)
{
    int fd = open (path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ELOOP ? -EINVAL : -errno;
    return fd;
}

int
clip_file_read (const char *path, size_t max, char **data, size_t *len)
{
    int fd = open_for_read (path);
    if (fd < 0)
        return fd;
    struct stat st;
    if (fstat (fd, &st) != 0) {
        int rc = -errno;
        close (fd);
        return rc;
    }
    if (!S_ISREG (st.st_mode)) {
        close (fd);
        return -EINVAL;
    }
    return read_all (fd, max, (uint64_t) st.st_size, data, len);
}

int
clip_file_read_sized (const char *path, size_t max, uint64_t size, char **data, size_t *len)
{
    int fd = open_for_read (path);
    if (fd < 0)
        return fd;
    return read_all (fd, max, size, data, len);
}

int
clip_mkdirs (const char *path, unsigned mode)
{
    char *copy = clip_strdup (path);
    int rc = 0;
    for (char *p = copy + 1; ; p++) {
        if (*p == '/' || *p == 0) {
            char saved = *p;
            *p = 0;
            if (mkdir (copy, (mode_t) mode) != 0 && errno != EEXIST) {
                rc = -errno;
                break;
            }
            *p = saved;
            if (saved == 0)
                break;
        }
    }
    free (copy);
    if (rc == 0) {
        struct stat st;
        if (stat (path, &st) != 0)
            rc = -errno;
        else
        if (!S_ISDIR (st.st_mode))
            rc = -ENOTDIR;
    }
    return rc;
}
