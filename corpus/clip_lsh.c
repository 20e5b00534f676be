/*  clip_lsh: single-row-band MinHash index in open-addressing tables.
    See clip_lsh.h for the banding and its recall.  */
#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "clip_lsh.h"
#include "clip_sketch.h"
#include "clip_util.h"

/*  A slot holds key << 32 | (item + 1), so that zeroed memory is empty.  */
#define EMPTY 0
#define MAX_LOAD 0.85
#define BATCH 256
/*  Slots of one 64-byte cache line; keys start their probe at the first
    slot of a line, so that most lookups read one line.  */
#define LINE 8
/*  Keys ahead whose first line is prefetched while one is probed: enough to
    overlap the misses, few enough for the core's miss buffers.  */
#define PREFETCH 12
/*  Tables from this size on are mapped, and asked for huge pages: random
    lookups in a gigabyte would otherwise miss the TLB on every key.  */
#define MAP_THRESHOLD (4u << 20)
/*  The table is cut into segments by the top bits of the mixed key, each
    growing on its own: growing rehashes one segment, not the whole index,
    so the pause at a million articles is milliseconds, not seconds.  */
#define SEG_BITS 6
#define SEGS (1u << SEG_BITS)

typedef struct {
    uint64_t *slots;            /* key << 32 | (item + 1), or EMPTY */
    size_t cap;                 /* a multiple of LINE */
    size_t bytes;               /* mapped when >= MAP_THRESHOLD */
    size_t used;
} seg_t;

struct clip_lsh {
    seg_t seg [SEGS];
    size_t used;
    uint16_t *nkeys;            /* per item: its key count; 0 = absent */
    size_t nkeys_cap;
    size_t items;
    uint32_t *scratch;          /* query: items found, one per shared key */
    size_t scratch_cap;
    uint32_t *sort_tmp;
    clip_lsh_hit_t *hits;
    size_t hits_cap;
};

/*  Keys are bin minima, which crowd the low end of each bin's range: mix
    them before using them as positions.  */
static inline uint32_t
mix32 (uint32_t h)
{
    h ^= h >> 16;
    h *= 0x7FEB352Du;
    h ^= h >> 15;
    h *= 0x846CA68Bu;
    h ^= h >> 16;
    return h;
}

static inline seg_t *
seg_of (clip_lsh_t *self, uint32_t mixed)
{
    return &self->seg [mixed >> (32 - SEG_BITS)];
}

/*  The first slot of the key's line in its segment, from the bits below
    the segment's.  */
static inline size_t
home_of (uint32_t mixed, size_t cap)
{
    uint32_t low = mixed << SEG_BITS;
    return (size_t) (((uint64_t) low * (cap / LINE)) >> 32) * LINE;
}

