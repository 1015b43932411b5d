/*
 * acc.h: the public header of the acc runtime.
 *
 * acc brings Python's asyncio model to C.  `acc` (the transpiler) rewrites
 * every `async` function of a `.ac` file into a frame struct, a constructor
 * and a resume function; this header declares what that generated code and
 * user code call: the event loop, tasks, timers, gather/wait, futures, the
 * executor, synchronisation primitives and non-blocking I/O.
 *
 * The header has two views:
 *  - the C view (the default), seen by the C compiler building generated
 *    code and by plain C files;
 *  - the parse view (`__ACC__` defined), seen only by acc while it parses a
 *    `.ac` file with libclang.  There `async` is a calling convention kept in
 *    the function type (clang's preserve_most), `await` is
 *    the GNU `__extension__` unary operator, every runtime awaitable is an
 *    async prototype, and the calls that take a coroutine (acc_run,
 *    acc_spawn, acc_gather, ...) are macros whose operand stays a call in
 *    the AST.  Both views declare the same types and plain functions.
 *
 * Calling convention (between generated code and the runtime): an async
 * function `async T f(P...)` is called through its constructor
 * `acc_frame *f__acc(T *result, P...)` (no result pointer when T is void),
 * which allocates and fills a frame without running it.  `result` may be
 * NULL; otherwise it receives the return value when f returns.  A NULL
 * constructor result means the frame could not be allocated: the result
 * target has been zeroed and acc__await marks the task failed (-ENOMEM).
 *
 * Statuses are 0 or a negative errno, as everywhere in acc.
 */
#ifndef ACC_H
#define ACC_H

/*
 * The parse view is included (with -include) before the user's first line,
 * so it must not pull in any libc header: that would fix the feature-test
 * macros (_GNU_SOURCE, ...) before the user's own #define and declare names
 * (accept, ...) the user may define.  It uses only the compiler's own
 * freestanding headers and stand-in typedefs.  The C view is included by
 * generated code after the user's first lines, and may include libc.
 */
#include <stdbool.h>
#include <stddef.h>
#ifdef __ACC__
typedef __PTRDIFF_TYPE__ acc__ssize_t;
typedef unsigned int acc__socklen_t;
typedef void acc__FILE;
#else
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#if defined(__GLIBC__)
typedef __socklen_t acc__socklen_t;
#else
#include <sys/socket.h>
typedef socklen_t acc__socklen_t;
#endif
typedef ssize_t acc__ssize_t;
typedef FILE acc__FILE;
#endif
struct sockaddr;

