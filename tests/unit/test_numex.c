/*  test_numex: the MONEY / DATE / PERCENT grammar.

    Every form named in the issue, with its canonical value, plus real
    sentences from the Huawei corpus, spans that must not be found
    ("next-generation", "Mar-a-Lago", "5G"), and robustness on arbitrary
    bytes.  */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_numex.h"
#include "clip_util.h"

/*  Find the only span in text and check its text, type and canonical.  */
static void
expect_one (const char *text, const char *type, const char *span, const char *canon)
{
    clip_numex_t *s;
    size_t n;
    cr_assert_eq (clip_numex_find (text, strlen (text), &s, &n), 0);
    cr_assert_eq (n, 1, "%s: expected one span, found %zu", text, n);
    cr_expect_str_eq (clip_numex_type_name (s[0].type), type, "%s", text);
    char *got = clip_strndup (text + s[0].start, s[0].end - s[0].start);
    cr_expect_str_eq (got, span, "%s", text);
    cr_expect_str_eq (s[0].canonical, canon, "%s", text);
    free (got);
    clip_numex_free (s, n);
}

static void
expect_none (const char *text)
{
    clip_numex_t *s;
    size_t n;
    cr_assert_eq (clip_numex_find (text, strlen (text), &s, &n), 0);
    if (n > 0)
        cr_expect_eq (n, 0, "%s: unexpected span \"%.*s\"", text,
                      (int) (s[0].end - s[0].start), text + s[0].start);
    clip_numex_free (s, n);
}

/*  All spans of text as "TYPE[text]=canonical;" for whole-sentence checks.  */
static char *
render (const char *text)
{
    clip_numex_t *s;
    size_t n;
    cr_assert_eq (clip_numex_find (text, strlen (text), &s, &n), 0);
    size_t cap = 64, len = 0;
    char *out = clip_malloc (cap);
    out[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        char *item = clip_strprintf ("%s[%.*s]=%s;", clip_numex_type_name (s[k].type),
                                     (int) (s[k].end - s[k].start), text + s[k].start,
                                     s[k].canonical);
        size_t il = strlen (item);
        while (len + il + 1 > cap) {
            cap *= 2;
            out = clip_realloc (out, cap);
        }
        memcpy (out + len, item, il + 1);
        len += il;
        free (item);
    }
    clip_numex_free (s, n);
    return out;
}

/*  The spans of text, rendered, are want.  */
static void
expect_render (const char *text, const char *want)
{
    char *r = render (text);
    cr_expect_str_eq (r, want, "in \"%s\"", text);
    free (r);
}

Test (numex, money_forms_of_the_issue)
{
    expect_one ("sales surpassed $100 billion despite", "MONEY", "$100 billion", "USD 100000000000");
    expect_one ("sales surpassed 100 billion US dollars (", "MONEY", "100 billion US dollars", "USD 100000000000");
    expect_one ("(£76.6 billion)", "MONEY", "£76.6 billion", "GBP 76600000000");
    expect_one ("invest $2bn over", "MONEY", "$2bn", "USD 2000000000");
    expect_one ("annual sales top 2 billion dollars", "MONEY", "2 billion dollars", "USD 2000000000");
    expect_one ("preparing to invest billions of dollars in", "MONEY", "billions of dollars", "billions of dollars");
    expect_one ("a fine of €5m was", "MONEY", "€5m", "EUR 5000000");
    expect_one ("a fine of 5 million euros was", "MONEY", "5 million euros", "EUR 5000000");
    expect_one ("stimulus of 1.2 trillion yuan.", "MONEY", "1.2 trillion yuan", "CNY 1200000000000");
}

Test (numex, money_other_forms)
{
    expect_one ("(£1.53bn)", "MONEY", "£1.53bn", "GBP 1530000000");
    expect_one ("It paid US$5 each", "MONEY", "US$5", "USD 5");
    expect_one ("It paid U.S. $5 each", "MONEY", "$5", "USD 5");
    expect_one ("It paid 5 U.S. dollars each", "MONEY", "5 U.S. dollars", "USD 5");
    expect_one ("It paid 50 cents each", "MONEY", "50 cents", "USD 0.5");
    expect_one ("It paid 20 pence each", "MONEY", "20 pence", "GBP 0.2");
    expect_one ("It paid 10 pounds sterling", "MONEY", "10 pounds sterling", "GBP 10");
    expect_one ("It paid 3 million Canadian dollars", "MONEY", "3 million Canadian dollars", "CAD 3000000");
    expect_one ("It paid 12 Swiss francs", "MONEY", "12 Swiss francs", "CHF 12");
    expect_one ("worth 300 billion yen", "MONEY", "300 billion yen", "JPY 300000000000");
    expect_one ("worth 40 billion rupees", "MONEY", "40 billion rupees", "INR 40000000000");
    expect_one ("worth 8 billion renminbi", "MONEY", "8 billion renminbi", "CNY 8000000000");
    expect_one ("worth USD 5 million", "MONEY", "USD 5 million", "USD 5000000");
    expect_one ("worth RMB 5bn", "MONEY", "RMB 5bn", "CNY 5000000000");
    /* Reuters-21578 style.  */
    expect_one ("a loss of 1.5 bln dlrs in", "MONEY", "1.5 bln dlrs", "USD 1500000000");
    expect_one ("a loss of 99 mln stg in", "MONEY", "99 mln stg", "GBP 99000000");
    expect_one ("the shares rose 5 cts to", "MONEY", "5 cts", "USD 0.05");
    expect_one ("worth two billion dollars", "MONEY", "two billion dollars", "USD 2000000000");
    expect_one ("worth a billion dollars", "MONEY", "a billion dollars", "USD 1000000000");
    expect_one ("worth $1,250,000.50 in", "MONEY", "$1,250,000.50", "USD 1250000.5");
    expect_one ("worth hundreds of millions of pounds", "MONEY",
                "hundreds of millions of pounds", "hundreds of millions of pounds");
    /* From 004: the article dropped the scale; the amount stays as written.  */
    expect_one ("China had earlier pledge to buy $1.2 of American products.", "MONEY",
                "$1.2", "USD 1.2");
}

Test (numex, percent)
{
    expect_one ("was 100 percent \"owned by employees\"", "PERCENT", "100 percent", "100%");
    expect_one ("sales last month rose", "DATE", "last month", "last month");
    expect_one ("sales rose 19.5% over", "PERCENT", "19.5%", "19.5%");
    expect_one ("a rise of 25 per cent.", "PERCENT", "25 per cent", "25%");
    expect_one ("a rise of five percent.", "PERCENT", "five percent", "5%");
    expect_one ("a rise of twenty-five per cent.", "PERCENT", "twenty-five per cent", "25%");
    expect_one ("up 0.50 pct", "PERCENT", "0.50 pct", "0.5%");
    /* A point is nothing (README.md's rules), a percentage point too.  */
    expect_none ("up 3 percentage points");
}

Test (numex, dates_of_the_issue)
{
    expect_one (" date 2019-03-31 By AP", "DATE", "2019-03-31", "2019-03-31");
    expect_one ("on March 31, 2019, it", "DATE", "March 31, 2019", "2019-03-31");
    expect_one ("defended its commitment to security Friday after", "DATE", "Friday", "friday");
    expect_one ("announced last year’s sales", "DATE", "last year", "last year");
    expect_one ("was arrested in December in Canada", "DATE", "December", "december");
    expect_one ("reports in UK media in late May citing", "DATE", "late May", "late may");
    expect_one ("invest $2 billion over", "MONEY", "$2 billion", "USD 2000000000");
    expect_one ("promised to invest over five years to", "DATE", "five years", "five years");
    expect_one ("suing the US Government earlier this month over", "DATE", "earlier this month",
                "earlier this month");
    expect_one ("popular in the 1990s when", "DATE", "the 1990s", "the 1990s");
}

Test (numex, dates_other_forms)
{
    expect_one ("on 31 March 2019 the", "DATE", "31 March 2019", "2019-03-31");
    expect_one ("on the 31st of March the", "DATE", "the 31st of March", "the 31st of march");
    expect_one ("on Friday, March 29, 2019 the", "DATE", "Friday, March 29, 2019", "2019-03-29");
    expect_one ("an Entity List in May 2019 a", "DATE", "May 2019", "2019-05");
    expect_one ("arrested Huawei's CFO in December 2018 at", "DATE", "December 2018", "2018-12");
    expect_one ("on Jan. 5, 2020 the", "DATE", "Jan. 5, 2020", "2020-01-05");
    expect_one ("on Feb. 29, 2020 the", "DATE", "Feb. 29, 2020", "2020-02-29");
    expect_one ("planned for March 31", "DATE", "March 31", "march 31");
    expect_one ("after a 2012 congressional report", "DATE", "2012", "2012");
    expect_one ("national 5G networks by 2023. But", "DATE", "2023", "2023");
    expect_one ("attending the 2019 edition of", "DATE", "2019", "2019");
    expect_one ("rose 19 over 2017. That", "DATE", "2017", "2017");
    expect_one ("by mid-2019 it", "DATE", "mid-2019", "mid-2019");
    expect_one ("in early 2020 it", "DATE", "early 2020", "early 2020");
    expect_one ("in late January.", "DATE", "late January", "late january");
    expect_one ("late last year it", "DATE", "late last year", "late last year");
    expect_one ("what Trump said last week", "DATE", "last week", "last week");
    expect_one ("told reporters earlier this year the", "DATE", "earlier this year", "earlier this year");
    expect_one ("will take off this year.", "DATE", "this year", "this year");
    expect_one ("under scrutiny in recent months as", "DATE", "recent months", "recent months");
    expect_one ("a further year over", "DATE", "a further year", "a further year");
    expect_one ("here for 20 years and", "DATE", "20 years", "20 years");
    expect_one ("it began two years ago.", "DATE", "two years ago", "two years ago");
    expect_one ("over the past five years it", "DATE", "the past five years", "the past five years");
    expect_one ("in the first quarter of 2019 it", "DATE", "the first quarter of 2019",
                "the first quarter of 2019");
    expect_one ("by the end of March it", "DATE", "the end of March", "the end of march");
    expect_one ("a five-year plan", "DATE", "five-year", "five-year");
    expect_one ("It is due today.", "DATE", "today", "today");
    expect_one ("as early as May.", "DATE", "May", "may");
    /* The article is the date's, as in "the first half of 2019" (README.md's
       rules; was "summer of 2019" before issue 14's second round).  */
    expect_one ("in the summer of 2019.", "DATE", "the summer of 2019", "the summer of 2019");
    expect_one ("since May last year, it", "DATE", "May last year", "may last year");
    expect_one ("during the last three months of 2004.", "DATE", "the last three months of 2004",
                "the last three months of 2004");
    expect_one ("in the final quarter of 2004 it", "DATE", "the final quarter of 2004",
                "the final quarter of 2004");
    expect_one ("in mid-January 2005 it", "DATE", "mid-January 2005", "mid-january 2005");
}

Test (numex, not_dates)
{
    expect_none ("to build the next-generation 5G mobile networks");
    expect_none ("at his Mar-a-Lago resort in Florida");
    expect_none ("Theresa May said no.");
    expect_none ("the 3G and 4G networks and 3GPP");
    expect_none ("the No. 2 global smartphone brand");
    expect_none ("had already signed 18 contracts in Europe");
    expect_none ("Beijing has detained two Canadians");
    expect_none ("over 70 Chinese tech companies");
    expect_none ("version 1.2.3.4 was released");
    expect_none ("Feb 30 is no date, nor is Apr 31");
    expect_none ("once a day");
    expect_none ("scored in the first half");
    expect_none ("from 2115 GMT to 1945 GMT");
    expect_none ("The march was long; he may go.");
    expect_none ("the rapper 50 Cent, whose second album");
    expect_none ("told the Sunday Times and the Good Friday Agreement");
}

