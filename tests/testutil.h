/*  testutil: what the Criterion tests share.

    Real components only: a temporary directory per test, real clipd /
    clip-worker / clip processes started from the build tree, endpoints on
    loopback with ports picked by the kernel ("tcp://127.0.0.1:*"), read back
    from STATE/endpoints.json.  Every wait is bounded.
*/
#ifndef CLIP_TESTUTIL_H
#define CLIP_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "clip_wire.h"

/*  A new empty directory under /tmp; caller owns the path.  Removed by
    tu_rmtree.  */
char *tu_tempdir (const char *tag);
void tu_rmtree (const char *path);

/*  Write / read whole files.  tu_read returns NULL if absent (caller owns).  */
void tu_write (const char *path, const void *data, size_t len);
char *tu_read (const char *path, size_t *len);
/*  Copy src to dst by writing a temporary name in dst's folder and renaming.  */
void tu_drop (const char *src, const char *dst);

/*  Path of a built program ("daemon/clipd", "workers/clip-worker",
    "clip/clip"); caller owns.  */
char *tu_bin (const char *relative);
/*  Path of ../shared/data/<relative> if it exists, else NULL (caller owns).
    CLIP_SHARED_DATA in the environment overrides the build-time path.  */
char *tu_shared (const char *relative);

/*  A running clipd.  */
typedef struct {
    pid_t pid;
    char *dir;                  /* its working directory (temporary) */
    char *inbox;
    char *state;
    char *log;                  /* stderr captured here */
    char *tasks, *pub, *replay; /* endpoints actually bound */
    char *http;                 /* ADDR:PORT of /healthz and /metrics */
} tu_daemon_t;

/*  Start clipd in dir with --inbox dir/inbox --state dir/var, ephemeral
    ports, and the extra arguments (NULL-terminated), then wait (at most
    10 s) until it wrote its endpoints.  Asserts on failure.  */
tu_daemon_t *tu_daemon_start (const char *dir, const char *const *extra);
/*  SIGTERM, wait (at most 10 s, then SIGKILL); returns the exit status.  */
int tu_daemon_stop (tu_daemon_t *d);
/*  SIGKILL and reap.  */
void tu_daemon_kill (tu_daemon_t *d);
void tu_daemon_free (tu_daemon_t *d);

/*  The suite's fini for a test that keeps one daemon and one temporary
    directory in statics: stop and free *daemon, remove and free *dir,
    null both.  Safe to call when either is NULL.  */
void tu_suite_cleanup (char **dir, tu_daemon_t **daemon);

/*  The first column of the first row of sql on STATE/clipd.db, opened
    read-only beside a running clipd (WAL; waits up to 10 s on a lock).
    Asserts that the query yields a row.  */
long long tu_db_int (const char *state, const char *sql);

/*  Count the lines in d's log holding needle.  */
int tu_log_count (const tu_daemon_t *d, const char *needle);

/*  Start a program with args (argv[0] included, NULL-terminated) with stdout
    to out_path (or inherited when NULL) and stderr to err_path (or
    inherited).  Returns the pid.  */
pid_t tu_spawn (const char *const *argv, const char *out_path, const char *err_path);
/*  Wait for pid at most timeout_ms; returns the exit status (or 128+signal),
    -1 on timeout (the process is then killed).  */
int tu_wait (pid_t pid, int timeout_ms);
/*  Run a program to completion (at most timeout_ms), capture stdout into
    *out (caller owns) when out is not NULL.  Returns the exit status.  */
int tu_run (const char *const *argv, char **out, int timeout_ms);

/*  Number of regular files in a directory (0 if it does not exist).  */
int tu_count_files (const char *dir);
/*  The children of pid (of all its threads, from /proc), at most max,
    into out; returns their count.  */
int tu_children (pid_t pid, pid_t *out, int max);
/*  A timeout scaled by CLIP_TEST_TIME_SCALE (a factor, default 1: set
    under valgrind).  tu_wait, tu_wait_for (and so tu_wait_files,
    tu_wait_log), tu_sub_recv and tu_daemon_start's wait scale theirs.  */
int tu_scaled_ms (int ms);
/*  Poll until cond(arg) or timeout_ms; returns cond's last value.  */
bool tu_wait_for (bool (*cond) (void *arg), void *arg, int timeout_ms);

/*  Assert that dir holds at least n regular files within timeout_ms.  */
void tu_wait_files (const char *dir, int n, int timeout_ms);
/*  Assert that d's log holds at least n lines with needle within
    timeout_ms.  */
void tu_wait_log (const tu_daemon_t *d, const char *needle, int n, int timeout_ms);
/*  Assert that the sample name on d's /metrics (as tu_metric reads it)
    reaches at least at_least within timeout_ms.  */
void tu_wait_metric (const tu_daemon_t *d, const char *name, long long at_least, int timeout_ms);

/*  GET path from an HTTP server at ADDR:PORT; returns the status code and
    the body in *body (caller owns).  */
int tu_http_get (const char *addr_port, const char *path, char **body);

/*  The value of one sample on d's /metrics: name is the family with its
    labels as clipd writes them (clipd_records_total,
    clipd_replay_refused_total{reason="busy"}).  -1 when the scrape fails
    or holds no such line.  */
long long tu_metric (const tu_daemon_t *d, const char *name);

/*  Receive up to n published records on a SUB socket connected to pub
    (subscribed to everything) within timeout_ms.  The caller creates the
    subscriber before dropping files with tu_sub_new, and frees it with
    tu_sub_free.  Each record is returned as JSON (clip_record_to_json).  */
typedef struct tu_sub tu_sub_t;
tu_sub_t *tu_sub_new (const char *pub_endpoint);
/*  Receive one record within timeout_ms: returns JSON (caller owns) and the
    topic in topic_out (caller owns) when not NULL, or NULL on timeout.  */
char *tu_sub_recv (tu_sub_t *sub, int timeout_ms, char **topic_out);
void tu_sub_free (tu_sub_t *sub);

/*  A fake worker: a real DEALER on ctx connected to d's tasks endpoint,
    which has said READY as name, offering credit tasks (0: no offer, a
    worker of the first protocol).  Caller closes it.  */
void *tu_worker_connect (void *ctx, const tu_daemon_t *d, const char *name, uint64_t credit);
/*  The next TASK on a fake worker's socket within timeout_ms (0: only
    what has arrived), HEARTBEATs and anything else skipped; NULL when
    none came.  Caller owns the result.  */
clip_wire_msg_t *tu_worker_recv_task (void *sock, int timeout_ms);

#endif
