/*  clip_token: tokens and sentences of tricky real prose, exact offsets.  */
#include <criterion/criterion.h>
#include <string.h>

#include "clip_token.h"

/*  Tokenize text and check that the tokens are exactly the expected
    strings, in order, by their byte offsets.  */
static void
expect_tokens (const char *text, const char *const *expected)
{
    clip_tokens_t toks = { 0 };
    clip_tokenize (text, strlen (text), &toks);
    size_t n = 0;
    while (expected [n])
        n++;
    for (size_t i = 0; i < toks.n && i < n; i++) {
        const clip_token_t *t = &toks.tokens [i];
        cr_assert_leq (t->end, strlen (text));
        cr_assert_eq (t->end - t->start, strlen (expected [i]),
                      "token %zu: got '%.*s', want '%s'", i,
                      (int) (t->end - t->start), text + t->start, expected [i]);
        cr_assert (memcmp (text + t->start, expected [i], t->end - t->start) == 0,
                   "token %zu: got '%.*s', want '%s'", i,
                   (int) (t->end - t->start), text + t->start, expected [i]);
    }
    cr_assert_eq (toks.n, n, "got %zu tokens, want %zu", toks.n, n);
    clip_tokens_release (&toks);
}

Test (token, curly_possessive) {
    expect_tokens ("Chinese tech giant Huawei\u2019s deputy chairman",
                   (const char *[]) { "Chinese", "tech", "giant", "Huawei", "\u2019s",
                                      "deputy", "chairman", NULL });
    expect_tokens ("the UK's National Security Adviser",
                   (const char *[]) { "the", "UK", "'s", "National", "Security", "Adviser", NULL });
}

Test (token, ampersand_names) {
    /*  An ampersand between capitals joins a name; elsewhere it stands
        alone.  */
    expect_tokens ("after S&P's upgrade, AT&T and E&T News, R & D",
                   (const char *[]) { "after", "S&P", "'s", "upgrade", ",", "AT&T", "and",
                                      "E&T", "News", ",", "R", "&", "D", NULL });
    expect_tokens ("Standard & Poor's and rock&roll",
                   (const char *[]) { "Standard", "&", "Poor", "'s", "and", "rock", "&",
                                      "roll", NULL });
}

Test (token, abbreviations) {
    expect_tokens ("despite U.S. pressure on Huawei Technologies Ltd., the biggest",
                   (const char *[]) { "despite", "U.S.", "pressure", "on", "Huawei",
                                      "Technologies", "Ltd.", ",", "the", "biggest", NULL });
    expect_tokens ("Mr Guo met Mr. Smith of Nokia Corp. and George W. Bush",
                   (const char *[]) { "Mr", "Guo", "met", "Mr.", "Smith", "of", "Nokia",
                                      "Corp.", "and", "George", "W.", "Bush", NULL });
    /*  The wire's state abbreviations keep their period, which ends no
        sentence.  */
    expect_tokens ("LOUISVILLE, Ky., Feb 26 - Dallas, Tex. Gulf",
                   (const char *[]) { "LOUISVILLE", ",", "Ky.", ",", "Feb", "26", "-",
                                      "Dallas", ",", "Tex.", "Gulf", NULL });
    /*  In capitals too, as datelines write them; "EST." is no "est.".  */
    expect_tokens ("ST. LOUIS, MO., March 3 - at 10 EST.",
                   (const char *[]) { "ST.", "LOUIS", ",", "MO.", ",", "March", "3", "-",
                                      "at", "10", "EST", ".", NULL });
}

Test (token, quotes_money_percent) {
    expect_tokens ("of \u201cpoor software engineering.\u201d It cost \u00a376.6 billion, 19.5% more",
                   (const char *[]) { "of", "\u201c", "poor", "software", "engineering", ".",
                                      "\u201d", "It", "cost", "\u00a3", "76.6", "billion", ",",
                                      "19.5", "%", "more", NULL });
    expect_tokens ("sales of $100 billion and 1,000,000.50 euros",
                   (const char *[]) { "sales", "of", "$", "100", "billion", "and",
                                      "1,000,000.50", "euros", NULL });
}

Test (token, nbsp_hyphens_caps) {
    /*  A no-break space separates like any space.  */
    expect_tokens ("on Monday.\u00a0Huawei's next-generation US-Chinese deal",
                   (const char *[]) { "on", "Monday", ".", "Huawei", "'s", "next-generation",
                                      "US-Chinese", "deal", NULL });
    expect_tokens ("HUAWEI DEFENDS RECORD \u2013 AGAIN",
                   (const char *[]) { "HUAWEI", "DEFENDS", "RECORD", "\u2013", "AGAIN", NULL });
    expect_tokens ("Guo didn\u2019t respond, O'Neill said",
                   (const char *[]) { "Guo", "did", "n\u2019t", "respond", ",", "O'Neill", "said", NULL });
}

Test (token, invalid_utf8_bytes) {
    /*  Every byte is covered once; a stray byte is a token of its own.  */
    expect_tokens ("caf\xe9 ok \xff", (const char *[]) { "caf", "\xe9", "ok", "\xff", NULL });
}

