/*  bench_clock: the two clocks the floor benchmarks read (floor.c,
    msgfloor.c, dbfloor.c): wall time and this process's CPU time.  */
#ifndef CLIP_BENCH_CLOCK_H
#define CLIP_BENCH_CLOCK_H

#include <sys/resource.h>
#include <time.h>

/*  Monotonic wall time, seconds.  */
static inline double
bench_now_s (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*  CPU time this process used so far, user and system, all its threads,
    seconds.  */
static inline double
bench_cpu_s (void)
{
    struct rusage ru;
    getrusage (RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
         + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

#endif
