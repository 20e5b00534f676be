/*  clip_curve: CURVE keys and the client-side handshake monitor.  See
    clip_curve.h.  */
#include "clip_curve.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "clip_log.h"
#include "clip_util.h"

#define KEY_HEADER "# CURVE key pair written by clip keygen: keep this file secret\n"

bool
clip_curve_available (void)
{
    return zmq_has ("curve") == 1;
}

bool
clip_curve_z85_valid (const char *z85)
{
    if (!z85 || strlen (z85) != CLIP_CURVE_Z85_LEN)
        return false;
    uint8_t bytes [CLIP_CURVE_KEY_BYTES];
    return zmq_z85_decode (bytes, z85) != NULL;
}

int
clip_curve_pair_generate (clip_curve_pair_t *pair, char *err, size_t err_size)
{
    if (!clip_curve_available ())
        return clip_err_set (err, err_size, "this libzmq was built without CURVE "
                             "(zmq_has (\"curve\") is false): install one built with libsodium");
    if (zmq_curve_keypair (pair->public_z85, pair->secret_z85) != 0)
        return clip_err_set (err, err_size, "cannot make a key pair: %s", zmq_strerror (errno));
    return 0;
}

/*  ------------------------------------------------------------------ */
/*  Reading key files                                                   */

/*  Read a key file whole (bounded).  With secret, refuse a mode that lets
    group or others in.  */
static int
read_key_file (const char *path, bool secret, char **text, char *err, size_t err_size)
{
    *text = NULL;
    int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return clip_err_set (err, err_size, "%s: cannot open the key file: %s", path,
                             strerror (errno));
    struct stat st;
    if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)) {
        close (fd);
        return clip_err_set (err, err_size, "%s: not a regular file", path);
    }
    if (secret && (st.st_mode & 077)) {
        close (fd);
        return clip_err_set (err, err_size, "%s: holds a secret key but its mode %04o lets group "
                             "or others read it: run chmod 600 %s", path,
                             (unsigned) (st.st_mode & 07777), path);
    }
    if (st.st_size > CLIP_CURVE_FILE_MAX) {
        close (fd);
        return clip_err_set (err, err_size, "%s: %lld bytes, more than a key file holds (%d)",
                             path, (long long) st.st_size, CLIP_CURVE_FILE_MAX);
    }
    char *buf = clip_malloc (CLIP_CURVE_FILE_MAX + 1);
    size_t len = 0;
    for (;;) {
        ssize_t n = read (fd, buf + len, CLIP_CURVE_FILE_MAX + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close (fd);
            free (buf);
            return clip_err_set (err, err_size, "%s: cannot read: %s", path, strerror (e));
        }
        if (n == 0)
            break;
        len += (size_t) n;
        if (len > CLIP_CURVE_FILE_MAX) {
            close (fd);
            free (buf);
            return clip_err_set (err, err_size, "%s: more than a key file holds (%d bytes)",
                                 path, CLIP_CURVE_FILE_MAX);
        }
    }
    close (fd);
    buf [len] = 0;
    if (memchr (buf, 0, len)) {
        free (buf);
        return clip_err_set (err, err_size, "%s: not a text file", path);
    }
    *text = buf;
    return 0;
}

typedef struct {
    const char *path;
    char public_z85 [CLIP_CURVE_Z85_LEN + 1];
    char secret_z85 [CLIP_CURVE_Z85_LEN + 1];
    bool has_public, has_secret;
    char *err;
    size_t err_size;
    bool failed;
} parse_ctx_t;

static int
check_key (parse_ctx_t *ctx, const char *name, const char *value, char *out)
{
    size_t len = strlen (value);
    if (len != CLIP_CURVE_Z85_LEN)
        clip_err_set (ctx->err, ctx->err_size, "%s: %s has %zu characters, a Z85 key has %d",
                      ctx->path, name, len, CLIP_CURVE_Z85_LEN);
    else
    if (!clip_curve_z85_valid (value))
        clip_err_set (ctx->err, ctx->err_size, "%s: %s is not valid Z85", ctx->path, name);
    else {
        memcpy (out, value, CLIP_CURVE_Z85_LEN + 1);
        return 1;
    }
    ctx->failed = true;
    return 0;
}

