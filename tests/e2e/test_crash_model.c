/*  The crash model test: a seeded random schedule of actions against real
    clipd and clip-worker processes, checked against a model of what must
    hold at the end (issue 9, "Proofs that run in CI"; in the style of
    Vector's file-source property tests and SQLite's crash tests).

    Actions: drop a file by rename into the inbox, write one in place
    (open, write in pieces, close), rename a file away from the inbox before
    it is claimed, kill -9 clipd (at random delays, some during start-up,
    many with files in flight), restart it (ready or not), kill -9 a worker,
    SIGSTOP a worker and SIGCONT it later, restart workers.

    Two kinds of workers: two started here with --tasks on an ipc://
    endpoint in the test's folder (so that they outlive clipd's deaths and
    reconnect to the next clipd by themselves, as independent workers do;
    these are also the ones SIGSTOPped), and clipd's own (--workers 1), which
    is there from each start, so that every clipd commits results between
    kills.  This process is a child subreaper: clipd's worker comes to it
    when clipd is killed, must exit within ORPHAN_BOUND_MS, and is reaped
    here.  The publishing and replay endpoints are ephemeral ports
    (tcp://127.0.0.1:*).

    The model: every file that was created in the inbox and not renamed away
    by the test ends exactly once in done/ or failed/, with exactly one
    record in the results log whose `file` is its inbox name, `seq` gap-free
    1..N, nothing left in inbox/ or processing/.  A rename away that fails
    with ENOENT means clipd claimed the file first: then it must be recorded
    once; one that succeeds means clipd never had it: no record, nothing in
    done/ or failed/.  Files renamed in must keep their exact size and get
    the outcome of their kind (text ok, empty and binary files failed, any
    of them worker_lost), and a text's ok record must be its own analysis
    (the title is its headline, which names the file), not another file's.  clipd and the workers must never exit by
    themselves, and clipd must stop cleanly (status 0) at the end.  Temporary
    files a kill left behind are reported, not failed on.

    CLIP_CRASH_SEED (decimal or 0x hex) replays a schedule; CLIP_CRASH_STEPS
    sets its length.  The seed is printed at start and in every failure
    message.  Each step draws from its own generator, seeded by the seed and
    the step's number, so a replay takes the same decisions step by step;
    only timing is not replayed (the processes run concurrently), and where
    a decision depends on what they did (a rename away won or lost, clipd's
    worker not yet spawned) that step may go another way.

    A one-line JSON summary of the run goes to
    <build>/reliability/crash_model.json (read by scripts/reliability.sh).  */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uthash.h>
#include <zmq.h>

#include "clip_record.h"
#include "clip_replay_msg.h"
#include "clip_util.h"
#include "clip_wire.h"
#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#  define CRASH_SANITIZED 1
#endif

/*  Sized so that one run takes about 80 s on a loaded 2-core machine and
    kills at least 200 times; under ASan every start costs about half a
    second (clipd) and more than a second (a worker), so the schedule is
    shorter.  The budget stops a schedule that runs far slower than that
    (the summary says so), keeping the whole test under ctest's limit.  */
#ifdef CRASH_SANITIZED
#  define DEFAULT_STEPS 260
#  define BUILD_NAME "asan+ubsan"
#  define SCHEDULE_BUDGET_MS 170000
#  define TASK_TIMEOUT_MS "4000"
#  define PROGRESS_BOUND_MS 6000
#else
#  define DEFAULT_STEPS 900
#  define BUILD_NAME "normal"
#  define SCHEDULE_BUDGET_MS 170000
#  define TASK_TIMEOUT_MS "1500"
#  define PROGRESS_BOUND_MS 2000
#endif
/*  Kill points the default schedule of the normal build must reach.  */
#define MIN_KILLS 200
#define QUIET_BOUND_MS 90000
#define READY_BOUND_MS 30000
#define MAX_WORKERS 3
#define WANT_WORKERS 2
#define MAX_PROBLEMS 40
#define MAX_ORPHANS 16
/*  A worker clipd spawned must follow it within this (issue 9, item 7).  */
#define ORPHAN_BOUND_MS 5000

#ifndef CLIP_RELIABILITY_DIR
#  define CLIP_RELIABILITY_DIR CLIP_BIN_DIR "/reliability"
#endif

/*  ---- the random schedule ---------------------------------------------  */

static uint64_t rng_state;

