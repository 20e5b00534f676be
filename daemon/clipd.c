/*  clipd: the daemon.  See clipd.h and docs/ARCHITECTURE.md.  */
#include "clipd.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>
#include <zmq.h>

#include "clip_corpus.h"
#include "clip_curve.h"
#include "clip_datadir.h"
#include "clip_db.h"
#include "clip_import.h"
#include "clip_log.h"
#include "clip_util.h"
#include "clip_wire.h"
#include "commit.h"
#include "dispatch.h"
#include "http.h"
#include "inbox.h"
#include "publish.h"
#include "replay.h"
#include "results.h"
#include "retire.h"
#include "supervisor.h"
#include "zap.h"

/*  Start-up waits up to STATE_LOCK_TRIES * STATE_LOCK_WAIT_US (2 s) for the
    state folder's lock (see clipd_new).  */
#define STATE_LOCK_TRIES 100
#define STATE_LOCK_WAIT_US 20000
/*  The gauges' refresh and the loop-lag probe (on_tick).  */
#define TICK_MS 500
#define LAG_WINDOW 20

struct clipd {
    const clipd_config_t *cfg;
    char *processing_dir;
    char *done_dir;
    char *failed_dir;
    int lock_fd;
    sqlite3 *db;
    clip_corpus_t *corpus;
    clip_results_t *results;
    clip_commit_t *commit;      /* NULL once stopping */
    uv_loop_t loop;
    void *zctx;
    clip_publish_t *pub;        /* NULL once stopping */
    clip_inbox_t *inbox;
    clip_retire_t *retire;      /* moves committed files out of processing/ */
    clip_dispatch_t *dispatch;
    clip_replay_t *replay;
    clip_supervisor_t *supervisor;
    /*  CURVE (--curve-secret): the server's pair, the ZAP handler with the
        allow-lists, and the pair made at each start for the local workers
        (--workers), whose public key is allowed in the workers domain.  */
    bool curve_on;
    clip_curve_pair_t curve;
    clip_zap_t *zap;
    bool local_key_on;
    clip_curve_pair_t local_key;
    char *local_key_path;       /* STATE/local-worker.key */
    uv_signal_t sigint;
    uv_signal_t sigterm;
    uv_signal_t sighup;         /* reloads the live settings */
    uv_signal_t sigusr1;        /* ignored, logged */
    uv_signal_t sigusr2;
    clipd_config_t live;        /* the live settings (config.h) in force */
    uv_timer_t tick_timer;      /* refreshes the metrics' gauges */
    uv_prepare_t log_flush;     /* writes the loop's held log lines (clip_log_hold) */
    uint64_t tick_due_us;       /* when the next tick is due (monotonic us) */
    uint64_t lag_us [LAG_WINDOW];   /* the lag of the last ticks, a ring */
    size_t lag_next;
    clipd_metrics_t metrics;    /* read by the HTTP thread */
    clip_http_t *http;
    size_t inflight;            /* claimed files not yet finished */
    size_t analysing;           /* of them, those not yet answered: queued in
                                   dispatch or held by a worker */
    uint64_t inflight_bytes;    /* and the bytes they hold (inflight_bytes_of) */
    uint64_t last_claim;
    bool stopping;
    bool loop_ready;
};

static void
publish (clipd_t *self, const clip_record_t *rec, const char *packed, size_t len)
{
    if (self->pub && clip_publish_send (self->pub, clip_record_topic (rec), packed, len) != 0)
        clip_warn ("publish_failed", "seq=%llu error=\"%s\"",
                   (unsigned long long) rec->seq, zmq_strerror (errno));
}

static void claim_more (clipd_t *self);

/*  What a file in flight holds of memory, for --max-inflight-bytes: its
    bytes, read once for its worker and kept for the commit (dispatch.h,
    "Read once").  Its size as claimed, whatever max-bytes is now (a
    reload may change it), so that the same is added and taken off; a
    file too large to be read is counted until its failure is committed,
    at most CLIP_WIRE_FILE_MAX.  */
static uint64_t
inflight_bytes_of (const clip_task_t *task)
{
    uint64_t size = clip_task_size (task);
    return size < CLIP_WIRE_FILE_MAX ? size : CLIP_WIRE_FILE_MAX;
}

/*  Hand one result to the commit (commit.h), which takes task, rec and
    sketch.  After shutdown there is no commit: the file stays in
    processing/ and is analysed again at the next start.  */
static void
finish (clipd_t *self, clip_task_t *task, clip_record_t *rec, void *sketch, size_t sketch_len)
{
    if (!self->commit) {
        clip_task_destroy (&task);
        clip_record_destroy (&rec);
        free (sketch);
        return;
    }
    /*  Where the file will go is chosen before the commit, so that the
        record committed, published and replayed names it (retire.h).  */
    clip_retire_choose (self->retire, rec, clip_task_name (task));
    clip_commit_add (self->commit, &task, &rec, &sketch, sketch_len);
}

