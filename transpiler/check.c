/*
 * check.c: the second stage.  Finds every misuse of async and await that C
 * itself would accept (the parse view makes `await` an ordinary unary
 * operator and `async` an attribute) and reports each at the token a reader
 * should look at.  Later stages may assume what is checked here.
 */
#include "abi.h"
#include "accc.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    Unit *u;
    Fn *fn;           /* the function being checked */
    int unevaluated;  /* depth of sizeof/_Alignof operands */
} Check;

const char *marker_name(int marker) {
    switch (marker) {
    case MARK_RUN: return "acc_run";
    case MARK_SPAWN: return "acc_spawn";
    case MARK_RUC: return "acc_loop_run_until_complete";
    case MARK_GATHER: return "acc_gather";
    case MARK_WAIT_FOR: return "acc_wait_for";
    case MARK_TG_SPAWN: return "acc_task_group_spawn";
    case MARK_SPAWN_EAGER: return "acc_spawn_eager";
    case MARK_RCT: return "acc_run_coroutine_threadsafe";
    default: return "?";
    }
}

static bool is_async_call(Node *n) {
    return n && n->kind == CXCursor_CallExpr &&
           (n->async_callee || n->ptr_call || n->marker == MARK_GATHER || n->marker == MARK_WAIT_FOR);
}

/* The async call of a coroutine expression `f(x)` or `v = f(x)`, or NULL. */
static Node *coro_call(Node *e) {
    Node *p = peel(e);
    if (is_async_call(p))
        return p;
    if (p && p->kind == CXCursor_BinaryOperator &&
        clang_getCursorBinaryOperatorKind(p->cur) == CXBinaryOperator_Assign && p->nkids == 2 &&
        is_async_call(peel(p->kids[1])))
        return peel(p->kids[1]);
    return NULL;
}

/* The coroutine operands of acc_run, acc_spawn, acc_gather, ... (before
   the walk reaches them: check_call asks whether a call is one). */
static void mark_coros(Check *ck, Node *n) {
    {
        Node **coros;
        int nc = marker_coros(n, &coros);
        for (int i = 0; i < nc; i++) {
            Node *call = coro_call(coros[i]);
            if (!call) {
                error_at(&ck->u->src, coros[i]->begin,
                         "operand of '%s' must be a call of an async function",
                         marker_name(n->marker));
                continue;
            }
            call->coro_operand = true;
            peel(coros[i])->coro_operand = true;
        }
        xfree(coros);
    }
}

static void check_await(Check *ck, Node *n) {
    const Source *src = &ck->u->src;
    Node *op = n->nkids ? peel(n->kids[0]) : NULL;
    if (is_async_call(op))
        op->awaited = true; /* whatever is wrong here, the call is not unawaited */
    if (!ck->fn->is_async) {
        error_at(src, n->begin, "'await' outside an async function");
        return;
    }
    if (ck->unevaluated)
        return; /* sizeof(await f()): f's type, nothing runs (lower.c) */
    if (is_async_call(op))
        return;
    if (op && op->kind == CXCursor_MemberRefExpr && op->nkids &&
        is_async_call(peel(op->kids[0]))) {
        Node *call = peel(op->kids[0]);
        char *whole = node_text(ck->u, op);
        char *callt = node_text(ck->u, call);
        char *rest = xstrndup(src->text + call->end, op->end - call->end);
        error_at(src, n->begin,
                 "'await' applies to '%s', which is not an async call; did you mean "
                 "'(await %s)%s'?",
                 whole, callt, rest);
        return;
    }
    error_at(src, n->begin, "'await' needs a call of an async function");
}

static void check_call(Check *ck, Node *n) {
    const Source *src = &ck->u->src;
    if (is_async_call(n) && !n->awaited && !n->coro_operand) {
        Node *ref = call_callee_ref(n);
        if (n->ptr_call) {
            char *callee = node_text(ck->u, n->kids[0]);
            error_at(src, n->kids[0]->in_main ? n->kids[0]->begin : n->begin,
                     "call through async function pointer '%s' is not awaited", callee);
            xfree(callee);
        } else {
            const char *name = n->async_callee ? n->async_callee->name : marker_name(n->marker);
            error_at(src, ref && ref->in_main ? ref->begin : n->begin,
                     "call to async function '%s' is not awaited", name);
        }
    }
    if (ck->fn->is_async) {
        CXCursor callee = clang_getCursorReferenced(n->cur);
        char *name = str_dispose(clang_getCursorSpelling(callee));
        if (strcmp(name, "alloca") == 0 || strcmp(name, "__builtin_alloca") == 0)
            error_at(src, n->begin, "alloca in async function '%s'", ck->fn->name);
        xfree(name);
    }
}

static void check_node(Check *ck, Node *n) {
    const Source *src = &ck->u->src;
    if (n->marker)
        mark_coros(ck, n);
    if (n->is_await)
        check_await(ck, n);
    switch (n->kind) {
    case CXCursor_CallExpr:
        fnptr_check_node(ck->u, n);
        break; /* the rest after the children: awaits mark their operands first */
    case CXCursor_DeclRefExpr:
    case CXCursor_UnexposedExpr:
    case CXCursor_CStyleCastExpr:
        fnptr_check_node(ck->u, n);
        break;
    case CXCursor_VarDecl:
        if (ck->fn->is_async && clang_getCursorType(n->cur).kind == CXType_VariableArray) {
            char *name = str_dispose(clang_getCursorSpelling(n->cur));
            error_at(src, cursor_offset(ck->u, n->cur),
                     "variable-length array '%s' in async function '%s'", name, ck->fn->name);
            xfree(name);
        }
        break;
    case CXCursor_FunctionDecl: {
        Fn *f = fn_of_decl(ck->u, n->cur);
        if (f->is_async)
            n->inner_proto = f;
        break;
    }
    default:
        break;
    }
    bool uneval = n->kind == CXCursor_UnaryExpr; /* sizeof, _Alignof */
    ck->unevaluated += uneval;
    for (int i = 0; i < n->nkids; i++)
        check_node(ck, n->kids[i]);
    ck->unevaluated -= uneval;
    if (n->kind == CXCursor_CallExpr)
        check_call(ck, n);
    /* (after the children: a designator marks its `&` parent) */
    if (n->async_callee || n->fnref || n->inner_proto)
        vec_push(&ck->fn->named, n);
}

