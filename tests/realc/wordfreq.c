/* wordfreq.c: a word-frequency counter, as small Unix utilities are
 * written: a lexer whose state is reached through object-like macros named
 * like ordinary words (`state`, `next`, `res`, `f`, `data`), a chained hash
 * table, qsort with a comparator, storage classes behind a macro.  The
 * text is generated, the top words and a checksum printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOT_INLINE static

typedef struct entry {
    char *word;
    long count;
    struct entry *chain;
} entry;

typedef struct {
    entry **buckets;
    size_t nbuckets, nentries;
} table;

typedef struct {
    const char *text;
    size_t pos;
    int st; /* 0 between words, 1 inside one */
    char word[32];
    size_t wlen;
} lexer;

/* the lexer's fields, as the lexer's code names them */
#define state (lx->st)
#define next (lx->text[lx->pos])
#define data (lx->word)

HOT_INLINE unsigned long hash_word(const char *s)
{
    unsigned long h = 5381;
    while (*s)
        h = h * 33 ^ (unsigned char)*s++;
    return h;
}

static entry *lookup(table *t, const char *word)
{
    unsigned long h = hash_word(word) % t->nbuckets;
    entry *e;
    for (e = t->buckets[h]; e; e = e->chain)
        if (strcmp(e->word, word) == 0)
            return e;
    e = malloc(sizeof *e);
    if (e == NULL)
        exit(1);
    e->word = malloc(strlen(word) + 1);
    if (e->word == NULL)
        exit(1);
    strcpy(e->word, word);
    e->count = 0;
    e->chain = t->buckets[h];
    t->buckets[h] = e;
    t->nentries++;
    return e;
}

static int is_letter(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* the next word into lx->word; 0 at the end of the text */
static int next_word(lexer *lx)
{
    state = 0;
    lx->wlen = 0;
    while (next != '\0') {
        int c = next;
        lx->pos++;
        if (is_letter(c)) {
            state = 1;
            if (lx->wlen < sizeof data - 1)
                data[lx->wlen++] = (char)(c | 0x20);
        } else if (state == 1) {
            break;
        }
    }
    data[lx->wlen] = '\0';
    return state;
}

#define res result
#define f freq

static int by_count(const void *a, const void *b)
{
    const entry *x = *(const entry *const *)a, *y = *(const entry *const *)b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->word, y->word);
}

static entry **sorted(const table *t)
{
    entry **res = malloc(sizeof *res * (t->nentries ? t->nentries : 1));
    size_t i, n = 0;
    entry *e;
    if (res == NULL)
        exit(1);
    for (i = 0; i < t->nbuckets; i++)
        for (e = t->buckets[i]; e; e = e->chain)
            res[n++] = e;
    qsort(res, n, sizeof *res, by_count);
    return res;
}

static long count_words(table *t, const char *text)
{
    lexer lex = {0};
    lexer *lx = &lex;
    long f = 0;
    lx->text = text;
    while (next_word(lx)) {
        lookup(t, data)->count++;
        f++;
    }
    return f;
}

static char *generate(size_t n)
{
    static const char *const vocab[] = {
        "It", "was", "the", "best", "of", "times,", "it", "was", "the", "worst", "of", "times;",
        "age", "wisdom", "foolishness", "epoch", "belief", "incredulity", "season", "Light",
        "Darkness", "spring", "hope", "winter", "despair.", "we", "had", "everything", "before",
        "us", "nothing"};
    char *buf = malloc(n + 1);
    size_t len = 0;
    unsigned long seed = 12345;
    if (buf == NULL)
        exit(1);
    while (len + 16 < n) {
        const char *w;
        seed = seed * 6364136223846793005ul + 1442695040888963407ul;
        w = vocab[(seed >> 33) % (sizeof vocab / sizeof *vocab)];
        while (*w)
            buf[len++] = *w++;
        buf[len++] = (seed >> 20) % 9 ? ' ' : '\n';
    }
    buf[len] = '\0';
    return buf;
}

static void free_table(table *t)
{
    size_t i;
    for (i = 0; i < t->nbuckets; i++) {
        entry *e = t->buckets[i];
        while (e) {
            entry *c = e->chain;
            free(e->word);
            free(e);
            e = c;
        }
    }
    free(t->buckets);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 300000;
    char *text = generate(n);
    table t = {NULL, 1024, 0};
    entry **top;
    long words, check = 0;
    size_t i;
    t.buckets = calloc(t.nbuckets, sizeof *t.buckets);
    if (t.buckets == NULL)
        return 1;
    words = count_words(&t, text);
    top = sorted(&t);
    printf("%ld words, %lu distinct\n", words, (unsigned long)t.nentries);
    for (i = 0; i < t.nentries; i++) {
        if (i < 5)
            printf("%7ld %s\n", top[i]->count, top[i]->word);
        check = check * 31 + top[i]->count;
    }
    printf("checksum %ld\n", check);
    free(top);
    free_table(&t);
    free(text);
    return 0;
}
