/*  bench_feed: renames article files into clipd's inbox, at once or at a
    fixed rate, and timestamps each file's record as it arrives on a SUB
    socket connected to clipd's pub endpoint.  Used by bench/run for the
    end-to-end burst (figure 1), the latency at a steady rate (figure 4) and
    the scale runs (figure 5); see bench/README.md.

        bench_feed --src DIR --inbox DIR --pub EP [--rate R] [--warmup K]
                   [--timeout-ms T] [--latencies FILE] [--hold PID]

    Every regular file of --src (name order) is renamed into --inbox; the
    first K of them (default 4) are the warm-up: renamed one at a time until
    a record arrives (a SUB socket misses whatever is published before its
    subscription reaches the publisher, and the workers may still be
    connecting), then the rest of them together, and their records awaited.
    They are not counted.  Then the measured files are renamed: all at once
    (no --rate) or one every 1/R s, each at an absolute deadline
    (clock_nanosleep TIMER_ABSTIME, so that a late wake-up does not shift
    the schedule).  With --hold PID (a burst only), process PID (clipd) is
    stopped (SIGSTOP) while the measured files are renamed and continued
    (SIGCONT) when they are all in: the burst is in the inbox at once, the
    clock starts at SIGCONT, and the renames' CPU, which is this program's
    and not the pipeline's, is spent before it (placing_ms says how long it
    took; the workers, other processes, wait idle meanwhile).  A file's
    send time is read from CLOCK_MONOTONIC just BEFORE its rename(2); its
    arrival time just after zmq_msg_recv returns
    the record frame, on a thread of its own.  Records are matched to files
    by the record's `file` (the inbox name).

    Prints one line of key=value figures on stdout: n, seconds (first
    rename to last record), rate (n / seconds), p50_ms, p99_ms, max_ms (of
    arrival - send), rename_max_ms (the longest rename(2) call), failed
    (records with status failed), cpu_user_ms and cpu_sys_ms (this
    program's own CPU per measured file, both threads, from the first
    measured rename to the last record: its renames are system time, the
    records' decoding user time; bench/run sets it beside clipd's and the
    workers' to account for the cores' time; with --hold, from SIGCONT on,
    so the decoding alone), placing_ms (--hold: the renames' wall time).
    Exit status 0 when every record arrived within --timeout-ms (default
    120000) of the last rename, 1 otherwise
    (then `missing=` says how many), 2 bad usage.
*/
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>
#include <zmq.h>

#include "clip_record.h"

typedef struct {
    char *name;
    int64_t sent_ns;        /* CLOCK_MONOTONIC just before rename(2); 0 = not yet */
    int64_t renamed_ns;     /* just after it returned */
    _Atomic int64_t arrived_ns;
    bool failed;
} item_t;

static item_t *items;
static size_t n_items;
static _Atomic size_t n_arrived;
static _Atomic bool stop_receiver;
static void *sub;

