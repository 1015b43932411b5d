/*
 * emit.c: the last stage.  Writes the output file: the input's bytes where
 * nothing changes, and in place of each async function its frame struct,
 * fninfo, constructor and resume function (plus the real main for an async
 * main).  `#include <acc.h>` goes just before the first declaration acc
 * rewrites, so that the user's own first lines (feature-test macros) come
 * first, and `#line` directives map everything back to the .ac file.
 */
#include "accc.h"

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
    buf_printf(b, "struct %s__acc_frame {\n    acc__frame acc__hdr;\n", fn->name);
    CXType rt = result_type(fn);
    if (rt.kind != CXType_Void) {
        char *d = declare(rt, "*acc__res");
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
    buf_printf(b, "static int %s__acc_resume(acc__frame *acc__base);\n", fn->name);
    buf_printf(b, "static const unsigned %s__acc_lines[] = {", fn->name);
    for (int i = 0; i < fn->lines.len; i++)
        buf_printf(b, "%s%u", i ? ", " : "", (unsigned)(uintptr_t)fn->lines.items[i]);
    buf_put(b, "};\n");
    char *path = c_literal(src->path);
    char *res = result_type(fn).kind == CXType_Void
                    ? xstrdup("0")
                    : fmt("acc__offsetof(struct %s__acc_frame, acc__res)", fn->name);
    buf_printf(b,
               "static const acc__fninfo %s__acc_info = {%s__acc_resume, \"%s\", %s, "
               "%s__acc_lines, %d, %s};\n",
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
                   "    struct %s__acc_frame *acc__f = (struct %s__acc_frame *)(void *)"
                   "acc__frame_new_aligned(sizeof *acc__f, _Alignof(struct %s__acc_frame), "
                   "&%s__acc_info);\n",
                   fn->name, fn->name, fn->name, fn->name);
    else
        buf_printf(b,
                   "    struct %s__acc_frame *acc__f = (struct %s__acc_frame *)(void *)"
                   "acc__frame_new(sizeof *acc__f, &%s__acc_info);\n",
                   fn->name, fn->name, fn->name);
    buf_put(b, "    if (!acc__f) {\n");
    if (has_res)
        buf_put(b, "        if (acc__res)\n            acc__zero(acc__res, sizeof *acc__res);\n");
    int n = clang_Cursor_getNumArguments(fn->cur);
    for (int i = 0; i < n; i++)
        buf_printf(b, "        (void)acc__a%d;\n", i);
    buf_put(b, "        return ACC__NULL;\n    }\n");
    if (has_res)
        buf_put(b, "    acc__f->acc__res = acc__res;\n");
    int k = 0;
    for (int i = 0; i < fn->vars.len; i++) {
        Var *v = fn->vars.items[i];
        if (v->is_param)
            buf_printf(b, "    acc__f->%s = acc__a%d;\n", v->field, k++);
    }
    buf_put(b, "    return &acc__f->acc__hdr;\n}\n");
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
        buf_printf(b, "    %s = acc__f->%s;\n    (void)%s;\n", d, v->field, v->name);
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
static void emit_resume(Buf *b, Fn *fn, const Options *opt, const Source *src) {
    CXType rt = result_type(fn);
    bool is_void = rt.kind == CXType_Void;
    char *sig = fmt("%s__acc_body(struct %s__acc_frame *acc__f)", fn->name, fn->name);
    char *decl = declare(rt, sig);
    /* __func__ is the async function's own name, also where a macro the
       body uses spells it (glibc's assert) */
    buf_printf(b, "#define __func__ \"%s\"\n#define __FUNCTION__ __func__\n"
                  "#define __PRETTY_FUNCTION__ __func__\n", fn->name);
    buf_printf(b, "static %s {\n", decl);
    if (!is_void) {
        char *z = declare(clang_getUnqualifiedType(rt), "acc__z");
        buf_printf(b, "    static %s;\n", z);
        xfree(z);
    }
    param_loads(b, fn);
    buf_put(b, "    switch (acc__f->acc__hdr.acc__state) {\n    case 0:\n        break;\n");
    for (int i = 1; i < fn->lines.len; i++)
        buf_printf(b, "    case %d:\n        goto acc__L%d;\n", i, i);
    buf_printf(b, "    default:\n        %s\n    }\n", is_void ? "return;" : "return acc__z;");
    buf_put(b, fn->lowered);
    if (b->len && b->data[b->len - 1] != '\n')
        buf_put(b, "\n");
    buf_printf(b, "    %s\n}\n", is_void ? "return;" : "return acc__z;");
    buf_put(b, "#undef __func__\n#undef __FUNCTION__\n#undef __PRETTY_FUNCTION__\n");
    /* debuggers show the thunk at the function's closing brace */
    unsigned line, col;
    line_col(src, fn->end ? fn->end - 1 : 0, &line, &col);
    line_directive(b, opt, src, line);
    /* one line up to the body's call, so that it is at the closing brace */
    buf_printf(b,
               "static int %s__acc_resume(acc__frame *acc__base) { "
               "struct %s__acc_frame *acc__f = (struct %s__acc_frame *)(void *)acc__base; ",
               fn->name, fn->name, fn->name);
    if (is_void) {
        buf_printf(b, "%s__acc_body(acc__f);\n", fn->name);
    } else {
        char *v = declare(clang_getUnqualifiedType(rt), "acc__v");
        buf_printf(b, "%s = %s__acc_body(acc__f);\n", v, fn->name);
        xfree(v);
    }
    buf_put(b, "    if (acc__f->acc__hdr.acc__state & ACC__SUSPENDED) {\n"
               "        acc__f->acc__hdr.acc__state &= ~ACC__SUSPENDED;\n"
               "        return ACC__PENDING;\n    }\n");
    if (!is_void)
        buf_put(b, "    if (acc__f->acc__res)\n        *acc__f->acc__res = acc__v;\n");
    buf_put(b, "    return ACC__DONE;\n}\n");
    xfree(decl);
    xfree(sig);
}

/* The real main for `async int main(...)`: runs it on a fresh loop. */
static void emit_main(Buf *b, Fn *fn) {
    int n = clang_Cursor_getNumArguments(fn->cur);
    if (n == 2)
        buf_put(b, "int main(int acc__argc, char **acc__argv) {\n    int acc__rv = 0;\n"
                   "    return acc__main(main__acc(&acc__rv, acc__argc, acc__argv), &acc__rv);\n}\n");
    else
        buf_put(b, "int main(void) {\n    int acc__rv = 0;\n"
                   "    return acc__main(main__acc(&acc__rv), &acc__rv);\n}\n");
}

/* An async function: its frame struct, fninfo, constructor and body
   function, its plain twin when an await calls it (twin.c), and the real
   main for an async main. */
static void emit_async(Buf *b, Unit *u, Fn *fn, const Options *opt) {
    /* the twin's prototype first: the body may await fn itself */
    if (fn->twin_used) {
        char *p = twin_proto(fn, false);
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
    if (fn->is_main) {
        unsigned l2, c2;
        line_col(&u->src, fn->end, &l2, &c2);
        line_directive(b, opt, &u->src, l2);
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
    unsigned line, col;
    line_col(src, off, &line, &col);
    line_directive(out, opt, src, line);
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
    if (u->has_async_decl && (!regs.len || u->async_decl_at < rs[0].decl_at)) {
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
            buf_put(
                &out,
                "static void *acc__copy(void *acc__d, const void *acc__s, acc__size_t acc__n) {\n"
                "    unsigned char *acc__p = (unsigned char *)acc__d;\n"
                "    const unsigned char *acc__q = (const unsigned char *)acc__s;\n"
                "    while (acc__n--)\n"
                "        *acc__p++ = *acc__q++;\n"
                "    return acc__d;\n"
                "}\n");
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
