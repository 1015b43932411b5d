/* report.c: a plain C file of the consumer program. */
#include "report.h"

#include <stdio.h>

void report(const char *what, int value) {
    printf("%s = %d\n", what, value);
}
