/*  clip_ner_score: extraction scored against hand-labelled articles.  See
    clip_ner_score.h.  */
#include "clip_ner_score.h"
#include "clip_conll.h"
#include "clip_util.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/*  ------------------------------------------------------------------------
    Scoring against hand-labelled articles.  */

/*  The wire's type names in enum order, for the score tables.  */
static const char *const all_type_names [CLIP_NER_NTYPES] = {
#define XX(id, name, desc) name,
    CLIP_ENTITY_TYPE_MAP (XX)
#undef XX
};

static int
type_index (const char *t)
{
    return (int) clip_entity_type_parse (t);
}

int
clip_ner_labels_read (const char *path, const char *text, size_t len,
                      clip_ner_label_t **out, size_t *n_out,
                      char *err, size_t err_size)
{
    assert (path && text && out && n_out);
    *out = NULL;
    *n_out = 0;
    char *data;
    size_t dlen;
    int r = clip_file_read (path, (size_t) 16 << 20, &data, &dlen);
    if (r < 0) {
        snprintf (err, err_size, "cannot read %s: %s", path, strerror (-r));
        return -1;
    }
    size_t cap = 64, n = 0, lineno = 0;
    clip_ner_label_t *labels = clip_malloc (cap * sizeof *labels);
    char *line = data, *end = data + dlen;
    while (line < end) {
        char *lend = memchr (line, '\n', (size_t) (end - line));
        if (!lend)
            lend = end;
        *lend = 0;
        lineno++;
        if (*line && *line != '#') {
            /*  start TAB end TAB TYPE TAB text  */
            char *f [4] = { line, NULL, NULL, NULL };
            for (int k = 1; k < 4; k++) {
                char *tab = f [k - 1] ? strchr (f [k - 1], '\t') : NULL;
                if (tab) {
                    *tab = 0;
                    f [k] = tab + 1;
                }
            }
            char *e1, *e2;
            errno = 0;
            unsigned long long a = f [1] ? strtoull (f [0], &e1, 10) : 0;
            unsigned long long b = f [1] ? strtoull (f [1], &e2, 10) : 0;
            int t = f [2] ? type_index (f [2]) : -1;
            if (!f [3] || errno || *e1 || *e2 || a >= b || b > len || t < 0) {
                snprintf (err, err_size, "%s:%zu: expected start TAB end TAB TYPE TAB text"
                          " with 0 <= start < end <= %zu and a known type", path, lineno, len);
                goto fail;
            }
            if (strlen (f [3]) != b - a || memcmp (f [3], text + a, b - a) != 0) {
                snprintf (err, err_size, "%s:%zu: text '%s' differs from the article's bytes"
                          " [%llu, %llu) '%.*s'", path, lineno, f [3], a, b,
                          (int) (b - a), text + a);
                goto fail;
            }
            if (n > 0 && a < labels [n - 1].end) {
                snprintf (err, err_size, "%s:%zu: span overlaps or precedes the one before",
                          path, lineno);
                goto fail;
            }
            if (n == cap) {
                cap *= 2;
                labels = clip_realloc (labels, cap * sizeof *labels);
            }
            labels [n++] = (clip_ner_label_t) { (size_t) a, (size_t) b, all_type_names [t] };
        }
        line = lend + 1;
    }
    free (data);
    *out = labels;
    *n_out = n;
    return 0;
fail:
    free (labels);
    free (data);
    return -1;
}

/*  A relative path that stays under the directory it is joined to.  */
static bool
path_is_safe (const char *p)
{
    if (!*p || *p == '/')
        return false;
    for (const char *s = p; *s; ) {
        const char *e = strchr (s, '/');
        size_t l = e ? (size_t) (e - s) : strlen (s);
        if (l == 0 || (l == 2 && s [0] == '.' && s [1] == '.'))
            return false;
        s += l + (e ? 1 : 0);
    }
    return true;
}

void
clip_ner_articles_free (clip_ner_article_t **articles_p, size_t n)
{
    assert (articles_p);
    clip_ner_article_t *a = *articles_p;
    if (!a)
        return;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < a [i].n; k++)
            free (a [i].canonical [k]);
        free (a [i].canonical);
        free (a [i].labels);
        free (a [i].text);
        free (a [i].file);
    }
    free (a);
    *articles_p = NULL;
}

