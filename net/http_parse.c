/*
 * http_parse.c: strict parsers for HTTP/1.1 heads, chunk sizes and URLs
 * (see http_parse.h).  Pure functions over caller-owned buffers: no I/O, no
 * allocation, no global state, so a fuzzer can call them directly.
 */
#include "http_parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *acc_http_strerror(int status) {
    switch (status) {
    case 0: return "success";
    case ACC_HTTP_E_STATUS_LINE: return "malformed HTTP status line";
    case ACC_HTTP_E_REQUEST_LINE: return "malformed HTTP request line";
    case ACC_HTTP_E_VERSION: return "unsupported HTTP version";
    case ACC_HTTP_E_HEADER: return "malformed HTTP header field";
    case ACC_HTTP_E_TOO_MANY_HEADERS: return "too many HTTP header fields";
    case ACC_HTTP_E_HEAD_TOO_LARGE: return "HTTP head too large";
    case ACC_HTTP_E_CONTENT_LENGTH: return "invalid Content-Length";
    case ACC_HTTP_E_TRANSFER_ENCODING: return "unsupported Transfer-Encoding";
    case ACC_HTTP_E_CHUNK: return "malformed chunked body";
    case ACC_HTTP_E_BODY_TOO_LARGE: return "HTTP body too large";
    case ACC_HTTP_E_TRUNCATED: return "connection closed before the HTTP message ended";
    case ACC_HTTP_E_URL: return "invalid http:// or https:// URL";
    case ACC_HTTP_E_SCHEME: return "only http:// and https:// URLs are supported";
    case ACC_HTTP_E_REDIRECTS: return "too many HTTP redirects";
    case ACC_HTTP_E_LOCATION: return "HTTP redirect without a usable Location";
    case ACC_HTTP_E_TLS_VERIFY: return "TLS certificate verification failed";
    case ACC_HTTP_E_TLS: return "TLS handshake or record failed";
    case ACC_HTTP_E_TLS_CONFIG: return "TLS certificate, key or CA file unusable";
    case ACC_HTTP_E_HOST: return "missing, repeated or malformed Host";
    case ACC_HTTP_E_ENCODING: return "malformed gzip or deflate body";
    default: break;
    }
    if (status < 0 && status > -4096)
        return strerror(-status);
    return "unknown status";
}

/* ---- character classes (RFC 9110 5.6.2) --------------------------------- */

