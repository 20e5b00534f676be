/*  zwatch: a ZeroMQ socket inside the libuv loop.

    ZeroMQ exposes a socket's readiness through ZMQ_FD, which is edge-
    triggered and signals only that the socket's commands must be processed
    again: after every send or receive on the socket, pending input may
    exist without the fd becoming readable again.  zwatch therefore (1)
    polls ZMQ_FD with uv_poll, (2) on each wake-up calls the owner's
    callback until it reports that its non-blocking receive found nothing
    (EAGAIN), and (3) offers zwatch_kick, which the owner calls after
    sending on the socket, to run the same drain from a uv_idle on the next
    loop turn.  A receive that finds nothing has libzmq process its
    commands first, as a ZMQ_EVENTS read does, so the fd signals the next
    arrival: the drain ends on it rather than asking ZMQ_EVENTS before each
    message, which costs libzmq a poll(2) and a getpid(2) every time.  The
    owner's callback must receive a small, bounded number of messages per
    call (one, usually; the publisher's subscription notices are read up to
    256 at a time, see publish.c) and never block.

    The owner keeps the socket; zwatch only watches it.  Close with
    zwatch_close and free the zwatch in (or after) its close callback.
*/
#ifndef CLIP_ZWATCH_H
#define CLIP_ZWATCH_H

#include <stdbool.h>
#include <uv.h>

typedef struct zwatch zwatch_t;
/*  Receive from the socket, ZMQ_DONTWAIT: a bounded number of messages.
    Return true when a message was taken (valid or not: more may wait),
    false when the receive found none (EAGAIN) or failed, which ends the
    drain until the fd signals or the owner kicks.  */
typedef bool (*zwatch_cb) (zwatch_t *watch, void *arg);
typedef void (*zwatch_close_cb) (zwatch_t *watch);

struct zwatch {
    uv_poll_t poll;
    uv_idle_t idle;
    void *socket;
    zwatch_cb on_readable;
    zwatch_close_cb on_close;
    void *arg;
    int closing;                /* handles still to close */
};

/*  Bind socket to endpoint and write the endpoint actually bound (a '*'
    port resolved) into bound.  On failure returns -1 with err set to
    "cannot bind <what> endpoint <endpoint>: <reason>"; the caller still
    owns and closes the socket.  */
int zwatch_bind (void *socket, const char *endpoint, const char *what,
                 char *bound, size_t bound_size, char *err, size_t err_size);
/*  Start watching socket.  Returns 0 or a negative errno.  */
int zwatch_init (uv_loop_t *loop, zwatch_t *watch, void *socket, zwatch_cb cb, void *arg);
/*  Drain pending input on the next loop turn; call after sending.  */
void zwatch_kick (zwatch_t *watch);
/*  Stop watching; on_close runs when both handles are closed.  */
void zwatch_close (zwatch_t *watch, zwatch_close_cb on_close);

#endif
