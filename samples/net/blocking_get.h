/*
 * blocking_get.h: urlopen(url).read() in plain C: one blocking socket per
 * request, the thread waits on every step.  What fetch_sync runs one page
 * after another, and fetch_executor hands to the thread pool.
 */
#ifndef BLOCKING_GET_H
#define BLOCKING_GET_H

/* GETs an http:// URL: the body's length (*body: malloc'd, NUL-terminated,
 * to free), or a negative errno / ACC_HTTP_E_* status. */
long blocking_get(const char *url, char **body);

#endif
