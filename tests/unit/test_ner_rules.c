/*  The rules after the tagger in clip_ner_extract (issue 14, classes 1,
    5 and 7, and acronyms completing a name the tagger cut): titles inside
    a name before a person, hyphenated names, a title-case "And" in a
    headline, a name completed by the acronym after it, the type a name's
    head word gives (events, laws, sites, legal suffixes, holidays,
    parties); from dev2's errors, honorifics, the wire's sign-off,
    tickers, partners' names, titles cut through, products and works,
    "Government" opening a name, company and geographic heads, headline
    words, acronyms written anywhere, party and state, variant letters;
    religious and noble honorifics, hyphenated participles after a name
    the tagger cut, councils; from dev23/dev24's errors, a direction and a
    nationality, constituencies before a member's title, works in lists,
    a place the tagger cut off an organisation; from dev27/dev28's errors,
    royal and judicial titles, awards before a hyphen, religions and
    demonyms, sites, plural acronyms, two directions and a nationality.
    Made-up sentences,
    none from the labelled articles, through the whole extraction with the
    shipped model; each one is a sentence the tagger alone gets wrong (one
    glued name, "Mexico-type" as MISC, ...), checked when the rules were
    written.  */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_ner.h"

static clip_ner_t *ner;

static void
load (void)
{
    char err [512] = "";
    ner = clip_ner_load (CLIP_SOURCE_DIR, err, sizeof err);
    cr_assert_not_null (ner, "%s", err);
}

static void
unload (void)
{
    clip_ner_destroy (&ner);
}

TestSuite (ner_rules, .init = load, .fini = unload);

typedef struct {
    const char *type;
    const char *text;       /* exact span text */
} want_t;

/*  Extract text; every wanted entity must be there with its type, and no
    entity may have one of the unwanted texts.  */
static void
check (const char *text, const want_t *want, size_t nwant, const char *const *unwanted)
{
    clip_ner_entity_t *e;
    size_t n;
    cr_assert_eq (clip_ner_extract (ner, text, strlen (text), &e, &n), 0);
    for (size_t w = 0; w < nwant; w++) {
        int found = 0;
        for (size_t i = 0; i < n && !found; i++)
            found = strcmp (e [i].text, want [w].text) == 0;
        cr_expect (found, "no entity \"%s\"", want [w].text);
        for (size_t i = 0; i < n; i++)
            if (strcmp (e [i].text, want [w].text) == 0)
                cr_expect_str_eq (e [i].type, want [w].type, "type of \"%s\"", want [w].text);
    }
    for (size_t u = 0; unwanted && unwanted [u]; u++)
        for (size_t i = 0; i < n; i++)
            cr_expect_str_neq (e [i].text, unwanted [u], "entity \"%s\" should not be",
                               unwanted [u]);
    clip_ner_entities_free (e, n);
}

#define CHECK(text, unwanted, ...) do { \
        const want_t want_ [] = { __VA_ARGS__ }; \
        check ((text), want_, sizeof want_ / sizeof want_ [0], (unwanted)); \
    } while (0)

static const char article [] =
    "Leeds And Chelsea Draw\n\n"
    "UK Chancellor Martin Hale met bankers on Monday. Central Bank Governor John Smith "
    "agreed, and Bank Governor Peter Lund said a UK National Security Adviser would attend. "
    "The Andean Mining and Exploration Board (AMEB) welcomed France-Germany talks and a "
    "Mexico-type plan, said a Scotland-born officer whose Oscar-winning film was shown.\n";

/*  Class 1: the tagger made "UK Chancellor Martin Hale" and "Central
    Bank Governor John Smith" one ORG each.  */
Test (ner_rules, title_between_a_place_or_organisation_and_a_person)
{
    const char *const unwanted [] = {
        "UK Chancellor Martin Hale", "Central Bank Governor John Smith",
        "Bank Governor Peter Lund", "Bank", "UK National Security Adviser", NULL
    };
    CHECK (article, unwanted,
           { "LOC", "UK" }, { "PER", "Martin Hale" },
           { "ORG", "Central Bank" }, { "PER", "John Smith" },
           { "PER", "Peter Lund" });
}

Test (ner_rules, nationality_before_a_title)
{
    /*  "Philippine" is a place and a nationality in the gazetteer; before
        a title, shaped like an adjective, it is MISC.  */
    const char *text = "CEBU, June 9 - Philippine Trade Secretary Jose Alcuaz met Czech "
                       "Finance Minister Pavel Novak on Friday.\n";
    const char *const unwanted [] = { "Philippine Trade Secretary Jose Alcuaz", NULL };
    CHECK (text, unwanted,
           { "MISC", "Philippine" }, { "PER", "Jose Alcuaz" },
           { "MISC", "Czech" }, { "PER", "Pavel Novak" });
}

/*  Class 7: "France-Germany" was one MISC, "Mexico-type" and
    "Scotland-born" MISC; "Oscar-winning" is not a place's suffix: the
    award stays MISC.  */
Test (ner_rules, hyphenated_names)
{
    const char *const unwanted [] = {
        "France-Germany", "Mexico-type", "Scotland-born", "Oscar-winning", NULL
    };
    CHECK (article, unwanted,
           { "LOC", "France" }, { "LOC", "Germany" },
           { "LOC", "Mexico" }, { "LOC", "Scotland" }, { "MISC", "Oscar" });
}

/*  A place run into a word in lower case by a hyphen ("Iran-contra",
    "Europe-wide") is the place alone; a name the lexicon does not know as
    a place keeps its whole word.  */
Test (ner_rules, place_before_a_lower_case_tail)
{
    const char *text = "The Iran-contra affair went on, and a Europe-wide ban began on Monday.\n";
    const char *const unwanted [] = { "Iran-contra", "Europe-wide", NULL };
    CHECK (text, unwanted, { "LOC", "Iran" }, { "LOC", "Europe" });
}

/*  A date the tagger ran into a MISC with what stands before it: a
    dateline's state ("Tex. March 3"), a notice's "Record May 1", a city
    ("Rome October 16") leave the DATE and, of the words before, only a
    name the lexicon knows; before a year or a century, a title's words
    stay a MISC ("the Athens Convention of 1974", "the Walkman of the
    21st Century").  */
Test (ner_rules, a_date_the_tagger_ran_into_a_name)
{
    const char *text = "QUORVEX CORP 1ST QTR NET\n\n"
                       "BRAXTON, Tex. March 3 - Oper shr 31 cts vs 22 cts\n"
                       "    Qtly div 14 cts vs 14 cts prior\n    Pay June 2\n    Record May 4\n"
                       "    The talks in Rome October 16 were held.  It ratified the 1976 "
                       "protocol to the Athens Convention of 1974, officials said.  The device "
                       "was billed as the Walkman of the 21st Century and sold well.\n";
    const char *const unwanted [] = { "Tex. March 3", "Record May 4", "Record",
                                      "Rome October 16", "Athens Convention of 1974",
                                      "Walkman of the 21st Century", NULL };
    CHECK (text, unwanted,
           { "DATE", "March 3" }, { "DATE", "May 4" }, { "LOC", "Rome" },
           { "DATE", "October 16" }, { "MISC", "Athens Convention" }, { "DATE", "1974" },
           { "MISC", "Walkman" }, { "DATE", "the 21st Century" });
}

/*  A name stays in its table column: the tagger ran a row's place into
    the row's first value across the column gap.  */
Test (ner_rules, a_name_stays_in_its_table_column)
{
    const char *text = " PEORIA      ---     ---     ---    1,900  \n"
                       " OKLA CITY   300     6,700   7,000  400    \n";
    const char *const unwanted [] = { "OKLA CITY   300", NULL };
    CHECK (text, unwanted, { "LOC", "PEORIA" }, { "LOC", "OKLA CITY" });
}

