/* fannkuch.c: the benchmark game's fannkuch-redux.  As in many real code
 * bases the problem size is configured where it is used: an #ifdef inside
 * the function picks LENGTH, and the #define in the branch not taken must
 * never take effect (acc once emitted both, and the size grew tenfold).
 * The permutation state lives in a local struct; flips are counted by a
 * helper called per permutation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_N 12

typedef struct {
    int perm[MAX_N];
    int perm1[MAX_N];
    int count[MAX_N];
    int n;
    int r;
} perm_state;

static int count_flips(const int *perm1, int n)
{
    int perm[MAX_N];
    int flips = 0, k, i, j;
    memcpy(perm, perm1, sizeof(int) * (size_t)n);
    while ((k = perm[0]) != 0) {
        for (i = 0, j = k; i < j; i++, j--) {
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        flips++;
    }
    return flips;
}

/* the next permutation in the benchmark's order; 0 when all are done */
static int next_perm(perm_state *s)
{
    for (;;) {
        int perm0, i;
        if (s->r == s->n)
            return 0;
        perm0 = s->perm1[0];
        for (i = 0; i < s->r; i++)
            s->perm1[i] = s->perm1[i + 1];
        s->perm1[s->r] = perm0;
        s->count[s->r]--;
        if (s->count[s->r] > 0)
            break;
        s->r++;
    }
    while (s->r != 1) {
        s->count[s->r - 1] = s->r;
        s->r--;
    }
    return 1;
}

static int fannkuch(int n, int *checksum)
{
    perm_state st;
    int max_flips = 0, perm_count = 0, i;
    st.n = n;
    for (i = 0; i < n; i++)
        st.perm1[i] = i;
    st.r = n;
    *checksum = 0;
    while (st.r != 1) {
        st.count[st.r - 1] = st.r;
        st.r--;
    }
    do {
        int flips = count_flips(st.perm1, n);
        if (flips > max_flips)
            max_flips = flips;
        *checksum += perm_count % 2 == 0 ? flips : -flips;
        perm_count++;
    } while (next_perm(&st));
    return max_flips;
}

static int problem_size(int argc, char **argv)
{
#ifndef FANNKUCH_LARGE
#define LENGTH 8
#else
#define LENGTH 10
#endif
    int n = argc > 1 ? atoi(argv[1]) : LENGTH;
    if (n < 3 || n > MAX_N)
        n = LENGTH;
    return n;
#undef LENGTH
}

int main(int argc, char **argv)
{
    int n = problem_size(argc, argv);
    int checksum;
    int flips = fannkuch(n, &checksum);
    printf("%d\nPfannkuchen(%d) = %d\n", checksum, n, flips);
    return 0;
}
