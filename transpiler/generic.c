/*
 * generic.c: which association of a `_Generic` selection is chosen.
 *
 * C11 6.5.1.1 evaluates only the chosen association and never the
 * controlling expression, so an await in any other place of a selection
 * must not run: lowering writes the selection out as its chosen expression.
 * libclang does not say which association was chosen, so it is found here,
 * by what libclang does say:
 *   1. the selection has the chosen expression's type: only associations
 *      whose expression has that type can be the one;
 *   2. a selection whose value is a constant has the chosen one's value;
 *   3. the type name written before each remaining association (found from
 *      the spelling of its expression, in the file or in a macro's body)
 *      against the type of the controlling expression after lvalue
 *      conversion (qualifiers dropped, arrays and functions decayed);
 *   4. `default`, once every other remaining type name was understood and
 *      none matched.
 * A selection still undecided is an error (never a guess).
 */
#include "accc.h"

#include <ctype.h>
#include <string.h>

static CXType canon(CXType t) { return clang_getCanonicalType(t); }

/* Where the association expression e starts in the text that has its type
   name before it (a ':' before it): where it is spelled (the file, or a
   macro's body), or where it is expanded (`await`, itself a macro). */
static const char *assoc_at(Unit *u, Node *e, CXFile *file, unsigned *off) {
    Node *x = e; /* an await's operand: `await` is spelled in acc.h */
    while (x->is_await && x->nkids)
        x = x->kids[x->nkids - 1];
    CXSourceLocation loc = clang_getRangeStart(clang_getCursorExtent(x->cur));
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 0)
            clang_getSpellingLocation(loc, file, NULL, NULL, off);
        else
            clang_getExpansionLocation(loc, file, NULL, NULL, off);
        size_t size;
        const char *t = *file ? clang_getFileContents(u->tu, *file, &size) : NULL;
        if (!t || *off > size)
            continue;
        long p = (long)*off - 1;
        for (;;) { /* back over blanks and the `await`s before x */
            while (p >= 0 && isspace((unsigned char)t[p]))
                p--;
            if (p >= 4 && strncmp(t + p - 4, "await", 5) == 0 &&
                (p == 4 || !(isalnum((unsigned char)t[p - 5]) || t[p - 5] == '_')))
                p -= 5;
            else
                break;
        }
        if (p >= 0 && t[p] == ':') {
            *off = (unsigned)(p + 1);
            return t;
        }
    }
    return NULL;
}

/* The type name written before the association expression e, `default`
   included, whitespace collapsed; NULL when it cannot be read. */
static char *assoc_name(Unit *u, Node *e) {
    unsigned off;
    CXFile f;
    const char *t = assoc_at(u, e, &f, &off);
    if (!t)
        return NULL;
    long p = (long)off - 1;
    while (p >= 0 && isspace((unsigned char)t[p]))
        p--;
    if (p < 0 || t[p] != ':')
        return NULL;
    long end = p;
    int depth = 0;
    for (p--; p >= 0; p--) {
        char c = t[p];
        if (c == ')' || c == ']')
            depth++;
        else if ((c == '(' || c == '[') && depth-- == 0)
            return NULL;
        else if (c == ',' && depth == 0)
            break;
        else if (c == '\n' && p > 0 && t[p - 1] == '\\')
            p--;
    }
    if (p < 0)
        return NULL;
    Buf b = {0};
    bool space = false;
    for (long i = p + 1; i < end; i++) {
        char c = t[i];
        if (c == '\\' && t[i + 1] == '\n')
            continue;
        if (isspace((unsigned char)c)) {
            space = b.len > 0;
            continue;
        }
        /* "char *" and "char*" alike: a space before '*' only */
        if (space && (isalnum((unsigned char)c) || c == '_' || c == '*' || c == '('))
            buf_put(&b, " ");
        space = false;
        buf_putn(&b, &c, 1);
    }
    return buf_take(&b);
}

/* A type spelled only with the keywords of basic types, in canonical form
   ("long int" -> "long", "unsigned" -> "unsigned int"); NULL otherwise. */
static char *basic_name(const char *s) {
    int nlong = 0, nunsigned = 0, nsigned = 0, nshort = 0, nint = 0, nchar = 0, ndouble = 0,
        nfloat = 0, nbool = 0;
    const char *p = s;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        size_t k = (size_t)(p - w);
        if (!k)
            break;
#define IS(word) (k == strlen(word) && strncmp(w, word, k) == 0)
        if (IS("long"))
            nlong++;
        else if (IS("unsigned"))
            nunsigned++;
        else if (IS("signed"))
            nsigned++;
        else if (IS("short"))
            nshort++;
        else if (IS("int"))
            nint++;
        else if (IS("char"))
            nchar++;
        else if (IS("double"))
            ndouble++;
        else if (IS("float"))
            nfloat++;
        else if (IS("_Bool"))
            nbool++;
        else
            return NULL;
#undef IS
    }
    const char *u = nunsigned ? "unsigned " : "";
    if (nbool)
        return xstrdup("_Bool");
    if (nfloat)
        return xstrdup("float");
    if (ndouble)
        return xstrdup(nlong ? "long double" : "double");
    if (nchar)
        return fmt("%schar", nunsigned ? "unsigned " : nsigned ? "signed " : "");
    if (nshort)
        return fmt("%sshort", u);
    if (nlong >= 2)
        return fmt("%slong long", u);
    if (nlong)
        return fmt("%slong", u);
    if (nint || nunsigned || nsigned)
        return fmt("%sint", u);
    return NULL;
}

