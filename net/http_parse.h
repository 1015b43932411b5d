/*
 * http_parse.h: the pure parsers of acc's HTTP/1.1 client and server.
 *
 * Nothing here does I/O, and only a head of more than ACC_HTTP_MAX_HEADERS
 * fields allocates (acc_http_head_free): each function reads a buffer the
 * caller owns and fills a struct whose pointers point into that buffer.
 * The network code (http_client.ac, http_server.ac) reads bytes with a
 * stream and hands them here, so the parsers can be tested and fuzzed on
 * their own.  They are strict: anything RFC 9112 does not allow a sender to
 * write (bare CR line ends, bare LF ones in responses, folded headers, a
 * space before a colon, signed or differing Content-Lengths, transfer
 * codings other than chunked, ...) is refused with one of the statuses
 * below.  Requests may end lines with a bare LF, as nginx accepts, and
 * HTTP/1.x versions above 1.1 are read as 1.1.
 *
 * Statuses: 0, or a negative ACC_HTTP_E_* (below -1000, so they never clash
 * with the negative errno values of the rest of acc); acc_http_strerror
 * names both kinds.
 */
#ifndef ACC_HTTP_PARSE_H
#define ACC_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    ACC_HTTP_E_STATUS_LINE = -1001,   /* malformed status line */
    ACC_HTTP_E_REQUEST_LINE = -1002,  /* malformed request line */
    ACC_HTTP_E_VERSION = -1003,       /* not HTTP/1.0 or HTTP/1.1 */
    ACC_HTTP_E_HEADER = -1004,        /* malformed header field */
    ACC_HTTP_E_TOO_MANY_HEADERS = -1005,
    ACC_HTTP_E_HEAD_TOO_LARGE = -1006, /* status/request line plus headers over the limit */
    ACC_HTTP_E_CONTENT_LENGTH = -1007, /* invalid, negative, huge or conflicting */
    ACC_HTTP_E_TRANSFER_ENCODING = -1008, /* a coding other than chunked */
    ACC_HTTP_E_CHUNK = -1009,         /* malformed chunk size line or terminator */
    ACC_HTTP_E_BODY_TOO_LARGE = -1010,
    ACC_HTTP_E_TRUNCATED = -1011,     /* the peer closed before the message ended */
    ACC_HTTP_E_URL = -1012,           /* not an http:// or https:// URL acc can fetch */
    ACC_HTTP_E_SCHEME = -1013,        /* ftp:// and others: only http:// and https:// */
    ACC_HTTP_E_REDIRECTS = -1014,     /* more redirects than allowed */
    ACC_HTTP_E_LOCATION = -1015,      /* a redirect without a usable Location */
    ACC_HTTP_E_TLS_VERIFY = -1016,    /* the peer's certificate failed verification */
    ACC_HTTP_E_TLS = -1017,           /* the TLS handshake or a TLS record failed */
    ACC_HTTP_E_TLS_CONFIG = -1018,    /* a certificate, key or CA file unusable */
    ACC_HTTP_E_HOST = -1019,          /* a request's Host missing (HTTP/1.1), repeated or malformed */
    ACC_HTTP_E_ENCODING = -1020,      /* a gzip or deflate body that does not inflate */
};

/* Names any status: 0, an ACC_HTTP_E_* or a negative errno. */
const char *acc_http_strerror(int status);

#define ACC_HTTP_MAX_HEADERS 64

/* One header field; name and value point into the parsed buffer. */
typedef struct acc_http_header {
    const char *name;
    size_t name_len;
    const char *value; /* without leading or trailing whitespace */
    size_t value_len;
} acc_http_header;

/*
 * A parsed message head (start line and header fields).  Every pointer
 * points into the buffer given to the parser, which must outlive it.
 * There is no ceiling on the number of fields: the first
 * ACC_HTTP_MAX_HEADERS are in `headers`, the others in `more` (malloc'd
 * by the parser, released by acc_http_head_free); acc_http_head_field(h, i)
 * reaches any of them.
 */
typedef struct acc_http_head {
    int minor;         /* HTTP/1.<minor>: 0 or 1 (1.2 and up read as 1) */
    int status;        /* responses: 100..599 */
    const char *reason;
    size_t reason_len;
    const char *method; /* requests */
    size_t method_len;
    const char *target;
    size_t target_len;
    size_t nheaders;   /* all of them */
    acc_http_header headers[ACC_HTTP_MAX_HEADERS]; /* the first ones */
    acc_http_header *more; /* fields ACC_HTTP_MAX_HEADERS.. (owned; NULL when none) */
    size_t more_cap;
} acc_http_head;

