/*  clip_opt: getopt_long with one message style (clip_opt.h).  */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_opt.h"

void
clip_opt_begin (void)
{
    /*  0, not 1: GNU getopt then forgets everything of a previous scan
        (its position inside a group of short options, its permutation).  */
    optind = 0;
    opterr = 0;
}

static void
hint (const char *cmd)
{
    fprintf (stderr, "Try 'clip %s --help'.\n", cmd);
}

/*  The name of the option that stopped getopt: the argument itself for a
    long option (without any "=VALUE", which may be long or secret), "-c"
    for a short one.  */
static void
bad_name (int argc, char **argv, char *out, size_t size)
{
    const char *arg = optind > 0 && optind <= argc ? argv [optind - 1] : NULL;
    if (optopt && (!arg || strncmp (arg, "--", 2) != 0)) {
        snprintf (out, size, "-%c", optopt);
        return;
    }
    if (!arg)
        arg = "?";
    size_t len = strcspn (arg, "=");
    snprintf (out, size, "%.*s", (int) (len < 200 ? len : 200), arg);
}

int
clip_opt_next (const char *cmd, int argc, char **argv, const char *shortopts,
               const struct option *longopts)
{
    char opts [64];
    snprintf (opts, sizeof opts, ":%s", shortopts ? shortopts : "");
    opterr = 0;
    optopt = 0;
    int c = getopt_long (argc, argv, opts, longopts, NULL);
    if (c != '?' && c != ':')
        return c;
    char name [256];
    bad_name (argc, argv, name, sizeof name);
    if (c == ':')
        fprintf (stderr, "clip: %s: option '%s' needs a value\n", cmd, name);
    else
    if (optopt && strncmp (name, "--", 2) == 0)
        /*  A long option given a value it does not take (--add=1).  */
        fprintf (stderr, "clip: %s: option '%s' takes no value\n", cmd, name);
    else
        fprintf (stderr, "clip: %s: unknown option '%s'\n", cmd, name);
    hint (cmd);
    return CLIP_OPT_BAD;
}

int
clip_opt_usage_error (const char *cmd, const char *fmt, ...)
{
    fprintf (stderr, "clip: %s: ", cmd);
    va_list ap;
    va_start (ap, fmt);
    vfprintf (stderr, fmt, ap);
    va_end (ap);
    fputc ('\n', stderr);
    hint (cmd);
    return 2;
}

void
clip_opt_error (const char *cmd, const char *fmt, ...)
{
    fprintf (stderr, "clip: %s: ", cmd);
    va_list ap;
    va_start (ap, fmt);
    vfprintf (stderr, fmt, ap);
    va_end (ap);
    fputc ('\n', stderr);
}

int
clip_opt_uint (const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    /*  strtoull alone would take " 5", "+5" and "-1" (as a huge number).  */
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull (s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}
