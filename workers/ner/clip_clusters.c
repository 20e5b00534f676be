/*  clip_clusters: word classes from unlabeled text.  See clip_clusters.h.  */
#include "clip_clusters.h"
#include "clip_token.h"
#include "clip_util.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <xxhash.h>

/*  uthash allocates through clip_malloc, which ends the program on
    exhaustion with a log line, as every other allocation here does.  The
    table is looked up once per word tagged, so it is keyed by the word's
    XXH3 (computed once), whose low bits are already a good bucket index,
    and starts with 2^16 buckets: the ~31,000 words of the shipped file sit
    about one to a bucket from the start, instead of in the chains of up to
    10 that uthash lets grow before it doubles its buckets.  */
#define uthash_malloc(sz) clip_malloc (sz)
#define HASH_FUNCTION(keyptr, keylen, hashv) \
    do { uint64_t key_; memcpy (&key_, (keyptr), sizeof key_); (hashv) = (unsigned) key_; } while (0)
#define HASH_INITIAL_NUM_BUCKETS 65536U
#define HASH_INITIAL_NUM_BUCKETS_LOG2 16U
#include <uthash.h>

static uint64_t
key_hash (const char *key, size_t len)
{
    return XXH3_64bits (key, len);
}

/*  One word of clusters.tsv, keyed by the XXH3 of its key (as the model's
    features are hashed: two words colliding in 64 bits would share a
    class, as they would share every feature).  The items are one array:
    loading allocates two blocks and uthash's buckets, not one per word.  */
typedef struct {
    uint64_t hash;
    uint64_t value;
    UT_hash_handle hh;
} cluster_t;

struct clip_clusters {
    cluster_t *items;           /* array, owned */
    cluster_t *table;           /* uthash table over items */
    size_t n;
};

size_t
clip_clusters_key (const char *word, size_t len, char *buf, size_t size)
{
    assert (size > 0);
    size_t n = len < size - 1 ? len : size - 1;
    for (size_t i = 0; i < n; i++) {
        char c = word [i];
        if (c >= 'A' && c <= 'Z')
            c = (char) (c | 0x20);
        else
        if (c >= '0' && c <= '9')
            c = '0';
        buf [i] = c;
    }
    buf [n] = 0;
    return n;
}

uint64_t
clip_clusters_lookup (const clip_clusters_t *self, const char *key, size_t len)
{
    uint64_t h = key_hash (key, len);
    cluster_t *c;
    HASH_FIND (hh, self->table, &h, sizeof h, c);
    return c ? c->value : 0;
}

size_t
clip_clusters_size (const clip_clusters_t *self)
{
    return self->n;
}

clip_clusters_t *
clip_clusters_load (const char *path, char *err, size_t err_size)
{
    char *data = NULL;
    size_t len = 0;
    if (path) {
        int rc = clip_file_read (path, (size_t) 256 << 20, &data, &len);
        if (rc < 0) {
            snprintf (err, err_size, "cannot read %s: %s", path, strerror (-rc));
            return NULL;
        }
    }
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += data [i] == '\n';
    clip_clusters_t *self = clip_calloc (1, sizeof *self);
    self->items = clip_calloc (lines + 1, sizeof (cluster_t));
    char *line = data;
    char *end = data + len;
    while (line && line < end) {
        char *nl = memchr (line, '\n', (size_t) (end - line));
        char *lend = nl ? nl : end;
        char *t1 = memchr (line, '\t', (size_t) (lend - line));
        char *t2 = t1 ? memchr (t1 + 1, '\t', (size_t) (lend - t1 - 1)) : NULL;
        if (!t1 || !t2) {
            snprintf (err, err_size, "%s: bad line %.40s", path, line);
            goto fail;
        }
        unsigned long cpath = strtoul (t1 + 1, NULL, 10);
        unsigned long capb = strtoul (t2 + 1, NULL, 10);
        uint64_t value = CLIP_CLUSTER_KNOWN | (uint64_t) (capb & 0xF) << 12
                       | (uint64_t) (cpath & 0xFFF);
        /*  The exchange columns.  */
        char *col = memchr (t2 + 1, '\t', (size_t) (lend - t2 - 1));
        for (unsigned i = 0; col && col < lend; i++) {
            col++;
            char *next = memchr (col, '\t', (size_t) (lend - col));
            char *cend = next ? next : lend;
            uint64_t x = 0;
            if (!(cend - col == 1 && *col == '-')) {
                bool ok = cend > col;
                for (const char *q = col; ok && q < cend; q++) {
                    ok = *q >= '0' && *q <= '9';
                    x = x * 10 + (uint64_t) (*q - '0');
                    ok = ok && x <= CLIP_CLUSTER_XCLASS_MAX;
                }
                if (!ok) {
                    snprintf (err, err_size, "%s: exchange class not a number from 0 to %u "
                              "in %.40s", path, CLIP_CLUSTER_XCLASS_MAX, line);
                    goto fail;
                }
                x++;
            }
            if (i >= CLIP_CLUSTER_XCOLUMNS) {
                snprintf (err, err_size, "%s: more than %d exchange columns in %.40s", path,
                          CLIP_CLUSTER_XCOLUMNS, line);
                goto fail;
            }
            value |= x << (16 + 15 * i);
            col = next;
        }
        uint64_t h = key_hash (line, (size_t) (t1 - line));
        cluster_t *c;
        HASH_FIND (hh, self->table, &h, sizeof h, c);
        if (c)
            c->value = value;       /* a word listed twice: the last line wins */
        else {
            assert (self->n <= lines);
            c = &self->items [self->n++];
            c->hash = h;
            c->value = value;
            HASH_ADD (hh, self->table, hash, sizeof h, c);
        }
        line = nl ? nl + 1 : NULL;
    }
    free (data);
    return self;
fail:
    free (data);
    clip_clusters_destroy (&self);
    return NULL;
}

void
clip_clusters_destroy (clip_clusters_t **self_p)
{
    assert (self_p);
    clip_clusters_t *self = *self_p;
    if (!self)
        return;
    HASH_CLEAR (hh, self->table);
    free (self->items);
    free (self);
    *self_p = NULL;
}
