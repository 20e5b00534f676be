/*  clip: the clipd tool.  Dispatches to one subcommand.  */
#include <getopt.h>
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
    fprintf (out, "\nOptions:\n  -h, --help     print this help\n  -V, --version  print the version\n"
                  "  --log-level debug|info|warn|error\n"
                  "                 the least important log line printed (default info;\n"
                  "                 environment: CLIP_LOG)\n"
                  "  --log-format logfmt|json\n"
                  "                 the log lines' form (default logfmt; CLIP_LOG_FORMAT)\n"
                  "\n'clip COMMAND --help' tells more about a command.  Exit status: 0 ok,\n"
                  "1 failure, 2 bad usage.\n");
}

int
main (int argc, char **argv)
{
    if (clip_log_init ("clip", CLIP_LOG_INFO) != 0)     /* CLIP_LOG, CLIP_LOG_FORMAT */
        return 2;
    if (argc < 2) {
        usage (stderr);
        return 2;
    }
    /*  Options of clip itself come before the command; "+" stops getopt at
        the command's name, whose own options are the command's.  */
    static const struct option longopts [] = {
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { "log-level", required_argument, NULL, 'L' },
        { "log-format", required_argument, NULL, 'F' },
        { NULL, 0, NULL, 0 }
    };
    optind = 0;
    opterr = 0;
    int c;
    /*  The flags win over CLIP_LOG and CLIP_LOG_FORMAT, read above.  */
    while ((c = getopt_long (argc, argv, "+:hV", longopts, NULL)) == 'L' || c == 'F') {
        int v = c == 'L' ? clip_log_level_from_name (optarg) : clip_log_format_from_name (optarg);
        if (v < 0) {
            fprintf (stderr, "clip: option '--%s' takes %s, not '%s'\nTry 'clip --help'.\n",
                     c == 'L' ? "log-level" : "log-format",
                     c == 'L' ? "debug, info, warn or error" : "logfmt or json", optarg);
            return 2;
        }
        if (c == 'L')
            clip_log_set_level ((clip_log_level_t) v);
        else
            clip_log_set_format ((clip_log_format_t) v);
    }
    if (c == 'h') {
        usage (stdout);
        return 0;
    }
    if (c == 'V') {
        printf ("clip %s\n", CLIP_VERSION);
        return 0;
    }
    if (c == ':') {
        fprintf (stderr, "clip: option '%s' needs a value\nTry 'clip --help'.\n", argv [optind - 1]);
        return 2;
    }
    if (c != -1) {
        const char *arg = argv [optind - 1];
        if (optopt && strncmp (arg, "--", 2) != 0)
            fprintf (stderr, "clip: unknown option '-%c'\nTry 'clip --help'.\n", optopt);
        else
            fprintf (stderr, "clip: unknown option '%.*s'\nTry 'clip --help'.\n",
                     (int) strcspn (arg, "="), arg);
        return 2;
    }
    if (optind >= argc) {
        usage (stderr);
        return 2;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp (argv [optind], commands [i].name) == 0)
            return commands [i].main (argc - optind, argv + optind);
    fprintf (stderr, "clip: unknown command '%s'\nTry 'clip --help'.\n", argv [optind]);
    return 2;
}
