/*
 * sync.c: the primitives built on wait queues (waitq.c): acc_event,
 * acc_lock, acc_semaphore and acc_queue (asyncio's Event, Lock, Semaphore
 * and Queue).
 *
 * Storage is the caller's all the way down: the primitive lives where the
 * user put it, and each blocked await keeps its queue node in its own
 * frame.  Waiters are woken in FIFO order.  A release hands the resource
 * (the lock, a permit, an item, a free slot) straight to the first waiter
 * whose task is not cancelled, so nobody can barge in between the wake-up
 * and the moment the woken task runs; a cancelled waiter is skipped and
 * unlinks itself when its task resumes with -ECANCELED.
 */
#include "acc_int.h"

#include <stdlib.h>

/*
 * The shape every blocking await below shares.  Each frame embeds a
 * waiter; `grab` tries to take the resource without waiting.
 */
typedef struct prim_frame {
    acc_frame hdr;
    int *res;
    void *obj;    /* the primitive */
    void *item;   /* queue put: the item; queue get: where it goes */
    acc__waiter w;
} prim_frame;

enum { W_START, W_WAIT };

static int prim_finish(prim_frame *fr, int status) {
    return acc__rt_return(&fr->hdr, fr->res, status);
}

static acc_frame *prim_new(const acc__rtinfo *info, int *res, void *obj, void *item) {
    prim_frame *fr = ACC__NEW_FRAME(prim_frame, info, res);
    if (!fr)
        return NULL;
    fr->res = res;
    fr->obj = obj;
    fr->item = item;
    fr->w.item = NULL;
    return &fr->hdr;
}

static int prim_block(prim_frame *fr, acc__waitq *q) {
    acc__waitq_push(q, &fr->w, acc__current());
    fr->hdr.acc__state = W_WAIT;
    return ACC__PENDING;
}

/* Resumed while blocked: handed over, cancelled, or a spurious wake-up. */
static int prim_wait(prim_frame *fr, acc__waitq *q) {
    if (fr->w.done)
        return prim_finish(fr, 0);
    if (!acc__task_cancelled(acc__current()))
        return ACC__PENDING;
    acc__waitq_remove(q, &fr->w);
    return prim_finish(fr, -ECANCELED);
}

/* ---- acc_event ------------------------------------------------------------ */

void acc_event_init(acc_event *e) { memset(e, 0, sizeof *e); }
void acc_event_destroy(acc_event *e) { (void)e; }
bool acc_event_is_set(const acc_event *e) { return e->is_set; }
void acc_event_clear(acc_event *e) { e->is_set = false; }

void acc_event_set(acc_event *e) {
    e->is_set = true;
    acc__waitq_wake_all(&e->waiters);
}

ACC__RUNTIME_FN(event_wait_info, event_wait_resume, "acc_event_wait");

static int event_wait_resume(acc_frame *f) {
    prim_frame *fr = (prim_frame *)f;
    acc_event *e = fr->obj;
    if (f->acc__state == W_START && acc__coop_yield())
        return ACC__PENDING;
    if (f->acc__state != W_START)
        return prim_wait(fr, &e->waiters);
    if (acc__task_cancelled(acc__current()))
        return prim_finish(fr, -ECANCELED);
    if (e->is_set)
        return prim_finish(fr, 0);
    return prim_block(fr, &e->waiters);
}

acc_frame *acc_event_wait__acc(int *res, acc_event *e) {
    return prim_new(&event_wait_info, res, e, NULL);
}

/* ---- acc_lock ------------------------------------------------------------- */

void acc_lock_init(acc_lock *l) { memset(l, 0, sizeof *l); }
void acc_lock_destroy(acc_lock *l) { (void)l; }

int acc_lock_try_acquire(acc_lock *l) {
    if (l->locked)
        return -EAGAIN;
    l->locked = true;
    return 0;
}

/* The lock passes to the first live waiter and stays locked. */
void acc_lock_release(acc_lock *l) {
    acc__waiter *w = acc__waitq_first_live(&l->waiters);
    if (w)
        acc__waiter_wake(&l->waiters, w);
    else
        l->locked = false;
}

