/*  clip_sketch_wire: the bytes of a sketch (workers/clip_sketch.h says
    what it is: the sorted, distinct 32-bit hashes of an article's word
    3-shingles), as a worker sends them and the corpus stores them.

    Format (all integers little-endian), version 2:
        "CS" version(u8) reserved(u8) n(u32) hashes[n](u32)
    Version 1 (before 2026-11-23) had a 128-value MinHash signature between
    n and the hashes; it is still read (corpora store sketches).
*/
#ifndef CLIP_SKETCH_WIRE_H
#define CLIP_SKETCH_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLIP_SKETCH_HEADER 8

/*  The bytes of the set of n sorted, distinct hashes, in the current
    version.  *blob gets a new buffer (caller owns, free()), *blob_len its
    size.  */
void clip_sketch_wire_encode (const uint32_t *sorted, size_t n, void **blob, size_t *blob_len);

/*  A parsed, borrowed view of sketch bytes (which may be unaligned, e.g. a
    SQLite blob); valid while the bytes are.  */
typedef struct {
    uint32_t n;                 /* distinct shingles */
    const uint8_t *hashes;      /* n sorted little-endian u32 */
} clip_sketch_view_t;

/*  Check the bytes and fill view.  Returns 0, or -1 when they are not a
    well-formed sketch.  */
int clip_sketch_parse (const void *blob, size_t len, clip_sketch_view_t *view);
/*  clip_sketch_parse, and also check that the hashes are strictly
    increasing, as every comparison and lookup assumes: for sketches that
    come from outside (a worker's RESULT), once, before they are judged or
    stored.  Sketches read back from the database were checked on the way
    in, so they skip this O(n) pass.  Returns 0 or -1.  */
int clip_sketch_parse_checked (const void *blob, size_t len, clip_sketch_view_t *view);

uint32_t clip_sketch_hash (const clip_sketch_view_t *view, size_t i);

/*  Exact Jaccard and containment (shared shingles over the smaller set) of
    two sketches, by merging their sorted sets.  Both are 0 when either set is
    empty.  *shared (if not NULL) gets the number of shared shingles.  */
void clip_sketch_compare (const clip_sketch_view_t *a, const clip_sketch_view_t *b,
                          double *jaccard, double *containment, uint32_t *shared);

/*  The sketch's shingle hashes, in increasing order, into out (which holds
    view->n values).  */
void clip_sketch_hashes (const clip_sketch_view_t *view, uint32_t *out);

/*  Sort n values ascending: insertion sort when short, else an LSD radix
    sort (a qsort call per comparison would cost more than the rest of a
    sketch) with no pass for a byte that is zero in every value (small
    numbers such as row numbers sort in fewer passes).  tmp holds n values
    of scratch, or is NULL to allocate it.  */
void clip_sketch_sort_u32 (uint32_t *a, uint32_t *tmp, size_t n);

#endif
