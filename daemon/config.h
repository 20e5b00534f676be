/*  config: clipd's settings, table-driven.

    Every setting is declared once, in the table in config.c, with its name,
    default and help text.  Each can be given as a flag (--max-bytes N), in
    the environment (CLIPD_MAX_BYTES=N) or in the config file (max-bytes = N,
    INI syntax, optional [clipd] section).  Precedence: flag, then
    environment, then config file, then default.  `clipd --help` prints the
    table; docs/clipd.conf.sample is the same table as a config file.
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
    char *on_done;              /* "keep" or "delete" */
    uint64_t max_bytes;
    char *config;
    uint64_t settle_ms;
    uint64_t rescan_ms;
    uint64_t max_inflight;
    uint64_t max_pending;
    uint64_t heartbeat_ms;
    uint64_t liveness_ms;
    uint64_t task_timeout_ms;
    uint64_t max_attempts;
    double near_containment;
    double near_jaccard;
    double related_containment;
    char *worker_bin;
    char *data_dir;
    char *curve_secret;
} clipd_config_t;

/*  Parse argv, the environment and the config file into cfg.  Returns 0 on
    success, 1 when --help or --version was answered (exit 0), 2 on bad
    usage with a message on stderr.  Caller frees with clipd_config_clear.  */
int clipd_config_parse (clipd_config_t *cfg, int argc, char **argv);
void clipd_config_clear (clipd_config_t *cfg);

/*  Print the settings as a commented sample config file.  */
void clipd_config_print_sample (FILE *out);

#endif
