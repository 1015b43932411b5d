/*
 * analyse.c: the third stage, for each async function.  Links every use of
 * a local or parameter to its Var, marks the subtrees that hold an await,
 * and decides which locals live in the frame.
 *
 * Every local and parameter stays a C variable of the body function.  One
 * gets a frame field when an await lies between the end of its declarator
 * (initializer included) and the end of its scope: only then can a resume
 * point be reached while the variable is alive, so only then must its value
 * outlive the C stack frame of one call of the body (it is spilled into the
 * field where the body suspends and reloaded where it resumes).  Parameters
 * always have a field (the constructor fills it).  A variable whose address
 * is taken, or an array, with an await in its scope lives in its field
 * (resident): a pointer to it must stay valid across the suspension.
 */
#include "abi.h"
#include "accc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    Unit *u;
    Fn *fn;
    Vec awaits; /* Node*: await nodes in source order */
    Vec gotos;  /* Node*: goto statements */
    Vec labels; /* Node*: labelled statements */
    Vec literals; /* Node*: compound literals, evaluated ones */
    Vec cases;  /* Node*: case and default labels (a switch jumps to them) */
    unsigned stmt_end; /* the end of the innermost statement being walked */
    int unevaluated;   /* depth of sizeof/_Alignof operands */
} Analysis;

static Var *find_var(Fn *fn, CXCursor decl) {
    for (int i = 0; i < fn->vars.len; i++) {
        Var *v = fn->vars.items[i];
        if (clang_equalCursors(v->cur, decl))
            return v;
    }
    return NULL;
}

static enum CXChildVisitResult find_attr(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    if (clang_isAttribute(clang_getCursorKind(c))) {
        *(bool *)data = true;
        return CXChildVisit_Break;
    }
    return CXChildVisit_Continue;
}

/* The parenthesized operand, "(...)", of a declaration's GNU attribute
   `name` (__attribute__((name(...)))), or NULL.  libclang exposes most GNU
   attributes only as unexposed cursors, but prints the declaration with
   them, their operands as the AST holds them: macros expanded. */
static char *gnu_attr_operand(CXCursor c, const char *name) {
    bool any = false;
    clang_visitChildren(c, find_attr, &any);
    if (!any)
        return NULL;
    CXPrintingPolicy pol = clang_getCursorPrintingPolicy(c);
    char *text = str_dispose(clang_getCursorPrettyPrinted(c, pol));
    clang_PrintingPolicy_dispose(pol);
    char *key = fmt("__attribute__((%s(", name), *op = NULL;
    const char *p = strstr(text, key);
    if (p) {
        p += strlen(key) - 1; /* at the operand's "(" */
        int depth = 0;
        const char *e = p;
        for (; *e; e++) {
            depth += *e == '(';
            if (*e == ')' && --depth == 0)
                break;
        }
        if (*e)
            op = xstrndup(p, (size_t)(e + 1 - p));
    }
    xfree(key);
    xfree(text);
    return op;
}

typedef struct {
    Unit *u;
    unsigned decl_end; /* where the declaration ends */
    char *text;
} AlignQuery;

/* The text from b through the parenthesized operand of the keyword that
   ends at e (`_Alignas(32)`, `aligned(16)`), by libclang's tokens up to the
   end of the declaration; NULL when no `(` follows. */
static char *with_operand(Unit *u, unsigned b, unsigned e, unsigned decl_end) {
    Tokens ts = tokens_in(u, e, decl_end);
    char *text = NULL;
    int depth = 0;
    for (unsigned i = 0; i < ts.n; i++) {
        CXString s = clang_getTokenSpelling(u->tu, ts.t[i]);
        const char *t = clang_getCString(s);
        bool open = strcmp(t, "(") == 0, close = strcmp(t, ")") == 0;
        clang_disposeString(s);
        if (depth == 0 && !open)
            break;
        depth += open;
        if (close && --depth == 0) {
            text = xstrndup(u->src.text + b, token_end(u, ts.t[i]) - b);
            break;
        }
    }
    tokens_dispose(u, &ts);
    return text;
}

