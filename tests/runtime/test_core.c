/*
 * test_core.c: the runtime core under cancellation and hostile I/O.
 *
 *  - a cancelled join (and gather_tasks) cancels the child and waits for
 *    it: the child writes its result into the joiner's frame before the
 *    joiner goes on;
 *  - the coop budget: a task reading an always-ready descriptor lets other
 *    tasks and timers run;
 *  - every runtime await evaluates to -ENOMEM when its frame cannot be
 *    allocated; a poller that fails (EBADF) ends the run with that status;
 *  - the doors from other threads fail with -ESHUTDOWN once the loop is
 *    closed;
 *  - a sleep never ends early after a long step in the same iteration;
 *  - naming many tasks; a cancelled task that spins shows in acc_dump_tasks.
 */
#define _GNU_SOURCE
#include "coros.h"

#include "acc_int.h"

#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- 1. a cancelled joiner waits for the child ---------------------------- */

/* notes id, sleeps (cancelled: at once), notes id+1, yields, notes id+2,
 * then writes 42 through its result target */
typedef struct slow_frame {
    acc_frame hdr;
    int *res;
    int id, st;
} slow_frame;
ACCT_FN(slow);

static acc_frame *slow__acc(int *res, int id) {
    slow_frame *fr = ACCT_NEW(slow_frame, slow);
    if (!fr)
        return NULL;
    fr->res = res;
    fr->id = id;
    return &fr->hdr;
}

static int slow_resume(acc_frame *f) {
    slow_frame *fr = (slow_frame *)f;
    ACCT_BEGIN(fr);
    acct_note(fr->id);
    ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 100.0));
    acct_note(fr->id + 1);
    ACCT_AWAIT(fr, 2, acc_yield__acc(&fr->st));
    acct_note(fr->id + 2);
    ACCT_RETURN(fr, 42);
    ACCT_END;
}

/* spawns slow() with its result target in this frame and joins it */
ACCT_MAIN(joiner) {
    ACCT_BEGIN(fr);
    fr->r[0] = -1;
    fr->t[0] = acc_spawn(slow__acc(&fr->r[0], 10));
    ACCT_AWAIT(fr, 1, acc_join__acc(&fr->st, fr->t[0]));
    acct_note(99);
    assert_int_equal(fr->r[0], 42); /* written while this frame lived */
    ACCT_RETURN(fr, fr->st);
    ACCT_END;
}

