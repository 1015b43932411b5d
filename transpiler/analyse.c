/*
 * analyse.c: the third stage, for each async function.  Links every use of
 * a local or parameter to its Var, marks the subtrees that hold an await,
 * and decides which locals live in the frame.
 *
 * A local lives in the frame when an await lies between the end of its
 * declarator (initializer included) and the end of its scope: only then can
 * a resume point be reached while the variable is alive, so only then must
 * its value outlive the C stack frame of one resume call.  Every other
 * local stays an ordinary C local of the resume function (no frame field).
 * Parameters always live in the frame.
 */
#include "accc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    Unit *u;
    Fn *fn;
    Vec awaits; /* Node*: await nodes in source order */
} Analysis;

static Var *find_var(Fn *fn, CXCursor decl) {
    for (int i = 0; i < fn->vars.len; i++) {
        Var *v = fn->vars.items[i];
        if (clang_equalCursors(v->cur, decl))
            return v;
    }
    return NULL;
}

typedef struct {
    Unit *u;
    char *text;
} AlignQuery;

static enum CXChildVisitResult align_visit(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    AlignQuery *q = data;
    if (clang_getCursorKind(c) == CXCursor_AlignedAttr) {
        CXSourceRange r = clang_getCursorExtent(c);
        unsigned b, e;
        clang_getFileLocation(clang_getRangeStart(r), NULL, NULL, NULL, &b);
        clang_getFileLocation(clang_getRangeEnd(r), NULL, NULL, NULL, &e);
        /* the range is the keyword alone: take it with its parenthesized operand */
        const char *t = q->u->src.text;
        size_t len = q->u->src.len, p = e;
        while (p < len && (t[p] == ' ' || t[p] == '\t'))
            p++;
        if (e > b && p < len && t[p] == '(') {
            int depth = 0;
            for (; p < len; p++) {
                depth += t[p] == '(';
                if (t[p] == ')' && --depth == 0)
                    break;
            }
            if (p < len)
                q->text = xstrndup(t + b, p + 1 - b);
        }
    }
    return CXChildVisit_Continue;
}

/* The alignment specifier of a declaration, as written, or NULL. */
static char *alignment_of(Unit *u, CXCursor c) {
    AlignQuery q = {u, NULL};
    clang_visitChildren(c, align_visit, &q);
    return q.text;
}

static Var *new_var(Fn *fn, CXCursor c, bool is_param) {
    Var *v = xcalloc(1, sizeof *v);
    v->cur = c;
    v->name = str_dispose(clang_getCursorSpelling(c));
    v->type = clang_getCursorType(c);
    v->is_param = is_param;
    enum CX_StorageClass sc = clang_Cursor_getStorageClass(c);
    v->is_static = sc == CX_SC_Static || sc == CX_SC_Extern;
    vec_push(&fn->vars, v);
    return v;
}

/* The end of the scope a declaration in `n` (a VarDecl) belongs to. */
static unsigned scope_end(Node *n) {
    Node *p = n->parent; /* the DeclStmt */
    if (p && p->parent && p->parent->kind == CXCursor_ForStmt)
        return p->parent->end;
    for (; p; p = p->parent)
        if (p->kind == CXCursor_CompoundStmt)
            return p->end;
    return UINT32_MAX;
}

static void walk(Analysis *a, Node *n) {
    if (n->kind == CXCursor_VarDecl) {
        Var *v = new_var(a->fn, n->cur, false);
        v->decl_end = n->end;
        v->scope_end = scope_end(n);
        n->var = v;
    } else if (n->kind == CXCursor_DeclRefExpr) {
        n->var = find_var(a->fn, clang_getCursorReferenced(n->cur));
    }
    if (n->is_await)
        vec_push(&a->awaits, n);
    bool has = n->is_await;
    for (int i = 0; i < n->nkids; i++) {
        walk(a, n->kids[i]);
        has |= n->kids[i]->has_await;
    }
    n->has_await = has;
}

