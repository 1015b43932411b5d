/*
 * loop.c: the event loop, its entry points and its inbox.
 *
 * One iteration (after libuv's uv_run): poll the descriptors for up to the
 * time left to the earliest timer (zero when tasks are ready), read the
 * monotonic clock once, fire the expired timers, then run the tasks that
 * were ready when the run phase began; tasks woken during it run in the
 * next iteration, so a yielding task lets I/O in.
 *
 * Other threads reach a loop only through its inbox: acc__post_to appends
 * to a mutex-guarded list and writes the loop's eventfd; the loop drains
 * the list when the eventfd polls readable and runs the callbacks on its
 * own thread (executor completions, acc_future_set_threadsafe,
 * acc_call_soon_threadsafe).
 */
#define _GNU_SOURCE
#include "acc_int.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/eventfd.h>
#endif

_Thread_local acc_loop *acc__tl_running; /* inside run_until_complete */
static _Thread_local acc_loop *tl_default; /* acc_get_event_loop's */

acc_loop *acc__loop_peek(void) { return acc__tl_running ? acc__tl_running : tl_default; }

acc_loop *acc__loop(void) {
    if (acc__tl_running)
        return acc__tl_running;
    if (!tl_default)
        tl_default = acc_loop_new();
    return tl_default;
}

acc_loop *acc_get_event_loop(void) { return acc__loop(); }

uint64_t acc__clock_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The loop's clock, read the first time an iteration needs it: an
 * iteration with no timer to fire or set makes no clock call at all. */
uint64_t acc__loop_now(acc_loop *loop) {
    if (!loop->now_valid) {
        loop->now = acc__clock_ns();
        loop->now_valid = true;
    }
    return loop->now;
}

double acc_loop_time(acc_loop *loop) {
    if (!loop)
        loop = acc__loop_peek();
    return loop ? (double)acc__loop_now(loop) / 1e9 : (double)acc__clock_ns() / 1e9;
}

void acc__enqueue(acc_loop *loop, acc_task *t) {
    if (t->flags & (ACC__T_QUEUED | ACC__T_DONE))
        return;
    t->flags |= ACC__T_QUEUED;
    t->next = NULL;
    if (loop->ready_tail)
        loop->ready_tail->next = t;
    else
        loop->ready_head = t;
    loop->ready_tail = t;
    loop->nready++;
}

/* ---- the inbox ----------------------------------------------------------- */

static void wake_signal(acc_loop *loop) {
#ifdef __linux__
    uint64_t one = 1;
    ssize_t r = write(loop->wake_wr, &one, sizeof one);
#else
    char one = 1;
    ssize_t r = write(loop->wake_wr, &one, 1);
#endif
    (void)r; /* EAGAIN: a wake-up is pending already */
}

static void wake_drain(acc_loop *loop) {
    char buf[64];
    while (read(loop->wake_rd, buf, sizeof buf) > 0)
        ;
}

void acc__post_to(acc_loop *loop, acc__post *p) {
    p->next = NULL;
    pthread_mutex_lock(&loop->inbox_lock);
    bool was_empty = !loop->inbox_head;
    if (loop->inbox_tail)
        loop->inbox_tail->next = p;
    else
        loop->inbox_head = p;
    loop->inbox_tail = p;
    pthread_mutex_unlock(&loop->inbox_lock);
    if (was_empty) /* otherwise the loop has a wake-up coming */
        wake_signal(loop);
}

/* Reset the eventfd before taking the list, so no post is left unseen. */
static void inbox_run(acc_loop *loop) {
    wake_drain(loop);
    pthread_mutex_lock(&loop->inbox_lock);
    acc__post *p = loop->inbox_head;
    loop->inbox_head = loop->inbox_tail = NULL;
    pthread_mutex_unlock(&loop->inbox_lock);
    while (p) {
        acc__post *next = p->next;
        void (*fn)(void *) = p->fn;
        void *arg = p->arg;
        if (p->owned)
            acc__mfree(p);
        fn(arg); /* may free p's container: nothing of p is read after */
        p = next;
    }
}

/*
 * The open loops, for the doors other threads knock at with nothing but a
 * loop pointer (acc_call_soon_threadsafe, acc_future_set_threadsafe,
 * acc_run_coroutine_threadsafe): a
 * post is accepted only while its loop is listed, under this lock, which
 * acc_loop_close takes to unlist the loop before it frees anything.  So a
 * post to a closed loop fails with -ESHUTDOWN instead of writing into
 * freed memory or into a descriptor that reused the loop's eventfd.
 */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static acc_loop *open_loops;

static void open_add(acc_loop *loop) {
    pthread_mutex_lock(&open_lock);
    loop->open_next = open_loops;
    open_loops = loop;
    pthread_mutex_unlock(&open_lock);
}

