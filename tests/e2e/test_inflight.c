/*  The bounds on what clipd claims (README, "--max-inflight",
    "--max-inflight-bytes", and the workers' window), on a real clipd with
    no worker or with a fake one (a real DEALER that answers when the test
    says), so that what it claims stays in flight: the files it took are in
    processing/, the rest wait in the inbox, and /metrics says so
    (clipd_inflight and clipd_inflight_bytes, and clipd_work_waiting once
    the inbox has seen every file).  */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "clip_record.h"
#include "clip_util.h"
#include "clip_wire.h"
#include "testutil.h"

#define FILES 4
#define FILE_BYTES 60

static char *s_dir;
static tu_daemon_t *s_daemon;

static void
cleanup (void)
{
    tu_suite_cleanup (&s_dir, &s_daemon);
}

TestSuite (inflight, .fini = cleanup);

/*  n articles of FILE_BYTES bytes renamed into d's inbox; returns once
    clipd has seen them all.  */
static void
drop (tu_daemon_t *d, int n)
{
    for (int i = 0; i < n; i++) {
        char text [FILE_BYTES + 1];
        snprintf (text, sizeof text, "%-*s", FILE_BYTES - 1, "Huawei said on Monday ...");
        text [FILE_BYTES - 1] = '\n';
        char *src = clip_strprintf ("%s/src-%d.txt", s_dir, i);
        char *dst = clip_strprintf ("%s/a%d.txt", d->inbox, i);
        tu_write (src, text, FILE_BYTES);
        tu_drop (src, dst);
        free (src);
        free (dst);
    }
    tu_wait_metric (d, "clipd_work_waiting", n, 15000);
    cr_assert_eq (tu_metric (d, "clipd_work_waiting"), n);
}

/*  FILES articles dropped into a clipd started with extra.  */
static tu_daemon_t *
start_and_drop (const char *const *extra)
{
    s_dir = tu_tempdir ("inflight");
    s_daemon = tu_daemon_start (s_dir, extra);
    drop (s_daemon, FILES);
    return s_daemon;
}

/*  100 bytes allowed, files of 60: the first goes (nothing in flight),
    the second too (60 < 100), then no more (120 >= 100).  */
Test (inflight, claims_stop_once_max_inflight_bytes_are_in_flight, .timeout = 120)
{
    const char *extra [] = { "--workers", "0", "--corpus", "none",
                             "--max-inflight-bytes", "100", NULL };
    tu_daemon_t *d = start_and_drop (extra);
    cr_assert_eq (tu_metric (d, "clipd_inflight"), 2);
    cr_assert_eq (tu_metric (d, "clipd_inflight_bytes"), 2 * FILE_BYTES);
    char *processing = clip_path_join (d->state, "processing");
    cr_assert_eq (tu_count_files (processing), 2);
    cr_assert_eq (tu_count_files (d->inbox), FILES - 2);
    free (processing);
}

/*  One byte allowed: one file still goes, so no value stalls the inbox.  */
Test (inflight, one_file_goes_whatever_max_inflight_bytes, .timeout = 120)
{
    const char *extra [] = { "--workers", "0", "--corpus", "none",
                             "--max-inflight-bytes", "1", NULL };
    tu_daemon_t *d = start_and_drop (extra);
    cr_assert_eq (tu_metric (d, "clipd_inflight"), 1);
}

/*  The count bound alone, the bytes bound far away.  */
Test (inflight, claims_stop_at_max_inflight_files, .timeout = 120)
{
    const char *extra [] = { "--workers", "0", "--corpus", "none", "--max-inflight", "3", NULL };
    tu_daemon_t *d = start_and_drop (extra);
    cr_assert_eq (tu_metric (d, "clipd_inflight"), 3);
    char *processing = clip_path_join (d->state, "processing");
    cr_assert_eq (tu_count_files (processing), 3);
    free (processing);
}

/*  With no worker known, the workers' window is one group of --prefetch:
    that many files are claimed ahead, whatever --max-inflight allows.  */
Test (inflight, with_no_worker_one_prefetch_is_claimed_ahead, .timeout = 120)
{
    const char *extra [] = { "--workers", "0", "--corpus", "none", "--prefetch", "2",
                             "--max-inflight", "100", NULL };
    tu_daemon_t *d = start_and_drop (extra);
    cr_assert_eq (tu_metric (d, "clipd_inflight"), 2);
}

/*  ---------------------------------------------------------------------
    A fake worker: a DEALER that offers credit and answers on demand.
    --------------------------------------------------------------------- */

typedef struct {
    void *ctx;
    void *sock;
    uint64_t tasks [64];        /* task ids received, not yet answered */
    int n_tasks;
    int received;               /* tasks received in all */
} fake_worker_t;

static void
fake_worker_start (fake_worker_t *fw, const tu_daemon_t *d, uint64_t credit)
{
    memset (fw, 0, sizeof *fw);
    fw->ctx = zmq_ctx_new ();
    fw->sock = tu_worker_connect (fw->ctx, d, "fake:1", credit);
}

