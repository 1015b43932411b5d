/*
 * threadsafe.c: acc_run_coroutine_threadsafe (asyncio.run_coroutine_threadsafe),
 * a coroutine submitted from any thread to a loop running in another, and
 * acc_completion, the caller-owned handle that thread blocks on (the
 * concurrent.futures.Future it gets back in Python).
 *
 * The submission goes through the loop's inbox.  On the loop's thread the
 * coroutine becomes a detached task under a small wrapper frame that, when
 * the coroutine has returned, marks the completion done (its status: 0,
 * or -ECANCELED if the task was cancelled) and wakes the waiting threads.
 * The coroutine's result target (`v = f(x)`) is written on the loop's
 * thread before that; a thread that has seen the completion done may read
 * it.
 *
 * Frames come from a per-thread pool, and a block must go back to the
 * pool of the thread it came from: so the loop thread runs a copy of the
 * frame (made before it ever ran, when it holds only its parameters) in a
 * block of its own, and the submitting thread's block is given back by
 * that thread, in acc_completion_wait or _destroy.  Frames too big for the
 * pool (plain malloc blocks) are run as they are.
 *
 * A submission goes only to a loop listed open (loop.c's
 * acc__loop_open_lock), so a submission to a closed loop
 * fails with -ESHUTDOWN instead of touching freed memory; one that is in
 * the inbox when the loop closes completes with -ESHUTDOWN too.
 */
#define _GNU_SOURCE
#include "acc_int.h"

#include <stdlib.h>
#include <time.h>

/* ---- completions -------------------------------------------------------------------- */

struct acc__completion {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    acc_loop *loop;
    acc_frame *coro;   /* as the submitter made it; NULL once handed over whole */
    acc_task *task;    /* loop thread only */
    int status;
    bool submitted, done, cancel;
    acc__post start, stop;
};

int acc_completion_init(acc_completion *c, acc_loop *loop) {
    if (!c)
        return -EINVAL;
    c->impl = NULL;
    if (!loop)
        return -EINVAL;
    struct acc__completion *k = acc__malloc(sizeof *k);
    if (!k)
        return -ENOMEM;
    memset(k, 0, sizeof *k);
    pthread_mutex_init(&k->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&k->cv, &ca);
    pthread_condattr_destroy(&ca);
    k->loop = loop;
    c->impl = k;
    return 0;
}

/* Loop thread: the outcome is known; the waiting threads may go on. */
static void complete(struct acc__completion *k, int status) {
    pthread_mutex_lock(&k->mu);
    k->status = status;
    k->done = true;
    k->task = NULL;
    pthread_cond_broadcast(&k->cv);
    pthread_mutex_unlock(&k->mu);
}

/* The wrapper: awaits the coroutine, then completes. */
typedef struct rct_frame {
    acc_frame hdr;
    struct acc__completion *k;
    acc_frame *coro;
} rct_frame;

ACC__RUNTIME_FN(rct_info, rct_resume, "acc_run_coroutine_threadsafe");

static int rct_resume(acc_frame *f) {
    rct_frame *fr = (rct_frame *)f;
    if (f->acc__state == 0) {
        f->acc__state = 1;
        if (acc__await(f, fr->coro))
            return ACC__PENDING;
    }
    complete(fr->k, acc__task_cancelled(acc__current()) ? -ECANCELED : 0);
    f->acc__state = 2;
    return ACC__DONE;
}

static bool pooled(const acc_frame *f) {
    return !(f->acc__size & 0x80000000u) && f->acc__size <= ACC__POOL_SMALL;
}

/* Loop thread: the submission arrives. */
static void start_cb(void *arg) {
    struct acc__completion *k = arg;
    acc_loop *loop = k->loop;
    bool open = acc__loop_open_lock(loop); /* unlisted: acc_loop_close is running it */
    acc__loop_open_unlock();
    if (!open) {
        complete(k, -ESHUTDOWN);
        return;
    }
    pthread_mutex_lock(&k->mu);
    bool cancel = k->cancel;
    pthread_mutex_unlock(&k->mu);
    if (cancel) {
        complete(k, -ECANCELED);
        return;
    }
    acc_frame *orig = k->coro, *run = orig;
    if (pooled(orig)) {
        run = acc__frame_new(orig->acc__size, orig->acc__fn);
        if (!run) {
            complete(k, -ENOMEM);
            return;
        }
        memcpy((char *)run + sizeof(acc_frame), (char *)orig + sizeof(acc_frame),
               orig->acc__size - sizeof(acc_frame));
    }
    rct_frame *fr = ACC__NEW_FRAME(rct_frame, &rct_info, NULL);
    if (!fr) {
        if (run != orig)
            acc__frame_free(run);
        complete(k, -ENOMEM);
        return;
    }
    fr->k = k;
    fr->coro = run;
    acc_task *t = acc__task_new(loop, &fr->hdr); /* frees fr on failure */
    if (!t) {
        if (run != orig)
            acc__frame_free(run);
        complete(k, -ENOMEM);
        return;
    }
    if (run == orig) {
        pthread_mutex_lock(&k->mu);
        k->coro = NULL; /* the loop owns it now */
        pthread_mutex_unlock(&k->mu);
    }
    k->task = t;
    acc_detach(t);
}

