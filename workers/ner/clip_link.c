/*  clip_link: linking mentions to canonical names.

    Two forms of every name are computed here.  The key is what names are
    compared by: lower-cased, accents stripped, periods and apostrophes
    deleted ("U.S." -> "us"), possessive 's dropped, other punctuation a word
    break, '&' read as "and", British spellings ("center" -> "centre",
    "cybersecurity" -> "cyber security"), a leading "the" and trailing legal
    suffixes ("Ltd", "Corp.", "PLC", ...) dropped, and for people leading
    titles ("Mr", "President", ...) dropped.  The display form is the
    canonical name of an entity the alias table does not know: the mention
    with its spaces folded, quotes and a possessive trimmed, the same
    titles, article and suffixes dropped, its case and spelling kept.

    The alias table is an open-addressing hash from key to entry, built once
    at load and only read afterwards, so linking is reentrant.  Per document
    two passes run over the mentions: the first resolves each through the
    table and collects acronyms defined in the text (then ALL-CAPS
    mentions take the body's mixed-case form, through one more hash map);
    the second links acronyms and short mentions of people to earlier full
    names.  Between them, maps over the whole document (each a hash map
    holding its first items in itself) give the later full names of
    people, the longer organisation names by first word, plurals and
    initials, so that short forms before their full name, short names of
    organisations and undefined acronyms are linked in linear time.  An
    acronym no tagged name spells may still be spelt by a capitalised
    run of the text (the tagger cut its full name): the runs are
    collected in one pass over the text, once per document that needs
    them.  Wire copy's abbreviations of company words ("Bros", "Mfg")
    are written out, and an organisation the table names in the plural
    is also named by its singular ("REUTER", the wire's sign-off).
*/
#include "clip_link.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>
/*  xxhash inlined, as in clip_tagger.c: a map lookup per word of every
    mention, and a call into the shared library for a few bytes costs
    more than the hash.  */
#define XXH_INLINE_ALL
#pragma GCC diagnostic push
/*  gcc 12 at -O3 sees a false out-of-bounds read in the inlined XXH3.  */
#pragma GCC diagnostic ignored "-Warray-bounds"
#include <xxhash.h>
#pragma GCC diagnostic pop

#include "clip_utf8.h"
#include "clip_util.h"

static const char *const type_names[] = { "PER", "ORG", "LOC", "MISC" };
enum { TY_PER = 0, TY_ORG, TY_LOC, TY_MISC, TY_OTHER };

static int
type_index (const char *type)
{
    /*  The names differ in their first letter: one strcmp.  */
    if (!type)
        return TY_OTHER;
    int k;
    switch (type[0]) {
    case 'P': k = TY_PER; break;
    case 'O': k = TY_ORG; break;
    case 'L': k = TY_LOC; break;
    case 'M': k = TY_MISC; break;
    default: return TY_OTHER;
    }
    return strcmp (type, type_names[k]) == 0? k: TY_OTHER;
}

/* ----------------------------------------------------------- word lists */

/*  The word lists below are in byte order, so that a word is looked up
    by halves (a few comparisons, not one a word of the list: titles are
    asked of every person's name).  Order of a list word l and w [0, n):
    bytes compared unsigned, l's end before any byte.  */
static int
list_cmp (const char *l, const char *w, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (l[k] == '\0')
            return -1;
        if (l[k] != w[k])
            return (unsigned char) l[k] < (unsigned char) w[k]? -1: 1;
    }
    return l[n] == '\0'? 0: 1;
}

static bool
in_sorted (const char *const *list, size_t count, const char *w, size_t n)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = list_cmp (list[mid], w, n);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/*  Is w [0, n) a word of list (one of the arrays below, NULL-ended)?  */
#define in_list(list, w, n) in_sorted ((list), sizeof (list) / sizeof *(list) - 1, (w), (n))

/*  Are a list's words in the order in_sorted needs?  Checked at load.  */
static bool
list_sorted (const char *const *list)
{
    for (size_t k = 0; list[k] && list[k + 1]; k++)
        if (strcmp (list[k], list[k + 1]) >= 0)
            return false;
    return true;
}

/*  Trailing words naming a legal form, compared on the key (lower case,
    periods deleted).  */
static const char *const legal_suffixes[] = {
    "ab", "ag", "asa", "bhd", "bv", "cie", "co", "corp", "corporation",
    "gmbh", "inc", "incorporated", "kgaa", "kk", "lda", "limited", "llc",
    "llp", "lp", "ltd", "ltda", "nl", "nv", "oy", "oyj", "plc", "pte", "pty", "sa",
    "sarl", "sas", "se", "spa", "srl", NULL
};

/*  Words that complete a company's name without naming another company
    ("Quillby International", "Quillby Industries"), unlike those of a
    unit or a vehicle ("Quillby Finance", "Quillby Acquiring Corp").
    Compared on the key, sorted.  */
static const char *const generic_company_words[] = {
    "company", "corporation", "enterprises", "global", "group", "industries",
    "international", "worldwide", NULL
};

/*  Leading words of a person mention that are titles, not names.  */
static const char *const titles[] = {
    "adm", "admiral", "ambassador", "attorney", "capt", "captain", "ceo",
    "cfo", "chair", "chairman", "chairwoman", "chancellor", "chief", "col",
    "colonel", "commissioner", "congressman", "congresswoman", "dame",
    "deputy", "director", "dr", "executive", "father", "founder", "gen",
    "general", "gov", "governor", "judge", "justice", "king", "lady",
    "lieutenant", "lord", "lt", "mayor", "minister", "miss", "mr", "mrs",
    "ms", "mx", "pope", "premier", "president", "prime", "prince", "princess",
    "prof", "professor", "queen", "rep", "representative", "rev", "reverend",
    "rotating", "secretary", "sen", "senator", "sergeant", "sgt", "sheikh",
    "sir", "spokesman", "spokeswoman", "vice", "vp", NULL
};

/*  Last words of the bodies of a state: "U.S." before one is the country
    written out ("U.S. Embassy" -> "United States Embassy", README.md's
    rules: abbreviations expanded), where "U.S. Wheat Associates", a
    private body, keeps its name.  Key form.  */
static const char *const state_bodies[] = {
    "administration", "army", "consulate", "department", "embassy", "government", "marines",
    "mint", "navy", "senate", NULL
};

/*  Words before a place name that make it a place, not its government:
    "in Beijing", "to Washington".  */
static const char *const locatives[] = {
    "across", "around", "at", "based", "from", "in", "inside", "into", "near",
    "of", "outside", "through", "throughout", "to", "toward", "towards",
    "via", "visit", "visited", "visiting", "visits", "within", NULL
};

/*  Words before a capital that make it the city, not its state: "a
    London dealer", "its Washington embassy", "all London's stations",
    "central London", "post-war London" ("war" only after "post-" or
    "pre-": city_reading).  "the" is asked apart (city_reading): "the
    Kremlin said".  */
static const char *const city_determiners[] = {
    "a", "all", "an", "central", "downtown", "east", "eastern", "greater",
    "her", "his", "inner", "its", "north", "northern", "our", "outer",
    "south", "southern", "suburban", "their", "these", "this", "those",
    "west", "western", NULL
};

/*  Words after "the [capital]" that make it the state's: "the Kremlin
    said", "the Kremlin has".  */
static const char *const actor_verbs[] = {
    "accused", "added", "agreed", "announced", "argued", "believes", "can",
    "claimed", "could", "denied", "did", "does", "had", "has", "have",
    "hopes", "insisted", "is", "may", "might", "must", "rejected", "said",
    "says", "should", "wants", "warned", "was", "were", "will", "would", NULL
};

/*  What a headline in capitals says a capital does as its government
    ("TOKYO SEEKS TALKS", "MOSCOW TO BUY GRAIN"), lower-cased; before any
    other word the capital is the city ("LONDON SUGAR", "LONDON TRADERS
    SAY").  */
static const char *const headline_verbs[] = {
    "agrees", "announces", "asks", "backs", "bids", "buys", "calls", "carries", "cuts",
    "denies", "expects", "launches", "opens", "plans", "protests", "raises", "rejects",
    "seeks", "sees", "sells", "sets", "stages", "still", "supports", "threatens", "to",
    "unveils", "urges", "warns", "welcomes", "widens", "with", "withdraws", NULL
};

/*  Months, as a dateline writes them after its place, lower-cased.  */
static const char *const month_names[] = {
    "april", "aug", "august", "dec", "december", "feb", "february", "jan",
    "january", "july", "june", "march", "may", "nov", "november", "oct",
    "october", "sep", "sept", "september", NULL
};

/*  Words an acronym may skip.  */
static const char *const stopwords[] = {
    "a", "an", "and", "de", "der", "des", "du", "for", "in", "la", "of", "on",
    "the", "to", NULL
};

/*  Joining words of names in other languages that an acronym skips as
    well ("Banca Nazionale del Lavoro (BNL)", "Credit Industriel et
    Commercial (CIC)"); not stop-words elsewhere, where "Banco Royal"
    still stands for "Banco Royal do Canada".  */
static const char *const foreign_joins[] = {
    "da", "das", "del", "della", "di", "do", "dos", "et", NULL
};

/*  Spelling variants, American -> British, applied word by word to keys
    (display forms keep the spelling written).  key_word_push looks here
    only for words spelling_candidate admits; clip_linker_load refuses a
    list it would not admit whole.  */
static const char *const spellings[][2] = {
    { "center", "centre" }, { "centers", "centres" },
    { "organization", "organisation" }, { "organizations", "organisations" },
    { "defense", "defence" }, { NULL, NULL }
};

/*  Wire copy's abbreviations of the words of company names, expanded in
    keys and (for names that are not people) in display forms: "Shearson
    Lehman Bros." is "Shearson Lehman Brothers" (README.md's rules:
    abbreviations expanded).  Keys compare lower case without periods.  */
static const char *const abbreviations[][2] = {
    { "bros", "brothers" }, { "intl", "international" }, { "natl", "national" },
    { "mfg", "manufacturing" }, { "assn", "association" }, { "hldgs", "holdings" },
    { "inds", "industries" }, { NULL, NULL }
};

/*  Could w [0, n) be in spellings (or be "cybersecurity")?  Every key
    word is asked, so the lengths and first letters first.  */
static bool
spelling_candidate (const char *w, size_t n)
{
    return n >= 6 && n <= 13 && (w[0] == 'c' || w[0] == 'o' || w[0] == 'd');
}

/*  Can an abbreviation start with c (lower case)?  */
static bool
abbreviation_letter (char c)
{
    return c == 'b' || c == 'i' || c == 'n' || c == 'm' || c == 'a' || c == 'h';
}

/*  The expansion of abbreviation w [0, n) (lower case), or NULL.  */
static const char *
abbreviation (const char *w, size_t n)
{
    /* Every key word is asked: the lengths and first letters of the
       list first.  */
    if (n < 3 || n > 5 || !abbreviation_letter (w[0]))
        return NULL;
    for (size_t v = 0; abbreviations[v][0]; v++)
        if (abbreviations[v][0][0] == w[0] && strlen (abbreviations[v][0]) == n
            && memcmp (abbreviations[v][0], w, n) == 0)
            return abbreviations[v][1];
    return NULL;
}

/* ------------------------------------------------------------ strings */

typedef struct {
    char *p;
    size_t len, cap;
} sbuf_t;

static void
sb_reserve (sbuf_t *b, size_t more)
{
    if (b->len + more + 1 > b->cap) {
        size_t cap = b->cap? b->cap: 64;
        while (b->len + more + 1 > cap)
            cap *= 2;
        b->p = clip_realloc (b->p, cap);
        b->cap = cap;
    }
}