/*  A table of places: its rows' labels that read as names are places
    like the others, where the tagger made "ST PAUL" a person "PAUL" and
    left "ST JOSEPH" and "SIOUX CITY" out; "TOTAL" and "WEEK AGO" are
    no names.  The same rows under labels that are no places stay as
    the tagger read them.  */
Test (ner_rules, a_table_of_places)
{
    const char *text = "ESTIMATED CATTLE RECEIPTS\n"
                       "             SLTR    FEEDER  TOTAL   SLTR\n"
                       " KANSAS CITY 150    ---    150    600    \n"
                       " OMAHA       2,100  ---    2,100  2,400  \n"
                       " ST LOUIS    250    120    370    2,900  \n"
                       " ST JOSEPH   ---    310    310    1,400  \n"
                       " SIOUX CITY  800    ---    800    3,100  \n"
                       " ST PAUL     1,300  250    1,550  2,600  \n"
                       " TOTAL\n"
                       " WEEK AGO    4,800  650    5,450  12,700 \n";
    const char *const unwanted [] = { "PAUL", "TOTAL", "WEEK AGO", "WEEK", NULL };
    CHECK (text, unwanted,
           { "LOC", "KANSAS CITY" }, { "LOC", "OMAHA" }, { "LOC", "ST LOUIS" },
           { "LOC", "ST JOSEPH" }, { "LOC", "SIOUX CITY" }, { "LOC", "ST PAUL" });
    const char *index = "WALL STREET INDICES\n"
                        " Comp    171.64  168.35 168.35 off 2.61\n"
                        " Trans   143.13  140.94 140.94 off 2.08\n"
                        " Utils    75.77   74.29  74.29 off 1.53\n"
                        " Finance 158.45  156.46 156.46 off 1.84\n";
    const char *const none [] = { "Comp", "Finance", NULL };
    CHECK (index, none, { "LOC", "WALL STREET" });
}

/*  Arabic names run on over "bin" / "ibn" and the "al-" words after
    them, where the tagger stopped at the particle in lower case; "the
    bin" of an English sentence joins nothing.  */
Test (ner_rules, arabic_names_over_their_particles)
{
    const char *text = "Oil minister Sheikh Ali Khalifa al-Sabah met Abdul-Aziz bin Khalifa al-Thani "
                       "and Hafez al-Assad in Doha. Osama bin Laden was named. "
                       "Put it in the bin Monday.\n";
    const char *const unwanted [] = { "Ali Khalifa", "Abdul-Aziz bin Khalifa", "Hafez", "Osama",
                                      "Laden", NULL };
    CHECK (text, unwanted,
           { "PER", "Ali Khalifa al-Sabah" }, { "PER", "Abdul-Aziz bin Khalifa al-Thani" },
           { "PER", "Hafez al-Assad" }, { "PER", "Osama bin Laden" }, { "LOC", "Doha" });
}

/*  Class 7 / 2: a title-case "And" in a headline joined two clubs.  */
Test (ner_rules, title_case_and_in_a_headline)
{
    const char *const unwanted [] = { "Leeds And Chelsea Draw", NULL };
    CHECK (article, unwanted, { "ORG", "Leeds" }, { "ORG", "Chelsea" });
    /* Not in running text, where 1987 wire copy writes a capital "And"
       after an abbreviation: "West Germany" stays whole.  */
    const char *running = "The drug went on sale in the U.K. And West Germany last week.\n";
    const char *const unwanted2 [] = { "West", NULL };
    CHECK (running, unwanted2, { "LOC", "U.K." }, { "LOC", "West Germany" });
}

/*  The tagger kept "Exploration Board" of the name "(AMEB)" spells.  */
Test (ner_rules, acronym_completes_the_name_before_it)
{
    const char *const unwanted [] = { "Exploration Board", "Andean", NULL };
    CHECK (article, unwanted,
           { "ORG", "Andean Mining and Exploration Board" }, { "ORG", "AMEB" });
}

/*  Class 5: the tagger calls these ORG (or a holiday LOC, a party MISC);
    workers/ner/README.md labels events, inquiries, laws, plans and rates
    MISC, buildings and sites LOC, parties ORG.  */
static const char misc_article [] =
    "Record crowds expected at Dome\n\n"
    "Fans filled the Westbrook Stadium on Saturday, and the Harbour Arena sold out before "
    "the Kestrel Valley Grand Prix. The Dome will reopen in May, said the Northfield "
    "Inquiry, which studied the Clean Rivers Act and the Coastal Recovery Plan.\n\n"
    "Brandt Holdings N.V. said loans are priced over the Nordic Interbank Offered Rates, "
    "and shoppers spent more at Christmas. The Tories said a Tory government would cut "
    "the tax, and the Northern Youth Games opened.\n";

Test (ner_rules, site_words_make_a_place)
{
    CHECK (misc_article, NULL,
           { "LOC", "Westbrook Stadium" }, { "LOC", "Harbour Arena" }, { "LOC", "Dome" });
}

Test (ner_rules, events_laws_plans_and_rates_are_misc)
{
    CHECK (misc_article, NULL,
           { "MISC", "Kestrel Valley Grand Prix" }, { "MISC", "Northfield Inquiry" },
           { "MISC", "Clean Rivers Act" }, { "MISC", "Coastal Recovery Plan" },
           { "MISC", "Nordic Interbank Offered Rates" }, { "MISC", "Northern Youth Games" });
}

Test (ner_rules, legal_suffix_makes_one_company)
{
    const char *const unwanted [] = { "Brandt Holdings", NULL };
    CHECK (misc_article, unwanted, { "ORG", "Brandt Holdings N.V." });
}

Test (ner_rules, holidays_are_misc_and_parties_org)
{
    CHECK (misc_article, NULL,
           { "MISC", "Christmas" }, { "ORG", "Tories" }, { "ORG", "Tory" });
}

/*  Share classes are not labelled; the tagger made "Class A" an ORG.  */
Test (ner_rules, share_class_is_no_name)
{
    const char *text =
        "MAPLETON, Ohio, March 4 - Mapleton Corp said its board approved a split of its "
        "Class A stock into Class A and Class B shares, payable to holders of record "
        "April 1.\n";
    const char *const unwanted [] = { "Class A", "Class B", NULL };
    CHECK (text, unwanted, { "ORG", "Mapleton Corp" });
}

/*  A holiday as a modifier: the tagger left "Christmas" and "Easter"
    untagged here.  */
Test (ner_rules, holiday_the_tagger_missed)
{
    const char *text =
        "Museum shows singing tree\n\n"
        "A Christmas tree that plays music has been put up at the Harbour Museum, and an "
        "Easter egg hunt follows.\n";
    CHECK (text, NULL, { "MISC", "Christmas" }, { "MISC", "Easter" });
}

/*  Honorifics stay outside the name (workers/ner/README.md: "Sir"); the
    tagger took "Sir Alan Pembury" and "Dame Ruth Ellery" whole.  */
Test (ner_rules, honorifics_outside_the_name)
{
    const char *text =
        "Musical opens in the West End\n\n"
        "Sir Alan Pembury's new production opened on Tuesday. Its songs were written "
        "by Dame Ruth Ellery, who thanked Sir Alan Pembury and the cast.\n";
    const char *const unwanted [] = { "Sir Alan Pembury", "Dame Ruth Ellery", NULL };
    CHECK (text, unwanted, { "PER", "Alan Pembury" }, { "PER", "Ruth Ellery" });
}

/*  The wire's sign-off, one word in capitals alone on the last line, is
    the agency: an organisation, not a person's surname as the tagger
    thought.  */