static void open_remove(acc_loop *loop) {
    pthread_mutex_lock(&open_lock);
    for (acc_loop **p = &open_loops; *p; p = &(*p)->open_next)
        if (*p == loop) {
            *p = loop->open_next;
            break;
        }
    pthread_mutex_unlock(&open_lock);
}

bool acc__loop_open_lock(acc_loop *loop) {
    pthread_mutex_lock(&open_lock);
    for (acc_loop *l = open_loops; l; l = l->open_next)
        if (l == loop) /* compared, never read, until found */
            return true;
    return false;
}

void acc__loop_open_unlock(void) { pthread_mutex_unlock(&open_lock); }

int acc__post_checked(acc_loop *loop, acc__post *p) {
    bool open = acc__loop_open_lock(loop);
    if (open)
        acc__post_to(loop, p);
    acc__loop_open_unlock();
    return open ? 0 : -ESHUTDOWN;
}

int acc_call_soon_threadsafe(acc_loop *loop, void (*fn)(void *), void *arg) {
    if (!loop || !fn)
        return -EINVAL;
    acc__post *p = acc__malloc(sizeof *p);
    if (!p)
        return -ENOMEM;
    p->fn = fn;
    p->arg = arg;
    p->owned = true;
    int r = acc__post_checked(loop, p);
    if (r < 0)
        acc__mfree(p);
    return r;
}

/* ---- loop lifecycle ------------------------------------------------------- */

static const acc__backend *pick_backend(void) {
    const char *e = getenv("ACC_BACKEND");
    if (e && strcmp(e, "poll") == 0)
        return &acc__backend_poll;
#ifdef __linux__
    if (e && strcmp(e, "epoll") == 0)
        return &acc__backend_epoll;
#endif
#if defined(__linux__) && !defined(ACC_DEFAULT_POLL)
    return &acc__backend_epoll;
#else
    return &acc__backend_poll;
#endif
}

static int wake_open(acc_loop *loop) {
#ifdef __linux__
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    loop->wake_rd = loop->wake_wr = fd;
#else
    int p[2];
    if (pipe(p) < 0)
        return -errno;
    for (int i = 0; i < 2; i++) {
        fcntl(p[i], F_SETFL, fcntl(p[i], F_GETFL) | O_NONBLOCK);
        fcntl(p[i], F_SETFD, FD_CLOEXEC);
    }
    loop->wake_rd = p[0];
    loop->wake_wr = p[1];
#endif
    return acc__fd_reserve(loop, loop->wake_rd);
}

static void wake_close(acc_loop *loop) {
    if (loop->wake_rd >= 0)
        close(loop->wake_rd);
    if (loop->wake_wr >= 0 && loop->wake_wr != loop->wake_rd)
        close(loop->wake_wr);
}

acc_loop *acc_loop_new(void) {
    acc_loop *loop = acc__malloc(sizeof *loop);
    if (!loop)
        return NULL;
    memset(loop, 0, sizeof *loop);
    loop->tasks.prev = loop->tasks.next = &loop->tasks;
    loop->wake_rd = loop->wake_wr = -1;
    pthread_mutex_init(&loop->inbox_lock, NULL);
    loop->backend = pick_backend();
    if (loop->backend->init(loop) < 0)
        goto fail_backend;
    if (wake_open(loop) < 0)
        goto fail;
    open_add(loop);
    return loop;
fail:
    wake_close(loop);
    loop->backend->done(loop);
fail_backend:
    acc__fd_table_free(loop);
    pthread_mutex_destroy(&loop->inbox_lock);
    acc__mfree(loop);
    return NULL;
}

void acc_loop_close(acc_loop *loop) {
    if (!loop || loop->running)
        return;
    open_remove(loop); /* no post or submission from another thread gets in after this */
    acc__signal_loop_close(loop);
    acc_loop *prev = acc__tl_running;
    acc__tl_running = loop; /* callbacks run below wake this loop's tasks */
    acc__executor_shutdown(loop); /* its jobs finish and post completions */
    inbox_run(loop);
    acc__tl_running = prev;
    acc__getaddrinfo_reap();
    while (loop->tasks.next != &loop->tasks)
        acc__task_free(ACC__TASK_OF(loop->tasks.next));
    acc__heap_free(&loop->timers);
    acc__run_free(&loop->run);
    wake_close(loop);
    loop->backend->done(loop);
    acc__fd_table_free(loop);
    pthread_mutex_destroy(&loop->inbox_lock);
    if (tl_default == loop)
        tl_default = NULL;
    acc__mfree(loop);
    acc__pool_release();
}

/* ---- running -------------------------------------------------------------- */