/*  A record is committed (commit.h): its file leaves processing/, the
    record is published, and the file's place in flight is free.  */
static void
on_committed (clip_task_t *task, const clip_record_t *rec, const char *packed, size_t packed_len,
              void *arg)
{
    clipd_t *self = arg;
    clip_retire_file (self->retire, clip_task_path (task), rec);
    publish (self, rec, packed, packed_len);
    /*  Files found in processing/ at start have no arrival time.  */
    uint64_t arrived = clip_task_arrived (task), now = clip_now_ms ();
    if (arrived)
        clipd_histogram_observe (&self->metrics.end_to_end_seconds,
                                 now > arrived ? (now - arrived) * 1000 : 0);
    assert (self->inflight > 0);
    self->inflight--;
    self->inflight_bytes -= inflight_bytes_of (task);
    claim_more (self);
    /*  The gauges agree with the record counters at once, not at the next
        tick: a scrape that sees a record counted sees its file done.  */
    size_t ready = self->inbox ? clip_inbox_ready_count (self->inbox) : 0;
    atomic_store (&self->metrics.inflight, self->inflight);
    atomic_store (&self->metrics.inflight_bytes, self->inflight_bytes);
    atomic_store (&self->metrics.work_waiting, ready + self->inflight);
}

static void
fail (clipd_t *self, clip_task_t *task, clip_error_t code, const char *message)
{
    char q [600], qm [600];
    clip_warn ("article_failed", "file=%s code=%s message=%s",
               clip_log_quote (q, sizeof q, clip_task_name (task)), clip_error_name (code),
               clip_log_quote (qm, sizeof qm, message));
    clip_record_t *rec = clip_record_new ();
    rec->bytes = clip_task_size (task);
    clip_record_fail (rec, code, message);
    finish (self, task, rec, NULL, 0);
}

/*  ------------------------------------------------------------------ */
/*  Dispatch callbacks                                                  */

/*  A file was answered (a result, or a failure handed back by dispatch):
    it no longer takes a place in the workers' window (claim_more).  */
static void
answered (clipd_t *self)
{
    assert (self->analysing > 0);
    self->analysing--;
}

static void
on_result (clip_task_t *task, clip_record_t *rec, void *sketch, size_t sketch_len, void *arg)
{
    clipd_t *self = arg;
    answered (self);
    /*  A worker's failed record (empty, not_text, ...) is a failed article
        as much as one clipd failed itself (fail): warn, with the same
        event.  The code and message come from a peer: quoted.  */
    if (rec->error_code) {
        char q [600], qc [200], qm [600];
        clip_warn ("article_failed", "file=%s code=%s message=%s",
                   clip_log_quote (q, sizeof q, clip_task_name (task)),
                   clip_log_quote (qc, sizeof qc, rec->error_code),
                   clip_log_quote (qm, sizeof qm, rec->error_message ? rec->error_message : ""));
    }
    finish (self, task, rec, sketch, sketch_len);
    claim_more (self);
}

static void
on_failed (clip_task_t *task, clip_error_t code, const char *message, void *arg)
{
    clipd_t *self = arg;
    answered (self);
    fail (self, task, code, message);
    claim_more (self);
}

static void
on_worker_exit (const char *worker_name, void *arg)
{
    clipd_t *self = arg;
    if (self->dispatch)
        clip_dispatch_worker_exited (self->dispatch, worker_name);
}

/*  ------------------------------------------------------------------ */
/*  Claiming                                                            */

static uint64_t
next_claim_id (clipd_t *self)
{
    /*  Claim ids are the claim time in ms, bumped to stay unique and
        increasing across restarts (the log and processing/ are read at
        start), so a claim name is never reused.  */
    uint64_t now = clip_now_ms ();
    return now > self->last_claim ? now : self->last_claim + 1;
}

static void
start_task (clipd_t *self, clip_task_t *task)
{
    self->inflight++;
    self->inflight_bytes += inflight_bytes_of (task);
    if (clip_task_size (task) > self->cfg->max_bytes) {
        char *msg = clip_strprintf ("the file has %llu bytes, more than --max-bytes %llu",
                                    (unsigned long long) clip_task_size (task),
                                    (unsigned long long) self->cfg->max_bytes);
        fail (self, task, CLIP_ERROR_TOO_LARGE, msg);
        free (msg);
        return;
    }
    self->analysing++;
    clip_dispatch_submit (self->dispatch, &task);
}

/*  The workers' window: the files claimed and not yet answered are kept
    at what the known workers may hold (their credit) and one group more,
    queued in dispatch for the first worker to make room.  Claims then
    follow the answers, file for file, and not the commits: files that
    wait for a commit do not hold the workers' places, so a long commit
    (a checkpoint of the database) does not leave the workers idle while
    --max-inflight, the bound in memory, is not reached.  */
static size_t
analysis_window (const clipd_t *self)
{
    return clip_dispatch_capacity (self->dispatch) + (size_t) self->cfg->prefetch;
}

