/*
 * pool.c: the frame pool and the allocation indirection.
 *
 * Every async call allocates a frame, so frames come from a per-thread
 * pool: size classes of 8 bytes up to 512, free lists carved by a bump
 * pointer from 64 KiB slabs, bigger blocks from malloc.  A class of size c
 * holds objects whose alignment divides c (sizeof is a multiple of the
 * alignment), and slots whose size is a multiple of 16 start 16-aligned, so
 * no object is misaligned.  The slabs are released together when the
 * thread's loop is closed and nothing pooled is live.
 *
 * All allocations pass the fault injector (neco's fail counters, Lua's
 * debug_realloc): acc__alloc_fail_at(n) makes the nth one fail.  Under
 * AddressSanitizer, or with ACC_NOPOOL=1 in the environment (for valgrind),
 * the pool hands every block to malloc so use-after-free is caught.
 */
#include "acc_int.h"

#include <stdlib.h>

#define GRAIN ACC__POOL_GRAIN
#define SMALL_MAX ACC__POOL_SMALL
#define NCLASS (SMALL_MAX / GRAIN)
#define SLAB_SIZE (64 * 1024)

#if defined(__SANITIZE_ADDRESS__)
#define ACC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ACC_ASAN 1
#endif
#endif

typedef struct slab {
    struct slab *next;
    max_align_t pad[]; /* objects start max-aligned after the link */
} slab;

/*
 * The free lists and the live count are in acc__th (acc.h), where the
 * inline fast paths of generated code reach them; the rest is here.
 */
typedef struct pool {
    char *bump, *bump_end;
    slab *slabs;
    int mode; /* 0 unknown, 1 pooled, 2 malloc only */
#ifdef ACC_TEST_HOOKS
    bool armed;          /* the fault injector is counting: lists moved aside */
    void *aside[NCLASS]; /* the free lists while armed */
#endif
} pool;

_Thread_local acc__thread acc__th;
static _Thread_local pool P;

/* fn.lines of every runtime function: acc__rtinfo, with a drop hook */
const unsigned acc__rt_mark[1] = {0};

#ifdef ACC_TEST_HOOKS
/*
 * The test hooks (libacc built with ACC_TEST_HOOKS, as the test suite's is):
 * the allocation-failure injector and the count of live blocks.  A release
 * build has neither; nothing on its allocation paths looks at them.
 */
static atomic_long fail_countdown; /* 0: off; else fail when it reaches 1 */
static atomic_long outstanding;    /* acc__malloc blocks not yet freed */
#define COUNT_BLOCKS(d) atomic_fetch_add(&outstanding, (d))

static int pool_mode(void);

/*
 * While the injector counts, this thread's free lists are moved aside and
 * `pooled` is 0: the inline fast paths of generated code find no free
 * block and release through acc__frame_done_slow, so every allocation is
 * counted here, and the fast paths never read the injector.
 */
static void **free_list(size_t c) { return P.armed ? &P.aside[c] : &acc__th.acc__free[c]; }

static void pool_arm(bool on) {
    if (P.armed == on)
        return;
    for (size_t c = 0; c < NCLASS; c++) {
        void *l = acc__th.acc__free[c];
        acc__th.acc__free[c] = P.aside[c];
        P.aside[c] = l;
    }
    P.armed = on;
    acc__th.acc__pooled = !on && pool_mode() == 1;
}

long acc__alloc_fail_at(long n) {
    pool_arm(n > 0);
    return atomic_exchange(&fail_countdown, n > 0 ? n : 0);
}

bool acc__alloc_should_fail(void) {
    if (atomic_load_explicit(&fail_countdown, memory_order_relaxed) == 0)
        return false;
    return atomic_fetch_sub(&fail_countdown, 1) == 1;
}

long acc__alloc_outstanding(void) { return atomic_load(&outstanding) + acc__th.acc__live; }
#else
#define COUNT_BLOCKS(d) ((void)0)
static void **free_list(size_t c) { return &acc__th.acc__free[c]; }
#endif /* ACC_TEST_HOOKS */

static int pool_mode(void) {
    if (P.mode == 0) {
#ifdef ACC_ASAN
        P.mode = 2;
#else
        const char *e = getenv("ACC_NOPOOL");
        P.mode = e && *e && *e != '0' ? 2 : 1;
#endif
#ifdef ACC_TEST_HOOKS
        acc__th.acc__pooled = P.mode == 1 && !P.armed;
#else
        acc__th.acc__pooled = P.mode == 1;
#endif
    }
    return P.mode;
}

