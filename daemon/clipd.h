/*  clipd: the daemon, tying the inbox, dispatch, the commit (commit.h), the
    results log, corpus, publishing and replay together on one libuv loop.

    Owns the state directory (an exclusive flock on STATE/clipd.lock), the
    state database, every socket and the loop.  The flow of one article and
    the guarantee at each step are in docs/ARCHITECTURE.md.
*/
#ifndef CLIPD_H
#define CLIPD_H

#include <stddef.h>

#include "config.h"

typedef struct clipd clipd_t;

/*  Prepare the state directory, database and sockets from cfg (copied
    where needed).  Returns NULL with err set.  Caller owns the result.  */
clipd_t *clipd_new (const clipd_config_t *cfg, char *err, size_t err_size);
/*  Run until SIGINT or SIGTERM.  Returns the exit code.  */
int clipd_run (clipd_t *self);
void clipd_destroy (clipd_t **self_p);

#endif