static void
claim_more (clipd_t *self)
{
    /*  Committed files whose move failed are no longer in flight, but they
        stay in processing/: past a bound, stop taking more.  */
    while (!self->stopping && self->inbox && self->inflight < self->cfg->max_inflight
    &&     (self->inflight == 0 || self->inflight_bytes < self->cfg->max_inflight_bytes)
    &&     self->analysing < analysis_window (self)
    &&     clip_retire_backlog (self->retire) < CLIP_RETIRE_BACKLOG_MAX) {
        clip_claim_t claim = { 0 };
        uint64_t id = next_claim_id (self);
        if (clip_inbox_claim (self->inbox, id, &claim) != 1)
            break;
        self->last_claim = id;
        char q [600];
        clip_info ("claimed", "file=%s bytes=%llu claim=%llu", clip_log_quote (q, sizeof q, claim.name),
                   (unsigned long long) claim.size, (unsigned long long) id);
        clip_task_t *task = clip_task_new (id, claim.name, claim.path, claim.size, id);
        clip_task_set_arrived (task, claim.arrived_ms);
        start_task (self, task);
        clip_claim_clear (&claim);
    }
}

static void
on_inbox_ready (clip_inbox_t *inbox, void *arg)
{
    claim_more (arg);
}

/*  ------------------------------------------------------------------ */
/*  Start-up                                                            */

static int
seed_corpus (clipd_t *self, char *err, size_t err_size)
{
    const char *dir = self->cfg->corpus;
    if (strcmp (dir, "none") == 0
    ||  clip_corpus_size (self->corpus) > 0 || clip_results_head (self->results) > 0)
        return 0;
    char *fallback = NULL;
    if (!*dir)
        dir = fallback = clip_datadir_path (self->cfg->data_dir, CLIP_DATA_HUAWEI);
    clip_import_stats_t stats;
    int rc = clip_corpus_import_dir (self->corpus, self->db, dir, self->cfg->max_bytes, 256,
                                     NULL, NULL, &stats, err, err_size);
    char q [600];
    if (rc == 0)
        clip_info ("corpus_seeded", "dir=%s articles=%zu skipped=%zu",
                   clip_log_quote (q, sizeof q, dir), stats.imported, stats.skipped);
    free (fallback);
    return rc;
}

/*  Files left in processing/ by an earlier run: finish those whose record is
    committed, process the others again.  Runs before the inbox is first
    scanned: clip_claim_recover also removes the inbox twin of a claim by
    copy that a crash interrupted (inbox.h).  */
