/*  bench_analyze: is the analysis of one article linear in its size?

    Times the whole of what a worker does with one article, on one core:
    clip_analyzer_run (binary check, decode, normalise, id, title, sketch,
    entities: tokenize, tag, document consistency, MONEY / DATE / PERCENT
    grammar, linking) and then the record's msgpack encoding and JSON
    rendering.  For each kind of input and each size it prints the CPU time
    of one analysis (after one untimed run, the best of the runs made in
    --seconds, at least one) and bytes per second: when the analysis is linear, bytes/s is flat across sizes.
    The last column is bytes/s relative to the 100 KB run of the same kind.

    Kinds of input, each cut to the size on a character boundary:
      news      Reuters-21578 then BBC News articles, concatenated
      repeat    one sentence with names, money and a date, repeated
      oneline   news with every line break made a space: one giant line
      caps      news in upper case (every word capitalised: names everywhere)
      numbers   numbers, amounts, percentages and dates, nothing else
      names     distinct made-up names ("Mr Tavo Kerin of Belamor Corp said"),
                each new: document consistency and linking see many names

    usage: bench_analyze [--news DIR] [--data-dir DIR] [--kinds k1,k2,...]
                         [--sizes 1K,10K,...] [--seconds S] [--max-seconds S]
                         [--max-entities N] [--articles N]

    With --articles N it measures instead what a worker spends per task
    (issue 12): the first N Reuters-21578 articles in name order, read
    into memory first, each analysed (clip_analyzer_run) and its record
    encoded (clip_record_encode, the msgpack a worker sends); passes over
    all N until --seconds of CPU (at least three), and prints the best
    pass as CPU ms per article and articles/s on one core, then the same
    with the record's JSON rendering added (what `clip analyze` prints).

    Without --news, ../shared/data/{reuters21578,bbc-news}.tar.gz are
    extracted into a temporary directory, removed at the end.  Once one
    analysis of a kind takes more than --max-seconds (default 120), its
    larger sizes are skipped (marked "skipped"), so that a run on a build
    that is not linear still ends.
*/
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clip_analyze.h"
#include "clip_record.h"
#include "clip_utf8.h"
#include "clip_util.h"

typedef struct {
    char *data;
    size_t len, cap;
} buf_t;

static void
buf_add (buf_t *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->data = clip_realloc (b->data, cap);
        b->cap = cap;
    }
    memcpy (b->data + b->len, s, n);
    b->len += n;
    b->data [b->len] = 0;
}

static void
buf_str (buf_t *b, const char *s)
{
    buf_add (b, s, strlen (s));
}

static double
cpu_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int
cmp_str (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

/*  --articles: the worker's cost per Reuters article.  */
typedef struct {
    char *data;
    size_t len;
} article_t;

/*  The first n *.txt files of dir in name order, read whole.  Returns
    how many were read.  */
static size_t
read_articles (const char *dir, size_t n, article_t **out)
{
    *out = NULL;
    DIR *d = opendir (dir);
    if (!d)
        return 0;
    char **names = NULL;
    size_t nn = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir (d)) != NULL) {
        size_t l = strlen (e->d_name);
        if (l < 5 || strcmp (e->d_name + l - 4, ".txt") != 0)
            continue;
        if (nn == cap)
            names = clip_realloc (names, (cap = cap ? cap * 2 : 1024) * sizeof *names);
        names [nn++] = clip_strdup (e->d_name);
    }
    closedir (d);
    qsort (names, nn, sizeof *names, cmp_str);
    article_t *a = clip_calloc (n ? n : 1, sizeof *a);
    size_t got = 0;
    for (size_t i = 0; i < nn; i++) {
        if (got < n) {
            char *path = clip_path_join (dir, names [i]);
            if (clip_file_read (path, (size_t) 16 << 20, &a [got].data, &a [got].len) == 0)
                got++;
            free (path);
        }
        free (names [i]);
    }
    free (names);
    *out = a;
    return got;
}

/*  One pass over the articles: analyse and encode each (and render its
    JSON when json is set).  Returns the thread CPU seconds it took.  */
static double
articles_pass (clip_analyzer_t *an, const article_t *a, size_t n, int json, size_t *entities)
{
    double t0 = cpu_now ();
    size_t ents = 0;
    for (size_t i = 0; i < n; i++) {
        void *sketch = NULL;
        size_t sketch_len = 0;
        clip_record_t *rec = clip_analyzer_run (an, "bench.txt", a [i].data, a [i].len,
                                                &sketch, &sketch_len);
        char *packed;
        size_t packed_len;
        clip_record_encode (rec, &packed, &packed_len);
        if (json)
            free (clip_record_to_json (rec));
        ents += rec->n_entities;
        free (packed);
        free (sketch);
        clip_record_destroy (&rec);
    }
    *entities = ents;
    return cpu_now () - t0;
}

