/*
 * test_nomem.c: allocation-failure injection.  A program touching every
 * kind of runtime object is run again and again with the 1st, 2nd, 3rd...
 * allocation failing, until a run sees no failure.  Every run must end
 * with 0 or -ENOMEM, never crash or abort, and leave nothing allocated.
 */
#include "coros.h"

static void *ident(void *arg) { return arg; }

ACCT_MAIN(m_prog) {
    static acc_queue q;
    static bool have_q;
    static acc_future *fut;
    static void *x;
    ACCT_BEGIN(fr);
    fr->t[0] = acc_spawn(nap__acc(NULL, 1, 0.001));
    have_q = acc_queue_init(&q, 2) == 0;
    fut = acc_future_new();
    acc_task_set_name(acc_current_task(), "main");
    ACCT_AWAIT(fr, 1, acc_gather__acc(&fr->r[0], step__acc(NULL, 2, 1), nap__acc(NULL, 3, 0.001)));
    ACCT_AWAIT(fr, 2, acc_wait_for__acc(&fr->r[1], step__acc(NULL, 4, 2), 1.0));
    ACCT_AWAIT(fr, 3, acc_to_thread__acc(&x, ident, fr));
    if (fut) {
        acc_future_set(fut, 0);
        ACCT_AWAIT(fr, 4, acc_future_wait__acc(&fr->r[2], fut));
        acc_future_free(fut);
    }
    if (have_q) {
        ACCT_AWAIT(fr, 5, acc_queue_put__acc(&fr->r[3], &q, fr));
        ACCT_AWAIT(fr, 6, acc_queue_get__acc(&fr->r[4], &q, &x));
        acc_queue_destroy(&q);
    }
    ACCT_AWAIT(fr, 7, acc_wait__acc(&fr->r[5], fr->t, 1, ACC_ALL_COMPLETED, 1.0));
    ACCT_AWAIT(fr, 8, acc_join__acc(&fr->r[6], fr->t[0]));
    fr->t[1] = acc_spawn(step__acc(NULL, 5, 100)); /* left for acc_run to cancel */
    acc_task_set_name(fr->t[1], "leftover");
    ACCT_AWAIT(fr, 9, acc_sleep__acc(&fr->r[7], 0.001));
    ACCT_RETURN(fr, 1);
    ACCT_END;
}

static void test_every_allocation_fails(void **state) {
    (void)state;
    long n;
    for (n = 1; n < 5000; n++) {
        int r = 0;
        if (getenv("NOMEM_TRACE")) fprintf(stderr, "n=%ld\n", n);
        acc__alloc_fail_at(n);
        int st = acc_run(m_prog__acc(&r));
        long left = acc__alloc_fail_at(0);
        if (st != 0 && st != -ENOMEM)
            fail_msg("allocation %ld: status %d", n, st);
        ACCT_NO_LEAKS();
        if (left > 0) { /* no allocation failed: every site was covered */
            assert_int_equal(st, 0);
            assert_int_equal(r, 1);
            break;
        }
    }
    assert_true(n > 20);
    assert_true(n < 5000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
