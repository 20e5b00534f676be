/*  clip_tagger: averaged perceptron over BILOU labels.  See clip_tagger.h.

    Model file (model.bin, little-endian):
        "CLIPNER1"          8 bytes magic
        u32 version         file format, 1
        u32 nlabels         17
        u32 log2rows        the weight table has 1 << log2rows rows
        u32 features        FEATURE_VERSION: which feature templates made it
        f32 scale           weight = int16 * scale
        u32 nnz             rows with a non-zero weight
        bitmap              (1 << log2rows) / 8 bytes, bit r set = row r stored
        nnz * nlabels i16   the stored rows in row order
    model2.bin, the optional second pass, has the same format.
    Rows that no update ever touched are left out.  A loaded model stays in
    this form (bitmap, a rank per 64 rows, the stored rows), a few MB that
    mostly stay in cache; a lookup is a bit test and, for the few stored
    rows, a popcount.

    Training (clip_tagger_train.c, which shares this file's insides
    through clip_tagger_int.h) keeps dense float weights, averages them
    (the averaged perceptron), and quantises them to int16 on saving
    (clip_tagger__model_save, in clip_tagger_io.c beside the loader), so
    that tagging is integer arithmetic and gives the same labels in every
    build.  The CoNLL reader and scorer are clip_conll.c.  This file:
    features, tagging, document consistency.  The model files (format
    above, loading, saving, clip_tagger_destroy) are clip_tagger_io.c.
*/
#include "clip_tagger.h"
#include "clip_tagger_int.h"
#include "clip_util.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
/*  xxhash's functions inlined here: the tagger hashes every word's
    features, and a call into the shared library per hash was 4.5% of
    tagging (callgrind).  */
#define XXH_INLINE_ALL
#pragma GCC diagnostic push
/*  gcc 12 at -O3 sees a false out-of-bounds read in the inlined XXH3.  */
#pragma GCC diagnostic ignored "-Warray-bounds"
#include <xxhash.h>
#pragma GCC diagnostic pop

const char *
clip_ent_type_name (int type)
{
    assert (type >= 0 && type < CLIP_ENT_NTYPES);
    return clip_entity_type_name ((clip_entity_type_t) type);
}

int
clip_ent_type_parse (const char *name, size_t len)
{
    int t = (int) clip_entity_type_parse_len (name, len);
    return t < CLIP_ENT_NTYPES ? t : -1;
}

size_t
clip_labels_spans (const uint8_t *labels, size_t n, clip_span_t *spans)
{
    size_t ns = 0;
    size_t open = SIZE_MAX;     /* start of the open B/I run */
    int otype = -1;
    for (size_t i = 0; i < n; i++) {
        int l = labels [i], t = clip_label_type (l), p = clip_label_pos (l);
        int continues = open != SIZE_MAX && t == otype && (p == CLIP_POS_I || p == CLIP_POS_L);
        if (open != SIZE_MAX && !continues) {
            spans [ns++] = (clip_span_t) { (uint32_t) open, (uint32_t) i, otype };
            open = SIZE_MAX;
        }
        if (l == 0)
            continue;
        if (continues) {
            if (p == CLIP_POS_L) {
                spans [ns++] = (clip_span_t) { (uint32_t) open, (uint32_t) i + 1, otype };
                open = SIZE_MAX;
            }
        }
        else
        if (p == CLIP_POS_U || p == CLIP_POS_L)
            spans [ns++] = (clip_span_t) { (uint32_t) i, (uint32_t) i + 1, t };
        else {
            open = i;
            otype = t;
        }
    }
    if (open != SIZE_MAX)
        spans [ns++] = (clip_span_t) { (uint32_t) open, (uint32_t) n, otype };
    return ns;
}

/*  ------------------------------------------------------------------------
    Features  */

static inline uint32_t
frow (uint32_t mask, unsigned tmpl, uint64_t h)
{
    return (uint32_t) mix64 (h + (uint64_t) tmpl * 0x9E3779B97F4A7C15ULL) & mask;
}

static uint64_t
hash_bytes (const char *s, size_t n)
{
    return XXH3_64bits (s, n);
}

/*  A word's path class at a granularity (the path's top 12 - shift bits)
    and its capitalisation bucket, each + 1, or 0 for a word without a
    path (unknown, or known by its class columns alone: clip_clusters.h).  */
static inline uint64_t
path_class (uint64_t cl, unsigned shift)
{
    return CLIP_CLUSTER_HAS_PATH (cl) ? (CLIP_CLUSTER_PATH (cl) >> shift) + 1 : 0;
}

static inline uint64_t
capb_class (uint64_t cl)
{
    return CLIP_CLUSTER_HAS_PATH (cl) ? CLIP_CLUSTER_CAPB (cl) + 1 : 0;
}

/*  Fill the attributes of one word.  */
static void
word_attr (const clip_tagger_t *self, const clip_word_t *word, attr_t *a)
{
    char w [WORD_MAX], lw [WORD_MAX], sh [16], key [WORD_MAX];
    size_t n = word->len < WORD_MAX - 1 ? word->len : WORD_MAX - 1;
    memcpy (w, word->text, n);
    w [n] = 0;
    size_t kn = clip_clusters_key (word->text, word->len, key, sizeof key);
    a->cl = clip_clusters_lookup (self->clusters, key, kn);
    size_t shn = 0;
    char last = 0;
    a->has_lower = a->has_alpha = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char) w [i];
        char s;
        if (c >= 'A' && c <= 'Z') {
            lw [i] = (char) (c | 0x20);
            s = 'X';
            a->has_alpha = 1;
        }
        else
        if (c >= 'a' && c <= 'z') {
            lw [i] = (char) c;
            s = 'x';
            a->has_alpha = a->has_lower = 1;
        }
        else {
            lw [i] = (char) c;
            if (c >= '0' && c <= '9')
                s = 'd';
            else
            if (c >= 0xC0)
                s = 'u';
            else
            if (c >= 0x80)
                continue;       /* continuation byte: part of the 'u' before */
            else
                s = (char) c;
        }
        if (s != last && shn < sizeof sh) {
            sh [shn++] = s;
            last = s;
        }
    }
    a->w = hash_bytes (w, n);
    a->lw = hash_bytes (lw, n);
    a->sh = hash_bytes (sh, shn);
    a->init_upper = n > 0 && w [0] >= 'A' && w [0] <= 'Z';
    a->npre = a->nsuf = 0;
    for (size_t k = 1; k <= 4 && k <= n; k++) {
        a->pre [a->npre++] = hash_bytes (lw, k);
        a->suf [a->nsuf++] = hash_bytes (lw + n - k, k);
    }
    a->mlw = mix64 (a->lw);
    a->msh = mix64 (a->sh);
    a->mc8 = mix64 (path_class (a->cl, 4));
}

/*  The hash of a word's lower-case form, as word_attr computes it.  */
uint64_t
clip_tagger__lw_hash (const char *text, size_t len)
{
    char lw [WORD_MAX];
    size_t n = len < WORD_MAX - 1 ? len : WORD_MAX - 1;
    for (size_t i = 0; i < n; i++) {
        char c = text [i];
        lw [i] = (c >= 'A' && c <= 'Z') ? (char) (c | 0x20) : c;
    }
    return hash_bytes (lw, n);
}



void
clip_tagger__gaz_init (gaz_t *g, size_t expected)
{
    size_t slots = 1024;
    while (slots < 2 * expected + 2)
        slots *= 2;
    g->keys = clip_calloc (slots, sizeof (uint64_t));
    g->masks = clip_calloc (slots, sizeof (uint32_t));
    g->mask = slots - 1;
    g->n = 0;
    g->first = clip_calloc (GAZ_FIRST_BITS / 64, sizeof (uint64_t));
}

void
clip_tagger__gaz_free (gaz_t *g)
{
    free (g->keys);
    free (g->masks);
    free (g->first);
    memset (g, 0, sizeof *g);
}

/*  Add bits to the entry for key (the table never fills: sized ahead).  */
void
clip_tagger__gaz_add (gaz_t *g, uint64_t key, uint32_t bits)
{
    if (key == 0)
        key = 1;
    if (2 * (g->n + 1) > g->mask + 1) {
        gaz_t bigger;
        clip_tagger__gaz_init (&bigger, 2 * g->n + 2);
        for (size_t i = 0; i <= g->mask; i++)
            if (g->keys [i])
                clip_tagger__gaz_add (&bigger, g->keys [i], g->masks [i]);
        memcpy (bigger.first, g->first, GAZ_FIRST_BITS / 8);
        clip_tagger__gaz_free (g);
        *g = bigger;
    }
    size_t i = (size_t) mix64 (key) & g->mask;
    while (g->keys [i] && g->keys [i] != key)
        i = (i + 1) & g->mask;
    if (!g->keys [i]) {
        g->keys [i] = key;
        g->n++;
    }
    g->masks [i] |= bits;
}

static uint32_t
gaz_get (const gaz_t *g, uint64_t key)
{
    if (!g->n)
        return 0;
    if (key == 0)
        key = 1;
    size_t i = (size_t) mix64 (key) & g->mask;
    while (g->keys [i]) {
        if (g->keys [i] == key)
            return g->masks [i];
        i = (i + 1) & g->mask;
    }
    return 0;
}

