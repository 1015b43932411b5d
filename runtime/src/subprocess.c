/*
 * subprocess.c: child processes (asyncio.create_subprocess_exec and
 * asyncio.subprocess.Process): acc_subprocess_exec, _wait, _communicate,
 * _send_signal / _kill / _terminate, _destroy.
 *
 * The child is started with posix_spawnp: the pipes the caller asked for
 * are dup2'd onto 0, 1 and 2 by file actions, every other descriptor is
 * closed in the child (close_fds=True, as in Python), its signal mask is
 * emptied and SIGPIPE / SIGXFSZ go back to their default action (Python's
 * restore_signals), so a loop that blocks signals for signalfd does not
 * hand that mask down.  The parent's ends of the pipes are non-blocking and
 * close-on-exec, ready for acc_read / acc_write.
 *
 * The child's exit is seen through a pidfd (pidfd_open, Linux 5.3), which
 * polls readable once the child has exited; without one, through SIGCHLD:
 * a process-wide handler writes a byte into a self-pipe, and each waiting
 * await drains it and tries waitpid on its own child.  Because one pipe
 * serves every loop of the process, a waiter may miss the byte another
 * loop drained; a backstop timer (0.1 s doubling to 1 s) then makes it look
 * again.  ACC_SUBPROCESS_NO_PIDFD=1 forces that path (the tests use it).
 *
 * Reaping is done by the runtime: whoever calls waitpid(-1, ...) or sets
 * SIGCHLD to SIG_IGN elsewhere in the program takes the status away, and
 * acc_subprocess_wait then answers -ECHILD.
 *
 * No zombies: acc_subprocess_destroy reaps a child that has exited and
 * kills (SIGKILL) and then reaps one still running, as asyncio's transport
 * does when it is closed.  A task cancelled in acc_subprocess_wait or
 * acc_subprocess_communicate leaves the child running; the destroy that
 * must follow every successful exec reaps it.
 */
#define _GNU_SOURCE
#include "acc_int.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#if defined(__linux__) && !defined(SYS_pidfd_open)
#define SYS_pidfd_open 434
#endif
#if defined(__linux__) && !defined(SYS_pidfd_send_signal)
#define SYS_pidfd_send_signal 424
#endif

/* ---- SIGCHLD through a self-pipe (the fallback) -------------------------- */

static pthread_once_t chld_once = PTHREAD_ONCE_INIT;
static int chld_pipe[2] = {-1, -1};
static int chld_err;
static struct sigaction chld_prev;

static void chld_handler(int sig, siginfo_t *si, void *uc) {
    int saved = errno;
    char b = 0;
    ssize_t r = write(chld_pipe[1], &b, 1); /* EAGAIN: a byte is there already */
    (void)r;
    errno = saved;
    /* a handler the program had before keeps running */
    if ((chld_prev.sa_flags & SA_SIGINFO) && chld_prev.sa_sigaction)
        chld_prev.sa_sigaction(sig, si, uc);
    else if (!(chld_prev.sa_flags & SA_SIGINFO) && chld_prev.sa_handler != SIG_DFL &&
             chld_prev.sa_handler != SIG_IGN)
        chld_prev.sa_handler(sig);
}

static void chld_setup(void) {
    if (pipe2(chld_pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
        chld_err = -errno;
        return;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = chld_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGCHLD, &sa, &chld_prev) < 0) {
        chld_err = -errno;
        close(chld_pipe[0]);
        close(chld_pipe[1]);
        chld_pipe[0] = chld_pipe[1] = -1;
    }
}

static void chld_drain(void) {
    char buf[64];
    while (read(chld_pipe[0], buf, sizeof buf) > 0)
        ;
}

/* Set once pidfd_open answered ENOSYS: not asked again. */
static atomic_bool no_pidfd_kernel;

