/*  fuzz_wire: the worker protocol decoder (proto/clip_wire.h) on arbitrary
    messages, and what clipd then reads out of a RESULT: the record
    (clip_record_decode) and the sketch (clip_sketch_parse, its keys and
    probes, a comparison with another sketch).

    Input: the command frame, a NUL byte, the body frame ("RESULT\0<map>");
    an input without a NUL is a command with an empty body.  */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clip_record.h"
#include "clip_sketch.h"
#include "clip_sketch_keys.h"
#include "clip_wire.h"
#include "fuzz_check.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void *other_blob;
static size_t other_len;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    const char *text = "Huawei said on Friday its revenue rose 19.5% to $100 billion last year";
    clip_sketch_compute (text, strlen (text), &other_blob, &other_len);
    return 0;
}

static void
check_sketch (const void *blob, size_t len)
{
    clip_sketch_view_t view, other;
    if (clip_sketch_parse (blob, len, &view) != 0)
        return;
    FUZZ_CHECK (clip_sketch_parse (other_blob, other_len, &other) == 0, "reference sketch");
    /*  clip_sketch_parse checks the header and the length, not that the
        hashes are sorted and distinct: what follows must stay memory-safe
        on a peer's unsorted set too (regress/fuzz_wire/unsorted-sketch).  */
    uint32_t *set = malloc (((size_t) view.n + 1) * sizeof *set);
    clip_sketch_hashes (&view, set);
    bool sorted = true;
    for (uint32_t i = 1; i < view.n; i++)
        sorted = sorted && set [i - 1] < set [i];
    size_t max = clip_sketch_keys_max (view.n) + 1;
    uint32_t *keys = malloc (max * sizeof *keys);
    uint32_t *probes = malloc (max * sizeof *probes);
    size_t nk = clip_sketch_keys (&view, keys);
    size_t np = clip_sketch_probes (&view, probes);
    FUZZ_CHECK (nk < max && np < max, "more keys or probes than keys_max");
    uint32_t *others = malloc (((size_t) view.n + 1) * sizeof *others);
    size_t no = clip_sketch_minus (set, view.n, probes, np, others);
    FUZZ_CHECK (!sorted || no + np == view.n, "minus: %zu + %zu of %u", no, np, view.n);
    double jaccard, containment;
    uint32_t shared;
    clip_sketch_compare (&view, &other, &jaccard, &containment, &shared);
    FUZZ_CHECK (jaccard >= 0 && jaccard <= 1 && containment >= 0 && containment <= 1,
                "jaccard %g containment %g", jaccard, containment);
    free (others);
    free (probes);
    free (keys);
    free (set);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr (data, 0, size);
    size_t command_len = nul ? (size_t) (nul - data) : size;
    const uint8_t *body = nul ? nul + 1 : data + size;
    size_t body_len = nul ? size - command_len - 1 : 0;
    char err [256] = "";
    clip_wire_msg_t *msg = clip_wire_decode (data, command_len, body, body_len, err, sizeof err);
    if (!msg) {
        FUZZ_CHECK (err [0], "refused without a reason");
        return 0;
    }
    if (msg->kind == CLIP_WIRE_RESULT) {
        FUZZ_CHECK (msg->data, "RESULT without a record");
        clip_record_t *rec = clip_record_decode (msg->data, msg->data_len, err, sizeof err);
        /*  As clipd does before trusting it, against the file's size.  */
        if (rec)
            (void) clip_record_validate (rec, rec->bytes, err, sizeof err);
        clip_record_destroy (&rec);
        if (msg->sketch)
            check_sketch (msg->sketch, msg->sketch_len);
    }
    if (msg->kind == CLIP_WIRE_TASK)
        FUZZ_CHECK (msg->data && msg->task, "TASK without data or task id");
    clip_wire_msg_destroy (&msg);
    return 0;
}
