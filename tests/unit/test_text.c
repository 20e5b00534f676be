/*  Tests for clip_text: decoding, offsets, normalisation, digest, title,
    binary detection.  */
#include <criterion/criterion.h>

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <utf8proc.h>

#include "clip_text.h"
#include "clip_util.h"

/*  Decode a string literal, keeping embedded NULs out of the picture.  */
static clip_text_t *
decode_str (const char *s)
{
    return clip_text_decode (s, strlen (s));
}

static char *
norm (const char *s)
{
    return clip_text_normalise (s, strlen (s), NULL);
}

static void
digest_of (const char *s, char out [33])
{
    size_t n;
    char *normalised = clip_text_normalise (s, strlen (s), &n);
    clip_text_digest (normalised, n, out);
    free (normalised);
}

static char *
title_of (const char *s, size_t max_bytes)
{
    clip_text_t *text = decode_str (s);
    char *title = clip_text_title (text, max_bytes);
    clip_text_destroy (&text);
    return title;
}

/*  NFC of s by utf8proc alone, the reference the normaliser must agree
    with.  Caller frees.  */
static char *
nfc (const char *s, size_t len, size_t *len_out)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n = utf8proc_map ((const utf8proc_uint8_t *) s, (utf8proc_ssize_t) len,
                                       &out, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
    cr_assert_geq (n, 0);
    *len_out = (size_t) n;
    return (char *) out;
}

static char *
nfd (const char *s, size_t len, size_t *len_out)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n = utf8proc_map ((const utf8proc_uint8_t *) s, (utf8proc_ssize_t) len,
                                       &out, UTF8PROC_DECOMPOSE | UTF8PROC_STABLE);
    cr_assert_geq (n, 0);
    *len_out = (size_t) n;
    return (char *) out;
}

/*  ---- decoding ---------------------------------------------------------  */

Test (text, valid_utf8_passes_through)
{
    const char *s = "Huawei \xe2\x80\x9c" "defends\xe2\x80\x9d \xc2\xa3" "5bn caf\xc3\xa9 \xf0\x9f\x98\x80\n";
    clip_text_t *text = decode_str (s);
    cr_assert_eq (text->encoding, CLIP_ENC_UTF8);
    cr_assert_str_eq (clip_encoding_name (text->encoding), "utf-8");
    cr_assert_eq (text->len, strlen (s));
    cr_assert_eq (text->orig_len, strlen (s));
    cr_assert_eq (memcmp (text->utf8, s, strlen (s)), 0);
    cr_assert_eq (text->utf8 [text->len], 0);
    cr_assert_null (text->orig);
    for (size_t i = 0; i <= text->len; i++)
        cr_assert_eq (clip_text_orig_offset (text, i), i);
    clip_text_destroy (&text);
    cr_assert_null (text);
    clip_text_destroy (&text);     /* destroying NULL is a no-op */
}

Test (text, empty_input)
{
    clip_text_t *text = clip_text_decode ("", 0);
    cr_assert_eq (text->encoding, CLIP_ENC_UTF8);
    cr_assert_eq (text->len, 0);
    cr_assert_str_eq (text->utf8, "");
    cr_assert_null (text->orig);
    clip_text_destroy (&text);
    text = clip_text_decode (NULL, 0);
    cr_assert_eq (text->len, 0);
    clip_text_destroy (&text);
}

Test (text, nul_bytes_are_kept)
{
    const char s [] = "ab\0cd";
    clip_text_t *text = clip_text_decode (s, 5);
    cr_assert_eq (text->encoding, CLIP_ENC_UTF8);
    cr_assert_eq (text->len, 5);
    cr_assert_eq (memcmp (text->utf8, s, 5), 0);
    clip_text_destroy (&text);
    const char t [] = "a\0\xe9";
    text = clip_text_decode (t, 3);
    cr_assert_eq (text->encoding, CLIP_ENC_WINDOWS_1252);
    cr_assert_eq (text->len, 4);
    cr_assert_eq (memcmp (text->utf8, "a\0\xc3\xa9", 4), 0);
    clip_text_destroy (&text);
}

