/*  zap: clipd's ZAP handler answers RFC 27 requests from its allow-lists,
    per domain, refuses malformed requests without crashing, counts every
    answer and rate-limits its refusal lines.  The requests are sent here
    by hand on a DEALER in the handler's own ZeroMQ context, as libzmq
    would, plus the malformed ones libzmq never sends.  */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>
#include <zmq.h>

#include "clip_curve.h"
#include "clip_util.h"
#include "testutil.h"
#include "zap.h"

typedef struct {
    uv_loop_t loop;
    void *ctx;
    clipd_metrics_t metrics;
    clip_zap_t *zap;
    void *client;
    uint8_t allowed [32];       /* in the workers list */
    uint8_t other [32];         /* in no list */
} fixture_t;

static fixture_t *s_f;

static void
setup (void)
{
    fixture_t *f = clip_calloc (1, sizeof *f);
    uv_loop_init (&f->loop);
    f->ctx = zmq_ctx_new ();
    char err [256];
    f->zap = clip_zap_new (&f->loop, f->ctx, &f->metrics, err, sizeof err);
    cr_assert_not_null (f->zap, "%s", err);
    clip_curve_pair_t a, b;
    cr_assert_eq (clip_curve_pair_generate (&a, err, sizeof err), 0);
    cr_assert_eq (clip_curve_pair_generate (&b, err, sizeof err), 0);
    zmq_z85_decode (f->allowed, a.public_z85);
    zmq_z85_decode (f->other, b.public_z85);
    clip_curve_list_t *list = clip_curve_list_new ();
    cr_assert_eq (clip_curve_list_add (list, a.public_z85), 0);
    cr_assert_eq (clip_zap_set_list (f->zap, CLIP_CURVE_DOMAIN_WORKERS, &list), 0);
    cr_assert_null (list, "the handler took the list");
    f->client = zmq_socket (f->ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt (f->client, ZMQ_LINGER, &zero, sizeof zero);
    cr_assert_eq (zmq_connect (f->client, CLIP_ZAP_ENDPOINT), 0);
    s_f = f;
}

static void
teardown (void)
{
    fixture_t *f = s_f;
    if (!f)
        return;
    zmq_close (f->client);
    clip_zap_destroy (&f->zap);
    uv_run (&f->loop, UV_RUN_DEFAULT);
    uv_loop_close (&f->loop);
    zmq_ctx_term (f->ctx);
    free (f);
    s_f = NULL;
}

TestSuite (zap, .init = setup, .fini = teardown, .timeout = 60);

typedef struct {
    const void *data;
    size_t len;
} part_t;

#define TXT(s) { s, sizeof s - 1 }

static void
send_parts (const part_t *parts, int n)
{
    for (int i = 0; i < n; i++)
        cr_assert_geq (zmq_send (s_f->client, parts [i].data, parts [i].len,
                                 i + 1 < n ? ZMQ_SNDMORE : 0), 0);
}

/*  Turn the loop until the client has an answer or ms pass; returns the
    status frame ("200", "400") or "" when nothing came.  */
static const char *
answer (int ms, char *status, size_t size)
{
    status [0] = 0;
    uint64_t until = clip_mono_ms () + (uint64_t) tu_scaled_ms (ms);
    while (clip_mono_ms () < until) {
        uv_run (&s_f->loop, UV_RUN_NOWAIT);
        zmq_pollitem_t item = { .socket = s_f->client, .events = ZMQ_POLLIN };
        if (zmq_poll (&item, 1, 10) <= 0)
            continue;
        /*  ["", "1.0", request id, status, text, user id, metadata]  */
        int i = 0, more = 1;
        while (more) {
            char buf [256];
            int n = zmq_recv (s_f->client, buf, sizeof buf - 1, 0);
            cr_assert_geq (n, 0);
            if (i == 3) {
                size_t len = (size_t) n < size - 1 ? (size_t) n : size - 1;
                memcpy (status, buf, len);
                status [len] = 0;
            }
            size_t sz = sizeof more;
            zmq_getsockopt (s_f->client, ZMQ_RCVMORE, &more, &sz);
            i++;
        }
        cr_assert_eq (i, 7, "an answer has 7 frames after the envelope, got %d", i);
        return status;
    }
    return status;
}

static void
request (const char *domain, const char *mechanism, const uint8_t *key)
{
    part_t parts [] = { TXT (""), TXT ("1.0"), TXT ("42"), { domain, strlen (domain) },
                        TXT ("192.0.2.7"), TXT (""), { mechanism, strlen (mechanism) },
                        { key, 32 } };
    send_parts (parts, 8);
}

Test (zap, answers_from_the_domain_list)
{
    char status [16];
    request ("workers", "CURVE", s_f->allowed);
    cr_assert_str_eq (answer (5000, status, sizeof status), "200", "a listed worker");
    request ("workers", "CURVE", s_f->other);
    cr_assert_str_eq (answer (5000, status, sizeof status), "400", "an unlisted key");
    request ("subscribers", "CURVE", s_f->allowed);
    cr_assert_str_eq (answer (5000, status, sizeof status), "400",
                      "a worker's key in the subscribers domain");
    request ("elsewhere", "CURVE", s_f->allowed);
    cr_assert_str_eq (answer (5000, status, sizeof status), "400", "an unknown domain");
    request ("workers", "PLAIN", s_f->allowed);
    cr_assert_str_eq (answer (5000, status, sizeof status), "400", "not CURVE");
    cr_assert_eq (atomic_load (&s_f->metrics.auth_accepted_workers), 1);
    cr_assert_eq (atomic_load (&s_f->metrics.auth_refused_workers), 2);
    cr_assert_eq (atomic_load (&s_f->metrics.auth_refused_subscribers), 1);
    cr_assert_eq (atomic_load (&s_f->metrics.auth_accepted_subscribers), 0);

    /*  A list replaced whole: the key is now a subscriber's only.  */
    clip_curve_list_t *list = clip_curve_list_new ();
    char z85 [41];
    zmq_z85_encode (z85, s_f->allowed, 32);
    clip_curve_list_add (list, z85);
    clip_zap_set_list (s_f->zap, CLIP_CURVE_DOMAIN_SUBSCRIBERS, &list);
    list = clip_curve_list_new ();
    clip_zap_set_list (s_f->zap, CLIP_CURVE_DOMAIN_WORKERS, &list);
    request ("subscribers", "CURVE", s_f->allowed);
    cr_assert_str_eq (answer (5000, status, sizeof status), "200");
    request ("workers", "CURVE", s_f->allowed);
    cr_assert_str_eq (answer (5000, status, sizeof status), "400");
}

Test (zap, malformed_requests_refused)
{
    char status [16];
    uint8_t key [32];
    memcpy (key, s_f->allowed, 32);
    /*  Too few frames.  */
    part_t short_req [] = { TXT (""), TXT ("1.0"), TXT ("1") };
    send_parts (short_req, 3);
    cr_assert_str_eq (answer (5000, status, sizeof status), "400");
    /*  Another version.  */
    part_t v2 [] = { TXT (""), TXT ("2.0"), TXT ("1"), TXT ("workers"), TXT (""), TXT (""),
                     TXT ("CURVE"), { key, 32 } };
    send_parts (v2, 8);
    cr_assert_str_eq (answer (5000, status, sizeof status), "400");
    /*  A key of the wrong size.  */
    part_t short_key [] = { TXT (""), TXT ("1.0"), TXT ("1"), TXT ("workers"), TXT (""), TXT (""),
                            TXT ("CURVE"), { key, 31 } };
    send_parts (short_key, 8);
    cr_assert_str_eq (answer (5000, status, sizeof status), "400");
    /*  Two credentials for CURVE.  */
    part_t two [] = { TXT (""), TXT ("1.0"), TXT ("1"), TXT ("workers"), TXT (""), TXT (""),
                      TXT ("CURVE"), { key, 32 }, { key, 32 } };
    send_parts (two, 9);
    cr_assert_str_eq (answer (5000, status, sizeof status), "400");
    /*  Too many frames, an allowed key among them.  */
    part_t many [30];
    part_t head [] = { TXT (""), TXT ("1.0"), TXT ("1"), TXT ("workers"), TXT (""), TXT (""),
                       TXT ("CURVE"), { key, 32 } };
    for (int i = 0; i < 30; i++)
        many [i] = i < 8 ? head [i] : (part_t) { key, 32 };
    send_parts (many, 30);
    cr_assert_str_eq (answer (5000, status, sizeof status), "400");
    /*  A huge frame.  */
    char *big = clip_calloc (1, 100000);
    part_t huge [] = { TXT (""), TXT ("1.0"), TXT ("1"), { big, 100000 }, TXT (""), TXT (""),
                       TXT ("CURVE"), { key, 32 } };
    send_parts (huge, 8);
    cr_assert_str_eq (answer (5000, status, sizeof status), "400");
    free (big);
    /*  No envelope delimiter: nobody to answer, dropped.  */
    part_t no_delim [] = { TXT ("1.0"), TXT ("1"), TXT ("workers") };
    send_parts (no_delim, 3);
    cr_assert_str_eq (answer (500, status, sizeof status), "", "no answer");
    /*  And the handler still answers well-formed requests.  */
    request ("workers", "CURVE", s_f->allowed);
    cr_assert_str_eq (answer (5000, status, sizeof status), "200");
}

/*  A flood of refusals: every one counted, at most CLIP_ZAP_LOG_BURST lines
    a second, and the rest summed up once the second is over.  */
Test (zap, refusal_lines_rate_limited)
{
    char *dir = tu_tempdir ("zap");
    char *log = clip_path_join (dir, "stderr");
    fflush (stderr);
    int saved = dup (2);
    int fd = open (log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2 (fd, 2);
    close (fd);
    char status [16];
    uint64_t start = clip_mono_ms ();
    for (int i = 0; i < 100; i++) {
        request ("workers", "CURVE", s_f->other);
        answer (5000, status, sizeof status);
    }
    uint64_t elapsed = clip_mono_ms () - start;
    /*  The next window: the summary comes with the next refusal.  */
    while (clip_mono_ms () < start + elapsed + 1100)
        zmq_poll (NULL, 0, 50);
    request ("workers", "CURVE", s_f->other);
    answer (5000, status, sizeof status);
    fflush (stderr);
    dup2 (saved, 2);
    close (saved);
    char *text = tu_read (log, NULL);
    int lines = 0;
    for (char *p = text; p && (p = strstr (p, "event=auth_refused ")) != NULL; p++)
        lines++;
    cr_assert_eq (atomic_load (&s_f->metrics.auth_refused_workers), 101, "all counted");
    cr_assert_leq (lines, (int) (elapsed / 1000 + 2) * CLIP_ZAP_LOG_BURST,
                   "%d lines in %llu ms", lines, (unsigned long long) elapsed);
    cr_assert_lt (lines, 101);
    cr_assert (strstr (text, "event=auth_refused_suppressed count="), "summed up: %s", text);
    cr_assert (strstr (text, "address=\"192.0.2.7\""), "the peer's address is logged");
    free (text);
    tu_rmtree (dir);
    free (dir);
    free (log);
}