static void
recover_processing (clipd_t *self)
{
    struct dirent **names = NULL;
    int n = scandir (self->processing_dir, &names, NULL, alphasort);
    if (n < 0)
        return;
    /*  Claim ids given to foreign files below must be above every claim
        found here, whatever the order of the names.  */
    for (int i = 0; i < n; i++) {
        uint64_t claim;
        char *name = NULL;
        if (clip_claim_parse (names [i]->d_name, &claim, &name) == 0 && claim > self->last_claim)
            self->last_claim = claim;
        free (name);
    }
    int dir_fd = open (self->processing_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (int i = 0; i < n; i++) {
        const char *fname = names [i]->d_name;
        char *path = clip_path_join (self->processing_dir, fname);
        struct stat st;
        uint64_t claim = 0;
        char *name = NULL;
        char q [600];
        clip_log_quote (q, sizeof q, fname);
        if (fname [0] == '.' || lstat (path, &st) != 0 || !S_ISREG (st.st_mode)) {
            /*  Our own sidecars and temporary files (the inbox sweeps
                orphans), or foreign entries.  */
        }
        else
        if (clip_claim_recover (self->processing_dir, self->cfg->inbox, fname, &claim, &name) != 0) {
            /*  Not one of ours: claim it like any inbox file.  */
            claim = next_claim_id (self);
            self->last_claim = claim;
            clip_claim_t c = { 0 };
            if (dir_fd >= 0 && clip_claim_take (dir_fd, fname, self->processing_dir, claim, &c) == 0) {
                clip_info ("claimed", "file=%s claim=%llu from=processing", q, (unsigned long long) claim);
                start_task (self, clip_task_new (claim, c.name, c.path, c.size, claim));
                clip_claim_clear (&c);
            }
        }
        else {
            clip_record_t *rec = NULL;
            int found = clip_results_find_claim (self->results, claim, &rec);
            if (found == 1) {
                clip_info ("recovered_committed", "file=%s seq=%llu", q, (unsigned long long) rec->seq);
                clip_retire_file (self->retire, path, rec);
                clip_record_destroy (&rec);
            }
            else
            if (found == 0) {
                clip_info ("recovered_pending", "file=%s claim=%llu", q, (unsigned long long) claim);
                start_task (self, clip_task_new (claim, name, path, (uint64_t) st.st_size, claim));
            }
        }
        free (name);
        free (path);
        free (names [i]);
    }
    if (dir_fd >= 0)
        close (dir_fd);
    free (names);
}

static void on_signal (uv_signal_t *handle, int signum);

/*  Refresh the gauges the HTTP thread reads, and prove the loop turns.  */
static void
on_tick (uv_timer_t *timer)
{
    clipd_t *self = timer->data;
    clipd_metrics_t *m = &self->metrics;
    /*  The loop's lag: how much later than due this timer runs, i.e. how
        long the loop was busy with other callbacks (or the machine with
        other processes); the largest of the last LAG_WINDOW ticks (10 s),
        so a scrape every 15 s misses little.  /healthz also counts the
        time since this tick, for a loop that stopped turning (http.c).  */
    uint64_t now_us = clip_mono_us ();
    uint64_t due_us = self->tick_due_us ? self->tick_due_us : now_us;
    self->lag_us [self->lag_next++ % LAG_WINDOW] = now_us > due_us ? now_us - due_us : 0;
    uint64_t worst = 0;
    for (size_t i = 0; i < LAG_WINDOW; i++)
        worst = self->lag_us [i] > worst ? self->lag_us [i] : worst;
    atomic_store (&m->loop_lag_us, worst);
    self->tick_due_us = now_us + TICK_MS * 1000;
    atomic_store (&m->loop_tick_ms, now_us / 1000);
    atomic_store (&m->inflight, self->inflight);
    atomic_store (&m->inflight_bytes, self->inflight_bytes);
    atomic_store (&m->head, clip_results_head (self->results));
    /*  The corpus is the commit thread's while a batch is in flight.  */
    atomic_store (&m->corpus, self->commit ? clip_commit_corpus_size (self->commit)
                                           : clip_corpus_size (self->corpus));
    if (self->dispatch) {
        atomic_store (&m->workers, clip_dispatch_worker_count (self->dispatch));
        atomic_store (&m->queued, clip_dispatch_queued (self->dispatch));
    }
    size_t ready = self->inbox ? clip_inbox_ready_count (self->inbox) : 0;
    atomic_store (&m->inbox_ready, ready);
    atomic_store (&m->work_waiting, ready + self->inflight);
    clip_retire_tick (self->retire);
}

static void
write_endpoints (clipd_t *self)
{
    /*  The configured address, with the port actually bound.  */
    const char *colon = self->http ? strrchr (self->cfg->http, ':') : NULL;
    char *http = colon ? clip_strprintf ("%.*s:%u", (int) (colon - self->cfg->http), self->cfg->http,
                                         clip_http_port (self->http))
                       : clip_strdup ("");
    json_t *o = json_pack ("{s:s, s:s, s:s, s:s, s:i}",
                           "tasks", clip_dispatch_endpoint (self->dispatch),
                           "pub", clip_publish_endpoint (self->pub),
                           "replay", clip_replay_endpoint (self->replay),
                           "http", http,
                           "pid", (int) getpid ());
    free (http);
    char *text = json_dumps (o, 0);
    char *path = clip_path_join (self->cfg->state, "endpoints.json");
    if (text)
        clip_file_write_durable (path, text, strlen (text));
    free (path);
    free (text);
    json_decref (o);
}

/*  --allow-insecure with an endpoint beyond loopback: allowed, said.  */
static void
warn_insecure (const clipd_config_t *cfg)
{
    if (*cfg->curve_secret || !cfg->allow_insecure)
        return;
    const char *eps [3] = { cfg->tasks, cfg->pub, cfg->replay };
    for (int i = 0; i < 3; i++)
        if (!clipd_config_endpoint_is_local (eps [i]))
            clip_warn ("insecure", "endpoint=%s message=\"bound beyond loopback without CURVE "
                       "(--allow-insecure): anyone who reaches it can take tasks or read "
                       "records\"", eps [i]);
    if (*cfg->http && strcmp (cfg->http, "off") != 0 && !clipd_config_http_is_local (cfg->http))
        clip_warn ("insecure", "http=%s message=\"HTTP served beyond loopback "
                   "(--allow-insecure): /metrics and /healthz are readable by anyone who "
                   "reaches it\"", cfg->http);
}

/*  The allow-lists from the key folders (plus the local workers' key),
    into the ZAP handler only if both load: a broken folder changes
    nothing.  Returns 0 or -1 with err set.  */
static int
load_allow_lists (clipd_t *self, char *err, size_t err_size)
{
    const clipd_config_t *cfg = self->cfg;
    clip_curve_list_t *workers = *cfg->curve_workers
                               ? clip_curve_list_load_dir (cfg->curve_workers, err, err_size)
                               : clip_curve_list_new ();
    if (!workers)
        return -1;
    clip_curve_list_t *subscribers = *cfg->curve_subscribers
                                   ? clip_curve_list_load_dir (cfg->curve_subscribers, err,
                                                               err_size)
                                   : clip_curve_list_new ();
    if (!subscribers) {
        clip_curve_list_destroy (&workers);
        return -1;
    }
    if (self->local_key_on && clip_curve_list_add (workers, self->local_key.public_z85) != 0) {
        clip_curve_list_destroy (&workers);
        clip_curve_list_destroy (&subscribers);
        return clip_err_set (err, err_size, "the workers' allow-list is full");
    }
    size_t nw = clip_curve_list_size (workers), ns = clip_curve_list_size (subscribers);
    clip_zap_set_list (self->zap, CLIP_CURVE_DOMAIN_WORKERS, &workers);
    clip_zap_set_list (self->zap, CLIP_CURVE_DOMAIN_SUBSCRIBERS, &subscribers);
    clip_info ("allow_lists_loaded", "workers=%zu subscribers=%zu local_worker_key=%s", nw, ns,
               self->local_key_on ? "yes" : "no");
    return 0;
}

/*  CURVE on: the ZAP handler, the local workers' pair (written for them
    to STATE/local-worker.key, mode 0600) and the allow-lists.  */
static int
curve_start (clipd_t *self, char *err, size_t err_size)
{
    self->zap = clip_zap_new (&self->loop, self->zctx, &self->metrics, err, err_size);
    if (!self->zap)
        return -1;
    if (self->cfg->workers > 0) {
        /*  A new pair at each start: a key that leaked from an old state
            folder lets nothing in.  */
        char kerr [900];
        self->local_key_path = clip_path_join (self->cfg->state, "local-worker.key");
        if (clip_curve_pair_generate (&self->local_key, kerr, sizeof kerr) != 0
        ||  clip_curve_pair_write (self->local_key_path, NULL, &self->local_key, true,
                                   kerr, sizeof kerr) != 0) {
            snprintf (err, err_size, "the local workers' key: %s", kerr);
            return -1;
        }
        self->local_key_on = true;
    }
    char lerr [900];
    if (load_allow_lists (self, lerr, sizeof lerr) != 0) {
        snprintf (err, err_size, "CURVE allow-list: %s", lerr);
        return -1;
    }
    return 0;
}

clipd_t *
clipd_new (const clipd_config_t *cfg, char *err, size_t err_size)
{
    clipd_t *self = clip_calloc (1, sizeof *self);
    self->cfg = cfg;
    self->lock_fd = -1;
    /*  The rules (CURVE or loopback or --allow-insecure) were checked with
        the settings (config.c); here the keys are read.  */
    if (*cfg->curve_secret) {
        if (!clip_curve_available ()) {
            snprintf (err, err_size, "--curve-secret: this libzmq was built without CURVE "
                      "(zmq_has (\"curve\") is false)");
            goto fail;
        }
        char kerr [900];
        if (clip_curve_pair_load (cfg->curve_secret, &self->curve, kerr, sizeof kerr) != 0) {
            snprintf (err, err_size, "--curve-secret: %s", kerr);
            goto fail;
        }
        self->curve_on = true;
    }
    warn_insecure (cfg);
    self->processing_dir = clip_path_join (cfg->state, "processing");
    self->done_dir = clip_path_join (cfg->state, "done");
    self->failed_dir = clip_path_join (cfg->state, "failed");
    self->retire = clip_retire_new (self->done_dir, self->failed_dir,
                                    strcmp (cfg->on_done, "delete") == 0, &self->metrics);
    const char *dirs [] = { cfg->inbox, cfg->state, self->processing_dir, self->done_dir, self->failed_dir };
    for (size_t i = 0; i < 5; i++) {
        int rc = clip_mkdirs (dirs [i], 0755);
        if (rc) {
            snprintf (err, err_size, "cannot create folder %s: %s", dirs [i], strerror (-rc));
            goto fail;
        }
    }
    char *lock_path = clip_path_join (cfg->state, "clipd.lock");
    self->lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    /*  A clipd killed with -9 releases the lock only when the last copy of
        its descriptor closes, and a child it was forking at that moment
        holds one until its exec: a restart a moment later may find the
        lock still held.  Wait for it a little (bounded) before calling
        the folder taken.  */
    int locked = -1;
    for (int tries = 0; self->lock_fd >= 0 && tries < STATE_LOCK_TRIES; tries++) {
        locked = flock (self->lock_fd, LOCK_EX | LOCK_NB);
        if (locked == 0 || errno != EWOULDBLOCK)
            break;
        usleep (STATE_LOCK_WAIT_US);
    }
    if (self->lock_fd < 0 || locked != 0) {
        snprintf (err, err_size, "state folder %s is in use by another clipd (%s)", cfg->state,
                  strerror (errno));
        free (lock_path);
        goto fail;
    }
    free (lock_path);
    char *db_path = clip_path_join (cfg->state, "clipd.db");
    self->db = clip_db_open (db_path, 0, err, err_size);
    free (db_path);
    if (!self->db || clip_db_set_mmap (self->db, cfg->db_mmap_mib << 20, err, err_size))
        goto fail;
    clip_corpus_settings_t cs;
    clip_corpus_settings_default (&cs);
    cs.near_containment = cfg->near_containment;
    cs.near_jaccard = cfg->near_jaccard;
    cs.related_containment = cfg->related_containment;
    self->corpus = clip_corpus_open (self->db, &cs, err, err_size);
    if (!self->corpus)
        goto fail;
    self->results = clip_results_open (self->db, err, err_size);
    if (!self->results)
        goto fail;
    self->last_claim = clip_results_max_claim (self->results);
    if (seed_corpus (self, err, err_size))
        goto fail;

    uv_loop_init (&self->loop);
    self->loop_ready = true;
    self->zctx = zmq_ctx_new ();
    /*  The ZAP handler before the CURVE sockets bind: libzmq asks ZAP only
        when a handler is bound, and without one lets every client that
        knows the server's key in.  */
    if (self->curve_on && curve_start (self, err, err_size) != 0)
        goto fail;
    const clip_curve_pair_t *curve = self->curve_on ? &self->curve : NULL;
    self->pub = clip_publish_new (&self->loop, self->zctx, cfg->pub, curve, &self->metrics,
                                  err, err_size);
    if (!self->pub)
        goto fail;
    self->replay = clip_replay_new (&self->loop, self->zctx, cfg->replay, curve, self->results,
                                    &self->metrics, err, err_size);
    if (!self->replay)
        goto fail;
    clip_dispatch_settings_t ds;
    clip_dispatch_settings_default (&ds);
    ds.heartbeat_ms = cfg->heartbeat_ms;
    ds.liveness_ms = cfg->liveness_ms;
    ds.task_timeout_ms = cfg->task_timeout_ms;
    ds.max_attempts = (int) cfg->max_attempts;
    ds.prefetch = (int) cfg->prefetch;
    ds.max_bytes = cfg->max_bytes;
    ds.max_entities = cfg->max_entities;
    ds.metrics = &self->metrics;
    ds.curve = curve;
    clip_dispatch_callbacks_t cb = { on_result, on_failed };
    self->dispatch = clip_dispatch_new (&self->loop, self->zctx, cfg->tasks, &ds, &cb, self,
                                        err, err_size);
    if (!self->dispatch)
        goto fail;
    clip_inbox_settings_t is = {
        .settle_ms = cfg->settle_ms, .rescan_ms = cfg->rescan_ms, .max_pending = cfg->max_pending
    };
    is.watch = cfg->inbox_watch;
    self->inbox = clip_inbox_new (&self->loop, cfg->inbox, self->processing_dir, &is,
                                  on_inbox_ready, self, &self->metrics);
    clip_commit_settings_t cms;
    clip_commit_settings_default (&cms);
    cms.max_bytes = cfg->max_bytes;
    cms.batch_max = (size_t) cfg->commit_batch_max;
    cms.batch_delay_ms = cfg->commit_delay_ms;
    cms.metrics = &self->metrics;
    self->commit = clip_commit_new (&self->loop, self->db, self->corpus, self->results, &cms,
                                    on_committed, self);
    uv_timer_init (&self->loop, &self->tick_timer);
    self->tick_timer.data = self;
    uv_prepare_init (&self->loop, &self->log_flush);
    atomic_store (&self->metrics.started_ms, clip_now_ms ());
    on_tick (&self->tick_timer);
    if (*cfg->http && strcmp (cfg->http, "off") != 0) {
        self->http = clip_http_start (cfg->http, &self->metrics, cfg->state, err, err_size);
        if (!self->http)
            goto fail;
    }
    uv_signal_t *sigs [] = { &self->sigint, &self->sigterm, &self->sighup, &self->sigusr1,
                             &self->sigusr2 };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs [0]; i++) {
        uv_signal_init (&self->loop, sigs [i]);
        sigs [i]->data = self;
    }
    self->live.near_containment = cfg->near_containment;
    self->live.near_jaccard = cfg->near_jaccard;
    self->live.related_containment = cfg->related_containment;
    self->live.log_level = clip_strdup (cfg->log_level);
    self->live.log_format = clip_strdup (cfg->log_format);
    return self;

fail:
    clipd_destroy (&self);
    return NULL;
}

