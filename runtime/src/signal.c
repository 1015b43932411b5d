/*
 * signal.c: Unix signals as loop callbacks and task wake-ups
 * (loop.add_signal_handler / remove_signal_handler).
 *
 * A self-pipe: the process-wide handler writes the signal's number into a
 * non-blocking pipe, and a runtime task of the loop ("acc-signals")
 * reads it and, on the loop thread, calls the callback registered for that
 * signal and wakes the tasks in acc_signal_wait.  Signals belong to one
 * loop at a time (asyncio allows only the main thread's): another loop
 * gets -EBUSY while handlers or waiters of the first remain.  Our handler
 * is installed while a signal has a callback or a waiter; the disposition
 * found before is restored after.  The reader task is cancelled with the
 * other tasks at the end of acc_run; a later run starts a new one.
 */
#define _GNU_SOURCE
#include "acc_int.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

typedef struct sigslot {
    void (*fn)(int signo, void *arg);
    void *arg;
    struct sigaction old;
    bool installed;
    acc__waitq waiters;
    size_t nwaiters;
} sigslot;

static sigslot slots[NSIG];
static int sig_pipe[2] = {-1, -1};
static acc_loop *sig_loop;   /* the loop signals belong to, NULL: none */
static acc_task *sig_reader; /* its reader task, NULL when not running */
static size_t sig_users;     /* signals with a callback or waiters */

static void on_signal(int signo) {
    int e = errno;
    unsigned char b = (unsigned char)signo;
    ssize_t r = write(sig_pipe[1], &b, 1); /* full pipe: coalesced, fine */
    (void)r;
    errno = e;
}

static int pipe_open(void) {
    if (sig_pipe[0] >= 0)
        return 0;
    if (pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
        sig_pipe[0] = sig_pipe[1] = -1;
        return -errno;
    }
    return 0;
}

static void dispatch(int signo) {
    if (signo <= 0 || signo >= NSIG)
        return;
    sigslot *s = &slots[signo];
    acc__waitq_wake_all(&s->waiters);
    if (s->fn)
        s->fn(signo, s->arg);
}

/* ---- the reader task ---------------------------------------------------------- */

typedef struct reader_frame {
    acc_frame hdr;
    ssize_t n;
    unsigned char buf[64];
} reader_frame;

ACC__RUNTIME_FN(reader_info, reader_resume, "acc-signals");

static int reader_resume(acc_frame *f) {
    reader_frame *fr = (reader_frame *)f;
    if (f->acc__state == 1) {
        if (fr->n <= 0)
            goto out;
        for (ssize_t i = 0; i < fr->n; i++)
            dispatch(fr->buf[i]);
    }
    for (;;) {
        if (acc__task_cancelled(acc__current()))
            goto out;
        f->acc__state = 1;
        if (acc__await(f, acc_read__acc(&fr->n, sig_pipe[0], fr->buf, sizeof fr->buf)))
            return ACC__PENDING;
        if (fr->n <= 0)
            goto out;
        for (ssize_t i = 0; i < fr->n; i++)
            dispatch(fr->buf[i]);
    }
out:
    if (sig_reader == acc__current()) {
        sig_reader = NULL;
        if (sig_users == 0)
            sig_loop = NULL;
    }
    f->acc__state = 2;
    return ACC__DONE;
}

/* Makes sure the running loop owns signals and has a reader task. */
static int claim(void) {
    acc_loop *loop = acc__running_loop();
    if (!loop)
        return -EPERM;
    if (sig_loop && sig_loop != loop && (sig_users || sig_reader))
        return -EBUSY;
    int r = pipe_open();
    if (r < 0)
        return r;
    sig_loop = loop;
    if (sig_reader)
        return 0;
    reader_frame *fr = ACC__NEW_FRAME(reader_frame, &reader_info, NULL);
    if (!fr)
        return -ENOMEM;
    acc_task *t = acc__task_new(loop, &fr->hdr);
    if (!t)
        return -ENOMEM;
    acc_task_set_name(t, "acc-signals");
    acc_detach(t);
    sig_reader = t;
    return 0;
}