static bool no_pidfd_forced(void) {
    const char *e = getenv("ACC_SUBPROCESS_NO_PIDFD");
    return e && *e && strcmp(e, "0") != 0;
}

/* ---- spawning ------------------------------------------------------------ */

static void close_fd(int *fd) {
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* A descriptor above 2, so that dup2 onto 0..2 in the child never meets
 * itself (dup2(fd, fd) would keep its close-on-exec flag). */
static int above_stdio(int fd) {
    if (fd > 2 || fd < 0)
        return fd;
    int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    int e = errno;
    close(fd);
    errno = e;
    return nfd;
}

/* A pipe whose `parent` end is non-blocking; both ends close-on-exec. */
static int make_pipe(int *parent, int *child, bool parent_reads) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -errno;
    p[0] = above_stdio(p[0]);
    p[1] = above_stdio(p[1]);
    if (p[0] < 0 || p[1] < 0) {
        int e = errno;
        close_fd(&p[0]);
        close_fd(&p[1]);
        return -e;
    }
    *parent = parent_reads ? p[0] : p[1];
    *child = parent_reads ? p[1] : p[0];
    if (fcntl(*parent, F_SETFL, fcntl(*parent, F_GETFL) | O_NONBLOCK) < 0) {
        int e = errno;
        close_fd(parent);
        close_fd(child);
        return -e;
    }
    return 0;
}

static void sub_clear(acc_subprocess *p) {
    p->pid = -1;
    p->stdin_fd = p->stdout_fd = p->stderr_fd = -1;
    p->returncode = 0;
    p->status = 0;
    p->exited = false;
    p->pidfd = -1;
}

int acc_subprocess_exec(acc_subprocess *p, const char *const argv[], int flags) {
    if (!p)
        return -EINVAL;
    sub_clear(p);
    if (!argv || !argv[0])
        return -EINVAL;
    if ((flags & ACC_SUBPROCESS_STDERR_STDOUT) && !(flags & ACC_SUBPROCESS_STDOUT_PIPE))
        return -EINVAL;
    int cin = -1, cout = -1, cerr = -1, dn = -1, r = 0;
    if ((flags & ACC_SUBPROCESS_STDIN_PIPE) && (r = make_pipe(&p->stdin_fd, &cin, false)) < 0)
        goto fail;
    if ((flags & ACC_SUBPROCESS_STDOUT_PIPE) && (r = make_pipe(&p->stdout_fd, &cout, true)) < 0)
        goto fail;
    if ((flags & ACC_SUBPROCESS_STDERR_PIPE) && (r = make_pipe(&p->stderr_fd, &cerr, true)) < 0)
        goto fail;
    if (flags & (ACC_SUBPROCESS_STDIN_DEVNULL | ACC_SUBPROCESS_STDOUT_DEVNULL |
                 ACC_SUBPROCESS_STDERR_DEVNULL)) {
        dn = above_stdio(open("/dev/null", O_RDWR | O_CLOEXEC));
        if (dn < 0) {
            r = -errno;
            goto fail;
        }
    }
    bool fallback = no_pidfd_forced() || atomic_load(&no_pidfd_kernel);
    if (fallback) {
        pthread_once(&chld_once, chld_setup);
        if ((r = chld_err) < 0)
            goto fail;
    }

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    if ((r = -posix_spawn_file_actions_init(&fa)) < 0)
        goto fail;
    if ((r = -posix_spawnattr_init(&at)) < 0) {
        posix_spawn_file_actions_destroy(&fa);
        goto fail;
    }
    int src[3] = {cin >= 0 ? cin : (flags & ACC_SUBPROCESS_STDIN_DEVNULL) ? dn : -1,
                  cout >= 0 ? cout : (flags & ACC_SUBPROCESS_STDOUT_DEVNULL) ? dn : -1,
                  cerr >= 0                                        ? cerr
                  : (flags & ACC_SUBPROCESS_STDERR_STDOUT)          ? cout
                  : (flags & ACC_SUBPROCESS_STDERR_DEVNULL)         ? dn
                                                                    : -1};
    for (int i = 0; i < 3 && r == 0; i++)
        if (src[i] >= 0)
            r = -posix_spawn_file_actions_adddup2(&fa, src[i], i);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    if (r == 0)
        r = -posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
    sigset_t none, def;
    sigemptyset(&none);
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE);
    sigaddset(&def, SIGXFSZ);
    if (r == 0)
        r = -posix_spawnattr_setsigmask(&at, &none);
    if (r == 0)
        r = -posix_spawnattr_setsigdefault(&at, &def);
    if (r == 0)
        r = -posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    if (r == 0)
        r = -posix_spawnp(&pid, argv[0], &fa, &at, (char *const *)argv, environ);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    if (r < 0)
        goto fail;
    p->pid = pid;
    close_fd(&cin);
    close_fd(&cout);
    close_fd(&cerr);
    close_fd(&dn);
