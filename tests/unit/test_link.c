/*  test_link: linking mentions to canonical names.

    Real sentences from the Huawei corpus (corpus/huawei) with the mentions
    a tagger would give, and the rules of clip_link.h one by one: the
    shipped alias table, legal suffixes, possessives, acronyms defined in
    the article, short mentions of people, spelling variants, titles,
    capitals standing for governments, and the table's loading errors.  */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clip_link.h"
#include "clip_util.h"

static clip_linker_t *linker;

static void
load_shipped (void)
{
    char err[256] = "";
    char *path = clip_path_join (CLIP_SOURCE_DIR, "corpus/aliases.tsv");
    linker = clip_linker_load (path, err, sizeof err);
    cr_assert (linker, "loading %s: %s", path, err);
    free (path);
}

static void
unload (void)
{
    clip_linker_destroy (&linker);
    cr_assert_null (linker);
}

typedef struct {
    const char *type;       /* as tagged */
    const char *needle;     /* the mention's text, found after the previous one */
    const char *canonical;  /* expected */
    const char *type_out;   /* expected type; NULL: unchanged */
} spec_t;

/*  Place the mentions in text (each searched after the previous one), link
    them and check every canonical name and type.  */
static void
check (const char *text, const spec_t *specs, size_t n)
{
    clip_mention_t *m = clip_calloc (n, sizeof *m);
    size_t from = 0;
    for (size_t k = 0; k < n; k++) {
        const char *hit = strstr (text + from, specs[k].needle);
        cr_assert (hit, "mention \"%s\" not found in the text", specs[k].needle);
        m[k].type = specs[k].type;
        m[k].start = (size_t) (hit - text);
        m[k].end = m[k].start + strlen (specs[k].needle);
        from = m[k].end;
    }
    cr_assert_eq (clip_linker_link (linker, text, strlen (text), m, n), 0);
    for (size_t k = 0; k < n; k++) {
        cr_expect_str_eq (m[k].canonical, specs[k].canonical, "mention \"%s\": \"%s\"",
                          specs[k].needle, m[k].canonical);
        cr_expect_str_eq (m[k].type, specs[k].type_out? specs[k].type_out: specs[k].type,
                          "type of \"%s\"", specs[k].needle);
        free (m[k].canonical);
    }
    free (m);
}

#define CHECK(text, ...) do { \
        const spec_t specs_[] = { __VA_ARGS__ }; \
        check ((text), specs_, sizeof specs_ / sizeof specs_[0]); \
    } while (0)

TestSuite (link, .init = load_shipped, .fini = unload);

Test (link, legal_name_and_country_alias)
{
    /* 000, second paragraph.  */
    CHECK ("Guo Ping’s comments came as Huawei Technologies Ltd., the biggest global maker of "
           "network equipment for phone and internet companies, announced last year’s sales "
           "surpassed $100 billion despite U.S. pressure on American allies to shun it as a "
           "security threat.",
           { "PER", "Guo Ping", "Guo Ping", NULL },
           { "ORG", "Huawei Technologies Ltd.", "Huawei", NULL },
           { "LOC", "U.S.", "United States", NULL },
           { "MISC", "American", "American", NULL });
}

Test (link, world_news_aliases)
{
    /* Sports bodies by their acronyms, in any case; a city by its old
       name; the upper house by its short name.  */
    CHECK ("The IAAF and Wada met in Bombay; the IOC and the Lords were told.",
           { "ORG", "IAAF", "International Association of Athletics Federations", NULL },
           { "ORG", "Wada", "World Anti-Doping Agency", NULL },
           { "LOC", "Bombay", "Mumbai", NULL },
           { "ORG", "IOC", "International Olympic Committee", NULL },
           { "ORG", "Lords", "House of Lords", NULL });
    /* A US state by the abbreviation wire copy writes after a city; an
       Australian "No Liability" company without its suffix.  */
    CHECK ("Quillmoor Gold N.L. has a mine near Denver, Colo., and an office in Fresno, "
           "Calif.",
           { "ORG", "Quillmoor Gold N.L.", "Quillmoor Gold", NULL },
           { "LOC", "Denver", "Denver", NULL },
           { "LOC", "Colo.", "Colorado", NULL },
           { "LOC", "Fresno", "Fresno", NULL },
           { "LOC", "Calif.", "California", NULL });
}

Test (link, britain_and_spelling_variant)
{
    /* 000 says Center, 001 says Centre: one canonical name.  */
    CHECK ("Britain’s National Cyber Security Center added criticism Thursday on a different "
           "front, accusing Huawei of “poor software engineering.”",
           { "LOC", "Britain", "United Kingdom", NULL },
           { "ORG", "National Cyber Security Center", "National Cyber Security Centre", NULL },
           { "ORG", "Huawei", "Huawei", NULL });
    CHECK ("Britain’s National Cyber Security Centre added criticism on a different front on "
           "Thursday, accusing Huawei of “poor software engineering”.",
           { "LOC", "Britain", "United Kingdom", NULL },
           { "ORG", "National Cyber Security Centre", "National Cyber Security Centre", NULL },
           { "ORG", "Huawei", "Huawei", NULL });
}

Test (link, short_mentions_of_people)
{
    /* 000: "Guo Ping" then "Guo"; 001: "Mr Guo".  */
    CHECK ("Guo Ping’s comments came as Huawei announced its sales. Guo didn’t respond directly "
           "to the British report’s criticisms. Mr Guo did not respond. “We welcome the European "
           "Union’s attitude,” said Mr Guo.",
           { "PER", "Guo Ping", "Guo Ping", NULL },
           { "ORG", "Huawei", "Huawei", NULL },
           { "PER", "Guo", "Guo Ping", NULL },
           { "MISC", "British", "British", NULL },
           { "PER", "Mr Guo", "Guo Ping", NULL },
           { "ORG", "European Union", "European Union", NULL },
           { "PER", "Mr Guo", "Guo Ping", NULL });
}

Test (link, short_mention_of_an_unknown_person)
{
    /* Names the table does not know: only the document links them.  */
    CHECK ("Alice Wexley-Brown, the regulator's chief, spoke first. Ms Wexley-Brown said the "
           "plan was sound, and Wexley-Brown left.",
           { "PER", "Alice Wexley-Brown", "Alice Wexley-Brown", NULL },
           { "PER", "Ms Wexley-Brown", "Alice Wexley-Brown", NULL },
           { "PER", "Wexley-Brown", "Alice Wexley-Brown", NULL });
    /* A short mention before the full name takes the full name too
       (issue 14, class 6; it stayed "Okonkwo" before).  */
    CHECK ("Mr Okonkwo spoke. Later Chidi Okonkwo left.",
           { "PER", "Mr Okonkwo", "Chidi Okonkwo", NULL },
           { "PER", "Chidi Okonkwo", "Chidi Okonkwo", NULL });
}

Test (link, titles_and_table_people)
{
    /* 004 and 003.  */
    CHECK ("\"I fully understand what President Donald Trump said last week,\" Guo said. Trump "
           "recently said he expected to sign a trade deal.",
           { "PER", "President Donald Trump", "Donald Trump", NULL },
           { "PER", "Guo", "Guo", NULL },
           { "PER", "Trump", "Donald Trump", NULL });
    CHECK ("“This is our commitment to the UK,” VP Zhang said in a statement, after company "
           "vice-president Victor Zhang told Sputnik in a presser with UK media on Monday.",
           { "LOC", "UK", "United Kingdom", NULL },
           /* the full name written after it (issue 14; "Zhang" before) */
           { "PER", "VP Zhang", "Victor Zhang", NULL },
           { "PER", "Victor Zhang", "Victor Zhang", NULL },
           { "ORG", "Sputnik", "Sputnik", NULL },
           { "LOC", "UK", "United Kingdom", NULL });
    CHECK ("company vice-president Victor Zhang told Sputnik. “This is our commitment to the "
           "UK,” VP Zhang said in a statement.",
           { "PER", "Victor Zhang", "Victor Zhang", NULL },
           { "ORG", "Sputnik", "Sputnik", NULL },
           { "LOC", "UK", "United Kingdom", NULL },
           { "PER", "VP Zhang", "Victor Zhang", NULL });
    CHECK ("He announced he was pencilled to meet Chinese president, Xi Jinping, at his "
           "Mar-a-Lago resort in Florida.",
           { "MISC", "Chinese", "Chinese", NULL },
           { "PER", "Xi Jinping", "Xi Jinping", NULL },
           { "LOC", "Mar-a-Lago", "Mar-a-Lago", NULL },
           { "LOC", "Florida", "Florida", NULL });
}

