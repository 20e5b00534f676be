/*  clip_tagger_io: the tagger's model files.  Loads model.bin (and the
    optional model2.bin), clusters.tsv, gazetteer.tsv and names.tsv into a
    clip_tagger_t (clip_tagger_load, clip_tagger_destroy, clip_tagger.h),
    and writes model.bin from training's float weights
    (clip_tagger__model_save, clip_tagger_int.h).  The file format is
    described at the top of clip_tagger.c, beside the features that fill
    it.  Every file is input: sizes, magic, version, label count, feature
    version, row count and bitmap are checked before use, and each error
    names the file.
*/
#include "clip_tagger.h"
#include "clip_tagger_int.h"
#include "clip_util.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
put_u32 (unsigned char *p, uint32_t v)
{
    p [0] = (unsigned char) v;
    p [1] = (unsigned char) (v >> 8);
    p [2] = (unsigned char) (v >> 16);
    p [3] = (unsigned char) (v >> 24);
}

static uint32_t
get_u32 (const unsigned char *p)
{
    return (uint32_t) p [0] | (uint32_t) p [1] << 8 | (uint32_t) p [2] << 16 | (uint32_t) p [3] << 24;
}

#define HEADER_SIZE 32

/*  Quantise float weights and write model.bin.  */
int
clip_tagger__model_save (const float *w, unsigned log2rows, const char *path, char *err, size_t err_size)
{
    size_t rows = (size_t) 1 << log2rows;
    float maxabs = 0;
    for (size_t i = 0; i < rows * NL; i++)
        if (fabsf (w [i]) > maxabs)
            maxabs = fabsf (w [i]);
    float scale = maxabs > 0 ? maxabs / 32767.0f : 1.0f;
    size_t nnz = 0;
    unsigned char *bitmap = clip_calloc (rows / 8, 1);
    int16_t *q = clip_malloc (rows * NL * sizeof (int16_t));
    size_t out_rows = 0;
    for (size_t r = 0; r < rows; r++) {
        int any = 0;
        int16_t row [NL];
        for (int l = 0; l < NL; l++) {
            long v = lrintf (w [r * NL + l] / scale);
            row [l] = (int16_t) (v > 32767 ? 32767 : v < -32767 ? -32767 : v);
            any |= row [l] != 0;
        }
        if (any) {
            bitmap [r / 8] |= (unsigned char) (1u << (r % 8));
            memcpy (q + out_rows * NL, row, sizeof row);
            out_rows++;
        }
    }
    nnz = out_rows;
    size_t size = HEADER_SIZE + rows / 8 + nnz * NL * 2;
    unsigned char *buf = clip_malloc (size);
    memcpy (buf, "CLIPNER1", 8);
    put_u32 (buf + 8, 1);
    put_u32 (buf + 12, NL);
    put_u32 (buf + 16, log2rows);
    put_u32 (buf + 20, FEATURE_VERSION);
    uint32_t scale_bits;
    memcpy (&scale_bits, &scale, 4);
    put_u32 (buf + 24, scale_bits);
    put_u32 (buf + 28, (uint32_t) nnz);
    memcpy (buf + HEADER_SIZE, bitmap, rows / 8);
    unsigned char *p = buf + HEADER_SIZE + rows / 8;
    for (size_t i = 0; i < nnz * NL; i++) {
        uint16_t v = (uint16_t) q [i];
        p [2 * i] = (unsigned char) v;
        p [2 * i + 1] = (unsigned char) (v >> 8);
    }
    int rc = clip_file_write_durable (path, buf, size);
    if (rc < 0)
        snprintf (err, err_size, "cannot write %s: %s", path, strerror (-rc));
    free (buf);
    free (q);
    free (bitmap);
    return rc < 0 ? -1 : 0;
}

/*  Load gazetteer.tsv into fold 0 of g (a missing file is an empty
    gazetteer).  */
int
clip_tagger__gaz_load (gaz_t *g, const char *path, char *err, size_t err_size)
{
    char *data;
    size_t len;
    int rc = clip_file_read (path, (size_t) 64 << 20, &data, &len);
    clip_tagger__gaz_init (g, 16384);
    if (rc == -ENOENT)
        return 0;
    if (rc < 0) {
        snprintf (err, err_size, "cannot read %s: %s", path, strerror (-rc));
        return -1;
    }
    char *line = data, *end = data + len;
    while (line < end) {
        char *nl = memchr (line, '\n', (size_t) (end - line));
        char *lend = nl ? nl : end;
        char *tab = memchr (line, '\t', (size_t) (lend - line));
        int type = tab ? clip_ent_type_parse (line, (size_t) (tab - line)) : -1;
        if (type < 0) {
            snprintf (err, err_size, "%s: bad line", path);
            free (data);
            return -1;
        }
        uint64_t h = GAZ_SEED;
        char *w = tab + 1;
        int first_word = 1;
        while (w < lend) {
            char *sp = memchr (w, ' ', (size_t) (lend - w));
            char *wend = sp ? sp : lend;
            uint64_t lw = clip_tagger__lw_hash (w, (size_t) (wend - w));
            h = gaz_step (h, lw);
            if (first_word)
                clip_tagger__gaz_first_add (g, lw);
            first_word = 0;
            w = wend + 1;
        }
        clip_tagger__gaz_add (g, h, 1u << type);
        line = lend + 1;
    }
    free (data);
    return 0;
}

