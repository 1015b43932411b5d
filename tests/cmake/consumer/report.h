/* report.h: plain C helpers of report.c, included with quotes from main.ac. */
#ifndef REPORT_H
#define REPORT_H

void report(const char *what, int value);

#endif
