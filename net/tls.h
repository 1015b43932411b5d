/*
 * tls.h: TLS (OpenSSL) for acc streams, after asyncio's start_tls.
 *
 *     acc_tls_ctx *ctx;
 *     int st = acc_tls_ctx_new_client(&ctx, NULL);   // system store, verify on
 *     int fd = await acc_tcp_connect("example.org", 443);
 *     acc_stream s;
 *     acc_stream_init(&s, fd, 0);
 *     st = await acc_stream_tls_connect(&s, ctx, "example.org");
 *     // ... acc_stream_read / readline / write / flush as on a plain stream
 *     acc_stream_close(&s);              // close_notify, frees the TLS state
 *     acc_tls_ctx_free(ctx);
 *
 * The TLS engine works on memory buffers: the stream reads and writes the
 * socket with acc_read and acc_write, so every wait goes through the event
 * loop (no thread, no blocking call), timeouts and cancellation cover the
 * handshake like any other await, and a dead peer gives -EPIPE, never
 * SIGPIPE.
 *
 * Clients verify the peer by default: the chain against the system store
 * (SSL_CTX_set_default_verify_paths: the environment's SSL_CERT_FILE and
 * SSL_CERT_DIR override it, as everywhere in OpenSSL) or against
 * opt->ca_file / ca_dir, and the host name against the certificate's
 * subjectAltName (DNS names, or IP addresses when the host is one).  SNI is
 * sent for host names.
 *
 * Statuses (http_parse.h names them through acc_http_strerror):
 *   ACC_HTTP_E_TLS_VERIFY  the peer's certificate did not verify (unknown
 *                          CA, self-signed, expired, wrong host name, ...);
 *                          acc_stream_tls_error says which;
 *   ACC_HTTP_E_TLS         the handshake or a record failed, or the peer
 *                          closed during the handshake;
 *   ACC_HTTP_E_TLS_CONFIG  a certificate, key or CA file could not be used;
 *   and the errno values of acc_read / acc_write (-ECANCELED, ...).
 */
#ifndef ACC_TLS_H
#define ACC_TLS_H

#include <acc.h>
#include <stdbool.h>
#include "http_parse.h"
#include "stream.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A shared TLS configuration (an SSL_CTX); reference-counted internally,
 * so it may be freed while streams made from it are still open. */
typedef struct acc_tls_ctx acc_tls_ctx;

/* Options; every field may be NULL / false.  The strings are read at once. */
typedef struct acc_tls_options {
    const char *ca_file;   /* PEM CAs to trust instead of the system store */
    const char *ca_dir;    /* a hashed CA directory (c_rehash), likewise */
    const char *cert_file; /* our certificate chain (PEM): a server's, or a client's */
    const char *key_file;  /* its private key (PEM); NULL: in cert_file */
    bool insecure;         /* clients: no verification at all (curl -k); for tests */
    bool verify_client;    /* servers: ask for and verify a client certificate (ca_file) */
} acc_tls_options;

/* 0 (*out to free) or ACC_HTTP_E_TLS_CONFIG / -ENOMEM.  opt may be NULL. */
int acc_tls_ctx_new_client(acc_tls_ctx **out, const acc_tls_options *opt);
/* A server needs opt->cert_file. */
int acc_tls_ctx_new_server(acc_tls_ctx **out, const acc_tls_options *opt);
void acc_tls_ctx_free(acc_tls_ctx *ctx);

/* The handshake as a client over s (a fresh stream on a connected socket):
 * SNI and the host name check use `host` (a name or an IP address). */
async int acc_stream_tls_connect(acc_stream *s, acc_tls_ctx *ctx, const char *host);
/* The handshake as a server. */
async int acc_stream_tls_accept(acc_stream *s, acc_tls_ctx *ctx);
/* Why the last handshake failed ("certificate verify failed: self-signed
 * certificate", ...), or "" when it did not. */
const char *acc_stream_tls_error(const acc_stream *s);

/* ---- internal to acc_net: the stream's I/O when s->tls is set ---- */
async acc__ssize_t acc__tls_read(acc_stream *s, void *buf, size_t n);
async acc__ssize_t acc__tls_write(acc_stream *s, const void *buf, size_t n);
/* Queues close_notify, sends what it can without waiting, frees the state. */
void acc__tls_free(acc_stream *s);

#ifdef __cplusplus
}
#endif

#endif /* ACC_TLS_H */
