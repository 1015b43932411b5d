/*
 * transpile.c: acc's passes in order.  The one entry point of the
 * translator: the command line (main.c), the fuzzer and the unit tests all
 * call acc_transpile.  Each pass goes over the whole unit and the next runs
 * only when it found no error, so a pass may assume what the passes before
 * it checked:
 *
 *   parse    libclang's parse and acc's node tree of every function body
 *   check    misuse of async and await, located errors
 *   analyse  which locals of each async function live across an await
 *   lower    every body that changes, lowered: Fn.lowered, Unit.global_inits
 *   emit     the output file, assembled from the input and what lower made
 */
#include "accc.h"

char *acc_transpile(Unit *u, const Options *opt) {
    if (parse_unit(u, opt) < 0)
        return NULL;
    check_unit(u);
    if (!error_count)
        analyse_unit(u);
    if (!error_count)
        lower_unit(u, opt);
    if (error_count)
        return NULL;
    return emit_unit(u, opt);
}