/*  splitmix64: small, good enough, and the same on every machine.  */
static uint64_t
rng_next (void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/*  Uniform in [0, n).  */
static unsigned
rng_below (unsigned n)
{
    return n ? (unsigned) (rng_next () % n) : 0;
}

static bool
rng_chance (unsigned percent)
{
    return rng_below (100) < percent;
}

static void
sleep_ms (unsigned ms)
{
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
    while (nanosleep (&ts, &ts) != 0 && errno == EINTR)
        ;
}

/*  ---- the model -------------------------------------------------------  */

typedef enum { KIND_TEXT, KIND_EMPTY, KIND_BINARY } file_kind_t;
typedef enum {
    FILE_IN,        /* created in the inbox; clipd may have claimed it */
    FILE_AWAY,      /* renamed away by the test before clipd claimed it */
    FILE_CLAIMED    /* a rename away found it gone: clipd claimed it first */
} file_state_t;

typedef struct {
    char name [256];
    int step;               /* when it was created */
    file_kind_t kind;
    bool in_place;          /* written in place, not renamed in */
    size_t bytes;
    file_state_t state;
    /*  What the end found.  */
    int records;
    uint64_t seq;
    char status [16];               /* as the record says, for messages */
    char code [32];
    clip_status_t st;               /* the same, compared */
    clip_error_t err;
    uint64_t rec_bytes;
    char title [300];               /* an ok record's; "Story NAME" is at most 261 bytes */
    int done_seen, failed_seen;     /* times found in done/, failed/ */
    off_t retired_bytes;            /* its size there, -1 if not found */
    UT_hash_handle hh;
} mfile_t;

typedef struct {
    pid_t pid;
    bool stopped;
} worker_slot_t;

typedef struct {
    /*  Folders and programs.  */
    char *dir, *inbox, *state, *stage, *away, *processing, *done, *failed;
    char *clipd_log, *worker_log, *endpoints, *tasks_ep;
    char *clipd_bin, *worker_bin;
    /*  The processes.  */
    pid_t clipd;
    bool clipd_ready;
    uint64_t clipd_started;         /* monotonic ms */
    unsigned startup_ms;            /* last measured time to ready */
    worker_slot_t workers [MAX_WORKERS];
    /*  clipd's own workers (--workers 1) whose clipd died: this process is
        a child subreaper, so they become its children, and must exit.  */
    struct { pid_t pid; uint64_t since; bool reported; } orphans [MAX_ORPHANS];
    /*  The files.  */
    mfile_t *files;                 /* hash by name */
    mfile_t **order;                /* creation order */
    size_t n_files, cap_files;
    /*  Figures.  */
    uint64_t seed;
    int steps, steps_run;
    bool out_of_time;               /* the schedule was cut by its time budget */
    int clipd_kills, clipd_kills_startup, clipd_kills_inflight;
    int worker_kills, worker_stops, worker_starts, clipd_starts;
    int supervised_kills;           /* of worker_kills, clipd's own workers */
    int kills_after_progress;       /* clipd kills once results were being committed */
    int dropped, in_place, renamed_away, claimed_first;
    int stray_tmp;                  /* temporary files left in done/ or failed/ */
    int long_names;
    /*  What went wrong.  */
    char *problems;
    int n_problems;
} crash_t;

/*  One instance: the fini and the failure messages reach it.  */
static crash_t *the_run;

static void
problem (crash_t *self, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
problem (crash_t *self, const char *fmt, ...)
{
    self->n_problems++;
    if (self->n_problems > MAX_PROBLEMS)
        return;
    va_list ap;
    va_start (ap, fmt);
    char full [2048], line [1024];
    vsnprintf (full, sizeof full, fmt, ap);
    va_end (ap);
    /*  File names of 200-255 bytes would drown the message: a word longer
        than 64 bytes is shown by its head (which holds the file's unique
        number) and tail.  */
    size_t out = 0;
    for (const char *p = full; *p && out + 80 < sizeof line; ) {
        size_t word = strcspn (p, " ");
        if (word > 64)
            out += (size_t) snprintf (line + out, sizeof line - out, "%.40s...%.12s", p, p + word - 12);
        else
            out += (size_t) snprintf (line + out, sizeof line - out, "%.*s", (int) word, p);
        p += word;
        while (*p == ' ' && out + 1 < sizeof line)
            line [out++] = *p++;
        line [out] = 0;
    }
    line [out] = 0;
    char *joined = clip_strprintf ("%s  - %s\n", self->problems ? self->problems : "", line);
    free (self->problems);
    self->problems = joined;
}

/*  The tail of a log file, for failure messages (caller owns).  */
static char *
log_tail (const char *path, size_t max)
{
    size_t len = 0;
    char *log = tu_read (path, &len);
    if (!log)
        return clip_strdup ("(no log)");
    char *tail = clip_strdup (len > max ? log + len - max : log);
    free (log);
    return tail;
}

#define crash_fail(self, ...) do { \
    char *_tail = log_tail ((self)->clipd_log, 3000); \
    char *_msg = clip_strprintf (__VA_ARGS__); \
    cr_assert_fail ("crash model, seed 0x%016" PRIx64 " (replay: CLIP_CRASH_SEED=0x%016" PRIx64 \
              " CLIP_CRASH_STEPS=%d), step %d: %s\nstate kept in %s\nclipd log tail:\n%s", \
              (self)->seed, (self)->seed, (self)->steps_run < (self)->steps ? (self)->steps : (self)->steps_run + 1, \
              (self)->steps_run, _msg, (self)->dir, _tail); \
} while (0)

static mfile_t *
file_add (crash_t *self, file_kind_t kind, bool in_place)
{
    mfile_t *f = clip_calloc (1, sizeof *f);
    /*  Unique in the run, so that a numeric suffix in done/ (a.1.txt) can
        only mean a second copy.  One in twenty is 200 to 255 bytes long,
        too long for a claim prefix: its record must still carry the whole
        inbox name, across crashes too.  */
    int len = snprintf (f->name, sizeof f->name, "c%06zu-s%d", self->n_files, self->steps_run);
    if (rng_chance (5)) {
        int target = 200 + (int) rng_below (56) - 4;
        while (len < target)
            f->name [len++] = (char) ('a' + rng_below (26));
        f->name [len] = 0;
        self->long_names++;
    }
    snprintf (f->name + len, sizeof f->name - (size_t) len, ".txt");
    f->step = self->steps_run;
    f->kind = kind;
    f->in_place = in_place;
    f->state = FILE_IN;
    f->retired_bytes = -1;
    HASH_ADD_STR (self->files, name, f);
    if (self->n_files == self->cap_files) {
        self->cap_files = self->cap_files ? self->cap_files * 2 : 1024;
        self->order = clip_realloc (self->order, self->cap_files * sizeof *self->order);
    }
    self->order [self->n_files++] = f;
    return f;
}

static mfile_t *
file_find (crash_t *self, const char *name)
{
    mfile_t *f = NULL;
    HASH_FIND_STR (self->files, name, f);
    return f;
}

/*  ---- article contents ------------------------------------------------  */

static const char *words [] = {
    "Huawei", "Ericsson", "Nokia", "London", "Berlin", "Shenzhen", "Monday", "Tuesday",
    "$5 million", "12 percent", "the", "company", "said", "on", "network", "contract",
    "operators", "government", "minister", "Reuters", "shares", "rose", "fell", "after",
    "report", "security", "review", "January", "2019", "equipment", "suppliers", "Europe",
    "announced", "a", "new", "deal", "with", "Vodafone", "Deutsche Telekom", "in", "and",
};

static uint64_t
mix_next (uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/*  Write the contents of f into buf (at most cap bytes); returns the length.  */
static size_t
file_contents (crash_t *self, mfile_t *f, char *buf, size_t cap)
{
    if (f->kind == KIND_EMPTY)
        return 0;
    if (f->kind == KIND_BINARY) {
        size_t n = 64 + rng_below (512);
        for (size_t i = 0; i < n; i++)
            buf [i] = (char) (i % 7 == 0 ? 0 : rng_below (256));
        return n;
    }
    /*  Text: a headline naming the file, then a body drawn from its own
        generator; one body in ten is an earlier file's (the generator of
        body k is seeded with k), so duplicates are judged too.  */
    size_t len = (size_t) snprintf (buf, cap, "Story %s\n\n", f->name);
    uint64_t body = rng_chance (10) ? rng_below ((unsigned) self->n_files) : self->n_files;
    size_t target = 80 + (size_t) (mix_next (&body) % 1800);
    while (len + 64 < cap && len < target) {
        uint64_t r = mix_next (&body);
        len += (size_t) snprintf (buf + len, cap - len, "%s ", words [r % (sizeof words / sizeof *words)]);
        if ((r >> 32) % 100 < 8) {
            buf [len - 1] = '.';
            buf [len++] = '\n';
        }
    }
    buf [len++] = '\n';
    return len;
}

/*  ---- processes -------------------------------------------------------  */

/*  kill () for one process only: a pid of 0 or -1 would signal this test's
    whole process group, or every process it may signal.  */
static void
signal_pid (pid_t pid, int sig)
{
    if (pid > 0)
        kill (pid, sig);
}

/*  Reap pid if it exited; returns its status (or 128+signal), or -1 if it
    is still running.  */
static int
reap_if_exited (pid_t pid)
{
    int status;
    if (waitpid (pid, &status, WNOHANG) != pid)
        return -1;
    return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

static bool
clipd_wrote_endpoints (crash_t *self)
{
    json_t *o = json_load_file (self->endpoints, 0, NULL);
    bool mine = o && json_integer_value (json_object_get (o, "pid")) == self->clipd;
    json_decref (o);
    return mine;
}

static void
clipd_spawn (crash_t *self)
{
    unlink (self->endpoints);
    const char *argv [] = {
        self->clipd_bin, "--inbox", self->inbox, "--state", self->state,
        "--tasks", self->tasks_ep, "--pub", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*",
        "--http", "off", "--corpus", "none", "--workers", "1",
        "--settle-ms", "200", "--rescan-ms", "1000",
        "--heartbeat-ms", "100", "--liveness-ms", "1000", "--task-timeout-ms", TASK_TIMEOUT_MS,
        NULL
    };
    self->clipd = tu_spawn (argv, self->clipd_log, self->clipd_log);
    self->clipd_ready = false;
    self->clipd_started = clip_mono_ms ();
    self->clipd_starts++;
}

/*  Wait (bounded) until the running clipd wrote its endpoints.  */
static void
clipd_wait_ready (crash_t *self)
{
    uint64_t deadline = self->clipd_started + READY_BOUND_MS;
    while (!clipd_wrote_endpoints (self)) {
        int status = reap_if_exited (self->clipd);
        if (status >= 0) {
            self->clipd = 0;
            crash_fail (self, "clipd exited during start-up with status %d", status);
        }
        if (clip_mono_ms () > deadline)
            crash_fail (self, "clipd was not ready within %d ms", READY_BOUND_MS);
        sleep_ms (5);
    }
    self->clipd_ready = true;
    self->startup_ms = (unsigned) (clip_mono_ms () - self->clipd_started);
}

/*  clipd must not die by itself: any exit we did not cause is a bug.  */
static void
clipd_check_alive (crash_t *self)
{
    if (self->clipd <= 0)
        return;
    int status = reap_if_exited (self->clipd);
    if (status >= 0) {
        self->clipd = 0;
        crash_fail (self, "clipd exited by itself with status %d", status);
    }
}

/*  Regular files whose name does not start with '.': articles, not
    clipd's own sidecars and temporary files.  */
static int
count_entries (const char *dir)
{
    int count = 0;
    DIR *d = opendir (dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir (d)) != NULL) {
        if (e->d_name [0] == '.')
            continue;
        char *path = clip_path_join (dir, e->d_name);
        struct stat st;
        if (lstat (path, &st) == 0 && S_ISREG (st.st_mode))
            count++;
        free (path);
    }
    closedir (d);
    return count;
}

static bool
has_suffix (const char *s, const char *suffix)
{
    size_t len = strlen (s), n = strlen (suffix);
    return len > n && strcmp (s + len - n, suffix) == 0;
}

/*  Report (not fail on) what clipd left of its own in a folder: its
    sidecars and the temporary files of a write a kill interrupted.  */
static void
note_litter (crash_t *self, const char *dir, const char *label)
{
    DIR *d = opendir (dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir (d)) != NULL) {
        if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0
        ||  (e->d_name [0] != '.' && !has_suffix (e->d_name, ".tmp")))
            continue;
        self->stray_tmp++;
        fprintf (stderr, "crash model: note: %s/%s left behind\n", label, e->d_name);
    }
    closedir (d);
}

