/*  clip_tagger_int.h: the tagger's insides, shared by its own files only
    (clip_tagger.c: features and tagging; clip_tagger_io.c: model files;
    clip_tagger_train.c: training).  Not an interface: nothing else includes it.  Functions
    here are named clip_tagger__NAME and documented where defined.  */
#ifndef CLIP_TAGGER_INT_H
#define CLIP_TAGGER_INT_H

#include <stdint.h>

#include "clip_tagger.h"

#define NL CLIP_TAG_NLABELS
#define START_LABEL NL          /* the history label before a sentence */
#define FEATURE_VERSION 5
#define MAXF 160              /* bound on the features of one word (asserted) */
#define WORD_MAX 64
#define LOG2ROWS 20
#define HIST_SIZE 8192          /* document history slots (power of two) */
#define HIST_NONE 0xFF
#define P1_NONE 0xFE          /* no first-pass label (first pass, or a boundary) */
#define GAZ_MAX_WORDS 6         /* longest gazetteer entry */
#define AGG_MAX 4               /* contexts of other mentions a word sees */
#define TRAIN_MARGIN 100.0f     /* see train_sentence */
#define FEATURE_CUTOFF 2        /* see train_run */
#define FINAL_RUNS 8            /* averaged runs of the final training */
#define GAZ_FOLDS 5             /* training folds: a document never sees its own names */

/*  Feature templates.  The number only seeds the hash; changing the set
    means bumping FEATURE_VERSION.  */
enum {
    T_BIAS = 1, T_W, T_LW, T_SH, T_PRE, T_SUF = T_PRE + 4,
    T_LWM1 = T_SUF + 4, T_LWP1, T_LWM2, T_LWP2, T_BIM, T_BIP,
    T_SHM1, T_SHP1, T_SH3, T_C4, T_C8, T_C12, T_CAPB, T_CAPB_POS, T_CUNK,
    T_CM1, T_CP1, T_HEAD_LW, T_FIRST_SH, T_HIST, T_HIST_SH,
    T_Y1, T_Y2Y1, T_Y1LW, T_Y1SH, T_WM1, T_WP1, T_C8M2, T_C8P2,
    T_GAZ, T_GAZ_CAP, T_AGGP, T_AGGN, T_DOCCASE, T_UGAZ, T_UGAZ_CAP,
    T_CLCAP, T_LWM1_SH, T_SH_LWP1, T_CAPBM1, T_CAPBP1, T_C8BI,
    T_C4M1, T_C4P1, T_C12M1, T_C12P1,
    T_P1, T_P1M1, T_P1P1, T_P1SH, T_VOTE, T_VOTE_MAJ, T_SUFM1, T_SUFP1,
    T_X, T_XUP, T_XM1, T_XP1, T_XM2, T_XP2
};

typedef struct {
    uint64_t w, lw, sh;
    uint64_t pre [4], suf [4];
    uint64_t cl;                /* clusters lookup value */
    uint8_t npre, nsuf;
    uint8_t init_upper;         /* first character is an upper-case ASCII letter */
    uint8_t has_lower, has_alpha;
    uint8_t hist;               /* HIST_NONE or the majority history class 0..4 */
    uint8_t p1;                 /* second pass: the first pass's label, else P1_NONE */
    uint8_t vmaj;               /* second pass: majority first-pass class 0..4 of this
                                   word in the whole document, else HIST_NONE */
    uint8_t vfrac [4];          /* second pass: per type, 0..4 quarters of its mentions */
    uint16_t gaz;               /* bit 4 * type + pos: inside a gazetteer name */
    uint16_t ugaz;              /* the same for names found in unlabeled news */
    uint32_t agg;               /* index of the word's document contexts, or UINT32_MAX */
    /*  mix64 of lw, of sh and of the 8-bit cluster (0 none, else + 1): the
        first halves of the pair features' comb, made once per word
        (once per distinct word with wcache_t) rather than per feature.  */
    uint64_t mlw, msh, mc8;
} attr_t;

/*  The contexts of a capitalised word's first mentions in a document.  */
typedef struct {
    uint64_t lw;
    uint32_t n;
    uint32_t seen;              /* AGG_LOWER | AGG_TITLE */
    uint64_t prev [AGG_MAX], next [AGG_MAX];
} agg_t;

#define AGG_LOWER 1u            /* written in lower case somewhere in the document */
#define AGG_TITLE 2u            /* written Capitalised inside a sentence somewhere */

