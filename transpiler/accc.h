/*
 * accc.h: the one internal header of acc, the transpiler.
 *
 * acc reads a .ac file (C11 plus `async` and `await`) through libclang and
 * writes portable C: every async function becomes a frame struct, a
 * constructor and a resume function; everything else is copied byte for
 * byte.  The stages, in order (main.c):
 *
 *   parse    (parse.c)    libclang parse, our node tree for every function body
 *   check    (check.c)    misuse of async/await becomes a located error
 *   analyse  (analyse.c)  which locals live in the frame, await sites
 *   lower    (lower.c)    statements and expressions to resume-function C
 *   emit     (emit.c)     the output file: copies, frames, constructors, #line
 *
 * Data model: a Source (the file's bytes), Nodes (libclang cursors with file
 * offsets), Fns (one per function defined in the main file), Vars (locals and
 * parameters of an async function, each maybe a frame slot), temporaries
 * (frame slots acc invents), and resume points (one per await).
 */
#ifndef ACCC_H
#define ACCC_H

#include <clang-c/Index.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* ---- util.c ------------------------------------------------------------- */

typedef struct {
    char *data;
    size_t len, cap;
} Buf;

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xnew(size_t n); /* zeroed memory that lives until exit: never freed or resized */
void xfree(void *p);
void arena_free_all(void); /* at exit: frees everything x-allocated */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* fmt, buf_printf: printf's %s %.*s %c %d %u %ld %lu %lld %llu %zu %a %% (no
   flags, widths or other precisions: util.c formats these itself, fast). */
char *fmt(const char *format, ...) __attribute__((format(printf, 1, 2)));
void buf_put(Buf *b, const char *s);
void buf_grow(Buf *b, size_t n); /* room for n more bytes and the NUL */
/* Appends n bytes (inline: the passes append some 700,000 pieces a run on a
   10,000-line file, most of them a few bytes). */
static inline void buf_putn(Buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap)
        buf_grow(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}
