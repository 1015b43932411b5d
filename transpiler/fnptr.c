/*
 * fnptr.c: pointers to async functions.
 *
 * In the parse view of acc.h `async` is a calling convention (clang's
 * preserve_most), so it is part of the function TYPE: libclang follows it
 * through typedefs, pointers, arrays, struct members, parameters, returns
 * and casts, and clang itself refuses to convert such a pointer implicitly
 * to a plain one.  `async T (*p)(P)` is a pointer to an async function;
 * `async T (*f(int))(P)` declares an async f returning a plain pointer (the
 * attribute goes to the declared function), so a plain function returning
 * an async pointer names a typedef: `typedef async T op(P); op *pick(int);`.
 *
 * In the C view `async` is erased: every declaration keeps its erased type
 * (`int (*)(int)`) byte for byte, in headers too, so layouts and types agree
 * between .ac files, headers and plain C.  The value such a pointer holds is
 * the async function's constructor, converted through `void (*)(void)`:
 *
 *   p = f            =>  p = ((int (*)(int))(void (*)(void))f__acc)
 *   await p(x)       =>  acc__await(..., ((acc__frame *(*)(int *, int))(void (*)(void))(p))(&slot, x))
 *
 * C allows converting a function pointer to another function pointer type
 * and back; the call always goes through the constructor's own type.
 * Conversions between async and plain function pointer types are what this
 * file refuses, with a location (clang refuses the implicit ones itself; its
 * message is reworded in diag.c).
 */
#include "abi.h"
#include "accc.h"

#include <stdint.h>
#include <string.h>


static bool is_fn(CXType t) {
    return t.kind == CXType_FunctionProto || t.kind == CXType_FunctionNoProto;
}

bool fnptr_type_async(CXType fn) {
    fn = clang_getCanonicalType(fn);
    return is_fn(fn) && clang_getFunctionTypeCallingConv(fn) == CXCallingConv_PreserveMost;
}

/* The function type t points to (or is), canonical; kind Invalid when none. */
static CXType fn_type_of(CXType t) {
    t = clang_getCanonicalType(t);
    if (t.kind == CXType_Pointer)
        t = clang_getCanonicalType(clang_getPointeeType(t));
    if (is_fn(t))
        return t;
    CXType none = {CXType_Invalid, {NULL, NULL}};
    return none;
}

int fnptr_kind(CXType t) {
    t = clang_getCanonicalType(t);
    for (;;) {
        if (t.kind == CXType_Pointer)
            t = clang_getCanonicalType(clang_getPointeeType(t));
        else if (t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray ||
                 t.kind == CXType_VariableArray)
            t = clang_getCanonicalType(clang_getArrayElementType(t));
        else
            break;
    }
    if (!is_fn(t))
        return 0;
    return fnptr_type_async(t) ? 2 : 1;
}

bool fnptr_is_async_ptr(CXType t) {
    CXType f = fn_type_of(t);
    return f.kind != CXType_Invalid && fnptr_type_async(f);
}

bool fnptr_is_async_decl(CXCursor c) { return fnptr_type_async(clang_getCursorType(c)); }

char *fnptr_designator(Node *n) {
    CXType ft = fn_type_of(clang_getCursorType(n->cur));
    char *erased = declare(ft, "(*)");
    char *r = fmt("((%s)(void (*)(void))%s" ABI_CTOR ")", erased, n->fnref->name);
    xfree(erased);
    return r;
}

