/*  clip_ner: named entities of one article, and `clip ner ...`.

    Pipeline: clip_token (tokens and sentences with byte offsets) ->
    clip_tagger (PER ORG LOC MISC, one sentence at a time, with the
    document's history and the contexts of each name's other mentions) ->
    document consistency (clip_tagger_doc_consistency) -> spans trimmed of
    possessives, titles and stray punctuation -> clip_numex spans (MONEY
    DATE PERCENT; they win on overlap) -> clip_linker for canonical names.
    Token buffers live in the clip_ner_t and are reused: extraction
    allocates a few arrays per article, never per token.  Every step is
    linear in the text (bench/bench_analyze); a "sentence" longer than
    SENT_MAX_TOKENS tokens (no full stop for pages) is tagged in pieces.

    Also `clip ner train | eval | tag | clusters | names` (clip_ner_main);
    workers/ner/README.md says how the shipped model was made.
*/
#include "clip_ner.h"
#include "clip_clusters.h"
#include "clip_datadir.h"
#include "clip_link.h"
#include "clip_log.h"
#include "clip_numex.h"
#include "clip_tagger.h"
#include "clip_token.h"
#include "clip_util.h"

#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#define NORM_MAX 64             /* bytes of a token the tagger sees */
/*  A sentence longer than this many tokens is tagged in pieces of this
    size: prose has sentences of a few dozen tokens, and the tagger keeps
    about 110 bytes per token of the sentence at hand, which for a file
    of punctuation or of words without a full stop (one "sentence" of
    millions of tokens) came to about a gigabyte for 10 MB.  */
#define SENT_MAX_TOKENS 1024

struct clip_ner {
    clip_tagger_t *tagger;
    clip_linker_t *linker;      /* NULL when the alias table is missing */
    clip_tagdoc_t *doc;
    clip_tokens_t toks;
    char *norm;                 /* the tokens as the tagger sees them, one after
                                   another: room for NORM_MAX bytes per token,
                                   of which only what they need is touched */
    clip_word_t *words;
    uint8_t *labels;
    clip_span_t *spans;
    size_t *sents;              /* first token of each sentence, then the count */
    size_t cap;                 /* tokens the buffers hold */
};

/*  A tagged entity in token and byte terms, before merging.  */
typedef struct {
    size_t tok_start, tok_end;  /* tokens [start, end) */
    size_t start, end;          /* bytes */
    int type;
} ment_t;

/*  Add the names of the alias table (canonical TAB type TAB aliases
    separated by '|'; '#' comments; a leading '~' marks a capital standing
    for its country) to the tagger's gazetteer.  */
static void
add_alias_names (clip_tagger_t *tagger, const char *path)
{
    char *data;
    size_t len;
    if (clip_file_read (path, (size_t) 16 << 20, &data, &len) < 0)
        return;
    clip_tokens_t toks = { 0 };
    char *line = data, *end = data + len;
    int first = 1;
    while (line < end) {
        char *nl = memchr (line, '\n', (size_t) (end - line));
        char *lend = nl ? nl : end;
        char *t1 = memchr (line, '\t', (size_t) (lend - line));
        char *t2 = t1 ? memchr (t1 + 1, '\t', (size_t) (lend - t1 - 1)) : NULL;
        int type = t1 ? clip_ent_type_parse (t1 + 1, (size_t) ((t2 ? t2 : lend) - t1 - 1)) : -1;
        if (!first && line [0] != '#' && type >= 0) {
            /*  The canonical name, then each alias.  */
            char *name = line, *name_end = t1;
            for (;;) {
                if (name < name_end && *name == '~')
                    name++;
                clip_tokenize (name, (size_t) (name_end - name), &toks);
                clip_word_t words [8];
                char buf [8][64];
                if (toks.n > 0 && toks.n <= 8) {
                    for (size_t i = 0; i < toks.n; i++) {
                        const clip_token_t *t = &toks.tokens [i];
                        size_t wl = clip_token_normalise (name + t->start, t->end - t->start,
                                                          buf [i], sizeof buf [i]);
                        words [i] = (clip_word_t) { buf [i], (uint32_t) wl };
                    }
                    clip_tagger_gaz_add (tagger, type, words, toks.n);
                }
                if (name_end == t1 && t2) {
                    name = t2 + 1;
                }
                else
                if (name_end < lend && *name_end == '|')
                    name = name_end + 1;
                else
                    break;
                name_end = memchr (name, '|', (size_t) (lend - name));
                if (!name_end)
                    name_end = lend;
            }
        }
        first = 0;
        line = lend + 1;
    }
    clip_tokens_release (&toks);
    free (data);
}

clip_ner_t *
clip_ner_load (const char *data_dir, char *err, size_t err_size)
{
    char *model_dir = clip_datadir_path (data_dir, CLIP_DATA_MODEL);
    clip_tagger_t *tagger = clip_tagger_load (model_dir, err, err_size);
    free (model_dir);
    if (!tagger)
        return NULL;
    clip_ner_t *self = clip_calloc (1, sizeof *self);
    self->tagger = tagger;
    self->doc = clip_tagdoc_new ();
    char *aliases = clip_datadir_path (data_dir, CLIP_DATA_ALIASES);
    add_alias_names (tagger, aliases);
    char lerr [256];
    self->linker = clip_linker_load (aliases, lerr, sizeof lerr);
    if (!self->linker) {
        /*  Without aliases every name is its own canonical; entities are
            still worth having.  */
        char q [300];
        clip_warn ("ner_no_aliases", "error=%s", clip_log_quote (q, sizeof q, lerr));
    }
    free (aliases);
    return self;
}

void
clip_ner_destroy (clip_ner_t **self_p)
{
    assert (self_p);
    clip_ner_t *self = *self_p;
    if (!self)
        return;
    clip_tagger_destroy (&self->tagger);
    if (self->linker)
        clip_linker_destroy (&self->linker);
    clip_tagdoc_destroy (&self->doc);
    clip_tokens_release (&self->toks);
    free (self->norm);
    free (self->words);
    free (self->labels);
    free (self->spans);
    free (self->sents);
    free (self);
    *self_p = NULL;
}

void
clip_ner_entities_free (clip_ner_entity_t *entities, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free (entities [i].text);
        free (entities [i].canonical);
    }
    free (entities);
}

static void
reserve (clip_ner_t *self, size_t n)
{
    if (n <= self->cap)
        return;
    size_t cap = self->cap ? self->cap : 1024;
    while (cap < n)
        cap *= 2;
    self->norm = clip_realloc (self->norm, cap * NORM_MAX);
    self->words = clip_realloc (self->words, cap * sizeof (clip_word_t));
    self->labels = clip_realloc (self->labels, cap);
    self->spans = clip_realloc (self->spans, cap * sizeof (clip_span_t));
    self->sents = clip_realloc (self->sents, (cap + 1) * sizeof (size_t));
    self->cap = cap;
}

