/*  Named entities on news nobody tuned on (issue 14): 24 BBC and Reuters
    articles of ../shared/data, labelled by hand and split before any
    tagger output was seen into a development half and a held-out half,
    then 33 more sets of 16, dev2 to dev30 and dev32 to dev35, each chosen by
    scripts/ner_heldout_select.py --roundN before any of it was read
    (workers/ner/README.md says how).  The labels quote nothing of the
    research-licensed text: tests/data/ner-heldout/NAME.tsv hold, per
    entity, the article's path in its archive, byte offsets, type, XXH64
    of the span's bytes and the canonical name (clip_ner_hashed_read).
    The archives are extracted into a temporary directory; without
    ../shared/data the scoring tests skip, saying so.  A hash that does
    not match its article fails them.  */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "clip_ner.h"
#include "clip_ner_score.h"
#include "clip_util.h"
#include "testutil.h"

#define LABELS_DIR CLIP_SOURCE_DIR "/tests/data/ner-heldout"

/*  One labelled set: its name (LABELS_DIR/NAME.tsv), its articles, the
    counts labelled in the order PER ORG LOC MISC MONEY DATE PERCENT (the
    order of clip_ner_score_spans_t), and the floors of F1 and of the
    canonical score.  Floors: the shipped model's figures (the comment
    above the table) less about five errors in F1 and about three in
    canonical names, so that they guard against a regression without
    failing on one changed decision.  Raise them as the tagger improves,
    toward the 88 / 92.  */
typedef struct {
    const char *name;
    size_t articles;
    size_t labelled [CLIP_NER_NTYPES];
    double f1_floor, canonical_floor;
} label_set_t;

/*  The figures (F1, canonical) after each row are the shipped model's
    (the twelfth round, workers/ner/README.md: word classes of GloVe's
    vectors beside the exchange classes and the k-means paths) with the
    rules, linker and grammar of the eleventh and twelfth rounds; the
    model lowered the held-out half (83.75 -> 83.04, canonical 81.37 ->
    79.75) and the development sets whose errors made the tenth round's
    rules (dev24 94.12 -> 92.47, dev27 93.14 -> 91.76, dev28 91.40 ->
    89.47), while raising CoNLL test 87.74 -> 89.45 and the blind sets
    dev21 and dev22; their floors follow.  dev to dev5 and dev7 to dev20
    are learnt from; heldout was scored at the end of each session's work (83.52 at
    the end of the ninth round, 80.55 of the eighth, 77.53 at the start of
    issue 14); dev6, dev21 and dev22 were labelled blind and never
    trained or tuned on (92.56, 91.71 and 87.53 after the ninth round);
    dev23 to dev29 were scored blind once and their errors then read for
    the rules (development sets); dev30 was labelled blind at the tenth
    round's start and scored with the code of its start (89.72,
    canonical 95.12) and of its end.  The fourteenth round's rules for
    wire tables raised heldout to 88.51, canonical 87.21, all of it on
    its two articles reuters21578/00006 and 00105, whose text was seen
    while those rules were written (workers/ner/README.md): its floor
    follows, and its other ten articles with heldout-b (two articles
    chosen by the same rule, labelled blind and scored once) are the
    held-out half from then on.  The sixteenth round (2026-12-08)
    labelled dev32 to dev34 blind (--round31 gave heldout-b) and scored
    them with the code of its start: dev32 90.93 and dev33 85.57, whose
    errors were then read for its rules (92.10 and 90.07 after), and
    dev34 89.60, kept blind until the rules from the first two were
    done (89.60 still), then read too; dev35, labelled then, was scored
    with the code of the round's start (89.59) and of its end only.  */
