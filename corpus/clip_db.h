/*  clip_db: the state database, STATE/clipd.db.

    One SQLite file in WAL mode holds the results log (daemon/results.c) and
    the corpus (clip_corpus.c), so that an article's result and its corpus row
    are committed in one transaction.  synchronous=FULL: a commit that
    returned is on disk, also across a power loss.  A new file is made with
    CLIP_DB_PAGE_SIZE pages; one made before keeps its own.
*/
#ifndef CLIP_DB_H
#define CLIP_DB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/*  The page size of a database clip_db_open creates (issue 12).  A group
    commit writes each page it dirtied to the WAL as one frame (two
    pwrite(2), its header and the page), and a batch of clipd's dirties
    about half a page of the results log and half of corpus_articles per
    article with 4 KiB pages, plus the last page of each b-tree and up to
    a leaf of corpus_articles_id per article (its keys are random): 2.35
    frames an article in batches of 16, 1.07 with 16 KiB pages, for 1.8
    times the WAL bytes (2.9 and 1.7 frames, 2.4 times the bytes, into a
    corpus of 100,000, where the id index takes a leaf an article:
    bench_wal_frames, bench/README.md).  A database that exists keeps the
    page size it was made with: SQLite sets it only before the first page
    is written, and cannot change it in WAL mode (not even by VACUUM).
    Defined at build time to compare sizes (-DCLIP_DB_PAGE_SIZE=8192).  */
#ifndef CLIP_DB_PAGE_SIZE
#define CLIP_DB_PAGE_SIZE 16384
#endif

/*  Open (creating if needed) the database at path.  read_only opens it
    without creating or writing.  A new database gets CLIP_DB_PAGE_SIZE;
    one that exists keeps the page size it was made with.  Returns NULL
    with err set on failure.  Caller owns the result; close with
    sqlite3_close.  */
sqlite3 *clip_db_open (const char *path, int read_only, char *err, size_t err_size);

/*  The page size of db's main database in bytes, or -1 on error.  */
int clip_db_page_size (sqlite3 *db);

/*  Let SQLite read db through a memory map of at most bytes of the file
    (PRAGMA mmap_size; 0 maps nothing, and SQLite caps it at its build's
    SQLITE_MAX_MMAP_SIZE, 2 GiB less 64 KiB on Debian).  Mapped, a page
    that is not in SQLite's own small cache is read from the page cache
    without a pread(2) each time: the corpus judge visits the rows of its
    candidates in random order, one page each.  Writes still go through
    the WAL with pwrite.  The price, SQLite's own caveat: a read error of
    the disk, or the file cut short behind clipd's back (the state lock
    keeps clip's writers out), arrives as SIGBUS instead of an SQLite
    error; 0 gives such errors back to SQLite.  Returns 0, or -1 with err
    set.  */
int clip_db_set_mmap (sqlite3 *db, uint64_t bytes, char *err, size_t err_size);

/*  Take the lock a running clipd holds on STATE/clipd.lock, for a tool
    that writes the state database (clip corpus import and compact, clip
    analyze --add): while clipd runs, it alone writes it.  Never waits.
    Returns the locked descriptor (close it to release the lock), or a
    negative errno with err saying why: -EWOULDBLOCK when a running clipd
    (named by its pid when the kernel tells) holds the folder, another when
    the lock file cannot be opened or locked.  */
int clip_db_lock_state (const char *state, char *err, size_t err_size);

/*  Run one SQL statement without results; returns 0 or -1 with err set.  */
int clip_db_exec (sqlite3 *db, const char *sql, char *err, size_t err_size);

/*  The value of a corpus_meta (name, value) row, where the corpus modules
    keep the small integers that describe their tables; otherwise when
    there is no such row (or no table yet).  */
int64_t clip_db_meta (sqlite3 *db, const char *name, int64_t otherwise);

/*  Prepare one statement; returns 0, or -1 with err naming who (owner) and
    SQLite's reason.  */
int clip_db_prepare (sqlite3 *db, const char *owner, const char *sql, sqlite3_stmt **stmt,
                     char *err, size_t err_size);

#endif