int
clip_ner_hashed_read (const char *path, const char *text_dir,
                      clip_ner_article_t **out, size_t *n_out,
                      char *err, size_t err_size)
{
    assert (path && text_dir && out && n_out);
    *out = NULL;
    *n_out = 0;
    char *data;
    size_t dlen;
    int r = clip_file_read (path, (size_t) 16 << 20, &data, &dlen);
    if (r < 0) {
        snprintf (err, err_size, "cannot read %s: %s", path, strerror (-r));
        return -1;
    }
    clip_ner_article_t *arts = NULL;
    size_t na = 0, acap = 0, lineno = 0, cap = 0;
    char *line = data, *end = data + dlen;
    while (line < end) {
        char *lend = memchr (line, '\n', (size_t) (end - line));
        if (!lend)
            lend = end;
        *lend = 0;
        lineno++;
        if (*line && *line != '#') {
            /*  file TAB start TAB end TAB TYPE TAB xxh64 TAB canonical  */
            char *f [6] = { line };
            int nf = 1;
            for (char *c = line; *c && nf <= 6; c++)
                if (*c == '\t') {
                    *c = 0;
                    if (nf < 6)
                        f [nf] = c + 1;
                    nf++;
                }
            char *e1 = NULL, *e2 = NULL, *e3 = NULL;
            unsigned long long a = 0, b = 0, h = 0;
            int t = -1;
            if (nf == 6) {
                errno = 0;
                a = strtoull (f [1], &e1, 10);
                b = strtoull (f [2], &e2, 10);
                h = strtoull (f [4], &e3, 16);
                t = type_index (f [3]);
            }
            if (nf != 6 || errno || !isdigit ((unsigned char) f [1][0]) || *e1
            ||  !isdigit ((unsigned char) f [2][0]) || *e2 || *e3
            ||  strspn (f [4], "0123456789abcdefABCDEF") != 16 || f [4][16]
            ||  t < 0 || a >= b || !*f [5]
            ||  !path_is_safe (f [0])) {
                snprintf (err, err_size, "%s:%zu: expected file TAB start TAB end TAB TYPE TAB"
                          " xxh64 (16 hex digits) TAB canonical, with a relative file name,"
                          " start < end and a known type", path, lineno);
                goto fail;
            }
            clip_ner_article_t *art = na ? &arts [na - 1] : NULL;
            if (!art || strcmp (art->file, f [0]) != 0) {
                for (size_t i = 0; i < na; i++)
                    if (strcmp (arts [i].file, f [0]) == 0) {
                        snprintf (err, err_size, "%s:%zu: the labels of %s are not together",
                                  path, lineno, f [0]);
                        goto fail;
                    }
                if (na == acap)
                    arts = clip_realloc (arts, (acap = acap * 2 + 8) * sizeof *arts);
                art = &arts [na++];
                memset (art, 0, sizeof *art);
                art->file = clip_strdup (f [0]);
                char *txt = clip_path_join (text_dir, f [0]);
                r = clip_file_read (txt, (size_t) 64 << 20, &art->text, &art->len);
                if (r < 0) {
                    snprintf (err, err_size, "%s:%zu: cannot read %s: %s", path, lineno, txt,
                              strerror (-r));
                    free (txt);
                    goto fail;
                }
                free (txt);
                cap = 0;
            }
            if (b > art->len) {
                snprintf (err, err_size, "%s:%zu: span [%llu, %llu) is past the end of %s"
                          " (%zu bytes)", path, lineno, a, b, art->file, art->len);
                goto fail;
            }
            if (art->n > 0 && a < art->labels [art->n - 1].end) {
                snprintf (err, err_size, "%s:%zu: span overlaps or precedes the one before",
                          path, lineno);
                goto fail;
            }
            /*  The hash stands for the text: an article that differs from
                the one labelled (another version of the archive, a changed
                byte) must not be scored against labels that no longer fit.  */
            unsigned long long got = (unsigned long long) XXH64 (art->text + a, (size_t) (b - a), 0);
            if (got != h) {
                snprintf (err, err_size, "%s:%zu: %s bytes [%llu, %llu) hash to %016llx, the"
                          " label says %s: the article is not the one labelled", path, lineno,
                          art->file, a, b, got, f [4]);
                goto fail;
            }
            if (art->n == cap) {
                cap = cap * 2 + 16;
                art->labels = clip_realloc (art->labels, cap * sizeof *art->labels);
                art->canonical = clip_realloc (art->canonical, cap * sizeof *art->canonical);
            }
            art->labels [art->n] = (clip_ner_label_t) { (size_t) a, (size_t) b, all_type_names [t] };
            art->canonical [art->n++] = strcmp (f [5], "-") == 0 ? NULL : clip_strdup (f [5]);
        }
        line = lend + 1;
    }
    free (data);
    *out = arts;
    *n_out = na;
    return 0;
fail:
    clip_ner_articles_free (&arts, na);
    free (data);
    return -1;
}

