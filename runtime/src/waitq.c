/*
 * waitq.c: wait queues, the one way a task blocks on something that another
 * task or the loop will signal (sync primitives, task completion, descriptor
 * readiness).
 *
 * A queue is a FIFO doubly-linked list of waiter nodes; each node lives in
 * the frame of the await that blocks (caller-owned storage all the way
 * down), so queuing never allocates and never fails.  Waking a node unlinks
 * it, marks it done and puts its task on the ready queue; the await sees
 * `done` when its task resumes.
 */
#include "acc_int.h"

void acc__waitq_push(acc__waitq *q, acc__waiter *w, acc_task *task) {
    w->task = task;
    w->done = false;
    w->next = NULL;
    w->prev = q->acc__tail;
    if (q->acc__tail)
        q->acc__tail->next = w;
    else
        q->acc__head = w;
    q->acc__tail = w;
}

void acc__waitq_remove(acc__waitq *q, acc__waiter *w) {
    if (w->prev)
        w->prev->next = w->next;
    else
        q->acc__head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        q->acc__tail = w->prev;
    w->prev = w->next = NULL;
}

/* A waiter whose item is ACC__WAITER_FORCED is handed the resource even
 * when its task is cancelled (condition.c: a condition wait taking its
 * lock back). */
acc__waiter *acc__waitq_first_live(const acc__waitq *q) {
    for (acc__waiter *w = q->acc__head; w; w = w->next)
        if (!acc__task_cancelled(w->task) || w->item == ACC__WAITER_FORCED)
            return w;
    return NULL;
}

void acc__waiter_wake(acc__waitq *q, acc__waiter *w) {
    acc__waitq_remove(q, w);
    w->done = true;
    acc__wake(w->task);
}

void acc__waitq_wake_all(acc__waitq *q) {
    while (q->acc__head)
        acc__waiter_wake(q, q->acc__head);
}

