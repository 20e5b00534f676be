/*  clip_datadir: the data directory's layouts and its default.  */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clip_datadir.h"
#include "clip_util.h"
#include "testutil.h"

static char *dir;

static void
cleanup (void)
{
    tu_rmtree (dir);
    free (dir);
    dir = NULL;
}

TestSuite (datadir, .fini = cleanup);

static void
expect_path (const char *data_dir, clip_data_t what, const char *relative)
{
    char *got = clip_datadir_path (data_dir, what);
    char *want = clip_path_join (data_dir, relative);
    cr_expect_str_eq (got, want);
    free (got);
    free (want);
}

Test (datadir, an_installed_layout_is_mapped)
{
    dir = tu_tempdir ("datadir");
    char *model = clip_path_join (dir, "model");
    char *corpus = clip_path_join (dir, "corpus");
    char *huawei = clip_path_join (dir, "corpus/huawei");
    char *aliases = clip_path_join (dir, "aliases.tsv");
    cr_assert_eq (mkdir (model, 0755), 0);
    cr_assert_eq (mkdir (corpus, 0755), 0);
    cr_assert_eq (mkdir (huawei, 0755), 0);
    tu_write (aliases, "x", 1);
    expect_path (dir, CLIP_DATA_MODEL, "model");
    expect_path (dir, CLIP_DATA_ALIASES, "aliases.tsv");
    expect_path (dir, CLIP_DATA_HUAWEI, "corpus/huawei");
    free (model);
    free (corpus);
    free (huawei);
    free (aliases);
}

Test (datadir, a_source_tree_is_mapped)
{
    expect_path (CLIP_SOURCE_DIR, CLIP_DATA_MODEL, "workers/ner/model");
    expect_path (CLIP_SOURCE_DIR, CLIP_DATA_ALIASES, "corpus/aliases.tsv");
    expect_path (CLIP_SOURCE_DIR, CLIP_DATA_HUAWEI, "corpus/huawei");
}

Test (datadir, a_folder_with_neither_gives_the_installed_path_for_errors)
{
    dir = tu_tempdir ("datadir");
    expect_path (dir, CLIP_DATA_MODEL, "model");
    expect_path (dir, CLIP_DATA_ALIASES, "aliases.tsv");
}

Test (datadir, a_program_not_installed_falls_back_to_its_source_tree)
{
    /*  This test runs from the build tree: no share/clipd beside it.  */
    cr_expect_str_eq (clip_datadir_default (), CLIP_DATADIR);
    cr_expect_str_eq (clip_datadir_source (), CLIP_DATADIR);
}
