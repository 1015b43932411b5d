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
 * the inline acc__await of generated code (acc.h) reaches them. */
#define depth (acc__th.depth)

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
        t->flags |= ACC__T_NOMEM | ACC__T_CANCELLED;
}

/* Tasks only wait inside a run, so the running loop is the task's own. */
void acc__wake(acc_task *t) {
    acc_loop *loop = acc__running_loop();
    if (loop)
        acc__enqueue(loop, t);
}

/* A frame that has returned owns nothing any more: back to the pool. */
static void frame_dispose(acc_frame *f) { acc__frame_done(f); }

/* The whole of acc__await; acc_abi.h's inline version handles the common case. */
int acc__await_slow_v1(acc_frame *self, acc_frame *callee) {
    acc_task *t = acc__current();
    if (!callee) {
        acc__fail_nomem();
        return 0;
    }
    if (!t) { /* awaiting outside a task: a bug in the caller */
        fputs("acc: acc__await called outside a running task\n", stderr);
        abort();
    }
    callee->caller = self;
    t->top = callee;
    if (depth >= ACC__DEPTH_MAX) {
        t->flags |= ACC__T_BOUNCE;
        return 1;
    }
    depth++;
    int r = callee->fn->resume(callee);
    depth--;
    if (r != ACC__DONE)
        return 1;
    frame_dispose(callee);
    t->top = self;
    return 0;
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
    if (loop->draining) /* spawned by a task being cancelled at the end */
        t->flags |= ACC__T_CANCELLED;
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
    acc__th.top = &t->top;
    acc__th.task = t;
    for (;;) {
        acc_frame *f = t->top;
        depth = 0;
        if (f->fn->resume(f) != ACC__DONE) {
            if (!(t->flags & ACC__T_BOUNCE))
                break; /* suspended: a waiter will wake it */
            t->flags &= ~ACC__T_BOUNCE;
            continue; /* run the callee acc__await left on top */
        }
        acc_frame *caller = f->caller;
        frame_dispose(f);
        if (!caller) {
            loop->current = NULL;
            acc__th.top = NULL;
            acc__th.task = NULL;
            task_finish(loop, t);
            return;
        }
        t->top = caller; /* resume the caller after its await */
    }
    loop->current = NULL;
    acc__th.top = NULL;
    acc__th.task = NULL;
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
    if (!t || (t->flags & (ACC__T_DONE | ACC__T_CANCELLED)))
        return;
    t->flags |= ACC__T_CANCELLED;
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
 * per-thread list, not in every task (a million sleeping tasks pay nothing
 * for them).  A task with ACC__T_NAMED set has an entry.
 */
typedef struct task_name {
    struct task_name *next;
    const acc_task *t;
    char name[]; /* owned copy */
} task_name;

static _Thread_local task_name *names;

static task_name **name_slot(const acc_task *t) {
    task_name **p = &names;
    while (*p && (*p)->t != t)
        p = &(*p)->next;
    return p;
}

static const char *task_name_of(const acc_task *t) {
    return (t->flags & ACC__T_NAMED) ? (*name_slot(t))->name : NULL;
}

static void name_drop(acc_task *t) {
    if (!(t->flags & ACC__T_NAMED))
        return;
    task_name **p = name_slot(t), *n = *p;
    *p = n->next;
    acc__mfree(n);
    t->flags &= ~ACC__T_NAMED;
}

void acc_task_set_name(acc_task *t, const char *name) {
    if (!t)
        return;
    task_name *n = NULL;
    if (name) {
        size_t len = strlen(name) + 1;
        n = acc__malloc(sizeof *n + len);
        if (!n)
            return; /* keep the old name: a name is only for humans */
        n->t = t;
        memcpy(n->name, name, len);
    }
    name_drop(t);
    if (n) {
        n->next = names;
        names = n;
        t->flags |= ACC__T_NAMED;
    }
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
    fr->hdr.state = 2;
    if (fr->res)
        *fr->res = status;
    return ACC__DONE;
}

static int join_done(join_frame *fr) {
    int status = acc__task_status(fr->t);
    if (!(fr->t->flags & ACC__T_MAIN)) /* run_until_complete frees that one */
        acc__task_free(fr->t);
    return join_return(fr, status);
}

/* The joiner was cancelled: the joined task is cancelled and set free. */
static int join_abandon(join_frame *fr) {
    acc_cancel(fr->t);
    acc_detach(fr->t);
    return join_return(fr, -ECANCELED);
}

static int join_resume(acc_frame *f) {
    join_frame *fr = (join_frame *)f;
    acc_task *self = acc__current();
    if (f->state == 0) {
        if (!fr->t) /* acc_spawn failed */
            return join_return(fr, -ENOMEM);
        if (fr->t == self)
            return join_return(fr, -EDEADLK);
        if (fr->t->flags & ACC__T_DONE)
            return join_done(fr);
        if (acc__task_cancelled(self))
            return join_abandon(fr);
        acc__waitq_push(&fr->t->done_waiters, &fr->w, self);
        f->state = 1;
        return ACC__PENDING;
    }
    if (fr->w.done)
        return join_done(fr);
    if (acc__task_cancelled(self)) {
        acc__waitq_remove(&fr->t->done_waiters, &fr->w);
        return join_abandon(fr);
    }
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
    while (root && root->caller)
        root = root->caller;
    if (root && !(t->flags & ACC__T_DONE) && root->fn && root->fn->res_offset)
        *(void **)(void *)((char *)root + root->fn->res_offset) = NULL;
    acc_detach(t);
}

acc_frame *acc_join__acc(int *res, acc_task *t) {
    join_frame *fr = ACC__NEW_FRAME(join_frame, &join_info);
    if (!fr) {
        acc__task_abandon(t);
        if (res)
            *res = 0;
        return NULL;
    }
    fr->res = res;
    fr->t = t;
    return &fr->hdr;
}

/* ---- acc_dump_tasks ------------------------------------------------------ */

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
    const acc_fninfo *fn = f->fn;
    unsigned state = f->state & ~ACC__SUSPENDED; /* generated code's flag */
    if (!fn->file)
        fprintf(out, "  in %s\n", fn->name);
    else if (fn->lines && state < fn->nlines)
        fprintf(out, "  %s:%u in %s\n", fn->file, fn->lines[state], fn->name);
    else
        fprintf(out, "  %s in %s\n", fn->file, fn->name);
}

void acc_dump_tasks(FILE *out) {
    acc_loop *loop = acc__loop_peek();
    if (!loop || !out)
        return;
    for (acc__link *l = loop->tasks.next; l != &loop->tasks; l = l->next) {
        const acc_task *t = ACC__TASK_OF(l);
        const char *name = task_name_of(t);
        if (name)
            fprintf(out, "%s", name);
        else
            fprintf(out, "task-%u", t->id);
        fprintf(out, ": %s%s\n", task_state(loop, t),
                (t->flags & ACC__T_CANCELLED) ? ", cancelled" : "");
        for (const acc_frame *f = t->top; f; f = f->caller)
            dump_frame(out, f);
    }
}
