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
/*
 * ACC__NOLIBC: the C view acc includes on its own, for a .ac file that names
 * the API without including acc.h (acc's output must then add no libc
 * header and take no name from the user: SPEC 2).  Like the parse view it
 * uses stand-in typedefs and spells bool as _Bool and size_t as
 * acc__size_t for itself only; acc
 * wraps the #include in push_macro/pop_macro of the user's macros named
 * like the identifiers of this header.
 */
#if defined(__ACC__) || defined(ACC__NOLIBC)
#define ACC__OWN_BOOL 1
#pragma push_macro("bool")
#undef bool
#define bool _Bool /* the header's own spelling; the user's bool is restored at the end */
#else
#include <stdbool.h>
#endif
#include "acc_abi.h"
#ifdef ACC__NOLIBC
/* not even <stddef.h>: tcc's declares ssize_t, which the user may own */
#pragma push_macro("size_t")
#undef size_t
#define size_t acc__size_t
#else
#include <stddef.h>
#endif

#if defined(__ACC__) || defined(ACC__NOLIBC)
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
 * The sync primitives live in caller-owned storage, so their structures are
 * public; their fields are not: every field below marked `private` belongs
 * to the runtime and may change.  Use the functions.
 *
 * Wait queues of the sync primitives (private).  A waiter lives inside the
 * frame of the runtime await that blocks (caller-owned storage all the way
 * down).
 */
typedef struct acc__waiter acc__waiter;
typedef struct acc__waitq {
    acc__waiter *acc__head, *acc__tail; /* private */
} acc__waitq;

/* asyncio.Event */
typedef struct acc_event {
    bool is_set;        /* private: acc_event_is_set */
    acc__waitq waiters; /* private */
} acc_event;

/* asyncio.Lock */
typedef struct acc_lock {
    bool locked;        /* private */
    acc__waitq waiters; /* private */
} acc_lock;

/* asyncio.Semaphore, BoundedSemaphore (bound > 0) */
typedef struct acc_semaphore {
    long value;         /* private */
    acc__waitq waiters; /* private */
    long bound;         /* private: acc_semaphore_init_bounded's value, else 0 */
} acc_semaphore;

/* asyncio.Queue, LifoQueue, PriorityQueue of void *; buf is owned by the
 * queue; capacity 0: unbounded */
typedef struct acc_queue {
    void **buf;                   /* private */
    size_t capacity, head, count; /* private: acc_queue_size */
    acc__waitq getters, putters;  /* private */
    size_t size;                  /* private: slots allocated in buf */
    size_t unfinished;            /* private: put and not yet task_done */
    acc__waitq joiners;           /* private */
    int (*cmp)(const void *a, const void *b); /* private: priority, smallest first */
    int kind;                     /* private: ACC_QUEUE_FIFO, _LIFO, _PRIORITY */
    bool shut;                    /* private: acc_queue_shutdown was called */
} acc_queue;

enum { ACC_QUEUE_FIFO = 0, ACC_QUEUE_LIFO = 1, ACC_QUEUE_PRIORITY = 2 };

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
ACC__EXTERN int acc_future_set_threadsafe(acc_future *f, int status);
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
ACC__EXTERN int acc_semaphore_release(acc_semaphore *s);
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
/* the runtime's version, "x.y.z" (project(VERSION) of acc's CMakeLists.txt) */
ACC__EXTERN const char *acc_version(void);

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

/* ---- structured concurrency (taskgroup.c, timeout.c) --------------------- */

/*
 * asyncio.TaskGroup.  Children are spawned into the group (handles adopted
 * by it); acc_task_group_wait waits until every child has finished and
 * frees them.  A child fails by calling acc_task_group_fail(&g, status)
 * with a negative status (a C task has no exception to raise; its return
 * value is its own business), or by running out of memory (-ENOMEM, seen
 * when the group waits).  The first failure cancels every other child and,
 * when the group's owner (the task that called _init) is not yet waiting,
 * the owner too, as a scope: the owner's cancellation is lifted when the
 * wait returns.  acc_task_group_cancel cancels the whole group the same
 * way without making it fail.  See docs/runtime.md.
 */
