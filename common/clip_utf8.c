/*  clip_utf8: decoding through utf8proc and the character classes.  See
    clip_utf8.h for the rules.  */
#include "clip_utf8.h"

#include <assert.h>
#include <string.h>
#include <utf8proc.h>

int32_t
clip_utf8__next_multi (const char *s, size_t len, size_t *pos)
{
    assert (*pos < len);
    size_t avail = len - *pos;
    /*  utf8proc_iterate reads at most 4 bytes, and only within the length
        given; it rejects overlong forms, surrogates, code points past
        U+10FFFF and truncated sequences.  */
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate ((const utf8proc_uint8_t *) s + *pos,
                                           (utf8proc_ssize_t) (avail > 4 ? 4 : avail), &cp);
    if (n <= 0) {
        (*pos)++;
        return CLIP_UTF8_INVALID;
    }
    *pos += (size_t) n;
    return cp;
}

size_t
clip_utf8_valid_prefix (const char *s, size_t len)
{
    assert (s || len == 0);
    size_t i = 0;
    while (i < len) {
        /*  Eight ASCII bytes at a time: most news text is ASCII.  */
        if (len - i >= 8) {
            uint64_t word;
            memcpy (&word, s + i, 8);
            if ((word & UINT64_C (0x8080808080808080)) == 0) {
                i += 8;
                continue;
            }
        }
        size_t at = i;
        if (clip_utf8_next (s, len, &i) == CLIP_UTF8_INVALID)
            return at;
    }
    return len;
}

size_t
clip_utf8_cut (const char *s, size_t len, size_t max)
{
    assert (s || len == 0);
    if (len <= max)
        return len;
    /*  Decode forward rather than step back over continuation bytes: only
        the decoder knows where a well-formed character ends.  */
    size_t i = 0;
    while (i < len) {
        size_t at = i;
        clip_utf8_next (s, len, &i);
        if (i > max)
            return at;
    }
    return len;
}

bool
clip_utf8_valid (const char *s, size_t len)
{
    return clip_utf8_valid_prefix (s, len) == len;
}

/*  True when the k bytes at s begin some well-formed sequence: completed
    by continuation bytes, they decode.  Every lead byte's allowed range of
    second bytes (80..BF, A0..BF after E0, 80..9F after ED, 90..BF after F0,
    80..8F after F4) holds 0x80 or 0xBF, so trying both completions is
    enough, and utf8proc remains the only judge of what is well-formed.  */
static bool
starts_sequence (const unsigned char *s, size_t k, size_t need)
{
    static const unsigned char fill [2] = { 0x80, 0xBF };
    for (int f = 0; f < 2; f++) {
        unsigned char buf [4];
        memcpy (buf, s, k);
        memset (buf + k, fill [f], need - k);
        utf8proc_int32_t cp;
        if (utf8proc_iterate (buf, (utf8proc_ssize_t) need, &cp) == (utf8proc_ssize_t) need)
            return true;
    }
    return false;
}

size_t
clip_utf8_ill_formed_len (const char *s, size_t len)
{
    assert (s && len >= 1);
    const unsigned char *u = (const unsigned char *) s;
    size_t need = (size_t) utf8proc_utf8class [u [0]];
    if (need < 2)
        return 1;
    size_t k = need - 1 < len ? need - 1 : len;
    /*  The longest prefix, shorter than a whole sequence, that could still
        have been completed.  */
    for (; k > 1; k--)
        if (starts_sequence (u, k, need))
            return k;
    return 1;
}

bool
clip_utf8__is_space_multi (int32_t cp)
{
    if (cp == 0x85)
        return true;
    if (cp < 0)
        return false;
    utf8proc_category_t cat = utf8proc_category (cp);
    return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL
        || cat == UTF8PROC_CATEGORY_ZP;
}

bool
clip_utf8__is_word_multi (int32_t cp)
{
    if (cp < 0)
        return false;
    switch (utf8proc_category (cp)) {
        case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
        case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
        case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
            return true;
        default:
            return false;
    }
}
