/*
 * lazy.c: direct entries of async functions that may suspend but usually
 * do not (lazy frames).
 *
 * An await of such a function f normally constructs f's frame (a pool
 * allocation), runs it through acc__await and frees it, even when f returns
 * at once.  For an eligible f acc also writes
 *
 *   static int f__acc_direct(acc__frame *acc__c, T *acc__res, P...)
 *
 * which runs f's body as plain C (its parameters and locals C variables,
 * its slots in a frame-shaped scratch on the C stack) and allocates f's
 * frame only when it reaches an await that is not a twin call: before the
 * first full expression holding one (lazy_guard), it allocates the frame,
 * links it to the awaiting frame acc__c and stores the result pointer and
 * the current value of every parameter in it (the resume function loads
 * the parameters on entry), and from then on goes on exactly as f's body
 * does, with the frame.  If an await suspends, the direct body spills as
 * the body does and returns ACC__PENDING; the task's trampoline later
 * resumes that frame through f's ordinary resume function, whose resume
 * point numbers the direct body shares (it is lowered a second time, in
 * the same order, with the same slots).  When the direct body returns, its
 * frame (if any) goes back to the pool.  From its frame's allocation until
 * it returns it counts two units of the task's await depth, which bounds
 * the C stack (acc_abi.h); before, it awaits nothing but twins.
 *
 * An await of f in an async body (or in a direct body) calls the direct
 * entry while acc__lazy_ok() (acc_abi.h), else constructs the frame:
 *   acc__lazy_ok() ? f__acc_direct(&acc__f->acc__hdr, res, x)
 *                  : acc__await(&acc__f->acc__hdr, f__acc(res, x))
 *
 * Eligible (Fn.lazy): an async function of this file with a body that is
 * not twinned (it may suspend), not `async main`, not variadic, that can
 * be copied into a second function (twin.c's rule: no mutable static
 * local, no label address, under 1 KiB of locals and parameters), and
 * that keeps nothing in its frame across an await by address: no
 * frame-resident variable (address taken, arrays, cleanup attributes,
 * alignment specifiers), no compound literal held in the frame, no
 * over-aligned frame.  Only direct calls by name see the direct entry
 * (not calls through pointers, not acc_spawn or acc_gather operands).
 */
#include "lower.h"

/* Whether a subtree holds a compound literal lowering keeps in the frame. */
static bool has_frame_literal(Node *n) {
    if (n->literal_in_frame)
        return true;
    for (int i = 0; i < n->nkids; i++)
        if (has_frame_literal(n->kids[i]))
            return true;
    return false;
}

void lazy_analyse(Unit *u) {
    for (int i = 0; i < u->defs.len; i++) {
        Fn *fn = u->defs.items[i];
        fn->lazy = false;
        if (!fn->is_async || fn->is_main || !fn->body || fn->syncable || fn->overaligned ||
            clang_Cursor_isVariadic(fn->cur) || !twin_copyable(fn))
            continue;
        bool ok = true;
        for (int k = 0; ok && k < fn->vars.len; k++) {
            Var *v = fn->vars.items[k];
            ok = !v->resident && !v->cleanup && !v->align;
        }
        fn->lazy = ok && !has_frame_literal(fn->body);
    }
}

Fn *lazy_callee(Fn *fn, Node *call) {
    Fn *g = call->async_callee;
    if (!fn || call->kind != CXCursor_CallExpr || call->ptr_call || call->marker || !g || !g->lazy)
        return NULL;
    /* declared at file scope before fn, with the prototype of its entry */
    return g->twin_decl_at <= fn->begin ? g : NULL;
}

static CXType result_type(Fn *fn) { return clang_getResultType(clang_getCursorType(fn->cur)); }

