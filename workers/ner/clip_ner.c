/*  clip_ner: named entities of one article, and `clip ner ...`.

    Pipeline: clip_token (tokens and sentences with byte offsets) ->
    clip_tagger (PER ORG LOC MISC, one sentence at a time, with the
    document's history and the contexts of each name's other mentions) ->
    document consistency (clip_tagger_doc_consistency) -> spans trimmed of
    possessives, titles and stray punctuation, and cut or joined by rules
    (add_name, merge_by_acronym; issue 14): a title inside a name before a
    person ("Philippine Trade Secretary Jose Alcuaz" -> MISC + PER), a
    name before a "-based" / "-type" / ... suffix ("Mexico-type" ->
    "Mexico"), two known places or nationalities joined by a hyphen
    ("France-Germany", "US-Chinese") or by a title-case "And" in a
    headline, a name completed by the acronym after it ("Rural Water and
    Power Authority (RWPA)"), a type from a name's head word (head_type:
    "... Grand Prix", "... Act", "... Rates" MISC, "... Stadium", "the
    Dome" LOC, "... N.V.", "... City Council" ORG, a legal suffix the
    tagger left out taken in, holidays MISC, "Tories" ORG; "Class A"
    dropped), religious and noble honorifics outside a person's name
    ("Ayatollah", "Baroness", "Lord" before a name), a name the tagger cut
    before its hyphenated participle joined ("European Union-funded" ->
    "European Union"), and from dev2's errors (issue 14): honorifics and
    titles cut through by the tagger ("Sir", "Chancellor of the [Exchequer
    Jane Doe]", "[U.S. Treasury] Secretary"), the wire's sign-off an ORG,
    tickers in angle brackets dropped, partners' names before a legal suffix
    one company, a headline's name cut before a word the body writes in
    lower case, a name completed by an acronym written anywhere, "(R-Kan.)"
    as party and state, products and works typed by the nouns around them
    (type_by_context: "the Zorix virus", "the film ...") -> clip_numex spans
    (MONEY DATE PERCENT; they win on overlap) -> clip_linker for canonical
    names.  The rules ask a lexicon, the tagger's gazetteer (the CoNLL names
    of gazetteer.tsv and the alias table's, clip_tagger_gaz_types), what a
    piece of a name is.
    Token buffers live in the clip_ner_t and are reused: extraction
    allocates a few arrays per article, never per token.  Every step is
    linear in the text (bench/bench_analyze); a "sentence" longer than
    SENT_MAX_TOKENS tokens (no full stop for pages) is tagged in pieces.

    `clip ner train | conll | eval | tag | clusters | names` are clip/ner.c;
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
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NORM_MAX CLIP_NER_WORD_MAX /* bytes of a token the tagger sees */
/*  A sentence longer than this many tokens is tagged in pieces of this
    size: prose has sentences of a few dozen tokens, and the tagger keeps
    about 110 bytes per token of the sentence at hand, which for a file
    of punctuation or of words without a full stop (one "sentence" of
    millions of tokens) came to about a gigabyte for 10 MB.  */
#define SENT_MAX_TOKENS 1024

