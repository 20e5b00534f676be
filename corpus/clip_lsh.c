/*  clip_lsh: single-row-band MinHash index in ordered open-addressing
    tables.  See clip_lsh.h for the banding and its recall.

    Layout.  A slot holds mix (key) << 32 | (item + 1), zero when empty
    (mix is a bijection of 32-bit values, so the key is recovered exactly
    and needs no room of its own).  The table is cut into SEGS segments by
    the top bits of the mixed key; within a segment, a key's home is the
    first slot of a cache line chosen by the next bits, so homes increase
    with the mixed key.  Collisions are resolved by linear probing with the
    slots of every run kept sorted (an "ordered hash table", Amble and Knuth
    1974): then the whole segment is sorted, which gives three things:

      - a lookup stops at the first slot greater than its key, not at the
        end of the run, so the misses a query pays are about one line;
      - equal keys are adjacent, so counting a key's postings is free;
      - growing is one streaming pass, each slot going to
        max (its new home, the slot after the previous one), with no
        probing: the cost that used to dominate inserting at a million
        articles.

    A segment has a spill area after its last home line instead of
    wrapping around, so that order is never broken by the end of the
    array; a run that would spill past it grows the segment.  */
#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "clip_lsh.h"
#include "clip_sketch_wire.h"
#include "clip_util.h"

#define EMPTY 0
/*  Segments grow by a fifth when 72% full, so they are 60% to 72% full:
    about 11 to 13 bytes a key, 870 to 975 bytes a Reuters-sized article
    (73 keys).  Fuller tables would save memory but lengthen the runs an
    insert shifts and a lookup walks; this is where query + insert keeps
    its rate at a million articles (bench/README.md).  */
#define MAX_LOAD 0.72
#define GROWTH 1.2
/*  A segment of fewer homes than this doubles instead: an index that
    starts empty (a new corpus, the corpus's index of staged articles)
    would otherwise pass through some thirty sizes on its way to a few
    thousand articles, each a pass over the segment.  Below it the whole
    index is at most 64 segments of 32 KiB, 2 MiB, so the room a doubling
    leaves empty costs little; from it on, growth is by a fifth.  */
#define FAST_CAP 4096
#define BATCH 256
/*  Slots of one 64-byte cache line.  */
#define LINE 8
/*  Keys ahead whose home line is prefetched while one is probed: enough to
    overlap the misses, few enough for the core's miss buffers.  */
#define PREFETCH 12
/*  Tables from this size on are mapped, and asked for huge pages: random
    lookups in a gigabyte would otherwise miss the TLB on every key.  */
#define MAP_THRESHOLD (4u << 20)
/*  Growing rehashes one segment, not the whole index, so the pause at a
    million articles is milliseconds.  */
#define SEG_BITS 6
#define SEGS (1u << SEG_BITS)

typedef struct {
    uint64_t *slots;            /* sorted, EMPTY between runs */
    size_t cap;                 /* home slots: a multiple of LINE */
    size_t end;                 /* cap plus the spill area; slots [end] is EMPTY */
    size_t bytes;               /* mapped when >= MAP_THRESHOLD */
    size_t used;
    size_t limit;               /* used beyond this: grow (MAX_LOAD) */
} seg_t;

struct clip_lsh {
    seg_t seg [SEGS];
    size_t used;
    uint16_t *size;             /* per item: its shingles, at most 65535 */
    size_t size_cap;
    size_t items;
    uint32_t *scratch;          /* query: items found, one per shared key */
    size_t scratch_cap;
    uint32_t *sort_tmp;
    clip_lsh_hit_t *hits;
    size_t hits_cap;
    /*  The keys of the items of fewer than CLIP_LSH_FEW shingles, and a
        filter of them (short_test): a query looks up its shingles that are
        not probes only where the filter says they may be such a key,
        so that an article finds every short one copied into it (clip_lsh.h)
        for a few nanoseconds a shingle.  */
    uint32_t *short_keys;
    size_t n_short_keys;
    size_t short_keys_cap;
    uint64_t *short_bits;
    unsigned short_words_log2;
    size_t room;                /* clip_lsh_clear: keys of the recent fillings */
    bool loading;               /* between load_begin and load_end */
    struct chunk *load [SEGS];  /* loading: slot values, per segment */
    size_t load_n [SEGS];
};