Test (ner_rules, wire_signoff_is_an_organisation)
{
    const char *text =
        "MAPLETON CORP SEES HIGHER PROFIT\n\n"
        "MAPLETON, Ohio, March 4 - Mapleton Corp said it expects higher\n"
        "profit this year, Chairman John Barrow told shareholders.\n"
        " REUTER\n";
    CHECK (text, NULL, { "ORG", "REUTER" });
}

/*  Tickers in angle brackets are not labelled, and a name does not run
    into one; a name in the brackets is the name without them.  The
    tagger took "<KLM>" and "QRX>" for companies and ran "Danforth Mills
    <DFM" together.  */
Test (ner_rules, tickers_in_angle_brackets)
{
    const char *text =
        "TULSA, Okla., May 5 - Kelmar Corp <KLM> said it could be outbid by\n"
        "Quarry Rock Inc <QRX> for Danforth Mills <DFM>, a unit of\n"
        "<Harwood Textile Holdings N.V.>.\n";
    const char *const unwanted [] = {
        "KLM", "QRX", "QRX>", "DFM", "Danforth Mills <DFM", "<Harwood Textile Holdings N.V.>",
        NULL
    };
    CHECK (text, unwanted,
           { "ORG", "Kelmar Corp" }, { "ORG", "Quarry Rock Inc" }, { "ORG", "Danforth Mills" },
           { "ORG", "Harwood Textile Holdings N.V." });
}

/*  Class 5: "Smith, Jones and Co Inc" is one ORG.  A company named after
    its partners (the tagger made persons of them), a legal suffix that
    takes in the name before it, and a suffix's period that ends the
    sentence, which the labels leave out.  */
Test (ner_rules, partners_and_legal_suffixes)
{
    const char *text =
        "CHICAGO, April 2 - Shares of Hollister Foods rose, said Anne Marsh,\n"
        "analyst at Pellow, Garrick and Tarn Inc. \"The bid is low.\"\n"
        "    Analysts said GreenHollow Partners L.P. <GHP> might bid.\n";
    const char *const unwanted [] = {
        "Pellow", "Garrick", "Tarn Inc.", "Pellow, Garrick and Tarn Inc.", "L.P.", NULL
    };
    CHECK (text, unwanted,
           { "ORG", "Pellow, Garrick and Tarn Inc" }, { "ORG", "GreenHollow Partners L.P." });
}

/*  Class 1: a title the tagger cut through.  "U.K. Chancellor" ends in a
    noun of office (the country stays); "Exchequer Gerald Voss" starts
    with the title's portfolio, its noun of office before the name; after
    a title stripped from a name its "of the Exchequer" goes too; "U.S.
    Treasury" before "Secretary" is the country, the portfolio being the
    title's (the tagger joined them after two "Treasury" mentions).  */
Test (ner_rules, titles_around_a_name)
{
    const char *text =
        "LONDON, March 2 - U.K. Chancellor of the Exchequer Hugh Dalby met\n"
        "bankers.  The Treasury said the talks were over. The Treasury spokesman said\n"
        "he had met U.S. Treasury Secretary Arthur Pell, and Chancellor of the Exchequer\n"
        "Gerald Voss told the Chancellor of the Exchequer Nigel Brandon so.\n";
    const char *const unwanted [] = {
        "U.K. Chancellor", "Exchequer Gerald Voss", "of the Exchequer Nigel Brandon",
        "U.S. Treasury", "Chancellor", NULL
    };
    CHECK (text, unwanted,
           { "LOC", "U.K." }, { "LOC", "U.S." }, { "PER", "Arthur Pell" },
           { "PER", "Gerald Voss" }, { "PER", "Nigel Brandon" });
}

/*  Class 5: products and works are MISC.  A product noun after a name
    ("the Quorvex virus", "Harlan software") or a work noun before it
    ("the musical Penny Larkspur", "his memoir, Glass Rivers", "his
    autobiography Glow") makes it MISC, with every other mention of it
    (the headline's "Larkspur" too); not a company the document shows
    as one ("Brightwave said").  The tagger took these for persons,
    places and organisations, or left "Glow" out.  */
Test (ner_rules, products_and_works_by_their_nouns)
{
    const char *text =
        "Corvane backs Harlan push, and Larkspur musical\n\n"
        "Corvane will spend $10m on Harlan software. It said Harlan runs on phones and "
        "Harlan-based tools help staff. "
        "Security firm Brightwave said the Quorvex virus spread fast; Quorvex hides in "
        "e-mail. Brightwave software removes it.\n\n"
        "The musical Penny Larkspur opened in London. Jack Sorley, whose memoir, Glass "
        "Rivers, sold well, and whose autobiography Glow came out in May, was there.\n";
    const char *const unwanted [] = { NULL };
    CHECK (text, unwanted,
           { "MISC", "Harlan" }, { "MISC", "Quorvex" }, { "MISC", "Penny Larkspur" },
           { "MISC", "Larkspur" }, { "MISC", "Glass Rivers" }, { "MISC", "Glow" },
           { "ORG", "Brightwave" }, { "PER", "Jack Sorley" });
}

/*  "Government" capitalised inside a sentence is shown to the tagger in
    lower case (the US Government), except as the first word of a name:
    the tagger then cut "Government Standards Office" to "Standards
    Office".  */
Test (ner_rules, government_opening_a_name)
{
    const char *text =
        "WASHINGTON, May 3 - A report due out shortly from the Government Standards "
        "Office could show that loans cost more, officials said. The US Government "
        "said it would wait.\n";
    const char *const unwanted [] = { "Standards Office", "US Government", NULL };
    CHECK (text, unwanted, { "ORG", "Government Standards Office" }, { "LOC", "US" });
}

/*  Class 5, head words: a company's last word ("... Gas") makes a name
    the tagger called a person an ORG; a conference is an event (MISC);
    a greeting stays outside the holiday, and a holiday's plural is one
    too; a geographic head cut from its place at "of" and a line break
    is joined to it.  */
Test (ner_rules, heads_greetings_and_gulfs)
{
    const char *text =
        "Oil find near coast\n\n"
        "Drilling in the Gulf of\nBarrowmere found oil, said Corlin Gas, a unit of Hadley "
        "Corp. Staff at the Labour Party Conference sent Merry Christmas cards, as at past "
        "Christmases.\n";
    const char *const unwanted [] = { "Merry Christmas", "Gulf", "Barrowmere", NULL };
    CHECK (text, unwanted,
           { "LOC", "Gulf of\nBarrowmere" }, { "ORG", "Corlin Gas" },
           { "MISC", "Labour Party Conference" }, { "MISC", "Christmas" },
           { "MISC", "Christmases" });
}

/*  Class 2: an ALL-CAPS headline glued a word to the name ("TARVEX
    BOARD"); the body writes "board" in lower case only, so the name ends
    before it.  */
Test (ner_rules, headline_name_ends_before_a_lower_case_word)
{
    const char *text =
        "TARVEX BOARD LIKELY TO BACK OFFER\n\n"
        "NEW YORK, March 3 - Analysts said the offer was likely to win\n"
        "support from holders, and shares of the unit rose. The board is expected to\n"
        "bid and sees higher prices.\n";
    const char *const unwanted [] = { "TARVEX BOARD", NULL };
    CHECK (text, unwanted, { "ORG", "TARVEX" });
}

/*  The tagger cut "Bureau of Mines and Forestry" at "and"; the document
    writes its acronym ("BMF") later, without a bracketed definition.  */