static int
on_key_line (void *user, const char *section, const char *name, const char *value)
{
    parse_ctx_t *ctx = user;
    if (*section) {
        clip_err_set (ctx->err, ctx->err_size, "%s: unexpected section [%s] (a key file has "
                      "only public-key and secret-key)", ctx->path, section);
        ctx->failed = true;
        return 0;
    }
    bool is_public = strcmp (name, "public-key") == 0;
    bool is_secret = strcmp (name, "secret-key") == 0;
    if (!is_public && !is_secret) {
        clip_err_set (ctx->err, ctx->err_size, "%s: unknown key '%s' (expected public-key or "
                      "secret-key)", ctx->path, name);
        ctx->failed = true;
        return 0;
    }
    if ((is_public && ctx->has_public) || (is_secret && ctx->has_secret)) {
        clip_err_set (ctx->err, ctx->err_size, "%s: %s given twice", ctx->path, name);
        ctx->failed = true;
        return 0;
    }
    if (is_public) {
        ctx->has_public = true;
        return check_key (ctx, name, value, ctx->public_z85);
    }
    ctx->has_secret = true;
    return check_key (ctx, name, value, ctx->secret_z85);
}

static int
parse_key_file (const char *path, bool secret, parse_ctx_t *ctx, char *err, size_t err_size)
{
    memset (ctx, 0, sizeof *ctx);
    ctx->path = path;
    ctx->err = err;
    ctx->err_size = err_size;
    char *text;
    if (read_key_file (path, secret, &text, err, err_size))
        return -1;
    int rc = ini_parse_string (text, on_key_line, ctx);
    free (text);
    if (ctx->failed)
        return -1;
    if (rc != 0)
        return clip_err_set (err, err_size, "%s: line %d is not 'name = value'", path, rc);
    return 0;
}

int
clip_curve_pair_load (const char *path, clip_curve_pair_t *pair, char *err, size_t err_size)
{
    parse_ctx_t ctx;
    if (parse_key_file (path, true, &ctx, err, err_size))
        return -1;
    if (!ctx.has_secret)
        return clip_err_set (err, err_size, "%s: no secret-key (is this a .pub file? give the "
                             ".key file written by clip keygen)", path);
    if (!ctx.has_public)
        return clip_err_set (err, err_size, "%s: no public-key", path);
    char derived [CLIP_CURVE_Z85_LEN + 1];
    if (zmq_curve_public (derived, ctx.secret_z85) != 0)
        return clip_err_set (err, err_size, "%s: cannot derive the public key: %s "
                             "(is libzmq built with CURVE?)", path, zmq_strerror (errno));
    if (strcmp (derived, ctx.public_z85) != 0)
        return clip_err_set (err, err_size, "%s: public-key is not the one of secret-key "
                             "(the pair does not match)", path);
    memcpy (pair->public_z85, ctx.public_z85, sizeof pair->public_z85);
    memcpy (pair->secret_z85, ctx.secret_z85, sizeof pair->secret_z85);
    return 0;
}

int
clip_curve_public_load (const char *spec, char *z85, char *err, size_t err_size)
{
    if (!spec || !*spec)
        return clip_err_set (err, err_size, "no public key given");
    /*  Z85 holds '.' and '/', so a literal key could look like a path: a
        file of that name wins, which only matters for a 40-character name
        made of Z85 characters.  */
    if (strlen (spec) == CLIP_CURVE_Z85_LEN && access (spec, F_OK) != 0) {
        if (!clip_curve_z85_valid (spec))
            return clip_err_set (err, err_size, "'%s' is neither a key file nor a valid Z85 key",
                                 spec);
        memcpy (z85, spec, CLIP_CURVE_Z85_LEN + 1);
        return 0;
    }
    parse_ctx_t ctx;
    if (parse_key_file (spec, false, &ctx, err, err_size))
        return -1;
    if (!ctx.has_public)
        return clip_err_set (err, err_size, "%s: no public-key", spec);
    memcpy (z85, ctx.public_z85, CLIP_CURVE_Z85_LEN + 1);
    return 0;
}