static int
bench_articles (clip_analyzer_t *an, const char *news, size_t want, double seconds)
{
    char *dir = clip_path_join (news, "reuters21578");
    article_t *a;
    size_t n = read_articles (dir, want, &a);
    if (n == 0) {
        fprintf (stderr, "bench_analyze: no .txt files in %s\n", dir);
        free (dir);
        free (a);
        return 1;
    }
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += a [i].len;
    printf ("%zu Reuters-21578 articles, %zu bytes, from %s\n", n, bytes, dir);
    printf ("%-36s %6s %12s %14s %10s\n", "per article", "passes", "cpu_ms", "articles/s", "entities");
    for (int json = 0; json <= 1; json++) {
        size_t ents = 0;
        articles_pass (an, a, n, json, &ents);         /* warm: buffers, pages */
        double best = 1e300, spent = 0;
        int passes = 0;
        while (passes < 3 || spent < seconds) {
            double dt = articles_pass (an, a, n, json, &ents);
            if (dt < best)
                best = dt;
            spent += dt;
            passes++;
        }
        printf ("%-36s %6d %12.4f %14.0f %10zu\n",
                json ? "analyse + msgpack + JSON" : "analyse + msgpack (a worker's task)",
                passes, best * 1e3 / (double) n, (double) n / best, ents);
    }
    for (size_t i = 0; i < n; i++)
        free (a [i].data);
    free (a);
    free (dir);
    return 0;
}

/*  Every *.txt file under dir, appended in sorted path order (directories
    first by name), until the buffer holds at least want bytes.  */
static void
add_tree (buf_t *b, const char *dir, size_t want)
{
    DIR *d = opendir (dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir (d))) {
        if (e->d_name [0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            names = clip_realloc (names, cap * sizeof *names);
        }
        names [n++] = clip_strdup (e->d_name);
    }
    closedir (d);
    if (n)
        qsort (names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char *path = clip_path_join (dir, names [i]);
        size_t nl = strlen (names [i]);
        if (b->len < want) {
            if (nl > 4 && strcmp (names [i] + nl - 4, ".txt") == 0) {
                char *data;
                size_t len;
                if (clip_file_read (path, (size_t) 1 << 20, &data, &len) == 0) {
                    buf_add (b, data, len);
                    buf_str (b, "\n\n");
                    free (data);
                }
            }
            else
                add_tree (b, path, want);
        }
        free (path);
        free (names [i]);
    }
    free (names);
}

/*  A made-up word of 2 or 3 syllables, capitalised.  */
static void
fake_word (buf_t *b, uint64_t *rng)
{
    static const char *const cons [] = { "b", "d", "f", "g", "k", "l", "m", "n", "p", "r",
                                         "s", "t", "v", "z", "ch", "br", "st", "tr" };
    static const char *const vow [] = { "a", "e", "i", "o", "u", "ai", "ou" };
    *rng = *rng * 6364136223846793005ULL + 1442695040888963407ULL;
    uint64_t r = *rng >> 16;
    int syl = 2 + (int) (r % 2);
    r /= 2;
    size_t at = b->len;
    for (int s = 0; s < syl; s++) {
        buf_str (b, cons [r % 18]);
        r /= 18;
        buf_str (b, vow [r % 7]);
        r /= 7;
    }
    b->data [at] = (char) (b->data [at] - 'a' + 'A');
}

