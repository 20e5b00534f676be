/*  clip_wire: the worker protocol between clipd (ROUTER) and clip-worker
    (DEALER).  Documented for other implementations in proto/README.md.

    Every message is a command string and a msgpack map (its body) after
    the ROUTER's identity frame; a TASK or a RESULT may carry several
    bodies, one frame each (below).

      worker -> daemon   READY      {worker, protocol, credit, bodies}
                         HEARTBEAT  {worker, busy, credit, bodies}
                         RESULT     {worker, task, record (bin), sketch (bin)} ...
      daemon -> worker   TASK       {task, file, data (bin)} ...
                         HEARTBEAT  {}

    Credit-based flow: a worker holds at most `credit` tasks (1 when it
    does not say: a worker of the first version of this protocol), which it
    analyses in the order received; READY and an idle HEARTBEAT say it holds
    none.  `credit` is an optional key, so the protocol number stays 1: a
    daemon that does not know it ignores it and gives one task at a time.
    Task ids are unique per daemon run and per attempt, so an answer to a
    task that was given to another worker in the meantime is recognised as
    late and dropped.

    Several tasks a message: a worker that says `bodies` N (READY,
    HEARTBEAT; optional, 1 when absent) takes TASK messages of up to N
    bodies, each a task, analysed in their order; a daemon that does not
    know the key sends one body a message.  A worker sends RESULT
    messages of several bodies only on a connection whose daemon has sent
    it a TASK of several, so never to a daemon that does not know them.
    One wake-up of each side and of libzmq's I/O threads then carries a
    group of tasks or results (proto/README.md, "Groups").
*/
#ifndef CLIP_WIRE_H
#define CLIP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#define CLIP_WIRE_PROTOCOL 1
/*  The most tasks a worker may offer to hold (READY's and HEARTBEAT's
    `credit`); a larger offer is read as this.  */
#define CLIP_WIRE_CREDIT_MAX 64
/*  The most bodies (tasks or results) one TASK or RESULT message carries;
    a larger `bodies` offer is read as this.  */
#define CLIP_WIRE_BODIES_MAX 8

/*  Limits (proto/README.md, "Limits").  Everything a peer sends is bounded
    before it is decoded:

    - frames: clip_wire_recv_frames keeps at most CLIP_WIRE_MAX_FRAMES
      frames of one message (an identity, a command and
      CLIP_WIRE_BODIES_MAX bodies); a longer message is read to its end
      and dropped whole.
    - objects: a message body holds at most CLIP_WIRE_MAX_OBJECTS msgpack
      objects (every key, value and element counts), which bounds what the
      decoder allocates beyond the copies of the fields it keeps, whatever
      the frame's size.
    - frame sizes, set as ZMQ_MAXMSGSIZE on the receiving sockets (ZeroMQ
      disconnects a peer that sends a larger frame, before reading it):
      clipd's task endpoint accepts clip_wire_result_frame_max (max_bytes,
      max_entities) bytes; clip-worker accepts TASK frames of CLIP_WIRE_TASK_FRAME_MAX.
    - a RESULT's record and sketch are refused (bad_result) when larger
      than clip_wire_record_max / clip_wire_sketch_max of the size of the
      file they are the result of.  */
#define CLIP_WIRE_MAX_FRAMES (2 + CLIP_WIRE_BODIES_MAX)
#define CLIP_WIRE_MAX_OBJECTS 64
/*  A body's room beyond the file or record it carries: keys, task id,
    file or worker name.  */
#define CLIP_WIRE_HEADROOM ((uint64_t) 64 * 1024)
/*  The largest file a TASK can carry to clip-worker: 1 GiB (clipd's
    --max-bytes above it makes workers drop those TASKs).  */
#define CLIP_WIRE_FILE_MAX ((uint64_t) 1 << 30)
#define CLIP_WIRE_TASK_FRAME_MAX ((int64_t) (CLIP_WIRE_FILE_MAX + CLIP_WIRE_HEADROOM))

