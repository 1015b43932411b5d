/*
 * fuzz_http.c: a libFuzzer target for net/'s strict HTTP parsers.  The
 * input goes, as an exactly sized heap copy (so any read past the end is an
 * AddressSanitizer report), to the response and request head parsers, the
 * framing and keep-alive decisions on what they accept, the chunk-size
 * parser, the URL parser and the Location resolver.  Every input must give
 * 0 or an ACC_HTTP_E_* status.
 */
#include "http_parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void head(const char *data, size_t size, bool request) {
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return;
    memcpy(buf, data, size);
    acc_http_head h;
    int r = request ? acc_http_parse_request_head(buf, size, &h)
                    : acc_http_parse_response_head(buf, size, &h);
    if (r == 0) {
        acc_http_framing f;
        uint64_t length;
        if (request)
            (void)acc_http_request_framing(&h, &f, &length);
        else
            (void)acc_http_response_framing(&h, "GET", &f, &length);
        (void)acc_http_keep_alive(&h);
        (void)acc_http_find_header(&h, "content-length");
        acc_http_head_terminate(buf, &h);
        acc_http_head_free(&h);
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    head(s, size, false);
    head(s, size, true);
    uint64_t chunk;
    char *line = malloc(size ? size : 1);
    if (line) {
        memcpy(line, s, size);
        (void)acc_http_parse_chunk_size(line, size, &chunk);
        free(line);
    }
    /* the URL functions take C strings */
    char *str = malloc(size + 1);
    if (str) {
        memcpy(str, s, size);
        str[size] = '\0';
        acc_http_url base, out;
        if (acc_http_parse_url("http://example.test:8080/a/b?q=1", &base) == 0)
            (void)acc_http_resolve_location(&base, str, &out);
        (void)acc_http_parse_url(str, &out);
        free(str);
    }
    return 0;
}