static void
fake_worker_stop (fake_worker_t *fw)
{
    zmq_close (fw->sock);
    zmq_ctx_term (fw->ctx);
}

/*  Take the TASKs that arrive within wait_ms, and any that follow at once.  */
static void
fake_worker_poll (fake_worker_t *fw, int wait_ms)
{
    clip_wire_msg_t *msg;
    while ((msg = tu_worker_recv_task (fw->sock, wait_ms))) {
        cr_assert_lt (fw->n_tasks, 64);
        fw->tasks [fw->n_tasks++] = msg->task;
        fw->received++;
        clip_wire_msg_destroy (&msg);
        wait_ms = 0;
    }
}

/*  Answer every task held with a well-formed record.  */
static void
fake_worker_answer (fake_worker_t *fw)
{
    for (int i = 0; i < fw->n_tasks; i++) {
        clip_record_t *rec = clip_record_new ();
        clip_record_set (rec, &rec->id, "0123456789abcdef0123456789abcdef");
        clip_record_set (rec, &rec->file, "whatever.txt");
        clip_record_set (rec, &rec->encoding, "utf-8");
        clip_record_set (rec, &rec->worker, "fake:1");
        rec->bytes = FILE_BYTES;
        char *data;
        size_t len;
        clip_record_encode (rec, &data, &len);
        clip_record_destroy (&rec);
        clip_wire_msg_t result = { .kind = CLIP_WIRE_RESULT, .worker = "fake:1",
                                   .task = fw->tasks [i], .data = data, .data_len = len };
        cr_assert_eq (clip_wire_send (fw->sock, NULL, 0, &result, 0), 0);
        free (data);
    }
    fw->n_tasks = 0;
}

/*  The workers' window follows the answers, not the commits.  The
    database is write-locked by another connection, so no commit can
    happen; a worker of credit 2 with --prefetch 2 first gets 2 of the 4
    files claimed ahead (its credit and one group), and each file it
    answers frees a place: clipd claims on until --max-inflight (6),
    though nothing answered has been committed.  A window counted to the
    commit would have stopped at 4, the worker idle.  Once the lock goes,
    everything is committed and the rest follows.  */
Test (inflight, answered_files_free_the_window_while_commits_wait, .timeout = 240)
{
    enum { N = 8, MAX_INFLIGHT = 6 };
    s_dir = tu_tempdir ("inflight");
    const char *extra [] = { "--workers", "0", "--corpus", "none", "--prefetch", "2",
                             "--max-inflight", "6", NULL };
    tu_daemon_t *d = s_daemon = tu_daemon_start (s_dir, extra);
    fake_worker_t fw;
    fake_worker_start (&fw, d, 2);
    tu_wait_metric (d, "clipd_workers", 1, 15000);
    cr_assert_eq (tu_metric (d, "clipd_workers"), 1);

    char *db_path = clip_path_join (d->state, "clipd.db");
    sqlite3 *lock = NULL;
    cr_assert_eq (sqlite3_open (db_path, &lock), SQLITE_OK);
    cr_assert_eq (sqlite3_exec (lock, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);

    drop (d, N);
    /*  Before any answer: the worker's credit and one group, not
        --max-inflight; the worker holds its credit.  */
    cr_assert_eq (tu_metric (d, "clipd_inflight"), 4);
    uint64_t until = clip_mono_ms () + (uint64_t) tu_scaled_ms (30000);
    while (clip_mono_ms () < until && fw.received < 2)
        fake_worker_poll (&fw, 200);
    fake_worker_poll (&fw, 300);
    cr_assert_eq (fw.received, 2, "the worker of credit 2 got %d tasks", fw.received);
    /*  Answer as tasks come, until clipd holds MAX_INFLIGHT files.  */
    until = clip_mono_ms () + (uint64_t) tu_scaled_ms (30000);
    while (clip_mono_ms () < until
    &&     (fw.received < MAX_INFLIGHT || tu_metric (d, "clipd_inflight") < MAX_INFLIGHT)) {
        fake_worker_poll (&fw, 200);
        fake_worker_answer (&fw);
    }
    cr_assert_eq (fw.received, MAX_INFLIGHT, "the worker got %d tasks", fw.received);
    cr_assert_eq (tu_metric (d, "clipd_inflight"), MAX_INFLIGHT);
    cr_assert_eq (tu_metric (d, "clipd_records_total"), 0);
    char *processing = clip_path_join (d->state, "processing");
    cr_assert_eq (tu_count_files (processing), MAX_INFLIGHT);
    cr_assert_eq (tu_count_files (d->inbox), N - MAX_INFLIGHT);

    cr_assert_eq (sqlite3_exec (lock, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close (lock);
    char *done = clip_path_join (d->state, "done");
    until = clip_mono_ms () + (uint64_t) tu_scaled_ms (60000);
    while (clip_mono_ms () < until && tu_count_files (done) < N) {
        fake_worker_poll (&fw, 200);
        fake_worker_answer (&fw);
    }
    cr_assert_eq (tu_count_files (done), N);
    cr_assert_eq (fw.received, N);
    fake_worker_stop (&fw);
    free (done);
    free (processing);
    free (db_path);
}
