/*
 * test_scopes.c: the cancel scopes under acc_timeout and task groups, at
 * the level of the task's flags: a fired timeout counts one scope and its
 * exit takes it away; acc_cancel after a timeout fired is kept apart and
 * never lifted; nested scopes; more fired scopes than the count holds turn
 * into a cancellation for good (never a lost one); a timer whose scope was
 * exited before it fired leaves nothing behind.
 */
#include "coros.h"

#include "acc_int.h"

#include <stdlib.h>

static unsigned scope_count(void) { return (acc_current_task()->flags & ACC__T_SCOPE_MASK) / ACC__T_SCOPE_ONE; }
static bool outside(void) { return acc__task_cancelled_outside(acc_current_task()); }

static acc_timeout *many;
#define MANY 1025 /* two more than the count holds */

ACCT_MAIN(m_flags) {
    static acc_timeout a, b;
    ACCT_BEGIN(fr);
    /* one timeout fires while the task sleeps */
    assert_int_equal(acc_timeout_enter(&a, 0.001), 0);
    ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 10.0));
    assert_int_equal(fr->st, -ECANCELED);
    assert_int_equal(scope_count(), 1);
    assert_false(outside());
    assert_int_equal(acc_timeout_exit(&a), -ETIMEDOUT);
    assert_int_equal(scope_count(), 0);
    assert_false(acc_cancelled());

    /* nested: both fire; the outside cancel after them is never lifted */
    assert_int_equal(acc_timeout_enter(&a, 0.001), 0);
    assert_int_equal(acc_timeout_enter(&b, 0.001), 0);
    ACCT_AWAIT(fr, 2, acc_sleep__acc(&fr->st, 10.0));
    assert_int_equal(fr->st, -ECANCELED);
    /* the task woke on the first; the second fires in the next iteration */
    ACCT_AWAIT(fr, 3, acc_yield__acc(&fr->st)); /* cancelled: no suspension */
    assert_true(acc_cancelled());
    assert_int_equal(acc_timeout_exit(&b), acc_timeout_expired(&a) ? -ECANCELED : -ETIMEDOUT);
    acc_cancel(acc_current_task());
    assert_true(outside());
    assert_int_equal(acc_timeout_exit(&a), -ECANCELED);
    assert_true(acc_cancelled());
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_flags(void **state) {
    (void)state;
    int st = 1;
    assert_int_equal(acc_run(m_flags__acc(&st)), -ECANCELED);
    assert_int_equal(st, 0);
    ACCT_NO_LEAKS();
}

ACCT_MAIN(m_saturate) {
    ACCT_BEGIN(fr);
    /* All fire in one iteration: the count saturates at 1023, and the
     * scopes past it turn into a cancellation from outside. */
    for (fr->i = 0; fr->i < MANY; fr->i++)
        assert_int_equal(acc_timeout_enter_at(&many[fr->i], 0.0), 0); /* past: all due */
    ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 10.0));
    assert_int_equal(fr->st, -ECANCELED);
    assert_int_equal(scope_count(), 1023);
    assert_true(outside());
    for (fr->i = MANY - 1; fr->i >= 0; fr->i--)
        assert_int_equal(acc_timeout_exit(&many[fr->i]), -ECANCELED);
    assert_int_equal(scope_count(), 0);
    assert_true(acc_cancelled());
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_saturate(void **state) {
    (void)state;
    many = calloc(MANY, sizeof *many);
    assert_non_null(many);
    int st = 1;
    assert_int_equal(acc_run(m_saturate__acc(&st)), -ECANCELED);
    assert_int_equal(st, 0);
    free(many);
    ACCT_NO_LEAKS();
}

ACCT_MAIN(m_unfired) {
    static acc_timeout a;
    ACCT_BEGIN(fr);
    /* exited before its deadline: the timer is gone, nothing fires later */
    assert_int_equal(acc_timeout_enter(&a, 0.002), 0);
    assert_int_equal(acc_timeout_reschedule(&a, 0.001), 0);
    assert_int_equal(acc_timeout_exit(&a), 0);
    assert_int_equal(acc_timeout_reschedule(&a, 1.0), -EINVAL);
    assert_int_equal(acc_timeout_exit(&a), -EINVAL);
    ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 0.005));
    assert_int_equal(fr->st, 0);
    assert_false(acc_cancelled());
    /* a deadline already past fires at the next iteration, not at once */
    assert_int_equal(acc_timeout_enter_at(&a, 0.0), 0);
    assert_false(acc_cancelled());
    ACCT_AWAIT(fr, 2, acc_yield__acc(&fr->st));
    assert_int_equal(fr->st, -ECANCELED);
    assert_int_equal(acc_timeout_exit(&a), -ETIMEDOUT);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_unfired(void **state) {
    (void)state;
    int st = 1;
    assert_int_equal(acc_run(m_unfired__acc(&st)), 0);
    assert_int_equal(st, 0);
    acc_timeout t;
    assert_int_equal(acc_timeout_enter(&t, 1.0), -EPERM); /* outside a task */
    ACCT_NO_LEAKS();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_saturate),
        cmocka_unit_test(test_unfired),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
