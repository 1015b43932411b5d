/*
 * fetch_sync: the seed's first version, with urlopen: download the pages
 * one after another, each request blocking the program until its page is
 * in.  Plain C, plain blocking sockets, no acc.
 *
 *     fetch_sync URL...
 *
 *     for url in urls:
 *         page = urlopen(url).read()
 *         result.append(len(page))
 *     print(result)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>

#include "blocking_get.h"
#include "http_parse.h"
#include "sample.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: fetch_sync URL...\n");
        return 2;
    }
    double begin = sample_now();
    int failed = 0;
    printf("[");
    for (int i = 1; i < argc; i++) {
        char *page;
        long n = blocking_get(argv[i], &page); /* the whole program waits here */
        if (n < 0) {
            fprintf(stderr, "%s: %s\n", argv[i], acc_http_strerror((int)n));
            failed = 1;
        }
        printf("%s%ld", i > 1 ? ", " : "", n);
        free(page);
    }
    printf("]\n");
    printf("time: %.3f s\n", sample_now() - begin);
    return failed;
}
