/*
 * lower_expr.c: expressions.  lower_expr collects the replacements of an
 * expression (a rep list, edit.c) and writes, before the statement that
 * holds it, the statements its awaits need.  Operands left of an await are
 * evaluated first into frame slots (C leaves the order open; acc fixes it
 * left to right); &&, || and ?: with an await become if statements, so
 * that an await in a branch not taken never runs.
 */
#include "lower.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void name_callees(Node *n, Buf *b) {
    if (n->async_callee && !n->async_callee->is_runtime)
        buf_printf(b, " + 0 * sizeof(&%s" ABI_CTOR ")", n->async_callee->name);
    for (int i = 0; i < n->nkids; i++)
        name_callees(n->kids[i], b);
}

/* sizeof(await f()), _Alignof(...): the operand has f's type and is never
   evaluated, so nothing runs; the expression is written as its value.
     sizeof(await f())  =>  ((unsigned long)(8 + 0 * sizeof(&f__acc))) */
static char *unevaluated_text(Lower *L, Node *n) {
    CXEvalResult r = clang_Cursor_Evaluate(n->cur);
    if (!r || clang_EvalResult_getKind(r) != CXEval_Int) {
        if (r)
            clang_EvalResult_dispose(r);
        error_at(&L->u->src, n->begin, "cannot compute this sizeof of an await");
        return xstrdup("0");
    }
    char *ty = declare(clang_getCursorType(n->cur), "");
    Buf b = {0};
    buf_printf(&b, "((%s)(%llu", ty, clang_EvalResult_getAsUnsigned(r));
    name_callees(n, &b); /* a static callee stays used, as in C */
    buf_put(&b, "))");
    clang_EvalResult_dispose(r);
    xfree(ty);
    return buf_take(&b);
}

static void lower_expr(Lower *L, Node *n, Vec *reps);
static void discard(Lower *L, Node *n);
static char *coro_text(Lower *L, Node *coro);

static bool is_binop(Node *n, enum CXBinaryOperatorKind k) {
    return n->kind == CXCursor_BinaryOperator && clang_getCursorBinaryOperatorKind(n->cur) == k;
}

static bool is_assign(Node *n) {
    if (n->kind != CXCursor_BinaryOperator && n->kind != CXCursor_CompoundAssignOperator)
        return false;
    enum CXBinaryOperatorKind k = clang_getCursorBinaryOperatorKind(n->cur);
    return k >= CXBinaryOperator_Assign && k <= CXBinaryOperator_OrAssign;
}

bool is_array_type(CXType t) {
    t = clang_getCanonicalType(t);
    return t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray;
}

/* A value that needs no slot to be evaluated early: it cannot change. */
static bool is_constant(Node *n) {
    n = peel(n);
    switch (n->kind) {
    case CXCursor_IntegerLiteral:
    case CXCursor_FloatingLiteral:
    case CXCursor_CharacterLiteral:
    case CXCursor_StringLiteral:
    case CXCursor_UnaryExpr:
        return true;
    case CXCursor_DeclRefExpr: {
        /* a function, an enum constant, an array (its address: no VLA here) */
        enum CXCursorKind k = clang_getCursorKind(clang_getCursorReferenced(n->cur));
        return k == CXCursor_FunctionDecl || k == CXCursor_EnumConstantDecl ||
               is_array_type(clang_getCursorType(n->cur));
    }
    default:
        return false;
    }
}

/* The lvalue of a variable that lives in its field:
     typed field:  acc__f->acc__v_x
     bytes field:  (*(T (*))(void *)acc__f->acc__v_x)   (T declared in the body) */
char *resident_ref(Lower *L, Var *v) {
    char *field = slot_ref(L, v->field);
    if (!v->bytes)
        return field;
    char *ptr = declare(v->type, "(*)");
    char *r = fmt("(*(%s)(void *)%s)", ptr, field);
    xfree(ptr);
    xfree(field);
    return r;
}