Test (numex, huawei_sentences)
{
    expect_render ("Guo Ping’s comments came as Huawei, the biggest global maker of network "
                   "equipment for phone and internet companies, announced last year’s sales "
                   "surpassed 100 billion US dollars (£76.6 billion) despite US pressure on "
                   "American allies to shun it as a security threat.",
                   "DATE[last year]=last year;"
                   "MONEY[100 billion US dollars]=USD 100000000000;"
                   "MONEY[£76.6 billion]=GBP 76600000000;");
    expect_render ("Despite that, Huawei’s sales last year rose 19.5% over 2017. That was driven by "
                   "double-digit gains for its consumer and enterprise units, while sales of network "
                   "gear to phone and internet carriers were unchanged at 62.3 billion US dollars.",
                   "DATE[last year]=last year;PERCENT[19.5%]=19.5%;DATE[2017]=2017;"
                   "MONEY[62.3 billion US dollars]=USD 62300000000;");
    expect_render ("Profit rose 25.1% to 8.6 billion US dollars (£6.6 billion)",
                   "PERCENT[25.1%]=25.1%;MONEY[8.6 billion US dollars]=USD 8600000000;"
                   "MONEY[£6.6 billion]=GBP 6600000000;");
    expect_render ("He added that he planned to postpone his plans to hike import tariffs on Chinese "
                   "goods worth around $200 billion, which were set to kick in March.",
                   "MONEY[$200 billion]=USD 200000000000;DATE[March]=march;");
    expect_render ("But Washington extended its trade ban on Huawei, ZTE, and over 70 Chinese tech "
                   "companies placed on an Entity List in May 2019 a further year over alleged "
                   "national security concerns.",
                   "DATE[May 2019]=2019-05;DATE[a further year]=a further year;");
}

Test (numex, huawei_corpus_files)
{
    /* Every span of article 000, in order.  */
    char *path = clip_path_join (CLIP_SOURCE_DIR, "corpus/huawei/000_9e0fcb074dd77aaf.txt");
    char *text;
    size_t len;
    cr_assert_eq (clip_file_read (path, 1 << 20, &text, &len), 0, "%s", path);
    char *r = render (text);
    cr_expect_str_eq (r, "DATE[2019-03-31]=2019-03-31;DATE[Friday]=friday;DATE[last year]=last year;"
                         "MONEY[$100 billion]=USD 100000000000;"
                         "MONEY[billions of dollars]=billions of dollars;DATE[Thursday]=thursday;"
                         "MONEY[$2 billion]=USD 2000000000;DATE[five years]=five years;"
                         "DATE[last year]=last year;");
    free (r);
    free (text);
    free (path);
}

Test (numex, offsets_are_bytes)
{
    /* A no-break space and a pound sign are two bytes each.  */
    const char *text = "x\xc2\xa0\xc2\xa3" "5m";
    clip_numex_t *s;
    size_t n;
    cr_assert_eq (clip_numex_find (text, strlen (text), &s, &n), 0);
    cr_assert_eq (n, 1);
    cr_expect_eq (s[0].start, 3);
    cr_expect_eq (s[0].end, 7);
    cr_expect_str_eq (s[0].canonical, "GBP 5000000");
    clip_numex_free (s, n);
}

Test (numex, empty_and_arbitrary_bytes)
{
    clip_numex_t *s;
    size_t n = 7;
    cr_assert_eq (clip_numex_find ("", 0, &s, &n), 0);
    cr_expect_eq (n, 0);
    clip_numex_free (s, n);

    /* Truncated sequences and digits at the very end must not read past len.  */
    const char *tails[] = { "$", "$5", "5 billion", "March 31,", "\xe2\x82", "2019-03-3", "£" };
    for (size_t k = 0; k < sizeof tails / sizeof tails[0]; k++) {
        size_t l = strlen (tails[k]);
        char *copy = clip_malloc (l ? l : 1);
        memcpy (copy, tails[k], l);
        cr_assert_eq (clip_numex_find (copy, l, &s, &n), 0);
        clip_numex_free (s, n);
        free (copy);
    }

    /* Pseudo-random bytes, including every byte value: no crash, spans in
       order, inside the text, without overlaps.  */
    unsigned seed = 12345;
    size_t len = 1 << 16;
    char *buf = clip_malloc (len);
    const char *pieces[] = { "$", "£", "€", "5", ".", ",", " ", "billion", "May", "%", "-",
                             "2019", "last", "year", "\xff", "\xe2\x80", "of", "dollars" };
    size_t np = sizeof pieces / sizeof pieces[0];
    for (int round = 0; round < 4; round++) {
        size_t p = 0;
        while (p < len) {
            seed = seed * 1103515245u + 12345u;
            if (round % 2 == 0) {
                buf[p++] = (char) (seed >> 16);
            } else {
                const char *pc = pieces[(seed >> 16) % np];
                size_t pl = strlen (pc);
                if (p + pl > len)
                    break;
                memcpy (buf + p, pc, pl);
                p += pl;
            }
        }
        cr_assert_eq (clip_numex_find (buf, p, &s, &n), 0);
        size_t prev_end = 0;
        for (size_t k = 0; k < n; k++) {
            cr_assert (s[k].start >= prev_end && s[k].start < s[k].end && s[k].end <= p);
            cr_assert (s[k].canonical != NULL);
            prev_end = s[k].end;
        }
        clip_numex_free (s, n);
    }
    free (buf);
}

Test (numex, type_names)
{
    cr_expect_str_eq (clip_numex_type_name (CLIP_NUMEX_MONEY), "MONEY");
    cr_expect_str_eq (clip_numex_type_name (CLIP_NUMEX_DATE), "DATE");
    cr_expect_str_eq (clip_numex_type_name (CLIP_NUMEX_PERCENT), "PERCENT");
}

Test (numex, unicode_spaces_and_invisible_characters)
{
    /*  clip_utf8.h's rules, as in the tokenizer: U+1680 is a space (it was
        a letter here before), U+200B and U+00AD join a word or a number
        (U+200B was a space).  */
    expect_one ("paid $5\xe1\x9a\x80million", "MONEY", "$5\xe1\x9a\x80million", "USD 5000000");
    expect_one ("paid $5 mil\xc2\xadlion", "MONEY", "$5 mil\xc2\xadlion", "USD 5000000");
    expect_one ("on Mar\xe2\x80\x8b" "ch 3", "DATE", "Mar\xe2\x80\x8b" "ch 3", "march 3");
    expect_one ("paid $5\xe2\x80\x8b" "000", "MONEY", "$5\xe2\x80\x8b" "000", "USD 5000");
}

/*  Issue 14, class 3: wire copy is hard-wrapped, so one line break with the
    next line starting at once is a space; a blank line or an indented line
    (a new paragraph) still ends every expression.  */
Test (numex, hard_wrapped_lines)
{
    expect_one ("inflation ran at 340\npct last", "PERCENT", "340\npct", "340%");
    expect_one ("sales of three\nbillion dlrs were", "MONEY", "three\nbillion dlrs", "USD 3000000000");
    expect_one ("a loss of 7.2 mln \r\ndlrs, or", "MONEY", "7.2 mln \r\ndlrs", "USD 7200000");
    expect_one ("a fourth \nquarter loss", "DATE", "fourth \nquarter", "fourth quarter");
    expect_one ("output fell over two\nyears to", "DATE", "two\nyears", "two years");
    expect_render ("prices rose in 1979 and\n1981 too",
                   "DATE[1979]=1979;DATE[1981]=1981;");
    expect_none ("inflation ran at 340\n\npct");
    expect_none ("inflation ran at 340\n    pct rose");
    expect_none ("inflation ran at 340\xe2\x80\xa9pct");
}

/*  Issue 14, class 4: newswire number forms.  */
Test (numex, newswire_number_forms)
{
    expect_one ("a dividend of .375 dlrs a share", "MONEY", ".375 dlrs", "USD 0.375");
    expect_one ("the prime rate of 7-3/4 pct was", "PERCENT", "7-3/4 pct", "7.75%");
    expect_one ("shares rose 5/8 dlrs to", "MONEY", "5/8 dlrs", "USD 0.625");
    expect_one ("a 12-1/2 year loan", "DATE", "12-1/2 year", "12-1/2 year");
    expect_one ("for the first six months of 1985 the", "DATE", "the first six months of 1985",
                "the first six months of 1985");
    expect_one ("a fourth quarter loss", "DATE", "fourth quarter", "fourth quarter");
    expect_one ("results in fiscal 1989 should", "DATE", "fiscal 1989", "fiscal 1989");
    expect_one ("the wholesale index (base 1980) rose", "DATE", "1980", "1980");
    expect_one ("Adopted last October 12 the plan", "DATE", "last October 12", "last october 12");
    /* No fraction: a date, a slash run, a denominator that is not a power
       of two.  */
    expect_none ("page 3/7 only");
    expect_one ("see No.5 pct", "PERCENT", "5 pct", "5%");
}

/*  Issue 14, class 4: an amount whose currency the sentence has just named
    is MONEY; a count ("40 mln shares") is not.  */
Test (numex, currency_implied_by_the_sentence)
{
    expect_render ("Exports rose to 310 mln stg in May from a revised 290 mln.",
                   "MONEY[310 mln stg]=GBP 310000000;DATE[May]=may;"
                   "MONEY[290 mln]=GBP 290000000;");
    expect_render ("It earned 9 mln dlrs and issued 40 mln shares.",
                   "MONEY[9 mln dlrs]=USD 9000000;");
}

/*  Wire copy names the currency once for the story: a bare scaled
    amount in a later sentence, or paragraph, takes the last MONEY's,
    with the stricter test of an amount before its sentence's MONEY (no
    DATE after it), unless a count came after that MONEY, which the
    amount is then more of.  The development sets' MONEY went from
    95.00 to 96.74 F1 (workers/ner/README.md, tenth round).  */
Test (numex, implied_currency_across_sentences)
{
    expect_render ("It earned 9 mln dlrs. Output was 40 mln.",
                   "MONEY[9 mln dlrs]=USD 9000000;MONEY[40 mln]=USD 40000000;");
    expect_render ("A 13 mln dlr deficit.\n\n    Imports were 2.6 billion against 2.8 billion.",
                   "MONEY[13 mln dlr]=USD 13000000;MONEY[2.6 billion]=USD 2600000000;"
                   "MONEY[2.8 billion]=USD 2800000000;");
    /* A count since: what follows is more of it.  */
    expect_render ("It earned 9 mln dlrs. Wheat fell from 17.8 mln tonnes to 13.5 mln.",
                   "MONEY[9 mln dlrs]=USD 9000000;");
    /* Not a count: an adverb after the amount.  */
    expect_render ("It rose to 1.1 billion stg from 953 mln previously. In guilders it fell"
                   " to 3.69 billion.",
                   "MONEY[1.1 billion stg]=GBP 1100000000;MONEY[953 mln]=GBP 953000000;"
                   "MONEY[3.69 billion]=GBP 3690000000;");
    /* The weaker test: a DATE after the amount does not do.  */
    expect_render ("It earned 9 mln dlrs. Output was 40 mln this year.",
                   "MONEY[9 mln dlrs]=USD 9000000;DATE[this year]=this year;");
}

/*  "won" before what was won is the verb, not Korea's currency.  */
Test (numex, won_the_verb)
{
    expect_render ("Halo 2 won three awards and Fahrenheit 9/11 won the prize.", "");
    expect_one ("paid 500 mln won for it", "MONEY", "500 mln won", "KRW 500000000");
}

/*  A word that is no keyword starts a MONEY only as a currency before its
    amount (the scan tries no pattern at other words): every such prefix,
    capitalised words that are none, and keywords at both ends of the
    table and of every length up to the longest.  */
