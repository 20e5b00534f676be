/*  The example subscribers in proto/examples print what `clip sub` prints,
    byte for byte (numbers included), against a real clipd, and take
    --count and --timeout-ms as it does.  The Python one runs wherever python3-zmq and
    python3-msgpack are installed (scripts/deps.sh installs them); the
    JavaScript one where `npm install` was run in proto/examples.  */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clip_util.h"
#include "testutil.h"

static int
count_lines (const char *path)
{
    char *text = tu_read (path, NULL);
    int n = 0;
    for (char *p = text; p && *p; p++)
        if (*p == '\n')
            n++;
    free (text);
    return n;
}

typedef struct {
    const char *path;
    int n;
} lines_arg_t;

static bool
has_lines (void *arg)
{
    lines_arg_t *l = arg;
    return count_lines (l->path) >= l->n;
}

/*  Run an example subscriber with --count 5 until it exits by itself;
    compare its lines with `clip sub`'s; then --timeout-ms after clipd was
    reached (0) and with nothing listening (1).  */
static void
check_example (const char *const *interp_argv, int n_interp, const char *label)
{
    char *dir = tu_tempdir ("examples");
    const char *extra [] = { "--workers", "2", "--corpus", "none", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    static const char *names [] = {
        "000_9e0fcb074dd77aaf.txt", "001_3dbc5d8e002cb599.txt", "002_b2f4190119ca8e61.txt",
    };
    for (int i = 0; i < 3; i++) {
        char *src = clip_strprintf ("%s/corpus/huawei/%s", CLIP_SOURCE_DIR, names [i]);
        char *dst = clip_path_join (d->inbox, names [i]);
        tu_drop (src, dst);
        free (src);
        free (dst);
    }
    char *out = clip_path_join (dir, "example.out");
    const char *argv [16];
    int n = 0;
    for (int i = 0; i < n_interp; i++)
        argv [n++] = interp_argv [i];
    argv [n++] = "--since";
    argv [n++] = "0";
    argv [n++] = "--count";
    argv [n++] = "5";
    argv [n++] = "--replay";
    argv [n++] = d->replay;
    argv [n++] = d->pub;
    argv [n] = NULL;
    pid_t pid = tu_spawn (argv, out, NULL);
    lines_arg_t l = { out, 3 };
    cr_assert (tu_wait_for (has_lines, &l, 20000), "%s printed 3 records", label);
    /*  Two more while it follows live.  */
    for (int i = 3; i < 5; i++) {
        char *src = clip_strprintf ("%s/corpus/huawei/%s", CLIP_SOURCE_DIR,
                                    i == 3 ? "003_209deb8297a06381.txt" : "004_a2dcec478da87fef.txt");
        char *dst = clip_strprintf ("%s/live-%d.txt", d->inbox, i);
        tu_drop (src, dst);
        free (src);
        free (dst);
    }
    cr_assert_eq (tu_wait (pid, tu_scaled_ms (30000)), 0, "%s --count 5 exits 0 by itself",
                  label);
    cr_assert_eq (count_lines (out), 5, "%s printed 5 records", label);

    char *clip = tu_bin ("clip/clip");
    const char *cargv [] = { clip, "sub", "--since", "0", "--count", "5", "--replay", d->replay,
                             d->pub, NULL };
    char *expected = NULL;
    cr_assert_eq (tu_run (cargv, &expected, 20000), 0);
    char *got = tu_read (out, NULL);
    /*  Same records, same order: compare seq, id and file line by line.  */
    char *save1 = NULL, *save2 = NULL;
    char *a = strtok_r (got, "\n", &save1), *b = strtok_r (expected, "\n", &save2);
    for (int i = 0; i < 5; i++) {
        cr_assert (a && b, "line %d present in both", i);
        json_t *ja = json_loads (a, 0, NULL), *jb = json_loads (b, 0, NULL);
        cr_assert_not_null (ja, "%s line is JSON: %s", label, a);
        cr_assert_eq (json_integer_value (json_object_get (ja, "seq")), i + 1);
        cr_assert_eq (json_integer_value (json_object_get (jb, "seq")), i + 1);
        cr_assert_str_eq (json_string_value (json_object_get (ja, "id")),
                          json_string_value (json_object_get (jb, "id")));
        cr_assert_str_eq (json_string_value (json_object_get (ja, "file")),
                          json_string_value (json_object_get (jb, "file")));
        /*  And the very same text: numbers (scores) printed alike.  */
        cr_assert_str_eq (a, b, "%s line %d differs from clip sub's", label, i + 1);
        json_decref (ja);
        json_decref (jb);
        a = strtok_r (NULL, "\n", &save1);
        b = strtok_r (NULL, "\n", &save2);
    }
    cr_assert_null (a, "%s printed each record once", label);
    free (got);
    free (expected);

    /*  Reached, then idle for --timeout-ms: 0 and nothing printed.  */
    n = n_interp;
    const char *idle [] = { "--since", "5", "--timeout-ms", "1500", "--replay", d->replay,
                            d->pub, NULL };
    for (int i = 0; idle [i]; i++)
        argv [n++] = idle [i];
    argv [n] = NULL;
    char *idle_out = NULL;
    cr_assert_eq (tu_run (argv, &idle_out, tu_scaled_ms (30000)), 0, "%s idle", label);
    cr_assert_str_eq (idle_out ? idle_out : "", "", "%s printed nothing", label);
    free (idle_out);
    /*  Nothing listening: 1 once --timeout-ms passed, as clip sub.  */
    tu_daemon_stop (d);
    n = n_interp;
    const char *gone [] = { "--timeout-ms", "1000", "--replay", d->replay, d->pub, NULL };
    for (int i = 0; gone [i]; i++)
        argv [n++] = gone [i];
    argv [n] = NULL;
    cr_assert_eq (tu_run (argv, NULL, tu_scaled_ms (30000)), 1, "%s unreached", label);
    free (clip);
    free (out);
    tu_daemon_free (d);
    tu_rmtree (dir);
    free (dir);
}

Test (examples, python_subscriber_matches_clip_sub)
{
    const char *python = "/usr/bin/python3";
    char *check = clip_strprintf ("%s -c 'import zmq, msgpack' 2>/dev/null", python);
    int rc = system (check);
    free (check);
    if (rc != 0)
        cr_skip_test ("python3-zmq / python3-msgpack are not installed");
    char *script = clip_strprintf ("%s/proto/examples/sub.py", CLIP_SOURCE_DIR);
    const char *argv [] = { python, script };
    check_example (argv, 2, "sub.py");
    free (script);
}

Test (examples, javascript_subscriber_matches_clip_sub)
{
    char *modules = clip_strprintf ("%s/proto/examples/node_modules/zeromq", CLIP_SOURCE_DIR);
    bool have = access (modules, F_OK) == 0 && access ("/usr/bin/node", X_OK) == 0;
    free (modules);
    if (!have)
        cr_skip_test ("run `npm install` in proto/examples to test sub.js");
    char *script = clip_strprintf ("%s/proto/examples/sub.js", CLIP_SOURCE_DIR);
    const char *argv [] = { "/usr/bin/node", script };
    check_example (argv, 2, "sub.js");
    free (script);
}