#ifdef __linux__
    if (!fallback) {
        p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (p->pidfd >= 0) {
            (void)fcntl(p->pidfd, F_SETFD, FD_CLOEXEC);
        } else {
            if (errno == ENOSYS)
                atomic_store(&no_pidfd_kernel, true);
            pthread_once(&chld_once, chld_setup);
            if (chld_err < 0) {
                /* nothing would ever tell us of its exit */
                r = chld_err;
                (void)kill(pid, SIGKILL);
                acc_subprocess_destroy(p);
                return r;
            }
        }
    }
#endif
    return 0;
fail:
    close_fd(&cin);
    close_fd(&cout);
    close_fd(&cerr);
    close_fd(&dn);
    close_fd(&p->stdin_fd);
    close_fd(&p->stdout_fd);
    close_fd(&p->stderr_fd);
    return r;
}

/* Reaps the child if it has exited: 1 reaped, 0 still running, -errno. */
static int try_reap(acc_subprocess *p) {
    if (p->exited)
        return 1;
    if (p->pid <= 0)
        return -ECHILD;
    int st;
    for (;;) {
        pid_t r = waitpid(p->pid, &st, WNOHANG);
        if (r == 0)
            return 0;
        if (r == p->pid)
            break;
        if (errno != EINTR)
            return -errno;
    }
    p->status = st;
    p->returncode = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? -WTERMSIG(st) : 0;
    p->exited = true;
    close_fd(&p->pidfd);
    return 1;
}

int acc_subprocess_send_signal(acc_subprocess *p, int sig) {
    if (!p || p->pid <= 0)
        return -EINVAL;
    if (p->exited)
        return -ESRCH; /* reaped: the pid may belong to another process now */
#ifdef __linux__
    if (p->pidfd >= 0) {
        if (syscall(SYS_pidfd_send_signal, p->pidfd, sig, NULL, 0) == 0)
            return 0;
        if (errno != ENOSYS)
            return -errno;
    }
#endif
    return kill(p->pid, sig) == 0 ? 0 : -errno;
}

int acc_subprocess_kill(acc_subprocess *p) { return acc_subprocess_send_signal(p, SIGKILL); }
int acc_subprocess_terminate(acc_subprocess *p) { return acc_subprocess_send_signal(p, SIGTERM); }

void acc_subprocess_close_stdin(acc_subprocess *p) {
    if (p)
        close_fd(&p->stdin_fd);
}

void acc_subprocess_destroy(acc_subprocess *p) {
    if (!p)
        return;
    close_fd(&p->stdin_fd);
    close_fd(&p->stdout_fd);
    close_fd(&p->stderr_fd);
    if (p->pid > 0 && !p->exited && try_reap(p) == 0) {
        (void)acc_subprocess_send_signal(p, SIGKILL);
        int st;
        pid_t r;
        while ((r = waitpid(p->pid, &st, 0)) < 0 && errno == EINTR)
            ;
        if (r == p->pid) {
            p->status = st;
            p->returncode = WIFSIGNALED(st) ? -WTERMSIG(st) : WEXITSTATUS(st);
            p->exited = true;
        }
    }
    close_fd(&p->pidfd);
}

