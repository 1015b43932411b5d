/*
 * sleepers.c: memory and time for N concurrently sleeping tasks.
 *
 *     acc_bench_sleepers [N]        (default 1,000,000)
 *
 * Spawns N tasks, each running the hand-written equivalent of
 *     async void sleeper(void) { await acc_sleep(1.0); }
 * and waits until all have woken.  Prints the wall time, the peak RSS
 * (getrusage ru_maxrss) and the RSS growth per task.
 */
#define _GNU_SOURCE
#include <acc.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static long remaining;
static acc_event all_woke;

/* The frame acc generates for sleeper(): the header and one await temp. */
typedef struct sleeper_frame {
    acc_frame hdr;
    int tmp;
} sleeper_frame;

static int sleeper_resume(acc_frame *f);
static const acc_fninfo sleeper_info = {sleeper_resume, "sleeper", "sleepers.ac", NULL, 0};

static int sleeper_resume(acc_frame *f) {
    sleeper_frame *fr = (sleeper_frame *)f;
    switch (f->state) {
    case 0:
        f->state = 1;
        if (acc__await(f, acc_sleep__acc(&fr->tmp, 1.0)))
            return ACC__PENDING;
        /* fall through */
    case 1:
        if (--remaining == 0)
            acc_event_set(&all_woke);
    }
    return ACC__DONE;
}

typedef struct main_frame {
    acc_frame hdr;
    long n, i;
    int tmp;
} main_frame;

static int main_resume(acc_frame *f);
static const acc_fninfo main_info = {main_resume, "bench_main", "sleepers.ac", NULL, 0};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kb(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static double t_spawned;

static int main_resume(acc_frame *f) {
    main_frame *fr = (main_frame *)f;
    switch (f->state) {
    case 0:
        for (fr->i = 0; fr->i < fr->n; fr->i++) {
            acc_frame *s = acc__frame_new(sizeof(sleeper_frame), &sleeper_info);
            acc_task *t = s ? acc_spawn(s) : NULL;
            if (!t) {
                fprintf(stderr, "out of memory after %ld tasks\n", fr->i);
                exit(1);
            }
            acc_detach(t);
        }
        t_spawned = now();
        f->state = 1;
        if (acc__await(f, acc_event_wait__acc(&fr->tmp, &all_woke)))
            return ACC__PENDING;
        /* fall through */
    case 1:
        break;
    }
    return ACC__DONE;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    if (n <= 0)
        n = 1;
    remaining = n;
    acc_event_init(&all_woke);
    long base_kb = rss_kb();
    double t0 = now();
    main_frame *fr = (main_frame *)acc__frame_new(sizeof *fr, &main_info);
    if (!fr)
        return 1;
    fr->n = n;
    int st = acc_run(&fr->hdr);
    double t1 = now();
    long peak_kb = rss_kb();
    printf("tasks:          %ld\n", n);
    printf("status:         %s\n", acc_strerror(st));
    printf("spawn time:     %.3f s\n", t_spawned - t0);
    printf("wall time:      %.3f s (each task sleeps 1.0 s)\n", t1 - t0);
    printf("peak RSS:       %.1f MB\n", (double)peak_kb / 1024.0);
    printf("bytes per task: %.1f\n", (double)(peak_kb - base_kb) * 1024.0 / (double)n);
    return st == 0 ? 0 : 1;
}
