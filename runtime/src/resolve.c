/*
 * resolve.c: name resolution that a task can give up on
 * (loop.getaddrinfo).
 *
 * getaddrinfo(3) blocks and cannot be interrupted, so acc_getaddrinfo runs
 * it on a thread of its own, started for the lookup.  The lookup lives in a
 * heap job, not in the frame of the await: a task that is cancelled, or
 * whose acc_wait_for runs out, leaves at once with -ECANCELED, and the job
 * is marked abandoned.  So a stuck resolver holds a thread for as long as
 * it is stuck, never a task.  A numeric host (an IPv4 or IPv6 literal) is
 * converted at once, with no thread.
 *
 * Every thread is joined, never detached: a detached thread that is still
 * on its way out when the program ends leaves its stack and TLS behind
 * (valgrind saw them lost).  The loop thread joins a thread whose result it
 * takes (the thread has posted it and is returning); a thread whose job was
 * abandoned frees the result, puts the job on `ended` and returns, and the
 * next lookup, acc__getaddrinfo_inflight or acc_loop_close joins it.
 *
 * Statuses: getaddrinfo's errors become negative errnos as everywhere in
 * acc: EAI_NONAME and EAI_FAIL -ENOENT, EAI_AGAIN -EAGAIN, EAI_MEMORY
 * -ENOMEM, EAI_SYSTEM the errno, the rest -EINVAL.
 */
#define _GNU_SOURCE
#include "acc_int.h"

#include <netdb.h>
#include <stdlib.h>
#include <sys/socket.h>

int acc__gai_status(int rc) {
    switch (rc) {
    case 0: return 0;
    case EAI_MEMORY: return -ENOMEM;
    case EAI_SYSTEM: return errno ? -errno : -EIO;
    case EAI_AGAIN: return -EAGAIN;
    case EAI_NONAME:
    case EAI_FAIL:
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
        return -ENOENT;
    default: return -EINVAL;
    }
}

/* A blocking numeric-service lookup of host:port for sockets of `socktype`
   (SOCK_STREAM, SOCK_DGRAM), for binding with passive; the caller frees *ai. */
int acc__resolve(const char *host, int port, int socktype, bool passive, struct addrinfo **ai) {
    char service[16];
    struct addrinfo hints;
    if (port < 0 || port > 65535)
        return -EINVAL;
    snprintf(service, sizeof service, "%d", port);
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socktype;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    return acc__gai_status(getaddrinfo(host, service, &hints, ai));
}

/* The test hook: a stand-in for getaddrinfo (NULL: the real one). */
static _Atomic(acc__getaddrinfo_fn) lookup_hook;
static atomic_long inflight;

void acc__getaddrinfo_hook(acc__getaddrinfo_fn fn) { atomic_store(&lookup_hook, fn); }
long acc__getaddrinfo_inflight(void) {
    acc__getaddrinfo_reap();
    return atomic_load(&inflight);
}


/* One lookup on its thread.  `abandoned`, `self` and `next` are guarded by
 * job_lock; everything else is the thread's until it posts, then the loop's. */
typedef struct gai_job {
    char *host, *service;
    struct addrinfo hints;
    bool has_hints;
    struct addrinfo *res;
    int rc;
    acc__getaddrinfo_fn fn;  /* the hook when the lookup started, or getaddrinfo */
    acc_loop *loop;
    acc_task *task;
    bool abandoned, finished;
    acc__post post;
    pthread_t thread;        /* set by the starter, read by the loop thread */
    pthread_t self;          /* set by the thread itself when abandoned */
    struct gai_job *next;    /* on `ended` */
} gai_job;

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;
static gai_job *ended; /* abandoned jobs whose thread has returned */

static void job_free(gai_job *j) {
    if (j->res)
        freeaddrinfo(j->res);
    free(j->host);
    free(j->service);
    free(j);
}

/* Joins a thread known to have posted its result or put itself on
 * `ended` (so the wait is for it to return), and frees its job. */
static void job_join(gai_job *j, pthread_t th) {
    pthread_join(th, NULL);
    atomic_fetch_sub(&inflight, 1);
    job_free(j);
}

/* Joins the threads of abandoned lookups that have ended. */
void acc__getaddrinfo_reap(void) {
    pthread_mutex_lock(&job_lock);
    gai_job *j = ended;
    ended = NULL;
    pthread_mutex_unlock(&job_lock);
    while (j) {
        gai_job *next = j->next;
        job_join(j, j->self);
        j = next;
    }
}

/* On the loop thread: the lookup has ended. */
static void job_done(void *arg) {
    gai_job *j = arg;
    pthread_mutex_lock(&job_lock);
    bool abandoned = j->abandoned;
    pthread_mutex_unlock(&job_lock);
    if (abandoned) {
        job_join(j, j->thread); /* given up on after the thread posted */
        return;
    }
    j->finished = true;
    acc__wake(j->task);
}