/*  ------------------------------------------------------------------ */
/*  Writing key files                                                   */

static int
write_one (const char *path, const char *text, unsigned mode, bool force, char *err,
           size_t err_size)
{
    char *tmp = clip_strprintf ("%s.%d.tmp", path, (int) getpid ());
    int rc = 0;
    /*  Created with its final mode, so the secret is never readable by
        others, not even for a moment.  */
    int fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        rc = -errno;
        clip_err_set (err, err_size, "cannot create %s: %s", tmp, strerror (errno));
        free (tmp);
        return rc;
    }
    size_t len = strlen (text), done = 0;
    while (done < len) {
        ssize_t n = write (fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = -errno;
            break;
        }
        done += (size_t) n;
    }
    if (rc == 0 && fchmod (fd, mode) != 0)       /* the umask may have narrowed .pub */
        rc = -errno;
    if (rc == 0 && fsync (fd) != 0)
        rc = -errno;
    close (fd);
    if (rc) {
        clip_err_set (err, err_size, "cannot write %s: %s", tmp, strerror (-rc));
        unlink (tmp);
        free (tmp);
        return rc;
    }
    /*  link() refuses an existing name atomically: no other writer's file
        is ever replaced without --force.  */
    if ((force ? rename (tmp, path) : link (tmp, path)) != 0) {
        rc = -errno;
        if (rc == -EEXIST)
            clip_err_set (err, err_size, "%s exists", path);
        else
            clip_err_set (err, err_size, "cannot write %s: %s", path, strerror (-rc));
        unlink (tmp);
        free (tmp);
        return rc;
    }
    if (!force)
        unlink (tmp);
    free (tmp);
    rc = clip_fsync_dir (path, false);
    if (rc)
        clip_err_set (err, err_size, "cannot sync the folder of %s: %s", path, strerror (-rc));
    return rc;
}

int
clip_curve_pair_write (const char *key_path, const char *pub_path,
                       const clip_curve_pair_t *pair, bool force, char *err, size_t err_size)
{
    if (!force) {
        const char *paths [2] = { key_path, pub_path };
        for (int i = 0; i < 2; i++) {
            struct stat st;
            if (paths [i] && lstat (paths [i], &st) == 0) {
                clip_err_set (err, err_size, "%s exists", paths [i]);
                return -EEXIST;
            }
        }
    }
    char *text = clip_strprintf (KEY_HEADER "public-key = %s\nsecret-key = %s\n",
                                 pair->public_z85, pair->secret_z85);
    int rc = write_one (key_path, text, 0600, force, err, err_size);
    /*  Not left in freed memory longer than needed.  */
    memset (text, 0, strlen (text));
    free (text);
    if (rc == 0 && pub_path) {
        text = clip_strprintf (KEY_HEADER "public-key = %s\n", pair->public_z85);
        rc = write_one (pub_path, text, 0644, force, err, err_size);
        free (text);
    }
    return rc;
}

/*  ------------------------------------------------------------------ */
/*  Socket options                                                      */

int
clip_curve_client_load (const char *server_key, const char *key_file, char *server_z85,
                        clip_curve_pair_t *pair, char *err, size_t err_size)
{
    bool have_server = server_key && *server_key, have_key = key_file && *key_file;
    if (!have_server && !have_key)
        return 0;
    if (have_server != have_key) {
        snprintf (err, err_size, "--curve-server-key and --curve-key go together (%s is "
                  "missing): give clipd's public key and our own key pair, or neither",
                  have_server ? "--curve-key" : "--curve-server-key");
        return -1;
    }
    if (!clip_curve_available ()) {
        snprintf (err, err_size, "this libzmq was built without CURVE (zmq_has (\"curve\") "
                  "is false)");
        return -1;
    }
    char why [800];
    if (clip_curve_public_load (server_key, server_z85, why, sizeof why) != 0) {
        snprintf (err, err_size, "--curve-server-key: %s", why);
        return -1;
    }
    if (clip_curve_pair_load (key_file, pair, why, sizeof why) != 0) {
        snprintf (err, err_size, "--curve-key: %s", why);
        return -1;
    }
    return 1;
}

