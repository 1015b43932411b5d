/*
 * test_sync.c: acc_event, acc_lock, acc_semaphore, acc_queue: FIFO wake
 * order, hand-over (nobody barges in), no suspension when the result is
 * there, try_ calls, and a cancelled waiter never handed the resource.
 */
#include "coros.h"

static acc_event EV;
static acc_lock LK;
static acc_semaphore SEM;
static acc_queue Q;
static int inside, max_inside;

/* kind 0: event wait; 1: lock; 2: semaphore; 3: queue get; 4: queue put id */
typedef struct user_frame {
    acc_frame hdr;
    int *res;
    int kind, id, st;
    void *item;
} user_frame;
ACCT_FN(user);

static acc_frame *user__acc(int kind, int id) {
    user_frame *fr = ACCT_NEW(user_frame, user);
    fr->res = NULL;
    fr->kind = kind;
    fr->id = id;
    return &fr->hdr;
}

static acc_frame *user_await(user_frame *fr) {
    switch (fr->kind) {
    case 0: return acc_event_wait__acc(&fr->st, &EV);
    case 1: return acc_lock_acquire__acc(&fr->st, &LK);
    case 2: return acc_semaphore_acquire__acc(&fr->st, &SEM);
    case 3: return acc_queue_get__acc(&fr->st, &Q, &fr->item);
    default: return acc_queue_put__acc(&fr->st, &Q, (void *)(intptr_t)fr->id);
    }
}

static int user_resume(acc_frame *f) {
    user_frame *fr = (user_frame *)f;
    ACCT_BEGIN(fr);
    ACCT_AWAIT(fr, 1, user_await(fr));
    if (fr->st != 0) {
        acct_note(-fr->id);
        return ACC__DONE;
    }
    acct_note(fr->kind == 3 ? (int)(intptr_t)fr->item : fr->id);
    if (fr->kind == 1 || fr->kind == 2) {
        if (++inside > max_inside)
            max_inside = inside;
        ACCT_AWAIT(fr, 2, acc_sleep__acc(&fr->st, 0.001));
        inside--;
        if (fr->kind == 1)
            acc_lock_release(&LK);
        else
            acc_semaphore_release(&SEM);
    }
    ACCT_END;
}

static void spawn_users(acct_main_frame *fr, int kind, int n) {
    for (int i = 0; i < n; i++)
        fr->t[i] = acc_spawn(user__acc(kind, i + 1));
}

