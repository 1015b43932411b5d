/*
 * test_passes.c: unit tests of acc's passes on small inputs, each through
 * acc_transpile, the entry point of the command line: declarator
 * spelling (types.c), which locals live in the frame (analyse.c), the
 * rewriting of plain functions (lower.c), the byte-for-byte copy outside
 * async functions (emit.c) and the diagnostic format (diag.c).
 */
#include "accc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static char *output; /* what the last transpile_snippet wrote */
static bool with_lines; /* transpile_snippet writes #line directives */

/* Runs the passes (acc_transpile, as the command line does) over `code` as a
   .ac file, which must have no error; the unit stays alive until
   unit_dispose, with what each pass found. */
static Unit *transpile_snippet(const char *code, Options *opt) {
    static char path[] = "/tmp/acc_test_XXXXXX.ac";
    strcpy(path, "/tmp/acc_test_XXXXXX.ac");
    int fd = mkstemps(path, 3);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, code, strlen(code)), (ssize_t)strlen(code));
    close(fd);
    memset(opt, 0, sizeof *opt);
    opt->input = xstrdup(path);
    opt->no_line = !with_lines;
    Unit *u = xcalloc(1, sizeof *u);
    diag_reset();
    output = acc_transpile(u, opt);
    unlink(path);
    assert_int_equal(error_count, 0);
    assert_non_null(output);
    return u;
}

typedef struct {
    const char *name;
    CXCursor found;
} Find;

static enum CXChildVisitResult find_visit(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    Find *f = data;
    char *s = str_dispose(clang_getCursorSpelling(c));
    bool hit = strcmp(s, f->name) == 0 && clang_getCursorKind(c) == CXCursor_VarDecl;
    xfree(s);
    if (hit) {
        f->found = c;
        return CXChildVisit_Break;
    }
    return CXChildVisit_Recurse;
}

static CXType type_of(Unit *u, const char *var) {
    Find f = {var, clang_getNullCursor()};
    clang_visitChildren(clang_getTranslationUnitCursor(u->tu), find_visit, &f);
    assert_false(clang_Cursor_isNull(f.found));
    return clang_getCursorType(f.found);
}

static void test_declare(void **state) {
    (void)state;
    Options opt;
    Unit *u = transpile_snippet("int (*p)[3];\n"
                            "void (*fp)(int, char *);\n"
                            "const char *const s = 0;\n"
                            "int a[2][3];\n"
                            "int (*(*fpp)(void))[4];\n"
                            "struct S { int v; } *sp;\n"
                            "const int k = 1;\n",
                            &opt);
    assert_string_equal(declare(type_of(u, "p"), "x"), "int (*x)[3]");
    assert_string_equal(declare(type_of(u, "fp"), "x"), "void (*x)(int, char *)");
    assert_string_equal(declare(type_of(u, "s"), "x"), "const char *const x");
    assert_string_equal(declare(type_of(u, "a"), "x"), "int x[2][3]");
    assert_string_equal(declare(type_of(u, "fpp"), "x"), "int (*(*x)(void))[4]");
    assert_string_equal(declare(type_of(u, "sp"), "x"), "struct S *x");
    /* slots drop top-level qualifiers; values decay */
    assert_string_equal(declare_slot(type_of(u, "k"), "x"), "int x");
    assert_string_equal(declare_slot(type_of(u, "s"), "x"), "const char *x");
    assert_string_equal(declare_value(type_of(u, "a"), "x"), "int (*x)[3]");
    assert_string_equal(declare(type_of(u, "a"), ""), "int [2][3]");
    unit_dispose(u);
}

static Fn *def_named(Unit *u, const char *name) {
    for (int i = 0; i < u->defs.len; i++) {
        Fn *fn = u->defs.items[i];
        if (strcmp(fn->name, name) == 0)
            return fn;
    }
    fail_msg("no definition of %s", name);
    return NULL;
}

static Var *var_named(Fn *fn, const char *name) {
    for (int i = 0; i < fn->vars.len; i++) {
        Var *v = fn->vars.items[i];
        if (strcmp(v->name, name) == 0)
            return v;
    }
    fail_msg("no variable %s", name);
    return NULL;
}