/* A leaf rewrite: a local in the frame, __func__. NULL when none. */
static char *leaf_text(Lower *L, Node *n) {
    if (n->kind == CXCursor_DeclRefExpr && n->var && n->var->resident) {
        return resident_ref(L, n->var);
    }
    if (n->kind == CXCursor_TypeRef && L->fn && n->faithful) {
        const char *tag = alias_tag(clang_getCursorReferenced(n->cur));
        if (tag)
            return xstrdup(tag);
    }
    if (n->is_func_name && n->faithful && L->fn)
        return fmt("\"%s\"", L->fn->name);
    if (n->fnref)
        return fnptr_designator(n);
    return NULL;
}

/* Evaluates items left to right; items before the last await go to slots.
   coro_mask marks the items that are coroutine expressions. */
static char **eval_items(Lower *L, Node **items, int n, const bool *is_coro) {
    char **texts = xcalloc((size_t)n + 1, sizeof *texts);
    int last = -1;
    for (int i = 0; i < n; i++)
        if (items[i]->has_await)
            last = i;
    for (int i = 0; i < n; i++) {
        texts[i] = is_coro && is_coro[i] ? coro_text(L, items[i]) : expr_text(L, items[i]);
        if (i < last && (is_coro && is_coro[i] ? true
                                               : !is_constant(items[i]) && !peel(items[i])->is_await)) {
            char *slot = is_coro && is_coro[i]
                             ? temp_decl(L, ABI_FRAME " *")
                             : temp_of_type(L, clang_getCursorType(items[i]->cur), items[i]->begin);
            putf(L, "%s = %s; ", slot, texts[i]);
            texts[i] = slot;
        }
    }
    return texts;
}

/* The operands of a call of an async function or of acc_gather/acc_wait_for,
   evaluated left to right (earlier ones into slots); returns how many. */
static int call_operands(Lower *L, Node *call, char ***texts_out) {
    Node **args, **coros = NULL;
    int nargs = call_args(call, &args), nc = call->marker ? marker_coros(call, &coros) : 0;
    Node **items = xcalloc((size_t)(nargs + nc + 2), sizeof *items);
    bool *is_coro = xcalloc((size_t)(nargs + nc + 2), sizeof *is_coro);
    int n = 0;
    if (call->marker) {
        Node *extra = marker_extra_arg(call);
        if ((call->marker == MARK_RUC || call->marker == MARK_TG_SPAWN || call->marker == MARK_RCT) &&
            extra)
            items[n++] = extra;
        for (int i = 0; i < nc; i++) {
            is_coro[n] = true;
            items[n++] = coros[i];
        }
        if (call->marker == MARK_WAIT_FOR && extra)
            items[n++] = extra;
    } else {
        if (call->ptr_call)
            items[n++] = call->kids[0]; /* the callee, evaluated first */
        for (int i = 0; i < nargs; i++)
            items[n++] = args[i];
    }
    xfree(coros);
    *texts_out = eval_items(L, items, n, is_coro);
    return n;
}

/* f__acc(res, args...) of the operands call_operands gave. */
static char *ctor_text(Node *call, const char *res, char **texts, int n) {
    const char *name = call->marker ? marker_name(call->marker)
                                    : call->async_callee ? call->async_callee->name : NULL;
    Buf b = {0};
    bool is_void = clang_getCursorType(call->cur).kind == CXType_Void;
    int first = 0;
    if (call->ptr_call) {
        char *callee = fnptr_callee(call, texts[0]);
        buf_printf(&b, "%s(", callee);
        xfree(callee);
        first = 1;
    } else {
        buf_printf(&b, "%s" ABI_CTOR "(", name);
    }
    const char *sep = "";
    if (!is_void) {
        buf_put(&b, res ? res : ABI_NULL);
        sep = ", ";
    }
    for (int i = first; i < n; i++) {
        buf_printf(&b, "%s%s", sep, texts[i]);
        sep = ", ";
    }
    buf_put(&b, ")");
    return buf_take(&b);
}

