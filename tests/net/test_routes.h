/*
 * test_routes.h: the routes of the test server (http_test in-process,
 * test_server for curl and wrk):
 *   GET  /hello           "hello\n"
 *   POST /echo            the request body back
 *   GET  /size/<n>        n bytes of test_pattern
 *   GET  /chunked/<n>     the same, chunked (1000-byte chunks)
 *   GET  /gzip/<n>        the same, gzip'd (Content-Encoding: gzip), 100-byte chunks
 *   GET  /deflate/<n>     the same, raw deflate (Content-Encoding: deflate)
 *   GET  /redirect/<k>    302 to /redirect/<k-1>; /redirect/0: "landed\n"
 *   POST /307             307 to /echo (the body to be sent again)
 *   GET  /relative        301 to "hello" (a relative Location)
 *   GET  /slow/<ms>       "slow\n" after <ms> milliseconds (the handler awaits a sleep)
 *   GET  /close           "bye\n", then the server closes the connection
 *   GET  /fail            the handler fails: 500
 *   GET  /stats           "<requests> <connections>\n"
 *   GET  /quit            stops the server
 */
#ifndef TEST_ROUTES_H
#define TEST_ROUTES_H

#include <stddef.h>
#include "http_server.h"

int test_routes_add(acc_http_server *srv);
void test_pattern(unsigned char *buf, size_t n); /* byte i = (31 i + 7) mod 256 */
/* /slow handlers that started, were cancelled (client gone, server stopped), finished */
extern int test_slow_started, test_slow_cancelled, test_slow_done;

#endif