static void test_frame_residency(void **state) {
    (void)state;
    Options opt;
    Unit *u = transpile_snippet("async int g(void);\n"
                            "async int f(int p) {\n"
                            "    int a = 1;\n"
                            "    { int b = 2; (void)b; }\n"
                            "    int c = await g();\n"
                            "    a += c;\n"
                            "    await g();\n"
                            "    int d = a;\n"
                            "    for (int i = 0; i < 2; i++) await g();\n"
                            "    for (int j = 0; j < 2; j++) d++;\n"
                            "    static int s;\n"
                            "    int e = d;\n"
                            "    return e + p + s;\n"
                            "}\n",
                            &opt);
    Fn *f = def_named(u, "f");
    assert_true(var_named(f, "p")->in_frame);  /* parameters always */
    assert_true(var_named(f, "a")->in_frame);  /* an await in its scope */
    assert_false(var_named(f, "b")->in_frame); /* none in its block */
    assert_true(var_named(f, "c")->in_frame);  /* the second await follows it */
    assert_true(var_named(f, "d")->in_frame);  /* the for loop's awaits follow it */
    assert_false(var_named(f, "e")->in_frame); /* no await after it */
    assert_true(var_named(f, "i")->in_frame);
    assert_false(var_named(f, "j")->in_frame);
    assert_false(var_named(f, "s")->in_frame); /* static stays static */
    assert_false(var_named(f, "a")->resident); /* a C local, spilled at awaits */
    assert_false(var_named(f, "p")->resident);
    unit_dispose(u);
}

static void test_residency_of_escaping(void **state) {
    (void)state;
    Options opt;
    Unit *u = transpile_snippet("struct pt { int x, arr[2]; };\n"
                            "async int g(void);\n"
                            "void use(int *p);\n"
                            "async int f(int p, int q) {\n"
                            "    int a = 1, b = 2, arr[3] = {0};\n"
                            "    struct pt s = {0}, t = {0};\n"
                            "    use(&a);\n"
                            "    use(s.arr);\n"
                            "    use(&p);\n"
                            "    await g();\n"
                            "    return a + b + arr[0] + s.x + t.x + p + q;\n"
                            "}\n",
                            &opt);
    Fn *f = def_named(u, "f");
    assert_true(var_named(f, "a")->resident);   /* &a */
    assert_false(var_named(f, "b")->resident);  /* only its value is used */
    assert_true(var_named(f, "arr")->resident); /* an array */
    assert_true(var_named(f, "s")->resident);   /* a member array decays */
    assert_false(var_named(f, "t")->resident);
    assert_true(var_named(f, "p")->resident);   /* &p */
    assert_false(var_named(f, "q")->resident);
    unit_dispose(u);
}

static void test_plain_rewrite(void **state) {
    (void)state;
    Options opt;
    Unit *u = transpile_snippet("async int h(int x) { return x; }\n"
                            "int main(void) { int r; acc_run(r = h(1)); return acc_run(h(2)); }\n",
                            &opt);
    Fn *m = def_named(u, "main");
    assert_string_equal(
        m->lowered,
        "{ int r; acc_run(h__acc(&(r), 1)); return acc_run(h__acc(ACC__NULL, 2)); }");
    unit_dispose(u);
}

static void test_bytes_outside_untouched(void **state) {
    (void)state;
    const char *head = "#define _GNU_SOURCE\n/* a comment */  #  define  TWO  2\n"
                       "static   int\tplain ( void ) { return TWO ; }  // trailing\n";
    const char *tail = "\n\n/* after */ int   z = TWO;\n";
    char code[1024];
    snprintf(code, sizeof code, "%sasync int f(void) { return 1; }%s", head, tail);
    Options opt;
    Unit *u = transpile_snippet(code, &opt);
    char *out = output;
    assert_memory_equal(out, head, strlen(head)); /* nothing before the user's lines */
    /* the program names none of the runtime's API: only the ABI header */
    const char *incl = strstr(out, "#include <acc_abi.h>");
    assert_non_null(incl);
    assert_null(strstr(out, "<acc.h>"));
    assert_true(incl - out == (ptrdiff_t)strlen(head));
    assert_string_equal(out + strlen(out) - strlen(tail), tail);
    unit_dispose(u);
}

