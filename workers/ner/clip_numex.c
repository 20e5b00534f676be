/*  clip_numex: MONEY, DATE and PERCENT by a deterministic grammar.

    The text is cut by a small scanner of its own into words (letters,
    marks and numbers: clip_utf8_is_word), numbers (digits with inner
    thousands commas and one decimal point, plus an attached suffix such as
    "bn", "m", "st" or "s"), symbols and spaces (clip_utf8_is_space).  A
    single line break (LF, U+0085, U+2028) with the next line starting at
    once is a space, since wire copy is hard-wrapped ("250\npct"); a blank
    line, an indented next line or U+2029 is a paragraph break, which no
    expression crosses.
    The ignorable characters of clip_utf8.h are skipped and do not end a
    word or a number, as in the tokenizer and the sketch.  Each word is
    looked up once in a keyword table of about 230 entries (hashed, built
    once per process), and a hand-written matcher tries the MONEY, PERCENT
    and DATE patterns at each token that can start one (a number, a
    currency symbol, a keyword, or a capitalised word short enough to be a
    currency prefix), keeping the longest.  Every
    pattern looks ahead a bounded number of tokens, so the whole scan is
    linear in the text, allocates only the token array and the results, and
    reads nothing past len whatever the bytes are.

    Newswire forms (issue 14): fractions with a power-of-two denominator
    ("6-1/2 pct", "13/16"), amounts without the leading zero (".125
    dlrs"), and a bare scaled amount ("under 150 mln.", "a 12 mln
    deficit") after a MONEY of the same sentence, which takes its
    currency, or before its first MONEY ("fell to 52 mln from 61 mln,
    against 70 mln dlrs"); pence written "700p" in a text about
    sterling ("1080p" alone is a video format).  Also across "vs" either
    way ("738 mln dlrs vs one billion", "621 mln vs. 2.23 billion
    dlrs"), after a MONEY named by its phrase ("six billion
    crowns ... from 3.65 billion": canonical "3.65 billion crowns"), and
    every amount of a Reuters earnings table row ("Net profit 375,061 vs
    loss 10.4 mln") in the currency of the text's last MONEY; "N.Z.
    Dlrs", "H.K. dlrs", "Aust dlrs", "Can dlrs"; "shillings" as crowns.  DATE
    follows the labelling rules of README.md ("DATE as in OntoNotes"): the
    determiner inside ("the following year", "the next business day",
    "the 1986 fourth quarter", "the whole of 1991"), ranges and lists of
    days as one DATE ("May 3 to 6", "June 4 and 5", "July 1, 2 and 3",
    "1974-78", "1986/87"), a weekday with its day ("Monday 4 October"),
    wire copy's periods ("end-March", "4TH QTR", "NINE MTHS", "fiscal
    1986/87", "April one"), month names heading table columns; not the
    hyphenated age ("25-year-old"), "previous seasons", or a half
    without its year ("scored in the first half").
    Ranges are one span ("45-50 mln dlrs", "10 to 15 pct", "60-90 days",
    "two to three years", "a month or two"), and so are periods named
    by a month ("the December quarter", "the January 31 second quarter",
    "the March and June quarters"), two months sharing a year, a period
    with its start ("the week starting March 2"), "the corresponding
    prior-year period", "earlier today", "that month" (README.md, "Read
    from the dev2 labels").  Also one span each: months joined by a
    hyphen ("(July-June)", "the Oct-Sept year", "the 1986/87 (Oct-Sept)
    season"), years sharing "fiscal" ("fiscal 1987 and 1988"), a fraction
    of a year ("two-thirds of 1986/87 year", "half of the 1988/89
    season"), a range with the currency on both ends ("100 mln dlrs to
    120 mln dlrs") or after "between" ("between 85 and 89 dlrs",
    "between" outside), and a rate written as a bare fraction in a
    sentence about rates ("the repurchase rate ... at 8-3/4": PERCENT).

    Amounts are exact: the digits are kept as a string with a decimal
    exponent, so "£76.6 billion" becomes "GBP 76600000000" without floating
    point rounding.
*/
#include "clip_numex.h"

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_codes.h"
#include "clip_utf8.h"
#include "clip_util.h"

/* ---------------------------------------------------------------- keywords */

typedef enum {
    K_NONE = 0,
    K_NUM, K_TENS, K_HUNDRED, K_A, K_DOZEN, K_SCALE, K_VAGUE,
    K_CUR, K_CURMOD, K_PERCENT, K_PER, K_PERCENTAGE, K_POINT,
    K_MONTH, K_WEEKDAY, K_UNIT, K_QUARTER, K_REL, K_EARLIER, K_EDGE,
    K_RECENT, K_AGO, K_DAYWORD, K_FEW, K_FURTHER, K_ORD, K_SEASON,
    K_THE, K_OF, K_ENDW, K_AND, K_PREP, K_EVERY, K_FOLLOWING, K_DAYMOD,
    K_THAT
} kw_class_t;

/*  Currencies: the index into currency_codes.  CUR_DOLLAR, CUR_STERLING,
    CUR_CENT and CUR_PENCE are words whose code depends on their modifier or
    that scale the amount; CUR_CROWN ("crowns", "kroner") is the currency
    of several countries, named only by its modifier ("Danish crowns"),
    else the MONEY keeps its phrase; so is CUR_SEVERAL, the currency of
    several countries with no modifier in the table ("shillings" of Kenya,
    Uganda, Tanzania, Somalia; "riyals", "rials", "dinars", "dirhams",
    "kwacha").  */
typedef enum {
    CUR_USD = 0, CUR_GBP, CUR_EUR, CUR_JPY, CUR_CNY, CUR_INR, CUR_CHF,
    CUR_RUB, CUR_KRW, CUR_MXN, CUR_ZAR, CUR_CAD, CUR_AUD, CUR_SGD, CUR_TWD,
    CUR_HKD, CUR_NZD, CUR_DEM, CUR_NLG, CUR_FRF, CUR_ITL, CUR_ESP, CUR_SEK,
    CUR_DKK, CUR_NOK, CUR_BEF, CUR_IEP, CUR_XEU, CUR_GRD, CUR_ATS, CUR_PTE,
    CUR_THB, CUR_MYR, CUR_IDR, CUR_PLN, CUR_HUF, CUR_ILS, CUR_NGN, CUR_FIM,
    CUR_DOLLAR, CUR_STERLING, CUR_CENT, CUR_PENCE, CUR_CROWN, CUR_SEVERAL
} currency_t;

static const char *const currency_codes[] = {
    "USD", "GBP", "EUR", "JPY", "CNY", "INR", "CHF", "RUB", "KRW", "MXN",
    "ZAR", "CAD", "AUD", "SGD", "TWD", "HKD", "NZD", "DEM", "NLG", "FRF",
    "ITL", "ESP", "SEK", "DKK", "NOK", "BEF", "IEP", "XEU", "GRD", "ATS",
    "PTE", "THB", "MYR", "IDR", "PLN", "HUF", "ILS", "NGN", "FIM"
};

/*  F_YEARCTX: a bare four-digit number after this word is a year ("in
    2019", "a 2012 report").  F_AMBIG: "May" needs context to be a month.
    F_ABBR: a month abbreviation, which needs a period or a day after it.  */
#define F_YEARCTX 1
#define F_AMBIG   2
#define F_ABBR    4

typedef struct {
    const char *word;       /* lower case */
    uint8_t cls;
    int8_t val;
    uint8_t flags;
} keyword_t;

/*  Sorted by strcmp (generated; keep it sorted when editing, for the
    reader: the lookup hashes them).  */
static const keyword_t keywords[] = {
    { "a", K_A, 1, F_YEARCTX },
    { "additional", K_FURTHER, 0, 0 },
    { "after", K_PREP, 0, F_YEARCTX },
    { "ago", K_AGO, 0, 0 },
    { "american", K_CURMOD, CUR_USD, 0 },
    { "an", K_A, 1, F_YEARCTX },
    { "and", K_AND, 0, F_YEARCTX },
    { "another", K_FURTHER, 0, 0 },
    { "apl", K_MONTH, 4, F_ABBR },      /* the commodity exchanges' "Apl", "Jne", "Jly" */
    { "apr", K_MONTH, 4, F_ABBR },
    { "april", K_MONTH, 4, 0 },
    { "around", K_PREP, 0, F_YEARCTX },
    { "as", K_PREP, 0, F_YEARCTX },
    { "aug", K_MONTH, 8, F_ABBR },
    { "august", K_MONTH, 8, 0 },
    { "australian", K_CURMOD, CUR_AUD, 0 },
    { "autumn", K_SEASON, 0, 0 },
    { "baht", K_CUR, CUR_THB, 0 },
    { "base", K_PREP, 0, F_YEARCTX },    /* an index's base year: "(base 1985)" */
    { "before", K_PREP, 0, F_YEARCTX },
    { "beginning", K_ENDW, 0, 0 },
    { "belgian", K_CURMOD, CUR_BEF, 0 },
    { "between", K_PREP, 0, F_YEARCTX },
    { "billion", K_SCALE, 9, 0 },
    { "billions", K_VAGUE, 9, 0 },
    { "bln", K_SCALE, 9, 0 },
    { "bn", K_SCALE, 9, 0 },
    { "british", K_CURMOD, CUR_GBP, 0 },
    { "business", K_DAYMOD, 0, 0 },
    { "by", K_PREP, 0, F_YEARCTX },
    { "calendar", K_PREP, 0, F_YEARCTX },
    { "canadian", K_CURMOD, CUR_CAD, 0 },
    { "cent", K_CUR, CUR_CENT, 0 },
    { "cents", K_CUR, CUR_CENT, 0 },
    { "centuries", K_UNIT, 2, 0 },
    { "century", K_UNIT, 1, 0 },
    { "chinese", K_CURMOD, CUR_CNY, 0 },
    { "circa", K_PREP, 0, F_YEARCTX },
    { "coming", K_REL, 0, 0 },
    { "couple", K_FEW, 0, 0 },
    { "crown", K_CUR, CUR_CROWN, 0 },
    { "crowns", K_CUR, CUR_CROWN, 0 },
    { "cts", K_CUR, CUR_CENT, 0 },
    { "current", K_REL, 0, 0 },
    { "danish", K_CURMOD, CUR_DKK, 0 },
    { "day", K_UNIT, 1, 0 },
    { "days", K_UNIT, 2, 0 },
    { "dec", K_MONTH, 12, F_ABBR },
    { "decade", K_UNIT, 1, 0 },
    { "decades", K_UNIT, 2, 0 },
    { "december", K_MONTH, 12, 0 },
    { "dinar", K_CUR, CUR_SEVERAL, 0 },
    { "dinars", K_CUR, CUR_SEVERAL, 0 },
    { "dirham", K_CUR, CUR_SEVERAL, 0 },
    { "dirhams", K_CUR, CUR_SEVERAL, 0 },
    { "dlr", K_CUR, CUR_DOLLAR, 0 },
    { "dlrs", K_CUR, CUR_DOLLAR, 0 },
    { "dollar", K_CUR, CUR_DOLLAR, 0 },
    { "dollars", K_CUR, CUR_DOLLAR, 0 },
    { "dozen", K_DOZEN, 12, 0 },
    { "dozens", K_VAGUE, 1, 0 },
    { "drachma", K_CUR, CUR_GRD, 0 },
    { "drachmae", K_CUR, CUR_GRD, 0 },
    { "drachmas", K_CUR, CUR_GRD, 0 },
    { "due", K_NONE, 0, F_YEARCTX },     /* "notes due 1997" */
    { "during", K_PREP, 0, F_YEARCTX },
    { "dutch", K_CURMOD, CUR_NLG, 0 },
    { "each", K_EVERY, 0, 0 },
    { "earlier", K_EARLIER, 0, 0 },
    { "early", K_EDGE, 0, F_YEARCTX },
    { "ecu", K_CUR, CUR_XEU, 0 },
    { "ecus", K_CUR, CUR_XEU, 0 },
    { "eight", K_NUM, 8, 0 },
    { "eighteen", K_NUM, 18, 0 },
    { "eighty", K_TENS, 80, 0 },
    { "eleven", K_NUM, 11, 0 },
    { "end", K_ENDW, 0, 0 },
    { "escudo", K_CUR, CUR_PTE, 0 },
    { "escudos", K_CUR, CUR_PTE, 0 },
    { "euro", K_CUR, CUR_EUR, 0 },
    { "euros", K_CUR, CUR_EUR, 0 },
    { "every", K_EVERY, 0, 0 },
    { "feb", K_MONTH, 2, F_ABBR },
    { "february", K_MONTH, 2, 0 },
    { "few", K_FEW, 0, 0 },
    { "fifteen", K_NUM, 15, 0 },
    { "fifty", K_TENS, 50, 0 },
    { "final", K_ORD, 4, 0 },
    { "first", K_ORD, 1, 0 },
    { "fiscal", K_PREP, 0, F_YEARCTX },
    { "five", K_NUM, 5, 0 },
    { "following", K_FOLLOWING, 0, 0 },
    { "for", K_NONE, 0, F_YEARCTX },
    { "forint", K_CUR, CUR_HUF, 0 },
    { "forints", K_CUR, CUR_HUF, 0 },
    { "forty", K_TENS, 40, 0 },
    { "four", K_NUM, 4, 0 },
    { "fourteen", K_NUM, 14, 0 },
    { "fourth", K_ORD, 4, 0 },
    { "franc", K_CUR, CUR_CHF, 0 },
    { "francs", K_CUR, CUR_CHF, 0 },
    { "french", K_CURMOD, CUR_FRF, 0 },
    { "friday", K_WEEKDAY, 5, 0 },
    { "from", K_PREP, 0, F_YEARCTX },
    { "further", K_FURTHER, 0, 0 },
    { "german", K_CURMOD, CUR_DEM, 0 },
    { "guilder", K_CUR, CUR_NLG, 0 },
    { "guilders", K_CUR, CUR_NLG, 0 },
    { "half", K_QUARTER, 0, 0 },
    { "her", K_NONE, 0, F_YEARCTX },
    { "his", K_NONE, 0, F_YEARCTX },
    { "hong", K_CURMOD, CUR_HKD, 0 },
    { "hundred", K_HUNDRED, 100, 0 },
    { "hundreds", K_VAGUE, 2, 0 },
    { "in", K_PREP, 0, F_YEARCTX },
    { "indian", K_CURMOD, CUR_INR, 0 },
    { "into", K_NONE, 0, F_YEARCTX },
    { "italian", K_CURMOD, CUR_ITL, 0 },
    { "its", K_PREP, 0, F_YEARCTX },
    { "jan", K_MONTH, 1, F_ABBR },
    { "january", K_MONTH, 1, 0 },
    { "japanese", K_CURMOD, CUR_JPY, 0 },
    { "jly", K_MONTH, 7, F_ABBR },
    { "jne", K_MONTH, 6, F_ABBR },
    { "jul", K_MONTH, 7, F_ABBR },
    { "july", K_MONTH, 7, 0 },
    { "jun", K_MONTH, 6, F_ABBR },
    { "june", K_MONTH, 6, 0 },
    { "krona", K_CUR, CUR_SEK, 0 },
    { "krone", K_CUR, CUR_CROWN, 0 },
    { "kroner", K_CUR, CUR_CROWN, 0 },
    { "kronor", K_CUR, CUR_SEK, 0 },
    { "kwacha", K_CUR, CUR_SEVERAL, 0 },
    { "last", K_REL, 0, 0 },
    { "late", K_EDGE, 0, F_YEARCTX },
    { "later", K_EARLIER, 0, 0 },
    { "latest", K_REL, 0, 0 },          /* "the latest week": a unit or a quarter only */
    { "lira", K_CUR, CUR_ITL, 0 },
    { "lire", K_CUR, CUR_ITL, 0 },
    { "mar", K_MONTH, 3, F_ABBR },
    { "march", K_MONTH, 3, 0 },
    { "markka", K_CUR, CUR_FIM, 0 },
    { "markkaa", K_CUR, CUR_FIM, 0 },
    { "marks", K_CUR, CUR_DEM, 0 },
    { "may", K_MONTH, 5, F_AMBIG },
    { "mexican", K_CURMOD, CUR_MXN, 0 },
    { "mid", K_EDGE, 0, F_YEARCTX },
    { "middle", K_ENDW, 0, 0 },
    { "million", K_SCALE, 6, 0 },
    { "millions", K_VAGUE, 6, 0 },
    { "mln", K_SCALE, 6, 0 },
    { "mn", K_SCALE, 6, 0 },
    { "monday", K_WEEKDAY, 1, 0 },
    { "month", K_UNIT, 1, 0 },
    { "months", K_UNIT, 2, 0 },
    { "more", K_FURTHER, 0, 0 },
    { "mths", K_UNIT, 2, 0 },
    { "my", K_NONE, 0, F_YEARCTX },
    { "naira", K_CUR, CUR_NGN, 0 },
    { "new", K_CURMOD, CUR_NZD, 0 },
    { "next", K_REL, 0, 0 },
    { "nine", K_NUM, 9, 0 },
    { "nineteen", K_NUM, 19, 0 },
    { "ninety", K_TENS, 90, 0 },
    { "norwegian", K_CURMOD, CUR_NOK, 0 },
    { "nov", K_MONTH, 11, F_ABBR },
    { "november", K_MONTH, 11, 0 },
    { "oct", K_MONTH, 10, F_ABBR },
    { "october", K_MONTH, 10, 0 },
    { "of", K_OF, 0, F_YEARCTX },
    { "one", K_NUM, 1, 0 },
    { "or", K_AND, 0, F_YEARCTX },
    { "our", K_NONE, 0, F_YEARCTX },
    { "over", K_PREP, 0, F_YEARCTX },
    { "past", K_REL, 0, 0 },
    { "pct", K_PERCENT, 0, 0 },
    { "pence", K_CUR, CUR_PENCE, 0 },
    { "per", K_PER, 0, 0 },
    { "percent", K_PERCENT, 0, 0 },
    { "percentage", K_PERCENTAGE, 0, 0 },
    { "peseta", K_CUR, CUR_ESP, 0 },
    { "pesetas", K_CUR, CUR_ESP, 0 },
    { "peso", K_CUR, CUR_MXN, 0 },
    { "pesos", K_CUR, CUR_MXN, 0 },
    { "point", K_POINT, 0, 0 },
    { "points", K_POINT, 0, 0 },
    { "pound", K_CUR, CUR_GBP, 0 },
    { "pounds", K_CUR, CUR_GBP, 0 },
    { "preceding", K_FOLLOWING, 0, 0 },
    { "previous", K_REL, 0, 0 },
    { "prior", K_REL, 0, 0 },          /* "the prior year", as "previous" */
    { "punt", K_CUR, CUR_IEP, 0 },
    { "punts", K_CUR, CUR_IEP, 0 },
    { "qtr", K_QUARTER, 0, 0 },
    { "quarter", K_QUARTER, 0, 0 },
    { "rand", K_CUR, CUR_ZAR, 0 },
    { "recent", K_RECENT, 0, 0 },
    { "remainder", K_ENDW, 0, 0 },
    { "renminbi", K_CUR, CUR_CNY, 0 },
    { "rest", K_ENDW, 0, 0 },
    { "rial", K_CUR, CUR_SEVERAL, 0 },
    { "rials", K_CUR, CUR_SEVERAL, 0 },
    { "ringgit", K_CUR, CUR_MYR, 0 },
    { "ringgits", K_CUR, CUR_MYR, 0 },
    { "riyal", K_CUR, CUR_SEVERAL, 0 },
    { "riyals", K_CUR, CUR_SEVERAL, 0 },
    { "rouble", K_CUR, CUR_RUB, 0 },
    { "roubles", K_CUR, CUR_RUB, 0 },
    { "ruble", K_CUR, CUR_RUB, 0 },
    { "rubles", K_CUR, CUR_RUB, 0 },
    { "rupee", K_CUR, CUR_INR, 0 },
    { "rupees", K_CUR, CUR_INR, 0 },
    { "rupiah", K_CUR, CUR_IDR, 0 },
    { "rupiahs", K_CUR, CUR_IDR, 0 },
    { "russian", K_CURMOD, CUR_RUB, 0 },
    { "saturday", K_WEEKDAY, 6, 0 },
    { "schilling", K_CUR, CUR_ATS, 0 },
    { "schillings", K_CUR, CUR_ATS, 0 },
    { "season", K_UNIT, 1, 0 },
    { "seasons", K_UNIT, 2, 0 },
    { "second", K_ORD, 2, 0 },
    { "sep", K_MONTH, 9, F_ABBR },
    { "sept", K_MONTH, 9, F_ABBR },
    { "september", K_MONTH, 9, 0 },
    { "seven", K_NUM, 7, 0 },
    { "seventeen", K_NUM, 17, 0 },
    { "seventy", K_TENS, 70, 0 },
    { "several", K_FEW, 0, 0 },
    { "shekel", K_CUR, CUR_ILS, 0 },
    { "shekels", K_CUR, CUR_ILS, 0 },
    { "shilling", K_CUR, CUR_SEVERAL, 0 },
    { "shillings", K_CUR, CUR_SEVERAL, 0 },
    { "since", K_PREP, 0, F_YEARCTX },
    { "singapore", K_CURMOD, CUR_SGD, 0 },
    { "six", K_NUM, 6, 0 },
    { "sixteen", K_NUM, 16, 0 },
    { "sixty", K_TENS, 60, 0 },
    { "spanish", K_CURMOD, CUR_ESP, 0 },
    { "spring", K_SEASON, 0, 0 },
    { "start", K_ENDW, 0, 0 },
    { "sterling", K_CUR, CUR_STERLING, 0 },
    { "stg", K_CUR, CUR_STERLING, 0 },
    { "summer", K_SEASON, 0, 0 },
    { "sunday", K_WEEKDAY, 7, 0 },
    { "swedish", K_CURMOD, CUR_SEK, 0 },
    { "swiss", K_CURMOD, CUR_CHF, 0 },
    { "taiwan", K_CURMOD, CUR_TWD, 0 },
    { "taiwanese", K_CURMOD, CUR_TWD, 0 },
    { "ten", K_NUM, 10, 0 },
    { "tens", K_VAGUE, 1, 0 },
    { "that", K_THAT, 0, 0 },           /* "that month", "earlier that year" */
    { "the", K_THE, 0, F_YEARCTX },
    { "their", K_PREP, 0, F_YEARCTX },
    { "third", K_ORD, 3, 0 },
    { "thirteen", K_NUM, 13, 0 },
    { "thirty", K_TENS, 30, 0 },
    { "this", K_REL, 0, 0 },
    { "thousand", K_SCALE, 3, 0 },
    { "thousands", K_VAGUE, 3, 0 },
    { "three", K_NUM, 3, 0 },
    { "through", K_PREP, 0, F_YEARCTX },
    { "throughout", K_PREP, 0, F_YEARCTX },
    { "thursday", K_WEEKDAY, 4, 0 },
    { "till", K_PREP, 0, F_YEARCTX },
    { "tn", K_SCALE, 12, 0 },
    { "to", K_PREP, 0, F_YEARCTX },
    { "today", K_DAYWORD, 0, 0 },
    { "tomorrow", K_DAYWORD, 0, 0 },
    { "trading", K_DAYMOD, 0, 0 },
    { "trillion", K_SCALE, 12, 0 },
    { "trillions", K_VAGUE, 12, 0 },
    { "trn", K_SCALE, 12, 0 },
    { "tuesday", K_WEEKDAY, 2, 0 },
    { "twelve", K_NUM, 12, 0 },
    { "twenty", K_TENS, 20, 0 },
    { "two", K_NUM, 2, 0 },
    { "until", K_PREP, 0, F_YEARCTX },
    { "wednesday", K_WEEKDAY, 3, 0 },
    { "week", K_UNIT, 1, 0 },
    { "weekend", K_UNIT, 1, 0 },
    { "weeks", K_UNIT, 2, 0 },
    { "winter", K_SEASON, 0, 0 },
    { "won", K_CUR, CUR_KRW, 0 },
    { "working", K_DAYMOD, 0, 0 },
    { "year", K_UNIT, 1, F_YEARCTX },
    { "years", K_UNIT, 2, 0 },
    { "yen", K_CUR, CUR_JPY, 0 },
    { "yesterday", K_DAYWORD, 0, 0 },
    { "your", K_NONE, 0, F_YEARCTX },
    { "yuan", K_CUR, CUR_CNY, 0 },
    { "zloty", K_CUR, CUR_PLN, 0 },
    { "zlotys", K_CUR, CUR_PLN, 0 },
};

/*  The keywords by hash, built once: open addressing over KW_SLOTS slots
    (under a quarter full), each the keyword's index + 1, 0 for empty.  A word is
    looked up once, and most words of a text are no keyword: a hash of its
    few bytes and, nearly always, an empty slot or one comparison, where a
    binary search took eight string comparisons.  */
#define KW_SLOTS 2048

static uint16_t s_kw_slots[KW_SLOTS];
static uint8_t s_kw_len[sizeof keywords / sizeof keywords[0]];
static size_t s_kw_max_len;             /* no longer word is a keyword */
static pthread_once_t s_kw_once = PTHREAD_ONCE_INIT;

#define KW_HASH_SEED 2166136261u          /* FNV-1a */
#define KW_HASH_STEP(h, c) (((h) ^ (uint8_t) (c)) * 16777619u)

static inline uint32_t
kw_hash (const char *s, size_t n)
{
    uint32_t h = KW_HASH_SEED;
    for (size_t k = 0; k < n; k++)
        h = KW_HASH_STEP (h, s[k]);
    return h;
}

static void
kw_build (void)
{
    size_t n = sizeof keywords / sizeof keywords[0];
    assert (n < KW_SLOTS / 4);
    for (size_t k = 0; k < n; k++) {
        size_t len = strlen (keywords[k].word);
        assert (len < 16);              /* tokenize's buffer holds any keyword */
        s_kw_len[k] = (uint8_t) len;
        if (len > s_kw_max_len)
            s_kw_max_len = len;
        uint32_t h = kw_hash (keywords[k].word, len) & (KW_SLOTS - 1);
        while (s_kw_slots[h])
            h = (h + 1) & (KW_SLOTS - 1);
        s_kw_slots[h] = (uint16_t) (k + 1);
    }
}

/*  The keyword lower [0, len) (lower-case ASCII letters), or NULL; hash
    is kw_hash (lower, len).  */
static inline const keyword_t *
keyword_find_hashed (const char *lower, size_t len, uint32_t hash)
{
    /*  The table is built by tokenize, once per text rather than once per
        word: every lookup comes from it.  */
    if (len > s_kw_max_len)
        return NULL;
    for (uint32_t h = hash & (KW_SLOTS - 1); s_kw_slots[h];
         h = (h + 1) & (KW_SLOTS - 1)) {
        size_t k = s_kw_slots[h] - 1u;
        if (s_kw_len[k] != len)
            continue;
        /*  A few bytes: a loop is cheaper than a call of memcmp.  */
        const char *w = keywords[k].word;
        size_t c = 0;
        while (c < len && w[c] == lower[c])
            c++;
        if (c == len)
            return &keywords[k];
    }
    return NULL;
}

static const keyword_t *
keyword_find (const char *lower, size_t len)
{
    return keyword_find_hashed (lower, len, kw_hash (lower, len));
}

/* ------------------------------------------------------------------ tokens */

typedef enum { T_END = 0, T_WORD, T_NUM, T_ALNUM, T_SYM } tok_kind_t;

/*  Symbols the grammar cares about; anything else is S_OTHER.  */
typedef enum {
    S_OTHER = 0, S_DOLLAR, S_POUND, S_EURO, S_YEN, S_RUPEE, S_PERCENT,
    S_COMMA, S_DOT, S_HYPHEN, S_APOS, S_COLON, S_SLASH
} sym_t;

/*  Suffixes attached to a number.  SUF_PENCE marks a T_ALNUM, not a
    T_NUM: "700p" is pence only in a sterling context ("1080p" is a video
    format), which match_pence decides; every other pattern
    sees an identifier, as before.  */
typedef enum { SUF_NONE = 0, SUF_SCALE, SUF_ORD, SUF_S, SUF_PENCE } suffix_t;

