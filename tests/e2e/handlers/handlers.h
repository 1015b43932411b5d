/* handlers.h: an async callback type shared by several .ac files. */
#ifndef HANDLERS_H
#define HANDLERS_H

#include <acc.h>

struct req {
    const char *path;
    int n;
};

/* every handler is awaited through this type */
typedef async int handler(struct req *);

struct route {
    const char *path;
    handler *h;
};

extern const struct route routes[];  /* defined in routes.ac, NULL-terminated */
async int route_hello(struct req *r); /* defined in routes.ac */
handler *route_find(const char *path); /* a plain function returning an async pointer */
async int dispatch(handler *h, struct req *r); /* awaits through its parameter */

#endif
