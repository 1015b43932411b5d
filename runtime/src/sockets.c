/*
 * sockets.c: datagram endpoints (loop.create_datagram_endpoint, the
 * sock_sendto / sock_recvfrom of asyncio's low-level API) and Unix stream
 * sockets (asyncio.start_unix_server, open_unix_connection).
 *
 * UDP: acc_udp_open makes a non-blocking datagram socket bound to a local
 * address (port 0: any free one), acc_udp_connect fixes its peer, and the
 * awaits acc_udp_sendto / acc_udp_recvfrom move one datagram each: the
 * system call is tried first, and only on EAGAIN does the task wait for
 * the socket to become ready.  Addresses are numeric or resolved at once
 * (as acc_tcp_listen); resolve names with acc_getaddrinfo first.
 *
 * Unix: acc_unix_listen binds a listening stream socket to a path, or,
 * for a path that starts with '@', to a name in Linux's abstract namespace
 * (no file); acc_unix_connect connects to one.  The streams they give are
 * read and written with acc_read / acc_write, accepted with acc_accept.
 * acc_unix_close_listener closes the socket and unlinks its file (as
 * asyncio's Server.close does since 3.13).
 */
#define _GNU_SOURCE
#include "acc_int.h"

#include <netdb.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- one datagram: sendto / recvfrom --------------------------------------- */

typedef struct dg_frame {
    acc_frame hdr;
    acc__ssize_t *res;
    int fd;
    bool send;
    void *buf;
    size_t n;
    struct sockaddr *addr;
    socklen_t alen;         /* sendto: the address's length */
    acc__socklen_t *addrlen; /* recvfrom: in/out */
    bool watching;
    acc__waiter w;
} dg_frame;

ACC__RUNTIME_FN(sendto_info, dg_resume, "acc_udp_sendto");
ACC__RUNTIME_FN(recvfrom_info, dg_resume, "acc_udp_recvfrom");

static int dg_finish(dg_frame *fr, ssize_t r) {
    if (fr->watching)
        acc__fd_unwatch(acc__running_loop(), fr->fd, fr->send ? ACC__WRITE : ACC__READ, &fr->w);
    fr->watching = false;
    fr->hdr.acc__state = 2;
    if (fr->res)
        *fr->res = r;
    return ACC__DONE;
}

static int dg_resume(acc_frame *f) {
    dg_frame *fr = (dg_frame *)f;
    acc_task *self = acc__current();
    if (f->acc__state == 2)
        return ACC__DONE;
    if (f->acc__state == 1) {
        if (!fr->w.done && !acc__task_cancelled(self))
            return ACC__PENDING;
        acc__fd_unwatch(acc__running_loop(), fr->fd, fr->send ? ACC__WRITE : ACC__READ, &fr->w);
        fr->watching = false;
    }
    if (acc__task_cancelled(self))
        return dg_finish(fr, -ECANCELED);
    for (;;) {
        ssize_t r;
        if (fr->send) {
            r = sendto(fr->fd, fr->buf, fr->n, MSG_NOSIGNAL, fr->addr, fr->addr ? fr->alen : 0);
        } else {
            socklen_t len = fr->addrlen ? *fr->addrlen : 0;
            r = recvfrom(fr->fd, fr->buf, fr->n, 0, fr->addrlen ? fr->addr : NULL,
                         fr->addrlen ? &len : NULL);
            if (r >= 0 && fr->addrlen)
                *fr->addrlen = len;
        }
        if (r >= 0)
            return dg_finish(fr, r);
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return dg_finish(fr, -errno);
        break;
    }
    int r = acc__fd_watch(acc__running_loop(), fr->fd, fr->send ? ACC__WRITE : ACC__READ, &fr->w);
    if (r < 0)
        return dg_finish(fr, r);
    fr->watching = true;
    f->acc__state = 1;
    return ACC__PENDING;
}

static dg_frame *dg_new(const acc__rtinfo *info, acc__ssize_t *res, int fd, void *buf, size_t n) {
    dg_frame *fr = ACC__NEW_FRAME(dg_frame, info, NULL);
    if (!fr) {
        if (res)
            *res = -ENOMEM;
        return NULL;
    }
    memset((char *)fr + sizeof(acc_frame), 0, sizeof *fr - sizeof(acc_frame));
    fr->res = res;
    fr->fd = fd;
    fr->buf = buf;
    fr->n = n;
    return fr;
}

acc_frame *acc_udp_sendto__acc(acc__ssize_t *res, int fd, const void *buf, size_t n,
                               const struct sockaddr *addr, acc__socklen_t addrlen) {
    dg_frame *fr = dg_new(&sendto_info, res, fd, (void *)buf, n);
    if (!fr)
        return NULL;
    fr->send = true;
    fr->addr = (struct sockaddr *)addr;
    fr->alen = addrlen;
    return &fr->hdr;
}

acc_frame *acc_udp_recvfrom__acc(acc__ssize_t *res, int fd, void *buf, size_t n,
                                 struct sockaddr *addr, acc__socklen_t *addrlen) {
    dg_frame *fr = dg_new(&recvfrom_info, res, fd, buf, n);
    if (!fr)
        return NULL;
    fr->addr = addr;
    fr->addrlen = addrlen;
    return &fr->hdr;
}

/* ---- UDP endpoints --------------------------------------------------------- */

