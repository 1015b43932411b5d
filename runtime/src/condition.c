/*
 * condition.c: acc_condition and acc_barrier (asyncio.Condition, Barrier).
 *
 * A condition wait releases the lock, waits to be notified, and takes the
 * lock back before it returns, also when its task is cancelled: its lock
 * waiter carries ACC__WAITER_FORCED, so acc_lock_release hands the lock to
 * it even then (sync.c skips the other cancelled waiters).  Every return of
 * acc_condition_wait but -EPERM holds the lock again, as in asyncio.
 */
#include "acc_int.h"

#include <stdint.h>

char acc__waiter_forced;

/* ---- acc_condition --------------------------------------------------------- */

void acc_condition_init(acc_condition *c, acc_lock *lock) {
    memset(c, 0, sizeof *c);
    acc_lock_init(&c->own);
    c->lock = lock ? lock : &c->own;
}

void acc_condition_destroy(acc_condition *c) { acc_lock_destroy(&c->own); }

bool acc_condition_locked(const acc_condition *c) { return c->lock->locked; }

int acc_condition_release(acc_condition *c) {
    if (!c->lock->locked)
        return -EPERM;
    acc_lock_release(c->lock);
    return 0;
}

acc_frame *acc_condition_acquire__acc(int *res, acc_condition *c) {
    return acc_lock_acquire__acc(res, c->lock);
}

int acc_condition_notify(acc_condition *c, size_t n) {
    if (!c->lock->locked)
        return -EPERM; /* the caller must hold the lock */
    acc__waiter *w;
    for (; n > 0 && (w = acc__waitq_first_live(&c->waiters)); n--)
        acc__waiter_wake(&c->waiters, w);
    return 0;
}

int acc_condition_notify_all(acc_condition *c) { return acc_condition_notify(c, SIZE_MAX); }

typedef struct cond_wait_frame {
    acc_frame hdr;
    int *res;
    acc_condition *c;
    int status;   /* 0 notified, -ECANCELED */
    acc__waiter w; /* in c->waiters, then in the lock's waiters */
} cond_wait_frame;

ACC__RUNTIME_FN(cond_wait_info, cond_wait_resume, "acc_condition_wait");

enum { C_START, C_WAIT, C_RELOCK, C_DONE };

static int cw_finish(cond_wait_frame *fr, int status) {
    fr->hdr.acc__state = C_DONE;
    if (fr->res)
        *fr->res = status;
    return ACC__DONE;
}

/* Takes the lock back whatever happened: at once, or as a forced waiter. */
static int cw_relock(cond_wait_frame *fr, int status) {
    fr->status = status;
    if (acc_lock_try_acquire(fr->c->lock) == 0)
        return cw_finish(fr, status);
    acc__waitq_push(&fr->c->lock->waiters, &fr->w, acc__current());
    fr->w.item = ACC__WAITER_FORCED;
    fr->hdr.acc__state = C_RELOCK;
    return ACC__PENDING;
}

static int cond_wait_resume(acc_frame *f) {
    cond_wait_frame *fr = (cond_wait_frame *)f;
    acc_condition *c = fr->c;
    acc_task *self = acc__current();
    switch (f->acc__state) {
    case C_START:
        if (acc__coop_yield())
            return ACC__PENDING;
        if (!c->lock->locked)
            return cw_finish(fr, -EPERM);
        if (acc__task_cancelled(self))
            return cw_finish(fr, -ECANCELED); /* the lock stays held */
        acc_lock_release(c->lock);
        acc__waitq_push(&c->waiters, &fr->w, self);
        fr->w.item = NULL;
        f->acc__state = C_WAIT;
        return ACC__PENDING;
    case C_WAIT:
        if (fr->w.done)
            return cw_relock(fr, 0);
        if (!acc__task_cancelled(self))
            return ACC__PENDING;
        acc__waitq_remove(&c->waiters, &fr->w);
        return cw_relock(fr, -ECANCELED);
    default: /* C_RELOCK: only the hand-over of the lock ends it */
        if (!fr->w.done)
            return ACC__PENDING;
        return cw_finish(fr, fr->status);
    }
}

acc_frame *acc_condition_wait__acc(int *res, acc_condition *c) {
    cond_wait_frame *fr = ACC__NEW_FRAME(cond_wait_frame, &cond_wait_info, res);
    if (!fr) {
        return NULL;
    }
    fr->res = res;
    fr->c = c;
    fr->status = 0;
    return &fr->hdr;
}

typedef struct cond_wait_for_frame {
    acc_frame hdr;
    int *res;
    acc_condition *c;
    bool (*pred)(void *);
    void *arg;
    int st;
} cond_wait_for_frame;