Test (token, sentences) {
    const char *text = "He left. Mr. Smith stayed in the U.S. for years! \u201cWhy?\u201d she asked.\n\n"
                       "HEADLINE HERE\n\nnew paragraph";
    clip_tokens_t toks = { 0 };
    clip_tokenize (text, strlen (text), &toks);
    char starts [256] = "";
    for (size_t i = 0; i < toks.n; i++)
        if (toks.tokens [i].flags & CLIP_TOKEN_SENT_START) {
            strncat (starts, text + toks.tokens [i].start, toks.tokens [i].end - toks.tokens [i].start);
            strcat (starts, "|");
        }
    /*  No break after "Mr." or inside "U.S. for"; a break before the
        opening quote, and at blank lines.  */
    cr_assert_str_eq (starts, "He|Mr.|\u201c|HEADLINE|new|");
    clip_tokens_release (&toks);
}

Test (token, normalise) {
    char buf [64];
    cr_assert_eq (clip_token_normalise ("\u2019s", strlen ("\u2019s"), buf, sizeof buf), 2);
    cr_assert_str_eq (buf, "'s");
    clip_token_normalise ("\u201c", strlen ("\u201c"), buf, sizeof buf);
    cr_assert_str_eq (buf, "\"");
    clip_token_normalise ("\u2014", strlen ("\u2014"), buf, sizeof buf);
    cr_assert_str_eq (buf, "-");
    /*  Cut on a character boundary.  */
    cr_assert_eq (clip_token_normalise ("ab\u00e9", 4, buf, 4), 2);
    cr_assert_str_eq (buf, "ab");
}

Test (token, invisible_characters_and_unicode_spaces)
{
    /*  clip_utf8.h's rules: U+200B, U+FEFF, U+00AD and U+180E do not end a
        word (they were spaces or tokens of their own here before); U+1680
        and U+3000 are spaces.  */
    expect_tokens ("Hua\xe2\x80\x8bwei said\xef\xbb\xbf \xc2\xadto\xe1\xa0\x8e" "day",
                   (const char *[]) { "Hua\xe2\x80\x8b" "wei", "said", "to\xe1\xa0\x8e" "day",
                                      NULL });
    expect_tokens ("Guo\xe1\x9a\x80Ping\xe3\x80\x80said",
                   (const char *[]) { "Guo", "Ping", "said", NULL });
    /*  The tagger sees the word without them.  */
    char buf [32];
    const char *w = "Hua\xc2\xad" "wei";
    cr_assert_eq (clip_token_normalise (w, strlen (w), buf, sizeof buf), 6);
    cr_assert_str_eq (buf, "Huawei");
}

/*  Issue 14, class 3: wire copy is hard-wrapped; a single line break inside
    a paragraph, or the indented line that opens a Reuters paragraph, is no
    sentence boundary and does not cut a name ("Port\nTarrow"), while a
    blank line is.  (A guard: the tokenizer already behaved so; the fix for
    wrapped amounts is in clip_numex.)  */
Test (token, hard_wrapped_lines) {
    const char *text = "Ships left Port\nTarrow for 250\npct more\n    In March it rose\n\nNEXT";
    clip_tokens_t toks = { 0 };
    clip_tokenize (text, strlen (text), &toks);
    char starts [256] = "";
    for (size_t i = 0; i < toks.n; i++)
        if (toks.tokens [i].flags & CLIP_TOKEN_SENT_START) {
            strncat (starts, text + toks.tokens [i].start, toks.tokens [i].end - toks.tokens [i].start);
            strcat (starts, "|");
        }
    cr_assert_str_eq (starts, "Ships|NEXT|");
    clip_tokens_release (&toks);
    static const char *const want [] = { "Ships", "left", "Port", "Tarrow", "for", "250", "pct",
                                         "more", "In", "March", "it", "rose", "NEXT", NULL };
    expect_tokens (text, want);
}

/*  Plain ASCII takes a copy without decoding: it is cut at size - 1
    bytes as any text is, and is left as it is.  */
Test (token, normalise_ascii)
{
    char buf [8];
    cr_assert_eq (clip_token_normalise ("Huawei", 6, buf, sizeof buf), 6);
    cr_assert_str_eq (buf, "Huawei");
    cr_assert_eq (clip_token_normalise ("Huaweis'", 8, buf, sizeof buf), 7);
    cr_assert_str_eq (buf, "Huaweis");
    cr_assert_eq (clip_token_normalise ("abc", 3, buf, 1), 0);
    cr_assert_str_eq (buf, "");
    cr_assert_eq (clip_token_normalise ("", 0, buf, sizeof buf), 0);
    cr_assert_str_eq (buf, "");
    /*  A non-ASCII character after the ASCII prefix still maps.  */
    cr_assert_eq (clip_token_normalise ("ab\u2019s", strlen ("ab\u2019s"), buf, sizeof buf), 4);
    cr_assert_str_eq (buf, "ab's");
}

/*  Every abbreviation keeps its period, of every length in the table,
    and a word that only starts like one does not.  */
Test (token, abbreviations_of_every_length)
{
    expect_tokens ("Messrs. Dr. Calif. est. approx. Mlle. Messrsx. Cal.",
                   (const char *[]) { "Messrs.", "Dr.", "Calif.", "est.", "approx.", "Mlle.",
                                      "Messrsx", ".", "Cal", ".", NULL });
}
