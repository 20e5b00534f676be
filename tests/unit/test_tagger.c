/*  clip_tagger: BILOU decoding, CoNLL reading, deterministic training.  */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clip_conll.h"
#include "clip_tagger.h"
#include "clip_tagger_int.h"
#include "clip_tagger_train.h"
#include "clip_util.h"
#include "testutil.h"

/*  A tiny CoNLL sample of our own sentences, IOB2 with one IOB1-style
    I- opening a name, three documents.  */
static const char sample [] =
    "-DOCSTART- -X- -X- O\n"
    "\n"
    "Anna NNP B-NP B-PER\n"
    "Berg NNP I-NP I-PER\n"
    "joined VBD B-VP O\n"
    "Nordic NNP B-NP B-ORG\n"
    "Cables NNP I-NP I-ORG\n"
    "Ltd NNP I-NP I-ORG\n"
    "in IN B-PP O\n"
    "Oslo NNP B-NP B-LOC\n"
    ". . O O\n"
    "\n"
    "Berg VBD B-VP B-PER\n"
    "said VBD B-VP O\n"
    "the DT B-NP O\n"
    "Norwegian JJ I-NP B-MISC\n"
    "market NN I-NP O\n"
    "grew VBD B-VP O\n"
    ". . O O\n"
    "\n"
    "-DOCSTART- -X- -X- O\n"
    "\n"
    "Paolo NNP B-NP I-PER\n"
    "Rossi NNP I-NP I-PER\n"
    "left VBD B-VP O\n"
    "Milan NNP B-NP B-LOC\n"
    "for IN B-PP O\n"
    "Lisbon NNP B-NP B-LOC\n"
    "on IN B-PP O\n"
    "Monday NNP B-NP O\n"
    ". . O O\n"
    "\n"
    "-DOCSTART- -X- -X- O\n"
    "\n"
    "Delta NNP B-NP B-ORG\n"
    "Motors NNPS I-NP I-ORG\n"
    "hired VBD B-VP O\n"
    "Anna NNP B-NP B-PER\n"
    "Berg NNP I-NP I-PER\n"
    "from IN B-PP O\n"
    "Italian JJ B-NP B-MISC\n"
    "rival NN I-NP O\n"
    "Fiore NNP I-NP B-ORG\n"
    ". . O O\n";

#define L(t, p) clip_label_make (CLIP_ENT_##t, CLIP_POS_##p)

Test (tagger, labels_spans) {
    uint8_t labels [] = { 0, L (PER, B), L (PER, L), 0, L (LOC, U), L (ORG, B), L (ORG, I),
                          L (ORG, L), L (MISC, B) };
    clip_span_t spans [9];
    size_t n = clip_labels_spans (labels, 9, spans);
    cr_assert_eq (n, 4);
    cr_assert (spans [0].start == 1 && spans [0].end == 3 && spans [0].type == CLIP_ENT_PER);
    cr_assert (spans [1].start == 4 && spans [1].end == 5 && spans [1].type == CLIP_ENT_LOC);
    cr_assert (spans [2].start == 5 && spans [2].end == 8 && spans [2].type == CLIP_ENT_ORG);
    /*  An unfinished run ends where the labels end.  */
    cr_assert (spans [3].start == 8 && spans [3].end == 9 && spans [3].type == CLIP_ENT_MISC);
}

