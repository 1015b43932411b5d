/*
 * http_client.h: an HTTP/1.1 client for acc programs (aiohttp's
 * ClientSession, in C), for http:// and https:// URLs.
 *
 *     acc_http_client c;
 *     acc_http_client_init(&c);
 *     acc_http_response r;
 *     int st = await acc_http_get(&c, "http://127.0.0.1:8080/", &r);
 *     if (st == 0)
 *         printf("%d, %zu bytes\n", r.status, r.body_len);
 *     acc_http_response_free(&r);
 *     acc_http_client_destroy(&c);
 *
 * - https:// through OpenSSL (tls.h): the peer's certificate verified
 *   against the system store (SSL_CERT_FILE / SSL_CERT_DIR override it) or
 *   `ca_file`, its name against the host; a failure is
 *   ACC_HTTP_E_TLS_VERIFY with the reason in `tls_error`;
 * - compressed bodies: Accept-Encoding: gzip, deflate is sent (unless the
 *   caller's headers have one) and gzip / deflate bodies are inflated
 *   (zlib), within max_body (ACC_HTTP_E_BODY_TOO_LARGE for a bomb); the
 *   Content-Encoding header stays as the server sent it;
 * - GET, POST, any method through acc_http_request; bodies framed by
 *   Content-Length, chunked, or the end of the connection;
 * - connection limits (aiohttp's TCPConnector limit and limit_per_host):
 *   at most `limit` connections open (100), `limit_per_host` per scheme,
 *   host and port (none); requests beyond them wait in FIFO order (within
 *   the timeout) for a connection to come free, so 10,000 concurrent gets
 *   do not open 10,000 sockets;
 * - keep-alive: a finished connection goes back to the client's pool and
 *   the next request to the same scheme, host and port reuses it (a pooled
 *   connection the server has closed meanwhile, or one on which bytes
 *   arrived while idle, is not reused);
 * - redirects (301, 302, 303, 307, 308) up to `max_redirects`, Location
 *   resolved per RFC 3986; Authorization and Cookie are not sent on to
 *   another scheme, host or port;
 * - caller-given header lines must be "Name: value\r\n" with no other CR
 *   or LF (else ACC_HTTP_E_HEADER): no header injection;
 * - timeouts (-ETIMEDOUT), as aiohttp's ClientTimeout: `timeout` for the
 *   whole request (total), `connect_timeout` for a new connection
 *   (sock_connect), `read_timeout` for each wait for bytes (sock_read);
 *   names are looked up on a thread of their own that a timeout abandons
 *   (a slow resolver never holds a request past its timeout, nor the loop);
 * - a strict parser (http_parse.h): malformed responses give an
 *   ACC_HTTP_E_* status, never a crash or a hang.
 * Requests of one client may run concurrently from many tasks; each takes
 * its own connection.  Any HTTP status (404 included) is a success (0) with
 * resp->status set, as in aiohttp.
 */
#ifndef ACC_HTTP_CLIENT_H
#define ACC_HTTP_CLIENT_H

#include <acc.h>
#include "http_parse.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct acc_http__conn acc_http__conn;
typedef struct acc_http__host acc_http__host;
typedef struct acc_http__waiter acc_http__waiter;
typedef struct acc_tls_ctx acc_tls_ctx;

/* Caller-owned; the pooled connections are the client's. */
typedef struct acc_http_client {
    double timeout;        /* seconds for a whole request (redirects, name lookups,
                              waits for a connection included); <= 0: none. 30 */
    double connect_timeout; /* a new connection: lookup, TCP and TLS handshake; 0: none */
    double read_timeout;   /* any one wait for bytes from the server; 0: none */
    int max_redirects;     /* 5 */
    size_t max_head;       /* bytes of status line plus headers: 16 KiB */
    size_t max_body;       /* 64 MiB */
    bool keep_alive;       /* pool connections: true */
    bool decompress;       /* send Accept-Encoding: gzip, deflate and inflate such
                              bodies (max_body bounds the result): true */
    size_t max_idle;       /* pooled connections kept at most: 64 */
    size_t limit;          /* connections open at once, pooled ones included: 100; 0: none */
    size_t limit_per_host; /* the same per scheme, host and port: 0 (none) */
    const char *user_agent; /* "acc-http/0.1" */
    /* TLS, read at the first https:// request (NULL: the system store, no client certificate) */
    const char *ca_file;   /* trust these CAs (PEM) instead of the system store */
    const char *ca_dir;
    const char *cert_file; /* a client certificate (PEM) */
    const char *key_file;  /* its key; NULL: in cert_file */
    bool insecure;         /* no certificate verification (curl -k): tests only */
    char tls_error[256];   /* why the last TLS handshake failed, or "" */
    acc_tls_ctx *tls;      /* private: made at the first https:// request */
    /* statistics */
    unsigned long connects, reuses;
    unsigned long waits;   /* requests that queued for a connection */
    /* private */
    acc_http__conn *idle;  /* the pool, most recent first */
    size_t nidle;
    size_t nconns;         /* open or opening, pooled ones included */
    acc_http__host *hosts; /* the same per scheme, host and port */
    acc_http__waiter *wait_head, *wait_tail; /* requests waiting for a connection, FIFO */
    bool dispatching, redispatch;
} acc_http_client;

