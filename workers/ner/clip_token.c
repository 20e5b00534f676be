/*  clip_token: tokenizer and sentence splitter.  See clip_token.h.  */
#include "clip_token.h"
#include "clip_utf8.h"
#include "clip_util.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define INVALID_CP 0xFFFFFFFFu

/*  Decode the code point at s [i] (clip_utf8_next); *clen gets its length
    in bytes.  Invalid or truncated sequences decode as INVALID_CP of length
    1, so that every byte is covered exactly once.  */
static uint32_t
decode_at (const unsigned char *s, size_t len, size_t i, size_t *clen)
{
    size_t pos = i;
    int32_t cp = clip_utf8_next ((const char *) s, len, &pos);
    *clen = pos - i;
    return cp == CLIP_UTF8_INVALID ? INVALID_CP : (uint32_t) cp;
}

/*  Skipped between tokens: white space (clip_utf8_is_space), and the C0
    controls and DEL, which never start a word.  */
static int
is_space (uint32_t cp)
{
    if (cp == INVALID_CP)
        return 0;
    return cp < 0x20 || cp == 0x7F || clip_utf8_is_space ((int32_t) cp);
}

/*  The invisible format characters (clip_utf8_is_ignorable): skipped
    between tokens, and inside a word they do not end it.  */
static int
is_ignorable (uint32_t cp)
{
    return cp != INVALID_CP && clip_utf8_is_ignorable ((int32_t) cp);
}

/*  ASCII letters and digits, the bulk of every text, are answered by a
    table; the rest by clip_utf8_is_word.  The bytes from 0x80 are in it
    as 0, so that scan_word's run of ASCII needs no test of its own.  */
static const uint8_t s_ascii_alnum [256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
    ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
    ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
    ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
    ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1,
    ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
    ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
    ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1
};

/*  The ASCII bytes after a word's letters and digits that scan_word
    looks at: a hyphen, "&", a decimal point or comma, an apostrophe, a
    period.  */
static const uint8_t s_word_inner [128] = {
    ['-'] = 1, ['&'] = 1, ['.'] = 1, [','] = 1, ['\''] = 1
};

static inline int
is_alnum (uint32_t cp)
{
    if (cp < 0x80)
        return s_ascii_alnum [cp];
    return cp != INVALID_CP && clip_utf8_is_word ((int32_t) cp);
}

static int
is_upper (uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z';
    if (cp == INVALID_CP)
        return 0;
    return utf8proc_category ((utf8proc_int32_t) cp) == UTF8PROC_CATEGORY_LU;
}

static int
is_apostrophe (uint32_t cp)
{
    return cp == '\'' || cp == 0x2019;
}

static int
is_word_hyphen (uint32_t cp)
{
    return cp == '-' || cp == 0x2010 || cp == 0x2011;
}

static int
is_closing (uint32_t cp)
{
    return cp == '"' || cp == '\'' || cp == ')' || cp == ']'
        || cp == 0x2019 || cp == 0x201D || cp == 0xBB;
}

static int
is_opening (uint32_t cp)
{
    return cp == '"' || cp == '\'' || cp == '(' || cp == '['
        || cp == 0x2018 || cp == 0x201C || cp == 0xAB;
}

/*  Abbreviations that keep their period.  Titles precede a name and so never
    end a sentence; the others usually do not either in news prose ("Huawei
    Technologies Co. Ltd.", "the U.S. Commerce Department"), so no period
    that belongs to an abbreviation ends a sentence.  Kept with their
    lengths, so that a word is compared only with those of its length.  */
