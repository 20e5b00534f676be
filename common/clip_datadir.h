/*  clip_datadir: where the shipped data (the NER model, the alias table,
    the Huawei corpus) is found.

    Two layouts hold it.  An install (cmake --install, a Debian package, the
    container image) puts it under PREFIX/share/clipd:

        PREFIX/share/clipd/model/          the files of workers/ner/model
        PREFIX/share/clipd/aliases.tsv
        PREFIX/share/clipd/corpus/huawei/

    A source checkout holds it where the project keeps it: workers/ner/model,
    corpus/aliases.tsv, corpus/huawei.  A data directory may be either
    (--data-dir, CLIPD_DATA_DIR): clip_datadir_path maps (directory, what)
    to the file or folder, whichever layout the directory has.

    The default data directory is found at run time, never compiled in as the
    only choice, so that an installed tree can be moved (--prefix at install
    time, a copy between container stages) and still works with its source
    checkout gone: the folder share/clipd beside the program's bin/ folder
    (/proc/self/exe, symlinks resolved) when it holds the model, else the
    source tree the program was built from (CLIP_DATADIR), so that programs
    run from their build tree (the README's run command) keep working.
*/
#ifndef CLIP_DATADIR_H
#define CLIP_DATADIR_H

typedef enum {
    CLIP_DATA_MODEL,            /* the folder of the NER model files */
    CLIP_DATA_ALIASES,          /* the alias table (aliases.tsv) */
    CLIP_DATA_HUAWEI,           /* the folder of the shipped Huawei articles */
} clip_data_t;

/*  The default data directory (see above): a static string, computed once,
    never NULL.  Thread-safe.  */
const char *clip_datadir_default (void);

/*  The source tree this program was built from (CLIP_DATADIR), for the
    developer's commands that write the model there (clip ner train,
    clip ner clusters).  A static string.  */
const char *clip_datadir_source (void);

/*  The path of what in data_dir: the installed layout's when it exists
    there, else the source tree's when that exists, else the installed
    layout's (so that an error names the path of an install).  Caller owns
    the result.  */
char *clip_datadir_path (const char *data_dir, clip_data_t what);

#endif
