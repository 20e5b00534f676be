/*  seeds: writes the committed seed corpus of the harnesses (corpus/<harness>/)
    from the real encoders, so that the seeds are what clipd's programs
    actually send.  Run by hand after a format change; not run in CI:
        cmake --build build-fuzz --target fuzz-seeds
        build-fuzz/tests/fuzz/fuzz-seeds tests/fuzz/corpus
    Writes: the five Huawei articles cut to 1500 bytes, a Windows-1252 and a
    BOM-prefixed one (analyze, text, numex); money and date phrases (numex);
    records of those articles as clip-worker and clipd encode them, a failed
    one (record); their sketches (judge); READY, both HEARTBEATs, TASK and
    RESULT messages (wire); docs/clipd.conf.sample and a small file
    (config); replay requests, replay.end and replay.error bodies (replay).  */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include "clip_analyze.h"
#include "clip_record.h"
#include "clip_replay_msg.h"
#include "clip_util.h"
#include "clip_wire.h"

static const char *outdir;

static void
put (const char *harness, const char *name, const void *data, size_t len)
{
    char *dir = clip_strprintf ("%s/%s", outdir, harness);
    clip_mkdirs (dir, 0755);
    char *path = clip_strprintf ("%s/%s", dir, name);
    FILE *f = fopen (path, "wb");
    if (!f || fwrite (data, 1, len, f) != len) {
        fprintf (stderr, "seeds: cannot write %s: %s\n", path, strerror (errno));
        exit (1);
    }
    fclose (f);
    free (path);
    free (dir);
}

/*  The frames clip_wire_send writes, as "COMMAND\0BODY" (fuzz_wire's input).  */
static void
put_wire (void *tx, void *rx, const char *name, const clip_wire_msg_t *msg)
{
    if (clip_wire_send (tx, NULL, 0, msg, 0) != 0) {
        fprintf (stderr, "seeds: send: %s\n", zmq_strerror (errno));
        exit (1);
    }
    zmq_msg_t cmd, body;
    zmq_msg_init (&cmd);
    zmq_msg_init (&body);
    zmq_msg_recv (&cmd, rx, 0);
    zmq_msg_recv (&body, rx, 0);
    size_t len = zmq_msg_size (&cmd) + 1 + zmq_msg_size (&body);
    char *buf = clip_malloc (len);
    memcpy (buf, zmq_msg_data (&cmd), zmq_msg_size (&cmd));
    buf [zmq_msg_size (&cmd)] = 0;
    memcpy (buf + zmq_msg_size (&cmd) + 1, zmq_msg_data (&body), zmq_msg_size (&body));
    put ("fuzz_wire", name, buf, len);
    free (buf);
    zmq_msg_close (&cmd);
    zmq_msg_close (&body);
}

