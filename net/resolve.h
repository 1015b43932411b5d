/*
 * resolve.h: connecting by name without blocking the loop, and in a way a
 * timeout can abandon (internal to acc_net; used by the HTTP client).
 *
 * getaddrinfo blocks, and the runtime's acc_tcp_connect calls it on the
 * loop thread.  Here a name that is not an IP literal is resolved on a
 * thread of its own, which signals an eventfd the waiter awaits with
 * acc_readable; a waiter that leaves (timeout, cancellation) just drops its
 * reference and the thread frees the job when getaddrinfo returns.
 * Test hook: ACC_NET_RESOLVE_DELAY=<seconds> makes each threaded lookup
 * that slow (tests/net/http_test.ac).
 */
#ifndef ACC_NET_RESOLVE_H
#define ACC_NET_RESOLVE_H

#include <acc.h>

/* A connected non-blocking TCP socket to host:port (each address in turn),
 * or -errno (-ENOENT: no such name; -ECANCELED when abandoned). */
async int acc_http__tcp_connect(const char *host, int port);

#endif /* ACC_NET_RESOLVE_H */