static void
clipd_kill (crash_t *self)
{
    clipd_check_alive (self);
    bool ready = self->clipd_ready || clipd_wrote_endpoints (self);
    int inflight = count_entries (self->processing);
    signal_pid (self->clipd, SIGKILL);
    int status;
    waitpid (self->clipd, &status, 0);
    self->clipd = 0;
    self->clipd_ready = false;
    self->clipd_kills++;
    if (!ready)
        self->clipd_kills_startup++;
    if (inflight > 0)
        self->clipd_kills_inflight++;
}

static int
workers_live (crash_t *self)
{
    int n = 0;
    for (int i = 0; i < MAX_WORKERS; i++)
        n += self->workers [i].pid > 0;
    return n;
}

static void
worker_start (crash_t *self)
{
    for (int i = 0; i < MAX_WORKERS; i++) {
        if (self->workers [i].pid > 0)
            continue;
        const char *argv [] = {
            self->worker_bin, "--tasks", self->tasks_ep,
            "--heartbeat-ms", "100", "--liveness-ms", "1000", NULL
        };
        self->workers [i].pid = tu_spawn (argv, self->worker_log, self->worker_log);
        self->workers [i].stopped = false;
        self->worker_starts++;
        return;
    }
}

/*  Workers must not die by themselves either.  */
static void
workers_check_alive (crash_t *self)
{
    for (int i = 0; i < MAX_WORKERS; i++) {
        if (self->workers [i].pid <= 0)
            continue;
        int status = reap_if_exited (self->workers [i].pid);
        if (status >= 0) {
            pid_t pid = self->workers [i].pid;
            self->workers [i].pid = 0;
            char *tail = log_tail (self->worker_log, 2000);
            crash_fail (self, "worker %d exited by itself with status %d\nworker log tail:\n%s",
                        (int) pid, status, tail);
        }
    }
}

/*  A random live worker slot (stopped or not when any_state), or -1.  */
static int
pick_worker (crash_t *self, bool want_stopped, bool any_state)
{
    int cand [MAX_WORKERS], n = 0;
    for (int i = 0; i < MAX_WORKERS; i++)
        if (self->workers [i].pid > 0 && (any_state || self->workers [i].stopped == want_stopped))
            cand [n++] = i;
    return n ? cand [rng_below ((unsigned) n)] : -1;
}

static void
worker_kill (crash_t *self, int slot)
{
    worker_slot_t *w = &self->workers [slot];
    signal_pid (w->pid, SIGKILL);
    int status;
    waitpid (w->pid, &status, 0);
    w->pid = 0;
    w->stopped = false;
    self->worker_kills++;
}

static bool
is_tracked (crash_t *self, pid_t pid)
{
    if (pid == self->clipd)
        return true;
    for (int i = 0; i < MAX_WORKERS; i++)
        if (self->workers [i].pid == pid)
            return true;
    return false;
}

/*  Reap the workers of dead clipds that exited, and report one that lives
    on longer than ORPHAN_BOUND_MS.  */