static enum CXChildVisitResult align_visit(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    AlignQuery *q = data;
    if (clang_getCursorKind(c) == CXCursor_AlignedAttr) {
        CXSourceRange r = clang_getCursorExtent(c);
        unsigned b, e;
        clang_getFileLocation(clang_getRangeStart(r), NULL, NULL, NULL, &b);
        clang_getFileLocation(clang_getRangeEnd(r), NULL, NULL, NULL, &e);
        /* the range is the keyword alone: take it with its parenthesized operand */
        if (e > b)
            q->text = with_operand(q->u, b, e, q->decl_end);
    }
    return CXChildVisit_Continue;
}

/* The alignment specifier of a declaration, as written, or NULL.  A GNU
   __attribute__((aligned(N))) (libclang gives its range as the attribute's
   word alone, maybe inside a macro) becomes _Alignas(N), N as clang prints
   the declaration: the macros in it expanded.  `aligned` without N asks for
   the target's largest alignment, which frames have anyway. */
static char *alignment_of(Unit *u, CXCursor c) {
    unsigned end = 0;
    clang_getFileLocation(clang_getRangeEnd(clang_getCursorExtent(c)), NULL, NULL, NULL, &end);
    AlignQuery q = {u, end, NULL};
    clang_visitChildren(c, align_visit, &q);
    if (q.text && (strncmp(q.text, "_Alignas", 8) == 0 || strncmp(q.text, "alignas", 7) == 0))
        return q.text;
    xfree(q.text);
    char *n = gnu_attr_operand(c, "aligned");
    q.text = n ? fmt("_Alignas%s", n) : NULL;
    xfree(n);
    return q.text;
}

/* The function f of a variable's __attribute__((cleanup(f))), however it is
   spelled (systemd's `_cleanup_free_` macros included): libclang exposes
   the attribute only as unexposed, but prints the declaration with it. */
static char *cleanup_of(CXCursor c) {
    char *op = gnu_attr_operand(c, "cleanup");
    char *fn = op ? xstrndup(op + 1, strlen(op) - 2) : NULL;
    xfree(op);
    return fn;
}

static Var *new_var(Fn *fn, CXCursor c, bool is_param) {
    Var *v = xcalloc(1, sizeof *v);
    v->cur = c;
    v->name = str_dispose(clang_getCursorSpelling(c));
    v->type = clang_getCursorType(c);
    v->is_param = is_param;
    enum CX_StorageClass sc = clang_Cursor_getStorageClass(c);
    v->is_static = sc == CX_SC_Static || sc == CX_SC_Extern;
    if (!is_param && !v->is_static)
        v->cleanup = cleanup_of(c);
    vec_push(&fn->vars, v);
    return v;
}

/* The end of the scope a declaration in `n` (a VarDecl) belongs to. */
static unsigned scope_end(Node *n) {
    Node *p = n->parent; /* the DeclStmt */
    if (p && p->parent && p->parent->kind == CXCursor_ForStmt)
        return p->parent->seq_end;
    for (; p; p = p->parent)
        if (p->kind == CXCursor_CompoundStmt)
            return p->seq_end;
    return UINT32_MAX;
}

static bool is_array_kind(CXType t) {
    t = clang_getCanonicalType(t);
    return t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray;
}

/* Whether the use `ref` of a variable takes its address: `&v`, `&v.m`,
   `v.arr` decaying to a pointer, `&v.arr[i]`. */