static void
on_supervisor_stopped (void *arg)
{
    clipd_t *self = arg;
    self->supervisor = NULL;
}

static void
shutdown_daemon (clipd_t *self)
{
    if (self->stopping)
        return;
    self->stopping = true;
    /*  Results already in hand are committed and published before going;
        those not committed then are dropped: their files stay in
        processing/ and are analysed again at the next start.  */
    clip_commit_run (self->commit);
    clip_commit_destroy (&self->commit);
    clip_info ("stopping", "inflight=%zu", self->inflight);
    clip_publish_destroy (&self->pub);
    clip_inbox_destroy (&self->inbox);
    clip_replay_destroy (&self->replay);
    clip_dispatch_destroy (&self->dispatch);
    clip_zap_destroy (&self->zap);
    uv_close ((uv_handle_t *) &self->tick_timer, NULL);
    uv_close ((uv_handle_t *) &self->log_flush, NULL);
    uv_close ((uv_handle_t *) &self->sigint, NULL);
    uv_close ((uv_handle_t *) &self->sigterm, NULL);
    uv_close ((uv_handle_t *) &self->sighup, NULL);
    uv_close ((uv_handle_t *) &self->sigusr1, NULL);
    uv_close ((uv_handle_t *) &self->sigusr2, NULL);
    /*  Closing the handles restored the default actions, which kill: the
        workers may take a while to stop.  */
    signal (SIGHUP, SIG_IGN);
    signal (SIGUSR1, SIG_IGN);
    signal (SIGUSR2, SIG_IGN);
    if (self->supervisor)
        clip_supervisor_stop (self->supervisor, on_supervisor_stopped, self);
}

