/*  clip_tagger_train: the averaged perceptron's training.  See
    clip_tagger_train.h; the features and the model format are
    clip_tagger.c's (shared through clip_tagger_int.h).

    Training keeps dense float weights, averages them (the averaged
    perceptron), and quantises them to int16 on saving
    (clip_tagger__model_save), so that tagging is integer arithmetic and
    gives the same labels in every build.  */
#include "clip_tagger_train.h"
#include "clip_conll.h"
#include "clip_tagger_int.h"
#include "clip_util.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

/*  ------------------------------------------------------------------------
    Training  */

typedef struct {
    float *w;                   /* current weights */
    double *u;                  /* sum of update * time, for averaging */
    double c;                   /* time: words seen + 1 */
    uint8_t *seen;              /* per row: how many training words use it (saturating) */
    size_t size;                /* rows * NL */
} trainer_t;

/*  A deterministic generator (xorshift64*), so that shuffles repeat.  */
static uint64_t
rng_next (uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static void
train_sentence (clip_tagger_t *tagger, trainer_t *tr, clip_tagdoc_t *doc,
                const clip_word_t *words, const uint8_t *gold, size_t n, uint8_t *pred)
{
    clip_tagger__prepare_sentence (tagger, doc, words, n);
    int y1 = START_LABEL, y2 = START_LABEL;
    uint32_t rows [MAXF];
    float scores [NL];
    for (size_t i = 0; i < n; i++) {
        size_t k = clip_tagger__static_features (tagger, doc, n, i, rows);
        k += clip_tagger__label_features (tagger, &doc->attr [i], y1, y2, rows + k);
        clip_tagger__score_rows (tagger, doc->p1 != NULL, rows, k, scores);
        int guess = clip_tagger__best_label (scores, y1, i + 1 == n);
        int g = gold [i];
        int rival = guess;
        if (guess == g) {
            /*  Right, but by less than TRAIN_MARGIN over the best other
                label: update against that label all the same (a perceptron
                with a margin).  Weights then keep growing on words already
                right until they are clearly right, which generalises
                better: validation F1 +0.9 (90.95 -> 91.84, mean of three
                shuffles), flat between margins 60 and 150.  */
            float saved = scores [g];
            scores [g] = -1e30f;
            int r2 = clip_tagger__best_label (scores, y1, i + 1 == n);
            scores [g] = saved;
            if (r2 >= 0 && r2 != g && scores [g] - scores [r2] < TRAIN_MARGIN)
                rival = r2;
        }
        if (rival != g) {
            for (size_t f = 0; f < k; f++) {
                if (tr->seen [rows [f]] < FEATURE_CUTOFF)
                    continue;
                size_t base = (size_t) rows [f] * NL;
                tr->w [base + (size_t) g] += 1.0f;
                tr->u [base + (size_t) g] += tr->c;
                tr->w [base + (size_t) rival] -= 1.0f;
                tr->u [base + (size_t) rival] -= tr->c;
            }
        }
        tr->c += 1;
        pred [i] = (uint8_t) guess;
        y2 = y1;
        y1 = guess;
    }
    clip_tagger__record_history (doc, n, pred);
}

static void
average_into (const trainer_t *tr, float *out)
{
    for (size_t i = 0; i < tr->size; i++)
        out [i] = (float) ((double) tr->w [i] - tr->u [i] / tr->c);
}

/*  A training corpus and how it is used.  The sources whose names are the
    gazetteer's come first in every list of sources, so that a document's
    fold is the same in gaz_build and train_run (its number among all
    documents, modulo GAZ_FOLDS).  */
typedef struct {
    const clip_corpus_conll_t *corpus;
    int weight;                 /* times each document is seen per epoch */
    int gaz;                    /* its names are in the gazetteer */
} source_t;

typedef struct {
    const clip_corpus_conll_t *corpus;
    size_t doc;
    int fold;                   /* the gazetteer's fold hidden from it, or -1 */
    size_t ci;                  /* index of the source */
} doc_ref_t;

typedef struct {
    char **items;
    size_t n, cap;
} strlist_t;

static int
cmp_str (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

/*  Fill the gazetteer with the gold names of the sources that have gaz
    set, document number d (counted across them) in fold d % GAZ_FOLDS;
    with names, also collect "TYPE<TAB>lower-case words" lines.  */
static void
gaz_build (gaz_t *g, const source_t *sources, size_t nc, strlist_t *names)
{
    clip_tagger__gaz_init (g, 16384);
    size_t gd = 0;
    clip_span_t *spans = NULL;
    size_t spans_cap = 0;
    for (size_t c = 0; c < nc; c++) {
        if (!sources [c].gaz)
            continue;
        const clip_corpus_conll_t *cp = sources [c].corpus;
        for (size_t d = 0; d < cp->ndoc; d++, gd++) {
            int fold = (int) (gd % GAZ_FOLDS);
            for (size_t s = cp->doc [d]; s < cp->doc [d + 1]; s++) {
                size_t a = cp->sent [s], b = cp->sent [s + 1];
                if (b - a > spans_cap) {
                    spans_cap = 2 * (b - a);
                    spans = clip_realloc (spans, spans_cap * sizeof *spans);
                }
                size_t ns = clip_labels_spans (cp->gold + a, b - a, spans);
                for (size_t k = 0; k < ns; k++) {
                    size_t len = spans [k].end - spans [k].start;
                    if (len > GAZ_MAX_WORDS)
                        continue;
                    uint64_t h = GAZ_SEED;
                    size_t bytes = 8;
                    for (size_t w = a + spans [k].start; w < a + spans [k].end; w++) {
                        h = gaz_step (h, clip_tagger__lw_hash (cp->words [w].text, cp->words [w].len));
                        bytes += cp->words [w].len + 1;
                    }
                    clip_tagger__gaz_add (g, h, 1u << (4 * fold + spans [k].type));
                    const clip_word_t *w0 = &cp->words [a + spans [k].start];
                    clip_tagger__gaz_first_add (g, clip_tagger__lw_hash (w0->text, w0->len));
                    if (!names)
                        continue;
                    char *line = clip_malloc (bytes);
                    size_t o = (size_t) sprintf (line, "%s\t", clip_ent_type_name (spans [k].type));
                    for (size_t w = a + spans [k].start; w < a + spans [k].end; w++) {
                        const clip_word_t *wd = &cp->words [w];
                        for (size_t i = 0; i < wd->len && i < WORD_MAX - 1; i++) {
                            char ch = wd->text [i];
                            line [o++] = (ch >= 'A' && ch <= 'Z') ? (char) (ch | 0x20) : ch;
                        }
                        line [o++] = w + 1 < a + spans [k].end ? ' ' : 0;
                    }
                    if (names->n == names->cap) {
                        names->cap = names->cap ? 2 * names->cap : 4096;
                        names->items = clip_realloc (names->items, names->cap * sizeof (char *));
                    }
                    names->items [names->n++] = line;
                }
            }
        }
    }
    free (spans);
}

/*  Write the gazetteer names sorted and without duplicates.  */
static int
gaz_save (strlist_t *names, const char *path, char *err, size_t err_size)
{
    qsort (names->items, names->n, sizeof (char *), cmp_str);
    size_t cap = 1, used = 0;
    for (size_t i = 0; i < names->n; i++)
        cap += strlen (names->items [i]) + 1;
    char *text = clip_malloc (cap);
    for (size_t i = 0; i < names->n; i++) {
        if (i > 0 && strcmp (names->items [i], names->items [i - 1]) == 0)
            continue;
        size_t l = strlen (names->items [i]);
        memcpy (text + used, names->items [i], l);
        text [used + l] = '\n';
        used += l + 1;
    }
    int rc = clip_file_write_durable (path, text, used);
    if (rc < 0)
        snprintf (err, err_size, "cannot write %s: %s", path, strerror (-rc));
    free (text);
    return rc < 0 ? -1 : 0;
}

static void
strlist_free (strlist_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free (l->items [i]);
    free (l->items);
    memset (l, 0, sizeof *l);
}


/*  Train for epochs over the documents of the corpora; with valid, score
    after each epoch and keep the best averaged weights in best (stopping
    after 3 epochs without gain).  Returns the best epoch (or epochs).  */
/*  Begin a training document: its fold (whose names the gazetteer
    hides) and, for the second pass, its first-pass labels.  */
static void
doc_start (clip_tagdoc_t *doc, const doc_ref_t *ref, uint8_t *const *p1)
{
    const clip_corpus_conll_t *c = ref->corpus;
    size_t da = c->sent [c->doc [ref->doc]], db = c->sent [c->doc [ref->doc + 1]];
    clip_tagdoc_begin (doc, c->words + da, db - da);
    doc->fold = ref->fold;
    if (p1)
        clip_tagger__votes_build (doc, c->words + da, db - da, p1 [ref->ci] + da);
}

/*  One training run over the documents of the sources (each weight times
    per epoch), except those of fold skip_fold (when >= 0; document number
    d counted across the sources is in fold d % GAZ_FOLDS); the second
    pass when p1 (first-pass labels per source, as corpus->gold) is not
    NULL.  With valid, stops early and leaves the best averaged weights in
    best; returns the epoch count.  */
static int
train_run (clip_tagger_t *tagger, const source_t *sources, size_t ncorpora,
           const clip_corpus_conll_t *valid, int epochs, uint64_t seed, float *best, FILE *log,
           int skip_fold, uint8_t *const *p1)
{
    size_t rows = (size_t) 1 << LOG2ROWS;
    trainer_t tr = { .size = rows * NL, .c = 1 };
    tr.seen = clip_calloc (rows, 1);
    tr.w = clip_calloc (tr.size, sizeof (float));
    tr.u = clip_calloc (tr.size, sizeof (double));
    float *avg = clip_malloc (tr.size * sizeof (float));
    size_t ndocs = 0, maxwords = 0;
    for (size_t k = 0; k < ncorpora; k++) {
        assert (sources [k].weight >= 1);
        assert (k == 0 || sources [k].gaz <= sources [k - 1].gaz);
        ndocs += sources [k].corpus->ndoc * (size_t) sources [k].weight;
        if (sources [k].corpus->nwords > maxwords)
            maxwords = sources [k].corpus->nwords;
    }
    doc_ref_t *order = clip_malloc ((ndocs ? ndocs : 1) * sizeof *order);
    size_t j = 0, kept = 0;
    for (size_t k = 0; k < ncorpora; k++)
        for (size_t d = 0; d < sources [k].corpus->ndoc; d++, j++) {
            int fold = (int) (j % GAZ_FOLDS);
            if (fold == skip_fold)
                continue;
            for (int r = 0; r < sources [k].weight; r++)
                order [kept++] = (doc_ref_t) { sources [k].corpus, d,
                                               sources [k].gaz ? fold : -1, k };
        }
    ndocs = kept;
    uint8_t *pred = clip_malloc (maxwords ? maxwords : 1);
    clip_tagdoc_t *doc = clip_tagdoc_new ();
    /*  Count how many training words use each row: rows of features seen
        fewer than FEATURE_CUTOFF times are never learnt, so that the model
        does not memorise one-off words and leans on features that
        generalise.  */
    for (size_t i = 0; i < ndocs; i++) {
        const clip_corpus_conll_t *c = order [i].corpus;
        size_t d = order [i].doc;
        doc_start (doc, &order [i], p1);
        for (size_t s = c->doc [d]; s < c->doc [d + 1]; s++) {
            size_t a = c->sent [s], b = c->sent [s + 1];
            doc->pos = a - c->sent [c->doc [d]];
            clip_tagger__prepare_sentence (tagger, doc, c->words + a, b - a);
            int y1 = START_LABEL, y2 = START_LABEL;
            uint32_t frows [MAXF];
            for (size_t w = 0; w < b - a; w++) {
                size_t k = clip_tagger__static_features (tagger, doc, b - a, w, frows);
                k += clip_tagger__label_features (tagger, &doc->attr [w], y1, y2, frows + k);
                for (size_t f = 0; f < k; f++)
                    if (tr.seen [frows [f]] < 255)
                        tr.seen [frows [f]]++;
                y2 = y1;
                y1 = c->gold [a + w];
            }
            clip_tagger__record_history (doc, b - a, c->gold + a);
        }
    }
    uint64_t rng = 0x9E3779B97F4A7C15ULL ^ mix64 (seed);
    double best_f1 = -1;
    int best_epoch = epochs;
    for (int epoch = 1; epoch <= epochs; epoch++) {
        for (size_t i = ndocs; i > 1; i--) {
            size_t r = (size_t) (rng_next (&rng) % i);
            doc_ref_t t = order [i - 1];
            order [i - 1] = order [r];
            order [r] = t;
        }
        tagger->wf = tr.w;
        for (size_t i = 0; i < ndocs; i++) {
            const clip_corpus_conll_t *c = order [i].corpus;
            size_t d = order [i].doc;
            doc_start (doc, &order [i], p1);
            for (size_t s = c->doc [d]; s < c->doc [d + 1]; s++) {
                size_t a = c->sent [s], b = c->sent [s + 1];
                doc->pos = a - c->sent [c->doc [d]];
                train_sentence (tagger, &tr, doc, c->words + a, c->gold + a, b - a, pred + a);
            }
        }
        if (!valid) {
            if (log)
                fprintf (log, "epoch %d done\n", epoch);
            continue;
        }
        average_into (&tr, avg);
        tagger->wf = avg;
        clip_ner_score_t score = { 0 };
        clip_tagger_eval (tagger, valid, &score);
        double f1 = clip_ner_score_f1 (&score);
        if (log)
            fprintf (log, "epoch %d valid F1 %.2f\n", epoch, f1);
        if (f1 > best_f1) {
            best_f1 = f1;
            best_epoch = epoch;
            memcpy (best, avg, tr.size * sizeof (float));
        }
        else
        if (epoch - best_epoch >= 3)
            break;
    }
    if (!valid)
        average_into (&tr, best);
    tagger->wf = NULL;
    clip_tagdoc_destroy (&doc);
    free (pred);
    free (order);
    free (avg);
    free (tr.w);
    free (tr.u);
    free (tr.seen);
    return best_epoch;
}

/*  First-pass labels of every training document from a model that never
    saw it: GAZ_FOLDS models, each trained without one fold (the
    gazetteer's folds) and tagging it with that fold's names hidden.  The
    second pass learns from these how far the first can be trusted on
    unseen text; labels from a model trained on the document itself would
    be right far too often.  p1 [k] (caller owns) gets labels for corpora [k].  */
static void
jackknife (clip_tagger_t *tagger, const source_t *sources, size_t nc,
           int epochs, uint64_t seed, uint8_t **p1, FILE *log)
{
    size_t size = ((size_t) 1 << LOG2ROWS) * NL;
    float *w = clip_malloc (size * sizeof (float));
    clip_tagdoc_t *doc = clip_tagdoc_new ();
    for (size_t k = 0; k < nc; k++)
        p1 [k] = clip_calloc (sources [k].corpus->nwords + 1, 1);
    const float *wf1 = tagger->wf1;
    tagger->wf1 = NULL;
    for (int f = 0; f < GAZ_FOLDS; f++) {
        if (log)
            fprintf (log, "first pass without fold %d\n", f);
        train_run (tagger, sources, nc, NULL, epochs, seed + 7919 * (uint64_t) (f + 1), w, NULL, f,
                   NULL);
        tagger->wf = w;
        size_t gd = 0;
        for (size_t k = 0; k < nc; k++) {
            const clip_corpus_conll_t *c = sources [k].corpus;
            for (size_t d = 0; d < c->ndoc; d++, gd++) {
                if ((int) (gd % GAZ_FOLDS) != f)
                    continue;
                doc->fold = sources [k].gaz ? f : -1;
                clip_tagger_tag_doc (tagger, doc, c->words, c->sent + c->doc [d],
                                     c->doc [d + 1] - c->doc [d], p1 [k]);
            }
        }
        tagger->wf = NULL;
    }
    tagger->wf1 = wf1;
    clip_tagdoc_destroy (&doc);
    free (w);
}

int
clip_tagger_train (const clip_train_opts_t *opts, FILE *log, char *err, size_t err_size)
{
    int rc = -1;
    clip_corpus_conll_t *train = NULL, *valid = NULL;
    clip_corpus_conll_t **extra = clip_calloc (opts->nextra + 1, sizeof *extra);
    clip_conll_hashed_stats_t *xst = clip_calloc (opts->nextra + 1, sizeof *xst);
    /*  The sources of the train-only runs (train, then the extra articles)
        and of the final ones (train, valid, then the extra articles).  */
    source_t *src1 = clip_calloc (opts->nextra + 2, sizeof *src1);
    source_t *src2 = clip_calloc (opts->nextra + 2, sizeof *src2);
    uint8_t **p1 = clip_calloc (opts->nextra + 2, sizeof *p1);
    float *best = NULL, *best2 = NULL;
    clip_tagger_t tagger = { .log2rows = LOG2ROWS, .mask = ((uint32_t) 1 << LOG2ROWS) - 1 };
    tagger.clusters = clip_clusters_load (opts->clusters, err, err_size);
    if (!tagger.clusters)
        goto done;
    if (opts->names) {
        if (clip_tagger__gaz_load (&tagger.ugaz, opts->names, err, err_size) < 0)
            goto done;
    }
    else
        clip_tagger__gaz_init (&tagger.ugaz, 16);
    /*  The labelled articles first: a label whose hash does not match
        its article fails at once, not after CoNLL has been read.  */
    for (size_t k = 0; k < opts->nextra; k++) {
        if (!opts->text_dir) {
            snprintf (err, err_size, "%s: labelled articles need a text directory",
                      opts->extra [k]);
            goto done;
        }
        if (!(extra [k] = clip_conll_hashed_read (opts->extra [k], opts->text_dir, &xst [k],
                                                   err, err_size)))
            goto done;
    }
    if (!(train = clip_conll_read (opts->train, err, err_size)))
        goto done;
    if (opts->valid && !(valid = clip_conll_read (opts->valid, err, err_size)))
        goto done;
    if (log)
        fprintf (log, "train: %zu documents, %zu sentences, %zu words; clusters: %zu words\n",
                 train->ndoc, train->nsent, train->nwords, clip_clusters_size (tagger.clusters));
    int weight = opts->extra_weight > 0 ? opts->extra_weight : 1;
    size_t n1 = 0, n2 = 0;
    src1 [n1++] = (source_t) { train, 1, 1 };
    src2 [n2++] = (source_t) { train, 1, 1 };
    if (valid)
        src2 [n2++] = (source_t) { valid, 1, 1 };
    for (size_t k = 0; k < opts->nextra; k++) {
        const clip_conll_hashed_stats_t *st = &xst [k];
        if (log)
            fprintf (log, "extra %s: %zu articles, %zu sentences, %zu words, %zu names "
                     "(%zu with a token cut, %zu sharing a token, %zu across sentences), "
                     "%zu MONEY/DATE/PERCENT left O; each seen %d times an epoch\n",
                     opts->extra [k], st->articles, st->sentences, st->tokens, st->spans,
                     st->unaligned, st->shared, st->crossing, st->other, weight);
        src1 [n1++] = (source_t) { extra [k], weight, 0 };
        src2 [n2++] = (source_t) { extra [k], weight, 0 };
    }
    size_t size = ((size_t) 1 << LOG2ROWS) * NL;
    best = clip_malloc (size * sizeof (float));
    gaz_build (&tagger.gaz, src1, n1, NULL);
    int epochs = train_run (&tagger, src1, n1, valid, opts->max_epochs,
                           (uint64_t) opts->seed * 1000, best, log, -1, NULL);
    int epochs2 = 0;
    if (opts->second_pass) {
        /*  The second pass, stacked on the first: trained on jackknifed
            first-pass labels, stopped early on valid tagged by the first
            pass just trained.  */
        if (log)
            fprintf (log, "second pass: first-pass labels of train, %d epochs\n", epochs);
        jackknife (&tagger, src1, n1, epochs, (uint64_t) opts->seed * 1000, p1, log);
        best2 = clip_malloc (size * sizeof (float));
        tagger.wf1 = best;
        epochs2 = train_run (&tagger, src1, n1, valid, opts->max_epochs,
                             (uint64_t) opts->seed * 1000 + 500, best2, log, -1, p1);
        tagger.wf1 = NULL;
        for (size_t k = 0; k < n1; k++) {
            free (p1 [k]);
            p1 [k] = NULL;
        }
    }
    const source_t *saved = src1;
    size_t nsaved = n1;
    if (valid && opts->final_with_valid) {
        if (log)
            fprintf (log, "retraining on train + valid%s for %d epochs\n",
                     opts->nextra ? " + extra" : "", epochs);
        saved = src2;
        nsaved = n2;
        clip_tagger__gaz_free (&tagger.gaz);
        gaz_build (&tagger.gaz, src2, n2, NULL);
        /*  Several runs over differently shuffled data, their weights
            averaged: the result depends much less on one shuffle.  */
        float *one = clip_malloc (size * sizeof (float));
        memset (best, 0, size * sizeof (float));
        for (int run = 0; run < FINAL_RUNS; run++) {
            if (log)
                fprintf (log, "run %d of %d\n", run + 1, FINAL_RUNS);
            train_run (&tagger, src2, n2, NULL, epochs,
                       (uint64_t) opts->seed * 1000 + (uint64_t) run + 1, one, log, -1, NULL);
            for (size_t i = 0; i < size; i++)
                best [i] += one [i] / FINAL_RUNS;
        }
        if (opts->second_pass) {
            if (log)
                fprintf (log, "second pass: first-pass labels of train + valid\n");
            jackknife (&tagger, src2, n2, epochs, (uint64_t) opts->seed * 1000 + 100, p1, log);
            memset (best2, 0, size * sizeof (float));
            for (int run = 0; run < FINAL_RUNS; run++) {
                if (log)
                    fprintf (log, "second pass run %d of %d, %d epochs\n", run + 1, FINAL_RUNS,
                             epochs2);
                train_run (&tagger, src2, n2, NULL, epochs2,
                           (uint64_t) opts->seed * 1000 + 600 + (uint64_t) run, one, log, -1, p1);
                for (size_t i = 0; i < size; i++)
                    best2 [i] += one [i] / FINAL_RUNS;
            }
            for (size_t k = 0; k < n2; k++) {
                free (p1 [k]);
                p1 [k] = NULL;
            }
        }
        free (one);
    }
    if (clip_mkdirs (opts->model_dir, 0755) < 0) {
        snprintf (err, err_size, "cannot create %s", opts->model_dir);
        goto done;
    }
    char *path = clip_path_join (opts->model_dir, "model.bin");
    rc = clip_tagger__model_save (best, LOG2ROWS, path, err, err_size);
    free (path);
    path = clip_path_join (opts->model_dir, "model2.bin");
    if (rc == 0 && best2)
        rc = clip_tagger__model_save (best2, LOG2ROWS, path, err, err_size);
    else
    if (rc == 0 && unlink (path) < 0 && errno != ENOENT) {
        snprintf (err, err_size, "cannot remove %s: %s", path, strerror (errno));
        rc = -1;
    }
    free (path);
    if (rc == 0) {
        gaz_t scratch;
        strlist_t names = { 0 };
        gaz_build (&scratch, saved, nsaved, &names);
        clip_tagger__gaz_free (&scratch);
        path = clip_path_join (opts->model_dir, "gazetteer.tsv");
        rc = gaz_save (&names, path, err, err_size);
        free (path);
        strlist_free (&names);
    }
    /*  The model is only meaningful with the clusters and names it was
        trained with: put copies beside it (an empty file for none).  */
    const char *inputs [2] = { opts->clusters, opts->names };
    const char *outputs [2] = { "clusters.tsv", "names.tsv" };
    for (int f = 0; f < 2 && rc == 0; f++) {
        char *dst = clip_path_join (opts->model_dir, outputs [f]);
        if (!inputs [f] || strcmp (inputs [f], dst) != 0) {
            char *data = NULL;
            size_t len = 0;
            int r = inputs [f] ? clip_file_read (inputs [f], (size_t) 1 << 30, &data, &len) : 0;
            if (r == 0)
                r = clip_file_write_durable (dst, data ? data : "", len);
            free (data);
            if (r < 0) {
                snprintf (err, err_size, "cannot copy %s to %s", inputs [f], dst);
                rc = -1;
            }
        }
        free (dst);
    }
done:
    free (best);
    free (best2);
    clip_conll_destroy (&train);
    clip_conll_destroy (&valid);
    for (size_t k = 0; k < opts->nextra; k++)
        clip_conll_destroy (&extra [k]);
    free (extra);
    free (xst);
    free (src1);
    free (src2);
    free (p1);
    clip_clusters_destroy (&tagger.clusters);
    clip_tagger__gaz_free (&tagger.gaz);
    clip_tagger__gaz_free (&tagger.ugaz);
    return rc;
}