static void
orphans_check (crash_t *self)
{
    pid_t kids [64];
    int n = tu_children (getpid (), kids, 64);
    uint64_t now = clip_mono_ms ();
    for (int i = 0; i < n; i++) {
        if (is_tracked (self, kids [i]))
            continue;
        if (reap_if_exited (kids [i]) >= 0) {
            for (int j = 0; j < MAX_ORPHANS; j++)
                if (self->orphans [j].pid == kids [i])
                    self->orphans [j].pid = 0;
            continue;
        }
        int slot = -1, free_slot = -1;
        for (int j = 0; j < MAX_ORPHANS; j++) {
            if (self->orphans [j].pid == kids [i])
                slot = j;
            if (self->orphans [j].pid == 0 && free_slot < 0)
                free_slot = j;
        }
        if (slot < 0 && free_slot >= 0) {
            self->orphans [free_slot].pid = kids [i];
            self->orphans [free_slot].since = now;
            self->orphans [free_slot].reported = false;
        }
        else
        if (slot >= 0 && !self->orphans [slot].reported && now - self->orphans [slot].since > ORPHAN_BOUND_MS) {
            problem (self, "worker %d, spawned by a clipd that was killed, was still running %d s later",
                     (int) kids [i], ORPHAN_BOUND_MS / 1000);
            self->orphans [slot].reported = true;
        }
    }
}

/*  Kill everything this test started: used at the end and by the fini, so
    that a failed assertion leaves no process behind (clipd's own workers
    included: they are this process's children once their clipd died).  */
static void
kill_all (crash_t *self)
{
    if (!self)
        return;
    if (self->clipd > 0) {
        signal_pid (self->clipd, SIGKILL);
        waitpid (self->clipd, NULL, 0);
        self->clipd = 0;
    }
    for (int i = 0; i < MAX_WORKERS; i++) {
        if (self->workers [i].pid > 0) {
            signal_pid (self->workers [i].pid, SIGKILL);
            waitpid (self->workers [i].pid, NULL, 0);
            self->workers [i].pid = 0;
        }
    }
    pid_t kids [64];
    int n = tu_children (getpid (), kids, 64);
    for (int i = 0; i < n; i++) {
        signal_pid (kids [i], SIGKILL);
        waitpid (kids [i], NULL, 0);
    }
}

static void
crash_fini (void)
{
    kill_all (the_run);
}

/*  ---- the actions ----------------------------------------------------- */

static file_kind_t
random_kind (void)
{
    unsigned r = rng_below (100);
    return r < 3 ? KIND_EMPTY : r < 6 ? KIND_BINARY : KIND_TEXT;
}

static mfile_t *
drop_one (crash_t *self)
{
    static char buf [4096];
    mfile_t *f = file_add (self, random_kind (), false);
    f->bytes = file_contents (self, f, buf, sizeof buf);
    char *staged = clip_path_join (self->stage, f->name);
    char *target = clip_path_join (self->inbox, f->name);
    tu_write (staged, buf, f->bytes);
    if (rename (staged, target) != 0)
        crash_fail (self, "cannot rename %s into the inbox: %s", f->name, strerror (errno));
    free (staged);
    free (target);
    self->dropped++;
    return f;
}

static void
act_drop (crash_t *self)
{
    unsigned burst = 1 + rng_below (6);
    for (unsigned i = 0; i < burst; i++)
        drop_one (self);
}

static void
act_write_in_place (crash_t *self)
{
    static char buf [4096];
    mfile_t *f = file_add (self, random_kind (), true);
    f->bytes = file_contents (self, f, buf, sizeof buf);
    char *path = clip_path_join (self->inbox, f->name);
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        crash_fail (self, "cannot create %s in the inbox: %s", f->name, strerror (errno));
    /*  In pieces, with pauses well under --settle-ms.  */
    size_t off = 0;
    unsigned pieces = 2 + rng_below (3);
    for (unsigned p = 0; p < pieces && off < f->bytes; p++) {
        size_t n = p + 1 == pieces ? f->bytes - off : rng_below ((unsigned) (f->bytes - off) + 1);
        if (n && write (fd, buf + off, n) != (ssize_t) n)
            crash_fail (self, "cannot write %s: %s", f->name, strerror (errno));
        off += n;
        sleep_ms (rng_below (4));
    }
    if (off < f->bytes && write (fd, buf + off, f->bytes - off) != (ssize_t) (f->bytes - off))
        crash_fail (self, "cannot write %s: %s", f->name, strerror (errno));
    close (fd);
    free (path);
    self->in_place++;
}

/*  Rename away one of the latest files still believed in the inbox.  The
    race with clipd's claim is the point: exactly one rename wins.  */
static void
act_rename_away (crash_t *self)
{
    mfile_t *f = NULL;
    if (rng_chance (50)) {
        /*  A file dropped this very moment, renamed away within 0-20 ms:
            as likely to lose to clipd's claim as to win.  */
        f = drop_one (self);
        struct timespec ts = { 0, (long) rng_below (20000) * 1000L };
        nanosleep (&ts, NULL);
    }
    else {
        mfile_t *cand [16];
        int n = 0;
        for (size_t i = self->n_files; i > 0 && n < 16; i--)
            if (self->order [i - 1]->state == FILE_IN)
                cand [n++] = self->order [i - 1];
        if (n == 0)
            return;
        f = cand [rng_below ((unsigned) n)];
    }
    char *from = clip_path_join (self->inbox, f->name);
    char *to = clip_path_join (self->away, f->name);
    if (rename (from, to) == 0) {
        f->state = FILE_AWAY;
        self->renamed_away++;
    }
    else
    if (errno == ENOENT) {
        f->state = FILE_CLAIMED;
        self->claimed_first++;
    }
    else
        crash_fail (self, "rename away of %s: %s", f->name, strerror (errno));
    free (from);
    free (to);
}

static int
retired_count (crash_t *self)
{
    return count_entries (self->done) + count_entries (self->failed);
}

static void
act_kill_clipd (crash_t *self)
{
    if (rng_chance (35) || count_entries (self->inbox) + count_entries (self->processing) == 0) {
        /*  A random moment soon: files dropped just before are in flight,
            files of the last run are being recovered.  */
        sleep_ms (rng_below (60));
    }
    else {
        /*  Once this clipd committed a few results (1 to 8 more files in
            done/ or failed/), a moment later: kills among commits,
            retirements and new claims.  */
        int target = retired_count (self) + 1 + (int) rng_below (8);
        unsigned delay = rng_below (20);
        uint64_t deadline = clip_mono_ms () + PROGRESS_BOUND_MS;
        while (retired_count (self) < target && clip_mono_ms () < deadline)
            sleep_ms (2);
        if (retired_count (self) >= target)
            self->kills_after_progress++;
        sleep_ms (delay);
    }
    clipd_kill (self);
}

/*  kill -9 one of the workers: ours or clipd's own.  */
static void
act_kill_worker (crash_t *self)
{
    pid_t kids [8];
    int n = self->clipd > 0 ? tu_children (self->clipd, kids, 8) : 0;
    int ours = workers_live (self);
    if (ours + n == 0)
        return;                 /* clipd's own not spawned yet, ours all killed */
    unsigned pick = rng_below ((unsigned) (ours + n));
    if (pick < (unsigned) ours) {
        worker_kill (self, pick_worker (self, false, true));
        return;
    }
    /*  clipd reaps it and spawns another.  */
    signal_pid (kids [pick - (unsigned) ours], SIGKILL);
    self->worker_kills++;
    self->supervised_kills++;
}