static void *job_run(void *arg) {
    gai_job *j = arg;
    j->rc = j->fn(j->host, j->service, j->has_hints ? &j->hints : NULL, &j->res);
    if (j->rc != 0)
        j->res = NULL;
    pthread_mutex_lock(&job_lock);
    bool abandoned = j->abandoned;
    if (abandoned) {
        /* nobody waits for it: the late result is dropped, the job left
         * for the reaper to join this thread and free */
        if (j->res)
            freeaddrinfo(j->res);
        j->res = NULL;
        j->self = pthread_self();
        j->next = ended;
        ended = j;
    }
    pthread_mutex_unlock(&job_lock);
    if (!abandoned)
        acc__post_to(j->loop, &j->post);
    return NULL;
}

typedef struct gai_frame {
    acc_frame hdr;
    int *res;
    const char *host, *service;
    const struct addrinfo *hints;
    struct addrinfo **out;
    gai_job *job;
} gai_frame;

ACC__RUNTIME_FN(gai_info, gai_resume, "acc_getaddrinfo");

static int gai_finish(gai_frame *fr, int status) {
    fr->hdr.acc__state = 2;
    if (fr->res)
        *fr->res = status;
    return ACC__DONE;
}

static char *dup_or_null(const char *s, bool *fail) {
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *fail = true;
    return d;
}

static int gai_start(gai_frame *fr) {
    if (acc__task_cancelled(acc__current()))
        return gai_finish(fr, -ECANCELED);
    if (!fr->out || (!fr->host && !fr->service))
        return gai_finish(fr, -EINVAL);
    *fr->out = NULL;
    acc__getaddrinfo_reap();
    acc__getaddrinfo_fn hook = atomic_load(&lookup_hook);
    if (!hook && fr->host) {
        /* a numeric host needs no resolver */
        struct addrinfo h;
        if (fr->hints)
            h = *fr->hints;
        else
            memset(&h, 0, sizeof h);
        h.ai_flags |= AI_NUMERICHOST;
        int rc = getaddrinfo(fr->host, fr->service, &h, fr->out);
        if (rc != EAI_NONAME)
            return gai_finish(fr, acc__gai_status(rc));
        *fr->out = NULL;
    }
    gai_job *j = calloc(1, sizeof *j);
    bool fail = !j;
    if (j) {
        j->host = dup_or_null(fr->host, &fail);
        j->service = dup_or_null(fr->service, &fail);
    }
    if (fail) {
        if (j)
            job_free(j);
        return gai_finish(fr, -ENOMEM);
    }
    if (fr->hints) {
        /* only the fields getaddrinfo reads from hints */
        j->hints.ai_flags = fr->hints->ai_flags;
        j->hints.ai_family = fr->hints->ai_family;
        j->hints.ai_socktype = fr->hints->ai_socktype;
        j->hints.ai_protocol = fr->hints->ai_protocol;
        j->has_hints = true;
    }
    j->fn = hook ? hook : getaddrinfo;
    j->loop = acc__running_loop();
    j->task = acc__current();
    j->post.fn = job_done;
    j->post.arg = j;
    j->post.owned = false;
    pthread_attr_t at;
    int e = pthread_attr_init(&at);
    if (e == 0) {
        pthread_attr_setstacksize(&at, 256 * 1024);
        atomic_fetch_add(&inflight, 1);
        e = pthread_create(&j->thread, &at, job_run, j);
        if (e != 0)
            atomic_fetch_sub(&inflight, 1);
        pthread_attr_destroy(&at);
    }
    if (e != 0) {
        job_free(j);
        return gai_finish(fr, -e);
    }
    fr->job = j;
    fr->hdr.acc__state = 1;
    return ACC__PENDING;
}

static int gai_resume(acc_frame *f) {
    gai_frame *fr = (gai_frame *)f;
    if (f->acc__state == 0)
        return gai_start(fr);
    if (f->acc__state != 1)
        return ACC__DONE;
    gai_job *j = fr->job;
    if (j->finished) {
        int st = acc__gai_status(j->rc);
        if (st == 0) {
            *fr->out = j->res;
            j->res = NULL;
        }
        job_join(j, j->thread);
        return gai_finish(fr, st);
    }
    if (!acc__task_cancelled(acc__current()))
        return ACC__PENDING;
    /* give up: whoever holds the job last (its thread, which leaves it to
     * the reaper, or the completion already in the loop's inbox) frees it */
    pthread_mutex_lock(&job_lock);
    j->abandoned = true;
    pthread_mutex_unlock(&job_lock);
    fr->job = NULL;
    return gai_finish(fr, -ECANCELED);
}

acc_frame *acc_getaddrinfo__acc(int *res, const char *host, const char *service,
                                const struct addrinfo *hints, struct addrinfo **out) {
    gai_frame *fr = ACC__NEW_FRAME(gai_frame, &gai_info, res);
    if (!fr)
        return NULL;
    fr->res = res;
    fr->host = host;
    fr->service = service;
    fr->hints = hints;
    fr->out = out;
    fr->job = NULL;
    return &fr->hdr;
}