static const label_set_t sets [] = {
    { "dev", 12, { 50, 49, 100, 32, 30, 71, 16 }, 97.5, 94.6 },        /* 348: 98.56, 95.92 */
    { "heldout", 12, { 51, 46, 109, 36, 19, 111, 15 }, 87.4, 85.5 },   /* 387: 88.51, 87.21 */
    { "heldout-b", 2, { 3, 14, 8, 14, 0, 16, 1 }, 81.0, 56.5 },         /* 56: 85.96, 69.57 */
    { "dev2", 16, { 104, 93, 73, 59, 17, 96, 26 }, 98.3, 93.9 },       /* 468: 99.36, 95.17 */
    { "dev3", 16, { 85, 52, 88, 89, 49, 94, 14 }, 97.3, 92.9 },        /* 471: 98.40, 94.17 */
    { "dev4", 16, { 113, 98, 88, 86, 34, 94, 25 }, 94.5, 94.5 },       /* 538: 95.60, 95.83 */
    { "dev5", 16, { 60, 100, 98, 43, 44, 98, 8 }, 97.5, 88.7 },        /* 451: 98.55, 90.00 */
    { "dev6", 16, { 108, 76, 91, 61, 18, 107, 24 }, 92.1, 93.2 },      /* 485: 93.20, 94.53 */
    { "dev7", 16, { 95, 81, 67, 51, 50, 118, 18 }, 95.7, 95.8 },       /* 480: 96.78, 97.08 */
    { "dev8", 16, { 91, 130, 84, 50, 29, 87, 17 }, 97.8, 96.7 },       /* 488: 98.87, 98.03 */
    { "dev9", 16, { 57, 140, 69, 37, 19, 87, 27 }, 96.7, 90.7 },       /* 436: 97.81, 92.05 */
    { "dev10", 16, { 83, 87, 55, 67, 22, 89, 20 }, 97.1, 93.3 },       /* 423: 98.23, 94.59 */
    { "dev11", 16, { 72, 122, 81, 59, 43, 97, 34 }, 97.4, 91.7 },      /* 508: 98.53, 92.99 */
    { "dev12", 16, { 83, 122, 84, 54, 22, 63, 25 }, 98.1, 93.1 },      /* 453: 99.23, 94.44 */
    { "dev13", 16, { 75, 117, 75, 48, 20, 72, 18 }, 97.5, 89.7 },      /* 425: 98.58, 90.98 */
    { "dev14", 16, { 84, 84, 70, 83, 31, 76, 6 }, 97.1, 89.4 },        /* 434: 98.15, 90.68 */
    { "dev15", 16, { 94, 117, 56, 77, 32, 65, 8 }, 97.5, 90.8 },       /* 449: 98.55, 92.11 */
    { "dev16", 16, { 111, 99, 59, 65, 34, 75, 13 }, 97.8, 90.1 },      /* 456: 98.90, 91.45 */
    { "dev17", 16, { 110, 106, 76, 86, 31, 83, 10 }, 97.4, 91.1 },     /* 502: 98.51, 92.44 */
    { "dev18", 16, { 58, 68, 95, 53, 66, 76, 11 }, 96.1, 90.0 },       /* 427: 97.18, 91.32 */
    { "dev19", 16, { 124, 57, 75, 61, 24, 82, 12 }, 96.7, 95.1 },      /* 435: 97.83, 96.44 */
    { "dev20", 16, { 97, 108, 97, 74, 35, 75, 18 }, 98.1, 90.7 },      /* 504: 99.21, 92.00 */
    { "dev21", 16, { 95, 78, 90, 54, 54, 88, 9 }, 92.0, 91.8 },        /* 468: 93.10, 93.12 */
    { "dev22", 16, { 75, 115, 97, 47, 33, 65, 15 }, 88.4, 90.3 },      /* 447: 89.52, 91.63 */
    { "dev23", 16, { 126, 87, 81, 89, 45, 78, 25 }, 92.4, 96.1 },      /* 531: 93.47, 97.44 */
    { "dev24", 16, { 56, 112, 68, 65, 31, 82, 19 }, 91.4, 94.5 },      /* 433: 92.47, 95.81 */
    { "dev25", 16, { 90, 97, 36, 68, 40, 71, 5 }, 91.3, 90.0 },        /* 407: 92.35, 91.35 */
    { "dev26", 16, { 87, 76, 97, 78, 65, 91, 11 }, 89.2, 92.1 },       /* 505: 90.25, 93.42 */
    { "dev27", 16, { 83, 117, 75, 62, 30, 94, 19 }, 90.7, 96.7 },      /* 480: 91.76, 98.04 */
    { "dev28", 16, { 104, 105, 78, 124, 36, 84, 9 }, 88.4, 92.1 },     /* 540: 89.47, 93.36 */
    { "dev29", 16, { 89, 107, 70, 50, 35, 61, 11 }, 94.0, 91.6 },      /* 423: 95.11, 92.89 */
    { "dev30", 16, { 80, 135, 95, 81, 18, 68, 11 }, 89.6, 93.9 },      /* 488: 90.72, 95.16 */
    { "dev32", 16, { 106, 101, 74, 57, 56, 80, 9 }, 91.0, 94.6 },      /* 483: 92.10, 95.80 */
    { "dev33", 16, { 106, 92, 90, 65, 55, 73, 6 }, 89.0, 98.1 },       /* 487: 90.07, 99.26 */
    { "dev34", 16, { 114, 117, 70, 101, 36, 95, 14 }, 88.8, 94.2 },    /* 547: 89.87, 95.36 */
    { "dev35", 16, { 77, 135, 44, 74, 14, 84, 31 }, 88.9, 90.8 },      /* 459: 89.91, 92.14 */
};
#define NSETS (sizeof sets / sizeof sets [0])