typedef struct acc_task_group {
    acc_task **ts;          /* the children, NULL once collected */
    size_t n, cap, next;    /* children [0, next) collected by the wait */
    acc_task *owner;        /* the task that made the group */
    int status;             /* the first failure, 0 if none */
    bool cancelling;        /* failed or cancelled: children were cancelled */
    bool owner_scoped;      /* the owner's cancellation is the group's */
    bool owner_counted;
    bool waiting, closed;
} acc_task_group;

ACC__EXTERN void acc_task_group_init(acc_task_group *g);
ACC__EXTERN void acc_task_group_destroy(acc_task_group *g);
ACC__EXTERN acc_task *acc_task_group_add(acc_task_group *g, acc_task *t);
ACC__EXTERN void acc_task_group_fail(acc_task_group *g, int status);
ACC__EXTERN void acc_task_group_cancel(acc_task_group *g);

/*
 * asyncio.timeout / timeout_at: a deadline over the awaits between
 * acc_timeout_enter and acc_timeout_exit in the current task, without a
 * task of its own.  When it passes, the task is cancelled by the scope
 * (its awaits return -ECANCELED); exit lifts that cancellation and returns
 * -ETIMEDOUT, or -ECANCELED when the task stays cancelled (from outside,
 * or by an enclosing timeout that has fired), else 0.  Every enter is
 * matched by an exit in the same task.  Times are seconds, `when` values
 * are acc_loop_time's; a negative value means no deadline.
 */
typedef struct acc_timeout {
    union {
        unsigned long long u[3]; /* the timer node (internal) */
        void *p;
    } acc__tm;
    acc_task *task;
    double when;
    int state;
    bool counted;
} acc_timeout;

ACC__EXTERN int acc_timeout_enter(acc_timeout *to, double seconds);
ACC__EXTERN int acc_timeout_enter_at(acc_timeout *to, double when);
ACC__EXTERN int acc_timeout_reschedule(acc_timeout *to, double seconds);
ACC__EXTERN int acc_timeout_reschedule_at(acc_timeout *to, double when);
ACC__EXTERN double acc_timeout_when(const acc_timeout *to);
ACC__EXTERN bool acc_timeout_expired(const acc_timeout *to);
ACC__EXTERN int acc_timeout_exit(acc_timeout *to);

/*
 * asyncio.as_completed over spawned tasks: each acc_as_completed_next gives
 * the index of a task that has finished and was not given before (tasks
 * seen finished together come in argument order); -ENOENT once all were
 * given, -ETIMEDOUT past the total timeout (< 0: none), -ECANCELED.  The
 * handles are not consumed (joining a finished task does not suspend).
 */
typedef struct acc_as_completed {
    acc_task **ts;
    size_t n, left;
    unsigned char *given; /* one byte per task */
    double when;          /* loop time of the deadline, < 0: none */
} acc_as_completed;

ACC__EXTERN int acc_as_completed_init(acc_as_completed *ac, acc_task **ts, size_t n, double timeout);
ACC__EXTERN void acc_as_completed_destroy(acc_as_completed *ac);

#ifdef __ACC__
ACC__CORO acc_task *acc__coro_task_group_spawn(acc_task_group *g, int coros);
ACC__CORO acc_task *acc__coro_spawn_eager(int coros);
#define acc_task_group_spawn(g, coro) acc__coro_task_group_spawn((g), ((coro), 0))
#define acc_spawn_eager(coro) acc__coro_spawn_eager(((coro), 0))
ACC__RT int acc_task_group_wait(acc_task_group *g);
ACC__RT int acc_shield(acc_task *t);
ACC__RT int acc_as_completed_next(acc_as_completed *ac, size_t *index);
#else
ACC__EXTERN acc_task *acc_task_group_spawn(acc_task_group *g, acc_frame *coro);
ACC__EXTERN acc_task *acc_spawn_eager(acc_frame *coro);
ACC__EXTERN acc_frame *acc_task_group_wait__acc(int *res, acc_task_group *g);
ACC__EXTERN acc_frame *acc_shield__acc(int *res, acc_task *t);
ACC__EXTERN acc_frame *acc_as_completed_next__acc(int *res, acc_as_completed *ac, size_t *index);
#endif

