/* interp.c: a tokenizer, a recursive-descent parser and a tree-walking
 * interpreter for a tiny language (integers, variables, while, if, print),
 * in the style of small language implementations: a variadic error helper
 * with va_list, a TRACE macro that uses __func__, assert on invariants,
 * enums and structs typedef'd where they are used. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { T_NUM, T_NAME, T_OP, T_END } tok_kind;

typedef struct {
    tok_kind kind;
    long num;
    char text[16];
} token;

typedef struct node node;
struct node {
    enum { N_NUM, N_VAR, N_BIN, N_ASSIGN, N_WHILE, N_IF, N_PRINT, N_SEQ } kind;
    long num;
    int var, op;
    node *a, *b, *c;
};

typedef struct {
    const char *src;
    size_t pos;
    token tok;
    char names[26][16];
    int nnames;
    int errors;
} parser;

static int trace_on;
#define TRACE(p) do { if (trace_on) printf("%s at %lu\n", __func__, (unsigned long)(p)->pos); } while (0)

static void error_at(parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "error at %lu: ", (unsigned long)p->pos);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    p->errors++;
}

static void next_token(parser *p)
{
    const char *s = p->src;
    while (s[p->pos] == ' ' || s[p->pos] == '\n' || s[p->pos] == '\t')
        p->pos++;
    if (s[p->pos] == '\0') {
        p->tok.kind = T_END;
    } else if (s[p->pos] >= '0' && s[p->pos] <= '9') {
        p->tok.kind = T_NUM;
        p->tok.num = 0;
        while (s[p->pos] >= '0' && s[p->pos] <= '9')
            p->tok.num = p->tok.num * 10 + (s[p->pos++] - '0');
    } else if (s[p->pos] >= 'a' && s[p->pos] <= 'z') {
        size_t n = 0;
        p->tok.kind = T_NAME;
        while (s[p->pos] >= 'a' && s[p->pos] <= 'z' && n < sizeof p->tok.text - 1)
            p->tok.text[n++] = s[p->pos++];
        p->tok.text[n] = '\0';
    } else {
        p->tok.kind = T_OP;
        p->tok.text[0] = s[p->pos++];
        p->tok.text[1] = '\0';
        if ((p->tok.text[0] == '=' || p->tok.text[0] == '!' || p->tok.text[0] == '<') &&
            s[p->pos] == '=') {
            p->tok.text[1] = '=';
            p->tok.text[2] = '\0';
            p->pos++;
        }
    }
}

static int is_op(const parser *p, const char *op)
{
    return p->tok.kind == T_OP && strcmp(p->tok.text, op) == 0;
}

static void expect(parser *p, const char *op)
{
    if (!is_op(p, op))
        error_at(p, "expected '%s'", op);
    next_token(p);
}

static node *mk(int kind, node *a, node *b)
{
    node *n = calloc(1, sizeof *n);
    assert(n != NULL);
    n->kind = kind;
    n->a = a;
    n->b = b;
    return n;
}

static int var_index(parser *p, const char *name)
{
    int i;
    for (i = 0; i < p->nnames; i++)
        if (strcmp(p->names[i], name) == 0)
            return i;
    assert(p->nnames < 26);
    strcpy(p->names[p->nnames], name);
    return p->nnames++;
}

static node *expr(parser *p);

static node *primary(parser *p)
{
    node *n;
    TRACE(p);
    if (p->tok.kind == T_NUM) {
        n = mk(N_NUM, NULL, NULL);
        n->num = p->tok.num;
        next_token(p);
    } else if (p->tok.kind == T_NAME) {
        n = mk(N_VAR, NULL, NULL);
        n->var = var_index(p, p->tok.text);
        next_token(p);
    } else if (is_op(p, "(")) {
        next_token(p);
        n = expr(p);
        expect(p, ")");
    } else {
        error_at(p, "unexpected '%s'", p->tok.text);
        n = mk(N_NUM, NULL, NULL);
        next_token(p);
    }
    return n;
}

/* binary operators by precedence: one table, one loop */
static node *binary(parser *p, int level)
{
    static const struct {
        const char *ops[4];
    } levels[] = {{{"==", "!=", "<", "<="}}, {{"+", "-", NULL, NULL}}, {{"*", "/", "%", NULL}}};
    node *left;
    if (level == (int)(sizeof levels / sizeof levels[0]))
        return primary(p);
    left = binary(p, level + 1);
    for (;;) {
        int i, found = -1;
        for (i = 0; i < 4 && levels[level].ops[i]; i++)
            if (is_op(p, levels[level].ops[i]))
                found = i;
        if (found < 0)
            return left;
        next_token(p);
        left = mk(N_BIN, left, binary(p, level + 1));
        left->op = levels[level].ops[found][0] * 256 + levels[level].ops[found][1];
    }
}

