/* json.c: a JSON parser, printer and query tool, shaped like the small
 * JSON libraries of real code bases (cJSON, jsmn, parson): a tagged union
 * for values, strings in a flexible array member, a recursive-descent
 * parser that cleans up with `goto fail`, a switch-driven escape decoder,
 * TRY() macros that return on error, designated initializers, a struct
 * with a const member, bit-fields.  It parses a generated document and a
 * table of small ones (some malformed), and prints what it finds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jstr {
    size_t len;
    char text[]; /* flexible array member */
} jstr;

typedef struct jval jval;
struct jval {
    jtype type;
    union {
        int boolean;
        double num;
        jstr *str;
        struct {
            jval **items;
            jstr **keys; /* objects only */
            size_t n, cap;
        } list;
    } u;
};

typedef struct {
    const char *const src; /* the text never changes under the parser */
    size_t pos;
    unsigned depth : 8;
    unsigned failed : 1;
    char error[64];
} jparser;

#define MAX_DEPTH 64
#define TRY(x) do { if (!(x)) goto fail; } while (0)
#define PEEK(p) ((p)->src[(p)->pos])

static void skip_ws(jparser *p)
{
    while (PEEK(p) == ' ' || PEEK(p) == '\n' || PEEK(p) == '\t' || PEEK(p) == '\r')
        p->pos++;
}

static int set_error(jparser *p, const char *what)
{
    if (!p->failed) {
        p->failed = 1;
        snprintf(p->error, sizeof p->error, "%s at %lu", what, (unsigned long)p->pos);
    }
    return 0;
}

static jval *new_val(jtype t)
{
    jval *v = calloc(1, sizeof *v);
    if (v)
        v->type = t;
    return v;
}

static void free_val(jval *v)
{
    size_t i;
    if (v == NULL)
        return;
    switch (v->type) {
    case J_STR:
        free(v->u.str);
        break;
    case J_OBJ:
        for (i = 0; i < v->u.list.n; i++)
            free(v->u.list.keys[i]);
        free(v->u.list.keys);
        /* fall through */
    case J_ARR:
        for (i = 0; i < v->u.list.n; i++)
            free_val(v->u.list.items[i]);
        free(v->u.list.items);
        break;
    default:
        break;
    }
    free(v);
}

static int push(jval *list, jval *item, jstr *key)
{
    if (list->u.list.n == list->u.list.cap) {
        size_t cap = list->u.list.cap ? 2 * list->u.list.cap : 4;
        jval **items = realloc(list->u.list.items, cap * sizeof *items);
        if (items == NULL)
            return 0;
        list->u.list.items = items;
        if (list->type == J_OBJ) {
            jstr **keys = realloc(list->u.list.keys, cap * sizeof *keys);
            if (keys == NULL)
                return 0;
            list->u.list.keys = keys;
        }
        list->u.list.cap = cap;
    }
    if (list->type == J_OBJ)
        list->u.list.keys[list->u.list.n] = key;
    list->u.list.items[list->u.list.n++] = item;
    return 1;
}

static jstr *parse_string(jparser *p)
{
    size_t cap = 16, len = 0;
    jstr *s = malloc(sizeof *s + cap), *t;
    if (s == NULL || PEEK(p) != '"')
        goto fail;
    p->pos++;
    while (PEEK(p) != '"') {
        char c = PEEK(p);
        if (c == '\0') {
            set_error(p, "unterminated string");
            goto fail;
        }
        p->pos++;
        if (c == '\\') {
            switch (PEEK(p)) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case '"': c = '"'; break;
            case '\\': c = '\\'; break;
            case '/': c = '/'; break;
            default:
                set_error(p, "bad escape");
                goto fail;
            }
            p->pos++;
        }
        if (len + 1 >= cap) {
            cap *= 2;
            t = realloc(s, sizeof *s + cap);
            if (t == NULL)
                goto fail;
            s = t;
        }
        s->text[len++] = c;
    }
    p->pos++;
    s->text[len] = '\0';
    s->len = len;
    return s;
fail:
    free(s);
    return NULL;
}

static jval *parse_value(jparser *p);

static jval *parse_list(jparser *p, jtype type, char close)
{
    jval *v = new_val(type), *item = NULL;
    jstr *key = NULL;
    TRY(v);
    p->pos++;
    skip_ws(p);
    if (PEEK(p) == close) {
        p->pos++;
        return v;
    }
    for (;;) {
        skip_ws(p);
        if (type == J_OBJ) {
            TRY(key = parse_string(p));
            skip_ws(p);
            TRY(PEEK(p) == ':' || set_error(p, "expected ':'"));
            p->pos++;
        }
        TRY(item = parse_value(p));
        TRY(push(v, item, key));
        item = NULL;
        key = NULL;
        skip_ws(p);
        if (PEEK(p) == ',') {
            p->pos++;
            continue;
        }
        TRY(PEEK(p) == close || set_error(p, "expected ',' or a closing bracket"));
        p->pos++;
        return v;
    }
fail:
    free(key);
    free_val(item);
    free_val(v);
    return NULL;
}

