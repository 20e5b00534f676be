/*  config: clipd's settings, table-driven.  See config.h.  */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clip_log.h"
#include "clip_record.h"
#include "clip_util.h"

#define CLIP_STRINGIFY_(x) #x
#define CLIP_STRINGIFY(x) CLIP_STRINGIFY_ (x)

typedef enum { OPT_STRING, OPT_UINT, OPT_DOUBLE } opt_type_t;

typedef struct {
    const char *name;           /* flag and config-file key */
    opt_type_t type;
    size_t offset;              /* into clipd_config_t */
    const char *fallback;       /* default, as text */
    const char *help;
    bool live;                  /* a running clipd applies it on SIGHUP */
} opt_t;

#define OPT(name, type, field, fallback, help) \
    { name, type, offsetof (clipd_config_t, field), fallback, help, false }
#define LIVE_OPT(name, type, field, fallback, help) \
    { name, type, offsetof (clipd_config_t, field), fallback, help, true }

/*  The one place where clipd's settings are declared.  */
static const opt_t options[] = {
    OPT ("inbox", OPT_STRING, inbox, "./inbox",
         "folder watched for new articles (created if missing)"),
    OPT ("state", OPT_STRING, state, "./var",
         "processing/, done/, failed/ and the database clipd.db"),
    OPT ("tasks", OPT_STRING, tasks, "tcp://127.0.0.1:5555",
         "ZeroMQ endpoint where workers connect (port * picks a free one)"),
    OPT ("pub", OPT_STRING, pub, "tcp://127.0.0.1:5556",
         "ZeroMQ endpoint where results are published"),
    OPT ("replay", OPT_STRING, replay, "tcp://127.0.0.1:5557",
         "ZeroMQ endpoint where subscribers ask for results since a seq"),
    OPT ("http", OPT_STRING, http, "127.0.0.1:9110",
         "ADDR:PORT for GET /metrics (Prometheus) and GET /healthz; port 0 picks one, 'off' serves none"),
    OPT ("workers", OPT_UINT, workers, "0",
         "also spawn and supervise N local clip-worker processes"),
    OPT ("corpus", OPT_STRING, corpus, "",
         "articles loaded into an empty corpus at first start; 'none' for an empty corpus "
         "(default: the shipped Huawei corpus)"),
    OPT ("on-done", OPT_STRING, on_done, "keep",
         "keep: move finished files to done/; delete: delete them"),
    OPT ("max-bytes", OPT_UINT, max_bytes, "10485760",
         "larger files go to failed/ with error too_large"),
    OPT ("max-entities", OPT_UINT, max_entities, CLIP_STRINGIFY (CLIP_RECORD_MAX_ENTITIES),
         "entities per record: local workers keep the first N in text order (and say so in "
         "the record); a worker's record with more is refused as bad_result"),
    OPT ("config", OPT_STRING, config, "",
         "a config file holding these same keys (INI)"),
    OPT ("settle-ms", OPT_UINT, settle_ms, "500",
         "a file written in place is taken once unchanged for this long"),
    OPT ("rescan-ms", OPT_UINT, rescan_ms, "5000",
         "full rescan of the inbox every this often (catches lost events)"),
    OPT ("max-inflight", OPT_UINT, max_inflight, "64",
         "files claimed but not finished, at most"),
    OPT ("max-pending", OPT_UINT, max_pending, "1024",
         "inbox files tracked before claiming, at most"),
    OPT ("heartbeat-ms", OPT_UINT, heartbeat_ms, "1000",
         "heartbeat interval with workers"),
    OPT ("liveness-ms", OPT_UINT, liveness_ms, "5000",
         "an idle worker silent this long is forgotten"),
    OPT ("task-timeout-ms", OPT_UINT, task_timeout_ms, "60000",
         "a task not answered within this is given to another worker"),
    OPT ("max-attempts", OPT_UINT, max_attempts, "3",
         "workers tried per file before it fails with worker_lost"),
    LIVE_OPT ("near-containment", OPT_DOUBLE, near_containment, "0.7",
              "near_duplicate when this share of the smaller article is in the other"),
    LIVE_OPT ("near-jaccard", OPT_DOUBLE, near_jaccard, "0.5",
              "near_duplicate when Jaccard similarity is above this"),
    LIVE_OPT ("related-containment", OPT_DOUBLE, related_containment, "0.25",
              "related when containment is above this"),
    LIVE_OPT ("log-level", OPT_STRING, log_level, "info",
              "lowest level logged: debug, info, warn or error (CLIP_LOG in the environment wins)"),
    OPT ("worker-bin", OPT_STRING, worker_bin, "",
         "clip-worker executable for --workers (default: next to clipd)"),
    OPT ("data-dir", OPT_STRING, data_dir, CLIP_DATADIR,
         "directory holding corpus/ and workers/ner/model"),
    OPT ("curve-secret", OPT_STRING, curve_secret, "",
         "CURVE secret key file, needed to bind to anything but loopback"),
};
#define N_OPTIONS (sizeof options / sizeof options [0])

