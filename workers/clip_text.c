/*  clip_text: decoding, offset map, title, normalised text and digest.
    See clip_text.h for what it promises.

    Every function here runs on each article a worker sees, so each one
    walks its input once (decoding walks it twice: once to validate, once to
    convert) and allocates a fixed number of buffers, never per character.
    ASCII, the bulk of news text, takes a path that never calls into
    utf8proc.
*/
#include "clip_text.h"
#include "clip_utf8.h"
#include "clip_util.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

/*  The WHATWG index for windows-1252 at 0x80..0x9F (the Encoding Standard's
    index-windows-1252.txt); 0xA0..0xFF map to U+00A0..U+00FF.  The five bytes
    Microsoft leaves undefined map to the C1 controls of the same value, as
    WHATWG (and every browser) does, so that every byte decodes.  */
static const uint16_t s_cp1252_high [32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178
};

static const unsigned char s_bom [3] = { 0xEF, 0xBB, 0xBF };

static uint32_t
cp1252_codepoint (unsigned char byte)
{
    if (byte >= 0x80 && byte < 0xA0)
        return s_cp1252_high [byte - 0x80];
    return byte;
}

/*  Length in UTF-8 of a code point below U+10000 (all cp1252 maps to).  */
static size_t
utf8_width (uint32_t cp)
{
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
}

static clip_text_t *
text_new (size_t orig_len, clip_encoding_t encoding)
{
    clip_text_t *self = clip_calloc (1, sizeof *self);
    self->encoding = encoding;
    self->orig_len = orig_len;
    return self;
}

/*  Valid UTF-8: the text is the input, less a leading BOM.  */
static clip_text_t *
decode_utf8 (const unsigned char *s, size_t len)
{
    clip_text_t *self = text_new (len, CLIP_ENC_UTF8);
    size_t skip = (len >= 3 && memcmp (s, s_bom, 3) == 0) ? 3 : 0;
    self->len = len - skip;
    self->utf8 = clip_malloc (self->len + 1);
    memcpy (self->utf8, s + skip, self->len);
    self->utf8 [self->len] = 0;
    if (skip) {
        self->orig = clip_malloc ((self->len + 1) * sizeof (uint32_t));
        for (size_t i = 0; i <= self->len; i++)
            self->orig [i] = (uint32_t) (i + skip);
    }
    return self;
}

/*  Anything else: the whole input as windows-1252.  A leading UTF-8 BOM is
    still dropped, as the header promises; three bytes that were meant as a
    BOM are the likeliest reading of EF BB BF at the very start.  */
static clip_text_t *
decode_cp1252 (const unsigned char *s, size_t len)
{
    clip_text_t *self = text_new (len, CLIP_ENC_WINDOWS_1252);
    size_t skip = (len >= 3 && memcmp (s, s_bom, 3) == 0) ? 3 : 0;

    /*  Size the output exactly first: a 10 MB file would otherwise need
        3 x 10 MB of text and 12 x 10 MB of offsets reserved.  */
    size_t out_len = 0;
    for (size_t i = skip; i < len; i++)
        out_len += s [i] < 0x80 ? 1 : utf8_width (cp1252_codepoint (s [i]));

    self->len = out_len;
    self->utf8 = clip_malloc (out_len + 1);
    self->orig = clip_malloc ((out_len + 1) * sizeof (uint32_t));
    unsigned char *out = (unsigned char *) self->utf8;
    size_t o = 0;
    for (size_t i = skip; i < len; i++) {
        unsigned char byte = s [i];
        if (byte < 0x80) {
            self->orig [o] = (uint32_t) i;
            out [o++] = byte;
            continue;
        }
        size_t n = (size_t) utf8proc_encode_char (
            (utf8proc_int32_t) cp1252_codepoint (byte), out + o);
        for (size_t k = 0; k < n; k++)
            self->orig [o + k] = (uint32_t) i;
        o += n;
    }
    assert (o == out_len);
    out [o] = 0;
    self->orig [o] = (uint32_t) len;
    return self;
}

clip_text_t *
clip_text_decode (const void *data, size_t len)
{
    assert (data || len == 0);
    /*  Offsets are 32-bit; clipd refuses files past --max-bytes long before. */
    assert (len < UINT32_MAX);
    const unsigned char *s = data ? data : (const unsigned char *) "";
    if (clip_utf8_valid ((const char *) s, len))
        return decode_utf8 (s, len);
    return decode_cp1252 (s, len);
}