Test (tagger, conll_read_and_score) {
    char *dir = tu_tempdir ("tagger");
    char *path = clip_path_join (dir, "sample.txt");
    tu_write (path, sample, strlen (sample));
    char err [256];
    clip_corpus_conll_t *c = clip_conll_read (path, err, sizeof err);
    cr_assert_not_null (c, "%s", err);
    cr_assert_eq (c->ndoc, 3);
    cr_assert_eq (c->nsent, 4);
    cr_assert_eq (c->nwords, 35);
    /*  IOB to BILOU: Anna Berg = B L, Nordic Cables Ltd = B I L, Oslo = U,
        and the IOB1-style "I-PER I-PER" opening document 2 = B L.  */
    cr_assert_eq (c->gold [0], L (PER, B));
    cr_assert_eq (c->gold [1], L (PER, L));
    cr_assert_eq (c->gold [4], L (ORG, I));
    cr_assert_eq (c->gold [7], L (LOC, U));
    size_t paolo = c->sent [2];
    cr_assert_eq (c->words [paolo].len, 5);
    cr_assert_eq (c->gold [paolo], L (PER, B));
    cr_assert_eq (c->gold [paolo + 1], L (PER, L));
    /*  conlleval semantics: exact span and type.  */
    clip_ner_score_t score = { 0 };
    uint8_t pred [9];
    memcpy (pred, c->gold, 9);
    pred [4] = L (ORG, L);          /* "Nordic Cables" instead of "... Ltd" */
    pred [5] = 0;
    clip_ner_score_add (&score, c->gold, pred, 9);
    cr_assert_eq (score.gold [CLIP_ENT_ORG], 1);
    cr_assert_eq (score.pred [CLIP_ENT_ORG], 1);
    cr_assert_eq (score.correct [CLIP_ENT_ORG], 0);
    cr_assert_eq (score.correct [CLIP_ENT_PER], 1);
    cr_assert_eq (score.correct [CLIP_ENT_LOC], 1);
    cr_assert_float_eq (clip_ner_score_f1 (&score), 200.0 * 2 / 6, 1e-9);
    clip_conll_destroy (&c);
    cr_assert_null (c);
    free (path);
    tu_rmtree (dir);
    free (dir);
}

static char *
train_into_opts (const char *dir, const char *name, const char *train_path, int second_pass)
{
    char *model_dir = clip_path_join (dir, name);
    clip_train_opts_t opts = {
        .train = train_path, .valid = train_path, .clusters = NULL,
        .model_dir = model_dir, .max_epochs = 4, .final_with_valid = 1,
        .second_pass = second_pass
    };
    char err [256];
    cr_assert_eq (clip_tagger_train (&opts, NULL, err, sizeof err), 0, "%s", err);
    return model_dir;
}

static char *
train_into (const char *dir, const char *name, const char *train_path)
{
    return train_into_opts (dir, name, train_path, 0);
}

static int
files_equal (const char *a, const char *b, const char *name)
{
    char *pa = clip_path_join (a, name), *pb = clip_path_join (b, name);
    size_t la, lb;
    char *da = tu_read (pa, &la), *db = tu_read (pb, &lb);
    cr_assert_not_null (da, "%s missing", pa);
    cr_assert_not_null (db, "%s missing", pb);
    int same = la == lb && memcmp (da, db, la) == 0;
    free (da);
    free (db);
    free (pa);
    free (pb);
    return same;
}

Test (tagger, training_is_deterministic) {
    char *dir = tu_tempdir ("tagger");
    char *path = clip_path_join (dir, "sample.txt");
    tu_write (path, sample, strlen (sample));
    char *a = train_into (dir, "a", path);
    char *b = train_into (dir, "b", path);
    const char *files [] = { "model.bin", "gazetteer.tsv", "clusters.tsv" };
    for (size_t i = 0; i < 3; i++) {
        char *pa = clip_path_join (a, files [i]), *pb = clip_path_join (b, files [i]);
        size_t la, lb;
        char *da = tu_read (pa, &la), *db = tu_read (pb, &lb);
        cr_assert_not_null (da, "%s missing", pa);
        cr_assert_not_null (db, "%s missing", pb);
        cr_assert_eq (la, lb, "%s differs in size", files [i]);
        cr_assert (memcmp (da, db, la) == 0, "%s differs", files [i]);
        free (da);
        free (db);
        free (pa);
        free (pb);
    }
    /*  The model loads and has learnt its own training names.  */
    char err [256];
    clip_tagger_t *tagger = clip_tagger_load (a, err, sizeof err);
    cr_assert_not_null (tagger, "%s", err);
    clip_corpus_conll_t *c = clip_conll_read (path, err, sizeof err);
    cr_assert_not_null (c);
    clip_ner_score_t score = { 0 };
    clip_tagger_eval (tagger, c, &score);
    cr_assert_gt (clip_ner_score_f1 (&score), 80.0, "F1 on its own training data %.2f",
                  clip_ner_score_f1 (&score));
    clip_conll_destroy (&c);
    clip_tagger_destroy (&tagger);
    cr_assert_null (tagger);
    free (a);
    free (b);
    free (path);
    tu_rmtree (dir);
    free (dir);
}