static const opt_t *
find_option (const char *name)
{
    for (size_t i = 0; i < N_OPTIONS; i++) {
        /*  Accept both dashes and underscores (config files often use the
            latter).  */
        const char *a = options [i].name, *b = name;
        while (*a && *b && (*a == *b || (*a == '-' && *b == '_')))
            a++, b++;
        if (!*a && !*b)
            return &options [i];
    }
    return NULL;
}

static int
set_value (clipd_config_t *cfg, const opt_t *opt, const char *value, const char *origin,
           char *err, size_t err_size)
{
    void *field = (char *) cfg + opt->offset;
    if (opt->type == OPT_STRING) {
        char **s = field;
        free (*s);
        *s = clip_strdup (value);
        return 0;
    }
    char *end;
    errno = 0;
    if (opt->type == OPT_UINT) {
        unsigned long long v = strtoull (value, &end, 10);
        if (errno || end == value || *end || value [0] == '-') {
            snprintf (err, err_size, "%s: %s must be a non-negative integer, got '%s'",
                      origin, opt->name, value);
            return -1;
        }
        *(uint64_t *) field = v;
    }
    else {
        double v = strtod (value, &end);
        if (errno || end == value || *end || !isfinite (v) || v < 0 || v > 1) {
            snprintf (err, err_size, "%s: %s must be a number between 0 and 1, got '%s'",
                      origin, opt->name, value);
            return -1;
        }
        *(double *) field = v;
    }
    return 0;
}

typedef struct {
    clipd_config_t *cfg;
    const char *path;
    bool *given;                /* set by flags or environment: keep */
    int failed;
    char *err;
    size_t err_size;
} ini_ctx_t;

static int
on_ini (void *user, const char *section, const char *name, const char *value)
{
    ini_ctx_t *ctx = user;
    if (*section && strcmp (section, "clipd") != 0)
        return 1;
    const opt_t *opt = find_option (name);
    if (!opt) {
        snprintf (ctx->err, ctx->err_size, "%s: unknown setting '%s'", ctx->path, name);
        ctx->failed = 1;
        return 0;
    }
    if (ctx->given [opt - options])
        return 1;
    char origin [600];
    snprintf (origin, sizeof origin, "config file %s", ctx->path);
    if (set_value (ctx->cfg, opt, value, origin, ctx->err, ctx->err_size))
        ctx->failed = 1;
    return !ctx->failed;
}

static void
usage (FILE *out)
{
    fprintf (out,
        "Usage: clipd [OPTIONS]\n"
        "The clipd news-clipping daemon: watches an inbox folder, hands articles to\n"
        "clip-worker processes, records every result and publishes it.\n\n");
    for (size_t i = 0; i < N_OPTIONS; i++) {
        char flag [64];
        snprintf (flag, sizeof flag, "--%s %s", options [i].name,
                  options [i].type == OPT_STRING ? "VALUE" : "N");
        fprintf (out, "  %-26s %s", flag, options [i].help);
        if (*options [i].fallback)
            fprintf (out, " [%s]", options [i].fallback);
        if (options [i].live)
            fprintf (out, " (SIGHUP reloads it)");
        fputc ('\n', out);
    }
    fprintf (out, "  %-26s %s\n  %-26s %s\n  %-26s %s\n", "--help", "print this help",
             "--version", "print the version",
             "--sample-config", "print a config file holding every setting and its default");
    fprintf (out, "\nEach setting may also be given as CLIPD_<NAME> in the environment\n"
                  "(e.g. CLIPD_MAX_BYTES) or as 'name = value' in the --config file.\n"
                  "SIGHUP re-reads the settings: those marked are applied at once, a change\n"
                  "to any other is logged and takes effect at restart.\n");
}

void
clipd_config_print_sample (FILE *out)
{
    fprintf (out, "# clipd configuration: every key is optional; the values shown are the\n"
                  "# defaults.  Flags and CLIPD_<NAME> environment variables override it.\n"
                  "[clipd]\n");
    for (size_t i = 0; i < N_OPTIONS; i++) {
        if (strcmp (options [i].name, "config") == 0)
            continue;
        /*  The data directory's default is where this build found its data:
            a machine's path, not a setting to copy.  */
        bool machine_path = strcmp (options [i].name, "data-dir") == 0;
        fprintf (out, "\n# %s\n%s%s = %s\n", options [i].help,
                 *options [i].fallback && !machine_path ? "" : "# ", options [i].name,
                 machine_path ? "(where clipd was built or installed)" : options [i].fallback);
    }
}

/*  Flags, then the environment, then the file, then the checks.  With
    startup, --help, --version and --sample-config are answered (1).
    Returns 0, 1, or 2 with err set.  */
