/*
 * abi.h: the names in the code acc writes, in one place.  Two kinds: what
 * the runtime's ABI header (runtime/include/acc_abi.h) declares, which must
 * match it, and the names acc invents inside the code it writes.  Every one
 * is reserved (acc__, ACC__) or is the user's own function name with a
 * reserved suffix (f__acc), so that no name of the program can clash
 * (SPEC 2, "The output is hygienic").  They are string literals, pasted
 * into formats:  "%s" ABI_CTOR "("  writes  "f__acc(".
 */
#ifndef ACC_ABI_NAMES_H
#define ACC_ABI_NAMES_H

/* ---- declared by acc_abi.h ----------------------------------------------- */

#define ABI_FRAME "acc__frame"         /* the header every frame starts with */
#define ABI_STATE "acc__state"         /* its member: the resume point, and ABI_SUSPENDED */
#define ABI_CALLER_FIELD "acc__caller" /* its member: the frame awaiting it */
#define ABI_FNINFO "acc__fninfo"       /* what the runtime knows of an async function */
#define ABI_FRAME_NEW "acc__frame_new" /* allocates a frame */
#define ABI_FRAME_NEW_ALIGNED "acc__frame_new_aligned" /* one with members over-aligned */
#define ABI_AWAIT "acc__await"         /* runs a callee's frame; nonzero: it suspended */
#define ABI_AWAIT_COLD "acc__await_cold" /* the same out of line (in direct entries) */
#define ABI_FRAME_NEW_COLD "acc__frame_new_cold" /* acc__frame_new out of line (direct entries) */
#define ABI_ZERO "acc__zero"           /* zeroes bytes (no <string.h>) */
#define ABI_MAIN "acc__main"           /* runs an async main on a fresh loop */
#define ABI_OFFSETOF "acc__offsetof"
#define ABI_SIZE_T "acc__size_t"
#define ABI_SUSPENDED "ACC__SUSPENDED" /* state bit: the body returned because it suspended */
#define ABI_PENDING "ACC__PENDING"     /* resume results */
#define ABI_DONE "ACC__DONE"
#define ABI_NULL "ACC__NULL"
#define ABI_CORO "acc__coro_"          /* prefix: acc.h's calls that take coroutines */
#define ABI_NOLIBC "ACC__NOLIBC"       /* asks acc.h for its view without the C library */
#define ABI_RUN_NESTED "acc__run_nested" /* runs a frame to its end on a nested trampoline */
#define ABI_TWIN_OK "acc__twin_ok"     /* whether an await may call a twin now */
#define ABI_TWIN_BUDGET "ACC__TWIN_BUDGET" /* twin calls one chain may nest */
#define ABI_LAZY_OK "acc__lazy_ok"     /* whether an await may call a direct entry now */
#define ABI_LAZY_ENTER "acc__lazy_enter" /* a direct entry runs: one unit of await depth */
#define ABI_LAZY_LEAVE "acc__lazy_leave" /* and returns */
#define ABI_LAZY_DONE "acc__lazy_done" /* its frame returned: top to the caller, frame freed */

/* ---- acc.h's parse view (what acc's libclang parse reads, not the output) */

#define ABI_PARSE_DEFINE "__ACC__"          /* defined while acc parses */
#define ABI_ANNOT_ASYNC "acc_async"         /* annotate(): a function or object said `async` */
#define ABI_ANNOT_RUNTIME "acc_runtime"     /* declared by the runtime */
#define ABI_ANNOT_CORO "acc_coro"           /* a call that takes coroutines (ABI_CORO...) */

/* ---- invented in the code acc writes ------------------------------------- */

#define ABI_F "acc__f"         /* the frame pointer of a body function */
#define ABI_HDR "acc__hdr"     /* a frame struct's ABI_FRAME member */
#define ABI_RES "acc__res"     /* where a result goes (a constructor parameter, a member) */
#define ABI_BASE "acc__base"   /* the resume function's ABI_FRAME pointer */
#define ABI_ARG "acc__a"       /* + index: a constructor's parameters */
#define ABI_TEMP "acc__t"      /* + index: a temporary in the frame */
#define ABI_LABEL "acc__L"     /* + index: a resume point's label */
#define ABI_FIELD "acc__v_"    /* + name: a local's frame field */
#define ABI_Z "acc__z"         /* the zero value a body returns when it suspends */
#define ABI_V "acc__v"         /* the value a body returned */
#define ABI_COPY "acc__copy"   /* the byte copy written once when spills need it: */
#define ABI_COPY_DEFINITION                                                                    \
    "static void *" ABI_COPY "(void *acc__d, const void *acc__s, " ABI_SIZE_T " acc__n) {\n"  \
    "    unsigned char *acc__p = (unsigned char *)acc__d;\n"                                  \
    "    const unsigned char *acc__q = (const unsigned char *)acc__s;\n"                      \
    "    while (acc__n--)\n"                                                                   \
    "        *acc__p++ = *acc__q++;\n"                                                         \
    "    return acc__d;\n"                                                                     \
    "}\n"
#define ABI_ARGC "acc__argc"   /* the real main's parameters, and its result */
#define ABI_ARGV "acc__argv"
#define ABI_RV "acc__rv"
#define ABI_BUDGET "acc__b"    /* a twin's parameter: the twin calls it may still nest */
#define ABI_R "acc__r"         /* a twin's result */
#define ABI_CONT "acc__cont"   /* + index: where a lowered loop's continue goes */
#define ABI_CALLER "acc__c"    /* a direct entry's parameter: the awaiting frame */
#define ABI_HEAP "acc__h"      /* a direct entry's frame once it has one, else NULL */
#define ABI_LOCAL "acc__l"     /* its frame-shaped scratch on the C stack (slots only) */

/* suffixes to the async function's own name */
#define ABI_CTOR "__acc"               /* f__acc: the constructor */
#define ABI_FRAME_STRUCT "__acc_frame" /* struct f__acc_frame */
#define ABI_INFO "__acc_info"          /* its ABI_FNINFO */
#define ABI_LINES "__acc_lines"        /* the .ac line of each resume point */
#define ABI_RESUME "__acc_resume"      /* what the runtime calls */
#define ABI_BODY "__acc_body"          /* the body function */
#define ABI_TWIN "__acc_sync"          /* its plain twin (twin.c) */
#define ABI_DIRECT "__acc_direct"      /* its direct entry, frame allocated lazily (lazy.c) */
#define ABI_DBODY "__acc_dbody"        /* the direct entry's body */

#endif /* ACC_ABI_NAMES_H */