Test (text, bom_is_dropped_and_offsets_account_for_it)
{
    const char *s = "\xef\xbb\xbfOn\xc3\xa9\n";
    clip_text_t *text = decode_str (s);
    cr_assert_eq (text->encoding, CLIP_ENC_UTF8);
    cr_assert_str_eq (text->utf8, "On\xc3\xa9\n");
    cr_assert_eq (text->len, 5);
    cr_assert_eq (text->orig_len, 8);
    cr_assert_not_null (text->orig);
    for (size_t i = 0; i <= 5; i++) {
        cr_assert_eq (text->orig [i], i + 3);
        cr_assert_eq (clip_text_orig_offset (text, i), i + 3);
    }
    clip_text_destroy (&text);

    /*  A BOM alone, and a BOM only in the middle (kept: it is text there).  */
    text = decode_str ("\xef\xbb\xbf");
    cr_assert_eq (text->len, 0);
    cr_assert_eq (clip_text_orig_offset (text, 0), 3);
    clip_text_destroy (&text);
    text = decode_str ("a\xef\xbb\xbf");
    cr_assert_eq (text->len, 4);
    cr_assert_null (text->orig);
    clip_text_destroy (&text);
}

Test (text, bom_then_invalid_is_cp1252_without_the_bom)
{
    const char *s = "\xef\xbb\xbf" "caf\xe9";
    clip_text_t *text = decode_str (s);
    cr_assert_eq (text->encoding, CLIP_ENC_WINDOWS_1252);
    cr_assert_str_eq (text->utf8, "caf\xc3\xa9");
    const uint32_t want [] = { 3, 4, 5, 6, 6, 7 };
    for (size_t i = 0; i <= text->len; i++)
        cr_assert_eq (text->orig [i], want [i], "orig[%zu]", i);
    clip_text_destroy (&text);
}

Test (text, cp1252_decodes_with_exact_offsets)
{
    /*  "café “quoted” € 5" in windows-1252.  */
    const char *s = "caf\xe9 \x93quoted\x94 \x80 5";
    clip_text_t *text = decode_str (s);
    cr_assert_eq (text->encoding, CLIP_ENC_WINDOWS_1252);
    cr_assert_str_eq (clip_encoding_name (text->encoding), "windows-1252");
    cr_assert_str_eq (text->utf8,
        "caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x82\xac 5");
    cr_assert_eq (text->orig_len, 17);
    cr_assert_eq (text->len, 24);
    const uint32_t want [25] = {
        0, 1, 2,            /* caf */
        3, 3,               /* é (E9) */
        4,                  /* space */
        5, 5, 5,            /* “ (93) */
        6, 7, 8, 9, 10, 11, /* quoted */
        12, 12, 12,         /* ” (94) */
        13,                 /* space */
        14, 14, 14,         /* € (80) */
        15, 16,             /* " 5" */
        17                  /* end */
    };
    for (size_t i = 0; i <= text->len; i++)
        cr_assert_eq (clip_text_orig_offset (text, i), want [i], "orig[%zu]", i);
    clip_text_destroy (&text);
}

/*  Every byte decodes; the defined ones as glibc's iconv reads
    windows-1252, the five undefined ones as the C1 control of that value. */
Test (text, all_256_bytes_decode_like_iconv)
{
    iconv_t cd = iconv_open ("UTF-8", "WINDOWS-1252");
    cr_assert_neq (cd, (iconv_t) -1);
    for (int b = 0; b < 256; b++) {
        /*  Prefix a byte that is never UTF-8, so that every b is read as
            windows-1252 even when it alone would be valid UTF-8.  */
        unsigned char in [2] = { 0xff, (unsigned char) b };
        clip_text_t *text = clip_text_decode (in, 2);
        cr_assert_eq (text->encoding, CLIP_ENC_WINDOWS_1252);
        cr_assert_eq (memcmp (text->utf8, "\xc3\xbf", 2), 0);
        const char *got = text->utf8 + 2;
        size_t got_len = text->len - 2;

        char want [8] = { 0 };
        bool undefined = b == 0x81 || b == 0x8d || b == 0x8f || b == 0x90 || b == 0x9d;
        if (undefined) {
            want [0] = (char) 0xc2;
            want [1] = (char) b;
        } else {
            char inbuf [1] = { (char) b };
            char *ip = inbuf, *op = want;
            size_t il = 1, ol = sizeof want - 1;
            iconv (cd, NULL, NULL, NULL, NULL);
            cr_assert_neq (iconv (cd, &ip, &il, &op, &ol), (size_t) -1, "byte %02x", b);
        }
        size_t want_len = b == 0 ? 1 : strlen (want);
        cr_assert_eq (got_len, want_len, "byte %02x", b);
        cr_assert_eq (memcmp (got, want, want_len), 0, "byte %02x", b);
        for (size_t i = 2; i < text->len; i++)
            cr_assert_eq (text->orig [i], 1);
        cr_assert_eq (text->orig [text->len], 2);
        clip_text_destroy (&text);
    }
    iconv_close (cd);

    /*  And all of them in one file, which must round-trip to valid UTF-8.  */
    unsigned char all [256];
    for (int b = 0; b < 256; b++)
        all [b] = (unsigned char) b;
    clip_text_t *text = clip_text_decode (all, sizeof all);
    cr_assert_eq (text->encoding, CLIP_ENC_WINDOWS_1252);
    size_t i = 0;
    while (i < text->len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate ((const utf8proc_uint8_t *) text->utf8 + i,
                                               (utf8proc_ssize_t) (text->len - i), &cp);
        cr_assert_gt (n, 0);
        cr_assert_eq (text->orig [i], text->orig [i + (size_t) n - 1]);
        i += (size_t) n;
    }
    cr_assert_eq (text->orig [text->len], 256);
    clip_text_destroy (&text);
}