/* Refills the bump region with a new slab; false when malloc fails. */
static bool pool_grow(void) {
    slab *s = malloc(SLAB_SIZE);
    if (!s)
        return false;
    s->next = P.slabs;
    P.slabs = s;
    P.bump = (char *)s->pad;
    P.bump_end = (char *)s + SLAB_SIZE;
    return true;
}

static void *pool_carve(size_t csize) {
    uintptr_t b = (uintptr_t)P.bump;
    if (csize % 16 == 0)
        b = (b + 15) & ~(uintptr_t)15;
    if (!P.bump || b + csize > (uintptr_t)P.bump_end) {
        if (!pool_grow())
            return NULL;
        b = (uintptr_t)P.bump;
    }
    P.bump = (char *)(b + csize);
    return (void *)b;
}

void *acc__alloc(size_t size) {
    if (acc__alloc_should_fail())
        return NULL;
    if (size == 0)
        size = 1;
    void *p;
    if (size > SMALL_MAX || pool_mode() == 2) {
        p = malloc(size);
    } else {
        size_t c = (size - 1) / GRAIN;
        void **l = free_list(c);
        p = *l;
        if (p)
            *l = *(void **)p;
        else
            p = pool_carve((c + 1) * GRAIN);
    }
    if (p)
        acc__th.acc__live++;
    return p;
}

void acc__free(void *p, size_t size) {
    if (!p)
        return;
    acc__th.acc__live--;
    if (size == 0)
        size = 1;
    if (size > SMALL_MAX || pool_mode() == 2) {
        free(p);
        return;
    }
    void **l = free_list((size - 1) / GRAIN);
    *(void **)p = *l;
    *l = p;
}

void acc__pool_release(void) {
    if (acc__th.acc__live != 0)
        return;
    while (P.slabs) {
        slab *s = P.slabs;
        P.slabs = s->next;
        free(s);
    }
    memset(acc__th.acc__free, 0, sizeof acc__th.acc__free);
#ifdef ACC_TEST_HOOKS
    memset(P.aside, 0, sizeof P.aside);
#endif
    P.bump = P.bump_end = NULL;
}

void *acc__malloc(size_t size) {
    if (acc__alloc_should_fail())
        return NULL;
    void *p = malloc(size ? size : 1);
    if (p)
        COUNT_BLOCKS(1);
    return p;
}

void *acc__realloc(void *p, size_t size) {
    if (acc__alloc_should_fail())
        return NULL;
    void *q = realloc(p, size ? size : 1);
    if (q && !p)
        COUNT_BLOCKS(1);
    return q;
}

void acc__mfree(void *p) {
    if (!p)
        return;
    COUNT_BLOCKS(-1);
    free(p);
}

acc_frame *acc__frame_new_slow_v1(size_t size, const acc_fninfo *fn) {
    acc_frame *f = acc__alloc(size);
    if (!f)
        return NULL;
    f->acc__fn = fn;
    f->acc__caller = NULL;
    f->acc__state = 0;
    f->acc__size = (unsigned)size;
    return f;
}

/*
 * Over-aligned frames (a local with _Alignas) bypass the pool.  The top
 * bit of `size` marks them: it makes the size exceed SMALL_MAX, so
 * acc__free hands them back to free() like any big block.
 */
#define FRAME_MALLOCED 0x80000000u

acc_frame *acc__frame_new_aligned_v1(size_t size, size_t align, const acc_fninfo *fn) {
    if (align <= _Alignof(max_align_t))
        return acc__frame_new(size, fn);
    if (size >= FRAME_MALLOCED || (align & (align - 1)) != 0 || acc__alloc_should_fail())
        return NULL;
    acc_frame *f = aligned_alloc(align, (size + align - 1) / align * align);
    if (!f)
        return NULL;
    acc__th.acc__live++;
    f->acc__fn = fn;
    f->acc__caller = NULL;
    f->acc__state = 0;
    f->acc__size = (unsigned)size | FRAME_MALLOCED;
    return f;
}

acc_frame *acc__frame_new_v1(size_t size, const acc_fninfo *fn) {
    return acc__frame_new_slow_v1(size, fn);
}

void acc__frame_done_slow_v1(acc_frame *frame) { acc__free(frame, frame->acc__size); }

void acc__frame_free_v1(acc_frame *frame) {
    if (!frame)
        return;
    if (frame->acc__state == 0 && frame->acc__fn->acc__lines == acc__rt_mark) {
        const acc__rtinfo *rt = (const acc__rtinfo *)(const void *)frame->acc__fn;
        if (rt->drop)
            rt->drop(frame);
    }
    acc__free(frame, frame->acc__size);
}
