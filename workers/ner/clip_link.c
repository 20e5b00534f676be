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
    whose items come from one allocation) give the later full names of
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

#include <utf8proc.h>

#include "clip_utf8.h"
#include "clip_util.h"

/*  uthash allocates through clip_malloc, which ends the program on
    exhaustion with a log line, as every other allocation here does.  */
#define uthash_malloc(sz) clip_malloc (sz)
#include <uthash.h>

static const char *const type_names[] = { "PER", "ORG", "LOC", "MISC" };
enum { TY_PER = 0, TY_ORG, TY_LOC, TY_MISC, TY_OTHER };

static int
type_index (const char *type)
{
    for (int k = 0; k < 4; k++)
        if (type && strcmp (type, type_names[k]) == 0)
            return k;
    return TY_OTHER;
}

/* ----------------------------------------------------------- word lists */

static bool
in_list (const char *const *list, const char *w, size_t n)
{
    /*  The first byte first: most words differ there, and it spares the
        strlen of the long lists (titles) on every name.  */
    for (; *list; list++)
        if (n > 0 && (*list)[0] == w[0] && strlen (*list) == n && memcmp (*list, w, n) == 0)
            return true;
    return false;
}

/*  Trailing words naming a legal form, compared on the key (lower case,
    periods deleted).  */
static const char *const legal_suffixes[] = {
    "ltd", "limited", "inc", "incorporated", "corp", "corporation", "plc",
    "co", "llc", "llp", "lp", "gmbh", "ag", "sa", "nv", "bv", "spa", "srl",
    "sas", "sarl", "ab", "asa", "oy", "oyj", "kk", "pty", "pte", "bhd",
    "se", "kgaa", "lda", "ltda", "cie", NULL
};

/*  Leading words of a person mention that are titles, not names.  */
static const char *const titles[] = {
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir",
    "dame", "lord", "lady", "president", "vice", "vp", "prime", "minister",
    "premier", "chancellor", "secretary", "senator", "sen", "rep",
    "representative", "congressman", "congresswoman", "governor", "gov",
    "mayor", "chairman", "chairwoman", "chair", "ceo", "cfo", "judge",
    "justice", "general", "gen", "colonel", "col", "captain", "capt",
    "lieutenant", "lt", "sergeant", "sgt", "admiral", "adm", "king", "queen",
    "prince", "princess", "pope", "rev", "reverend", "father", "sheikh",
    "ambassador", "commissioner", "director", "chief", "executive", "deputy",
    "founder", "attorney", "spokesman", "spokeswoman", "rotating", NULL
};

/*  Words before a place name that make it a place, not its government:
    "in Beijing", "to Washington".  */
static const char *const locatives[] = {
    "in", "at", "from", "to", "into", "near", "outside", "inside", "around",
    "across", "via", "visit", "visits", "visited", "visiting", "toward",
    "towards", "through", "throughout", "within", "of", "based", NULL
};

/*  Words an acronym may skip.  */
static const char *const stopwords[] = {
    "of", "the", "and", "for", "on", "in", "de", "la", "des", "du", "der",
    "a", "an", "to", NULL
};

/*  Spelling variants, American -> British, applied word by word to keys
    (display forms keep the spelling written).  */
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

