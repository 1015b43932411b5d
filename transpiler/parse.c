/*
 * parse.c: the first stage.  Runs libclang over the .ac file with the parse
 * view of acc.h (where `async` is an annotation and `await` the GNU
 * `__extension__` operator), reports libclang's own errors, and builds acc's
 * node tree for every function defined in the main file: each node keeps its
 * cursor, its byte range in the file and what it is to acc (an await, a call
 * of an async function, a call that takes coroutines, a use of __func__).
 */
#include "abi.h"
#include "accc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef ACC_SOURCE_INCLUDE_DIR
#define ACC_SOURCE_INCLUDE_DIR ""
#endif
#ifndef ACC_INSTALL_INCLUDE_DIR
#define ACC_INSTALL_INCLUDE_DIR ""
#endif

static CXFile acc_h_file; /* the acc.h the parse view comes from */

/* The directory holding acc.h: $ACC_INCLUDE_DIR, next to the installed
   binary (<prefix>/bin/acc -> <prefix>/include), or the source tree. */
static char *find_acc_include(void) {
    const char *env = getenv("ACC_INCLUDE_DIR");
    if (env && *env)
        return xstrdup(env);
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char *cand = fmt("%s/../include", exe);
            char *h = fmt("%s/acc.h", cand);
            bool ok = access(h, R_OK) == 0;
            xfree(h);
            if (ok)
                return cand;
            xfree(cand);
        }
    }
    const char *dirs[] = {ACC_SOURCE_INCLUDE_DIR, ACC_INSTALL_INCLUDE_DIR};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        if (!*dirs[i])
            continue;
        char *h = fmt("%s/acc.h", dirs[i]);
        bool ok = access(h, R_OK) == 0;
        xfree(h);
        if (ok)
            return xstrdup(dirs[i]);
    }
    return NULL;
}

/* ---- cursor helpers ------------------------------------------------------- */

static bool has_annotation(CXCursor c, const char *what);

typedef struct {
    const char *what;
    bool found;
} AnnotQuery;

static enum CXChildVisitResult annot_visit(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    AnnotQuery *q = data;
    if (clang_getCursorKind(c) == CXCursor_AnnotateAttr) {
        char *s = str_dispose(clang_getCursorSpelling(c));
        if (strcmp(s, q->what) == 0)
            q->found = true;
        xfree(s);
    }
    return CXChildVisit_Continue;
}

static bool has_annotation(CXCursor c, const char *what) {
    AnnotQuery q = {what, false};
    clang_visitChildren(c, annot_visit, &q);
    return q.found;
}

/* Whether any declaration of the function carries the annotation. */
static bool decl_annotated(CXCursor decl, const char *what) {
    if (has_annotation(decl, what))
        return true;
    CXCursor canon = clang_getCanonicalCursor(decl);
    if (!clang_equalCursors(canon, decl) && has_annotation(canon, what))
        return true;
    CXCursor def = clang_getCursorDefinition(decl);
    return !clang_Cursor_isNull(def) && !clang_equalCursors(def, decl) && has_annotation(def, what);
}

/* An async function: its type says so (fnptr.c), but clang drops calling
   conventions from main, which keeps only the annotation. */
static bool is_async_decl(CXCursor c) {
    if (fnptr_is_async_decl(c))
        return true;
    char *name = str_dispose(clang_getCursorSpelling(c));
    bool is_main = strcmp(name, "main") == 0;
    xfree(name);
    return is_main && decl_annotated(c, ABI_ANNOT_ASYNC);
}

static bool loc_in_main(const Unit *u, CXSourceLocation loc, unsigned *off) {
    CXFile f;
    clang_getFileLocation(loc, &f, NULL, NULL, off);
    return f && clang_File_isEqual(f, u->src.file);
}

static bool text_is(const Unit *u, unsigned off, const char *word);

/* What locate() found for a location.  A node and its first and last
   children often share an end (a call begins where its callee does), and
   asking libclang costs hundreds of instructions: the answers are kept in a
   small table, by location. */
typedef struct Located {
    CXSourceLocation loc;
    unsigned off;
    bool in_main, faithful, used;
} Located;

enum { LOCATED = 1024 };

static bool locate_uncached(const Unit *u, CXSourceLocation loc, unsigned *off, bool *faithful);