#define A(w) { w, sizeof w - 1 }
static const struct {
    const char *word;
    size_t len;
} abbreviations [] = {
    A ("Mr"), A ("Mrs"), A ("Ms"), A ("Dr"), A ("Prof"), A ("Sr"), A ("Jr"),
    A ("St"), A ("Mt"), A ("Ft"), A ("Gen"), A ("Col"), A ("Lt"), A ("Sgt"),
    A ("Capt"), A ("Cmdr"), A ("Adm"), A ("Maj"), A ("Rep"), A ("Sen"),
    A ("Gov"), A ("Pres"), A ("Rev"), A ("Hon"), A ("Corp"), A ("Inc"),
    A ("Ltd"), A ("Co"), A ("Bros"), A ("Plc"), A ("Cos"), A ("No"), A ("Nos"),
    A ("vs"), A ("Jan"), A ("Feb"), A ("Mar"), A ("Apr"), A ("Jun"), A ("Jul"),
    A ("Aug"), A ("Sep"), A ("Sept"), A ("Oct"), A ("Nov"), A ("Dec"),
    A ("Ave"), A ("Blvd"), A ("Dept"), A ("Univ"), A ("Calif"), A ("Fla"),
    A ("Mass"), A ("Wash"), A ("Conn"), A ("Ariz"), A ("Colo"), A ("Tenn"),
    A ("Okla"), A ("Mich"), A ("Minn"), A ("approx"), A ("est"), A ("Messrs"),
    A ("Mme"), A ("Mlle"),
    /*  The other states' abbreviations of the wire's style (AP), besides
        those above and the lettered ones ("N.Y.", read as acronyms).  */
    A ("Ala"), A ("Ark"), A ("Del"), A ("Ga"), A ("Ill"), A ("Ind"), A ("Kan"),
    A ("Kans"), A ("Ky"), A ("La"), A ("Md"), A ("Mo"), A ("Mont"), A ("Neb"),
    A ("Nebr"), A ("Nev"), A ("Ore"), A ("Pa"), A ("Tex"), A ("Va"), A ("Vt"),
    A ("Wis"), A ("Wisc"), A ("Wyo")
};
#undef A

/*  Also in capitals, as datelines and headlines write them ("ST. LOUIS,
    MO.", "ACME CORP."): a word of capitals matches the abbreviation
    whatever its case.  */
static int
is_abbreviation (const char *s, size_t n)
{
    int caps = n > 1;
    for (size_t k = 0; k < n && caps; k++)
        caps = s [k] >= 'A' && s [k] <= 'Z';
    for (size_t k = 0; k < sizeof abbreviations / sizeof abbreviations [0]; k++) {
        if (abbreviations [k].len != n || abbreviations [k].word [0] != s [0])
            continue;
        if (memcmp (abbreviations [k].word, s, n) == 0)
            return 1;
        if (caps) {
            size_t c = 1;
            while (c < n && (abbreviations [k].word [c] & ~0x20) == s [c])
                c++;
            if (c == n)
                return 1;
        }
    }
    return 0;
}

static void
push (clip_tokens_t *out, size_t start, size_t end, uint32_t flags)
{
    if (out->n == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 256;
        out->tokens = clip_realloc (out->tokens, out->cap * sizeof (clip_token_t));
    }
    out->tokens [out->n].start = (uint32_t) start;
    out->tokens [out->n].end = (uint32_t) end;
    out->tokens [out->n].flags = flags;
    out->n++;
}

/*  Length of the run of ASCII letters at s [i].  */
static size_t
letters_at (const unsigned char *s, size_t len, size_t i)
{
    size_t k = i;
    while (k < len && ((s [k] | 0x20) >= 'a' && (s [k] | 0x20) <= 'z'))
        k++;
    return k - i;
}

/*  If s [i] starts a clitic split off a word ("'s", "'re", "'ve", "'ll",
    "'d", "'m" with a straight or curly apostrophe), return its length.  */
static size_t
clitic_at (const unsigned char *s, size_t len, size_t i)
{
    size_t alen;
    uint32_t cp = decode_at (s, len, i, &alen);
    if (!is_apostrophe (cp))
        return 0;
    size_t nl = letters_at (s, len, i + alen);
    if (nl == 0 || nl > 2)
        return 0;
    size_t after = i + alen + nl;
    if (after < len) {
        size_t cl;
        if (is_alnum (decode_at (s, len, after, &cl)))
            return 0;
    }
    char w [3] = { 0, 0, 0 };
    for (size_t k = 0; k < nl; k++)
        w [k] = (char) (s [i + alen + k] | 0x20);
    if (strcmp (w, "s") == 0 || strcmp (w, "re") == 0 || strcmp (w, "ve") == 0
    ||  strcmp (w, "ll") == 0 || strcmp (w, "d") == 0 || strcmp (w, "m") == 0)
        return alen + nl;
    return 0;
}