Test (ner_rules, acronym_elsewhere_completes_a_name)
{
    const char *text =
        "WASHINGTON, May 3 - Figures the agency got from the Commerce\n"
        "Department and the Bureau of Mines and Forestry suggest that\n"
        "loans cost more, an official said.\n"
        "    The BMF is said to oppose any change, and the Bureau of Mines said nothing.\n";
    const char *const unwanted [] = { "Forestry", NULL };
    CHECK (text, unwanted,
           { "ORG", "Bureau of Mines and Forestry" }, { "ORG", "Bureau of Mines" });
}

/*  "Sen. Mark Tolliver (R-N.M.)": the party's letter is an ORG and the
    state a LOC (the labels' rule); the tagger made "R-N" and "M." of
    the bracket, the tokenizer having ended a sentence inside it.  */
Test (ner_rules, party_and_state_after_a_legislator)
{
    const char *text =
        "WASHINGTON, May 3 - The study was asked for by Sen. Mark Tolliver (R-N.M.),\n"
        "a former chairman of the committee, and Rep. Ann Kessler (D-Ore.).\n";
    const char *const unwanted [] = { "R-N", "M.", "D-Ore", NULL };
    CHECK (text, unwanted,
           { "PER", "Mark Tolliver" }, { "ORG", "R" }, { "LOC", "N.M." },
           { "PER", "Ann Kessler" }, { "ORG", "D" }, { "LOC", "Ore." });
    /* Between commas too.  */
    const char *commas = "Dan Rostenkowski, D-Ill., predicted major trade legislation.\n";
    const char *const unwanted2 [] = { "D-Ill", NULL };
    CHECK (commas, unwanted2, { "PER", "Dan Rostenkowski" }, { "ORG", "D" }, { "LOC", "Ill." });
    /* Two legislators joined by "and": the tagger ran the first bracket
       into the second name ("D-Cal.) and Daniel Evans" as one); the
       second keeps its name and its own bracket.  */
    const char *pair = "Sen. Wade Corliss (D-Cal.) and Daniel Voss (R-Wash.) said they introduced it.\n";
    const char *const unwanted3 [] = { "D-Cal", "R-Wash", NULL };
    CHECK (pair, unwanted3,
           { "PER", "Wade Corliss" }, { "ORG", "D" }, { "LOC", "Cal." },
           { "PER", "Daniel Voss" }, { "ORG", "R" }, { "LOC", "Wash." });
    /* Wire copy wraps its lines before the bracket, puts a comma before
       it or a possessive, and ends a sentence with the state.  */
    const char *wrapped =
        "The bill, sponsored by committee Chairman Walter Brisby\n"
        "(D-Vt.) and Rep. Ed Hollins,\n(D-Tenn.), was passed.\n"
        "Sen. Carl Ostby's (D-N.J.) panel met, said Tom Feldway, D-Wash.\n";
    const char *const unwanted4 [] = { "D-Vt", "D-Tenn", "D-N", "J.", "D-Wash", NULL };
    CHECK (wrapped, unwanted4,
           { "PER", "Walter Brisby" }, { "ORG", "D" }, { "LOC", "Vt." },
           { "PER", "Ed Hollins" }, { "ORG", "D" }, { "LOC", "Tenn." },
           { "PER", "Carl Ostby" }, { "ORG", "D" }, { "LOC", "N.J." },
           { "PER", "Tom Feldway" }, { "ORG", "D" }, { "LOC", "Wash." });
}

/*  A malware variant's letter after a period belongs to the name
    ("Quorvex.B"; the tokenizer ends the word at the period), and the
    product noun after it still types it.  */
Test (ner_rules, variant_letter_after_a_period)
{
    const char *text =
        "Firms warn of e-mail pest\n\n"
        "Security firms said the Quorvex.B virus posed as a greeting card. "
        "Users were told to delete it.\n";
    const char *const unwanted [] = { "Quorvex", NULL };
    CHECK (text, unwanted, { "MISC", "Quorvex.B" });
    /* Two capitals too, and a one-word name so marked is malware, MISC,
       also at a sentence's end.  */
    const char *two = "The new variant is called Zaglo.AT, Zaglo.BB and more. It hit Zaglo.AT.\n";
    const char *const unwanted2 [] = { "Zaglo", NULL };
    CHECK (two, unwanted2, { "MISC", "Zaglo.AT" }, { "MISC", "Zaglo.BB" });
}

/*  Entities are in text order and never overlap (the SPEC's promise of
    a record), also where variant_letter stretches a name to the letter
    after its period and that letter is the first name of the next
    sentence: the fuzzer's input (Windows-1252 text, shown here decoded)
    and a BBC article's "Zafi.D" had a name and a lone letter overlapping.  */
Test (ner_rules, names_never_overlap)
{
    static const char *const texts [] = {
        "\xc3\xaf\xc2\xbb\xc2\xafHuaweis\xc3\xa2\xe2\x82\xac\xe2\x84\xa2 \xc3\xa9- "
        "\xc2\xafHuawei\xc3\xa2\xe2\x82\xac\xe2\x84\xa2s \xc3\xa9-son.J",
        "Virus poses as greeting\n\nThe Quorvex.D virus translates the greeting on its "
        "subject line into the language of the recipient.\n",
    };
    for (size_t t = 0; t < sizeof texts / sizeof texts [0]; t++) {
        clip_ner_entity_t *e;
        size_t n;
        cr_assert_eq (clip_ner_extract (ner, texts [t], strlen (texts [t]), &e, &n), 0);
        /*  The fuzzer's bytes are mojibake, where the model of the twelfth
            round (workers/ner/README.md) rightly finds no name at all; the
            article's "Quorvex.D" is the stretched name the rule is for.  */
        if (t > 0)
            cr_expect_gt (n, 0, "text %zu: no entity", t);
        for (size_t i = 1; i < n; i++)
            cr_expect (e [i - 1].end <= e [i].start,
                       "text %zu: \"%s\" [%zu, %zu) and \"%s\" [%zu, %zu) overlap or are "
                       "out of order", t, e [i - 1].text, e [i - 1].start, e [i - 1].end,
                       e [i].text, e [i].start, e [i].end);
        clip_ner_entities_free (e, n);
    }
}

/*  A member of parliament's title before a name is a title (dev5): the
    tagger glued "MP" to the person as one ORG.  */
Test (ner_rules, member_of_parliament_before_a_name)
{
    const char *text =
        "The play was banned, said opposition MP Dorun Kaleppe on Friday.\n\n"
        "MP Lira Osweno called it a disgrace.\n";
    const char *const unwanted [] = { "MP Dorun Kaleppe", "MP Lira Osweno", NULL };
    CHECK (text, unwanted, { "PER", "Dorun Kaleppe" }, { "PER", "Lira Osweno" });
}

/*  Races and tournaments are events, MISC, whatever place or club their
    name starts with (dev5: a city's marathon typed ORG).  */
Test (ner_rules, races_and_tournaments_are_events)
{
    const char *text =
        "She ran the 2002 and 2003 Berlin Marathons before the Harbour Tournament "
        "began.\n";
    CHECK (text, NULL, { "MISC", "Berlin Marathons" }, { "MISC", "Harbour Tournament" });
}

/*  A time zone after a clock time is part of a time of day, which the
    labels leave out; CoNLL (and so the tagger) calls it MISC.  Alone it
    stays a name.  */
Test (ner_rules, time_zone_after_a_clock_time)
{
    const char *text =
        "Labour MP Hanna Welvert said the deal was signed at 1400 GMT on Tuesday, "
        "and trading resumed at 10 a.m. EST.\n";
    const char *const unwanted [] = { "GMT", "EST", NULL };
    CHECK (text, unwanted, { "PER", "Hanna Welvert" });
}

/*  Abbreviations of common nouns are no names, also where CoNLL taught
    the tagger otherwise (with the shipped model, "Aids" here is MISC and
    "VAT" ORG without the rule; dev17 to dev20 had ID cards, PCs, LPG and
    an earnings table's "Oper").  */