Test (text, single_bytes_all_decode)
{
    for (int b = 0; b < 256; b++) {
        unsigned char in [1] = { (unsigned char) b };
        clip_text_t *text = clip_text_decode (in, 1);
        cr_assert_eq (text->encoding, b < 0x80 ? CLIP_ENC_UTF8 : CLIP_ENC_WINDOWS_1252);
        cr_assert_eq (clip_text_orig_offset (text, text->len), 1);
        char *title = clip_text_title (text, 100);
        char *n = clip_text_normalise (text->utf8, text->len, NULL);
        free (title);
        free (n);
        clip_text_destroy (&text);
    }
}

Test (text, invalid_utf8_mid_file_makes_whole_file_cp1252)
{
    /*  Valid UTF-8 (é as C3 A9) then one stray byte: the whole file,
        including the earlier pair, is read as windows-1252.  */
    const char *s = "caf\xc3\xa9 costs \xa3" "5";
    clip_text_t *text = decode_str (s);
    cr_assert_eq (text->encoding, CLIP_ENC_WINDOWS_1252);
    cr_assert_str_eq (text->utf8, "caf\xc3\x83\xc2\xa9 costs \xc2\xa3" "5");
    clip_text_destroy (&text);

    /*  Forms utf8proc rejects: overlong, surrogate, past U+10FFFF,
        truncated at the end, lone continuation byte.  */
    const char *bad [] = {
        "a\xc0\xaf", "a\xe0\x80\xaf", "a\xed\xa0\x80", "a\xf4\x90\x80\x80",
        "a\xe2\x80", "a\x80", "a\xf8\x88\x80\x80\x80"
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad [0]; k++) {
        text = decode_str (bad [k]);
        cr_assert_eq (text->encoding, CLIP_ENC_WINDOWS_1252, "case %zu", k);
        cr_assert_not_null (text->orig);
        clip_text_destroy (&text);
    }
    /*  The edges that are valid.  */
    const char *good [] = { "\xed\x9f\xbf", "\xee\x80\x80", "\xf4\x8f\xbf\xbf", "\xc2\x80" };
    for (size_t k = 0; k < sizeof good / sizeof good [0]; k++) {
        text = decode_str (good [k]);
        cr_assert_eq (text->encoding, CLIP_ENC_UTF8, "case %zu", k);
        clip_text_destroy (&text);
    }
}

/*  Read one member of a .tar.gz in the shared data; NULL if absent.  */
static char *
read_tar_member (const char *archive, const char *member, size_t *len)
{
    struct stat st;
    if (stat (archive, &st) != 0)
        return NULL;
    char *cmd = clip_strprintf ("tar -xzOf '%s' '%s'", archive, member);
    FILE *pipe = popen (cmd, "r");
    free (cmd);
    cr_assert_not_null (pipe);
    size_t cap = 1 << 16, n = 0;
    char *data = clip_malloc (cap);
    size_t got;
    while ((got = fread (data + n, 1, cap - n, pipe)) > 0) {
        n += got;
        if (n == cap)
            data = clip_realloc (data, cap *= 2);
    }
    cr_assert_eq (pclose (pipe), 0);
    *len = n;
    return data;
}

