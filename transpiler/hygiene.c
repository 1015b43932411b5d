/*
 * hygiene.c: the runtime header acc's output includes (SPEC 2, "The output
 * is hygienic").
 *
 *   the file names no acc_ API           =>  #include <acc_abi.h>
 *   it names the API and includes acc.h  =>  #include <acc.h>   (a no-op
 *                                            repeat, or the user's own
 *                                            include comes later)
 *   it names the API, includes no acc.h  =>  #pragma push_macro("size")
 *                                            #undef size          (each user
 *                                            ...                   macro named
 *                                            #define ACC__NOLIBC 1 like an
 *                                            #include <acc.h>      identifier
 *                                            #undef ACC__NOLIBC    of acc.h)
 *                                            #pragma pop_macro("size") ...
 *
 * In the last case the include goes before the file's first declaration
 * (plain code before the first async function may name the API too), and
 * acc.h takes its no-libc view (stand-in
 * typedefs, no <stdio.h>, <stdbool.h>, ...), so the output adds no standard
 * header the input did not include but <stddef.h>, and the user's own
 * `bool`, `FILE`, `ssize_t` or `printf` stay theirs; the user's macros named
 * like acc.h's members and parameters (size, buf, n, ...) are set aside
 * while it is read and restored after it.  gcc, clang and tcc know
 * push_macro/pop_macro.
 */
#include "abi.h"
#include "accc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

bool is_api_name(const char *s) {
    return (strncmp(s, "acc_", 4) == 0 && s[4] != '_') || strcmp(s, "ACC_H") == 0;
}

static bool is_named(CXFile f, const char *base_name) {
    if (!f)
        return false;
    char *name = str_dispose(clang_getFileName(f));
    const char *base = strrchr(name, '/');
    bool is = strcmp(base ? base + 1 : name, base_name) == 0;
    xfree(name);
    return is;
}

typedef struct {
    bool user_includes; /* an #include of acc.h in the user's code */
    CXFile acc_h;       /* acc.h as the parse view read it */
} Incl;

/* The parse view acc injects with -include has no including file. */
static void incl_visit(CXFile included, CXSourceLocation *stack, unsigned depth,
                       CXClientData data) {
    Incl *in = data;
    if (depth == 0 || !is_named(included, "acc.h"))
        return;
    CXFile from;
    clang_getFileLocation(stack[0], &from, NULL, NULL, NULL);
    if (from)
        in->user_includes = true;
    else
        in->acc_h = included;
}

typedef struct {
    Unit *u;
    Vec acc_ids; /* char*: the identifiers of acc.h */
    Vec names;   /* char*: the user's macros among them */
} Macros;

static bool has(Vec *v, const char *s) {
    for (int i = 0; i < v->len; i++)
        if (strcmp(v->items[i], s) == 0)
            return true;
    return false;
}

static int str_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether s is in the sorted vector v. */
static bool has_sorted(Vec *v, const char *s) {
    return v->len && bsearch(&s, v->items, (size_t)v->len, sizeof *v->items, str_cmp);
}

/* A macro the user defined (in the .ac file, a header of its own or with
   -D) named like an identifier of acc.h.  Names reserved to the
   implementation (__GNUC__, _Bool, ...) and acc's own are left alone. */
static enum CXChildVisitResult macro_visit(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    Macros *m = data;
    if (clang_getCursorKind(c) != CXCursor_MacroDefinition)
        return CXChildVisit_Continue;
    CXSourceLocation loc = clang_getCursorLocation(c);
    if (clang_Location_isInSystemHeader(loc))
        return CXChildVisit_Continue;
    CXFile f;
    clang_getFileLocation(loc, &f, NULL, NULL, NULL);
    if (is_named(f, "acc.h") || is_named(f, "acc_abi.h"))
        return CXChildVisit_Continue;
    char *name = str_dispose(clang_getCursorSpelling(c));
    if (name[0] != '_' && strncmp(name, "acc_", 4) != 0 && strncmp(name, "ACC_", 4) != 0 &&
        has_sorted(&m->acc_ids, name) && !has(&m->names, name))
        vec_push(&m->names, name);
    else
        xfree(name);
    return CXChildVisit_Continue;
}

static void acc_h_identifiers(Unit *u, CXFile acc_h, Vec *out) {
    size_t size = 0;
    if (!clang_getFileContents(u->tu, acc_h, &size))
        return;
    CXSourceRange r = clang_getRange(clang_getLocationForOffset(u->tu, acc_h, 0),
                                     clang_getLocationForOffset(u->tu, acc_h, (unsigned)size));
    CXToken *toks;
    unsigned n;
    clang_tokenize(u->tu, r, &toks, &n);
    for (unsigned i = 0; i < n; i++) {
        if (clang_getTokenKind(toks[i]) != CXToken_Identifier)
            continue;
        vec_push(out, str_dispose(clang_getTokenSpelling(u->tu, toks[i])));
    }
    clang_disposeTokens(u->tu, toks, n);
    if (out->len > 1)
        qsort(out->items, (size_t)out->len, sizeof *out->items, str_cmp);
}

static void free_strings(Vec *v) {
    for (int i = 0; i < v->len; i++)
        xfree(v->items[i]);
    xfree(v->items);
}

static enum CXChildVisitResult first_visit(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    CXSourceLocation loc = clang_getCursorLocation(c);
    if (!clang_Location_isFromMainFile(loc))
        return CXChildVisit_Continue;
    unsigned off;
    clang_getExpansionLocation(clang_getRangeStart(clang_getCursorExtent(c)), NULL, NULL, NULL, &off);
    *(unsigned *)data = off;
    return CXChildVisit_Break;
}

/* Where the output includes acc.h when it takes the no-libc view (the last
   case above): before the file's first declaration, after the directives
   and comments that open it, so that plain code before the first async
   function may name the API too (the parse view's -include declared it for
   all of the file); UINT_MAX in the other cases. */
unsigned runtime_include_at(Unit *u) {
    if (!u->names_api)
        return UINT_MAX;
    Incl in = {false, NULL};
    clang_getInclusions(u->tu, incl_visit, &in);
    if (in.user_includes || !in.acc_h)
        return UINT_MAX;
    unsigned off = UINT_MAX;
    clang_visitChildren(clang_getTranslationUnitCursor(u->tu), first_visit, &off);
    return off;
}

void put_runtime_include(Buf *out, Unit *u) {
    if (!u->names_api) {
        buf_put(out, "#include <acc_abi.h>\n");
        if (fnptr_output_spells_async(u))
            buf_put(out, "#ifndef async\n#define async\n#endif\n");
        return;
    }
    Incl in = {false, NULL};
    clang_getInclusions(u->tu, incl_visit, &in);
    if (in.user_includes || !in.acc_h) {
        buf_put(out, "#include <acc.h>\n");
        return;
    }
    Macros m = {u, {0}, {0}};
    acc_h_identifiers(u, in.acc_h, &m.acc_ids);
    clang_visitChildren(clang_getTranslationUnitCursor(u->tu), macro_visit, &m);
    for (int i = 0; i < m.names.len; i++)
        buf_printf(out, "#pragma push_macro(\"%s\")\n#undef %s\n", (char *)m.names.items[i],
                   (char *)m.names.items[i]);
    buf_put(out, "#define " ABI_NOLIBC " 1\n#include <acc.h>\n#undef " ABI_NOLIBC "\n");
    for (int i = m.names.len; i-- > 0;)
        buf_printf(out, "#pragma pop_macro(\"%s\")\n", (char *)m.names.items[i]);
    free_strings(&m.acc_ids);
    free_strings(&m.names);
}