Test (tagger, second_pass_training, .timeout = 600) {   /* 150 s seen at load 9 on 2 cores */
    /*  The sample six times over, so that every jackknife fold has
        documents to tag.  */
    char *dir = tu_tempdir ("tagger2");
    char *path = clip_path_join (dir, "sample.txt");
    size_t one = strlen (sample);
    char *six = clip_malloc (6 * (one + 1) + 1);
    size_t o = 0;
    for (int d = 0; d < 6; d++) {
        memcpy (six + o, sample, one);
        o += one;
        six [o++] = '\n';
    }
    tu_write (path, six, o);
    char *a = train_into_opts (dir, "a", path, 1);
    char *b = train_into_opts (dir, "b", path, 1);
    cr_assert (files_equal (a, b, "model.bin"), "model.bin differs");
    cr_assert (files_equal (a, b, "model2.bin"), "model2.bin differs");

    /*  The two-pass model loads, tags every document twice, and has learnt
        its own training names.  */
    char err [256];
    clip_tagger_t *tagger = clip_tagger_load (a, err, sizeof err);
    cr_assert_not_null (tagger, "%s", err);
    clip_corpus_conll_t *c = clip_conll_read (path, err, sizeof err);
    cr_assert_not_null (c);
    cr_assert_geq (c->ndoc, 6);
    clip_ner_score_t score = { 0 };
    clip_tagger_eval (tagger, c, &score);
    cr_assert_gt (clip_ner_score_f1 (&score), 80.0, "F1 on its own training data %.2f",
                  clip_ner_score_f1 (&score));
    clip_conll_destroy (&c);
    clip_tagger_destroy (&tagger);

    /*  Retraining without the second pass into the same directory removes
        the old model2.bin, which would not match the new first pass.  */
    free (train_into_opts (dir, "a", path, 0));
    char *m2 = clip_path_join (a, "model2.bin");
    cr_assert_neq (access (m2, F_OK), 0, "stale %s left", m2);
    free (m2);
    free (a);
    free (b);
    free (six);
    free (path);
    tu_rmtree (dir);
    free (dir);
}

/*  Tag words [0, n) as one document with doc (a new one when NULL).  */
static void
tag_words (const clip_tagger_t *tagger, clip_tagdoc_t *doc, const clip_word_t *words, size_t n,
           uint8_t *labels)
{
    clip_tagdoc_t *own = doc ? NULL : clip_tagdoc_new ();
    size_t sent [2] = { 0, n };
    clip_tagger_tag_doc (tagger, doc ? doc : own, words, sent, 1, labels);
    clip_tagdoc_destroy (&own);
}

/*  A clip_tagdoc_t keeps the summed weights of the words it has seen
    (clip_tagger_int.h, wcache_t) for the model it tagged them with: used
    with another model, or with a model loaded where a freed one was, it
    must tag as a new one does.  */
