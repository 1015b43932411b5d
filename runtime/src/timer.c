/*
 * timer.c: the timer heap (after libuv's timer.c).
 *
 * A binary min-heap of pointers to timer nodes ordered by (deadline, seq);
 * seq is an insertion counter, so timers with equal deadlines fire in the
 * order they were set.  Each node stores its heap index, which makes
 * removal O(log n) without a search: a sleeping task cancelled among a
 * million others is unlinked at once.  The nodes live in the frames of the
 * awaits that sleep; the heap only holds pointers to them.
 *
 * In front of the heap, the loop keeps a run: a FIFO ring of timers set in
 * (deadline, order set) order.  A timer whose deadline is not before the
 * last one appended to the run goes there, in O(1), and leaves it in O(1):
 * that is every timer when all sleeps and timeouts have the same length,
 * the common case (a million `acc_sleep(1.0)`, a server's idle timeout).
 * Only the others pay the heap's O(log n), and its cache misses.  A
 * stopped timer leaves a hole in the run, skipped when it reaches the front.
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

/* ---- the run: idx of a timer in it is RUN_BIT | its position ---------- */

#define RUN_BIT 0x80000000u
#define RUN_POS_MASK 0x3fffffffu /* so that no idx of the run is ACC__TIMER_IDLE */

static acc__timer **run_slot(acc__run *r, uint32_t pos) { return &r->a[pos & (r->cap - 1)]; }

/* Doubles the ring; positions are absolute, so entries keep theirs. */
static int run_grow(acc__run *r) {
    uint32_t cap = r->cap ? r->cap * 2 : 64;
    if (cap > RUN_POS_MASK + 1)
        return -ENOMEM;
    acc__timer **a = acc__malloc(cap * sizeof *a);
    if (!a)
        return -ENOMEM;
    for (uint32_t p = r->head; p != r->tail; p++)
        a[p & (cap - 1)] = *run_slot(r, p);
    acc__mfree(r->a);
    r->a = a;
    r->cap = cap;
    return 0;
}

static int run_push(acc__run *r, acc__timer *t) {
    if (r->tail - r->head == r->cap) {
        int e = run_grow(r);
        if (e < 0)
            return e;
    }
    uint32_t pos = r->tail++;
    *run_slot(r, pos) = t;
    t->idx = RUN_BIT | (pos & RUN_POS_MASK);
    r->last = t->deadline;
    return 0;
}

/* The front of the run, past the holes stopped timers left. */
static acc__timer *run_first(acc__run *r) {
    while (r->head != r->tail) {
        acc__timer *t = *run_slot(r, r->head);
        if (t)
            return t;
        r->head++;
    }
    r->last = 0; /* empty: any deadline may start it again */
    return NULL;
}

/* cap divides 2^30: the low 30 bits of a position find its slot */
static void run_remove(acc__run *r, acc__timer *t) {
    *run_slot(r, t->idx & RUN_POS_MASK) = NULL;
    t->idx = ACC__TIMER_IDLE;
}

void acc__run_free(acc__run *r) {
    acc__mfree(r->a);
    memset(r, 0, sizeof *r);
}

/* ---- the loop's timers: the run, then the heap ---------------------------- */

/* The deadline counts from a fresh clock, not the iteration's: a task that
 * computed for a while before it slept must still sleep the whole delay. */
int acc__timer_start(acc_loop *loop, acc__timer *t, uint64_t delay_ns) {
    loop->now = acc__clock_ns();
    loop->now_valid = true;
    t->deadline = loop->now + delay_ns;
    t->task = loop->current;
    acc__run *r = &loop->run;
    if (t->deadline >= r->last || (r->head == r->tail)) {
        t->seq = loop->timers.seq++; /* one order for the run and the heap */
        if (run_push(r, t) == 0)
            return 0;
        loop->timers.seq--;
    }
    return acc__heap_push(&loop->timers, t);
}

void acc__timer_stop(acc_loop *loop, acc__timer *t) {
    if (!acc__timer_armed(t))
        return;
    if (t->idx & RUN_BIT)
        run_remove(&loop->run, t);
    else
        acc__heap_remove(&loop->timers, t);
}

acc__timer *acc__timer_first(acc_loop *loop) {
    acc__timer *a = run_first(&loop->run), *b = acc__heap_min(&loop->timers);
    if (!a || !b)
        return a ? a : b;
    return before(b, a) ? b : a;
}
