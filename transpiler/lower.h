/*
 * lower.h: the lowering pass's own header (lower*.c, edit.c, slots.c).
 *
 * The fourth stage.  Turns the body of an async function into the
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
#ifndef ACC_LOWER_H
#define ACC_LOWER_H

#include "abi.h"
#include "accc.h"

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
    bool direct;        /* lowering the body of fn's direct entry (lazy.c): no resume labels */
    int nawaits;        /* (direct) resume points numbered so far, as lower_fn numbers them */
    int full;           /* (direct) expressions being lowered: 0 outside a full expression */
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

#define F ABI_F /* the frame pointer in body functions */

/* ---- lower.c ----------------------------------------------------------------- */

void put(Lower *L, const char *s);
void putf(Lower *L, const char *format, ...) __attribute__((format(printf, 2, 3)));
void new_line(Lower *L, unsigned off);

/* ---- edit.c ------------------------------------------------------------------ */

Rep *rep(Node *n, char *text);
char *apply(Lower *L, unsigned b, unsigned e, Vec *reps);
Vec reps_inside(Node *n, Vec *reps);

/* ---- lower_macro.c ----------------------------------------------------------- */

bool whole_use(Node *n);
char *text_of(Lower *L, Node *n, Vec *reps);
extern const char *L_src_text; /* the file's text, for whole_use */

/* ---- slots.c ----------------------------------------------------------------- */

char *slot_ref(Lower *L, const char *name);
char *add_slot(Lower *L, char *(*decl)(CXType, const char *), CXType t);
char *temp_of_type(Lower *L, CXType t, unsigned where);
char *temp_decl(Lower *L, const char *type_prefix);
void put_spills(Lower *L, Node *w, bool out);
bool needs_zero(Node *decl);

/* ---- lower_expr.c ------------------------------------------------------------ */

bool is_array_type(CXType t);
char *resident_ref(Lower *L, Var *v);
char *expr_text(Lower *L, Node *n);
void lower_discard(Lower *L, Node *n);

/* ---- lazy.c ------------------------------------------------------------------ */

void lazy_guard(Lower *L, Node *n);
char *direct_call(Fn *callee, const char *res, char **texts, int n);

/* ---- lower_stmt.c ------------------------------------------------------------ */

void push_scope(Lower *L, int kind, Node *node, Var *var);
void pop_scope(Lower *L, int kind);
void put_cleanups(Lower *L, int to, Node *label);
Node *var_init(Node *v);
void lower_stmt(Lower *L, Node *n);
bool mark_stmt_exprs(Node *n, bool printed);

#endif /* ACC_LOWER_H */