/*  The expansion of abbreviation w [0, n) (lower case), or NULL.  */
static const char *
abbreviation (const char *w, size_t n)
{
    /* Every key word is asked: the lengths and first letters of the
       list first.  */
    if (n < 3 || n > 5 || !(w[0] == 'b' || w[0] == 'i' || w[0] == 'n' || w[0] == 'm'
                             || w[0] == 'a' || w[0] == 'h'))
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

/*  A name cut into key words: text holds them joined by single spaces.  */
typedef struct {
    sbuf_t text;
    size_t n;
    size_t off[MAX_WORDS], len[MAX_WORDS];
} words_t;

static void
words_release (words_t *w)
{
    free (w->text.p);
    memset (w, 0, sizeof *w);
}

static void
words_push (words_t *w, const char *s, size_t n)
{
    if (n == 0 || w->n == MAX_WORDS)
        return;
    if (w->n > 0)
        sb_putc (&w->text, ' ');
    w->off[w->n] = w->text.len;
    w->len[w->n] = n;
    sb_put (&w->text, s, n);
    w->n++;
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
    words_t out = { 0 };
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
    const char *ab = abbreviation (w, wl);
    if (ab) {
        words_push (out, ab, strlen (ab));
        return;
    }
    words_push (out, w, wl);
}

/*  The key words of a name; see the header comment.  */
static void
key_words (const char *s, size_t n, bool person, words_t *out)
{
    memset (out, 0, sizeof *out);
    utf8proc_uint8_t *mapped = NULL;
    bool ascii = true;
    for (size_t k = 0; k < n; k++)
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
    sbuf_t cur = { 0 };
    for (size_t p = 0; p <= n;) {
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
                sb_putc (&cur, (char) (cp + 32));
            else
            if (l == 1)
                sb_putc (&cur, s[p]);
            else
                sb_put (&cur, s + p, l);
            p += l;
            continue;
        }
        /* A break.  */
        if (cur.len > 0) {
            key_word_push (out, cur.p, cur.len);
            cur.len = 0;
        }
        if (p < n && cp == '&')
            key_word_push (out, "and", 3);
        p += l;
    }
    free (cur.p);
    free (mapped);

    size_t from = 0, to = out->n;
    if (person)
        while (to - from > 1 && in_list (titles, out->text.p + out->off[from], out->len[from]))
            from++;
    else {
        if (to - from > 1 && word_is (out, from, "the"))
            from++;
        while (to - from > 1 && in_list (legal_suffixes, out->text.p + out->off[to - 1], out->len[to - 1]))
            to--;
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
    /* Fold spaces, map typographic apostrophes, trim quotes and brackets.  */
    sbuf_t b = { 0 };
    bool space = false;
    for (size_t p = 0; p < n;) {
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
            sb_putc (&b, ' ');
        space = false;
        if (is_apostrophe (cp))
            sb_putc (&b, '\'');
        else
            sb_put (&b, s + p, l);
        p += l;
    }
    if (!b.p)
        return clip_strdup ("");
    static const char trim[] = "\"'()[]{},;:";
    size_t st = 0, en = b.len;
    while (st < en && strchr (trim, b.p[st]))
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
        }
        /* "Huawei Technologies Co., Ltd." -> drop the comma left behind.  */
        while (to > from && w[to - 1].e > w[to - 1].s && b.p[w[to - 1].e - 1] == ',')
            w[to - 1].e--;
    }
    sbuf_t out = { 0 };
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
        if (ty != TY_PER && wl >= 3 && wl <= 6
            && (x = abbreviation (f, fold_word (ws, wl, f, sizeof f))) != NULL
            && strlen (x) < sizeof ab && wl > 0 && ws[0] >= 'A' && ws[0] <= 'Z') {
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
    free (b.p);
    if (!out.p)
        return clip_strdup ("");
    return out.p;
}

/* ---------------------------------------------------------- alias table */

typedef struct {
    char *canonical;
    int type;
} entry_t;

/*  One name of the table: the folded key of an alias or canonical name.  */
typedef struct {
    char *key;              /* owned */
    uint32_t entry;
    bool metonym;           /* "~Beijing": stands for the entry as an actor only */
    UT_hash_handle hh;
} slot_t;

struct clip_linker {
    entry_t *entries;
    size_t nentries, entries_cap;
    slot_t *slots;          /* uthash table by key */
};

/*  Add key -> entry.  Returns false when the key already names another
    entry.  */
static bool
table_add (clip_linker_t *self, const char *key, uint32_t entry, bool metonym, uint32_t *other)
{
    slot_t *s;
    HASH_FIND_STR (self->slots, key, s);
    if (s) {
        *other = s->entry;
        return s->entry == entry;
    }
    s = clip_calloc (1, sizeof *s);
    s->key = clip_strdup (key);
    s->entry = entry;
    s->metonym = metonym;
    HASH_ADD_KEYPTR (hh, self->slots, s->key, strlen (s->key), s);
    return true;
}