static int
word_is (const clip_word_t *w, const char *s)
{
    return w->len == strlen (s) && memcmp (w->text, s, w->len) == 0;
}

/*  Tokens an entity never ends with: possessives, punctuation (an
    abbreviation's own period is part of its token and stays) and lower-case
    words ("... Advisor and others").  */
static int
trailing_junk (const clip_word_t *w)
{
    if (word_is (w, "'s") || word_is (w, "'") || w->len == 0)
        return 1;
    unsigned char c = (unsigned char) w->text [0];
    if (c >= 'a' && c <= 'z')
        return 1;
    return w->len == 1 && (c == '.' || c == ',' || c == ':' || c == ';' || c == '"'
                           || c == '(' || c == ')' || c == '-');
}

/*  Titles are not part of a person's name (CoNLL and OntoNotes agree), and
    what follows one is a person whatever the tagger said ("VP Zhang").  */
static const char *const titles [] = {
    "Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "VP", "Sen", "Rep", "Gov",
    "Col", "Lt", "Capt", "Sgt", "Rev", "President", "Premier", "Prime", "Minister",
    "Chancellor", NULL
};

static int
is_title (const clip_word_t *w)
{
    for (size_t i = 0; titles [i]; i++)
        if (word_is (w, titles [i]))
            return 1;
    return 0;
}

/*  Tokens an entity never starts with: quotes and brackets, a sentence-
    initial "The" before a place ("The US"), "By" of a by-line.  */
static int
leading_junk (const clip_word_t *w, int type, int more)
{
    unsigned char c = w->len ? (unsigned char) w->text [0] : 0;
    if (w->len == 1 && (c == '"' || c == '\'' || c == '(' || c == '-' || c == ','))
        return 1;
    if (!more)
        return 0;
    if (word_is (w, "By"))
        return 1;
    return type == CLIP_ENT_LOC && (word_is (w, "The") || word_is (w, "the"));
}

/*  Nouns of office: a capitalised phrase ending in one is a title, not a
    name ("National Security Advisor", "Foreign Minister", "Chief Executive
    Officer"); CoNLL and OntoNotes leave titles unmarked.  */
static int
is_office (const clip_word_t *w)
{
    static const char *const words [] = {
        "Advisor", "Adviser", "Secretary", "Minister", "Chairman", "Chairwoman",
        "Spokesman", "Spokeswoman", "Spokesperson", "Officer", "Director", NULL
    };
    for (size_t i = 0; words [i]; i++)
        if (word_is (w, words [i]))
            return 1;
    return 0;
}

/*  Single words never a name on their own ("No. 2", a stray "Ltd.").  */
static int
never_alone (const clip_word_t *w)
{
    static const char *const words [] = {
        "No", "Mr", "Mrs", "Ms", "The", "Ltd", "Corp", "Inc", "Co", "Plc", NULL
    };
    for (size_t i = 0; words [i]; i++)
        if (word_is (w, words [i]))
            return 1;
    return 0;
}

static const char *
static_type_name (const char *t)
{
    static const char *const names [] = { "PER", "ORG", "LOC", "MISC", "MONEY", "DATE", "PERCENT" };
    for (size_t i = 0; i < sizeof names / sizeof names [0]; i++)
        if (strcmp (names [i], t) == 0)
            return names [i];
    return "MISC";
}

/*  Tokenize and tag one document; *m_out (caller owns) gets the names in
    text order.  Returns their number.  */
static size_t
tag_names (clip_ner_t *self, const char *utf8, size_t len, ment_t **m_out)
{
    clip_tokenize (utf8, len, &self->toks);
    size_t nt = self->toks.n;
    reserve (self, nt + 1);
    /*  Packed: a token of 6 bytes takes 7, not NORM_MAX (which made 64
        bytes of memory per token); at token i at most i * NORM_MAX bytes
        are used, so NORM_MAX remain.  */
    size_t used = 0;
    for (size_t i = 0; i < nt; i++) {
        const clip_token_t *t = &self->toks.tokens [i];
        char *buf = self->norm + used;
        size_t wl = clip_token_normalise (utf8 + t->start, t->end - t->start, buf, NORM_MAX);
        /*  The tagger sees "Ltd." as "Ltd", "Corp." as "Corp": CoNLL, which
            it learnt from, mostly writes them so.  Acronyms ("U.S.") and
            initials ("W.") keep their periods there too.  */
        if (wl >= 3 && buf [wl - 1] == '.' && !memchr (buf, '.', wl - 1))
            buf [--wl] = 0;
        /*  "US" is how most news now writes the country, but CoNLL, which
            the tagger learnt from, writes "U.S." (377 times in training
            against 6 for "US"): show the tagger the form it knows.  */
        if (wl == 2 && buf [0] == 'U' && buf [1] == 'S' && NORM_MAX > 4) {
            memcpy (buf, "U.S.", 5);
            wl = 4;
        }
        /*  British house style capitalises "Government" ("the British
            Government", "the US Government"); CoNLL text, and the tagger,
            know it in lower case, and the capital made "US Government" one
            MISC name.  */
        if (i > 0 && !(t->flags & CLIP_TOKEN_SENT_START)
            && ((wl == 10 && memcmp (buf, "Government", 10) == 0)
                || (wl == 14 && memcmp (buf, "Administration", 14) == 0)))
            buf [0] = (char) (buf [0] - 'A' + 'a');
        self->words [i] = (clip_word_t) { buf, (uint32_t) wl };
        used += wl + 1;
    }
    /*  Tag sentence by sentence within one document, make the document
        consistent, then cut the labels into names.  */
    size_t nsent = 0;
    self->sents [nsent++] = 0;
    for (size_t i = 1; i < nt; i++)
        if ((self->toks.tokens [i].flags & CLIP_TOKEN_SENT_START)
            || i - self->sents [nsent - 1] >= SENT_MAX_TOKENS)
            self->sents [nsent++] = i;
    self->sents [nsent] = nt;
    if (nt > 0)
        clip_tagger_tag_doc (self->tagger, self->doc, self->words, self->sents, nsent,
                             self->labels);
    size_t s;
    clip_tagger_doc_consistency (self->words, self->labels, nt);
    ment_t *m = clip_malloc ((nt + 1) * sizeof (ment_t));
    size_t nm = 0;
    s = 0;
    while (s < nt) {
        size_t e = s + 1;
        while (e < nt && !(self->toks.tokens [e].flags & CLIP_TOKEN_SENT_START))
            e++;
        size_t ns = clip_labels_spans (self->labels + s, e - s, self->spans);
        for (size_t k = 0; k < ns; k++) {
            size_t a = s + self->spans [k].start, b = s + self->spans [k].end;
            int type = self->spans [k].type;
            while (b > a && trailing_junk (&self->words [b - 1]))
                b--;
            while (a < b && leading_junk (&self->words [a], type, b - a > 1))
                a++;
            while (b - a > 1 && is_title (&self->words [a])) {
                a++;
                type = CLIP_ENT_PER;
            }
            if (a == b || (b - a == 1 && never_alone (&self->words [a]))
                || is_office (&self->words [b - 1]))
                continue;
            /*  "No. 2": a number after it makes it a rank, not a name.  */
            if (word_is (&self->words [a], "No") && b - a == 2)
                continue;
            m [nm++] = (ment_t) { a, b, self->toks.tokens [a].start,
                                  self->toks.tokens [b - 1].end, type };
        }
        s = e;
    }
    *m_out = m;
    return nm;
}

