/* test_routes.c: the test server's handlers (see test_routes.h). */
#include "test_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void test_pattern(unsigned char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)((i * 31 + 7) & 0xff);
}

static long arg_num(const acc_http_req *req, const char *prefix)
{
    return strtol(req->path + strlen(prefix), NULL, 10);
}

static int hello(const acc_http_req *req, acc_http_reply *rep, void *arg)
{
    (void)req, (void)arg;
    return acc_http_reply_text(rep, 200, "hello\n");
}

static int echo(const acc_http_req *req, acc_http_reply *rep, void *arg)
{
    (void)arg;
    return acc_http_reply_body(rep, 200, "application/octet-stream", req->body, req->body_len);
}

static int sized(const acc_http_req *req, acc_http_reply *rep, void *arg)
{
    bool chunked = arg != NULL;
    long n = arg_num(req, chunked ? "/chunked/" : "/size/");
    if (n < 0 || n > (64L << 20))
        return acc_http_reply_text(rep, 400, "bad size\n");
    unsigned char *p = malloc((size_t)n + 1);
    if (!p)
        return -1;
    test_pattern(p, (size_t)n);
    int r = acc_http_reply_body(rep, 200, "application/octet-stream", p, (size_t)n);
    free(p);
    rep->chunked = chunked;
    rep->chunk_size = 1000;
    return r;
}

static int redirect(const acc_http_req *req, acc_http_reply *rep, void *arg)
{
    (void)arg;
    long k = arg_num(req, "/redirect/");
    if (k <= 0)
        return acc_http_reply_text(rep, 200, "landed\n");
    char loc[64];
    snprintf(loc, sizeof loc, "/redirect/%ld", k - 1);
    acc_http_reply_text(rep, 302, "elsewhere\n");
    return acc_http_reply_header(rep, "Location", loc);
}

static int relative(const acc_http_req *req, acc_http_reply *rep, void *arg)
{
    (void)req, (void)arg;
    acc_http_reply_text(rep, 301, "moved\n");
    return acc_http_reply_header(rep, "Location", "hello");
}

static int slow(const acc_http_req *req, acc_http_reply *rep, void *arg)
{
    (void)arg;
    rep->delay = (double)arg_num(req, "/slow/") / 1000.0;
    return acc_http_reply_text(rep, 200, "slow\n");
}

static int closing(const acc_http_req *req, acc_http_reply *rep, void *arg)
{
    (void)req, (void)arg;
    rep->close = true;
    return acc_http_reply_text(rep, 200, "bye\n");
}

static int fail(const acc_http_req *req, acc_http_reply *rep, void *arg)
{
    (void)req, (void)rep, (void)arg;
    return -1;
}

static int stats(const acc_http_req *req, acc_http_reply *rep, void *arg)
{
    (void)req;
    const acc_http_server_stats *st = acc_http_server_stats_of(arg);
    return acc_http_reply_printf(rep, 200, "%lu %lu\n", st->requests, st->connections);
}

static int quit(const acc_http_req *req, acc_http_reply *rep, void *arg)
{
    (void)req;
    acc_http_server_stop(arg);
    return acc_http_reply_text(rep, 200, "bye\n");
}

int test_routes_add(acc_http_server *srv)
{
    static int chunked_tag;
    int r = 0;
    r |= acc_http_server_route(srv, "GET", "/hello", false, hello, NULL);
    r |= acc_http_server_route(srv, "POST", "/echo", false, echo, NULL);
    r |= acc_http_server_route(srv, "GET", "/size/", true, sized, NULL);
    r |= acc_http_server_route(srv, "GET", "/chunked/", true, sized, &chunked_tag);
    r |= acc_http_server_route(srv, "GET", "/redirect/", true, redirect, NULL);
    r |= acc_http_server_route(srv, "GET", "/relative", false, relative, NULL);
    r |= acc_http_server_route(srv, "GET", "/slow/", true, slow, NULL);
    r |= acc_http_server_route(srv, "GET", "/close", false, closing, NULL);
    r |= acc_http_server_route(srv, "GET", "/fail", false, fail, NULL);
    r |= acc_http_server_route(srv, "GET", "/stats", false, stats, srv);
    r |= acc_http_server_route(srv, "GET", "/quit", false, quit, srv);
    return r ? -1 : 0;
}