static int poll_timeout(acc_loop *loop) {
    if (loop->ready_head)
        return 0;
    acc__timer *t = acc__timer_first(loop);
    if (!t)
        return -1;
    uint64_t now = acc__clock_ns();
    if (t->deadline <= now)
        return 0;
    uint64_t ms = (t->deadline - now + 999999) / 1000000; /* never early */
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

static void fire_timers(acc_loop *loop) {
    acc__timer *t;
    while ((t = acc__timer_first(loop)) && t->deadline <= acc__loop_now(loop)) {
        acc__timer_stop(loop, t);
        if ((uintptr_t)t->task & ACC__TIMER_SCOPE)
            acc__scope_timer_fire(loop, t);
        else
            acc__enqueue(loop, t->task);
    }
}

/* Runs the tasks ready now; those they wake wait for the next iteration. */
static void run_ready(acc_loop *loop) {
    for (size_t n = loop->nready; n > 0 && loop->ready_head; n--) {
        acc_task *t = loop->ready_head;
        loop->ready_head = t->next;
        if (!loop->ready_head)
            loop->ready_tail = NULL;
        loop->nready--;
        t->flags &= ~ACC__T_QUEUED;
        acc__task_run(loop, t);
    }
}

/*
 * While tasks stay ready (a ping-pong through an event or a queue, a task
 * that keeps yielding), polling every iteration would cost a system call
 * per switch.  Then a zero-timeout poll comes after POLL_RUNS task runs:
 * I/O waits for at most that much work, however the work is spread over
 * iterations.  An iteration with no task ready always polls (and blocks).
 */
#define POLL_RUNS 128

/*
 * The poller failed for good (EBADF: its descriptor was closed behind the
 * loop's back, ENOMEM, ...): the loop cannot wait for anything any more.
 * Every task is cancelled, so that none blocks again, and the run ends
 * with that status.  Executor completions are then looked for without
 * blocking.
 */
static void loop_fail(acc_loop *loop, int status) {
    if (!loop->error)
        loop->error = status;
    for (acc__link *l = loop->tasks.next; l != &loop->tasks; l = l->next)
        acc_cancel(ACC__TASK_OF(l));
}

static void run_once(acc_loop *loop) {
    if (loop->error) {
        if (!loop->ready_head) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
            inbox_run(loop);
        }
    } else if (!loop->ready_head || loop->runs_since_poll >= POLL_RUNS) {
        loop->runs_since_poll = 0;
        const acc__fired *fired = NULL;
        int n = loop->backend->wait(loop, poll_timeout(loop), &fired);
        if (n < 0)
            loop_fail(loop, n);
        for (int i = 0; i < n; i++) {
            if (fired[i].fd == loop->wake_rd)
                inbox_run(loop);
            else
                acc__fd_ready(loop, fired[i].fd, fired[i].mask);
        }
    }
    loop->now_valid = false;
    fire_timers(loop);
    loop->runs_since_poll += loop->nready;
    run_ready(loop);
}

/* Cancels what is still alive (in spawn order) and lets it finish. */
static void drain(acc_loop *loop) {
    loop->draining = true;
    for (acc__link *l = loop->tasks.next; l != &loop->tasks; l = l->next)
        acc_cancel(ACC__TASK_OF(l));
    while (loop->nlive > 0)
        run_once(loop);
    loop->draining = false;
}

int acc_loop_run_until_complete(acc_loop *loop, acc_frame *coro) {
    if (!coro)
        return -ENOMEM;
    if (!loop)
        loop = acc__loop();
    if (!loop || loop->running || acc__tl_running) {
        acc__frame_free(coro);
        return loop ? -EBUSY : -ENOMEM;
    }
    acc_task *main = acc__task_new(loop, coro);
    if (!main)
        return -ENOMEM;
    main->flags |= ACC__T_MAIN;
    loop->running = true;
    acc__tl_running = loop;
    loop->now_valid = false;
    while (!(main->flags & ACC__T_DONE))
        run_once(loop);
    drain(loop);
    int status = loop->error ? loop->error : acc__task_status(main);
    acc__task_free(main);
    acc__tl_running = NULL;
    loop->running = false;
    return status;
}

int acc_run(acc_frame *coro) {
    if (!coro)
        return -ENOMEM;
    if (acc__tl_running) {
        acc__frame_free(coro);
        return -EBUSY;
    }
    acc_loop *loop = acc_loop_new();
    if (!loop) {
        acc__frame_free(coro);
        return -ENOMEM;
    }
    acc_loop *prev = tl_default;
    tl_default = loop;
    int status = acc_loop_run_until_complete(loop, coro);
    acc_loop_close(loop);
    tl_default = prev;
    return status;
}

int acc__main_v1(acc_frame *coro, int *rv) {
    int status = acc_run(coro);
    if (status < 0 && *rv == 0)
        return 1;
    return *rv;
}