ACC__RUNTIME_FN(cond_wait_for_info, cond_wait_for_resume, "acc_condition_wait_for");

static int cond_wait_for_resume(acc_frame *f) {
    cond_wait_for_frame *fr = (cond_wait_for_frame *)f;
    int status = 0;
    if (f->acc__state == 1 && fr->st < 0) {
        status = fr->st;
        goto out;
    }
    while (!fr->pred(fr->arg)) {
        f->acc__state = 1;
        if (acc__await(f, acc_condition_wait__acc(&fr->st, fr->c)))
            return ACC__PENDING;
        if (fr->st < 0) {
            status = fr->st;
            goto out;
        }
    }
out:
    f->acc__state = 2;
    if (fr->res)
        *fr->res = status;
    return ACC__DONE;
}

acc_frame *acc_condition_wait_for__acc(int *res, acc_condition *c, bool (*pred)(void *), void *arg) {
    cond_wait_for_frame *fr = ACC__NEW_FRAME(cond_wait_for_frame, &cond_wait_for_info, res);
    if (!fr) {
        return NULL;
    }
    fr->res = res;
    fr->c = c;
    fr->pred = pred;
    fr->arg = arg;
    fr->st = 0;
    return &fr->hdr;
}

/* ---- acc_barrier ------------------------------------------------------------ */

static char broken_mark;
#define BROKEN ((void *)&broken_mark)

int acc_barrier_init(acc_barrier *b, size_t parties) {
    memset(b, 0, sizeof *b);
    if (parties == 0)
        return -EINVAL;
    b->parties = parties;
    return 0;
}

void acc_barrier_destroy(acc_barrier *b) { (void)b; }
size_t acc_barrier_n_waiting(const acc_barrier *b) { return b->count; }
bool acc_barrier_broken(const acc_barrier *b) { return b->broken; }

static void br_wake_broken(acc_barrier *b) {
    while (b->waiters.acc__head) {
        b->waiters.acc__head->item = BROKEN;
        acc__waiter_wake(&b->waiters, b->waiters.acc__head);
    }
    b->count = 0;
}

void acc_barrier_abort(acc_barrier *b) {
    b->broken = true;
    br_wake_broken(b);
}

void acc_barrier_reset(acc_barrier *b) {
    br_wake_broken(b);
    b->broken = false;
}

typedef struct barrier_frame {
    acc_frame hdr;
    int *res;
    acc_barrier *b;
    acc__waiter w;
} barrier_frame;

ACC__RUNTIME_FN(barrier_info, barrier_resume, "acc_barrier_wait");

static int br_finish(barrier_frame *fr, int status) {
    fr->hdr.acc__state = 2;
    if (fr->res)
        *fr->res = status;
    return ACC__DONE;
}

static int barrier_resume(acc_frame *f) {
    barrier_frame *fr = (barrier_frame *)f;
    acc_barrier *b = fr->b;
    acc_task *self = acc__current();
    if (f->acc__state == 0) {
        if (acc__coop_yield())
            return ACC__PENDING;
        if (acc__task_cancelled(self))
            return br_finish(fr, -ECANCELED);
        if (b->broken)
            return br_finish(fr, -EPIPE);
        if (b->count + 1 < b->parties) {
            b->count++;
            acc__waitq_push(&b->waiters, &fr->w, self);
            fr->w.item = NULL;
            f->acc__state = 1;
            return ACC__PENDING;
        }
        /* The last one: the others get their arrival order, FIFO. */
        intptr_t i = 0;
        while (b->waiters.acc__head) {
            b->waiters.acc__head->item = (void *)i++;
            acc__waiter_wake(&b->waiters, b->waiters.acc__head);
        }
        b->count = 0;
        return br_finish(fr, (int)(b->parties - 1 > INT32_MAX ? INT32_MAX : b->parties - 1));
    }
    if (fr->w.done) {
        if (fr->w.item == BROKEN)
            return br_finish(fr, -EPIPE);
        intptr_t i = (intptr_t)fr->w.item;
        return br_finish(fr, i > INT32_MAX ? INT32_MAX : (int)i);
    }
    if (!acc__task_cancelled(self))
        return ACC__PENDING;
    acc__waitq_remove(&b->waiters, &fr->w); /* leaves: one party fewer waits */
    b->count--;
    return br_finish(fr, -ECANCELED);
}

acc_frame *acc_barrier_wait__acc(int *res, acc_barrier *b) {
    barrier_frame *fr = ACC__NEW_FRAME(barrier_frame, &barrier_info, res);
    if (!fr) {
        return NULL;
    }
    fr->res = res;
    fr->b = b;
    return &fr->hdr;
}
