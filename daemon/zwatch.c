/*  zwatch: a ZeroMQ socket inside the libuv loop.  See zwatch.h.  */
#include "zwatch.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <zmq.h>

/*  Messages handled per wake-up before yielding to the rest of the loop, so
    that a flood on one socket cannot starve timers and other sockets.  The
    idle handle brings us back on the next turn if more is pending.  */
#define ZWATCH_BATCH 256

static void
drain (zwatch_t *watch)
{
    for (int i = 0; i < ZWATCH_BATCH; i++) {
        /*  Ends on the receive that finds nothing (zwatch.h).  */
        if (watch->closing || !watch->on_readable (watch, watch->arg))
            return;
    }
    /*  Still more to read: come back on the next loop turn.  */
    zwatch_kick (watch);
}

static void
on_poll (uv_poll_t *handle, int status, int events)
{
    drain (handle->data);
}

static void
on_idle (uv_idle_t *handle)
{
    uv_idle_stop (handle);
    drain (handle->data);
}

int
zwatch_init (uv_loop_t *loop, zwatch_t *watch, void *socket, zwatch_cb cb, void *arg)
{
    int fd;
    size_t len = sizeof fd;
    if (zmq_getsockopt (socket, ZMQ_FD, &fd, &len) != 0)
        return -errno;
    watch->socket = socket;
    watch->on_readable = cb;
    watch->arg = arg;
    watch->closing = 0;
    int rc = uv_poll_init (loop, &watch->poll, fd);
    if (rc)
        return rc;
    uv_idle_init (loop, &watch->idle);
    watch->poll.data = watch;
    watch->idle.data = watch;
    uv_poll_start (&watch->poll, UV_READABLE, on_poll);
    /*  Input may already be queued (ZMQ_FD only signals changes).  */
    zwatch_kick (watch);
    return 0;
}

void
zwatch_kick (zwatch_t *watch)
{
    if (!watch->closing)
        uv_idle_start (&watch->idle, on_idle);
}

static void
on_handle_closed (uv_handle_t *handle)
{
    zwatch_t *watch = handle->data;
    if (--watch->closing == 0 && watch->on_close)
        watch->on_close (watch);
}

void
zwatch_close (zwatch_t *watch, zwatch_close_cb on_close)
{
    assert (!watch->closing);
    watch->closing = 2;
    watch->on_close = on_close;
    uv_close ((uv_handle_t *) &watch->poll, on_handle_closed);
    uv_close ((uv_handle_t *) &watch->idle, on_handle_closed);
}

int
zwatch_bind (void *socket, const char *endpoint, const char *what,
             char *bound, size_t bound_size, char *err, size_t err_size)
{
    if (zmq_bind (socket, endpoint) != 0) {
        snprintf (err, err_size, "cannot bind %s endpoint %s: %s", what, endpoint,
                  zmq_strerror (errno));
        return -1;
    }
    size_t len = bound_size;
    zmq_getsockopt (socket, ZMQ_LAST_ENDPOINT, bound, &len);
    return 0;
}