static void
on_signal (uv_signal_t *handle, int signum)
{
    clip_info ("signal", "signal=%d", signum);
    shutdown_daemon (handle->data);
}

/*  SIGUSR1 and SIGUSR2 mean nothing to clipd: without a handler they would
    kill it.  */
static void
on_signal_ignored (uv_signal_t *handle, int signum)
{
    clip_info ("signal_ignored", "signal=%s", signum == SIGUSR1 ? "SIGUSR1" : "SIGUSR2");
}

/*  Apply the live settings of cfg (config.h): the verdict thresholds and
    the log level and format (CLIP_LOG and CLIP_LOG_FORMAT are read by the
    settings, config.h).  */
static void
apply_live (clipd_t *self, const clipd_config_t *cfg)
{
    /*  Through the commit, which applies them between batches.  */
    if (self->commit)
        clip_commit_set_thresholds (self->commit, cfg->near_containment, cfg->near_jaccard,
                                    cfg->related_containment);
    else
        clip_corpus_set_thresholds (self->corpus, cfg->near_containment, cfg->near_jaccard,
                                    cfg->related_containment);
    int level = clip_log_level_from_name (cfg->log_level);
    if (level >= 0)
        clip_log_set_level ((clip_log_level_t) level);
    int format = clip_log_format_from_name (cfg->log_format);
    if (format >= 0)
        clip_log_set_format ((clip_log_format_t) format);
    self->live.near_containment = cfg->near_containment;
    self->live.near_jaccard = cfg->near_jaccard;
    self->live.related_containment = cfg->related_containment;
    free (self->live.log_level);
    self->live.log_level = clip_strdup (cfg->log_level);
    free (self->live.log_format);
    self->live.log_format = clip_strdup (cfg->log_format);
}