/*  The gazetteer: names (as sequences of lower-case word hashes) with, per
    training fold, the types they were seen with: bit 4 * fold + type.  A
    loaded model keeps every name in fold 0.  */
typedef struct {
    uint64_t *keys;             /* 0 = empty */
    uint32_t *masks;
    size_t mask;                /* slots - 1 */
    size_t n;
    uint64_t *first;            /* GAZ_FIRST_BITS bits: a name starts with a word of this hash */
} gaz_t;

#define GAZ_FIRST_BITS 65536

/*  Quantised weights of one pass as loaded.  */
typedef struct {
    int16_t *wq;                /* the stored rows, quantised, in row order */
    uint64_t *bits;             /* bit r set = row r stored */
    uint32_t *rank;             /* stored rows before each 64-row word of bits */
    float scale;
} qweights_t;

struct clip_tagger {
    uint64_t serial;            /* a loaded model's number in the process (see wcache_t) */
    unsigned log2rows;
    uint32_t mask;
    qweights_t q [2];           /* loaded model: first pass (model.bin), second (model2.bin) */
    int has2;                   /* model2.bin was loaded: tag documents twice */
    float *wf;                  /* training: float weights of the pass trained (not owned) */
    const float *wf1;           /* training the second pass: the first pass's weights */
    clip_clusters_t *clusters;
    gaz_t gaz;
    gaz_t ugaz;                 /* names.tsv: names the model found in unlabeled news */
};

/*  Which features of a word a feature depends on (clip_tagger__features):
    the word alone (F_SELF), one of its neighbours alone (F_L1: the word
    before, F_R1 the one after, F_L2 and F_R2 two away), or anything else:
    a pair of words, the sentence, the document, the gazetteer (F_CTX),
    and the word with its place alone (F_WCTX: the sentence's first word,
    a headline).  The summed weights of the first five kinds depend only
    on a word and the model, so that tagging with a loaded model looks
    them up once per distinct word (wcache_t) rather than per mention;
    those of F_WCTX for the usual place (inside a sentence that is not a
    headline) likewise.  */
enum {
    F_SELF = 1, F_L1 = 2, F_R1 = 4, F_L2 = 8, F_R2 = 16, F_CTX = 32,
    F_WCTX = 64, F_ALL = 127,
    /*  For role_sums, with the roles: of their features, only those of
        the word's cluster alone (F_CLONLY), or all but those (F_NOCL).  */
    F_NOCL = 128, F_CLONLY = 256
};
#define WROLES 5                /* F_SELF .. F_R2, in that order */

/*  A word's attributes and, per role above, the summed first-pass weights
    of its features in that role; its own (F_SELF) with those of F_WCTX
    inside a sentence that is not a headline.  Exact: the weights are
    integers, so a sum of partial sums (or a difference) is the sum
    tagging without the cache would make.
    The partial sums stand for up to 36 of the about 46 weight rows a word
    read on CoNLL test, the attributes for 11 hashes and a clusters lookup;
    a word not in the cache costs about as much as before.  */
typedef struct {
    uint64_t key;               /* XXH3 of the word's bytes */
    uint32_t len;               /* 0: empty slot */
    char text [WORD_MAX];       /* the word's bytes (len < WORD_MAX) */
    attr_t attr;                /* word_attr's fields */
    int32_t part [WROLES][NL];
    int32_t after_o [NL];       /* the features of the word and the label
                                   before it (label_features' with_word) when
                                   that label is O, the most common */
} wcache_t;

/*  The partial sums, per role, of a cluster's features alone (F_CLONLY):
    14 of the about 38 rows a word not in wcache_t reads, and the same for
    every word of the cluster (the words of a document, new or not, share
    few thousand clusters).  */
typedef struct {
    uint64_t cl;
    uint32_t full;              /* 0: empty slot */
    int32_t part [WROLES][NL];
} ccache_t;

#define CCACHE_BITS 11          /* 2048 clusters, 0.7 MB per clip_tagdoc_t */

#define WCACHE_BITS 13          /* 8192 words, 5.1 MB per clip_tagdoc_t; with 12
                                   bits a pass over CoNLL test (9,488 words) in
                                   steady state spent 17% of tagging on misses,
                                   with 13 12%, with 14 9% */

