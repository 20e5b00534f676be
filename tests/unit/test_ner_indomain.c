/*  Hand-labelled articles as training data for the tagger (issue 14):
    clip_conll_hashed_read turns hashed labels (clip_ner_score.h) and the
    articles' text into CoNLL documents tokenised as clip_ner_extract
    shows text to the tagger, and clip_tagger_train (`clip ner train
    --extra`) learns from them.  Real files in a temporary directory.  */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "clip_conll.h"
#include "clip_ner.h"
#include "clip_tagger.h"
#include "clip_tagger_train.h"
#include "clip_util.h"
#include "testutil.h"

/*  Two articles: the first with every case the converter must handle
    (a legal suffix's period, "US", a capitalised "Government", money and
    a date, two names inside one hyphenated token, a paragraph break, a
    line wrapped inside a sentence), the second in a sub-folder.  */
static const char art_a [] =
    "Jane Doe of Acme Ltd. met the US Government on May 3.\n"
    "She paid $5 million for France-Germany\n"
    "talks.\n"
    "\n"
    "Doe left Paris.\n";
static const char art_b [] = "Bob Smith spoke to the BBC in London.";

static void
write_str (const char *path, const char *s)
{
    tu_write (path, s, strlen (s));
}

/*  The label line of bytes [a, b) of text, found as the first occurrence
    of what after from.  */
static char *
label (const char *file, const char *text, const char *what, size_t from, const char *type)
{
    const char *p = strstr (text + from, what);
    cr_assert_not_null (p, "%s not in the article", what);
    size_t a = (size_t) (p - text), b = a + strlen (what);
    return clip_strprintf ("%s\t%zu\t%zu\t%s\t%016llx\t-\n", file, a, b, type,
                           (unsigned long long) XXH64 (text + a, b - a, 0));
}

/*  Writes the articles and labels.tsv under dir; returns the label file's
    path (caller frees).  */
static char *
fixture (const char *dir)
{
    char *sub = clip_path_join (dir, "b");
    cr_assert_eq (mkdir (sub, 0700), 0);
    char *pa = clip_path_join (dir, "a.txt"), *pb = clip_path_join (sub, "2.txt");
    write_str (pa, art_a);
    write_str (pb, art_b);
    const char *paris = strstr (art_a, "Doe left") + 9;
    char *lines [] = {
        label ("a.txt", art_a, "Jane Doe", 0, "PER"),
        label ("a.txt", art_a, "Acme Ltd.", 0, "ORG"),
        label ("a.txt", art_a, "US", 0, "LOC"),
        label ("a.txt", art_a, "May 3", 0, "DATE"),
        label ("a.txt", art_a, "$5 million", 0, "MONEY"),
        label ("a.txt", art_a, "France", 0, "LOC"),
        label ("a.txt", art_a, "Germany", 0, "LOC"),
        label ("a.txt", art_a, "Doe", 20, "PER"),
        label ("a.txt", art_a, "Paris", (size_t) (paris - art_a), "LOC"),
        label ("b/2.txt", art_b, "Bob Smith", 0, "PER"),
        label ("b/2.txt", art_b, "BBC", 0, "ORG"),
        label ("b/2.txt", art_b, "London", 0, "LOC"),
    };
    size_t n = sizeof lines / sizeof lines [0];
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += strlen (lines [i]);
    char *all = clip_malloc (len + 1), *o = all;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen (lines [i]);
        memcpy (o, lines [i], l);
        o += l;
        free (lines [i]);
    }
    *o = 0;
    char *path = clip_path_join (dir, "labels.tsv");
    write_str (path, all);
    free (all);
    free (pa);
    free (pb);
    free (sub);
    return path;
}

/*  The corpus as clip_conll_write writes it (caller frees).  */
static char *
corpus_text (const clip_corpus_conll_t *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream (&buf, &len);
    cr_assert_not_null (f);
    cr_assert_eq (clip_conll_write (c, f), 0);
    fclose (f);
    return buf;
}

