/*  clip_sketch: word shingles and their hash set, computed from an
    article's text.  See clip_sketch.h for the definitions; the bytes are
    proto/clip_sketch_wire.h's, the index's keys corpus/clip_sketch_keys.h's.  */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
/*  Inline: the hashes are of a word or of three 64-bit values, so short
    that the call would cost as much as the hashing.  Same function, same
    values.  */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "clip_sketch.h"
#include "clip_utf8.h"
#include "clip_util.h"

/*  The word splitter, shared by the sketch and by clip_sketch_words.  It
    calls back once per word with the word's lower-cased bytes and span.  */
typedef void (word_fn_t) (void *arg, const char *lower, size_t lower_len,
                          size_t start, size_t end);

/*  The bytes of the word being built: on the stack, moved to the heap
    only for a word longer than the stack holds (a "word" may be a whole
    text without a space), so that an article costs no allocation here.  */
typedef struct {
    char *data;
    size_t cap;
    char stack [256];
} wordbuf_t;

/*  Room for `more` bytes after the first len.  */
static inline void
wordbuf_reserve (wordbuf_t *w, size_t len, size_t more)
{
    if (len + more <= w->cap)
        return;
    size_t cap = (len + more) * 2;
    if (w->data == w->stack) {
        w->data = clip_malloc (cap);
        memcpy (w->data, w->stack, len);
    }
    else
        w->data = clip_realloc (w->data, cap);
    w->cap = cap;
}

static void
split_words (const char *text, size_t len, word_fn_t *fn, void *arg)
{
    wordbuf_t w;
    w.data = w.stack;
    w.cap = sizeof w.stack;
    const uint8_t *s = (const uint8_t *) text;
    size_t blen = 0, start = 0, end = 0;
    size_t i = 0;
    while (i < len) {
        uint8_t c = s [i];
        if (c < 0x80) {
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                if (blen == 0)
                    start = i;
                wordbuf_reserve (&w, blen, 1);
                w.data [blen++] = (char) c;
                end = i + 1;
            }
            else
            if (c >= 'A' && c <= 'Z') {
                if (blen == 0)
                    start = i;
                wordbuf_reserve (&w, blen, 1);
                w.data [blen++] = (char) (c + 32);
                end = i + 1;
            }
            else
            if (clip_utf8_is_space (c)) {
                if (blen)
                    fn (arg, w.data, blen, start, end);
                blen = 0;
            }
            i++;
            continue;
        }
        size_t next = i;
        int32_t cp = clip_utf8_next (text, len, &next);
        if (cp == CLIP_UTF8_INVALID || clip_utf8_is_space (cp)) {
            /*  Invalid bytes separate words, as white space does.  */
            if (blen)
                fn (arg, w.data, blen, start, end);
            blen = 0;
            i = next;
            continue;
        }
        /*  Anything else that is not a word character (punctuation, the
            ignorable format characters) is deleted from the word.  */
        if (clip_utf8_is_word (cp)) {
            if (blen == 0)
                start = i;
            /*  A lower-cased code point takes at most 4 bytes.  */
            wordbuf_reserve (&w, blen, 4);
            blen += (size_t) utf8proc_encode_char (utf8proc_tolower (cp),
                                                   (utf8proc_uint8_t *) w.data + blen);
            end = next;
        }
        i = next;
    }
    if (blen)
        fn (arg, w.data, blen, start, end);
    if (w.data != w.stack)
        free (w.data);
}

uint32_t
clip_sketch_shingle (const clip_sketch_word_t *words, size_t n)
{
    assert (n >= 1 && n <= CLIP_SKETCH_SHINGLE);
    uint64_t h [CLIP_SKETCH_SHINGLE];
    for (size_t i = 0; i < n; i++)
        h [i] = words [i].hash;
    return (uint32_t) (XXH3_64bits (h, n * sizeof h [0]) >> 32);
}

/*  Collecting shingle hashes while splitting.  */
typedef struct {
    uint64_t last [CLIP_SKETCH_SHINGLE];  /* the previous words' hashes */
    size_t n_words;
    uint32_t *set;
    size_t n_set;
    size_t cap_set;
} collect_t;

static void
collect_word (void *arg, const char *lower, size_t lower_len, size_t start, size_t end)
{
    collect_t *c = arg;
    c->last [0] = c->last [1];
    c->last [1] = c->last [2];
    c->last [2] = XXH3_64bits (lower, lower_len);
    c->n_words++;
    if (c->n_words >= CLIP_SKETCH_SHINGLE) {
        if (c->n_set == c->cap_set) {
            c->cap_set = c->cap_set ? c->cap_set * 2 : 256;
            c->set = clip_realloc (c->set, c->cap_set * sizeof (uint32_t));
        }
        c->set [c->n_set++] = (uint32_t) (XXH3_64bits (c->last, sizeof c->last) >> 32);
    }
}

int
clip_sketch_compute (const char *normalised, size_t len, void **blob, size_t *blob_len)
{
    assert (normalised || len == 0);
    assert (blob && blob_len);
    collect_t c = { .n_words = 0 };
    split_words (normalised, len, collect_word, &c);
    if (c.n_words > 0 && c.n_words < CLIP_SKETCH_SHINGLE) {
        /*  A text shorter than one shingle is one shingle of all its words;
            the hash of fewer words is taken over fewer bytes, so it never
            equals a full shingle's by construction.  */
        uint64_t h [CLIP_SKETCH_SHINGLE];
        for (size_t i = 0; i < c.n_words; i++)
            h [i] = c.last [CLIP_SKETCH_SHINGLE - c.n_words + i];
        c.set = clip_malloc (sizeof (uint32_t));
        c.set [0] = (uint32_t) (XXH3_64bits (h, c.n_words * sizeof h [0]) >> 32);
        c.n_set = 1;
    }
    clip_sketch_sort_u32 (c.set, NULL, c.n_set);
    size_t n = 0;
    for (size_t i = 0; i < c.n_set; i++)
        if (n == 0 || c.set [i] != c.set [n - 1])
            c.set [n++] = c.set [i];

    clip_sketch_wire_encode (c.set, n, blob, blob_len);
    free (c.set);
    return 0;
}

typedef struct {
    clip_sketch_word_t *words;
    size_t n;
    size_t cap;
} words_t;

static void
push_word (void *arg, const char *lower, size_t lower_len, size_t start, size_t end)
{
    words_t *w = arg;
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->words = clip_realloc (w->words, w->cap * sizeof *w->words);
    }
    w->words [w->n++] = (clip_sketch_word_t) { .start = start, .end = end,
                                        .hash = XXH3_64bits (lower, lower_len) };
}

size_t
clip_sketch_words (const char *text, size_t len, clip_sketch_word_t **words)
{
    assert (words);
    words_t w = { NULL, 0, 0 };
    split_words (text, len, push_word, &w);
    *words = w.words;
    return w.n;
}