/* ---- acc_subprocess_wait -------------------------------------------------- */

typedef struct pwait_frame {
    acc_frame hdr;
    int *res;
    acc_subprocess *p;
    int fd;              /* the pidfd or the SIGCHLD pipe */
    bool watching;
    uint64_t backstop;   /* fallback: ns until the next look */
    acc__waiter w;
    acc__timer tm;
} pwait_frame;

ACC__RUNTIME_FN(pwait_info, pwait_resume, "acc_subprocess_wait");

enum { PW_START, PW_WAIT, PW_DONE };

static void pw_unarm(pwait_frame *fr) {
    acc_loop *loop = acc__running_loop();
    if (fr->watching)
        acc__fd_unwatch(loop, fr->fd, ACC__READ, &fr->w);
    fr->watching = false;
    acc__timer_stop(loop, &fr->tm);
}

static int pw_finish(pwait_frame *fr, int status) {
    pw_unarm(fr);
    fr->hdr.state = PW_DONE;
    if (fr->res)
        *fr->res = status;
    return ACC__DONE;
}

/* Watches the pidfd, or the SIGCHLD pipe with a backstop timer. */
static int pw_arm(pwait_frame *fr) {
    acc_loop *loop = acc__running_loop();
    fr->fd = fr->p->pidfd >= 0 ? fr->p->pidfd : chld_pipe[0];
    int r = acc__fd_watch(loop, fr->fd, ACC__READ, &fr->w);
    if (r < 0)
        return r;
    fr->watching = true;
    if (fr->p->pidfd < 0) {
        fr->backstop = fr->backstop ? fr->backstop * 2 : 100000000u;
        if (fr->backstop > 1000000000u)
            fr->backstop = 1000000000u;
        if ((r = acc__timer_start(loop, &fr->tm, fr->backstop)) < 0)
            return r;
    }
    return 0;
}

static int pwait_resume(acc_frame *f) {
    pwait_frame *fr = (pwait_frame *)f;
    acc_task *self = acc__current();
    if (f->state == PW_DONE)
        return ACC__DONE;
    if (f->state == PW_WAIT) {
        bool woke = (fr->watching && fr->w.done) ||
                    (fr->p->pidfd < 0 && !acc__timer_armed(&fr->tm));
        if (!woke && !acc__task_cancelled(self))
            return ACC__PENDING;
        pw_unarm(fr);
    }
    if (!fr->p || fr->p->pid <= 0)
        return pw_finish(fr, -EINVAL);
    if (fr->p->exited)
        return pw_finish(fr, 0);
    if (acc__task_cancelled(self))
        return pw_finish(fr, -ECANCELED);
    if (fr->p->pidfd < 0)
        chld_drain();
    int r = try_reap(fr->p);
    if (r != 0)
        return pw_finish(fr, r < 0 ? r : 0);
    if ((r = pw_arm(fr)) < 0)
        return pw_finish(fr, r);
    f->state = PW_WAIT;
    return ACC__PENDING;
}

acc_frame *acc_subprocess_wait__acc(int *res, acc_subprocess *p) {
    pwait_frame *fr = ACC__NEW_FRAME(pwait_frame, &pwait_info);
    if (!fr) {
        if (res)
            *res = 0;
        return NULL;
    }
    memset((char *)fr + sizeof(acc_frame), 0, sizeof *fr - sizeof(acc_frame));
    fr->res = res;
    fr->p = p;
    fr->fd = -1;
    fr->tm.idx = ACC__TIMER_IDLE;
    return &fr->hdr;
}

/* ---- acc_subprocess_communicate ------------------------------------------ */

