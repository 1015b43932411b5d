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

#if defined(__SANITIZE_ADDRESS__)
#define ACC_BLOCK_PER_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ACC_BLOCK_PER_MALLOC 1
#endif
#endif

void *xcalloc(size_t n, size_t size) {
    if (size && n > (SIZE_MAX / 2) / size)
        die("out of memory");
    void *p = xmalloc(n * size);
    memset(p, 0, n * size);
    return p;
}

#ifdef ACC_BLOCK_PER_MALLOC
/*
 * Under AddressSanitizer each block is its own malloc, so that the
 * sanitizer sees every overflow and every use after xfree; the blocks are
 * linked into one list, freed at exit (arena_free_all).
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

void *xnew(size_t n) { return xcalloc(1, n); }

void arena_free_all(void) {
    while (arena.next != &arena) {
        Block *b = arena.next;
        unlink_block(b);
        free(b);
    }
}
#else
/*
 * acc's memory is an arena: an allocation cuts the next bytes of the newest
 * chunk, and arena_free_all releases every chunk at exit, so sanitizers and
 * valgrind see no leak while the passes keep what they build until the
 * process ends.  A run on a 10,000-line file makes some 200,000 small
 * allocations (nodes, strings, buffers); cutting them costs a few
 * instructions where malloc and free cost hundreds.  xfree gives back only
 * the newest block (the usual case: a string formatted, used and freed);
 * any other stays until exit.  Each block starts with its size, for
 * xrealloc, which grows the newest block in place.  A large block (the
 * output, the input file) is a malloc of its own, so that growing it
 * reallocates in place and freeing it frees it: cut from chunks, the copies
 * left behind would cost more page faults than malloc costs instructions.
 */
typedef struct Chunk {
    struct Chunk *next;
    size_t size, used; /* bytes of data[], bytes cut */
    max_align_t data[];
} Chunk;

typedef union {
    struct {
        size_t size; /* as asked for */
        bool large;  /* a malloc of its own, in a Large */
    } h;
    max_align_t align;
} Head;

typedef struct Large {
    struct Large *prev, *next;
    Head head;
} Large;

enum { FIRST_CHUNK = 64 << 10, LAST_CHUNK = 1 << 20, LARGE = 8 << 10 };

static Chunk *chunks;                   /* newest first: blocks are cut from the first */
static size_t chunk_size = FIRST_CHUNK; /* of the next chunk: doubles up to LAST_CHUNK */
static Large larges = {&larges, &larges, {{0, true}}};

