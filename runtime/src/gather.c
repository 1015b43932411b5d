/*
 * gather.c: awaits over several tasks: acc_gather, acc_gather_tasks,
 * acc_wait and acc_wait_for.
 *
 * A parent waits on its children in argument order, through one waiter
 * queued on the first child not yet finished: when that one finishes, the
 * parent collects it and every later one already finished, and waits on
 * the next.  So n children cost O(n) in all however they finish, and 8
 * bytes each in the parent's frame (a million children: 8 MB).
 * Children are tasks like any other: cancelling the parent cancels them
 * (in spawn order) and the parent still waits for them to finish, so no
 * frame is abandoned.
 */
#include "acc_int.h"

#include <stdint.h>

/* ---- acc_gather / acc_gather_tasks --------------------------------------- */

typedef union gslot {
    acc_frame *coro; /* acc_gather, before the children are spawned */
    acc_task *task;  /* once spawned; NULL: could not be spawned */
} gslot;

typedef struct gather_frame {
    acc_frame hdr;
    int *res;
    size_t n, next;   /* children [0, next) finished and freed */
    int status;       /* first negative child status, argument order */
    bool tasks;       /* acc_gather_tasks: slots hold tasks from the start */
    bool cancel_sent; /* the parent was cancelled: children were too */
    bool nomem;       /* a child could not be spawned */
    bool watching;    /* w is queued on child `next` */
    acc__waiter w;
    gslot s[];
} gather_frame;

static void g_drop_coros(acc_frame *f);
static void g_drop_handles(acc_frame *f);
ACC__RUNTIME_FN_DROP(gather_info, gather_resume, "acc_gather", g_drop_coros);
ACC__RUNTIME_FN_DROP(gather_tasks_info, gather_resume, "acc_gather_tasks", g_drop_handles);

enum { G_START, G_WAIT };

static int g_finish(gather_frame *fr, int status) {
    return acc__rt_return(&fr->hdr, fr->res, status);
}

/* Frees the coroutines of slots [from, n) that were never spawned. */
static void g_free_coros(gather_frame *fr, size_t from) {
    for (size_t i = from; i < fr->n; i++) {
        acc__frame_free(fr->s[i].coro);
        fr->s[i].coro = NULL;
    }
}

/* Consumed handles we give up on: they run on, cancelled, and free themselves. */
static void g_drop_tasks(gather_frame *fr) {
    for (size_t i = 0; i < fr->n; i++) {
        acc_cancel(fr->s[i].task);
        acc_detach(fr->s[i].task);
    }
}

static void g_spawn(gather_frame *fr, acc_loop *loop) {
    for (size_t i = 0; i < fr->n; i++) {
        acc_task *t = acc__task_new(loop, fr->s[i].coro);
        fr->s[i].task = t;
        if (!t) { /* the coroutine was freed; the rest never start */
            fr->nomem = true;
            for (size_t j = i + 1; j < fr->n; j++)
                acc__frame_free(fr->s[j].coro);
            for (size_t j = i + 1; j < fr->n; j++)
                fr->s[j].task = NULL;
            for (size_t j = 0; j < i; j++)
                acc_cancel(fr->s[j].task);
            return;
        }
    }
}

static int g_wait(gather_frame *fr, acc_task *self);

static int g_start(gather_frame *fr, acc_task *self) {
    if (!fr->tasks) {
        for (size_t i = 0; i < fr->n; i++)
            if (!fr->s[i].coro) { /* a constructor failed: nothing runs */
                g_free_coros(fr, 0);
                return g_finish(fr, -ENOMEM);
            }
        if (acc__task_cancelled(self)) {
            g_free_coros(fr, 0);
            return g_finish(fr, -ECANCELED);
        }
        g_spawn(fr, acc__running_loop());
    }
    /* A parent cancelled already (acc_gather_tasks) cancels its children in
     * g_wait and waits for them like one cancelled while it waits. */
    fr->hdr.acc__state = G_WAIT;
    return g_wait(fr, self); /* all may be finished already */
}

/* Collects finished children in argument order; true when all are. */
static bool g_collect(gather_frame *fr) {
    while (fr->next < fr->n) {
        acc_task *t = fr->s[fr->next].task;
        int st = -ENOMEM; /* a child that could not be spawned */
        if (t) {
            if (!(t->flags & ACC__T_DONE))
                return false;
            st = acc__task_status(t);
            acc__task_free(t);
        }
        if (st < 0 && fr->status == 0)
            fr->status = st;
        fr->next++;
    }
    return true;
}

static int gather_resume(acc_frame *f) {
    gather_frame *fr = (gather_frame *)f;
    acc_task *self = acc__current();
    if (f->acc__state == G_START && acc__coop_yield())
        return ACC__PENDING;
    if (f->acc__state == G_START)
        return g_start(fr, self);
    return g_wait(fr, self);
}

