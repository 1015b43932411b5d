/*
 * main.c: acc's command line: the options, the passes (acc_transpile in
 * transpile.c: parse, check, analyse, lower, emit), then the output file
 * written whole (through a temporary file renamed into place, so an error
 * never leaves a half-written output behind) and the depfile.
 */
#include "accc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "usage: acc [options] input.ac [-o output.c]\n"
    "\n"
    "Transpiles a .ac file (C11 with async functions and await expressions) into\n"
    "portable C11 that any C compiler builds against the acc runtime (acc.h, -lacc).\n"
    "\n"
    "options:\n"
    "  -o FILE          write the output to FILE ('-' or no -o: standard output)\n"
    "  -I DIR           add DIR to the include search path (also -IDIR)\n"
    "  -isystem DIR     add DIR as a system include directory\n"
    "  -D NAME[=VALUE]  define a macro (also -DNAME)\n"
    "  -U NAME          undefine a macro (also -UNAME)\n"
    "  -std=STD         the C standard to parse with (default: the C compiler's, gnu17)\n"
    "  -MD              write a make-style depfile (FILE.d, or the -MF name)\n"
    "  -MF FILE         the depfile's name (implies -MD)\n"
    "  --no-line        do not emit #line directives\n"
    "  --version        print acc's version and exit\n"
    "  --help           print this help and exit\n"
    "\n"
    "exit status: 0 success, 1 errors in the input, 2 bad usage\n";

static _Noreturn void bad_usage(const char *what, const char *arg) {
    fprintf(stderr, "acc: error: %s '%s'\n", what, arg);
    fprintf(stderr, "usage: acc [options] input.ac [-o output.c] (see acc --help)\n");
    arena_free_all();
    exit(2);
}

/* An option with a value, given as "-Xvalue" or "-X value". */
static const char *opt_value(int argc, char **argv, int *i, const char *flag) {
    size_t n = strlen(flag);
    if (argv[*i][n])
        return argv[*i] + n;
    if (*i + 1 >= argc)
        bad_usage("missing value after", flag);
    return argv[++*i];
}

static void parse_args(int argc, char **argv, Options *opt) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            arena_free_all();
            exit(0);
        } else if (strcmp(a, "--version") == 0) {
            char *v = str_dispose(clang_getClangVersion());
            printf("acc %s (libclang: %s)\n", ACC_VERSION_STRING, v);
            arena_free_all();
            exit(0);
        } else if (strcmp(a, "-o") == 0) {
            if (i + 1 >= argc)
                bad_usage("missing file name after", "-o");
            opt->output = argv[++i];
        } else if (strncmp(a, "-I", 2) == 0 || strncmp(a, "-D", 2) == 0 ||
                   strncmp(a, "-U", 2) == 0) {
            char flag[3] = {a[0], a[1], '\0'};
            vec_push(&opt->clang_args, fmt("%s%s", flag, opt_value(argc, argv, &i, flag)));
        } else if (strcmp(a, "-isystem") == 0) {
            if (i + 1 >= argc)
                bad_usage("missing directory after", "-isystem");
            vec_push(&opt->clang_args, "-isystem");
            vec_push(&opt->clang_args, argv[++i]);
        } else if (strncmp(a, "-std=", 5) == 0) {
            vec_push(&opt->clang_args, (void *)a);
        } else if (strcmp(a, "-MD") == 0) {
            opt->md = true;
        } else if (strcmp(a, "-MF") == 0) {
            if (i + 1 >= argc)
                bad_usage("missing file name after", "-MF");
            opt->depfile = argv[++i];
            opt->md = true;
        } else if (strcmp(a, "--no-line") == 0) {
            opt->no_line = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            bad_usage("unknown option", a);
        } else if (opt->input) {
            bad_usage("more than one input file:", a);
        } else {
            opt->input = a;
        }
    }
    if (!opt->input)
        bad_usage("no input file", "");
}

/* Whether the output names the input file itself (acc x.ac -o x.ac). */
static bool output_is_input(const Options *opt) {
    struct stat in, out;
    if (!opt->output || strcmp(opt->output, "-") == 0)
        return false;
    if (strcmp(opt->output, opt->input) == 0)
        return true;
    return stat(opt->input, &in) == 0 && stat(opt->output, &out) == 0 &&
           in.st_dev == out.st_dev && in.st_ino == out.st_ino;
}

static bool to_stdout(const Options *opt) {
    return !opt->output || strcmp(opt->output, "-") == 0;
}

