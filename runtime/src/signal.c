/*
 * signal.c: Unix signals delivered to a loop (loop.add_signal_handler,
 * loop.remove_signal_handler), as a callback or to a task that awaits the
 * next delivery.
 *
 * A signal is caught by a sigaction handler that only counts the delivery
 * in an atomic and writes the owning loop's wake-up descriptor (the eventfd
 * or pipe of its inbox: both async-signal-safe); the loop, woken, looks at
 * the counts of its signals and delivers them on its own thread: it calls
 * the handler registered with acc_signal_add_handler (once per wake-up:
 * deliveries that arrive together coalesce, as Unix signals do) and wakes
 * the tasks awaiting acc_signal_wait, or counts the delivery for the next
 * acc_signal_wait when none waits.
 *
 * A signal number belongs to one loop at a time (-EBUSY for another).  The
 * program's previous disposition is saved when the first handler or
 * acc_signal of a number is registered and restored when the last one is
 * removed, or when the loop is closed.  A self-pipe is used rather than
 * signalfd: signalfd needs the signal blocked in every thread of the
 * process, which a library cannot promise.
 */
#define _GNU_SOURCE
#include "acc_int.h"

#include <signal.h>
#include <unistd.h>

#ifndef NSIG
#define NSIG 65
#endif

/* One signal number: guarded by reg_lock, except the two atomics, which
 * the handler touches. */
typedef struct sig_entry {
    atomic_int wfd;         /* the owning loop's wake-up descriptor, -1: none */
    atomic_ulong count;     /* deliveries not yet seen by the loop */
    acc_loop *loop;         /* owner, NULL when not caught */
    struct sigaction prev;  /* the disposition to restore */
    void (*fn)(int sig, void *arg);
    void *arg;
    acc_signal *objs;       /* acc_signal_init'ed, not destroyed */
} sig_entry;

static sig_entry ents[NSIG];
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_signal(int sig) {
    int saved = errno;
    sig_entry *e = &ents[sig];
    atomic_fetch_add(&e->count, 1);
    int fd = atomic_load(&e->wfd);
    if (fd >= 0) {
#ifdef __linux__
        uint64_t one = 1;
        ssize_t r = write(fd, &one, sizeof one);
#else
        char one = 1;
        ssize_t r = write(fd, &one, 1);
#endif
        (void)r; /* EAGAIN: a wake-up is pending already */
    }
    errno = saved;
}

static bool sig_valid(int sig) {
    return sig > 0 && sig < NSIG && sig != SIGKILL && sig != SIGSTOP;
}

/* Catches `sig` for `loop` (reg_lock held); 0, -EBUSY or -errno. */
static int catch_for(int sig, acc_loop *loop) {
    sig_entry *e = &ents[sig];
    if (e->loop)
        return e->loop == loop ? 0 : -EBUSY;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigfillset(&sa.sa_mask);
    atomic_store(&e->count, 0);
    atomic_store(&e->wfd, loop->wake_wr);
    if (sigaction(sig, &sa, &e->prev) < 0) {
        int r = -errno;
        atomic_store(&e->wfd, -1);
        return r;
    }
    e->loop = loop;
    return 0;
}

/* Restores the disposition once nothing of `sig` is left (reg_lock held). */
static void release_if_unused(int sig) {
    sig_entry *e = &ents[sig];
    if (!e->loop || e->fn || e->objs)
        return;
    atomic_store(&e->wfd, -1);
    sigaction(sig, &e->prev, NULL);
    e->loop = NULL;
}

int acc_signal_add_handler(int sig, void (*fn)(int sig, void *arg), void *arg) {
    if (!sig_valid(sig) || !fn)
        return -EINVAL;
    acc_loop *loop = acc__loop();
    if (!loop)
        return -ENOMEM;
    pthread_mutex_lock(&reg_lock);
    int r = catch_for(sig, loop);
    if (r == 0) {
        ents[sig].fn = fn; /* replaces the previous handler, as in asyncio */
        ents[sig].arg = arg;
    }
    pthread_mutex_unlock(&reg_lock);
    return r;
}

int acc_signal_remove_handler(int sig) {
    if (sig <= 0 || sig >= NSIG)
        return -EINVAL;
    acc_loop *loop = acc__loop_peek();
    int r = -ENOENT;
    pthread_mutex_lock(&reg_lock);
    sig_entry *e = &ents[sig];
    if (loop && e->loop == loop && e->fn) {
        e->fn = NULL;
        e->arg = NULL;
        release_if_unused(sig);
        r = 0;
    }
    pthread_mutex_unlock(&reg_lock);
    return r;
}

