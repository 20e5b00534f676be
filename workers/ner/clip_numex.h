/*  clip_numex: MONEY, DATE and PERCENT by a deterministic grammar.

    Follows OntoNotes conventions for span boundaries.  Canonical values:
      MONEY    "<ISO 4217 code> <amount>", amount an integer or a decimal
               without trailing zeros: "$100 billion" -> "USD 100000000000",
               "£76.6 billion" -> "GBP 76600000000"; a vague amount
               ("billions of dollars") keeps the phrase lower-cased.
      PERCENT  the number and "%": "25 per cent" -> "25%", "19.5%" -> "19.5%".
      DATE     ISO form where the text fixes it ("March 31, 2019" ->
               "2019-03-31", "March 2019" -> "2019-03", "2019" -> "2019"),
               else the phrase lower-cased ("last year").
    Stateless and reentrant.
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
