/*  clip_opt: the one way every clip subcommand reads its command line.

    getopt_long, with GNU getopt's own messages turned off so that every
    bad usage is told in one style, naming the command and the argument:

        clip: sub: unknown option '--x'
        clip: corpus explain: option '--min-words' needs a value

    followed by "Try 'clip sub --help'." and exit status 2 (the caller's).
    Every subcommand takes -h and --help (exit 0).  State is getopt's own
    (optind, optarg): clip_opt_begin resets it fully, so several commands
    can run in one process (the tests do).  */
#ifndef CLIP_OPT_H
#define CLIP_OPT_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

/*  Returned by clip_opt_next for a bad option, after the message.  */
#define CLIP_OPT_BAD '?'

/*  Reset getopt before a command's first clip_opt_next.  */
void clip_opt_begin (void);

/*  The next option of argv, as getopt_long (shortopts without a leading
    ':'; it is added here).  cmd names the command in messages ("sub",
    "corpus explain").  Returns the option's val, -1 at the end, or
    CLIP_OPT_BAD after printing which argument was wrong.  */
int clip_opt_next (const char *cmd, int argc, char **argv, const char *shortopts,
                   const struct option *longopts);

/*  Print "clip: CMD: MESSAGE" and the hint to try --help on stderr, for a
    usage error found after parsing (a missing or extra argument, a bad
    value).  Returns 2, the bad-usage exit status, for `return
    clip_opt_usage_error (...)`.  */
int clip_opt_usage_error (const char *cmd, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/*  Print "clip: CMD: MESSAGE" on stderr: the one style of a command's
    other errors (exit status 1).  */
void clip_opt_error (const char *cmd, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/*  An option's value as a whole number from min to max: decimal digits
    only (no sign, no space, nothing after), no overflow.  Returns 0 with
    *out set, or -1 (the caller says what the option wants).  */
int clip_opt_uint (const char *s, uint64_t min, uint64_t max, uint64_t *out);

#endif