int
clip_ner_extract (clip_ner_t *self, const char *utf8, size_t len,
                  clip_ner_entity_t **out, size_t *n_out)
{
    return clip_ner_extract_max (self, utf8, len, SIZE_MAX, out, n_out, NULL);
}

int
clip_ner_extract_max (clip_ner_t *self, const char *utf8, size_t len, size_t max,
                      clip_ner_entity_t **out, size_t *n_out, bool *truncated)
{
    assert (self && out && n_out);
    *out = NULL;
    *n_out = 0;
    if (truncated)
        *truncated = false;
    ment_t *m;
    size_t nm = tag_names (self, utf8, len, &m);
    clip_numex_t *nx = NULL;
    size_t nn = 0;
    if (clip_numex_find (utf8, len, &nx, &nn) < 0) {
        free (m);
        return -1;
    }
    /*  Drop tagged names that overlap a MONEY / DATE / PERCENT span.  */
    size_t keep = 0, x = 0;
    for (size_t i = 0; i < nm; i++) {
        while (x < nn && nx [x].end <= m [i].start)
            x++;
        int overlap = 0;
        for (size_t y = x; y < nn && nx [y].start < m [i].end; y++)
            if (nx [y].end > m [i].start)
                overlap = 1;
        if (!overlap)
            m [keep++] = m [i];
    }
    nm = keep;
    /*  Only the names among the first max entities are linked (the
        linker keeps hundreds of bytes per name), and only those
        entities are made.  */
    size_t total = nm + nn;
    if (total > max) {
        size_t a = 0, b = 0;
        while (a + b < max)
            if (b >= nn || (a < nm && m [a].start < nx [b].start))
                a++;
            else
                b++;
        nm = a;
        if (truncated)
            *truncated = true;
    }

    clip_mention_t *mentions = clip_calloc (nm + 1, sizeof (clip_mention_t));
    for (size_t i = 0; i < nm; i++)
        mentions [i] = (clip_mention_t) { clip_ent_type_name (m [i].type), m [i].start, m [i].end, NULL };
    if (self->linker && nm > 0 && clip_linker_link (self->linker, utf8, len, mentions, nm) < 0) {
        for (size_t i = 0; i < nm; i++)
            free (mentions [i].canonical);
        free (mentions);
        clip_numex_free (nx, nn);
        free (m);
        return -1;
    }
    /*  Merge both lists in text order.  */
    size_t want = total < max ? total : max;
    clip_ner_entity_t *ents = clip_calloc (want + 1, sizeof (clip_ner_entity_t));
    size_t ne = 0, i = 0, j = 0;
    while (ne < want) {
        clip_ner_entity_t *e = &ents [ne++];
        if (j >= nn || (i < nm && mentions [i].start < nx [j].start)) {
            e->type = static_type_name (mentions [i].type);
            e->start = mentions [i].start;
            e->end = mentions [i].end;
            e->canonical = mentions [i].canonical
                         ? mentions [i].canonical
                         : clip_strndup (utf8 + e->start, e->end - e->start);
            i++;
        }
        else {
            e->type = clip_numex_type_name (nx [j].type);
            e->start = nx [j].start;
            e->end = nx [j].end;
            e->canonical = nx [j].canonical;
            nx [j].canonical = NULL;
            j++;
        }
        e->text = clip_strndup (utf8 + e->start, e->end - e->start);
    }
    free (mentions);
    clip_numex_free (nx, nn);
    free (m);
    *out = ents;
    *n_out = ne;
    return 0;
}

/*  ------------------------------------------------------------------------
    Scoring against hand-labelled articles.  */

static const char *const all_type_names [CLIP_NER_NTYPES] = {
    "PER", "ORG", "LOC", "MISC", "MONEY", "DATE", "PERCENT"
};

static int
type_index (const char *t)
{
    for (int i = 0; i < CLIP_NER_NTYPES; i++)
        if (strcmp (all_type_names [i], t) == 0)
            return i;
    return -1;
}

int
clip_ner_labels_read (const char *path, const char *text, size_t len,
                      clip_ner_label_t **out, size_t *n_out,
                      char *err, size_t err_size)
{
    assert (path && text && out && n_out);
    *out = NULL;
    *n_out = 0;
    char *data;
    size_t dlen;
    int r = clip_file_read (path, (size_t) 16 << 20, &data, &dlen);
    if (r < 0) {
        snprintf (err, err_size, "cannot read %s: %s", path, strerror (-r));
        return -1;
    }
    size_t cap = 64, n = 0, lineno = 0;
    clip_ner_label_t *labels = clip_malloc (cap * sizeof *labels);
    char *line = data, *end = data + dlen;
    while (line < end) {
        char *lend = memchr (line, '\n', (size_t) (end - line));
        if (!lend)
            lend = end;
        *lend = 0;
        lineno++;
        if (*line && *line != '#') {
            /*  start TAB end TAB TYPE TAB text  */
            char *f [4] = { line, NULL, NULL, NULL };
            for (int k = 1; k < 4; k++) {
                char *tab = f [k - 1] ? strchr (f [k - 1], '\t') : NULL;
                if (tab) {
                    *tab = 0;
                    f [k] = tab + 1;
                }
            }
            char *e1, *e2;
            errno = 0;
            unsigned long long a = f [1] ? strtoull (f [0], &e1, 10) : 0;
            unsigned long long b = f [1] ? strtoull (f [1], &e2, 10) : 0;
            int t = f [2] ? type_index (f [2]) : -1;
            if (!f [3] || errno || *e1 || *e2 || a >= b || b > len || t < 0) {
                snprintf (err, err_size, "%s:%zu: expected start TAB end TAB TYPE TAB text"
                          " with 0 <= start < end <= %zu and a known type", path, lineno, len);
                goto fail;
            }
            if (strlen (f [3]) != b - a || memcmp (f [3], text + a, b - a) != 0) {
                snprintf (err, err_size, "%s:%zu: text '%s' differs from the article's bytes"
                          " [%llu, %llu) '%.*s'", path, lineno, f [3], a, b,
                          (int) (b - a), text + a);
                goto fail;
            }
            if (n > 0 && a < labels [n - 1].end) {
                snprintf (err, err_size, "%s:%zu: span overlaps or precedes the one before",
                          path, lineno);
                goto fail;
            }
            if (n == cap) {
                cap *= 2;
                labels = clip_realloc (labels, cap * sizeof *labels);
            }
            labels [n++] = (clip_ner_label_t) { (size_t) a, (size_t) b, all_type_names [t] };
        }
        line = lend + 1;
    }
    free (data);
    *out = labels;
    *n_out = n;
    return 0;
fail:
    free (labels);
    free (data);
    return -1;
}

