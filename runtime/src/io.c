/*
 * io.c: awaits on non-blocking descriptors: acc_readable, acc_writable,
 * acc_read, acc_write, acc_accept, acc_connect, and acc_tcp_listen
 * (acc_tcp_connect is in connect.c).
 *
 * Each await tries the system call first and only waits for readiness on
 * EAGAIN, so a descriptor with data ready costs no trip through the loop.
 * The descriptor must be non-blocking (acc_tcp_listen, acc_accept and
 * acc_tcp_connect make theirs so).
 */
#define _GNU_SOURCE
#include "acc_int.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* One frame shape for every descriptor await; `res` is int* or ssize_t*. */
typedef struct io_frame {
    acc_frame hdr;
    void *res;
    int fd, dir;
    void *buf;           /* read/write buffer; accept: the address */
    size_t n, done;      /* bytes asked, bytes written so far */
    socklen_t *addrlen;  /* accept */
    socklen_t alen;      /* connect */
    bool notsock;        /* write: fd is no socket, send() refused it */
    acc__waiter w;
} io_frame;

enum { IO_TRY, IO_WAIT, IO_DONE };

/* What the call did: finished with a result, or must wait (EAGAIN). */
typedef struct { bool wait; ssize_t result; } io_step;
typedef io_step (*io_try)(io_frame *fr);

static int io_finish(io_frame *fr, ssize_t result, bool wide) {
    fr->hdr.acc__state = IO_DONE;
    if (fr->res) {
        if (wide)
            *(ssize_t *)fr->res = result;
        else
            *(int *)fr->res = (int)result;
    }
    return ACC__DONE;
}

/* The common state machine: try, wait for readiness, try again. */
static int io_run(io_frame *fr, io_try attempt, bool wide) {
    acc_task *self = acc__current();
    acc_loop *loop = acc__running_loop();
    if (fr->hdr.acc__state == IO_TRY && acc__coop_yield())
        return ACC__PENDING;
    if (fr->hdr.acc__state == IO_WAIT) {
        if (!fr->w.done) {
            if (!acc__task_cancelled(self))
                return ACC__PENDING;
            acc__fd_unwatch(loop, fr->fd, fr->dir, &fr->w);
            return io_finish(fr, -ECANCELED, wide);
        }
    }
    if (acc__task_cancelled(self))
        return io_finish(fr, -ECANCELED, wide);
    io_step s = attempt(fr);
    if (!s.wait)
        return io_finish(fr, s.result, wide);
    int r = acc__fd_watch(loop, fr->fd, fr->dir, &fr->w);
    if (r < 0)
        return io_finish(fr, r, wide);
    fr->hdr.acc__state = IO_WAIT;
    return ACC__PENDING;
}

static io_frame *io_new(const acc__rtinfo *info, void *res, bool wide, int fd, int dir) {
    io_frame *fr = ACC__NEW_FRAME(io_frame, info, NULL);
    if (!fr) {
        if (res && wide)
            *(ssize_t *)res = -ENOMEM;
        else if (res)
            *(int *)res = -ENOMEM;
        return NULL;
    }
    memset((char *)fr + sizeof(acc_frame), 0, sizeof *fr - sizeof(acc_frame));
    fr->res = res;
    fr->fd = fd;
    fr->dir = dir;
    return fr;
}

static bool again(int e) { return e == EAGAIN || e == EWOULDBLOCK; }

/* ---- readiness ----------------------------------------------------------- */

static io_step try_ready(io_frame *fr) {
    /* First pass: wait; after a wake-up: ready. */
    if (fr->hdr.acc__state == IO_TRY)
        return (io_step){fr->fd >= 0, fr->fd >= 0 ? 0 : -EBADF};
    return (io_step){false, 0};
}

ACC__RUNTIME_FN(readable_info, readable_resume, "acc_readable");
ACC__RUNTIME_FN(writable_info, writable_resume, "acc_writable");

static int readable_resume(acc_frame *f) { return io_run((io_frame *)f, try_ready, false); }
static int writable_resume(acc_frame *f) { return io_run((io_frame *)f, try_ready, false); }

acc_frame *acc_readable__acc(int *res, int fd) {
    io_frame *fr = io_new(&readable_info, res, false, fd, ACC__READ);
    return fr ? &fr->hdr : NULL;
}

