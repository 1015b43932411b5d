/*
 * diag.c: every message acc prints about its input goes through here, in
 * the format of gcc and clang (file:line:col: error: message, the source
 * line, a caret), so editors and build logs read them like a compiler's.
 * Bugs of acc itself go through die(), which names acc's own source line.
 */
#include "accc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int error_count;

static void index_lines(Source *src) {
    unsigned n = 1;
    for (size_t i = 0; i < src->len; i++)
        n += src->text[i] == '\n';
    src->line_starts = xmalloc(n * sizeof *src->line_starts);
    src->nlines = 0;
    src->line_starts[src->nlines++] = 0;
    for (size_t i = 0; i < src->len; i++)
        if (src->text[i] == '\n')
            src->line_starts[src->nlines++] = (unsigned)i + 1;
}

/* Line and column (1-based, in bytes) of a byte offset: a binary search in
   the line index, since lowering asks for every statement's line. */
void line_col(const Source *src, unsigned off, unsigned *line, unsigned *col) {
    if (!src->line_starts)
        index_lines((Source *)src);
    if (off > src->len)
        off = (unsigned)src->len;
    unsigned lo = 0, hi = src->nlines - 1;
    while (lo < hi) {
        unsigned mid = (lo + hi + 1) / 2;
        if (src->line_starts[mid] <= off)
            lo = mid;
        else
            hi = mid - 1;
    }
    *line = lo + 1;
    *col = off - src->line_starts[lo] + 1;
}

void line_directive(Buf *out, const Options *opt, const Source *src, unsigned line) {
    if (opt->no_line)
        return;
    if (out->len && out->data[out->len - 1] != '\n')
        buf_put(out, "\n");
    char *path = c_literal(src->path);
    buf_printf(out, "#line %u %s\n", line, path);
    xfree(path);
}

/* Prints the source line that holds `line_start`, then a caret under column col. */
static void show_line(const char *text, size_t len, size_t line_start, unsigned col) {
    size_t e = line_start;
    while (e < len && text[e] != '\n')
        e++;
    fprintf(stderr, "%.*s\n", (int)(e - line_start), text + line_start);
    for (unsigned i = 1; i < col && line_start + i - 1 < e; i++)
        fputc(text[line_start + i - 1] == '\t' ? '\t' : ' ', stderr);
    fputs("^\n", stderr);
}

/* The last error's place: a macro that expands its argument twice would
   report it twice. */
static const Source *last_src;
static unsigned last_off = UINT32_MAX;

void diag_reset(void) {
    error_count = 0;
    last_src = NULL;
    last_off = UINT32_MAX;
}

void error_at(const Source *src, unsigned off, const char *format, ...) {
    if (src == last_src && off == last_off)
        return;
    last_src = src;
    last_off = off;
    unsigned line, col;
    line_col(src, off, &line, &col);
    fprintf(stderr, "%s:%u:%u: error: ", src->path, line, col);
    va_list ap;
    va_start(ap, format);
    vfprintf(stderr, format, ap);
    va_end(ap);
    fputc('\n', stderr);
    show_line(src->text, src->len, off - (col - 1), col);
    error_count++;
}

void error_at_file(const char *path, unsigned line, unsigned col, const char *msg) {
    if (line == 0) {
        fprintf(stderr, "%s: error: %s\n", path, msg);
        error_count++;
        return;
    }
    fprintf(stderr, "%s:%u:%u: error: %s\n", path, line, col, msg);
    size_t len;
    char *text = read_file(path, &len);
    if (text) {
        size_t start = 0;
        for (unsigned l = 1; l < line && start < len; start++)
            if (text[start] == '\n')
                l++;
        if (start <= len)
            show_line(text, len, start, col);
        xfree(text);
    }
    error_count++;
}

_Noreturn void die_at(const char *file, int line, const char *format, ...) {
    fprintf(stderr, "acc: internal error at %s:%d: ", file, line);
    va_list ap;
    va_start(ap, format);
    vfprintf(stderr, format, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

int report_clang_errors(CXTranslationUnit tu) {
    int n = 0;
    unsigned count = clang_getNumDiagnostics(tu);
    for (unsigned i = 0; i < count; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        enum CXDiagnosticSeverity sev = clang_getDiagnosticSeverity(d);
        if (sev >= CXDiagnostic_Error) {
            CXFile file;
            unsigned line, col;
            clang_getExpansionLocation(clang_getDiagnosticLocation(d), &file, &line, &col, NULL);
            char *path = file ? str_dispose(clang_getFileName(file)) : xstrdup("acc");
            char *msg = fnptr_clang_message(str_dispose(clang_getDiagnosticSpelling(d)));
            error_at_file(path, file ? line : 0, col, msg);
            xfree(path);
            xfree(msg);
            n++;
        }
        clang_disposeDiagnostic(d);
    }
    return n;
}