static uint64_t *
slots_alloc (size_t bytes)
{
    if (bytes < MAP_THRESHOLD)
        return clip_calloc (1, bytes);
    void *p = mmap (NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return clip_calloc (1, bytes);      /* aborts when memory is out */
#ifdef MADV_HUGEPAGE
    madvise (p, bytes, MADV_HUGEPAGE);
#endif
    return p;
}

static void
slots_free (uint64_t *slots, size_t bytes)
{
    if (!slots)
        return;
    if (bytes < MAP_THRESHOLD)
        free (slots);
    else
        munmap (slots, bytes);
}

static void
seg_alloc (seg_t *seg, size_t cap)
{
    cap = (cap + LINE - 1) / LINE * LINE;
    seg->cap = cap < 2 * LINE ? 2 * LINE : cap;
    assert (seg->cap / LINE < UINT32_MAX);
    seg->bytes = seg->cap * sizeof *seg->slots;
    seg->slots = slots_alloc (seg->bytes);
    seg->used = 0;
}

/*  Put a slot value in the first empty slot from home on.  Returns false
    when the key already has CLIP_LSH_MAX_POSTINGS items (only checked when
    check_postings).  */
static bool
place (seg_t *seg, uint64_t slot_value, size_t home, bool check_postings)
{
    size_t i = home;
    uint32_t key = (uint32_t) (slot_value >> 32);
    unsigned same = 0;
    while (seg->slots [i] != EMPTY) {
        if (check_postings && (uint32_t) (seg->slots [i] >> 32) == key
            && ++same >= CLIP_LSH_MAX_POSTINGS)
            return false;
        if (++i == seg->cap)
            i = 0;
    }
    seg->slots [i] = slot_value;
    seg->used++;
    return true;
}

static void
seg_grow (seg_t *seg)
{
    /*  Grow by a quarter: right after growing, the segment is 68% full,
        which keeps a corpus of Reuters-sized articles under 1 KiB an
        article.  */
    uint64_t *old = seg->slots;
    size_t old_cap = seg->cap, old_bytes = seg->bytes;
    seg_alloc (seg, old_cap + old_cap / 4 + LINE);
    /*  The old slots are in order of home, and so are the new homes: this
        is a streaming pass, not random writes.  */
    for (size_t i = 0; i < old_cap; i++)
        if (old [i] != EMPTY)
            place (seg, old [i], home_of (mix32 ((uint32_t) (old [i] >> 32)), seg->cap), false);
    slots_free (old, old_bytes);
}

clip_lsh_t *
clip_lsh_new (size_t expected_keys)
{
    clip_lsh_t *self = clip_calloc (1, sizeof *self);
    size_t per_seg = (size_t) ((double) expected_keys / MAX_LOAD / SEGS) + 1;
    for (size_t s = 0; s < SEGS; s++)
        seg_alloc (&self->seg [s], per_seg);
    return self;
}

void
clip_lsh_destroy (clip_lsh_t **self_p)
{
    assert (self_p);
    clip_lsh_t *self = *self_p;
    if (!self)
        return;
    for (size_t s = 0; s < SEGS; s++)
        slots_free (self->seg [s].slots, self->seg [s].bytes);
    free (self->nkeys);
    free (self->scratch);
    free (self->sort_tmp);
    free (self->hits);
    free (self);
    *self_p = NULL;
}

void
clip_lsh_insert (clip_lsh_t *self, uint32_t item, const uint32_t *keys, size_t n_keys)
{
    assert (self);
    assert (item != UINT32_MAX);
    assert (n_keys <= UINT16_MAX);
    if (item >= self->nkeys_cap) {
        size_t cap = self->nkeys_cap ? self->nkeys_cap : 1024;
        while (cap <= item)
            cap *= 2;
        self->nkeys = clip_realloc (self->nkeys, cap * sizeof *self->nkeys);
        memset (self->nkeys + self->nkeys_cap, 0, (cap - self->nkeys_cap) * sizeof *self->nkeys);
        self->nkeys_cap = cap;
    }
    assert (self->nkeys [item] == 0);
    self->nkeys [item] = (uint16_t) n_keys;
    self->items++;
    /*  Find every home first and prefetch a few keys ahead, so that the
        cache misses of a large table overlap instead of following one
        another.  */
    uint32_t mixed [BATCH];
    for (size_t base = 0; base < n_keys; base += BATCH) {
        size_t n = n_keys - base < BATCH ? n_keys - base : BATCH;
        for (size_t k = 0; k < n; k++)
            mixed [k] = mix32 (keys [base + k]);
        for (size_t k = 0; k < n && k < PREFETCH; k++) {
            seg_t *seg = seg_of (self, mixed [k]);
            __builtin_prefetch (&seg->slots [home_of (mixed [k], seg->cap)], 1);
        }
        for (size_t k = 0; k < n; k++) {
            if (k + PREFETCH < n) {
                seg_t *ahead = seg_of (self, mixed [k + PREFETCH]);
                __builtin_prefetch (&ahead->slots [home_of (mixed [k + PREFETCH], ahead->cap)], 1);
            }
            seg_t *seg = seg_of (self, mixed [k]);
            if ((double) (seg->used + 1) > (double) seg->cap * MAX_LOAD)
                seg_grow (seg);
            uint64_t value = (uint64_t) keys [base + k] << 32 | ((uint64_t) item + 1);
            if (place (seg, value, home_of (mixed [k], seg->cap), true))
                self->used++;
        }
    }
}

static int
hit_cmp (const void *a, const void *b)
{
    const clip_lsh_hit_t *x = a, *y = b;
    if (x->hits != y->hits)
        return x->hits > y->hits ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

static void
push_scratch (clip_lsh_t *self, size_t *n, uint32_t item)
{
    if (*n == self->scratch_cap) {
        self->scratch_cap = self->scratch_cap ? self->scratch_cap * 2 : 1024;
        self->scratch = clip_realloc (self->scratch, self->scratch_cap * sizeof *self->scratch);
        self->sort_tmp = clip_realloc (self->sort_tmp, self->scratch_cap * sizeof *self->sort_tmp);
    }
    self->scratch [(*n)++] = item;
}

size_t
clip_lsh_query (clip_lsh_t *self, const uint32_t *keys, size_t n_keys,
                uint32_t min_hits, const clip_lsh_hit_t **hits)
{
    assert (self && hits);
    size_t found = 0;
    uint32_t mixed [BATCH];
    for (size_t base = 0; base < n_keys; base += BATCH) {
        size_t n = n_keys - base < BATCH ? n_keys - base : BATCH;
        for (size_t k = 0; k < n; k++)
            mixed [k] = mix32 (keys [base + k]);
        for (size_t k = 0; k < n && k < PREFETCH; k++) {
            seg_t *seg = seg_of (self, mixed [k]);
            __builtin_prefetch (&seg->slots [home_of (mixed [k], seg->cap)], 0);
        }
        for (size_t k = 0; k < n; k++) {
            if (k + PREFETCH < n) {
                seg_t *ahead = seg_of (self, mixed [k + PREFETCH]);
                __builtin_prefetch (&ahead->slots [home_of (mixed [k + PREFETCH], ahead->cap)], 0);
            }
            uint32_t key = keys [base + k];
            seg_t *seg = seg_of (self, mixed [k]);
            size_t i = home_of (mixed [k], seg->cap);
            while (seg->slots [i] != EMPTY) {
                if ((uint32_t) (seg->slots [i] >> 32) == key)
                    push_scratch (self, &found, (uint32_t) seg->slots [i] - 1);
                if (++i == seg->cap)
                    i = 0;
            }
        }
    }
    clip_sketch_sort_u32 (self->scratch, self->sort_tmp, found);
    size_t n_hits = 0;
    for (size_t i = 0; i < found;) {
        size_t j = i;
        while (j < found && self->scratch [j] == self->scratch [i])
            j++;
        uint32_t item = self->scratch [i];
        uint32_t need = min_hits;
        if (need > n_keys)
            need = (uint32_t) n_keys;
        if (need > self->nkeys [item])
            need = self->nkeys [item];
        if (need < 1)
            need = 1;
        if (j - i >= need) {
            if (n_hits == self->hits_cap) {
                self->hits_cap = self->hits_cap ? self->hits_cap * 2 : 64;
                self->hits = clip_realloc (self->hits, self->hits_cap * sizeof *self->hits);
            }
            self->hits [n_hits++] = (clip_lsh_hit_t) { item, (uint32_t) (j - i) };
        }
        i = j;
    }
    if (n_hits > 1)
        qsort (self->hits, n_hits, sizeof *self->hits, hit_cmp);
    *hits = self->hits;
    return n_hits;
}

size_t
clip_lsh_items (const clip_lsh_t *self)
{
    return self->items;
}

size_t
clip_lsh_keys (const clip_lsh_t *self)
{
    return self->used;
}

size_t
clip_lsh_memory (const clip_lsh_t *self)
{
    size_t bytes = sizeof *self + self->nkeys_cap * sizeof *self->nkeys
                 + self->scratch_cap * sizeof (uint32_t) * 2 + self->hits_cap * sizeof *self->hits;
    for (size_t s = 0; s < SEGS; s++)
        bytes += self->seg [s].bytes;
    return bytes;
}
