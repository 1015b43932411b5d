/*
 * subprocess.c: child processes (asyncio.create_subprocess_exec).
 *
 * posix_spawnp starts the child with its standard descriptors inherited,
 * piped (the parent's ends non-blocking and close-on-exec, for acc_read and
 * acc_write) or on /dev/null.  Its exit is awaited through a pidfd where the
 * kernel has pidfd_open (Linux 5.3), which becomes readable when the child
 * exits; elsewhere through SIGCHLD: a process-wide handler (chained to the
 * program's own) writes a byte into a self-pipe, and each waiting await
 * wakes on it and tries waitpid(WNOHANG) on its own child.  As one pipe
 * serves every loop of the process, a waiter may miss a byte that another
 * drained: a pause growing from 1 ms to 50 ms bounds its wait.  The child
 * gets an empty signal mask and SIGPIPE/SIGXFSZ at their default action
 * (Python's restore_signals), and no descriptor but 0, 1, 2 (close_fds).  Nothing is left a zombie: acc_subprocess_destroy of a child
 * still running hands it to a detached reaper task, which reaps it when it
 * exits, or, cancelled at the end of acc_run, kills it (SIGKILL) and reaps
 * it; outside a loop destroy kills and reaps at once.
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

/* ---- SIGCHLD through a self-pipe, where there is no pidfd ------------------------ */

static pthread_once_t chld_once = PTHREAD_ONCE_INIT;
static int chld_pipe[2] = {-1, -1};
static struct sigaction chld_prev;

static void chld_handler(int sig, siginfo_t *si, void *uc) {
    int saved = errno;
    char b = 0;
    ssize_t r = write(chld_pipe[1], &b, 1); /* full: a wake-up is pending already */
    (void)r;
    errno = saved;
    if (chld_prev.sa_flags & SA_SIGINFO) {
        if (chld_prev.sa_sigaction)
            chld_prev.sa_sigaction(sig, si, uc);
    } else if (chld_prev.sa_handler != SIG_DFL && chld_prev.sa_handler != SIG_IGN) {
        chld_prev.sa_handler(sig);
    }
}

static void chld_setup(void) {
    if (pipe2(chld_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = chld_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGCHLD, &sa, &chld_prev) < 0) {
        close(chld_pipe[0]);
        close(chld_pipe[1]);
        chld_pipe[0] = chld_pipe[1] = -1;
    }
}

/* The read end of the SIGCHLD pipe (made on first use), -1 if none. */
static int chld_fd(void) {
    pthread_once(&chld_once, chld_setup);
    return chld_pipe[0];
}

static void chld_drain(void) {
    char buf[64];
    while (chld_pipe[0] >= 0 && read(chld_pipe[0], buf, sizeof buf) > 0)
        ;
}

static int pidfd_of(pid_t pid) {
#ifdef SYS_pidfd_open
    static _Atomic int missing; /* the kernel said ENOSYS once: never again */
    if (missing || getenv("ACC_NO_PIDFD"))
        return -1; /* ACC_NO_PIDFD: a test hook for the polling path */
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0)
        (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    else if (errno == ENOSYS)
        missing = 1;
    return fd;
#else
    (void)pid;
    return -1;
#endif
}