/*  If s [i] starts "n't" (any apostrophe) followed by a non-letter, return
    its length.  */
static size_t
negation_at (const unsigned char *s, size_t len, size_t i)
{
    if (i >= len || (s [i] | 0x20) != 'n')
        return 0;
    size_t alen;
    if (i + 1 >= len || !is_apostrophe (decode_at (s, len, i + 1, &alen)))
        return 0;
    size_t t = i + 1 + alen;
    if (t >= len || (s [t] | 0x20) != 't')
        return 0;
    if (t + 1 < len) {
        size_t cl;
        if (is_alnum (decode_at (s, len, t + 1, &cl)))
            return 0;
    }
    return t + 1 - i;
}

/*  Scan a word starting at s [i] (an alphanumeric character); return its
    end.  */
static size_t
scan_word (const unsigned char *s, size_t len, size_t i)
{
    size_t start = i, clen;
    for (;;) {
        for (;;) {
            /*  ASCII letters and digits without a decode.  */
            while (i < len && s_ascii_alnum [s [i]])
                i++;
            if (i >= len || s [i] < 0x80 || !is_alnum (decode_at (s, len, i, &clen)))
                break;
            i += clen;
        }
        if (i >= len)
            return i;
        /*  An ASCII byte other than those the rules below look at ends
            the word (most words end at a space).  */
        if (s [i] < 0x80 && !s_word_inner [s [i]])
            return i;
        uint32_t cp = decode_at (s, len, i, &clen);
        if (is_ignorable (cp)) {
            /*  "Hua<U+00AD>wei": ignorable characters between two word
                characters are part of the word, as in the sketch.  */
            size_t j = i + clen, jl;
            while (j < len && is_ignorable (decode_at (s, len, j, &jl)))
                j += jl;
            if (j < len && is_alnum (decode_at (s, len, j, &jl))) {
                i = j;
                continue;
            }
            return i;
        }
        size_t next_len = 0;
        uint32_t next = i + clen < len ? decode_at (s, len, i + clen, &next_len) : 0;
        if (is_word_hyphen (cp) && is_alnum (next)) {
            i += clen;
            continue;
        }
        /*  "S&P", "AT&T", "E&T": an ampersand between capitals joins one
            name, as CoNLL writes it.  */
        if (cp == '&' && i > start && s [i - 1] >= 'A' && s [i - 1] <= 'Z'
        &&  next >= 'A' && next <= 'Z') {
            i += clen;
            continue;
        }
        if ((cp == '.' || cp == ',') && i > start && s [i - 1] >= '0' && s [i - 1] <= '9'
        &&  next >= '0' && next <= '9') {
            i += clen;
            continue;
        }
        if (is_apostrophe (cp) && is_alnum (next)) {
            if (clitic_at (s, len, i))
                return i;
            /*  "didn't": the word ends before the n of "n't".  */
            if (i - start >= 2 && negation_at (s, len, i - 1))
                return i - 1;
            i += clen;          /* O'Neill, rock'n'roll */
            continue;
        }
        if (cp == '.') {
            size_t wlen = i - start;
            int letter = wlen == 1 && ((s [start] | 0x20) >= 'a' && (s [start] | 0x20) <= 'z');
            if (letter) {
                /*  An initial or an acronym: "W.", "U.S.", "U.K.".  */
                i++;
                while (i + 1 < len && ((s [i] | 0x20) >= 'a' && (s [i] | 0x20) <= 'z')
                       && s [i + 1] == '.')
                    i += 2;
                return i;
            }
            if (is_abbreviation ((const char *) s + start, wlen))
                return i + 1;
        }
        return i;
    }
}