static void stop_cb(void *arg) {
    struct acc__completion *k = arg;
    if (k->task)
        acc_cancel(k->task); /* not done: the wrapper clears task when it is */
}

int acc_run_coroutine_threadsafe(acc_completion *c, acc_frame *coro) {
    struct acc__completion *k = c ? c->impl : NULL;
    if (!coro)
        return -ENOMEM; /* the submitter's constructor failed */
    if (!k || k->submitted) {
        acc__frame_free(coro);
        return -EINVAL;
    }
    bool open = acc__loop_open_lock(k->loop);
    if (open) {
        k->coro = coro;
        k->submitted = true;
        k->start.fn = start_cb;
        k->start.arg = k;
        k->start.owned = false;
        acc__post_to(k->loop, &k->start); /* under the lock: the loop cannot go away */
    }
    acc__loop_open_unlock();
    if (!open) {
        acc__frame_free(coro);
        return -ESHUTDOWN;
    }
    return 0;
}

/* Submitter: gives its frame back to its own pool once the loop is done with it. */
static void give_back(struct acc__completion *k) {
    acc_frame *f = k->coro;
    k->coro = NULL;
    if (f)
        acc__frame_free(f);
    /* a thread that runs no loop frees its pool once nothing in it is live */
    if (!acc__loop_peek())
        acc__pool_release();
}

int acc_completion_wait(acc_completion *c, double timeout) {
    struct acc__completion *k = c ? c->impl : NULL;
    if (!k || !k->submitted)
        return -EINVAL;
    pthread_mutex_lock(&k->mu);
    if (timeout < 0) {
        while (!k->done)
            pthread_cond_wait(&k->cv, &k->mu);
    } else if (!k->done) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t ns = acc__seconds_to_ns(timeout) + (uint64_t)ts.tv_nsec;
        ts.tv_sec += (time_t)(ns / 1000000000u);
        ts.tv_nsec = (long)(ns % 1000000000u);
        while (!k->done)
            if (pthread_cond_timedwait(&k->cv, &k->mu, &ts) == ETIMEDOUT)
                break;
    }
    bool done = k->done;
    int status = k->status;
    pthread_mutex_unlock(&k->mu);
    if (!done)
        return -ETIMEDOUT;
    give_back(k);
    return status;
}

bool acc_completion_done(acc_completion *c) {
    struct acc__completion *k = c ? c->impl : NULL;
    if (!k)
        return false;
    pthread_mutex_lock(&k->mu);
    bool d = k->done;
    pthread_mutex_unlock(&k->mu);
    return d;
}

int acc_completion_cancel(acc_completion *c) {
    struct acc__completion *k = c ? c->impl : NULL;
    if (!k || !k->submitted)
        return -EINVAL;
    pthread_mutex_lock(&k->mu);
    bool done = k->done, again = k->cancel;
    k->cancel = true;
    pthread_mutex_unlock(&k->mu);
    if (done || again)
        return 0;
    if (acc__loop_open_lock(k->loop)) {
        k->stop.fn = stop_cb;
        k->stop.arg = k;
        k->stop.owned = false;
        acc__post_to(k->loop, &k->stop);
    }
    acc__loop_open_unlock();
    return 0;
}

void acc_completion_destroy(acc_completion *c) {
    struct acc__completion *k = c ? c->impl : NULL;
    if (!k)
        return;
    if (k->submitted && !acc_completion_done(c)) {
        acc_completion_cancel(c);
        acc_completion_wait(c, -1);
    }
    give_back(k);
    pthread_cond_destroy(&k->cv);
    pthread_mutex_destroy(&k->mu);
    acc__mfree(k);
    c->impl = NULL;
}