Test (ner_indomain, articles_become_tagger_documents) {
    char *dir = tu_tempdir ("ner_indomain");
    char *labels = fixture (dir);
    char err [512];
    clip_conll_hashed_stats_t st;
    clip_corpus_conll_t *c = clip_conll_hashed_read (labels, dir, &st, err, sizeof err);
    cr_assert_not_null (c, "%s", err);
    /*  The words the tagger sees ("Ltd", "U.S.", "government"), the
        sentences it is given (the wrapped line is no boundary, the blank
        line and ". She" are), only PER / ORG / LOC / MISC labelled, the
        hyphenated token one LOC.  */
    const char *expected =
        "-DOCSTART- O\n\n"
        "Jane\tB-PER\nDoe\tI-PER\nof\tO\nAcme\tB-ORG\nLtd\tI-ORG\nmet\tO\nthe\tO\n"
        "U.S.\tB-LOC\ngovernment\tO\non\tO\nMay\tO\n3\tO\n.\tO\n\n"
        "She\tO\npaid\tO\n$\tO\n5\tO\nmillion\tO\nfor\tO\nFrance-Germany\tB-LOC\n"
        "talks\tO\n.\tO\n\n"
        "Doe\tB-PER\nleft\tO\nParis\tB-LOC\n.\tO\n\n"
        "-DOCSTART- O\n\n"
        "Bob\tB-PER\nSmith\tI-PER\nspoke\tO\nto\tO\nthe\tO\nBBC\tB-ORG\nin\tO\n"
        "London\tB-LOC\n.\tO\n\n";
    char *got = corpus_text (c);
    cr_assert_str_eq (got, expected);
    cr_assert_eq (c->ndoc, 2);
    cr_assert_eq (c->nsent, 4);
    cr_assert_eq (st.articles, 2);
    cr_assert_eq (st.spans, 10);
    cr_assert_eq (st.other, 2);
    cr_assert_eq (st.unaligned, 2, "France and Germany end / start inside a token");
    cr_assert_eq (st.shared, 1, "Germany shares France's token");
    cr_assert_eq (st.crossing, 0);
    cr_assert_eq (st.tokens, c->nwords);

    /*  The words are those clip_ner_extract gives the tagger: the same
        tokenizer and transformations, token for token.  */
    clip_tokens_t toks = { 0 };
    clip_tokenize (art_a, strlen (art_a), &toks);
    char word [CLIP_NER_WORD_MAX];
    for (size_t i = 0; i < toks.n; i++) {
        size_t wl = clip_ner_tagger_word (art_a, &toks, i, word);
        cr_assert_eq (c->words [i].len, wl);
        cr_assert (memcmp (c->words [i].text, word, wl) == 0);
    }
    clip_tokens_release (&toks);

    /*  What clip ner conll writes reads back as the same corpus.  */
    char *path = clip_path_join (dir, "out.conll");
    write_str (path, got);
    clip_corpus_conll_t *back = clip_conll_read (path, err, sizeof err);
    cr_assert_not_null (back, "%s", err);
    cr_assert_eq (back->nwords, c->nwords);
    cr_assert_eq (back->ndoc, c->ndoc);
    cr_assert_eq (back->nsent, c->nsent);
    cr_assert (memcmp (back->gold, c->gold, c->nwords) == 0);
    clip_conll_destroy (&back);
    free (path);
    free (got);
    clip_conll_destroy (&c);
    cr_assert_null (c);
    free (labels);
    tu_rmtree (dir);
    free (dir);
}