/* ---- synchronisation, continued (sync.c, condition.c) -------------------- */

/* asyncio.BoundedSemaphore: acc_semaphore_release beyond the initial value
 * returns -EOVERFLOW. */
ACC__EXTERN void acc_semaphore_init_bounded(acc_semaphore *s, long value);

/* asyncio.LifoQueue / PriorityQueue (cmp < 0: a comes out first); capacity 0
 * makes any acc_queue unbounded.  join/task_done/shutdown as in Python 3.13. */
ACC__EXTERN int acc_queue_init_lifo(acc_queue *q, size_t capacity);
ACC__EXTERN int acc_queue_init_priority(acc_queue *q, size_t capacity, int (*cmp)(const void *a, const void *b));
ACC__EXTERN int acc_queue_task_done(acc_queue *q);
ACC__EXTERN void acc_queue_shutdown(acc_queue *q, bool immediate);
ACC__EXTERN size_t acc_queue_unfinished(const acc_queue *q);
ACC__EXTERN bool acc_queue_is_shutdown(const acc_queue *q);

/* asyncio.Condition: over the caller's lock, or its own (lock NULL). */
typedef struct acc_condition {
    acc_lock *lock;
    acc_lock own;
    acc__waitq waiters;
} acc_condition;

ACC__EXTERN void acc_condition_init(acc_condition *c, acc_lock *lock);
ACC__EXTERN void acc_condition_destroy(acc_condition *c);
ACC__EXTERN int acc_condition_release(acc_condition *c);
ACC__EXTERN bool acc_condition_locked(const acc_condition *c);
ACC__EXTERN int acc_condition_notify(acc_condition *c, size_t n);
ACC__EXTERN int acc_condition_notify_all(acc_condition *c);

/* asyncio.Barrier: wait returns the arrival index (0 .. parties - 1), or
 * -EPIPE when the barrier is broken (acc_barrier_abort, acc_barrier_reset
 * while tasks wait). */
typedef struct acc_barrier {
    size_t parties, count;
    acc__waitq waiters;
    bool broken;
} acc_barrier;

ACC__EXTERN int acc_barrier_init(acc_barrier *b, size_t parties);
ACC__EXTERN void acc_barrier_destroy(acc_barrier *b);
ACC__EXTERN void acc_barrier_abort(acc_barrier *b);
ACC__EXTERN void acc_barrier_reset(acc_barrier *b);
ACC__EXTERN size_t acc_barrier_n_waiting(const acc_barrier *b);
ACC__EXTERN bool acc_barrier_broken(const acc_barrier *b);

#ifdef __ACC__
ACC__RT int acc_queue_join(acc_queue *q);
ACC__RT int acc_condition_acquire(acc_condition *c);
ACC__RT int acc_condition_wait(acc_condition *c);
ACC__RT int acc_condition_wait_for(acc_condition *c, bool (*pred)(void *arg), void *arg);
ACC__RT int acc_barrier_wait(acc_barrier *b);
#else
ACC__EXTERN acc_frame *acc_queue_join__acc(int *res, acc_queue *q);
ACC__EXTERN acc_frame *acc_condition_acquire__acc(int *res, acc_condition *c);
ACC__EXTERN acc_frame *acc_condition_wait__acc(int *res, acc_condition *c);
ACC__EXTERN acc_frame *acc_condition_wait_for__acc(int *res, acc_condition *c, bool (*pred)(void *arg), void *arg);
ACC__EXTERN acc_frame *acc_barrier_wait__acc(int *res, acc_barrier *b);
#endif