static char *
label_path (size_t set)
{
    return clip_strprintf ("%s/%s.tsv", LABELS_DIR, sets [set].name);
}

/*  The files every set names under prefix (one archive's), a line each,
    each once, into a new string (caller owns).  */
static char *
members_under (const char *prefix)
{
    size_t cap = 4096, len = 0;
    char *list = clip_malloc (cap);
    list [0] = 0;
    for (size_t h = 0; h < NSETS; h++) {
        char *path = label_path (h);
        char *raw = tu_read (path, NULL);
        cr_assert_not_null (raw, "%s", path);
        for (char *line = raw; *line; ) {
            char *lend = strchr (line, '\n');
            size_t l = lend ? (size_t) (lend - line) : strlen (line);
            char *tab = memchr (line, '\t', l);
            if (*line != '#' && tab && strncmp (line, prefix, strlen (prefix)) == 0) {
                char *m = clip_strprintf ("%.*s\n", (int) (tab - line), line);
                size_t ml = strlen (m);
                /*  A label file keeps an article's lines together, so a
                    member seen before is the last one added or an earlier
                    set's: look for the whole line.  */
                bool seen = false;
                for (char *p = strstr (list, m); p && !seen; p = strstr (p + 1, m))
                    seen = p == list || p [-1] == '\n';
                if (!seen) {
                    while (len + ml + 1 > cap)
                        list = clip_realloc (list, cap *= 2);
                    memcpy (list + len, m, ml + 1);
                    len += ml;
                }
                free (m);
            }
            line += l + (lend ? 1 : 0);
        }
        free (raw);
        free (path);
    }
    return list;
}

/*  Extract the articles every set names from the archives of
    ../shared/data into a new temporary directory, the names given to tar
    in a file (-T: a few hundred of them, more than an argument list
    should hold); NULL when an archive is missing (the caller skips).  */
static char *
extract_articles (void)
{
    static const char *const archives [2][2] = {
        { "bbc/", CLIP_SHARED_DATA "/bbc-news.tar.gz" },
        { "reuters21578/", CLIP_SHARED_DATA "/reuters21578.tar.gz" },
    };
    for (int a = 0; a < 2; a++)
        if (access (archives [a][1], R_OK) != 0)
            return NULL;
    /*  tu_run does not search PATH.  */
    const char *tar = access ("/usr/bin/tar", X_OK) == 0 ? "/usr/bin/tar" : "/bin/tar";
    char *dir = tu_tempdir ("ner_heldout");
    char *names = clip_path_join (dir, "members.txt");
    for (int a = 0; a < 2; a++) {
        char *list = members_under (archives [a][0]);
        tu_write (names, list, strlen (list));
        free (list);
        const char *argv [] = { tar, "xzf", archives [a][1], "-C", dir, "-T", names, NULL };
        char *out = NULL;
        cr_assert_eq (tu_run (argv, &out, 120000), 0, "tar xzf %s: %s", archives [a][1],
                      out ? out : "");
        free (out);
    }
    unlink (names);
    free (names);
    return dir;
}