typedef struct {
    size_t start, end;      /* byte offsets, end exclusive */
    size_t numend;          /* T_NUM: end of the digits, start of the suffix */
    uint8_t kind;           /* tok_kind_t */
    uint8_t gap;            /* before it: 0 nothing, 1 spaces, 2 a line break */
    uint8_t cls;            /* T_WORD: kw_class_t; T_SYM: sym_t; T_NUM: suffix_t;
                               T_ALNUM: SUF_PENCE or SUF_NONE */
    uint8_t flags;          /* T_WORD: keyword flags */
    uint8_t cap;            /* T_WORD: starts with an upper-case ASCII letter */
    uint8_t upper;          /* T_WORD: all upper-case ASCII letters */
    int8_t val;             /* T_WORD: keyword value; T_NUM: scale exponent */
    uint8_t intdigits;      /* T_NUM: digits before the point (255 = many) */
    uint8_t plain;          /* T_NUM: no comma and no point */
    int32_t ival;           /* T_NUM: value when plain and at most 6 digits, else -1 */
    uint8_t fnum, fden;     /* T_NUM: a fraction after the digits ("6-1/2"), or the
                               whole number ("13/16", numend == start); fden 0 if none */
} tok_t;

typedef struct {
    const char *s;
    size_t len;
    tok_t *t;
    size_t n, cap;
} scan_t;

static const tok_t tok_end = { 0 };

static inline const tok_t *
tk (const scan_t *sc, size_t i)
{
    return i < sc->n? &sc->t[i]: &tok_end;
}

/*  Decode one code point at s[0..avail) (clip_utf8_next); returns its
    length (1 for an invalid byte, with *cp = -1).  */
static size_t
utf8_decode (const unsigned char *s, size_t avail, int32_t *cp)
{
    size_t pos = 0;
    *cp = clip_utf8_next ((const char *) s, avail, &pos);
    return pos;
}

/*  White space, ignorable characters and word characters are
    clip_utf8.h's, as in the tokenizer and the sketch.  */
static bool
cp_is_space (int32_t cp)
{
    return clip_utf8_is_space (cp);
}

/*  Non-ASCII code points that belong inside words: letters, marks and
    numbers of every script.  */
static bool
cp_is_letter (int32_t cp)
{
    return clip_utf8_is_word (cp);
}

/*  If s[q..len) starts with a run of ignorable characters (U+200B, U+00AD,
    ...) followed by a byte for which want is true, the length of the run,
    else 0: inside a word or a number those characters do not end it.  */
static size_t
ignorable_before (const unsigned char *s, size_t len, size_t q,
                  bool (*want) (const unsigned char *, size_t, size_t))
{
    size_t r = q;
    while (r < len && s[r] >= 0x80) {
        int32_t cp;
        size_t l = utf8_decode (s + r, len - r, &cp);
        if (!clip_utf8_is_ignorable (cp))
            break;
        r += l;
    }
    return r > q && r < len && want (s, len, r)? r - q: 0;
}

static bool
digit_at (const unsigned char *s, size_t len, size_t q)
{
    return s[q] >= '0' && s[q] <= '9';
}

static bool
letter_at (const unsigned char *s, size_t len, size_t q)
{
    int32_t cp;
    utf8_decode (s + q, len - q, &cp);
    return cp_is_letter (cp);
}

static sym_t
cp_symbol (int32_t cp)
{
    switch (cp) {
        case '$': return S_DOLLAR;
        case 0xA3: return S_POUND;
        case 0x20AC: return S_EURO;
        case 0xA5: return S_YEN;
        case 0x20B9: return S_RUPEE;
        case '%': return S_PERCENT;
        case ',': return S_COMMA;
        case '.': return S_DOT;
        case '-': case 0x2010: case 0x2011: return S_HYPHEN;
        case '\'': case 0x2019: return S_APOS;
        case ':': return S_COLON;
        case '/': return S_SLASH;
        default: return S_OTHER;
    }
}

static inline bool is_digit (unsigned char c) { return c >= '0' && c <= '9'; }
static inline bool is_alpha (unsigned char c)
{
    /*  Setting bit 5 folds 'A'-'Z' onto 'a'-'z' and nothing else onto
        them: one test where two ranges took four.  */
    return (unsigned char) ((c | 0x20) - 'a') < 26;
}
static inline char lower (char c)
{
    return (c >= 'A' && c <= 'Z')? (char) (c + 32): c;
}

static tok_t *
tok_push (scan_t *sc)
{
    if (sc->n == sc->cap) {
        sc->cap = sc->cap? sc->cap * 2: 256;
        sc->t = clip_realloc (sc->t, sc->cap * sizeof *sc->t);
    }
    tok_t *t = &sc->t[sc->n++];
    memset (t, 0, sizeof *t);
    return t;
}

/*  Is the word [p, e) a currency code written in capitals that may stand
    right before digits ("US$", "EUR5m", "RMB 5bn")?  */
static int
currency_code (const char *p, size_t n)
{
    static const char *const extra[][2] = { { "RMB", "CNY" } };
    if (n != 3)
        return -1;
    for (size_t k = 0; k < sizeof currency_codes / sizeof currency_codes[0]; k++)
        if (memcmp (p, currency_codes[k], 3) == 0)
            return (int) k;
    for (size_t k = 0; k < sizeof extra / sizeof extra[0]; k++)
        if (memcmp (p, extra[k][0], 3) == 0)
            for (size_t j = 0; j < sizeof currency_codes / sizeof currency_codes[0]; j++)
                if (memcmp (extra[k][1], currency_codes[j], 3) == 0)
                    return (int) j;
    return -1;
}

/*  t takes kw's class, value and flags (nothing when kw is NULL).  */
static inline void
tok_take_keyword (tok_t *t, const keyword_t *kw)
{
    if (kw) {
        t->cls = kw->cls;
        t->val = kw->val;
        t->flags = kw->flags;
    }
}

/*  A word that is not ASCII letters only (those tokenize classifies as it
    scans them): decoded, without the ignorable characters it may hold
    ("mil<U+00AD>lion" is "million").  */
static void
classify_word (const scan_t *sc, tok_t *t)
{
    const char *p = sc->s + t->start;
    size_t len = t->end - t->start;
    t->cap = p[0] >= 'A' && p[0] <= 'Z';
    t->upper = 1;
    bool ascii = true;
    char buf[16];
    size_t n = 0;
    for (size_t k = 0; k < len;) {
        int32_t cp = clip_utf8_next (p, len, &k);
        if (clip_utf8_is_ignorable (cp))
            continue;
        if (!(cp >= 'A' && cp <= 'Z'))
            t->upper = 0;
        if (cp < 0 || cp >= 0x80)
            ascii = false;
        else if (n < sizeof buf)
            buf[n] = lower ((char) cp);
        n++;
    }
    if (n < 16 && ascii)
        tok_take_keyword (t, keyword_find (buf, n));
}

/*  Read the suffix letters [p, e) after a number.  */
static void
classify_suffix (const char *p, size_t n, tok_t *t)
{
    char b[4] = { 0 };
    if (n == 0) {
        t->cls = SUF_NONE;
        return;
    }
    if (n > 3) {
        t->kind = T_ALNUM;
        return;
    }
    for (size_t k = 0; k < n; k++)
        b[k] = lower (p[k]);
    static const struct { const char *s; int8_t exp; } scales[] = {
        { "bn", 9 }, { "b", 9 }, { "m", 6 }, { "mn", 6 }, { "mln", 6 },
        { "k", 3 }, { "tn", 12 }, { "trn", 12 }
    };
    for (size_t k = 0; k < sizeof scales / sizeof scales[0]; k++)
        if (strcmp (b, scales[k].s) == 0) {
            t->cls = SUF_SCALE;
            t->val = scales[k].exp;
            return;
        }
    if (!strcmp (b, "st") || !strcmp (b, "nd") || !strcmp (b, "rd") || !strcmp (b, "th")) {
        t->cls = SUF_ORD;
        return;
    }
    if (!strcmp (b, "s")) {
        t->cls = SUF_S;
        return;
    }
    /* "700p", "252.5p": pence or a video format; a number with its
       suffix, and no version ("1.2.3p").  */
    bool number = t->kind == T_NUM;
    t->kind = T_ALNUM;
    if (number && b[0] == 'p' && n == 1)
        t->cls = SUF_PENCE;
}

/*  Newswire fractions: "6-1/2" (whole, hyphen, fraction) and "13/16"
    (the digits p..q are the numerator), the denominator a power of two up
    to 64 and the numerator below it, so that the value is an exact
    decimal.  Not part of a longer run of slashes ("3/8/2019" is a date).
    Sets t's fraction and numend; returns the end, or 0.  */
static size_t
fraction_at (const unsigned char *s, size_t len, size_t p, size_t q, tok_t *t)
{
    if (p > 0 && s[p - 1] == '/')
        return 0;
    size_t r = q, numstart = q;
    unsigned num = 0, den = 0;
    if (r < len && s[r] == '-') {
        r++;
        numstart = r;
        while (r < len && is_digit (s[r]) && r - numstart < 3)
            num = num * 10 + (unsigned) (s[r++] - '0');
        if (r == numstart || r >= len || s[r] != '/')
            return 0;
    } else if (r < len && s[r] == '/') {
        for (size_t k = p; k < q; k++)
            num = num * 10 + (unsigned) (s[k] - '0');
    } else
        return 0;
    r++;
    size_t denstart = r;
    while (r < len && is_digit (s[r]) && r - denstart < 3)
        den = den * 10 + (unsigned) (s[r++] - '0');
    if (r == denstart || (r < len && (is_digit (s[r]) || s[r] == '/')))
        return 0;
    if (den < 2 || den > 64 || (den & (den - 1)) != 0 || num == 0 || num >= den)
        return 0;
    t->fnum = (uint8_t) num;
    t->fden = (uint8_t) den;
    if (numstart == q)
        t->numend = p;          /* "13/16": no whole part */
    return r;
}

static void
tokenize (scan_t *sc)
{
    const unsigned char *s = (const unsigned char *) sc->s;
    size_t len = sc->len, p = 0;
    uint8_t gap = 2;
    pthread_once (&s_kw_once, kw_build);
    /*  Room for the tokens of most texts at once (wire copy has about one
        token in five bytes), so that the array seldom grows.  */
    sc->cap = len / 4 + 16;
    sc->t = clip_malloc (sc->cap * sizeof *sc->t);
    /*  Line breaks in the current gap, and whether the last one was
        followed by white space.  Wire copy is wrapped at about 70 columns:
        one line break with the next line starting at once ("250\npct") is
        a space; a blank line, an indented line (Reuters starts each
        paragraph with spaces) or U+2029 is a paragraph break.  */
    unsigned lines = 0;
    bool indent = false;
    while (p < len) {
        unsigned char c = s[p];
        if (c == ' ') {
            /*  The commonest byte, as the white space branch below.  */
            if (gap < 1) gap = 1;
            if (lines > 0)
                indent = true;
            p++;
            continue;
        }
        int32_t cp;
        size_t cl = utf8_decode (s + p, len - p, &cp);
        if (c == '\n' || cp == 0x2028 || cp == 0x85) {
            lines++;
            indent = false;
            if (gap < 1) gap = 1;
            p += cl;
            continue;
        }
        if (cp == 0x2029) {
            gap = 2;
            p += cl;
            continue;
        }
        /*  ASCII white space is '\t' to '\r' ('\n' and ' ' are taken above).  */
        if (c < 0x80? (c >= '\t' && c <= '\r'): cp_is_space (cp)) {
            if (gap < 1) gap = 1;
            if (lines > 0 && c != '\r')
                indent = true;
            p += cl;
            continue;
        }
        if (clip_utf8_is_ignorable (cp)) {
            p += cl;            /* invisible: as if it were not there */
            continue;
        }
        if (lines > 1 || (lines == 1 && indent))
            gap = 2;
        lines = 0;
        indent = false;
        tok_t *t = tok_push (sc);
        t->start = p;
        t->gap = gap;
        gap = 0;
        if (is_digit (c) || (c == '.' && t->gap > 0 && p + 1 < len && is_digit (s[p + 1]))) {
            /*  ".125 dlrs": wire copy writes amounts below one without the
                leading zero; only after a space, so "No.5" stays apart.  */
            size_t q = p, digits = 0;
            bool point = false, comma = false;
            for (size_t k; q < len;) {
                if (is_digit (s[q])) { q++; digits++; }
                else if (s[q] < 0x80) break;
                else if ((k = ignorable_before (s, len, q, digit_at))) q += k;
                else break;
            }
            size_t intd = digits;
            for (;;) {
                if (!point && q + 3 < len && s[q] == ',' && is_digit (s[q + 1])
                    && is_digit (s[q + 2]) && is_digit (s[q + 3])
                    && (q + 4 >= len || !is_digit (s[q + 4]))) {
                    q += 4;
                    intd += 3;
                    comma = true;
                } else if (!point && q + 1 < len && s[q] == '.' && is_digit (s[q + 1])) {
                    q++;
                    point = true;
                    while (q < len && is_digit (s[q])) q++;
                } else
                    break;
            }
            t->kind = T_NUM;
            if (point && q + 1 < len && s[q] == '.' && is_digit (s[q + 1])) {
                /* "1.2.3": a version or an address, not a number.  */
                while (q < len && (is_digit (s[q]) || (s[q] == '.' && q + 1 < len && is_digit (s[q + 1]))))
                    q++;
                t->kind = T_ALNUM;
            }
            t->numend = q;
            t->intdigits = intd > 250? 255: (uint8_t) intd;
            t->plain = !point && !comma;
            t->ival = -1;
            if (t->kind == T_NUM && t->plain && intd <= 2) {
                size_t fe = fraction_at (s, len, p, q, t);
                if (fe > 0) {
                    q = fe;
                    t->plain = false;
                }
            }
            if (t->plain && intd <= 6) {
                int32_t v = 0;
                for (size_t k = p; k < q; k++)
                    if (is_digit (s[k]))
                        v = v * 10 + (s[k] - '0');
                t->ival = v;
            }
            size_t r = q;
            while (r < len && is_alpha (s[r])) r++;
            if (r < len && (is_digit (s[r]) || s[r] == '_')) {
                /* "3G4", "x86_64": an identifier, not a number.  */
                while (r < len && (is_alpha (s[r]) || is_digit (s[r]) || s[r] == '_')) r++;
                t->kind = T_ALNUM;
            } else
                classify_suffix ((const char *) s + q, r - q, t);
            t->end = r;
            p = r;
        } else if (is_alpha (c) || (cp >= 0 && cp_is_letter (cp))) {
            size_t q = p;
            /*  The ASCII letters first, gathering on the way what a word
                of them only is classified by: its lower case, hash and
                capitals.  */
            char buf[16];
            uint32_t h = KW_HASH_SEED;
            unsigned char bits = 0;
            size_t lim = len - p > sizeof buf? p + sizeof buf: len;
            for (; q < lim && is_alpha (s[q]); q++) {
                char l = (char) (s[q] | 0x20);
                bits |= s[q];
                buf[q - p] = l;
                h = KW_HASH_STEP (h, l);
            }
            /*  Longer than any keyword: only its capitals matter.  */
            for (; q < len && is_alpha (s[q]); q++)
                bits |= s[q];
            size_t ascii_end = q;
            while (q < len) {
                if (is_alpha (s[q])) {
                    q++;
                    continue;
                }
                if (s[q] < 0x80)
                    break;      /* no letter, and no ignorable run starts here */
                int32_t cq;
                size_t l = utf8_decode (s + q, len - q, &cq), k;
                if (cq >= 0x80 && cp_is_letter (cq))
                    q += l;
                else if ((k = ignorable_before (s, len, q, letter_at)))
                    q += k;
                else
                    break;
            }
            t->kind = T_WORD;
            t->end = q;
            if (q < len && is_digit (s[q])) {
                /* "5G" and "G7" are names, but "EUR5m" and "US$5" are not.  */
                if (currency_code (sc->s + p, q - p) < 0) {
                    while (q < len && (is_alpha (s[q]) || is_digit (s[q]))) q++;
                    t->kind = T_ALNUM;
                    t->end = q;
                }
            }
            if (t->kind == T_WORD && t->end == ascii_end) {
                /*  ASCII letters only, classified from what was gathered
                    above; classify_word decodes the other words.  */
                size_t wl = t->end - t->start;
                t->cap = c >= 'A' && c <= 'Z';
                t->upper = !(bits & 0x20);  /* a lower-case letter has it */
                if (wl <= s_kw_max_len)
                    tok_take_keyword (t, keyword_find_hashed (buf, wl, h));
            } else if (t->kind == T_WORD)
                classify_word (sc, t);
            p = t->end;
        } else {
            t->kind = T_SYM;
            t->cls = cp >= 0? (uint8_t) cp_symbol (cp): S_OTHER;
            t->end = p + cl;
            p += cl;
        }
    }
}

/* ----------------------------------------------------------------- amounts */

/*  An exact decimal: digits times ten to the power exp.  */
typedef struct {
    char dig[48];
    int ndig;
    int exp;
} amount_t;

#define AMOUNT_MAX_DIGITS 40
#define AMOUNT_MAX_EXP 30

static bool
amount_from_digits (const char *p, const char *e, amount_t *a)
{
    a->ndig = 0;
    a->exp = 0;
    bool frac = false;
    for (; p < e; p++) {
        if (*p == '.')
            frac = true;
        else if (is_digit ((unsigned char) *p)) {
            if (a->ndig >= AMOUNT_MAX_DIGITS)
                return false;
            a->dig[a->ndig++] = *p;
            if (frac)
                a->exp--;
        }
    }
    a->dig[a->ndig] = '\0';
    return a->ndig > 0;
}

/*  The value of a number token, its fraction included: "6-1/2" is 6.5,
    "13/16" 0.8125 (n/2^k = n * 5^k / 10^k).  */
static bool
tok_amount (const scan_t *sc, const tok_t *t, amount_t *a)
{
    bool ok = amount_from_digits (sc->s + t->start, sc->s + t->numend, a);
    if (t->fden == 0)
        return ok;
    if (!ok && a->ndig > 0)
        return false;           /* too many digits */
    int k = 0;
    uint64_t f = t->fnum;
    for (unsigned d = t->fden; d > 1; d >>= 1) {
        k++;
        f *= 5;
    }
    if (a->ndig + k > AMOUNT_MAX_DIGITS)
        return false;
    snprintf (a->dig + a->ndig, sizeof a->dig - (size_t) a->ndig, "%0*llu", k,
              (unsigned long long) f);
    a->ndig += k;
    a->exp -= k;
    return true;
}

/*  v in decimal with at least width digits, as "%0*llu" prints it (no
    NUL); returns the end.  By hand: a call of snprintf cost more than the
    rest of a match (amounts, the canonicals of dates).  */
static char *
put_uint (char *o, uint64_t v, int width)
{
    assert (width <= 20);
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char) ('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n < width)
        tmp[n++] = '0';
    while (n > 0)
        *o++ = tmp[--n];
    return o;
}

static void
amount_from_int (uint64_t v, amount_t *a)
{
    char *end = put_uint (a->dig, v, 1);
    *end = '\0';
    a->ndig = (int) (end - a->dig);
    a->exp = 0;
}

/*  Write the amount as an integer or a decimal without trailing zeros.
    buf must hold at least AMOUNT_MAX_DIGITS + AMOUNT_MAX_EXP + 3 bytes.  */
static void
amount_format (const amount_t *a, char *buf)
{
    const char *d = a->dig;
    int nd = a->ndig, exp = a->exp;
    while (nd > 1 && *d == '0') { d++; nd--; }
    /* Drop trailing zeros of the fraction into the exponent.  */
    while (exp < 0 && nd > 1 && d[nd - 1] == '0') { nd--; exp++; }
    if (nd == 1 && d[0] == '0') {
        strcpy (buf, "0");
        return;
    }
    char *o = buf;
    if (exp >= 0) {
        memcpy (o, d, (size_t) nd);
        o += nd;
        for (int k = 0; k < exp; k++) *o++ = '0';
    } else {
        int intn = nd + exp;          /* digits before the point */
        if (intn <= 0) {
            *o++ = '0';
            *o++ = '.';
            for (int k = 0; k < -intn; k++) *o++ = '0';
            memcpy (o, d, (size_t) nd);
            o += nd;
        } else {
            memcpy (o, d, (size_t) intn);
            o += intn;
            *o++ = '.';
            memcpy (o, d + intn, (size_t) (nd - intn));
            o += nd - intn;
        }
    }
    *o = '\0';
}

static bool
tok_is_sym (const tok_t *t, sym_t s)
{
    return t->kind == T_SYM && t->cls == s;
}

static bool
tok_is_kw (const tok_t *t, kw_class_t c)
{
    return t->kind == T_WORD && t->cls == c;
}

/*  Is the word token t the lower-case word w?  */
static bool
tok_is_word (const scan_t *sc, const tok_t *t, const char *w)
{
    /*  The first byte answers nearly every call, before strlen.  */
    if (t->kind != T_WORD || lower (sc->s[t->start]) != w[0])
        return false;
    size_t n = strlen (w);
    if (t->end - t->start != n)
        return false;
    for (size_t k = 0; k < n; k++)
        if (lower (sc->s[t->start + k]) != w[k])
            return false;
    return true;
}

/*  Is the word token t one of the lower-case words of the NULL-ended
    list (tok_is_word)?  */
static bool
tok_is_word_in (const scan_t *sc, const tok_t *t, const char *const *words)
{
    for (size_t k = 0; words[k]; k++)
        if (tok_is_word (sc, t, words[k]))
            return true;
    return false;
}

/*  Number words: "five", "twenty-five", "a hundred", "two dozen",
    "three hundred and twenty".  Returns the tokens used (0 if none);
    *bare_a is set when the number is only "a" or "an".  */
static size_t
parse_numwords (const scan_t *sc, size_t i, uint64_t *value, bool *bare_a)
{
    const tok_t *t = tk (sc, i);
    uint64_t v;
    size_t k = 1;
    *bare_a = false;
    if (tok_is_kw (t, K_A))
        v = 1;
    else if (tok_is_kw (t, K_NUM))
        v = (uint64_t) t->val;
    else if (tok_is_kw (t, K_TENS)) {
        v = (uint64_t) t->val;
        if (tok_is_sym (tk (sc, i + 1), S_HYPHEN) && tk (sc, i + 1)->gap == 0
            && tok_is_kw (tk (sc, i + 2), K_NUM) && tk (sc, i + 2)->gap == 0
            && tk (sc, i + 2)->val < 10) {
            v += (uint64_t) tk (sc, i + 2)->val;
            k = 3;
        }
    } else
        return 0;
    const tok_t *h = tk (sc, i + k);
    if (v < 10 && h->gap == 1 && tok_is_kw (h, K_HUNDRED)) {
        v *= 100;
        k++;
        size_t j = i + k;
        if (tok_is_kw (tk (sc, j), K_AND) && tok_is_word (sc, tk (sc, j), "and"))
            j++;
        uint64_t rest;
        bool ba;
        const tok_t *r = tk (sc, j);
        if (r->gap == 1 && !tok_is_kw (r, K_A)) {
            size_t m = parse_numwords (sc, j, &rest, &ba);
            if (m > 0 && rest < 100) {
                v += rest;
                k = j + m - i;
            }
        }
    } else if (h->gap == 1 && tok_is_kw (h, K_DOZEN)) {
        v *= 12;
        k++;
    } else if (tok_is_kw (t, K_A))
        *bare_a = true;
    *value = v;
    return k;
}

static size_t and_a_half_at (const scan_t *sc, size_t j);

/*  A plain number (digits, or number words when words is set; not a bare
    "a"; "two and a half"), without any scale.  */
static size_t
parse_number (const scan_t *sc, size_t i, bool words, amount_t *a)
{
    const tok_t *t = tk (sc, i);
    if (t->kind == T_NUM) {
        if (t->cls != SUF_NONE)
            return 0;
        return tok_amount (sc, t, a)? 1: 0;
    }
    if (!words)
        return 0;
    uint64_t v;
    bool bare_a;
    size_t k = parse_numwords (sc, i, &v, &bare_a);
    if (k == 0 || bare_a)
        return 0;
    amount_from_int (v, a);
    size_t h = and_a_half_at (sc, i + k);
    if (h > 0 && v < UINT64_MAX / 10) {
        amount_from_int (v * 10 + 5, a);        /* "two and a half" = 2.5 */
        a->exp = -1;
    }
    return k + h;
}

/*  An amount with its scale: "100 billion", "2bn", "76.6 billion",
    "a billion", "two hundred million".  */
static size_t
parse_amount (const scan_t *sc, size_t i, bool words, amount_t *a)
{
    const tok_t *t = tk (sc, i);
    size_t k;
    if (t->kind == T_NUM) {
        if (t->cls != SUF_NONE && t->cls != SUF_SCALE)
            return 0;
        if (!tok_amount (sc, t, a))
            return 0;
        if (t->cls == SUF_SCALE) {
            a->exp += t->val;
            return 1;
        }
        k = 1;
    } else {
        if (!words)
            return 0;
        uint64_t v;
        bool bare_a;
        k = parse_numwords (sc, i, &v, &bare_a);
        if (k == 0)
            return 0;
        if (bare_a && !(tk (sc, i + 1)->gap == 1 && tok_is_kw (tk (sc, i + 1), K_SCALE)))
            return 0;
        amount_from_int (v, a);
    }
    for (int scales = 0; scales < 2; scales++) {
        const tok_t *s = tk (sc, i + k);
        if (s->gap == 1 && tok_is_kw (s, K_SCALE)) {
            a->exp += s->val;
            k++;
        } else
            break;
    }
    if (a->exp > AMOUNT_MAX_EXP || a->exp < -AMOUNT_MAX_EXP)
        return 0;
    return k;
}

/*  "and a half" at j, after a number in words ("two and a half pct",
    "three and a half years"): the tokens used (3), 0 if none.  */
static size_t
and_a_half_at (const scan_t *sc, size_t j)
{
    const tok_t *a = tk (sc, j), *b = tk (sc, j + 1), *h = tk (sc, j + 2);
    if (a->gap == 1 && b->gap == 1 && h->gap == 1 && tok_is_word (sc, a, "and")
        && tok_is_kw (b, K_A) && b->end - b->start == 1 && tok_is_word (sc, h, "half"))
        return 3;
    return 0;
}

/*  The head of a range at i: a number, then a hyphen (digits only) or
    "to" / "or", then a second number of the same kind at i + result:
    "45-50 mln dlrs", "10 to 15 pct", "60-90 days", "two to three years"
    are one MONEY, PERCENT or DATE each (OntoNotes).  The first number is
    below the second ("won 3-1"), and none follows "from" ("from 10 to 15
    pct" is a change, its first figure the old value).  Returns the
    tokens of the head, 0 if none.  */