Test (tagger, word_cache_follows_the_model) {
    char *dir = tu_tempdir ("tagger");
    char *path = clip_path_join (dir, "sample.txt");
    tu_write (path, sample, strlen (sample));
    char *small = train_into (dir, "small", path);
    char *shipped = clip_path_join (CLIP_SOURCE_DIR, "workers/ner/model");
    char err [256];
    clip_tagger_t *a = clip_tagger_load (shipped, err, sizeof err);
    cr_assert_not_null (a, "%s", err);
    clip_tagger_t *b = clip_tagger_load (small, err, sizeof err);
    cr_assert_not_null (b, "%s", err);
    /*  A sentence the two models tag differently, else the test could not
        fail.  */
    static const char *const text [] = {
        "Berg", "said", "Delta", "Motors", "left", "Lisbon", "for", "Geneva", "and", "the",
        "Rhine", "valley", "with", "Fiore", "on", "Monday", "."
    };
    size_t n = sizeof text / sizeof text [0];
    clip_word_t words [sizeof text / sizeof text [0]];
    for (size_t i = 0; i < n; i++)
        words [i] = (clip_word_t) { text [i], (uint32_t) strlen (text [i]) };
    uint8_t fresh_a [32], fresh_b [32], got [32];
    tag_words (a, NULL, words, n, fresh_a);
    tag_words (b, NULL, words, n, fresh_b);
    cr_assert (memcmp (fresh_a, fresh_b, n) != 0, "the two models agree on every word");

    clip_tagdoc_t *doc = clip_tagdoc_new ();
    tag_words (a, doc, words, n, got);
    cr_assert (memcmp (got, fresh_a, n) == 0);
    tag_words (b, doc, words, n, got);
    cr_assert (memcmp (got, fresh_b, n) == 0, "the other model's cached sums were used");
    tag_words (a, doc, words, n, got);
    cr_assert (memcmp (got, fresh_a, n) == 0);
    /*  Freed and loaded again, perhaps at the same address.  */
    clip_tagger_destroy (&b);
    clip_tagger_destroy (&a);
    b = clip_tagger_load (small, err, sizeof err);
    cr_assert_not_null (b, "%s", err);
    tag_words (b, doc, words, n, got);
    cr_assert (memcmp (got, fresh_b, n) == 0, "a freed model's cached sums were used");
    clip_tagdoc_destroy (&doc);
    clip_tagger_destroy (&b);
    free (shipped);
    free (small);
    free (path);
    tu_rmtree (dir);
    free (dir);
}

/*  The caches of a clip_tagdoc_t (words, their classes' sums, the sums
    after an O) are exact: after tens of thousands of words have gone
    through them and been evicted, a sentence, a headline and a word too
    long for the letter flags are tagged as a new document tags them.  */
