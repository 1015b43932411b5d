/*
 * emit.c: the last stage.  Writes the output file: the input's bytes where
 * nothing changes, and in place of each async function its frame struct,
 * fninfo, constructor and resume function (plus the real main for an async
 * main).  `#include <acc.h>` goes just before the first declaration acc
 * rewrites (or the file's first declaration, where acc includes acc.h for a
 * file that names the API without including it: hygiene.c), so that the
 * user's own first lines (feature-test macros) come first, and `#line`
 * directives map everything back to the .ac file.
 */
#include "abi.h"
#include "accc.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static CXType result_type(Fn *fn) { return clang_getResultType(clang_getCursorType(fn->cur)); }

void frame_field(Buf *b, const Var *v) {
    if (v->bytes) {
        buf_printf(b, "    _Alignas(%lld) unsigned char %s[%lld];\n", v->alignment, v->field, v->size);
        return;
    }
    char *d = v->is_param ? declare_value(v->type, v->field) : declare_slot(v->type, v->field);
    buf_printf(b, "    %s%s%s;\n", v->align ? v->align : "", v->align ? " " : "", d);
    xfree(d);
}

static void emit_frame_struct(Buf *b, Fn *fn) {
    buf_printf(b, "struct %s" ABI_FRAME_STRUCT " {\n    " ABI_FRAME " " ABI_HDR ";\n", fn->name);
    CXType rt = result_type(fn);
    if (rt.kind != CXType_Void) {
        char *d = declare(rt, "*" ABI_RES);
        buf_printf(b, "    %s;\n", d);
        xfree(d);
    }
    for (int i = 0; i < fn->vars.len; i++) {
        Var *v = fn->vars.items[i];
        if (v->in_frame)
            frame_field(b, v);
    }
    for (int i = 0; i < fn->temps.len; i++)
        buf_printf(b, "    %s;\n", (char *)fn->temps.items[i]);
    buf_put(b, "};\n");
}

static void emit_info(Buf *b, Fn *fn, const Source *src) {
    buf_printf(b, "static int %s" ABI_RESUME "(" ABI_FRAME " *" ABI_BASE ");\n", fn->name);
    buf_printf(b, "static const unsigned %s" ABI_LINES "[] = {", fn->name);
    for (int i = 0; i < fn->lines.len; i++)
        buf_printf(b, "%s%u", i ? ", " : "", (unsigned)(uintptr_t)fn->lines.items[i]);
    buf_put(b, "};\n");
    char *file; /* the presumed file of the body (a #line names another) */
    unsigned line, col;
    presumed_at(src, fn->body->begin, &file, &line, &col);
    char *path = c_literal(file);
    xfree(file);
    char *res = result_type(fn).kind == CXType_Void
                    ? xstrdup("0")
                    : fmt(ABI_OFFSETOF "(struct %s" ABI_FRAME_STRUCT ", " ABI_RES ")", fn->name);
    buf_printf(b,
               "static const " ABI_FNINFO " %s" ABI_INFO " = {%s" ABI_RESUME ", \"%s\", %s, "
               "%s" ABI_LINES ", %d, %s};\n",
               fn->name, fn->name, fn->name, path, fn->name, fn->lines.len, res);
    xfree(res);
    xfree(path);
}

