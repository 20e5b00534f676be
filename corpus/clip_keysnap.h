/*  clip_keysnap: a derived copy of the corpus index keys in one sequential
    file, so that a large corpus opens fast from a cold disk.

    The state database stays the source of truth: the rows of corpus_keys
    are written among the much larger rows of corpus_articles, so reading
    them from a cold disk means one random read per page.  The snapshot
    holds the same keys back to back, in row order, and is read in large
    sequential reads.  It is only ever appended to, after the database
    COMMIT of the rows it covers, and it can be deleted at any time: the
    corpus then rebuilds it from corpus_keys.

    Format (little-endian):
      header, 64 bytes: magic "CLIPKEY2", data bytes, records, last row
      covered, hash of the id of that row, XXH3 of the data, the id of the
      database it was made from, XXH3 of the 56 bytes before it;
      data: one record per article with keys, rows increasing and at most
      the last row covered: row (u32), the article's shingle count (u32),
      key count (u32), keys (u32 each).  A snapshot of another format
      (CLIPKEY1: keys of the first rule, no shingle count) is rebuilt.
    The header is rewritten after each append.  A crash may leave the data
    longer than the header says (the excess is ignored) or a header that
    fails its hash or does not match the data (the snapshot is then
    rebuilt): it can cost time, never correctness.

    One writer at a time: a writable snapshot holds an exclusive flock on
    its file for its life; a second opener gets a read-only one.  Readers
    take no lock, and rely on the hashes.  Not thread-safe.
*/
#ifndef CLIP_KEYSNAP_H
#define CLIP_KEYSNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct clip_keysnap clip_keysnap_t;

/*  Open the snapshot at path.  writable: create the file if it is missing
    and keep it for appending (unless another process holds it: the result
    is then read-only).  Returns NULL if the file cannot be opened (logged
    unless it is simply missing).  Caller owns the result.  */
clip_keysnap_t *clip_keysnap_open (const char *path, bool writable);
void clip_keysnap_destroy (clip_keysnap_t **self_p);

/*  True if this process may append.  */
bool clip_keysnap_writable (const clip_keysnap_t *self);

/*  The rows covered as the header says: the last row and the hash of its
    id (clip_keysnap_id_hash).  Returns 0, or -1 if the header is missing,
    torn or of another format.  */
int clip_keysnap_covered (const clip_keysnap_t *self, uint64_t *last_row, uint64_t *last_id_hash);

/*  The id of the database the snapshot was made from (0 if none).  */
uint64_t clip_keysnap_database (const clip_keysnap_t *self);

/*  Called for each record read, in row order.  keys is valid during the
    call only.  */
typedef void (clip_keysnap_fn) (void *arg, uint32_t row, uint32_t shingles,
                                const uint32_t *keys, size_t n_keys);

/*  Read every record the header covers with large sequential reads, calling
    fn for each.  Returns 0 if the data is whole and matches its hash; -1
    otherwise, after fn may have been called for records that the caller
    must then discard (and, if writable, clip_keysnap_reset before
    appending).  At most once per open.  */
int clip_keysnap_read (clip_keysnap_t *self, clip_keysnap_fn *fn, void *arg);

/*  Writable only: empty the snapshot (covering row 0), now made from the
    database whose id is given.  Returns 0 or -1.  */
int clip_keysnap_reset (clip_keysnap_t *self, uint64_t database);

/*  Writable only: buffer a record for the next commit.  row must be above
    the rows already in the snapshot, n_keys at most 65535 and at most
    shingles.  */
void clip_keysnap_add (clip_keysnap_t *self, uint32_t row, uint32_t shingles,
                       const uint32_t *keys, size_t n_keys);

/*  Writable only: append the buffered records, then write a header saying
    that the snapshot covers every row up to last_row, whose id hashes to
    last_id_hash.  Call only after the database COMMIT of those rows.
    Returns 0, or -1 on a write error (logged): the snapshot is then
    read-only, and its file is left either as it was or failing its
    hashes.  */
int clip_keysnap_commit (clip_keysnap_t *self, uint64_t last_row, uint64_t last_id_hash);

/*  The rows covered as this process wrote or read them (0 if none).  */
uint64_t clip_keysnap_last_row (const clip_keysnap_t *self);

/*  The hash stored for a row's id (never 0).  */
uint64_t clip_keysnap_id_hash (const char *id);

#endif
