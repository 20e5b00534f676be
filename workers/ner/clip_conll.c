/*  clip_conll: CoNLL-2003 files and conlleval scores.  See clip_conll.h.  */
#include "clip_conll.h"
#include "clip_ner.h"
#include "clip_ner_score.h"
#include "clip_tagger_int.h"
#include "clip_util.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*  ------------------------------------------------------------------------
    CoNLL files and scores  */

/*  Labels [first, n) of one sentence from IOB (type per word, -1 for O,
    and a begin flag) to BILOU, with conlleval's chunk rules: a chunk
    starts at B, at the sentence's start or where the type changes.  */
static void
iob_close (const int *types, const uint8_t *begins, size_t first, size_t n, uint8_t *gold)
{
    for (size_t i = first; i < n; i++) {
        int t = types [i];
        if (t < 0) {
            gold [i] = 0;
            continue;
        }
        int starts = begins [i] || i == first || types [i - 1] != t;
        int ends = i + 1 == n || types [i + 1] != t || begins [i + 1];
        int pos = starts ? (ends ? CLIP_POS_U : CLIP_POS_B) : (ends ? CLIP_POS_L : CLIP_POS_I);
        gold [i] = (uint8_t) clip_label_make (t, pos);
    }
}

clip_corpus_conll_t *
clip_conll_read (const char *path, char *err, size_t err_size)
{
    char *data;
    size_t len;
    int rc = clip_file_read (path, (size_t) 1 << 30, &data, &len);
    if (rc < 0) {
        snprintf (err, err_size, "cannot read %s: %s", path, strerror (-rc));
        return NULL;
    }
    clip_corpus_conll_t *c = clip_calloc (1, sizeof *c);
    c->buf = data;
    size_t wcap = 1024, scap = 256, dcap = 64;
    c->words = clip_malloc (wcap * sizeof *c->words);
    c->gold = clip_malloc (wcap);
    c->sent = clip_malloc (scap * sizeof (size_t));
    c->doc = clip_malloc (dcap * sizeof (size_t));
    /*  IOB tags of the open sentence: type per word (-1 for O) and begin flag. */
    int *types = clip_malloc (wcap * sizeof (int));
    uint8_t *begins = clip_malloc (wcap);
    size_t sent_first = 0;
    int new_doc = 1;
    char *line = data, *end = data + len;
    while (line <= end) {
        char *nl = memchr (line, '\n', (size_t) (end - line));
        char *lend = nl ? nl : end;
        if (lend > line && lend [-1] == '\r')
            lend--;
        int blank = lend == line;
        if (!blank && lend - line >= 10 && memcmp (line, "-DOCSTART-", 10) == 0) {
            new_doc = 1;
            blank = 1;
        }
        if (!blank) {
            char *sp = memchr (line, ' ', (size_t) (lend - line));
            if (!sp)
                sp = memchr (line, '\t', (size_t) (lend - line));
            char *tag = lend;
            while (tag > line && tag [-1] != ' ' && tag [-1] != '\t')
                tag--;
            if (c->nwords == wcap) {
                wcap *= 2;
                c->words = clip_realloc (c->words, wcap * sizeof *c->words);
                c->gold = clip_realloc (c->gold, wcap);
                types = clip_realloc (types, wcap * sizeof (int));
                begins = clip_realloc (begins, wcap);
            }
            if (c->nwords == sent_first) {
                /*  A sentence starts.  */
                if (new_doc) {
                    if (c->ndoc + 2 > dcap) {
                        dcap *= 2;
                        c->doc = clip_realloc (c->doc, dcap * sizeof (size_t));
                    }
                    c->doc [c->ndoc++] = c->nsent;
                    new_doc = 0;
                }
                if (c->nsent + 2 > scap) {
                    scap *= 2;
                    c->sent = clip_realloc (c->sent, scap * sizeof (size_t));
                }
                c->sent [c->nsent++] = c->nwords;
            }
            size_t wn = (size_t) ((sp ? sp : lend) - line);
            c->words [c->nwords] = (clip_word_t) { line, (uint32_t) wn };
            size_t tn = (size_t) (lend - tag);
            int t = -1, b = 0;
            if (tn > 2 && (tag [0] == 'B' || tag [0] == 'I') && tag [1] == '-') {
                t = clip_ent_type_parse (tag + 2, tn - 2);
                b = tag [0] == 'B';
            }
            types [c->nwords] = t;
            begins [c->nwords] = (uint8_t) b;
            c->nwords++;
        }
        else
        if (c->nwords > sent_first) {
            /*  Close the sentence.  */
            iob_close (types, begins, sent_first, c->nwords, c->gold);
            sent_first = c->nwords;
        }
        if (!nl) {
            if (c->nwords > sent_first) {
                /*  The file ends inside a sentence: close it as above.  */
                line = end + 1;
                iob_close (types, begins, sent_first, c->nwords, c->gold);
                sent_first = c->nwords;
            }
            break;
        }
        line = nl + 1;
    }
    c->sent [c->nsent] = c->nwords;
    c->doc [c->ndoc] = c->nsent;
    free (types);
    free (begins);
    return c;
}