int
main (int argc, char **argv)
{
    if (argc != 2) {
        fprintf (stderr, "usage: fuzz-seeds OUTDIR\n");
        return 2;
    }
    outdir = argv [1];
    char err [256];
    clip_analyzer_t *an = clip_analyzer_new (CLIP_DATADIR, "seed-host:4242", err, sizeof err);
    if (!an) {
        fprintf (stderr, "seeds: %s\n", err);
        return 1;
    }
    void *ctx = zmq_ctx_new ();
    void *tx = zmq_socket (ctx, ZMQ_PAIR), *rx = zmq_socket (ctx, ZMQ_PAIR);
    zmq_bind (rx, "inproc://seeds");
    zmq_connect (tx, "inproc://seeds");

    static const char *articles [] = {
        "000_9e0fcb074dd77aaf.txt", "001_3dbc5d8e002cb599.txt", "002_b2f4190119ca8e61.txt",
        "003_209deb8297a06381.txt", "004_a2dcec478da87fef.txt",
    };
    for (int i = 0; i < 5; i++) {
        char *path = clip_strprintf ("%s/corpus/huawei/%s", CLIP_DATADIR, articles [i]);
        char *text;
        size_t len;
        if (clip_file_read (path, 1 << 20, &text, &len) != 0) {
            fprintf (stderr, "seeds: cannot read %s\n", path);
            return 1;
        }
        /*  Cut short, on a line end where there is one: small seeds are
            mutated faster.  */
        size_t cut = len < 1500 ? len : 1500;
        while (cut > 1000 && text [cut - 1] != '\n')
            cut--;
        char name [32];
        snprintf (name, sizeof name, "huawei-%d.txt", i);
        put ("fuzz_analyze", name, text, cut);
        put ("fuzz_text", name, text, cut);
        put ("fuzz_numex", name, text, cut);

        void *sketch = NULL;
        size_t sketch_len = 0;
        clip_record_t *rec = clip_analyzer_run (an, articles [i], text, cut, &sketch, &sketch_len);
        char *enc;
        size_t enc_len;
        clip_record_encode (rec, &enc, &enc_len);
        snprintf (name, sizeof name, "worker-%d.msgpack", i);
        put ("fuzz_record", name, enc, enc_len);
        snprintf (name, sizeof name, "sketch-%d", i);
        put ("fuzz_judge", name, sketch, sketch_len);
        if (i < 2) {
            clip_wire_msg_t result = { .kind = CLIP_WIRE_RESULT, .worker = "seed-host:4242",
                                       .task = 7 + (uint64_t) i, .data = enc, .data_len = enc_len,
                                       .sketch = sketch, .sketch_len = sketch_len };
            snprintf (name, sizeof name, "result-%d", i);
            put_wire (tx, rx, name, &result);
            clip_wire_msg_t task = { .kind = CLIP_WIRE_TASK, .task = 7 + (uint64_t) i,
                                     .file = (char *) articles [i], .data = text,
                                     .data_len = i == 0 ? 200 : 0 };
            snprintf (name, sizeof name, "task-%d", i);
            put_wire (tx, rx, name, &task);
        }
        /*  As clipd publishes it: seq, times, a verdict and a match.  */
        rec->has_seq = true;
        rec->seq = 41 + (uint64_t) i;
        rec->has_times = true;
        rec->received = 1764950000000ULL;
        rec->done = 1764950000123ULL;
        rec->has_dedupe = true;
        clip_record_set (rec, &rec->verdict, i ? "near_duplicate" : "unique");
        clip_record_set (rec, &rec->cluster, rec->id);
        if (i)
            clip_record_add_match (rec, rec->id, "earlier.txt", 3, 0.8125, 0.9375);
        free (enc);
        clip_record_encode (rec, &enc, &enc_len);
        snprintf (name, sizeof name, "published-%d.msgpack", i);
        put ("fuzz_record", name, enc, enc_len);
        free (enc);
        free (sketch);
        clip_record_destroy (&rec);
        free (text);
        free (path);
    }

    const char *cp1252 = "Caf\xe9 news\n\nThe \x93quoted\x94 word costs \x80" "5 million on 3 March 2019.\n";
    put ("fuzz_analyze", "cp1252.txt", cp1252, strlen (cp1252));
    put ("fuzz_text", "cp1252.txt", cp1252, strlen (cp1252));
    const char *bom = "\xef\xbb\xbfHuawei\xe2\x80\x99s headline\xe2\x80\x94 here\r\n\r\nMr. Ren Zhengfei "
                      "said the U.S. ban cost \xc2\xa3" "76.6 billion (19.5%) in the first half of 2019.\n";
    put ("fuzz_analyze", "bom.txt", bom, strlen (bom));
    put ("fuzz_text", "bom.txt", bom, strlen (bom));
    put ("fuzz_numex", "bom.txt", bom, strlen (bom));
    const char *numex = "On Friday, March 31, 2019, it paid $100 billion, 50 cents, \xc2\xa5" "3,000.50 "
                        "and 25 per cent, 3 percentage points more than in late May, the 1990s, "
                        "the past five years and last year's 19.5%; billions of dollars since 2019.\n";
    put ("fuzz_numex", "numex.txt", numex, strlen (numex));

    clip_record_t *failed = clip_record_new ();
    clip_record_set (failed, &failed->file, "image.png");
    failed->bytes = 600;
    clip_record_set_error (failed, "not_text", "the file holds binary data, not text");
    char *enc;
    size_t enc_len;
    clip_record_encode (failed, &enc, &enc_len);
    put ("fuzz_record", "failed.msgpack", enc, enc_len);
    clip_wire_msg_t fresult = { .kind = CLIP_WIRE_RESULT, .worker = "w:1", .task = 3,
                                .data = enc, .data_len = enc_len };
    put_wire (tx, rx, "result-failed", &fresult);
    free (enc);
    clip_record_destroy (&failed);

    clip_wire_msg_t ready = { .kind = CLIP_WIRE_READY, .worker = "seed-host:4242" };
    put_wire (tx, rx, "ready", &ready);
    clip_wire_msg_t hb = { .kind = CLIP_WIRE_HEARTBEAT, .worker = "seed-host:4242", .busy = true };
    put_wire (tx, rx, "heartbeat-worker", &hb);
    clip_wire_msg_t hb0 = { .kind = CLIP_WIRE_HEARTBEAT };
    put_wire (tx, rx, "heartbeat-daemon", &hb0);

    char *sample_path = clip_strprintf ("%s/docs/clipd.conf.sample", CLIP_DATADIR);
    char *sample;
    size_t sample_len;
    if (clip_file_read (sample_path, 1 << 20, &sample, &sample_len) == 0) {
        put ("fuzz_config", "clipd.conf.sample", sample, sample_len);
        free (sample);
    }
    free (sample_path);
    const char *small = "[clipd]\nworkers = 2\nmax-bytes=4000\n; comment\non-done = delete\n"
                        "near-jaccard = 0.45\n[other]\nignored = yes\n";
    put ("fuzz_config", "small.conf", small, strlen (small));

    /*  Replay: requests as `clip sub` sends them, and clipd's answers.  */
    const clip_replay_request_t reqs [] = {
        { .since = 0, .topic = "", .limit = CLIP_REPLAY_DEFAULT_LIMIT },
        { .since = 41, .topic = "article.near", .limit = 10 },
        { .since = UINT64_MAX, .topic = "error", .limit = CLIP_REPLAY_MAX_LIMIT },
    };
    for (size_t i = 0; i < sizeof reqs / sizeof reqs [0]; i++) {
        char name [32];
        snprintf (name, sizeof name, "request-%zu", i);
        clip_replay_request_encode (&reqs [i], &enc, &enc_len);
        put ("fuzz_replay", name, enc, enc_len);
        free (enc);
    }
    clip_replay_end_t end = { .last = 45, .head = 1200, .more = true };
    clip_replay_end_encode (&end, &enc, &enc_len);
    put ("fuzz_replay", "end", enc, enc_len);
    free (enc);
    clip_replay_error_encode ("bad_request", "since: missing", &enc, &enc_len);
    put ("fuzz_replay", "error", enc, enc_len);
    free (enc);

    zmq_close (tx);
    zmq_close (rx);
    zmq_ctx_term (ctx);
    clip_analyzer_destroy (&an);
    return 0;
}
