/*
 * parse_test: the pure parsers of http_parse.c on tables of good and
 * malformed input: status and request lines, header fields, framing
 * (Content-Length, Transfer-Encoding), chunk sizes, URLs and Locations.
 */
#include <string.h>

#include "check.h"
#include "http_parse.h"

typedef struct { const char *in; int want; } case_t;

static void response_heads(void)
{
    static const case_t cases[] = {
        {"HTTP/1.1 200 OK\r\n\r\n", 0},
        {"HTTP/1.0 404 Not Found\r\nServer: x\r\n\r\n", 0},
        {"HTTP/1.1 200\r\n\r\n", 0},
        {"HTTP/1.1 204 \r\n\r\n", 0},
        {"HTTP/1.1 200 OK\r\nA:\r\n\r\n", 0},
        {"HTTP/1.1 200 OK\r\nA: b \t\r\n\r\n", 0},
        {"", ACC_HTTP_E_STATUS_LINE},
        {"HTTP/1.1 200 OK\n\n", ACC_HTTP_E_STATUS_LINE},
        {"HTTP/1.1 20 OK\r\n\r\n", ACC_HTTP_E_STATUS_LINE},
        {"HTTP/1.1 2000 OK\r\n\r\n", ACC_HTTP_E_STATUS_LINE},
        {"HTTP/1.1 099 OK\r\n\r\n", ACC_HTTP_E_STATUS_LINE},
        {"HTTP/1.1 600 OK\r\n\r\n", ACC_HTTP_E_STATUS_LINE},
        {"HTTP/1.1 abc OK\r\n\r\n", ACC_HTTP_E_STATUS_LINE},
        {"HTTP/1.1  200 OK\r\n\r\n", ACC_HTTP_E_STATUS_LINE},
        {"HTTP/2.0 200 OK\r\n\r\n", ACC_HTTP_E_VERSION},
        {"HTTP/1.2 200 OK\r\n\r\n", 0}, /* read as 1.1 */
        {"HTTP/1.1 200 OK\nA: b\n\n", ACC_HTTP_E_STATUS_LINE}, /* bare LF: not in responses */
        {"HTTPS/1.1 200 OK\r\n\r\n", ACC_HTTP_E_STATUS_LINE},
        {"http/1.1 200 OK\r\n\r\n", ACC_HTTP_E_STATUS_LINE},
        {"HTTP/1.1 200 O\x01K\r\n\r\n", ACC_HTTP_E_STATUS_LINE},
        {"HTTP/1.1 200 OK\r\nNo colon\r\n\r\n", ACC_HTTP_E_HEADER},
        {"HTTP/1.1 200 OK\r\nName : v\r\n\r\n", ACC_HTTP_E_HEADER},
        {"HTTP/1.1 200 OK\r\n: v\r\n\r\n", ACC_HTTP_E_HEADER},
        {"HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", ACC_HTTP_E_HEADER},
        {"HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", ACC_HTTP_E_HEADER},
        {"HTTP/1.1 200 OK\r\nA: b\nc: d\r\n\r\n", ACC_HTTP_E_HEADER},
        {"HTTP/1.1 200 OK\r\nA: b\x7f\r\n\r\n", ACC_HTTP_E_HEADER},
        {"HTTP/1.1 200 OK\r\nA: b\r\n", ACC_HTTP_E_HEADER},
        {"HTTP/1.1 200 OK\r\n\r\nextra", ACC_HTTP_E_HEADER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        acc_http_head h;
        int r = acc_http_parse_response_head(cases[i].in, strlen(cases[i].in), &h);
        if (r != cases[i].want)
            fprintf(stderr, "response case %zu: %s\n", i, cases[i].in);
        CHECK_EQ(r, cases[i].want);
    }
    /* no ceiling on the number of fields: 300, the last one framing the body */
    static char big[16384] = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 299; i++)
        sprintf(big + strlen(big), "X-%d: %d\r\n", i, i);
    strcat(big, "Content-Length: 7\r\n\r\n");
    acc_http_head h;
    CHECK_EQ(acc_http_parse_response_head(big, strlen(big), &h), 0);
    CHECK_EQ(h.nheaders, 300);
    acc_http_framing fr;
    uint64_t flen;
    CHECK_EQ(acc_http_response_framing(&h, "GET", &fr, &flen), 0);
    CHECK_EQ(flen, 7);
    static char broken[sizeof big];
    memcpy(broken, big, sizeof big);
    acc_http_head_terminate(big, &h);
    CHECK_STR(acc_http_find_header(&h, "x-250")->value, "250");
    CHECK_STR(acc_http_head_field(&h, 64)->name, "X-64");
    CHECK_STR(acc_http_head_field(&h, 63)->value, "63");
    acc_http_head_free(&h);
    CHECK(h.more == NULL);
    broken[strlen(broken) - 6] = '\n'; /* a bare LF in the last line: nothing kept */
    CHECK_EQ(acc_http_parse_response_head(broken, strlen(broken), &h), ACC_HTTP_E_HEADER);
    CHECK(h.more == NULL);

    char ok[] = "HTTP/1.1 301 Moved\r\nLocation:  /x \r\nConnection: keep-alive, Close\r\n\r\n";
    CHECK_EQ(acc_http_parse_response_head(ok, strlen(ok), &h), 0);
    CHECK_EQ(h.status, 301);
    CHECK_EQ(h.nheaders, 2);
    CHECK(!acc_http_keep_alive(&h));
    acc_http_head_terminate(ok, &h);
    CHECK_STR(h.reason, "Moved");
    CHECK_STR(acc_http_find_header(&h, "location")->value, "/x");
}