static void
act_start_clipd (crash_t *self)
{
    clipd_spawn (self);
    if (rng_chance (30)) {
        /*  Kill it at a random moment around its start-up: some before it
            is ready, some just after.  */
        sleep_ms (rng_below (self->startup_ms + self->startup_ms / 4 + 1));
        clipd_kill (self);
        return;
    }
    clipd_wait_ready (self);
}

/*  ---- reading the results log through the replay endpoint --------------  */

/*  Page through the whole results log (proto/README.md "Replay") and
    check each record against the model.  Returns the number of records.  */
static uint64_t
replay_and_check (crash_t *self, const char *endpoint, uint64_t *head_out)
{
    void *ctx = zmq_ctx_new ();
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt (dealer, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_connect (dealer, endpoint) != 0)
        crash_fail (self, "cannot connect to the replay endpoint %s", endpoint);
    uint64_t since = 0, count = 0, head = 0;
    bool more = true;
    while (more) {
        clip_replay_request_t req = { .since = since, .topic = "", .limit = 1000 };
        char *body;
        size_t body_len;
        clip_replay_request_encode (&req, &body, &body_len);
        cr_assert_eq (zmq_send (dealer, body, body_len, 0), (int) body_len);
        free (body);
        for (bool end = false; !end; ) {
            zmq_pollitem_t item = { dealer, 0, ZMQ_POLLIN, 0 };
            if (zmq_poll (&item, 1, 20000) <= 0)
                crash_fail (self, "the replay endpoint did not answer since=%" PRIu64 " within 20 s", since);
            zmq_msg_t *frames;
            int n = clip_wire_recv_frames (dealer, &frames, 0);
            if (n != 2)
                crash_fail (self, "a replay answer of %d frames", n);
            const char *topic = zmq_msg_data (&frames [0]);
            size_t topic_len = zmq_msg_size (&frames [0]);
            if (topic_len == 10 && memcmp (topic, "replay.end", 10) == 0) {
                clip_replay_end_t e;
                char why [256];
                if (clip_replay_end_decode (zmq_msg_data (&frames [1]), zmq_msg_size (&frames [1]),
                                            &e, why, sizeof why) != 0)
                    crash_fail (self, "replay.end does not decode: %s", why);
                if (e.last <= since && e.more)
                    crash_fail (self, "replay.end says more but last=%" PRIu64 " did not advance",
                                e.last);
                since = e.last;
                head = e.head;
                more = e.more;
                end = true;
            }
            else
            if (topic_len == 12 && memcmp (topic, "replay.error", 12) == 0)
                crash_fail (self, "the replay endpoint refused since=%" PRIu64, since);
            else {
                char err [256];
                clip_record_t *rec = clip_record_decode (zmq_msg_data (&frames [1]),
                                                         zmq_msg_size (&frames [1]), err, sizeof err);
                if (!rec)
                    crash_fail (self, "a replayed record does not decode: %s", err);
                count++;
                if (!rec->has_seq)
                    problem (self, "record #%" PRIu64 " (file %s) has no seq", count, rec->file);
                else
                if (rec->seq != count)
                    problem (self, "seq is not gap-free: record #%" PRIu64 " (file %s) has seq %" PRIu64,
                             count, rec->file, rec->seq);
                mfile_t *f = rec->file ? file_find (self, rec->file) : NULL;
                if (!f)
                    problem (self, "seq %" PRIu64 " names file '%s', which the test never created "
                             "(a name changed or cut?)", rec->seq, rec->file ? rec->file : "(none)");
                else
                if (f->state == FILE_AWAY)
                    problem (self, "seq %" PRIu64 " records %s, which the test renamed away out of the "
                             "inbox (step %d) before clipd claimed it", rec->seq, f->name, f->step);
                else
                if (f->records++ > 0)
                    problem (self, "%s has a second record: seq %" PRIu64 " (first seq %" PRIu64 ")",
                             f->name, rec->seq, f->seq);
                else {
                    f->seq = rec->seq;
                    f->rec_bytes = rec->bytes;
                    snprintf (f->title, sizeof f->title, "%s", rec->title ? rec->title : "");
                    snprintf (f->status, sizeof f->status, "%s", rec->status ? rec->status : "");
                    snprintf (f->code, sizeof f->code, "%s", rec->error_code ? rec->error_code : "");
                    f->st = clip_record_status (rec);
                    f->err = clip_record_error (rec);
                }
                clip_record_destroy (&rec);
            }
            clip_wire_frames_free (frames, n);
        }
    }
    zmq_close (dealer);
    zmq_ctx_term (ctx);
    *head_out = head;
    return count;
}

/*  ---- the end: quiet phase and the model's checks ----------------------  */

static bool
pipeline_empty (void *arg)
{
    crash_t *self = arg;
    clipd_check_alive (self);
    workers_check_alive (self);
    orphans_check (self);
    return count_entries (self->inbox) == 0 && count_entries (self->processing) == 0;
}

static bool
path_exists (const char *dir, const char *name, off_t *size)
{
    char *path = clip_path_join (dir, name);
    struct stat st;
    bool ok = lstat (path, &st) == 0 && S_ISREG (st.st_mode);
    if (ok && size)
        *size = st.st_size;
    free (path);
    return ok;
}

/*  The articles in done/: each one a file of the model recorded ok.  */
static void
scan_done (crash_t *self)
{
    DIR *d = opendir (self->done);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir (d)) != NULL) {
        if (e->d_name [0] == '.')
            continue;
        mfile_t *f = file_find (self, e->d_name);
        if (!f)
            problem (self, "done/%s: not a file the test created (a second copy under a suffixed "
                     "name, or a name changed?)", e->d_name);
        else
        if (f->state == FILE_AWAY)
            problem (self, "done/%s: the test renamed it away before clipd claimed it", e->d_name);
        else {
            f->done_seen++;
            off_t size = -1;
            if (path_exists (self->done, e->d_name, &size))
                f->retired_bytes = size;
        }
    }
    closedir (d);
}

/*  The articles in failed/: each one beside its NAME.error.json, which
    names the inbox file and its seq (proto/README.md "Error codes").  An
    inbox name too long for the ".error.json" suffix is shortened there, so
    failed articles are found through their error files.  */