#ifdef __cplusplus
extern "C" {
#endif

#define ACC_VERSION "0.1.0"

/* ---- types shared by both views ---------------------------------------- */

typedef struct acc_loop acc_loop;         /* an event loop, one per thread */
typedef struct acc_task acc_task;         /* a task handle (like pthread_t) */
typedef struct acc_future acc_future;     /* a one-shot status, settable from any thread */
typedef struct acc_executor acc_executor; /* a pool of worker threads */
typedef struct acc_frame acc_frame;       /* a coroutine: one async call's frame */

/*
 * Static description of one async function, emitted once per function by
 * acc (and written by hand for the runtime's own awaitables).
 * lines[state] is the source line of the await that resume point `state`
 * follows; acc_dump_tasks prints it.
 */
typedef struct acc_fninfo {
    int (*resume)(acc_frame *frame); /* runs the frame until it suspends or returns */
    const char *name;                /* the async function's own name */
    const char *file;                /* its source file, NULL for runtime functions */
    const unsigned *lines;           /* source line of each resume point, may be NULL */
    unsigned nlines;
    unsigned res_offset;             /* offset in the frame of its result pointer, 0: none */
} acc_fninfo;

/*
 * The header every frame starts with.  Owned by the task that runs it;
 * allocated by acc__frame_new and freed by the runtime once the function
 * has returned (or, for a coroutine that never ran, when its task is
 * cancelled or by acc__frame_free).
 */
struct acc_frame {
    const acc_fninfo *fn;
    acc_frame *caller; /* the frame awaiting this one, NULL for a task's root */
    unsigned state;    /* resume point: 0 = not started */
    unsigned size;     /* allocation size, for the frame pool */
};

/* What a resume function returns. */
enum { ACC__DONE = 0, ACC__PENDING = 1 };
/* Set in a generated frame's state while its body returns because it suspended. */
#define ACC__SUSPENDED 0x80000000u

/* acc_wait modes */
enum { ACC_FIRST_COMPLETED = 1, ACC_ALL_COMPLETED = 2 };

/*
 * Wait queues of the sync primitives.  A waiter lives inside the frame of
 * the runtime await that blocks (caller-owned storage all the way down).
 */
typedef struct acc__waiter acc__waiter;
typedef struct acc__waitq {
    acc__waiter *head, *tail;
} acc__waitq;

/* asyncio.Event */
typedef struct acc_event {
    bool is_set;
    acc__waitq waiters;
} acc_event;

/* asyncio.Lock */
typedef struct acc_lock {
    bool locked;
    acc__waitq waiters;
} acc_lock;

/* asyncio.Semaphore */
typedef struct acc_semaphore {
    long value;
    acc__waitq waiters;
} acc_semaphore;

/* asyncio.Queue: bounded FIFO of void *; buf is owned by the queue */
typedef struct acc_queue {
    void **buf;
    size_t capacity, head, count;
    acc__waitq getters, putters;
} acc_queue;

/* ---- plain functions, the same in both views ----------------------------- */

/* loop */
acc_loop *acc_loop_new(void);
acc_loop *acc_get_event_loop(void);
void acc_loop_close(acc_loop *loop);
double acc_loop_time(acc_loop *loop);

/* tasks */
void acc_detach(acc_task *t);
void acc_cancel(acc_task *t);
bool acc_task_done(const acc_task *t);
acc_task *acc_current_task(void);
bool acc_cancelled(void);
void acc_task_set_name(acc_task *t, const char *name);

/* futures */
acc_future *acc_future_new(void);
void acc_future_set(acc_future *f, int status);
void acc_future_set_threadsafe(acc_future *f, int status);
void acc_future_free(acc_future *f);
int acc_call_soon_threadsafe(acc_loop *loop, void (*fn)(void *), void *arg);

/* executor */
acc_executor *acc_executor_new(int threads);
void acc_executor_free(acc_executor *ex);

/* sync primitives */
void acc_event_init(acc_event *e);
void acc_event_destroy(acc_event *e);
void acc_event_set(acc_event *e);
void acc_event_clear(acc_event *e);
bool acc_event_is_set(const acc_event *e);
void acc_lock_init(acc_lock *l);
void acc_lock_destroy(acc_lock *l);
void acc_lock_release(acc_lock *l);
int acc_lock_try_acquire(acc_lock *l);
void acc_semaphore_init(acc_semaphore *s, long value);
void acc_semaphore_destroy(acc_semaphore *s);
void acc_semaphore_release(acc_semaphore *s);
int acc_semaphore_try_acquire(acc_semaphore *s);
int acc_queue_init(acc_queue *q, size_t capacity);
void acc_queue_destroy(acc_queue *q);
int acc_queue_try_put(acc_queue *q, void *item);
int acc_queue_try_get(acc_queue *q, void **item);
size_t acc_queue_size(const acc_queue *q);

/* sockets */
int acc_tcp_listen(const char *host, int port, int backlog);

/* debugging and errors */
void acc_dump_tasks(acc__FILE *out);
const char *acc_strerror(int status);

#ifdef __ACC__
/* ---- the parse view: what acc sees through libclang -------------------- */

/* `async` is a calling convention clang keeps in the function type, so that
   it follows the type through typedefs, pointers, members, parameters,
   returns and casts, and clang refuses to convert it to a plain one.  (clang
   drops calling conventions from `main`: the annotation marks an async main.) */
#define async __attribute__((preserve_most, annotate("acc_async")))
#define await __extension__
#define ACC__RT __attribute__((preserve_most, annotate("acc_runtime")))
#define ACC__CORO __attribute__((annotate("acc_coro")))

ACC__RT int acc_join(acc_task *t);
ACC__RT int acc_gather_tasks(acc_task **ts, size_t n);
ACC__RT int acc_wait(acc_task **ts, size_t n, int mode, double timeout);
ACC__RT int acc_sleep(double seconds);
ACC__RT int acc_yield(void);
ACC__RT int acc_future_wait(acc_future *f);
ACC__RT void *acc_run_in_executor(acc_executor *ex, void *(*fn)(void *), void *arg);
ACC__RT void *acc_to_thread(void *(*fn)(void *), void *arg);
ACC__RT int acc_event_wait(acc_event *e);
ACC__RT int acc_lock_acquire(acc_lock *l);
ACC__RT int acc_semaphore_acquire(acc_semaphore *s);
ACC__RT int acc_queue_put(acc_queue *q, void *item);
ACC__RT int acc_queue_get(acc_queue *q, void **item);
ACC__RT int acc_readable(int fd);
ACC__RT int acc_writable(int fd);
ACC__RT acc__ssize_t acc_read(int fd, void *buf, size_t n);
ACC__RT acc__ssize_t acc_write(int fd, const void *buf, size_t n);
ACC__RT int acc_accept(int lfd, struct sockaddr *addr, acc__socklen_t *addrlen);
ACC__RT int acc_connect(int fd, const struct sockaddr *addr, acc__socklen_t addrlen);
ACC__RT int acc_tcp_connect(const char *host, int port);

/*
 * Calls that take coroutines.  Each coroutine operand becomes the left
 * operand of a comma expression, so that `f(x)` and `v = f(x)` stay calls
 * in the AST whatever f returns (void included).
 */
ACC__CORO int acc__coro_run(int coros);
ACC__CORO acc_task *acc__coro_spawn(int coros);
ACC__CORO int acc__coro_run_until_complete(acc_loop *loop, int coros);
ACC__RT ACC__CORO int acc__coro_gather(int coros);
ACC__RT ACC__CORO int acc__coro_wait_for(int coros, double timeout);
#define acc_run(coro) acc__coro_run(((coro), 0))
#define acc_spawn(coro) acc__coro_spawn(((coro), 0))
#define acc_loop_run_until_complete(loop, coro) acc__coro_run_until_complete((loop), ((coro), 0))
#define acc_gather(...) acc__coro_gather((__VA_ARGS__, 0))
#define acc_wait_for(coro, timeout) acc__coro_wait_for(((coro), 0), (timeout))

#else
/* ---- the C view: what the C compiler sees ------------------------------- */

/*
 * `async` on a prototype in a header read by the C compiler declares
 * nothing callable: the constructor f__acc is what generated code calls.
 * `await` never reaches the C compiler (acc rewrites every one).
 */
#define async

int acc_run(acc_frame *coro);
int acc_loop_run_until_complete(acc_loop *loop, acc_frame *coro);
acc_task *acc_spawn(acc_frame *coro);

/* Constructors of the runtime's awaitables (see "Calling convention"). */
acc_frame *acc_join__acc(int *res, acc_task *t);
acc_frame *acc__gather_new(int *res, acc_frame **coros, size_t n);
#define acc_gather__acc(res, ...)                                              \
    acc__gather_new((res), (acc_frame *[]){__VA_ARGS__},                       \
                    sizeof((acc_frame *[]){__VA_ARGS__}) / sizeof(acc_frame *))
acc_frame *acc_gather_tasks__acc(int *res, acc_task **ts, size_t n);
acc_frame *acc_wait__acc(int *res, acc_task **ts, size_t n, int mode, double timeout);
acc_frame *acc_wait_for__acc(int *res, acc_frame *coro, double timeout);
acc_frame *acc_sleep__acc(int *res, double seconds);
acc_frame *acc_yield__acc(int *res);
acc_frame *acc_future_wait__acc(int *res, acc_future *f);
acc_frame *acc_run_in_executor__acc(void **res, acc_executor *ex, void *(*fn)(void *), void *arg);
acc_frame *acc_to_thread__acc(void **res, void *(*fn)(void *), void *arg);
acc_frame *acc_event_wait__acc(int *res, acc_event *e);
acc_frame *acc_lock_acquire__acc(int *res, acc_lock *l);
acc_frame *acc_semaphore_acquire__acc(int *res, acc_semaphore *s);
acc_frame *acc_queue_put__acc(int *res, acc_queue *q, void *item);
acc_frame *acc_queue_get__acc(int *res, acc_queue *q, void **item);
acc_frame *acc_readable__acc(int *res, int fd);
acc_frame *acc_writable__acc(int *res, int fd);
acc_frame *acc_read__acc(acc__ssize_t *res, int fd, void *buf, size_t n);
acc_frame *acc_write__acc(acc__ssize_t *res, int fd, const void *buf, size_t n);
acc_frame *acc_accept__acc(int *res, int lfd, struct sockaddr *addr, acc__socklen_t *addrlen);
acc_frame *acc_connect__acc(int *res, int fd, const struct sockaddr *addr, acc__socklen_t addrlen);
acc_frame *acc_tcp_connect__acc(int *res, const char *host, int port);

#endif /* __ACC__ */

/* ---- used by generated code only ----------------------------------------- */

/*
 * Allocates a frame of `size` bytes from the calling thread's frame pool and
 * fills its header (fn, caller NULL, state 0, size).  NULL when out of memory.
 */
acc_frame *acc__frame_new(size_t size, const acc_fninfo *fn);
/* The same for a frame whose alignment exceeds that of max_align_t (a local
   with an alignment specifier lives in it). */
acc_frame *acc__frame_new_aligned(size_t size, size_t align, const acc_fninfo *fn);
/* Returns a frame that never ran (or has returned) to the pool. */
void acc__frame_free(acc_frame *frame);
/*
 * Awaits `callee` from the running frame `self`, whose state already names
 * the resume point after the await.  Returns 0 when the callee has finished
 * (it ran to its end without suspending, or callee was NULL: out of memory)
 * and `self` goes on at once; nonzero when `self` must return ACC__PENDING
 * and will be resumed at that point later.  The C stack does not grow with
 * await depth: past a fixed depth the callee is run by the task's trampoline.
 */
int acc__await(acc_frame *self, acc_frame *callee);

/*
 * Inline fast paths.  Every async call allocates a frame, runs it and frees
 * it; as out-of-line calls that each look up thread-local state this costs
 * about 8 times a plain call.  Compilers with thread-local storage (not tcc,
 * not C++) get the common case inline: a frame from a non-empty free list of
 * the thread's pool, and an await below the depth bound inside a task.  All
 * else (first use of a size class, malloc'd pools under ASan or
 * ACC_NOPOOL, armed fault injection, out of memory, the depth bound, no
 * task) takes the out-of-line `..._slow` functions, which are the whole
 * implementation.  The declarations above are the out-of-line versions:
 * the library defines them for compilers without the inline ones, and the
 * macros below redirect calls to the inline ones where they exist.
 */
#define ACC__POOL_GRAIN 8
#define ACC__POOL_SMALL 512 /* larger blocks come from malloc */
#define ACC__DEPTH_MAX 256  /* direct resumes on the C stack per task run */

/* The calling thread's runtime state the fast paths touch (pool.c). */
typedef struct acc__thread {
    void *free[ACC__POOL_SMALL / ACC__POOL_GRAIN]; /* free lists per 8-byte class */
    long live;         /* pooled blocks not yet freed */
    int pooled;        /* 1 once the pool is known to use its free lists */
    unsigned depth;    /* direct resumes on the C stack (acc__await) */
    acc_frame **top;   /* &running task->top, NULL outside a task */
    acc_task *task;    /* the running task, NULL outside one */
} acc__thread;

acc_frame *acc__frame_new_slow(size_t size, const acc_fninfo *fn);
void acc__frame_done_slow(acc_frame *frame);
int acc__await_slow(acc_frame *self, acc_frame *callee);
extern volatile int acc__alloc_armed; /* the fault injector is counting */

#if !defined(__ACC__) && !defined(__TINYC__) && !defined(__cplusplus) &&   \
    !defined(ACC_NO_INLINE) && defined(__STDC_VERSION__) &&                  \
    __STDC_VERSION__ >= 201112L && !defined(__STDC_NO_THREADS__)
#define ACC__INLINE 1
extern _Thread_local acc__thread acc__th;

/* (acc__th is named each time, not through a pointer: gcc 12's UBSan
 * miscompiles the null check of a pointer to a thread-local variable) */
static inline acc_frame *acc__frame_new_inline(size_t size, const acc_fninfo *fn) {
    size_t c = (size - 1) / ACC__POOL_GRAIN;
    acc_frame *f;
    if (size - 1 >= ACC__POOL_SMALL || !(f = (acc_frame *)acc__th.free[c]) || acc__alloc_armed) {
        if (!(f = acc__frame_new_slow(size, fn)))
            return NULL;
    } else {
        acc__th.free[c] = *(void **)f;
        acc__th.live++;
    }
    /* (again after the slow path: so the compiler knows f->fn in both) */
    f->fn = fn;
    f->caller = NULL;
    f->state = 0;
    f->size = (unsigned)size;
    return f;
}

/* A frame that has returned owns nothing any more: back to the pool. */
static inline void acc__frame_done(acc_frame *f) {
    size_t c = ((size_t)f->size - 1) / ACC__POOL_GRAIN;
    if (!acc__th.pooled || c >= ACC__POOL_SMALL / ACC__POOL_GRAIN) {
        acc__frame_done_slow(f);
        return;
    }
    *(void **)f = acc__th.free[c];
    acc__th.free[c] = f;
    acc__th.live--;
}

static inline int acc__await_inline(acc_frame *self, acc_frame *callee) {
    if (!callee)
        return acc__await_slow(self, callee);
    /* Read before any store: right after the constructor's stores the
     * compiler knows fn, and calls (or inlines) the resume function. */
    int (*resume)(acc_frame *) = callee->fn->resume;
    acc_frame **top = acc__th.top;
    if (!top || acc__th.depth >= ACC__DEPTH_MAX)
        return acc__await_slow(self, callee);
    callee->caller = self;
    *top = callee;
    acc__th.depth++;
    int r = resume(callee);
    acc__th.depth--;
    if (r != ACC__DONE)
        return 1;
    *top = self; /* the same task: a resume never switches tasks */
    acc__frame_done(callee);
    return 0;
}

#ifndef ACC__OUTLINE /* the library's own definitions keep the plain names */
#define acc__frame_new(size, fn) acc__frame_new_inline((size), (fn))
#define acc__await(self, callee) acc__await_inline((self), (callee))
#endif
#endif /* ACC__INLINE */

/* ---- test hooks: fault injection ----------------------------------------- */

/*
 * Makes the nth runtime allocation from now fail (1: the next one), once;
 * 0 turns the injector off.  Returns what was left of the previous
 * countdown: 0 when that failure happened (or none was armed).  Every
 * allocation site turns the failure into a -ENOMEM status.
 */
long acc__alloc_fail_at(long n);
/* Runtime blocks not yet freed: this thread's pooled ones and all malloc'd. */
long acc__alloc_outstanding(void);

#ifdef __cplusplus
}
#endif

#endif /* ACC_H */