Test (tagger, caches_churned_tag_as_a_new_document) {
    char *shipped = clip_path_join (CLIP_SOURCE_DIR, "workers/ner/model");
    char *clusters = clip_path_join (shipped, "clusters.tsv");
    char err [256];
    clip_tagger_t *t = clip_tagger_load (shipped, err, sizeof err);
    cr_assert_not_null (t, "%s", err);
    static const char *const sentence [] = {
        "Berg", "said", "Delta", "Motors", "left", "Lisbon", "for", "Geneva", "on", "Monday", "."
    };
    static const char *const headline [] = {
        "BERG", "SAYS", "DELTA", "MOTORS", "LEFT", "LISBON", "FOR", "GENEVA"
    };
    static const char *const long_word [] = {
        "The", "Quillby", "Gallery", "of",
        "Averyveryveryveryveryveryveryveryveryveryveryveryveryveryverylongname", "opened", "."
    };
    const char *const *texts [] = { sentence, headline, long_word };
    size_t lens [] = { sizeof sentence / sizeof *sentence, sizeof headline / sizeof *headline,
                       sizeof long_word / sizeof *long_word };
    cr_assert (strlen (long_word [4]) > 64);
    clip_word_t words [3][16];
    uint8_t fresh [3][16];
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < lens [k]; i++)
            words [k][i] = (clip_word_t) { texts [k][i], (uint32_t) strlen (texts [k][i]) };
        tag_words (t, NULL, words [k], lens [k], fresh [k]);
    }

    /*  Churn: the model's vocabulary, 200 words a document, in one
        clip_tagdoc_t, far more words than its caches hold.  */
    char *data = NULL;
    size_t len = 0;
    cr_assert_eq (clip_file_read (clusters, 64u << 20, &data, &len), 0);
    clip_word_t *vocab = calloc (len / 2 + 1, sizeof *vocab);
    size_t nv = 0;
    for (char *line = data, *end = data + len; line < end && nv < 40000; ) {
        char *nl = memchr (line, '\n', (size_t) (end - line));
        char *tab = memchr (line, '\t', (size_t) ((nl ? nl : end) - line));
        if (tab && tab > line)
            vocab [nv++] = (clip_word_t) { line, (uint32_t) (tab - line) };
        line = nl ? nl + 1 : end;
    }
    cr_assert_gt (nv, 20000, "clusters.tsv has %zu words", nv);
    clip_tagdoc_t *doc = clip_tagdoc_new ();
    uint8_t *labels = malloc (200);
    for (size_t at = 0; at + 200 <= nv; at += 200)
        tag_words (t, doc, vocab + at, 200, labels);
    for (int k = 0; k < 3; k++) {
        uint8_t got [16];
        tag_words (t, doc, words [k], lens [k], got);
        cr_assert (memcmp (got, fresh [k], lens [k]) == 0, "text %d tagged otherwise", k);
    }
    clip_tagdoc_destroy (&doc);
    free (labels);
    free (vocab);
    free (data);
    clip_tagger_destroy (&t);
    free (clusters);
    free (shipped);
}

/*  clip_tagger_gaz_types answers for the names of gazetteer.tsv and for
    those added, of any length, in any case (the rules after tagging ask
    it about the alias table's names, one of them of eight words).  */
Test (tagger, gaz_types) {
    char *shipped = clip_path_join (CLIP_SOURCE_DIR, "workers/ner/model");
    char err [256];
    clip_tagger_t *t = clip_tagger_load (shipped, err, sizeof err);
    cr_assert_not_null (t, "%s", err);
    clip_word_t germany [] = { { "Germany", 7 } };
    cr_assert (clip_tagger_gaz_types (t, germany, 1) & (1u << CLIP_ENT_LOC));
    clip_word_t nobody [] = { { "Xqzvw", 5 }, { "Jjkq", 4 } };
    cr_assert_eq (clip_tagger_gaz_types (t, nobody, 2), 0);
    cr_assert_eq (clip_tagger_gaz_types (t, nobody, 0), 0);
    static const char *const long_name [] = {
        "United", "Kingdom", "of", "Great", "Britain", "and", "Northern", "Ireland"
    };
    clip_word_t w [8];
    for (size_t i = 0; i < 8; i++)
        w [i] = (clip_word_t) { long_name [i], (uint32_t) strlen (long_name [i]) };
    unsigned before = clip_tagger_gaz_types (t, w, 8);
    clip_tagger_gaz_add (t, CLIP_ENT_LOC, w, 8);
    cr_assert_eq (clip_tagger_gaz_types (t, w, 8), before | (1u << CLIP_ENT_LOC));
    clip_word_t upper [] = { { "UNITED", 6 }, { "KINGDOM", 7 }, { "OF", 2 }, { "GREAT", 5 },
                             { "BRITAIN", 7 }, { "AND", 3 }, { "NORTHERN", 8 }, { "IRELAND", 7 } };
    cr_assert (clip_tagger_gaz_types (t, upper, 8) & (1u << CLIP_ENT_LOC));
    cr_assert_eq (clip_tagger_gaz_types (t, w, 7), clip_tagger_gaz_types (t, upper, 7));
    clip_tagger_destroy (&t);
    free (shipped);
}

