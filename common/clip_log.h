/*  clip_log: one line per event on stderr, as key=value pairs.

    Every program logs through this module so that operators can grep and
    parse all of clipd's output the same way:

        ts=2026-11-23T18:30:01.123Z prog=clipd level=info event=claimed file="a b.txt"

    Values that may hold spaces, quotes or control characters (file names,
    error messages) must go through clip_log_quote, which renders them as a
    double-quoted string with C-style escapes.  The program name is set once
    at start by clip_log_init and never changes afterwards.
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