/*  The text of one kind, at least want bytes long.  */
static void
make_kind (const char *kind, const char *news_dir, size_t want, buf_t *b)
{
    if (strcmp (kind, "news") == 0 || strcmp (kind, "oneline") == 0
        || strcmp (kind, "caps") == 0) {
        while (b->len < want) {
            size_t before = b->len;
            add_tree (b, news_dir, want);
            if (b->len == before) {
                fprintf (stderr, "bench_analyze: no .txt files under %s\n", news_dir);
                exit (1);
            }
        }
        for (size_t i = 0; i < b->len; i++) {
            char c = b->data [i];
            if (strcmp (kind, "oneline") == 0 && (c == '\n' || c == '\r'))
                b->data [i] = ' ';
            if (strcmp (kind, "caps") == 0 && c >= 'a' && c <= 'z')
                b->data [i] = (char) (c - 'a' + 'A');
        }
    }
    else
    if (strcmp (kind, "repeat") == 0) {
        const char *s = "Huawei Technologies Ltd. said on Monday that Ren Zhengfei met "
                        "British Prime Minister Theresa May in London on March 3, 2019 to "
                        "discuss a $100 million deal, up 12% from last year. ";
        while (b->len < want)
            buf_str (b, s);
    }
    else
    if (strcmp (kind, "numbers") == 0) {
        uint64_t rng = 42;
        static const char *const month [] = { "January", "March", "June", "Sept.", "Dec" };
        while (b->len < want) {
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            uint64_t r = rng >> 16;
            char tmp [128];
            snprintf (tmp, sizeof tmp, "%u %u.%u%% $%u,%03u mln %u %s %u, 19%02u 3.5 billion "
                      "dlrs 10/%u/87 %u pct\n",
                      (unsigned) (r % 1000), (unsigned) (r % 97), (unsigned) (r % 10),
                      (unsigned) (r % 500), (unsigned) (r % 1000), (unsigned) (r % 13),
                      month [r % 5], (unsigned) (1 + r % 28), (unsigned) (r % 100),
                      (unsigned) (1 + r % 12), (unsigned) (r % 50));
            buf_str (b, tmp);
        }
    }
    else
    if (strcmp (kind, "names") == 0) {
        uint64_t rng = 7;
        while (b->len < want) {
            buf_str (b, "Mr ");
            fake_word (b, &rng);
            buf_str (b, " ");
            fake_word (b, &rng);
            buf_str (b, " of ");
            fake_word (b, &rng);
            buf_str (b, " Corp said ");
            fake_word (b, &rng);
            buf_str (b, " would meet officials in ");
            fake_word (b, &rng);
            buf_str (b, ".\n");
        }
    }
    else {
        fprintf (stderr, "bench_analyze: unknown kind '%s'\n", kind);
        exit (2);
    }
}

static size_t
parse_size (const char *s)
{
    char *end;
    double v = strtod (s, &end);
    if (*end == 'K' || *end == 'k')
        v *= 1024;
    else
    if (*end == 'M' || *end == 'm')
        v *= 1024 * 1024;
    return (size_t) v;
}

