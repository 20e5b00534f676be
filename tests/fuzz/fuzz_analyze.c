/*  fuzz_analyze: the whole analysis of one article (clip_analyzer_run) on
    arbitrary bytes: binary detection, decoding, normalisation, id, title,
    tokenizer, tagger, MONEY/DATE/PERCENT grammar, linker, sketch.  The
    model is loaded once from the source tree.

    Besides the sanitizers, checks what clip_analyze.h and proto/README.md
    promise of a worker's record: status ok with a 32-digit id, or failed
    with empty / not_text; every entity of one of the seven types with
    start <= end <= bytes; the record encodes and decodes; an ok record
    comes with a well-formed sketch.  */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clip_analyze.h"
#include "clip_record.h"
#include "clip_sketch.h"
#include "fuzz_check.h"

static clip_analyzer_t *analyzer;

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    char err [256] = "";
    analyzer = clip_analyzer_new (CLIP_DATADIR, "fuzz:1", err, sizeof err);
    FUZZ_CHECK (analyzer, "cannot load the model from %s: %s", CLIP_DATADIR, err);
    return 0;
}

static int
known_type (const char *type)
{
    static const char *types [] = { "PER", "ORG", "LOC", "MISC", "MONEY", "DATE", "PERCENT" };
    for (size_t i = 0; i < sizeof types / sizeof types [0]; i++)
        if (type && strcmp (type, types [i]) == 0)
            return 1;
    return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    void *sketch = NULL;
    size_t sketch_len = 0;
    clip_record_t *rec = clip_analyzer_run (analyzer, "fuzz.txt", data, size, &sketch, &sketch_len);
    FUZZ_CHECK (rec, "no record");
    FUZZ_CHECK (rec->bytes == size, "bytes %llu for %zu", (unsigned long long) rec->bytes, size);
    if (clip_record_status (rec) == CLIP_STATUS_OK) {
        FUZZ_CHECK (rec->id && strlen (rec->id) == 32, "ok record without a 32-digit id");
        FUZZ_CHECK (rec->title && rec->encoding, "ok record without title or encoding");
        clip_sketch_view_t view;
        FUZZ_CHECK (sketch && clip_sketch_parse (sketch, sketch_len, &view) == 0,
                    "ok record without a well-formed sketch");
    }
    else {
        FUZZ_CHECK (clip_record_status (rec) == CLIP_STATUS_FAILED, "status '%s'", rec->status);
        FUZZ_CHECK (clip_record_error (rec) == CLIP_ERROR_EMPTY
                    || clip_record_error (rec) == CLIP_ERROR_NOT_TEXT,
                    "error code '%s'", rec->error_code ? rec->error_code : "(null)");
    }
    for (size_t i = 0; i < rec->n_entities; i++) {
        const clip_entity_t *e = &rec->entities [i];
        FUZZ_CHECK (known_type (e->type), "entity type '%s'", e->type ? e->type : "(null)");
        FUZZ_CHECK (e->start <= e->end && e->end <= size, "entity %zu at [%llu, %llu) of %zu bytes",
                    i, (unsigned long long) e->start, (unsigned long long) e->end, size);
        FUZZ_CHECK (i == 0 || rec->entities [i - 1].end <= e->start, "entities overlap or are unsorted");
        FUZZ_CHECK (e->text && e->canonical, "entity without text or canonical name");
    }
    /*  What the worker sends must pass the daemon's checks.  */
    char err [256] = "";
    FUZZ_CHECK (clip_record_validate (rec, size, err, sizeof err) == 0,
                "the daemon would refuse a worker's record: %s", err);
    char *enc = NULL;
    size_t enc_len = 0;
    FUZZ_CHECK (clip_record_encode (rec, &enc, &enc_len) == 0, "encode failed");
    clip_record_t *back = clip_record_decode (enc, enc_len, err, sizeof err);
    FUZZ_CHECK (back, "a worker's record does not decode: %s", err);
    FUZZ_CHECK (back->n_entities == rec->n_entities, "entities lost in the round trip");
    char *json = clip_record_to_json (back);
    FUZZ_CHECK (json, "no JSON");
    free (json);
    clip_record_destroy (&back);
    free (enc);
    free (sketch);
    clip_record_destroy (&rec);
    return 0;
}
