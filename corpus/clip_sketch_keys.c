/*  clip_sketch_keys: what the near-duplicate index stores and looks up
    for a sketch.  See clip_sketch_keys.h.  */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "clip_sketch_keys.h"
#include "clip_util.h"

size_t
clip_sketch_keys_max (size_t n)
{
    return n < 2 * CLIP_SKETCH_MAX_KEYS ? n : 2 * CLIP_SKETCH_MAX_KEYS;
}

/*  The bins of the keys of a set of n >= CLIP_SKETCH_SMALL; the probes use
    twice as many, so that each key bin is two probe bins and each key, the
    smallest of its bin, is also the smallest of one of those two: a probe.
    Looking an article up thus brings into the cache every line its keys
    will be inserted in.  */
static size_t
key_bins (size_t n)
{
    size_t bins = (n + 1) / 2;
    return bins < CLIP_SKETCH_MAX_KEYS ? bins : CLIP_SKETCH_MAX_KEYS;
}

/*  The smallest hash of each non-empty one of `bins` equal bins.  The set
    is sorted: the first hash of each bin is its minimum.  */
static size_t
bin_minima (const uint32_t *sorted, size_t n, uint64_t bins, uint32_t *out)
{
    size_t count = 0;
    uint64_t last_bin = UINT64_MAX;
    for (size_t i = 0; i < n; i++) {
        uint64_t bin = (uint64_t) sorted [i] * bins >> 32;
        if (bin != last_bin) {
            last_bin = bin;
            out [count++] = sorted [i];
        }
    }
    return count;
}

size_t
clip_sketch_keys_of (const uint32_t *sorted, size_t n, uint32_t *keys)
{
    if (n < CLIP_SKETCH_SMALL) {
        memcpy (keys, sorted, n * sizeof *keys);
        return n;
    }
    return bin_minima (sorted, n, key_bins (n), keys);
}

size_t
clip_sketch_probes_of (const uint32_t *sorted, size_t n, uint32_t *probes)
{
    if (n < CLIP_SKETCH_SMALL) {
        memcpy (probes, sorted, n * sizeof *probes);
        return n;
    }
    return bin_minima (sorted, n, 2 * key_bins (n), probes);
}

size_t
clip_sketch_minus (const uint32_t *a, size_t na, const uint32_t *b, size_t nb, uint32_t *out)
{
    size_t i = 0, j = 0, n = 0;
    while (i < na) {
        while (j < nb && b [j] < a [i])
            j++;
        if (j == nb || b [j] != a [i])
            out [n++] = a [i];
        i++;
    }
    return n;
}

static size_t
sample (const clip_sketch_view_t *view, uint32_t *out,
        size_t (*rule) (const uint32_t *, size_t, uint32_t *))
{
    if (view->n == 0)
        return 0;
    uint32_t *set = clip_malloc (view->n * sizeof *set);
    clip_sketch_hashes (view, set);
    size_t n = rule (set, view->n, out);
    free (set);
    return n;
}

size_t
clip_sketch_keys (const clip_sketch_view_t *view, uint32_t *keys)
{
    return sample (view, keys, clip_sketch_keys_of);
}

size_t
clip_sketch_probes (const clip_sketch_view_t *view, uint32_t *probes)
{
    return sample (view, probes, clip_sketch_probes_of);
}