static bool is_tchar(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* field-vchar, obs-text, SP and HTAB: what a header value may hold */
static bool is_value_char(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static bool ieq(const char *a, size_t alen, const char *b) {
    size_t blen = strlen(b);
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return false;
    return true;
}

/* ---- lines --------------------------------------------------------------- */

/* The line at *pos, ended by CRLF (or, when `lf_ok`, by a bare LF, as
 * RFC 9112 2.2 lets a recipient accept and nginx does); a bare CR inside
 * is an error.  Returns the line's length (without its end), or -1;
 * advances *pos past the end. */
static long next_line(const char *buf, size_t len, size_t *pos, bool lf_ok) {
    size_t start = *pos;
    for (size_t i = start; i < len; i++) {
        if (buf[i] == '\n') {
            if (!lf_ok)
                return -1; /* bare LF */
            *pos = i + 1;
            return (long)(i - start);
        }
        if (buf[i] == '\r') {
            if (i + 1 >= len || buf[i + 1] != '\n')
                return -1; /* bare CR */
            *pos = i + 2;
            return (long)(i - start);
        }
    }
    return -1; /* no line end */
}

/* "HTTP/1.x" at s; sets *minor.  0 or ACC_HTTP_E_VERSION / `bad`. */
static int parse_version(const char *s, size_t n, int *minor, int bad) {
    if (n != 8 || memcmp(s, "HTTP/", 5) != 0 || !is_digit((unsigned char)s[5]) || s[6] != '.' ||
        !is_digit((unsigned char)s[7]))
        return bad;
    if (s[5] != '1')
        return ACC_HTTP_E_VERSION;
    *minor = s[7] == '0' ? 0 : 1; /* HTTP/1.2 and up: understood as 1.1 (RFC 9110 6.2) */
    return 0;
}

/* Room for one more field: inline, then in h->more (doubling). */
static acc_http_header *new_field(acc_http_head *h) {
    if (h->nheaders < ACC_HTTP_MAX_HEADERS)
        return &h->headers[h->nheaders++];
    size_t k = h->nheaders - ACC_HTTP_MAX_HEADERS;
    if (k == h->more_cap) {
        size_t ncap = h->more_cap ? h->more_cap * 2 : ACC_HTTP_MAX_HEADERS;
        acc_http_header *m = realloc(h->more, ncap * sizeof *m);
        if (!m)
            return NULL;
        h->more = m;
        h->more_cap = ncap;
    }
    h->nheaders++;
    return &h->more[k];
}

void acc_http_head_free(acc_http_head *h) {
    free(h->more);
    h->more = NULL;
    h->more_cap = 0;
}

const acc_http_header *acc_http_head_field(const acc_http_head *h, size_t i) {
    return i < ACC_HTTP_MAX_HEADERS ? &h->headers[i] : &h->more[i - ACC_HTTP_MAX_HEADERS];
}

/* The header lines from *pos to the empty line that must end buf. */
static int parse_headers(const char *buf, size_t len, size_t pos, acc_http_head *h, bool lf_ok) {
    h->nheaders = 0;
    for (;;) {
        size_t start = pos;
        long n = next_line(buf, len, &pos, lf_ok);
        if (n < 0)
            return ACC_HTTP_E_HEADER;
        if (n == 0)
            return pos == len ? 0 : ACC_HTTP_E_HEADER; /* nothing may follow the head */
        const char *line = buf + start;
        if (line[0] == ' ' || line[0] == '\t')
            return ACC_HTTP_E_HEADER; /* obs-fold */
        size_t i = 0;
        while (i < (size_t)n && is_tchar((unsigned char)line[i]))
            i++;
        if (i == 0 || i >= (size_t)n || line[i] != ':')
            return ACC_HTTP_E_HEADER; /* empty name, bad character, space before ':' */
        size_t vs = i + 1, ve = (size_t)n;
        while (vs < ve && (line[vs] == ' ' || line[vs] == '\t'))
            vs++;
        while (ve > vs && (line[ve - 1] == ' ' || line[ve - 1] == '\t'))
            ve--;
        for (size_t k = vs; k < ve; k++)
            if (!is_value_char((unsigned char)line[k]))
                return ACC_HTTP_E_HEADER;
        acc_http_header *f = new_field(h);
        if (!f)
            return -ENOMEM;
        f->name = line;
        f->name_len = i;
        f->value = line + vs;
        f->value_len = ve - vs;
    }
}

static void head_clear(acc_http_head *h) {
    h->minor = 1;
    h->status = 0;
    h->reason = h->method = h->target = "";
    h->reason_len = h->method_len = h->target_len = 0;
    h->nheaders = 0;
    h->more = NULL;
    h->more_cap = 0;
}

/* A failed parse keeps nothing. */
static int parsed(acc_http_head *h, int r) {
    if (r < 0)
        acc_http_head_free(h);
    return r;
}

/* HTTP-version SP 3DIGIT SP reason-phrase CRLF (a missing SP before an empty
 * reason is tolerated: many servers write "HTTP/1.1 200\r\n"). */
int acc_http_parse_response_head(const char *buf, size_t len, acc_http_head *h) {
    size_t pos = 0;
    head_clear(h);
    long n = next_line(buf, len, &pos, false);
    if (n < 12)
        return ACC_HTTP_E_STATUS_LINE;
    int r = parse_version(buf, 8, &h->minor, ACC_HTTP_E_STATUS_LINE);
    if (r < 0)
        return r;
    const char *s = buf + 8;
    if (s[0] != ' ' || !is_digit((unsigned char)s[1]) || !is_digit((unsigned char)s[2]) ||
        !is_digit((unsigned char)s[3]))
        return ACC_HTTP_E_STATUS_LINE;
    h->status = (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    if (h->status < 100 || h->status > 599)
        return ACC_HTTP_E_STATUS_LINE;
    if (n == 12) {
        h->reason = buf + 12;
        h->reason_len = 0;
    } else {
        if (s[4] != ' ')
            return ACC_HTTP_E_STATUS_LINE;
        h->reason = buf + 13;
        h->reason_len = (size_t)n - 13;
        for (size_t i = 0; i < h->reason_len; i++)
            if (!is_value_char((unsigned char)h->reason[i]))
                return ACC_HTTP_E_STATUS_LINE;
    }
    return parsed(h, parse_headers(buf, len, pos, h, false));
}

/* method SP request-target SP HTTP-version CRLF */
int acc_http_parse_request_head(const char *buf, size_t len, acc_http_head *h) {
    size_t pos = 0;
    head_clear(h);
    long n = next_line(buf, len, &pos, true);
    if (n < 0)
        return ACC_HTTP_E_REQUEST_LINE;
    size_t i = 0;
    while (i < (size_t)n && is_tchar((unsigned char)buf[i]))
        i++;
    if (i == 0 || i >= (size_t)n || buf[i] != ' ')
        return ACC_HTTP_E_REQUEST_LINE;
    h->method = buf;
    h->method_len = i;
    size_t ts = ++i;
    while (i < (size_t)n && buf[i] != ' ') {
        unsigned char c = (unsigned char)buf[i];
        if (c <= 0x20 || c >= 0x7f)
            return ACC_HTTP_E_REQUEST_LINE;
        i++;
    }
    if (i == ts || i >= (size_t)n)
        return ACC_HTTP_E_REQUEST_LINE;
    h->target = buf + ts;
    h->target_len = i - ts;
    if (h->target[0] != '/' && !(h->target_len == 1 && h->target[0] == '*') &&
        !(h->target_len > 7 && ieq(h->target, 7, "http://")) &&
        !(h->target_len > 8 && ieq(h->target, 8, "https://")))
        return ACC_HTTP_E_REQUEST_LINE;
    i++;
    int r = parse_version(buf + i, (size_t)n - i, &h->minor, ACC_HTTP_E_REQUEST_LINE);
    if (r < 0)
        return r;
    return parsed(h, parse_headers(buf, len, pos, h, true));
}

/* RFC 3986 host [":" port]: reg-name, IPv4 or an IP literal in brackets. */
static bool host_ok(const char *v, size_t n) {
    if (n == 0)
        return false;
    size_t i = 0;
    if (v[0] == '[') {
        while (i < n && v[i] != ']')
            i++;
        if (i == n || i < 3)
            return false;
        for (size_t k = 1; k < i; k++)
            if (!strchr("0123456789abcdefABCDEF:.", v[k]) || !v[k])
                return false;
        i++;
    } else {
        for (; i < n && v[i] != ':'; i++) {
            unsigned char c = (unsigned char)v[i];
            if (!(is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'z') || (c && strchr("-._~%!$&'()*+,;=", c))))
                return false;
        }
        if (i == 0)
            return false;
    }
    if (i < n) {
        if (v[i] != ':')
            return false;
        for (i++; i < n; i++)
            if (!is_digit((unsigned char)v[i]))
                return false;
    }
    return true;
}

int acc_http_check_host(const acc_http_head *h) {
    const acc_http_header *host = NULL;
    for (size_t i = 0; i < h->nheaders; i++) {
        const acc_http_header *f = acc_http_head_field(h, i);
        if (ieq(f->name, f->name_len, "host")) {
            if (host)
                return ACC_HTTP_E_HOST; /* repeated */
            host = f;
        }
    }
    if (!host)
        return h->minor >= 1 ? ACC_HTTP_E_HOST : 0;
    return host_ok(host->value, host->value_len) ? 0 : ACC_HTTP_E_HOST;
}

const acc_http_header *acc_http_find_header(const acc_http_head *h, const char *name) {
    for (size_t i = 0; i < h->nheaders; i++)
        if (ieq(acc_http_head_field(h, i)->name, acc_http_head_field(h, i)->name_len, name))
            return acc_http_head_field(h, i);
    return NULL;
}

/* The element of the comma-separated list v[0, len) that starts at *p,
   without its surrounding blanks: [*a, *b).  *p moves past its comma. */
static void list_item(const char *v, size_t len, size_t *p, size_t *a, size_t *b) {
    size_t q = *p;
    while (q < len && v[q] != ',')
        q++;
    size_t s = *p, e = q;
    while (s < e && (v[s] == ' ' || v[s] == '\t'))
        s++;
    while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
        e--;
    *a = s;
    *b = e;
    *p = q + 1;
}

bool acc_http_has_token(const acc_http_head *h, const char *name, const char *token) {
    for (size_t i = 0; i < h->nheaders; i++) {
        const acc_http_header *f = acc_http_head_field(h, i);
        if (!ieq(f->name, f->name_len, name))
            continue;
        size_t p = 0, a, b;
        while (p < f->value_len) {
            list_item(f->value, f->value_len, &p, &a, &b);
            if (ieq(f->value + a, b - a, token))
                return true;
        }
    }
    return false;
}

bool acc_http_keep_alive(const acc_http_head *h) {
    if (acc_http_has_token(h, "Connection", "close"))
        return false;
    if (h->minor == 0)
        return acc_http_has_token(h, "Connection", "keep-alive");
    return true;
}

void acc_http_head_terminate(char *buf, acc_http_head *h) {
    /* Each string is followed by a byte of the head (SP, ':', CR, or the
     * whitespace before CR), never by another string's first byte. */
    for (size_t i = 0; i < h->nheaders; i++) {
        acc_http_header *f = (acc_http_header *)acc_http_head_field(h, i);
        buf[(f->name - buf) + (ptrdiff_t)f->name_len] = '\0';
        buf[(f->value - buf) + (ptrdiff_t)f->value_len] = '\0';
    }
    if (h->method_len)
        buf[(h->method - buf) + (ptrdiff_t)h->method_len] = '\0';
    if (h->target_len)
        buf[(h->target - buf) + (ptrdiff_t)h->target_len] = '\0';
    if (h->status)
        buf[(h->reason - buf) + (ptrdiff_t)h->reason_len] = '\0';
}

/* ---- framing ------------------------------------------------------------- */

/* 1*DIGIT, at most 18 digits (below 10^18), no sign, no spaces inside. */
static int parse_length(const char *s, size_t n, uint64_t *out) {
    if (n == 0 || n > 18)
        return ACC_HTTP_E_CONTENT_LENGTH;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit((unsigned char)s[i]))
            return ACC_HTTP_E_CONTENT_LENGTH;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Every Content-Length field (and every element of a comma list in one)
 * must hold the same value. */
static int content_length(const acc_http_head *h, bool *present, uint64_t *length) {
    *present = false;
    for (size_t i = 0; i < h->nheaders; i++) {
        const acc_http_header *f = acc_http_head_field(h, i);
        if (!ieq(f->name, f->name_len, "Content-Length"))
            continue;
        size_t p = 0, a, b;
        do {
            list_item(f->value, f->value_len, &p, &a, &b);
            uint64_t v;
            if (parse_length(f->value + a, b - a, &v) < 0)
                return ACC_HTTP_E_CONTENT_LENGTH;
            if (*present && v != *length)
                return ACC_HTTP_E_CONTENT_LENGTH;
            *present = true;
            *length = v;
        } while (p <= f->value_len);
    }
    return 0;
}

/* Transfer-Encoding must be exactly "chunked" (one field, one coding). */
static int transfer_encoding(const acc_http_head *h, bool *chunked) {
    *chunked = false;
    for (size_t i = 0; i < h->nheaders; i++) {
        const acc_http_header *f = acc_http_head_field(h, i);
        if (!ieq(f->name, f->name_len, "Transfer-Encoding"))
            continue;
        if (*chunked || !ieq(f->value, f->value_len, "chunked"))
            return ACC_HTTP_E_TRANSFER_ENCODING;
        *chunked = true;
    }
    return 0;
}

static int framing(const acc_http_head *h, bool response, acc_http_framing *fr, uint64_t *length) {
    bool has_len, chunked;
    *length = 0;
    int r = content_length(h, &has_len, length);
    if (r < 0)
        return r;
    if ((r = transfer_encoding(h, &chunked)) < 0)
        return r;
    if (chunked && (has_len || h->minor == 0))
        return ACC_HTTP_E_TRANSFER_ENCODING; /* request smuggling shapes */
    if (chunked)
        *fr = ACC_HTTP_BODY_CHUNKED;
    else if (has_len)
        *fr = ACC_HTTP_BODY_LENGTH;
    else
        *fr = response ? ACC_HTTP_BODY_EOF : ACC_HTTP_BODY_NONE;
    return 0;
}

int acc_http_request_framing(const acc_http_head *h, acc_http_framing *f, uint64_t *length) {
    return framing(h, false, f, length);
}

int acc_http_response_framing(const acc_http_head *h, const char *request_method,
                              acc_http_framing *f, uint64_t *length) {
    int r = framing(h, true, f, length);
    if (r < 0)
        return r;
    if ((request_method && strcmp(request_method, "HEAD") == 0) || h->status < 200 ||
        h->status == 204 || h->status == 304) {
        *f = ACC_HTTP_BODY_NONE;
        *length = 0;
    }
    return 0;
}

int acc_http_parse_chunk_size(const char *line, size_t len, uint64_t *size) {
    uint64_t v = 0;
    size_t i = 0;
    for (; i < len; i++) {
        int c = lower((unsigned char)line[i]), d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else
            break;
        if (v >> 56)
            return ACC_HTTP_E_CHUNK; /* more than 60 bits (leading zeros are fine) */
        v = v * 16 + (uint64_t)d;
    }
    if (i == 0)
        return ACC_HTTP_E_CHUNK;
    /* chunk-ext: *( BWS ";" BWS name [ BWS "=" BWS value ] ), checked loosely:
     * printable characters after a ';' */
    size_t k = i;
    while (k < len && (line[k] == ' ' || line[k] == '\t'))
        k++;
    if (k < len) {
        if (line[k] != ';')
            return ACC_HTTP_E_CHUNK;
        for (; k < len; k++)
            if (!is_value_char((unsigned char)line[k]))
                return ACC_HTTP_E_CHUNK;
    }
    *size = v;
    return 0;
}

/* ---- URLs ---------------------------------------------------------------- */

static bool url_char_ok(unsigned char c) { return c > 0x20 && c < 0x7f; }

int acc_http_parse_url(const char *url, acc_http_url *u) {
    memset(u, 0, sizeof *u);
    const char *p = strstr(url, "://");
    if (!p)
        return ACC_HTTP_E_URL;
    bool tls = ieq(url, (size_t)(p - url), "https");
    if (!tls && !ieq(url, (size_t)(p - url), "http"))
        return p == url ? ACC_HTTP_E_URL : ACC_HTTP_E_SCHEME;
    u->tls = tls;
    p += 3;
    for (const char *q = p; *q; q++)
        if (!url_char_ok((unsigned char)*q))
            return ACC_HTTP_E_URL;
    const char *auth_end = p + strcspn(p, "/?#");
    const char *host = p, *host_end, *port = NULL;
    if (memchr(p, '@', (size_t)(auth_end - p)))
        return ACC_HTTP_E_URL; /* user info is not supported */
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(auth_end - p));
        if (!rb)
            return ACC_HTTP_E_URL;
        host = p + 1;
        host_end = rb;
        if (rb + 1 < auth_end) {
            if (rb[1] != ':')
                return ACC_HTTP_E_URL;
            port = rb + 2;
        }
    } else {
        const char *colon = memchr(p, ':', (size_t)(auth_end - p));
        host_end = colon ? colon : auth_end;
        if (colon)
            port = colon + 1;
    }
    size_t hl = (size_t)(host_end - host);
    if (hl == 0 || hl >= sizeof u->host)
        return ACC_HTTP_E_URL;
    memcpy(u->host, host, hl);
    u->port = tls ? 443 : 80;
    if (port) {
        long v = 0;
        if (port == auth_end)
            return ACC_HTTP_E_URL;
        for (const char *q = port; q < auth_end; q++) {
            if (!is_digit((unsigned char)*q) || v > 65535)
                return ACC_HTTP_E_URL;
            v = v * 10 + (*q - '0');
        }
        if (v < 1 || v > 65535)
            return ACC_HTTP_E_URL;
        u->port = (int)v;
    }
    size_t pl = strcspn(auth_end, "#");
    if (pl + 2 > sizeof u->path)
        return ACC_HTTP_E_URL;
    size_t o = 0;
    if (auth_end[0] != '/')
        u->path[o++] = '/';
    memcpy(u->path + o, auth_end, pl);
    return 0;
}