Test (tagger, doc_consistency) {
    /*  "Guo Ping ... Guo (tagged ORG) ... Huawei (missed)" within one
        document.  */
    const char *text [] = { "Guo", "Ping", "of", "Huawei", "spoke", ".", "Guo", "said",
                            "Huawei", "would", "invest", "." };
    clip_word_t words [12];
    for (size_t i = 0; i < 12; i++)
        words [i] = (clip_word_t) { text [i], (uint32_t) strlen (text [i]) };
    uint8_t labels [12] = { L (PER, B), L (PER, L), 0, L (ORG, U), 0, 0,
                            L (ORG, U), 0, 0, 0, 0, 0 };
    clip_tagger_doc_consistency (words, labels, 12);
    cr_assert_eq (labels [6], L (PER, U), "a lone surname is the person");
    cr_assert_eq (labels [8], L (ORG, U), "a missed mention takes the name's type");
    cr_assert_eq (labels [3], L (ORG, U));
}

/*  The rules of clip_tagger_doc_consistency written as plainly as they are
    stated (every mention against every other: quadratic), the reference
    its linear implementation must agree with on every document whose
    names are at most 32 words long.  */
static int
ref_upper (const clip_word_t *w)
{
    return w->len > 0 && w->text [0] >= 'A' && w->text [0] <= 'Z';
}

static void
ref_set_span (uint8_t *labels, size_t a, size_t b, int type)
{
    if (b - a == 1) {
        labels [a] = (uint8_t) clip_label_make (type, CLIP_POS_U);
        return;
    }
    labels [a] = (uint8_t) clip_label_make (type, CLIP_POS_B);
    for (size_t i = a + 1; i + 1 < b; i++)
        labels [i] = (uint8_t) clip_label_make (type, CLIP_POS_I);
    labels [b - 1] = (uint8_t) clip_label_make (type, CLIP_POS_L);
}

static int
ref_same_words (const clip_word_t *words, const clip_span_t *a, const clip_span_t *b)
{
    if (a->end - a->start != b->end - b->start)
        return 0;
    for (size_t x = 0; x < a->end - a->start; x++) {
        const clip_word_t *p = &words [a->start + x], *q = &words [b->start + x];
        if (p->len != q->len || memcmp (p->text, q->text, p->len) != 0)
            return 0;
    }
    return 1;
}

static void
ref_doc_consistency (const clip_word_t *words, uint8_t *labels, size_t n)
{
    clip_span_t *spans = malloc ((n + 1) * sizeof *spans);
    size_t ns = clip_labels_spans (labels, n, spans);
    size_t *first = malloc ((ns + 1) * sizeof (size_t));     /* per name */
    size_t *name_of = malloc ((ns + 1) * sizeof (size_t));
    int (*votes) [CLIP_ENT_NTYPES] = calloc (ns + 1, sizeof *votes);
    size_t nn = 0;
    for (size_t i = 0; i < ns; i++) {
        size_t k = 0;
        while (k < nn && !ref_same_words (words, &spans [first [k]], &spans [i]))
            k++;
        if (k == nn)
            first [nn++] = i;
        votes [k][spans [i].type]++;
        name_of [i] = k;
    }
    int *type_of = malloc ((nn + 1) * sizeof (int));
    for (size_t k = 0; k < nn; k++) {
        int best = spans [first [k]].type;
        for (int t = 0; t < CLIP_ENT_NTYPES; t++)
            if (votes [k][t] > votes [k][best])
                best = t;
        type_of [k] = best;
    }
    for (size_t i = 0; i < ns; i++) {
        if (spans [i].end - spans [i].start != 1 || spans [i].type == CLIP_ENT_PER)
            continue;
        const clip_word_t *w = &words [spans [i].start];
        int person = 0;
        for (size_t j = 0; j < i && !person; j++) {
            if (type_of [name_of [j]] != CLIP_ENT_PER || spans [j].end - spans [j].start < 2)
                continue;
            for (size_t x = spans [j].start; x < spans [j].end; x++)
                if (words [x].len == w->len && memcmp (words [x].text, w->text, w->len) == 0)
                    person = 1;
        }
        if (person)
            ref_set_span (labels, spans [i].start, spans [i].end, CLIP_ENT_PER);
    }
    for (size_t k = 0; k < nn; k++) {
        const clip_span_t *sp = &spans [first [k]];
        size_t len = sp->end - sp->start;
        if (!ref_upper (&words [sp->start]))
            continue;
        for (size_t i = 0; i + len <= n; i++) {
            if (labels [i] != 0 || !ref_upper (&words [i]))
                continue;
            int match = 1;
            for (size_t x = 0; x < len && match; x++) {
                const clip_word_t *a = &words [i + x], *b = &words [sp->start + x];
                match = labels [i + x] == 0 && a->len == b->len
                        && memcmp (a->text, b->text, a->len) == 0;
            }
            if (!match)
                continue;
            if ((i > 0 && ref_upper (&words [i - 1]) && labels [i - 1] == 0)
            ||  (i + len < n && ref_upper (&words [i + len])))
                continue;
            ref_set_span (labels, i, i + len, type_of [k]);
        }
    }
    free (type_of);
    free (votes);
    free (name_of);
    free (first);
    free (spans);
}

