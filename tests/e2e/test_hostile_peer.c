/*  Hostile peers against a real clipd: a fake worker (a real DEALER) that
    answers with malformed records, frames above the limit, replay clients
    that never read, and replay `since` at the edges of uint64.  clipd must
    stay up, fail only the files concerned (bad_result), count what it
    refused on /metrics, bound its memory, and keep serving real workers and
    well-behaved clients.  */
#include <criterion/criterion.h>
#include <msgpack.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "clip_corpus.h"
#include "clip_db.h"
#include "clip_msgpack.h"
#include "clip_record.h"
#include "clip_replay_msg.h"
#include "clip_util.h"
#include "clip_wire.h"
#include "results.h"
#include "testutil.h"

#define ARTICLE "Huawei unveiled a new phone in London on Monday.\n"

/*  ---------------------------------------------------------------------
    Helpers
    --------------------------------------------------------------------- */

static long
vm_rss_kb (pid_t pid)
{
    char path [64];
    snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
    FILE *f = fopen (path, "r");
    cr_assert_not_null (f, "clipd (pid %d) is gone", (int) pid);
    char line [256];
    long kb = -1;
    while (fgets (line, sizeof line, f))
        if (sscanf (line, "VmRSS: %ld kB", &kb) == 1)
            break;
    fclose (f);
    return kb;
}

static void *
dealer_new (void *ctx, const char *endpoint)
{
    void *s = zmq_socket (ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero);
    cr_assert_eq (zmq_connect (s, endpoint), 0);
    return s;
}

typedef struct {
    const char *path;
    const char *needle;
} file_has_t;

static bool
file_has (void *arg)
{
    file_has_t *c = arg;
    char *text = tu_read (c->path, NULL);
    bool found = text && strstr (text, c->needle);
    free (text);
    return found;
}

/*  ---------------------------------------------------------------------
    Malformed records from a worker
    --------------------------------------------------------------------- */

static clip_record_t *
good_record (size_t bytes)
{
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->id, "0123456789abcdef0123456789abcdef");
    clip_record_set (rec, &rec->file, "whatever.txt");
    clip_record_set (rec, &rec->encoding, "utf-8");
    clip_record_set (rec, &rec->title, "Huawei");
    clip_record_set (rec, &rec->worker, "evil:1");
    rec->bytes = bytes;
    clip_record_add_entity (rec, "ORG", "Huawei", "Huawei", 0, 6);
    return rec;
}

static void
encode_case (int which, size_t bytes, char **data, size_t *len)
{
    clip_record_t *rec = good_record (bytes);
    switch (which) {
        case 0:                 /* status ok, no id: aborted clipd before */
            clip_record_set (rec, &rec->id, NULL);
            break;
        case 1: {               /* id nil */
            msgpack_sbuffer sbuf;
            msgpack_sbuffer_init (&sbuf);
            msgpack_packer pk;
            msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
            msgpack_pack_map (&pk, 6);
            clip_msgpack_pack_kv_uint (&pk, "v", 1);
            clip_msgpack_pack_str (&pk, "id");
            msgpack_pack_nil (&pk);
            clip_msgpack_pack_kv_str (&pk, "file", "x");
            clip_msgpack_pack_kv_uint (&pk, "bytes", bytes);
            clip_msgpack_pack_kv_str (&pk, "status", "ok");
            clip_msgpack_pack_str (&pk, "entities");
            msgpack_pack_array (&pk, 0);
            *len = sbuf.size;
            *data = msgpack_sbuffer_release (&sbuf);
            clip_record_destroy (&rec);
            return;
        }
        case 2:                 /* an entity past the end of the file */
            clip_record_add_entity (rec, "PER", "x", "x", 3, bytes + 1);
            break;
        case 3:                 /* an entity type that does not exist */
            clip_record_add_entity (rec, "WEAPON", "x", "x", 0, 1);
            break;
        case 4:                 /* a status that does not exist */
            clip_record_set (rec, &rec->status, "maybe");
            break;
        case 5:                 /* an id that is not hex */
            clip_record_set (rec, &rec->id, "../../etc/passwd");
            break;
        case 6:                 /* start after end */
            clip_record_add_entity (rec, "LOC", "x", "x", 5, 4);
            break;
        case 7:                 /* not msgpack at all */
            clip_record_destroy (&rec);
            *data = clip_strdup ("\xc1garbage");
            *len = 8;
            return;
        case 8:                 /* a good record with a malformed sketch (below) */
            break;
        case 9: {               /* a record far larger than its file can make */
            char *title = malloc (70001);
            memset (title, 't', 70000);
            title [70000] = 0;
            clip_record_set (rec, &rec->title, title);
            free (title);
            break;
        }
        case 10:                /* a good record, a sketch whose hashes are not sorted (below) */
            break;
    }
    clip_record_encode (rec, data, len);
    clip_record_destroy (&rec);
}
#define N_CASES 11