/*  Read the quantised weights of path into q.  *log2rows is checked
    against (when not 0) or set from the file.  Returns 0, 1 when the file
    does not exist (missing_ok), or -1 with err set.  */
static int
qweights_load (qweights_t *q, const char *path, unsigned *log2rows_io, int missing_ok,
               char *err, size_t err_size)
{
    char *data = NULL;
    size_t len = 0;
    int rc = clip_file_read (path, (size_t) 256 << 20, &data, &len);
    if (rc == -ENOENT && missing_ok)
        return 1;
    if (rc < 0) {
        snprintf (err, err_size, "cannot read %s: %s", path, strerror (-rc));
        return -1;
    }
    const unsigned char *p = (const unsigned char *) data;
    unsigned log2rows = len >= HEADER_SIZE ? get_u32 (p + 16) : 0;
    if (len < HEADER_SIZE || memcmp (p, "CLIPNER1", 8) != 0 || get_u32 (p + 8) != 1
    ||  get_u32 (p + 12) != NL || log2rows < 10 || log2rows > 26
    ||  get_u32 (p + 20) != FEATURE_VERSION
    ||  (*log2rows_io && log2rows != *log2rows_io)) {
        snprintf (err, err_size, "%s: not a model of this version", path);
        free (data);
        return -1;
    }
    size_t rows = (size_t) 1 << log2rows;
    size_t nnz = get_u32 (p + 28);
    if (len != HEADER_SIZE + rows / 8 + nnz * NL * 2) {
        snprintf (err, err_size, "%s: truncated model", path);
        free (data);
        return -1;
    }
    uint32_t scale_bits = get_u32 (p + 24);
    memcpy (&q->scale, &scale_bits, 4);
    const unsigned char *bitmap = p + HEADER_SIZE;
    const unsigned char *w = bitmap + rows / 8;
    q->bits = clip_calloc (rows / 64, sizeof (uint64_t));
    q->rank = clip_calloc (rows / 64, sizeof (uint32_t));
    uint32_t before = 0;
    for (size_t wi = 0; wi < rows / 64; wi++) {
        uint64_t word = 0;
        for (int b = 0; b < 8; b++)
            word |= (uint64_t) bitmap [wi * 8 + (size_t) b] << (8 * b);
        q->bits [wi] = word;
        q->rank [wi] = before;
        before += popcount64 (word);
    }
    if (before != nnz) {
        snprintf (err, err_size, "%s: bitmap does not match the rows", path);
        free (data);
        return -1;
    }
    q->wq = clip_malloc ((nnz ? nnz : 1) * NL * sizeof (int16_t));
    for (size_t i = 0; i < nnz * NL; i++, w += 2)
        q->wq [i] = (int16_t) (uint16_t) (w [0] | w [1] << 8);
    free (data);
    *log2rows_io = log2rows;
    return 0;
}

clip_tagger_t *
clip_tagger_load (const char *model_dir, char *err, size_t err_size)
{
    clip_tagger_t *self = clip_calloc (1, sizeof *self);
    self->serial = clip_tagger__serial_next ();
    unsigned log2rows = 0;
    char *path = clip_path_join (model_dir, "model.bin");
    int rc = qweights_load (&self->q [0], path, &log2rows, 0, err, err_size);
    free (path);
    if (rc == 0) {
        /*  The second pass is optional: a model without it tags once.  */
        path = clip_path_join (model_dir, "model2.bin");
        rc = qweights_load (&self->q [1], path, &log2rows, 1, err, err_size);
        free (path);
        self->has2 = rc == 0;
    }
    if (rc < 0) {
        clip_tagger_destroy (&self);
        return NULL;
    }
    self->log2rows = log2rows;
    self->mask = (uint32_t) (((size_t) 1 << log2rows) - 1);
    path = clip_path_join (model_dir, "clusters.tsv");
    self->clusters = clip_clusters_load (path, err, err_size);
    free (path);
    if (!self->clusters) {
        clip_tagger_destroy (&self);
        return NULL;
    }
    path = clip_path_join (model_dir, "gazetteer.tsv");
    rc = clip_tagger__gaz_load (&self->gaz, path, err, err_size);
    free (path);
    if (rc == 0) {
        path = clip_path_join (model_dir, "names.tsv");
        rc = clip_tagger__gaz_load (&self->ugaz, path, err, err_size);
        free (path);
    }
    if (rc < 0) {
        clip_tagger_destroy (&self);
        return NULL;
    }
    return self;
}

void
clip_tagger_destroy (clip_tagger_t **self_p)
{
    assert (self_p);
    clip_tagger_t *self = *self_p;
    if (!self)
        return;
    for (int k = 0; k < 2; k++) {
        free (self->q [k].wq);
        free (self->q [k].bits);
        free (self->q [k].rank);
    }
    clip_clusters_destroy (&self->clusters);
    clip_tagger__gaz_free (&self->gaz);
    clip_tagger__gaz_free (&self->ugaz);
    free (self);
    *self_p = NULL;
}
