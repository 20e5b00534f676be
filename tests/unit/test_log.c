/*  clip_log: one event is one line, whatever a value holds, and a quoted
    value parses back to what was logged; held lines go out together.
    stderr is captured into a real file (dup2) and read back; this
    executable defines fwrite (forwarding to libc's) to count clip_log's
    writes.  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctype.h>
#include <time.h>

#include "clip_log.h"
#include "clip_util.h"
#include "testutil.h"

typedef struct {
    char *dir;
    char *path;
    int saved;
} capture_t;

static void
capture_start (capture_t *c)
{
    c->dir = tu_tempdir ("log");
    c->path = clip_path_join (c->dir, "stderr.txt");
    fflush (stderr);
    c->saved = dup (STDERR_FILENO);
    cr_assert_geq (c->saved, 0);
    int fd = open (c->path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert_geq (fd, 0);
    cr_assert_eq (dup2 (fd, STDERR_FILENO), STDERR_FILENO);
    close (fd);
}

/*  Restore stderr and return what was written (caller owns).  */
static char *
capture_end (capture_t *c)
{
    fflush (stderr);
    dup2 (c->saved, STDERR_FILENO);
    close (c->saved);
    char *text = tu_read (c->path, NULL);
    cr_assert_not_null (text);
    tu_rmtree (c->dir);
    free (c->dir);
    free (c->path);
    return text;
}