void
clip_tagger__gaz_first_add (gaz_t *g, uint64_t lw)
{
    size_t b = (size_t) (mix64 (lw) % GAZ_FIRST_BITS);
    g->first [b / 64] |= (uint64_t) 1 << (b % 64);
}

/*  Whether a name may start with the word whose lw has mix64 mix_lw.  */
static int
gaz_first_has (const gaz_t *g, uint64_t mix_lw)
{
    size_t b = (size_t) (mix_lw % GAZ_FIRST_BITS);
    return (g->first [b / 64] >> (b % 64)) & 1;
}

/*  The types visible to a document of fold (-1: all folds).  */
static unsigned
gaz_visible (uint32_t mask, int fold)
{
    if (fold >= 0)
        mask &= ~((uint32_t) 0xF << (4 * fold));
    unsigned types = 0;
    for (int f = 0; f < GAZ_FOLDS; f++)
        types |= (mask >> (4 * f)) & 0xF;
    return types;
}

/*  Mark the words of the sentence that lie inside names of g, into the
    gaz (which 0) or ugaz (which 1) bits.  */
static void
gaz_mark (const gaz_t *g, int fold, clip_tagdoc_t *doc, size_t n, int which)
{
    for (size_t i = 0; i < n; i++) {
        uint16_t *bits = which ? &doc->attr [i].ugaz : &doc->attr [i].gaz;
        *bits = 0;
    }
    if (!g->n)
        return;
    for (size_t i = 0; i < n; i++) {
        if (!gaz_first_has (g, doc->attr [i].mlw))
            continue;
        uint64_t h = GAZ_SEED;
        for (size_t len = 1; len <= GAZ_MAX_WORDS && i + len <= n; len++) {
            h = gaz_step (h, doc->attr [i + len - 1].lw);
            unsigned types = gaz_visible (gaz_get (g, h), fold);
            for (; types; types &= types - 1) {
                int t = __builtin_ctz (types);      /* the types in increasing order */
                for (size_t k = i; k < i + len; k++) {
                    int pos = len == 1 ? CLIP_POS_U : k == i ? CLIP_POS_B
                            : k + 1 == i + len ? CLIP_POS_L : CLIP_POS_I;
                    uint16_t *bits = which ? &doc->attr [k].ugaz : &doc->attr [k].gaz;
                    *bits |= (uint16_t) (1u << (4 * t + pos));
                }
            }
        }
    }
}

/*  mix64 of a history key as hist_slot stores it (0 is stored as 1),
    given the key lw and mix_lw, its mix64.  */
static inline uint64_t
hist_mix (uint64_t lw, uint64_t mix_lw)
{
    return lw ? mix_lw : mix64 (1);
}

/*  The history slot of a word (key, and mix from hist_mix): its slot in
    the table, a free slot for it when insert_ok, or SIZE_MAX.  */
static size_t
hist_slot (const hist_t *h, uint64_t key, uint64_t mix, int insert_ok)
{
    if (key == 0)
        key = 1;
    size_t i = (size_t) (mix & (HIST_SIZE - 1));
    for (size_t probe = 0; probe < HIST_SIZE; probe++) {
        if (h->key [i] == key)
            return i;
        if (h->key [i] == 0)
            return insert_ok ? i : SIZE_MAX;
        i = (i + 1) & (HIST_SIZE - 1);
    }
    return SIZE_MAX;
}

/*  The index of the document contexts of the word whose lw is lw, with
    mix64 mix_lw, or UINT32_MAX.  */
static uint32_t
agg_find (const clip_tagdoc_t *doc, uint64_t lw, uint64_t mix_lw)
{
    if (!doc->nagg)
        return UINT32_MAX;
    size_t i = (size_t) mix_lw & doc->agg_mask;
    while (doc->agg_slots [i]) {
        if (doc->agg [doc->agg_slots [i] - 1].lw == lw)
            return doc->agg_slots [i] - 1;
        i = (i + 1) & doc->agg_mask;
    }
    return UINT32_MAX;
}

static void wcache_prepare (const clip_tagger_t *self, clip_tagdoc_t *doc,
                            const clip_word_t *words, size_t n);

void
clip_tagger__prepare_sentence (const clip_tagger_t *self, clip_tagdoc_t *doc,
                  const clip_word_t *words, size_t n)
{
    if (n > doc->cap) {
        doc->cap = n > 2 * doc->cap ? n : 2 * doc->cap;
        doc->attr = clip_realloc (doc->attr, doc->cap * sizeof (attr_t));
        doc->wsum = clip_realloc (doc->wsum, doc->cap * sizeof *doc->wsum);
        doc->wafter_o = clip_realloc (doc->wafter_o, doc->cap * sizeof *doc->wafter_o);
    }
    /*  The cache holds first-pass sums of a loaded model: not for
        training (float weights) nor for the second pass.  */
    doc->cached = !self->wf && self->serial && !doc->p1;
    if (doc->cached)
        wcache_prepare (self, doc, words, n);
    int any_lower = 0, long_alpha = 0;
    for (size_t i = 0; i < n; i++) {
        int alpha = 0;
        if (doc->cached && words [i].len < WORD_MAX) {
            /*  word_attr saw all of the word: its flags are this loop's.  */
            alpha = doc->attr [i].has_alpha;
            any_lower |= doc->attr [i].has_lower;
        }
        else {
            for (uint32_t b = 0; b < words [i].len; b++) {
                char c = words [i].text [b];
                if (c >= 'a' && c <= 'z')
                    any_lower = alpha = 1;
                else
                if (c >= 'A' && c <= 'Z')
                    alpha = 1;
            }
        }
        if (alpha && words [i].len >= 2)
            long_alpha = 1;
    }
    doc->headline = !any_lower && long_alpha;
    for (size_t i = 0; i < n; i++) {
        attr_t *a = &doc->attr [i];
        if (!doc->cached)
            word_attr (self, &words [i], a);
        a->hist = HIST_NONE;
        a->vmaj = HIST_NONE;
        a->p1 = doc->p1 ? doc->p1 [doc->pos + i] : P1_NONE;
        a->agg = a->init_upper ? agg_find (doc, a->lw, a->mlw) : UINT32_MAX;
        if (a->init_upper) {
            size_t s = hist_slot (&doc->h, a->lw, hist_mix (a->lw, a->mlw), 0);
            if (s != SIZE_MAX) {
                int best = 0;
                for (int c = 1; c < 5; c++)
                    if (doc->h.count [s][c] > doc->h.count [s][best])
                        best = c;
                a->hist = (uint8_t) best;
            }
        }
        if (a->init_upper && doc->p1) {
            size_t s = hist_slot (&doc->v, a->lw, hist_mix (a->lw, a->mlw), 0);
            if (s != SIZE_MAX) {
                const uint16_t *c = doc->v.count [s];
                unsigned total = 0;
                int best = 0;
                for (int k = 0; k < 5; k++) {
                    total += c [k];
                    if (k > 0 && c [k] > c [best])
                        best = k;
                }
                a->vmaj = (uint8_t) best;
                for (int k = 0; k < 4; k++)
                    a->vfrac [k] = (uint8_t) (total ? (4u * c [k + 1] + total - 1) / total : 0);
            }
        }
    }
    gaz_mark (&self->gaz, doc->fold, doc, n, 0);
    gaz_mark (&self->ugaz, -1, doc, n, 1);
}

/*  Count label for the word lw (mix64 mix_lw) in h; -1 when h is full.  */
static int
hist_add (hist_t *h, uint64_t lw, uint64_t mix_lw, int label)
{
    if (h->nused >= HIST_SIZE * 3 / 4)
        return -1;
    size_t s = hist_slot (h, lw, hist_mix (lw, mix_lw), 1);
    if (s == SIZE_MAX)
        return -1;
    if (h->key [s] == 0) {
        h->key [s] = lw ? lw : 1;
        h->used [h->nused++] = (uint32_t) s;
    }
    int c = label ? clip_label_type (label) + 1 : 0;
    if (h->count [s][c] < UINT16_MAX)
        h->count [s][c]++;
    return 0;
}

static void
hist_clear (hist_t *h)
{
    for (size_t i = 0; i < h->nused; i++) {
        uint32_t s = h->used [i];
        h->key [s] = 0;
        memset (h->count [s], 0, sizeof h->count [s]);
    }
    h->nused = 0;
}

/*  Record the labels of a tagged sentence in the document history.  */
void
clip_tagger__record_history (clip_tagdoc_t *doc, size_t n, const uint8_t *labels)
{
    for (size_t i = 0; i < n; i++) {
        const attr_t *a = &doc->attr [i];
        if (a->init_upper && hist_add (&doc->h, a->lw, a->mlw, labels [i]) < 0)
            return;
    }
}

/*  The second pass's view of the first: the first-pass labels of every
    capitalised word of the whole document (extended prediction history:
    a later, clearer mention counts as much as an earlier one), and the
    labels themselves (doc->p1).  */
