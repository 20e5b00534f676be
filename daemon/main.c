/*  clipd: the news-clipping daemon.  Parses its settings and runs.  */
#include <signal.h>
#include <stdio.h>

#include "clip_log.h"
#include "clipd.h"
#include "config.h"

int
main (int argc, char **argv)
{
    clip_log_init ("clipd", CLIP_LOG_INFO);
    clipd_config_t cfg;
    int rc = clipd_config_parse (&cfg, argc, argv);
    if (rc != 0) {
        clipd_config_clear (&cfg);
        return rc == 1 ? 0 : 2;
    }
    signal (SIGPIPE, SIG_IGN);
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