/*  A relative path that stays under the directory it is joined to.  */
static bool
path_is_safe (const char *p)
{
    if (!*p || *p == '/')
        return false;
    for (const char *s = p; *s; ) {
        const char *e = strchr (s, '/');
        size_t l = e ? (size_t) (e - s) : strlen (s);
        if (l == 0 || (l == 2 && s [0] == '.' && s [1] == '.'))
            return false;
        s += l + (e ? 1 : 0);
    }
    return true;
}

void
clip_ner_articles_free (clip_ner_article_t **articles_p, size_t n)
{
    assert (articles_p);
    clip_ner_article_t *a = *articles_p;
    if (!a)
        return;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < a [i].n; k++)
            free (a [i].canonical [k]);
        free (a [i].canonical);
        free (a [i].labels);
        free (a [i].text);
        free (a [i].file);
    }
    free (a);
    *articles_p = NULL;
}

int
clip_ner_hashed_read (const char *path, const char *text_dir,
                      clip_ner_article_t **out, size_t *n_out,
                      char *err, size_t err_size)
{
    assert (path && text_dir && out && n_out);
    *out = NULL;
    *n_out = 0;
    char *data;
    size_t dlen;
    int r = clip_file_read (path, (size_t) 16 << 20, &data, &dlen);
    if (r < 0) {
        snprintf (err, err_size, "cannot read %s: %s", path, strerror (-r));
        return -1;
    }
    clip_ner_article_t *arts = NULL;
    size_t na = 0, acap = 0, lineno = 0, cap = 0;
    char *line = data, *end = data + dlen;
    while (line < end) {
        char *lend = memchr (line, '\n', (size_t) (end - line));
        if (!lend)
            lend = end;
        *lend = 0;
        lineno++;
        if (*line && *line != '#') {
            /*  file TAB start TAB end TAB TYPE TAB xxh64 TAB canonical  */
            char *f [6] = { line };
            int nf = 1;
            for (char *c = line; *c && nf <= 6; c++)
                if (*c == '\t') {
                    *c = 0;
                    if (nf < 6)
                        f [nf] = c + 1;
                    nf++;
                }
            char *e1 = NULL, *e2 = NULL, *e3 = NULL;
            unsigned long long a = 0, b = 0, h = 0;
            int t = -1;
            if (nf == 6) {
                errno = 0;
                a = strtoull (f [1], &e1, 10);
                b = strtoull (f [2], &e2, 10);
                h = strtoull (f [4], &e3, 16);
                t = type_index (f [3]);
            }
            if (nf != 6 || errno || !isdigit ((unsigned char) f [1][0]) || *e1
            ||  !isdigit ((unsigned char) f [2][0]) || *e2 || *e3
            ||  strspn (f [4], "0123456789abcdefABCDEF") != 16 || f [4][16]
            ||  t < 0 || a >= b || !*f [5]
            ||  !path_is_safe (f [0])) {
                snprintf (err, err_size, "%s:%zu: expected file TAB start TAB end TAB TYPE TAB"
                          " xxh64 (16 hex digits) TAB canonical, with a relative file name,"
                          " start < end and a known type", path, lineno);
                goto fail;
            }
            clip_ner_article_t *art = na ? &arts [na - 1] : NULL;
            if (!art || strcmp (art->file, f [0]) != 0) {
                for (size_t i = 0; i < na; i++)
                    if (strcmp (arts [i].file, f [0]) == 0) {
                        snprintf (err, err_size, "%s:%zu: the labels of %s are not together",
                                  path, lineno, f [0]);
                        goto fail;
                    }
                if (na == acap)
                    arts = clip_realloc (arts, (acap = acap * 2 + 8) * sizeof *arts);
                art = &arts [na++];
                memset (art, 0, sizeof *art);
                art->file = clip_strdup (f [0]);
                char *txt = clip_path_join (text_dir, f [0]);
                r = clip_file_read (txt, (size_t) 64 << 20, &art->text, &art->len);
                if (r < 0) {
                    snprintf (err, err_size, "%s:%zu: cannot read %s: %s", path, lineno, txt,
                              strerror (-r));
                    free (txt);
                    goto fail;
                }
                free (txt);
                cap = 0;
            }
            if (b > art->len) {
                snprintf (err, err_size, "%s:%zu: span [%llu, %llu) is past the end of %s"
                          " (%zu bytes)", path, lineno, a, b, art->file, art->len);
                goto fail;
            }
            if (art->n > 0 && a < art->labels [art->n - 1].end) {
                snprintf (err, err_size, "%s:%zu: span overlaps or precedes the one before",
                          path, lineno);
                goto fail;
            }
            /*  The hash stands for the text: an article that differs from
                the one labelled (another version of the archive, a changed
                byte) must not be scored against labels that no longer fit.  */
            unsigned long long got = (unsigned long long) XXH64 (art->text + a, (size_t) (b - a), 0);
            if (got != h) {
                snprintf (err, err_size, "%s:%zu: %s bytes [%llu, %llu) hash to %016llx, the"
                          " label says %s: the article is not the one labelled", path, lineno,
                          art->file, a, b, got, f [4]);
                goto fail;
            }
            if (art->n == cap) {
                cap = cap * 2 + 16;
                art->labels = clip_realloc (art->labels, cap * sizeof *art->labels);
                art->canonical = clip_realloc (art->canonical, cap * sizeof *art->canonical);
            }
            art->labels [art->n] = (clip_ner_label_t) { (size_t) a, (size_t) b, all_type_names [t] };
            art->canonical [art->n++] = strcmp (f [5], "-") == 0 ? NULL : clip_strdup (f [5]);
        }
        line = lend + 1;
    }
    free (data);
    *out = arts;
    *n_out = na;
    return 0;
fail:
    clip_ner_articles_free (&arts, na);
    free (data);
    return -1;
}

