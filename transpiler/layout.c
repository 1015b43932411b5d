/*
 * layout.c: a lowered body laid out for a reader.  Lowering writes each
 * statement of the user's on a line of its own, but what it writes for one
 * statement (an await's state, call, spills, resume label and reloads; a
 * loop taken apart) on that one line.  layout_body splits such a line into
 * one statement a line:
 *
 *   - after each `;` and each `{` that opens a block, and before each `}`
 *     that closes one, outside parentheses, literals and comments (the
 *     braces of an initializer or a compound literal stay on their line);
 *   - each piece indented as the user's line it comes from, plus a level for
 *     each block opened on the line before it;
 *   - a `#line N` before each piece but the first (unless --no-line), naming
 *     the user's line again (the file stays the one the last #line named),
 *     so that every line of the output, __LINE__ and a compiler's messages
 *     included, still maps to the .ac line it comes from.
 *
 * Preprocessor lines pass through as they are.
 */
#include "accc.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const Options *opt;
    const Source *src;
    Buf out;
    unsigned line;       /* the .ac line the next input line maps to, 0 unknown */
    bool named;          /* a #line has named the file: `#line N` alone may follow */
    bool in_comment;     /* the line starts inside a block comment of the user's */
    Buf braces;          /* the braces open, a char each (generated) */
} Layout;

/* The end of the literal or comment that starts at p (a quote, `/ *`, `//`),
   within [p, e). */
static const char *skip_opaque(const char *p, const char *e) {
    if (*p == '"' || *p == '\'') {
        char q = *p++;
        while (p < e && *p != q)
            p += *p == '\\' && p + 1 < e ? 2 : 1;
        return p < e ? p + 1 : e;
    }
    if (p[1] == '/')
        return e;
    const char *c = p + 2;
    while (c + 1 < e && !(c[0] == '*' && c[1] == '/'))
        c++;
    return c + 1 < e ? c + 2 : e;
}

static bool opens_opaque(const char *p, const char *e) {
    return *p == '"' || *p == '\'' || (*p == '/' && p + 1 < e && (p[1] == '*' || p[1] == '/'));
}

/* Whether the `{` at p opens a block: a `;` at its own level before its
   `}` (or no `}` on the line: lowering's own multi-line blocks). */
static bool is_block(const char *p, const char *e) {
    int depth = 0;
    for (const char *c = p; c < e;) {
        if (opens_opaque(c, e)) {
            c = skip_opaque(c, e);
            continue;
        }
        if (*c == '{' || *c == '(' || *c == '[')
            depth++;
        else if (*c == '}' || *c == ')' || *c == ']') {
            if (--depth == 0)
                return false;
        } else if (*c == ';' && depth == 1)
            return true;
        c++;
    }
    return true;
}

static void indent(Layout *y, unsigned line, int level) {
    const char *t = y->src->text, *p = t;
    if (line && line <= y->src->nlines) {
        p = t + y->src->line_starts[line - 1];
        const char *q = p;
        while (*q == ' ' || *q == '\t')
            q++;
        buf_putn(&y->out, p, (size_t)(q - p));
    }
    for (int i = 0; i < level; i++)
        buf_put(&y->out, "    ");
}

/* One piece of a code line: its own line, after a #line when it is not the
   line's first. */