/*  Case 10's sketch: a well-formed header (version 2, three hashes) whose
    hashes go down, which every comparison assumes they never do.  */
static char UNSORTED_SKETCH [] =
    "CS\x02\x00\x03\x00\x00\x00" "\x09\x00\x00\x00" "\x05\x00\x00\x00" "\x01\x00\x00\x00";

Test (hostile, malformed_results_fail_the_file_and_clipd_keeps_serving, .timeout = 240)
{
    char *dir = tu_tempdir ("hostile-result");
    const char *extra [] = { "--corpus", "none", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    void *ctx = zmq_ctx_new ();
    void *evil = tu_worker_connect (ctx, d, "evil:1", 0);
    char *failed = clip_path_join (d->state, "failed");

    for (int i = 0; i < N_CASES; i++) {
        char name [64], tmp [PATH_MAX];
        snprintf (name, sizeof name, "bad-%d.txt", i);
        char *dst = clip_path_join (d->inbox, name);
        snprintf (tmp, sizeof tmp, "%s/.%s.tmp", d->inbox, name);
        tu_write (tmp, ARTICLE, strlen (ARTICLE));
        cr_assert_eq (rename (tmp, dst), 0);
        clip_wire_msg_t *task = tu_worker_recv_task (evil, 30000);
        cr_assert_not_null (task, "case %d: no TASK within 30 s", i);
        cr_assert_eq (task->data_len, strlen (ARTICLE));
        char *record;
        size_t len;
        encode_case (i, task->data_len, &record, &len);
        clip_wire_msg_t result = {
            .kind = CLIP_WIRE_RESULT, .worker = "evil:1", .task = task->task,
            .data = record, .data_len = len,
            .sketch = i == 8 ? (char *) "CS?" : i == 10 ? UNSORTED_SKETCH : NULL,
            .sketch_len = i == 8 ? 3 : i == 10 ? sizeof UNSORTED_SKETCH - 1 : 0
        };
        cr_assert_eq (clip_wire_send (evil, NULL, 0, &result, 0), 0);
        free (record);
        clip_wire_msg_destroy (&task);

        char *error_json = clip_strprintf ("%s/%s.error.json", failed, name);
        file_has_t c = { error_json, "\"bad_result\"" };
        cr_assert (tu_wait_for (file_has, &c, 30000),
                   "case %d: %s did not appear with code bad_result", i, error_json);
        cr_assert_eq (kill (d->pid, 0), 0, "case %d: clipd died", i);
        free (error_json);
        free (dst);
    }
    cr_assert_eq (tu_metric (d, "clipd_bad_results_total"), N_CASES);
    cr_assert_eq (tu_log_count (d, "event=bad_result"), N_CASES);
    zmq_close (evil);

    /*  A real worker is served as before.  */
    char *worker = tu_bin ("workers/clip-worker");
    const char *wargv [] = { worker, "--tasks", d->tasks, "--exit-with-parent", NULL };
    pid_t wpid = tu_spawn (wargv, NULL, NULL);
    char *good = clip_path_join (d->inbox, "good.txt");
    char tmp [PATH_MAX];
    snprintf (tmp, sizeof tmp, "%s/.good.tmp", d->inbox);
    tu_write (tmp, ARTICLE, strlen (ARTICLE));
    cr_assert_eq (rename (tmp, good), 0);
    char *done = clip_path_join (d->state, "done");
    tu_wait_files (done, 1, 60000);
    kill (wpid, SIGTERM);
    tu_wait (wpid, 10000);
    cr_assert_eq (tu_daemon_stop (d), 0);
    zmq_ctx_term (ctx);
    free (good);
    free (done);
    free (worker);
    free (failed);
    tu_daemon_free (d);
    tu_rmtree (dir);
    free (dir);
}

/*  ---------------------------------------------------------------------
    Frames above the limit
    --------------------------------------------------------------------- */

Test (hostile, a_frame_above_the_limit_is_dropped_and_real_workers_are_served, .timeout = 240)
{
    char *dir = tu_tempdir ("hostile-frame");
    /*  --max-bytes 1000 --max-entities 10: the task endpoint takes frames
        of clip_wire_result_frame_max (1000, 10), about 140 KiB.  */
    const char *extra [] = { "--corpus", "none", "--max-bytes", "1000", "--max-entities", "10",
                             NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    cr_assert_lt (clip_wire_result_frame_max (1000, 10), 256 * 1024);
    void *ctx = zmq_ctx_new ();
    void *evil = dealer_new (ctx, d->tasks);
    /*  A READY that decodes fine, padded to 8 MiB with a key nobody reads:
        without the frame limit clipd reads all of it and lets "big:1" in.  */
    size_t pad = 8u << 20;
    char *big = malloc (pad + 64);
    size_t n = 0;
    big [n++] = (char) 0x83;
    memcpy (big + n, "\xa6" "worker" "\xa5" "big:1", 13);
    n += 13;
    memcpy (big + n, "\xa8" "protocol" "\x01", 10);
    n += 10;
    memcpy (big + n, "\xa3" "pad" "\xc6", 5);
    n += 5;
    big [n++] = (char) (pad >> 24);
    big [n++] = (char) (pad >> 16);
    big [n++] = (char) (pad >> 8);
    big [n++] = (char) pad;
    memset (big + n, 'x', pad);
    n += pad;
    long rss_before = vm_rss_kb (d->pid);
    cr_assert_eq (zmq_send (evil, "READY", 5, ZMQ_SNDMORE), 5);
    cr_assert_eq (zmq_send (evil, big, n, 0), (int) n);
    free (big);

    /*  A real worker still gets work and finishes it.  */
    char *worker = tu_bin ("workers/clip-worker");
    const char *wargv [] = { worker, "--tasks", d->tasks, "--exit-with-parent", NULL };
    pid_t wpid = tu_spawn (wargv, NULL, NULL);
    char *good = clip_path_join (d->inbox, "good.txt");
    char tmp [PATH_MAX];
    snprintf (tmp, sizeof tmp, "%s/.good.tmp", d->inbox);
    tu_write (tmp, ARTICLE, strlen (ARTICLE));
    cr_assert_eq (rename (tmp, good), 0);
    char *done = clip_path_join (d->state, "done");
    tu_wait_files (done, 1, 60000);
    cr_assert_eq (kill (d->pid, 0), 0, "clipd died");
    cr_assert_eq (tu_log_count (d, "big:1"), 0, "the oversized READY was read and accepted");
    long rss_after = vm_rss_kb (d->pid);
    cr_assert_lt (rss_after - rss_before, 8 * 1024,
                  "clipd grew by %ld kB reading a frame it should have refused",
                  rss_after - rss_before);
    kill (wpid, SIGTERM);
    tu_wait (wpid, 10000);
    zmq_close (evil);
    cr_assert_eq (tu_daemon_stop (d), 0);
    zmq_ctx_term (ctx);
    free (good);
    free (done);
    free (worker);
    tu_daemon_free (d);
    tu_rmtree (dir);
    free (dir);
}

/*  ---------------------------------------------------------------------
    Replay
    --------------------------------------------------------------------- */

/*  Fill STATE/clipd.db with n failed records whose message is pad bytes
    long, as clipd would have committed them, before clipd starts.  */
static void
make_log (const char *dir, int n, size_t pad)
{
    char *state = clip_path_join (dir, "var");
    mkdir (state, 0755);
    char *path = clip_path_join (state, "clipd.db");
    char err [256];
    sqlite3 *db = clip_db_open (path, 0, err, sizeof err);
    cr_assert_not_null (db, "%s", err);
    clip_corpus_t *corpus = clip_corpus_open (db, NULL, err, sizeof err);
    cr_assert_not_null (corpus, "%s", err);
    clip_results_t *results = clip_results_open (db, err, sizeof err);
    cr_assert_not_null (results, "%s", err);
    char *message = malloc (pad + 1);
    memset (message, 'm', pad);
    message [pad] = 0;
    cr_assert_eq (clip_db_exec (db, "BEGIN IMMEDIATE", err, sizeof err), 0, "%s", err);
    for (int i = 1; i <= n; i++) {
        clip_record_t *rec = clip_record_new ();
        char name [32];
        snprintf (name, sizeof name, "f%d.txt", i);
        clip_record_set (rec, &rec->file, name);
        clip_record_set_error (rec, "unreadable", message);
        rec->received = 1;
        rec->has_seq = true;
        rec->seq = clip_results_next_seq (results);
        rec->has_times = true;
        rec->done = clip_now_ms ();
        char *packed;
        size_t len;
        clip_record_encode (rec, &packed, &len);
        cr_assert_eq (clip_results_insert (results, rec->seq, (uint64_t) i, clip_record_topic (rec),
                                           packed, len), 0);
        free (packed);
        clip_record_destroy (&rec);
    }
    cr_assert_eq (clip_db_exec (db, "COMMIT", err, sizeof err), 0, "%s", err);
    clip_results_committed (results);
    free (message);
    clip_results_destroy (&results);
    clip_corpus_destroy (&corpus);
    sqlite3_close (db);
    free (path);
    free (state);
}

typedef struct {
    int records;
    uint64_t first, last_seq;
    size_t bytes, biggest;
    bool ended;
    clip_replay_end_t end;
    bool refused;
    clip_replay_error_t error;
} page_t;

/*  Send one request and read its answer to the end (at most timeout_ms).  */
static void
ask (void *dealer, uint64_t since, uint64_t limit, page_t *page, int timeout_ms)
{
    memset (page, 0, sizeof *page);
    clip_replay_request_t req = { .since = since, .limit = limit };
    char *data;
    size_t len;
    clip_replay_request_encode (&req, &data, &len);
    cr_assert_eq (zmq_send (dealer, data, len, 0), (int) len);
    free (data);
    uint64_t until = clip_mono_ms () + (uint64_t) timeout_ms;
    while (!page->ended && !page->refused) {
        cr_assert_lt (clip_mono_ms (), until, "no replay.end within %d ms", timeout_ms);
        zmq_pollitem_t item = { .socket = dealer, .events = ZMQ_POLLIN };
        if (zmq_poll (&item, 1, 200) <= 0)
            continue;
        zmq_msg_t *frames;
        int n = clip_wire_recv_frames (dealer, &frames, ZMQ_DONTWAIT);
        if (n < 0)
            continue;
        cr_assert_eq (n, 2);
        const char *topic = zmq_msg_data (&frames [0]);
        size_t tlen = zmq_msg_size (&frames [0]);
        const void *body = zmq_msg_data (&frames [1]);
        size_t blen = zmq_msg_size (&frames [1]);
        char err [256];
        if (tlen == strlen (CLIP_REPLAY_END_TOPIC) && memcmp (topic, CLIP_REPLAY_END_TOPIC, tlen) == 0) {
            cr_assert_eq (clip_replay_end_decode (body, blen, &page->end, err, sizeof err), 0, "%s", err);
            page->ended = true;
        }
        else
        if (tlen == strlen (CLIP_REPLAY_ERROR_TOPIC) && memcmp (topic, CLIP_REPLAY_ERROR_TOPIC, tlen) == 0) {
            cr_assert_eq (clip_replay_error_decode (body, blen, &page->error, err, sizeof err), 0);
            page->refused = true;
        }
        else {
            clip_record_t *rec = clip_record_decode (body, blen, err, sizeof err);
            cr_assert_not_null (rec, "%s", err);
            cr_assert (rec->has_seq);
            cr_assert_gt (rec->seq, since);
            if (page->records == 0)
                page->first = rec->seq;
            else
                cr_assert_eq (rec->seq, page->last_seq + 1, "a gap in the page");
            page->last_seq = rec->seq;
            page->records++;
            page->bytes += blen;
            if (blen > page->biggest)
                page->biggest = blen;
            clip_record_destroy (&rec);
        }
        clip_wire_frames_free (frames, n);
    }
}

Test (hostile, replay_since_is_unsigned, .timeout = 120)
{
    char *dir = tu_tempdir ("hostile-since");
    make_log (dir, 5, 10);
    const char *extra [] = { "--corpus", "none", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    void *ctx = zmq_ctx_new ();
    void *client = dealer_new (ctx, d->replay);
    page_t page;
    uint64_t empty [] = {
        5, 6, (uint64_t) INT64_MAX - 1, (uint64_t) INT64_MAX, (uint64_t) INT64_MAX + 1,
        UINT64_MAX - 1, UINT64_MAX
    };
    for (size_t i = 0; i < sizeof empty / sizeof empty [0]; i++) {
        ask (client, empty [i], 100, &page, 20000);
        cr_assert (page.ended);
        cr_assert_eq (page.records, 0, "since %llu returned %d records",
                      (unsigned long long) empty [i], page.records);
        cr_assert_eq (page.end.last, empty [i]);
        cr_assert_eq (page.end.head, 5);
        cr_assert_not (page.end.more);
    }
    ask (client, 4, 100, &page, 20000);                 /* head - 1 */
    cr_assert_eq (page.records, 1);
    cr_assert_eq (page.first, 5);
    cr_assert_eq (page.end.last, 5);
    ask (client, 0, 2, &page, 20000);
    cr_assert_eq (page.records, 2);
    cr_assert_eq (page.end.last, 2);
    cr_assert (page.end.more);
    /*  limit 0 and a missing since are refused by clipd itself.  */
    ask (client, 0, 0, &page, 20000);
    cr_assert (page.refused);
    cr_assert_str_eq (page.error.code, "bad_request");
    cr_assert (strstr (page.error.message, "'limit'"), "%s", page.error.message);
    cr_assert_eq (zmq_send (client, "\x81\xa5topic\xa0", 8, 0), 8);     /* {topic: ""} */
    zmq_msg_t *frames;
    zmq_pollitem_t item = { .socket = client, .events = ZMQ_POLLIN };
    cr_assert_eq (zmq_poll (&item, 1, 20000), 1, "no answer to a request without since");
    int n = clip_wire_recv_frames (client, &frames, 0);
    cr_assert_eq (n, 2);
    clip_replay_error_t refusal;
    cr_assert_eq (clip_replay_error_decode (zmq_msg_data (&frames [1]), zmq_msg_size (&frames [1]),
                                            &refusal, NULL, 0), 0);
    cr_assert (strstr (refusal.message, "'since': required"), "%s", refusal.message);
    clip_wire_frames_free (frames, n);
    cr_assert_eq (tu_metric (d, "clipd_replay_refused_total{reason=\"bad_request\"}"), 2);
    zmq_close (client);
    cr_assert_eq (tu_daemon_stop (d), 0);
    zmq_ctx_term (ctx);
    tu_daemon_free (d);
    tu_rmtree (dir);
    free (dir);
}

/*  What clipd's RSS may grow by while 4 clients ask 40 pages each and
    never read: each costs at most CLIP_REPLAY_SNDHWM messages of one
    record (about 4 KiB here), 0.5 MiB; the rest is slack for the
    allocator.  ASan's quarantine keeps freed memory resident, hence the
    larger bound there.  (Without the bound, this costs over 300 MiB.)  */
#if defined (__SANITIZE_ADDRESS__)
#   define NON_READER_BOUND_KB (144 * 1024)
#else
#   define NON_READER_BOUND_KB (48 * 1024)
#endif

Test (hostile, replay_clients_that_never_read_cost_bounded_memory, .timeout = 240)
{
    char *dir = tu_tempdir ("hostile-replay");
    /*  3000 records of about 4 KiB: 12 MiB of log.  */
    make_log (dir, 3000, 4000);
    const char *extra [] = { "--corpus", "none", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    void *ctx = zmq_ctx_new ();

    /*  Warm up (SQLite's page cache, the allocator) with one full read.  */
    void *client = dealer_new (ctx, d->replay);
    page_t page;
    ask (client, 0, 10000, &page, 60000);
    cr_assert (page.ended);
    long rss_before = vm_rss_kb (d->pid);

    /*  Clients that ask and never read: a small receive buffer and queue
        on their side, so that what piles up piles up in clipd.  */
    enum { N_EVIL = 4, N_REQUESTS = 40 };
    void *evil [N_EVIL];
    for (int i = 0; i < N_EVIL; i++) {
        evil [i] = zmq_socket (ctx, ZMQ_DEALER);
        int one = 1, small = 4096, zero = 0;
        zmq_setsockopt (evil [i], ZMQ_RCVHWM, &one, sizeof one);
        zmq_setsockopt (evil [i], ZMQ_RCVBUF, &small, sizeof small);
        zmq_setsockopt (evil [i], ZMQ_LINGER, &zero, sizeof zero);
        cr_assert_eq (zmq_connect (evil [i], d->replay), 0);
        clip_replay_request_t req = { .since = 0, .limit = 10000 };
        char *data;
        size_t len;
        clip_replay_request_encode (&req, &data, &len);
        for (int r = 0; r < N_REQUESTS; r++)
            cr_assert_eq (zmq_send (evil [i], data, len, 0), (int) len);
        free (data);
    }
    /*  Wait until clipd has read every request.  */
    tu_wait_metric (d, "clipd_replay_requests_total", 1 + N_EVIL * N_REQUESTS, 60000);
    long requests = tu_metric (d, "clipd_replay_requests_total");
    cr_assert_eq (requests, 1 + N_EVIL * N_REQUESTS);
    long busy = tu_metric (d, "clipd_replay_refused_total{reason=\"busy\"}");
    long rss_after = vm_rss_kb (d->pid);
    fprintf (stderr, "replay non-readers: clipd VmRSS %ld kB -> %ld kB (+%ld kB), busy %ld\n",
             rss_before, rss_after, rss_after - rss_before, busy);
    cr_assert_lt (rss_after - rss_before, NON_READER_BOUND_KB,
                  "clipd grew by %ld kB for %d clients that never read",
                  rss_after - rss_before, N_EVIL);
    /*  Most requests came while the client's page was held: refused.
        (How many pages fit in the kernel's buffers before the first hold
        depends on timing.)  */
    cr_assert_geq (busy, N_EVIL * N_REQUESTS / 2);

    /*  A well-behaved client is still answered, in pages bounded in bytes:
        it pages through all 3000 records.  */
    uint64_t since = 0;
    int pages = 0, total = 0;
    do {
        ask (client, since, 10000, &page, 60000);
        cr_assert (page.ended, "refused: %s: %s", page.error.code, page.error.message);
        cr_assert_leq (page.bytes - page.biggest, CLIP_REPLAY_PAGE_BYTES,
                       "a page of %zu bytes", page.bytes);
        total += page.records;
        since = page.end.last;
        pages++;
    } while (page.end.more);
    cr_assert_eq (total, 3000);
    cr_assert_eq (since, 3000);
    cr_assert_gt (pages, 3, "12 MiB came in %d pages", pages);
    cr_assert_eq (kill (d->pid, 0), 0);

    for (int i = 0; i < N_EVIL; i++)
        zmq_close (evil [i]);
    zmq_close (client);
    cr_assert_eq (tu_daemon_stop (d), 0);
    zmq_ctx_term (ctx);
    tu_daemon_free (d);
    tu_rmtree (dir);
    free (dir);
}

/*  ---------------------------------------------------------------------
    Entities: many are legitimate, more than --max-entities are not
    --------------------------------------------------------------------- */

/*  True once done/ or failed/ (arg: their two paths) holds a file.  */
static bool
finished_in (void *arg)
{
    const char **dirs = arg;
    return tu_count_files (dirs [0]) + tu_count_files (dirs [1]) > 0;
}

/*  A real worker on an article dense in short aliased names ("UK" is
    "United Kingdom"): its record is many times the file's size, and must
    be taken, not refused as bad_result.  */
Test (hostile, an_entity_dense_article_from_a_real_worker_is_recorded, .timeout = 240)
{
    char *dir = tu_tempdir ("hostile-dense");
    const char *extra [] = { "--corpus", "none", "--workers", "1", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    size_t reps = 2000;
    const char unit [] = "UK, US, EU. ";
    char *text = malloc (reps * (sizeof unit - 1) + 1);
    for (size_t i = 0; i < reps; i++)
        memcpy (text + i * (sizeof unit - 1), unit, sizeof unit - 1);
    text [reps * (sizeof unit - 1)] = 0;
    char tmp [PATH_MAX];
    snprintf (tmp, sizeof tmp, "%s/.dense.tmp", d->inbox);
    tu_write (tmp, text, strlen (text));
    char *dst = clip_path_join (d->inbox, "dense.txt");
    cr_assert_eq (rename (tmp, dst), 0);
    char *done = clip_path_join (d->state, "done");
    char *failed = clip_path_join (d->state, "failed");
    const char *dirs [2] = { done, failed };
    cr_assert (tu_wait_for (finished_in, dirs, 120000), "dense.txt was not finished within 120 s");
    char *error_json = clip_strprintf ("%s/dense.txt.error.json", failed);
    char *why = tu_read (error_json, NULL);
    cr_assert_null (why, "dense.txt failed: %s", why);
    free (error_json);
    cr_assert_eq (tu_metric (d, "clipd_bad_results_total"), 0);
    cr_assert_eq (tu_daemon_stop (d), 0);
    free (text);
    free (dst);
    free (done);
    free (failed);
    tu_daemon_free (d);
    tu_rmtree (dir);
    free (dir);
}

/*  A record holding more entities than clipd's --max-entities is refused:
    that bound is what lets clipd bound the record's size.  */
Test (hostile, a_record_with_more_entities_than_the_cap_is_refused, .timeout = 240)
{
    char *dir = tu_tempdir ("hostile-cap");
    const char *extra [] = { "--corpus", "none", "--max-entities", "2", NULL };
    tu_daemon_t *d = tu_daemon_start (dir, extra);
    void *ctx = zmq_ctx_new ();
    void *evil = tu_worker_connect (ctx, d, "evil:1", 0);
    char *failed = clip_path_join (d->state, "failed");
    char *done = clip_path_join (d->state, "done");
    const char *names [] = { "two.txt", "three.txt" };
    for (int i = 0; i < 2; i++) {
        char tmp [PATH_MAX];
        snprintf (tmp, sizeof tmp, "%s/.%s.tmp", d->inbox, names [i]);
        tu_write (tmp, ARTICLE, strlen (ARTICLE));
        char *dst = clip_path_join (d->inbox, names [i]);
        cr_assert_eq (rename (tmp, dst), 0);
        free (dst);
        clip_wire_msg_t *task = tu_worker_recv_task (evil, 30000);
        cr_assert_not_null (task, "%s: no TASK within 30 s", names [i]);
        clip_record_t *rec = good_record (task->data_len);
        clip_record_add_entity (rec, "LOC", "London", "London", 31, 37);
        if (i == 1)
            clip_record_add_entity (rec, "DATE", "Monday", "Monday", 41, 47);
        char *record;
        size_t len;
        clip_record_encode (rec, &record, &len);
        clip_record_destroy (&rec);
        clip_wire_msg_t result = {
            .kind = CLIP_WIRE_RESULT, .worker = "evil:1", .task = task->task,
            .data = record, .data_len = len
        };
        cr_assert_eq (clip_wire_send (evil, NULL, 0, &result, 0), 0);
        free (record);
        clip_wire_msg_destroy (&task);
        if (i == 0)
            tu_wait_files (done, 1, 30000);
    }
    char *error_json = clip_strprintf ("%s/three.txt.error.json", failed);
    file_has_t c = { error_json, "more than --max-entities 2" };
    cr_assert (tu_wait_for (file_has, &c, 30000), "three.txt was not refused for its entities");
    cr_assert_eq (tu_metric (d, "clipd_bad_results_total"), 1);
    zmq_close (evil);
    cr_assert_eq (tu_daemon_stop (d), 0);
    zmq_ctx_term (ctx);
    free (error_json);
    free (failed);
    free (done);
    tu_daemon_free (d);
    tu_rmtree (dir);
    free (dir);
}