Test (numex, currency_prefix_words_and_keyword_lookup)
{
    expect_one ("paid A$5 each", "MONEY", "A$5", "AUD 5");
    expect_one ("paid C$ 5 each", "MONEY", "C$ 5", "CAD 5");
    expect_one ("paid NT$300 each", "MONEY", "NT$300", "TWD 300");
    expect_one ("paid HK$2 billion", "MONEY", "HK$2 billion", "HKD 2000000000");
    expect_one ("paid S$5 each", "MONEY", "S$5", "SGD 5");
    expect_one ("paid Rs 500 each", "MONEY", "Rs 500", "INR 500");
    expect_one ("paid Rs. 500 each", "MONEY", "Rs. 500", "INR 500");
    expect_one ("paid GBP 5 each", "MONEY", "GBP 5", "GBP 5");
    expect_one ("paid EUR5m each", "MONEY", "EUR5m", "EUR 5000000");
    expect_none ("Reuters Smith ABCD 5 XYZ 5 Rsx 5 RS 5");
    /*  "a" and "yuan" open and close the table; "australian" is among the
        longest; a longer word is never a keyword.  */
    expect_one ("a few weeks", "DATE", "a few weeks", "a few weeks");
    expect_one ("worth five million yuan", "MONEY", "five million yuan", "CNY 5000000");
    expect_one ("worth 10 Australian dollars", "MONEY", "10 Australian dollars", "AUD 10");
    expect_one ("worth 10 AUSTRALIAN dollars", "MONEY", "10 AUSTRALIAN dollars", "AUD 10");
    expect_none ("worth 10 australianxx dollarsxx");
}

/*  Issue 14: the DATE forms of workers/ner/README.md's labelling rules
    ("DATE as in OntoNotes") and OntoNotes' conventions, on sentences
    written for these tests.  */

/*  A determiner of the expression is inside it.  */
Test (numex, relative_dates_with_determiners)
{
    expect_one ("The following year the mill was sold.", "DATE", "The following year",
                "the following year");
    expect_one ("Talks resume the following week in Oslo.", "DATE", "the following week",
                "the following week");
    expect_one ("in the preceding three months output fell", "DATE", "the preceding three months",
                "the preceding three months");
    expect_one ("Funds settle the next business day after", "DATE", "the next business day",
                "the next business day");
    expect_one ("Shares settle within three trading days of", "DATE", "three trading days",
                "three trading days");
    expect_one ("The club has won twice this season and", "DATE", "this season", "this season");
    expect_one ("He scored nine goals last season for", "DATE", "last season", "last season");
    expect_one ("The coach said earlier this season that", "DATE", "earlier this season",
                "earlier this season");
    expect_one ("The firm expects growth this fiscal year and", "DATE", "this fiscal year",
                "this fiscal year");
    expect_one ("Output fell in the current quarter as", "DATE", "the current quarter",
                "the current quarter");
    /* Forms that held before issue 14's DATE work; kept here with the rest.  */
    expect_one ("The board met last week to", "DATE", "last week", "last week");
    expect_one ("A vote is due next month in", "DATE", "next month", "next month");
    expect_one ("Costs rose over the past two years while", "DATE", "the past two years",
                "the past two years");
    expect_one ("Orders slowed in the last few weeks as", "DATE", "the last few weeks",
                "the last few weeks");
    expect_one ("Shares fell earlier in the week after", "DATE", "earlier in the week",
                "earlier in the week");
    expect_one ("He will decide later in the year on", "DATE", "later in the year",
                "later in the year");
    expect_none ("They met later in the day and");
    expect_none ("following the vote the mill was sold");
    expect_none ("the following reasons were given");
}

/*  Durations with a number or a number word, and "-long" adjectives.  */
Test (numex, durations)
{
    expect_one ("A year-long review ended.", "DATE", "year-long", "year-long");
    expect_one ("after a month-long strike by", "DATE", "month-long", "month-long");
    expect_one ("ended a two-year-long dispute over", "DATE", "two-year-long", "two-year-long");
    expect_one ("The strike lasted three months before", "DATE", "three months", "three months");
    expect_one ("It signed a two-year contract with", "DATE", "two-year", "two-year");
    expect_one ("The 20-year bond yield rose", "DATE", "20-year", "20-year");
    expect_one ("a three-day meeting of the", "DATE", "three-day", "three-day");
    expect_one ("Prices were flat for a decade until", "DATE", "a decade", "a decade");
    expect_one ("after two decades of growth", "DATE", "two decades", "two decades");
    expect_one ("NINE MTHS NET PROFIT", "DATE", "NINE MTHS", "nine mths");
}

/*  Weekdays and "today" / "yesterday" / "tomorrow" are DATE (OntoNotes;
    README.md's rules).  */
Test (numex, weekdays_and_day_words)
{
    expect_one ("The minister resigned on Tuesday after", "DATE", "Tuesday", "tuesday");
    expect_one ("Markets fell yesterday as", "DATE", "yesterday", "yesterday");
    expect_one ("The court rules tomorrow on", "DATE", "tomorrow", "tomorrow");
    expect_one ("Shares are higher today in", "DATE", "today", "today");
    expect_one ("It was agreed last Wednesday by", "DATE", "last Wednesday", "last wednesday");
    /* How often is no date ("every day", "each year"), as the news
       labels read it; tied to a date it is one (dates_joined_into_one).  */
    expect_none ("Prices rise each year by");
    expect_none ("Every day the queue grows");
    expect_none ("each country pays");
}

/*  Month names heading the columns of a table are DATE, abbreviations
    and "May" included; a lone abbreviation or "May" still needs a day,
    a year or a context word.  */
Test (numex, month_names_heading_table_columns)
{
    expect_render ("                Jan      Feb      Mar\nWheat          12.1     13.2     11.0",
                   "DATE[Jan]=jan;DATE[Feb]=feb;DATE[Mar]=mar;");
    expect_render ("             MAY     APRIL\nCorn           3.1      2.9",
                   "DATE[MAY]=may;DATE[APRIL]=april;");
    expect_none ("Jan Smith met May Jones.");
    expect_one ("Theresa May March 2019 visit", "DATE", "March 2019", "2019-03");
    /*  "May" between abbreviations is one of them.  */
    expect_render ("              Mar     May     Jul\n Wheat       2.88    2.70    2.55",
                   "DATE[Mar]=mar;DATE[May]=may;DATE[Jul]=jul;");
}

/*  Years, ranges of years and dates in digits heading the columns of a
    table (the USDA's and the wire's commodity tables), each a DATE as a
    month heading a column is; not a row of amounts that look like years,
    nor a heading that stands alone.  */
Test (numex, years_heading_table_columns)
{
    expect_render ("in mln bushels --\n                1986/87            1985/86\n"
                   " Exports         12.5               10.1",
                   "DATE[1986/87]=1986/87;DATE[1985/86]=1985/86;");
    expect_render ("    STORE          PCT      1987       1986\n    Food            4.1",
                   "DATE[1987]=1987;DATE[1986]=1986;");
    expect_render ("  Production -- 1987     1986\n  Wheat  4,100   3,900",
                   "DATE[1987]=1987;DATE[1986]=1986;");
    /*  A row of amounts, not years: too far apart, or the same twice.  */
    expect_none ("Tonnes\n    1950     2010\n");
    expect_none ("Tonnes\n    1986     1986\n");
    /*  One year at the start of a line is a value, as before.  */
    expect_none ("Total stocks\n    1986\n");
}

/*  Months in the wire's commodity tables: heading a row of values
    ("Jun   3097   7109", "Sep   ---"), before a quantity in a list
    ("Feb 872.0, Apr 10.0"), the exchanges' "Apl", "Jne", "Jly", and a
    column heading's year in two digits ("Feb 87   Jan 87", "Jan'87").
    A number across a column gap is no day or year of the month ("SEP
    21", "Jul 1195" in a row of prices), nor is one of a row of values
    a year ("JNE 2742  2750").  */
Test (numex, months_in_commodity_tables)
{
    expect_render ("Wheat exports were Feb 872.0, Apr 10.0, total 882.0.",
                   "DATE[Feb]=feb;DATE[Apr]=apr;");
    expect_render ("Cocoa closed:\n Jun    3097     7109    dn  140\n Sep     ---      ---\n",
                   "DATE[Jun]=jun;DATE[Sep]=sep;");
    expect_render ("Coffee:\n Jly 1195 1210\n Sep    21    130\n JNE 2742  2750\n",
                   "DATE[Jly]=jly;DATE[Sep]=sep;DATE[JNE]=jne;");
    expect_render ("Stocks:\n                March 87  Feb 87    March 86\n"
                   "    Crude Rubber     41,536   42,094     49,551\n",
                   "DATE[March 87]=1987-03;DATE[Feb 87]=1987-02;DATE[March 86]=1986-03;");
    expect_one ("Shipments in Feb'87 rose.", "DATE", "Feb'87", "1987-02");
    expect_one ("Durum Apl/May 139.50 up one", "DATE", "Apl/May", "apl/may");
    /*  A two-digit number before a word is no year, and a word "Mar" or
        "Dec" in prose is no month.  */
    expect_render ("He said May 45 pct would go.", "PERCENT[45 pct]=45%;");
    expect_render ("The Dec 50 tonnes were shipped.", "");
    expect_none ("Del Mar Avionics won the order.");
}

/*  Dates in digits and slashes, the wire's month first: "5/14/82",
    "02/28/87"; the day first only where the first number cannot be a
    month.  Not a fraction, a longer run of slashes, an impossible day, or
    digits stuck to either end.  */
Test (numex, dates_in_digits)
{
    expect_one ("Level V covers wheat entered after 5/14/82, it said.", "DATE", "5/14/82",
                "1982-05-14");
    expect_one (" AMOCO.......2/23/87........17.50.....16.60", "DATE", "2/23/87", "1987-02-23");
    expect_one ("Stocks as of 12/31/1986 were firm.", "DATE", "12/31/1986", "1986-12-31");
    expect_one ("It was signed on 28/02/87 in Lagos.", "DATE", "28/02/87", "1987-02-28");
    expect_one ("due 3/1/05 at par", "DATE", "3/1/05", "2005-03-01");
    expect_render ("          02/28/87    01/31/87  02/28/86\n Wheat    450    420    380",
                   "DATE[02/28/87]=1987-02-28;DATE[01/31/87]=1987-01-31;"
                   "DATE[02/28/86]=1986-02-28;");
    expect_none ("The note rose 13/16 to 101.");
    expect_none ("Code 1/2/3/4 was used.");
    expect_none ("Part 5/14/82a was used.");
    expect_none ("It said 2/30/87 was the date.");
    expect_none ("It said 13/13/87 was the date.");
}

/*  Months alone, with a year, and ranges of days in a month.  */
Test (numex, months_and_day_ranges)
{
    expect_one ("Deliveries resumed in October and", "DATE", "October", "october");
    expect_one ("Deliveries resumed in October 1987 and", "DATE", "October 1987", "1987-10");
    expect_one ("The show runs May 3 to 6 in Leeds.", "DATE", "May 3 to 6", "may 3 to 6");
    expect_one ("The show runs June 10-14, 1987 in Leeds.", "DATE", "June 10-14, 1987",
                "june 10-14, 1987");
    expect_one ("The show runs 10-14 June in Leeds.", "DATE", "10-14 June", "10-14 june");
    expect_one ("The show runs 10 to 14 June 1987 in Leeds.", "DATE", "10 to 14 June 1987",
                "10 to 14 june 1987");
    /* Wire copy writes days below ten as words.  */
    expect_one ("The cut takes effect April one.", "DATE", "April one", "april one");
    expect_one ("The cut takes effect March two, 1987, it said.", "DATE", "March two, 1987",
                "1987-03-02");
    expect_one ("In May one analyst said", "DATE", "May", "may");
    char *r0 = render ("In June one of them left two years ago.");
    cr_expect_str_eq (r0, "DATE[June]=june;DATE[two years ago]=two years ago;");
    free (r0);
    /* "May" after "in" at the start of the text (the context word's own
       gap was read, so a first "In May" was missed); not after "her".  */
    expect_one ("In May the plant shut.", "DATE", "May", "may");
    expect_none ("He told her May would go.");
    expect_none ("prices in\n\nMay rose");
    /* No range: the second day not after the first, past the month's end,
       or an amount (a day before a hyphen is no day, as before).  */
    expect_render ("The show runs June 14-10 in Leeds.",
                   "DATE[June]=june;");
    expect_render ("The show runs February 27-30 in Leeds.",
                   "DATE[February]=february;");
    expect_render ("In June 3 to 6 pct of staff left.",
                   "DATE[June 3]=june 3;PERCENT[6 pct]=6%;");
}

