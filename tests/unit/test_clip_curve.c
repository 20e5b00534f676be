/*  clip_curve: key files are input.  Each bad file is refused with a
    message naming the file and what is wrong; allow-list folders are
    taken whole or not at all.  */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "clip_curve.h"
#include "clip_util.h"
#include "testutil.h"

static char *s_dir;

static void
fini (void)
{
    if (s_dir) {
        tu_rmtree (s_dir);
        free (s_dir);
        s_dir = NULL;
    }
}

static void
init (void)
{
    s_dir = tu_tempdir ("curve-unit");
}

TestSuite (clip_curve, .init = init, .fini = fini);

/*  Write text to s_dir/name with mode; returns the path (caller owns).  */
static char *
put (const char *name, const char *text, mode_t mode)
{
    char *path = clip_path_join (s_dir, name);
    tu_write (path, text, strlen (text));
    chmod (path, mode);
    return path;
}

static clip_curve_pair_t
fresh_pair (void)
{
    clip_curve_pair_t pair;
    char err [256];
    cr_assert_eq (clip_curve_pair_generate (&pair, err, sizeof err), 0, "%s", err);
    return pair;
}

/*  Load a pair from text; expect a refusal whose message holds each of
    the needles (and the file's path).  */
static void
expect_pair_refused (const char *text, mode_t mode, const char *needle)
{
    char *path = put ("bad.key", text, mode);
    clip_curve_pair_t pair;
    char err [1024] = "";
    cr_assert_eq (clip_curve_pair_load (path, &pair, err, sizeof err), -1, "refused: %s", text);
    cr_assert (strstr (err, path), "names the file: %s", err);
    cr_assert (strstr (err, needle), "says '%s': %s", needle, err);
    free (path);
}