struct clip_ner {
    clip_tagger_t *tagger;      /* its gazetteer also tells the rules after
                                   tagging what a name is (lex_words) */
    const char *text;           /* the document being extracted */
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

/*  Compared byte by byte, s's end found on the way (its NUL matches no
    byte of the word): the rules ask about nearly every name, most words
    differ from s at their first byte, and a strlen of s each time cost
    more than the comparison.  */
static int
word_is (const clip_word_t *w, const char *s)
{
    for (uint32_t k = 0; k < w->len; k++)
        if (s [k] != w->text [k] || s [k] == 0)
            return 0;
    return s [w->len] == 0;
}

/*  The word lists of the rules, by number (list_mask's bits; the lists
    are below, each by the rules that ask it, s_lists after them).  */
enum {
    L_TITLES, L_OFFICE_NOUNS, L_NEVER_ALONE, L_OFFICES_BEFORE_NAME, L_TITLE_WORDS,
    L_TITLE_JOINS, L_NOT_IN_PERSON, L_PORTFOLIOS, L_HEADS_MISC, L_EVENT_TAILS, L_HEADS_LOC,
    L_HEADS_ORG, L_HOLIDAYS, L_GREETINGS, L_HEADS_COMPANY, L_GEO_HEADS, L_PARTIES,
    L_PRODUCT_NOUNS, L_WORK_NOUNS, L_ACRONYM_JOINS, L_TITLE_INNER, L_COMMON_ABBREVIATIONS,
    L_TIME_ZONES, L_HEADS_BODY, L_DIRECTIONS, L_REGION_ADJECTIVES, L_MEMBER_TITLES,
    L_WORK_PLURALS, L_ORG_TAILS, L_NAME_TITLES, L_HEADS_SITE, L_STATIONS, L_COUNT
};

/*  The words of all lists by hash, built once (lists_build): open
    addressing over LIST_SLOTS slots (under a quarter full), each an
    entry's index + 1, 0 for empty; an entry is a spelling and the lists
    that hold it as a bit per list.  One table has the words as written
    (word_among), the other ASCII case folded (word_in).  The rules ask
    about nearly every name, each time a few lists of dozens of words, most
    of them holding none: a hash and, nearly always, an empty slot, where
    a scan compared the word with every entry.  */
#define LIST_BITS 12
#define LIST_SLOTS (1u << LIST_BITS)
#define LIST_ENTRIES (LIST_SLOTS / 4)

typedef struct {
    const char *word;
    size_t len;
    uint32_t lists;             /* 1 << L_... */
} list_entry_t;

typedef struct {
    list_entry_t entries [LIST_ENTRIES];
    size_t n;
    uint16_t slots [LIST_SLOTS];
} list_table_t;

static list_table_t s_exact, s_folded;
static size_t s_list_max_len;           /* no longer word is in a list */
static pthread_once_t s_lists_once = PTHREAD_ONCE_INIT;

static char ascii_lower (char c);
static int same_text (const char *a, const char *b, size_t n);

/*  The entry of t for s [0, n) (n > 0; case folded when fold, t being
    s_folded), or NULL with *slot its free slot.  The hash is of the
    length and the first, middle and last bytes: cheaper than one of every
    byte, and with a few hundred words in the table nearly as sparse.  */
static inline const list_entry_t *
list_find (const list_table_t *t, int fold, const char *s, size_t n, size_t *slot)
{
    unsigned char c0 = (unsigned char) s [0], c1 = (unsigned char) s [n / 2];
    unsigned char c2 = (unsigned char) s [n - 1];
    if (fold) {
        c0 = (unsigned char) ascii_lower ((char) c0);
        c1 = (unsigned char) ascii_lower ((char) c1);
        c2 = (unsigned char) ascii_lower ((char) c2);
    }
    uint64_t key = (uint64_t) n | (uint64_t) c0 << 8 | (uint64_t) c1 << 16 | (uint64_t) c2 << 24;
    size_t i = (size_t) ((key * 0x9E3779B97F4A7C15ULL) >> (64 - LIST_BITS));
    for (; t->slots [i]; i = (i + 1) & (LIST_SLOTS - 1)) {
        const list_entry_t *e = &t->entries [t->slots [i] - 1];
        if (e->len == n && (fold ? same_text (e->word, s, n) : memcmp (e->word, s, n) == 0))
            return e;
    }
    *slot = i;
    return NULL;
}

/*  The lists (bits 1 << L_...) that hold w: as written when exact, else
    in any ASCII case.  */
static uint32_t
list_mask (const clip_word_t *w, int exact)
{
    if (w->len == 0 || w->len > s_list_max_len)
        return 0;
    size_t slot;
    const list_entry_t *e = exact ? list_find (&s_exact, 0, w->text, w->len, &slot)
                                  : list_find (&s_folded, 1, w->text, w->len, &slot);
    return e ? e->lists : 0;
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
    what follows one is a person whatever the tagger said ("VP Zhang").
    Honorifics too: workers/ner/README.md labels "Sir" outside the name.  */
static const char *const titles [] = {
    "Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "VP", "Sen", "Rep", "Gov",
    "Col", "Lt", "Capt", "Sgt", "Rev", "President", "Premier", "Prime", "Minister",
    "Chancellor", "Sir", "Dame",
    /*  Members of a parliament ("opposition MP Jane Doe"), which the
        tagger glued to the name as an ORG (dev5).  */
    "MP", "MEP", "MSP",
    /*  Religious and noble honorifics, outside the name as "Sir" is
        (workers/ner/README.md): the tagger kept them in it.  "Lord" and
        "Lady" only before a capitalised name (title_at).  */
    "Ayatollah", "Hojatoleslam", "Sheikh", "Sheik", "Imam", "Cardinal", "Rabbi",
    "Archbishop", "Bishop", "Reverend", "Baroness", "Baron", "Lady", "Lord", NULL
};

/*  Royal, noble and judicial titles, outside the name too ("Prince
    [Edward]", "Count [Olaf]", "Mr Justice [Brown]", "Lord Justices [Ames]
    and [Bell]"), but words of names and phrases as often ("Justice
    Department", "the Queen Vic", "Duke of York", "King Edward Hospital"):
    a title only before a person's name (title_at).  */
static const char *const name_titles [] = {
    "Justice", "Justices", "Judge", "Prince", "Princess", "Queen", "King", "Duke",
    "Duchess", "Count", "Countess", "Earl", "Viscount", "Viscountess", "Marquess",
    "Emperor", "Empress", NULL
};

static inline int word_among (const clip_word_t *w, int list);

static int
is_title (const clip_word_t *w)
{
    return word_among (w, L_TITLES);
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
static const char *const office_nouns [] = {
    "Advisor", "Adviser", "Secretary", "Minister", "Chairman", "Chairwoman",
    "Spokesman", "Spokeswoman", "Spokesperson", "Officer", "Director", "Chancellor",
    "Commissioner", NULL
};

static int
is_office (const clip_word_t *w)
{
    return word_among (w, L_OFFICE_NOUNS);
}

/*  Single words never a name on their own ("No. 2", a stray "Ltd.").  */
static const char *const never_alone_words [] = {
    "No", "Mr", "Mrs", "Ms", "The", "Ltd", "Corp", "Inc", "Co", "Plc",
    /*  Members' titles and the adjective of Parliament, which the tagger
        took for organisations ("An MP has", "his Parliamentary office").  */
    "MP", "MPs", "MEP", "MEPs", "MSP", "MSPs", "Parliamentary",
    /*  A joining sign the tagger cut out of a name ("Serbia & Montenegro").  */
    "&", NULL
};

static int
never_alone (const clip_word_t *w)
{
    return word_among (w, L_NEVER_ALONE);
}

static const char *
static_type_name (const char *t)
{
    clip_entity_type_t type = clip_entity_type_parse (t);
    return clip_entity_type_name (type == CLIP_ENTITY_TYPE_UNKNOWN ? CLIP_ENTITY_TYPE_MISC : type);
}

/* ------------------------------------------------ rules after the tagger */

/*  The longest name the title and "And" rules look into.  */
#define RULE_MAX_WORDS 16

static char
ascii_lower (char c)
{
    return (c >= 'A' && c <= 'Z') ? (char) (c | 0x20) : c;
}

/*  Bytes [a, a + n) and [b, b + n) equal but for ASCII case.  */
static int
same_text (const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ascii_lower (a [i]) != ascii_lower (b [i]))
            return 0;
    return 1;
}

/*  Case-insensitive (ASCII) membership of a word in a list (L_...).  */
static inline int
word_in (const clip_word_t *w, int list)
{
    return (int) (list_mask (w, 0) >> list) & 1;
}

/*  Nouns of office that may stand inside a phrase before a person's name
    ("Transport Secretary Jane Doe", "Central Bank Governor John Smith",
    "Federal Reserve chief Paul Volcker").  */
static const char *const offices_before_name [] = {
    "Secretary", "Minister", "Governor", "Chancellor", "Chairman", "Chairwoman",
    "President", "Premier", "Director", "Commissioner", "Ambassador", "Spokesman",
    "Spokeswoman", "Spokesperson", "Adviser", "Advisor", "Officer", "Chief", "Mayor",
    "Senator", "Treasurer", "Envoy", "Leader", "Secretary-General", "Director-General",
    "Attorney-General", "Vice-President", "Vice-Chairman", "Manager", "Coach", "MP", "MEP",
    "MSP", NULL
};

/*  Words of a title around its noun of office: portfolios and ranks
    ("Finance", "Foreign", "Deputy", "Prime"), "of" / "for" and the like,
    so that "Deputy Prime Minister", "Secretary of State" and "Minister for
    Foreign Affairs" are one title.  */
static const char *const title_words [] = {
    "Finance", "Foreign", "Home", "Interior", "Defence", "Defense", "Treasury", "Trade",
    "Transport", "Health", "Education", "Environment", "Culture", "Energy", "Agriculture",
    "Justice", "Labour", "Labor", "Economy", "Economic", "Economics", "Industry",
    "Commerce", "Employment", "Work", "Pensions", "Media", "Sport", "Sports", "Housing",
    "Development", "International", "Prime", "Deputy", "Vice", "Shadow", "Acting",
    "Chief", "Executive", "Junior", "Senior", "Assistant", "Under", "General", "Attorney",
    "Press", "Communications", "Budget", "Planning", "Oil", "Petroleum", "Information",
    "Security", "National", "Cabinet", "Science", "Technology", "Tourism", "Fisheries",
    "Food", "Immigration", "Affairs", "State", "Managing", "First", "Exchequer", NULL
};

static const char *const title_joins [] = { "of", "for", "the", "and", "&", NULL };

/*  Words a person's name does not hold: what follows a title is an
    organisation when one of them is there ("Minister of State Office").  */
static const char *const not_in_person [] = {
    "Office", "Department", "Ministry", "Council", "Committee", "Commission", "Bank",
    "Board", "Agency", "Service", "Group", "Party", "Association", "Institute",
    "University", "Company", "Corp", "Inc", "Ltd", "Co", "Plc", "Fund", "Authority",
    "Court", "House", "Union", "Club", "Reserve", "Bureau", "Corporation", NULL
};

static int
is_upper_initial (const clip_word_t *w)
{
    unsigned char c = w->len ? (unsigned char) w->text [0] : 0;
    return (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/*  The lower-cased key of words [a, b), with an optional last word cut
    to last_len bytes, joined by one space, into key (size bytes).
    Returns its length, 0 when it does not fit.  */
static size_t
words_key (const clip_word_t *w, size_t a, size_t b, size_t last_len, char *key, size_t size)
{
    size_t o = 0;
    for (size_t i = a; i < b; i++) {
        size_t wl = (i + 1 == b && last_len) ? last_len : w [i].len;
        if (o + wl + 2 > size)
            return 0;
        if (i > a)
            key [o++] = ' ';
        for (size_t c = 0; c < wl; c++) {
            char ch = w [i].text [c];
            key [o++] = (ch >= 'A' && ch <= 'Z') ? (char) (ch | 0x20) : ch;
        }
    }
    return o;
}

#define NAME_KEY_MAX 256        /* bytes of a name the rules ask about, joined */

/*  The types the tagger's gazetteer (CoNLL names and the alias table)
    knows words [a, b) by (the last cut to last_len bytes when not 0), a
    bit per type, 0 when none or when the words joined by spaces would be
    NAME_KEY_MAX bytes or more (words_key's bound).  */
static unsigned
lex_words (const clip_ner_t *self, size_t a, size_t b, size_t last_len)
{
    clip_word_t w [NAME_KEY_MAX];
    size_t o = 0;
    for (size_t i = a; i < b; i++) {
        size_t wl = (i + 1 == b && last_len) ? last_len : self->words [i].len;
        if (o + wl + 2 > NAME_KEY_MAX)
            return 0;
        o += (i > a) + wl;
        w [i - a] = (clip_word_t) { self->words [i].text, (uint32_t) wl };
    }
    return clip_tagger_gaz_types (self->tagger, w, b - a);
}

/*  Word a of a name [a, b) is a title before a person's name: not when
    the lexicon knows the whole name as something else than a person (a
    town or a company whose first word is a title's), and "Lord" and
    "Lady" only before a capitalised word other than "of" ("the House of
    Lords", "Lord of the ...").  */
static int person_after_title (const clip_ner_t *self, size_t e, size_t b);

static int
title_at (const clip_ner_t *self, size_t a, size_t b)
{
    const clip_word_t *w = self->words;
    if (b - a < 2)
        return 0;
    /*  A royal, noble or judicial title: before a person's name only
        (person_after_title: no office, no organisation's word), not after
        "the" ("the King Edward ...", a building's name).  */
    if (word_among (&w [a], L_NAME_TITLES)) {
        if (!is_upper_initial (&w [a + 1]) || word_is (&w [a + 1], "Of")
            || !person_after_title (self, a + 1, b)
            || (a > 0 && (word_is (&w [a - 1], "the") || word_is (&w [a - 1], "The"))))
            return 0;
    }
    else
    if (!is_title (&w [a]))
        return 0;
    if ((word_is (&w [a], "Lord") || word_is (&w [a], "Lady"))
        && (!is_upper_initial (&w [a + 1]) || word_is (&w [a + 1], "Of")))
        return 0;
    unsigned mask = lex_words (self, a, b, 0);
    return !mask || (mask & (1u << CLIP_ENT_PER));
}

/*  Endings of adjectives of nationality ("Philippine", "Czech",
    "Chinese", "Kenyan", "Spanish", "Iraqi"): a word the lexicon has both
    as a place and as MISC is the adjective when it ends so.  */
static int
adjective_like (const char *key, size_t n)
{
    static const char *const ends [] = { "ine", "ch", "ese", "an", "ish", "i", "ic", NULL };
    for (size_t i = 0; ends [i]; i++) {
        size_t el = strlen (ends [i]);
        if (n > el + 2 && memcmp (key + n - el, ends [i], el) == 0)
            return 1;
    }
    return 0;
}

/*  A type from the lexicon's types of a name (key, lower-case);
    fallback when it knows none.  A place before a nationality before an
    organisation ("US", "Chinese"), except for a word shaped like an
    adjective of nationality.  */
static int
lex_type_of (unsigned mask, const char *key, size_t n, int fallback)
{
    if (!mask)
        return fallback;
    if (fallback >= 0 && (mask & (1u << fallback)))
        return fallback;
    unsigned loc_misc = (1u << CLIP_ENT_LOC) | (1u << CLIP_ENT_MISC);
    if ((mask & loc_misc) == loc_misc && !memchr (key, ' ', n) && adjective_like (key, n))
        return CLIP_ENT_MISC;
    static const int order [] = { CLIP_ENT_LOC, CLIP_ENT_MISC, CLIP_ENT_ORG, CLIP_ENT_PER };
    for (size_t i = 0; i < 4; i++)
        if (mask & (1u << order [i]))
            return order [i];
    return fallback;
}

/*  The lexicon's type of words [a, b) (the last cut to last_len bytes
    when not 0), fallback when it does not know them.  */
static int
lex_type_words (const clip_ner_t *self, size_t a, size_t b, size_t last_len, int fallback)
{
    char key [NAME_KEY_MAX];
    size_t kl = words_key (self->words, a, b, last_len, key, sizeof key);
    return kl ? lex_type_of (lex_words (self, a, b, last_len), key, kl, fallback) : fallback;
}

/*  Does a word in lower case come before byte offset at on its line
    (looking back 160 bytes at most)?  Then the line is running text, no
    title-case headline.  */
static int
lower_case_before (const char *text, size_t at)
{
    for (size_t p = at, k = 0; p > 1 && k < 160 && text [p - 1] != '\n'; p--, k++)
        if (text [p - 1] >= 'a' && text [p - 1] <= 'z'
            && (text [p - 2] == ' ' || text [p - 2] == '\n' || text [p - 2] == '"'))
            return 1;
    return 0;
}

/*  Add a name [a, b) (tokens; bytes [start, end)) to m.  */
static void
push_name (ment_t *m, size_t *nm, size_t a, size_t b, size_t start, size_t end, int type)
{
    m [(*nm)++] = (ment_t) { a, b, start, end, type };
}

static void
push_tokens (const clip_ner_t *self, ment_t *m, size_t *nm, size_t a, size_t b, int type)
{
    push_name (m, nm, a, b, self->toks.tokens [a].start,
               self->toks.tokens [b - 1].end, type);
}

/*  Token t (of a sentence ending at token e) is a member's title after
    a constituency: "MP", "MEP", "MSP", and "AM" (also a time) only before
    a capitalised word of the same sentence.  */
static int
member_title (const clip_ner_t *self, size_t t, size_t e)
{
    const clip_word_t *w = &self->words [t];
    if (!word_among (w, L_MEMBER_TITLES))
        return 0;
    return !word_is (w, "AM")
           || (t + 1 < e && is_upper_initial (&w [1])
               && !(self->toks.tokens [t + 1].flags & CLIP_TOKEN_SENT_START));
}

/*  The type of a name [a, b) before a member's title: a constituency, a
    place ("Kirkdale North MP"), unless it is a party ("Labour MP", "Tory
    MEP", "SNP MSP") or a nationality ("British MP").  The lexicon's type
    when it knows the name (a place first); else a place when the name
    ends in a word of direction ("Harlow West", "Glasgow Central") or
    starts with a place the lexicon knows, type otherwise ("Liberal
    Democrat", unknown to it; "Green", a person's name to it).  */
static int
constituency_type (const clip_ner_t *self, size_t a, size_t b, int type)
{
    const clip_word_t *w = self->words;
    if (word_among (&w [b - 1], L_PARTIES))
        return type;
    /*  An acronym is a party's ("SNP").  */
    int lower = 0;
    for (size_t c = 0; c < w [a].len && !lower; c++)
        lower = w [a].text [c] >= 'a' && w [a].text [c] <= 'z';
    if (b - a == 1 && !lower)
        return type;
    /*  A name the lexicon knows only as a person's is a party's here
        ("Green MEP").  */
    unsigned mask = lex_words (self, a, b, 0) & ~(1u << CLIP_ENT_PER);
    char key [NAME_KEY_MAX];
    size_t kl = words_key (w, a, b, 0, key, sizeof key);
    if (mask && kl)
        return lex_type_of (mask, key, kl, CLIP_ENT_LOC);
    if (b - a >= 2 && word_among (&w [b - 1], L_DIRECTIONS) && !word_is (&w [b - 1], "Latin"))
        return CLIP_ENT_LOC;
    if (b - a >= 2 && (lex_words (self, a, a + 1, 0) & (1u << CLIP_ENT_LOC)))
        return CLIP_ENT_LOC;
    return type;
}

/*  What stands before a title ("Philippine" in "Philippine Finance
    Secretary ...", "UK" in "UK National Security Adviser"): its own name,
    typed by the lexicon, an organisation when it knows nothing; before a
    member's title, a constituency (constituency_type).  */
static void
push_prefix (const clip_ner_t *self, ment_t *m, size_t *nm, size_t a, size_t j)
{
    int member = j < self->toks.n && member_title (self, j, self->toks.n);
    while (j > a && trailing_junk (&self->words [j - 1]))
        j--;
    if (j == a || !is_upper_initial (&self->words [a])
        || (j - a == 1 && never_alone (&self->words [a])))
        return;
    /*  One word the lexicon does not know, capitalised only because it
        opens the sentence ("New Home Secretary ..."), is no name.  */
    if (j - a == 1 && (self->toks.tokens [a].flags & CLIP_TOKEN_SENT_START)
        && !lex_words (self, a, j, 0))
        return;
    /*  Nor is one generic noun ("Bank Governor ..."), nor one word the
        lexicon does not know that news writes in lower case ("High
        Commissioner", "Loan Commissioner": clip_tagger_cap_bucket).  */
    if (j - a == 1 && word_in (&self->words [a], L_NOT_IN_PERSON))
        return;
    if (j - a == 1 && !lex_words (self, a, j, 0)) {
        int cap = clip_tagger_cap_bucket (self->tagger, &self->words [a]);
        if (cap >= 0 && cap < 2)
            return;
    }
    push_tokens (self, m, nm, a, j,
                 member ? constituency_type (self, a, j, lex_type_words (self, a, j, 0, CLIP_ENT_ORG))
                        : lex_type_words (self, a, j, 0, CLIP_ENT_ORG));
}

/*  Words [e, b) can be a person's name after a title: one to four
    capitalised words, none of an organisation or an office, and not a
    name the lexicon knows only as a place or an organisation ("Secretary
    of State for Scotland").  */
static int
person_after_title (const clip_ner_t *self, size_t e, size_t b)
{
    const clip_word_t *w = self->words;
    if (e >= b || b - e > 4)
        return 0;
    for (size_t i = e; i < b; i++)
        if (!is_upper_initial (&w [i]) || word_in (&w [i], L_NOT_IN_PERSON)
            || word_in (&w [i], L_OFFICES_BEFORE_NAME))
            return 0;
    unsigned mask = lex_words (self, e, b, 0);
    return !mask || (mask & (1u << CLIP_ENT_PER));
}

/*  Portfolios that name a department ("Treasury", "Finance"): a name
    ending in one right before a noun of office ("U.S. Treasury
    Secretary Jane Doe") is the country's, the portfolio being the
    title's.  */
static const char *const portfolios [] = {
    "Treasury", "Finance", "Foreign", "Defence", "Defense", "Interior", "Home", "Trade",
    "Agriculture", "Justice", "Health", "Education", "Transport", "Commerce", "Economy",
    NULL
};

/*  The title around a name [a, b) the tagger cut out of it, tokens nt:
    a name that starts with the portfolio of a title whose noun of office
    stands before it ("Chancellor of the [Exchequer Jane Doe]") is the
    person after the portfolio; a name known as a place or nationality
    followed by a portfolio, the noun of office after it ("[U.S.
    Treasury] Secretary"), is the place.  Pushes and returns 1, else 0.  */
static int
split_title_around (const clip_ner_t *self, ment_t *m, size_t *nm, size_t a, size_t b,
                    size_t nt)
{
    const clip_word_t *w = self->words;
    const clip_token_t *tok = self->toks.tokens;
    if (a > 0 && is_upper_initial (&w [a])) {
        size_t p = a;
        while (p > 0 && word_in (&w [p - 1], L_TITLE_JOINS) && !(tok [p].flags & CLIP_TOKEN_SENT_START))
            p--;
        if (p > 0 && !(tok [p].flags & CLIP_TOKEN_SENT_START) && is_upper_initial (&w [p - 1])
            && word_in (&w [p - 1], L_OFFICES_BEFORE_NAME) && word_in (&w [a], L_TITLE_WORDS)) {
            size_t e = a;
            while (e < b && word_in (&w [e], L_TITLE_WORDS))
                e++;
            if (person_after_title (self, e, b)) {
                push_tokens (self, m, nm, e, b, CLIP_ENT_PER);
                return 1;
            }
        }
    }
    if (b < nt && b - a >= 2 && word_in (&w [b], L_OFFICES_BEFORE_NAME) && is_upper_initial (&w [b])
        && !(tok [b].flags & CLIP_TOKEN_SENT_START) && word_in (&w [b - 1], L_PORTFOLIOS)) {
        size_t j = b - 1;
        while (j > a && word_in (&w [j - 1], L_PORTFOLIOS))
            j--;
        unsigned mask = lex_words (self, a, j, 0);
        if (j > a && (mask & ((1u << CLIP_ENT_LOC) | (1u << CLIP_ENT_MISC)))) {
            push_prefix (self, m, nm, a, j);
            return 1;
        }
    }
    return 0;
}

/*  A title inside the span before a person's name: "[Philippine] [Trade
    Secretary] [Jose Alcuaz]".  Pushes the prefix and the person and
    returns 1, or returns 0 when the span has no such title.  */
static int
split_title (const clip_ner_t *self, ment_t *m, size_t *nm, size_t a, size_t b)
{
    const clip_word_t *w = self->words;
    for (size_t k = a; k + 1 < b; k++) {
        if (!word_in (&w [k], L_OFFICES_BEFORE_NAME))
            continue;
        size_t e = k + 1;
        while (e + 1 < b && (word_in (&w [e], L_OFFICES_BEFORE_NAME)
                             || word_in (&w [e], L_TITLE_WORDS) || word_in (&w [e], L_TITLE_JOINS)))
            e++;
        if (!person_after_title (self, e, b))
            continue;
        size_t j = k;
        while (j > a && (word_in (&w [j - 1], L_TITLE_WORDS)
                         || word_in (&w [j - 1], L_OFFICES_BEFORE_NAME)))
            j--;
        push_prefix (self, m, nm, a, j);
        push_tokens (self, m, nm, e, b, CLIP_ENT_PER);
        return 1;
    }
    return 0;
}

/*  "Mexico-type", "Scotland-born", "London-based", "Oscar-winning": the
    name is the part before the hyphen of a final word of this list (not
    "Dai-ichi", "Chung Mong-koo" or "A-level", which are words of their
    own).  Returns the bytes kept of s [0, n), 0 when there is no such
    suffix; *place is 1 after a suffix of where, 2 after one of awards,
    else 0.  */
static size_t
hyphen_suffix_cut (const char *s, size_t n, int *place)
{
    /*  Where something is or comes from: a name the tagger called MISC
        before one of these is a place ("Chennai-based").  */
    static const char *const of_place [] = {
        "based", "born", "bred", "headquartered", "raised", "educated", NULL
    };
    static const char *const suffixes [] = {
        "based", "born", "bred", "type", "style", "led", "owned", "backed", "made",
        "controlled", "run", "listed", "registered", "funded", "sponsored", "bound",
        "linked", "raised", "headquartered", "educated", "trained", "built", "designed",
        "dominated", "brokered", "related", "winning", "nominated", "winner", "winners",
        "nominee", "nominees", NULL
    };
    /*  Of awards: the name before them is the award, MISC
        ("Oscar-winning", "Bafta-nominated").  */
    static const char *const of_award [] = {
        "winning", "nominated", "winner", "winners", "nominee", "nominees", NULL
    };
    const char *h = memchr (s, '-', n);
    if (!h)
        return 0;
    const char *last = h;
    while ((h = memchr (last + 1, '-', n - (size_t) (last + 1 - s))))
        last = h;
    size_t at = (size_t) (last - s);
    if (at < 2)
        return 0;
    clip_word_t suffix = { last + 1, (uint32_t) (n - at - 1) };
    for (size_t i = 0; suffixes [i]; i++)
        if (word_is (&suffix, suffixes [i])) {
            *place = 0;
            for (size_t k = 0; of_place [k]; k++)
                if (word_is (&suffix, of_place [k]))
                    *place = 1;
            for (size_t k = 0; of_award [k]; k++)
                if (word_is (&suffix, of_award [k]))
                    *place = 2;
            return at;
        }
    /*  Any other participle or adjective in lower case after the name
        ("Booker-shortlisted", "English-speaking", "Spanish-language",
        "Blair-era"): the name's modifier, not its part; but not after a
        prefix with a capital ("Non-borrowed", "Anti-dumping").  */
    static const char *const prefixes [] = {
        "Non", "Anti", "Pro", "Semi", "Self", "Pre", "Post", "Multi", "Co", "Re", "Ex", NULL
    };
    size_t sl = suffix.len;
    int lower = sl >= 3;
    for (size_t k = 0; k < sl && lower; k++)
        lower = suffix.text [k] >= 'a' && suffix.text [k] <= 'z';
    if (!lower || !((sl >= 5 && suffix.text [sl - 2] == 'e' && suffix.text [sl - 1] == 'd')
                    || (sl >= 6 && memcmp (suffix.text + sl - 3, "ing", 3) == 0)
                    || word_is (&suffix, "language") || word_is (&suffix, "era")))
        return 0;
    clip_word_t head = { s, (uint32_t) at };
    for (size_t i = 0; prefixes [i]; i++)
        if (word_is (&head, prefixes [i]))
            return 0;
    *place = 0;
    return at;
}

/*  "France-Germany", "US-Chinese": a one-word name made of two names the
    lexicon knows as places or nationalities, the whole unknown to it.
    Pushes both and returns 1, else 0.  */
static int
split_hyphen_pair (const clip_ner_t *self, ment_t *m, size_t *nm, size_t t)
{
    const clip_word_t *w = &self->words [t];
    const char *h = memchr (w->text, '-', w->len);
    if (!h || memchr (h + 1, '-', w->len - (size_t) (h - w->text) - 1))
        return 0;
    size_t l1 = (size_t) (h - w->text), l2 = w->len - l1 - 1;
    clip_word_t p1 = { w->text, (uint32_t) l1 }, p2 = { h + 1, (uint32_t) l2 };
    if (l1 == 0 || l2 == 0 || !is_upper_initial (&p1) || !is_upper_initial (&p2))
        return 0;
    if (clip_tagger_gaz_types (self->tagger, w, 1))
        return 0;
    unsigned places = (1u << CLIP_ENT_LOC) | (1u << CLIP_ENT_MISC);
    unsigned m1 = clip_tagger_gaz_types (self->tagger, &p1, 1);
    unsigned m2 = clip_tagger_gaz_types (self->tagger, &p2, 1);
    if (!(m1 & places) || !(m2 & places))
        return 0;
    /*  The token's bytes may differ from the word the tagger saw ("US"
        is shown as "U.S."); split the text at its own hyphen.  */
    const clip_token_t *tok = &self->toks.tokens [t];
    size_t cut = tok->start;
    while (cut < tok->end && self->text [cut] != '-')
        cut++;
    if (cut >= tok->end)
        return 0;
    char key [NAME_KEY_MAX];
    size_t kl = words_key (&p1, 0, 1, 0, key, sizeof key);
    int t1 = lex_type_of (m1 & places, key, kl, -1);
    kl = words_key (&p2, 0, 1, 0, key, sizeof key);
    int t2 = lex_type_of (m2 & places, key, kl, -1);
    push_name (m, nm, t, t + 1, tok->start, cut, t1);
    push_name (m, nm, t, t + 1, cut + 1, tok->end, t2);
    return 1;
}

/*  A wire headline names its source after a last hyphen ("FCOJ SUPPLIES
    ABOVE YEAR AGO-USDA", "... COULD BE REDUCED-MINISTER"): word t, the
    last of an ALL-CAPS headline, hyphenated and unknown whole to the
    lexicon, whose part after its last hyphen the lexicon knows as an
    organisation or a person.  A name the tagger ran into it, m [*nm - 1]
    when it ends with the word ("TO ALGERIA-USDA", "MEALS-USDA"), ends
    before the hyphen, and goes when what is left of it is that one
    word's head and unknown to the lexicon.  Pushes the source and
    returns 1, else 0.  */
static int
headline_source (const clip_ner_t *self, ment_t *m, size_t *nm, size_t first, size_t t)
{
    const clip_word_t *w = &self->words [t];
    const char *h = w->len ? memrchr (w->text, '-', w->len) : NULL;
    if (!h || h == w->text)
        return 0;
    clip_word_t src = { h + 1, (uint32_t) (w->len - (size_t) (h - w->text) - 1) };
    if (src.len < 2 || !is_upper_initial (&src) || clip_tagger_gaz_types (self->tagger, w, 1))
        return 0;
    unsigned actors = (1u << CLIP_ENT_ORG) | (1u << CLIP_ENT_PER);
    unsigned mask = clip_tagger_gaz_types (self->tagger, &src, 1) & actors;
    if (!mask)
        return 0;
    /*  The token's bytes may differ from the word the tagger saw; cut the
        text at its own last hyphen.  */
    const clip_token_t *tok = &self->toks.tokens [t];
    size_t cut = tok->end;
    while (cut > tok->start && self->text [cut - 1] != '-')
        cut--;
    if (cut <= tok->start + 1 || cut >= tok->end)
        return 0;
    if (*nm > first && m [*nm - 1].end > tok->start) {
        ment_t *ran = &m [*nm - 1];
        if (ran->end != tok->end || ran->tok_end != t + 1)
            return 0;
        clip_word_t head = { w->text, (uint32_t) (h - w->text) };
        if (ran->tok_start == t && !clip_tagger_gaz_types (self->tagger, &head, 1))
            (*nm)--;
        else
            ran->end = cut - 1;
    }
    push_name (m, nm, t, t + 1, cut, tok->end,
               (mask & (1u << CLIP_ENT_ORG)) ? CLIP_ENT_ORG : CLIP_ENT_PER);
    return 1;
}

/*  Head words of names (class 5 of issue 14).  The last word of a name
    says what it names more surely than the tagger, which learnt from
    CoNLL sport and company news and calls most unknown capitalised
    phrases ORG: "the Millennium Exhibition" is an event, "Freedom of
    Information Act" a law, "Sedio N.V." a company, "Millennium Dome" a
    building.  Types as workers/ner/README.md labels them: events,
    inquiries, laws, plans, rates and software MISC; buildings and sites
    LOC; a company with a legal suffix ORG.  */
static const char *const heads_misc [] = {
    /* events */
    "Prix", "Championship", "Championships", "Cup", "Olympics", "Festival", "Exhibition",
    "Awards", "Inquiry", "Summit", "Games", "Conference", "Convention", "Marathon",
    "Marathons", "Tournament", "Trophy", "Expo",
    /* laws, treaties, plans */
    "Act", "Bill", "Treaty", "Accord", "Agreement", "Plan", "Programme",
    /* rates */
    "Rate", "Rates",
    /* malicious software */
    "Trojan", "Virus", "Worm", NULL
};

/*  Heads of events that follow a place or a sponsor's name the tagger
    found without them ("Berlin" of "Berlin Marathon").  Not "Games",
    "Open" or the laws of heads_misc, which end company names or start
    clauses as often ("Sega Games", "Congress Bill Smith").  */
static const char *const event_tails [] = {
    "Marathon", "Marathons", "Championship", "Championships", "Cup", "Olympics", "Festival",
    "Tournament", "Trophy", NULL
};

static const char *const heads_loc [] = {
    "Stadium", "Arena", "Dome", "Airport", "Tower", "Bridge", "Village", NULL
};

/*  Buildings and sites that end a name of two words or more ("Golden
    Temple", "Lindholm Cathedral"), LOC; alone they are surnames or
    clubs as often ("Temple", "Palace"), so not as heads_loc.  Not
    "Church" ("Methodist Church", an organisation).  */
static const char *const heads_site [] = {
    "Temple", "Cathedral", "Mosque", "Abbey", "Castle", "Palace", "Synagogue", "Shrine",
    "Monastery", NULL
};

/*  Legal forms of companies, as the tagger sees them (a final period
    dropped, "N.V." kept).  */
static const char *const heads_org [] = {
    "Inc", "Corp", "Ltd", "Plc", "N.V.", "NV", "AG", "SA", "S.A.", "GmbH", "Co", "LLC",
    "B.V.", "BV", "SpA", "S.p.A.", "L.P.", "LP", "L.L.C.", "Cos", "Pty", "Bhd", NULL
};

/*  Holidays: MISC, whatever else the tagger thought ("Christmas" a
    place).  */
static const char *const holidays [] = {
    "Christmas", "Easter", "Thanksgiving", "Ramadan", "Hanukkah", "Diwali", "Passover",
    "Halloween", "Hallowe'en", "Eid", "Pentecost", "Whitsun", "Michaelmas",
    "Christmases", "Easters", NULL
};

/*  Greetings before a holiday, outside its name ("Merry [Christmas]").  */
static const char *const greetings [] = { "Merry", "Happy", NULL };

/*  Last words of company names a person or a place does not end with
    ("El Cortez Gas", "Norland Airways"): a name the tagger called PER or
    LOC ending in one is an ORG.  Not "Bank" (the West Bank).  */
static const char *const heads_company [] = {
    "Gas", "Oil", "Petroleum", "Airlines", "Airways", "Motors", "Group", "Holdings",
    "Industries", "Electric", "Chemical", "Chemicals", "Steel", "Mining", "Resources",
    "Securities", "Brothers", "Bros", "Insurance", "Bancorp", "Financial", "Investments",
    "Enterprises", "Communications", "Technologies", "Pharmaceuticals", "Partners",
    "Utilities", "Shipping", "Breweries", "Mills", NULL
};

/*  Last words of the names of public and representative bodies
    ("Dunmore City Council", "Harbour Development Authority"): an
    organisation, whatever the tagger said (after "at" it calls a
    council named after a town a place).  A name the lexicon knows keeps
    its type ("Soviet Union").  */
static const char *const heads_body [] = {
    "Council", "Committee", "Commission", "Authority", "Agency", "Association",
    "Federation", "Union", NULL
};

/*  Geographic heads before "of" ("Gulf of Aden", "Bay of Biscay"):
    one place with the place after them.  */
static const char *const geo_heads [] = {
    "Gulf", "Bay", "Sea", "Strait", "Straits", "Isle", "Isles", "Cape", "Lake", NULL
};

/*  Parties by their members' name: organisations, also as modifiers
    ("Tory leader"), which the tagger took for nationalities.  */
static const char *const parties [] = {
    "Tory", "Tories", "Conservatives", "Democrats", "Republicans", "Socialists",
    "Liberals", "Nationalists",
    /*  Singular and adjective, as modifiers ("Republican votes", "the
        Democratic leadership"): parties are ORG then too.  */
    "Republican", "Democrat", "Democratic", "Conservative", "Socialist", NULL
};

/*  Nouns that say the name before them is a product ("the Zorix
    virus", "Norvix software", "the Quill browser"), lower case.  Not
    "program" or "plan", which follow politicians' names ("the Reagan
    program").  */
static const char *const product_nouns [] = {
    "software", "virus", "viruses", "worm", "trojan", "browser", "operating", "malware",
    "spyware", "spreadsheet", "console", NULL
};

/*  Nouns that say the name after them is a work ("the film ...", "his
    novel, ..."), lower case.  Not "book", "play" or "single", verbs and
    adjectives as often.  */
static const char *const work_nouns [] = {
    "film", "movie", "novel", "autobiography", "biography", "memoir", "album", "song",
    "musical", "sitcom", "documentary", "poem", "painting", "thriller", "comedy", "farce",
    "drama", "sequel", NULL
};

/*  Plural nouns of works before a list of them ("films such as ...",
    "15 games ..., including ..."), lower case (works_in_list).  Not
    "shows" or "plays", verbs as often.  */
static const char *const work_plurals [] = {
    "films", "movies", "games", "titles", "albums", "novels", "songs", "sitcoms",
    "musicals", NULL
};

/*  Words of direction and region before an adjective of nationality
    ("Central Asian", "East African", "Southern European"): the two are
    one adjective, MISC, where the tagger saw an organisation or a place
    (region_adjective).  */
static const char *const directions [] = {
    "North", "South", "East", "West", "Central", "Latin", "Eastern", "Western", "Northern",
    "Southern", NULL
};

/*  Adjectives of continents after a direction, whatever the lexicon
    knows of them; other nationalities by the lexicon (region_adjective).  */
static const char *const region_adjectives [] = {
    "American", "European", "African", "Asian", "Arab", NULL
};

/*  Members of a parliament after their constituency ("Kirkdale North MP
    Jane Doe", BBC style): the constituency is a place, the title outside
    (member_title; "AM" only before a name).  */
static const char *const member_titles [] = { "MP", "MEP", "MSP", "AM", NULL };

/*  Last words of organisations' names that may follow a place the tagger
    cut off ("New Zealand Wool Exporters Association"; tag_names), with
    those of public bodies (heads_body, asked too).  */
static const char *const org_tails [] = {
    "Exchange", "Bank", "Institute", "Board", "Bureau", "Corporation", "Group",
    "Ltd", "Inc", "Corp", "Plc", "Co", NULL
};

/*  Capitalised words naming a company's division or trade after its
    name ("Sony Pictures", "Sky Networks"): an organisation's name goes on
    through them.  Not one of s_lists, whose bit masks are full.  */
static int
company_division_word (const clip_word_t *w)
{
    static const char *const words [] = {
        "Pictures", "Entertainment", "Studios", "Records", "Networks", "Music", "Films",
        "Television", "Broadcasting", "Airways", "Airlines", "Motors", "Electronics", NULL
    };
    if (w->len < 5 || !(w->text [0] >= 'A' && w->text [0] <= 'Z'))
        return 0;
    for (size_t k = 0; words [k]; k++)
        if (word_is (w, words [k]))
            return 1;
    return 0;
}

/*  Case-sensitive membership: "ACT" or "act" is not the head "Act".  */
static inline int
word_among (const clip_word_t *w, int list)
{
    return (int) (list_mask (w, 1) >> list) & 1;
}

/*  Word t, which the lexicon does not know as a place, is a place's
    demonym ("Kashmiri", "Kashmiris", "Parisian", "Taiwanese", "Kenyans"):
    a place it knows and an ending of demonyms ("-n" and "-ns" after an
    "a" only).  */
static int
demonym_of_place (const clip_ner_t *self, size_t t)
{
    static const struct { const char *end; size_t n; int after_a; } ends [] = {
        { "i", 1, 0 }, { "is", 2, 0 }, { "ian", 3, 0 }, { "ians", 4, 0 }, { "ese", 3, 0 },
        { "an", 2, 0 }, { "ans", 3, 0 }, { "ish", 3, 0 }, { "n", 1, 1 }, { "ns", 2, 1 }
    };
    const clip_word_t *w = &self->words [t];
    unsigned loc = 1u << CLIP_ENT_LOC;
    if (w->len < 6 || !is_upper_initial (w) || (lex_words (self, t, t + 1, 0) & loc))
        return 0;
    for (size_t i = 0; i < sizeof ends / sizeof ends [0]; i++) {
        size_t n = ends [i].n, stem = w->len - n;
        if (stem < 4 || memcmp (w->text + stem, ends [i].end, n) != 0
            || (ends [i].after_a && w->text [stem - 1] != 'a'))
            continue;
        if (lex_words (self, t, t + 1, stem) & loc)
            return 1;
    }
    return 0;
}

/*  Word w is a capitalised word ending in "ism" ("Sikhism", "Jainism"):
    a religion or a doctrine, MISC, whatever the tagger said (a place or
    a person: no name of either ends so).  */
static int
doctrine_word (const clip_word_t *w)
{
    return w->len >= 6 && is_upper_initial (w) && memcmp (w->text + w->len - 3, "ism", 3) == 0
           && w->text [1] >= 'a' && w->text [1] <= 'z';
}

/*  Word t is an acronym in the plural, capitals and a lower-case "s"
    ("NGOs", "PDAs"): a common noun, no organisation, place or person
    (things counted; the labels make some MISC, "PINs" of a bond), unless
    the lexicon knows the word ("BMWs" it may know as a name's).  */
static int
plural_acronym (const clip_ner_t *self, size_t t)
{
    const clip_word_t *w = &self->words [t];
    if (w->len < 3 || w->text [w->len - 1] != 's')
        return 0;
    for (size_t c = 0; c + 1 < w->len; c++)
        if (!(w->text [c] >= 'A' && w->text [c] <= 'Z'))
            return 0;
    return !lex_words (self, t, t + 1, 0);
}

/*  Words [a, b) are all words of titles, one of them a title or a noun
    of office ("Chief Justice", "Lord Chief Justice", "Justice Minister"):
    a title, no name.  */
static int
all_title_words (const clip_ner_t *self, size_t a, size_t b)
{
    const clip_word_t *w = self->words;
    int head = 0;
    for (size_t i = a; i < b; i++) {
        int title = is_title (&w [i]) || word_among (&w [i], L_NAME_TITLES)
                    || word_among (&w [i], L_OFFICES_BEFORE_NAME);
        if (!title && !word_among (&w [i], L_TITLE_WORDS))
            return 0;
        head |= title;
    }
    return head;
}

/*  A newspaper's or a post office's last word after a place ("Times",
    "Post", "Journal").  */
static int
newspaper_word (const clip_word_t *w)
{
    return word_is (w, "Times") || word_is (w, "Post") || word_is (w, "Journal")
           || word_is (w, "Herald") || word_is (w, "Tribune") || word_is (w, "Gazette")
           || word_is (w, "Chronicle");
}

/*  The last word of a crude oil's grade: 1 for "Intermediate", "Sour"
    and "Sweet", 2 for "Light" and "Heavy", which also end utilities'
    names; 0 for any other word.  */
static int
crude_grade_word (const clip_word_t *w)
{
    if (word_is (w, "Intermediate") || word_is (w, "Sour") || word_is (w, "Sweet"))
        return 1;
    return word_is (w, "Light") || word_is (w, "Heavy") ? 2 : 0;
}

/*  The type of words [a, b) by their head word, type when no rule
    applies.  A name the lexicon knows keeps the tagger's type ("Crystal
    Palace", a club; "Davis Cup" typed by its data).  Legal suffixes are
    matched in any case ("SEDIO N.V.", "ACME PLC").  */
static int
head_type (const clip_ner_t *self, size_t a, size_t b, int type)
{
    const clip_word_t *w = self->words;
    const clip_word_t *h = &w [b - 1];
    if (b - a == 1) {
        if (word_among (h, L_HOLIDAYS))
            return CLIP_ENT_MISC;
        if (word_among (h, L_PARTIES))
            return CLIP_ENT_ORG;
        /*  "the Dome", "first Dome sale": a site word alone, capitalised
            as a name, is the short form of a site's name.  */
        if (word_among (h, L_HEADS_LOC) && !lex_words (self, a, b, 0))
            return CLIP_ENT_LOC;
        if (doctrine_word (h))
            return CLIP_ENT_MISC;
        if (type == CLIP_ENT_LOC && demonym_of_place (self, a))
            return CLIP_ENT_MISC;
        return type;
    }
    /*  A place's newspaper ("Los Angeles Times").  */
    if (type == CLIP_ENT_LOC && newspaper_word (h))
        return CLIP_ENT_ORG;
    /*  A crude oil's grade: a place and the grade's word ("West Texas
        Intermediate", "Louisiana Sweet"), or a people's adjective and
        "Light" or "Heavy" ("Arabian Light"; a place's "Light" is as
        often a utility's, "Connecticut Light and Power"): a product.  */
    int grade = crude_grade_word (h);
    if (grade) {
        unsigned before = lex_words (self, b - 2, b - 1, 0);
        if ((before & (1u << CLIP_ENT_MISC)) || (grade == 1 && (before & (1u << CLIP_ENT_LOC))))
            return CLIP_ENT_MISC;
        char key [NAME_KEY_MAX];
        size_t kl = b - a == 2 && !before ? words_key (w, b - 2, b - 1, 0, key, sizeof key) : 0;
        if (kl && adjective_like (key, kl))
            return CLIP_ENT_MISC;
    }
    if (lex_words (self, a, b, 0))
        return type;
    if (word_in (h, L_HEADS_ORG))
        return CLIP_ENT_ORG;
    if ((type == CLIP_ENT_PER || type == CLIP_ENT_LOC) && word_among (h, L_HEADS_COMPANY))
        return CLIP_ENT_ORG;
    if (word_among (h, L_HEADS_BODY))
        return CLIP_ENT_ORG;
    if (type == CLIP_ENT_PER)
        return type;
    /*  Not a head when the name goes on ("United Nations Conference [on
        Trade and Development]", which the tagger cut at a line break).  */
    if (word_among (h, L_HEADS_MISC)
        && !(b < self->toks.n && (word_is (&w [b], "on") || word_is (&w [b], "of")
                                  || word_is (&w [b], "for"))))
        return CLIP_ENT_MISC;
    if (word_among (h, L_HEADS_LOC) || word_among (h, L_HEADS_SITE))
        return CLIP_ENT_LOC;
    return type;
}

/*  Words a and a + 1 are a direction and an adjective of nationality,
    one adjective ("Central Asian wheat", "East African coffee"):
    a continent's adjective, or a word the lexicon knows as MISC shaped
    like an adjective ("Korean").  Not a place ("South Africa", "North
    America": no adjective's ending), nor two words the lexicon knows as
    something else than MISC.  */
static int
region_adjective (const clip_ner_t *self, size_t a)
{
    const clip_word_t *w = self->words;
    if (!word_among (&w [a], L_DIRECTIONS))
        return 0;
    if (!word_among (&w [a + 1], L_REGION_ADJECTIVES)) {
        char key [NAME_KEY_MAX];
        size_t kl = words_key (w, a + 1, a + 2, 0, key, sizeof key);
        if (!kl || !adjective_like (key, kl)
            || !(lex_words (self, a + 1, a + 2, 0) & (1u << CLIP_ENT_MISC)))
            return 0;
    }
    unsigned mask = lex_words (self, a, a + 2, 0);
    return !mask || (mask & (1u << CLIP_ENT_MISC));
}

/*  Words a to a + 2 are two directions and an adjective of nationality
    ("South East Asian", "North West European"): one adjective, as two
    words are (region_adjective), unless the lexicon knows the three as
    something else than MISC.  */
static int
region_adjective3 (const clip_ner_t *self, size_t a)
{
    const clip_word_t *w = self->words;
    if (!(word_is (&w [a], "North") || word_is (&w [a], "South"))
        || !(word_is (&w [a + 1], "East") || word_is (&w [a + 1], "West"))
        || !region_adjective (self, a + 1))
        return 0;
    unsigned mask = lex_words (self, a, a + 3, 0);
    return !mask || (mask & (1u << CLIP_ENT_MISC));
}

/*  "Iran-contra", "Europe-wide": one word, a place the lexicon knows
    run by a hyphen into a word in lower case that hyphen_suffix_cut does
    not list.  The news labels name the place alone (four "Iran" of
    "Iran-contra" and one "Europe" of "Europe-wide" in the development
    sets; workers/ner/README.md, thirteenth round).  Returns the place's
    bytes in token t, 0 when the word is no such pair.  */
static size_t
place_before_lower_tail (const clip_ner_t *self, size_t t)
{
    const clip_word_t *w = &self->words [t];
    const clip_token_t *tk = &self->toks.tokens [t];
    const char *h = memchr (w->text, '-', w->len);
    if (!h || h == w->text || tk->end - tk->start != w->len
        || memcmp (self->text + tk->start, w->text, w->len) != 0)
        return 0;                       /* the word shown to the tagger differs from the text */
    size_t cut = (size_t) (h - w->text), tail = w->len - cut - 1;
    if (tail < 2)
        return 0;
    for (size_t k = cut + 1; k < w->len; k++)
        if (w->text [k] < 'a' || w->text [k] > 'z')
            return 0;
    return (lex_words (self, t, t + 1, cut) & (1u << CLIP_ENT_LOC)) ? cut : 0;
}

/*  One name as the tagger and the trimming left it, words [a, b): the
    rules for titles, hyphens and coordination, then m.  */
static void
add_name (clip_ner_t *self, ment_t *m, size_t *nm, size_t a, size_t b, int type)
{
    const clip_word_t *w = self->words;
    if ((b - a == 2 && region_adjective (self, a)) || (b - a == 3 && region_adjective3 (self, a))) {
        push_tokens (self, m, nm, a, b, CLIP_ENT_MISC);
        return;
    }
    /*  A phrase ending in a noun of office is a title, not a name ("UK
        National Security Adviser"); what stands before the title is its
        own name.  A member's title after a constituency too ("said the
        Kirkdale North MP"; not "AM", a time as often).  */
    int member = b - a >= 2 && word_among (&w [b - 1], L_MEMBER_TITLES)
                 && !word_is (&w [b - 1], "AM");
    /*  "Jane Doe MP": a person's title after the name is no part of it.  */
    if (member && type == CLIP_ENT_PER) {
        push_tokens (self, m, nm, a, b - 1, type);
        return;
    }
    if (is_office (&w [b - 1]) || member) {
        size_t j = b - 1;
        while (j > a && (word_in (&w [j - 1], L_TITLE_WORDS)
                         || word_in (&w [j - 1], L_OFFICES_BEFORE_NAME)))
            j--;
        push_prefix (self, m, nm, a, j);
        return;
    }
    if (split_title_around (self, m, nm, a, b, self->toks.n))
        return;
    /*  Names with a title are short; a longer run of capitalised words
        is not looked into, which keeps these rules linear in the text.  */
    if (b - a >= 3 && b - a <= RULE_MAX_WORDS && split_title (self, m, nm, a, b))
        return;
    /*  "Spain And Portugal" in a title-case headline is two names, not
        one ("AND" in capitals too), unless the lexicon knows the whole
        ("Trinidad And Tobago").  The second is the longest run of its
        words the lexicon knows, when there is one: the words after it are
        the headline's ("Leeds And Chelsea Draw").  Organisations and works
        ("Marks And Spencer", "Pride And Prejudice") are split only when
        the lexicon knows both.  "Brazil and Argentina" tagged as one place
        is two when both are places the lexicon knows.  */
    /*  The same pair tagged as two names, the second run on into the
        headline ("Leeds" and "Chelsea Draw"): the second is cut the same
        way, after a title-case "And" that follows a capitalised word, in
        a line with no word in lower case before them (wire copy of 1987
        writes "the U.S. And West Germany" in running text).  */
    if (a >= 2 && b - a >= 2 && b - a <= RULE_MAX_WORDS
        && (word_is (&w [a - 1], "And") || word_is (&w [a - 1], "AND"))
        && is_upper_initial (&w [a - 2]) && !lex_words (self, a, b, 0)
        && !lower_case_before (self->text, self->toks.tokens [a - 2].start)) {
        size_t e2 = b - 1;
        while (e2 > a && !lex_words (self, a, e2, 0))
            e2--;
        if (e2 > a) {
            /*  Typed as its partner when the lexicon allows it ("Leeds"
                and "Chelsea", clubs), as the pair tagged as one is.  */
            int partner = *nm > 0 && m [*nm - 1].tok_end == a - 1 ? m [*nm - 1].type : type;
            add_name (self, m, nm, a, e2, lex_type_words (self, a, e2, 0, partner));
            return;
        }
    }
    if (b - a >= 3 && b - a <= RULE_MAX_WORDS) {
        for (size_t k = a + 1; k + 1 < b; k++) {
            int title_and = word_is (&w [k], "And") || word_is (&w [k], "AND");
            int low_and = word_is (&w [k], "and");
            if (!title_and && !low_and)
                continue;
            if (!is_upper_initial (&w [k + 1]) || lex_words (self, a, b, 0))
                break;
            unsigned m1 = lex_words (self, a, k, 0), m2 = 0;
            size_t e2 = b;
            if (low_and)
                m2 = lex_words (self, k + 1, b, 0);
            else
                for (e2 = b; e2 > k + 1 && !(m2 = lex_words (self, k + 1, e2, 0)); e2--)
                    ;
            if (!m2)
                e2 = b;
            if (low_and) {
                if (!(m1 & (1u << CLIP_ENT_LOC)) || !(m2 & (1u << CLIP_ENT_LOC)))
                    break;
            }
            else
            if ((type == CLIP_ENT_ORG || type == CLIP_ENT_MISC) && !(m1 && m2))
                break;
            add_name (self, m, nm, a, k, lex_type_words (self, a, k, 0, type));
            add_name (self, m, nm, k + 1, e2, lex_type_words (self, k + 1, e2, 0, type));
            return;
        }
    }
    const clip_token_t *last = &self->toks.tokens [b - 1];
    int place = 0;
    size_t cut = hyphen_suffix_cut (self->text + last->start, last->end - last->start, &place);
    size_t wcut = hyphen_suffix_cut (w [b - 1].text, w [b - 1].len, &place);
    if (cut && wcut) {
        int fallback = place == 1 && type == CLIP_ENT_MISC ? CLIP_ENT_LOC : type;
        int t2 = place == 2 ? CLIP_ENT_MISC : lex_type_words (self, a, b, wcut, fallback);
        push_name (m, nm, a, b, self->toks.tokens [a].start, last->start + cut, t2);
        return;
    }
    if (b - a == 1 && split_hyphen_pair (self, m, nm, a))
        return;
    size_t pc;
    if (b - a == 1 && (pc = place_before_lower_tail (self, a)) > 0) {
        push_name (m, nm, a, b, self->toks.tokens [a].start, self->toks.tokens [a].start + pc,
                   CLIP_ENT_LOC);
        return;
    }
    push_tokens (self, m, nm, a, b, head_type (self, a, b, type));
}

/*  Words an acronym skips ("Department for Transport (DfT)").  */
static const char *const acronym_joins [] = { "and", "of", "for", "&", "on", "the", NULL };

/*  The capitals of words [a, b), words of joins skipped, into out
    (size bytes); 0 when a word is neither capitalised nor a join.  */
static size_t
initials_of (const clip_word_t *w, size_t a, size_t b, char *out, size_t size)
{
    size_t o = 0;
    for (size_t k = a; k < b; k++) {
        if (word_in (&w [k], L_ACRONYM_JOINS) && !is_upper_initial (&w [k]))
            continue;
        unsigned char c = w [k].len ? (unsigned char) w [k].text [0] : 0;
        if (!(c >= 'A' && c <= 'Z') || o + 1 >= size)
            return 0;
        out [o++] = (char) c;
    }
    return o;
}

/*  "The Rural Water and Power Authority (RWPA)": a name followed by an
    acronym in brackets whose capitals are the initials of a longer run
    of capitalised words (and "and", "of", ...) ending with the name is
    that whole run: the tagger cut it at "and" or at a line break, or left
    its first words out.  Names among m [from, *nm) swallowed by the run
    are dropped.  sent is the sentence's first token.  */
static void
merge_by_acronym (const clip_ner_t *self, ment_t *m, size_t *nm, size_t from, size_t sent,
                  size_t nt)
{
    const clip_word_t *w = self->words;
    size_t out = from;
    for (size_t i = from; i < *nm; i++) {
        ment_t cur = m [i];
        size_t t = cur.tok_end;
        char acr [16], ini [16];
        size_t na = 0;
        if (cur.type != CLIP_ENT_PER && t + 2 < nt && word_is (&w [t], "(")
            && word_is (&w [t + 2], ")") && w [t + 1].len < sizeof acr) {
            for (size_t c = 0; c < w [t + 1].len; c++)
                if (w [t + 1].text [c] >= 'A' && w [t + 1].text [c] <= 'Z')
                    acr [na++] = w [t + 1].text [c];
        }
        size_t ni = na >= 2 ? initials_of (w, cur.tok_start, cur.tok_end, ini, sizeof ini) : 0;
        if (na >= 2 && !(ni == na && memcmp (ini, acr, na) == 0)) {
            size_t lo = cur.tok_start > sent + 8 ? cur.tok_start - 8 : sent;
            for (size_t st = cur.tok_start; st-- > lo;) {
                if (!is_upper_initial (&w [st])) {
                    if (word_in (&w [st], L_ACRONYM_JOINS))
                        continue;
                    break;
                }
                ni = initials_of (w, st, cur.tok_end, ini, sizeof ini);
                if (ni == 0 || ni > na)
                    break;
                if (ni == na && memcmp (ini, acr, na) == 0) {
                    /*  Earlier names wholly inside the run go; one that
                        straddles its start keeps the name as it was.  */
                    size_t keep = out;
                    while (keep > from && m [keep - 1].tok_end > st)
                        keep--;
                    if (keep < out && m [keep].tok_start < st)
                        break;
                    out = keep;
                    cur.tok_start = st;
                    cur.start = self->toks.tokens [st].start;
                    break;
                }
            }
        }
        m [out++] = cur;
    }
    *nm = out;
}

/*  The most names of a document whose acronym is looked for (each
    look a pass over the document).  */
#define ACRONYM_LOOKUPS 16

/*  Whether a token of [0, nt) is the word acr (n bytes) exactly.  */
static int
token_is (const clip_ner_t *self, const char *acr, size_t n, size_t nt)
{
    for (size_t i = 0; i < nt; i++)
        if (self->words [i].len == n && self->words [i].text [0] == acr [0]
            && memcmp (self->words [i].text, acr, n) == 0)
            return 1;
    return 0;
}

/*  "the Bureau of Mines and Forestry ... the BMF": an organisation
    the tagger cut at "and" or "of" ("Bureau of Mines" + "Forestry")
    is the longer run of capitalised words and joins after it whose
    initials the document writes as an acronym somewhere (also without a
    bracketed definition).  Names among m [from, *nm) inside the run are
    dropped.  e is the sentence's end.  */
static void
extend_by_acronym (const clip_ner_t *self, ment_t *m, size_t *nm, size_t from, size_t e,
                   size_t nt, size_t *lookups)
{
    const clip_word_t *w = self->words;
    size_t out = from;
    for (size_t i = from; i < *nm; i++) {
        ment_t cur = m [i];
        size_t t = cur.tok_end;
        if (cur.type == CLIP_ENT_ORG && *lookups < ACRONYM_LOOKUPS && t + 1 < e
            && word_in (&w [t], L_ACRONYM_JOINS) && !is_upper_initial (&w [t])
            && is_upper_initial (&w [t + 1]) && cur.end == self->toks.tokens [t - 1].end) {
            size_t best = 0;
            for (size_t x = t + 1; x < e && x < t + 4; x++) {
                if (!is_upper_initial (&w [x])) {
                    if (word_in (&w [x], L_ACRONYM_JOINS))
                        continue;
                    break;
                }
                char ini [16];
                size_t ni = initials_of (w, cur.tok_start, x + 1, ini, sizeof ini);
                if (ni < 2 || ni > 8)
                    break;
                (*lookups)++;
                if (token_is (self, ini, ni, nt))
                    best = x + 1;
                if (*lookups >= ACRONYM_LOOKUPS)
                    break;
            }
            /*  Names after it inside the run go; one running past its end
                keeps the name as it was.  */
            size_t j = i + 1;
            while (best && j < *nm && m [j].tok_start < best) {
                if (m [j].tok_end > best)
                    best = 0;
                j++;
            }
            if (best) {
                cur.tok_end = best;
                cur.end = self->toks.tokens [best - 1].end;
                i = j - 1;
            }
        }
        m [out++] = cur;
    }
    *nm = out;
}

/*  "Sen. Jane Doe (R-Kan.)", "Doe, R-Kan., said": the party and the
    state after a legislator's name, as US wire copy writes them.  The labels have the
    party's letter as an ORG and the state as a LOC; the tagger made a
    name of pieces of the bracket ("R-N", "C.").  Replaces the names
    among m [i + 1, *nm) inside the bracket after the person m [i] with
    those two, within cap names.  Returns the bracket's end (the
    tokenizer may have ended the sentence inside it, after "N."), 0 when
    there is none.  */
static size_t
party_and_state (const clip_ner_t *self, ment_t *m, size_t *nm, size_t i, size_t len,
                 size_t cap)
{
    const char *t = self->text;
    size_t p = m [i].end;
    /*  After the name, its possessive ("Chiles' (D-Fla.) budget"), a
        comma ("Doe, D-Ill., said"; "Doe,\n(D-Tenn.) said"), white space
        with at most one newline (wire copy wraps its lines), then the
        bracket or, after a comma, the letter.  */
    if (p + 1 < len && t [p] == '\'' && t [p + 1] == 's')
        p += 2;
    else if (p < len && t [p] == '\'')
        p++;
    bool comma = p < len && t [p] == ',', wrapped = false;
    if (comma)
        p++;
    while (p < len && (t [p] == ' ' || (t [p] == '\n' && !wrapped))) {
        wrapped = wrapped || t [p] == '\n';
        p++;
    }
    char open = p < len && t [p] == '(' ? '(' : comma ? ',' : 0;
    /*  The bracket's closing, or the comma's: a comma, or the sentence's
        end at a line's end ("Tom Foley, D-Wash.\n").  */
    char shut = open == '(' ? ')' : ',';
    if (open == ',')
        p--;                /* p + 1 is the letter, as after the bracket */
    if (p + 4 >= len || (open != '(' && open != ',')
        || !(t [p + 1] == 'R' || t [p + 1] == 'D' || t [p + 1] == 'I')
        || t [p + 2] != '-' || !(t [p + 3] >= 'A' && t [p + 3] <= 'Z'))
        return 0;
    size_t st = p + 3, close = st;
    while (close < len && close - st < 16
           && ((t [close] >= 'A' && t [close] <= 'Z') || (t [close] >= 'a' && t [close] <= 'z')
               || t [close] == '.' || t [close] == ' '))
        close++;
    if (close >= len
        || (t [close] != shut && !(open == ',' && t [close] == '\n' && t [close - 1] == '.')))
        return 0;
    size_t se = close;
    while (se > st && t [se - 1] == ' ')
        se--;
    size_t j = i + 1;
    while (j < *nm && m [j].start < close)
        j++;
    /*  A name the tagger ran on through the bracket ("D-Cal.) and Daniel
        Evans" as one) keeps its part after it, from its first capitalised
        word on: the next legislator of "A (D-Cal.) and B (R-Wash.)".  */
    ment_t rest = { 0 };
    if (j > i + 1 && m [j - 1].end > close + 1) {
        for (size_t c = m [j - 1].tok_start; c < m [j - 1].tok_end; c++) {
            const clip_token_t *tc = &self->toks.tokens [c];
            if (tc->start > close && t [tc->start] >= 'A' && t [tc->start] <= 'Z') {
                rest = (ment_t) { c, m [j - 1].tok_end, tc->start, m [j - 1].end, m [j - 1].type };
                /*  Joined to the legislator by "and" or a comma alone: the
                    next legislator, a person whatever the run's type.  */
                size_t q = close + 1;
                while (q < tc->start && (t [q] == ' ' || t [q] == ','))
                    q++;
                if (q + 3 <= tc->start && memcmp (t + q, "and", 3) == 0)
                    q += 3;
                while (q < tc->start && t [q] == ' ')
                    q++;
                if (q == tc->start)
                    rest.type = CLIP_ENT_PER;
                break;
            }
        }
    }
    size_t keep = rest.end > 0;
    size_t removed = j - i - 1;
    if (*nm + 2 + keep - removed > cap)
        return 0;
    /*  Token positions of the new names: the tokens the bracket holds.  */
    size_t ta = m [i].tok_end, tb = ta;
    while (tb < self->toks.n && self->toks.tokens [tb].start < close)
        tb++;
    if (removed != 2 + keep)
        memmove (&m [i + 3 + keep], &m [j], (*nm - j) * sizeof (ment_t));
    *nm = *nm + 2 + keep - removed;
    m [i + 1] = (ment_t) { ta, tb, p + 1, p + 2, CLIP_ENT_ORG };
    m [i + 2] = (ment_t) { ta, tb, st, se, CLIP_ENT_LOC };
    if (keep)
        m [i + 3] = rest;
    return close;
}

/*  Words that go on inside a work's title (push_holidays).  */
static const char *const title_inner [] = {
    "'s", "to", "of", "the", "a", "an", "and", "in", "on", "for", "at", "with", NULL
};

/*  A word written in the style of products since the iMac ("iPod",
    "iTunes", "eDonkey", plural "iPods"): a lower-case letter, then a
    capital, then lower-case letters (a capital after them allowed:
    "iPhoto", not "eKYC").  The tagger, which reads capitals, never tags
    one.  */
static int
product_camel_case (const clip_word_t *w)
{
    const char *t = w->text;
    if (w->len < 4 || !(t [0] >= 'a' && t [0] <= 'z') || !(t [1] >= 'A' && t [1] <= 'Z')
        || !(t [2] >= 'a' && t [2] <= 'z'))
        return 0;
    for (uint32_t k = 3; k < w->len; k++)
        if (!((t [k] >= 'a' && t [k] <= 'z') || (t [k] >= 'A' && t [k] <= 'Z')))
            return 0;
    return 1;
}

/*  A name the lexicon knows after a lower-case prefix and its hyphen
    ("anti-American", "non-EC", "pro-Moscow"), which the tagger sees as
    one lower-case word: the bytes of token t it starts at, 0 when none;
    *type is the lexicon's type of it.  */
static size_t
prefixed_name (const clip_ner_t *self, size_t t, int *type)
{
    static const char *const prefixes [] = { "anti-", "non-", "pro-", NULL };
    const clip_word_t *w = &self->words [t];
    if (w->len < 6 || !(w->text [0] >= 'a' && w->text [0] <= 'z')
        || (w->text [3] != '-' && w->text [4] != '-'))
        return 0;                       /* most words: no hyphen there */
    for (size_t k = 0; prefixes [k]; k++) {
        size_t pl = strlen (prefixes [k]);
        if (w->len <= pl + 1 || memcmp (w->text, prefixes [k], pl) != 0
            || !(w->text [pl] >= 'A' && w->text [pl] <= 'Z'))
            continue;
        clip_word_t name = { w->text + pl, w->len - (uint32_t) pl };
        for (uint32_t c = 0; c < name.len; c++)
            if (!((name.text [c] >= 'A' && name.text [c] <= 'Z')
                  || (name.text [c] >= 'a' && name.text [c] <= 'z') || name.text [c] == '.'))
                return 0;
        unsigned mask = clip_tagger_gaz_types (self->tagger, &name, 1);
        char key [NAME_KEY_MAX];
        size_t kl = words_key (&name, 0, 1, 0, key, sizeof key);
        *type = lex_type_of (mask, key, kl, -1);
        return *type >= 0 ? pl : 0;
    }
    return 0;
}

/*  A name the tagger left out before a hyphen's suffix
    (hyphen_suffix_cut: "Oscar-winning", "Labour-led", "London-based"):
    its bytes in token t, 0 when none; *type is an award's MISC, else the
    lexicon's type of it (a place for "-based" and the like when it
    knows it as one).  The lexicon must know the name but for awards.  */
static size_t
suffixed_name (const clip_ner_t *self, size_t t, int *type)
{
    const clip_word_t *w = &self->words [t];
    if (w->len < 5 || !is_upper_initial (w) || !memchr (w->text, '-', w->len))
        return 0;
    int place = 0;
    size_t cut = hyphen_suffix_cut (w->text, w->len, &place);
    const clip_token_t *tk = &self->toks.tokens [t];
    if (cut == 0 || cut != hyphen_suffix_cut (self->text + tk->start, tk->end - tk->start, &place))
        return 0;                       /* the word shown to the tagger differs from the text */
    if (place != 2 && !lex_words (self, t, t + 1, cut))
        return 0;
    *type = place == 2 ? CLIP_ENT_MISC
                       : lex_type_words (self, t, t + 1, cut, place == 1 ? CLIP_ENT_LOC : -1);
    return *type >= 0 ? cut : 0;
}

/*  Names in single words the tagger never tags, that no name of m[0, nm)
    (in text order) covers: products written "iPod" (product_camel_case)
    as MISC, or as the lexicon types them ("eBay"), and names before a
    suffix (suffixed_name: "[Oscar]-winning") or after a prefix
    (prefixed_name: "anti-[American]").  Returns the names'
    count, m still in order.  m has room: each such token had no name.  */
static size_t
push_word_names (const clip_ner_t *self, ment_t *m, size_t nm, size_t nt)
{
    /*  Merge from the back: the names move up by the new ones before
        them.  */
    size_t total = nm, j = nm;
    for (size_t t = nt; t-- > 0;) {
        const clip_token_t *tk = &self->toks.tokens [t];
        while (j > 0 && m [j - 1].start >= tk->end)
            j--;
        if (j > 0 && m [j - 1].end > tk->start)
            continue;                   /* inside a name */
        int type = CLIP_ENT_MISC;
        size_t skip = 0;
        size_t cut = 0;
        if (product_camel_case (&self->words [t]))
            type = lex_type_words (self, t, t + 1, 0, CLIP_ENT_MISC);
        else if ((cut = suffixed_name (self, t, &type)) > 0)
            ;
        else if ((skip = prefixed_name (self, t, &type)) == 0)
            continue;
        memmove (m + j + 1, m + j, (total - j) * sizeof *m);
        m [j] = (ment_t) { t, t + 1, tk->start + skip, cut ? tk->start + cut : tk->end, type };
        total++;
    }
    return total;
}

static size_t gap_spaces (const char *text, size_t a, size_t b, size_t *lines);

/*  Does word w end an organisation's name: a legal form, a company's,
    a public body's or another organisation's last word ("Corp",
    "Airlines", "Committee", "Bank")?  */
static int
org_head_word (const clip_word_t *w)
{
    return word_in (w, L_HEADS_ORG) || word_among (w, L_HEADS_COMPANY)
           || word_among (w, L_HEADS_BODY) || word_among (w, L_ORG_TAILS);
}

/*  One organisation whose name joins two words by "and" ("Peninsula
    Federal Savings and Loan Association", "Puget Sound Power and Light
    Co"): the tagger, which cuts at "and" between names, gave two, the
    text between them "and" alone (a wrapped line's newline allowed).
    The first does not end as an organisation's name does and the second
    does (org_head_word); the words beside "and" are not written
    capitalised nearly always, as names are ("IBM and Apple";
    clip_tagger_cap_bucket); and neither half is a name the lexicon knows
    ("International Monetary Fund and World Bank" are two).  m stays in
    order; returns the count.  */
static size_t
common_nouns_joined (const clip_ner_t *self, ment_t *m, size_t nm)
{
    size_t out = 0;
    for (size_t i = 0; i < nm; i++) {
        if (out > 0) {
            ment_t *a = &m [out - 1];
            const ment_t *b = &m [i];
            if (a->type == CLIP_ENT_ORG && b->type == CLIP_ENT_ORG && b->tok_start == a->tok_end + 1
                && word_is (&self->words [a->tok_end], "and")) {
                size_t lines;
                size_t g1 = gap_spaces (self->text, a->end, self->toks.tokens [a->tok_end].start, &lines);
                size_t l1 = lines;
                size_t g2 = gap_spaces (self->text, self->toks.tokens [a->tok_end].end, b->start, &lines);
                int c1 = clip_tagger_cap_bucket (self->tagger, &self->words [a->tok_end - 1]);
                int c2 = clip_tagger_cap_bucket (self->tagger, &self->words [b->tok_start]);
                if (g1 != SIZE_MAX && g2 != SIZE_MAX && (g1 > 0 || l1 > 0) && (g2 > 0 || lines > 0)
                    && l1 + lines <= 1 && c1 >= 0 && c1 < 3 && c2 >= 0 && c2 < 3
                    && !org_head_word (&self->words [a->tok_end - 1])
                    && org_head_word (&self->words [b->tok_end - 1])
                    && !lex_words (self, a->tok_start, a->tok_end, 0)
                    && !lex_words (self, b->tok_start, b->tok_end, 0)) {
                    a->tok_end = b->tok_end;
                    a->end = b->end;
                    continue;
                }
            }
        }
        m [out++] = m [i];
    }
    return out;
}

/*  The joining words of company names in other languages, lower case
    ("Banco do Brasil", "Electricite de France", "Lazard Freres et Cie").  */
static int
foreign_join (const clip_word_t *w)
{
    static const char *const joins [] = {
        "da", "das", "de", "del", "della", "des", "di", "do", "dos", "du", "et", "y", NULL
    };
    for (size_t k = 0; joins [k]; k++)
        if (word_is (w, joins [k]))
            return 1;
    return 0;
}

/*  The most capitalised words after a joining word that a company's name
    takes when the tagger named none of them ("Banca Nazionale del
    [Lavoro]").  */
#define FOREIGN_TAIL_MAX 3

/*  One organisation whose name in another language joins its words by a
    lower-case particle: the tagger cut it there ("[Banco] do [Brasil]",
    "[Electricite] de [France]"), taking the second half for a place or
    nothing.  An organisation, the particle and the capitalised words
    after it, in one sentence and at most one line break apart, are one
    organisation.  m stays in order; returns the count.  */
static size_t
names_joined_abroad (const clip_ner_t *self, ment_t *m, size_t nm, size_t nt)
{
    const clip_token_t *tok = self->toks.tokens;
    size_t out = 0;
    for (size_t i = 0; i < nm; i++) {
        m [out++] = m [i];
        ment_t *a = &m [out - 1];
        size_t j = a->tok_end;
        if (a->type != CLIP_ENT_ORG || j + 1 >= nt || !foreign_join (&self->words [j])
            || (tok [j].flags & CLIP_TOKEN_SENT_START) || (tok [j + 1].flags & CLIP_TOKEN_SENT_START)
            || !is_upper_initial (&self->words [j + 1]))
            continue;
        size_t lines, l2;
        if (gap_spaces (self->text, a->end, tok [j].start, &lines) == SIZE_MAX
            || gap_spaces (self->text, tok [j].end, tok [j + 1].start, &l2) == SIZE_MAX
            || lines + l2 > 1)
            continue;
        /*  The next name, also one the tagger started with the particle
            ("Banca Nazionale [del Lavoro]", a person to it).  */
        if (i + 1 < nm && (m [i + 1].tok_start == j + 1 || m [i + 1].tok_start == j)) {
            /*  Not a name the tagger ran on over "and" ("[Brasil and
                Banca Nazionale]"): which half is whose is not known.  */
            int joined = 0;
            for (size_t t = m [i + 1].tok_start; t < m [i + 1].tok_end && !joined; t++)
                joined = word_is (&self->words [t], "and") || word_is (&self->words [t], "&");
            if (joined)
                continue;
            a->tok_end = m [i + 1].tok_end;
            a->end = m [i + 1].end;
            i++;
            continue;
        }
        if (i + 1 < nm && m [i + 1].tok_start <= j + FOREIGN_TAIL_MAX)
            continue;
        size_t e = j + 2;
        while (e < nt && e < j + 1 + FOREIGN_TAIL_MAX && is_upper_initial (&self->words [e])
               && !(tok [e].flags & CLIP_TOKEN_SENT_START)
               && gap_spaces (self->text, tok [e - 1].end, tok [e].start, &l2) != SIZE_MAX
               && l2 == 0)
            e++;
        a->tok_end = e;
        a->end = tok [e - 1].end;
    }
    return out;
}

/*  Is word w one capital letter?  */
static int
capital_letter (const clip_word_t *w)
{
    return w->len == 1 && w->text [0] >= 'A' && w->text [0] <= 'Z';
}

/*  Does "X and Y" (or "X & Y"), two capital letters, start at token t of
    nt, all three in one sentence and not initials with periods ("A. and
    B.")?  */
static int
letters_joined_at (const clip_ner_t *self, size_t t, size_t nt)
{
    return t + 2 < nt && capital_letter (&self->words [t]) && capital_letter (&self->words [t + 2])
           && (word_is (&self->words [t + 1], "and") || word_is (&self->words [t + 1], "&"))
           && !(self->toks.tokens [t + 1].flags & CLIP_TOKEN_SENT_START)
           && !(self->toks.tokens [t + 2].flags & CLIP_TOKEN_SENT_START)
           && (t + 3 >= nt || !word_is (&self->words [t + 3], "."));
}

#define LETTER_PAIRS_MAX 8

/*  A firm named by two letters, "S and P" (Standard and Poor's), "B and
    C": the tagger, which never saw one, tags a letter of it as an
    organisation, or nothing.  Where it tagged a letter of such a pair as
    an ORG, the three words are one ORG, and so is every other mention
    of the same pair in the document that no longer name covers; a pair
    the tagger never marked ("A and B shares") is left alone.  m has room
    for 2 nt + 1 names (clip_ner_extract's bound); m stays in order.
    Returns the names' count.  */
static size_t
letters_joined (const clip_ner_t *self, ment_t *m, size_t nm, size_t nt, size_t cap)
{
    char pairs [LETTER_PAIRS_MAX][2];
    size_t npairs = 0, j = 0;
    for (size_t t = 0; t + 2 < nt; t++) {
        if (!letters_joined_at (self, t, nt))
            continue;
        while (j < nm && m [j].tok_end <= t)
            j++;
        for (size_t k = j; k < nm && m [k].tok_start < t + 3; k++)
            if (m [k].type == CLIP_ENT_ORG && npairs < LETTER_PAIRS_MAX) {
                pairs [npairs][0] = self->words [t].text [0];
                pairs [npairs][1] = self->words [t + 2].text [0];
                npairs++;
                break;
            }
    }
    if (npairs == 0)
        return nm;
    j = 0;
    for (size_t t = 0; t + 2 < nt; t++) {
        if (!letters_joined_at (self, t, nt))
            continue;
        int known = 0;
        for (size_t p = 0; p < npairs && !known; p++)
            known = pairs [p][0] == self->words [t].text [0]
                    && pairs [p][1] == self->words [t + 2].text [0];
        if (!known)
            continue;
        size_t start = self->toks.tokens [t].start, end = self->toks.tokens [t + 2].end;
        /*  The names inside the three words go; a name reaching outside
            them ("S and P 500") keeps the pair.  */
        while (j < nm && m [j].end <= start)
            j++;
        size_t k = j;
        int outside = 0;
        while (k < nm && m [k].start < end) {
            outside |= m [k].start < start || m [k].end > end;
            k++;
        }
        if (outside || (k == j && nm + 1 > cap))
            continue;
        ment_t pair = { t, t + 3, start, end, CLIP_ENT_ORG };
        if (k > j) {
            m [j] = pair;
            memmove (&m [j + 1], &m [k], (nm - k) * sizeof *m);
            nm -= k - j - 1;
        }
        else {
            memmove (&m [j + 1], &m [j], (nm - j) * sizeof *m);
            m [j] = pair;
            nm++;
        }
        j++;
        t += 2;
    }
    return nm;
}

/*  Holidays among tokens [from, to), which no name covers, as MISC: the
    tagger misses them as modifiers ("A Christmas tree"); a religion or
    doctrine in running text ("visiting Jainism's shrine": capitalised
    after a word in lower case, where "terrorism" would not be); and works
    after a noun of works.  */
static void
push_holidays (const clip_ner_t *self, ment_t *m, size_t *nm, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        const clip_word_t *w = &self->words [i];
        if (w->len >= 3 && w->text [0] >= 'A' && w->text [0] <= 'Z' && word_among (w, L_HOLIDAYS))
            push_tokens (self, m, nm, i, i + 1, CLIP_ENT_MISC);
        else
        if (i > 0 && doctrine_word (w) && !(self->toks.tokens [i].flags & CLIP_TOKEN_SENT_START)
            && w [-1].len > 0 && w [-1].text [0] >= 'a' && w [-1].text [0] <= 'z')
            push_tokens (self, m, nm, i, i + 1, CLIP_ENT_MISC);
        else
        if (i + 1 < to && w->len >= 4 && w->text [0] >= 'a' && w->text [0] <= 'z'
            && is_upper_initial (&w [1]) && word_among (w, L_WORK_NOUNS)
            && !(self->toks.tokens [i + 1].flags & CLIP_TOKEN_SENT_START)
            && !never_alone (&w [1])) {
            /*  "his autobiography Glow": a work's title the tagger left
                out.  */
            size_t e = i + 1;
            while (e < to && e - i <= 6 && is_upper_initial (&self->words [e])
                   && self->words [e].len > 1)
                e++;
            /*  Only a title that ends there: not one running into a
                name the tagger found, through a "'s" ("It's A ...") or
                on in lower case ("How to Dismantle ...": title_inner).  */
            if (e > i + 1 && e < to && !word_among (&self->words [e], L_TITLE_INNER))
                push_tokens (self, m, nm, i + 1, e, CLIP_ENT_MISC);
            i = e - 1;
        }
    }
}

/*  The most names of one document the context rules retype.  */
#define CONTEXT_MAX 32

/*  The word of tokens [0, nt) right after name m, or NULL (a piece of a
    word, "Norvix" of "Norvix-based", has none).  */
static const clip_word_t *
word_after (const clip_ner_t *self, const ment_t *m, size_t nt)
{
    size_t t = m->tok_end;
    while (t < nt && self->toks.tokens [t].end <= m->end)     /* "Zorix.B" */
        t++;
    if (t >= nt || self->toks.tokens [t - 1].end != m->end)
        return NULL;
    return &self->words [t];
}

/*  Products and works (class 5 of issue 14): MISC in CoNLL and in the
    labels, while the tagger, which learnt from 1996 news, calls an
    unknown one-word product a person or a place.  The words around a name
    say what it is: a lower-case product noun after it ("the Zorix virus",
    "Norvix software"), a work noun before it ("the musical Penny Larkspur",
    "his memoir, Glass Rivers").  Such a name is MISC, and so is every other
    mention of it in the document (with the headline's surname of a
    person-shaped title, "Larkspur").  Not when the document shows it is
    something else: a name the lexicon knows as an organisation or a
    person before a product noun ("a known maker's software"), or one that is
    ever followed by "'s" or "said" (a company: "Brightwave said").  Linear:
    at most CONTEXT_MAX names are retyped, each compared with every name
    once.  */
static void
type_by_context (const clip_ner_t *self, ment_t *m, size_t nm, size_t nt)
{
    size_t marked [CONTEXT_MAX], nmark = 0;
    /*  A mention the tagger already calls MISC counts too: its cue still
        types the document's other mentions of it ("Harlan software", then
        "Harlan-based", which the suffix rule would make a place).  */
    for (size_t i = 0; i < nm && nmark < CONTEXT_MAX; i++) {
        const clip_word_t *next = word_after (self, &m [i], nt);
        int product = next && word_among (next, L_PRODUCT_NOUNS)
                      && !(self->toks.tokens [next - self->words].flags & CLIP_TOKEN_SENT_START);
        if (product) {
            unsigned mask = lex_words (self, m [i].tok_start, m [i].tok_end, 0);
            if (mask & ((1u << CLIP_ENT_ORG) | (1u << CLIP_ENT_PER)))
                product = 0;
        }
        size_t p = m [i].tok_start;
        int work = 0;
        if (!product && p > 0 && m [i].start == self->toks.tokens [p].start
            && !(self->toks.tokens [p].flags & CLIP_TOKEN_SENT_START)) {
            if (p > 1 && word_is (&self->words [p - 1], ",")
                && !(self->toks.tokens [p - 1].flags & CLIP_TOKEN_SENT_START))
                p--;
            work = word_among (&self->words [p - 1], L_WORK_NOUNS);
        }
        if (!product && !work)
            continue;
        /*  The document's other mentions of it say it is a company.  */
        size_t n = m [i].end - m [i].start;
        int company = 0;
        for (size_t j = 0; j < nm && !company; j++) {
            if (m [j].end - m [j].start != n
                || !same_text (self->text + m [j].start, self->text + m [i].start, n))
                continue;
            const clip_word_t *w = word_after (self, &m [j], nt);
            company = w && (word_is (w, "'s") || word_is (w, "said") || word_is (w, "says"));
        }
        if (!company)
            marked [nmark++] = i;
    }
    for (size_t k = 0; k < nmark; k++) {
        const ment_t *src = &m [marked [k]];
        size_t n = src->end - src->start;
        /*  A person-shaped title's last word alone ("Larkspur"): two or
            three capitalised words.  */
        const clip_token_t *last = &self->toks.tokens [src->tok_end - 1];
        int surname = src->tok_end - src->tok_start > 1 && src->tok_end - src->tok_start <= 3
                      && src->end == last->end;
        for (size_t t = src->tok_start; t < src->tok_end && surname; t++)
            surname = is_upper_initial (&self->words [t]);
        for (size_t j = 0; j < nm; j++) {
            size_t l = m [j].end - m [j].start;
            if ((l == n && same_text (self->text + m [j].start, self->text + src->start, n))
                || (surname && m [j].tok_end - m [j].tok_start == 1
                    && l == last->end - last->start
                    && same_text (self->text + m [j].start, self->text + last->start, l)))
                m [j].type = CLIP_ENT_MISC;
        }
    }
}

/*  An acronym the text defines in brackets after lower-case words whose
    initials spell it ("frozen concentrated orange juice (FCOJ)",
    "multilateral development banks (MDBs)") abbreviates a common noun:
    none of its mentions is a name (the labels leave them out,
    workers/ner/README.md).  Is the name [start, end) such an acronym,
    one of up to ACRONYMS_MAX the text defines?  The text is scanned once
    per document, on the first name of two to six capitals (with a
    plural "s").  */
#define ACRONYMS_MAX 16

typedef struct {
    size_t n;
    bool scanned;
    char acr [ACRONYMS_MAX][8];
} noun_acronyms_t;

static bool
is_lower_ascii (char c)
{
    return c >= 'a' && c <= 'z';
}

static bool
acronym_shape (const char *s, size_t n, size_t *letters)
{
    size_t k = 0;
    while (k < n && s [k] >= 'A' && s [k] <= 'Z')
        k++;
    *letters = k;
    return k >= 2 && k <= 6 && (k == n || (k + 1 == n && s [k] == 's'));
}

/*  Do the lower-case words right before byte at spell the acronym's
    letters acr[0, k), "of", "and", "the", "for", "in" and "to" between
    them skipped?  */
static bool
initials_before (const char *t, size_t at, const char *acr, size_t k)
{
    size_t p = at;
    while (k > 0) {
        while (p > 0 && (t [p - 1] == ' ' || t [p - 1] == '\n'))
            p--;
        size_t e = p;
        while (p > 0 && (is_lower_ascii (t [p - 1]) || t [p - 1] == '-'))
            p--;
        if (p == e || (p > 0 && !(t [p - 1] == ' ' || t [p - 1] == '\n')))
            return false;
        size_t wl = e - p;
        static const char *const skip [] = { "of", "and", "the", "for", "in", "to", NULL };
        bool skipped = false;
        for (size_t w = 0; skip [w] && !skipped; w++)
            skipped = strlen (skip [w]) == wl && memcmp (skip [w], t + p, wl) == 0;
        if (skipped)
            continue;
        if (t [p] != acr [k - 1] - 'A' + 'a')
            return false;
        k--;
    }
    return true;
}

static void
noun_acronyms_scan (noun_acronyms_t *na, const char *t, size_t len)
{
    na->scanned = true;
    for (const char *o = memchr (t, '(', len); o && na->n < ACRONYMS_MAX;
         o = memchr (o + 1, '(', len - (size_t) (o + 1 - t))) {
        size_t at = (size_t) (o - t), e = at + 1;
        while (e < len && e - at <= 8 && t [e] != ')')
            e++;
        size_t letters;
        if (e >= len || t [e] != ')' || !acronym_shape (t + at + 1, e - at - 1, &letters)
            || !initials_before (t, at, t + at + 1, letters))
            continue;
        memcpy (na->acr [na->n], t + at + 1, letters);
        na->acr [na->n][letters] = '\0';
        na->n++;
    }
}

static bool
noun_acronym (noun_acronyms_t *na, const char *t, size_t len, size_t start, size_t end)
{
    size_t letters;
    if (!acronym_shape (t + start, end - start, &letters))
        return false;
    if (!na->scanned)
        noun_acronyms_scan (na, t, len);
    for (size_t k = 0; k < na->n; k++)
        if (strlen (na->acr [k]) == letters && memcmp (na->acr [k], t + start, letters) == 0)
            return true;
    return false;
}

/*  Is token t "'s" (straight or curly apostrophe)?  */
static int
is_possessive_s (const clip_ner_t *self, size_t t, size_t nt)
{
    return t < nt && (word_is (&self->words [t], "'s") || word_is (&self->words [t], "\xe2\x80\x99s"));
}

/*  A company named with "'s" ("Sotheby's", "Pantera's"): an organisation
    followed by "'s" and then "said", "says", punctuation or a
    preposition, where a possessive would need its noun ("at Sotheby's
    in New York", "Pantera's said").  Every mention of that organisation
    followed by "'s" then takes it ("shares of Pantera's common stock").
    At most CONTEXT_MAX names are marked, each compared with every name
    once.  */
static void
names_with_possessive (const clip_ner_t *self, ment_t *m, size_t nm, size_t nt)
{
    size_t marked [CONTEXT_MAX], nmark = 0;
    for (size_t i = 0; i < nm && nmark < CONTEXT_MAX; i++) {
        size_t t = m [i].tok_end;
        if (m [i].type != CLIP_ENT_ORG || m [i].end != self->toks.tokens [t - 1].end
            || !is_possessive_s (self, t, nt) || self->toks.tokens [t].start != m [i].end
            || t + 1 >= nt || (self->toks.tokens [t + 1].flags & CLIP_TOKEN_SENT_START))
            continue;
        const clip_word_t *n = &self->words [t + 1];
        if (word_is (n, "said") || word_is (n, "says") || word_is (n, ",") || word_is (n, ".")
            || word_is (n, "in") || word_is (n, "at") || word_is (n, "on"))
            marked [nmark++] = i;
    }
    for (size_t k = 0; k < nmark; k++) {
        const ment_t *src = &m [marked [k]];
        size_t n = src->end - src->start;
        for (size_t j = 0; j < nm; j++) {
            size_t t = m [j].tok_end;
            if (m [j].type == CLIP_ENT_ORG && m [j].end - m [j].start == n
                && same_text (self->text + m [j].start, self->text + src->start, n)
                && is_possessive_s (self, t, nt) && self->toks.tokens [t].start == m [j].end) {
                m [j].end = self->toks.tokens [t].end;
                m [j].tok_end = t + 1;
            }
        }
    }
}

/*  Is token t a word "al-Xxx" / "el-Xxx" (an Arabic article, a capital
    after its hyphen), right after the byte at? */
static bool
arabic_article_at (const clip_ner_t *self, size_t t, size_t nt, size_t at)
{
    if (t >= nt || (self->toks.tokens [t].flags & CLIP_TOKEN_SENT_START))
        return false;
    const clip_token_t *tk = &self->toks.tokens [t];
    const char *w = self->text + tk->start;
    size_t n = tk->end - tk->start;
    return tk->start == at + 1 && self->text [at] == ' ' && n >= 5
        && (w [0] == 'a' || w [0] == 'e') && w [1] == 'l' && w [2] == '-'
        && w [3] >= 'A' && w [3] <= 'Z';
}

/*  The label of a table's row: an indented line's first words, up to a
    column gap (two spaces or more) before the row's first value (a
    number, a dash, "nil"), or one space when a second value follows
    across a column gap; tokens [a, b).  */
typedef struct {
    size_t a, b;
    size_t block;               /* rows of one table share it: no blank line between */
    /*  What table_places learns of the row.  */
    int exact;                  /* the type of the name that is exactly the label, or -1 */
    bool across;                /* a name runs into the label or out of it */
    unsigned lexicon;           /* the types the lexicon knows the label by */
    bool make;                  /* the label becomes a place */
    bool holds;                 /* names lie within the label */
    bool code;                  /* the label holds a code (words_hold_code) */
    bool drop;                  /* the label's names go: it reads as no name */
} row_label_t;

#define ROW_LABEL_MAX_WORDS 4

/*  The spaces and tabs between bytes a and b, or SIZE_MAX when anything
    else is there; *lines gets the line breaks.  */
static size_t
gap_spaces (const char *text, size_t a, size_t b, size_t *lines)
{
    size_t sp = 0;
    *lines = 0;
    for (size_t k = a; k < b; k++) {
        if (text [k] == '\n')
            (*lines)++, sp = 0;
        else if (text [k] == ' ' || text [k] == '\t')
            sp++;
        else if (text [k] != '\r')
            return SIZE_MAX;
    }
    return sp;
}

/*  Is token t a table's value: digits, a dash, or a word a cell holds
    where it has no figure ("nil", "NIL", "unch", "unquoted")?  */
static int
is_row_value (const clip_ner_t *self, size_t t)
{
    static const char *const no_figure [] = {
        "nil", "NIL", "Nil", "unch", "UNCH", "unchanged", "UNCHANGED", "unquoted", "UNQUOTED",
        "n/a", "N/A", "NA", NULL
    };
    const clip_word_t *w = &self->words [t];
    if (w->len == 0)
        return 0;
    char c = w->text [0];
    if ((c >= '0' && c <= '9') || c == '-')
        return 1;
    for (size_t k = 0; no_figure [k]; k++)
        if (word_is (w, no_figure [k]))
            return 1;
    return 0;
}

/*  The row labels of the text, in order (caller frees); returns how many. */
static size_t
row_labels (const clip_ner_t *self, size_t nt, row_label_t **out)
{
    row_label_t *rows = NULL;
    size_t n = 0, cap = 0, block = 0;
    for (size_t t = 0; t < nt; t++) {
        size_t prev_end = t > 0 ? self->toks.tokens [t - 1].end : 0, lines;
        size_t sp = gap_spaces (self->text, prev_end, self->toks.tokens [t].start, &lines);
        if (t > 0 && lines == 0)
            continue;                   /* not the first token of its line */
        if (lines >= 2)
            block++;
        if (sp == 0 || sp == SIZE_MAX)
            continue;                   /* not indented */
        const clip_word_t *w = &self->words [t];
        if (w->len == 0 || !(w->text [0] >= 'A' && w->text [0] <= 'Z'))
            continue;
        size_t b = t + 1;
        while (b < nt && b - t < ROW_LABEL_MAX_WORDS) {
            size_t g = gap_spaces (self->text, self->toks.tokens [b - 1].end,
                                   self->toks.tokens [b].start, &lines);
            const clip_word_t *x = &self->words [b];
            if (lines || g >= 2 || x->len == 0
                || !((x->text [0] >= 'A' && x->text [0] <= 'Z') || x->text [0] == '.'))
                break;
            b++;
        }
        if (b >= nt)
            continue;
        size_t g = gap_spaces (self->text, self->toks.tokens [b - 1].end,
                               self->toks.tokens [b].start, &lines);
        if (lines || g == 0 || g == SIZE_MAX || !is_row_value (self, b))
            continue;
        /*  One space before the value ("KANSAS CITY 100    ---"): a
            row when a second value follows across a column gap.  */
        if (g == 1) {
            size_t v = b + 1, l2;
            while (v < nt && gap_spaces (self->text, self->toks.tokens [v - 1].end,
                                         self->toks.tokens [v].start, &l2) == 0)
                v++;                    /* the rest of the value ("1,200", "---") */
            size_t g2 = v < nt ? gap_spaces (self->text, self->toks.tokens [v - 1].end,
                                             self->toks.tokens [v].start, &l2) : 0;
            if (v >= nt || l2 || g2 < 2 || g2 == SIZE_MAX || !is_row_value (self, v))
                continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            rows = clip_realloc (rows, cap * sizeof *rows);
        }
        rows [n++] = (row_label_t) { .a = t, .b = b, .block = block, .exact = -1 };
        t = b;
    }
    *out = rows;
    return n;
}

/*  Does a word among [a, b) read as a table's code, no name: a digit, a
    slash, a hyphen (any, or only one before a last letter: "Ttl
    Supply-X", "No2", "E.O.A-C"; a hyphenated name, "WAL-MART", is no
    code then)?  */
static int
words_hold_code (const clip_ner_t *self, size_t a, size_t b, bool any_hyphen)
{
    for (size_t t = a; t < b; t++) {
        const clip_word_t *w = &self->words [t];
        for (size_t k = 0; k < w->len; k++)
            if (w->text [k] == '/' || (w->text [k] >= '0' && w->text [k] <= '9')
                || (w->text [k] == '-' && (any_hyphen || k + 2 == w->len)))
                return 1;
    }
    return 0;
}

/*  Does a capitalised word among [a, b) read as a common word: one
    unlabeled news writes mostly in lower case (the first of them, less
    than nine times in ten with a capital: "Domes Use", "Start Stcks",
    "Total Loans")?  */
static int
words_read_lower (const clip_ner_t *self, size_t a, size_t b)
{
    for (size_t t = a; t < b; t++) {
        const clip_word_t *w = &self->words [t];
        if (w->len == 0 || !(w->text [0] >= 'A' && w->text [0] <= 'Z'))
            continue;           /* "and", ".": words inside names */
        int cb = clip_tagger_cap_bucket (self->tagger, w);
        if (cb >= 0 && cb < (t == a ? 2 : 1))
            return 1;
    }
    return 0;
}

/*  Do the words of a row's label read as a name: letters and periods
    only, no code of any hyphen ("Named-A", "USDAPRJ-G", "O.O.P-D"), and
    none a common word (words_read_lower: "CITY" of "SIOUX CITY" is
    written capitalised often enough; "TOTAL", "WEEK AGO", "SIX MARKETS"
    are not names)?  */
static int
label_reads_as_name (const clip_ner_t *self, size_t a, size_t b)
{
    return !words_hold_code (self, a, b, true) && !words_read_lower (self, a, b);
}

/*  A table of places: where the labels of three rows or more of one
    table are places, two of them at least known so to the lexicon, and
    more of them than of any other type, a row's label that reads as a
    name (label_reads_as_name) and that the lexicon knows as nothing but
    a place, if at all, is a place too ("ST JOSEPH", "SIOUX CITY",
    "JOLIET" below "KANSAS CITY" and "ST LOUIS"; the tagger had "CITY"
    an organisation, "PAUL" a person, or nothing).  The names inside
    such a label go.  *m_io is in text order and may be replaced;
    returns the count.  */
static size_t
table_places (const clip_ner_t *self, ment_t **m_io, size_t nm, size_t nt)
{
    row_label_t *rows;
    size_t nr = row_labels (self, nt, &rows);
    if (nr == 0) {
        free (rows);
        return nm;
    }
    ment_t *m = *m_io;
    for (size_t r = 0, i = 0; r < nr; r++) {
        row_label_t *row = &rows [r];
        while (i < nm && m [i].tok_end <= row->a)
            i++;
        /*  A name from the line before runs into the label ("Western\n
            Hemisphere"), or out of it: the tagger read the row otherwise,
            and it stays as it is.  */
        for (size_t j = i; j < nm && m [j].tok_start < row->b; j++) {
            row->across |= m [j].tok_start < row->a || m [j].tok_end > row->b;
            row->holds = true;
        }
        while (i < nm && m [i].tok_start < row->a)
            i++;
        if (i < nm && m [i].tok_start == row->a && m [i].tok_end == row->b)
            row->exact = m [i].type;
        row->lexicon = lex_words (self, row->a, row->b, 0);
    }
    /*  The names within a row's label that reads as no name, holding a
        code or a common word ("Domes Use", "Start Stcks", "Ttl Supply-X"
        of a crop's supply table), the label unknown to the lexicon: the
        tagger read a table's capitalised row as names.  They go (but for
        those kept below).  */
    size_t changed = 0;
    for (size_t r = 0; r < nr; r++) {
        row_label_t *row = &rows [r];
        if (row->holds && !row->across && row->lexicon == 0) {
            row->code = words_hold_code (self, row->a, row->b, false);
            if (!row->code && !words_read_lower (self, row->a, row->b))
                continue;
            row->drop = true;
            changed++;
        }
    }
    size_t added = 0;
    for (size_t r0 = 0, r1; nr >= 3 && r0 < nr; r0 = r1) {
        /*  A place the lexicon knows as one too counts twice: two of
            them at least make a table of places (the tagger takes a stock
            index's "Trans" and "Utils" for places).  */
        size_t count [CLIP_ENT_NTYPES] = { 0 }, known = 0;
        for (r1 = r0; r1 < nr && rows [r1].block == rows [r0].block; r1++) {
            if (rows [r1].exact >= 0)
                count [rows [r1].exact]++;
            known += rows [r1].exact == CLIP_ENT_LOC
                     && (rows [r1].lexicon & (1u << CLIP_ENT_LOC));
        }
        size_t places = count [CLIP_ENT_LOC], others = 0;
        for (int ty = 0; ty < CLIP_ENT_NTYPES; ty++)
            if (ty != CLIP_ENT_LOC && count [ty] > others)
                others = count [ty];
        if (places < 3 || known < 2 || places <= others)
            continue;
        for (size_t r = r0; r < r1; r++) {
            row_label_t *row = &rows [r];
            if (row->exact == CLIP_ENT_LOC || row->across
                || (row->lexicon & ~(1u << CLIP_ENT_LOC))
                || !label_reads_as_name (self, row->a, row->b))
                continue;
            row->make = true;
            added++;
        }
    }
    if (added + changed > 0) {
        ment_t *out = clip_malloc ((nm + added) * sizeof *out);
        size_t k = 0, i = 0;
        for (size_t r = 0; r <= nr; r++) {
            if (r < nr && !rows [r].make && !rows [r].drop)
                continue;
            size_t a = r < nr ? rows [r].a : SIZE_MAX, b = r < nr ? rows [r].b : SIZE_MAX;
            for (; i < nm && m [i].tok_start < a; i++)
                if (m [i].tok_end <= a)
                    out [k++] = m [i];
            /*  Inside the label: it goes.  In a label read as no name,
                a name the lexicon knows stays ("Swiss" of "Swiss Franc"),
                and so does one whose own words read as a name in a label
                without a code ("AMEX" of "AMEX INDEX").  */
            for (; i < nm && m [i].tok_start < b; i++)
                if (r < nr && rows [r].drop
                    && (lex_words (self, m [i].tok_start, m [i].tok_end, 0)
                        || (!rows [r].code
                            && !words_read_lower (self, m [i].tok_start, m [i].tok_end))))
                    out [k++] = m [i];
            if (r < nr && rows [r].make)
                out [k++] = (ment_t) { a, b, self->toks.tokens [a].start,
                                       self->toks.tokens [b - 1].end, CLIP_ENT_LOC };
        }
        free (m);
        *m_io = out;
        nm = k;
    }
    free (rows);
    return nm;
}

static size_t sentence_period_cut (const clip_ner_t *self, const ment_t *m, size_t len);

/*  Does a blank line or a line break before an indented line come
    before token t?  */
static int
paragraph_break (const clip_ner_t *self, size_t t)
{
    size_t lines;
    size_t sp = gap_spaces (self->text, self->toks.tokens [t - 1].end,
                            self->toks.tokens [t].start, &lines);
    return sp != SIZE_MAX && (lines >= 2 || (lines == 1 && sp >= 2));
}

/*  A name stays in its table column: it ends before a gap of three
    spaces or more inside its line, or of two before a number, where a
    table's next column starts ("OKLA CITY   200     6,800", "WEST FARGO
    400": the tagger ran the place into the row's first value; prose
    has a double space now and then, "Marine  Corps").  m is in text
    order; returns its count.  */
static size_t
names_within_columns (const clip_ner_t *self, ment_t *m, size_t nm)
{
    size_t kept = 0;
    for (size_t i = 0; i < nm; i++) {
        ment_t cur = m [i];
        for (size_t t = cur.tok_start + 1; t < cur.tok_end; t++) {
            size_t a = self->toks.tokens [t - 1].end, b = self->toks.tokens [t].start, lines;
            size_t sp = gap_spaces (self->text, a, b, &lines);
            char c = self->text [b];
            /*  Spaces and tabs only: no line break.  */
            if (sp == b - a && (sp >= 3 || (sp == 2 && ((c >= '0' && c <= '9') || c == '-')))) {
                cur.tok_end = t;
                cur.end = a;
                break;
            }
        }
        m [kept++] = cur;
    }
    return kept;
}

/*  No name runs over a blank line or into an indented line, a
    paragraph's or a table row's start: the tagger ran "Smith Barney and
    Co." into the next paragraph's "Tarvex Corp", and "Year" into "Shr 81
    cts" of an earnings report.  Such a name is cut into its pieces, one
    a paragraph; a piece that is a legal form or an initial alone ("Co.",
    "B."), one word opening a paragraph that is not a name the lexicon
    knows and news capitalises ("The", "Shr" of "Shr 81 cts"), or,
    unknown to the lexicon, capitalised words that read as common words
    ("Year"), goes; one the lexicon knows takes its type ("Calif."), and a legal
    form's period ending the paragraph is left out.  m is in text order
    and has room for 2 nt + 1 names; returns its count.  */
static size_t
names_within_paragraphs (const clip_ner_t *self, ment_t *m, size_t nm, size_t len)
{
    /*  The cuts, counted first: the pieces are written from the back.  */
    size_t extra = 0;
    for (size_t i = 0; i < nm; i++)
        for (size_t t = m [i].tok_start + 1; t < m [i].tok_end; t++)
            extra += paragraph_break (self, t);
    if (extra == 0)
        return nm;
    size_t total = 0;
    ment_t *pieces = clip_malloc ((nm + extra) * sizeof *pieces);
    for (size_t i = 0; i < nm; i++) {
        size_t from = m [i].tok_start;
        for (size_t t = from + 1; t <= m [i].tok_end; t++) {
            if (t < m [i].tok_end && !paragraph_break (self, t))
                continue;
            ment_t p = { from, t, from == m [i].tok_start ? m [i].start : self->toks.tokens [from].start,
                         t == m [i].tok_end ? m [i].end : self->toks.tokens [t - 1].end, m [i].type };
            from = t;
            if (p.tok_end - p.tok_start == m [i].tok_end - m [i].tok_start) {
                pieces [total++] = p;           /* not cut */
                continue;
            }
            const clip_word_t *w0 = &self->words [p.tok_start];
            int initial = (w0->len == 1 || (w0->len == 2 && w0->text [1] == '.'))
                          && is_upper_initial (w0);
            int lone = p.tok_end - p.tok_start == 1 && (word_in (w0, L_HEADS_ORG) || initial);
            unsigned known = lex_words (self, p.tok_start, p.tok_end, 0);
            /*  One word opening a paragraph, whose capital says nothing:
                a name only when the lexicon knows it and news writes it
                capitalised most of the time ("Chrysler", not "The",
                "In" or the "Shr" heading a row of figures).  */
            int cb = clip_tagger_cap_bucket (self->tagger, w0);
            int opener = p.tok_start > m [i].tok_start && p.tok_end - p.tok_start == 1
                         && !(known && cb >= 2);
            if (lone || opener || (!known && words_read_lower (self, p.tok_start, p.tok_end)))
                continue;
            if (known)
                p.type = lex_type_words (self, p.tok_start, p.tok_end, 0, p.type);
            /*  A legal form's period that ends the paragraph is not the
                name's ("Quillby Brothers and Co.").  */
            if (t < m [i].tok_end)
                p.end = sentence_period_cut (self, &p, len);
            pieces [total++] = p;
        }
    }
    memcpy (m, pieces, total * sizeof *m);
    free (pieces);
    return total;
}

/*  Arabic names ("Abdul-Aziz bin Khalifa al-Thani", "Ali Khalifa
    al-Sabah", "Osama bin Laden"): the tagger stops at a particle in lower
    case.  Two names joined by "bin" / "ibn" are one person, and a
    person's name runs on over the "al-" / "el-" words right after it
    (the news labels; workers/ner/README.md, thirteenth round).  m is in
    text order; returns its new count.  */
static size_t
arabic_names (const clip_ner_t *self, ment_t *m, size_t nm, size_t nt)
{
    size_t kept = 0;
    for (size_t i = 0; i < nm; i++) {
        ment_t cur = m [i];
        for (;;) {
            size_t t = cur.tok_end;
            const clip_token_t *p = t < nt ? &self->toks.tokens [t] : NULL;
            if (i + 1 < nm && p && m [i + 1].tok_start == t + 1 && p->start == cur.end + 1
                && (word_is (&self->words [t], "bin") || word_is (&self->words [t], "ibn"))
                && self->text [p->start] >= 'a' && self->text [p->start] <= 'z'
                && !(p->flags & CLIP_TOKEN_SENT_START)
                && !(self->toks.tokens [t + 1].flags & CLIP_TOKEN_SENT_START)
                && m [i + 1].start == p->end + 1) {
                cur.tok_end = m [i + 1].tok_end;
                cur.end = m [i + 1].end;
                cur.type = CLIP_ENT_PER;
                i++;
                continue;
            }
            if (cur.type == CLIP_ENT_PER && arabic_article_at (self, t, nt, cur.end)) {
                /*  The tagger may have made the word a name of its own.  */
                bool named = i + 1 < nm && m [i + 1].tok_start == t;
                cur.tok_end = named ? m [i + 1].tok_end : t + 1;
                cur.end = named ? m [i + 1].end : self->toks.tokens [t].end;
                i += named;
                continue;
            }
            break;
        }
        m [kept++] = cur;
    }
    return kept;
}

/*  Lower-case nouns after a name that make it an organisation ("the
    Argonaut games group", "Argonaut headquarters", "a Zorix
    spokeswoman"): type_by_org_context.  Not one of s_lists, whose
    bit masks are full; asked only after a name the tagger did not call
    an organisation.  */
static const char *const org_nouns [] = {
    "group", "headquarters", "spokesman", "spokeswoman", "spokesperson", "chairman",
    "chairwoman", "shareholders", "subsidiary", "subsidiaries", "employees", NULL
};

/*  A name the tagger called a product, a person or a place that an
    organisation's noun follows (org_nouns) is an organisation, with
    every other mention of it, unless the lexicon knows it as a place, a
    person or a nationality, or it is hyphenated ("the London
    headquarters", "the Anglo-Dutch group" are kept).  As type_by_context, at most CONTEXT_MAX names are
    retyped, each compared with every name once.  */
static void
type_by_org_context (const clip_ner_t *self, ment_t *m, size_t nm, size_t nt)
{
    size_t marked [CONTEXT_MAX], nmark = 0;
    for (size_t i = 0; i < nm && nmark < CONTEXT_MAX; i++) {
        if (m [i].type == CLIP_ENT_ORG)
            continue;
        const clip_word_t *next = word_after (self, &m [i], nt);
        if (!next || next->len < 5 || !(next->text [0] >= 'a' && next->text [0] <= 'z')
            || (self->toks.tokens [next - self->words].flags & CLIP_TOKEN_SENT_START))
            continue;
        int org = 0;
        for (size_t w = 0; org_nouns [w] && !org; w++)
            org = word_is (next, org_nouns [w]);
        if (!org)
            continue;
        unsigned mask = lex_words (self, m [i].tok_start, m [i].tok_end, 0);
        if (mask & ((1u << CLIP_ENT_LOC) | (1u << CLIP_ENT_PER) | (1u << CLIP_ENT_MISC))
            || memchr (self->text + m [i].start, '-', m [i].end - m [i].start))
            continue;
        marked [nmark++] = i;
    }
    for (size_t k = 0; k < nmark; k++) {
        const ment_t *src = &m [marked [k]];
        size_t n = src->end - src->start;
        for (size_t j = 0; j < nm; j++)
            if (m [j].end - m [j].start == n
                && same_text (self->text + m [j].start, self->text + src->start, n))
                m [j].type = CLIP_ENT_ORG;
    }
}

/*  Wire copy gives a company's ticker in angle brackets after its name
    ("Acme Corp <ACM>"), and a company without one its name in them
    ("<Acme Holdings N.V.>").  Tickers are not labelled
    (workers/ner/README.md); a name in brackets is the name without them.
    Returns 1 when the name of tokens [a, b), bytes [*start, *end), is a
    ticker (capitals, digits and periods between "<" and ">"), else 0
    after cutting a bracket off its bytes.  */
static int
bracket_ticker (const clip_ner_t *self, size_t *start, size_t *end)
{
    const char *t = self->text;
    if (*end > *start + 1 && t [*end - 1] == '>')
        (*end)--;
    if (*end > *start + 1 && t [*start] == '<')
        (*start)++;
    if (*start == 0 || t [*start - 1] != '<' || t [*end] != '>')
        return 0;
    for (size_t i = *start; i < *end; i++)
        if (!((t [i] >= 'A' && t [i] <= 'Z') || (t [i] >= '0' && t [i] <= '9') || t [i] == '.'))
            return 0;
    return 1;
}

/*  A legal suffix's period that also ends the sentence ("... analyst at
    Acme Inc. "Any ...", or at the end of a paragraph) is the sentence's:
    the dev labels leave it out, as OntoNotes does.  The tokenizer never
    ends a sentence after "Inc." (it usually does not), so the text after
    the period says it: an opening quote, a blank or indented line, or the
    end of the text.  Returns the mention's end without it.  */
static size_t
sentence_period_cut (const clip_ner_t *self, const ment_t *m, size_t len)
{
    const clip_word_t *w = &self->words [m->tok_end - 1];
    const char *t = self->text;
    size_t e = m->end;
    if (e < 2 || t [e - 1] != '.' || m->end != self->toks.tokens [m->tok_end - 1].end
        || memchr (w->text, '.', w->len) || !(word_in (w, L_HEADS_ORG) || word_is (w, "Bros")))
        return e;
    size_t i = e, nl = 0;
    while (i < len && (t [i] == ' ' || t [i] == '\t' || t [i] == '\n' || t [i] == '\r')) {
        if (t [i] == '\n')
            nl++;
        i++;
    }
    /*  Or a word that only starts a sentence: "with Morgan Stanley Inc.
        It makes sense", "backed by Warner Bros. But ...".  */
    static const char *const starters [] = {
        "It", "But", "The", "He", "She", "They", "We", "In", "A", "An", "This", "That",
        "Its", "His", "Her", "Their", "There", "However", "Also", "Earlier", "Last", NULL
    };
    size_t sl = 0;
    while (i + sl < len && ((t [i + sl] >= 'a' && t [i + sl] <= 'z') || (t [i + sl] >= 'A' && t [i + sl] <= 'Z')))
        sl++;
    for (size_t k = 0; starters [k] && sl > 0 && nl <= 1; k++)
        if (strlen (starters [k]) == sl && memcmp (starters [k], t + i, sl) == 0
            && i + sl < len && (t [i + sl] == ' ' || t [i + sl] == ','))
            return e - 1;
    if (i == len || nl >= 2 || t [i] == '"'
        || (nl == 1 && (t [i - 1] == ' ' || t [i - 1] == '\t'))
        || (i + 3 <= len && memcmp (t + i, "\xe2\x80\x9c", 3) == 0))
        return e - 1;
    return e;
}

/*  A variant's letters after a period ("Zorix.B", "Zorix.AT", as malware
    is named): the tokenizer ends the word at the period, the name runs
    to the letters, one or two capitals.  Returns the mention's end with
    them.  */
static size_t
variant_letter (const clip_ner_t *self, size_t end, size_t len)
{
    const char *t = self->text;
    if (end + 2 > len || t [end] != '.' || !(t [end + 1] >= 'A' && t [end + 1] <= 'Z')
        || end == 0 || !((t [end - 1] >= 'a' && t [end - 1] <= 'z')))
        return end;
    size_t e = end + 2;
    if (e < len && t [e] >= 'A' && t [e] <= 'Z')
        e++;
    if (e < len) {
        char c = t [e];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || (c == '.' && e + 1 < len && t [e + 1] != ' ' && t [e + 1] != '\n'))
            return end;
    }
    return e;
}

/*  A web address's ending right after a name ("Amazon.com",
    "PowerPage.org", "Play.co.uk"): part of the name, which is the site's.
    Returns the name's new end, end when there is none.  */
static size_t
web_domain (const clip_ner_t *self, size_t end, size_t len)
{
    static const char *const tlds [] = {
        ".co.uk", ".com", ".org", ".net", ".co", ".tv", ".uk", ".info", ".biz", NULL
    };
    const char *t = self->text;
    if (end + 3 > len || t [end] != '.')
        return end;                     /* most names: no period after them */
    for (size_t k = 0; tlds [k]; k++) {
        size_t l = strlen (tlds [k]);
        if (end + l > len || memcmp (t + end, tlds [k], l) != 0)
            continue;
        char c = end + l < len ? t [end + l] : ' ';
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
            || (c == '.' && end + l + 1 < len && t [end + l + 1] >= 'a' && t [end + l + 1] <= 'z'))
            continue;
        return end + l;
    }
    return end;
}

/*  The last word of a station's name before its number ("BBC Radio 4",
    "Channel 4"), which stays an organisation (model_number).  */
static const char *const stations [] = { "Radio", "Channel", NULL };

/*  A product's or a work's number or model after its name ("Commodore
    64", "Gran Turismo 4", "EOS 300D", "BBC Radio 4"): a word of digits
    and capitals with a digit, all digits at most three (a year after a
    name is as often the year it means), then nothing of a figure ("2.5",
    "2-0", "10:30", "1,000"), nor a word of a count or another name after
    it ("Leeds 2 Chelsea 1", "Acme 50 pct"), nor a number before the name
    (the second side of a score), on the same line.  Returns the name's
    new end, end when there is none.  */
static size_t
model_number (const clip_ner_t *self, size_t start, size_t end, size_t len)
{
    static const char *const counted [] = {
        "pct", "percent", "per", "mln", "million", "billion", "bln", "dlrs", "dollars",
        "cts", "pence", "points", "pts", "shares", "years", "year", "months", "days",
        "weeks", "hours", "minutes", "goals", "runs", "tonnes", "to", "of", "and", "or", NULL
    };
    const char *t = self->text;
    if (end + 2 > len || t [end] != ' ')
        return end;
    size_t b = start;
    while (b > 0 && t [b - 1] == ' ')
        b--;
    if (b > 0 && t [b - 1] >= '0' && t [b - 1] <= '9')
        return end;
    size_t p = end + 1, digits = 0, caps = 0;
    while (p < len && ((t [p] >= '0' && t [p] <= '9') || (t [p] >= 'A' && t [p] <= 'Z'))) {
        digits += t [p] >= '0' && t [p] <= '9';
        caps += t [p] >= 'A' && t [p] <= 'Z';
        p++;
    }
    size_t n = p - end - 1;
    if (digits == 0 || n > 6 || (caps == 0 && n > 3))
        return end;
    if (p < len) {
        char c = t [p];
        if ((c >= 'a' && c <= 'z') || c == '-' || c == ':' || c == '%' || c == '/'
            || ((c == '.' || c == ',') && p + 1 < len && t [p + 1] >= '0' && t [p + 1] <= '9'))
            return end;
        if (c == ' ' && p + 1 < len) {
            const char *w = t + p + 1;
            size_t wl = 0;
            while (p + 1 + wl < len && ((w [wl] >= 'a' && w [wl] <= 'z') || (w [wl] >= 'A' && w [wl] <= 'Z')
                                        || (w [wl] >= '0' && w [wl] <= '9')))
                wl++;
            if (wl > 0 && ((w [0] >= 'A' && w [0] <= 'Z') || (w [0] >= '0' && w [0] <= '9')))
                return end;
            for (size_t k = 0; counted [k]; k++)
                if (strlen (counted [k]) == wl && memcmp (counted [k], w, wl) == 0)
                    return end;
        }
    }
    return p;
}

/*  The sign-off of wire copy: the document's last token, one word in
    capitals alone on its line ("REUTER").  It names the agency, an
    organisation (workers/ner/README.md); the tagger took it for a person's
    surname.  */
static int
is_signoff (const clip_ner_t *self, size_t t, size_t nt)
{
    if (t + 1 != nt)
        return 0;
    const clip_token_t *tok = &self->toks.tokens [t];
    if (tok->end - tok->start < 2)
        return 0;
    for (size_t i = tok->start; i < tok->end; i++)
        if (self->text [i] < 'A' || self->text [i] > 'Z')
            return 0;
    size_t i = tok->start;
    while (i > 0 && (self->text [i - 1] == ' ' || self->text [i - 1] == '\t'))
        i--;
    return i == 0 || self->text [i - 1] == '\n';
}

/*  The longest run of words a company's name holds before its legal
    suffix, and the most pieces of a partnership's name.  */
#define COMPANY_MAX_WORDS 6
#define CHAIN_MAX_PIECES 6

/*  A name starting with a legal suffix ("L.P." alone: the tagger saw the
    suffix and not the name) takes in the capitalised words before it,
    down to lo (a lower-case word, the previous name or the sentence's
    start stops it).  Returns the new first token.  */
static size_t
suffix_takes_name (const clip_ner_t *self, size_t a, size_t lo)
{
    const clip_word_t *w = self->words;
    if (a == lo || w [a].len > 6 || !is_upper_initial (&w [a]) || !is_upper_initial (&w [a - 1])
        || !word_in (&w [a], L_HEADS_ORG))
        return a;
    size_t st = a;
    while (st > lo && a - st < COMPANY_MAX_WORDS && is_upper_initial (&w [st - 1])
           && !word_in (&w [st - 1], L_HEADS_ORG) && !is_title (&w [st - 1])
           && !word_in (&w [st - 1], L_ACRONYM_JOINS)
           && !(w [st - 1].len == 1 && !(w [st - 1].text [0] >= 'A' && w [st - 1].text [0] <= 'Z')))
        st--;
    return st;
}

/*  "Pellow, Garrick and Tarn Inc", "Smith, Jones and Co": a company
    named after its partners is one ORG, from the first partner to the
    legal suffix (issue 14, class 5); the tagger made persons or places of
    the partners.  Tokens [a, b) are a name ending in a legal suffix;
    before it, "and" / "&" and one or two capitalised words, and before
    those any number of the same after commas.  A partner the lexicon
    knows as a place or an organisation ("Britain, France and Acme Corp")
    ends the chain.  Names among m [from, *nm) inside the chain are
    dropped.  Returns the name's new first token.  */
static size_t
partners_chain (const clip_ner_t *self, ment_t *m, size_t *nm, size_t from, size_t s,
                size_t a, size_t b)
{
    const clip_word_t *w = self->words;
    if (b - a < 2 || a < s + 2 || !(word_is (&w [a - 1], "and") || word_is (&w [a - 1], "&"))
        || !word_in (&w [b - 1], L_HEADS_ORG))
        return a;
    size_t x = a, pieces = 0;
    for (const char *sep = NULL; pieces < CHAIN_MAX_PIECES; sep = ",") {
        if (x < s + 2)
            break;
        const clip_word_t *j = &w [x - 1];
        if (sep ? !word_is (j, sep) : !(word_is (j, "and") || word_is (j, "&")))
            break;
        size_t pe = x - 1, ps = pe;
        while (ps > s && pe - ps < 2 && is_upper_initial (&w [ps - 1])
               && !word_is (&w [ps - 1], ",") && !is_title (&w [ps - 1])
               && !never_alone (&w [ps - 1]))
            ps--;
        if (ps == pe)
            break;
        unsigned mask = lex_words (self, ps, pe, 0);
        if (mask & ~(1u << CLIP_ENT_PER))
            break;
        x = ps;
        pieces++;
    }
    if (pieces == 0)
        return a;
    size_t keep = *nm;
    while (keep > from && m [keep - 1].tok_end > x)
        keep--;
    if (keep < *nm && m [keep].tok_start < x)
        return a;
    *nm = keep;
    return x;
}

/*  "Government" / "Administration" as the first word of a name ("the
    Government Standards Office", "Administration for Children") keep
    their capital: token i is followed, in its sentence, by a capitalised
    word.  */
static int
government_in_name (const clip_tokens_t *toks, const char *utf8, size_t i)
{
    if (i + 1 >= toks->n)
        return 0;
    const clip_token_t *n = &toks->tokens [i + 1];
    unsigned char c = (unsigned char) utf8 [n->start];
    return !(n->flags & CLIP_TOKEN_SENT_START) && c >= 'A' && c <= 'Z';
}

/*  Whether token t is written "Administration", with its capital (the
    tagger's word has it lowered: tagger_word).  */
static int
administration_at (const clip_ner_t *self, size_t t)
{
    const clip_token_t *tok = &self->toks.tokens [t];
    return tok->end - tok->start == 14 && memcmp (self->text + tok->start, "Administration", 14) == 0;
}

/*  The most words of an ALL-CAPS headline's names looked up in the body
    (each a pass over the document).  */
#define HEADLINE_LOOKUPS 16

/*  Whether the document's tokens [from, nt) write word k in lower case
    ("likely") and never capitalised inside a sentence ("Likely" in a
    name).  */
static int
written_lower_only (const clip_ner_t *self, size_t k, size_t from, size_t nt)
{
    const clip_word_t *w = &self->words [k];
    int lower = 0;
    for (size_t i = from; i < nt; i++) {
        const clip_word_t *x = &self->words [i];
        if (x->len != w->len || ascii_lower (x->text [0]) != ascii_lower (w->text [0])
            || !same_text (x->text, w->text, w->len))
            continue;
        unsigned char c = (unsigned char) x->text [0];
        if (c >= 'a' && c <= 'z')
            lower = 1;
        else
        if (!(self->toks.tokens [i].flags & CLIP_TOKEN_SENT_START)) {
            for (size_t j = 1; j < x->len; j++)
                if (x->text [j] >= 'a' && x->text [j] <= 'z')
                    return 0;
        }
    }
    return lower;
}

/*  Whether tokens [a, b) have letters and none in lower case.  */
static int
all_caps (const clip_ner_t *self, size_t a, size_t b)
{
    int letters = 0;
    for (size_t i = a; i < b; i++)
        for (size_t j = 0; j < self->words [i].len; j++) {
            char c = self->words [i].text [j];
            if (c >= 'a' && c <= 'z')
                return 0;
            letters |= c >= 'A' && c <= 'Z';
        }
    return letters;
}

/*  An ALL-CAPS headline glues a name to the words after it ("ACME
    LIKELY TO SHOW ..."; issue 14, class 2): a name of the headline (tokens
    [a, b), the headline ending at token he) ends before its first word
    that the body writes in lower case and never capitalised.  Joining
    words ("OF", "AND") do not count.  Returns the new end.  */
static size_t
headline_cut (const clip_ner_t *self, size_t a, size_t b, size_t he, size_t nt,
              size_t *lookups)
{
    if (lex_words (self, a, b, 0))      /* "WALL STREET" */
        return b;
    for (size_t k = a + 1; k < b && *lookups < HEADLINE_LOOKUPS; k++) {
        if (word_in (&self->words [k], L_ACRONYM_JOINS) || self->words [k].len < 2)
            continue;
        (*lookups)++;
        if (written_lower_only (self, k, he, nt))
            return k;
    }
    return b;
}

/*  clip_ner_tagger_word, inlined into tag_names' loop over every token.  */
static inline __attribute__ ((always_inline)) size_t
tagger_word (const char *utf8, const clip_tokens_t *toks, size_t i, char *buf)
{
    const clip_token_t *t = &toks->tokens [i];
    /*  Plain ASCII that fits, nearly every token, is copied here as
        clip_token_normalise would copy it, without its scan, its memcpy
        and the call: this runs once per token of every document.  */
    const char *src = utf8 + t->start;
    size_t len = t->end - t->start, wl;
    uint64_t bits = 0x80;               /* the high bits of the bytes copied */
    if (len >= 8 && len < NORM_MAX) {
        /*  Eight bytes at a time, the last eight overlapping.  */
        uint64_t x;
        for (size_t k = 0; k + 8 <= len; k += 8) {
            memcpy (&x, src + k, 8);
            memcpy (buf + k, &x, 8);
            bits = k ? bits | x : x;
        }
        memcpy (&x, src + len - 8, 8);
        memcpy (buf + len - 8, &x, 8);
        bits |= x;
    }
    else
    if (len >= 4 && len < 8) {
        uint32_t y, z;
        memcpy (&y, src, 4);
        memcpy (&z, src + len - 4, 4);
        memcpy (buf, &y, 4);
        memcpy (buf + len - 4, &z, 4);
        bits = y | z;
    }
    else
    if (len < 4) {
        bits = 0;
        for (size_t k = 0; k < len; k++) {
            buf [k] = src [k];
            bits |= (unsigned char) src [k];
        }
    }
    if (!(bits & 0x8080808080808080ULL)) {
        wl = len;
        buf [wl] = 0;
    }
    else
        wl = clip_token_normalise (src, len, buf, NORM_MAX);
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
            || (wl == 14 && memcmp (buf, "Administration", 14) == 0))
        && !government_in_name (toks, utf8, i))
        buf [0] = (char) (buf [0] - 'A' + 'a');
    return wl;
}