Test (link, acronym_defined_in_the_article)
{
    /* 002.  */
    CHECK ("The report from Britain's National Cyber Security Centre (NCSC) found that Huawei "
           "had failed to fix long-standing security flaws. But while “poor software "
           "engineering” had led to these issues, the NCSC said it had seen no sign.",
           { "LOC", "Britain", "United Kingdom", NULL },
           { "ORG", "National Cyber Security Centre", "National Cyber Security Centre", NULL },
           { "ORG", "NCSC", "National Cyber Security Centre", NULL },
           { "ORG", "Huawei", "Huawei", NULL },
           { "ORG", "NCSC", "National Cyber Security Centre", NULL });
    /* 003: a possessive in front and a one-word "Cybersecurity".  */
    CHECK ("Huawei's Cybersecurity Evaluation Centre (HCSEC) in Banbury, which works directly "
           "with the UK's National Security Advisor, found no backdoors. HCSEC said so.",
           { "ORG", "Huawei's Cybersecurity Evaluation Centre",
             "Huawei Cyber Security Evaluation Centre", NULL },
           { "ORG", "HCSEC", "Huawei Cyber Security Evaluation Centre", NULL },
           { "LOC", "Banbury", "Banbury", NULL },
           { "LOC", "UK", "United Kingdom", NULL },
           { "ORG", "HCSEC", "Huawei Cyber Security Evaluation Centre", NULL });
    /* Names the table does not know: the article's definition decides.  */
    CHECK ("The Cyberspace Administration of China (CAC) issued rules. The CAC said the rules "
           "apply to the Widget Makers Federation (WMF) too. WMF members objected.",
           { "ORG", "Cyberspace Administration of China", "Cyberspace Administration of China", NULL },
           { "ORG", "CAC", "Cyberspace Administration of China", NULL },
           { "ORG", "CAC", "Cyberspace Administration of China", NULL },
           { "ORG", "Widget Makers Federation", "Widget Makers Federation", NULL },
           { "ORG", "WMF", "Widget Makers Federation", NULL },
           { "MISC", "WMF", "Widget Makers Federation", "ORG" });
    /* Letters that do not fit the name define nothing.  */
    CHECK ("The Widget Makers Federation (XYZ) met. XYZ left.",
           { "ORG", "Widget Makers Federation", "Widget Makers Federation", NULL },
           { "ORG", "XYZ", "XYZ", NULL });
}

Test (link, place_name_in_front_of_an_agency)
{
    /* 003.  */
    CHECK ("The UK National Cybersecurity Centre also announced it would assess the impact.",
           { "ORG", "UK National Cybersecurity Centre", "National Cyber Security Centre", NULL });
}

Test (link, capital_for_its_government)
{
    /* 001, 003, 004: the capital acting; a city after "in" stays a city.  */
    CHECK ("Accusations that Huawei, China’s first global tech brand, might facilitate Beijing’s "
           "spying threaten to hamper its access. Beijing has detained two Canadians and blocked "
           "imports of canola from Canada.",
           { "ORG", "Huawei", "Huawei", NULL },
           { "LOC", "China", "China", NULL },
           { "LOC", "Beijing", "China", NULL },
           { "LOC", "Beijing", "China", NULL },
           { "MISC", "Canadians", "Canadians", NULL },
           { "LOC", "Canada", "Canada", NULL });
    CHECK ("But Washington extended its trade ban on Huawei, ZTE, and over 70 Chinese tech "
           "companies placed on an Entity List in May 2019.",
           { "LOC", "Washington", "United States", NULL },
           { "ORG", "Huawei", "Huawei", NULL },
           { "ORG", "ZTE", "ZTE", NULL },
           { "MISC", "Chinese", "Chinese", NULL },
           { "MISC", "Entity List", "Entity List", NULL });
    CHECK (" Washington's spat with Beijing over Huawei's aspirations.",
           { "LOC", "Washington", "United States", NULL },
           { "LOC", "Beijing", "China", NULL },
           { "ORG", "Huawei", "Huawei", NULL });
    CHECK ("Talks were held in Beijing and then in Washington.",
           { "LOC", "Beijing", "Beijing", NULL },
           { "LOC", "Washington", "Washington", NULL });
}

/*  In a headline in capitals a capital before a noun is the city
    ("LONDON SUGAR", a market's report), before a verb its government.  */
Test (link, capital_in_a_headline)
{
    CHECK ("LONDON SUGAR CLOSES LOWER\n\nShe said so.",
           { "LOC", "LONDON", "London", NULL });
    CHECK ("TOKYO SEEKS TALKS\n\nShe said so.",
           { "LOC", "TOKYO", "Japan", NULL });
    CHECK ("GRAIN SALE, LONDON TRADERS SAY\n\nShe said so.",
           { "LOC", "LONDON", "London", NULL });
}

Test (link, retyping_by_the_table)
{
    /* A tagger's mistake corrected; a person keeps a one-word place alias.  */
    CHECK ("Huawei is, along with Sweden’s LM Ericsson and Nokia Corp. of Finland, a global leader.",
           { "LOC", "Huawei", "Huawei", "ORG" },
           { "LOC", "Sweden", "Sweden", NULL },
           { "ORG", "LM Ericsson", "Ericsson", NULL },
           { "ORG", "Nokia Corp.", "Nokia", NULL },
           { "LOC", "Finland", "Finland", NULL });
    CHECK ("America Ferrera spoke.",
           { "PER", "America Ferrera", "America Ferrera", NULL });
    /* British honours are awards, MISC, whatever the tagger said.  */
    CHECK ("He was made an MBE and later got his OBE.",
           { "ORG", "MBE", "MBE", "MISC" },
           { "ORG", "OBE", "OBE", "MISC" });
    CHECK ("Mr America spoke.",
           { "PER", "Mr America", "America", NULL });
    /* Other types are left alone.  */
    clip_mention_t m = { .type = "MONEY", .start = 0, .end = 4, .canonical = clip_strdup ("USD 5") };
    cr_assert_eq (clip_linker_link (linker, "$5 m", 4, &m, 1), 0);
    cr_expect_str_eq (m.canonical, "USD 5");
    cr_expect_str_eq (m.type, "MONEY");
    free (m.canonical);
}

Test (link, normalisation_of_unknown_names)
{
    CHECK ("Acme Widgets Holdings PLC and the Zeta Widget Company Ltd. and Omega Corp and "
           "“Gamma Defense Organization” and Dr. Jane Q. Public’s and Globex Corporation’s "
           "and BETA GMBH and Widgetco, Inc. and Mr and Ms.",
           { "ORG", "Acme Widgets Holdings PLC", "Acme Widgets Holdings", NULL },
           { "ORG", "Zeta Widget Company Ltd.", "Zeta Widget Company", NULL },
           { "ORG", "Omega Corp", "Omega", NULL },
           { "ORG", "“Gamma Defense Organization”", "Gamma Defense Organization", NULL },
           { "PER", "Dr. Jane Q. Public’s", "Jane Q. Public", NULL },
           { "ORG", "Globex Corporation’s", "Globex", NULL },
           { "ORG", "BETA GMBH", "BETA", NULL },
           { "ORG", "Widgetco, Inc.", "Widgetco", NULL },
           { "PER", "Mr", "Mr", NULL },
           { "PER", "Ms", "Ms", NULL });
    /* The joining word a legal suffix leaves behind goes with it, in the
       name and in its key, so that the short form links to it.  */
    CHECK ("Zorbel and Co Inc advised it; Quint, Varley & Co and Zorbel agreed.",
           { "ORG", "Zorbel and Co Inc", "Zorbel", NULL },
           { "ORG", "Quint, Varley & Co", "Quint, Varley", NULL },
           { "ORG", "Zorbel", "Zorbel", NULL });
    CHECK ("Procter and Gamble Co said so.",
           { "ORG", "Procter and Gamble Co", "Procter and Gamble", NULL });
    /* A name written with its legal form is the firm, not a short form of
       the person it is named after.  */
    CHECK ("Leroy Zorbel founded Zorbel and Co in 1970.",
           { "PER", "Leroy Zorbel", "Leroy Zorbel", NULL },
           { "ORG", "Zorbel and Co", "Zorbel", NULL });
    /* Whitespace folded, case and accents ignored for the table.  */
    CHECK ("HUAWEI  TECHNOLOGIES\xc2\xa0" "CO., LTD. and the united  states and Türkiye.",
           { "ORG", "HUAWEI  TECHNOLOGIES", "Huawei", NULL },
           { "LOC", "united  states", "United States", NULL },
           { "LOC", "Türkiye", "Turkey", NULL });
}

