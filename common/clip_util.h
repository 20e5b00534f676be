/*  clip_util: small helpers shared by every program.

    Allocation: clip_malloc and friends abort the process on exhaustion, as
    Redis' zmalloc does; a daemon that cannot allocate a few bytes cannot make
    progress, and every call site checking for NULL would only hide that.

    Files: clip_file_write_durable writes a file the way a crash cannot tear:
    temporary file, fsync, rename, fsync of the directory.
*/
#ifndef CLIP_UTIL_H
#define CLIP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *clip_malloc (size_t size);
void *clip_calloc (size_t n, size_t size);
void *clip_realloc (void *ptr, size_t size);
char *clip_strdup (const char *s);
char *clip_strndup (const char *s, size_t n);
/*  printf into a new string; caller owns the result.  */
char *clip_strprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
/*  printf a one-line reason into err (when err is not NULL and err_size is
    not 0) and return -1, so that a parser can `return clip_err_set (...)`.  */
int clip_err_set (char *err, size_t err_size, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/*  Little-endian integers in byte buffers (stored sketches, keys and the
    keys snapshot), whatever the host's byte order and alignment.  */
static inline uint32_t
clip_get_le32 (const uint8_t *p)
{
    return (uint32_t) p [0] | (uint32_t) p [1] << 8 | (uint32_t) p [2] << 16
         | (uint32_t) p [3] << 24;
}

static inline void
clip_put_le32 (uint8_t *p, uint32_t v)
{
    p [0] = (uint8_t) v;
    p [1] = (uint8_t) (v >> 8);
    p [2] = (uint8_t) (v >> 16);
    p [3] = (uint8_t) (v >> 24);
}

static inline uint64_t
clip_get_le64 (const uint8_t *p)
{
    return (uint64_t) clip_get_le32 (p) | (uint64_t) clip_get_le32 (p + 4) << 32;
}

static inline void
clip_put_le64 (uint8_t *p, uint64_t v)
{
    clip_put_le32 (p, (uint32_t) v);
    clip_put_le32 (p + 4, (uint32_t) (v >> 32));
}

/*  Wall-clock time in milliseconds since the epoch.  */
uint64_t clip_now_ms (void);
/*  Monotonic time in milliseconds, for deadlines and intervals.  */
uint64_t clip_mono_ms (void);
/*  Monotonic time in microseconds, for measuring short intervals.  */
uint64_t clip_mono_us (void);

/*  "hostname:pid" for this process; caller owns the result.  */
char *clip_process_name (void);

/*  Write data to path durably (tmp, fsync, rename, fsync dir).
    Returns 0 or a negative errno.  */
int clip_file_write_durable (const char *path, const void *data, size_t len);
/*  fsync the directory holding path (or path itself when is_dir).
    Returns 0 or a negative errno.  */
int clip_fsync_dir (const char *path, bool is_dir);
/*  Read a whole regular file without following symlinks or blocking on
    FIFOs.  Fails with -EFBIG if it holds more than max bytes, -EINVAL if it
    is not a regular file.  On success *data (caller owns, NUL-terminated) and
    *len are set.  Returns 0 or a negative errno.  */
int clip_file_read (const char *path, size_t max, char **data, size_t *len);
/*  clip_file_read of a file the caller stat'ed itself and found regular,
    of size bytes: no fstat.  For a claimed file, which the claim stat'ed
    and renamed into a folder only clipd writes (issue 12: one system call
    fewer per article).  The size only spares the read(2) that would say 0:
    a file that grew or shrank since is still read to its end, up to max.
    Returns as clip_file_read, and a read error (-EISDIR, ...) for what is
    not a regular file.  */
int clip_file_read_sized (const char *path, size_t max, uint64_t size, char **data, size_t *len);
/*  mkdir -p.  Returns 0 or a negative errno.  */
int clip_mkdirs (const char *path, unsigned mode);

/*  Join a directory and a name into a new string; caller owns the result.  */
char *clip_path_join (const char *dir, const char *name);

/*  dir and name joined as clip_path_join joins them, then suffix ("" for
    none), into buf (of size bytes) when it fits, else into a new string
    put in *heap (the caller frees *heap, which it set to NULL before).
    Returns the path: buf or *heap.  For paths built for every article
    without an allocation.  */
char *clip_path_join_buf (char *buf, size_t size, const char *dir, const char *name,
                          const char *suffix, char **heap);

#endif