size_t
clip_ner_tagger_word (const char *utf8, const clip_tokens_t *toks, size_t i, char *buf)
{
    return tagger_word (utf8, toks, i, buf);
}

size_t
clip_ner_tagger_sentences (const clip_tokens_t *toks, size_t *sents)
{
    size_t nt = toks->n, nsent = 0;
    sents [nsent++] = 0;
    for (size_t i = 1; i < nt; i++)
        if ((toks->tokens [i].flags & CLIP_TOKEN_SENT_START)
            || i - sents [nsent - 1] >= SENT_MAX_TOKENS)
            sents [nsent++] = i;
    sents [nsent] = nt;
    return nsent;
}

/*  Abbreviations of common nouns, never a name alone ("ID cards", "PCs",
    "LPG", the "Oper" of an earnings table): the labels leave them out
    (workers/ner/README.md; none of them is labelled in the nineteen
    development sets, where they occur about a hundred times), while the
    tagger, from CoNLL, takes some for MISC or ORG.  */
static const char *const common_abbreviations [] = {
    "ID", "IDs", "PC", "PCs", "TV", "TVs", "DVD", "DVDs", "CD", "CDs", "LPG", "LNG", "GDP",
    "GNP", "VAT", "CEO", "CEOs", "MP3", "SMS", "PVR", "PVRs", "GPS", "Oper", "HIV", "Aids",
    "AIDS", NULL
};