/* Where a location is in the main file (its offset), and whether it is
   faithful: the file text there is what was spelled there (a plain token, a
   macro argument, or the `await` keyword, itself a macro of the parse
   view), not a token from a macro's body. */
static bool locate(Unit *u, CXSourceLocation loc, unsigned *off, bool *faithful) {
    if (!u->located)
        u->located = xcalloc(LOCATED, sizeof *u->located);
    Located *l = &u->located[(loc.int_data * 2654435761u) >> 22 & (LOCATED - 1)];
    if (!l->used || !clang_equalLocations(l->loc, loc)) {
        l->loc = loc;
        l->used = true;
        l->in_main = locate_uncached(u, loc, &l->off, &l->faithful);
    }
    *off = l->off;
    *faithful = l->faithful;
    return l->in_main;
}

static bool locate_uncached(const Unit *u, CXSourceLocation loc, unsigned *off, bool *faithful) {
    CXFile ff, sf;
    unsigned fo, so;
    clang_getFileLocation(loc, &ff, NULL, NULL, &fo);
    *off = fo;
    if (!ff || !clang_File_isEqual(ff, u->src.file)) {
        *faithful = false;
        return false;
    }
    clang_getSpellingLocation(loc, &sf, NULL, NULL, &so);
    *faithful = sf && ((so == fo && clang_File_isEqual(ff, sf)) ||
                       (acc_h_file && clang_File_isEqual(sf, acc_h_file) && text_is(u, fo, "await")));
    return true;
}

unsigned cursor_offset(const Unit *u, CXCursor c) {
    unsigned off = 0;
    if (!loc_in_main(u, clang_getCursorLocation(c), &off))
        off = 0;
    return off;
}

static int marker_of(const char *name);

static Fn *new_fn(Unit *u, CXCursor decl) {
    Fn *fn = xcalloc(1, sizeof *fn);
    fn->cur = decl;
    fn->name = str_dispose(clang_getCursorSpelling(decl));
    fn->is_async = is_async_decl(decl);
    fn->is_runtime = decl_annotated(decl, ABI_ANNOT_RUNTIME);
    fn->marker = decl_annotated(decl, ABI_ANNOT_CORO) ? marker_of(fn->name) : MARK_NONE;
    fn->is_static = clang_Cursor_getStorageClass(decl) == CX_SC_Static;
    vec_push(&u->fns, fn);
    return fn;
}

/* Functions by canonical declaration, in an open-addressing table: every
   call and function reference of the file asks, so this stays O(1). */
Fn *fn_of_decl(Unit *u, CXCursor decl) {
    CXCursor canon = clang_getCanonicalCursor(decl);
    if ((unsigned)u->fns.len * 2 + 2 > u->fn_table_size) {
        unsigned size = u->fn_table_size ? u->fn_table_size * 2 : 256;
        Fn **table = xcalloc(size, sizeof *table);
        for (int i = 0; i < u->fns.len; i++) {
            Fn *f = u->fns.items[i];
            unsigned h = clang_hashCursor(clang_getCanonicalCursor(f->cur)) & (size - 1);
            while (table[h])
                h = (h + 1) & (size - 1);
            table[h] = f;
        }
        xfree(u->fn_table);
        u->fn_table = table;
        u->fn_table_size = size;
    }
    unsigned mask = u->fn_table_size - 1;
    for (unsigned h = clang_hashCursor(canon) & mask;; h = (h + 1) & mask) {
        Fn *f = u->fn_table[h];
        if (!f) {
            f = new_fn(u, decl);
            u->fn_table[h] = f;
            return f;
        }
        if (clang_equalCursors(clang_getCanonicalCursor(f->cur), canon))
            return f;
    }
}

static int marker_of(const char *name) {
    static const struct {
        const char *name;
        int mark;
    } marks[] = {
        {ABI_CORO "run", MARK_RUN},        {ABI_CORO "spawn", MARK_SPAWN},
        {ABI_CORO "run_until_complete", MARK_RUC}, {ABI_CORO "gather", MARK_GATHER},
        {ABI_CORO "wait_for", MARK_WAIT_FOR},
        {ABI_CORO "task_group_spawn", MARK_TG_SPAWN}, {ABI_CORO "spawn_eager", MARK_SPAWN_EAGER},
        {ABI_CORO "run_coroutine_threadsafe", MARK_RCT},
    };
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
        if (strcmp(name, marks[i].name) == 0)
            return marks[i].mark;
    return MARK_NONE;
}