int
clip_curve_client_apply (void *socket, const char *server_public_z85,
                         const clip_curve_pair_t *pair, char *err, size_t err_size)
{
    if (!clip_curve_available ())
        return clip_err_set (err, err_size, "this libzmq was built without CURVE "
                             "(zmq_has (\"curve\") is false)");
    if (zmq_setsockopt (socket, ZMQ_CURVE_SERVERKEY, server_public_z85, CLIP_CURVE_Z85_LEN + 1)
    ||  zmq_setsockopt (socket, ZMQ_CURVE_PUBLICKEY, pair->public_z85, CLIP_CURVE_Z85_LEN + 1)
    ||  zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, pair->secret_z85, CLIP_CURVE_Z85_LEN + 1))
        return clip_err_set (err, err_size, "cannot set the CURVE keys: %s", zmq_strerror (errno));
    return 0;
}

int
clip_curve_server_apply (void *socket, const clip_curve_pair_t *pair, const char *domain,
                         char *err, size_t err_size)
{
    if (!clip_curve_available ())
        return clip_err_set (err, err_size, "this libzmq was built without CURVE "
                             "(zmq_has (\"curve\") is false)");
    int one = 1;
    if (zmq_setsockopt (socket, ZMQ_CURVE_SERVER, &one, sizeof one)
    ||  zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, pair->secret_z85, CLIP_CURVE_Z85_LEN + 1)
    ||  zmq_setsockopt (socket, ZMQ_ZAP_DOMAIN, domain, strlen (domain)))
        return clip_err_set (err, err_size, "cannot make the socket a CURVE server: %s",
                             zmq_strerror (errno));
    return 0;
}

/*  ------------------------------------------------------------------ */
/*  Allow-lists                                                         */

struct clip_curve_list {
    uint8_t (*keys) [CLIP_CURVE_KEY_BYTES];     /* sorted, no duplicates */
    size_t size, cap;
};

static int
key_cmp (const void *a, const void *b)
{
    return memcmp (a, b, CLIP_CURVE_KEY_BYTES);
}

clip_curve_list_t *
clip_curve_list_new (void)
{
    return clip_calloc (1, sizeof (clip_curve_list_t));
}

/*  Append without sorting (load_dir sorts once at the end).  */
static void
list_append (clip_curve_list_t *self, const uint8_t *key)
{
    if (self->size == self->cap) {
        self->cap = self->cap ? self->cap * 2 : 16;
        self->keys = clip_realloc (self->keys, self->cap * sizeof *self->keys);
    }
    memcpy (self->keys [self->size++], key, CLIP_CURVE_KEY_BYTES);
}

static void
list_sort (clip_curve_list_t *self)
{
    if (self->size < 2)
        return;
    qsort (self->keys, self->size, sizeof *self->keys, key_cmp);
    size_t out = 1;
    for (size_t i = 1; i < self->size; i++)
        if (memcmp (self->keys [i], self->keys [out - 1], CLIP_CURVE_KEY_BYTES) != 0)
            memmove (self->keys [out++], self->keys [i], CLIP_CURVE_KEY_BYTES);
    self->size = out;
}

int
clip_curve_list_add (clip_curve_list_t *self, const char *z85)
{
    uint8_t key [CLIP_CURVE_KEY_BYTES];
    if (!clip_curve_z85_valid (z85) || !zmq_z85_decode (key, z85))
        return -1;
    if (clip_curve_list_has (self, key))
        return 0;
    if (self->size >= CLIP_CURVE_LIST_MAX)
        return -1;
    list_append (self, key);
    list_sort (self);
    return 0;
}