static void request_heads(void)
{
    static const case_t cases[] = {
        {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0},
        {"OPTIONS * HTTP/1.1\r\n\r\n", 0},
        {"GET http://a/b HTTP/1.0\r\n\r\n", 0},
        {"GET /a?b=c HTTP/1.1\r\n\r\n", 0},
        {"GET / HTTP/1.1\n\n", 0}, /* bare LF line ends, as nginx takes them */
        {"GET / HTTP/1.1\nHost: a\r\nX: y\n\r\n", 0},
        {"GET / HTTP/1.1\rHost: a\r\n\r\n", ACC_HTTP_E_REQUEST_LINE},
        {"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", ACC_HTTP_E_HEADER},
        {"GET / HTTP/1.9\r\n\r\n", 0},
        {"GET https://a/b HTTP/1.1\r\n\r\n", 0},
        {"GET ftp://a/b HTTP/1.1\r\n\r\n", ACC_HTTP_E_REQUEST_LINE},
        {"GET  / HTTP/1.1\r\n\r\n", ACC_HTTP_E_REQUEST_LINE},
        {"GET / HTTP/1.1 \r\n\r\n", ACC_HTTP_E_REQUEST_LINE},
        {"GET /\r\n\r\n", ACC_HTTP_E_REQUEST_LINE},
        {"G(T / HTTP/1.1\r\n\r\n", ACC_HTTP_E_REQUEST_LINE},
        {"GET a HTTP/1.1\r\n\r\n", ACC_HTTP_E_REQUEST_LINE},
        {"GET /\x01 HTTP/1.1\r\n\r\n", ACC_HTTP_E_REQUEST_LINE},
        {"GET / HTTP/3.0\r\n\r\n", ACC_HTTP_E_VERSION},
        {"GET / FTP/1.0\r\n\r\n", ACC_HTTP_E_REQUEST_LINE},
        {"\r\n\r\n", ACC_HTTP_E_REQUEST_LINE},
        {"GET / HTTP/1.1\r\nHost a\r\n\r\n", ACC_HTTP_E_HEADER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        acc_http_head h;
        int r = acc_http_parse_request_head(cases[i].in, strlen(cases[i].in), &h);
        if (r != cases[i].want)
            fprintf(stderr, "request case %zu: %s\n", i, cases[i].in);
        CHECK_EQ(r, cases[i].want);
    }
    acc_http_head h;
    char lf[] = "GET /x HTTP/1.2\nHost: a\nAccept:  b \n\n";
    CHECK_EQ(acc_http_parse_request_head(lf, strlen(lf), &h), 0);
    CHECK_EQ(h.minor, 1);
    CHECK_EQ(h.nheaders, 2);
    acc_http_head_terminate(lf, &h);
    CHECK_STR(acc_http_find_header(&h, "accept")->value, "b");
    CHECK_STR(h.target, "/x");

    /* Host (RFC 9112 3.2) */
    static const case_t hosts[] = {
        {"GET / HTTP/1.1\r\nHost: a.example\r\n\r\n", 0},
        {"GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n", 0},
        {"GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", 0},
        {"GET / HTTP/1.0\r\n\r\n", 0},
        {"GET / HTTP/1.1\r\n\r\n", ACC_HTTP_E_HOST},
        {"GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", ACC_HTTP_E_HOST},
        {"GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", ACC_HTTP_E_HOST},
        {"GET / HTTP/1.1\r\nHost: \r\n\r\n", ACC_HTTP_E_HOST},
        {"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", ACC_HTTP_E_HOST},
        {"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", ACC_HTTP_E_HOST},
        {"GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n", ACC_HTTP_E_HOST},
        {"GET / HTTP/1.1\r\nHost: a@b\r\n\r\n", ACC_HTTP_E_HOST},
        {"GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", ACC_HTTP_E_HOST},
        {"GET / HTTP/1.1\r\nHost: :80\r\n\r\n", ACC_HTTP_E_HOST},
    };
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        CHECK_EQ(acc_http_parse_request_head(hosts[i].in, strlen(hosts[i].in), &h), 0);
        if (acc_http_check_host(&h) != hosts[i].want)
            fprintf(stderr, "host case %zu: %s\n", i, hosts[i].in);
        CHECK_EQ(acc_http_check_host(&h), hosts[i].want);
    }
}