/* ---- the node tree -------------------------------------------------------- */

static bool text_is(const Unit *u, unsigned off, const char *word) {
    size_t n = strlen(word);
    if (off + n > u->src.len || memcmp(u->src.text + off, word, n) != 0)
        return false;
    char next = u->src.text[off + n];
    return !(next == '_' || (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') ||
             (next >= '0' && next <= '9'));
}

/* Whether the token a cursor is spelled by (in a macro's body, maybe in a
   header: glibc's assert spells __PRETTY_FUNCTION__) names the function. */
static bool spells_func_name(const Unit *u, CXCursor c) {
    CXFile f;
    unsigned off;
    clang_getSpellingLocation(clang_getCursorLocation(c), &f, NULL, NULL, &off);
    size_t size = 0;
    const char *text = f ? clang_getFileContents(u->tu, f, &size) : NULL;
    if (!text)
        return false;
    static const char *const names[] = {"__func__", "__FUNCTION__", "__PRETTY_FUNCTION__"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        size_t k = strlen(names[i]);
        if (off + k <= size && memcmp(text + off, names[i], k) == 0 &&
            (off + k == size || !(text[off + k] == '_' || (text[off + k] >= 'a' && text[off + k] <= 'z') ||
                                 (text[off + k] >= 'A' && text[off + k] <= 'Z') ||
                                 (text[off + k] >= '0' && text[off + k] <= '9'))))
            return true;
    }
    return false;
}

static void classify(Unit *u, Node *n) {
    CXCursor c = n->cur;
    switch (n->kind) {
    case CXCursor_UnaryOperator:
        if (clang_getCursorUnaryOperatorKind(c) == CXUnaryOperator_Extension) {
            CXFile f;
            clang_getSpellingLocation(clang_getCursorLocation(c), &f, NULL, NULL, NULL);
            n->is_await = f && acc_h_file && clang_File_isEqual(f, acc_h_file);
        }
        break;
    case CXCursor_CallExpr: {
        CXCursor callee = clang_getCursorReferenced(c);
        Node *ref = n->nkids ? peel(n->kids[0]) : NULL;
        bool direct = ref && (ref->kind == CXCursor_DeclRefExpr || !n->in_main);
        if (clang_getCursorKind(callee) == CXCursor_FunctionDecl && direct) {
            Fn *f = fn_of_decl(u, callee);
            if (f->marker)
                n->marker = f->marker;
            else if (f->is_async)
                n->async_callee = f;
        } else if (n->nkids && fnptr_is_async_ptr(clang_getCursorType(n->kids[0]->cur))) {
            n->ptr_call = true;
        }
        break;
    }
    case CXCursor_StringLiteral:
        n->is_func_name = n->in_main && (text_is(u, n->begin, "__func__") ||
                                         text_is(u, n->begin, "__FUNCTION__") ||
                                         text_is(u, n->begin, "__PRETTY_FUNCTION__") ||
                                         spells_func_name(u, c));
        break;
    default:
        break;
    }
}

/* The length of the token that starts at `off` in the main file, as
   libclang lexes it (1 where none starts). */
static unsigned token_length(Unit *u, unsigned off) {
    Tokens ts = tokens_in(u, off, off + 1);
    unsigned len = ts.n && token_offset(u, ts.t[0]) == off ? token_end(u, ts.t[0]) - off : 0;
    tokens_dispose(u, &ts);
    return len ? len : 1;
}

/* libclang gives an empty range to a token from a macro that was expanded
   inside another macro's argument (K in ID(f(K))): the token's own length
   stands in, and no node ends before its children. */
static void repair_range(Unit *u, Node *n) {
    if (!n->in_main)
        return;
    if (n->end == n->begin && n->nkids == 0 && n->begin < u->src.len) {
        n->end = n->begin + token_length(u, n->begin);
        n->faithful = false; /* the text is the macro's name, not the value */
        n->repaired = true;
    }
    for (int i = 0; i < n->nkids; i++)
        if (n->kids[i]->in_main && n->kids[i]->end > n->end && n->kids[i]->begin >= n->begin)
            n->end = n->kids[i]->end;
}

/* A node of the cursor, its range and what its text says: all but its
   children, which the walk (build) adds. */
static Node *new_node(Unit *u, CXCursor c, Node *parent) {
    Node *n = xnew(sizeof *n);
    n->cur = c;
    n->kind = clang_getCursorKind(c);
    n->parent = parent;
    CXSourceRange r = clang_getCursorExtent(c);
    bool fb, fe;
    bool in_b = locate(u, clang_getRangeStart(r), &n->begin, &fb);
    bool in_e = locate(u, clang_getRangeEnd(r), &n->end, &fe);
    n->in_main = in_b && in_e;
    if (!n->in_main || n->end < n->begin)
        n->begin = n->end = 0, n->in_main = false;
    /* (libclang maps a node that mixes a macro's argument and body tokens
       to a file range that may cut through the macro use: "i, 4)") */
    bool cut = n->in_main && !text_balanced(u->src.text, n->begin, n->end);
    n->faithful = n->in_main && fb && fe && !cut;
    n->mixed = cut;
    n->seq = ++u->nseq;
    return n;
}

/* A node whose children are all built: they are the nodes on top of
   u->built. */
static void finish_node(Unit *u, Node *n) {
    int first = n->nkids;
    n->seq_end = u->nseq + 1;
    n->nkids = u->built.len - first;
    if (n->nkids) {
        n->kids = xmalloc((size_t)n->nkids * sizeof *n->kids);
        memcpy(n->kids, u->built.items + first, (size_t)n->nkids * sizeof *n->kids);
    }
    u->built.len = first;
    repair_range(u, n);
    classify(u, n);
}

typedef struct {
    Unit *u;
    Vec open; /* Node*: the node visited last and its ancestors, the root first */
} BuildCtx;

/*
 * One visit of libclang's over the whole subtree (CXChildVisit_Recurse):
 * libclang then walks the statements with a work list of its own, where a
 * visit per node (clang_visitChildren of each) would set up a visitor and a
 * work list for every node.  Each cursor comes with its parent: the nodes
 * still open above that parent have no more children, and are finished.
 */
static enum CXChildVisitResult build_visit(CXCursor c, CXCursor parent, CXClientData data) {
    BuildCtx *ctx = data;
    Unit *u = ctx->u;
    /* the parent: a node whose cursor has the same bytes (the usual case,
       found without asking libclang), else one equal to it */
    int at = ctx->open.len - 1;
    while (at > 0 && memcmp(&((Node *)ctx->open.items[at])->cur, &parent, sizeof parent) != 0)
        at--;
    if (at == 0) {
        at = ctx->open.len - 1;
        while (at > 0 && !clang_equalCursors(((Node *)ctx->open.items[at])->cur, parent))
            at--;
    }
    while (ctx->open.len - 1 > at)
        finish_node(u, ctx->open.items[--ctx->open.len]);
    Node *p = ctx->open.items[at];
    enum CXCursorKind k = clang_getCursorKind(c);
    if (k == CXCursor_AnnotateAttr) {
        CXString s = clang_getCursorSpelling(c);
        if (strcmp(clang_getCString(s), ABI_ANNOT_ASYNC) == 0 && !p->async_attr &&
            (p->kind == CXCursor_VarDecl || p->kind == CXCursor_FieldDecl)) {
            p->async_attr = true;
            vec_push(&u->async_objects, p);
        }
        clang_disposeString(s);
    }
    if (clang_isAttribute(k))
        return CXChildVisit_Continue;
    Node *n = new_node(u, c, p);
    vec_push(&u->built, n);
    n->nkids = u->built.len; /* until finish_node: where its children start in u->built */
    vec_push(&ctx->open, n);
    return CXChildVisit_Recurse;
}

/* acc's tree of the cursor and everything under it. */
static Node *build(Unit *u, CXCursor c, Node *parent) {
    Node *root = new_node(u, c, parent);
    root->nkids = u->built.len;
    BuildCtx ctx = {u, {0}};
    vec_push(&ctx.open, root);
    clang_visitChildren(c, build_visit, &ctx);
    while (ctx.open.len > 0)
        finish_node(u, ctx.open.items[--ctx.open.len]);
    xfree(ctx.open.items);
    return root;
}

Node *fnptr_build(Unit *u, CXCursor c) { return build(u, c, NULL); }

Tokens tokens_in(Unit *u, unsigned b, unsigned e) {
    Tokens ts = {NULL, 0};
    if (e > u->src.len)
        e = (unsigned)u->src.len;
    if (b >= e)
        return ts;
    CXSourceRange r = clang_getRange(clang_getLocationForOffset(u->tu, u->src.file, b),
                                     clang_getLocationForOffset(u->tu, u->src.file, e));
    clang_tokenize(u->tu, r, &ts.t, &ts.n);
    return ts;
}

void tokens_dispose(Unit *u, Tokens *ts) {
    if (ts->t)
        clang_disposeTokens(u->tu, ts->t, ts->n);
    ts->t = NULL;
    ts->n = 0;
}

unsigned token_offset(const Unit *u, CXToken t) {
    unsigned off = 0;
    clang_getFileLocation(clang_getTokenLocation(u->tu, t), NULL, NULL, NULL, &off);
    return off;
}

unsigned token_end(const Unit *u, CXToken t) {
    unsigned off = 0;
    clang_getFileLocation(clang_getRangeEnd(clang_getTokenExtent(u->tu, t)), NULL, NULL, NULL, &off);
    return off;
}

/* One walk over the identifier tokens of the main file for what the passes
   ask of the words the file spells: where it says `async`, and whether it
   names the runtime's API.  The file is lexed a piece at a time, each piece
   starting where the last token of the one before ends (a token boundary):
   the whole file's tokens at once would take 24 bytes a token. */
static void scan_identifiers(Unit *u) {
    enum { PIECE = 64 << 10 };
    unsigned at = 0, len = (unsigned)u->src.len;
    for (unsigned end = at + PIECE; at < len; end = at + PIECE) {
        Tokens ts = tokens_in(u, at, end);
        while (!ts.n && end < len) { /* a piece with no token (a long comment): a longer one */
            end += PIECE;
            ts = tokens_in(u, at, end);
        }
        if (!ts.n)
            break;
        for (unsigned i = 0; i < ts.n; i++) {
            if (clang_getTokenKind(ts.t[i]) != CXToken_Identifier)
                continue;
            CXString sp = clang_getTokenSpelling(u->tu, ts.t[i]); /* a reference: no copy */
            const char *s = clang_getCString(sp);
            if (s && strcmp(s, "async") == 0)
                vec_push(&u->async_words, (void *)(uintptr_t)token_offset(u, ts.t[i]));
            else if (s && !u->names_api)
                u->names_api = is_api_name(s);
            clang_disposeString(sp);
        }
        unsigned next = token_end(u, ts.t[ts.n - 1]);
        tokens_dispose(u, &ts);
        if (next <= at || end >= len)
            break;
        at = next;
    }
}

unsigned first_async_word(const Unit *u, unsigned off) {
    int lo = 0, hi = u->async_words.len;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if ((uintptr_t)u->async_words.items[mid] < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < u->async_words.len ? (unsigned)(uintptr_t)u->async_words.items[lo] : UINT32_MAX;
}

char *node_text(const Unit *u, const Node *n) {
    return xstrndup(u->src.text + n->begin, n->end - n->begin);
}

bool is_kind_expr(enum CXCursorKind k) { return clang_isExpression(k) != 0; }

bool same_stmt(CXCursor a, CXCursor b) {
    return clang_getCursorKind(a) == clang_getCursorKind(b) &&
           clang_equalLocations(clang_getCursorLocation(a), clang_getCursorLocation(b)) &&
           clang_equalRanges(clang_getCursorExtent(a), clang_getCursorExtent(b));
}

Node *peel(Node *n) {
    while (n && (n->kind == CXCursor_ParenExpr ||
                 (n->kind == CXCursor_UnexposedExpr && n->nkids == 1)))
        n = n->kids[0];
    return n;
}

Node *call_callee_ref(Node *call) {
    if (call->nkids == 0)
        return NULL;
    Node *c = peel(call->kids[0]);
    return c && c->kind == CXCursor_DeclRefExpr ? c : NULL;
}

int call_args(Node *call, Node ***args) {
    int nargs = clang_Cursor_getNumArguments(call->cur);
    if (nargs < 0 || nargs > call->nkids)
        nargs = 0;
    *args = call->kids + (call->nkids - nargs);
    return nargs;
}

static void comma_operands(Node *n, Vec *out) {
    Node *p = peel(n);
    if (p && p->kind == CXCursor_BinaryOperator &&
        clang_getCursorBinaryOperatorKind(p->cur) == CXBinaryOperator_Comma && p->nkids == 2) {
        comma_operands(p->kids[0], out);
        comma_operands(p->kids[1], out);
    } else {
        vec_push(out, n);
    }
}

int marker_coros(Node *call, Node ***out) {
    Node **args;
    int nargs = call_args(call, &args);
    int idx = call->marker == MARK_RUC || call->marker == MARK_TG_SPAWN || call->marker == MARK_RCT;
    *out = NULL;
    if (idx >= nargs)
        return 0;
    Vec ops = {0};
    comma_operands(args[idx], &ops);
    int n = 0;
    *out = xcalloc((size_t)ops.len + 1, sizeof **out);
    for (int i = 0; i + 1 < ops.len; i++)
        (*out)[n++] = peel(ops.items[i]);
    xfree(ops.items);
    return n;
}

Node *marker_extra_arg(Node *call) {
    Node **args;
    int nargs = call_args(call, &args);
    if ((call->marker == MARK_RUC || call->marker == MARK_TG_SPAWN || call->marker == MARK_RCT) &&
        nargs >= 1)
        return peel(args[0]);
    if (call->marker == MARK_WAIT_FOR && nargs >= 2)
        return peel(args[1]);
    return NULL;
}

/* ---- the translation unit ------------------------------------------------- */

static enum CXChildVisitResult top_visit(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    Unit *u = data;
    unsigned off;
    fnptr_note_async_word(u, c);
    if (clang_getCursorKind(c) == CXCursor_VarDecl && loc_in_main(u, clang_getCursorLocation(c), &off))
        fnptr_file_scope(u, c);
    if (clang_getCursorKind(c) != CXCursor_FunctionDecl)
        return CXChildVisit_Continue;
    if (!loc_in_main(u, clang_getCursorLocation(c), &off))
        return CXChildVisit_Continue;
    Fn *fn = fn_of_decl(u, c);
    fn->in_main = true;
    CXSourceRange r = clang_getCursorExtent(c);
    unsigned b = 0, e = 0;
    bool fb, fe;
    locate(u, clang_getRangeStart(r), &b, &fb);
    locate(u, clang_getRangeEnd(r), &e, &fe);
    (void)fb;
    if (!fe && e < u->src.len) /* defined by a macro: the end is the use's last token */
        e += token_length(u, e);
    if (clang_isCursorDefinition(c)) {
        fn->cur = c;
        fn->begin = b;
        fn->end = e;
        fn->is_async = is_async_decl(c);
        fn->is_static = fn->is_static || clang_Cursor_getStorageClass(c) == CX_SC_Static;
        fn->is_main = strcmp(fn->name, "main") == 0;
        Node *decl = build(u, c, NULL);
        fn->def = decl;
        for (int i = 0; i < decl->nkids; i++)
            if (decl->kids[i]->kind == CXCursor_CompoundStmt)
                fn->body = decl->kids[i];
        if (fn->body)
            vec_push(&u->defs, fn);
    } else if (is_async_decl(c)) {
        /* a prototype: rewritten into the constructor's prototype */
        Fn *proto = xcalloc(1, sizeof *proto);
        *proto = *fn;
        proto->cur = c;
        proto->begin = b;
        proto->end = e;
        proto->is_async = true;
        proto->is_static = clang_Cursor_getStorageClass(c) == CX_SC_Static;
        vec_push(&u->protos, proto);
    }
    return CXChildVisit_Continue;
}

/* The ranges of the main file the preprocessor skipped (the branches of
   #if not taken): directives there never take effect. */
static void collect_skipped(Unit *u) {
    CXSourceRangeList *list = clang_getSkippedRanges(u->tu, u->src.file);
    if (!list)
        return;
    u->skipped = xcalloc((size_t)list->count * 2 + 1, sizeof *u->skipped);
    for (unsigned i = 0; i < list->count; i++) {
        unsigned b = 0, e = 0;
        clang_getFileLocation(clang_getRangeStart(list->ranges[i]), NULL, NULL, NULL, &b);
        clang_getFileLocation(clang_getRangeEnd(list->ranges[i]), NULL, NULL, NULL, &e);
        u->skipped[2 * u->nskipped] = b;
        u->skipped[2 * u->nskipped + 1] = e;
        u->nskipped++;
    }
    clang_disposeSourceRangeList(list);
}

bool in_skipped(const Unit *u, unsigned off) {
    for (int i = 0; i < u->nskipped; i++)
        if (off >= u->skipped[2 * i] && off < u->skipped[2 * i + 1])
            return true;
    return false;
}

/* The major version of the libclang acc runs with (0 when unknown). */
static int libclang_major(void) {
    char *v = str_dispose(clang_getClangVersion()); /* "... clang version 19.1.7 (...)" */
    const char *p = strstr(v, "version ");
    int major = p ? atoi(p + strlen("version ")) : 0;
    xfree(v);
    return major;
}

int parse_unit(Unit *u, const Options *opt) {
    u->src.path = opt->input;
    u->src.text = read_file(opt->input, &u->src.len);
    if (!u->src.text) {
        fprintf(stderr, "acc: error: cannot read '%s'\n", opt->input);
        return -1;
    }
    if (strlen(u->src.text) != u->src.len) {
        fprintf(stderr, "%s: error: the file contains a NUL byte\n", opt->input);
        return -1;
    }
    char *inc = find_acc_include();
    if (!inc) {
        fprintf(stderr, "acc: error: cannot find acc.h (set ACC_INCLUDE_DIR)\n");
        return -1;
    }
    char *acc_h = fmt("%s/acc.h", inc);
    Vec args = {0};
    const char *fixed[] = {"-x", "c", "-D" ABI_PARSE_DEFINE "=1", "-ferror-limit=50"};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        vec_push(&args, (void *)fixed[i]);
    /* acc reports only clang's errors, and clang's -Wreturn-type costs a
       control-flow graph of every function body for its warnings (falling
       off the end of a non-void function): a twelfth of the parse.  Its errors
       are the subgroup -Wreturn-mismatch (since LLVM 19; before, the errors
       are in -Wreturn-type itself, which then stays on), errors by default,
       so -Werror keeps them what they were.  A #pragma that turns the
       warnings into errors still does. */
    if (libclang_major() >= 19) {
        vec_push(&args, "-Wno-return-type");
        vec_push(&args, "-Werror=return-mismatch");
    }
    for (int i = 0; i < opt->clang_args.len; i++)
        vec_push(&args, opt->clang_args.items[i]);
    vec_push(&args, fmt("-I%s", inc));
    vec_push(&args, "-include");
    vec_push(&args, acc_h);

    u->index = clang_createIndex(0, 0);
    enum CXErrorCode err = clang_parseTranslationUnit2(
        u->index, opt->input, (const char *const *)args.items, args.len, NULL, 0,
        CXTranslationUnit_DetailedPreprocessingRecord, &u->tu);
    xfree(args.items);
    if (err != CXError_Success || !u->tu) {
        fprintf(stderr, "%s: error: libclang could not parse the file (error %d)\n", opt->input,
                (int)err);
        xfree(inc);
        return -1;
    }
    if (report_clang_errors(u->tu)) {
        xfree(inc);
        return -1;
    }
    u->src.file = clang_getFile(u->tu, opt->input);
    u->src.tu = u->tu;
    acc_h_file = clang_getFile(u->tu, acc_h);
    xfree(inc);
    if (!u->src.file)
        die("main file not found in the translation unit");
    collect_skipped(u);
    scan_identifiers(u);
    clang_visitChildren(clang_getTranslationUnitCursor(u->tu), top_visit, u);
    for (int i = 0; i < u->fns.len; i++) {
        Fn *f = u->fns.items[i];
        if (f->is_runtime && !f->is_async) {
            /* the parse view's `async` is a calling convention of x86-64 and AArch64 */
            fprintf(stderr, "acc: error: libclang ignores the 'preserve_most' calling convention "
                            "on this target, which acc's parse view needs for 'async'\n");
            return -1;
        }
    }
    return 0;
}

void unit_dispose(Unit *u) {
    if (u->tu)
        clang_disposeTranslationUnit(u->tu);
    if (u->index)
        clang_disposeIndex(u->index);
    u->tu = NULL;
    u->src.tu = NULL;
    u->index = NULL;
}
