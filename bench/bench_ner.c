/*  bench_ner: entity throughput on one core.

    Prints tokens per second for
      - tagging alone (clip_tagger over pre-split words, document history
        and context aggregation included), and
      - the whole entity step (clip_ner_extract: tokenizer, tagger, document
        consistency, MONEY / DATE / PERCENT grammar, linking),
    on the CoNLL-2003 test set (its words joined by spaces, one document per
    extraction) and on the Huawei corpus articles.  Each measure repeats its
    input for at least --seconds (default 2) of wall time.

    usage: bench_ner [--seconds S] [--data-dir DIR] [--conll FILE]
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>

#include "clip_ner.h"
#include "clip_conll.h"
#include "clip_tagger.h"
#include "clip_token.h"
#include "clip_util.h"

static double
now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/*  A document as the tagger sees it: words and sentence starts.  */
typedef struct {
    clip_word_t *words;
    size_t n;
    size_t *sent;               /* nsent + 1 entries */
    size_t nsent;
    char *text;                 /* raw text for clip_ner_extract */
    size_t len;
    char *norm;                 /* word storage for tokenized raw text */
} doc_t;

static double
bench_tag (const clip_tagger_t *tagger, const doc_t *docs, size_t ndocs, double seconds,
           size_t *tokens_out)
{
    clip_tagdoc_t *td = clip_tagdoc_new ();
    size_t maxn = 1;
    for (size_t d = 0; d < ndocs; d++)
        if (docs [d].n > maxn)
            maxn = docs [d].n;
    uint8_t *labels = clip_malloc (maxn);
    size_t tokens = 0;
    double start = now (), elapsed;
    do {
        for (size_t d = 0; d < ndocs; d++) {
            const doc_t *doc = &docs [d];
            clip_tagger_tag_doc (tagger, td, doc->words, doc->sent, doc->nsent, labels);
            clip_tagger_doc_consistency (doc->words, labels, doc->n);
            tokens += doc->n;
        }
        elapsed = now () - start;
    } while (elapsed < seconds);
    free (labels);
    clip_tagdoc_destroy (&td);
    *tokens_out = tokens;
    return (double) tokens / elapsed;
}

static double
bench_extract (clip_ner_t *ner, const doc_t *docs, size_t ndocs, double seconds,
               size_t *entities_out)
{
    size_t tokens = 0, entities = 0;
    double start = now (), elapsed;
    int first = 1;
    do {
        for (size_t d = 0; d < ndocs; d++) {
            clip_ner_entity_t *e;
            size_t n;
            if (clip_ner_extract (ner, docs [d].text, docs [d].len, &e, &n) < 0) {
                fprintf (stderr, "extraction failed\n");
                exit (1);
            }
            if (first)
                entities += n;
            clip_ner_entities_free (e, n);
            tokens += docs [d].n;
        }
        first = 0;
        elapsed = now () - start;
    } while (elapsed < seconds);
    *entities_out = entities;
    return (double) tokens / elapsed;
}

/*  Documents of a CoNLL file, with their raw text made by joining words
    with spaces and sentences with newlines.  */
static doc_t *
conll_docs (const clip_corpus_conll_t *c, size_t *ndocs)
{
    doc_t *docs = clip_calloc (c->ndoc + 1, sizeof (doc_t));
    for (size_t d = 0; d < c->ndoc; d++) {
        doc_t *doc = &docs [d];
        size_t s0 = c->doc [d], s1 = c->doc [d + 1];
        size_t w0 = c->sent [s0], w1 = c->sent [s1];
        doc->words = c->words + w0;
        doc->n = w1 - w0;
        doc->nsent = s1 - s0;
        doc->sent = clip_malloc ((doc->nsent + 1) * sizeof (size_t));
        for (size_t s = s0; s <= s1; s++)
            doc->sent [s - s0] = c->sent [s] - w0;
        size_t len = 0;
        for (size_t w = w0; w < w1; w++)
            len += c->words [w].len + 1;
        doc->text = clip_malloc (len + 1);
        size_t o = 0;
        size_t s = s0;
        for (size_t w = w0; w < w1; w++) {
            memcpy (doc->text + o, c->words [w].text, c->words [w].len);
            o += c->words [w].len;
            while (s + 1 <= s1 && c->sent [s + 1] == w + 1)
                s++;
            doc->text [o++] = (w + 1 < w1 && c->sent [s] == w + 1) ? '\n' : ' ';
        }
        doc->text [o] = 0;
        doc->len = o;
    }
    *ndocs = c->ndoc;
    return docs;
}

/*  Documents of the raw articles in dir, tokenized once for the tagging
    measure.  */
