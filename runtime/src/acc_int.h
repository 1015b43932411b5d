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
#ifdef ACC__FASTPATH
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
/* True when the fault injector says this allocation fails (test builds). */
#ifdef ACC_TEST_HOOKS
bool acc__alloc_should_fail(void);
#else
static inline bool acc__alloc_should_fail(void) { return false; }
#endif

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
/* The high bits of flags count the coop yields of a task already
 * cancelled (saturating): a task that spins ignoring -ECANCELED. */
#define ACC__T_SPIN_SHIFT 20
#define ACC__T_SPIN_MAX (UINT32_MAX >> ACC__T_SPIN_SHIFT)

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
static inline acc_task *acc__current(void) { return acc__th.acc__task; }
static inline bool acc__task_cancelled(const acc_task *t) {
    return t && (t->flags & ACC__T_CANCELLED);
}
void acc__fail_nomem(void);         /* the current task failed to allocate */

/*
 * The coop budget (after tokio's): per run of a task, ACC__COOP_BUDGET
 * runtime awaits may start; the next one yields first (the task goes to
 * the back of the ready queue, timers and I/O are looked at), so a task
 * whose awaits always find their result ready (an always-readable
 * descriptor, a queue never empty, a cancelled task ignoring -ECANCELED)
 * cannot starve the others.  Every runtime await calls acc__coop_yield at
 * its first run, before anything else, and returns ACC__PENDING in the
 * same state when it says so.
 */
#define ACC__COOP_BUDGET 128
extern _Thread_local unsigned acc__coop; /* awaits left in this run */
bool acc__coop_exhausted(void);          /* requeues the current task */
static inline bool acc__coop_yield(void) {
    if (acc__coop > 0) {
        acc__coop--;
        return false;
    }
    return acc__coop_exhausted();
}

/* ---- cross-thread posts (loop.c) ----------------------------------------- */

/* A callback queued into a loop's inbox from any thread. */
typedef struct acc__post {
    struct acc__post *next;
    void (*fn)(void *arg);
    void *arg;
    bool owned; /* malloc'd by acc_call_soon_threadsafe: freed after running */
} acc__post;

void acc__post_to(acc_loop *loop, acc__post *p); /* thread-safe, never fails */
/* The same for a loop that may have been closed: 0, or -ESHUTDOWN. */
int acc__post_checked(acc_loop *loop, acc__post *p);
/* Takes the lock of the open loops' list and says whether loop is on it
   (not yet closed): a post made before acc__loop_open_unlock is safe. */
bool acc__loop_open_lock(acc_loop *loop);
void acc__loop_open_unlock(void);

/* ---- poller backends (poll_epoll.c, poll_poll.c) ------------------------- */

enum { ACC__READ = 1, ACC__WRITE = 2 };

/* The blocked readers and writers of one descriptor. */
typedef struct acc__fdw {
    acc__waitq rd, wr;
    int mask;   /* interest registered with the backend */
    bool stale; /* kept while nobody waited: confirm it before relying on it */
} acc__fdw;

/* A descriptor the poller found ready. */
typedef struct acc__fired {
    int fd;
    int mask; /* ACC__READ | ACC__WRITE */
} acc__fired;

/*
 * A poller backend, after redis ae_epoll.c: `update` changes the interest
 * in one descriptor; `wait` blocks up to timeout_ms (-1 forever), points
 * *fired at an array (the backend's own) of the descriptors found ready and
 * returns their number, or a negative errno when the poller failed for
 * good (EINTR is 0).  The loop dispatches them (acc__fd_ready); `wait`
 * touches no task and no waiter, and `update` never frees the array while
 * the loop dispatches from it.
 */
typedef struct acc__backend {
    const char *name;
    int (*init)(acc_loop *loop);
    void (*done)(acc_loop *loop);
    int (*update)(acc_loop *loop, int fd, int oldmask, int newmask);
    int (*wait)(acc_loop *loop, int timeout_ms, const acc__fired **fired);
} acc__backend;

extern const acc__backend acc__backend_epoll;
extern const acc__backend acc__backend_poll;

/* The descriptor registry (fd.c). */
void acc__fd_ready(acc_loop *loop, int fd, int mask); /* wakes its waiters */
int acc__fd_reserve(acc_loop *loop, int fd);          /* always watched (wake-up) */
void acc__fd_table_free(acc_loop *loop);
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
    int error;              /* the poller failed: the status runs end with */
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
    acc_loop *open_next;    /* the list of open loops (loop.c) */
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
/* signal.c: the closing loop gives back the signals it catches */
void acc__signal_loop_close(acc_loop *loop);
/* resolve.c: a getaddrinfo error code as a negative errno; a blocking
   lookup of host:port (numeric port) for one socket type */