/*
 * RFC 3986 5.2.4 on an absolute path p[0, n) (no query): "." and ".."
 * segments removed, into out (room for n + 1 bytes); the length.
 */
static size_t remove_dot_segments(const char *p, size_t n, char *out) {
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && p[j] != '/')
            j++;
        const char *seg = p + i + 1;
        size_t sl = j - i - 1;
        bool last = j >= n;
        if (sl == 1 && seg[0] == '.') {
            if (last)
                out[o++] = '/';
        } else if (sl == 2 && seg[0] == '.' && seg[1] == '.') {
            while (o > 0 && out[--o] != '/')
                ;
            if (last)
                out[o++] = '/';
        } else {
            out[o++] = '/';
            memcpy(out + o, seg, sl);
            o += sl;
        }
        i = j;
    }
    if (o == 0)
        out[o++] = '/';
    return o;
}

/* out->path = dots removed from dir[0, dl) + ref's path, then ref's query. */
static int set_path(acc_http_url *out, const char *dir, size_t dl, const char *ref, size_t rl) {
    char joined[2 * sizeof out->path];
    size_t pl = strcspn(ref, "?");
    if (pl > rl)
        pl = rl;
    if (dl + pl + 1 > sizeof joined)
        return ACC_HTTP_E_LOCATION;
    memcpy(joined, dir, dl);
    memcpy(joined + dl, ref, pl);
    size_t n = dl + pl;
    if (n == 0 || joined[0] != '/') { /* a relative reference against "" */
        memmove(joined + 1, joined, n);
        joined[0] = '/';
        n++;
    }
    char clean[2 * sizeof out->path];
    size_t cl = remove_dot_segments(joined, n, clean);
    if (cl + (rl - pl) >= sizeof out->path)
        return ACC_HTTP_E_LOCATION;
    memcpy(out->path, clean, cl);
    memcpy(out->path + cl, ref + pl, rl - pl);
    out->path[cl + rl - pl] = '\0';
    return 0;
}

