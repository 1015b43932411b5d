/*
 * test_cancel.c: level-triggered cancellation at every kind of runtime
 * await.  A task blocks in one await; it is cancelled; that await returns
 * -ECANCELED (the executor's waits for its job), and the task's next
 * runtime await completes at once with -ECANCELED, without suspending.
 * Also: a cancel deep inside a chain of awaited frames.
 */
#define _GNU_SOURCE
#include "coros.h"

#include <fcntl.h>
#include <semaphore.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
    K_SLEEP, K_JOIN, K_GATHER, K_GATHER_TASKS, K_WAIT, K_WAIT_FOR, K_FUTURE,
    K_EVENT, K_LOCK, K_SEM, K_QPUT, K_QGET, K_READABLE, K_READ, K_WRITABLE,
    K_WRITE, K_ACCEPT, K_EXECUTOR, K_COUNT
};

static struct env {
    acc_task *victim, *ts[2];
    acc_future *fut;
    acc_event ev;
    acc_lock lk;
    acc_semaphore sem;
    acc_queue q;
    int fds[2];
    char buf[4096];
    ssize_t n;
    void *item;
} E;

static int g_st1, g_st2, g_resumed_inline;
static void *g_x;

/* The executor's job runs until the test lets it go, after the cancel:
 * an event, not a duration, however slow the machine. */
static sem_t job_gate;

static void *slow_job(void *arg) {
    (void)arg;
    sem_wait(&job_gate);
    return (void *)7;
}

static void fill_pipe(int fd) {
    static char junk[65536];
    while (write(fd, junk, sizeof junk) > 0)
        ;
}

static void setup(int kind) {
    memset(&E, 0, sizeof E);
    E.fds[0] = E.fds[1] = -1;
    switch (kind) {
    case K_JOIN:
    case K_WAIT: E.victim = acc_spawn(nap__acc(NULL, 0, 100.0)); break;
    case K_FUTURE: E.fut = acc_future_new(); break;
    case K_EVENT: acc_event_init(&E.ev); break;
    case K_LOCK: acc_lock_init(&E.lk); assert_int_equal(acc_lock_try_acquire(&E.lk), 0); break;
    case K_SEM: acc_semaphore_init(&E.sem, 0); break;
    case K_QPUT: acc_queue_init(&E.q, 1); assert_int_equal(acc_queue_try_put(&E.q, &E), 0); break;
    case K_QGET: acc_queue_init(&E.q, 1); break;
    case K_READABLE:
    case K_READ: assert_int_equal(pipe2(E.fds, O_NONBLOCK | O_CLOEXEC), 0); break;
    case K_WRITABLE:
    case K_WRITE:
        assert_int_equal(pipe2(E.fds, O_NONBLOCK | O_CLOEXEC), 0);
        fill_pipe(E.fds[1]);
        break;
    case K_ACCEPT: E.fds[0] = acc_tcp_listen("127.0.0.1", 0, 8); assert_true(E.fds[0] >= 0); break;
    default: break;
    }
}

static void teardown(int kind) {
    switch (kind) {
    case K_FUTURE: acc_future_free(E.fut); break;
    case K_LOCK: acc_lock_release(&E.lk); acc_lock_destroy(&E.lk); break;
    case K_QPUT:
    case K_QGET: acc_queue_destroy(&E.q); break;
    default: break;
    }
    for (int i = 0; i < 2; i++)
        if (E.fds[i] >= 0)
            close(E.fds[i]);
}

static acc_frame *make_await(int kind, int *st, void **x) {
    switch (kind) {
    case K_SLEEP: return acc_sleep__acc(st, 100.0);
    case K_JOIN: return acc_join__acc(st, E.victim);
    case K_GATHER: return acc_gather__acc(st, nap__acc(NULL, 0, 100.0), nap__acc(NULL, 0, 100.0));
    case K_GATHER_TASKS:
        E.ts[0] = acc_spawn(nap__acc(NULL, 0, 100.0));
        E.ts[1] = acc_spawn(nap__acc(NULL, 0, 100.0));
        return acc_gather_tasks__acc(st, E.ts, 2);
    case K_WAIT: return acc_wait__acc(st, &E.victim, 1, ACC_ALL_COMPLETED, -1);
    case K_WAIT_FOR: return acc_wait_for__acc(st, nap__acc(NULL, 0, 100.0), 100.0);
    case K_FUTURE: return acc_future_wait__acc(st, E.fut);
    case K_EVENT: return acc_event_wait__acc(st, &E.ev);
    case K_LOCK: return acc_lock_acquire__acc(st, &E.lk);
    case K_SEM: return acc_semaphore_acquire__acc(st, &E.sem);
    case K_QPUT: return acc_queue_put__acc(st, &E.q, &E);
    case K_QGET: return acc_queue_get__acc(st, &E.q, &E.item);
    case K_READABLE: return acc_readable__acc(st, E.fds[0]);
    case K_READ: return acc_read__acc(&E.n, E.fds[0], E.buf, sizeof E.buf);
    case K_WRITABLE: return acc_writable__acc(st, E.fds[1]);
    case K_WRITE: return acc_write__acc(&E.n, E.fds[1], E.buf, sizeof E.buf);
    case K_ACCEPT: return acc_accept__acc(st, E.fds[0], NULL, NULL);
    default: return acc_to_thread__acc(x, slow_job, NULL);
    }
}