/*  A time zone after a clock time ("at 1400 GMT", "10 a.m. EST"): part
    of a time of day, which the labels leave out (OntoNotes TIME,
    workers/ner/README.md), while CoNLL calls the zone MISC.  Token t is
    the zone, alone in its name.  */
static const char *const time_zones [] = {
    "GMT", "UTC", "BST", "CET", "CEST", "EST", "EDT", "CST", "CDT", "MST", "MDT",
    "PST", "PDT", NULL
};

static int
zone_of_time (const clip_ner_t *self, size_t t)
{
    if (t == 0 || !word_among (&self->words [t], L_TIME_ZONES))
        return 0;
    const clip_word_t *p = &self->words [t - 1];
    unsigned char c = p->len ? (unsigned char) p->text [p->len - 1] : 0;
    return (c >= '0' && c <= '9') || word_is (p, "a.m.") || word_is (p, "p.m.")
           || word_is (p, "am") || word_is (p, "pm") || word_is (p, "noon")
           || word_is (p, "midnight");
}

static const char *const *const s_lists [L_COUNT] = {
    [L_TITLES] = titles, [L_OFFICE_NOUNS] = office_nouns, [L_NEVER_ALONE] = never_alone_words,
    [L_OFFICES_BEFORE_NAME] = offices_before_name, [L_TITLE_WORDS] = title_words,
    [L_TITLE_JOINS] = title_joins, [L_NOT_IN_PERSON] = not_in_person,
    [L_PORTFOLIOS] = portfolios, [L_HEADS_MISC] = heads_misc, [L_EVENT_TAILS] = event_tails,
    [L_HEADS_LOC] = heads_loc, [L_HEADS_ORG] = heads_org, [L_HOLIDAYS] = holidays,
    [L_GREETINGS] = greetings, [L_HEADS_COMPANY] = heads_company, [L_GEO_HEADS] = geo_heads,
    [L_PARTIES] = parties, [L_PRODUCT_NOUNS] = product_nouns, [L_WORK_NOUNS] = work_nouns,
    [L_ACRONYM_JOINS] = acronym_joins, [L_TITLE_INNER] = title_inner,
    [L_COMMON_ABBREVIATIONS] = common_abbreviations, [L_TIME_ZONES] = time_zones,
    [L_HEADS_BODY] = heads_body, [L_DIRECTIONS] = directions,
    [L_REGION_ADJECTIVES] = region_adjectives, [L_MEMBER_TITLES] = member_titles,
    [L_WORK_PLURALS] = work_plurals, [L_ORG_TAILS] = org_tails,
    [L_NAME_TITLES] = name_titles, [L_HEADS_SITE] = heads_site, [L_STATIONS] = stations
};

