/* mandel.c: the benchmark game's mandelbrot, writing its PBM bitmap into a
 * buffer and printing a checksum of it instead of the bytes.  One call per
 * pixel decides membership; a CRC-32 of the bitmap (table built on first
 * use in a static local) is the result. */
#include <stdio.h>
#include <stdlib.h>

#define ITER 50
#define LIMIT_SQ 4.0

typedef unsigned int u32;

static int in_set(double cr, double ci)
{
    double zr = 0.0, zi = 0.0, tr = 0.0, ti = 0.0;
    int i;
    for (i = 0; i < ITER && tr + ti <= LIMIT_SQ; i++) {
        zi = 2.0 * zr * zi + ci;
        zr = tr - ti + cr;
        tr = zr * zr;
        ti = zi * zi;
    }
    return tr + ti <= LIMIT_SQ;
}

static u32 crc32(const unsigned char *p, size_t n)
{
    static u32 table[256];
    static int ready;
    u32 c = 0xffffffffu;
    size_t i;
    if (!ready) {
        u32 k;
        for (k = 0; k < 256; k++) {
            u32 v = k;
            int b;
            for (b = 0; b < 8; b++)
                v = v & 1 ? 0xedb88320u ^ (v >> 1) : v >> 1;
            table[k] = v;
        }
        ready = 1;
    }
    for (i = 0; i < n; i++)
        c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

static unsigned char row_byte(int x0, int y, int w, int h)
{
    unsigned char bits = 0;
    int x;
    for (x = x0; x < x0 + 8; x++) {
        double cr = 2.0 * x / w - 1.5, ci = 2.0 * y / h - 1.0;
        bits = (unsigned char)(bits << 1);
        if (x < w && in_set(cr, ci))
            bits |= 1;
    }
    return bits;
}

int main(int argc, char **argv)
{
    int w = argc > 1 ? atoi(argv[1]) : 200;
    int h = w, y, x, rowbytes = (w + 7) / 8;
    unsigned char *bitmap = malloc((size_t)rowbytes * (size_t)h);
    long members = 0;
    if (bitmap == NULL)
        return 1;
    for (y = 0; y < h; y++)
        for (x = 0; x < w; x += 8) {
            unsigned char b = row_byte(x, y, w, h);
            int k;
            bitmap[y * rowbytes + x / 8] = b;
            for (k = 0; k < 8; k++)
                members += (b >> k) & 1;
        }
    printf("P4 %d %d\nmembers %ld\ncrc32 %08x\n", w, h, members, crc32(bitmap, (size_t)rowbytes * (size_t)h));
    free(bitmap);
    return 0;
}