static bool await_between(Analysis *a, unsigned from, unsigned to) {
    for (int i = 0; i < a->awaits.len; i++) {
        Node *w = a->awaits.items[i];
        if (w->begin >= from && w->begin < to)
            return true;
    }
    return false;
}

/* Two awaits at one place: a macro that expands its argument twice. */
static void check_duplicate_awaits(Analysis *a) {
    for (int i = 0; i < a->awaits.len; i++)
        for (int j = i + 1; j < a->awaits.len; j++) {
            Node *x = a->awaits.items[i], *y = a->awaits.items[j];
            if (x->begin == y->begin) {
                error_at(&a->u->src, x->begin,
                         "'await' inside a macro argument that the macro expands more than "
                         "once");
                return;
            }
        }
}

static bool is_type_decl(enum CXCursorKind k) {
    return k == CXCursor_StructDecl || k == CXCursor_UnionDecl || k == CXCursor_EnumDecl ||
           k == CXCursor_TypedefDecl;
}

static bool unnamed(CXCursor c) {
    char *s = str_dispose(clang_getCursorSpelling(c));
    bool r = !*s || strstr(s, "(unnamed") || strstr(s, "(anonymous");
    xfree(s);
    return r;
}

/*
 * Type declarations inside an async body move to file scope, before the
 * frame struct, under names of their own, so that frame slots can have
 * those types and no file-scope type is redefined:
 *   typedef struct P vec;     =>  typedef struct acc__P_2 acc__vec_3;  (file scope)
 *   struct P {...} p = ...;   =>  struct acc__P_2 {...};  (file scope); struct acc__P_2 p = ...;
 *   struct {...} v = ...;     =>  struct acc__anon1 {...};  (file scope); ... v = ...;
 */
static const char *record_keyword(enum CXCursorKind k) {
    return k == CXCursor_UnionDecl ? "union" : k == CXCursor_EnumDecl ? "enum" : "struct";
}

static void register_types(Analysis *a, Node *n) {
    for (int i = 0; i < n->nkids; i++)
        register_types(a, n->kids[i]);
    if (n->kind != CXCursor_DeclStmt)
        return;
    for (int i = 0; i < n->nkids; i++) {
        Node *k = n->kids[i];
        if (!is_type_decl(k->kind))
            continue;
        char *name = str_dispose(clang_getCursorSpelling(k->cur));
        char *tag = unnamed(k->cur) ? fmt("acc__anon%d", ++a->u->nanon)
                                    : fmt("acc__%s_%d", name, ++a->u->nanon);
        char *spelled = k->kind == CXCursor_TypedefDecl
                            ? xstrdup(tag)
                            : fmt("%s %s", record_keyword(k->kind), tag);
        type_alias(k->cur, spelled, tag);
    }
}

typedef struct {
    unsigned at, len;
    const char *text;
} Edit;

static void collect_type_refs(Node *n, Edit *edits, int *ne, int max) {
    if (n->kind == CXCursor_TypeRef && *ne < max) {
        const char *tag = alias_tag(clang_getCursorReferenced(n->cur));
        if (tag && n->faithful)
            edits[(*ne)++] = (Edit){n->begin, n->end - n->begin, tag};
    }
    for (int i = 0; i < n->nkids; i++)
        collect_type_refs(n->kids[i], edits, ne, max);
}

static int edit_cmp(const void *x, const void *y) {
    const Edit *a = x, *b = y;
    return a->at < b->at ? -1 : a->at > b->at;
}

/* The text of a type declaration with its own name and the local types it
   names replaced by their file-scope names. */
