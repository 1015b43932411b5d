/*
 * task.c: tasks, the trampoline and acc__await.
 *
 * A task is a chain of heap frames, innermost at task->top, each linked to
 * the frame awaiting it through ->caller.  acc__await runs a callee
 * directly on the C stack while the direct-call depth stays under a bound:
 * an await that completes without suspending costs about a function call.
 * Past the bound, or once anything suspends, control returns to the
 * trampoline (acc__task_run), which resumes task->top and, when it returns,
 * its caller, so the C stack never grows with the await depth.
 *
 * Cancellation is a flag (level-triggered, as in Trio): acc_cancel only
 * sets it and puts a suspended task back on the ready queue; the runtime
 * await the task is blocked in then sees the flag, unregisters itself and
 * returns -ECANCELED, and so does every later runtime await of the task.
 */
#include "acc_int.h"

#include <stdlib.h>

/* The direct-resume depth and the running task's top are in acc__th, where
 * the inline acc__await of generated code (acc_abi.h) reaches them. */

static void name_drop(acc_task *t);

int acc__task_status(const acc_task *t) {
    if (t->flags & ACC__T_NOMEM)
        return -ENOMEM;
    if (t->flags & ACC__T_CANCELLED)
        return -ECANCELED;
    return 0;
}

void acc__fail_nomem(void) {
    acc_task *t = acc__current();
    if (t)
        t->flags |= ACC__T_NOMEM | ACC__T_CANCELLED | ACC__T_EXTERNAL;
}

_Thread_local unsigned acc__coop;

static void spin_warn(const acc_task *t);

bool acc__coop_exhausted(void) {
    acc_task *t = acc__current();
    if (!t)
        return false;
    if ((t->flags & ACC__T_CANCELLED) && (t->flags >> ACC__T_SPIN_SHIFT) < ACC__T_SPIN_MAX) {
        t->flags += 1u << ACC__T_SPIN_SHIFT;
        spin_warn(t);
    }
    acc__wake(t);
    return true;
}

/* Tasks only wait inside a run, so the running loop is the task's own. */
void acc__wake(acc_task *t) {
    acc_loop *loop = acc__running_loop();
    if (loop)
        acc__enqueue(loop, t);
}

/* A frame that has returned owns nothing any more: back to the pool. */
static void frame_dispose(acc_frame *f) { acc__frame_done(f); }

/* Set where the depth bound stops an await inside acc__run_nested: its
 * trampoline, not the task's, runs the callee left on top. */
static _Thread_local bool nested_bounce;

/* The whole of acc__await; acc_abi.h's inline version handles the common case.
 * The running chain's top is *acc__th.acc__top: the task's top, or inside
 * acc__run_nested that trampoline's own. */
int acc__await_slow_v1(acc_frame *self, acc_frame *callee) {
    acc_task *t = acc__current();
    if (!callee) {
        acc__fail_nomem();
        return 0;
    }
    acc_frame **top = acc__th.acc__top;
    if (!top) { /* awaiting outside a task: a bug in the caller */
        fputs("acc: acc__await called outside a running task\n", stderr);
        abort();
    }
    callee->acc__caller = self;
    *top = callee;
    if (acc__th.acc__depth >= ACC__DEPTH_MAX) {
        if (acc__th.acc__nested)
            nested_bounce = true;
        else
            t->flags |= ACC__T_BOUNCE;
        return 1;
    }
    acc__th.acc__depth++;
    int r = callee->acc__fn->acc__resume(callee);
    acc__th.acc__depth--;
    if (r != ACC__DONE)
        return 1;
    frame_dispose(callee);
    *top = self;
    return 0;
}

int acc__twin_ok_v1(void) { return acc__th.acc__nested == 0; }

void acc__lazy_done_v1(acc_frame *caller, acc_frame *f) {
    if (acc__th.acc__top)
        *acc__th.acc__top = caller;
    frame_dispose(f);
}

/* A trampoline of its own for a frame that never suspends (a twin out of
 * budget): the frames it awaits past the depth bound run here, one after
 * the other, with the C stack unwound in between.  The C stack then holds
 * at most ACC__DEPTH_MAX resumes and ACC__TWIN_BUDGET twin calls. */
