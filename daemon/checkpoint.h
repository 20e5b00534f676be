/*  checkpoint: the state database's WAL copied back into the database, on
    a thread of its own.

    By default SQLite checkpoints on the connection that commits, inside
    the COMMIT that takes the WAL past 1000 pages: it copies every page
    and fsyncs the database file while the next batch of results waits for
    the commit thread.  clip_checkpoint_new takes that off the writer's
    connection (its WAL hook replaces the automatic checkpoint) and gives
    it to a thread with a connection of its own:

    - after a COMMIT that leaves CLIP_CHECKPOINT_PAGES more pages in the
      WAL than the last checkpoint saw, the hook (on the committing
      thread; it only signals) wakes the thread, which runs a PASSIVE
      checkpoint: it copies what no reader still needs, and neither waits
      for the writer nor makes it wait;
    - writes that follow each other closely may leave the thread no
      moment to copy the last pages before the next COMMIT adds more, and
      the WAL cannot start again from its beginning until it has; so once
      it holds CLIP_CHECKPOINT_RESTART_PAGES the hook runs a RESTART
      checkpoint itself, on the writer's connection between two of its
      transactions: it waits at most CLIP_CHECKPOINT_WAIT_MS for the
      thread's checkpoint and the readers of old pages, copies the few
      pages the thread has not, and the next COMMIT starts the WAL again.
      A rare, short wait, where SQLite's default makes every 1000th
      page's COMMIT copy them all.

    Durability is SQLite's either way: a page is in the database file only
    once a checkpoint fsynced it, and the WAL is reused only after that.

    Owns the thread and its connection; the writer's connection db is
    borrowed.  clip_checkpoint_destroy must be called while nothing
    commits on db (after clip_commit_destroy): it gives db back its
    automatic checkpoint, stops the thread (a checkpoint running ends
    first) and closes the connection.  Counts clipd_checkpoints_total and
    clipd_checkpoint_failures_total.
*/
#ifndef CLIP_CHECKPOINT_H
#define CLIP_CHECKPOINT_H

#include <sqlite3.h>
#include <stddef.h>

#include "metrics.h"

/*  SQLite's own threshold (wal_autocheckpoint), sixteen times it, and the
    longest a restart waits.  */
#define CLIP_CHECKPOINT_PAGES 1000
#define CLIP_CHECKPOINT_RESTART_PAGES 16000
#define CLIP_CHECKPOINT_WAIT_MS 100

typedef struct clip_checkpoint clip_checkpoint_t;

/*  Start checkpointing db's file on a thread (metrics may be NULL).  A
    database without a file (":memory:") has no WAL: the result then does
    nothing.  Returns NULL with err set when the second connection cannot
    be opened (db is left as it was).  Caller owns the result.  */
clip_checkpoint_t *clip_checkpoint_new (sqlite3 *db, clipd_metrics_t *metrics, char *err,
                                        size_t err_size);
void clip_checkpoint_destroy (clip_checkpoint_t **self_p);

#endif
