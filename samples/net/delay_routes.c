/*
 * delay_routes.c: the delay server's handlers (see delay_routes.h).  Plain
 * C callbacks: the reply's `delay` makes the connection's task sleep
 * before it sends the page, so a hundred slow pages cost no thread.
 */
#define _POSIX_C_SOURCE 200809L
#include "delay_routes.h"

#include <stdlib.h>
#include <string.h>

#include "sample.h"

size_t delay_page_size(long n) { return 1000 + 10 * (size_t)(n < 0 ? 0 : n % 100000); }

static int page(const acc_http_req *req, acc_http_reply *rep, void *arg)
{
    (void)arg;
    char *end;
    long ms = strtol(req->path + strlen("/delay/"), &end, 10);
    long n = 0;
    if (ms < 0 || ms > 60000 || (*end != '/' && *end != '\0'))
        return acc_http_reply_text(rep, 400, "usage: /delay/<ms>/<n>\n");
    if (*end == '/')
        n = strtol(end + 1, NULL, 10);
    size_t size = delay_page_size(n);
    char *text = malloc(size);
    if (!text)
        return -1;
    for (size_t i = 0; i < size; i++)
        text[i] = i % 64 == 63 ? '\n' : (char)('a' + (n + (long)i) % 26);
    int r = acc_http_reply_body(rep, 200, "text/plain", text, size);
    free(text);
    rep->delay = sample_delay((double)ms / 1000.0);
    return r;
}

static int quit(const acc_http_req *req, acc_http_reply *rep, void *arg)
{
    (void)req;
    acc_http_server_stop(arg);
    rep->close = true;
    return acc_http_reply_text(rep, 200, "bye\n");
}

int delay_routes_add(acc_http_server *srv)
{
    int r = acc_http_server_route(srv, "GET", "/delay/", true, page, NULL);
    return r < 0 ? r : acc_http_server_route(srv, "GET", "/quit", false, quit, srv);
}