int
main (int argc, char **argv)
{
    const char *news = NULL;
    const char *data_dir = CLIP_DATADIR;
    char kinds_arg [256] = "news,repeat,oneline,caps,numbers,names";
    char sizes_arg [256] = "1K,10K,100K,1M,10M";
    double seconds = 1.0, max_seconds = 120.0;
    long max_entities = -1;
    size_t articles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv [i];
        const char *v = i + 1 < argc ? argv [i + 1] : NULL;
        if (strcmp (a, "--news") == 0 && v)
            news = argv [++i];
        else
        if (strcmp (a, "--data-dir") == 0 && v)
            data_dir = argv [++i];
        else
        if (strcmp (a, "--kinds") == 0 && v)
            snprintf (kinds_arg, sizeof kinds_arg, "%s", argv [++i]);
        else
        if (strcmp (a, "--sizes") == 0 && v)
            snprintf (sizes_arg, sizeof sizes_arg, "%s", argv [++i]);
        else
        if (strcmp (a, "--seconds") == 0 && v)
            seconds = atof (argv [++i]);
        else
        if (strcmp (a, "--max-seconds") == 0 && v)
            max_seconds = atof (argv [++i]);
        else
        if (strcmp (a, "--max-entities") == 0 && v)
            max_entities = atol (argv [++i]);
        else
        if (strcmp (a, "--articles") == 0 && v && atol (v) > 0)
            articles = (size_t) atol (argv [++i]);
        else {
            fprintf (stderr, "usage: bench_analyze [--news DIR] [--data-dir DIR] "
                     "[--kinds k1,k2,...] [--sizes 1K,10K,...] [--seconds S] "
                     "[--max-seconds S] [--max-entities N] [--articles N]\n");
            return 2;
        }
    }
    size_t sizes [16], nsizes = 0, max_size = 0;
    for (char *save = NULL, *t = strtok_r (sizes_arg, ",", &save); t && nsizes < 16;
         t = strtok_r (NULL, ",", &save)) {
        sizes [nsizes] = parse_size (t);
        if (sizes [nsizes] == 0) {
            fprintf (stderr, "bench_analyze: bad size '%s'\n", t);
            return 2;
        }
        if (sizes [nsizes] > max_size)
            max_size = sizes [nsizes];
        nsizes++;
    }

    char tmpl [] = "/tmp/bench_analyze.XXXXXX";
    int extracted = 0;
    if (!news) {
        if (!mkdtemp (tmpl)) {
            perror ("mkdtemp");
            return 1;
        }
        const char *sets [] = { "reuters21578.tar.gz", "bbc-news.tar.gz" };
        for (int s = 0; s < (articles ? 1 : 2); s++) {
            char *cmd = clip_strprintf ("tar -xzf '%s/%s' -C '%s'", CLIP_SHARED_DATA,
                                        sets [s], tmpl);
            int rc = system (cmd);
            free (cmd);
            if (rc != 0) {
                fprintf (stderr, "bench_analyze: cannot extract %s/%s (give --news DIR)\n",
                         CLIP_SHARED_DATA, sets [s]);
                return 1;
            }
        }
        news = tmpl;
        extracted = 1;
    }

    char err [256];
    clip_analyzer_t *an = clip_analyzer_new (data_dir, "bench:1", err, sizeof err);
    if (!an) {
        fprintf (stderr, "bench_analyze: %s\n", err);
        return 1;
    }
    if (max_entities >= 0)
        clip_analyzer_set_max_entities (an, (size_t) max_entities);
    int rc = 0;
    if (articles) {
        rc = bench_articles (an, news, articles, seconds);
        goto done;
    }

    printf ("%-8s %9s %6s %10s %12s %10s %11s %7s\n", "kind", "bytes", "runs", "cpu_s",
            "bytes/s", "entities", "record_B", "vs100K");
    for (char *save = NULL, *kind = strtok_r (kinds_arg, ",", &save); kind;
         kind = strtok_r (NULL, ",", &save)) {
        buf_t text = { 0 };
        make_kind (kind, news, max_size, &text);
        double rate_100k = 0;
        int skip = 0;
        for (size_t s = 0; s < nsizes; s++) {
            size_t len = clip_utf8_cut (text.data, text.len, sizes [s]);
            if (skip) {
                printf ("%-8s %9zu skipped (an analysis of a smaller size took over %.0f s)\n",
                        kind, len, max_seconds);
                fflush (stdout);
                continue;
            }
            double best = 1e300, spent = 0;
            size_t runs = 0, nent = 0, rec_bytes = 0;
            int truncated = 0;
            /*  One run first, not timed: a worker analyses article after
                article, and its buffers and the pages of its heap are
                already there (the first run of a size pays for page
                faults, up to a fifth of its time at 10 MB).  */
            int warm = 1;
            do {
                double t0 = cpu_now ();
                void *sketch = NULL;
                size_t sketch_len = 0;
                clip_record_t *rec = clip_analyzer_run (an, "bench.txt", text.data, len,
                                                        &sketch, &sketch_len);
                char *packed;
                size_t packed_len;
                clip_record_encode (rec, &packed, &packed_len);
                char *json = clip_record_to_json (rec);
                double dt = cpu_now () - t0;
                nent = rec->n_entities;
                truncated = rec->entities_truncated;
                rec_bytes = packed_len;
                free (json);
                free (packed);
                free (sketch);
                clip_record_destroy (&rec);
                if (warm && dt <= max_seconds) {
                    warm = 0;
                    continue;
                }
                /*  (A first run too slow to repeat counts as it is.)  */
                warm = 0;
                if (dt < best)
                    best = dt;
                spent += dt;
                runs++;
            } while (runs == 0 || (spent < seconds && best <= max_seconds));
            double rate = (double) len / best;
            if (sizes [s] == 100 * 1024)
                rate_100k = rate;
            char ratio [16] = "-";
            if (rate_100k > 0)
                snprintf (ratio, sizeof ratio, "%.2f", rate / rate_100k);
            printf ("%-8s %9zu %6zu %10.4f %12.0f %9zu%s %11zu %7s\n", kind, len, runs, best,
                    rate, nent, truncated ? "+" : " ", rec_bytes, ratio);
            fflush (stdout);
            if (best > max_seconds)
                skip = 1;
        }
        free (text.data);
    }
    printf ("(entities: '+' marks a record cut at --max-entities, entities_truncated)\n");
done:
    clip_analyzer_destroy (&an);
    if (extracted) {
        char *cmd = clip_strprintf ("rm -rf '%s'", tmpl);
        if (system (cmd) != 0)
            fprintf (stderr, "bench_analyze: could not remove %s\n", tmpl);
        free (cmd);
    }
    return rc;
}
