/*
 * test_threads.c: the doors between threads: futures (set on the loop,
 * set_threadsafe from another thread), acc_call_soon_threadsafe, and the
 * executor (1000 jobs on 4 workers, results checked, completion delivered
 * on the loop thread).  Also built with -fsanitize=thread.
 */
#define _GNU_SOURCE
#include "coros.h"

#include <pthread.h>
#include <time.h>

static pthread_t helper; /* locals do not survive an await */

static void short_nap(long ms) {
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- futures ------------------------------------------------------------ */

typedef struct fw_frame {
    acc_frame hdr;
    int *res;
    acc_future *f;
    int id, st;
} fw_frame;
ACCT_FN(fw);

static acc_frame *fw__acc(int *res, acc_future *f, int id) {
    fw_frame *fr = ACCT_NEW(fw_frame, fw);
    fr->res = res;
    fr->f = f;
    fr->id = id;
    return &fr->hdr;
}

static int fw_resume(acc_frame *f) {
    fw_frame *fr = (fw_frame *)f;
    ACCT_BEGIN(fr);
    ACCT_AWAIT(fr, 1, acc_future_wait__acc(&fr->st, fr->f));
    acct_note(fr->id);
    ACCT_RETURN(fr, fr->st);
    ACCT_END;
}

static void *setter(void *arg) {
    short_nap(10);
    acc_future_set_threadsafe(arg, 42);
    acc_future_set_threadsafe(arg, 43); /* the first set wins */
    return NULL;
}

ACCT_MAIN(m_future) {
    ACCT_BEGIN(fr);
    fr->p = acc_future_new();
    for (fr->i = 0; fr->i < 3; fr->i++)
        fr->t[fr->i] = acc_spawn(fw__acc(&fr->r[fr->i], fr->p, fr->i + 1));
    ACCT_AWAIT(fr, 1, acc_yield__acc(&fr->st));
    acc_future_set(fr->p, -EIO);
    acc_future_set(fr->p, 5); /* ignored */
    ACCT_AWAIT(fr, 2, acc_gather_tasks__acc(&fr->st, fr->t, 3));
    for (fr->i = 0; fr->i < 3; fr->i++)
        assert_int_equal(fr->r[fr->i], -EIO);
    fr->hdr.acc__state = 3; /* already set: no suspension */
    assert_int_equal(acc__await(&fr->hdr, acc_future_wait__acc(&fr->st, fr->p)), 0);
    assert_int_equal(fr->st, -EIO);
    acc_future_free(fr->p);

    fr->p = acc_future_new();
    assert_int_equal(pthread_create(&helper, NULL, setter, fr->p), 0);
    ACCT_AWAIT(fr, 4, acc_future_wait__acc(&fr->st, fr->p));
    pthread_join(helper, NULL);
    assert_int_equal(fr->st, 42);
    acc_future_free(fr->p);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_futures(void **state) {
    (void)state;
    acct_log_reset();
    assert_int_equal(acc_run(m_future__acc(NULL)), 0);
    ACCT_EXPECT_LOG(1, 2, 3);
    ACCT_NO_LEAKS();
}

/* ---- acc_call_soon_threadsafe ------------------------------------------- */

static pthread_t loop_thread;
static int calls;
static bool on_loop_thread = true;
static acc_future *calls_done;

static void bump(void *arg) {
    on_loop_thread = on_loop_thread && pthread_equal(pthread_self(), loop_thread);
    if (++calls == (int)(intptr_t)arg)
        acc_future_set(calls_done, 0);
}

static void *poster(void *arg) {
    for (int i = 0; i < 100; i++) {
        assert_int_equal(acc_call_soon_threadsafe(arg, bump, (void *)(intptr_t)100), 0);
        if (i % 10 == 0)
            short_nap(1);
    }
    return NULL;
}

ACCT_MAIN(m_soon) {
    ACCT_BEGIN(fr);
    loop_thread = pthread_self();
    calls = 0;
    calls_done = acc_future_new();
    assert_int_equal(pthread_create(&helper, NULL, poster, acc_get_event_loop()), 0);
    ACCT_AWAIT(fr, 1, acc_future_wait__acc(&fr->st, calls_done));
    pthread_join(helper, NULL);
    assert_int_equal(calls, 100);
    assert_true(on_loop_thread);
    assert_int_equal(acc_call_soon_threadsafe(NULL, bump, NULL), -EINVAL);
    acc_future_free(calls_done);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_call_soon_threadsafe(void **state) {
    (void)state;
    assert_int_equal(acc_run(m_soon__acc(NULL)), 0);
    ACCT_NO_LEAKS();
}

/* ---- executor ------------------------------------------------------------ */

#define NJOBS 1000
static acc_task *jobs[NJOBS];
static void *results[NJOBS];
static acc_executor *EX;

static void *square(void *arg) {
    intptr_t i = (intptr_t)arg;
    if (i % 100 == 0)
        short_nap(1);
    return (void *)(i * i);
}

typedef struct job_frame {
    acc_frame hdr;
    int i;
} job_frame;
ACCT_FN(jobf);

static int jobf_resume(acc_frame *f) {
    job_frame *fr = (job_frame *)f;
    ACCT_BEGIN(fr);
    if (fr->i % 2)
        ACCT_AWAIT(fr, 1, acc_run_in_executor__acc(&results[fr->i], EX, square, (void *)(intptr_t)fr->i));
    else
        ACCT_AWAIT(fr, 2, acc_to_thread__acc(&results[fr->i], square, (void *)(intptr_t)fr->i));
    ACCT_END;
}

ACCT_MAIN(m_exec) {
    ACCT_BEGIN(fr);
    EX = acc_executor_new(4);
    assert_non_null(EX);
    for (fr->i = 0; fr->i < NJOBS; fr->i++) {
        job_frame *j = ACCT_NEW(job_frame, jobf);
        j->i = fr->i;
        jobs[fr->i] = acc_spawn(&j->hdr);
    }
    ACCT_AWAIT(fr, 1, acc_gather_tasks__acc(&fr->st, jobs, NJOBS));
    assert_int_equal(fr->st, 0);
    for (int i = 0; i < NJOBS; i++)
        assert_true(results[i] == (void *)((intptr_t)i * i));
    acc_executor_free(EX);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_executor(void **state) {
    (void)state;
    assert_int_equal(acc_run(m_exec__acc(NULL)), 0);
    ACCT_NO_LEAKS();
}

/* Tasks left awaiting jobs when acc_run ends: the jobs finish first. */
static void *slow(void *arg) {
    short_nap(30);
    return arg;
}

ACCT_MAIN(m_exec_left) {
    ACCT_BEGIN(fr);
    for (fr->i = 0; fr->i < 8; fr->i++)
        acc_detach(acc_spawn(acc_to_thread__acc(NULL, slow, NULL)));
    ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 0.005));
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_executor_at_exit(void **state) {
    (void)state;
    assert_int_equal(acc_run(m_exec_left__acc(NULL)), 0);
    ACCT_NO_LEAKS();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_futures),
        cmocka_unit_test(test_call_soon_threadsafe),
        cmocka_unit_test(test_executor),
        cmocka_unit_test(test_executor_at_exit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
