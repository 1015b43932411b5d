/*
 * taskgroup.c: acc_task_group (asyncio.TaskGroup) and acc_as_completed.
 *
 * A group holds the handles of its children in a growing array.  Its wait
 * collects them in spawn order, as gather does, with one waiter on the
 * first child not yet finished; children may add siblings meanwhile.
 * Failing (acc_task_group_fail, or a child out of memory) and
 * acc_task_group_cancel cancel every child but the caller and, while the
 * owner has not started waiting, the owner as a cancel scope (timeout.c),
 * lifted when the wait returns: the owner's body is interrupted, and the
 * owner goes on normally after the wait unless cancelled from outside.
 * The wait never returns before every child has finished, whatever
 * happens to the waiting task, so no child outlives the group.
 */
#include "acc_int.h"

#include <stdint.h>
#include <stdlib.h>

/* ---- acc_task_group ----------------------------------------------------------- */

void acc_task_group_init(acc_task_group *g) {
    memset(g, 0, sizeof *g);
    g->owner = acc__current();
}

/* Cancels every child not yet collected (but the running task), and the
 * owner's body while it has not started waiting. */
static void tg_cancel_all(acc_task_group *g) {
    if (g->cancelling)
        return;
    g->cancelling = true;
    acc_task *self = acc__current();
    for (size_t i = g->next; i < g->n; i++)
        if (g->ts[i] != self)
            acc_cancel(g->ts[i]);
    if (g->owner && !g->waiting && !g->closed && !(g->owner->flags & ACC__T_DONE)) {
        g->owner_scoped = true;
        g->owner_counted = acc__scope_cancel(g->owner);
    }
}

void acc_task_group_fail(acc_task_group *g, int status) {
    if (status >= 0 || g->closed)
        return;
    if (g->status == 0)
        g->status = status;
    tg_cancel_all(g);
}

void acc_task_group_cancel(acc_task_group *g) {
    if (!g->closed)
        tg_cancel_all(g);
}

/*
 * Frees the children that have finished, so that a long-lived group (a
 * server's connections) holds only its live ones; runs when the array is
 * full, before it would grow, and not while the wait walks the array.
 */
static void tg_sweep(acc_task_group *g) {
    size_t k = g->next;
    bool nomem = false;
    for (size_t i = g->next; i < g->n; i++) {
        acc_task *t = g->ts[i];
        if (t->flags & ACC__T_DONE) {
            nomem |= acc__task_status(t) == -ENOMEM;
            acc__task_free(t);
        } else {
            g->ts[k++] = t;
        }
    }
    g->n = k;
    if (nomem)
        acc_task_group_fail(g, -ENOMEM);
}

acc_task *acc_task_group_add(acc_task_group *g, acc_task *t) {
    if (!t) { /* acc_spawn could not allocate */
        acc_task_group_fail(g, -ENOMEM);
        return NULL;
    }
    if (g->closed) { /* the group has been waited for: nothing may join it */
        acc__task_abandon(t);
        return NULL;
    }
    if (g->n == g->cap && !g->waiting)
        tg_sweep(g);
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 8;
        acc_task **ts = cap <= SIZE_MAX / sizeof *ts ? acc__realloc(g->ts, cap * sizeof *ts) : NULL;
        if (!ts) {
            acc__task_abandon(t);
            acc_task_group_fail(g, -ENOMEM);
            return NULL;
        }
        g->ts = ts;
        g->cap = cap;
    }
    g->ts[g->n++] = t;
    if (g->cancelling) /* shutting down: the newcomer is cancelled too */
        acc_cancel(t);
    return t;
}

/* Lifts the owner's cancellation by the group, if there is one. */
static void tg_unscope(acc_task_group *g) {
    if (g->owner_scoped) {
        g->owner_scoped = false;
        acc__scope_lift(g->owner, g->owner_counted);
    }
}

static void tg_close(acc_task_group *g) {
    acc__mfree(g->ts);
    g->ts = NULL;
    g->n = g->cap = g->next = 0;
    g->closed = true;
    g->waiting = false;
}

void acc_task_group_destroy(acc_task_group *g) {
    /* Not waited for (a misuse): the children are cancelled and let go. */
    for (size_t i = g->next; i < g->n; i++)
        acc__task_abandon(g->ts[i]);
    tg_unscope(g);
    tg_close(g);
}

typedef struct tg_wait_frame {
    acc_frame hdr;
    int *res;
    acc_task_group *g;
    acc_task *on; /* the child w waits on, NULL when w is not queued */
    acc__waiter w;
} tg_wait_frame;