static const slot_t *
table_get (const clip_linker_t *self, const char *key)
{
    if (!key[0])
        return NULL;
    slot_t *s;
    HASH_FIND_STR (self->slots, key, s);
    return s;
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

clip_linker_t *
clip_linker_load (const char *aliases_tsv, char *err, size_t err_size)
{
    assert (aliases_tsv);
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
    slot_t *s, *tmp;
    HASH_ITER (hh, self->slots, s, tmp) {
        HASH_DEL (self->slots, s);
        free (s->key);
        free (s);
    }
    for (size_t k = 0; k < self->nentries; k++)
        free (self->entries[k].canonical);
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
    size_t body;            /* for an ALL-CAPS mention, 1 + the mixed-case
                               mention whose name it took, else 0 */
    char initials[16];      /* of a name of two words or more, not a person:
                               the capitals its acronym would have */
} info_t;

typedef struct {
    char acr[16];
    size_t mention;         /* the full name's index */
} acronym_t;

/*  The word before byte offset pos, lower-cased into buf ("" if none).  */
static void
previous_word (const char *text, size_t pos, char *buf, size_t size)
{
    size_t e = pos;
    while (e > 0 && (text[e - 1] == ' ' || text[e - 1] == '\t'))
        e--;
    /* "Beijing-based" and "U.S.-based" are handled by the tagger's span;
       here only a plain previous word counts.  */
    size_t s = e;
    while (s > 0 && ((text[s - 1] >= 'a' && text[s - 1] <= 'z') || (text[s - 1] >= 'A' && text[s - 1] <= 'Z')))
        s--;
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

/*  Letters, at least two, and none of them lower case: "BROWN-FORMAN",
    "KANSAS CITY", as ALL-CAPS headlines and datelines write names.  */
static bool
all_caps (const char *s)
{
    size_t n = strlen (s), pos = 0, upper = 0;
    while (pos < n) {
        int32_t cp = clip_utf8_next (s, n, &pos);
        if (cp < 0)
            continue;
        utf8proc_category_t c = utf8proc_category (cp);
        if (c == UTF8PROC_CATEGORY_LL || c == UTF8PROC_CATEGORY_LT)
            return false;
        if (c == UTF8PROC_CATEGORY_LU)
            upper++;
    }
    return upper >= 2;
}

/*  A wire dateline: the mention opens a line, is in capitals and a comma
    follows ("TOKYO, March 3 -", "COMMACK, N.Y., March 2 -").  The place is
    where the story was filed, the city itself, never its country.  */
static bool
at_dateline (const char *text, size_t len, const clip_mention_t *m)
{
    size_t p = m->start;
    while (p > 0 && (text[p - 1] == ' ' || text[p - 1] == '\t'))
        p--;
    if (p > 0 && text[p - 1] != '\n')
        return false;
    if (m->end >= len || text[m->end] != ',')
        return false;
    char *t = clip_strndup (text + m->start, m->end - m->start);
    bool caps = all_caps (t);
    free (t);
    return caps;
}

/*  Words that stay in lower case inside a name put back into normal case
    ("RIO DE JANEIRO" -> "Rio de Janeiro", "ISLE OF MAN").  */
static const char *const name_particles[] = {
    "de", "da", "del", "der", "di", "do", "dos", "du", "la", "le", "van",
    "von", "of", "and", "the", "on", "upon", "am", NULL
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
    fit the name's words.  */
static bool
acronym_after (const char *text, size_t len, size_t end, char *acr, size_t size)
{
    size_t p = end;
    while (p < len && (text[p] == ' ' || text[p] == '\t'))
        p++;
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
            if (!in_list (stopwords, buf, bl))
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
    if (wi < w->n && in_list (stopwords, w->text.p + w->off[wi], w->len[wi])
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
    if (full->ckey.n <= in->key.n)
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

/*  A small per-document map from a word or key (not owned) to a mention
    index, so that linking stays linear in the number of mentions.  */
typedef struct {
    const char *key;        /* not owned: the document's folded keys */
    size_t val;
    UT_hash_handle hh;
} strmap_item_t;

typedef struct {
    strmap_item_t *items;   /* uthash table by key */
    strmap_item_t *pool;    /* when not NULL, room for pool_cap items, so
                               that a map filled for every name of the
                               document costs one allocation, not one a name */
    size_t pool_used, pool_cap;
} strmap_t;

/*  A map whose first cap items come from one allocation.  */
static void
strmap_reserve (strmap_t *m, size_t cap)
{
    m->pool = clip_malloc ((cap? cap: 1) * sizeof *m->pool);   /* zeroed as used */
    m->pool_cap = cap;
}

/*  The value of key k [0, kl), NULL when absent; with insert, a new value
    0 is added when absent.  */
static size_t *
strmap_slot (strmap_t *m, const char *k, size_t kl, bool insert)
{
    strmap_item_t *it;
    HASH_FIND (hh, m->items, k, kl, it);
    if (!it && insert) {
        if (m->pool_used < m->pool_cap) {
            it = &m->pool[m->pool_used++];
            memset (it, 0, sizeof *it);
        }
        else
            it = clip_calloc (1, sizeof *it);
        it->key = k;
        HASH_ADD_KEYPTR (hh, m->items, it->key, kl, it);
    }
    return it? &it->val: NULL;
}

static void
strmap_release (strmap_t *m)
{
    strmap_item_t *it, *tmp;
    HASH_ITER (hh, m->items, it, tmp) {
        HASH_DEL (m->items, it);
        if (!(m->pool && it >= m->pool && it < m->pool + m->pool_cap))
            free (it);
    }
    free (m->pool);
    memset (m, 0, sizeof *m);
}

#define AMBIGUOUS SIZE_MAX

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
    "awards", "award", "prize", "prizes", "cup", "trophy", "festival", "games",
    "championship", "championships", "open", "shares", "stock", "index", NULL
};

/*  Is f's name the organisation of short key k with one or two words
    more ("Vantrell Data Systems" for "Vantrell Data", "Quillby
    Gallery" for "Quillby")?  Not an "of ..." ("Bank" is not "Bank of
    England"), not an event or a number after it, and not a name the
    tagger glued to another ("Ryanair/Boeing", "Sega - ESPN").  */
static bool
extends_org (const info_t *f, const words_t *k)
{
    if (f->ckey.n <= k->n || f->ckey.n > k->n + 2 || !words_prefix (&f->ckey, k))
        return false;
    if (strchr (f->canonical, '/') || strstr (f->canonical, " - "))
        return false;
    for (size_t x = k->n; x < f->ckey.n; x++) {
        const char *w = f->ckey.text.p + f->ckey.off[x];
        size_t wl = f->ckey.len[x];
        if (!(w[0] >= 'a' && w[0] <= 'z') || in_list (stopwords, w, wl)
            || in_list (event_words, w, wl))
            return false;
    }
    return true;
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
        if (in_list (stopwords, ws, w->len[k]))
            continue;
        if (o + 1 >= size || !(ws[0] >= 'a' && ws[0] <= 'z'))
            return false;
        out[o++] = (char) (ws[0] - 32);
    }
    out[o] = '\0';
    return o >= 2;
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

/*  Resolve one mention through the table; sets info fields.  */
static void
resolve_table (const clip_linker_t *self, const char *utf8, const clip_mention_t *m, info_t *in)
{
    const slot_t *s = in->key.n > 0? table_get (self, in->key.text.p): NULL;
    if (!s && in->key.n > 1) {
        /* "Britain's National Cyber Security Centre", "UK National
           Cybersecurity Centre": a place name in front of a known name.  */
        for (size_t drop = 1; drop <= 3 && drop < in->key.n && !s; drop++) {
            words_t head = { 0 }, tail = { 0 };
            for (size_t k = 0; k < drop; k++)
                words_push (&head, in->key.text.p + in->key.off[k], in->key.len[k]);
            const slot_t *h = table_get (self, head.text.p);
            if (h && self->entries[h->entry].type == TY_LOC) {
                for (size_t k = drop; k < in->key.n; k++)
                    words_push (&tail, in->key.text.p + in->key.off[k], in->key.len[k]);
                const slot_t *t = table_get (self, tail.text.p);
                if (t && self->entries[t->entry].type == TY_ORG)
                    s = t;
            }
            words_release (&head);
            words_release (&tail);
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
        return;
    const entry_t *e = &self->entries[s->entry];
    if (s->metonym) {
        /* "Beijing" stands for China, "in Beijing" for the city.  */
        char prev[16];
        previous_word (utf8, m->start, prev, sizeof prev);
        /* "Paris-based": where, not who.  */
        if (in_list (locatives, prev, strlen (prev)) || in->dateline || in->before_hyphen)
            return;
    }
    /* A one-word alias does not make a person into a place or a company.  */
    if (in->ty == TY_PER && e->type != TY_PER && in->key.n == 1)
        return;
    free (in->canonical);
    in->canonical = clip_strdup (e->canonical);
    in->ty = e->type;
    in->known = true;
}

int
clip_linker_link (const clip_linker_t *self, const char *utf8, size_t len,
                  clip_mention_t *mentions, size_t n)
{
    assert (self);
    assert (utf8 || len == 0);
    assert (mentions || n == 0);
    info_t *info = clip_calloc (n? n: 1, sizeof *info);
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
        resolve_table (self, utf8, m, in);
        key_words (in->canonical, strlen (in->canonical), in->ty == TY_PER, &in->ckey);
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
       put in normal case.  Other ALL-CAPS names stay as they are: they may
       be acronyms ("ASCS").  */
    strmap_t mixed[4] = { { 0 } };
    for (size_t i = 0; i < n; i++) {
        info_t *in = &info[i];
        if (in->ty != TY_OTHER && !in->known && in->key.n > 0 && !all_caps (in->canonical)) {
            size_t *slot = strmap_slot (&mixed[in->ty], in->key.text.p, in->key.text.len, true);
            if (*slot == 0)
                *slot = i + 1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        info_t *in = &info[i];
        if (in->ty == TY_OTHER || in->known || in->key.n == 0 || !all_caps (in->canonical))
            continue;
        size_t *slot = strmap_slot (&mixed[in->ty], in->key.text.p, in->key.text.len, false);
        char *c = NULL;
        if (slot) {
            c = clip_strdup (info[*slot - 1].canonical);
            in->body = *slot;
        }
        else if (in->dateline)
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
       definition).  */
    strmap_t later_people = { 0 }, org_heads = { 0 }, plurals = { 0 }, by_initials = { 0 };
    size_t person_words = 0;
    for (size_t i = 0; i < n; i++)
        if (info[i].ty == TY_PER && info[i].ckey.n >= 2)
            person_words += info[i].ckey.n;
    strmap_reserve (&later_people, person_words);
    strmap_reserve (&org_heads, n);
    strmap_reserve (&plurals, n);
    strmap_reserve (&by_initials, n);
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
        if (in->ty == TY_ORG && in->ckey.n >= 2)
            longest_or_ambiguous (&org_heads, in->ckey.text.p, in->ckey.len[0], info, i);
        size_t ll = in->ckey.len[in->ckey.n - 1];
        if (in->ty == TY_ORG && ll >= 3 && in->ckey.text.p[in->ckey.text.len - 1] == 's')
            first_or_ambiguous (&plurals, in->ckey.text.p, in->ckey.text.len - 1, info, i);
        if (in->ty != TY_PER && in->ckey.n >= 2 && name_initials (&in->ckey, in->initials,
                                                                   sizeof in->initials))
            first_or_ambiguous (&by_initials, in->initials, strlen (in->initials), info, i);
    }

    /* Pass 2: acronyms, short mentions, repeated unknown names.  people
       maps each word of a full person name to the latest such mention
       seen; names maps each unknown key, per type, to its first mention.  */
    strmap_t people = { 0 }, names[4] = { { 0 } }, acronyms = { 0 };
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
        if (!in->known && in->key.n == 1) {
            const char *s = utf8 + m->start;
            size_t sl = m->end - m->start;
            /* An acronym defined anywhere in the article.  */
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
            && (in->ty == TY_PER || (in->capitalised && in->key.n == 1))) {
            /* "Guo" or "Mr Guo" after "Guo Ping": the latest earlier
               person whose name holds the first word, if it holds them
               all.  */
            size_t *j = strmap_slot (&people, in->key.text.p, in->key.len[0], false);
            if (j && take_full_name (in, &info[*j]))
                short_form = true;
            /* None earlier: the first full name written after it.  */
            j = strmap_slot (&later_people, in->key.text.p, in->key.len[0], false);
            if (!in->known && j && *j - 1 > i && take_full_name (in, &info[*j - 1]))
                short_form = true;
        }
        if (!in->known && in->ty == TY_ORG && in->key.n > 0) {
            /* "Vantrell Data" for "Vantrell Data Systems", "Quillby"
               for "Quillby Gallery": the leading words of one longer
               organisation of the document, which adds at most two words
               and not an "of ..." ("Bank" is not "Bank of England").  */
            size_t *j = strmap_slot (&org_heads, in->key.text.p, in->key.len[0], false);
            if (j && *j != AMBIGUOUS && *j - 1 != i
                && (*j - 1 < i || all_caps (in->canonical))
                && !ends_legal (utf8 + m->start, m->end - m->start)) {
                const info_t *f = &info[*j - 1];
                if (extends_org (f, &in->key))
                    take_name (in, f, false);
            }
            /* "Green Progressive" for "Green Progressives".  */
            j = strmap_slot (&plurals, in->key.text.p, in->key.text.len, false);
            if (!in->known && j && *j != AMBIGUOUS && *j - 1 != i)
                take_name (in, &info[*j - 1], false);
        }
        if (!in->known && in->key.n == 1) {
            /* An acronym never defined, spelling the initials of a name
               of the document ("NFB", "National Fisheries Board"): that
               name, and its type.  */
            char caps[16];
            if (acronym_form (utf8 + m->start, m->end - m->start, caps, sizeof caps)) {
                size_t *j = strmap_slot (&by_initials, caps, strlen (caps), false);
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
                    size_t rs, re;
                    if (textruns_find (&runs, utf8, len, caps, &rs, &re)) {
                        free (in->canonical);
                        in->canonical = display_form (utf8 + rs, re - rs, in->ty);
                        in->known = true;
                    }
                }
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
    strmap_release (&plurals);
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
