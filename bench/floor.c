/*  bench_floor: the file-system work of the pipeline and nothing else, on
    one thread, so that the end-to-end rate can be read against what this
    machine's file system allows (figure 3 of bench/run; bench/README.md).

        bench_floor --src DIR --work DIR [--batch N]

    Every regular file of --src is renamed into WORK/inbox (as a writer
    does), then, file by file: renamed into WORK/processing (the claim),
    opened, read whole, closed, its name and size appended to WORK/log,
    renamed into WORK/done; after every --batch files (default 64) and after
    the last, one fdatasync of the log (the commit) and one fsync of done/
    (the moves made durable).  No analysis, no sockets, no SQLite.

    Prints `n=... seconds=... rate=...` (rate in files/s, from the first
    rename into the inbox to the last sync), then `daemon_cpu_ms=...`: the
    CPU time (user + system, getrusage) per file of the second part alone,
    the claim to the synced move, which is the share of the floor that
    falls to the daemon (the writer's rename into the inbox is not its).  Exit 0, 1 on any failed
    system call (named), 2 bad usage.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_clock.h"

static int
fail (const char *what, const char *path)
{
    fprintf (stderr, "bench_floor: %s %s: %s\n", what, path, strerror (errno));
    return 1;
}

static int
move (const char *from_dir, const char *to_dir, const char *name)
{
    char from [PATH_MAX], to [PATH_MAX];
    snprintf (from, sizeof from, "%s/%s", from_dir, name);
    snprintf (to, sizeof to, "%s/%s", to_dir, name);
    if (rename (from, to) != 0)
        return fail ("rename", from);
    return 0;
}

static int
cmp_str (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

int
main (int argc, char **argv)
{
    const char *src = NULL, *work = NULL;
    long batch = 64;
    static const struct option opts [] = {
        { "src", required_argument, NULL, 's' },
        { "work", required_argument, NULL, 'w' },
        { "batch", required_argument, NULL, 'b' },
        { NULL, 0, NULL, 0 }
    };
    int c;
    char *end;
    while ((c = getopt_long (argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
            case 's': src = optarg; break;
            case 'w': work = optarg; break;
            case 'b':
                batch = strtol (optarg, &end, 10);
                if (*end || batch < 1 || batch > 65536) {
                    fprintf (stderr, "bench_floor: --batch must be 1..65536\n");
                    return 2;
                }
                break;
            default:
                goto usage;
        }
    }
    if (!src || !work || optind != argc)
        goto usage;

    char inbox [PATH_MAX], processing [PATH_MAX], done [PATH_MAX], log [PATH_MAX];
    snprintf (inbox, sizeof inbox, "%s/inbox", work);
    snprintf (processing, sizeof processing, "%s/processing", work);
    snprintf (done, sizeof done, "%s/done", work);
    snprintf (log, sizeof log, "%s/log", work);
    const char *dirs [] = { inbox, processing, done };
    for (size_t i = 0; i < 3; i++)
        if (mkdir (dirs [i], 0755) != 0 && errno != EEXIST)
            return fail ("mkdir", dirs [i]);

    DIR *d = opendir (src);
    if (!d)
        return fail ("opendir", src);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir (d))) {
        if (de->d_name [0] == '.' || (de->d_type != DT_REG && de->d_type != DT_UNKNOWN))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            names = realloc (names, cap * sizeof *names);
            if (!names)
                abort ();
        }
        names [n++] = strdup (de->d_name);
    }
    closedir (d);
    qsort (names, n, sizeof *names, cmp_str);

    int log_fd = open (log, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0644);
    if (log_fd < 0)
        return fail ("open", log);
    int done_fd = open (done, O_RDONLY | O_DIRECTORY);
    if (done_fd < 0)
        return fail ("open", done);
    size_t buf_size = 1 << 20;
    char *buf = malloc (buf_size);
    if (!buf)
        abort ();

    double t0 = bench_now_s ();
    for (size_t i = 0; i < n; i++)
        if (move (src, inbox, names [i]))
            return 1;
    double cpu0 = bench_cpu_s ();
    for (size_t i = 0; i < n; i++) {
        if (move (inbox, processing, names [i]))
            return 1;
        char path [2 * PATH_MAX];
        snprintf (path, sizeof path, "%s/%s", processing, names [i]);
        int fd = open (path, O_RDONLY | O_NOFOLLOW);
        if (fd < 0)
            return fail ("open", path);
        size_t total = 0;
        for (;;) {
            ssize_t r = read (fd, buf, buf_size);
            if (r < 0)
                return fail ("read", path);
            if (r == 0)
                break;
            total += (size_t) r;
        }
        close (fd);
        char line [PATH_MAX + 32];
        int len = snprintf (line, sizeof line, "%s %zu\n", names [i], total);
        if (write (log_fd, line, (size_t) len) != len)
            return fail ("write", log);
        if (move (processing, done, names [i]))
            return 1;
        if ((i + 1) % (size_t) batch == 0 || i + 1 == n) {
            if (fdatasync (log_fd) != 0)
                return fail ("fdatasync", log);
            if (fsync (done_fd) != 0)
                return fail ("fsync", done);
        }
    }
    double secs = bench_now_s () - t0;
    double daemon_cpu = bench_cpu_s () - cpu0;
    printf ("n=%zu seconds=%.3f rate=%.1f batch=%ld daemon_cpu_ms=%.4f\n", n, secs,
            secs > 0 ? n / secs : 0, batch, n ? daemon_cpu * 1e3 / n : 0);
    close (log_fd);
    close (done_fd);
    free (buf);
    for (size_t i = 0; i < n; i++)
        free (names [i]);
    free (names);
    return 0;
usage:
    fprintf (stderr, "usage: bench_floor --src DIR --work DIR [--batch N]\n");
    return 2;
}
