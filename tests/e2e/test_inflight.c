/*  The bounds on what clipd claims (README, "--max-inflight",
    "--max-inflight-bytes"), on a real clipd with no worker, so that what
    it claims stays in flight: the files it took are in processing/, the
    rest wait in the inbox, and /metrics says so (clipd_inflight and
    clipd_inflight_bytes, and clipd_work_waiting once the inbox has seen
    every file).  */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_util.h"
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

typedef struct {
    const tu_daemon_t *d;
    long long want;
} waiting_t;

static bool
work_waiting_is (void *arg)
{
    waiting_t *w = arg;
    return tu_metric (w->d, "clipd_work_waiting") == w->want;
}

/*  FILES articles of FILE_BYTES bytes renamed into the inbox of a clipd
    started with extra; returns once it has seen them all.  */
static tu_daemon_t *
start_and_drop (const char *const *extra)
{
    s_dir = tu_tempdir ("inflight");
    s_daemon = tu_daemon_start (s_dir, extra);
    for (int i = 0; i < FILES; i++) {
        char text [FILE_BYTES + 1];
        snprintf (text, sizeof text, "%-*s", FILE_BYTES - 1, "Huawei said on Monday ...");
        text [FILE_BYTES - 1] = '\n';
        char *src = clip_strprintf ("%s/src-%d.txt", s_dir, i);
        char *dst = clip_strprintf ("%s/a%d.txt", s_daemon->inbox, i);
        tu_write (src, text, FILE_BYTES);
        tu_drop (src, dst);
        free (src);
        free (dst);
    }
    waiting_t w = { s_daemon, FILES };
    cr_assert (tu_wait_for (work_waiting_is, &w, 15000),
               "clipd saw %d files within 15 s (clipd_work_waiting %lld)", FILES,
               tu_metric (s_daemon, "clipd_work_waiting"));
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