static int64_t
now_ns (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmp_item (const void *a, const void *b)
{
    return strcmp (((const item_t *) a)->name, ((const item_t *) b)->name);
}

static int
cmp_i64 (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return (x > y) - (x < y);
}

static item_t *
find_item (const char *name)
{
    item_t key = { .name = (char *) name };
    return bsearch (&key, items, n_items, sizeof *items, cmp_item);
}

/*  The receiver: [topic, record] messages; stamps each known file once.  */
static void *
receiver (void *arg)
{
    (void) arg;
    while (!atomic_load (&stop_receiver)) {
        zmq_pollitem_t pi = { .socket = sub, .events = ZMQ_POLLIN };
        if (zmq_poll (&pi, 1, 50) <= 0)
            continue;
        zmq_msg_t msg;
        zmq_msg_init (&msg);
        int part = 0;
        for (;;) {
            if (zmq_msg_recv (&msg, sub, 0) < 0)
                break;
            int64_t t = now_ns ();
            if (part == 1) {
                char err [128];
                clip_record_t *rec = clip_record_decode (zmq_msg_data (&msg), zmq_msg_size (&msg),
                                                         err, sizeof err);
                if (!rec)
                    fprintf (stderr, "bench_feed: undecodable record: %s\n", err);
                else {
                    item_t *it = rec->file ? find_item (rec->file) : NULL;
                    int64_t zero = 0;
                    if (it && atomic_compare_exchange_strong (&it->arrived_ns, &zero, t)) {
                        it->failed = rec->error_code != NULL;   /* set iff failed */
                        atomic_fetch_add (&n_arrived, 1);
                    }
                    clip_record_destroy (&rec);
                }
            }
            part++;
            if (!zmq_msg_more (&msg))
                break;
        }
        zmq_msg_close (&msg);
    }
    return NULL;
}

static int
move_in (const char *src, const char *inbox, item_t *it)
{
    char from [PATH_MAX], to [PATH_MAX];
    snprintf (from, sizeof from, "%s/%s", src, it->name);
    snprintf (to, sizeof to, "%s/%s", inbox, it->name);
    it->sent_ns = now_ns ();
    if (rename (from, to) != 0) {
        fprintf (stderr, "bench_feed: rename %s -> %s: %s\n", from, to, strerror (errno));
        return -1;
    }
    it->renamed_ns = now_ns ();
    return 0;
}

/*  Waits until the records of items [from, to) have all arrived or until
    deadline_ns; returns true if they all did.  */
static bool
await_items (size_t from, size_t to, int64_t deadline_ns)
{
    /*  The receiver stamps each arrival, so this only decides when to stop
        waiting: it wakes every 5 ms, and each wake-up looks only past the
        files already seen, so that the harness takes as little as it can of
        the cores it shares with what it measures.  */
    for (;;) {
        while (from < to && atomic_load (&items [from].arrived_ns))
            from++;
        if (from == to)
            return true;
        if (now_ns () > deadline_ns)
            return false;
        struct timespec ts = { 0, 5000000 };
        nanosleep (&ts, NULL);
    }
}

/*  Stops process pid and waits (at most 10 s) until the kernel has it
    stopped: SIGSTOP is delivered asynchronously, and a rename made while
    it still runs would be taken as it comes, not as part of the burst.
    Returns 0, or -1 with a message.  */
static int
hold_process (pid_t pid)
{
    if (kill (pid, SIGSTOP) != 0) {
        fprintf (stderr, "bench_feed: --hold %ld: %s\n", (long) pid, strerror (errno));
        return -1;
    }
    char path [64];
    snprintf (path, sizeof path, "/proc/%ld/stat", (long) pid);
    for (int64_t until = now_ns () + 10000000000LL; now_ns () < until; ) {
        char buf [512] = "";
        FILE *f = fopen (path, "r");
        size_t n = f ? fread (buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose (f);
        buf [n] = 0;
        /*  "pid (comm) S ...": the state follows the last ')'.  */
        const char *rp = strrchr (buf, ')');
        if (rp && (rp [2] == 'T' || rp [2] == 't'))
            return 0;
        struct timespec ts = { 0, 1000000 };
        nanosleep (&ts, NULL);
    }
    kill (pid, SIGCONT);
    fprintf (stderr, "bench_feed: --hold %ld: not stopped after 10 s\n", (long) pid);
    return -1;
}

/*  This process's CPU so far, user and system, in seconds.  */
static void
cpu_now (double *user, double *sys)
{
    struct rusage ru;
    getrusage (RUSAGE_SELF, &ru);
    *user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
    *sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double
pct (const int64_t *sorted, size_t n, double p)
{
    /*  Nearest rank.  */
    size_t rank = (size_t) (p * n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted [rank - 1] / 1e6;
}

int
main (int argc, char **argv)
{
    const char *src = NULL, *inbox = NULL, *pub = NULL, *lat_path = NULL;
    double rate = 0;
    long warmup = 4, timeout_ms = 120000;
    pid_t hold = 0;
    static const struct option opts [] = {
        { "src", required_argument, NULL, 's' },
        { "inbox", required_argument, NULL, 'i' },
        { "pub", required_argument, NULL, 'p' },
        { "rate", required_argument, NULL, 'r' },
        { "warmup", required_argument, NULL, 'w' },
        { "timeout-ms", required_argument, NULL, 't' },
        { "latencies", required_argument, NULL, 'l' },
        { "hold", required_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int c;
    char *end;
    while ((c = getopt_long (argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
            case 's': src = optarg; break;
            case 'i': inbox = optarg; break;
            case 'p': pub = optarg; break;
            case 'l': lat_path = optarg; break;
            case 'r':
                rate = strtod (optarg, &end);
                if (*end || !(rate > 0 && rate <= 1e6)) {
                    fprintf (stderr, "bench_feed: --rate must be a number in (0, 1e6]\n");
                    return 2;
                }
                break;
            case 'w':
                warmup = strtol (optarg, &end, 10);
                if (*end || warmup < 1 || warmup > 1000) {
                    fprintf (stderr, "bench_feed: --warmup must be 1..1000\n");
                    return 2;
                }
                break;
            case 'h': {
                long v = strtol (optarg, &end, 10);
                if (*end || v < 2 || v > 4194304) {
                    fprintf (stderr, "bench_feed: --hold must be a process id\n");
                    return 2;
                }
                hold = (pid_t) v;
                break;
            }
            case 't':
                timeout_ms = strtol (optarg, &end, 10);
                if (*end || timeout_ms < 1 || timeout_ms > 86400000) {
                    fprintf (stderr, "bench_feed: --timeout-ms must be 1..86400000\n");
                    return 2;
                }
                break;
            default:
                goto usage;
        }
    }
    if (!src || !inbox || !pub || optind != argc)
        goto usage;
    if (hold && rate > 0) {
        fprintf (stderr, "bench_feed: --hold is for a burst, not with --rate\n");
        return 2;
    }

    DIR *d = opendir (src);
    if (!d) {
        fprintf (stderr, "bench_feed: %s: %s\n", src, strerror (errno));
        return 1;
    }
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir (d))) {
        if (de->d_name [0] == '.' || (de->d_type != DT_REG && de->d_type != DT_UNKNOWN))
            continue;
        if (n_items == cap) {
            cap = cap ? cap * 2 : 1024;
            items = realloc (items, cap * sizeof *items);
            if (!items)
                abort ();
        }
        memset (&items [n_items], 0, sizeof *items);
        items [n_items++].name = strdup (de->d_name);
    }
    closedir (d);
    if (n_items <= (size_t) warmup) {
        fprintf (stderr, "bench_feed: %s holds %zu files, need more than --warmup %ld\n",
                 src, n_items, warmup);
        return 1;
    }
    qsort (items, n_items, sizeof *items, cmp_item);
    /*  The warm-up files are the first K in name order; the bsearch table
        stays sorted, so indexes [0, K) are the warm-up.  */
    size_t first = (size_t) warmup;

    void *ctx = zmq_ctx_new ();
    sub = zmq_socket (ctx, ZMQ_SUB);
    int zero = 0;
    /*  No receive high-water mark: a burst of 5,000 records must not be
        dropped here (clipd's PUB drops for a slow subscriber too, which the
        receiver thread, draining as they come, avoids).  */
    zmq_setsockopt (sub, ZMQ_RCVHWM, &zero, sizeof zero);
    zmq_setsockopt (sub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0);
    if (zmq_connect (sub, pub) != 0) {
        fprintf (stderr, "bench_feed: connect %s: %s\n", pub, zmq_strerror (errno));
        return 1;
    }
    pthread_t thr;
    pthread_create (&thr, NULL, receiver, NULL);
    int rc = 1;

    /*  Warm-up: one at a time, each given 5 s, until a record arrives.  The
        records of files renamed before the subscription was live are lost
        for good, so only those renamed after a record came are awaited.  */
    size_t w = 0;
    bool live = false;
    while (!live && w < first) {
        if (move_in (src, inbox, &items [w++]) != 0)
            goto done;
        int64_t until = now_ns () + 5000000000LL;
        while (!live && now_ns () < until) {
            live = atomic_load (&n_arrived) > 0;
            struct timespec ts = { 0, 2000000 };
            nanosleep (&ts, NULL);
        }
    }
    if (!live) {
        fprintf (stderr, "bench_feed: no record arrived for %zu warm-up files in %zu x 5 s\n",
                 w, w);
        goto done;
    }
    size_t rest = w;
    for (; w < first; w++)
        if (move_in (src, inbox, &items [w]) != 0)
            goto done;
    if (!await_items (rest, first, now_ns () + (int64_t) timeout_ms * 1000000)) {
        fprintf (stderr, "bench_feed: warm-up records missing after %ld ms\n", timeout_ms);
        goto done;
    }

    /*  Measured files.  */
    double user0, sys0, user1, sys1;
    if (hold && hold_process (hold) != 0)
        goto done;
    cpu_now (&user0, &sys0);
    int64_t t0 = now_ns (), placing = 0;
    struct timespec next;
    clock_gettime (CLOCK_MONOTONIC, &next);
    int64_t period = rate > 0 ? (int64_t) (1e9 / rate) : 0;
    for (size_t i = first; i < n_items; i++) {
        if (period) {
            clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
            next.tv_nsec += period;
            while (next.tv_nsec >= 1000000000) {
                next.tv_nsec -= 1000000000;
                next.tv_sec++;
            }
        }
        if (move_in (src, inbox, &items [i]) != 0) {
            if (hold)
                kill (hold, SIGCONT);
            goto done;
        }
    }
    if (hold) {
        /*  Everything is in: the clock and the CPU count start now.  */
        placing = now_ns () - t0;
        cpu_now (&user0, &sys0);
        t0 = now_ns ();
        kill (hold, SIGCONT);
    }
    bool all = await_items (first, n_items, now_ns () + (int64_t) timeout_ms * 1000000);
    cpu_now (&user1, &sys1);

    size_t n = n_items - first, got = 0, failed = 0;
    int64_t *lat = calloc (n, sizeof *lat);
    int64_t last = t0, rename_max = 0;
    for (size_t i = first; i < n_items; i++) {
        int64_t a = atomic_load (&items [i].arrived_ns);
        if (items [i].renamed_ns - items [i].sent_ns > rename_max)
            rename_max = items [i].renamed_ns - items [i].sent_ns;
        if (!a)
            continue;
        lat [got++] = a - items [i].sent_ns;
        failed += items [i].failed;
        if (a > last)
            last = a;
    }
    if (lat_path) {
        FILE *f = fopen (lat_path, "w");
        if (f) {
            for (size_t i = first; i < n_items; i++)
                if (atomic_load (&items [i].arrived_ns))
                    fprintf (f, "%s %.3f\n", items [i].name,
                             (atomic_load (&items [i].arrived_ns) - items [i].sent_ns) / 1e6);
            fclose (f);
        }
    }
    qsort (lat, got, sizeof *lat, cmp_i64);
    double secs = (last - t0) / 1e9;
    printf ("n=%zu seconds=%.3f rate=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f rename_max_ms=%.3f "
            "failed=%zu missing=%zu cpu_user_ms=%.4f cpu_sys_ms=%.4f placing_ms=%.1f\n",
            n, secs, secs > 0 ? got / secs : 0, got ? pct (lat, got, 0.50) : 0,
            got ? pct (lat, got, 0.99) : 0, got ? lat [got - 1] / 1e6 : 0,
            rename_max / 1e6, failed, n - got, n ? (user1 - user0) * 1e3 / n : 0,
            n ? (sys1 - sys0) * 1e3 / n : 0, placing / 1e6);
    free (lat);
    rc = all ? 0 : 1;
done:
    atomic_store (&stop_receiver, true);
    pthread_join (thr, NULL);
    zmq_close (sub);
    zmq_ctx_term (ctx);
    for (size_t i = 0; i < n_items; i++)
        free (items [i].name);
    free (items);
    return rc;
usage:
    fprintf (stderr, "usage: bench_feed --src DIR --inbox DIR --pub EP [--rate R] [--warmup K]"
                     " [--timeout-ms T] [--latencies FILE] [--hold PID]\n");
    return 2;
}
