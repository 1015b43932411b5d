/*
 * connect.c: acc_tcp_connect and acc_tcp_connect_with, Happy Eyeballs
 * (RFC 8305) over the addresses of a host (asyncio's create_connection
 * with happy_eyeballs_delay and interleave=1).
 *
 * The host is resolved with acc_getaddrinfo (cancellable: a stuck resolver
 * holds no task).  The addresses are ordered by interleaving the families,
 * starting with that of the first address getaddrinfo gave (RFC 8305 4);
 * then connection attempts start one after another, the next one when the
 * Connection Attempt Delay (0.25 s by default) has passed since the last
 * start or as soon as every attempt in flight has failed.  The first
 * attempt to connect wins; the others are closed.  Each attempt also has
 * its own timeout (30 s by default), after which it counts as failed with
 * -ETIMEDOUT.  When every address has failed, the status is the error of
 * the last attempt to fail.
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

#define DEFAULT_DELAY 0.25
#define DEFAULT_ATTEMPT_TIMEOUT 30.0

typedef struct attempt {
    const struct addrinfo *a;
    int index; /* in the list as given */
    int fd;
    bool watching;
    uint64_t deadline; /* monotonic ns; 0: none */
    acc__waiter w;
} attempt;

typedef struct he_frame {
    acc_frame hdr;
    int *res;
    const char *host;
    int port;
    acc_tcp_connect_opts o;
    char service[16];
    struct addrinfo hints;
    struct addrinfo *ai; /* resolved here: freed at the end */
    int gst;
    attempt *att;        /* in the order attempts are made */
    size_t n, next, active;
    uint64_t next_start;
    int last;
    acc__timer tm;
} he_frame;

ACC__RUNTIME_FN(he_info, he_resume, "acc_tcp_connect");

static void att_close(acc_loop *loop, attempt *t) {
    if (t->watching)
        acc__fd_unwatch(loop, t->fd, ACC__WRITE, &t->w);
    t->watching = false;
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
}

static int he_finish(he_frame *fr, int result) {
    acc_loop *loop = acc__running_loop();
    acc__timer_stop(loop, &fr->tm);
    for (size_t i = 0; i < fr->n; i++)
        if (fr->att[i].fd != result)
            att_close(loop, &fr->att[i]);
    free(fr->att);
    fr->att = NULL;
    if (fr->ai)
        freeaddrinfo(fr->ai);
    fr->ai = NULL;
    fr->hdr.acc__state = 3;
    if (fr->res)
        *fr->res = result;
    return ACC__DONE;
}

