/* idioms.c: C idioms that real code bases use and a source-to-source
 * compiler must keep: a type-generic print macro (_Generic), sizeof of a
 * call's result (never evaluated), a comma expression in a return,
 * Duff's device, a long chained sum written by a macro, a for loop whose
 * init declares an untagged struct, a #line directive, __func__ and
 * assert.  Each result is folded into a checksum that is printed. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

static unsigned long fold;
static int calls;

#define FOLD(v) (fold = fold * 1000003u ^ (unsigned long)(v))
#define SHOW(label, x) _Generic((x), int: show_int, double: show_double, default: show_str)(label, x)

static void show_int(const char *what, int v)
{
    printf("%s = %d\n", what, v);
    FOLD(v);
}

static void show_double(const char *what, double v)
{
    printf("%s = %.3f\n", what, v);
    FOLD(v * 1000);
}

static void show_str(const char *what, const char *v)
{
    printf("%s = %s\n", what, v);
    FOLD(strlen(v));
}

static int counted(int v)
{
    calls++;
    return v;
}

static double half(int v)
{
    return counted(v) / 2.0;
}

static const char *name_of(int v)
{
    static const char *const names[] = {"zero", "one", "two", "many"};
    return names[counted(v) < 3 ? v : 3];
}

/* the classic: copy n bytes, eight per loop trip, entering mid-loop */
static void duff_copy(char *to, const char *from, int count)
{
    int n = (count + 7) / 8;
    if (count <= 0)
        return;
    switch (count % 8) {
    case 0: do { *to++ = (char)counted(*from++);
            /* fall through */
    case 7:      *to++ = (char)counted(*from++);
            /* fall through */
    case 6:      *to++ = (char)counted(*from++);
            /* fall through */
    case 5:      *to++ = (char)counted(*from++);
            /* fall through */
    case 4:      *to++ = (char)counted(*from++);
            /* fall through */
    case 3:      *to++ = (char)counted(*from++);
            /* fall through */
    case 2:      *to++ = (char)counted(*from++);
            /* fall through */
    case 1:      *to++ = (char)counted(*from++);
            } while (--n > 0);
    }
}

static int last_of(int a, int b)
{
    return (counted(a), counted(b));
}

static int term(int v)
{
    return v % 7;
}

#define T4(x) term(x) + term(x + 1) + term(x + 2) + term(x + 3)
#define T16(x) T4(x) + T4(x + 4) + T4(x + 8) + T4(x + 12)
#define T64(x) T16(x) + T16(x + 16) + T16(x + 32) + T16(x + 48)

static long long_sum(void)
{
    return T64(0) + T64(64) + T64(128) + T64(192);
}

static int pairs_sum(int n)
{
    int total = 0;
    for (struct { int lo, hi; } p = {0, n}; p.lo < p.hi; p.lo++, p.hi--)
        total += counted(p.lo * p.hi);
    return total;
}

static const char *where(void)
{
#line 500 "idioms_renamed.c"
    return __func__;
}

static int line_here(void)
{
    return __LINE__;
}

int main(void)
{
    char buf[40];
    const char *src = "Duff's device copies this line.";
    int before;
    size_t sz;

    SHOW("counted(42)", counted(42));
    SHOW("half(7)", half(7));
    SHOW("name_of(2)", name_of(2));
    before = calls;
    sz = sizeof(half(1)) + sizeof counted(2);
    show_int("sizeof results", (int)sz);
    show_int("calls made by sizeof", calls - before);
    memset(buf, 0, sizeof buf);
    duff_copy(buf, src, (int)strlen(src) + 1);
    show_str("copied", buf);
    show_int("last_of(3, 4)", last_of(3, 4));
    show_int("long_sum", (int)long_sum());
    show_int("pairs_sum(10)", pairs_sum(10));
    show_str("where", where());
    show_int("line_here", line_here());
    assert(counted(5) == 5);
    show_int("calls", calls);
    printf("checksum %lu\n", fold);
    return 0;
}