/* Runs fn with stderr sent to a buffer; returns what it printed. */
static char *capture_stderr(void (*fn)(void *), void *arg) {
    fflush(stderr);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    fn(arg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, tmp);
    buf[n] = '\0';
    fclose(tmp);
    return buf;
}

static void report(void *arg) {
    Source *src = arg;
    error_at(src, 19, "call to async function '%s' is not awaited", "f");
}

static void test_diag_format(void **state) {
    (void)state;
    Source src = {.path = "dir/x.ac"};
    src.text = xstrdup("int a;\n\tint b = 1 + f();\nint c;\n");
    src.len = strlen(src.text);
    char *err = capture_stderr(report, &src);
    assert_string_equal(err, "dir/x.ac:2:13: error: call to async function 'f' is not awaited\n"
                             "\tint b = 1 + f();\n"
                             "\t           ^\n");
}

/* The output of a whole snippet, as the CLI writes it. */
static char *transpile(const char *code) {
    Options opt;
    Unit *u = transpile_snippet(code, &opt);
    unit_dispose(u);
    return output;
}

static bool has_twin(const char *out, const char *fn) {
    char *def = fmt("%s__acc_sync(unsigned acc__b", fn); /* the definition */
    bool r = strstr(out, def) != NULL;
    xfree(def);
    return r;
}

/* Which async functions get a plain twin (twin.c), and which awaits call it. */
static void test_twins(void **state) {
    (void)state;
    char *out = transpile(
        "static async int fib(int n) { return n < 2 ? n : await fib(n - 1) + await fib(n - 2); }\n"
        "static async int odd(int n);\n"
        "static async int even(int n) { return n == 0 ? 1 : await odd(n - 1); }\n"
        "static async int odd(int n) { return n == 0 ? 0 : await even(n - 1); }\n"
        "static async int counter(void) { static int c; return ++c; }\n"
        "static async int uses_counter(void) { return await counter(); }\n"
        "static async int sleeps(void) { await acc_sleep(0); return await fib(3); }\n"
        "static async int calls_sleeps(void) { return await sleeps(); }\n"
        "static async int large(void) { char b[600]; char c[600]; b[0] = 1; c[0] = 2; return b[0] + c[0] + await fib(2); }\n"
        "static async int (*ptr)(int) = fib;\n"
        "static async int through_ptr(void) { return await ptr(3); }\n"
        "static async int never_awaited(int x) { return x; }\n"
        "static async int inner(void) { async int later(int); return await later(1); }\n"
        "async int later(int x) { return x; }\n"
        "static async int gathers(void) { return await acc_gather(fib(1), fib(2)); }\n"
        "static async int table(int i) { static const struct { int v; } t[3] = {{4}, {5}, {6}}; return t[i].v + (int)sizeof t; }\n"
        "static async const int *table_addr(int i) { static const int t[3] = {4, 5, 6}; return &t[i]; }\n"
        "static async const int *table_decay(void) { static const int t[3] = {4, 5, 6}; return t; }\n"
        "static async int mutable_static(void) { static int t[3]; return t[0]++; }\n"
        "async int main(void) { await table(1); await table_addr(1); await table_decay(); await mutable_static();\n"
        "    acc_spawn(never_awaited(1)); return await fib(5) + await uses_counter() +\n"
        "    await calls_sleeps() + await large() + await through_ptr() + await odd(3) + await inner() + await later(2) + await gathers(); }\n");
    /* recursion and mutual recursion: twinned, and the awaits call the twins */
    assert_true(has_twin(out, "fib"));
    assert_non_null(strstr(out, "fib__acc_sync(ACC__TWIN_BUDGET, 5)"));
    assert_non_null(strstr(out, "fib__acc_sync(acc__b - 1, n - 1)"));
    assert_true(has_twin(out, "even"));
    assert_true(has_twin(out, "odd"));
    /* a static local, an await that can suspend, a large local, a call through
       a pointer, acc_gather: no twin, and none for their callers */
    assert_false(has_twin(out, "counter"));
    assert_false(has_twin(out, "uses_counter"));
    assert_false(has_twin(out, "sleeps"));
    assert_false(has_twin(out, "calls_sleeps"));
    assert_false(has_twin(out, "large"));
    assert_false(has_twin(out, "through_ptr"));
    assert_false(has_twin(out, "gathers"));
    assert_false(has_twin(out, "main"));
    /* a static constant read by value: twinned; one whose address leaves, or
       a static that can change: not */
    assert_true(has_twin(out, "table"));
    assert_false(has_twin(out, "table_addr"));
    assert_false(has_twin(out, "table_decay"));
    assert_false(has_twin(out, "mutable_static"));
    /* never awaited (only spawned): no twin, so no unused static function */
    assert_false(has_twin(out, "never_awaited"));
    /* only a block-scope prototype before the await in inner: the ordinary
       path there (in its twin, later's frame on a nested trampoline); main's
       await comes after later's definition */
    assert_true(has_twin(out, "inner"));
    assert_null(strstr(out, "later__acc_sync(ACC__TWIN_BUDGET, 1)"));
    assert_null(strstr(out, "later__acc_sync(acc__b - 1, 1)"));
    assert_non_null(strstr(out, "acc__run_nested(later__acc(&acc__t0, 1))"));
    assert_non_null(strstr(out, "later__acc_sync(ACC__TWIN_BUDGET, 2)"));
}