Test (tagger, doc_consistency_agrees_with_its_definition) {
    /*  Random documents over a small vocabulary, so that names repeat,
        nest ("A b" and "A b A"), are glued and overlap; labels are random
        spans, and sometimes any label at all.  */
    static const char *const vocab [] = { "A", "B", "Guo", "Ping", "a", "b", "of", "C", "x", "Ab" };
    unsigned seed = 12345;
    size_t differ = 0;
    for (int round = 0; round < 30000; round++) {
        seed = seed * 1103515245u + 12345u;
        size_t n = 1 + (seed >> 8) % 48;
        size_t nv = 3 + (seed >> 20) % 8;
        clip_word_t words [48];
        uint8_t a [48], b [48];
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            const char *v = vocab [(seed >> 12) % nv];
            words [i] = (clip_word_t) { v, (uint32_t) strlen (v) };
        }
        size_t i = 0;
        while (i < n) {
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 10) % 3) {
                a [i++] = 0;
                continue;
            }
            size_t len = 1 + (seed >> 14) % 5;
            if (i + len > n)
                len = n - i;
            ref_set_span (a, i, i + len, (int) ((seed >> 20) % CLIP_ENT_NTYPES));
            i += len;
        }
        seed = seed * 1103515245u + 12345u;
        if ((seed >> 16) % 6 == 0)
            for (size_t k = 0; k < n; k++) {
                seed = seed * 1103515245u + 12345u;
                a [k] = (uint8_t) ((seed >> 16) % CLIP_TAG_NLABELS);
            }
        memcpy (b, a, n);
        ref_doc_consistency (words, a, n);
        clip_tagger_doc_consistency (words, b, n);
        if (memcmp (a, b, n) != 0)
            differ++;
    }
    cr_assert_eq (differ, 0, "%zu of 30000 documents differ from the definition", differ);
}