/*  Slot values in a chunk of a segment's load: 512 KiB.  */
#define LOAD_CHUNK 65536

/*  Loading: the slot values of each segment are kept in chunks until
    clip_lsh_load_end sorts them and lays the segment out in one pass.  */
typedef struct chunk {
    struct chunk *next;
    size_t n;
    uint64_t v [LOAD_CHUNK];
} chunk_t;

/*  Keys are bin minima, which crowd the low end of each bin's range: mix
    them before using them as positions.  Invertible (xorshifts and odd
    multipliers), so the mixed value stands for the key.  */
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

/*  The first slot of the key's home line in its segment, from the bits
    below the segment's: non-decreasing in the mixed key.  */
static inline size_t
home_of (uint32_t mixed, size_t cap)
{
    uint32_t low = mixed << SEG_BITS;
    return (size_t) (((uint64_t) low * (cap / LINE)) >> 32) * LINE;
}

/*  The values of a key's postings are key_first (mixed) up to 2^32 - 2
    more (item + 1 in the low half), and EMPTY is 0, so one unsigned
    comparison a slot skips the smaller keys ("neither empty nor smaller")
    and one takes this key's.  Returns the first slot from i on that holds
    neither.  */
static inline uint64_t
key_first (uint32_t mixed)
{
    return (uint64_t) mixed << 32 | 1;
}

static inline size_t
skip_smaller (const uint64_t *slots, size_t i, uint64_t first)
{
    while (slots [i] - 1 < first - 1)
        i++;
    return i;
}

static inline bool
of_key (uint64_t v, uint64_t first)
{
    return v - first < UINT32_MAX;
}

/*  Bring in a key's home line and the next one, where its run continues
    when the home line is full: a miss there would otherwise come only
    after the first, one after the other instead of overlapped.  */
#define prefetch_home(seg, mixed, rw) do {                              \
        const uint64_t *home_ = &(seg)->slots [home_of ((mixed), (seg)->cap)]; \
        __builtin_prefetch (home_, (rw));                                \
        __builtin_prefetch (home_ + LINE, (rw));                         \
    } while (0)

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
    /*  The spill area: a run starting in the last lines is rarely longer
        than a few hundred slots at this load.  */
    size_t spill = seg->cap / 16;
    spill = spill < 64 ? 64 : spill > 4096 ? 4096 : spill;
    seg->end = seg->cap + spill;
    /*  One more slot, always empty, ends every scan.  */
    seg->bytes = (seg->end + 1) * sizeof *seg->slots;
    seg->limit = (size_t) ((double) seg->cap * MAX_LOAD);
    seg->slots = slots_alloc (seg->bytes);
    seg->used = 0;
}

/*  Move a segment's slots into a new table of at least cap homes.  The
    slots are sorted and so are their new homes, so each goes to the
    larger of its home and the slot after the last one placed.  */
static void
seg_resize (seg_t *seg, size_t cap)
{
    seg_t old = *seg;
    for (;;) {
        seg_alloc (seg, cap);
        size_t next = 0;
        bool fits = true;
        for (size_t i = 0; i < old.end && fits; i++) {
            uint64_t v = old.slots [i];
            if (v == EMPTY)
                continue;
            size_t home = home_of ((uint32_t) (v >> 32), seg->cap);
            size_t at = home > next ? home : next;
            if (at == seg->end)
                fits = false;
            else {
                seg->slots [at] = v;
                next = at + 1;
            }
        }
        if (fits)
            break;
        /*  A run spilled past the end: only possible for a tiny segment.  */
        slots_free (seg->slots, seg->bytes);
        cap = seg->cap * 2;
    }
    seg->used = old.used;
    slots_free (old.slots, old.bytes);
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
    for (size_t s = 0; s < SEGS; s++) {
        slots_free (self->seg [s].slots, self->seg [s].bytes);
        for (struct chunk *c = self->load [s], *next; c; c = next) {
            next = c->next;
            free (c);
        }
    }
    free (self->size);
    free (self->short_keys);
    free (self->short_bits);
    free (self->scratch);
    free (self->sort_tmp);
    free (self->hits);
    free (self);
    *self_p = NULL;
}

