/*
 * macro.c: acc's macro policy.  What the user spelled in the file is copied
 * as written, macro uses included, and the C compiler expands them again.
 * Only where a macro's expansion holds something acc must change (an
 * await, a variable that lives in the frame) is the macro use written out
 * expanded: the expression or statement is printed from libclang's tree,
 * which is the code after preprocessing, with acc's replacements put in at
 * the nodes they belong to.  Each node of the tree is its own place, so an
 * argument that a macro expands twice gives two awaits, each lowered.
 *
 *   #define TWICE(x) ((x) + (x))
 *   TWICE(await f())      =>  ((acc__f->acc__t0) + (acc__f->acc__t1))
 */
#include "accc.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    Unit *u;
    Fn *fn;
    char *(*sub)(void *ctx, Node *n);
    void *ctx;
    Buf *out;
    bool failed;
} Printer;

static void print(Printer *p, Node *n);

static void fail(Printer *p, Node *n) {
    if (!p->failed)
        error_at(&p->u->src, n->begin,
                 "cannot write out this macro's expansion (it holds an await or a local that "
                 "lives in the frame); write the expression without the macro");
    p->failed = true;
}

static void put_spelling(Printer *p, CXCursor c) {
    char *s = str_dispose(clang_getCursorSpelling(c));
    buf_put(p->out, s);
    xfree(s);
}

static const char *int_suffix(CXType t) {
    switch (clang_getCanonicalType(t).kind) {
    case CXType_UInt: return "u";
    case CXType_Long: return "l";
    case CXType_ULong: return "ul";
    case CXType_LongLong: return "ll";
    case CXType_ULongLong: return "ull";
    default: return "";
    }
}

/* A constant (a literal, sizeof) by its value: the tokens of a macro's
   body are not in the file.  false when libclang cannot evaluate it. */
static bool print_constant(Printer *p, Node *n) {
    CXEvalResult r = clang_Cursor_Evaluate(n->cur);
    if (!r)
        return false;
    bool ok = true;
    CXType t = clang_getCursorType(n->cur);
    switch (clang_EvalResult_getKind(r)) {
    case CXEval_Int:
        if (n->kind == CXCursor_IntegerLiteral && clang_EvalResult_isUnsignedInt(r))
            buf_printf(p->out, "%lluu%s", clang_EvalResult_getAsUnsigned(r),
                       int_suffix(t) + (*int_suffix(t) == 'u'));
        else if (n->kind == CXCursor_IntegerLiteral)
            buf_printf(p->out, "%lld%s", clang_EvalResult_getAsLongLong(r), int_suffix(t));
        else {
            char *ty = declare(t, "");
            buf_printf(p->out, "((%s)%lld%s)", ty, clang_EvalResult_getAsLongLong(r),
                       clang_EvalResult_isUnsignedInt(r) ? "u" : "");
            xfree(ty);
        }
        break;
    case CXEval_Float: {
        enum CXTypeKind k = clang_getCanonicalType(t).kind;
        buf_printf(p->out, "%a%s", clang_EvalResult_getAsDouble(r),
                   k == CXType_Float ? "f" : k == CXType_LongDouble ? "l" : "");
        break;
    }
    default:
        ok = false;
        break;
    }
    clang_EvalResult_dispose(r);
    return ok;
}

static void print_kids(Printer *p, Node *n, int from, const char *sep) {
    for (int i = from; i < n->nkids; i++) {
        if (i > from)
            buf_put(p->out, sep);
        print(p, n->kids[i]);
    }
}

static Node *last_expr(Node *n) {
    for (int i = n->nkids - 1; i >= 0; i--)
        if (is_kind_expr(n->kids[i]->kind))
            return n->kids[i];
    return NULL;
}

static void print_type(Printer *p, CXType t) {
    char *s = declare(t, "");
    buf_put(p->out, s);
    xfree(s);
}

static void print_binary(Printer *p, Node *n) {
    if (n->nkids != 2)
        return fail(p, n);
    char *op = str_dispose(clang_getBinaryOperatorKindSpelling(clang_getCursorBinaryOperatorKind(n->cur)));
    print(p, n->kids[0]);
    buf_printf(p->out, " %s ", op);
    print(p, n->kids[1]);
    xfree(op);
}

static void print_unary(Printer *p, Node *n) {
    enum CXUnaryOperatorKind k = clang_getCursorUnaryOperatorKind(n->cur);
    Node *e = last_expr(n);
    if (!e)
        return fail(p, n);
    if (k == CXUnaryOperator_Extension) { /* GNU __extension__: the operand */
        print(p, e);
        return;
    }
    char *op = str_dispose(clang_getUnaryOperatorKindSpelling(k));
    bool post = k == CXUnaryOperator_PostInc || k == CXUnaryOperator_PostDec;
    if (!post)
        buf_put(p->out, op);
    buf_put(p->out, "(");
    print(p, e);
    buf_put(p->out, ")");
    if (post)
        buf_put(p->out, op);
    xfree(op);
}

static void print_call(Printer *p, Node *n) {
    Node **args;
    int nargs = call_args(n, &args);
    if (n->nkids - nargs != 1)
        return fail(p, n);
    print(p, n->kids[0]);
    buf_put(p->out, "(");
    for (int i = 0; i < nargs; i++) {
        if (i)
            buf_put(p->out, ", ");
        print(p, args[i]);
    }
    buf_put(p->out, ")");
}