static jval *parse_value(jparser *p)
{
    static const struct {
        const char *word;
        jtype type;
        int boolean;
    } words[] = {
        {.word = "true", .type = J_BOOL, .boolean = 1},
        {.word = "false", .type = J_BOOL, .boolean = 0},
        {.word = "null", .type = J_NULL},
    };
    jval *v = NULL;
    size_t i;
    skip_ws(p);
    if (p->depth >= MAX_DEPTH) {
        set_error(p, "too deep");
        return NULL;
    }
    switch (PEEK(p)) {
    case '{':
    case '[':
        p->depth++;
        v = parse_list(p, PEEK(p) == '{' ? J_OBJ : J_ARR, PEEK(p) == '{' ? '}' : ']');
        p->depth--;
        return v;
    case '"':
        TRY(v = new_val(J_STR));
        TRY(v->u.str = parse_string(p));
        return v;
    default:
        break;
    }
    for (i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i].word);
        if (strncmp(p->src + p->pos, words[i].word, n) == 0) {
            TRY(v = new_val(words[i].type));
            v->u.boolean = words[i].boolean;
            p->pos += n;
            return v;
        }
    }
    if (PEEK(p) == '-' || (PEEK(p) >= '0' && PEEK(p) <= '9')) {
        char *end;
        TRY(v = new_val(J_NUM));
        v->u.num = strtod(p->src + p->pos, &end);
        p->pos = (size_t)(end - p->src);
        return v;
    }
    set_error(p, "unexpected character");
fail:
    free_val(v);
    return NULL;
}

static jval *parse(const char *text, char *error, size_t errlen)
{
    jparser p = {.src = text, .pos = 0, .depth = 0, .failed = 0};
    jval *v = parse_value(&p);
    if (v) {
        skip_ws(&p);
        if (PEEK(&p) != '\0') {
            set_error(&p, "trailing text");
            free_val(v);
            v = NULL;
        }
    } else if (!p.failed) {
        set_error(&p, "out of memory");
    }
    snprintf(error, errlen, "%s", v ? "" : p.error);
    return v;
}

/* a checksum of the tree, so that the whole of it is compared */
static unsigned long digest(const jval *v)
{
    unsigned long h = (unsigned long)v->type * 2654435761u;
    size_t i, k;
    switch (v->type) {
    case J_BOOL: return h + (unsigned long)v->u.boolean;
    case J_NUM: return h + (unsigned long)(long)(v->u.num * 1000);
    case J_STR:
        for (k = 0; k < v->u.str->len; k++)
            h = h * 31 + (unsigned char)v->u.str->text[k];
        return h;
    case J_ARR:
    case J_OBJ:
        for (i = 0; i < v->u.list.n; i++) {
            h = h * 131 + digest(v->u.list.items[i]);
            if (v->type == J_OBJ)
                h ^= v->u.list.keys[i]->len;
        }
        return h;
    default:
        return h;
    }
}

static const jval *get(const jval *obj, const char *key)
{
    size_t i;
    if (obj == NULL || obj->type != J_OBJ)
        return NULL;
    for (i = 0; i < obj->u.list.n; i++)
        if (strcmp(obj->u.list.keys[i]->text, key) == 0)
            return obj->u.list.items[i];
    return NULL;
}

static char *generate(int records)
{
    size_t cap = (size_t)records * 96 + 64, len = 0;
    char *buf = malloc(cap);
    int i;
    if (buf == NULL)
        return NULL;
    len += (size_t)sprintf(buf + len, "{\"records\": [");
    for (i = 0; i < records; i++)
        len += (size_t)sprintf(buf + len,
                               "%s{\"id\": %d, \"name\": \"item\\t%d\", \"ok\": %s, "
                               "\"score\": %d.%d, \"tags\": [\"a\", null]}",
                               i ? ", " : "", i, i * 7, i % 3 ? "true" : "false", i % 100, i % 10);
    sprintf(buf + len, "], \"count\": %d}", records);
    return buf;
}

int main(int argc, char **argv)
{
    static const char *const docs[] = {
        "[1, 2, [3, {\"a\": \"b\\n\"}]]", "{\"x\": tru}", "[1, 2", "\"esc\\q\"", "{} x",
        ("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]"
         "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")};
    int records = argc > 1 ? atoi(argv[1]) : 2000;
    char error[64];
    char *text = generate(records);
    jval *doc;
    const jval *count;
    size_t i;
    if (text == NULL)
        return 1;
    for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        jval *v = parse(docs[i], error, sizeof error);
        if (v)
            printf("doc %lu: ok, digest %lu\n", (unsigned long)i, digest(v));
        else
            printf("doc %lu: error: %s\n", (unsigned long)i, error);
        free_val(v);
    }
    doc = parse(text, error, sizeof error);
    if (doc == NULL) {
        printf("generated: error: %s\n", error);
        free(text);
        return 1;
    }
    count = get(doc, "count");
    printf("generated: %lu bytes, count %g, %lu records, digest %lu\n",
           (unsigned long)strlen(text), count ? count->u.num : -1.0,
           (unsigned long)get(doc, "records")->u.list.n, digest(doc));
    free_val(doc);
    free(text);
    return 0;
}
