/*  fuzz_record: the record codec (proto/clip_record.h) on arbitrary bytes,
    as clipd's replay reader, `clip sub` and every subscriber meet them.

    Checks, besides the sanitizers: a record that decodes encodes, and its
    encoding decodes to a record that encodes to the same bytes (the codec
    has one canonical form); its JSON rendering is one valid JSON object,
    and clip_record_msgpack_to_json agrees with decode + to_json.  And
    clip_record_decode_relay, clipd's reading of a worker's result, is
    clip_record_decode in all but its insides: the same acceptance and
    error, the same encoding, JSON and validation, whether it kept the
    entities packed or not.  */
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
    char relay_err [256] = "";
    clip_record_t *relay = clip_record_decode_relay (data, size, relay_err, sizeof relay_err);
    FUZZ_CHECK (!rec == !relay, "decode and decode_relay disagree on validity");
    FUZZ_CHECK (rec || strcmp (err, relay_err) == 0, "decode and decode_relay fail differently:"
                " '%s' and '%s'", err, relay_err);
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

    char *enc_relay = NULL;
    size_t enc_relay_len = 0;
    FUZZ_CHECK (clip_record_encode (relay, &enc_relay, &enc_relay_len) == 0, "encode failed");
    FUZZ_CHECK (enc_len == enc_relay_len && memcmp (enc, enc_relay, enc_len) == 0,
                "decode_relay's record encodes differently (%zu and %zu bytes)", enc_len,
                enc_relay_len);
    char *json_relay = clip_record_to_json (relay);
    FUZZ_CHECK (strcmp (json, json_relay) == 0, "decode_relay's record renders differently");
    const uint64_t sizes [] = { rec->bytes, 0, relay->entities_end_max,
                                relay->entities_end_max ? relay->entities_end_max - 1 : 1 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes [0]; i++) {
        char e1 [256] = "", e2 [256] = "";
        int r1 = clip_record_validate (rec, sizes [i], e1, sizeof e1);
        int r2 = clip_record_validate (relay, sizes [i], e2, sizeof e2);
        FUZZ_CHECK (r1 == r2 && strcmp (e1, e2) == 0, "validate differs for decode_relay at %llu"
                    " bytes: '%s' and '%s'", (unsigned long long) sizes [i], e1, e2);
    }
    clip_record_t *relay_dup = clip_record_dup (relay);
    char *json_relay_dup = clip_record_to_json (relay_dup);
    FUZZ_CHECK (strcmp (json, json_relay_dup) == 0, "a copy of decode_relay's record renders"
                " differently");
    free (json_relay_dup);
    clip_record_destroy (&relay_dup);
    free (json_relay);
    free (enc_relay);
    clip_record_destroy (&relay);

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