static void close_fd(int *fd) {
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

int acc_subprocess_exec(acc_subprocess *p, char *const argv[], int in, int out, int err) {
    memset(p, 0, sizeof *p);
    p->pid = -1;
    p->pidfd = p->stdin_fd = p->stdout_fd = p->stderr_fd = -1;
    if (!argv || !argv[0] || in == ACC_SUBPROCESS_STDOUT || out == ACC_SUBPROCESS_STDOUT)
        return -EINVAL;
    int modes[3] = {in, out, err};
    int pipes[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
    posix_spawn_file_actions_t fa;
    int r = posix_spawn_file_actions_init(&fa);
    if (r)
        return -r;
    for (int i = 0; i < 3 && r == 0; i++) {
        switch (modes[i]) {
        case ACC_SUBPROCESS_PIPE:
            if (pipe2(pipes[i], O_CLOEXEC) < 0) {
                r = errno;
                break;
            }
            /* the child's end is [0] for stdin, [1] for output */
            r = posix_spawn_file_actions_adddup2(&fa, pipes[i][i == 0 ? 0 : 1], i);
            break;
        case ACC_SUBPROCESS_DEVNULL:
            r = posix_spawn_file_actions_addopen(&fa, i, "/dev/null", i == 0 ? O_RDONLY : O_WRONLY, 0);
            break;
        case ACC_SUBPROCESS_STDOUT:
            r = posix_spawn_file_actions_adddup2(&fa, 1, 2);
            break;
        case ACC_SUBPROCESS_INHERIT:
            break;
        default:
            r = EINVAL;
        }
    }
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    if (r == 0) /* close_fds: the child gets 0, 1 and 2 only */
        r = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
    /* a loop's thread may block signals: the child starts with none blocked,
     * and with SIGPIPE and SIGXFSZ at their default action */
    posix_spawnattr_t at;
    bool have_at = r == 0 && (r = posix_spawnattr_init(&at)) == 0;
    sigset_t none, def;
    sigemptyset(&none);
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE);
    sigaddset(&def, SIGXFSZ);
    if (r == 0)
        r = posix_spawnattr_setsigmask(&at, &none);
    if (r == 0)
        r = posix_spawnattr_setsigdefault(&at, &def);
    if (r == 0)
        r = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    if (r == 0)
        r = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
    if (have_at)
        posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    int *ends[3] = {&p->stdin_fd, &p->stdout_fd, &p->stderr_fd};
    for (int i = 0; i < 3; i++) {
        int mine = i == 0 ? 1 : 0;
        if (pipes[i][0] < 0)
            continue;
        close(pipes[i][1 - mine]);
        if (r == 0) {
            *ends[i] = pipes[i][mine];
            (void)fcntl(*ends[i], F_SETFL, fcntl(*ends[i], F_GETFL) | O_NONBLOCK);
        } else {
            close(pipes[i][mine]);
        }
    }
    if (r != 0)
        return -r;
    p->pid = pid;
    p->pidfd = pidfd_of(pid);
    if (p->pidfd < 0)
        (void)chld_fd(); /* SIGCHLD from now on (a missed one: the pause) */
    return 0;
}

/* Reaps the child if it has exited: true then (returncode set). */
static bool reap(acc_subprocess *p) {
    if (p->exited)
        return true;
    int st;
    pid_t r;
    do
        r = waitpid(p->pid, &st, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        return false;
    p->exited = true;
    if (r < 0)
        p->returncode = -ECHILD; /* reaped by someone else (SIGCHLD ignored) */
    else
        p->returncode = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? -WTERMSIG(st) : 0;
    close_fd(&p->pidfd);
    return true;
}

int acc_subprocess_send_signal(acc_subprocess *p, int sig) {
    if (p->pid <= 0 || reap(p))
        return -ESRCH;
#ifdef SYS_pidfd_send_signal
    if (p->pidfd >= 0 && syscall(SYS_pidfd_send_signal, p->pidfd, sig, NULL, 0) == 0)
        return 0;
#endif
    return kill(p->pid, sig) < 0 ? -errno : 0;
}

int acc_subprocess_terminate(acc_subprocess *p) { return acc_subprocess_send_signal(p, SIGTERM); }
int acc_subprocess_kill(acc_subprocess *p) { return acc_subprocess_send_signal(p, SIGKILL); }

/* ---- waiting for the exit -------------------------------------------------------- */

/* A hand-written async function: check, then await the pidfd or a pause. */
typedef struct pwait_frame {
    acc_frame hdr;
    int *res;
    acc_subprocess *p;
    double pause;
    int st;
} pwait_frame;

ACC__RUNTIME_FN(pwait_info, pwait_resume, "acc_subprocess_wait");

static int pw_finish(pwait_frame *fr, int status) {
    fr->hdr.acc__state = 2;
    if (fr->res)
        *fr->res = status;
    return ACC__DONE;
}

static int pwait_resume(acc_frame *f) {
    pwait_frame *fr = (pwait_frame *)f;
    if (fr->p->pid <= 0)
        return pw_finish(fr, -ECHILD);
    for (;;) {
        if (fr->p->pidfd < 0)
            chld_drain(); /* before waitpid: a SIGCHLD after it leaves a byte */
        if (reap(fr->p))
            return pw_finish(fr, fr->p->returncode == -ECHILD ? -ECHILD : 0);
        if (f->acc__state == 1 && fr->st < 0 && fr->st != -EAGAIN && fr->st != -ETIMEDOUT)
            return pw_finish(fr, fr->st); /* -ECANCELED: the child runs on */
        if (acc__task_cancelled(acc__current()))
            return pw_finish(fr, -ECANCELED);
        f->acc__state = 1;
        acc_frame *callee;
        if (fr->p->pidfd >= 0) {
            callee = acc_readable__acc(&fr->st, fr->p->pidfd);
        } else {
            int cfd = chld_fd();
            callee = cfd >= 0 ? acc_wait_for__acc(&fr->st, acc_readable__acc(NULL, cfd), fr->pause)
                              : acc_sleep__acc(&fr->st, fr->pause);
            fr->pause = fr->pause * 2 > 0.05 ? 0.05 : fr->pause * 2;
        }
        if (acc__await(f, callee))
            return ACC__PENDING;
    }
}

acc_frame *acc_subprocess_wait__acc(int *res, acc_subprocess *p) {
    pwait_frame *fr = ACC__NEW_FRAME(pwait_frame, &pwait_info, res);
    if (!fr) {
        return NULL;
    }
    fr->res = res;
    fr->p = p;
    fr->pause = 0.001;
    fr->st = 0;
    return &fr->hdr;
}

/* ---- the reaper of abandoned children ---------------------------------------------- */

typedef struct reaper_frame {
    acc_frame hdr;
    acc_subprocess p; /* a copy: the caller's storage may go */
    int st;
} reaper_frame;

ACC__RUNTIME_FN(reaper_info, reaper_resume, "acc-reaper");

static void kill_and_reap(acc_subprocess *p) {
    if (reap(p))
        return;
    kill(p->pid, SIGKILL);
    int st;
    while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
        ;
    p->exited = true;
    close_fd(&p->pidfd);
}

static int reaper_resume(acc_frame *f) {
    reaper_frame *fr = (reaper_frame *)f;
    if (f->acc__state == 0) {
        f->acc__state = 1;
        if (acc__await(f, acc_subprocess_wait__acc(&fr->st, &fr->p)))
            return ACC__PENDING;
    }
    kill_and_reap(&fr->p); /* cancelled: the loop is ending */
    f->acc__state = 2;
    return ACC__DONE;
}

void acc_subprocess_destroy(acc_subprocess *p) {
    close_fd(&p->stdin_fd);
    close_fd(&p->stdout_fd);
    close_fd(&p->stderr_fd);
    if (p->pid <= 0 || reap(p)) {
        close_fd(&p->pidfd);
        return;
    }
    acc_loop *loop = acc__running_loop();
    reaper_frame *fr = loop ? ACC__NEW_FRAME(reaper_frame, &reaper_info, NULL) : NULL;
    acc_task *t = NULL;
    if (fr) {
        fr->p = *p;
        t = acc__task_new(loop, &fr->hdr);
    }
    if (!t) {
        kill_and_reap(p);
        return;
    }
    if (loop->draining)
        t->flags |= ACC__T_CANCELLED | ACC__T_EXTERNAL;
    acc_detach(t);
    p->pidfd = -1;
    p->exited = true;
}

/* ---- communicate --------------------------------------------------------------------- */

/*
 * Writes `input` to stdin and closes it, reads stdout and stderr to their
 * ends (into malloc'd buffers the caller frees with free()), all at once
 * through one waiter per descriptor, then waits for the exit.
 */
typedef struct comm_frame {
    acc_frame hdr;
    int *res;
    acc_subprocess *p;
    const char *in;
    size_t inlen, inoff;
    char **out[2];
    size_t *outlen[2];
    char *buf[2];
    size_t len[2], cap[2];
    bool watching;
    int st;
    acc__waiter w[3];
} comm_frame;

ACC__RUNTIME_FN(comm_info, comm_resume, "acc_subprocess_communicate");

static int *comm_fd(comm_frame *fr, int i) {
    return i == 0 ? &fr->p->stdin_fd : i == 1 ? &fr->p->stdout_fd : &fr->p->stderr_fd;
}

static void comm_unwatch(comm_frame *fr) {
    if (!fr->watching)
        return;
    acc_loop *loop = acc__running_loop();
    for (int i = 0; i < 3; i++)
        if (fr->w[i].task && *comm_fd(fr, i) >= 0)
            acc__fd_unwatch(loop, *comm_fd(fr, i), i == 0 ? ACC__WRITE : ACC__READ, &fr->w[i]);
    fr->watching = false;
}

static int comm_finish(comm_frame *fr, int status) {
    comm_unwatch(fr);
    for (int k = 0; k < 2; k++) {
        if (status == 0 && fr->out[k]) {
            *fr->out[k] = fr->buf[k];
            if (fr->outlen[k])
                *fr->outlen[k] = fr->len[k];
        } else {
            free(fr->buf[k]);
        }
        fr->buf[k] = NULL;
    }
    fr->hdr.acc__state = 3;
    if (fr->res)
        *fr->res = status;
    return ACC__DONE;
}

/* A write to a pipe whose reader has gone gives EPIPE, never a SIGPIPE that
 * kills the program: the signal is blocked in this thread around the write
 * and, if the write raised it, taken back before it is unblocked. */
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

/* One pass over the open descriptors: 1 progress or all done, 0 all would
 * block, < 0 an error. */
static int comm_pass(comm_frame *fr) {
    int fd = fr->p->stdin_fd;
    if (fd >= 0) {
        while (fr->inoff < fr->inlen) {
            ssize_t n = write_nosigpipe(fd, fr->in + fr->inoff, fr->inlen - fr->inoff);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
            if (n < 0) { /* EPIPE: the child does not read; drop the rest */
                fr->inoff = fr->inlen;
                break;
            }
            fr->inoff += (size_t)n;
        }
        if (fr->inoff == fr->inlen)
            close_fd(&fr->p->stdin_fd);
    }
    for (int k = 0; k < 2; k++) {
        int *pfd = comm_fd(fr, k + 1);
        while (*pfd >= 0) {
            if (fr->cap[k] - fr->len[k] < 4096) {
                size_t cap = fr->cap[k] ? fr->cap[k] * 2 : 8192;
                char *b = realloc(fr->buf[k], cap);
                if (!b)
                    return -ENOMEM;
                fr->buf[k] = b;
                fr->cap[k] = cap;
            }
            ssize_t n = read(*pfd, fr->buf[k] + fr->len[k], fr->cap[k] - fr->len[k] - 1);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
            if (n <= 0) {
                close_fd(pfd);
                break;
            }
            fr->len[k] += (size_t)n;
            fr->buf[k][fr->len[k]] = '\0';
        }
    }
    return fr->p->stdin_fd < 0 && fr->p->stdout_fd < 0 && fr->p->stderr_fd < 0;
}

static int comm_resume(acc_frame *f) {
    comm_frame *fr = (comm_frame *)f;
    acc_task *self = acc__current();
    acc_loop *loop = acc__running_loop();
    if (f->acc__state == 2)
        return comm_finish(fr, fr->st);
    comm_unwatch(fr);
    if (acc__task_cancelled(self))
        return comm_finish(fr, -ECANCELED);
    int r = comm_pass(fr);
    if (r < 0)
        return comm_finish(fr, r);
    if (r == 0) {
        for (int i = 0; i < 3; i++) {
            fr->w[i].task = NULL;
            int fd = *comm_fd(fr, i);
            if (fd < 0)
                continue;
            int e = acc__fd_watch(loop, fd, i == 0 ? ACC__WRITE : ACC__READ, &fr->w[i]);
            fr->watching = true;
            if (e < 0)
                return comm_finish(fr, e);
        }
        f->acc__state = 1;
        return ACC__PENDING;
    }
    f->acc__state = 2;
    if (acc__await(f, acc_subprocess_wait__acc(&fr->st, fr->p)))
        return ACC__PENDING;
    return comm_finish(fr, fr->st);
}

acc_frame *acc_subprocess_communicate__acc(int *res, acc_subprocess *p, const void *input,
                                           size_t n, char **out, size_t *outlen, char **err,
                                           size_t *errlen) {
    comm_frame *fr = ACC__NEW_FRAME(comm_frame, &comm_info, res);
    if (!fr) {
        return NULL;
    }
    memset((char *)fr + sizeof(acc_frame), 0, sizeof *fr - sizeof(acc_frame));
    fr->res = res;
    fr->p = p;
    fr->in = input;
    fr->inlen = input ? n : 0;
    fr->out[0] = out;
    fr->out[1] = err;
    fr->outlen[0] = outlen;
    fr->outlen[1] = errlen;
    if (out)
        *out = NULL;
    if (err)
        *err = NULL;
    if (!input && p->stdin_fd >= 0)
        close_fd(&p->stdin_fd);
    return &fr->hdr;
}