static size_t rounded(size_t n) {
    return (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
}

static Large *large_of(Head *h) { return (Large *)((char *)h - offsetof(Large, head)); }

static void *link_large(Large *l, size_t n) {
    l->next = larges.next;
    l->prev = &larges;
    larges.next->prev = l;
    larges.next = l;
    l->head.h.size = n;
    l->head.h.large = true;
    return &l->head + 1;
}

static void unlink_large(Large *l) {
    l->prev->next = l->next;
    l->next->prev = l->prev;
}

static Chunk *new_chunk(void) {
    Chunk *c = malloc(sizeof *c + chunk_size);
    if (!c)
        die("out of memory");
    c->size = chunk_size;
    c->used = 0;
    c->next = chunks;
    chunks = c;
    if (chunk_size < LAST_CHUNK)
        chunk_size *= 2;
    return c;
}

void *xmalloc(size_t n) {
    if (n > SIZE_MAX / 2)
        die("out of memory");
    if (n >= LARGE) {
        Large *l = malloc(sizeof *l + n);
        if (!l)
            die("out of memory");
        return link_large(l, n);
    }
    size_t need = sizeof(Head) + rounded(n);
    Chunk *c = chunks;
    size_t at = c ? rounded(c->used) : 0; /* (xnew cuts at 8 bytes) */
    if (!c || c->size < at + need) {
        c = new_chunk();
        at = 0;
    }
    Head *h = (Head *)((char *)c->data + at);
    c->used = at + need;
    h->h.size = n;
    h->h.large = false;
    return h + 1;
}

void *xnew(size_t n) {
    /* no Head: 8-byte aligned (pointers and ints), cut like the rest */
    size_t need = (n + 7) / 8 * 8;
    if (need >= LARGE)
        return xcalloc(1, n);
    Chunk *c = chunks && chunks->size - chunks->used >= need ? chunks : new_chunk();
    void *p = (char *)c->data + c->used;
    c->used += need;
    memset(p, 0, n);
    return p;
}

/* Whether p is the newest block of the first chunk. */
static bool is_newest(void *p, size_t size) {
    return chunks && (char *)p + rounded(size) == (char *)chunks->data + chunks->used;
}

void *xrealloc(void *p, size_t n) {
    if (!p)
        return xmalloc(n);
    if (n > SIZE_MAX / 2)
        die("out of memory");
    Head *h = (Head *)p - 1;
    size_t old = h->h.size;
    if (h->h.large && n >= LARGE) {
        Large *l = large_of(h);
        unlink_large(l);
        Large *nl = realloc(l, sizeof *nl + n);
        if (!nl)
            die("out of memory");
        return link_large(nl, n);
    }
    if (!h->h.large && n < LARGE && is_newest(p, old) &&
        chunks->size - chunks->used + rounded(old) >= rounded(n)) {
        chunks->used = chunks->used - rounded(old) + rounded(n);
        h->h.size = n;
        return p;
    }
    if (!h->h.large && rounded(n) <= rounded(old)) {
        h->h.size = n;
        return p;
    }
    void *q = xmalloc(n);
    memcpy(q, p, old < n ? old : n);
    xfree(p);
    return q;
}

void xfree(void *p) {
    if (!p)
        return;
    Head *h = (Head *)p - 1;
    if (h->h.large) {
        Large *l = large_of(h);
        unlink_large(l);
        free(l);
    } else if (is_newest(p, h->h.size)) {
        chunks->used -= sizeof(Head) + rounded(h->h.size);
    }
}

void arena_free_all(void) {
    while (chunks) {
        Chunk *c = chunks;
        chunks = c->next;
        free(c);
    }
    chunk_size = FIRST_CHUNK;
    while (larges.next != &larges) {
        Large *l = larges.next;
        unlink_large(l);
        free(l);
    }
}
#endif

char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

char *xstrndup(const char *s, size_t n) {
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* The decimal digits of v, written backwards from end; returns the first. */
static char *decimal(char *end, unsigned long long v) {
    do
        *--end = (char)('0' + v % 10);
    while (v /= 10);
    return end;
}

static void put_signed(Buf *b, long long v) {
    char d[24];
    char *p = decimal(d + sizeof d, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v);
    if (v < 0)
        *--p = '-';
    buf_putn(b, p, (size_t)(d + sizeof d - p));
}

static void put_unsigned(Buf *b, unsigned long long v) {
    char d[24];
    char *p = decimal(d + sizeof d, v);
    buf_putn(b, p, (size_t)(d + sizeof d - p));
}

/*
 * printf into a buffer, for the conversions acc's own formats use: %s, %.*s,
 * %c, %d, %u, %ld, %lu, %lld, %llu, %zu, %a, %%.  Lowering and emitting format
 * tens of thousands of small pieces of C, and glibc's vfprintf costs about a
 * thousand instructions a call, twice over when the size is measured
 * first; this costs what the copying does.  Any other conversion is a bug
 * of acc (the format strings are all literals, checked by the compiler).
 */
void buf_vprintf(Buf *b, const char *format, va_list ap) {
    const char *p = format;
    for (;;) {
        const char *q = strchr(p, '%');
        if (!q) {
            buf_put(b, p);
            return;
        }
        buf_putn(b, p, (size_t)(q - p));
        p = q + 1;
        if (strncmp(p, ".*s", 3) == 0) { /* the first n bytes of a string */
            int n = va_arg(ap, int);
            const char *str = va_arg(ap, const char *);
            buf_putn(b, str, strnlen(str, n < 0 ? 0 : (size_t)n));
            p += 3;
            continue;
        }
        int longs = 0;
        bool size = false;
        while (*p == 'l')
            longs++, p++;
        if (*p == 'z')
            size = true, p++;
        switch (*p) {
        case 's':
            buf_put(b, va_arg(ap, const char *));
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);
            buf_putn(b, &c, 1);
            break;
        }
        case 'd':
            put_signed(b, longs == 2 ? va_arg(ap, long long) : longs == 1 ? va_arg(ap, long)
                                                                           : va_arg(ap, int));
            break;
        case 'u':
            put_unsigned(b, size        ? va_arg(ap, size_t)
                            : longs == 2 ? va_arg(ap, unsigned long long)
                            : longs == 1 ? va_arg(ap, unsigned long)
                                         : va_arg(ap, unsigned));
            break;
        case 'a': { /* a double, exactly: macro.c's floating constants */
            char tmp[64];
            snprintf(tmp, sizeof tmp, "%a", va_arg(ap, double));
            buf_put(b, tmp);
            break;
        }
        case '%':
            buf_putn(b, "%", 1);
            break;
        default:
            die("unsupported conversion in format \"%s\"", format);
        }
        p++;
    }
}

