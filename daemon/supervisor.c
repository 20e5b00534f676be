/*  supervisor: spawns and supervises local clip-worker processes.
    See supervisor.h.  */
#include "supervisor.h"

#include <assert.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clip_log.h"
#include "clip_util.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 10000
#define HEALTHY_AFTER_MS 60000
#define KILL_AFTER_MS 3000

typedef struct clip_supervisor clip_supervisor_t;

typedef struct {
    clip_supervisor_t *owner;
    uv_process_t process;
    uv_timer_t restart;
    bool running;
    uint64_t started_at;        /* monotonic ms */
    uint64_t backoff_ms;
    int slot;
} child_t;

struct clip_supervisor {
    uv_loop_t *loop;
    char *program;
    char **argv;                /* program, args..., NULL */
    size_t count;
    child_t *children;
    clip_supervisor_exit_cb on_exit;
    void *arg;
    clipd_metrics_t *metrics;   /* may be NULL */
    bool stopping;
    uv_timer_t kill_timer;
    void (*on_stopped) (void *arg);
    void *stopped_arg;
    int open_handles;
};

static void spawn_child (child_t *child);

static void
maybe_finish (clip_supervisor_t *self)
{
    if (!self->stopping || self->open_handles > 0)
        return;
    void (*cb) (void *) = self->on_stopped;
    void *arg = self->stopped_arg;
    for (size_t i = 0; self->argv [i]; i++)
        free (self->argv [i]);
    free (self->argv);
    free (self->program);
    free (self->children);
    free (self);
    if (cb)
        cb (arg);
}

static void
on_handle_closed (uv_handle_t *handle)
{
    clip_supervisor_t *self = handle->data;
    self->open_handles--;
    maybe_finish (self);
}

static void
on_process_closed (uv_handle_t *handle)
{
    child_t *child = handle->data;
    clip_supervisor_t *self = child->owner;
    self->open_handles--;
    maybe_finish (self);
}

static void
close_kill_timer_if_done (clip_supervisor_t *self)
{
    for (size_t i = 0; i < self->count; i++)
        if (self->children [i].running)
            return;
    if (!uv_is_closing ((uv_handle_t *) &self->kill_timer))
        uv_close ((uv_handle_t *) &self->kill_timer, on_handle_closed);
}

static void
on_restart_timer (uv_timer_t *timer)
{
    child_t *child = timer->data;
    if (!child->owner->stopping) {
        CLIPD_METRIC_ADD (child->owner->metrics, worker_restarts, 1);
        spawn_child (child);
    }
}

static void
on_child_exit (uv_process_t *process, int64_t exit_status, int term_signal)
{
    child_t *child = process->data;
    clip_supervisor_t *self = child->owner;
    char *host = clip_process_name ();
    /*  clip_process_name gives our own "host:pid": keep the host part.  */
    char *colon = strrchr (host, ':');
    if (colon)
        *colon = 0;
    char *name = clip_strprintf ("%s:%d", host, process->pid);
    free (host);
    child->running = false;
    uint64_t lived = clip_mono_ms () - child->started_at;
    char q [600];
    clip_log_quote (q, sizeof q, name);
    if (self->stopping)
        clip_info ("worker_stopped", "worker=%s status=%lld signal=%d", q,
                   (long long) exit_status, term_signal);
    else {
        if (lived > HEALTHY_AFTER_MS)
            child->backoff_ms = BACKOFF_MIN_MS;
        clip_warn ("worker_exited", "worker=%s status=%lld signal=%d restart_in_ms=%llu", q,
                   (long long) exit_status, term_signal, (unsigned long long) child->backoff_ms);
    }
    if (self->on_exit && !self->stopping)
        self->on_exit (name, self->arg);
    free (name);
    uv_close ((uv_handle_t *) process, on_process_closed);
    if (self->stopping)
        close_kill_timer_if_done (self);
    else {
        uv_timer_start (&child->restart, on_restart_timer, child->backoff_ms, 0);
        child->backoff_ms *= 2;
        if (child->backoff_ms > BACKOFF_MAX_MS)
            child->backoff_ms = BACKOFF_MAX_MS;
    }
}

