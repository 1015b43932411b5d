/*
 * sample.h: the two helpers every sample shares, a clock and a delay scale.
 *
 * The samples retell Python asyncio tutorials, which print how long each run
 * took; sample_now() is their time.time().  Their delays are the tutorials'
 * own (1 s, 5 s, ...), multiplied by the environment variable
 * ACC_SAMPLE_SCALE when it is set, so that the test suite can run every
 * sample in a fraction of a second (ctest sets ACC_SAMPLE_SCALE=0.01):
 *
 *     await acc_sleep(sample_delay(1.0));   // 1 s, or 10 ms under the tests
 *
 * Samples define _POSIX_C_SOURCE before their first #include, for
 * clock_gettime and nanosleep.
 */
#ifndef SAMPLE_H
#define SAMPLE_H

#include <errno.h>
#include <stdlib.h>
#include <time.h>

/* ACC_SAMPLE_SCALE as a number, 1.0 when unset or not a positive number. */
static inline double sample_scale(void)
{
    const char *s = getenv("ACC_SAMPLE_SCALE");
    double scale = s ? strtod(s, NULL) : 1.0;
    return scale > 0 ? scale : 1.0;
}

/* A delay of the tutorials, in seconds, scaled for the test suite. */
static inline double sample_delay(double seconds)
{
    return seconds * sample_scale();
}

/* A monotonic clock in seconds: what the samples measure elapsed time with. */
static inline double sample_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * time.sleep(): blocks the whole thread, the event loop included, for a
 * scaled delay.  The samples use it to show what not to do in a coroutine,
 * and as the blocking work they hand to the thread pool.
 */
static inline void sample_blocking_sleep(double seconds)
{
    double d = sample_delay(seconds);
    struct timespec ts;
    ts.tv_sec = (time_t)d;
    ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

#endif /* SAMPLE_H */