static bool ref_escapes(Node *ref) {
    Node *c = ref;
    for (Node *p = ref->parent; p; c = p, p = p->parent) {
        CXType ct = clang_getCursorType(c->cur);
        switch (p->kind) {
        case CXCursor_ParenExpr:
            continue;
        case CXCursor_MemberRefExpr:
            if (p->kids[0] == c && ct.kind != CXType_Pointer)
                continue; /* v.m: the member is part of v */
            return false;
        case CXCursor_ArraySubscriptExpr:
            if (p->kids[0] == c && is_array_kind(ct))
                continue; /* v.arr[i] */
            return false;
        case CXCursor_UnaryOperator:
            return clang_getCursorUnaryOperatorKind(p->cur) == CXUnaryOperator_AddrOf;
        case CXCursor_UnaryExpr: /* sizeof, _Alignof */
            return false;
        default:
            return is_array_kind(ct) && clang_getCursorType(p->cur).kind == CXType_Pointer;
        }
    }
    return false;
}

/* The variable an lvalue names at its root (v in v.a[2].b), or NULL. */
static Var *lvalue_root(Node *n) {
    for (;;) {
        n = peel(n);
        if (!n)
            return NULL;
        if (n->kind == CXCursor_DeclRefExpr)
            return n->var;
        if ((n->kind == CXCursor_MemberRefExpr || n->kind == CXCursor_ArraySubscriptExpr) &&
            n->nkids && clang_getCursorType(n->kids[0]->cur).kind != CXType_Pointer)
            n = n->kids[0];
        else
            return NULL;
    }
}

/* Whether an await is written anywhere in n, evaluated or not. */
bool has_await_below(Node *n) {
    if (n->is_await)
        return true;
    for (int i = 0; i < n->nkids; i++)
        if (has_await_below(n->kids[i]))
            return true;
    return false;
}

static void walk(Analysis *a, Node *n) {
    if (n->kind == CXCursor_VarDecl) {
        Var *v = new_var(a->fn, n->cur, false);
        v->decl_end = n->seq_end;
        v->scope_end = scope_end(n);
        if (n->parent && n->parent->parent && n->parent->parent->kind == CXCursor_ForStmt)
            v->for_begin = n->parent->parent->seq;
        n->var = v;
    } else if (n->kind == CXCursor_DeclRefExpr) {
        n->var = find_var(a->fn, clang_getCursorReferenced(n->cur));
        if (n->var && ref_escapes(n))
            n->var->escapes = true;
        /* a use counts from the end of its statement: `*p += await f()`
           uses p after the await */
        if (n->var)
            vec_push(&n->var->refs, (void *)(uintptr_t)(a->stmt_end > n->seq ? a->stmt_end - 1
                                                                             : n->seq));
    } else if (n->kind == CXCursor_ForStmt || n->kind == CXCursor_WhileStmt ||
               n->kind == CXCursor_DoStmt) {
        vec_push(&a->fn->loops, (void *)(uintptr_t)n->seq);
        vec_push(&a->fn->loops, (void *)(uintptr_t)n->seq_end);
    } else if (n->kind == CXCursor_GotoStmt) {
        vec_push(&a->gotos, n);
    } else if (n->kind == CXCursor_LabelStmt) {
        vec_push(&a->labels, n);
    } else if (n->kind == CXCursor_CaseStmt || n->kind == CXCursor_DefaultStmt) {
        vec_push(&a->cases, n);
    }
    if (n->is_await && !a->unevaluated)
        vec_push(&a->awaits, n);
    if (n->kind == CXCursor_CompoundLiteralExpr && !a->unevaluated)
        vec_push(&a->literals, n);
    bool has = n->is_await && !a->unevaluated;
    a->unevaluated += n->kind == CXCursor_UnaryExpr;
    unsigned outer_end = a->stmt_end;
    bool stmt = clang_isStatement(n->kind) && n->kind != CXCursor_CompoundStmt;
    bool expr_stmt = is_kind_expr(n->kind) && n->parent && clang_isStatement(n->parent->kind);
    if (stmt || expr_stmt)
        a->stmt_end = n->seq_end;
    if (n->kind == CXCursor_GenericSelectionExpr && !a->unevaluated && has_await_below(n)) {
        /* only the chosen association is evaluated (C11 6.5.1.1): the
           selection is written out as it, and nothing else of it runs */
        n->selected = generic_selected(a->u, n);
        if (!n->selected)
            error_at(&a->u->src, n->begin,
                     "cannot tell which association of this _Generic selection is chosen, and an "
                     "await is inside it; await into a variable first and select on the variable");
    }
    for (int i = 0; i < n->nkids; i++) {
        bool skipped = n->selected && n->kids[i] != n->selected;
        a->unevaluated += skipped;
        walk(a, n->kids[i]);
        a->unevaluated -= skipped;
        has |= n->kids[i]->has_await;
    }
    a->stmt_end = outer_end;
    a->unevaluated -= n->kind == CXCursor_UnaryExpr;
    n->has_await = has;
    if (n->kind == CXCursor_UnaryExpr && !a->unevaluated && has_await_below(n))
        n->needs_rewrite = true; /* sizeof(await f()): written as its value */
    /* the target of `v = f(x)` under acc_gather & co. is written when f
       returns, maybe after a suspension: its address is taken */
    if (n->coro_operand && n->kind == CXCursor_BinaryOperator && n->nkids == 2) {
        Var *v = lvalue_root(n->kids[0]);
        if (v)
            v->escapes = true;
    }
}

