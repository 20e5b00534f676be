/*  fuzz_numex: the tokenizer (workers/ner/clip_token.h) and the MONEY /
    DATE / PERCENT grammar (workers/ner/clip_numex.h) on arbitrary bytes,
    invalid UTF-8 included.

    Checks, besides the sanitizers, what the headers promise: tokens are
    non-empty, in order, within the text, never split a UTF-8 sequence of a
    valid text; numex spans are non-empty, in text order, without overlaps,
    within the text, each with a canonical value.  */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "clip_numex.h"
#include "clip_token.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
continuation (const char *text, size_t len, size_t at)
{
    return at < len && ((unsigned char) text [at] & 0xC0) == 0x80;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    /*  A NUL-terminated copy: the text the worker hands over has one.  */
    char *text = malloc (size + 1);
    memcpy (text, data, size);
    text [size] = 0;

    int valid = utf8proc_decompose ((const utf8proc_uint8_t *) text, (utf8proc_ssize_t) size,
                                    NULL, 0, 0) >= 0;
    clip_tokens_t toks = { 0 };
    clip_tokenize (text, size, &toks);
    for (size_t i = 0; i < toks.n; i++) {
        const clip_token_t *t = &toks.tokens [i];
        FUZZ_CHECK (t->start < t->end && t->end <= size, "token %zu at [%u, %u) of %zu",
                    i, t->start, t->end, size);
        FUZZ_CHECK (i == 0 || toks.tokens [i - 1].end <= t->start, "tokens overlap");
        /*  Offsets never fall inside a multi-byte sequence of valid text.  */
        if (valid)
            FUZZ_CHECK (!continuation (text, size, t->start) && !continuation (text, size, t->end),
                        "token %zu at [%u, %u) splits a UTF-8 sequence", i, t->start, t->end);
        char buf [32];
        size_t n = clip_token_normalise (text + t->start, t->end - t->start, buf, sizeof buf);
        FUZZ_CHECK (n < sizeof buf && buf [n] == 0, "token_normalise wrote %zu", n);
    }
    clip_tokens_release (&toks);

    clip_numex_t *spans = NULL;
    size_t n = 0;
    FUZZ_CHECK (clip_numex_find (text, size, &spans, &n) == 0, "numex failed");
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK (spans [i].start < spans [i].end && spans [i].end <= size,
                    "span %zu at [%zu, %zu) of %zu", i, spans [i].start, spans [i].end, size);
        FUZZ_CHECK (i == 0 || spans [i - 1].end <= spans [i].start, "spans overlap or are unsorted");
        FUZZ_CHECK (spans [i].canonical && spans [i].canonical [0], "span without a value");
        FUZZ_CHECK (clip_numex_type_name (spans [i].type), "type");
    }
    clip_numex_free (spans, n);
    free (text);
    return 0;
}
