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
 * What generated code needs (the frame header, the frame allocator,
 * acc__await) is in acc_abi.h, which this header includes: see the calling
 * convention there.
 *
 * Statuses are 0 or a negative errno, as everywhere in acc.
 */
#if defined(ACC_H) && defined(__ACC__)
/* acc injected the parse view first; the user's own #include <acc.h> gives
   <stdbool.h> as it does in C */
#include <stdbool.h>
#endif
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
#ifdef __ACC__
#define bool _Bool /* the injected parse view takes no name from the user (#undef at the end) */
#else
#include <stdbool.h>
#endif
#include <stddef.h>

#include "acc_abi.h"
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
typedef struct acc__task acc_task;        /* a task handle (like pthread_t) */
typedef struct acc_future acc_future;     /* a one-shot status, settable from any thread */
typedef struct acc_executor acc_executor; /* a pool of worker threads */
typedef acc__frame acc_frame;             /* a coroutine: one async call's frame */
typedef acc__fninfo acc_fninfo;           /* static description of an async function */

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
ACC__EXTERN acc_loop *acc_loop_new(void);
ACC__EXTERN acc_loop *acc_get_event_loop(void);
ACC__EXTERN void acc_loop_close(acc_loop *loop);
ACC__EXTERN double acc_loop_time(acc_loop *loop);

/* tasks */
ACC__EXTERN void acc_detach(acc_task *t);
ACC__EXTERN void acc_cancel(acc_task *t);
ACC__EXTERN bool acc_task_done(const acc_task *t);
ACC__EXTERN acc_task *acc_current_task(void);
ACC__EXTERN bool acc_cancelled(void);
ACC__EXTERN void acc_task_set_name(acc_task *t, const char *name);

/* futures */
ACC__EXTERN acc_future *acc_future_new(void);
ACC__EXTERN void acc_future_set(acc_future *f, int status);
ACC__EXTERN void acc_future_set_threadsafe(acc_future *f, int status);
ACC__EXTERN void acc_future_free(acc_future *f);
ACC__EXTERN int acc_call_soon_threadsafe(acc_loop *loop, void (*fn)(void *), void *arg);

/* executor */
ACC__EXTERN acc_executor *acc_executor_new(int threads);
ACC__EXTERN void acc_executor_free(acc_executor *ex);

/* sync primitives */
ACC__EXTERN void acc_event_init(acc_event *e);
ACC__EXTERN void acc_event_destroy(acc_event *e);
ACC__EXTERN void acc_event_set(acc_event *e);
ACC__EXTERN void acc_event_clear(acc_event *e);
ACC__EXTERN bool acc_event_is_set(const acc_event *e);
ACC__EXTERN void acc_lock_init(acc_lock *l);
ACC__EXTERN void acc_lock_destroy(acc_lock *l);
ACC__EXTERN void acc_lock_release(acc_lock *l);
ACC__EXTERN int acc_lock_try_acquire(acc_lock *l);
ACC__EXTERN void acc_semaphore_init(acc_semaphore *s, long value);
ACC__EXTERN void acc_semaphore_destroy(acc_semaphore *s);
ACC__EXTERN void acc_semaphore_release(acc_semaphore *s);
ACC__EXTERN int acc_semaphore_try_acquire(acc_semaphore *s);
ACC__EXTERN int acc_queue_init(acc_queue *q, size_t capacity);
ACC__EXTERN void acc_queue_destroy(acc_queue *q);
ACC__EXTERN int acc_queue_try_put(acc_queue *q, void *item);
ACC__EXTERN int acc_queue_try_get(acc_queue *q, void **item);
ACC__EXTERN size_t acc_queue_size(const acc_queue *q);

/* sockets */
ACC__EXTERN int acc_tcp_listen(const char *host, int port, int backlog);

/* debugging and errors */
ACC__EXTERN void acc_dump_tasks(acc__FILE *out);
ACC__EXTERN const char *acc_strerror(int status);

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

ACC__EXTERN int acc_run(acc_frame *coro);
ACC__EXTERN int acc_loop_run_until_complete(acc_loop *loop, acc_frame *coro);
ACC__EXTERN acc_task *acc_spawn(acc_frame *coro);

/* Constructors of the runtime's awaitables (see "Calling convention"). */
ACC__EXTERN acc_frame *acc_join__acc(int *res, acc_task *t);
ACC__EXTERN acc_frame *acc__gather_new(int *res, acc_frame **coros, size_t n);
#define acc_gather__acc(res, ...)                                              \
    acc__gather_new((res), (acc_frame *[]){__VA_ARGS__},                       \
                    sizeof((acc_frame *[]){__VA_ARGS__}) / sizeof(acc_frame *))
ACC__EXTERN acc_frame *acc_gather_tasks__acc(int *res, acc_task **ts, size_t n);
ACC__EXTERN acc_frame *acc_wait__acc(int *res, acc_task **ts, size_t n, int mode, double timeout);
ACC__EXTERN acc_frame *acc_wait_for__acc(int *res, acc_frame *coro, double timeout);
ACC__EXTERN acc_frame *acc_sleep__acc(int *res, double seconds);
ACC__EXTERN acc_frame *acc_yield__acc(int *res);
ACC__EXTERN acc_frame *acc_future_wait__acc(int *res, acc_future *f);
ACC__EXTERN acc_frame *acc_run_in_executor__acc(void **res, acc_executor *ex, void *(*fn)(void *), void *arg);
ACC__EXTERN acc_frame *acc_to_thread__acc(void **res, void *(*fn)(void *), void *arg);
ACC__EXTERN acc_frame *acc_event_wait__acc(int *res, acc_event *e);
ACC__EXTERN acc_frame *acc_lock_acquire__acc(int *res, acc_lock *l);
ACC__EXTERN acc_frame *acc_semaphore_acquire__acc(int *res, acc_semaphore *s);
ACC__EXTERN acc_frame *acc_queue_put__acc(int *res, acc_queue *q, void *item);
ACC__EXTERN acc_frame *acc_queue_get__acc(int *res, acc_queue *q, void **item);
ACC__EXTERN acc_frame *acc_readable__acc(int *res, int fd);
ACC__EXTERN acc_frame *acc_writable__acc(int *res, int fd);
ACC__EXTERN acc_frame *acc_read__acc(acc__ssize_t *res, int fd, void *buf, size_t n);
ACC__EXTERN acc_frame *acc_write__acc(acc__ssize_t *res, int fd, const void *buf, size_t n);
ACC__EXTERN acc_frame *acc_accept__acc(int *res, int lfd, struct sockaddr *addr, acc__socklen_t *addrlen);
ACC__EXTERN acc_frame *acc_connect__acc(int *res, int fd, const struct sockaddr *addr, acc__socklen_t addrlen);
ACC__EXTERN acc_frame *acc_tcp_connect__acc(int *res, const char *host, int port);

#endif /* __ACC__ */

/* ---- test hooks: fault injection ----------------------------------------- */

/*
 * Makes the nth runtime allocation from now fail (1: the next one), once;
 * 0 turns the injector off.  Returns what was left of the previous
 * countdown: 0 when that failure happened (or none was armed).  Every
 * allocation site turns the failure into a -ENOMEM status.
 */
ACC__EXTERN long acc__alloc_fail_at(long n);
/* Runtime blocks not yet freed: this thread's pooled ones and all malloc'd. */
ACC__EXTERN long acc__alloc_outstanding(void);

#ifdef __cplusplus
}
#endif

#ifdef __ACC__
#undef bool
#endif
#endif /* ACC_H */
