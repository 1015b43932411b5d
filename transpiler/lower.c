/*
 * lower.c: the fourth pass, its entry points and its output.  lower_unit
 * lowers every async body (lower_stmt.c, lower_expr.c), the twins their
 * awaits call, and the plain bodies and file-scope initializers that change;
 * each result is stored on its Fn or Unit for emit.  The overview of the
 * lowering is in lower.h.
 */
#include "lower.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

void put(Lower *L, const char *s) {
    for (const char *p = s; *p; p++)
        if (*p == '\n' && L->out_line)
            L->out_line++;
    buf_put(&L->out, s);
}

void putf(Lower *L, const char *format, ...) {
    size_t from = L->out.len;
    va_list ap;
    va_start(ap, format);
    buf_vprintf(&L->out, format, ap);
    va_end(ap);
    if (L->out_line)
        for (size_t i = from; i < L->out.len; i++)
            L->out_line += L->out.data[i] == '\n';
}

/* Starts a new output line mapped to the .ac line of offset `off` (its
   presumed place: a #line of the input goes on counting). */
void new_line(Lower *L, unsigned off) {
    unsigned line, col;
    char *file;
    presumed_at(&L->u->src, off, &file, &line, &col);
    if (L->out.len && L->out.data[L->out.len - 1] != '\n')
        put(L, "\n");
    bool same = line == L->out_line && L->out_file && strcmp(file, L->out_file) == 0;
    if (L->opt->no_line || same) {
        xfree(file);
        return;
    }
    line_directive(&L->out, L->opt, &L->u->src, off);
    L->out_line = line;
    xfree(L->out_file);
    L->out_file = file;
}

char *lower_fn(Unit *u, Fn *fn, const Options *opt) {
    Lower L = {.u = u, .fn = fn, .opt = opt, .out = u->scratch};
    L.out.len = 0;
    mark_stmt_exprs(fn->body, false);
    L_src_text = u->src.text;
    bool is_void = clang_getResultType(clang_getCursorType(fn->cur)).kind == CXType_Void;
    L.suspend = is_void ? "{ " ABI_F "->" ABI_HDR "." ABI_STATE " |= " ABI_SUSPENDED "; return; }"
                        : "return " ABI_F "->" ABI_HDR "." ABI_STATE " |= " ABI_SUSPENDED ", " ABI_Z ";";
    vec_push(&fn->lines, (void *)(uintptr_t)0);
    lower_stmt(&L, fn->body);
    put(&L, "\n");
    xfree(L.cont.items);
    xfree(L.scopes.items);
    u->scratch = L.out; /* kept for the next function: one buffer grows, not one each */
    return xstrndup(L.out.data, L.out.len);
}

char *lower_twin(Unit *u, Fn *fn, const Options *opt, Vec *temps) {
    Lower L = {.u = u, .fn = fn, .opt = opt, .twin = true};
    L_src_text = u->src.text;
    Vec frame_temps = fn->temps;
    fn->temps = (Vec){0}; /* the twin's slots are its own */
    lower_stmt(&L, fn->body);
    put(&L, "\n");
    xfree(L.cont.items);
    xfree(L.scopes.items);
    *temps = fn->temps;
    fn->temps = frame_temps;
    return buf_take(&L.out);
}

/* The body of fn's direct entry (lazy.c): lowered again in the same order
   as lower_fn did, so that its resume points and slots are the frame's. */
char *lower_direct(Unit *u, Fn *fn, const Options *opt) {
    Lower L = {.u = u, .fn = fn, .opt = opt, .direct = true};
    L_src_text = u->src.text;
    bool is_void = clang_getResultType(clang_getCursorType(fn->cur)).kind == CXType_Void;
    L.suspend = is_void ? "{ " ABI_F "->" ABI_HDR "." ABI_STATE " |= " ABI_SUSPENDED "; return; }"
                        : "return " ABI_F "->" ABI_HDR "." ABI_STATE " |= " ABI_SUSPENDED ", " ABI_Z ";";
    Vec frame_temps = fn->temps;
    fn->temps = (Vec){0};
    lower_stmt(&L, fn->body);
    put(&L, "\n");
    xfree(L.cont.items);
    xfree(L.scopes.items);
    bool same = fn->temps.len == frame_temps.len && L.nawaits == fn->lines.len - 1;
    for (int i = 0; same && i < fn->temps.len; i++)
        same = strcmp(fn->temps.items[i], frame_temps.items[i]) == 0;
    if (!same)
        die("internal error: the direct body of '%s' differs from its body", fn->name);
    for (int i = 0; i < fn->temps.len; i++)
        xfree(fn->temps.items[i]);
    xfree(fn->temps.items);
    fn->temps = frame_temps;
    return buf_take(&L.out);
}

char *plain_text(Unit *u, Fn *fn, Node *n) {
    Lower L = {.u = u, .fn = fn && fn->is_async ? fn : NULL};
    L_src_text = u->src.text;
    Options none = {0};
    L.opt = &none;
    char *t = expr_text(&L, n);
    if (L.out.len)
        die("a plain function needed statements");
    return t;
}

/* The rewritten text of n in a plain function (or a file-scope initializer),
   or NULL when nothing in it changes. */
static char *plain_change(Unit *u, Fn *fn, Node *n) {
    char *t = plain_text(u, fn, n);
    char *orig = node_text(u, n);
    bool same = strcmp(t, orig) == 0;
    xfree(orig);
    if (!same)
        return t;
    xfree(t);
    return NULL;
}

void lower_unit(Unit *u, const Options *opt) {
    /* bodies are lowered with their #line directives, which layout_body
       needs to know each line's place; it drops them under --no-line */
    Options lines = *opt;
    lines.no_line = false;
    for (int i = 0; i < u->defs.len; i++) {
        Fn *fn = u->defs.items[i];
        fn->lowered = fn->is_async ? lower_fn(u, fn, &lines) : plain_change(u, fn, fn->body);
    }
    /* the twins the bodies' awaits call (the twin of a function awaits what
       its body awaits: those twins are marked used already) */
    for (int i = 0; i < u->defs.len && !error_count; i++) {
        Fn *fn = u->defs.items[i];
        if (fn->is_async && fn->twin_used)
            fn->twin = lower_twin(u, fn, &lines, &fn->twin_temps);
    }
    /* the direct entries the awaits call (lazy.c): a direct body awaits
       what the body does, so those it calls are marked used already */
    for (int i = 0; i < u->defs.len && !error_count; i++) {
        Fn *fn = u->defs.items[i];
        if (fn->is_async && fn->direct_used)
            fn->direct = lower_direct(u, fn, &lines);
    }
    /* one statement a line, indented as the user's (layout.c) */
    for (int i = 0; i < u->defs.len && !error_count; i++) {
        Fn *fn = u->defs.items[i];
        if (!fn->is_async)
            continue;
        fn->lowered = layout_body(fn->lowered, opt, &u->src);
        if (fn->twin)
            fn->twin = layout_body(fn->twin, opt, &u->src);
        if (fn->direct)
            fn->direct = layout_body(fn->direct, opt, &u->src);
    }
    for (int i = 0; i < u->globals.len; i++) {
        Node *d = u->globals.items[i];
        vec_push(&u->global_inits, plain_change(u, NULL, d->kids[d->nkids - 1]));
    }
}
