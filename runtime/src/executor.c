/*
 * executor.c: a fixed pool of worker threads (loop.run_in_executor,
 * asyncio.to_thread).
 *
 * A job lives in the frame of the await that submitted it.  A worker takes
 * it from the pool's queue, runs fn, and posts the job into the owning
 * loop's inbox; the completion (waking the task) therefore runs on the
 * loop thread, and workers never touch loop state.  A running job cannot
 * be abandoned: an await whose task is cancelled still waits for its job
 * to end and then returns fn's result.  A job still queued when its task
 * is cancelled is taken back and the await returns NULL.
 */
#define _GNU_SOURCE
#include "acc_int.h"

#include <unistd.h>

typedef struct job {
    struct job *next;
    void *(*fn)(void *);
    void *arg;
    void *result;
    acc_loop *loop;
    acc_task *task;
    bool picked;   /* taken by a worker (guarded by the pool's mutex) */
    bool finished; /* completion delivered (loop thread only) */
    acc__post post;
} job;

/* Owned by its creator; the default pool by the loop that made it. */
struct acc_executor {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job *head, *tail;
    bool stop;
    int nthreads;
    pthread_t th[];
};

static void *worker(void *arg) {
    acc_executor *ex = arg;
    pthread_mutex_lock(&ex->mu);
    for (;;) {
        while (!ex->head && !ex->stop)
            pthread_cond_wait(&ex->cv, &ex->mu);
        job *j = ex->head;
        if (!j)
            break; /* stopping, and the queue is drained */
        ex->head = j->next;
        if (!ex->head)
            ex->tail = NULL;
        j->picked = true;
        pthread_mutex_unlock(&ex->mu);
        j->result = j->fn(j->arg);
        acc__post_to(j->loop, &j->post);
        pthread_mutex_lock(&ex->mu);
    }
    pthread_mutex_unlock(&ex->mu);
    return NULL;
}

static int default_threads(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 4 ? 4 : n > 256 ? 256 : (int)n;
}

static void stop_and_join(acc_executor *ex, int started) {
    pthread_mutex_lock(&ex->mu);
    ex->stop = true;
    pthread_cond_broadcast(&ex->cv);
    pthread_mutex_unlock(&ex->mu);
    for (int i = 0; i < started; i++)
        pthread_join(ex->th[i], NULL);
}

acc_executor *acc_executor_new(int threads) {
    if (threads <= 0)
        threads = default_threads();
    acc_executor *ex = acc__malloc(sizeof *ex + (size_t)threads * sizeof(pthread_t));
    if (!ex)
        return NULL;
    pthread_mutex_init(&ex->mu, NULL);
    pthread_cond_init(&ex->cv, NULL);
    ex->head = ex->tail = NULL;
    ex->stop = false;
    ex->nthreads = threads;
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&ex->th[i], NULL, worker, ex) != 0) {
            stop_and_join(ex, i);
            goto fail;
        }
    }
    return ex;
fail:
    pthread_cond_destroy(&ex->cv);
    pthread_mutex_destroy(&ex->mu);
    acc__mfree(ex);
    return NULL;
}

/* Queued jobs still run: workers leave only once the queue is empty. */
void acc_executor_free(acc_executor *ex) {
    if (!ex)
        return;
    stop_and_join(ex, ex->nthreads);
    pthread_cond_destroy(&ex->cv);
    pthread_mutex_destroy(&ex->mu);
    acc__mfree(ex);
}

void acc__executor_shutdown(acc_loop *loop) {
    acc_executor_free(loop->executor);
    loop->executor = NULL;
}

static void submit(acc_executor *ex, job *j) {
    j->next = NULL;
    pthread_mutex_lock(&ex->mu);
    if (ex->tail)
        ex->tail->next = j;
    else
        ex->head = j;
    ex->tail = j;
    pthread_cond_signal(&ex->cv);
    pthread_mutex_unlock(&ex->mu);
}

/* Takes a job back from the queue if no worker has it yet. */
static bool unsubmit(acc_executor *ex, job *j) {
    bool found = false;
    pthread_mutex_lock(&ex->mu);
    if (!j->picked) {
        job **pp = &ex->head, *prev = NULL;
        while (*pp && *pp != j) {
            prev = *pp;
            pp = &(*pp)->next;
        }
        if (*pp) {
            *pp = j->next;
            if (ex->tail == j)
                ex->tail = prev;
            found = true;
        }
    }
    pthread_mutex_unlock(&ex->mu);
    return found;
}

static void job_done(void *arg) {
    job *j = arg;
    j->finished = true;
    acc__wake(j->task);
}

typedef struct exec_frame {
    acc_frame hdr;
    void **res;
    acc_executor *ex;
    job j;
} exec_frame;

ACC__RUNTIME_FN(exec_info, exec_resume, "acc_run_in_executor");

static int ex_finish(exec_frame *fr, void *result) {
    fr->hdr.acc__state = 2;
    if (fr->res)
        *fr->res = result;
    return ACC__DONE;
}

static int ex_start(exec_frame *fr, acc_task *self) {
    if (acc__task_cancelled(self))
        return ex_finish(fr, NULL);
    acc_loop *loop = acc__running_loop();
    if (!fr->ex) {
        if (!loop->executor)
            loop->executor = acc_executor_new(0);
        fr->ex = loop->executor;
        if (!fr->ex) {
            acc__fail_nomem();
            return ex_finish(fr, NULL);
        }
    }
    fr->j.loop = loop;
    fr->j.task = self;
    fr->j.picked = fr->j.finished = false;
    fr->j.post.fn = job_done;
    fr->j.post.arg = &fr->j;
    fr->j.post.owned = false;
    submit(fr->ex, &fr->j);
    fr->hdr.acc__state = 1;
    return ACC__PENDING;
}

static int exec_resume(acc_frame *f) {
    exec_frame *fr = (exec_frame *)f;
    acc_task *self = acc__current();
    if (f->acc__state == 0 && acc__coop_yield())
        return ACC__PENDING;
    if (f->acc__state == 0)
        return ex_start(fr, self);
    if (fr->j.finished)
        return ex_finish(fr, fr->j.result);
    if (acc__task_cancelled(self) && unsubmit(fr->ex, &fr->j))
        return ex_finish(fr, NULL);
    return ACC__PENDING;
}

acc_frame *acc_run_in_executor__acc(void **res, acc_executor *ex, void *(*fn)(void *), void *arg) {
    exec_frame *fr = ACC__NEW_FRAME(exec_frame, &exec_info, NULL);
    if (!fr) {
        if (res)
            *res = NULL;
        return NULL;
    }
    fr->res = res;
    fr->ex = ex;
    fr->j.fn = fn;
    fr->j.arg = arg;
    return &fr->hdr;
}

acc_frame *acc_to_thread__acc(void **res, void *(*fn)(void *), void *arg) {
    return acc_run_in_executor__acc(res, NULL, fn, arg);
}