Test (text, bbc_sport_199_stray_byte)
{
    size_t len = 0;
    char *data = read_tar_member (CLIP_SHARED_DATA "/bbc-news.tar.gz", "bbc/sport/199.txt", &len);
    if (!data)
        cr_skip_test ("shared data (bbc-news.tar.gz) not present");
    cr_assert_eq (len, 2653);
    cr_assert_eq ((unsigned char) data [257], 0xa3);
    clip_text_t *text = clip_text_decode (data, len);
    cr_assert_eq (text->encoding, CLIP_ENC_WINDOWS_1252);
    cr_assert_eq (text->len, len + 1);
    const char *pound = strstr (text->utf8, "\xc2\xa3" "15.8m signing");
    cr_assert_not_null (pound);
    size_t at = (size_t) (pound - text->utf8);
    cr_assert_eq (at, 257);
    cr_assert_eq (clip_text_orig_offset (text, at), 257);
    cr_assert_eq (clip_text_orig_offset (text, at + 1), 257);
    cr_assert_eq (clip_text_orig_offset (text, at + 2), 258);
    cr_assert_eq (clip_text_orig_offset (text, 10), 10);
    cr_assert_eq (clip_text_orig_offset (text, text->len), len);
    cr_assert_not (clip_text_is_binary (data, len));
    clip_text_destroy (&text);
    free (data);
}

/*  ---- normalisation and digest -----------------------------------------  */

static void
assert_same_article (const char *a, const char *b)
{
    char *na = norm (a), *nb = norm (b);
    cr_assert_str_eq (na, nb);
    char da [33], db [33];
    digest_of (a, da);
    digest_of (b, db);
    cr_assert_str_eq (da, db);
    free (na);
    free (nb);
}

Test (text, normalise_folds_white_space)
{
    char *n = norm ("  Huawei\r\ndefends\t\tits\n\n\nrecord \r\n");
    cr_assert_str_eq (n, "Huawei defends its record");
    free (n);
    assert_same_article ("line one\r\nline two\r\n", "line one\nline two\n");
    assert_same_article ("a\xc2\xa0" "b", "a b");                     /* NBSP */
    assert_same_article ("a\xe2\x80\x83\xe3\x80\x80" "b", "a b");     /* em space, ideographic */
    assert_same_article ("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c\xc2\x85" "d", "a b c d");
    assert_same_article ("a\xe2\x80\xaf\xe2\x81\x9f\xe1\x9a\x80" "b\v\fc", "a b c");
    n = norm (" \t\r\n\xc2\xa0 ");
    cr_assert_str_eq (n, "");
    free (n);
    size_t len = 99;
    n = clip_text_normalise ("", 0, &len);
    cr_assert_str_eq (n, "");
    cr_assert_eq (len, 0);
    free (n);
}

Test (text, normalise_maps_quotes_and_dashes)
{
    char *n = norm ("\xe2\x80\x9cIt\xe2\x80\x99s\xe2\x80\x9d \xe2\x80\x98x\xe2\x80\x9a"
                    "\xe2\x80\x9b \xe2\x80\x9e\xe2\x80\x9f \xc2\xab\xc2\xbb 5\xe2\x80\xb2"
                    "6\xe2\x80\xb3 a\xe2\x80\x94" "b\xe2\x80\x93" "c\xe2\x80\x90"
                    "d\xe2\x80\x91" "e\xe2\x80\x92" "f\xe2\x80\x95" "g\xe2\x88\x92" "1");
    cr_assert_str_eq (n, "\"It's\" 'x'' \"\" \"\" 5'6\" a-b-c-d-e-f-g-1");
    free (n);
    assert_same_article ("\xe2\x80\x9cquoted\xe2\x80\x9d and \xe2\x80\x98single\xe2\x80\x99",
                         "\"quoted\" and 'single'");
    assert_same_article ("2019\xe2\x80\x94" "20", "2019-20");
}

Test (text, normalise_drops_invisible_characters)
{
    assert_same_article ("co\xc2\xad" "operate", "cooperate");                 /* soft hyphen */
    assert_same_article ("zero\xe2\x80\x8bwidth\xef\xbb\xbf", "zerowidth");
    /*  An invisible character inside a white-space run does not split it.  */
    assert_same_article ("a \xe2\x80\x8b b", "a b");
    assert_same_article ("\xef\xbb\xbf a", "a");
    /*  Dropping one may join a letter and its mark: still NFC.  */
    assert_same_article ("e\xe2\x80\x8b\xcc\x81", "\xc3\xa9");
}