static bool piece(Layout *y, const char *b, const char *e, bool first, int level) {
    while (b < e && (*b == ' ' || *b == '\t'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    if (b == e)
        return false;
    if (!first && y->line && y->named && !y->opt->no_line)
        buf_printf(&y->out, "#line %u\n", y->line); /* the file stays the one named last */
    indent(y, y->line, level < 0 ? 0 : level);
    buf_putn(&y->out, b, (size_t)(e - b));
    buf_put(&y->out, "\n");
    return true;
}

/* The characters code_line stops at; it passes over the others. */
static const unsigned char stop[256] = {
    ['('] = 1, [')'] = 1, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1,
    [';'] = 1, ['"'] = 1, ['\''] = 1, ['/'] = 1,
};

/* The braces open at p: 'u' a block the user wrote (lowering writes its
   `{` on a line of its own), 'g' a block acc opened (an indentation level
   more), 'i' an initializer or compound literal (stays on its line). */
static int generated(const Layout *y) {
    int n = 0;
    for (size_t i = 0; i < y->braces.len; i++)
        n += y->braces.data[i] == 'g';
    return n;
}

static void code_line(Layout *y, const char *p, const char *e) {
    const char *start = p;
    bool first = true;
    int paren = 0;
    const char *b = p, *t = e;
    while (b < t && (*b == ' ' || *b == '\t'))
        b++;
    while (t > b && (t[-1] == ' ' || t[-1] == '\t'))
        t--;
    bool alone = t - b == 1 && *b == '{'; /* a block of the user's */
    while (p < e) {
        if (!stop[(unsigned char)*p]) {
            p++;
            continue;
        }
        if (opens_opaque(p, e)) {
            const char *q = skip_opaque(p, e);
            if (p[0] == '/' && p[1] == '*' && !(q - p >= 4 && q[-2] == '*' && q[-1] == '/'))
                y->in_comment = true; /* it goes on on the next line */
            p = q;
            continue;
        }
        char c = *p;
        if (c == '(' || c == '[')
            paren++;
        else if ((c == ')' || c == ']') && paren > 0)
            paren--;
        else if (c == ';' && paren == 0) {
            if (piece(y, start, p + 1, first, generated(y)))
                first = false;
            start = p + 1;
        } else if (c == '{' && paren == 0) {
            char kind = alone ? 'u' : is_block(p, e) ? 'g' : 'i';
            if (kind != 'i') {
                if (piece(y, start, p + 1, first, generated(y)))
                    first = false;
                start = p + 1;
            }
            buf_putn(&y->braces, &kind, 1);
        } else if (c == '}' && paren == 0) {
            char kind = y->braces.len ? y->braces.data[--y->braces.len] : 'u';
            if (kind != 'i') {
                /* what comes before the `}`, then the `}` with what stays
                   with it (`} else`, `} while (C);`, `};`) */
                y->braces.len++;
                if (piece(y, start, p, first, generated(y)))
                    first = false;
                y->braces.len--;
                start = p;
                const char *q = p + 1;
                while (q < e && (*q == ' ' || *q == '\t'))
                    q++;
                bool stays = q < e && (*q == ';' || *q == ',' || *q == ')' ||
                                       strncmp(q, "else", 4) == 0 || strncmp(q, "while", 5) == 0);
                if (!stays) {
                    if (piece(y, start, p + 1, first, generated(y)))
                        first = false;
                    start = p + 1;
                }
            }
        }
        p++;
    }
    if (piece(y, start, e, first, generated(y)))
        first = false;
    if (first) /* an empty line stays one: the numbering goes on */
        buf_put(&y->out, "\n");
}

/* `#line N "file"`: where the next line maps to. */
static void directive(Layout *y, const char *p, const char *e) {
    const char *q = p + 1;
    while (q < e && (*q == ' ' || *q == '\t'))
        q++;
    if (e - q > 5 && strncmp(q, "line ", 5) == 0) {
        char *end;
        unsigned long n = strtoul(q + 5, &end, 10);
        while (end < e && *end == ' ')
            end++;
        y->line = (unsigned)n;
        y->named |= end < e;
        if (!y->opt->no_line) {
            buf_putn(&y->out, p, (size_t)(e - p));
            buf_put(&y->out, "\n");
        }
        return;
    }
    buf_putn(&y->out, p, (size_t)(e - p));
    buf_put(&y->out, "\n");
    if (y->line)
        for (const char *c = p; c <= e; c++)
            y->line += c == e || *c == '\n';
}

char *layout_body(const char *text, const Options *opt, const Source *src) {
    Layout y = {opt, src, {0}, 0, false, false, {0}};
    if (!src->line_starts) {
        unsigned l, c;
        line_col(src, 0, &l, &c); /* builds the line index */
    }
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, '\n');
        if (!e)
            e = p + strlen(p);
        const char *q = p;
        while (q < e && (*q == ' ' || *q == '\t'))
            q++;
        if (y.in_comment) {
            /* a line of a block comment the user spread over lines: as it
               is; code after its end is laid out */
            const char *end = q;
            while (end + 1 < e && !(end[0] == '*' && end[1] == '/'))
                end++;
            if (end + 1 >= e) {
                buf_putn(&y.out, p, (size_t)(e - p));
                buf_put(&y.out, "\n");
                if (y.line)
                    y.line++;
                p = *e ? e + 1 : e;
                continue;
            }
            y.in_comment = false;
            buf_putn(&y.out, p, (size_t)(end + 2 - p));
            code_line(&y, end + 2, e);
            if (y.line)
                y.line++;
            p = *e ? e + 1 : e;
            continue;
        }
        if (q < e && *q == '#') {
            /* a directive, with its continuation lines */
            while (e > p && e[-1] == '\\' && *e)
                e = strchr(e + 1, '\n') ? strchr(e + 1, '\n') : e + strlen(e);
            directive(&y, q, e);
        } else {
            code_line(&y, p, e);
            if (y.line)
                y.line++;
        }
        p = *e ? e + 1 : e;
    }
    xfree(y.braces.data);
    return buf_take(&y.out);
}