int
clip_ner_score_article (clip_ner_t *self, const char *text, size_t len,
                        const clip_ner_label_t *gold, size_t ngold,
                        clip_ner_score_spans_t *score, FILE *errors)
{
    return clip_ner_score_article_canonical (self, text, len, gold, NULL, ngold, score, errors);
}

int
clip_ner_score_article_canonical (clip_ner_t *self, const char *text, size_t len,
                                  const clip_ner_label_t *gold, char *const *canonical,
                                  size_t ngold, clip_ner_score_spans_t *score, FILE *errors)
{
    assert (self && text && score);
    clip_ner_entity_t *ents;
    size_t n;
    if (clip_ner_extract (self, text, len, &ents, &n) < 0)
        return -1;
    /*  Both lists are in text order without overlaps: one merge pass.  */
    size_t i = 0, j = 0;
    while (i < ngold || j < n) {
        if (j >= n || (i < ngold && gold [i].start < ents [j].start)) {
            score->gold [type_index (gold [i].type)]++;
            if (errors)
                fprintf (errors, "missed\t%zu\t%zu\t%s\t%.*s\n", gold [i].start, gold [i].end,
                         gold [i].type, (int) (gold [i].end - gold [i].start),
                         text + gold [i].start);
            i++;
        }
        else
        if (i >= ngold || ents [j].start < gold [i].start) {
            score->found [type_index (ents [j].type)]++;
            if (errors)
                fprintf (errors, "spurious\t%zu\t%zu\t%s\t%s\n", ents [j].start, ents [j].end,
                         ents [j].type, ents [j].text);
            j++;
        }
        else {
            int gt = type_index (gold [i].type), ft = type_index (ents [j].type);
            score->gold [gt]++;
            score->found [ft]++;
            if (gold [i].end == ents [j].end && gt == ft) {
                score->correct [gt]++;
                const char *want = canonical ? canonical [i] : NULL;
                if (want && gt <= 2) {      /* PER ORG LOC, the first three types */
                    score->canon_gold++;
                    if (ents [j].canonical && strcmp (ents [j].canonical, want) == 0)
                        score->canon_right++;
                    else
                    if (errors)
                        fprintf (errors, "canonical\t%zu\t%zu\t%s\t%.*s\t%s\t-> %s\n",
                                 gold [i].start, gold [i].end, gold [i].type,
                                 (int) (gold [i].end - gold [i].start), text + gold [i].start,
                                 want, ents [j].canonical ? ents [j].canonical : "(none)");
                }
            }
            else
            if (errors)
                fprintf (errors, "wrong\t%zu\t%zu\t%s\t%.*s\t-> %zu\t%s\t%s\n", gold [i].start,
                         gold [i].end, gold [i].type, (int) (gold [i].end - gold [i].start),
                         text + gold [i].start, ents [j].end, ents [j].type, ents [j].text);
            i++;
            j++;
        }
    }
    clip_ner_entities_free (ents, n);
    return 0;
}

double
clip_ner_score_spans_f1 (const clip_ner_score_spans_t *score)
{
    return clip_score_table (NULL, CLIP_NER_NTYPES, all_type_names,
                             score->gold, score->found, score->correct);
}

double
clip_ner_score_spans_canonical (const clip_ner_score_spans_t *score)
{
    return score->canon_gold ? 100.0 * (double) score->canon_right / (double) score->canon_gold : 0;
}

void
clip_ner_score_spans_print (const clip_ner_score_spans_t *score, FILE *out)
{
    if (score->canon_gold)
        fprintf (out, "canonical %zu of %zu %.2f\n", score->canon_right, score->canon_gold,
                 clip_ner_score_spans_canonical (score));
    clip_score_table (out, CLIP_NER_NTYPES, all_type_names, score->gold, score->found, score->correct);
}

/*  ------------------------------------------------------------------------
    clip ner ...  */

static void
usage (FILE *f)
{
    fprintf (f,
        "usage: clip ner train [--train FILE] [--valid FILE] [--clusters FILE] [--names FILE|none]\n"
        "                      [--model-dir DIR] [--epochs N] [--seed N] [--no-final]\n"
        "                      [--second-pass]\n"
        "       clip ner eval FILE [--model-dir DIR]\n"
        "       clip ner eval --spans DIR|FILE.ents... [--text-dir DIR] [--data-dir DIR] [--errors]\n"
        "       clip ner eval --hashed FILE.tsv... --text-dir DIR [--data-dir DIR] [--errors]\n"
        "       clip ner eval --hashed FILE.tsv... --text-dir DIR [--data-dir DIR] [--errors]\n"
        "       clip ner tag FILE [--data-dir DIR]\n"
        "       clip ner clusters [--out FILE] DIR...\n"
        "       clip ner names [--model-dir DIR] [--out FILE] DIR...\n"
        "Defaults: eval and tag use the data directory %s;\n"
        "train, clusters and names write the model of the source tree %s,\n"
        "train reads its data from ../shared/data/conll2003 beside it.\n",
        clip_datadir_default (), clip_datadir_source ());
}

static const char *
opt_value (int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        return NULL;
    return argv [++*i];
}