typedef struct { const char *headers; int want; acc_http_framing f; unsigned long long len; } framing_t;

static void framing(void)
{
    static const framing_t cases[] = {
        {"", 0, ACC_HTTP_BODY_EOF, 0},
        {"Content-Length: 10\r\n", 0, ACC_HTTP_BODY_LENGTH, 10},
        {"Content-Length: 0\r\n", 0, ACC_HTTP_BODY_LENGTH, 0},
        {"Content-Length: 7, 7\r\nContent-Length: 7\r\n", 0, ACC_HTTP_BODY_LENGTH, 7},
        {"Transfer-Encoding: chunked\r\n", 0, ACC_HTTP_BODY_CHUNKED, 0},
        {"Transfer-Encoding: CHUNKED\r\n", 0, ACC_HTTP_BODY_CHUNKED, 0},
        {"Content-Length: -1\r\n", ACC_HTTP_E_CONTENT_LENGTH, 0, 0},
        {"Content-Length: +1\r\n", ACC_HTTP_E_CONTENT_LENGTH, 0, 0},
        {"Content-Length: 1 2\r\n", ACC_HTTP_E_CONTENT_LENGTH, 0, 0},
        {"Content-Length: \r\n", ACC_HTTP_E_CONTENT_LENGTH, 0, 0},
        {"Content-Length: 0x10\r\n", ACC_HTTP_E_CONTENT_LENGTH, 0, 0},
        {"Content-Length: 99999999999999999999999\r\n", ACC_HTTP_E_CONTENT_LENGTH, 0, 0},
        {"Content-Length: 1\r\nContent-Length: 2\r\n", ACC_HTTP_E_CONTENT_LENGTH, 0, 0},
        {"Content-Length: 1,2\r\n", ACC_HTTP_E_CONTENT_LENGTH, 0, 0},
        {"Transfer-Encoding: gzip\r\n", ACC_HTTP_E_TRANSFER_ENCODING, 0, 0},
        {"Transfer-Encoding: gzip, chunked\r\n", ACC_HTTP_E_TRANSFER_ENCODING, 0, 0},
        {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", ACC_HTTP_E_TRANSFER_ENCODING, 0, 0},
        {"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", ACC_HTTP_E_TRANSFER_ENCODING, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "HTTP/1.1 200 OK\r\n%s\r\n", cases[i].headers);
        acc_http_head h;
        CHECK_EQ(acc_http_parse_response_head(buf, strlen(buf), &h), 0);
        acc_http_framing f = ACC_HTTP_BODY_NONE;
        uint64_t len = 0;
        int r = acc_http_response_framing(&h, "GET", &f, &len);
        if (r != cases[i].want)
            fprintf(stderr, "framing case %zu: %s\n", i, cases[i].headers);
        CHECK_EQ(r, cases[i].want);
        if (r == 0) {
            CHECK_EQ(f, cases[i].f);
            CHECK_EQ(len, cases[i].len);
        }
    }
    /* HEAD and 204/304 have no body; requests without framing have none */
    char buf[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
    acc_http_head h;
    acc_http_framing f;
    uint64_t len;
    CHECK_EQ(acc_http_parse_response_head(buf, strlen(buf), &h), 0);
    CHECK_EQ(acc_http_response_framing(&h, "HEAD", &f, &len), 0);
    CHECK_EQ(f, ACC_HTTP_BODY_NONE);
    char req[] = "POST / HTTP/1.1\r\n\r\n";
    CHECK_EQ(acc_http_parse_request_head(req, strlen(req), &h), 0);
    CHECK_EQ(acc_http_request_framing(&h, &f, &len), 0);
    CHECK_EQ(f, ACC_HTTP_BODY_NONE);
}

static void chunks(void)
{
    uint64_t v;
    CHECK_EQ(acc_http_parse_chunk_size("1a", 2, &v), 0);
    CHECK_EQ(v, 26);
    CHECK_EQ(acc_http_parse_chunk_size("FF;name=val", 11, &v), 0);
    CHECK_EQ(v, 255);
    CHECK_EQ(acc_http_parse_chunk_size("0", 1, &v), 0);
    CHECK_EQ(v, 0);
    CHECK_EQ(acc_http_parse_chunk_size("", 0, &v), ACC_HTTP_E_CHUNK);
    CHECK_EQ(acc_http_parse_chunk_size("-1", 2, &v), ACC_HTTP_E_CHUNK);
    CHECK_EQ(acc_http_parse_chunk_size("g", 1, &v), ACC_HTTP_E_CHUNK);
    CHECK_EQ(acc_http_parse_chunk_size("10 x", 4, &v), ACC_HTTP_E_CHUNK);
    CHECK_EQ(acc_http_parse_chunk_size("ffffffffffffffffff", 18, &v), ACC_HTTP_E_CHUNK);
    CHECK_EQ(acc_http_parse_chunk_size("00000000000000000000001a", 24, &v), 0); /* leading zeros */
    CHECK_EQ(v, 26);
    CHECK_EQ(acc_http_parse_chunk_size("fffffffffffffff", 15, &v), 0); /* 60 bits */
    CHECK_EQ(acc_http_parse_chunk_size("1000000000000000", 16, &v), ACC_HTTP_E_CHUNK); /* 61 */
}

static void urls(void)
{
    acc_http_url u, v;
    CHECK_EQ(acc_http_parse_url("http://example.com", &u), 0);
    CHECK_STR(u.host, "example.com");
    CHECK_EQ(u.port, 80);
    CHECK_STR(u.path, "/");
    CHECK_EQ(acc_http_parse_url("HTTP://127.0.0.1:8080/a/b?c=d#frag", &u), 0);
    CHECK_STR(u.host, "127.0.0.1");
    CHECK_EQ(u.port, 8080);
    CHECK_STR(u.path, "/a/b?c=d");
    CHECK_EQ(acc_http_parse_url("http://[::1]:81/x", &u), 0);
    CHECK_STR(u.host, "::1");
    CHECK_EQ(u.port, 81);
    CHECK_EQ(acc_http_parse_url("http://h?q", &u), 0);
    CHECK_STR(u.path, "/?q");
    CHECK_EQ(acc_http_parse_url("https://example.com/", &u), 0);
    CHECK_EQ(u.port, 443);
    CHECK(u.tls);
    CHECK_EQ(acc_http_parse_url("HTTPS://example.com:8443", &u), 0);
    CHECK_EQ(u.port, 8443);
    CHECK_STR(u.path, "/");
    CHECK_EQ(acc_http_parse_url("http://example.com/", &u), 0);
    CHECK(!u.tls);
    CHECK_EQ(acc_http_parse_url("ftp://example.com/", &u), ACC_HTTP_E_SCHEME);
    CHECK_EQ(acc_http_parse_url("example.com", &u), ACC_HTTP_E_URL);
    CHECK_EQ(acc_http_parse_url("http://", &u), ACC_HTTP_E_URL);
    CHECK_EQ(acc_http_parse_url("http://h:0/", &u), ACC_HTTP_E_URL);
    CHECK_EQ(acc_http_parse_url("http://h:65536/", &u), ACC_HTTP_E_URL);
    CHECK_EQ(acc_http_parse_url("http://h:/", &u), ACC_HTTP_E_URL);
    CHECK_EQ(acc_http_parse_url("http://u@h/", &u), ACC_HTTP_E_URL);
    CHECK_EQ(acc_http_parse_url("http://h/a b", &u), ACC_HTTP_E_URL);

    CHECK_EQ(acc_http_parse_url("http://h:81/a/b?x", &u), 0);
    CHECK_EQ(acc_http_resolve_location(&u, "/c", &v), 0);
    CHECK_STR(v.path, "/c");
    CHECK_EQ(v.port, 81);
    CHECK_EQ(acc_http_resolve_location(&u, "c?y", &v), 0);
    CHECK_STR(v.path, "/a/c?y");
    CHECK_EQ(acc_http_resolve_location(&u, "http://k/z", &v), 0);
    CHECK_STR(v.host, "k");
    CHECK_EQ(acc_http_resolve_location(&u, "https://k/z", &v), 0);
    CHECK(v.tls);
    CHECK_EQ(v.port, 443);
    CHECK_EQ(acc_http_resolve_location(&u, "ftp://k/z", &v), ACC_HTTP_E_SCHEME);
    CHECK_EQ(acc_http_resolve_location(&u, "", &v), ACC_HTTP_E_LOCATION);
    CHECK_EQ(acc_http_resolve_location(&u, "//k/z", &v), 0);
    CHECK_STR(v.host, "k");
    CHECK_EQ(v.port, 80);
    CHECK_STR(v.path, "/z");
    CHECK_STR(acc_http_strerror(ACC_HTTP_E_SCHEME), "only http:// and https:// URLs are supported");
    CHECK_STR(acc_http_strerror(ACC_HTTP_E_TLS_VERIFY), "TLS certificate verification failed");

    /* RFC 3986 5.4.1 and 5.4.2, against http://a/b/c/d;p?q */
    static const char *const rfc[][2] = {
        {"g", "/b/c/g"}, {"./g", "/b/c/g"}, {"g/", "/b/c/g/"}, {"/g", "/g"},
        {"?y", "/b/c/d;p?y"}, {"g?y", "/b/c/g?y"}, {"#s", "/b/c/d;p?q"},
        {"g#s", "/b/c/g"}, {";x", "/b/c/;x"}, {".", "/b/c/"}, {"./", "/b/c/"},
        {"..", "/b/"}, {"../", "/b/"}, {"../g", "/b/g"}, {"../..", "/"},
        {"../../", "/"}, {"../../g", "/g"}, {"../../../g", "/g"},
        {"../../../../g", "/g"}, {"/./g", "/g"}, {"/../g", "/g"}, {"g.", "/b/c/g."},
        {".g", "/b/c/.g"}, {"g..", "/b/c/g.."}, {"..g", "/b/c/..g"},
        {"./../g", "/b/g"}, {"./g/.", "/b/c/g/"}, {"g/./h", "/b/c/g/h"},
        {"g/../h", "/b/c/h"}, {"g;x=1/./y", "/b/c/g;x=1/y"}, {"g;x=1/../y", "/b/c/y"},
        {"g?y/./x", "/b/c/g?y/./x"}, {"g?y/../x", "/b/c/g?y/../x"},
    };
    CHECK_EQ(acc_http_parse_url("http://a/b/c/d;p?q", &u), 0);
    for (size_t i = 0; i < sizeof rfc / sizeof rfc[0]; i++) {
        CHECK_EQ(acc_http_resolve_location(&u, rfc[i][0], &v), 0);
        CHECK_STR(v.path, rfc[i][1]);
        CHECK_STR(v.host, "a");
    }
}

int main(void)
{
    response_heads();
    request_heads();
    framing();
    chunks();
    urls();
    printf("parse_test: ok\n");
    return 0;
}
