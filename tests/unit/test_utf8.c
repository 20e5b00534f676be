/*  clip_utf8: the iterator (ill-formed input rejected), the character
    classes against the Unicode standard, and the modules that use them
    (tokenizer, sketch, money/date grammar, normaliser) agreeing on where a
    word ends around every kind of space and invisible character.  */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_numex.h"
#include "clip_sketch.h"
#include "clip_text.h"
#include "clip_token.h"
#include "clip_utf8.h"

/* ------------------------------------------------------------ iterator */

/*  Decode s [0, len) from the start; returns the first code point and the
    bytes it took.  */
static int32_t
first (const char *s, size_t len, size_t *took)
{
    size_t pos = 0;
    int32_t cp = clip_utf8_next (s, len, &pos);
    *took = pos;
    return cp;
}

Test (utf8, well_formed) {
    size_t n;
    cr_assert_eq (first ("A", 1, &n), 'A');
    cr_assert_eq (n, 1);
    cr_assert_eq (first ("\xc3\xa9", 2, &n), 0xE9);
    cr_assert_eq (n, 2);
    cr_assert_eq (first ("\xe2\x82\xac", 3, &n), 0x20AC);
    cr_assert_eq (n, 3);
    cr_assert_eq (first ("\xf0\x9f\x98\x80", 4, &n), 0x1F600);
    cr_assert_eq (n, 4);
    cr_assert_eq (first ("\xf4\x8f\xbf\xbf", 4, &n), 0x10FFFF);
    cr_assert_eq (n, 4);
    cr_assert_eq (first ("\xef\xbf\xbd", 3, &n), 0xFFFD);
    cr_assert (clip_utf8_valid ("Huawei \xe2\x80\x99s \xe4\xb8\xad", 15));
    cr_assert (clip_utf8_valid ("", 0));
}

/*  Each must come back CLIP_UTF8_INVALID, one byte consumed, and make the
    whole string invalid.  */
static const struct {
    const char *bytes;
    size_t len;
    size_t maximal;         /* bytes one U+FFFD replaces */
    const char *what;
} ill_formed [] = {
    { "\xc0\x80", 2, 1, "overlong NUL (2 bytes)" },
    { "\xc1\xbf", 2, 1, "overlong 2-byte" },
    { "\xe0\x80\x80", 3, 1, "overlong 3-byte" },
    { "\xe0\x9f\xbf", 3, 1, "overlong 3-byte, top" },
    { "\xf0\x80\x80\x80", 4, 1, "overlong 4-byte" },
    { "\xf0\x8f\xbf\xbf", 4, 1, "overlong 4-byte, top" },
    { "\xed\xa0\x80", 3, 1, "surrogate U+D800" },
    { "\xed\xbf\xbf", 3, 1, "surrogate U+DFFF" },
    { "\xf4\x90\x80\x80", 4, 1, "past U+10FFFF" },
    { "\xf5\x80\x80\x80", 4, 1, "lead byte F5" },
    { "\xff", 1, 1, "byte FF" },
    { "\x80", 1, 1, "lone continuation byte" },
    { "\xe2\x82", 2, 2, "truncated 3-byte at the end" },
    { "\xe2\x82" "A", 3, 2, "truncated 3-byte before ASCII" },
    { "\xf0\x9f\x98", 3, 3, "truncated 4-byte at the end" },
    { "\xc3", 1, 1, "truncated 2-byte at the end" },
};

