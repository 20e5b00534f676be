/*  clip_file_read: a whole file, in as few read(2) calls as it allows
    (issue 12: dispatch reads every article with it).  This executable
    defines read itself (forwarding to libc's) to count the calls.  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clip_util.h"
#include "testutil.h"

static long s_reads;

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

/*  A regular file whose size fstat told: one read, which asks one byte
    more than that and gets the size; the read that would say 0 is not
    made.  */
Test (file_read, a_regular_file_takes_one_read)
{
    s_dir = tu_tempdir ("file-read");
    char *path = clip_path_join (s_dir, "article.txt");
    char text [5000];
    for (size_t i = 0; i < sizeof text; i++)
        text [i] = (char) ('a' + i % 26);
    tu_write (path, text, sizeof text);
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
