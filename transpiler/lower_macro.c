/*
 * lower_macro.c: acc's macro policy, the side of it that lowering asks.  A
 * node's text with its replacements applied is the node lowered only when
 * the file spells the node (or the whole use of a macro): a piece of a
 * macro's body has the range of the whole use, and an argument the macro
 * expands twice has two nodes with one range.  Otherwise the node is
 * printed from libclang's tree (macro.c's print_expanded), each node with
 * its own replacement.
 */
#include "lower.h"

const char *L_src_text; /* the file's text, for whole_use */

/* A node whose text is exactly it: spelled in the file, or the whole
   expansion of a macro use (acc_run(x), an object-like macro naming a
   local), not a piece of a macro's body (the (a) of
   `#define ADD(a, b) ((a) + (b))`, whose range is all of ADD(...)). */
bool whole_use(Node *n) {
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
char *text_of(Lower *L, Node *n, Vec *reps) {
    Vec in = reps_inside(n, reps);
    bool works = text_works(n, &in);
    xfree(in.items);
    if (works)
        return apply(L, n->begin, n->end, reps);
    SubCtx c = {L, reps};
    return print_expanded(L->u, L->fn, n, sub_text, &c);
}