static int
parse (clipd_config_t *cfg, int argc, char **argv, bool startup, char *err, size_t err_size)
{
    memset (cfg, 0, sizeof *cfg);
    cfg->argc = argc;
    cfg->argv = argv;
    bool given [N_OPTIONS] = { false };
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (set_value (cfg, &options [i], options [i].fallback, "default", err, err_size))
            return 2;

    /*  Flags first, remembered so that the environment and file cannot
        override them.  */
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        if (startup && (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0)) {
            usage (stdout);
            return 1;
        }
        if (startup && strcmp (arg, "--version") == 0) {
            printf ("clipd %s\n", CLIP_VERSION);
            return 1;
        }
        if (startup && strcmp (arg, "--sample-config") == 0) {
            clipd_config_print_sample (stdout);
            return 1;
        }
        if (strncmp (arg, "--", 2) != 0) {
            snprintf (err, err_size, "unexpected argument '%s' (see --help)", arg);
            return 2;
        }
        char *name = clip_strdup (arg + 2);
        char *value = strchr (name, '=');
        if (value)
            *value++ = 0;
        const opt_t *opt = find_option (name);
        if (!opt) {
            snprintf (err, err_size, "unknown option '--%s' (see --help)", name);
            free (name);
            return 2;
        }
        if (!value) {
            if (i + 1 >= argc) {
                snprintf (err, err_size, "option '--%s' needs a value", name);
                free (name);
                return 2;
            }
            value = argv [++i];
        }
        int rc = set_value (cfg, opt, value, "command line", err, err_size);
        given [opt - options] = true;
        free (name);
        if (rc)
            return 2;
    }
    for (size_t i = 0; i < N_OPTIONS; i++) {
        if (given [i])
            continue;
        char env [64] = "CLIPD_";
        size_t o = strlen (env);
        for (const char *p = options [i].name; *p && o < sizeof env - 1; p++)
            env [o++] = *p == '-' ? '_' : (char) toupper ((unsigned char) *p);
        env [o] = 0;
        const char *value = getenv (env);
        if (value) {
            char origin [80];
            snprintf (origin, sizeof origin, "environment %s", env);
            if (set_value (cfg, &options [i], value, origin, err, err_size))
                return 2;
            given [i] = true;
        }
    }
    if (cfg->config && *cfg->config) {
        ini_ctx_t ctx = { .cfg = cfg, .path = cfg->config, .given = given,
                          .err = err, .err_size = err_size };
        int rc = ini_parse (cfg->config, on_ini, &ctx);
        if (rc < 0) {
            snprintf (err, err_size, "cannot read config file %s", cfg->config);
            return 2;
        }
        if (rc > 0 && !ctx.failed) {
            snprintf (err, err_size, "config file %s: syntax error on line %d", cfg->config, rc);
            return 2;
        }
        if (ctx.failed)
            return 2;
    }
    if (strcmp (cfg->on_done, "keep") != 0 && strcmp (cfg->on_done, "delete") != 0) {
        snprintf (err, err_size, "--on-done must be 'keep' or 'delete', got '%s'", cfg->on_done);
        return 2;
    }
    if (clip_log_level_from_name (cfg->log_level) < 0) {
        snprintf (err, err_size, "--log-level must be debug, info, warn or error, got '%s'",
                  cfg->log_level);
        return 2;
    }
    if (cfg->max_inflight == 0 || cfg->max_pending == 0 || cfg->heartbeat_ms == 0
    ||  cfg->max_attempts == 0 || cfg->settle_ms == 0 || cfg->rescan_ms == 0
    ||  cfg->max_entities == 0) {
        snprintf (err, err_size, "max-inflight, max-pending, heartbeat-ms, max-attempts, "
                                 "settle-ms, rescan-ms and max-entities must be positive");
        return 2;
    }
    return 0;
}

int
clipd_config_parse (clipd_config_t *cfg, int argc, char **argv)
{
    char err [1024] = "";
    int rc = parse (cfg, argc, argv, true, err, sizeof err);
    if (rc == 2)
        fprintf (stderr, "clipd: %s\n", err);
    return rc;
}

int
clipd_config_reload (const clipd_config_t *current, clipd_config_t *fresh,
                     char *err, size_t err_size)
{
    return parse (fresh, current->argc, current->argv, false, err, err_size) == 0 ? 0 : -1;
}

static bool
option_equal (const opt_t *opt, const clipd_config_t *a, const clipd_config_t *b)
{
    const void *fa = (const char *) a + opt->offset;
    const void *fb = (const char *) b + opt->offset;
    if (opt->type == OPT_STRING) {
        const char *sa = *(char *const *) fa, *sb = *(char *const *) fb;
        return strcmp (sa ? sa : "", sb ? sb : "") == 0;
    }
    if (opt->type == OPT_UINT)
        return *(const uint64_t *) fa == *(const uint64_t *) fb;
    return *(const double *) fa == *(const double *) fb;
}

size_t
clipd_config_changed (const clipd_config_t *a, const clipd_config_t *b, bool live,
                      const char **names, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (options [i].live == live && !option_equal (&options [i], a, b)) {
            if (n < max)
                names [n] = options [i].name;
            n++;
        }
    return n;
}

void
clipd_config_clear (clipd_config_t *cfg)
{
    for (size_t i = 0; i < N_OPTIONS; i++) {
        if (options [i].type == OPT_STRING) {
            char **s = (char **) ((char *) cfg + options [i].offset);
            free (*s);
            *s = NULL;
        }
    }
}