Test (link, huawei_corpus_article)
{
    /* Article 002 with the mentions a good tagger gives.  */
    char *path = clip_path_join (CLIP_SOURCE_DIR, "corpus/huawei/002_b2f4190119ca8e61.txt");
    char *text;
    size_t len;
    cr_assert_eq (clip_file_read (path, 1 << 20, &text, &len), 0, "%s", path);
    CHECK (text,
           { "ORG", "Huawei", "Huawei", NULL },
           { "LOC", "UK", "United Kingdom", NULL },
           { "ORG", "Huawei", "Huawei", NULL },
           { "PER", "Guo Ping", "Guo Ping", NULL },
           { "MISC", "British", "British", NULL },
           { "MISC", "Chinese", "Chinese", NULL },
           { "LOC", "Britain", "United Kingdom", NULL },
           { "ORG", "National Cyber Security Centre", "National Cyber Security Centre", NULL },
           { "ORG", "NCSC", "National Cyber Security Centre", NULL },
           { "ORG", "Huawei", "Huawei", NULL },
           { "LOC", "UK", "United Kingdom", NULL },
           { "ORG", "NCSC", "National Cyber Security Centre", NULL },
           { "ORG", "Huawei", "Huawei", NULL },
           { "ORG", "NCSC", "National Cyber Security Centre", NULL },
           { "MISC", "Chinese", "Chinese", NULL },
           { "PER", "Guo", "Guo Ping", NULL },
           { "MISC", "British", "British", NULL },
           { "ORG", "Huawei", "Huawei", NULL },
           { "LOC", "Germany", "Germany", NULL },
           { "LOC", "US", "United States", NULL },
           { "LOC", "Canada", "Canada", NULL },
           { "LOC", "US", "United States", NULL },
           { "LOC", "Iran", "Iran", NULL },
           { "LOC", "Beijing", "China", NULL },
           { "ORG", "Apple", "Apple", NULL },
           { "ORG", "Samsung", "Samsung", NULL },
           { "ORG", "Ericsson", "Ericsson", NULL },
           { "LOC", "Britain", "United Kingdom", NULL },
           { "ORG", "European Union", "European Union", NULL },
           { "PER", "Guo", "Guo Ping", NULL },
           { "ORG", "E&T", "E&T", NULL });
    free (text);
    free (path);
}

Test (link, arbitrary_bytes)
{
    /* Mentions over pseudo-random bytes (invalid UTF-8, lone apostrophes,
       parentheses, titles, suffixes): no crash, every canonical set.  */
    const char *pieces[] = { "Mr ", "Ltd", ".", "'s", "\xe2\x80\x99", "(", ")", "NCSC", " ",
                             "\xff", "\xc3", "Guo", "Ping", "the ", "&", "-", "Centre",
                             "Beijing", "\xe2\x80\x9c", ",", "A", "B" };
    size_t np = sizeof pieces / sizeof pieces[0];
    unsigned seed = 99;
    char buf[4096];
    for (int round = 0; round < 200; round++) {
        size_t len = 0;
        while (len < sizeof buf - 16) {
            seed = seed * 1103515245u + 12345u;
            const char *pc = pieces[(seed >> 16) % np];
            if (round % 3 == 0)
                buf[len++] = (char) (seed >> 8);
            else {
                memcpy (buf + len, pc, strlen (pc));
                len += strlen (pc);
            }
        }
        clip_mention_t m[40];
        const char *types[] = { "PER", "ORG", "LOC", "MISC", "DATE" };
        size_t pos = 0;
        for (size_t k = 0; k < 40; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t start = pos + (seed >> 16) % 40;
            size_t end = start + (seed >> 8) % 30;
            if (end > len)
                start = end = len;
            m[k] = (clip_mention_t) { types[(seed >> 4) % 5], start, end, NULL };
            pos = end;
        }
        cr_assert_eq (clip_linker_link (linker, buf, len, m, 40), 0);
        for (size_t k = 0; k < 40; k++) {
            if (strcmp (m[k].type, "DATE") != 0)
                cr_assert (m[k].canonical != NULL);
            free (m[k].canonical);
        }
    }
}

Test (link, crafted_acronym_is_bounded)
{
    /* Without a bound this search would take longer than the universe.  */
    CHECK ("Aaaaaaaaaaaaaaaaaaaa Aaaaaaaaaaaaaaaaaaaaa Aaaaaaaaaaaaaaaaaaaaaaa Aaaaaaaaaaaaaaaaaaaaaa "
           "Aaaaaaaaaaaaaaaaaaaa Aaaaaaaaaaaaaaaaaaaaa Aaaaaaaaaaaaaaaaaaaaaaa Aaaaaaaaaaaaaaaaaab "
           "(AAAAAAAAAAAAAAB) met.",
           { "ORG", "Aaaaaaaaaaaaaaaaaaaa Aaaaaaaaaaaaaaaaaaaaa Aaaaaaaaaaaaaaaaaaaaaaa "
                    "Aaaaaaaaaaaaaaaaaaaaaa Aaaaaaaaaaaaaaaaaaaa Aaaaaaaaaaaaaaaaaaaaa "
                    "Aaaaaaaaaaaaaaaaaaaaaaa Aaaaaaaaaaaaaaaaaab",
             "Aaaaaaaaaaaaaaaaaaaa Aaaaaaaaaaaaaaaaaaaaa Aaaaaaaaaaaaaaaaaaaaaaa "
             "Aaaaaaaaaaaaaaaaaaaaaa Aaaaaaaaaaaaaaaaaaaa Aaaaaaaaaaaaaaaaaaaaa "
             "Aaaaaaaaaaaaaaaaaaaaaaa Aaaaaaaaaaaaaaaaaab", NULL });
}

Test (link, empty_document)
{
    cr_expect_eq (clip_linker_link (linker, "", 0, NULL, 0), 0);
}

/* --------------------------------------------------------------- loading */

static char *
write_tmp (const char *content)
{
    char *path = clip_strdup ("/tmp/test_link_XXXXXX");
    int fd = mkstemp (path);
    cr_assert (fd >= 0);
    size_t n = strlen (content);
    cr_assert_eq (write (fd, content, n), (ssize_t) n);
    close (fd);
    return path;
}

Test (link_load, errors_name_the_line)
{
    char err[256];
    clip_linker_t *l = clip_linker_load ("/nonexistent/aliases.tsv", err, sizeof err);
    cr_expect_null (l);
    cr_expect (strstr (err, "/nonexistent/aliases.tsv") != NULL, "%s", err);

    char *p = write_tmp ("canonical\ttype\taliases\nAcme\tCOMPANY\tAcme Inc\n");
    l = clip_linker_load (p, err, sizeof err);
    cr_expect_null (l);
    cr_expect (strstr (err, "line 2") && strstr (err, "COMPANY"), "%s", err);
    unlink (p);
    free (p);

    p = write_tmp ("canonical\ttype\taliases\nAcme\tORG\tAC\nAcme Two\tORG\tAC|A2\n");
    l = clip_linker_load (p, err, sizeof err);
    cr_expect_null (l);
    cr_expect (strstr (err, "line 3") && strstr (err, "'AC'"), "%s", err);
    unlink (p);
    free (p);

    p = write_tmp ("no tabs here\n");
    l = clip_linker_load (p, err, sizeof err);
    cr_expect_null (l);
    unlink (p);
    free (p);
}

Test (link_load, a_small_table)
{
    char err[256] = "";
    char *p = write_tmp ("canonical\ttype\taliases\r\n# comment\r\n\r\n"
                         "Acme\tORG\tAcme Inc| ACME Widgets |Acme\r\nFoo Bar\tPER\r\n");
    clip_linker_t *l = clip_linker_load (p, err, sizeof err);
    cr_assert (l, "%s", err);
    const char *text = "Acme Widgets Ltd hired Mr. Foo Bar.";
    clip_mention_t m[2] = { { "ORG", 0, 16, NULL }, { "ORG", 27, 34, NULL } };
    cr_assert_eq (clip_linker_link (l, text, strlen (text), m, 2), 0);
    cr_expect_str_eq (m[0].canonical, "Acme");
    cr_expect_str_eq (m[1].canonical, "Foo Bar");
    cr_expect_str_eq (m[1].type, "PER");
    free (m[0].canonical);
    free (m[1].canonical);
    clip_linker_destroy (&l);
    cr_expect_null (l);
    clip_linker_destroy (&l);
    unlink (p);
    free (p);
}

Test (link_load, the_shipped_table_is_consistent)
{
    /* Loading fails on an alias that names two entities; this is the check.  */
    char err[256] = "";
    char *path = clip_path_join (CLIP_SOURCE_DIR, "corpus/aliases.tsv");
    clip_linker_t *l = clip_linker_load (path, err, sizeof err);
    cr_expect (l, "%s", err);
    clip_linker_destroy (&l);
    free (path);
}

/*  Issue 14, class 2: an ALL-CAPS headline or dateline gives the name as
    the body writes it, wherever the body's mention is; a dateline's place
    is the city, in normal case, even when it stands for a country
    elsewhere.  */
