/*  clip_db: the state database.  See clip_db.h.  */
#include "clip_db.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "clip_util.h"

/*  The pid holding a flock on the file open as fd, from /proc/locks
    ("1: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE 0 EOF"), or 0 when it
    cannot be told.  Only to name the holder in a message.  */
static long
lock_holder (int fd)
{
    struct stat st;
    FILE *f = fstat (fd, &st) == 0 ? fopen ("/proc/locks", "re") : NULL;
    if (!f)
        return 0;
    char line [256];
    long holder = 0;
    while (!holder && fgets (line, sizeof line, f)) {
        char kind [16];
        long pid;
        unsigned int maj, min;
        uintmax_t ino;
        if (sscanf (line, "%*[^:]: %15s %*s %*s %ld %x:%x:%ju", kind, &pid, &maj, &min, &ino) == 5
        &&  strcmp (kind, "FLOCK") == 0 && ino == (uintmax_t) st.st_ino
        &&  maj == major (st.st_dev) && min == minor (st.st_dev) && pid > 0)
            holder = pid;
    }
    fclose (f);
    return holder;
}

int
clip_db_lock_state (const char *state, char *err, size_t err_size)
{
    char *lock_path = clip_path_join (state, "clipd.lock");
    int fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        fd = -errno;
        snprintf (err, err_size, "cannot open %s: %s", lock_path, strerror (errno));
    }
    else
    if (flock (fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        long pid = e == EWOULDBLOCK ? lock_holder (fd) : 0;
        char who [48] = "";
        if (pid > 0)
            snprintf (who, sizeof who, " (pid %ld)", pid);
        if (e == EWOULDBLOCK)
            snprintf (err, err_size, "%s is in use by a running clipd%s (%s is locked)",
                      state, who, lock_path);
        else
            snprintf (err, err_size, "cannot lock %s: %s", lock_path, strerror (e));
        close (fd);
        fd = -e;
    }
    free (lock_path);
    return fd;
}

sqlite3 *
clip_db_open (const char *path, int read_only, char *err, size_t err_size)
{
    sqlite3 *db = NULL;
    int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2 (path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf (err, err_size, "cannot open database %s: %s", path,
                  db ? sqlite3_errmsg (db) : "out of memory");
        sqlite3_close (db);
        return NULL;
    }
    /*  Another process (clip corpus stats, clip analyze --state) may read
        while clipd writes; wait for a lock rather than fail at once.  */
    sqlite3_busy_timeout (db, 5000);
    /*  The page size counts only for a database that has no page yet: it
        must come before journal_mode=WAL, which writes the first page.  A
        database that exists keeps its own (SQLite ignores the pragma, and
        in WAL mode not even VACUUM changes it).  */
    char page_sql [48];
    snprintf (page_sql, sizeof page_sql, "PRAGMA page_size=%d", CLIP_DB_PAGE_SIZE);
    if (!read_only
    &&  (clip_db_exec (db, page_sql, err, err_size)
    ||   clip_db_exec (db, "PRAGMA journal_mode=WAL", err, err_size)
    ||   clip_db_exec (db, "PRAGMA synchronous=FULL", err, err_size))) {
        sqlite3_close (db);
        return NULL;
    }
    return db;
}

int
clip_db_page_size (sqlite3 *db)
{
    sqlite3_stmt *q = NULL;
    int size = -1;
    if (sqlite3_prepare_v2 (db, "PRAGMA page_size", -1, &q, NULL) == SQLITE_OK
    &&  sqlite3_step (q) == SQLITE_ROW)
        size = sqlite3_column_int (q, 0);
    sqlite3_finalize (q);
    return size;
}

int
clip_db_set_mmap (sqlite3 *db, uint64_t bytes, char *err, size_t err_size)
{
    char sql [64];
    snprintf (sql, sizeof sql, "PRAGMA mmap_size=%" PRIu64, bytes);
    return clip_db_exec (db, sql, err, err_size);
}

int
clip_db_exec (sqlite3 *db, const char *sql, char *err, size_t err_size)
{
    char *msg = NULL;
    if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf (err, err_size, "%s: %s", sql, msg ? msg : sqlite3_errmsg (db));
        sqlite3_free (msg);
        return -1;
    }
    return 0;
}

int
clip_db_prepare (sqlite3 *db, const char *owner, const char *sql, sqlite3_stmt **stmt,
                 char *err, size_t err_size)
{
    if (sqlite3_prepare_v2 (db, sql, -1, stmt, NULL) != SQLITE_OK) {
        snprintf (err, err_size, "%s: %s", owner, sqlite3_errmsg (db));
        return -1;
    }
    return 0;
}

int64_t
clip_db_meta (sqlite3 *db, const char *name, int64_t otherwise)
{
    int64_t value = otherwise;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2 (db, "SELECT value FROM corpus_meta WHERE name = ?1",
                            -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text (q, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step (q) == SQLITE_ROW)
            value = sqlite3_column_int64 (q, 0);
    }
    sqlite3_finalize (q);
    return value;
}