clip_curve_list_t *
clip_curve_list_load_dir (const char *dir, char *err, size_t err_size)
{
    DIR *d = opendir (dir);
    if (!d) {
        clip_err_set (err, err_size, "cannot read the key folder %s: %s", dir, strerror (errno));
        return NULL;
    }
    clip_curve_list_t *self = clip_curve_list_new ();
    struct dirent *e;
    while ((e = readdir (d)) != NULL) {
        size_t len = strlen (e->d_name);
        if (e->d_name [0] == '.' || len < 5 || strcmp (e->d_name + len - 4, ".pub") != 0)
            continue;
        char *path = clip_path_join (dir, e->d_name);
        struct stat st;
        if (stat (path, &st) != 0 || !S_ISREG (st.st_mode)) {
            free (path);        /* a dangling link, a folder: not a key */
            continue;
        }
        char z85 [CLIP_CURVE_Z85_LEN + 1];
        uint8_t key [CLIP_CURVE_KEY_BYTES];
        parse_ctx_t ctx;
        int rc = parse_key_file (path, false, &ctx, err, err_size);
        if (rc == 0 && !ctx.has_public)
            rc = clip_err_set (err, err_size, "%s: no public-key", path);
        if (rc == 0 && ctx.has_secret)
            /*  A secret in the allow-list folder is a mistake worth
                stopping for: the folder is meant to be shared.  */
            rc = clip_err_set (err, err_size, "%s: holds a secret-key: an allow-list folder "
                               "takes only .pub files", path);
        if (rc == 0 && self->size >= CLIP_CURVE_LIST_MAX)
            rc = clip_err_set (err, err_size, "%s: more than %d keys in the folder", dir,
                               CLIP_CURVE_LIST_MAX);
        free (path);
        if (rc) {
            closedir (d);
            clip_curve_list_destroy (&self);
            return NULL;
        }
        memcpy (z85, ctx.public_z85, sizeof z85);
        zmq_z85_decode (key, z85);
        list_append (self, key);
    }
    closedir (d);
    list_sort (self);
    return self;
}

bool
clip_curve_list_has (const clip_curve_list_t *self, const uint8_t *key)
{
    return self && self->size
        && bsearch (key, self->keys, self->size, sizeof *self->keys, key_cmp) != NULL;
}

size_t
clip_curve_list_size (const clip_curve_list_t *self)
{
    return self ? self->size : 0;
}

void
clip_curve_list_destroy (clip_curve_list_t **self_p)
{
    assert (self_p);
    clip_curve_list_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    free (self->keys);
    free (self);
}

/*  ------------------------------------------------------------------ */
/*  The handshake monitor                                               */

#define MONITOR_LOG_EVERY_MS 60000
#define MONITOR_POLL_MS 100

struct clip_curve_monitor {
    void *ctx;
    char *what;
    void *socket;               /* attached, or NULL */
    void *pair;                 /* our end of the monitor, read by the thread */
    pthread_t thread;
    bool running;
    atomic_bool stop;
    unsigned generation;
    /*  Written by the thread only, across attachments (the rate limit
        outlives one socket: clip-worker makes a new one on each
        reconnect).  */
    uint64_t last_log_ms;       /* 0: no refusal logged since the last success */
    uint64_t suppressed;
    atomic_uint_fast64_t refusals;
};

clip_curve_monitor_t *
clip_curve_monitor_new (void *ctx, const char *what)
{
    clip_curve_monitor_t *self = clip_calloc (1, sizeof *self);
    self->ctx = ctx;
    self->what = clip_strdup (what);
    return self;
}

static void
on_event (clip_curve_monitor_t *self, uint16_t event, uint32_t value, const char *endpoint)
{
    char qe [300];
    clip_log_quote (qe, sizeof qe, endpoint);
    if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
        if (self->last_log_ms)
            clip_info ("auth_accepted", "what=%s endpoint=%s", self->what, qe);
        self->last_log_ms = 0;
        self->suppressed = 0;
        return;
    }
    atomic_fetch_add (&self->refusals, 1);
    uint64_t now = clip_mono_ms ();
    if (self->last_log_ms && now - self->last_log_ms < MONITOR_LOG_EVERY_MS) {
        self->suppressed++;
        return;
    }
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
        clip_error ("auth_refused", "what=%s endpoint=%s status=%u repeated=%llu message=\"clipd "
                    "refused this key: its public key is not in clipd's allow-list for this "
                    "endpoint (add the .pub file to --curve-workers or --curve-subscribers and "
                    "send clipd SIGHUP); retrying, logged at most once a minute\"",
                    self->what, qe, (unsigned) value, (unsigned long long) self->suppressed);
    else
        clip_error ("handshake_failed", "what=%s endpoint=%s reason=%s code=%u repeated=%llu "
                    "message=\"the CURVE handshake failed: check that the server key is "
                    "clipd's public key and that both sides use CURVE; retrying, logged at "
                    "most once a minute\"", self->what, qe,
                    event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ? "protocol" : "no_detail",
                    (unsigned) value, (unsigned long long) self->suppressed);
    self->last_log_ms = now ? now : 1;
    self->suppressed = 0;
}