static bool await_between(Analysis *a, unsigned from, unsigned to) {
    for (int i = 0; i < a->awaits.len; i++) {
        Node *w = a->awaits.items[i];
        if (w->seq >= from && w->seq < to)
            return true;
    }
    return false;
}

/* A compound literal lives until the end of its block, like a local: when
   an await follows it there, its storage must be in the frame. */
static void mark_literal(Analysis *a, Node *n) {
    /* only literals written (T){...}: glibc's transparent-union arguments
       are implicit compound literals around a plain value */
    if (n->in_main && n->end > n->begin && a->u->src.text[n->begin] == '(' &&
        a->u->src.text[n->end - 1] == '}') {
        unsigned end = UINT32_MAX;
        for (Node *p = n->parent; p; p = p->parent)
            if (p->kind == CXCursor_CompoundStmt) {
                end = p->end;
                break;
            }
        /* an await after it, or one whose arguments hold it (it suspends
           after they are evaluated) */
        for (int i = 0; i < a->awaits.len && !n->literal_in_frame; i++) {
            Node *w = a->awaits.items[i];
            n->literal_in_frame = w->end > n->begin && w->begin < end;
        }
    }
}

static bool record_has_const(CXType t);

typedef struct {
    bool found;
} ConstQuery;

static enum CXVisitorResult const_field_visit(CXCursor c, CXClientData data) {
    ConstQuery *q = data;
    CXType t = clang_getCanonicalType(clang_getCursorType(c));
    while (is_array_kind(t))
        t = clang_getCanonicalType(clang_getArrayElementType(t));
    if (clang_isConstQualifiedType(t) || (t.kind == CXType_Record && record_has_const(t))) {
        q->found = true;
        return CXVisit_Break;
    }
    return CXVisit_Continue;
}

/* A struct or union with a const member, at any depth: not assignable. */
static bool record_has_const(CXType t) {
    ConstQuery q = {false};
    clang_Type_visitFields(clang_getCanonicalType(t), const_field_visit, &q);
    return q.found;
}

static void name_fields(Fn *fn) {
    for (int i = 0; i < fn->vars.len; i++) {
        Var *v = fn->vars.items[i];
        if (!v->in_frame)
            continue;
        int same = 0;
        for (int j = 0; j < i; j++) {
            Var *w = fn->vars.items[j];
            if (w->in_frame && strcmp(w->name, v->name) == 0)
                same++;
        }
        v->field = same ? fmt(ABI_FIELD "%s_%d", v->name, same) : fmt(ABI_FIELD "%s", v->name);
    }
}