static size_t
range_head_at (const scan_t *sc, size_t i)
{
    const tok_t *t = tk (sc, i), *n1 = tk (sc, i + 1);
    size_t k;
    uint64_t v1 = 0, v2 = 0;
    bool digits = t->kind == T_NUM, bare_a;
    /* Asked at every number: what may follow one first ("to" is K_PREP,
       "or" K_AND; a number in words may be "twenty-five").  */
    if (digits? !((n1->gap == 0 && tok_is_sym (n1, S_HYPHEN))
                  || (n1->gap == 1 && (tok_is_kw (n1, K_PREP) || tok_is_kw (n1, K_AND))))
              : !(tok_is_kw (t, K_NUM) || tok_is_kw (t, K_TENS)))
        return 0;
    if (digits) {
        if (t->cls != SUF_NONE || t->intdigits > 6)
            return 0;
        k = 1;
    } else if ((k = parse_numwords (sc, i, &v1, &bare_a)) == 0 || bare_a)
        return 0;
    const tok_t *h = tk (sc, i + k), *b = tk (sc, i + k + 1);
    /* "between 85 and 89 dlrs", "between two and 5 pct": after
       "between", "and" joins the ends of a range ("between" stays
       outside, as a modifier does), digits and words mixed.  */
    bool between = i > 0 && t->gap == 1 && tok_is_word (sc, tk (sc, i - 1), "between")
        && h->gap == 1 && b->gap == 1 && tok_is_word (sc, h, "and");
    if (digits && b->kind == T_NUM && b->cls != SUF_ORD && h->gap == 0 && b->gap == 0
        && tok_is_sym (h, S_HYPHEN) && t->fden == 0)
        ;                                       /* "45-50" */
    else if (h->gap == 1 && b->gap == 1 && (tok_is_word (sc, h, "to") || tok_is_word (sc, h, "or"))
             && (b->kind == T_NUM) == digits)
        ;                                       /* "10 to 15", "two or three" */
    else if (between && (b->kind == T_NUM || tok_is_kw (b, K_NUM) || tok_is_kw (b, K_TENS)))
        ;
    else
        return 0;
    if (between && (digits || b->kind == T_NUM)) {
        /* Ascending where both values are known; a number in words
           against digits by its value.  */
        int64_t a1 = digits? t->ival: (int64_t) v1, a2 = -1;
        if (b->kind == T_NUM)
            a2 = b->plain? b->ival: -1;
        else if (parse_numwords (sc, i + k + 1, &v2, &bare_a) > 0 && !bare_a)
            a2 = (int64_t) v2;
        else
            return 0;
        if (b->kind == T_NUM && b->cls == SUF_ORD)
            return 0;
        if (a1 >= 0 && a2 >= 0 && a1 >= a2)
            return 0;
        return k + 1;
    }
    /* "a loss of 553,000 or 11 cts a share": digits joined by "or" are
       two figures, unless both are small counts ("12 or 18 months"), or
       the first reads as a mantissa sharing the second's scale ("1.6 or
       1.7 billion dlrs", "1.6 or 17 billion"): below 1000, with a
       decimal or as many digits as the second's whole part.  */
    if (digits && tok_is_word (sc, h, "or") && !(t->plain && b->plain && t->ival >= 0 && t->ival < 1000)
        && !(t->intdigits <= 3 && t->fden == 0 && b->fden == 0 && (!t->plain || t->intdigits == b->intdigits)
             && (b->cls == SUF_SCALE
                 || (b->cls == SUF_NONE && tk (sc, i + k + 2)->gap == 1
                     && tok_is_kw (tk (sc, i + k + 2), K_SCALE)))))
        return 0;
    if (i > 0 && tk (sc, i)->gap == 1 && tok_is_word (sc, tk (sc, i - 1), "from"))
        return 0;
    if (digits) {
        if (t->ival >= 0 && b->plain && b->ival >= 0 && t->ival >= b->ival)
            return 0;
    } else if (parse_numwords (sc, i + k + 1, &v2, &bare_a) == 0 || bare_a || v1 >= v2)
        return 0;
    return k + 1;
}

/* ------------------------------------------------------------------- money */

/*  "U.S." or "US" (capitals) at i; returns the tokens used.  */
static size_t
match_us (const scan_t *sc, size_t i)
{
    const tok_t *t = tk (sc, i);
    if (t->kind != T_WORD)
        return 0;
    if (t->end - t->start == 2 && memcmp (sc->s + t->start, "US", 2) == 0)
        return 1;
    if (t->end - t->start == 1 && sc->s[t->start] == 'U'
        && tok_is_sym (tk (sc, i + 1), S_DOT) && tk (sc, i + 1)->gap == 0
        && tk (sc, i + 2)->kind == T_WORD && tk (sc, i + 2)->gap == 0
        && tk (sc, i + 2)->end - tk (sc, i + 2)->start == 1
        && sc->s[tk (sc, i + 2)->start] == 'S') {
        if (tok_is_sym (tk (sc, i + 3), S_DOT) && tk (sc, i + 3)->gap == 0)
            return 4;
        return 3;
    }
    return 0;
}

/*  Wire copy's country abbreviations before "dlrs" at i: "N.Z." and
    "H.K." (initials, the last period optional), "NZ", "HK", "Aust" and
    "Can" (capitalised, a period after them allowed: "Aust. dlrs").  Sets
    *mod; returns the tokens used, 0 if none.  The caller checks that a
    dollar word follows ("Can" alone is a verb).  */
static size_t
dollar_country_at (const scan_t *sc, size_t i, int *mod)
{
    const tok_t *t = tk (sc, i), *d1 = tk (sc, i + 1), *w2 = tk (sc, i + 2), *d2 = tk (sc, i + 3);
    if (t->kind != T_WORD || !t->cap)
        return 0;
    size_t wl = t->end - t->start;
    const char *w = sc->s + t->start;
    if (wl == 1 && tok_is_sym (d1, S_DOT) && d1->gap == 0 && w2->kind == T_WORD
        && w2->gap == 0 && w2->end - w2->start == 1) {
        char a = w[0], b = sc->s[w2->start];
        if ((a == 'N' && b == 'Z') || (a == 'H' && b == 'K')) {
            *mod = a == 'N'? CUR_NZD: CUR_HKD;
            return (tok_is_sym (d2, S_DOT) && d2->gap == 0)? 4: 3;
        }
        return 0;
    }
    if (wl == 2 && t->upper && (memcmp (w, "NZ", 2) == 0 || memcmp (w, "HK", 2) == 0)) {
        *mod = w[0] == 'N'? CUR_NZD: CUR_HKD;
        return 1;
    }
    if (tok_is_word (sc, t, "aust") || tok_is_word (sc, t, "can")) {
        *mod = lower (w[0]) == 'a'? CUR_AUD: CUR_CAD;
        return (tok_is_sym (d1, S_DOT) && d1->gap == 0)? 2: 1;
    }
    return 0;
}

/*  Does the token at j start what "won" won: a determiner, a possessive
    pronoun or a number ("won the race", "won three awards")?  */
static bool
won_is_verb (const scan_t *sc, size_t j)
{
    static const char *const words[] = {
        "the", "a", "an", "his", "her", "their", "its", "our", "my", "your", "this",
        "that", "every", "both", "all", "two", "three", "four", "five", "six",
        "seven", "eight", "nine", "ten", "eleven", "twelve", NULL
    };
    const tok_t *t = tk (sc, j);
    return t->gap == 1 && (t->kind == T_NUM || (t->kind == T_WORD && tok_is_word_in (sc, t, words)));
}

/*  A currency named after the amount: "dollars", "US dollars", "pounds
    sterling", "Swiss francs", "cents", "USD", "N.Z. dlrs".  Sets *code
    and *shift (-2 for cents and pence).  */
static size_t
parse_currency_words (const scan_t *sc, size_t i, int *code, int *shift)
{
    size_t m = 0;
    int mod = -1;
    *shift = 0;
    const tok_t *t = tk (sc, i);
    if (t->gap == 2)
        return 0;
    size_t us = match_us (sc, i), dc;
    if (us) {
        mod = CUR_USD;
        m = us;
    } else if ((dc = dollar_country_at (sc, i, &mod)) > 0) {
        if (!(tk (sc, i + dc)->gap == 1 && tok_is_kw (tk (sc, i + dc), K_CUR)
              && tk (sc, i + dc)->val == CUR_DOLLAR))
            return 0;
        m = dc;
    } else if (tok_is_kw (t, K_CURMOD)) {
        if (t->val == CUR_HKD || t->val == CUR_NZD) {
            const tok_t *n2 = tk (sc, i + 1);
            if (n2->gap == 1 && tok_is_word (sc, n2, t->val == CUR_HKD? "kong": "zealand")) {
                mod = t->val;
                m = 2;
            }
        } else {
            mod = t->val;
            m = 1;
        }
    } else if (t->kind == T_WORD && t->upper && currency_code (sc->s + t->start, t->end - t->start) >= 0) {
        *code = currency_code (sc->s + t->start, t->end - t->start);
        return 1;
    }
    const tok_t *w = tk (sc, i + m);
    if (m > 0 && w->gap != 1)
        return 0;
    if (!tok_is_kw (w, K_CUR))
        return 0;
    int c = w->val;
    /* "50 Cent" is a rapper; other currency words may be capitalised in
       headlines ("Sales Top 100 Billion Dollars").  */
    if ((c == CUR_CENT || c == CUR_CROWN || c == CUR_SEVERAL) && w->cap && !w->upper)
        return 0;
    /* "Fahrenheit 9/11 won the award", "Halo 2 won three awards": the
       verb, before what was won.  */
    if (c == CUR_KRW && mod < 0 && won_is_verb (sc, i + m + 1))
        return 0;
    switch (c) {
        case CUR_DOLLAR:
            c = mod >= 0? mod: CUR_USD;
            break;
        case CUR_CHF: case CUR_MXN: case CUR_INR: case CUR_DEM:
            /* "Indian rupees", "Swiss francs", "Mexican pesos"; a franc or a
               peso of another country keeps its own modifier's code.  */
            c = (mod >= 0 && mod != CUR_USD)? mod: c;
            break;
        case CUR_STERLING:
            c = CUR_GBP;
            break;
        case CUR_CROWN:
            /* "Danish crowns"; "crowns" alone could be of four countries.  */
            if (mod == CUR_SEK || mod == CUR_DKK || mod == CUR_NOK)
                c = mod;
            else if (mod >= 0)
                return 0;
            break;
        case CUR_SEVERAL:
            if (mod >= 0)
                return 0;
            break;
        case CUR_CENT:
            c = CUR_USD;
            *shift = -2;
            break;
        case CUR_PENCE:
            c = CUR_GBP;
            *shift = -2;
            break;
        default:
            break;
    }
    m++;
    if (w->val == CUR_GBP && tk (sc, i + m)->gap == 1
        && tok_is_word (sc, tk (sc, i + m), "sterling"))
        m++;
    *code = c;
    return m;
}

/*  A currency written before the amount: "$", "US$", "£", "€", "¥", "₹",
    "USD", "Rs".  */
static size_t
parse_currency_prefix (const scan_t *sc, size_t i, int *code)
{
    const tok_t *t = tk (sc, i);
    if (t->kind == T_SYM) {
        switch (t->cls) {
            case S_DOLLAR: *code = CUR_USD; return 1;
            case S_POUND: *code = CUR_GBP; return 1;
            case S_EURO: *code = CUR_EUR; return 1;
            case S_YEN: *code = CUR_JPY; return 1;
            case S_RUPEE: *code = CUR_INR; return 1;
            default: return 0;
        }
    }
    if (t->kind != T_WORD)
        return 0;
    const tok_t *n1 = tk (sc, i + 1);
    size_t wl = t->end - t->start;
    const char *w = sc->s + t->start;
    if (tok_is_sym (n1, S_DOLLAR) && n1->gap == 0 && t->upper) {
        static const struct { const char *p; int code; } dollars[] = {
            { "US", CUR_USD }, { "A", CUR_AUD }, { "AU", CUR_AUD },
            { "C", CUR_CAD }, { "CA", CUR_CAD }, { "HK", CUR_HKD },
            { "NZ", CUR_NZD }, { "S", CUR_SGD }, { "NT", CUR_TWD }
        };
        for (size_t k = 0; k < sizeof dollars / sizeof dollars[0]; k++)
            if (strlen (dollars[k].p) == wl && memcmp (dollars[k].p, w, wl) == 0) {
                *code = dollars[k].code;
                return 2;
            }
        return 0;
    }
    if (t->upper && currency_code (w, wl) >= 0) {
        *code = currency_code (w, wl);
        return 1;
    }
    if (wl == 2 && memcmp (w, "Rs", 2) == 0) {
        *code = CUR_INR;
        return (tok_is_sym (n1, S_DOT) && n1->gap == 0)? 2: 1;
    }
    return 0;
}

typedef struct {
    size_t ntok;            /* tokens matched, 0 for no match */
    clip_numex_type_t type;
    bool phrase;            /* canonical is the phrase lower-cased */
    int code;               /* MONEY with an amount: index into currency_codes */
    size_t cur_at, cur_n;   /* MONEY: its currency words, when they name no code
                               ("crowns"); an implied MONEY: those of its antecedent */
    char canon[96];
} match_t;

/*  The currency a bare amount may take from an earlier MONEY: a code, or
    (code -1, n > 0) the currency words [at, at + n) of a MONEY whose
    canonical is its phrase ("six billion crowns").  */
typedef struct {
    int code;
    size_t at, n;
} implied_t;

static const implied_t implied_none = { -1, 0, 0 };

/*  The canonicals are built by hand rather than by snprintf, whose call
    cost more than finding the match.  */

/*  m's canonical the date y, y-mo or y-mo-d (mo, d positive; 0 leaves
    them out): "%04d-%02d-%02d".  */
static void
iso_canon (match_t *m, int y, int mo, int d)
{
    assert (y >= 0);
    char *o = put_uint (m->canon, (uint64_t) y, 4);
    if (mo > 0) {
        *o++ = '-';
        o = put_uint (o, (uint64_t) mo, 2);
        if (d > 0) {
            *o++ = '-';
            o = put_uint (o, (uint64_t) d, 2);
        }
    }
    *o = '\0';
}

/*  m's canonical the strings a, b and c joined, cut to its size as
    snprintf cuts ("%s%s%s").  */
static void
canon_join (match_t *m, const char *a, const char *b, const char *c)
{
    const char *parts[3] = { a, b, c };
    size_t o = 0;
    for (int k = 0; k < 3; k++)
        for (const char *p = parts[k]; *p && o + 1 < sizeof m->canon; p++)
            m->canon[o++] = *p;
    m->canon[o] = '\0';
}

static bool
implied_set (const implied_t *c)
{
    return c->code >= 0 || c->n > 0;
}

/*  A match of nothing.  Cheaper than a memset of the whole: canon is read
    only up to its NUL, so its first byte is all that needs clearing.  */
static inline void
match_clear (match_t *m)
{
    m->ntok = 0;
    m->type = CLIP_NUMEX_MONEY;
    m->phrase = false;
    m->code = 0;
    m->cur_n = 0;
    m->canon[0] = '\0';
}

static void
money_canon (match_t *m, int code, const amount_t *a)
{
    char amt[AMOUNT_MAX_DIGITS + AMOUNT_MAX_EXP + 8];
    amount_format (a, amt);
    canon_join (m, currency_codes[code], " ", amt);
    m->code = code;
}

/*  Tokens after a MONEY amount within which a bare scaled amount takes its
    currency, the same sentence permitting.  */
#define IMPLIED_WINDOW 40

static void match_date (const scan_t *sc, size_t i, match_t *best);

/*  Words after a bare amount that show no noun follows it: the
    prepositions and conjunctions that are no keyword of the table
    ("up from 15.2 billion at the end", "including 109 billion for
    research", "against 1.6 billion with ...").  */
static bool
tok_is_function_word (const scan_t *sc, const tok_t *t)
{
    static const char *const words[] = {
        "at", "for", "into", "on", "against", "with", "than", "versus", "vs",
        "including", "compared", "but", "while", "because", NULL
    };
    return t->kind == T_WORD && tok_is_word_in (sc, t, words);
}

/*  An adverb in "-ly" ("953 mln previously", "respectively"), which no
    noun counted by the amount before it is.  */
static bool
tok_is_ly_adverb (const scan_t *sc, const tok_t *t)
{
    size_t l = t->end - t->start;
    return t->kind == T_WORD && !t->cap && l > 3 && sc->s[t->end - 2] == 'l' && sc->s[t->end - 1] == 'y';
}

/*  A noun naming an amount of money as a result, which a bare amount
    before it is ("a 12 mln deficit", "against 8 mln surplus"):
    "150 mln shares" counts something else.  */
static bool
tok_is_money_result (const scan_t *sc, const tok_t *t)
{
    static const char *const words[] = {
        "surplus", "deficit", "loss", "profit", "shortfall", "gain", NULL
    };
    return t->kind == T_WORD && t->cls == K_NONE && tok_is_word_in (sc, t, words);
}

/*  A scaled amount at i: digits with a scale ("150 mln", "2bn") or a
    number in words with one ("one billion", "two mln"); with plain, also
    digits without one ("375,061").  Returns the tokens used, 0 if none.  */
static size_t
bare_amount_at (const scan_t *sc, size_t i, bool plain, amount_t *a)
{
    const tok_t *t = tk (sc, i);
    if (t->kind == T_NUM) {
        /*  Without plain, digits need a scale, in them or a word after
            them: most numbers are answered here, before their amount is
            read.  */
        if (!plain && t->cls != SUF_SCALE
            && !(tk (sc, i + 1)->gap == 1 && tok_is_kw (tk (sc, i + 1), K_SCALE)))
            return 0;
        size_t k = parse_amount (sc, i, false, a);
        return (k == 0 || (k == 1 && t->cls != SUF_SCALE && !plain))? 0: k;
    }
    if (!tok_is_kw (t, K_NUM) && !tok_is_kw (t, K_TENS))
        return 0;
    size_t k = parse_amount (sc, i, true, a);
    return (k > 1 && tok_is_kw (tk (sc, i + k - 1), K_SCALE))? k: 0;
}

/*  The value of a, for comparing two amounts only.  */
static double
amount_value (const amount_t *a)
{
    double v = 0;
    for (int k = 0; k < a->ndig; k++)
        v = v * 10 + (a->dig[k] - '0');
    for (int e = a->exp; e > 0; e--)
        v *= 10;
    for (int e = a->exp; e < 0; e++)
        v /= 10;
    return v;
}

/*  Does a word of change come right before i, so that two amounts
    joined by "to" after it are an old and a new value, not a range:
    "from", "by", "up", "down" or a verb ("rose", "fell", "grew", a past
    tense in "-ed": "raised 9 mln to 12 mln"), also with a word of
    approximation between ("rose around 5.44 billion to 222.22
    billion")?  */
static bool
change_before (const scan_t *sc, size_t i)
{
    if (i == 0 || tk (sc, i)->gap != 1)
        return false;
    static const char *const approximations[] = {
        "about", "almost", "around", "nearly", "roughly", "some", NULL
    };
    const tok_t *p = tk (sc, i - 1);
    if (i >= 2 && p->gap == 1 && tok_is_word_in (sc, p, approximations))
        p = tk (sc, i - 2);
    size_t pl = p->end - p->start;
    return tok_is_word (sc, p, "from") || tok_is_word (sc, p, "by") || tok_is_word (sc, p, "up")
        || tok_is_word (sc, p, "down") || tok_is_word (sc, p, "rose") || tok_is_word (sc, p, "fell")
        || tok_is_word (sc, p, "grew")
        || (p->kind == T_WORD && pl > 3 && lower (sc->s[p->end - 2]) == 'e'
            && lower (sc->s[p->end - 1]) == 'd');
}

/*  Two scaled amounts joined by "to" at i ("920 mln to one billion"):
    the tokens before the second, 0 if none.  A range ascends, and it is
    a change, two figures, after "from", "by", "up", "down" or a verb of
    change ("rose 120 mln to 1.5 billion", "raised 9 mln to 12 mln"), and
    when the second is more than RANGE_SPREAD_MAX times the first: a
    change and the level it led to ("an increase of 300 mln to 86.6
    billion"), where a range's ends are of a size ("107 mln to 653 mln
    dlrs"), or said to be one ("between one mln to 20 mln dlrs").  */
#define RANGE_SPREAD_MAX 10.0
static size_t
scaled_range_head_at (const scan_t *sc, size_t i)
{
    amount_t a1, a2;
    size_t k = bare_amount_at (sc, i, false, &a1);
    if (k == 0 || tk (sc, i + k)->gap != 1 || !tok_is_word (sc, tk (sc, i + k), "to")
        || tk (sc, i + k + 1)->gap != 1 || bare_amount_at (sc, i + k + 1, false, &a2) == 0
        || !(amount_value (&a1) < amount_value (&a2)))
        return 0;
    bool between = i > 0 && tk (sc, i)->gap == 1 && tok_is_word (sc, tk (sc, i - 1), "between");
    if (!between && amount_value (&a2) > RANGE_SPREAD_MAX * amount_value (&a1))
        return 0;
    if (change_before (sc, i))
        return 0;
    return k + 1;
}

/*  "211 mln dlrs in October ... has averaged under 150 mln.": wire copy
    drops the currency of an amount when the sentence has just named it.
    Only a scaled amount (bare_amount_at: "150 mln", "28.30 billion",
    "2bn", "one billion"), and only when no noun follows ("150 mln
    shares" is a count): the next token is punctuation, a preposition or
    a conjunction ("at", "for", "and", "vs"), ends the paragraph, is a
    noun of a result in money (tok_is_money_result: "a 12 mln deficit"),
    an adverb ("953 mln previously"),
    or is a word that starts a DATE ("from a projected 348 billion this
    year", "a year earlier", "last year").  Two joined by "to" are a
    range, one MONEY as range_head_at's ("expectations of 920 mln to one billion";
    scaled_range_head_at).  In a row of an earnings table (row set,
    earnings_row_at has read the row) every amount is money, a plain one
    too ("Net profit 375,061 vs loss 10.4 mln").  The currency is c's:
    its code, or when the antecedent named none ("six billion crowns") its
    currency words, which the canonical appends to the amount's phrase
    ("3.65 billion crowns"), as the antecedent's own canonical is its
    phrase.  With ahead set, c is of a MONEY after the amount
    (implied_ahead), weaker evidence: a DATE after the amount does not
    do ("Output was 40 mln this year, after 9 mln dlrs of sales").  */
static void
match_implied_money (const scan_t *sc, size_t i, const implied_t *c, bool row, bool ahead,
                     match_t *m)
{
    amount_t a;
    m->ntok = 0;
    size_t k = bare_amount_at (sc, i, row, &a);
    if (k == 0)
        return;
    bool range = false;
    size_t rh = row? 0: scaled_range_head_at (sc, i);
    if (rh > 0) {
        k = rh + bare_amount_at (sc, i + rh, false, &a);
        range = true;
    }
    const tok_t *n = tk (sc, i + k);
    if (row)
        ;
    else if (!(n->kind == T_END || n->gap == 2 || n->kind == T_SYM
          || (n->kind == T_WORD && (n->cls == K_PREP || n->cls == K_AND))
          || (n->gap == 1 && (tok_is_function_word (sc, n) || tok_is_money_result (sc, n)
                              || tok_is_ly_adverb (sc, n))))) {
        /* A DATE after it, started by a word ("this year"; a number there
           would rather be a count of something).  */
        match_t d;
        if (n->kind != T_WORD || n->gap != 1 || ahead)
            return;
        match_clear (&d);
        match_date (sc, i + k, &d);
        if (d.ntok == 0)
            return;
    }
    if (n->kind == T_SYM && n->gap == 0 && (n->cls == S_HYPHEN || n->cls == S_PERCENT))
        return;
    m->type = CLIP_NUMEX_MONEY;
    m->ntok = k;
    if (c->code >= 0) {
        m->phrase = range;      /* a range keeps its last amount's code */
        money_canon (m, c->code, &a);
    } else {
        m->phrase = true;
        m->cur_at = c->at;
        m->cur_n = c->n;
    }
}

/*  A scaled amount at i that counts something: a noun after it ("17.8
    mln tonnes", "150 mln shares"), not a word of the implied MONEY's
    (match_implied_money: a preposition, a conjunction, a function word,
    a noun of a result in money) nor an adverb ("953 mln previously").  */
static bool
count_at (const scan_t *sc, size_t i)
{
    const tok_t *t = tk (sc, i);
    if (!(t->kind == T_NUM || tok_is_kw (t, K_NUM) || tok_is_kw (t, K_TENS)))
        return false;
    amount_t a;
    size_t k = bare_amount_at (sc, i, false, &a);
    if (k == 0)
        return false;
    const tok_t *n = tk (sc, i + k);
    return n->kind == T_WORD && n->gap == 1 && n->cls == K_NONE && !tok_is_ly_adverb (sc, n)
        && !tok_is_function_word (sc, n) && !tok_is_money_result (sc, n);
}

/*  The tokens of a figure at i written as a quote's two sides, the
    second after a tight slash ("3.7501/03", "3.7498/7501"): 3, else 1.  */
static size_t
quote_tokens (const scan_t *sc, size_t i)
{
    return tok_is_sym (tk (sc, i + 1), S_SLASH) && tk (sc, i + 1)->gap == 0
           && tk (sc, i + 2)->gap == 0 && tk (sc, i + 2)->kind == T_NUM ? 3 : 1;
}

/*  An exchange rate at i: a figure with decimals, a quote's other side
    after a slash allowed ("3.7501/03"), then "to the (U.S.) dollar" or
    "per dollar": the currency the sentence is about, in dollars, MONEY
    (the labels' "finished at 3.8050 to the dollar"; the dollar words
    stay outside, as modifiers do).  Its canonical is its phrase, the
    currency being named elsewhere.  */
static void
match_exchange_rate (const scan_t *sc, size_t i, match_t *m)
{
    const tok_t *t = tk (sc, i);
    m->ntok = 0;
    if (t->kind != T_NUM || t->plain || t->cls != SUF_NONE || t->fden != 0 || t->intdigits > 3)
        return;
    size_t k = quote_tokens (sc, i);
    size_t j = i + k;
    if (tk (sc, j)->gap == 1 && tok_is_word (sc, tk (sc, j), "to")
        && tk (sc, j + 1)->gap == 1 && tok_is_kw (tk (sc, j + 1), K_THE))
        j += 2;
    else if (tk (sc, j)->gap == 1 && tok_is_word (sc, tk (sc, j), "per"))
        j++;
    else
        return;
    if (tk (sc, j)->gap != 1)
        return;
    j += match_us (sc, j);
    const tok_t *d = tk (sc, j);
    if (d->gap != 1 || !tok_is_kw (d, K_CUR) || d->val != CUR_DOLLAR
        || (d->end - d->start != 6 && d->end - d->start != 3))    /* "dollar", "dlr" */
        return;
    m->type = CLIP_NUMEX_MONEY;
    m->ntok = k;
    m->phrase = true;
}

/*  The shape of the figure t: the digits after its point, and whether
    it groups thousands with commas ("3.8050": 4, no; "90,000": 0, yes).  */
typedef struct {
    int decimals;
    bool comma;
    uint8_t intdigits;
} shape_t;

static shape_t
figure_shape (const scan_t *sc, const tok_t *t)
{
    shape_t f = { 0, false, t->intdigits };
    const char *p = memchr (sc->s + t->start, '.', t->numend - t->start);
    if (p)
        f.decimals = (int) (sc->s + t->numend - p - 1);
    f.comma = memchr (sc->s + t->start, ',', t->numend - t->start) != NULL;
    return f;
}

/*  A figure at i written as the sentence's last MONEY was (the same
    decimals, or thousands grouped alike), after "from", "against",
    "vs", "to", "of" or "at", is more of it: "finished at 3.8050 to the
    dollar, against 3.9050 last week", "90,000 yen per lot from 70,000
    now", "12.38 crowns vs 12.05".  Nothing of a count may follow it (a
    noun; punctuation, a preposition, a conjunction, a function word, an
    adverb, "now" or a DATE do).  Its canonical is in the MONEY's currency c, or
    its phrase when the MONEY named none (an exchange rate).  */
static void
match_parallel_figure (const scan_t *sc, size_t i, const shape_t *like, const implied_t *c,
                       match_t *m)
{
    static const char *const before[] = {
        "from", "against", "vs", "versus", "to", "of", "at", NULL
    };
    const tok_t *t = tk (sc, i);
    m->ntok = 0;
    if (i == 0 || t->kind != T_NUM || t->gap != 1 || t->cls != SUF_NONE || t->fden != 0
        || !tok_is_word_in (sc, tk (sc, i - 1), before))
        return;
    shape_t f = figure_shape (sc, t);
    if (!((f.decimals > 0 && f.decimals == like->decimals && f.intdigits == like->intdigits)
          || (f.comma && like->comma && f.decimals == like->decimals)))
        return;
    size_t k = quote_tokens (sc, i);
    const tok_t *n = tk (sc, i + k);
    if (n->kind == T_SYM && n->gap == 0 && (n->cls == S_HYPHEN || n->cls == S_PERCENT))
        return;
    if (n->kind == T_WORD && n->gap == 1 && !(n->cls == K_PREP || n->cls == K_AND
                                             || tok_is_function_word (sc, n)
                                             || tok_is_ly_adverb (sc, n)
                                             || tok_is_word (sc, n, "now"))) {
        match_t d;
        match_clear (&d);
        match_date (sc, i + k, &d);
        if (d.ntok == 0)
            return;
    }
    amount_t a;
    m->type = CLIP_NUMEX_MONEY;
    m->ntok = k;
    if (c->code >= 0 && k == 1 && tok_amount (sc, t, &a)) {
        m->phrase = false;
        money_canon (m, c->code, &a);
    } else
        m->phrase = true;
}

/*  "vs" or "versus".  */
static bool
tok_is_vs (const scan_t *sc, const tok_t *t)
{
    return tok_is_word (sc, t, "vs") || tok_is_word (sc, t, "versus");
}

/*  "vs" or "versus" at j with a period after it or none; returns the
    tokens used, 0 if none.  */
static size_t
vs_at (const scan_t *sc, size_t j)
{
    const tok_t *t = tk (sc, j), *d = tk (sc, j + 1);
    if (t->gap != 1 || !tok_is_vs (sc, t))
        return 0;
    return (tok_is_sym (d, S_DOT) && d->gap == 0)? 2: 1;
}

