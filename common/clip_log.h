/*  clip_log: one line per event on stderr, as key=value pairs.

    Every program logs through this module so that operators can grep and
    parse all of clipd's output the same way:

        ts=2026-11-23T18:30:01.123Z prog=clipd level=info event=claimed file="a b.txt"

    One event is always exactly one line: the writer escapes every control
    character (below 0x20, and 0x7f: \n, \r, \t, else \xHH) that ends up
    in the formatted line, so that no value, whoever supplied it, can start
    a line of its own.  Values that may hold spaces, quotes or control
    characters (file names, worker names, error messages, anything a peer
    sent) must still go through clip_log_quote, which renders them as a
    double-quoted string with the same C-style escapes (and \" \\), so that
    they cannot add key=value pairs to the line either.  The program name is
    set once at start by clip_log_init and never changes afterwards.
*/
#ifndef CLIP_LOG_H
#define CLIP_LOG_H

#include <stddef.h>

typedef enum {
    CLIP_LOG_DEBUG = 0,
    CLIP_LOG_INFO,
    CLIP_LOG_WARN,
    CLIP_LOG_ERROR
} clip_log_level_t;

/*  Set the program name written in every line and the lowest level printed.
    The level may also be lowered by the environment variable CLIP_LOG=debug. */
void clip_log_init (const char *prog, clip_log_level_t min_level);
/*  Change the lowest level printed while running (clipd on SIGHUP); safe
    from any thread.  */
void clip_log_set_level (clip_log_level_t min_level);
/*  The level named "debug", "info", "warn" or "error", or -1.  */
int clip_log_level_from_name (const char *name);

/*  Write one event.  fmt holds the remaining key=value pairs, printf style,
    and may be NULL.  */
void clip_log (clip_log_level_t level, const char *event, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

#define clip_debug(ev, ...) clip_log (CLIP_LOG_DEBUG, (ev), __VA_ARGS__)
#define clip_info(ev, ...)  clip_log (CLIP_LOG_INFO, (ev), __VA_ARGS__)
#define clip_warn(ev, ...)  clip_log (CLIP_LOG_WARN, (ev), __VA_ARGS__)
#define clip_error(ev, ...) clip_log (CLIP_LOG_ERROR, (ev), __VA_ARGS__)

/*  Render s as a quoted, escaped value into buf (always NUL-terminated,
    truncated with "..." if it does not fit) and return buf.  */
const char *clip_log_quote (char *buf, size_t size, const char *s);

#endif
