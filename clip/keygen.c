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
#include "clip_opt.h"
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
    static const struct option longopts [] = {
        { "force", no_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    clip_opt_begin ();
    int c;
    while ((c = clip_opt_next ("keygen", argc, argv, "h", longopts)) != -1) {
        switch (c) {
            case 'f': force = true; break;
            case 'h': usage (stdout); return 0;
            default: return 2;
        }
    }
    if (argc - optind > 1)
        return clip_opt_usage_error ("keygen", "one NAME only ('%s' is extra)", argv [optind + 1]);
    const char *name = optind < argc ? argv [optind] : NULL;
    if (!name || !*name)
        return clip_opt_usage_error ("keygen", "NAME is missing");
    size_t len = strlen (name);
    if (name [len - 1] == '/')
        return clip_opt_usage_error ("keygen", "NAME '%s' is a folder: give a name in it (%sNAME)",
                                     name, name);
    char err [1024];
    clip_curve_pair_t pair;
    if (clip_curve_pair_generate (&pair, err, sizeof err) != 0) {
        clip_opt_error ("keygen", "%s", err);
        return 1;
    }
    char *key_path = clip_strprintf ("%s.key", name);
    char *pub_path = clip_strprintf ("%s.pub", name);
    int rc = clip_curve_pair_write (key_path, pub_path, &pair, force, err, sizeof err);
    free (key_path);
    free (pub_path);
    memset (pair.secret_z85, 0, sizeof pair.secret_z85);
    if (rc == -EEXIST) {
        clip_opt_error ("keygen", "%s: not overwritten (--force replaces it)", err);
        return 1;
    }
    if (rc != 0) {
        clip_opt_error ("keygen", "%s", err);
        return 1;
    }
    printf ("%s\n", pair.public_z85);
    return 0;
}
