/* rules.c: asyncify.py's rules, one case each (rules.ac is the expected
 * output; the asyncify test compares them byte for byte). */
#include <stdarg.h>
#include <stdio.h>

#define CHECK(c) do { if (!(c)) return 1; } while (0)
#define CALL_F(n) f(n)
#define WRAP(n) (g(n) + 1)
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define TEST(name) static int test_##name(void)
#define LIST(X) X(one) X(two)
#define PROTO(name) static int name(void);

struct pt { int x; };

static int f(int x);
LIST(PROTO)

static int f(int x) { return x + 1; }           /* async: awaited in CHECK and MAX arguments, and as CALL_F */
static int g(int x) { return x * 2; }           /* plain: WRAP writes its call */
static int h(int x) { return x; }               /* plain: its address is taken */
static int k(int x) { return g(x); }            /* calls g, plain, from async code: fine */
static int one(void) { return 1; }              /* plain: declared by a macro list */
static int two(void) { return 2; }
static struct pt mk(int x) { struct pt p = {x}; return p; }
static int *first(int *a) { return a; }
static int vla(int n) { int a[n]; a[0] = g(n); return a[0]; }  /* plain: VLA */
static int sum(int n, ...) { va_list ap; int s = 0; va_start(ap, n); while (n--) s += va_arg(ap, int); va_end(ap); return s; }
static int apply(int (*fn)(int), int x) { return fn(x); }

TEST(async_by_macro)
{
    int a[2] = {3, 4};
    CHECK(f(1) == 2);
    return mk(2).x + first(a)[1] + MAX(f(6), 2) + CALL_F(4) + WRAP(5);
}

int main(void)
{
    int r = test_async_by_macro() + k(1) + vla(2) + sum(2, 1, 2) + apply(h, 3) + one() + two();
    printf("%d\n", r);
    return 0;
}
