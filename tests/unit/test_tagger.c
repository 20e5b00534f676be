/*  clip_tagger: BILOU decoding, CoNLL reading, deterministic training.  */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clip_tagger.h"
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

Test (tagger, second_pass_training, .timeout = 120) {
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
