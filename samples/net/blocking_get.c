/*
 * blocking_get.c: a blocking HTTP/1.1 GET with "Connection: close" (see
 * blocking_get.h), parsed by acc's strict parsers.
 */
#define _GNU_SOURCE
#include "blocking_get.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http_parse.h"

static int connect_to(const char *host, int port)
{
    char service[16];
    struct addrinfo hints = {0}, *ai, *a;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(service, sizeof service, "%d", port);
    if (getaddrinfo(host, service, &hints, &ai) != 0)
        return -ENOENT;
    int fd = -ECONNREFUSED;
    for (a = ai; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            fd = -errno;
            continue;
        }
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
            break;
        int e = -errno;
        close(fd);
        fd = e;
    }
    freeaddrinfo(ai);
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The whole response, up to the server's close. */
static long recv_all(int fd, char **out)
{
    size_t len = 0, cap = 16384;
    char *buf = malloc(cap + 1);
    if (!buf)
        return -ENOMEM;
    for (;;) {
        if (len == cap) {
            char *nb = cap < (64u << 20) ? realloc(buf, cap * 2 + 1) : NULL;
            if (!nb) {
                free(buf);
                return -EFBIG;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = recv(fd, buf + len, cap - len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = -errno;
            free(buf);
            return e;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    buf[len] = '\0';
    *out = buf;
    return (long)len;
}

long blocking_get(const char *url, char **body)
{
    acc_http_url u;
    acc_http_head head;
    char req[4096], *resp = NULL;
    *body = NULL;
    int r = acc_http_parse_url(url, &u);
    if (r < 0)
        return r;
    int fd = connect_to(u.host, u.port);
    if (fd < 0)
        return fd;
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: blocking-get\r\n"
                     "Connection: close\r\n\r\n", u.path, u.host, u.port);
    long got = n > 0 && (size_t)n < sizeof req ? send_all(fd, req, (size_t)n) : -EINVAL;
    if (got == 0)
        got = recv_all(fd, &resp);
    close(fd);
    if (got < 0)
        return got;
    char *end = strstr(resp, "\r\n\r\n");
    acc_http_framing framing;
    uint64_t length = 0;
    r = end ? acc_http_parse_response_head(resp, (size_t)(end + 4 - resp), &head) : ACC_HTTP_E_TRUNCATED;
    if (r == 0)
        r = acc_http_response_framing(&head, "GET", &framing, &length);
    if (r == 0 && framing == ACC_HTTP_BODY_CHUNKED)
        r = ACC_HTTP_E_TRANSFER_ENCODING; /* a sample: Content-Length or close only */
    if (end)
        acc_http_head_free(&head); /* a failed parse left nothing; a good one may have */
    size_t blen = r == 0 ? (size_t)got - (size_t)(end + 4 - resp) : 0;
    if (r == 0 && framing == ACC_HTTP_BODY_LENGTH && blen != length)
        r = ACC_HTTP_E_TRUNCATED;
    if (r < 0) {
        free(resp);
        return r;
    }
    memmove(resp, end + 4, blen);
    resp[blen] = '\0';
    *body = resp;
    return (long)blen;
}
