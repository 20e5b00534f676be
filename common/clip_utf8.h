/*  clip_utf8: the one UTF-8 iterator and the one set of character classes
    every module uses (the text decoder and normaliser, the sketch's words,
    the tokenizer, the money/date grammar, the linker, the record codec), so
    that they all agree on what is valid, where a word ends and what is
    white space.  Decoding is utf8proc's (utf8proc_iterate); nothing here
    decodes by hand.

    Valid UTF-8 is what Unicode calls well-formed: no overlong forms, no
    surrogates (U+D800..U+DFFF), nothing past U+10FFFF, no truncated
    sequence.

    The classes, one rule each:

      space       Unicode White_Space: the ASCII controls TAB LF VT FF CR,
                  U+0085 NEL, and the categories Zs (SPACE, NO-BREAK SPACE,
                  U+1680 OGHAM SPACE MARK, U+2000..U+200A, U+202F, U+205F,
                  U+3000), Zl (U+2028) and Zp (U+2029).  A space ends a word.
      ignorable   the invisible format characters a copy of a text may gain
                  or lose without being another text: U+00AD SOFT HYPHEN,
                  U+180E MONGOLIAN VOWEL SEPARATOR, U+200B ZERO WIDTH SPACE
                  and U+FEFF ZERO WIDTH NO-BREAK SPACE (a BOM in mid-text).
                  None of them is White_Space in Unicode (U+180E stopped
                  being a space in Unicode 6.3), so none ends a word: inside
                  a word it is skipped ("Hua<U+200B>wei" is one word), and
                  the normalised text drops it.
      word        a letter, a mark or a number: the categories L*, M*, N*.
      line end    LF VT FF CR, U+0085, U+2028, U+2029.

    Every function is pure and reentrant.  The ASCII cases are inline: the
    tokenizer and the sketch call these once per character.
*/
#ifndef CLIP_UTF8_H
#define CLIP_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*  What clip_utf8_next returns for a byte that does not start a
    well-formed sequence.  Not a code point (negative).  */
#define CLIP_UTF8_INVALID (-1)

int32_t clip_utf8__next_multi (const char *s, size_t len, size_t *pos);
bool clip_utf8__is_space_multi (int32_t cp);
bool clip_utf8__is_word_multi (int32_t cp);

/*  The code point at s [*pos] (*pos < len), advancing *pos past it.  An
    ill-formed or truncated sequence returns CLIP_UTF8_INVALID and advances
    *pos by one byte, so that a loop visits every byte and always ends
    (callers that replace ill-formed input by U+FFFD as Unicode recommends
    skip clip_utf8_ill_formed_len bytes instead).  Never reads s [len] or
    past it.  */
static inline int32_t
clip_utf8_next (const char *s, size_t len, size_t *pos)
{
    unsigned char c = (unsigned char) s [*pos];
    if (c < 0x80) {
        (*pos)++;
        return c;
    }
    return clip_utf8__next_multi (s, len, pos);
}

/*  The number of leading bytes of s [0, len) that are well-formed UTF-8
    (len when all are).  */
size_t clip_utf8_valid_prefix (const char *s, size_t len);

/*  Where to cut s [0, len) to keep at most max bytes without splitting a
    character: the largest n <= max (and <= len) such that no well-formed
    sequence of s straddles n.  Ill-formed bytes count as one character
    each, so a name that is not UTF-8 is cut anywhere.  For file names and
    excerpts that must fit a limit.  */
size_t clip_utf8_cut (const char *s, size_t len, size_t max);

/*  True when s [0, len) is well-formed UTF-8 throughout.  */
bool clip_utf8_valid (const char *s, size_t len);

/*  For an ill-formed sequence at s (len >= 1): the length of its maximal
    subpart (Unicode's "maximal subpart of an ill-formed subsequence", 1 to
    3 bytes), the bytes one U+FFFD replaces.  */
size_t clip_utf8_ill_formed_len (const char *s, size_t len);

/*  The classes above.  cp may be CLIP_UTF8_INVALID, which is in none.  */
static inline bool
clip_utf8_is_space (int32_t cp)
{
    if (cp < 0x80)
        return cp == ' ' || (cp >= '\t' && cp <= '\r');
    return clip_utf8__is_space_multi (cp);
}

static inline bool
clip_utf8_is_ignorable (int32_t cp)
{
    return cp == 0xAD || cp == 0x180E || cp == 0x200B || cp == 0xFEFF;
}

static inline bool
clip_utf8_is_word (int32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z')
            || (cp >= 'A' && cp <= 'Z');
    return clip_utf8__is_word_multi (cp);
}

static inline bool
clip_utf8_is_line_end (int32_t cp)
{
    return (cp >= '\n' && cp <= '\r') || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

#endif
