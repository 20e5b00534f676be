/*  clip keygen: write a CURVE key pair, NAME.key (mode 0600) and NAME.pub
    (0644), in the format of common/clip_curve.h, and print the public key.

    Nothing is ever overwritten without --force: an existing NAME.key or
    NAME.pub stops it before anything is written, and the files are put in
    place with link(), which refuses a name that appeared meanwhile.  */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_cmd.h"
#include "clip_curve.h"
#include "clip_util.h"

static void
usage (FILE *out)
{
    fprintf (out,
        "Usage: clip keygen [--force] NAME\n"
        "\n"
        "Write a new CURVE key pair for clipd's endpoints: NAME.key (the pair, mode\n"
        "0600: keep it secret) and NAME.pub (the public key, to share), and print the\n"
        "public key.  NAME may hold a folder (keys/worker-1).  Give the server's\n"
        "NAME.key to clipd --curve-secret; put a worker's NAME.pub in clipd's\n"
        "--curve-workers folder, a subscriber's in --curve-subscribers.\n"
        "\n"
        "Options:\n"
        "  --force      replace existing files\n"
        "  -h, --help   print this help\n"
        "\n"
        "Exit status: 0 written, 1 not written (a file exists, or an error), 2 bad usage.\n");
}

int
clip_keygen_main (int argc, char **argv)
{
    bool force = false;
    const char *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv [i], "--help") == 0 || strcmp (argv [i], "-h") == 0) {
            usage (stdout);
            return 0;
        }
        if (strcmp (argv [i], "--force") == 0)
            force = true;
        else
        if (argv [i][0] == '-' && argv [i][1]) {
            fprintf (stderr, "clip keygen: unknown option '%s' (see clip keygen --help)\n",
                     argv [i]);
            return 2;
        }
        else
        if (name) {
            fprintf (stderr, "clip keygen: one NAME only ('%s' is extra)\n", argv [i]);
            return 2;
        }
        else
            name = argv [i];
    }
    if (!name || !*name) {
        fprintf (stderr, "clip keygen: NAME is missing (see clip keygen --help)\n");
        return 2;
    }
    size_t len = strlen (name);
    if (name [len - 1] == '/') {
        fprintf (stderr, "clip keygen: NAME '%s' is a folder: give a name in it (%sNAME)\n",
                 name, name);
        return 2;
    }
    char err [1024];
    clip_curve_pair_t pair;
    if (clip_curve_pair_generate (&pair, err, sizeof err) != 0) {
        fprintf (stderr, "clip keygen: %s\n", err);
        return 1;
    }
    char *key_path = clip_strprintf ("%s.key", name);
    char *pub_path = clip_strprintf ("%s.pub", name);
    int rc = clip_curve_pair_write (key_path, pub_path, &pair, force, err, sizeof err);
    free (key_path);
    free (pub_path);
    memset (pair.secret_z85, 0, sizeof pair.secret_z85);
    if (rc == -EEXIST) {
        fprintf (stderr, "clip keygen: %s: not overwritten (--force replaces it)\n", err);
        return 1;
    }
    if (rc != 0) {
        fprintf (stderr, "clip keygen: %s\n", err);
        return 1;
    }
    printf ("%s\n", pair.public_z85);
    return 0;
}
