/*  clip_token: tokens and sentences of real prose, with exact byte offsets.

    Owns the segmentation the entity tagger sees.  It follows the CoNLL-2003
    conventions the model was trained on: punctuation split off, possessive
    "'s" and "n't" as tokens of their own ("Huawei's" -> "Huawei" "'s"),
    hyphenated words kept whole ("Anglo-Dutch"), numbers with their inner
    separators ("1,000.5"), abbreviations keeping their period ("U.S.",
    "Corp.", "Mr.", initials "W.").  White space (clip_utf8_is_space:
    Unicode White_Space, no-break space included; also the C0 controls)
    separates tokens; the invisible format characters of
    clip_utf8_is_ignorable (U+00AD, U+180E, U+200B, U+FEFF) are skipped and
    do not end a word, as in the sketch and the money/date grammar ("Hua
    <U+200B>wei" is one token, seen by the tagger as "Huawei").  Word
    characters are clip_utf8_is_word's.  Typographic quotes and dashes are
    tokens.
    Sentences end after . ! ? (and closing quotes or brackets) before a
    capitalised word, and at blank lines.

    Offsets index the UTF-8 text given, end exclusive; a token never spans
    a space and never splits a UTF-8 sequence (decoded by clip_utf8_next).  Invalid UTF-8 bytes become
    one-byte tokens.  Stateless and reentrant.
*/
#ifndef CLIP_TOKEN_H
#define CLIP_TOKEN_H

#include <stddef.h>
#include <stdint.h>

/*  The token starts a sentence.  */
#define CLIP_TOKEN_SENT_START 1u

typedef struct {
    uint32_t start, end;    /* byte offsets, end exclusive */
    uint32_t flags;         /* CLIP_TOKEN_* */
} clip_token_t;

/*  A growable token array; reuse one across calls to avoid allocation.
    Zero-initialise it before first use.  */
typedef struct {
    clip_token_t *tokens;
    size_t n, cap;
} clip_tokens_t;

/*  Tokenize utf8 [0, len) into out (its previous content is replaced).
    Texts longer than 4 GiB are cut at 4 GiB.  */
void clip_tokenize (const char *utf8, size_t len, clip_tokens_t *out);

/*  Free the array's memory (the struct itself is the caller's).  */
void clip_tokens_release (clip_tokens_t *tokens);

/*  Write the token's text as the tagger sees it into buf (NUL-terminated,
    cut at size - 1 bytes on a character boundary): typographic quotes and
    apostrophes become ASCII ' and ", en and em dashes "-", the ignorable
    characters are dropped.  Returns the
    length written.  */
size_t clip_token_normalise (const char *text, size_t len, char *buf, size_t size);

#endif