Test (link, all_caps_mention_takes_the_body_form)
{
    const char *text = "ZORBEX WIDGETS PROFIT RISES\n\n"
                       "PERTHSHIRE FALLS, Nov 4 - Zorbex Widgets Inc said profit rose.\n"
                       "    ZORBEX WIDGETS shares were steady, analysts at Qualm Group said.\n";
    const spec_t specs[] = {
        { "ORG", "ZORBEX WIDGETS", "Zorbex Widgets", NULL },
        { "LOC", "PERTHSHIRE FALLS", "Perthshire Falls", NULL },
        { "ORG", "Zorbex Widgets Inc", "Zorbex Widgets", NULL },
        { "ORG", "ZORBEX WIDGETS", "Zorbex Widgets", NULL },
        { "ORG", "Qualm Group", "Qualm Group", NULL },
    };
    check (text, specs, sizeof specs / sizeof specs[0]);
}

Test (link, dateline_city_is_the_city)
{
    const char *text = "YEN STEADY\n\nTOKYO, May 7 - Tokyo will not act, officials said.\n"
                       "ISLE OF WIGHTLEY, May 7 - Nothing.\n"
                       "GRANBY FALLS , May 7 - A stray space before the comma.\n";
    const spec_t specs[] = {
        { "LOC", "TOKYO", "Tokyo", NULL },
        { "LOC", "Tokyo", "Japan", NULL },
        { "LOC", "ISLE OF WIGHTLEY", "Isle of Wightley", NULL },
        { "LOC", "GRANBY FALLS", "Granby Falls", NULL },
    };
    check (text, specs, sizeof specs / sizeof specs[0]);
}

Test (link, all_caps_acronym_without_a_body_form_stays)
{
    const char *text = "QRX SAYS\n\nThe QRX board met.\n";
    const spec_t specs[] = {
        { "ORG", "QRX", "QRX", NULL },
        { "ORG", "QRX", "QRX", NULL },
    };
    check (text, specs, sizeof specs / sizeof specs[0]);
}

Test (link, acronym_in_running_text_keeps_its_capitals)
{
    /*  The body writes the acronym in capitals and, once, as a word
        ("Qorva"): all are "QORVA", the headline's too.  A ticker's
        capitals and a dateline are no such acronym.  */
    const char *text = "QORVA SAYS OUTPUT FELL\n\n"
                       "VIENNA, March 5 - QORVA output fell, the Qorva news agency said.\n"
                       "    A QORVA official spoke.\n"
                       "Zelt said Zelt <ZELT.VI> shares were steady.\n";
    const spec_t specs[] = {
        { "ORG", "QORVA", "QORVA", NULL },
        { "LOC", "VIENNA", "Vienna", NULL },
        { "ORG", "QORVA", "QORVA", NULL },
        { "ORG", "Qorva", "QORVA", NULL },
        { "ORG", "QORVA", "QORVA", NULL },
        { "ORG", "Zelt", "Zelt", NULL },
        { "ORG", "Zelt", "Zelt", NULL },
        { "ORG", "ZELT", "Zelt", NULL },
    };
    check (text, specs, sizeof specs / sizeof specs[0]);
}

/*  Issue 14, class 6: linking within the document.  Made-up sentences.  */

Test (link, short_form_before_the_full_name)
{
    /* A headline's surname, tagged as an organisation, before the body's
       full name: the person, and a person.  The latest earlier full name
       still wins over a later one.  */
    CHECK ("Tremlow sets sights on title\n\nPetra Tremlow aims to win again. \"I will,\" "
           "said Tremlow.",
           { "ORG", "Tremlow", "Petra Tremlow", "PER" },
           { "PER", "Petra Tremlow", "Petra Tremlow", NULL },
           { "PER", "Tremlow", "Petra Tremlow", NULL });
    CHECK ("Anna Varga met Janos Varga. Varga said no. Later Ilona Varga came.",
           { "PER", "Anna Varga", "Anna Varga", NULL },
           { "PER", "Janos Varga", "Janos Varga", NULL },
           { "PER", "Varga", "Janos Varga", NULL },
           { "PER", "Ilona Varga", "Ilona Varga", NULL });
}

Test (link, short_form_of_an_organisation)
{
    /* "Vantrell Data" after "Vantrell Data Systems Inc"; "the Quillby"
       after "Quillby Gallery".  */
    CHECK ("Vantrell Data Systems Inc said it sold a unit. Vantrell Data said the price was "
           "fair. The Quillby Gallery opens today; the Quillby said so.",
           { "ORG", "Vantrell Data Systems Inc", "Vantrell Data Systems", NULL },
           { "ORG", "Vantrell Data", "Vantrell Data Systems", NULL },
           { "ORG", "Quillby Gallery", "Quillby Gallery", NULL },
           { "ORG", "Quillby", "Quillby Gallery", NULL });
    /* Not an event, not a company's own legal name, not before the long
       name, not two long names; "the Bank" takes the "of ..." name as
       the noun heading it (head_noun_takes_the_organisation_it_heads),
       not as its leading words.  */
    CHECK ("The Bank of Ruritania cut rates. The Bank said so. The Glimmer Guild met before "
           "the Glimmer Guild Awards. Quorant Corp owns Quorant Chemicals. Dunmore said "
           "Dunmore Mining would grow. Pellow Foods and Pellow Shipping merged; Pellow said.",
           { "ORG", "Bank of Ruritania", "Bank of Ruritania", NULL },
           { "ORG", "Bank", "Bank of Ruritania", NULL },
           { "ORG", "Glimmer Guild", "Glimmer Guild", NULL },
           { "ORG", "Glimmer Guild Awards", "Glimmer Guild Awards", NULL },
           { "ORG", "Quorant Corp", "Quorant", NULL },
           { "ORG", "Quorant Chemicals", "Quorant Chemicals", NULL },
           { "ORG", "Dunmore", "Dunmore", NULL },
           { "ORG", "Dunmore Mining", "Dunmore Mining", NULL },
           { "ORG", "Pellow Foods", "Pellow Foods", NULL },
           { "ORG", "Pellow Shipping", "Pellow Shipping", NULL },
           { "ORG", "Pellow", "Pellow", NULL });
    /* An ALL-CAPS headline mention ends with the name its body form
       took.  */
    CHECK ("QUELLO PROFIT UP\n\nQuello Motor Co said profit rose. Quello said more.",
           { "ORG", "QUELLO", "Quello Motor", NULL },
           { "ORG", "Quello Motor Co", "Quello Motor", NULL },
           { "ORG", "Quello", "Quello Motor", NULL });
    /* A short form before its full name: only when the full name adds a
       generic company word; another word may name a unit.  */
    CHECK ("Harlowe said sales rose. Harlowe International was founded in 1950. Pellin "
           "Foods agreed; Pellin Foods Acquiring Corp will buy the shares.",
           { "ORG", "Harlowe", "Harlowe International", NULL },
           { "ORG", "Harlowe International", "Harlowe International", NULL },
           { "ORG", "Pellin Foods", "Pellin Foods", NULL },
           { "ORG", "Pellin Foods Acquiring Corp", "Pellin Foods Acquiring", NULL });
    /* Two words of the company's own joined by "and" ("Tire and
       Rubber"); but an "and" right after the short form joins two
       names, and four words more is too far.  */
    CHECK ("Brackwell Tile and Glass Co said sales rose. Brackwell said so. Ostrand and Vell "
           "Shipping Ltd merged; Ostrand said. Pemmer Steel Wire and Cable Co grew; Pemmer said.",
           { "ORG", "Brackwell Tile and Glass Co", "Brackwell Tile and Glass", NULL },
           { "ORG", "Brackwell", "Brackwell Tile and Glass", NULL },
           { "ORG", "Ostrand and Vell Shipping Ltd", "Ostrand and Vell Shipping", NULL },
           { "ORG", "Ostrand", "Ostrand", NULL },
           { "ORG", "Pemmer Steel Wire and Cable Co", "Pemmer Steel Wire and Cable", NULL },
           { "ORG", "Pemmer", "Pemmer", NULL });
}

Test (link, singular_of_a_plural_name)
{
    CHECK ("The Green Progressives won. A Green Progressive spokesman agreed.",
           { "ORG", "Green Progressives", "Green Progressives", NULL },
           { "ORG", "Green Progressive", "Green Progressives", NULL });
    /* A plural in "-ies" for a singular in "-y".  */
    CHECK ("The Whiggies won. A Whiggy spokesman agreed.",
           { "ORG", "Whiggies", "Whiggies", NULL },
           { "ORG", "Whiggy", "Whiggies", NULL });
}

Test (link, acronym_of_a_name_in_the_document)
{
    /* No bracketed definition: the initials of a name of the document,
       with its type; two names with the same initials leave it alone.  */
    CHECK ("The National Fisheries Board said stocks fell. The NFB report was late.",
           { "ORG", "National Fisheries Board", "National Fisheries Board", NULL },
           { "PER", "NFB", "National Fisheries Board", "ORG" });
    CHECK ("The Rural Water Agency met the Regional Welfare Authority. The RWA said no.",
           { "ORG", "Rural Water Agency", "Rural Water Agency", NULL },
           { "ORG", "Regional Welfare Authority", "Regional Welfare Authority", NULL },
           { "ORG", "RWA", "RWA", NULL });
}