/* ---- processes and signals (subprocess.c, signal.c) --------------------- */

/*
 * asyncio.create_subprocess_exec: argv[0] is looked up in PATH, the
 * environment is the parent's.  Each of in, out, err is one of the modes
 * below; piped ends are non-blocking descriptors for acc_read/acc_write.
 * returncode (valid once `exited`) is the exit code, or -signal.
 */
enum {
    ACC_SUBPROCESS_INHERIT = 0,
    ACC_SUBPROCESS_PIPE = 1,
    ACC_SUBPROCESS_DEVNULL = 2,
    ACC_SUBPROCESS_STDOUT = 3 /* err only: into the same place as stdout */
};

typedef struct acc_subprocess {
    int pid, pidfd;
    int stdin_fd, stdout_fd, stderr_fd; /* -1 unless piped */
    int returncode;
    bool exited;
} acc_subprocess;

ACC__EXTERN int acc_subprocess_exec(acc_subprocess *p, char *const argv[], int in, int out, int err);
ACC__EXTERN int acc_subprocess_send_signal(acc_subprocess *p, int sig);
ACC__EXTERN int acc_subprocess_terminate(acc_subprocess *p);
ACC__EXTERN int acc_subprocess_kill(acc_subprocess *p);
ACC__EXTERN void acc_subprocess_destroy(acc_subprocess *p);

/* loop.add_signal_handler: fn runs on the loop thread. */
ACC__EXTERN int acc_signal_add_handler(int signo, void (*fn)(int signo, void *arg), void *arg);
ACC__EXTERN int acc_signal_remove_handler(int signo);

#ifdef __ACC__
ACC__RT int acc_subprocess_wait(acc_subprocess *p);
ACC__RT int acc_subprocess_communicate(acc_subprocess *p, const void *input, size_t n, char **out,
                                       size_t *outlen, char **err, size_t *errlen);
ACC__RT int acc_signal_wait(int signo);
#else
ACC__EXTERN acc_frame *acc_subprocess_wait__acc(int *res, acc_subprocess *p);
ACC__EXTERN acc_frame *acc_subprocess_communicate__acc(int *res, acc_subprocess *p, const void *input,
                                           size_t n, char **out, size_t *outlen, char **err,
                                           size_t *errlen);
ACC__EXTERN acc_frame *acc_signal_wait__acc(int *res, int signo);
#endif

/* ---- datagrams, Unix sockets, name resolution (sockets.c, resolve.c, connect.c) */

/* UDP: a non-blocking datagram socket bound to host:port (NULL: any
 * address; port 0: any free port); its peer fixed by acc_udp_connect. */
ACC__EXTERN int acc_udp_open(const char *host, int port);
ACC__EXTERN int acc_udp_connect(int fd, const char *host, int port);
/* Unix stream sockets: a path, or '@name' in Linux's abstract namespace. */
ACC__EXTERN int acc_unix_listen(const char *path, int backlog);
ACC__EXTERN void acc_unix_close_listener(int lfd, const char *path);

struct addrinfo;
/* Options of acc_tcp_connect_with (Happy Eyeballs); zeroed fields take the defaults. */
typedef struct acc_tcp_connect_opts {
    double delay;                 /* s between attempt starts; 0: 0.25 (RFC 8305) */
    double attempt_timeout;       /* s per attempt; 0: 30; < 0: none */
    const struct addrinfo *addrs; /* connect to these instead of resolving host */
    int *winner;                  /* out: index in the list of the address that connected */
} acc_tcp_connect_opts;

#ifdef __ACC__
ACC__RT acc__ssize_t acc_udp_sendto(int fd, const void *buf, size_t n, const struct sockaddr *addr,
                                    acc__socklen_t addrlen);
ACC__RT acc__ssize_t acc_udp_recvfrom(int fd, void *buf, size_t n, struct sockaddr *addr,
                                      acc__socklen_t *addrlen);
