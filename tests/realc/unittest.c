/* unittest.c: a library's test file, as C projects write them without a
 * framework: CHECK macros that print the failing expression with __func__
 * and clear a status local `ok`, TEST(name) defining the test functions,
 * an X-macro list of table-driven tests (DO_TESTS(RUN_TEST)), static const
 * struct tables of cases inside the tests, enums and structs typedef'd
 * inside the functions that use them.  The library under test, a ring
 * buffer and a number parser, sits at the top as it would in its .c file. */
#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* ---- the library --------------------------------------------------------- */

#define RING_CAP 8

typedef struct {
    int items[RING_CAP];
    unsigned head, count;
} ring;

static void ring_init(ring *r)
{
    r->head = r->count = 0;
}

static int ring_push(ring *r, int v)
{
    if (r->count == RING_CAP)
        return -1;
    r->items[(r->head + r->count++) % RING_CAP] = v;
    return 0;
}

static int ring_pop(ring *r, int *v)
{
    if (r->count == 0)
        return -1;
    *v = r->items[r->head];
    r->head = (r->head + 1) % RING_CAP;
    r->count--;
    return 0;
}

static unsigned ring_size(const ring *r)
{
    return r->count;
}

/* base-10 or 0x base-16 integer; -1 on junk or overflow */
static int parse_int(const char *s, long *out)
{
    long v = 0;
    int base = 10, neg = 0, digits = 0;
    if (*s == '-') {
        neg = 1;
        s++;
    }
    if (s[0] == '0' && s[1] == 'x') {
        base = 16;
        s += 2;
    }
    for (; *s; s++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else
            return -1;
        if (v > (LONG_MAX - d) / base)
            return -1;
        v = v * base + d;
        digits++;
    }
    if (digits == 0)
        return -1;
    *out = neg ? -v : v;
    return 0;
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* ---- the tests ----------------------------------------------------------- */

static int checks_run;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        checks_run++;                                                                              \
        if (!(cond)) {                                                                             \
            printf("%s:%d: %s: CHECK(%s) failed\n", "unittest.c", __LINE__, __func__, #cond);     \
            ok = 0;                                                                                \
        }                                                                                          \
    } while (0)
#define CHECK_EQ(a, b) CHECK((a) == (b))
#define TEST(name) static int test_##name(void)

TEST(parse_table)
{
    static const struct {
        const char *text;
        int status;
        long value;
    } cases[] = {
        {"0", 0, 0},       {"42", 0, 42},    {"-17", 0, -17}, {"0x1f", 0, 31},
        {"", -1, 0},       {"12a", -1, 0},   {"-", -1, 0},    {"0x", -1, 0},
        {"99999999999999999999", -1, 0},
    };
    int ok = 1;
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long v = 0;
        int st = parse_int(cases[i].text, &v);
        CHECK_EQ(st, cases[i].status);
        if (st == 0)
            CHECK_EQ(v, cases[i].value);
    }
    return ok;
}

TEST(clamp)
{
    int ok = 1;
    CHECK_EQ(clamp(5, 0, 10), 5);
    CHECK_EQ(clamp(-5, 0, 10), 0);
    CHECK_EQ(clamp(50, 0, 10), 10);
    return ok;
}

#define DO_TESTS(X) X(parse_table) X(clamp)
#define RUN_TEST(name)                                                                              \
    if (test_##name())                                                                             \
        passed++;                                                                                  \
    else                                                                                           \
        printf("FAIL %s\n", #name);                                                                \
    total++;

static int run_table_tests(int *count)
{
    int passed = 0, total = 0;
    DO_TESTS(RUN_TEST)
    *count += total;
    return passed;
}

static int test_ring_fifo(void)
{
    ring r;
    int ok = 1, i, v = 0;
/* the ring under test, as the test's macros name it */
#define PUSH(v) ring_push(&r, v)
    ring_init(&r);
    for (i = 0; i < RING_CAP; i++) {
        int st = PUSH(i * i);
        CHECK_EQ(st, 0);
    }
    CHECK(ring_push(&r, 99) == -1);
    CHECK_EQ(ring_size(&r), RING_CAP);
    for (i = 0; i < RING_CAP; i++) {
        CHECK_EQ(ring_pop(&r, &v), 0);
        CHECK_EQ(v, i * i);
    }
    CHECK(ring_pop(&r, &v) != 0);
    return ok;
}

static int test_ring_wrap(void)
{
    typedef enum { PUSH, POP } op_kind;
    typedef struct {
        op_kind op;
        int arg, want;
    } step;
    static const step script[] = {{PUSH, 1, 0}, {PUSH, 2, 0}, {POP, 0, 1}, {PUSH, 3, 0},
                                  {POP, 0, 2},  {POP, 0, 3},  {POP, 0, -1}};
    ring r;
    int ok = 1;
    unsigned k, round;
    ring_init(&r);
    for (round = 0; round < 5; round++)
        for (k = 0; k < sizeof script / sizeof *script; k++) {
            const step *s = &script[k];
            int v = -1;
            if (s->op == PUSH) {
                CHECK_EQ(ring_push(&r, s->arg), 0);
            } else {
                int st = ring_pop(&r, &v);
                CHECK_EQ(st == 0 ? v : -1, s->want);
            }
        }
    CHECK_EQ(ring_size(&r), 0u);
    return ok;
}

TEST(ring_empty)
{
    ring r;
    int ok = 1, v = 7;
    ring_init(&r);
    CHECK_EQ(ring_size(&r), 0u);
    CHECK(ring_pop(&r, &v) == -1);
    CHECK_EQ(v, 7);
    return ok;
}

static int test_deliberate_failure(void)
{
    int ok = 1;
    long v = 0;
    CHECK_EQ(parse_int("7", &v), 0);
    CHECK_EQ(v, 8); /* a failing check, to show the report */
    return ok;
}

int main(void)
{
    int total = 0, passed = run_table_tests(&total);
    int failures = 0;
    total += 4;
    passed += test_ring_empty();
    passed += test_ring_fifo();
    passed += test_ring_wrap();
    if (!test_deliberate_failure())
        failures++;
    assert(passed <= total);
    printf("%d/%d passed, %d expected failure, %d checks\n", passed, total, failures, checks_run);
    return failures == 1 ? 0 : 1;
}