ACC__RUNTIME_FN(lock_acquire_info, lock_acquire_resume, "acc_lock_acquire");

static int lock_acquire_resume(acc_frame *f) {
    prim_frame *fr = (prim_frame *)f;
    acc_lock *l = fr->obj;
    if (f->acc__state == W_START && acc__coop_yield())
        return ACC__PENDING;
    if (f->acc__state != W_START)
        return prim_wait(fr, &l->waiters);
    if (acc__task_cancelled(acc__current()))
        return prim_finish(fr, -ECANCELED);
    if (acc_lock_try_acquire(l) == 0)
        return prim_finish(fr, 0);
    return prim_block(fr, &l->waiters);
}

acc_frame *acc_lock_acquire__acc(int *res, acc_lock *l) {
    return prim_new(&lock_acquire_info, res, l, NULL);
}

/* ---- acc_semaphore -------------------------------------------------------- */

void acc_semaphore_init(acc_semaphore *s, long value) {
    memset(s, 0, sizeof *s);
    s->value = value > 0 ? value : 0;
}

void acc_semaphore_init_bounded(acc_semaphore *s, long value) {
    acc_semaphore_init(s, value);
    s->bound = s->value > 0 ? s->value : 1;
}

void acc_semaphore_destroy(acc_semaphore *s) { (void)s; }

/* value > 0 only while nobody live waits: releases hand permits over. */
int acc_semaphore_try_acquire(acc_semaphore *s) {
    if (s->value <= 0)
        return -EAGAIN;
    s->value--;
    return 0;
}

/* A bounded semaphore released more often than acquired: -EOVERFLOW. */
int acc_semaphore_release(acc_semaphore *s) {
    acc__waiter *w = acc__waitq_first_live(&s->waiters);
    if (w)
        acc__waiter_wake(&s->waiters, w);
    else if (s->bound > 0 && s->value >= s->bound)
        return -EOVERFLOW;
    else
        s->value++;
    return 0;
}

ACC__RUNTIME_FN(sem_acquire_info, sem_acquire_resume, "acc_semaphore_acquire");

static int sem_acquire_resume(acc_frame *f) {
    prim_frame *fr = (prim_frame *)f;
    acc_semaphore *s = fr->obj;
    if (f->acc__state == W_START && acc__coop_yield())
        return ACC__PENDING;
    if (f->acc__state != W_START)
        return prim_wait(fr, &s->waiters);
    if (acc__task_cancelled(acc__current()))
        return prim_finish(fr, -ECANCELED);
    if (acc_semaphore_try_acquire(s) == 0)
        return prim_finish(fr, 0);
    return prim_block(fr, &s->waiters);
}

acc_frame *acc_semaphore_acquire__acc(int *res, acc_semaphore *s) {
    return prim_new(&sem_acquire_info, res, s, NULL);
}

/* ---- acc_queue ------------------------------------------------------------ */

/*
 * One type for asyncio's Queue, LifoQueue and PriorityQueue: a ring of
 * `size` slots (FIFO and LIFO) or a binary heap on cmp (priority), bounded
 * by `capacity` or, with capacity 0, growing by doubling.  `unfinished`
 * counts the items put and not yet acc_queue_task_done, for join.  After
 * acc_queue_shutdown, puts fail with -ESHUTDOWN and so do gets from the
 * empty queue; the blocked putters and getters are woken with -ESHUTDOWN
 * (their waiter's item becomes SHUT).
 */
static char shut_mark;
#define SHUT ((void *)&shut_mark)

static int q_init(acc_queue *q, size_t capacity, int kind, int (*cmp)(const void *, const void *)) {
    memset(q, 0, sizeof *q);
    q->kind = kind;
    q->cmp = cmp;
    q->capacity = capacity;
    if (capacity == 0)
        return 0; /* unbounded: slots come with the first put */
    if (capacity > SIZE_MAX / sizeof(void *))
        return -ENOMEM;
    q->buf = acc__malloc(capacity * sizeof(void *));
    if (!q->buf)
        return -ENOMEM;
    q->size = capacity;
    return 0;
}

