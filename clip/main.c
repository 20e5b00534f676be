/*  clip: the clipd tool.  Dispatches to one subcommand.  */
#include <stdio.h>
#include <string.h>

#include "clip_cmd.h"
#include "clip_log.h"

typedef struct {
    const char *name;
    int (*main) (int argc, char **argv);
    const char *help;
} command_t;

static const command_t commands[] = {
    { "sub", clip_sub_main, "print published records as JSON: replay since N, then follow live" },
    { "analyze", clip_analyze_main, "analyse files offline and print one JSON result per file" },
    { "status", clip_status_main, "a running clipd's health (or, with --metrics, its metrics)" },
    { "corpus", clip_corpus_main, "the corpus of seen articles: import, stats, explain, compact" },
    { "ner", clip_ner_main, "train, evaluate and try the named-entity model (train, eval, tag, ...)" },
    { "keygen", clip_keygen_main, "write a CURVE key pair NAME.key and NAME.pub for clipd's endpoints" },
};
#define N_COMMANDS (sizeof commands / sizeof commands [0])

static void
usage (FILE *out)
{
    fprintf (out, "Usage: clip COMMAND [ARGS]\n\nCommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf (out, "  %-10s %s\n", commands [i].name, commands [i].help);
    fprintf (out, "\n'clip COMMAND --help' tells more.  'clip --version' prints the version.\n");
}

int
main (int argc, char **argv)
{
    clip_log_init ("clip", CLIP_LOG_INFO);
    if (argc < 2) {
        usage (stderr);
        return 2;
    }
    if (strcmp (argv [1], "--help") == 0 || strcmp (argv [1], "-h") == 0) {
        usage (stdout);
        return 0;
    }
    if (strcmp (argv [1], "--version") == 0) {
        printf ("clip %s\n", CLIP_VERSION);
        return 0;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp (argv [1], commands [i].name) == 0)
            return commands [i].main (argc - 1, argv + 1);
    fprintf (stderr, "clip: unknown command '%s'\n", argv [1]);
    usage (stderr);
    return 2;
}