Test (utf8, ill_formed_rejected) {
    for (size_t i = 0; i < sizeof ill_formed / sizeof ill_formed [0]; i++) {
        size_t n;
        int32_t cp = first (ill_formed [i].bytes, ill_formed [i].len, &n);
        cr_assert_eq (cp, CLIP_UTF8_INVALID, "%s: decoded as U+%04X", ill_formed [i].what,
                      (unsigned) cp);
        cr_assert_eq (n, 1, "%s: took %zu bytes", ill_formed [i].what, n);
        cr_assert_not (clip_utf8_valid (ill_formed [i].bytes, ill_formed [i].len),
                       "%s: valid", ill_formed [i].what);
        cr_assert_eq (clip_utf8_valid_prefix (ill_formed [i].bytes, ill_formed [i].len), 0,
                      "%s", ill_formed [i].what);
        cr_assert_eq (clip_utf8_ill_formed_len (ill_formed [i].bytes, ill_formed [i].len),
                      ill_formed [i].maximal, "%s: maximal subpart", ill_formed [i].what);
    }
}

Test (utf8, never_reads_past_len) {
    /*  A whole euro sign in memory, but only two of its bytes given: the
        sequence is truncated, whatever follows.  */
    const char euro [] = "\xe2\x82\xac";
    size_t n;
    cr_assert_eq (first (euro, 2, &n), CLIP_UTF8_INVALID);
    cr_assert_eq (clip_utf8_valid_prefix ("abcdefgh\xe2\x82\xac", 10), 8);
    /*  Heap copies of exact length, so ASan sees any read past the end.  */
    for (size_t i = 0; i < sizeof ill_formed / sizeof ill_formed [0]; i++) {
        char *copy = malloc (ill_formed [i].len);
        memcpy (copy, ill_formed [i].bytes, ill_formed [i].len);
        size_t pos = 0, steps = 0;
        while (pos < ill_formed [i].len) {
            clip_utf8_next (copy, ill_formed [i].len, &pos);
            steps++;
        }
        cr_assert_eq (pos, ill_formed [i].len);
        cr_assert_leq (steps, ill_formed [i].len);
        clip_utf8_ill_formed_len (copy, ill_formed [i].len);
        free (copy);
    }
}

Test (utf8, cut_never_splits_a_character) {
    /*  "a€b": the euro sign is bytes 1..3.  */
    const char *s = "a\xe2\x82\xac" "b";
    cr_assert_eq (clip_utf8_cut (s, 5, 10), 5, "short enough: all of it");
    cr_assert_eq (clip_utf8_cut (s, 5, 5), 5);
    cr_assert_eq (clip_utf8_cut (s, 5, 4), 4, "after the euro sign");
    cr_assert_eq (clip_utf8_cut (s, 5, 3), 1, "not inside it");
    cr_assert_eq (clip_utf8_cut (s, 5, 2), 1);
    cr_assert_eq (clip_utf8_cut (s, 5, 1), 1);
    cr_assert_eq (clip_utf8_cut (s, 5, 0), 0);
    /*  A four-byte character (U+1F600) is kept whole or not at all.  */
    const char *emoji = "\xf0\x9f\x98\x80\xf0\x9f\x98\x80";
    for (size_t max = 4; max < 8; max++)
        cr_assert_eq (clip_utf8_cut (emoji, 8, max), 4, "max %zu", max);
    /*  Ill-formed bytes are characters of one byte: cut anywhere.  */
    const char *bad = "\x80\x80\x80\xff\xfe";
    for (size_t max = 0; max <= 5; max++)
        cr_assert_eq (clip_utf8_cut (bad, 5, max), max);
    /*  A truncated sequence at the end is ill-formed, so cut anywhere too.  */
    cr_assert_eq (clip_utf8_cut ("ab\xe2\x82", 4, 3), 3);
}

/* ------------------------------------------------------------- classes */