Test (ner_rules, common_noun_abbreviations_are_no_names)
{
    const char *text =
        "ID cards will cost 30 pounds, the Home Office said.\n\n"
        "HIV and Aids groups welcomed the GDP figures and the VAT cut.\n";
    const char *const unwanted [] = { "ID", "HIV", "Aids", "GDP", "VAT", NULL };
    CHECK (text, unwanted, { "ORG", "Home Office" });
}

/*  Religious and noble honorifics are titles, outside the name as "Sir"
    is: the tagger took "Ayatollah Hamid Varzandeh", "Hojatoleslam ...",
    "Baroness Fennimore", "Lady Marchbank", "Baron Kettering" whole (and
    "Lord Tolleshunt" as MISC, "Cardinal ..." as ORG).  "Lord" before "of"
    is no title.  */
static const char cleric_article [] =
    "Cleric warns on talks\n\n"
    "Ayatollah Hamid Varzandeh told worshippers on Friday that the talks had failed. "
    "Hojatoleslam Reza Mohsen Karimabadi, a senior cleric, agreed. Baroness Fennimore "
    "said the House of Lords would debate the bill, and Lady Marchbank and Lord "
    "Tolleshunt spoke against it, as did Baron Kettering and Cardinal Pietro Valdimari. "
    "Varzandeh later said the cleric was wrong, and a new film of The Lord of the "
    "Harbours was shown.\n";

Test (ner_rules, religious_and_noble_honorifics_outside_the_name)
{
    const char *const unwanted [] = {
        "Ayatollah Hamid Varzandeh", "Hojatoleslam Reza Mohsen Karimabadi",
        "Baroness Fennimore", "Lady Marchbank", "Lord Tolleshunt", "Baron Kettering",
        "Cardinal Pietro Valdimari", "Harbours", NULL
    };
    CHECK (cleric_article, unwanted,
           { "PER", "Hamid Varzandeh" }, { "PER", "Reza Mohsen Karimabadi" },
           { "PER", "Fennimore" }, { "PER", "Marchbank" }, { "PER", "Tolleshunt" },
           { "PER", "Kettering" }, { "PER", "Pietro Valdimari" },
           { "ORG", "House of Lords" });
}

/*  The surname alone later takes the full name without the title as its
    canonical (the linker takes the document's longest person).  */
Test (ner_rules, surname_takes_the_name_without_the_honorific)
{
    clip_ner_entity_t *e;
    size_t n;
    cr_assert_eq (clip_ner_extract (ner, cleric_article, strlen (cleric_article), &e, &n), 0);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp (e [i].text, "Varzandeh") == 0) {
            found = 1;
            cr_expect_str_eq (e [i].canonical, "Hamid Varzandeh");
        }
    cr_expect (found, "no entity \"Varzandeh\"");
    clip_ner_entities_free (e, n);
}

/*  A participle glued to a name by a hyphen ("-funded", "-backed") is not
    the name's: the tagger, not knowing the hyphenated word, cut the name
    before it ("European" MISC + "Union" ORG) or left it out
    ("International Monetary").  */
Test (ner_rules, name_before_a_hyphenated_participle)
{
    const char *text =
        "A European Union-funded bridge opened, and an International Monetary "
        "Fund-backed loan followed.\n";
    const char *const unwanted [] = {
        "European", "Union", "European Union-funded", "International Monetary", NULL
    };
    CHECK (text, unwanted,
           { "ORG", "European Union" }, { "ORG", "International Monetary Fund" });
}

/*  A public body's head word makes an organisation: the tagger called
    "Dundee City Council" after "at" a place.  */
Test (ner_rules, council_is_an_organisation)
{
    const char *text = "The talks were held at Dundee City Council on Monday.\n";
    CHECK (text, NULL, { "ORG", "Dundee City Council" });
}

/*  A direction and an adjective of nationality are one adjective, MISC:
    the tagger called "Central American" an organisation and "West
    European" a place.  Places stay places.  */
Test (ner_rules, direction_and_nationality_are_one_adjective)
{
    const char *text =
        "Prices of Central American coffee rose as West European rapeseed output fell, "
        "while South Africa and North America lagged.\n";
    CHECK (text, NULL,
           { "MISC", "Central American" }, { "MISC", "West European" },
           { "LOC", "South Africa" }, { "LOC", "North America" });
}

/*  "[Constituency] MP [Person]": the constituency is a place, the title
    outside; a party before the title stays an organisation.  The tagger
    made "Harlow West" and "Kirkdale North MP" organisations.  */
Test (ner_rules, constituency_before_a_member_title)
{
    const char *text =
        "Harlow West MP Jane Doe said the plan was flawed. \"It was a mistake,\" said the "
        "Kirkdale North MP. Labour MP John Smith agreed.\n";
    const char *const unwanted [] = { "Kirkdale North MP", NULL };
    CHECK (text, unwanted,
           { "LOC", "Harlow West" }, { "PER", "Jane Doe" }, { "LOC", "Kirkdale North" },
           { "ORG", "Labour" }, { "PER", "John Smith" });
}

/*  "comedy" says a work's title follows, which the tagger left out.  */
Test (ner_rules, comedy_before_a_work)
{
    const char *text = "The road-trip comedy Are We Home Yet opened on Friday.\n";
    CHECK (text, NULL, { "MISC", "Are We Home Yet" });
}

/*  Works in a list after a plural noun of works and "including" or
    "such as": each title MISC (the tagger made persons, a place, an
    organisation of them, or missed them), lower-case words inside one
    ("Autumn of Fred"), words before one ("1990 hit") left out, an "and"
    before the list's last title a separator, a comma closing the clause
    ("..., and it is") no part of the list.  */
Test (ner_rules, works_in_a_list)
{
    const char *text =
        "Ford has made more than 20 films, including Summer Rain, Doing the Right Deed, "
        "Autumn of Fred and 1990 hit Dogs Gotta Bark. At launch 15 games will be "
        "available, including Need for Thrills, Ridge Runner, Metal Fox Acid and Vampire "
        "Legends. The studio makes games such as Lanterns of the Old Keep and Willow "
        "Towers, and it is hiring.\n";
    const char *const unwanted [] = {
        "Fred", "Gotta Bark", "Thrills", "Lanterns", "Old Keep",
        "Lanterns of the Old Keep and Willow Towers", NULL
    };
    CHECK (text, unwanted,
           { "MISC", "Summer Rain" }, { "MISC", "Doing the Right Deed" },
           { "MISC", "Autumn of Fred" }, { "MISC", "Dogs Gotta Bark" },
           { "MISC", "Need for Thrills" }, { "MISC", "Ridge Runner" },
           { "MISC", "Metal Fox Acid" }, { "MISC", "Vampire Legends" },
           { "MISC", "Lanterns of the Old Keep" }, { "MISC", "Willow Towers" },
           { "ORG", "Ford" });
}

/*  A list after a plural noun of works names no work when the lexicon
    knows its items as places ("games in countries including ...").  */
Test (ner_rules, places_in_a_list_after_works_stay_places)
{
    const char *text =
        "The firm sells games in 30 countries, including France, Germany and Spain.\n";
    CHECK (text, NULL, { "LOC", "France" }, { "LOC", "Germany" }, { "LOC", "Spain" });
}

/*  A place, capitalised words the tagger left out and an organisation
    ending in an organisation's head are one organisation (the tagger
    gave "New Zealand" and "Exporters Association", "Wool" outside).  */
Test (ner_rules, place_before_an_organisation_is_part_of_it)
{
    const char *text = "The New Zealand Wool Exporters Association said prices were steady.\n";
    const char *const unwanted [] = { "New Zealand", "Exporters Association", NULL };
    CHECK (text, unwanted, { "ORG", "New Zealand Wool Exporters Association" });
}

