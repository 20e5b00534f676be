/*  clip_clusters: the word-class file, its exchange columns, and the
    exchange clustering that writes them (clip_clusters_build.h).  */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "clip_clusters.h"
#include "clip_clusters_build.h"
#include "clip_util.h"
#include "testutil.h"

static uint64_t
lookup (const clip_clusters_t *c, const char *word)
{
    char key [64];
    size_t n = clip_clusters_key (word, strlen (word), key, sizeof key);
    return clip_clusters_lookup (c, key, n);
}

static clip_clusters_t *
load_text (const char *dir, const char *text, char *err, size_t err_size)
{
    char *path = clip_path_join (dir, "clusters.tsv");
    tu_write (path, text, strlen (text));
    clip_clusters_t *c = clip_clusters_load (path, err, err_size);
    free (path);
    return c;
}

/*  Up to four exchange columns after path and bucket; "-" and a missing
    column are both "no class"; path and bucket are read as before.  */
Test (clusters, exchange_columns_are_read_beside_the_path) {
    char *dir = tu_tempdir ("clusters");
    char err [256] = "";
    clip_clusters_t *c = load_text (dir, "berlin\t1234\t3\t5\t-\n"
                                         "paris\t77\t2\t7\n"
                                         "rome\t9\t1\t0\t63\t2046\t12\n"
                                         "said\t4095\t0\n", err, sizeof err);
    cr_assert_not_null (c, "%s", err);
    cr_assert_eq (clip_clusters_size (c), 4);
    uint64_t v = lookup (c, "Berlin");
    cr_assert (v & CLIP_CLUSTER_KNOWN);
    cr_assert_eq (CLIP_CLUSTER_PATH (v), 1234);
    cr_assert_eq (CLIP_CLUSTER_CAPB (v), 3);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (v, 0), 6);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (v, 1), 0);
    v = lookup (c, "paris");
    cr_assert_eq (CLIP_CLUSTER_XCLASS (v, 0), 8);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (v, 1), 0);
    v = lookup (c, "ROME");
    cr_assert_eq (CLIP_CLUSTER_PATH (v), 9);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (v, 0), 1);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (v, 1), 64);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (v, 2), CLIP_CLUSTER_XCLASS_MAX + 1);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (v, 3), 13);
    cr_assert (CLIP_CLUSTER_HAS_PATH (v));
    v = lookup (c, "said");
    cr_assert_eq (CLIP_CLUSTER_PATH (v), 4095);
    for (unsigned i = 0; i < CLIP_CLUSTER_XCOLUMNS; i++)
        cr_assert_eq (CLIP_CLUSTER_XCLASS (v, i), 0);
    cr_assert_eq (lookup (c, "madrid"), 0);
    clip_clusters_destroy (&c);
    cr_assert_null (c);
    tu_rmtree (dir);
    free (dir);
}

/*  A class that is not a number in range, an empty column or a fifth
    exchange column is refused with the file and the line named.  */
Test (clusters, bad_exchange_columns_are_refused) {
    char *dir = tu_tempdir ("clusters");
    static const char *const bad [] = {
        "ok\t1\t2\t3\nberlin\t1\t2\tx7\n",
        "berlin\t1\t2\t2047\n",
        "berlin\t1\t2\t99999999999999999999\n",
        "berlin\t1\t2\t\n",
        "berlin\t1\t2\t-1\n",
        "berlin\t1\t2\t1\t2\t3\t4\t5\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char err [256] = "";
        clip_clusters_t *c = load_text (dir, bad [i], err, sizeof err);
        cr_assert_null (c, "case %zu loaded", i);
        cr_assert (strstr (err, "clusters.tsv") && strstr (err, "berlin"),
                   "case %zu: %s", i, err);
        cr_assert (strstr (err, "exchange"), "case %zu: %s", i, err);
    }
    tu_rmtree (dir);
    free (dir);
}

/*  A small corpus where cities follow "in" and verbs follow "he":
    exchange clustering puts the words with the same predecessors in one
    class and the others elsewhere, keeps the base file's columns, marks a
    word the text lacks with "-", gives the same bytes on a second run, and
    adds a second column on top of the first.  */