Test (link, bracketed_surname_completes_a_first_name)
{
    CHECK ("\"It was me and Kofi (Mensah) in the young crowd,\" Amo said.",
           { "PER", "Kofi", "Kofi Mensah", NULL },
           { "LOC", "Mensah", "Kofi Mensah", "PER" },
           { "PER", "Amo", "Amo", NULL });
    /* An acronym in brackets is not a surname.  */
    CHECK ("the Doping Agency (WXDA) said",
           { "PER", "Agency", "Agency", NULL },
           { "ORG", "WXDA", "WXDA", NULL });
}

Test (link, capital_before_a_hyphen_is_the_city)
{
    /* "~Beijing" stands for China as an actor, but "Beijing-based" is
       where.  */
    CHECK ("A Beijing-based firm said Beijing had agreed.",
           { "LOC", "Beijing", "Beijing", NULL },
           { "LOC", "Beijing", "China", NULL });
}

Test (link, capital_after_a_determiner_is_the_city)
{
    /* "~London" stands for the United Kingdom as an actor; after a
       determiner, a possessive or a number, or after "the" without a verb
       after it, it is the city.  */
    CHECK ("A London dealer bought it at the London gallery for this year's London show "
           "after the 2003 London race. The Kremlin said no and the Kremlin's aides agreed.",
           { "LOC", "London", "London", NULL },
           { "LOC", "London", "London", NULL },
           { "LOC", "London", "London", NULL },
           { "LOC", "London", "London", NULL },
           { "LOC", "Kremlin", "Russia", NULL },
           { "LOC", "Kremlin", "Russia", NULL });
}

Test (link, capital_after_a_place_word_or_a_wrapped_locative_is_the_city)
{
    /* "central London", "post-war London": the city; so is a capital
       after a locative that ends the line before it (wire copy wrapped at
       70 columns), but not across a blank line, nor after "war" alone.  */
    CHECK ("It is set in post-war London, at a central London hall and in south London.\n"
           "Officials spent two days in\nWashington talking. Talks went on in\n\n"
           "Washington said no. After the war London said yes.",
           { "LOC", "London", "London", NULL },
           { "LOC", "London", "London", NULL },
           { "LOC", "London", "London", NULL },
           { "LOC", "Washington", "Washington", NULL },
           { "LOC", "Washington", "United States", NULL },
           { "LOC", "London", "United Kingdom", NULL });
}

Test (link, capital_listed_after_a_place_is_the_city)
{
    /* A capital joined by a comma or "and" to a place read as a place is
       a place; to a capital read as its state, a state.  */
    CHECK ("It is sold in Dublin, London and Paris, and shown at Greenwich, London. "
           "Beijing and Washington agreed.",
           { "LOC", "Dublin", "Dublin", NULL },
           { "LOC", "London", "London", NULL },
           { "LOC", "Paris", "Paris", NULL },
           { "LOC", "Greenwich", "Greenwich", NULL },
           { "LOC", "London", "London", NULL },
           { "LOC", "Beijing", "China", NULL },
           { "LOC", "Washington", "United States", NULL });
}

Test (link, dateline_in_normal_case_is_the_city)
{
    /* "London, March 3 -" under a headline in capitals: a month after
       the comma makes a dateline; without one, a capital opening a line
       before a comma is no dateline.  */
    CHECK ("EXPORTS BODY GETS NEW DIRECTOR\n  London, March 3 - The agency said.\n"
           "London, he said, will object.\n",
           { "LOC", "London", "London", NULL },
           { "LOC", "London", "United Kingdom", NULL });
}

Test (link, acronym_takes_the_name_the_text_writes_out)
{
    /* The table reads "EC" alone as the European Community (1987 wire
       copy, and the labels); a text that writes out another name with
       those initials means that one (today's European Commission);
       "EC Commission" is the Commission (the table) and spells "EC"
       only by holding it.  */
    CHECK ("The European Commission fined the firm. EC officials said the EC would act.",
           { "ORG", "European Commission", "European Commission", NULL },
           { "ORG", "EC", "European Commission", NULL },
           { "ORG", "EC", "European Commission", NULL });
    CHECK ("The EC Commission said the EC would act.",
           { "ORG", "EC Commission", "European Commission", NULL },
           { "ORG", "EC", "European Community", NULL });
    CHECK ("The EC sold wheat.",
           { "ORG", "EC", "European Community", NULL });
    /* A bracketed definition settles it when the text writes out two
       names with those initials.  */
    CHECK ("The European Commission (EC) and the European Council met. The EC said no.",
           { "ORG", "European Commission", "European Commission", NULL },
           { "ORG", "EC", "European Commission", NULL },
           { "ORG", "European Council", "European Council", NULL },
           { "ORG", "EC", "European Commission", NULL });
}

Test (link, head_noun_takes_the_organisation_it_heads)
{
    /* "the Commission" after the European Commission, "the Bank" after
       the Bank of England (its first word before "of"); with two
       organisations the word heads, neither.  */
    CHECK ("The European Commission and the Bank of England met. The Commission said the "
           "Bank agreed.",
           { "ORG", "European Commission", "European Commission", NULL },
           { "ORG", "Bank of England", "Bank of England", NULL },
           { "ORG", "Commission", "European Commission", NULL },
           { "ORG", "Bank", "Bank of England", NULL });
    CHECK ("The World Bank and the Bank of England met. The Bank said no.",
           { "ORG", "World Bank", "World Bank", NULL },
           { "ORG", "Bank of England", "Bank of England", NULL },
           { "ORG", "Bank", "Bank", NULL });
    /* "The House" is the chamber, not the White House.  */
    CHECK ("The White House said the House would vote.",
           { "ORG", "White House", "White House", NULL },
           { "ORG", "House", "House", NULL });
}

Test (link, hyphenated_names_are_no_full_name)
{
    /* "the Reagan-Gorbachev summit" holds "Reagan" but is no name of
       his: a surname takes only a full name written with a space.  */
    CHECK ("The Reagan-Gorbachev summit ended. Reagan said so. Nancy Reagan agreed; Reagan "
           "smiled.",
           { "PER", "Reagan-Gorbachev", "Reagan-Gorbachev", NULL },
           { "PER", "Reagan", "Reagan", NULL },
           { "PER", "Nancy Reagan", "Nancy Reagan", NULL },
           { "PER", "Reagan", "Nancy Reagan", NULL });
}

Test (link, short_forms_of_two_organisations_sharing_a_word)
{
    /* Two organisations starting with "La": the short form's first two
       words tell them apart; "of ..." completes a short form of two
       words; a name the tagger glued ("ROYAL BANK/CANADA") is no longer
       name for the others to take, but takes one with its first and
       last words (short_forms_leaving_words_out).  */
    CHECK ("The Teatro Vell and the La Fenice Theatre reopened; La Scala did not. He led "
           "La Fenice for years.",
           { "ORG", "La Fenice Theatre", "La Fenice Theatre", NULL },
           { "ORG", "La Scala", "La Scala", NULL },
           { "ORG", "La Fenice", "La Fenice Theatre", NULL });
    CHECK ("ROYAL BANK/CANADA SEES LOSSES\n\nRoyal Bank of Canada said losses rose. Royal Bank "
           "said more.",
           { "ORG", "ROYAL BANK/CANADA", "Royal Bank of Canada", NULL },
           { "ORG", "Royal Bank of Canada", "Royal Bank of Canada", NULL },
           { "ORG", "Royal Bank", "Royal Bank of Canada", NULL });
}

Test (link, short_forms_leaving_words_out)
{
    /* The name after a founder's initials ("Hutton" of "E.F. Hutton
       LBO"); the first and last words of a longer name, with words left
       out between ("Greek Federation"), but not words of another order
       nor of two such names.  */
    CHECK ("E.F. Hutton LBO Inc will pay 35 dlrs. Hutton said the Greek Athletics Federation "
           "agreed; the Greek Federation met. Federation Greek fans cheered.",
           { "ORG", "E.F. Hutton LBO Inc", "E.F. Hutton LBO", NULL },
           { "ORG", "Hutton", "E.F. Hutton LBO", NULL },
           { "ORG", "Greek Athletics Federation", "Greek Athletics Federation", NULL },
           { "ORG", "Greek Federation", "Greek Athletics Federation", NULL },
           { "ORG", "Federation Greek", "Federation Greek", NULL });
    CHECK ("The Greek Athletics Federation and the Greek Rowing Federation met the Greek "
           "Federation.",
           { "ORG", "Greek Athletics Federation", "Greek Athletics Federation", NULL },
           { "ORG", "Greek Rowing Federation", "Greek Rowing Federation", NULL },
           { "ORG", "Greek Federation", "Greek Federation", NULL });
}