static doc_t *
article_docs (const char *dir, size_t *ndocs)
{
    DIR *d = opendir (dir);
    if (!d)
        return NULL;
    doc_t *docs = clip_calloc (256, sizeof (doc_t));
    size_t n = 0;
    struct dirent *e;
    clip_tokens_t toks = { 0 };
    while ((e = readdir (d)) && n < 256) {
        size_t nl = strlen (e->d_name);
        if (nl < 4 || strcmp (e->d_name + nl - 4, ".txt") != 0)
            continue;
        char *path = clip_path_join (dir, e->d_name);
        doc_t *doc = &docs [n];
        if (clip_file_read (path, (size_t) 16 << 20, &doc->text, &doc->len) < 0) {
            free (path);
            continue;
        }
        free (path);
        clip_tokenize (doc->text, doc->len, &toks);
        doc->n = toks.n;
        doc->words = clip_malloc ((toks.n + 1) * sizeof (clip_word_t));
        doc->norm = clip_malloc ((toks.n + 1) * 64);
        doc->sent = clip_malloc ((toks.n + 2) * sizeof (size_t));
        for (size_t i = 0; i < toks.n; i++) {
            const clip_token_t *t = &toks.tokens [i];
            char *buf = doc->norm + i * 64;
            size_t wl = clip_token_normalise (doc->text + t->start, t->end - t->start, buf, 64);
            doc->words [i] = (clip_word_t) { buf, (uint32_t) wl };
            if (t->flags & CLIP_TOKEN_SENT_START)
                doc->sent [doc->nsent++] = i;
        }
        doc->sent [doc->nsent] = toks.n;
        n++;
    }
    closedir (d);
    clip_tokens_release (&toks);
    *ndocs = n;
    return docs;
}

static void
docs_free (doc_t *docs, size_t n, int own_words)
{
    for (size_t i = 0; i < n; i++) {
        free (docs [i].sent);
        free (docs [i].text);
        free (docs [i].norm);
        if (own_words)
            free (docs [i].words);
    }
    free (docs);
}

int
main (int argc, char **argv)
{
    double seconds = 2;
    const char *data_dir = CLIP_DATADIR;
    char *conll = clip_strdup (CLIP_SHARED_DATA "/conll2003/test.txt");
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv [i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof (argv [++i]);
        else
        if (strcmp (argv [i], "--data-dir") == 0 && i + 1 < argc)
            data_dir = argv [++i];
        else
        if (strcmp (argv [i], "--conll") == 0 && i + 1 < argc) {
            free (conll);
            conll = clip_strdup (argv [++i]);
        }
        else {
            fprintf (stderr, "usage: bench_ner [--seconds S] [--data-dir DIR] [--conll FILE]\n");
            return 2;
        }
    }
    char err [512];
    double t0 = now ();
    clip_ner_t *ner = clip_ner_load (data_dir, err, sizeof err);
    if (!ner) {
        fprintf (stderr, "bench_ner: %s\n", err);
        return 1;
    }
    double load_ner = now () - t0;
    char *model_dir = clip_path_join (data_dir, "workers/ner/model");
    t0 = now ();
    clip_tagger_t *tagger = clip_tagger_load (model_dir, err, sizeof err);
    double load_tagger = now () - t0;
    if (!tagger) {
        fprintf (stderr, "bench_ner: %s\n", err);
        return 1;
    }
    printf ("load: tagger %.3f s, whole entity step %.3f s\n", load_tagger, load_ner);

    clip_corpus_conll_t *c = clip_conll_read (conll, err, sizeof err);
    if (c) {
        size_t nd, tokens, ents;
        doc_t *docs = conll_docs (c, &nd);
        double tag = bench_tag (tagger, docs, nd, seconds, &tokens);
        printf ("conll test (%zu words, %zu docs): tagging %.0f tokens/s\n", c->nwords, nd, tag);
        double ext = bench_extract (ner, docs, nd, seconds, &ents);
        printf ("conll test: clip_ner_extract %.0f tokens/s (%zu entities)\n", ext, ents);
        docs_free (docs, nd, 0);
        clip_conll_destroy (&c);
    }
    else
        printf ("conll test: skipped (%s)\n", err);

    char *corpus = clip_path_join (data_dir, "corpus/huawei");
    size_t na = 0;
    doc_t *arts = article_docs (corpus, &na);
    if (arts && na) {
        size_t words = 0, tokens, ents;
        for (size_t i = 0; i < na; i++)
            words += arts [i].n;
        double tag = bench_tag (tagger, arts, na, seconds, &tokens);
        printf ("huawei articles (%zu tokens, %zu files): tagging %.0f tokens/s\n", words, na, tag);
        double ext = bench_extract (ner, arts, na, seconds, &ents);
        printf ("huawei articles: clip_ner_extract %.0f tokens/s (%zu entities)\n", ext, ents);
    }
    else
        printf ("huawei articles: none in %s\n", corpus);
    if (arts)
        docs_free (arts, na, 1);
    free (corpus);
    free (model_dir);
    free (conll);
    clip_tagger_destroy (&tagger);
    clip_ner_destroy (&ner);
    return 0;
}
