/*  clip_link: linking mentions to canonical names.

    The alias table (corpus/aliases.tsv) is UTF-8 text: a header line
    "canonical<TAB>type<TAB>aliases", then one entity a line,
    "canonical<TAB>type<TAB>alias|alias|..." with type PER, ORG, LOC or
    MISC; lines starting with '#' and empty lines are skipped.  An alias
    written "~Beijing" stands for its entity only as an actor ("Beijing has
    detained", "Beijing's spying"), not after "in", "to", "from", "of" and
    the like, where the city stays itself.  An alias naming two entities is
    a load error, so the table stays consistent.

    Names are compared by key: case, accents, periods and apostrophes
    ignored ("U.S." = "US"), a possessive 's dropped, punctuation a word
    break, '&' = "and", British spelling ("Center" = "Centre",
    "Organization" = "Organisation", "Defense" = "Defence", "Cybersecurity"
    = "Cyber Security"), a leading "the" and trailing legal suffixes (Ltd,
    Limited, Inc, Corp, Corporation, PLC, Co, LLC, GmbH, AG, SA, NV, ...)
    dropped, and for PER leading titles (Mr, Mrs, Dr, President, VP, ...).
    Rules, per document, in this order:
      1. the alias table, also after a leading place name ("UK National
         Cybersecurity Centre" -> "National Cyber Security Centre");
      2. an acronym defined in the article ("National Cyber Security Centre
         (NCSC)", its letters fitting the name's words) links every "NCSC"
         of that article to the full name;
      3. a short mention of a person takes the latest earlier full name
         holding its words ("Mr Guo" / "Guo" -> "Guo Ping"), or when there
         is none the first later one ("Tremlow" in a headline -> "Petra
         Tremlow"); a capitalised one-word ORG/LOC/MISC mention doing so
         becomes PER;  "Kofi (Mensah)", a one-word person and a
         capitalised word in brackets, are both the person "Kofi Mensah";
      4. an unknown organisation takes the name of one earlier organisation
         of the document (any one, for an ALL-CAPS mention) that starts
         with its words and adds one or two ("Vantrell Data" ->
         "Vantrell Data Systems", "the Quillby" -> "Quillby Gallery"; not
         "Bank" -> "Bank of England", not an event such as "... Awards",
         not from a mention ending in a legal suffix, and nothing when two
         longer names start so), or of one that is its plural ("Green
         Progressive" -> "Green Progressives");
      5. an unknown mention written as an acronym, two to eight capitals,
         takes the name and type of the one name of the document, not a
         person, whose initials it spells, stop-words skipped ("NFB" ->
         "National Fisheries Board" without a bracketed definition);
      6. an unknown name spelt like an earlier one takes its canonical.
    Before 3 and 4, an unknown mention in capitals ("BROWN-FORMAN" in a
    headline) takes the first mixed-case mention of the same key and type
    anywhere in the document ("Brown-Forman"); a dateline's place ("TOKYO,
    March 3 -": capitals opening a line, a comma after) is the city, never
    the country the table makes of it, and without a body form it is put
    in normal case ("RIO DE JANEIRO" -> "Rio de Janeiro"); in the end such
    an ALL-CAPS mention has the canonical its body form got ("FORD" ->
    "Ford" -> "Ford Motor").  A capital right before a hyphen
    ("Paris-based") is the city, as after "in".
    Otherwise the canonical name is the mention with the same
    normalisations applied for display: spaces folded, surrounding quotes
    and a possessive trimmed, titles (PER) or the article and legal
    suffixes (others) dropped, British spelling, case kept ("Acme Widgets
    Corp." -> "Acme Widgets").  Loaded once per process; linking is
    reentrant.
*/
#ifndef CLIP_LINK_H
#define CLIP_LINK_H

#include <stddef.h>

typedef struct clip_linker clip_linker_t;

typedef struct {
    const char *type;       /* in: PER ORG LOC MISC (others are left alone) */
    size_t start, end;      /* in: byte offsets into the document text */
    char *canonical;        /* out: owned, set by clip_linker_link for PER ORG
                               LOC MISC (a previous value is freed, so
                               initialise it to NULL) */
} clip_mention_t;

/*  Load the alias table.  Returns NULL with err set on failure.
    Caller owns the result.  */
clip_linker_t *clip_linker_load (const char *aliases_tsv, char *err, size_t err_size);
void clip_linker_destroy (clip_linker_t **self_p);

/*  Set canonical for every mention of one document (mentions in text order,
    utf8 the whole document).  A mention may be re-typed when the alias table
    knows better (e.g. "Beijing" standing for the government stays LOC;
    "Huawei" tagged LOC becomes ORG): type then points to a static string.
    A one-word alias of a place or an organisation does not re-type a
    mention tagged PER.  Mentions must lie inside the text (asserted).
    Returns 0 or -1.  */
int clip_linker_link (const clip_linker_t *self, const char *utf8, size_t len,
                      clip_mention_t *mentions, size_t n);

#endif
