/*  config: who may reach clipd (issue 10).  --allow-insecure is a boolean
    setting (a flag without a value; yes/no, true/false, 1/0 in the
    environment and the file), and the CURVE / loopback rules are checked
    with the settings, before anything binds.  */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "clip_util.h"
#include "config.h"
#include "testutil.h"

static char *s_dir;

static void
fini (void)
{
    unsetenv ("CLIPD_ALLOW_INSECURE");
    if (s_dir) {
        tu_rmtree (s_dir);
        free (s_dir);
        s_dir = NULL;
    }
}

TestSuite (config_security, .fini = fini);

/*  Parse argv (NULL-terminated, without the program name) with the
    messages of clipd_config_reload; returns 0 or -1.  The reload path is
    the same parser as at start, and prints nothing.  */
static int
parse (const char *const *args, clipd_config_t *cfg, char *err, size_t err_size)
{
    static char *argv [32];
    int argc = 0;
    argv [argc++] = "clipd";
    for (int i = 0; args [i] && argc < 31; i++)
        argv [argc++] = (char *) args [i];
    argv [argc] = NULL;
    clipd_config_t start = { .argc = argc, .argv = argv };
    return clipd_config_reload (&start, cfg, err, err_size);
}

Test (config_security, allow_insecure_is_a_flag_and_a_boolean)
{
    clipd_config_t cfg;
    char err [1024] = "";
    const char *none [] = { NULL };
    cr_assert_eq (parse (none, &cfg, err, sizeof err), 0, "%s", err);
    cr_assert_not (cfg.allow_insecure, "off by default");
    clipd_config_clear (&cfg);

    /*  A flag takes no value: the next word is the next flag.  */
    const char *flag [] = { "--allow-insecure", "--tasks", "tcp://192.0.2.1:5555", NULL };
    cr_assert_eq (parse (flag, &cfg, err, sizeof err), 0, "%s", err);
    cr_assert (cfg.allow_insecure);
    cr_assert_str_eq (cfg.tasks, "tcp://192.0.2.1:5555");
    clipd_config_clear (&cfg);

    const char *off [] = { "--allow-insecure=no", NULL };
    cr_assert_eq (parse (off, &cfg, err, sizeof err), 0, "%s", err);
    cr_assert_not (cfg.allow_insecure);
    clipd_config_clear (&cfg);

    setenv ("CLIPD_ALLOW_INSECURE", "true", 1);
    cr_assert_eq (parse (none, &cfg, err, sizeof err), 0, "%s", err);
    cr_assert (cfg.allow_insecure, "from the environment");
    clipd_config_clear (&cfg);
    setenv ("CLIPD_ALLOW_INSECURE", "0", 1);
    cr_assert_eq (parse (none, &cfg, err, sizeof err), 0, "%s", err);
    cr_assert_not (cfg.allow_insecure);
    clipd_config_clear (&cfg);
    setenv ("CLIPD_ALLOW_INSECURE", "maybe", 1);
    cr_assert_eq (parse (none, &cfg, err, sizeof err), -1);
    cr_assert (strstr (err, "CLIPD_ALLOW_INSECURE") && strstr (err, "yes or no"), "%s", err);
    clipd_config_clear (&cfg);
    unsetenv ("CLIPD_ALLOW_INSECURE");

    s_dir = tu_tempdir ("config-security");
    char *path = clip_path_join (s_dir, "clipd.conf");
    tu_write (path, "[clipd]\nallow-insecure = yes\n", 29);
    const char *file [] = { "--config", path, NULL };
    cr_assert_eq (parse (file, &cfg, err, sizeof err), 0, "%s", err);
    cr_assert (cfg.allow_insecure, "from the file");
    clipd_config_t other;
    const char *plain [] = { NULL };
    cr_assert_eq (parse (plain, &other, err, sizeof err), 0, "%s", err);
    const char *names [64];
    size_t n = clipd_config_changed (&cfg, &other, false, names, 64);
    bool named = false;
    for (size_t i = 0; i < n && i < 64; i++)
        named |= strcmp (names [i], "allow-insecure") == 0;
    cr_assert (named, "a change is named on reload");
    clipd_config_clear (&other);
    clipd_config_clear (&cfg);
    free (path);
}

Test (config_security, rules)
{
    clipd_config_t cfg;
    char err [1024] = "";
    struct {
        const char *args [12];
        int ok;
        const char *needle;
    } cases [] = {
        { { "--pub", "tcp://0.0.0.0:5556", NULL }, -1, "--pub tcp://0.0.0.0:5556 is beyond loopback" },
        { { "--replay", "tcp://eth0:5557", NULL }, -1, "--curve-subscribers DIR" },
        { { "--tasks", "tcp://127.evil.example:5555", NULL }, -1, "--allow-insecure" },
        { { "--tasks", "tcp://127.0.0.1:5555", "--pub", "ipc:///tmp/x", "--replay",
            "tcp://[::1]:5557", "--http", "localhost:9110", NULL }, 0, NULL },
        { { "--tasks", "tcp://0.0.0.0:5555", "--allow-insecure", NULL }, 0, NULL },
        { { "--http", "0.0.0.0:9110", NULL }, -1, "reverse proxy" },
        { { "--http", "off", NULL }, 0, NULL },
        { { "--http", "0.0.0.0:9110", "--curve-secret", "k.key", "--curve-workers", "w",
            "--curve-subscribers", "s", NULL }, -1, "HTTP has no CURVE" },
        { { "--curve-secret", "k.key", "--curve-workers", "w", NULL }, -1,
          "--curve-secret needs --curve-subscribers DIR" },
        { { "--curve-secret", "k.key", "--curve-subscribers", "s", NULL }, -1,
          "--curve-secret needs --curve-workers DIR" },
        { { "--curve-secret", "k.key", "--curve-subscribers", "s", "--workers", "2", NULL }, 0,
          NULL },
        { { "--curve-workers", "w", NULL }, -1, "--curve-workers needs --curve-secret" },
        { { "--curve-secret", "k.key", "--curve-workers", "w", "--curve-subscribers", "s",
            "--tasks", "tcp://0.0.0.0:5555", NULL }, 0, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        err [0] = 0;
        int rc = parse (cases [i].args, &cfg, err, sizeof err);
        cr_assert_eq (rc, cases [i].ok, "case %zu: %s", i, err);
        if (cases [i].needle)
            cr_assert (strstr (err, cases [i].needle), "case %zu: %s", i, err);
        clipd_config_clear (&cfg);
    }
}