static int he_won(he_frame *fr, attempt *t) {
    int one = 1; /* request/response traffic: no Nagle delay on small writes */
    (void)setsockopt(t->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (fr->o.winner)
        *fr->o.winner = t->index;
    if (t->watching)
        acc__fd_unwatch(acc__running_loop(), t->fd, ACC__WRITE, &t->w);
    t->watching = false;
    return he_finish(fr, t->fd);
}

/* Orders the addresses: families interleaved, the first one's first. */
static int he_order(he_frame *fr, const struct addrinfo *list) {
    size_t n = 0;
    for (const struct addrinfo *a = list; a; a = a->ai_next)
        n++;
    if (n == 0)
        return -ENOENT;
    attempt *buf = calloc(2 * n, sizeof *buf);
    if (!buf)
        return -ENOMEM;
    attempt *same = buf + n, *other; /* scratch: the first family, then the others */
    size_t ns = 0, no = 0;
    int idx = 0;
    for (const struct addrinfo *a = list; a; a = a->ai_next, idx++)
        if (a->ai_family == list->ai_family)
            same[ns++] = (attempt){.a = a, .index = idx, .fd = -1};
    other = same + ns;
    idx = 0;
    for (const struct addrinfo *a = list; a; a = a->ai_next, idx++)
        if (a->ai_family != list->ai_family)
            other[no++] = (attempt){.a = a, .index = idx, .fd = -1};
    for (size_t k = 0, i = 0, j = 0; k < n; k++)
        buf[k] = (k % 2 == 0 ? i < ns : j >= no) ? same[i++] : other[j++];
    fr->att = buf;
    fr->n = n;
    return 0;
}

/* Starts attempt fr->next; false when it failed at once (fr->last set). */
static bool he_start(he_frame *fr, uint64_t now, bool *won) {
    attempt *t = &fr->att[fr->next++];
    const struct addrinfo *a = t->a;
    *won = false;
    t->fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (t->fd < 0) {
        fr->last = -errno;
        return false;
    }
    int r;
    while ((r = connect(t->fd, a->ai_addr, a->ai_addrlen)) < 0 && errno == EINTR)
        ;
    if (r == 0) {
        *won = true;
        return true;
    }
    if (errno != EINPROGRESS && errno != EAGAIN) {
        fr->last = -errno;
        close(t->fd);
        t->fd = -1;
        return false;
    }
    int e = acc__fd_watch(acc__running_loop(), t->fd, ACC__WRITE, &t->w);
    if (e < 0) {
        fr->last = e;
        close(t->fd);
        t->fd = -1;
        return false;
    }
    t->watching = true;
    t->deadline = fr->o.attempt_timeout > 0 ? now + acc__seconds_to_ns(fr->o.attempt_timeout) : 0;
    fr->active++;
    return true;
}

/* One look at every attempt, starting the next when it is time. */
static int he_step(he_frame *fr) {
    acc_loop *loop = acc__running_loop();
    acc__timer_stop(loop, &fr->tm);
    uint64_t now = acc__clock_ns();
    for (size_t i = 0; i < fr->next; i++) {
        attempt *t = &fr->att[i];
        if (t->fd < 0)
            continue;
        if (t->watching && t->w.done) {
            t->watching = false;
            int err = 0;
            socklen_t len = sizeof err;
            if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
                err = errno;
            if (err == 0)
                return he_won(fr, t);
            fr->last = -err;
        } else if (t->deadline && now >= t->deadline) {
            fr->last = -ETIMEDOUT;
        } else {
            continue;
        }
        att_close(loop, t);
        fr->active--;
    }
    while (fr->next < fr->n && (fr->active == 0 || now >= fr->next_start)) {
        bool won;
        bool started = he_start(fr, now, &won);
        if (won)
            return he_won(fr, &fr->att[fr->next - 1]);
        if (started) {
            fr->next_start = now + acc__seconds_to_ns(fr->o.delay);
            break;
        }
    }
    if (fr->active == 0)
        return he_finish(fr, fr->last);
    /* wake up for the next start or the first attempt deadline */
    uint64_t wake = fr->next < fr->n ? fr->next_start : UINT64_MAX;
    for (size_t i = 0; i < fr->next; i++)
        if (fr->att[i].fd >= 0 && fr->att[i].deadline && fr->att[i].deadline < wake)
            wake = fr->att[i].deadline;
    if (wake != UINT64_MAX) {
        uint64_t base = acc__loop_now(loop);
        int r = acc__timer_start(loop, &fr->tm, wake > base ? wake - base : 0);
        if (r < 0)
            return he_finish(fr, r);
    }
    fr->hdr.acc__state = 2;
    return ACC__PENDING;
}

static int he_resume(acc_frame *f) {
    he_frame *fr = (he_frame *)f;
    switch (f->acc__state) {
    case 0:
        if (acc__task_cancelled(acc__current()))
            return he_finish(fr, -ECANCELED);
        if (fr->o.addrs) {
            int r = he_order(fr, fr->o.addrs);
            return r < 0 ? he_finish(fr, r) : he_step(fr);
        }
        if (fr->port < 0 || fr->port > 65535)
            return he_finish(fr, -EINVAL);
        snprintf(fr->service, sizeof fr->service, "%d", fr->port);
        fr->hints.ai_family = AF_UNSPEC;
        fr->hints.ai_socktype = SOCK_STREAM;
        fr->hints.ai_flags = AI_NUMERICSERV;
        f->acc__state = 1;
        if (acc__await(f, acc_getaddrinfo__acc(&fr->gst, fr->host, fr->service, &fr->hints, &fr->ai)))
            return ACC__PENDING;
        /* fall through */
    case 1: {
        if (fr->gst < 0)
            return he_finish(fr, fr->gst);
        if (acc__task_cancelled(acc__current()))
            return he_finish(fr, -ECANCELED);
        int r = he_order(fr, fr->ai);
        return r < 0 ? he_finish(fr, r) : he_step(fr);
    }
    case 2:
        if (acc__task_cancelled(acc__current()))
            return he_finish(fr, -ECANCELED);
        return he_step(fr);
    default:
        return ACC__DONE;
    }
}

acc_frame *acc_tcp_connect_with__acc(int *res, const char *host, int port,
                                     const acc_tcp_connect_opts *opts) {
    he_frame *fr = ACC__NEW_FRAME(he_frame, &he_info, res);
    if (!fr)
        return NULL;
    memset((char *)fr + sizeof(acc_frame), 0, sizeof *fr - sizeof(acc_frame));
    fr->res = res;
    fr->host = host;
    fr->port = port;
    if (opts)
        fr->o = *opts;
    if (fr->o.delay <= 0)
        fr->o.delay = DEFAULT_DELAY;
    if (fr->o.attempt_timeout == 0)
        fr->o.attempt_timeout = DEFAULT_ATTEMPT_TIMEOUT;
    fr->last = -ECONNREFUSED;
    fr->tm.idx = ACC__TIMER_IDLE;
    return &fr->hdr;
}

acc_frame *acc_tcp_connect__acc(int *res, const char *host, int port) {
    return acc_tcp_connect_with__acc(res, host, port, NULL);
}
