/*  clip ner: train, evaluate and try the named-entity model.

        clip ner train [--train FILE] [--valid FILE] [--clusters FILE]
                       [--names FILE|none] [--model-dir DIR] [--epochs N]
                       [--seed N] [--no-final] [--second-pass]
                       [--extra LABELS.tsv... --text-dir DIR [--extra-weight N]]
        clip ner conll LABELS.tsv --text-dir DIR [--out FILE]
        clip ner eval FILE [--model-dir DIR]
        clip ner eval --spans DIR|FILE.ents... [--text-dir DIR] [--data-dir DIR] [--errors]
        clip ner eval --hashed FILE.tsv... --text-dir DIR [--data-dir DIR] [--errors]
        clip ner tag FILE [--data-dir DIR]
        clip ner clusters [--out FILE] DIR...
        clip ner clusters --exchange N [--base FILE] [--passes N] [--out FILE] DIR...
        clip ner clusters --vectors FILE --kmeans N [--max-words N] [--base FILE] [--out FILE]
        clip ner names [--model-dir DIR] [--out FILE] DIR...

    Only the command line: extraction and span scoring are clip_ner.h,
    tagging and the CoNLL reader and scorer clip_tagger.h, training
    clip_tagger_train.h, word classes clip_clusters.h.  Exit 0 ok, 1
    failure, 2 bad usage.  workers/ner/README.md says how the shipped model
    was made with these commands.  */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "clip_clusters.h"
#include "clip_clusters_build.h"
#include "clip_cmd.h"
#include "clip_conll.h"
#include "clip_datadir.h"
#include "clip_ner.h"
#include "clip_ner_score.h"
#include "clip_opt.h"
#include "clip_tagger.h"
#include "clip_tagger_train.h"
#include "clip_util.h"

static void
usage (FILE *f)
{
    fprintf (f,
        "Usage: clip ner train [--train FILE] [--valid FILE] [--clusters FILE] [--names FILE|none]\n"
        "                      [--model-dir DIR] [--epochs N] [--seed N] [--no-final]\n"
        "                      [--second-pass]\n"
        "                      [--extra LABELS.tsv... --text-dir DIR [--extra-weight N]]\n"
        "       clip ner conll LABELS.tsv --text-dir DIR [--out FILE]\n"
        "       clip ner eval FILE [--model-dir DIR]\n"
        "       clip ner eval --spans DIR|FILE.ents... [--text-dir DIR] [--data-dir DIR] [--errors]\n"
        "       clip ner eval --hashed FILE.tsv... --text-dir DIR [--data-dir DIR] [--errors]\n"
        "       clip ner tag FILE [--data-dir DIR]\n"
        "       clip ner clusters [--out FILE] DIR...\n"
        "       clip ner clusters --exchange N [--base FILE] [--passes N] [--out FILE] DIR...\n"
        "       clip ner clusters --vectors FILE --kmeans N [--max-words N] [--base FILE] [--out FILE]\n"
        "       clip ner names [--model-dir DIR] [--out FILE] DIR...\n"
        "       clip ner [COMMAND] -h|--help\n"
        "Defaults: eval and tag use the data directory %s;\n"
        "train, clusters and names write the model of the source tree %s,\n"
        "train reads its data from ../shared/data/conll2003 beside it.\n",
        clip_datadir_default (), clip_datadir_source ());
}



