/*  clip_log: event lines on stderr, logfmt or JSON.  See clip_log.h. */
#include "clip_log.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include "clip_utf8.h"

/*  Written once by clip_log_init before any other thread or process exists,
    read-only afterwards.  */
static const char *log_prog = "clip";
static atomic_int log_min = CLIP_LOG_INFO;          /* clip_log_set_level may change it */
static atomic_int log_format = CLIP_LOG_LOGFMT;     /* clip_log_set_format may change it */

static const char *level_names[] = { "debug", "info", "warn", "error" };
static const char *format_names[] = { "logfmt", "json" };

int
clip_log_init (const char *prog, clip_log_level_t min_level)
{
    log_prog = prog;
    atomic_store (&log_min, (int) min_level);
    int rc = 0;
    const char *env = getenv ("CLIP_LOG");
    if (env) {
        int level = clip_log_level_from_name (env);
        if (level >= 0)
            atomic_store (&log_min, level);
        else {
            fprintf (stderr, "%s: CLIP_LOG must be one of debug|info|warn|error, got '%s'\n",
                     prog, env);
            rc = -1;
        }
    }
    env = getenv ("CLIP_LOG_FORMAT");
    if (env) {
        int format = clip_log_format_from_name (env);
        if (format >= 0)
            atomic_store (&log_format, format);
        else {
            fprintf (stderr, "%s: CLIP_LOG_FORMAT must be one of logfmt|json, got '%s'\n",
                     prog, env);
            rc = -1;
        }
    }
    return rc;
}

static const char hex_digits [] = "0123456789abcdef";

/*  The length of the run of bytes at s (of n) that are written as they
    are: not a control character (below 0x20, and 0x7f) and, when quoted,
    not '"' nor '\\'.  Nearly every line and value is one such run, so it
    is found 8 bytes at a time (a byte below 0x20, or equal to one of the
    others, sets a high bit in the word tests below, which never miss one;
    a false alarm only hands the word to the byte loop), then copied with
    one memcpy instead of byte by byte (issue 12: two lines an article).  */
static size_t
plain_run (const char *s, size_t n, bool quoted)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy (&w, s + i, 8);
        uint64_t del = w ^ (0x7f * ones);
        uint64_t hit = ((w - 0x20 * ones) & ~w) | ((del - ones) & ~del);
        if (quoted) {
            uint64_t dq = w ^ ('"' * ones), bs = w ^ ('\\' * ones);
            hit |= ((dq - ones) & ~dq) | ((bs - ones) & ~bs);
        }
        if (hit & highs)
            break;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char) s [i];
        if (c < 0x20 || c == 0x7f || (quoted && (c == '"' || c == '\\')))
            break;
    }
    return i;
}

/*  The escape of c (a byte plain_run stopped at) into esc; returns its
    length.  */
static size_t
escape_byte (unsigned char c, char esc [4])
{
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
        esc [1] = 'x';
        esc [2] = hex_digits [c >> 4];
        esc [3] = hex_digits [c & 15];
        return 4;
    }
    else
        esc [1] = (char) c;     /* '"' or '\\', quoted */
    return 2;
}

/*  Copy the n bytes of raw into out (of size out_size, at least 3), each
    byte escape_byte escapes (quoted: '"' and '\\' too) replaced by its
    escape; what no longer fits ends in "...".  Returns the length written
    (no NUL).  The one loop of escape_line and clip_log_quote.  */
static size_t
escape_into (const char *raw, size_t n, bool quoted, char *out, size_t out_size)
{
    /*  o + 3 <= out_size throughout: a byte or escape is written only when
        "..." still fits after it.  */
    size_t o = 0, i = 0;
    while (i < n) {
        size_t run = plain_run (raw + i, n - i, quoted);
        size_t room = out_size - 3 - o;
        if (run > room) {
            memcpy (out + o, raw + i, room);
            memcpy (out + o + room, "...", 3);
            return o + room + 3;
        }
        memcpy (out + o, raw + i, run);
        o += run;
        i += run;
        if (i == n)
            break;
        char esc [4];
        size_t len = escape_byte ((unsigned char) raw [i], esc);
        if (o + len + 3 > out_size) {
            memcpy (out + o, "...", 3);
            return o + 3;
        }
        memcpy (out + o, esc, len);
        o += len;
        i++;
    }
    return o;
}