int acc__gai_status(int rc);
void acc__getaddrinfo_reap(void); /* joins abandoned lookups' ended threads */
struct addrinfo;
int acc__resolve(const char *host, int port, int socktype, bool passive, struct addrinfo **ai);

/* ---- the kit for the runtime's own awaitables ---------------------------- */

/*
 * A runtime await is a hand-written async function (see "Calling
 * convention" in docs/runtime.md).  Its description extends acc_fninfo with
 * a drop hook: what acc__frame_free calls for a frame that never ran, to
 * let go of what the frame owns (acc_gather's coroutines, acc_gather_tasks'
 * handles).  fn.lines is acc__rt_mark in every one, which is how the
 * allocator tells them from generated functions, without knowing any.
 */
typedef struct acc__rtinfo {
    acc_fninfo fn;
    void (*drop)(acc_frame *f); /* NULL: the frame owns nothing */
} acc__rtinfo;

extern const unsigned acc__rt_mark[1];

#define ACC__RUNTIME_FN_DROP(var, fn, name, drop)                               \
    static int fn(acc_frame *);                                                \
    static const acc__rtinfo var = {{fn, name, NULL, acc__rt_mark, 0, 0}, drop}
#define ACC__RUNTIME_FN(var, fn, name) ACC__RUNTIME_FN_DROP(var, fn, name, NULL)

/* The state of a runtime frame that has returned. */
#define ACC__RT_END 0x7fffffffu

/*
 * The frame of a runtime await, `size` bytes with its header filled; NULL
 * when out of memory, after writing -ENOMEM to the status target (an await
 * that cannot start never evaluates to 0).
 */
static inline void *acc__rt_new(size_t size, const acc__rtinfo *info, int *res) {
    acc_frame *f = acc__frame_new(size, &info->fn);
    if (!f && res)
        *res = -ENOMEM;
    return f;
}
#define ACC__NEW_FRAME(type, info, res) ((type *)acc__rt_new(sizeof(type), (info), (res)))

/* Returns from a runtime await with `status`. */
static inline int acc__rt_return(acc_frame *f, int *res, int status) {
    f->acc__state = ACC__RT_END;
    if (res)
        *res = status;
    return ACC__DONE;
}

/* ---- cancel scopes (timeout.c): acc_timeout and task groups -------------- */

/*
 * Cancellation is level-triggered, so a cancellation that must be lifted
 * again (a timeout that fired, a task group failing under its owner) is
 * kept apart from one that came from outside: acc_cancel, the end of a run
 * and a failed allocation set ACC__T_EXTERNAL, which nothing lifts; a
 * scope that cancels its task adds ACC__T_SCOPE_ONE to a count in the high
 * bits and takes it away when it ends.  ACC__T_CANCELLED is set while
 * either is.
 */
#define ACC__T_EXTERNAL (1u << 9)
#define ACC__T_SCOPE_ONE (1u << 10)
#define ACC__T_SCOPE_MASK (0x3ffu << 10) /* bits 10-19; 20 up: ACC__T_SPIN */
/* A scope of t cancels it (wakes it when suspended); true when counted. */
bool acc__scope_cancel(acc_task *t);
/* That scope ends: lifts its cancellation; true when t stays cancelled. */
bool acc__scope_lift(acc_task *t, bool counted);
/* Cancelled from outside (or out of memory): nothing will lift it. */
static inline bool acc__task_cancelled_outside(const acc_task *t) {
    return t && (t->flags & (ACC__T_EXTERNAL | ACC__T_NOMEM));
}
/* A waiter with this item is handed a lock even when its task is
 * cancelled (condition.c: a condition wait takes its lock back). */
extern char acc__waiter_forced;
#define ACC__WAITER_FORCED ((void *)&acc__waiter_forced)
/* A timer whose task pointer carries this tag is a timeout's: firing it
 * calls acc__scope_timer_fire instead of waking the task. */
#define ACC__TIMER_SCOPE ((uintptr_t)1)
void acc__scope_timer_fire(acc_loop *loop, acc__timer *t);

#endif /* ACC_INT_H */