static int
cmd_train (int argc, char **argv)
{
    /*  Training is the developer's: it writes the model of the source tree
        this program was built from, never an installed one.  */
    char *model_dir = clip_datadir_path (clip_datadir_source (), CLIP_DATA_MODEL);
    char *train = clip_path_join (clip_datadir_source (), "../shared/data/conll2003/train.txt");
    char *valid = clip_path_join (clip_datadir_source (), "../shared/data/conll2003/valid.txt");
    char *clusters = NULL, *names = NULL, *text_dir = NULL;
    /*  --extra files, in the order given (the order of their documents).  */
    char **extra = clip_calloc ((size_t) argc + 1, sizeof *extra);
    size_t nextra = 0;
    clip_train_opts_t opts = { .max_epochs = 20, .final_with_valid = 1, .extra_weight = 1 };
    int rc = 2;
    static const struct option longopts [] = {
        { "train", required_argument, NULL, 't' },
        { "valid", required_argument, NULL, 'v' },
        { "clusters", required_argument, NULL, 'c' },
        { "names", required_argument, NULL, 'n' },
        { "model-dir", required_argument, NULL, 'm' },
        { "epochs", required_argument, NULL, 'e' },
        { "seed", required_argument, NULL, 's' },
        { "no-final", no_argument, NULL, 'F' },
        { "second-pass", no_argument, NULL, 'S' },
        { "extra", required_argument, NULL, 'x' },
        { "text-dir", required_argument, NULL, 'T' },
        { "extra-weight", required_argument, NULL, 'w' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    clip_opt_begin ();
    int c;
    while ((c = clip_opt_next ("ner train", argc, argv, "h", longopts)) != -1) {
        switch (c) {
            case 't': free (train); train = clip_strdup (optarg); break;
            case 'v': free (valid); valid = clip_strdup (optarg); break;
            case 'c': free (clusters); clusters = clip_strdup (optarg); break;
            case 'n': free (names); names = clip_strdup (optarg); break;
            case 'm': free (model_dir); model_dir = clip_strdup (optarg); break;
            case 'F': opts.final_with_valid = 0; break;
            case 'S': opts.second_pass = 1; break;
            case 'x': extra [nextra++] = clip_strdup (optarg); break;
            case 'T': free (text_dir); text_dir = clip_strdup (optarg); break;
            case 'w': {
                uint64_t n;
                if (clip_opt_uint (optarg, 1, 1000, &n) != 0) {
                    fprintf (stderr, "clip: ner train: --extra-weight wants a number from 1 "
                             "to 1000, got '%s'\n", optarg);
                    goto done;
                }
                opts.extra_weight = (int) n;
                break;
            }
            case 'e':
            case 's': {
                /*  A typo must not silently train with 0 epochs or seed 0.  */
                uint64_t n;
                bool epochs = c == 'e';
                if (clip_opt_uint (optarg, epochs ? 1 : 0, epochs ? 10000 : UINT_MAX, &n) != 0) {
                    fprintf (stderr, "clip: ner train: %s wants a %s number, got '%s'\n",
                             epochs ? "--epochs" : "--seed",
                             epochs ? "positive" : "non-negative", optarg);
                    goto done;
                }
                if (epochs)
                    opts.max_epochs = (int) n;
                else
                    opts.seed = (unsigned) n;
                break;
            }
            case 'h':
                usage (stdout);
                rc = 0;
                goto done;
            default:
                goto done;
        }
    }
    if (optind < argc) {
        clip_opt_usage_error ("ner train", "unexpected argument '%s'", argv [optind]);
        goto done;
    }
    if (nextra > 0 && !text_dir) {
        clip_opt_usage_error ("ner train", "--extra needs --text-dir (where its articles are)");
        goto done;
    }
    if (!clusters)
        clusters = clip_path_join (model_dir, "clusters.tsv");
    if (access (clusters, R_OK) != 0) {
        fprintf (stderr, "clip: ner train: no clusters file %s (run clip ner clusters); "
                 "training without clusters\n", clusters);
        free (clusters);
        clusters = NULL;
    }
    if (!names)
        names = clip_path_join (model_dir, "names.tsv");
    if (strcmp (names, "none") == 0 || access (names, R_OK) != 0) {
        free (names);
        names = NULL;
    }
    if (opts.max_epochs < 1)
        opts.max_epochs = 1;
    opts.train = train;
    opts.valid = valid [0] ? valid : NULL;
    opts.clusters = clusters;
    opts.names = names;
    opts.model_dir = model_dir;
    opts.extra = (const char *const *) extra;
    opts.nextra = nextra;
    opts.text_dir = text_dir;
    char err [512];
    if (clip_tagger_train (&opts, stderr, err, sizeof err) < 0) {
        fprintf (stderr, "clip: ner train: %s\n", err);
        rc = 1;
    }
    else {
        fprintf (stderr, "model written to %s\n", model_dir);
        rc = 0;
    }
done:
    free (model_dir);
    free (train);
    free (valid);
    free (clusters);
    free (names);
    free (text_dir);
    for (size_t k = 0; k < nextra; k++)
        free (extra [k]);
    free (extra);
    return rc;
}

/*  clip ner conll: hand-labelled articles (hashed labels) as the CoNLL
    training documents `clip ner train --extra` makes of them, to read or
    to train with elsewhere.  */
static int
cmd_conll (int argc, char **argv)
{
    char *text_dir = NULL, *out_path = NULL;
    int rc = 2;
    static const struct option longopts [] = {
        { "text-dir", required_argument, NULL, 'T' },
        { "out", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    clip_opt_begin ();
    int c;
    while ((c = clip_opt_next ("ner conll", argc, argv, "h", longopts)) != -1) {
        switch (c) {
            case 'T': free (text_dir); text_dir = clip_strdup (optarg); break;
            case 'o': free (out_path); out_path = clip_strdup (optarg); break;
            case 'h':
                usage (stdout);
                rc = 0;
                goto done;
            default:
                goto done;
        }
    }
    if (optind + 1 != argc || !text_dir) {
        clip_opt_usage_error ("ner conll", "wants one LABELS.tsv and --text-dir DIR");
        goto done;
    }
    char err [512];
    clip_conll_hashed_stats_t st;
    clip_corpus_conll_t *corpus = clip_conll_hashed_read (argv [optind], text_dir, &st,
                                                          err, sizeof err);
    if (!corpus) {
        fprintf (stderr, "clip: ner conll: %s\n", err);
        rc = 1;
        goto done;
    }
    FILE *out = out_path ? fopen (out_path, "w") : stdout;
    rc = 1;
    if (!out)
        fprintf (stderr, "clip: ner conll: cannot write %s: %s\n", out_path, strerror (errno));
    else
    if (clip_conll_write (corpus, out) < 0)
        fprintf (stderr, "clip: ner conll: cannot write %s: %s\n",
                 out_path ? out_path : "standard output", strerror (errno));
    else
        rc = 0;
    if (out && out != stdout && fclose (out) != 0 && rc == 0) {
        fprintf (stderr, "clip: ner conll: cannot write %s: %s\n", out_path, strerror (errno));
        rc = 1;
    }
    fprintf (stderr, "%zu articles, %zu sentences, %zu tokens; %zu PER/ORG/LOC/MISC labels "
             "(%zu with a boundary inside a token, %zu sharing a token with the one "
             "before, %zu across sentences), %zu MONEY/DATE/PERCENT left O\n",
             st.articles, st.sentences, st.tokens, st.spans, st.unaligned, st.shared,
             st.crossing, st.other);
    clip_conll_destroy (&corpus);
done:
    free (text_dir);
    free (out_path);
    return rc;
}

static int
cmp_str (const void *a, const void *b)
{
    return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/*  Add PATH (a label file, or a directory whose *.ents files are taken in
    sorted order) to the list.  */
static void
add_label_paths (const char *path, char ***list, size_t *n, size_t *cap)
{
    DIR *d = opendir (path);
    if (!d) {
        if (*n == *cap)
            *list = clip_realloc (*list, (*cap = *cap * 2 + 8) * sizeof (char *));
        (*list) [(*n)++] = clip_strdup (path);
        return;
    }
    size_t first = *n;
    struct dirent *e;
    while ((e = readdir (d))) {
        size_t l = strlen (e->d_name);
        if (l <= 5 || strcmp (e->d_name + l - 5, ".ents") != 0)
            continue;
        if (*n == *cap)
            *list = clip_realloc (*list, (*cap = *cap * 2 + 8) * sizeof (char *));
        (*list) [(*n)++] = clip_path_join (path, e->d_name);
    }
    closedir (d);
    qsort (*list + first, *n - first, sizeof (char *), cmp_str);
}

/*  clip ner eval --hashed FILE... : the same against labels that quote
    nothing (clip_ner_hashed_read), the articles under text_dir.  */
static int
eval_hashed (clip_ner_t *ner, char **paths, size_t np, const char *text_dir,
             bool show_errors, clip_ner_score_spans_t *score)
{
    for (size_t k = 0; k < np; k++) {
        char err [1024];
        clip_ner_article_t *arts;
        size_t na;
        if (clip_ner_hashed_read (paths [k], text_dir, &arts, &na, err, sizeof err) < 0) {
            fprintf (stderr, "clip: ner eval: %s\n", err);
            return 1;
        }
        for (size_t a = 0; a < na; a++) {
            if (show_errors)
                printf ("# %s\n", arts [a].file);
            if (clip_ner_score_article_canonical (ner, arts [a].text, arts [a].len,
                                                  arts [a].labels, arts [a].canonical, arts [a].n,
                                                  score, show_errors ? stdout : NULL) < 0) {
                fprintf (stderr, "clip: ner eval: extraction failed on %s\n", arts [a].file);
                clip_ner_articles_free (&arts, na);
                return 1;
            }
        }
        clip_ner_articles_free (&arts, na);
    }
    return 0;
}

/*  clip ner eval --spans PATH... : clip_ner_extract on raw articles against
    hand-labelled spans.  The article of X.ents is X.txt in the text
    directory (default: corpus/huawei of the data directory).  With
    --hashed, the paths are hashed label files (clip_ner_hashed_read) and
    --text-dir is required.  */
static int
cmd_eval_spans (int argc, char **argv)
{
    const char *data_dir = clip_datadir_default ();
    char *text_dir = NULL;
    char **paths = NULL;
    size_t np = 0, cap = 0;
    int show_errors = 0, rc = 2;
    bool hashed = false;
    static const struct option longopts [] = {
        { "spans", no_argument, NULL, 'p' },
        { "hashed", no_argument, NULL, 'x' },
        { "errors", no_argument, NULL, 'e' },
        { "data-dir", required_argument, NULL, 'd' },
        { "text-dir", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    clip_opt_begin ();
    int c;
    while ((c = clip_opt_next ("ner eval", argc, argv, "h", longopts)) != -1) {
        switch (c) {
            case 'p': break;
            case 'x': hashed = true; break;
            case 'e': show_errors = 1; break;
            case 'd': data_dir = optarg; break;
            case 't': free (text_dir); text_dir = clip_strdup (optarg); break;
            case 'h':
                usage (stdout);
                rc = 0;
                goto done;
            default:
                goto done;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (argv [i][0] == '-') {
            clip_opt_usage_error ("ner eval", "unexpected argument '%s'", argv [i]);
            goto done;
        }
        if (np == cap)
            paths = clip_realloc (paths, (cap = cap * 2 + 8) * sizeof (char *));
        paths [np++] = clip_strdup (argv [i]);
    }
    if (np == 0 || (hashed && !text_dir)) {
        clip_opt_usage_error ("ner eval", "%s", np == 0 ? "needs the files to score"
                                                        : "--hashed needs --text-dir");
        goto done;
    }
    if (!hashed) {
        /*  A directory stands for its *.ents files.  */
        char **given = paths;
        size_t ng = np;
        paths = NULL;
        np = cap = 0;
        for (size_t k = 0; k < ng; k++) {
            add_label_paths (given [k], &paths, &np, &cap);
            free (given [k]);
        }
        free (given);
    }
    if (!text_dir)
        text_dir = clip_datadir_path (data_dir, CLIP_DATA_HUAWEI);
    char err [1024];
    clip_ner_t *ner = clip_ner_load (data_dir, err, sizeof err);
    if (!ner) {
        fprintf (stderr, "clip: ner eval: %s\n", err);
        rc = 1;
        goto done;
    }
    clip_ner_score_spans_t score;
    memset (&score, 0, sizeof score);
    rc = hashed ? eval_hashed (ner, paths, np, text_dir, show_errors, &score) : 0;
    for (size_t k = 0; k < np && rc == 0 && !hashed; k++) {
        const char *base = strrchr (paths [k], '/');
        base = base ? base + 1 : paths [k];
        size_t bl = strlen (base);
        if (bl > 5 && strcmp (base + bl - 5, ".ents") == 0)
            bl -= 5;
        char *name = clip_strprintf ("%.*s.txt", (int) bl, base);
        char *txt = clip_path_join (text_dir, name);
        char *text;
        size_t len;
        clip_ner_label_t *gold = NULL;
        size_t ngold = 0;
        int r = clip_file_read (txt, (size_t) 64 << 20, &text, &len);
        if (r < 0) {
            fprintf (stderr, "clip: ner eval: cannot read %s: %s\n", txt, strerror (-r));
            rc = 1;
        }
        else {
            if (clip_ner_labels_read (paths [k], text, len, &gold, &ngold, err, sizeof err) < 0) {
                fprintf (stderr, "clip: ner eval: %s\n", err);
                rc = 1;
            }
            else {
                if (show_errors)
                    printf ("# %s\n", name);
                if (clip_ner_score_article (ner, text, len, gold, ngold, &score,
                                            show_errors ? stdout : NULL) < 0) {
                    fprintf (stderr, "clip: ner eval: extraction failed on %s\n", txt);
                    rc = 1;
                }
            }
            free (gold);
            free (text);
        }
        free (txt);
        free (name);
    }
    if (rc == 0)
        clip_ner_score_spans_print (&score, stdout);
    clip_ner_destroy (&ner);
done:
    for (size_t k = 0; k < np; k++)
        free (paths [k]);
    free (paths);
    free (text_dir);
    return rc;
}

/*  The one positional argument (not an option) left after getopt_long,
    or NULL after saying why when there is not exactly one.  */
static const char *
one_file (const char *cmd, int argc, char **argv)
{
    if (optind >= argc)
        clip_opt_usage_error (cmd, "needs a FILE");
    else
    if (optind < argc - 1)
        clip_opt_usage_error (cmd, "one FILE only ('%s' is extra)", argv [optind + 1]);
    else
    if (argv [optind][0] == '-')
        clip_opt_usage_error (cmd, "unexpected argument '%s'", argv [optind]);
    else
        return argv [optind];
    return NULL;
}

static int
cmd_eval (int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp (argv [i], "--spans") == 0 || strcmp (argv [i], "--hashed") == 0)
            return cmd_eval_spans (argc, argv);
    const char *file = NULL;
    char *model_dir = clip_datadir_path (clip_datadir_default (), CLIP_DATA_MODEL);
    int rc = 2;
    static const struct option longopts [] = {
        { "model-dir", required_argument, NULL, 'm' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    clip_opt_begin ();
    int c;
    while ((c = clip_opt_next ("ner eval", argc, argv, "h", longopts)) != -1) {
        switch (c) {
            case 'm': free (model_dir); model_dir = clip_strdup (optarg); break;
            case 'h':
                usage (stdout);
                rc = 0;
                goto done;
            default:
                goto done;
        }
    }
    if (!(file = one_file ("ner eval", argc, argv)))
        goto done;
    char err [512];
    clip_tagger_t *tagger = clip_tagger_load (model_dir, err, sizeof err);
    if (!tagger) {
        fprintf (stderr, "clip: ner eval: %s\n", err);
        rc = 1;
        goto done;
    }
    clip_corpus_conll_t *corpus = clip_conll_read (file, err, sizeof err);
    if (!corpus) {
        fprintf (stderr, "clip: ner eval: %s\n", err);
        clip_tagger_destroy (&tagger);
        rc = 1;
        goto done;
    }
    clip_ner_score_t score = { 0 };
    clip_tagger_eval (tagger, corpus, &score);
    clip_ner_score_print (&score, stdout);
    clip_conll_destroy (&corpus);
    clip_tagger_destroy (&tagger);
    rc = 0;
done:
    free (model_dir);
    return rc;
}

static int
cmd_tag (int argc, char **argv)
{
    const char *file = NULL, *data_dir = clip_datadir_default ();
    static const struct option longopts [] = {
        { "data-dir", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    clip_opt_begin ();
    int c;
    while ((c = clip_opt_next ("ner tag", argc, argv, "h", longopts)) != -1) {
        switch (c) {
            case 'd': data_dir = optarg; break;
            case 'h': usage (stdout); return 0;
            default: return 2;
        }
    }
    if (!(file = one_file ("ner tag", argc, argv)))
        return 2;
    char err [512];
    char *data;
    size_t len;
    int r = clip_file_read (file, (size_t) 64 << 20, &data, &len);
    if (r < 0) {
        fprintf (stderr, "clip: ner tag: cannot read %s: %s\n", file, strerror (-r));
        return 1;
    }
    clip_ner_t *ner = clip_ner_load (data_dir, err, sizeof err);
    if (!ner) {
        fprintf (stderr, "clip: ner tag: %s\n", err);
        free (data);
        return 1;
    }
    clip_ner_entity_t *ents;
    size_t n;
    int rc = 0;
    if (clip_ner_extract (ner, data, len, &ents, &n) < 0) {
        fprintf (stderr, "clip: ner tag: extraction failed\n");
        rc = 1;
    }
    else {
        for (size_t i = 0; i < n; i++)
            printf ("%zu\t%zu\t%s\t%s\t%s\n", ents [i].start, ents [i].end, ents [i].type,
                    ents [i].text, ents [i].canonical);
        clip_ner_entities_free (ents, n);
    }
    clip_ner_destroy (&ner);
    free (data);
    return rc;
}

static int
cmd_clusters (int argc, char **argv)
{
    char *model_dir = clip_datadir_path (clip_datadir_source (), CLIP_DATA_MODEL);
    char *out = clip_path_join (model_dir, "clusters.tsv");
    free (model_dir);
    char *base = NULL, *vectors = NULL;
    uint64_t nclass = 0, passes = 15, kmeans = 0, max_words = 10000000;
    static const struct option longopts [] = {
        { "out", required_argument, NULL, 'o' },
        { "exchange", required_argument, NULL, 'x' },
        { "vectors", required_argument, NULL, 'v' },
        { "kmeans", required_argument, NULL, 'k' },
        { "max-words", required_argument, NULL, 'm' },
        { "base", required_argument, NULL, 'b' },
        { "passes", required_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    clip_opt_begin ();
    int c, rc = 0;
    while ((c = clip_opt_next ("ner clusters", argc, argv, "h", longopts)) != -1) {
        switch (c) {
            case 'o': free (out); out = clip_strdup (optarg); break;
            case 'b': free (base); base = clip_strdup (optarg); break;
            case 'v': free (vectors); vectors = clip_strdup (optarg); break;
            case 'k':
                if (clip_opt_uint (optarg, 2, CLIP_CLUSTER_XCLASS_MAX, &kmeans) != 0)
                    rc = clip_opt_usage_error ("ner clusters", "--kmeans wants a number from 2 "
                                               "to %u, got '%s'", CLIP_CLUSTER_XCLASS_MAX, optarg);
                break;
            case 'm':
                if (clip_opt_uint (optarg, 2, 10000000, &max_words) != 0)
                    rc = clip_opt_usage_error ("ner clusters", "--max-words wants a number from "
                                               "2 to 10000000, got '%s'", optarg);
                break;
            case 'x':
            case 'p': {
                bool x = c == 'x';
                uint64_t n;
                if (clip_opt_uint (optarg, x ? 2 : 1, x ? CLIP_CLUSTER_XCLASS_MAX : 1000, &n) != 0)
                    rc = clip_opt_usage_error ("ner clusters", "%s wants a number from %d to %u, got '%s'",
                                               x ? "--exchange" : "--passes", x ? 2 : 1,
                                               x ? CLIP_CLUSTER_XCLASS_MAX : 1000, optarg);
                else
                if (x)
                    nclass = n;
                else
                    passes = n;
                break;
            }
            case 'h':
            default:
                if (c == 'h')
                    usage (stdout);
                rc = c == 'h' ? 0 : 2;
                goto done;
        }
        if (rc)
            goto done;
    }
    char **dirs = argv + optind;
    size_t nd = (size_t) (argc - optind);
    char err [512];
    if (vectors || kmeans) {
        /*  Classes of word vectors: no text to read.  */
        if (!vectors || !kmeans)
            rc = clip_opt_usage_error ("ner clusters", "--vectors and --kmeans go together");
        else
        if (nd > 0 || nclass)
            rc = clip_opt_usage_error ("ner clusters", "--vectors reads no DIR and goes "
                                       "without --exchange");
        else
        if (clip_clusters_vectors (vectors, base ? base : out, (unsigned) kmeans,
                                   (size_t) max_words, out, stderr, err, sizeof err) < 0) {
            fprintf (stderr, "clip: ner clusters: %s\n", err);
            rc = 1;
        }
    }
    else
    if (nd == 0)
        rc = clip_opt_usage_error ("ner clusters", "needs at least one DIR");
    else
    if (!nclass && base)
        rc = clip_opt_usage_error ("ner clusters", "--base goes with --exchange or --vectors");
    else
    if (nclass ? clip_clusters_exchange (dirs, nd, base ? base : out, (unsigned) nclass,
                                         (unsigned) passes, out, stderr, err, sizeof err) < 0
               : clip_clusters_build (dirs, nd, out, stderr, err, sizeof err) < 0) {
        fprintf (stderr, "clip: ner clusters: %s\n", err);
        rc = 1;
    }
done:
    free (vectors);
    free (base);
    free (out);
    return rc;
}

/*  A name found in unlabeled text and how often each type was given.  */
typedef struct {
    char *key;                  /* lower-case words joined by spaces */
    uint32_t votes [CLIP_ENT_NTYPES];
} found_t;

/*  The names seen so far: an open-addressing table of indexes (+1, 0 for
    empty) into found.  */
typedef struct {
    found_t *found;
    size_t nfound, cap, mask;
    uint32_t *slots;
} names_t;

static int
cmp_found (const void *a, const void *b)
{
    return strcmp (((const found_t *) a)->key, ((const found_t *) b)->key);
}

#define NAMES_MIN_COUNT 3       /* seen at least this often */
#define NAMES_MIN_SHARE 0.8     /* with one type at least this often */

/*  clip_ner_name_fn: count one vote for key as type.  */
static void
names_vote (const char *key, int type, void *arg)
{
    names_t *t = arg;
    if (strpbrk (key, "\t\n"))
        return;
    if (2 * (t->nfound + 1) > t->mask + 1) {
        size_t nmask = 2 * (t->mask + 1) - 1;
        uint32_t *ns = clip_calloc (nmask + 1, sizeof (uint32_t));
        for (size_t k = 0; k < t->nfound; k++) {
            size_t h = (size_t) XXH3_64bits (t->found [k].key, strlen (t->found [k].key)) & nmask;
            while (ns [h])
                h = (h + 1) & nmask;
            ns [h] = (uint32_t) k + 1;
        }
        free (t->slots);
        t->slots = ns;
        t->mask = nmask;
    }
    size_t h = (size_t) XXH3_64bits (key, strlen (key)) & t->mask;
    while (t->slots [h] && strcmp (t->found [t->slots [h] - 1].key, key) != 0)
        h = (h + 1) & t->mask;
    if (!t->slots [h]) {
        if (t->nfound == t->cap) {
            t->cap = t->cap ? 2 * t->cap : 4096;
            t->found = clip_realloc (t->found, t->cap * sizeof (found_t));
        }
        t->found [t->nfound] = (found_t) { .key = clip_strdup (key) };
        t->slots [h] = (uint32_t) ++t->nfound;
    }
    t->found [t->slots [h] - 1].votes [type]++;
}

static int
cmd_names (int argc, char **argv)
{
    /*  Writes names.tsv into the model: the source tree's, as train.  */
    char *model_dir = clip_datadir_path (clip_datadir_source (), CLIP_DATA_MODEL);
    char *out = NULL;
    static const struct option longopts [] = {
        { "out", required_argument, NULL, 'o' },
        { "model-dir", required_argument, NULL, 'm' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    clip_opt_begin ();
    int c;
    while ((c = clip_opt_next ("ner names", argc, argv, "h", longopts)) != -1) {
        switch (c) {
            case 'o': free (out); out = clip_strdup (optarg); break;
            case 'm': free (model_dir); model_dir = clip_strdup (optarg); break;
            case 'h':
            default:
                if (c == 'h')
                    usage (stdout);
                free (out);
                free (model_dir);
                return c == 'h' ? 0 : 2;
        }
    }
    char **dirs = argv + optind;
    size_t nd = (size_t) (argc - optind);
    if (!out)
        out = clip_path_join (model_dir, "names.tsv");
    int rc = 1;
    char err [512];
    clip_ner_t *ner = NULL;
    size_t nfiles = 0;
    char **files = NULL;
    names_t t = { .mask = 65535 };
    if (nd == 0) {
        rc = clip_opt_usage_error ("ner names", "needs at least one DIR");
        goto done;
    }
    ner = clip_ner_load_tagger (model_dir, err, sizeof err);
    if (!ner) {
        fprintf (stderr, "clip: ner names: %s\n", err);
        goto done;
    }
    files = clip_clusters_files (dirs, nd, &nfiles);
    t.slots = clip_calloc (t.mask + 1, sizeof (uint32_t));
    size_t tokens = 0;
    for (size_t f = 0; f < nfiles; f++) {
        char *data;
        size_t len;
        if (clip_file_read (files [f], (size_t) 64 << 20, &data, &len) < 0)
            continue;
        tokens += clip_ner_names_each (ner, data, len, names_vote, &t);
        free (data);
    }
    qsort (t.found, t.nfound, sizeof (found_t), cmp_found);
    size_t tcap = 1, used = 0, kept = 0;
    for (size_t k = 0; k < t.nfound; k++)
        tcap += strlen (t.found [k].key) + 8;
    char *text = clip_malloc (tcap);
    for (size_t k = 0; k < t.nfound; k++) {
        uint32_t total = 0, best = 0;
        int bt = 0;
        for (int ty = 0; ty < CLIP_ENT_NTYPES; ty++) {
            total += t.found [k].votes [ty];
            if (t.found [k].votes [ty] > best) {
                best = t.found [k].votes [ty];
                bt = ty;
            }
        }
        if (total < NAMES_MIN_COUNT || best < NAMES_MIN_SHARE * total)
            continue;
        used += (size_t) sprintf (text + used, "%s\t%s\n", clip_ent_type_name (bt), t.found [k].key);
        kept++;
    }
    int r = clip_file_write_durable (out, text, used);
    free (text);
    if (r < 0) {
        fprintf (stderr, "clip: ner names: cannot write %s: %s\n", out, strerror (-r));
        goto done;
    }
    fprintf (stderr, "names: %zu files, %zu tokens, %zu distinct names, %zu kept in %s\n",
             nfiles, tokens, t.nfound, kept, out);
    rc = 0;
done:
    for (size_t k = 0; k < t.nfound; k++)
        free (t.found [k].key);
    free (t.found);
    free (t.slots);
    for (size_t f = 0; f < nfiles; f++)
        free (files [f]);
    free (files);
    clip_ner_destroy (&ner);
    free (out);
    free (model_dir);
    return rc;
}

int
clip_ner_main (int argc, char **argv)
{
    if (argc < 2) {
        usage (stderr);
        return 2;
    }
    if (strcmp (argv [1], "--help") == 0 || strcmp (argv [1], "-h") == 0
    ||  strcmp (argv [1], "help") == 0) {
        usage (stdout);
        return 0;
    }
    /*  Each command parses its own arguments, argv [0] being its name.  */
    if (strcmp (argv [1], "train") == 0)
        return cmd_train (argc - 1, argv + 1);
    if (strcmp (argv [1], "eval") == 0)
        return cmd_eval (argc - 1, argv + 1);
    if (strcmp (argv [1], "tag") == 0)
        return cmd_tag (argc - 1, argv + 1);
    if (strcmp (argv [1], "clusters") == 0)
        return cmd_clusters (argc - 1, argv + 1);
    if (strcmp (argv [1], "names") == 0)
        return cmd_names (argc - 1, argv + 1);
    if (strcmp (argv [1], "conll") == 0)
        return cmd_conll (argc - 1, argv + 1);
    return clip_opt_usage_error ("ner", "unknown %s '%s' (commands: train, conll, eval, tag, "
                                 "clusters, names)", argv [1][0] == '-' ? "option" : "command",
                                 argv [1]);
}