acc_frame *acc_writable__acc(int *res, int fd) {
    io_frame *fr = io_new(&writable_info, res, false, fd, ACC__WRITE);
    return fr ? &fr->hdr : NULL;
}

/* ---- the system calls, through a fault injector ------------------------------ */

/*
 * Every read, write, send and accept of this file goes through sys_*, where
 * tests inject the faults the kernel may answer with (neco's fail counters):
 * ACC_IO_FAULTS holds a comma-separated list of
 *   eintr   every other call fails with EINTR before doing anything
 *   eagain  every other call fails with EAGAIN (a spurious wake-up)
 *   short   reads and writes move at most one byte
 * The code above them must give the same results as without faults.
 * Only in test builds (ACC_TEST_HOOKS); release builds call the kernel.
 */
#ifdef ACC_TEST_HOOKS
enum { FAULT_EINTR = 1, FAULT_EAGAIN = 2, FAULT_SHORT = 4 };
static int fault_mode = -1;
static _Thread_local unsigned fault_tick;

static int faults(void) {
    if (fault_mode < 0) {
        const char *e = getenv("ACC_IO_FAULTS");
        int m = 0;
        if (e) {
            m |= strstr(e, "eintr") ? FAULT_EINTR : 0;
            m |= strstr(e, "eagain") ? FAULT_EAGAIN : 0;
            m |= strstr(e, "short") ? FAULT_SHORT : 0;
        }
        fault_mode = m;
    }
    return fault_mode;
}

/* True (with errno set) when this call is to fail before it is made. */
static bool fault_now(void) {
    int m = faults();
    if (!(m & (FAULT_EINTR | FAULT_EAGAIN)) || (fault_tick++ & 1))
        return false;
    errno = (m & FAULT_EINTR) && (!(m & FAULT_EAGAIN) || (fault_tick & 2)) ? EINTR : EAGAIN;
    return true;
}

static size_t fault_len(size_t n) { return (faults() & FAULT_SHORT) && n > 1 ? 1 : n; }

static ssize_t sys_read(int fd, void *buf, size_t n) {
    return fault_now() ? -1 : read(fd, buf, fault_len(n));
}

static ssize_t sys_send(int fd, const void *buf, size_t n, int flags) {
    return fault_now() ? -1 : send(fd, buf, fault_len(n), flags);
}

static ssize_t sys_write(int fd, const void *buf, size_t n) {
    return fault_now() ? -1 : write(fd, buf, fault_len(n));
}

static int sys_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return fault_now() ? -1 : accept4(fd, addr, len, flags);
}
#else /* release builds: the system calls themselves */
static ssize_t sys_read(int fd, void *buf, size_t n) { return read(fd, buf, n); }
static ssize_t sys_send(int fd, const void *buf, size_t n, int flags) { return send(fd, buf, n, flags); }
static ssize_t sys_write(int fd, const void *buf, size_t n) { return write(fd, buf, n); }
static int sys_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return accept4(fd, addr, len, flags);
}
#endif

/* ---- read / write -------------------------------------------------------- */

static io_step try_read(io_frame *fr) {
    for (;;) {
        ssize_t r = sys_read(fr->fd, fr->buf, fr->n);
        if (r >= 0)
            return (io_step){false, r};
        if (errno != EINTR)
            return again(errno) ? (io_step){true, 0} : (io_step){false, -errno};
    }
}

/*
 * Sockets are written with send(MSG_NOSIGNAL): a peer that has gone away
 * gives -EPIPE, never a SIGPIPE that kills the process.  Pipes and other
 * descriptors fall back to write() (a closed pipe still raises SIGPIPE
 * there, as for any write(2) by the program).
 */
static ssize_t write_some(io_frame *fr, const char *p, size_t n) {
    if (!fr->notsock) {
        ssize_t r = sys_send(fr->fd, p, n, MSG_NOSIGNAL);
        if (r >= 0 || errno != ENOTSOCK)
            return r;
        fr->notsock = true;
    }
    return sys_write(fr->fd, p, n);
}