/*  Does the token at i start a line of the text?  */
static bool
line_start_at (const scan_t *sc, size_t i)
{
    const tok_t *t = tk (sc, i);
    if (i == 0 || t->gap == 2 || t->kind == T_END)
        return true;
    if (t->gap == 0)
        return false;
    size_t pe = sc->t[i - 1].end;
    return memchr (sc->s + pe, '\n', t->start - pe) != NULL;
}

/*  "profit", "loss", "income" or "net" at j, after a row head or "vs".  */
static bool
tok_is_result_word (const scan_t *sc, const tok_t *t)
{
    return t->gap == 1 && (tok_is_word (sc, t, "profit") || tok_is_word (sc, t, "loss")
                           || tok_is_word (sc, t, "income") || tok_is_word (sc, t, "net"));
}

static void match_money_one (const scan_t *sc, size_t i, match_t *m);

/*  Most amounts of a row of an earnings table.  */
#define ROW_MAX_AMOUNTS 8

/*  A row of a Reuters earnings table at i:

        Net profit 375,061 vs loss 10.4 mln
        Revs 39.9 mln vs 37.8 mln
        Oper net 3,337,000 vs 4,881,000

    a head at the start of a line (Net, Oper net, Revs, Revenues, Sales,
    Pretax, Profit, Loss; "Avg shrs" and "Shrs" count shares and are
    none), then amounts joined by "vs", each with "profit" / "loss" before
    it or not, to the end of the line.  The table states the currency
    once, in its "Shr" row or the story's first line; the caller gives the
    row that of the last MONEY of the text.  Returns the token after the
    row, 0 if there is none at i.  */
static size_t
earnings_row_at (const scan_t *sc, size_t i)
{
    const tok_t *t = tk (sc, i);
    if (t->kind != T_WORD || !t->cap || !line_start_at (sc, i))
        return 0;
    size_t j = i + 1;
    if (tok_is_word (sc, t, "oper")) {
        if (!(tk (sc, j)->gap == 1 && tok_is_word (sc, tk (sc, j), "net")))
            return 0;
        j++;
    } else if (!(tok_is_word (sc, t, "net") || tok_is_word (sc, t, "revs")
                 || tok_is_word (sc, t, "revenues") || tok_is_word (sc, t, "sales")
                 || tok_is_word (sc, t, "pretax") || tok_is_word (sc, t, "profit")
                 || tok_is_word (sc, t, "loss")))
        return 0;
    if (tok_is_result_word (sc, tk (sc, j)))
        j++;
    for (int n = 0; n < ROW_MAX_AMOUNTS; n++) {
        if (tk (sc, j)->gap != 1 || line_start_at (sc, j))
            return 0;
        match_t m;
        match_clear (&m);
        match_money_one (sc, j, &m);
        amount_t a;
        size_t k = m.ntok > 0? m.ntok: bare_amount_at (sc, j, true, &a);
        if (k == 0)
            return 0;
        j += k;
        if (line_start_at (sc, j))
            return j;
        size_t v = vs_at (sc, j);
        if (v == 0)
            return 0;
        j += v;
        if (tok_is_result_word (sc, tk (sc, j)))
            j++;
    }
    return 0;
}

/*  "45-mln-dlr", "930,000-dlr", "8.16-billion-stg" at i: digits, a
    hyphen, a scale and a hyphen or not, a currency word.  Only currencies
    that name money alone ("dlr", "stg", "yen", "euro"; "pound" with a
    scale: "a 10-pound bag" is a weight); nothing may stick after it but a
    hyphen ("28-dlr-a-share").  Returns the tokens used, 0 if none.  */
static size_t
hyphenated_money_at (const scan_t *sc, size_t i, amount_t *a, int *code)
{
    const tok_t *t = tk (sc, i), *h = tk (sc, i + 1);
    if (t->kind != T_NUM || t->cls != SUF_NONE || t->fden != 0
        || !(h->gap == 0 && tok_is_sym (h, S_HYPHEN)))
        return 0;
    size_t j = i + 2;
    int scale = 0;
    const tok_t *w = tk (sc, j);
    if (w->gap != 0)
        return 0;
    if (tok_is_kw (w, K_SCALE) && tok_is_sym (tk (sc, j + 1), S_HYPHEN) && tk (sc, j + 1)->gap == 0
        && tk (sc, j + 2)->gap == 0) {
        scale = w->val;
        j += 2;
        w = tk (sc, j);
    }
    if (!tok_is_kw (w, K_CUR))
        return 0;
    int c = w->val;
    if (c == CUR_DOLLAR)
        c = CUR_USD;
    else if (c == CUR_STERLING || (c == CUR_GBP && scale > 0))
        c = CUR_GBP;
    else if (c != CUR_JPY && c != CUR_EUR)
        return 0;
    const tok_t *after = tk (sc, j + 1);
    if (after->gap == 0 && (after->kind == T_WORD || after->kind == T_NUM))
        return 0;
    if (!tok_amount (sc, t, a))
        return 0;
    a->exp += scale;
    *code = c;
    return j + 1 - i;
}

static void
match_money_one (const scan_t *sc, size_t i, match_t *m)
{
    amount_t a;
    int code, shift;
    m->ntok = 0;
    m->type = CLIP_NUMEX_MONEY;
    m->phrase = false;

    /* "$100 billion", "US$5", "£1.53bn", "USD 5 million".  */
    size_t p = parse_currency_prefix (sc, i, &code);
    if (p > 0) {
        const tok_t *n1 = tk (sc, i + p);
        if (n1->gap < 2 && (n1->gap == 0 || tk (sc, i)->kind == T_WORD || n1->kind == T_NUM)) {
            size_t k = parse_amount (sc, i + p, false, &a);
            if (k > 0) {
                m->ntok = p + k;
                money_canon (m, code, &a);
                return;
            }
        }
    }

    /* "100 billion US dollars", "five million euros", "50 cents".  */
    size_t k = parse_amount (sc, i, true, &a);
    if (k > 0) {
        size_t c = parse_currency_words (sc, i + k, &code, &shift);
        if (c > 0 && tk (sc, i + k)->gap == 1) {
            a.exp += shift;
            m->ntok = k + c;
            if (code == CUR_CROWN || code == CUR_SEVERAL) {
                m->phrase = true;       /* no code to give: the phrase */
                m->cur_at = i + k;      /* its currency, for the amounts after it */
                m->cur_n = c;
            }
            else
                money_canon (m, code, &a);
            return;
        }
    }

    /* Wire copy's adjectives: "a 45-mln-dlr loan", "a 930,000-dlr
       charge", "an 8.16-billion-dlr bid" (MONEY, as "$45 million" is).  */
    if ((k = hyphenated_money_at (sc, i, &a, &code)) > 0) {
        m->ntok = k;
        money_canon (m, code, &a);
        return;
    }

    /* "billions of dollars", "hundreds of millions of pounds".  */
    if (tok_is_kw (tk (sc, i), K_VAGUE)) {
        size_t j = i + 1;
        for (int depth = 0; depth < 3; depth++) {
            if (!(tok_is_kw (tk (sc, j), K_OF) && tk (sc, j)->gap == 1))
                return;
            j++;
            if (tok_is_kw (tk (sc, j), K_VAGUE) && tk (sc, j)->gap == 1) {
                j++;
                continue;
            }
            size_t c = parse_currency_words (sc, j, &code, &shift);
            if (c > 0 && tk (sc, j)->gap == 1) {
                m->ntok = j + c - i;
                m->phrase = true;
            }
            return;
        }
    }
}

static void match_percent_one (const scan_t *sc, size_t i, match_t *m);

/*  The amount of a MONEY with a code, from its canonical ("USD
    100000000"), for comparing two amounts only.  */
static double
money_value (const match_t *m)
{
    const char *sp = strchr (m->canon, ' ');
    return sp? strtod (sp + 1, NULL): -1;
}

/*  A MONEY m at i with its currency on both ends of a range: "100 mln
    dlrs to 120 mln dlrs", "between 5 dlrs and 6 dlrs" (one MONEY, as
    "45-50 mln dlrs" is; "between" outside).  The second amount is in
    the same currency and higher, and the two are no change ("from 10
    dlrs to 12 dlrs", "raised 10 dlrs to 12 dlrs": change_before).  m
    grows to the range, its canonical the phrase.  */
static void
money_range_tail (const scan_t *sc, size_t i, match_t *m)
{
    size_t j = i + m->ntok;
    const tok_t *c = tk (sc, j);
    bool between = i > 0 && tk (sc, i)->gap == 1 && tok_is_word (sc, tk (sc, i - 1), "between");
    if (!(c->gap == 1 && (tok_is_word (sc, c, "to") || (between && tok_is_word (sc, c, "and"))))
        || tk (sc, j + 1)->gap != 1 || change_before (sc, i))
        return;
    match_t m2;
    match_clear (&m2);
    match_money_one (sc, j + 1, &m2);
    if (m2.ntok == 0 || m2.phrase || m2.code != m->code || !(money_value (m) < money_value (&m2)))
        return;
    m2.ntok += j + 1 - i;
    m2.phrase = true;
    *m = m2;
}

/*  A MONEY or PERCENT at i by match_one (match_money_one,
    match_percent_one), or a range ending in one ("45-50 mln dlrs", "two
    to three billion yen", "10 to 15 pct", "5-6%"): one entity, its
    canonical the phrase.  rh is range_head_at (sc, i), which the caller
    finds once for both types.  A MONEY's head may have its own scale
    ("920 mln to one billion dlrs": scaled_range_head_at).  */
static void
match_amount_or_range (const scan_t *sc, size_t i, size_t rh, match_t *m,
                       void (*match_one) (const scan_t *, size_t, match_t *))
{
    if (rh == 0 && match_one == match_money_one)
        rh = scaled_range_head_at (sc, i);
    if (rh > 0) {
        match_one (sc, i + rh, m);
        if (m->ntok > 0) {
            m->ntok += rh;
            m->phrase = true;
            return;
        }
    }
    match_one (sc, i, m);
    if (m->ntok > 0 && match_one == match_money_one && !m->phrase)
        money_range_tail (sc, i, m);
}

/* ----------------------------------------------------------------- percent */

static void
match_percent_one (const scan_t *sc, size_t i, match_t *m)
{
    amount_t a;
    m->ntok = 0;
    m->type = CLIP_NUMEX_PERCENT;
    m->phrase = false;
    size_t k = parse_number (sc, i, true, &a);
    if (k == 0)
        return;
    const tok_t *t = tk (sc, i + k);
    char amt[AMOUNT_MAX_DIGITS + AMOUNT_MAX_EXP + 8];
    if (tok_is_sym (t, S_PERCENT) && t->gap < 2) {
        k++;
    } else if (t->gap == 1 && tok_is_kw (t, K_PERCENT)) {
        k++;
    } else if (t->gap == 1 && tok_is_kw (t, K_PER) && tk (sc, i + k + 1)->gap == 1
               && tok_is_word (sc, tk (sc, i + k + 1), "cent")) {
        k += 2;
    } else
        /*  "0.5 percentage point" is nothing, as "5/8 point" and "basis
            points" are (README.md's rules: a point is nothing; no label
            of the development sets has one).  */
        return;
    amount_format (&a, amt);
    canon_join (m, amt, "%", "");
    m->ntok = k;
}

/* -------------------------------------------------------------------- date */

static int
days_in_month (int y, int mo)
{
    static const int dim[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (mo == 2 && y > 0)
        return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)? 29: 28;
    return dim[mo - 1];
}

/*  A four-digit year 1000-2999 at i.  */
static int
tok_year (const tok_t *t)
{
    if (t->kind != T_NUM || t->cls != SUF_NONE || !t->plain || t->intdigits != 4)
        return -1;
    return (t->ival >= 1000 && t->ival <= 2999)? t->ival: -1;
}

/*  A day of the month, "31" or "31st".  */
static int
tok_day (const scan_t *sc, size_t i)
{
    const tok_t *t = tk (sc, i);
    if (t->kind != T_NUM || !t->plain || t->intdigits > 2)
        return -1;
    if (t->cls != SUF_NONE && t->cls != SUF_ORD)
        return -1;
    if (t->ival < 1 || t->ival > 31)
        return -1;
    /* "31:" is a time or a score, "31%" a percentage, "31-" a range.  */
    const tok_t *n1 = tk (sc, i + 1);
    if (n1->gap == 0 && (tok_is_sym (n1, S_COLON) || tok_is_sym (n1, S_PERCENT)
                         || tok_is_sym (n1, S_HYPHEN)))
        return -1;
    return t->ival;
}

/*  A day of a range or a list at t: one or two digits, no fraction, a
    day-first ordinal allowed only where ord is set.  */
static bool
tok_is_list_day (const tok_t *t, bool ord)
{
    return t->kind == T_NUM && t->plain && t->intdigits <= 2 && !t->fden
        && (t->cls == SUF_NONE || (ord && t->cls == SUF_ORD)) && t->ival >= 1 && t->ival <= 31;
}

/*  Most days of a list ("May 3, 4 and 5"), to bound the look-ahead.  */
#define DAY_LIST_MAX 8

/*  Does t, glued to the number before it, make that number go on as a
    time, an amount, a range or a longer word ("6:30", "6%", "6-7", "6/7",
    "6th")?  A space before t, or punctuation that closes a phrase, does
    not.  */
static bool
number_goes_on (const tok_t *t)
{
    return t->gap == 0 && (t->kind != T_SYM || tok_is_sym (t, S_COLON) || tok_is_sym (t, S_PERCENT)
                           || tok_is_sym (t, S_HYPHEN) || tok_is_sym (t, S_SLASH));
}

/*  May a list of days end before t: punctuation, the end of the
    paragraph, a year, a month (the day first), a preposition, a
    conjunction, "last" / "next" or a function word; no noun that would
    make the last day a count ("on June 4 and 5 workers"), nor what
    makes it an amount or a time ("4 and 5 pct", "4 and 5:30").  */
static bool
day_list_end_at (const scan_t *sc, const tok_t *f)
{
    if (f->kind == T_END || f->gap == 2)
        return true;
    if (f->kind == T_SYM)
        return !number_goes_on (f);
    if (f->gap != 1)
        return false;
    if (f->kind == T_NUM)
        return tok_year (f) > 0;
    return f->kind == T_WORD
        && ((tok_is_kw (f, K_MONTH) && f->cap) || tok_is_kw (f, K_PREP) || tok_is_kw (f, K_AND)
            || tok_is_kw (f, K_OF) || tok_is_kw (f, K_REL) || tok_is_function_word (sc, f));
}

/*  A list of days at j joined by "and" / "or", commas before the last
    ("June 4 and 5", "June 4 or 5", "July 1, 2 and 3", "14 and 15
    August"): one DATE, as a range is (README.md's rules).  The days
    ascend, and the list ends where day_list_end_at permits.  Returns the
    tokens used, 0 if none, and sets *last to the last day.  */
static size_t
day_list_at (const scan_t *sc, size_t j, int *last)
{
    const tok_t *a = tk (sc, j);
    bool ord = a->cls == SUF_ORD;
    if (!tok_is_list_day (a, ord))
        return 0;
    int prev = a->ival;
    size_t q = j + 1;
    for (int n = 1; n < DAY_LIST_MAX; n++) {
        const tok_t *c = tk (sc, q), *d = tk (sc, q + 1);
        bool comma = c->gap == 0 && tok_is_sym (c, S_COMMA);
        if (comma && d->gap == 1 && tok_is_kw (d, K_AND)) {
            c = d;                              /* "3, 4, and 5" */
            d = tk (sc, ++q + 1);
        }
        bool conj = c->gap == 1 && tok_is_kw (c, K_AND);
        if (!(comma || conj) || d->gap != 1 || !tok_is_list_day (d, ord) || d->ival <= prev)
            return 0;
        prev = d->ival;
        q += 2;
        if (conj) {
            if (!day_list_end_at (sc, tk (sc, q)))
                return 0;
            *last = prev;
            return q - j;
        }
    }
    return 0;
}

/*  A range of days at j, "3-6", "3 to 6", "3 through 6": the first day
    below the second, both 1-31; or a list of them (day_list_at).
    Returns the tokens used and sets *d1 (the first) and *d2 (the last),
    or 0.  The end must not go on as a number, an amount or a time ("3 to
    6 pct", "3-6:30").  */
static size_t
day_range_at (const scan_t *sc, size_t j, int *d1, int *d2)
{
    const tok_t *a = tk (sc, j), *h = tk (sc, j + 1), *b = tk (sc, j + 2), *n = tk (sc, j + 3);
    size_t dl = day_list_at (sc, j, d2);
    if (dl > 0) {
        *d1 = a->ival;
        return dl;
    }
    if (a->kind != T_NUM || !a->plain || a->intdigits > 2 || a->cls != SUF_NONE || a->fden)
        return 0;
    if (b->kind != T_NUM || !b->plain || b->intdigits > 2 || b->cls != SUF_NONE || b->fden)
        return 0;
    bool dash = h->gap == 0 && tok_is_sym (h, S_HYPHEN) && b->gap == 0;
    bool to = h->gap == 1 && b->gap == 1
        && (tok_is_word (sc, h, "to") || tok_is_word (sc, h, "through"));
    if (!dash && !to)
        return 0;
    if (a->ival < 1 || b->ival > 31 || a->ival >= b->ival)
        return 0;
    if (number_goes_on (n))
        return 0;
    if (n->gap == 1 && n->kind == T_WORD
        && (n->cls == K_PERCENT || n->cls == K_CUR || n->cls == K_SCALE || n->cls == K_UNIT
            || n->cls == K_PER || n->cls == K_POINT))
        return 0;
    *d1 = a->ival;
    *d2 = b->ival;
    return 3;
}

/*  A day written as a word after its month, as wire copy writes the
    numbers below ten ("April one", "March two."): a number word at j
    followed by nothing that would make it a count ("May two years
    ago", "In May one analyst said", "in June one of them").  Returns the
    day or -1.  */
static int
day_word_at (const scan_t *sc, size_t j)
{
    const tok_t *t = tk (sc, j), *n = tk (sc, j + 1);
    if (t->gap != 1 || !tok_is_kw (t, K_NUM) || t->cap)
        return -1;
    if (n->kind == T_END || n->gap == 2)
        return t->val;
    if (n->kind == T_SYM)
        return (n->cls == S_COMMA || n->cls == S_DOT || n->cls == S_OTHER) && n->gap == 0? t->val: -1;
    if (n->kind == T_WORD && n->gap == 1 && (n->cls == K_AND || tok_is_word (sc, n, "to")))
        return t->val;
    return -1;
}

/*  A month name at i, capitalised; abbreviations take an optional period.
    Returns the tokens used and sets *mo.  */
static size_t
tok_month (const scan_t *sc, size_t i, int *mo, bool *abbr)
{
    const tok_t *t = tk (sc, i);
    if (!tok_is_kw (t, K_MONTH) || !t->cap)
        return 0;
    *mo = t->val;
    *abbr = (t->flags & F_ABBR) != 0;
    const tok_t *n1 = tk (sc, i + 1);
    /* "Mar-a-Lago", "March-April": not a date on their own.  */
    if (n1->gap == 0 && (tok_is_sym (n1, S_HYPHEN) || n1->kind == T_WORD || n1->kind == T_NUM))
        return 0;
    if (*abbr && n1->gap == 0 && tok_is_sym (n1, S_DOT))
        return 2;
    return 1;
}

/*  Is the token at j a month written as a column heading would be: a
    capitalised month name, an abbreviation when abbr is set (a full name
    when not; "May" is both), with no day or year after it ("May March
    2019" is no row of headings)?  */
static bool
month_in_row (const scan_t *sc, size_t j, bool abbr)
{
    const tok_t *t = tk (sc, j), *n = tk (sc, j + 1);
    if (!tok_is_kw (t, K_MONTH) || !t->cap)
        return false;
    if (!(t->flags & F_AMBIG) && ((t->flags & F_ABBR) != 0) != abbr)
        return false;
    return !(n->gap < 2 && n->kind == T_NUM);
}

/*  "quarters" or "qtrs", the plural of a quarter of the year.  */
static bool
tok_is_quarters (const scan_t *sc, const tok_t *t)
{
    return tok_is_word (sc, t, "quarters") || tok_is_word (sc, t, "qtrs");
}

/*  Two months joined by a hyphen or a slash at i, "July-June",
    "Oct-Sept", "Jan-March 1987", "Aug/Sept": a range of months, one DATE
    as "May 3-6" is (README.md's rules); a marketing year across the new
    year ("(July-June)") need not ascend.  The slash is the commodity
    wire's shipment or delivery period ("April/May butter", "Oct/Dec at
    4,480 dlrs"), where abbreviations stand without the period or day
    they need alone.  Both capitalised month names, the second ending the
    word (tok_month: "Mar-a-Lago" is none), a year after it taken as after
    one month.  Returns the tokens used, 0 if none.  */
static size_t
month_range_at (const scan_t *sc, size_t i)
{
    const tok_t *t = tk (sc, i), *h = tk (sc, i + 1), *b = tk (sc, i + 2);
    int mo2;
    bool abbr2;
    size_t k2;
    if (!tok_is_kw (t, K_MONTH) || !t->cap
        || !(h->gap == 0 && (tok_is_sym (h, S_HYPHEN) || tok_is_sym (h, S_SLASH)))
        || b->gap != 0 || !tok_is_kw (b, K_MONTH) || !b->cap || b->val == t->val
        || (k2 = tok_month (sc, i + 2, &mo2, &abbr2)) == 0)
        return 0;
    size_t e = i + 2 + k2;
    const tok_t *y = tk (sc, e), *after = tk (sc, e + 1);
    if (y->gap == 1 && tok_year (y) > 0
        && !(after->gap == 0 && (after->kind == T_NUM || tok_is_sym (after, S_HYPHEN))))
        e++;
    return e - i;
}

/*  Is token j apart from the one before it by white space no wider than
    a word space or two ("6 May", "May  6", a wrapped line's break)?  More
    is a table's column gap ("NO.6        APR/MAY", "APR    7325"), which
    no day and month of one date stand across.  */
static bool
tok_spaced (const scan_t *sc, size_t j)
{
    const tok_t *t = tk (sc, j);
    if (j == 0 || t->gap != 1)
        return false;
    /*  ASCII spaces and tabs count: a table's columns are made of them,
        where other white space and ignorables ("May\u00a0\u180e3") are
        no column gap.  */
    size_t spaces = 0;
    for (size_t k = tk (sc, j - 1)->end; k < t->start; k++)
        spaces += sc->s[k] == ' ' || sc->s[k] == '\t';
    return spaces <= 3;
}

/*  "March 31, 2019", "March 2019", "March 31", "March" (with context for
    "May"), "Jan. 5".  */
static void
match_month_first (const scan_t *sc, size_t i, match_t *m)
{
    int mo, day = -1, year = -1;
    bool abbr;
    m->ntok = 0;
    size_t mr = month_range_at (sc, i);
    if (mr > 0) {
        m->ntok = mr;
        m->type = CLIP_NUMEX_DATE;
        m->phrase = true;
        return;
    }
    size_t k = tok_month (sc, i, &mo, &abbr);
    if (k == 0)
        return;
    size_t j = i + k;
    /* "September and October last year", "May or June 1987": two months
       sharing their year are one DATE, as a range of days is.  */
    const tok_t *c = tk (sc, j);
    int mo2;
    bool abbr2;
    size_t k2;
    if (c->gap == 1 && (tok_is_word (sc, c, "and") || tok_is_word (sc, c, "or"))
        && tk (sc, j + 1)->gap == 1 && (k2 = tok_month (sc, j + 1, &mo2, &abbr2)) > 0) {
        size_t e = j + 1 + k2;
        const tok_t *y = tk (sc, e), *after = tk (sc, e + 1);
        if (y->gap == 1 && tok_year (y) > 0
            && !(after->gap == 0 && (after->kind == T_NUM || tok_is_sym (after, S_HYPHEN)))) {
            m->ntok = e + 1 - i;
            m->type = CLIP_NUMEX_DATE;
            m->phrase = true;
            return;
        }
        if (y->gap == 1 && tok_is_kw (y, K_REL) && after->gap == 1 && tok_is_word (sc, after, "year")) {
            m->ntok = e + 2 - i;
            m->type = CLIP_NUMEX_DATE;
            m->phrase = true;
            return;
        }
        /* "the March and June quarters": the two quarters named by the
           months that end them share the noun ("the" is added by
           match_relative_at, as for "the December quarter").  */
        if (y->gap == 1 && tok_is_quarters (sc, y)
            && !(after->gap == 0 && (after->kind != T_SYM || tok_is_sym (after, S_HYPHEN)))) {
            m->ntok = e + 1 - i;
            m->type = CLIP_NUMEX_DATE;
            m->phrase = true;
            return;
        }
    }
    /* "the December quarter", "March qtr": a quarter named by the month
       it ends (Australian and New Zealand usage); "the" is added by
       match_relative_at.  */
    const tok_t *qw = tk (sc, j);
    if (qw->gap == 1 && tok_is_kw (qw, K_QUARTER) && !tok_is_word (sc, qw, "half")
        && !(tk (sc, j + 1)->gap == 0 && tk (sc, j + 1)->kind != T_SYM)
        && !(tok_is_sym (tk (sc, j + 1), S_HYPHEN) && tk (sc, j + 1)->gap == 0)) {
        m->ntok = j + 1 - i;
        m->type = CLIP_NUMEX_DATE;
        m->phrase = true;
        return;
    }
    int d1, d2;
    /*  A day is a word space or two after its month, not a column away.  */
    bool day_spaced = tok_spaced (sc, j);
    size_t dr = day_spaced? day_range_at (sc, j, &d1, &d2): 0;
    if (dr > 0) {
        /* "May 3 to 6", "May 3-6, 1987": one DATE (the issue's form).  */
        size_t y = j + dr, e = j + dr;
        if (tok_is_sym (tk (sc, y), S_COMMA) && tk (sc, y)->gap == 0)
            y++;
        if (tk (sc, y)->gap == 1 && (year = tok_year (tk (sc, y))) > 0
            && !(tk (sc, y + 1)->gap == 0 && (tk (sc, y + 1)->kind == T_NUM
                                            || tok_is_sym (tk (sc, y + 1), S_HYPHEN))))
            e = y + 1;
        else
            year = -1;
        if (d2 <= days_in_month (year, mo)) {
            m->ntok = e - i;
            m->type = CLIP_NUMEX_DATE;
            m->phrase = true;
            return;
        }
        year = -1;
    }
    if (day_spaced && (day = tok_day (sc, j)) > 0) {
        j++;
    } else if ((day = day_word_at (sc, j)) > 0) {
        j++;
    } else
        day = -1;
    size_t y = j;
    if (tok_is_sym (tk (sc, y), S_COMMA) && tk (sc, y)->gap == 0)
        y++;
    /*  A year across a table's column gap is a value ("JLY   1081"), and
        so is one after a month heading a row of numbers ("JNE 2742  2750";
        an abbreviation before 1900: "SEP 26 1799").  */
    if (tok_spaced (sc, y) && (year = tok_year (tk (sc, y))) > 0) {
        const tok_t *after = tk (sc, y + 1);
        if ((after->gap == 0 && (after->kind == T_NUM || tok_is_sym (after, S_HYPHEN)))
            || (tk (sc, i)->gap == 2 && after->gap == 1 && after->kind == T_NUM)
            || (abbr && year < 1900))
            year = -1;
        else
            j = y + 1;
    } else
        year = -1;
    if (day > 0 && day > days_in_month (year, mo)) {
        day = -1;
        j = i + k;
        year = -1;
    }
    /*  A year in two digits, as the wire's tables head their columns:
        "Feb 87   Jan 87   Feb 86", "March 87", "Jan'87" (a number above 31
        is no day).  Without the apostrophe only where a heading ends: at
        the end of the line, before punctuation or another month; a
        number after it makes it a table's row and its value ("JLY 51
        1,200").  */
    if (day < 0 && year < 0) {
        const tok_t *q = tk (sc, j);
        size_t e = j;
        bool apos = q->gap == 0 && tok_is_sym (q, S_APOS);
        if (apos)
            q = tk (sc, ++e);
        const tok_t *nx = tk (sc, e + 1);
        bool ends = nx->kind == T_END || nx->gap == 2 || tok_is_kw (nx, K_MONTH)
                    || (nx->kind == T_SYM && !tok_is_sym (nx, S_PERCENT)
                        && !tok_is_sym (nx, S_HYPHEN) && !tok_is_sym (nx, S_SLASH)
                        && !tok_is_sym (nx, S_APOS));
        if ((apos ? q->gap == 0 : tok_spaced (sc, e)) && q->kind == T_NUM && q->plain
            && q->cls == SUF_NONE && q->fden == 0 && q->intdigits == 2 && q->ival > 31
            && (ends || (apos && nx->gap == 1 && nx->kind == T_WORD))) {
            year = 1900 + q->ival;
            j = e + 1;
        }
    }
    bool rel = false;
    /*  Month names heading the columns of a table ("   Jan    Feb    Mar"):
        a month next to another one on the line is a DATE on its own, an
        abbreviation or "May" included (README.md's rules).  */
    bool row = false;
    if (day < 0 && year < 0) {
        /*  "May" is a name and an abbreviation both: either kind of
            neighbour ("Mar   May   Jul").  */
        bool either = tk (sc, i)->flags & F_AMBIG;
        row = (tk (sc, j)->gap == 1
               && (month_in_row (sc, j, abbr) || (either && month_in_row (sc, j, !abbr))))
            || (tk (sc, i)->gap == 1 && i > 0
                && (month_in_row (sc, i - 1, abbr) || (either && month_in_row (sc, i - 1, !abbr))));
    }
    /*  A month heading a table's row ("Jun   3097   7109", "Sep   ---")
        or before a quantity in a list ("Feb 872.0, Mar 164.6", "Maize
        Mar 48.0"): a month there as anywhere else (README.md's rules:
        tables are labelled like any other text).  */
    if (day < 0 && year < 0 && !row) {
        /*  A row: the month opens an indented line (a table's; not a
            paragraph's first word: "Feb 30 is no date").  */
        const tok_t *t = tk (sc, i), *v = tk (sc, j);
        bool indented = t->gap == 2 && t->start > 0
                        && (sc->s[t->start - 1] == ' ' || sc->s[t->start - 1] == '\t');
        row = v->gap == 1
              && ((indented && (v->kind == T_NUM || tok_is_sym (v, S_HYPHEN)))
                  || (v->kind == T_NUM && !v->plain && v->cls == SUF_NONE && v->fden == 0));
    }
    if (day < 0 && year < 0 && !row) {
        if (abbr)
            return;
        /* "May last year", "March this year".  */
        const tok_t *r = tk (sc, j);
        if (r->gap == 1 && tok_is_kw (r, K_REL) && tk (sc, j + 1)->gap == 1
            && tok_is_word (sc, tk (sc, j + 1), "year")) {
            j += 2;
            rel = true;
        }
    }
    if (day < 0 && year < 0 && !rel && !row) {
        if (tk (sc, i)->flags & F_AMBIG) {
            const tok_t *prev = i > 0? tk (sc, i - 1): &tok_end;
            /* "his" and "her" make a year ("her 1990 album"), not a
               month ("told her May would go").  */
            if (!(prev->kind == T_WORD && tk (sc, i)->gap < 2
                  && (((prev->flags & F_YEARCTX) && prev->cls != K_NONE)
                      || prev->cls == K_REL || prev->cls == K_EDGE)))
                return;
        }
    }
    m->ntok = j - i;
    m->type = CLIP_NUMEX_DATE;
    if (year > 0 && day > 0)
        iso_canon (m, year, mo, day);
    else if (year > 0)
        iso_canon (m, year, mo, 0);
    else
        m->phrase = true;
}