int
clip_ner_score_article (clip_ner_t *self, const char *text, size_t len,
                        const clip_ner_label_t *gold, size_t ngold,
                        clip_ner_score_spans_t *score, FILE *errors)
{
    return clip_ner_score_article_canonical (self, text, len, gold, NULL, ngold, score, errors);
}

int
clip_ner_score_article_canonical (clip_ner_t *self, const char *text, size_t len,
                                  const clip_ner_label_t *gold, char *const *canonical,
                                  size_t ngold, clip_ner_score_spans_t *score, FILE *errors)
{
    assert (self && text && score);
    clip_ner_entity_t *ents;
    size_t n;
    if (clip_ner_extract (self, text, len, &ents, &n) < 0)
        return -1;
    /*  Both lists are in text order without overlaps: one merge pass.  */
    size_t i = 0, j = 0;
    while (i < ngold || j < n) {
        if (j >= n || (i < ngold && gold [i].start < ents [j].start)) {
            score->gold [type_index (gold [i].type)]++;
            if (errors)
                fprintf (errors, "missed\t%zu\t%zu\t%s\t%.*s\n", gold [i].start, gold [i].end,
                         gold [i].type, (int) (gold [i].end - gold [i].start),
                         text + gold [i].start);
            i++;
        }
        else
        if (i >= ngold || ents [j].start < gold [i].start) {
            score->found [type_index (ents [j].type)]++;
            if (errors)
                fprintf (errors, "spurious\t%zu\t%zu\t%s\t%s\n", ents [j].start, ents [j].end,
                         ents [j].type, ents [j].text);
            j++;
        }
        else {
            int gt = type_index (gold [i].type), ft = type_index (ents [j].type);
            score->gold [gt]++;
            score->found [ft]++;
            if (gold [i].end == ents [j].end && gt == ft) {
                score->correct [gt]++;
                const char *want = canonical ? canonical [i] : NULL;
                if (want && gt <= 2) {      /* PER ORG LOC, the first three types */
                    score->canon_gold++;
                    if (ents [j].canonical && strcmp (ents [j].canonical, want) == 0)
                        score->canon_right++;
                    else
                    if (errors)
                        fprintf (errors, "canonical\t%zu\t%zu\t%s\t%.*s\t%s\t-> %s\n",
                                 gold [i].start, gold [i].end, gold [i].type,
                                 (int) (gold [i].end - gold [i].start), text + gold [i].start,
                                 want, ents [j].canonical ? ents [j].canonical : "(none)");
                }
            }
            else
            if (errors)
                fprintf (errors, "wrong\t%zu\t%zu\t%s\t%.*s\t-> %zu\t%s\t%s\n", gold [i].start,
                         gold [i].end, gold [i].type, (int) (gold [i].end - gold [i].start),
                         text + gold [i].start, ents [j].end, ents [j].type, ents [j].text);
            i++;
            j++;
        }
    }
    clip_ner_entities_free (ents, n);
    return 0;
}

double
clip_ner_score_spans_f1 (const clip_ner_score_spans_t *score)
{
    return clip_score_table (NULL, CLIP_NER_NTYPES, all_type_names,
                             score->gold, score->found, score->correct);
}

double
clip_ner_score_spans_canonical (const clip_ner_score_spans_t *score)
{
    return score->canon_gold ? 100.0 * (double) score->canon_right / (double) score->canon_gold : 0;
}

void
clip_ner_score_spans_print (const clip_ner_score_spans_t *score, FILE *out)
{
    if (score->canon_gold)
        fprintf (out, "canonical %zu of %zu %.2f\n", score->canon_right, score->canon_gold,
                 clip_ner_score_spans_canonical (score));
    clip_score_table (out, CLIP_NER_NTYPES, all_type_names, score->gold, score->found, score->correct);
}