/*  The home slots a segment of cap homes grows to.  */
static size_t
grown_cap (size_t cap)
{
    return cap < FAST_CAP ? 2 * cap : (size_t) ((double) cap * GROWTH) + LINE;
}

/*  Insert value v (mixed key, item) into its segment, keeping it sorted.
    Returns false, storing nothing, when the key already has
    CLIP_LSH_MAX_POSTINGS items.  */
static bool
seg_insert (seg_t *seg, uint64_t v)
{
    uint32_t mixed = (uint32_t) (v >> 32);
    if (seg->used >= seg->limit)
        seg_resize (seg, grown_cap (seg->cap));
    for (;;) {
        uint64_t *slots = seg->slots;
        size_t i = home_of (mixed, seg->cap);
        /*  Skip the smaller keys, count this key's postings, and find the
            place of v among them (items are mostly inserted in increasing
            order, so it is usually after them).  */
        uint64_t first = key_first (mixed);
        i = skip_smaller (slots, i, first);
        size_t same = 0, at = SIZE_MAX;
        while (of_key (slots [i], first)) {
            if (at == SIZE_MAX && slots [i] > v)
                at = i;
            same++;
            i++;
        }
        if (same >= CLIP_LSH_MAX_POSTINGS)
            return false;
        if (at == SIZE_MAX)
            at = i;
        /*  Shift the rest of the run up by one slot.  */
        size_t empty = i;
        while (empty < seg->end && slots [empty] != EMPTY)
            empty++;
        if (empty == seg->end) {
            seg_resize (seg, grown_cap (seg->cap));
            continue;
        }
        memmove (slots + at + 1, slots + at, (empty - at) * sizeof *slots);
        slots [at] = v;
        seg->used++;
        return true;
    }
}

static void
load_add (clip_lsh_t *self, size_t sn, uint64_t v)
{
    chunk_t *c = self->load [sn];
    if (!c || c->n == LOAD_CHUNK) {
        chunk_t *fresh = clip_malloc (sizeof *fresh);
        fresh->next = c;
        fresh->n = 0;
        self->load [sn] = c = fresh;
    }
    c->v [c->n++] = v;
    self->load_n [sn]++;
}

/*  Lay out an empty segment from its loaded values: sort them by key,
    stably (the items of a key stay in the order they came, as inserting
    one by one would leave them), with three passes of 11 bits over the 32
    key bits less the segment's 6, the first reading the chunks; then place
    each at the larger of its home and the slot after the previous one (as
    seg_resize), keeping at most CLIP_LSH_MAX_POSTINGS items of a key.  a
    and tmp hold the segment's values.  */