Test (ner_heldout, labels_match_the_articles, .timeout = 180) {
    char *dir = extract_articles ();
    if (!dir)
        cr_skip_test ("no %s/bbc-news.tar.gz or reuters21578.tar.gz: held-out news not scored",
                      CLIP_SHARED_DATA);
    for (size_t h = 0; h < NSETS; h++) {
        char *path = label_path (h);
        char err [1024];
        clip_ner_article_t *arts;
        size_t na;
        /*  Every span's bytes hash as labelled, or this fails naming the
            article and the offsets.  */
        cr_assert_eq (clip_ner_hashed_read (path, dir, &arts, &na, err, sizeof err), 0,
                      "%s", err);
        cr_assert_eq (na, sets [h].articles, "%s: %zu articles", path, na);
        size_t per_type [CLIP_NER_NTYPES] = { 0 };
        for (size_t a = 0; a < na; a++)
            for (size_t i = 0; i < arts [a].n; i++) {
                clip_entity_type_t t = clip_entity_type_parse (arts [a].labels [i].type);
                cr_assert_neq (t, CLIP_ENTITY_TYPE_UNKNOWN, "%s %zu", arts [a].file,
                               arts [a].labels [i].start);
                per_type [t]++;
                /*  Names have a canonical name, numbers none.  */
                bool name = t != CLIP_ENTITY_TYPE_MONEY && t != CLIP_ENTITY_TYPE_DATE
                            && t != CLIP_ENTITY_TYPE_PERCENT;
                cr_assert_eq (arts [a].canonical [i] != NULL, name, "%s %zu", arts [a].file,
                              arts [a].labels [i].start);
            }
        for (int t = 0; t < CLIP_NER_NTYPES; t++)
            cr_assert_eq (per_type [t], sets [h].labelled [t], "%s %s: %zu labels",
                          sets [h].name, clip_entity_type_name ((clip_entity_type_t) t), per_type [t]);
        clip_ner_articles_free (&arts, na);
        cr_assert_null (arts);
        free (path);
    }
    tu_rmtree (dir);
    free (dir);
}

Test (ner_heldout, f1_and_canonical_not_below_the_baseline, .timeout = 180) {
    char *dir = extract_articles ();
    if (!dir)
        cr_skip_test ("no %s/bbc-news.tar.gz or reuters21578.tar.gz: held-out news not scored",
                      CLIP_SHARED_DATA);
    char err [1024];
    clip_ner_t *ner = clip_ner_load (CLIP_SOURCE_DIR, err, sizeof err);
    cr_assert_not_null (ner, "%s", err);
    for (size_t h = 0; h < NSETS; h++) {
        char *path = label_path (h);
        clip_ner_article_t *arts;
        size_t na;
        cr_assert_eq (clip_ner_hashed_read (path, dir, &arts, &na, err, sizeof err), 0,
                      "%s", err);
        clip_ner_score_spans_t score;
        memset (&score, 0, sizeof score);
        for (size_t a = 0; a < na; a++)
            cr_assert_eq (clip_ner_score_article_canonical (ner, arts [a].text, arts [a].len,
                                                            arts [a].labels, arts [a].canonical,
                                                            arts [a].n, &score, NULL), 0);
        double f1 = clip_ner_score_spans_f1 (&score);
        double canon = clip_ner_score_spans_canonical (&score);
        cr_log_info ("held-out news, %s: F1 %.2f, canonical %.2f (%zu of %zu)",
                     sets [h].name, f1, canon, score.canon_right, score.canon_gold);
        cr_assert_geq (f1, sets [h].f1_floor, "%s: F1 %.2f is below %.2f", sets [h].name, f1,
                       sets [h].f1_floor);
        cr_assert_geq (canon, sets [h].canonical_floor, "%s: canonical %.2f is below %.2f",
                       sets [h].name, canon, sets [h].canonical_floor);
        clip_ner_articles_free (&arts, na);
        free (path);
    }
    clip_ner_destroy (&ner);
    tu_rmtree (dir);
    free (dir);
}

/*  ------------------------------------------------------------------------
    The reader, on an article of our own (no shared data needed).  */

static const char article [] = "Guo Ping met Huawei staff in Shenzhen. Mr Guo said so.";

static void
write_str (const char *path, const char *s)
{
    tu_write (path, s, strlen (s));
}

/*  One label line for article [a, b).  */
static char *
line_for (const char *file, size_t a, size_t b, const char *type, const char *canonical)
{
    return clip_strprintf ("%s\t%zu\t%zu\t%s\t%016llx\t%s\n", file, a, b, type,
                           (unsigned long long) XXH64 (article + a, b - a, 0), canonical);
}