/*  Label classes (0 = outside, 1 + type) seen per capitalised word.  */
typedef struct {
    uint64_t key [HIST_SIZE];
    uint16_t count [HIST_SIZE][5];
    uint32_t used [HIST_SIZE];
    size_t nused;
} hist_t;

struct clip_tagdoc {
    int fold;                   /* training: the fold whose names are hidden, or -1 */
    attr_t *attr;
    size_t cap;
    int headline;               /* the current sentence has no lower-case letter */
    hist_t h;                   /* labels of this pass so far, per capitalised word */
    hist_t v;                   /* second pass: the first pass's labels of the whole document */
    const uint8_t *p1;          /* second pass: first-pass labels of the document, else NULL */
    uint8_t *p1buf;             /* clip_tagger_tag_doc's copy of them */
    size_t p1cap;
    size_t pos;                 /* offset of the sentence being tagged in the document */
    agg_t *agg;                 /* document contexts (clip_tagdoc_begin) */
    size_t nagg, agg_cap;
    uint32_t *agg_slots;        /* index + 1, 0 = empty */
    size_t agg_mask;
    /*  Tagging with a loaded model's first pass (clip_tagger__prepare_sentence):  */
    int cached;                 /* the sentence at hand was prepared with wcache */
    int32_t (*wafter_o) [NL];   /* cap rows: each word's wcache_t after_o */
    int32_t (*wsum) [NL];       /* cap rows: each word's cached partial sums (its
                                   own and its neighbours' roles) added up */
    wcache_t *wcache;           /* 1 << WCACHE_BITS words, two ways a set, or NULL */
    uint8_t *wcache_mru;        /* per set of wcache: the way used last */
    ccache_t *ccache;           /* 1 << CCACHE_BITS clusters, direct-mapped, or NULL */
    uint64_t wcache_serial;     /* the tagger (serial) whose weights it holds */
    int32_t wbound [WROLES][NL]; /* the sentence boundary in each neighbour role */
    uint32_t allowed [NL + 1][2]; /* allowed_labels (prev, last) */
    int32_t ypair [NL + 1][NL + 1][NL]; /* [y2][y1]: the features of the two
                                   previous labels alone, summed */
};

#define GAZ_SEED 0x5BD1E9955BD1E995ULL

static inline uint64_t
mix64 (uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/*  comb (a, b) given mix64 (a).  */
static inline uint64_t
comb_m (uint64_t mix_a, uint64_t b)
{
    return mix_a ^ (b * 0x2545F4914F6CDD1DULL);
}

static inline uint64_t
comb (uint64_t a, uint64_t b)
{
    return comb_m (mix64 (a), b);
}

static inline uint64_t
gaz_step (uint64_t h, uint64_t lw)
{
    return comb (h, lw);
}

/*  Bits set in x: portable, and faster than the library call the
    compiler makes without a popcnt instruction in the target.  */
static inline unsigned
popcount64 (uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (unsigned) ((x * 0x0101010101010101ULL) >> 56);
}

uint64_t clip_tagger__serial_next (void);
int clip_tagger__best_label (const float *scores, int prev, int last);
void clip_tagger__gaz_add (gaz_t *g, uint64_t key, uint32_t bits);
void clip_tagger__gaz_first_add (gaz_t *g, uint64_t lw);
void clip_tagger__gaz_free (gaz_t *g);
void clip_tagger__gaz_init (gaz_t *g, size_t expected);
int clip_tagger__gaz_load (gaz_t *g, const char *path, char *err, size_t err_size);
size_t clip_tagger__label_features (const clip_tagger_t *self, const attr_t *a, int y1, int y2, uint32_t *r);
uint64_t clip_tagger__lw_hash (const char *text, size_t len);
int clip_tagger__model_save (const float *w, unsigned log2rows, const char *path, char *err, size_t err_size);
void clip_tagger__prepare_sentence (const clip_tagger_t *self, clip_tagdoc_t *doc, const clip_word_t *words, size_t n);
void clip_tagger__record_history (clip_tagdoc_t *doc, size_t n, const uint8_t *labels);
void clip_tagger__score_rows (const clip_tagger_t *self, int pass, const uint32_t *rows, size_t k, float *scores);
size_t clip_tagger__static_features (const clip_tagger_t *self, const clip_tagdoc_t *doc, size_t n, size_t i, uint32_t *r);
void clip_tagger__votes_build (clip_tagdoc_t *doc, const clip_word_t *words, size_t n, const uint8_t *p1);

#endif