/* Whether a value of type t can be stored with `=` (no const in it, no array). */
static bool assignable(CXType t) {
    t = clang_getCanonicalType(t);
    if (clang_isConstQualifiedType(t) || is_array_kind(t))
        return false;
    return t.kind != CXType_Record || !record_has_const(t);
}

/* How a variable with a frame field is stored there: a typed field when its
   type can be named before the body (at file scope), else untyped bytes of
   its size and alignment, copied with acc__copy. */
static void place_var(Analysis *a, Var *v) {
    v->assignable = assignable(v->type);
    char *d = declare_slot(v->type, "x");
    bool typeof_ = strstr(d, "typeof") != NULL; /* names locals of the body */
    xfree(d);
    if (type_nameable(v->type) && !typeof_)
        return;
    v->bytes = true;
    v->size = clang_Type_getSizeOf(v->type);
    v->alignment = clang_Type_getAlignOf(v->type);
    if (v->size <= 0 || v->alignment <= 0)
        error_at(&a->u->src, cursor_offset(a->u, v->cur),
                 "local '%s' of async function '%s' lives across an await but has no size",
                 v->name, a->fn->name);
    if (v->alignment > 16)
        a->fn->overaligned = true;
    char *spelled = str_dispose(clang_getTypeSpelling(v->type));
    if (v->resident && (strstr(spelled, "(unnamed") || strstr(spelled, "(anonymous")))
        error_at(&a->u->src, cursor_offset(a->u, v->cur),
                 "local '%s' has its address taken and lives across an await, but its type "
                 "has no name; give the struct a tag or a typedef",
                 v->name);
    xfree(spelled);
}

static int by_name(const void *x, const void *y) {
    const Var *a = *(Var *const *)x, *b = *(Var *const *)y;
    return strcmp(a->name, b->name);
}

/* A variable hidden by an inner one of the same name where an await lies
   cannot be named there to be spilled or reloaded: it lives in its field. */
static void mark_shadowed(Analysis *a) {
    Fn *fn = a->fn;
    Var **vs = xcalloc((size_t)fn->vars.len + 1, sizeof *vs);
    int n = 0;
    for (int i = 0; i < fn->vars.len; i++) {
        Var *v = fn->vars.items[i];
        if (v->in_frame && !v->is_static)
            vs[n++] = v;
    }
    qsort(vs, (size_t)n, sizeof *vs, by_name);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n && strcmp(vs[i]->name, vs[j]->name) == 0; j++) {
            Var *x = vs[i], *y = vs[j];
            Var *outer = x->decl_end <= y->decl_end ? x : y, *inner = outer == x ? y : x;
            if (inner->scope_end <= outer->scope_end && !outer->resident &&
                await_between(a, inner->decl_end, inner->scope_end)) {
                outer->resident = true;
                if ((outer->align = alignment_of(a->u, outer->cur)))
                    fn->overaligned = true;
                place_var(a, outer);
            }
        }
    xfree(vs);
}

/* A goto that jumps into a variable's scope past its declaration skips its
   initializer: the variable lives in its field (a spill would copy an
   indeterminate value). */
/* Where the label a goto names is (its seq), 0 if unknown. */
static unsigned label_at(Analysis *a, Node *g) {
    CXCursor target = clang_getCursorReferenced(g->cur);
    for (int i = 0; i < a->labels.len; i++) {
        Node *l = a->labels.items[i];
        if (same_stmt(l->cur, target))
            return l->seq;
    }
    return 0;
}

static void mark_jump(Analysis *a, unsigned from, unsigned at) {
    for (int j = 0; j < a->fn->vars.len; j++) {
        Var *v = a->fn->vars.items[j];
        if (v->in_frame && !v->resident && !v->is_param && at >= v->decl_end &&
            at < v->scope_end && (from < v->decl_end || from >= v->scope_end))
            v->escapes = true;
    }
}

/* So does a switch to a case label after a declaration in its body
   (`switch (x) { int t; case 1: t = await f(); ... }`). */