Test (clusters, exchange_groups_words_after_the_same_words) {
    char *dir = tu_tempdir ("clusters");
    char *text_dir = clip_path_join (dir, "text");
    cr_assert_eq (mkdir (text_dir, 0700), 0);
    static const char *const verbs [] = { "lives", "works", "sleeps" };
    static const char *const cities [] = { "paris", "berlin", "rome" };
    char *corpus = NULL;
    size_t len = 0;
    FILE *f = open_memstream (&corpus, &len);
    for (int round = 0; round < 20; round++)
        for (int v = 0; v < 3; v++)
            for (int c = 0; c < 3; c++)
                fprintf (f, "He %s in %s.\n\n", verbs [(v + round) % 3], cities [(c + v) % 3]);
    fclose (f);
    char *article = clip_path_join (text_dir, "a.txt");
    tu_write (article, corpus, len);

    /*  The base: each word of the text with made-up path and bucket, and
        one word the text lacks.  */
    char *base = clip_path_join (dir, "base.tsv");
    static const char base_text [] =
        ".\t1\t4\nberlin\t2\t3\nhe\t3\t2\nin\t4\t0\nlives\t5\t0\nmadrid\t6\t3\n"
        "paris\t7\t3\nrome\t8\t3\nsleeps\t9\t0\nworks\t10\t0\n";
    tu_write (base, base_text, sizeof base_text - 1);
    char *out = clip_path_join (dir, "out.tsv"), *again = clip_path_join (dir, "again.tsv");
    char *two = clip_path_join (dir, "two.tsv");
    char err [256] = "";
    char *dirs [] = { text_dir };
    cr_assert_eq (clip_clusters_exchange (dirs, 1, base, 4, 20, out, NULL, err, sizeof err), 0,
                  "%s", err);
    cr_assert_eq (clip_clusters_exchange (dirs, 1, base, 4, 20, again, NULL, err, sizeof err), 0,
                  "%s", err);
    size_t n1, n2;
    char *b1 = tu_read (out, &n1), *b2 = tu_read (again, &n2);
    cr_assert (n1 == n2 && memcmp (b1, b2, n1) == 0, "two runs differ");
    cr_assert (strstr (b1, "madrid\t6\t3\t-\n"), "%s", b1);
    cr_assert (strstr (b1, "paris\t7\t3\t"), "%s", b1);

    clip_clusters_t *c = clip_clusters_load (out, err, sizeof err);
    cr_assert_not_null (c, "%s", err);
    uint32_t city = CLIP_CLUSTER_XCLASS (lookup (c, "paris"), 0);
    uint32_t verb = CLIP_CLUSTER_XCLASS (lookup (c, "lives"), 0);
    cr_assert_neq (city, 0);
    cr_assert_neq (verb, 0);
    cr_assert_neq (city, verb);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (lookup (c, "berlin"), 0), city);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (lookup (c, "rome"), 0), city);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (lookup (c, "works"), 0), verb);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (lookup (c, "sleeps"), 0), verb);
    cr_assert_neq (CLIP_CLUSTER_XCLASS (lookup (c, "in"), 0), city);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (lookup (c, "madrid"), 0), 0);
    cr_assert_eq (CLIP_CLUSTER_PATH (lookup (c, "rome")), 8);
    clip_clusters_destroy (&c);

    /*  A second column on the first; a fifth is refused.  */
    cr_assert_eq (clip_clusters_exchange (dirs, 1, out, 2, 20, two, NULL, err, sizeof err), 0,
                  "%s", err);
    c = clip_clusters_load (two, err, sizeof err);
    cr_assert_not_null (c, "%s", err);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (lookup (c, "paris"), 0), city);
    cr_assert_neq (CLIP_CLUSTER_XCLASS (lookup (c, "paris"), 1), 0);
    clip_clusters_destroy (&c);
    cr_assert_eq (clip_clusters_exchange (dirs, 1, two, 2, 20, again, NULL, err, sizeof err), 0,
                  "%s", err);
    cr_assert_eq (clip_clusters_exchange (dirs, 1, again, 2, 20, again, NULL, err, sizeof err), 0,
                  "%s", err);
    cr_assert_eq (clip_clusters_exchange (dirs, 1, again, 2, 20, again, NULL, err, sizeof err),
                  -1);
    cr_assert (strstr (err, "columns"), "%s", err);
    cr_assert_eq (clip_clusters_exchange (dirs, 1, base, 1, 20, again, NULL, err, sizeof err),
                  -1);

    free (b1);
    free (b2);
    free (two);
    free (again);
    free (out);
    free (base);
    free (article);
    free (corpus);
    free (text_dir);
    tu_rmtree (dir);
    free (dir);
}

