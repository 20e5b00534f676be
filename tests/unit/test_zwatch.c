/*  zwatch: a ZeroMQ socket inside the libuv loop (issue 12).  The drain
    reads until a receive finds nothing, instead of asking ZMQ_EVENTS
    before each message (a poll(2) and a getpid(2) inside libzmq each
    time).  This executable defines zmq_getsockopt and zmq_msg_recv itself
    (forwarding to libzmq's) to count ZMQ_EVENTS reads and receives that
    found nothing, on real PUSH/PULL sockets over TCP; every message must
    still arrive, also in waves sent while the loop sleeps in epoll, which
    only ZMQ_FD can wake it for.  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <uv.h>
#include <zmq.h>

#include "testutil.h"
#include "zwatch.h"

static long s_events_reads;
static long s_empty_recvs;

int
zmq_getsockopt (void *socket, int option, void *value, size_t *len)
{
    static int (*real) (void *, int, void *, size_t *);
    if (!real)
        real = (int (*) (void *, int, void *, size_t *)) dlsym (RTLD_NEXT, "zmq_getsockopt");
    if (option == ZMQ_EVENTS)
        s_events_reads++;
    return real (socket, option, value, len);
}

int
zmq_msg_recv (zmq_msg_t *msg, void *socket, int flags)
{
    static int (*real) (zmq_msg_t *, void *, int);
    if (!real)
        real = (int (*) (zmq_msg_t *, void *, int)) dlsym (RTLD_NEXT, "zmq_msg_recv");
    int rc = real (msg, socket, flags);
    if (rc < 0 && errno == EAGAIN)
        s_empty_recvs++;
    return rc;
}

#define WAVES 5
#define PER_WAVE 200

typedef struct {
    zwatch_t watch;
    void *pull;
    void *push;
    uv_timer_t timer;           /* sends the next wave once one arrived */
    int received;
    int sent;
    uint64_t deadline_ms;       /* the loop stops then, whatever arrived */
    bool closed;
} fixture_t;

/*  One message per call, as the daemon's owners do.  */
static bool
on_readable (zwatch_t *watch, void *arg)
{
    (void) watch;
    fixture_t *f = arg;
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    int rc = zmq_msg_recv (&msg, f->pull, ZMQ_DONTWAIT);
    zmq_msg_close (&msg);
    if (rc < 0)
        return false;
    f->received++;
    return true;
}

static void
send_wave (fixture_t *f)
{
    for (int i = 0; i < PER_WAVE; i++, f->sent++)
        cr_assert_eq (zmq_send (f->push, &f->sent, sizeof f->sent, 0), (int) sizeof f->sent);
}

/*  Every 10 ms: once the last wave is all in, send the next while the loop
    goes back to sleep; stop the loop after the last.  */
static void
on_timer (uv_timer_t *timer)
{
    fixture_t *f = timer->data;
    if (uv_now (timer->loop) > f->deadline_ms) {
        uv_timer_stop (timer);
        uv_stop (timer->loop);
        return;
    }
    if (f->received < f->sent)
        return;
    if (f->sent == WAVES * PER_WAVE) {
        uv_timer_stop (timer);
        uv_stop (timer->loop);
        return;
    }
    send_wave (f);
}

static void
on_closed (zwatch_t *watch)
{
    fixture_t *f = (fixture_t *) watch;
    f->closed = true;
}

Test (zwatch, every_message_arrives_without_a_readiness_read_per_message, .timeout = 120)
{
    uv_loop_t loop;
    uv_loop_init (&loop);
    void *ctx = zmq_ctx_new ();
    fixture_t f = { .pull = zmq_socket (ctx, ZMQ_PULL), .push = zmq_socket (ctx, ZMQ_PUSH) };
    int zero = 0, hwm = PER_WAVE * 2;
    zmq_setsockopt (f.pull, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (f.push, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (f.pull, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt (f.push, ZMQ_SNDHWM, &hwm, sizeof hwm);
    char err [256], endpoint [256];
    cr_assert_eq (zwatch_bind (f.pull, "tcp://127.0.0.1:*", "test", endpoint, sizeof endpoint,
                               err, sizeof err), 0, "%s", err);
    cr_assert_eq (zmq_connect (f.push, endpoint), 0);
    cr_assert_eq (zwatch_init (&loop, &f.watch, f.pull, on_readable, &f), 0);
    uv_timer_init (&loop, &f.timer);
    f.timer.data = &f;
    uv_timer_start (&f.timer, on_timer, 10, 10);
    s_events_reads = 0;
    s_empty_recvs = 0;

    /*  The timer stops the loop after the last wave, or at the deadline
        if the loop never woke for one.  */
    f.deadline_ms = uv_now (&loop) + (uint64_t) tu_scaled_ms (60000);
    uv_run (&loop, UV_RUN_DEFAULT);
    cr_assert_eq (f.received, WAVES * PER_WAVE, "received %d of %d", f.received,
                  WAVES * PER_WAVE);
    /*  The drain asked ZMQ_EVENTS before each message: 1,000 reads.  Now
        none, and a receive that finds nothing ends each drain (a few per
        wave, as TCP brings a wave in several pieces).  */
    cr_assert_eq (s_events_reads, 0, "%ld ZMQ_EVENTS reads", s_events_reads);
    cr_assert (s_empty_recvs < WAVES * PER_WAVE / 4, "%ld receives found nothing for %d messages",
               s_empty_recvs, WAVES * PER_WAVE);

    zwatch_close (&f.watch, on_closed);
    uv_close ((uv_handle_t *) &f.timer, NULL);
    uv_run (&loop, UV_RUN_DEFAULT);
    cr_assert (f.closed);
    zmq_close (f.pull);
    zmq_close (f.push);
    zmq_ctx_term (ctx);
    cr_assert_eq (uv_loop_close (&loop), 0);
}