/*  A record: its title and entities are text of the file (up to three
    UTF-8 bytes per byte when decoded from Windows-1252, each mention once
    as text and once as its canonical name) plus fixed keys: four times the
    file plus the headroom; and each entity's map, type, offsets and a
    canonical name that may be longer than its mention ("UK" is "United
    Kingdom"): CLIP_WIRE_ENTITY_MAX bytes per entity, for max_entities.  An
    article dense in short aliased names (a list of "UK, US, EU.") makes a
    record many times its size, within this bound.  */
#define CLIP_WIRE_ENTITY_MAX ((uint64_t) 320)
uint64_t clip_wire_record_max (uint64_t file_bytes, uint64_t max_entities);
/*  A sketch: 8 bytes and 4 per distinct shingle, and a shingle per word
    at most: about one word per 2 bytes of the file, but normalisation can
    split one byte in two (Windows-1252 "½" is "1⁄2"), so one per byte, plus
    room for texts shorter than a shingle: four times the file plus 64.  */
uint64_t clip_wire_sketch_max (uint64_t file_bytes);
/*  The RESULT frame for files of at most max_bytes and records of at most
    max_entities: record + sketch + headroom, as the int64 ZMQ_MAXMSGSIZE
    takes (saturated).  */
int64_t clip_wire_result_frame_max (uint64_t max_bytes, uint64_t max_entities);

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
    uint64_t credit;            /* READY, HEARTBEAT from a worker: tasks it can
                                   hold, 1..; 0 when absent (sent only when
                                   not 0) */
    uint64_t bodies;            /* READY, HEARTBEAT from a worker: tasks it
                                   takes in one TASK message, 1..; 0 when
                                   absent (sent only when not 0) */
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
/*  Send n messages of one kind, TASK or RESULT (1 <= n <=
    CLIP_WIRE_BODIES_MAX), as one message of n bodies, in their order.
    As clip_wire_send otherwise; n = 1 is what clip_wire_send sends.  */
int clip_wire_send_group (void *socket, const void *identity, size_t identity_len,
                          const clip_wire_msg_t *msgs, size_t n, int flags);

/*  The kind a command frame names (a clip_wire_kind_t), or -1 when it
    names none: what a receiver checks before it decodes the bodies of a
    message of several, which only TASK and RESULT may be.  */
int clip_wire_kind_of (const void *command, size_t command_len);

/*  Decode the command and one body frame of a message through the guarded
    reader (clip_msgpack.h; at most CLIP_WIRE_MAX_OBJECTS objects): a
    message of several bodies is decoded body by body, each with the
    command, and each stands or falls alone.  Returns
    a new message (caller owns; free with clip_wire_msg_destroy) or NULL
    with err set.  */
clip_wire_msg_t *clip_wire_decode (const void *command, size_t command_len,
                                   const void *body, size_t body_len,
                                   char *err, size_t err_size);
void clip_wire_msg_destroy (clip_wire_msg_t **self_p);

/*  Receive every frame of one message (non-blocking when flags has
    ZMQ_DONTWAIT).  *frames (caller owns; free with clip_wire_frames_free)
    gets each frame as a zmq_msg_t.  Returns the frame count or -1 with
    errno set: EAGAIN when nothing waits, EMSGSIZE when the message had more
    than CLIP_WIRE_MAX_FRAMES frames (it was read to its end and dropped).  */
int clip_wire_recv_frames (void *socket, zmq_msg_t **frames, int flags);
void clip_wire_frames_free (zmq_msg_t *frames, int count);

/*  ZMTP heartbeats (ZMQ_HEARTBEAT_IVL/TIMEOUT/TTL) for the connections that
    can sit idle for hours: a subscriber's to PUB and replay.  A PING every
    CLIP_WIRE_KEEPALIVE_MS keeps NAT tables, overlay networks and IPVS
    (which forgets a connection idle for 900 s) from dropping the
    connection silently, and a peer silent for CLIP_WIRE_KEEPALIVE_TIMEOUT_MS
    is disconnected, so that a subscriber whose daemon vanished with its
    host reconnects instead of waiting for ever.  The task endpoint needs
    none: its workers and clipd exchange HEARTBEATs every second.  Set on
    both ends, before bind or connect.  */
#define CLIP_WIRE_KEEPALIVE_MS 30000
#define CLIP_WIRE_KEEPALIVE_TIMEOUT_MS 90000
void clip_wire_keepalive (void *socket);

#endif