Test (link, abbreviations_in_company_names)
{
    /* Wire copy's "Bros.", "Mfg", "Intl" are written out (README.md's
       rules: abbreviations expanded), and a short form takes the long
       name.  */
    CHECK ("Tarvish Bros. Inc said it would buy Kelmar Mfg Co. Tarvish said the price was fair.",
           { "ORG", "Tarvish Bros. Inc", "Tarvish Brothers", NULL },
           { "ORG", "Kelmar Mfg Co", "Kelmar Manufacturing", NULL },
           { "ORG", "Tarvish", "Tarvish Brothers", NULL });
    /* A person's name keeps its words.  */
    CHECK ("Intl Rovan spoke.", { "PER", "Intl Rovan", "Intl Rovan", NULL });
}

/*  A table's row label abbreviating a place the table wrote out: that
    place.  Only as a row's label (first on its line, two spaces or a
    slash after), and only one place may fit.  */
Test (link, abbreviated_places_in_a_table)
{
    CHECK (" Minneapolis   2.65  2.71\n Cincinnati    2.96\n Portland/\n"
           " Mpls        1.34  1.75\n Cinci       1.52\n Port/\n",
           { "LOC", "Minneapolis", "Minneapolis", NULL },
           { "LOC", "Cincinnati", "Cincinnati", NULL },
           { "LOC", "Portland", "Portland", NULL },
           { "LOC", "Mpls", "Minneapolis", NULL },
           { "LOC", "Cinci", "Cincinnati", NULL },
           { "LOC", "Port", "Portland", NULL });
    /* In running text the short name is its own place.  */
    CHECK ("Yorkshire farmers met in York on Monday.",
           { "LOC", "Yorkshire", "Yorkshire", NULL },
           { "LOC", "York", "York", NULL });
    /* Two places fit: neither.  */
    CHECK (" Portland    1.2\n Portsmouth  1.3\n Port        1.4\n",
           { "LOC", "Portland", "Portland", NULL },
           { "LOC", "Portsmouth", "Portsmouth", NULL },
           { "LOC", "Port", "Port", NULL });
}

/*  A place's name in capitals in a table or a headline, which the body
    never writes, is in normal case as a dateline's is (README.md's
    rules); an acronym-like one ("UAE", "QRX") stays as written, and so
    does an organisation's.  */
Test (link, place_in_capitals_is_in_normal_case)
{
    CHECK ("LIVESTOCK RECEIPTS\n SIOUX FALLS    4,500\n JOLIETTEVILLE  1,200\n"
           " ZORLAND        nil\n QRX            1,500\n",
           { "LOC", "SIOUX FALLS", "Sioux Falls", NULL },
           { "LOC", "JOLIETTEVILLE", "Jolietteville", NULL },
           { "LOC", "ZORLAND", "Zorland", NULL },
           { "LOC", "QRX", "QRX", NULL });
    CHECK ("QUALM GROUP BUYS ZORBEX\n\nThe deal closed.\n",
           { "ORG", "QUALM GROUP", "QUALM GROUP", NULL },
           { "ORG", "ZORBEX", "ZORBEX", NULL });
}

/*  A state's abbreviation that the alias table cannot hold ("Pa.",
    "Md.", "LA.") is the state after a city and a comma, in any case;
    elsewhere it is left as written ("LA." alone is Los Angeles).  */
Test (link, state_abbreviation_after_a_city)
{
    CHECK ("PITTSBURGH, Pa., March 3 - Nothing.\nBATON ROUGE, LA., March 3 - Nothing.\n"
           "Baltimore, Md., gained.  The Pa. drive and LA. were long.\n",
           { "LOC", "PITTSBURGH", "Pittsburgh", NULL },
           { "LOC", "Pa.", "Pennsylvania", NULL },
           { "LOC", "BATON ROUGE", "Baton Rouge", NULL },
           { "LOC", "LA.", "Louisiana", NULL },
           { "LOC", "Baltimore", "Baltimore", NULL },
           { "LOC", "Md.", "Maryland", NULL },
           { "LOC", "Pa.", "Pa.", NULL },
           { "LOC", "LA.", "Los Angeles", NULL });
}

/*  A legislator's party and state as wire copy writes them: the party's
    letter is the party (README.md's rules), and the state's abbreviation
    the state even where the table reads it otherwise ("La." is no Los
    Angeles here).  An independent's "I" names no party; a letter
    elsewhere is left alone.  */
Test (link, party_and_state_of_a_legislator)
{
    CHECK ("Sen. Jane Doe (R-Kan.) and Rep. Al Roe, D-La., said. Max Poe (I-Cal.) and Mo. agreed. "
           "The D team won.",
           { "PER", "Jane Doe", "Jane Doe", NULL },
           { "ORG", "R", "Republican Party", NULL },
           { "LOC", "Kan.", "Kansas", NULL },
           { "PER", "Al Roe", "Al Roe", NULL },
           { "ORG", "D", "Democratic Party", NULL },
           { "LOC", "La.", "Louisiana", NULL },
           { "PER", "Max Poe", "Max Poe", NULL },
           { "ORG", "I", "I", NULL },
           { "LOC", "Cal.", "California", NULL },
           { "LOC", "Mo.", "Mo.", NULL },
           { "ORG", "D", "D", NULL });
}

/*  "the Dome" after the Millennium Dome: the one place of the document
    that the word ends, after "the" only ("York" is no "New York").  */
Test (link, place_by_its_last_word)
{
    CHECK ("The Millennium Dome was sold. The Dome cost more than New York and York.",
           { "LOC", "Millennium Dome", "Millennium Dome", NULL },
           { "LOC", "Dome", "Millennium Dome", NULL },
           { "LOC", "New York", "New York", NULL },
           { "LOC", "York", "York", NULL });
}

/*  "EC Commission" is the European Commission (the table), and so is
    "the Commission" afterwards (head nouns).  */
Test (link, acronym_with_its_head_noun)
{
    CHECK ("The EC Commission said on Monday. The Commission will act.",
           { "ORG", "EC Commission", "European Commission", NULL },
           { "ORG", "Commission", "European Commission", NULL });
    /* Another noun: another body.  */
    CHECK ("The EC Council met.", { "ORG", "EC Council", "EC Council", NULL });
}

/*  An acronym never defined that no name spells by its initials alone
    takes the one organisation whose words it spells with later letters
    too ("NYMEX"); a word that only starts a name ("Kenya" of "Kenya
    Airways") is no acronym of it.  */
Test (link, acronym_spelt_with_later_letters)
{
    CHECK ("The New York Mercantile Exchange set April one. NYMEX said it would expand.",
           { "ORG", "New York Mercantile Exchange", "New York Mercantile Exchange", NULL },
           { "ORG", "NYMEX", "New York Mercantile Exchange", NULL });
    CHECK ("Kenya Airways flew. Kenya said no.",
           { "ORG", "Kenya Airways", "Kenya Airways", NULL },
           { "LOC", "Kenya", "Kenya", NULL });
}

/*  A short form of a company named with its country or state after
    its legal suffix: the full name.  */
Test (link, short_form_of_a_company_of_a_country)
{
    CHECK ("Vantrell Corp of America said on Monday. Vantrell owns 27 pct.",
           { "ORG", "Vantrell Corp of America", "Vantrell Corp of America", NULL },
           { "ORG", "Vantrell", "Vantrell Corp of America", NULL });
}

/*  An acronym in title case, as the BBC writes them, spelling the
    initials of a name of the document: that name.  Not a person, and
    not under four letters.  */
Test (link, acronym_in_title_case)
{
    CHECK ("The Internet Corporation for Assigned Names and Numbers met. Icann said no.",
           { "ORG", "Internet Corporation for Assigned Names and Numbers",
             "Internet Corporation for Assigned Names and Numbers", NULL },
           { "ORG", "Icann", "Internet Corporation for Assigned Names and Numbers", NULL });
    CHECK ("The Danish Adoption Network met. Dan said no.",
           { "ORG", "Danish Adoption Network", "Danish Adoption Network", NULL },
           { "PER", "Dan", "Dan", NULL });
}