static int by_seq(const void *a, const void *b) {
    const Node *x = *(Node *const *)a, *y = *(Node *const *)b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The `...` of a variadic async function. */
static void check_variadic(Unit *u, Fn *fn) {
    CXType t = clang_getCursorType(fn->cur);
    if (t.kind != CXType_FunctionProto || !clang_isFunctionTypeVariadic(t))
        return;
    Tokens ts = tokens_in(u, fn->begin, fn->end);
    unsigned off = fn->begin;
    for (unsigned i = 0; i < ts.n; i++) {
        unsigned at = token_offset(u, ts.t[i]);
        CXString s = clang_getTokenSpelling(u->tu, ts.t[i]);
        bool dots = strcmp(clang_getCString(s), "...") == 0;
        clang_disposeString(s);
        if (dots) {
            off = at;
            break;
        }
    }
    tokens_dispose(u, &ts);
    error_at(&u->src, off, "async function '%s' cannot be variadic", fn->name);
}

/* `async` on a variable or a struct member: it specifies functions only. */
static void check_async_object(Unit *u, CXCursor c, enum CXCursorKind k, bool found, unsigned off) {
    /* a pointer to an async function, or an array of them (fnptr.c) */
    if (!found || fnptr_kind(clang_getCursorType(c)) == 2)
        return;
    char *name = str_dispose(clang_getCursorSpelling(c));
    error_at(&u->src, off, "'async' applies to functions, not to %s '%s'",
             k == CXCursor_FieldDecl ? "the member" : "the variable", name);
    xfree(name);
}

/* The same inside the body of the definition def: the declarations parse
   found saying `async` (Unit.async_objects, in tree order). */
static void async_objects_in(Unit *u, Node *def) {
    for (int i = 0; i < u->async_objects.len; i++) {
        Node *n = u->async_objects.items[i];
        if (n->seq < def->seq || n->seq >= def->seq_end)
            continue;
        unsigned off;
        CXFile f;
        clang_getFileLocation(clang_getCursorLocation(n->cur), &f, NULL, NULL, &off);
        if (f && clang_File_isEqual(f, u->src.file))
            check_async_object(u, n->cur, n->kind, true, off);
    }
}

static enum CXChildVisitResult has_async_visit(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    if (clang_getCursorKind(c) == CXCursor_AnnotateAttr) {
        char *s = str_dispose(clang_getCursorSpelling(c));
        if (strcmp(s, ABI_ANNOT_ASYNC) == 0)
            *(bool *)data = true;
        xfree(s);
    }
    return CXChildVisit_Continue;
}

static enum CXChildVisitResult async_object_visit(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    Unit *u = data;
    enum CXCursorKind k = clang_getCursorKind(c);
    unsigned off;
    CXFile f;
    clang_getFileLocation(clang_getCursorLocation(c), &f, NULL, NULL, &off);
    if (!f || !clang_File_isEqual(f, u->src.file))
        return CXChildVisit_Continue;
    if (k == CXCursor_VarDecl || k == CXCursor_FieldDecl) {
        bool found = false;
        clang_visitChildren(c, has_async_visit, &found);
        check_async_object(u, c, k, found, off);
        return CXChildVisit_Continue;
    }
    if (k == CXCursor_FunctionDecl && clang_isCursorDefinition(c)) {
        Fn *fn = fn_of_decl(u, c);
        if (fn->def) { /* parse built its tree: no second visit of libclang's */
            async_objects_in(u, fn->def);
            return CXChildVisit_Continue;
        }
    }
    return CXChildVisit_Recurse;
}

/* async main returns int: its value is the exit status. */
static void check_main(Unit *u, Fn *fn) {
    if (!fn->is_async || strcmp(fn->name, "main") != 0)
        return;
    CXType rt = clang_getCanonicalType(clang_getResultType(clang_getCursorType(fn->cur)));
    if (rt.kind != CXType_Int)
        error_at(&u->src, cursor_offset(u, fn->cur),
                 "async main must return int (its value is the exit status)");
}

void check_unit(Unit *u) {
    clang_visitChildren(clang_getTranslationUnitCursor(u->tu), async_object_visit, u);
    for (int i = 0; i < u->protos.len; i++) {
        check_variadic(u, u->protos.items[i]);
        check_main(u, u->protos.items[i]);
    }
    for (int i = 0; i < u->defs.len; i++) {
        Fn *fn = u->defs.items[i];
        if (fn->is_async) {
            check_variadic(u, fn);
            check_main(u, fn);
        }
        Check ck = {.u = u, .fn = fn};
        check_node(&ck, fn->body);
        if (fn->named.len > 1) /* in tree order */
            qsort(fn->named.items, (size_t)fn->named.len, sizeof *fn->named.items, by_seq);
    }
}