void
clip_tagger__votes_build (clip_tagdoc_t *doc, const clip_word_t *words, size_t n, const uint8_t *p1)
{
    hist_clear (&doc->v);
    doc->p1 = p1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c0 = words [i].len ? (unsigned char) words [i].text [0] : 0;
        if (c0 >= 'A' && c0 <= 'Z') {
            uint64_t lw = clip_tagger__lw_hash (words [i].text, words [i].len);
            if (hist_add (&doc->v, lw, mix64 (lw), p1 [i]) < 0)
                return;
        }
    }
}

/*  The mix64 fields are those of lw, sh and cluster 0, as word_attr
    makes them (checked in clip_tagdoc_new).  */
static const attr_t boundary_attr = {
    .w = 0x1111, .lw = 0x2222, .sh = 0x3333, .cl = 0, .p1 = P1_NONE,
    .mlw = 0x9D5D29022E9B4ED8ULL, .msh = 0x15A63594A95AA3E9ULL, .mc8 = 0
};

/*  The features of word a that do not depend on labels, with neighbours
    p1, p2 (before) and n1, n2 (after), first when a starts the sentence:
    those of the kinds in want (F_SELF ... F_WCTX, clip_tagger_int.h), in
    one fixed order (the float sums of training depend on it).  The F_CTX
    ones read doc; the others only the attributes of the word their kind
    names, so that role_sums can ask for the features of one word in one
    role with the other words left at the boundary.  Always inlined, and
    called with want a constant: each caller gets a copy with only the
    features it wants, not a test per feature.  */
static inline __attribute__ ((always_inline)) size_t
features (const clip_tagger_t *self, const clip_tagdoc_t *doc, int first, const attr_t *a,
          const attr_t *p1, const attr_t *p2, const attr_t *n1, const attr_t *n2,
          unsigned want, uint32_t *r)
{
    const uint32_t m = self->mask;
    size_t k = 0;
    int ctx = first + 2 * (doc ? doc->headline : 0);
#define FEATURE(kind, tmpl, h) \
    do { if ((want & (kind)) && !(want & F_CLONLY)) r [k++] = frow (m, (tmpl), (h)); } while (0)
    /*  A feature of the cluster of one word alone.  */
#define FEATURE_CL(kind, tmpl, h) \
    do { if ((want & (kind)) && !(want & F_NOCL)) r [k++] = frow (m, (tmpl), (h)); } while (0)
    FEATURE (F_SELF, T_BIAS, 0);
    FEATURE (F_SELF, T_W, a->w);
    FEATURE (F_SELF, T_LW, a->lw);
    FEATURE (F_SELF, T_SH, a->sh);
    for (unsigned j = 0; j < a->npre; j++)
        FEATURE (F_SELF, T_PRE + j, a->pre [j]);
    for (unsigned j = 0; j < a->nsuf; j++)
        FEATURE (F_SELF, T_SUF + j, a->suf [j]);
    FEATURE (F_L1, T_LWM1, p1->lw);
    FEATURE (F_R1, T_LWP1, n1->lw);
    FEATURE (F_L2, T_LWM2, p2->lw);
    FEATURE (F_R2, T_LWP2, n2->lw);
    FEATURE (F_L1, T_WM1, p1->w);
    FEATURE (F_R1, T_WP1, n1->w);
    FEATURE (F_CTX, T_BIM, comb_m (p1->mlw, a->lw));
    FEATURE (F_CTX, T_BIP, comb_m (a->mlw, n1->lw));
    FEATURE (F_L1, T_SHM1, p1->sh);
    FEATURE (F_R1, T_SHP1, n1->sh);
    FEATURE (F_CTX, T_SH3, comb (comb_m (p1->msh, a->sh), n1->sh));
    if (CLIP_CLUSTER_HAS_PATH (a->cl)) {
        uint32_t path = CLIP_CLUSTER_PATH (a->cl), capb = CLIP_CLUSTER_CAPB (a->cl);
        FEATURE_CL (F_SELF, T_C4, path >> 8);
        FEATURE_CL (F_SELF, T_C8, path >> 4);
        FEATURE_CL (F_SELF, T_C12, path);
        FEATURE_CL (F_SELF, T_CAPB, capb);
        FEATURE (F_WCTX, T_CAPB_POS, (uint64_t) capb * 8 + (uint64_t) ctx * 2 + a->init_upper);
    }
    else
        FEATURE (F_WCTX, T_CUNK, (uint64_t) ctx * 2 + a->init_upper);
    FEATURE_CL (F_L1, T_CM1, path_class (p1->cl, 4));
    FEATURE_CL (F_R1, T_CP1, path_class (n1->cl, 4));
    FEATURE_CL (F_L2, T_C8M2, path_class (p2->cl, 4));
    FEATURE_CL (F_R2, T_C8P2, path_class (n2->cl, 4));
    FEATURE (F_WCTX, T_CLCAP, comb_m (a->mc8, (uint64_t) a->init_upper * 4 + (uint64_t) ctx));
    FEATURE (F_CTX, T_LWM1_SH, comb_m (p1->mlw, a->sh));
    FEATURE (F_CTX, T_SH_LWP1, comb_m (a->msh, n1->lw));
    FEATURE_CL (F_L1, T_CAPBM1, capb_class (p1->cl));
    FEATURE_CL (F_R1, T_CAPBP1, capb_class (n1->cl));
    FEATURE (F_CTX, T_C8BI, comb_m (p1->mc8, path_class (a->cl, 4)));
    FEATURE_CL (F_L1, T_C4M1, path_class (p1->cl, 8));
    FEATURE_CL (F_R1, T_C4P1, path_class (n1->cl, 8));
    FEATURE_CL (F_L1, T_C12M1, path_class (p1->cl, 0));
    FEATURE_CL (F_R1, T_C12P1, path_class (n1->cl, 0));
    /*  The classes of the exchange columns (clip_clusters.h), those the
        file has: one template per role, the column in the hashed value.  */
    for (unsigned i = 0; i < CLIP_CLUSTER_XCOLUMNS; i++) {
        uint64_t col = (uint64_t) i << 16;
        if (CLIP_CLUSTER_XCLASS (a->cl, i)) {
            FEATURE_CL (F_SELF, T_X, col | CLIP_CLUSTER_XCLASS (a->cl, i));
            FEATURE (F_SELF, T_XUP, (col | CLIP_CLUSTER_XCLASS (a->cl, i)) * 2 + a->init_upper);
        }
        if (CLIP_CLUSTER_XCLASS (p1->cl, i))
            FEATURE_CL (F_L1, T_XM1, col | CLIP_CLUSTER_XCLASS (p1->cl, i));
        if (CLIP_CLUSTER_XCLASS (n1->cl, i))
            FEATURE_CL (F_R1, T_XP1, col | CLIP_CLUSTER_XCLASS (n1->cl, i));
        if (CLIP_CLUSTER_XCLASS (p2->cl, i))
            FEATURE_CL (F_L2, T_XM2, col | CLIP_CLUSTER_XCLASS (p2->cl, i));
        if (CLIP_CLUSTER_XCLASS (n2->cl, i))
            FEATURE_CL (F_R2, T_XP2, col | CLIP_CLUSTER_XCLASS (n2->cl, i));
    }
    if (p1->nsuf >= 3)
        FEATURE (F_L1, T_SUFM1, p1->suf [2]);
    if (n1->nsuf >= 3)
        FEATURE (F_R1, T_SUFP1, n1->suf [2]);
#undef FEATURE
#undef FEATURE_CL
    if (!(want & F_CTX))
        return k;
    /*  The rest is all F_CTX.  */
    if (doc->headline)
        r [k++] = frow (m, T_HEAD_LW, a->lw);
    if (first)
        r [k++] = frow (m, T_FIRST_SH, a->sh);
    /*  The set bits in increasing order (most words have none).  */
    for (unsigned bits = a->ugaz; bits; bits &= bits - 1) {
        unsigned b = (unsigned) __builtin_ctz (bits);
        r [k++] = frow (m, T_UGAZ, b);
        r [k++] = frow (m, T_UGAZ_CAP, (uint64_t) b * 4 + (uint64_t) a->init_upper * 2
                                       + (uint64_t) doc->headline);
    }
    for (unsigned bits = a->gaz; bits; bits &= bits - 1) {
        unsigned b = (unsigned) __builtin_ctz (bits);
        r [k++] = frow (m, T_GAZ, b);
        r [k++] = frow (m, T_GAZ_CAP, (uint64_t) b * 4 + (uint64_t) a->init_upper * 2
                                      + (uint64_t) doc->headline);
    }
    if (a->agg != UINT32_MAX) {
        const agg_t *g = &doc->agg [a->agg];
        r [k++] = frow (m, T_DOCCASE, (uint64_t) g->seen * 8 + (uint64_t) ctx * 2 + a->has_lower);
        for (uint32_t j = 0; j < g->n; j++) {
            if (g->prev [j] == p1->lw && g->next [j] == n1->lw)
                continue;       /* this very mention, most likely */
            r [k++] = frow (m, T_AGGP, g->prev [j]);
            r [k++] = frow (m, T_AGGN, g->next [j]);
        }
    }
    if (a->hist != HIST_NONE) {
        r [k++] = frow (m, T_HIST, a->hist);
        r [k++] = frow (m, T_HIST_SH, comb (a->hist, a->sh));
    }
    if (a->p1 != P1_NONE) {
        /*  Second pass: stacked on the first pass's labels.  */
        r [k++] = frow (m, T_P1, a->p1);
        r [k++] = frow (m, T_P1M1, p1->p1);
        r [k++] = frow (m, T_P1P1, n1->p1);
        r [k++] = frow (m, T_P1SH, comb (a->p1, a->sh));
        if (a->vmaj != HIST_NONE) {
            r [k++] = frow (m, T_VOTE_MAJ, (uint64_t) a->vmaj * 8 + (uint64_t) ctx * 2
                                           + a->init_upper);
            for (unsigned t = 0; t < 4; t++)
                if (a->vfrac [t])
                    r [k++] = frow (m, T_VOTE, t * 8 + a->vfrac [t]);
        }
    }
    assert (k <= MAXF - 4);
    return k;
}

