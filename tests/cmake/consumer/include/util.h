/* util.h: the async functions of src/util.ac, found through the include
   path.  It includes <acc.h>, which defines `async` for the C compiler. */
#ifndef UTIL_H
#define UTIL_H

#include <acc.h>

async int util_square(int x);
async void util_greet(const char *who);

#endif
