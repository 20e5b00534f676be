/*  supervisor: spawns and supervises local clip-worker processes.

    Owns N child processes.  A worker that exits is started again after a
    delay that doubles with each quick failure (100 ms up to 10 s) and resets
    once a worker has lived for a minute, so a crashing worker cannot spin
    the machine.  Each exit is reported through on_exit with the worker's
    name ("host:pid"), so that its task is given to another worker at once.

    No worker outlives clipd: each is started with `--parent-pid PID` (this
    process) added to its arguments, with which clip-worker arms
    PR_SET_PDEATHSIG first thing and exits at once if its parent is already
    another process (clipd died while it was starting).
*/
#ifndef CLIP_SUPERVISOR_H
#define CLIP_SUPERVISOR_H

#include <stddef.h>
#include <uv.h>

#include "metrics.h"

typedef struct clip_supervisor clip_supervisor_t;
typedef void (*clip_supervisor_exit_cb) (const char *worker_name, void *arg);

/*  Prepare to run `count` copies of `program args... --parent-pid PID`
    (args NULL-terminated, copied; PID is getpid ()).  Each restart counts
    in metrics (clipd_worker_restarts_total; may be NULL, borrowed).
    Caller owns the result.  */
clip_supervisor_t *clip_supervisor_new (uv_loop_t *loop, const char *program,
                                        const char *const *args, size_t count,
                                        clipd_metrics_t *metrics,
                                        clip_supervisor_exit_cb on_exit, void *arg);
/*  Start the workers.  Returns 0 or a negative errno (the first spawn
    failure; the others are retried).  */
int clip_supervisor_start (clip_supervisor_t *self);
/*  Ask every worker to stop (SIGTERM, SIGKILL after 3 s); on_stopped runs
    when all have exited and the supervisor is freed.  */
void clip_supervisor_stop (clip_supervisor_t *self, void (*on_stopped) (void *arg), void *arg);

/*  Find the executable `name` next to the running program, or in
    ../workers/ relative to it (the build tree).  Caller owns the result;
    NULL if not found.  */
char *clip_supervisor_find_sibling (const char *name);

#endif