/* The controlling expression's type after lvalue conversion, spelled in
   the ways a type name may match it: canonical, and as declared. */
static void control_names(Node *ctl, Vec *names) {
    CXType t = clang_getCursorType(ctl->cur);
    for (int pass = 0; pass < 2; pass++) {
        CXType x = pass ? canon(t) : t;
        CXType c = canon(x);
        char *s;
        if (c.kind == CXType_ConstantArray || c.kind == CXType_IncompleteArray) {
            char *e = str_dispose(clang_getTypeSpelling(clang_getArrayElementType(c)));
            s = fmt("%s *", e);
        } else if (c.kind == CXType_FunctionProto || c.kind == CXType_FunctionNoProto) {
            continue;
        } else {
            s = str_dispose(clang_getTypeSpelling(clang_getUnqualifiedType(x)));
        }
        vec_push(names, s);
        char *b = basic_name(s);
        if (b)
            vec_push(names, b);
    }
}

/* A type name that is one typedef name: its canonical type's spelling. */
static char *typedef_name(Unit *u, Node *e, const char *name) {
    for (const char *p = name; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_'))
            return NULL;
    CXFile f;
    unsigned off;
    const char *t = assoc_at(u, e, &f, &off);
    if (!t)
        return NULL;
    /* the name just before the ':' before the expression */
    long p = (long)off - 1;
    while (p >= 0 && (isspace((unsigned char)t[p]) || t[p] == ':'))
        p--;
    long k = (long)strlen(name);
    if (p + 1 < k || strncmp(t + p + 1 - k, name, (size_t)k) != 0)
        return NULL;
    CXCursor c = clang_getCursor(u->tu, clang_getLocationForOffset(u->tu, f, (unsigned)(p + 1 - k)));
    if (clang_getCursorKind(c) != CXCursor_TypeRef)
        return NULL;
    CXType ty = clang_getCursorType(c);
    return str_dispose(clang_getTypeSpelling(clang_getUnqualifiedType(canon(ty))));
}

Node *generic_selected(Unit *u, Node *g) {
    if (g->nkids < 2)
        return NULL;
    CXType gt = canon(clang_getCursorType(g->cur));
    Node **cand = xcalloc((size_t)g->nkids, sizeof *cand);
    int n = 0;
    for (int i = 1; i < g->nkids; i++)
        if (clang_equalTypes(canon(clang_getCursorType(g->kids[i]->cur)), gt))
            cand[n++] = g->kids[i];
    if (n == 1)
        return cand[0];
    if (n == 0)
        return NULL;
    /* 2: a constant selection has the chosen one's value */
    CXEvalResult r = clang_Cursor_Evaluate(g->cur);
    if (r) {
        int m = 0;
        Node *hit = NULL;
        for (int i = 0; i < n; i++) {
            CXEvalResult ri = clang_Cursor_Evaluate(cand[i]->cur);
            bool same = ri && clang_EvalResult_getKind(ri) == clang_EvalResult_getKind(r) &&
                        ((clang_EvalResult_getKind(r) == CXEval_Int &&
                          clang_EvalResult_getAsLongLong(r) == clang_EvalResult_getAsLongLong(ri)) ||
                         (clang_EvalResult_getKind(r) == CXEval_Float &&
                          clang_EvalResult_getAsDouble(r) == clang_EvalResult_getAsDouble(ri)));
            if (ri)
                clang_EvalResult_dispose(ri);
            if (same)
                hit = cand[i], m++;
        }
        clang_EvalResult_dispose(r);
        if (m == 1)
            return hit;
    }
    /* 3: the type names as written */
    Vec names = {0};
    control_names(g->kids[0], &names);
    Node *def = NULL, *match = NULL;
    int matches = 0;
    bool all_read = true;
    for (int i = 0; i < n; i++) {
        char *a = assoc_name(u, cand[i]);
        if (!a) {
            all_read = false;
            continue;
        }
        if (strcmp(a, "default") == 0) {
            def = cand[i];
            continue;
        }
        char *b = basic_name(a);
        char *td = typedef_name(u, cand[i], a);
        /* a name understood: no spelling of the control type could miss it */
        bool read = b || td ||
                    (!strpbrk(a, "*([") && (strncmp(a, "struct ", 7) == 0 ||
                                            strncmp(a, "union ", 6) == 0 || strncmp(a, "enum ", 5) == 0));
        all_read &= read;
        bool hit = false;
        for (int j = 0; j < names.len && !hit; j++) {
            const char *s = names.items[j];
            hit = strcmp(a, s) == 0 || (b && strcmp(b, s) == 0) || (td && strcmp(td, s) == 0);
        }
        if (hit)
            match = cand[i], matches++;
    }
    if (matches == 1)
        return match;
    /* 4: default, when no other type name can match */
    if (matches == 0 && def && all_read)
        return def;
    return NULL;
}