Test (link, acronym_spelt_by_a_run_of_the_text)
{
    /* The tagger cut the full name ("Water Planning Office" for "the
       Rural Water Planning Office (RWPO)", "Office of Parks" and
       "Recreation" for "the Office of Parks and Recreation"): an
       acronym no tagged name spells takes the capitalised run of the
       text that does, its type kept.  */
    CHECK ("A study from the Rural Water Planning Office (RWPO) is due. RWPO staff said so.",
           { "ORG", "Water Planning Office", "Water Planning Office", NULL },
           { "ORG", "RWPO", "Rural Water Planning Office", NULL },
           { "ORG", "RWPO", "Rural Water Planning Office", NULL });
    CHECK ("Funds from the Office of Parks and\nRecreation were cut. The OPR said no.",
           { "ORG", "Office of Parks", "Office of Parks", NULL },
           { "ORG", "Recreation", "Recreation", NULL },
           { "ORG", "OPR", "Office of Parks and Recreation", NULL });
    /* The run may end the text, and come after the acronym.  */
    CHECK ("GVA said so, it said, to the Grand Valley Authority",
           { "ORG", "GVA", "Grand Valley Authority", NULL });
    /* Two runs with the same initials, a headline in capitals, a run
       across a paragraph and a two-letter acronym are left alone.  */
    CHECK ("The Grand Valley Authority and the Green Veld Agency met. GVA said no.",
           { "ORG", "GVA", "GVA", NULL });
    CHECK ("GREAT VALLEY AUTHORITY MEETS\n\nGVA said no.",
           { "ORG", "GVA", "GVA", NULL });
    CHECK ("It went to the Grand\n\nValley Authority. GVA said no.",
           { "ORG", "GVA", "GVA", NULL });
    CHECK ("The Valley Authority met. VA said no.",
           { "ORG", "VA", "VA", NULL });
    /* A title and a person are no organisation's name, though their
       initials spell the acronym ("Deputy Secretary Dana Amble",
       "DSDA"); a person's name in a firm's, with no title before it, is.  */
    CHECK ("Secretary Al Roe and Deputy\nSecretary Dana Amble met. The DSDA said no.",
           { "PER", "Al Roe", "Al Roe", NULL },
           { "PER", "Dana Amble", "Dana Amble", NULL },
           { "ORG", "DSDA", "DSDA", NULL });
    CHECK ("Clients of Wilson and Georg Maier left. WGM said no.",
           { "PER", "Georg Maier", "Georg Maier", NULL },
           { "ORG", "WGM", "Wilson and Georg Maier", NULL });
    /* Nor after the "of" of an organisation's name, whose last words
       the tagger took for a person.  */
    CHECK ("The Guild of Chief Harbour Pilots met. GCHP said no.",
           { "PER", "Harbour Pilots", "Harbour Pilots", NULL },
           { "ORG", "GCHP", "Guild of Chief Harbour Pilots", NULL });
}

/*  A common word is no alias, whatever it stands for in one story: the
    Cell chip of technology news is no Huawei centre ("the Cell" was its
    nickname in the Huawei corpus; the table keeps "Banbury Cell").  */
Test (link, a_common_word_is_no_alias)
{
    CHECK ("Sony's Cell chip will power the console. The Banbury Cell tests kit.",
           { "MISC", "Cell", "Cell", NULL },
           { "ORG", "Banbury Cell", "Huawei Cyber Security Evaluation Centre", NULL });
}

/*  An acronym is the company the text writes by it with its legal form,
    before the table's reading ("CPC" is no Chinese Communist Party beside
    "CPC International Inc") and before a longer name starting with it (a
    unit: "NEC Electronics" beside "NEC Corp").  */
Test (link, acronym_of_a_company_written_with_its_legal_form)
{
    CHECK ("CPC International Inc said CPC would sell its unit.",
           { "ORG", "CPC International Inc", "CPC International", NULL },
           { "ORG", "CPC", "CPC International", NULL });
    CHECK ("NEC Corp said its unit NEC Electronics would grow. NEC said so.",
           { "ORG", "NEC Corp", "NEC", NULL },
           { "ORG", "NEC Electronics", "NEC Electronics", NULL },
           { "ORG", "NEC", "NEC", NULL });
    CHECK ("The CPC met in Beijing.", { "ORG", "CPC", "Chinese Communist Party", NULL });
}

/*  An acronym defined in brackets after a wrapped line's break, and one
    spelt with the legal form the name's key leaves out: every mention
    takes the name, the headline's before the definition too.  */
Test (link, acronym_defined_after_a_line_break_or_with_its_legal_form)
{
    CHECK ("QLC GUARANTEES REALLOCATED\n\n    WASHINGTON, June 19 - The Quarry Loam Corporation\n"
           "(QLC) has reallocated its guarantees, the QLC said.",
           { "ORG", "QLC", "Quarry Loam", NULL },
           { "LOC", "WASHINGTON", "Washington", NULL },
           { "ORG", "Quarry Loam Corporation", "Quarry Loam", NULL },
           { "ORG", "QLC", "Quarry Loam", NULL },
           { "ORG", "QLC", "Quarry Loam", NULL });
}

/*  A one-word person that is the first word of a company of the
    document, written as companies are, and of no person's full name, is
    the company; so is the name after a founder's initials; a headline's
    name that the body writes as an organisation is that organisation.
    Not a stadium ("Villa" of "Villa Park"), nor a surname a person of
    the document has.  */
Test (link, person_short_form_of_a_company)
{
    CHECK ("QUARRY TOOL SEES MERGER\n\nThe directors of Quarry Tool Co met Bramley International "
           "Corp. Bramley said so, and the Quarry board agreed.",
           { "MISC", "QUARRY TOOL", "Quarry Tool", "ORG" },
           { "ORG", "Quarry Tool Co", "Quarry Tool", NULL },
           { "ORG", "Bramley International Corp", "Bramley International", NULL },
           { "PER", "Bramley", "Bramley International", "ORG" },
           { "PER", "Quarry", "Quarry Tool", "ORG" });
    CHECK ("F.W. Dunmore Co said Dunmore would sell.",
           { "ORG", "F.W. Dunmore Co", "F.W. Dunmore", NULL },
           { "PER", "Dunmore", "F.W. Dunmore", "ORG" });
    CHECK ("Fans at Hollin Park cheered as Hollin won.",
           { "ORG", "Hollin Park", "Hollin Park", NULL },
           { "PER", "Hollin", "Hollin", NULL });
    CHECK ("Bramley International Corp hired Jane Bramley. Bramley said so.",
           { "ORG", "Bramley International Corp", "Bramley International", NULL },
           { "PER", "Jane Bramley", "Jane Bramley", NULL },
           { "PER", "Bramley", "Jane Bramley", NULL });
}

/*  The Soviet Union by its initials, as 1987 wire copy names it.  */
Test (link, initials_of_the_soviet_union)
{
    CHECK ("The USSR bought grain, the U.S.S.R. said.",
           { "LOC", "USSR", "Soviet Union", NULL },
           { "LOC", "U.S.S.R.", "Soviet Union", NULL });
}

/*  The joining word a legal form leaves behind goes with it, in French
    too.  */
Test (link, joining_word_before_a_legal_form)
{
    CHECK ("Lazard Freres et Cie and Pesch and Co said so.",
           { "ORG", "Lazard Freres et Cie", "Lazard Freres", NULL },
           { "ORG", "Pesch and Co", "Pesch", NULL });
}

/*  An acronym skips the joining words of names in other languages, as
    it skips "of" and "and".  */
Test (link, acronym_of_a_name_in_another_language)
{
    CHECK ("BNL said so. Banca Nazionale del Lavoro (BNL) and Credit Ferrier et Commercial "
           "(CFC) met. CFC agreed.",
           { "ORG", "BNL", "Banca Nazionale del Lavoro", NULL },
           { "ORG", "Banca Nazionale del Lavoro", "Banca Nazionale del Lavoro", NULL },
           { "ORG", "BNL", "Banca Nazionale del Lavoro", NULL },
           { "ORG", "Credit Ferrier et Commercial", "Credit Ferrier et Commercial", NULL },
           { "ORG", "CFC", "Credit Ferrier et Commercial", NULL },
           { "ORG", "CFC", "Credit Ferrier et Commercial", NULL });
}

/*  "U.S." before a body of the state is the country written out, also
    where the table names the body without it; a private body keeps its
    name, and one the table names with the country stays so.  */
Test (link, united_states_before_a_body_of_the_state)
{
    CHECK ("The U.S. Agriculture Department and the U.S. EMBASSY said the U.S. Wheat Associates "
           "and the U.S. Commerce Department met.",
           { "ORG", "U.S. Agriculture Department", "United States Agriculture Department", NULL },
           { "ORG", "U.S. EMBASSY", "United States Embassy", NULL },
           { "ORG", "U.S. Wheat Associates", "U.S. Wheat Associates", NULL },
           { "ORG", "U.S. Commerce Department", "United States Department of Commerce", NULL });
}

/*  A firm named by two letters ("S and P", "B&C") is the one name of the
    document whose initials they are.  */
Test (link, letters_for_a_name)
{
    CHECK ("Sterling and Pound's Corp cut the rating. S and P said debt rose. B&C and S&P agreed.",
           { "ORG", "Sterling and Pound's Corp", "Sterling and Pound's", NULL },
           { "ORG", "S and P", "Sterling and Pound's", NULL },
           { "ORG", "B&C", "B&C", NULL },
           { "ORG", "S&P", "Sterling and Pound's", NULL });
}

