/*
 * coros.h: small hand-written async functions shared by the unit tests.
 *
 *   step(id, n)            notes id, then n times: yield, note id; returns id
 *   nap(id, seconds)       sleeps, notes id, returns the sleep's status
 *   add(a, b)              returns a + b without suspending
 */
#ifndef COROS_H
#define COROS_H

#include "acct.h"

typedef struct step_frame {
    acc_frame hdr;
    int *res;
    int id, n, i, st;
} step_frame;
ACCT_FN(step);

__attribute__((unused)) static acc_frame *step__acc(int *res, int id, int n) {
    step_frame *fr = ACCT_NEW(step_frame, step);
    if (!fr) {
        if (res)
            *res = 0;
        return NULL;
    }
    fr->res = res;
    fr->id = id;
    fr->n = n;
    return &fr->hdr;
}

static int step_resume(acc_frame *f) {
    step_frame *fr = (step_frame *)f;
    ACCT_BEGIN(fr);
    acct_note(fr->id);
    for (fr->i = 0; fr->i < fr->n; fr->i++) {
        ACCT_AWAIT(fr, 1, acc_yield__acc(&fr->st));
        acct_note(fr->id);
    }
    ACCT_RETURN(fr, fr->id);
    ACCT_END;
}

typedef struct nap_frame {
    acc_frame hdr;
    int *res;
    int id;
    double s;
    int st;
} nap_frame;
ACCT_FN(nap);

__attribute__((unused)) static acc_frame *nap__acc(int *res, int id, double s) {
    nap_frame *fr = ACCT_NEW(nap_frame, nap);
    if (!fr) {
        if (res)
            *res = 0;
        return NULL;
    }
    fr->res = res;
    fr->id = id;
    fr->s = s;
    return &fr->hdr;
}

static int nap_resume(acc_frame *f) {
    nap_frame *fr = (nap_frame *)f;
    ACCT_BEGIN(fr);
    ACCT_AWAIT(fr, 1, acc_sleep__acc(&fr->st, fr->s));
    acct_note(fr->id);
    ACCT_RETURN(fr, fr->st);
    ACCT_END;
}

typedef struct add_frame {
    acc_frame hdr;
    int *res;
    int a, b;
} add_frame;
ACCT_FN(add);

__attribute__((unused)) static acc_frame *add__acc(int *res, int a, int b) {
    add_frame *fr = ACCT_NEW(add_frame, add);
    if (!fr) {
        if (res)
            *res = 0;
        return NULL;
    }
    fr->res = res;
    fr->a = a;
    fr->b = b;
    return &fr->hdr;
}

static int add_resume(acc_frame *f) {
    add_frame *fr = (add_frame *)f;
    ACCT_RETURN(fr, fr->a + fr->b);
}

#endif /* COROS_H */