void
clip_text_destroy (clip_text_t **self_p)
{
    assert (self_p);
    clip_text_t *self = *self_p;
    if (!self)
        return;
    free (self->utf8);
    free (self->orig);
    free (self);
    *self_p = NULL;
}

size_t
clip_text_orig_offset (const clip_text_t *self, size_t offset)
{
    assert (self);
    assert (offset <= self->len);
    return self->orig ? self->orig [offset] : offset;
}

const char *
clip_encoding_name (clip_encoding_t encoding)
{
    switch (encoding) {
        case CLIP_ENC_UTF8:         return "utf-8";
        case CLIP_ENC_WINDOWS_1252: return "windows-1252";
    }
    assert (!"unknown encoding");
    return "utf-8";
}

/*  Character classes shared by the title and the normaliser: white space,
    the invisible characters a copy may gain or lose (dropped), and line
    ends, are clip_utf8.h's, the rules every module follows.  */

static bool
ascii_space (unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/*  The ASCII replacement of a typographic quote or dash, or 0.  */
static char
plain_punct (utf8proc_int32_t cp)
{
    switch (cp) {
        case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032:
            return '\'';
        case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033:
        case 0xAB: case 0xBB:
            return '"';
        case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
        case 0x2015: case 0x2212:
            return '-';
        default:
            return 0;
    }
}

/*  True if cp, kept in the text, may make it differ from its NFC form.
    Text made only of code points for which this is false is already in NFC,
    so most articles never pay for utf8proc's decompose/compose.  The test is
    conservative: below U+0300 nothing decomposes canonically or composes as
    a second character (ICU's NFC quick check uses the same bound); above it,
    anything that is a mark (every combining class and every composition
    second is one, save the Hangul jamo), a conjoining jamo, or has a
    canonical decomposition (singletons and exclusions included) is
    suspect.  tests/unit/test_text.c checks these claims over all of
    Unicode.  */
static bool
nfc_sensitive (utf8proc_int32_t cp)
{
    if (cp < 0x300)
        return false;
    utf8proc_category_t cat = utf8proc_category (cp);
    if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC
    ||  cat == UTF8PROC_CATEGORY_ME)
        return true;
    if (cp >= 0x1100 && cp <= 0x11FF)
        return true;
    utf8proc_int32_t parts [4];
    int boundclass = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char (cp, parts, 4, UTF8PROC_DECOMPOSE,
                                                  &boundclass);
    return n != 1 || parts [0] != cp;
}

/*  Next code point of s [i..len), its length in *width.  A byte that does
    not start valid UTF-8 reads as U+FFFD, one byte long, so that callers
    handed something other than clip_text_decode's output still terminate. */
static int32_t
next_codepoint (const unsigned char *s, size_t i, size_t len, size_t *width)
{
    size_t pos = i;
    int32_t cp = clip_utf8_next ((const char *) s, len, &pos);
    *width = pos - i;
    return cp == CLIP_UTF8_INVALID ? 0xFFFD : cp;
}

char *
clip_text_title (const clip_text_t *self, size_t max_bytes)
{
    assert (self);
    const unsigned char *s = (const unsigned char *) self->utf8;
    size_t len = self->len;

    /*  The first character that is neither white space nor invisible opens
        the first non-blank line: every line before it is blank.  */
    size_t start = 0, width = 0;
    while (start < len) {
        utf8proc_int32_t cp = next_codepoint (s, start, len, &width);
        if (!clip_utf8_is_space (cp) && !clip_utf8_is_ignorable (cp))
            break;
        start += width;
    }
    /*  The title runs to the line's end or max_bytes, whichever is first,
        and ends with its last visible character, so trailing white space is
        trimmed and a cut never splits a character or leaves a space.  */
    size_t end = start;
    for (size_t i = start; i < len; i += width) {
        utf8proc_int32_t cp = next_codepoint (s, i, len, &width);
        if (clip_utf8_is_line_end (cp) || i + width - start > max_bytes)
            break;
        if (!clip_utf8_is_space (cp) && !clip_utf8_is_ignorable (cp))
            end = i + width;
    }
    return clip_strndup ((const char *) s + start, end - start);
}

/*  Output buffer of the normaliser.  Folding only ever shrinks valid UTF-8,
    so the first allocation (input length) suffices; only an invalid byte,
    which becomes the 3-byte U+FFFD, can need more, and the first one
    reserves room for the worst case of the rest (3 bytes out per byte in),
    so that the buffer grows at most once.  */
typedef struct {
    unsigned char *data;
    size_t len;
    size_t cap;
} outbuf_t;

