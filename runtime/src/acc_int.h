/*
 * acc_int.h: the runtime's one internal header.
 *
 * The data model of the runtime lives here, in one place: the loop, the
 * task, the timer node, the wait-queue node, the cross-thread post, the
 * poller backend interface and the allocator.  Every .c file of the runtime
 * includes it; nothing outside runtime/ and the unit tests should.
 *
 * Threading: a loop, its tasks, frames, timers and wait queues belong to
 * the thread that runs the loop and are touched by that thread only.  The
 * only doors in from other threads are acc__post (the loop's inbox, guarded
 * by a mutex and woken through an eventfd) and the executor's job queue.
 */
#ifndef ACC_INT_H
#define ACC_INT_H

#include "acc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* ---- allocation (pool.c) ------------------------------------------------ */

/* The thread state of acc_abi.h's inline fast paths, defined in pool.c;
 * the runtime uses it whether or not those fast paths are compiled in. */
#define acc__th acc__th_v1
extern _Thread_local acc__thread acc__th;
#ifdef ACC__INLINE
#define acc__frame_done acc__frame_done_inline
#else
#define acc__frame_done acc__frame_done_slow_v1
#endif

/*
 * Every allocation of the runtime goes through these, so that a test can
 * make the Nth one fail (acc__alloc_fail_at).  acc__alloc/acc__free use the
 * calling thread's pool (size classes of 8 bytes up to 512, bigger blocks
 * from malloc); acc__malloc/acc__mfree are plain malloc for objects that
 * may be freed on another thread or outlive the thread's pool.
 */
void *acc__alloc(size_t size);
void acc__free(void *p, size_t size);
void *acc__malloc(size_t size);
void *acc__realloc(void *p, size_t size); /* p NULL counts as a new block */
void acc__mfree(void *p);
/* Frees the calling thread's slabs if no pooled object is live. */
void acc__pool_release(void);
/* True when the fault injector says this allocation fails. */
bool acc__alloc_should_fail(void);

/* ---- timers (timer.c) ---------------------------------------------------- */

/*
 * A timer node, embedded in the frame of the await that sleeps (so a
 * million sleepers cost no extra allocation).  Firing a timer only wakes
 * `task`; the owning frame sees on resume that the node left the heap.
 */
typedef struct acc__timer {
    uint64_t deadline; /* monotonic ns; before start: the delay */
    acc_task *task;    /* woken when the timer fires */
    uint32_t idx;      /* position in the heap, ACC__TIMER_IDLE when out */
    uint32_t seq;      /* insertion counter: equal deadlines fire in order */
} acc__timer;

#define ACC__TIMER_IDLE UINT32_MAX

/* A binary min-heap on (deadline, seq); O(log n) insert and removal. */
typedef struct acc__heap {
    acc__timer **a;
    uint32_t n, cap;
    uint32_t seq;
} acc__heap;

int acc__heap_push(acc__heap *h, acc__timer *t); /* 0 or -ENOMEM */
void acc__heap_remove(acc__heap *h, acc__timer *t);
acc__timer *acc__heap_min(const acc__heap *h);
void acc__heap_free(acc__heap *h);

static inline bool acc__timer_armed(const acc__timer *t) { return t->idx != ACC__TIMER_IDLE; }

/*
 * The run in front of the heap (timer.c): a FIFO ring of timers appended in
 * (deadline, seq) order; positions are absolute (they wrap), the slot of
 * position p is a[p & (cap - 1)], and stopped timers leave NULL holes.
 */
typedef struct acc__run {
    acc__timer **a;
    uint32_t cap, head, tail; /* a power of 2; [head, tail) is in use */
    uint64_t last;            /* deadline of the last timer appended */
} acc__run;

void acc__run_free(acc__run *r);

/* Loop-level helpers: arm `t` to wake the current task after `delay_ns`,
 * disarm it, and the earliest armed timer (NULL if none). */
