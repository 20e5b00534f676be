/*  clip_link: linking mentions to canonical names.

    A curated alias table (corpus/aliases.tsv: canonical, type, aliases
    separated by '|') plus general rules applied per document: legal suffixes
    dropped (Ltd, Inc, Corp, PLC, ...), acronyms defined in the article
    ("National Cyber Security Centre (NCSC)"), a later short mention taking an
    earlier full name ("Mr Guo" / "Guo" -> "Guo Ping"), spelling variants
    ("Centre" / "Center"), possessives.  Loaded once per process; linking is
    reentrant.
*/
#ifndef CLIP_LINK_H
#define CLIP_LINK_H

#include <stddef.h>

typedef struct clip_linker clip_linker_t;

typedef struct {
    const char *type;       /* in: PER ORG LOC MISC (others are left alone) */
    size_t start, end;      /* in: byte offsets into the document text */
    char *canonical;        /* out: owned, set by clip_linker_link */
} clip_mention_t;

/*  Load the alias table.  Returns NULL with err set on failure.
    Caller owns the result.  */
clip_linker_t *clip_linker_load (const char *aliases_tsv, char *err, size_t err_size);
void clip_linker_destroy (clip_linker_t **self_p);

/*  Set canonical for every mention of one document (mentions in text order,
    utf8 the whole document).  A mention may be re-typed when the alias table
    knows better (e.g. "Beijing" standing for the government stays LOC;
    "Huawei" tagged LOC becomes ORG): type then points to a static string.
    Returns 0 or -1.  */
int clip_linker_link (const clip_linker_t *self, const char *utf8, size_t len,
                      clip_mention_t *mentions, size_t n);

#endif
