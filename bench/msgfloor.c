/*  bench_msgfloor: the messaging the pipeline needs and nothing else, so
    that clipd's CPU per article can be read against what ZeroMQ itself
    costs for the same traffic (issue 12; bench/README.md).

        bench_msgfloor --src DIR [--articles N] [--work-us W] [--credit C]
                       [--batch K [--split [--results-alone]]]
                       [--result-bytes R] [--record-bytes P]

    One "daemon" process (this one) binds a ROUTER (tasks) and an XPUB
    (records) on loopback TCP, as clipd does; two worker processes connect
    DEALERs, one subscriber process a SUB.  The files of --src (the first N
    in name order) are read into memory first: reading them is the floor of
    bench_floor, not this one's.  Then each file is sent once as a task of
    its real bytes; a worker spins W microseconds of CPU per task (the
    analysis: clip analyze's CPU per article, so that the workers take the
    cores as the real ones do) and answers with R bytes; for each answer the
    daemon publishes a P-byte record.  A worker holds at most C tasks (16
    by default, as clipd's --prefetch).  With --batch K a message carries
    up to K tasks, and a worker answers the tasks of one message with one
    message; the daemon gives a worker more once it has room for K.  K = 1
    is one task and one result a message, as each went before clipd's
    groups.  With --split the same groups go as one message per task and
    per result, sent back to back (a worker holds its results until K are
    made or it has nothing more in hand): what clipd and clip-worker do
    since 2026-12-07 (proto/README.md, "Groups"), without changing the
    messages.  --results-alone: the tasks in groups, each result sent as
    soon as it is made.  The daemon does nothing else: no file, no
    database, no judge, a blocking zmq_recv on one socket.

    Prints one line: n, seconds, rate (articles/s from the first task to
    the subscriber's last record), and daemon_cpu_ms: this process's CPU
    time (user + system, getrusage, its libzmq I/O thread included) per
    article over the same span.  Exit 0, 1 on a failure (named), 2 bad
    usage.  Every wait is bounded (60 s without progress ends the run).
*/
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "bench_clock.h"
#include "clip_util.h"

#define WORKERS 2
#define IDLE_MS 60000

/*  --split: each task and each result a message of its own, sent in
    groups; --results-alone: and each result sent as soon as made.  */
static int split, results_alone;

typedef struct {
    char *bytes;
    size_t size;
} article_t;

static int
visible (const struct dirent *de)
{
    return de->d_name[0] != '.';
}

/*  The first `want` regular files of `dir` in name order, read whole
    (clip_file_read: anything else there is skipped).  Returns how many
    were read, -1 on a failure (printed).  */
static long
articles_load (const char *dir, long want, article_t **out)
{
    struct dirent **names;
    int count = scandir (dir, &names, visible, alphasort);
    if (count < 0) {
        fprintf (stderr, "bench_msgfloor: scandir %s: %s\n", dir, strerror (errno));
        return -1;
    }
    article_t *arts = clip_calloc (count ? (size_t) count : 1, sizeof *arts);
    long n = 0;
    int rc = 0;
    for (int i = 0; i < count; i++) {
        if (rc == 0 && n < want) {
            char *path = clip_path_join (dir, names [i]->d_name);
            rc = clip_file_read (path, SIZE_MAX, &arts [n].bytes, &arts [n].size);
            if (rc == 0)
                n++;
            else
            if (rc == -EINVAL)
                rc = 0;         /* not a regular file */
            else
                fprintf (stderr, "bench_msgfloor: read %s: %s\n", path, strerror (-rc));
            free (path);
        }
        free (names [i]);
    }
    free (names);
    *out = arts;
    return rc == 0 ? n : -1;
}

/*  Burn `us` microseconds of this thread's CPU time.  */
static void
spin_us (long us)
{
    struct timespec start, now;
    clock_gettime (CLOCK_THREAD_CPUTIME_ID, &start);
    do
        clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
    while ((now.tv_sec - start.tv_sec) * 1000000L
           + (now.tv_nsec - start.tv_nsec) / 1000 < us);
}

