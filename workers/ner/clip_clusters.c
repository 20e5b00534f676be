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

/*  The classes' bits end below the two flags.  */
static_assert (16 + CLIP_CLUSTER_XBITS * CLIP_CLUSTER_XCOLUMNS <= 62,
               "exchange columns overlap the flags");

/*  The table is looked up once per word tagged (on a miss of the tagger's
    word cache), and holds some 340,000 words since the file has columns
    of word vectors' classes: open addressing over 16-byte slots,
    keyed by the word's XXH3 (as the model's features are hashed: two words
    colliding in 64 bits would share a class, as they would share every
    feature), at most three quarters full, probed linearly from the low
    bits.  A slot's value is never 0 (CLIP_CLUSTER_KNOWN is set), so 0
    marks an empty one.  8 MiB for the shipped file's 341,035 words,
    where uthash's items and buckets took about 35.  */
#define MAX_LOAD_NUM 3
#define MAX_LOAD_DEN 4
/*  Loading: lines ahead whose slot is fetched while one is placed.  */
#define PLACE_AHEAD 16

typedef struct {
    uint64_t hash;
    uint64_t value;
} slot_t;

struct clip_clusters {
    slot_t *slots;              /* owned; cap a power of two */
    size_t cap;
    size_t n;
};

static uint64_t
key_hash (const char *key, size_t len)
{
    return XXH3_64bits (key, len);
}

/*  Where the probe for hash h starts.  */
static size_t
home_of (const clip_clusters_t *self, uint64_t h)
{
    return (size_t) h & (self->cap - 1);
}

static slot_t *
slot_of (const clip_clusters_t *self, uint64_t h)
{
    size_t mask = self->cap - 1;
    for (size_t i = home_of (self, h);; i = (i + 1) & mask)
        if (self->slots [i].value == 0 || self->slots [i].hash == h)
            return &self->slots [i];
}

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
    if (self->n == 0)
        return 0;
    return slot_of (self, key_hash (key, len))->value;
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
    self->cap = 16;
    while (self->cap * MAX_LOAD_NUM < (lines + 1) * MAX_LOAD_DEN)
        self->cap *= 2;
    self->slots = clip_calloc (self->cap, sizeof *self->slots);
    /*  The lines are read first, then placed: each placement is a cache
        miss in a table of megabytes, and placing them from an array lets
        the next ones' slots be fetched while one is placed (the load took
        0.1 s, four fifths of it waiting on those misses one by one).  */
    slot_t *parsed = clip_malloc ((lines + 1) * sizeof *parsed);
    size_t np = 0;
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
        /*  "-" in both: a word of the vectors only (clip_clusters.h).  */
        bool no_path = t2 - t1 == 2 && t1 [1] == '-';
        bool no_capb = (t2 [1] == '-' && (t2 + 2 == lend || t2 [2] == '\t'));
        if (no_path != no_capb) {
            snprintf (err, err_size, "%s: a path without a bucket, or a bucket without "
                      "a path, in %.40s", path, line);
            goto fail;
        }
        unsigned long cpath = no_path ? 0 : strtoul (t1 + 1, NULL, 10);
        unsigned long capb = no_path ? 0 : strtoul (t2 + 1, NULL, 10);
        uint64_t value = CLIP_CLUSTER_KNOWN | (uint64_t) (capb & 0xF) << 12
                       | (uint64_t) (cpath & 0xFFF)
                       | (no_path ? CLIP_CLUSTER_PATHLESS : 0);
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
            value |= x << (16 + CLIP_CLUSTER_XBITS * i);
            col = next;
        }
        assert (np <= lines);
        parsed [np++] = (slot_t) { key_hash (line, (size_t) (t1 - line)), value };
        line = nl ? nl + 1 : NULL;
    }
    /*  The parsed lines keep nothing of the text.  */
    free (data);
    data = NULL;
    for (size_t i = 0; i < np; i++) {
        if (i + PLACE_AHEAD < np)
            __builtin_prefetch (&self->slots [home_of (self, parsed [i + PLACE_AHEAD].hash)], 1);
        slot_t *slot = slot_of (self, parsed [i].hash);
        if (slot->value == 0) {
            self->n++;
            slot->hash = parsed [i].hash;
        }
        slot->value = parsed [i].value;     /* a word listed twice: the last line wins */
    }
    free (parsed);
    return self;
fail:
    free (parsed);
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
    free (self->slots);
    free (self);
    *self_p = NULL;
}
