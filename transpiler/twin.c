/*
 * twin.c: plain C twins of async functions that can never suspend.
 *
 * An async function f of the main file is syncable when no run of it can
 * suspend: every await of its body is a direct call of an async function
 * of this file that is syncable itself.  That is a greatest fixed point
 * over the call graph (all candidates in, then out goes each one that
 * awaits anything else, until nothing changes), so fib awaiting fib and
 * mutual recursion stay in.  For such an f acc also writes
 *
 *   static T f__acc_sync(unsigned acc__b, P...)
 *
 * a plain function running the same lowered body (lower_twin) with its
 * frame-resident variables and slots as C variables of its own, and each
 * await a direct call of the callee's twin.  An await of f in an async
 * body calls the twin (while acc__twin_ok()), so a call chain where
 * nothing suspends costs plain calls.  The C stack stays bounded (SPEC:
 * it does not grow with await depth): each twin-to-twin call spends one
 * unit of acc__b, and a twin entered with none left runs f's async frame
 * on a nested trampoline (acc__run_nested), under which no twin runs.
 *
 * Not twinned: a function with a `static` local (the twin would have its
 * own copy; but for a constant whose address never leaves the function,
 * where the copy cannot be told apart), one that takes a label's address (labels-as-values name the
 * function's own code), one whose locals and parameters take 1 KiB or
 * more in all (the async version keeps them in its heap frame; a twin chain
 * puts ACC__TWIN_BUDGET of them on the C stack), and `async int main`.
 */
#include "abi.h"
#include "accc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define TWIN_MAX_LOCALS 1024 /* bytes of locals and parameters that keep a function out */

/* Whether an object of type t can never change: const, or an array of such. */
static bool all_const(CXType t) {
    t = clang_getCanonicalType(t);
    while (t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray) {
        if (clang_isConstQualifiedType(t))
            return true;
        t = clang_getCanonicalType(clang_getArrayElementType(t));
    }
    return clang_isConstQualifiedType(t);
}

static bool is_array(CXType t) {
    t = clang_getCanonicalType(t);
    return t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray;
}

/* Whether the use `ref` of a variable may let an address into it out (so
   that which copy of it this is could be told): it is read by value only
   through subscripts and members (table[i].name), else it escapes. */
static bool addr_escapes(Node *ref) {
    bool addr = false; /* c is the address of (a part of) the variable, else an lvalue of it */
    Node *c = ref;
    for (Node *p = ref->parent; p; c = p, p = p->parent) {
        if (p->kind == CXCursor_ParenExpr)
            continue;
        bool base = p->nkids && p->kids[0] == c;
        if (!addr) {
            if (p->kind == CXCursor_MemberRefExpr && base)
                continue; /* v.m */
            if (p->kind == CXCursor_UnexposedExpr && p->nkids == 1 && is_array(clang_getCursorType(c->cur)) &&
                clang_getCursorType(p->cur).kind == CXType_Pointer) {
                addr = true; /* an array decays */
                continue;
            }
            if (p->kind == CXCursor_UnaryOperator &&
                clang_getCursorUnaryOperatorKind(p->cur) == CXUnaryOperator_AddrOf) {
                addr = true;
                continue;
            }
            return false; /* its value is read (or sizeof) */
        }
        if ((p->kind == CXCursor_ArraySubscriptExpr && base) || (p->kind == CXCursor_MemberRefExpr && base) ||
            (p->kind == CXCursor_UnaryOperator && clang_getCursorUnaryOperatorKind(p->cur) == CXUnaryOperator_Deref)) {
            addr = false; /* p[i], p->m, *p: an lvalue again */
            continue;
        }
        return true;
    }
    return false;
}

static bool refs_escape(Node *n, CXCursor decl) {
    if (n->kind == CXCursor_DeclRefExpr && clang_equalCursors(clang_getCursorReferenced(n->cur), decl) &&
        addr_escapes(n))
        return true;
    for (int i = 0; i < n->nkids; i++)
        if (refs_escape(n->kids[i], decl))
            return true;
    return false;
}