void
clip_tokenize (const char *utf8, size_t len, clip_tokens_t *out)
{
    const unsigned char *s = (const unsigned char *) utf8;
    if (len > 0xFFFFFFFFu)
        len = 0xFFFFFFFFu;
    out->n = 0;
    int sent_start = 1;         /* the next token starts a sentence */
    int pending = 0;            /* a sentence end was seen; confirm on the next token */
    size_t newlines = 0;
    size_t i = 0;
    while (i < len) {
        size_t clen;
        uint32_t cp;
        if (s [i] < 0x80) {
            /*  ASCII, nearly every byte: a space is a control or ' ', and
                none is ignorable.  */
            cp = s [i];
            clen = 1;
            if (cp <= ' ' || cp == 0x7F) {
                if (cp == '\n')
                    newlines++;
                i++;
                continue;
            }
        }
        else {
            cp = decode_at (s, len, i, &clen);
            if (is_space (cp)) {
                i += clen;
                continue;
            }
            if (is_ignorable (cp)) {
                i += clen;
                continue;
            }
        }
        if (newlines >= 2)
            sent_start = 1;
        newlines = 0;

        size_t end;
        size_t k;
        if (is_alnum (cp)) {
            if ((s [i] | 0x20) == 'n' && (k = negation_at (s, len, i))
            &&  out->n > 0 && out->tokens [out->n - 1].end == i)
                end = i + k;
            else
                end = scan_word (s, len, i);
        }
        else
        if ((s [i] == '\'' || s [i] == 0xE2)          /* an apostrophe's first byte */
            && (k = clitic_at (s, len, i)) && out->n > 0 && out->tokens [out->n - 1].end == i)
            end = i + k;
        else
        if (cp == '.') {
            end = i + 1;
            while (end < len && s [end] == '.')
                end++;
        }
        else
            end = i + clen;

        if (pending && !sent_start) {
            if (is_upper (cp) || (cp >= '0' && cp <= '9') || is_opening (cp))
                sent_start = 1;
            else
            if (!is_closing (cp))
                pending = 0;
        }
        push (out, i, end, sent_start ? CLIP_TOKEN_SENT_START : 0);
        if (sent_start)
            pending = 0;
        sent_start = 0;
        if (cp == '.' || cp == '!' || cp == '?' || cp == 0x2026)
            pending = 1;
        i = end;
    }
}

void
clip_tokens_release (clip_tokens_t *tokens)
{
    free (tokens->tokens);
    tokens->tokens = NULL;
    tokens->n = tokens->cap = 0;
}

size_t
clip_token_normalise (const char *text, size_t len, char *buf, size_t size)
{
    assert (size > 0);
    const unsigned char *s = (const unsigned char *) text;
    /*  Plain ASCII, nearly every token, is copied as it is: none of the
        replacements below applies to it.  */
    size_t ascii = 0;
    while (ascii < len && s [ascii] < 0x80)
        ascii++;
    if (ascii == len) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy (buf, text, n);
        buf [n] = 0;
        return n;
    }
    size_t o = 0, i = 0;
    while (i < len) {
        size_t clen;
        uint32_t cp = decode_at (s, len, i, &clen);
        const char *rep = NULL;
        if (cp == 0x2018 || cp == 0x2019 || cp == 0x201A || cp == 0x201B || cp == 0x2032)
            rep = "'";
        else
        if (cp == 0x201C || cp == 0x201D || cp == 0x201E || cp == 0x201F || cp == 0x2033)
            rep = "\"";
        else
        if (cp == 0x2010 || cp == 0x2011 || cp == 0x2012 || cp == 0x2013
        ||  cp == 0x2014 || cp == 0x2015 || cp == 0x2212)
            rep = "-";
        else
        if (cp == 0x2026)
            rep = "...";
        else
        if (is_ignorable (cp))
            rep = "";           /* invisible: the tagger sees "Huawei" */
        size_t n = rep ? strlen (rep) : clen;
        if (o + n > size - 1)
            break;
        memcpy (buf + o, rep ? rep : text + i, n);
        o += n;
        i += clen;
    }
    buf [o] = 0;
    return o;
}