/*
 * One frame multiplexes the three pipes: it writes stdin and reads stdout
 * and stderr with non-blocking calls, watches every pipe that answered
 * EAGAIN, and suspends until any of them is ready; so a child that fills
 * its stdout pipe before it has read all its input never deadlocks.  Then
 * it awaits acc_subprocess_wait.
 */
typedef struct sink {
    char *data;
    size_t len, cap;
    acc__waiter w;
    bool watching;
} sink;

typedef struct comm_frame {
    acc_frame hdr;
    int *res;
    acc_subprocess *p;
    const char *in;
    size_t inlen, sent;
    char **out, **err;
    size_t *outlen, *errlen;
    acc__waiter win;
    bool win_watching;
    sink so, se;
    int wst;
} comm_frame;

ACC__RUNTIME_FN(comm_info, comm_resume, "acc_subprocess_communicate");

enum { CM_START, CM_IO, CM_WAIT, CM_DONE };

/* A write to a pipe whose reader has gone gives EPIPE, never a SIGPIPE:
 * the signal is blocked in this thread and, if the write raised it,
 * taken back before it is unblocked. */
static ssize_t write_nosigpipe(int fd, const void *buf, size_t n) {
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    bool was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    ssize_t r = write(fd, buf, n);
    int e = errno;
    if (r < 0 && e == EPIPE && !was_pending) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = e;
    return r;
}

/* (after a wake-up the waiter is off its queue; this refreshes the mask) */
static void unwatch(acc_loop *loop, int fd, int dir, acc__waiter *w, bool *watching) {
    if (*watching)
        acc__fd_unwatch(loop, fd, dir, w);
    *watching = false;
}

static void comm_unwatch(comm_frame *fr) {
    acc_loop *loop = acc__running_loop();
    unwatch(loop, fr->p->stdin_fd, ACC__WRITE, &fr->win, &fr->win_watching);
    unwatch(loop, fr->p->stdout_fd, ACC__READ, &fr->so.w, &fr->so.watching);
    unwatch(loop, fr->p->stderr_fd, ACC__READ, &fr->se.w, &fr->se.watching);
}

static int comm_finish(comm_frame *fr, int status) {
    if (fr->hdr.state == CM_IO)
        comm_unwatch(fr);
    fr->hdr.state = CM_DONE;
    if (status < 0) {
        free(fr->so.data);
        free(fr->se.data);
        fr->so.data = fr->se.data = NULL;
        fr->so.len = fr->se.len = 0;
    }
    if (fr->out)
        *fr->out = fr->so.data;
    else
        free(fr->so.data);
    if (fr->outlen)
        *fr->outlen = fr->so.len;
    if (fr->err)
        *fr->err = fr->se.data;
    else
        free(fr->se.data);
    if (fr->errlen)
        *fr->errlen = fr->se.len;
    if (fr->res)
        *fr->res = status;
    return ACC__DONE;
}

/* Reads what is there: 1 end of file, 0 would block, -errno. */
static int sink_pump(sink *s, int fd) {
    for (;;) {
        if (s->cap - s->len < 4096) {
            size_t cap = s->cap ? s->cap * 2 : 16384;
            char *d = realloc(s->data, cap + 1);
            if (!d)
                return -ENOMEM;
            s->data = d;
            s->cap = cap;
        }
        ssize_t r = read(fd, s->data + s->len, s->cap - s->len);
        if (r > 0) {
            s->len += (size_t)r;
            s->data[s->len] = '\0';
        } else if (r == 0) {
            return 1;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return 0;
        } else if (errno != EINTR) {
            return -errno;
        }
    }
}

/* Writes what the pipe takes: 1 all written (or the reader is gone), 0
 * would block, -errno. */
