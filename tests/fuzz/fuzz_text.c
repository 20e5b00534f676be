/*  fuzz_text: decoding and normalisation (workers/clip_text.h) and the
    sketch (workers/clip_sketch.h) on arbitrary bytes, without the tagger,
    so that many more inputs are tried per second than through the whole
    analysis.

    Checks, besides the sanitizers, what the headers promise: the decoded
    text is valid UTF-8 with an offset map that is non-decreasing and stays
    within the input; the title is at most its bound and one line;
    normalising normalised text changes nothing (a file and its normalised
    text have the same id); the sketch parses, is sorted and distinct, and
    every word lies within the text.  */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "clip_sketch.h"
#include "clip_sketch_keys.h"
#include "clip_text.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
valid_utf8 (const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate ((const utf8proc_uint8_t *) s + i,
                                               (utf8proc_ssize_t) (len - i), &cp);
        if (n <= 0)
            return 0;
        i += (size_t) n;
    }
    return 1;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    (void) clip_text_is_binary (data, size);
    clip_text_t *text = clip_text_decode (data, size);
    FUZZ_CHECK (text && text->utf8 && text->utf8 [text->len] == 0, "decode");
    FUZZ_CHECK (text->orig_len == size, "orig_len %zu for %zu", text->orig_len, size);
    FUZZ_CHECK (valid_utf8 (text->utf8, text->len) || memchr (text->utf8, 0, text->len),
                "decoded text is not UTF-8");
    size_t prev = 0;
    for (size_t i = 0; i <= text->len; i++) {
        size_t o = clip_text_orig_offset (text, i);
        FUZZ_CHECK (o >= prev && o <= size, "offset map: %zu -> %zu (previous %zu, input %zu)",
                    i, o, prev, size);
        prev = o;
    }
    FUZZ_CHECK (clip_text_orig_offset (text, text->len) == size, "the end maps to the end");

    char *title = clip_text_title (text, 64);
    FUZZ_CHECK (title && strlen (title) <= 64, "title longer than its bound");
    FUZZ_CHECK (!strchr (title, '\n') && !strchr (title, '\r'), "title spans lines");
    FUZZ_CHECK (valid_utf8 (title, strlen (title)), "title is not UTF-8");
    free (title);

    size_t norm_len = 0;
    char *norm = clip_text_normalise (text->utf8, text->len, &norm_len);
    FUZZ_CHECK (norm && strlen (norm) <= norm_len, "normalise");
    size_t again_len = 0;
    char *again = clip_text_normalise (norm, norm_len, &again_len);
    FUZZ_CHECK (again_len == norm_len && memcmp (again, norm, norm_len) == 0,
                "normalising normalised text changed it (%zu -> %zu bytes)", norm_len, again_len);
    char id [33], id2 [33];
    clip_text_digest (norm, norm_len, id);
    clip_text_digest (again, again_len, id2);
    FUZZ_CHECK (strlen (id) == 32 && strcmp (id, id2) == 0, "id");
    free (again);

    /*  The raw bytes too: normalise reads invalid UTF-8 as U+FFFD.  */
    size_t raw_len = 0;
    free (clip_text_normalise ((const char *) data, size, &raw_len));

    void *blob = NULL;
    size_t blob_len = 0;
    FUZZ_CHECK (clip_sketch_compute (norm, norm_len, &blob, &blob_len) == 0, "sketch");
    clip_sketch_view_t view;
    FUZZ_CHECK (clip_sketch_parse (blob, blob_len, &view) == 0, "a computed sketch does not parse");
    uint32_t *set = malloc (((size_t) view.n + 1) * sizeof *set);
    clip_sketch_hashes (&view, set);
    for (uint32_t i = 1; i < view.n; i++)
        FUZZ_CHECK (set [i - 1] < set [i], "sketch not sorted and distinct");
    size_t max = clip_sketch_keys_max (view.n) + 1;
    uint32_t *keys = malloc (max * sizeof *keys);
    uint32_t *probes = malloc (max * sizeof *probes);
    size_t nk = clip_sketch_keys (&view, keys);
    size_t np = clip_sketch_probes (&view, probes);
    FUZZ_CHECK (nk <= np && np < max, "keys %zu probes %zu max %zu", nk, np, max);
    double jaccard, containment;
    clip_sketch_compare (&view, &view, &jaccard, &containment, NULL);
    FUZZ_CHECK (view.n == 0 || (jaccard == 1 && containment == 1), "a sketch differs from itself");

    clip_sketch_word_t *words = NULL;
    size_t nwords = clip_sketch_words (norm, norm_len, &words);
    for (size_t i = 0; i < nwords; i++)
        FUZZ_CHECK (words [i].start < words [i].end && words [i].end <= norm_len
                    && (i == 0 || words [i - 1].end <= words [i].start), "word %zu", i);
    if (nwords)
        (void) clip_sketch_shingle (words, nwords < CLIP_SKETCH_SHINGLE ? nwords : CLIP_SKETCH_SHINGLE);
    free (words);
    free (probes);
    free (keys);
    free (set);
    free (blob);
    free (norm);
    clip_text_destroy (&text);
    return 0;
}