void
clip_conll_destroy (clip_corpus_conll_t **self_p)
{
    assert (self_p);
    clip_corpus_conll_t *c = *self_p;
    if (!c)
        return;
    free (c->buf);
    free (c->words);
    free (c->gold);
    free (c->sent);
    free (c->doc);
    free (c);
    *self_p = NULL;
}

/*  ------------------------------------------------------------------------
    Hand-labelled articles as training documents  */

clip_corpus_conll_t *
clip_conll_hashed_read (const char *path, const char *text_dir,
                        clip_conll_hashed_stats_t *stats, char *err, size_t err_size)
{
    clip_ner_article_t *arts = NULL;
    size_t nart = 0;
    if (clip_ner_hashed_read (path, text_dir, &arts, &nart, err, err_size) < 0)
        return NULL;
    clip_conll_hashed_stats_t st = { .articles = nart };
    clip_tokens_t toks = { 0 };
    /*  Sizes first, so that the words can point into one buffer that never
        moves: tokens, sentences and bytes (at most CLIP_NER_WORD_MAX per
        token, NUL included).  */
    size_t nwords = 0, nsent = 0, bytes = 1;
    for (size_t a = 0; a < nart; a++) {
        clip_tokenize (arts [a].text, arts [a].len, &toks);
        nwords += toks.n;
        nsent += toks.n + 1;
        for (size_t i = 0; i < toks.n; i++)
            bytes += (size_t) (toks.tokens [i].end - toks.tokens [i].start) + 8;
    }
    clip_corpus_conll_t *c = clip_calloc (1, sizeof *c);
    /*  A token's word is at most its bytes plus what "US" -> "U.S." adds
        and the NUL, and never more than CLIP_NER_WORD_MAX.  */
    c->buf = clip_malloc (bytes + CLIP_NER_WORD_MAX);
    c->words = clip_malloc ((nwords + 1) * sizeof *c->words);
    c->gold = clip_calloc (nwords + 1, 1);
    c->sent = clip_malloc ((nsent + 1) * sizeof (size_t));
    c->doc = clip_malloc ((nart + 1) * sizeof (size_t));
    int *types = clip_malloc ((nwords + 1) * sizeof (int));
    uint8_t *begins = clip_calloc (nwords + 1, 1);
    size_t *sents = clip_malloc ((nwords + 2) * sizeof (size_t));
    size_t used = 0;
    for (size_t a = 0; a < nart; a++) {
        const clip_ner_article_t *art = &arts [a];
        clip_tokenize (art->text, art->len, &toks);
        size_t w0 = c->nwords, nt = toks.n;
        if (nt == 0)
            continue;               /* an empty article is no document */
        c->doc [c->ndoc++] = c->nsent;
        for (size_t i = 0; i < nt; i++) {
            char *buf = c->buf + used;
            size_t wl = clip_ner_tagger_word (art->text, &toks, i, buf);
            c->words [w0 + i] = (clip_word_t) { buf, (uint32_t) wl };
            used += wl + 1;
            assert (used <= bytes + CLIP_NER_WORD_MAX);
            types [w0 + i] = -1;
            begins [w0 + i] = 0;
        }
        /*  The labels onto the tokens: a token belongs to a label when
            their bytes overlap.  Both are in text order, so one pass.  */
        size_t t = 0, last_tok = SIZE_MAX;
        for (size_t l = 0; l < art->n; l++) {
            const clip_ner_label_t *lab = &art->labels [l];
            int type = clip_ent_type_parse (lab->type, strlen (lab->type));
            if (type < 0) {
                st.other++;
                continue;
            }
            st.spans++;
            while (t < nt && toks.tokens [t].end <= lab->start)
                t++;
            size_t first = t, k = t;
            while (k < nt && toks.tokens [k].start < lab->end)
                k++;
            if (k == first)
                continue;           /* only ignorable bytes: nothing to label */
            if (toks.tokens [first].start != lab->start || toks.tokens [k - 1].end != lab->end)
                st.unaligned++;
            size_t from = first;
            if (last_tok != SIZE_MAX && first <= last_tok) {
                /*  The token is the label before's already ("France" and
                    "Germany" of "France-Germany"): one span, its type.  */
                st.shared++;
                from = last_tok + 1;
                type = types [w0 + last_tok];
            }
            else
                begins [w0 + first] = 1;
            for (size_t i = from; i < k; i++)
                types [w0 + i] = type;
            last_tok = k - 1;
        }
        size_t ns = clip_ner_tagger_sentences (&toks, sents);
        for (size_t s = 0; s < ns; s++) {
            size_t sa = w0 + sents [s], sb = w0 + sents [s + 1];
            if (s > 0 && types [sa] >= 0 && !begins [sa] && types [sa - 1] == types [sa])
                st.crossing++;
            c->sent [c->nsent++] = sa;
            iob_close (types, begins, sa, sb, c->gold);
        }
        c->nwords += nt;
    }
    c->sent [c->nsent] = c->nwords;
    c->doc [c->ndoc] = c->nsent;
    st.tokens = c->nwords;
    st.sentences = c->nsent;
    free (types);
    free (begins);
    free (sents);
    clip_tokens_release (&toks);
    clip_ner_articles_free (&arts, nart);
    if (stats)
        *stats = st;
    return c;
}

