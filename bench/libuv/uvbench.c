/*
 * uvbench.c: the libuv peer, hand-written callback C as libuv programs are.
 *
 *     uvbench sleepers N      N timers of 1.0 s, the "task" is a uv_timer_t
 *     uvbench timers N        N timers, random deadlines in [1 s, 2 s), a
 *                             third stopped: ns per start/stop, as acc's
 *     uvbench echo PORT       TCP echo server on 127.0.0.1:PORT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "../c/bench.h"

static long remaining;

static void on_fire(uv_timer_t *t) {
    (void)t;
    remaining--;
}

static int sleepers(long n) {
    double base = bench_peak_rss_mb(), t0 = bench_now();
    uv_timer_t *t = malloc((size_t)n * sizeof *t);
    for (long i = 0; i < n; i++) {
        uv_timer_init(uv_default_loop(), &t[i]);
        uv_timer_start(&t[i], on_fire, 1000, 0);
    }
    remaining = n;
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    double wall = bench_now() - t0, rss = bench_peak_rss_mb();
    printf("{\"wall_s\": %.3f, \"rss_mb\": %.1f, \"bytes_per_task\": %.1f}\n", wall, rss,
           (rss - base) * 1048576.0 / (double)n);
    return remaining != 0;
}

static int timers(long n) {
    uv_timer_t *t = malloc((size_t)n * sizeof *t);
    uint64_t seed = 88172645463325252u;
    double t0 = bench_now();
    for (long i = 0; i < n; i++) {
        uv_timer_init(uv_default_loop(), &t[i]);
        uv_timer_start(&t[i], on_fire, 1000 + bench_rand(&seed) % 1000, 0);
    }
    for (long i = 0; i < n; i += 3)
        uv_timer_stop(&t[i]);
    double t1 = bench_now();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    printf("{\"ns_per_op\": %.2f}\n", (t1 - t0) * 1e9 / (double)(n + (n + 2) / 3));
    return 0;
}

/* ---- echo: read into a fresh buffer, write it back, free it when written */

typedef struct {
    uv_write_t req;
    uv_buf_t buf;
} write_req;

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
    (void)h;
    (void)hint;
    buf->base = malloc(4096);
    buf->len = 4096;
}

static void on_close(uv_handle_t *h) { free(h); }

static void on_written(uv_write_t *req, int status) {
    (void)status;
    write_req *w = (write_req *)req;
    free(w->buf.base);
    free(w);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    if (n > 0) {
        write_req *w = malloc(sizeof *w);
        w->buf = uv_buf_init(buf->base, (unsigned)n);
        uv_write(&w->req, s, &w->buf, 1, on_written);
        return;
    }
    free(buf->base);
    if (n < 0)
        uv_close((uv_handle_t *)s, on_close);
}

static void on_connection(uv_stream_t *server, int status) {
    if (status < 0)
        return;
    uv_tcp_t *c = malloc(sizeof *c);
    uv_tcp_init(uv_default_loop(), c);
    if (uv_accept(server, (uv_stream_t *)c) == 0) {
        uv_tcp_nodelay(c, 1);
        uv_read_start((uv_stream_t *)c, on_alloc, on_read);
    } else {
        uv_close((uv_handle_t *)c, on_close);
    }
}

static int echo(int port) {
    static uv_tcp_t server;
    struct sockaddr_in addr;
    uv_ip4_addr("127.0.0.1", port, &addr);
    uv_tcp_init(uv_default_loop(), &server);
    int r = uv_tcp_bind(&server, (const struct sockaddr *)&addr, 0);
    if (r == 0)
        r = uv_listen((uv_stream_t *)&server, 4096, on_connection);
    if (r) {
        fprintf(stderr, "listen: %s\n", uv_strerror(r));
        return 1;
    }
    return uv_run(uv_default_loop(), UV_RUN_DEFAULT);
}

int main(int argc, char **argv) {
    const char *what = argc > 1 ? argv[1] : "";
    long n = bench_arg(argc, argv, 2, 1000000);
    if (!strcmp(what, "sleepers"))
        return sleepers(n);
    if (!strcmp(what, "timers"))
        return timers(n);
    if (!strcmp(what, "echo"))
        return echo((int)n);
    fprintf(stderr, "usage: uvbench sleepers|timers N | echo PORT\n");
    return 2;
}
