/*  clip_datadir: where the shipped data is found.  See clip_datadir.h.  */
#include "clip_datadir.h"

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clip_util.h"

#ifndef CLIP_DATADIR
#  error "CLIP_DATADIR (the source tree holding the data) must be defined by the build"
#endif

/*  Each piece of data, relative to a data directory, in the installed layout
    and in the source tree's.  One table, so that a data directory given by
    an operator may be either: an install's share/clipd (what a package or
    the container ships), or a source checkout (what a developer has, and
    what the README's build-in-place run uses).  The Huawei corpus happens
    to sit at the same place in both.  */
static const struct {
    const char *installed;
    const char *source;
} layout [] = {
    [CLIP_DATA_MODEL]   = { "model",         "workers/ner/model" },
    [CLIP_DATA_ALIASES] = { "aliases.tsv",   "corpus/aliases.tsv" },
    [CLIP_DATA_HUAWEI]  = { "corpus/huawei", "corpus/huawei" },
};

/*  The file whose presence makes a folder a data directory worth taking as
    the default: the model, without which no program can analyse.  */
#define MODEL_PROBE "model.bin"

char *
clip_datadir_path (const char *data_dir, clip_data_t what)
{
    size_t n = sizeof layout / sizeof layout [0];
    if ((size_t) what >= n)
        abort ();               /* the caller's bug: not an input */
    char *installed = clip_path_join (data_dir, layout [what].installed);
    struct stat st;
    if (stat (installed, &st) == 0)
        return installed;
    char *source = clip_path_join (data_dir, layout [what].source);
    if (stat (source, &st) == 0) {
        free (installed);
        return source;
    }
    free (source);
    return installed;
}

static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static char default_dir [PATH_MAX];

static bool
holds_model (const char *dir)
{
    char *model = clip_datadir_path (dir, CLIP_DATA_MODEL);
    char *probe = clip_path_join (model, MODEL_PROBE);
    bool ok = access (probe, R_OK) == 0;
    free (probe);
    free (model);
    return ok;
}

static void
find_default (void)
{
    /*  The program's own file, symlinks resolved by the kernel: a
        /usr/local/bin/clipd linked to /opt/clipd/bin/clipd finds
        /opt/clipd/share/clipd.  */
    char exe [PATH_MAX];
    ssize_t len = readlink ("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe [len] = 0;
        char *slash = strrchr (exe, '/');
        if (slash) {
            *slash = 0;
            char *candidate = clip_strprintf ("%s/../share/clipd", exe);
            char resolved [PATH_MAX];
            if (holds_model (candidate) && realpath (candidate, resolved)
            &&  strlen (resolved) < sizeof default_dir) {
                strcpy (default_dir, resolved);
                free (candidate);
                return;
            }
            free (candidate);
        }
    }
    snprintf (default_dir, sizeof default_dir, "%s", CLIP_DATADIR);
}

const char *
clip_datadir_default (void)
{
    pthread_once (&default_once, find_default);
    return default_dir;
}

const char *
clip_datadir_source (void)
{
    return CLIP_DATADIR;
}
