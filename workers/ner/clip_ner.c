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

    `clip ner train | eval | tag | clusters | names` are clip/ner.c;
    workers/ner/README.md says how the shipped model was made.
*/
#include "clip_ner.h"
#include "clip_datadir.h"
#include "clip_link.h"
#include "clip_log.h"
#include "clip_numex.h"
#include "clip_tagger.h"
#include "clip_token.h"
#include "clip_util.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

clip_ner_t *
clip_ner_load_tagger (const char *model_dir, char *err, size_t err_size)
{
    clip_tagger_t *tagger = clip_tagger_load (model_dir, err, err_size);
    if (!tagger)
        return NULL;
    clip_ner_t *self = clip_calloc (1, sizeof *self);
    self->tagger = tagger;
    self->doc = clip_tagdoc_new ();
    return self;
}

size_t
clip_ner_names_each (clip_ner_t *self, const char *utf8, size_t len,
                     clip_ner_name_fn *fn, void *arg)
{
    assert (self && fn);
    ment_t *m;
    size_t nm = tag_names (self, utf8, len, &m);
    for (size_t i = 0; i < nm; i++) {
        if (m [i].tok_end - m [i].tok_start > CLIP_NER_NAME_MAX_WORDS)
            continue;
        char key [CLIP_NER_NAME_MAX_WORDS * NORM_MAX + 8];
        size_t o = 0;
        for (size_t t = m [i].tok_start; t < m [i].tok_end; t++) {
            const clip_word_t *w = &self->words [t];
            for (size_t b = 0; b < w->len; b++) {
                char c = w->text [b];
                key [o++] = (c >= 'A' && c <= 'Z') ? (char) (c | 0x20) : c;
            }
            key [o++] = t + 1 < m [i].tok_end ? ' ' : 0;
        }
        fn (key, m [i].type, arg);
    }
    free (m);
    return self->toks.n;
}