Test (text, normalise_composes_nfc)
{
    /*  é, Å (U+212B ANGSTROM SIGN is a singleton to U+00C5), ǖ.  */
    assert_same_article ("cafe\xcc\x81", "caf\xc3\xa9");
    assert_same_article ("\xe2\x84\xab", "\xc3\x85");
    assert_same_article ("u\xcc\x88\xcc\x84", "\xc7\x96");
    /*  Canonical reordering of marks: dot below (220) before dot above (230). */
    assert_same_article ("q\xcc\x87\xcc\xa3", "q\xcc\xa3\xcc\x87");
    /*  Hangul: conjoining jamo compose to the syllable.  */
    assert_same_article ("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab", "\xed\x95\x9c");
    /*  Case is kept; compatibility forms are not folded.  */
    char *n = norm ("Huawei HUAWEI \xef\xac\x81");
    cr_assert_str_eq (n, "Huawei HUAWEI \xef\xac\x81");
    free (n);
}

Test (text, normalise_replaces_invalid_bytes)
{
    char *n = clip_text_normalise ("a\xff\xfe b", 5, NULL);
    cr_assert_str_eq (n, "a\xef\xbf\xbd\xef\xbf\xbd b");
    free (n);
    char many [200];
    memset (many, 0xff, sizeof many);
    size_t len;
    n = clip_text_normalise (many, sizeof many, &len);
    cr_assert_eq (len, 600);
    free (n);
}

/*  True for what the normalised text never holds: white space other than
    ' ', typographic quotes and dashes, invisible characters.  */
static bool
folded (utf8proc_int32_t c)
{
    if (c == ' ')
        return false;
    if ((c >= '\t' && c <= '\r') || c == 0x85 || c == 0x2028 || c == 0x2029
    ||  utf8proc_category (c) == UTF8PROC_CATEGORY_ZS)
        return true;
    if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212
    ||  (c >= 0x2018 && c <= 0x201F) || c == 0x2032 || c == 0x2033 || c == 0xAB || c == 0xBB)
        return true;
    return c == 0x200B || c == 0xFEFF || c == 0xAD || c == 0x180E;
}

/*  The claim behind the NFC fast path, checked over every assigned code
    point: alone, and after a canonical decomposition, the result is the
    same as utf8proc's NFC of the character, and is itself NFC.  */
Test (text, normalise_is_nfc_for_every_code_point)
{
    for (utf8proc_int32_t cp = 0x20; cp <= 0x10FFFF; cp++) {
        utf8proc_category_t cat = utf8proc_category (cp);
        if (cat == UTF8PROC_CATEGORY_CN || cat == UTF8PROC_CATEGORY_CS
        ||  cat == UTF8PROC_CATEGORY_CO || cat == UTF8PROC_CATEGORY_CC)
            continue;
        char s [8];
        size_t len = (size_t) utf8proc_encode_char (cp, (utf8proc_uint8_t *) s);
        size_t dlen, want_len, got_len, got2_len, check_len;
        char *decomposed = nfd (s, len, &dlen);
        char *got = clip_text_normalise (s, len, &got_len);
        char *got2 = clip_text_normalise (decomposed, dlen, &got2_len);
        char *want = nfc (s, len, &want_len);
        char *check = nfc (got, got_len, &check_len);
        cr_assert (got_len == check_len && memcmp (got, check, got_len) == 0,
                   "U+%04X: result not NFC", (unsigned) cp);
        cr_assert (got_len == got2_len && memcmp (got, got2, got_len) == 0,
                   "U+%04X: NFD and NFC input differ", (unsigned) cp);
        /*  Nothing that folding removes comes back through composition.  */
        for (size_t i = 0; i < got_len;) {
            utf8proc_int32_t c;
            utf8proc_ssize_t n = utf8proc_iterate ((const utf8proc_uint8_t *) got + i,
                                                   (utf8proc_ssize_t) (got_len - i), &c);
            cr_assert_gt (n, 0);
            cr_assert (!folded (c), "U+%04X gives U+%04X", (unsigned) cp, (unsigned) c);
            i += (size_t) n;
        }
        /*  Where nothing is folded, the result is exactly NFC.  */
        if (got_len && want_len && cp >= 0x80 && !memchr (got, ' ', got_len) && got_len == want_len)
            cr_assert (memcmp (got, want, got_len) == 0, "U+%04X", (unsigned) cp);
        free (decomposed);
        free (got);
        free (got2);
        free (want);
        free (check);
    }
}