static void emit_ctor(Buf *b, Fn *fn) {
    char *proto = ctor_proto(fn, true);
    bool has_res = result_type(fn).kind != CXType_Void;
    buf_printf(b, "%s {\n", proto);
    xfree(proto);
    if (fn->overaligned)
        buf_printf(b,
                   "    struct %s" ABI_FRAME_STRUCT " *" ABI_F " = (struct %s" ABI_FRAME_STRUCT " *)(void *)"
                   ABI_FRAME_NEW_ALIGNED "(sizeof *" ABI_F ", _Alignof(struct %s" ABI_FRAME_STRUCT "), "
                   "&%s" ABI_INFO ");\n",
                   fn->name, fn->name, fn->name, fn->name);
    else
        buf_printf(b,
                   "    struct %s" ABI_FRAME_STRUCT " *" ABI_F " = (struct %s" ABI_FRAME_STRUCT " *)(void *)"
                   ABI_FRAME_NEW "(sizeof *" ABI_F ", &%s" ABI_INFO ");\n",
                   fn->name, fn->name, fn->name);
    buf_put(b, "    if (!" ABI_F ") {\n");
    if (has_res)
        buf_put(b, "        if (" ABI_RES ")\n            " ABI_ZERO "(" ABI_RES ", sizeof *" ABI_RES ");\n");
    int n = clang_Cursor_getNumArguments(fn->cur);
    for (int i = 0; i < n; i++)
        buf_printf(b, "        (void)" ABI_ARG "%d;\n", i);
    buf_put(b, "        return " ABI_NULL ";\n    }\n");
    if (has_res)
        buf_put(b, "    " ABI_F "->" ABI_RES " = " ABI_RES ";\n");
    int k = 0;
    for (int i = 0; i < fn->vars.len; i++) {
        Var *v = fn->vars.items[i];
        if (v->is_param)
            buf_printf(b, "    " ABI_F "->%s = " ABI_ARG "%d;\n", v->field, k++);
    }
    buf_put(b, "    return &" ABI_F "->" ABI_HDR ";\n}\n");
}

char *param_local(const Var *v) {
    CXType t = decayed_param(v->type);
    return t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray ||
                   t.kind == CXType_FunctionProto || t.kind == CXType_FunctionNoProto
               ? declare_value(t, v->name)
               : declare(t, v->name);
}

/* Parameters are C variables of the body, loaded on every entry. */
static void param_loads(Buf *b, const Fn *fn) {
    for (int i = 0; i < fn->vars.len; i++) {
        Var *v = fn->vars.items[i];
        if (!v->is_param || v->resident)
            continue;
        char *d = param_local(v);
        buf_printf(b, "    %s = " ABI_F "->%s;\n    (void)%s;\n", d, v->field, v->name);
        xfree(d);
    }
}

/*
 * The body function returns the async function's own type, so that every
 * `return E;` of the user (those that macros write included) stays as it
 * is; a suspension returns with ACC__SUSPENDED set in the state.  The
 * thunk that fninfo names turns that into ACC__DONE or ACC__PENDING and
 * stores the value for the caller.
 */
/* Opens a function acc writes of an async body (the body function, the
   twin, the direct entry's body): __func__ is the async function's own
   name, also where a macro the body uses spells it (glibc's assert). */
void put_func_names(Buf *b, const Fn *fn) {
    buf_printf(b, "#define __func__ \"%s\"\n#define __FUNCTION__ __func__\n"
                  "#define __PRETTY_FUNCTION__ __func__\n", fn->name);
}

/* Closes it: the lowered body, the return after it, and __func__ undone. */
void put_body_end(Buf *b, const char *body, bool is_void) {
    buf_put(b, body);
    if (b->len && b->data[b->len - 1] != '\n')
        buf_put(b, "\n");
    buf_printf(b, "    %s\n}\n", is_void ? "return;" : "return " ABI_Z ";");
    buf_put(b, "#undef __func__\n#undef __FUNCTION__\n#undef __PRETTY_FUNCTION__\n");
}