static int g_wait(gather_frame *fr, acc_task *self) {
    if (fr->watching && fr->w.done)
        fr->watching = false; /* the child watched has finished */
    if (g_collect(fr)) {
        if (fr->nomem)
            return g_finish(fr, -ENOMEM);
        bool cancelled = fr->cancel_sent || acc__task_cancelled(self);
        return g_finish(fr, cancelled ? -ECANCELED : fr->status);
    }
    if (acc__task_cancelled(self) && !fr->cancel_sent) {
        fr->cancel_sent = true;
        for (size_t i = fr->next; i < fr->n; i++)
            acc_cancel(fr->s[i].task);
    }
    if (!fr->watching) { /* child `next` is not done (g_collect) */
        acc__waitq_push(&fr->s[fr->next].task->done_waiters, &fr->w, self);
        fr->watching = true;
    }
    return ACC__PENDING;
}

static gather_frame *g_new(const acc__rtinfo *info, int *res, size_t n) {
    size_t per = sizeof(gslot);
    if (n > (UINT32_MAX - sizeof(gather_frame)) / per)
        return NULL;
    size_t size = sizeof(gather_frame) + n * per;
    gather_frame *fr = acc__rt_new(size, info, res);
    if (!fr)
        return NULL;
    fr->res = res;
    fr->n = n;
    fr->next = 0;
    fr->status = 0;
    fr->tasks = fr->cancel_sent = fr->nomem = fr->watching = false;
    return fr;
}

