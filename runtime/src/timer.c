/*
 * timer.c: the timer heap (after libuv's timer.c).
 *
 * A binary min-heap of pointers to timer nodes ordered by (deadline, seq);
 * seq is an insertion counter, so timers with equal deadlines fire in the
 * order they were set.  Each node stores its heap index, which makes
 * removal O(log n) without a search: a sleeping task cancelled among a
 * million others is unlinked at once.  The nodes live in the frames of the
 * awaits that sleep; the heap only holds pointers to them.
 */
#include "acc_int.h"

/* seq wraps after 2^32 timers; comparing the difference keeps the order
 * right as long as two live timers were not set 2^31 timers apart. */
static bool before(const acc__timer *a, const acc__timer *b) {
    if (a->deadline != b->deadline)
        return a->deadline < b->deadline;
    return (int32_t)(a->seq - b->seq) < 0;
}

static void place(acc__heap *h, uint32_t i, acc__timer *t) {
    h->a[i] = t;
    t->idx = i;
}

static void sift_up(acc__heap *h, uint32_t i, acc__timer *t) {
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!before(t, h->a[parent]))
            break;
        place(h, i, h->a[parent]);
        i = parent;
    }
    place(h, i, t);
}

static void sift_down(acc__heap *h, uint32_t i, acc__timer *t) {
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && before(h->a[c + 1], h->a[c]))
            c++;
        if (!before(h->a[c], t))
            break;
        place(h, i, h->a[c]);
        i = c;
    }
    place(h, i, t);
}

int acc__heap_push(acc__heap *h, acc__timer *t) {
    if (h->n == h->cap) {
        uint32_t cap = h->cap ? h->cap * 2 : 64;
        acc__timer **a = acc__realloc(h->a, cap * sizeof *a);
        if (!a)
            return -ENOMEM;
        h->a = a;
        h->cap = cap;
    }
    t->seq = h->seq++;
    sift_up(h, h->n++, t);
    return 0;
}

void acc__heap_remove(acc__heap *h, acc__timer *t) {
    uint32_t i = t->idx;
    t->idx = ACC__TIMER_IDLE;
    acc__timer *last = h->a[--h->n];
    if (i == h->n)
        return;
    /* The last node moves into the hole, then up or down as it compares. */
    if (i > 0 && before(last, h->a[(i - 1) / 2]))
        sift_up(h, i, last);
    else
        sift_down(h, i, last);
}

acc__timer *acc__heap_min(const acc__heap *h) { return h->n ? h->a[0] : NULL; }

void acc__heap_free(acc__heap *h) {
    acc__mfree(h->a);
    h->a = NULL;
    h->n = h->cap = 0;
}

uint64_t acc__seconds_to_ns(double seconds) {
    if (!(seconds > 0)) /* negative or NaN: no delay */
        return 0;
    if (seconds > 1e9) /* about 31 years: far enough, and no overflow */
        seconds = 1e9;
    double ns = seconds * 1e9;
    uint64_t n = (uint64_t)ns;
    return (double)n < ns ? n + 1 : n; /* round up: never wake early */
}

int acc__timer_start(acc_loop *loop, acc__timer *t, uint64_t delay_ns) {
    t->deadline = loop->now + delay_ns;
    t->task = loop->current;
    return acc__heap_push(&loop->timers, t);
}

void acc__timer_stop(acc_loop *loop, acc__timer *t) {
    if (acc__timer_armed(t))
        acc__heap_remove(&loop->timers, t);
}
