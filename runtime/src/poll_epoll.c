/*
 * poll_epoll.c: the epoll backend (Linux), after redis ae_epoll.c.
 *
 * Level-triggered.  The registry (fd.c) keeps a descriptor's interest
 * between waits and confirms it with a MOD (ADD when the kernel dropped it
 * because the descriptor was closed) before the next wait relies on it.
 */
#define _GNU_SOURCE
#include "acc_int.h"

#ifdef __linux__
#include <sys/epoll.h>
#include <unistd.h>

#define MAX_EVENTS 256

typedef struct ep_state {
    int epfd;
    struct epoll_event ev[MAX_EVENTS];
    acc__fired fired[MAX_EVENTS];
} ep_state;

static int ep_init(acc_loop *loop) {
    ep_state *st = acc__malloc(sizeof *st);
    if (!st)
        return -ENOMEM;
    st->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (st->epfd < 0) {
        int e = errno;
        acc__mfree(st);
        return -e;
    }
    loop->bdata = st;
    return 0;
}

static void ep_done(acc_loop *loop) {
    ep_state *st = loop->bdata;
    if (!st)
        return;
    close(st->epfd);
    acc__mfree(st);
    loop->bdata = NULL;
}

static int ep_update(acc_loop *loop, int fd, int oldmask, int newmask) {
    ep_state *st = loop->bdata;
    struct epoll_event ev = {0};
    ev.events = (newmask & ACC__READ ? EPOLLIN : 0) | (newmask & ACC__WRITE ? EPOLLOUT : 0);
    ev.data.fd = fd;
    int op = oldmask == 0 ? EPOLL_CTL_ADD : newmask == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
    if (epoll_ctl(st->epfd, op, fd, &ev) == 0)
        return 0;
    /* The user may have closed and reopened the number behind our back. */
    if (op == EPOLL_CTL_ADD && errno == EEXIST)
        return epoll_ctl(st->epfd, EPOLL_CTL_MOD, fd, &ev) == 0 ? 0 : -errno;
    if (op == EPOLL_CTL_MOD && errno == ENOENT)
        return epoll_ctl(st->epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
    if (op == EPOLL_CTL_DEL && (errno == ENOENT || errno == EBADF))
        return 0;
    return -errno;
}

static int ep_wait(acc_loop *loop, int timeout_ms, const acc__fired **fired) {
    ep_state *st = loop->bdata;
    int n = epoll_wait(st->epfd, st->ev, MAX_EVENTS, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : -errno;
    for (int i = 0; i < n; i++) {
        uint32_t e = st->ev[i].events;
        int mask = 0;
        if (e & (EPOLLIN | EPOLLHUP | EPOLLERR))
            mask |= ACC__READ;
        if (e & (EPOLLOUT | EPOLLHUP | EPOLLERR))
            mask |= ACC__WRITE;
        st->fired[i].fd = st->ev[i].data.fd;
        st->fired[i].mask = mask;
    }
    *fired = st->fired;
    return n;
}

const acc__backend acc__backend_epoll = {"epoll", ep_init, ep_done, ep_update, ep_wait};
#endif /* __linux__ */