/*
 * Parse a whole head: buf[0, len) holds the start line and the header
 * lines, each ended by CRLF, and the empty line (CRLF) that ends the head,
 * and nothing after it.  0 or ACC_HTTP_E_* (or -ENOMEM: the fields beyond
 * ACC_HTTP_MAX_HEADERS could not be stored).  On success call
 * acc_http_head_free when done with h (and before parsing into it again);
 * a failed parse leaves nothing to free.
 */
int acc_http_parse_response_head(const char *buf, size_t len, acc_http_head *h);
int acc_http_parse_request_head(const char *buf, size_t len, acc_http_head *h);
/* Releases what the parser allocated (the fields beyond ACC_HTTP_MAX_HEADERS). */
void acc_http_head_free(acc_http_head *h);
/* Field i (< h->nheaders). */
const acc_http_header *acc_http_head_field(const acc_http_head *h, size_t i);

/* A request's Host (RFC 9112 3.2): exactly one, required in HTTP/1.1,
 * host[:port] in RFC 3986's syntax.  0 or ACC_HTTP_E_HOST. */
int acc_http_check_host(const acc_http_head *h);

/* The first header named `name` (case-insensitive), or NULL. */
const acc_http_header *acc_http_find_header(const acc_http_head *h, const char *name);
/* True when a `name` header's comma-separated list holds `token`
 * (case-insensitive): Connection: close, keep-alive, ... */
bool acc_http_has_token(const acc_http_head *h, const char *name, const char *token);
/* Whether the connection stays open after this message (version and Connection). */
bool acc_http_keep_alive(const acc_http_head *h);

/*
 * Writes a NUL over the byte after each header name and value, and after
 * the method, target and reason, so that they are C strings.  `buf` must be
 * the (writable) buffer h was parsed from.  Call once, after parsing.
 */
void acc_http_head_terminate(char *buf, acc_http_head *h);

/* How a message body is delimited. */
typedef enum acc_http_framing {
    ACC_HTTP_BODY_NONE,    /* no body */
    ACC_HTTP_BODY_LENGTH,  /* exactly `length` bytes */
    ACC_HTTP_BODY_CHUNKED, /* chunked transfer coding */
    ACC_HTTP_BODY_EOF,     /* until the connection closes (responses only) */
} acc_http_framing;

/*
 * The framing of a request's body, or of a response's to a request made
 * with `request_method` (a HEAD request and 1xx/204/304 responses have no
 * body).  0 or ACC_HTTP_E_CONTENT_LENGTH / _TRANSFER_ENCODING.
 */
int acc_http_request_framing(const acc_http_head *h, acc_http_framing *f, uint64_t *length);
int acc_http_response_framing(const acc_http_head *h, const char *request_method,
                              acc_http_framing *f, uint64_t *length);

/*
 * A chunk-size line without its CRLF: hex digits, then optional chunk
 * extensions (";name=value").  0 or ACC_HTTP_E_CHUNK (also for sizes that
 * need more than 60 bits).
 */
int acc_http_parse_chunk_size(const char *line, size_t len, uint64_t *size);

/* A parsed http:// or https:// URL; the strings are copies (NUL-terminated). */
typedef struct acc_http_url {
    char host[256]; /* a name, an IPv4 address, or an IPv6 address without brackets */
    int port;       /* 80 by default, 443 for https */
    char path[2048]; /* path and query, "/" when empty; the fragment is dropped */
    bool tls;        /* https:// */
} acc_http_url;

/* 0, ACC_HTTP_E_SCHEME (ftp:// ...) or ACC_HTTP_E_URL. */
int acc_http_parse_url(const char *url, acc_http_url *u);
/* Resolves a Location value against `base` per RFC 3986 5.2: an absolute
 * URL, a scheme-relative "//host/...", an absolute path, a relative path
 * ("../x", "?q"), dot segments removed.  0, ACC_HTTP_E_SCHEME or
 * ACC_HTTP_E_LOCATION. */
int acc_http_resolve_location(const acc_http_url *base, const char *location, acc_http_url *out);

#ifdef __cplusplus
}
#endif

#endif /* ACC_HTTP_PARSE_H */
