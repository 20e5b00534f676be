/*  clip_db: the state database.  See clip_db.h.  */
#include "clip_db.h"

#include <stdio.h>

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
    if (!read_only
    &&  (clip_db_exec (db, "PRAGMA journal_mode=WAL", err, err_size)
    ||   clip_db_exec (db, "PRAGMA synchronous=FULL", err, err_size))) {
        sqlite3_close (db);
        return NULL;
    }
    return db;
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