typedef struct blk_frame {
    acc_frame hdr;
    int *res;
    int kind, st1, st2;
    void *x;
} blk_frame;
ACCT_FN(blk);

static acc_frame *blk__acc(int *res, int kind) {
    blk_frame *fr = ACCT_NEW(blk_frame, blk);
    fr->res = res;
    fr->kind = kind;
    fr->st1 = fr->st2 = 12345;
    fr->x = NULL;
    return &fr->hdr;
}

static int blk_resume(acc_frame *f) {
    blk_frame *fr = (blk_frame *)f;
    ACCT_BEGIN(fr);
    ACCT_AWAIT(fr, 1, make_await(fr->kind, &fr->st1, &fr->x));
    g_st1 = fr->kind == K_READ || fr->kind == K_WRITE ? (int)E.n : fr->st1;
    g_x = fr->x;
    fr->hdr.acc__state = 2; /* the next runtime await must not suspend */
    g_resumed_inline = acc__await(&fr->hdr, acc_sleep__acc(&fr->st2, 100.0)) == 0;
    g_st2 = fr->st2;
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

ACCT_MAIN(m_kinds) {
    ACCT_BEGIN(fr);
    for (fr->i = 0; fr->i < K_COUNT; fr->i++) {
        setup(fr->i);
        g_st1 = g_st2 = 777;
        g_resumed_inline = 0;
        fr->t[0] = acc_spawn(blk__acc(NULL, fr->i));
        ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 0.005));
        assert_false(acc_task_done(fr->t[0])); /* it blocks */
        acc_cancel(fr->t[0]);
        if (fr->i == K_EXECUTOR)
            sem_post(&job_gate); /* the job (if a worker has it) may end now */
        ACCT_AWAIT(fr, 2, acc_join__acc(&fr->r[0], fr->t[0]));
        assert_int_equal(fr->r[0], -ECANCELED);
        if (fr->i == K_EXECUTOR)
            assert_true(g_x == (void *)7 || g_x == NULL);
        else
            assert_int_equal(g_st1, -ECANCELED);
        assert_true(g_resumed_inline);
        assert_int_equal(g_st2, -ECANCELED);
        if (fr->i == K_WAIT) { /* acc_wait does not consume the handle */
            acc_cancel(E.victim);
            ACCT_AWAIT(fr, 3, acc_join__acc(&fr->r[1], E.victim));
            assert_int_equal(fr->r[1], -ECANCELED);
        }
        teardown(fr->i);
    }
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_every_await(void **state) {
    (void)state;
    assert_int_equal(sem_init(&job_gate, 0, 0), 0);
    assert_int_equal(acc_run(m_kinds__acc(NULL)), 0);
    sem_destroy(&job_gate);
    ACCT_NO_LEAKS();
}

/* A task cancelled at the bottom of a chain of 1000 awaits unwinds
 * through its own code: every frame returns, and the result is written. */
typedef struct chain_frame {
    acc_frame hdr;
    int *res;
    int n, sub;
} chain_frame;
ACCT_FN(chain);

static acc_frame *chain__acc(int *res, int n) {
    chain_frame *fr = ACCT_NEW(chain_frame, chain);
    fr->res = res;
    fr->n = n;
    return &fr->hdr;
}

static int chain_resume(acc_frame *f) {
    chain_frame *fr = (chain_frame *)f;
    ACCT_BEGIN(fr);
    if (fr->n == 0) {
        ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->sub, 100.0));
        ACCT_RETURN(fr, fr->sub == -ECANCELED ? 0 : -1000000);
    }
    ACCT_AWAIT(fr, 2, chain__acc(&fr->sub, fr->n - 1));
    ACCT_AWAIT(fr, 3, acc_yield__acc(&fr->n)); /* cancelled: no suspension */
    ACCT_RETURN(fr, fr->sub + (fr->n == -ECANCELED));
    ACCT_END;
}

ACCT_MAIN(m_chain) {
    ACCT_BEGIN(fr);
    fr->t[0] = acc_spawn(chain__acc(&fr->r[0], 1000));
    ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 0.002));
    acc_cancel(fr->t[0]);
    ACCT_AWAIT(fr, 2, acc_join__acc(&fr->r[1], fr->t[0]));
    assert_int_equal(fr->r[1], -ECANCELED);
    assert_int_equal(fr->r[0], 1000);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_cancel_deep_chain(void **state) {
    (void)state;
    assert_int_equal(acc_run(m_chain__acc(NULL)), 0);
    ACCT_NO_LEAKS();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_await),
        cmocka_unit_test(test_cancel_deep_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
