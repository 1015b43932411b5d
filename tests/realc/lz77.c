/* lz77.c: an LZ77-style compressor and decompressor with a hash chain
 * match finder, round-tripping generated text, as small real compressors
 * (lz4, miniz's tdefl) are written: a stream struct, object-like macros
 * that name its fields (`#define data (s->buf)`), a token format of
 * literal runs and (offset, length) matches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 4096
#define MIN_MATCH 4
#define MAX_MATCH 255
#define HASH_BITS 12
#define HASH_SIZE (1 << HASH_BITS)
#define NIL (-1)

typedef struct {
    unsigned char *buf;
    size_t len, cap;
} stream;

static void put_byte(stream *s, unsigned char b)
{
#define data (s->buf)
#define size (s->len)
    if (size == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        unsigned char *p = realloc(data, cap);
        if (p == NULL) {
            fputs("lz77: out of memory\n", stderr);
            exit(1);
        }
        data = p;
        s->cap = cap;
    }
    data[size++] = b;
#undef data
#undef size
}

static unsigned hash4(const unsigned char *p)
{
    unsigned v = (unsigned)p[0] | (unsigned)p[1] << 8 | (unsigned)p[2] << 16 | (unsigned)p[3] << 24;
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

static size_t match_length(const unsigned char *a, const unsigned char *b, size_t limit)
{
    size_t n = 0;
    while (n < limit && a[n] == b[n])
        n++;
    return n;
}

static void flush_literals(stream *out, const unsigned char *lit, size_t n)
{
    while (n > 0) {
        size_t k = n > 127 ? 127 : n, i;
        put_byte(out, (unsigned char)k);
        for (i = 0; i < k; i++)
            put_byte(out, lit[i]);
        lit += k;
        n -= k;
    }
}

/* token: 0x01..0x7f = that many literals follow; 0x80|hi, lo, len = match */
static void compress(const unsigned char *in, size_t n, stream *out)
{
    int *head = malloc(sizeof(int) * HASH_SIZE);
    int *prev = malloc(sizeof(int) * WINDOW);
    size_t pos = 0, lit_start = 0;
    int i;
    if (head == NULL || prev == NULL)
        exit(1);
    for (i = 0; i < HASH_SIZE; i++)
        head[i] = NIL;
    while (pos + MIN_MATCH <= n) {
        unsigned h = hash4(in + pos);
        size_t best_len = 0, best_off = 0;
        int cand = head[h], chain = 16;
        while (cand != NIL && chain-- > 0 && pos - (size_t)cand < WINDOW) {
            size_t limit = n - pos < MAX_MATCH ? n - pos : MAX_MATCH;
            size_t len = match_length(in + cand, in + pos, limit);
            if (len > best_len) {
                best_len = len;
                best_off = pos - (size_t)cand;
            }
            cand = prev[cand % WINDOW];
        }
        prev[pos % WINDOW] = head[h];
        head[h] = (int)pos;
        if (best_len >= MIN_MATCH) {
            size_t k;
            flush_literals(out, in + lit_start, pos - lit_start);
            put_byte(out, (unsigned char)(0x80 | (best_off >> 8)));
            put_byte(out, (unsigned char)(best_off & 0xff));
            put_byte(out, (unsigned char)best_len);
            for (k = 1; k < best_len && pos + k + MIN_MATCH <= n; k++) {
                unsigned h2 = hash4(in + pos + k);
                prev[(pos + k) % WINDOW] = head[h2];
                head[h2] = (int)(pos + k);
            }
            pos += best_len;
            lit_start = pos;
        } else {
            pos++;
        }
    }
    flush_literals(out, in + lit_start, n - lit_start);
    free(head);
    free(prev);
}

static int decompress(const stream *in, stream *out)
{
    size_t i = 0;
    while (i < in->len) {
        unsigned char t = in->buf[i++];
        if (t & 0x80) {
            size_t off, len, k;
            if (i + 2 > in->len)
                return -1;
            off = (size_t)(t & 0x7f) << 8 | in->buf[i];
            len = in->buf[i + 1];
            i += 2;
            if (off == 0 || off > out->len)
                return -1;
            for (k = 0; k < len; k++)
                put_byte(out, out->buf[out->len - off]);
        } else {
            if (i + t > in->len)
                return -1;
            while (t--)
                put_byte(out, in->buf[i++]);
        }
    }
    return 0;
}

/* text from a tiny grammar, so that it repeats as prose does */
static size_t generate(unsigned char *buf, size_t n, unsigned seed)
{
    static const char *const words[] = {"the ", "quick ", "brown ", "fox ", "jumps ", "over ",
                                        "lazy ", "dog ", "and ", "runs ", "far ", "away ",
                                        "while ", "a ", "cat ", "sleeps. "};
    size_t len = 0;
    while (len < n) {
        const char *w;
        size_t k;
        seed = seed * 1103515245u + 12345u;
        w = words[(seed >> 16) % (sizeof words / sizeof *words)];
        for (k = 0; w[k] && len < n; k++)
            buf[len++] = (unsigned char)w[k];
    }
    return len;
}

static unsigned long adler32(const unsigned char *p, size_t n)
{
    unsigned long a = 1, b = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        a = (a + p[i]) % 65521;
        b = (b + a) % 65521;
    }
    return b << 16 | a;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 200000;
    unsigned char *text = malloc(n);
    stream packed = {NULL, 0, 0}, unpacked = {NULL, 0, 0};
    int ok;
    if (text == NULL)
        return 1;
    n = generate(text, n, 7);
    compress(text, n, &packed);
    ok = decompress(&packed, &unpacked) == 0 && unpacked.len == n &&
         memcmp(text, unpacked.buf, n) == 0;
    printf("in %lu bytes, adler32 %08lx\n", (unsigned long)n, adler32(text, n));
    printf("packed %lu bytes, adler32 %08lx\n", (unsigned long)packed.len,
           adler32(packed.buf, packed.len));
    printf("round trip %s\n", ok ? "ok" : "FAILED");
    free(text);
    free(packed.buf);
    free(unpacked.buf);
    return ok ? 0 : 1;
}
