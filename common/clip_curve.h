/*  clip_curve: CURVE keys for clipd's endpoints, and what a client sees
    when the daemon refuses it.

    Keys are ZeroMQ's CURVE keys (Curve25519) in Z85 text, 40 characters
    for 32 bytes.  A key pair lives in a file NAME.key (mode 0600) and its
    public half in NAME.pub, both written by `clip keygen NAME`, both INI:

        # CURVE key pair written by clip keygen: keep this file secret
        public-key = <40 Z85 chars>
        secret-key = <40 Z85 chars>

    A .pub file holds the same comment and only `public-key`.  Everything
    read is input: a file is at most CLIP_CURVE_FILE_MAX bytes, each key
    must be 40 valid Z85 characters, a pair's public key must be the one
    derived from its secret, and a file holding a secret must not be
    readable, writable or executable by group or others (refused as ssh
    refuses an unprotected private key).  Every error names the file and
    what is wrong.  Symlinks are followed (Kubernetes mounts secrets so).

    Allow-lists: every `*.pub` in a directory (at most
    CLIP_CURVE_LIST_MAX), for the ZAP handler (daemon/zap.h).

    Monitor: a client socket's handshake events (zmq_socket_monitor) read
    on a thread of its own, so that the owner's poll loop needs no change;
    a refusal is logged as ONE error line (event=auth_refused, or
    event=handshake_failed), then at most once a minute while it goes on,
    and once more (event=auth_accepted) when a handshake succeeds again.
*/
#ifndef CLIP_CURVE_H
#define CLIP_CURVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLIP_CURVE_Z85_LEN 40           /* characters of a key in Z85 */
#define CLIP_CURVE_KEY_BYTES 32
#define CLIP_CURVE_FILE_MAX 4096        /* bytes of a key file, at most */
#define CLIP_CURVE_LIST_MAX 100000      /* keys in one allow-list */

/*  The ZAP domains of clipd's endpoints (proto/README.md, "CURVE").  */
#define CLIP_CURVE_DOMAIN_WORKERS "workers"
#define CLIP_CURVE_DOMAIN_SUBSCRIBERS "subscribers"

typedef struct {
    char public_z85 [CLIP_CURVE_Z85_LEN + 1];
    char secret_z85 [CLIP_CURVE_Z85_LEN + 1];
} clip_curve_pair_t;

/*  True when this libzmq was built with CURVE (zmq_has ("curve")).  */
bool clip_curve_available (void);

/*  A fresh key pair (zmq_curve_keypair).  Returns 0 or -1 with err set.  */
int clip_curve_pair_generate (clip_curve_pair_t *pair, char *err, size_t err_size);
/*  Read a key pair from a .key file; checks its mode, both keys and that
    they match.  Returns 0 or -1 with err set.  */
int clip_curve_pair_load (const char *path, clip_curve_pair_t *pair, char *err, size_t err_size);
/*  A public key from spec: 40 Z85 characters given literally, or the path
    of a .pub or .key file (only its public-key is read).  Writes 41 bytes
    into z85.  Returns 0 or -1 with err set.  */
int clip_curve_public_load (const char *spec, char *z85, char *err, size_t err_size);
/*  Write pair to key_path (mode 0600) and, when pub_path is not NULL, its
    public key to pub_path (0644), each durably (temporary file, fsync,
    then link, which refuses an existing name, or rename when force, then
    fsync of the folder).  Without force, an existing key_path or pub_path
    is refused before anything is written (-EEXIST, err names it).
    Returns 0 or a negative errno with err set.  */
int clip_curve_pair_write (const char *key_path, const char *pub_path,
                           const clip_curve_pair_t *pair, bool force, char *err, size_t err_size);
/*  True if z85 is 40 valid Z85 characters.  */
bool clip_curve_z85_valid (const char *z85);

/*  A client's two CURVE flags (--curve-server-key FILE|Z85, --curve-key
    FILE), both or neither; an empty value counts as not given.  With
    neither returns 0 and touches nothing; with both loads the server's
    public key into server_z85 (41 bytes) and our pair into pair and
    returns 1; otherwise (one without the other, no CURVE in this libzmq,
    a bad key) returns -1 with err naming the flag and what is wrong.  */
int clip_curve_client_load (const char *server_key, const char *key_file, char *server_z85,
                            clip_curve_pair_t *pair, char *err, size_t err_size);
/*  Set a client's CURVE options on socket (before connect): the server's
    public key and our own pair.  Returns 0 or -1 with err set.  */
int clip_curve_client_apply (void *socket, const char *server_public_z85,
                             const clip_curve_pair_t *pair, char *err, size_t err_size);
/*  Make socket a CURVE server (before bind) with pair's secret, whose
    clients are authenticated by the ZAP handler in domain.  Returns 0 or
    -1 with err set.  */
int clip_curve_server_apply (void *socket, const clip_curve_pair_t *pair, const char *domain,
                             char *err, size_t err_size);

/*  An allow-list of public keys.  */
typedef struct clip_curve_list clip_curve_list_t;

clip_curve_list_t *clip_curve_list_new (void);
/*  Every *.pub in dir (other entries are ignored).  Returns NULL with err
    set (naming the file) if the folder cannot be read or any .pub file is
    bad: a list is taken whole or not at all.  Caller owns the result.  */
clip_curve_list_t *clip_curve_list_load_dir (const char *dir, char *err, size_t err_size);
/*  Add a Z85 key.  Returns 0, or -1 when it is not valid Z85 or the list
    is full.  */
int clip_curve_list_add (clip_curve_list_t *self, const char *z85);
/*  True if the 32-byte key is listed.  */
bool clip_curve_list_has (const clip_curve_list_t *self, const uint8_t *key);
size_t clip_curve_list_size (const clip_curve_list_t *self);
void clip_curve_list_destroy (clip_curve_list_t **self_p);

/*  The monitor of one client endpoint (see the header).  */
typedef struct clip_curve_monitor clip_curve_monitor_t;

/*  what names the endpoint in the log ("tasks", "pub", "replay").  Caller
    owns the result; ctx must outlive it.  */
clip_curve_monitor_t *clip_curve_monitor_new (void *ctx, const char *what);
/*  Watch socket's handshakes (call before zmq_connect; one socket at a
    time: a socket attached before is detached first).  Returns 0 or -1.  */
int clip_curve_monitor_attach (clip_curve_monitor_t *self, void *socket);
/*  Stop watching (call before zmq_close of the socket).  */
void clip_curve_monitor_detach (clip_curve_monitor_t *self);
/*  Refusals seen so far (auth and other handshake failures).  */
uint64_t clip_curve_monitor_refusals (const clip_curve_monitor_t *self);
void clip_curve_monitor_destroy (clip_curve_monitor_t **self_p);

#endif
