/* spectral.c: the benchmark game's spectral-norm, written as its C entries
 * are: the infinite matrix A as a function, the products as loops over
 * plain arrays, the size from the command line.  The work is all calls:
 * eval_A is called n*n times per product, so the async build measures what
 * an await that never suspends costs inside a hot loop. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static double eval_A(int i, int j)
{
    return 1.0 / ((i + j) * (i + j + 1) / 2 + i + 1);
}

static void eval_A_times_u(int n, const double *u, double *Au)
{
    int i, j;
    for (i = 0; i < n; i++) {
        Au[i] = 0;
        for (j = 0; j < n; j++)
            Au[i] += eval_A(i, j) * u[j];
    }
}

static void eval_At_times_u(int n, const double *u, double *Au)
{
    int i, j;
    for (i = 0; i < n; i++) {
        Au[i] = 0;
        for (j = 0; j < n; j++)
            Au[i] += eval_A(j, i) * u[j];
    }
}

static void eval_AtA_times_u(int n, const double *u, double *AtAu, double *tmp)
{
    eval_A_times_u(n, u, tmp);
    eval_At_times_u(n, tmp, AtAu);
}

static double *alloc_vector(int n)
{
    double *v = malloc(sizeof *v * (size_t)n);
    if (!v) {
        fputs("out of memory\n", stderr);
        exit(1);
    }
    return v;
}

static double spectral_norm(int n)
{
    double *u = alloc_vector(n), *v = alloc_vector(n), *tmp = alloc_vector(n);
    double vBv = 0, vv = 0;
    int i;
    for (i = 0; i < n; i++)
        u[i] = 1;
    for (i = 0; i < 10; i++) {
        eval_AtA_times_u(n, u, v, tmp);
        eval_AtA_times_u(n, v, u, tmp);
    }
    for (i = 0; i < n; i++) {
        vBv += u[i] * v[i];
        vv += v[i] * v[i];
    }
    free(u);
    free(v);
    free(tmp);
    return sqrt(vBv / vv);
}

int main(int argc, char *argv[])
{
    int n = argc > 1 ? atoi(argv[1]) : 200;
    if (n <= 0) {
        fprintf(stderr, "usage: spectral [n > 0]\n");
        return 2;
    }
    printf("%0.9f\n", spectral_norm(n));
    return 0;
}