static void
scan_failed (crash_t *self)
{
    DIR *d = opendir (self->failed);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir (d)) != NULL) {
        const char *name = e->d_name;
        if (name [0] == '.' || has_suffix (name, ".tmp"))
            continue;
        if (!has_suffix (name, ".error.json")) {
            char *ej = clip_strprintf ("%s.error.json", name);
            if (!path_exists (self->failed, ej, NULL))
                problem (self, "failed/%s has no error file beside it", name);
            free (ej);
            continue;
        }
        char *path = clip_path_join (self->failed, name);
        json_t *o = json_load_file (path, 0, NULL);
        free (path);
        const char *file = json_string_value (json_object_get (o, "file"));
        json_int_t seq = json_integer_value (json_object_get (o, "seq"));
        char *article = clip_strndup (name, strlen (name) - strlen (".error.json"));
        mfile_t *f = file ? file_find (self, file) : NULL;
        off_t size = -1;
        if (!o || !file)
            problem (self, "failed/%s does not hold a file name", name);
        else
        if (!path_exists (self->failed, article, &size))
            problem (self, "failed/%s names %s, but failed/%s is missing", name, file, article);
        else
        if (!f)
            problem (self, "failed/%s names '%s', which the test never created", name, file);
        else
        if (f->state == FILE_AWAY)
            problem (self, "failed/%s: the test renamed %s away before clipd claimed it", name, file);
        else
        if (f->records == 1 && (uint64_t) seq != f->seq)
            problem (self, "failed/%s says seq %lld, the record of %s is seq %" PRIu64,
                     name, (long long) seq, file, f->seq);
        else {
            f->failed_seen++;
            f->retired_bytes = size;
            if (strlen (f->name) + strlen (".error.json") <= 255 && strcmp (article, f->name) != 0)
                problem (self, "%s is in failed/ as %s", f->name, article);
        }
        free (article);
        json_decref (o);
    }
    closedir (d);
}

static void
check_model (crash_t *self)
{
    scan_done (self);
    scan_failed (self);
    for (size_t i = 0; i < self->n_files; i++) {
        mfile_t *f = self->order [i];
        const char *how = f->in_place ? "written in place" : "renamed in";
        if (f->state == FILE_AWAY) {
            if (!path_exists (self->away, f->name, NULL))
                problem (self, "%s (renamed away at some step after %d) is not in away/", f->name, f->step);
            continue;
        }
        if (f->records == 0) {
            problem (self, "%s (%s at step %d%s) has no record", f->name, how, f->step,
                     f->state == FILE_CLAIMED ? ", claimed by clipd before a rename away" : "");
            continue;
        }
        bool ok = f->st == CLIP_STATUS_OK;
        bool failed = f->st == CLIP_STATUS_FAILED;
        if (!ok && !failed)
            problem (self, "%s (seq %" PRIu64 ") has status '%s'", f->name, f->seq, f->status);
        if (f->done_seen != (ok ? 1 : 0) || f->failed_seen != (failed ? 1 : 0))
            problem (self, "%s (seq %" PRIu64 ", %s%s%s) is %d times in done/ and %d times in failed/",
                     f->name, f->seq, f->status, failed ? " " : "", f->code, f->done_seen, f->failed_seen);
        /*  A file renamed in was whole when clipd first could see it: the
            record and the retired file have its exact size, and its outcome
            follows its kind (a worker_lost is allowed for any: stopped and
            killed workers can exhaust --max-attempts).  A file written in
            place may be taken mid-write if this process stalls longer than
            --settle-ms, so only its accounting is checked.  */
        if (!f->in_place) {
            if (f->rec_bytes != f->bytes)
                problem (self, "%s (seq %" PRIu64 "): the record says %" PRIu64 " bytes, the test wrote %zu",
                         f->name, f->seq, f->rec_bytes, f->bytes);
            if (f->retired_bytes >= 0 && (size_t) f->retired_bytes != f->bytes)
                problem (self, "%s (seq %" PRIu64 "): the retired file has %lld bytes, the test wrote %zu",
                         f->name, f->seq, (long long) f->retired_bytes, f->bytes);
            clip_error_t want = f->kind == KIND_EMPTY ? CLIP_ERROR_EMPTY
                              : f->kind == KIND_BINARY ? CLIP_ERROR_NOT_TEXT : CLIP_ERROR_UNKNOWN;
            bool lost = failed && f->err == CLIP_ERROR_WORKER_LOST;
            if (!lost && (want != CLIP_ERROR_UNKNOWN ? !failed || f->err != want : !ok))
                problem (self, "%s (seq %" PRIu64 "): expected %s, the record says %s %s",
                         f->name, f->seq, want != CLIP_ERROR_UNKNOWN ? clip_error_name (want) : "ok",
                         f->status, f->code);
            /*  The record is this file's analysis, not another's: a text's
                headline names its file.  */
            char headline [300];
            snprintf (headline, sizeof headline, "Story %s", f->name);
            if (ok && f->kind == KIND_TEXT && strcmp (f->title, headline) != 0)
                problem (self, "%s (seq %" PRIu64 "): the record's title is '%s', another file's "
                         "analysis", f->name, f->seq, f->title);
        }
    }
    note_litter (self, self->done, "done");
    note_litter (self, self->failed, "failed");
    note_litter (self, self->inbox, "inbox");
    note_litter (self, self->processing, "processing");
}

static sqlite3_int64
db_int (crash_t *self, sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2 (db, sql, -1, &q, NULL) != SQLITE_OK || sqlite3_step (q) != SQLITE_ROW)
        crash_fail (self, "%s: %s", sql, sqlite3_errmsg (db));
    sqlite3_int64 v = sqlite3_column_int64 (q, 0);
    sqlite3_finalize (q);
    return v;
}

/*  ---- the summary for scripts/reliability.sh ---------------------------  */

