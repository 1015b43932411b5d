/* queens.c: two backtracking solvers, as puzzle programs are written: the
 * n-queens count with bitmasks, and a sudoku solver over a grid struct
 * with candidate masks, both recursive.  Every placement is a call, so
 * the async build measures deep recursive awaits that never suspend. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define GRID 9
#define BOX 3
#define ALL_DIGITS 0x3fe /* bits 1..9 */

typedef struct {
    unsigned char cell[GRID][GRID];
    unsigned rows[GRID], cols[GRID], boxes[GRID];
    long tries;
} sudoku;

#define BOX_OF(r, c) ((r) / BOX * BOX + (c) / BOX)

static long queens(int n, unsigned cols, unsigned d1, unsigned d2, int row)
{
    unsigned all = (1u << n) - 1, free_cols;
    long count = 0;
    if (row == n)
        return 1;
    free_cols = all & ~(cols | d1 | d2);
    while (free_cols) {
        unsigned bit = free_cols & -free_cols;
        free_cols ^= bit;
        count += queens(n, cols | bit, (d1 | bit) << 1 & all, (d2 | bit) >> 1, row + 1);
    }
    return count;
}

static bool place(sudoku *s, int r, int c, int d)
{
    unsigned bit = 1u << d;
    if ((s->rows[r] | s->cols[c] | s->boxes[BOX_OF(r, c)]) & bit)
        return false;
    s->cell[r][c] = (unsigned char)d;
    s->rows[r] |= bit;
    s->cols[c] |= bit;
    s->boxes[BOX_OF(r, c)] |= bit;
    return true;
}

static void unplace(sudoku *s, int r, int c)
{
    unsigned bit = 1u << s->cell[r][c];
    s->rows[r] &= ~bit;
    s->cols[c] &= ~bit;
    s->boxes[BOX_OF(r, c)] &= ~bit;
    s->cell[r][c] = 0;
}

static int popcount(unsigned v)
{
    int n = 0;
    while (v) {
        v &= v - 1;
        n++;
    }
    return n;
}

/* the empty cell with the fewest candidates, or false when none is empty */
static bool best_cell(const sudoku *s, int *br, int *bc)
{
    int r, c, best = GRID + 1;
    for (r = 0; r < GRID; r++)
        for (c = 0; c < GRID; c++) {
            if (s->cell[r][c] == 0) {
                unsigned used = s->rows[r] | s->cols[c] | s->boxes[BOX_OF(r, c)];
                int n = popcount(ALL_DIGITS & ~used);
                if (n < best) {
                    best = n;
                    *br = r;
                    *bc = c;
                }
            }
        }
    return best <= GRID;
}

static bool solve(sudoku *s)
{
    int r = 0, c = 0, d;
    if (!best_cell(s, &r, &c))
        return true;
    for (d = 1; d <= GRID; d++) {
        s->tries++;
        if (place(s, r, c, d)) {
            if (solve(s))
                return true;
            unplace(s, r, c);
        }
    }
    return false;
}

static bool load(sudoku *s, const char *text)
{
    int i;
    s->tries = 0;
    for (i = 0; i < GRID; i++)
        s->rows[i] = s->cols[i] = s->boxes[i] = 0;
    for (i = 0; i < GRID * GRID; i++) {
        int r = i / GRID, c = i % GRID;
        s->cell[r][c] = 0;
        if (text[i] >= '1' && text[i] <= '9' && !place(s, r, c, text[i] - '0'))
            return false;
    }
    return true;
}

static unsigned long grid_sum(const sudoku *s)
{
    unsigned long h = 0;
    int r, c;
    for (r = 0; r < GRID; r++)
        for (c = 0; c < GRID; c++)
            h = h * 31 + s->cell[r][c];
    return h;
}

int main(int argc, char **argv)
{
    static const char *const puzzles[] = {
        "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79",
        "..9748...7.........2.1.9.....7...24..64.1.59..98...3.....8.3.2.........6...2759..",
        "8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4..",
    };
    int n = argc > 1 ? atoi(argv[1]) : 9, i;
    sudoku s;
    for (i = 4; i <= n; i++)
        printf("queens(%d) = %ld\n", i, queens(i, 0, 0, 0, 0));
    for (i = 0; i < (int)(sizeof puzzles / sizeof *puzzles); i++) {
        if (!load(&s, puzzles[i]) || !solve(&s)) {
            printf("puzzle %d: no solution\n", i);
            return 1;
        }
        printf("puzzle %d: %ld tries, first row %d%d%d%d%d%d%d%d%d, hash %lu\n", i, s.tries,
               s.cell[0][0], s.cell[0][1], s.cell[0][2], s.cell[0][3], s.cell[0][4],
               s.cell[0][5], s.cell[0][6], s.cell[0][7], s.cell[0][8], grid_sum(&s));
    }
    return 0;
}
