/*  The layering of issue 13, checked on the real build: clipd and
    clip-worker link no model-training code (it is the clip_ner_train
    library, linked only by clip), and corpus/ and workers/ include
    nothing of each other (common/ <- proto/ <- {corpus/, workers/}).  */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_util.h"
#include "testutil.h"

/*  Symbols only training, its CoNLL reader and the word-class builder
    define, and the `clip ner` command line.  */
static const char *const training [] = {
    "clip_tagger_train", "clip_clusters_build", "clip_ner_main", "clip_conll_read",
};
#define N_TRAINING (sizeof training / sizeof training [0])

/*  The symbols a program defines (nm --defined-only), one a line.  */
static char *
defined_symbols (const char *relative)
{
    char *bin = tu_bin (relative);
    const char *argv [] = { "/usr/bin/nm", "--defined-only", bin, NULL };
    char *out = NULL;
    int rc = tu_run (argv, &out, tu_scaled_ms (60000));
    cr_assert_eq (rc, 0, "nm %s", bin);
    cr_assert (out && *out, "nm printed nothing for %s", bin);
    free (bin);
    return out;
}

/*  Whether a line of nm's output names exactly sym.  */
static bool
defines (const char *nm_out, const char *sym)
{
    size_t l = strlen (sym);
    for (const char *p = strstr (nm_out, sym); p; p = strstr (p + 1, sym))
        if (p > nm_out && p [-1] == ' ' && (p [l] == '\n' || p [l] == 0))
            return true;
    return false;
}

Test (layers, daemon_and_worker_link_no_training_code)
{
    /*  The check can see the symbols at all: clip has them.  */
    char *clip = defined_symbols ("clip/clip");
    for (size_t i = 0; i < N_TRAINING; i++)
        cr_assert (defines (clip, training [i]), "clip lacks %s", training [i]);
    free (clip);
    const char *programs [] = { "daemon/clipd", "workers/clip-worker" };
    for (size_t p = 0; p < 2; p++) {
        char *syms = defined_symbols (programs [p]);
        for (size_t i = 0; i < N_TRAINING; i++)
            cr_expect (!defines (syms, training [i]), "%s defines %s", programs [p],
                       training [i]);
        free (syms);
    }
}

/*  The names of the headers of folder (relative to the source tree).  */
static void
headers_of (const char *folder, glob_t *g)
{
    char *pattern = clip_strprintf ("%s/%s/*.h", CLIP_SOURCE_DIR, folder);
    int rc = glob (pattern, 0, NULL, g);
    cr_assert (rc == 0 && g->gl_pathc > 0, "no headers in %s", pattern);
    free (pattern);
}

/*  Fail when a file of folder includes one of the headers.  */
static void
expect_no_include (const char *folder, const glob_t *headers)
{
    glob_t files;
    char *pattern = clip_strprintf ("%s/%s/*.[ch]", CLIP_SOURCE_DIR, folder);
    cr_assert_eq (glob (pattern, 0, NULL, &files), 0, "%s", pattern);
    for (size_t f = 0; f < files.gl_pathc; f++) {
        char *text = tu_read (files.gl_pathv [f], NULL);
        for (size_t h = 0; h < headers->gl_pathc; h++) {
            const char *base = strrchr (headers->gl_pathv [h], '/') + 1;
            char *line = clip_strprintf ("#include \"%s\"", base);
            cr_expect (!strstr (text, line), "%s: %s", files.gl_pathv [f], line);
            free (line);
        }
        free (text);
    }
    globfree (&files);
    free (pattern);
}

Test (layers, corpus_and_workers_include_nothing_of_each_other)
{
    glob_t workers, ner, corpus;
    headers_of ("workers", &workers);
    headers_of ("workers/ner", &ner);
    headers_of ("corpus", &corpus);
    expect_no_include ("corpus", &workers);
    expect_no_include ("corpus", &ner);
    expect_no_include ("workers", &corpus);
    expect_no_include ("workers/ner", &corpus);
    globfree (&workers);
    globfree (&ner);
    globfree (&corpus);
}
