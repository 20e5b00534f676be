/*  End to end: subscriptions on clipd's publishing endpoint.  Real
    subscribers keep PUB semantics (prefix filtering); a hostile peer that
    sends 100,000 distinct long subscriptions costs clipd bounded memory,
    does not stall its loop (no worker dropped) and does not keep the real
    subscribers from their records.  A real clipd, a real worker, real
    ZeroMQ peers.  */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

#include "clip_util.h"
#include "testutil.h"

static long
rss_kb (pid_t pid)
{
    char path [64];
    snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
    char *text = tu_read (path, NULL);
    cr_assert_not_null (text);
    const char *p = strstr (text, "VmRSS:");
    cr_assert_not_null (p);
    long kb = atol (p + 6);
    free (text);
    return kb;
}

/*  Connect sock to ep and wait (at most 10 s) for the ZMTP handshake.  */
static void
connect_and_wait (void *ctx, void *sock, const char *ep)
{
    static int n;
    char monitor_ep [64];
    snprintf (monitor_ep, sizeof monitor_ep, "inproc://test-sub-monitor-%d", n++);
    cr_assert_eq (zmq_socket_monitor (sock, monitor_ep, ZMQ_EVENT_HANDSHAKE_SUCCEEDED), 0);
    void *mon = zmq_socket (ctx, ZMQ_PAIR);
    cr_assert_eq (zmq_connect (mon, monitor_ep), 0);
    cr_assert_eq (zmq_connect (sock, ep), 0);
    zmq_pollitem_t item = { mon, 0, ZMQ_POLLIN, 0 };
    cr_assert_eq (zmq_poll (&item, 1, 10000), 1, "connected to %s within 10 s", ep);
    zmq_msg_t frame;
    zmq_msg_init (&frame);
    do
        zmq_msg_recv (&frame, mon, 0);
    while (zmq_msg_more (&frame));
    zmq_msg_close (&frame);
    zmq_socket_monitor (sock, NULL, 0);
    int zero = 0;
    zmq_setsockopt (mon, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close (mon);
}

static void *
sub_new (void *ctx, const char *ep, const char *topic)
{
    void *s = zmq_socket (ctx, ZMQ_SUB);
    int zero = 0;
    zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (s, ZMQ_SUBSCRIBE, topic, strlen (topic));
    connect_and_wait (ctx, s, ep);
    return s;
}

/*  The topic of the next message within timeout_ms (caller frees), or
    NULL.  */
static char *
recv_topic (void *s, int timeout_ms)
{
    zmq_pollitem_t item = { s, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll (&item, 1, timeout_ms) != 1)
        return NULL;
    char topic [64] = "";
    int n = zmq_recv (s, topic, sizeof topic - 1, 0);
    cr_assert_geq (n, 0);
    topic [n < (int) sizeof topic ? n : (int) sizeof topic - 1] = 0;
    int more = 0;
    size_t len = sizeof more;
    zmq_getsockopt (s, ZMQ_RCVMORE, &more, &len);
    cr_assert (more, "a record has two frames");
    zmq_msg_t body;
    zmq_msg_init (&body);
    cr_assert_geq (zmq_msg_recv (&body, s, 0), 0);
    zmq_msg_close (&body);
    return clip_strdup (topic);
}

static unsigned long long
metric (const tu_daemon_t *d, const char *name)
{
    char *body = NULL;
    cr_assert_eq (tu_http_get (d->http, "/metrics", &body), 200);
    char *needle = clip_strprintf ("\n%s ", name);
    const char *p = strstr (body, needle);
    cr_assert_not_null (p, "%s missing from /metrics", name);
    unsigned long long v = strtoull (p + strlen (needle), NULL, 10);
    free (needle);
    free (body);
    return v;
}

static void
drop (const tu_daemon_t *d, const char *name)
{
    char *src = clip_strprintf ("%s/corpus/huawei/000_9e0fcb074dd77aaf.txt", CLIP_SOURCE_DIR);
    char *dst = clip_path_join (d->inbox, name);
    tu_drop (src, dst);
    free (src);
    free (dst);
}

#define FLOOD 100000
#define FLOOD_LEN 200

/*  A hostile subscriber speaking ZMTP 3.0 itself over TCP (libzmq's own
    SUB would keep every subscription in its own trie, costing the test
    what it costs the publisher): greeting, READY as a SUB, then
    subscription messages of FLOOD_LEN bytes, each distinct, as fast as the
    kernel takes them.  Reconnects when clipd hangs up, until count were
    sent or deadline_ms passed.  Returns how many were sent.  */
static int
raw_flood (const char *pub, int count, int deadline_ms)
{
    const char *colon = strrchr (pub, ':');
    cr_assert (colon && strncmp (pub, "tcp://", 6) == 0);
    char host [64];
    snprintf (host, sizeof host, "%.*s", (int) (colon - pub - 6), pub + 6);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) atoi (colon + 1)) };
    cr_assert_eq (inet_pton (AF_INET, host, &sa.sin_addr), 1);
    unsigned char hello [64 + 27] = { 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0, 'N', 'U', 'L', 'L' };
    static const char ready [] = "\x04\x19\x05READY\x0bSocket-Type\x00\x00\x00\x03SUB";
    memcpy (hello + 64, ready, 27);
    int sent = 0, connections = 0;
    uint64_t end = clip_mono_ms () + (uint64_t) deadline_ms;
    unsigned char frame [2 + FLOOD_LEN + 1];
    while (sent < count && clip_mono_ms () < end) {
        int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        cr_assert_geq (fd, 0);
        struct timeval tv = { 1, 0 };
        setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect (fd, (struct sockaddr *) &sa, sizeof sa) != 0) {
            close (fd);
            continue;
        }
        connections++;
        bool up = send (fd, hello, sizeof hello, MSG_NOSIGNAL) == (ssize_t) sizeof hello;
        while (up && sent < count && clip_mono_ms () < end) {
            frame [0] = 0;                  /* a short, last frame */
            frame [1] = FLOOD_LEN + 1;
            frame [2] = 1;                  /* subscribe */
            int n = snprintf ((char *) frame + 3, FLOOD_LEN + 1, "article.unique.%d.", sent);
            memset (frame + 3 + n, 'x', (size_t) (FLOOD_LEN - n));
            up = send (fd, frame, sizeof frame, MSG_NOSIGNAL) == (ssize_t) sizeof frame;
            if (up)
                sent++;
        }
        close (fd);
    }
    cr_log_info ("%d subscriptions of %d bytes sent over %d connections", sent, FLOOD_LEN,
                 connections);
    return sent;
}