static void
sb_put (sbuf_t *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap)
        sb_reserve (b, n);
    memcpy (b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void
sb_putc (sbuf_t *b, char c)
{
    /*  Names are built a byte at a time (key_words): no call while there
        is room.  */
    if (b->len + 2 <= b->cap) {
        b->p[b->len++] = c;
        b->p[b->len] = '\0';
    }
    else
        sb_put (b, &c, 1);
}

/*  Decode one code point (clip_utf8_next); invalid bytes decode as
    themselves (one byte, *cp = -1).  */
static size_t
decode (const char *s, size_t avail, int32_t *cp)
{
    size_t pos = 0;
    *cp = clip_utf8_next (s, avail, &pos);
    return pos;
}

static bool
is_apostrophe (int32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == 0x02BC || cp == '`';
}

/*  White space, ignorable characters and word characters are clip_utf8.h's,
    as in the tokenizer that found the mention.  */
static bool
is_space_cp (int32_t cp)
{
    return clip_utf8_is_space (cp);
}

static bool
is_word_cp (int32_t cp)
{
    if (cp < 0)
        return true;                /* an invalid byte: keep it, as itself */
    return clip_utf8_is_word (cp);
}

/* ------------------------------------------------------------------ keys */

#define MAX_WORDS 32

/*  A name cut into key words: text holds them joined by single spaces.
    Only the first n entries of off and len are ever read.  */
typedef struct {
    sbuf_t text;
    size_t n;
    bool shared;            /* text belongs to another words_t (words_share) */
    size_t off[MAX_WORDS], len[MAX_WORDS];
} words_t;

/*  An empty name.  The arrays are left as they are: half a kilobyte that
    every key (two a mention) would otherwise zero for nothing.  */
static void
words_init (words_t *w)
{
    w->text = (sbuf_t) { 0 };
    w->n = 0;
    w->shared = false;
}

static void
words_release (words_t *w)
{
    if (!w->shared)
        free (w->text.p);
    words_init (w);
}

static void
words_push (words_t *w, const char *s, size_t n)
{
    if (n == 0 || w->n == MAX_WORDS)
        return;
    /*  The separator and the word in one reservation.  */
    sbuf_t *t = &w->text;
    if (t->len + n + 2 > t->cap)
        sb_reserve (t, n + 1);
    if (w->n > 0)
        t->p[t->len++] = ' ';
    w->off[w->n] = t->len;
    w->len[w->n] = n;
    memcpy (t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
    w->n++;
}

/*  dst, uninitialised, becomes src's words, read only, sharing its text:
    src must outlive dst and not change while dst is used.  */
static void
words_share (words_t *dst, const words_t *src)
{
    dst->text = src->text;
    dst->shared = true;
    dst->n = src->n;
    memcpy (dst->off, src->off, src->n * sizeof *src->off);
    memcpy (dst->len, src->len, src->n * sizeof *src->len);
}

static bool
word_is (const words_t *w, size_t k, const char *s)
{
    return strlen (s) == w->len[k] && memcmp (w->text.p + w->off[k], s, w->len[k]) == 0;
}

/*  Rebuild w keeping words [from, to).  */
static void
words_slice (words_t *w, size_t from, size_t to)
{
    words_t out;
    words_init (&out);
    for (size_t k = from; k < to; k++)
        words_push (&out, w->text.p + w->off[k], w->len[k]);
    words_release (w);
    *w = out;
}

/*  Push one word of a key, with its spelling variant.  Applied as each
    word ends (words_push stops at MAX_WORDS, and every word gives one or
    two, so this is the same as spelling a list of the words afterwards).  */
static void
key_word_push (words_t *out, const char *w, size_t wl)
{
    if (spelling_candidate (w, wl)) {
        for (size_t v = 0; spellings[v][0]; v++)
            if (spellings[v][0][0] == w[0] && strlen (spellings[v][0]) == wl
                && memcmp (spellings[v][0], w, wl) == 0) {
                words_push (out, spellings[v][1], strlen (spellings[v][1]));
                return;
            }
        if (wl == 13 && memcmp (w, "cybersecurity", 13) == 0) {
            words_push (out, "cyber", 5);
            words_push (out, "security", 8);
            return;
        }
    }
    const char *ab = wl >= 3 && wl <= 5 && abbreviation_letter (w[0])? abbreviation (w, wl): NULL;
    if (ab) {
        words_push (out, ab, strlen (ab));
        return;
    }
    words_push (out, w, wl);
}

/*  Is the word (lower case) one that joins a name to the legal suffix
    after it, going with the suffix ("Pesch and Co", "Dillon, Read & Co",
    "Lazard Freres et Cie")?  Asked of key words and of display words.  */
static bool
joins_before_suffix (const char *w, size_t n)
{
    return (n == 3 && memcmp (w, "and", 3) == 0) || (n == 1 && w[0] == '&')
           || (n == 2 && memcmp (w, "et", 2) == 0);
}

/*  Every word of a name in key form, titles, "the" and legal suffixes
    included.  */
static void
key_words_all (const char *s, size_t n, words_t *out)
{
    words_init (out);
    utf8proc_uint8_t *mapped = NULL;
    bool ascii = true;
    size_t k = 0;
    /*  Eight bytes at a time, then the rest.  */
    for (; k + 8 <= n; k += 8) {
        uint64_t v;
        memcpy (&v, s + k, 8);
        if (v & 0x8080808080808080u)
            break;
    }
    for (; k < n; k++)
        if ((unsigned char) s[k] >= 0x80) {
            ascii = false;
            break;
        }
    if (!ascii) {
        utf8proc_ssize_t r = utf8proc_map ((const utf8proc_uint8_t *) s, (utf8proc_ssize_t) n,
                                           &mapped, UTF8PROC_STABLE | UTF8PROC_COMPOSE
                                           | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD
                                           | UTF8PROC_STRIPMARK);
        if (r >= 0) {
            s = (const char *) mapped;
            n = (size_t) r;
        } else
            mapped = NULL;          /* invalid UTF-8: keep the bytes */
    }
    /*  The word being read, never longer than the name: on the stack for
        all but the longest names.  */
    char cur_stack[128];
    char *cur = n < sizeof cur_stack? cur_stack: clip_malloc (n + 1);
    size_t cl = 0;
    for (size_t p = 0; p <= n;) {
        if (p < n) {
            /*  Most bytes are ASCII letters and digits, word bytes as the
                general case below finds them.  */
            char c = s[p];
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                cur[cl++] = c;
                p++;
                continue;
            }
            if (c >= 'A' && c <= 'Z') {
                cur[cl++] = (char) (c + 32);
                p++;
                continue;
            }
        }
        int32_t cp = ' ';
        size_t l = 1;
        if (p < n)
            l = decode (s + p, n - p, &cp);
        if (p < n && is_apostrophe (cp)) {
            /* Possessive "'s": drop it; any other apostrophe joins.  */
            int32_t nx = 0, nx2 = ' ';
            size_t l2 = 0;
            if (p + l < n)
                l2 = decode (s + p + l, n - p - l, &nx);
            if (p + l + l2 < n)
                decode (s + p + l + l2, n - p - l - l2, &nx2);
            if ((nx == 's' || nx == 'S') && !is_word_cp (nx2))
                l += l2;
            p += l;
            continue;
        }
        if (p < n && (cp == '.' || clip_utf8_is_ignorable (cp))) {
            p += l;
            continue;
        }
        if (p < n && is_word_cp (cp)) {
            if (cp >= 'A' && cp <= 'Z')
                cur[cl++] = (char) (cp + 32);
            else
            if (l == 1)
                cur[cl++] = s[p];
            else {
                memcpy (cur + cl, s + p, l);
                cl += l;
            }
            p += l;
            continue;
        }
        /* A break.  */
        if (cl > 0) {
            key_word_push (out, cur, cl);
            cl = 0;
        }
        if (p < n && cp == '&')
            key_word_push (out, "and", 3);
        p += l;
    }
    if (cur != cur_stack)
        free (cur);
    free (mapped);
}

/*  The key words of a name; see the header comment.  */
static void
key_words (const char *s, size_t n, bool person, words_t *out)
{
    key_words_all (s, n, out);
    size_t from = 0, to = out->n;
    if (person)
        while (to - from > 1 && in_list (titles, out->text.p + out->off[from], out->len[from]))
            from++;
    else {
        if (to - from > 1 && word_is (out, from, "the"))
            from++;
        while (to - from > 1 && in_list (legal_suffixes, out->text.p + out->off[to - 1], out->len[to - 1])) {
            to--;
            /*  "Pesch and Co", "Dillon, Read & Co Inc": the joining word
                the suffix leaves behind goes with it ("&" is "and" here).  */
            if (to - from > 1 && joins_before_suffix (out->text.p + out->off[to - 1], out->len[to - 1]))
                to--;
        }
    }
    if (from > 0 || to < out->n)
        words_slice (out, from, to);
}

/* ------------------------------------------------------------- display */

typedef struct { size_t s, e; } range_t;

/*  The lower-cased, period-free form of a display word, for list checks.  */
static size_t
fold_word (const char *w, size_t n, char *buf, size_t size)
{
    size_t o = 0;
    for (size_t k = 0; k < n && o + 1 < size; k++) {
        char c = w[k];
        if (c == '.' || c == ',')
            continue;
        buf[o++] = (c >= 'A' && c <= 'Z')? (char) (c + 32): c;
    }
    buf[o] = '\0';
    return o;
}

/*  The canonical name of a mention the table does not know.  Caller owns
    the result.  */
static char *
display_form (const char *s, size_t n, int ty)
{
    /*  Fold spaces, map typographic apostrophes, trim quotes and brackets.
        The folded name is never longer than the mention (a run of spaces
        gives one, an apostrophe one byte, anything else itself): on the
        stack for all but the longest mentions.  */
    char b_stack[256];
    sbuf_t b = { n < sizeof b_stack? b_stack: clip_malloc (n + 1), 0, 0 };
    bool space = false;
    for (size_t p = 0; p < n;) {
        /*  Printable ASCII but the apostrophes, as the general case below
            treats it: kept.  */
        unsigned char c = (unsigned char) s[p];
        if (c > ' ' && c < 0x7f && c != '\'' && c != '`') {
            if (space)
                b.p[b.len++] = ' ';
            space = false;
            b.p[b.len++] = (char) c;
            p++;
            continue;
        }
        int32_t cp;
        size_t l = decode (s + p, n - p, &cp);
        if (is_space_cp (cp)) {
            space = b.len > 0;
            p += l;
            continue;
        }
        if (clip_utf8_is_ignorable (cp)) {
            p += l;
            continue;
        }
        if (space)
            b.p[b.len++] = ' ';
        space = false;
        if (is_apostrophe (cp))
            b.p[b.len++] = '\'';
        else if (l == 1)
            b.p[b.len++] = s[p];
        else {
            memcpy (b.p + b.len, s + p, l);
            b.len += l;
        }
        p += l;
    }
    if (b.len == 0) {
        if (b.p != b_stack)
            free (b.p);
        return clip_strdup ("");
    }
    size_t st = 0, en = b.len;
    /*  The quotes and brackets of strchr ("\"'()[]{},;:"), whose search
        also matches a NUL byte.  */
    while (st < en && (b.p[st] == '"' || b.p[st] == '\'' || b.p[st] == '(' || b.p[st] == ')'
                       || b.p[st] == '[' || b.p[st] == ']' || b.p[st] == '{' || b.p[st] == '}'
                       || b.p[st] == ',' || b.p[st] == ';' || b.p[st] == ':' || b.p[st] == '\0'))
        st++;
    /* Also typographic quotes (3 bytes each).  */
    for (;;) {
        if (en - st >= 3 && (memcmp (b.p + en - 3, "\xe2\x80\x9d", 3) == 0
                             || memcmp (b.p + en - 3, "\xe2\x80\x9c", 3) == 0)) {
            en -= 3;
            continue;
        }
        if (en - st >= 3 && (memcmp (b.p + st, "\xe2\x80\x9c", 3) == 0
                             || memcmp (b.p + st, "\xe2\x80\x9d", 3) == 0)) {
            st += 3;
            continue;
        }
        if (en > st && (b.p[en - 1] == '"' || b.p[en - 1] == ')' || b.p[en - 1] == ','
                        || b.p[en - 1] == ';' || b.p[en - 1] == ':' || b.p[en - 1] == ']')) {
            en--;
            continue;
        }
        break;
    }
    /* A possessive at the end.  */
    if (en - st > 2 && b.p[en - 2] == '\'' && (b.p[en - 1] == 's' || b.p[en - 1] == 'S'))
        en -= 2;
    else if (en - st > 2 && b.p[en - 1] == '\'' && b.p[en - 2] == 's')
        en -= 1;
    while (en > st && b.p[en - 1] == ' ')
        en--;

    range_t w[MAX_WORDS];
    size_t nw = 0;
    for (size_t p = st; p < en && nw < MAX_WORDS;) {
        while (p < en && b.p[p] == ' ')
            p++;
        size_t q = p;
        while (q < en && b.p[q] != ' ')
            q++;
        if (q > p)
            w[nw++] = (range_t) { p, q };
        p = q;
    }
    size_t from = 0, to = nw;
    char f[32];
    if (ty == TY_PER) {
        while (to - from > 1) {
            size_t fl = fold_word (b.p + w[from].s, w[from].e - w[from].s, f, sizeof f);
            if (!in_list (titles, f, fl))
                break;
            from++;
        }
    } else {
        if (to - from > 1) {
            size_t fl = fold_word (b.p + w[from].s, w[from].e - w[from].s, f, sizeof f);
            if (fl == 3 && memcmp (f, "the", 3) == 0)
                from++;
        }
        while (to - from > 1) {
            size_t fl = fold_word (b.p + w[to - 1].s, w[to - 1].e - w[to - 1].s, f, sizeof f);
            if (!in_list (legal_suffixes, f, fl))
                break;
            to--;
            /*  As in the key: "Pesch and Co" is Pesch, as the labels have it.  */
            if (to - from > 1) {
                fl = fold_word (b.p + w[to - 1].s, w[to - 1].e - w[to - 1].s, f, sizeof f);
                if (joins_before_suffix (f, fl))
                    to--;
            }
        }
        /* "Huawei Technologies Co., Ltd." -> drop the comma left behind.  */
        while (to > from && w[to - 1].e > w[to - 1].s && b.p[w[to - 1].e - 1] == ',')
            w[to - 1].e--;
    }
    /*  The words, the spaces between them, and room for an expanded
        abbreviation or two before the buffer grows.  */
    sbuf_t out = { 0 };
    if (to > from)
        sb_reserve (&out, w[to - 1].e - w[from].s + 16);
    for (size_t k = from; k < to; k++) {
        if (out.len > 0)
            sb_putc (&out, ' ');
        const char *ws = b.p + w[k].s;
        size_t wl = w[k].e - w[k].s;
        /*  The spelling as written ("International Coffee Organization"):
            the labels' canonical is the fullest name the article writes;
            the British spellings are the key's only, so that the two
            spellings of one name still meet.  */
        bool replaced = false;
        char ab[32];
        const char *x;
        /*  The capital first (the folding and the look-up are only
            worth it for a capital that may start an abbreviation).  */
        if (ty != TY_PER && wl >= 3 && wl <= 6 && ws[0] >= 'A' && ws[0] <= 'Z'
            && abbreviation_letter ((char) (ws[0] + 32))
            && (x = abbreviation (f, fold_word (ws, wl, f, sizeof f))) != NULL
            && strlen (x) < sizeof ab) {
            /* "Bros." -> "Brothers", "BROS" -> "BROTHERS".  */
            bool upper = wl > 1 && ws[1] >= 'A' && ws[1] <= 'Z';
            size_t xl = strlen (x);
            for (size_t c = 0; c < xl; c++)
                ab[c] = (c == 0 || upper)? (char) (x[c] - 32): x[c];
            sb_put (&out, ab, xl);
            replaced = true;
        }
        if (!replaced)
            sb_put (&out, ws, wl);
    }
    if (b.p != b_stack)
        free (b.p);
    if (!out.p)
        return clip_strdup ("");
    return out.p;
}

/* ------------------------------------------------------------- maps */

/*  A map from a word or key (not owned) to a number: the alias table's
    keys to their slots, and per document keys and words to mentions, so
    that linking stays linear in the number of mentions.  Open
    addressing over an index of item numbers, the items in one array:
    a document fills a dozen of these, most with a few names or none, so
    the first few items live in the map itself and allocate nothing.  */
typedef struct {
    const char *key;        /* not owned: the slots' or the document's keys */
    size_t kl;
    uint32_t hash;
    size_t val;
} strmap_item_t;

#define STRMAP_SMALL 16

typedef struct {
    strmap_item_t *items;   /* in the order added: small or the heap */
    size_t n, cap;
    uint32_t *index;        /* 1 + an item's number, 0 for none; mask + 1
                               entries, a power of two, at most half used:
                               small_index or the heap */
    size_t mask;
    size_t hint;            /* the items expected, for the first allocation */
    strmap_item_t small[STRMAP_SMALL];
    uint32_t small_index[2 * STRMAP_SMALL];
} strmap_t;

/*  An empty map.  Its small arrays are left as they are (the index is
    cleared when first used): a document has a dozen maps.  */
static void
strmap_init (strmap_t *m)
{
    m->items = NULL;
    m->index = NULL;
    m->n = m->cap = m->mask = m->hint = 0;
}

/*  A map expected to hold about cap items.  */
static void
strmap_reserve (strmap_t *m, size_t cap)
{
    m->hint = cap;
}

static inline uint32_t
strmap_hash (const char *k, size_t kl)
{
    return (uint32_t) XXH3_64bits (k, kl);
}

/*  Index the items again in an index of size entries (a power of two).  */
static void
strmap_rehash (strmap_t *m, size_t size)
{
    if (m->index != m->small_index)
        free (m->index);
    if (size == 2 * STRMAP_SMALL) {
        m->index = m->small_index;
        memset (m->index, 0, size * sizeof *m->index);
    }
    else
        m->index = clip_calloc (size, sizeof *m->index);
    m->mask = size - 1;
    for (size_t i = 0; i < m->n; i++) {
        size_t x = m->items[i].hash & m->mask;
        while (m->index[x])
            x = (x + 1) & m->mask;
        m->index[x] = (uint32_t) (i + 1);
    }
}

/*  1 + the number of key k [0, kl)'s item (hash h), 0 when absent.  */
static inline size_t
strmap_probe (const strmap_t *m, const char *k, size_t kl, uint32_t h)
{
    if (m->index)
        for (size_t x = h & m->mask; m->index[x]; x = (x + 1) & m->mask) {
            const strmap_item_t *it = &m->items[m->index[x] - 1];
            if (it->hash == h && it->kl == kl && memcmp (it->key, k, kl) == 0)
                return m->index[x];
        }
    return 0;
}

/*  The value of key k [0, kl) in a map only read, NULL when absent.  */
static const size_t *
strmap_get (const strmap_t *m, const char *k, size_t kl)
{
    if (m->n == 0)
        return NULL;
    size_t i = strmap_probe (m, k, kl, strmap_hash (k, kl));
    return i? &m->items[i - 1].val: NULL;
}

/*  The value of key k [0, kl), NULL when absent; with insert, a new value
    0 is added when absent.  The pointer holds until the next insert.  */
static size_t *
strmap_slot (strmap_t *m, const char *k, size_t kl, bool insert)
{
    if (m->n == 0 && !insert)
        return NULL;
    uint32_t h = strmap_hash (k, kl);
    size_t i = strmap_probe (m, k, kl, h);
    if (i)
        return &m->items[i - 1].val;
    if (!insert)
        return NULL;
    if (m->n == m->cap) {
        if (m->cap == 0 && m->hint <= STRMAP_SMALL) {
            m->items = m->small;
            m->cap = STRMAP_SMALL;
        }
        else {
            size_t cap = m->cap? m->cap * 2: m->hint;
            strmap_item_t *items = clip_malloc (cap * sizeof *items);
            if (m->n)
                memcpy (items, m->items, m->n * sizeof *items);
            if (m->items != m->small)
                free (m->items);
            m->items = items;
            m->cap = cap;
        }
    }
    if (!m->index || 2 * (m->n + 1) > m->mask + 1) {
        /* Room for every item the array holds (at least n + 1).  */
        size_t size = 2 * STRMAP_SMALL;
        while (size < 2 * m->cap)
            size *= 2;
        strmap_rehash (m, size);
    }
    strmap_item_t *it = &m->items[m->n];
    *it = (strmap_item_t) { k, kl, h, 0 };
    m->n++;
    size_t x = h & m->mask;
    while (m->index[x])
        x = (x + 1) & m->mask;
    m->index[x] = (uint32_t) m->n;
    return &it->val;
}

static void
strmap_release (strmap_t *m)
{
    if (m->items != m->small)
        free (m->items);
    if (m->index != m->small_index)
        free (m->index);
    strmap_init (m);
}

/* ---------------------------------------------------------- alias table */

typedef struct {
    char *canonical;
    int type;
    words_t ckey;           /* the key words of canonical, as a mention
                               linked to the entry has them */
} entry_t;

/*  One name of the table: the folded key of an alias or canonical name.  */
typedef struct {
    char *key;              /* owned */
    uint32_t entry;
    bool metonym;           /* "~Beijing": stands for the entry as an actor only */
} slot_t;

struct clip_linker {
    entry_t *entries;
    size_t nentries, entries_cap;
    slot_t *slots;
    size_t nslots, slots_cap;
    strmap_t by_key;        /* a slot's key -> 1 + its number */
};

/*  Add key -> entry.  Returns false when the key already names another
    entry.  */
static bool
table_add (clip_linker_t *self, const char *key, uint32_t entry, bool metonym, uint32_t *other)
{
    size_t kl = strlen (key);
    const size_t *v = strmap_get (&self->by_key, key, kl);
    if (v) {
        *other = self->slots[*v - 1].entry;
        return *other == entry;
    }
    if (self->nslots == self->slots_cap) {
        self->slots_cap = self->slots_cap? self->slots_cap * 2: 512;
        self->slots = clip_realloc (self->slots, self->slots_cap * sizeof *self->slots);
    }
    slot_t *s = &self->slots[self->nslots++];
    s->key = clip_strdup (key);
    s->entry = entry;
    s->metonym = metonym;
    /*  The map holds the slot's own copy of the key, which stays where it
        is when the slots grow.  */
    *strmap_slot (&self->by_key, s->key, kl, true) = self->nslots;
    return true;
}

static const slot_t *
table_get_n (const clip_linker_t *self, const char *key, size_t kl)
{
    if (kl == 0)
        return NULL;
    const size_t *v = strmap_get (&self->by_key, key, kl);
    return v? &self->slots[*v - 1]: NULL;
}

static const slot_t *
table_get (const clip_linker_t *self, const char *key)
{
    return table_get_n (self, key, strlen (key));
}

static void seterr (char *err, size_t err_size, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static void
seterr (char *err, size_t err_size, const char *fmt, ...)
{
    if (!err || err_size == 0)
        return;
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (err, err_size, fmt, ap);
    va_end (ap);
}

/*  Parse one line "canonical<TAB>type<TAB>alias|alias|...".  */
static int
load_line (clip_linker_t *self, char *line, size_t lineno, char *err, size_t err_size)
{
    char *t1 = strchr (line, '\t');
    if (!t1) {
        seterr (err, err_size, "line %zu: expected canonical<TAB>type<TAB>aliases", lineno);
        return -1;
    }
    *t1 = '\0';
    char *type = t1 + 1;
    char *aliases = strchr (type, '\t');
    if (aliases)
        *aliases++ = '\0';
    int ty = type_index (type);
    if (ty == TY_OTHER) {
        seterr (err, err_size, "line %zu: unknown type '%s' (PER ORG LOC MISC)", lineno, type);
        return -1;
    }
    if (!line[0]) {
        seterr (err, err_size, "line %zu: empty canonical name", lineno);
        return -1;
    }
    if (self->nentries == self->entries_cap) {
        self->entries_cap = self->entries_cap? self->entries_cap * 2: 256;
        self->entries = clip_realloc (self->entries, self->entries_cap * sizeof *self->entries);
    }
    uint32_t idx = (uint32_t) self->nentries++;
    self->entries[idx].canonical = clip_strdup (line);
    self->entries[idx].type = ty;
    key_words (line, strlen (line), ty == TY_PER, &self->entries[idx].ckey);

    char *name = line;
    char *next = aliases;
    for (bool first = true; name; first = false) {
        bool metonym = false;
        if (!first && name[0] == '~') {
            metonym = true;
            name++;
        }
        /* Trim spaces around the alias.  */
        while (*name == ' ')
            name++;
        size_t nl = strlen (name);
        while (nl > 0 && name[nl - 1] == ' ')
            name[--nl] = '\0';
        if (nl > 0) {
            words_t w;
            key_words (name, nl, ty == TY_PER, &w);
            uint32_t other = 0;
            if (w.n > 0 && !table_add (self, w.text.p, idx, metonym, &other)) {
                seterr (err, err_size, "line %zu: alias '%s' of '%s' already names '%s'",
                        lineno, name, self->entries[idx].canonical,
                        self->entries[other].canonical);
                words_release (&w);
                return -1;
            }
            words_release (&w);
        }
        if (!next)
            break;
        name = next;
        char *bar = strchr (next, '|');
        if (bar) {
            *bar = '\0';
            next = bar + 1;
        } else
            next = NULL;
    }
    return 0;
}

static bool lists_valid (void);

clip_linker_t *
clip_linker_load (const char *aliases_tsv, char *err, size_t err_size)
{
    assert (aliases_tsv);
    /*  in_list looks words up by halves, and the quick tests skip what
        they do not admit: a list that breaks either would lose words
        without a sign.  */
    if (!lists_valid ()) {
        seterr (err, err_size, "clip_link: a word list is out of byte order, or a spelling "
                "or abbreviation escapes its quick test");
        return NULL;
    }
    char *data;
    size_t len;
    int rc = clip_file_read (aliases_tsv, 64u << 20, &data, &len);
    if (rc < 0) {
        seterr (err, err_size, "%s: %s", aliases_tsv, strerror (-rc));
        return NULL;
    }
    clip_linker_t *self = clip_calloc (1, sizeof *self);
    size_t lineno = 0;
    bool header = true;
    for (char *line = data; line && line < data + len;) {
        char *nl = memchr (line, '\n', (size_t) (data + len - line));
        if (nl)
            *nl = '\0';
        lineno++;
        size_t ll = strlen (line);
        if (ll > 0 && line[ll - 1] == '\r')
            line[--ll] = '\0';
        if (ll > 0 && line[0] != '#') {
            if (header) {
                header = false;
                if (strncmp (line, "canonical\t", 10) == 0) {
                    line = nl? nl + 1: NULL;
                    continue;
                }
            }
            if (load_line (self, line, lineno, err, err_size) < 0) {
                char msg[512];
                snprintf (msg, sizeof msg, "%s: %s", aliases_tsv, err? err: "");
                seterr (err, err_size, "%s", msg);
                free (data);
                clip_linker_destroy (&self);
                return NULL;
            }
        }
        line = nl? nl + 1: NULL;
    }
    free (data);
    return self;
}

void
clip_linker_destroy (clip_linker_t **self_p)
{
    assert (self_p);
    clip_linker_t *self = *self_p;
    if (!self)
        return;
    for (size_t k = 0; k < self->nslots; k++)
        free (self->slots[k].key);
    free (self->slots);
    strmap_release (&self->by_key);
    for (size_t k = 0; k < self->nentries; k++) {
        free (self->entries[k].canonical);
        words_release (&self->entries[k].ckey);
    }
    free (self->entries);
    free (self);
    *self_p = NULL;
}

/* ---------------------------------------------------------- documents */

typedef struct {
    int ty;                 /* TY_*, after re-typing */
    words_t key;            /* key words of the mention */
    words_t ckey;           /* key words of its canonical name */
    char *canonical;        /* owned until handed to the mention */
    bool known;             /* resolved by the table or an acronym */
    bool capitalised;       /* the mention starts with a capital letter */
    bool dateline;          /* a wire dateline's place ("TOKYO, March 3 -") */
    bool before_hyphen;     /* a hyphen right after it ("Paris-based") */
    bool actor;             /* a capital taken for its state ("Beijing said") */
    bool after_place;       /* listed right after a place read as a place
                               ("Greenwich, London", "New York and London") */
    bool caps;              /* in pass 1b: the canonical name is ALL-CAPS */
    size_t body;            /* for an ALL-CAPS mention, 1 + the mixed-case
                               mention whose name it took, else 0 */
    char initials[16];      /* of a name of two words or more, not a person:
                               the capitals its acronym would have */
} info_t;

typedef struct {
    char acr[16];
    size_t mention;         /* the full name's index */
} acronym_t;

/*  Letters [s, e) of text, lower-cased into buf ("" if none or too long).  */
static void
word_lower (const char *text, size_t s, size_t e, char *buf, size_t size)
{
    size_t n = e - s;
    if (n == 0 || n + 1 > size) {
        buf[0] = '\0';
        return;
    }
    for (size_t k = 0; k < n; k++) {
        char c = text[s + k];
        buf[k] = (c >= 'A' && c <= 'Z')? (char) (c + 32): c;
    }
    buf[n] = '\0';
}

static inline bool
ascii_letter (char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*  The word before byte offset pos, lower-cased into buf ("" if none).  */
static void
previous_word (const char *text, size_t pos, char *buf, size_t size)
{
    size_t e = pos;
    while (e > 0 && (text[e - 1] == ' ' || text[e - 1] == '\t'))
        e--;
    /*  Wire copy is wrapped at about 70 columns ("last week in\nWashington
        talking"): one line break is a space (issue 14, class 3); a blank
        line ends the paragraph, and with it the word's reach.  */
    if (e > 0 && text[e - 1] == '\n') {
        size_t b = e - 1;
        if (b > 0 && text[b - 1] == '\r')
            b--;
        while (b > 0 && (text[b - 1] == ' ' || text[b - 1] == '\t'))
            b--;
        if (b > 0 && text[b - 1] != '\n')
            e = b;
    }
    /* "Beijing-based" and "U.S.-based" are handled by the tagger's span;
       here only a plain previous word counts.  */
    size_t s = e;
    while (s > 0 && ascii_letter (text[s - 1]))
        s--;
    word_lower (text, s, e, buf, size);
}

/*  The word after byte offset pos, lower-cased into buf ("" if none:
    not a letter next, after white space).  */
static void
next_word (const char *text, size_t len, size_t pos, char *buf, size_t size)
{
    size_t s = pos;
    while (s < len && (text[s] == ' ' || text[s] == '\t' || text[s] == '\n'))
        s++;
    size_t e = s;
    while (e < len && ascii_letter (text[e]))
        e++;
    word_lower (text, s, e, buf, size);
}

/*  Letters, at least two, and none of them lower case: "BROWN-FORMAN",
    "KANSAS CITY", as ALL-CAPS headlines and datelines write names.  */
static bool
all_caps_n (const char *s, size_t n)
{
    size_t pos = 0, upper = 0;
    while (pos < n) {
        int32_t cp = clip_utf8_next (s, n, &pos);
        if (cp < 0)
            continue;
        if (cp < 0x80) {
            /*  ASCII's categories: Ll a-z, Lu A-Z, no Lt.  */
            if (cp >= 'a' && cp <= 'z')
                return false;
            upper += cp >= 'A' && cp <= 'Z';
            continue;
        }
        utf8proc_category_t c = utf8proc_category (cp);
        if (c == UTF8PROC_CATEGORY_LL || c == UTF8PROC_CATEGORY_LT)
            return false;
        if (c == UTF8PROC_CATEGORY_LU)
            upper++;
    }
    return upper >= 2;
}

static bool
all_caps (const char *s)
{
    return all_caps_n (s, strlen (s));
}

/*  A place's name in capitals that is a name, not an acronym: two words
    or more ("COSTA RICA", "SIOUX CITY"), or one of five letters or more
    ("JOLIET"); "UAE", "USSR" and the like stay as written.  */
static bool
caps_place_is_a_name (const char *s)
{
    size_t words = 0, longest = 0;
    for (const char *p = s; *p; ) {
        while (*p && !(*p >= 'A' && *p <= 'Z'))
            p++;
        const char *b = p;
        while (*p >= 'A' && *p <= 'Z')
            p++;
        if (p > b) {
            words++;
            if ((size_t) (p - b) > longest)
                longest = (size_t) (p - b);
        }
    }
    return (words >= 2 && longest >= 3) || longest >= 5;
}

/*  Is m the first thing on its line, spaces or tabs before it allowed?  */
static bool
opens_line (const char *text, const clip_mention_t *m)
{
    size_t p = m->start;
    while (p > 0 && (text[p - 1] == ' ' || text[p - 1] == '\t'))
        p--;
    return p == 0 || text[p - 1] == '\n';
}

/*  A wire dateline: the mention opens a line, is in capitals and a comma
    follows, a stray space before it permitted ("TOKYO, March 3 -",
    "COMMACK, N.Y., March 2 -", "OSLO , March 4 -").  The place is where
    the story was filed, the city itself, never its country.  */
static bool
at_dateline (const char *text, size_t len, const clip_mention_t *m)
{
    if (!opens_line (text, m))
        return false;
    size_t c = m->end;
    while (c < len && c < m->end + 2 && text[c] == ' ')
        c++;
    if (c >= len || text[c] != ',')
        return false;
    /*  Up to a NUL byte, as all_caps reads a string.  */
    if (all_caps_n (text + m->start, strnlen (text + m->start, m->end - m->start)))
        return true;
    /*  A dateline in normal case ("London, March 3 - "): a month follows.  */
    char month[16];
    next_word (text, len, c + 1, month, sizeof month);
    return in_list (month_names, month, strlen (month));
}

/*  Words that stay in lower case inside a name put back into normal case
    ("RIO DE JANEIRO" -> "Rio de Janeiro", "ISLE OF MAN").  */
static const char *const name_particles[] = {
    "am", "and", "da", "de", "del", "der", "di", "do", "dos", "du", "la",
    "le", "of", "on", "the", "upon", "van", "von", NULL
};

/*  An ALL-CAPS name in normal case: each word's first letter kept, the
    rest lowered ("KANSAS CITY" -> "Kansas City", "BROWN-FORMAN" ->
    "Brown-Forman"); particles after the first word lowered whole.  ASCII
    letters only change: other letters are rare in wire datelines and
    utf8proc's case maps would change the byte length.  Caller frees.  */
static char *
normal_case (const char *s)
{
    char *out = clip_strdup (s);
    size_t n = strlen (out), i = 0;
    bool first_word = true;
    while (i < n) {
        if (!((out[i] >= 'A' && out[i] <= 'Z') || (out[i] >= 'a' && out[i] <= 'z'))) {
            if (out[i] == ' ')
                first_word = false;
            i++;
            continue;
        }
        size_t e = i;
        while (e < n && ((out[e] >= 'A' && out[e] <= 'Z') || (out[e] >= 'a' && out[e] <= 'z')))
            e++;
        char low[8];
        bool particle = false;
        if (!first_word && e - i < sizeof low) {
            for (size_t k = i; k < e; k++)
                low[k - i] = (char) (out[k] | 0x20);
            particle = in_list (name_particles, low, e - i);
        }
        for (size_t k = particle? i: i + 1; k < e; k++)
            if (out[k] >= 'A' && out[k] <= 'Z')
                out[k] = (char) (out[k] + 32);
        i = e;
    }
    return out;
}

/*  "(NCSC)" right after the mention: the acronym it defines, if its letters
    fit the name's words.  Also after a wrapped line's break ("The
    Commodity Credit Corporation\n(CCC) said"), not after a blank line.  */
static bool
acronym_after (const char *text, size_t len, size_t end, char *acr, size_t size)
{
    size_t p = end;
    bool wrapped = false;
    while (p < len && (text[p] == ' ' || text[p] == '\t' || text[p] == '\r'
                       || (text[p] == '\n' && !wrapped)))
        wrapped |= text[p++] == '\n';
    if (p >= len || text[p] != '(')
        return false;
    p++;
    size_t s = p;
    while (p < len && p - s < size - 1
           && ((text[p] >= 'A' && text[p] <= 'Z') || (text[p] >= 'a' && text[p] <= 'z')
               || (text[p] >= '0' && text[p] <= '9') || text[p] == '&' || text[p] == '.'))
        p++;
    if (p >= len || text[p] != ')' || p - s < 2)
        return false;
    if (!(text[s] >= 'A' && text[s] <= 'Z'))
        return false;
    size_t o = 0, uppers = 0;
    for (size_t k = s; k < p; k++) {
        if (text[k] == '.')
            continue;
        if (text[k] >= 'A' && text[k] <= 'Z')
            uppers++;
        acr[o++] = text[k];
    }
    acr[o] = '\0';
    return uppers >= 2;
}

/*  A word an acronym may leave out.  */
static bool
acronym_skips (const char *w, size_t n)
{
    return in_list (stopwords, w, n) || in_list (foreign_joins, w, n);
}

/*  Do the acronym's letters spell the name?  Each letter is the initial of
    the next word, or a later letter of the current word ("Cybersecurity"
    gives C and S); stop-words may be skipped; every other word must give
    its initial.  *budget bounds the search, which could otherwise grow
    exponentially on a crafted name ("(AAAAAAAA)" after "Aaaaa Aaaaa ...").  */
static bool
acronym_fits (const char *acr, const words_t *w, size_t wi, size_t inword, int *budget)
{
    if (--*budget < 0)
        return false;
    if (*acr == '\0') {
        for (size_t k = wi; k < w->n; k++) {
            char buf[32];
            size_t bl = fold_word (w->text.p + w->off[k], w->len[k], buf, sizeof buf);
            if (!acronym_skips (buf, bl))
                return false;
        }
        return true;
    }
    char a = *acr;
    if (a >= 'A' && a <= 'Z')
        a = (char) (a + 32);
    if (a == '&')
        a = 'a';
    if (wi < w->n && w->text.p[w->off[wi]] == a && acronym_fits (acr + 1, w, wi + 1, 1, budget))
        return true;
    if (wi < w->n && acronym_skips (w->text.p + w->off[wi], w->len[wi])
        && acronym_fits (acr, w, wi + 1, 1, budget))
        return true;
    if (wi > 0) {
        size_t cur = wi - 1;
        for (size_t k = inword; k < w->len[cur]; k++)
            if (w->text.p[w->off[cur] + k] == a && acronym_fits (acr + 1, w, wi, k + 1, budget))
                return true;
    }
    return false;
}

/*  Is word (key form) one of the words of a person's name?  */
static bool
has_word (const words_t *w, const char *s, size_t n)
{
    for (size_t k = 0; k < w->n; k++)
        if (w->len[k] == n && memcmp (w->text.p + w->off[k], s, n) == 0)
            return true;
    return false;
}

/*  in, a short form of a person, as full, a longer name of a person that
    holds every word of in: takes full's canonical name and becomes a known
    PER.  Returns whether it did.  */
static bool
take_full_name (info_t *in, const info_t *full)
{
    /*  Words joined by hyphens only are no full name ("Reagan-Gorbachev"
        summit, "Reagan-appointed").  */
    if (full->ckey.n <= in->key.n || !strchr (full->canonical, ' '))
        return false;
    for (size_t k = 1; k < in->key.n; k++)
        if (!has_word (&full->ckey, in->key.text.p + in->key.off[k], in->key.len[k]))
            return false;
    free (in->canonical);
    in->canonical = clip_strdup (full->canonical);
    in->ty = TY_PER;
    in->known = true;
    return true;
}

#define AMBIGUOUS SIZE_MAX

static bool
ascii_alnum (char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/*  Does "the " ("The ") come right before byte offset at, as a word?  */
static bool
after_the (const char *text, size_t at)
{
    return at >= 4 && text[at - 1] == ' ' && (text[at - 4] == 't' || text[at - 4] == 'T')
           && text[at - 3] == 'h' && text[at - 2] == 'e'
           && (at == 4 || !ascii_alnum (text[at - 5]));
}

/*  The one organisation of orgs[0, n) whose name the acronym caps
    (three letters or more) spells with later letters of its words as
    well as their initials (acronym_fits: "NYMEX" of the New York
    Mercantile Exchange, "UKIP" of the UK Independence Party), when no
    name spells it by initials alone: its info, or NULL when none or
    several do.  */
static const info_t *
acronym_fitting (const char *caps, const info_t *in, const info_t *const *orgs, size_t n)
{
    if (strlen (caps) < 3)
        return NULL;
    const info_t *found = NULL;
    size_t cl = strlen (caps);
    for (size_t c = 0; c < n; c++) {
        if (orgs[c] == in)
            continue;
        /*  A word the name starts with spells it from that word alone
            ("Kenya", "Europe" of "European Parliament"): no acronym.  */
        const words_t *k = &orgs[c]->ckey;
        size_t p = 0;
        while (p < cl && p < k->len[0] && k->text.p[k->off[0] + p] == (char) (caps[p] | 0x20))
            p++;
        if (p == cl)
            continue;
        int budget = 4096;
        if (!acronym_fits (caps, &orgs[c]->ckey, 0, 0, &budget))
            continue;
        if (found && strcmp (found->canonical, orgs[c]->canonical) != 0)
            return NULL;
        found = orgs[c];
    }
    return found;
}

/*  Is key word a the key word f, or an abbreviation of it as a table
    writes a place ("mpls" of "minneapolis", "cinci" of "cincinnati"):
    shorter, with f's first letter, and its letters in f's order?  */
static bool
word_abbreviates (const char *a, size_t al, const char *f, size_t fl)
{
    if (al == fl)
        return memcmp (a, f, al) == 0;
    if (al == 0 || al > fl || a[0] != f[0])
        return false;
    size_t k = 0;
    for (size_t j = 0; j < fl && k < al; j++)
        if (f[j] == a[k])
            k++;
    return k == al;
}

/*  Does m label a table's row: the first thing on its line, with two
    spaces, a slash or the line's end after it (and its own period)?
    "Mpls        1.34  1.75", "Balt/Nor/".  */
static bool
table_row_label (const char *text, size_t len, const clip_mention_t *m)
{
    if (!opens_line (text, m))
        return false;
    size_t e = m->end;
    if (e < len && text[e] == '.')
        e++;
    return e >= len || text[e] == '\n' || text[e] == '/'
           || (e + 1 < len && text[e] == ' ' && text[e + 1] == ' ');
}

/*  The one place of places[0, np) that the unknown place in abbreviates
    word by word (word_abbreviates), with at least one word shorter: its
    info, or NULL when none or several do.  The same for organisations,
    strict: a shorter word is two thirds of its full word at most ("Lib"
    of "Liberal", "Utd" of "United"; "American" or "Electronic" are no
    abbreviations of a misspelt "America" or "Electronics").  */
static const info_t *
abbreviated_place (const info_t *in, const info_t *const *places, size_t np, bool strict)
{
    const info_t *found = NULL;
    for (size_t c = 0; c < np; c++) {
        const info_t *f = places[c];
        if (f == in || f->ckey.n != in->key.n || strcmp (f->canonical, in->canonical) == 0)
            continue;
        bool shorter = false, all = true;
        for (size_t k = 0; k < in->key.n && all; k++) {
            size_t al = in->key.len[k], fl = f->ckey.len[k];
            all = word_abbreviates (in->key.text.p + in->key.off[k], al,
                                    f->ckey.text.p + f->ckey.off[k], fl)
                  && (!strict || al == fl || 3 * al <= 2 * fl);
            shorter |= al < fl;
        }
        if (!all || !shorter)
            continue;
        if (found && strcmp (found->canonical, f->canonical) != 0)
            return NULL;
        found = f;
    }
    return found;
}

/*  Map key [0, kl) to mention i + 1 unless it maps to an earlier one;
    AMBIGUOUS when that earlier one has another canonical name.  */
static void
first_or_ambiguous (strmap_t *map, const char *k, size_t kl, const info_t *info, size_t i)
{
    size_t *slot = strmap_slot (map, k, kl, true);
    if (*slot == 0)
        *slot = i + 1;
    else if (*slot != AMBIGUOUS && strcmp (info[*slot - 1].canonical, info[i].canonical) != 0)
        *slot = AMBIGUOUS;
}

/*  Is one of w's words the acronym caps, in lower case ("ec" of "EC
    Commission", which spells "EC" only by holding it)?  */
static bool
words_hold (const words_t *w, const char *caps)
{
    size_t cl = strlen (caps);
    for (size_t k = 0; k < w->n; k++) {
        if (w->len[k] != cl)
            continue;
        size_t c = 0;
        while (c < cl && w->text.p[w->off[k] + c] == (char) (caps[c] | 0x20))
            c++;
        if (c == cl)
            return true;
    }
    return false;
}

/*  Does a hold the words of b from its first on ("computer terminal
    systems" holds "computer terminal")?  */
static bool
words_prefix (const words_t *a, const words_t *b)
{
    if (b->n > a->n)
        return false;
    for (size_t k = 0; k < b->n; k++)
        if (a->len[k] != b->len[k] || memcmp (a->text.p + a->off[k], b->text.p + b->off[k],
                                              b->len[k]) != 0)
            return false;
    return true;
}

/*  As first_or_ambiguous, but of two names one of which starts the
    other, the longer is kept ("Vantrell Data Systems" over "Vantrell
    Data"); only two names neither of which holds the other are
    ambiguous.  */
static void
longest_or_ambiguous (strmap_t *map, const char *k, size_t kl, const info_t *info, size_t i)
{
    size_t *slot = strmap_slot (map, k, kl, true);
    if (*slot == 0)
        *slot = i + 1;
    else if (*slot != AMBIGUOUS) {
        const info_t *e = &info[*slot - 1];
        if (words_prefix (&info[i].ckey, &e->ckey)) {
            if (info[i].ckey.n > e->ckey.n)
                *slot = i + 1;
        }
        else if (!words_prefix (&e->ckey, &info[i].ckey))
            *slot = AMBIGUOUS;
    }
}

/*  Words that make a longer name another thing than the organisation
    it starts with: "Screen Actors Guild Awards" is not the guild.  */
static const char *const event_words[] = {
    "award", "awards", "championship", "championships", "cup", "festival",
    "games", "index", "open", "prize", "prizes", "shares", "stock", "trophy",
    NULL
};

/*  Every list in_list reads, in order, and every word of spellings and
    abbreviations admitted by the quick tests in front of them?  */
static bool
lists_valid (void)
{
    for (size_t v = 0; spellings[v][0]; v++)
        if (!spelling_candidate (spellings[v][0], strlen (spellings[v][0])))
            return false;
    for (size_t v = 0; abbreviations[v][0]; v++) {
        size_t n = strlen (abbreviations[v][0]);
        if (n < 3 || n > 5 || !abbreviation_letter (abbreviations[v][0][0]))
            return false;
    }
    return list_sorted (legal_suffixes) && list_sorted (titles) && list_sorted (locatives)
        && list_sorted (state_bodies) && list_sorted (stopwords) && list_sorted (foreign_joins)
        && list_sorted (event_words)
        && list_sorted (name_particles) && list_sorted (generic_company_words)
        && list_sorted (city_determiners) && list_sorted (actor_verbs)
        && list_sorted (headline_verbs) && list_sorted (month_names);
}

/*  Does a display name start with a founder's initials ("E.F. Hutton",
    "J.P. Morgan"): two or three capitals each with its period, then a
    space and more?  */
static bool
initials_first (const char *name)
{
    size_t k = 0;
    while (name[2 * k] >= 'A' && name[2 * k] <= 'Z' && name[2 * k + 1] == '.')
        k++;
    return k >= 2 && k <= 3 && name[2 * k] == ' ';
}

/*  The first and last key words of w joined by a space into buf (size
    bytes); 0 when they do not fit.  */
static size_t
first_last_key (const words_t *w, char *buf, size_t size)
{
    if (w->n < 2)
        return 0;
    size_t a = w->len[0], b = w->len[w->n - 1];
    if (a + b + 2 > size)
        return 0;
    memcpy (buf, w->text.p, a);
    buf[a] = ' ';
    memcpy (buf + a + 1, w->text.p + w->off[w->n - 1], b);
    buf[a + 1 + b] = '\0';
    return a + 1 + b;
}

/*  Are k's words, in their order, among a's?  */
static bool
words_subsequence (const words_t *a, const words_t *k)
{
    size_t x = 0;
    for (size_t y = 0; y < a->n && x < k->n; y++)
        if (a->len[y] == k->len[x]
            && memcmp (a->text.p + a->off[y], k->text.p + k->off[x], k->len[x]) == 0)
            x++;
    return x == k->n;
}

/*  Is f's name the organisation of short key k with one or two words
    more ("Vantrell Data Systems" for "Vantrell Data", "Quillby
    Gallery" for "Quillby"), or two joined by "and" ("Quillby Tile and
    Glass", the "and" between two words of the company's own)?  Not an
    "of ..." after one word ("Bank" is not "Bank of England" by this
    rule), not an event or a number
    after it (but "Royal Bank of Canada" for "Royal Bank"), and not a
    name the tagger glued to another
    ("Ryanair/Boeing", "Sega - ESPN", "Quillby and Vantrell": an "and"
    right after the short form joins two names).  */
static bool
extends_org (const info_t *f, const words_t *k)
{
    size_t extra = f->ckey.n > k->n? f->ckey.n - k->n: 0;
    if (extra == 0 || extra > 3 || !words_prefix (&f->ckey, k))
        return false;
    if (strchr (f->canonical, '/') || strstr (f->canonical, " - "))
        return false;
    /*  "Dynamics" for "Dynamics Corp of America": a legal suffix and
        the "of" of the company's country or state.  */
    if (extra == 3 && in_list (legal_suffixes, f->ckey.text.p + f->ckey.off[k->n], f->ckey.len[k->n])
        && f->ckey.len[k->n + 1] == 2 && memcmp (f->ckey.text.p + f->ckey.off[k->n + 1], "of", 2) == 0
        && !in_list (stopwords, f->ckey.text.p + f->ckey.off[k->n + 2], f->ckey.len[k->n + 2]))
        return true;
    for (size_t x = k->n; x < f->ckey.n; x++) {
        const char *w = f->ckey.text.p + f->ckey.off[x];
        size_t wl = f->ckey.len[x];
        if (extra == 3 && x == k->n + 1 && wl == 3 && memcmp (w, "and", 3) == 0)
            continue;
        /*  "Royal Bank of Canada" for "Royal Bank"; a one-word short form
            is the noun heading the name (head_nouns), not its start.  */
        if (k->n >= 2 && x == k->n && extra >= 2 && wl == 2 && memcmp (w, "of", 2) == 0)
            continue;
        if (!(w[0] >= 'a' && w[0] <= 'z') || in_list (stopwords, w, wl)
            || in_list (event_words, w, wl))
            return false;
    }
    if (extra == 3) {
        const char *w = f->ckey.text.p + f->ckey.off[k->n + 1];
        return f->ckey.len[k->n + 1] == 3 && memcmp (w, "and", 3) == 0;
    }
    return true;
}

/*  Is f's name the organisation of short key k completed by one generic
    company word ("Quillby International" for "Quillby")?  Then a short
    form written before it is that company too; another word after it
    may name a unit of the company, which the short form is not ("Pizza
    Parlour" before "Pizza Parlour Acquiring Corp").  */
static bool
generic_completion (const info_t *f, const words_t *k)
{
    if (f->ckey.n != k->n + 1)
        return false;
    const char *w = f->ckey.text.p + f->ckey.off[k->n];
    return in_list (generic_company_words, w, f->ckey.len[k->n]);
}

/*  Does the mention end in a legal suffix ("Mobil Corp", "Commerzbank
    AG")?  Then it is a company's full name, not a short form of a
    longer one.  */
static bool
ends_legal (const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ',' || s[n - 1] == ' '))
        n--;
    size_t b = n;
    while (b > 0 && s[b - 1] != ' ' && s[b - 1] != '\n')
        b--;
    char f[16];
    if (n - b >= sizeof f)
        return false;
    size_t fl = fold_word (s + b, n - b, f, sizeof f);
    return b > 0 && in_list (legal_suffixes, f, fl);
}

/*  The capitals of a name's acronym: the initials of its words, stop-words
    skipped ("rural water and power authority" -> "RWPA").  False when a word does not start with a letter or the
    result is too long.  */
static bool
name_initials (const words_t *w, char *out, size_t size)
{
    size_t o = 0;
    for (size_t k = 0; k < w->n; k++) {
        const char *ws = w->text.p + w->off[k];
        if (acronym_skips (ws, w->len[k]))
            continue;
        if (o + 1 >= size || !(ws[0] >= 'a' && ws[0] <= 'z'))
            return false;
        out[o++] = (char) (ws[0] - 32);
    }
    out[o] = '\0';
    return o >= 2;
}

/*  A name of letters joined by "and" or "&" ("S and P", "B & C"): its
    letters, capitals, into out, as name_initials would give them.  */
static bool
letters_name (const words_t *w, char *out, size_t size)
{
    for (size_t k = 0; k < w->n; k++)
        if (w->len[k] != 1 && !in_list (stopwords, w->text.p + w->off[k], w->len[k]))
            return false;
    return name_initials (w, out, size);
}

/*  A mention written as an acronym: two to eight capitals, periods
    allowed ("NFB", "U.N."); the capitals into out.  */
static bool
acronym_form (const char *s, size_t n, char *out, size_t size)
{
    size_t o = 0;
    for (size_t k = 0; k < n; k++) {
        if (s[k] == '.')
            continue;
        if (!(s[k] >= 'A' && s[k] <= 'Z') || o + 1 >= size || o >= 8)
            return false;
        out[o++] = s[k];
    }
    out[o] = '\0';
    return o >= 2;
}

/*  A mention written as an acronym in the house style that capitalises
    only its first letter ("Icann", "Nato"): one word of four to eight
    letters; its capitals into out.  Four at least, as shorter words of
    that form are mostly names ("Dan").  */
static bool
title_acronym_form (const char *s, size_t n, char *out, size_t size)
{
    if (n < 4 || n > 8 || n + 1 > size || !(s[0] >= 'A' && s[0] <= 'Z'))
        return false;
    out[0] = s[0];
    for (size_t k = 1; k < n; k++) {
        if (!(s[k] >= 'a' && s[k] <= 'z'))
            return false;
        out[k] = (char) (s[k] - 32);
    }
    out[n] = '\0';
    return true;
}

/*  Capitalised runs of the text, for an acronym that no tagged name
    spells: the tagger may have cut its full name ("the Government
    Accounting Office (GAO)" tagged "Accounting Office"; "the Office of
    Management and Budget" cut at "and").  A run is capitalised words and
    the stop-words between them, separated by spaces or one line break
    (wire copy is wrapped); punctuation, a blank or indented line and a
    word in capitals (a headline, an acronym) end it.  The words are
    collected once per document, on the first acronym that needs them,
    in one pass over the text; an acronym is then the one stretch of a
    run from a capitalised word whose capitalised words' initials spell
    it, found by one pass over the words.  */
typedef struct {
    size_t s, e;            /* the word's bytes */
    bool cap;               /* capitalised; else a stop-word */
    bool first;             /* the first word of its run */
} runword_t;

typedef struct {
    runword_t *w;
    size_t n, cap;
    bool built;
} textruns_t;

static void
textruns_push (textruns_t *tr, size_t s, size_t e, bool cap, bool first)
{
    if (tr->n == tr->cap) {
        tr->cap = tr->cap? tr->cap * 2: 64;
        tr->w = clip_realloc (tr->w, tr->cap * sizeof *tr->w);
    }
    tr->w[tr->n++] = (runword_t) { s, e, cap, first };
}

static void
textruns_build (textruns_t *tr, const char *text, size_t len)
{
    tr->built = true;
    size_t p = 0;
    bool open = false;      /* a run is open: the next word may join it */
    while (p < len) {
        char c = text[p];
        if (c == ' ' || c == '\t' || c == '\r') {
            p++;
            continue;
        }
        if (c == '\n') {
            /* One line break with the next line starting at once keeps
               the run; a blank or indented line ends it.  */
            if (p + 1 >= len || text[p + 1] == '\n' || text[p + 1] == ' ' || text[p + 1] == '\t'
                || text[p + 1] == '\r')
                open = false;
            p++;
            continue;
        }
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
            open = false;       /* a symbol, a number, another script */
            p++;
            continue;
        }
        size_t s = p, upper = 0, letters = 0;
        while (p < len) {
            char d = text[p];
            if ((d >= 'A' && d <= 'Z') || (d >= 'a' && d <= 'z')) {
                letters++;
                upper += d <= 'Z';
            } else if (!((unsigned char) d >= 0x80 || (d >= '0' && d <= '9') || d == '&' || d == '\''
                         || d == '-' || (d == '.' && p + 1 < len && text[p + 1] >= 'A' && text[p + 1] <= 'z')))
                break;
            p++;
        }
        bool cap = c <= 'Z' && !(letters >= 2 && upper == letters);
        bool stop = !cap && c >= 'a' && p - s <= 3 && in_list (stopwords, text + s, p - s);
        if (cap || (stop && open)) {
            textruns_push (tr, s, p, cap, !open);
            open = true;
        } else
            open = false;
        /* Anything but white space after the word ends the run.  */
        if (p < len && !(text[p] == ' ' || text[p] == '\t' || text[p] == '\n' || text[p] == '\r'))
            open = false;
    }
}

/*  Does the text's stretch [s, e) hold a title and a person of the
    document's mentions[0, n) after it, and no stop-word before them?
    Then it is no organisation's name ("Under Secretary Daniel Amstutz"
    spells "USDA"); a person's name in a firm's ("Wilson and George
    Meyer", "WGM") has no title before it, and an organisation's words
    the tagger took for a person ("the Association of Chief [Police
    Officers]") come after its "of".  */
static bool
holds_titled_person (const char *text, const clip_mention_t *mentions, const info_t *info,
                     size_t n, size_t s, size_t e)
{
    for (size_t k = 0; k < n; k++) {
        if (info[k].ty != TY_PER || mentions[k].start <= s || mentions[k].end > e)
            continue;
        size_t we = mentions[k].start;
        while (we > s && (text[we - 1] == ' ' || text[we - 1] == '\n'))
            we--;
        size_t ws = we;
        while (ws > s && ascii_alnum (text[ws - 1]))
            ws--;
        char buf[32];
        size_t bl = fold_word (text + ws, we - ws, buf, sizeof buf);
        if (bl == 0 || !in_list (titles, buf, bl))
            continue;
        bool stop = false;
        for (size_t p = s; p < ws && !stop;) {
            while (p < ws && !ascii_alnum (text[p]))
                p++;
            size_t q = p;
            while (q < ws && ascii_alnum (text[q]))
                q++;
            stop = q > p && in_list (stopwords, text + p, q - p);
            p = q;
        }
        if (!stop)
            return true;
    }
    return false;
}

/*  Is the mention [s, e) on a line with lower case, not a headline in
    capitals (whose words the tagger often takes for acronyms)?  Looks
    at most 160 bytes either side.  */
static bool
in_lower_case_line (const char *text, size_t len, size_t s, size_t e)
{
    for (size_t p = s, k = 0; p > 0 && k < 160 && text[p - 1] != '\n'; p--, k++)
        if (text[p - 1] >= 'a' && text[p - 1] <= 'z')
            return true;
    for (size_t p = e, k = 0; p < len && k < 160 && text[p] != '\n'; p++, k++)
        if (text[p] >= 'a' && text[p] <= 'z')
            return true;
    return false;
}

/*  Do two stretches of the text name the same thing (the same key)?  */
static bool
same_name (const char *text, size_t s1, size_t e1, size_t s2, size_t e2)
{
    if (e1 - s1 == e2 - s2 && memcmp (text + s1, text + s2, e1 - s1) == 0)
        return true;
    words_t ka, kb;
    key_words (text + s1, e1 - s1, false, &ka);
    key_words (text + s2, e2 - s2, false, &kb);
    bool same = ka.text.len == kb.text.len && (ka.text.len == 0
                                               || memcmp (ka.text.p, kb.text.p, ka.text.len) == 0);
    words_release (&ka);
    words_release (&kb);
    return same;
}

/*  The one stretch of the text whose capitalised words' initials are
    caps (two to eight capitals): its bytes in *s, *e.  False when none,
    or two that name different things.  */
static bool
textruns_find (textruns_t *tr, const char *text, size_t len, const char *caps,
               size_t *s, size_t *e)
{
    if (!tr->built)
        textruns_build (tr, text, len);
    size_t nc = strlen (caps);
    bool found = false;
    for (size_t a = 0; a < tr->n; a++) {
        if (!tr->w[a].cap || text[tr->w[a].s] != caps[0])
            continue;
        size_t k = 1, b = a;
        for (size_t x = a + 1; x < tr->n && !tr->w[x].first && k < nc; x++) {
            if (!tr->w[x].cap)
                continue;
            if (text[tr->w[x].s] != caps[k])
                break;
            k++;
            b = x;
        }
        if (k != nc)
            continue;
        size_t rs = tr->w[a].s, re = tr->w[b].e;
        if (found && !same_name (text, *s, *e, rs, re))
            return false;
        found = true;
        *s = rs;
        *e = re;
    }
    return found;
}

static void
textruns_release (textruns_t *tr)
{
    free (tr->w);
    memset (tr, 0, sizeof *tr);
}

/*  The mention is another name of f: its canonical name, and with
    retype its type.  */
static void
take_name (info_t *in, const info_t *f, bool retype)
{
    free (in->canonical);
    in->canonical = clip_strdup (f->canonical);
    if (retype)
        in->ty = f->ty;
    in->known = true;
}

/*  Does an apostrophe (is_apostrophe: one to three bytes) end right
    before byte offset e of utf8?  */
static bool
apostrophe_ends_at (const char *utf8, size_t e)
{
    for (size_t n = 1; n <= 3 && n <= e; n++) {
        int32_t cp;
        if (decode (utf8 + e - n, n, &cp) == n && is_apostrophe (cp))
            return true;
    }
    return false;
}

/*  A capital that the table makes its state's ("~Beijing") is the city
    here: after a locative ("in Beijing"), as a dateline or before a
    hyphen ("Paris-based"); listed after a place read as a place
    ("Greenwich, London"); after a determiner, a possessive or a number
    ("a London dealer", "this year's London event", "the 2003 London
    race"); after "the" unless a verb follows ("the Tokyo area", not "the
    Kremlin said").  */
static bool
city_reading (const char *utf8, size_t len, const clip_mention_t *m, const info_t *in)
{
    char prev[16], next[16];
    previous_word (utf8, m->start, prev, sizeof prev);
    if (in_list (locatives, prev, strlen (prev)) || in->dateline || in->before_hyphen
        || in->after_place || in_list (city_determiners, prev, strlen (prev)))
        return true;
    size_t p = m->start;
    while (p > 0 && utf8[p - 1] == ' ')
        p--;
    /*  "year's", "year’s", "2003".  */
    if (p >= 2 && utf8[p - 1] == 's' && apostrophe_ends_at (utf8, p - 1))
        return true;
    if (p >= 1 && utf8[p - 1] >= '0' && utf8[p - 1] <= '9')
        return true;
    if (strcmp (prev, "war") == 0 && p >= 4) {
        char before[8];
        previous_word (utf8, p - 4, before, sizeof before);
        if (utf8[p - 4] == '-' && (strcmp (before, "post") == 0 || strcmp (before, "pre") == 0))
            return true;
    }
    if (strcmp (prev, "the") == 0) {
        int32_t cp = -1;
        if (m->end < len)
            decode (utf8 + m->end, len - m->end, &cp);
        next_word (utf8, len, m->end, next, sizeof next);
        return !is_apostrophe (cp) && next[0] && !in_list (actor_verbs, next, strlen (next));
    }
    if (!in_lower_case_line (utf8, len, m->start, m->end)) {
        /*  The next word on the headline's line: none, after a comma,
            reads as no modifier.  */
        size_t q = m->end;
        while (q < len && (utf8[q] == ' ' || utf8[q] == '\t'))
            q++;
        next_word (utf8, len, q, next, sizeof next);
        return q < len && utf8[q] != '\n' && next[0] && !in_list (actor_verbs, next, strlen (next))
               && !in_list (headline_verbs, next, strlen (next));
    }
    return false;
}

/*  Resolve one mention through the table; sets info fields.  Returns the
    entry the mention took, or NULL.  */
static const entry_t *
resolve_table (const clip_linker_t *self, const char *utf8, size_t len, const clip_mention_t *m,
               info_t *in)
{
    const slot_t *s = in->key.n > 0? table_get (self, in->key.text.p): NULL;
    if (!s && in->key.n > 1) {
        /* "Britain's National Cyber Security Centre", "UK National
           Cybersecurity Centre": a place name in front of a known name.
           The key's text is its words joined by single spaces: the first
           words and the rest are the two sides of a space, looked up in
           place.  */
        for (size_t drop = 1; drop <= 3 && drop < in->key.n && !s; drop++) {
            const char *kt = in->key.text.p;
            size_t cut = in->key.off[drop];
            const slot_t *h = table_get_n (self, kt, cut - 1);
            if (h && self->entries[h->entry].type == TY_LOC) {
                const slot_t *t = table_get_n (self, kt + cut, in->key.text.len - cut);
                if (t && self->entries[t->entry].type == TY_ORG)
                    s = t;
            }
        }
    }
    if (!s && in->ty == TY_ORG && in->key.text.len < 120
        && (in->key.n > 1 || (in->key.n == 1 && all_caps (in->canonical)))) {
        /* The singular of an organisation the table names in the plural
           ("REUTER", the wire's sign-off, for "Reuters"; "Liberal
           Democrat" for "Liberal Democrats"), as a plural of the
           document is (pass 2).  One word only in capitals: "Lord" of
           "Lord Chancellor" is no "Lords".  */
        char plural[128];
        memcpy (plural, in->key.text.p, in->key.text.len);
        plural[in->key.text.len] = 's';
        plural[in->key.text.len + 1] = '\0';
        const slot_t *p = table_get (self, plural);
        if (p && !p->metonym && self->entries[p->entry].type == TY_ORG)
            s = p;
    }
    if (!s)
        return NULL;
    const entry_t *e = &self->entries[s->entry];
    if (s->metonym) {
        /* "Beijing" stands for China, "in Beijing" for the city.  */
        if (city_reading (utf8, len, m, in))
            return NULL;
        in->actor = true;
    }
    /* A one-word alias does not make a person into a place or a company.  */
    if (in->ty == TY_PER && e->type != TY_PER && in->key.n == 1)
        return NULL;
    free (in->canonical);
    in->canonical = clip_strdup (e->canonical);
    in->ty = e->type;
    in->known = true;
    return e;
}

/*  US states' abbreviations the alias table cannot hold, since its keys
    lose their periods and these would be acronyms or words ("VA", "PA",
    "Ind", "Del", "La" of "LA"), taken only as wire copy writes them
    after a city: the period, a place and a comma before ("Pittsburgh,
    Pa.", "BATON ROUGE, LA.").  */
static const char *const state_abbreviations[][2] = {
    { "Pa.", "Pennsylvania" }, { "Penn.", "Pennsylvania" }, { "Va.", "Virginia" },
    { "W.Va.", "West Virginia" }, { "W. Va.", "West Virginia" }, { "Ga.", "Georgia" },
    { "Md.", "Maryland" }, { "Wash.", "Washington" }, { "Ind.", "Indiana" },
    { "Mo.", "Missouri" }, { "Del.", "Delaware" }, { "Miss.", "Mississippi" },
    { "La.", "Louisiana" }, { "Me.", "Maine" }, { "Ida.", "Idaho" }, { "Wy.", "Wyoming" },
    { "N.Dak.", "North Dakota" }, { "S.Dak.", "South Dakota" }, { "Cal.", "California" },
};

/*  Whether the mention starting at start follows a party's letter as US
    wire copy writes a legislator's party and state, "(R-Kan.)" or ",
    D-Ill.,": the letter, a hyphen, and before the letter a bracket or a
    comma and white space (a wrapped line's newline).  */
static bool
after_party_letter (const char *utf8, size_t start)
{
    if (start < 3 || utf8[start - 1] != '-'
        || (utf8[start - 2] != 'D' && utf8[start - 2] != 'R' && utf8[start - 2] != 'I'))
        return false;
    size_t p = start - 3;
    if (utf8[p] == '(')
        return true;
    while (p > 0 && (utf8[p] == ' ' || utf8[p] == '\n'))
        p--;
    return p + 1 < start - 2 && utf8[p] == ',';
}

/*  The party a mention of one letter names in "(R-Kan.)" or ", D-Ill.,"
    (README.md's rules: the letter is an ORG, "Republican Party"), NULL
    for any other mention.  An independent's "I" names no party.  */
static const char *
party_of_letter (const char *utf8, size_t len, const clip_mention_t *m, const info_t *in)
{
    if (in->ty != TY_ORG || m->end != m->start + 1 || m->end + 2 > len
        || !after_party_letter (utf8, m->end + 1)
        || !(utf8[m->end + 1] >= 'A' && utf8[m->end + 1] <= 'Z'))
        return NULL;
    return utf8[m->start] == 'D' ? "Democratic Party"
         : utf8[m->start] == 'R' ? "Republican Party" : NULL;
}

/*  The state mention m names, when it is one of state_abbreviations
    right after a place and a comma (in->after_place) or after a party's
    letter ("(D-La.)"), in any case; NULL otherwise.  */
static const char *
state_after_place (const char *utf8, const clip_mention_t *m, const info_t *in)
{
    if (in->ty != TY_LOC)
        return NULL;
    if (!after_party_letter (utf8, m->start)
        && (!in->after_place || m->start < 2 || utf8[m->start - 2] != ','))
        return NULL;
    size_t sl = m->end - m->start;
    for (size_t k = 0; k < sizeof state_abbreviations / sizeof state_abbreviations[0]; k++)
        if (strlen (state_abbreviations[k][0]) == sl
            && strncasecmp (utf8 + m->start, state_abbreviations[k][0], sl) == 0)
            return state_abbreviations[k][1];
    return NULL;
}

/*  The canonical name of an organisation written after "U.S." or "US" and
    ending in one of state_bodies, with the country written out ("U.S.
    Agriculture Department", the table's "Agriculture Department" once
    the country is dropped, is "United States Agriculture Department");
    the caller owns it.  NULL for any other mention, and for one the
    table names with its country already.  */
static char *
state_body (const char *utf8, const clip_mention_t *m, const info_t *in)
{
    const char *s = utf8 + m->start;
    size_t sl = m->end - m->start, head;
    if (in->ty != TY_ORG || in->key.n < 2)
        return NULL;
    if (sl > 5 && memcmp (s, "U.S.", 4) == 0 && (s[4] == ' ' || s[4] == '\n'))
        head = 5;
    else if (sl > 3 && memcmp (s, "US", 2) == 0 && (s[2] == ' ' || s[2] == '\n'))
        head = 3;
    else
        return NULL;
    const char *last = in->key.text.p + in->key.off[in->key.n - 1];
    if (!in_list (state_bodies, last, in->key.len[in->key.n - 1])
        || strncmp (in->canonical, "United States", 13) == 0)
        return NULL;
    /*  The rest: the table's name when it gave one, else as written (in
        normal case when in capitals: "U.S. NAVY").  */
    char *rest = in->known ? clip_strdup (in->canonical) : display_form (s + head, sl - head, in->ty);
    if (all_caps (rest)) {
        char *normal = normal_case (rest);
        free (rest);
        rest = normal;
    }
    char *name = clip_strprintf ("United States %s", rest);
    free (rest);
    return name;
}

#define FIRSTS_MAX 256

/*  The first mention of each canonical name of type ty among info[0, n),
    of min_words key words or more (capitalised ones only when cap), into
    out[0, FIRSTS_MAX): their count.  of_type sizes the map.  */
static size_t
first_mentions (const info_t *info, size_t n, int ty, size_t min_words, bool cap, size_t of_type,
                const info_t **out)
{
    size_t k = 0;
    strmap_t seen;
    strmap_init (&seen);
    strmap_reserve (&seen, of_type);
    for (size_t i = 0; i < n && k < FIRSTS_MAX; i++) {
        const info_t *in = &info[i];
        if (in->ty != ty || in->ckey.n < min_words || (cap && !in->capitalised))
            continue;
        size_t *slot = strmap_slot (&seen, in->canonical, strlen (in->canonical), true);
        if (*slot == 0) {
            *slot = i + 1;
            out[k++] = in;
        }
    }
    strmap_release (&seen);
    return k;
}

int
clip_linker_link (const clip_linker_t *self, const char *utf8, size_t len,
                  clip_mention_t *mentions, size_t n)
{
    assert (self);
    assert (utf8 || len == 0);
    assert (mentions || n == 0);
    /*  Each info is set field by field: its two words_t are most of its
        kilobyte, and their arrays need no zeroing (words_init).  */
    info_t *info = clip_malloc ((n? n: 1) * sizeof *info);
    for (size_t i = 0; i < n; i++) {
        info_t *in = &info[i];
        in->ty = TY_OTHER;
        words_init (&in->key);
        words_init (&in->ckey);
        in->canonical = NULL;
        in->known = in->capitalised = in->dateline = in->before_hyphen = in->caps = false;
        in->actor = in->after_place = false;
        in->body = 0;
        memset (in->initials, 0, sizeof in->initials);
    }
    acronym_t *acrs = NULL;
    size_t nacr = 0, acr_cap = 0;

    /* Pass 1: keys, the table, acronym definitions.  */
    for (size_t i = 0; i < n; i++) {
        clip_mention_t *m = &mentions[i];
        info_t *in = &info[i];
        in->ty = type_index (m->type);
        if (in->ty == TY_OTHER)
            continue;
        assert (m->start <= m->end && m->end <= len);
        const char *s = utf8 + m->start;
        size_t sl = m->end - m->start;
        in->capitalised = sl > 0 && s[0] >= 'A' && s[0] <= 'Z';
        key_words (s, sl, in->ty == TY_PER, &in->key);
        in->canonical = display_form (s, sl, in->ty);
        in->dateline = in->ty == TY_LOC && at_dateline (utf8, len, m);
        in->before_hyphen = m->end < len && utf8[m->end] == '-';
        /*  Right after a place read as a place, joined by a comma or
            "and": a place too ("in New York and London").  */
        if (in->ty == TY_LOC && i > 0 && info[i - 1].ty == TY_LOC && !info[i - 1].actor
            && mentions[i - 1].end <= m->start) {
            const char *gap = utf8 + mentions[i - 1].end;
            size_t gl = m->start - mentions[i - 1].end;
            in->after_place = (gl == 2 && memcmp (gap, ", ", 2) == 0)
                              || (gl == 5 && memcmp (gap, " and ", 5) == 0)
                              || (gl == 6 && memcmp (gap, ", and ", 6) == 0);
        }
        /*  Names wire copy writes by its own conventions, not the table's.  */
        const char *named = state_after_place (utf8, m, in);
        if (!named)
            named = party_of_letter (utf8, len, m, in);
        const entry_t *e = NULL;
        if (named) {
            free (in->canonical);
            in->canonical = clip_strdup (named);
            in->known = true;
        }
        else
            e = resolve_table (self, utf8, len, m, in);
        char *body = state_body (utf8, m, in);
        if (body) {
            free (in->canonical);
            in->canonical = body;
            in->known = true;
            e = NULL;           /* its key is the new name's, below */
        }
        /*  The key of the canonical name, computed once: the table's
            entries have theirs, and a canonical name written as the
            mention is has the mention's key (the same type).  Both are
            read only from here on and outlive the document's infos.  */
        size_t cl = strlen (in->canonical);
        if (e)
            words_share (&in->ckey, &e->ckey);
        else if (cl == sl && memcmp (in->canonical, s, sl) == 0)
            words_share (&in->ckey, &in->key);
        else
            key_words (in->canonical, cl, in->ty == TY_PER, &in->ckey);
        char acr[16];
        if (in->ty != TY_PER && in->key.n >= 2
            && acronym_after (utf8, len, m->end, acr, sizeof acr)) {
            words_t full;
            key_words (s, sl, false, &full);
            int budget = 4096;
            bool fits = acronym_fits (acr, &full, 0, 0, &budget);
            if (!fits && in->known) {
                words_release (&full);
                key_words (in->canonical, strlen (in->canonical), false, &full);
                budget = 4096;
                fits = acronym_fits (acr, &full, 0, 0, &budget);
            }
            if (!fits) {
                /*  Spelt with the legal form the key leaves out: "The
                    Commodity Credit Corporation (CCC)".  */
                words_release (&full);
                key_words_all (s, sl, &full);
                budget = 4096;
                fits = acronym_fits (acr, &full, 0, 0, &budget);
            }
            words_release (&full);
            if (fits) {
                if (nacr == acr_cap) {
                    acr_cap = acr_cap? acr_cap * 2: 8;
                    acrs = clip_realloc (acrs, acr_cap * sizeof *acrs);
                }
                snprintf (acrs[nacr].acr, sizeof acrs[nacr].acr, "%s", acr);
                acrs[nacr].mention = i;
                nacr++;
            }
        }
    }

    /* Pass 1b: an ALL-CAPS mention (a headline, a dateline) takes the
       name as the body writes it, the first mention of the same key and
       type in mixed case, wherever it is; a dateline's place with none is
       put in normal case, and so is a place's name in a table or a
       headline ("COSTA RICA", "SIOUX CITY": README.md's rules, names in
       normal case).  Other ALL-CAPS names stay as they are: they may be
       acronyms ("ASCS", "UAE"), and one the running text writes in
       capitals gives them to its mixed-case mentions.  */
    strmap_t mixed[4];
    /*  The mentions of each type, for the maps by type to be sized once.  */
    size_t of_type[5] = { 0 };
    for (size_t i = 0; i < n; i++)
        of_type[info[i].ty]++;
    for (int t = 0; t < 4; t++) {
        strmap_init (&mixed[t]);
        strmap_reserve (&mixed[t], of_type[t]);
    }
    for (size_t i = 0; i < n; i++) {
        info_t *in = &info[i];
        if (in->ty == TY_OTHER || in->known || in->key.n == 0)
            continue;
        /*  Asked again below, of the same name.  */
        in->caps = all_caps (in->canonical);
        if (!in->caps) {
            size_t *slot = strmap_slot (&mixed[in->ty], in->key.text.p, in->key.text.len, true);
            if (*slot == 0)
                *slot = i + 1;
        }
    }
    /*  An acronym in running text ("the OPEC secretariat said") is not a
        headline's name: it keeps its capitals, and a mixed-case mention
        of the same key and type ("Opec", as the BBC writes acronyms said
        as words) takes them (issue 14, class 6).  An acronym here is one
        word of 2 to 6 bytes, on a line with lower case, not a dateline's
        place and not a ticker ("<FIAT.MI>", whose capitals say nothing
        of how the body writes the name).  */
    strmap_t acronym[4];
    for (int t = 0; t < 4; t++) {
        strmap_init (&acronym[t]);
        strmap_reserve (&acronym[t], of_type[t]);
    }
    for (size_t i = 0; i < n; i++) {
        info_t *in = &info[i];
        size_t sl = mentions[i].end - mentions[i].start;
        if (in->ty == TY_OTHER || in->known || in->key.n != 1 || !in->caps || in->dateline
        ||  sl < 2 || sl > 6
        ||  (mentions[i].start > 0 && utf8[mentions[i].start - 1] == '<')
        ||  !in_lower_case_line (utf8, len, mentions[i].start, mentions[i].end))
            continue;
        in->caps = false;
        size_t *slot = strmap_slot (&acronym[in->ty], in->key.text.p, in->key.text.len, true);
        if (*slot == 0)
            *slot = i + 1;
    }
    for (size_t i = 0; i < n; i++) {
        info_t *in = &info[i];
        if (in->ty == TY_OTHER || in->known || in->key.n == 0 || in->caps
        ||  all_caps (in->canonical))
            continue;
        size_t *slot = strmap_slot (&acronym[in->ty], in->key.text.p, in->key.text.len, false);
        if (slot) {
            free (in->canonical);
            in->canonical = clip_strdup (info[*slot - 1].canonical);
        }
    }
    for (int t = 0; t < 4; t++)
        strmap_release (&acronym[t]);
    for (size_t i = 0; i < n; i++) {
        info_t *in = &info[i];
        if (in->ty == TY_OTHER || in->known || in->key.n == 0 || !in->caps)
            continue;
        size_t *slot = strmap_slot (&mixed[in->ty], in->key.text.p, in->key.text.len, false);
        char *c = NULL;
        /*  "HUGHES TOOL" a product or a person in the headline, "Hughes
            Tool Co" an organisation in the body: the body says which.  */
        if (!slot && (in->ty == TY_PER || in->ty == TY_MISC) && !in->dateline
            && (slot = strmap_slot (&mixed[TY_ORG], in->key.text.p, in->key.text.len, false)))
            in->ty = TY_ORG;
        if (slot) {
            c = clip_strdup (info[*slot - 1].canonical);
            in->body = *slot;
        }
        else if (in->dateline || (in->ty == TY_LOC && caps_place_is_a_name (in->canonical)))
            c = normal_case (in->canonical);
        if (c) {
            free (in->canonical);
            in->canonical = c;
        }
    }
    for (int t = 0; t < 4; t++)
        strmap_release (&mixed[t]);

    /* "Kofi (Mensah)": an editor's bracket completing a quoted first
       name.  A one-word person followed by one capitalised word in
       brackets, neither known to the table: both are the person, named by
       the two words.  */
    for (size_t i = 0; i + 1 < n; i++) {
        info_t *a = &info[i], *b = &info[i + 1];
        const clip_mention_t *ma = &mentions[i], *mb = &mentions[i + 1];
        if (a->ty != TY_PER || a->known || b->known || b->ty == TY_OTHER || a->key.n != 1
            || b->key.n != 1 || !a->capitalised || !b->capitalised || all_caps (b->canonical))
            continue;
        size_t p = ma->end;
        while (p < mb->start && (utf8[p] == ' ' || utf8[p] == '\t'))
            p++;
        if (p + 1 != mb->start || utf8[p] != '(' || mb->end >= len || utf8[mb->end] != ')')
            continue;
        char *full = clip_strprintf ("%s %s", a->canonical, b->canonical);
        words_t fk;
        key_words (full, strlen (full), true, &fk);
        if (fk.n != 2) {
            words_release (&fk);
            free (full);
            continue;
        }
        for (info_t *x = a; x <= b; x++) {
            free (x->canonical);
            x->canonical = clip_strdup (full);
            x->ty = TY_PER;
            x->known = true;
        }
        /* The full name is a person's for the rest of the document.  */
        words_release (&a->ckey);
        a->ckey = fk;
        free (full);
        i++;
    }

    /* Before pass 2, over the whole document: the first full name of a
       person holding each word (for a short form written before its full
       name, "Tremlow" in a headline, "Petra Tremlow" in the body); the
       organisation names of two words or more by their first word (one
       index per word, AMBIGUOUS when two different names share it); the
       organisations by their key less a final "s" ("Green Progressives"
       for "Green Progressive"); and the names that are not people by their
       initials ("NFB" for "National Fisheries Board" without a bracketed
       definition), and of those the ones written out in the text
       (written_initials: "European Community", not an "EC" the table
       expanded).  */
    strmap_t later_people, org_heads, org_heads2, plurals, by_initials, written_initials,
        head_nouns, after_initials, ends, head_places, own_names, written_out, legal_firms,
        companies;
    strmap_init (&own_names);
    strmap_init (&legal_firms);
    strmap_init (&companies);
    strmap_init (&written_out);
    strmap_init (&head_nouns);
    strmap_init (&head_places);
    strmap_init (&after_initials);
    strmap_init (&ends);
    strmap_init (&org_heads2);
    strmap_init (&later_people);
    strmap_init (&org_heads);
    strmap_init (&plurals);
    strmap_init (&by_initials);
    strmap_init (&written_initials);
    size_t person_words = 0;
    for (size_t i = 0; i < n; i++)
        if (info[i].ty == TY_PER && info[i].ckey.n >= 2)
            person_words += info[i].ckey.n;
    strmap_reserve (&later_people, person_words);
    strmap_reserve (&org_heads, n);
    strmap_reserve (&plurals, n);
    strmap_reserve (&by_initials, n);
    strmap_reserve (&written_initials, n);
    strmap_reserve (&head_nouns, n);
    strmap_reserve (&head_places, of_type[TY_LOC]);
    strmap_reserve (&org_heads2, n);
    strmap_reserve (&after_initials, n);
    strmap_reserve (&ends, n);
    strmap_reserve (&own_names, of_type[TY_ORG]);
    strmap_reserve (&written_out, of_type[TY_ORG]);
    strmap_reserve (&legal_firms, of_type[TY_ORG]);
    strmap_reserve (&companies, of_type[TY_ORG]);
    /*  The keys of ends, which the map points to: each name's first and
        last key words.  */
    size_t ends_size = 1, ends_used = 0;
    for (size_t i = 0; i < n; i++)
        if (info[i].ty == TY_ORG && info[i].ckey.n >= 3)
            ends_size += info[i].ckey.len[0] + info[i].ckey.len[info[i].ckey.n - 1] + 2;
    char *ends_text = clip_malloc (ends_size);
    for (size_t i = 0; i < n; i++) {
        info_t *in = &info[i];
        if (in->ty == TY_OTHER || in->ckey.n == 0)
            continue;
        if (in->ty == TY_PER && in->ckey.n >= 2)
            for (size_t k = 0; k < in->ckey.n; k++) {
                size_t *slot = strmap_slot (&later_people, in->ckey.text.p + in->ckey.off[k],
                                            in->ckey.len[k], true);
                if (*slot == 0)
                    *slot = i + 1;
            }
        /*  Not names the tagger glued ("ROYAL BANK/CANADA", "Sega - ESPN"),
            which no short form takes (extends_org).  */
        bool glued = strchr (in->canonical, '/') || strstr (in->canonical, " - ");
        if (in->ty == TY_ORG && in->ckey.n >= 2 && !glued) {
            longest_or_ambiguous (&org_heads, in->ckey.text.p, in->ckey.len[0], info, i);
            /*  By its first two words too, for the short forms of two
                organisations sharing a first word ("La Fenice", "La
                Scala").  */
            if (in->ckey.n >= 3)
                longest_or_ambiguous (&org_heads2, in->ckey.text.p,
                                      in->ckey.off[1] + in->ckey.len[1], info, i);
            /*  The noun that heads it: its last word ("European
                Commission"), or its first before "of" ("Bank of
                England").  */
            size_t h = in->ckey.n >= 3 && in->ckey.len[1] == 2
                       && memcmp (in->ckey.text.p + in->ckey.off[1], "of", 2) == 0
                       ? 0 : in->ckey.n - 1;
            first_or_ambiguous (&head_nouns, in->ckey.text.p + in->ckey.off[h],
                                in->ckey.len[h], info, i);
            /*  The name after a founder's initials ("Hutton" of "E.F.
                Hutton LBO").  */
            if (initials_first (in->canonical))
                first_or_ambiguous (&after_initials, in->ckey.text.p + in->ckey.off[1],
                                    in->ckey.len[1], info, i);
            /*  Its first and last words, for a short form that leaves out
                words between ("Greek Federation").  */
            if (in->ckey.n >= 3) {
                char *fl = ends_text + ends_used;
                size_t fll = first_last_key (&in->ckey, fl, ends_size - ends_used);
                if (fll) {
                    first_or_ambiguous (&ends, fl, fll, info, i);
                    ends_used += fll + 1;
                }
            }
        }
        /*  A company written with its legal form, named by a word and at
            most one generic company word ("CPC International Inc", "SIS
            Corp"), by that word: an acronym the table reads otherwise is
            that company here.  */
        bool firm = in->ty == TY_ORG && !glued;
        bool legal = firm && ends_legal (utf8 + mentions[i].start, mentions[i].end - mentions[i].start);
        bool generic_end = in->ckey.n >= 2
                           && in_list (generic_company_words, in->ckey.text.p + in->ckey.off[in->ckey.n - 1],
                                       in->ckey.len[in->ckey.n - 1]);
        if (legal && (in->ckey.n == 1 || (in->ckey.n == 2 && generic_end)))
            first_or_ambiguous (&legal_firms, in->ckey.text.p, in->ckey.len[0], info, i);
        /*  The organisations written as companies are, with their legal
            form ("Baker International Corp") or a company's generic last
            word ("Holmes Protection Group"), by the key of their name
            (which, unlike the canonical string, pass 2 does not replace),
            for a person's short form.  */
        if (firm && (legal || generic_end))
            *strmap_slot (&companies, in->ckey.text.p, in->ckey.text.len, true) = i + 1;
        /*  An organisation the table knows, written out as the table
            names it ("Conservative Party"), for its plural short forms;
            by its canonical's key words, as companies are, not by the
            canonical string pass 2 may replace.  */
        if (in->ty == TY_ORG && in->known && in->ckey.n >= 2
            && in->key.text.len == in->ckey.text.len
            && memcmp (in->key.text.p, in->ckey.text.p, in->key.text.len) == 0)
            *strmap_slot (&written_out, in->ckey.text.p, in->ckey.text.len, true) = i + 1;
        /*  A one-word company name the text also writes with more
            ("Texaco" of "Texaco Inc"): a name of its own, which no
            acronym rule spells out ("Texaco" is no "Texas Courts").  */
        if (in->ty == TY_ORG && in->ckey.n == 1
            && mentions[i].end - mentions[i].start > strlen (in->canonical))
            *strmap_slot (&own_names, in->ckey.text.p, in->ckey.text.len, true) = i + 1;
        /*  A place of two words or more by its last ("Dome" of the
            "Millennium Dome").  */
        if (in->ty == TY_LOC && in->ckey.n >= 2)
            first_or_ambiguous (&head_places, in->ckey.text.p + in->ckey.off[in->ckey.n - 1],
                                in->ckey.len[in->ckey.n - 1], info, i);
        size_t ll = in->ckey.len[in->ckey.n - 1];
        if (in->ty == TY_ORG && ll >= 3 && in->ckey.text.p[in->ckey.text.len - 1] == 's')
            first_or_ambiguous (&plurals, in->ckey.text.p, in->ckey.text.len - 1, info, i);
        char letters[16];
        if (in->ty != TY_PER && in->ckey.n >= 2 && !letters_name (&in->ckey, letters, sizeof letters)
            && name_initials (&in->ckey, in->initials, sizeof in->initials)) {
            first_or_ambiguous (&by_initials, in->initials, strlen (in->initials), info, i);
            if (in->key.n >= 2)
                first_or_ambiguous (&written_initials, in->initials, strlen (in->initials),
                                    info, i);
        }
    }

    /* Pass 2: acronyms, short mentions, repeated unknown names.  people
       maps each word of a full person name to the latest such mention
       seen; names maps each unknown key, per type, to its first mention.  */
    strmap_t people, names[4], acronyms;
    strmap_init (&people);
    strmap_init (&acronyms);
    strmap_reserve (&people, person_words);
    for (int t = 0; t < 4; t++) {
        strmap_init (&names[t]);
        strmap_reserve (&names[t], of_type[t]);
    }
    /*  The document's places by their first mention, for the
        abbreviations of a table's rows (abbreviated_place), and its
        organisations of two words or more, for an acronym spelt with
        later letters of their words (acronym_fitting): at most
        FIRSTS_MAX each, which bounds the work per mention asking.  */
    const info_t *places[FIRSTS_MAX], *orgs[FIRSTS_MAX];
    size_t nplaces = first_mentions (info, n, TY_LOC, 1, true, of_type[TY_LOC], places);
    size_t norgs = first_mentions (info, n, TY_ORG, 2, false, of_type[TY_ORG], orgs);
    textruns_t runs = { 0 };
    for (size_t a = 0; a < nacr; a++) {
        size_t *slot = strmap_slot (&acronyms, acrs[a].acr, strlen (acrs[a].acr), true);
        if (*slot == 0)
            *slot = acrs[a].mention + 1;    /* the first definition wins */
    }
    for (size_t i = 0; i < n; i++) {
        clip_mention_t *m = &mentions[i];
        info_t *in = &info[i];
        if (in->ty == TY_OTHER)
            continue;
        bool short_form = false;
        if (in->key.n == 1) {
            const char *s = utf8 + m->start;
            size_t sl = m->end - m->start;
            /* An acronym defined anywhere in the article, also one the
               table knows: the article's definition ("the European
               Commission (EC)") says which of its readings it means.  */
            char folded[16];
            size_t fl = 0;
            for (size_t k = 0; k < sl && fl + 1 < sizeof folded; k++)
                if (s[k] != '.')
                    folded[fl++] = s[k];
            folded[fl] = '\0';
            size_t *a = strmap_slot (&acronyms, folded, fl, false);
            if (a && *a - 1 != i) {
                info_t *full = &info[*a - 1];
                free (in->canonical);
                in->canonical = clip_strdup (full->canonical);
                in->ty = full->ty;
                in->known = true;
            }
        }
        if (!in->known && in->key.n > 0 && in->key.n <= 3
            && (in->ty == TY_PER || (in->capitalised && in->key.n == 1))
            && !ends_legal (utf8 + m->start, m->end - m->start)) {
            /* "Guo" or "Mr Guo" after "Guo Ping": the latest earlier
               person whose name holds the first word, if it holds them
               all.  Not a name written with its legal form: "Pesch and
               Co" is the firm LeRoy Pesch gave his name to.  */
            size_t *j = strmap_slot (&people, in->key.text.p, in->key.len[0], false);
            if (j && take_full_name (in, &info[*j]))
                short_form = true;
            /* None earlier: the first full name written after it.  */
            j = strmap_slot (&later_people, in->key.text.p, in->key.len[0], false);
            if (!in->known && j && *j - 1 > i && take_full_name (in, &info[*j - 1]))
                short_form = true;
        }
        if (!in->known && in->ty == TY_LOC && in->capitalised && in->key.n > 0
            && table_row_label (utf8, len, m)) {
            /* "Mpls" heading a table's row, "Minneapolis" a row above:
               tables abbreviate the places they list again.  */
            const info_t *f = abbreviated_place (in, places, nplaces, false);
            if (f)
                take_name (in, f, false);
        }
        if (!in->known && in->ty == TY_LOC && in->key.n == 1 && in->capitalised
            && after_the (utf8, m->start)) {
            /* "the Dome" for the Millennium Dome: the one place of the
               document that the word ends.  */
            size_t *j = strmap_slot (&head_places, in->key.text.p, in->key.text.len, false);
            if (j && *j != AMBIGUOUS && *j - 1 != i)
                take_name (in, &info[*j - 1], false);
        }
        if (!in->known && in->ty == TY_PER && in->key.n == 1 && in->capitalised
            && !strmap_slot (&later_people, in->key.text.p, in->key.len[0], false)) {
            /* "Baker" for "Baker International Corp", tagged a person: the
               first word of one organisation of the document that no
               person's full name holds is that organisation, when written
               as a company is (the companies map; not "Villa" of "Villa
               Park", nor one in capitals, whose extent a headline's
               tagging made: "LABATT CLAIMS").  */
            size_t *j = strmap_slot (&org_heads, in->key.text.p, in->key.len[0], false);
            if (j && *j != AMBIGUOUS && *j - 1 != i && !all_caps (info[*j - 1].canonical)
                && strmap_slot (&companies, info[*j - 1].ckey.text.p, info[*j - 1].ckey.text.len,
                                false)
                && extends_org (&info[*j - 1], &in->key))
                take_name (in, &info[*j - 1], true);
            /* "Woolworth" for "F.W. Woolworth Co", the name after its
               founder's initials.  */
            j = in->known ? NULL : strmap_slot (&after_initials, in->key.text.p, in->key.text.len, false);
            if (j && *j != AMBIGUOUS && *j - 1 != i)
                take_name (in, &info[*j - 1], true);
        }
        if (!in->known && in->ty == TY_ORG && in->key.n > 0) {
            /* "Vantrell Data" for "Vantrell Data Systems", "Quillby"
               for "Quillby Gallery": the leading words of one longer
               organisation of the document, which adds at most two words
               and not an "of ..." ("Bank" is not "Bank of England").  */
            size_t *j = strmap_slot (&org_heads, in->key.text.p, in->key.len[0], false);
            if (j && *j == AMBIGUOUS && in->key.n >= 2)
                j = strmap_slot (&org_heads2, in->key.text.p, in->key.off[1] + in->key.len[1],
                                 false);
            if (j && *j != AMBIGUOUS && *j - 1 != i
                && (*j - 1 < i || all_caps (in->canonical)
                    || generic_completion (&info[*j - 1], &in->key))
                && !ends_legal (utf8 + m->start, m->end - m->start)) {
                const info_t *f = &info[*j - 1];
                if (extends_org (f, &in->key))
                    take_name (in, f, false);
            }
            /* "Green Progressive" for "Green Progressives", "Tory" for
               "Tories" (the plurals are keyed less their "s").  */
            j = strmap_slot (&plurals, in->key.text.p, in->key.text.len, false);
            size_t kl = in->key.text.len;
            if (!j && kl >= 3 && kl < 126 && in->key.text.p[kl - 1] == 'y') {
                char ie[128];
                memcpy (ie, in->key.text.p, kl - 1);
                memcpy (ie + kl - 1, "ie", 2);
                j = strmap_slot (&plurals, ie, kl + 1, false);
            }
            if (!in->known && j && *j != AMBIGUOUS && *j - 1 != i)
                take_name (in, &info[*j - 1], false);
            /* "Hutton" for "E.F. Hutton LBO".  */
            j = in->key.n == 1 && in->capitalised
                ? strmap_slot (&after_initials, in->key.text.p, in->key.text.len, false) : NULL;
            if (!in->known && j && *j != AMBIGUOUS && *j - 1 != i)
                take_name (in, &info[*j - 1], false);
            /* "Greek Federation" for "Greek Athletics Federation": the
               first and last words of one longer organisation, which
               holds the short form's words in their order.  */
            if (!in->known && in->key.n >= 2) {
                char fl[128];
                size_t fll = first_last_key (&in->key, fl, sizeof fl);
                j = fll ? strmap_slot (&ends, fl, fll, false) : NULL;
                if (j && *j != AMBIGUOUS && *j - 1 != i
                    && info[*j - 1].ckey.n > in->key.n
                    && words_subsequence (&info[*j - 1].ckey, &in->key))
                    take_name (in, &info[*j - 1], false);
            }
            /* "the Commission" for the European Commission, "the Bank"
               for the Bank of England: the one organisation of the
               document that the word heads.  Not "the House", a
               legislature's chamber, beside the White House.  */
            bool chamber = in->key.text.len == 5 && memcmp (in->key.text.p, "house", 5) == 0;
            j = in->key.n == 1 && in->capitalised && !chamber
                ? strmap_slot (&head_nouns, in->key.text.p, in->key.text.len, false) : NULL;
            if (!in->known && j && *j != AMBIGUOUS && *j - 1 != i)
                take_name (in, &info[*j - 1], false);
        }
        if (!in->known && in->ty == TY_ORG && in->key.n == 1 && in->capitalised
            && in->key.text.len >= 4 && in->key.text.len < 64
            && in->key.text.p[in->key.text.len - 1] == 's') {
            /* "Tories" where the document writes "Conservative Party",
               the name the table gives "Tory": the plural of a name the
               table knows, once the text writes the table's name out
               (without it, the plural is the document's own name).  */
            char one[64];
            size_t kl = in->key.text.len - 1;
            memcpy (one, in->key.text.p, kl);
            if (kl >= 3 && memcmp (one + kl - 2, "ie", 2) == 0)
                one[--kl - 1] = 'y';
            one[kl] = '\0';
            const slot_t *sg = table_get (self, one);
            if (sg && !sg->metonym && self->entries[sg->entry].type == TY_ORG) {
                const words_t *ck = &self->entries[sg->entry].ckey;
                size_t *j = strmap_slot (&written_out, ck->text.p, ck->text.len, false);
                if (j)
                    take_name (in, &info[*j - 1], false);
            }
        }
        if (!in->known && in->ty == TY_ORG && in->key.n >= 2 && in->capitalised) {
            /* "Lib Dems" for the "Liberal Democrats" of the document:
               the one organisation it abbreviates word by word.  */
            const info_t *f = abbreviated_place (in, orgs, norgs, true);
            if (f)
                take_name (in, f, false);
        }
        if (in->known && in->ty == TY_ORG && in->key.n == 1) {
            /* An acronym the table or a short form's rule reads as
               another organisation ("CPC": the Chinese Communist Party;
               "NEC": NEC Electronics, a unit) where the text writes a
               company of that name with its legal form ("CPC
               International Inc", "NEC Corp"): that company.  */
            char caps[16], named[16];
            bool in_capitals = acronym_form (utf8 + m->start, m->end - m->start, caps, sizeof caps);
            size_t *j = in_capitals
                        ? strmap_slot (&legal_firms, in->key.text.p, in->key.text.len, false) : NULL;
            if (j && *j != AMBIGUOUS && *j - 1 != i)
                take_name (in, &info[*j - 1], false);
            /* An acronym the table expands ("EC": European Commission)
               while the text writes out another name it spells, of the
               same type ("European Community" in 1987 wire copy): the
               text's.  So also for one the table names by the acronym
               ("Opec": OPEC) where the text writes it out.  */
            bool as_acronym = in_capitals
                              || title_acronym_form (utf8 + m->start, m->end - m->start, caps,
                                                     sizeof caps);
            if (as_acronym
                && (in->initials[0] ? strcmp (caps, in->initials) == 0
                                    : acronym_form (in->canonical, strlen (in->canonical), named,
                                                    sizeof named) && strcmp (caps, named) == 0)) {
                j = strmap_slot (&written_initials, caps, strlen (caps), false);
                if (j && *j != AMBIGUOUS && *j - 1 != i && info[*j - 1].ty == in->ty
                    && !words_hold (&info[*j - 1].key, caps))
                    take_name (in, &info[*j - 1], false);
            }
        }
        char letters[16];
        if (!in->known && in->ty == TY_ORG && in->key.n >= 2
            && letters_name (&in->key, letters, sizeof letters)) {
            /* "S and P" for "Standard and Poor's": the one name of the
               document whose initials its letters are.  */
            size_t *j = strmap_slot (&by_initials, letters, strlen (letters), false);
            if (j && *j != AMBIGUOUS && *j - 1 != i)
                take_name (in, &info[*j - 1], false);
        }
        if (!in->known && in->key.n == 1) {
            /* An acronym never defined, spelling the initials of a name
               of the document ("NFB", "National Fisheries Board"): that
               name, and its type.  */
            char caps[16];
            if (acronym_form (utf8 + m->start, m->end - m->start, caps, sizeof caps)) {
                size_t *j = strmap_slot (&by_initials, caps, strlen (caps), false);
                const info_t *fit = NULL;
                if (j && *j != AMBIGUOUS && *j - 1 != i)
                    take_name (in, &info[*j - 1], true);
                else if (!j && in->body == 0 && strlen (caps) >= 3 && strlen (caps) <= 6
                         && in_lower_case_line (utf8, len, m->start, m->end)) {
                    /* No tagged name spells it: a capitalised run of the
                       text that does ("GAO", "the Government Accounting
                       Office (GAO)" tagged "Accounting Office"), its type
                       kept.  Three to six capitals: two-letter stretches
                       are too many to choose from, and a longer word in
                       capitals is a headline's name, not an acronym
                       (nor one with a body form, pass 1b, nor one on a
                       line in capitals).  */
                    size_t rs = 0, re = 0;
                    if (textruns_find (&runs, utf8, len, caps, &rs, &re)
                        && !holds_titled_person (utf8, mentions, info, n, rs, re)) {
                        free (in->canonical);
                        in->canonical = display_form (utf8 + rs, re - rs, in->ty);
                        in->known = true;
                    }
                }
                /*  Last, a name it spells with later letters of words
                    too: after the text's runs, which spell it by
                    initials ("OPR" is the Office of Parks and
                    Recreation, not a cut "Office of Parks").  */
                if (!in->known && !j && !strmap_slot (&own_names, in->key.text.p, in->key.text.len, false)
                    && (fit = acronym_fitting (caps, in, orgs, norgs)))
                    take_name (in, fit, true);
            }
            else if (in->ty != TY_PER
                     && title_acronym_form (utf8 + m->start, m->end - m->start, caps, sizeof caps)) {
                /* "Icann" for the Internet Corporation for Assigned Names
                   and Numbers written in the document: BBC style.  */
                size_t *j = strmap_slot (&by_initials, caps, strlen (caps), false);
                const info_t *fit = NULL;
                if (j && *j != AMBIGUOUS && *j - 1 != i)
                    take_name (in, &info[*j - 1], true);
                else if (!j && !strmap_slot (&own_names, in->key.text.p, in->key.text.len, false)
                         && (fit = acronym_fitting (caps, in, orgs, norgs)))
                    take_name (in, fit, true);
            }
        }
        if (!in->known && in->key.n > 0) {
            /* The same unknown name spelt another way earlier: one
               canonical for both.  */
            size_t *j = strmap_slot (&names[in->ty], in->key.text.p, in->key.text.len, true);
            if (*j == 0)
                *j = i + 1;             /* 0 marks a new slot */
            else {
                free (in->canonical);
                in->canonical = clip_strdup (info[*j - 1].canonical);
            }
        }
        if (in->ty == TY_PER && in->ckey.n >= 2 && !short_form)
            for (size_t k = 0; k < in->ckey.n; k++)
                *strmap_slot (&people, in->ckey.text.p + in->ckey.off[k], in->ckey.len[k], true) = i;
    }
    /* An ALL-CAPS mention ends with the name its body form ended with
       ("FORD" as "Ford", which became "Ford Motor").  */
    for (size_t i = 0; i < n; i++) {
        info_t *in = &info[i];
        if (in->body && in->ty == info[in->body - 1].ty
            && strcmp (in->canonical, info[in->body - 1].canonical) != 0) {
            free (in->canonical);
            in->canonical = clip_strdup (info[in->body - 1].canonical);
        }
    }
    strmap_release (&people);
    strmap_release (&acronyms);
    strmap_release (&later_people);
    strmap_release (&org_heads);
    strmap_release (&own_names);
    strmap_release (&legal_firms);
    strmap_release (&companies);
    strmap_release (&written_out);
    strmap_release (&plurals);
    strmap_release (&written_initials);
    strmap_release (&head_nouns);
    strmap_release (&head_places);
    strmap_release (&org_heads2);
    strmap_release (&after_initials);
    strmap_release (&ends);
    free (ends_text);
    strmap_release (&by_initials);
    textruns_release (&runs);
    for (int t = 0; t < 4; t++)
        strmap_release (&names[t]);

    for (size_t i = 0; i < n; i++) {
        info_t *in = &info[i];
        if (in->ty != TY_OTHER) {
            clip_mention_t *m = &mentions[i];
            free (m->canonical);
            m->canonical = in->canonical;
            m->type = type_names[in->ty];
            in->canonical = NULL;
        }
        words_release (&in->key);
        words_release (&in->ckey);
        free (in->canonical);
    }
    free (info);
    free (acrs);
    return 0;
}