/*  Wire copy's periods: "end-March", "mid-1987", ranges of years,
    decades, quarters and halves tied to a year.  */
Test (numex, wire_copy_periods)
{
    expect_one ("Stocks at end-March were", "DATE", "end-March", "end-march");
    expect_one ("Stocks at end-June 1987 were", "DATE", "end-June 1987", "end-june 1987");
    expect_one ("Debt at end-1986 was", "DATE", "end-1986", "end-1986");
    expect_one ("Debt at end-year was", "DATE", "end-year", "end-year");
    expect_one ("the year-end accounts show", "DATE", "year-end", "year-end");
    expect_one ("By mid-1987 output had", "DATE", "mid-1987", "mid-1987");
    expect_one ("a mid-year review of", "DATE", "mid-year", "mid-year");
    expect_one ("against the year-earlier figure", "DATE", "year-earlier", "year-earlier");
    expect_one ("Output in 1974-78 grew", "DATE", "1974-78", "1974-78");
    expect_one ("Output in 1985-1990 grew", "DATE", "1985-1990", "1985-1990");
    expect_one ("Output in 1986/87 grew", "DATE", "1986/87", "1986/87");
    expect_one ("It was a hit in the 1980s with", "DATE", "the 1980s", "the 1980s");
    expect_one ("It was a hit in the mid-1980s with", "DATE", "the mid-1980s", "the mid-1980s");
    expect_one ("Profit rose in the fourth quarter of 1986 as", "DATE", "the fourth quarter of 1986",
                "the fourth quarter of 1986");
    expect_one ("Profit rose in the 1986 fourth quarter as", "DATE", "the 1986 fourth quarter",
                "the 1986 fourth quarter");
    expect_one ("Profit rose in 1986 fourth quarter as", "DATE", "1986 fourth quarter",
                "1986 fourth quarter");
    expect_one ("Profit rose in the fourth quarter 1986 as", "DATE", "the fourth quarter 1986",
                "the fourth quarter 1986");
    expect_one ("XYZ CORP 4TH QTR NET", "DATE", "4TH QTR", "4th qtr");
    expect_one ("XYZ CORP FOURTH QTR LOSS", "DATE", "FOURTH QTR", "fourth qtr");
    expect_one ("a fourth-quarter loss of", "DATE", "fourth-quarter", "fourth-quarter");
    expect_one ("Profit rose in the first half of 1986 as", "DATE", "the first half of 1986",
                "the first half of 1986");
    expect_one ("Profit rose in the first half of the year as", "DATE",
                "the first half of the year", "the first half of the year");
    expect_one ("Profit rose in its 1987 first half as", "DATE", "1987 first half",
                "1987 first half");
    /* A year after a possessive, as after "its".  */
    expect_one ("the director's 1946 film was", "DATE", "1946", "1946");
    expect_one ("her 1990 album was", "DATE", "1990", "1990");
    expect_one ("Crops fell in the 1986/87 season as", "DATE", "the 1986/87 season",
                "the 1986/87 season");
    expect_one ("Crops fell in the 1986/87 crop year as", "DATE", "the 1986/87 crop year",
                "the 1986/87 crop year");
    expect_one ("It earned more in the 1985/86 year than", "DATE", "the 1985/86 year",
                "the 1985/86 year");
    /* Not a range: a later year must come second, nothing after it.  */
    expect_none ("Output in 1987-85 grew");
    expect_none ("the code 1986/87/88 is");
    expect_one ("on 2019-03-31 it", "DATE", "2019-03-31", "2019-03-31");
    expect_none ("account 2019-03 only");
}

Test (numex, fiscal_years)
{
    expect_one ("Sales rose in fiscal 1986/87 to", "DATE", "fiscal 1986/87", "fiscal 1986/87");
    expect_one ("Sales rose in fiscal year 1988 to", "DATE", "fiscal year 1988", "fiscal year 1988");
    expect_one ("Sales rose in the 1987 fiscal year to", "DATE", "the 1987 fiscal year",
                "the 1987 fiscal year");
    expect_one ("Sales rose in the first fiscal quarter to", "DATE", "the first fiscal quarter",
                "the first fiscal quarter");
    expect_one ("Sales rose in fiscal 1987 first quarter to", "DATE", "fiscal 1987 first quarter",
                "fiscal 1987 first quarter");
}

/*  What README.md's rules say is no DATE: a bare "the year", "for
    years", ages, "17th year", frequency words, "previous seasons", and
    the first half without its year (a match's half as often).  */
Test (numex, not_dates_of_the_rules)
{
    expect_none ("The year was a hard one for farmers.");
    expect_none ("Prices were set for the week by the board.");
    expect_none ("He has lived there for years and");
    expect_none ("A 25-year-old man was held.");
    expect_none ("A two-month-old foal was sold.");
    /* The rules leave out the hyphenated age; "three months old" keeps
       its duration, as OntoNotes does.  */
    expect_one ("files more than three months old are", "DATE", "three months", "three months");
    expect_none ("It is his 17th year in office.");
    expect_none ("The annual report and monthly and quarterly data are out.");
    expect_none ("He did better than in previous seasons.");
    expect_none ("He did better than in the previous seasons.");
    expect_none ("He did better than in recent seasons.");
    expect_none ("He scored in the second half.");
    expect_none ("She ran a season's best in Rome.");
}

/*  A period with its end is one DATE, as "of 1986" is: "the three months
    to September", "the year ended March 31".  */
Test (numex, periods_with_their_end)
{
    expect_one ("Sales rose in the three months to September and", "DATE",
                "the three months to September", "the three months to september");
    expect_one ("Sales rose in the 12 months to March 31, 1987 and", "DATE",
                "the 12 months to March 31, 1987", "the 12 months to march 31, 1987");
    expect_one ("Net rose in the year ended March 31 and", "DATE", "the year ended March 31",
                "the year ended march 31");
    expect_one ("Net rose in the fiscal year ending June 30 and", "DATE",
                "the fiscal year ending June 30", "the fiscal year ending june 30");
    expect_one ("Net rose in the year to end-March and", "DATE", "the year to end-March",
                "the year to end-march");
    expect_one ("Net rose in the nine months to 30 June and", "DATE", "the nine months to 30 June",
                "the nine months to 30 june");
    expect_one ("Net rose in the two years to 1990 and", "DATE", "the two years to 1990",
                "the two years to 1990");
    expect_one ("Net rose in the first half to June and", "DATE", "the first half to June",
                "the first half to june");
    expect_one ("YEAR ENDED DEC 31 NET", "DATE", "YEAR ENDED DEC 31", "year ended dec 31");
    expect_one ("Grain moved in the week ended February 27 and", "DATE",
                "the week ended February 27", "the week ended february 27");
    /* No end: "to" before a verb, a bare "the year".  */
    expect_one ("It took three months to complete.", "DATE", "three months", "three months");
    expect_none ("The year to date was good.");
}

/*  Centuries and the weekend (OntoNotes DATE, README.md's rules as
    decided for issue 14's second round): the article and an edge word
    are inside; "the day" alone stays out like "the week".  */
Test (numex, centuries_and_the_weekend)
{
    expect_one ("Ships like hers were built in the 19th century by hand.", "DATE",
                "the 19th century", "the 19th century");
    expect_one ("It was a hit of the late 20th Century in Europe.", "DATE",
                "the late 20th Century", "the late 20th century");
    expect_one ("A 21st-century plan was drawn up.", "DATE", "21st-century", "21st-century");
    expect_one ("Prices were lower around the turn of the century when", "DATE",
                "the turn of the century", "the turn of the century");
    expect_one ("The shop was shut over the weekend and", "DATE", "the weekend", "the weekend");
    expect_none ("He spent the day in court.");
    expect_none ("The 21st player signed.");
    /* A century that modifies a noun leaves the article to the noun (the
       news labels); "the turn of" an ordinal century is one DATE; in a
       name in title case it is no date.  */
    expect_one ("The 18th Century painting stayed in storage.", "DATE", "18th Century",
                "18th century");
    expect_one ("a play by the 18th-Century dramatist Marivaux", "DATE", "18th-Century",
                "18th-century");
    expect_one ("billed as the Walkman of the 21st Century and sold", "DATE", "the 21st Century",
                "the 21st century");
    expect_one ("a novel about magic at the turn of the 19th Century and more", "DATE",
                "the turn of the 19th Century", "the turn of the 19th century");
    expect_one ("A novel set in 19th century Paraguay won", "DATE", "19th century", "19th century");
    expect_none ("a film released by 20th Century Fox last");
}

/*  "prior" reads as "previous"; "year end" as "year-end"; "the year
    before" / "a month before" closing a clause.  */
Test (numex, prior_year_end_and_before)
{
    expect_one ("Net rose from 3.1 in the prior year.", "DATE", "the prior year", "the prior year");
    expect_one ("Prior year net included a gain.", "DATE", "Prior year", "prior year");
    expect_one ("The sale should close by year end, it said.", "DATE", "year end", "year end");
    expect_one ("Stocks stood at 4.2 at year end 1986.", "DATE", "year end 1986", "year end 1986");
    expect_one ("Output fell from 80 the year before.", "DATE", "the year before", "the year before");
    expect_one ("It had been 12 a month before, it said.", "DATE", "a month before", "a month before");
    expect_none ("Prior to the sale it was a unit.");
    /* "before" introducing a clause or a noun is a preposition.  */
    expect_none ("It was the year before the war ended.");
}

/*  A year after "for", "into" or "due" ("profits for 1987", "notes due
    1997"); counts after them stay counts.  */
Test (numex, year_after_for_into_due)
{
    expect_one ("It forecast higher profits for 1987.", "DATE", "1987", "1987");
    expect_one ("Growth should carry into 1991 as well.", "DATE", "1991", "1991");
    expect_one ("It sold notes due 2005 to banks.", "DATE", "2005", "2005");
    expect_none ("It asked for 1,987 tonnes.");
}

/*  Wire copy's other currencies: lire, pesetas, kronor; crowns of an
    unnamed country keep the phrase; Belgian francs are not Swiss.  */
Test (numex, more_currencies)
{
    expect_one ("It will issue 3,000 billion lire of paper.", "MONEY", "3,000 billion lire",
                "ITL 3000000000000");
    expect_one ("A 105 billion peseta plan was unveiled.", "MONEY", "105 billion peseta",
                "ESP 105000000000");
    expect_one ("Sales were 9.5bn kronor in the", "MONEY", "9.5bn kronor", "SEK 9500000000");
    expect_one ("Reserves rose to 36.34 billion crowns from", "MONEY", "36.34 billion crowns",
                "36.34 billion crowns");
    expect_one ("Reserves rose to 36.34 billion Danish crowns from", "MONEY",
                "36.34 billion Danish crowns", "DKK 36340000000");
    expect_one ("It paid 12 Norwegian crowns a share.", "MONEY", "12 Norwegian crowns", "NOK 12");
    expect_one ("It paid 40 Belgian francs a share.", "MONEY", "40 Belgian francs", "BEF 40");
    expect_none ("The Triple Crown went to a colt.");
}

/*  "the same period" with the date it is taken from is one DATE; alone
    it is none.  */
Test (numex, the_same_period_with_its_date)
{
    expect_one ("Sales rose from the same month last year.", "DATE", "the same month last year",
                "the same month last year");
    expect_one ("Up from 12 in the same period a year ago, it said.", "DATE",
                "the same period a year ago", "the same period a year ago");
    expect_one ("Down from 3.1 in the same quarter of 1985.", "DATE", "the same quarter of 1985",
                "the same quarter of 1985");
    expect_one ("Up from 2.01 in the same period of the previous year.", "DATE",
                "the same period of the previous year", "the same period of the previous year");
    expect_none ("At the same time the team signed a forward.");
    expect_none ("The same period saw rain.");
}

/*  Wire copy's money adjectives ("a 45-mln-dlr loan") are MONEY; a
    weight in pounds is not.  */
