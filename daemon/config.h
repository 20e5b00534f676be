/*  config: clipd's settings, table-driven.

    Every setting is declared once, in the table in config.c, with its name,
    type (string, number, share, yes/no, or one of a list), default, bounds
    (min..max) or allowed values, help text and whether SIGHUP applies it;
    the numeric defaults are named constants in clip_defaults.h, which the
    modules taking those settings use too.  Each can be given as a flag
    (--max-bytes N), in the environment (CLIPD_MAX_BYTES=N) or in the
    config file (max-bytes = N, INI syntax, keys before any section or in
    [clipd]; any other section is an error).  Precedence: flag, then
    environment, then config file, then default.  All sources are read,
    then each setting is checked once against its row: a value out of
    range, not a number or not among the choices is refused with the
    setting, where it came from (command line, environment CLIPD_X, or
    FILE:LINE) and what is allowed; so is an unknown key (FILE:LINE).
    log-level and log-format also read CLIP_LOG and CLIP_LOG_FORMAT, the
    variables every program shares (clip_log.h), after CLIPD_LOG_LEVEL and
    CLIPD_LOG_FORMAT.
    Rules across settings come after: liveness-ms above heartbeat-ms, and
    the CURVE rules below.  `clipd --help` prints the table with ranges and
    choices; docs/clipd.conf.sample is the same table as a config file
    (clipd --sample-config), and the manual page clipd.8 is generated from
    it at build time.  The data directory's default is found at run time
    (clip_datadir.h).

    Who may reach clipd is checked with the settings, before anything
    binds (exit 2 with the flag and the fix): the task, pub and replay
    endpoints beyond loopback need --curve-secret (with --curve-workers,
    unless only local workers run, and --curve-subscribers) or
    --allow-insecure, and --http beyond loopback needs --allow-insecure.
    OPT_BOOL settings (--allow-insecure) are flags without a value, and
    yes/no, true/false, 1/0 in the environment and the file.

    Settings marked live in the table (the verdict thresholds, the log
    level and format) can change while clipd runs: on SIGHUP clipd
    re-reads them all with clipd_config_reload and applies those;
    clipd_config_changed names the others that differ, which take effect
    at restart.
*/
#ifndef CLIP_CONFIG_H
#define CLIP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    char *inbox;
    char *state;
    char *tasks;
    char *pub;
    char *replay;
    char *http;
    uint64_t workers;
    char *corpus;
    char *on_done;              /* "keep" or "delete" (as the table spells it) */
    uint64_t max_bytes;
    uint64_t max_entities;
    char *config;
    uint64_t settle_ms;
    uint64_t rescan_ms;
    uint64_t max_inflight;
    uint64_t max_inflight_bytes;
    uint64_t max_pending;
    char *inbox_watch;          /* auto, inotify or fs_event (inbox_watch.h) */
    uint64_t heartbeat_ms;
    uint64_t liveness_ms;
    uint64_t task_timeout_ms;
    uint64_t max_attempts;
    uint64_t prefetch;          /* tasks a worker holds at once (dispatch.h) */
    uint64_t commit_batch_max;  /* results per transaction, at most (commit.h) */
    uint64_t commit_delay_ms;   /* a batch's wait for more results (commit.h) */
    uint64_t db_mmap_mib;       /* the state database's memory map (clip_db.h) */
    double near_containment;
    double near_jaccard;
    double related_containment;
    char *worker_bin;
    char *data_dir;
    char *curve_secret;         /* the server's key pair file, or "" */
    char *curve_workers;        /* folder of the workers' allowed *.pub */
    char *curve_subscribers;    /* folder of the subscribers' allowed *.pub */
    bool allow_insecure;        /* bind beyond loopback without CURVE */
    char *log_level;            /* debug, info, warn or error (as spelt there) */
    char *log_format;           /* logfmt or json */
    /*  The command line parsed, kept for clipd_config_reload (not owned:
        main's argv outlives the config).  */
    int argc;
    char **argv;
} clipd_config_t;

/*  Parse argv, the environment and the config file into cfg.  Returns 0 on
    success, 1 when --help, --version or --sample-config was answered, or
    --check-config found nothing wrong ("configuration ok" and the file on
    stdout) (exit 0), 2 on bad usage with every problem on stderr, one per
    line naming where it came from, at most 100 then "and N more".  With
    --check-config it also checks what can be without side effects: the
    inbox and state folders exist or can be created, the CURVE key file and
    folders named can be read; it binds, locks and starts nothing (main
    exits before clipd_new).  Caller frees with clipd_config_clear.  */
int clipd_config_parse (clipd_config_t *cfg, int argc, char **argv);
void clipd_config_clear (clipd_config_t *cfg);

/*  Parse again, into fresh, the command line, environment and config file
    that produced current (the file may have changed).  Prints nothing.
    Returns 0, or -1 with err set (every problem, where, "; " between
    them).  Caller clears
    fresh with clipd_config_clear in both cases.  */
int clipd_config_reload (const clipd_config_t *current, clipd_config_t *fresh,
                         char *err, size_t err_size);
/*  The settings whose values differ between a and b, among the live ones
    (live true) or the others: up to max names (static strings) in names.
    Returns how many differ.  */
size_t clipd_config_changed (const clipd_config_t *a, const clipd_config_t *b, bool live,
                             const char **names, size_t max);

/*  True if a ZeroMQ endpoint stays on this host (tcp on 127.x, [::1] or
    localhost; ipc; inproc), or an --http ADDR:PORT listens on loopback.
    Anything else needs CURVE keys or --allow-insecure.  */
bool clipd_config_endpoint_is_local (const char *endpoint);
bool clipd_config_http_is_local (const char *addr_port);

/*  Print the settings as a commented sample config file.  */
void clipd_config_print_sample (FILE *out);

/*  Print clipd's manual page (roff, clipd.8) from the same table: every
    setting with its default and environment name.  Built into the install
    by a build-time generator (docs/man/), not a flag of clipd.  */
void clipd_config_print_man (FILE *out);

#endif