static void emit_resume(Buf *b, Fn *fn, const Options *opt, const Source *src) {
    CXType rt = result_type(fn);
    bool is_void = rt.kind == CXType_Void;
    char *sig = fmt("%s" ABI_BODY "(struct %s" ABI_FRAME_STRUCT " *" ABI_F ")", fn->name, fn->name);
    char *decl = declare(rt, sig);
    put_func_names(b, fn);
    buf_printf(b, "static %s {\n", decl);
    if (!is_void) {
        char *z = declare(clang_getUnqualifiedType(rt), ABI_Z);
        buf_printf(b, "    static %s;\n", z);
        xfree(z);
    }
    param_loads(b, fn);
    buf_put(b, "    switch (" ABI_F "->" ABI_HDR "." ABI_STATE ") {\n    case 0:\n        break;\n");
    for (int i = 1; i < fn->lines.len; i++)
        buf_printf(b, "    case %d:\n        goto " ABI_LABEL "%d;\n", i, i);
    buf_printf(b, "    default:\n        %s\n    }\n", is_void ? "return;" : "return " ABI_Z ";");
    put_body_end(b, fn->lowered, is_void);
    /* debuggers show the thunk at the function's closing brace */
    line_directive(b, opt, src, fn->end ? fn->end - 1 : 0);
    /* one line up to the body's call, so that it is at the closing brace */
    buf_printf(b,
               "static int %s" ABI_RESUME "(" ABI_FRAME " *" ABI_BASE ") { "
               "struct %s" ABI_FRAME_STRUCT " *" ABI_F " = (struct %s" ABI_FRAME_STRUCT " *)(void *)" ABI_BASE "; ",
               fn->name, fn->name, fn->name);
    if (is_void) {
        buf_printf(b, "%s" ABI_BODY "(" ABI_F ");\n", fn->name);
    } else {
        char *v = declare(clang_getUnqualifiedType(rt), ABI_V);
        buf_printf(b, "%s = %s" ABI_BODY "(" ABI_F ");\n", v, fn->name);
        xfree(v);
    }
    buf_put(b, "    if (" ABI_F "->" ABI_HDR "." ABI_STATE " & " ABI_SUSPENDED ") {\n"
               "        " ABI_F "->" ABI_HDR "." ABI_STATE " &= ~" ABI_SUSPENDED ";\n"
               "        return " ABI_PENDING ";\n    }\n");
    if (!is_void)
        buf_put(b, "    if (" ABI_F "->" ABI_RES ")\n        *" ABI_F "->" ABI_RES " = " ABI_V ";\n");
    buf_put(b, "    return " ABI_DONE ";\n}\n");
    xfree(decl);
    xfree(sig);
}

/* The real main for `async int main(...)`: runs it on a fresh loop. */
static void emit_main(Buf *b, Fn *fn) {
    int n = clang_Cursor_getNumArguments(fn->cur);
    if (n == 2)
        buf_put(b, "int main(int " ABI_ARGC ", char **" ABI_ARGV ") {\n    int " ABI_RV " = 0;\n"
                   "    return " ABI_MAIN "(main" ABI_CTOR "(&" ABI_RV ", " ABI_ARGC ", " ABI_ARGV "), &" ABI_RV ");\n}\n");
    else
        buf_put(b, "int main(void) {\n    int " ABI_RV " = 0;\n"
                   "    return " ABI_MAIN "(main" ABI_CTOR "(&" ABI_RV "), &" ABI_RV ");\n}\n");
}

/* An async function: its frame struct, fninfo, constructor and body
   function, its plain twin when an await calls it (twin.c), and the real
   main for an async main. */
static void emit_async(Buf *b, Unit *u, Fn *fn, const Options *opt) {
    /* the twin's and direct entry's prototypes first: the body may await fn itself */
    if (fn->twin_used) {
        char *p = twin_proto(fn, false);
        buf_printf(b, "%s;\n", p);
        xfree(p);
    }
    if (fn->direct_used) {
        char *p = direct_proto(fn, false);
        buf_printf(b, "%s;\n", p);
        xfree(p);
    }
    for (int i = 0; i < fn->hoisted.len; i++)
        buf_printf(b, "%s\n", (char *)fn->hoisted.items[i]);
    emit_frame_struct(b, fn);
    emit_info(b, fn, &u->src);
    emit_ctor(b, fn);
    emit_resume(b, fn, opt, &u->src);
    if (fn->twin_used)
        twin_emit(b, fn, fn->twin, &fn->twin_temps);
    if (fn->direct_used)
        direct_emit(b, fn, fn->direct);
    if (fn->is_main) {
        line_directive(b, opt, &u->src, fn->end);
        emit_main(b, fn);
    }
}

