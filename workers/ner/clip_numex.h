/*  clip_numex: MONEY, DATE and PERCENT by a deterministic grammar.

    Follows OntoNotes conventions for span boundaries: a preposition before
    the expression is left out ("on [Friday]", "in [late May]"), a
    possessive after it too ("[last year]'s sales"), the article is kept
    where it belongs to the phrase ("[the 1990s]", "[the past five years]").
    Canonical values:
      MONEY    "<ISO 4217 code> <amount>", amount an integer or a decimal
               without trailing zeros: "$100 billion" -> "USD 100000000000",
               "£76.6 billion" -> "GBP 76600000000", "50 cents" ->
               "USD 0.5"; "$" alone is USD, "¥" JPY; a vague amount
               ("billions of dollars") and crowns of no named country
               ("36.34 billion crowns") keep the phrase lower-cased.
      PERCENT  the number and "%": "25 per cent" -> "25%", "19.5%" -> "19.5%";
               "3 percentage points" -> "3 percentage points".
      DATE     ISO form where the text fixes it ("March 31, 2019" ->
               "2019-03-31", "March 2019" -> "2019-03", "2019" -> "2019"),
               else the phrase lower-cased ("last year", "march 31", "late
               may", "the 1990s", "five years").  Relative dates are not
               resolved against the article's date.
    A bare four-digit year is a DATE only after a word that makes it one
    ("in", "by", "since", "a", "the", "its", a possessive, ...), so "2019
    people" is not.  The DATE forms are those of workers/ner/README.md's
    labelling rules ("DATE as in OntoNotes"): ranges are one DATE ("May 3
    to 6" -> "may 3 to 6", "1974-78"), an age ("25-year-old") is none,
    "the same month last year" and "the 20th century" are one DATE each.
    Linear in the text, allocation only for the results, safe on any bytes
    (invalid UTF-8 included).  Stateless and reentrant.
*/
#ifndef CLIP_NUMEX_H
#define CLIP_NUMEX_H

#include <stddef.h>

typedef enum {
    CLIP_NUMEX_MONEY = 0,
    CLIP_NUMEX_DATE,
    CLIP_NUMEX_PERCENT
} clip_numex_type_t;

typedef struct {
    clip_numex_type_t type;
    size_t start, end;      /* byte offsets into the text, end exclusive */
    char *canonical;        /* owned */
} clip_numex_t;

/*  Find every MONEY, DATE and PERCENT span in UTF-8 text, in text order,
    without overlaps.  *out (caller owns; free with clip_numex_free) and *n
    are set.  Returns 0 or -1.  */
int clip_numex_find (const char *utf8, size_t len, clip_numex_t **out, size_t *n);
void clip_numex_free (clip_numex_t *spans, size_t n);

/*  "MONEY", "DATE", "PERCENT".  */
const char *clip_numex_type_name (clip_numex_type_t type);

#endif
