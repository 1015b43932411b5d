/*
 * test_tasks.c: the core of the runtime: acc_run, the trampoline, spawn,
 * join, detach, cancel, sleep and yield ordering, deep await chains, many
 * sleepers, names and acc_dump_tasks, the loop API.
 */
#define _GNU_SOURCE
#include "coros.h"

#include <string.h>

/* ---- acc_run and the fast path ------------------------------------------ */

ACCT_MAIN(m_fast) {
    ACCT_BEGIN(fr);
    /* An await that completes without suspending returns 0 at once. */
    fr->hdr.acc__state = 1;
    assert_int_equal(acc__await(&fr->hdr, add__acc(&fr->r[0], 40, 2)), 0);
    assert_int_equal(fr->r[0], 42);
    ACCT_AWAIT(fr, 2, add__acc(&fr->r[1], fr->r[0], 1));
    ACCT_RETURN(fr, fr->r[1]);
    ACCT_END;
}

static void test_run_result(void **state) {
    (void)state;
    int r = -1;
    assert_int_equal(acc_run(m_fast__acc(&r)), 0);
    assert_int_equal(r, 43);
    assert_int_equal(acc_run(NULL), -ENOMEM);
    /* Over-aligned frames bypass the pool and keep their alignment. */
    acc_frame *f = acc__frame_new_aligned(100, 64, &add_info);
    assert_non_null(f);
    assert_int_equal((uintptr_t)f % 64, 0);
    acc__frame_free(f);
    ACCT_NO_LEAKS();
}

/* ---- spawn / join ordering ------------------------------------------------ */

ACCT_MAIN(m_spawn) {
    ACCT_BEGIN(fr);
    acct_note(0);
    fr->t[0] = acc_spawn(step__acc(&fr->r[0], 1, 1));
    fr->t[1] = acc_spawn(step__acc(&fr->r[1], 2, 1));
    acct_note(0); /* spawned tasks have not run yet */
    ACCT_AWAIT(fr, 1, acc_yield__acc(&fr->st));
    acct_note(0);
    ACCT_AWAIT(fr, 2, acc_join__acc(&fr->r[2], fr->t[0]));
    ACCT_AWAIT(fr, 3, acc_join__acc(&fr->r[3], fr->t[1]));
    assert_int_equal(fr->r[0], 1);
    assert_int_equal(fr->r[1], 2);
    assert_int_equal(fr->r[2], 0);
    assert_int_equal(fr->r[3], 0);
    ACCT_RETURN(fr, 7);
    ACCT_END;
}

static void test_spawn_order(void **state) {
    (void)state;
    acct_log_reset();
    int r = 0;
    assert_int_equal(acc_run(m_spawn__acc(&r)), 0);
    assert_int_equal(r, 7);
    ACCT_EXPECT_LOG(0, 0, 1, 2, 0, 1, 2);
    ACCT_NO_LEAKS();
}

ACCT_MAIN(m_join_done) {
    ACCT_BEGIN(fr);
    fr->t[0] = acc_spawn(add__acc(&fr->r[0], 1, 2));
    ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 0.001));
    assert_true(acc_task_done(fr->t[0]));
    fr->hdr.acc__state = 2; /* joining a finished task does not suspend */
    assert_int_equal(acc__await(&fr->hdr, acc_join__acc(&fr->r[1], fr->t[0])), 0);
    assert_int_equal(fr->r[1], 0);
    assert_int_equal(fr->r[0], 3);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_join_finished(void **state) {
    (void)state;
    assert_int_equal(acc_run(m_join_done__acc(NULL)), 0);
    ACCT_NO_LEAKS();
}