static bool has_direct(const char *out, const char *fn) {
    char *def = fmt("static int %s__acc_direct(acc__frame *acc__c", fn); /* the definition */
    bool r = strstr(out, def) != NULL;
    xfree(def);
    return r;
}

/* Which async functions get a direct entry (lazy.c), and which awaits call it. */
static void test_lazy(void **state) {
    (void)state;
    char *out = transpile(
        "static async int inc(int x) { if (x < 0) await acc_sleep(1); return x + 1; }\n"
        "static async int twice(int x) { return 2 * x; }\n"
        "static async int outer(int x) { int t = await twice(x); return await inc(t); }\n"
        "static async void nothing(int x) { if (x) await acc_yield(); }\n"
        "static async int addr(int x) { int *p = &x; if (x < 0) await acc_yield(); return *p; }\n"
        "static async int array(int x) { int a[2] = {x, x}; if (x < 0) await acc_yield(); return a[1]; }\n"
        "static async int counter(void) { static int c; await acc_yield(); return ++c; }\n"
        "static async int literal(void) { int *p = (int[]){1, 2}; await acc_yield(); return p[1]; }\n"
        "static async int spawned(int x) { await acc_yield(); return x; }\n"
        "static async int (*ptr)(int) = inc;\n"
        "static async int later(int x);\n"
        "static async int early(void) { return await later(3); }\n"
        "static async int later(int x) { await acc_yield(); return x; }\n"
        "static async int gathers(void) { return await acc_gather(inc(1), inc(2)); }\n"
        "async int main(void) { acc_spawn(spawned(1)); await nothing(1);\n"
        "    return await inc(1) + await outer(2) + await addr(1) + await array(2) + await counter() +\n"
        "    await literal() + await ptr(3) + await early() + await gathers(); }\n");
    /* may suspend, nothing in the frame: a direct entry, called by the awaits */
    assert_true(has_direct(out, "inc"));
    assert_true(has_direct(out, "outer"));
    assert_true(has_direct(out, "nothing"));
    assert_true(has_direct(out, "later"));
    assert_non_null(strstr(out, "acc__lazy_ok() ? inc__acc_direct(&acc__f->acc__hdr, &acc__f->acc__t"));
    assert_non_null(strstr(out, "acc__lazy_ok() ? nothing__acc_direct(&acc__f->acc__hdr, 1) : "
                                "(acc__f->acc__hdr.acc__state = 1, acc__await(&acc__f->acc__hdr, nothing__acc(1)))"));
    /* in outer's direct body: the twin is a plain call, then the frame comes */
    assert_non_null(strstr(out, "= twice__acc_sync(ACC__TWIN_BUDGET, x);"));
    assert_non_null(strstr(out, "if (!*acc__h) {"));
    /* twinned (never suspends), a local in the frame, a static local, a
       compound literal in the frame, main: no direct entry */
    assert_false(has_direct(out, "twice"));
    assert_false(has_direct(out, "addr"));
    assert_false(has_direct(out, "array"));
    assert_false(has_direct(out, "counter"));
    assert_false(has_direct(out, "literal"));
    assert_false(has_direct(out, "main"));
    /* only spawned, called through a pointer or by acc_gather: the constructor */
    assert_false(has_direct(out, "spawned"));
    assert_null(strstr(out, "inc__acc_direct(&acc__f->acc__hdr, ACC__NULL, 1)"));
    assert_non_null(strstr(out, "acc_gather__acc(&acc__f->acc__t"));
    assert_non_null(strstr(out, "inc__acc(ACC__NULL, 1), inc__acc(ACC__NULL, 2)"));
    /* declared before its caller by a prototype: the direct entry is too */
    assert_non_null(strstr(out, "static int later__acc_direct(acc__frame *, int *, int);"));
    assert_non_null(strstr(out, "later__acc_direct(&acc__f->acc__hdr, &acc__f->acc__t0, 3)"));
}