char *fmt(const char *format, ...) {
    Buf b = {0};
    va_list ap;
    va_start(ap, format);
    buf_vprintf(&b, format, ap);
    va_end(ap);
    return buf_take(&b);
}

void buf_grow(Buf *b, size_t n) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void buf_put(Buf *b, const char *s) { buf_putn(b, s, strlen(s)); }

void buf_printf(Buf *b, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    buf_vprintf(b, format, ap);
    va_end(ap);
}

char *buf_take(Buf *b) {
    if (!b->data)
        return xstrdup("");
    /* fitted: in the arena the newest block gives its spare room back */
    char *p = xrealloc(b->data, b->len + 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

char *c_literal(const char *s) {
    Buf b = {0};
    buf_put(&b, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_put(&b, "\\");
        buf_putn(&b, s, 1);
    }
    buf_put(&b, "\"");
    return buf_take(&b);
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

/* What text_balanced looks at in a character: most are nothing to it, and
   parse asks about the text of every node, so the loop skips those by a
   table. */
enum { PLAIN, OPEN, CLOSE, SLASH, QUOTE };
static const unsigned char balance_class[256] = {
    ['('] = OPEN,  ['['] = OPEN,  ['{'] = OPEN,   [')'] = CLOSE,
    [']'] = CLOSE, ['}'] = CLOSE, ['/'] = SLASH,  ['"'] = QUOTE, ['\''] = QUOTE,
};

/* Whether the text [b,e) has balanced parentheses and brackets (outside
   literals): libclang's range of a piece of a nested expansion may not.
   (Raw text, not libclang's tokens: it runs on the range of every node of
   the tree, which tokens would cost a lookup each.) */
bool text_balanced(const char *t, unsigned b, unsigned e) {
    int depth = 0;
    for (unsigned p = b; p < e; p++) {
        char c = t[p];
        switch (balance_class[(unsigned char)c]) {
        case PLAIN:
            break;
        case SLASH:
            if (p + 1 < e && t[p + 1] == '*') {
                for (p += 2; p + 1 < e && !(t[p] == '*' && t[p + 1] == '/'); p++)
                    ;
                p++;
            } else if (p + 1 < e && t[p + 1] == '/') {
                while (p < e && t[p] != '\n')
                    p++;
            }
            break;
        case QUOTE:
            for (p++; p < e && t[p] != c; p++)
                if (t[p] == '\\')
                    p++;
            break;
        case OPEN:
            depth++;
            break;
        case CLOSE:
            if (--depth < 0)
                return false;
            break;
        }
    }
    return depth == 0;
}