static node *expr(parser *p)
{
    return binary(p, 0);
}

static node *statement(parser *p);

static node *block(parser *p)
{
    node *seq = NULL, **tail = &seq;
    expect(p, "{");
    while (!is_op(p, "}") && p->tok.kind != T_END) {
        *tail = mk(N_SEQ, statement(p), NULL);
        tail = &(*tail)->b;
    }
    expect(p, "}");
    return seq;
}

static node *statement(parser *p)
{
    node *n;
    TRACE(p);
    if (p->tok.kind == T_NAME && strcmp(p->tok.text, "while") == 0) {
        next_token(p);
        n = mk(N_WHILE, expr(p), NULL);
        n->b = block(p);
    } else if (p->tok.kind == T_NAME && strcmp(p->tok.text, "if") == 0) {
        next_token(p);
        n = mk(N_IF, expr(p), NULL);
        n->b = block(p);
    } else if (p->tok.kind == T_NAME && strcmp(p->tok.text, "print") == 0) {
        next_token(p);
        n = mk(N_PRINT, expr(p), NULL);
        expect(p, ";");
    } else {
        int v = var_index(p, p->tok.text);
        next_token(p);
        expect(p, "=");
        n = mk(N_ASSIGN, expr(p), NULL);
        n->var = v;
        expect(p, ";");
    }
    return n;
}

static long eval(const node *n, long *vars)
{
    long a, b;
    switch (n->kind) {
    case N_NUM:
        return n->num;
    case N_VAR:
        return vars[n->var];
    case N_BIN:
        a = eval(n->a, vars);
        b = eval(n->b, vars);
        switch (n->op) {
        case '+' * 256: return a + b;
        case '-' * 256: return a - b;
        case '*' * 256: return a * b;
        case '/' * 256: return b ? a / b : 0;
        case '%' * 256: return b ? a % b : 0;
        case '<' * 256: return a < b;
        case '<' * 256 + '=': return a <= b;
        case '=' * 256 + '=': return a == b;
        case '!' * 256 + '=': return a != b;
        }
        assert(!"unknown operator");
        return 0;
    case N_ASSIGN:
        return vars[n->var] = eval(n->a, vars);
    case N_WHILE:
        while (eval(n->a, vars))
            if (n->b)
                eval(n->b, vars);
        return 0;
    case N_IF:
        if (eval(n->a, vars) && n->b)
            eval(n->b, vars);
        return 0;
    case N_PRINT:
        printf("%ld\n", eval(n->a, vars));
        return 0;
    case N_SEQ:
        for (; n; n = n->b)
            eval(n->a, vars);
        return 0;
    }
    return 0;
}

static void free_tree(node *n)
{
    if (n) {
        free_tree(n->a);
        free_tree(n->b);
        free_tree(n->c);
        free(n);
    }
}

int main(int argc, char **argv)
{
    static const char program[] =
        "n = 3000; count = 0; i = 2;\n"
        "while i < n { d = 2; prime = 1;\n"
        "  while d * d <= i { if i % d == 0 { prime = 0; } d = d + 1; }\n"
        "  count = count + prime; i = i + 1; }\n"
        "print count;\n"
        "x = 27; steps = 0; while x != 1 { if x % 2 == 0 { x = x / 2; }\n"
        "  if x % 2 == 1 { if x != 1 { x = 3 * x + 1; } } steps = steps + 1; }\n"
        "print steps;\n"
        "a = 0; b = 1; k = 0; while k < 40 { t = a + b; a = b; b = t; k = k + 1; } print a;\n";
    parser p;
    node *prog = NULL, **tail = &prog;
    long vars[26] = {0};
    int reps = argc > 1 ? atoi(argv[1]) : 1, r;
    memset(&p, 0, sizeof p);
    p.src = program;
    trace_on = argc > 2;
    next_token(&p);
    while (p.tok.kind != T_END && p.errors == 0) {
        *tail = mk(N_SEQ, statement(&p), NULL);
        tail = &(*tail)->b;
    }
    if (p.errors)
        return 2;
    printf("%d variables\n", p.nnames);
    for (r = 0; r < reps; r++)
        eval(prog, vars);
    free_tree(prog);
    return 0;
}
