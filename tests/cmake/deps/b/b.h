/* b.h: included by b/one.ac only. */
#define B_VALUE 2
