/*
 * util.c: memory, strings and growable buffers for acc.
 *
 * acc is a short-lived process: allocation failure is fatal (an internal
 * error, never a half-written output file, since the output is written only
 * at the very end through a temporary file).
 */
#include "accc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Every allocation of acc is linked into one list and freed at exit
 * (arena_free_all), so sanitizers and valgrind see no leak from a run, while
 * the passes stay free to keep what they build until the process ends.
 */
typedef struct Block {
    struct Block *prev, *next;
    max_align_t align[];
} Block;

static Block arena = {&arena, &arena};

static void *link_block(Block *b) {
    b->next = arena.next;
    b->prev = &arena;
    arena.next->prev = b;
    arena.next = b;
    return b->align;
}

static Block *block_of(void *p) { return (Block *)((char *)p - offsetof(Block, align)); }

static void unlink_block(Block *b) {
    b->prev->next = b->next;
    b->next->prev = b->prev;
}

void *xmalloc(size_t n) {
    Block *b = malloc(sizeof(Block) + n);
    if (!b)
        die("out of memory");
    return link_block(b);
}

void *xcalloc(size_t n, size_t size) {
    if (size && n > (SIZE_MAX - sizeof(Block)) / size)
        die("out of memory");
    void *p = xmalloc(n * size);
    memset(p, 0, n * size);
    return p;
}

void *xrealloc(void *p, size_t n) {
    if (!p)
        return xmalloc(n);
    Block *b = block_of(p);
    unlink_block(b);
    Block *nb = realloc(b, sizeof(Block) + n);
    if (!nb)
        die("out of memory");
    return link_block(nb);
}

void xfree(void *p) {
    if (!p)
        return;
    Block *b = block_of(p);
    unlink_block(b);
    free(b);
}

void arena_free_all(void) {
    while (arena.next != &arena) {
        Block *b = arena.next;
        unlink_block(b);
        free(b);
    }
}

char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

char *xstrndup(const char *s, size_t n) {
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static char *vfmt(const char *format, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, format, ap2);
    va_end(ap2);
    if (n < 0)
        die("bad format");
    char *p = xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, format, ap);
    return p;
}

char *fmt(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    char *p = vfmt(format, ap);
    va_end(ap);
    return p;
}

void buf_putn(Buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_put(Buf *b, const char *s) { buf_putn(b, s, strlen(s)); }

void buf_printf(Buf *b, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    char *p = vfmt(format, ap);
    va_end(ap);
    buf_put(b, p);
    xfree(p);
}

char *buf_take(Buf *b) {
    if (!b->data)
        return xstrdup("");
    char *p = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    Buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_putn(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        xfree(b.data);
        return NULL;
    }
    *len = b.len;
    return buf_take(&b);
}

char *str_dispose(CXString s) {
    const char *c = clang_getCString(s);
    char *p = xstrdup(c ? c : "");
    clang_disposeString(s);
    return p;
}

void vec_push(Vec *v, void *item) {
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->items = xrealloc(v->items, (size_t)v->cap * sizeof *v->items);
    }
    v->items[v->len++] = item;
}

/* Whether the text [b,e) has balanced parentheses and brackets (outside
   literals): libclang's range of a piece of a nested expansion may not. */
bool text_balanced(const char *t, unsigned b, unsigned e) {
    int depth = 0;
    for (unsigned p = b; p < e; p++) {
        char c = t[p];
        if (c == '/' && p + 1 < e && t[p + 1] == '*') {
            for (p += 2; p + 1 < e && !(t[p] == '*' && t[p + 1] == '/'); p++)
                ;
            p++;
        } else if (c == '/' && p + 1 < e && t[p + 1] == '/') {
            while (p < e && t[p] != '\n')
                p++;
        } else if (c == '"' || c == '\'') {
            for (p++; p < e && t[p] != c; p++)
                if (t[p] == '\\')
                    p++;
        } else if (c == '(' || c == '[' || c == '{') {
            depth++;
        } else if (c == ')' || c == ']' || c == '}') {
            if (--depth < 0)
                return false;
        }
    }
    return depth == 0;
}

