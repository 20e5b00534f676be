/*  No peer can forge a line of clipd's log (issue 9, defect 9): a fake
    worker (a real DEALER) joins under a name holding a newline and a
    whole forged event, an article arrives whose file name does the same,
    the worker answers it with a record naming itself so; clipd's log must
    hold each event on one line, the forged text only inside quoted,
    escaped values.  The same with --log-format json (issue 11): every line
    is one JSON object, the forged text only inside string members, which
    parse back to exactly the name and file name sent.  */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "clip_record.h"
#include "clip_util.h"
#include "clip_wire.h"
#include "testutil.h"

#define FORGED_TS "ts=2026-01-01T00:00:00.000Z"
#define FORGED FORGED_TS " prog=clipd level=error event=forged"

static char *s_dir;
static tu_daemon_t *s_daemon;

static void
cleanup (void)
{
    tu_suite_cleanup (&s_dir, &s_daemon);
}

TestSuite (log_injection, .fini = cleanup);

/*  The worker's name and the file's, each holding a newline, a whole
    forged event, quotes and other control characters.  */
static const char *s_name = "x\n" FORGED " worker=\"evil\"\r\n\x01\x1b[31m\x7f";
#define FILE_NAME_FMT "a\n%s\t\"q\"\x02_file.txt"

/*  Start clipd with the extra arguments, have a fake worker named s_name
    join, drop a file named FILE_NAME_FMT and answer its task; stop clipd.
    Returns its log (caller frees); *file_name the name dropped (caller
    frees).  */
static char *
run_scenario (const char *const *extra, const char *joined_needle, const char *recorded_needle,
              char **file_name)
{
    s_dir = tu_tempdir ("log_injection");
    s_daemon = tu_daemon_start (s_dir, extra);

    const char *name = s_name;
    void *ctx = zmq_ctx_new ();
    void *sock = tu_worker_connect (ctx, s_daemon, name, 0);
    tu_wait_log (s_daemon, joined_needle, 1, 10000);

    /*  A file name is the writer's too.  */
    char *src = clip_path_join (s_dir, "article.txt");
    const char *text = "Nokia opened a factory in Oulu on Monday, hiring three hundred people.\n";
    tu_write (src, text, strlen (text));
    char *dst_name = clip_strprintf (FILE_NAME_FMT, FORGED);
    char *dst = clip_path_join (s_daemon->inbox, dst_name);
    tu_drop (src, dst);
    clip_wire_msg_t *task = tu_worker_recv_task (sock, 20000);
    cr_assert_not_null (task, "the fake worker was given the article");
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->id, "0123456789abcdef0123456789abcdef");
    clip_record_set (rec, &rec->file, task->file);
    clip_record_set (rec, &rec->encoding, "utf-8");
    clip_record_set (rec, &rec->title, "Nokia opened a factory");
    clip_record_set (rec, &rec->worker, name);
    rec->bytes = task->data_len;
    char *packed = NULL;
    size_t packed_len = 0;
    clip_record_encode (rec, &packed, &packed_len);
    clip_wire_msg_t result = { .kind = CLIP_WIRE_RESULT, .worker = (char *) name,
                               .task = task->task, .data = packed, .data_len = packed_len };
    cr_assert_eq (clip_wire_send (sock, NULL, 0, &result, 0), 0);
    tu_wait_log (s_daemon, recorded_needle, 1, 20000);
    cr_assert_eq (tu_daemon_stop (s_daemon), 0);

    char *log = tu_read (s_daemon->log, NULL);
    cr_assert_not_null (log);
    free (packed);
    clip_record_destroy (&rec);
    clip_wire_msg_destroy (&task);
    free (src);
    free (dst);
    *file_name = dst_name;
    zmq_close (sock);
    zmq_ctx_term (ctx);
    return log;
}

Test (log_injection, peer_strings_cannot_forge_log_lines, .timeout = 120)
{
    const char *extra [] = { "--corpus", "none", NULL };
    char *dst_name;
    char *log = run_scenario (extra, "event=worker_joined", "event=recorded", &dst_name);
    int lines = 0, joined = 0, recorded = 0;
    for (char *line = log; *line; lines++) {
        char *nl = strchr (line, '\n');
        cr_assert_not_null (nl, "the log ends with a newline");
        *nl = 0;
        cr_assert (strncmp (line, FORGED_TS, strlen (FORGED_TS)) != 0,
                   "a forged line in clipd's log: %s", line);
        cr_assert (strncmp (line, "ts=", 3) == 0, "a line that is not an event: %s", line);
        /*  The event is the first event= of the line; the forged one only
            appears later, inside a quoted value.  */
        char *event = strstr (line, " event=");
        cr_assert_not_null (event, "%s", line);
        cr_assert (strncmp (event, " event=forged", 13) != 0, "%s", line);
        if (strncmp (event, " event=worker_joined ", 21) == 0) {
            joined++;
            cr_assert_not_null (strstr (line, "worker=\"x\\n" FORGED_TS), "%s", line);
        }
        if (strncmp (event, " event=recorded ", 16) == 0) {
            recorded++;
            cr_assert_not_null (strstr (line, "file=\"a\\n" FORGED_TS), "%s", line);
            cr_assert_not_null (strstr (line, "worker=\"x\\n" FORGED_TS), "%s", line);
        }
        line = nl + 1;
    }
    cr_assert_geq (lines, 4);
    cr_assert_eq (joined, 1);
    cr_assert_eq (recorded, 1);
    free (log);
    free (dst_name);
}

Test (log_injection, peer_strings_cannot_forge_json_log_lines, .timeout = 120)
{
    const char *extra [] = { "--corpus", "none", "--log-format", "json", NULL };
    char *dst_name;
    char *log = run_scenario (extra, "\"event\":\"worker_joined\"", "\"event\":\"recorded\"",
                              &dst_name);
    int lines = 0, joined = 0, recorded = 0;
    for (char *line = log; *line; lines++) {
        char *nl = strchr (line, '\n');
        cr_assert_not_null (nl, "the log ends with a newline");
        *nl = 0;
        for (const unsigned char *p = (const unsigned char *) line; *p; p++)
            cr_assert (*p >= 0x20, "control character 0x%02x in: %s", *p, line);
        json_error_t jerr;
        json_t *o = json_loads (line, 0, &jerr);
        cr_assert_not_null (o, "a line that is not JSON (%s): %s", jerr.text, line);
        cr_assert (json_is_object (o), "%s", line);
        const char *event = json_string_value (json_object_get (o, "event"));
        const char *level = json_string_value (json_object_get (o, "level"));
        cr_assert (event && level, "%s", line);
        cr_assert_str_neq (event, "forged", "%s", line);
        cr_assert_str_neq (level, "error", "%s", line);
        if (strcmp (event, "worker_joined") == 0) {
            joined++;
            const char *worker = json_string_value (json_object_get (o, "worker"));
            cr_assert_str_eq (worker ? worker : "", s_name, "%s", line);
            cr_assert_eq (json_object_size (o), 6, "a member added: %s", line);
        }
        if (strcmp (event, "recorded") == 0) {
            recorded++;
            const char *file = json_string_value (json_object_get (o, "file"));
            const char *worker = json_string_value (json_object_get (o, "worker"));
            cr_assert_str_eq (file ? file : "", dst_name, "%s", line);
            cr_assert_str_eq (worker ? worker : "", s_name, "%s", line);
        }
        json_decref (o);
        line = nl + 1;
    }
    cr_assert_geq (lines, 4);
    cr_assert_eq (joined, 1);
    cr_assert_eq (recorded, 1);
    free (log);
    free (dst_name);
}