/*  Royal, noble and judicial titles are outside the name: the tagger
    took "Justice Alcott", "Justices Ames" and "Count Velmar" (a place)
    whole, made "Caldor" after the plural title a place and "Chief
    Justice" a person.  A title followed by an office or a department's
    word names nobody after it ("Justice Department").  */
Test (ner_rules, royal_and_judicial_titles_outside_the_name)
{
    const char *text =
        "Film review\n\n"
        "The children flee their greedy uncle Count Velmar, played by a comedian. "
        "King Haakor opened the bridge. Then Duchess Ilsabet spoke.\n\n"
        "The appeal was heard by Lord Justice Penbury and Mr Justice Alcott on Monday. "
        "The Lord Chief Justice said the Lord Justices Ames and Caldor agreed with Justice "
        "Tamworth. The Justice Department declined to comment.\n";
    const char *const unwanted [] = {
        "Count Velmar", "King Haakor", "Duchess Ilsabet", "Justice Alcott", "Justices Ames",
        "Justice Tamworth", "Justice", "Chief Justice", "Lord Chief Justice", "Department",
        NULL
    };
    CHECK (text, unwanted,
           { "PER", "Velmar" }, { "PER", "Haakor" }, { "PER", "Ilsabet" },
           { "PER", "Penbury" }, { "PER", "Alcott" }, { "PER", "Ames" }, { "PER", "Caldor" },
           { "PER", "Tamworth" }, { "ORG", "Justice Department" });
}

/*  An award glued to "-winning" or "-nominated" is the name, MISC (the
    tagger took the hyphenated word whole).  */
Test (ner_rules, award_before_a_hyphenated_participle)
{
    const char *text =
        "The Oscar-winning actress and the Bafta-nominated director met a Grammy-winning "
        "singer.\n";
    const char *const unwanted [] = { "Oscar-winning", "Bafta-nominated", "Grammy-winning", NULL };
    CHECK (text, unwanted, { "MISC", "Oscar" }, { "MISC", "Bafta" }, { "MISC", "Grammy" });
}

/*  A capitalised word in "-ism" is a religion or doctrine, MISC (the
    tagger made "Jainism" a person); a place's demonym the tagger called
    a place ("Punjabis", from "Punjab") is MISC.  */
Test (ner_rules, religions_and_demonyms_are_misc)
{
    const char *text =
        "Minister ends tour\n\n"
        "The minister, touring the region, met Bengalis and Punjabis in Delhi before "
        "visiting Jainism's holiest shrine.\n";
    CHECK (text, NULL, { "MISC", "Punjabis" }, { "MISC", "Jainism" }, { "LOC", "Delhi" });
}

/*  A building's head word makes a place: the tagger called the temple
    and the mosque organisations.  */
Test (ner_rules, site_head_makes_a_place)
{
    const char *text = "Pilgrims visited the Silver Temple and the Tindal Mosque.\n";
    CHECK (text, NULL, { "LOC", "Silver Temple" }, { "LOC", "Tindal Mosque" });
}

/*  Plural acronyms of common nouns are no organisations (the tagger
    made "NGOs" and "PDAs" ORG).  */
Test (ner_rules, plural_acronyms_are_no_organisations)
{
    const char *text = "Banks lent as NGOs and PDAs grew, the Home Office said.\n";
    const char *const unwanted [] = { "NGOs", "PDAs", NULL };
    CHECK (text, unwanted, { "ORG", "Home Office" });
}

/*  Two directions and an adjective of nationality are one adjective,
    MISC (the tagger called the three a place).  */
Test (ner_rules, two_directions_and_nationality_are_one_adjective)
{
    const char *text =
        "Prices of North East African and South East Asian rubber rose, while North West "
        "European output fell.\n";
    CHECK (text, NULL,
           { "MISC", "North East African" }, { "MISC", "South East Asian" },
           { "MISC", "North West European" });
}

/*  A product's or work's number or model is part of its name, which is
    MISC (a station stays an organisation); a score or a count after a
    name is not.  */
Test (ner_rules, model_number_after_a_name)
{
    const char *text = "The Commodore 64 computer sold well, she told BBC Radio 4 on Monday. "
                       "Canon sold the EOS 300D camera. Leeds 2 Chelsea 1 was the score, and "
                       "Acme said 40 workers left.\n";
    const char *const unwanted [] = { "Commodore", "BBC Radio", "EOS", "Leeds 2", "Chelsea 1",
                                      "Acme said 40", NULL };
    CHECK (text, unwanted, { "MISC", "Commodore 64" }, { "ORG", "BBC Radio 4" },
           { "MISC", "EOS 300D" });
}

/*  "Today" with a capital inside a sentence before "programme" is the
    programme, a work; at a sentence's start it stays a DATE.  */
Test (ner_rules, the_today_programme)
{
    const char *text = "He told BBC Radio 4's Today programme he would stay. "
                       "Today programme makers met.\n";
    clip_ner_entity_t *e;
    size_t n;
    cr_assert_eq (clip_ner_extract (ner, text, strlen (text), &e, &n), 0);
    int misc = 0, date = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp (e [i].text, "Today") != 0)
            continue;
        if (e [i].start < 40)
            misc += strcmp (e [i].type, "MISC") == 0;
        else
            date += strcmp (e [i].type, "DATE") == 0;
    }
    cr_expect_eq (misc, 1, "the programme's title is one MISC");
    cr_expect_eq (date, 1, "a sentence's first word stays a DATE");
    clip_ner_entities_free (e, n);
}

/*  A member's title or Parliament's adjective alone is no name.  */
Test (ner_rules, member_titles_alone)
{
    const char *text = "MP attacked by muggers\n\nAn MP has lost his passport. He wrote to his "
                       "Parliamentary office, and MEPs and MSPs agreed.\n";
    const char *const unwanted [] = { "MP", "Parliamentary", "MEPs", "MSPs", NULL };
    check (text, NULL, 0, unwanted);
}

/*  The name after "MP for" is the seat, a place, with the second place
    of an "and" pair.  */
Test (ner_rules, seat_after_member_for)
{
    const char *text = "Quentin Davies, the MP for Grantham and Stamford, was attacked. "
                       "The MP for Ealing North claimed it.\n";
    const char *const unwanted [] = { "Grantham", "Stamford", NULL };
    CHECK (text, unwanted, { "LOC", "Grantham and Stamford" }, { "LOC", "Ealing North" });
}

/*  A legislator's state and party ("the Illinois Democrat") are a place
    and the party.  */
Test (ner_rules, state_and_party)
{
    const char *text = "the Illinois Democrat said. Jack Kemp, a New York Republican who is a "
                       "contender, spoke.\n";
    const char *const unwanted [] = { "Illinois Democrat", "New York Republican", NULL };
    CHECK (text, unwanted, { "LOC", "Illinois" }, { "ORG", "Democrat" },
           { "LOC", "New York" }, { "ORG", "Republican" });
}

/*  An organisation's noun after a name ("the Martian games group",
    "Martian headquarters", which the tagger alone calls MISC) makes it
    and its other mentions an organisation; a place or a nationality
    before one stays what it is.  */
