/*  testutil: helpers for the Criterion tests (temporary dirs, processes, ports). */
#ifndef CLIP_TESTUTIL_H
#define CLIP_TESTUTIL_H
#endif