/*  "31 March 2019", "31st March", "31 Mar. 2019", "the 31st of March".  */
static void
match_day_first (const scan_t *sc, size_t i, match_t *m)
{
    int mo, day, year = -1;
    bool abbr;
    size_t k;
    size_t j = i;
    m->ntok = 0;
    bool the = tok_is_kw (tk (sc, i), K_THE);
    if (the)
        j++;
    if (the && tk (sc, j)->gap != 1)
        return;
    int d1, d2;
    size_t dr = the? 0: day_range_at (sc, j, &d1, &d2);
    if (dr > 0 && tok_spaced (sc, j + dr)
        && (k = tok_month (sc, j + dr, &mo, &abbr)) > 0) {
        /* "3-6 May", "3 to 6 May 1987".  */
        size_t e = j + dr + k;
        if (tk (sc, e)->gap == 1 && tok_year (tk (sc, e)) > 0
            && !(tk (sc, e + 1)->gap == 0 && (tk (sc, e + 1)->kind == T_NUM
                                            || tok_is_sym (tk (sc, e + 1), S_HYPHEN)))) {
            year = tok_year (tk (sc, e));
            e++;
        }
        if (d2 > days_in_month (year, mo))
            return;
        m->ntok = e - i;
        m->type = CLIP_NUMEX_DATE;
        m->phrase = true;
        return;
    }
    if ((day = tok_day (sc, j)) < 0)
        return;
    bool ord = tk (sc, j)->cls == SUF_ORD;
    j++;
    if (ord && tok_is_kw (tk (sc, j), K_OF) && tk (sc, j)->gap == 1)
        j++;
    else if (the)
        return;
    if (!tok_spaced (sc, j))
        return;
    k = tok_month (sc, j, &mo, &abbr);
    if (k == 0)
        return;
    j += k;
    size_t y = j;
    if (tok_is_sym (tk (sc, y), S_COMMA) && tk (sc, y)->gap == 0)
        y++;
    if (tk (sc, y)->gap == 1 && (year = tok_year (tk (sc, y))) > 0) {
        const tok_t *after = tk (sc, y + 1);
        if (after->gap == 0 && (after->kind == T_NUM || tok_is_sym (after, S_HYPHEN)))
            year = -1;
        else
            j = y + 1;
    } else
        year = -1;
    if (day > days_in_month (year, mo))
        return;
    m->ntok = j - i;
    m->type = CLIP_NUMEX_DATE;
    if (year > 0)
        iso_canon (m, year, mo, day);
    else
        m->phrase = true;
}

/*  "2019-03-31".  */
static void
match_iso (const scan_t *sc, size_t i, match_t *m)
{
    m->ntok = 0;
    int y = tok_year (tk (sc, i));
    if (y < 0)
        return;
    const tok_t *t[4];
    for (int k = 0; k < 4; k++) {
        t[k] = tk (sc, i + 1 + (size_t) k);
        if (t[k]->gap != 0)
            return;
    }
    if (!tok_is_sym (t[0], S_HYPHEN) || !tok_is_sym (t[2], S_HYPHEN))
        return;
    if (t[1]->kind != T_NUM || t[1]->intdigits != 2 || !t[1]->plain || t[1]->cls != SUF_NONE)
        return;
    if (t[3]->kind != T_NUM || t[3]->intdigits != 2 || !t[3]->plain || t[3]->cls != SUF_NONE)
        return;
    int mo = t[1]->ival, d = t[3]->ival;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month (y, mo))
        return;
    const tok_t *after = tk (sc, i + 5);
    if (after->gap == 0 && (after->kind == T_NUM || tok_is_sym (after, S_HYPHEN)))
        return;
    m->ntok = 5;
    m->type = CLIP_NUMEX_DATE;
    iso_canon (m, y, mo, d);
}

/*  A plain number of at most two digits and no suffix, a part of a
    date written in digits.  */
static bool
tok_is_date_part (const tok_t *t)
{
    return t->kind == T_NUM && t->cls == SUF_NONE && t->plain && t->fden == 0
        && t->intdigits <= 2;
}

/*  A date in digits and slashes, "5/14/82", "02/28/87", "3/8/2019": the
    wire's (American) month first, the day first only where the first
    number cannot be a month ("28/02/87").  Nothing may stick to either
    end ("1/2/3/4", "5/14/82a").  Canonical ISO 8601; a two-digit year
    is 1950-2049.  */
static void
match_slash_date (const scan_t *sc, size_t i, match_t *m)
{
    m->ntok = 0;
    const tok_t *a = tk (sc, i), *s1 = tk (sc, i + 1), *b = tk (sc, i + 2),
                *s2 = tk (sc, i + 3), *c = tk (sc, i + 4), *after = tk (sc, i + 5);
    if (!tok_is_date_part (a) || !tok_is_date_part (b) || s1->gap || b->gap || s2->gap || c->gap
        || !tok_is_sym (s1, S_SLASH) || !tok_is_sym (s2, S_SLASH))
        return;
    int y;
    if (tok_is_date_part (c) && c->intdigits == 2)
        y = c->ival < 50? 2000 + c->ival: 1900 + c->ival;
    else if ((y = tok_year (c)) < 1900 || y > 2099)
        return;
    const tok_t *before = i > 0? tk (sc, i - 1): &tok_end;
    if ((a->gap == 0 && i > 0 && (before->kind == T_NUM || tok_is_sym (before, S_SLASH)))
        || (after->gap == 0 && (after->kind != T_SYM || tok_is_sym (after, S_SLASH)
                                || tok_is_sym (after, S_HYPHEN))))
        return;
    int mo = a->ival, d = b->ival;
    if (mo > 12) {
        mo = b->ival;
        d = a->ival;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month (y, mo))
        return;
    m->ntok = 5;
    m->type = CLIP_NUMEX_DATE;
    iso_canon (m, y, mo, d);
}

/*  "Friday", "Friday, March 29, 2019".  */
static void
match_weekday (const scan_t *sc, size_t i, match_t *m)
{
    m->ntok = 0;
    const tok_t *t = tk (sc, i);
    if (!tok_is_kw (t, K_WEEKDAY) || !t->cap)
        return;
    const tok_t *n1 = tk (sc, i + 1);
    if (n1->gap == 0 && (n1->kind == T_WORD || tok_is_sym (n1, S_HYPHEN)))
        return;
    /* Newspapers and names: "Sunday Times", "Good Friday Agreement".  */
    static const char *const names[] = {
        "times", "telegraph", "mirror", "express", "mail", "herald", "post",
        "people", "sport", "agreement", "night", NULL
    };
    if (n1->gap == 1 && n1->cap && tok_is_word_in (sc, n1, names))
        return;
    size_t j = i + 1;
    if (tok_is_sym (n1, S_COMMA) && n1->gap == 0)
        j++;
    if (tk (sc, j)->gap == 1) {
        match_t d;
        memset (&d, 0, sizeof d);
        match_month_first (sc, j, &d);
        if (d.ntok == 0)
            match_day_first (sc, j, &d);
        if (d.ntok > 0 && !d.phrase) {
            *m = d;
            m->ntok = j + d.ntok - i;
            return;
        }
        /* "Monday 4 October", "Monday October 4": the weekday and the
           day of its month are one DATE without a year too (BBC style);
           with a comma and no year they stay two, as before.  A month
           alone is no day ("Friday May" is two words of a list).  */
        int mo;
        bool ab;
        size_t mk = tok_month (sc, j, &mo, &ab);
        if (d.ntok > 0 && j == i + 1
            && (mk == 0 || (d.ntok > mk && tk (sc, j + mk)->kind == T_NUM))) {
            m->ntok = j + d.ntok - i;
            m->type = CLIP_NUMEX_DATE;
            m->phrase = true;
            return;
        }
    }
    m->ntok = 1;
    m->type = CLIP_NUMEX_DATE;
    m->phrase = true;
}

/*  "fiscal", "financial" or "calendar" before "year", "quarter" or "half"
    ("this fiscal year", "the 1987 financial year"), and the years of the
    commodity trade, "crop", "marketing", "coffee", "cocoa" and "sugar"
    ("the crop year beginning August 1", "the current coffee year");
    "business", "trading" or "working" before "day(s)" or "week(s)" ("the
    next business day", "three trading days").  */
static bool
tok_is_yearmod (const scan_t *sc, const tok_t *t)
{
    if (t->kind != T_WORD)
        return false;
    /*  Asked of many words: the first letter first.  */
    char f = lower (sc->s[t->start]);
    return (f == 'f' && (tok_is_word (sc, t, "fiscal") || tok_is_word (sc, t, "financial")))
        || (f == 'c' && (tok_is_word (sc, t, "calendar") || tok_is_word (sc, t, "crop")
                         || tok_is_word (sc, t, "coffee") || tok_is_word (sc, t, "cocoa")))
        || (f == 'm' && tok_is_word (sc, t, "marketing"))
        || (f == 's' && tok_is_word (sc, t, "sugar"));
}

/*  Is the unit t a season of sport ("season", "seasons")?  Plural, and
    without a number, it is no date ("previous seasons", README.md).  */
static bool
unit_is_season (const scan_t *sc, const tok_t *t)
{
    return t->end - t->start >= 6 && lower (sc->s[t->start]) == 's';
}

/*  The unit at j with its modifier: "days", "business days" (K_DAYMOD
    before a day or a week), "fiscal year" (before a year, a quarter or a
    half).  Returns the tokens used, 0 if none; the unit token is at
    j + result - 1.  */
static size_t
unit_at (const scan_t *sc, size_t j)
{
    const tok_t *u = tk (sc, j);
    if (u->kind != T_WORD)
        return 0;
    if (u->cls == K_UNIT)
        return 1;
    const tok_t *w = tk (sc, j + 1);
    if (w->gap != 1 || w->kind != T_WORD)
        return 0;
    if (u->cls == K_DAYMOD && w->cls == K_UNIT
        && (tok_is_word (sc, w, "day") || tok_is_word (sc, w, "days")
            || tok_is_word (sc, w, "week") || tok_is_word (sc, w, "weeks")))
        return 2;
    if (tok_is_yearmod (sc, u) && (tok_is_word (sc, w, "year") || tok_is_word (sc, w, "years")))
        return 2;
    return 0;
}

/*  Does the token at j close a clause, so that "before" just before it
    ends a date ("the year before.", "a month before, it said") rather
    than introduce what follows ("the year before the war")?  The text's
    end is none: a fragment may stop anywhere.  */
static bool
closes_clause (const tok_t *t)
{
    return (t->kind != T_END && t->gap == 2)
        || (t->kind == T_SYM && (t->cls == S_COMMA || t->cls == S_DOT || t->cls == S_COLON
                                 || t->cls == S_OTHER));
}

/*  "or two" at j after a duration's unit: "a month or two", "a week or
    three", a vague count that is one DATE with its unit, as "two or
    three weeks" is (range_head_at).  The number is a small one, in words
    or digits, and nothing goes on with it ("a month or two hundred",
    "a month or two years", "a week or two pct").  Returns the tokens used
    (2), 0 if none.  */
static size_t
or_few_at (const scan_t *sc, size_t j)
{
    const tok_t *o = tk (sc, j), *n = tk (sc, j + 1), *f = tk (sc, j + 2);
    if (o->gap != 1 || n->gap != 1 || !tok_is_word (sc, o, "or"))
        return 0;
    if (!((tok_is_kw (n, K_NUM) && !n->cap && n->val >= 2)
          || (n->kind == T_NUM && n->plain && n->cls == SUF_NONE && !n->fden && n->ival >= 2
              && n->ival <= 99)))
        return 0;
    if (number_goes_on (f))
        return 0;
    if (f->gap == 1 && f->kind == T_WORD
        && (f->cls == K_UNIT || f->cls == K_SCALE || f->cls == K_CUR || f->cls == K_PERCENT
            || f->cls == K_HUNDRED || f->cls == K_DOZEN || f->cls == K_PER || f->cls == K_POINT
            || f->cls == K_FURTHER || f->cls == K_OF || f->cls == K_VAGUE))
        return 0;
    return 2;
}

/*  Does a quantity end at token p: a number ("£30,000", "15.26"), a
    unit wire copy writes in the singular ("dlr", "pct", "stg"), or a
    plural noun in lower case with a number at most three tokens before
    it ("15 mln tonnes", "six nights", "100,000 Mini models"; not the verb
    of "celebrates a decade")?  */
static bool
quantity_ends_at (const scan_t *sc, size_t p)
{
    static const char *const singular_units[] = {
        "dlr", "pct", "stg", "yen", "tonne", "ton", "barrel", "bbl", "ounce", "euro",
        "cent", "percent", NULL
    };
    static const char *const not_plural[] = {
        "this", "was", "has", "its", "his", "hers", "ours", "yours", "theirs", "perhaps",
        "always", "towards", "afterwards", "besides", "whereas", "as", "yes", "does", NULL
    };
    const tok_t *t = tk (sc, p);
    if (t->kind == T_NUM)
        return true;
    if (t->kind != T_WORD || t->cap)
        return false;
    size_t n = t->end - t->start;
    const char *w = sc->s + t->start;
    if (tok_is_word_in (sc, t, singular_units))
        return true;
    if (n < 3 || lower (w[n - 1]) != 's' || lower (w[n - 2]) == 's' || lower (w[n - 2]) == 'u'
        || lower (w[n - 2]) == 'i' || tok_is_word_in (sc, t, not_plural))
        return false;
    for (size_t k = 1; k <= 3 && k <= p; k++) {
        const tok_t *b = tk (sc, p - k);
        if (b->kind == T_NUM || tok_is_kw (b, K_NUM) || tok_is_kw (b, K_TENS))
            return true;
    }
    return false;
}

/*  A duration or a count of units: "five years", "20 years", "a further
    year", "a few weeks", "two years ago", "five-year", "two and a half
    years".  */
static size_t
duration_one_at (const scan_t *sc, size_t i)
{
    /*  "another three years": the determiner is inside, as "the next
        three years" has it (README.md's rules).  */
    if (tok_is_word (sc, tk (sc, i), "another") && tk (sc, i + 1)->gap == 1
        && (tk (sc, i + 1)->kind == T_NUM || tok_is_kw (tk (sc, i + 1), K_NUM))) {
        size_t d = duration_one_at (sc, i + 1);
        return d > 0 ? d + 1 : 0;
    }
    size_t j = i;
    bool bare_a = false;
    const tok_t *t = tk (sc, i);
    if (t->kind == T_NUM) {
        if (t->cls != SUF_NONE || t->intdigits > 6)
            return 0;
        j++;
    } else if (tok_is_kw (t, K_A) && tk (sc, i + 1)->gap == 1 && tok_is_kw (tk (sc, i + 1), K_FEW)) {
        j += 2;
        if (tok_is_kw (tk (sc, j), K_OF) && tk (sc, j)->gap == 1)
            j++;                                /* "a couple of years" */
    } else if (tok_is_kw (t, K_FEW) && !tok_is_word (sc, t, "couple")) {
        j++;                                    /* "several years" */
    } else if (tok_is_kw (t, K_FURTHER) && tok_is_word (sc, t, "another")) {
        j++;
        bare_a = true;                          /* "another year" */
    } else {
        uint64_t v;
        size_t k = parse_numwords (sc, i, &v, &bare_a);
        if (k == 0)
            return 0;
        j += k;
        if (!bare_a)
            j += and_a_half_at (sc, j);
    }
    const tok_t *u = tk (sc, j);
    if (u->gap == 0 && tok_is_sym (u, S_HYPHEN) && !bare_a && j > i) {
        /* "five-year", "10-year": the adjective form, singular unit.  */
        const tok_t *w = tk (sc, j + 1);
        if (w->gap == 0 && tok_is_kw (w, K_UNIT) && w->val == 1) {
            /* "20-year-old" is an age, not a DATE (README.md's rules);
               "two-year-long" is one.  */
            if (tok_is_sym (tk (sc, j + 2), S_HYPHEN) && tk (sc, j + 2)->gap == 0
                && tk (sc, j + 3)->gap == 0) {
                if (tok_is_word (sc, tk (sc, j + 3), "old") || tok_is_word (sc, tk (sc, j + 3), "olds"))
                    return 0;
                if (tok_is_word (sc, tk (sc, j + 3), "long"))
                    return j + 4 - i;
            }
            return j + 2 - i;
        }
        return 0;
    }
    if (u->gap != 1)
        return 0;
    if (tok_is_kw (u, K_FURTHER) && !tok_is_word (sc, u, "another")) {
        j++;                                    /* "a further year", "two more years" */
        u = tk (sc, j);
        if (u->gap != 1)
            return 0;
    }
    size_t ul = unit_at (sc, j);
    if (ul == 0)
        return 0;
    u = tk (sc, j + ul - 1);
    j += ul;
    const tok_t *after = tk (sc, j);
    /* "a year-long" is "year-long", which the scan finds at the unit;
       "a year-old" is an age.  "25 years old" keeps its DATE "25 years"
       (OntoNotes): README.md's rules leave out the hyphenated age only.  */
    if (after->gap == 0 && tok_is_sym (after, S_HYPHEN) && tk (sc, j + 1)->gap == 0
        && tk (sc, j + 1)->kind == T_WORD) {
        if (bare_a || tok_is_word (sc, tk (sc, j + 1), "old") || tok_is_word (sc, tk (sc, j + 1), "olds"))
            return 0;
        if (tok_is_word (sc, tk (sc, j + 1), "long"))
            return j + 2 - i;
    }
    /* "18 to 24 year olds": people of an age, not a period.  */
    if (after->gap == 1 && tok_is_word (sc, after, "olds"))
        return 0;
    size_t few = or_few_at (sc, j);
    if (few > 0) {
        j += few;                               /* "a month or two" */
        after = tk (sc, j);
    }
    bool tail = after->gap == 1 && (tok_is_kw (after, K_AGO) || tok_is_kw (after, K_EARLIER)
                                    || (tok_is_word (sc, after, "before")
                                        && closes_clause (tk (sc, j + 1))));
    if (tail)
        j++;
    /* "15 mln tonnes a year", "£50 a week", "six nights a week": after a
       quantity, "a" and a unit is a rate (per year), not a period, as the
       news labels read it (workers/ner/README.md, thirteenth round).  */
    if (bare_a && !tail && few == 0 && u == tk (sc, i + 1) && i > 0 && tk (sc, i)->gap == 1
        && quantity_ends_at (sc, i - 1))
        return 0;
    /* "a day" alone is rarely a date ("once a day", "a day of action");
       "a season's best" is a record, not a period.  */
    if (bare_a && tok_is_word (sc, u, "day") && !tail && few == 0)
        return 0;
    if (bare_a && unit_is_season (sc, u) && tok_is_sym (after, S_APOS) && after->gap == 0)
        return 0;
    return j - i;
}

/*  A duration at i, or a range of them ending in one: "60-90 days",
    "two to three years", "two or three weeks" (one DATE, OntoNotes; a
    maturity range in a table is one, README.md's rules).  */
static size_t
match_duration_at (const scan_t *sc, size_t i)
{
    size_t rh = range_head_at (sc, i);
    if (rh > 0) {
        size_t d = duration_one_at (sc, i + rh);
        if (d > 0)
            return rh + d;
    }
    return duration_one_at (sc, i);
}

/*  A year or a range of years at j: "1986", "1974-78", "1986/87",
    "1999-2000" (the second year later than the first, in the same century
    when written with two digits).  Returns the tokens used (1 or 3), 0 if
    none; nothing may stick to its end ("2019-03-31", "1986-87-88").  */
static size_t
year_range_at (const scan_t *sc, size_t j)
{
    const tok_t *t = tk (sc, j);
    int y = tok_year (t);
    if (y < 0)
        return 0;
    const tok_t *h = tk (sc, j + 1), *e = tk (sc, j + 2), *after;
    size_t n = 1;
    if (h->gap == 0 && (tok_is_sym (h, S_HYPHEN) || tok_is_sym (h, S_SLASH)) && e->gap == 0
        && e->kind == T_NUM && e->cls == SUF_NONE && e->plain && e->fden == 0) {
        int y2 = -1;
        if (e->intdigits == 1)
            y2 = y / 10 * 10 + e->ival;         /* "2003-4" */
        else if (e->intdigits == 2)
            y2 = y / 100 * 100 + e->ival;
        else if (e->intdigits == 4)
            y2 = e->ival;
        if (y2 > y && y2 - y < 100)
            n = 3;
    }
    after = tk (sc, j + n);
    if (after->gap == 0 && (after->kind == T_NUM || after->kind == T_WORD
                            || tok_is_sym (after, S_HYPHEN) || tok_is_sym (after, S_SLASH)
                            || tok_is_sym (after, S_PERCENT)))
        return 0;
    return n;
}

/*  An ordinal at j that can number a quarter or a half: "first" ...
    "fourth", "final", "4th", "4TH".  */
static bool
tok_is_quarter_ord (const tok_t *t)
{
    if (t->kind == T_WORD)
        return t->cls == K_ORD;
    return t->kind == T_NUM && t->cls == SUF_ORD && t->ival >= 1 && t->ival <= 4;
}

/*  What a year (yr tokens: 1, or 3 for a range) may be followed by in one
    DATE: an ordinal quarter or half ("1986 fourth quarter", "1987 first
    half", "4TH QTR"), a fiscal year ("1987 fiscal year"), a season
    ("1986/87 season"), "crop year", and after a range "year" ("the
    1985/86 year").  Returns the tokens used after the year, 0 if none.  */
static size_t
year_tail_at (const scan_t *sc, size_t j, size_t yr)
{
    const tok_t *t = tk (sc, j);
    if (t->gap != 1)
        return 0;
    if (t->kind == T_SYM && sc->s[t->start] == '(') {
        /* "the 1986/87 (Oct-Sept) season": the months in brackets
           between the year and its period are the date's.  */
        size_t mr = tk (sc, j + 1)->gap == 0? month_range_at (sc, j + 1): 0;
        const tok_t *c = tk (sc, j + 1 + mr);
        size_t rest;
        if (mr > 0 && c->gap == 0 && c->kind == T_SYM && sc->s[c->start] == ')'
            && tk (sc, j + 2 + mr)->kind == T_WORD && (rest = year_tail_at (sc, j + 2 + mr, yr)) > 0)
            return 2 + mr + rest;
        return 0;
    }
    if (tok_is_quarter_ord (t)) {
        size_t k = 1;
        if (tk (sc, j + 1)->gap == 1 && tok_is_yearmod (sc, tk (sc, j + 1)))
            k++;                                /* "1987 first fiscal quarter" */
        if (tk (sc, j + k)->gap == 1 && tok_is_kw (tk (sc, j + k), K_QUARTER))
            return k + 1;
        return 0;
    }
    if (tok_is_yearmod (sc, t) && tk (sc, j + 1)->gap == 1 && tok_is_word (sc, tk (sc, j + 1), "year"))
        return 2;
    if ((tok_is_word (sc, t, "crop") || tok_is_word (sc, t, "full"))
        && tk (sc, j + 1)->gap == 1 && tok_is_word (sc, tk (sc, j + 1), "year"))
        return 2;                               /* "1986 crop year", "the 1986 full year" */
    if (tok_is_word (sc, t, "season") || (yr == 3 && tok_is_word (sc, t, "year")))
        return 1;
    return 0;
}

/*  Words before a number that count: "about 2000", "some 1990".  */
static const char *const count_words[] = {
    "about", "additional", "almost", "approximately", "employs", "least", "nearly",
    "only", "roughly", "some", "than", "total", NULL
};

/*  A word written Capitalised, a capital then a lower-case letter.  */
static bool
mixed_case_word (const scan_t *sc, const tok_t *t)
{
    return t->end - t->start > 1 && sc->s[t->start] >= 'A' && sc->s[t->start] <= 'Z'
           && sc->s[t->start + 1] >= 'a' && sc->s[t->start + 1] <= 'z';
}

/*  Does what is before i make a bare number there a year: anything but a
    word of counting, a title's word, a number or a symbol (below), or
    "in", "by", "the", "its", "his" (F_YEARCTX), or a possessive ("the
    director's 1946 film", as "its 1946 film")?  */
static bool
year_context (const scan_t *sc, size_t i)
{
    const tok_t *prev = i > 0? tk (sc, i - 1): &tok_end;
    /*  In wire copy a number of four digits without a comma is a year
        wherever it stands ("analysts' 1987 projected earnings", "low 1986
        crop prices", "though 1986 profits"), unless a word of counting
        is before it ("about 2000"), or a word of a title in mixed case
        ("Euro 2004", "LMA Manager 2005"), a number or a symbol other than
        a comma or an apostrophe ("analysts' 1987").  */
    if (tk (sc, i)->gap >= 1 && prev->kind != T_NUM
        && !(prev->kind == T_SYM && prev->cls != S_COMMA && prev->cls != S_APOS)
        && !(prev->kind == T_WORD && (tok_is_word_in (sc, prev, count_words)
                                      || mixed_case_word (sc, prev))))
        return true;
    if (prev->kind != T_WORD)
        return false;
    if (prev->flags & F_YEARCTX)
        return true;
    /* "no later than 1990", "sooner than 2006" ("more than 2000" is a
       count).  */
    if (i > 1 && prev->gap == 1 && tk (sc, i)->gap == 1 && tok_is_word (sc, prev, "than")) {
        const tok_t *c = tk (sc, i - 2);
        return tok_is_kw (c, K_EARLIER) || tok_is_word (sc, c, "sooner");
    }
    return i > 1 && prev->gap == 0 && prev->end - prev->start == 1
        && lower (sc->s[prev->start]) == 's' && tok_is_sym (tk (sc, i - 2), S_APOS);
}