void buf_printf(Buf *b, const char *format, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(Buf *b, const char *format, va_list ap);
char *buf_take(Buf *b); /* returns the NUL-terminated data, leaves b empty */
char *read_file(const char *path, size_t *len);
char *c_literal(const char *s); /* s as a C string literal, quoted */
/* Whether the text [b,e) has balanced parentheses, brackets and braces
   outside literals. */
bool text_balanced(const char *t, unsigned b, unsigned e);
/* The string of a CXString, copied; the CXString is disposed. */
char *str_dispose(CXString s);

/* Growable arrays of pointers. */
typedef struct {
    void **items;
    int len, cap;
} Vec;
void vec_push(Vec *v, void *item);

/* ---- diag.c ------------------------------------------------------------- */

typedef struct Source {
    const char *path; /* as given on the command line */
    char *text;       /* the file's bytes, NUL-terminated */
    size_t len;
    CXFile file;      /* libclang's handle of the main file */
    CXTranslationUnit tu; /* the parse, for presumed locations (#line in the input) */
    unsigned *line_starts; /* offset of each line's first byte, built on first use */
    unsigned nlines;
    int renumbers;    /* (diag) the file may hold #line or a linemarker: 1; none: -1;
                         not looked at yet: 0 */
} Source;

extern int error_count;
void diag_reset(void); /* forget the errors so far (for a new input) */

/* A user error at byte offset `off` of the main file: file:line:col, the line, a caret. */
void error_at(const Source *src, unsigned off, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
/* The same, for a location in any file (libclang diagnostics, headers):
   named as `shown` (the presumed place, after #line), the source line shown
   from path:line. */
void error_at_file(const char *shown, const char *path, unsigned line, unsigned col, const char *msg);
/* An internal bug of acc: names the C file and line, exits 2. */
#define die(...) die_at(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void die_at(const char *file, int line, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
void line_col(const Source *src, unsigned off, unsigned *line, unsigned *col);
/* The place a reader knows offset `off` by: the file and line a #line
   directive of the input says (as clang's messages and __LINE__ do), else
   the physical ones.  *file is allocated. */
void presumed_at(const Source *src, unsigned off, char **file, unsigned *line, unsigned *col);
/* Prints libclang's errors on the input; returns how many there were. */
int report_clang_errors(CXTranslationUnit tu);

/* ---- parse.c ------------------------------------------------------------ */

typedef struct Node Node;
typedef struct Fn Fn;
typedef struct Var Var;

enum {
    MARK_NONE,
    MARK_RUN,      /* acc_run(coro) */
    MARK_SPAWN,    /* acc_spawn(coro) */
    MARK_RUC,      /* acc_loop_run_until_complete(loop, coro) */
    MARK_GATHER,   /* await acc_gather(coro, ...) */
    MARK_WAIT_FOR, /* await acc_wait_for(coro, timeout) */
    MARK_TG_SPAWN, /* acc_task_group_spawn(group, coro) */
    MARK_SPAWN_EAGER, /* acc_spawn_eager(coro) */
    MARK_RCT,      /* acc_run_coroutine_threadsafe(completion, coro) */
};

/* A cursor of a function body with what the later stages need of it.
   (Some 40,000 of them on a 10,000-line file: the flags are bits, so that
   the tree touches fewer pages.) */
struct Node {
    CXCursor cur;
    enum CXCursorKind kind;
    unsigned begin, end; /* byte range in the main file (end exclusive) */
    unsigned seq, seq_end; /* its place in tree order, and one past its last descendant's:
                              the order of the code after preprocessing (inside macro
                              expansions too, where byte offsets collapse) */
    int nkids;
    int marker;          /* (parse) a call that takes coroutines: MARK_* */
    bool in_main : 1;    /* both ends are in the main file */
    bool faithful : 1;   /* text [begin,end) spells exactly this node (not a macro body) */
    bool mixed : 1;      /* its range cuts through a macro use (a piece of one) */
    bool repaired : 1;   /* libclang gave no range: [begin,end) is a guess (a macro's name) */
    /* filled by parse */
    bool is_await : 1;      /* `await E` */
    bool ptr_call : 1;      /* a call through a pointer to an async function (fnptr.c) */
    bool is_func_name : 1;  /* __func__ and friends */
    bool async_attr : 1;    /* a variable or member that says `async` (Unit.async_objects) */
    /* filled by check and analyse */
    bool coro_operand : 1;  /* a coroutine expression: `f(x)` or `v = f(x)` under a marker */
    bool awaited : 1;       /* the call an await applies to */
    bool hoisted : 1;       /* a type declaration moved to file scope: emits nothing */
    bool split : 1;         /* a declaration that must be emitted declarator by declarator */
    bool literal_in_frame : 1; /* a compound literal whose block has an await after it */
    bool has_await : 1;     /* an evaluated await in this subtree */
    bool expand : 1;        /* (lower) a macro's statement written out from its expansion */
    bool hoist : 1;         /* (lower) a GNU statement expression written out as statements */
    bool needs_rewrite : 1; /* some text in this subtree changes even without awaits */
    Node *parent;
    Node **kids;
    /* filled by parse */
    Fn *async_callee;   /* a call of an async function: its Fn (declared or defined) */
    Fn *fnref;          /* an async function designator used as a value (f, &f): its Fn */
    Var *var;           /* a reference to, or the declaration of, a local or parameter */
    /* filled by check and lower */
    Fn *inner_proto;    /* a block-scope prototype of an async function */
    char *lowered;      /* an await already lowered in front of its statement: its value */
    Node *selected;     /* (analyse) a _Generic selection holding an await: the chosen
                           association, the only part evaluated */
};

/* A function declared (async ones) or defined (every one) in the translation unit. */
struct Fn {
    CXCursor cur;
    char *name;
    bool is_async;
    bool is_runtime;     /* declared by acc.h */
    int marker;          /* a call that takes coroutines (acc.h's acc__coro_*): MARK_* */
    bool is_static;
    bool in_main;        /* declared in the main file */
    bool declared_out;   /* its constructor prototype is in the output already */
    Node *def;           /* the definition's tree (main-file definitions only) */
    Node *body;          /* its body */
    unsigned begin, end; /* the whole definition or prototype in the main file */
    Vec named;   /* (check) Node*: the nodes of the body that name an async function
                    (calls, designators, block-scope prototypes), in tree order */
    /* filled by analyse and lower, async definitions only */
    Vec vars;    /* Var*: parameters then locals, in declaration order */
    Vec temps;   /* char*: frame slot declarations acc invented, e.g. "int acc_t3" */
    Vec lines;   /* (uintptr_t) source line of each resume point, [0] unused */
    Vec hoisted; /* char*: type declarations of the body, moved before the frame */
    Vec loops;   /* (uintptr_t) seq, seq_end pairs: loops and backward gotos of the body */
    char *lowered; /* (lower) an async function's body function statements; a plain
                      function's body rewritten, or NULL when nothing in it changes */
    bool overaligned; /* a frame slot has an alignment specifier */
    bool is_main;
    /* filled by twin.c and lower: the plain twin f__acc_sync of a function
       that never suspends */
    bool syncable;         /* can never suspend: awaits only syncable functions, directly */
    bool twin_used;        /* some lowered await calls its twin: the twin is emitted */
    char *twin;            /* (lower) the twin's body, when twin_used */
    Vec twin_temps;        /* (lower) char*: the twin's own slots */
    unsigned twin_decl_at; /* where the first file-scope declaration of it starts, UINT_MAX none */
    Vec awaited;           /* Fn*: the callee of each await of the body, NULL when not a direct
                              call of a function defined in this file */
    /* filled by lazy.c and lower: the direct entry f__acc_direct of a function
       that may suspend, whose frame it allocates only when an await needs it */
    bool lazy;             /* eligible for a direct entry (lazy.c says which) */
    bool direct_used;      /* some lowered await calls its direct entry: it is emitted */
    char *direct;          /* (lower) the direct entry's body, when direct_used */
};

/*
 * A local or parameter of an async function.  It stays a C variable of the
 * body function under its own name; when an await lies in its scope it also
 * has a frame field (in_frame), into which it is spilled on the path that
 * suspends and from which it is reloaded on the resume path.  Only a
 * variable whose address is taken, or an array, lives in the frame itself
 * (resident): every use of it is rewritten to the field.
 */
struct Var {
    CXCursor cur;
    char *name;   /* as the user wrote it */
    char *field;  /* the frame field, unique within the function (acc__name) */
    CXType type;
    bool is_param;
    bool is_static; /* static or extern: stays a declaration in the resume function */
    bool in_frame;  /* has a frame field */
    bool resident;  /* lives in the frame: its address is taken, or an array */
    bool escapes;   /* (analyse) its address is taken somewhere */
    bool bytes;     /* its field is untyped bytes: the type is declared in the body */
    bool assignable; /* a spilled value can be reloaded with `=` (no const anywhere) */
    long long size, alignment; /* of the type, for a bytes field */
    char *align;        /* an alignment specifier as written (_Alignas(32)), or NULL */
    char *cleanup;      /* the function of __attribute__((cleanup(fn))), or NULL; one that
                           lives across an await is resident and lowering calls fn(&v)
                           at every exit from its scope (C would, but the body returns
                           at each suspension, and resuming jumps past the declaration) */
    /* places are Node.seq numbers */
    Vec refs;           /* (uintptr_t) where its uses are (the end of their statement) */
    unsigned decl_end;  /* where the variable comes to life (after its initializer) */
    unsigned scope_end; /* where its scope ends */
    unsigned for_begin; /* declared in a for's init: where the for starts, else 0 */
};

typedef struct Unit {
    Source src;
    CXIndex index;
    CXTranslationUnit tu;
    Vec fns;       /* Fn*: every function of interest */
    Fn **fn_table; /* the same, hashed by canonical cursor (fn_of_decl) */
    unsigned fn_table_size;
    Vec defs;      /* Fn*: definitions in the main file, in source order */
    Vec protos;    /* Fn*: async prototypes in the main file (file scope) */
    Vec inner_protos; /* Node*: block-scope async prototypes (DeclStmt) */
    int nanon;        /* hoisted unnamed types so far */
    Vec globals;      /* Node*: file-scope declarations that name async functions (fnptr.c) */
    Vec global_inits; /* (lower) char*: their initializers rewritten, NULL when unchanged */
    Vec async_objects; /* (parse) Node*: variables and members in bodies that say `async` */
    Buf scratch;      /* (lower) the buffer each function's body is lowered into */
    Vec async_words;  /* (uintptr_t) offsets of the identifier tokens `async`, in order */
    bool names_api;   /* the file names the runtime's API (is_api_name) */
    bool has_async_decl; /* a top-level declaration copied as written spells `async` */
    unsigned async_decl_at; /* where the first one starts: acc.h must come before it */
    unsigned nseq;    /* nodes numbered so far (Node.seq) */
    unsigned *skipped; /* pairs of offsets: ranges the preprocessor skipped (#if 0 ...) */
    int nskipped;
    struct Located *located; /* (parse) locations already asked about */
    Vec built;        /* (parse) Node*: the children of the nodes being built */
    bool need_copy;   /* the output needs acc__copy (a byte copy for spills) */
    bool copy_out;    /* acc__copy has been written */
} Unit;

typedef struct Options {
    const char *input;
    const char *output; /* NULL or "-": stdout */
    const char *depfile;
    bool md;
    bool no_line;
    Vec clang_args; /* char*: -I, -D, ... passed to the parser */
} Options;

/* (diag.c) `#line N "file"` for offset `off` of the input, its presumed place
   (#line in the input counts), unless --no-line; a newline before it when needed. */
void line_directive(Buf *out, const Options *opt, const Source *src, unsigned off);

int parse_unit(Unit *u, const Options *opt);

/* hygiene.c: the runtime header the output includes, and how */
bool is_api_name(const char *identifier); /* acc_sleep, acc_task, ACC_H: not acc__ */
void put_runtime_include(Buf *out, Unit *u);
unsigned runtime_include_at(Unit *u);
void unit_dispose(Unit *u);
char *node_text(const Unit *u, const Node *n);
Fn *fn_of_decl(Unit *u, CXCursor decl);
Node *peel(Node *n); /* skips ParenExpr and implicit casts */
bool is_kind_expr(enum CXCursorKind k);
/* Whether two cursors name the same statement (a label and a goto's target):
   clang_equalCursors also compares the declaration a statement's cursor
   names as its parent, which depends on how the visit reached it. */
bool same_stmt(CXCursor a, CXCursor b);
unsigned cursor_offset(const Unit *u, CXCursor c);
/* Tokens of the main file as libclang lexes them: those that start in
   [b, e), b at a token boundary (a node's or a token's end or start). */
typedef struct {
    CXToken *t;
    unsigned n;
} Tokens;
Tokens tokens_in(Unit *u, unsigned b, unsigned e);
void tokens_dispose(Unit *u, Tokens *ts);
unsigned token_offset(const Unit *u, CXToken t); /* where it starts in the main file */
unsigned token_end(const Unit *u, CXToken t);    /* one past its last byte */
/* The offset of the first `async` the main file spells at or after off
   (Unit.async_words), UINT32_MAX when none. */
unsigned first_async_word(const Unit *u, unsigned off);
/* The coroutine operands of a marker call (comma operands before the final
   0): their number, and in *out an allocated array of them (xfree it). */
int marker_coros(Node *call, Node ***out);
Node *marker_extra_arg(Node *call); /* loop of acc_run_until_complete, timeout of acc_wait_for */
Node *call_callee_ref(Node *call);  /* the DeclRefExpr naming the callee, or NULL */
int call_args(Node *call, Node ***args); /* the argument nodes */

/* Whether byte offset `off` is in a range the preprocessor skipped. */
bool in_skipped(const Unit *u, unsigned off);

/* ---- check.c ------------------------------------------------------------ */

void check_unit(Unit *u);
const char *marker_name(int marker);

/* ---- types.c ------------------------------------------------------------ */

/* fn's parameters as the constructor, twin and direct entry take them,
   "P acc__a0, P acc__a1, ..." (or without names; arrays decayed), `sep`
   before the first. */
void put_arg_params(Buf *b, Fn *fn, bool with_names, const char *sep);
/* The prototype of fn's constructor, e.g. "acc__frame *f__acc(int *acc__res, int acc__a0)". */
char *ctor_proto(Fn *fn, bool with_names);
/* A declaration of `name` with type t, e.g. "int (*name)[3]"; name may be "". */
char *declare(CXType t, const char *name);
/* The same with top-level qualifiers dropped (frame slots must be assignable). */
char *declare_slot(CXType t, const char *name);
/* A slot holding a value of an expression of type t: arrays and functions
   decay to pointers, qualifiers are dropped. */
char *declare_value(CXType t, const char *name);
/* Parameter types as adjusted (int a[] is int *a). */
CXType decayed_param(CXType t);
/* true if the type can be named at file scope (not declared inside a function body). */
bool type_nameable(CXType t);
/* From now on, declare() spells the type declared by `decl` as `name`, and
   references to it in the source become `tag`. */
void type_alias(CXCursor decl, const char *name, const char *tag);
const char *alias_tag(CXCursor decl); /* NULL when decl has no alias */
void types_reset(void); /* forget every alias (for a new input) */

/* ---- fnptr.c ------------------------------------------------------------ */

/* Pointers to async functions.  In the parse view `async` is a calling
   convention of the function type; in the C view a pointer to an async
   function has the erased type (`int (*)(int)`) and holds the constructor,
   converted through `void (*)(void)`: calls convert it back. */
bool fnptr_type_async(CXType fn);      /* a function type declared async */
int fnptr_kind(CXType t);              /* through pointers and arrays: 0 no function, 1 plain, 2 async */
bool fnptr_is_async_ptr(CXType t);     /* a pointer to (or an) async function type */
bool fnptr_is_async_decl(CXCursor c);  /* a function declaration whose type is async */
/* `((int (*)(int))(void (*)(void))f__acc)` for the designator f or &f. */
char *fnptr_designator(Node *n);
/* `((acc__frame *(*)(int *, int))(void (*)(void))(callee))` for a call through a pointer. */
char *fnptr_callee(Node *call, const char *callee_text);
/* Marks designators, checks conversions, collects file-scope declarations. */
void fnptr_check_node(Unit *u, Node *n);
void fnptr_file_scope(Unit *u, CXCursor decl);
Node *fnptr_build(Unit *u, CXCursor c); /* parse.c's node tree of any cursor */
void fnptr_note_async_word(Unit *u, CXCursor top); /* sets has_async_decl, async_decl_at */
bool fnptr_output_spells_async(Unit *u); /* an `async` outside the heads acc rewrites */
/* A libclang message in acc's words: types say `async`, not the parse view's
   calling convention, and a refused async/plain conversion says why (frees msg). */
char *fnptr_clang_message(char *msg);

/* ---- generic.c ---------------------------------------------------------- */

/* The association expression a _Generic selection chooses, NULL when it
   cannot be told. */
Node *generic_selected(Unit *u, Node *g);

/* ---- analyse.c ---------------------------------------------------------- */

void analyse_unit(Unit *u); /* analyse_fn of every async definition, then twin_analyse */
void analyse_fn(Unit *u, Fn *fn);
bool has_await_below(Node *n); /* an await written anywhere in n, evaluated or not */
/* Whether v (with a frame field) may be used after the await w: a use
   after it in its scope, or in a loop around w inside its scope. */
bool live_after(const Fn *fn, const Var *v, const Node *w);

/* ---- lower.c ------------------------------------------------------------ */

/* Every function body and file-scope initializer that changes, lowered:
   Fn.lowered, Unit.global_inits; and the twins awaits call: Fn.twin. */
void lower_unit(Unit *u, const Options *opt);
/* The body of fn's resume function (without the dispatch), C text. */
char *lower_fn(Unit *u, Fn *fn, const Options *opt);
/* Text of an await-free expression or statement with its rewrites applied
   (locals in frames, __func__, coroutine operands).  fn may be NULL (plain function). */
char *plain_text(Unit *u, Fn *fn, Node *n);

/* The body of fn's twin (twin.c), C text; *temps receives the twin's own
   slots (the async frame is left as it was). */
char *lower_twin(Unit *u, Fn *fn, const Options *opt, Vec *temps);

/* ---- layout.c ----------------------------------------------------------- */

/* A lowered body with one statement a line, indented as the user's lines,
   a #line wherever the numbering would drift. */
char *layout_body(const char *text, const Options *opt, const Source *src);

/* ---- twin.c ------------------------------------------------------------- */

/* Which async functions of the main file can never suspend (Fn.syncable),
   after analyse. */
void twin_analyse(Unit *u);
/* The function whose twin an await of `call` inside fn calls, or NULL (the
   await takes the ordinary path). */
Fn *twin_callee(Fn *fn, Node *call);
/* Whether fn's body can be copied into a second function (no mutable
   static local, no label address, under 1 KiB of locals and parameters). */
bool twin_copyable(Fn *fn);
/* `static T f__acc_sync(unsigned acc__b, P...)`, with or without parameter names. */
char *twin_proto(Fn *fn, bool with_names);
/* The twin's struct and definition, after fn's constructor. */
void twin_emit(Buf *b, Fn *fn, const char *body, const Vec *temps);
void put_param_locals(Buf *b, const Fn *fn);

/* ---- lazy.c ------------------------------------------------------------- */

/* Which async functions get a direct entry (Fn.lazy), after twin_analyse. */
void lazy_analyse(Unit *u);
/* The function whose direct entry an await of `call` inside fn calls, or NULL. */
Fn *lazy_callee(Fn *fn, Node *call);
/* `static int f__acc_direct(acc__frame *acc__c, T *acc__res, P...)`, with or without names. */
char *direct_proto(Fn *fn, bool with_names);
/* The direct entry's body function and the entry, after fn's resume function. */
void direct_emit(Buf *b, Fn *fn, const char *body);
/* The body of fn's direct entry (lower.c), C text. */
char *lower_direct(Unit *u, Fn *fn, const Options *opt);

/* ---- macro.c ------------------------------------------------------------ */

/* n printed from libclang's tree (a macro's expansion written out); sub
   gives the text of a node that needs no printing (or NULL). */
char *print_expanded(Unit *u, Fn *fn, Node *n, char *(*sub)(void *ctx, Node *n), void *ctx);

/* ---- emit.c ------------------------------------------------------------- */

/* The whole output file, assembled from the input's bytes and what lower made. */
char *emit_unit(Unit *u, const Options *opt);
/* The start and the end of each function acc writes of an async body (body
   function, twin, direct entry's body): __func__ defined as its name, then
   the lowered body, the closing return and __func__ undefined. */
void put_func_names(Buf *b, const Fn *fn);
void put_body_end(Buf *b, const char *body, bool is_void);

/* ---- transpile.c -------------------------------------------------------- */

/* The passes in order, each over the whole unit, each only when the one
   before found no error: the output file, or NULL after errors (reported).
   u is zeroed by the caller and disposed by it (unit_dispose). */
char *acc_transpile(Unit *u, const Options *opt);
/* The field of a frame struct for v, e.g. "    int acc__v_x;\n". */
void frame_field(Buf *b, const Var *v);
/* The declaration of parameter v as a C variable of the body function. */
char *param_local(const Var *v);

#endif /* ACCC_H */
