/*  clip_file_read: a whole file, in as few read(2) calls as it allows
    (issue 12: dispatch reads every article with it, through
    clip_file_read_sized, the claim having stat'ed it).  This executable
    defines read and fstat itself (forwarding to libc's) to count the
    calls.  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clip_util.h"
#include "testutil.h"

static long s_reads;
static long s_fstats;

int
fstat (int fd, struct stat *st)
{
    static int (*real) (int, struct stat *);
    if (!real)
        real = (int (*) (int, struct stat *)) dlsym (RTLD_NEXT, "fstat");
    s_fstats++;
    return real (fd, st);
}

ssize_t
read (int fd, void *buf, size_t count)
{
    static ssize_t (*real) (int, void *, size_t);
    if (!real)
        real = (ssize_t (*) (int, void *, size_t)) dlsym (RTLD_NEXT, "read");
    s_reads++;
    return real (fd, buf, count);
}

static char *s_dir;

static void
cleanup (void)
{
    if (s_dir) {
        tu_rmtree (s_dir);
        free (s_dir);
        s_dir = NULL;
    }
}

TestSuite (file_read, .fini = cleanup);

/*  Fill text with letters and write it to path: an article of n bytes.  */
static void
write_letters (const char *path, char *text, size_t n)
{
    for (size_t i = 0; i < n; i++)
        text [i] = (char) ('a' + i % 26);
    tu_write (path, text, n);
}

/*  A regular file whose size fstat told: one read, which asks one byte
    more than that and gets the size; the read that would say 0 is not
    made.  */
Test (file_read, a_regular_file_takes_one_read)
{
    s_dir = tu_tempdir ("file-read");
    char *path = clip_path_join (s_dir, "article.txt");
    char text [5000];
    write_letters (path, text, sizeof text);
    char *data = NULL;
    size_t len = 0;
    s_reads = 0;
    cr_assert_eq (clip_file_read (path, 1 << 20, &data, &len), 0);
    cr_assert_eq (s_reads, 1, "%ld reads", s_reads);
    cr_assert_eq (len, sizeof text);
    cr_assert_eq (memcmp (data, text, len), 0);
    cr_assert_eq (data [len], 0);
    free (data);
    free (path);
}

/*  An empty file, and a file of /proc (size 0, read in pieces): read
    until read(2) says 0, and all of it is there.  */
Test (file_read, files_without_a_size_are_read_to_their_end)
{
    s_dir = tu_tempdir ("file-read");
    char *path = clip_path_join (s_dir, "empty.txt");
    tu_write (path, "", 0);
    char *data = NULL;
    size_t len = 1;
    cr_assert_eq (clip_file_read (path, 1 << 20, &data, &len), 0);
    cr_assert_eq (len, 0);
    free (data);
    free (path);

    /*  /proc/self/maps of this process is well over a page (the libraries
        mapped), which the kernel hands out a page at most per read.  */
    cr_assert_eq (clip_file_read ("/proc/self/maps", 1 << 24, &data, &len), 0);
    cr_assert (len > 4096, "only %zu bytes of /proc/self/maps", len);
    cr_assert_not_null (strstr (data, "[stack]"), "the end of the maps is missing");
    cr_assert_eq (data [len - 1], '\n');
    free (data);
}

/*  Larger than max: refused, whatever the reads.  */
Test (file_read, a_file_over_max_is_refused)
{
    s_dir = tu_tempdir ("file-read");
    char *path = clip_path_join (s_dir, "big.txt");
    tu_write (path, "0123456789", 10);
    char *data = NULL;
    size_t len = 0;
    cr_assert_eq (clip_file_read (path, 9, &data, &len), -EFBIG);
    cr_assert_null (data);
    free (path);
}

/*  The size known from the caller's own stat (a claim): one read and no
    fstat, the same bytes.  */
Test (file_read, a_known_size_spares_the_fstat)
{
    s_dir = tu_tempdir ("file-read");
    char *path = clip_path_join (s_dir, "article.txt");
    char text [3000];
    write_letters (path, text, sizeof text);
    char *data = NULL;
    size_t len = 0;
    s_reads = 0;
    s_fstats = 0;
    cr_assert_eq (clip_file_read_sized (path, 1 << 20, sizeof text, &data, &len), 0);
    cr_assert_eq (s_fstats, 0, "%ld fstats", s_fstats);
    cr_assert_eq (s_reads, 1, "%ld reads", s_reads);
    cr_assert_eq (len, sizeof text);
    cr_assert_eq (memcmp (data, text, len), 0);
    cr_assert_eq (data [len], 0);
    free (data);
    /*  Without the size, clip_file_read asks fstat.  */
    s_fstats = 0;
    cr_assert_eq (clip_file_read (path, 1 << 20, &data, &len), 0);
    cr_assert_eq (s_fstats, 1, "%ld fstats", s_fstats);
    free (data);
    free (path);
}

/*  A size that is no longer true: the file is still read whole (it grew)
    or to its end (it shrank), and max still holds.  */
Test (file_read, a_wrong_size_still_reads_the_file_as_it_is)
{
    s_dir = tu_tempdir ("file-read");
    char *path = clip_path_join (s_dir, "article.txt");
    char text [5000];
    write_letters (path, text, sizeof text);
    char *data = NULL;
    size_t len = 0;
    cr_assert_eq (clip_file_read_sized (path, 1 << 20, 100, &data, &len), 0, "it grew");
    cr_assert_eq (len, sizeof text);
    cr_assert_eq (memcmp (data, text, len), 0);
    free (data);
    cr_assert_eq (clip_file_read_sized (path, 1 << 20, 9000, &data, &len), 0, "it shrank");
    cr_assert_eq (len, sizeof text);
    cr_assert_eq (memcmp (data, text, len), 0);
    free (data);
    data = NULL;
    cr_assert_eq (clip_file_read_sized (path, 4999, 100, &data, &len), -EFBIG, "over max");
    cr_assert_null (data);
    cr_assert_eq (clip_file_read_sized (path, 4000, 4000, &data, &len), -EFBIG,
                  "over max, the size saying otherwise");
    cr_assert_null (data);
    /*  What is not a regular file fails in the read, not by blocking.  */
    cr_assert_lt (clip_file_read_sized (s_dir, 1 << 20, 4096, &data, &len), 0, "a folder");
    cr_assert_null (data);
    free (path);
}
