/*
 * types.c: spelling C declarations from libclang types.
 *
 * Frame slots, temporaries and constructor prototypes need a declaration of
 * a name with a given type, which for pointers to arrays or functions is not
 * "type-spelling name": the name goes inside the declarator, as in
 * `int (*name)[3]`.  declare() builds the declarator from the outside in, the
 * way chibicc's declarator parser reads one.
 */
#include "abi.h"
#include "accc.h"

#include <stdlib.h>
#include <string.h>

static bool is_array(CXType t) {
    return t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray ||
           t.kind == CXType_VariableArray || t.kind == CXType_DependentSizedArray;
}

static bool is_function(CXType t) {
    return t.kind == CXType_FunctionProto || t.kind == CXType_FunctionNoProto;
}

/* Qualifiers written after a `*`: `* const`. */
static char *pointer_quals(CXType t) {
    Buf b = {0};
    buf_put(&b, "*");
    if (clang_isConstQualifiedType(t))
        buf_put(&b, "const ");
    if (clang_isVolatileQualifiedType(t))
        buf_put(&b, "volatile ");
    if (clang_isRestrictQualifiedType(t))
        buf_put(&b, "restrict ");
    return buf_take(&b);
}

typedef struct {
    CXCursor decl;
    char *name; /* how declare() spells the type: "struct acc__pt_1" */
    char *tag;  /* what replaces the declared name in the source: "acc__pt_1" */
} Alias;

static Vec aliases; /* Alias*: local types hoisted to file scope under a name */

void types_reset(void) { aliases = (Vec){0}; /* the items were arena memory */ }

void type_alias(CXCursor decl, const char *name, const char *tag) {
    Alias *a = xmalloc(sizeof *a);
    a->decl = decl;
    a->name = xstrdup(name);
    a->tag = xstrdup(tag);
    vec_push(&aliases, a);
}

const char *alias_tag(CXCursor decl) {
    for (int i = 0; i < aliases.len; i++) {
        Alias *a = aliases.items[i];
        if (clang_equalCursors(a->decl, decl))
            return a->tag;
    }
    return NULL;
}

static const char *alias_of(CXCursor decl) {
    for (int i = 0; i < aliases.len; i++) {
        Alias *a = aliases.items[i];
        if (clang_equalCursors(a->decl, decl))
            return a->name;
    }
    return NULL;
}

static bool is_hoisted(CXCursor d) {
    if (alias_of(d))
        return true;
    return false;
}

static char *declare_inner(CXType t, const char *inner);

/* The declaration of `inner` (a declarator, freed here) as a `t`. */
static char *around(CXType t, char *inner) {
    char *r = declare_inner(t, inner);
    xfree(inner);
    return r;
}

static char *declare_inner(CXType t, const char *inner) {
    switch (t.kind) {
    case CXType_Pointer: {
        CXType pointee = clang_getPointeeType(t);
        char *q = pointer_quals(t);
        bool paren = is_array(pointee) || is_function(pointee);
        char *d = fmt(paren ? "(%s%s)" : "%s%s", q, inner);
        xfree(q);
        return around(pointee, d);
    }
    case CXType_ConstantArray:
        return around(clang_getArrayElementType(t), fmt("%s[%lld]", inner, clang_getArraySize(t)));
    case CXType_IncompleteArray:
        return around(clang_getArrayElementType(t), fmt("%s[]", inner));
    case CXType_FunctionProto: {
        Buf b = {0};
        buf_printf(&b, "%s(", inner);
        int n = clang_getNumArgTypes(t);
        for (int i = 0; i < n; i++) {
            char *a = declare(clang_getArgType(t, (unsigned)i), "");
            buf_printf(&b, "%s%s", i ? ", " : "", a);
            xfree(a);
        }
        if (clang_isFunctionTypeVariadic(t))
            buf_put(&b, n ? ", ..." : "...");
        else if (n == 0)
            buf_put(&b, "void");
        buf_put(&b, ")");
        return around(clang_getResultType(t), buf_take(&b));
    }
    case CXType_FunctionNoProto:
        return around(clang_getResultType(t), fmt("%s()", inner));
    default: {
        CXType named = t.kind == CXType_Elaborated ? clang_Type_getNamedType(t) : t;
        const char *alias = alias_of(clang_getTypeDeclaration(named));
        if (alias) {
            Buf b = {0};
            if (clang_isConstQualifiedType(t))
                buf_put(&b, "const ");
            if (clang_isVolatileQualifiedType(t))
                buf_put(&b, "volatile ");
            buf_put(&b, alias);
            if (*inner)
                buf_printf(&b, " %s", inner);
            return buf_take(&b);
        }
        char *s = str_dispose(clang_getTypeSpelling(t));
        char *r = *inner ? fmt("%s %s", s, inner) : xstrdup(s);
        xfree(s);
        return r;
    }
    }
}

char *declare(CXType t, const char *name) { return declare_inner(t, name); }