/* The line of `out` that holds `what`, without its end. */
static char *line_of(const char *out, const char *what) {
    const char *p = strstr(out, what);
    assert_non_null(p);
    const char *b = p, *e = strchr(p, '\n');
    while (b > out && b[-1] != '\n')
        b--;
    return xstrndup(b, (size_t)((e ? e : p + strlen(p)) - b));
}

/* The line before the one that holds `what`. */
static char *line_before(const char *out, const char *what) {
    const char *p = strstr(out, what);
    assert_non_null(p);
    while (p > out && p[-1] != '\n')
        p--;
    assert_true(p > out);
    const char *e = p - 1, *b = e;
    while (b > out && b[-1] != '\n')
        b--;
    return xstrndup(b, (size_t)(e - b));
}

/* A lowered body: one statement a line, indented (layout.c), and with
   #line each line maps to the .ac line it comes from. */
static void test_layout(void **state) {
    (void)state;
    const char *code = "async int g(int x);\n"
                       "async int f(int a) {\n"
                       "    int x = a + 1;\n"
                       "    x += await g(x);\n"
                       "    return x;\n"
                       "}\n";
    Options opt;
    Unit *u = transpile_snippet(code, &opt);
    unit_dispose(u);
    /* each piece of the await on a line of its own, indented as the user's
       statement, a level more inside the block acc opened */
    assert_string_equal(line_of(output, "acc__state = 1;"), "    acc__f->acc__hdr.acc__state = 1;");
    assert_string_equal(line_of(output, "acc__L1:;"), "        acc__L1:;");
    assert_string_equal(line_of(output, "x += acc__f->acc__t0;"), "    x += acc__f->acc__t0;");
    assert_null(strstr(output, "#line"));
    with_lines = true;
    u = transpile_snippet(code, &opt);
    unit_dispose(u);
    with_lines = false;
    /* every piece of line 4's statement is said to be line 4 */
    const char *pieces[] = {"acc__state = 1;", "if (acc__await(", "acc__L1:;", "x += acc__f->acc__t0;"};
    for (size_t i = 0; i < sizeof pieces / sizeof *pieces; i++) {
        char *before = line_before(output, pieces[i]);
        if (strncmp(before, "#line", 5) == 0)
            assert_true(strncmp(before, "#line 4", 7) == 0 && (!before[7] || before[7] == ' '));
        else /* the first piece: the #line before the statement says 4 */
            assert_int_equal(i, 0);
    }
    char *ret = line_before(output, "return x;");
    assert_true(strncmp(ret, "#line 5", 7) == 0 && (!ret[7] || ret[7] == ' '));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_declare),
        cmocka_unit_test(test_frame_residency),
        cmocka_unit_test(test_residency_of_escaping),
        cmocka_unit_test(test_plain_rewrite),
        cmocka_unit_test(test_bytes_outside_untouched),
        cmocka_unit_test(test_diag_format),
        cmocka_unit_test(test_twins),
        cmocka_unit_test(test_lazy),
        cmocka_unit_test(test_layout),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    arena_free_all();
    return r;
}
