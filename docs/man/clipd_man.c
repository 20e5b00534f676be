/*  clipd_man: prints clipd.8, the manual page, at build time.

    The page is generated from the settings table that drives `clipd --help`
    (clipd_config_print_man in daemon/config.c), so that it cannot fall
    behind the settings.  A build-time program rather than a clipd flag:
    users need the page, not a way to print it.  Not installed.  */
#include <stdio.h>

#include "config.h"

int
main (void)
{
    clipd_config_print_man (stdout);
    return fflush (stdout) == 0 && !ferror (stdout) ? 0 : 1;
}