Test (ner_heldout, hashed_read_checks_the_hash) {
    char *dir = tu_tempdir ("ner_heldout");
    char *sub = clip_path_join (dir, "news");
    cr_assert_eq (mkdir (sub, 0700), 0);
    char *txt = clip_path_join (sub, "a.txt");
    write_str (txt, article);
    char *labels = clip_path_join (dir, "l.tsv");
    char *l1 = line_for ("news/a.txt", 0, 8, "PER", "Guo Ping");
    char *l2 = line_for ("news/a.txt", 13, 19, "ORG", "Huawei");
    char *l3 = line_for ("news/a.txt", 29, 37, "LOC", "Shenzhen");
    char *l4 = line_for ("news/a.txt", 42, 45, "PER", "Guo Ping");
    char *good = clip_strprintf ("# a comment\n%s%s%s%s", l1, l2, l3, l4);
    write_str (labels, good);
    char err [1024];
    clip_ner_article_t *arts;
    size_t na;
    cr_assert_eq (clip_ner_hashed_read (labels, dir, &arts, &na, err, sizeof err), 0, "%s", err);
    cr_assert_eq (na, 1);
    cr_assert_str_eq (arts [0].file, "news/a.txt");
    cr_assert_eq (arts [0].len, strlen (article));
    cr_assert_eq (arts [0].n, 4);
    cr_assert_eq (arts [0].labels [1].start, 13);
    cr_assert_eq (arts [0].labels [1].end, 19);
    cr_assert_str_eq (arts [0].labels [1].type, "ORG");
    cr_assert_str_eq (arts [0].canonical [3], "Guo Ping");
    clip_ner_articles_free (&arts, na);

    /*  One byte of the article changed inside a span: the hash no longer
        matches, and the error names the article and the offsets.  */
    char *changed = clip_strdup (article);
    changed [14] = 'U';
    write_str (txt, changed);
    cr_assert_eq (clip_ner_hashed_read (labels, dir, &arts, &na, err, sizeof err), -1);
    cr_assert_null (arts);
    cr_assert (strstr (err, "news/a.txt bytes [13, 19)") != NULL, "%s", err);
    cr_assert (strstr (err, "l.tsv:3:") != NULL, "%s", err);
    write_str (txt, article);

    /*  Malformed lines, each refused with the line named.  */
    const char *bad [] = {
        "news/a.txt\t0\t8\tPER\t0123\tGuo Ping\n",                    /* short hash */
        "news/a.txt\t0\t8\tPER\tzz23456789abcdef\tGuo Ping\n",        /* not hex */
        "news/a.txt\t0\t8\tPERSON\t0123456789abcdef\tGuo Ping\n",     /* type */
        "news/a.txt\t8\t0\tPER\t0123456789abcdef\tGuo Ping\n",        /* end before start */
        "news/a.txt\t-1\t8\tPER\t0123456789abcdef\tGuo Ping\n",       /* negative */
        "news/a.txt\t0\t8\tPER\t0123456789abcdef\n",                  /* no canonical */
        "../a.txt\t0\t8\tPER\t0123456789abcdef\tGuo Ping\n",          /* outside text_dir */
        "/etc/passwd\t0\t8\tPER\t0123456789abcdef\tGuo Ping\n",       /* absolute */
        "news/a.txt\t0\t900\tPER\t0123456789abcdef\tGuo Ping\n",      /* past the end */
        "news/b.txt\t0\t8\tPER\t0123456789abcdef\tGuo Ping\n",        /* no such article */
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad [0]; k++) {
        write_str (labels, bad [k]);
        cr_assert_eq (clip_ner_hashed_read (labels, dir, &arts, &na, err, sizeof err), -1,
                      "accepted %s", bad [k]);
        cr_assert (strstr (err, "l.tsv:1:") != NULL, "%s", err);
    }
    /*  Unsorted spans, and an article's lines apart.  */
    char *unsorted = clip_strprintf ("%s%s", l2, l1);
    write_str (labels, unsorted);
    cr_assert_eq (clip_ner_hashed_read (labels, dir, &arts, &na, err, sizeof err), -1);
    char *txt2 = clip_path_join (sub, "b.txt");
    write_str (txt2, article);
    char *l1b = line_for ("news/b.txt", 0, 8, "PER", "Guo Ping");
    char *apart = clip_strprintf ("%s%s%s", l1, l1b, l2);
    write_str (labels, apart);
    cr_assert_eq (clip_ner_hashed_read (labels, dir, &arts, &na, err, sizeof err), -1);
    cr_assert (strstr (err, "not together") != NULL, "%s", err);

    /*  Canonical names are scored on what was found right: "Mr Guo" must
        link to "Guo Ping"; a label expecting another name counts wrong.  */
    clip_ner_t *ner = clip_ner_load (CLIP_SOURCE_DIR, err, sizeof err);
    cr_assert_not_null (ner, "%s", err);
    write_str (labels, good);
    cr_assert_eq (clip_ner_hashed_read (labels, dir, &arts, &na, err, sizeof err), 0, "%s", err);
    clip_ner_score_spans_t score;
    memset (&score, 0, sizeof score);
    cr_assert_eq (clip_ner_score_article_canonical (ner, arts [0].text, arts [0].len,
                                                    arts [0].labels, arts [0].canonical,
                                                    arts [0].n, &score, NULL), 0);
    cr_assert_eq (score.correct [0] + score.correct [1] + score.correct [2], 4);
    cr_assert_eq (score.canon_gold, 4);
    cr_assert_eq (score.canon_right, 4);
    free (arts [0].canonical [3]);
    arts [0].canonical [3] = clip_strdup ("Somebody Else");
    memset (&score, 0, sizeof score);
    char *buf = NULL;
    size_t blen = 0;
    FILE *f = open_memstream (&buf, &blen);
    cr_assert_eq (clip_ner_score_article_canonical (ner, arts [0].text, arts [0].len,
                                                    arts [0].labels, arts [0].canonical,
                                                    arts [0].n, &score, f), 0);
    fclose (f);
    cr_assert_eq (score.canon_gold, 4);
    cr_assert_eq (score.canon_right, 3);
    cr_assert (strstr (buf, "canonical\t42\t45\tPER\tGuo\tSomebody Else\t-> Guo Ping") != NULL,
               "%s", buf);
    free (buf);
    buf = NULL;
    f = open_memstream (&buf, &blen);
    clip_ner_score_spans_print (&score, f);
    fclose (f);
    cr_assert (strncmp (buf, "canonical 3 of 4 75.00\n", 23) == 0, "%s", buf);
    free (buf);
    clip_ner_articles_free (&arts, na);
    clip_ner_destroy (&ner);

    free (apart);
    free (l1b);
    free (txt2);
    free (unsorted);
    free (changed);
    free (good);
    free (l4);
    free (l3);
    free (l2);
    free (l1);
    free (labels);
    free (txt);
    tu_rmtree (dir);
    free (sub);
    free (dir);
}

