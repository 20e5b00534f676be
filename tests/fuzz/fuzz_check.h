/*  fuzz_check: what the libFuzzer harnesses share.

    FUZZ_CHECK states a property the code under test promises in its header
    (offsets within the input, a round trip that gives the same bytes, ...).
    A broken promise aborts, which libFuzzer reports as a crash and saves
    the input, as it does for a sanitizer report.
*/
#ifndef CLIP_FUZZ_CHECK_H
#define CLIP_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond, ...) do {                                          \
        if (!(cond)) {                                                      \
            fprintf (stderr, "%s:%d: FUZZ_CHECK (%s) failed: ",             \
                     __FILE__, __LINE__, #cond);                            \
            fprintf (stderr, __VA_ARGS__);                                  \
            fputc ('\n', stderr);                                           \
            abort ();                                                       \
        }                                                                   \
    } while (0)

#endif