Test (numex, hyphenated_money_adjectives)
{
    expect_one ("It took a 45-mln-dlr charge.", "MONEY", "45-mln-dlr", "USD 45000000");
    expect_one ("It took a 930,000-dlr charge.", "MONEY", "930,000-dlr", "USD 930000");
    expect_one ("It made an 8.16-billion-stg bid.", "MONEY", "8.16-billion-stg", "GBP 8160000000");
    expect_none ("He carried a 10-pound bag.");
    expect_one ("It made a 28-dlr-a-share offer.", "MONEY", "28-dlr", "USD 28");
}

/*  A season of the year with its article is a DATE ("in the summer"), not
    when it modifies a noun.  */
Test (numex, seasons_with_the_article)
{
    expect_one ("A deal may come in the summer, he said.", "DATE", "the summer", "the summer");
    expect_one ("Rates have risen since the autumn and", "DATE", "the autumn", "the autumn");
    expect_one ("The group meets in the Spring 1987.", "DATE", "the Spring 1987", "the spring 1987");
    expect_none ("Frost hurt the winter wheat.");
    expect_none ("He backs the winter break.");
    expect_none ("It sold well in the Summer Sale.");
}

/*  A range of amounts, percentages or periods is one span (OntoNotes;
    README.md's rules: "a maturity range in a table ("60-90 days")
    DATE"); "from 8 to 12 pct" is a change, "412,000 or 9 cts" two
    figures, and people of an age no period.  */
Test (numex, ranges_of_amounts_and_periods)
{
    expect_one ("Spending will be in the 25-30 mln dlr range.", "MONEY", "25-30 mln dlr",
                "25-30 mln dlr");
    expect_one ("It set aside another 12-14 mln dlrs for it.", "MONEY", "12-14 mln dlrs",
                "12-14 mln dlrs");
    expect_one ("Costs could climb 8 to 12 pct, it said.", "PERCENT", "8 to 12 pct", "8 to 12 pct");
    expect_one ("Costs could climb two to three pct, it said.", "PERCENT", "two to three pct",
                "two to three pct");
    expect_one ("Rates rose from 8 to 12 pct.", "PERCENT", "12 pct", "12%");
    expect_one ("Bills of 30-60 days fell.", "DATE", "30-60 days", "30-60 days");
    expect_one ("It will take two to three years, he said.", "DATE", "two to three years",
                "two to three years");
    expect_one ("It will take 12 or 18 months, he said.", "DATE", "12 or 18 months",
                "12 or 18 months");
    expect_one ("It had a loss of 412,000 or 9 cts a share.", "MONEY", "9 cts", "USD 0.09");
    expect_none ("The team won 3-1 at home.");
    expect_none ("A poll of 18 to 24 year olds was taken.");
    expect_none ("A poll of 16 to 20-year-olds was taken.");
}

/*  "and a half" after a number in words.  */
Test (numex, and_a_half)
{
    expect_one ("Our forecast is two and a half pct, he said.", "PERCENT", "two and a half pct", "2.5%");
    expect_one ("He was jailed for three and a half years.", "DATE", "three and a half years",
                "three and a half years");
}

/*  Periods named by a month: a quarter by the month it ends ("the June
    quarter", "the January/March quarter"), a year ended in a month ("the
    March year"), a quarter ended on a day ("the April 30 third
    quarter"); two months sharing their year are one DATE.  */
Test (numex, periods_named_by_a_month)
{
    expect_one ("Credit grew fast in the June quarter.", "DATE", "the June quarter", "the june quarter");
    expect_one ("Output rose in the January/March quarter.", "DATE", "the January/March quarter",
                "the january/march quarter");
    expect_one ("Growth slowed in the March year.", "DATE", "the March year", "the march year");
    expect_one ("The February year on year fall was small.", "DATE", "February", "february");
    expect_one ("It lost money in the April 30 third quarter.", "DATE", "the April 30 third quarter",
                "the april 30 third quarter");
    expect_one ("Sales slowed in July and\nAugust last year.", "DATE", "July and\nAugust last year",
                "july and august last year");
    expect_one ("Stocks fell in May or June 1986.", "DATE", "May or June 1986", "may or june 1986");
    expect_render ("Sales fell in March and prices in April.",
                   "DATE[March]=march;DATE[April]=april;");
}

/*  Relative dates of wire copy: "earlier today", a period with its
    start, "that month", "the latest week", "mid April" (a space, not a
    hyphen), "calendar 1985", a year after "sooner than", a bare period
    closing its clause with its article, year-ago periods.  */
Test (numex, more_relative_dates)
{
    expect_one ("He said earlier today that it would.", "DATE", "earlier today", "earlier today");
    expect_one ("The rate for the week starting from June 8 is high.", "DATE",
                "the week starting from June 8", "the week starting from june 8");
    expect_one ("Aid for the year beginning July 1 was cut.", "DATE", "the year beginning July 1",
                "the year beginning july 1");
    expect_one ("Exports fell that month and rose later.", "DATE", "that month", "that month");
    expect_one ("Prices fell earlier that week.", "DATE", "earlier that week", "earlier that week");
    expect_none ("He said that May would go.");
    expect_none ("That day was cold.");
    expect_none ("It grows so that year-round output rises.");
    expect_one ("Yields fell in the latest week.", "DATE", "the latest week", "the latest week");
    expect_one ("The latest January figures rose.", "DATE", "January", "january");
    expect_one ("It will be ready in mid April.", "DATE", "mid April", "mid april");
    expect_none ("He stopped mid sentence.");
    expect_one ("Net fell in calendar 1985.", "DATE", "calendar 1985", "calendar 1985");
    expect_one ("Not back any sooner than 2009, he said.", "DATE", "2009", "2009");
    expect_none ("It cut more than 2000 jobs.");
    expect_one ("For the nine months, sales rose.", "DATE", "the nine months", "the nine months");
    expect_one ("It was idle for the four years after it closed.", "DATE", "four years", "four years");
    expect_one ("Orders rose over the corresponding prior-year\nperiod.", "DATE",
                "the corresponding prior-year\nperiod", "the corresponding prior-year period");
    expect_one ("Net fell from the year-ago quarter.", "DATE", "the year-ago quarter",
                "the year-ago quarter");
    expect_one ("Sales rose from the comparable period last year.", "DATE",
                "the comparable period last year", "the comparable period last year");
    /* "last" the verb after a modal: the duration alone.  */
    expect_one ("The talks would last two or three days.", "DATE", "two or three days",
                "two or three days");
    expect_one ("Sales fell compared to last year.", "DATE", "last year", "last year");
}

/*  An implied currency before a word that shows no noun follows: a
    preposition that is no keyword ("at", "for"), or a word starting a
    DATE ("this year", "a year earlier").  */
Test (numex, implied_currency_before_at_and_for)
{
    expect_render ("Loans rose to 12.4 billion dlrs, up from 11.9 billion at the end.",
                   "MONEY[12.4 billion dlrs]=USD 12400000000;"
                   "MONEY[11.9 billion]=USD 11900000000;");
    expect_render ("It will spend 2,310 billion yen, including 85 billion for roads.",
                   "MONEY[2,310 billion yen]=JPY 2310000000000;"
                   "MONEY[85 billion]=JPY 85000000000;");
}

Test (numex, implied_currency_before_a_date)
{
    expect_render ("Net will drop to 512 billion yen from a forecast 540 billion this year.",
                   "MONEY[512 billion yen]=JPY 512000000000;"
                   "MONEY[540 billion]=JPY 540000000000;DATE[this year]=this year;");
    expect_render ("Its outlay is 3.1 billion yen, against a total of 2.7 billion a year earlier.",
                   "MONEY[3.1 billion yen]=JPY 3100000000;"
                   "MONEY[2.7 billion]=JPY 2700000000;DATE[a year earlier]=a year earlier;");
}

/*  A count stays a count, before a noun or a DATE-less word, and the
    currency is taken only from an earlier MONEY of the same sentence.  */
Test (numex, implied_currency_keeps_counts)
{
    expect_render ("It earned 9 mln dlrs and issued 40 mln shares last year.",
                   "MONEY[9 mln dlrs]=USD 9000000;DATE[last year]=last year;");
    expect_render ("It has 1.4 billion people at home and earned 6 billion dlrs.",
                   "MONEY[6 billion dlrs]=USD 6000000000;");
    expect_render ("Output was 40 mln this year, after 9 mln dlrs of sales.",
                   "DATE[this year]=this year;MONEY[9 mln dlrs]=USD 9000000;");
}

/*  Pence written "700p" in a sterling text: a cue earlier in the text,
    later in the sentence, or "a share" after the amount.  */
Test (numex, pence_written_p_with_a_sterling_cue)
{
    expect_render ("Profit rose to 8 mln stg. The shares rose 14p to 615p.",
                   "MONEY[8 mln stg]=GBP 8000000;MONEY[14p]=GBP 0.14;MONEY[615p]=GBP 6.15;");
    expect_render ("Shares rose to 312.5p as sales reached 40 mln pounds.",
                   "MONEY[312.5p]=GBP 3.125;MONEY[40 mln pounds]=GBP 40000000;");
    expect_one ("It will pay a final dividend of 6.2p a share.", "MONEY", "6.2p", "GBP 0.062");
    expect_one ("It will pay 3p per share.", "MONEY", "3p", "GBP 0.03");
}

/*  A bracketed amount right after a MONEY converts it: money too.  */
Test (numex, pence_converting_an_amount)
{
    expect_render ("A licence costs $2 (107p) a day.",
                   "MONEY[$2]=USD 2;MONEY[107p]=GBP 1.07;");
    expect_none ("The screen (1080p) is large.");
}

Test (numex, video_formats_are_no_pence)
{
    expect_none ("The set shows 1080p and 720p video.");
    expect_none ("Video: 1080p. It sold well.");
}

/*  "1.6 or 1.7 billion dlrs": a mantissa sharing the scale of the
    amount after "or" is one MONEY, as "45-50 mln dlrs" is; "412,000 or
    9 cts" stays two figures.  */
Test (numex, or_range_sharing_a_scale)
{
    expect_one ("It may cost 2.4 or 2.6 billion dlrs, it said.", "MONEY", "2.4 or 2.6 billion dlrs",
                "2.4 or 2.6 billion dlrs");
    expect_one ("It may cost 2.4 or 2.6bn dlrs, it said.", "MONEY", "2.4 or 2.6bn dlrs",
                "2.4 or 2.6bn dlrs");
    expect_one ("It had a loss of 318,000 or 7 cts a share.", "MONEY", "7 cts", "USD 0.07");
    expect_one ("It had a loss of 3.2 or 7 cts a share.", "MONEY", "7 cts", "USD 0.07");
    expect_none ("They traded 2.4 or 2.6 billion shares.");
}

/*  An ordinal week, month or day of a month or year is one DATE with
    its article ("the fourth week of February"); closing a clause, "the
    third week" alone; "the week" without the ordinal stays none.  */
Test (numex, ordinal_week_of_a_month)
{
    expect_one ("Sales slowed in the second week of October.", "DATE", "the second week of October",
                "the second week of october");
    expect_one ("Talks begin in the first week of June 1988.", "DATE", "the first week of June 1988",
                "the first week of june 1988");
    expect_one ("Talks end in the last week of July.", "DATE", "the last week of July",
                "the last week of july");
    expect_one ("Rates eased in the third week of the month.", "DATE", "the third week of the month",
                "the third week of the month");
}

Test (numex, ordinal_week_closing_a_clause)
{
    expect_one ("Rates eased in the third week.", "DATE", "the third week", "the third week");
    expect_one ("By the fourth week, rates eased.", "DATE", "the fourth week", "the fourth week");
    expect_none ("In the first week he sold nothing.");
    expect_none ("The day of the first test came.");
    expect_none ("It rose over the week.");
}

Test (numex, month_end_as_year_end)
{
    expect_one ("Cash rose at month-end, it said.", "DATE", "month-end", "month-end");
    expect_one ("Cash will be paid at month end.", "DATE", "month end", "month end");
    expect_one ("The month-end figures rose.", "DATE", "month-end", "month-end");
    expect_none ("The monthly end came.");
}

