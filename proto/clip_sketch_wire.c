/*  clip_sketch_wire: the sketch's bytes.  See clip_sketch_wire.h.  */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "clip_sketch_wire.h"
#include "clip_util.h"

/*  The hashes are little-endian: SSE2 loads them as they are on a
    little-endian machine.  */
#if defined(__SSE2__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#include <emmintrin.h>
#define SKETCH_SSE2 1
#else
#define SKETCH_SSE2 0
#endif

#define SKETCH_VERSION 2

void
clip_sketch_wire_encode (const uint32_t *sorted, size_t n, void **blob, size_t *blob_len)
{
    assert ((sorted || n == 0) && blob && blob_len);
    size_t size = CLIP_SKETCH_HEADER + 4 * n;
    uint8_t *out = clip_malloc (size);
    out [0] = 'C';
    out [1] = 'S';
    out [2] = SKETCH_VERSION;
    out [3] = 0;
    clip_put_le32 (out + 4, (uint32_t) n);
    for (size_t i = 0; i < n; i++)
        clip_put_le32 (out + CLIP_SKETCH_HEADER + 4 * i, sorted [i]);
    *blob = out;
    *blob_len = size;
}

void
clip_sketch_sort_u32 (uint32_t *a, uint32_t *tmp, size_t n)
{
    if (n <= 64) {
        for (size_t i = 1; i < n; i++) {
            uint32_t v = a [i];
            size_t j = i;
            while (j > 0 && a [j - 1] > v) {
                a [j] = a [j - 1];
                j--;
            }
            a [j] = v;
        }
        return;
    }
    uint32_t *own = tmp ? NULL : clip_malloc (n * sizeof *own);
    uint32_t *src = a, *dst = tmp ? tmp : own;
    /*  A byte that is zero in every value needs no pass: row numbers (the
        corpus's candidates) sort in two passes below 65,536 and three
        below 16,777,216; hashes take all four.  */
    uint32_t all = 0;
    for (size_t i = 0; i < n; i++)
        all |= a [i];
    for (int shift = 0; shift < 32; shift += 8) {
        if ((all >> shift & 0xFF) == 0)
            continue;
        size_t count [257] = { 0 };
        for (size_t i = 0; i < n; i++)
            count [((src [i] >> shift) & 0xFF) + 1]++;
        for (int b = 0; b < 256; b++)
            count [b + 1] += count [b];
        for (size_t i = 0; i < n; i++)
            dst [count [(src [i] >> shift) & 0xFF]++] = src [i];
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy (a, src, n * sizeof *a);
    free (own);
}

int
clip_sketch_parse (const void *blob, size_t len, clip_sketch_view_t *view)
{
    assert (view);
    const uint8_t *p = blob;
    if (!p || len < CLIP_SKETCH_HEADER || p [0] != 'C' || p [1] != 'S')
        return -1;
    /*  Version 1 had a 128-value MinHash signature before the hashes.  */
    size_t skip = p [2] == SKETCH_VERSION ? 0 : p [2] == 1 ? 4 * 128 : SIZE_MAX;
    if (skip == SIZE_MAX || len < CLIP_SKETCH_HEADER + skip)
        return -1;
    uint32_t n = clip_get_le32 (p + 4);
    if ((len - CLIP_SKETCH_HEADER - skip) % 4 != 0 || (len - CLIP_SKETCH_HEADER - skip) / 4 != n)
        return -1;
    view->n = n;
    view->hashes = p + CLIP_SKETCH_HEADER + skip;
    return 0;
}

int
clip_sketch_parse_checked (const void *blob, size_t len, clip_sketch_view_t *view)
{
    if (clip_sketch_parse (blob, len, view) != 0)
        return -1;
    for (uint32_t i = 1; i < view->n; i++)
        if (clip_get_le32 (view->hashes + 4 * (i - 1)) >= clip_get_le32 (view->hashes + 4 * i))
            return -1;
    return 0;
}

uint32_t
clip_sketch_hash (const clip_sketch_view_t *view, size_t i)
{
    assert (i < view->n);
    return clip_get_le32 (view->hashes + 4 * i);
}

/*  The shared shingles of a small set and a much larger one: each of the
    small set's hashes is sought in the large one by galloping from the
    last place found, so the cost grows with the small set, not the large
    one (a headline against a long report).  */
static uint32_t
common_galloping (const clip_sketch_view_t *small, const clip_sketch_view_t *large)
{
    uint32_t common = 0;
    size_t lo = 0;
    for (size_t i = 0; i < small->n && lo < large->n; i++) {
        uint32_t x = clip_get_le32 (small->hashes + 4 * i);
        /*  Find the first position >= x: double the step, then bisect.  */
        size_t step = 1, hi = lo;
        while (hi < large->n && clip_get_le32 (large->hashes + 4 * hi) < x) {
            lo = hi + 1;
            hi += step;
            step *= 2;
        }
        if (hi > large->n)
            hi = large->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (clip_get_le32 (large->hashes + 4 * mid) < x)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < large->n && clip_get_le32 (large->hashes + 4 * lo) == x) {
            common++;
            lo++;
        }
    }
    return common;
}