int acc_http_resolve_location(const acc_http_url *base, const char *loc, acc_http_url *out) {
    if (!loc || !*loc)
        return ACC_HTTP_E_LOCATION;
    size_t sl = strspn(loc, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
    if (sl > 0 && loc[sl] == ':') { /* an absolute URL */
        int r = acc_http_parse_url(loc, out);
        return r == ACC_HTTP_E_URL ? ACC_HTTP_E_LOCATION : r;
    }
    for (const char *q = loc; *q; q++)
        if (!url_char_ok((unsigned char)*q))
            return ACC_HTTP_E_LOCATION;
    if (loc[0] == '/' && loc[1] == '/') { /* scheme-relative: the base's scheme */
        char full[sizeof out->path + sizeof out->host + 16];
        snprintf(full, sizeof full, "%s:%s", base->tls ? "https" : "http", loc);
        int r = acc_http_parse_url(full, out);
        return r < 0 ? ACC_HTTP_E_LOCATION : 0;
    }
    *out = *base;
    size_t ll = strcspn(loc, "#");
    size_t bpath = strcspn(base->path, "?");
    if (ll == 0) /* only a fragment: the base itself */
        return 0;
    if (loc[0] == '?') { /* the base path with a new query */
        if (bpath + ll >= sizeof out->path)
            return ACC_HTTP_E_LOCATION;
        memcpy(out->path + bpath, loc, ll);
        out->path[bpath + ll] = '\0';
        return 0;
    }
    if (loc[0] == '/')
        return set_path(out, "", 0, loc, ll);
    size_t dir = bpath; /* merge: the base path up to its last '/' */
    while (dir > 0 && base->path[dir - 1] != '/')
        dir--;
    return set_path(out, base->path, dir, loc, ll);
}
