/*  clip_postings: the shingles the index does not hold, for short articles.

    The in-memory index (clip_lsh) stores a sample of a long article's
    shingles, its keys: about 43% of them.  A short article, say a headline
    of eight words, shares only a handful of shingles with a long article
    that quotes it, and each is a key with probability 0.43 only: sampling
    alone misses such a pair several times in a hundred.  Looking the short
    article up among every shingle of every article makes it exact; keeping
    all of them in memory would more than double the index.  So the other
    shingles of each article (its set less its keys) live here, in the
    state database, and only articles of fewer than CLIP_LSH_FEW shingles
    look them up: a few SQLite range reads, about a hundred microseconds.

    Storage: corpus_postings (bucket, first, postings), WITHOUT ROWID, so
    that the rows of a bucket are adjacent.  A shingle's bucket is its top
    CLIP_POSTINGS_BUCKET_BITS bits; postings are (hash, row) pairs, 8
    bytes, little-endian u32 each, rows increasing.  Postings are first
    held in memory, and written CLIP_POSTINGS_FLUSH at a time (one row per
    bucket, `first` the first article row in it), in eight steps, each a
    transaction of its own; the last also records, as corpus_meta
    'postings_row', the last article row written.  Each write also merges rows in a sixteenth of
    the buckets, the newest ones as in a binary counter (merge_bucket), so
    that a bucket keeps about twenty rows and a posting is rewritten a
    few times over the life of the corpus.  What a crash loses from memory
    is the articles after 'postings_row', which the corpus adds again at
    open from their sketches: derived data, like the keys snapshot.

    Not thread-safe; the corpus owns one.
*/
#ifndef CLIP_POSTINGS_H
#define CLIP_POSTINGS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct clip_postings clip_postings_t;

#define CLIP_POSTINGS_BUCKET_BITS 14
/*  Postings held in memory before they are written: 16 MiB, about
    23,000 Reuters-sized articles.  Writing costs about the same whatever
    their number (a row in each bucket), so fewer, larger writes cost
    less an article.  */
#define CLIP_POSTINGS_FLUSH (1u << 21)

/*  Open the postings of db, creating the table when db is writable.
    Returns NULL with err set on a SQLite error.  Caller owns the result.  */
clip_postings_t *clip_postings_open (sqlite3 *db, char *err, size_t err_size);

/*  Forget what is held in memory (write it first with
    clip_postings_flush if it is to be kept).  */
void clip_postings_destroy (clip_postings_t **self_p);

/*  The last article row whose postings are in the table: rows after it
    must be added again after opening.  */
uint64_t clip_postings_written (const clip_postings_t *self);

/*  Hold the shingles of article row (sorted or not), rows increasing from
    one call to the next and above clip_postings_written.  */
void clip_postings_add (clip_postings_t *self, uint32_t row, const uint32_t *hashes, size_t n);

/*  Drop the postings held in memory of rows from `row` on (their
    transaction was rolled back).  */
void clip_postings_forget (clip_postings_t *self, uint32_t row);

/*  Postings in memory (held, or in a write under way and not yet
    written), and the bytes of memory held.  */
size_t clip_postings_held (const clip_postings_t *self);
size_t clip_postings_memory (const clip_postings_t *self);

/*  One step of writing, in a transaction of its own: when no write is
    under way and at least at_least postings are held, start one with
    them; then write the next eighth of it (so that the daemon pauses for
    an eighth of a write at a time).  No transaction may be open, and
    every row added must be committed.  Returns 0 (also when there is
    nothing to do), or -1 with nothing lost (logged).  */
int clip_postings_write_some (clip_postings_t *self, size_t at_least);

/*  Write everything held, in as many steps as it takes.  Returns 0 or -1
    (logged).  */
int clip_postings_flush (clip_postings_t *self);

/*  Called with each row holding one of the hashes looked up, once per
    hash it holds.  */
typedef void (clip_postings_fn) (void *arg, uint32_t row);

/*  Look up n hashes: for each, the rows that hold it among those written
    and held, the earliest first, at most max_rows of them (a shingle in
    thousands of articles, such as "said on monday", is boilerplate).
    Returns 0 or -1 on a SQLite error (logged).  */
int clip_postings_find (clip_postings_t *self, const uint32_t *hashes, size_t n,
                        size_t max_rows, clip_postings_fn *fn, void *arg);

#endif
