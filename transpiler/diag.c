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

/* Whether a line of the file may be a #line directive or a linemarker
   (`# 12 "f"`): a # first on a line, then `line` or a digit.  A comment
   line that looks so only costs the exact answer below. */
static bool may_renumber(const Source *src) {
    for (unsigned k = 0; k < src->nlines; k++) {
        const char *p = src->text + src->line_starts[k];
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != '#')
            continue;
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, "line", 4) == 0 || (*p >= '0' && *p <= '9'))
            return true;
    }
    return false;
}

void presumed_at(const Source *src, unsigned off, char **file, unsigned *line, unsigned *col) {
    line_col(src, off, line, col);
    if (src->renumbers <= 0) {
        if (src->renumbers == 0)
            ((Source *)src)->renumbers = may_renumber(src) ? 1 : -1;
        if (src->renumbers < 0) { /* the file's own numbering: no need to ask libclang */
            *file = xstrdup(src->path);
            return;
        }
    }
    *file = NULL;
    /* libclang maps an offset inside a macro's argument to the macro use,
       so the presumed place is asked of the start of the nearest line at
       or above that is not inside one (no #line can stand in between), and
       counted on from there; the column is the file's */
    for (unsigned k = *line; src->tu && src->file && k >= 1; k--) {
        unsigned start = src->line_starts[k - 1], eo;
        CXSourceLocation loc = clang_getLocationForOffset(src->tu, src->file, start);
        clang_getExpansionLocation(loc, NULL, NULL, NULL, &eo);
        if (eo != start)
            continue;
        CXString name;
        unsigned l, c;
        clang_getPresumedLocation(loc, &name, &l, &c);
        char *s = str_dispose(name);
        if (*s && l) {
            *file = s;
            *line = l + (*line - k);
        }
        break;
    }
    if (!*file)
        *file = xstrdup(src->path);
}

void line_directive(Buf *out, const Options *opt, const Source *src, unsigned off) {
    if (opt->no_line)
        return;
    if (out->len && out->data[out->len - 1] != '\n')
        buf_put(out, "\n");
    char *file;
    unsigned line, col;
    presumed_at(src, off, &file, &line, &col);
    char *path = c_literal(file);
    buf_printf(out, "#line %u %s\n", line, path);
    xfree(path);
    xfree(file);
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
    unsigned line, col, pline, pcol;
    char *file;
    line_col(src, off, &line, &col);
    presumed_at(src, off, &file, &pline, &pcol);
    fprintf(stderr, "%s:%u:%u: error: ", file, pline, pcol);
    xfree(file);
    va_list ap;
    va_start(ap, format);
    vfprintf(stderr, format, ap);
    va_end(ap);
    fputc('\n', stderr);
    show_line(src->text, src->len, off - (col - 1), col);
    error_count++;
}

void error_at_file(const char *shown, const char *path, unsigned line, unsigned col, const char *msg) {
    if (line == 0) {
        fprintf(stderr, "%s: error: %s\n", path, msg);
        error_count++;
        return;
    }
    fprintf(stderr, "%s: error: %s\n", shown, msg);
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
            unsigned line, col, pline = 0, pcol = 0;
            CXSourceLocation loc = clang_getDiagnosticLocation(d);
            clang_getExpansionLocation(loc, &file, &line, &col, NULL);
            char *path = file ? str_dispose(clang_getFileName(file)) : xstrdup("acc");
            /* named where a #line of the input says, as clang does */
            CXString pname;
            clang_getPresumedLocation(loc, &pname, &pline, &pcol);
            char *pfile = str_dispose(pname);
            char *shown = *pfile && pline ? fmt("%s:%u:%u", pfile, pline, pcol)
                                          : fmt("%s:%u:%u", path, line, col);
            char *msg = fnptr_clang_message(str_dispose(clang_getDiagnosticSpelling(d)));
            error_at_file(shown, path, file ? line : 0, col, msg);
            xfree(shown);
            xfree(pfile);
            xfree(path);
            xfree(msg);
            n++;
        }
        clang_disposeDiagnostic(d);
    }
    return n;
}