Test (ner_indomain, label_across_a_sentence_is_cut) {
    /*  A label over a sentence boundary the tagger is given ("!" before a
        capital ends a sentence) becomes one span per sentence, counted:
        the tagger never sees a name across sentences.  */
    char *dir = tu_tempdir ("ner_indomain");
    static const char text [] = "He joined Yahoo! Inc. last year.";
    char *p = clip_path_join (dir, "c.txt");
    write_str (p, text);
    char *l = label ("c.txt", text, "Yahoo! Inc.", 0, "ORG");
    char *labels = clip_path_join (dir, "l.tsv");
    write_str (labels, l);
    char err [512];
    clip_conll_hashed_stats_t st;
    clip_corpus_conll_t *c = clip_conll_hashed_read (labels, dir, &st, err, sizeof err);
    cr_assert_not_null (c, "%s", err);
    char *got = corpus_text (c);
    cr_assert_str_eq (got, "-DOCSTART- O\n\n"
                      "He\tO\njoined\tO\nYahoo\tB-ORG\n!\tI-ORG\n\n"
                      "Inc\tB-ORG\nlast\tO\nyear\tO\n.\tO\n\n");
    cr_assert_eq (st.crossing, 1);
    cr_assert_eq (st.unaligned, 0);
    free (got);
    clip_conll_destroy (&c);
    free (labels);
    free (l);
    free (p);
    tu_rmtree (dir);
    free (dir);
}

Test (ner_indomain, a_label_not_matching_its_article_is_refused) {
    char *dir = tu_tempdir ("ner_indomain");
    char *labels = fixture (dir);
    /*  "Paris" of a.txt becomes "Rome!": the file is not the one labelled.  */
    char *pa = clip_path_join (dir, "a.txt");
    char *changed = clip_strdup (art_a);
    char *paris = strstr (changed, "Paris");
    memcpy (paris, "Rome!", 5);
    write_str (pa, changed);
    size_t at = (size_t) (paris - changed);
    char err [512];
    clip_corpus_conll_t *c = clip_conll_hashed_read (labels, dir, NULL, err, sizeof err);
    cr_assert_null (c);
    char *want = clip_strprintf ("a.txt bytes [%zu, %zu)", at, at + 5);
    cr_assert (strstr (err, want) != NULL, "error '%s' does not name %s", err, want);
    cr_assert (strstr (err, "labels.tsv:9:") != NULL, "error '%s' does not name the line", err);

    /*  Training refuses it too, with the same error, and writes nothing.  */
    char *train = clip_path_join (dir, "train.txt");
    write_str (train, "-DOCSTART- O\n\nBob\tB-PER\nsaid\tO\nso\tO\n.\tO\n");
    char *model = clip_path_join (dir, "model");
    const char *extra [] = { labels };
    clip_train_opts_t opts = {
        .train = train, .valid = train, .model_dir = model, .max_epochs = 2,
        .final_with_valid = 1, .extra = extra, .nextra = 1, .text_dir = dir,
        .extra_weight = 3
    };
    cr_assert_eq (clip_tagger_train (&opts, NULL, err, sizeof err), -1);
    cr_assert (strstr (err, want) != NULL, "training error '%s' does not name %s", err, want);
    struct stat sb;
    cr_assert_neq (stat (model, &sb), 0, "a model directory was written");
    /*  The labels are read before CoNLL, so a bad one fails at once: with
        no training file at all the error is still the label's.  */
    char *missing = clip_path_join (dir, "no-such-train.txt");
    opts.train = missing;
    cr_assert_eq (clip_tagger_train (&opts, NULL, err, sizeof err), -1);
    cr_assert (strstr (err, want) != NULL, "training error '%s' does not name %s", err, want);
    opts.train = train;
    free (missing);
    /*  And without a text directory, training says so.  */
    opts.text_dir = NULL;
    cr_assert_eq (clip_tagger_train (&opts, NULL, err, sizeof err), -1);
    cr_assert (strstr (err, "text directory") != NULL, "%s", err);
    free (model);
    free (train);
    free (want);
    free (changed);
    free (pa);
    free (labels);
    tu_rmtree (dir);
    free (dir);
}