/*  "the month-end" / "the year-end" closing a clause keep the article,
    as a bare period closing its clause does ("For the nine months,").  */
Test (numex, month_end_with_its_article)
{
    expect_one ("Funds must arrive before the month-end.", "DATE", "the month-end", "the month-end");
    expect_one ("Debt fell by the year-end, it said.", "DATE", "the year-end", "the year-end");
    expect_one ("The month-end balance fell.", "DATE", "month-end", "month-end");
}

/*  "vs", "vs." and "versus" join amounts: a bare scaled amount on either
    side of one takes the currency of the MONEY on the other, and a
    number in words with a scale is such an amount as digits are.  */
Test (numex, implied_currency_across_vs)
{
    expect_render ("Debt fell to 512 mln dlrs vs one billion.",
                   "MONEY[512 mln dlrs]=USD 512000000;MONEY[one billion]=USD 1000000000;");
    expect_render ("Lending rose to 3.41 billion dlrs vs. 702 mln.",
                   "MONEY[3.41 billion dlrs]=USD 3410000000;MONEY[702 mln]=USD 702000000;");
    expect_render ("Lending rose to 702 mln vs. 3.41 billion dlrs.",
                   "MONEY[702 mln]=USD 702000000;MONEY[3.41 billion dlrs]=USD 3410000000;");
    expect_render ("Costs were two billion versus 1.5 billion yen.",
                   "MONEY[two billion]=JPY 2000000000;MONEY[1.5 billion yen]=JPY 1500000000;");
}

/*  No MONEY on the other side of "vs": a count stays a count.  */
Test (numex, vs_without_money_keeps_counts)
{
    expect_none ("Output was 702 mln vs. 3.41 billion tonnes.");
    expect_none ("It issued 40 mln shares vs 32 mln.");
    expect_none ("Output was one billion vs two billion.");
}

/*  A MONEY whose canonical is its phrase ("six billion crowns", no
    country named) still implies its currency: a bare amount after it in
    the sentence is MONEY, its canonical its own phrase with the
    antecedent's currency words, as the antecedent's is.  */
Test (numex, implied_currency_named_by_a_phrase)
{
    expect_render ("Profit was five billion crowns, up from 3.72 billion in 1985.",
                   "MONEY[five billion crowns]=five billion crowns;"
                   "MONEY[3.72 billion]=3.72 billion crowns;DATE[1985]=1985;");
    expect_render ("Earnings were one billion crowns in 1986 vs 744.5 mln last year.",
                   "MONEY[one billion crowns]=one billion crowns;DATE[1986]=1986;"
                   "MONEY[744.5 mln]=744.5 mln crowns;DATE[last year]=last year;");
    expect_render ("Sales were 90 mln vs 85 mln shillings.",
                   "MONEY[90 mln]=90 mln shillings;MONEY[85 mln shillings]=85 mln shillings;");
}

/*  Reuters earnings tables: every amount of a row headed Net, Oper net,
    Revs, Sales, ... is money, in the currency of the last MONEY before
    it, plain digits too and with "profit" / "loss" before them.  */
Test (numex, earnings_table_rows)
{
    expect_render ("ACME CORP 1ST QTR NET\n\nDENVER - Shr profit six cts vs loss 1.24 dlrs\n"
                   "    Net profit 512,330 vs loss 8.1 mln\n"
                   "    Revs 22.6 mln vs 20.4 mln\n"
                   "    Avg shrs 3,812,004 vs 3,790,115\n",
                   "DATE[1ST QTR]=1st qtr;MONEY[six cts]=USD 0.06;MONEY[1.24 dlrs]=USD 1.24;"
                   "MONEY[512,330]=USD 512330;MONEY[8.1 mln]=USD 8100000;"
                   "MONEY[22.6 mln]=USD 22600000;MONEY[20.4 mln]=USD 20400000;");
    expect_render ("Shr 41 cts vs 33 cts\n    Oper net profit 2,104,000 vs 1,880,000\n"
                   "    Oper net 2,104,000 vs loss 96,000\n    Sales 4.3 mln vs. 3.9 mln\n",
                   "MONEY[41 cts]=USD 0.41;MONEY[33 cts]=USD 0.33;"
                   "MONEY[2,104,000]=USD 2104000;MONEY[1,880,000]=USD 1880000;"
                   "MONEY[2,104,000]=USD 2104000;MONEY[96,000]=USD 96000;"
                   "MONEY[4.3 mln]=USD 4300000;MONEY[3.9 mln]=USD 3900000;");
}

/*  Not a row: share counts, a row with no MONEY before it in the text,
    a head in prose, a row with something else than amounts and "vs".  */
Test (numex, earnings_table_rows_need_money_and_a_row)
{
    expect_none ("Net profit 512,330 vs loss 8.1 mln\n    Revs 22.6 mln vs 20.4 mln\n");
    expect_render ("Shr 41 cts vs 33 cts\n    Avg shrs 3,812,004 vs 3,790,115\n"
                   "    Shrs 3,812,004 vs 3,790,115\n"
                   "    Net income rose 12 pct to 4,100 units\n"
                   "    Sales 4,100 units vs 3,900\n",
                   "MONEY[41 cts]=USD 0.41;MONEY[33 cts]=USD 0.33;PERCENT[12 pct]=12%;");
}

/*  Country abbreviations before "dlrs", and a singular currency word in
    a money adjective.  */
Test (numex, dollars_with_a_country_abbreviation)
{
    expect_one ("Reserves hit 4.12 billion N.Z. Dlrs last", "MONEY", "4.12 billion N.Z. Dlrs", "NZD 4120000000");
    expect_one ("Reserves hit 6.3 billion H.K. dlrs in", "MONEY", "6.3 billion H.K. dlrs", "HKD 6300000000");
    expect_one ("a loan of 15 mln Aust dlrs to", "MONEY", "15 mln Aust dlrs", "AUD 15000000");
    expect_one ("a loan of 15 mln Can dlrs to", "MONEY", "15 mln Can dlrs", "CAD 15000000");
    expect_one ("a loan of 15 mln NZ dlrs to", "MONEY", "15 mln NZ dlrs", "NZD 15000000");
    expect_none ("It sold 15 mln Can of soup.");
}

Test (numex, money_adjective_with_a_singular_currency)
{
    expect_one ("It ran a three billion shilling deficit.", "MONEY", "three billion shilling",
                "three billion shilling");
    expect_one ("It ran a three billion dollar deficit.", "MONEY", "three billion dollar", "USD 3000000000");
}

/*  Two scaled amounts joined by "to" are one MONEY, a range, its
    canonical the phrase; a change ("from", "by", "rose", a verb in -ed)
    is two figures.  */
Test (numex, range_of_scaled_amounts)
{
    expect_render ("Profit was 1.9 billion dlrs, above forecasts of 870 mln to one billion.",
                   "MONEY[1.9 billion dlrs]=USD 1900000000;"
                   "MONEY[870 mln to one billion]=870 mln to one billion;");
    expect_one ("Analysts see 870 mln to one billion dlrs.", "MONEY", "870 mln to one billion dlrs",
                "870 mln to one billion dlrs");
    expect_render ("Debt was 5 mln dlrs; it rose 870 mln to one billion.",
                   "MONEY[5 mln dlrs]=USD 5000000;MONEY[870 mln]=USD 870000000;"
                   "MONEY[one billion]=USD 1000000000;");
    expect_render ("Debt was 5 mln dlrs; it climbed 870 mln to one billion.",
                   "MONEY[5 mln dlrs]=USD 5000000;MONEY[870 mln]=USD 870000000;"
                   "MONEY[one billion]=USD 1000000000;");
    /*  A change with a word of approximation before it; a change to a
        level many times its size; a wide range said to be one.  */
    expect_render ("Debt was 5 mln dlrs; it rose around 870 mln to one billion.",
                   "MONEY[5 mln dlrs]=USD 5000000;MONEY[870 mln]=USD 870000000;"
                   "MONEY[one billion]=USD 1000000000;");
    expect_render ("Reserves were 5 mln dlrs; an increase of 300 mln to 86.6 billion.",
                   "MONEY[5 mln dlrs]=USD 5000000;MONEY[300 mln]=USD 300000000;"
                   "MONEY[86.6 billion]=USD 86600000000;");
    expect_one ("Tags of between one mln to 20 mln dlrs each.", "MONEY", "one mln to 20 mln dlrs",
                "one mln to 20 mln dlrs");
}

/*  The scan tries each pattern only at a token that can start it (issue
    14's speed work): the patterns whose first token is a word, not a
    number, are still found.  */
Test (numex, patterns_starting_with_a_word)
{
    expect_one ("It paid a billion dlrs.", "MONEY", "a billion dlrs", "USD 1000000000");
    expect_one ("It lost billions of dollars.", "MONEY", "billions of dollars",
                "billions of dollars");
    expect_one ("It costs Rs 500.", "MONEY", "Rs 500", "INR 500");
    expect_one ("It raised HK$ 5 mln.", "MONEY", "HK$ 5 mln", "HKD 5000000");
    expect_one ("It paid USD 5 mln.", "MONEY", "USD 5 mln", "USD 5000000");
    expect_one ("It rose a hundred percent.", "PERCENT", "a hundred percent", "100%");
    expect_one ("Profit in fiscal 1988 rose.", "DATE", "fiscal 1988", "fiscal 1988");
    expect_one ("Prices of the 1990s fell.", "DATE", "the 1990s", "the 1990s");
    expect_one ("Earlier that month sales rose.", "DATE", "Earlier that month",
                "earlier that month");
    expect_render ("He said on Friday that last year was good.",
                   "DATE[Friday]=friday;DATE[last year]=last year;");
}

/*  ... and those whose first token is digits, by what follows them: a
    percent sign or word, a unit, a hyphen, a month; digits followed by
    none of these start nothing.  */
Test (numex, patterns_starting_with_digits)
{
    expect_render ("It rose 5 % and 6 percent and 3 percentage points.",
                   "PERCENT[5 %]=5%;PERCENT[6 percent]=6%;");
    expect_render ("A 10-year bond and 20 years and a 45-mln-dlr loan.",
                   "DATE[10-year]=10-year;DATE[20 years]=20 years;"
                   "MONEY[45-mln-dlr]=USD 45000000;");
    expect_one ("Its 4th quarter fell.", "DATE", "4th quarter", "4th quarter");
    expect_one ("It closed at 1,234.5 dlrs.", "MONEY", "1,234.5 dlrs", "USD 1234.5");
    expect_none ("1,234 shares and 12 teams and 123456 fans.");
}

/*  The canonical values, written without snprintf: zero-padded ISO
    dates, integers from number words, percentages.  */
Test (numex, canonicals_of_dates_amounts_and_percentages)
{
    expect_render ("On 2019-03-05 and 5 March 1987 it was March 2019.",
                   "DATE[2019-03-05]=2019-03-05;DATE[5 March 1987]=1987-03-05;"
                   "DATE[March 2019]=2019-03;");
    expect_render ("Sales rose 0 pct in 2019.", "PERCENT[0 pct]=0%;DATE[2019]=2019;");
    expect_render ("It sold five million euros and 25 per cent.",
                   "MONEY[five million euros]=EUR 5000000;PERCENT[25 per cent]=25%;");
}

/*  Keywords in capitals are keywords; a word longer than any keyword
    is none, in capitals or not.  */
Test (numex, words_in_capitals_and_long_words)
{
    expect_render ("IT PAID A BILLION DLRS IN MARCH 1987.",
                   "MONEY[A BILLION DLRS]=USD 1000000000;DATE[MARCH 1987]=1987-03;");
    expect_one ("Profit rose in NINE MTHS.", "DATE", "NINE MTHS", "nine mths");
    expect_render ("INTERNATIONALISATIONS 5 pct and Internationalisation 5 pct",
                   "PERCENT[5 pct]=5%;PERCENT[5 pct]=5%;");
    /*  A word too long to be a keyword is a plain word, so the bare year
        after it is a year (bare_years_in_wire_copy); "QUARTERLY" makes
        no quarter of the year after it.  */
    expect_render ("ABCDEFGHIJKLMNOPQRSTU 1987 and QUARTERLY 1987", "DATE[1987]=1987;");
}