/*  The features of word i of the sentence (n words) at hand that are of
    the kinds in want (a constant: see features).  */
static inline __attribute__ ((always_inline)) size_t
sentence_features (const clip_tagger_t *self, const clip_tagdoc_t *doc, size_t n, size_t i,
                   unsigned want, uint32_t *r)
{
    const attr_t *a = &doc->attr [i];
    const attr_t *p1 = i >= 1 ? &doc->attr [i - 1] : &boundary_attr;
    const attr_t *p2 = i >= 2 ? &doc->attr [i - 2] : &boundary_attr;
    const attr_t *n1 = i + 1 < n ? &doc->attr [i + 1] : &boundary_attr;
    const attr_t *n2 = i + 2 < n ? &doc->attr [i + 2] : &boundary_attr;
    return features (self, doc, i == 0, a, p1, p2, n1, n2, want, r);
}

/*  All the features of word i that do not depend on labels.  */
size_t
clip_tagger__static_features (const clip_tagger_t *self, const clip_tagdoc_t *doc, size_t n,
                 size_t i, uint32_t *r)
{
    return sentence_features (self, doc, n, i, F_ALL, r);
}

/*  The features that depend on the two previous labels: of the labels
    alone (pairs) and of the previous label and the word (with_word).  */
static inline __attribute__ ((always_inline)) size_t
label_features (const clip_tagger_t *self, const attr_t *a, int y1, int y2, int pairs,
                int with_word, uint32_t *r)
{
    const uint32_t m = self->mask;
    size_t k = 0;
    if (pairs) {
        r [k++] = frow (m, T_Y1, (uint64_t) y1);
        r [k++] = frow (m, T_Y2Y1, (uint64_t) y2 * 32 + (uint64_t) y1);
    }
    if (with_word) {
        r [k++] = frow (m, T_Y1LW, comb ((uint64_t) y1, a->lw));
        r [k++] = frow (m, T_Y1SH, comb ((uint64_t) y1, a->sh));
    }
    return k;
}

size_t
clip_tagger__label_features (const clip_tagger_t *self, const attr_t *a, int y1, int y2, uint32_t *r)
{
    return label_features (self, a, y1, y2, 1, 1, r);
}

/*  The labels that may follow prev (START_LABEL before a sentence), last
    when the word ends the sentence, as a bit per label: the BILOU
    transition constraints.  */
static uint32_t
allowed_labels (int prev, int last)
{
    int pp = prev == START_LABEL ? -1 : clip_label_pos (prev);
    if (pp == CLIP_POS_B || pp == CLIP_POS_I) {
        int t = clip_label_type (prev);
        uint32_t m = 1u << clip_label_make (t, CLIP_POS_L);
        if (!last)
            m |= 1u << clip_label_make (t, CLIP_POS_I);
        return m;
    }
    uint32_t m = 1;             /* O */
    for (int t = 0; t < CLIP_ENT_NTYPES; t++) {
        m |= 1u << clip_label_make (t, CLIP_POS_U);
        if (!last)
            m |= 1u << clip_label_make (t, CLIP_POS_B);
    }
    return m;
}

int
clip_tagger__best_label (const float *scores, int prev, int last)
{
    /*  The allowed labels in increasing order, the first of the best
        scores winning a tie.  */
    int best = -1;
    for (uint32_t m = allowed_labels (prev, last); m; m &= m - 1) {
        int l = __builtin_ctz (m);
        if (best < 0 || scores [l] > scores [best])
            best = l;
    }
    return best;
}

/*  The label clip_tagger__best_label picks from the allowed labels m
    (allowed_labels) with the scores (float) acc [0, NL), from acc itself:
    a sum of at most MAXF int16 rows is below 2^24 in magnitude, so that
    it converts to float exactly and compares the same.  */
static int
best_label_q (const int32_t acc [NL], uint32_t m)
{
    _Static_assert ((long long) MAXF * 32768 < (1LL << 24), "sums of MAXF int16 rows fit a float");
    int best = __builtin_ctz (m);
    for (m &= m - 1; m; m &= m - 1) {
        int l = __builtin_ctz (m);
        if (acc [l] > acc [best])
            best = l;
    }
    return best;
}

/*  The stored rows among rows [0, k) under q, in order, into found;
    returns how many.  hw_popcnt (a constant) when the function it is
    inlined into may use the popcnt instruction.  */
static inline __attribute__ ((always_inline)) size_t
q_find (const qweights_t *q, const uint32_t *rows, size_t k, const int16_t **found,
        int hw_popcnt)
{
    /*  The stored rows are compact (a few MB, mostly in cache): a row's
        place is the number of stored rows before it, from the rank of
        its 64-row word and a popcount; most rows hold nothing and are
        skipped after one bit test.  */
    const uint64_t *bits = q->bits;
    const uint32_t *rank = q->rank;
    const int16_t *wq = q->wq;
    size_t nf = 0;
    for (size_t f = 0; f < k; f++) {
        uint32_t r = rows [f];
        uint64_t word = bits [r >> 6], bit = (uint64_t) 1 << (r & 63);
        if (!(word & bit))
            continue;
        uint64_t below = word & (bit - 1);
        size_t idx = rank [r >> 6]
                   + (hw_popcnt ? (unsigned) __builtin_popcountll (below) : popcount64 (below));
        found [nf] = wq + idx * NL;
        __builtin_prefetch (found [nf]);
        nf++;
    }
    return nf;
}

/*  The summed rows found [0, nf), added to init (NULL: zeros), into
    acc_out.  */
static inline __attribute__ ((always_inline)) void
q_sum (const int16_t *const *found, size_t nf, const int32_t *init, int32_t acc_out [NL])
{
    /*  Label 0 apart, labels 1..16 as two vectors of eight int16 added
        into four of four int32 (GCC's and clang's vector extensions: SSE2
        on x86-64, plain code where there is none).  The compiler
        vectorised the plain loop by itself until it started from init;
        then at -O2 it made three quarters of it scalar, and
        __builtin_convertvector came out no better.  */
    typedef int16_t v8h __attribute__ ((vector_size (16)));
    typedef int32_t v4w __attribute__ ((vector_size (16)));
    int32_t acc0 = 0;
    v4w acc [4] = { { 0 } };
    if (init) {
        acc0 = init [0];
        memcpy (acc, init + 1, sizeof acc);
    }
    for (size_t f = 0; f < nf; f++) {
        const int16_t *w = found [f];
        acc0 += w [0];
        for (int g = 0; g < 2; g++) {
            v8h h;
            memcpy (&h, w + 1 + 8 * g, sizeof h);
            /*  Each int16 twice side by side is an int32 whose upper half
                is that int16: shifted right by 16 (arithmetic, signed),
                the int16 widened, on either byte order.  */
            v8h lo = __builtin_shufflevector (h, h, 0, 0, 1, 1, 2, 2, 3, 3);
            v8h hi = __builtin_shufflevector (h, h, 4, 4, 5, 5, 6, 6, 7, 7);
            acc [2 * g] += (v4w) lo >> 16;
            acc [2 * g + 1] += (v4w) hi >> 16;
        }
    }
    acc_out [0] = acc0;
    memcpy (acc_out + 1, acc, sizeof acc);
}

/*  The summed quantised weights of rows [0, k) under q, added to init
    (NULL: zeros), into acc_out; hw_popcnt as for q_find.  */
static inline __attribute__ ((always_inline)) void
score_q_body (const qweights_t *q, const uint32_t *rows, size_t k, const int32_t *init,
              int32_t acc_out [NL], int hw_popcnt)
{
    const int16_t *found [MAXF];
    size_t nf = q_find (q, rows, k, found, hw_popcnt);
    q_sum (found, nf, init, acc_out);
}

/*  score_q_body for the WROLES runs of rows that end before ends [0 ..
    WROLES), each summed into its part: one call for role_sums rather
    than one per role.  */