/*  SIGHUP: read the settings again (flags, environment, --config file, as
    at start).  A file with an error changes nothing.  */
static void
on_sighup (uv_signal_t *handle, int signum)
{
    clipd_t *self = handle->data;
    clipd_config_t fresh;
    char err [1024];
    char q [1100];
    /*  The allow-lists are read again from the folders in force, whatever
        the settings file says now; a broken one keeps the old lists.  */
    if (self->zap && load_allow_lists (self, err, sizeof err) != 0)
        clip_error ("allow_lists_reload_refused", "signal=SIGHUP error=%s kept=previous",
                    clip_log_quote (q, sizeof q, err));
    if (clipd_config_reload (self->cfg, &fresh, err, sizeof err) != 0) {
        clip_error ("reload_refused", "signal=SIGHUP error=%s kept=previous",
                    clip_log_quote (q, sizeof q, err));
        clipd_config_clear (&fresh);
        return;
    }
    const char *names [64];
    size_t n = clipd_config_changed (self->cfg, &fresh, false, names, 64);
    for (size_t i = 0; i < n && i < 64; i++)
        clip_warn ("reload_needs_restart", "setting=%s message=\"changed; takes effect at restart\"",
                   names [i]);
    size_t live = clipd_config_changed (&self->live, &fresh, true, names, 64);
    apply_live (self, &fresh);
    clip_info ("reloaded", "signal=SIGHUP changed_live=%zu needs_restart=%zu near_containment=%g "
               "near_jaccard=%g related_containment=%g log_level=%s log_format=%s", live, n,
               fresh.near_containment, fresh.near_jaccard, fresh.related_containment,
               clip_log_quote (q, sizeof q, fresh.log_level), fresh.log_format);
    clipd_config_clear (&fresh);
}

static void
on_log_flush (uv_prepare_t *handle)
{
    (void) handle;
    clip_log_flush ();
}

