/*
 * check.h: typed assertions for the network tests, printing both values
 * (after libuv's ASSERT_EQ).  A failure prints file:line and exits 1.
 * They are function calls, not statements, so that `CHECK_EQ(await f(), 0)`
 * works in async functions (the await is an argument, evaluated first).
 */
#ifndef NET_CHECK_H
#define NET_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void check_eq_(long long a, long long b, const char *as, const char *bs,
                             const char *file, int line)
{
    if (a != b) {
        fprintf(stderr, "%s:%d: CHECK_EQ(%s, %s) failed: %lld != %lld\n", file, line, as, bs, a, b);
        exit(1);
    }
}

static inline void check_(int ok, const char *cs, const char *file, int line)
{
    if (!ok) {
        fprintf(stderr, "%s:%d: CHECK(%s) failed\n", file, line, cs);
        exit(1);
    }
}

static inline void check_str_(const char *a, const char *b, const char *as, const char *bs,
                              const char *file, int line)
{
    if (!a || !b || strcmp(a, b) != 0) {
        fprintf(stderr, "%s:%d: CHECK_STR(%s, %s) failed: \"%s\" != \"%s\"\n", file, line, as, bs,
                a ? a : "(null)", b ? b : "(null)");
        exit(1);
    }
}

#define CHECK_EQ(a, b) check_eq_((long long)(a), (long long)(b), #a, #b, __FILE__, __LINE__)
#define CHECK(c) check_((c) ? 1 : 0, #c, __FILE__, __LINE__)
#define CHECK_STR(a, b) check_str_((a), (b), #a, #b, __FILE__, __LINE__)

#endif