static void mark_jumped(Analysis *a) {
    for (int i = 0; i < a->gotos.len; i++) {
        Node *g = a->gotos.items[i];
        mark_jump(a, g->seq, label_at(a, g));
    }
    for (int i = 0; i < a->cases.len; i++) {
        Node *c = a->cases.items[i], *sw = c->parent;
        while (sw && sw->kind != CXCursor_SwitchStmt)
            sw = sw->parent;
        if (sw)
            mark_jump(a, sw->seq, c->seq);
    }
}

/* A goto to a label before it makes a loop of what lies between. */
static void backward_gotos(Analysis *a) {
    for (int i = 0; i < a->gotos.len; i++) {
        Node *g = a->gotos.items[i];
        unsigned at = label_at(a, g);
        if (at && at < g->seq) {
            vec_push(&a->fn->loops, (void *)(uintptr_t)at);
            vec_push(&a->fn->loops, (void *)(uintptr_t)g->seq_end);
        }
    }
}

bool live_after(const Fn *fn, const Var *v, const Node *w) {
    unsigned from = v->is_param ? 0 : v->decl_end;
    for (int i = 0; i < v->refs.len; i++) {
        unsigned r = (unsigned)(uintptr_t)v->refs.items[i];
        if (r > w->seq)
            return true;
    }
    for (int i = 0; i + 1 < fn->loops.len; i += 2) {
        unsigned b = (unsigned)(uintptr_t)fn->loops.items[i];
        unsigned e = (unsigned)(uintptr_t)fn->loops.items[i + 1];
        if ((b < from && b != v->for_begin) || w->seq < b || w->seq >= e)
            continue; /* not around w inside v's scope (a for's own variable is) */
        for (int j = 0; j < v->refs.len; j++) {
            unsigned r = (unsigned)(uintptr_t)v->refs.items[j];
            if (r >= b && r < e)
                return true;
        }
    }
    return false;
}

void analyse_fn(Unit *u, Fn *fn) {
    Analysis a = {.u = u, .fn = fn};
    int nparams = clang_Cursor_getNumArguments(fn->cur);
    for (int i = 0; i < nparams; i++) {
        Var *v = new_var(fn, clang_Cursor_getArgument(fn->cur, (unsigned)i), true);
        v->in_frame = true;
        v->scope_end = UINT32_MAX;
        if (!*v->name)
            error_at(&u->src, cursor_offset(u, v->cur),
                     "parameter %d of async function '%s' needs a name", i + 1, fn->name);
    }
    walk(&a, fn->body);
    backward_gotos(&a);
    for (int i = 0; i < a.literals.len; i++)
        mark_literal(&a, a.literals.items[i]);
    for (int i = 0; i < fn->vars.len; i++) {
        Var *v = fn->vars.items[i];
        if (v->is_static)
            continue;
        if (!v->is_param)
            v->in_frame = await_between(&a, v->decl_end, v->scope_end);
        if (v->in_frame && v->cleanup)
            v->escapes = true; /* its cleanup takes its address, at the end of its scope */
    }
    mark_jumped(&a);
    for (int i = 0; i < fn->vars.len; i++) {
        Var *v = fn->vars.items[i];
        if (v->is_static || !v->in_frame)
            continue;
        v->resident = v->escapes || (!v->is_param && is_array_kind(v->type));
        if (v->resident && (v->align = alignment_of(u, v->cur)))
            fn->overaligned = true;
        place_var(&a, v);
    }
    mark_shadowed(&a);
    name_fields(fn);
    xfree(a.awaits.items);
    xfree(a.gotos.items);
    xfree(a.labels.items);
    xfree(a.cases.items);
    xfree(a.literals.items);
}

void analyse_unit(Unit *u) {
    for (int i = 0; i < u->defs.len; i++) {
        Fn *fn = u->defs.items[i];
        if (fn->is_async)
            analyse_fn(u, fn);
    }
    if (!error_count) {
        twin_analyse(u);
        lazy_analyse(u);
    }
}