/* ---- the file ------------------------------------------------------------- */

typedef struct {
    unsigned begin, end; /* the bytes replaced */
    unsigned decl_at;    /* where the enclosing top-level declaration starts */
    char *text;          /* what replaces them, or NULL: */
    Fn *async_fn;        /* an async function, written from its lowered body */
    Fn *fn;              /* the function the region declares, if any */
    Node *tree;          /* nodes whose callees need constructor prototypes, */
    const Vec *named;    /* or those of them that name an async function (Fn.named) */
    char *pre;           /* declarations to put before the declaration (a twin's prototype) */
} Region;

static int region_cmp(const void *a, const void *b) {
    const Region *x = a, *y = b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

static unsigned line_start(const Source *src, unsigned off) {
    while (off > 0 && src->text[off - 1] != '\n')
        off--;
    return off;
}

/* The nodes of a tree that name an async function, in tree order (what
   check lists for function bodies: Fn.named). */
static void named_nodes(Node *n, Vec *out) {
    if (n->async_callee || n->fnref || n->inner_proto)
        vec_push(out, n);
    for (int i = 0; i < n->nkids; i++)
        named_nodes(n->kids[i], out);
}

/* Constructor prototypes of the async functions a region calls that the
   output has not declared yet (those declared in headers, or defined later). */
static void emit_callee_protos(Buf *out, Region *r) {
    Vec walked = {0};
    if (!r->named && r->tree)
        named_nodes(r->tree, &walked);
    const Vec *named = r->named ? r->named : &walked;
    for (int i = 0; i < named->len; i++) {
        Node *n = named->items[i];
        if (n->inner_proto)
            n->inner_proto->declared_out = true;
        Fn *callees[2] = {n->async_callee, n->fnref};
        for (int k = 0; k < 2; k++) {
            Fn *f = callees[k];
            if (!f || f->is_runtime || f->declared_out || f == r->fn)
                continue;
            f->declared_out = true;
            char *p = ctor_proto(f, false);
            if (out->len && out->data[out->len - 1] != '\n')
                buf_put(out, "\n");
            buf_printf(out, "%s;\n", p);
            xfree(p);
        }
    }
    xfree(walked.items);
}

static void copy(Buf *out, const Source *src, unsigned from, unsigned to) {
    if (to > from)
        buf_putn(out, src->text + from, to - from);
}

static void resync(Buf *out, const Options *opt, const Source *src, unsigned off) {
    line_directive(out, opt, src, off);
}

char *emit_unit(Unit *u, const Options *opt) {
    const Source *src = &u->src;
    Vec regs = {0};
    for (int i = 0; i < u->defs.len; i++) {
        Fn *fn = u->defs.items[i];
        Region *r = xcalloc(1, sizeof *r);
        r->fn = fn_of_decl(u, fn->cur);
        r->named = &fn->named;
        r->decl_at = fn->begin;
        if (fn->is_async) {
            r->begin = fn->begin;
            r->end = fn->end;
            r->async_fn = fn;
        } else if (fn->lowered) {
            r->begin = fn->body->begin;
            r->end = fn->body->end;
            r->text = fn->lowered;
            r->fn = NULL;
        } else {
            xfree(r);
            continue;
        }
        vec_push(&regs, r);
    }
    /* file-scope initializers that name async functions (one region per
       initializer; the first of a declaration declares the constructors) */
    for (int i = 0; i < u->globals.len; i++) {
        Node *d = u->globals.items[i], *init = d->kids[d->nkids - 1];
        char *t = u->global_inits.items[i];
        if (!t)
            continue;
        Region *r = xcalloc(1, sizeof *r);
        r->begin = init->begin;
        r->end = init->end;
        r->decl_at = d->begin;
        r->text = t;
        Node *group = xcalloc(1, sizeof *group);
        group->kids = xcalloc((size_t)u->globals.len, sizeof *group->kids);
        for (int j = i; j < u->globals.len; j++) {
            Node *g = u->globals.items[j];
            if (g->begin != d->begin)
                break;
            group->kids[group->nkids++] = g;
        }
        bool first = i == 0 || ((Node *)u->globals.items[i - 1])->begin != d->begin;
        r->tree = first ? group : NULL;
        vec_push(&regs, r);
    }
    for (int i = 0; i < u->protos.len; i++) {
        Fn *p = u->protos.items[i];
        Region *r = xcalloc(1, sizeof *r);
        r->begin = r->decl_at = p->begin;
        r->end = p->end;
        r->text = ctor_proto(p, false);
        r->fn = fn_of_decl(u, p->cur);
        if (r->fn->twin_used) {
            char *t = twin_proto(r->fn, false);
            r->pre = fmt("%s;\n", t);
            xfree(t);
        }
        if (r->fn->direct_used) {
            char *t = direct_proto(r->fn, false);
            char *pre = fmt("%s%s;\n", r->pre ? r->pre : "", t);
            xfree(r->pre);
            xfree(t);
            r->pre = pre;
        }
        vec_push(&regs, r);
    }
    Region *rs = xcalloc((size_t)regs.len + 1, sizeof *rs);
    for (int i = 0; i < regs.len; i++)
        rs[i] = *(Region *)regs.items[i];
    qsort(rs, (size_t)regs.len, sizeof *rs, region_cmp);

    Buf out = {0};
    unsigned pos = 0;
    bool included = false;
    /* a typedef or variable that spells `async` (a pointer to an async
       function) is copied as written: acc.h's C view erases the keyword */
    unsigned incl_at = runtime_include_at(u);
    if (incl_at != UINT_MAX && (!regs.len || incl_at <= rs[0].decl_at)) {
        pos = line_start(src, incl_at);
        copy(&out, src, 0, pos);
        put_runtime_include(&out, u);
        resync(&out, opt, src, pos);
        included = true;
    } else if (u->has_async_decl && (!regs.len || u->async_decl_at < rs[0].decl_at)) {
        pos = line_start(src, u->async_decl_at);
        copy(&out, src, 0, pos);
        put_runtime_include(&out, u);
        resync(&out, opt, src, pos);
        included = true;
    }
    for (int i = 0; i < regs.len; i++) {
        Region *r = &rs[i];
        if (r->begin < pos)
            die("overlapping rewrites");
        unsigned at = line_start(src, r->decl_at);
        if (at < pos)
            at = r->decl_at;
        copy(&out, src, pos, at);
        size_t before = out.len;
        if (i == 0 && !included)
            put_runtime_include(&out, u);
        if (u->need_copy && !u->copy_out) {
            /* spills of values a plain `=` cannot store (const members, types
               declared in the body): a byte copy without <string.h> */
            buf_put(&out, ABI_COPY_DEFINITION);
            u->copy_out = true;
        }
        emit_callee_protos(&out, r);
        if (r->pre) {
            if (out.len && out.data[out.len - 1] != '\n')
                buf_put(&out, "\n");
            buf_put(&out, r->pre);
        }
        if (r->fn)
            r->fn->declared_out = true;
        if (out.len != before)
            resync(&out, opt, src, at);
        copy(&out, src, at, r->begin);
        if (r->async_fn) {
            emit_async(&out, u, r->async_fn, opt);
            resync(&out, opt, src, r->end);
        } else {
            buf_put(&out, r->text);
        }
        pos = r->end;
    }
    copy(&out, src, pos, (unsigned)src->len);
    xfree(rs);
    return buf_take(&out);
}
