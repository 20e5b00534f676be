/*  config: clipd's settings, table-driven.  See config.h.  */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clip_curve.h"
#include "clip_datadir.h"
#include "clip_defaults.h"
#include "clip_record.h"
#include "clip_util.h"
#include "clip_wire.h"

/*  OPT_BOOL: a flag without a value (--allow-insecure), or yes/no, true/
    false, 1/0 in the environment, the file and as --flag=VALUE.  OPT_ENUM:
    a string that must be one of the row's choices (any case; the field
    holds the choice as the table spells it).  */
typedef enum { OPT_STRING, OPT_UINT, OPT_DOUBLE, OPT_BOOL, OPT_ENUM } opt_type_t;

/*  One setting: what it is, where it goes, its default, what it may be.
    As Redis's static_configs[]: the parser, --help, --sample-config and
    the manual page all read these rows, so a bound is written once.  */
typedef struct {
    const char *name;           /* flag and config-file key */
    opt_type_t type;
    size_t offset;              /* into clipd_config_t */
    const char *def_text;       /* OPT_STRING, OPT_ENUM: the default */
    uint64_t def_uint, min_uint, max_uint;          /* OPT_UINT */
    double def_double, min_double, max_double;      /* OPT_DOUBLE */
    bool def_bool;              /* OPT_BOOL */
    const char *const *choices; /* OPT_ENUM: NULL-terminated */
    const char *help;
    bool live;                  /* a running clipd applies it on SIGHUP */
    const char *env_alias;      /* also read from this variable, after CLIPD_<NAME> */
} opt_t;

#define RESTART false
#define LIVE true
#define STRING_OPT(nm, field, def, hlp) \
    { .name = nm, .type = OPT_STRING, .offset = offsetof (clipd_config_t, field), \
      .def_text = def, .help = hlp }
#define UINT_OPT(nm, field, def, min, max, hlp) \
    { .name = nm, .type = OPT_UINT, .offset = offsetof (clipd_config_t, field), \
      .def_uint = def, .min_uint = min, .max_uint = max, .help = hlp }
#define DOUBLE_OPT(nm, field, def, min, max, hlp, lv) \
    { .name = nm, .type = OPT_DOUBLE, .offset = offsetof (clipd_config_t, field), \
      .def_double = def, .min_double = min, .max_double = max, .help = hlp, .live = lv }
#define BOOL_OPT(nm, field, def, hlp) \
    { .name = nm, .type = OPT_BOOL, .offset = offsetof (clipd_config_t, field), \
      .def_bool = def, .help = hlp }
#define ENUM_OPT(nm, field, def, chs, hlp, lv) \
    { .name = nm, .type = OPT_ENUM, .offset = offsetof (clipd_config_t, field), \
      .def_text = def, .choices = chs, .help = hlp, .live = lv }

static const char *const on_done_choices [] = { "keep", "delete", NULL };
/*  clip_log_level_from_name's and clip_log_format_from_name's names, in
    their order.  */
static const char *const log_level_choices [] = { "debug", "info", "warn", "error", NULL };
static const char *const log_format_choices [] = { "logfmt", "json", NULL };
/*  The log settings are every program's (clip, clip-worker read the same
    variables, clip_log.h): CLIP_LOG and CLIP_LOG_FORMAT are their
    environment forms here too, below CLIPD_LOG_LEVEL / CLIPD_LOG_FORMAT.  */
#define LOG_OPT(nm, field, def, chs, env, hlp) \
    { .name = nm, .type = OPT_ENUM, .offset = offsetof (clipd_config_t, field), \
      .def_text = def, .choices = chs, .help = hlp, .live = LIVE, .env_alias = env }

/*  Bounds: the values the code can honour, and no more.
    - Times in ms are at most a day (task-timeout-ms, settle-ms, rescan-ms)
      or ten minutes (liveness-ms): deadlines are now + setting in 64-bit
      ms, and anything longer is a typo (seconds taken for ms) rather than
      a wish.  heartbeat-ms is 10..60000: below 10 ms the heartbeats
      alone would keep a loaded loop busy, above a minute a dead worker
      goes unnoticed for longer than a task would wait.  liveness-ms must
      also exceed heartbeat-ms (a rule across settings, in parse).
    - max-inflight 1..65536 and max-pending 1..1048576: each holds an open
      claim or a tracked name in memory; 0 would claim nothing, ever.
      max-inflight-bytes 1..2^40: one file is always let through, so no
      value stalls the inbox; a TiB in flight is a typo.
    - max-attempts 1..100: it is stored as an int, and a file tried 100
      times is not going to succeed on the 101st.
    - workers 0..1024: each is a process holding the NER model.
    - max-bytes 1..CLIP_WIRE_FILE_MAX: the task frame cannot carry more.
    - max-entities 1..CLIP_RECORD_MAX_ENTITIES: a record with more is
      refused by the record decoder, so more could not be honoured.
    - The thresholds are shares: 0..1.  */