/*  A party's short forms: the table's name for the singular ("Tory",
    "Conservatives": Conservative Party), and for the plural once the
    text writes that name out; without it, the plural is the document's
    own name.  */
Test (link, short_forms_of_a_party)
{
    CHECK ("The Conservative Party met. The Tories said a Tory would win.",
           { "ORG", "Conservative Party", "Conservative Party", NULL },
           { "ORG", "Tories", "Conservative Party", NULL },
           { "ORG", "Tory", "Conservative Party", NULL });
    CHECK ("The Tories said the Conservatives would win.",
           { "ORG", "Tories", "Tories", NULL },
           { "ORG", "Conservatives", "Conservative Party", NULL });
}

/*  An acronym the table names by itself ("Opec": OPEC) takes the name
    the text writes out for it.  */
Test (link, acronym_named_by_itself_and_written_out)
{
    CHECK ("Opec met in Vienna.", { "ORG", "Opec", "OPEC", NULL });
    CHECK ("OPEC met. The Organization of Petroleum Exporting Countries said so.",
           { "ORG", "OPEC", "Organization of Petroleum Exporting Countries", NULL },
           { "ORG", "Organization of Petroleum Exporting Countries",
             "Organization of Petroleum Exporting Countries", NULL });
}

/*  An organisation abbreviated word by word ("Lib Dems", "GEN DYNAMICS")
    takes the name it abbreviates; a word a letter short of another is a
    spelling, no abbreviation ("Bank of America", "Bank of American").  */
Test (link, organisation_abbreviated_word_by_word)
{
    CHECK ("The Liberal Democrats won. The Lib Dems said so.",
           { "ORG", "Liberal Democrats", "Liberal Democrats", NULL },
           { "ORG", "Lib Dems", "Liberal Democrats", NULL });
    CHECK ("Tarvex Dynamics Corp rose. TARVEX DYN said so.",
           { "ORG", "Tarvex Dynamics Corp", "Tarvex Dynamics", NULL },
           { "ORG", "TARVEX DYN", "Tarvex Dynamics", NULL });
    CHECK ("Bank of American said so. Bank of America agreed.",
           { "ORG", "Bank of American", "Bank of American", NULL },
           { "ORG", "Bank of America", "Bank of America", NULL });
}

/*  A one-word company the text also writes with its legal suffix is a
    name of its own, not an acronym of another name of the document
    ("Texaco" spelt with the letters of "Texas Courts").  */
Test (link, company_name_is_no_acronym)
{
    CHECK ("Norco Inc said the Norway Courts ruled. Norco will appeal.",
           { "ORG", "Norco Inc", "Norco", NULL },
           { "ORG", "Norway Courts", "Norway Courts", NULL },
           { "ORG", "Norco", "Norco", NULL });
    /* Without the suffix written, the acronym rule still reads it.  */
    CHECK ("The Norway Courts ruled. Norco will appeal.",
           { "ORG", "Norway Courts", "Norway Courts", NULL },
           { "ORG", "Norco", "Norway Courts", NULL });
}

Test (link_load, singular_of_a_plural_name_in_the_table)
{
    /* The wire's sign-off "REUTER" is "Reuters" (README.md's rules): an
       organisation is the table's organisation named by its plural; not
       a person, and not the plural of a place.  */
    char err[256] = "";
    char *p = write_tmp ("Reuters\tORG\n"
                         "Marlow Associates\tORG\tMarlow Partners\n"
                         "Falkland Islands\tLOC\n");
    clip_linker_t *l = clip_linker_load (p, err, sizeof err);
    cr_assert (l, "%s", err);
    const char *text = "Marlow Partner said so in Falkland Island.\n REUTER\n Marlow Partner";
    clip_mention_t m[4] = { { "ORG", 0, 14, NULL }, { "LOC", 26, 41, NULL },
                            { "ORG", 44, 50, NULL }, { "PER", 52, 66, NULL } };
    cr_assert_eq (clip_linker_link (l, text, strlen (text), m, 4), 0);
    cr_expect_str_eq (m[0].canonical, "Marlow Associates");
    cr_expect_str_eq (m[1].canonical, "Falkland Island");
    cr_expect_str_eq (m[2].canonical, "Reuters");
    cr_expect_str_eq (m[2].type, "ORG");
    cr_expect_str_eq (m[3].canonical, "Marlow Partner");
    cr_expect_str_eq (m[3].type, "PER");
    for (int k = 0; k < 4; k++)
        free (m[k].canonical);
    /* One word not in capitals is no plural's singular ("Lord" of "Lord
       Chancellor" is not "Lords").  */
    const char *t2 = "Reuter said so.";
    clip_mention_t m2 = { "ORG", 0, 6, NULL };
    cr_assert_eq (clip_linker_link (l, t2, strlen (t2), &m2, 1), 0);
    cr_expect_str_eq (m2.canonical, "Reuter");
    free (m2.canonical);
    clip_linker_destroy (&l);
    unlink (p);
    free (p);
}

Test (link, long_names_keep_their_rules)
{
    /*  Names longer than the linker's buffers on the stack (a mention of
        300 bytes, words of 40): spaces folded, the suffix dropped, a
        person's title dropped, as for short names.  */
    char words[10][48], text[2048], org[512], person[128];
    size_t ol = 0, pl = 0;
    for (int k = 0; k < 10; k++) {
        snprintf (words[k], sizeof words[k], "Quorvantelibrastonique%02dmeridianwelt", k);
        ol += (size_t) snprintf (org + ol, sizeof org - ol, "%s%s", k? " ": "", words[k]);
    }
    pl = (size_t) snprintf (person, sizeof person, "%s %s", words[0], words[1]);
    snprintf (text, sizeof text, "%s  Ltd. said Mr %s was right. %s agreed.", org, person, org);
    size_t s1 = 0, e1 = ol + 6;                 /* "... Ltd." */
    size_t s2 = e1 + 6, e2 = s2 + 3 + pl;       /* "Mr ..." */
    size_t s3 = e2 + 12, e3 = s3 + ol;
    cr_assert_eq (text[e1 - 1], '.');
    cr_assert_eq (strncmp (text + s2, "Mr ", 3), 0);
    cr_assert_eq (strncmp (text + s3, org, ol), 0);
    clip_mention_t m[3] = { { "ORG", s1, e1, NULL }, { "PER", s2, e2, NULL },
                            { "ORG", s3, e3, NULL } };
    cr_assert_eq (clip_linker_link (linker, text, strlen (text), m, 3), 0);
    cr_expect_str_eq (m[0].canonical, org);
    cr_expect_str_eq (m[1].canonical, person);
    cr_expect_str_eq (m[2].canonical, org);
    for (int k = 0; k < 3; k++)
        free (m[k].canonical);
}

Test (link, many_names_in_one_document)
{
    /*  Forty organisations, each in capitals (a headline), written out and
        shortened: more names than the small maps of a document hold
        before they grow, each still linked to its own.  */
    enum { N = 40 };
    char text[8192], full[N][32], caps[N][32], shortf[N][16];
    size_t len = 0;
    clip_mention_t m[3 * N];
    for (int k = 0; k < N; k++) {
        snprintf (shortf[k], sizeof shortf[k], "Vendrik%c%c", 'a' + k / 26, 'a' + k % 26);
        snprintf (full[k], sizeof full[k], "%s Systems", shortf[k]);
        snprintf (caps[k], sizeof caps[k], "VENDRIK%c%c SYSTEMS", 'A' + k / 26, 'A' + k % 26);
    }
    for (int k = 0; k < N; k++) {
        size_t s = len;
        len += (size_t) snprintf (text + len, sizeof text - len, "%s rose.\n", caps[k]);
        m[k] = (clip_mention_t) { "ORG", s, s + strlen (caps[k]), NULL };
    }
    for (int k = 0; k < N; k++) {
        size_t s = len;
        len += (size_t) snprintf (text + len, sizeof text - len, "%s said so, and ", full[k]);
        m[N + 2 * k] = (clip_mention_t) { "ORG", s, s + strlen (full[k]), NULL };
        s = len;
        len += (size_t) snprintf (text + len, sizeof text - len, "%s agreed. ", shortf[k]);
        m[N + 2 * k + 1] = (clip_mention_t) { "ORG", s, s + strlen (shortf[k]), NULL };
    }
    cr_assert (len < sizeof text - 1);
    cr_assert_eq (clip_linker_link (linker, text, len, m, 3 * N), 0);
    for (int k = 0; k < N; k++) {
        cr_expect_str_eq (m[k].canonical, full[k], "%s", caps[k]);
        cr_expect_str_eq (m[N + 2 * k].canonical, full[k]);
        cr_expect_str_eq (m[N + 2 * k + 1].canonical, full[k], "%s", shortf[k]);
    }
    for (int k = 0; k < 3 * N; k++)
        free (m[k].canonical);
}