ACCT_MAIN(m_detach) {
    ACCT_BEGIN(fr);
    acc_detach(acc_spawn(step__acc(NULL, 1, 2)));
    acc_detach(acc_spawn(add__acc(&fr->r[0], 2, 3)));
    for (fr->i = 0; fr->i < 5; fr->i++)
        ACCT_AWAIT(fr, 1, acc_yield__acc(&fr->st));
    assert_int_equal(fr->r[0], 5);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_detach(void **state) {
    (void)state;
    acct_log_reset();
    assert_int_equal(acc_run(m_detach__acc(NULL)), 0);
    ACCT_EXPECT_LOG(1, 1, 1);
    ACCT_NO_LEAKS();
}

/* ---- cancellation of tasks ------------------------------------------------ */

ACCT_MAIN(m_cancel_states) {
    ACCT_BEGIN(fr);
    fr->r[0] = -1;
    fr->t[0] = acc_spawn(step__acc(&fr->r[0], 1, 0));
    acc_cancel(fr->t[0]); /* before it first runs: it never runs */
    ACCT_AWAIT(fr, 1, acc_join__acc(&fr->r[1], fr->t[0]));
    assert_int_equal(fr->r[1], -ECANCELED);
    assert_int_equal(fr->r[0], -1);

    fr->t[1] = acc_spawn(add__acc(&fr->r[2], 1, 1));
    ACCT_AWAIT(fr, 2, acc_yield__acc(&fr->st));
    acc_cancel(fr->t[1]); /* finished: nothing happens */
    ACCT_AWAIT(fr, 3, acc_join__acc(&fr->r[3], fr->t[1]));
    assert_int_equal(fr->r[3], 0);
    assert_int_equal(fr->r[2], 2);

    fr->r[4] = 99;
    fr->t[2] = acc_spawn(nap__acc(&fr->r[4], 3, 10.0));
    ACCT_AWAIT(fr, 4, acc_yield__acc(&fr->st));
    acc_cancel(fr->t[2]); /* suspended: its sleep returns -ECANCELED */
    ACCT_AWAIT(fr, 5, acc_join__acc(&fr->r[5], fr->t[2]));
    assert_int_equal(fr->r[5], -ECANCELED);
    assert_int_equal(fr->r[4], -ECANCELED); /* it ran to its end */
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_cancel_states(void **state) {
    (void)state;
    acct_log_reset();
    assert_int_equal(acc_run(m_cancel_states__acc(NULL)), 0);
    ACCT_EXPECT_LOG(3);
    ACCT_NO_LEAKS();
}

ACCT_MAIN(m_self_cancel) {
    ACCT_BEGIN(fr);
    assert_false(acc_cancelled());
    acc_cancel(acc_current_task());
    assert_true(acc_cancelled());
    fr->hdr.acc__state = 1; /* a cancelled task's runtime awaits do not suspend */
    assert_int_equal(acc__await(&fr->hdr, acc_sleep__acc(&fr->st, 5.0)), 0);
    assert_int_equal(fr->st, -ECANCELED);
    assert_int_equal(acc__await(&fr->hdr, acc_yield__acc(&fr->st)), 0);
    assert_int_equal(fr->st, -ECANCELED);
    ACCT_RETURN(fr, 5);
    ACCT_END;
}

static void test_main_cancelled(void **state) {
    (void)state;
    int r = 0;
    assert_int_equal(acc_run(m_self_cancel__acc(&r)), -ECANCELED);
    assert_int_equal(r, 5);
    ACCT_NO_LEAKS();
}

ACCT_MAIN(m_leftovers) {
    ACCT_BEGIN(fr);
    for (fr->i = 0; fr->i < 3; fr->i++)
        acc_detach(acc_spawn(nap__acc(NULL, fr->i + 1, 100.0)));
    fr->t[0] = acc_spawn(nap__acc(NULL, 9, 100.0)); /* handle never used */
    ACCT_AWAIT(fr, 1, acc_yield__acc(&fr->st));
    acc_spawn(nap__acc(NULL, 8, 0)); /* never runs */
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_run_end_cancels(void **state) {
    (void)state;
    acct_log_reset();
    assert_int_equal(acc_run(m_leftovers__acc(NULL)), 0);
    ACCT_EXPECT_LOG(1, 2, 3, 9);
    ACCT_NO_LEAKS();
}

/* ---- sleep and yield order ----------------------------------------------- */

/* Each sleep counts from its own start (a fresh clock), so sleeps of
 * different lengths set in one iteration are 0.2 s apart: far more than the
 * time between their starts, even under valgrind on a busy machine.  Equal
 * ones fire in the order set whatever the timing. */
ACCT_MAIN(m_sleep_order) {
    static const double delays[] = {0.6, 0.2, 0.4, 0.2, 0.2, 0};
    ACCT_BEGIN(fr);
    for (fr->i = 0; fr->i < 6; fr->i++)
        fr->t[fr->i] = acc_spawn(nap__acc(&fr->r[fr->i], fr->i + 1, delays[fr->i]));
    ACCT_AWAIT(fr, 1, acc_gather_tasks__acc(&fr->st, fr->t, 6));
    assert_int_equal(fr->st, 0);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_sleep_order(void **state) {
    (void)state;
    acct_log_reset();
    assert_int_equal(acc_run(m_sleep_order__acc(NULL)), 0);
    ACCT_EXPECT_LOG(6, 2, 4, 5, 3, 1);
    ACCT_NO_LEAKS();
}

ACCT_MAIN(m_yield) {
    ACCT_BEGIN(fr);
    fr->t[0] = acc_spawn(step__acc(NULL, 1, 3));
    fr->t[1] = acc_spawn(step__acc(NULL, 2, 3));
    ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 0)); /* sleep(0) = yield */
    acct_note(0);
    ACCT_AWAIT(fr, 2, acc_join__acc(&fr->r[0], fr->t[0]));
    ACCT_AWAIT(fr, 3, acc_join__acc(&fr->r[1], fr->t[1]));
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_yield_order(void **state) {
    (void)state;
    acct_log_reset();
    assert_int_equal(acc_run(m_yield__acc(NULL)), 0);
    ACCT_EXPECT_LOG(1, 2, 0, 1, 2, 1, 2, 1, 2);
    ACCT_NO_LEAKS();
}

/* ---- deep await chains ----------------------------------------------------- */

typedef struct rec_frame {
    acc_frame hdr;
    int *res;
    int n, sub, st;
    bool suspend;
} rec_frame;
ACCT_FN(rec);

static acc_frame *rec__acc(int *res, int n, bool suspend) {
    rec_frame *fr = ACCT_NEW(rec_frame, rec);
    if (!fr)
        return NULL;
    fr->res = res;
    fr->n = n;
    fr->suspend = suspend;
    return &fr->hdr;
}

static int rec_resume(acc_frame *f) {
    rec_frame *fr = (rec_frame *)f;
    ACCT_BEGIN(fr);
    if (fr->n == 0) {
        if (fr->suspend)
            ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 0.001));
        ACCT_RETURN(fr, 0);
    }
    ACCT_AWAIT(fr, 2, rec__acc(&fr->sub, fr->n - 1, fr->suspend));
    ACCT_RETURN(fr, fr->sub + 1);
    ACCT_END;
}

ACCT_MAIN(m_deep) {
    ACCT_BEGIN(fr);
    ACCT_AWAIT(fr, 1, rec__acc(&fr->r[0], 100000, false));
    assert_int_equal(fr->r[0], 100000);
    ACCT_AWAIT(fr, 2, rec__acc(&fr->r[1], 100000, true));
    assert_int_equal(fr->r[1], 100000);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_deep_chain(void **state) {
    (void)state;
    assert_int_equal(acc_run(m_deep__acc(NULL)), 0);
    ACCT_NO_LEAKS();
}

/* ---- many sleepers ---------------------------------------------------------- */

#define NSLEEPERS 100000
static int woke;

typedef struct zz_frame {
    acc_frame hdr;
    int st;
} zz_frame;
ACCT_FN(zz);

static int zz_resume(acc_frame *f) {
    zz_frame *fr = (zz_frame *)f;
    ACCT_BEGIN(fr);
    ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 0.05));
    if (fr->st == 0)
        woke++;
    ACCT_END;
}