static void
outbuf_reserve (outbuf_t *buf, size_t more)
{
    if (buf->len + more + 1 > buf->cap) {
        buf->cap = (buf->len + more + 1) * 2;
        buf->data = clip_realloc (buf->data, buf->cap);
    }
}

char *
clip_text_normalise (const char *utf8, size_t len, size_t *len_out)
{
    assert (utf8 || len == 0);
    const unsigned char *s = (const unsigned char *) (utf8 ? utf8 : "");
    outbuf_t out = { clip_malloc (len + 1), 0, len + 1 };
    /*  A space is written only before the next visible character, so runs
        collapse to one space and none is left at either end; invisible
        characters between two spaces do not split the run.  */
    bool pending_space = false;
    bool need_nfc = false;

    size_t i = 0;
    while (i < len) {
        unsigned char c = s [i];
        if (c > ' ' && c < 0x80) {
            /*  A run of visible ASCII, most of any text: copied as it is,
                after the space it waited for.  */
            if (pending_space) {
                out.data [out.len++] = ' ';
                pending_space = false;
            }
            do
                out.data [out.len++] = s [i++];
            while (i < len && s [i] > ' ' && s [i] < 0x80);
            continue;
        }
        if (c < 0x80) {
            i++;
            if (ascii_space (c)) {
                pending_space = out.len > 0;
                continue;
            }
            if (pending_space) {
                out.data [out.len++] = ' ';
                pending_space = false;
            }
            out.data [out.len++] = c;
            continue;
        }
        size_t width;
        utf8proc_int32_t cp = next_codepoint (s, i, len, &width);
        bool invalid = cp == 0xFFFD && width == 1;
        if (clip_utf8_is_ignorable (cp)) {
            i += width;
            continue;
        }
        if (clip_utf8_is_space (cp)) {
            pending_space = out.len > 0;
            i += width;
            continue;
        }
        if (invalid)
            outbuf_reserve (&out, 3 * (len - i) + 1);
        if (pending_space) {
            out.data [out.len++] = ' ';
            pending_space = false;
        }
        char plain = plain_punct (cp);
        if (plain)
            out.data [out.len++] = (unsigned char) plain;
        else if (invalid)
            out.len += (size_t) utf8proc_encode_char (cp, out.data + out.len);
        else {
            memcpy (out.data + out.len, s + i, width);
            out.len += width;
            if (!need_nfc)
                need_nfc = nfc_sensitive (cp);
        }
        i += width;
    }
    out.data [out.len] = 0;

    /*  Composition is done after the folding, on purpose: dropping an
        invisible character can bring a letter and its combining mark
        together, and NFC must see them joined.  NFC cannot create white
        space, quotes or dashes from anything left (the only canonical
        decompositions into those, U+2000 and U+2001, were folded above).  */
    if (need_nfc) {
        utf8proc_uint8_t *composed = NULL;
        utf8proc_ssize_t n = utf8proc_map (out.data, (utf8proc_ssize_t) out.len, &composed,
                                           UTF8PROC_COMPOSE | UTF8PROC_STABLE);
        if (n < 0) {
            /*  The input is valid UTF-8 by now, so only memory can fail;
                fail as clip_malloc does.  */
            fprintf (stderr, "level=error event=out_of_memory where=utf8proc_map error=\"%s\"\n",
                     utf8proc_errmsg (n));
            abort ();
        }
        free (out.data);
        out.data = composed;
        out.len = (size_t) n;
    }
    if (len_out)
        *len_out = out.len;
    return (char *) out.data;
}

void
clip_text_digest (const char *normalised, size_t len, char out [33])
{
    assert (normalised || len == 0);
    assert (out);
    XXH128_hash_t hash = XXH3_128bits (normalised ? normalised : "", len);
    /*  "%016" PRIx64 "%016" PRIx64, without the formatter.  */
    static const char hex [] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out [i] = hex [(hash.high64 >> (60 - 4 * i)) & 0xF];
        out [16 + i] = hex [(hash.low64 >> (60 - 4 * i)) & 0xF];
    }
    out [32] = 0;
}

bool
clip_text_is_binary (const void *data, size_t len)
{
    assert (data || len == 0);
    if (len == 0)
        return false;
    const unsigned char *s = data;
    if (memchr (s, 0, len))
        return true;
    size_t controls = 0;
    for (size_t i = 0; i < len; i++)
        controls += (s [i] < 0x20 && !ascii_space (s [i])) || s [i] == 0x7F;
    return controls * 10 > len;
}