/* Whether a body can be copied into a plain function unchanged. */
static bool copyable(Node *body, Node *n, long long *bytes) {
    switch (n->kind) {
    case CXCursor_VarDecl:
    case CXCursor_ParmDecl: {
        /* a static local: the twin's copy of it would be another object,
           which cannot be told apart only for a constant whose address
           stays inside (static const struct {...} table[] = {...}) */
        if (n->kind == CXCursor_VarDecl && clang_Cursor_getStorageClass(n->cur) == CX_SC_Static) {
            if (!all_const(clang_getCursorType(n->cur)) || refs_escape(body, n->cur))
                return false;
            break;
        }
        if (n->kind == CXCursor_VarDecl && clang_Cursor_getStorageClass(n->cur) == CX_SC_Extern)
            break;
        long long size = clang_Type_getSizeOf(clang_getCursorType(n->cur));
        if (size < 0 || (*bytes += size) >= TWIN_MAX_LOCALS)
            return false;
        break;
    }
    case CXCursor_AddrLabelExpr:
    case CXCursor_IndirectGotoStmt:
        return false;
    default:
        break;
    }
    for (int i = 0; i < n->nkids; i++)
        if (!copyable(body, n->kids[i], bytes))
            return false;
    return true;
}

/* The awaits of a body that run (not those of sizeof operands): their
   callees when direct calls of async functions defined here, else NULL. */
static void collect_awaited(Node *n, Vec *out) {
    if (n->needs_rewrite)
        return; /* sizeof(await f()): never runs */
    if (n->is_await && n->nkids) {
        Node *call = peel(n->kids[0]);
        Fn *g = call->async_callee;
        bool direct = call->kind == CXCursor_CallExpr && !call->ptr_call && !call->marker && g &&
                      g->is_async && !g->is_runtime && g->body;
        vec_push(out, direct ? g : NULL);
    }
    for (int i = 0; i < n->nkids; i++)
        collect_awaited(n->kids[i], out);
}

static void earliest(Fn *f, unsigned at) {
    if (at < f->twin_decl_at)
        f->twin_decl_at = at;
}

bool twin_copyable(Fn *fn) {
    long long bytes = 0;
    for (int k = 0; k < clang_Cursor_getNumArguments(fn->cur); k++) {
        long long size = clang_Type_getSizeOf(clang_getCursorType(clang_Cursor_getArgument(fn->cur, (unsigned)k)));
        bytes += size < 0 ? TWIN_MAX_LOCALS : size;
    }
    return bytes < TWIN_MAX_LOCALS && copyable(fn->body, fn->body, &bytes);
}

void twin_analyse(Unit *u) {
    for (int i = 0; i < u->fns.len; i++)
        ((Fn *)u->fns.items[i])->twin_decl_at = UINT_MAX;
    for (int i = 0; i < u->defs.len; i++) {
        Fn *fn = u->defs.items[i];
        if (!fn->is_async)
            continue;
        earliest(fn, fn->begin);
        if (fn->is_main || !fn->body)
            continue;
        fn->syncable = twin_copyable(fn);
        if (clang_Cursor_isVariadic(fn->cur))
            fn->syncable = false;
        if (fn->syncable)
            collect_awaited(fn->body, &fn->awaited);
    }
    for (int i = 0; i < u->protos.len; i++) {
        Fn *p = u->protos.items[i];
        earliest(fn_of_decl(u, p->cur), p->begin);
    }
    /* the greatest fixed point: out goes each one that awaits anything else */
    bool changed = true;
    while (changed) {
        changed = false;
        for (int i = 0; i < u->defs.len; i++) {
            Fn *fn = u->defs.items[i];
            if (!fn->syncable)
                continue;
            for (int k = 0; k < fn->awaited.len; k++) {
                Fn *g = fn->awaited.items[k];
                if (!g || !g->syncable) {
                    fn->syncable = false;
                    changed = true;
                    break;
                }
            }
        }
    }
}

Fn *twin_callee(Fn *fn, Node *call) {
    Fn *g = call->async_callee;
    if (!fn || call->kind != CXCursor_CallExpr || call->ptr_call || call->marker || !g || !g->syncable)
        return NULL;
    /* only where a file-scope declaration of g (which declares the twin
       too) comes before: not through a block-scope prototype alone */
    return g->twin_decl_at <= fn->begin ? g : NULL;
}