Test (text, digest_distinguishes_and_is_pinned)
{
    char a [33], b [33], c [33];
    digest_of ("Huawei defends its record", a);
    digest_of ("Huawei defends its records", b);
    digest_of ("huawei defends its record", c);
    cr_assert_str_neq (a, b);
    cr_assert_str_neq (a, c);
    cr_assert_eq (strlen (a), 32);
    cr_assert_eq (strspn (a, "0123456789abcdef"), 32);
    /*  Pinned: ids are stored and published, so they must never drift.  */
    cr_assert_str_eq (a, "8b8a69eb3776a479a06379b43849d950");
    char e [33];
    clip_text_digest ("", 0, e);
    cr_assert_str_eq (e, "99aa06d3014798d86001c324468d497f");
    /*  The same article in its typographic and plain dress.  */
    digest_of ("\xe2\x80\x9cHuawei\xe2\x80\x9d\xc2\xa0\xe2\x80\x94 it\xe2\x80\x99s\r\n", b);
    digest_of ("\"Huawei\" - it's", c);
    cr_assert_str_eq (b, c);
    cr_assert_str_eq (b, "d0b82d96c8118ea9650452fc6df4657e");
}

/*  ---- title ------------------------------------------------------------  */

Test (text, title_rules)
{
    char *t = title_of ("\n\n   \r\n  Huawei defends record  \r\nbody\n", 200);
    cr_assert_str_eq (t, "Huawei defends record");
    free (t);
    /*  A line of no-break and ideographic spaces is blank.  */
    t = title_of ("\xc2\xa0\xc2\xa0\n\xe3\x80\x80\nTitle\xc2\xa0\n", 200);
    cr_assert_str_eq (t, "Title");
    free (t);
    /*  Inner white space is kept as is; other line ends end the title.  */
    t = title_of ("a\xc2\xa0" "b\xe2\x80\xa8" "c", 200);
    cr_assert_str_eq (t, "a\xc2\xa0" "b");
    free (t);
    t = title_of ("one\rtwo", 200);
    cr_assert_str_eq (t, "one");
    free (t);
    t = title_of ("", 200);
    cr_assert_str_eq (t, "");
    free (t);
    t = title_of (" \n\t\n\xc2\xa0", 200);
    cr_assert_str_eq (t, "");
    free (t);
    t = title_of ("\xef\xbb\xbf" "BOM title", 200);
    cr_assert_str_eq (t, "BOM title");
    free (t);
    t = title_of ("anything", 0);
    cr_assert_str_eq (t, "");
    free (t);
}

Test (text, title_cut_on_character_boundary)
{
    /*  "caf" + é (2 bytes) + "s": a cut at 4 must not split é.  */
    char *t = title_of ("caf\xc3\xa9s", 4);
    cr_assert_str_eq (t, "caf");
    free (t);
    t = title_of ("caf\xc3\xa9s", 5);
    cr_assert_str_eq (t, "caf\xc3\xa9");
    free (t);
    /*  A cut that ends on a space is trimmed.  */
    t = title_of ("Huawei defends record", 7);
    cr_assert_str_eq (t, "Huawei");
    free (t);
    /*  A long title: the result is valid UTF-8 within the limit.  */
    char long_title [1400] = "";
    for (int k = 0; k < 100; k++)
        strcat (long_title, "\xe2\x80\x9cH\xc3\xa9llo\xe2\x80\x9d ");
    for (size_t max = 0; max < 300; max++) {
        t = title_of (long_title, max);
        size_t len = strlen (t);
        /*  Within the limit, a prefix, short of it by at most a split
            3-byte character and a trimmed space, and valid UTF-8.  */
        cr_assert_leq (len, max);
        cr_assert_geq (len + 3, max, "max %zu len %zu", max, len);
        cr_assert_eq (memcmp (t, long_title, len), 0);
        for (size_t i = 0; i < len;) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t n = utf8proc_iterate ((const utf8proc_uint8_t *) t + i,
                                                   (utf8proc_ssize_t) (len - i), &cp);
            cr_assert_gt (n, 0, "max %zu", max);
            i += (size_t) n;
        }
        free (t);
    }
}