/*  Is the token at i on a line of table headings that are years, ranges
    of years or dates in digits ("      1986/87      1985/86", "STORE
    PCT   1987   1986", "   02/28/87   01/31/87")?  Such a line is a label
    of words (or none), then two or more of those, apart, to its end; bare
    years distinct and at most ten apart (a row of amounts that look like
    years is not headings).  Each is a DATE as a month heading a column is
    (README.md's rules), where a year at the start of a line or after a
    number is not otherwise.  */
#define HEADING_MAX_TOKENS 48     /* a line of headings is short; bounds the scan */

static bool
year_heading_row (const scan_t *sc, size_t i)
{
    size_t j = i, start;
    while (j > 0 && tk (sc, j)->gap != 2 && i - j < HEADING_MAX_TOKENS)
        j--;
    if (tk (sc, j)->gap != 2)
        return false;
    start = j;
    while (j < i && tk (sc, j)->kind != T_NUM)
        j++;
    if (tk (sc, j)->kind != T_NUM || (j > 0 && tk (sc, j)->gap == 0))
        return false;
    int items = 0, last_year = -1;
    for (bool first = true; ; first = false) {
        const tok_t *t = tk (sc, j);
        if (t->kind == T_END || (!first && t->gap == 2))
            break;
        if (t->gap == 0 || j - start >= HEADING_MAX_TOKENS)
            return false;
        size_t n = year_range_at (sc, j);
        int y = tok_year (t);
        if (n == 1 && y >= 1900 && y <= 2099) {
            if (last_year >= 0 && (y == last_year || abs (y - last_year) > 10))
                return false;
            last_year = y;
        } else if (n != 3) {
            match_t m;
            match_clear (&m);
            match_slash_date (sc, j, &m);
            if (m.ntok == 0)
                return false;
            n = m.ntok;
        }
        items++;
        j += n;
    }
    return items >= 2;
}

/*  A bare year in date context, "in 2019", "a 2012 report", "by 2025";
    a decade, "1990s".  */
static void
match_year (const scan_t *sc, size_t i, match_t *m)
{
    m->ntok = 0;
    const tok_t *t = tk (sc, i);
    const tok_t *n1 = tk (sc, i + 1);
    if (t->kind == T_NUM && t->cls == SUF_S && t->plain && t->intdigits == 4
        && t->ival % 10 == 0 && t->ival >= 1000 && t->ival <= 2990) {
        m->ntok = 1;
        m->type = CLIP_NUMEX_DATE;
        m->phrase = true;
        return;
    }
    int y = tok_year (t);
    if (y >= 1000 && y < 1900) {
        /* An older year only as a date plainly is: "set up in 1337 by",
           "the 1701 Act of Settlement" (after "the", a name after it);
           "in 1500 stores" counts.  */
        const tok_t *p = i > 0? tk (sc, i - 1): &tok_end;
        static const char *const since[] = { "in", "since", "until", "from", NULL };
        bool in = tok_is_word_in (sc, p, since);
        bool named = tok_is_kw (p, K_THE) && n1->gap == 1 && n1->kind == T_WORD && n1->cap;
        if (t->gap != 1 || !(in || named)
            || (n1->gap == 1 && n1->kind == T_WORD && !n1->cap && !(n1->cls == K_PREP || n1->cls == K_AND))
            || (n1->gap == 0 && n1->kind != T_SYM) || (n1->gap == 0 && tok_is_sym (n1, S_HYPHEN)))
            return;
        m->ntok = 1;
        m->type = CLIP_NUMEX_DATE;
        iso_canon (m, y, 0, 0);
        return;
    }
    if (y < 1900 || y > 2099)
        return;
    /* "1986 fourth quarter", "1986/87 season", "in 1974-78": a range or a
       year with its period.  The period makes it a date by itself.  */
    size_t yr = year_range_at (sc, i);
    size_t tail = yr > 0? year_tail_at (sc, i + yr, yr): 0;
    if (tail > 0 && !(tk (sc, i + yr + tail)->gap == 0 && tk (sc, i + yr + tail)->kind == T_WORD)) {
        m->ntok = yr + tail;
        m->type = CLIP_NUMEX_DATE;
        m->phrase = true;
        return;
    }
    if (yr == 3) {
        if ((t->gap == 2 || !year_context (sc, i)) && !year_heading_row (sc, i))
            return;
        m->ntok = 3;
        m->type = CLIP_NUMEX_DATE;
        m->phrase = true;
        return;
    }
    if (n1->gap == 0 && (n1->kind != T_SYM || n1->cls == S_HYPHEN || n1->cls == S_PERCENT
                         || n1->cls == S_SLASH))
        return;
    if (n1->gap == 1 && (tok_is_kw (n1, K_SCALE) || tok_is_kw (n1, K_CUR) || tok_is_kw (n1, K_PERCENT)
                         || tok_is_word (sc, n1, "gmt") || tok_is_word (sc, n1, "bst")
                         || tok_is_word (sc, n1, "utc") || tok_is_word (sc, n1, "hours")
                         || tok_is_word (sc, n1, "hrs")))
        return;
    if ((t->gap == 2 || !year_context (sc, i)) && !year_heading_row (sc, i))
        return;
    m->ntok = 1;
    m->type = CLIP_NUMEX_DATE;
    iso_canon (m, y, 0, 0);
}

/*  j, or past the year after it ("March 1987"): the end of a month
    phrase that ends before j.  */
static size_t
with_year (const scan_t *sc, size_t j)
{
    return tk (sc, j)->gap == 1 && tok_year (tk (sc, j)) > 0 ? j + 1 : j;
}

/*  "of 2019", "of the year", "of last year" after a part of a year ("the
    first quarter of 2019", "the last three months of 2004"), and of a
    month: "of February", "of March 1987", "of the month", "of last
    month" ("the fourth week of February", "the last week of May").
    Returns the tokens used.  */
static size_t
of_year_tail (const scan_t *sc, size_t j)
{
    const tok_t *o = tk (sc, j);
    if (!(o->gap == 1 && tok_is_kw (o, K_OF)))
        return 0;
    const tok_t *x = tk (sc, j + 1);
    if (x->gap != 1)
        return 0;
    if (tok_year (x) > 0)
        return 2;
    int mo;
    bool abbr;
    size_t k = tok_month (sc, j + 1, &mo, &abbr);
    if (k > 0 && !abbr) {
        k += 1;
        if (tk (sc, j + k)->gap == 1 && tok_year (tk (sc, j + k)) > 0
            && !(tk (sc, j + k + 1)->gap == 0 && tk (sc, j + k + 1)->kind != T_SYM))
            k++;                                /* "of March 1987" */
        return k;
    }
    const tok_t *u = tk (sc, j + 2);
    if (u->gap == 1 && (tok_is_word (sc, u, "year") || tok_is_word (sc, u, "month"))
        && (tok_is_kw (x, K_THE) || tok_is_kw (x, K_REL)))
        return 3;
    return 0;
}

/*  A unit after "last", "this", "next": "year", "week", "season", "fiscal
    year", "business day", "quarter", a weekday, a month, a season of the
    year.  Returns the tokens used, 0 if none.  */
static size_t
rel_target (const scan_t *sc, size_t j)
{
    const tok_t *u = tk (sc, j);
    if (u->gap != 1 || u->kind != T_WORD)
        return 0;
    size_t k = unit_at (sc, j);
    if (k > 0 && tk (sc, j + k - 1)->val == 1)
        return k;
    if (tok_is_yearmod (sc, u) && tk (sc, j + 1)->gap == 1 && tok_is_kw (tk (sc, j + 1), K_QUARTER))
        return 2;                               /* "this fiscal quarter" */
    if (u->cls == K_QUARTER && (tok_is_word (sc, u, "quarter") || tok_is_word (sc, u, "qtr")))
        return 1;
    if (u->cls == K_SEASON)
        return 1;
    if ((u->cls == K_WEEKDAY || u->cls == K_MONTH) && u->cap && !(u->flags & F_ABBR))
        return 1;
    return 0;
}

static size_t period_end_tail (const scan_t *sc, size_t j);

/*  After "the same": a period and the date it is taken from, "period
    last year", "month a year ago", "quarter of 1985", "period of the
    previous year" (one DATE, as "the first quarter of 1986" is; the
    period alone, "the same time", is none).  Returns the tokens used.  */
static size_t
same_period_at (const scan_t *sc, size_t p)
{
    const tok_t *u = tk (sc, p), *x = tk (sc, p + 1);
    if (u->gap != 1 || u->kind != T_WORD || x->gap != 1 || x->kind != T_WORD)
        return 0;
    if (!(tok_is_word (sc, u, "period") || tok_is_word (sc, u, "month") || tok_is_word (sc, u, "quarter")
          || tok_is_word (sc, u, "week") || tok_is_word (sc, u, "time") || tok_is_word (sc, u, "day")
          || tok_is_word (sc, u, "half") || tok_is_word (sc, u, "season")
          /* "the comparable periods of 1991", "the same months last year" */
          || tok_is_word (sc, u, "periods") || tok_is_word (sc, u, "months")
          || tok_is_word (sc, u, "quarters") || tok_is_word (sc, u, "weeks")))
        return 0;
    size_t q = p + 1, r;
    if (tok_is_kw (x, K_REL) && (r = rel_target (sc, q + 1)) > 0)
        return 2 + r;                           /* "period last year" */
    if (tok_is_kw (x, K_A) || tok_is_kw (x, K_NUM) || x->kind == T_NUM) {
        size_t d = match_duration_at (sc, q);   /* "month a year ago" */
        if (d > 0 && (tok_is_kw (tk (sc, q + d - 1), K_AGO) || tok_is_kw (tk (sc, q + d - 1), K_EARLIER)))
            return 1 + d;
        return 0;
    }
    if (!(tok_is_kw (x, K_OF) || tok_is_word (sc, x, "in") || tok_is_word (sc, x, "for")))
        return 0;                               /* "the comparable period for 1985" too */
    const tok_t *y = tk (sc, q + 1);
    if (y->gap != 1)
        return 0;
    size_t yr = year_range_at (sc, q + 1);
    if (yr > 0)
        return 2 + yr;                          /* "period in 1985" */
    if (tok_is_kw (y, K_THE) && tk (sc, q + 2)->gap == 1
        && (tok_is_kw (tk (sc, q + 2), K_REL) || tok_is_kw (tk (sc, q + 2), K_FOLLOWING))
        && (r = rel_target (sc, q + 3)) > 0)
        return 4 + r;                           /* "period of the previous year" */
    return 0;
}

/*  A century at j: "20th century", "21st-century" (the ordinal in
    digits, 1st to 21st).  Returns the tokens used, 0 if none.  */
static size_t
century_at (const scan_t *sc, size_t j)
{
    const tok_t *t = tk (sc, j), *h = tk (sc, j + 1);
    if (!(t->kind == T_NUM && t->cls == SUF_ORD && t->ival >= 1 && t->ival <= 21))
        return 0;
    size_t k = 1;
    if (h->gap == 0 && tok_is_sym (h, S_HYPHEN))
        k = 2;
    else if (h->gap != 1)
        return 0;
    const tok_t *c = tk (sc, j + k);
    if (!((k == 1 || c->gap == 0) && tok_is_word (sc, c, "century")))
        return 0;
    const tok_t *n = tk (sc, j + k + 1);
    if (n->gap == 0 && n->kind == T_WORD)
        return 0;
    /*  "20th Century Fox", "21st Century Insurance": a name's words
        ("19th century Paraguay" is a date and a place).  */
    if (c->cap && n->gap == 1 && n->kind == T_WORD && n->cap)
        return 0;
    return k + 1;
}

/*  Does the century that ends before token n modify the noun at n ("the
    18th Century painting", "the 18th-century dramatist")?  Then an
    article before the century is the noun's, not the date's: the news
    labels write "18th Century" there, and "the 21st Century" where it
    stands alone ("the Walkman of the 21st Century and").  A word in
    lower case counts as that noun unless it is one of the words a
    clause goes on with.  */
static bool
century_modifies (const scan_t *sc, const tok_t *n)
{
    static const char *const go_on[] = {
        "a", "about", "after", "against", "all", "also", "an", "and", "are", "as", "at",
        "before", "began", "but", "by", "came", "did", "during", "ended", "for", "from",
        "had", "has", "have", "in", "into", "is", "it", "its", "many", "more", "most",
        "much", "nor", "of", "on", "onwards", "or", "over", "saw", "since", "so", "some",
        "than", "that", "the", "there", "these", "this", "those", "through", "to", "too",
        "under", "until", "up", "was", "were", "when", "where", "which", "while", "who",
        "will", "with", "would", NULL
    };
    return n->gap == 1 && n->kind == T_WORD && !n->cap && !tok_is_word_in (sc, n, go_on);
}

/*  "year end", "year-end", optionally with its year ("at year end
    1986"), at j, "year" being there; "month end", "month-end" (without a
    year) when month is set, "month" being there.  Returns the tokens
    used.  */
static size_t
year_end_at (const scan_t *sc, size_t j, bool month)
{
    const tok_t *h = tk (sc, j + 1), *w;
    size_t k;
    if (h->gap == 0 && tok_is_sym (h, S_HYPHEN) && tk (sc, j + 2)->gap == 0) {
        w = tk (sc, j + 2);
        k = 3;
    } else if (h->gap == 1) {
        w = h;
        k = 2;
    } else
        return 0;
    if (!tok_is_word (sc, w, "end"))
        return 0;
    const tok_t *a = tk (sc, j + k);
    if (a->gap == 0 && a->kind == T_WORD)
        return 0;
    if (a->gap == 1 && tok_is_kw (a, K_OF))
        return 0;                               /* "the year end of ...": not read */
    if (!month && a->gap == 1 && year_range_at (sc, j + k) > 0)
        k += year_range_at (sc, j + k);
    return k;
}

/*  A period named by a year-ago compound at j: "prior-year period",
    "year-ago quarter", "year-earlier month", "previous-year half".
    Returns the tokens used (4), 0 if none.  */
static size_t
year_ago_period_at (const scan_t *sc, size_t j)
{
    static const char *const ago[] = { "ago", "earlier", NULL };
    static const char *const prior[] = { "prior", "previous", NULL };
    static const char *const periods[] = {
        "period", "quarter", "qtr", "month", "half", "week", "season", NULL
    };
    const tok_t *a = tk (sc, j), *h = tk (sc, j + 1), *b = tk (sc, j + 2), *p = tk (sc, j + 3);
    bool year_first = tok_is_word (sc, a, "year");
    /* "the year ago period", "the year earlier quarter": wire copy
       drops the hyphen too.  */
    if (year_first && h->gap == 1 && tok_is_word_in (sc, h, ago) && b->gap == 1
        && tok_is_word_in (sc, b, periods))
        return 3;
    if (!(h->gap == 0 && tok_is_sym (h, S_HYPHEN) && b->gap == 0 && p->gap == 1))
        return 0;
    if (!((tok_is_word_in (sc, a, prior) && tok_is_word (sc, b, "year"))
          || (year_first && tok_is_word_in (sc, b, ago))))
        return 0;
    if (!(tok_is_word_in (sc, p, periods) || tok_is_word (sc, p, "year")))
        return 0;
    if (tk (sc, j + 4)->gap == 0 && tk (sc, j + 4)->kind != T_SYM)
        return 0;
    return 4;
}

/*  Relative and vague dates, all with the phrase lower-cased as their
    canonical value: "last year", "earlier this month", "late May", "the
    1990s", "the past five years", "recent months", "the end of March",
    "the first quarter of 2019", "today", "five years".  */