/*  Copy the n bytes of raw into out (of size out_size, at least 8), with
    every control character (below 0x20, and 0x7f) replaced by a C-style
    escape, so that whatever a value held, the event stays one line and no
    text from a peer can start a line of its own.  A line that no longer
    fits ends in "...".  Returns the length written (no NUL).  */
static size_t
escape_line (const char *raw, size_t n, char *out, size_t out_size)
{
    return escape_into (raw, n, false, out, out_size);
}

void
clip_log_set_level (clip_log_level_t min_level)
{
    atomic_store (&log_min, (int) min_level);
}

void
clip_log_set_format (clip_log_format_t format)
{
    atomic_store (&log_format, (int) format);
}

int
clip_log_level_from_name (const char *name)
{
    for (int i = 0; name && i < 4; i++)
        if (strcasecmp (name, level_names [i]) == 0)
            return i;
    return -1;
}

int
clip_log_format_from_name (const char *name)
{
    for (int i = 0; name && i < 2; i++)
        if (strcasecmp (name, format_names [i]) == 0)
            return i;
    return -1;
}

int
clip_log_enabled (clip_log_level_t level)
{
    return (int) level >= atomic_load (&log_min);
}

/*  ---------------------------------------------------------------------
    JSON: the key=value text read back into members (clip_log.h)
    --------------------------------------------------------------------- */

/*  A JSON string of the n bytes at s.  jansson takes only UTF-8, and file
    names need not be: each ill-formed part becomes one U+FFFD (Unicode's
    maximal subparts, clip_utf8.h), as Go's encoding/json and Vector do, so
    the line stays valid JSON whatever the name held.  */
static json_t *
utf8_string (const char *s, size_t n)
{
    size_t i = clip_utf8_valid_prefix (s, n);
    if (i == n)
        return json_stringn (s, n);
    /*  At most three bytes out per byte in.  */
    char *fixed = malloc (3 * n + 1);
    if (!fixed)
        return NULL;
    memcpy (fixed, s, i);
    size_t o = i;
    while (i < n) {
        size_t bad = clip_utf8_ill_formed_len (s + i, n - i);
        memcpy (fixed + o, "\xef\xbf\xbd", 3);
        o += 3;
        i += bad;
        size_t good = clip_utf8_valid_prefix (s + i, n - i);
        memcpy (fixed + o, s + i, good);
        o += good;
        i += good;
    }
    json_t *str = json_stringn (fixed, o);
    free (fixed);
    return str;
}

/*  A bare value: an integer (in int64) or a decimal in JSON's own grammar
    is a number, anything else a string.  */
static json_t *
bare_value (const char *v, size_t n)
{
    char buf [64];
    if (n == 0 || n >= sizeof buf)
        return utf8_string (v, n);
    memcpy (buf, v, n);
    buf [n] = 0;
    const char *p = buf;
    if (*p == '-')
        p++;
    if (!isdigit ((unsigned char) *p) || (*p == '0' && isdigit ((unsigned char) p [1])))
        return utf8_string (v, n);
    while (isdigit ((unsigned char) *p))
        p++;
    bool integer = true;
    if (*p == '.') {
        integer = false;
        p++;
        if (!isdigit ((unsigned char) *p))
            return utf8_string (v, n);
        while (isdigit ((unsigned char) *p))
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        integer = false;
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit ((unsigned char) *p))
            return utf8_string (v, n);
        while (isdigit ((unsigned char) *p))
            p++;
    }
    if (*p)
        return utf8_string (v, n);
    errno = 0;
    if (integer) {
        long long i = strtoll (buf, NULL, 10);
        return errno ? utf8_string (v, n) : json_integer (i);
    }
    double d = strtod (buf, NULL);
    return errno || !isfinite (d) ? utf8_string (v, n) : json_real (d);
}

static bool
is_key_char (char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '_' || c == '-' || c == '.';
}

/*  Add value (taken) under key; a key already there (time, level, event,
    or a field seen before) is never replaced: the value goes under KEY_2,
    KEY_3, ... and, past KEY_99, is dropped.  */
static void
add_member (json_t *o, const char *key, json_t *value)
{
    if (!value)
        return;
    if (!json_object_get (o, key)) {
        json_object_set_new (o, key, value);
        return;
    }
    for (int i = 2; i < 100; i++) {
        char alt [160];
        snprintf (alt, sizeof alt, "%s_%d", key, i);
        if (!json_object_get (o, alt)) {
            json_object_set_new (o, alt, value);
            return;
        }
    }
    json_decref (value);
}

