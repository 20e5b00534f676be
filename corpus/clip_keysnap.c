/*  clip_keysnap: the index keys of the corpus in one sequential file.
    See clip_keysnap.h for the format and what it promises.  */
#include "clip_keysnap.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "clip_log.h"
#include "clip_util.h"

#define MAGIC "CLIPKEY2"
#define HEADER 64
/*  Reads of 8 MiB, with the kernel asked for the next few while the caller
    inserts the keys of one: the disk streams while the index is built.  */
#define CHUNK (8u << 20)
#define AHEAD 4
#define MAX_RECORD (12 + 4 * 65535)

struct clip_keysnap {
    char *path;
    int fd;
    bool writable;
    bool header_ok;
    uint64_t data_bytes;        /* as the header says, then as written */
    uint64_t records;
    uint64_t last_row;
    uint64_t last_id_hash;
    uint64_t data_hash;         /* as the header says */
    uint64_t database;          /* the id of the database it was made from */
    XXH3_state_t *hash;         /* of the data read or written so far */
    uint8_t *pending;           /* records buffered for the next commit */
    size_t n_pending;
    size_t cap_pending;
    uint64_t pending_records;
    uint32_t max_row;           /* highest row in the data */
};

uint64_t
clip_keysnap_id_hash (const char *id)
{
    uint64_t h = XXH3_64bits (id, strlen (id));
    return h ? h : 1;
}

/*  Read the header into self; header_ok says whether it is intact.  */
static void
header_read (clip_keysnap_t *self)
{
    uint8_t h [HEADER];
    self->header_ok = false;
    ssize_t n = pread (self->fd, h, sizeof h, 0);
    if (n != (ssize_t) sizeof h || memcmp (h, MAGIC, 8) != 0
    ||  clip_get_le64 (h + 56) != XXH3_64bits (h, 56))
        return;
    self->data_bytes = clip_get_le64 (h + 8);
    self->records = clip_get_le64 (h + 16);
    self->last_row = clip_get_le64 (h + 24);
    self->last_id_hash = clip_get_le64 (h + 32);
    self->data_hash = clip_get_le64 (h + 40);
    self->database = clip_get_le64 (h + 48);
    self->header_ok = self->last_row < UINT32_MAX;
}

static int
write_all (int fd, const uint8_t *p, size_t len, uint64_t offset)
{
    while (len > 0) {
        ssize_t n = pwrite (fd, p, len, (off_t) offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t) n;
        offset += (uint64_t) n;
    }
    return 0;
}

static int
header_write (clip_keysnap_t *self)
{
    uint8_t h [HEADER] = { 0 };
    memcpy (h, MAGIC, 8);
    clip_put_le64 (h + 8, self->data_bytes);
    clip_put_le64 (h + 16, self->records);
    clip_put_le64 (h + 24, self->last_row);
    clip_put_le64 (h + 32, self->last_id_hash);
    clip_put_le64 (h + 40, XXH3_64bits_digest (self->hash));
    clip_put_le64 (h + 48, self->database);
    clip_put_le64 (h + 56, XXH3_64bits (h, 56));
    return write_all (self->fd, h, sizeof h, 0);
}

/*  After a write error: stop appending.  The file holds either the old
    header with data past its end, or a header failing its hashes.  */
static void
fail_write (clip_keysnap_t *self, const char *what)
{
    clip_warn ("keysnap_write_failed", "path=\"%s\" what=%s errno=%d", self->path, what, errno);
    self->writable = false;
    flock (self->fd, LOCK_UN);
}