static void
list_add (list_table_t *t, const char *word, size_t len, int list)
{
    size_t slot;
    list_entry_t *e = (list_entry_t *) list_find (t, t == &s_folded, word, len, &slot);
    if (!e) {
        assert (t->n < LIST_ENTRIES);
        e = &t->entries [t->n++];
        *e = (list_entry_t) { word, len, 0 };
        t->slots [slot] = (uint16_t) t->n;
    }
    e->lists |= 1u << list;
}

static void
lists_build (void)
{
    assert (L_COUNT <= 32);
    for (int l = 0; l < L_COUNT; l++)
        for (size_t i = 0; s_lists [l][i]; i++) {
            size_t len = strlen (s_lists [l][i]);
            assert (len > 0);
            list_add (&s_exact, s_lists [l][i], len, l);
            list_add (&s_folded, s_lists [l][i], len, l);
            if (len > s_list_max_len)
                s_list_max_len = len;
        }
}

static int
ment_cmp (const void *a, const void *b)
{
    const ment_t *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->end > y->end ? -1 : x->end < y->end;
}

/*  The names in text order, none overlapping another (what the SPEC
    promises of a record's entities): a rule that stretches a name's end
    (variant_letter, a sentence's period) may reach the first name of the
    next sentence ("...son.J"), found by the fuzzer.  Of two that overlap
    the earlier is kept, the longer of two starting together.  Returns
    the names kept.  */