static void
load_segment (clip_lsh_t *self, size_t sn, uint64_t *a, uint64_t *tmp, size_t *count)
{
    static_assert (32 - SEG_BITS <= 33, "three passes of 11 bits");
    size_t n = self->load_n [sn];
    if (n == 0)
        return;
    /*  Chunks were pushed at the head: reverse the list so that the values
        are read in their order of arrival.  */
    chunk_t *first = NULL;
    for (chunk_t *c = self->load [sn], *next; c; c = next) {
        next = c->next;
        c->next = first;
        first = c;
    }
    self->load [sn] = NULL;
    self->load_n [sn] = 0;
    uint64_t *src = a, *dst = tmp;
    for (int shift = 32; shift < 64 - SEG_BITS; shift += 11) {
        memset (count, 0, (2048 + 1) * sizeof *count);
        if (shift == 32) {
            for (chunk_t *c = first; c; c = c->next)
                for (size_t i = 0; i < c->n; i++)
                    count [((c->v [i] >> shift) & 0x7FF) + 1]++;
            for (int b = 0; b < 2048; b++)
                count [b + 1] += count [b];
            for (chunk_t *c = first, *next; c; c = next) {
                next = c->next;
                for (size_t i = 0; i < c->n; i++)
                    dst [count [(c->v [i] >> shift) & 0x7FF]++] = c->v [i];
                free (c);
            }
        }
        else {
            for (size_t i = 0; i < n; i++)
                count [((src [i] >> shift) & 0x7FF) + 1]++;
            for (int b = 0; b < 2048; b++)
                count [b + 1] += count [b];
            for (size_t i = 0; i < n; i++)
                dst [count [(src [i] >> shift) & 0x7FF]++] = src [i];
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    seg_t *seg = &self->seg [sn];
    assert (seg->used == 0);
    if ((double) n > (double) seg->cap * MAX_LOAD) {
        slots_free (seg->slots, seg->bytes);
        seg_alloc (seg, (size_t) ((double) n / MAX_LOAD) + LINE);
    }
    size_t next = 0, same = 0;
    uint32_t last = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t mixed = (uint32_t) (src [i] >> 32);
        same = i > 0 && mixed == last ? same + 1 : 1;
        last = mixed;
        if (same > CLIP_LSH_MAX_POSTINGS)
            continue;
        size_t home = home_of (mixed, seg->cap);
        size_t slot = home > next ? home : next;
        if (slot == seg->end) {
            /*  A run past the spill area: place the rest one by one.  */
            for (; i < n; i++)
                if (seg_insert (seg, src [i]))
                    self->used++;
            break;
        }
        seg->slots [slot] = src [i];
        seg->used++;
        self->used++;
        next = slot + 1;
    }
}

void
clip_lsh_load_begin (clip_lsh_t *self)
{
    assert (self && !self->loading);
    assert (self->used == 0);
    self->loading = true;
}

void
clip_lsh_load_end (clip_lsh_t *self)
{
    assert (self && self->loading);
    size_t most = 0;
    for (size_t sn = 0; sn < SEGS; sn++)
        most = self->load_n [sn] > most ? self->load_n [sn] : most;
    uint64_t *a = clip_malloc ((most + 1) * sizeof *a), *tmp = clip_malloc ((most + 1) * sizeof *tmp);
    size_t *count = clip_malloc ((2048 + 1) * sizeof *count);
    for (size_t sn = 0; sn < SEGS; sn++)
        load_segment (self, sn, a, tmp, count);
    free (a);
    free (tmp);
    free (count);
    self->loading = false;
}

/*  The short items' filter is a blocked Bloom filter: a key sets three
    bits, chosen by its low bits, in one 64-bit word chosen by its top bits
    (the keys of a short item are all its shingles, uniform hashes, not
    bin minima), so that a test is one load.  At 16 bits a key
    a shingle that is no such key passes about once in 100 times (a
    plain bitmap: once in 16, each a cache miss in the table).  */
static inline uint64_t
short_mask (uint32_t key)
{
    return (uint64_t) 1 << (key & 63) | (uint64_t) 1 << (key >> 6 & 63)
         | (uint64_t) 1 << (key >> 12 & 63);
}

static inline bool
short_test (const clip_lsh_t *self, uint32_t key)
{
    uint64_t mask = short_mask (key);
    return (self->short_bits [key >> (32 - self->short_words_log2)] & mask) == mask;
}

static inline void
short_set (clip_lsh_t *self, uint32_t key)
{
    self->short_bits [key >> (32 - self->short_words_log2)] |= short_mask (key);
}

/*  Remember the keys of a short item, growing the filter (from 8 KiB) so
    that it keeps at least 16 bits a key.  */
static void
short_add (clip_lsh_t *self, const uint32_t *keys, size_t n_keys)
{
    if (self->n_short_keys + n_keys > self->short_keys_cap) {
        size_t cap = self->short_keys_cap ? self->short_keys_cap : 1024;
        while (cap < self->n_short_keys + n_keys)
            cap *= 2;
        self->short_keys = clip_realloc (self->short_keys, cap * sizeof *self->short_keys);
        self->short_keys_cap = cap;
    }
    memcpy (self->short_keys + self->n_short_keys, keys, n_keys * sizeof *keys);
    self->n_short_keys += n_keys;
    unsigned log2 = self->short_words_log2 ? self->short_words_log2 : 10;
    while (log2 < 26 && ((size_t) 64 << log2) < 16 * self->n_short_keys)
        log2++;
    if (log2 != self->short_words_log2) {
        free (self->short_bits);
        self->short_bits = clip_calloc ((size_t) 1 << log2, sizeof *self->short_bits);
        self->short_words_log2 = log2;
        for (size_t k = 0; k < self->n_short_keys - n_keys; k++)
            short_set (self, self->short_keys [k]);
    }
    for (size_t k = 0; k < n_keys; k++)
        short_set (self, keys [k]);
}

void
clip_lsh_insert (clip_lsh_t *self, uint32_t item, size_t shingles,
                 const uint32_t *keys, size_t n_keys)
{
    assert (self);
    assert (item != UINT32_MAX);
    assert (n_keys <= UINT16_MAX && n_keys <= shingles);
    if (item >= self->size_cap) {
        size_t cap = self->size_cap ? self->size_cap : 1024;
        while (cap <= item)
            cap *= 2;
        self->size = clip_realloc (self->size, cap * sizeof *self->size);
        memset (self->size + self->size_cap, 0, (cap - self->size_cap) * sizeof *self->size);
        self->size_cap = cap;
    }
    self->size [item] = (uint16_t) (shingles < UINT16_MAX ? shingles : UINT16_MAX);
    self->items++;
    if (shingles < CLIP_LSH_FEW)
        short_add (self, keys, n_keys);
    /*  Find every home first and prefetch a few keys ahead, so that the
        cache misses of a large table overlap instead of following one
        another.  */
    if (self->loading) {
        for (size_t k = 0; k < n_keys; k++) {
            uint32_t mixed = mix32 (keys [k]);
            load_add (self, mixed >> (32 - SEG_BITS), (uint64_t) mixed << 32 | ((uint64_t) item + 1));
        }
        return;
    }
    uint32_t mixed [BATCH];
    for (size_t base = 0; base < n_keys; base += BATCH) {
        size_t n = n_keys - base < BATCH ? n_keys - base : BATCH;
        for (size_t k = 0; k < n; k++)
            mixed [k] = mix32 (keys [base + k]);
        for (size_t k = 0; k < n && k < PREFETCH; k++) {
            seg_t *seg = seg_of (self, mixed [k]);
            prefetch_home (seg, mixed [k], 1);
        }
        for (size_t k = 0; k < n; k++) {
            if (k + PREFETCH < n) {
                prefetch_home (seg_of (self, mixed [k + PREFETCH]), mixed [k + PREFETCH], 1);
            }
            uint64_t v = (uint64_t) mixed [k] << 32 | ((uint64_t) item + 1);
            if (seg_insert (seg_of (self, mixed [k]), v))
                self->used++;
        }
    }
}

void
clip_lsh_clear (clip_lsh_t *self)
{
    assert (self && !self->loading);
    /*  Room for the keys of the recent fillings, the largest counting
        less and less: a segment far larger than that (a big batch some
        time ago) is made smaller, so that the small batches after it do
        not each clear the room it needed; one that is not is kept, so
        that batches of varied sizes do not grow it again each time.  */
    self->room = self->used > self->room / 2 ? self->used : self->room / 2;
    size_t want = (size_t) ((double) self->room / SEGS / MAX_LOAD) + LINE;
    for (size_t s = 0; s < SEGS; s++) {
        seg_t *seg = &self->seg [s];
        if (seg->cap > 8 * want) {
            slots_free (seg->slots, seg->bytes);
            seg_alloc (seg, 2 * want);
        }
        else
        if (seg->used > 0) {
            memset (seg->slots, 0, seg->bytes);
            seg->used = 0;
        }
    }
    self->used = 0;
    self->items = 0;
    /*  The items' sizes are read only for items in the table: left as
        they are.  */
    if (self->n_short_keys > 0) {
        memset (self->short_bits, 0, sizeof *self->short_bits << self->short_words_log2);
        self->n_short_keys = 0;
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

/*  Push the short items that hold key (mixed) as a key.  */
static void
lookup_short (clip_lsh_t *self, uint32_t mixed, size_t *found)
{
    seg_t *seg = seg_of (self, mixed);
    const uint64_t *slots = seg->slots;
    uint64_t first = key_first (mixed);
    for (size_t i = skip_smaller (slots, home_of (mixed, seg->cap), first);
         of_key (slots [i], first); i++) {
        uint32_t item = (uint32_t) slots [i] - 1;
        if (self->size [item] < CLIP_LSH_FEW)
            push_scratch (self, found, item);
    }
}

size_t
clip_lsh_query (clip_lsh_t *self, const uint32_t *keys, size_t n_keys,
                const uint32_t *others, size_t n_others,
                size_t shingles, const clip_lsh_hit_t **hits)
{
    assert (self && hits);
    assert (!self->loading);
    *hits = self->hits;
    if (self->used == 0)
        return 0;                   /* empty (the staged articles' index, often) */
    size_t found = 0;
    if (self->n_short_keys > 0)
        for (size_t k = 0; k < n_others; k++) {
            if (short_test (self, others [k]))
                lookup_short (self, mix32 (others [k]), &found);
        }
    uint32_t mixed [BATCH];
    for (size_t base = 0; base < n_keys; base += BATCH) {
        size_t n = n_keys - base < BATCH ? n_keys - base : BATCH;
        for (size_t k = 0; k < n; k++)
            mixed [k] = mix32 (keys [base + k]);
        for (size_t k = 0; k < n && k < PREFETCH; k++) {
            seg_t *seg = seg_of (self, mixed [k]);
            prefetch_home (seg, mixed [k], 0);
        }
        for (size_t k = 0; k < n; k++) {
            if (k + PREFETCH < n) {
                prefetch_home (seg_of (self, mixed [k + PREFETCH]), mixed [k + PREFETCH], 0);
            }
            seg_t *seg = seg_of (self, mixed [k]);
            const uint64_t *slots = seg->slots;
            uint64_t first = key_first (mixed [k]);
            for (size_t i = skip_smaller (slots, home_of (mixed [k], seg->cap), first);
                 of_key (slots [i], first); i++)
                push_scratch (self, &found, (uint32_t) slots [i] - 1);
        }
    }
    clip_sketch_sort_u32 (self->scratch, self->sort_tmp, found);
    size_t n_hits = 0;
    for (size_t i = 0; i < found;) {
        size_t j = i;
        while (j < found && self->scratch [j] == self->scratch [i])
            j++;
        uint32_t item = self->scratch [i];
        size_t need = shingles < CLIP_LSH_FEW || self->size [item] < CLIP_LSH_FEW ? 1 : 2;
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
    size_t bytes = sizeof *self + self->size_cap * sizeof *self->size
                 + self->short_keys_cap * sizeof *self->short_keys
                 + (self->short_bits ? sizeof *self->short_bits << self->short_words_log2 : 0)
                 + self->scratch_cap * sizeof (uint32_t) * 2 + self->hits_cap * sizeof *self->hits;
    for (size_t s = 0; s < SEGS; s++)
        bytes += self->seg [s].bytes;
    return bytes;
}
