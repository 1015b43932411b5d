/*
 * http_body.h: reading a message body, shared by the client and the
 * server (internal to acc_net).
 */
#ifndef ACC_HTTP_BODY_H
#define ACC_HTTP_BODY_H

#include <acc.h>
#include "http_parse.h"
#include "stream.h"

/*
 * Reads a body framed as `framing` (`length` bytes for
 * ACC_HTTP_BODY_LENGTH) of at most `max` bytes.  0 with *body a malloc'd,
 * NUL-terminated buffer ("" for no body) of *len bytes; or
 * ACC_HTTP_E_TRUNCATED, _CHUNK, _BODY_TOO_LARGE, _TOO_MANY_HEADERS (trailer),
 * a negative errno, with *body NULL.
 */
async int acc_http__read_body(acc_stream *s, acc_http_framing framing, uint64_t length,
                              size_t max, char **body, size_t *len);

#endif /* ACC_HTTP_BODY_H */