static int
hex_digit (char c)
{
    return c >= '0' && c <= '9' ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*  Read the n bytes of key=value pairs at fields into members of o.  A
    quoted value has clip_log_quote's escapes undone; a token that is not
    key=value goes, whole, into "text".  scratch holds at least n bytes.  */
static void
parse_fields (json_t *o, const char *fields, size_t n, char *scratch)
{
    const char *p = fields, *end = fields + n;
    char *text = NULL;
    size_t text_len = 0;
    while (p < end) {
        while (p < end && *p == ' ')
            p++;
        if (p >= end)
            break;
        const char *k = p;
        while (p < end && is_key_char (*p))
            p++;
        size_t klen = (size_t) (p - k);
        if (p < end && *p == '=' && klen > 0 && klen < 128) {
            char key [128];
            memcpy (key, k, klen);
            key [klen] = 0;
            p++;
            if (p < end && *p == '"') {
                size_t o_len = 0;
                p++;
                while (p < end && *p != '"') {
                    if (*p == '\\' && p + 1 < end) {
                        char e = p [1];
                        int hi, lo;
                        if (e == 'x' && p + 3 < end
                        &&  (hi = hex_digit (p [2])) >= 0 && (lo = hex_digit (p [3])) >= 0) {
                            scratch [o_len++] = (char) (hi * 16 + lo);
                            p += 4;
                            continue;
                        }
                        char c = e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t'
                               : e == '"' || e == '\\' ? e : 0;
                        if (c) {
                            scratch [o_len++] = c;
                            p += 2;
                            continue;
                        }
                    }
                    scratch [o_len++] = *p++;
                }
                if (p < end)
                    p++;            /* the closing quote */
                add_member (o, key, utf8_string (scratch, o_len));
            }
            else {
                const char *v = p;
                while (p < end && *p != ' ')
                    p++;
                add_member (o, key, bare_value (v, (size_t) (p - v)));
            }
        }
        else {
            /*  Not key=value: kept as it was, up to the next space.  */
            p = k;
            while (p < end && *p != ' ')
                p++;
            if (!text)
                text = scratch + n;     /* the second half of scratch */
            if (text_len)
                text [text_len++] = ' ';
            memcpy (text + text_len, k, (size_t) (p - k));
            text_len += (size_t) (p - k);
        }
    }
    if (text)
        add_member (o, "text", utf8_string (text, text_len));
}

/*  The lines this thread holds (clip_log_hold).  */
static __thread struct {
    bool on;
    size_t len;
    char buf [PIPE_BUF];
} held;

static void
write_out (const char *data, size_t len)
{
    if (len == 0)
        return;
    fwrite (data, 1, len, stderr);
    fflush (stderr);
}

void
clip_log_flush (void)
{
    write_out (held.buf, held.len);
    held.len = 0;
}

void
clip_log_hold (bool on)
{
    if (!on)
        clip_log_flush ();
    held.on = on;
}

/*  Write one line (newline included): held, or at once after what is held
    (one write per line then, so that lines from several processes
    sharing the same stderr never interleave).  */
static void
emit (clip_log_level_t level, const char *line, size_t len)
{
    if (held.on && level < CLIP_LOG_WARN && len <= sizeof held.buf) {
        if (held.len + len > sizeof held.buf)
            clip_log_flush ();
        memcpy (held.buf + held.len, line, len);
        held.len += len;
        return;
    }
    clip_log_flush ();
    write_out (line, len);
}

/*  One JSON line for the event; returns 0, or -1 if jansson could not
    build it (out of memory: the caller writes logfmt instead).  */
static int
write_json (const char *ts, clip_log_level_t level, const char *event,
            const char *fields, size_t n, bool truncated)
{
    /*  Decoded values, then the "text" pieces: each at most n bytes.  */
    char *scratch = malloc (2 * n + 2);
    json_t *o = json_object ();
    if (!scratch || !o) {
        free (scratch);
        json_decref (o);
        return -1;
    }
    json_object_set_new (o, "time", json_string (ts));
    json_object_set_new (o, "prog", utf8_string (log_prog, strlen (log_prog)));
    json_object_set_new (o, "level", json_string (level_names [level]));
    event = event ? event : "-";
    json_object_set_new (o, "event", utf8_string (event, strlen (event)));
    parse_fields (o, fields, n, scratch);
    free (scratch);
    if (truncated)
        add_member (o, "truncated", json_true ());
    /*  Compact, so one object is one line: jansson escapes every control
        character in strings.  15 digits: 0.7 stays 0.7.  */
    size_t flags = JSON_COMPACT | JSON_REAL_PRECISION (15);
    size_t size = json_dumpb (o, NULL, 0, flags);
    char *line = size ? malloc (size + 1) : NULL;
    if (!line || json_dumpb (o, line, size, flags) != size) {
        free (line);
        json_decref (o);
        return -1;
    }
    json_decref (o);
    line [size] = '\n';
    emit (level, line, size + 1);
    free (line);
    return 0;
}

/*  Now as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC).  Every line of one second
    shares all but the milliseconds, so each thread formats that part once
    a second: gmtime_r and snprintf cost more than the rest of a line, and
    clipd logs two lines an article (issue 12).  */
static void
format_ts (char ts [64])
{
    static __thread time_t cached_sec = (time_t) -1;
    static __thread char cached [48];
    static __thread size_t cached_len;
    struct timeval tv;
    gettimeofday (&tv, NULL);
    if (tv.tv_sec != cached_sec) {
        struct tm tm;
        gmtime_r (&tv.tv_sec, &tm);
        int n = snprintf (cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d",
                          tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                          tm.tm_hour, tm.tm_min, tm.tm_sec);
        cached_len = n > 0 && (size_t) n < sizeof cached ? (size_t) n : 0;
        cached_sec = tv.tv_sec;
    }
    unsigned ms = (unsigned) (tv.tv_usec / 1000);
    memcpy (ts, cached, cached_len);
    char *p = ts + cached_len;
    *p++ = '.';
    *p++ = (char) ('0' + ms / 100);
    *p++ = (char) ('0' + ms / 10 % 10);
    *p++ = (char) ('0' + ms % 10);
    *p++ = 'Z';
    *p = 0;
}

/*  Append the string s to buf (of size bytes, holding len), cut to fit
    and NUL-terminated; returns the new length.  */
static size_t
append (char *buf, size_t size, size_t len, const char *s)
{
    size_t n = strlen (s);
    if (n > size - 1 - len)
        n = size - 1 - len;
    memcpy (buf + len, s, n);
    len += n;
    buf [len] = 0;
    return len;
}

void
clip_log (clip_log_level_t level, const char *event, const char *fmt, ...)
{
    if ((int) level < atomic_load (&log_min))
        return;
    char ts [64];
    format_ts (ts);
    /*  The fields, bounded: a longer text is cut (and says so).  */
    char fields [4096];
    size_t n = 0;
    bool truncated = false;
    if (fmt && *fmt) {
        va_list ap;
        va_start (ap, fmt);
        int m = vsnprintf (fields, sizeof fields, fmt, ap);
        va_end (ap);
        if (m > 0) {
            n = (size_t) m;
            if (n >= sizeof fields) {
                n = sizeof fields - 1;
                truncated = true;
            }
        }
    }
    if (atomic_load (&log_format) == CLIP_LOG_JSON
    &&  write_json (ts, level, event, fields, n, truncated) == 0)
        return;
    char raw [4096];
    size_t len = 0;
    const char *const head [8] = { "ts=", ts, " prog=", log_prog, " level=", level_names [level],
                                   " event=", event ? event : "-" };
    for (int i = 0; i < 8; i++)
        len = append (raw, sizeof raw, len, head [i]);
    if (n && len < sizeof raw - 2) {
        raw [len++] = ' ';
        size_t room = sizeof raw - 1 - len;
        size_t take = n < room ? n : room;
        memcpy (raw + len, fields, take);
        len += take;
    }
    /*  The writer itself, not each call site, guarantees one event = one
        line: a value printed with %s that held a newline (a worker name, a
        file name, an error from a peer) is escaped here.  */
    char line [sizeof raw + 64];
    size_t out = escape_line (raw, len, line, sizeof line - 1);
    line [out++] = '\n';
    emit (level, line, out);
}

const char *
clip_log_quote (char *buf, size_t size, const char *s)
{
    if (size < 8) {
        if (size)
            buf [0] = 0;
        return buf;
    }
    s = s ? s : "";
    /*  After the opening quote; the closing quote and the NUL kept free.  */
    size_t o = 1 + escape_into (s, strlen (s), true, buf + 1, size - 3);
    buf [0] = '"';
    buf [o++] = '"';
    buf [o] = 0;
    return buf;
}