static void *
monitor_run (void *arg)
{
    clip_curve_monitor_t *self = arg;
    while (!atomic_load (&self->stop)) {
        zmq_msg_t head;
        zmq_msg_init (&head);
        if (zmq_msg_recv (&head, self->pair, 0) < 0) {
            zmq_msg_close (&head);
            if (errno == ETERM)
                break;
            continue;           /* EAGAIN: the timeout, to see stop */
        }
        /*  [event u16, value u32] then the endpoint: libzmq's own frames,
            sizes checked all the same.  */
        uint16_t event = 0;
        uint32_t value = 0;
        if (zmq_msg_size (&head) == 6) {
            memcpy (&event, zmq_msg_data (&head), 2);
            memcpy (&value, (uint8_t *) zmq_msg_data (&head) + 2, 4);
        }
        bool more = zmq_msg_more (&head);
        zmq_msg_close (&head);
        char endpoint [256] = "";
        while (more) {
            zmq_msg_t part;
            zmq_msg_init (&part);
            if (zmq_msg_recv (&part, self->pair, 0) < 0) {
                zmq_msg_close (&part);
                break;
            }
            size_t n = zmq_msg_size (&part);
            if (!*endpoint) {
                if (n >= sizeof endpoint)
                    n = sizeof endpoint - 1;
                memcpy (endpoint, zmq_msg_data (&part), n);
                endpoint [n] = 0;
            }
            more = zmq_msg_more (&part);
            zmq_msg_close (&part);
        }
        if (event)
            on_event (self, event, value, endpoint);
    }
    zmq_close (self->pair);
    self->pair = NULL;
    return NULL;
}

int
clip_curve_monitor_attach (clip_curve_monitor_t *self, void *socket)
{
    clip_curve_monitor_detach (self);
    char endpoint [96];
    snprintf (endpoint, sizeof endpoint, "inproc://clip-curve-monitor-%p-%u", (void *) self,
              self->generation++);
    int events = ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
               | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_SUCCEEDED;
    if (zmq_socket_monitor (socket, endpoint, events) != 0)
        return -1;
    /*  Connected here, before the caller connects the socket, so that no
        event is emitted while nobody listens (they would be dropped); the
        thread then owns the socket (pthread_create is a full barrier).  */
    self->pair = zmq_socket (self->ctx, ZMQ_PAIR);
    int timeout = MONITOR_POLL_MS, zero = 0;
    zmq_setsockopt (self->pair, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt (self->pair, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_connect (self->pair, endpoint) != 0) {
        zmq_close (self->pair);
        self->pair = NULL;
        zmq_socket_monitor (socket, NULL, 0);
        return -1;
    }
    atomic_store (&self->stop, false);
    if (pthread_create (&self->thread, NULL, monitor_run, self) != 0) {
        zmq_close (self->pair);
        self->pair = NULL;
        zmq_socket_monitor (socket, NULL, 0);
        return -1;
    }
    self->socket = socket;
    self->running = true;
    return 0;
}

void
clip_curve_monitor_detach (clip_curve_monitor_t *self)
{
    if (!self || !self->running)
        return;
    atomic_store (&self->stop, true);
    pthread_join (self->thread, NULL);
    zmq_socket_monitor (self->socket, NULL, 0);
    self->socket = NULL;
    self->running = false;
}

uint64_t
clip_curve_monitor_refusals (const clip_curve_monitor_t *self)
{
    return self ? atomic_load (&self->refusals) : 0;
}

void
clip_curve_monitor_destroy (clip_curve_monitor_t **self_p)
{
    assert (self_p);
    clip_curve_monitor_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    clip_curve_monitor_detach (self);
    free (self->what);
    free (self);
}