void acc__run_nested_v1(acc_frame *root) {
    if (!root) {
        acc__fail_nomem();
        return;
    }
    acc_frame **saved_top = acc__th.acc__top;
    unsigned saved_depth = acc__th.acc__depth;
    acc_frame *top = root;
    root->acc__caller = NULL;
    acc__th.acc__top = &top;
    acc__th.acc__nested++;
    for (;;) {
        acc_frame *f = top;
        /* the depth the caller had: direct resumes on the C stack stay
           under ACC__DEPTH_MAX in all, as without the twins in between */
        acc__th.acc__depth = saved_depth;
        nested_bounce = false;
        if (f->acc__fn->acc__resume(f) != ACC__DONE) {
            if (nested_bounce)
                continue; /* run the callee acc__await left on top */
            /* acc twins only functions that await nothing that suspends */
            fputs("acc: a function acc found never to suspend suspended\n", stderr);
            abort();
        }
        acc_frame *caller = f->acc__caller;
        frame_dispose(f);
        if (!caller)
            break;
        top = caller; /* resume the caller after its await */
    }
    acc__th.acc__nested--;
    acc__th.acc__depth = saved_depth;
    acc__th.acc__top = saved_top;
}

int acc__await_v1(acc_frame *self, acc_frame *callee) { return acc__await_slow_v1(self, callee); }

acc_task *acc__task_new(acc_loop *loop, acc_frame *coro) {
    if (!coro)
        return NULL;
    acc_task *t = acc__alloc(sizeof *t);
    if (!t) {
        acc__frame_free(coro);
        return NULL;
    }
    memset(t, 0, sizeof *t);
    t->top = coro;
    t->id = ++loop->next_id;
    t->link.prev = loop->tasks.prev;
    t->link.next = &loop->tasks;
    loop->tasks.prev->next = &t->link;
    loop->tasks.prev = &t->link;
    loop->nlive++;
    if (loop->draining || loop->error) /* spawned by a task being cancelled */
        t->flags |= ACC__T_CANCELLED | ACC__T_EXTERNAL;
    acc__enqueue(loop, t);
    return t;
}

void acc__task_free(acc_task *t) {
    t->link.prev->next = t->link.next;
    t->link.next->prev = t->link.prev;
    if (!(t->flags & (ACC__T_DONE | ACC__T_STARTED)))
        acc__frame_free(t->top); /* a suspended one cannot be freed */
    name_drop(t);
    acc__free(t, sizeof *t);
}

static void task_finish(acc_loop *loop, acc_task *t) {
    t->top = NULL;
    t->flags |= ACC__T_DONE;
    loop->nlive--;
    acc__waitq_wake_all(&t->done_waiters);
    /* The main task's handle belongs to run_until_complete, whatever
     * the program did with acc_current_task(). */
    if ((t->flags & ACC__T_DETACHED) && !(t->flags & ACC__T_MAIN))
        acc__task_free(t);
}

/* The trampoline: runs the task until it suspends or finishes. */
void acc__task_run(acc_loop *loop, acc_task *t) {
    if (!(t->flags & ACC__T_STARTED)) {
        if (t->flags & ACC__T_CANCELLED) { /* never runs: result not written */
            acc__frame_free(t->top);
            task_finish(loop, t);
            return;
        }
        t->flags |= ACC__T_STARTED;
    }
    loop->current = t;
    acc__coop = ACC__COOP_BUDGET;
    acc__th.acc__top = &t->top;
    acc__th.acc__task = t;
    for (;;) {
        acc_frame *f = t->top;
        acc__th.acc__depth = 0;
        if (f->acc__fn->acc__resume(f) != ACC__DONE) {
            if (!(t->flags & ACC__T_BOUNCE))
                break; /* suspended: a waiter will wake it */
            t->flags &= ~ACC__T_BOUNCE;
            continue; /* run the callee acc__await left on top */
        }
        acc_frame *caller = f->acc__caller;
        frame_dispose(f);
        if (!caller) {
            loop->current = NULL;
            acc__th.acc__top = NULL;
            acc__th.acc__task = NULL;
            task_finish(loop, t);
            return;
        }
        t->top = caller; /* resume the caller after its await */
    }
    loop->current = NULL;
    acc__th.acc__top = NULL;
    acc__th.acc__task = NULL;
}

/* ---- public task API ----------------------------------------------------- */

acc_task *acc_spawn(acc_frame *coro) {
    if (!coro)
        return NULL;
    acc_loop *loop = acc__loop();
    if (!loop) {
        acc__frame_free(coro);
        return NULL;
    }
    return acc__task_new(loop, coro);
}

void acc_cancel(acc_task *t) {
    if (!t || (t->flags & (ACC__T_DONE | ACC__T_EXTERNAL)))
        return;
    bool was = t->flags & ACC__T_CANCELLED; /* by a scope (timeout.c): woken then */
    t->flags |= ACC__T_CANCELLED | ACC__T_EXTERNAL;
    if (was)
        return;
    /* Outside a run no task is suspended: a queued one just never runs. */
    acc_loop *loop = acc__running_loop();
    if (loop && loop->current != t)
        acc__enqueue(loop, t); /* its await sees the flag and returns */
}

void acc_detach(acc_task *t) {
    if (!t || (t->flags & ACC__T_MAIN))
        return;
    if (t->flags & ACC__T_DONE)
        acc__task_free(t);
    else
        t->flags |= ACC__T_DETACHED;
}