/* Partial writes go on from where they stopped, after EAGAIN too. */
static io_step try_write(io_frame *fr) {
    while (fr->done < fr->n) {
        ssize_t r = write_some(fr, (char *)fr->buf + fr->done, fr->n - fr->done);
        if (r >= 0)
            fr->done += (size_t)r;
        else if (again(errno))
            return (io_step){true, 0};
        else if (errno != EINTR)
            return (io_step){false, -errno};
    }
    return (io_step){false, (ssize_t)fr->done};
}

ACC__RUNTIME_FN(read_info, read_resume, "acc_read");
ACC__RUNTIME_FN(write_info, write_resume, "acc_write");

static int read_resume(acc_frame *f) { return io_run((io_frame *)f, try_read, true); }
static int write_resume(acc_frame *f) { return io_run((io_frame *)f, try_write, true); }

acc_frame *acc_read__acc(ssize_t *res, int fd, void *buf, size_t n) {
    io_frame *fr = io_new(&read_info, res, true, fd, ACC__READ);
    if (!fr)
        return NULL;
    fr->buf = buf;
    fr->n = n;
    return &fr->hdr;
}

acc_frame *acc_write__acc(ssize_t *res, int fd, const void *buf, size_t n) {
    io_frame *fr = io_new(&write_info, res, true, fd, ACC__WRITE);
    if (!fr)
        return NULL;
    fr->buf = (void *)buf;
    fr->n = n;
    return &fr->hdr;
}

/* ---- accept / connect ---------------------------------------------------- */

/*
 * EMFILE / ENFILE (out of descriptors) come back to the caller as they are:
 * the pending connection stays in the backlog and the listening socket
 * stays readable, so a caller that retried at once would spin.  The caller
 * backs off instead (net/http_server.ac sleeps before the next accept).
 */
static io_step try_accept(io_frame *fr) {
    for (;;) {
        int fd = sys_accept4(fr->fd, fr->buf, fr->addrlen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0)
            return (io_step){false, fd};
        if (again(errno))
            return (io_step){true, 0};
        if (errno != EINTR && errno != ECONNABORTED)
            return (io_step){false, -errno};
    }
}

/* First pass: start the connection; after writability: its outcome. */
static io_step try_connect(io_frame *fr) {
    if (fr->hdr.acc__state == IO_WAIT) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(fr->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
            err = errno;
        return (io_step){false, -err};
    }
    if (connect(fr->fd, fr->buf, fr->alen) == 0)
        return (io_step){false, 0};
    if (errno == EINPROGRESS || errno == EINTR || errno == EAGAIN)
        return (io_step){true, 0};
    return (io_step){false, -errno};
}

ACC__RUNTIME_FN(accept_info, accept_resume, "acc_accept");
ACC__RUNTIME_FN(connect_info, connect_resume, "acc_connect");

static int accept_resume(acc_frame *f) { return io_run((io_frame *)f, try_accept, false); }
static int connect_resume(acc_frame *f) { return io_run((io_frame *)f, try_connect, false); }

acc_frame *acc_accept__acc(int *res, int lfd, struct sockaddr *addr, socklen_t *addrlen) {
    io_frame *fr = io_new(&accept_info, res, false, lfd, ACC__READ);
    if (!fr)
        return NULL;
    fr->buf = addr;
    fr->addrlen = addrlen;
    return &fr->hdr;
}

acc_frame *acc_connect__acc(int *res, int fd, const struct sockaddr *addr, socklen_t addrlen) {
    io_frame *fr = io_new(&connect_info, res, false, fd, ACC__WRITE);
    if (!fr)
        return NULL;
    fr->buf = (void *)addr;
    fr->alen = addrlen;
    return &fr->hdr;
}

/* ---- TCP helpers ---------------------------------------------------------- */

static int listen_on(const struct addrinfo *a, int backlog) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0)
        return -errno;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, a->ai_addr, a->ai_addrlen) < 0 || listen(fd, backlog) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

int acc_tcp_listen(const char *host, int port, int backlog) {
    struct addrinfo *ai = NULL;
    int r = acc__resolve(host, port, SOCK_STREAM, true, &ai);
    if (r < 0)
        return r;
    r = -EADDRNOTAVAIL;
    for (struct addrinfo *a = ai; a; a = a->ai_next)
        if ((r = listen_on(a, backlog > 0 ? backlog : SOMAXCONN)) >= 0)
            break;
    freeaddrinfo(ai);
    return r;
}