#define DAY_MS 86400000u

/*  The one place where clipd's settings are declared.  */
static const opt_t options[] = {
    STRING_OPT ("inbox", inbox, "./inbox",
                "folder watched for new articles (created if missing)"),
    STRING_OPT ("state", state, "./var",
                "processing/, done/, failed/ and the database clipd.db"),
    STRING_OPT ("tasks", tasks, CLIP_DEFAULT_TASKS_ENDPOINT,
                "ZeroMQ endpoint where workers connect (port * picks a free one)"),
    STRING_OPT ("pub", pub, "tcp://127.0.0.1:5556",
                "ZeroMQ endpoint where results are published"),
    STRING_OPT ("replay", replay, "tcp://127.0.0.1:5557",
                "ZeroMQ endpoint where subscribers ask for results since a seq"),
    STRING_OPT ("http", http, "127.0.0.1:9110",
                "ADDR:PORT for GET /metrics (Prometheus) and GET /healthz; port 0 picks one, 'off' serves none"),
    UINT_OPT ("workers", workers, 0, 0, 1024,
              "also spawn and supervise N local clip-worker processes"),
    STRING_OPT ("corpus", corpus, "",
                "articles loaded into an empty corpus at first start; 'none' for an empty corpus "
                "(default: the shipped Huawei corpus)"),
    ENUM_OPT ("on-done", on_done, "keep", on_done_choices,
              "keep: move finished files to done/; delete: delete them", RESTART),
    UINT_OPT ("max-bytes", max_bytes, CLIP_DEFAULT_MAX_BYTES, 1, CLIP_WIRE_FILE_MAX,
              "larger files go to failed/ with error too_large"),
    UINT_OPT ("max-entities", max_entities, CLIP_RECORD_MAX_ENTITIES, 1, CLIP_RECORD_MAX_ENTITIES,
              "entities per record: local workers keep the first N in text order (and say so in "
              "the record); a worker's record with more is refused as bad_result"),
    STRING_OPT ("config", config, "",
                "a config file holding these same keys (INI)"),
    UINT_OPT ("settle-ms", settle_ms, CLIP_DEFAULT_SETTLE_MS, 1, DAY_MS,
              "a file written in place is taken once unchanged for this long"),
    UINT_OPT ("rescan-ms", rescan_ms, CLIP_DEFAULT_RESCAN_MS, 1, DAY_MS,
              "full rescan of the inbox every this often (catches lost events)"),
    UINT_OPT ("max-inflight", max_inflight, CLIP_DEFAULT_MAX_INFLIGHT, 1, 65536,
              "files claimed but not finished (committed), at most; claims also stop while "
              "the files not yet answered fill the workers' credit and one --prefetch more"),
    UINT_OPT ("max-inflight-bytes", max_inflight_bytes, CLIP_DEFAULT_MAX_INFLIGHT_BYTES, 1,
              (uint64_t) 1 << 40,
              "bytes of the files claimed but not finished (clipd holds them until their commit): "
              "no more is claimed past this, one file at least"),
    UINT_OPT ("max-pending", max_pending, CLIP_DEFAULT_MAX_PENDING, 1, 1048576,
              "inbox files tracked before claiming, at most"),
    /*  The inbox's watcher back-ends (daemon/inbox_watch.h).  */
    ENUM_OPT ("inbox-watch", inbox_watch, "auto",
              ((const char *const []) { "auto", "inotify", "fs_event", NULL }),
              "how the inbox hears of files: auto (inotify on Linux), inotify, or fs_event "
              "(libuv's; it cannot tell a file renamed in, which waits for settle-ms unless older)",
              RESTART),
    UINT_OPT ("heartbeat-ms", heartbeat_ms, CLIP_DEFAULT_HEARTBEAT_MS, 10, 60000,
              "heartbeat interval with workers"),
    UINT_OPT ("liveness-ms", liveness_ms, CLIP_DEFAULT_LIVENESS_MS, 20, 600000,
              "an idle worker silent this long is forgotten (more than heartbeat-ms)"),
    UINT_OPT ("task-timeout-ms", task_timeout_ms, CLIP_DEFAULT_TASK_TIMEOUT_MS, 1, DAY_MS,
              "a task not answered within this is given to another worker"),
    UINT_OPT ("max-attempts", max_attempts, CLIP_DEFAULT_MAX_ATTEMPTS, 1, 100,
              "workers tried per file before it fails with worker_lost"),
    /*  1..CLIP_WIRE_CREDIT_MAX: the most a worker may offer to hold.  */
    UINT_OPT ("prefetch", prefetch, CLIP_DEFAULT_PREFETCH, 1, CLIP_WIRE_CREDIT_MAX,
              "tasks a worker holds at once (at most what it offers; an old worker takes one): "
              "it has the next article in hand when it sends a result"),
    /*  1..1048576: a batch's rows are held in memory until its COMMIT.
        commit-delay-ms 0..1000: longer holds every record back that long.
        db-mmap-mib 0..2047: SQLite maps no more (clip_db.h).  */
    UINT_OPT ("commit-batch-max", commit_batch_max, CLIP_DEFAULT_COMMIT_BATCH_MAX, 1, 1048576,
              "results committed in one transaction (one fsync), at most"),
    UINT_OPT ("commit-delay-ms", commit_delay_ms, CLIP_DEFAULT_COMMIT_DELAY_MS, 0, 1000,
              "how long a result waits for others to share its commit (0: none; batches still "
              "grow while a commit is being made durable)"),
    UINT_OPT ("db-mmap-mib", db_mmap_mib, CLIP_DEFAULT_DB_MMAP_MIB, 0, 2047,
              "read the state database through a memory map of up to this many MiB (0: read(2) "
              "only; mapped pages show in clipd's resident size but are the page cache)"),
    DOUBLE_OPT ("near-containment", near_containment, CLIP_DEFAULT_NEAR_CONTAINMENT, 0, 1,
                "near_duplicate when this share of the smaller article is in the other", LIVE),
    DOUBLE_OPT ("near-jaccard", near_jaccard, CLIP_DEFAULT_NEAR_JACCARD, 0, 1,
                "near_duplicate when Jaccard similarity is above this", LIVE),
    DOUBLE_OPT ("related-containment", related_containment, CLIP_DEFAULT_RELATED_CONTAINMENT,
                0, 1, "related when containment is above this", LIVE),
    LOG_OPT ("log-level", log_level, "info", log_level_choices, "CLIP_LOG",
             "lowest level logged (also CLIP_LOG in the environment)"),
    LOG_OPT ("log-format", log_format, "logfmt", log_format_choices, "CLIP_LOG_FORMAT",
             "logfmt: key=value pairs; json: one JSON object per line (also CLIP_LOG_FORMAT "
             "in the environment)"),
    STRING_OPT ("worker-bin", worker_bin, "",
                "clip-worker executable for --workers (default: next to clipd)"),
    /*  Its default is found at run time (clip_datadir.h): see shown_default.  */
    STRING_OPT ("data-dir", data_dir, "",
                "the shipped data: the NER model, aliases.tsv and corpus/huawei (an install's "
                "share/clipd, or a source tree)"),
    STRING_OPT ("curve-secret", curve_secret, "",
                "CURVE key pair file (clip keygen NAME writes NAME.key): the task, pub and replay "
                "endpoints become CURVE servers; needed to bind them beyond loopback"),
    STRING_OPT ("curve-workers", curve_workers, "",
                "folder of the workers' public keys (*.pub) allowed on the task endpoint "
                "(SIGHUP reads the folder again)"),
    STRING_OPT ("curve-subscribers", curve_subscribers, "",
                "folder of the subscribers' public keys (*.pub) allowed on pub and replay "
                "(SIGHUP reads the folder again)"),
    BOOL_OPT ("allow-insecure", allow_insecure, false,
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

/*  The default as text, as --help, the sample and the page show it.  */
static const char *
default_text (const opt_t *opt, char *buf, size_t size)
{
    switch (opt->type) {
        case OPT_UINT:
            snprintf (buf, size, "%" PRIu64, opt->def_uint);
            return buf;
        case OPT_DOUBLE:
            snprintf (buf, size, "%g", opt->def_double);
            return buf;
        case OPT_BOOL:
            return opt->def_bool ? "yes" : "no";
        default:
            return opt->def_text;
    }
}

/*  What the setting may be, as text ("1..65536", "keep|delete"), or ""
    for a free string.  */
static const char *
range_text (const opt_t *opt, char *buf, size_t size)
{
    buf [0] = 0;
    if (opt->type == OPT_UINT)
        snprintf (buf, size, "%" PRIu64 "..%" PRIu64, opt->min_uint, opt->max_uint);
    else
    if (opt->type == OPT_DOUBLE)
        snprintf (buf, size, "%g..%g", opt->min_double, opt->max_double);
    else
    if (opt->type == OPT_BOOL)
        snprintf (buf, size, "yes|no");
    else
    if (opt->type == OPT_ENUM) {
        size_t o = 0;
        for (size_t i = 0; opt->choices [i] && o < size; i++)
            o += (size_t) snprintf (buf + o, size - o, "%s%s", i ? "|" : "", opt->choices [i]);
    }
    return buf;
}

/*  Where a value came from, for messages: "command line", "environment
    CLIPD_X" or "FILE:LINE"; and the setting as written there.  */
typedef struct {
    char where [600];
    bool flag;                  /* from the command line: name it --name */
} origin_t;

/*  Every problem found, not only the first (clipd --check-config lists
    them all; a start refused for bad settings too): bounded, since a
    file of a million bad lines must not take a million lines of memory.  */
#define PROBLEMS_MAX 100
typedef struct {
    char *lines [PROBLEMS_MAX];  /* owned; each names where it came from */
    size_t n;                   /* kept */
    size_t total;               /* found, kept or not */
} problems_t;

static void
problem_add (problems_t *self, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
problem_add (problems_t *self, const char *fmt, ...)
{
    self->total++;
    if (self->n == PROBLEMS_MAX)
        return;
    char text [1024];
    va_list args;
    va_start (args, fmt);
    vsnprintf (text, sizeof text, fmt, args);
    va_end (args);
    self->lines [self->n++] = clip_strdup (text);
}

static void
problems_clear (problems_t *self)
{
    for (size_t i = 0; i < self->n; i++)
        free (self->lines [i]);
    memset (self, 0, sizeof *self);
}

/*  The problems one per line with prefix, and "and N more".  */
static void
problems_print (const problems_t *self, FILE *out, const char *prefix)
{
    for (size_t i = 0; i < self->n; i++)
        fprintf (out, "%s%s\n", prefix, self->lines [i]);
    if (self->total > self->n)
        fprintf (out, "%sand %zu more\n", prefix, self->total - self->n);
}

/*  The problems on one line, "; " between them, for err.  */
static void
problems_join (const problems_t *self, char *err, size_t err_size)
{
    size_t o = 0;
    err [0] = 0;
    for (size_t i = 0; i < self->n && o + 1 < err_size; i++)
        o += (size_t) snprintf (err + o, err_size - o, "%s%s", i ? "; " : "", self->lines [i]);
    if (self->total > self->n && o + 1 < err_size)
        snprintf (err + o, err_size - o, "; and %zu more", self->total - self->n);
}

static void
apply_default (clipd_config_t *cfg, const opt_t *opt)
{
    void *field = (char *) cfg + opt->offset;
    switch (opt->type) {
        case OPT_STRING:
        case OPT_ENUM:
            free (*(char **) field);
            *(char **) field = clip_strdup (opt->def_text);
            break;
        case OPT_UINT:
            *(uint64_t *) field = opt->def_uint;
            break;
        case OPT_DOUBLE:
            *(double *) field = opt->def_double;
            break;
        case OPT_BOOL:
            *(bool *) field = opt->def_bool;
            break;
    }
}

/*  The one check of a value against its row: type, bounds, choices.
    Sets the field, or err naming origin, setting, allowed values and
    what was given.  */
static int
set_value (clipd_config_t *cfg, const opt_t *opt, const char *value, const origin_t *origin,
           char *err, size_t err_size)
{
    void *field = (char *) cfg + opt->offset;
    const char *dashes = origin->flag ? "--" : "";
    char range [128];
    range_text (opt, range, sizeof range);
    if (opt->type == OPT_STRING) {
        free (*(char **) field);
        *(char **) field = clip_strdup (value);
        return 0;
    }
    if (opt->type == OPT_ENUM) {
        for (size_t i = 0; opt->choices [i]; i++)
            if (strcasecmp (value, opt->choices [i]) == 0) {
                free (*(char **) field);
                *(char **) field = clip_strdup (opt->choices [i]);
                return 0;
            }
        return clip_err_set (err, err_size, "%s: %s%s must be one of %s, got '%s'",
                             origin->where, dashes, opt->name, range, value);
    }
    if (opt->type == OPT_BOOL) {
        const char *yes [] = { "yes", "true", "1" }, *no [] = { "no", "false", "0" };
        for (int i = 0; i < 3; i++) {
            if (strcasecmp (value, yes [i]) == 0 || strcasecmp (value, no [i]) == 0) {
                *(bool *) field = strcasecmp (value, yes [i]) == 0;
                return 0;
            }
        }
        return clip_err_set (err, err_size, "%s: %s%s must be yes or no (true/false, 1/0), "
                             "got '%s'", origin->where, dashes, opt->name, value);
    }
    char *end;
    errno = 0;
    if (opt->type == OPT_UINT) {
        /*  strtoull takes "-1" (or " -1") as a huge number: refused.  */
        const char *p = value;
        while (isspace ((unsigned char) *p))
            p++;
        unsigned long long v = strtoull (p, &end, 10);
        bool number = *p != '-' && end != p && !*end && !errno;
        if (!number || v < opt->min_uint || v > opt->max_uint)
            return clip_err_set (err, err_size, "%s: %s%s must be %swithin %s, got '%s'",
                                 origin->where, dashes, opt->name,
                                 number ? "" : "a whole number ", range, value);
        *(uint64_t *) field = v;
        return 0;
    }
    double v = strtod (value, &end);
    bool number = end != value && !*end && !errno && isfinite (v);
    if (!number || v < opt->min_double || v > opt->max_double)
        return clip_err_set (err, err_size, "%s: %s%s must be %swithin %s, got '%s'",
                             origin->where, dashes, opt->name,
                             number ? "" : "a number ", range, value);
    *(double *) field = v;
    return 0;
}

/*  A value given for a setting and where, before it is checked: all
    sources are read first, then each setting is checked once, from the
    source that wins (set_values).  */
typedef struct {
    char *value;                /* owned; NULL: not given */
    origin_t origin;
} given_t;

static void
give (given_t *g, const char *value, const origin_t *origin)
{
    free (g->value);
    g->value = clip_strdup (value);
    g->origin = *origin;
}

typedef struct {
    const char *path;
    FILE *file;
    int line;                   /* of the text last read */
    bool at_line_start;         /* the last read ended a line */
    given_t *given;
    bool *from_flag_or_env;     /* set by flags or environment: keep */
    problems_t *problems;
} ini_ctx_t;

/*  inih's reader, counting lines so that a key's line can be named (the
    packaged libinih is built without INI_HANDLER_LINENO).  A line longer
    than inih's buffer comes in pieces: only a piece that starts a line
    counts.  */
static char *
ini_read (char *str, int num, void *stream)
{
    ini_ctx_t *ctx = stream;
    char *got = fgets (str, num, ctx->file);
    if (got) {
        if (ctx->at_line_start)
            ctx->line++;
        ctx->at_line_start = strchr (got, '\n') != NULL;
    }
    return got;
}

static int
on_ini (void *user, const char *section, const char *name, const char *value)
{
    ini_ctx_t *ctx = user;
    /*  Each problem is noted and the reading goes on (returning 1), so
        that every bad line is named at once.  */
    if (*section && strcmp (section, "clipd") != 0) {
        problem_add (ctx->problems, "%s:%d: section [%s]: clipd reads only [clipd] "
                     "(or keys before any section)", ctx->path, ctx->line, section);
        return 1;
    }
    const opt_t *opt = find_option (name);
    if (!opt) {
        problem_add (ctx->problems, "%s:%d: unknown setting '%s' (see clipd --help)",
                     ctx->path, ctx->line, name);
        return 1;
    }
    size_t i = (size_t) (opt - options);
    if (ctx->from_flag_or_env [i])
        return 1;
    origin_t origin = { .flag = false };
    snprintf (origin.where, sizeof origin.where, "%s:%d", ctx->path, ctx->line);
    give (&ctx->given [i], value, &origin);
    return 1;
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
shown_default (const opt_t *opt, char *buf, size_t size)
{
    return is_data_dir (opt) ? clip_datadir_default () : default_text (opt, buf, size);
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

/*  The argument as --help and the page name it: N for a number, the
    choices for an enum, none for a flag (OPT_BOOL).  */
static const char *
arg_name (const opt_t *opt)
{
    switch (opt->type) {
        case OPT_UINT:
        case OPT_DOUBLE:
            return "N";
        case OPT_BOOL:
            return "";
        case OPT_ENUM:
            return "VALUE";
        default:
            return "VALUE";
    }
}

static void
usage (FILE *out)
{
    fprintf (out,
        "Usage: clipd [OPTIONS]\n"
        "The clipd news-clipping daemon: watches an inbox folder, hands articles to\n"
        "clip-worker processes, records every result and publishes it.\n\n");
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const opt_t *opt = &options [i];
        char flag [64], def [64], range [128];
        snprintf (flag, sizeof flag, "--%s %s", opt->name, arg_name (opt));
        fprintf (out, "  %-26s %s", flag, opt->help);
        const char *shown = shown_default (opt, def, sizeof def);
        if (*shown)
            fprintf (out, " [%s]", shown);
        if (opt->type == OPT_ENUM)
            fprintf (out, " (one of %s)", range_text (opt, range, sizeof range));
        else
        if (opt->type == OPT_UINT || opt->type == OPT_DOUBLE)
            fprintf (out, " (%s)", range_text (opt, range, sizeof range));
        if (opt->live)
            fprintf (out, " (SIGHUP reloads it)");
        fputc ('\n', out);
    }
    fprintf (out, "  %-26s %s\n  %-26s %s\n  %-26s %s\n  %-26s %s\n", "--help", "print this help",
             "--version", "print the version",
             "--sample-config", "print a config file holding every setting and its default",
             "--check-config", "check flags, environment and config file together, list every "
             "problem and exit (0: ok, 2: problems)");
    fprintf (out, "\nEach setting may also be given as CLIPD_<NAME> in the environment\n"
                  "(e.g. CLIPD_MAX_BYTES) or as 'name = value' in the --config file.\n"
                  "Numbers must lie within the range shown (MIN..MAX); liveness-ms must\n"
                  "exceed heartbeat-ms.\n"
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
        const opt_t *opt = &options [i];
        if (strcmp (opt->name, "config") == 0)
            continue;
        char def [64], range [128];
        const char *value = default_text (opt, def, sizeof def);
        /*  The data directory's default is found at run time, where clipd
            is installed: a machine's path, not a setting to copy.  */
        bool machine_path = is_data_dir (opt);
        fprintf (out, "\n# %s\n", opt->help);
        if (*range_text (opt, range, sizeof range))
            fprintf (out, "# %s: %s\n", opt->type == OPT_ENUM || opt->type == OPT_BOOL
                                        ? "one of" : "range", range);
        fprintf (out, "%s%s = %s\n", *value && !machine_path ? "" : "# ", opt->name,
                 machine_path ? "(where clipd was built or installed)" : value);
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
        "clipd logs to standard error, one line per event: key=value pairs (logfmt), or\n"
        "one JSON object with \\fB\\-\\-log\\-format json\\fR.\n"
        ".SH OPTIONS\n", CLIP_VERSION);
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const opt_t *opt = &options [i];
        char env [64], def [64], range [128];
        env_name (opt, env, sizeof env);
        /*  The argument as --help names it; a flag (OPT_BOOL) has none.  */
        const char *arg = arg_name (opt);
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
        if (*default_text (opt, def, sizeof def)) {
            fputs ("Default: \\fB", out);
            roff_text (out, default_text (opt, def, sizeof def));
            fputs ("\\fR.\n", out);
        }
        /*  What the checks accept, from the same row.  */
        if (opt->type == OPT_ENUM) {
            fputs ("One of: \\fB", out);
            roff_text (out, range_text (opt, range, sizeof range));
            fputs ("\\fR.\n", out);
        }
        else
        if (opt->type == OPT_UINT || opt->type == OPT_DOUBLE) {
            fputs ("Range: \\fB", out);
            roff_text (out, range_text (opt, range, sizeof range));
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
           ".TP\n.B \\-\\-check\\-config\n"
           "read the flags, the environment and the config file as a start would, check\n"
           "every setting, the rules across them, that the inbox and state folders exist\n"
           "or can be created and that the CURVE key files and folders named can be read;\n"
           "bind nothing, lock nothing, start no worker.  Exit 0 with \\fBconfiguration ok\\fR\n"
           "and the file read, or 2 with every problem, one per line, each naming where\n"
           "it came from (\\fIFILE\\fB:\\fILINE\\fR, the flag or the environment variable).\n"
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
           "the lowest level logged (debug, info, warn, error), as \\fB\\-\\-log\\-level\\fR and\n"
           "for every clipd program (\\fBclip\\fR, \\fBclip\\-worker\\fR); \\fBCLIPD_LOG_LEVEL\\fR\n"
           "and the flag win over it.\n"
           ".TP\n.B CLIP_LOG_FORMAT\n"
           "\\fBlogfmt\\fR or \\fBjson\\fR, as \\fB\\-\\-log\\-format\\fR, likewise.\n"
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
    Checked before anything binds.  Each rule broken is one problem.  */
static void
check_security (const clipd_config_t *cfg, problems_t *problems)
{
    const char *names [3] = { "tasks", "pub", "replay" };
    const char *eps [3] = { cfg->tasks, cfg->pub, cfg->replay };
    bool curve = *cfg->curve_secret;
    if (!curve && (*cfg->curve_workers || *cfg->curve_subscribers))
        problem_add (problems, "--%s needs --curve-secret FILE (the server's key "
                     "pair, made with clip keygen NAME)",
                     *cfg->curve_workers ? "curve-workers" : "curve-subscribers");
    if (curve && !*cfg->curve_subscribers)
        problem_add (problems, "--curve-secret needs --curve-subscribers DIR: the "
                     "folder of the public keys (*.pub, made with clip keygen NAME) of "
                     "the subscribers allowed on the pub and replay endpoints");
    if (curve && !*cfg->curve_workers && cfg->workers == 0)
        problem_add (problems, "--curve-secret needs --curve-workers DIR: the folder "
                     "of the public keys (*.pub, made with clip keygen NAME) of the "
                     "workers allowed on the task endpoint (it may be left out when "
                     "only local workers, --workers N, are used)");
    for (int i = 0; i < 3 && !curve && !cfg->allow_insecure; i++)
        if (!clipd_config_endpoint_is_local (eps [i]))
            problem_add (problems, "--%s %s is beyond loopback and needs CURVE "
                         "keys: --curve-secret FILE with --curve-workers DIR and "
                         "--curve-subscribers DIR (make keys with clip keygen), or "
                         "--allow-insecure", names [i], eps [i]);
    if (*cfg->http && strcmp (cfg->http, "off") != 0 && !cfg->allow_insecure
    &&  !clipd_config_http_is_local (cfg->http))
        problem_add (problems, "--http %s is beyond loopback: HTTP has no CURVE, so "
                     "/metrics and /healthz would be open to anyone who reaches it; keep "
                     "it on 127.0.0.1 behind a reverse proxy (TLS, authentication), or "
                     "give --allow-insecure", cfg->http);
}

/*  Where a setting's value came from, for the rules below: "command
    line", "environment CLIPD_X", "FILE:LINE" or "default".  */
static const char *
origin_of (const given_t *given, const char *name)
{
    const given_t *g = &given [find_option (name) - options];
    return g->origin.where [0] ? g->origin.where : "default";
}

/*  Rules across settings, which no single row can state.  */
static void
check_rules (const clipd_config_t *cfg, const given_t *given, problems_t *problems)
{
    /*  The dispatch forgets a worker silent for liveness-ms, and a worker
        speaks every heartbeat-ms: no longer liveness than that and every
        idle worker is forgotten between two heartbeats.  */
    if (cfg->liveness_ms <= cfg->heartbeat_ms)
        problem_add (problems, "liveness-ms (%" PRIu64 ", %s) must exceed "
                     "heartbeat-ms (%" PRIu64 ", %s): a worker is heard from once per "
                     "heartbeat", cfg->liveness_ms, origin_of (given, "liveness-ms"),
                     cfg->heartbeat_ms, origin_of (given, "heartbeat-ms"));
    check_security (cfg, problems);
}

/*  A folder clipd creates at start (clip_mkdirs): there and writable, or
    its nearest existing ancestor a writable folder.  Looks, creates
    nothing.  Returns NULL, or buf holding what is wrong.  */
static const char *
folder_problem (const char *path, char *buf, size_t size)
{
    char *copy = clip_strdup (path);
    bool missing = false, found = false;
    buf [0] = 0;
    while (!found) {
        struct stat st;
        if (stat (copy, &st) == 0) {
            found = true;
            if (!S_ISDIR (st.st_mode))
                snprintf (buf, size, "%s%s is not a folder", missing ? "cannot be created: " : "",
                          copy);
            else
            if (access (copy, W_OK | X_OK) != 0)
                snprintf (buf, size, "%s%s is not writable", missing ? "cannot be created: " : "",
                          copy);
            break;
        }
        if (errno != ENOENT && errno != ENOTDIR) {
            snprintf (buf, size, "%s cannot be looked at: %s", copy, strerror (errno));
            break;
        }
        missing = true;
        /*  Up one level: "a/b" -> "a", "/a" -> "/", "a" -> ".".  */
        char *slash = strrchr (copy, '/');
        if (slash && slash != copy)
            *slash = 0;
        else
        if (slash)
            slash [1] = 0;
        else {
            free (copy);
            copy = clip_strdup (".");
        }
    }
    free (copy);
    return buf [0] ? buf : NULL;
}

/*  What --check-config adds to the checks of a start, all without side
    effects: the folders clipd would create can be, the key files and
    folders the CURVE settings name can be read.  (A start finds these
    later, one at a time, with the ports already bound.)  */
static void
check_files (const clipd_config_t *cfg, const given_t *given, problems_t *problems)
{
    const char *folders [] = { "inbox", "state" };
    const char *paths [] = { cfg->inbox, cfg->state };
    for (size_t i = 0; i < 2; i++) {
        char buf [700];
        const char *problem = folder_problem (paths [i], buf, sizeof buf);
        if (problem)
            problem_add (problems, "%s: %s %s: %s", origin_of (given, folders [i]), folders [i],
                         paths [i], problem);
    }
    if (*cfg->curve_secret) {
        clip_curve_pair_t pair;
        char kerr [900];
        if (clip_curve_pair_load (cfg->curve_secret, &pair, kerr, sizeof kerr) != 0)
            problem_add (problems, "%s: curve-secret: %s", origin_of (given, "curve-secret"), kerr);
        memset (&pair, 0, sizeof pair);
    }
    const char *dirs [] = { "curve-workers", "curve-subscribers" };
    const char *dir_paths [] = { cfg->curve_workers, cfg->curve_subscribers };
    for (size_t i = 0; i < 2; i++) {
        if (!*dir_paths [i])
            continue;
        DIR *d = opendir (dir_paths [i]);
        if (!d)
            problem_add (problems, "%s: %s %s: cannot read the folder: %s",
                         origin_of (given, dirs [i]), dirs [i], dir_paths [i], strerror (errno));
        else
            closedir (d);
    }
}

/*  Read the flags, then the environment, then the file into given (each
    setting from the source that wins, not yet checked).  With startup,
    --help, --version and --sample-config are answered (1); --check-config
    sets *check.  Every problem is noted and the reading goes on.  Returns
    0 or 1.  */
static int
read_sources (given_t *given, int argc, char **argv, bool startup, bool *check,
              problems_t *problems)
{
    /*  Flags first, remembered so that the environment and file cannot
        override them.  */
    bool from_flag_or_env [N_OPTIONS] = { false };
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
        if (strcmp (arg, "--check-config") == 0) {
            *check = true;
            continue;
        }
        if (strncmp (arg, "--", 2) != 0) {
            problem_add (problems, "unexpected argument '%s' (see --help)", arg);
            continue;
        }
        char *name = clip_strdup (arg + 2);
        char *value = strchr (name, '=');
        if (value)
            *value++ = 0;
        const opt_t *opt = find_option (name);
        if (!opt) {
            problem_add (problems, "unknown option '--%s' (see --help)", name);
            free (name);
            continue;
        }
        if (!value && opt->type == OPT_BOOL)
            value = "yes";          /* a flag: --allow-insecure */
        if (!value) {
            if (i + 1 >= argc) {
                problem_add (problems, "option '--%s' needs a value", name);
                free (name);
                break;
            }
            value = argv [++i];
        }
        origin_t origin = { .where = "command line", .flag = true };
        give (&given [opt - options], value, &origin);
        from_flag_or_env [opt - options] = true;
        free (name);
    }
    for (size_t i = 0; i < N_OPTIONS; i++) {
        if (from_flag_or_env [i])
            continue;
        char env [64];
        env_name (&options [i], env, sizeof env);
        const char *value = getenv (env);
        if (!value && options [i].env_alias && (value = getenv (options [i].env_alias)))
            snprintf (env, sizeof env, "%s", options [i].env_alias);
        if (value) {
            origin_t origin = { .flag = false };
            snprintf (origin.where, sizeof origin.where, "environment %s", env);
            give (&given [i], value, &origin);
            from_flag_or_env [i] = true;
        }
    }
    const char *path = given [find_option ("config") - options].value;
    if (!path || !*path)
        return 0;
    ini_ctx_t ctx = { .path = path, .at_line_start = true, .given = given,
                      .from_flag_or_env = from_flag_or_env, .problems = problems };
    ctx.file = fopen (path, "r");
    if (!ctx.file) {
        problem_add (problems, "%s: cannot read config file %s: %s",
                     origin_of (given, "config"), path, strerror (errno));
        return 0;
    }
    /*  inih goes on past a line it cannot parse and returns the first
        such line.  */
    int rc = ini_parse_stream (ini_read, &ctx, on_ini, &ctx);
    fclose (ctx.file);
    if (rc > 0)
        problem_add (problems, "%s:%d: syntax error (not 'name = value' nor '[section]')",
                     path, rc);
    else
    if (rc != 0)
        problem_add (problems, "config file %s: cannot be read", path);
    return 0;
}

/*  Every source read, then each setting checked once against its row
    (set_value), then the rules across settings, and with --check-config
    the files.  Every problem is collected, not only the first.  Returns 0,
    1 (answered, or checked and fine with check), or 2 with problems.  */
static int
parse (clipd_config_t *cfg, int argc, char **argv, bool startup, bool *check,
       problems_t *problems)
{
    memset (cfg, 0, sizeof *cfg);
    cfg->argc = argc;
    cfg->argv = argv;
    for (size_t i = 0; i < N_OPTIONS; i++)
        apply_default (cfg, &options [i]);
    given_t given [N_OPTIONS];
    memset (given, 0, sizeof given);
    *check = false;
    int rc = read_sources (given, argc, argv, startup, check, problems);
    for (size_t i = 0; i < N_OPTIONS && rc == 0; i++) {
        char err [1024];
        if (given [i].value
        &&  set_value (cfg, &options [i], given [i].value, &given [i].origin, err, sizeof err))
            problem_add (problems, "%s", err);
    }
    for (size_t i = 0; i < N_OPTIONS; i++) {
        free (given [i].value);
        given [i].value = NULL;
    }
    if (rc)
        return rc;
    if (!*cfg->data_dir) {
        free (cfg->data_dir);
        cfg->data_dir = clip_strdup (clip_datadir_default ());
    }
    check_rules (cfg, given, problems);
    if (*check)
        check_files (cfg, given, problems);
    if (problems->total)
        return 2;
    return *check ? 1 : 0;
}

int
clipd_config_parse (clipd_config_t *cfg, int argc, char **argv)
{
    problems_t problems = { .n = 0 };
    bool check = false;
    int rc = parse (cfg, argc, argv, true, &check, &problems);
    if (rc == 2)
        problems_print (&problems, stderr, "clipd: ");
    if (rc == 1 && check)
        printf ("clipd: configuration ok (%s%s)\n", *cfg->config ? "config file " : "no config file",
                cfg->config);
    problems_clear (&problems);
    return rc;
}

int
clipd_config_reload (const clipd_config_t *current, clipd_config_t *fresh,
                     char *err, size_t err_size)
{
    problems_t problems = { .n = 0 };
    bool check = false;
    int rc = parse (fresh, current->argc, current->argv, false, &check, &problems);
    problems_join (&problems, err, err_size);
    problems_clear (&problems);
    return rc == 0 ? 0 : -1;
}

static bool
option_equal (const opt_t *opt, const clipd_config_t *a, const clipd_config_t *b)
{
    const void *fa = (const char *) a + opt->offset;
    const void *fb = (const char *) b + opt->offset;
    if (opt->type == OPT_STRING || opt->type == OPT_ENUM) {
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
        if (options [i].type == OPT_STRING || options [i].type == OPT_ENUM) {
            char **s = (char **) ((char *) cfg + options [i].offset);
            free (*s);
            *s = NULL;
        }
    }
}