Test (ner_rules, organisation_by_the_noun_after_it)
{
    const char *text = "Martian founder rebuilds empire\n\nJez Tam, the man behind the Martian "
                       "games group, said 80 staff work at Martian headquarters in the London "
                       "headquarters of the Anglo-Dutch group.\n";
    clip_ner_entity_t *e;
    size_t n;
    cr_assert_eq (clip_ner_extract (ner, text, strlen (text), &e, &n), 0);
    for (size_t i = 0; i < n; i++) {
        if (strcmp (e [i].text, "Martian") == 0)
            cr_expect_str_eq (e [i].type, "ORG", "Martian at %zu", e [i].start);
        if (strcmp (e [i].text, "London") == 0)
            cr_expect_str_eq (e [i].type, "LOC");
        if (strcmp (e [i].text, "Anglo-Dutch") == 0)
            cr_expect_str_eq (e [i].type, "MISC");
    }
    clip_ner_entities_free (e, n);
}

/*  An acronym defined in brackets after lower-case words it spells
    abbreviates a common noun: none of its mentions is a name.  One
    after a name stays ("the Zorvane Trade Board (ZTB)").  */
Test (ner_rules, acronym_of_a_common_noun)
{
    const char *text = "FCOJ SUPPLIES SIGNIFICANTLY ABOVE YEAR AGO\n\nTotal supply of frozen "
                       "concentrated orange juice (FCOJ) rose. Florida's imports of FCOJ, mostly "
                       "from Brazil, rose, the Zorvane Trade Board (ZTB) said.\n";
    const char *const unwanted [] = { "FCOJ", NULL };
    CHECK (text, unwanted, { "LOC", "Brazil" }, { "ORG", "ZTB" });
}

/*  Products written "iPod" are names the tagger never tags: MISC, or
    what the alias table makes them ("eBay").  */
Test (ner_rules, products_in_camel_case)
{
    const char *text = "The iPod sold well. Users of eDonkey and iPods agreed, and eBay said so.\n";
    CHECK (text, NULL, { "MISC", "iPod" }, { "MISC", "eDonkey" }, { "MISC", "iPods" },
           { "ORG", "eBay" });
}

/*  A work's title holding a date word is the work ("Suddenly Last
    Summer" after a noun of works), not a DATE inside a name; a prize
    with its year keeps the year.  */
Test (ner_rules, works_over_dates)
{
    const char *text = "Pakistan had, the film Black Friday had been due to open across India. "
                       "She was best actress in the play Suddenly Last Summer.\n";
    const char *const unwanted [] = { "Friday", "Last Summer", NULL };
    CHECK (text, unwanted, { "MISC", "Black Friday" }, { "MISC", "Suddenly Last Summer" });
}

/*  A name before "seat" or "constituency" is the seat, a place; a
    party's stays the party.  */
Test (ner_rules, seat_before_the_word_seat)
{
    const char *text = "John Houston was due to stand in the East Kilbride seat in Lanarkshire. "
                       "It is a safe Labour seat and a Tory constituency.\n";
    CHECK (text, NULL, { "LOC", "East Kilbride" }, { "ORG", "Labour" }, { "ORG", "Tory" });
}

/*  A web address's ending after a name is the site's name's.  */
Test (ner_rules, web_sites)
{
    const char *text = "Apple sued the websites AppleInsider.com and PowerPage.org, and "
                       "the popular Suprnova.org closed.\n";
    const char *const unwanted [] = { "AppleInsider", "PowerPage", "Suprnova", NULL };
    CHECK (text, unwanted, { "ORG", "AppleInsider.com" }, { "ORG", "PowerPage.org" },
           { "ORG", "Suprnova.org" });
}

/*  A company named with "'s": "Varlow's said" shows it, and every
    "Varlow's" of the document is then the name; a possessive before its
    noun elsewhere stays cut ("Acme's shares").  */
Test (ner_rules, company_named_with_possessive)
{
    const char *text = "Pizza Inn shareholders will get shares of Varlow's common stock, "
                       "Varlow Corp said. Varlow's said the deal was fair. Acme Corp's shares "
                       "rose.\n";
    clip_ner_entity_t *e;
    size_t n;
    cr_assert_eq (clip_ner_extract (ner, text, strlen (text), &e, &n), 0);
    int with = 0;
    for (size_t i = 0; i < n; i++) {
        with += strcmp (e [i].text, "Varlow's") == 0;
        cr_expect_str_neq (e [i].text, "Acme Corp's");
    }
    cr_expect_eq (with, 2, "both Varlow's, found %d", with);
    clip_ner_entities_free (e, n);
}

/*  A company's division words after its name are the name's ("Sony
    Pictures Entertainment"), not at a sentence's start.  */
Test (ner_rules, company_division_words)
{
    const char *text = "Sony Pictures Entertainment vice chairman Jeff Blake said so, and "
                       "a Sony Pictures spokesman agreed.\n";
    const char *const unwanted [] = { "Sony", NULL };
    CHECK (text, unwanted, { "ORG", "Sony Pictures Entertainment" }, { "ORG", "Sony Pictures" });
}

/*  A legal suffix's period that also ends the sentence, before a word
    that only starts one, is the sentence's.  */
Test (ner_rules, suffix_period_ending_the_sentence)
{
    const char *text = "It plans an offering with Morgan Stanley Inc. It makes sense, he said. "
                       "It was backed by Warner Bros. But the rules changed.\n";
    const char *const unwanted [] = { "Morgan Stanley Inc.", "Warner Bros.", NULL };
    CHECK (text, unwanted, { "ORG", "Morgan Stanley Inc" }, { "ORG", "Warner Bros" });
}

/*  A name the lexicon knows after "anti-", "non-" or "pro-" is a name,
    as the lexicon types it.  */
Test (ner_rules, names_after_a_prefix)
{
    const char *text = "There is no anti-American mood, he said. Sales to non-EC countries rose "
                       "after anti-French demonstrations.\n";
    CHECK (text, NULL, { "MISC", "American" }, { "ORG", "EC" }, { "MISC", "French" });
}

/*  A name before a hyphen's suffix that the tagger left out: an award's
    is MISC ("Oscar-winning" opening a headline).  */
Test (ner_rules, names_before_a_suffix)
{
    const char *text = "Animation charms box office\n\nOscar-winning director Hayao Miyazaki's "
                       "latest film took 1.5bn yen.\n";
    const char *const unwanted [] = { "Oscar-winning", NULL };
    CHECK (text, unwanted, { "MISC", "Oscar" }, { "PER", "Hayao Miyazaki" });
}

/*  A wire headline names its source after a last hyphen: an organisation
    or a person the lexicon knows, also when the tagger ran a place into
    it; the words before it are no name ("STALL").  */
Test (ner_rules, source_after_a_headline_hyphen)
{
    const char *text =
        "FRAUD INQUIRY INTO WHEAT DEALS WILL WIDEN-FBI\n\n"
        "WASHINGTON, March 3 - The inquiry will widen, officials said.\n";
    const char *const unwanted [] = { "WIDEN-FBI", "WIDEN", NULL };
    CHECK (text, unwanted, { "ORG", "FBI" });
    const char *ran =
        "WHEAT FLOUR BOUND FOR TUNISIA/MOROCCO-FBI\n\n"
        "WASHINGTON, March 3 - The case was sent on, officials said.\n";
    const char *const unwanted2 [] = { "MOROCCO-FBI", NULL };
    CHECK (ran, unwanted2, { "LOC", "TUNISIA" }, { "LOC", "MOROCCO" }, { "ORG", "FBI" });
}

/*  A firm named by two letters ("S and P"): one ORG where the tagger
    marked a letter of it, and so is the same pair elsewhere in the
    document; a pair never marked ("class A and B shares") and one inside
    a longer name are left alone.  */
Test (ner_rules, a_firm_named_by_two_letters)
{
    const char *text =
        "NEW YORK, March 3 - Q and R Ltd lowered its rating on Acme Corp's debt. "
        "Q and R cited losses.\n"
        "    Acme issued class A and B shares, Q and R noted.\n";
    const char *const unwanted [] = { "Q", "R", "A and B", NULL };
    CHECK (text, unwanted, { "ORG", "Q and R" });
}