static inline __attribute__ ((always_inline)) void
score_roles_body (const qweights_t *q, const uint32_t *rows, const size_t ends [WROLES],
                  int32_t part [WROLES][NL], int hw_popcnt)
{
    const int16_t *found [MAXF];
    size_t fend [WROLES], nf = 0;
    for (int role = 0; role < WROLES; role++) {
        size_t from = role ? ends [role - 1] : 0;
        nf += q_find (q, rows + from, ends [role] - from, found + nf, hw_popcnt);
        fend [role] = nf;
    }
    for (int role = 0; role < WROLES; role++) {
        size_t from = role ? fend [role - 1] : 0;
        q_sum (found + from, fend [role] - from, NULL, part [role]);
    }
}

/*  The popcount of score_q_body in software (popcount64) was 15% of the
    instructions of tagging (callgrind on bench_ner); it is one with the
    popcnt instruction, which x86-64 processors have had since about 2008
    but the compiler may not assume: a copy compiled for it is chosen at
    run time.  */
#if defined (__x86_64__) && defined (__GNUC__)
#define SCORE_Q_POPCNT 1
__attribute__ ((target ("popcnt"))) static void
score_q_popcnt (const qweights_t *q, const uint32_t *rows, size_t k, const int32_t *init,
                int32_t acc_out [NL])
{
    score_q_body (q, rows, k, init, acc_out, 1);
}

__attribute__ ((target ("popcnt"))) static void
score_roles_popcnt (const qweights_t *q, const uint32_t *rows, const size_t ends [WROLES],
                    int32_t part [WROLES][NL])
{
    score_roles_body (q, rows, ends, part, 1);
}
#endif

static void
score_q (const qweights_t *q, const uint32_t *rows, size_t k, const int32_t *init,
         int32_t acc_out [NL])
{
#ifdef SCORE_Q_POPCNT
    if (__builtin_cpu_supports ("popcnt")) {
        score_q_popcnt (q, rows, k, init, acc_out);
        return;
    }
#endif
    score_q_body (q, rows, k, init, acc_out, 0);
}

static void
score_roles (const qweights_t *q, const uint32_t *rows, const size_t ends [WROLES],
             int32_t part [WROLES][NL])
{
#ifdef SCORE_Q_POPCNT
    if (__builtin_cpu_supports ("popcnt")) {
        score_roles_popcnt (q, rows, ends, part);
        return;
    }
#endif
    score_roles_body (q, rows, ends, part, 0);
}

/*  Scores of the labels under the weights of a pass (0 first, 1 second).  */
void
clip_tagger__score_rows (const clip_tagger_t *self, int pass, const uint32_t *rows, size_t k, float *scores)
{
    const float *wf = pass == 0 && self->wf1 ? self->wf1 : self->wf;
    if (wf) {
        float acc [NL] = { 0 };
        for (size_t f = 0; f < k; f++) {
            const float *w = wf + (size_t) rows [f] * NL;
            for (int l = 0; l < NL; l++)
                acc [l] += w [l];
        }
        memcpy (scores, acc, sizeof acc);
    }
    else {
        int32_t acc [NL];
        score_q (&self->q [pass], rows, k, NULL, acc);
        for (int l = 0; l < NL; l++)
            scores [l] = (float) acc [l];
    }
}

/*  ------------------------------------------------------------------------
    The word cache (wcache_t, clip_tagger_int.h)  */

static atomic_uint_fast64_t serial_last;

/*  A number for a loaded model, never 0 and never given twice in the
    process: a clip_tagdoc_t's cache is tied to one, so that a model loaded
    where a freed one was is never read with the old one's sums.  */
uint64_t
clip_tagger__serial_next (void)
{
    return (uint64_t) atomic_fetch_add (&serial_last, 1) + 1;
}

/*  dst [0, NL) += src [0, NL): labels 0..15 as four vectors of four
    (GCC's and clang's vector extensions; the compiler leaves a loop of 17
    scalar at -O2), then label 16.  */
static inline void
add_row (int32_t *dst, const int32_t *src)
{
    _Static_assert (NL == 17, "add_row adds 16 labels as vectors, then one");
    typedef int32_t v4w __attribute__ ((vector_size (16)));
    for (int g = 0; g < 4; g++) {
        v4w a, b;
        memcpy (&a, dst + 4 * g, sizeof a);
        memcpy (&b, src + 4 * g, sizeof b);
        a += b;
        memcpy (dst + 4 * g, &a, sizeof a);
    }
    dst [16] += src [16];
}

/*  The rows of word a's features in each role (an all-boundary window
    but for it) of the kinds in extra (F_NOCL or F_CLONLY) into rows, and
    where each role's end, into ends; returns how many.  */
static inline __attribute__ ((always_inline)) size_t
role_rows (const clip_tagger_t *self, const attr_t *a, unsigned extra, uint32_t *rows,
           size_t ends [WROLES])
{
    const attr_t *b = &boundary_attr;
    size_t k = 0;
    /*  One features call per role, each with a constant want (see
        features).  With no doc, F_WCTX is at the usual place (ctx 0).  */
    k += features (self, NULL, 0, a, b, b, b, b, F_SELF | F_WCTX | extra, rows + k);
    ends [0] = k;
    k += features (self, NULL, 0, b, a, b, b, b, F_L1 | extra, rows + k);
    ends [1] = k;
    k += features (self, NULL, 0, b, b, b, a, b, F_R1 | extra, rows + k);
    ends [2] = k;
    k += features (self, NULL, 0, b, b, a, b, b, F_L2 | extra, rows + k);
    ends [3] = k;
    k += features (self, NULL, 0, b, b, b, b, a, F_R2 | extra, rows + k);
    ends [4] = k;
    assert (k <= MAXF);
    return k;
}

/*  The partial sums of word a in each role: those of its cluster from
    doc->ccache (filled when not there), the rest summed here.  */
static void
role_sums (const clip_tagger_t *self, clip_tagdoc_t *doc, const attr_t *a,
           int32_t part [WROLES][NL])
{
    uint32_t rows [MAXF];
    size_t ends [WROLES];
    ccache_t *c = &doc->ccache [mix64 (a->cl) & (((size_t) 1 << CCACHE_BITS) - 1)];
    if (!c->full || c->cl != a->cl) {
        role_rows (self, a, F_CLONLY, rows, ends);
        score_roles (&self->q [0], rows, ends, c->part);
        c->cl = a->cl;
        c->full = 1;
    }
    role_rows (self, a, F_NOCL, rows, ends);
    score_roles (&self->q [0], rows, ends, part);
    for (int role = 0; role < WROLES; role++)
        add_row (part [role], c->part [role]);
}

/*  The cache entry of a word, filled when it is not there.  A word of
    WORD_MAX bytes or more is not kept: it goes to *spare.  */
static const wcache_t *
wcache_get (const clip_tagger_t *self, clip_tagdoc_t *doc, const clip_word_t *word,
            wcache_t *spare)
{
    uint64_t key = hash_bytes (word->text, word->len);
    wcache_t *e = spare;
    if (word->len > 0 && word->len < WORD_MAX) {
        /*  Two ways a set; a new word evicts the one used less recently
            (a first pass over CoNLL test, 9,488 distinct words, missed
            11,994 times with one way, 10,964 with two).  */
        size_t si = key & (((size_t) 1 << (WCACHE_BITS - 1)) - 1);
        wcache_t *set = &doc->wcache [si * 2];
        for (int way = 0; way < 2; way++) {
            e = &set [way];
            if (e->len == word->len && e->key == key
                && memcmp (e->text, word->text, word->len) == 0) {
                doc->wcache_mru [si] = (uint8_t) way;
                return e;
            }
        }
        int way = !doc->wcache_mru [si];
        doc->wcache_mru [si] = (uint8_t) way;
        e = &set [way];
        e->key = key;
        e->len = word->len;
        memcpy (e->text, word->text, word->len);
    }
    e->attr = (attr_t) { 0 };   /* the fields word_attr leaves are the sentence's */
    word_attr (self, word, &e->attr);
    role_sums (self, doc, &e->attr, e->part);
    uint32_t rows [4];
    size_t k = label_features (self, &e->attr, 0, 0, 0, 1, rows);
    score_q (&self->q [0], rows, k, NULL, e->after_o);
    return e;
}

/*  Fill the attributes of the sentence's words from the cache and add up
    in doc->wsum [i] the partial sums word i's features take from itself
    and its neighbours (the boundary's where it has none).  */
