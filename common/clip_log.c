/*  clip_log: key=value event lines on stderr.  See clip_log.h. */
#include "clip_log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

/*  Written once by clip_log_init before any other thread or process exists,
    read-only afterwards.  */
static const char *log_prog = "clip";
static atomic_int log_min = CLIP_LOG_INFO;   /* clip_log_set_level may change it */

static const char *level_names[] = { "debug", "info", "warn", "error" };

void
clip_log_init (const char *prog, clip_log_level_t min_level)
{
    log_prog = prog;
    log_min = min_level;
    const char *env = getenv ("CLIP_LOG");
    if (env) {
        for (int i = 0; i < 4; i++)
            if (strcasecmp (env, level_names [i]) == 0)
                log_min = (clip_log_level_t) i;
    }
}

/*  Copy the n bytes of raw into out (of size out_size, at least 8), with
    every control character (below 0x20, and 0x7f) replaced by a C-style
    escape, so that whatever a value held, the event stays one line and no
    text from a peer can start a line of its own.  A line that no longer
    fits ends in "...".  Returns the length written (no NUL).  */
static size_t
escape_line (const char *raw, size_t n, char *out, size_t out_size)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char) raw [i];
        char esc [5];
        size_t len = 2;
        esc [0] = '\\';
        if (c == '\n')
            esc [1] = 'n';
        else
        if (c == '\r')
            esc [1] = 'r';
        else
        if (c == '\t')
            esc [1] = 't';
        else
        if (c < 0x20 || c == 0x7f) {
            static const char hex [] = "0123456789abcdef";
            esc [1] = 'x';
            esc [2] = hex [c >> 4];
            esc [3] = hex [c & 15];
            len = 4;
        }
        else {
            esc [0] = (char) c;
            len = 1;
        }
        if (o + len + 3 > out_size) {
            memcpy (out + o, "...", 3);
            return o + 3;
        }
        memcpy (out + o, esc, len);
        o += len;
    }
    return o;
}

void
clip_log_set_level (clip_log_level_t min_level)
{
    atomic_store (&log_min, (int) min_level);
}

int
clip_log_level_from_name (const char *name)
{
    for (int i = 0; name && i < 4; i++)
        if (strcasecmp (name, level_names [i]) == 0)
            return i;
    return -1;
}

void
clip_log (clip_log_level_t level, const char *event, const char *fmt, ...)
{
    if ((int) level < atomic_load (&log_min))
        return;
    struct timeval tv;
    gettimeofday (&tv, NULL);
    struct tm tm;
    gmtime_r (&tv.tv_sec, &tm);
    char raw [4096];
    int n = snprintf (raw, sizeof raw,
                      "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ prog=%s level=%s event=%s",
                      tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min, tm.tm_sec, (long) (tv.tv_usec / 1000),
                      log_prog, level_names [level], event ? event : "-");
    if (n < 0)
        return;
    if ((size_t) n >= sizeof raw)
        n = (int) sizeof raw - 1;
    if (fmt && *fmt && (size_t) n < sizeof raw - 2) {
        raw [n++] = ' ';
        va_list ap;
        va_start (ap, fmt);
        int m = vsnprintf (raw + n, sizeof raw - (size_t) n, fmt, ap);
        va_end (ap);
        if (m > 0)
            n += m;
        if ((size_t) n >= sizeof raw)
            n = (int) sizeof raw - 1;
    }
    /*  The writer itself, not each call site, guarantees one event = one
        line: a value printed with %s that held a newline (a worker name, a
        file name, an error from a peer) is escaped here.  */
    char line [sizeof raw + 64];
    size_t len = escape_line (raw, (size_t) n, line, sizeof line - 1);
    line [len++] = '\n';
    /*  One write per line so that lines from several processes sharing the
        same stderr never interleave.  */
    fwrite (line, 1, len, stderr);
    fflush (stderr);
}

const char *
clip_log_quote (char *buf, size_t size, const char *s)
{
    size_t o = 0;
    if (size < 8) {
        if (size)
            buf [0] = 0;
        return buf;
    }
    buf [o++] = '"';
    for (const unsigned char *p = (const unsigned char *) (s ? s : ""); *p; p++) {
        char esc [8];
        size_t len;
        if (*p == '"' || *p == '\\') {
            esc [0] = '\\'; esc [1] = (char) *p; len = 2;
        }
        else
        if (*p == '\n') { memcpy (esc, "\\n", 2); len = 2; }
        else
        if (*p == '\r') { memcpy (esc, "\\r", 2); len = 2; }
        else
        if (*p == '\t') { memcpy (esc, "\\t", 2); len = 2; }
        else
        if (*p < 0x20 || *p == 0x7f) {
            snprintf (esc, sizeof esc, "\\x%02x", *p);
            len = 4;
        }
        else { esc [0] = (char) *p; len = 1; }
        if (o + len + 5 > size) {
            memcpy (buf + o, "...", 3);
            o += 3;
            break;
        }
        memcpy (buf + o, esc, len);
        o += len;
    }
    buf [o++] = '"';
    buf [o] = 0;
    return buf;
}