static int stdin_pump(comm_frame *fr) {
    while (fr->sent < fr->inlen) {
        ssize_t r = write_nosigpipe(fr->p->stdin_fd, fr->in + fr->sent, fr->inlen - fr->sent);
        if (r >= 0)
            fr->sent += (size_t)r;
        else if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        else if (errno == EPIPE || errno == ECONNRESET)
            return 1; /* as asyncio: the child need not read all its input */
        else if (errno != EINTR)
            return -errno;
    }
    return 1;
}

/* One round of I/O on every open pipe; 1 all closed, 0 suspended, -errno. */
static int comm_round(comm_frame *fr) {
    acc_loop *loop = acc__running_loop();
    acc_subprocess *p = fr->p;
    int r;
    if (p->stdin_fd >= 0) {
        if ((r = stdin_pump(fr)) < 0)
            return r;
        if (r == 1)
            acc_subprocess_close_stdin(p);
        else if ((r = acc__fd_watch(loop, p->stdin_fd, ACC__WRITE, &fr->win)) < 0)
            return r;
        else
            fr->win_watching = true;
    }
    sink *sk[2] = {&fr->so, &fr->se};
    int *fds[2] = {&p->stdout_fd, &p->stderr_fd};
    for (int i = 0; i < 2; i++) {
        if (*fds[i] < 0)
            continue;
        if ((r = sink_pump(sk[i], *fds[i])) < 0)
            return r;
        if (r == 1) {
            close(*fds[i]);
            *fds[i] = -1;
        } else if ((r = acc__fd_watch(loop, *fds[i], ACC__READ, &sk[i]->w)) < 0) {
            return r;
        } else {
            sk[i]->watching = true;
        }
    }
    return fr->win_watching || fr->so.watching || fr->se.watching ? 0 : 1;
}

static int comm_resume(acc_frame *f) {
    comm_frame *fr = (comm_frame *)f;
    acc_task *self = acc__current();
    switch (f->state) {
    case CM_START:
        if (!fr->p || fr->p->pid <= 0)
            return comm_finish(fr, -EINVAL);
        if (fr->inlen > 0 && fr->p->stdin_fd < 0)
            return comm_finish(fr, -EINVAL);
        if (acc__task_cancelled(self))
            return comm_finish(fr, -ECANCELED);
        f->state = CM_IO;
        /* fall through */
    case CM_IO: {
        bool any = (fr->win_watching && fr->win.done) || (fr->so.watching && fr->so.w.done) ||
                   (fr->se.watching && fr->se.w.done);
        bool first = !fr->win_watching && !fr->so.watching && !fr->se.watching;
        if (acc__task_cancelled(self))
            return comm_finish(fr, -ECANCELED);
        if (!any && !first)
            return ACC__PENDING;
        comm_unwatch(fr);
        int r = comm_round(fr);
        if (r < 0)
            return comm_finish(fr, r);
        if (r == 0)
            return ACC__PENDING;
        f->state = CM_WAIT;
        if (acc__await(f, acc_subprocess_wait__acc(&fr->wst, fr->p)))
            return ACC__PENDING;
    }
        /* fall through */
    case CM_WAIT:
        return comm_finish(fr, fr->wst);
    default:
        return ACC__DONE;
    }
}

acc_frame *acc_subprocess_communicate__acc(int *res, acc_subprocess *p, const void *input,
                                           size_t input_len, char **out, size_t *out_len,
                                           char **err, size_t *err_len) {
    comm_frame *fr = ACC__NEW_FRAME(comm_frame, &comm_info);
    if (!fr) {
        if (res)
            *res = 0;
        return NULL;
    }
    memset((char *)fr + sizeof(acc_frame), 0, sizeof *fr - sizeof(acc_frame));
    fr->res = res;
    fr->p = p;
    fr->in = input;
    fr->inlen = input ? input_len : 0;
    fr->out = out;
    fr->outlen = out_len;
    fr->err = err;
    fr->errlen = err_len;
    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (err)
        *err = NULL;
    if (err_len)
        *err_len = 0;
    return &fr->hdr;
}