ACC__RT int acc_unix_connect(const char *path);
ACC__RT int acc_getaddrinfo(const char *host, const char *service, const struct addrinfo *hints,
                            struct addrinfo **res);
ACC__RT int acc_tcp_connect_with(const char *host, int port, const acc_tcp_connect_opts *opts);
#else
ACC__EXTERN acc_frame *acc_udp_sendto__acc(acc__ssize_t *res, int fd, const void *buf, size_t n,
                                           const struct sockaddr *addr, acc__socklen_t addrlen);
ACC__EXTERN acc_frame *acc_udp_recvfrom__acc(acc__ssize_t *res, int fd, void *buf, size_t n,
                                             struct sockaddr *addr, acc__socklen_t *addrlen);
ACC__EXTERN acc_frame *acc_unix_connect__acc(int *res, const char *path);
ACC__EXTERN acc_frame *acc_getaddrinfo__acc(int *res, const char *host, const char *service,
                                            const struct addrinfo *hints, struct addrinfo **out);
ACC__EXTERN acc_frame *acc_tcp_connect_with__acc(int *res, const char *host, int port,
                                                 const acc_tcp_connect_opts *opts);
#endif

/* ---- a coroutine from another thread (asyncio.run_coroutine_threadsafe) ---- */

/*
 * What the submitting thread blocks on (concurrent.futures.Future):
 * caller-owned, made for one loop by acc_completion_init, used for one
 * submission, released by acc_completion_destroy on the submitting thread
 * (which cancels and waits for a coroutine still running).
 */
typedef struct acc_completion {
    struct acc__completion *impl;
} acc_completion;

ACC__EXTERN int acc_completion_init(acc_completion *c, acc_loop *loop);
ACC__EXTERN int acc_completion_wait(acc_completion *c, double timeout);
ACC__EXTERN bool acc_completion_done(acc_completion *c);
ACC__EXTERN int acc_completion_cancel(acc_completion *c);
ACC__EXTERN void acc_completion_destroy(acc_completion *c);
#ifdef __ACC__
ACC__CORO int acc__coro_run_coroutine_threadsafe(acc_completion *c, int coros);
#define acc_run_coroutine_threadsafe(c, coro) acc__coro_run_coroutine_threadsafe((c), ((coro), 0))
#else
ACC__EXTERN int acc_run_coroutine_threadsafe(acc_completion *c, acc_frame *coro);
#endif

/* ---- test hooks: fault injection ----------------------------------------- */

/* Defined only by a libacc built with ACC_TEST_HOOKS (the test suite's). */
/*
 * Makes the nth runtime allocation from now fail (1: the next one), once;
 * 0 turns the injector off.  Returns what was left of the previous
 * countdown: 0 when that failure happened (or none was armed).  Every
 * allocation site turns the failure into a -ENOMEM status.
 */
ACC__EXTERN long acc__alloc_fail_at(long n);
/* Runtime blocks not yet freed: this thread's pooled ones and all malloc'd. */
ACC__EXTERN long acc__alloc_outstanding(void);
/* A stand-in for getaddrinfo(3) in acc_getaddrinfo's threads (NULL: the
 * real one; numeric hosts then go to it too), and the lookups whose thread
 * has not yet been joined (abandoned ones included; those that have ended
 * are joined first). */
typedef int (*acc__getaddrinfo_fn)(const char *host, const char *service,
                                   const struct addrinfo *hints, struct addrinfo **res);
ACC__EXTERN void acc__getaddrinfo_hook(acc__getaddrinfo_fn fn);
ACC__EXTERN long acc__getaddrinfo_inflight(void);

#ifdef __cplusplus
}
#endif

#ifdef ACC__NOLIBC
#undef size_t
#pragma pop_macro("size_t")
#endif
#ifdef ACC__OWN_BOOL
#undef bool
#pragma pop_macro("bool")
#undef ACC__OWN_BOOL
#endif
#endif /* ACC_H */
