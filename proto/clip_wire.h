/*  clip_wire: the worker protocol between clipd (ROUTER) and clip-worker
    (DEALER).  Documented for other implementations in proto/README.md.

    Every message is two frames after the ROUTER's identity frame: a command
    string and a msgpack map.

      worker -> daemon   READY      {worker, protocol}
                         HEARTBEAT  {worker, busy}
                         RESULT     {worker, task, record (bin), sketch (bin)}
      daemon -> worker   TASK       {task, file, data (bin)}
                         HEARTBEAT  {}

    Credit-based flow: a worker holds at most one task; READY and an idle
    HEARTBEAT say it can take one.  Task ids are unique per daemon run and per
    attempt, so an answer to a task that was given to another worker in the
    meantime is recognised as late and dropped.
*/
#ifndef CLIP_WIRE_H
#define CLIP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#define CLIP_WIRE_PROTOCOL 1

typedef enum {
    CLIP_WIRE_READY = 0,
    CLIP_WIRE_HEARTBEAT,
    CLIP_WIRE_RESULT,
    CLIP_WIRE_TASK
} clip_wire_kind_t;

typedef struct {
    clip_wire_kind_t kind;
    char *worker;               /* READY, HEARTBEAT, RESULT from a worker */
    uint64_t protocol;          /* READY */
    bool busy;                  /* HEARTBEAT from a worker */
    uint64_t task;              /* TASK, RESULT */
    char *file;                 /* TASK */
    void *data;                 /* TASK: the file's bytes; RESULT: the record (msgpack) */
    size_t data_len;
    void *sketch;               /* RESULT: the dedupe sketch, may be NULL */
    size_t sketch_len;
} clip_wire_msg_t;

/*  Send msg on a ZeroMQ socket, prefixed by the routing identity when
    identity is not NULL (ROUTER side).  Pointers in msg are borrowed.
    Returns 0 or -1 with errno set by ZeroMQ (EAGAIN, EHOSTUNREACH, ...).  */
int clip_wire_send (void *socket, const void *identity, size_t identity_len,
                    const clip_wire_msg_t *msg, int flags);

/*  Decode the command and body frames of one message.  Returns a new message
    (caller owns; free with clip_wire_msg_destroy) or NULL with err set.  */
clip_wire_msg_t *clip_wire_decode (const void *command, size_t command_len,
                                   const void *body, size_t body_len,
                                   char *err, size_t err_size);
void clip_wire_msg_destroy (clip_wire_msg_t **self_p);

/*  Receive every frame of one message (non-blocking when flags has
    ZMQ_DONTWAIT).  *frames (caller owns; free with clip_wire_frames_free)
    gets each frame as a zmq_msg_t.  Returns the frame count or -1 with
    errno set.  */
int clip_wire_recv_frames (void *socket, zmq_msg_t **frames, int flags);
void clip_wire_frames_free (zmq_msg_t *frames, int count);

#endif