static void
wcache_prepare (const clip_tagger_t *self, clip_tagdoc_t *doc, const clip_word_t *words, size_t n)
{
    if (!doc->wcache || doc->wcache_serial != self->serial) {
        if (!doc->wcache) {
            doc->wcache = clip_malloc (((size_t) 1 << WCACHE_BITS) * sizeof (wcache_t));
            doc->ccache = clip_malloc (((size_t) 1 << CCACHE_BITS) * sizeof (ccache_t));
            doc->wcache_mru = clip_malloc ((size_t) 1 << (WCACHE_BITS - 1));
        }
        memset (doc->wcache_mru, 0, (size_t) 1 << (WCACHE_BITS - 1));
        for (size_t s = 0; s < (size_t) 1 << WCACHE_BITS; s++)
            doc->wcache [s].len = 0;
        for (size_t s = 0; s < (size_t) 1 << CCACHE_BITS; s++)
            doc->ccache [s].full = 0;
        doc->wcache_serial = self->serial;
        role_sums (self, doc, &boundary_attr, doc->wbound);
        for (int prev = 0; prev <= START_LABEL; prev++)
            for (int last = 0; last < 2; last++)
                doc->allowed [prev][last] = allowed_labels (prev, last);
        for (int y2 = 0; y2 <= START_LABEL; y2++)
            for (int y1 = 0; y1 <= START_LABEL; y1++) {
                uint32_t rows [2];
                size_t k = label_features (self, &boundary_attr, y1, y2, 1, 0, rows);
                score_q (&self->q [0], rows, k, NULL, doc->ypair [y2][y1]);
            }
    }
    /*  Each row starts from its first term rather than from zeros: the
        boundary's before the first two words (the boundary is the
        neighbour beyond the ends of the sentence), for the others the
        sums of the word two before them (F_L2).  */
    if (n == 0)
        return;
    memcpy (doc->wsum [0], doc->wbound [1], sizeof doc->wsum [0]);
    add_row (doc->wsum [0], doc->wbound [3]);
    if (n >= 2)
        memcpy (doc->wsum [1], doc->wbound [3], sizeof doc->wsum [1]);
    wcache_t spare;
    for (size_t i = 0; i < n; i++) {
        const wcache_t *e = wcache_get (self, doc, &words [i], &spare);
        doc->attr [i] = e->attr;
        memcpy (doc->wafter_o [i], e->after_o, sizeof e->after_o);
        add_row (doc->wsum [i], e->part [0]);
        /*  This word is the word before (F_L1) of the next, the word
            after (F_R1) of the one before, and so on.  */
        if (i + 1 < n)
            add_row (doc->wsum [i + 1], e->part [1]);
        if (i >= 1)
            add_row (doc->wsum [i - 1], e->part [2]);
        if (i + 2 < n)
            memcpy (doc->wsum [i + 2], e->part [3], sizeof doc->wsum [i + 2]);
        if (i >= 2)
            add_row (doc->wsum [i - 2], e->part [4]);
    }
    for (size_t i = n >= 2 ? n - 2 : 0; i < n; i++) {
        if (i + 1 >= n)
            add_row (doc->wsum [i], doc->wbound [2]);
        add_row (doc->wsum [i], doc->wbound [4]);
    }
}

static void
tag_sentence (const clip_tagger_t *self, clip_tagdoc_t *doc,
              const clip_word_t *words, size_t n, uint8_t *labels)
{
    if (n == 0)
        return;
    int pass = doc->p1 != NULL;
    clip_tagger__prepare_sentence (self, doc, words, n);
    int y1 = START_LABEL, y2 = START_LABEL;
    uint32_t rows [MAXF];
    float scores [NL];
    for (size_t i = 0; i < n; i++) {
        int best;
        if (doc->cached) {
            /*  The features of the word and of its neighbours alone are
                summed up in wsum [i] (wcache_prepare), those of the
                labels alone in ypair, those of the word after an O in
                wafter_o [i].  */
            const attr_t *a = &doc->attr [i];
            int32_t init [NL], acc [NL];
            memcpy (init, doc->wsum [i], sizeof init);
            add_row (init, doc->ypair [y2][y1]);
            size_t k;
            if (i == 0 || doc->headline) {
                /*  wsum [i] holds F_WCTX for a word inside a sentence
                    that is not a headline: for the first word or a
                    headline, those sums off, the ones of this place on.  */
                const attr_t *b = &boundary_attr;
                int32_t usual [NL];
                k = features (self, NULL, 0, a, b, b, b, b, F_WCTX, rows);
                score_q (&self->q [0], rows, k, NULL, usual);
                for (int l = 0; l < NL; l++)
                    init [l] -= usual [l];
                k = sentence_features (self, doc, n, i, F_CTX | F_WCTX, rows);
            }
            else
                k = sentence_features (self, doc, n, i, F_CTX, rows);
            if (y1 == 0)
                add_row (init, doc->wafter_o [i]);
            else
                k += label_features (self, a, y1, y2, 0, 1, rows + k);
            score_q (&self->q [0], rows, k, init, acc);
            best = best_label_q (acc, doc->allowed [y1][i + 1 == n]);
        }
        else {
            size_t k = clip_tagger__static_features (self, doc, n, i, rows);
            k += clip_tagger__label_features (self, &doc->attr [i], y1, y2, rows + k);
            clip_tagger__score_rows (self, pass, rows, k, scores);
            best = clip_tagger__best_label (scores, y1, i + 1 == n);
        }
        labels [i] = (uint8_t) best;
        y2 = y1;
        y1 = best;
    }
    clip_tagger__record_history (doc, n, labels);
}

void
clip_tagger_tag (const clip_tagger_t *self, clip_tagdoc_t *doc,
                 const clip_word_t *words, size_t n, uint8_t *labels)
{
    assert (self && doc);
    doc->p1 = NULL;
    tag_sentence (self, doc, words, n, labels);
}

static int
two_pass (const clip_tagger_t *self)
{
    return self->wf ? self->wf1 != NULL : self->has2;
}

void
clip_tagger_tag_doc (const clip_tagger_t *self, clip_tagdoc_t *doc, const clip_word_t *words,
                     const size_t *sent, size_t nsent, uint8_t *labels)
{
    assert (self && doc && sent);
    size_t base = sent [0], n = sent [nsent] - base;
    clip_tagdoc_begin (doc, words + base, n);
    for (size_t s = 0; s < nsent; s++) {
        doc->pos = sent [s] - base;
        tag_sentence (self, doc, words + sent [s], sent [s + 1] - sent [s], labels + sent [s]);
    }
    if (!two_pass (self) || n == 0)
        return;
    if (n > doc->p1cap) {
        doc->p1cap = n;
        doc->p1buf = clip_realloc (doc->p1buf, n);
    }
    memcpy (doc->p1buf, labels + base, n);
    hist_clear (&doc->h);
    clip_tagger__votes_build (doc, words + base, n, doc->p1buf);
    for (size_t s = 0; s < nsent; s++) {
        doc->pos = sent [s] - base;
        tag_sentence (self, doc, words + sent [s], sent [s + 1] - sent [s], labels + sent [s]);
    }
    doc->p1 = NULL;
}

/*  ------------------------------------------------------------------------
    Document consistency  */

static uint64_t
words_hash (const clip_word_t *words, size_t a, size_t b)
{
    uint64_t h = 0x9AE16A3B2F90404FULL;
    for (size_t i = a; i < b; i++)
        h = comb (h, hash_bytes (words [i].text, words [i].len));
    return h;
}

static int
starts_upper (const clip_word_t *w)
{
    return w->len > 0 && w->text [0] >= 'A' && w->text [0] <= 'Z';
}

static void
set_span (uint8_t *labels, size_t a, size_t b, int type)
{
    if (b - a == 1) {
        labels [a] = (uint8_t) clip_label_make (type, CLIP_POS_U);
        return;
    }
    labels [a] = (uint8_t) clip_label_make (type, CLIP_POS_B);
    for (size_t i = a + 1; i + 1 < b; i++)
        labels [i] = (uint8_t) clip_label_make (type, CLIP_POS_I);
    labels [b - 1] = (uint8_t) clip_label_make (type, CLIP_POS_L);
}

/*  Names longer than this many words are not looked for again among the
    untagged words (the last rule of clip_tagger_doc_consistency): a span
    that long is a tagging accident, not a name, and the bound keeps the
    search linear in the document.  */
#define CONSIST_NAME_MAX 32

typedef struct {
    uint64_t h;
    size_t first;               /* index of the first span with these words */
    int votes [CLIP_ENT_NTYPES];
} name_t;

/*  Tables for the passes below: each pass is one lookup per span or per
    word, never a scan of the earlier ones (which made the document
    quadratic).  Open addressing over items [0, n) of an array sized
    before the pass (slots hold index + 1, 0 empty); the tables of one
    call share one block of its memory, so a document allocates a fixed
    number of blocks, none per item, and a lookup is a multiply and a
    probe or two (uthash's, with its own hash of the key and a handle per
    item, cost more than the rest of the pass).  */

/*  The slots of a table of at most cap items: at most half full.  */
static size_t
table_slots (size_t cap)
{
    size_t slots = 16;
    while (slots < 2 * cap)
        slots *= 2;
    return slots;
}

/*  64-bit hashes of word sequences to indices.  */
typedef struct {
    uint64_t key;
    size_t val;
} hitem_t;

typedef struct {
    hitem_t *items;             /* cap items */
    uint32_t *slots;            /* mask + 1 */
    size_t mask, n, cap;
} htab_t;

/*  The bytes a table of cap items takes of the block it is carved from.  */
static size_t
htab_size (size_t cap)
{
    return cap * sizeof (hitem_t) + table_slots (cap) * sizeof (uint32_t);
}

static void
htab_init (htab_t *t, size_t cap, char **mem)
{
    size_t slots = table_slots (cap);
    t->items = (hitem_t *) *mem;
    t->slots = (uint32_t *) (*mem + cap * sizeof (hitem_t));
    *mem += htab_size (cap);
    memset (t->slots, 0, slots * sizeof (uint32_t));
    t->mask = slots - 1;
    t->n = 0;
    t->cap = cap;
}