static size_t
names_in_order (ment_t *m, size_t nm)
{
    size_t kept = 0;
    for (size_t k = 0; k < nm; k++)
        if (k > 0 && m [k].start < m [k - 1].start) {
            qsort (m, nm, sizeof *m, ment_cmp);
            break;
        }
    for (size_t k = 0; k < nm; k++)
        if (kept == 0 || m [k].start >= m [kept - 1].end)
            m [kept++] = m [k];
    return kept;
}

/*  The most works of a list works_in_list types, and the most words of
    one of them.  */
#define LIST_MAX_ITEMS 8
#define LIST_MAX_WORDS 8

/*  Words that go on inside a title in a list ("Autumn of Fred", "Need for
    Thrills"), when a capitalised word follows.  */
static int
list_inner (const clip_word_t *w)
{
    return word_is (w, "of") || word_is (w, "the") || word_is (w, "and") || word_is (w, "for")
           || word_is (w, "a") || word_is (w, "an");
}

/*  A word that goes on a title in a list: capitalised, a number ("Fifa
    2005") or a possessive ("She's Gotta Have It").  */
static int
list_title_word (const clip_word_t *w)
{
    return is_upper_initial (w) || (w->len && w->text [0] >= '0' && w->text [0] <= '9')
           || word_is (w, "'s");
}

