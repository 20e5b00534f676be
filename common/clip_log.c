/*  clip_log: key=value event lines on stderr.  See clip_log.h. */
#include "clip_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

/*  Written once by clip_log_init before any other thread or process exists,
    read-only afterwards.  */
static const char *log_prog = "clip";
static clip_log_level_t log_min = CLIP_LOG_INFO;

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

void
clip_log (clip_log_level_t level, const char *event, const char *fmt, ...)
{
    if (level < log_min)
        return;
    struct timeval tv;
    gettimeofday (&tv, NULL);
    struct tm tm;
    gmtime_r (&tv.tv_sec, &tm);
    char line [4096];
    int n = snprintf (line, sizeof line,
                      "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ prog=%s level=%s event=%s",
                      tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min, tm.tm_sec, (long) (tv.tv_usec / 1000),
                      log_prog, level_names [level], event);
    if (n < 0)
        return;
    if (fmt && *fmt && (size_t) n < sizeof line - 2) {
        line [n++] = ' ';
        va_list ap;
        va_start (ap, fmt);
        int m = vsnprintf (line + n, sizeof line - (size_t) n, fmt, ap);
        va_end (ap);
        if (m > 0)
            n += m;
    }
    if ((size_t) n >= sizeof line - 1)
        n = (int) sizeof line - 2;
    line [n++] = '\n';
    /*  One write per line so that lines from several processes sharing the
        same stderr never interleave.  */
    fwrite (line, 1, (size_t) n, stderr);
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