static int
cmd_train (int argc, char **argv)
{
    /*  Training is the developer's: it writes the model of the source tree
        this program was built from, never an installed one.  */
    char *model_dir = clip_datadir_path (clip_datadir_source (), CLIP_DATA_MODEL);
    char *train = clip_path_join (clip_datadir_source (), "../shared/data/conll2003/train.txt");
    char *valid = clip_path_join (clip_datadir_source (), "../shared/data/conll2003/valid.txt");
    char *clusters = NULL, *names = NULL;
    clip_train_opts_t opts = { .max_epochs = 20, .final_with_valid = 1 };
    int rc = 2;
    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        if (strcmp (argv [i], "--second-pass") == 0) {
            opts.second_pass = 1;
            continue;
        }
        if (strcmp (argv [i], "--no-final") == 0) {
            opts.final_with_valid = 0;
            continue;
        }
        if (strncmp (argv [i], "--", 2) != 0 || !(v = opt_value (argc, argv, &i))) {
            usage (stderr);
            goto done;
        }
        if (strcmp (argv [i - 1], "--train") == 0) {
            free (train);
            train = clip_strdup (v);
        }
        else
        if (strcmp (argv [i - 1], "--valid") == 0) {
            free (valid);
            valid = clip_strdup (v);
        }
        else
        if (strcmp (argv [i - 1], "--clusters") == 0) {
            free (clusters);
            clusters = clip_strdup (v);
        }
        else
        if (strcmp (argv [i - 1], "--names") == 0) {
            free (names);
            names = clip_strdup (v);
        }
        else
        if (strcmp (argv [i - 1], "--model-dir") == 0) {
            free (model_dir);
            model_dir = clip_strdup (v);
        }
        else
        if (strcmp (argv [i - 1], "--epochs") == 0 || strcmp (argv [i - 1], "--seed") == 0) {
            /*  A typo must not silently train with 0 epochs or seed 0.  */
            char *end;
            errno = 0;
            unsigned long n = strtoul (v, &end, 10);
            bool epochs = strcmp (argv [i - 1], "--epochs") == 0;
            if (errno || end == v || *end || v [0] == '-' || n > (epochs ? 10000ul : UINT_MAX)
            ||  (epochs && n == 0)) {
                fprintf (stderr, "clip ner train: %s wants a %s number, got '%s'\n",
                         argv [i - 1], epochs ? "positive" : "non-negative", v);
                goto done;
            }
            if (epochs)
                opts.max_epochs = (int) n;
            else
                opts.seed = (unsigned) n;
        }
        else {
            usage (stderr);
            goto done;
        }
    }
    if (!clusters)
        clusters = clip_path_join (model_dir, "clusters.tsv");
    if (access (clusters, R_OK) != 0) {
        fprintf (stderr, "clip ner train: no clusters file %s (run clip ner clusters); "
                 "training without clusters\n", clusters);
        free (clusters);
        clusters = NULL;
    }
    if (!names)
        names = clip_path_join (model_dir, "names.tsv");
    if (strcmp (names, "none") == 0 || access (names, R_OK) != 0) {
        free (names);
        names = NULL;
    }
    if (opts.max_epochs < 1)
        opts.max_epochs = 1;
    opts.train = train;
    opts.valid = valid [0] ? valid : NULL;
    opts.clusters = clusters;
    opts.names = names;
    opts.model_dir = model_dir;
    char err [512];
    if (clip_tagger_train (&opts, stderr, err, sizeof err) < 0) {
        fprintf (stderr, "clip ner train: %s\n", err);
        rc = 1;
    }
    else {
        fprintf (stderr, "model written to %s\n", model_dir);
        rc = 0;
    }
done:
    free (model_dir);
    free (train);
    free (valid);
    free (clusters);
    free (names);
    return rc;
}

static int
cmp_str (const void *a, const void *b)
{
    return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/*  Add PATH (a label file, or a directory whose *.ents files are taken in
    sorted order) to the list.  */
static void
add_label_paths (const char *path, char ***list, size_t *n, size_t *cap)
{
    DIR *d = opendir (path);
    if (!d) {
        if (*n == *cap)
            *list = clip_realloc (*list, (*cap = *cap * 2 + 8) * sizeof (char *));
        (*list) [(*n)++] = clip_strdup (path);
        return;
    }
    size_t first = *n;
    struct dirent *e;
    while ((e = readdir (d))) {
        size_t l = strlen (e->d_name);
        if (l <= 5 || strcmp (e->d_name + l - 5, ".ents") != 0)
            continue;
        if (*n == *cap)
            *list = clip_realloc (*list, (*cap = *cap * 2 + 8) * sizeof (char *));
        (*list) [(*n)++] = clip_path_join (path, e->d_name);
    }
    closedir (d);
    qsort (*list + first, *n - first, sizeof (char *), cmp_str);
}

/*  clip ner eval --hashed FILE... : the same against labels that quote
    nothing (clip_ner_hashed_read), the articles under text_dir.  */
static int
eval_hashed (clip_ner_t *ner, char **paths, size_t np, const char *text_dir,
             bool show_errors, clip_ner_score_spans_t *score)
{
    for (size_t k = 0; k < np; k++) {
        char err [1024];
        clip_ner_article_t *arts;
        size_t na;
        if (clip_ner_hashed_read (paths [k], text_dir, &arts, &na, err, sizeof err) < 0) {
            fprintf (stderr, "clip ner eval: %s\n", err);
            return 1;
        }
        for (size_t a = 0; a < na; a++) {
            if (show_errors)
                printf ("# %s\n", arts [a].file);
            if (clip_ner_score_article_canonical (ner, arts [a].text, arts [a].len,
                                                  arts [a].labels, arts [a].canonical, arts [a].n,
                                                  score, show_errors ? stdout : NULL) < 0) {
                fprintf (stderr, "clip ner eval: extraction failed on %s\n", arts [a].file);
                clip_ner_articles_free (&arts, na);
                return 1;
            }
        }
        clip_ner_articles_free (&arts, na);
    }
    return 0;
}

/*  clip ner eval --spans PATH... : clip_ner_extract on raw articles against
    hand-labelled spans.  The article of X.ents is X.txt in the text
    directory (default: corpus/huawei of the data directory).  With
    --hashed, the paths are hashed label files (clip_ner_hashed_read) and
    --text-dir is required.  */
static int
cmd_eval_spans (int argc, char **argv)
{
    const char *data_dir = clip_datadir_default ();
    char *text_dir = NULL;
    char **paths = NULL;
    size_t np = 0, cap = 0;
    int show_errors = 0, rc = 2;
    bool hashed = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp (argv [i], "--spans") == 0)
            continue;
        if (strcmp (argv [i], "--hashed") == 0)
            hashed = true;
        else
        if (strcmp (argv [i], "--errors") == 0)
            show_errors = 1;
        else
        if (strcmp (argv [i], "--data-dir") == 0 && i + 1 < argc)
            data_dir = argv [++i];
        else
        if (strcmp (argv [i], "--text-dir") == 0 && i + 1 < argc) {
            free (text_dir);
            text_dir = clip_strdup (argv [++i]);
        }
        else
        if (argv [i][0] != '-') {
            if (np == cap)
                paths = clip_realloc (paths, (cap = cap * 2 + 8) * sizeof (char *));
            paths [np++] = clip_strdup (argv [i]);
        }
        else {
            usage (stderr);
            goto done;
        }
    }
    if (np == 0 || (hashed && !text_dir)) {
        usage (stderr);
        goto done;
    }
    if (!hashed) {
        /*  A directory stands for its *.ents files.  */
        char **given = paths;
        size_t ng = np;
        paths = NULL;
        np = cap = 0;
        for (size_t k = 0; k < ng; k++) {
            add_label_paths (given [k], &paths, &np, &cap);
            free (given [k]);
        }
        free (given);
    }
    if (!text_dir)
        text_dir = clip_datadir_path (data_dir, CLIP_DATA_HUAWEI);
    char err [1024];
    clip_ner_t *ner = clip_ner_load (data_dir, err, sizeof err);
    if (!ner) {
        fprintf (stderr, "clip ner eval: %s\n", err);
        rc = 1;
        goto done;
    }
    clip_ner_score_spans_t score;
    memset (&score, 0, sizeof score);
    rc = hashed ? eval_hashed (ner, paths, np, text_dir, show_errors, &score) : 0;
    for (size_t k = 0; k < np && rc == 0 && !hashed; k++) {
        const char *base = strrchr (paths [k], '/');
        base = base ? base + 1 : paths [k];
        size_t bl = strlen (base);
        if (bl > 5 && strcmp (base + bl - 5, ".ents") == 0)
            bl -= 5;
        char *name = clip_strprintf ("%.*s.txt", (int) bl, base);
        char *txt = clip_path_join (text_dir, name);
        char *text;
        size_t len;
        clip_ner_label_t *gold = NULL;
        size_t ngold = 0;
        int r = clip_file_read (txt, (size_t) 64 << 20, &text, &len);
        if (r < 0) {
            fprintf (stderr, "clip ner eval: cannot read %s: %s\n", txt, strerror (-r));
            rc = 1;
        }
        else {
            if (clip_ner_labels_read (paths [k], text, len, &gold, &ngold, err, sizeof err) < 0) {
                fprintf (stderr, "clip ner eval: %s\n", err);
                rc = 1;
            }
            else {
                if (show_errors)
                    printf ("# %s\n", name);
                if (clip_ner_score_article (ner, text, len, gold, ngold, &score,
                                            show_errors ? stdout : NULL) < 0) {
                    fprintf (stderr, "clip ner eval: extraction failed on %s\n", txt);
                    rc = 1;
                }
            }
            free (gold);
            free (text);
        }
        free (txt);
        free (name);
    }
    if (rc == 0)
        clip_ner_score_spans_print (&score, stdout);
    clip_ner_destroy (&ner);
