/*
 * timeout.c: cancel scopes, acc_timeout (asyncio.timeout / timeout_at) and
 * acc_shield.
 *
 * A cancellation that will be lifted again is counted in the task's flags
 * (acc_int.h: ACC__T_SCOPE_ONE), apart from ACC__T_EXTERNAL, the one that
 * came from outside and is never lifted.  A timeout is a timer node in the
 * caller's acc_timeout, tagged so that the loop calls acc__scope_timer_fire
 * instead of merely waking the task: the task is cancelled by the scope,
 * whatever await it is suspended in sees the cancellation and returns
 * -ECANCELED, and so do its later awaits, until acc_timeout_exit lifts the
 * scope's cancellation.  The task stays cancelled after the exit while it
 * was cancelled from outside or another scope of it (an enclosing timeout,
 * a failing task group) has fired and not ended.
 */
#include "acc_int.h"

#include <assert.h>

/* ---- cancel scopes ---------------------------------------------------------- */

bool acc__scope_cancel(acc_task *t) {
    bool counted = (t->flags & ACC__T_SCOPE_MASK) != ACC__T_SCOPE_MASK;
    if (counted)
        t->flags += ACC__T_SCOPE_ONE;
    else /* 1023 scopes of one task fired at once: cancelled for good */
        t->flags |= ACC__T_EXTERNAL;
    bool was = t->flags & ACC__T_CANCELLED;
    t->flags |= ACC__T_CANCELLED;
    acc_loop *loop = acc__running_loop();
    if (!was && loop && loop->current != t)
        acc__enqueue(loop, t); /* its await sees the flag and returns */
    return counted;
}

bool acc__scope_lift(acc_task *t, bool counted) {
    if (counted)
        t->flags -= ACC__T_SCOPE_ONE;
    if (acc__task_cancelled_outside(t) || (t->flags & ACC__T_SCOPE_MASK))
        return true;
    /* no longer cancelled: its count of awaits since (ACC__T_SPIN) restarts */
    t->flags &= ~(ACC__T_CANCELLED | (ACC__T_SPIN_MAX << ACC__T_SPIN_SHIFT));
    return false;
}

/* ---- acc_timeout -------------------------------------------------------------- */

enum { TO_ENTERED = 1, TO_ARMED, TO_FIRED, TO_EXITED, TO_EXITED_FIRED };

static_assert(sizeof(acc__timer) <= sizeof(((acc_timeout *)0)->acc__tm), "timer node fits");
static_assert(_Alignof(acc__timer) <= _Alignof(acc_timeout), "timer node aligned");

static acc__timer *to_timer(acc_timeout *to) { return (acc__timer *)(void *)&to->acc__tm; }

void acc__scope_timer_fire(acc_loop *loop, acc__timer *t) {
    (void)loop;
    acc_timeout *to = (acc_timeout *)(void *)((char *)t - offsetof(acc_timeout, acc__tm));
    to->state = TO_FIRED;
    to->counted = acc__scope_cancel(to->task);
}

/* Arms the timer for to->when (loop time in seconds): 0 or -ENOMEM. */
static int to_arm(acc_timeout *to) {
    to->state = TO_ENTERED;
    if (to->when < 0)
        return 0;
    acc_loop *loop = acc__running_loop();
    uint64_t now = acc__loop_now(loop), at = acc__seconds_to_ns(to->when);
    acc__timer *tm = to_timer(to);
    tm->idx = ACC__TIMER_IDLE;
    int r = acc__timer_start(loop, tm, at > now ? at - now : 0);
    if (r < 0)
        return r;
    tm->task = (acc_task *)((uintptr_t)to->task | ACC__TIMER_SCOPE);
    to->state = TO_ARMED;
    return 0;
}

static void to_disarm(acc_timeout *to) {
    if (to->state == TO_ARMED)
        acc__timer_stop(acc__running_loop(), to_timer(to));
    to->state = TO_ENTERED;
}

int acc_timeout_enter_at(acc_timeout *to, double when) {
    acc_task *t = acc__current();
    to->task = t;
    to->when = when < 0 || when != when ? -1 : when;
    to->counted = false;
    to->state = 0;
    if (!t)
        return -EPERM; /* a scope of the current task: only inside one */
    int r = to_arm(to);
    if (r < 0)
        to->state = 0;
    return r;
}

int acc_timeout_enter(acc_timeout *to, double seconds) {
    if (!acc__current())
        return acc_timeout_enter_at(to, -1);
    return acc_timeout_enter_at(to, seconds < 0 || seconds != seconds
                                        ? -1
                                        : acc_loop_time(acc__running_loop()) + seconds);
}

