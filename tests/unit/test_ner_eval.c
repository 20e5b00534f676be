/*  The shipped NER model: the CoNLL-2003 test gate (F1 >= 89.0, issue
    14's target: the shipped model, trained on 300 news articles besides
    CoNLL, scores 89.45 with the twelfth round's classes of GloVe's word
    vectors, 87.74 with the ninth round's exchange classes alone; the
    same training with shuffle seeds 2 and 3 gave 89.27 and 89.35, so the gate
    guards the method, not one seed's luck; tagging uses integer weights
    only, so the figure is the same in every build), and
    hand-checked entities of real articles from the Huawei corpus through
    the whole clip_ner_extract pipeline.  */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_ner.h"
#include "clip_conll.h"
#include "clip_tagger.h"
#include "clip_util.h"
#include "testutil.h"

Test (ner_eval, conll_test_f1_gate, .timeout = 120) {
    char *test = tu_shared ("conll2003/test.txt");
    if (!test)
        cr_skip_test ("../shared/data/conll2003/test.txt is absent");
    char *model_dir = clip_path_join (CLIP_SOURCE_DIR, "workers/ner/model");
    char err [512];
    clip_tagger_t *tagger = clip_tagger_load (model_dir, err, sizeof err);
    cr_assert_not_null (tagger, "%s", err);
    clip_corpus_conll_t *corpus = clip_conll_read (test, err, sizeof err);
    cr_assert_not_null (corpus, "%s", err);
    cr_assert_eq (corpus->nwords, 46435);
    clip_ner_score_t score = { 0 };
    clip_tagger_eval (tagger, corpus, &score);
    /*  The report `clip ner eval` prints ends with "F1 <percent>".  */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream (&buf, &len);
    clip_ner_score_print (&score, f);
    fclose (f);
    double f1 = clip_ner_score_f1 (&score);
    char last [32];
    snprintf (last, sizeof last, "F1 %.2f\n", f1);
    cr_assert (len > strlen (last) && strcmp (buf + len - strlen (last), last) == 0,
               "report ends with '%s'", buf);
    cr_log_info ("CoNLL-2003 test F1 %.2f", f1);
    cr_assert_geq (f1, 89.0, "CoNLL-2003 test F1 %.2f is below 89.0", f1);
    free (buf);
    clip_conll_destroy (&corpus);
    clip_tagger_destroy (&tagger);
    free (model_dir);
    free (test);
}

static clip_ner_t *ner;

static void
load_ner (void)
{
    char err [512];
    ner = clip_ner_load (CLIP_SOURCE_DIR, err, sizeof err);
    cr_assert_not_null (ner, "%s", err);
}

static void
unload_ner (void)
{
    clip_ner_destroy (&ner);
}

static char *
article (const char *prefix)
{
    char *dir = clip_path_join (CLIP_SOURCE_DIR, "corpus/huawei");
    char *cmd = clip_strprintf ("ls %s/%s*.txt", dir, prefix);
    FILE *p = popen (cmd, "r");
    char path [1024] = "";
    cr_assert (p && fgets (path, sizeof path, p), "no article %s", prefix);
    pclose (p);
    path [strcspn (path, "\n")] = 0;
    size_t len;
    char *text = tu_read (path, &len);
    cr_assert_not_null (text, "%s", path);
    free (cmd);
    free (dir);
    return text;
}

/*  Assert that the occurrence-th occurrence of name in text is an entity of
    type with exactly its offsets, and return its canonical name.  */