int acc_queue_init(acc_queue *q, size_t capacity) { return q_init(q, capacity, ACC_QUEUE_FIFO, NULL); }

int acc_queue_init_lifo(acc_queue *q, size_t capacity) {
    return q_init(q, capacity, ACC_QUEUE_LIFO, NULL);
}

int acc_queue_init_priority(acc_queue *q, size_t capacity, int (*cmp)(const void *, const void *)) {
    if (!cmp) {
        memset(q, 0, sizeof *q);
        return -EINVAL;
    }
    return q_init(q, capacity, ACC_QUEUE_PRIORITY, cmp);
}

void acc_queue_destroy(acc_queue *q) {
    acc__mfree(q->buf);
    q->buf = NULL;
    q->capacity = q->count = q->size = q->head = 0;
}

size_t acc_queue_size(const acc_queue *q) { return q->count; }
size_t acc_queue_unfinished(const acc_queue *q) { return q->unfinished; }
bool acc_queue_is_shutdown(const acc_queue *q) { return q->shut; }

/* Doubles an unbounded queue's slots, the ring unrolled from 0. */
static int q_grow(acc_queue *q) {
    size_t size = q->size ? q->size * 2 : 8;
    if (size > SIZE_MAX / sizeof(void *) / 2)
        return -ENOMEM;
    void **buf = acc__malloc(size * sizeof(void *));
    if (!buf)
        return -ENOMEM;
    for (size_t i = 0; i < q->count; i++)
        buf[i] = q->kind == ACC_QUEUE_PRIORITY ? q->buf[i] : q->buf[(q->head + i) % q->size];
    acc__mfree(q->buf);
    q->buf = buf;
    q->size = size;
    q->head = 0;
    return 0;
}

static int q_push(acc_queue *q, void *item) {
    if (q->count == q->size) {
        int r = q_grow(q);
        if (r < 0)
            return r;
    }
    if (q->kind != ACC_QUEUE_PRIORITY) {
        q->buf[(q->head + q->count) % q->size] = item;
        q->count++;
        return 0;
    }
    size_t i = q->count++;
    while (i > 0 && q->cmp(item, q->buf[(i - 1) / 2]) < 0) {
        q->buf[i] = q->buf[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    q->buf[i] = item;
    return 0;
}

static void *q_pop(acc_queue *q) {
    void *item;
    switch (q->kind) {
    case ACC_QUEUE_FIFO:
        item = q->buf[q->head];
        q->head = (q->head + 1) % q->size;
        q->count--;
        return item;
    case ACC_QUEUE_LIFO:
        return q->buf[(q->head + --q->count) % q->size];
    default:
        break;
    }
    item = q->buf[0];
    void *last = q->buf[--q->count];
    size_t i = 0, n = q->count;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && q->cmp(q->buf[c + 1], q->buf[c]) < 0)
            c++;
        if (q->cmp(q->buf[c], last) >= 0)
            break;
        q->buf[i] = q->buf[c];
        i = c;
    }
    if (n > 0)
        q->buf[i] = last;
    return item;
}

/* Getters wait only on an empty queue: an item goes straight to one. */
int acc_queue_try_put(acc_queue *q, void *item) {
    if (q->shut)
        return -ESHUTDOWN;
    acc__waiter *g = acc__waitq_first_live(&q->getters);
    if (g) {
        g->item = item;
        acc__waiter_wake(&q->getters, g);
        q->unfinished++;
        return 0;
    }
    if (q->capacity && q->count >= q->capacity)
        return -EAGAIN;
    int r = q_push(q, item);
    if (r == 0)
        q->unfinished++;
    return r;
}

/* Putters wait only on a full queue: the slot freed goes to the first. */
int acc_queue_try_get(acc_queue *q, void **item) {
    if (q->count == 0)
        return q->shut ? -ESHUTDOWN : -EAGAIN;
    void *it = q_pop(q);
    if (item)
        *item = it;
    acc__waiter *p = acc__waitq_first_live(&q->putters);
    if (p) {
        q_push(q, p->item); /* a bounded queue: the slot is there */
        q->unfinished++;
        acc__waiter_wake(&q->putters, p);
    }
    return 0;
}

