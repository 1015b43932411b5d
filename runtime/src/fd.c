/*
 * fd.c: the loop's descriptor registry: who waits on which descriptor, and
 * the interest registered with the poller backend.
 *
 * The interest registered with the poller is kept when the last waiter
 * leaves (a woken reader usually waits again soon: a server's connection),
 * so that waiting costs no epoll_ctl(ADD) and epoll_ctl(DEL) each time.  A
 * kept registration is `stale`: the user may have closed the descriptor
 * since (the kernel then dropped it) and the number may name another file
 * now, so the next wait confirms it with one update (epoll_ctl(MOD), which
 * falls back to ADD).  A descriptor that fires while nobody waits on it
 * loses its interest then.  The loop's own wake-up descriptor is always
 * watched.  (A descriptor closed while a duplicate of it, dup(2) or a
 * fork, stays open elsewhere keeps its kernel registration: close it while
 * no task waits on it, after a wait has ended, as usual, and the registry
 * drops it the first time it fires.)
 */
#include "acc_int.h"

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
    if (w->mask == mask && !(w->stale && mask))
        return 0;
    int r = loop->backend->update(loop, fd, w->mask, mask);
    if (r == 0 || mask == 0) {
        w->mask = mask;
        w->stale = false;
    }
    return r;
}

static int fd_waiters(const acc__fdw *w) {
    return (w->rd.acc__head ? ACC__READ : 0) | (w->wr.acc__head ? ACC__WRITE : 0);
}

/* The last waiter left: keep the interest, as stale. */
static void fd_left(acc_loop *loop, int fd) {
    acc__fdw *w = &loop->fds[fd];
    if (fd != loop->wake_rd && !fd_waiters(w))
        w->stale = true;
}

int acc__fd_reserve(acc_loop *loop, int fd) {
    int r = fd_table_grow(loop, fd);
    return r < 0 ? r : fd_set_mask(loop, fd, ACC__READ);
}

void acc__fd_table_free(acc_loop *loop) {
    acc__mfree(loop->fds);
    loop->fds = NULL;
    loop->nfds = 0;
}

int acc__fd_watch(acc_loop *loop, int fd, int dir, acc__waiter *w) {
    if (fd < 0)
        return -EBADF;
    int r = fd_table_grow(loop, fd);
    if (r < 0)
        return r;
    acc__fdw *fw = &loop->fds[fd];
    acc__waitq_push(dir == ACC__READ ? &fw->rd : &fw->wr, w, loop->current);
    r = fd_set_mask(loop, fd, fw->stale ? dir : fw->mask | dir);
    if (r < 0)
        acc__fd_unwatch(loop, fd, dir, w);
    return r;
}

void acc__fd_unwatch(acc_loop *loop, int fd, int dir, acc__waiter *w) {
    acc__fdw *fw = &loop->fds[fd];
    if (!w->done)
        acc__waitq_remove(dir == ACC__READ ? &fw->rd : &fw->wr, w);
    fd_left(loop, fd);
}

void acc__fd_ready(acc_loop *loop, int fd, int mask) {
    if (fd < 0 || fd >= loop->nfds)
        return;
    acc__fdw *fw = &loop->fds[fd];
    if (fw->stale) { /* it fired while nobody waited: drop the interest */
        fd_set_mask(loop, fd, 0);
        return;
    }
    if (mask & ACC__READ)
        acc__waitq_wake_all(&fw->rd);
    if (mask & ACC__WRITE)
        acc__waitq_wake_all(&fw->wr);
    int want = fd_waiters(fw);
    if (!want)
        fd_left(loop, fd);
    else if (fw->mask != want) /* a direction nobody waits in any more */
        fd_set_mask(loop, fd, want);
}