static size_t
match_relative_at (const scan_t *sc, size_t i)
{
    const tok_t *t = tk (sc, i);
    size_t j;
    kw_class_t cls = (kw_class_t) t->cls;
    if (t->kind == T_NUM && t->cls == SUF_ORD)
        cls = K_ORD;                            /* "4th quarter", "4TH QTR" */
    else if (t->kind == T_NUM || tok_is_kw (t, K_NUM) || tok_is_kw (t, K_TENS)
             || tok_is_kw (t, K_A) || tok_is_kw (t, K_FEW) || tok_is_kw (t, K_FURTHER))
        return match_duration_at (sc, i);
    else if (t->kind != T_WORD)
        return 0;
    switch (cls) {
        case K_DAYWORD:
            return 1;
        case K_REL: {
            /* "would last 90 days", "can last four years": the verb, not
               "last week"; the duration after it is found on its own.  */
            if (i > 0 && tok_is_word (sc, t, "last") && tk (sc, i)->gap == 1) {
                static const char *const modals[] = {
                    "will", "would", "could", "can", "might", "should", "must", "shall", "may",
                    "probably", "usually", "normally", "typically", "generally", NULL
                };
                const tok_t *p = tk (sc, i - 1);
                if (p->kind == T_WORD && !p->cap && tok_is_word_in (sc, p, modals))
                    return 0;
            }
            size_t r = rel_target (sc, i + 1), ya;
            if ((ya = year_ago_period_at (sc, i)) > 0)
                return ya;                      /* "prior-year period" */
            if (tok_is_word (sc, t, "latest")) {
                /* "the latest week", "latest quarter": not a month or a
                   weekday ("the latest January figures" is "January").  */
                const tok_t *u = tk (sc, i + 1);
                return r > 0 && (tok_is_kw (u, K_UNIT) || tok_is_kw (u, K_QUARTER) || tok_is_yearmod (sc, u))
                    ? 1 + r: 0;
            }
            /* "late seeding last fall": the American autumn, after "last",
               "this" or "next" not a determiner's ("their last fall").  */
            if (r == 0 && tk (sc, i + 1)->gap == 1 && tok_is_word (sc, tk (sc, i + 1), "fall")
                && !tok_is_word (sc, t, "latest")
                && !(i > 0 && (tok_is_kw (tk (sc, i - 1), K_THE) || tok_is_kw (tk (sc, i - 1), K_A)
                               || tok_is_word (sc, tk (sc, i - 1), "its")
                               || tok_is_word (sc, tk (sc, i - 1), "their")))
                && !(tk (sc, i + 2)->gap == 1 && tok_is_kw (tk (sc, i + 2), K_OF)))
                return 2;
            if (r > 0) {
                /* "last February 28": a month with its day.  */
                if (tk (sc, i + 1)->cls == K_MONTH && tk (sc, i + 2)->gap == 1
                    && tok_day (sc, i + 2) > 0)
                    return 3;
                return 1 + r;
            }
            /* "the past five years", "the last few months", "next 10 years".  */
            if (tok_is_word (sc, t, "this") || tok_is_word (sc, t, "current"))
                return 0;
            const tok_t *n1 = tk (sc, i + 1);
            if (n1->gap != 1)
                return 0;
            size_t d = match_duration_at (sc, i + 1);
            if (d > 0 && !tok_is_kw (tk (sc, i + d), K_AGO))
                return 1 + d;
            return 0;
        }
        case K_EARLIER:
            /* "earlier this month", "later this year", "earlier that
               week", "earlier today".  */
            if ((tok_is_kw (tk (sc, i + 1), K_REL) || tok_is_kw (tk (sc, i + 1), K_THAT))
                && tk (sc, i + 1)->gap == 1) {
                size_t r = rel_target (sc, i + 2);
                if (r > 0)
                    return 2 + r;
            }
            if (tk (sc, i + 1)->gap == 1 && tok_is_kw (tk (sc, i + 1), K_DAYWORD))
                return 2;
            /* "earlier in the week", "later in the year" (not "the day",
               a time of day).  */
            if (tk (sc, i + 1)->gap == 1 && tok_is_word (sc, tk (sc, i + 1), "in")
                && tk (sc, i + 2)->gap == 1 && tok_is_kw (tk (sc, i + 2), K_THE)) {
                const tok_t *u = tk (sc, i + 3);
                if (u->gap == 1 && (tok_is_kw (u, K_QUARTER)
                                    || (tok_is_kw (u, K_UNIT) && u->val == 1
                                        && !tok_is_word (sc, u, "day"))))
                    return 4;
            }
            return 0;
        case K_THAT: {
            /* "that month", "that year" (README.md's rules, as "this
               month"); not "that day", as "the day" is not, nor a month
               or weekday ("said that May would"), nor a compound ("so
               that year-round").  */
            const tok_t *u = tk (sc, i + 1), *a = tk (sc, i + 2);
            if (u->gap != 1 || (a->gap == 0 && a->kind != T_SYM) || (a->gap == 0 && tok_is_sym (a, S_HYPHEN)))
                return 0;
            if ((tok_is_kw (u, K_UNIT) && u->val == 1 && !tok_is_word (sc, u, "day"))
                || tok_is_word (sc, u, "quarter"))
                return 2;
            return 0;
        }
        case K_EVERY: {
            /* "every day", "each year" alone is how often, not when: the
               news labels leave it out (14 of the 15 the grammar found in
               the 30 labelled sets; workers/ner/README.md, thirteenth
               round).  Tied to a date it is one ("each year through
               1989", joined by the caller); "every country" is no date.  */
            const tok_t *u = tk (sc, i + 1), *v = tk (sc, i + 2);
            if (u->gap == 1 && tok_is_kw (u, K_UNIT) && u->val == 1 && v->gap == 1
                && (tok_is_word (sc, v, "through") || tok_is_word (sc, v, "until")
                    || tok_is_word (sc, v, "to")))
                return 2;
            return 0;
        }
        case K_RECENT: {
            const tok_t *u = tk (sc, i + 1);
            if (u->gap == 1 && tok_is_kw (u, K_UNIT) && u->val == 2 && !unit_is_season (sc, u))
                return 2;
            return 0;
        }
        case K_EDGE: {
            /* "late May", "early 2019", "mid-2019", "late last year", "the
               late 1990s" (via K_THE).  */
            j = i + 1;
            bool mid_space = false;
            if (tok_is_sym (tk (sc, j), S_HYPHEN) && tk (sc, j)->gap == 0)
                j++;
            else if (tk (sc, j)->gap != 1)
                return 0;
            else if (tok_is_word (sc, t, "mid"))
                mid_space = true;               /* "mid March", "mid 1987" only */
            const tok_t *u = tk (sc, j);
            if (u->gap == 2)
                return 0;
            int mo;
            bool abbr;
            size_t k;
            if ((k = tok_month (sc, j, &mo, &abbr)) > 0 && !abbr) {
                j = with_year (sc, j + k);
                return j - i;
            }
            if (tok_year (u) > 0 || (u->kind == T_NUM && u->cls == SUF_S && u->intdigits == 4))
                return j + 1 - i;
            if (mid_space)
                return 0;
            /*  "early today", "late yesterday", as "earlier today".  */
            if (j == i + 1 && tok_is_kw (u, K_DAYWORD) && !tok_is_word (sc, t, "mid"))
                return 2;
            size_t r;
            if (tok_is_kw (u, K_REL) && (r = rel_target (sc, j + 1)) > 0)
                return j + 1 + r - i;
            if (tok_is_kw (u, K_SEASON))
                return j + 1 - i;
            /* "mid-year", "mid-week".  */
            if (j == i + 2 && u->gap == 0 && tok_is_kw (u, K_UNIT) && u->val == 1)
                return j + 1 - i;
            return 0;
        }
        case K_UNIT: {
            /* "year-long", "month-long", "year-end", "month-end",
               "year-earlier" (OntoNotes DATE).  */
            const tok_t *h = tk (sc, i + 1), *w = tk (sc, i + 2);
            size_t ye;
            if (t->val == 1 && tok_is_word (sc, t, "year") && (ye = year_end_at (sc, i, false)) > 0)
                return ye;                      /* "year end", "year-end 1986" */
            if (t->val == 1 && tok_is_word (sc, t, "month") && (ye = year_end_at (sc, i, true)) > 0)
                return ye;                      /* "month end", "month-end" */
            if (t->val != 1 || !(h->gap == 0 && tok_is_sym (h, S_HYPHEN) && w->gap == 0))
                return 0;
            if (tok_is_word (sc, w, "long")
                || (tok_is_word (sc, t, "year") && (tok_is_word (sc, w, "earlier")
                                                    || tok_is_word (sc, w, "ago"))))
                return 3;
            return 0;
        }
        case K_SEASON: {
            /* "summer 2019", "spring of 2019".  */
            j = i + 1;
            if (tok_is_kw (tk (sc, j), K_OF) && tk (sc, j)->gap == 1)
                j++;
            if (tk (sc, j)->gap == 1 && tok_year (tk (sc, j)) > 0)
                return j + 1 - i;
            /* "emerged from winter", "prices fall in winter.": a season
               without its article after a preposition, closing its clause
               ("in winter wheat areas" is the wheat's).  */
            static const char *const before[] = {
                "in", "from", "during", "until", "since", "through", "by", NULL
            };
            if (i > 0 && t->gap == 1 && !t->cap && tok_is_word_in (sc, tk (sc, i - 1), before)
                && closes_clause (tk (sc, i + 1)))
                return 1;
            return 0;
        }
        case K_ORD:
        case K_THE: {
            j = i;
            size_t cy;
            if (cls == K_ORD && (cy = century_at (sc, i)) > 0)
                return cy;                      /* "20th century", "21st-century" */
            if (cls == K_THE) {
                j++;
                const tok_t *u = tk (sc, j);
                if (u->gap != 1)
                    return 0;
                /* "the 1990s", "the late 1990s", "the mid-1980s".  */
                if (tok_is_kw (u, K_EDGE) && tk (sc, j + 1)->gap == 1)
                    u = tk (sc, ++j);
                else if (tok_is_kw (u, K_EDGE) && tok_is_sym (tk (sc, j + 1), S_HYPHEN)
                         && tk (sc, j + 1)->gap == 0 && tk (sc, j + 2)->gap == 0
                         && tk (sc, j + 2)->kind == T_NUM && tk (sc, j + 2)->cls == SUF_S)
                    u = tk (sc, j += 2);
                if (u->kind == T_NUM && u->cls == SUF_S && u->intdigits == 4 && u->plain
                    && u->ival % 10 == 0)
                    return j + 1 - i;
                /* "the 90s", "the mid-80s": a decade in two digits, not a
                   level ("rise to the mid 20s" dollars a barrel).  */
                static const char *const levels[] = {
                    "to", "from", "at", "above", "below", "around", "into", "over", "under", NULL
                };
                if (u->kind == T_NUM && u->cls == SUF_S && u->intdigits == 2 && u->plain
                    && u->ival % 10 == 0 && !(j == i + 2 && tk (sc, i + 2)->gap != 0)
                    && !(i > 0 && tok_is_word_in (sc, tk (sc, i - 1), levels)))
                    return j + 1 - i;
                /* "the 20th century", "the late 19th century"; not "the
                   18th Century painting", whose century the scan finds
                   alone at its ordinal.  */
                if ((cy = century_at (sc, j)) > 0)
                    return century_modifies (sc, tk (sc, j + cy)) ? 0 : j + cy - i;
                if (j == i + 1) {
                    /* "the turn of the century"; "the weekend" (a
                       weekend the story means, OntoNotes DATE: unlike
                       "the week", README.md's rules).  */
                    if (tok_is_word (sc, u, "weekend"))
                        return 2;
                    /* "in the summer", "the Spring 1987": a season of the
                       year with its article, when it is no modifier of a
                       noun ("the winter wheat", "the autumn World Cup").  */
                    if (tok_is_kw (u, K_SEASON)) {
                        const tok_t *a = tk (sc, j + 1);
                        if (a->gap == 1 && tok_year (a) > 0)
                            return 3;
                        if (a->gap == 1 && tok_is_kw (a, K_OF) && tk (sc, j + 2)->gap == 1
                            && tok_year (tk (sc, j + 2)) > 0)
                            return 4;           /* "the summer of 2019", as "the first half of 2019" */
                        if (a->kind != T_WORD || a->gap == 2
                            || (a->gap == 1 && !a->cap
                                && (a->cls == K_PREP || a->cls == K_AND || a->cls == K_OF
                                    || tok_is_word (sc, a, "but") || tok_is_word (sc, a, "only")
                                    || tok_is_word (sc, a, "when"))))
                            return 2;
                        return 0;
                    }
                    size_t sp;
                    bool same = tok_is_word (sc, u, "same") || tok_is_word (sc, u, "corresponding")
                        || tok_is_word (sc, u, "comparable");
                    if (same && (sp = same_period_at (sc, j + 1)) > 0)
                        return 2 + sp;          /* "the same month last year" */
                    /* "the corresponding prior-year period", "the year-ago
                       quarter": the compound names the date.  */
                    if (same && tk (sc, j + 1)->gap == 1 && (sp = year_ago_period_at (sc, j + 1)) > 0)
                        return 2 + sp;
                    if ((sp = year_ago_period_at (sc, j)) > 0)
                        return 1 + sp;
                    /* "from 64.2 mln dlrs in the year earlier.": "the year
                       earlier" closing its clause, as "a year earlier".  */
                    if (j == i + 1 && tok_is_word (sc, u, "year") && tk (sc, j + 1)->gap == 1
                        && tok_is_word (sc, tk (sc, j + 1), "earlier")
                        && (tk (sc, j + 2)->kind == T_END || tk (sc, j + 2)->gap == 2
                            || (tk (sc, j + 2)->kind == T_SYM && tk (sc, j + 2)->gap == 0)))
                        return 3;
                    /* "the whole of 1991", "the whole of March", "the
                       whole of last year": all of a date is that date,
                       the phrase one DATE as "the end of March" is.  */
                    if (tok_is_word (sc, u, "whole") && (sp = of_year_tail (sc, j + 1)) > 0)
                        return 2 + sp;
                    /* "the new season", "the festive season": the season
                       the story means (a sport's, Christmas's), as "this
                       season" is.  */
                    if ((tok_is_word (sc, u, "new") || tok_is_word (sc, u, "festive"))
                        && tk (sc, j + 1)->gap == 1 && tok_is_word (sc, tk (sc, j + 1), "season"))
                        return 3;
                    /* "the full year 1986", as "the year 1986" with all of
                       it.  */
                    if (tok_is_word (sc, u, "full") && tk (sc, j + 1)->gap == 1
                        && tok_is_word (sc, tk (sc, j + 1), "year") && tk (sc, j + 2)->gap == 1
                        && (sp = year_range_at (sc, j + 2)) > 0)
                        return 3 + sp;
                    /* "the December quarter", "the September year" (a
                       year ended September), "the January 31 second
                       quarter": a month naming a period's end.  */
                    int mo2;
                    bool ab2;
                    const tok_t *sl = tk (sc, j + 1), *q2 = tk (sc, j + 3);
                    if (tok_is_kw (u, K_MONTH) && u->cap && sl->gap == 0
                        && (tok_is_sym (sl, S_SLASH) || tok_is_sym (sl, S_HYPHEN)) && tk (sc, j + 2)->gap == 0
                        && tok_is_kw (tk (sc, j + 2), K_MONTH) && tk (sc, j + 2)->cap
                        && tok_month (sc, j + 2, &mo2, &ab2) == 1 && !ab2 && !(u->flags & F_ABBR)
                        && q2->gap == 1 && tok_is_kw (q2, K_QUARTER) && !tok_is_word (sc, q2, "half"))
                        return 5;               /* "the October/December quarter" */
                    /* "the Oct-Sept year", "the July-June season": a
                       year named by its months, as "the September year"
                       is by the month that ends it.  */
                    size_t mr = month_range_at (sc, j);
                    const tok_t *yw = tk (sc, j + mr), *ya = tk (sc, j + mr + 1);
                    if (mr == 3 && yw->gap == 1
                        && (tok_is_word (sc, yw, "year") || tok_is_word (sc, yw, "season")
                            || tok_is_word (sc, yw, "quarter"))
                        && !(ya->gap == 0 && (ya->kind != T_SYM || tok_is_sym (ya, S_HYPHEN)))
                        && !(ya->gap == 1 && tok_is_word (sc, ya, "on")))
                        return 2 + mr;
                    if (tok_is_kw (u, K_MONTH) && u->cap) {
                        match_t mm;
                        match_clear (&mm);
                        match_month_first (sc, j, &mm);
                        if (mm.ntok > 0) {
                            const tok_t *w = tk (sc, j + mm.ntok);
                            const tok_t *w2 = tk (sc, j + 2);
                            if (mm.ntok == 1 && w->gap == 1
                                && (tok_is_word (sc, w, "year") || tok_is_word (sc, w, "half"))
                                && !(w2->gap == 0 && (w2->kind != T_SYM || tok_is_sym (w2, S_HYPHEN)))
                                && !(w2->gap == 1 && tok_is_word (sc, w2, "on")))
                                return 3;       /* not "the February year on year fall" */
                            const tok_t *lq = tk (sc, j + mm.ntok - 1);
                            /* "the December quarter", "the March and June quarters" */
                            if (lq->kind == T_WORD
                                && (tok_is_kw (lq, K_QUARTER) || tok_is_quarters (sc, lq)))
                                return 1 + mm.ntok;
                            if (tok_is_quarter_ord (w) && (sp = year_tail_at (sc, j + mm.ntok, 1)) > 0
                                && tok_is_kw (tk (sc, j + mm.ntok + sp - 1), K_QUARTER))
                                return 1 + mm.ntok + sp;
                        }
                    }
                    if (tok_is_word (sc, u, "turn") && tk (sc, j + 1)->gap == 1
                        && tok_is_kw (tk (sc, j + 1), K_OF) && tk (sc, j + 2)->gap == 1
                        && tok_is_kw (tk (sc, j + 2), K_THE) && tk (sc, j + 3)->gap == 1) {
                        if (tok_is_word (sc, tk (sc, j + 3), "century"))
                            return 5;
                        /* "the turn of the 19th Century" */
                        if ((cy = century_at (sc, j + 3)) > 0)
                            return 4 + cy;
                    }
                    /* "before the month-end.", "at the year-end, it
                       said": closing its clause the phrase is the date
                       the story means and keeps its article, as "For
                       the six months," does; "the year-end accounts"
                       leaves it out.  */
                    if (tok_is_kw (u, K_UNIT) && u->val == 1
                        && (tok_is_word (sc, u, "year") || tok_is_word (sc, u, "month"))
                        && (sp = year_end_at (sc, j, tok_is_word (sc, u, "month"))) > 0
                        && closes_clause (tk (sc, j + sp)))
                        return 1 + sp;
                    /* "the year before." (a clause ends after it).  */
                    if (tok_is_kw (u, K_UNIT) && u->val == 1 && tk (sc, j + 1)->gap == 1
                        && tok_is_word (sc, tk (sc, j + 1), "before") && closes_clause (tk (sc, j + 2)))
                        return 3;
                }
                /* "the 1986 fourth quarter", "the 1986/87 season": the
                   article is the date's when the year has its period
                   ("the 2019 edition" is "2019").  */
                size_t yr = j == i + 1? year_range_at (sc, j): 0, yt;
                if (yr > 0 && (yt = year_tail_at (sc, j + yr, yr)) > 0)
                    return j + yr + yt - i;
                /* "the three months to September": with the end of its
                   period, the article is the date's (match_date adds the
                   end); "the three months" alone leaves it out.  */
                if ((u->kind == T_NUM && u->cls == SUF_NONE) || tok_is_kw (u, K_NUM)
                    || tok_is_kw (u, K_TENS)) {
                    size_t d = match_duration_at (sc, j);
                    if (d > 0 && tok_is_kw (tk (sc, j + d - 1), K_UNIT)
                        && period_end_tail (sc, j + d) > 0)
                        return j + d - i;
                    /* "For the six months, orders rose": the period the
                       story means, closing its clause, keeps its article
                       (README.md's rules: the determiner inside); "the
                       four years after it closed" leaves it out.  */
                    if (j == i + 1 && d > 0 && tok_is_kw (tk (sc, j + d - 1), K_UNIT)
                        && tk (sc, j + d - 1)->gap == 1 && closes_clause (tk (sc, j + d)))
                        return j + d - i;
                }
                /* "the following year", "the preceding three months".  */
                if (tok_is_kw (u, K_FOLLOWING)) {
                    size_t r = rel_target (sc, j + 1);
                    if (r == 0 && tk (sc, j + 1)->gap == 1)
                        r = match_duration_at (sc, j + 1);
                    return r > 0? j + 1 + r - i: 0;
                }
                if (tok_is_kw (tk (sc, j), K_REL) && !tok_is_word (sc, tk (sc, j), "this")) {
                    size_t r = match_relative_at (sc, j);
                    if (r > 0)
                        return j - i + r;
                    /* "the past year", "the coming months".  */
                    const tok_t *w = tk (sc, j + 1);
                    if (w->gap == 1 && tok_is_kw (w, K_UNIT)
                        && !(w->val == 2 && unit_is_season (sc, w)))
                        return j + 2 - i;
                    return 0;
                }
                if (tok_is_kw (u, K_ENDW)) {
                    /* "the end of March", "the end of the year", "the start of 2019",
                       "the remainder of 1986/87", "the rest of the year".  */
                    const tok_t *o = tk (sc, j + 1);
                    if (!(o->gap == 1 && tok_is_kw (o, K_OF)))
                        return 0;
                    size_t q = j + 2;
                    const tok_t *x = tk (sc, q);
                    if (x->gap != 1)
                        return 0;
                    int mo;
                    bool abbr;
                    size_t k;
                    if ((k = tok_month (sc, q, &mo, &abbr)) > 0 && !abbr) {
                        q += k;
                        if (tk (sc, q)->gap == 1 && tok_year (tk (sc, q)) > 0)
                            q++;
                        return q - i;
                    }
                    size_t ny = year_range_at (sc, q);
                    if (ny > 0)
                        return q + ny - i;
                    if (tok_is_kw (x, K_THE) && tk (sc, q + 1)->gap == 1
                        && tok_is_kw (tk (sc, q + 1), K_UNIT) && tk (sc, q + 1)->val == 1)
                        return q + 2 - i;
                    /*  "the start of the current coffee year".  */
                    size_t r2;
                    if (tok_is_kw (x, K_THE) && tk (sc, q + 1)->gap == 1
                        && tok_is_kw (tk (sc, q + 1), K_REL) && (r2 = rel_target (sc, q + 2)) > 0)
                        return q + 2 + r2 - i;
                    /*  "the end of the crop year", "the start of the fiscal year".  */
                    if (tok_is_kw (x, K_THE) && tk (sc, q + 1)->gap == 1
                        && tok_is_yearmod (sc, tk (sc, q + 1)) && tk (sc, q + 2)->gap == 1
                        && tok_is_word (sc, tk (sc, q + 2), "year"))
                        return q + 3 - i;
                    size_t r;
                    if (tok_is_kw (x, K_REL) && (r = rel_target (sc, q + 1)) > 0)
                        return q + 1 + r - i;
                    return 0;
                }
                if (!tok_is_quarter_ord (u))
                    return 0;
            }
            /* "the first quarter of 2019", "the second half".  */
            if (!tok_is_quarter_ord (tk (sc, j)))
                return 0;
            const tok_t *q = tk (sc, j + 1);
            if (cls == K_THE && q->gap == 1) {
                /* "the first two quarters", "the third and fourth
                   quarters of 1987": quarters counted or joined, as
                   one quarter is.  */
                const tok_t *q2 = tk (sc, j + 2), *q3 = tk (sc, j + 3);
                size_t n = 0;
                if (tok_is_kw (q, K_NUM) && q->val >= 2 && q->val <= 4 && q2->gap == 1
                    && (tok_is_word (sc, q2, "quarters") || tok_is_word (sc, q2, "qtrs")))
                    n = 2;
                else if ((tok_is_word (sc, q, "and") || tok_is_word (sc, q, "to")) && q2->gap == 1
                         && tok_is_quarter_ord (q2) && q3->gap == 1
                         && (tok_is_word (sc, q3, "quarters") || tok_is_word (sc, q3, "qtrs")))
                    n = 3;
                if (n > 0) {
                    j += 1 + n;
                    return j + of_year_tail (sc, j) - i;
                }
            }
            if (q->gap == 1 && cls == K_THE && tk (sc, j)->kind == T_WORD
                && !tok_is_kw (q, K_QUARTER) && !tok_is_yearmod (sc, q)) {
                /* "the first nine months of 1986", "the last two years":
                   the part of a period that the determiner and ordinal
                   pick out is one DATE (OntoNotes).  */
                size_t d = match_duration_at (sc, j + 1);
                /* "the fourth week of February", "the first day of
                   March 1987", "the third week." (closing its clause):
                   the ordinal picks out one week, month or day, where
                   "the week" alone is none (README.md's rules); "the
                   first day of trading" is no date.  */
                if (d == 0 && tok_is_kw (q, K_UNIT) && q->val == 1
                    && (tok_is_word (sc, q, "week") || tok_is_word (sc, q, "month")
                        || tok_is_word (sc, q, "day"))) {
                    size_t of = of_year_tail (sc, j + 2);
                    if (of > 0)
                        return j + 2 + of - i;
                    return closes_clause (tk (sc, j + 2))? j + 2 - i: 0;
                }
                if (d == 0 || tok_is_kw (tk (sc, j + d), K_AGO) || tok_is_kw (tk (sc, j + d), K_EARLIER))
                    return 0;
                j += 1 + d;
                return j + of_year_tail (sc, j) - i;
            }
            size_t qn;
            if (q->gap == 0 && tok_is_sym (q, S_HYPHEN) && tk (sc, j + 2)->gap == 0
                && tok_is_kw (tk (sc, j + 2), K_QUARTER)) {
                q = tk (sc, j + 2);             /* "fourth-quarter" */
                qn = 2;
            } else if (q->gap == 1 && tok_is_yearmod (sc, q) && tk (sc, j + 2)->gap == 1
                       && tok_is_kw (tk (sc, j + 2), K_QUARTER)) {
                q = tk (sc, j + 2);             /* "the first fiscal quarter" */
                qn = 2;
            } else if (q->gap == 1 && tok_is_kw (q, K_QUARTER))
                qn = 1;
            else
                return 0;
            j += 1 + qn;
            size_t tail = of_year_tail (sc, j);
            if (tail == 0 && tk (sc, j)->gap == 1 && year_range_at (sc, j) > 0)
                tail = year_range_at (sc, j);   /* "fourth quarter 1986" */
            if (tail == 0)
                tail = period_end_tail (sc, j); /* "the first half to June" */
            /* "the first half" alone is as often a match's as a year's
               (README.md's rules): a DATE only with its year.  "first
               quarter" is a date (a fiscal quarter) with or without the
               article: "a second quarter charge".  */
            if (tail == 0 && tok_is_word (sc, q, "half"))
                return 0;
            return j + tail - i;
        }
        case K_PREP: {
            /* "fiscal 1988", "fiscal 1986/87", "fiscal 1987 first
               quarter", "fiscal year 1988", "calendar 1986": the word is
               part of the date.  */
            if (!tok_is_word (sc, t, "fiscal") && !tok_is_word (sc, t, "calendar"))
                return 0;
            j = i + 1;
            if (tk (sc, j)->gap == 1 && tok_is_word (sc, tk (sc, j), "year"))
                j++;
            size_t yr;
            if (tk (sc, j)->gap == 1 && (yr = year_range_at (sc, j)) > 0) {
                size_t y1 = j;
                j += yr;
                size_t yt = year_tail_at (sc, j, yr);
                if (yt > 0)
                    return j + yt - i;
                /* "fiscal 1987 and 1988", "fiscal 1988 or 1989": two
                   years sharing "fiscal" are one DATE, as two months
                   sharing their year are; the second later and near, and
                   no amount ("fiscal 1987 and 2000 tonnes" has none).  */
                const tok_t *c = tk (sc, j), *y2 = tk (sc, j + 1), *a = tk (sc, j + 2);
                int v1 = tok_year (tk (sc, y1)), v2 = tok_year (y2);
                if (yr == 1 && c->gap == 1 && (tok_is_word (sc, c, "and") || tok_is_word (sc, c, "or"))
                    && y2->gap == 1 && v2 > v1 && v2 - v1 <= 10 && year_range_at (sc, j + 1) == 1
                    && !(a->gap == 1 && (tok_is_kw (a, K_SCALE) || tok_is_kw (a, K_CUR)
                                         || tok_is_kw (a, K_PERCENT) || tok_is_kw (a, K_UNIT))))
                    return j + 2 - i;
                return j - i;
            }
            /* "fiscal year ended March 31, 1985": a fiscal year by its
               end or start, as "the year ended" is.  */
            size_t pe = j > i + 1? period_end_tail (sc, j): 0;
            return pe > 0? j + pe - i: 0;
        }
        case K_ENDW: {
            /* "end of March", "end-2019" without the article.  */
            const tok_t *o = tk (sc, i + 1);
            if (o->gap == 0 && tok_is_sym (o, S_HYPHEN) && tk (sc, i + 2)->gap == 0) {
                /* Wire copy: "end-March", "end-June 1987", "end-1986",
                   "end-year".  */
                const tok_t *x = tk (sc, i + 2);
                int mo;
                bool abbr;
                size_t k;
                if ((k = tok_month (sc, i + 2, &mo, &abbr)) > 0) {
                    j = with_year (sc, i + 2 + k);
                    return j - i;
                }
                if (tok_year (x) > 0 && !(tk (sc, i + 3)->gap == 0 && tk (sc, i + 3)->kind != T_SYM))
                    return 3;
                if (tok_is_kw (x, K_UNIT) && x->val == 1 && !unit_is_season (sc, x))
                    return 3;
                return 0;
            }
            if (o->gap == 1 && tok_is_word (sc, tk (sc, i), "end")) {
                /* Wire copy without the hyphen: "at end December", "at
                   end 1986".  */
                int mo;
                bool abbr;
                size_t k = tok_month (sc, i + 1, &mo, &abbr);
                if (k > 0 && !abbr) {
                    j = with_year (sc, i + 1 + k);
                    return j - i;
                }
                if (tok_year (o) > 0 && !(tk (sc, i + 2)->gap == 0 && tk (sc, i + 2)->kind != T_SYM))
                    return 2;
            }
            if (!(o->gap == 1 && tok_is_kw (o, K_OF)))
                return 0;
            int mo;
            bool abbr;
            size_t k;
            if (tk (sc, i + 2)->gap == 1 && (k = tok_month (sc, i + 2, &mo, &abbr)) > 0 && !abbr) {
                j = with_year (sc, i + 2 + k);
                return j - i;
            }
            if (tk (sc, i + 2)->gap == 1 && tok_year (tk (sc, i + 2)) > 0)
                return 3;
            return 0;
        }
        default:
            return 0;
    }
}

/*  The end of a period, after "to", "ended" or "ending": a month with or
    without its day and year ("the three months to September", "the year
    ended March 31, 1987"), a day first ("to 30 June"), "end-March", a
    year ("the two years to 1990").  Returns the tokens used, 0 if none.  */
static size_t
period_end_tail (const scan_t *sc, size_t j)
{
    const tok_t *w = tk (sc, j), *d = tk (sc, j + 1);
    if (w->gap != 1 || d->gap != 1 || w->kind != T_WORD)
        return 0;
    /* Or its start: "the week starting (from) March 2", "the year
       beginning July 1".  */
    bool start = tok_is_word (sc, w, "starting") || tok_is_word (sc, w, "beginning")
        || tok_is_word (sc, w, "commencing");
    if (!(start || tok_is_word (sc, w, "to") || tok_is_word (sc, w, "ended")
          || tok_is_word (sc, w, "ending")))
        return 0;
    size_t x = j + 1;
    if (start && (tok_is_word (sc, d, "from") || tok_is_word (sc, d, "on")) && tk (sc, x + 1)->gap == 1)
        d = tk (sc, ++x);
    match_t m;
    match_clear (&m);
    match_month_first (sc, x, &m);
    if (m.ntok == 0)
        match_day_first (sc, x, &m);
    if (m.ntok > 0)
        return x - j + m.ntok;
    if (tok_is_kw (d, K_ENDW) && tok_is_sym (tk (sc, x + 1), S_HYPHEN)) {
        size_t r = match_relative_at (sc, x);
        return r > 0? x - j + r: 0;
    }
    size_t yr = year_range_at (sc, x);
    return yr > 0? x - j + yr: 0;
}

/*  A fraction of a year at i: "two-thirds of 1986/87 year", "half of
    the 1988/89 season", "a third of 1987", "half of last year".  The
    part of a period is one DATE, as "the first half of 1987" and "the
    whole of 1991" are.  The fraction is "half", or a number or "a" before
    "third(s)", "quarter(s)" or "fifth(s)" ("two-thirds", "a quarter");
    after "of" a year or a range of them with its period ("1986/87 year";
    with "the" only so: "half of the 1988 crop" is none), a bare year
    before no noun ("half of 1987 sales" is "1987"), or what of_year_tail
    takes ("of the year", "of last year", "of March").  Returns the tokens
    used, 0 if none.  */
static size_t
fraction_of_period_at (const scan_t *sc, size_t i)
{
    const tok_t *t = tk (sc, i);
    size_t j = i + 1;
    if (tok_is_word (sc, t, "half"))
        ;
    else if (tok_is_kw (t, K_NUM) || (tok_is_kw (t, K_A) && t->end - t->start == 1)) {
        const tok_t *h = tk (sc, j);
        if (h->gap == 0 && tok_is_sym (h, S_HYPHEN) && tok_is_kw (t, K_NUM))
            j++;
        const tok_t *f = tk (sc, j);
        if (f->gap != (j == i + 1? 1: 0)
            || !(tok_is_word (sc, f, "third") || tok_is_word (sc, f, "thirds")
                 || tok_is_word (sc, f, "quarter") || tok_is_word (sc, f, "quarters")
                 || tok_is_word (sc, f, "fifth") || tok_is_word (sc, f, "fifths")))
            return 0;
        j++;
    } else
        return 0;
    const tok_t *o = tk (sc, j);
    if (!(o->gap == 1 && tok_is_kw (o, K_OF)))
        return 0;
    size_t y = j + 1;
    bool the = tok_is_kw (tk (sc, y), K_THE) && tk (sc, y)->gap == 1;
    if (the)
        y++;
    size_t yr = tk (sc, y)->gap == 1? year_range_at (sc, y): 0, e;
    if (yr > 0) {
        size_t yt = year_tail_at (sc, y + yr, yr);
        if (yt > 0 && !(tk (sc, y + yr + yt)->gap == 0 && tk (sc, y + yr + yt)->kind == T_WORD)
            && !(tk (sc, y + yr + yt)->gap == 0 && tok_is_sym (tk (sc, y + yr + yt), S_APOS)))
            return y + yr + yt - i;
        if (the)
            return 0;
        e = y + yr;
    } else {
        size_t of = of_year_tail (sc, j);
        if (of == 0)
            return 0;
        e = j + of;
    }
    /* The date names no noun's time ("half of 1987 sales", "half of
       January's increase": the part is of the noun's).  */
    const tok_t *a = tk (sc, e);
    if ((a->gap == 0 && tok_is_sym (a, S_APOS))
        || (a->gap == 1 && a->kind == T_WORD
            && !(a->cls == K_PREP || a->cls == K_AND || a->cls == K_OF
                 || tok_is_function_word (sc, a))))
        return 0;
    return e - i;
}

/*  Is the token a period that "to" / "ended" may close: a unit or a
    quarter ("the three months", "the year", "the fourth quarter")?  */
static bool
tok_is_period (const tok_t *t)
{
    return tok_is_kw (t, K_UNIT) || tok_is_kw (t, K_QUARTER);
}

/*  The word classes (kw_class_t) that may start a DATE: the first token
    each date matcher accepts.  match_iso and match_year start with digits,
    match_day_first with digits or "the", match_month_first with a month,
    match_weekday with a weekday, match_relative_at with digits or one of
    the classes its switch or match_duration_at handles ("fiscal" and
    "calendar" are K_PREP), the bare unit of match_date with "the" or a
    unit.  Most keywords that pass may_start ("in", "of", "and", "to")
    start none, and trying all seven matchers on each was most of the
    scan's cost.  */
#define KW_BIT(c) (UINT64_C (1) << (c))
static const uint64_t date_start_classes =
    KW_BIT (K_THE) | KW_BIT (K_MONTH) | KW_BIT (K_WEEKDAY) | KW_BIT (K_NUM) | KW_BIT (K_TENS)
    | KW_BIT (K_A) | KW_BIT (K_FEW) | KW_BIT (K_FURTHER) | KW_BIT (K_DAYWORD) | KW_BIT (K_REL)
    | KW_BIT (K_EARLIER) | KW_BIT (K_THAT) | KW_BIT (K_EVERY) | KW_BIT (K_RECENT)
    | KW_BIT (K_EDGE) | KW_BIT (K_UNIT) | KW_BIT (K_SEASON) | KW_BIT (K_ORD) | KW_BIT (K_PREP)
    | KW_BIT (K_ENDW) | KW_BIT (K_QUARTER);

static void
match_date (const scan_t *sc, size_t i, match_t *best)
{
    match_t m;
    best->ntok = 0;
    const tok_t *t = tk (sc, i);
    bool digits = t->kind == T_NUM;
    if (!digits && !(t->kind == T_WORD && (date_start_classes >> t->cls & 1)))
        return;
    /*  Only the matchers whose first token this can be (the list above):
        a tie keeps the earlier one, and one skipped finds nothing.  A year
        (match_iso, match_year) has four digits, a day (match_day_first)
        at most two.  */
    void (*fixed[5]) (const scan_t *, size_t, match_t *);
    size_t nfixed = 0;
    if (digits) {
        if (t->intdigits == 4)
            fixed[nfixed++] = match_iso;
        else if (t->intdigits <= 2) {
            fixed[nfixed++] = match_day_first;
            fixed[nfixed++] = match_slash_date;
        }
        if (t->intdigits == 4)
            fixed[nfixed++] = match_year;
    } else if (t->cls == K_MONTH)
        fixed[nfixed++] = match_month_first;
    else if (t->cls == K_THE)
        fixed[nfixed++] = match_day_first;
    else if (t->cls == K_WEEKDAY)
        fixed[nfixed++] = match_weekday;
    for (size_t k = 0; k < nfixed; k++) {
        match_clear (&m);
        fixed[k] (sc, i, &m);
        if (m.ntok > best->ntok)
            *best = m;
    }
    /*  Digits start a relative date as an ordinal ("4th quarter") or a
        duration (match_duration_at), whose unit or range is a word or a
        hyphen right after them ("20 years", "10-year", "60-90 days").  */
    const tok_t *n1 = tk (sc, i + 1);
    size_t r = 0;
    if (!digits || t->cls == SUF_ORD || (n1->gap == 0 && tok_is_sym (n1, S_HYPHEN))
        || (n1->gap == 1 && n1->kind == T_WORD))
        r = match_relative_at (sc, i);
    if (r == 0 && (tok_is_kw (t, K_THE) || tok_is_kw (t, K_UNIT))) {
        /* "the year ended March 31", "the quarter to June", "year ended
           Dec 31": a bare unit is a date with the end of its period.  */
        size_t j = i + (t->cls == K_THE);
        if (j > i && tk (sc, j)->gap == 1 && tok_is_yearmod (sc, tk (sc, j)))
            j++;
        const tok_t *u = tk (sc, j);
        if ((j == i || u->gap == 1) && tok_is_period (u) && u->val != 2
            && period_end_tail (sc, j + 1) > 0)
            r = j + 1 - i;
    }
    if (r > 0) {
        size_t of = of_year_tail (sc, i + r);
        r += of;
        /* "the three months to September", "the nine months ended
           September 30": the end of the period is part of the DATE, as
           "of 1986" is (README.md's rules).  */
        if (of == 0 && tok_is_period (tk (sc, i + r - 1)))
            r += period_end_tail (sc, i + r);
    }
    /* "two-thirds of 1986/87 year", "half of last year".  */
    if (tok_is_kw (t, K_NUM) || tok_is_kw (t, K_A) || tok_is_kw (t, K_QUARTER)) {
        size_t fp = fraction_of_period_at (sc, i);
        if (fp > r)
            r = fp;
    }
    if (r > best->ntok) {
        best->ntok = r;
        best->type = CLIP_NUMEX_DATE;
        best->phrase = true;
    }
}

/* ------------------------------------------------------------------ pence */

