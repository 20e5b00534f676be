/*  clip_clusters: word classes from unlabeled text.  See clip_clusters.h.  */
#include "clip_clusters.h"
#include "clip_token.h"
#include "clip_util.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

struct clip_clusters {
    uint64_t *keys;             /* XXH3 of the word key; 0 = empty slot */
    uint32_t *values;
    size_t mask;                /* slots - 1 */
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

static uint64_t
key_hash (const char *key, size_t len)
{
    uint64_t h = XXH3_64bits (key, len);
    return h ? h : 1;
}

static void
table_put (clip_clusters_t *self, uint64_t h, uint32_t value)
{
    size_t i = (size_t) h & self->mask;
    while (self->keys [i] && self->keys [i] != h)
        i = (i + 1) & self->mask;
    if (!self->keys [i])
        self->n++;
    self->keys [i] = h;
    self->values [i] = value;
}

uint32_t
clip_clusters_lookup (const clip_clusters_t *self, const char *key, size_t len)
{
    if (self->n == 0)
        return 0;
    uint64_t h = key_hash (key, len);
    size_t i = (size_t) h & self->mask;
    while (self->keys [i]) {
        if (self->keys [i] == h)
            return self->values [i];
        i = (i + 1) & self->mask;
    }
    return 0;
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
    size_t slots = 16;
    while (slots < 2 * lines + 2)
        slots *= 2;
    clip_clusters_t *self = clip_calloc (1, sizeof *self);
    self->keys = clip_calloc (slots, sizeof (uint64_t));
    self->values = clip_calloc (slots, sizeof (uint32_t));
    self->mask = slots - 1;
    char *line = data;
    char *end = data + len;
    while (line && line < end) {
        char *nl = memchr (line, '\n', (size_t) (end - line));
        char *lend = nl ? nl : end;
        char *t1 = memchr (line, '\t', (size_t) (lend - line));
        char *t2 = t1 ? memchr (t1 + 1, '\t', (size_t) (lend - t1 - 1)) : NULL;
        if (!t1 || !t2) {
            snprintf (err, err_size, "%s: bad line %.40s", path, line);
            free (data);
            clip_clusters_destroy (&self);
            return NULL;
        }
        unsigned long cpath = strtoul (t1 + 1, NULL, 10);
        unsigned long capb = strtoul (t2 + 1, NULL, 10);
        table_put (self, key_hash (line, (size_t) (t1 - line)),
                   CLIP_CLUSTER_KNOWN | (uint32_t) (capb & 0xF) << 12 | (uint32_t) (cpath & 0xFFF));
        line = nl ? nl + 1 : NULL;
    }
    free (data);
    return self;
}

void
clip_clusters_destroy (clip_clusters_t **self_p)
{
    assert (self_p);
    clip_clusters_t *self = *self_p;
    if (!self)
        return;
    free (self->keys);
    free (self->values);
    free (self);
    *self_p = NULL;
}