Test (subscriptions, flood_is_bounded_and_real_subscribers_are_served, .timeout = 240)
{
    char *dir = tu_tempdir ("subscriptions");
    const char *extra [] = { "--corpus", "none", "--workers", "1", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    void *ctx = zmq_ctx_new ();
    void *articles = sub_new (ctx, d->pub, "article.");
    void *errors = sub_new (ctx, d->pub, "error");

    /*  A record goes through before the flood, and the worker is there.  */
    drop (d, "before.txt");
    char *topic = recv_topic (articles, 120000);
    cr_assert_not_null (topic, "no record before the flood");
    cr_assert_str_eq (topic, "article.unique");
    free (topic);
    cr_assert_null (recv_topic (errors, 200), "a subscriber to error got an article");
    long rss_before = rss_kb (d->pid);

    /*  Short subscriptions that match no topic, through a real XSUB: they
        reach clipd and are counted.  */
    void *hostile = zmq_socket (ctx, ZMQ_XSUB);
    int zero = 0;
    zmq_setsockopt (hostile, ZMQ_LINGER, &zero, sizeof zero);
    connect_and_wait (ctx, hostile, d->pub);
    for (int i = 0; i < 500; i++) {
        char sub [32];
        int n = snprintf (sub, sizeof sub, "%cnomatch.%d", 1, i);
        zmq_send (hostile, sub, (size_t) n, 0);
    }
    /*  The flood: 100,000 distinct long subscriptions.  */
    uint64_t t0 = clip_mono_ms ();
    int sent = raw_flood (d->pub, FLOOD, 20000);
    cr_log_info ("flood took %llu ms", (unsigned long long) (clip_mono_ms () - t0));
    cr_assert_gt (sent, 0);

    /*  Records still reach the real subscribers, by topic.  */
    drop (d, "after.txt");
    topic = recv_topic (articles, 120000);
    cr_assert_not_null (topic, "no record after the flood");
    cr_assert_str_eq (topic, "article.duplicate");
    free (topic);
    cr_assert_null (recv_topic (errors, 200), "a subscriber to error got an article");

    long rss_after = rss_kb (d->pid);
    cr_log_info ("clipd VmRSS %ld kB before the flood, %ld kB after", rss_before, rss_after);
    cr_assert_lt (rss_after - rss_before, 64 * 1024, "the flood cost clipd %ld kB",
                  rss_after - rss_before);
    cr_assert_eq (tu_log_count (d, "event=worker_lost"), 0, "a worker was dropped during the flood");
    cr_assert_eq (metric (d, "clipd_workers"), 1);

    /*  The short ones were counted as unmatchable.  */
    uint64_t end = clip_mono_ms () + 30000;
    while (metric (d, "clipd_subscriptions_total{matchable=\"no\"}") < 500 && clip_mono_ms () < end)
        usleep (50 * 1000);
    cr_assert_eq (metric (d, "clipd_subscriptions_total{matchable=\"no\"}"), 500);

    zmq_close (hostile);
    zmq_close (articles);
    zmq_close (errors);
    zmq_ctx_term (ctx);
    cr_assert_eq (tu_daemon_stop (d), 0);
    tu_daemon_free (d);
    tu_rmtree (dir);
    free (dir);
}

Test (subscriptions, prefixes_and_unsubscribe_keep_pub_semantics, .timeout = 240)
{
    char *dir = tu_tempdir ("subscriptions-pub");
    const char *extra [] = { "--corpus", "none", "--workers", "1", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    void *ctx = zmq_ctx_new ();
    void *all = sub_new (ctx, d->pub, "");
    void *near = sub_new (ctx, d->pub, "article.u");
    void *longer = sub_new (ctx, d->pub, "article.unique.and.more");

    drop (d, "one.txt");
    char *topic = recv_topic (all, 120000);
    cr_assert_not_null (topic);
    cr_assert_str_eq (topic, "article.unique");
    free (topic);
    topic = recv_topic (near, 5000);
    cr_assert_not_null (topic, "a prefix of the topic matches");
    free (topic);
    cr_assert_null (recv_topic (longer, 500), "a subscription longer than the topic matched");

    /*  Unsubscribed: nothing more, while the other subscriber still gets
        records.  */
    zmq_setsockopt (near, ZMQ_UNSUBSCRIBE, "article.u", strlen ("article.u"));
    /*  Then a subscription to error on the same socket: once clipd counts
        it, it has read (and libzmq applied) the unsubscription sent before
        it.  */
    zmq_setsockopt (near, ZMQ_SUBSCRIBE, "error", strlen ("error"));
    uint64_t end = clip_mono_ms () + 30000;
    while (metric (d, "clipd_subscriptions_total{matchable=\"yes\"}") < 3 && clip_mono_ms () < end)
        usleep (50 * 1000);
    cr_assert_eq (metric (d, "clipd_subscriptions_total{matchable=\"yes\"}"), 3,
                  "matchable: \"\" and article.u at first, then error");
    drop (d, "two.txt");
    topic = recv_topic (all, 120000);
    cr_assert_not_null (topic);
    free (topic);
    cr_assert_null (recv_topic (near, 500), "an unsubscribed peer got a record");

    zmq_close (all);
    zmq_close (near);
    zmq_close (longer);
    zmq_ctx_term (ctx);
    cr_assert_eq (tu_daemon_stop (d), 0);
    tu_daemon_free (d);
    tu_rmtree (dir);
    free (dir);
}