Test (clip_curve, good_pair_loads)
{
    clip_curve_pair_t pair = fresh_pair ();
    char *text = clip_strprintf ("# comment\npublic-key = %s\nsecret-key = %s\n",
                                 pair.public_z85, pair.secret_z85);
    char *path = put ("good.key", text, 0600);
    clip_curve_pair_t got;
    char err [512];
    cr_assert_eq (clip_curve_pair_load (path, &got, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq (got.public_z85, pair.public_z85);
    cr_assert_str_eq (got.secret_z85, pair.secret_z85);
    /*  0400 is fine too (Kubernetes' defaultMode).  */
    chmod (path, 0400);
    cr_assert_eq (clip_curve_pair_load (path, &got, err, sizeof err), 0, "%s", err);
    free (path);
    free (text);
}

Test (clip_curve, bad_pairs_refused)
{
    clip_curve_pair_t a = fresh_pair (), b = fresh_pair ();
    char *text;

    char *missing = clip_path_join (s_dir, "none.key");
    clip_curve_pair_t pair;
    char err [1024];
    cr_assert_eq (clip_curve_pair_load (missing, &pair, err, sizeof err), -1);
    cr_assert (strstr (err, missing) && strstr (err, "No such file"), "%s", err);
    free (missing);

    text = clip_strprintf ("public-key = %s\nsecret-key = %s\n", a.public_z85, a.secret_z85);
    expect_pair_refused (text, 0644, "chmod 600");
    expect_pair_refused (text, 0640, "chmod 600");
    free (text);

    text = clip_strprintf ("public-key = %s\nsecret-key = %s\n", a.public_z85, b.secret_z85);
    expect_pair_refused (text, 0600, "does not match");
    free (text);

    text = clip_strprintf ("public-key = %s\n", a.public_z85);
    expect_pair_refused (text, 0600, "no secret-key");
    free (text);

    text = clip_strprintf ("secret-key = %s\n", a.secret_z85);
    expect_pair_refused (text, 0600, "no public-key");
    free (text);

    text = clip_strprintf ("public-key = %.39s\nsecret-key = %s\n", a.public_z85, a.secret_z85);
    expect_pair_refused (text, 0600, "39 characters");
    free (text);

    /*  40 characters, but '~' and ',' are not Z85.  */
    text = clip_strprintf ("public-key = ~~~~%.35s,\nsecret-key = %s\n", a.public_z85 + 4,
                           a.secret_z85);
    expect_pair_refused (text, 0600, "not valid Z85");
    free (text);

    text = clip_strprintf ("public-key = %s\npublic-key = %s\nsecret-key = %s\n", a.public_z85,
                           a.public_z85, a.secret_z85);
    expect_pair_refused (text, 0600, "twice");
    free (text);

    text = clip_strprintf ("public-key = %s\nsecret-key = %s\ncolour = blue\n", a.public_z85,
                           a.secret_z85);
    expect_pair_refused (text, 0600, "unknown key 'colour'");
    free (text);

    expect_pair_refused ("this is not a key file\n", 0600, "line 1");

    /*  Bounded: a huge file is not read.  */
    char *big = clip_calloc (1, CLIP_CURVE_FILE_MAX + 100);
    memset (big, '#', CLIP_CURVE_FILE_MAX + 99);
    expect_pair_refused (big, 0600, "more than a key file holds");
    free (big);

    /*  Not a regular file.  */
    char *dir = clip_path_join (s_dir, "adir.key");
    mkdir (dir, 0700);
    cr_assert_eq (clip_curve_pair_load (dir, &pair, err, sizeof err), -1);
    cr_assert (strstr (err, "not a regular file"), "%s", err);
    free (dir);
}

Test (clip_curve, public_from_pub_key_or_literal)
{
    clip_curve_pair_t a = fresh_pair ();
    char z85 [CLIP_CURVE_Z85_LEN + 1], err [1024];
    cr_assert_eq (clip_curve_public_load (a.public_z85, z85, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq (z85, a.public_z85, "a literal Z85 key");

    char *text = clip_strprintf ("public-key = %s\n", a.public_z85);
    char *pub = put ("a.pub", text, 0644);
    memset (z85, 0, sizeof z85);
    cr_assert_eq (clip_curve_public_load (pub, z85, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq (z85, a.public_z85, "a .pub file");
    free (text);
    free (pub);

    text = clip_strprintf ("public-key = %s\nsecret-key = %s\n", a.public_z85, a.secret_z85);
    char *key = put ("a.key", text, 0600);
    memset (z85, 0, sizeof z85);
    cr_assert_eq (clip_curve_public_load (key, z85, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq (z85, a.public_z85, "a .key file");
    free (text);
    free (key);

    cr_assert_eq (clip_curve_public_load ("0123456789012345678901234567890123456789~", z85, err,
                                          sizeof err), -1);
    cr_assert_eq (clip_curve_public_load ("~123456789012345678901234567890123456789", z85, err,
                                          sizeof err), -1, "40 characters, not Z85");
    cr_assert (strstr (err, "neither a key file nor a valid Z85 key"), "%s", err);
    char *empty = put ("empty.pub", "# nothing\n", 0644);
    cr_assert_eq (clip_curve_public_load (empty, z85, err, sizeof err), -1);
    cr_assert (strstr (err, "no public-key") && strstr (err, empty), "%s", err);
    free (empty);
}

Test (clip_curve, allow_list_folder)
{
    char *dir = clip_path_join (s_dir, "allowed");
    cr_assert_eq (clip_mkdirs (dir, 0755), 0);
    clip_curve_pair_t a = fresh_pair (), b = fresh_pair (), c = fresh_pair ();
    const clip_curve_pair_t *pairs [2] = { &a, &b };
    for (int i = 0; i < 2; i++) {
        char *path = clip_strprintf ("%s/k%d.pub", dir, i);
        char *text = clip_strprintf ("public-key = %s\n", pairs [i]->public_z85);
        tu_write (path, text, strlen (text));
        free (text);
        free (path);
    }
    /*  Not *.pub: ignored, even when not a key.  */
    char *readme = clip_strprintf ("%s/README", dir);
    tu_write (readme, "not a key", 9);
    free (readme);
    char err [1024];
    clip_curve_list_t *list = clip_curve_list_load_dir (dir, err, sizeof err);
    cr_assert_not_null (list, "%s", err);
    cr_assert_eq (clip_curve_list_size (list), 2);
    uint8_t key [32];
    zmq_z85_decode (key, a.public_z85);
    cr_assert (clip_curve_list_has (list, key));
    zmq_z85_decode (key, c.public_z85);
    cr_assert_not (clip_curve_list_has (list, key), "an unlisted key");
    cr_assert_eq (clip_curve_list_add (list, c.public_z85), 0);
    cr_assert (clip_curve_list_has (list, key));
    cr_assert_eq (clip_curve_list_add (list, c.public_z85), 0, "twice is once");
    cr_assert_eq (clip_curve_list_size (list), 3);
    cr_assert_eq (clip_curve_list_add (list, "short"), -1);
    clip_curve_list_destroy (&list);
    cr_assert_null (list);

    /*  One bad .pub: the whole folder is refused, naming it.  */
    char *bad = clip_strprintf ("%s/bad.pub", dir);
    tu_write (bad, "public-key = short\n", 19);
    list = clip_curve_list_load_dir (dir, err, sizeof err);
    cr_assert_null (list);
    cr_assert (strstr (err, bad) && strstr (err, "5 characters"), "%s", err);
    /*  A secret in an allow-list folder is a mistake.  */
    char *text = clip_strprintf ("public-key = %s\nsecret-key = %s\n", c.public_z85, c.secret_z85);
    tu_write (bad, text, strlen (text));
    free (text);
    list = clip_curve_list_load_dir (dir, err, sizeof err);
    cr_assert_null (list);
    cr_assert (strstr (err, "secret-key"), "%s", err);
    free (bad);

    char *missing = clip_path_join (s_dir, "missing");
    cr_assert_null (clip_curve_list_load_dir (missing, err, sizeof err));
    cr_assert (strstr (err, missing), "%s", err);
    free (missing);
    free (dir);
}

Test (clip_curve, write_refuses_existing)
{
    clip_curve_pair_t a = fresh_pair ();
    char *key = clip_path_join (s_dir, "w.key");
    char *pub = clip_path_join (s_dir, "w.pub");
    char err [1024];
    cr_assert_eq (clip_curve_pair_write (key, pub, &a, false, err, sizeof err), 0, "%s", err);
    struct stat st;
    cr_assert_eq (stat (key, &st), 0);
    cr_assert_eq (st.st_mode & 0777, 0600);
    cr_assert_eq (clip_curve_pair_write (key, pub, &a, false, err, sizeof err), -EEXIST);
    cr_assert (strstr (err, key), "%s", err);
    clip_curve_pair_t got;
    cr_assert_eq (clip_curve_pair_load (key, &got, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq (got.secret_z85, a.secret_z85);
    free (key);
    free (pub);
}
