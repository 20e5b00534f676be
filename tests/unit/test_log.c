/*  clip_log: one event is one line, whatever a value holds, and a quoted
    value parses back to what was logged.  stderr is captured into a real
    file (dup2) and read back.  */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