char *fnptr_callee(Node *call, const char *callee_text) {
    CXType ft = fn_type_of(clang_getCursorType(call->kids[0]->cur));
    Buf b = {0};
    buf_put(&b, "((" ABI_FRAME " *(*)(");
    const char *sep = "";
    CXType rt = clang_getResultType(ft);
    if (rt.kind != CXType_Void) {
        char *d = declare(rt, "*");
        buf_put(&b, d);
        xfree(d);
        sep = ", ";
    }
    int n = ft.kind == CXType_FunctionProto ? clang_getNumArgTypes(ft) : 0;
    for (int i = 0; i < n; i++) {
        char *d = declare(clang_getArgType(ft, (unsigned)i), "");
        buf_printf(&b, "%s%s", sep, d);
        sep = ", ";
        xfree(d);
    }
    if (!*sep)
        buf_put(&b, "void");
    buf_printf(&b, "))(void (*)(void))(%s))", callee_text);
    return buf_take(&b);
}

/* An async function named as a value (not the callee of a direct call):
   the node to rewrite is `&f` when the address is taken, else `f`. */
static void mark_designator(Unit *u, Node *n) {
    CXCursor ref = clang_getCursorReferenced(n->cur);
    if (clang_getCursorKind(ref) != CXCursor_FunctionDecl)
        return;
    Fn *f = fn_of_decl(u, ref);
    if (!f->is_async || f->marker)
        return;
    Node *child = n, *p = n->parent;
    while (p && (p->kind == CXCursor_UnexposedExpr || p->kind == CXCursor_ParenExpr)) {
        child = p;
        p = p->parent;
    }
    if (p && p->kind == CXCursor_CallExpr && p->nkids && p->kids[0] == child && p->async_callee)
        return; /* f(x): the call becomes the constructor's */
    Node *target = n;
    if (p && p->kind == CXCursor_UnaryOperator &&
        clang_getCursorUnaryOperatorKind(p->cur) == CXUnaryOperator_AddrOf)
        target = p;
    if (!n->faithful || !target->in_main) {
        error_at(&u->src, n->begin,
                 "async function '%s' is named as a pointer inside the body of a macro; "
                 "pass it to the macro as an argument",
                 f->name);
        return;
    }
    target->fnref = f;
}

static char *type_words(CXType t, int kind) {
    char *d = declare(t, "");
    char *r = fmt("'%s%s'", kind == 2 ? "async " : "", d);
    xfree(d);
    return r;
}

/* A conversion (implicit or a cast) between async and plain function types. */
static void check_conversion(Unit *u, Node *n) {
    if (!n->nkids)
        return;
    Node *from = n->kids[n->nkids - 1];
    if (!is_kind_expr(from->kind))
        return;
    CXType tt = clang_getCursorType(n->cur);
    int tk = fnptr_kind(tt);
    if (!tk)
        return; /* (most conversions: no function type, nothing more to ask) */
    CXType ft = clang_getCursorType(from->cur);
    int fk = fnptr_kind(ft);
    if (!fk || tk == fk)
        return;
    char *a = type_words(ft, fk), *b = type_words(tt, tk);
    Node *name = peel(from);
    if (name && name->kind == CXCursor_UnaryOperator && name->nkids)
        name = peel(name->kids[0]);
    if (fk == 2 && name && name->kind == CXCursor_DeclRefExpr &&
        clang_getCursorKind(clang_getCursorReferenced(name->cur)) == CXCursor_FunctionDecl) {
        char *s = str_dispose(clang_getCursorSpelling(name->cur));
        xfree(a);
        a = fmt("async function '%s'", s);
        xfree(s);
    }
    error_at(&u->src, n->in_main ? n->begin : from->begin,
             "cannot convert %s to %s (async and plain function pointers do not convert: an "
             "async function is called through its constructor)",
             a, b);
    xfree(a);
    xfree(b);
}

/* A call through a pointer whose type the constructor's cannot be made from. */
static void check_ptr_call(Unit *u, Node *n) {
    CXType ft = fn_type_of(clang_getCursorType(n->kids[0]->cur));
    const char *why = ft.kind == CXType_FunctionNoProto ? "has no prototype"
                      : clang_isFunctionTypeVariadic(ft) ? "is variadic"
                                                         : NULL;
    if (why)
        error_at(&u->src, n->kids[0]->in_main ? n->kids[0]->begin : n->begin,
                 "the async function type called through this pointer %s", why);
}