/*  `clip ner eval --hashed` reads the same files, and a changed article
    makes it fail (exit 1) naming the article.  */
Test (ner_heldout, cli_eval_hashed, .timeout = 120) {
    char *clip = tu_bin ("clip/clip");
    if (access (clip, X_OK) != 0)
        cr_skip_test ("%s is not built", clip);
    char *dir = tu_tempdir ("ner_heldout");
    char *sub = clip_path_join (dir, "news");
    cr_assert_eq (mkdir (sub, 0700), 0);
    char *txt = clip_path_join (sub, "a.txt");
    write_str (txt, article);
    char *labels = clip_path_join (dir, "l.tsv");
    char *l1 = line_for ("news/a.txt", 0, 8, "PER", "Guo Ping");
    char *l2 = line_for ("news/a.txt", 13, 19, "ORG", "Huawei");
    char *l3 = line_for ("news/a.txt", 29, 37, "LOC", "Shenzhen");
    char *l4 = line_for ("news/a.txt", 42, 45, "PER", "Guo Ping");
    char *good = clip_strprintf ("%s%s%s%s", l1, l2, l3, l4);
    write_str (labels, good);
    const char *argv [] = {
        clip, "ner", "eval", "--hashed", labels, "--text-dir", dir, "--data-dir",
        CLIP_SOURCE_DIR, NULL
    };
    char *out = NULL;
    cr_assert_eq (tu_run (argv, &out, 60000), 0, "%s", out ? out : "");
    cr_assert (strncmp (out, "canonical 4 of 4 100.00\n", 24) == 0, "%s", out);
    cr_assert (strstr (out, "\nF1 100.00\n") != NULL, "%s", out);
    free (out);

    write_str (txt, "Guo Pong met Huawei staff in Shenzhen. Mr Guo said so.");
    char *errp = clip_path_join (dir, "stderr");
    pid_t pid = tu_spawn (argv, "/dev/null", errp);
    cr_assert_eq (tu_wait (pid, 60000), 1);
    char *msg = tu_read (errp, NULL);
    cr_assert (msg && strstr (msg, "news/a.txt bytes [0, 8)") != NULL, "%s", msg ? msg : "");
    free (msg);

    /*  --hashed wants --text-dir: bad usage.  */
    const char *usage [] = { clip, "ner", "eval", "--hashed", labels, NULL };
    pid = tu_spawn (usage, "/dev/null", "/dev/null");
    cr_assert_eq (tu_wait (pid, 60000), 2);

    free (errp);
    free (good);
    free (l4);
    free (l3);
    free (l2);
    free (l1);
    free (labels);
    free (txt);
    tu_rmtree (dir);
    free (sub);
    free (dir);
    free (clip);
}