static void
spawn_child (child_t *child)
{
    clip_supervisor_t *self = child->owner;
    uv_stdio_container_t stdio [3] = {
        { .flags = UV_IGNORE },
        { .flags = UV_INHERIT_FD, .data.fd = 1 },
        { .flags = UV_INHERIT_FD, .data.fd = 2 },
    };
    uv_process_options_t options = {
        .exit_cb = on_child_exit,
        .file = self->program,
        .args = self->argv,
        .stdio_count = 3,
        .stdio = stdio,
    };
    child->process.data = child;
    int rc = uv_spawn (self->loop, &child->process, &options);
    if (rc < 0) {
        char q [PATH_MAX + 64];
        clip_error ("worker_spawn_failed", "program=%s error=\"%s\" retry_in_ms=%llu",
                    clip_log_quote (q, sizeof q, self->program), uv_strerror (rc),
                    (unsigned long long) child->backoff_ms);
        /*  uv_spawn failures still need the handle closed.  */
        self->open_handles++;
        uv_close ((uv_handle_t *) &child->process, on_process_closed);
        uv_timer_start (&child->restart, on_restart_timer, child->backoff_ms, 0);
        child->backoff_ms = child->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
                                                                  : child->backoff_ms * 2;
        return;
    }
    /*  The exit callback's close decrements this.  */
    self->open_handles++;
    child->running = true;
    child->started_at = clip_mono_ms ();
    clip_info ("worker_spawned", "slot=%d pid=%d", child->slot, child->process.pid);
}

clip_supervisor_t *
clip_supervisor_new (uv_loop_t *loop, const char *program, const char *const *args,
                     size_t count, clipd_metrics_t *metrics, clip_supervisor_exit_cb on_exit,
                     void *arg)
{
    clip_supervisor_t *self = clip_calloc (1, sizeof *self);
    self->loop = loop;
    self->program = clip_strdup (program);
    size_t n = 0;
    while (args && args [n])
        n++;
    self->argv = clip_calloc (n + 4, sizeof (char *));
    self->argv [0] = clip_strdup (program);
    for (size_t i = 0; i < n; i++)
        self->argv [i + 1] = clip_strdup (args [i]);
    /*  uv_spawn has no hook between fork and exec to arm PR_SET_PDEATHSIG
        in: the worker arms it itself and then checks that its parent is
        still this process, which closes the window in which clipd could
        die unnoticed (workers/worker_main.c).  */
    self->argv [n + 1] = clip_strdup ("--parent-pid");
    self->argv [n + 2] = clip_strprintf ("%ld", (long) getpid ());
    self->count = count;
    self->children = clip_calloc (count ? count : 1, sizeof (child_t));
    self->on_exit = on_exit;
    self->arg = arg;
    self->metrics = metrics;
    return self;
}

int
clip_supervisor_start (clip_supervisor_t *self)
{
    uv_timer_init (self->loop, &self->kill_timer);
    self->kill_timer.data = self;
    self->open_handles++;
    for (size_t i = 0; i < self->count; i++) {
        child_t *child = &self->children [i];
        child->owner = self;
        child->slot = (int) i;
        child->backoff_ms = BACKOFF_MIN_MS;
        uv_timer_init (self->loop, &child->restart);
        child->restart.data = child;
        self->open_handles++;
        spawn_child (child);
    }
    return 0;
}

static void
on_kill_timer (uv_timer_t *timer)
{
    clip_supervisor_t *self = timer->data;
    for (size_t i = 0; i < self->count; i++)
        if (self->children [i].running) {
            clip_warn ("worker_killed", "pid=%d", self->children [i].process.pid);
            uv_process_kill (&self->children [i].process, SIGKILL);
        }
}

static void
on_restart_closed (uv_handle_t *handle)
{
    child_t *child = handle->data;
    clip_supervisor_t *self = child->owner;
    self->open_handles--;
    maybe_finish (self);
}

void
clip_supervisor_stop (clip_supervisor_t *self, void (*on_stopped) (void *arg), void *arg)
{
    self->stopping = true;
    self->on_stopped = on_stopped;
    self->stopped_arg = arg;
    for (size_t i = 0; i < self->count; i++) {
        child_t *child = &self->children [i];
        uv_timer_stop (&child->restart);
        uv_close ((uv_handle_t *) &child->restart, on_restart_closed);
        if (child->running)
            uv_process_kill (&child->process, SIGTERM);
    }
    /*  Closed by the last child's exit (close_kill_timer_if_done).  */
    uv_timer_start (&self->kill_timer, on_kill_timer, KILL_AFTER_MS, 0);
    close_kill_timer_if_done (self);
}

char *
clip_supervisor_find_sibling (const char *name)
{
    char exe [PATH_MAX];
    size_t size = sizeof exe;
    if (uv_exepath (exe, &size) != 0)
        return NULL;
    char *dir = dirname (exe);
    char *candidates [2] = {
        clip_strprintf ("%s/%s", dir, name),
        clip_strprintf ("%s/../workers/%s", dir, name),
    };
    char *found = NULL;
    for (int i = 0; i < 2; i++) {
        if (!found && access (candidates [i], X_OK) == 0)
            found = candidates [i];
        else
            free (candidates [i]);
    }
    return found;
}