void fnptr_check_node(Unit *u, Node *n) {
    switch (n->kind) {
    case CXCursor_CallExpr:
        if (n->ptr_call)
            check_ptr_call(u, n);
        return;
    case CXCursor_DeclRefExpr:
        mark_designator(u, n);
        break;
    case CXCursor_UnexposedExpr:
    case CXCursor_CStyleCastExpr:
        break;
    default:
        return;
    }
    if (n->kind != CXCursor_DeclRefExpr)
        check_conversion(u, n);
}

static void check_tree(Unit *u, Node *n) {
    for (int i = 0; i < n->nkids; i++)
        check_tree(u, n->kids[i]);
    fnptr_check_node(u, n);
}

/* A file-scope variable: its initializer may name async functions (an async
   vtable, a handler table) or convert them. */
void fnptr_file_scope(Unit *u, CXCursor decl) {
    Node *n = fnptr_build(u, decl);
    if (!n->in_main || !n->nkids || !is_kind_expr(n->kids[n->nkids - 1]->kind))
        return;
    check_tree(u, n);
    vec_push(&u->globals, n);
}

/* The first top-level declaration of the main file that spells `async`. */
void fnptr_note_async_word(Unit *u, CXCursor c) {
    if (u->has_async_decl)
        return;
    CXSourceRange r = clang_getCursorExtent(c);
    CXFile fb, fe;
    unsigned b, e;
    clang_getFileLocation(clang_getRangeStart(r), &fb, NULL, NULL, &b);
    clang_getFileLocation(clang_getRangeEnd(r), &fe, NULL, NULL, &e);
    if (!fb || !fe || !clang_File_isEqual(fb, u->src.file) || !clang_File_isEqual(fe, u->src.file) ||
        e < b || e > u->src.len)
        return;
    if (first_async_word(u, b) < e) {
        u->has_async_decl = true;
        u->async_decl_at = b;
    }
}

char *fnptr_clang_message(char *msg) {
    static const char cc[] = " __attribute__((preserve_most))";
    bool had = false;
    Buf b = {0};
    for (const char *p = msg; *p;) {
        const char *q = strstr(p, cc);
        if (!q) {
            buf_put(&b, p);
            break;
        }
        buf_putn(&b, p, (size_t)(q - p));
        p = q + sizeof cc - 1;
        had = true;
    }
    if (had && strncmp(msg, "incompatible function pointer types", 35) == 0)
        buf_put(&b, " (async and plain function pointers do not convert: an async function "
                    "is called through its constructor)");
    xfree(msg);
    return buf_take(&b);
}

static bool within(unsigned off, unsigned b, unsigned e) { return off >= b && off < e; }

/* Whether the output keeps an `async` of the input: one outside the heads of
   the async functions and prototypes acc rewrites (a typedef, a pointer, a
   struct member, a cast, a local).  The C view must then erase the keyword. */
static bool is_kept_async(Unit *u, unsigned off) {
    for (int k = 0; k < u->nskipped; k++)
        if (within(off, u->skipped[2 * k], u->skipped[2 * k + 1]))
            return false;
    for (int k = 0; k < u->defs.len; k++) {
        Fn *f = u->defs.items[k];
        if (f->is_async && f->body && within(off, f->begin, f->body->begin))
            return false;
    }
    for (int k = 0; k < u->protos.len; k++) {
        Fn *f = u->protos.items[k];
        if (within(off, f->begin, f->end))
            return false;
    }
    for (int k = 0; k < u->inner_protos.len; k++) {
        Node *d = u->inner_protos.items[k];
        if (within(off, d->begin, d->end))
            return false;
    }
    return true;
}

bool fnptr_output_spells_async(Unit *u) {
    for (int i = 0; i < u->async_words.len; i++)
        if (is_kept_async(u, (unsigned)(uintptr_t)u->async_words.items[i]))
            return true;
    return false;
}