ACCT_MAIN(m_event) {
    ACCT_BEGIN(fr);
    acc_event_init(&EV);
    spawn_users(fr, 0, 4);
    ACCT_AWAIT(fr, 1, acc_yield__acc(&fr->st));
    assert_int_equal(acct_nlog, 0);
    acc_event_set(&EV);
    assert_true(acc_event_is_set(&EV));
    fr->hdr.acc__state = 2; /* a set event: no suspension */
    assert_int_equal(acc__await(&fr->hdr, acc_event_wait__acc(&fr->st, &EV)), 0);
    assert_int_equal(fr->st, 0);
    ACCT_AWAIT(fr, 3, acc_gather_tasks__acc(&fr->st, fr->t, 4));
    acc_event_clear(&EV);
    assert_false(acc_event_is_set(&EV));
    acc_event_destroy(&EV);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_event(void **state) {
    (void)state;
    acct_log_reset();
    assert_int_equal(acc_run(m_event__acc(NULL)), 0);
    ACCT_EXPECT_LOG(1, 2, 3, 4);
    ACCT_NO_LEAKS();
}

ACCT_MAIN(m_lock) {
    ACCT_BEGIN(fr);
    acc_lock_init(&LK);
    max_inside = inside = 0;
    fr->hdr.acc__state = 1; /* a free lock: no suspension */
    assert_int_equal(acc__await(&fr->hdr, acc_lock_acquire__acc(&fr->st, &LK)), 0);
    assert_int_equal(acc_lock_try_acquire(&LK), -EAGAIN);
    spawn_users(fr, 1, 5);
    ACCT_AWAIT(fr, 2, acc_yield__acc(&fr->st));
    acc_cancel(fr->t[1]); /* a cancelled waiter is never handed the lock */
    acc_lock_release(&LK);
    ACCT_AWAIT(fr, 3, acc_gather_tasks__acc(&fr->st, fr->t, 5));
    assert_int_equal(fr->st, -ECANCELED);
    assert_int_equal(max_inside, 1);
    assert_int_equal(acc_lock_try_acquire(&LK), 0); /* left unlocked */
    acc_lock_release(&LK);
    acc_lock_destroy(&LK);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_lock(void **state) {
    (void)state;
    acct_log_reset();
    assert_int_equal(acc_run(m_lock__acc(NULL)), 0);
    ACCT_EXPECT_LOG(-2, 1, 3, 4, 5);
    ACCT_NO_LEAKS();
}

ACCT_MAIN(m_sem) {
    ACCT_BEGIN(fr);
    acc_semaphore_init(&SEM, 2);
    max_inside = inside = 0;
    spawn_users(fr, 2, 6);
    ACCT_AWAIT(fr, 1, acc_gather_tasks__acc(&fr->st, fr->t, 6));
    assert_int_equal(fr->st, 0);
    assert_int_equal(max_inside, 2);
    assert_int_equal(acc_semaphore_try_acquire(&SEM), 0);
    assert_int_equal(acc_semaphore_try_acquire(&SEM), 0);
    assert_int_equal(acc_semaphore_try_acquire(&SEM), -EAGAIN);
    acc_semaphore_destroy(&SEM);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_semaphore(void **state) {
    (void)state;
    acct_log_reset();
    assert_int_equal(acc_run(m_sem__acc(NULL)), 0);
    ACCT_EXPECT_LOG(1, 2, 3, 4, 5, 6);
    ACCT_NO_LEAKS();
}

ACCT_MAIN(m_queue) {
    ACCT_BEGIN(fr);
    assert_int_equal(acc_queue_init(&Q, 2), 0);
    void *it;
    assert_int_equal(acc_queue_try_get(&Q, &it), -EAGAIN);
    spawn_users(fr, 3, 3); /* three getters block on the empty queue */
    ACCT_AWAIT(fr, 1, acc_yield__acc(&fr->st));
    for (intptr_t i = 101; i <= 103; i++)
        assert_int_equal(acc_queue_try_put(&Q, (void *)i), 0);
    assert_int_equal(acc_queue_size(&Q), 0); /* handed straight over */
    ACCT_AWAIT(fr, 2, acc_gather_tasks__acc(&fr->st, fr->t, 3));
    /* Fill, then two putters block on the full queue. */
    fr->hdr.acc__state = 3;
    assert_int_equal(acc__await(&fr->hdr, acc_queue_put__acc(&fr->st, &Q, (void *)201)), 0);
    assert_int_equal(acc__await(&fr->hdr, acc_queue_put__acc(&fr->st, &Q, (void *)202)), 0);
    assert_int_equal(acc_queue_try_put(&Q, (void *)0), -EAGAIN);
    fr->t[0] = acc_spawn(user__acc(4, 203));
    fr->t[1] = acc_spawn(user__acc(4, 204));
    ACCT_AWAIT(fr, 4, acc_yield__acc(&fr->st));
    for (fr->i = 0; fr->i < 4; fr->i++) {
        ACCT_AWAIT(fr, 5, acc_queue_get__acc(&fr->st, &Q, &fr->p));
        acct_note((int)(intptr_t)fr->p);
    }
    ACCT_AWAIT(fr, 6, acc_gather_tasks__acc(&fr->st, fr->t, 2));
    assert_int_equal(acc_queue_size(&Q), 0);
    acc_queue_destroy(&Q);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_queue(void **state) {
    (void)state;
    acct_log_reset();
    assert_int_equal(acc_run(m_queue__acc(NULL)), 0);
    /* getters see 101..103; main gets 201, 202 then the putters' 203, 204
     * (the putters note their ids once their item is taken in) */
    ACCT_EXPECT_LOG(101, 102, 103, 201, 202, 203, 204, 203, 204);
    ACCT_NO_LEAKS();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event),
        cmocka_unit_test(test_lock),
        cmocka_unit_test(test_semaphore),
        cmocka_unit_test(test_queue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