/*  A table's row label that reads as no name (abbreviated common words,
    a code) is no name, whatever the tagger made of it; a company heading
    a row stays.  */
Test (ner_rules, row_labels_that_read_as_no_name)
{
    const char *text =
        "WASHINGTON, March 9 - The department gave these figures for\n"
        "oats, in mln bushels:\n\n"
        "                  1986/87    1985/86\n"
        "    Start Stcks     1,905      1,425\n"
        "    Domes Use       2,050      1,980\n"
        "    Ttl Supply-X    4,007      3,865\n"
        "    Exxon Corp        120        110\n";
    const char *const unwanted [] = { "Start Stcks", "Domes Use", "Ttl Supply-X", "Ttl Supply", NULL };
    CHECK (text, unwanted, { "ORG", "Exxon Corp" });
}

/*  One organisation whose name joins two words by "and" ("Savings and
    Loan Association"), also across a wrapped line; two names that each
    end as an organisation's do stay two.  */
Test (ner_rules, a_name_joining_two_words_by_and)
{
    const char *text =
        "SAN DIEGO, March 4 - Harbour Federal Savings\n"
        "and Loan Association said it agreed to buy Delmar Savings and Loan Association.\n"
        "The Tarvel Finance Committee and Delmar Trust Bank approved.\n";
    const char *const unwanted [] = { "Loan Association", "Harbour Federal Savings", "Delmar Savings",
                                      "Tarvel Finance Committee and Delmar Trust Bank", NULL };
    CHECK (text, unwanted,
           { "ORG", "Harbour Federal Savings\nand Loan Association" },
           { "ORG", "Delmar Savings and Loan Association" });
}

/*  No name runs over a paragraph's or a table row's start: the pieces
    of one the tagger ran across are names of their own, and a piece that
    is a legal form alone, a row's heading ("Year", "Shr") or a paragraph's
    first word goes.  */
Test (ner_rules, a_name_within_its_paragraph)
{
    const char *text =
        "TARVEX CORP <TVX> 4TH QTR NET\n\n"
        "DALLAS, March 3 -\n"
        "    Shr 12 cts vs 10 cts\n"
        "    Year\n"
        "    Shr 81 cts vs 1.45 dlrs\n"
        "    The offer was made by Quillby Brothers and Co.\n"
        "    Tarvex Corp said it would respond, said analysts in Plano, Tex.\n"
        "    Delmar Inc agreed.\n";
    const char *const unwanted [] = { "Year\n    Shr", "Year", "Shr", "Co.\n    Tarvex Corp",
                                      "Quillby Brothers and Co.\n    Tarvex Corp",
                                      "Tex.\n    Delmar Inc", NULL };
    CHECK (text, unwanted,
           { "ORG", "Quillby Brothers and Co" }, { "ORG", "Tarvex Corp" },
           { "LOC", "Tex." }, { "ORG", "Delmar Inc" });
}

/*  An agency's "Administration" belongs to its name, over a wrapped line
    too; after a person or a country it is the government's, no name.  */
Test (ner_rules, an_agency_named_administration)
{
    const char *text =
        "WASHINGTON, March 4 - The Energy Information Administration said stocks fell.\n"
        "The Farm Credit\nAdministration and the Reagan Administration disagreed, and the\n"
        "U.S. Administration said so.\n";
    const char *const unwanted [] = { "Energy Information", "Farm Credit", "Reagan Administration",
                                      "U.S. Administration", NULL };
    CHECK (text, unwanted,
           { "ORG", "Energy Information Administration" },
           { "ORG", "Farm Credit\nAdministration" },
           { "PER", "Reagan" });
}

/*  A crude oil's grade is a product (MISC): a place and "Intermediate",
    "Sour" or "Sweet", a people's adjective and "Light" or "Heavy"; a
    utility named by its state and "Light" stays an organisation.  */
Test (ner_rules, a_crude_oil_grade)
{
    const char *text =
        "NEW YORK, March 4 - West Texas Intermediate rose 50 cts, and West Texas Sour fell,\n"
        "while Arabian Light was steady. Connecticut Light and Power Co said so.\n";
    const char *const unwanted [] = { NULL };
    CHECK (text, unwanted,
           { "MISC", "West Texas Intermediate" },
           { "MISC", "West Texas Sour" },
           { "MISC", "Arabian Light" },
           { "ORG", "Connecticut Light and Power Co" });
}

/*  A company's name in another language is one organisation over its
    lower-case particle, with the words after it whether the tagger named
    them or not; not a name the tagger ran on over "and".  */
Test (ner_rules, a_company_name_joined_by_a_particle)
{
    const char *text =
        "RIO DE JANEIRO, March 4 - Banco do Brasil said Electricite de France and Banca\n"
        "Nazionale del Lavoro agreed, Lazard Freres et Cie said.\n";
    const char *const unwanted [] = { "Banco", "Brasil", "France", "Electricite", "Lavoro",
                                      "Banca\nNazionale", NULL };
    CHECK (text, unwanted,
           { "ORG", "Banco do Brasil" },
           { "ORG", "Electricite de France" },
           { "ORG", "Lazard Freres et Cie" });
}

/*  "Commissioner" is a noun of office: the phrase it ends is a title,
    what stands before it its own name when that is a name ("EC
    Commissioner"), nothing when it is a word news writes in lower case
    ("High Commissioner").  */
Test (ner_rules, a_commissioner_is_a_title)
{
    const char *text =
        "BRUSSELS, March 4 - EC Commissioner Frans Andriessen met the High Commissioner\n"
        "and Texas Railroad Commissioner James Nugent.\n";
    const char *const unwanted [] = { "EC Commissioner", "High Commissioner", "High",
                                      "Texas Railroad Commissioner", NULL };
    CHECK (text, unwanted,
           { "ORG", "EC" },
           { "PER", "Frans Andriessen" },
           { "PER", "James Nugent" });
}

/*  A place's newspaper is an organisation with its word ("Times"),
    whether the tagger took the place alone or the whole for a place.  */
Test (ner_rules, a_place_s_newspaper)
{
    const char *text =
        "NEW YORK, March 4 - The study appeared in the New England Journal of Medicine, the\n"
        "New York Times reported.\nCanada Post said so.\n";
    const char *const unwanted [] = { "New England", "Canada", NULL };
    CHECK (text, unwanted,
           { "ORG", "New England Journal" },
           { "ORG", "New York Times" },
           { "ORG", "Canada Post" });
}

/*  A participle or adjective in lower case after a name and a hyphen is
    the name's modifier ("Booker-shortlisted", "English-speaking",
    "Spanish-language"), as the listed ones are ("Scotland-born"); a
    prefix with a capital is not cut off as a name ("Non-borrowed").  */
Test (ner_rules, a_name_before_a_hyphenated_modifier)
{
    const char *text =
        "The Booker-shortlisted novel reached English-speaking fans through the\n"
        "Spanish-language press, and Non-borrowed reserves rose.\n";
    const char *const unwanted [] = { "Booker-shortlisted", "English-speaking", "Spanish-language",
                                      "Non", NULL };
    CHECK (text, unwanted,
           { "MISC", "Booker" },
           { "MISC", "English" },
           { "MISC", "Spanish" });
}

/*  A joining sign alone is no name, whatever the tagger made of it
    ("Serbia & Montenegro" cut at "&").  */
Test (ner_rules, a_joining_sign_alone_is_no_name)
{
    const char *text = "Serbia & Montenegro won, and Trinidad & Tobago lost.\n";
    const char *const unwanted [] = { "&", NULL };
    CHECK (text, unwanted, { "LOC", "Serbia" });
}
