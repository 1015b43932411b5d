/*
 * test_gather.c: acc_gather, acc_gather_tasks, acc_wait, acc_wait_for:
 * start order, statuses, cancellation of the parent, timeouts.
 */
#include "coros.h"

/* A child that cancels itself: its join status is -ECANCELED. */
typedef struct selfc_frame {
    acc_frame hdr;
    int id;
} selfc_frame;
ACCT_FN(selfc);

static acc_frame *selfc__acc(int id) {
    selfc_frame *fr = ACCT_NEW(selfc_frame, selfc);
    fr->id = id;
    return &fr->hdr;
}

static int selfc_resume(acc_frame *f) {
    acc_cancel(acc_current_task());
    acct_note(((selfc_frame *)f)->id);
    return ACC__DONE;
}

/* Sleeps in 5 ms steps until a sleep fails; returns how many succeeded. */
typedef struct looper_frame {
    acc_frame hdr;
    int *res;
    int count, st;
} looper_frame;
ACCT_FN(looper);

static acc_frame *looper__acc(int *res) {
    looper_frame *fr = ACCT_NEW(looper_frame, looper);
    fr->res = res;
    fr->count = 0;
    return &fr->hdr;
}

static int looper_resume(acc_frame *f) {
    looper_frame *fr = (looper_frame *)f;
    ACCT_BEGIN(fr);
    for (;;) {
        ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 0.005));
        if (fr->st != 0)
            break;
        fr->count++;
    }
    ACCT_AWAIT(fr, 2, acc_yield__acc(&fr->st));
    ACCT_RETURN(fr, fr->count);
    ACCT_END;
}

ACCT_MAIN(m_gather) {
    ACCT_BEGIN(fr);
    acct_note(0);
    ACCT_AWAIT(fr, 1, acc_gather__acc(&fr->st, step__acc(&fr->r[0], 1, 1), step__acc(&fr->r[1], 2, 1),
                                      step__acc(&fr->r[2], 3, 0)));
    assert_int_equal(fr->st, 0);
    assert_int_equal(fr->r[0] + fr->r[1] + fr->r[2], 6);
    acct_note(0);
    /* The first negative status in argument order; all children run. */
    ACCT_AWAIT(fr, 2, acc_gather__acc(&fr->st, step__acc(NULL, 4, 0), selfc__acc(5), selfc__acc(6)));
    assert_int_equal(fr->st, -ECANCELED);
    /* A constructor that failed (NULL): nothing runs, -ENOMEM. */
    ACCT_AWAIT(fr, 3, acc_gather__acc(&fr->st, step__acc(NULL, 7, 0), NULL, step__acc(NULL, 8, 0)));
    assert_int_equal(fr->st, -ENOMEM);
    /* Over spawned tasks, some already finished. */
    fr->t[0] = acc_spawn(step__acc(NULL, 9, 0));
    ACCT_AWAIT(fr, 4, acc_yield__acc(&fr->st));
    fr->t[1] = acc_spawn(step__acc(NULL, 10, 1));
    fr->t[2] = acc_spawn(selfc__acc(11));
    ACCT_AWAIT(fr, 5, acc_gather_tasks__acc(&fr->st, fr->t, 3));
    assert_int_equal(fr->st, -ECANCELED);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_gather_order_status(void **state) {
    (void)state;
    acct_log_reset();
    assert_int_equal(acc_run(m_gather__acc(NULL)), 0);
    ACCT_EXPECT_LOG(0, 1, 2, 3, 1, 2, 0, 4, 5, 6, 9, 10, 11, 10);
    ACCT_NO_LEAKS();
}

ACCT_MAIN(m_gather_cancel) {
    ACCT_BEGIN(fr);
    fr->t[0] = acc_spawn(acc_gather__acc(&fr->r[0], nap__acc(&fr->r[1], 1, 100.0), nap__acc(&fr->r[2], 2, 100.0)));
    ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 0.005));
    acc_cancel(fr->t[0]);
    ACCT_AWAIT(fr, 2, acc_join__acc(&fr->st, fr->t[0]));
    assert_int_equal(fr->st, -ECANCELED);
    assert_int_equal(fr->r[0], -ECANCELED);
    assert_int_equal(fr->r[1], -ECANCELED); /* the children finished first */
    assert_int_equal(fr->r[2], -ECANCELED);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_gather_parent_cancelled(void **state) {
    (void)state;
    acct_log_reset();
    assert_int_equal(acc_run(m_gather_cancel__acc(NULL)), 0);
    ACCT_EXPECT_LOG(1, 2);
    ACCT_NO_LEAKS();
}