int
clipd_run (clipd_t *self)
{
    /*  The loop's debug and info lines are held and written together just
        before it waits for I/O: a burst logs two lines an article.  */
    clip_log_hold (true);
    uv_prepare_start (&self->log_flush, on_log_flush);
    self->tick_due_us = clip_mono_us () + TICK_MS * 1000;
    uv_timer_start (&self->tick_timer, on_tick, TICK_MS, TICK_MS);
    uv_signal_start (&self->sigint, on_signal, SIGINT);
    uv_signal_start (&self->sigterm, on_signal, SIGTERM);
    uv_signal_start (&self->sighup, on_sighup, SIGHUP);
    uv_signal_start (&self->sigusr1, on_signal_ignored, SIGUSR1);
    uv_signal_start (&self->sigusr2, on_signal_ignored, SIGUSR2);
    write_endpoints (self);
    /*  What clipd is doing, in one line: the endpoints as bound (port *
        resolved), HTTP's address with its bound port or off.  */
    char qi [600], qs [600];
    const char *colon = self->http ? strrchr (self->cfg->http, ':') : NULL;
    char *http = colon ? clip_strprintf ("%.*s:%u", (int) (colon - self->cfg->http),
                                         self->cfg->http, clip_http_port (self->http))
                       : clip_strdup ("off");
    clip_info ("listening", "version=%s inbox=%s state=%s tasks=%s pub=%s replay=%s http=%s "
               "workers=%llu corpus=%llu head=%llu curve=%s",
               CLIP_VERSION, clip_log_quote (qi, sizeof qi, self->cfg->inbox),
               clip_log_quote (qs, sizeof qs, self->cfg->state),
               clip_dispatch_endpoint (self->dispatch), clip_publish_endpoint (self->pub),
               clip_replay_endpoint (self->replay), http,
               (unsigned long long) self->cfg->workers,
               (unsigned long long) clip_corpus_size (self->corpus),
               (unsigned long long) clip_results_head (self->results),
               self->curve_on ? "on" : "off");
    free (http);
    recover_processing (self);
    int rc = clip_inbox_start (self->inbox);
    if (rc < 0) {
        clip_error ("inbox_failed", "inbox=%s error=\"%s\"", qi, strerror (-rc));
        shutdown_daemon (self);
    }
    if (!self->stopping && self->cfg->workers > 0) {
        char *program = *self->cfg->worker_bin ? clip_strdup (self->cfg->worker_bin)
                                               : clip_supervisor_find_sibling ("clip-worker");
        if (!program)
            program = clip_strdup ("clip-worker");
        char max_entities [32];
        snprintf (max_entities, sizeof max_entities, "%llu",
                  (unsigned long long) self->cfg->max_entities);
        const char *args [] = { "--tasks", clip_dispatch_endpoint (self->dispatch),
                                "--data-dir", self->cfg->data_dir, "--max-entities", max_entities,
                                /*  One stream, one format: the workers
                                    share clipd's stderr.  */
                                "--log-level", self->cfg->log_level,
                                "--log-format", self->cfg->log_format,
                                "--exit-with-parent",
                                /*  With CURVE: the server's public key and
                                    the pair made for them at start.  */
                                self->local_key_on ? "--curve-server-key" : NULL,
                                self->curve.public_z85, "--curve-key", self->local_key_path,
                                NULL };
        self->supervisor = clip_supervisor_new (&self->loop, program, args, self->cfg->workers,
                                                &self->metrics, on_worker_exit, self);
        free (program);
        clip_supervisor_start (self->supervisor);
    }
    claim_more (self);
    uv_run (&self->loop, UV_RUN_DEFAULT);
    clip_log_hold (false);
    clip_info ("stopped", "head=%llu", (unsigned long long) clip_results_head (self->results));
    return 0;
}

void
clipd_destroy (clipd_t **self_p)
{
    assert (self_p);
    clipd_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    if (self->loop_ready) {
        if (!self->stopping) {
            /*  Built but never run (a start-up error): close what exists.  */
            self->stopping = true;
            clip_publish_destroy (&self->pub);
            clip_inbox_destroy (&self->inbox);
            clip_replay_destroy (&self->replay);
            clip_dispatch_destroy (&self->dispatch);
            clip_zap_destroy (&self->zap);
            clip_commit_destroy (&self->commit);
            if (self->tick_timer.loop)
                uv_close ((uv_handle_t *) &self->tick_timer, NULL);
            if (self->log_flush.loop)
                uv_close ((uv_handle_t *) &self->log_flush, NULL);
            if (self->sigint.loop) {
                uv_close ((uv_handle_t *) &self->sigint, NULL);
                uv_close ((uv_handle_t *) &self->sigterm, NULL);
                uv_close ((uv_handle_t *) &self->sighup, NULL);
                uv_close ((uv_handle_t *) &self->sigusr1, NULL);
                uv_close ((uv_handle_t *) &self->sigusr2, NULL);
            }
        }
        uv_run (&self->loop, UV_RUN_DEFAULT);
        uv_loop_close (&self->loop);
    }
    clip_http_stop (&self->http);
    if (self->zctx)
        zmq_ctx_term (self->zctx);
    clip_retire_destroy (&self->retire);
    clip_results_destroy (&self->results);
    clip_corpus_destroy (&self->corpus);
    if (self->db)
        sqlite3_close (self->db);
    if (self->lock_fd >= 0)
        close (self->lock_fd);
    free (self->live.log_level);
    free (self->live.log_format);
    free (self->local_key_path);
    memset (&self->curve, 0, sizeof self->curve);
    memset (&self->local_key, 0, sizeof self->local_key);
    free (self->processing_dir);
    free (self->done_dir);
    free (self->failed_dir);
    free (self);
}