char *declare_slot(CXType t, const char *name) {
    if (!is_array(t) && t.kind != CXType_Pointer)
        t = clang_getUnqualifiedType(t);
    if (t.kind == CXType_Pointer && clang_isConstQualifiedType(t))
        t = clang_getUnqualifiedType(t);
    return declare(decayed_param(t), name);
}

/* The declaration of `inner` as a `t` whose innermost elements (t itself
   when not an array) carry the qualifiers `q` ("const ", ...): a qualified
   array, `const vec3` of `typedef double vec3[3]`, is an array of qualified
   elements in C, but libclang's element type of it has lost them. */
static char *declare_elements_qualified(CXType t, const char *q, char *inner) {
    char *r;
    if (t.kind == CXType_ConstantArray)
        r = declare_elements_qualified(clang_getArrayElementType(t), q,
                                       fmt("%s[%lld]", inner, clang_getArraySize(t)));
    else if (t.kind == CXType_IncompleteArray)
        r = declare_elements_qualified(clang_getArrayElementType(t), q, fmt("%s[]", inner));
    else
        r = around(t, fmt("%s%s", q, inner));
    xfree(inner);
    return r;
}

char *declare_value(CXType t, const char *name) {
    t = decayed_param(t);
    if (is_array(t) || is_function(t)) {
        CXType target = is_array(t) ? clang_getArrayElementType(t) : t;
        char *inner = is_array(target) || is_function(target) ? fmt("(*%s)", name)
                                                               : fmt("*%s", name);
        if (is_array(t) && (clang_isConstQualifiedType(t) || clang_isVolatileQualifiedType(t)))
            return declare_elements_qualified(
                target,
                clang_isConstQualifiedType(t)
                    ? (clang_isVolatileQualifiedType(t) ? "const volatile " : "const ")
                    : "volatile ",
                inner);
        char *r = declare_inner(target, inner);
        xfree(inner);
        return r;
    }
    return declare_slot(t, name);
}

CXType decayed_param(CXType t) {
    /* libclang shows adjusted parameter types as written (a typedef of an
       array included); declare_value decays what is an array underneath */
    CXType c = clang_getCanonicalType(t);
    return is_array(c) || is_function(c) ? c : t;
}

/* The declaration a type names, following pointers and arrays down. */
static CXCursor base_decl(CXType t) {
    for (;;) {
        if (t.kind == CXType_Pointer)
            t = clang_getPointeeType(t);
        else if (is_array(t))
            t = clang_getArrayElementType(t);
        else if (t.kind == CXType_Elaborated)
            t = clang_Type_getNamedType(t);
        else
            break;
    }
    return clang_getTypeDeclaration(t);
}

bool type_nameable(CXType t) {
    CXCursor d = base_decl(t);
    if (clang_Cursor_isNull(d) || clang_getCursorKind(d) == CXCursor_NoDeclFound || is_hoisted(d))
        return true;
    if (clang_Cursor_isAnonymous(d) && clang_getCursorKind(d) != CXCursor_TypedefDecl) {
        char *s = str_dispose(clang_getTypeSpelling(t));
        bool unnamed = strstr(s, "(unnamed") || strstr(s, "(anonymous");
        xfree(s);
        if (unnamed)
            return false;
    }
    for (CXCursor p = clang_getCursorSemanticParent(d); !clang_Cursor_isNull(p);
         p = clang_getCursorSemanticParent(p)) {
        enum CXCursorKind k = clang_getCursorKind(p);
        if (k == CXCursor_FunctionDecl)
            return false;
        if (k == CXCursor_TranslationUnit || clang_isInvalid(k))
            break;
    }
    return true;
}

void put_arg_params(Buf *b, Fn *fn, bool with_names, const char *sep) {
    int n = clang_Cursor_getNumArguments(fn->cur);
    for (int i = 0; i < n; i++) {
        CXType t = decayed_param(clang_getCursorType(clang_Cursor_getArgument(fn->cur, (unsigned)i)));
        char *name = with_names ? fmt(ABI_ARG "%d", i) : xstrdup("");
        char *d = declare_value(t, name);
        buf_printf(b, "%s%s", i ? ", " : sep, d);
        xfree(d);
        xfree(name);
    }
}

char *ctor_proto(Fn *fn, bool with_names) {
    Buf b = {0};
    buf_printf(&b, "%s" ABI_FRAME " *%s" ABI_CTOR "(", fn->is_static ? "static " : "", fn->name);
    CXType rt = clang_getResultType(clang_getCursorType(fn->cur));
    bool has_res = rt.kind != CXType_Void;
    if (has_res) {
        char *d = declare(rt, with_names ? "*" ABI_RES : "*");
        buf_put(&b, d);
        xfree(d);
    }
    put_arg_params(&b, fn, with_names, has_res ? ", " : "");
    if (!has_res && clang_Cursor_getNumArguments(fn->cur) == 0)
        buf_put(&b, "void");
    buf_put(&b, ")");
    return buf_take(&b);
}