/* A response; everything in it is owned by it (acc_http_response_free). */
typedef struct acc_http_response {
    int status;            /* 200, 404, ... */
    int minor;             /* HTTP/1.<minor> */
    const char *reason;
    char *body;            /* NUL-terminated; NULL when there is none */
    size_t body_len;
    int redirects;         /* followed */
    acc_http_url url;      /* where the final response came from */
    char *head_buf;        /* the head's bytes: the strings below point here */
    acc_http_head head;    /* headers: acc_http_response_header() */
    /* private: a streamed body (acc_http_request_stream) */
    acc_http__conn *conn;  /* held until the body is read or resp freed */
    acc_http_client *client;
    int framing;           /* acc_http_framing */
    uint64_t left;         /* bytes left: of the body (LENGTH) or of the chunk */
    bool in_chunk, reusable;
    void *z;               /* a gzip / deflate body's z_stream, inflating as it is read */
    unsigned char *zbuf;   /* compressed bytes read ahead for it */
    size_t zfill;          /* bytes in zbuf */
    bool zdeflate;         /* Content-Encoding: deflate (raw deflate still possible) */
    bool zfirst;           /* zbuf still holds the body from its first byte */
    bool zend;             /* the compressed stream ended */
} acc_http_response;

void acc_http_client_init(acc_http_client *c);
/* Closes the pooled connections. */
void acc_http_client_destroy(acc_http_client *c);

/* 0 (resp filled: free it) or a negative errno / ACC_HTTP_E_* (resp empty). */
async int acc_http_get(acc_http_client *c, const char *url, acc_http_response *resp);
async int acc_http_post(acc_http_client *c, const char *url, const char *content_type,
                        const void *body, size_t len, acc_http_response *resp);
/* `headers`: extra header lines, each ended by "\r\n", or NULL. */
async int acc_http_request(acc_http_client *c, const char *method, const char *url,
                           const char *headers, const void *body, size_t len,
                           acc_http_response *resp);

/*
 * A request body read from a stream (a file, a pipe, another connection;
 * the caller's) to its end, as aiohttp's data=<async iterable>: sent with
 * Content-Length `length`, or chunked when length is -1 (-EFBIG when the
 * stream holds more than announced, ACC_HTTP_E_TRUNCATED when less).  The
 * body cannot be sent twice: a redirect that would send it again (307,
 * 308; 301 and 302 but for POST) comes back as the response, and a pooled
 * connection found closed by the server is not retried on a new one.
 */
typedef struct acc_stream acc_stream;
async int acc_http_request_body_stream(acc_http_client *c, const char *method, const char *url,
                                       const char *headers, acc_stream *body, long long length,
                                       acc_http_response *resp);

/*
 * Streaming (aiohttp's resp.content.read(n)): returns once the final
 * response's head is in (redirects followed), resp->body NULL; the body is
 * then read in pieces with acc_http_response_read, of any size (max_body
 * does not apply).  acc_http_response_free gives the connection back to
 * the pool when the body was read to its end, else closes it.  As for
 * whole bodies, Accept-Encoding: gzip, deflate is sent and gzip / deflate
 * bodies are inflated as they are read (unless `decompress` is false):
 * each read gives at most n decoded bytes, so a decompression bomb never
 * grows a buffer; a corrupt or cut compressed body is ACC_HTTP_E_ENCODING.
 * `timeout` covers getting the head, `read_timeout` each read.  The client
 * must outlive the response.
 */
async int acc_http_request_stream(acc_http_client *c, const char *method, const char *url,
                                  const char *headers, const void *body, size_t len,
                                  acc_http_response *resp);
/* Up to n bytes of a streamed body: > 0, 0 at its end, or a status
 * (ACC_HTTP_E_TRUNCATED, _CHUNK, -ETIMEDOUT, ...). */
async acc__ssize_t acc_http_response_read(acc_http_response *resp, void *buf, size_t n);

/* The value of the first header called `name`, or NULL. */
const char *acc_http_response_header(const acc_http_response *resp, const char *name);
void acc_http_response_free(acc_http_response *resp);

#ifdef __cplusplus
}
#endif

#endif /* ACC_HTTP_CLIENT_H */