static int
count_lines (const char *text)
{
    int n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

static int
hexval (char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*  A logfmt reader, as an operator's tool would be: find key=VALUE in one
    line (keys start after a space), and return VALUE with quotes and
    escapes undone (caller owns), or NULL.  A key seen twice is an error:
    a value must not be able to add a key.  */
static char *
logfmt_get (const char *line, const char *key)
{
    char *found = NULL;
    const char *p = line;
    while (*p && *p != '\n') {
        const char *k = p;
        while (*p && *p != '=' && *p != ' ' && *p != '\n')
            p++;
        cr_assert_eq (*p, '=', "not key=value at '%s'", k);
        size_t klen = (size_t) (p - k);
        p++;
        char *value = clip_malloc (strlen (p) + 1);
        size_t o = 0;
        if (*p == '"') {
            p++;
            while (*p && *p != '"') {
                if (*p == '\\') {
                    p++;
                    switch (*p) {
                        case 'n': value [o++] = '\n'; break;
                        case 'r': value [o++] = '\r'; break;
                        case 't': value [o++] = '\t'; break;
                        case '"': value [o++] = '"'; break;
                        case '\\': value [o++] = '\\'; break;
                        case 'x': {
                            int hi = hexval (p [1]), lo = hexval (p [2]);
                            cr_assert (hi >= 0 && lo >= 0, "bad \\x escape in '%s'", line);
                            value [o++] = (char) (hi * 16 + lo);
                            p += 2;
                            break;
                        }
                        default: cr_assert_fail ("unknown escape \\%c in '%s'", *p, line);
                    }
                    p++;
                }
                else
                    value [o++] = *p++;
            }
            cr_assert_eq (*p, '"', "unterminated quoted value in '%s'", line);
            p++;
        }
        else
            while (*p && *p != ' ' && *p != '\n')
                value [o++] = *p++;
        value [o] = 0;
        if (strlen (key) == klen && strncmp (k, key, klen) == 0) {
            cr_assert_null (found, "key %s twice in '%s'", key, line);
            found = value;
        }
        else
            free (value);
        if (*p == ' ')
            p++;
    }
    return found;
}

static const char *forged =
    "x\nts=2026-01-01T00:00:00.000Z prog=clipd level=error event=forged\r\"q\" \\ end";

Test (log, quoted_peer_string_is_one_line_and_parses_back)
{
    clip_log_init ("test", CLIP_LOG_DEBUG);
    capture_t c;
    capture_start (&c);
    char q [512];
    clip_warn ("worker_joined", "worker=%s workers=%d", clip_log_quote (q, sizeof q, forged), 3);
    char *text = capture_end (&c);
    cr_assert_eq (count_lines (text), 1, "one event, one line:\n%s", text);
    cr_assert (strncmp (text, "ts=", 3) == 0);
    cr_assert_null (strstr (text, "\nts="));
    char *worker = logfmt_get (text, "worker");
    cr_assert_not_null (worker, "%s", text);
    cr_assert_str_eq (worker, forged, "the value parses back to what was logged");
    char *event = logfmt_get (text, "event");
    cr_assert_str_eq (event, "worker_joined", "the value cannot replace the event");
    char *workers = logfmt_get (text, "workers");
    cr_assert_str_eq (workers, "3");
    free (worker);
    free (event);
    free (workers);
    free (text);
}

/*  The seconds since the epoch a "YYYY-MM-DDTHH:MM:SS.mmmZ" stamp says,
    or -1 when it is not one.  */
static time_t
stamp_seconds (const char *ts)
{
    struct tm tm = { 0 };
    const char *end = strptime (ts, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end || end [0] != '.' || !isdigit ((unsigned char) end [1])
    ||  !isdigit ((unsigned char) end [2]) || !isdigit ((unsigned char) end [3])
    ||  strcmp (end + 4, "Z") != 0)
        return (time_t) -1;
    return timegm (&tm);
}

/*  The stamp is the clock's, also after the second changed (the writer
    formats the seconds once a second and must notice the change).  */
Test (log, the_timestamp_follows_the_clock)
{
    clip_log_init ("test", CLIP_LOG_DEBUG);
    for (int round = 0; round < 2; round++) {
        time_t before = time (NULL);
        capture_t c;
        capture_start (&c);
        clip_info ("tick", "round=%d", round);
        char *text = capture_end (&c);
        time_t after = time (NULL);
        char *ts = logfmt_get (text, "ts");
        cr_assert_not_null (ts, "%s", text);
        time_t t = stamp_seconds (ts);
        cr_assert (t >= before && t <= after, "stamp %s, clock %lld..%lld", ts,
                   (long long) before, (long long) after);
        free (ts);
        free (text);
        /*  Wait (bounded) for the next second before the second round.  */
        for (int i = 0; i < 400 && time (NULL) == after; i++)
            usleep (5000);
    }
}

/*  A call site that forgot clip_log_quote still cannot forge a line: the
    writer escapes every control character itself.  */
Test (log, unquoted_control_characters_are_escaped_by_the_writer)
{
    clip_log_init ("test", CLIP_LOG_DEBUG);
    capture_t c;
    capture_start (&c);
    clip_info ("worker_joined", "worker=%s tab=%s bell=%s del=%s", forged, "a\tb", "\a", "\x7f");
    clip_info ("second", NULL);
    char *text = capture_end (&c);
    cr_assert_eq (count_lines (text), 2, "two events, two lines:\n%s", text);
    char *second = strchr (text, '\n') + 1;
    cr_assert (strncmp (second, "ts=", 3) == 0);
    cr_assert_not_null (strstr (second, "event=second"));
    for (const unsigned char *p = (const unsigned char *) text; *p; p++)
        cr_assert (*p == '\n' || (*p >= 0x20 && *p != 0x7f),
                   "control character 0x%02x left in the log", *p);
    cr_assert_not_null (strstr (text, "worker=x\\nts=2026"));
    cr_assert_not_null (strstr (text, "\\r\"q\""));
    cr_assert_not_null (strstr (text, "tab=a\\tb bell=\\x07 del=\\x7f"));
    free (text);
}

Test (log, every_byte_round_trips_through_quote)
{
    clip_log_init ("test", CLIP_LOG_DEBUG);
    char all [256];
    for (int i = 1; i < 256; i++)
        all [i - 1] = (char) i;
    all [255] = 0;
    capture_t c;
    capture_start (&c);
    char q [2048];
    clip_error ("bytes", "value=%s", clip_log_quote (q, sizeof q, all));
    char *text = capture_end (&c);
    cr_assert_eq (count_lines (text), 1);
    char *value = logfmt_get (text, "value");
    cr_assert_not_null (value);
    cr_assert_str_eq (value, all);
    free (value);
    free (text);
}

/*  A line longer than the writer's buffer is cut, still as one line.  */
Test (log, an_overlong_event_stays_one_line)
{
    clip_log_init ("test", CLIP_LOG_DEBUG);
    size_t n = 20000;
    char *big = clip_malloc (n + 1);
    for (size_t i = 0; i < n; i++)
        big [i] = i % 7 == 0 ? '\n' : 'a';
    big [n] = 0;
    capture_t c;
    capture_start (&c);
    clip_info ("big", "value=%s", big);
    clip_info ("after", NULL);
    char *text = capture_end (&c);
    cr_assert_eq (count_lines (text), 2);
    char *second = strchr (text, '\n') + 1;
    cr_assert (strncmp (second, "ts=", 3) == 0);
    cr_assert_lt (strlen (text), 9000u, "bounded");
    free (big);
    free (text);
}

/*  ---------------------------------------------------------------------
    Levels and the JSON form (issue 11)
    --------------------------------------------------------------------- */

#include <jansson.h>

#include "config.h"

/*  Each line of text parsed as one JSON object (asserted), in order;
    *count set.  Caller decrefs each and frees the array.  */
static json_t **
json_lines (const char *text, int *count)
{
    int n = count_lines (text);
    json_t **objs = clip_calloc ((size_t) n + 1, sizeof *objs);
    const char *line = text;
    for (int i = 0; i < n; i++) {
        const char *nl = strchr (line, '\n');
        cr_assert_not_null (nl);
        json_error_t jerr;
        objs [i] = json_loadb (line, (size_t) (nl - line), 0, &jerr);
        cr_assert_not_null (objs [i], "not JSON (%s): %.*s", jerr.text, (int) (nl - line), line);
        cr_assert (json_is_object (objs [i]), "%.*s", (int) (nl - line), line);
        line = nl + 1;
    }
    *count = n;
    return objs;
}

static void
json_lines_free (json_t **objs, int n)
{
    for (int i = 0; i < n; i++)
        json_decref (objs [i]);
    free (objs);
}

static const char *
member_str (json_t *o, const char *key)
{
    json_t *v = json_object_get (o, key);
    cr_assert (json_is_string (v), "member %s is not a string", key);
    return json_string_value (v);
}

Test (log, the_level_filters_below_it_and_changes_at_run_time)
{
    clip_log_init ("test", CLIP_LOG_WARN);
    clip_log_set_format (CLIP_LOG_LOGFMT);
    capture_t c;
    capture_start (&c);
    clip_debug ("d1", NULL);
    clip_info ("i1", NULL);
    clip_warn ("w1", NULL);
    clip_error ("e1", NULL);
    clip_log_set_level (CLIP_LOG_DEBUG);
    clip_debug ("d2", NULL);
    clip_log_set_level (CLIP_LOG_ERROR);
    clip_warn ("w2", NULL);
    clip_error ("e2", NULL);
    char *text = capture_end (&c);
    cr_assert_eq (count_lines (text), 4, "%s", text);
    cr_assert_null (strstr (text, "event=d1"));
    cr_assert_null (strstr (text, "event=i1"));
    cr_assert_null (strstr (text, "event=w2"));
    cr_assert (strstr (text, "level=warn event=w1") && strstr (text, "level=error event=e1")
               && strstr (text, "level=debug event=d2") && strstr (text, "level=error event=e2"),
               "%s", text);
    cr_assert_eq (clip_log_enabled (CLIP_LOG_WARN), 0);
    cr_assert_neq (clip_log_enabled (CLIP_LOG_ERROR), 0);
    free (text);
}

Test (log, level_and_format_names)
{
    cr_assert_eq (clip_log_level_from_name ("WARN"), CLIP_LOG_WARN);
    cr_assert_eq (clip_log_level_from_name ("debug"), CLIP_LOG_DEBUG);
    cr_assert_eq (clip_log_level_from_name ("warning"), -1);
    cr_assert_eq (clip_log_level_from_name (NULL), -1);
    cr_assert_eq (clip_log_format_from_name ("json"), CLIP_LOG_JSON);
    cr_assert_eq (clip_log_format_from_name ("LOGFMT"), CLIP_LOG_LOGFMT);
    cr_assert_eq (clip_log_format_from_name ("text"), -1);
}

/*  Every line is one JSON object with time, prog, level and event first,
    and each key=value as a member: quoted values as strings (escapes
    undone), bare numbers as numbers, other bare values as strings.  */
Test (log, json_lines_parse_back_with_every_field)
{
    clip_log_init ("test", CLIP_LOG_DEBUG);
    clip_log_set_format (CLIP_LOG_JSON);
    capture_t c;
    capture_start (&c);
    char q [512];
    clip_info ("claimed", "file=%s bytes=%d claim=%llu ratio=%g neg=%d id=%s ep=%s empty=",
               clip_log_quote (q, sizeof q, "a b \"c\".txt"), 42, 1733450000123ULL, 0.7, -3,
               "0123abc", "tcp://127.0.0.1:5555");
    clip_warn ("article_failed", "code=too_large message=\"the file has 9 bytes\"");
    clip_debug ("bare", NULL);
    char *text = capture_end (&c);
    clip_log_set_format (CLIP_LOG_LOGFMT);
    int n;
    json_t **o = json_lines (text, &n);
    cr_assert_eq (n, 3, "%s", text);
    const char *first = json_object_iter_key (json_object_iter (o [0]));
    cr_assert_str_eq (first, "time", "%s", text);
    cr_assert_eq (strlen (member_str (o [0], "time")), strlen ("2026-11-23T18:30:01.123Z"));
    cr_assert_str_eq (member_str (o [0], "prog"), "test");
    cr_assert_str_eq (member_str (o [0], "level"), "info");
    cr_assert_str_eq (member_str (o [0], "event"), "claimed");
    cr_assert_str_eq (member_str (o [0], "file"), "a b \"c\".txt");
    cr_assert_eq (json_integer_value (json_object_get (o [0], "bytes")), 42);
    cr_assert_eq (json_integer_value (json_object_get (o [0], "claim")), 1733450000123LL);
    cr_assert_float_eq (json_real_value (json_object_get (o [0], "ratio")), 0.7, 1e-12);
    cr_assert_not_null (strstr (text, "\"ratio\":0.7,"), "short reals: %s", text);
    cr_assert_eq (json_integer_value (json_object_get (o [0], "neg")), -3);
    cr_assert_str_eq (member_str (o [0], "id"), "0123abc");
    cr_assert_str_eq (member_str (o [0], "ep"), "tcp://127.0.0.1:5555");
    cr_assert_str_eq (member_str (o [0], "empty"), "");
    cr_assert_str_eq (member_str (o [1], "level"), "warn");
    cr_assert_str_eq (member_str (o [1], "code"), "too_large");
    cr_assert_str_eq (member_str (o [1], "message"), "the file has 9 bytes");
    cr_assert_str_eq (member_str (o [2], "event"), "bare");
    cr_assert_eq (json_object_size (o [2]), 4);
    json_lines_free (o, n);
    free (text);
}

/*  A value from a peer cannot break the line, replace a member nor add
    one, whether the call site quoted it or (a slip) did not; bytes that
    are not UTF-8 still give valid JSON.  */
Test (log, json_values_cannot_break_lines_nor_forge_members)
{
    clip_log_init ("test", CLIP_LOG_DEBUG);
    clip_log_set_format (CLIP_LOG_JSON);
    capture_t c;
    capture_start (&c);
    char q [512];
    clip_warn ("worker_joined", "worker=%s workers=%d", clip_log_quote (q, sizeof q, forged), 3);
    /*  Unquoted: the name's own "event=forged" and "level=error" are
        fields of this line, but cannot replace its event or level.  */
    clip_info ("unquoted", "worker=%s", forged);
    clip_info ("latin1", "file=%s raw=%s", clip_log_quote (q, sizeof q, "caf\xe9 \xff\xfe.txt"),
               "\xc3\x28");
    char *text = capture_end (&c);
    clip_log_set_format (CLIP_LOG_LOGFMT);
    for (const unsigned char *p = (const unsigned char *) text; *p; p++)
        cr_assert (*p == '\n' || *p >= 0x20, "control character 0x%02x in the log", *p);
    int n;
    json_t **o = json_lines (text, &n);
    cr_assert_eq (n, 3, "three events, three lines:\n%s", text);
    cr_assert_str_eq (member_str (o [0], "worker"), forged, "parses back to what was logged");
    cr_assert_str_eq (member_str (o [0], "event"), "worker_joined");
    cr_assert_str_eq (member_str (o [0], "level"), "warn");
    cr_assert_eq (json_integer_value (json_object_get (o [0], "workers")), 3);
    cr_assert_eq (json_object_size (o [0]), 6, "no member added: %s", text);
    cr_assert_str_eq (member_str (o [1], "event"), "unquoted");
    cr_assert_str_eq (member_str (o [1], "level"), "info");
    cr_assert_str_eq (member_str (o [1], "event_2"), "forged\r\"q\"");
    cr_assert_str_eq (member_str (o [1], "level_2"), "error");
    cr_assert_str_eq (member_str (o [2], "file"), "caf\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd.txt");
    cr_assert_str_eq (member_str (o [2], "raw"), "\xef\xbf\xbd(");
    json_lines_free (o, n);
    free (text);
}

Test (log, every_byte_round_trips_through_json)
{
    clip_log_init ("test", CLIP_LOG_DEBUG);
    clip_log_set_format (CLIP_LOG_JSON);
    char all [128];
    for (int i = 1; i < 128; i++)
        all [i - 1] = (char) i;
    all [127] = 0;
    capture_t c;
    capture_start (&c);
    char q [1024];
    clip_error ("bytes", "value=%s", clip_log_quote (q, sizeof q, all));
    char *text = capture_end (&c);
    clip_log_set_format (CLIP_LOG_LOGFMT);
    int n;
    json_t **o = json_lines (text, &n);
    cr_assert_eq (n, 1);
    cr_assert_str_eq (member_str (o [0], "value"), all);
    json_lines_free (o, n);
    free (text);
}

/*  Text the writer cut stays one valid JSON line, and says so; text that
    is not key=value is kept in "text".  */
Test (log, json_overlong_and_malformed_events_stay_valid)
{
    clip_log_init ("test", CLIP_LOG_DEBUG);
    clip_log_set_format (CLIP_LOG_JSON);
    size_t len = 20000;
    char *big = clip_malloc (len + 1);
    for (size_t i = 0; i < len; i++)
        big [i] = i % 7 == 0 ? '\n' : i % 11 == 0 ? '"' : 'a';
    big [len] = 0;
    capture_t c;
    capture_start (&c);
    clip_info ("big", "value=\"%s\"", big);
    clip_info ("odd", "just some words and k=v");
    char *text = capture_end (&c);
    clip_log_set_format (CLIP_LOG_LOGFMT);
    cr_assert_lt (strlen (text), 40000u, "bounded");
    int n;
    json_t **o = json_lines (text, &n);
    cr_assert_eq (n, 2);
    cr_assert (json_is_true (json_object_get (o [0], "truncated")), "%.200s", text);
    cr_assert_str_eq (member_str (o [1], "text"), "just some words and");
    cr_assert_str_eq (member_str (o [1], "k"), "v");
    json_lines_free (o, n);
    free (big);
    free (text);
}

/*  CLIP_LOG and CLIP_LOG_FORMAT: every program's environment form of
    --log-level and --log-format; anything else is refused, naming the
    variable.  */
Test (log, the_environment_sets_level_and_format_or_is_refused)
{
    setenv ("CLIP_LOG", "error", 1);
    setenv ("CLIP_LOG_FORMAT", "json", 1);
    cr_assert_eq (clip_log_init ("test", CLIP_LOG_DEBUG), 0);
    cr_assert_eq (clip_log_enabled (CLIP_LOG_WARN), 0);
    capture_t c;
    capture_start (&c);
    clip_error ("e", NULL);
    setenv ("CLIP_LOG", "loud", 1);
    unsetenv ("CLIP_LOG_FORMAT");
    int rc = clip_log_init ("test", CLIP_LOG_INFO);
    char *text = capture_end (&c);
    unsetenv ("CLIP_LOG");
    clip_log_set_format (CLIP_LOG_LOGFMT);
    cr_assert_eq (rc, -1);
    cr_assert (strncmp (text, "{\"time\":", 8) == 0, "%s", text);
    cr_assert_not_null (strstr (text, "test: CLIP_LOG must be one of debug|info|warn|error, got 'loud'"),
                        "%s", text);
    free (text);
}

/*  clipd: --log-format is a row of the settings table; CLIP_LOG and
    CLIP_LOG_FORMAT are read after CLIPD_LOG_LEVEL / CLIPD_LOG_FORMAT, and
    a flag wins over both.  */
Test (log, clipd_settings_read_the_shared_variables_below_their_own)
{
    clipd_config_t cfg;
    char *argv [] = { "clipd", NULL, NULL, NULL };
    cr_assert_eq (clipd_config_parse (&cfg, 1, argv), 0);
    cr_assert_str_eq (cfg.log_format, "logfmt");
    cr_assert_str_eq (cfg.log_level, "info");
    clipd_config_clear (&cfg);

    setenv ("CLIP_LOG", "debug", 1);
    setenv ("CLIP_LOG_FORMAT", "JSON", 1);
    cr_assert_eq (clipd_config_parse (&cfg, 1, argv), 0);
    cr_assert_str_eq (cfg.log_level, "debug");
    cr_assert_str_eq (cfg.log_format, "json");
    clipd_config_clear (&cfg);

    setenv ("CLIPD_LOG_LEVEL", "warn", 1);
    cr_assert_eq (clipd_config_parse (&cfg, 1, argv), 0);
    cr_assert_str_eq (cfg.log_level, "warn", "CLIPD_LOG_LEVEL wins over CLIP_LOG");
    clipd_config_clear (&cfg);

    argv [1] = "--log-level=error";
    argv [2] = "--log-format=logfmt";
    cr_assert_eq (clipd_config_parse (&cfg, 3, argv), 0);
    cr_assert_str_eq (cfg.log_level, "error", "the flag wins");
    cr_assert_str_eq (cfg.log_format, "logfmt");
    clipd_config_clear (&cfg);
    unsetenv ("CLIPD_LOG_LEVEL");
    unsetenv ("CLIP_LOG");

    setenv ("CLIP_LOG_FORMAT", "xml", 1);
    clipd_config_t fresh;
    char err [512] = "";
    cfg.argc = 1;
    cfg.argv = argv;
    cr_assert_eq (clipd_config_reload (&cfg, &fresh, err, sizeof err), -1);
    clipd_config_clear (&fresh);
    unsetenv ("CLIP_LOG_FORMAT");
    cr_assert_not_null (strstr (err, "environment CLIP_LOG_FORMAT: log-format must be one of "
                                     "logfmt|json, got 'xml'"), "%s", err);
}

/*  clip_log_hold: debug and info lines wait for clip_log_flush, a warn or
    error line goes out at once after them, and the order is kept.  */
Test (log, held_lines_wait_for_the_flush_and_keep_their_order)
{
    capture_t c;
    capture_start (&c);
    clip_log_init ("clipd", CLIP_LOG_DEBUG);
    clip_log_set_format (CLIP_LOG_LOGFMT);
    clip_log_hold (true);
    clip_info ("claimed", "n=1");
    clip_debug ("claimed", "n=2");
    struct stat st;
    cr_assert_eq (stat (c.path, &st), 0);
    cr_assert_eq (st.st_size, 0, "held lines were written before the flush");
    clip_warn ("odd", "n=3");
    cr_assert_eq (stat (c.path, &st), 0);
    cr_assert_gt (st.st_size, 0, "a warning was held");
    clip_info ("recorded", "n=4");
    clip_log_flush ();
    clip_info ("recorded", "n=5");
    clip_log_hold (false);
    clip_info ("stopped", "n=6");
    char *text = capture_end (&c);
    cr_assert_eq (count_lines (text), 6, "%s", text);
    const char *line = text;
    for (int i = 1; i <= 6; i++) {
        char *n = logfmt_get (line, "n");
        cr_assert_not_null (n);
        cr_assert_eq (atoi (n), i, "line %d is n=%s: %s", i, n, text);
        free (n);
        line = strchr (line, '\n') + 1;
    }
    free (text);
    clip_log_set_level (CLIP_LOG_INFO);
}

static long s_stderr_writes;
static size_t s_largest_write;
static bool s_counting;

/*  Counts the writes clip_log makes (it writes with fwrite to stderr).  */
size_t
fwrite (const void *data, size_t size, size_t n, FILE *stream)
{
    static size_t (*real) (const void *, size_t, size_t, FILE *);
    if (!real)
        real = (size_t (*) (const void *, size_t, size_t, FILE *)) dlsym (RTLD_NEXT, "fwrite");
    if (s_counting && stream == stderr) {
        s_stderr_writes++;
        if (size * n > s_largest_write)
            s_largest_write = size * n;
        cr_assert (size * n > 0 && ((const char *) data) [size * n - 1] == '\n',
                   "a write that does not end a line");
    }
    return real (data, size, n, stream);
}

/*  A burst of 300 held lines goes out in whole lines, PIPE_BUF bytes at
    most a write (atomic on a pipe shared with the workers), not one write
    each.  */
Test (log, a_held_burst_takes_few_writes_of_whole_lines)
{
    capture_t c;
    capture_start (&c);
    clip_log_init ("clipd", CLIP_LOG_INFO);
    clip_log_set_format (CLIP_LOG_LOGFMT);
    s_stderr_writes = 0;
    s_largest_write = 0;
    s_counting = true;
    clip_log_hold (true);
    for (int i = 0; i < 300; i++)
        clip_info ("claimed", "file=\"%05d.txt\" bytes=1234 claim=%d", i, i);
    clip_log_hold (false);
    s_counting = false;
    char *text = capture_end (&c);
    cr_assert_eq (count_lines (text), 300);
    cr_assert_leq (s_largest_write, PIPE_BUF);
    cr_assert (s_stderr_writes >= 2 && s_stderr_writes <= 20, "%ld writes for 300 lines",
               s_stderr_writes);
    free (text);
}

/*  ---------------------------------------------------------------------
    The exact bytes of lines (issue 12: the writer made cheaper must write
    what it wrote before)
    --------------------------------------------------------------------- */

/*  Lines with every awkward value the writer and clip_log_quote handle:
    quotes, backslashes, newlines, control bytes, DEL, bytes that are not
    UTF-8, no event or fields, quote buffers of every small size, fields
    past the 4096-byte buffer, and escapes that overflow the line, cut at
    each alignment.  */
static void
emit_awkward_lines (void)
{
    char q [600];
    clip_info ("claimed", "file=%s bytes=%d",
               clip_log_quote (q, sizeof q, "a \"b\"\\c\n\r\t\x01\x1f\x7f\xff\xc3\xa9 d.txt"), 42);
    clip_warn ("raw", "v=%s w=%s n=%s", "x\ny\r\tz\x1b", "\x80\xfe\xc3 bad", "1.5e3");
    clip_error (NULL, NULL);
    clip_info ("empty", "%s", "");
    clip_debug ("nums", "a=-0 b=007 c=1e c2=9223372036854775808 d=0.1 e=\"\\x41\\q\" f g=");
    clip_info ("dup", "event=x level=y time=z text=t1 t2 event=w");
    clip_info ("q-null", "v=%s", clip_log_quote (q, sizeof q, NULL));
    for (size_t size = 7; size <= 13; size++) {
        char small [16];
        memset (small, '#', sizeof small);
        clip_log_quote (small, size, "ab\"\x01\x02xyz");
        clip_info ("q-small", "size=%zu v=%s", size, small);
    }
    char big [6000];
    memset (big, 'a', sizeof big - 1);
    big [sizeof big - 1] = 0;
    clip_info ("big", "v=%s", big);
    /*  Escapes expanding past the line: at the end and at the start of
        the fields, at each of four alignments.  */
    for (int shift = 0; shift < 5; shift++) {
        char v [4200];
        size_t n = 4060;
        memset (v, 'a', n);
        memset (v + 3800 + shift, '\x01', 200);
        v [n] = 0;
        clip_info ("esc-x", "v=%s", v);
        memset (v, 'a', n);
        memset (v + 3000 + shift, '\t', 1000);
        clip_info ("esc-t", "v=%s", v);
        memset (v, 'a', n);
        memset (v, '\n', 100 + (size_t) shift);
        clip_info ("esc-start", "v=%s", v);
    }
    /*  A quoted value at its buffer's end, escapes and all.  */
    char all [256];
    for (int i = 1; i < 256; i++)
        all [i - 1] = (char) i;
    all [255] = 0;
    char q2 [300];
    clip_info ("q-all", "v=%s", clip_log_quote (q2, sizeof q2, all));
}

/*  An expected line as pieces, each text written times times (the long
    lines are runs); a piece of NULL text ends the line.  The timestamp
    is "@".  */
typedef struct {
    const char *text;
    int times;
} piece_t;

#define LINE_END { NULL, 0 }

static const piece_t pinned_logfmt [] = {
    { "ts=@ prog=test level=info event=claimed file=\"a \\\"b\\\"\\\\c\\n\\r\\t\\x01\\x1f\\x7f\xff\xc3\xa9 d.txt\" bytes=42\n", 1 }, LINE_END,
    { "ts=@ prog=test level=warn event=raw v=x\\ny\\r\\tz\\x1b w=\x80\xfe\xc3 bad n=1.5e3\n", 1 }, LINE_END,
    { "ts=@ prog=test level=error event=-\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=empty\n", 1 }, LINE_END,
    { "ts=@ prog=test level=debug event=nums a=-0 b=007 c=1e c2=9223372036854775808 d=0.1 e=\"\\x41\\q\" f g=\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=dup event=x level=y time=z text=t1 t2 event=w\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=q-null v=\"\"\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=q-small size=7 v=\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=q-small size=8 v=\"ab...\"\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=q-small size=9 v=\"ab...\"\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=q-small size=10 v=\"ab\\\"...\"\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=q-small size=11 v=\"ab\\\"...\"\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=q-small size=12 v=\"ab\\\"...\"\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=q-small size=13 v=\"ab\\\"...\"\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=big v=", 1 },
      { "a", 4034 },
      { "\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=esc-x v=", 1 },
      { "a", 3800 },
      { "\\x01", 73 },
      { "...\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=esc-t v=", 1 },
      { "a", 3000 },
      { "\\t", 546 },
      { "...\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=esc-start v=", 1 },
      { "\\n", 100 },
      { "a", 3889 },
      { "...\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=esc-x v=", 1 },
      { "a", 3801 },
      { "\\x01", 73 },
      { "...\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=esc-t v=", 1 },
      { "a", 3001 },
      { "\\t", 546 },
      { "...\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=esc-start v=", 1 },
      { "\\n", 101 },
      { "a", 3887 },
      { "...\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=esc-x v=", 1 },
      { "a", 3802 },
      { "\\x01", 72 },
      { "...\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=esc-t v=", 1 },
      { "a", 3002 },
      { "\\t", 545 },
      { "...\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=esc-start v=", 1 },
      { "\\n", 102 },
      { "a", 3885 },
      { "...\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=esc-x v=", 1 },
      { "a", 3803 },
      { "\\x01", 72 },
      { "...\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=esc-t v=", 1 },
      { "a", 3003 },
      { "\\t", 545 },
      { "...\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=esc-start v=", 1 },
      { "\\n", 103 },
      { "a", 3883 },
      { "...\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=esc-x v=", 1 },
      { "a", 3804 },
      { "\\x01", 72 },
      { "...\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=esc-t v=", 1 },
      { "a", 3004 },
      { "\\t", 544 },
      { "...\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=esc-start v=", 1 },
      { "\\n", 104 },
      { "a", 3881 },
      { "...\n", 1 }, LINE_END,
    { "ts=@ prog=test level=info event=q-all v=\"\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08\\t\\n\\x0b\\x0c\\r\\x0e\\x0f\\x10\\x11\\x12\\x13\\x14\\x15\\x16\\x17\\x18\\x19\\x1a\\x1b\\x1c\\x1d\\x1e\\x1f !\\\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\\x7f\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe\xbf\xc0\xc1\xc2\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca...\"\n", 1 }, LINE_END,
};
static const piece_t pinned_json [] = {
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"claimed\",\"file\":\"a \\\"b\\\"\\\\c\\n\\r\\t\\u0001\\u001F\x7f\xef\xbf\xbd\xc3\xa9 d.txt\",\"bytes\":42}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"warn\",\"event\":\"raw\",\"v\":\"x\\ny\\r\\tz\\u001B\",\"w\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\",\"n\":1500.0,\"text\":\"bad\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"error\",\"event\":\"-\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"empty\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"debug\",\"event\":\"nums\",\"a\":0,\"b\":\"007\",\"c\":\"1e\",\"c2\":\"9223372036854775808\",\"d\":0.1,\"e\":\"A\\\\q\",\"g\":\"\",\"text\":\"f\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"dup\",\"event_2\":\"x\",\"level_2\":\"y\",\"time_2\":\"z\",\"text\":\"t1\",\"event_3\":\"w\",\"text_2\":\"t2\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"q-null\",\"v\":\"\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"q-small\",\"size\":7,\"v\":\"\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"q-small\",\"size\":8,\"v\":\"ab...\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"q-small\",\"size\":9,\"v\":\"ab...\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"q-small\",\"size\":10,\"v\":\"ab\\\"...\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"q-small\",\"size\":11,\"v\":\"ab\\\"...\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"q-small\",\"size\":12,\"v\":\"ab\\\"...\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"q-small\",\"size\":13,\"v\":\"ab\\\"...\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"big\",\"v\":\"", 1 },
      { "a", 4093 },
      { "\",\"truncated\":true}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"esc-x\",\"v\":\"", 1 },
      { "a", 3800 },
      { "\\u0001", 200 },
      { "a", 60 },
      { "\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"esc-t\",\"v\":\"", 1 },
      { "a", 3000 },
      { "\\t", 1000 },
      { "a", 60 },
      { "\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"esc-start\",\"v\":\"", 1 },
      { "\\n", 100 },
      { "a", 3960 },
      { "\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"esc-x\",\"v\":\"", 1 },
      { "a", 3801 },
      { "\\u0001", 200 },
      { "a", 59 },
      { "\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"esc-t\",\"v\":\"", 1 },
      { "a", 3001 },
      { "\\t", 1000 },
      { "a", 59 },
      { "\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"esc-start\",\"v\":\"", 1 },
      { "\\n", 101 },
      { "a", 3959 },
      { "\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"esc-x\",\"v\":\"", 1 },
      { "a", 3802 },
      { "\\u0001", 200 },
      { "a", 58 },
      { "\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"esc-t\",\"v\":\"", 1 },
      { "a", 3002 },
      { "\\t", 1000 },
      { "a", 58 },
      { "\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"esc-start\",\"v\":\"", 1 },
      { "\\n", 102 },
      { "a", 3958 },
      { "\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"esc-x\",\"v\":\"", 1 },
      { "a", 3803 },
      { "\\u0001", 200 },
      { "a", 57 },
      { "\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"esc-t\",\"v\":\"", 1 },
      { "a", 3003 },
      { "\\t", 1000 },
      { "a", 57 },
      { "\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"esc-start\",\"v\":\"", 1 },
      { "\\n", 103 },
      { "a", 3957 },
      { "\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"esc-x\",\"v\":\"", 1 },
      { "a", 3804 },
      { "\\u0001", 200 },
      { "a", 56 },
      { "\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"esc-t\",\"v\":\"", 1 },
      { "a", 3004 },
      { "\\t", 1000 },
      { "a", 56 },
      { "\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"esc-start\",\"v\":\"", 1 },
      { "\\n", 104 },
      { "a", 3956 },
      { "\"}\n", 1 }, LINE_END,
    { "{\"time\":\"@\",\"prog\":\"test\",\"level\":\"info\",\"event\":\"q-all\",\"v\":\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000B\\f\\r\\u000E\\u000F\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001A\\u001B\\u001C\\u001D\\u001E\\u001F !\\\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\x7f", 1 },
      { "\xef\xbf\xbd", 75 },
      { "...\"}\n", 1 }, LINE_END,
};

/*  The lines of emit_awkward_lines, in format, with each timestamp
    checked for its shape and replaced by "@", compared byte for byte
    with the pinned pieces.  */
static void
assert_pinned (clip_log_format_t format, const piece_t *pinned, size_t n_pieces)
{
    clip_log_init ("test", CLIP_LOG_DEBUG);
    clip_log_set_format (format);
    capture_t c;
    capture_start (&c);
    emit_awkward_lines ();
    char *text = capture_end (&c);
    clip_log_set_format (CLIP_LOG_LOGFMT);
    const char *ts_key = format == CLIP_LOG_JSON ? "{\"time\":\"" : "ts=";
    size_t key_len = strlen (ts_key), ts_len = strlen ("2026-11-23T18:30:01.123Z");
    const char *line = text;
    size_t i = 0;
    int line_no = 0;
    while (*line) {
        const char *nl = strchr (line, '\n');
        cr_assert_not_null (nl);
        size_t len = (size_t) (nl + 1 - line);
        cr_assert_lt (i, n_pieces, "more lines than pinned");
        /*  The expected line, timestamp put back.  */
        char *want = clip_malloc (16384);
        size_t w = 0;
        for (; pinned [i].text; i++)
            for (int t = 0; t < pinned [i].times; t++) {
                size_t pl = strlen (pinned [i].text);
                cr_assert_lt (w + pl, 16384u);
                memcpy (want + w, pinned [i].text, pl);
                w += pl;
            }
        i++;
        cr_assert_gt (len, key_len + ts_len);
        cr_assert (strncmp (line, ts_key, key_len) == 0, "line %d: %.*s", line_no, (int) len, line);
        const char *ts = line + key_len;
        for (size_t k = 0; k < ts_len; k++)
            cr_assert (k == 4 || k == 7 ? ts [k] == '-' : k == 10 ? ts [k] == 'T'
                       : k == 13 || k == 16 ? ts [k] == ':' : k == 19 ? ts [k] == '.'
                       : k == 23 ? ts [k] == 'Z' : isdigit ((unsigned char) ts [k]),
                       "line %d: timestamp %.24s", line_no, ts);
        cr_assert_eq (want [key_len], '@');
        size_t got_len = len - ts_len + 1;
        char *got = clip_malloc (got_len + 1);
        memcpy (got, line, key_len);
        got [key_len] = '@';
        memcpy (got + key_len + 1, ts + ts_len, len - key_len - ts_len);
        got [got_len] = 0;
        want [w] = 0;
        cr_assert_eq (got_len, w, "line %d: %zu bytes, pinned %zu:\n%s\n%s", line_no, got_len, w,
                      got, want);
        cr_assert (memcmp (got, want, w) == 0, "line %d:\n%s\n%s", line_no, got, want);
        free (got);
        free (want);
        line = nl + 1;
        line_no++;
    }
    cr_assert_eq (i, n_pieces, "fewer lines than pinned");
    free (text);
}

Test (log, logfmt_lines_keep_their_exact_bytes)
{
    assert_pinned (CLIP_LOG_LOGFMT, pinned_logfmt, sizeof pinned_logfmt / sizeof pinned_logfmt [0]);
}

Test (log, json_lines_keep_their_exact_bytes)
{
    assert_pinned (CLIP_LOG_JSON, pinned_json, sizeof pinned_json / sizeof pinned_json [0]);
}