int
clip_conll_write (const clip_corpus_conll_t *corpus, FILE *out)
{
    for (size_t d = 0; d < corpus->ndoc; d++) {
        fprintf (out, "-DOCSTART- O\n\n");
        for (size_t s = corpus->doc [d]; s < corpus->doc [d + 1]; s++) {
            for (size_t i = corpus->sent [s]; i < corpus->sent [s + 1]; i++) {
                const clip_word_t *w = &corpus->words [i];
                int l = corpus->gold [i], pos = clip_label_pos (l);
                if (l == 0)
                    fprintf (out, "%.*s\tO\n", (int) w->len, w->text);
                else
                    fprintf (out, "%.*s\t%c-%s\n", (int) w->len, w->text,
                             pos == CLIP_POS_B || pos == CLIP_POS_U ? 'B' : 'I',
                             clip_ent_type_name (clip_label_type (l)));
            }
            fputc ('\n', out);
        }
    }
    return fflush (out) == 0 && !ferror (out) ? 0 : -1;
}

void
clip_ner_score_add (clip_ner_score_t *score, const uint8_t *gold,
                    const uint8_t *pred, size_t n)
{
    clip_span_t gs [512], ps [512];
    clip_span_t *g = n <= 512 ? gs : clip_malloc (n * sizeof *g);
    clip_span_t *p = n <= 512 ? ps : clip_malloc (n * sizeof *p);
    size_t ng = clip_labels_spans (gold, n, g);
    size_t np = clip_labels_spans (pred, n, p);
    for (size_t i = 0; i < ng; i++)
        score->gold [g [i].type]++;
    for (size_t i = 0; i < np; i++)
        score->pred [p [i].type]++;
    size_t a = 0, b = 0;
    while (a < ng && b < np) {
        if (g [a].start == p [b].start) {
            if (g [a].end == p [b].end && g [a].type == p [b].type)
                score->correct [g [a].type]++;
            a++;
            b++;
        }
        else
        if (g [a].start < p [b].start)
            a++;
        else
            b++;
    }
    if (g != gs)
        free (g);
    if (p != ps)
        free (p);
}

