/*
 * loadgen.c: the echo load generator (not the thing measured).
 *
 *     loadgen PORT CONNECTIONS SECONDS [SIZE]
 *
 * Opens CONNECTIONS non-blocking TCP connections to 127.0.0.1:PORT; each
 * sends a SIZE-byte message (64 by default), waits for all of it to come
 * back, and sends the next: a closed loop, so requests/s measures the
 * server's turnaround.  One thread, epoll, edge-free.  The first 10% of the
 * time warms up and is not counted.  Prints requests/s and the 50th and
 * 99th percentile latency in microseconds as one JSON line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

typedef struct conn {
    int fd;
    size_t got;   /* bytes of the echo received so far */
    double sent;  /* when the current request was sent */
} conn;

static size_t msg_size = 64;
static char msg[65536], sink[65536];
static float *lat; /* latencies in microseconds, after the warm-up */
static size_t nlat, caplat;

static int dial(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int tries = 0; connect(fd, (struct sockaddr *)&a, sizeof a) < 0; tries++) {
        if (tries > 100) { /* the server may still be starting: 2 s */
            perror("connect");
            exit(1);
        }
        usleep(20000);
        close(fd);
        fd = socket(AF_INET, SOCK_STREAM, 0);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void send_request(conn *c) {
    c->got = 0;
    c->sent = bench_now();
    if (write(c->fd, msg, msg_size) != (ssize_t)msg_size) { /* 64 B fit a socket buffer */
        perror("write");
        exit(1);
    }
}

static int cmp_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: loadgen PORT CONNECTIONS SECONDS [SIZE]\n");
        return 2;
    }
    int port = atoi(argv[1]), nconn = atoi(argv[2]);
    double secs = atof(argv[3]);
    if (argc > 4)
        msg_size = (size_t)atol(argv[4]);
    memset(msg, 'x', sizeof msg);
    conn *cs = calloc((size_t)nconn, sizeof *cs);
    int ep = epoll_create1(0);
    for (int i = 0; i < nconn; i++) {
        cs[i].fd = dial(port);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &cs[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
    }
    caplat = 1 << 20;
    lat = malloc(caplat * sizeof *lat);
    double start = bench_now(), warm = start + secs * 0.1, end = start + secs;
    long done = 0;
    for (int i = 0; i < nconn; i++)
        send_request(&cs[i]);
    struct epoll_event evs[256];
    double now = start;
    while (now < end) {
        int n = epoll_wait(ep, evs, 256, 100);
        now = bench_now();
        for (int i = 0; i < n; i++) {
            conn *c = evs[i].data.ptr;
            ssize_t r = read(c->fd, sink, sizeof sink);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN)
                    continue;
                fprintf(stderr, "server closed a connection\n");
                return 1;
            }
            c->got += (size_t)r;
            if (c->got < msg_size)
                continue;
            if (c->sent >= warm) {
                done++;
                if (nlat == caplat)
                    lat = realloc(lat, (caplat *= 2) * sizeof *lat);
                lat[nlat++] = (float)((now - c->sent) * 1e6);
            }
            send_request(c);
        }
    }
    double counted = end - warm;
    qsort(lat, nlat, sizeof *lat, cmp_float);
    printf("{\"rps\": %.0f, \"p50_us\": %.1f, \"p99_us\": %.1f}\n", (double)done / counted,
           nlat ? lat[nlat / 2] : 0.0, nlat ? lat[(size_t)((double)nlat * 0.99)] : 0.0);
    return 0;
}