/* f__acc(res, args...) for a call of an async function or of acc_gather/acc_wait_for. */
static char *ctor_call(Lower *L, Node *call, const char *res) {
    char **texts;
    int n = call_operands(L, call, &texts);
    return ctor_text(call, res, texts, n);
}

/* f__acc_sync(budget, args...): a call of the twin of f (twin.c). */
static char *twin_text(Fn *callee, const char *budget, char **texts, int n) {
    Buf b = {0};
    buf_printf(&b, "%s" ABI_TWIN "(%s", callee->name, budget);
    for (int i = 0; i < n; i++)
        buf_printf(&b, ", %s", texts[i]);
    buf_put(&b, ")");
    return buf_take(&b);
}

/* A coroutine expression `f(x)` or `v = f(x)`: the constructor call. */
static char *coro_text(Lower *L, Node *coro) {
    Node *e = peel(coro);
    if (e->kind == CXCursor_BinaryOperator && is_assign(e)) {
        char *lv = expr_text(L, e->kids[0]);
        char *res = fmt("&(%s)", lv);
        return ctor_call(L, peel(e->kids[1]), res);
    }
    return ctor_call(L, e, NULL);
}

/* acc_run(coro), acc_spawn(coro), acc_loop_run_until_complete(loop, coro). */
static char *marker_text(Lower *L, Node *n) {
    Node **coros;
    if (marker_coros(n, &coros) != 1)
        return node_text(L->u, n);
    if (n->marker == MARK_RUC || n->marker == MARK_TG_SPAWN || n->marker == MARK_RCT) {
        Node *items[2] = {marker_extra_arg(n), coros[0]};
        bool is_coro[2] = {false, true};
        if (!items[0])
            return node_text(L->u, n);
        char **t = eval_items(L, items, 2, is_coro);
        return fmt("%s(%s, %s)", marker_name(n->marker), t[0], t[1]);
    }
    return fmt("%s(%s)", marker_name(n->marker), coro_text(L, coros[0]));
}

/* await E in a twin (twin.c): a call, of the callee's twin when declared,
   else of its frame run to its end on a nested trampoline.
     await g(x)  =>  acc__f->acc__tN = g__acc_sync(acc__b - 1, x);
                 or  acc__run_nested(g__acc(&acc__f->acc__tN, x));          */
static void lower_twin_await(Lower *L, Node *call, Fn *callee, const char *slot, char *res) {
    char **texts;
    int n = call_operands(L, call, &texts);
    if (callee) {
        char *t = twin_text(callee, ABI_BUDGET " - 1", texts, n);
        callee->twin_used = true;
        putf(L, "%s%s%s; ", slot ? slot : "", slot ? " = " : "", t);
    } else {
        putf(L, ABI_RUN_NESTED "(%s); ", ctor_text(call, res, texts, n));
    }
}

/* await E: the await statement; returns the text of its value.  An await
   of a function that never suspends calls its twin while twins may run:
     await g(x)  =>  if (acc__twin_ok()) { acc__f->acc__tN = g__acc_sync(ACC__TWIN_BUDGET, x); }
                     else { <the await as above> }
   one of a function with a direct entry (lazy.c) calls it while it may:
     await g(x)  =>  if (acc__lazy_ok() ? g__acc_direct(&acc__f->acc__hdr, &acc__f->acc__tN, x)
                         : (acc__f->acc__hdr.acc__state = K,
                            acc__await(&acc__f->acc__hdr, g__acc(&acc__f->acc__tN, x)))) {
                         acc__f->acc__hdr.acc__state = K; <spills, suspend, reloads as above> }
   In a direct body (lazy.c) a twin is called without the check (a direct
   entry never runs on a nested trampoline), the await is acc__await_cold,
   and the suspension has no resume point: the frame resumes in the body
   function, at the label of the same number. */
