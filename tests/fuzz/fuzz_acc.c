/*
 * fuzz_acc.c: a libFuzzer target over acc's whole pipeline: any bytes are
 * written to a .ac file and go through parse, check, analyse, lower and
 * emit, as `acc in.ac -o out.c` would.  acc must answer every input with
 * output or diagnostics; a crash, a hang or a sanitizer report is a bug.
 * State that lives across inputs (errors, aliases, memory) is reset after
 * each one.
 */
#include "accc.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    /* acc's diagnostics go to stderr: run with -close_fd_mask=2 to keep the
       fuzzer's own output readable */
    snprintf(path, sizeof path, "/tmp/acc_fuzz_%d.ac", (int)getpid());
    return 0;
}

/* The passes, on the input written to `path`, through the entry point
   transpiler/main.c's run calls. */
static void *translate(void *arg) {
    (void)arg;
    Options opt = {0};
    opt.input = path;
    Unit u = {0};
    diag_reset();
    (void)acc_transpile(&u, &opt);
    unit_dispose(&u);
    types_reset();
    arena_free_all();
    return NULL;
}

/* Deep nesting in the input recurses as deep in the passes: like acc's main,
   run them on a thread whose stack is reserved large. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    pthread_attr_t attr;
    pthread_t t;
    if (pthread_attr_init(&attr) != 0 || pthread_attr_setstacksize(&attr, (size_t)1 << 30) != 0 ||
        pthread_create(&t, &attr, translate, NULL) != 0)
        translate(NULL);
    else
        pthread_join(t, NULL);
    pthread_attr_destroy(&attr);
    return 0;
}