/*  White_Space=yes in Unicode's PropList.txt (every version since 6.3).  */
static bool
white_space (int32_t cp)
{
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0
        || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028
        || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

Test (utf8, space_is_unicode_white_space) {
    for (int32_t cp = 0; cp <= 0x10FFFF; cp++)
        cr_assert_eq (clip_utf8_is_space (cp), white_space (cp), "U+%04X", (unsigned) cp);
    cr_assert_not (clip_utf8_is_space (CLIP_UTF8_INVALID));
}

Test (utf8, ignorable_and_word) {
    static const int32_t ignorable [] = { 0xAD, 0x180E, 0x200B, 0xFEFF };
    for (size_t i = 0; i < 4; i++) {
        cr_assert (clip_utf8_is_ignorable (ignorable [i]), "U+%04X", (unsigned) ignorable [i]);
        cr_assert_not (clip_utf8_is_space (ignorable [i]), "U+%04X", (unsigned) ignorable [i]);
        cr_assert_not (clip_utf8_is_word (ignorable [i]), "U+%04X", (unsigned) ignorable [i]);
    }
    cr_assert_not (clip_utf8_is_ignorable (' '));
    cr_assert_not (clip_utf8_is_ignorable (0xA0));
    /*  Letters, marks, numbers of any script; not punctuation or symbols. */
    static const int32_t word [] = { 'a', 'Z', '7', 0xE9, 0x4E2D, 0x0301, 0x0663, 0xBD, 0x2167 };
    for (size_t i = 0; i < sizeof word / sizeof word [0]; i++)
        cr_assert (clip_utf8_is_word (word [i]), "U+%04X", (unsigned) word [i]);
    static const int32_t other [] = { '-', '$', '.', 0x2019, 0x20AC, 0x1F600, 0xA0, 0x3000 };
    for (size_t i = 0; i < sizeof other / sizeof other [0]; i++)
        cr_assert_not (clip_utf8_is_word (other [i]), "U+%04X", (unsigned) other [i]);
    cr_assert_not (clip_utf8_is_word (CLIP_UTF8_INVALID));
}

/* ----------------------------------------------------- modules agree */

/*  The same short article written with a plain space, or with another
    separator or an invisible character in the same places: every module
    must cut it into the same words.  */
static const char *const plain [] = {
    "Huawei", "paid", "$5", "million", "on", "March", "3", NULL
};

/*  The words joined by sep; with inside, each word of 4 or more characters
    also gets it after its third byte ("Hua<sep>wei").  Caller frees.  */
static char *
article (const char *sep, const char *inside)
{
    char *buf = malloc (512);
    size_t o = 0;
    for (size_t i = 0; plain [i]; i++) {
        if (i > 0)
            o += (size_t) snprintf (buf + o, 512 - o, "%s", sep);
        size_t wl = strlen (plain [i]);
        if (inside && wl >= 4)
            o += (size_t) snprintf (buf + o, 512 - o, "%.3s%s%s", plain [i], inside,
                                    plain [i] + 3);
        else
            o += (size_t) snprintf (buf + o, 512 - o, "%s", plain [i]);
    }
    return buf;
}

/*  text [start, end) without the ignorable characters.  */
static void
visible (const char *text, size_t start, size_t end, char *out, size_t size)
{
    size_t o = 0;
    for (size_t pos = start; pos < end;) {
        size_t at = pos;
        int32_t cp = clip_utf8_next (text, end, &pos);
        if (clip_utf8_is_ignorable (cp))
            continue;
        for (size_t k = at; k < pos && o + 1 < size; k++)
            out [o++] = text [k];
    }
    out [o] = 0;
}

typedef struct {
    char tokens [16][32];       /* the tokens, ignorables removed */
    size_t ntokens;
    uint64_t words [16];        /* the sketch's word hashes */
    size_t nwords;
    size_t word_starts [16], word_ends [16];
    size_t token_word_starts [16], token_word_ends [16];
    size_t ntoken_words;        /* tokens that start with a word character */
    char numex [4][64];         /* TYPE canonical "visible text" */
    size_t nnumex;
    char *normalised;
} split_t;

static void
split (const char *text, split_t *out)
{
    memset (out, 0, sizeof *out);
    size_t len = strlen (text);

    clip_tokens_t toks = { 0 };
    clip_tokenize (text, len, &toks);
    cr_assert_leq (toks.n, 16);
    for (size_t i = 0; i < toks.n; i++) {
        const clip_token_t *t = &toks.tokens [i];
        visible (text, t->start, t->end, out->tokens [i], sizeof out->tokens [i]);
        size_t pos = t->start;
        if (clip_utf8_is_word (clip_utf8_next (text, len, &pos))) {
            out->token_word_starts [out->ntoken_words] = t->start;
            out->token_word_ends [out->ntoken_words++] = t->end;
        }
    }
    out->ntokens = toks.n;
    clip_tokens_release (&toks);

    clip_sketch_word_t *words = NULL;
    out->nwords = clip_sketch_words (text, len, &words);
    cr_assert_leq (out->nwords, 16);
    for (size_t i = 0; i < out->nwords; i++) {
        out->words [i] = words [i].hash;
        out->word_starts [i] = words [i].start;
        out->word_ends [i] = words [i].end;
    }
    free (words);

    clip_numex_t *spans = NULL;
    size_t n = 0;
    cr_assert_eq (clip_numex_find (text, len, &spans, &n), 0);
    cr_assert_leq (n, 4);
    for (size_t i = 0; i < n; i++) {
        char vis [64];
        visible (text, spans [i].start, spans [i].end, vis, sizeof vis);
        snprintf (out->numex [i], sizeof out->numex [i], "%s %s \"%.40s\"",
                  clip_numex_type_name (spans [i].type), spans [i].canonical, vis);
    }
    out->nnumex = n;
    clip_numex_free (spans, n);

    out->normalised = clip_text_normalise (text, len, NULL);
}

/*  Tokens, sketch words and numex of text are those of the article with
    reference_sep between its words (visible text compared: the spans
    differ by the bytes of the separators), and the tokenizer's words are
    exactly the sketch's.  */
static void
expect_same_split (char *text, const char *reference_sep, const char *what)
{
    split_t want, got;
    char *plain_text = article (reference_sep, NULL);
    split (plain_text, &want);
    split (text, &got);
    free (plain_text);
    free (text);

    cr_assert_eq (got.ntokens, want.ntokens, "%s: %zu tokens, want %zu", what,
                  got.ntokens, want.ntokens);
    for (size_t i = 0; i < want.ntokens; i++)
        cr_assert_str_eq (got.tokens [i], want.tokens [i], "%s: token %zu", what, i);

    cr_assert_eq (got.nwords, want.nwords, "%s: %zu sketch words, want %zu", what,
                  got.nwords, want.nwords);
    for (size_t i = 0; i < want.nwords; i++)
        cr_assert_eq (got.words [i], want.words [i], "%s: sketch word %zu", what, i);

    /*  Where the words are: the tokenizer's word tokens and the sketch's
        words have the same spans ("$5" is "$" + "5" and the word "5").  */
    cr_assert_eq (got.ntoken_words, got.nwords, "%s", what);
    for (size_t i = 0; i < got.nwords; i++) {
        cr_assert_eq (got.token_word_starts [i], got.word_starts [i], "%s: word %zu", what, i);
        cr_assert_eq (got.token_word_ends [i], got.word_ends [i], "%s: word %zu", what, i);
    }

    cr_assert_eq (got.nnumex, want.nnumex, "%s: %zu numex, want %zu", what,
                  got.nnumex, want.nnumex);
    for (size_t i = 0; i < want.nnumex; i++) {
        /*  The canonical value is the same; the span's visible text is
            too, up to the separator.  */
        char w [64];
        snprintf (w, sizeof w, "%s", want.numex [i]);
        cr_assert_eq (strncmp (got.numex [i], w, strcspn (w, "\"")), 0,
                      "%s: numex %zu is '%s', want '%s'", what, i, got.numex [i], w);
    }

    cr_assert_str_eq (got.normalised, want.normalised, "%s: normalised", what);
    free (want.normalised);
    free (got.normalised);
}

Test (utf8, plain_article_as_expected) {
    split_t s;
    char *text = article (" ", NULL);
    split (text, &s);
    free (text);
    cr_assert_eq (s.ntokens, 8);            /* "$5" is "$" + "5" */
    cr_assert_eq (s.nwords, 7);
    cr_assert_eq (s.nnumex, 2);
    cr_assert_str_eq (s.numex [0], "MONEY USD 5000000 \"$5 million\"");
    cr_assert_str_eq (s.numex [1], "DATE march 3 \"March 3\"");
    cr_assert_str_eq (s.normalised, "Huawei paid $5 million on March 3");
    free (s.normalised);
}

Test (utf8, spaces_split_every_module_alike) {
    /*  A line end is a line end for the grammar too, as LF is (a single
        one inside a paragraph is a space: wire copy is hard-wrapped);
        U+2029 ends a paragraph, as a blank line does, and no amount or
        date runs across it; any other space is a space.  */
    static const struct { const char *sep; const char *like; const char *what; } spaces [] = {
        { "\xc2\xa0", " ", "U+00A0 NO-BREAK SPACE" },
        { "\xe1\x9a\x80", " ", "U+1680 OGHAM SPACE MARK" },
        { "\xe3\x80\x80", " ", "U+3000 IDEOGRAPHIC SPACE" },
        { "\xe2\x80\x83", " ", "U+2003 EM SPACE" },
        { "\xe2\x80\xaf", " ", "U+202F NARROW NO-BREAK SPACE" },
        { "\t", " ", "TAB" },
        { "\xe2\x80\xa8", "\n", "U+2028 LINE SEPARATOR" },
        { "\xe2\x80\xa9", "\n\n", "U+2029 PARAGRAPH SEPARATOR" },
        { "\xc2\x85", "\n", "U+0085 NEXT LINE" },
    };
    for (size_t i = 0; i < sizeof spaces / sizeof spaces [0]; i++)
        expect_same_split (article (spaces [i].sep, NULL), spaces [i].like, spaces [i].what);
}

Test (utf8, ignorables_split_no_word) {
    static const struct { const char *ch; const char *what; } ignorables [] = {
        { "\xe1\xa0\x8e", "U+180E MONGOLIAN VOWEL SEPARATOR" },
        { "\xe2\x80\x8b", "U+200B ZERO WIDTH SPACE" },
        { "\xef\xbb\xbf", "U+FEFF ZERO WIDTH NO-BREAK SPACE" },
        { "\xc2\xad", "U+00AD SOFT HYPHEN" },
        { "\xe2\x80\x8b\xef\xbb\xbf", "U+200B U+FEFF" },
    };
    for (size_t i = 0; i < sizeof ignorables / sizeof ignorables [0]; i++) {
        char what [96];
        /*  Inside words ("Hua<X>wei"): the words stay whole.  */
        snprintf (what, sizeof what, "%s inside words", ignorables [i].what);
        expect_same_split (article (" ", ignorables [i].ch), " ", what);
        /*  Next to a space ("Huawei <X>paid"): nothing more.  */
        char sep [16];
        snprintf (sep, sizeof sep, " %s", ignorables [i].ch);
        snprintf (what, sizeof what, "%s after spaces", ignorables [i].what);
        expect_same_split (article (sep, NULL), " ", what);
    }
}

Test (utf8, ignorable_inside_a_number) {
    /*  "5<U+200B>000" is one number for the tokenizer and the grammar.  */
    const char *text = "Huawei paid $5\xe2\x80\x8b" "000 on March 3";
    clip_tokens_t toks = { 0 };
    clip_tokenize (text, strlen (text), &toks);
    cr_assert_eq (toks.n, 7);
    cr_assert_eq (toks.tokens [3].end - toks.tokens [3].start, 7);     /* "5<ZWSP>000" */
    clip_tokens_release (&toks);
    clip_numex_t *spans = NULL;
    size_t n = 0;
    cr_assert_eq (clip_numex_find (text, strlen (text), &spans, &n), 0);
    cr_assert_geq (n, 1);
    cr_assert_str_eq (spans [0].canonical, "USD 5000");
    clip_numex_free (spans, n);
}