static void
prf (size_t gold, size_t pred, size_t correct, double *pr, double *rc, double *f1)
{
    *pr = pred ? 100.0 * (double) correct / (double) pred : 0;
    *rc = gold ? 100.0 * (double) correct / (double) gold : 0;
    *f1 = *pr + *rc > 0 ? 2 * *pr * *rc / (*pr + *rc) : 0;
}

double
clip_score_table (FILE *out, int ntypes, const char *const *names,
                  const size_t *gold, const size_t *found, const size_t *correct)
{
    size_t g = 0, p = 0, c = 0;
    double pr, rc, f1;
    if (out)
        fprintf (out, "%-8s %9s %9s %9s %7s %7s %7s\n",
                 "type", "precision", "recall", "F1", "gold", "found", "correct");
    for (int t = 0; t < ntypes; t++) {
        if (out) {
            prf (gold [t], found [t], correct [t], &pr, &rc, &f1);
            fprintf (out, "%-8s %9.2f %9.2f %9.2f %7zu %7zu %7zu\n", names [t], pr, rc, f1,
                     gold [t], found [t], correct [t]);
        }
        g += gold [t];
        p += found [t];
        c += correct [t];
    }
    prf (g, p, c, &pr, &rc, &f1);
    if (out) {
        fprintf (out, "%-8s %9.2f %9.2f %9.2f %7zu %7zu %7zu\n", "all", pr, rc, f1, g, p, c);
        fprintf (out, "F1 %.2f\n", f1);
    }
    return f1;
}

/*  The tagger's type names, in type order (clip_ent_type_name).  */
static void
type_names_get (const char *names [CLIP_ENT_NTYPES])
{
    for (int t = 0; t < CLIP_ENT_NTYPES; t++)
        names [t] = clip_ent_type_name (t);
}

double
clip_ner_score_f1 (const clip_ner_score_t *score)
{
    const char *type_names [CLIP_ENT_NTYPES];
    type_names_get (type_names);
    return clip_score_table (NULL, CLIP_ENT_NTYPES, type_names,
                             score->gold, score->pred, score->correct);
}

void
clip_ner_score_print (const clip_ner_score_t *score, FILE *out)
{
    const char *type_names [CLIP_ENT_NTYPES];
    type_names_get (type_names);
    clip_score_table (out, CLIP_ENT_NTYPES, type_names, score->gold, score->pred, score->correct);
}

void
clip_tagger_eval (const clip_tagger_t *self, const clip_corpus_conll_t *corpus,
                  clip_ner_score_t *score)
{
    clip_tagdoc_t *doc = clip_tagdoc_new ();
    uint8_t *pred = clip_malloc (corpus->nwords ? corpus->nwords : 1);
    for (size_t d = 0; d < corpus->ndoc; d++) {
        size_t da = corpus->sent [corpus->doc [d]], db = corpus->sent [corpus->doc [d + 1]];
        clip_tagger_tag_doc (self, doc, corpus->words, corpus->sent + corpus->doc [d],
                             corpus->doc [d + 1] - corpus->doc [d], pred);
        if (!self->wf)
            clip_tagger_doc_consistency (corpus->words + da, pred + da, db - da);
        for (size_t s = corpus->doc [d]; s < corpus->doc [d + 1]; s++) {
            size_t a = corpus->sent [s], b = corpus->sent [s + 1];
            clip_ner_score_add (score, corpus->gold + a, pred + a, b - a);
        }
    }
    free (pred);
    clip_tagdoc_destroy (&doc);
}
