/*  testutil: what the Criterion tests share.  See testutil.h.  */
#include "testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "clip_record.h"
#include "clip_util.h"

char *
tu_tempdir (const char *tag)
{
    char *tmpl = clip_strprintf ("/tmp/clip-test-%s-XXXXXX", tag);
    cr_assert_not_null (mkdtemp (tmpl), "mkdtemp: %s", strerror (errno));
    return tmpl;
}

static int
rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    remove (path);
    return 0;
}

void
tu_rmtree (const char *path)
{
    if (path && getenv ("CLIP_TEST_KEEP") == NULL)
        nftw (path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void
tu_write (const char *path, const void *data, size_t len)
{
    FILE *f = fopen (path, "wb");
    cr_assert_not_null (f, "cannot write %s: %s", path, strerror (errno));
    cr_assert_eq (fwrite (data, 1, len, f), len);
    fclose (f);
}

char *
tu_read (const char *path, size_t *len)
{
    char *data = NULL;
    size_t n = 0;
    if (clip_file_read (path, 1 << 30, &data, &n) != 0)
        return NULL;
    if (len)
        *len = n;
    return data;
}

void
tu_drop (const char *src, const char *dst)
{
    size_t len;
    char *data = tu_read (src, &len);
    cr_assert_not_null (data, "cannot read %s", src);
    char *tmp = clip_strprintf ("%s.tmp", dst);
    tu_write (tmp, data, len);
    cr_assert_eq (rename (tmp, dst), 0);
    free (tmp);
    free (data);
}

char *
tu_bin (const char *relative)
{
    return clip_strprintf ("%s/%s", CLIP_BIN_DIR, relative);
}

char *
tu_shared (const char *relative)
{
    const char *base = getenv ("CLIP_SHARED_DATA");
    char *path = clip_strprintf ("%s/%s", base ? base : CLIP_SHARED_DATA, relative);
    if (access (path, R_OK) != 0) {
        free (path);
        return NULL;
    }
    return path;
}

pid_t
tu_spawn (const char *const *argv, const char *out_path, const char *err_path)
{
    pid_t pid = fork ();
    cr_assert_neq (pid, -1);
    if (pid == 0) {
        /*  Die with the test: a test that fails or times out must not leave
            a daemon behind.  */
        prctl (PR_SET_PDEATHSIG, SIGKILL);
        if (out_path && err_path && strcmp (out_path, err_path) == 0) {
            int fd = open (out_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
            dup2 (fd, 1);
            dup2 (fd, 2);
            close (fd);
            err_path = NULL;
        }
        else
        if (out_path) {
            int fd = open (out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            dup2 (fd, 1);
            close (fd);
        }
        if (err_path) {
            int fd = open (err_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
            dup2 (fd, 2);
            close (fd);
        }
        int devnull = open ("/dev/null", O_RDONLY);
        dup2 (devnull, 0);
        close (devnull);
        execv (argv [0], (char *const *) argv);
        _exit (127);
    }
    return pid;
}

static void
sleep_ms (int ms)
{
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
    nanosleep (&ts, NULL);
}

int
tu_scaled_ms (int ms)
{
    const char *s = getenv ("CLIP_TEST_TIME_SCALE");
    double f = s ? atof (s) : 1;
    if (!(f > 1))
        return ms;
    return f * ms > 2e9 ? 2000000000 : (int) (f * ms);
}

int
tu_wait (pid_t pid, int timeout_ms)
{
    timeout_ms = tu_scaled_ms (timeout_ms);
    for (int waited = 0; ; waited += 10) {
        int status;
        pid_t r = waitpid (pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
        if (r < 0)
            return -1;
        if (waited >= timeout_ms) {
            kill (pid, SIGKILL);
            waitpid (pid, &status, 0);
            return -1;
        }
        sleep_ms (10);
    }
}

int
tu_run (const char *const *argv, char **out, int timeout_ms)
{
    char *dir = tu_tempdir ("run");
    char *out_path = clip_path_join (dir, "stdout");
    pid_t pid = tu_spawn (argv, out_path, NULL);
    int status = tu_wait (pid, timeout_ms);
    if (out)
        *out = tu_read (out_path, NULL);
    free (out_path);
    tu_rmtree (dir);
    free (dir);
    return status;
}

static char *
json_str (json_t *o, const char *key)
{
    const char *s = json_string_value (json_object_get (o, key));
    return s ? clip_strdup (s) : NULL;
}

tu_daemon_t *
tu_daemon_start (const char *dir, const char *const *extra)
{
    tu_daemon_t *d = clip_calloc (1, sizeof *d);
    d->dir = clip_strdup (dir);
    d->inbox = clip_path_join (dir, "inbox");
    d->state = clip_path_join (dir, "var");
    d->log = clip_path_join (dir, "clipd.log");
    char *endpoints = clip_path_join (d->state, "endpoints.json");
    unlink (endpoints);
    char *clipd = tu_bin ("daemon/clipd");
    const char *argv [64] = {
        clipd, "--inbox", d->inbox, "--state", d->state,
        "--tasks", "tcp://127.0.0.1:*", "--pub", "tcp://127.0.0.1:*",
        "--replay", "tcp://127.0.0.1:*", "--http", "127.0.0.1:0",
    };
    int n = 13;
    for (int i = 0; extra && extra [i] && n < 62; i++)
        argv [n++] = extra [i];
    argv [n] = NULL;
    /*  CLIP_TEST_WRAPPER: a command put before clipd, words split on
        spaces (scripts/test.sh runs clipd and its workers under valgrind
        so).  */
    const char *wrapper_argv [96];
    char *wrapper = clip_strdup (getenv ("CLIP_TEST_WRAPPER") ? getenv ("CLIP_TEST_WRAPPER") : "");
    int w = 0;
    for (char *save, *word = strtok_r (wrapper, " ", &save); word && w < 32;
         word = strtok_r (NULL, " ", &save))
        wrapper_argv [w++] = word;
    for (int i = 0; i <= n; i++)
        wrapper_argv [w + i] = argv [i];
    d->pid = tu_spawn (w ? wrapper_argv : argv, d->log, d->log);
    free (wrapper);
    free (clipd);
    json_t *o = NULL;
    int start_ms = tu_scaled_ms (10000);
    for (int waited = 0; waited < start_ms && !o; waited += 20) {
        o = json_load_file (endpoints, 0, NULL);
        if (o && json_integer_value (json_object_get (o, "pid")) != d->pid) {
            json_decref (o);
            o = NULL;
        }
        int status;
        if (!o && waitpid (d->pid, &status, WNOHANG) == d->pid) {
            char *log = tu_read (d->log, NULL);
            cr_assert_fail ("clipd exited at start:\n%s", log ? log : "");
        }
        if (!o)
            sleep_ms (20);
    }
    cr_assert_not_null (o, "clipd did not write %s within 10 s", endpoints);
    d->tasks = json_str (o, "tasks");
    d->pub = json_str (o, "pub");
    d->replay = json_str (o, "replay");
    d->http = json_str (o, "http");
    json_decref (o);
    free (endpoints);
    return d;
}

int
tu_daemon_stop (tu_daemon_t *d)
{
    if (d->pid <= 0)
        return -1;
    kill (d->pid, SIGTERM);
    int status = tu_wait (d->pid, 10000);
    d->pid = 0;
    return status;
}

void
tu_daemon_kill (tu_daemon_t *d)
{
    if (d->pid <= 0)
        return;
    kill (d->pid, SIGKILL);
    tu_wait (d->pid, 10000);
    d->pid = 0;
}

void
tu_daemon_free (tu_daemon_t *d)
{
    if (!d)
        return;
    if (d->pid > 0)
        tu_daemon_kill (d);
    free (d->dir);
    free (d->inbox);
    free (d->state);
    free (d->log);
    free (d->tasks);
    free (d->pub);
    free (d->replay);
    free (d->http);
    free (d);
}

int
tu_log_count (const tu_daemon_t *d, const char *needle)
{
    char *log = tu_read (d->log, NULL);
    int count = 0;
    for (char *p = log; p && (p = strstr (p, needle)) != NULL; p += strlen (needle))
        count++;
    free (log);
    return count;
}

int
tu_count_files (const char *dir)
{
    int count = 0;
    DIR *d = opendir (dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir (d)) != NULL) {
        char *path = clip_path_join (dir, e->d_name);
        struct stat st;
        if (lstat (path, &st) == 0 && S_ISREG (st.st_mode))
            count++;
        free (path);
    }
    closedir (d);
    return count;
}

int
tu_children (pid_t pid, pid_t *out, int max)
{
    int n = 0;
    char *task_dir = clip_strprintf ("/proc/%d/task", (int) pid);
    DIR *d = opendir (task_dir);
    struct dirent *e;
    while (d && (e = readdir (d)) != NULL && n < max) {
        if (e->d_name [0] == '.')
            continue;
        char *path = clip_strprintf ("%s/%s/children", task_dir, e->d_name);
        FILE *f = fopen (path, "r");
        int child;
        while (f && n < max && fscanf (f, "%d", &child) == 1)
            out [n++] = child;
        if (f)
            fclose (f);
        free (path);
    }
    if (d)
        closedir (d);
    free (task_dir);
    return n;
}

bool
tu_wait_for (bool (*cond) (void *arg), void *arg, int timeout_ms)
{
    timeout_ms = tu_scaled_ms (timeout_ms);
    for (int waited = 0; ; waited += 20) {
        if (cond (arg))
            return true;
        if (waited >= timeout_ms)
            return false;
        sleep_ms (20);
    }
}

typedef struct {
    const char *dir;
    int n;
} count_arg_t;

static bool
has_files (void *arg)
{
    count_arg_t *c = arg;
    return tu_count_files (c->dir) >= c->n;
}

void
tu_wait_files (const char *dir, int n, int timeout_ms)
{
    count_arg_t c = { dir, n };
    cr_assert (tu_wait_for (has_files, &c, timeout_ms), "expected %d files in %s, found %d",
               n, dir, tu_count_files (dir));
}

typedef struct {
    const tu_daemon_t *d;
    const char *name;
    long long at_least;
} metric_arg_t;

static bool
metric_reached (void *arg)
{
    metric_arg_t *m = arg;
    return tu_metric (m->d, m->name) >= m->at_least;
}

void
tu_wait_metric (const tu_daemon_t *d, const char *name, long long at_least, int timeout_ms)
{
    metric_arg_t m = { d, name, at_least };
    cr_assert (tu_wait_for (metric_reached, &m, timeout_ms), "%s reaches %lld (is %lld)", name,
               at_least, tu_metric (d, name));
}

typedef struct {
    const tu_daemon_t *d;
    const char *needle;
    int n;
} log_arg_t;

static bool
log_has (void *arg)
{
    log_arg_t *l = arg;
    return tu_log_count (l->d, l->needle) >= l->n;
}

void
tu_wait_log (const tu_daemon_t *d, const char *needle, int n, int timeout_ms)
{
    log_arg_t l = { d, needle, n };
    cr_assert (tu_wait_for (log_has, &l, timeout_ms), "expected %d log lines with %s", n, needle);
}

long long
tu_metric (const tu_daemon_t *d, const char *name)
{
    char *body = NULL;
    long long value = -1;
    size_t n = strlen (name);
    if (d->http && tu_http_get (d->http, "/metrics", &body) == 200 && body)
        for (const char *line = body; line && *line; ) {
            const char *next = strchr (line, '\n');
            if (strncmp (line, name, n) == 0 && line [n] == ' ')
                value = strtoll (line + n + 1, NULL, 10);
            line = next ? next + 1 : NULL;
        }
    free (body);
    return value;
}

int
tu_http_get (const char *addr_port, const char *path, char **body)
{
    *body = NULL;
    const char *colon = strrchr (addr_port, ':');
    cr_assert_not_null (colon);
    char host [64];
    snprintf (host, sizeof host, "%.*s", (int) (colon - addr_port), addr_port);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) atoi (colon + 1)) };
    cr_assert_eq (inet_pton (AF_INET, host, &sa.sin_addr), 1);
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    cr_assert_geq (fd, 0);
    struct timeval tv = { 5, 0 };
    setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    cr_assert_eq (connect (fd, (struct sockaddr *) &sa, sizeof sa), 0, "connect %s", addr_port);
    char *req = clip_strprintf ("GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, addr_port);
    cr_assert_eq (write (fd, req, strlen (req)), (ssize_t) strlen (req));
    free (req);
    size_t cap = 4096, len = 0;
    char *buf = clip_malloc (cap);
    for (;;) {
        if (len + 1024 > cap)
            buf = clip_realloc (buf, cap *= 2);
        ssize_t n = read (fd, buf + len, cap - len - 1);
        if (n <= 0)
            break;
        len += (size_t) n;
    }
    close (fd);
    buf [len] = 0;
    int status = 0;
    sscanf (buf, "HTTP/%*s %d", &status);
    char *sep = strstr (buf, "\r\n\r\n");
    *body = clip_strdup (sep ? sep + 4 : "");
    free (buf);
    return status;
}

struct tu_sub {
    void *ctx;
    void *sock;
};

tu_sub_t *
tu_sub_new (const char *pub_endpoint)
{
    tu_sub_t *s = clip_calloc (1, sizeof *s);
    s->ctx = zmq_ctx_new ();
    s->sock = zmq_socket (s->ctx, ZMQ_SUB);
    int zero = 0;
    zmq_setsockopt (s->sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (s->sock, ZMQ_SUBSCRIBE, "", 0);
    /*  PUB/SUB drops what is published before the subscription reaches the
        publisher: wait for the handshake (the subscription is sent right
        after it), then give the publisher's I/O thread a moment.  */
    char monitor_ep [64];
    snprintf (monitor_ep, sizeof monitor_ep, "inproc://tu-sub-monitor-%p", (void *) s);
    cr_assert_eq (zmq_socket_monitor (s->sock, monitor_ep, ZMQ_EVENT_HANDSHAKE_SUCCEEDED), 0);
    void *mon = zmq_socket (s->ctx, ZMQ_PAIR);
    zmq_setsockopt (mon, ZMQ_LINGER, &zero, sizeof zero);
    cr_assert_eq (zmq_connect (mon, monitor_ep), 0);
    cr_assert_eq (zmq_connect (s->sock, pub_endpoint), 0);
    zmq_pollitem_t item = { mon, 0, ZMQ_POLLIN, 0 };
    cr_assert_eq (zmq_poll (&item, 1, 10000), 1, "the subscriber connected within 10 s");
    zmq_msg_t frame;
    zmq_msg_init (&frame);
    do
        zmq_msg_recv (&frame, mon, 0);
    while (zmq_msg_more (&frame));
    zmq_msg_close (&frame);
    zmq_socket_monitor (s->sock, NULL, 0);
    zmq_close (mon);
    struct timespec ts = { 0, 200 * 1000000L };
    nanosleep (&ts, NULL);
    return s;
}

char *
tu_sub_recv (tu_sub_t *s, int timeout_ms, char **topic_out)
{
    timeout_ms = tu_scaled_ms (timeout_ms);
    zmq_pollitem_t item = { .socket = s->sock, .events = ZMQ_POLLIN };
    if (zmq_poll (&item, 1, timeout_ms) <= 0)
        return NULL;
    zmq_msg_t topic, body;
    zmq_msg_init (&topic);
    zmq_msg_init (&body);
    cr_assert_geq (zmq_msg_recv (&topic, s->sock, 0), 0);
    cr_assert (zmq_msg_more (&topic), "a published message has two frames");
    cr_assert_geq (zmq_msg_recv (&body, s->sock, 0), 0);
    cr_assert (!zmq_msg_more (&body), "a published message has two frames");
    char err [256];
    char *json = clip_record_msgpack_to_json (zmq_msg_data (&body), zmq_msg_size (&body), err, sizeof err);
    cr_assert_not_null (json, "published record does not decode: %s", err);
    if (topic_out)
        *topic_out = clip_strndup (zmq_msg_data (&topic), zmq_msg_size (&topic));
    zmq_msg_close (&topic);
    zmq_msg_close (&body);
    return json;
}

void
tu_sub_free (tu_sub_t *s)
{
    if (!s)
        return;
    zmq_close (s->sock);
    zmq_ctx_term (s->ctx);
    free (s);
}

void
tu_suite_cleanup (char **dir, tu_daemon_t **daemon)
{
    if (*daemon) {
        tu_daemon_stop (*daemon);
        tu_daemon_free (*daemon);
        *daemon = NULL;
    }
    if (*dir) {
        tu_rmtree (*dir);
        free (*dir);
        *dir = NULL;
    }
}

long long
tu_db_int (const char *state, const char *sql)
{
    char *path = clip_path_join (state, "clipd.db");
    sqlite3 *db = NULL;
    cr_assert_eq (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK, "%s", path);
    sqlite3_busy_timeout (db, 10000);
    sqlite3_stmt *q = NULL;
    cr_assert_eq (sqlite3_prepare_v2 (db, sql, -1, &q, NULL), SQLITE_OK, "%s", sqlite3_errmsg (db));
    cr_assert_eq (sqlite3_step (q), SQLITE_ROW, "%s: no row", sql);
    long long v = sqlite3_column_int64 (q, 0);
    sqlite3_finalize (q);
    sqlite3_close (db);
    free (path);
    return v;
}

void *
tu_worker_connect (void *ctx, const tu_daemon_t *d, const char *name, uint64_t credit)
{
    void *sock = zmq_socket (ctx, ZMQ_DEALER);
    cr_assert_not_null (sock);
    int zero = 0;
    zmq_setsockopt (sock, ZMQ_LINGER, &zero, sizeof zero);
    cr_assert_eq (zmq_connect (sock, d->tasks), 0);
    clip_wire_msg_t ready = { .kind = CLIP_WIRE_READY, .worker = (char *) name,
                              .protocol = CLIP_WIRE_PROTOCOL, .credit = credit };
    cr_assert_eq (clip_wire_send (sock, NULL, 0, &ready, 0), 0);
    return sock;
}

clip_wire_msg_t *
tu_worker_recv_task (void *sock, int timeout_ms)
{
    uint64_t until = clip_mono_ms () + (uint64_t) timeout_ms;
    for (;;) {
        /*  What is readable is drained whatever the time: only a poll
            that finds nothing ends the wait once it is over.  */
        uint64_t now = clip_mono_ms ();
        long wait = until > now ? (long) (until - now) : 0;
        zmq_pollitem_t item = { .socket = sock, .events = ZMQ_POLLIN };
        if (zmq_poll (&item, 1, wait < 100 ? wait : 100) <= 0) {
            if (clip_mono_ms () >= until)
                return NULL;
            continue;
        }
        zmq_msg_t *frames;
        int n = clip_wire_recv_frames (sock, &frames, ZMQ_DONTWAIT);
        if (n < 0)
            continue;
        char err [256];
        clip_wire_msg_t *msg = n == 2
            ? clip_wire_decode (zmq_msg_data (&frames [0]), zmq_msg_size (&frames [0]),
                                zmq_msg_data (&frames [1]), zmq_msg_size (&frames [1]),
                                err, sizeof err)
            : NULL;
        clip_wire_frames_free (frames, n);
        if (msg && msg->kind == CLIP_WIRE_TASK)
            return msg;
        clip_wire_msg_destroy (&msg);
    }
}
