/*
 * lower.c: the fourth stage.  Turns the body of an async function into the
 * body function that runs it, and rewrites the few places of plain
 * functions that change (coroutine operands of acc_run and friends).
 *
 * Locals and parameters stay C variables of the body function, declared
 * where the user declared them; expressions are lowered into "rep lists",
 * replacements of byte ranges of the source, so that whatever the user
 * wrote around an await (macros included) is kept as written.  An await
 * becomes a statement before the expression that uses it:
 *
 *   ... await f(x) ...   =>   acc__f->acc__hdr.acc__state = K;
 *                             if (acc__await(&acc__f->acc__hdr, f__acc(&acc__f->acc__tN, x))) {
 *                                 acc__f->acc__v = v; ...         (spill the live locals)
 *                                 return <suspended>;
 *                             acc__LK:;
 *                                 v = acc__f->acc__v; ...         (reload them)
 *                             }
 *                             ... acc__f->acc__tN ...
 *
 * The path that does not suspend neither spills nor reloads.  The dispatch
 * switch at the top of the body jumps to acc__LK with goto, which C allows
 * into any block (async functions have no VLA).  Operands to the left of an
 * await are evaluated first into frame slots (C leaves the order open; acc
 * fixes it left to right), and `&&`, `||` and `?:` become if statements so
 * that an await in a branch not taken never runs.
 */
#include "accc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A replacement: the text that stands for `node` (or, with insert, text
   put at begin, e.g. the " = {0}" after a declarator). */
typedef struct {
    unsigned begin, end;
    char *text;
    Node *node;
    bool insert;
} Rep;

typedef struct {
    char *label; /* where `continue` goes, NULL for C's own continue */
    bool used;
} Cont;

typedef struct {
    Unit *u;
    Fn *fn;             /* NULL when rewriting a plain function */
    const Options *opt;
    Buf out;
    unsigned out_line;  /* the .ac line the current output line maps to, 0 unknown */
    char *out_file;     /* and its file (a #line of the input may name another) */
    Vec cont;           /* Cont*: continue targets of the enclosing loops (label NULL: native) */
    const char *suspend; /* the statement that returns from the body when it suspends */
    int nlabels;
    bool fallthrough;   /* the next case label is reached from the statement before it */
    bool twin;          /* lowering the body of fn's plain twin (twin.c): awaits are calls */
    Vec scopes;         /* Scope*: blocks, loops, switches and cleanup variables, inner last */
    int ncleanups;      /* cleanup variables on that stack */
} Lower;

/* What lies around the statement being lowered, for the variables with a
   cleanup attribute that live across an await (Var.cleanup): C calls
   fn(&v) when v's scope is left, but the body function returns at each
   suspension and is re-entered past v's declaration, so C's own cleanup
   cannot be used; acc calls fn at each exit from the scope itself. */
enum { SC_BLOCK, SC_LOOP, SC_SWITCH, SC_VAR };
typedef struct {
    int kind;
    Node *node; /* SC_BLOCK: the block (or for statement) */
    Var *var;   /* SC_VAR */
} Scope;

static const char *F = "acc__f"; /* the frame pointer in resume functions */

/* ---- output -------------------------------------------------------------- */

static void put(Lower *L, const char *s) {
    for (const char *p = s; *p; p++)
        if (*p == '\n' && L->out_line)
            L->out_line++;
    buf_put(&L->out, s);
}