static void print_member(Printer *p, Node *n) {
    if (n->nkids != 1)
        return fail(p, n);
    print(p, n->kids[0]);
    bool arrow = clang_getCanonicalType(clang_getCursorType(n->kids[0]->cur)).kind == CXType_Pointer;
    buf_put(p->out, arrow ? "->" : ".");
    put_spelling(p, n->cur);
}

/* T v = E, as the declaration of one variable (each declarator its own). */
static void print_var(Printer *p, Node *n) {
    CXType t = clang_getCursorType(n->cur);
    char *name = str_dispose(clang_getCursorSpelling(n->cur));
    enum CX_StorageClass sc = clang_Cursor_getStorageClass(n->cur);
    if (sc == CX_SC_Static)
        buf_put(p->out, "static ");
    else if (sc == CX_SC_Extern)
        buf_put(p->out, "extern ");
    char *d = declare(t, name);
    buf_put(p->out, d);
    Node *init = last_expr(n);
    CXCursor ic = clang_Cursor_getVarDeclInitializer(n->cur);
    if (init && !clang_Cursor_isNull(ic)) {
        buf_put(p->out, " = ");
        print(p, init);
    } else if (n->var && n->var->in_frame && !n->var->resident && !n->var->is_static) {
        buf_put(p->out, " = {0}");
    }
    buf_put(p->out, "; ");
    xfree(d);
    xfree(name);
}

static void print(Printer *p, Node *n) {
    char *s = p->sub(p->ctx, n);
    if (s) {
        buf_put(p->out, s);
        xfree(s);
        return;
    }
    switch (n->kind) {
    case CXCursor_ParenExpr:
        buf_put(p->out, "(");
        print_kids(p, n, 0, "");
        buf_put(p->out, ")");
        return;
    case CXCursor_UnexposedExpr:
        if (n->nkids == 1)
            print(p, n->kids[0]);
        else
            fail(p, n);
        return;
    case CXCursor_IntegerLiteral:
    case CXCursor_FloatingLiteral:
    case CXCursor_CharacterLiteral:
    case CXCursor_UnaryExpr: /* sizeof, _Alignof: constants (no VLA here) */
        if (!print_constant(p, n))
            fail(p, n);
        return;
    case CXCursor_StringLiteral:
        if (n->is_func_name && p->fn)
            buf_printf(p->out, "\"%s\"", p->fn->name);
        else
            put_spelling(p, n->cur);
        return;
    case CXCursor_DeclRefExpr:
        put_spelling(p, n->cur);
        return;
    case CXCursor_BinaryOperator:
    case CXCursor_CompoundAssignOperator:
        print_binary(p, n);
        return;
    case CXCursor_UnaryOperator:
        print_unary(p, n);
        return;
    case CXCursor_CallExpr:
        print_call(p, n);
        return;
    case CXCursor_MemberRefExpr:
        print_member(p, n);
        return;
    case CXCursor_ArraySubscriptExpr:
        if (n->nkids != 2)
            return fail(p, n);
        print(p, n->kids[0]);
        buf_put(p->out, "[");
        print(p, n->kids[1]);
        buf_put(p->out, "]");
        return;
    case CXCursor_ConditionalOperator:
        if (n->nkids != 3)
            return fail(p, n);
        print(p, n->kids[0]);
        buf_put(p->out, " ? ");
        print(p, n->kids[1]);
        buf_put(p->out, " : ");
        print(p, n->kids[2]);
        return;
    case CXCursor_CStyleCastExpr:
        if (!last_expr(n))
            return fail(p, n);
        buf_put(p->out, "(");
        print_type(p, clang_getCursorType(n->cur));
        buf_put(p->out, ")(");
        print(p, last_expr(n));
        buf_put(p->out, ")");
        return;
    case CXCursor_CompoundLiteralExpr:
        if (!last_expr(n))
            return fail(p, n);
        buf_put(p->out, "(");
        print_type(p, clang_getCursorType(n->cur));
        buf_put(p->out, ")");
        print(p, last_expr(n));
        return;
    case CXCursor_GenericSelectionExpr:
        if (!n->selected)
            return fail(p, n);
        buf_put(p->out, "(");
        print(p, n->selected);
        buf_put(p->out, ")");
        return;
    case CXCursor_InitListExpr:
        buf_put(p->out, "{");
        print_kids(p, n, 0, ", ");
        buf_put(p->out, "}");
        return;
    case CXCursor_DeclStmt:
        for (int i = 0; i < n->nkids; i++) {
            if (n->kids[i]->kind == CXCursor_VarDecl)
                print_var(p, n->kids[i]);
            else
                return fail(p, n->kids[i]);
        }
        return;
    default:
        fail(p, n);
        return;
    }
}

char *print_expanded(Unit *u, Fn *fn, Node *n, char *(*sub)(void *ctx, Node *n), void *ctx) {
    Buf b = {0};
    Printer p = {u, fn, sub, ctx, &b, false};
    print(&p, n);
    return buf_take(&b);
}