/*  A few CoNLL sentences that know none of the articles' names.  */
static const char conll [] =
    "-DOCSTART- -X- -X- O\n\n"
    "Anna B-PER\nBerg I-PER\njoined O\nNordic B-ORG\nCables I-ORG\nin O\nOslo B-LOC\n. O\n\n"
    "-DOCSTART- -X- -X- O\n\n"
    "Paolo B-PER\nRossi I-PER\nleft O\nMilan B-LOC\nfor O\nLisbon B-LOC\n. O\n\n"
    "-DOCSTART- -X- -X- O\n\n"
    "Delta B-ORG\nMotors I-ORG\nhired O\nAnna B-PER\nBerg I-PER\nfrom O\nItalian B-MISC\n"
    "rival O\nFiore B-ORG\n. O\n";

static char *
train_with (const char *dir, const char *name, const char *train, const char *labels,
            int weight)
{
    char *model_dir = clip_path_join (dir, name);
    const char *extra [] = { labels };
    clip_train_opts_t opts = {
        .train = train, .valid = train, .model_dir = model_dir, .max_epochs = 4,
        .final_with_valid = 1, .extra = labels ? extra : NULL, .nextra = labels ? 1 : 0,
        .text_dir = dir, .extra_weight = weight
    };
    char err [512];
    cr_assert_eq (clip_tagger_train (&opts, NULL, err, sizeof err), 0, "%s", err);
    return model_dir;
}

static char *
read_in (const char *dir, const char *name, size_t *len)
{
    char *p = clip_path_join (dir, name);
    char *d = tu_read (p, len);
    cr_assert_not_null (d, "%s missing", p);
    free (p);
    return d;
}

/*  F1 of model_dir's tagger on corpus c.  */
static double
f1_on (const char *model_dir, const clip_corpus_conll_t *c)
{
    char err [512];
    clip_tagger_t *t = clip_tagger_load (model_dir, err, sizeof err);
    cr_assert_not_null (t, "%s", err);
    clip_ner_score_t score = { 0 };
    clip_tagger_eval (t, c, &score);
    clip_tagger_destroy (&t);
    return clip_ner_score_f1 (&score);
}

Test (ner_indomain, training_learns_the_articles_deterministically, .timeout = 300) {
    char *dir = tu_tempdir ("ner_indomain");
    char *labels = fixture (dir);
    char *train = clip_path_join (dir, "train.txt");
    write_str (train, conll);
    char *plain = train_with (dir, "plain", train, NULL, 1);
    char *a = train_with (dir, "a", train, labels, 5);
    char *b = train_with (dir, "b", train, labels, 5);
    size_t la, lb, lp;
    char *ma = read_in (a, "model.bin", &la), *mb = read_in (b, "model.bin", &lb);
    char *mp = read_in (plain, "model.bin", &lp);
    cr_assert (la == lb && memcmp (ma, mb, la) == 0, "training with --extra is not reproducible");
    cr_assert (la != lp || memcmp (ma, mp, la) != 0, "the articles changed nothing");
    /*  The gazetteer stays the CoNLL names: the articles' names are not in it.  */
    char *ga = read_in (a, "gazetteer.tsv", &la), *gp = read_in (plain, "gazetteer.tsv", &lp);
    cr_assert (la == lp && memcmp (ga, gp, la) == 0, "gazetteer.tsv has the articles' names");
    /*  The model learnt the articles: better on them than without.  */
    char err [512];
    clip_corpus_conll_t *c = clip_conll_hashed_read (labels, dir, NULL, err, sizeof err);
    cr_assert_not_null (c, "%s", err);
    double with = f1_on (a, c), without = f1_on (plain, c);
    cr_assert_gt (with, without, "F1 on the articles %.2f with them, %.2f without", with, without);
    cr_assert_gt (with, 80.0, "F1 on its own training articles %.2f", with);
    clip_conll_destroy (&c);
    free (ma);
    free (mb);
    free (mp);
    free (ga);
    free (gp);
    free (plain);
    free (a);
    free (b);
    free (train);
    free (labels);
    tu_rmtree (dir);
    free (dir);
}
