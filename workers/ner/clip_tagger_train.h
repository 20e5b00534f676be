/*  clip_tagger_train: training the tagger (clip_tagger.h) on CoNLL files
    and hand-labelled articles (clip_conll.h), for `clip ner train`.  In the clip_ner_train library:
    the worker and the daemon do not link it.  */
#ifndef CLIP_TAGGER_TRAIN_H
#define CLIP_TAGGER_TRAIN_H

#include <stdio.h>

typedef struct {
    const char *train;      /* CoNLL training file */
    const char *valid;      /* CoNLL file for early stopping */
    const char *clusters;   /* clusters.tsv, or NULL for none */
    const char *names;      /* names.tsv, a second gazetteer (`clip ner names`,
                               scripts/ner_gazetteer.py), or NULL for none */
    const char *model_dir;  /* where model.bin (and a copy of clusters) go */
    int max_epochs;         /* bound on epochs (early stopping may stop sooner) */
    int final_with_valid;   /* retrain on train + valid for the best epoch count */
    unsigned seed;          /* shuffling seed (0: the shipped model's) */
    int second_pass;        /* also train the stacked second pass (model2.bin) */
    /*  Hand-labelled articles added to the training data (issue 14):
        hashed label files (clip_conll_hashed_read) over the articles of
        text_dir.  Each of their documents is seen extra_weight times per
        epoch (1 when 0), in train-only and final runs alike; their names
        stay out of the gazetteer (the tagger sees them as it sees unseen
        news: every CoNLL name visible, none of their own), so that
        gazetteer.tsv stays CoNLL's names.  */
    const char *const *extra;
    size_t nextra;
    const char *text_dir;
    int extra_weight;
} clip_train_opts_t;

/*  Train and write model_dir/model.bin (and clusters.tsv when clusters is
    not already that file).  Deterministic: the same inputs give the same
    bytes.  Progress goes to log when not NULL.  Returns 0 or -1 with err
    set.  */
int clip_tagger_train (const clip_train_opts_t *opts, FILE *log, char *err, size_t err_size);

#endif