ACC__RUNTIME_FN(tg_wait_info, tg_wait_resume, "acc_task_group_wait");

static int tg_finish(tg_wait_frame *fr, acc_task *self) {
    acc_task_group *g = fr->g;
    tg_close(g);
    tg_unscope(g);
    fr->hdr.acc__state = 2;
    int status = g->status < 0 ? g->status : acc__task_cancelled(self) ? -ECANCELED : 0;
    if (fr->res)
        *fr->res = status;
    return ACC__DONE;
}

/* Collects the finished children in spawn order; waits on the next one. */
static int tg_collect(tg_wait_frame *fr, acc_task *self) {
    acc_task_group *g = fr->g;
    if (acc__task_cancelled(self)) /* from outside or a timeout: pass it on */
        tg_cancel_all(g);
    while (g->next < g->n) {
        acc_task *t = g->ts[g->next];
        if (!(t->flags & ACC__T_DONE)) {
            fr->on = t;
            acc__waitq_push(&t->done_waiters, &fr->w, self);
            return ACC__PENDING;
        }
        int st = acc__task_status(t);
        acc__task_free(t);
        g->ts[g->next++] = NULL;
        if (st == -ENOMEM)
            acc_task_group_fail(g, st);
    }
    return tg_finish(fr, self);
}

static int tg_wait_resume(acc_frame *f) {
    tg_wait_frame *fr = (tg_wait_frame *)f;
    acc_task *self = acc__current();
    if (f->acc__state == 0) {
        if (acc__coop_yield())
            return ACC__PENDING;
        if (fr->g->closed || fr->g->waiting) {
            f->acc__state = 2;
            if (fr->res)
                *fr->res = -EINVAL;
            return ACC__DONE;
        }
        fr->g->waiting = true;
        f->acc__state = 1;
        return tg_collect(fr, self);
    }
    if (!fr->w.done) { /* a spurious wake-up, or the waiting task was cancelled */
        if (acc__task_cancelled(self))
            tg_cancel_all(fr->g);
        return ACC__PENDING;
    }
    fr->on = NULL;
    return tg_collect(fr, self);
}

acc_frame *acc_task_group_wait__acc(int *res, acc_task_group *g) {
    tg_wait_frame *fr = ACC__NEW_FRAME(tg_wait_frame, &tg_wait_info, res);
    if (!fr) { /* nothing can wait for the children: they are let go */
        acc_task_group_destroy(g);
        return NULL;
    }
    fr->res = res;
    fr->g = g;
    fr->on = NULL;
    return &fr->hdr;
}

/* ---- acc_as_completed ---------------------------------------------------------- */

int acc_as_completed_init(acc_as_completed *ac, acc_task **ts, size_t n, double timeout) {
    memset(ac, 0, sizeof *ac);
    ac->when = -1;
    if (n > 0 && !(ac->given = acc__malloc(n)))
        return -ENOMEM;
    if (n > 0)
        memset(ac->given, 0, n);
    ac->ts = ts;
    ac->n = ac->left = n;
    if (timeout >= 0)
        ac->when = acc_loop_time(NULL) + timeout;
    return 0;
}

void acc_as_completed_destroy(acc_as_completed *ac) {
    acc__mfree(ac->given);
    ac->given = NULL;
    ac->n = ac->left = 0;
}

typedef struct ac_frame {
    acc_frame hdr;
    int *res;
    acc_as_completed *ac;
    size_t *index;
    bool queued;
    acc__timer tm;
    acc__waiter w[];
} ac_frame;

ACC__RUNTIME_FN(ac_info, ac_resume, "acc_as_completed_next");

static int ac_return(ac_frame *fr, int status) {
    if (fr->queued) {
        acc__timer_stop(acc__running_loop(), &fr->tm);
        for (size_t i = 0; i < fr->ac->n; i++)
            if (!fr->w[i].done)
                acc__waitq_remove(&fr->ac->ts[i]->done_waiters, &fr->w[i]);
        fr->queued = false;
    }
    fr->hdr.acc__state = 2;
    if (fr->res)
        *fr->res = status;
    return ACC__DONE;
}

/* The first finished task not given yet: true and *index set. */
static bool ac_take(ac_frame *fr) {
    acc_as_completed *ac = fr->ac;
    for (size_t i = 0; i < ac->n; i++) {
        acc_task *t = ac->ts[i];
        if (!ac->given[i] && (!t || (t->flags & ACC__T_DONE))) {
            ac->given[i] = 1;
            ac->left--;
            if (fr->index)
                *fr->index = i;
            return true;
        }
    }
    return false;
}

