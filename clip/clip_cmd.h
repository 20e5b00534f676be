/*  The clip tool's subcommands.  Each takes argv with argv[0] the
    subcommand's name and returns the exit code (0 ok, 1 failure, 2 bad
    usage), as the SPEC asks of every program.  Each reads its options with
    clip_opt (clip_opt.h): getopt_long, -h and --help everywhere, and bad
    usage told in one style ("clip: sub: unknown option '--x'").  */
#ifndef CLIP_CMD_H
#define CLIP_CMD_H

/*  clip sub [--since N] [--topic PREFIX] [--replay EP] [--state DIR]
             [--pretty] [--count N] [--timeout-ms N] [EP]  */
int clip_sub_main (int argc, char **argv);
/*  clip analyze [--state DIR | --corpus DIR|none] [--add] [--data-dir DIR]
                 FILE|FOLDER|-...  */
int clip_analyze_main (int argc, char **argv);
/*  clip status [--http ADDR:PORT | --state DIR] [--json | --metrics | --live]  */
int clip_status_main (int argc, char **argv);
/*  clip corpus import|stats|explain|compact [--state DIR] ...: argv [0] is
    "corpus" (clip/corpus.c)  */
int clip_corpus_main (int argc, char **argv);
/*  clip ner train|eval|tag|clusters|names ...: argv [0] is "ner"
    (clip/ner.c)  */
int clip_ner_main (int argc, char **argv);
/*  clip keygen [--force] NAME: writes NAME.key (0600) and NAME.pub  */
int clip_keygen_main (int argc, char **argv);

#endif