/*  "a share" or "per share" at j, after an amount.  */
static bool
per_share_at (const scan_t *sc, size_t j)
{
    const tok_t *a = tk (sc, j), *w = tk (sc, j + 1);
    return a->gap == 1 && w->gap == 1 && tok_is_word (sc, w, "share")
        && ((tok_is_kw (a, K_A) && a->end - a->start == 1) || tok_is_kw (a, K_PER));
}

/*  Is the token at i a cue that the text's money is sterling: "£",
    "pence", "stg", "sterling", "pound(s)", "GBP", or pence written "5p"
    with "a share" / "per share" after it?  */
static bool
sterling_cue_at (const scan_t *sc, size_t i)
{
    const tok_t *t = tk (sc, i);
    if (tok_is_sym (t, S_POUND))
        return true;
    if (t->kind == T_WORD)
        return (t->cls == K_CUR && (t->val == CUR_GBP || t->val == CUR_STERLING
                                    || t->val == CUR_PENCE))
            || (t->upper && t->end - t->start == 3 && memcmp (sc->s + t->start, "GBP", 3) == 0);
    return t->kind == T_ALNUM && t->cls == SUF_PENCE && per_share_at (sc, i + 1);
}

/*  Does a sentence end at the token t (a period, a colon, a paragraph
    break)?  The driver's test too, where an implied currency ends (it
    excepts the period of "vs.").  */
static bool
ends_sentence (const tok_t *t)
{
    return t->kind == T_END || t->gap == 2
        || (t->kind == T_SYM && (t->cls == S_DOT || t->cls == S_COLON));
}

/*  Pence written "700p", "252.5p" at i: MONEY in GBP ("GBP 7", as "700
    pence" is) when the text is about sterling, for "1080p" and "720p"
    are video formats.  seen tells whether a sterling cue
    (sterling_cue_at) came earlier in the text, this sentence or an
    earlier one, or the amount converts a MONEY before it ("$1 (53p)");
    else one must follow in the same sentence ("shares rose
    to 700p after profit rose to 5 mln stg"), or "a share" / "per share"
    after the amount itself.  */
static void
match_pence (const scan_t *sc, size_t i, bool seen, match_t *m)
{
    const tok_t *t = tk (sc, i);
    amount_t a;
    m->ntok = 0;
    if (t->kind != T_ALNUM || t->cls != SUF_PENCE)
        return;
    bool cue = seen || per_share_at (sc, i + 1);
    for (size_t j = i + 1; !cue && j <= i + IMPLIED_WINDOW && !ends_sentence (tk (sc, j)); j++)
        cue = sterling_cue_at (sc, j);
    if (!cue || !tok_amount (sc, t, &a))
        return;
    a.exp -= 2;
    m->type = CLIP_NUMEX_MONEY;
    m->phrase = false;
    m->ntok = 1;
    money_canon (m, CUR_GBP, &a);
}

/* ------------------------------------------------------------ rate figures */

/*  A rate written as a bare fraction at j, "8-3/4": digits with a
    fraction and a whole part (the wire's way with interest rates and
    prices; "3/8" alone is a point's fraction), nothing that makes it a
    count, a price or a change after it ("8-3/4 points", "8-3/4 dlrs"):
    the end of the text or paragraph, punctuation, or a word that starts
    no noun phrase ("since", "in", "and", "a week ago", "yesterday").  */
static bool
rate_fraction_at (const scan_t *sc, size_t j)
{
    const tok_t *t = tk (sc, j), *n = tk (sc, j + 1);
    if (t->kind != T_NUM || t->cls != SUF_NONE || t->fden == 0 || t->numend == t->start)
        return false;
    if (n->kind == T_END || n->gap == 2)
        return true;
    if (n->kind == T_SYM) {
        /* "6-1/4, 5-3/4 pct": a bid and an offer, a pair the grammar
           does not read.  */
        const tok_t *n2 = tk (sc, j + 2);
        if (n->gap == 0 && n->cls == S_COMMA && n2->gap == 1
            && (n2->kind == T_NUM || tok_is_kw (n2, K_NUM) || tok_is_kw (n2, K_TENS)))
            return false;
        return n->gap == 1 || !(n->cls == S_PERCENT || n->cls == S_HYPHEN || n->cls == S_SLASH
                                || n->cls == S_COLON);
    }
    return n->kind == T_WORD
        && (n->cls == K_PREP || n->cls == K_AND || n->cls == K_A || n->cls == K_REL
            || n->cls == K_DAYWORD || n->cls == K_WEEKDAY || tok_is_function_word (sc, n));
}

/*  Is a bare figure at i in a sentence about rates: after "at", "to",
    "from", "against" or "of", with "rate(s)", "pct", "percent" or "%"
    earlier in its sentence (at most IMPLIED_WINDOW tokens back)?  "The
    repurchase rate has been unchanged at 8-3/4": the wire drops "pct"
    where the sentence says what the figure is.  */
static bool
rate_context_at (const scan_t *sc, size_t i)
{
    const tok_t *p = i > 0? tk (sc, i - 1): &tok_end;
    if (tk (sc, i)->gap != 1
        || !(tok_is_word (sc, p, "at") || tok_is_word (sc, p, "to") || tok_is_word (sc, p, "from")
             || tok_is_word (sc, p, "against") || tok_is_word (sc, p, "of")))
        return false;
    for (size_t k = i - 1; k > 0 && k + IMPLIED_WINDOW > i; k--) {
        const tok_t *t = tk (sc, k - 1);
        if (ends_sentence (t) || tk (sc, k)->gap == 2)
            return false;
        if (tok_is_word (sc, t, "rate") || tok_is_word (sc, t, "rates") || tok_is_kw (t, K_PERCENT)
            || tok_is_sym (t, S_PERCENT))
            return true;
    }
    return false;
}

/*  Is the token at j one side of a money market's quote: a fraction
    ("5-3/4", "1/8"), a figure with decimals ("3.85"), or a whole number
    up to 30 in digits or words ("six")?  */
static bool
quote_side (const scan_t *sc, size_t j)
{
    const tok_t *t = tk (sc, j);
    if (t->kind == T_NUM)
        return t->cls == SUF_NONE
            && (t->fden != 0 || (!t->plain && t->intdigits <= 2)
                || (t->plain && t->ival >= 0 && t->ival <= 30));
    return tok_is_kw (t, K_NUM) && t->val <= 30;
}

/*  A money market's quote at i, a bid and an offer, one PERCENT as the
    labels have it: two sides joined by a comma ("5-3/4, 5-1/4 pct",
    "six, 5-1/2", "6-1/2, 1/4") or written with a slash ("3.85/95 pct",
    "3.80/90"), then "pct", or in a sentence about rates
    (rate_context_at) nothing of a count ("up from 3.80/90 yesterday").
    Its canonical is its phrase.  */
static void
match_rate_quote (const scan_t *sc, size_t i, match_t *m)
{
    m->ntok = 0;
    if (!quote_side (sc, i))
        return;
    const tok_t *c = tk (sc, i + 1), *b = tk (sc, i + 2);
    size_t k;
    if (c->gap == 0 && tok_is_sym (c, S_COMMA) && b->gap == 1 && quote_side (sc, i + 2))
        k = 3;
    else if (tk (sc, i)->kind == T_NUM && c->gap == 0 && tok_is_sym (c, S_SLASH) && b->gap == 0
             && b->kind == T_NUM && b->plain && b->intdigits <= 2)
        k = 3;
    else
        return;
    const tok_t *n = tk (sc, i + k);
    if (n->gap == 1 && tok_is_kw (n, K_PERCENT))
        k++;
    else if (!rate_context_at (sc, i)
             || (n->kind == T_WORD && n->gap == 1
                 && !(n->cls == K_PREP || n->cls == K_AND || n->cls == K_DAYWORD
                      || n->cls == K_WEEKDAY || tok_is_function_word (sc, n))))
        return;
    m->type = CLIP_NUMEX_PERCENT;
    m->ntok = k;
    m->phrase = true;
}

/*  A PERCENT the sentence implies at i: a rate written as a bare fraction
    (rate_fraction_at) in a sentence about rates (rate_context_at), or a
    range ending in one ("against 5-1/4 to 5-3/8 a week ago"; rh is
    range_head_at's).  Its canonical is the percentage, a range's its
    phrase, as for "8-3/4 pct".  */
static void
match_rate_fraction (const scan_t *sc, size_t i, size_t rh, match_t *m)
{
    amount_t a;
    size_t last = i + rh;
    m->ntok = 0;
    if (!rate_fraction_at (sc, last) || !rate_context_at (sc, i) || !tok_amount (sc, tk (sc, last), &a))
        return;
    m->type = CLIP_NUMEX_PERCENT;
    m->ntok = rh + 1;
    m->phrase = rh > 0;
    char amt[AMOUNT_MAX_DIGITS + AMOUNT_MAX_EXP + 8];
    amount_format (&a, amt);
    canon_join (m, amt, "%", "");
}

/* ------------------------------------------------------------------ driver */

/*  Could a pattern start at this token?  Most words cannot, which keeps the
    scan cheap.  */
static bool
may_start (const scan_t *sc, const tok_t *t)
{
    switch (t->kind) {
        case T_NUM: return true;
        case T_ALNUM: return t->cls == SUF_PENCE;
        case T_SYM: return t->cls >= S_DOLLAR && t->cls <= S_RUPEE;
        case T_WORD: {
            if (t->cls != K_NONE)
                return true;
            /*  A word that is no keyword starts a match only as a currency
                before its amount (parse_currency_prefix): capitals of at
                most three bytes ("US$", "HK$", "USD", "RMB") or "Rs".
                Every other pattern starts with a number, a symbol or a
                keyword.  A superset is enough: a pattern tried in vain
                finds nothing.  */
            size_t wl = t->end - t->start;
            return (t->upper && wl <= 3)
                || (wl == 2 && sc->s[t->start] == 'R' && sc->s[t->start + 1] == 's');
        }
        default: return false;
    }
}

/*  The phrase [start, end) lower-cased with its spaces folded to one.  */
static char *
phrase_canon (const char *s, size_t start, size_t end)
{
    char *out = clip_malloc (end - start + 1);
    size_t o = 0;
    bool space = false;
    for (size_t p = start; p < end;) {
        int32_t cp;
        size_t l = utf8_decode ((const unsigned char *) s + p, end - p, &cp);
        if (cp_is_space (cp)) {
            space = true;
            p += l;
            continue;
        }
        if (clip_utf8_is_ignorable (cp)) {
            p += l;
            continue;
        }
        if (space && o > 0)
            out[o++] = ' ';
        space = false;
        if (cp == 0x2019 || cp == 0x2018) {
            out[o++] = '\'';
        } else if (cp == 0x2010 || cp == 0x2011 || cp == 0x2013) {
            out[o++] = '-';
        } else {
            for (size_t k = 0; k < l; k++)
                out[o++] = lower (s[p + k]);
        }
        p += l;
    }
    out[o] = '\0';
    return out;
}

/*  The currency an amount may take from the MONEY b (implied_t): its
    code, or the currency words of one that names no code; none for a
    vague amount ("billions of dollars").  A range's canonical is its
    phrase, but it keeps the code of its last amount.  */
static implied_t
implied_of (const match_t *b)
{
    implied_t c = implied_none;
    if (b->type != CLIP_NUMEX_MONEY || b->ntok == 0)
        return c;
    if (!b->phrase || b->canon[0])
        c.code = b->code;
    else if (b->cur_n > 0) {
        c.at = b->cur_at;
        c.n = b->cur_n;
    }
    return c;
}

/*  "621 mln vs 2.23 billion dlrs": a bare scaled amount before "vs" and
    a MONEY takes that MONEY's currency, as one after it does.  */
static implied_t
implied_after_vs (const scan_t *sc, size_t i)
{
    amount_t a;
    size_t k = bare_amount_at (sc, i, false, &a);
    size_t v = k > 0? vs_at (sc, i + k): 0;
    if (v == 0)
        return implied_none;
    size_t j = i + k + v;
    match_t m;
    match_clear (&m);
    match_amount_or_range (sc, j, range_head_at (sc, j), &m, match_money_one);
    return implied_of (&m);
}

/*  Does the sentence end at token i (ends_sentence), the period of
    "vs." excepted?  */
static bool
ends_sentence_at (const scan_t *sc, size_t i)
{
    const tok_t *t = tk (sc, i);
    return ends_sentence (t)
        && !(t->kind == T_SYM && t->cls == S_DOT && t->gap == 0 && i > 0
             && tok_is_vs (sc, &sc->t[i - 1]));
}

/*  "fell to 52 mln from 61 mln, against 70 mln dlrs": wire copy
    names the currency of a sentence's amounts once, at any of them, so
    that a bare scaled amount before the sentence's first MONEY takes
    that MONEY's currency, as one after it does (match_implied_money
    decides whether the amount is money).  Looks for that MONEY from
    token j to limit: returns its currency and sets *stop, at the first
    MONEY with a currency or at the end of the sentence (none then); *at
    is the token it stopped at, or limit + 1 with *stop clear when it
    found neither.  */
static implied_t
implied_ahead (const scan_t *sc, size_t j, size_t limit, size_t *at, bool *stop)
{
    *stop = true;
    for (; j <= limit && j < sc->n; j++) {
        *at = j;
        if (ends_sentence_at (sc, j))
            return implied_none;
        if (!may_start (sc, &sc->t[j]))
            continue;
        match_t m;
        match_clear (&m);
        match_amount_or_range (sc, j, range_head_at (sc, j), &m, match_money_one);
        implied_t c = implied_of (&m);
        if (implied_set (&c))
            return c;
    }
    *at = j;
    *stop = j >= sc->n;
    return implied_none;
}

/*  The canonical of an implied MONEY whose antecedent named no code: its
    amount's phrase and the antecedent's currency words ("3.65 billion
    crowns").  */
static char *
implied_phrase_canon (const scan_t *sc, size_t start, size_t end, size_t cur_at, size_t cur_n)
{
    char *amt = phrase_canon (sc->s, start, end);
    char *cur = phrase_canon (sc->s, sc->t[cur_at].start, sc->t[cur_at + cur_n - 1].end);
    char *out = clip_strprintf ("%s %s", amt, cur);
    free (amt);
    free (cur);
    return out;
}

/*  The index of the first token starting at or after byte b.  */
static size_t
tok_index_at (const scan_t *sc, size_t b)
{
    size_t lo = 0, hi = sc->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sc->t[mid].start < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*  Is the token at k a word that starts a period ("beginning", "starting")
    or ends one ("ending", "ended")?  */
static bool
tok_is_period_edge (const scan_t *sc, const tok_t *t)
{
    static const char *const words[] = { "beginning", "starting", "ending", "ended", NULL };
    return t->kind == T_WORD && tok_is_word_in (sc, t, words);
}

/*  Do the tokens [a, b), between two DATEs, join them into one, as the
    labelling rules' range and period with its start or end are
    (workers/ner/README.md): none, the second naming the first's year
    ("14 March next year", "January a year ago": relative set); "to" or "through"
    ("April 1 to September", "August 16, 1985, to Dec 31, 1985", "each
    year through 1989"), or "and" after "between" (between set: "between
    February 18 and March 4"); a slash or hyphen written tight ("July
    1/February 13"); or a word of a period's start or end ("fiscal 1987
    beginning on April 1")?  "and" alone does not ("in 1984 and 1985" is
    two), nor "from" ("a year from March 1" is as often two), both
    measured on the development sets.  */
static bool
date_connector (const scan_t *sc, size_t a, size_t b, bool between, bool relative)
{
    for (size_t j = a; j <= b && j < sc->n; j++)
        if (sc->t[j].gap == 2)
            return false;
    if (b - a == 1 && sc->t[a].kind == T_SYM)
        return (tok_is_sym (&sc->t[a], S_SLASH) || tok_is_sym (&sc->t[a], S_HYPHEN))
            && sc->t[a].gap == 0 && sc->t[b].gap == 0;
    if (b == a)
        /* "14 March next year", "January a year ago": one space, then a
           year relative to now (relative).  */
        return relative && sc->t[a].gap == 1 && sc->t[a - 1].end + 1 == sc->t[a].start;
    if (b > a && tok_is_sym (&sc->t[a], S_COMMA))
        a++;
    if (b - a == 1)
        return tok_is_word (sc, &sc->t[a], "to") || tok_is_word (sc, &sc->t[a], "through")
            || tok_is_period_edge (sc, &sc->t[a])
            || (between && tok_is_word (sc, &sc->t[a], "and"));
    return b - a == 2 && tok_is_period_edge (sc, &sc->t[a])
        && (tok_is_word (sc, &sc->t[a + 1], "on") || tok_is_word (sc, &sc->t[a + 1], "in"));
}

/*  Two DATEs next to each other that a connector joins
    (date_connector) become one, its canonical the phrase.  */
static void
join_dates (const scan_t *sc, const char *utf8, clip_numex_t *res, size_t *nres)
{
    size_t o = 0;
    for (size_t k = 0; k < *nres; k++) {
        /* "the fiscal year 1987/88": the article of a fiscal or calendar
           year is the DATE's, as the rules' determiners are ("the fiscal
           1988 budget" keeps it for the budget).  */
        size_t f = tok_index_at (sc, res[k].start);
        if (res[k].type == CLIP_NUMEX_DATE && f > 0 && f + 1 < sc->n && tok_is_yearmod (sc, &sc->t[f])
            && tok_is_word (sc, &sc->t[f + 1], "year")
            && sc->t[f].gap == 1 && tok_is_kw (&sc->t[f - 1], K_THE)
            && (o == 0 || res[o - 1].end <= sc->t[f - 1].start)) {
            res[k].start = sc->t[f - 1].start;
            free (res[k].canonical);
            res[k].canonical = phrase_canon (utf8, res[k].start, res[k].end);
        }
        if (o > 0 && res[o - 1].type == CLIP_NUMEX_DATE && res[k].type == CLIP_NUMEX_DATE) {
            size_t a = tok_index_at (sc, res[o - 1].end), b = tok_index_at (sc, res[k].start);
            size_t f0 = tok_index_at (sc, res[o - 1].start);
            bool between = f0 > 0 && tok_is_word (sc, &sc->t[f0 - 1], "between");
            size_t l = tok_index_at (sc, res[k].end) - 1;
            bool relative = tok_is_kw (&sc->t[b], K_REL) || tok_is_kw (&sc->t[l], K_AGO);
            if (b >= a && b > 0 && date_connector (sc, a, b, between, relative)) {
                res[o - 1].end = res[k].end;
                free (res[o - 1].canonical);
                free (res[k].canonical);
                res[o - 1].canonical = phrase_canon (utf8, res[o - 1].start, res[o - 1].end);
                continue;
            }
        }
        res[o++] = res[k];
    }
    *nres = o;
}

int
clip_numex_find (const char *utf8, size_t len, clip_numex_t **out, size_t *n)
{
    assert (out && n);
    assert (utf8 || len == 0);
    *out = NULL;
    *n = 0;
    scan_t sc = { .s = utf8, .len = len };
    if (len > 0)
        tokenize (&sc);
    clip_numex_t *res = NULL;
    size_t nres = 0, cap = 0;
    implied_t cur = implied_none;   /* currency of the last MONEY in this sentence */
    size_t cur_at = 0;
    /*  The figure of the last MONEY of this sentence, its shape and its
        currency (match_parallel_figure); par_set clear when none.  */
    bool par_set = false;
    shape_t par_shape = { 0, false, 0 };
    implied_t par_cur = implied_none;
    implied_t doc_cur = implied_none;   /* of the last MONEY in the text */
    /*  The token after the last MONEY of the text, and after the last
        scaled count (count_at: "17.8 mln tonnes"), whichever is later
        being what a bare amount in a later sentence is more of.  */
    size_t doc_cur_at = 0, count_end = 0;
    implied_t row_cur = implied_none;   /* of the earnings table row before row_end */
    size_t row_end = 0;
    /*  A sterling cue (sterling_cue_at) before the token, anywhere in the
        text: every cue is a token where a match may start, so the scan
        sees each, at i or inside the span it keeps.  */
    bool sterling = false;
    size_t money_end = SIZE_MAX;    /* the token after the last MONEY */
    /*  The currency of the first MONEY ahead of an amount (implied_ahead),
        and where the look-ahead is.  */
    implied_t ahead = implied_none;
    size_t ahead_at = 0;
    bool ahead_stop = false;
    for (size_t i = 0; i < sc.n;) {
        const tok_t *ti = &sc.t[i];
        /* The period of "vs." does not end the sentence.  Nothing to
           forget when no currency is set, the common case.  */
        if (implied_set (&cur) && (ends_sentence_at (&sc, i) || i > cur_at + IMPLIED_WINDOW))
            cur = implied_none;
        if (par_set && ends_sentence_at (&sc, i))
            par_set = false;
        if (i >= row_end && ti->kind == T_WORD && ti->cap && implied_set (&doc_cur)) {
            size_t re = earnings_row_at (&sc, i);
            if (re > 0) {
                row_end = re;
                row_cur = doc_cur;
            }
        }
        if (!may_start (&sc, &sc.t[i])) {
            i++;
            continue;
        }
        match_t best, m;
        match_clear (&best);
        match_clear (&m);
        /* "that" starts a DATE only ("that month"), and is frequent.  */
        bool dates_only = ti->kind == T_WORD && ti->cls == K_THAT;
        /*  A number, in digits or words, may start any pattern: a range
            (range_head_at, scaled_range_head_at), an amount, a duration.
            Else a MONEY starts with a currency (a symbol, a capitalised
            prefix: parse_currency_prefix) or "a" ("a billion dlrs") or a
            vague amount ("billions of"), a PERCENT with "a" ("a hundred
            percent"); other words ("the", "in") try the dates only.  */
        bool number = ti->kind == T_NUM
            || (ti->kind == T_WORD && (ti->cls == K_NUM || ti->cls == K_TENS));
        bool money = number || ti->kind == T_SYM
            || (ti->kind == T_WORD && (ti->upper || ti->cls == K_A || ti->cls == K_VAGUE
                                       || (ti->end - ti->start == 2 && utf8[ti->start] == 'R'
                                           && utf8[ti->start + 1] == 's')));
        bool percent = number || (ti->kind == T_WORD && ti->cls == K_A);
        size_t rh = number && !dates_only? range_head_at (&sc, i): 0;
        if (ti->kind == T_NUM && rh == 0) {
            /*  After digits, not a range, a MONEY needs a word (a scale, a
                currency: parse_amount, parse_currency_words) or a hyphen
                ("45-mln-dlr") next, a PERCENT "%" or a percent word
                (match_percent_one).  Most numbers have neither.  */
            const tok_t *n1 = tk (&sc, i + 1);
            bool word = n1->kind == T_WORD && n1->gap == 1;
            money = word || (n1->gap == 0 && tok_is_sym (n1, S_HYPHEN));
            percent = (n1->gap < 2 && tok_is_sym (n1, S_PERCENT))
                || (word && (n1->cls == K_PERCENT || n1->cls == K_PER || n1->cls == K_PERCENTAGE));
        }
        if (!dates_only && (money || percent)) {
            if (money) {
                match_amount_or_range (&sc, i, rh, &m, match_money_one);
                if (m.ntok > best.ntok)
                    best = m;
                match_clear (&m);
            }
            if (percent) {
                match_amount_or_range (&sc, i, rh, &m, match_percent_one);
                if (m.ntok > best.ntok)
                    best = m;
                match_clear (&m);
            }
        }
        match_date (&sc, i, &m);
        if (m.ntok > best.ntok)
            best = m;
        if (best.ntok == 0)
            match_rate_quote (&sc, i, &best);
        if (best.ntok == 0 && ti->kind == T_NUM)
            match_exchange_rate (&sc, i, &best);
        if (best.ntok == 0 && par_set && ti->kind == T_NUM)
            match_parallel_figure (&sc, i, &par_shape, &par_cur, &best);
        if (best.ntok == 0 && i < row_end)
            match_implied_money (&sc, i, &row_cur, true, false, &best);
        if (best.ntok == 0 && implied_set (&cur))
            match_implied_money (&sc, i, &cur, false, false, &best);
        if (best.ntok == 0 && (ti->kind == T_NUM || ti->cls == K_NUM || ti->cls == K_TENS)) {
            implied_t vs = implied_after_vs (&sc, i);
            if (implied_set (&vs))
                match_implied_money (&sc, i, &vs, false, false, &best);
        }
        amount_t ba;
        if (best.ntok == 0 && !implied_set (&cur)
            && (ti->kind == T_NUM || ti->cls == K_NUM || ti->cls == K_TENS)
            && bare_amount_at (&sc, i, false, &ba) > 0) {
            /*  Before the sentence's first MONEY (implied_ahead).  The
                tokens from i to ahead_at hold no MONEY and no end of the
                sentence, and the look-ahead stopped at ahead_at
                (ahead_stop) or goes on from there: each token is looked
                at once.  */
            if (i >= ahead_at) {
                ahead_at = i + 1;
                ahead_stop = false;
            }
            if (!ahead_stop)
                ahead = implied_ahead (&sc, ahead_at, i + IMPLIED_WINDOW, &ahead_at, &ahead_stop);
            if (implied_set (&ahead))
                match_implied_money (&sc, i, &ahead, false, true, &best);
            else if (implied_set (&doc_cur) && doc_cur_at > count_end)
                /*  None in its sentence: wire copy names a currency
                    once for the whole story ("Imports were 2.655
                    billion against 2.883 billion" paragraphs after "a
                    13 mln dlr deficit"), unless a count came after it
                    ("drop from 17.8 mln tonnes to 13.5 mln").  */
                match_implied_money (&sc, i, &doc_cur, false, true, &best);
        }
        if (best.ntok == 0 && ti->kind == T_NUM && (ti->fden != 0 || rh > 0))
            match_rate_fraction (&sc, i, rh, &best);
        if (best.ntok == 0 && ti->kind == T_ALNUM) {
            /* "costs $1 (53p)": an amount in brackets right after a
               MONEY is its conversion, money too.  */
            bool conv = i > 0 && money_end == i - 1 && sc.t[i - 1].kind == T_SYM
                && utf8[sc.t[i - 1].start] == '(' && ti->gap == 0;
            match_pence (&sc, i, sterling || conv, &best);
        }
        for (size_t j = i; !sterling && j < i + (best.ntok? best.ntok: 1); j++)
            sterling = sterling_cue_at (&sc, j);
        implied_t bc = implied_of (&best);
        if (implied_set (&bc)) {
            cur = doc_cur = bc;
            cur_at = doc_cur_at = i + best.ntok;
        }
        if (best.ntok == 0) {
            if (count_at (&sc, i))
                count_end = i + 1;
            i++;
            continue;
        }
        if (best.type == CLIP_NUMEX_MONEY) {
            money_end = i + best.ntok;
            /*  Its figure: the first number of the match.  */
            for (size_t k = i; k < i + best.ntok; k++)
                if (sc.t[k].kind == T_NUM) {
                    par_set = true;
                    par_shape = figure_shape (&sc, &sc.t[k]);
                    par_cur = implied_of (&best);
                    break;
                }
        }
        size_t last = i + best.ntok - 1;
        assert (last < sc.n);
        if (nres == cap) {
            cap = cap? cap * 2: 16;
            res = clip_realloc (res, cap * sizeof *res);
        }
        clip_numex_t *r = &res[nres++];
        r->type = best.type;
        r->start = sc.t[i].start;
        r->end = sc.t[last].end;
        if (best.phrase && best.cur_n > 0 && (best.cur_at < i || best.cur_at >= i + best.ntok))
            r->canonical = implied_phrase_canon (&sc, r->start, r->end, best.cur_at, best.cur_n);
        else
            r->canonical = best.phrase? phrase_canon (utf8, r->start, r->end)
                                      : clip_strdup (best.canon);
        i = last + 1;
    }
    join_dates (&sc, utf8, res, &nres);
    free (sc.t);
    *out = res;
    *n = nres;
    return 0;
}

void
clip_numex_free (clip_numex_t *spans, size_t n)
{
    if (!spans)
        return;
    for (size_t k = 0; k < n; k++)
        free (spans[k].canonical);
    free (spans);
}

const char *
clip_numex_type_name (clip_numex_type_t type)
{
    switch (type) {
        case CLIP_NUMEX_MONEY: return clip_entity_type_name (CLIP_ENTITY_TYPE_MONEY);
        case CLIP_NUMEX_DATE: return clip_entity_type_name (CLIP_ENTITY_TYPE_DATE);
        case CLIP_NUMEX_PERCENT: return clip_entity_type_name (CLIP_ENTITY_TYPE_PERCENT);
    }
    return "?";
}