/* acc_run of a gather: the seeds' run_until_complete(gather(...)). */
static void test_run_gather(void **state) {
    (void)state;
    acct_log_reset();
    int st = 1;
    assert_int_equal(acc_run(acc_gather__acc(&st, nap__acc(NULL, 1, 0.002), nap__acc(NULL, 2, 0.001))), 0);
    assert_int_equal(st, 0);
    ACCT_EXPECT_LOG(2, 1);
    ACCT_NO_LEAKS();
}

ACCT_MAIN(m_wait) {
    ACCT_BEGIN(fr);
    fr->t[0] = acc_spawn(nap__acc(NULL, 1, 0.01));
    fr->t[1] = acc_spawn(nap__acc(NULL, 2, 0.05));
    fr->t[2] = acc_spawn(nap__acc(NULL, 3, 100.0));
    ACCT_AWAIT(fr, 1, acc_wait__acc(&fr->st, fr->t, 3, ACC_FIRST_COMPLETED, -1));
    assert_int_equal(fr->st, 1);
    assert_true(acc_task_done(fr->t[0]));
    /* Already satisfied: returns without suspending. */
    fr->hdr.acc__state = 2;
    assert_int_equal(acc__await(&fr->hdr, acc_wait__acc(&fr->st, fr->t, 3, ACC_FIRST_COMPLETED, 0)), 0);
    assert_int_equal(fr->st, 1);
    ACCT_AWAIT(fr, 3, acc_wait__acc(&fr->st, fr->t, 3, ACC_ALL_COMPLETED, 0.2));
    assert_int_equal(fr->st, 2); /* timed out: t3 still sleeps, not cancelled */
    assert_false(acc_task_done(fr->t[2]));
    assert_false(acc_cancelled());
    ACCT_AWAIT(fr, 4, acc_wait__acc(&fr->st, fr->t, 2, ACC_ALL_COMPLETED, -1));
    assert_int_equal(fr->st, 2);
    acc_cancel(fr->t[2]);
    ACCT_AWAIT(fr, 5, acc_wait__acc(&fr->st, fr->t, 3, ACC_ALL_COMPLETED, -1));
    assert_int_equal(fr->st, 3);
    for (fr->i = 0; fr->i < 3; fr->i++)
        ACCT_AWAIT(fr, 6, acc_join__acc(&fr->r[fr->i], fr->t[fr->i]));
    assert_int_equal(fr->r[0], 0);
    assert_int_equal(fr->r[1], 0);
    assert_int_equal(fr->r[2], -ECANCELED);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_wait(void **state) {
    (void)state;
    acct_log_reset();
    assert_int_equal(acc_run(m_wait__acc(NULL)), 0);
    ACCT_EXPECT_LOG(1, 2, 3);
    ACCT_NO_LEAKS();
}

ACCT_MAIN(m_wait_for) {
    ACCT_BEGIN(fr);
    ACCT_AWAIT(fr, 1, acc_wait_for__acc(&fr->st, nap__acc(&fr->r[0], 1, 0.001), 10.0));
    assert_int_equal(fr->st, 0);
    assert_int_equal(fr->r[0], 0);
    fr->r[1] = -1;
    ACCT_AWAIT(fr, 2, acc_wait_for__acc(&fr->st, looper__acc(&fr->r[1]), 0.03));
    assert_int_equal(fr->st, -ETIMEDOUT);
    assert_true(fr->r[1] >= 0); /* it finished through its own code */
    ACCT_AWAIT(fr, 3, acc_wait_for__acc(&fr->st, NULL, 1.0));
    assert_int_equal(fr->st, -ENOMEM);
    /* The parent cancelled: the child is cancelled and waited for. */
    fr->t[0] = acc_spawn(acc_wait_for__acc(&fr->r[2], nap__acc(&fr->r[3], 2, 100.0), 100.0));
    ACCT_AWAIT(fr, 4, acc_sleep__acc(&fr->st, 0.005));
    acc_cancel(fr->t[0]);
    ACCT_AWAIT(fr, 5, acc_join__acc(&fr->st, fr->t[0]));
    assert_int_equal(fr->st, -ECANCELED);
    assert_int_equal(fr->r[2], -ECANCELED);
    assert_int_equal(fr->r[3], -ECANCELED);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_wait_for(void **state) {
    (void)state;
    acct_log_reset();
    assert_int_equal(acc_run(m_wait_for__acc(NULL)), 0);
    ACCT_EXPECT_LOG(1, 2);
    ACCT_NO_LEAKS();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gather_order_status),
        cmocka_unit_test(test_gather_parent_cancelled),
        cmocka_unit_test(test_run_gather),
        cmocka_unit_test(test_wait),
        cmocka_unit_test(test_wait_for),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