/*  A word ending in a period ("X." of "Jane X. John Doe said"): the
    sentence may end there unseen, so a title in a list does too.  */
static int
ends_in_period (const clip_word_t *w)
{
    return w->len > 0 && w->text [w->len - 1] == '.';
}

/*  The end of the title of a list starting at token q (capitalised),
    the sentence ending at token e.  Lower-case words go on inside it
    before a capitalised one ("Lanterns of the Old Keep").  An "and" between
    capitalised words is the title's ("Pride and Prejudice, Emma ...")
    unless the words after it end the list (followed by no comma, or by a
    comma closing a clause, "... and Willow Towers, is", ", and it"): then it separates
    the last item ("Metal Fox Acid and Vampire Legends.").  */
static size_t
list_title_end (const clip_ner_t *self, size_t q, size_t e)
{
    const clip_word_t *w = self->words;
    size_t r = q + 1;
    if (ends_in_period (&w [q]))
        return r;
    while (r < e && r - q < LIST_MAX_WORDS) {
        if (list_title_word (&w [r])) {
            if (ends_in_period (&w [r++]))
                break;
            continue;
        }
        size_t j = r;
        while (j < e && j - r < 2 && list_inner (&w [j]))
            j++;
        if (j == r || j >= e || !is_upper_initial (&w [j]))
            break;
        if (word_is (&w [r], "and")) {
            size_t r2 = j;
            while (r2 < e && r2 - j < LIST_MAX_WORDS && list_title_word (&w [r2])
                   && !ends_in_period (&w [r2]))
                r2++;
            if (r2 + 1 >= e || !word_is (&w [r2], ",")
                || !(is_upper_initial (&w [r2 + 1])
                     || ((word_is (&w [r2 + 1], "and") || word_is (&w [r2 + 1], "or"))
                         && r2 + 2 < e && is_upper_initial (&w [r2 + 2]))))
                break;
        }
        r = j;
    }
    return r;
}

/*  Works in a list (class 5 of issue 14): in a sentence with a plural
    noun of works before "such as" or "including" ("films such as A and
    B", "15 games ..., including A, B, C and D", "20 films, including A,
    B and 1990 hit C"), each capitalised title of the comma and "and"
    list after it is MISC, whatever the tagger made of it (a person, an
    organisation, nothing).  An item may open with up to three lower-case
    words or numbers ("1990 hit").  Not a title the lexicon knows as a
    place or an organisation and not as MISC ("games in countries
    including France").  Names [first, nm) are the sentence's, tokens
    [s, e); they stay in text order.  Bounded: LIST_MAX_ITEMS items of
    LIST_MAX_WORDS words, the noun at most 12 words before the cue.  */
static void
works_in_list (const clip_ner_t *self, ment_t *m, size_t *nm, size_t first, size_t s, size_t e)
{
    const clip_word_t *w = self->words;
    const clip_token_t *tok = self->toks.tokens;
    int changed = 0;
    for (size_t c = s + 1; c + 1 < e; c++) {
        size_t p;
        if (word_is (&w [c], "including"))
            p = c + 1;
        else
        if (word_is (&w [c], "such") && word_is (&w [c + 1], "as"))
            p = c + 2;
        else
            continue;
        int noun = 0;
        for (size_t i = c > s + 12 ? c - 12 : s; i < c && !noun; i++)
            noun = word_among (&w [i], L_WORK_PLURALS);
        if (!noun)
            continue;
        for (size_t items = 0, last = 0; p < e && items < LIST_MAX_ITEMS; items++) {
            size_t q = p;
            while (q < e && q - p < 3 && !is_upper_initial (&w [q]) && !word_is (&w [q], "and")
                   && !word_is (&w [q], "or") && w [q].len > 0
                   && ((w [q].text [0] >= 'a' && w [q].text [0] <= 'z')
                       || (w [q].text [0] >= '0' && w [q].text [0] <= '9')))
                q++;
            if (q >= e || !is_upper_initial (&w [q]) || (tok [q].flags & CLIP_TOKEN_SENT_START))
                break;
            size_t r = list_title_end (self, q, e), t;
            /*  A name of the tagger's that goes on past the title, not at
                a separator, is the whole title ("Jane Doe: Return of
                the Fox", "Lanterns of the Old Keep").  */
            if (r < e && !word_is (&w [r], ",") && !word_is (&w [r], "and")
                && !word_is (&w [r], "or") && !ends_in_period (&w [r - 1]))
                for (size_t k = first; k < *nm; k++)
                    if (m [k].tok_start <= q && m [k].tok_end > r && m [k].tok_end <= e
                        && m [k].tok_end - q <= LIST_MAX_WORDS)
                        r = m [k].tok_end;
            for (t = r; t > q && trailing_junk (&w [t - 1]); t--)
                ;
            unsigned mask = lex_words (self, q, t, 0);
            if (t > q && !(mask & (1u << CLIP_ENT_MISC))
                && !(mask & ((1u << CLIP_ENT_LOC) | (1u << CLIP_ENT_ORG)))) {
                size_t start = tok [q].start, end = tok [t - 1].end, kept = first;
                for (size_t k = first; k < *nm; k++)
                    if (m [k].end <= start || m [k].start >= end)
                        m [kept++] = m [k];
                *nm = kept;
                push_tokens (self, m, nm, q, t, CLIP_ENT_MISC);
                changed = 1;
            }
            if (last || ends_in_period (&w [r - 1]))
                break;
            p = r;
            if (p < e && word_is (&w [p], ",")) {
                p++;
                last = p < e && (word_is (&w [p], "and") || word_is (&w [p], "or"));
            }
            else
            if (p < e && (word_is (&w [p], "and") || word_is (&w [p], "or")))
                last = 1;
            else
                break;
            p += last;
        }
    }
    if (changed)
        qsort (m + first, *nm - first, sizeof *m, ment_cmp);
}

/*  Tokenize and tag one document; *m_out (caller owns) gets the names in
    text order.  Returns their number.  */