bool acc_task_done(const acc_task *t) { return t && (t->flags & ACC__T_DONE); }

acc_task *acc_current_task(void) { return acc__current(); }

bool acc_cancelled(void) { return acc__task_cancelled(acc__current()); }

/*
 * Names are rare and only for humans, so they live beside the tasks, in a
 * per-thread hash table keyed by the task's address (open addressing,
 * linear probing, deletion by backward shift), not in every task: a million
 * sleeping tasks pay nothing for them, and naming n tasks costs O(n).
 * A task with ACC__T_NAMED set has an entry.
 */
typedef struct name_slot {
    const acc_task *t; /* NULL: empty */
    char *name;        /* owned copy */
} name_slot;

static _Thread_local struct {
    name_slot *a;
    size_t cap, n; /* cap a power of 2 (or 0), n < cap * 3/4 */
} names;

static size_t name_hash(const acc_task *t) {
    uint64_t h = (uint64_t)(uintptr_t)t * 0x9E3779B97F4A7C15u;
    return (size_t)(h >> 32);
}

/* The slot holding t, or the empty slot where it would go. */
static name_slot *name_find(const acc_task *t) {
    size_t m = names.cap - 1;
    for (size_t i = name_hash(t) & m;; i = (i + 1) & m)
        if (names.a[i].t == t || !names.a[i].t)
            return &names.a[i];
}

static int names_grow(void) {
    size_t cap = names.cap ? names.cap * 2 : 64;
    name_slot *old = names.a, *a = acc__malloc(cap * sizeof *a);
    if (!a)
        return -ENOMEM;
    memset(a, 0, cap * sizeof *a);
    size_t oldcap = names.cap;
    names.a = a;
    names.cap = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].t)
            *name_find(old[i].t) = old[i];
    acc__mfree(old);
    return 0;
}

static const char *task_name_of(const acc_task *t) {
    return (t->flags & ACC__T_NAMED) ? name_find(t)->name : NULL;
}

static void name_drop(acc_task *t) {
    if (!(t->flags & ACC__T_NAMED))
        return;
    t->flags &= ~ACC__T_NAMED;
    size_t m = names.cap - 1, i = (size_t)(name_find(t) - names.a);
    acc__mfree(names.a[i].name);
    names.a[i].t = NULL;
    /* Backward shift: move up each later entry the hole would hide. */
    for (size_t j = (i + 1) & m; names.a[j].t; j = (j + 1) & m) {
        size_t home = name_hash(names.a[j].t) & m;
        if (((j - home) & m) >= ((j - i) & m)) {
            names.a[i] = names.a[j];
            names.a[j].t = NULL;
            i = j;
        }
    }
    if (--names.n == 0) {
        acc__mfree(names.a);
        names.a = NULL;
        names.cap = 0;
    }
}

void acc_task_set_name(acc_task *t, const char *name) {
    if (!t)
        return;
    if (!name) {
        name_drop(t);
        return;
    }
    size_t len = strlen(name) + 1;
    char *copy = acc__malloc(len);
    if (!copy)
        return; /* keep the old name: a name is only for humans */
    memcpy(copy, name, len);
    if (t->flags & ACC__T_NAMED) {
        name_slot *s = name_find(t);
        acc__mfree(s->name);
        s->name = copy;
        return;
    }
    if ((names.n + 1) * 4 > names.cap * 3 && names_grow() < 0) {
        acc__mfree(copy);
        return;
    }
    name_slot *s = name_find(t);
    s->t = t;
    s->name = copy;
    names.n++;
    t->flags |= ACC__T_NAMED;
}

/* ---- acc_join ------------------------------------------------------------ */

typedef struct join_frame {
    acc_frame hdr;
    int *res;
    acc_task *t;
    acc__waiter w;
} join_frame;

ACC__RUNTIME_FN(join_info, join_resume, "acc_join");

static int join_return(join_frame *fr, int status) {
    return acc__rt_return(&fr->hdr, fr->res, status);
}

static int join_done(join_frame *fr, bool cancelled) {
    int status = cancelled ? -ECANCELED : acc__task_status(fr->t);
    if (!(fr->t->flags & ACC__T_MAIN)) /* run_until_complete frees that one */
        acc__task_free(fr->t);
    return join_return(fr, status);
}

/*
 * The joiner was cancelled: as in asyncio, the joined task is cancelled
 * too and the join waits for it to finish, since it may hold pointers into
 * the joiner's frames (its result target, locks, queues); then -ECANCELED.
 */
