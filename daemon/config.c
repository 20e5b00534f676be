/*  config: clipd's settings, table-driven.  See config.h.  */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clip_datadir.h"
#include "clip_log.h"
#include "clip_record.h"
#include "clip_util.h"

#define CLIP_STRINGIFY_(x) #x
#define CLIP_STRINGIFY(x) CLIP_STRINGIFY_ (x)

/*  OPT_BOOL: a flag without a value (--allow-insecure), or yes/no, true/
    false, 1/0 in the environment, the file and as --flag=VALUE.  */
typedef enum { OPT_STRING, OPT_UINT, OPT_DOUBLE, OPT_BOOL } opt_type_t;

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
    /*  Its default is found at run time (clip_datadir.h): see shown_default.  */
    OPT ("data-dir", OPT_STRING, data_dir, "",
         "the shipped data: the NER model, aliases.tsv and corpus/huawei (an install's "
         "share/clipd, or a source tree)"),
    OPT ("curve-secret", OPT_STRING, curve_secret, "",
         "CURVE key pair file (clip keygen NAME writes NAME.key): the task, pub and replay "
         "endpoints become CURVE servers; needed to bind them beyond loopback"),
    OPT ("curve-workers", OPT_STRING, curve_workers, "",
         "folder of the workers' public keys (*.pub) allowed on the task endpoint "
         "(SIGHUP reads the folder again)"),
    OPT ("curve-subscribers", OPT_STRING, curve_subscribers, "",
         "folder of the subscribers' public keys (*.pub) allowed on pub and replay "
         "(SIGHUP reads the folder again)"),
    OPT ("allow-insecure", OPT_BOOL, allow_insecure, "no",
         "allow binding endpoints and --http beyond loopback without CURVE (a flag; "
         "yes/no in the environment or file)"),
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
    if (opt->type == OPT_BOOL) {
        const char *yes [] = { "yes", "true", "1" }, *no [] = { "no", "false", "0" };
        for (int i = 0; i < 3; i++) {
            if (strcasecmp (value, yes [i]) == 0 || strcasecmp (value, no [i]) == 0) {
                *(bool *) field = strcasecmp (value, yes [i]) == 0;
                return 0;
            }
        }
        snprintf (err, err_size, "%s: %s must be yes or no (true/false, 1/0), got '%s'",
                  origin, opt->name, value);
        return -1;
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

/*  The data directory's default is not a constant: an installed clipd
    finds share/clipd beside its bin/ folder, one run from its build tree
    the source tree (clip_datadir.h).  What --help shows and what an unset
    data-dir becomes.  */
static bool
is_data_dir (const opt_t *opt)
{
    return strcmp (opt->name, "data-dir") == 0;
}

static const char *
shown_default (const opt_t *opt)
{
    return is_data_dir (opt) ? clip_datadir_default () : opt->fallback;
}

/*  CLIPD_<NAME>: the name upper-cased, dashes as underscores.  */
static void
env_name (const opt_t *opt, char *env, size_t size)
{
    size_t o = (size_t) snprintf (env, size, "CLIPD_");
    for (const char *p = opt->name; *p && o + 1 < size; p++)
        env [o++] = *p == '-' ? '_' : (char) toupper ((unsigned char) *p);
    env [o < size ? o : size - 1] = 0;
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
                  options [i].type == OPT_STRING ? "VALUE"
                  : options [i].type == OPT_BOOL ? "" : "N");
        fprintf (out, "  %-26s %s", flag, options [i].help);
        if (*shown_default (&options [i]))
            fprintf (out, " [%s]", shown_default (&options [i]));
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
        /*  The data directory's default is found at run time, where clipd
            is installed: a machine's path, not a setting to copy.  */
        bool machine_path = is_data_dir (&options [i]);
        fprintf (out, "\n# %s\n%s%s = %s\n", options [i].help,
                 *options [i].fallback && !machine_path ? "" : "# ", options [i].name,
                 machine_path ? "(where clipd was built or installed)" : options [i].fallback);
    }
}

/*  Text for a roff page: backslashes and dashes escaped, and a line
    starting with a control character (. or ') guarded.  */
static void
roff_text (FILE *out, const char *text)
{
    if (*text == '.' || *text == '\'')
        fputs ("\\&", out);
    for (const char *p = text; *p; p++) {
        if (*p == '\\')
            fputs ("\\e", out);
        else
        if (*p == '-')
            fputs ("\\-", out);
        else
            fputc (*p, out);
    }
}