int acc__timer_start(acc_loop *loop, acc__timer *t, uint64_t delay_ns);
void acc__timer_stop(acc_loop *loop, acc__timer *t);
acc__timer *acc__timer_first(acc_loop *loop);
uint64_t acc__seconds_to_ns(double seconds);

/* ---- wait queues (sync.c) ------------------------------------------------ */

/*
 * A wait-queue node, embedded in the frame of the blocked await.  It is in
 * its queue exactly while it was pushed and not yet `done`.  Wakers skip
 * the nodes of cancelled tasks (a cancelled lock waiter is never handed the
 * lock); those unlink themselves when their task resumes.
 */
struct acc__waiter {
    acc__waiter *prev, *next;
    acc_task *task;
    void *item; /* payload handed over by a queue */
    bool done;  /* woken: the event it waited for happened */
};

void acc__waitq_push(acc__waitq *q, acc__waiter *w, acc_task *task);
void acc__waitq_remove(acc__waitq *q, acc__waiter *w);
acc__waiter *acc__waitq_first_live(const acc__waitq *q);
void acc__waiter_wake(acc__waitq *q, acc__waiter *w);
void acc__waitq_wake_all(acc__waitq *q);

/* ---- tasks (task.c) ------------------------------------------------------ */

enum {
    ACC__T_QUEUED = 1 << 0,    /* in the ready queue */
    ACC__T_STARTED = 1 << 1,   /* its root frame has run once */
    ACC__T_DONE = 1 << 2,      /* its root frame returned */
    ACC__T_CANCELLED = 1 << 3, /* level-triggered: runtime awaits fail */
    ACC__T_NOMEM = 1 << 4,     /* a frame allocation failed (implies cancelled) */
    ACC__T_DETACHED = 1 << 5,  /* nobody holds the handle: free when done */
    ACC__T_BOUNCE = 1 << 6,    /* acc__await hit the depth bound */
    ACC__T_MAIN = 1 << 7,      /* the coroutine of a run_until_complete */
    ACC__T_NAMED = 1 << 8,     /* has a name (task.c keeps names aside) */
};

/* A link of a circular list with a sentinel: unlinks without the list. */
typedef struct acc__link {
    struct acc__link *prev, *next;
} acc__link;

/*
 * A task: a chain of frames run by the trampoline.  Owned by its handle
 * (joined or detached exactly once) and listed in its loop until freed.
 * Kept at 56 bytes: a million sleeping tasks must stay cheap (names,
 * which are rare, are kept aside by task.c).
 */
struct acc__task {
    acc_frame *top;                /* innermost frame; the root before it starts */
    acc_task *next;                /* ready-queue link */
    acc__link link;                /* in loop->tasks, in spawn order */
    acc__waitq done_waiters;       /* joiners, gather/wait parents */
    unsigned id;
    unsigned flags;
};

acc_task *acc__task_new(acc_loop *loop, acc_frame *coro); /* NULL: coro discarded */
void acc__task_free(acc_task *t); /* unlinks; frees a never-run root */
void acc__task_abandon(acc_task *t); /* cancel, detach, forget the result target */
void acc__task_run(acc_loop *loop, acc_task *t);
int acc__task_status(const acc_task *t);
void acc__wake(acc_task *t);        /* append to the ready queue if not there */
/* The running task or NULL. */
static inline acc_task *acc__current(void) { return acc__th.task; }
static inline bool acc__task_cancelled(const acc_task *t) {
    return t && (t->flags & ACC__T_CANCELLED);
}
void acc__fail_nomem(void);         /* the current task failed to allocate */
/* Frees what a never-run runtime frame owns (gather's coroutine operands). */
void acc__frame_release_owned(acc_frame *f);

/* ---- cross-thread posts (loop.c) ----------------------------------------- */

/* A callback queued into a loop's inbox from any thread. */
typedef struct acc__post {
    struct acc__post *next;
    void (*fn)(void *arg);
    void *arg;
    bool owned; /* malloc'd by acc_call_soon_threadsafe: freed after running */
} acc__post;