static char *lower_await(Lower *L, Node *n, bool want) {
    Node *call = peel(n->kids[0]);
    CXType t = clang_getCursorType(call->cur);
    char *slot = NULL;
    if (want && t.kind != CXType_Void)
        slot = temp_of_type(L, t, n->begin);
    char *res = slot ? fmt("&%s", slot) : NULL;
    Fn *twin = twin_callee(L->fn, call);
    if (L->twin) {
        lower_twin_await(L, call, twin, slot, res);
        return slot ? slot : xstrdup("((void)0)");
    }
    char **texts;
    int nt = call_operands(L, call, &texts);
    char *ctor = ctor_text(call, res, texts, nt);
    int k;
    if (L->direct) {
        k = ++L->nawaits;
    } else {
        unsigned line, col; /* presumed: acc_dump_tasks names the line as #line does */
        char *file;
        presumed_at(&L->u->src, n->begin, &file, &line, &col);
        xfree(file);
        vec_push(&L->fn->lines, (void *)(uintptr_t)line);
        k = L->fn->lines.len - 1;
    }
    if (twin) {
        char *tt = twin_text(twin, ABI_TWIN_BUDGET, texts, nt);
        twin->twin_used = true;
        if (L->direct) {
            putf(L, "%s%s%s; ", slot ? slot : "", slot ? " = " : "", tt);
            xfree(tt);
            return slot ? slot : xstrdup("((void)0)");
        }
        putf(L, "if (" ABI_TWIN_OK "()) { %s%s%s; } else { ", slot ? slot : "", slot ? " = " : "", tt);
        xfree(tt);
    }
    Fn *lazy = lazy_callee(L->fn, call);
    /* (a direct body has paid for its frame here: the await out of line) */
    const char *await = L->direct ? ABI_AWAIT_COLD : ABI_AWAIT;
    if (lazy) {
        /* the state only where it is read: by the resume after a suspension
           (a direct entry does not look at its caller's) */
        char *dt = direct_call(lazy, res, texts, nt);
        lazy->direct_used = true;
        putf(L, "if (" ABI_LAZY_OK "() ? %s : (%s->" ABI_HDR "." ABI_STATE " = %d, %s(&%s->" ABI_HDR
             ", %s))) { %s->" ABI_HDR "." ABI_STATE " = %d; ", dt, F, k, await, F, ctor, F, k);
        xfree(dt);
    } else {
        putf(L, "%s->" ABI_HDR "." ABI_STATE " = %d; if (%s(&%s->" ABI_HDR ", %s)) { ", F, k, await, F, ctor);
    }
    put_spills(L, n, true);
    if (L->direct) {
        putf(L, "%s ", L->suspend);
    } else {
        putf(L, "%s " ABI_LABEL "%d:; ", L->suspend, k);
        put_spills(L, n, false);
    }
    put(L, twin ? "} } " : "} ");
    return slot ? slot : xstrdup("((void)0)");
}

/* A && B, A || B with an await in B: B runs only when C would run it.
     A && B  =>  acc__tK = !!(A'); if (acc__tK) { <B's awaits> acc__tK = !!(B'); }   value acc__tK
     A || B  =>  the same with if (!acc__tK)                                          */
static char *lower_logical(Lower *L, Node *n, bool is_and) {
    char *a = expr_text(L, n->kids[0]);
    char *t = temp_decl(L, "int");
    putf(L, "%s = !!(%s); if (%s%s) { ", t, a, is_and ? "" : "!", t);
    char *b = expr_text(L, n->kids[1]);
    putf(L, "%s = !!(%s); } ", t, b);
    return t;
}

/* C ? X : Y with an await in X or Y: only the branch taken runs.
     C ? X : Y  =>  if (C') { <X's awaits> acc__tK = X'; } else { <Y's awaits> acc__tK = Y'; }
                    value acc__tK (no slot for a void ?:)                        */
static char *lower_conditional(Lower *L, Node *n) {
    char *c = expr_text(L, n->kids[0]);
    CXType t = clang_getCursorType(n->cur);
    char *slot = t.kind == CXType_Void ? NULL : temp_of_type(L, t, n->begin);
    putf(L, "if (%s) { ", c);
    for (int i = 1; i <= 2; i++) {
        if (slot) {
            char *x = expr_text(L, n->kids[i]);
            putf(L, "%s = %s; } ", slot, x);
        } else {
            lower_discard(L, n->kids[i]);
            put(L, "} ");
        }
        if (i == 1)
            put(L, "else { ");
    }
    return slot ? slot : xstrdup("((void)0)");
}