void
clipd_config_print_man (FILE *out)
{
    fprintf (out,
        ".\\\" clipd.8: generated at build time from the settings table of\n"
        ".\\\" daemon/config.c (clipd_config_print_man).  Do not edit.\n"
        ".TH CLIPD 8 \"\" \"clipd %s\" \"System Administration\"\n"
        ".SH NAME\n"
        "clipd \\- the clipd news\\-clipping daemon\n"
        ".SH SYNOPSIS\n"
        ".B clipd\n"
        ".RI [ OPTIONS ]\n"
        ".br\n"
        ".B clipd \\-\\-sample\\-config\n"
        ".SH DESCRIPTION\n"
        ".B clipd\n"
        "watches an inbox folder for article files, hands them over ZeroMQ to\n"
        ".BR clip\\-worker (1)\n"
        "processes that extract named entities and compare each article with the\n"
        "corpus already seen, records every result durably in its state folder,\n"
        "and publishes it, msgpack\\-encoded, to any subscriber\n"
        "(see\n"
        ".BR clip (1),\n"
        "\\fBclip sub\\fR).\n"
        "Each file gets exactly one record, across crashes.\n"
        ".PP\n"
        "Every setting below is also settable as\n"
        ".BI CLIPD_ NAME\n"
        "in the environment and as\n"
        ".I \"name = value\"\n"
        "in the file given with \\fB\\-\\-config\\fR (INI, optional \\fB[clipd]\\fR section);\n"
        "flags win over the environment, which wins over the file.\n"
        "clipd logs to standard error, one line per event as key=value pairs.\n"
        ".SH OPTIONS\n", CLIP_VERSION);
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const opt_t *opt = &options [i];
        char env [64];
        env_name (opt, env, sizeof env);
        /*  The argument as --help names it; a flag (OPT_BOOL) has none.  */
        const char *arg = opt->type == OPT_STRING ? "VALUE" : opt->type == OPT_BOOL ? "" : "N";
        fputs (*arg ? ".TP\n.BI \\-\\-" : ".TP\n.B \\-\\-", out);
        roff_text (out, opt->name);
        if (*arg)
            fprintf (out, " \" %s\"", arg);
        fputc ('\n', out);
        roff_text (out, opt->help);
        fputs (".\n", out);
        /*  The page is built once for every machine it is installed on:
            the data directory's default is described, not printed.  */
        if (is_data_dir (opt))
            fputs ("Default: the folder \\fIshare/clipd\\fR beside the \\fIbin\\fR folder "
                   "holding clipd (\\fI/usr/share/clipd\\fR for clipd in \\fI/usr/bin\\fR),\n"
                   "when it holds the model; else the source tree clipd was built from.\n", out);
        else
        if (*opt->fallback) {
            fputs ("Default: \\fB", out);
            roff_text (out, opt->fallback);
            fputs ("\\fR.\n", out);
        }
        fprintf (out, "Environment: \\fB%s\\fR.", env);
        if (opt->live)
            fputs (" SIGHUP reloads it.", out);
        fputc ('\n', out);
    }
    fputs (".TP\n.B \\-\\-help\nprint the settings with their defaults and exit.\n"
           ".TP\n.B \\-\\-version\nprint the version and exit.\n"
           ".TP\n.B \\-\\-sample\\-config\n"
           "print a config file holding every setting and its default, and exit.\n"
           ".SH SIGNALS\n"
           ".TP\n.BR SIGTERM \", \" SIGINT\n"
           "stop cleanly: results in hand are committed first.\n"
           ".TP\n.B SIGHUP\n"
           "read the settings again (flags, environment, \\fB\\-\\-config\\fR file, with the same\n"
           "precedence as at start): those marked above are applied to what comes next;\n"
           "a change to any other is logged (\\fBevent=reload_needs_restart\\fR) and takes\n"
           "effect at restart; a file with an error is refused and the settings in force\n"
           "are kept.  clipd opens no log file: there is nothing to reopen.\n"
           ".TP\n.BR SIGUSR1 \", \" SIGUSR2\n"
           "ignored (logged as \\fBevent=signal_ignored\\fR).\n"
           ".SH FILES\n"
           ".TP\n.I STATE/clipd.db\n"
           "the results log and the corpus (SQLite); \\fISTATE/clipd.db.keys\\fR is a derived\n"
           "index snapshot, safe to delete.\n"
           ".TP\n.IR STATE/processing/ \", \" STATE/done/ \", \" STATE/failed/\n"
           "files being processed, finished, and failed (each with \\fINAME.error.json\\fR).\n"
           ".TP\n.I STATE/endpoints.json\n"
           "the endpoints and HTTP port actually bound.\n"
           ".TP\n.I /usr/share/clipd/\n"
           "the shipped data, relative to the install: \\fImodel/\\fR (the NER model),\n"
           "\\fIaliases.tsv\\fR and \\fIcorpus/huawei/\\fR (the corpus loaded at first start).\n"
           ".TP\n.I /etc/clipd/clipd.env\n"
           "read by the systemd unit \\fIclipd.service\\fR when present: \\fBCLIPD_\\fINAME\\fB=\\fIvalue\\fR\n"
           "lines; \\fBCLIPD_CONFIG=/etc/clipd/clipd.conf\\fR there makes clipd read that\n"
           "config file (\\fI/usr/share/doc/clipd/clipd.conf.sample\\fR holds every setting).\n"
           ".SH ENVIRONMENT\n"
           ".TP\n.BI CLIPD_ NAME\n"
           "any setting above, e.g. \\fBCLIPD_MAX_BYTES=1000000\\fR.\n"
           ".TP\n.B CLIP_LOG\n"
           "the lowest level logged (debug, info, warn, error); wins over \\fB\\-\\-log\\-level\\fR.\n"
           ".SH EXIT STATUS\n"
           "0 on a clean stop, \\fB\\-\\-help\\fR or \\fB\\-\\-version\\fR; 1 on failure (a start\\-up\n"
           "error: state folder held by another clipd, endpoint not bound, ...); 2 on bad\n"
           "usage (an unknown or invalid setting, in flags, environment or file).\n"
           ".SH SEE ALSO\n"
           ".BR clip (1),\n"
           ".BR clip\\-worker (1),\n"
           ".BR systemd.exec (5)\n", out);
}