/*  --split: the results held, each a message of its own, back to back.  */
static void
results_send_split (void *dealer, const char *answer, size_t result_bytes, int *held)
{
    for (int i = 0; i < *held; i++) {
        zmq_send (dealer, "RESULT1", 7, ZMQ_SNDMORE);
        zmq_send (dealer, answer, result_bytes, 0);
    }
    *held = 0;
}

/*  A worker: READY, then for each TASK message (a header frame, then one
    frame per task) spin per task and answer with one RESULT message of as
    many frames, each `result_bytes` long.  Ends at an empty message.  */
static int
worker_run (const char *endpoint, long work_us, size_t result_bytes, int batch)
{
    void *ctx = zmq_ctx_new ();
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    int zero = 0, timeout = IDLE_MS;
    zmq_setsockopt (dealer, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (dealer, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    if (zmq_connect (dealer, endpoint) != 0)
        return 1;
    char *answer = calloc (1, result_bytes);
    zmq_send (dealer, "READY", 5, 0);
    int held = 0;               /* split: results done, not yet sent */
    for (;;) {
        zmq_msg_t frame;
        zmq_msg_init (&frame);
        if (zmq_msg_recv (&frame, dealer, split && held ? ZMQ_DONTWAIT : 0) < 0) {
            if (errno != EAGAIN)
                return 1;
            /*  split: nothing more in hand, the results held go.  */
            results_send_split (dealer, answer, result_bytes, &held);
            continue;
        }
        int tasks = 0;
        int more = zmq_msg_more (&frame);
        if (zmq_msg_size (&frame) == 0 && !more)
            break;
        while (more) {
            zmq_msg_close (&frame);
            zmq_msg_init (&frame);
            if (zmq_msg_recv (&frame, dealer, 0) < 0)
                return 1;
            more = zmq_msg_more (&frame);
            spin_us (work_us);
            tasks++;
        }
        zmq_msg_close (&frame);
        if (split) {
            if (++held == batch)
                results_send_split (dealer, answer, result_bytes, &held);
            continue;
        }
        zmq_send (dealer, "RESULT", 6, ZMQ_SNDMORE);
        for (int i = 0; i < tasks; i++)
            zmq_send (dealer, answer, result_bytes, i + 1 < tasks ? ZMQ_SNDMORE : 0);
    }
    free (answer);
    zmq_close (dealer);
    zmq_ctx_term (ctx);
    return 0;
}

/*  The subscriber: counts `n` records, then says so on its pipe.  */
static int
subscriber_run (const char *endpoint, long n, int report_fd)
{
    void *ctx = zmq_ctx_new ();
    void *sub = zmq_socket (ctx, ZMQ_SUB);
    int zero = 0, timeout = IDLE_MS;
    zmq_setsockopt (sub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0);
    if (zmq_connect (sub, endpoint) != 0)
        return 1;
    char buf[64];
    for (long got = 0; got < n;) {
        if (zmq_recv (sub, buf, sizeof buf, 0) < 0)
            return 1;
        int more;
        size_t len = sizeof more;
        zmq_getsockopt (sub, ZMQ_RCVMORE, &more, &len);
        if (!more)
            got++;
    }
    double end = bench_now_s ();
    if (write (report_fd, &end, sizeof end) != sizeof end)
        return 1;
    zmq_close (sub);
    zmq_ctx_term (ctx);
    return 0;
}

typedef struct {
    unsigned char id[256];
    size_t id_size;
    int credit;
} peer_t;

/*  Send up to `count` tasks, starting at *next, to `peer` in messages of
    at most `batch` tasks.  */
static void
tasks_send (void *router, peer_t *peer, const article_t *arts, long n, long *next,
            int count, int batch)
{
    while (count > 0 && *next < n) {
        int k = count < batch ? count : batch;
        if (k > n - *next)
            k = (int) (n - *next);
        for (int i = 0; i < k; i++) {
            const article_t *a = &arts[(*next)++];
            if (i == 0 || split) {
                zmq_send (router, peer->id, peer->id_size, ZMQ_SNDMORE);
                zmq_send (router, split ? "TASK1" : "TASK", split ? 5 : 4, ZMQ_SNDMORE);
            }
            zmq_send (router, a->bytes, a->size, i + 1 < k && !split ? ZMQ_SNDMORE : 0);
        }
        peer->credit -= k;
        count -= k;
    }
}

static int
usage (void)
{
    fprintf (stderr, "usage: bench_msgfloor --src DIR [--articles N] [--work-us W] [--credit C]\n"
                     "                      [--batch K [--split [--results-alone]]]\n"
                     "                      [--result-bytes R] [--record-bytes P]\n");
    return 2;
}

int
main (int argc, char **argv)
{
    const char *src = NULL;
    long want = 5000, work_us = 250;
    int credit = 16, batch = 1;
    size_t result_bytes = 2200, record_bytes = 1600;
    static const struct option options[] = {
        { "src", required_argument, NULL, 's' },
        { "articles", required_argument, NULL, 'n' },
        { "work-us", required_argument, NULL, 'w' },
        { "credit", required_argument, NULL, 'c' },
        { "batch", required_argument, NULL, 'k' },
        { "result-bytes", required_argument, NULL, 'r' },
        { "record-bytes", required_argument, NULL, 'p' },
        { "split", no_argument, NULL, 'x' },
        { "results-alone", no_argument, NULL, 'a' },
        { NULL, 0, NULL, 0 },
    };
    int opt;
    while ((opt = getopt_long (argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 's': src = optarg; break;
        case 'n': want = atol (optarg); break;
        case 'w': work_us = atol (optarg); break;
        case 'c': credit = atoi (optarg); break;
        case 'k': batch = atoi (optarg); break;
        case 'r': result_bytes = (size_t) atol (optarg); break;
        case 'p': record_bytes = (size_t) atol (optarg); break;
        case 'x': split = 1; break;
        case 'a': results_alone = 1; break;
        default: return usage ();
        }
    }
    if (!src || want < 1 || work_us < 0 || credit < 1 || batch < 1 || batch > credit
        || (results_alone && !split)
        || result_bytes < 1 || record_bytes < 1)
        return usage ();
    article_t *arts;
    long n = articles_load (src, want, &arts);
    if (n < 1)
        return 1;

    void *ctx = zmq_ctx_new ();
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    void *pub = zmq_socket (ctx, ZMQ_XPUB);
    int zero = 0, timeout = IDLE_MS, one = 1;
    zmq_setsockopt (router, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (router, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt (router, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt (pub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (pub, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    char task_ep[256], pub_ep[256];
    size_t len = sizeof task_ep;
    if (zmq_bind (router, "tcp://127.0.0.1:*") != 0
        || zmq_getsockopt (router, ZMQ_LAST_ENDPOINT, task_ep, &len) != 0) {
        fprintf (stderr, "bench_msgfloor: bind: %s\n", zmq_strerror (errno));
        return 1;
    }
    len = sizeof pub_ep;
    if (zmq_bind (pub, "tcp://127.0.0.1:*") != 0
        || zmq_getsockopt (pub, ZMQ_LAST_ENDPOINT, pub_ep, &len) != 0) {
        fprintf (stderr, "bench_msgfloor: bind: %s\n", zmq_strerror (errno));
        return 1;
    }
    int report[2];
    if (pipe (report) != 0)
        return 1;
    pid_t children[WORKERS + 1];
    for (int i = 0; i <= WORKERS; i++) {
        children[i] = fork ();
        if (children[i] < 0)
            return 1;
        if (children[i] == 0) {
            /*  A fresh context in the child: the parent's is not fork-safe.  */
            close (report[0]);
            alarm (600);
            _exit (i < WORKERS ? worker_run (task_ep, work_us, result_bytes,
                                              results_alone ? 1 : batch)
                               : subscriber_run (pub_ep, n, report[1]));
        }
    }
    close (report[1]);

    /*  Both workers ready and the subscription in: the XPUB hands the
        subscriber's subscribe message up.  */
    peer_t peers[WORKERS];
    int ready = 0, subscribed = 0;
    while (ready < WORKERS) {
        zmq_msg_t id, body;
        zmq_msg_init (&id);
        zmq_msg_init (&body);
        if (zmq_msg_recv (&id, router, 0) < 0 || zmq_msg_recv (&body, router, 0) < 0) {
            fprintf (stderr, "bench_msgfloor: no worker within %d ms\n", IDLE_MS);
            return 1;
        }
        memcpy (peers[ready].id, zmq_msg_data (&id), zmq_msg_size (&id));
        peers[ready].id_size = zmq_msg_size (&id);
        peers[ready].credit = credit;
        ready++;
        zmq_msg_close (&id);
        zmq_msg_close (&body);
    }
    while (!subscribed) {
        char buf[16];
        if (zmq_recv (pub, buf, sizeof buf, 0) < 0) {
            fprintf (stderr, "bench_msgfloor: no subscriber within %d ms\n", IDLE_MS);
            return 1;
        }
        subscribed = buf[0] == 1;
    }

    char *record = calloc (1, record_bytes);
    double start = bench_now_s (), cpu_start = bench_cpu_s ();
    long next = 0, answered = 0;
    for (int i = 0; i < WORKERS; i++)
        tasks_send (router, &peers[i], arts, n, &next, peers[i].credit, batch);
    while (answered < n) {
        zmq_msg_t frame;
        zmq_msg_init (&frame);
        if (zmq_msg_recv (&frame, router, 0) < 0) {
            fprintf (stderr, "bench_msgfloor: stalled at %ld of %ld\n", answered, n);
            return 1;
        }
        peer_t *peer = NULL;
        for (int i = 0; i < WORKERS; i++)
            if (peers[i].id_size == zmq_msg_size (&frame)
                && memcmp (peers[i].id, zmq_msg_data (&frame), peers[i].id_size) == 0)
                peer = &peers[i];
        int more = zmq_msg_more (&frame);
        zmq_msg_close (&frame);
        if (!peer || !more)
            return 1;
        /*  The header, then one frame per result.  */
        zmq_msg_init (&frame);
        zmq_msg_recv (&frame, router, 0);
        more = zmq_msg_more (&frame);
        int results = 0;
        while (more) {
            zmq_msg_close (&frame);
            zmq_msg_init (&frame);
            zmq_msg_recv (&frame, router, 0);
            more = zmq_msg_more (&frame);
            zmq_send (pub, "clip.", 5, ZMQ_SNDMORE);
            zmq_send (pub, record, record_bytes, 0);
            results++;
        }
        zmq_msg_close (&frame);
        answered += results;
        peer->credit += results;
        /*  Tasks leave in groups of batch (the last ones as they come).  */
        if (peer->credit >= batch || n - next < batch)
            tasks_send (router, peer, arts, n, &next, peer->credit, batch);
    }
    double end = 0;
    if (read (report[0], &end, sizeof end) != sizeof end) {
        fprintf (stderr, "bench_msgfloor: the subscriber did not get every record\n");
        return 1;
    }
    /*  Read once the subscriber has every record: the I/O thread's sends
        of the last ones are counted.  */
    double cpu = bench_cpu_s () - cpu_start;
    for (int i = 0; i < WORKERS; i++)
        zmq_send (router, peers[i].id, peers[i].id_size, ZMQ_SNDMORE),
        zmq_send (router, "", 0, 0);
    int failed = 0;
    for (int i = 0; i <= WORKERS; i++) {
        int status;
        if (waitpid (children[i], &status, 0) != children[i] || !WIFEXITED (status)
            || WEXITSTATUS (status) != 0)
            failed = 1;
    }
    printf ("n=%ld seconds=%.3f rate=%.1f daemon_cpu_ms=%.4f batch=%d credit=%d work_us=%ld split=%d results_alone=%d\n",
            n, end - start, n / (end - start), cpu * 1000 / n, batch, credit, work_us,
            split, results_alone);
    zmq_close (router);
    zmq_close (pub);
    zmq_ctx_term (ctx);
    free (record);
    for (long i = 0; i < n; i++)
        free (arts[i].bytes);
    free (arts);
    return failed;
}
