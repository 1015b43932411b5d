/*
 * stream.h: a buffered stream over a non-blocking descriptor, after
 * asyncio's StreamReader and StreamWriter.
 *
 *     acc_stream s;
 *     acc_stream_init(&s, fd, 0);
 *     char line[256];
 *     ssize_t n = await acc_stream_readline(&s, line, sizeof line);
 *     acc_stream_write(&s, line, (size_t)n);       // buffered, never blocks
 *     int st = await acc_stream_flush(&s);          // writer.drain()
 *     acc_stream_close(&s);
 *
 * Reads return a byte count or a negative errno:
 *   -ENODATA   the stream ended before the delimiter / the n bytes
 *              (asyncio's IncompleteReadError); what was read is consumed;
 *   -EMSGSIZE  the delimiter was not found within `cap` bytes
 *              (LimitOverrunError); nothing is consumed;
 *   -EFBIG     acc_stream_read_to_eof went past its limit;
 *   anything acc_read returns (-ECONNRESET, -ECANCELED, ...).
 * A stream belongs to one task at a time: two tasks reading the same stream
 * at once is not supported (neither is it in asyncio).
 */
#ifndef ACC_STREAM_H
#define ACC_STREAM_H

#include <acc.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ACC_STREAM_BUFSIZE 16384

/* Owns its two buffers; the descriptor is the caller's until acc_stream_close. */
typedef struct acc_stream {
    int fd;
    char *rbuf;              /* bytes read, not yet consumed: [rpos, rend) */
    size_t rcap, rpos, rend;
    char *wbuf;              /* bytes written, not yet flushed: [0, wlen) */
    size_t wcap, wlen;
    bool eof;                /* read returned 0 */
    double read_timeout;     /* seconds any one wait for bytes may take (-ETIMEDOUT); 0: none */
    struct acc__tls *tls;    /* TLS state after acc_stream_tls_connect/accept (tls.h); owned */
} acc_stream;

/* 0 or -ENOMEM; bufsize 0 means ACC_STREAM_BUFSIZE.  fd must be non-blocking. */
int acc_stream_init(acc_stream *s, int fd, size_t bufsize);
/* Frees the buffers (and the TLS state, after a close_notify sent without
 * waiting); leaves the descriptor open. */
void acc_stream_destroy(acc_stream *s);
/* Frees the buffers and closes the descriptor (unflushed output is dropped). */
void acc_stream_close(acc_stream *s);
/* Bytes buffered for reading. */
size_t acc_stream_buffered(const acc_stream *s);

/* Up to n bytes (what is buffered, else one read): > 0, 0 at end of stream. */
async acc__ssize_t acc_stream_read(acc_stream *s, void *buf, size_t n);
/* Exactly n bytes, or -ENODATA when the stream ends first. */
async acc__ssize_t acc_stream_readexactly(acc_stream *s, void *buf, size_t n);
/*
 * Up to and including `delim` (a non-empty string) into out, NUL-terminated:
 * the length (without the NUL), 0 at the end of the stream with nothing
 * read, -ENODATA when it ends inside, -EMSGSIZE when the delimiter is not
 * within cap - 1 bytes.
 */
async acc__ssize_t acc_stream_readuntil(acc_stream *s, const char *delim, char *out, size_t cap);
/* An HTTP head: up to and including the blank line that ends it ("\r\n\r\n",
 * or with bare LFs "\n\n" / "\n\r\n"); otherwise as acc_stream_readuntil. */
async acc__ssize_t acc_stream_readhead(acc_stream *s, char *out, size_t cap);
/* A line with its '\n' (the last line may lack it), NUL-terminated; 0 at the end. */
async acc__ssize_t acc_stream_readline(acc_stream *s, char *out, size_t cap);
/* Everything up to the end of the stream into a malloc'd, NUL-terminated
 * buffer (*out, to free), at most max bytes (else -EFBIG): the length. */
async acc__ssize_t acc_stream_read_to_eof(acc_stream *s, char **out, size_t max);

/* Buffers bytes for the next flush (never blocks): 0 or -ENOMEM. */
int acc_stream_write(acc_stream *s, const void *buf, size_t n);
int acc_stream_puts(acc_stream *s, const char *str);
int acc_stream_printf(acc_stream *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Writes out everything buffered (writer.drain()): 0 or a negative errno. */
async int acc_stream_flush(acc_stream *s);

#ifdef __cplusplus
}
#endif

#endif /* ACC_STREAM_H */