int acc_udp_open(const char *host, int port) {
    struct addrinfo *ai = NULL;
    int r = acc__resolve(host, port, SOCK_DGRAM, true, &ai);
    if (r < 0)
        return r;
    r = -EADDRNOTAVAIL;
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            r = -errno;
            continue;
        }
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0) {
            r = fd;
            break;
        }
        r = -errno;
        close(fd);
    }
    freeaddrinfo(ai);
    return r;
}

int acc_udp_connect(int fd, const char *host, int port) {
    if (fd < 0)
        return -EBADF;
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return -errno;
    struct addrinfo *ai = NULL;
    int r = acc__resolve(host, port, SOCK_DGRAM, false, &ai);
    if (r < 0)
        return r;
    r = -EAFNOSUPPORT;
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        if (a->ai_family != ss.ss_family)
            continue;
        r = connect(fd, a->ai_addr, a->ai_addrlen) == 0 ? 0 : -errno;
        if (r == 0)
            break;
    }
    freeaddrinfo(ai);
    return r;
}

/* ---- Unix stream sockets --------------------------------------------------- */

/* Fills a sockaddr_un from a path ('@' first: the abstract namespace). */
static int unix_addr(const char *path, struct sockaddr_un *sa, socklen_t *len) {
    if (!path || !*path)
        return -EINVAL;
    size_t n = strlen(path);
    if (n >= sizeof sa->sun_path)
        return -ENAMETOOLONG;
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    memcpy(sa->sun_path, path, n);
    if (path[0] == '@') {
#ifdef __linux__
        sa->sun_path[0] = '\0';
        *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
#else
        return -EAFNOSUPPORT;
#endif
    } else {
        *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
    }
    return 0;
}

int acc_unix_listen(const char *path, int backlog) {
    struct sockaddr_un sa;
    socklen_t len;
    int r = unix_addr(path, &sa, &len);
    if (r < 0)
        return r;
    /* a socket file left by an earlier run is replaced, anything else kept */
    struct stat st;
    if (path[0] != '@' && stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (bind(fd, (struct sockaddr *)&sa, len) < 0 ||
        listen(fd, backlog > 0 ? backlog : SOMAXCONN) < 0) {
        r = -errno;
        close(fd);
        return r;
    }
    return fd;
}

void acc_unix_close_listener(int lfd, const char *path) {
    if (lfd >= 0)
        close(lfd);
    struct stat st;
    if (path && path[0] && path[0] != '@' && stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);
}

/*
 * acc_unix_connect: connect(2) on a non-blocking Unix stream socket either
 * completes at once or fails with EAGAIN when the listener's backlog is
 * full; then the attempt is made again after a short sleep (growing from
 * 1 ms to 100 ms), since no readiness tells when the backlog has room.
 */
typedef struct uc_frame {
    acc_frame hdr;
    int *res;
    struct sockaddr_un sa;
    socklen_t len;
    int fd, st;
    double backoff;
} uc_frame;

ACC__RUNTIME_FN(uc_info, uc_resume, "acc_unix_connect");

static int uc_finish(uc_frame *fr, int r) {
    if (r < 0 && fr->fd >= 0)
        close(fr->fd);
    fr->hdr.acc__state = 3;
    if (fr->res)
        *fr->res = r;
    return ACC__DONE;
}

/* Connects, or sleeps and tries again while the backlog is full. */
static int uc_attempt(uc_frame *fr) {
    acc_frame *f = &fr->hdr;
    for (;;) {
        if (connect(fr->fd, (struct sockaddr *)&fr->sa, fr->len) == 0)
            return uc_finish(fr, fr->fd);
        if (errno == EINPROGRESS) {
            f->acc__state = 2;
            if (acc__await(f, acc_connect__acc(&fr->st, fr->fd, (struct sockaddr *)&fr->sa, fr->len)))
                return ACC__PENDING;
            return uc_finish(fr, fr->st < 0 ? fr->st : fr->fd);
        }
        if (errno != EAGAIN && errno != EINTR)
            return uc_finish(fr, -errno);
        fr->backoff = fr->backoff < 0.001 ? 0.001 : fr->backoff * 2 > 0.1 ? 0.1 : fr->backoff * 2;
        f->acc__state = 1;
        if (acc__await(f, acc_sleep__acc(&fr->st, fr->backoff)))
            return ACC__PENDING;
        if (fr->st < 0)
            return uc_finish(fr, fr->st);
    }
}

static int uc_resume(acc_frame *f) {
    uc_frame *fr = (uc_frame *)f;
    switch (f->acc__state) {
    case 0:
        if (acc__task_cancelled(acc__current()))
            return uc_finish(fr, -ECANCELED);
        if (fr->st < 0)
            return uc_finish(fr, fr->st);
        fr->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fr->fd < 0)
            return uc_finish(fr, -errno);
        return uc_attempt(fr);
    case 1: /* after a sleep */
        if (fr->st < 0)
            return uc_finish(fr, fr->st);
        return uc_attempt(fr);
    case 2: /* after acc_connect */
        return uc_finish(fr, fr->st < 0 ? fr->st : fr->fd);
    default:
        return ACC__DONE;
    }
}

acc_frame *acc_unix_connect__acc(int *res, const char *path) {
    uc_frame *fr = ACC__NEW_FRAME(uc_frame, &uc_info, res);
    if (!fr)
        return NULL;
    fr->res = res;
    fr->fd = -1;
    fr->backoff = 0;
    fr->st = unix_addr(path, &fr->sa, &fr->len);
    return &fr->hdr;
}
