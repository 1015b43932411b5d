/*
 * erase.h: the "erased twin" of a sync test.
 *
 * SPEC section 4 promises that a program with no concurrency behaves exactly
 * like the same program with `async` and `await` erased and `acc_run(x)` read
 * as `x`.  run_e2e.sh --erased builds a sync .ac file as plain C with
 *     gcc -std=gnu11 -x c -Dasync= -Dawait= -include erase.h file.ac
 * and checks it prints the same EXPECTED block as the transpiled program.
 * This header supplies the few runtime names a sync program may use.
 */
#ifndef ACC_E2E_ERASE_H
#define ACC_E2E_ERASE_H

/* acc_run(x) is x; its status is 0 (the coroutine's result is discarded). */
#define acc_run(x) ((x), 0)

/* A sync program's only runtime awaits: no-ops that succeed. */
static inline int acc_sleep(double seconds) { (void)seconds; return 0; }
static inline int acc_yield(void) { return 0; }

#endif /* ACC_E2E_ERASE_H */