/*  A word known only by its classes ("-" for path and bucket) is known,
    has no path, and keeps its classes; "-" in one of the two alone is
    refused.  */
Test (clusters, words_without_a_path_are_known_by_their_classes) {
    char *dir = tu_tempdir ("clusters");
    char err [256] = "";
    clip_clusters_t *c = load_text (dir, "berlin\t1234\t3\t5\t-\t7\n"
                                         "vorkuta\t-\t-\t-\t-\t9\n", err, sizeof err);
    cr_assert_not_null (c, "%s", err);
    uint64_t v = lookup (c, "Berlin");
    cr_assert (CLIP_CLUSTER_HAS_PATH (v));
    cr_assert_eq (CLIP_CLUSTER_XCLASS (v, 2), 8);
    v = lookup (c, "Vorkuta");
    cr_assert (v & CLIP_CLUSTER_KNOWN);
    cr_assert (v & CLIP_CLUSTER_PATHLESS);
    cr_assert_not (CLIP_CLUSTER_HAS_PATH (v));
    cr_assert_eq (CLIP_CLUSTER_PATH (v), 0);
    cr_assert_eq (CLIP_CLUSTER_CAPB (v), 0);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (v, 0), 0);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (v, 2), 10);
    cr_assert_not (CLIP_CLUSTER_HAS_PATH (lookup (c, "madrid")));
    clip_clusters_destroy (&c);
    static const char *const bad [] = { "berlin\t-\t3\t5\n", "berlin\t12\t-\t5\n" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        c = load_text (dir, bad [i], err, sizeof err);
        cr_assert_null (c, "case %zu loaded", i);
        cr_assert (strstr (err, "berlin") && strstr (err, "bucket"), "case %zu: %s", i, err);
    }
    tu_rmtree (dir);
    free (dir);
}

/*  Word vectors in two tight groups: k-means puts each group in one
    class, the base file's words get the class as one more column, the
    vectors' other words are added without path or bucket, a later line
    of a key already read (case, digits) is skipped, the same input gives
    the same bytes, and a line with the wrong count of numbers is refused
    with its number.  */
