/*
 * test_timer_heap.c: the timer heap against a simple model.  Random
 * inserts and removals, then everything popped in (deadline, insertion)
 * order, which is what "equal deadlines fire in the order they were set"
 * rests on.
 */
#include "acct.h"
#include "acc_int.h"

#define N 20000

static acc__timer nodes[N];
static bool in_heap[N];
static uint32_t order[N]; /* insertion rank, as the model sees it */

static void check_heap(const acc__heap *h) {
    for (uint32_t i = 0; i < h->n; i++) {
        assert_int_equal(h->a[i]->idx, i);
        if (i > 0) {
            const acc__timer *p = h->a[(i - 1) / 2], *c = h->a[i];
            assert_true(p->deadline < c->deadline ||
                        (p->deadline == c->deadline && (int32_t)(p->seq - c->seq) < 0));
        }
    }
}

/* The model: the live node with the least (deadline, rank). */
static int model_min(void) {
    int best = -1;
    for (int i = 0; i < N; i++)
        if (in_heap[i] && (best < 0 || nodes[i].deadline < nodes[best].deadline ||
                           (nodes[i].deadline == nodes[best].deadline && order[i] < order[best])))
            best = i;
    return best;
}

static void test_random_ops(void **state) {
    (void)state;
    acc__heap h = {0};
    uint32_t rank = 0;
    srand(12345);
    for (int i = 0; i < N; i++)
        nodes[i].idx = ACC__TIMER_IDLE;
    for (int step = 0; step < 4 * N; step++) {
        int i = rand() % N;
        if (!in_heap[i]) {
            nodes[i].deadline = (uint64_t)(rand() % 500); /* many ties */
            assert_int_equal(acc__heap_push(&h, &nodes[i]), 0);
            order[i] = rank++;
            in_heap[i] = true;
        } else if (rand() % 3 == 0) {
            acc__heap_remove(&h, &nodes[i]);
            assert_int_equal(nodes[i].idx, ACC__TIMER_IDLE);
            in_heap[i] = false;
        }
        if (step % 4096 == 0)
            check_heap(&h);
    }
    check_heap(&h);
    /* Pop a few hundred against the model (the model is O(n) per pop). */
    for (int k = 0; k < 500 && h.n > 0; k++) {
        acc__timer *t = acc__heap_min(&h);
        int want = model_min();
        assert_ptr_equal(t, &nodes[want]);
        acc__heap_remove(&h, t);
        in_heap[want] = false;
    }
    /* The rest must come out sorted. */
    uint64_t last_d = 0;
    uint32_t last_rank = 0;
    bool first = true;
    while (h.n > 0) {
        acc__timer *t = acc__heap_min(&h);
        int i = (int)(t - nodes);
        if (!first) {
            assert_true(t->deadline > last_d || (t->deadline == last_d && order[i] > last_rank));
        }
        first = false;
        last_d = t->deadline;
        last_rank = order[i];
        acc__heap_remove(&h, t);
        in_heap[i] = false;
    }
    acc__heap_free(&h);
    ACCT_NO_LEAKS();
}

static void test_million(void **state) {
    (void)state;
    enum { M = 1000000 };
    acc__timer *ts = malloc(M * sizeof *ts);
    acc__heap h = {0};
    for (int i = 0; i < M; i++) {
        ts[i].deadline = (uint64_t)((i * 7919u) % 100000u);
        assert_int_equal(acc__heap_push(&h, &ts[i]), 0);
    }
    for (int i = 0; i < M; i += 2) /* cancel half, each O(log n) */
        acc__heap_remove(&h, &ts[i]);
    assert_int_equal(h.n, M / 2);
    uint64_t last = 0;
    while (h.n > 0) {
        acc__timer *t = acc__heap_min(&h);
        assert_true(t->deadline >= last);
        last = t->deadline;
        acc__heap_remove(&h, t);
    }
    acc__heap_free(&h);
    free(ts);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_ops),
        cmocka_unit_test(test_million),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