/*  The key's item, or NULL with *slot its free slot.  */
static hitem_t *
htab_get (const htab_t *t, uint64_t key, size_t *slot)
{
    size_t i = (size_t) mix64 (key) & t->mask;
    for (; t->slots [i]; i = (i + 1) & t->mask)
        if (t->items [t->slots [i] - 1].key == key)
            return &t->items [t->slots [i] - 1];
    *slot = i;
    return NULL;
}

/*  Add key (not in the table) at the slot htab_get gave.  */
static hitem_t *
htab_add (htab_t *t, size_t slot, uint64_t key, size_t val)
{
    assert (t->n < t->cap && !t->slots [slot]);
    hitem_t *it = &t->items [t->n++];
    it->key = key;
    it->val = val;
    t->slots [slot] = (uint32_t) t->n;
    return it;
}

static int
words_equal (const clip_word_t *a, const clip_word_t *b, size_t n)
{
    for (size_t x = 0; x < n; x++)
        if (a [x].len != b [x].len || memcmp (a [x].text, b [x].text, a [x].len) != 0)
            return 0;
    return 1;
}

/*  A set of words (exact bytes), the words of earlier persons' full names
    (not owned: the document's).  */
typedef struct {
    const clip_word_t **items;  /* cap items */
    uint32_t *slots;            /* mask + 1 */
    size_t mask, n, cap;
} wordset_t;

static size_t
wordset_size (size_t cap)
{
    return cap * sizeof (const clip_word_t *) + table_slots (cap) * sizeof (uint32_t);
}

static void
wordset_init (wordset_t *t, size_t cap, char **mem)
{
    size_t slots = table_slots (cap);
    t->items = (const clip_word_t **) *mem;
    t->slots = (uint32_t *) (*mem + cap * sizeof (const clip_word_t *));
    *mem += wordset_size (cap);
    memset (t->slots, 0, slots * sizeof (uint32_t));
    t->mask = slots - 1;
    t->n = 0;
    t->cap = cap;
}

/*  Whether w's bytes are in the set; else *slot gets their free slot.  */
static int
wordset_find (const wordset_t *t, const clip_word_t *w, size_t *slot)
{
    size_t i = (size_t) mix64 (hash_bytes (w->text, w->len)) & t->mask;
    for (; t->slots [i]; i = (i + 1) & t->mask) {
        const clip_word_t *x = t->items [t->slots [i] - 1];
        if (x->len == w->len && memcmp (x->text, w->text, w->len) == 0)
            return 1;
    }
    *slot = i;
    return 0;
}

static int
wordset_has (const wordset_t *t, const clip_word_t *w)
{
    size_t slot;
    return t->n > 0 && wordset_find (t, w, &slot);
}

static void
wordset_add (wordset_t *t, const clip_word_t *w)
{
    size_t slot;
    if (wordset_find (t, w, &slot))
        return;
    assert (t->n < t->cap);
    t->items [t->n++] = w;
    t->slots [slot] = (uint32_t) t->n;
}

/*  A place where a name the tagger found elsewhere occurs untagged.  */
typedef struct {
    size_t k, i, len;           /* name k at words [i, i + len) */
} missed_t;

static int
missed_cmp (const void *a, const void *b)
{
    const missed_t *x = a, *y = b;
    if (x->k != y->k)
        return x->k < y->k ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

void
clip_tagger_doc_consistency (const clip_word_t *words, uint8_t *labels, size_t n)
{
    if (n == 0)
        return;
    clip_span_t *spans = clip_malloc (n * sizeof *spans);
    size_t ns = clip_labels_spans (labels, n, spans);
    if (ns == 0) {
        free (spans);
        return;
    }
    /*  One block for the rest: the tables' items are bounded by the
        spans and by their words.  */
    size_t nwords = 0;
    for (size_t i = 0; i < ns; i++)
        nwords += spans [i].end - spans [i].start;
    char *mem = clip_malloc (ns * (sizeof (name_t) + sizeof (size_t) + sizeof (int))
                             + htab_size (ns) + wordset_size (nwords) + htab_size (nwords));
    char *next = mem;
    name_t *names = (name_t *) next;
    next += ns * sizeof *names;
    size_t *name_of = (size_t *) next;
    next += ns * sizeof (size_t);
    htab_t by_hash, prefix;
    htab_init (&by_hash, ns, &next);
    htab_init (&prefix, nwords, &next);
    wordset_t person_words;
    wordset_init (&person_words, nwords, &next);
    int *type_of = (int *) next;
    /*  The distinct names (word sequences), in order of first mention.  */
    size_t nn = 0;
    for (size_t i = 0; i < ns; i++) {
        uint64_t h = words_hash (words, spans [i].start, spans [i].end);
        size_t slot;
        hitem_t *it = htab_get (&by_hash, h, &slot);
        if (!it) {
            names [nn] = (name_t) { .h = h, .first = i };
            it = htab_add (&by_hash, slot, h, nn++);
        }
        size_t k = it->val;
        names [k].votes [spans [i].type]++;
        name_of [i] = k;
    }
    /*  The majority type of each name; the first mention's on a tie.  */
    for (size_t k = 0; k < nn; k++) {
        int best = spans [names [k].first].type;
        for (int t = 0; t < CLIP_ENT_NTYPES; t++)
            if (names [k].votes [t] > names [k].votes [best])
                best = t;
        type_of [k] = best;
    }
    /*  A lone word of an earlier person's full name ("Guo" after "Guo
        Ping").  The same rule for other types ("Ericsson" after "LM
        Ericsson") was measured and costs 0.6 F1 on CoNLL ("Manchester"
        after "Manchester United"), so the linker handles those.  The words
        of the full names seen so far are kept in a set.  */
    for (size_t i = 0; i < ns; i++) {
        const clip_span_t *sp = &spans [i];
        if (sp->end - sp->start == 1 && sp->type != CLIP_ENT_PER) {
            const clip_word_t *w = &words [sp->start];
            if (wordset_has (&person_words, w))
                set_span (labels, sp->start, sp->end, CLIP_ENT_PER);
        }
        if (type_of [name_of [i]] == CLIP_ENT_PER && sp->end - sp->start >= 2)
            for (size_t x = sp->start; x < sp->end; x++)
                wordset_add (&person_words, &words [x]);
    }
    /*  Capitalised mentions the tagger missed: the same words, all O, not
        glued to another capitalised word.  Names are applied in order of
        first mention, each from the start of the document, a place taken
        by an earlier one staying taken.  Every prefix of a capitalised name
        is in a table (val: the name, or SIZE_MAX - 1 for a prefix only), so
        that each place where an untagged capitalised word starts is
        extended only while it still spells the beginning of some name.
        Whether a place is glued does not depend on the names applied
        before it (a name applied just before a capitalised word would have
        been glued to it), so the places are found first, then applied in
        that order.  */
    size_t nprefix = 0;
    for (size_t k = 0; k < nn; k++) {
        const clip_span_t *sp = &spans [names [k].first];
        if (starts_upper (&words [sp->start]) && sp->end - sp->start <= CONSIST_NAME_MAX)
            nprefix += sp->end - sp->start;
    }
    for (size_t k = 0; k < nn; k++) {
        const clip_span_t *sp = &spans [names [k].first];
        if (!starts_upper (&words [sp->start]) || sp->end - sp->start > CONSIST_NAME_MAX)
            continue;
        uint64_t h = 0x9AE16A3B2F90404FULL;
        for (size_t x = sp->start; x < sp->end; x++) {
            h = comb (h, hash_bytes (words [x].text, words [x].len));
            size_t slot;
            hitem_t *it = htab_get (&prefix, h, &slot);
            if (!it)
                it = htab_add (&prefix, slot, h, SIZE_MAX - 1);
            if (x + 1 == sp->end)
                it->val = k;
        }
    }
    missed_t *missed = NULL;
    size_t nmissed = 0, cap = 0;
    for (size_t i = 0; nprefix > 0 && i < n; i++) {
        if (labels [i] != 0 || !starts_upper (&words [i])
        ||  (i > 0 && starts_upper (&words [i - 1]) && labels [i - 1] == 0))
            continue;
        uint64_t h = 0x9AE16A3B2F90404FULL;
        for (size_t len = 1; len <= CONSIST_NAME_MAX && i + len <= n; len++) {
            if (labels [i + len - 1] != 0)
                break;
            h = comb (h, hash_bytes (words [i + len - 1].text, words [i + len - 1].len));
            size_t slot;
            const hitem_t *it = htab_get (&prefix, h, &slot);
            if (!it)
                break;
            size_t k = it->val;
            if (k == SIZE_MAX - 1 || (i + len < n && starts_upper (&words [i + len])))
                continue;
            const clip_span_t *sp = &spans [names [k].first];
            if (sp->end - sp->start != len || !words_equal (&words [i], &words [sp->start], len))
                continue;
            if (nmissed == cap) {
                cap = cap ? 2 * cap : 64;
                missed = clip_realloc (missed, cap * sizeof *missed);
            }
            missed [nmissed++] = (missed_t) { k, i, len };
        }
    }
    if (nmissed > 1)
        qsort (missed, nmissed, sizeof *missed, missed_cmp);
    for (size_t m = 0; m < nmissed; m++) {
        const missed_t *ms = &missed [m];
        int free_place = 1;
        for (size_t x = ms->i; x < ms->i + ms->len && free_place; x++)
            free_place = labels [x] == 0;
        if (free_place)
            set_span (labels, ms->i, ms->i + ms->len, type_of [ms->k]);
    }
    free (missed);
    free (mem);
    free (spans);
}

/*  ------------------------------------------------------------------------
    Documents  */

clip_tagdoc_t *
clip_tagdoc_new (void)
{
    assert (boundary_attr.mlw == mix64 (boundary_attr.lw)
            && boundary_attr.msh == mix64 (boundary_attr.sh)
            && boundary_attr.mc8 == mix64 (0));
    clip_tagdoc_t *doc = clip_calloc (1, sizeof (clip_tagdoc_t));
    doc->fold = -1;
    return doc;
}

void
clip_tagdoc_destroy (clip_tagdoc_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        free ((*self_p)->attr);
        free ((*self_p)->agg);
        free ((*self_p)->agg_slots);
        free ((*self_p)->p1buf);
        free ((*self_p)->wsum);
        free ((*self_p)->wafter_o);
        free ((*self_p)->wcache);
        free ((*self_p)->ccache);
        free ((*self_p)->wcache_mru);
        free (*self_p);
        *self_p = NULL;
    }
}