static int ac_resume(acc_frame *f) {
    ac_frame *fr = (ac_frame *)f;
    acc_as_completed *ac = fr->ac;
    acc_task *self = acc__current();
    if (acc__task_cancelled(self))
        return ac_return(fr, -ECANCELED);
    if (f->acc__state == 0 && ac->left == 0)
        return ac_return(fr, -ENOENT);
    if (ac_take(fr))
        return ac_return(fr, 0);
    if (f->acc__state != 0) {
        if (ac->when >= 0 && !acc__timer_armed(&fr->tm))
            return ac_return(fr, -ETIMEDOUT);
        return ACC__PENDING;
    }
    acc_loop *loop = acc__running_loop();
    if (ac->when >= 0) {
        uint64_t now = acc__loop_now(loop), at = acc__seconds_to_ns(ac->when);
        if (at <= now)
            return ac_return(fr, -ETIMEDOUT);
        int r = acc__timer_start(loop, &fr->tm, at - now);
        if (r < 0)
            return ac_return(fr, r);
    }
    for (size_t i = 0; i < ac->n; i++) {
        fr->w[i].done = true;
        if (!ac->given[i])
            acc__waitq_push(&ac->ts[i]->done_waiters, &fr->w[i], self);
    }
    fr->queued = true;
    f->acc__state = 1;
    return ACC__PENDING;
}

acc_frame *acc_as_completed_next__acc(int *res, acc_as_completed *ac, size_t *index) {
    ac_frame *fr = NULL;
    if (ac->n <= (UINT32_MAX - sizeof(ac_frame)) / sizeof(acc__waiter))
        fr = (ac_frame *)acc__frame_new(sizeof(ac_frame) + ac->n * sizeof(acc__waiter), &ac_info.fn);
    if (!fr) {
        if (res)
            *res = -ENOMEM;
        return NULL;
    }
    fr->res = res;
    fr->ac = ac;
    fr->index = index;
    fr->queued = false;
    fr->tm.idx = ACC__TIMER_IDLE;
    return &fr->hdr;
}

/* ---- coroutine operands -------------------------------------------------------- */

acc_task *acc_task_group_spawn(acc_task_group *g, acc_frame *coro) {
    if (coro && g->closed) {
        acc__frame_free(coro);
        return NULL;
    }
    return acc_task_group_add(g, acc_spawn(coro));
}

/*
 * Eager tasks (asyncio's eager_task_factory): the new task runs at once,
 * on the spawning task's C stack, until it first suspends or finishes; then
 * the spawner goes on.  Nested eager spawns past EAGER_MAX fall back to a
 * plain spawn, so a chain of them cannot exhaust the C stack.
 */
#define EAGER_MAX 32
static _Thread_local unsigned eager_depth;

acc_task *acc_spawn_eager(acc_frame *coro) {
    acc_loop *loop = acc__running_loop();
    acc_task *self = acc__current();
    if (!coro || !loop || !self || loop->draining || eager_depth >= EAGER_MAX)
        return acc_spawn(coro);
    acc_task *prev_tail = loop->ready_tail;
    acc_task *t = acc__task_new(loop, coro);
    if (!t)
        return NULL;
    /* Out of the ready queue again: it was appended last. */
    loop->ready_tail = prev_tail;
    if (prev_tail)
        prev_tail->next = NULL;
    else
        loop->ready_head = NULL;
    loop->nready--;
    t->flags &= ~ACC__T_QUEUED;
    /* The spawner is running, not queued: a wake-up meanwhile (the child
     * cancels it) must not queue it, only flag it. */
    unsigned queued = self->flags & ACC__T_QUEUED;
    self->flags |= ACC__T_QUEUED;
    acc_frame **top = acc__th.acc__top;
    unsigned depth = acc__th.acc__depth, nested = acc__th.acc__nested;
    acc__th.acc__nested = 0; /* its own run: twins are fine, bounces go to its trampoline */
    eager_depth++;
    acc__task_run(loop, t);
    eager_depth--;
    self->flags = (self->flags & ~ACC__T_QUEUED) | queued;
    acc__th.acc__top = top;
    acc__th.acc__task = self;
    acc__th.acc__depth = depth;
    acc__th.acc__nested = nested;
    loop->current = self;
    return t;
}