int acc_queue_task_done(acc_queue *q) {
    if (q->unfinished == 0)
        return -EINVAL; /* more calls than items put */
    if (--q->unfinished == 0)
        acc__waitq_wake_all(&q->joiners);
    return 0;
}

static void q_wake_shut(acc__waitq *wq) {
    while (wq->acc__head) {
        wq->acc__head->item = SHUT;
        acc__waiter_wake(wq, wq->acc__head);
    }
}

void acc_queue_shutdown(acc_queue *q, bool immediate) {
    q->shut = true;
    if (immediate) {
        while (q->count > 0) {
            q_pop(q);
            if (q->unfinished > 0)
                q->unfinished--;
        }
        if (q->unfinished == 0)
            acc__waitq_wake_all(&q->joiners);
    }
    q_wake_shut(&q->getters);
    q_wake_shut(&q->putters);
}

/* A blocked put or get resumed: handed over, shut down, cancelled, or spurious. */
static int q_wait(prim_frame *fr, acc__waitq *wq) {
    if (fr->w.done && fr->w.item == SHUT)
        return prim_finish(fr, -ESHUTDOWN);
    return prim_wait(fr, wq);
}

ACC__RUNTIME_FN(queue_put_info, queue_put_resume, "acc_queue_put");

static int queue_put_resume(acc_frame *f) {
    prim_frame *fr = (prim_frame *)f;
    acc_queue *q = fr->obj;
    if (f->acc__state == W_START && acc__coop_yield())
        return ACC__PENDING;
    if (f->acc__state != W_START)
        return q_wait(fr, &q->putters);
    if (acc__task_cancelled(acc__current()))
        return prim_finish(fr, -ECANCELED);
    int r = acc_queue_try_put(q, fr->item);
    if (r != -EAGAIN)
        return prim_finish(fr, r);
    fr->w.item = fr->item;
    return prim_block(fr, &q->putters);
}

acc_frame *acc_queue_put__acc(int *res, acc_queue *q, void *item) {
    return prim_new(&queue_put_info, res, q, item);
}

ACC__RUNTIME_FN(queue_get_info, queue_get_resume, "acc_queue_get");

static int queue_get_resume(acc_frame *f) {
    prim_frame *fr = (prim_frame *)f;
    acc_queue *q = fr->obj;
    void **out = fr->item;
    if (f->acc__state == W_START && acc__coop_yield())
        return ACC__PENDING;
    if (f->acc__state != W_START) {
        int r = q_wait(fr, &q->getters);
        if (r == ACC__DONE && fr->w.done && fr->w.item != SHUT && out)
            *out = fr->w.item;
        return r;
    }
    if (acc__task_cancelled(acc__current()))
        return prim_finish(fr, -ECANCELED);
    int r = acc_queue_try_get(q, out);
    if (r != -EAGAIN)
        return prim_finish(fr, r);
    fr->w.item = NULL;
    return prim_block(fr, &q->getters);
}

acc_frame *acc_queue_get__acc(int *res, acc_queue *q, void **item) {
    return prim_new(&queue_get_info, res, q, item);
}

ACC__RUNTIME_FN(queue_join_info, queue_join_resume, "acc_queue_join");

static int queue_join_resume(acc_frame *f) {
    prim_frame *fr = (prim_frame *)f;
    acc_queue *q = fr->obj;
    if (f->acc__state == W_START && acc__coop_yield())
        return ACC__PENDING;
    if (f->acc__state != W_START)
        return prim_wait(fr, &q->joiners);
    if (acc__task_cancelled(acc__current()))
        return prim_finish(fr, -ECANCELED);
    if (q->unfinished == 0)
        return prim_finish(fr, 0);
    fr->w.item = NULL;
    return prim_block(fr, &q->joiners);
}

acc_frame *acc_queue_join__acc(int *res, acc_queue *q) {
    return prim_new(&queue_join_info, res, q, NULL);
}