static int by_begin(const void *a, const void *b) {
    const Node *x = *(Node *const *)a, *y = *(Node *const *)b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* A designator `.m = E` or `[i] = E` in an initializer list (a void
   expression to libclang): its value operands count, the designator stays. */
static bool is_designation(Node *n) {
    return n->kind == CXCursor_UnexposedExpr && n->nkids > 0 &&
           clang_getCursorType(n->cur).kind == CXType_Void;
}

static void collect_operands(Node *n, Vec *items) {
    for (int i = 0; i < n->nkids; i++) {
        Node *kid = n->kids[i];
        if (!is_kind_expr(kid->kind) || !kid->in_main)
            continue;
        if ((n->kind == CXCursor_InitListExpr || is_designation(n)) &&
            (is_designation(kid) || kid->kind == CXCursor_InitListExpr))
            collect_operands(kid, items);
        else
            vec_push(items, kid);
    }
}

/* Every other expression: operands left to right, earlier ones into slots.
     f(A, await g(), B)  =>  acc__tK = A'; <the await>  ...f(acc__tK, acc__tM, B')...
   (constants and awaits need no slot; an assignment's left operand, an
   lvalue, is never copied) */
static void lower_generic(Lower *L, Node *n, Vec *reps) {
    Vec operands = {0};
    collect_operands(n, &operands);
    Node **items = (Node **)operands.items;
    int k = operands.len;
    bool all_faithful = true;
    for (int i = 0; i < k; i++)
        all_faithful &= items[i]->faithful;
    if (all_faithful)
        qsort(items, (size_t)k, sizeof *items, by_begin);
    int last = -1;
    for (int i = 0; i < k; i++)
        if (items[i]->has_await)
            last = i;
    for (int i = 0; i < k; i++) {
        Node *it = items[i];
        if (i < last && !is_constant(it) && !peel(it)->is_await) {
            char *t = expr_text(L, it);
            char *slot = temp_of_type(L, clang_getCursorType(it->cur), it->begin);
            putf(L, "%s = %s; ", slot, t);
            vec_push(reps, rep(it, slot));
        } else {
            lower_expr(L, it, reps);
        }
    }
    xfree(operands.items);
}

/* (T){...} whose block goes on past an await: the value is copied into a
   frame slot, which stands for the literal from then on.
     array:     ((void)acc__copy(slot, (T){...}, sizeof slot), slot)
     otherwise: (*(T *)acc__copy(&slot, &(T){...}, sizeof slot))         */
static char *frame_literal(Lower *L, Node *n) {
    Vec inner = {0};
    for (int i = 0; i < n->nkids; i++)
        lower_expr(L, n->kids[i], &inner);
    char *lit = text_of(L, n, &inner);
    CXType t = clang_getCursorType(n->cur);
    char *slot = add_slot(L, declare_slot, t);
    L->u->need_copy = true;
    if (is_array_type(t))
        return fmt("((void)" ABI_COPY "(%s, %s, sizeof %s), %s)", slot, lit, slot, slot);
    char *ptr = declare(clang_getUnqualifiedType(t), "*");
    return fmt("(*(%s)" ABI_COPY "(&%s, &%s, sizeof %s))", ptr, slot, lit, slot);
}

/* The GNU statement expression that lowering writes out as statements, when
   n is one (or `__extension__` applied to one, as glibc's assert has it). */
static Node *stmt_expr_of(Node *n) {
    Node *p = peel(n);
    if (p && p->kind == CXCursor_UnaryOperator &&
        clang_getCursorUnaryOperatorKind(p->cur) == CXUnaryOperator_Extension && !p->is_await &&
        p->nkids == 1)
        p = peel(p->kids[0]);
    return p && p->kind == CXCursor_StmtExpr && p->hoist ? p : NULL;
}

/* A GNU statement expression, as ISO C statements before the expression that
   uses it: its statements lowered like any block's, its value (the last
   expression statement) put in a slot that stands for it.
     ({ S1; ...; E; })  =>  { S1; ... slot = E; }   ... slot ...          */
static char *lower_stmt_expr(Lower *L, Node *n, bool want) {
    Node *body = NULL;
    for (int i = 0; i < n->nkids; i++)
        if (n->kids[i]->kind == CXCursor_CompoundStmt)
            body = n->kids[i];
    CXType t = clang_getCursorType(n->cur);
    Node *last = body && body->nkids ? body->kids[body->nkids - 1] : NULL;
    bool value = want && t.kind != CXType_Void && last && is_kind_expr(last->kind);
    char *slot = value ? temp_of_type(L, t, n->begin) : NULL;
    put(L, "{ ");
    push_scope(L, SC_BLOCK, body ? body : n, NULL);
    for (int i = 0; body && i < body->nkids - value; i++)
        lower_stmt(L, body->kids[i]);
    if (value) {
        char *e = expr_text(L, last);
        putf(L, "%s = %s; ", slot, e);
        xfree(e);
    }
    put_cleanups(L, SC_BLOCK, NULL); /* the block's cleanup variables, after its value */
    pop_scope(L, SC_BLOCK);
    put(L, " } ");
    return slot ? slot : xstrdup("((void)0)");
}

/* The rewrites of expression n (into reps), writing before the statement
   the statements its awaits need:
     a local living in the frame, __func__, f as a value  =>  leaf_text
     await E                    =>  lower_await, replaced by its slot
     sizeof(await f())          =>  its value (unevaluated_text)
     acc_run(f(x)) and friends  =>  the constructor call (marker_text)
     (T){...} held past an await  =>  frame_literal
     A && B, A || B, C ? X : Y, (A, B) with awaits  =>  if statements
     anything else with an await  =>  lower_generic; without one, its parts */
static void lower_expr(Lower *L, Node *n, Vec *reps) {
    char *leaf = leaf_text(L, n);
    if (leaf) {
        vec_push(reps, rep(n, leaf));
        return;
    }
    if (n->kind == CXCursor_VarDecl && needs_zero(n)) {
        Rep *r = rep(n, xstrdup(" = {0}"));
        r->begin = n->end;
        r->insert = true;
        vec_push(reps, r);
    }
    if (n->lowered) {
        vec_push(reps, rep(n, xstrdup(n->lowered)));
        return;
    }
    if (n->selected) {
        /* _Generic(c, T1: E1, ..., Tk: Ek) => (Ek), the chosen one; the
           locals c names stay used, as in C, by an operand of sizeof:
             (void)sizeof (1 ? (c) : (c));   (arrays and functions decay) */
        if (n->nkids && !has_await_below(n->kids[0])) {
            char *c = expr_text(L, n->kids[0]);
            putf(L, "(void)sizeof (1 ? (%s) : (%s)); ", c, c);
            xfree(c);
        }
        char *e = expr_text(L, n->selected);
        vec_push(reps, rep(n, fmt("(%s)", e)));
        xfree(e);
        return;
    }
    if (n->needs_rewrite) {
        vec_push(reps, rep(n, unevaluated_text(L, n)));
        return;
    }
    if (n->is_await) {
        vec_push(reps, rep(n, lower_await(L, n, true)));
        return;
    }
    if (n->coro_operand || n->marker) {
        if (n->marker == MARK_RUN || n->marker == MARK_SPAWN || n->marker == MARK_RUC ||
            n->marker == MARK_TG_SPAWN || n->marker == MARK_SPAWN_EAGER || n->marker == MARK_RCT)
            vec_push(reps, rep(n, marker_text(L, n)));
        else if (n->kind == CXCursor_CallExpr && !n->awaited && n->coro_operand)
            vec_push(reps, rep(n, coro_text(L, n)));
        return;
    }
    if (n->inner_proto) {
        vec_push(reps, rep(n, ctor_proto(n->inner_proto, false)));
        return;
    }
    if (n->literal_in_frame) {
        vec_push(reps, rep(n, frame_literal(L, n)));
        return;
    }
    if (stmt_expr_of(n)) {
        vec_push(reps, rep(n, lower_stmt_expr(L, stmt_expr_of(n), true)));
        return;
    }
    if (!n->has_await || !is_kind_expr(n->kind)) {
        /* declarations and await-free trees: their parts in order */
        for (int i = 0; i < n->nkids; i++)
            lower_expr(L, n->kids[i], reps);
        return;
    }
    if (is_binop(n, CXBinaryOperator_LAnd) || is_binop(n, CXBinaryOperator_LOr)) {
        if (n->kids[1]->has_await) {
            char *t = lower_logical(L, n, is_binop(n, CXBinaryOperator_LAnd));
            vec_push(reps, rep(n, t));
            return;
        }
    } else if (is_binop(n, CXBinaryOperator_Comma)) {
        /* (A, B) with an await:  <A as a statement> ... B  (A's value is unused) */
        if (n->kids[0]->has_await || n->kids[1]->has_await) {
            lower_discard(L, n->kids[0]);
            vec_push(reps, rep(n, expr_text(L, n->kids[1])));
            return;
        }
    } else if (n->kind == CXCursor_ConditionalOperator && n->nkids == 3) {
        if (n->kids[1]->has_await || n->kids[2]->has_await) {
            vec_push(reps, rep(n, lower_conditional(L, n)));
            return;
        }
    } else if (is_assign(n) && n->nkids == 2) {
        /* the left operand is an lvalue: evaluated after the right one (C leaves
           the order of the two open), never copied into a slot */
        lower_expr(L, n->kids[0], reps);
        lower_expr(L, n->kids[1], reps);
        return;
    }
    lower_generic(L, n, reps);
}

char *expr_text(Lower *L, Node *n) {
    if (L->direct && !L->full++)
        lazy_guard(L, n);
    Vec reps = {0};
    lower_expr(L, n, &reps);
    char *t = text_of(L, n, &reps);
    xfree(reps.items);
    if (L->direct)
        L->full--;
    return t;
}

static bool is_void_cast(Node *n) {
    return n->kind == CXCursor_CStyleCastExpr &&
           clang_getCursorType(n->cur).kind == CXType_Void;
}

/* An expression whose value is not used (an expression statement).
     await E;          =>  <the await>            (no slot for the value)
     (A, B); (void)E;  =>  each part discarded
     E;                =>  <E's awaits> E';  or (void)(E'); where E' has no effect */
void lower_discard(Lower *L, Node *n) {
    if (L->direct && !L->full++)
        lazy_guard(L, n);
    discard(L, n);
    if (L->direct)
        L->full--;
}

static void discard(Lower *L, Node *n) {
    if (stmt_expr_of(n)) {
        xfree(lower_stmt_expr(L, stmt_expr_of(n), false));
        return;
    }
    if (n->is_await) {
        lower_await(L, n, false);
        return;
    }
    if (n->has_await && (n->kind == CXCursor_ParenExpr || is_void_cast(n))) {
        for (int i = 0; i < n->nkids; i++)
            if (is_kind_expr(n->kids[i]->kind))
                lower_discard(L, n->kids[i]);
        return;
    }
    if (n->has_await && is_binop(n, CXBinaryOperator_Comma)) {
        lower_discard(L, n->kids[0]);
        lower_discard(L, n->kids[1]);
        return;
    }
    char *t = expr_text(L, n);
    Node *p = peel(n);
    bool effect = !n->has_await || p->kind == CXCursor_CallExpr || is_assign(p) ||
                  (p->kind == CXCursor_UnaryOperator &&
                   clang_getCursorUnaryOperatorKind(p->cur) <= CXUnaryOperator_PreDec);
    if (effect)
        putf(L, "%s;", t);
    else
        putf(L, "(void)(%s);", t);
}