Test (text, title_of_cp1252_text)
{
    clip_text_t *text = decode_str ("\r\n\x93Quoted\x94 title\xa0\r\nbody");
    char *t = clip_text_title (text, 200);
    cr_assert_str_eq (t, "\xe2\x80\x9cQuoted\xe2\x80\x9d title");
    free (t);
    clip_text_destroy (&text);
}

/*  ---- binary -----------------------------------------------------------  */

Test (text, is_binary)
{
    cr_assert_not (clip_text_is_binary ("", 0));
    cr_assert_not (clip_text_is_binary (NULL, 0));
    const char *prose = "Huawei defends its record.\r\n\tIt\xe2\x80\x99s fine.\f\v\n";
    cr_assert_not (clip_text_is_binary (prose, strlen (prose)));
    const unsigned char png [] = {
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
        0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52
    };
    cr_assert (clip_text_is_binary (png, sizeof png));
    cr_assert (clip_text_is_binary ("text\0more", 9));
    /*  10% control characters is still text, more is not.  */
    char buf [100];
    memset (buf, 'a', sizeof buf);
    memset (buf, 0x1b, 10);
    cr_assert_not (clip_text_is_binary (buf, sizeof buf));
    buf [10] = 0x7f;
    cr_assert (clip_text_is_binary (buf, sizeof buf));
    /*  windows-1252 text is text.  */
    cr_assert_not (clip_text_is_binary ("caf\xe9 \x93q\x94", 8));
}

/*  ---- the shipped corpus -----------------------------------------------  */

Test (text, huawei_corpus)
{
    static const char *files [] = {
        "000_9e0fcb074dd77aaf.txt", "001_3dbc5d8e002cb599.txt", "002_b2f4190119ca8e61.txt",
        "003_209deb8297a06381.txt", "004_a2dcec478da87fef.txt"
    };
    for (size_t k = 0; k < 5; k++) {
        char *path = clip_strprintf ("%s/corpus/huawei/%s", CLIP_SOURCE_DIR, files [k]);
        char *data;
        size_t len;
        cr_assert_eq (clip_file_read (path, 1 << 24, &data, &len), 0, "%s", path);
        cr_assert_not (clip_text_is_binary (data, len));
        clip_text_t *text = clip_text_decode (data, len);
        cr_assert_eq (text->encoding, CLIP_ENC_UTF8, "%s", path);
        cr_assert_null (text->orig);
        char *title = clip_text_title (text, 200);
        cr_assert_gt (strlen (title), 10, "%s", path);
        size_t nlen;
        char *n = clip_text_normalise (text->utf8, text->len, &nlen);
        /*  No typographic quote, dash or no-break space survives.  */
        cr_assert_null (strstr (n, "\xe2\x80\x9c"));
        cr_assert_null (strstr (n, "\xe2\x80\x99"));
        cr_assert_null (strstr (n, "\xe2\x80\x94"));
        cr_assert_null (strstr (n, "\xc2\xa0"));
        cr_assert_null (strstr (n, "  "));
        /*  Normalising is idempotent.  */
        size_t n2len;
        char *n2 = clip_text_normalise (n, nlen, &n2len);
        cr_assert (nlen == n2len && memcmp (n, n2, nlen) == 0);
        free (n2);
        free (n);
        free (title);
        clip_text_destroy (&text);
        free (data);
        free (path);
    }
}

Test (text, invisible_characters_dropped_as_everywhere)
{
    /*  The ignorable characters of clip_utf8.h, U+180E included (it was
        kept before, while the sketch read it as a space): they join a
        word and do not split a run of spaces.  */
    const char *in = "Hua\xe1\xa0\x8e" "wei \xe2\x80\x8b paid\xc2\xad \xef\xbb\xbf$5";
    size_t len;
    char *n = clip_text_normalise (in, strlen (in), &len);
    cr_assert_str_eq (n, "Huawei paid $5");
    free (n);
    /*  Alone, they make a blank title, as white space does.  */
    const char *file = "\xe1\xa0\x8e\n Title\xe1\xa0\x8e\n";
    clip_text_t *t = clip_text_decode (file, strlen (file));
    char *title = clip_text_title (t, 100);
    cr_assert_str_eq (title, "Title");
    free (title);
    clip_text_destroy (&t);
}