static void
expect_entity (const char *text, const clip_ner_entity_t *e, size_t n,
               const char *name, int occurrence, const char *type, const char *canonical)
{
    const char *at = text;
    for (int i = 0; i <= occurrence; i++) {
        at = strstr (i ? at + 1 : at, name);
        cr_assert_not_null (at, "'%s' not in the article", name);
    }
    size_t start = (size_t) (at - text), end = start + strlen (name);
    for (size_t i = 0; i < n; i++) {
        if (e [i].start == start && e [i].end == end) {
            cr_assert_str_eq (e [i].type, type, "'%s' is %s, want %s", name, e [i].type, type);
            cr_assert_str_eq (e [i].text, name);
            if (canonical)
                cr_assert_str_eq (e [i].canonical, canonical);
            return;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (e [i].start < end && start < e [i].end)
            cr_assert_fail ("'%s' [%zu, %zu) found as %s '%s' [%zu, %zu)", name, start, end,
                            e [i].type, e [i].text, e [i].start, e [i].end);
    cr_assert_fail ("'%s' [%zu, %zu) not found as %s", name, start, end, type);
}

static void
expect_none (const char *text, const clip_ner_entity_t *e, size_t n, const char *word)
{
    const char *at = strstr (text, word);
    cr_assert_not_null (at);
    size_t start = (size_t) (at - text), end = start + strlen (word);
    for (size_t i = 0; i < n; i++)
        cr_assert (!(e [i].start < end && start < e [i].end),
                   "'%s' should not be in an entity (%s '%s')", word, e [i].type, e [i].text);
}

Test (ner_eval, ap_article, .init = load_ner, .fini = unload_ner) {
    char *text = article ("000_");
    clip_ner_entity_t *e;
    size_t n;
    cr_assert_eq (clip_ner_extract (ner, text, strlen (text), &e, &n), 0);
    /*  Offsets in text order, no overlaps.  */
    for (size_t i = 1; i < n; i++)
        cr_assert_leq (e [i - 1].end, e [i].start);
    /*  "Huawei’s deputy chairman": the possessive stays outside.  */
    expect_entity (text, e, n, "Huawei", 0, "ORG", "Huawei");
    expect_entity (text, e, n, "Guo Ping", 0, "PER", "Guo Ping");
    expect_entity (text, e, n, "Huawei Technologies Ltd.", 0, "ORG", "Huawei");
    expect_entity (text, e, n, "U.S.", 0, "LOC", "United States");
    expect_entity (text, e, n, "Britain", 0, "LOC", "United Kingdom");
    expect_entity (text, e, n, "National Cyber Security Center", 0, "ORG",
                   "National Cyber Security Centre");
    expect_entity (text, e, n, "Guo", 1, "PER", "Guo Ping");      /* "Guo didn’t respond" */
    expect_entity (text, e, n, "Guo", 2, "PER", "Guo Ping");      /* "Guo said" */
    expect_entity (text, e, n, "British", 0, "MISC", NULL);
    expect_entity (text, e, n, "Nokia Corp.", 0, "ORG", "Nokia");
    expect_entity (text, e, n, "Sweden", 0, "LOC", "Sweden");
    expect_entity (text, e, n, "$100 billion", 0, "MONEY", "USD 100000000000");
    expect_none (text, e, n, "deputy chairman");
    clip_ner_entities_free (e, n);
    free (text);
}

Test (ner_eval, pa_and_sputnik_articles, .init = load_ner, .fini = unload_ner) {
    char *text = article ("001_");
    clip_ner_entity_t *e;
    size_t n;
    cr_assert_eq (clip_ner_extract (ner, text, strlen (text), &e, &n), 0);
    /*  "Mr Guo": the title is not part of the name.  */
    expect_entity (text, e, n, "Ren Zhengfei", 0, "PER", "Ren Zhengfei");
    expect_entity (text, e, n, "National Cyber Security Centre", 0, "ORG", NULL);
    expect_entity (text, e, n, "European Union", 0, "ORG", NULL);
    clip_ner_entities_free (e, n);
    free (text);

    text = article ("003_");
    cr_assert_eq (clip_ner_extract (ner, text, strlen (text), &e, &n), 0);
    expect_entity (text, e, n, "Victor Zhang", 0, "PER", "Victor Zhang");
    expect_entity (text, e, n, "Banbury", 0, "LOC", NULL);
    expect_entity (text, e, n, "HCSEC", 0, "ORG", NULL);
    expect_entity (text, e, n, "Boris Johnson", 0, "PER", NULL);
    /*  "Monday.<NBSP>Huawei's": a sentence and a name after a no-break
        space.  */
    const char *nb = strstr (text, "\xc2\xa0Huawei's");
    cr_assert_not_null (nb);
    size_t hs = (size_t) (nb - text) + 2;
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (e [i].start == hs && e [i].end == hs + 6 && strcmp (e [i].type, "ORG") == 0)
            found = 1;
    cr_assert (found, "Huawei after a no-break space");
    clip_ner_entities_free (e, n);
    free (text);
}

Test (ner_eval, headline_and_edge_cases, .init = load_ner, .fini = unload_ner) {
    const char *text = "HUAWEI DEFENDS RECORD AS BRITAIN WEIGHS BAN\n\n"
                       "Mr Guo told reporters in London that Huawei would spend \xc2\xa3" "2bn.";
    clip_ner_entity_t *e;
    size_t n;
    cr_assert_eq (clip_ner_extract (ner, text, strlen (text), &e, &n), 0);
    expect_entity (text, e, n, "Guo", 0, "PER", NULL);
    expect_entity (text, e, n, "London", 0, "LOC", NULL);
    expect_entity (text, e, n, "Huawei", 0, "ORG", NULL);
    expect_none (text, e, n, "Mr ");
    clip_ner_entities_free (e, n);
    /*  Empty text and text without names.  */
    cr_assert_eq (clip_ner_extract (ner, "", 0, &e, &n), 0);
    cr_assert_eq (n, 0);
    clip_ner_entities_free (e, n);
    cr_assert_eq (clip_ner_extract (ner, "nothing to see here.", 20, &e, &n), 0);
    cr_assert_eq (n, 0);
    clip_ner_entities_free (e, n);
}