/* Writes `data` to what is not a regular file (/dev/null, a pipe, a
   terminal) in place. */
static int write_in_place(const char *path, const char *data, size_t len) {
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(data, 1, len, f) == len;
    ok = f && fclose(f) == 0 && ok;
    if (!ok)
        fprintf(stderr, "acc: error: cannot write '%s'\n", path);
    return ok ? 0 : -1;
}

/* Writes `data` to `path` through a temporary file in the same directory,
   renamed into place; but a path that names something other than a regular
   file is written in place: a rename would put a file where /dev/null was. */
static int write_whole(const char *path, const char *data, size_t len) {
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return write_in_place(path, data, len);
    char *tmp = fmt("%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "acc: error: cannot write '%s'\n", path);
        return -1;
    }
    /* mkstemp makes the file 0600: give it the mode any compiler's output
       gets, 0666 less the umask */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        close(fd);
        unlink(tmp);
        fprintf(stderr, "acc: error: cannot write '%s'\n", path);
        return -1;
    }
    FILE *f = fdopen(fd, "wb");
    bool ok = f && fwrite(data, 1, len, f) == len;
    ok = f && fclose(f) == 0 && ok;
    if (!f)
        close(fd);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        fprintf(stderr, "acc: error: cannot write '%s'\n", path);
        return -1;
    }
    return 0;
}

typedef struct {
    Buf *b;
} DepCtx;

static void dep_escape(Buf *b, const char *path) {
    for (const char *p = path; *p; p++) {
        if (*p == ' ' || *p == '#')
            buf_put(b, "\\");
        else if (*p == '$')
            buf_put(b, "$");
        buf_putn(b, p, 1);
    }
}

static void dep_visit(CXFile file, CXSourceLocation *stack, unsigned depth, CXClientData data) {
    (void)stack;
    if (depth == 0)
        return; /* the main file itself */
    DepCtx *ctx = data;
    char *name = str_dispose(clang_getFileName(file));
    buf_put(ctx->b, " \\\n  ");
    dep_escape(ctx->b, name);
    xfree(name);
}

static int write_depfile(Unit *u, const Options *opt) {
    const char *target = to_stdout(opt) ? "-" : opt->output;
    char *path = opt->depfile ? xstrdup(opt->depfile) : fmt("%s.d", target);
    Buf b = {0};
    dep_escape(&b, target);
    buf_put(&b, ": ");
    dep_escape(&b, opt->input);
    DepCtx ctx = {&b};
    clang_getInclusions(u->tu, dep_visit, &ctx);
    buf_put(&b, "\n");
    int r = write_whole(path, b.data, b.len);
    return r;
}

static int run(int argc, char **argv) {
    Options opt = {0};
    parse_args(argc, argv, &opt);
    if (output_is_input(&opt)) {
        fprintf(stderr, "acc: error: the output '%s' is the input file\n", opt.output);
        return 2;
    }
    Unit u = {0};
    char *out = acc_transpile(&u, &opt); /* parse, check, analyse, lower, emit */
    int status = 0;
    if (!out) {
        status = 1;
    } else if (to_stdout(&opt)) {
        fputs(out, stdout);
        status = fflush(stdout) == 0 ? 0 : 1;
    } else {
        status = write_whole(opt.output, out, strlen(out)) < 0 ? 1 : 0;
    }
    if (status == 0 && opt.md && write_depfile(&u, &opt) < 0)
        status = 1;
    unit_dispose(&u);
    return status;
}

typedef struct {
    int argc;
    char **argv;
    int status;
} Job;

static void *run_job(void *p) {
    Job *j = p;
    j->status = run(j->argc, j->argv);
    return NULL;
}

/*
 * The passes walk the tree recursively, and libclang's visitor does too, so
 * the depth of the user's nesting (a 3,000-term `a + b + ...` chain) sets
 * the depth of the C stack.  They run on a thread whose stack is reserved
 * large (the pages are touched only as deep as the input goes).
 */
int main(int argc, char **argv) {
    Job j = {argc, argv, 0};
    pthread_attr_t attr;
    pthread_t t;
    if (pthread_attr_init(&attr) != 0 || pthread_attr_setstacksize(&attr, (size_t)1 << 30) != 0 ||
        pthread_create(&t, &attr, run_job, &j) != 0) {
        run_job(&j);
    } else {
        pthread_join(t, NULL);
    }
    arena_free_all();
    return j.status;
}