/*  The slots of clip_tagdoc_begin's table for n words: at most half full.  */
static size_t
agg_slots_for (size_t n)
{
    size_t slots = 64;
    while (slots < 2 * n + 2)
        slots *= 2;
    return slots;
}

/*  Eight bytes of a word lower-cased at once, as clip_tagger__lw_hash
    does one at a time: a byte in 'A'..'Z' (high bit clear, its low seven
    bits from 0x41 to 0x5A) gets 0x20.  No sum carries into the next byte
    (0x7F + 0x3F < 0x100).  */
static inline uint64_t
lower8 (uint64_t x)
{
    const uint64_t high = 0x8080808080808080ULL;
    uint64_t low7 = x & ~high;
    uint64_t ge_a = low7 + 0x3F3F3F3F3F3F3F3FULL;      /* high bit: >= 'A' */
    uint64_t gt_z = low7 + 0x2525252525252525ULL;      /* high bit: > 'Z' */
    return x | ((ge_a & ~gt_z & ~x & high) >> 2);
}

/*  clip_tagger__lw_hash, the same value, a word lower-cased eight (or
    four) bytes at a time, the last piece overlapping the one before:
    clip_tagdoc_begin hashes every word of the document, and byte by byte
    that was most of its cost.  */
static inline uint64_t
lw_hash_quick (const char *text, size_t len)
{
    char lw [WORD_MAX];
    size_t n = len < WORD_MAX - 1 ? len : WORD_MAX - 1;
    uint64_t x;
    if (n >= 8) {
        for (size_t i = 0; i + 8 <= n; i += 8) {
            memcpy (&x, text + i, 8);
            x = lower8 (x);
            memcpy (lw + i, &x, 8);
        }
        memcpy (&x, text + n - 8, 8);
        x = lower8 (x);
        memcpy (lw + n - 8, &x, 8);
    }
    else
    if (n >= 4) {
        uint32_t y;
        memcpy (&y, text, 4);
        y = (uint32_t) lower8 (y);
        memcpy (lw, &y, 4);
        memcpy (&y, text + n - 4, 4);
        y = (uint32_t) lower8 (y);
        memcpy (lw + n - 4, &y, 4);
    }
    else
    if (n > 0) {
        /*  One to three bytes: the first, the middle and the last, some
            of them the same byte.  */
        uint32_t y = (uint32_t) (unsigned char) text [0]
                   | (uint32_t) (unsigned char) text [n / 2] << 8
                   | (uint32_t) (unsigned char) text [n - 1] << 16;
        y = (uint32_t) lower8 (y);
        lw [0] = (char) y;
        lw [n / 2] = (char) (y >> 8);
        lw [n - 1] = (char) (y >> 16);
    }
    return hash_bytes (lw, n);
}

void
clip_tagdoc_begin (clip_tagdoc_t *doc, const clip_word_t *words, size_t n)
{
    clip_tagdoc_reset (doc);
    /*  The table is sized for this document and cleared as far as that
        (a short document after a long one clears a few slots, not the long
        one's), its memory for the longest document so far, as doc->agg's
        is (agg_slots_for (agg_cap) slots).  Where a word lands does not
        matter: its entry is the same doc->agg.  */
    if (n > doc->agg_cap || !doc->agg_slots) {
        if (n > doc->agg_cap) {
            doc->agg_cap = n;
            doc->agg = clip_realloc (doc->agg, n * sizeof (agg_t));
        }
        free (doc->agg_slots);
        doc->agg_slots = clip_malloc (agg_slots_for (doc->agg_cap) * sizeof (uint32_t));
    }
    doc->agg_mask = agg_slots_for (n) - 1;
    memset (doc->agg_slots, 0, (doc->agg_mask + 1) * sizeof (uint32_t));
    uint64_t prev = boundary_attr.lw;
    uint64_t cur = n ? lw_hash_quick (words [0].text, words [0].len) : 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t next = i + 1 < n ? lw_hash_quick (words [i + 1].text, words [i + 1].len) : boundary_attr.lw;
        const clip_word_t *w = &words [i];
        unsigned char c0 = w->len ? (unsigned char) w->text [0] : 0;
        int upper = c0 >= 'A' && c0 <= 'Z', lower = c0 >= 'a' && c0 <= 'z';
        if (upper || lower) {
            size_t s = (size_t) mix64 (cur) & doc->agg_mask;
            while (doc->agg_slots [s] && doc->agg [doc->agg_slots [s] - 1].lw != cur)
                s = (s + 1) & doc->agg_mask;
            if (!doc->agg_slots [s]) {
                /*  prev and next are read only up to n: left as they are.  */
                agg_t *g = &doc->agg [doc->nagg];
                g->lw = cur;
                g->n = 0;
                g->seen = 0;
                doc->agg_slots [s] = (uint32_t) ++doc->nagg;
            }
            agg_t *g = &doc->agg [doc->agg_slots [s] - 1];
            if (lower)
                g->seen |= AGG_LOWER;
            if (upper) {
                /*  Title case after a word or a comma: inside a sentence.  */
                int has_lower = 0;
                for (size_t k = 1; k < w->len && !has_lower; k++)
                    has_lower = w->text [k] >= 'a' && w->text [k] <= 'z';
                unsigned char p0 = i > 0 && words [i - 1].len ? (unsigned char) words [i - 1].text [0] : 0;
                int inside = (p0 >= 'a' && p0 <= 'z') || (p0 >= '0' && p0 <= '9') || p0 == ',';
                if (has_lower && inside)
                    g->seen |= AGG_TITLE;
                if (g->n < AGG_MAX) {
                    g->prev [g->n] = prev;
                    g->next [g->n] = next;
                    g->n++;
                }
            }
        }
        prev = cur;
        cur = next;
    }
}

void
clip_tagdoc_reset (clip_tagdoc_t *doc)
{
    doc->nagg = 0;
    doc->p1 = NULL;
    doc->pos = 0;
    hist_clear (&doc->h);
    hist_clear (&doc->v);
}

/*  The gazetteer key of words [0, n).  */
static uint64_t
gaz_key (const clip_word_t *words, size_t n)
{
    uint64_t h = GAZ_SEED;
    for (size_t i = 0; i < n; i++)
        h = gaz_step (h, clip_tagger__lw_hash (words [i].text, words [i].len));
    return h;
}

void
clip_tagger_gaz_add (clip_tagger_t *self, int type, const clip_word_t *words, size_t n)
{
    assert (self && type >= 0 && type < CLIP_ENT_NTYPES);
    /*  Names of any length, as gazetteer.tsv's: the tagger's features see
        GAZ_MAX_WORDS words at most, clip_tagger_gaz_types longer ones.  */
    if (n == 0)
        return;
    clip_tagger__gaz_add (&self->gaz, gaz_key (words, n), 1u << type);
    clip_tagger__gaz_first_add (&self->gaz, clip_tagger__lw_hash (words [0].text, words [0].len));
}

int
clip_tagger_cap_bucket (const clip_tagger_t *self, const clip_word_t *w)
{
    assert (self && w);
    char key [WORD_MAX];
    if (!self->clusters || w->len == 0 || w->len >= sizeof key)
        return -1;
    size_t kn = clip_clusters_key (w->text, w->len, key, sizeof key);
    uint64_t v = clip_clusters_lookup (self->clusters, key, kn);
    if (!CLIP_CLUSTER_HAS_PATH (v) || CLIP_CLUSTER_CAPB (v) > 3)
        return -1;
    return (int) CLIP_CLUSTER_CAPB (v);
}

unsigned
clip_tagger_gaz_types (const clip_tagger_t *self, const clip_word_t *words, size_t n)
{
    assert (self);
    if (n == 0)
        return 0;
    return gaz_visible (gaz_get (&self->gaz, gaz_key (words, n)), -1);
}
