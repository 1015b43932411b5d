/*
 * delay_routes.h: the routes of the delay server, the slow web site the
 * fetch samples download from.
 *
 *   GET /delay/<ms>/<n>   after <ms> milliseconds (times ACC_SAMPLE_SCALE),
 *                         page <n>: 1000 + 10 * n bytes of text
 *   GET /quit             stops the server
 */
#ifndef DELAY_ROUTES_H
#define DELAY_ROUTES_H

#include "http_server.h"

/* 0 or -ENOMEM. */
int delay_routes_add(acc_http_server *srv);
/* The size of page n: what the fetch samples must report. */
size_t delay_page_size(long n);

#endif