/* "(acc__frame *acc__c, T *acc__res, P acc__a0, ...)", or without names */
static void put_entry_params(Buf *b, Fn *fn, bool with_names) {
    buf_printf(b, "(" ABI_FRAME " *%s", with_names ? ABI_CALLER : "");
    CXType rt = result_type(fn);
    if (rt.kind != CXType_Void) {
        char *d = declare(rt, with_names ? "*" ABI_RES : "*");
        buf_printf(b, ", %s", d);
        xfree(d);
    }
    put_arg_params(b, fn, with_names, ", ");
    buf_put(b, ")");
}

char *direct_proto(Fn *fn, bool with_names) {
    Buf b = {0};
    buf_printf(&b, "static int %s" ABI_DIRECT, fn->name);
    put_entry_params(&b, fn, with_names);
    return buf_take(&b);
}

char *direct_call(Fn *callee, const char *res, char **texts, int n) {
    Buf b = {0};
    buf_printf(&b, "%s" ABI_DIRECT "(&" F "->" ABI_HDR, callee->name);
    if (result_type(callee).kind != CXType_Void)
        buf_printf(&b, ", %s", res ? res : ABI_NULL);
    for (int i = 0; i < n; i++)
        buf_printf(&b, ", %s", texts[i]);
    buf_put(&b, ")");
    return buf_take(&b);
}

/* Whether n runs an await that needs the frame: any but a twin call. */
static bool needs_frame(Fn *fn, Node *n) {
    if (n->needs_rewrite)
        return false; /* sizeof(await f()): never runs */
    if (n->is_await && n->nkids && !twin_callee(fn, peel(n->kids[0])))
        return true;
    for (int i = 0; i < n->nkids; i++)
        if (needs_frame(fn, n->kids[i]))
            return true;
    return false;
}

/*
 * Before a full expression of a direct body that holds an await needing the
 * frame (its slots are all written after this point, so the scratch's
 * earlier ones are never read again):
 *   if (!*acc__h) {
 *       if (!(*acc__h = (struct f__acc_frame *)(void *)acc__frame_new_cold(sizeof **acc__h, &f__acc_info))) {
 *           (void)acc__await_cold(acc__c, ACC__NULL); (the task fails: -ENOMEM)
 *           return acc__z;
 *       }
 *       acc__lazy_enter();                             (two units of await depth from here on)
 *       acc__f = *acc__h; acc__f->acc__hdr.acc__caller = acc__c; acc__f->acc__res = acc__res;
 *       acc__f->acc__v_p = p; ...                     (each parameter's current value)
 *   }
 */
void lazy_guard(Lower *L, Node *n) {
    Fn *fn = L->fn;
    if (!needs_frame(fn, n))
        return;
    bool is_void = result_type(fn).kind == CXType_Void;
    putf(L,
         "if (!*" ABI_HEAP ") { if (!(*" ABI_HEAP " = (struct %s" ABI_FRAME_STRUCT " *)(void *)" ABI_FRAME_NEW_COLD
         "(sizeof **" ABI_HEAP ", &%s" ABI_INFO "))) { (void)" ABI_AWAIT_COLD "(" ABI_CALLER ", " ABI_NULL "); %s } ",
         fn->name, fn->name, is_void ? "return;" : "return " ABI_Z ";");
    put(L, ABI_LAZY_ENTER "(); " F " = *" ABI_HEAP "; " F "->" ABI_HDR "." ABI_CALLER_FIELD " = " ABI_CALLER "; ");
    if (!is_void)
        put(L, F "->" ABI_RES " = " ABI_RES "; ");
    for (int i = 0; i < fn->vars.len; i++) {
        Var *v = fn->vars.items[i];
        if (v->is_param)
            putf(L, F "->%s = %s; ", v->field, v->name);
    }
    put(L, "} ");
}