ACCT_MAIN(m_many) {
    ACCT_BEGIN(fr);
    for (fr->i = 0; fr->i < NSLEEPERS; fr->i++)
        acc_detach(acc_spawn(&ACCT_NEW(zz_frame, zz)->hdr));
    ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 0.2));
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_many_sleepers(void **state) {
    (void)state;
    woke = 0;
    assert_int_equal(acc_run(m_many__acc(NULL)), 0);
    assert_int_equal(woke, NSLEEPERS);
    ACCT_NO_LEAKS();
}

/* ---- names and acc_dump_tasks ------------------------------------------- */

static const unsigned where_lines[] = {10, 12};
static int where_resume(acc_frame *f);
static const acc_fninfo where_info = {where_resume, "where", "dump.ac", where_lines, 2, 0};

typedef struct where_frame {
    acc_frame hdr;
    int st;
} where_frame;

static int where_resume(acc_frame *f) {
    where_frame *fr = (where_frame *)f;
    ACCT_BEGIN(fr);
    ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 100.0));
    ACCT_END;
}

ACCT_MAIN(m_dump) {
    ACCT_BEGIN(fr);
    fr->t[0] = acc_spawn(acc__frame_new(sizeof(where_frame), &where_info));
    acc_task_set_name(fr->t[0], "worker");
    fr->t[1] = acc_spawn(step__acc(NULL, 1, 0));
    ACCT_AWAIT(fr, 1, acc_yield__acc(&fr->st));
    {
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        acc_dump_tasks(out);
        fclose(out);
        assert_non_null(strstr(buf, "worker: suspended\n  in acc_sleep\n  dump.ac:12 in where\n"));
        assert_non_null(strstr(buf, "task-3: done\n"));
        assert_non_null(strstr(buf, "task-1: running\n  test.ac in m_dump\n"));
        free(buf);
    }
    acc_cancel(fr->t[0]);
    ACCT_AWAIT(fr, 2, acc_join__acc(&fr->r[0], fr->t[0]));
    ACCT_AWAIT(fr, 3, acc_join__acc(&fr->r[1], fr->t[1]));
    assert_int_equal(fr->r[0], -ECANCELED);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_dump(void **state) {
    (void)state;
    assert_int_equal(acc_run(m_dump__acc(NULL)), 0);
    ACCT_NO_LEAKS();
}

/* ---- the loop API ------------------------------------------------------- */

ACCT_MAIN(m_time) {
    ACCT_BEGIN(fr);
    fr->d = acc_loop_time(NULL);
    ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 0.01));
    assert_true(acc_loop_time(NULL) >= fr->d + 0.01);
    fr->t[0] = acc_spawn(nap__acc(NULL, 1, 50.0)); /* cancelled at the end */
    ACCT_AWAIT(fr, 2, acc_yield__acc(&fr->st));
    ACCT_RETURN(fr, 3);
    ACCT_END;
}