Test (tagger, doc_consistency_is_linear, .timeout = 60) {
    /*  1,050,000 words: 150,000 different people, each mentioned in full
        (tagged), in full again (missed by the tagger) and by surname
        (tagged ORG): "F L met F L and L".  Comparing every name with every
        earlier one, and looking for each name across the whole document,
        took hours; linear, it is well under a second (the timeout is for a
        loaded machine under sanitizers).  */
    size_t nnames = 150000, per = 7, n = per * nnames;
    clip_word_t *words = malloc (n * sizeof *words);
    uint8_t *labels = calloc (n, 1);
    char *buf = malloc (nnames * 16);
    for (size_t k = 0; k < nnames; k++) {
        char *first = buf + 16 * k, *last = first + 8;
        snprintf (first, 8, "F%06zu", k);
        snprintf (last, 8, "L%06zu", k);
        clip_word_t *w = words + per * k;
        uint8_t *l = labels + per * k;
        w [0] = (clip_word_t) { first, 7 };
        w [1] = (clip_word_t) { last, 7 };
        w [2] = (clip_word_t) { "met", 3 };
        w [3] = (clip_word_t) { first, 7 };
        w [4] = (clip_word_t) { last, 7 };
        w [5] = (clip_word_t) { "and", 3 };
        w [6] = (clip_word_t) { last, 7 };
        l [0] = (uint8_t) L (PER, B);
        l [1] = (uint8_t) L (PER, L);
        l [6] = (uint8_t) L (ORG, U);
    }
    clip_tagger_doc_consistency (words, labels, n);
    for (size_t k = 0; k < nnames; k++) {
        const uint8_t *l = labels + per * k;
        cr_assert (l [3] == L (PER, B) && l [4] == L (PER, L),
                   "the second mention of person %zu is not tagged", k);
        cr_assert_eq (l [6], L (PER, U), "the surname of person %zu is not the person", k);
    }
    free (buf);
    free (labels);
    free (words);
}

/*  The index of the document's contexts of the word hashed lw, or -1.  */
static long
agg_index (const clip_tagdoc_t *doc, uint64_t lw)
{
    for (size_t g = 0; g < doc->nagg; g++)
        if (doc->agg [g].lw == lw)
            return (long) g;
    return -1;
}

/*  clip_tagdoc_begin hashes the words it keeps the contexts of as the
    features do (clip_tagger__lw_hash: ASCII capitals lowered, the rest
    as it is, cut at WORD_MAX - 1 bytes), whatever their bytes and length,
    and a short document after a long one finds its own words only.  */
Test (tagger, doc_contexts_hash_words_as_the_features) {
    enum { NW = 600 };
    static char text [NW][WORD_MAX + 16];
    clip_word_t words [NW];
    uint32_t seed = 12345;
    for (size_t k = 0; k < NW; k++) {
        size_t len = 1 + k % (WORD_MAX + 8);
        text [k][0] = (char) ((k % 2 ? 'A' : 'a') + (k / 2) % 26);
        for (size_t b = 1; b < len; b++) {
            seed = seed * 1103515245u + 12345u;
            text [k][b] = (char) (seed >> 16);
        }
        words [k] = (clip_word_t) { text [k], (uint32_t) len };
    }
    clip_tagdoc_t *doc = clip_tagdoc_new ();
    clip_tagdoc_begin (doc, words, NW);
    for (size_t k = 0; k < NW; k++) {
        long g = agg_index (doc, clip_tagger__lw_hash (words [k].text, words [k].len));
        cr_assert_geq (g, 0, "word %zu (%u bytes) has no contexts", k, words [k].len);
        const agg_t *a = &doc->agg [g];
        if (k % 2 == 0 || a->n >= AGG_MAX || k == 0 || k + 1 == NW)
            continue;
        uint64_t prev = clip_tagger__lw_hash (words [k - 1].text, words [k - 1].len);
        uint64_t next = clip_tagger__lw_hash (words [k + 1].text, words [k + 1].len);
        int seen = 0;
        for (uint32_t j = 0; j < a->n; j++)
            seen |= a->prev [j] == prev && a->next [j] == next;
        cr_assert (seen, "capitalised word %zu lacks its neighbours", k);
    }
    clip_tagdoc_begin (doc, words + 100, 3);
    cr_assert_eq (doc->nagg, 3);
    for (size_t k = 100; k < 103; k++)
        cr_assert_geq (agg_index (doc, clip_tagger__lw_hash (words [k].text, words [k].len)), 0);
    clip_tagdoc_destroy (&doc);
}