static int join_resume(acc_frame *f) {
    join_frame *fr = (join_frame *)f;
    acc_task *self = acc__current();
    if (f->acc__state == 0) {
        if (acc__coop_yield())
            return ACC__PENDING;
        if (!fr->t) /* acc_spawn failed */
            return join_return(fr, -ENOMEM);
        if (fr->t == self)
            return join_return(fr, -EDEADLK);
        if (fr->t->flags & ACC__T_DONE)
            return join_done(fr, acc__task_cancelled(self));
        acc__waitq_push(&fr->t->done_waiters, &fr->w, self);
        f->acc__state = 1;
    } else if (fr->w.done) {
        return join_done(fr, acc__task_cancelled(self));
    }
    if (acc__task_cancelled(self))
        acc_cancel(fr->t); /* does nothing the second time */
    return ACC__PENDING;
}

/*
 * An await that was to consume the handle (acc_join, acc_gather_tasks)
 * could not allocate its frame: the awaiting task goes on, failed with
 * -ENOMEM, and may return and free the storage the task's result target
 * points into.  So the task is cancelled and detached, and its root frame
 * forgets the target (generated frames say where its pointer is).
 */
void acc__task_abandon(acc_task *t) {
    if (!t)
        return;
    acc_cancel(t);
    acc_frame *root = t->top;
    while (root && root->acc__caller)
        root = root->acc__caller;
    if (root && !(t->flags & ACC__T_DONE) && root->acc__fn && root->acc__fn->acc__res_offset)
        *(void **)(void *)((char *)root + root->acc__fn->acc__res_offset) = NULL;
    acc_detach(t);
}

acc_frame *acc_join__acc(int *res, acc_task *t) {
    join_frame *fr = ACC__NEW_FRAME(join_frame, &join_info, res);
    if (!fr) {
        acc__task_abandon(t);
        return NULL;
    }
    fr->res = res;
    fr->t = t;
    return &fr->hdr;
}

/* ---- acc_dump_tasks ------------------------------------------------------ */

/* Coop yields after its cancellation that mark a task as spinning. */
#define ACC__SPIN_REPORT 4

static const char *task_state(const acc_loop *loop, const acc_task *t) {
    if (t->flags & ACC__T_DONE)
        return "done";
    if (t == loop->current)
        return "running";
    if (t->flags & ACC__T_QUEUED)
        return "ready";
    return "suspended";
}

static void dump_frame(FILE *out, const acc_frame *f) {
    const acc_fninfo *fn = f->acc__fn;
    unsigned state = f->acc__state & ~ACC__SUSPENDED; /* generated code's flag */
    if (!fn->acc__file)
        fprintf(out, "  in %s\n", fn->acc__name);
    else if (fn->acc__lines && state < fn->acc__nlines)
        fprintf(out, "  %s:%u in %s\n", fn->acc__file, fn->acc__lines[state], fn->acc__name);
    else
        fprintf(out, "  %s in %s\n", fn->acc__file, fn->acc__name);
}

static void dump_task(FILE *out, const acc_loop *loop, const acc_task *t) {
    const char *name = task_name_of(t);
    if (name)
        fprintf(out, "%s", name);
    else
        fprintf(out, "task-%u", t->id);
    fprintf(out, ": %s%s", task_state(loop, t),
            (t->flags & ACC__T_CANCELLED) ? ", cancelled" : "");
    /* Cancelled, and still running awaits by the hundred: its code
     * ignores the -ECANCELED they return (see docs/runtime.md). */
    unsigned spins = t->flags >> ACC__T_SPIN_SHIFT;
    if (spins >= ACC__SPIN_REPORT)
        fprintf(out, ", spinning (%u%s awaits since cancelled: ignores -ECANCELED?)",
                spins * ACC__COOP_BUDGET, spins == ACC__T_SPIN_MAX ? "+" : "");
    fputc('\n', out);
    for (const acc_frame *f = t->top; f; f = f->acc__caller)
        dump_frame(out, f);
}

void acc_dump_tasks(FILE *out) {
    acc_loop *loop = acc__loop_peek();
    if (!loop || !out)
        return;
    for (acc__link *l = loop->tasks.next; l != &loop->tasks; l = l->next)
        dump_task(out, loop, ACC__TASK_OF(l));
}

/*
 * A task cancelled by acc_run's end that keeps going through its awaits
 * (ACC__SPIN_WARN coop yields: 32,768 awaits) would hang the program
 * silently: say so once, on stderr, with its await chain.
 */
#define ACC__SPIN_WARN 256

static void spin_warn(const acc_task *t) {
    acc_loop *loop = acc__running_loop();
    if ((t->flags >> ACC__T_SPIN_SHIFT) != ACC__SPIN_WARN || !loop || !loop->draining)
        return;
    fputs("acc: at the end of the run, a cancelled task ignores -ECANCELED and never ends\n"
          "acc: (a loop around an await must stop on a negative status: see docs/runtime.md)\n",
          stderr);
    dump_task(stderr, loop, t);
}
