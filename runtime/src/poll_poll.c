/*
 * poll_poll.c: the portable poll(2) backend.
 *
 * poll has no kernel-side interest set: each wait builds the pollfd array
 * from the loop's descriptor table.  `update` only keeps count of the
 * watched descriptors so the array can be grown there, where a failure
 * can be reported to the await that asked, and never inside `wait`.
 */
#include "acc_int.h"

#include <poll.h>

typedef struct poll_state {
    struct pollfd *pfd;
    acc__fired *out; /* what the last wait found, cap entries */
    size_t cap, watched;
} poll_state;

static int pl_init(acc_loop *loop) {
    poll_state *st = acc__malloc(sizeof *st);
    if (!st)
        return -ENOMEM;
    memset(st, 0, sizeof *st);
    loop->bdata = st;
    return 0;
}

static void pl_done(acc_loop *loop) {
    poll_state *st = loop->bdata;
    if (!st)
        return;
    acc__mfree(st->pfd);
    acc__mfree(st->out);
    acc__mfree(st);
    loop->bdata = NULL;
}

static int pl_update(acc_loop *loop, int fd, int oldmask, int newmask) {
    poll_state *st = loop->bdata;
    (void)fd;
    if (oldmask == 0 && newmask != 0) {
        if (st->watched == st->cap) {
            size_t cap = st->cap ? st->cap * 2 : 16;
            struct pollfd *p = acc__realloc(st->pfd, cap * sizeof *p);
            if (!p)
                return -ENOMEM;
            st->pfd = p;
            acc__fired *o = acc__realloc(st->out, cap * sizeof *o);
            if (!o)
                return -ENOMEM; /* pfd grew already: harmless */
            st->out = o;
            st->cap = cap;
        }
        st->watched++;
    } else if (oldmask != 0 && newmask == 0) {
        st->watched--;
    }
    return 0;
}

static int pl_wait(acc_loop *loop, int timeout_ms, const acc__fired **fired) {
    poll_state *st = loop->bdata;
    nfds_t n = 0;
    for (int fd = 0; fd < loop->nfds && n < st->cap; fd++) {
        int m = loop->fds[fd].mask;
        if (!m)
            continue;
        st->pfd[n].fd = fd;
        st->pfd[n].events = (short)((m & ACC__READ ? POLLIN : 0) | (m & ACC__WRITE ? POLLOUT : 0));
        st->pfd[n].revents = 0;
        n++;
    }
    int r = poll(st->pfd, n, timeout_ms);
    if (r < 0)
        return errno == EINTR ? 0 : -errno;
    /* The fired entries are packed into st->out, as large as st->pfd. */
    int k = 0;
    for (nfds_t i = 0; i < n && r > 0; i++) {
        short e = st->pfd[i].revents;
        if (!e)
            continue;
        r--;
        int mask = 0;
        if (e & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
            mask |= ACC__READ;
        if (e & (POLLOUT | POLLHUP | POLLERR | POLLNVAL))
            mask |= ACC__WRITE;
        st->out[k].fd = st->pfd[i].fd;
        st->out[k].mask = mask;
        k++;
    }
    *fired = st->out;
    return k;
}

const acc__backend acc__backend_poll = {"poll", pl_init, pl_done, pl_update, pl_wait};
