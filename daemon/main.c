/*  clipd: the news-clipping daemon.  Parses its settings and runs.  */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "clip_log.h"
#include "clipd.h"
#include "config.h"

int
main (int argc, char **argv)
{
    /*  CLIP_LOG and CLIP_LOG_FORMAT apply until the settings are read (a
        bad value is bad usage); then the settings, which read them too
        (config.h), decide.  */
    if (clip_log_init ("clipd", CLIP_LOG_INFO) != 0)
        return 2;
    clipd_config_t cfg;
    int rc = clipd_config_parse (&cfg, argc, argv);
    if (rc != 0) {
        clipd_config_clear (&cfg);
        return rc == 1 ? 0 : 2;
    }
    clip_log_set_level ((clip_log_level_t) clip_log_level_from_name (cfg.log_level));
    clip_log_set_format ((clip_log_format_t) clip_log_format_from_name (cfg.log_format));
    signal (SIGPIPE, SIG_IGN);
    /*  Until clipd_run handles them, during start-up (which may import a
        corpus), these must not kill clipd.  Dispositions set to SIG_IGN
        survive exec, but libuv resets them in the workers it spawns.  */
    signal (SIGHUP, SIG_IGN);
    signal (SIGUSR1, SIG_IGN);
    signal (SIGUSR2, SIG_IGN);
    char err [1024];
    clipd_t *daemon = clipd_new (&cfg, err, sizeof err);
    if (!daemon) {
        clip_error ("start_failed", "error=\"%s\"", err);
        clipd_config_clear (&cfg);
        return 1;
    }
    rc = clipd_run (daemon);
    clipd_destroy (&daemon);
    clipd_config_clear (&cfg);
    return rc;
}
