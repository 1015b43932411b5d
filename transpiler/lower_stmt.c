/*
 * lower_stmt.c: statements.  Each statement is written on its own line,
 * with a #line back to the .ac file when the numbering drifts; those without
 * awaits are written as the user wrote them (their expressions' replacements
 * applied), those with awaits take the shapes above each routine.
 */
#include "lower.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void push_scope(Lower *L, int kind, Node *node, Var *var) {
    Scope *sc = xcalloc(1, sizeof *sc);
    sc->kind = kind;
    sc->node = node;
    sc->var = var;
    vec_push(&L->scopes, sc);
    L->ncleanups += kind == SC_VAR;
}

/* Pops the stack down to and including its innermost entry of `kind`. */
void pop_scope(Lower *L, int kind) {
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
void put_cleanups(Lower *L, int to, Node *label) {
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
    if (n->kind == CXCursor_LabelStmt && same_stmt(n->cur, target))
        return n;
    for (int i = 0; i < n->nkids; i++) {
        Node *r = find_label(n->kids[i], target);
        if (r)
            return r;
    }
    return NULL;
}

static bool is_jump(Node *n) {
    return n->kind == CXCursor_BreakStmt || n->kind == CXCursor_ReturnStmt ||
           n->kind == CXCursor_GotoStmt || n->kind == CXCursor_ContinueStmt;
}

/* Whether a jump stands anywhere in n. */
static bool has_jump(Node *n) {
    if (is_jump(n))
        return true;
    for (int i = 0; i < n->nkids; i++)
        if (has_jump(n->kids[i]))
            return true;
    return false;
}

/* A sub-statement (of if, while, a label, ...): one statement, braced.
     S  =>  { S' }          ({...} stays as it is) */
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

/* A label for a lowered loop's continue: acc__contK. */
static char *new_label(Lower *L) {
    return fmt(ABI_CONT "%d", ++L->nlabels);
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

Node *var_init(Node *v) {
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
            putf(L, "(void)" ABI_COPY "((void *)%s, (const void *)(%s)%s%s%s, sizeof %s); ", ref, tn,
                 list ? "" : "{", it, list ? "" : "}", ref);
        else if (braced && !var->assignable) { /* a const member: initialised, never assigned */
            L->u->need_copy = true;
            putf(L, "(void)" ABI_COPY "((void *)&%s, &(%s)%s, sizeof %s); ", ref, tn, it, ref);
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

/* for (I; C; N) S, no await in C or N:
       =>  { I'  for (; C'; N') S' }
   with an await in C or N (continue goes to the label, so N still runs):
       =>  { I'  for (;;) { <C's awaits> if (!(C')) break; S'  acc__contK:; <N> } }  */
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
        char *label = new_label(L);
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

/* while (C) S, no await in C:  =>  while (C') S'
   an await in C:                =>  for (;;) { <C's awaits> if (!(C')) break; S' } */
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

/* do S while (C);, no await in C:  =>  do S' while (C');
   an await in C:  =>  for (;;) { S'  acc__contK:; <C's awaits> if (!(C')) break; } */
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
    char *label = new_label(L);
    put(L, "for (;;) { ");
    push_cont(L, label);
    push_scope(L, SC_LOOP, n, NULL);
    lower_sub(L, body);
    pop_scope(L, SC_LOOP);
    put_cont_label(L, label, pop_cont(L));
    putf(L, "if (!(%s)) break; }", expr_text(L, cond));
}

/* if (C) S1 else S2  =>  <C's awaits> if (C') { S1' } else { S2' } */
static void lower_if(Lower *L, Node *n) {
    Node *cond = n->kids[0];
    putf(L, "if (%s) ", expr_text(L, cond));
    lower_sub(L, n->kids[1]);
    if (n->nkids > 2) {
        put(L, " else ");
        lower_sub(L, n->kids[2]);
    }
}

/* L: S, case K: S, default: S  =>  the label as written, then S'
   (a case reached from the statement above it says so: fallthrough) */
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

/* { S1 S2 ... }  =>  { S1' S2' ... }, each statement on a line of its own,
   the preprocessor lines between them where they stood (conditionals
   left out: the parse decided them); statements one macro use writes
   (X-macros) as the use when none changes, else each from its expansion. */
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

/* A statement, on a new line mapped to its .ac line:
     a statement a macro writes, nothing in it changing  =>  the macro use as written
     {...}, declarations, return, if, while, do, for, switch, labels  =>  their routines
     continue in a loop taken apart                       =>  goto acc__contK;
     goto L, break, ;                                      =>  as written
     E;                                                    =>  lower_discard */
void lower_stmt(Lower *L, Node *n) {
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
bool mark_stmt_exprs(Node *n, bool printed) {
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
