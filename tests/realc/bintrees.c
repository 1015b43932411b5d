/* bintrees.c: the benchmark game's binary-trees: allocate and walk
 * perfect binary trees, recursively, with malloc and free.  Every node is
 * built by a recursive call and checked by one, so the async build
 * measures recursive awaits that never suspend. */
#include <stdio.h>
#include <stdlib.h>

typedef struct node {
    struct node *left, *right;
} node;

static node *new_node(node *left, node *right)
{
    node *n = malloc(sizeof *n);
    if (n == NULL) {
        fputs("binary-trees: out of memory\n", stderr);
        exit(1);
    }
    n->left = left;
    n->right = right;
    return n;
}

static node *bottom_up(int depth)
{
    if (depth <= 0)
        return new_node(NULL, NULL);
    return new_node(bottom_up(depth - 1), bottom_up(depth - 1));
}

static long check(const node *t)
{
    if (t->left == NULL)
        return 1;
    return 1 + check(t->left) + check(t->right);
}

static void delete_tree(node *t)
{
    if (t->left != NULL) {
        delete_tree(t->left);
        delete_tree(t->right);
    }
    free(t);
}

static long stretch(int depth)
{
    node *t = bottom_up(depth);
    long c = check(t);
    delete_tree(t);
    return c;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 12;
    int min_depth = 4;
    int max_depth = min_depth + 2 > n ? min_depth + 2 : n;
    node *long_lived;
    int depth;

    printf("stretch tree of depth %d\t check: %ld\n", max_depth + 1, stretch(max_depth + 1));
    long_lived = bottom_up(max_depth);
    for (depth = min_depth; depth <= max_depth; depth += 2) {
        int iterations = 1 << (max_depth - depth + min_depth);
        long sum = 0;
        int i;
        for (i = 1; i <= iterations; i++)
            sum += stretch(depth);
        printf("%d\t trees of depth %d\t check: %ld\n", iterations, depth, sum);
    }
    printf("long lived tree of depth %d\t check: %ld\n", max_depth, check(long_lived));
    delete_tree(long_lived);
    return 0;
}
