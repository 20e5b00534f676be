/*  fuzz_config: clipd's config reader (daemon/config.h) on arbitrary config
    files, through the public API as clipd uses it: the input is written to
    a temporary file and parsed with `clipd --config FILE`.  Errors are
    printed to stderr by the reader; that is expected.

    Checks, besides the sanitizers: the reader answers 0 or 2 (never 1, which
    is for --help and --version), and a file it accepts yields settings that
    hold what config.c validates.  */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fuzz_check.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char path [64];

static void
remove_file (void)
{
    unlink (path);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    snprintf (path, sizeof path, "/tmp/clip-fuzz-config-%d.conf", (int) getpid ());
    atexit (remove_file);
    /*  The environment must not decide the outcome.  */
    extern char **environ;
    for (char **e = environ; *e; ) {
        if (strncmp (*e, "CLIPD_", 6) == 0) {
            char name [128];
            size_t n = strcspn (*e, "=");
            snprintf (name, sizeof name, "%.*s", (int) n, *e);
            unsetenv (name);
        }
        else
            e++;
    }
    return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    FILE *f = fopen (path, "wb");
    FUZZ_CHECK (f, "cannot write %s", path);
    FUZZ_CHECK (fwrite (data, 1, size, f) == size, "short write");
    fclose (f);
    char *argv [] = { "clipd", "--config", path, NULL };
    clipd_config_t cfg;
    int rc = clipd_config_parse (&cfg, 3, argv);
    FUZZ_CHECK (rc == 0 || rc == 2, "clipd_config_parse returned %d", rc);
    if (rc == 0) {
        FUZZ_CHECK (cfg.on_done && (strcmp (cfg.on_done, "keep") == 0 || strcmp (cfg.on_done, "delete") == 0),
                    "on-done '%s' accepted", cfg.on_done ? cfg.on_done : "(null)");
        FUZZ_CHECK (cfg.max_inflight && cfg.max_pending && cfg.heartbeat_ms && cfg.max_attempts
                    && cfg.settle_ms && cfg.rescan_ms, "a zero that must be positive was accepted");
        FUZZ_CHECK (cfg.near_containment >= 0 && cfg.near_containment <= 1
                    && cfg.near_jaccard >= 0 && cfg.near_jaccard <= 1
                    && cfg.related_containment >= 0 && cfg.related_containment <= 1,
                    "a threshold outside [0, 1] was accepted");
        FUZZ_CHECK (cfg.config && strcmp (cfg.config, path) == 0, "the flag lost to the file");
    }
    clipd_config_clear (&cfg);
    return 0;
}
