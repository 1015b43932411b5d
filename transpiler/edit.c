/*
 * edit.c: acc's one text-edit engine.  Lowering keeps what the user wrote
 * and replaces only the byte ranges of the source that change: a rep list
 * holds the replacements of a subtree, and apply writes the source text of a
 * range with them in place (the innermost of nested replacements is inside
 * an outer one's text already, and is skipped).
 */
#include "lower.h"

#include <stdlib.h>

Rep *rep(Node *n, char *text) {
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
char *apply(Lower *L, unsigned b, unsigned e, Vec *reps) {
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
Vec reps_inside(Node *n, Vec *reps) {
    Vec in = {0};
    for (int i = 0; i < reps->len; i++) {
        Rep *r = reps->items[i];
        if (is_inside(r->node, n))
            vec_push(&in, r);
    }
    return in;
}
