/* matrix.c: a macro-heavy numeric kernel in the style of Numerical Recipes
 * and older BLAS-like C: matrices as flat arrays behind an lvalue macro
 * (`MR(m, i, j) = v`), `#define N n` naming the size parameter inside the
 * functions, loop macros naming the function's own locals, an LU
 * decomposition with partial pivoting and a solve, checked by residuals. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
    int rows, cols;
    double *v;
} matrix;

#define MR(m, i, j) ((m)->v[(size_t)(i) * (size_t)(m)->cols + (size_t)(j)])
#define FOR(i, lo, hi) for (i = (lo); i < (hi); i++)
#define SWAP(T, a, b) do { T tmp_ = (a); (a) = (b); (b) = tmp_; } while (0)

static matrix *mat_new(int rows, int cols)
{
    matrix *m = malloc(sizeof *m);
    if (m == NULL)
        exit(1);
    m->rows = rows;
    m->cols = cols;
    m->v = calloc((size_t)rows * (size_t)cols, sizeof(double));
    if (m->v == NULL)
        exit(1);
    return m;
}

static void mat_free(matrix *m)
{
    free(m->v);
    free(m);
}

static double element(int i, int j, unsigned seed)
{
    unsigned h = (unsigned)i * 73856093u ^ (unsigned)j * 19349663u ^ seed;
    h ^= h >> 13;
    h *= 0x5bd1e995u;
    h ^= h >> 15;
    return (double)(h % 2000) / 1000.0 - 1.0;
}

static void fill(matrix *m, unsigned seed)
{
    int i, j;
    FOR(i, 0, m->rows) FOR(j, 0, m->cols) MR(m, i, j) = element(i, j, seed);
    /* diagonally dominant, so that LU is well conditioned */
    FOR(i, 0, m->rows) MR(m, i, i) += m->cols;
}

static void mat_mul(const matrix *a, const matrix *b, matrix *c)
{
    int i, j, k;
#define N a->rows
#define M b->cols
#define K a->cols
    FOR(i, 0, N) FOR(j, 0, M) MR(c, i, j) = 0.0;
    FOR(i, 0, N) FOR(k, 0, K) {
        double aik = MR(a, i, k);
        FOR(j, 0, M) MR(c, i, j) += aik * MR(b, k, j);
    }
#undef N
#undef M
#undef K
}

static double pivot_abs(const matrix *a, int i, int k)
{
    return fabs(MR(a, i, k));
}

/* in place: a becomes L\U, perm the row order; returns -1 when singular */
static int lu_decompose(matrix *a, int *perm)
{
    int n = a->rows;
#define N n
    int i, j, k;
    FOR(i, 0, N) perm[i] = i;
    FOR(k, 0, N) {
        int p = k;
        double best = pivot_abs(a, k, k);
        FOR(i, k + 1, N) {
            double v = pivot_abs(a, i, k);
            if (v > best) {
                best = v;
                p = i;
            }
        }
        if (best == 0.0)
            return -1;
        if (p != k) {
            FOR(j, 0, N) SWAP(double, MR(a, k, j), MR(a, p, j));
            SWAP(int, perm[k], perm[p]);
        }
        FOR(i, k + 1, N) {
            double f = MR(a, i, k) /= MR(a, k, k);
            FOR(j, k + 1, N) MR(a, i, j) -= f * MR(a, k, j);
        }
    }
    return 0;
#undef N
}

static void lu_solve(const matrix *lu, const int *perm, const double *b, double *x)
{
    int n = lu->rows, i, j;
#define N n
    FOR(i, 0, N) {
        double s = b[perm[i]];
        FOR(j, 0, i) s -= MR(lu, i, j) * x[j];
        x[i] = s;
    }
    for (i = N - 1; i >= 0; i--) {
        double s = x[i];
        FOR(j, i + 1, N) s -= MR(lu, i, j) * x[j];
        x[i] = s / MR(lu, i, i);
    }
#undef N
}

#define MAX(a, b) ((a) > (b) ? (a) : (b))

static double row_abs_sum(const matrix *m, int i)
{
    double s = 0.0;
    int j;
    FOR(j, 0, m->cols) s += fabs(MR(m, i, j));
    return s;
}

/* the infinity norm; MAX evaluates the larger row sum twice, as it does in C */
static double norm_inf(const matrix *m)
{
    double best = 0.0;
    int i;
    FOR(i, 0, m->rows) best = MAX(best, row_abs_sum(m, i));
    return best;
}

static double checksum(const matrix *m)
{
    double s = 0.0;
    int i, j;
    FOR(i, 0, m->rows) FOR(j, 0, m->cols) s += MR(m, i, j) * (1.0 + (i + j) % 7);
    return s;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 60, i, j;
    matrix *a = mat_new(n, n), *b = mat_new(n, n), *c = mat_new(n, n), *lu = mat_new(n, n);
    int *perm = malloc(sizeof(int) * (size_t)n);
    double *rhs = malloc(sizeof(double) * (size_t)n), *x = malloc(sizeof(double) * (size_t)n);
    double resid = 0.0;
    if (perm == NULL || rhs == NULL || x == NULL)
        return 1;
    fill(a, 1);
    fill(b, 2);
    mat_mul(a, b, c);
    printf("checksum(a*b) = %.6f\n", checksum(c));
    FOR(i, 0, n) FOR(j, 0, n) MR(lu, i, j) = MR(c, i, j);
    if (lu_decompose(lu, perm) != 0) {
        puts("singular");
        return 1;
    }
    FOR(i, 0, n) rhs[i] = element(i, 0, 3);
    lu_solve(lu, perm, rhs, x);
    FOR(i, 0, n) {
        double s = -rhs[i];
        FOR(j, 0, n) s += MR(c, i, j) * x[j];
        resid += fabs(s);
    }
    printf("checksum(lu) = %.6f\n", checksum(lu));
    printf("norm_inf(a*b) = %.6f\n", norm_inf(c));
    printf("residual small: %s\n", resid < 1e-6 ? "yes" : "no");
    printf("x[0] = %.9f, x[n-1] = %.9f\n", x[0], x[n - 1]);
    mat_free(a);
    mat_free(b);
    mat_free(c);
    mat_free(lu);
    free(perm);
    free(rhs);
    free(x);
    return 0;
}