/*
 *   static T f__acc_dbody(struct f__acc_frame *acc__f, struct f__acc_frame **acc__h,
 *                         acc__frame *acc__c, T *acc__res, P acc__a0, ...) {
 *       P p = acc__a0; ...
 *       <the body lowered in direct mode>
 *   }
 *   static int f__acc_direct(acc__frame *acc__c, T *acc__res, P acc__a0, ...) {
 *       struct f__acc_frame acc__l, *acc__h = ACC__NULL;
 *       T acc__v = f__acc_dbody(&acc__l, &acc__h, acc__c, acc__res, acc__a0, ...);
 *       if (acc__h) {
 *           acc__lazy_leave();
 *           if (acc__h->acc__hdr.acc__state & ACC__SUSPENDED) { ...clear it; return ACC__PENDING; }
 *           acc__lazy_done(acc__c, &acc__h->acc__hdr);
 *       }
 *       if (acc__res) *acc__res = acc__v;
 *       return ACC__DONE;
 *   }
 */
void direct_emit(Buf *b, Fn *fn, const char *body) {
    CXType rt = result_type(fn);
    bool is_void = rt.kind == CXType_Void;
    int nparams = clang_Cursor_getNumArguments(fn->cur);
    put_func_names(b, fn);
    Buf sig = {0};
    buf_printf(&sig, "%s" ABI_DBODY "(struct %s" ABI_FRAME_STRUCT " *" F ", struct %s" ABI_FRAME_STRUCT
                     " **" ABI_HEAP ", ", fn->name, fn->name, fn->name);
    Buf rest = {0};
    put_entry_params(&rest, fn, true);
    buf_put(&sig, rest.data + 1); /* without its "(" */
    xfree(rest.data);
    char *s = buf_take(&sig);
    char *d = declare(rt, s);
    buf_printf(b, "static %s {\n", d);
    xfree(d);
    xfree(s);
    if (!is_void) {
        char *z = declare(clang_getUnqualifiedType(rt), ABI_Z);
        buf_printf(b, "    static %s;\n", z);
        xfree(z);
    }
    buf_printf(b, "    (void)" ABI_HEAP ";\n    (void)" ABI_CALLER ";\n%s", is_void ? "" : "    (void)" ABI_RES ";\n");
    put_param_locals(b, fn); /* (no parameter of a lazy function is resident) */
    put_body_end(b, body, is_void);

    char *proto = direct_proto(fn, true);
    buf_printf(b, "%s {\n    struct %s" ABI_FRAME_STRUCT " " ABI_LOCAL ", *" ABI_HEAP " = " ABI_NULL ";\n",
               proto, fn->name);
    xfree(proto);
    if (!is_void) {
        char *v = declare(clang_getUnqualifiedType(rt), ABI_V);
        buf_printf(b, "    %s;\n", v);
        xfree(v);
    }
    buf_put(b, "    ");
    if (!is_void)
        buf_put(b, ABI_V " = ");
    buf_printf(b, "%s" ABI_DBODY "(&" ABI_LOCAL ", &" ABI_HEAP ", " ABI_CALLER "%s", fn->name,
               is_void ? "" : ", " ABI_RES);
    for (int i = 0; i < nparams; i++)
        buf_printf(b, ", " ABI_ARG "%d", i);
    buf_put(b, ");\n"
               "    if (" ABI_HEAP ") {\n"
               "        " ABI_LAZY_LEAVE "();\n"
               "        if (" ABI_HEAP "->" ABI_HDR "." ABI_STATE " & " ABI_SUSPENDED ") {\n"
               "            " ABI_HEAP "->" ABI_HDR "." ABI_STATE " &= ~" ABI_SUSPENDED ";\n"
               "            return " ABI_PENDING ";\n        }\n"
               "        " ABI_LAZY_DONE "(" ABI_CALLER ", &" ABI_HEAP "->" ABI_HDR ");\n    }\n");
    if (!is_void)
        buf_put(b, "    if (" ABI_RES ")\n        *" ABI_RES " = " ABI_V ";\n");
    buf_put(b, "    return " ABI_DONE ";\n}\n");
}