static void test_loop_api(void **state) {
    (void)state;
    acct_log_reset();
    acc_loop *loop = acc_loop_new();
    assert_non_null(loop);
    int r = 0;
    assert_int_equal(acc_loop_run_until_complete(loop, m_time__acc(&r)), 0);
    assert_int_equal(r, 3);
    assert_int_equal(acc_loop_run_until_complete(loop, add__acc(&r, 2, 2)), 0);
    assert_int_equal(r, 4);
    assert_int_equal(acc_loop_run_until_complete(loop, NULL), -ENOMEM);
    acc_loop_close(loop);
    ACCT_EXPECT_LOG(1);

    acc_loop *d = acc_get_event_loop();
    assert_ptr_equal(d, acc_get_event_loop());
    assert_int_equal(acc_loop_run_until_complete(d, add__acc(&r, 3, 3)), 0);
    assert_int_equal(r, 6);
    acc_loop_close(d);
    ACCT_NO_LEAKS();
}

static void test_strerror(void **state) {
    (void)state;
    assert_string_equal(acc_strerror(0), "success");
    assert_string_equal(acc_strerror(-ECANCELED), "cancelled");
    assert_string_equal(acc_strerror(-ETIMEDOUT), "timed out");
    assert_string_equal(acc_strerror(-ENOMEM), "out of memory");
    assert_non_null(acc_strerror(-EIO));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_result),
        cmocka_unit_test(test_spawn_order),
        cmocka_unit_test(test_join_finished),
        cmocka_unit_test(test_detach),
        cmocka_unit_test(test_cancel_states),
        cmocka_unit_test(test_main_cancelled),
        cmocka_unit_test(test_run_end_cancels),
        cmocka_unit_test(test_sleep_order),
        cmocka_unit_test(test_yield_order),
        cmocka_unit_test(test_deep_chain),
        cmocka_unit_test(test_many_sleepers),
        cmocka_unit_test(test_dump),
        cmocka_unit_test(test_loop_api),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
