/*  The rules after the tagger in clip_ner_extract (issue 14, classes 1,
    5 and 7, and acronyms completing a name the tagger cut): titles inside
    a name before a person, hyphenated names, a title-case "And" in a
    headline, a name completed by the acronym after it, the type a name's
    head word gives (events, laws, sites, legal suffixes, holidays,
    parties).  Made-up sentences,
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
    "Scotland-born" MISC; "Oscar-winning" is not a place's suffix.  */
Test (ner_rules, hyphenated_names)
{
    const char *const unwanted [] = {
        "France-Germany", "Mexico-type", "Scotland-born", "Oscar", NULL
    };
    CHECK (article, unwanted,
           { "LOC", "France" }, { "LOC", "Germany" },
           { "LOC", "Mexico" }, { "LOC", "Scotland" });
}

/*  Class 7 / 2: a title-case "And" in a headline joined two clubs.  */
Test (ner_rules, title_case_and_in_a_headline)
{
    const char *const unwanted [] = { "Leeds And Chelsea Draw", NULL };
    CHECK (article, unwanted, { "ORG", "Leeds" }, { "ORG", "Chelsea" });
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