acc_frame *acc__gather_new(int *res, acc_frame **coros, size_t n) {
    gather_frame *fr = g_new(&gather_info, res, n);
    if (!fr) {
        for (size_t i = 0; i < n; i++)
            acc__frame_free(coros[i]);
        if (res)
            *res = -ENOMEM;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        fr->s[i].coro = coros[i];
    return &fr->hdr;
}

acc_frame *acc_gather_tasks__acc(int *res, acc_task **ts, size_t n) {
    gather_frame *fr = g_new(&gather_tasks_info, res, n);
    if (!fr) {
        for (size_t i = 0; i < n; i++)
            acc__task_abandon(ts[i]);
        if (res)
            *res = -ENOMEM;
        return NULL;
    }
    fr->tasks = true;
    for (size_t i = 0; i < n; i++)
        fr->s[i].task = ts[i];
    return &fr->hdr;
}

/* ---- acc_wait ------------------------------------------------------------- */

typedef struct waitany_frame {
    acc_frame hdr;
    int *res;
    acc_task **ts;
    size_t n, next; /* ACC_ALL_COMPLETED: tasks [0, next) are done */
    int mode;
    bool has_timer;
    acc__timer tm;
    acc__waiter w[];
} waitany_frame;

ACC__RUNTIME_FN(wait_info, wait_resume, "acc_wait");

static bool t_done(const acc_task *t) { return !t || (t->flags & ACC__T_DONE); }

static int w_finish(waitany_frame *fr, int status) {
    return acc__rt_return(&fr->hdr, fr->res, status);
}

static size_t w_count(const waitany_frame *fr) {
    size_t k = 0;
    for (size_t i = 0; i < fr->n; i++)
        k += t_done(fr->ts[i]);
    return k;
}

static bool w_ready(waitany_frame *fr) {
    if (fr->mode == ACC_FIRST_COMPLETED) {
        for (size_t i = 0; i < fr->n; i++)
            if (t_done(fr->ts[i]))
                return true;
        return fr->n == 0;
    }
    while (fr->next < fr->n && t_done(fr->ts[fr->next]))
        fr->next++;
    return fr->next == fr->n;
}

static int w_stop(waitany_frame *fr, int status) {
    acc__timer_stop(acc__running_loop(), &fr->tm);
    for (size_t i = 0; i < fr->n; i++)
        if (!fr->w[i].done)
            acc__waitq_remove(&fr->ts[i]->done_waiters, &fr->w[i]);
    return w_finish(fr, status);
}

static int w_start(waitany_frame *fr, acc_task *self) {
    if (acc__task_cancelled(self))
        return w_finish(fr, -ECANCELED);
    if (w_ready(fr))
        return w_finish(fr, (int)w_count(fr));
    if (fr->has_timer) {
        int r = acc__timer_start(acc__running_loop(), &fr->tm, fr->tm.deadline);
        if (r < 0)
            return w_finish(fr, r);
    }
    for (size_t i = 0; i < fr->n; i++) {
        fr->w[i].done = true;
        if (!t_done(fr->ts[i]))
            acc__waitq_push(&fr->ts[i]->done_waiters, &fr->w[i], self);
    }
    fr->hdr.acc__state = G_WAIT;
    return ACC__PENDING;
}

static int wait_resume(acc_frame *f) {
    waitany_frame *fr = (waitany_frame *)f;
    acc_task *self = acc__current();
    if (f->acc__state == G_START && acc__coop_yield())
        return ACC__PENDING;
    if (f->acc__state == G_START)
        return w_start(fr, self);
    if (acc__task_cancelled(self))
        return w_stop(fr, -ECANCELED);
    if (w_ready(fr) || (fr->has_timer && !acc__timer_armed(&fr->tm)))
        return w_stop(fr, (int)w_count(fr));
    return ACC__PENDING;
}

acc_frame *acc_wait__acc(int *res, acc_task **ts, size_t n, int mode, double timeout) {
    waitany_frame *fr = NULL;
    if (n <= (UINT32_MAX - sizeof(waitany_frame)) / sizeof(acc__waiter))
        fr = acc__rt_new(sizeof(waitany_frame) + n * sizeof(acc__waiter), &wait_info, res);
    if (!fr) {
        if (res)
            *res = -ENOMEM;
        return NULL;
    }
    fr->res = res;
    fr->ts = ts;
    fr->n = n;
    fr->next = 0;
    fr->mode = mode == ACC_FIRST_COMPLETED ? ACC_FIRST_COMPLETED : ACC_ALL_COMPLETED;
    fr->has_timer = timeout >= 0;
    fr->tm.deadline = acc__seconds_to_ns(timeout);
    fr->tm.idx = ACC__TIMER_IDLE;
    return &fr->hdr;
}

/* ---- acc_wait_for --------------------------------------------------------- */

typedef struct waitfor_frame {
    acc_frame hdr;
    int *res;
    acc_frame *coro; /* owned until spawned */
    acc_task *child;
    bool has_timer, timed_out, cancel_sent;
    acc__timer tm;
    acc__waiter w;
} waitfor_frame;

static void wfor_drop(acc_frame *f);
ACC__RUNTIME_FN_DROP(wait_for_info, wait_for_resume, "acc_wait_for", wfor_drop);

static int wfor_finish(waitfor_frame *fr, int status) {
    return acc__rt_return(&fr->hdr, fr->res, status);
}

static int wfor_start(waitfor_frame *fr, acc_task *self) {
    acc_frame *coro = fr->coro;
    fr->coro = NULL;
    if (!coro)
        return wfor_finish(fr, -ENOMEM);
    if (acc__task_cancelled(self)) {
        acc__frame_free(coro);
        return wfor_finish(fr, -ECANCELED);
    }
    acc_loop *loop = acc__running_loop();
    fr->child = acc__task_new(loop, coro);
    if (!fr->child)
        return wfor_finish(fr, -ENOMEM);
    acc__waitq_push(&fr->child->done_waiters, &fr->w, self);
    if (fr->has_timer && acc__timer_start(loop, &fr->tm, fr->tm.deadline) < 0) {
        fr->has_timer = false; /* no timer: give up on the child at once */
        fr->cancel_sent = true;
        acc_cancel(fr->child);
    }
    fr->hdr.acc__state = G_WAIT;
    return ACC__PENDING;
}

static int wait_for_resume(acc_frame *f) {
    waitfor_frame *fr = (waitfor_frame *)f;
    acc_task *self = acc__current();
    if (f->acc__state == G_START && acc__coop_yield())
        return ACC__PENDING;
    if (f->acc__state == G_START)
        return wfor_start(fr, self);
    if (fr->w.done) {
        acc__timer_stop(acc__running_loop(), &fr->tm);
        int st = acc__task_status(fr->child);
        acc__task_free(fr->child);
        if (fr->timed_out)
            return wfor_finish(fr, -ETIMEDOUT);
        if (fr->cancel_sent && !acc__task_cancelled(self))
            return wfor_finish(fr, -ENOMEM); /* the timer could not be set */
        return wfor_finish(fr, fr->cancel_sent ? -ECANCELED : st);
    }
    if (!fr->cancel_sent && acc__task_cancelled(self)) {
        fr->cancel_sent = true;
        acc__timer_stop(acc__running_loop(), &fr->tm);
        acc_cancel(fr->child);
    } else if (!fr->cancel_sent && fr->has_timer && !acc__timer_armed(&fr->tm)) {
        fr->cancel_sent = fr->timed_out = true;
        acc_cancel(fr->child);
    }
    return ACC__PENDING;
}

acc_frame *acc_wait_for__acc(int *res, acc_frame *coro, double timeout) {
    waitfor_frame *fr = ACC__NEW_FRAME(waitfor_frame, &wait_for_info, res);
    if (!fr) {
        acc__frame_free(coro);
        if (res)
            *res = -ENOMEM;
        return NULL;
    }
    fr->res = res;
    fr->coro = coro;
    fr->child = NULL;
    fr->has_timer = timeout >= 0;
    fr->timed_out = fr->cancel_sent = false;
    fr->tm.deadline = acc__seconds_to_ns(timeout);
    fr->tm.idx = ACC__TIMER_IDLE;
    return &fr->hdr;
}

/* ---- drop hooks: what a frame that never ran owns -------------------------- */

static void g_drop_coros(acc_frame *f) { g_free_coros((gather_frame *)f, 0); }
static void g_drop_handles(acc_frame *f) { g_drop_tasks((gather_frame *)f); }

static void wfor_drop(acc_frame *f) {
    waitfor_frame *fr = (waitfor_frame *)f;
    acc__frame_free(fr->coro);
    fr->coro = NULL;
}
