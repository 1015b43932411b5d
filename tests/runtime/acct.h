/*
 * acct.h: helpers for the runtime's unit tests.
 *
 * The tests write async functions by hand, in the shape acc generates: a
 * frame struct starting with acc_frame, a constructor `name__acc` that
 * allocates it without running it, and a resume function that switches on
 * the frame's state and awaits through acc__await.  These macros keep that
 * shape short:
 *
 *     ACCT_FN(f);                        // info + resume prototype
 *     static int f_resume(acc_frame *f_) {
 *         struct f_frame *fr = (struct f_frame *)f_;
 *         ACCT_BEGIN(fr);
 *         ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, 0.01));
 *         ACCT_RETURN(fr, fr->st);
 *         ACCT_END;
 *     }
 *
 * Like generated code, nothing local survives an await: state lives in
 * the frame.
 */
#ifndef ACCT_H
#define ACCT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include <acc.h>

#define ACCT_FN(name)                                                          \
    static int name##_resume(acc_frame *);                                     \
    __attribute__((unused)) static const acc_fninfo name##_info = {            \
        name##_resume, #name, "test.ac", NULL, 0, 0}

#define ACCT_NEW(type, name) ((type *)acc__frame_new(sizeof(type), &name##_info))

#define ACCT_BEGIN(fr) switch ((fr)->hdr.acc__state) { case 0:
#define ACCT_AWAIT(fr, n, call)                                                \
    do {                                                                       \
        (fr)->hdr.acc__state = (n);                                            \
        if (acc__await(&(fr)->hdr, (call)))                                    \
            return ACC__PENDING;                                               \
        __attribute__((fallthrough));                                          \
        case (n):;                                                             \
    } while (0)
#define ACCT_RETURN(fr, v)                                                     \
    do {                                                                       \
        if ((fr)->res)                                                         \
            *(fr)->res = (v);                                                  \
        return ACC__DONE;                                                      \
    } while (0)
#define ACCT_END } return ACC__DONE

/* An order log: tests record events and compare with the expected list. */
static int acct_log[4096];
static int acct_nlog;

static inline void acct_note(int v) {
    if (acct_nlog < (int)(sizeof acct_log / sizeof acct_log[0]))
        acct_log[acct_nlog++] = v;
}

static inline void acct_log_reset(void) { acct_nlog = 0; }

#define ACCT_EXPECT_LOG(...)                                                   \
    do {                                                                       \
        int want_[] = {__VA_ARGS__};                                           \
        int n_ = (int)(sizeof want_ / sizeof want_[0]);                        \
        if (acct_nlog != n_) {                                                 \
            fprintf(stderr, "log:");                                           \
            for (int i_ = 0; i_ < acct_nlog; i_++)                             \
                fprintf(stderr, " %d", acct_log[i_]);                          \
            fprintf(stderr, "\n");                                             \
        }                                                                      \
        assert_int_equal(acct_nlog, n_);                                       \
        for (int i_ = 0; i_ < n_; i_++)                                        \
            assert_int_equal(acct_log[i_], want_[i_]);                         \
    } while (0)

/* Every test ends with nothing allocated. */
#define ACCT_NO_LEAKS() assert_int_equal(acc__alloc_outstanding(), 0)

#endif /* ACCT_H */

/*
 * A roomy frame for test bodies: ACCT_MAIN(name) declares name__acc(res)
 * and name_resume, whose frame `fr` has these slots to keep across awaits.
 */
typedef struct acct_main_frame {
    acc_frame hdr;
    int *res;
    acc_task *t[16];
    int r[16];
    int st, i, n;
    void *p;
    double d;
} acct_main_frame;

#define ACCT_MAIN(name)                                                        \
    ACCT_FN(name);                                                             \
    __attribute__((unused)) static acc_frame *name##__acc(int *res) {          \
        acct_main_frame *fr = ACCT_NEW(acct_main_frame, name);                 \
        if (!fr) {                                                             \
            if (res)                                                           \
                *res = 0;                                                      \
            return NULL;                                                       \
        }                                                                      \
        memset((char *)fr + sizeof(acc_frame), 0,                              \
               sizeof *fr - sizeof(acc_frame));                                \
        fr->res = res;                                                         \
        return &fr->hdr;                                                       \
    }                                                                          \
    static int name##_body(acct_main_frame *fr);                               \
    static int name##_resume(acc_frame *f) {                                   \
        return name##_body((acct_main_frame *)f);                              \
    }                                                                          \
    static int name##_body(acct_main_frame *fr)