int acc_signal_init(acc_signal *s, int sig) {
    if (!s)
        return -EINVAL;
    memset(s, 0, sizeof *s);
    s->sig = sig;
    if (!sig_valid(sig))
        return -EINVAL;
    acc_loop *loop = acc__loop();
    if (!loop)
        return -ENOMEM;
    pthread_mutex_lock(&reg_lock);
    int r = catch_for(sig, loop);
    if (r == 0) {
        s->loop = loop;
        s->next = ents[sig].objs;
        ents[sig].objs = s;
    }
    pthread_mutex_unlock(&reg_lock);
    return r;
}

/* Wakes every task still waiting in `s` with -ECANCELED-free "gone" state. */
static void unlink_obj(acc_signal *s) {
    acc_signal **pp = &ents[s->sig].objs;
    while (*pp && *pp != s)
        pp = &(*pp)->next;
    if (*pp)
        *pp = s->next;
    s->next = NULL;
    s->loop = NULL;
    acc__waitq_wake_all(&s->waiters); /* they see loop NULL: -EBADF */
}

void acc_signal_destroy(acc_signal *s) {
    if (!s || !s->loop)
        return;
    pthread_mutex_lock(&reg_lock);
    int sig = s->sig;
    unlink_obj(s);
    release_if_unused(sig);
    pthread_mutex_unlock(&reg_lock);
}

/* The loop's part: deliveries counted since the last look. */
void acc__signal_dispatch(acc_loop *loop) {
    for (int sig = 1; sig < NSIG; sig++) {
        sig_entry *e = &ents[sig];
        /* e->loop is only set to this loop by this thread; a racing read
         * of another loop's registration never equals `loop` */
        if (e->loop != loop || atomic_load(&e->count) == 0)
            continue;
        unsigned long n = atomic_exchange(&e->count, 0);
        for (acc_signal *s = e->objs; s; s = s->next) {
            /* the waiting tasks take one delivery, the rest is counted */
            bool waited = s->waiters.head != NULL;
            acc__waitq_wake_all(&s->waiters);
            s->pending += waited ? n - 1 : n;
        }
        if (e->fn)
            e->fn(sig, e->arg); /* may remove itself or others: read nothing after */
    }
}

/* The loop is closing: every signal it catches goes back to its disposition. */
void acc__signal_loop_close(acc_loop *loop) {
    pthread_mutex_lock(&reg_lock);
    for (int sig = 1; sig < NSIG; sig++) {
        sig_entry *e = &ents[sig];
        if (e->loop != loop)
            continue;
        while (e->objs)
            unlink_obj(e->objs);
        e->fn = NULL;
        e->arg = NULL;
        release_if_unused(sig);
    }
    pthread_mutex_unlock(&reg_lock);
}

/* ---- await acc_signal_wait(&s) --------------------------------------------- */

typedef struct swait_frame {
    acc_frame hdr;
    int *res;
    acc_signal *s;
    acc__waiter w;
} swait_frame;

ACC__RUNTIME_FN(swait_info, swait_resume, "acc_signal_wait");

static int sw_finish(swait_frame *fr, int status) {
    fr->hdr.state = 2;
    if (fr->res)
        *fr->res = status;
    return ACC__DONE;
}

static int swait_resume(acc_frame *f) {
    swait_frame *fr = (swait_frame *)f;
    acc_task *self = acc__current();
    acc_signal *s = fr->s;
    if (f->state == 0) {
        if (acc__task_cancelled(self))
            return sw_finish(fr, -ECANCELED);
        if (!s || !s->loop)
            return sw_finish(fr, -EBADF);
        if (s->loop != acc__running_loop())
            return sw_finish(fr, -EXDEV);
        if (s->pending > 0) {
            s->pending--;
            return sw_finish(fr, 0);
        }
        acc__waitq_push(&s->waiters, &fr->w, self);
        f->state = 1;
        return ACC__PENDING;
    }
    if (f->state != 1)
        return ACC__DONE;
    if (fr->w.done)
        return sw_finish(fr, s->loop ? 0 : -EBADF);
    if (!acc__task_cancelled(self))
        return ACC__PENDING;
    acc__waitq_remove(&s->waiters, &fr->w);
    return sw_finish(fr, -ECANCELED);
}

acc_frame *acc_signal_wait__acc(int *res, acc_signal *s) {
    swait_frame *fr = ACC__NEW_FRAME(swait_frame, &swait_info);
    if (!fr) {
        if (res)
            *res = 0;
        return NULL;
    }
    fr->res = res;
    fr->s = s;
    return &fr->hdr;
}
