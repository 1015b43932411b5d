/*
 * slots.c: the frame slots lowering invents (temporaries that hold a value
 * across an await) and the spills and reloads of the C variables that live
 * across one.
 */
#include "lower.h"

#include <stdint.h>

/* The lvalue of the frame slot `name`: acc__f->name, or in a twin, whose
   slots are C variables of its own, name. */
char *slot_ref(Lower *L, const char *name) {
    return L->twin ? xstrdup(name) : fmt("%s->%s", F, name);
}

/* A new frame slot declared as decl(t, name); returns "acc__f->acc__tN". */
char *add_slot(Lower *L, char *(*decl)(CXType, const char *), CXType t) {
    char *name = fmt(ABI_TEMP "%d", L->fn->temps.len);
    vec_push(&L->fn->temps, decl(t, name));
    char *r = slot_ref(L, name);
    xfree(name);
    return r;
}

/* A frame slot holding a value of type t (arrays and functions decayed). */
char *temp_of_type(Lower *L, CXType t, unsigned where) {
    if (!type_nameable(t))
        error_at(&L->u->src, where,
                 "a value whose type is declared inside async function '%s' must be held "
                 "across an await; declare the type at file scope",
                 L->fn->name);
    return add_slot(L, declare_value, t);
}

char *temp_decl(Lower *L, const char *type_prefix) {
    int k = L->fn->temps.len;
    char *name = fmt(ABI_TEMP "%d", k);
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
void put_spills(Lower *L, Node *w, bool out) {
    for (int i = 0; i < L->fn->vars.len; i++) {
        Var *v = L->fn->vars.items[i];
        if (!v->in_frame || v->resident || v->is_static || !live_at(v, w) ||
            !live_after(L->fn, v, w))
            continue;
        if (v->bytes || (!out && !v->assignable && !v->is_param))
            L->u->need_copy = true;
        if (out && v->bytes) /* (a volatile local is read once, as by `=`) */
            putf(L, "(void)" ABI_COPY "(%s->%s, (const void *)&%s, sizeof %s); ", F, v->field, v->name,
                 v->name);
        else if (out)
            putf(L, "%s->%s = %s; ", F, v->field, v->name);
        else if (v->is_param)
            continue;
        else if (v->bytes)
            putf(L, "(void)" ABI_COPY "((void *)&%s, %s->%s, sizeof %s); ", v->name, F, v->field, v->name);
        else if (!v->assignable)
            putf(L, "(void)" ABI_COPY "((void *)&%s, &%s->%s, sizeof %s); ", v->name, F, v->field, v->name);
        else
            putf(L, "%s = %s->%s; ", v->name, F, v->field);
    }
}

/* A variable declared without an initializer that may be spilled: it
   starts as zero, so that no spill copies an indeterminate value (which
   compilers rightly warn about).  T x;  =>  T x = {0};  */
bool needs_zero(Node *decl) {
    Var *v = decl->var;
    return v && v->in_frame && !v->resident && !v->is_static && !v->is_param &&
           decl->faithful && !var_init(decl);
}
