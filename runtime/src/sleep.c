/*
 * sleep.c: acc_sleep and acc_yield, the two awaits that always suspend.
 *
 * The sleep frame embeds its timer node, so a sleeping task costs its task,
 * its frames and one heap slot, nothing more.  acc_sleep(0) and acc_yield
 * append the task to the ready queue instead of arming a timer.
 */
#include "acc_int.h"

/*
 * `res` comes last: an `await acc_sleep(...)` whose status is dropped (the
 * usual case) gets a frame without it, 8 bytes less per sleeping task.
 * hdr.size tells which one a frame is.
 */
typedef struct sleep_frame {
    acc_frame hdr;
    acc__timer tm; /* deadline holds the delay until the frame first runs */
    int *res;
} sleep_frame;

#define SLEEP_NORES offsetof(sleep_frame, res)

static int *sleep_res(sleep_frame *fr) { return fr->hdr.acc__size > SLEEP_NORES ? fr->res : NULL; }

ACC__RUNTIME_FN(sleep_info, sleep_resume, "acc_sleep");
ACC__RUNTIME_FN(yield_info, yield_resume, "acc_yield");

enum { S_START, S_TIMER, S_QUEUED };


/* Shared by sleep(0) and yield: to the back of the ready queue. */
static int requeue(acc_frame *f) {
    acc__wake(acc__current());
    f->acc__state = S_QUEUED;
    return ACC__PENDING;
}

static int sleep_resume(acc_frame *f) {
    sleep_frame *fr = (sleep_frame *)f;
    acc_task *self = acc__current();
    int *res = sleep_res(fr);
    switch (f->acc__state) {
    case S_START: {
        if (acc__coop_yield())
            return ACC__PENDING;
        if (acc__task_cancelled(self))
            return acc__rt_return(f, res, -ECANCELED);
        if (fr->tm.deadline == 0)
            return requeue(f);
        int r = acc__timer_start(acc__running_loop(), &fr->tm, fr->tm.deadline);
        if (r < 0)
            return acc__rt_return(f, res, r);
        f->acc__state = S_TIMER;
        return ACC__PENDING;
    }
    case S_TIMER:
        if (!acc__timer_armed(&fr->tm))
            return acc__rt_return(f, res, 0);
        if (!acc__task_cancelled(self))
            return ACC__PENDING; /* woken early for no reason: sleep on */
        acc__timer_stop(acc__running_loop(), &fr->tm);
        return acc__rt_return(f, res, -ECANCELED);
    default:
        return acc__rt_return(f, res, acc__task_cancelled(self) ? -ECANCELED : 0);
    }
}

acc_frame *acc_sleep__acc(int *res, double seconds) {
    sleep_frame *fr = acc__rt_new(res ? sizeof *fr : SLEEP_NORES, &sleep_info, res);
    if (!fr)
        return NULL;
    if (res)
        fr->res = res;
    fr->tm.deadline = acc__seconds_to_ns(seconds);
    fr->tm.idx = ACC__TIMER_IDLE;
    return &fr->hdr;
}

typedef struct yield_frame {
    acc_frame hdr;
    int *res;
} yield_frame;

static int yield_resume(acc_frame *f) {
    yield_frame *fr = (yield_frame *)f;
    acc_task *self = acc__current();
    if (f->acc__state == S_START && acc__coop_yield())
        return ACC__PENDING;
    if (f->acc__state == S_START && !acc__task_cancelled(self))
        return requeue(f);
    return acc__rt_return(f, fr->res, acc__task_cancelled(self) ? -ECANCELED : 0);
}

acc_frame *acc_yield__acc(int *res) {
    yield_frame *fr = ACC__NEW_FRAME(yield_frame, &yield_info, res);
    if (!fr)
        return NULL;
    fr->res = res;
    return &fr->hdr;
}
