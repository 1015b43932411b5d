/*
 * fuzz_acc.c: a libFuzzer target over acc's whole pipeline: any bytes are
 * written to a .ac file and go through parse, check, analyse, lower and
 * emit, as `acc in.ac -o out.c` would.  acc must answer every input with
 * output or diagnostics; a crash, a hang or a sanitizer report is a bug.
 * State that lives across inputs (errors, aliases, memory) is reset after
 * each one.
 */
#include "accc.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    Options opt = {0};
    opt.input = path;
    Unit u = {0};
    diag_reset();
    if (parse_unit(&u, &opt) == 0) {
        check_unit(&u);
        for (int i = 0; i < u.defs.len && !error_count; i++) {
            Fn *fn = u.defs.items[i];
            if (fn->is_async)
                analyse_fn(&u, fn);
        }
        if (!error_count)
            (void)emit_unit(&u, &opt);
    }
    unit_dispose(&u);
    types_reset();
    arena_free_all();
    return 0;
}