static char *hoisted_text(Analysis *a, Node *k) {
    Edit edits[256];
    int ne = 0;
    collect_type_refs(k, edits, &ne, 255);
    const char *tag = alias_tag(k->cur);
    const char *src = a->u->src.text;
    if (unnamed(k->cur)) {
        const char *brace = memchr(src + k->begin, '{', k->end - k->begin);
        if (brace)
            edits[ne++] = (Edit){(unsigned)(brace - src), 0, fmt("%s ", tag)};
    } else {
        char *name = str_dispose(clang_getCursorSpelling(k->cur));
        unsigned at = cursor_offset(a->u, k->cur);
        if (at >= k->begin && at < k->end)
            edits[ne++] = (Edit){at, (unsigned)strlen(name), tag};
    }
    qsort(edits, (size_t)ne, sizeof *edits, edit_cmp);
    Buf b = {0};
    unsigned pos = k->begin;
    for (int i = 0; i < ne; i++) {
        if (edits[i].at < pos)
            continue;
        buf_putn(&b, src + pos, edits[i].at - pos);
        buf_put(&b, edits[i].text);
        pos = edits[i].at + edits[i].len;
    }
    buf_putn(&b, src + pos, k->end - pos);
    buf_put(&b, ";");
    return buf_take(&b);
}

static void hoist_types(Analysis *a, Node *n) {
    for (int i = 0; i < n->nkids; i++)
        hoist_types(a, n->kids[i]);
    if (n->kind != CXCursor_DeclStmt)
        return;
    int vars = 0, types = 0;
    for (int i = 0; i < n->nkids; i++) {
        vars += n->kids[i]->kind == CXCursor_VarDecl;
        types += is_type_decl(n->kids[i]->kind);
    }
    if (!types)
        return;
    if (!n->faithful) {
        error_at(&a->u->src, n->begin,
                 "cannot move a type that a macro declares out of async function '%s'",
                 a->fn->name);
        return;
    }
    for (int i = 0; i < n->nkids; i++) {
        Node *k = n->kids[i];
        if (is_type_decl(k->kind) &&
            (k->kind == CXCursor_TypedefDecl || clang_isCursorDefinition(k->cur) || !vars))
            vec_push(&a->fn->hoisted, hoisted_text(a, k));
    }
    if (vars)
        n->split = true;
    else
        n->hoisted = true;
}

/* A compound literal lives until the end of its block, like a local: when
   an await follows it there, its storage must be in the frame. */
static void mark_literals(Analysis *a, Node *n, int unevaluated) {
    /* only literals written (T){...}: glibc's transparent-union arguments
       are implicit compound literals around a plain value */
    if (n->kind == CXCursor_CompoundLiteralExpr && !unevaluated && n->in_main &&
        n->end > n->begin && a->u->src.text[n->begin] == '(' &&
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
    unevaluated += n->kind == CXCursor_UnaryExpr;
    for (int i = 0; i < n->nkids; i++)
        mark_literals(a, n->kids[i], unevaluated);
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
        v->field = same ? fmt("%s__%d", v->name, same) : xstrdup(v->name);
    }
}

void analyse_fn(Unit *u, Fn *fn) {
    Analysis a = {u, fn, {0}};
    int nparams = clang_Cursor_getNumArguments(fn->cur);
    for (int i = 0; i < nparams; i++) {
        Var *v = new_var(fn, clang_Cursor_getArgument(fn->cur, (unsigned)i), true);
        v->in_frame = true;
        if (!*v->name)
            error_at(&u->src, cursor_offset(u, v->cur),
                     "parameter %d of async function '%s' needs a name", i + 1, fn->name);
    }
    walk(&a, fn->body);
    register_types(&a, fn->body);
    mark_literals(&a, fn->body, 0);
    hoist_types(&a, fn->body);
    check_duplicate_awaits(&a);
    for (int i = 0; i < fn->vars.len; i++) {
        Var *v = fn->vars.items[i];
        if (v->is_param || v->is_static)
            continue;
        v->in_frame = await_between(&a, v->decl_end, v->scope_end);
        if (v->in_frame && (v->align = alignment_of(u, v->cur)))
            fn->overaligned = true;
        if (v->in_frame && !type_nameable(v->type))
            error_at(&u->src, cursor_offset(u, v->cur),
                     "local '%s' lives across an await but its type is declared inside "
                     "async function '%s'; declare the type at file scope",
                     v->name, fn->name);
    }
    name_fields(fn);
    xfree(a.awaits.items);
}
