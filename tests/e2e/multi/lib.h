/*
 * lib.h: the interface of lib.ac, included by main.ac.  A header shared by
 * .ac files declares async functions with the same `async` keyword; it
 * includes <acc.h>, which defines `async` for the C compiler.
 */
#ifndef MULTI_LIB_H
#define MULTI_LIB_H

#include <acc.h>

struct range { int lo, hi; };

async int lib_add(int, int);
async struct range lib_range(int center, int radius);
async void lib_log(const char *msg);
int lib_plain(int x);
extern int lib_calls;

#endif
