/*  Crashes and lost workers: exactly one record per file, whatever dies
    when.  Real clipd and clip-worker processes, SIGKILL, a real database.  */
#include <criterion/criterion.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "clip_util.h"
#include "clip_wire.h"
#include "inbox.h"
#include "testutil.h"

static char *
corpus_file (int i)
{
    static const char *names [] = {
        "000_9e0fcb074dd77aaf.txt", "001_3dbc5d8e002cb599.txt", "002_b2f4190119ca8e61.txt",
        "003_209deb8297a06381.txt", "004_a2dcec478da87fef.txt",
    };
    return clip_strprintf ("%s/corpus/huawei/%s", CLIP_SOURCE_DIR, names [i]);
}


Test (recovery, a_committed_file_left_in_processing_is_moved_on_without_a_second_record)
{
    char *dir = tu_tempdir ("recovery");
    const char *extra [] = { "--workers", "1", "--corpus", "none", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    char *src = corpus_file (0);
    char *dst = clip_path_join (d->inbox, "story.txt");
    tu_drop (src, dst);
    char *done = clip_path_join (d->state, "done");
    char *processing = clip_path_join (d->state, "processing");
    tu_wait_files (done, 1, 15000);
    cr_assert_eq (tu_daemon_stop (d), 0);

    /*  Put the state back to "committed, not yet moved": the file in
        processing/ under its claim name, as a crash right after COMMIT
        leaves it.  */
    sqlite3_int64 claim = tu_db_int (d->state, "SELECT claim FROM results WHERE seq = 1");
    char *claim_name = clip_claim_filename ((uint64_t) claim, "story.txt");
    char *from = clip_path_join (done, "story.txt");
    char *to = clip_path_join (processing, claim_name);
    cr_assert_eq (rename (from, to), 0);
    /*  And one claimed but never committed: processed after the restart.  */
    char *pending_name = clip_claim_filename ((uint64_t) claim + 5, "pending.txt");
    char *pending = clip_path_join (processing, pending_name);
    char *src2 = corpus_file (3);
    tu_drop (src2, pending);

    tu_daemon_free (d);
    d = tu_daemon_start (dir, extra);
    tu_wait_files (done, 2, 15000);
    cr_assert_eq (tu_count_files (processing), 0);
    cr_assert_eq (access (from, F_OK), 0, "story.txt is back in done/");
    char *p2 = clip_path_join (done, "pending.txt");
    cr_assert_eq (access (p2, F_OK), 0, "the pending file kept its inbox name");
    cr_assert_eq (tu_daemon_stop (d), 0);
    cr_assert_eq (tu_db_int (d->state, "SELECT count(*) FROM results"), 2, "no second record for story.txt");
    cr_assert_eq (tu_db_int (d->state, "SELECT max(seq) FROM results"), 2);
    cr_assert_eq (tu_log_count (d, "event=recovered_committed"), 1);
    cr_assert_eq (tu_log_count (d, "event=recovered_pending"), 1);
    tu_daemon_free (d);
    free (src); free (src2); free (dst); free (done); free (processing); free (claim_name);
    free (from); free (to); free (pending_name); free (pending); free (p2);
    tu_rmtree (dir);
    free (dir);
}

static void
drop_articles (const tu_daemon_t *d, int from, int to)
{
    for (int i = from; i < to; i++) {
        char name [32], text [256];
        snprintf (name, sizeof name, "article-%02d.txt", i);
        int len = snprintf (text, sizeof text, "Headline number %d\n\nBody of article %d, "
                            "with words that make it unlike the others: %d %d.\n", i, i, i * 7, i * 13);
        char *staging = clip_strprintf ("%s/.%s", d->inbox, name);
        char *final = clip_path_join (d->inbox, name);
        tu_write (staging, text, (size_t) len);
        rename (staging, final);
        free (staging);
        free (final);
    }
}

static bool
holds_a_claim (void *arg)
{
    return tu_count_files (arg) > 0;
}

Test (recovery, kill_9_mid_stream_gives_exactly_one_record_per_file)
{
    char *dir = tu_tempdir ("recovery");
    const char *extra [] = { "--workers", "2", "--corpus", "none", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    /*  Distinct small articles: a first part, of which some are recorded
        before the kill; then the workers are held (SIGSTOP) and the rest
        dropped, so that at the kill some are claimed and in flight and
        others wait in the inbox, however fast the pipeline would have
        gone through all of them (it did, on an idle machine, between two
        looks at the log).  */
    enum { N = 300, FIRST = 20 };
    drop_articles (d, 0, FIRST);
    tu_wait_log (d, "event=recorded", 5, 20000);
    pid_t workers [8];
    int nw = tu_children (d->pid, workers, 8);
    cr_assert_eq (nw, 2, "clipd's two workers");
    for (int i = 0; i < nw; i++)
        cr_assert_eq (kill (workers [i], SIGSTOP), 0);
    drop_articles (d, FIRST, N);
    char *claims = clip_path_join (d->state, "processing");
    cr_assert (tu_wait_for (holds_a_claim, claims, 20000), "a file claimed after the workers stopped");
    free (claims);
    /*  Kill in the middle: records committed, others in flight or waiting.  */
    tu_daemon_kill (d);
    for (int i = 0; i < nw; i++)
        kill (workers [i], SIGKILL);
    int before = tu_log_count (d, "event=recorded");
    cr_assert_lt (before, N, "the kill came before the end (%d records)", before);
    tu_daemon_free (d);

    d = tu_daemon_start (dir, extra);
    char *done = clip_path_join (d->state, "done");
    tu_wait_files (done, N, 30000);
    char *processing = clip_path_join (d->state, "processing");
    cr_assert_eq (tu_count_files (processing), 0);
    cr_assert_eq (tu_count_files (d->inbox), 0);
    cr_assert_eq (tu_daemon_stop (d), 0);
    cr_assert_eq (tu_db_int (d->state, "SELECT count(*) FROM results"), N, "one record per file");
    cr_assert_eq (tu_db_int (d->state, "SELECT count(DISTINCT claim) FROM results"), N);
    cr_assert_eq (tu_db_int (d->state, "SELECT max(seq) FROM results"), N, "seq has no gap");
    cr_assert_eq (tu_db_int (d->state, "SELECT count(*) FROM corpus_articles"), N);
    cr_assert_eq (tu_count_files (done), N, "no file was duplicated or lost");
    tu_daemon_free (d);
    free (done);
    free (processing);
    tu_rmtree (dir);
    free (dir);
}

/*  A worker that takes a task and never answers (a real DEALER speaking the
    protocol, standing for a hung or partitioned worker).  */
Test (recovery, a_task_whose_worker_is_late_goes_to_another_and_the_late_answer_is_dropped)
{
    char *dir = tu_tempdir ("recovery");
    const char *extra [] = { "--workers", "0", "--corpus", "none", "--task-timeout-ms", "1500",
                             "--heartbeat-ms", "200", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    void *ctx = zmq_ctx_new ();
    void *stuck = zmq_socket (ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt (stuck, ZMQ_LINGER, &zero, sizeof zero);
    cr_assert_eq (zmq_connect (stuck, d->tasks), 0);
    clip_wire_msg_t ready = { .kind = CLIP_WIRE_READY, .worker = "stuck:1" };
    cr_assert_eq (clip_wire_send (stuck, NULL, 0, &ready, 0), 0);
    tu_sub_t *sub = tu_sub_new (d->pub);

    char *src = corpus_file (4);
    char *dst = clip_path_join (d->inbox, "story.txt");
    tu_drop (src, dst);
    /*  The stuck worker gets the task (skipping heartbeats).  */
    clip_wire_msg_t *task = NULL;
    for (int i = 0; i < 100 && !task; i++) {
        zmq_pollitem_t item = { stuck, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 100) <= 0)
            continue;
        zmq_msg_t *frames;
        int n = clip_wire_recv_frames (stuck, &frames, 0);
        char err [128];
        clip_wire_msg_t *m = clip_wire_decode (zmq_msg_data (&frames [0]), zmq_msg_size (&frames [0]),
                                               zmq_msg_data (&frames [1]), zmq_msg_size (&frames [1]),
                                               err, sizeof err);
        clip_wire_frames_free (frames, n);
        if (m && m->kind == CLIP_WIRE_TASK)
            task = m;
        else
            clip_wire_msg_destroy (&m);
    }
    cr_assert_not_null (task, "the only worker got the task");
    cr_assert_str_eq (task->file, "story.txt");

    /*  A real worker joins; after the deadline the task is given to it.  */
    char *worker_bin = tu_bin ("workers/clip-worker");
    const char *argv [] = { worker_bin, "--tasks", d->tasks, NULL };
    pid_t worker = tu_spawn (argv, NULL, d->log);
    char *topic = NULL;
    char *json = tu_sub_recv (sub, 15000, &topic);
    cr_assert_not_null (json, "the record arrives through the second worker");
    char *expect = clip_strprintf (":%d\"", (int) worker);
    cr_assert (strstr (json, expect), "analysed by the real worker: %s", json);
    cr_assert_eq (tu_log_count (d, "event=task_timeout"), 1);

    /*  The stuck worker finally answers: too late, dropped.  */
    clip_wire_msg_t late = { .kind = CLIP_WIRE_RESULT, .worker = "stuck:1", .task = task->task,
                             .data = "\x80", .data_len = 1 };
    cr_assert_eq (clip_wire_send (stuck, NULL, 0, &late, 0), 0);
    tu_wait_log (d, "event=late_result_dropped", 1, 5000);
    cr_assert_null (tu_sub_recv (sub, 500, NULL), "no second record");
    cr_assert_eq (tu_daemon_stop (d), 0);
    cr_assert_eq (tu_db_int (d->state, "SELECT count(*) FROM results"), 1);
    kill (worker, SIGTERM);
    cr_assert_eq (tu_wait (worker, 5000), 0, "the worker exits 0 on SIGTERM");
    clip_wire_msg_destroy (&task);
    tu_sub_free (sub);
    zmq_close (stuck);
    zmq_ctx_term (ctx);
    tu_daemon_free (d);
    free (json); free (topic); free (expect); free (worker_bin); free (src); free (dst);
    tu_rmtree (dir);
    free (dir);
}

Test (recovery, a_worker_that_dies_is_restarted_and_its_task_redone)
{
    char *dir = tu_tempdir ("recovery");
    const char *extra [] = { "--workers", "1", "--corpus", "none", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    tu_wait_log (d, "event=worker_joined", 1, 10000);
    char *log = tu_read (d->log, NULL);
    char *at = strstr (log, "event=worker_spawned slot=0 pid=");
    cr_assert_not_null (at);
    int pid = atoi (at + strlen ("event=worker_spawned slot=0 pid="));
    free (log);
    cr_assert_gt (pid, 0);
    cr_assert_eq (kill (pid, SIGKILL), 0);
    tu_wait_log (d, "event=worker_spawned", 2, 10000);
    tu_wait_log (d, "event=worker_joined", 2, 10000);
    char *src = corpus_file (2);
    char *dst = clip_path_join (d->inbox, "after-restart.txt");
    tu_drop (src, dst);
    char *done = clip_path_join (d->state, "done");
    tu_wait_files (done, 1, 15000);
    cr_assert_eq (tu_daemon_stop (d), 0);
    tu_daemon_free (d);
    free (src); free (dst); free (done);
    tu_rmtree (dir);
    free (dir);
}

Test (recovery, a_killed_daemon_takes_its_workers_with_it)
{
    char *dir = tu_tempdir ("recovery");
    const char *extra [] = { "--workers", "2", "--corpus", "none", "--heartbeat-ms", "200", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    tu_wait_log (d, "event=worker_joined", 2, 10000);
    char *log = tu_read (d->log, NULL);
    int pids [2] = { 0, 0 };
    char *p = log;
    for (int i = 0; i < 2; i++) {
        p = strstr (p, "event=worker_spawned");
        cr_assert_not_null (p);
        p = strstr (p, "pid=") + 4;
        pids [i] = atoi (p);
    }
    free (log);
    tu_daemon_kill (d);
    /*  Workers notice within about a second that their parent is gone.  */
    for (int i = 0; i < 2; i++) {
        bool gone = false;
        for (int t = 0; t < 100 && !gone; t++) {
            gone = kill (pids [i], 0) != 0;
            usleep (50000);
        }
        cr_assert (gone, "worker %d exited with its daemon", pids [i]);
    }
    tu_daemon_free (d);
    tu_rmtree (dir);
    free (dir);
}

/*  A worker started by hand outlives a daemon restart: it notices the
    silence, reconnects with back-off and takes work from the new daemon.
    (An ipc endpoint keeps the address fixed across the restart.)  */
Test (recovery, an_independent_worker_reconnects_to_a_restarted_daemon)
{
    char *dir = tu_tempdir ("recovery");
    char *tasks = clip_strprintf ("ipc://%s/tasks.sock", dir);
    const char *extra [] = { "--workers", "0", "--corpus", "none", "--tasks", tasks, NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    char *worker_bin = tu_bin ("workers/clip-worker");
    char *wlog = clip_path_join (dir, "worker.log");
    const char *argv [] = { worker_bin, "--tasks", tasks, "--heartbeat-ms", "200",
                            "--liveness-ms", "1000", NULL };
    pid_t worker = tu_spawn (argv, wlog, wlog);
    char *done = clip_path_join (d->state, "done");
    char *src = corpus_file (0);
    char *dst = clip_path_join (d->inbox, "before.txt");
    tu_drop (src, dst);
    tu_wait_files (done, 1, 15000);
    cr_assert_eq (tu_daemon_stop (d), 0);
    tu_daemon_free (d);
    usleep (1500000);
    d = tu_daemon_start (dir, extra);
    free (dst);
    dst = clip_path_join (d->inbox, "after.txt");
    free (src);
    src = corpus_file (1);
    tu_drop (src, dst);
    tu_wait_files (done, 2, 20000);
    cr_assert_eq (tu_daemon_stop (d), 0);
    char *log = tu_read (wlog, NULL);
    cr_assert (strstr (log, "event=daemon_silent"), "the worker noticed the restart");
    free (log);
    kill (worker, SIGTERM);
    cr_assert_eq (tu_wait (worker, 5000), 0);
    tu_daemon_free (d);
    free (tasks); free (worker_bin); free (wlog); free (done); free (src); free (dst);
    tu_rmtree (dir);
    free (dir);
}

/*  A crash after a failed file's NAME.error.json was written but before the
    file itself was moved: the restart moves it beside that same error file
    instead of leaving an orphan and a second name.  */
Test (recovery, a_failed_file_interrupted_before_its_move_keeps_its_error_file)
{
    char *dir = tu_tempdir ("recovery");
    const char *extra [] = { "--workers", "1", "--corpus", "none", "--max-bytes", "100", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    char *src = corpus_file (0);
    char *dst = clip_path_join (d->inbox, "big.txt");
    tu_drop (src, dst);
    char *failed = clip_path_join (d->state, "failed");
    tu_wait_files (failed, 2, 15000);
    cr_assert_eq (tu_daemon_stop (d), 0);
    sqlite3_int64 claim = tu_db_int (d->state, "SELECT claim FROM results WHERE seq = 1");
    char *claim_name = clip_claim_filename ((uint64_t) claim, "big.txt");
    char *from = clip_path_join (failed, "big.txt");
    char *processing = clip_path_join (d->state, "processing");
    char *to = clip_path_join (processing, claim_name);
    cr_assert_eq (rename (from, to), 0);
    tu_daemon_free (d);
    d = tu_daemon_start (dir, extra);
    tu_wait_files (failed, 2, 15000);
    cr_assert_eq (tu_daemon_stop (d), 0);
    cr_assert_eq (access (from, F_OK), 0, "big.txt is back beside its error file");
    cr_assert_eq (tu_count_files (failed), 2, "no big.1.txt and no orphan error file");
    cr_assert_eq (tu_count_files (processing), 0);
    cr_assert_eq (tu_db_int (d->state, "SELECT count(*) FROM results"), 1);
    tu_daemon_free (d);
    free (src); free (dst); free (failed); free (claim_name); free (from); free (processing); free (to);
    tu_rmtree (dir);
    free (dir);
}