done:
    for (size_t k = 0; k < np; k++)
        free (paths [k]);
    free (paths);
    free (text_dir);
    return rc;
}

static int
cmd_eval (int argc, char **argv)
{
    for (int i = 2; i < argc; i++)
        if (strcmp (argv [i], "--spans") == 0 || strcmp (argv [i], "--hashed") == 0)
            return cmd_eval_spans (argc, argv);
    const char *file = NULL;
    char *model_dir = clip_datadir_path (clip_datadir_default (), CLIP_DATA_MODEL);
    int rc = 2;
    for (int i = 2; i < argc; i++) {
        if (strcmp (argv [i], "--model-dir") == 0 && i + 1 < argc) {
            free (model_dir);
            model_dir = clip_strdup (argv [++i]);
        }
        else
        if (!file && argv [i][0] != '-')
            file = argv [i];
        else {
            usage (stderr);
            goto done;
        }
    }
    if (!file) {
        usage (stderr);
        goto done;
    }
    char err [512];
    clip_tagger_t *tagger = clip_tagger_load (model_dir, err, sizeof err);
    if (!tagger) {
        fprintf (stderr, "clip ner eval: %s\n", err);
        rc = 1;
        goto done;
    }
    clip_corpus_conll_t *corpus = clip_conll_read (file, err, sizeof err);
    if (!corpus) {
        fprintf (stderr, "clip ner eval: %s\n", err);
        clip_tagger_destroy (&tagger);
        rc = 1;
        goto done;
    }
    clip_ner_score_t score = { 0 };
    clip_tagger_eval (tagger, corpus, &score);
    clip_ner_score_print (&score, stdout);
    clip_conll_destroy (&corpus);
    clip_tagger_destroy (&tagger);
    rc = 0;
done:
    free (model_dir);
    return rc;
}

static int
cmd_tag (int argc, char **argv)
{
    const char *file = NULL, *data_dir = clip_datadir_default ();
    for (int i = 2; i < argc; i++) {
        if (strcmp (argv [i], "--data-dir") == 0 && i + 1 < argc)
            data_dir = argv [++i];
        else
        if (!file && argv [i][0] != '-')
            file = argv [i];
        else {
            usage (stderr);
            return 2;
        }
    }
    if (!file) {
        usage (stderr);
        return 2;
    }
    char err [512];
    char *data;
    size_t len;
    int r = clip_file_read (file, (size_t) 64 << 20, &data, &len);
    if (r < 0) {
        fprintf (stderr, "clip ner tag: cannot read %s: %s\n", file, strerror (-r));
        return 1;
    }
    clip_ner_t *ner = clip_ner_load (data_dir, err, sizeof err);
    if (!ner) {
        fprintf (stderr, "clip ner tag: %s\n", err);
        free (data);
        return 1;
    }
    clip_ner_entity_t *ents;
    size_t n;
    int rc = 0;
    if (clip_ner_extract (ner, data, len, &ents, &n) < 0) {
        fprintf (stderr, "clip ner tag: extraction failed\n");
        rc = 1;
    }
    else {
        for (size_t i = 0; i < n; i++)
            printf ("%zu\t%zu\t%s\t%s\t%s\n", ents [i].start, ents [i].end, ents [i].type,
                    ents [i].text, ents [i].canonical);
        clip_ner_entities_free (ents, n);
    }
    clip_ner_destroy (&ner);
    free (data);
    return rc;
}

static int
cmd_clusters (int argc, char **argv)
{
    char *model_dir = clip_datadir_path (clip_datadir_source (), CLIP_DATA_MODEL);
    char *out = clip_path_join (model_dir, "clusters.tsv");
    free (model_dir);
    char **dirs = clip_calloc ((size_t) argc, sizeof (char *));
    size_t nd = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp (argv [i], "--out") == 0 && i + 1 < argc) {
            free (out);
            out = clip_strdup (argv [++i]);
        }
        else
            dirs [nd++] = argv [i];
    }
    int rc = 0;
    char err [512];
    if (nd == 0) {
        usage (stderr);
        rc = 2;
    }
    else
    if (clip_clusters_build (dirs, nd, out, stderr, err, sizeof err) < 0) {
        fprintf (stderr, "clip ner clusters: %s\n", err);
        rc = 1;
    }
    free (dirs);
    free (out);
    return rc;
}

/*  A name found in unlabeled text and how often each type was given.  */
typedef struct {
    char *key;                  /* lower-case words joined by spaces */
    uint32_t votes [CLIP_ENT_NTYPES];
} found_t;