Test (clusters, vectors_are_classed_by_kmeans) {
    char *dir = tu_tempdir ("clusters");
    char *vectors = clip_path_join (dir, "vectors.txt");
    static const char vectors_text [] =
        "paris 1 0.1 0\n"
        "lives 0 1 0.1\n"
        "berlin 0.9 0 0.1\n"
        "works 0.1 0.9 0\n"
        "vorkuta 1 0 0.05\n"
        "sleeps 0 1 0\n"
        "Paris 0 1 0\n"
        "1996 0.95 0.1 0\n"
        "1997 0 1 0\n";
    tu_write (vectors, vectors_text, sizeof vectors_text - 1);
    char *base = clip_path_join (dir, "base.tsv");
    static const char base_text [] = "berlin\t2\t3\t5\nlives\t5\t0\t6\nmadrid\t6\t3\t5\n";
    tu_write (base, base_text, sizeof base_text - 1);
    char *out = clip_path_join (dir, "out.tsv"), *again = clip_path_join (dir, "again.tsv");
    char err [256] = "";
    cr_assert_eq (clip_clusters_vectors (vectors, base, 2, 100, out, NULL, err, sizeof err), 0,
                  "%s", err);
    cr_assert_eq (clip_clusters_vectors (vectors, base, 2, 100, again, NULL, err, sizeof err),
                  0, "%s", err);
    size_t n1, n2;
    char *b1 = tu_read (out, &n1), *b2 = tu_read (again, &n2);
    cr_assert (n1 == n2 && memcmp (b1, b2, n1) == 0, "two runs differ");
    cr_assert (strstr (b1, "madrid\t6\t3\t5\t-\n"), "%s", b1);
    cr_assert (strstr (b1, "\nvorkuta\t-\t-\t-\t"), "%s", b1);
    cr_assert (strstr (b1, "\n0000\t-\t-\t-\t"), "%s", b1);
    cr_assert_null (strstr (b1, "Paris"), "%s", b1);

    clip_clusters_t *c = clip_clusters_load (out, err, sizeof err);
    cr_assert_not_null (c, "%s", err);
    cr_assert_eq (clip_clusters_size (c), 8, "%s", b1);
    uint64_t v = lookup (c, "Berlin");
    cr_assert (CLIP_CLUSTER_HAS_PATH (v));
    cr_assert_eq (CLIP_CLUSTER_PATH (v), 2);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (v, 0), 6);
    uint32_t city = CLIP_CLUSTER_XCLASS (v, 1), verb = CLIP_CLUSTER_XCLASS (lookup (c, "lives"), 1);
    cr_assert (city != 0 && verb != 0 && city != verb, "%s", b1);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (lookup (c, "paris"), 1), city);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (lookup (c, "vorkuta"), 1), city);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (lookup (c, "1986"), 1), city);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (lookup (c, "works"), 1), verb);
    cr_assert_eq (CLIP_CLUSTER_XCLASS (lookup (c, "sleeps"), 1), verb);
    cr_assert_not (CLIP_CLUSTER_HAS_PATH (lookup (c, "vorkuta")));
    cr_assert_eq (CLIP_CLUSTER_XCLASS (lookup (c, "madrid"), 1), 0);
    clip_clusters_destroy (&c);

    /*  --max-words: the first words only.  */
    cr_assert_eq (clip_clusters_vectors (vectors, base, 2, 4, again, NULL, err, sizeof err), 0,
                  "%s", err);
    free (b2);
    b2 = tu_read (again, &n2);
    cr_assert_null (strstr (b2, "vorkuta"), "%s", b2);
    cr_assert (strstr (b2, "\nparis\t-\t-\t-\t"), "%s", b2);

    /*  A base of many lines and a vectors file of two words: each base
        line still grows by its column, which the output's room must
        count (it was sized by the vectors' words alone).  */
    {
        size_t nb = 5000, blen = 0;
        char *big = clip_malloc (nb * 16);
        for (size_t i = 0; i < nb; i++)
            blen += (size_t) sprintf (big + blen, "w%zu\t1\t2\n", i);
        tu_write (base, big, blen);
        static const char two_text [] = "alpha 1 0 0\nbeta 0 1 0\n";
        tu_write (vectors, two_text, sizeof two_text - 1);
        cr_assert_eq (clip_clusters_vectors (vectors, base, 2, 100, again, NULL, err, sizeof err),
                      0, "%s", err);
        size_t nb2;
        char *b3 = tu_read (again, &nb2);
        cr_assert (strstr (b3, "w4999\t1\t2\t-\n") && nb2 > blen + nb, "%zu bytes", nb2);
        free (b3);
        free (big);
        tu_write (base, base_text, sizeof base_text - 1);
    }

    static const char bad_text [] = "paris 1 0 0\nberlin 1 0\n";
    tu_write (vectors, bad_text, sizeof bad_text - 1);
    cr_assert_eq (clip_clusters_vectors (vectors, base, 2, 100, again, NULL, err, sizeof err),
                  -1);
    cr_assert (strstr (err, "line 2") && strstr (err, "vectors.txt"), "%s", err);
    static const char nan_text [] = "paris 1 x 0\n";
    tu_write (vectors, nan_text, sizeof nan_text - 1);
    cr_assert_eq (clip_clusters_vectors (vectors, base, 2, 100, again, NULL, err, sizeof err),
                  -1);
    cr_assert (strstr (err, "line 1") && strstr (err, "not a number"), "%s", err);
    free (b1);
    free (b2);
    free (again);
    free (out);
    free (base);
    free (vectors);
    tu_rmtree (dir);
    free (dir);
}