int acc_timeout_reschedule_at(acc_timeout *to, double when) {
    if (to->state == TO_FIRED)
        return -EALREADY; /* expired: the task is being cancelled */
    if (to->state != TO_ENTERED && to->state != TO_ARMED)
        return -EINVAL; /* not entered, or exited */
    to_disarm(to);
    to->when = when < 0 || when != when ? -1 : when;
    return to_arm(to);
}

int acc_timeout_reschedule(acc_timeout *to, double seconds) {
    if (to->state != TO_ENTERED && to->state != TO_ARMED)
        return acc_timeout_reschedule_at(to, -1);
    return acc_timeout_reschedule_at(to, seconds < 0 || seconds != seconds
                                             ? -1
                                             : acc_loop_time(acc__running_loop()) + seconds);
}

double acc_timeout_when(const acc_timeout *to) { return to->when; }

bool acc_timeout_expired(const acc_timeout *to) {
    return to->state == TO_FIRED || to->state == TO_EXITED_FIRED;
}

int acc_timeout_exit(acc_timeout *to) {
    if (to->state == TO_FIRED) {
        to->state = TO_EXITED_FIRED;
        return acc__scope_lift(to->task, to->counted) ? -ECANCELED : -ETIMEDOUT;
    }
    if (to->state != TO_ENTERED && to->state != TO_ARMED)
        return -EINVAL;
    to_disarm(to);
    to->state = TO_EXITED;
    return acc__task_cancelled(to->task) ? -ECANCELED : 0;
}

/* ---- acc_shield ----------------------------------------------------------------- */

/*
 * Waits for a task without passing a cancellation on to it: cancelled,
 * the awaiting task stops waiting (-ECANCELED) and the shielded task runs
 * on, detached, its result target forgotten (it may point into the
 * awaiter's frame, which is about to go).
 */
typedef struct shield_frame {
    acc_frame hdr;
    int *res;
    acc_task *t;
    acc__waiter w;
} shield_frame;

ACC__RUNTIME_FN(shield_info, shield_resume, "acc_shield");

static int sh_return(shield_frame *fr, int status) {
    fr->hdr.acc__state = 2;
    if (fr->res)
        *fr->res = status;
    return ACC__DONE;
}

/* The root frame of a task that has not finished forgets its result target. */
static void forget_result(acc_task *t) {
    acc_frame *root = t->top;
    while (root && root->acc__caller)
        root = root->acc__caller;
    if (root && !(t->flags & ACC__T_DONE) && root->acc__fn && root->acc__fn->acc__res_offset)
        *(void **)(void *)((char *)root + root->acc__fn->acc__res_offset) = NULL;
}

static int sh_leave(shield_frame *fr) {
    forget_result(fr->t);
    acc_detach(fr->t);
    return sh_return(fr, -ECANCELED);
}

static int sh_done(shield_frame *fr) {
    int status = acc__task_status(fr->t);
    acc__task_free(fr->t);
    return sh_return(fr, status);
}

static int shield_resume(acc_frame *f) {
    shield_frame *fr = (shield_frame *)f;
    acc_task *self = acc__current();
    if (f->acc__state == 0) {
        if (acc__coop_yield())
            return ACC__PENDING;
        if (!fr->t)
            return sh_return(fr, -ENOMEM);
        if (fr->t == self || (fr->t->flags & ACC__T_MAIN))
            return sh_return(fr, -EDEADLK);
        if (fr->t->flags & ACC__T_DONE)
            return sh_done(fr);
        if (acc__task_cancelled(self))
            return sh_leave(fr);
        acc__waitq_push(&fr->t->done_waiters, &fr->w, self);
        f->acc__state = 1;
        return ACC__PENDING;
    }
    if (fr->w.done)
        return sh_done(fr);
    if (!acc__task_cancelled(self))
        return ACC__PENDING;
    acc__waitq_remove(&fr->t->done_waiters, &fr->w);
    return sh_leave(fr);
}

acc_frame *acc_shield__acc(int *res, acc_task *t) {
    shield_frame *fr = ACC__NEW_FRAME(shield_frame, &shield_info, res);
    if (!fr) {
        if (t) { /* the handle was to be consumed: it runs on by itself */
            forget_result(t);
            acc_detach(t);
        }
        return NULL;
    }
    fr->res = res;
    fr->t = t;
    return &fr->hdr;
}