static CXType result_type(Fn *fn) { return clang_getResultType(clang_getCursorType(fn->cur)); }

char *twin_proto(Fn *fn, bool with_names) {
    Buf sig = {0};
    buf_printf(&sig, "%s" ABI_TWIN "(unsigned%s", fn->name, with_names ? " " ABI_BUDGET : "");
    put_arg_params(&sig, fn, with_names, ", ");
    buf_put(&sig, ")");
    char *s = buf_take(&sig);
    char *d = declare(result_type(fn), s);
    char *r = fmt("static %s", d);
    xfree(d);
    xfree(s);
    return r;
}

/*
 *   static T f__acc_sync(unsigned acc__b, P acc__a0, ...) {
 *       <frame-resident locals and the twin's slots, as C variables>
 *       if (!acc__b) { T acc__r = acc__z; acc__run_nested(f__acc(&acc__r, acc__a0, ...)); return acc__r; }
 *       P p = acc__a0; ...          (a parameter whose address is taken: P acc__v_p = acc__a0;)
 *       <the lowered body>
 *   }
 * Each slot is a variable of its own (not one struct): a compiler keeps
 * them in registers, also when the address of one is taken.
 */
/* The parameters of a plain copy of an async body (a twin, a direct
   entry's body) as the body function declares them, from the copy's
   arguments acc__a0, ...: a C local each (or the frame field's stand-in of
   one whose address is taken, which only a twin has). */
void put_param_locals(Buf *b, const Fn *fn) {
    int k = 0;
    for (int i = 0; i < fn->vars.len; i++) {
        Var *v = fn->vars.items[i];
        if (!v->is_param)
            continue;
        char *d = v->resident ? declare_value(decayed_param(v->type), v->field) : param_local(v);
        buf_printf(b, "    %s = " ABI_ARG "%d;\n    (void)%s;\n", d, k++, v->resident ? v->field : v->name);
        xfree(d);
    }
}

void twin_emit(Buf *b, Fn *fn, const char *body, const Vec *temps) {
    CXType rt = result_type(fn);
    bool is_void = rt.kind == CXType_Void;
    int nparams = clang_Cursor_getNumArguments(fn->cur);
    put_func_names(b, fn);
    char *proto = twin_proto(fn, true);
    buf_printf(b, "%s {\n", proto);
    xfree(proto);
    char *z = is_void ? NULL : declare(clang_getUnqualifiedType(rt), ABI_Z);
    if (z)
        buf_printf(b, "    static %s;\n", z);
    for (int i = 0; i < fn->vars.len; i++) {
        Var *v = fn->vars.items[i];
        if (v->in_frame && v->resident && !v->is_param)
            frame_field(b, v);
    }
    for (int i = 0; i < temps->len; i++)
        buf_printf(b, "    %s;\n", (char *)temps->items[i]);
    /* out of budget: the async frame, on a trampoline of its own */
    Buf args = {0};
    if (!is_void)
        buf_put(&args, "&" ABI_R);
    for (int i = 0; i < nparams; i++)
        buf_printf(&args, "%s" ABI_ARG "%d", i || !is_void ? ", " : "", i);
    if (is_void) {
        buf_printf(b, "    if (!" ABI_BUDGET ") {\n        " ABI_RUN_NESTED "(%s" ABI_CTOR "(%s));\n        return;\n    }\n",
                   fn->name, args.data ? args.data : "");
    } else {
        char *r = declare(clang_getUnqualifiedType(rt), ABI_R);
        buf_printf(b,
                   "    if (!" ABI_BUDGET ") {\n        %s = " ABI_Z ";\n        " ABI_RUN_NESTED "(%s" ABI_CTOR "(%s));\n"
                   "        return " ABI_R ";\n    }\n",
                   r, fn->name, args.data);
        xfree(r);
    }
    xfree(args.data);
    put_param_locals(b, fn);
    put_body_end(b, body, is_void);
    xfree(z);
}