clip_keysnap_t *
clip_keysnap_open (const char *path, bool writable)
{
    assert (path);
    int fd = open (path, (writable ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0644);
    if (fd < 0 && writable) {
        /*  A read-only folder: read the snapshot if there is one.  */
        writable = false;
        fd = open (path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        if (errno != ENOENT)
            clip_warn ("keysnap_open_failed", "path=\"%s\" errno=%d", path, errno);
        return NULL;
    }
    if (writable && flock (fd, LOCK_EX | LOCK_NB) != 0)
        writable = false;       /* another process keeps it */
    clip_keysnap_t *self = clip_calloc (1, sizeof *self);
    self->path = clip_strdup (path);
    self->fd = fd;
    self->writable = writable;
    self->hash = XXH3_createState ();
    if (!self->hash)
        abort ();               /* out of memory, as clip_malloc */
    XXH3_64bits_reset (self->hash);
    header_read (self);
    return self;
}

void
clip_keysnap_destroy (clip_keysnap_t **self_p)
{
    assert (self_p);
    clip_keysnap_t *self = *self_p;
    if (!self)
        return;
    close (self->fd);           /* releases the lock */
    XXH3_freeState (self->hash);
    free (self->pending);
    free (self->path);
    free (self);
    *self_p = NULL;
}

bool
clip_keysnap_writable (const clip_keysnap_t *self)
{
    return self->writable;
}

uint64_t
clip_keysnap_last_row (const clip_keysnap_t *self)
{
    return self->header_ok ? self->last_row : 0;
}

int
clip_keysnap_covered (const clip_keysnap_t *self, uint64_t *last_row, uint64_t *last_id_hash)
{
    if (!self->header_ok)
        return -1;
    *last_row = self->last_row;
    *last_id_hash = self->last_id_hash;
    return 0;
}

int
clip_keysnap_read (clip_keysnap_t *self, clip_keysnap_fn *fn, void *arg)
{
    assert (self && fn);
    if (!self->header_ok)
        return -1;
    XXH3_64bits_reset (self->hash);
    uint8_t *buf = clip_malloc (CHUNK + MAX_RECORD);
    uint32_t *keys = clip_malloc (65535 * sizeof *keys);
    posix_fadvise (self->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    uint64_t offset = HEADER, end = HEADER + self->data_bytes;
    uint64_t advised = HEADER;
    uint64_t records = 0;
    uint32_t prev = 0;
    size_t have = 0;            /* bytes in buf not yet parsed */
    int rc = 0;
    while (rc == 0 && (offset < end || have > 0)) {
        /*  Ask for the chunks after this one to be read in the background.  */
        uint64_t want = offset + (uint64_t) AHEAD * CHUNK;
        if (want > end)
            want = end;
        if (advised < want) {
            posix_fadvise (self->fd, (off_t) advised, (off_t) (want - advised), POSIX_FADV_WILLNEED);
            advised = want;
        }
        size_t room = CHUNK + MAX_RECORD - have;
        size_t len = end - offset < room ? (size_t) (end - offset) : room;
        ssize_t n = len ? pread (self->fd, buf + have, len, (off_t) offset) : 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || (len > 0 && n == 0)) {
            rc = -1;            /* shorter than the header says */
            break;
        }
        XXH3_64bits_update (self->hash, buf + have, (size_t) n);
        offset += (uint64_t) n;
        have += (size_t) n;
        size_t at = 0;
        while (have - at >= 12) {
            uint32_t row = clip_get_le32 (buf + at);
            uint32_t shingles = clip_get_le32 (buf + at + 4);
            uint32_t n_keys = clip_get_le32 (buf + at + 8);
            if (row <= prev || row > self->last_row || n_keys > 65535 || n_keys > shingles) {
                rc = -1;
                break;
            }
            size_t size = 12 + 4 * (size_t) n_keys;
            if (have - at < size)
                break;
            for (uint32_t k = 0; k < n_keys; k++)
                keys [k] = clip_get_le32 (buf + at + 12 + 4 * k);
            fn (arg, row, shingles, keys, n_keys);
            prev = row;
            records++;
            at += size;
        }
        memmove (buf, buf + at, have - at);
        have -= at;
        if (rc == 0 && offset == end && have > 0)
            rc = -1;            /* a record cut short */
    }
    free (keys);
    free (buf);
    if (rc == 0 && (records != self->records || XXH3_64bits_digest (self->hash) != self->data_hash))
        rc = -1;
    if (rc == 0) {
        self->max_row = prev;
        /*  Appends go right after the covered data; cut what a crash left
            beyond it.  */
        struct stat st;
        if (self->writable && fstat (self->fd, &st) == 0 && (uint64_t) st.st_size > end
        &&  ftruncate (self->fd, (off_t) end) != 0)
            fail_write (self, "truncate");
    }
    else
        clip_warn ("keysnap_corrupt", "path=\"%s\"", self->path);
    return rc;
}

uint64_t
clip_keysnap_database (const clip_keysnap_t *self)
{
    return self->header_ok ? self->database : 0;
}

int
clip_keysnap_reset (clip_keysnap_t *self, uint64_t database)
{
    assert (self && self->writable);
    self->database = database;
    XXH3_64bits_reset (self->hash);
    self->data_bytes = self->records = self->last_row = self->last_id_hash = 0;
    self->max_row = 0;
    self->n_pending = 0;
    self->pending_records = 0;
    self->header_ok = true;
    if (ftruncate (self->fd, 0) != 0 || header_write (self) != 0) {
        fail_write (self, "reset");
        return -1;
    }
    return 0;
}

/*  Write the buffered records after the data.  Returns 0 or -1.  */
static int
append_pending (clip_keysnap_t *self)
{
    if (!self->writable)
        return -1;
    if (write_all (self->fd, self->pending, self->n_pending, HEADER + self->data_bytes) != 0) {
        fail_write (self, "append");
        return -1;
    }
    XXH3_64bits_update (self->hash, self->pending, self->n_pending);
    self->data_bytes += self->n_pending;
    self->records += self->pending_records;
    self->n_pending = 0;
    self->pending_records = 0;
    return 0;
}

void
clip_keysnap_add (clip_keysnap_t *self, uint32_t row, uint32_t shingles,
                  const uint32_t *keys, size_t n_keys)
{
    assert (self);
    assert (n_keys <= 65535 && n_keys <= shingles);
    if (!self->writable)
        return;
    assert (row > self->max_row);
    self->max_row = row;
    size_t size = 12 + 4 * n_keys;
    if (self->n_pending + size > self->cap_pending) {
        size_t cap = self->cap_pending ? self->cap_pending : 4096;
        while (cap < self->n_pending + size)
            cap *= 2;
        self->pending = clip_realloc (self->pending, cap);
        self->cap_pending = cap;
    }
    uint8_t *p = self->pending + self->n_pending;
    clip_put_le32 (p, row);
    clip_put_le32 (p + 4, shingles);
    clip_put_le32 (p + 8, (uint32_t) n_keys);
    for (size_t k = 0; k < n_keys; k++)
        clip_put_le32 (p + 12 + 4 * k, keys [k]);
    self->n_pending += size;
    self->pending_records++;
    /*  Many records (a snapshot rebuilt at open): write them as they come
        rather than hold them all.  The header, written at commit, is what
        makes them count.  */
    if (self->n_pending >= CHUNK)
        append_pending (self);
}

int
clip_keysnap_commit (clip_keysnap_t *self, uint64_t last_row, uint64_t last_id_hash)
{
    assert (self);
    if (!self->writable)
        return -1;
    assert (last_row >= self->max_row && last_row < UINT32_MAX);
    if (append_pending (self) != 0)
        return -1;
    self->last_row = last_row;
    self->last_id_hash = last_id_hash;
    self->header_ok = true;
    /*  A batch of a few hundred articles should not keep a large buffer.  */
    if (self->cap_pending > CHUNK) {
        free (self->pending);
        self->pending = NULL;
        self->cap_pending = 0;
    }
    if (header_write (self) != 0) {
        fail_write (self, "header");
        return -1;
    }
    return 0;
}