ACCT_MAIN(m_join_cancelled) {
    ACCT_BEGIN(fr);
    fr->t[0] = acc_spawn(joiner__acc(&fr->r[0]));
    ACCT_AWAIT(fr, 1, acc_yield__acc(&fr->st)); /* joiner spawns, joins */
    ACCT_AWAIT(fr, 2, acc_yield__acc(&fr->st)); /* slow sleeps */
    acc_cancel(fr->t[0]);
    ACCT_AWAIT(fr, 3, acc_join__acc(&fr->st, fr->t[0]));
    assert_int_equal(fr->st, -ECANCELED);   /* the joiner was cancelled */
    assert_int_equal(fr->r[0], -ECANCELED); /* its join's status */
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_join_cancelled_waits(void **state) {
    (void)state;
    acct_log_reset();
    int r = -1;
    assert_int_equal(acc_run(m_join_cancelled__acc(&r)), 0);
    assert_int_equal(r, 0);
    ACCT_EXPECT_LOG(10, 11, 12, 99);
    ACCT_NO_LEAKS();
}

/* cancelled by itself after its child started, then gather_tasks */
ACCT_MAIN(gatherer) {
    ACCT_BEGIN(fr);
    fr->r[0] = -1;
    fr->t[0] = acc_spawn(slow__acc(&fr->r[0], 20));
    ACCT_AWAIT(fr, 1, acc_yield__acc(&fr->st)); /* slow sleeps */
    acc_cancel(acc_current_task());
    ACCT_AWAIT(fr, 2, acc_gather_tasks__acc(&fr->st, fr->t, 1));
    acct_note(99);
    assert_int_equal(fr->st, -ECANCELED);
    assert_int_equal(fr->r[0], 42);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_gather_tasks_cancelled_waits(void **state) {
    (void)state;
    acct_log_reset();
    int r = -1;
    assert_int_equal(acc_run(gatherer__acc(&r)), -ECANCELED);
    assert_int_equal(r, 0);
    ACCT_EXPECT_LOG(20, 21, 22, 99);
    ACCT_NO_LEAKS();
}

/* ---- 2. fairness: the coop budget ----------------------------------------- */

static int other_ran, timer_ran;

ACCT_MAIN(yielder) {
    ACCT_BEGIN(fr);
    ACCT_AWAIT(fr, 1, acc_yield__acc(&fr->st));
    other_ran = 1;
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

ACCT_MAIN(napper) {
    ACCT_BEGIN(fr);
    ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 1e-6));
    timer_ran = 1;
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

/* Reads /dev/zero, always ready, until the others have run (or 100,000
 * reads: without a budget nothing else ever runs). */
static char zbuf[64];
static ssize_t zgot;

ACCT_MAIN(m_spin_reader) {
    ACCT_BEGIN(fr);
    fr->n = open("/dev/zero", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    assert_true(fr->n >= 0);
    fr->t[0] = acc_spawn(yielder__acc(NULL));
    fr->t[1] = acc_spawn(napper__acc(NULL));
    for (fr->i = 0; fr->i < 100000 && !(other_ran && timer_ran); fr->i++)
        ACCT_AWAIT(fr, 1, acc_read__acc(&zgot, fr->n, zbuf, sizeof zbuf));
    close(fr->n);
    assert_true(other_ran);
    assert_true(timer_ran);
    assert_true(fr->i < 100000);
    ACCT_AWAIT(fr, 2, acc_gather_tasks__acc(&fr->st, fr->t, 2));
    ACCT_RETURN(fr, fr->st);
    ACCT_END;
}

static void test_always_ready_reader_yields(void **state) {
    (void)state;
    other_ran = timer_ran = 0;
    int r = -1;
    assert_int_equal(acc_run(m_spin_reader__acc(&r)), 0);
    assert_int_equal(r, 0);
    ACCT_NO_LEAKS();
}

/* ---- 3. out of memory: every await says -ENOMEM --------------------------- */

static void expect_nomem(acc_frame *f, int v, const char *what) {
    if (f || v != -ENOMEM)
        fail_msg("%s: frame %p, status %d", what, (void *)f, v);
}

static void test_await_nomem_status(void **state) {
    (void)state;
    acc_event e;
    acc_lock l;
    acc_semaphore s;
    acc_queue q;
    acc_event_init(&e);
    acc_lock_init(&l);
    acc_semaphore_init(&s, 0);
    assert_int_equal(acc_queue_init(&q, 1), 0);
    int v;
    ssize_t w;
    void *item;
    char buf[4];
#define TRY(call)                                                              \
    do {                                                                       \
        v = 12345;                                                             \
        acc__alloc_fail_at(1);                                                 \
        acc_frame *f_ = (call);                                                \
        acc__alloc_fail_at(0);                                                 \
        expect_nomem(f_, v, #call);                                            \
    } while (0)
#define TRYW(call)                                                             \
    do {                                                                       \
        w = 12345;                                                             \
        acc__alloc_fail_at(1);                                                 \
        acc_frame *f_ = (call);                                                \
        acc__alloc_fail_at(0);                                                 \
        expect_nomem(f_, (int)w, #call);                                       \
    } while (0)
    TRY(acc_sleep__acc(&v, 1.0));
    TRY(acc_yield__acc(&v));
    TRY(acc_join__acc(&v, NULL));
    TRY(acc_gather_tasks__acc(&v, NULL, 0));
    TRY(acc__gather_new(&v, NULL, 0));
    TRY(acc_wait__acc(&v, NULL, 0, ACC_ALL_COMPLETED, -1));
    TRY(acc_wait_for__acc(&v, NULL, 1.0));
    TRY(acc_future_wait__acc(&v, NULL));
    TRY(acc_event_wait__acc(&v, &e));
    TRY(acc_lock_acquire__acc(&v, &l));
    TRY(acc_semaphore_acquire__acc(&v, &s));
    TRY(acc_queue_put__acc(&v, &q, NULL));
    TRY(acc_queue_get__acc(&v, &q, &item));
    TRY(acc_readable__acc(&v, 0));
    TRY(acc_writable__acc(&v, 1));
    TRY(acc_accept__acc(&v, 0, NULL, NULL));
    TRY(acc_connect__acc(&v, 0, NULL, 0));
    TRY(acc_tcp_connect__acc(&v, "localhost", 1));
    TRYW(acc_read__acc(&w, 0, buf, sizeof buf));
    TRYW(acc_write__acc(&w, 1, buf, sizeof buf));
#undef TRY
#undef TRYW
    assert_false(l.locked);
    acc_queue_destroy(&q);
    ACCT_NO_LEAKS();
}

/* A poller that fails for good: the run ends with its status. */
static acc__backend broken;

static int broken_wait(acc_loop *loop, int timeout_ms, const acc__fired **fired) {
    (void)loop;
    (void)timeout_ms;
    (void)fired;
    return -EBADF;
}

ACCT_MAIN(m_broken_poller) {
    ACCT_BEGIN(fr);
    /* long: a busy machine (valgrind) must not let it time out before the
       loop first asks the poller */
    ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 60));
    ACCT_RETURN(fr, fr->st);
    ACCT_END;
}

static void test_poller_failure_ends_run(void **state) {
    (void)state;
    acc_loop *loop = acc_loop_new();
    assert_non_null(loop);
    broken = *loop->backend;
    broken.wait = broken_wait;
    loop->backend = &broken;
    int r = -1;
    assert_int_equal(acc_loop_run_until_complete(loop, m_broken_poller__acc(&r)), -EBADF);
    assert_int_equal(r, -ECANCELED); /* the sleep was cut short, not timed out */
    acc_loop_close(loop);
    ACCT_NO_LEAKS();
}

/* ---- the registry keeps interest between waits: a reused number ----------- */

static int pipe_wr;

ACCT_MAIN(late_writer) {
    ACCT_BEGIN(fr);
    ACCT_AWAIT(fr, 1, acc_yield__acc(&fr->st));
    assert_int_equal(write(pipe_wr, "y", 1), 1);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

ACCT_MAIN(m_reuse) {
    ACCT_BEGIN(fr);
    {
        int p[2];
        char c;
        assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
        fr->r[0] = p[0];
        fr->r[1] = p[1];
        assert_int_equal(write(p[1], "x", 1), 1);
        (void)c;
    }
    ACCT_AWAIT(fr, 1, acc_readable__acc(&fr->st, fr->r[0])); /* registers fd */
    assert_int_equal(fr->st, 0);
    {
        char c;
        int p[2];
        assert_int_equal(read(fr->r[0], &c, 1), 1);
        close(fr->r[0]); /* the kernel drops the registration; the registry keeps it */
        close(fr->r[1]);
        assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
        assert_int_equal(p[0], fr->r[0]); /* the same number, another pipe */
        fr->r[1] = p[1];
        pipe_wr = p[1];
    }
    fr->t[0] = acc_spawn(late_writer__acc(NULL));
    ACCT_AWAIT(fr, 2, acc_readable__acc(&fr->st, fr->r[0]));
    assert_int_equal(fr->st, 0);
    ACCT_AWAIT(fr, 3, acc_join__acc(&fr->st, fr->t[0]));
    close(fr->r[0]);
    close(fr->r[1]);
    ACCT_RETURN(fr, fr->st);
    ACCT_END;
}

static void test_reused_descriptor_number(void **state) {
    (void)state;
    int r = -1;
    assert_int_equal(acc_run(m_reuse__acc(&r)), 0);
    assert_int_equal(r, 0);
    ACCT_NO_LEAKS();
}

/* ---- 4. posting to a closed loop ------------------------------------------ */

static int posted_ran;
static void posted(void *arg) {
    (void)arg;
    posted_ran++;
}

typedef struct closed_args {
    acc_loop *loop;
    acc_future *f;
    int r1, r2;
} closed_args;

static void *post_after_close(void *arg) {
    closed_args *a = arg;
    a->r1 = acc_call_soon_threadsafe(a->loop, posted, NULL);
    a->r2 = acc_future_set_threadsafe(a->f, 5);
    return NULL;
}

static void test_threadsafe_after_close(void **state) {
    (void)state;
    posted_ran = 0;
    closed_args a = {acc_get_event_loop(), NULL, 1, 1};
    assert_non_null(a.loop);
    a.f = acc_future_new();
    assert_non_null(a.f);
    assert_int_equal(acc_call_soon_threadsafe(a.loop, posted, NULL), 0);
    acc_loop_close(a.loop); /* runs the pending callback */
    assert_int_equal(posted_ran, 1);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, post_after_close, &a), 0);
    pthread_join(th, NULL);
    assert_int_equal(a.r1, -ESHUTDOWN);
    assert_int_equal(a.r2, -ESHUTDOWN);
    assert_int_equal(posted_ran, 1);
    assert_string_equal(acc_strerror(-ESHUTDOWN), "event loop is closed");
    acc_future_free(a.f);
    ACCT_NO_LEAKS();
}

/* ---- 5. a sleep never ends early ------------------------------------------ */

ACCT_MAIN(m_late_sleep) {
    ACCT_BEGIN(fr);
    /* a pending timer makes the loop read its clock each iteration */
    acc_detach(acc_spawn(nap__acc(NULL, 1, 100.0)));
    ACCT_AWAIT(fr, 1, acc_yield__acc(&fr->st));
    fr->d = (double)acc__clock_ns();
    while ((double)acc__clock_ns() - fr->d < 30e6)
        ; /* a 30 ms step of computation in this iteration */
    ACCT_AWAIT(fr, 2, acc_sleep__acc(&fr->st, 0.05));
    assert_int_equal(fr->st, 0);
    /* at least the 30 ms step plus the whole 50 ms sleep */
    assert_true((double)acc__clock_ns() - fr->d >= 80e6);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_sleep_never_early(void **state) {
    (void)state;
    acct_log_reset();
    int r = -1;
    assert_int_equal(acc_run(m_late_sleep__acc(&r)), 0);
    assert_int_equal(r, 0);
    ACCT_NO_LEAKS();
}

/* ---- 6. naming many tasks --------------------------------------------------- */

static void test_many_names(void **state) {
    (void)state;
    enum { N = 200000 };
    acc_task **ts = malloc(N * sizeof *ts);
    assert_non_null(ts);
    char name[32];
    for (int i = 0; i < N; i++) {
        ts[i] = acc_spawn(add__acc(NULL, i, 1)); /* never run: no loop runs */
        assert_non_null(ts[i]);
        snprintf(name, sizeof name, "n%d", i);
        acc_task_set_name(ts[i], name);
    }
    for (int i = 0; i < N; i += 2) /* rename half, clear a quarter */
        acc_task_set_name(ts[i], i % 4 ? "renamed" : NULL);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    acc_dump_tasks(out);
    fclose(out);
    long named = 0, renamed = 0, plain = 0;
    for (char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (*p == 'n')
            named++;
        else if (strncmp(p, "renamed:", 8) == 0)
            renamed++;
        else if (strncmp(p, "task-", 5) == 0)
            plain++;
    }
    assert_int_equal(named, N / 2);
    assert_int_equal(renamed, N / 4);
    assert_int_equal(plain, N / 4);
    assert_non_null(strstr(buf, "\nn199999: ready\n"));
    free(buf);
    for (int i = 0; i < N; i++)
        acc_detach(ts[i]);
    free(ts);
    acc_loop_close(acc_get_event_loop()); /* frees the tasks and their names */
    ACCT_NO_LEAKS();
}

/* ---- 7. a cancelled task that ignores -ECANCELED ---------------------------- */

/* for (;;) { tick; await acc_sleep(0.1); } with no look at the status
 * (bounded, so that the test ends without a fix too) */
ACCT_MAIN(spinner) {
    ACCT_BEGIN(fr);
    for (fr->i = 0; fr->i < 100000; fr->i++)
        ACCT_AWAIT(fr, 1, acc_sleep__acc(NULL, 0.1));
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

ACCT_MAIN(m_spinner) {
    ACCT_BEGIN(fr);
    fr->t[0] = acc_spawn(spinner__acc(NULL));
    acc_task_set_name(fr->t[0], "ticker");
    ACCT_AWAIT(fr, 1, acc_yield__acc(&fr->st)); /* the ticker sleeps */
    acc_cancel(fr->t[0]);
    for (fr->n = 0; fr->n < 10; fr->n++)
        ACCT_AWAIT(fr, 2, acc_yield__acc(&fr->st));
    {
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        acc_dump_tasks(out);
        fclose(out);
        assert_non_null(strstr(buf, "ticker: ready, cancelled, spinning ("));
        free(buf);
    }
    ACCT_AWAIT(fr, 3, acc_join__acc(&fr->st, fr->t[0]));
    assert_int_equal(fr->st, -ECANCELED);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

/* The same task left running at the end of acc_run: a warning on stderr. */
ACCT_MAIN(m_leave_spinner) {
    ACCT_BEGIN(fr);
    fr->t[0] = acc_spawn(spinner__acc(NULL)); /* 100,000 sleeps, then it ends */
    acc_task_set_name(fr->t[0], "ticker");
    acc_detach(fr->t[0]);
    ACCT_AWAIT(fr, 1, acc_yield__acc(&fr->st));
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_spinning_at_exit_warns(void **state) {
    (void)state;
    FILE *err = tmpfile();
    assert_non_null(err);
    fflush(stderr);
    int saved = dup(2);
    dup2(fileno(err), 2);
    int r = -1, st = acc_run(m_leave_spinner__acc(&r));
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    assert_int_equal(st, 0);
    char buf[1024] = {0};
    rewind(err);
    size_t n = fread(buf, 1, sizeof buf - 1, err);
    fclose(err);
    buf[n] = 0;
    assert_non_null(strstr(buf, "a cancelled task ignores -ECANCELED and never ends"));
    assert_non_null(strstr(buf, "ticker: running, cancelled, spinning (32768 awaits"));
    ACCT_NO_LEAKS();
}

static void test_spinning_cancelled_task_shows(void **state) {
    (void)state;
    int r = -1;
    assert_int_equal(acc_run(m_spinner__acc(&r)), 0);
    assert_int_equal(r, 0);
    ACCT_NO_LEAKS();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_cancelled_waits),
        cmocka_unit_test(test_gather_tasks_cancelled_waits),
        cmocka_unit_test(test_always_ready_reader_yields),
        cmocka_unit_test(test_await_nomem_status),
        cmocka_unit_test(test_poller_failure_ends_run),
        cmocka_unit_test(test_reused_descriptor_number),
        cmocka_unit_test(test_threadsafe_after_close),
        cmocka_unit_test(test_sleep_never_early),
        cmocka_unit_test(test_many_names),
        cmocka_unit_test(test_spinning_cancelled_task_shows),
        cmocka_unit_test(test_spinning_at_exit_warns),
    };
    if (getenv("ACCT_FILTER")) /* one test alone, e.g. to see it fail */
        cmocka_set_test_filter(getenv("ACCT_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
