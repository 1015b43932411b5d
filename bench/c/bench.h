/*
 * bench.h: what every C and C++ benchmark program shares: a monotonic clock,
 * the peak RSS, and one output format.  Each program prints one JSON object
 * on one line; bench/run.py parses it, so the drivers of every language
 * agree on field names (ns_per_op, wall_s, rss_mb, ...).
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * Peak resident set of the process so far, in MB: VmHWM, not getrusage's
 * ru_maxrss, which execve keeps from the parent (the driver's Python).
 */
static inline double bench_peak_rss_mb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return (double)kb / 1024.0;
}

/* The count given as argv[i], or a default: the driver scales the runs. */
static inline long bench_arg(int argc, char **argv, int i, long dflt) {
    return argc > i ? atol(argv[i]) : dflt;
}

/* xorshift64: the same cheap pseudo-random deadlines in every C peer. */
static inline uint64_t bench_rand(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

#endif
