/* a.h: included by a/one.ac only; the test touches it. */
#include <acc.h>

#define A_VALUE 1
async int a_value(void);