static bool valid(int signo) {
    return signo > 0 && signo < NSIG && signo != SIGKILL && signo != SIGSTOP;
}

static int install(int signo) {
    sigslot *s = &slots[signo];
    if (s->installed)
        return 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(signo, &sa, &s->old) < 0)
        return -errno;
    s->installed = true;
    sig_users++;
    return 0;
}

/* Our handler goes once nothing uses the signal any more. */
static void release(int signo) {
    sigslot *s = &slots[signo];
    if (!s->installed || s->fn || s->nwaiters)
        return;
    sigaction(signo, &s->old, NULL);
    s->installed = false;
    sig_users--;
}

/* The loop that owns signals is closing: every signal it catches goes back
 * to the disposition found before, so a program is not left with signals
 * nobody reads (a SIGINT that no longer stops it), and another loop may
 * take them. */
void acc__signal_loop_close(acc_loop *loop) {
    if (!loop || sig_loop != loop)
        return;
    for (int signo = 1; signo < NSIG; signo++) {
        slots[signo].fn = NULL;
        slots[signo].arg = NULL;
        slots[signo].nwaiters = 0; /* its tasks are all finished by now */
        release(signo);
    }
    sig_loop = NULL;
    sig_reader = NULL;
}

int acc_signal_add_handler(int signo, void (*fn)(int signo, void *arg), void *arg) {
    if (!valid(signo) || !fn)
        return -EINVAL;
    int r = claim();
    if (r < 0)
        return r;
    if ((r = install(signo)) < 0)
        return r;
    slots[signo].fn = fn;
    slots[signo].arg = arg;
    return 0;
}

int acc_signal_remove_handler(int signo) {
    if (signo <= 0 || signo >= NSIG || !slots[signo].fn)
        return -ENOENT;
    slots[signo].fn = NULL;
    slots[signo].arg = NULL;
    release(signo);
    return 0;
}

/* ---- acc_signal_wait ------------------------------------------------------------ */

typedef struct sigwait_frame {
    acc_frame hdr;
    int *res;
    int signo;
    acc__waiter w;
} sigwait_frame;

ACC__RUNTIME_FN(sigwait_info, sigwait_resume, "acc_signal_wait");

static int sw_finish(sigwait_frame *fr, int status) {
    fr->hdr.acc__state = 2;
    if (fr->res)
        *fr->res = status;
    return ACC__DONE;
}

static int sw_leave(sigwait_frame *fr, int status) {
    slots[fr->signo].nwaiters--;
    release(fr->signo);
    return sw_finish(fr, status);
}

static int sigwait_resume(acc_frame *f) {
    sigwait_frame *fr = (sigwait_frame *)f;
    acc_task *self = acc__current();
    if (f->acc__state == 0) {
        if (!valid(fr->signo))
            return sw_finish(fr, -EINVAL);
        if (acc__task_cancelled(self))
            return sw_finish(fr, -ECANCELED);
        int r = claim();
        if (r < 0)
            return sw_finish(fr, r);
        sigslot *s = &slots[fr->signo];
        s->nwaiters++;
        if ((r = install(fr->signo)) < 0) {
            s->nwaiters--;
            return sw_finish(fr, r);
        }
        acc__waitq_push(&s->waiters, &fr->w, self);
        f->acc__state = 1;
        return ACC__PENDING;
    }
    if (fr->w.done)
        return sw_leave(fr, 0);
    if (!acc__task_cancelled(self))
        return ACC__PENDING;
    acc__waitq_remove(&slots[fr->signo].waiters, &fr->w);
    return sw_leave(fr, -ECANCELED);
}

acc_frame *acc_signal_wait__acc(int *res, int signo) {
    sigwait_frame *fr = ACC__NEW_FRAME(sigwait_frame, &sigwait_info, res);
    if (!fr) {
        return NULL;
    }
    fr->res = res;
    fr->signo = signo;
    return &fr->hdr;
}