/*  "127." then digits and dots, up to the port: 127.0.0.1:5555.  */
static bool
is_loopback_v4 (const char *host)
{
    if (strncmp (host, "127.", 4) != 0)
        return false;
    const char *p = host + 4;
    while (*p && *p != ':') {
        if (!isdigit ((unsigned char) *p) && *p != '.')
            return false;
        p++;
    }
    return *p == ':';
}

static bool
host_is_local (const char *host)
{
    return is_loopback_v4 (host) || strncmp (host, "localhost:", 10) == 0
        || strncmp (host, "[::1]:", 6) == 0;
}

bool
clipd_config_endpoint_is_local (const char *ep)
{
    if (strncmp (ep, "ipc://", 6) == 0 || strncmp (ep, "inproc://", 9) == 0)
        return true;
    return strncmp (ep, "tcp://", 6) == 0 && host_is_local (ep + 6);
}

bool
clipd_config_http_is_local (const char *addr_port)
{
    return host_is_local (addr_port);
}

/*  Who may reach the endpoints (README, "Keys and CURVE"): CURVE with
    allow-lists, or loopback, or the operator's explicit --allow-insecure.
    Checked before anything binds.  */
static int
check_security (const clipd_config_t *cfg, char *err, size_t err_size)
{
    const char *names [3] = { "tasks", "pub", "replay" };
    const char *eps [3] = { cfg->tasks, cfg->pub, cfg->replay };
    bool curve = *cfg->curve_secret;
    if (!curve && (*cfg->curve_workers || *cfg->curve_subscribers))
        return clip_err_set (err, err_size, "--%s needs --curve-secret FILE (the server's key "
                             "pair, made with clip keygen NAME)",
                             *cfg->curve_workers ? "curve-workers" : "curve-subscribers");
    if (curve && !*cfg->curve_subscribers)
        return clip_err_set (err, err_size, "--curve-secret needs --curve-subscribers DIR: the "
                             "folder of the public keys (*.pub, made with clip keygen NAME) of "
                             "the subscribers allowed on the pub and replay endpoints");
    if (curve && !*cfg->curve_workers && cfg->workers == 0)
        return clip_err_set (err, err_size, "--curve-secret needs --curve-workers DIR: the folder "
                             "of the public keys (*.pub, made with clip keygen NAME) of the "
                             "workers allowed on the task endpoint (it may be left out when "
                             "only local workers, --workers N, are used)");
    for (int i = 0; i < 3 && !curve && !cfg->allow_insecure; i++)
        if (!clipd_config_endpoint_is_local (eps [i]))
            return clip_err_set (err, err_size, "--%s %s is beyond loopback and needs CURVE "
                                 "keys: --curve-secret FILE with --curve-workers DIR and "
                                 "--curve-subscribers DIR (make keys with clip keygen), or "
                                 "--allow-insecure", names [i], eps [i]);
    if (*cfg->http && strcmp (cfg->http, "off") != 0 && !cfg->allow_insecure
    &&  !clipd_config_http_is_local (cfg->http))
        return clip_err_set (err, err_size, "--http %s is beyond loopback: HTTP has no CURVE, so "
                             "/metrics and /healthz would be open to anyone who reaches it; keep "
                             "it on 127.0.0.1 behind a reverse proxy (TLS, authentication), or "
                             "give --allow-insecure", cfg->http);
    return 0;
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
        if (!value && opt->type == OPT_BOOL)
            value = "yes";          /* a flag: --allow-insecure */
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
        char env [64];
        env_name (&options [i], env, sizeof env);
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
    if (!*cfg->data_dir) {
        free (cfg->data_dir);
        cfg->data_dir = clip_strdup (clip_datadir_default ());
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
    if (check_security (cfg, err, err_size))
        return 2;
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
    if (opt->type == OPT_BOOL)
        return *(const bool *) fa == *(const bool *) fb;
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
