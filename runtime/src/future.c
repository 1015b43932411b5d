/*
 * future.c: acc_future, a one-shot status that callback code and other
 * threads can set and tasks can await (asyncio.Future without a value).
 *
 * A future belongs to the loop of the thread that made it.  acc_future_set
 * runs on that thread and wakes the waiters at once; from another thread,
 * acc_future_set_threadsafe posts the setting into the loop's inbox
 * through a node embedded in the future, so it never allocates and never
 * fails.  The first set wins; later ones do nothing.
 */
#include "acc_int.h"

/* Owned by its creator, freed with acc_future_free on the loop's thread. */
struct acc_future {
    acc_loop *loop;
    acc__waitq waiters;
    int status;
    bool set;
    bool delivered; /* the threadsafe post has run */
    bool freed;     /* freed while its post was in flight: the post frees it */
    atomic_bool posted;
    int posted_status;
    acc__post post;
};

acc_future *acc_future_new(void) {
    acc_loop *loop = acc__loop();
    if (!loop)
        return NULL;
    acc_future *f = acc__malloc(sizeof *f);
    if (!f)
        return NULL;
    memset(f, 0, sizeof *f);
    f->loop = loop;
    atomic_init(&f->posted, false);
    return f;
}

void acc_future_set(acc_future *f, int status) {
    if (!f || f->set)
        return;
    f->set = true;
    f->status = status;
    acc__waitq_wake_all(&f->waiters);
}

static void deliver(void *arg) {
    acc_future *f = arg;
    f->delivered = true;
    if (f->freed)
        acc__mfree(f);
    else
        acc_future_set(f, f->posted_status);
}

int acc_future_set_threadsafe(acc_future *f, int status) {
    if (!f)
        return -EINVAL;
    if (atomic_exchange(&f->posted, true))
        return 0; /* the first set wins */
    f->posted_status = status;
    f->post.fn = deliver;
    f->post.arg = f;
    f->post.owned = false;
    int r = acc__post_checked(f->loop, &f->post);
    if (r < 0)
        atomic_store(&f->posted, false); /* nothing in flight: free frees it */
    return r;
}

void acc_future_free(acc_future *f) {
    if (!f)
        return;
    if (atomic_load(&f->posted) && !f->delivered) {
        f->freed = true;
        return;
    }
    acc__mfree(f);
}

typedef struct fwait_frame {
    acc_frame hdr;
    int *res;
    acc_future *f;
    acc__waiter w;
} fwait_frame;

ACC__RUNTIME_FN(fwait_info, fwait_resume, "acc_future_wait");

static int fw_finish(fwait_frame *fr, int status) {
    return acc__rt_return(&fr->hdr, fr->res, status);
}

static int fwait_resume(acc_frame *f) {
    fwait_frame *fr = (fwait_frame *)f;
    acc_task *self = acc__current();
    if (f->acc__state == 0) {
        if (acc__coop_yield())
            return ACC__PENDING;
        if (acc__task_cancelled(self))
            return fw_finish(fr, -ECANCELED);
        if (!fr->f)
            return fw_finish(fr, -EINVAL);
        if (fr->f->set)
            return fw_finish(fr, fr->f->status);
        acc__waitq_push(&fr->f->waiters, &fr->w, self);
        f->acc__state = 1;
        return ACC__PENDING;
    }
    if (fr->w.done)
        return fw_finish(fr, fr->f->status);
    if (!acc__task_cancelled(self))
        return ACC__PENDING;
    acc__waitq_remove(&fr->f->waiters, &fr->w);
    return fw_finish(fr, -ECANCELED);
}

acc_frame *acc_future_wait__acc(int *res, acc_future *f) {
    fwait_frame *fr = ACC__NEW_FRAME(fwait_frame, &fwait_info, res);
    if (!fr)
        return NULL;
    fr->res = res;
    fr->f = f;
    return &fr->hdr;
}