/*  A text of more tokens than the scan first makes room for (one a
    byte here): the token array grows.  */
Test (numex, text_of_many_short_tokens)
{
    size_t reps = 3000;
    const char *tail = " in March 2019.";
    char *text = clip_malloc (2 * reps + strlen (tail) + 1);
    for (size_t k = 0; k < reps; k++)
        memcpy (text + 2 * k, "x-", 2);
    strcpy (text + 2 * reps, tail);
    expect_one (text, "DATE", "March 2019", "2019-03");
    free (text);
}

/*  Days of one month joined by "and" are one DATE, as a range is, the
    month first or last.  */
Test (numex, days_joined_by_and)
{
    expect_one ("The fair runs June 4 and 5 in Lyon.", "DATE", "June 4 and 5", "june 4 and 5");
    expect_one ("The fair runs 14 and 15 August.", "DATE", "14 and 15 August", "14 and 15 august");
}

Test (numex, days_joined_by_or)
{
    expect_one ("A vote is due August 7 or 8, aides said.", "DATE", "August 7 or 8",
                "august 7 or 8");
}

Test (numex, days_listed_with_commas)
{
    expect_one ("Hearings were held on July 1, 2 and 3 in Bonn.", "DATE", "July 1, 2 and 3",
                "july 1, 2 and 3");
    expect_one ("It met on May 5, 6, and 7, 1987.", "DATE", "May 5, 6, and 7, 1987",
                "may 5, 6, and 7, 1987");
}

/*  A list of days does not take a count ("5 workers"), an amount or
    days that do not ascend.  */
Test (numex, days_joined_keep_counts_and_amounts)
{
    expect_one ("On June 4 and 5 workers struck.", "DATE", "June 4", "june 4");
    expect_render ("In June 4 and 5 pct of staff left.",
                   "DATE[June 4]=june 4;PERCENT[5 pct]=5%;");
    expect_render ("The fair runs June 5 and 4 in Lyon.", "DATE[June 5]=june 5;");
}

/*  A weekday before the day and month is one DATE without a year too
    (BBC style); with a comma it stays two, as "Monday, October 4"
    does.  */
Test (numex, weekday_with_day_and_month)
{
    expect_one ("The vote is on Monday 4 October, officials said.", "DATE", "Monday 4 October",
                "monday 4 october");
    expect_one ("The vote is on Monday October 4, officials said.", "DATE", "Monday October 4",
                "monday october 4");
    expect_render ("The vote is on Monday, 4 October, officials said.",
                   "DATE[Monday]=monday;DATE[4 October]=4 october;");
    expect_render ("The vote is on Monday, October 4, officials said.",
                   "DATE[Monday]=monday;DATE[October 4]=october 4;");
}

Test (numex, the_whole_of_a_year)
{
    expect_one ("Prices rose over the whole of 1991, it said.", "DATE", "the whole of 1991",
                "the whole of 1991");
    expect_one ("Prices rose over the whole of last year.", "DATE", "the whole of last year",
                "the whole of last year");
    expect_none ("The whole of the town was shut.");
}

Test (numex, corresponding_periods_with_their_year)
{
    expect_one ("Sales beat the corresponding periods of 1984, it said.", "DATE",
                "the corresponding periods of 1984", "the corresponding periods of 1984");
    expect_one ("Sales beat the comparable period of 1984, it said.", "DATE",
                "the comparable period of 1984", "the comparable period of 1984");
}

/*  Two months naming the quarters they end share the noun.  */
Test (numex, two_months_sharing_quarters)
{
    expect_one ("Margins widened in the March and June quarters, it said.", "DATE",
                "the March and June quarters", "the march and june quarters");
}

Test (numex, a_unit_or_two)
{
    expect_one ("The work will take a month or two, he said.", "DATE", "a month or two",
                "a month or two");
    expect_one ("It ended a week or two ago.", "DATE", "a week or two ago", "a week or two ago");
    expect_render ("It took a month or two hundred days.",
                   "DATE[a month]=a month;DATE[two hundred days]=two hundred days;");
}

/*  A bare scaled amount before a noun of a result in money ("deficit",
    "surplus", "shortfall") is money, in the sentence's currency; one
    before a count stays a count.  */
Test (numex, implied_currency_before_a_result_noun)
{
    expect_render ("It had 90 mln dlrs of exports and a 12 mln deficit.",
                   "MONEY[90 mln dlrs]=USD 90000000;MONEY[12 mln]=USD 12000000;");
    expect_render ("It took in 90 mln dlrs, against 8 mln surplus in June.",
                   "MONEY[90 mln dlrs]=USD 90000000;MONEY[8 mln]=USD 8000000;DATE[June]=june;");
    expect_render ("It took in 90 mln dlrs and sold 150 mln shares.",
                   "MONEY[90 mln dlrs]=USD 90000000;");
}

/*  Bare scaled amounts before the sentence's first MONEY take its
    currency, its code or its phrase.  */
Test (numex, implied_currency_before_the_first_money)
{
    expect_render ("Imports fell to 52 mln from 61 mln, against 70 mln dlrs in June.",
                   "MONEY[52 mln]=USD 52000000;MONEY[61 mln]=USD 61000000;"
                   "MONEY[70 mln dlrs]=USD 70000000;DATE[June]=june;");
    expect_render ("Trade showed a 12 mln deficit after a 90 mln dlr surplus.",
                   "MONEY[12 mln]=USD 12000000;MONEY[90 mln dlr]=USD 90000000;");
    expect_render ("Sales fell to 3.2 billion from 3.5 billion crowns.",
                   "MONEY[3.2 billion]=3.2 billion crowns;"
                   "MONEY[3.5 billion crowns]=3.5 billion crowns;");
}

/*  ... but only in the same sentence, and not before a count.  */
Test (numex, implied_currency_ahead_keeps_counts)
{
    expect_render ("Output hit 52 mln. It earned 70 mln dlrs.",
                   "MONEY[70 mln dlrs]=USD 70000000;");
    expect_render ("It issued 150 mln shares, raising 70 mln dlrs.",
                   "MONEY[70 mln dlrs]=USD 70000000;");
}

/*  Two months joined by a hyphen are one DATE, also as the name of a
    year ("the Oct-Sept year"); "Mar-a-Lago" stays none.  */
Test (numex, month_range_with_hyphen)
{
    expect_one ("Exports total 225,000 tonnes (July-June) so far", "DATE", "July-June",
                "july-june");
    expect_one ("Output rose in the Oct-Sept year as", "DATE", "the Oct-Sept year",
                "the oct-sept year");
    expect_one ("Prices were firm in Jan-March 1987 on", "DATE", "Jan-March 1987",
                "jan-march 1987");
    expect_one ("Exports in the 1986/87 (Oct-Sept) season are", "DATE",
                "the 1986/87 (Oct-Sept) season", "the 1986/87 (oct-sept) season");
    expect_none ("at his Mar-a-Lago resort in Florida");
}

/*  Two months joined by a slash, the commodity wire's shipment or
    delivery period, are one DATE, abbreviations and "May" included.  */
Test (numex, month_range_with_slash)
{
    expect_one ("Aug/Sept sold well, traders said", "DATE", "Aug/Sept", "aug/sept");
    expect_one ("Buyers took Oct/Dec at the price", "DATE", "Oct/Dec", "oct/dec");
    expect_one ("April/May butter went at 2.27 times", "DATE", "April/May", "april/may");
    expect_one ("cocoa for Feb/Mar delivery rose", "DATE", "Feb/Mar", "feb/mar");
    expect_one ("sugar for Jan/March 1988 shipment", "DATE", "Jan/March 1988",
                "jan/march 1988");
}

/*  Years coordinated after "fiscal" share it: one DATE.  */
Test (numex, fiscal_years_coordinated)
{
    expect_render ("It asked for funds in fiscal 1987 and 1988 to meet needs.",
                   "DATE[fiscal 1987 and 1988]=fiscal 1987 and 1988;");
    expect_render ("It sought in fiscal 1987 and 1989 mln dlrs in grants.",
                   "DATE[fiscal 1987]=fiscal 1987;MONEY[1989 mln dlrs]=USD 1989000000;");
}

/*  A fraction of a year is one DATE with its year.  */
Test (numex, fraction_of_a_period)
{
    expect_one ("Sales through two-thirds of 1986/87 year total only", "DATE",
                "two-thirds of 1986/87 year", "two-thirds of 1986/87 year");
    expect_one ("Output in half of the 1988/89 season was", "DATE", "half of the 1988/89 season",
                "half of the 1988/89 season");
    expect_render ("Half of 1987 sales went abroad.", "DATE[1987]=1987;");
    expect_render ("Half of January's rise was in food.", "DATE[January]=january;");
}

/*  A MONEY range with the currency on both ends is one MONEY; after
    "between", "and" joins a range, "between" outside.  A change stays
    two.  */
Test (numex, money_range_currency_both_ends)
{
    expect_one ("All five will cost between 100 mln dlrs to 120 mln dlrs.", "MONEY",
                "100 mln dlrs to 120 mln dlrs", "100 mln dlrs to 120 mln dlrs");
    expect_one ("It sold wheat at between 85 and 89 dlrs per tonne", "MONEY", "85 and 89 dlrs",
                "85 and 89 dlrs");
    expect_one ("Rates rose between two and 5 pct in the period", "PERCENT", "two and 5 pct",
                "two and 5 pct");
    expect_render ("The price went from 10 dlrs to 12 dlrs.",
                   "MONEY[10 dlrs]=USD 10;MONEY[12 dlrs]=USD 12;");
    expect_render ("It cut the price 12 dlrs to 10 dlrs.",
                   "MONEY[12 dlrs]=USD 12;MONEY[10 dlrs]=USD 10;");
}

/*  A bare fraction in a sentence about rates is a PERCENT; a share
    price written so is none.  */
Test (numex, rate_as_bare_fraction)
{
    expect_one ("The repurchase rate has been unchanged at 8-3/4 since it was cut", "PERCENT",
                "8-3/4", "8.75%");
    expect_render ("Call money was 5-3/4 pct against 5-1/4 to 5-3/8 a week ago.",
                   "PERCENT[5-3/4 pct]=5.75%;PERCENT[5-1/4 to 5-3/8]=5-1/4 to 5-3/8;"
                   "DATE[a week ago]=a week ago;");
    expect_render ("The stock slipped 3/8 today to close at 34-3/4.", "DATE[today]=today;");
    /* A bid and an offer are one (money_market_quotes).  */
    expect_render ("Rates were put at 6-1/4, 5-3/4 pct.",
                   "PERCENT[6-1/4, 5-3/4 pct]=6-1/4, 5-3/4 pct;");
}

/*  Wire copy writes thousands with a comma, so four digits alone are a
    year wherever they stand, but after a word of counting ("about
    2000"), a title's word in mixed case ("Euro 2004") or a number; and
    "end" without its hyphen before a month or a year.  */
Test (numex, bare_years_in_wire_copy)
{
    expect_one ("Analysts' 1987 projected earnings rose.", "DATE", "1987", "1987");
    expect_one ("But low 1986 U.S. crop prices have discouraged it.", "DATE", "1986", "1986");
    expect_one ("Looking ahead, 1987 should be another good year.", "DATE", "1987", "1987");
    expect_one ("GREECE PLANS TO REDUCE 1987 FOREIGN BORROWING", "DATE", "1987", "1987");
    expect_none ("The plant employs 2000 and will hire about 1990 more.");
    expect_none ("England's exit from Euro 2004 hurt; Colin McRae Rally 2005 sold well.");
    expect_render ("Reserves rose at end December and fell at end 1986.",
                   "DATE[end December]=end december;DATE[end 1986]=end 1986;");
}