static void
write_summary (crash_t *self, uint64_t records, double seconds, bool pass)
{
    const char *env = getenv ("CLIP_RELIABILITY_DIR");
    char *dir = clip_strdup (env && *env ? env : CLIP_RELIABILITY_DIR);
    if (clip_mkdirs (dir, 0755) != 0) {
        fprintf (stderr, "crash model: cannot create %s\n", dir);
        free (dir);
        return;
    }
    int expected = 0;
    for (size_t i = 0; i < self->n_files; i++)
        expected += self->order [i]->state != FILE_AWAY;
    char seed [24];
    snprintf (seed, sizeof seed, "0x%016" PRIx64, self->seed);
    char steps [64];
    if (self->out_of_time)
        snprintf (steps, sizeof steps, "%d of %d steps, cut by the time budget", self->steps_run, self->steps);
    else
        snprintf (steps, sizeof steps, "%d steps", self->steps_run);
    char *outcome = pass
        ? clip_strprintf ("%" PRIu64 " records for %d files, seq 1..%" PRIu64 " gap-free, each file "
                          "exactly once in done/ or failed/, nothing left in inbox/ or processing/: pass",
                          records, expected, records)
        : clip_strprintf ("%" PRIu64 " records for %d expected files: FAIL (%d problems)",
                          records, expected, self->n_problems);
    char *summary = clip_strprintf (
        "%d kill -9 points in %.0f s (%s build, seed %s, %s): clipd killed %d times "
        "(%d during start-up, %d with files in processing/, %d while committing results), "
        "a worker %d times (%d of them clipd's own), %d SIGSTOPs; "
        "%zu files (%d renamed in, %d written in place, %d with names of 200-255 bytes), "
        "%d renamed away (%d claimed by clipd first); %s.",
        self->clipd_kills + self->worker_kills, seconds, BUILD_NAME, seed, steps,
        self->clipd_kills, self->clipd_kills_startup, self->clipd_kills_inflight,
        self->kills_after_progress, self->worker_kills, self->supervised_kills, self->worker_stops, self->n_files, self->dropped, self->in_place,
        self->long_names, self->renamed_away, self->claimed_first, outcome);
    free (outcome);
    json_t *o = json_pack ("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, "
                           "s:I, s:I, s:i, s:f, s:s, s:s}",
                           "proof", "crash_model", "build", BUILD_NAME, "summary", summary,
                           "seed", seed, "steps", self->steps, "steps_run", self->steps_run,
                           "kills", self->clipd_kills + self->worker_kills,
                           "clipd_kills", self->clipd_kills,
                           "clipd_kills_during_startup", self->clipd_kills_startup,
                           "clipd_kills_with_files_in_flight", self->clipd_kills_inflight,
                           "clipd_kills_while_committing", self->kills_after_progress,
                           "supervised_worker_kills", self->supervised_kills,
                           "worker_kills", self->worker_kills, "worker_stops", self->worker_stops,
                           "files", (int) self->n_files, "long_names", self->long_names, "renamed_away", self->renamed_away,
                           "claimed_before_rename_away", self->claimed_first,
                           "expected_files", expected,
                           "records", (json_int_t) records, "problems", (json_int_t) self->n_problems,
                           "stray_tmp_files", self->stray_tmp,
                           "seconds", seconds, "verdict", pass ? "pass" : "fail",
                           "finished", "");
    char stamp [32];
    time_t now = time (NULL);
    strftime (stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime (&now));
    json_object_set_new (o, "finished", json_string (stamp));
    cr_assert_not_null (o, "json_pack of the summary");
    char *path = clip_path_join (dir, "crash_model.json");
    char *tmp = clip_strprintf ("%s.tmp", path);
    char *line = json_dumps (o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    FILE *out = fopen (tmp, "w");
    if (out && fprintf (out, "%s\n", line) > 0 && fclose (out) == 0)
        rename (tmp, path);
    else
        fprintf (stderr, "crash model: cannot write %s\n", path);
    fprintf (stderr, "crash model: %s\n", summary);
    free (line);
    free (tmp);
    free (path);
    json_decref (o);
    free (summary);
    free (dir);
}

/*  ---- the test --------------------------------------------------------  */

static uint64_t
env_u64 (const char *name, uint64_t fallback)
{
    const char *s = getenv (name);
    if (!s || !*s)
        return fallback;
    char *end;
    errno = 0;
    unsigned long long v = strtoull (s, &end, 0);
    cr_assert (errno == 0 && *end == 0 && s [0] != '-', "%s=%s is not a number", name, s);
    return v;
}

Test (crash_model, random_kills_and_renames_keep_one_record_per_file, .fini = crash_fini)
{
    crash_t *self = clip_calloc (1, sizeof *self);
    the_run = self;
    /*  clipd's own workers come to this process when their clipd is
        killed, instead of to init: they are reaped and checked here.  */
    cr_assert_eq (prctl (PR_SET_CHILD_SUBREAPER, 1), 0);
    uint64_t t0 = clip_mono_ms ();
    self->seed = env_u64 ("CLIP_CRASH_SEED", clip_now_ms () ^ ((uint64_t) getpid () << 32) ^ clip_mono_ms ());
    bool default_steps = getenv ("CLIP_CRASH_STEPS") == NULL;
#ifdef CRASH_SANITIZED
    (void) default_steps;
    int min_kills = 0;
#else
    int min_kills = default_steps ? MIN_KILLS : 0;
#endif
    self->steps = (int) env_u64 ("CLIP_CRASH_STEPS", DEFAULT_STEPS);
    cr_assert (self->steps > 0 && self->steps <= 100000, "CLIP_CRASH_STEPS out of range");
    rng_state = self->seed;
    fprintf (stderr, "crash model: seed=0x%016" PRIx64 " steps=%d build=%s "
             "(replay with CLIP_CRASH_SEED=0x%016" PRIx64 " CLIP_CRASH_STEPS=%d)\n",
             self->seed, self->steps, BUILD_NAME, self->seed, self->steps);

    self->dir = tu_tempdir ("crash");
    self->inbox = clip_path_join (self->dir, "inbox");
    self->state = clip_path_join (self->dir, "var");
    self->stage = clip_path_join (self->dir, "stage");
    self->away = clip_path_join (self->dir, "away");
    self->processing = clip_path_join (self->state, "processing");
    self->done = clip_path_join (self->state, "done");
    self->failed = clip_path_join (self->state, "failed");
    self->clipd_log = clip_path_join (self->dir, "clipd.log");
    self->worker_log = clip_path_join (self->dir, "worker.log");
    self->endpoints = clip_path_join (self->state, "endpoints.json");
    self->tasks_ep = clip_strprintf ("ipc://%s/tasks.sock", self->dir);
    self->clipd_bin = tu_bin ("daemon/clipd");
    self->worker_bin = tu_bin ("workers/clip-worker");
    cr_assert_eq (mkdir (self->inbox, 0755), 0);
    cr_assert_eq (mkdir (self->stage, 0755), 0);
    cr_assert_eq (mkdir (self->away, 0755), 0);

    clipd_spawn (self);
    clipd_wait_ready (self);
    for (int i = 0; i < WANT_WORKERS; i++)
        worker_start (self);
    fprintf (stderr, "crash model: clipd ready in %u ms (--corpus none, empty state)\n", self->startup_ms);

    /*  The schedule.  The default one goes on past its steps until it killed
        MIN_KILLS times (at most twice as long), so that the CI run reaches
        that figure whatever the draw; replaying it takes CLIP_CRASH_STEPS
        set to the steps it ran.  */
    for (self->steps_run = 0; ; self->steps_run++) {
        bool more_kills = min_kills > 0 && self->clipd_kills + self->worker_kills < min_kills
                       && self->steps_run < 2 * self->steps;
        if (self->steps_run >= self->steps && !more_kills)
            break;
        if (clip_mono_ms () - t0 > SCHEDULE_BUDGET_MS) {
            self->out_of_time = true;
            break;
        }
        rng_state = self->seed ^ (0xd1b54a32d192ed03ULL * (uint64_t) (self->steps_run + 1));
        clipd_check_alive (self);
        workers_check_alive (self);
        orphans_check (self);
        bool up = self->clipd > 0;
        int live = workers_live (self);
        bool running = false, stopped = false;
        for (int i = 0; i < MAX_WORKERS; i++) {
            running |= self->workers [i].pid > 0 && !self->workers [i].stopped;
            stopped |= self->workers [i].pid > 0 && self->workers [i].stopped;
        }
        /*  Weights of the actions possible now.  */
        enum { DROP, IN_PLACE, AWAY, KILL_CLIPD, START_CLIPD, KILL_WORKER, STOP_WORKER,
               CONT_WORKER, START_WORKER, PAUSE, N_ACTIONS };
        unsigned w [N_ACTIONS] = {
            [DROP] = 30, [IN_PLACE] = 10, [AWAY] = 8,
            [KILL_CLIPD] = up ? 14 : 0,
            [START_CLIPD] = up ? 0 : 60,
            [KILL_WORKER] = live || up ? 10 : 0,
            [STOP_WORKER] = running ? 4 : 0,
            [CONT_WORKER] = stopped ? 6 : 0,
            [START_WORKER] = live < WANT_WORKERS ? 15 : 0,
            [PAUSE] = 8,
        };
        unsigned total = 0;
        for (int a = 0; a < N_ACTIONS; a++)
            total += w [a];
        unsigned r = rng_below (total);
        int action = 0;
        while (r >= w [action])
            r -= w [action++];
        switch (action) {
            case DROP: act_drop (self); break;
            case IN_PLACE: act_write_in_place (self); break;
            case AWAY: act_rename_away (self); break;
            case KILL_CLIPD: act_kill_clipd (self); break;
            case START_CLIPD: act_start_clipd (self); break;
            case KILL_WORKER: act_kill_worker (self); break;
            case STOP_WORKER: {
                int slot = pick_worker (self, false, false);
                signal_pid (self->workers [slot].pid, SIGSTOP);
                self->workers [slot].stopped = true;
                self->worker_stops++;
                break;
            }
            case CONT_WORKER: {
                int slot = pick_worker (self, true, false);
                signal_pid (self->workers [slot].pid, SIGCONT);
                self->workers [slot].stopped = false;
                break;
            }
            case START_WORKER: worker_start (self); break;
            case PAUSE: sleep_ms (rng_below (40)); break;
        }
    }
    double schedule_s = (double) (clip_mono_ms () - t0) / 1000.0;
    fprintf (stderr, "crash model: schedule of %d steps ran in %.1f s%s (replay with CLIP_CRASH_SEED=0x%016"
             PRIx64 " CLIP_CRASH_STEPS=%d)\n", self->steps_run, schedule_s,
             self->out_of_time ? ", stopped by the time budget" : "", self->seed, self->steps_run);

    /*  The quiet phase: everything running, wait until nothing is left.  */
    for (int i = 0; i < MAX_WORKERS; i++)
        if (self->workers [i].stopped) {
            signal_pid (self->workers [i].pid, SIGCONT);
            self->workers [i].stopped = false;
        }
    while (workers_live (self) < WANT_WORKERS)
        worker_start (self);
    if (self->clipd <= 0)
        clipd_spawn (self);
    clipd_wait_ready (self);
    uint64_t quiet0 = clip_mono_ms ();
    if (!tu_wait_for (pipeline_empty, self, QUIET_BOUND_MS)) {
        problem (self, "after %d s of quiet, %d files are still in inbox/ and %d in processing/",
                 QUIET_BOUND_MS / 1000, count_entries (self->inbox), count_entries (self->processing));
    }
    fprintf (stderr, "crash model: quiet phase drained in %.1f s\n",
             (double) (clip_mono_ms () - quiet0) / 1000.0);

    /*  The results log, as a subscriber sees it.  */
    json_t *eps = json_load_file (self->endpoints, 0, NULL);
    cr_assert_not_null (eps);
    char *replay_ep = clip_strdup (json_string_value (json_object_get (eps, "replay")));
    json_decref (eps);
    uint64_t head = 0;
    uint64_t records = replay_and_check (self, replay_ep, &head);
    free (replay_ep);
    if (head != records)
        problem (self, "replay.end says head %" PRIu64 ", %" PRIu64 " records were replayed", head, records);
    check_model (self);

    /*  A clean stop after all that, and the database agrees.  */
    signal_pid (self->clipd, SIGTERM);
    int status = tu_wait (self->clipd, 30000);
    self->clipd = 0;
    if (status != 0)
        problem (self, "clipd exited with status %d on SIGTERM", status);
    for (int i = 0; i < MAX_WORKERS; i++) {
        if (self->workers [i].pid <= 0)
            continue;
        signal_pid (self->workers [i].pid, SIGTERM);
        int ws = tu_wait (self->workers [i].pid, 30000);
        if (ws != 0)
            problem (self, "worker %d exited with status %d on SIGTERM", (int) self->workers [i].pid, ws);
        self->workers [i].pid = 0;
    }
    /*  clipd's own worker follows it out.  */
    uint64_t orphan_deadline = clip_mono_ms () + ORPHAN_BOUND_MS + 1000;
    pid_t kids [64];
    int left;
    while ((left = tu_children (getpid (), kids, 64)) > 0 && clip_mono_ms () < orphan_deadline) {
        orphans_check (self);
        sleep_ms (20);
    }
    orphans_check (self);
    if (left > 0)
        problem (self, "%d processes clipd started were still running %d s after it stopped (pid %d ...)",
                 left, ORPHAN_BOUND_MS / 1000 + 1, (int) kids [0]);
    char *db_path = clip_path_join (self->state, "clipd.db");
    sqlite3 *db;
    cr_assert_eq (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_int64 rows = db_int (self, db, "SELECT count(*) FROM results");
    sqlite3_int64 max_seq = db_int (self, db, "SELECT coalesce(max(seq), 0) FROM results");
    sqlite3_int64 claims = db_int (self, db, "SELECT count(DISTINCT claim) FROM results");
    sqlite3_close (db);
    free (db_path);
    if (rows != (sqlite3_int64) records || max_seq != rows || claims != rows)
        problem (self, "the database holds %lld rows, max seq %lld, %lld distinct claims; "
                 "the replay gave %" PRIu64 " records", (long long) rows, (long long) max_seq,
                 (long long) claims, records);

    double seconds = (double) (clip_mono_ms () - t0) / 1000.0;
    bool pass = self->n_problems == 0;
    write_summary (self, records, seconds, pass);
    if (!pass)
        crash_fail (self, "%d problems%s:\n%s", self->n_problems,
                    self->n_problems > MAX_PROBLEMS ? " (the first ones)" : "", self->problems);
    int kills = self->clipd_kills + self->worker_kills;
    if (min_kills > 0 && !self->out_of_time)
        cr_expect_geq (kills, min_kills, "the default schedule kills at least %d times (seed 0x%016" PRIx64
                       "): %d", min_kills, self->seed, kills);

    tu_rmtree (self->dir);
    mfile_t *f, *tmp;
    HASH_ITER (hh, self->files, f, tmp) {
        HASH_DEL (self->files, f);
        free (f);
    }
    free (self->order);
    free (self->problems);
    free (self->dir); free (self->inbox); free (self->state); free (self->stage); free (self->away);
    free (self->processing); free (self->done); free (self->failed); free (self->clipd_log);
    free (self->worker_log); free (self->endpoints); free (self->tasks_ep); free (self->clipd_bin);
    free (self->worker_bin);
    the_run = NULL;
    free (self);
}