/*  The shared shingles of two sets of similar size, by merging them.
    With SSE2 (every x86-64), four hashes of one set are compared with
    four of the other at once (each against every rotation of the other
    four), and the block whose last hash is the smaller is passed (both
    when equal): every shared hash is met in exactly one pair of blocks,
    since each set's hashes are distinct and increasing.  The rest, fewer
    than four of one set, is merged one hash at a time.  Either way
    without a branch on the hashes' order, which a merge mispredicts about
    every other step; test_sketch compares it with the plain merge.  */
static uint32_t
common_merge (const clip_sketch_view_t *a, const clip_sketch_view_t *b)
{
    size_t i = 0, j = 0;
    uint32_t common = 0;
#if SKETCH_SSE2
    /*  The set bits of a 4-bit mask.  */
    static const uint8_t bits [16] = { 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4 };
    size_t na4 = a->n & ~(size_t) 3, nb4 = b->n & ~(size_t) 3;
    while (i < na4 && j < nb4) {
        __m128i va = _mm_loadu_si128 ((const __m128i *) (const void *) (a->hashes + 4 * i));
        __m128i vb = _mm_loadu_si128 ((const __m128i *) (const void *) (b->hashes + 4 * j));
        __m128i eq = _mm_or_si128 (
            _mm_or_si128 (_mm_cmpeq_epi32 (va, vb),
                          _mm_cmpeq_epi32 (va, _mm_shuffle_epi32 (vb, 0x39))),
            _mm_or_si128 (_mm_cmpeq_epi32 (va, _mm_shuffle_epi32 (vb, 0x4E)),
                          _mm_cmpeq_epi32 (va, _mm_shuffle_epi32 (vb, 0x93))));
        common += bits [_mm_movemask_ps (_mm_castsi128_ps (eq))];
        uint32_t last_a = clip_get_le32 (a->hashes + 4 * i + 12);
        uint32_t last_b = clip_get_le32 (b->hashes + 4 * j + 12);
        i += last_a <= last_b ? 4 : 0;
        j += last_b <= last_a ? 4 : 0;
    }
#endif
    while (i < a->n && j < b->n) {
        uint32_t x = clip_get_le32 (a->hashes + 4 * i);
        uint32_t y = clip_get_le32 (b->hashes + 4 * j);
        common += x == y;
        i += x <= y;
        j += y <= x;
    }
    return common;
}

void
clip_sketch_compare (const clip_sketch_view_t *a, const clip_sketch_view_t *b,
                     double *jaccard, double *containment, uint32_t *shared)
{
    uint32_t common = a->n * 16 < b->n ? common_galloping (a, b)
                    : b->n * 16 < a->n ? common_galloping (b, a)
                    : common_merge (a, b);
    double uni = (double) a->n + (double) b->n - common;
    uint32_t smaller = a->n < b->n ? a->n : b->n;
    if (jaccard)
        *jaccard = uni > 0 && smaller > 0 ? common / uni : 0.0;
    if (containment)
        *containment = smaller > 0 ? (double) common / smaller : 0.0;
    if (shared)
        *shared = common;
}

void
clip_sketch_hashes (const clip_sketch_view_t *view, uint32_t *out)
{
    for (uint32_t i = 0; i < view->n; i++)
        out [i] = clip_get_le32 (view->hashes + 4 * i);
}