static int
cmp_found (const void *a, const void *b)
{
    return strcmp (((const found_t *) a)->key, ((const found_t *) b)->key);
}

#define NAMES_MIN_COUNT 3       /* seen at least this often */
#define NAMES_MIN_SHARE 0.8     /* with one type at least this often */

static int
cmd_names (int argc, char **argv)
{
    /*  Writes names.tsv into the model: the source tree's, as train.  */
    char *model_dir = clip_datadir_path (clip_datadir_source (), CLIP_DATA_MODEL);
    char *out = NULL;
    char **dirs = clip_calloc ((size_t) argc, sizeof (char *));
    size_t nd = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp (argv [i], "--out") == 0 && i + 1 < argc) {
            free (out);
            out = clip_strdup (argv [++i]);
        }
        else
        if (strcmp (argv [i], "--model-dir") == 0 && i + 1 < argc) {
            free (model_dir);
            model_dir = clip_strdup (argv [++i]);
        }
        else
            dirs [nd++] = argv [i];
    }
    if (!out)
        out = clip_path_join (model_dir, "names.tsv");
    int rc = 1;
    char err [512];
    clip_ner_t self = { 0 };
    size_t nfiles = 0;
    char **files = NULL;
    found_t *found = NULL;
    size_t nfound = 0, cap = 0, mask = 0;
    uint32_t *slots = NULL;
    if (nd == 0) {
        usage (stderr);
        rc = 2;
        goto done;
    }
    self.tagger = clip_tagger_load (model_dir, err, sizeof err);
    if (!self.tagger) {
        fprintf (stderr, "clip ner names: %s\n", err);
        goto done;
    }
    self.doc = clip_tagdoc_new ();
    files = clip_clusters_files (dirs, nd, &nfiles);
    mask = 65535;
    slots = clip_calloc (mask + 1, sizeof (uint32_t));
    size_t tokens = 0;
    for (size_t f = 0; f < nfiles; f++) {
        char *data;
        size_t len;
        if (clip_file_read (files [f], (size_t) 64 << 20, &data, &len) < 0)
            continue;
        ment_t *m;
        size_t nm = tag_names (&self, data, len, &m);
        tokens += self.toks.n;
        for (size_t i = 0; i < nm; i++) {
            if (m [i].tok_end - m [i].tok_start > 6)
                continue;
            char key [6 * NORM_MAX + 8];
            size_t o = 0;
            for (size_t t = m [i].tok_start; t < m [i].tok_end; t++) {
                const clip_word_t *w = &self.words [t];
                for (size_t b = 0; b < w->len; b++) {
                    char c = w->text [b];
                    key [o++] = (c >= 'A' && c <= 'Z') ? (char) (c | 0x20) : c;
                }
                key [o++] = t + 1 < m [i].tok_end ? ' ' : 0;
            }
            if (strpbrk (key, "\t\n"))
                continue;
            if (2 * (nfound + 1) > mask + 1) {
                size_t nmask = 2 * (mask + 1) - 1;
                uint32_t *ns = clip_calloc (nmask + 1, sizeof (uint32_t));
                for (size_t k = 0; k < nfound; k++) {
                    size_t h = (size_t) XXH3_64bits (found [k].key, strlen (found [k].key)) & nmask;
                    while (ns [h])
                        h = (h + 1) & nmask;
                    ns [h] = (uint32_t) k + 1;
                }
                free (slots);
                slots = ns;
                mask = nmask;
            }
            size_t h = (size_t) XXH3_64bits (key, strlen (key)) & mask;
            while (slots [h] && strcmp (found [slots [h] - 1].key, key) != 0)
                h = (h + 1) & mask;
            if (!slots [h]) {
                if (nfound == cap) {
                    cap = cap ? 2 * cap : 4096;
                    found = clip_realloc (found, cap * sizeof (found_t));
                }
                found [nfound] = (found_t) { .key = clip_strdup (key) };
                slots [h] = (uint32_t) ++nfound;
            }
            found [slots [h] - 1].votes [m [i].type]++;
        }
        free (m);
        free (data);
    }
    qsort (found, nfound, sizeof (found_t), cmp_found);
    size_t tcap = 1, used = 0, kept = 0;
    for (size_t k = 0; k < nfound; k++)
        tcap += strlen (found [k].key) + 8;
    char *text = clip_malloc (tcap);
    for (size_t k = 0; k < nfound; k++) {
        uint32_t total = 0, best = 0;
        int bt = 0;
        for (int t = 0; t < CLIP_ENT_NTYPES; t++) {
            total += found [k].votes [t];
            if (found [k].votes [t] > best) {
                best = found [k].votes [t];
                bt = t;
            }
        }
        if (total < NAMES_MIN_COUNT || best < NAMES_MIN_SHARE * total)
            continue;
        used += (size_t) sprintf (text + used, "%s\t%s\n", clip_ent_type_name (bt), found [k].key);
        kept++;
    }
    int r = clip_file_write_durable (out, text, used);
    free (text);
    if (r < 0) {
        fprintf (stderr, "clip ner names: cannot write %s: %s\n", out, strerror (-r));
        goto done;
    }
    fprintf (stderr, "names: %zu files, %zu tokens, %zu distinct names, %zu kept in %s\n",
             nfiles, tokens, nfound, kept, out);
    rc = 0;
done:
    for (size_t k = 0; k < nfound; k++)
        free (found [k].key);
    free (found);
    free (slots);
    for (size_t f = 0; f < nfiles; f++)
        free (files [f]);
    free (files);
    clip_tagger_destroy (&self.tagger);
    clip_tagdoc_destroy (&self.doc);
    clip_tokens_release (&self.toks);
    free (self.norm);
    free (self.words);
    free (self.labels);
    free (self.spans);
    free (dirs);
    free (out);
    free (model_dir);
    return rc;
}

int
clip_ner_main (int argc, char **argv)
{
    if (argc < 2) {
        usage (stderr);
        return 2;
    }
    if (strcmp (argv [1], "train") == 0)
        return cmd_train (argc, argv);
    if (strcmp (argv [1], "eval") == 0)
        return cmd_eval (argc, argv);
    if (strcmp (argv [1], "tag") == 0)
        return cmd_tag (argc, argv);
    if (strcmp (argv [1], "clusters") == 0)
        return cmd_clusters (argc, argv);
    if (strcmp (argv [1], "names") == 0)
        return cmd_names (argc, argv);
    usage (argc > 1 && strcmp (argv [1], "help") == 0 ? stdout : stderr);
    return 2;
}
