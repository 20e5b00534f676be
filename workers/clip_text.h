/*  clip_text: from the bytes of a file to text the analysis can use.

    Owns: decoding (UTF-8, else Windows-1252 as WHATWG defines it, so that
    every byte sequence decodes), the map from decoded offsets back to the
    bytes as received, the title, and the normalised text whose digest is an
    article's id.

    Normalised text (SPEC): Unicode NFC; every run of white space (including
    line ends, no-break and other Unicode spaces) folded into one ASCII space
    and trimmed at both ends; typographic quotes mapped to ' and ", dashes and
    hyphens (U+2010..U+2015, U+2212) mapped to '-'.  White space is
    clip_utf8_is_space's (Unicode White_Space).  The invisible characters
    of clip_utf8_is_ignorable (zero-width space U+200B, zero-width no-break
    space U+FEFF, soft hyphen U+00AD, Mongolian vowel separator U+180E) are
    dropped (they do not split a run of white space, nor a word).  Case is
    kept.  Two
    files that differ only in those respects have the same normalised text
    and so the same id.

    Decoding is all or nothing: a file that is valid UTF-8 throughout is
    UTF-8, any other file is windows-1252 from its first byte to its last.
*/
#ifndef CLIP_TEXT_H
#define CLIP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    CLIP_ENC_UTF8 = 0,
    CLIP_ENC_WINDOWS_1252
} clip_encoding_t;

typedef struct {
    char *utf8;             /* decoded text, NUL-terminated, owned */
    size_t len;             /* bytes in utf8, not counting the NUL */
    clip_encoding_t encoding;
    /*  NULL when the text is the input unchanged (valid UTF-8, BOM-less);
        otherwise len + 1 entries: orig [i] is the offset in the bytes as
        received of the byte utf8 [i], and orig [len] the input length.  */
    uint32_t *orig;
    size_t orig_len;        /* length of the input in bytes */
} clip_text_t;

/*  Decode bytes.  A leading UTF-8 byte order mark is dropped (and accounted
    for in the offset map), also when the rest is read as windows-1252.  NUL
    bytes are kept.  Never fails on any input shorter than 4 GiB (offsets are
    32-bit; longer input is a contract violation).  Caller owns the result;
    free with clip_text_destroy.  */
clip_text_t *clip_text_decode (const void *data, size_t len);
void clip_text_destroy (clip_text_t **self_p);

/*  Map a byte offset in self->utf8 (0..len) to an offset in the input.  */
size_t clip_text_orig_offset (const clip_text_t *self, size_t offset);

/*  "utf-8" or "windows-1252".  */
const char *clip_encoding_name (clip_encoding_t encoding);

/*  The first non-empty line, trimmed of white space (Unicode white space
    included), at most max_bytes long, cut on a character boundary (and
    trimmed again after the cut).  Lines end at LF, CR, VT, FF, U+0085,
    U+2028 and U+2029; the invisible characters dropped by normalisation
    count as white space at either end.  Caller owns the result ("" for a
    text with no non-blank line).  */
char *clip_text_title (const clip_text_t *self, size_t max_bytes);

/*  The normalised text (see above) of UTF-8 text; a byte that is not valid
    UTF-8 is read as U+FFFD.  Caller owns the result; *len_out gets its
    length when not NULL.  */
char *clip_text_normalise (const char *utf8, size_t len, size_t *len_out);

/*  The article id: 32 lower-case hex digits of XXH3-128 over the normalised
    text, written into out (33 bytes with the NUL).  */
void clip_text_digest (const char *normalised, size_t len, char out [33]);

/*  True if the bytes look like binary data rather than text: they hold a
    NUL byte, or more than 10% control characters other than white space.  */
bool clip_text_is_binary (const void *data, size_t len);

#endif
