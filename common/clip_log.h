/*  clip_log: one line per event on stderr, as key=value pairs (logfmt, the
    default) or as one JSON object.

    Every program logs through this module so that operators can grep and
    parse all of clipd's output the same way:

        ts=2026-11-23T18:30:01.123Z prog=clipd level=info event=claimed file="a b.txt"

    or, with the JSON format (--log-format json, CLIP_LOG_FORMAT=json):

        {"time":"2026-11-23T18:30:01.123Z","prog":"clipd","level":"info","event":"claimed","file":"a b.txt"}

    One event is always exactly one line.  In logfmt the writer escapes
    every control character (below 0x20, and 0x7f: \n, \r, \t, else \xHH)
    that ends up in the formatted line, so that no value, whoever supplied
    it, can start a line of its own.  Values that may hold spaces, quotes or
    control characters (file names, worker names, error messages, anything
    a peer sent) must still go through clip_log_quote, which renders them
    as a double-quoted string with the same C-style escapes (and \" \\), so
    that they cannot add key=value pairs to the line either.

    In JSON the same key=value text is read back into members: a quoted
    value becomes a JSON string (its escapes undone, then escaped again by
    jansson; bytes that are not UTF-8 become U+FFFD), a bare integer or
    decimal a JSON number, any other bare value a string.  time, prog,
    level and event come first and no field can replace them, nor an
    earlier field: a key seen again is kept as KEY_2, KEY_3, ...  Text
    that is not key=value (a call site's slip) is kept whole in "text",
    and a line cut at the writer's bound (4 KiB of text) says
    "truncated":true.  jansson escapes every control character, so a JSON
    line is one line too.

    Levels: debug (what a developer traces: each task dispatched, each
    postings slice), info (routine, one line per file or per start/stop),
    warn (something went wrong with one file, peer or request, or clipd
    degraded: an operator should look), error (clipd cannot do its job:
    commits fail, the inbox cannot be watched; an operator must act).

    The program name is set once at start by clip_log_init and never
    changes afterwards; the level and the format may change at any time
    (clipd's SIGHUP), from any thread.
*/
#ifndef CLIP_LOG_H
#define CLIP_LOG_H

#include <stdbool.h>

#include <stddef.h>

typedef enum {
    CLIP_LOG_DEBUG = 0,
    CLIP_LOG_INFO,
    CLIP_LOG_WARN,
    CLIP_LOG_ERROR
} clip_log_level_t;

typedef enum {
    CLIP_LOG_LOGFMT = 0,
    CLIP_LOG_JSON
} clip_log_format_t;

/*  Set the program name written in every line and the lowest level
    printed, then apply the environment every program shares: CLIP_LOG
    (debug, info, warn or error: the environment form of --log-level) and
    CLIP_LOG_FORMAT (logfmt or json: of --log-format).  A program's own
    flags, applied after, win over them.  Returns 0, or -1 when one of
    them holds anything else: a message naming the variable and what it
    may be is then written to stderr ("PROG: CLIP_LOG must be ...") and
    that setting is left as it was; programs treat it as bad usage.  */
int clip_log_init (const char *prog, clip_log_level_t min_level);
/*  Change the lowest level printed, or the format, while running (clipd on
    SIGHUP); safe from any thread.  */
void clip_log_set_level (clip_log_level_t min_level);
void clip_log_set_format (clip_log_format_t format);
/*  The level named "debug", "info", "warn" or "error" (any case), or -1.  */
int clip_log_level_from_name (const char *name);
/*  The format named "logfmt" or "json" (any case), or -1.  */
int clip_log_format_from_name (const char *name);
/*  Whether an event at level would be written now.  */
int clip_log_enabled (clip_log_level_t level);

/*  Write one event.  fmt holds the remaining key=value pairs, printf style,
    and may be NULL.  */
void clip_log (clip_log_level_t level, const char *event, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/*  Hold this thread's debug and info lines instead of writing each at
    once (on), or write what is held and stop (off).  Held lines are
    written whole, many to a write(2) but never more than PIPE_BUF bytes to
    one (so a write to a pipe shared with other processes stays atomic), at
    clip_log_flush, when the next would not fit, and before any warn or
    error line, which is written at once.  clipd's loop holds its lines
    and flushes them before it waits for I/O: a burst's two lines per
    article cost one write per about twenty.  A crash loses what is held,
    at most one turn of the loop's lines.  */
void clip_log_hold (bool on);
void clip_log_flush (void);

#define clip_debug(ev, ...) clip_log (CLIP_LOG_DEBUG, (ev), __VA_ARGS__)
#define clip_info(ev, ...)  clip_log (CLIP_LOG_INFO, (ev), __VA_ARGS__)
#define clip_warn(ev, ...)  clip_log (CLIP_LOG_WARN, (ev), __VA_ARGS__)
#define clip_error(ev, ...) clip_log (CLIP_LOG_ERROR, (ev), __VA_ARGS__)

/*  Render s as a quoted, escaped value into buf (always NUL-terminated,
    truncated with "..." if it does not fit) and return buf.  */
const char *clip_log_quote (char *buf, size_t size, const char *s);

#endif