void acc__post_to(acc_loop *loop, acc__post *p); /* thread-safe, never fails */

/* ---- poller backends (poll_epoll.c, poll_poll.c) ------------------------- */

enum { ACC__READ = 1, ACC__WRITE = 2 };

/* The blocked readers and writers of one descriptor. */
typedef struct acc__fdw {
    acc__waitq rd, wr;
    int mask; /* interest registered with the backend */
} acc__fdw;

/*
 * A poller backend, after redis ae_epoll.c: `update` changes the interest
 * in one descriptor, `wait` blocks up to timeout_ms (-1 forever) and calls
 * acc__fd_ready for every descriptor that is ready.
 */
typedef struct acc__backend {
    const char *name;
    int (*init)(acc_loop *loop);
    void (*done)(acc_loop *loop);
    int (*update)(acc_loop *loop, int fd, int oldmask, int newmask);
    int (*wait)(acc_loop *loop, int timeout_ms);
} acc__backend;

extern const acc__backend acc__backend_epoll;
extern const acc__backend acc__backend_poll;

void acc__fd_ready(acc_loop *loop, int fd, int mask);
/* Blocks the current task's await on fd; 0 or -ENOMEM / -errno. */
int acc__fd_watch(acc_loop *loop, int fd, int dir, acc__waiter *w);
void acc__fd_unwatch(acc_loop *loop, int fd, int dir, acc__waiter *w);

/* ---- the loop (loop.c) --------------------------------------------------- */

/*
 * One event loop.  Owned by whoever created it (acc_run's own, or the
 * thread default, or acc_loop_new's caller); closed by acc_loop_close.
 */
struct acc_loop {
    acc_task *ready_head, *ready_tail; /* FIFO of tasks to run */
    size_t nready;
    acc__link tasks;                   /* every task not yet freed (sentinel) */
    acc_task *current;                 /* the task being run */
    size_t nlive;                      /* tasks not yet finished */
    unsigned next_id;
    bool running, draining;
    bool now_valid;         /* `now` was read in this iteration */
    size_t runs_since_poll; /* task runs since the last poll of descriptors */
    uint64_t now;           /* monotonic ns, read once per iteration: acc__loop_now */
    acc__heap timers;       /* the timers out of order ... */
    acc__run run;           /* ... and those in order (timer.c) */

    const acc__backend *backend;
    void *bdata;
    acc__fdw *fds; /* indexed by descriptor */
    int nfds;

    int wake_rd, wake_wr; /* eventfd (both the same) or a pipe */
    pthread_mutex_t inbox_lock;
    acc__post *inbox_head, *inbox_tail;

    acc_executor *executor; /* the default pool, made on first use */
};

acc_loop *acc__loop(void);          /* running loop, else the thread default (made) */
extern _Thread_local acc_loop *acc__tl_running;
/* NULL outside acc_run & co */
static inline acc_loop *acc__running_loop(void) { return acc__tl_running; }
acc_loop *acc__loop_peek(void);     /* running loop, else the default, never made */
#define ACC__TASK_OF(l) ((acc_task *)((char *)(l) - offsetof(acc_task, link)))
void acc__enqueue(acc_loop *loop, acc_task *t);
uint64_t acc__clock_ns(void);
uint64_t acc__loop_now(acc_loop *loop); /* the iteration's clock, read on first use */
void acc__executor_shutdown(acc_loop *loop);

/* ---- helpers for the runtime's own awaitables ---------------------------- */

#define ACC__NEW_FRAME(type, info) ((type *)acc__frame_new(sizeof(type), (info)))
#define ACC__RUNTIME_FN(var, fn, name) \
    static int fn(acc_frame *); \
    static const acc_fninfo var = {fn, name, NULL, NULL, 0, 0}

#endif /* ACC_INT_H */
