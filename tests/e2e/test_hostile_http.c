/*  End to end: /healthz stays reachable while local clients hold many idle
    or slow-drip connections to clipd's HTTP endpoint, and a slow-drip
    connection is cut after a bounded time whatever it sends.  A real
    clipd, real TCP connections.  */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clip_util.h"
#include "http.h"
#include "testutil.h"

static int
connect_to (const char *addr_port)
{
    const char *colon = strrchr (addr_port, ':');
    cr_assert_not_null (colon);
    char host [64];
    snprintf (host, sizeof host, "%.*s", (int) (colon - addr_port), addr_port);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) atoi (colon + 1)) };
    cr_assert_eq (inet_pton (AF_INET, host, &sa.sin_addr), 1);
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq (fd, 0);
    cr_assert_eq (connect (fd, (struct sockaddr *) &sa, sizeof sa), 0, "connect: %s", strerror (errno));
    return fd;
}

/*  True when the server closed (or reset) fd: readable with nothing.  */
static bool
closed_by_server (int fd)
{
    struct pollfd p = { fd, POLLIN, 0 };
    if (poll (&p, 1, 0) != 1)
        return false;
    char c;
    ssize_t n = recv (fd, &c, 1, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/*  GET /healthz; returns the status and how long it took.  */
static int
health (const char *http, uint64_t *took_ms)
{
    uint64_t t0 = clip_mono_ms ();
    char *body = NULL;
    int status = tu_http_get (http, "/healthz", &body);
    *took_ms = clip_mono_ms () - t0;
    free (body);
    return status;
}

#define IDLE 200
#define DRIP 32

Test (hostile_http, health_answers_while_connections_are_held, .timeout = 120)
{
    char *dir = tu_tempdir ("hostile-http");
    const char *extra [] = { "--corpus", "none", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    static const char request [] = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    int idle [IDLE], drip [DRIP];
    size_t sent [DRIP] = { 0 };
    for (int i = 0; i < IDLE; i++)
        idle [i] = connect_to (d->http);
    for (int i = 0; i < DRIP; i++)
        drip [i] = connect_to (d->http);

    /*  For twice the longest a connection may live, drip one byte every
        250 ms on each slow connection (never finishing the request) and ask
        for health: it must always answer 200 quickly.  */
    uint64_t start = clip_mono_ms ();
    uint64_t hold = 2 * CLIP_HTTP_CONNECTION_MAX_MS + 2000;
    int checks = 0;
    uint64_t worst = 0;
    while (clip_mono_ms () - start < hold) {
        for (int i = 0; i < DRIP; i++) {
            if (drip [i] < 0)
                continue;
            char c = sent [i] < sizeof request - 1 ? request [sent [i]] : 'a';
            if (send (drip [i], &c, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1)
                sent [i]++;
        }
        uint64_t took;
        int status = health (d->http, &took);
        cr_assert_eq (status, 200, "/healthz answered %d after %llu ms with %d idle and %d "
                      "slow connections held", status, (unsigned long long) took, IDLE, DRIP);
        if (took > worst)
            worst = took;
        checks++;
        usleep (250 * 1000);
    }
    cr_assert_gt (checks, 5);
    cr_log_info ("health answered %d times, slowest %llu ms", checks, (unsigned long long) worst);

    /*  By now every held connection was closed by clipd: the idle ones for
        silence, the dripping ones for age.  */
    int still_open = 0;
    for (int i = 0; i < DRIP; i++)
        if (!closed_by_server (drip [i]))
            still_open++;
    cr_assert_eq (still_open, 0, "%d slow-drip connections still open after %llu ms", still_open,
                  (unsigned long long) hold);
    for (int i = 0; i < IDLE; i++)
        if (!closed_by_server (idle [i]))
            still_open++;
    cr_assert_eq (still_open, 0, "%d idle connections still open", still_open);
    for (int i = 0; i < IDLE; i++)
        close (idle [i]);
    for (int i = 0; i < DRIP; i++)
        close (drip [i]);
    cr_assert_eq (tu_daemon_stop (d), 0);
    tu_daemon_free (d);
    tu_rmtree (dir);
    free (dir);
}

Test (hostile_http, oversized_request_headers_are_refused)
{
    char *dir = tu_tempdir ("hostile-http-big");
    const char *extra [] = { "--corpus", "none", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    int fd = connect_to (d->http);
    char *junk = clip_malloc (2 * CLIP_HTTP_CONNECTION_MEMORY + 1);
    memset (junk, 'a', 2 * CLIP_HTTP_CONNECTION_MEMORY);
    junk [2 * CLIP_HTTP_CONNECTION_MEMORY] = 0;
    char *req = clip_strprintf ("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", junk);
    send (fd, req, strlen (req), MSG_NOSIGNAL);
    struct timeval tv = { 10, 0 };
    setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf [256] = "";
    ssize_t n = recv (fd, buf, sizeof buf - 1, 0);
    int status = 0;
    if (n > 0)
        sscanf (buf, "HTTP/%*s %d", &status);
    cr_assert (status >= 400 || n <= 0, "a %zu-byte header was answered %d", strlen (junk), status);
    close (fd);
    uint64_t took;
    cr_assert_eq (health (d->http, &took), 200);
    free (req);
    free (junk);
    cr_assert_eq (tu_daemon_stop (d), 0);
    tu_daemon_free (d);
    tu_rmtree (dir);
    free (dir);
}