static void putf(Lower *L, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void putf(Lower *L, const char *format, ...) {
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
static void new_line(Lower *L, unsigned off) {
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

/* ---- rep lists ------------------------------------------------------------ */

static Rep *rep(Node *n, char *text) {
    Rep *r = xcalloc(1, sizeof *r);
    r->begin = n->begin;
    r->end = n->end;
    r->text = text;
    r->node = n;
    return r;
}

static int rep_cmp(const void *a, const void *b) {
    const Rep *x = *(Rep *const *)a, *y = *(Rep *const *)b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    return x->end > y->end ? -1 : x->end < y->end; /* the wider first */
}

/* The source text [b,e) with the replacements applied. */
static char *apply(Lower *L, unsigned b, unsigned e, Vec *reps) {
    const char *text = L->u->src.text;
    if (reps->len > 1)
        qsort(reps->items, (size_t)reps->len, sizeof *reps->items, rep_cmp);
    Buf out = {0};
    unsigned pos = b;
    for (int i = 0; i < reps->len; i++) {
        Rep *r = reps->items[i];
        if (r->begin < pos && r->end <= pos)
            continue; /* inside the previous replacement (a macro's whole use) */
        if (r->begin < pos || r->end > e || r->begin < b) {
            error_at(&L->u->src, r->begin,
                     "cannot rewrite this use of a macro around an await or a local that "
                     "lives across an await");
            break;
        }
        buf_putn(&out, text + pos, r->begin - pos);
        buf_put(&out, r->text);
        pos = r->end;
    }
    if (pos < e)
        buf_putn(&out, text + pos, e - pos);
    return buf_take(&out);
}

static bool is_inside(Node *x, Node *n) {
    for (; x; x = x->parent)
        if (x == n)
            return true;
    return false;
}

/* The reps of nodes in the subtree of n. */
static Vec reps_inside(Node *n, Vec *reps) {
    Vec in = {0};
    for (int i = 0; i < reps->len; i++) {
        Rep *r = reps->items[i];
        if (is_inside(r->node, n))
            vec_push(&in, r);
    }
    return in;
}

static const char *L_src_text; /* the file's text, for whole_use */

/* A node whose text is exactly it: spelled in the file, or the whole
   expansion of a macro use (acc_run(x), an object-like macro naming a
   local), not a piece of a macro's body (the (a) of
   `#define ADD(a, b) ((a) + (b))`, whose range is all of ADD(...)). */
static bool whole_use(Node *n) {
    if (n->faithful || n->marker)
        return true;
    if (n->expand || n->repaired || n->mixed || !n->in_main)
        return false; /* one of the statements a macro use writes; a guessed range; a piece */
    if (!text_balanced(L_src_text, n->begin, n->end))
        return false;
    for (Node *a = n->parent; a; a = a->parent) {
        if (a->in_main && (a->begin > n->begin || a->end < n->end))
            return false; /* inside a piece of a macro use: a piece itself */
        if (a->begin != n->begin || a->end != n->end) {
            for (Node *b = a->parent; b; b = b->parent)
                if (b->in_main && (b->begin > n->begin || b->end < n->end))
                    return false;
            return true;
        }
        if (!(a->kind == CXCursor_ParenExpr || (a->kind == CXCursor_UnexposedExpr && a->nkids == 1)))
            return false;
    }
    return false;
}

/* Whether n's text with the reps applied is n lowered: n is spelled in the
   file, and each rep replaces a distinct stretch of it (a node of a
   macro's body has the range of the whole macro use; an argument that a
   macro expands twice gives two nodes with one range). */
static bool text_works(Node *n, Vec *in) {
    if (!whole_use(n))
        return false;
    for (int i = 0; i < in->len; i++) {
        Rep *r = in->items[i];
        if (r->insert)
            continue;
        if (!whole_use(r->node))
            return false;
        for (int j = 0; j < i; j++) {
            Rep *q = in->items[j];
            if (!q->insert && q->begin == r->begin && q->end == r->end)
                return false;
        }
    }
    return true;
}

typedef struct {
    Lower *L;
    Vec *reps;
} SubCtx;

static char *text_of(Lower *L, Node *n, Vec *reps);

/* For the printer of macro expansions: the text of a node acc can give
   without printing it (its rep, or its own text), else NULL. */
static char *sub_text(void *ctx, Node *n) {
    SubCtx *c = ctx;
    for (int i = 0; i < c->reps->len; i++) {
        Rep *r = c->reps->items[i];
        if (r->node == n && !r->insert)
            return xstrdup(r->text);
    }
    Vec in = reps_inside(n, c->reps);
    char *t = text_works(n, &in) ? apply(c->L, n->begin, n->end, &in) : NULL;
    xfree(in.items);
    return t;
}

/* n lowered: its text with the reps applied, or where a macro's expansion
   must change, the expansion printed (macro.c). */
static char *text_of(Lower *L, Node *n, Vec *reps) {
    Vec in = reps_inside(n, reps);
    bool works = text_works(n, &in);
    xfree(in.items);
    if (works)
        return apply(L, n->begin, n->end, reps);
    SubCtx c = {L, reps};
    return print_expanded(L->u, L->fn, n, sub_text, &c);
}

/* ---- slots ---------------------------------------------------------------- */

/* The lvalue of the frame slot `name`: acc__f->name, or in a twin, whose
   slots are C variables of its own, name. */
static char *slot_ref(Lower *L, const char *name) {
    return L->twin ? xstrdup(name) : fmt("%s->%s", F, name);
}

/* A new frame slot declared as decl(t, name); returns "acc__f->acc__tN". */
static char *add_slot(Lower *L, char *(*decl)(CXType, const char *), CXType t) {
    char *name = fmt("acc__t%d", L->fn->temps.len);
    vec_push(&L->fn->temps, decl(t, name));
    char *r = slot_ref(L, name);
    xfree(name);
    return r;
}

/* A frame slot holding a value of type t (arrays and functions decayed). */
static char *temp_of_type(Lower *L, CXType t, unsigned where) {
    if (!type_nameable(t))
        error_at(&L->u->src, where,
                 "a value whose type is declared inside async function '%s' must be held "
                 "across an await; declare the type at file scope",
                 L->fn->name);
    return add_slot(L, declare_value, t);
}

static char *temp_decl(Lower *L, const char *type_prefix) {
    int k = L->fn->temps.len;
    char *name = fmt("acc__t%d", k);
    vec_push(&L->fn->temps, fmt("%s %s", type_prefix, name));
    char *r = slot_ref(L, name);
    xfree(name);
    return r;
}

/* Whether variable v is alive (in scope, declared) at the await w. */
static bool live_at(const Var *v, const Node *w) {
    return v->is_param || (v->decl_end <= w->seq && w->seq < v->scope_end);
}

/* The spills (or, with out false, the reloads) of the C variables that live
   across the await w:
     typed field:  acc__f->acc__v = v;   v = acc__f->acc__v;
     const inside: acc__f->acc__v = v;   acc__copy((void *)&v, &acc__f->acc__v, sizeof v);
     bytes field:  acc__copy(acc__f->acc__v, &v, sizeof v);  and back
   Parameters need no reload: the body loads them from the frame on entry. */
static void put_spills(Lower *L, Node *w, bool out) {
    for (int i = 0; i < L->fn->vars.len; i++) {
        Var *v = L->fn->vars.items[i];
        if (!v->in_frame || v->resident || v->is_static || !live_at(v, w) ||
            !live_after(L->fn, v, w))
            continue;
        if (v->bytes || (!out && !v->assignable && !v->is_param))
            L->u->need_copy = true;
        if (out && v->bytes) /* (a volatile local is read once, as by `=`) */
            putf(L, "(void)acc__copy(%s->%s, (const void *)&%s, sizeof %s); ", F, v->field, v->name,
                 v->name);
        else if (out)
            putf(L, "%s->%s = %s; ", F, v->field, v->name);
        else if (v->is_param)
            continue;
        else if (v->bytes)
            putf(L, "(void)acc__copy((void *)&%s, %s->%s, sizeof %s); ", v->name, F, v->field, v->name);
        else if (!v->assignable)
            putf(L, "(void)acc__copy((void *)&%s, &%s->%s, sizeof %s); ", v->name, F, v->field, v->name);
        else
            putf(L, "%s = %s->%s; ", v->name, F, v->field);
    }
}

static Node *var_init(Node *v);

/* A variable declared without an initializer that may be spilled: it
   starts as zero, so that no spill copies an indeterminate value (which
   compilers rightly warn about).  T x;  =>  T x = {0};  */
static bool needs_zero(Node *decl) {
    Var *v = decl->var;
    return v && v->in_frame && !v->resident && !v->is_static && !v->is_param &&
           decl->faithful && !var_init(decl);
}

static void name_callees(Node *n, Buf *b) {
    if (n->async_callee && !n->async_callee->is_runtime)
        buf_printf(b, " + 0 * sizeof(&%s__acc)", n->async_callee->name);
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

/* ---- expressions ---------------------------------------------------------- */



static void lower_expr(Lower *L, Node *n, Vec *reps);
static char *expr_text(Lower *L, Node *n);
static void lower_discard(Lower *L, Node *n);
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

static bool is_array_type(CXType t) {
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
static char *resident_ref(Lower *L, Var *v) {
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
                             ? temp_decl(L, "acc__frame *")
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
        buf_printf(&b, "%s__acc(", name);
    }
    const char *sep = "";
    if (!is_void) {
        buf_put(&b, res ? res : "ACC__NULL");
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
    buf_printf(&b, "%s__acc_sync(%s", callee->name, budget);
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
        char *t = twin_text(callee, "acc__b - 1", texts, n);
        callee->twin_used = true;
        putf(L, "%s%s%s; ", slot ? slot : "", slot ? " = " : "", t);
    } else {
        putf(L, "acc__run_nested(%s); ", ctor_text(call, res, texts, n));
    }
}

/* await E: the await statement; returns the text of its value.  An await
   of a function that never suspends calls its twin while twins may run:
     await g(x)  =>  if (acc__twin_ok()) { acc__f->acc__tN = g__acc_sync(ACC__TWIN_BUDGET, x); }
                     else { <the await as above> }                                  */
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
    if (twin) {
        char *tt = twin_text(twin, "ACC__TWIN_BUDGET", texts, nt);
        twin->twin_used = true;
        putf(L, "if (acc__twin_ok()) { %s%s%s; } else { ", slot ? slot : "", slot ? " = " : "", tt);
        xfree(tt);
    }
    unsigned line, col;
    line_col(&L->u->src, n->begin, &line, &col);
    vec_push(&L->fn->lines, (void *)(uintptr_t)line);
    int k = L->fn->lines.len - 1;
    putf(L, "%s->acc__hdr.acc__state = %d; if (acc__await(&%s->acc__hdr, %s)) { ", F, k, F, ctor);
    put_spills(L, n, true);
    putf(L, "%s acc__L%d:; ", L->suspend, k);
    put_spills(L, n, false);
    put(L, twin ? "} } " : "} ");
    return slot ? slot : xstrdup("((void)0)");
}

/* A && B, A || B with an await in B: B runs only when C would run it. */
static char *lower_logical(Lower *L, Node *n, bool is_and) {
    char *a = expr_text(L, n->kids[0]);
    char *t = temp_decl(L, "int");
    putf(L, "%s = !!(%s); if (%s%s) { ", t, a, is_and ? "" : "!", t);
    char *b = expr_text(L, n->kids[1]);
    putf(L, "%s = !!(%s); } ", t, b);
    return t;
}

/* C ? X : Y with an await in X or Y: only the branch taken runs. */
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

/* Every other expression: operands left to right, earlier ones into slots. */
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
        return fmt("((void)acc__copy(%s, %s, sizeof %s), %s)", slot, lit, slot, slot);
    char *ptr = declare(clang_getUnqualifiedType(t), "*");
    return fmt("(*(%s)acc__copy(&%s, &%s, sizeof %s))", ptr, slot, lit, slot);
}

static void lower_stmt(Lower *L, Node *n);
static void push_scope(Lower *L, int kind, Node *node, Var *var);
static void pop_scope(Lower *L, int kind);
static void put_cleanups(Lower *L, int to, Node *label);

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

/* Whether an await is written anywhere in n, evaluated or not. */
static bool awaits_in(Node *n) {
    if (n->is_await)
        return true;
    for (int i = 0; i < n->nkids; i++)
        if (awaits_in(n->kids[i]))
            return true;
    return false;
}

/* The rewrites of expression n, emitting the statements its awaits need. */
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
        if (n->nkids && !awaits_in(n->kids[0])) {
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

static char *expr_text(Lower *L, Node *n) {
    Vec reps = {0};
    lower_expr(L, n, &reps);
    char *t = text_of(L, n, &reps);
    xfree(reps.items);
    return t;
}

static bool is_void_cast(Node *n) {
    return n->kind == CXCursor_CStyleCastExpr &&
           clang_getCursorType(n->cur).kind == CXType_Void;
}

/* An expression whose value is not used (an expression statement). */
static void lower_discard(Lower *L, Node *n) {
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

/* ---- cleanup scopes -------------------------------------------------------- */

static void push_scope(Lower *L, int kind, Node *node, Var *var) {
    Scope *sc = xcalloc(1, sizeof *sc);
    sc->kind = kind;
    sc->node = node;
    sc->var = var;
    vec_push(&L->scopes, sc);
    L->ncleanups += kind == SC_VAR;
}

/* Pops the stack down to and including its innermost entry of `kind`. */
static void pop_scope(Lower *L, int kind) {
    while (L->scopes.len) {
        Scope *sc = L->scopes.items[--L->scopes.len];
        int k = sc->kind;
        L->ncleanups -= k == SC_VAR;
        xfree(sc);
        if (k == kind)
            break;
    }
}

/*   fn(&v);  for the cleanup variables a jump leaves, innermost first:
 *     to == SC_BLOCK   the end of the innermost block
 *     to == SC_LOOP    continue: down to the innermost loop
 *     to == SC_SWITCH  break: down to the innermost loop or switch
 *     to == -1         return: all of them
 *     label            goto: those in blocks that do not hold the label */
static void put_cleanups(Lower *L, int to, Node *label) {
    for (int i = L->scopes.len - 1; i >= 0 && L->ncleanups; i--) {
        Scope *sc = L->scopes.items[i];
        if (sc->kind == SC_VAR) {
            if (label) { /* the block this variable belongs to */
                int j = i - 1;
                while (j >= 0 && ((Scope *)L->scopes.items[j])->kind != SC_BLOCK)
                    j--;
                Node *b = j >= 0 ? ((Scope *)L->scopes.items[j])->node : NULL;
                if (b && label->seq >= b->seq && label->seq < b->seq_end)
                    return;
            }
            char *ref = resident_ref(L, sc->var);
            putf(L, "%s(&%s); ", sc->var->cleanup, ref);
            xfree(ref);
        } else if ((to == SC_BLOCK && sc->kind == SC_BLOCK) || (to == SC_LOOP && sc->kind == SC_LOOP) ||
                   (to == SC_SWITCH && (sc->kind == SC_LOOP || sc->kind == SC_SWITCH))) {
            return;
        }
    }
}

static Node *find_label(Node *n, CXCursor target) {
    if (n->kind == CXCursor_LabelStmt && clang_equalCursors(n->cur, target))
        return n;
    for (int i = 0; i < n->nkids; i++) {
        Node *r = find_label(n->kids[i], target);
        if (r)
            return r;
    }
    return NULL;
}

static bool has_jump(Node *n) {
    if (n->kind == CXCursor_ReturnStmt || n->kind == CXCursor_BreakStmt ||
        n->kind == CXCursor_ContinueStmt || n->kind == CXCursor_GotoStmt)
        return true;
    for (int i = 0; i < n->nkids; i++)
        if (has_jump(n->kids[i]))
            return true;
    return false;
}

/* ---- statements ----------------------------------------------------------- */

static void lower_stmt(Lower *L, Node *n);

/* A sub-statement (of if, while, a label, ...): one statement, braced. */
static void lower_sub(Lower *L, Node *n) {
    if (n->kind == CXCursor_CompoundStmt) {
        lower_stmt(L, n);
        return;
    }
    put(L, "{");
    lower_stmt(L, n);
    put(L, " }");
}

static void push_cont(Lower *L, char *label) {
    Cont *c = xcalloc(1, sizeof *c);
    c->label = label;
    vec_push(&L->cont, c);
}

/* Pops the innermost continue target; true if a continue went to its label. */
static bool pop_cont(Lower *L) {
    Cont *c = L->cont.items[--L->cont.len];
    bool used = c->used;
    xfree(c);
    return used;
}

/* The label after a lowered loop body, where continue statements go. */
static void put_cont_label(Lower *L, const char *label, bool used) {
    if (used)
        putf(L, " %s:; ", label);
}

static char *new_label(Lower *L, const char *what) {
    return fmt("acc__%s%d", what, ++L->nlabels);
}

/* return E;  =>  the awaits of E, then return E';  (the body function
   returns the async function's own type; its thunk stores the value) */
static void lower_return(Lower *L, Node *n) {
    Node *e = NULL;
    for (int i = 0; i < n->nkids; i++)
        if (is_kind_expr(n->kids[i]->kind))
            e = n->kids[i];
    if (!e) {
        if (L->ncleanups) {
            put(L, "{ ");
            put_cleanups(L, -1, NULL);
            put(L, "return; }");
        } else
            put(L, "return;");
        return;
    }
    put(L, "{ ");
    char *t = expr_text(L, e);
    if (L->ncleanups && L->fn) {
        /* the value first: it may read a variable the cleanup frees */
        CXType rt = clang_getResultType(clang_getCursorType(L->fn->cur));
        if (rt.kind != CXType_Void) {
            char *slot = temp_of_type(L, rt, e->begin);
            putf(L, "%s = %s; ", slot, t);
            t = slot;
        } else {
            putf(L, "(void)(%s); ", t);
            t = NULL;
        }
        put_cleanups(L, -1, NULL);
    }
    if (t)
        putf(L, "return %s; }", t);
    else
        put(L, "return; }");
}

static Node *var_init(Node *v) {
    CXCursor init = clang_Cursor_getVarDeclInitializer(v->cur);
    if (clang_Cursor_isNull(init))
        return NULL;
    for (int i = v->nkids - 1; i >= 0; i--)
        if (clang_equalCursors(v->kids[i]->cur, init))
            return v->kids[i];
    return v->nkids && is_kind_expr(v->kids[v->nkids - 1]->kind) ? v->kids[v->nkids - 1] : NULL;
}


/* One declarator of a declaration that had to be taken apart. */
static void lower_var(Lower *L, Node *v) {
    Var *var = v->var;
    Node *init = var_init(v);
    char *it = init ? expr_text(L, init) : NULL;
    bool braced = init && (peel(init)->kind == CXCursor_InitListExpr ||
                           (is_array_type(var->type) && peel(init)->kind == CXCursor_StringLiteral));
    if (var->resident) {
        if (!it)
            return;
        char *tn = declare(clang_getUnqualifiedType(var->type), "");
        bool list = peel(init)->kind == CXCursor_InitListExpr;
        char *ref = resident_ref(L, var);
        if (is_array_type(var->type))
            L->u->need_copy = true;
        if (is_array_type(var->type))
            /* (the literal's own qualifiers, volatile too, do not reach acc__copy) */
            putf(L, "(void)acc__copy((void *)%s, (const void *)(%s)%s%s%s, sizeof %s); ", ref, tn,
                 list ? "" : "{", it, list ? "" : "}", ref);
        else if (braced && !var->assignable) { /* a const member: initialised, never assigned */
            L->u->need_copy = true;
            putf(L, "(void)acc__copy((void *)&%s, &(%s)%s, sizeof %s); ", ref, tn, it, ref);
        } else if (braced)
            putf(L, "%s = (%s)%s; ", ref, tn, it);
        else
            putf(L, "%s = %s; ", ref, it);
        return;
    }
    char *d = declare(var->type, var->name);
    if (it)
        putf(L, "%s = %s; ", d, it);
    else
        putf(L, "%s%s; ", d, needs_zero(v) ? " = {0}" : "");
}

/* A declaration: as written, its awaits done before it, unless a variable
   of it lives in the frame or an await follows one of its declarators:
     T a = A, b = await f(a);  =>  T a = A; <await f(a)> T b = acc__f->acc__tN;
     T r[4] = {...};           =>  acc__f->acc__r = ... (r lives in the frame) */
static void lower_decl(Lower *L, Node *n) {
    bool simple = true;
    int nvars = 0;
    for (int i = 0; i < n->nkids; i++) {
        Node *k = n->kids[i];
        if (k->kind == CXCursor_VarDecl && k->var && k->var->resident)
            simple = false;
        nvars += k->kind == CXCursor_VarDecl;
    }
    if (nvars > 1 && n->has_await)
        simple = false;
    if (simple) {
        /* C locals only: the declaration as written, its awaits done before it */
        put(L, expr_text(L, n));
        return;
    }
    for (int i = 0; i < n->nkids; i++) {
        Node *k = n->kids[i];
        if (k->kind == CXCursor_VarDecl) {
            lower_var(L, k);
            if (k->var && k->var->cleanup && k->var->resident && L->fn)
                push_scope(L, SC_VAR, NULL, k->var);
        } else if ((k->kind == CXCursor_StructDecl || k->kind == CXCursor_UnionDecl ||
                  k->kind == CXCursor_EnumDecl) && clang_isCursorDefinition(k->cur)) {
            /* struct P {...} p = ...;  =>  struct P {...}; <p> */
            if (!k->faithful || clang_Cursor_isAnonymous(k->cur))
                error_at(&L->u->src, k->begin,
                         "cannot take this declaration apart: declare the type on its own");
            putf(L, "%s; ", expr_text(L, k));
        }
    }
}

/* The parts of `for (init; cond; inc) body`, found by the semicolons of
   the header since libclang leaves absent parts out of the children. */
static void for_parts(Lower *L, Node *n, Node **init, Node **cond, Node **inc, Node **body) {
    *init = *cond = *inc = *body = NULL;
    if (!n->faithful) {
        /* a macro's for: libclang leaves absent parts out, so only the
           complete and the empty header are known apart */
        if (n->nkids == 4) {
            *init = n->kids[0], *cond = n->kids[1], *inc = n->kids[2], *body = n->kids[3];
            return;
        }
        if (n->nkids != 1)
            error_at(&L->u->src, n->begin,
                     "cannot lower a for statement that a macro writes with a part of its "
                     "header left out; write the loop without the macro");
        if (n->nkids)
            *body = n->kids[n->nkids - 1];
        return;
    }
    const char *t = L->u->src.text;
    unsigned semi[2] = {0, 0}, close = 0;
    int found = 0, depth = 0;
    unsigned p = n->begin;
    while (p < n->end && t[p] != '(')
        p++;
    for (; p < n->end; p++) {
        char c = t[p];
        if (c == '"' || c == '\'') {
            for (p++; p < n->end && t[p] != c; p++)
                if (t[p] == '\\')
                    p++;
            continue;
        }
        if (c == '/' && t[p + 1] == '*') {
            const char *e = strstr(t + p + 2, "*/");
            p = e ? (unsigned)(e - t) + 1 : n->end;
            continue;
        }
        if (c == '/' && t[p + 1] == '/') {
            while (p < n->end && t[p] != '\n')
                p++;
            continue;
        }
        if (c == '(' || c == '{') /* braces: the members of a struct declared in init */
            depth++;
        else if (c == '}')
            depth--;
        else if (c == ')' && --depth == 0) {
            close = p;
            break;
        } else if (c == ';' && depth == 1 && found < 2)
            semi[found++] = p;
    }
    if (found < 2 || !close)
        die("cannot find the parts of a for statement");
    for (int i = 0; i < n->nkids; i++) {
        Node *k = n->kids[i];
        if (k->begin >= close)
            *body = k;
        else if (k->begin > semi[1])
            *inc = k;
        else if (k->begin > semi[0])
            *cond = k;
        else
            *init = k;
    }
}


static void lower_for(Lower *L, Node *n) {
    Node *init, *cond, *inc, *body;
    for_parts(L, n, &init, &cond, &inc, &body);
    put(L, "{ ");
    push_scope(L, SC_BLOCK, n, NULL); /* the scope of the init's variables */
    if (init) {
        if (init->kind == CXCursor_DeclStmt)
            lower_decl(L, init);
        else
            lower_discard(L, init);
    }
    bool hdr_await = (cond && cond->has_await) || (inc && inc->has_await);
    if (!hdr_await) {
        char *c = cond ? expr_text(L, cond) : xstrdup("");
        char *i = inc ? expr_text(L, inc) : xstrdup("");
        putf(L, "for (; %s; %s) ", c, i);
        push_cont(L, NULL);
        push_scope(L, SC_LOOP, n, NULL);
        if (body)
            lower_sub(L, body);
        else
            put(L, ";");
        pop_scope(L, SC_LOOP);
        pop_cont(L);
    } else {
        char *label = new_label(L, "cont");
        put(L, "for (;;) { ");
        if (cond) {
            char *c = expr_text(L, cond);
            putf(L, "if (!(%s)) break; ", c);
        }
        push_cont(L, label);
        push_scope(L, SC_LOOP, n, NULL);
        if (body)
            lower_sub(L, body);
        pop_scope(L, SC_LOOP);
        put_cont_label(L, label, pop_cont(L));
        if (inc)
            lower_discard(L, inc);
        put(L, " }");
    }
    put_cleanups(L, SC_BLOCK, NULL);
    pop_scope(L, SC_BLOCK);
    put(L, " }");
}

static void lower_while(Lower *L, Node *n) {
    Node *cond = n->kids[0], *body = n->kids[n->nkids - 1];
    if (!cond->has_await) {
        putf(L, "while (%s) ", expr_text(L, cond));
    } else {
        put(L, "for (;;) { ");
        putf(L, "if (!(%s)) break; ", expr_text(L, cond));
    }
    push_cont(L, NULL);
    push_scope(L, SC_LOOP, n, NULL);
    lower_sub(L, body);
    pop_scope(L, SC_LOOP);
    pop_cont(L);
    if (cond->has_await)
        put(L, " }");
}

static void lower_do(Lower *L, Node *n) {
    Node *body = n->kids[0], *cond = n->kids[n->nkids - 1];
    if (!cond->has_await) {
        put(L, "do ");
        push_cont(L, NULL);
        push_scope(L, SC_LOOP, n, NULL);
        lower_sub(L, body);
        pop_scope(L, SC_LOOP);
        pop_cont(L);
        putf(L, " while (%s);", expr_text(L, cond));
        return;
    }
    char *label = new_label(L, "cont");
    put(L, "for (;;) { ");
    push_cont(L, label);
    push_scope(L, SC_LOOP, n, NULL);
    lower_sub(L, body);
    pop_scope(L, SC_LOOP);
    put_cont_label(L, label, pop_cont(L));
    putf(L, "if (!(%s)) break; }", expr_text(L, cond));
}

static void lower_if(Lower *L, Node *n) {
    Node *cond = n->kids[0];
    putf(L, "if (%s) ", expr_text(L, cond));
    lower_sub(L, n->kids[1]);
    if (n->nkids > 2) {
        put(L, " else ");
        lower_sub(L, n->kids[2]);
    }
}

static void lower_labelled(Lower *L, Node *n) {
    Node *sub = n->kids[n->nkids - 1];
    if (n->kind == CXCursor_LabelStmt) {
        char *name = str_dispose(clang_getCursorSpelling(n->cur));
        putf(L, "%s: ", name);
    } else if (n->kind == CXCursor_DefaultStmt) {
        if (L->fallthrough)
            put(L, "/* fallthrough */\n");
        L->fallthrough = false;
        put(L, "default: ");
    } else {
        if (L->fallthrough)
            put(L, "/* fallthrough */\n");
        L->fallthrough = false;
        put(L, "case ");
        for (int i = 0; i + 1 < n->nkids; i++)
            putf(L, "%s%s", i ? " ... " : "", expr_text(L, n->kids[i]));
        put(L, ": ");
    }
    if (sub->kind == CXCursor_CaseStmt || sub->kind == CXCursor_DefaultStmt ||
        sub->kind == CXCursor_LabelStmt)
        lower_stmt(L, sub);
    else
        lower_sub(L, sub);
}

static bool is_jump(Node *n) {
    return n->kind == CXCursor_BreakStmt || n->kind == CXCursor_ReturnStmt ||
           n->kind == CXCursor_GotoStmt || n->kind == CXCursor_ContinueStmt;
}

static bool is_conditional_directive(const char *p) {
    static const char *const names[] = {"if", "ifdef", "ifndef", "elif", "elifdef", "elifndef",
                                        "else", "endif"};
    while (*p == ' ' || *p == '\t')
        p++;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        size_t k = strlen(names[i]);
        if (strncmp(p, names[i], k) == 0 && !(p[k] == '_' || (p[k] >= 'a' && p[k] <= 'z')))
            return true;
    }
    return false;
}

/* Preprocessor lines between two statements of a body (#define, #undef,
   #pragma, ...) go to the output where they stood; conditionals are left
   out, since the parse has already decided them. */
static void put_directives(Lower *L, unsigned from, unsigned to) {
    const char *t = L->u->src.text;
    unsigned p = from;
    bool line_start = false;
    while (p < to) {
        char c = t[p];
        if (c == '/' && p + 1 < to && t[p + 1] == '*') {
            const char *e = strstr(t + p + 2, "*/");
            p = e ? (unsigned)(e - t) + 2 : to;
            continue;
        }
        if (c == '/' && p + 1 < to && t[p + 1] == '/') {
            while (p < to && t[p] != '\n')
                p++;
            continue;
        }
        if (c == '\n') {
            line_start = true;
        } else if (c == '#' && line_start) {
            unsigned e = p;
            while (e < to && !(t[e] == '\n' && t[e - 1] != '\\'))
                e++;
            if (!is_conditional_directive(t + p + 1) && !in_skipped(L->u, p)) {
                new_line(L, p);
                buf_putn(&L->out, t + p, e - p);
                put(L, "\n");
                L->out_line = 0;
            }
            p = e;
            continue;
        } else if (c != ' ' && c != '\t' && c != '\r') {
            line_start = false;
        }
        p++;
    }
}

/* Whether a subtree holds something lowering changes. */
static bool needs_lowering(Node *n) {
    if (n->has_await || n->needs_rewrite || n->selected || n->marker || n->coro_operand || n->literal_in_frame ||
        n->inner_proto || (n->is_func_name && n->faithful) || (n->kind == CXCursor_DeclRefExpr && n->var && n->var->resident))
        return true;
    for (int i = 0; i < n->nkids; i++)
        if (needs_lowering(n->kids[i]))
            return true;
    return false;
}

static void lower_compound(Lower *L, Node *n) {
    put(L, "{");
    push_scope(L, SC_BLOCK, n, NULL);
    unsigned prev = n->begin + 1;
    for (int i = 0; i < n->nkids; i++) {
        Node *k = n->kids[i];
        if (k->in_main && k->begin >= prev && n->faithful)
            put_directives(L, prev, k->begin);
        if (i > 0 && (k->kind == CXCursor_CaseStmt || k->kind == CXCursor_DefaultStmt) &&
            !is_jump(n->kids[i - 1]))
            L->fallthrough = true; /* said just before the label (after any #line) */
        int same = i; /* statements one macro use writes (X-macros) */
        while (n->faithful && !k->faithful && same + 1 < n->nkids && n->kids[same + 1]->begin == k->begin &&
               n->kids[same + 1]->end == k->end)
            same++;
        if (same > i) {
            bool any = false;
            for (int j = i; j <= same; j++)
                any |= needs_lowering(n->kids[j]);
            if (!any && whole_use(k)) { /* the macro use once, as written */
                lower_stmt(L, k);
                i = same;
                continue;
            }
            for (int j = i; j <= same; j++)
                n->kids[j]->expand = true;
        }
        lower_stmt(L, k);
        if (k->in_main && k->end > prev)
            prev = k->end;
    }
    if (n->end > prev && n->faithful)
        put_directives(L, prev, n->end - 1);
    if (L->ncleanups) {
        put(L, "\n");
        put_cleanups(L, SC_BLOCK, NULL);
    }
    pop_scope(L, SC_BLOCK);
    put(L, "\n}");
}

static void lower_stmt(Lower *L, Node *n) {
    new_line(L, n->begin);
    if (!n->faithful && !is_kind_expr(n->kind) && n->kind != CXCursor_DeclStmt &&
        n->kind != CXCursor_NullStmt && n->in_main && !needs_lowering(n) && whole_use(n) &&
        n->parent && n->parent->faithful && !(L->ncleanups && has_jump(n))) {
        /* a statement a macro writes, with nothing to change: as written */
        char *t = node_text(L->u, n);
        putf(L, "%s%s", t, t[0] && strchr(";}", t[strlen(t) - 1]) ? "" : ";");
        return;
    }
    /* else a macro's statement is lowered from its expansion, like any other */
    switch (n->kind) {
    case CXCursor_CompoundStmt:
        lower_compound(L, n);
        break;
    case CXCursor_DeclStmt:
        lower_decl(L, n);
        break;
    case CXCursor_ReturnStmt:
        lower_return(L, n);
        break;
    case CXCursor_IfStmt:
        lower_if(L, n);
        break;
    case CXCursor_WhileStmt:
        lower_while(L, n);
        break;
    case CXCursor_DoStmt:
        lower_do(L, n);
        break;
    case CXCursor_ForStmt:
        lower_for(L, n);
        break;
    case CXCursor_SwitchStmt:
        putf(L, "switch (%s) ", expr_text(L, n->kids[0]));
        push_scope(L, SC_SWITCH, n, NULL);
        lower_sub(L, n->kids[n->nkids - 1]);
        pop_scope(L, SC_SWITCH);
        break;
    case CXCursor_CaseStmt:
    case CXCursor_DefaultStmt:
    case CXCursor_LabelStmt:
        lower_labelled(L, n);
        break;
    case CXCursor_ContinueStmt: {
        Cont *c = L->cont.len ? L->cont.items[L->cont.len - 1] : NULL;
        if (L->ncleanups) {
            put(L, "{ ");
            put_cleanups(L, SC_LOOP, NULL);
        }
        if (c && c->label) {
            c->used = true;
            putf(L, "goto %s;", c->label);
        }
        else
            put(L, "continue;");
        if (L->ncleanups)
            put(L, " }");
        break;
    }
    case CXCursor_BreakStmt:
        if (L->ncleanups) {
            put(L, "{ ");
            put_cleanups(L, SC_SWITCH, NULL);
            put(L, "break; }");
        } else
            put(L, "break;");
        break;
    case CXCursor_NullStmt:
        put(L, ";");
        break;
    case CXCursor_GotoStmt: {
        /* by the label's name: a macro may write the goto (TRY(x) ... goto fail) */
        CXCursor target = clang_getCursorReferenced(n->cur);
        char *label = str_dispose(clang_getCursorSpelling(target));
        Node *at = L->ncleanups && L->fn ? find_label(L->fn->body, target) : NULL;
        if (at) {
            put(L, "{ ");
            put_cleanups(L, SC_VAR, at);
            putf(L, "goto %s; }", label);
        } else
            putf(L, "goto %s;", label);
        break;
    }
    case CXCursor_IndirectGotoStmt:
        putf(L, "%s;", expr_text(L, n));
        break;
    default:
        if (is_kind_expr(n->kind)) {
            lower_discard(L, n);
        } else {
            /* asm and other statements acc does not look into */
            char *t = expr_text(L, n);
            putf(L, "%s%s", t, t[0] && t[strlen(t) - 1] == ';' ? "" : ";");
        }
        break;
    }
}

/*
 * Marks the GNU statement expressions lowering writes out as statements:
 * those that hold an await, and those a macro wrote inside an expression
 * that lowering changes (its expansion may have to be printed, and a
 * statement expression is not ISO C).  The enclosing ones too, and every
 * ancestor counts as holding an await, so that the operands before one are
 * evaluated first and conditions around one become statements.  The
 * operand of sizeof is never evaluated and stays as written.  Returns
 * whether n's subtree holds one.
 */
static bool mark_stmt_exprs(Node *n, bool printed) {
    if (n->kind == CXCursor_UnaryExpr)
        return false;
    if (is_kind_expr(n->kind) && n->parent && !is_kind_expr(n->parent->kind))
        printed = needs_lowering(n); /* a full expression */
    bool any = false;
    for (int i = 0; i < n->nkids; i++)
        any |= mark_stmt_exprs(n->kids[i], printed);
    if (n->kind == CXCursor_StmtExpr && (any || n->has_await || (printed && !n->faithful)))
        n->hoist = any = true;
    if (any)
        n->has_await = true;
    return any;
}

char *lower_fn(Unit *u, Fn *fn, const Options *opt) {
    Lower L = {.u = u, .fn = fn, .opt = opt, .out = u->scratch};
    L.out.len = 0;
    mark_stmt_exprs(fn->body, false);
    L_src_text = u->src.text;
    bool is_void = clang_getResultType(clang_getCursorType(fn->cur)).kind == CXType_Void;
    L.suspend = is_void ? "{ acc__f->acc__hdr.acc__state |= ACC__SUSPENDED; return; }"
                        : "return acc__f->acc__hdr.acc__state |= ACC__SUSPENDED, acc__z;";
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
    for (int i = 0; i < u->defs.len; i++) {
        Fn *fn = u->defs.items[i];
        fn->lowered = fn->is_async ? lower_fn(u, fn, opt) : plain_change(u, fn, fn->body);
    }
    /* the twins the bodies' awaits call (the twin of a function awaits what
       its body awaits: those twins are marked used already) */
    for (int i = 0; i < u->defs.len && !error_count; i++) {
        Fn *fn = u->defs.items[i];
        if (fn->is_async && fn->twin_used)
            fn->twin = lower_twin(u, fn, opt, &fn->twin_temps);
    }
    for (int i = 0; i < u->globals.len; i++) {
        Node *d = u->globals.items[i];
        vec_push(&u->global_inits, plain_change(u, NULL, d->kids[d->nkids - 1]));
    }
}
