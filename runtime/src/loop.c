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
#define tl_running acc__tl_running
static _Thread_local acc_loop *tl_default; /* acc_get_event_loop's */

acc_loop *acc__loop_peek(void) { return tl_running ? tl_running : tl_default; }

acc_loop *acc__loop(void) {
    if (tl_running)
        return tl_running;
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

int acc_call_soon_threadsafe(acc_loop *loop, void (*fn)(void *), void *arg) {
    if (!loop || !fn)
        return -EINVAL;
    acc__post *p = acc__malloc(sizeof *p);
    if (!p)
        return -ENOMEM;
    p->fn = fn;
    p->arg = arg;
    p->owned = true;
    acc__post_to(loop, p);
    return 0;
}

/* ---- descriptors ---------------------------------------------------------- */

static int fd_table_grow(acc_loop *loop, int fd) {
    if (fd < loop->nfds)
        return 0;
    int n = loop->nfds ? loop->nfds : 64;
    while (n <= fd)
        n *= 2;
    acc__fdw *fds = acc__realloc(loop->fds, (size_t)n * sizeof *fds);
    if (!fds)
        return -ENOMEM;
    memset(fds + loop->nfds, 0, (size_t)(n - loop->nfds) * sizeof *fds);
    loop->fds = fds;
    loop->nfds = n;
    return 0;
}

static int fd_set_mask(acc_loop *loop, int fd, int mask) {
    acc__fdw *w = &loop->fds[fd];
    if (w->mask == mask)
        return 0;
    int r = loop->backend->update(loop, fd, w->mask, mask);
    if (r == 0 || mask == 0)
        w->mask = mask;
    return r;
}

/* Interest follows the waiters: none left in a direction, none asked. */
static void fd_refresh(acc_loop *loop, int fd) {
    acc__fdw *w = &loop->fds[fd];
    int mask = (w->rd.head ? ACC__READ : 0) | (w->wr.head ? ACC__WRITE : 0);
    if (fd == loop->wake_rd)
        mask = ACC__READ;
    fd_set_mask(loop, fd, mask);
}

int acc__fd_watch(acc_loop *loop, int fd, int dir, acc__waiter *w) {
    if (fd < 0)
        return -EBADF;
    int r = fd_table_grow(loop, fd);
    if (r < 0)
        return r;
    acc__fdw *fw = &loop->fds[fd];
    acc__waitq_push(dir == ACC__READ ? &fw->rd : &fw->wr, w, loop->current);
    r = fd_set_mask(loop, fd, fw->mask | dir);
    if (r < 0)
        acc__fd_unwatch(loop, fd, dir, w);
    return r;
}

void acc__fd_unwatch(acc_loop *loop, int fd, int dir, acc__waiter *w) {
    acc__fdw *fw = &loop->fds[fd];
    if (!w->done)
        acc__waitq_remove(dir == ACC__READ ? &fw->rd : &fw->wr, w);
    fd_refresh(loop, fd);
}

void acc__fd_ready(acc_loop *loop, int fd, int mask) {
    if (fd == loop->wake_rd) {
        inbox_run(loop);
        return;
    }
    if (fd >= loop->nfds)
        return;
    acc__fdw *fw = &loop->fds[fd];
    if (mask & ACC__READ)
        acc__waitq_wake_all(&fw->rd);
    if (mask & ACC__WRITE)
        acc__waitq_wake_all(&fw->wr);
    fd_refresh(loop, fd);
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
    int r = fd_table_grow(loop, loop->wake_rd);
    return r < 0 ? r : fd_set_mask(loop, loop->wake_rd, ACC__READ);
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
    return loop;
fail:
    wake_close(loop);
    loop->backend->done(loop);
fail_backend:
    acc__mfree(loop->fds);
    pthread_mutex_destroy(&loop->inbox_lock);
    acc__mfree(loop);
    return NULL;
}

void acc_loop_close(acc_loop *loop) {
    if (!loop || loop->running)
        return;
    acc_loop *prev = tl_running;
    tl_running = loop; /* callbacks run below wake this loop's tasks */
    acc__executor_shutdown(loop); /* its jobs finish and post completions */
    inbox_run(loop);
    tl_running = prev;
    while (loop->tasks.next != &loop->tasks)
        acc__task_free(ACC__TASK_OF(loop->tasks.next));
    acc__heap_free(&loop->timers);
    acc__run_free(&loop->run);
    wake_close(loop);
    loop->backend->done(loop);
    acc__mfree(loop->fds);
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

static void run_once(acc_loop *loop) {
    if (!loop->ready_head || loop->runs_since_poll >= POLL_RUNS) {
        loop->runs_since_poll = 0;
        loop->backend->wait(loop, poll_timeout(loop));
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
    if (!loop || loop->running || tl_running) {
        acc__frame_free(coro);
        return loop ? -EBUSY : -ENOMEM;
    }
    acc_task *main = acc__task_new(loop, coro);
    if (!main)
        return -ENOMEM;
    main->flags |= ACC__T_MAIN;
    loop->running = true;
    tl_running = loop;
    loop->now_valid = false;
    while (!(main->flags & ACC__T_DONE))
        run_once(loop);
    drain(loop);
    int status = acc__task_status(main);
    acc__task_free(main);
    tl_running = NULL;
    loop->running = false;
    return status;
}

int acc_run(acc_frame *coro) {
    if (!coro)
        return -ENOMEM;
    if (tl_running) {
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
