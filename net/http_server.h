/*
 * http_server.h: an HTTP/1.1 server for acc programs.
 *
 *     static async int hello(const acc_http_req *req, acc_http_reply *rep, void *arg) {
 *         await acc_sleep(0.1);   // a handler may await anything
 *         return acc_http_reply_text(rep, 200, "hello\n");
 *     }
 *     ...
 *     acc_http_server *srv = acc_http_server_new();
 *     acc_http_server_route(srv, "GET", "/hello", false, hello, NULL);
 *     int port = acc_http_server_listen(srv, "127.0.0.1", 0);   // 0: any free port
 *     await acc_http_serve(srv);      // until acc_http_server_stop(srv)
 *     acc_http_server_free(srv);
 *
 * One task per connection, over TCP or TLS (acc_http_server_tls); keep-alive (HTTP/1.1 by default, HTTP/1.0 on
 * request); request bodies with Content-Length or chunked; "Expect:
 * 100-continue" (HTTP/1.1 clients only); a bounded head (431) and body
 * (413); malformed requests get 400 (or 501/505) and the connection is
 * closed, a missing (HTTP/1.1), repeated or malformed Host included, as
 * nginx does; absolute-form targets and bare-LF line ends are accepted.  Slow clients are cut
 * off by timeouts: for the head of the first request, for a keep-alive
 * connection's idle time, for the body, and for writing the reply.
 *
 * Handlers are async functions, one per route, awaited by the
 * connection's task: a handler may await anything (a sleep, a request to
 * another server, a queue, the executor) while other connections go on.
 * When the client goes away while a handler is suspended (end of stream or
 * an error on the socket), or the server stops, the connection's task is
 * cancelled: the handler's awaits complete with -ECANCELED, it finishes
 * through its own code (freeing what it holds), and no reply is sent.
 * The server object is reference-counted: acc_http_server_free may be
 * called while cancelled connection tasks are still finishing.
 */
#ifndef ACC_HTTP_SERVER_H
#define ACC_HTTP_SERVER_H

#include <acc.h>
#include "http_parse.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A request as handlers see it; owned by the server, valid during the call. */
typedef struct acc_http_req {
    const char *method;  /* "GET" */
    const char *path;    /* "/delay/500" (the target up to '?') */
    const char *query;   /* after '?', or "" */
    int minor;           /* HTTP/1.<minor> */
    const acc_http_head *head; /* header fields: acc_http_request_header() */
    const char *body;    /* NUL-terminated, "" when there is none */
    size_t body_len;
} acc_http_req;

/* A reply a handler fills; owned by the server. */
typedef struct acc_http_reply {
    int status;                /* 200 by default */
    const char *content_type;  /* "text/plain" by default; NULL for none */
    char *body;                /* set through the functions below */
    size_t body_len;
    char *headers;             /* extra header lines ("Name: value\r\n"...) */
    size_t headers_len;
    bool chunked;              /* send the body with chunked coding */
    size_t chunk_size;         /* bytes per chunk when chunked (default 4096) */
    bool close;                /* close the connection after this reply */
} acc_http_reply;

/* A handler fills rep and returns 0, or fails with a negative status (the
 * client gets 500).  `req` and `rep` stay valid until it returns. */
typedef async int acc_http_handler(const acc_http_req *req, acc_http_reply *rep, void *arg);

typedef struct acc_http_server acc_http_server;

/* Settings (read when a connection starts) and counters. */
typedef struct acc_http_server_config {
    size_t max_head;        /* request line plus headers: 8 KiB (431 beyond) */
    size_t max_body;        /* 1 MiB (413 beyond) */
    double head_timeout;    /* the first request's head: 10 s */
    double idle_timeout;    /* between keep-alive requests: 5 s */
    double body_timeout;    /* a request body: 30 s */
    double write_timeout;   /* a reply: 30 s */
    int max_connections;    /* 4096: more are accepted and closed at once */
} acc_http_server_config;

typedef struct acc_http_server_stats {
    unsigned long connections, requests, errors, accept_backoffs;
    unsigned long tls_failures; /* handshakes that failed or timed out */
    unsigned long cancelled;    /* handlers cancelled: the client went away or the server stopped */
    int active;
} acc_http_server_stats;

acc_http_server *acc_http_server_new(void); /* NULL: out of memory */
acc_http_server_config *acc_http_server_config_of(acc_http_server *srv);
const acc_http_server_stats *acc_http_server_stats_of(const acc_http_server *srv);
/* Routes, tried in the order added: `method` NULL matches any method;
 * `prefix` true matches every path starting with `path`.  0 or -ENOMEM. */
int acc_http_server_route(acc_http_server *srv, const char *method, const char *path, bool prefix,
                          acc_http_handler *fn, void *arg);
/* Serves HTTPS: a certificate chain and its key (PEM files; key_file NULL:
 * in cert_file).  Call before acc_http_serve.  0, ACC_HTTP_E_TLS_CONFIG or
 * -ENOMEM.  The handshake is bounded by head_timeout. */
int acc_http_server_tls(acc_http_server *srv, const char *cert_file, const char *key_file);
/* Binds and listens; returns the port (the chosen one for port 0) or -errno. */
int acc_http_server_listen(acc_http_server *srv, const char *host, int port);
/* Accepts and serves until acc_http_server_stop; then closes every
 * connection and returns 0 once they are gone.  Cancelled, it cancels
 * them and returns -ECANCELED at once. */
async int acc_http_serve(acc_http_server *srv);
/* Ends acc_http_serve (from a handler, another task or plain C). */
void acc_http_server_stop(acc_http_server *srv);
/* Drops the caller's reference. */
void acc_http_server_free(acc_http_server *srv);

/* The value of the first header called `name`, or NULL. */
const char *acc_http_request_header(const acc_http_req *req, const char *name);

/* Reply helpers: 0 or -ENOMEM.  The body is copied. */
int acc_http_reply_body(acc_http_reply *rep, int status, const char *content_type,
                        const void *body, size_t len);
int acc_http_reply_text(acc_http_reply *rep, int status, const char *text);
int acc_http_reply_printf(acc_http_reply *rep, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* -EINVAL for a name that is empty or holds CR, LF, ':' or white space, or
 * a value with CR or LF (no header injection). */
int acc_http_reply_header(acc_http_reply *rep, const char *name, const char *value);
/* The reason phrase of a status ("Not Found"). */
const char *acc_http_reason(int status);

#ifdef __cplusplus
}
#endif

#endif /* ACC_HTTP_SERVER_H */