static size_t
tag_names (clip_ner_t *self, const char *utf8, size_t len, ment_t **m_out)
{
    pthread_once (&s_lists_once, lists_build);
    clip_tokenize (utf8, len, &self->toks);
    self->text = utf8;
    size_t nt = self->toks.n;
    reserve (self, nt + 1);
    /*  Packed: a token of 6 bytes takes 7, not NORM_MAX (which made 64
        bytes of memory per token); at token i at most i * NORM_MAX bytes
        are used, so NORM_MAX remain.  */
    size_t used = 0;
    for (size_t i = 0; i < nt; i++) {
        char *buf = self->norm + used;
        size_t wl = tagger_word (utf8, &self->toks, i, buf);
        self->words [i] = (clip_word_t) { buf, (uint32_t) wl };
        used += wl + 1;
    }
    /*  Tag sentence by sentence within one document, make the document
        consistent, then cut the labels into names.  */
    size_t nsent = clip_ner_tagger_sentences (&self->toks, self->sents);
    if (nt > 0)
        clip_tagger_tag_doc (self->tagger, self->doc, self->words, self->sents, nsent,
                             self->labels);
    size_t s;
    clip_tagger_doc_consistency (self->words, self->labels, nt);
    /*  A name may become two (a title's prefix and the person,
        "France-Germany"), never more than two per word.  */
    ment_t *m = clip_malloc ((2 * nt + 1) * sizeof (ment_t));
    size_t nm = 0;
    s = 0;
    size_t acronym_lookups = 0, bracket_end = 0;
    /*  The token after "and" after a person named with a plural title
        ("Lord Justices Ames and [Bell]"), SIZE_MAX when none.  */
    size_t titled_and = SIZE_MAX;
    while (s < nt) {
        size_t e = s + 1;
        while (e < nt && !(self->toks.tokens [e].flags & CLIP_TOKEN_SENT_START))
            e++;
        size_t ns = clip_labels_spans (self->labels + s, e - s, self->spans);
        size_t first = nm, uncovered = s;
        /*  The document's first sentence in capitals: its headline.  */
        int headline = s == 0 && e < nt && all_caps (self, s, e);
        size_t lookups = 0;
        for (size_t k = 0; k < ns; k++) {
            size_t a = s + self->spans [k].start, b = s + self->spans [k].end;
            int type = self->spans [k].type;
            push_holidays (self, m, &nm, uncovered, a);
            size_t prev_end = uncovered;
            uncovered = b;
            while (b > a && trailing_junk (&self->words [b - 1]))
                b--;
            /*  A name ends before a ticker's bracket ("Acme Corp <ACM>").  */
            for (size_t c = a + 1; c < b; c++)
                if (self->text [self->toks.tokens [c].start] == '<') {
                    b = c;
                    break;
                }
            /*  A legal suffix the tagger left out ("Brandt Holdings N.V.")
                belongs to the company's name; head_type makes it an ORG.  */
            if (b > a && b < e && is_upper_initial (&self->words [b])
                && word_in (&self->words [b], L_HEADS_ORG)
                && (k + 1 == ns || s + self->spans [k + 1].start > b))
                b++;
            /*  So does a newspaper's word after its place ("the [New York]
                Times", "Canada Post"), whose place the tagger took for
                the name.  */
            if (type == CLIP_ENT_LOC && b > a && b < e && newspaper_word (&self->words [b])
                && !(self->toks.tokens [b].flags & CLIP_TOKEN_SENT_START)
                && (k + 1 == ns || s + self->spans [k + 1].start > b)) {
                b++;
                type = CLIP_ENT_ORG;
            }
            /*  So does an agency's "Administration" ("the Food and Drug
                Administration"), which tagger_word lowers as a
                government's ("the Reagan Administration"), so that the
                tagger cut the name before it.  After an organisation of
                two words or more: a person or a country before it is the
                government's.  */
            if ((type == CLIP_ENT_ORG || type == CLIP_ENT_MISC) && b >= a + 2 && b < e
                && administration_at (self, b)
                && (k + 1 == ns || s + self->spans [k + 1].start > b)) {
                b++;
                type = CLIP_ENT_ORG;
            }
            /*  So do the words naming a company's division ("Sony
                Pictures Entertainment", the tagger having seen "Sony").  */
            while (type == CLIP_ENT_ORG && b > a && b < e && company_division_word (&self->words [b])
                   && !(self->toks.tokens [b].flags & CLIP_TOKEN_SENT_START)
                   && (k + 1 == ns || s + self->spans [k + 1].start > b))
                b++;
            /*  So does the head of an event ("the Berlin Marathon", the
                tagger having seen a place): head_type makes it MISC.  */
            if (b > a && b < e && word_among (&self->words [b], L_EVENT_TAILS)
                && (k + 1 == ns || s + self->spans [k + 1].start > b))
                b++;
            /*  "European Union-funded", "International Monetary
                Fund-backed": the tagger, not knowing the hyphenated word,
                ended a name before it and made it a name of its own or
                left it out.  The two are one when the lexicon knows the
                name before the suffix; add_name cuts the suffix.  */
            int next_at_b = k + 1 < ns && s + self->spans [k + 1].start == b;
            if (b == uncovered && b < e && is_upper_initial (&self->words [b])
                && (next_at_b ? self->spans [k + 1].end == self->spans [k + 1].start + 1
                              : (k + 1 == ns || s + self->spans [k + 1].start > b))) {
                const clip_token_t *ht = &self->toks.tokens [b];
                int place = 0;
                size_t wcut = hyphen_suffix_cut (self->words [b].text, self->words [b].len, &place);
                if (wcut && hyphen_suffix_cut (self->text + ht->start, ht->end - ht->start, &place)
                    && lex_words (self, a, b + 1, wcut)) {
                    type = lex_type_words (self, a, b + 1, wcut, type);
                    k += next_at_b;
                    b = uncovered = b + 1;
                }
            }
            /*  "[New Zealand] Wool [Exporters Association]": a place,
                one to three capitalised words the tagger left out and an
                organisation ending in an organisation's head are one
                organisation.  */
            if (type == CLIP_ENT_LOC && b == uncovered && k + 1 < ns
                && self->spans [k + 1].type == CLIP_ENT_ORG) {
                size_t g = s + self->spans [k + 1].start, ge = s + self->spans [k + 1].end;
                int gap = g > b && g - b <= 3;
                for (size_t c = b; c < g && gap; c++)
                    gap = is_upper_initial (&self->words [c]) && self->words [c].len > 1
                          && !(self->toks.tokens [c].flags & CLIP_TOKEN_SENT_START);
                while (gap && ge > g && trailing_junk (&self->words [ge - 1]))
                    ge--;
                if (gap && ge > g && (word_among (&self->words [ge - 1], L_ORG_TAILS)
                                      || word_among (&self->words [ge - 1], L_HEADS_BODY))) {
                    k++;
                    b = ge;
                    uncovered = s + self->spans [k].end;
                    type = CLIP_ENT_ORG;
                }
            }
            if (b > a) {
                size_t a2 = suffix_takes_name (self, a, prev_end);
                if (a2 < a)
                    type = CLIP_ENT_ORG;
                a = partners_chain (self, m, &nm, first, s, a2, b);
            }
            while (a < b && leading_junk (&self->words [a], type, b - a > 1))
                a++;
            if (headline && b - a >= 2) {
                size_t b2 = headline_cut (self, a, b, e, nt, &lookups);
                if (b2 < b) {
                    b = b2;
                    type = lex_type_words (self, a, b, 0, type);
                }
            }
            if (b - a == 2 && word_among (&self->words [a], L_GREETINGS)
                && word_among (&self->words [a + 1], L_HOLIDAYS))
                a++;
            /*  "Gulf of\nAden": the tagger cut the place at "of" (here
                at a line break); a geographic head and the place after
                it are one.  */
            if (type == CLIP_ENT_LOC && b - a == 1 && word_among (&self->words [a], L_GEO_HEADS)
                && b + 1 < e && word_is (&self->words [b], "of") && k + 1 < ns
                && s + self->spans [k + 1].start == b + 1
                && self->spans [k + 1].type == CLIP_ENT_LOC) {
                k++;
                b = s + self->spans [k].end;
                uncovered = b;
                while (b > a && trailing_junk (&self->words [b - 1]))
                    b--;
            }
            /*  "Central [American]", "[North] American": a direction and
                an adjective of nationality the tagger cut apart are one
                (add_name makes them MISC).  */
            if (b - a == 1 && a > prev_end && region_adjective (self, a - 1))
                a--;
            else
            if (b - a == 1 && b == uncovered && b + 1 <= e
                && (k + 1 == ns || s + self->spans [k + 1].start > b) && region_adjective (self, a))
                b = uncovered = b + 1;
            /*  "[Harlow West] MP [Jane Doe]": a name before a member's
                title is the constituency; a person only when no name
                follows the title ("Jane Doe MP said").  */
            if (b > a && b < e && member_title (self, b, e)
                && (type != CLIP_ENT_PER
                    || (b + 1 < e && is_upper_initial (&self->words [b + 1]))))
                type = constituency_type (self, a, b, type);
            /*  "the [East Kilbride] seat": a name before "seat" or
                "constituency" is the seat, a place, unless a party's
                ("a safe Labour seat").  */
            if (b > a && b < e && (word_is (&self->words [b], "seat")
                                   || word_is (&self->words [b], "constituency"))
                && !word_among (&self->words [b - 1], L_PARTIES)
                && !(lex_words (self, a, b, 0) & (1u << CLIP_ENT_ORG)))
                type = CLIP_ENT_LOC;
            /*  "the MP for [Grantham and Stamford]": the name after a
                member's title and "for" is the seat, a place, with a
                second place joined by "and" the tagger cut off.  */
            if (b > a && a >= s + 2 && word_is (&self->words [a - 1], "for")
                && word_among (&self->words [a - 2], L_MEMBER_TITLES)
                && !word_among (&self->words [b - 1], L_PARTIES)) {
                type = CLIP_ENT_LOC;
                if (b + 1 < e && word_is (&self->words [b], "and") && k + 1 < ns
                    && s + self->spans [k + 1].start == b + 1) {
                    k++;
                    b = uncovered = s + self->spans [k].end;
                    while (b > a && trailing_junk (&self->words [b - 1]))
                        b--;
                }
            }
            size_t a_titled = a;
            /*  "Lord Justices Ames and [Bell]": the second of the plural
                title's names is a person too, whatever the tagger said.  */
            if (a == titled_and && person_after_title (self, a, b))
                type = CLIP_ENT_PER;
            while (title_at (self, a, b)) {
                if (self->words [a].text [self->words [a].len - 1] == 's'
                    && word_among (&self->words [a], L_NAME_TITLES) && b + 1 < e
                    && word_is (&self->words [b], "and"))
                    titled_and = b + 1;
                a++;
                type = CLIP_ENT_PER;
                /*  The rest of the title: "Chancellor [of the Exchequer]
                    Jane Doe".  */
                while (b - a > 1 && ((word_in (&self->words [a], L_TITLE_JOINS)
                                      && !is_upper_initial (&self->words [a]))
                                     || word_in (&self->words [a], L_TITLE_WORDS)))
                    a++;
            }
            /*  A title alone after a title ("the Lord Chief [Justice]",
                whether the tagger took the words before it or not) names
                nobody ("Mr [King]" does: a courtesy title is no word of a
                title).  */
            if (b - a >= 2 && b - a <= 4 && all_title_words (self, a, b))
                continue;
            if (b - a == 1
                && (a > a_titled ? word_among (&self->words [a], L_NAME_TITLES)
                                   || is_title (&self->words [a])
                                   || word_in (&self->words [a], L_OFFICES_BEFORE_NAME)
                                 : a > s && word_among (&self->words [a], L_NAME_TITLES)
                                   && word_among (&self->words [a - 1], L_TITLE_WORDS)))
                continue;
            if (a == b || (b - a == 1 && (never_alone (&self->words [a])
                                          || zone_of_time (self, a)
                                          || word_among (&self->words [a],
                                                         L_COMMON_ABBREVIATIONS)
                                          || (type != CLIP_ENT_MISC
                                              && plural_acronym (self, a)))))
                continue;
            /*  "No. 2": a number after it makes it a rank, not a name.  */
            if (word_is (&self->words [a], "No") && b - a == 2)
                continue;
            /*  "Class A" shares: a share class, no name.  */
            if (b - a == 2 && word_is (&self->words [a], "Class")
                && self->words [a + 1].len == 1 && is_upper_initial (&self->words [a + 1]))
                continue;
            if (b - a == 1 && is_signoff (self, a, nt))
                type = CLIP_ENT_ORG;
            /*  "the Illinois Democrat", "a New York Republican": a
                legislator's state and party, a place and the party.  */
            if (b - a >= 2 && (word_is (&self->words [b - 1], "Democrat")
                               || word_is (&self->words [b - 1], "Republican"))
                && (lex_words (self, a, b - 1, 0) & (1u << CLIP_ENT_LOC))) {
                push_tokens (self, m, &nm, a, b - 1, CLIP_ENT_LOC);
                a = b - 1;
                type = CLIP_ENT_ORG;
            }
            add_name (self, m, &nm, a, b, type);
        }
        push_holidays (self, m, &nm, uncovered, e);
        if (headline && e - 1 > s)
            headline_source (self, m, &nm, first, e - 1);
        merge_by_acronym (self, m, &nm, first, s, nt);
        extend_by_acronym (self, m, &nm, first, e, nt, &acronym_lookups);
        works_in_list (self, m, &nm, first, s, e);
        size_t kept = first;
        for (size_t k = first; k < nm; k++)
            if (m [k].start >= bracket_end && !bracket_ticker (self, &m [k].start, &m [k].end)) {
                size_t cut = sentence_period_cut (self, &m [k], len);
                m [k].end = variant_letter (self, cut, len);
                /*  A one-word name with a variant's letters is malware's
                    ("Bagle.AT"), a product: MISC.  */
                if (m [k].end > cut && m [k].tok_end - m [k].tok_start == 1)
                    m [k].type = CLIP_ENT_MISC;
                m [k].end = web_domain (self, m [k].end, len);
                if (m [k].type != CLIP_ENT_LOC) {
                    size_t me = model_number (self, m [k].start, m [k].end, len);
                    if (me > m [k].end) {
                        /* A station keeps its type ("BBC Radio 4").  */
                        const clip_token_t *lt = &self->toks.tokens [m [k].tok_end - 1];
                        int station = lt->end == m [k].end
                                      && word_among (&self->words [m [k].tok_end - 1], L_STATIONS);
                        if (!station)
                            m [k].type = CLIP_ENT_MISC;
                        m [k].end = me;
                    }
                }
                m [kept++] = m [k];
            }
        nm = kept;
        for (size_t k = first; k < nm; k++)
            if (m [k].type == CLIP_ENT_PER) {
                size_t close = party_and_state (self, m, &nm, k, len, 2 * nt + 1);
                if (close) {
                    bracket_end = close;
                    k += 2;
                }
            }
        s = e;
    }
    nm = names_in_order (m, nm);
    nm = push_word_names (self, m, nm, nt);
    nm = letters_joined (self, m, nm, nt, 2 * nt + 1);
    nm = common_nouns_joined (self, m, nm);
    nm = names_joined_abroad (self, m, nm, nt);
    {
        noun_acronyms_t na = { 0 };
        size_t kept = 0;
        for (size_t k = 0; k < nm; k++)
            if (!noun_acronym (&na, utf8, len, m [k].start, m [k].end))
                m [kept++] = m [k];
        nm = kept;
    }
    type_by_context (self, m, nm, nt);
    type_by_org_context (self, m, nm, nt);
    names_with_possessive (self, m, nm, nt);
    nm = arabic_names (self, m, nm, nt);
    nm = names_within_columns (self, m, nm);
    nm = names_within_paragraphs (self, m, nm, len);
    nm = table_places (self, &m, nm, nt);
    *m_out = m;
    return nm;
}

static int
is_alnum_byte (unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/*  Whether bytes [start, end) of text hold a digit (day not set), or a
    day of a month: one or two digits standing alone ("March 3", "Jan.
    8"; not "1974", "21st").  */
static int
span_holds (const char *text, size_t start, size_t end, int day)
{
    for (size_t k = start; k < end; k++) {
        if (text [k] < '0' || text [k] > '9')
            continue;
        if (!day)
            return 1;
        size_t e = k;
        while (e < end && text [e] >= '0' && text [e] <= '9')
            e++;
        if (e - k <= 2 && (k == start || !is_alnum_byte ((unsigned char) text [k - 1]))
            && (e == end || !is_alnum_byte ((unsigned char) text [e])))
            return 1;
        k = e;
    }
    return 0;
}

/*  A date at the end of what the tagger took for one MISC ("Tex. March
    3", "Rome October 16", "NASDAQ March 25", "the Great Depression of
    1990"): a dateline, a notice or a title with its date run together.
    The date is a DATE, and the words before it a name of their own, of
    the one type the lexicon knows them by.  Otherwise: before a year, a
    span of years or a century, a title's words, still MISC ("the Most
    Wanted game of 2005", "New and Collected Poems 1965-2003", "the
    Walkman of the 21st Century"); before a day of a month, no name
    ("Record May 1", "For April 8", "., March 4"), as when only small
    words and punctuation are left.  Only a date with a
    digit: a title's date in words is the title's (works_over_dates
    below).  Changes m[0, nm) in place, in text order; returns its
    count.  */
static size_t
names_before_dates (const clip_ner_t *self, const char *utf8, ment_t *m, size_t nm,
                    const clip_numex_t *nx, size_t nn)
{
    static const unsigned name_types = (1u << CLIP_ENT_PER) | (1u << CLIP_ENT_ORG)
                                       | (1u << CLIP_ENT_LOC) | (1u << CLIP_ENT_MISC);
    size_t kept = 0, y = 0;
    for (size_t i = 0; i < nm; i++) {
        ment_t n = m [i];
        while (y < nn && nx [y].end <= n.start)
            y++;
        const clip_numex_t *d = y < nn ? &nx [y] : NULL;
        if (!(n.type == CLIP_ENT_MISC && d && d->type == CLIP_NUMEX_DATE && d->start > n.start
              && d->start < n.end && d->end >= n.end && span_holds (utf8, d->start, d->end, 0))) {
            m [kept++] = n;
            continue;
        }
        size_t b = n.tok_start;
        while (b < n.tok_end && self->toks.tokens [b].start < d->start)
            b++;
        while (b > n.tok_start && (trailing_junk (&self->words [b - 1])
                                   || word_in (&self->words [b - 1], L_TITLE_INNER)))
            b--;
        if (b == n.tok_start)
            continue;                   /* no name is left */
        unsigned types = lex_words (self, n.tok_start, b, 0) & name_types;
        if (types && !(types & (types - 1)))
            n.type = __builtin_ctz (types);
        else if (span_holds (utf8, d->start, d->end, 1))
            continue;                   /* a day of a month */
        n.tok_end = b;
        n.end = self->toks.tokens [b - 1].end;
        m [kept++] = n;
    }
    return kept;
}

/*  A work's or event's title of two words or more that holds a DATE
    ("Suddenly Last Summer", "the film Black Friday"): the title, MISC,
    is what the words name, and the DATEs inside it go.  Returns the
    count of nx left; m is in text order, names do not overlap.  */
static size_t
works_over_dates (const clip_ner_t *self, const ment_t *m, size_t nm, clip_numex_t *nx, size_t nn)
{
    size_t kept = 0, i = 0;
    for (size_t y = 0; y < nn; y++) {
        while (i < nm && m [i].end <= nx [y].start)
            i++;
        int inside = nx [y].type == CLIP_NUMEX_DATE && i < nm && m [i].type == CLIP_ENT_MISC
                     && m [i].tok_end - m [i].tok_start >= 2
                     && m [i].start <= nx [y].start && nx [y].end <= m [i].end
                     && !(m [i].start == nx [y].start && m [i].end == nx [y].end);
        /*  A title's words: capitalised, or those that go on inside one
            ("of", "the"); "the Most Wanted game of 2005" is a prize and
            its year.  */
        for (size_t t = m [i].tok_start; inside && t < m [i].tok_end
                                         && self->toks.tokens [t].start < nx [y].start; t++) {
            const clip_word_t *w = &self->words [t];
            inside = !(w->len > 0 && w->text [0] >= 'a' && w->text [0] <= 'z')
                     || word_among (w, L_TITLE_INNER);
        }
        if (inside)
            free (nx [y].canonical);
        else
            nx [kept++] = nx [y];
    }
    return kept;
}

/*  "Radio 4's Today programme": a day word written with a capital inside
    a sentence before "programme" is the programme's title, a work (MISC),
    not a DATE.  Moves each such DATE of nx[0, *nn) to the names m[0, nm),
    in text order, in place of any name there; returns the names' count.
    m has room: it holds at most two names per token, and the title's
    token then has this one alone.  */
static size_t
programme_titles (const clip_ner_t *self, const char *utf8, size_t len, ment_t *m, size_t nm,
                  clip_numex_t *nx, size_t *nn)
{
    static const char tail [] = " programme";
    const size_t tl = sizeof tail - 1;
    size_t kept = 0;
    for (size_t y = 0; y < *nn; y++) {
        clip_numex_t *d = &nx [y];
        size_t b = d->start;
        while (b > 0 && (utf8 [b - 1] == ' ' || utf8 [b - 1] == '"' || utf8 [b - 1] == '\''))
            b--;
        int title = d->type == CLIP_NUMEX_DATE && d->end - d->start == 5
                    && memcmp (utf8 + d->start, "Today", 5) == 0
                    && d->end + tl <= len && memcmp (utf8 + d->end, tail, tl) == 0
                    && b > 0 && utf8 [b - 1] != '.' && utf8 [b - 1] != '\n'
                    && utf8 [b - 1] != '!' && utf8 [b - 1] != '?';
        if (!title) {
            nx [kept++] = *d;
            continue;
        }
        /*  A name the tagger saw there goes: the title replaces it.  */
        size_t w = 0;
        for (size_t i = 0; i < nm; i++)
            if (m [i].end <= d->start || m [i].start >= d->end)
                m [w++] = m [i];
        nm = w;
        size_t at = nm;
        while (at > 0 && m [at - 1].start > d->start)
            at--;
        memmove (m + at + 1, m + at, (nm - at) * sizeof *m);
        size_t t = 0;
        while (t < self->toks.n && self->toks.tokens [t].start < d->start)
            t++;
        m [at] = (ment_t) { t, t + 1, d->start, d->end, CLIP_ENT_MISC };
        nm++;
        free (d->canonical);
    }
    *nn = kept;
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
    nm = programme_titles (self, utf8, len, m, nm, nx, &nn);
    nm = names_before_dates (self, utf8, m, nm, nx, nn);
    nn = works_over_dates (self, m, nm, nx, nn);
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
        /*  A piece of a word ("France" of "France-Germany", "Mexico" of
            "Mexico-type") has no key of whole words: left out.  */
        if (m [i].start != self->toks.tokens [m [i].tok_start].start
            || m [i].end != self->toks.tokens [m [i].tok_end - 1].end)
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
