/* sha256.c: SHA-256 of generated data, in the style of small embedded code
 * bases that carry their own preamble instead of the standard headers: its
 * own fixed-width typedefs, its own `bool` enum, its own printf and memcpy
 * prototypes, no <stdio.h>.  The round constants are a static const table
 * inside the function that uses them; the round macros name the working
 * variables (a..h) of the compression function.  Its own `ssize_t` and
 * `FILE` clash with nothing, since it includes no system header. */
typedef unsigned int uint32;
typedef unsigned char uint8;
typedef unsigned long size_type;
typedef enum { false, true } bool;
typedef long ssize_t;                        /* no POSIX headers here */
typedef struct { unsigned long bytes; } FILE; /* this code base's own output sink */

int printf(const char *fmt, ...);
void *memcpy(void *dst, const void *src, size_type n);

typedef struct {
    uint32 h[8];
    uint8 block[64];
    unsigned used;
    unsigned long long bits;
    bool finished;
} sha256_ctx;

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define CH(x, y, z) (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define EP0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define EP1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SIG0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SIG1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))

static uint32 load_be32(const uint8 *p)
{
    return (uint32)p[0] << 24 | (uint32)p[1] << 16 | (uint32)p[2] << 8 | (uint32)p[3];
}

static void sha256_init(sha256_ctx *c)
{
    static const uint32 iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, iv, sizeof iv);
    c->used = 0;
    c->bits = 0;
    c->finished = false;
}

static void sha256_transform(sha256_ctx *c, const uint8 *data)
{
    static const uint32 k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    uint32 a, b, cc, d, e, f, g, h, t1, t2, m[64];
    int i;
    for (i = 0; i < 16; i++)
        m[i] = load_be32(data + 4 * i);
    for (; i < 64; i++)
        m[i] = SIG1(m[i - 2]) + m[i - 7] + SIG0(m[i - 15]) + m[i - 16];
    a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3];
    e = c->h[4], f = c->h[5], g = c->h[6], h = c->h[7];
#define ROUND(i)                                                                                    \
    t1 = h + EP1(e) + CH(e, f, g) + k[i] + m[i];                                                   \
    t2 = EP0(a) + MAJ(a, b, cc);                                                                   \
    h = g, g = f, f = e, e = d + t1, d = cc, cc = b, b = a, a = t1 + t2
    for (i = 0; i < 64; i++) {
        ROUND(i);
    }
#undef ROUND
    c->h[0] += a, c->h[1] += b, c->h[2] += cc, c->h[3] += d;
    c->h[4] += e, c->h[5] += f, c->h[6] += g, c->h[7] += h;
}

static void sha256_update(sha256_ctx *c, const uint8 *p, size_type n)
{
    size_type i;
    for (i = 0; i < n; i++) {
        c->block[c->used++] = p[i];
        if (c->used == 64) {
            sha256_transform(c, c->block);
            c->bits += 512;
            c->used = 0;
        }
    }
}

static void sha256_final(sha256_ctx *c, uint8 out[32])
{
    unsigned i = c->used;
    int j;
    c->bits += (unsigned long long)c->used * 8;
    c->block[i++] = 0x80;
    if (i > 56) {
        while (i < 64)
            c->block[i++] = 0;
        sha256_transform(c, c->block);
        i = 0;
    }
    while (i < 56)
        c->block[i++] = 0;
    for (j = 0; j < 8; j++)
        c->block[63 - j] = (uint8)(c->bits >> (8 * j));
    sha256_transform(c, c->block);
    for (j = 0; j < 32; j++)
        out[j] = (uint8)(c->h[j / 4] >> (24 - 8 * (j % 4)));
    c->finished = true;
}

static FILE console;

static void print_digest(FILE *out, const char *label, const uint8 d[32])
{
    ssize_t i;
    out->bytes += (unsigned long)printf("%s ", label);
    for (i = 0; i < 32; i++)
        out->bytes += (unsigned long)printf("%02x", d[i]);
    out->bytes += (unsigned long)printf("\n");
}

/* xorshift32: the generated data */
static uint32 next_random(uint32 *state)
{
    uint32 x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

static bool digest_of_text(const char *text, uint8 out[32])
{
    sha256_ctx c;
    size_type n = 0;
    while (text[n])
        n++;
    sha256_init(&c);
    sha256_update(&c, (const uint8 *)text, n);
    sha256_final(&c, out);
    return c.finished;
}

int main(int argc, char **argv)
{
    sha256_ctx c;
    uint8 d[32], chunk[1000];
    uint32 seed = 2463534242u;
    long mb = argc > 1 ? 0 : 1, i, rounds;
    int j;
    (void)argv;
    if (argc > 1) {
        const char *s = argv[1];
        while (*s >= '0' && *s <= '9')
            mb = mb * 10 + (*s++ - '0');
    }
    if (!digest_of_text("abc", d))
        return 1;
    print_digest(&console, "abc", d);
    digest_of_text("", d);
    print_digest(&console, "empty", d);
    sha256_init(&c);
    rounds = mb * 1000;
    for (i = 0; i < rounds; i++) {
        for (j = 0; j < 1000; j++)
            chunk[j] = (uint8)next_random(&seed);
        sha256_update(&c, chunk, sizeof chunk);
    }
    sha256_final(&c, d);
    printf("%ld kB ", rounds);
    print_digest(&console, "random", d);
    printf("%lu bytes written\n", console.bytes);
    return 0;
}
