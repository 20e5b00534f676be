/*  fuzz_record: the record codec (proto/clip_record.h) on arbitrary bytes,
    as clipd's replay reader, `clip sub` and every subscriber meet them.

    Checks, besides the sanitizers: a record that decodes encodes, and its
    encoding decodes to a record that encodes to the same bytes (the codec
    has one canonical form); its JSON rendering is one valid JSON object,
    and clip_record_msgpack_to_json agrees with decode + to_json.  */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clip_record.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char err [256] = "";
    char *direct = clip_record_msgpack_to_json (data, size, err, sizeof err);
    clip_record_t *rec = clip_record_decode (data, size, err, sizeof err);
    FUZZ_CHECK (!rec == !direct, "decode and msgpack_to_json disagree on validity");
    if (!rec)
        return 0;

    char *enc = NULL;
    size_t enc_len = 0;
    FUZZ_CHECK (clip_record_encode (rec, &enc, &enc_len) == 0, "encode failed");
    clip_record_t *back = clip_record_decode (enc, enc_len, err, sizeof err);
    FUZZ_CHECK (back, "the encoding of a decoded record does not decode: %s", err);
    char *enc2 = NULL;
    size_t enc2_len = 0;
    FUZZ_CHECK (clip_record_encode (back, &enc2, &enc2_len) == 0, "encode failed");
    FUZZ_CHECK (enc_len == enc2_len && memcmp (enc, enc2, enc_len) == 0,
                "decode (encode (r)) encodes differently (%zu and %zu bytes)", enc_len, enc2_len);

    char *json = clip_record_to_json (rec);
    FUZZ_CHECK (json, "no JSON");
    json_error_t jerr;
    json_t *parsed = json_loads (json, 0, &jerr);
    FUZZ_CHECK (parsed && json_is_object (parsed), "to_json is not a JSON object: %s: %s",
                jerr.text, json);
    FUZZ_CHECK (strcmp (json, direct) == 0, "msgpack_to_json differs from to_json");
    json_decref (parsed);

    (void) clip_record_validate (rec, rec->bytes, err, sizeof err);
    clip_record_t *dup = clip_record_dup (rec);
    char *json_dup = clip_record_to_json (dup);
    FUZZ_CHECK (strcmp (json, json_dup) == 0, "a copy renders differently");
    FUZZ_CHECK (clip_record_topic (rec) != NULL, "no topic");

    free (json_dup);
    clip_record_destroy (&dup);
    free (json);
    free (enc2);
    clip_record_destroy (&back);
    free (enc);
    clip_record_destroy (&rec);
    free (direct);
    return 0;
}