/*  The currencies of the 1987 wire beyond the first table: a code where
    the word names one country's ("punts", "Ecus", "baht", "schillings"),
    the phrase where it names several ("riyals", "kwacha").  */
Test (numex, currencies_of_the_1987_wire)
{
    expect_one ("The price would not be higher than 800 mln punts.", "MONEY", "800 mln punts",
                "IEP 800000000");
    expect_one ("It was fixed at 141 Ecus a tonne.", "MONEY", "141 Ecus", "XEU 141");
    expect_one ("Sales of 3.5 billion baht rose.", "MONEY", "3.5 billion baht", "THB 3500000000");
    expect_one ("It cost 20 mln schillings.", "MONEY", "20 mln schillings", "ATS 20000000");
    expect_one ("The deficit was 5.472 billion riyals.", "MONEY", "5.472 billion riyals",
                "5.472 billion riyals");
    expect_one ("A rate of nine kwacha to the dollar.", "MONEY", "nine kwacha", "nine kwacha");
}

/*  Two DATEs joined by "to" or "through", a tight slash or hyphen, or a
    word of a period's start or end are one DATE, as the labelling
    rules' ranges and periods are; "and" and "from" join nothing.  The
    development sets' DATE went from 94.42 to 95.23 F1
    (workers/ner/README.md, tenth round).  */
/*  After a quantity, "a" and a unit is a rate (per year), not a period,
    as the news labels read it (workers/ner/README.md, thirteenth round);
    elsewhere "a year" is still a duration.  */
Test (numex, rates_are_not_periods)
{
    expect_none ("It will produce 15 mln tonnes a year at the plant");
    expect_none ("carers get just 50 a week for food");
    expect_none ("He works six nights a week there");
    expect_render ("those earning more than $200,000 a year pay", "MONEY[$200,000]=USD 200000;");
    expect_one ("Yahoo celebrates a decade online", "DATE", "a decade", "a decade");
    expect_one ("The plan has been in limbo for a year now", "DATE", "a year", "a year");
    expect_render ("The deal, worth 25 dlrs a year ago, lapsed",
                   "MONEY[25 dlrs]=USD 25;DATE[a year ago]=a year ago;");
}

Test (numex, dates_joined_into_one)
{
    expect_one ("quotas from April 1 to September, with", "DATE", "April 1 to September",
                "april 1 to september");
    expect_one ("operations from August 16, 1985, to Dec 31, 1985.", "DATE",
                "August 16, 1985, to Dec 31, 1985", "august 16, 1985, to dec 31, 1985");
    expect_one ("exports for the period July 1/February 13 rose", "DATE",
                "July 1/February 13", "july 1/february 13");
    expect_one ("a budget for fiscal 1987 beginning on April 1.", "DATE",
                "fiscal 1987 beginning on April 1", "fiscal 1987 beginning on april 1");
    expect_one ("the figure to remain flat each year through 1989.", "DATE",
                "each year through 1989", "each year through 1989");
    expect_render ("In 1984 and 1985 surpluses rose.", "DATE[1984]=1984;DATE[1985]=1985;");
    /* "and" after "between" is a range's.  */
    expect_one ("debt due between 1987 and 1992 and more", "DATE", "1987 and 1992",
                "1987 and 1992");
    /* A date then its year relative to now, one space between.  */
    expect_one ("to be announced on 14 March next year and", "DATE", "14 March next year",
                "14 march next year");
    expect_one ("94,000 in January a year ago.", "DATE", "January a year ago",
                "january a year ago");
    expect_render ("placed on a list in May 2019 a further year over it.",
                   "DATE[May 2019]=2019-05;DATE[a further year]=a further year;");
    expect_render ("due on 22 February - five days before it.",
                   "DATE[22 February]=22 february;DATE[five days]=five days;");
    /* No join across a paragraph.  */
    expect_render ("It ends in April\n\n to May it runs.", "DATE[April]=april;DATE[May]=may;");
}

/*  "the remainder of" and "the rest of" a period are DATE as "the end
    of" is, a range of years included.  */
Test (numex, remainder_and_rest_of_a_period)
{
    expect_one ("During the remainder of 1986/87, supplies fell.", "DATE",
                "the remainder of 1986/87", "the remainder of 1986/87");
    expect_one ("For the rest of the year it rose.", "DATE", "the rest of the year",
                "the rest of the year");
    expect_one ("by the end of 1974-78 it", "DATE", "the end of 1974-78", "the end of 1974-78");
    expect_none ("He needed the rest of his team.");
}

/*  A fiscal year by its end or start, as "the year ended" is, and with
    its article ("the fiscal year"), which "the fiscal 1988 budget" keeps
    for the budget.  */
Test (numex, fiscal_year_by_its_end_and_article)
{
    expect_one ("Following the company's fiscal year ended March 31, 1985, it changed.",
                "DATE", "fiscal year ended March 31, 1985", "fiscal year ended march 31, 1985");
    expect_one ("a budget for the fiscal year 1987/88 beginning April 1 was set", "DATE",
                "the fiscal year 1987/88 beginning April 1",
                "the fiscal year 1987/88 beginning april 1");
    expect_one ("He cut the fiscal 1988 budget.", "DATE", "fiscal 1988", "fiscal 1988");
}

/*  An exchange rate, a figure with decimals "to the dollar", is MONEY
    (the dollar words outside, its canonical its phrase); a figure
    written as the sentence's last MONEY was, after "from", "against",
    "vs" ..., is more of it, in its currency.  */
Test (numex, exchange_rates_and_parallel_figures)
{
    expect_render ("The naira finished at 3.8050 to the dollar, against 3.9050 last week.",
                   "MONEY[3.8050]=3.8050;MONEY[3.9050]=3.9050;DATE[last week]=last week;");
    expect_render ("The peso is at about 20.50 to the U.S. Dollar.", "MONEY[20.50]=20.50;");
    expect_render ("The riyal was at 3.7501/03 to the dollar after quotes of 3.7498/7501.",
                   "MONEY[3.7501/03]=3.7501/03;MONEY[3.7498/7501]=3.7498/7501;");
    expect_render ("Margins rise to 90,000 yen per lot from 70,000 now.",
                   "MONEY[90,000 yen]=JPY 90000;MONEY[70,000]=JPY 70000;");
    expect_render ("The dividend was 1.55 crowns vs 1.25.",
                   "MONEY[1.55 crowns]=1.55 crowns;MONEY[1.25]=1.25;");
    /* Another shape, a count after it, or no word before it: nothing.  */
    expect_render ("It paid 1.55 crowns vs 125 last year.",
                   "MONEY[1.55 crowns]=1.55 crowns;DATE[last year]=last year;");
    expect_render ("It paid 90,000 yen to 70,000 workers.", "MONEY[90,000 yen]=JPY 90000;");
    expect_render ("Rates were 7.25 to the pound.", "");
}

/*  A money market's bid and offer are one PERCENT: two sides joined by
    a comma or a slash, with "pct", or in a sentence about rates.  */
Test (numex, money_market_quotes)
{
    expect_render ("Spot-next was put at 5-3/4, 5-1/4 pct, down from six, 5-1/2 yesterday.",
                   "PERCENT[5-3/4, 5-1/4 pct]=5-3/4, 5-1/4 pct;PERCENT[six, 5-1/2]=six, 5-1/2;"
                   "DATE[yesterday]=yesterday;");
    expect_render ("Call money traded today at 3.85/95 pct, up from 3.80/90 yesterday.",
                   "DATE[today]=today;PERCENT[3.85/95 pct]=3.85/95 pct;"
                   "PERCENT[3.80/90]=3.80/90;DATE[yesterday]=yesterday;");
    /* Not in a sentence about rates, nor before a noun.  */
    expect_render ("He sold six, 5-1/2 were kept.", "");
    expect_render ("Rates were at six, seven firms.", "");
}

/*  Wire copy's periods: the year-earlier period without its hyphen, "the
    year earlier" closing a clause, a comparable period "for" its year,
    quarters counted or joined, the full year.  */
Test (numex, wire_periods)
{
    expect_render ("It rose from 64.2 mln dlrs in the year earlier.",
                   "MONEY[64.2 mln dlrs]=USD 64200000;DATE[the year earlier]=the year earlier;");
    expect_one ("Profit was level with the year earlier period, it said.", "DATE",
                "the year earlier period", "the year earlier period");
    expect_one ("It was 234 mln in the year ago period.", "DATE", "the year ago period",
                "the year ago period");
    expect_one ("The comparable period for 1985 included it.", "DATE",
                "The comparable period for 1985", "the comparable period for 1985");
    expect_one ("Writedowns in the first two quarters hurt.", "DATE", "the first two quarters",
                "the first two quarters");
    expect_one ("Prices would recover in the third and fourth quarters of 1987.", "DATE",
                "the third and fourth quarters of 1987", "the third and fourth quarters of 1987");
    expect_one ("It made 953 mln for the 1986 full year.", "DATE", "the 1986 full year",
                "the 1986 full year");
    expect_one ("It made 68 mln for the full year 1986 on sales.", "DATE", "the full year 1986",
                "the full year 1986");
    /* "the year earlier" before its noun is the noun's.  */
    expect_none ("the year earlier results were better");
}

/*  Older years where the sentence makes them dates ("in 1337", "the 1701
    Act"), a range ending in one digit ("2003-4"), decades in two digits
    ("the 90s", "the mid-80s"), but not a count or a level.  */
Test (numex, older_years_and_short_decades)
{
    expect_one ("It was set up in 1337 by King Edward III.", "DATE", "1337", "1337");
    expect_one ("He agreed the 1701 Act of Settlement.", "DATE", "1701", "1701");
    expect_one ("grants-in-aid in 2003-4. The", "DATE", "2003-4", "2003-4");
    expect_one ("a co-star in the 90s TV comedy", "DATE", "the 90s", "the 90s");
    expect_one ("Before the mid-80s it", "DATE", "the mid-80s", "the mid-80s");
    expect_none ("It opened in 1500 stores.");
    expect_none ("and then rise to the mid 20s, with imports");
    expect_none ("prices rose to the 90s.");
}

/*  A season without its article after a preposition, closing its clause,
    and "last fall", are DATEs; "winter wheat" and "the fall in prices"
    are not.  */
Test (numex, bare_seasons_and_last_fall)
{
    expect_one ("The crop emerged from winter.", "DATE", "winter", "winter");
    expect_one ("Seeding was late last fall because of drought.", "DATE", "last fall", "last fall");
    expect_none ("In winter wheat areas it fell.");
    expect_none ("The fall in prices hurt.");
    expect_none ("It was their last fall of the season.");
    /* The season the story means.  */
    expect_one ("He prepared for the new season by training.", "DATE", "the new season",
                "the new season");
    expect_one ("Sales during the festive season rose.", "DATE", "the festive season",
                "the festive season");
}

/*  The years of the commodity trade are periods as a fiscal year is
    ("the crop year beginning August 1", "the end of the crop year", "the
    current coffee year"); "early" and "late" before a day word are in its
    DATE, as "earlier" is ("early today", "late yesterday").  */
Test (numex, commodity_years_and_the_edges_of_a_day)
{
    expect_one ("Sales in the crop year\nbeginning August 1 rose.", "DATE",
                "the crop year\nbeginning August 1", "the crop year beginning august 1");
    expect_one ("It pays at the end of the crop year. If", "DATE", "the end of the crop year",
                "the end of the crop year");
    expect_one ("Exports in the current coffee year fell.", "DATE", "the current coffee year",
                "the current coffee year");
    expect_one ("The 1986/87 marketing year ending July 31 was good.", "DATE",
                "The 1986/87 marketing year ending July 31", "the 1986/87 marketing year ending july 31");
    expect_one ("It began at the start of the current coffee year.", "DATE",
                "the start of the current coffee year", "the start of the current coffee year");
    expect_one ("The bank said early today it would.", "DATE", "early today", "early today");
    expect_one ("It will run for another three years, he said.", "DATE", "another three years",
                "another three years");
    expect_one ("Talks ended late yesterday.", "DATE", "late yesterday", "late yesterday");
}
