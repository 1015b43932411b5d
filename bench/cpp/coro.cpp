// coro.cpp: the C++20 coroutine peer of switch, spawn and await (g++ -O2).
//
// A minimal task type written for the suite, as a C++ programmer would:
// a lazily started coroutine whose final_suspend hands control straight to
// its awaiter (symmetric transfer), a FIFO scheduler for spawned tasks, and
// a one-waiter event whose wait transfers directly to the next ready task.
// Frames come from operator new (glibc malloc), as in any C++ program.
//
//     coro switch|spawn|await [n]
#include <coroutine>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <utility>

#include "../c/bench.h"

struct task {
    struct promise_type {
        int value = 0;
        std::coroutine_handle<> cont; // the awaiter, resumed at the end
        bool detached = false;        // spawned: destroys itself at the end
        task get_return_object() { return task{handle::from_promise(*this)}; }
        std::suspend_always initial_suspend() noexcept { return {}; }
        struct final_awaiter {
            bool await_ready() noexcept { return false; }
            std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept;
            void await_resume() noexcept {}
        };
        final_awaiter final_suspend() noexcept { return {}; }
        void return_value(int v) { value = v; }
        void unhandled_exception() { std::abort(); }
    };
    using handle = std::coroutine_handle<promise_type>;
    handle h;
    explicit task(handle h) : h(h) {}
    task(task &&o) noexcept : h(std::exchange(o.h, {})) {}
    ~task() {
        if (h)
            h.destroy();
    }
    // co_await t: start it, and come back here when it ends (symmetric transfer)
    bool await_ready() { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> me) {
        h.promise().cont = me;
        return h;
    }
    int await_resume() { return h.promise().value; }
};

// The scheduler: spawned tasks and woken waiters, first in first out.
static std::deque<std::coroutine_handle<>> ready;

static std::coroutine_handle<> next_ready() {
    if (ready.empty())
        return std::noop_coroutine();
    auto h = ready.front();
    ready.pop_front();
    return h;
}

std::coroutine_handle<> task::promise_type::final_awaiter::await_suspend(handle h) noexcept {
    auto &p = h.promise();
    if (p.detached) {
        h.destroy();
        return next_ready();
    }
    return p.cont ? p.cont : std::noop_coroutine();
}

static void spawn(task t) {
    t.h.promise().detached = true;
    ready.push_back(std::exchange(t.h, {}));
}

static void run() {
    while (!ready.empty())
        next_ready().resume();
}

// asyncio.Event with one waiter: wait() switches straight to the next ready task.
struct event {
    bool set = false;
    std::coroutine_handle<> waiter;
    void fire() {
        set = true;
        if (waiter)
            ready.push_back(std::exchange(waiter, {}));
    }
    struct awaiter {
        event &e;
        bool await_ready() { return e.set; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<> me) {
            e.waiter = me;
            return next_ready();
        }
        void await_resume() { e.set = false; }
    };
    awaiter wait() { return {*this}; }
};

// ---- switch ----
static event ev[2];
static task player(int me, long rounds) {
    for (long i = 0; i < rounds; i++) {
        co_await ev[me].wait();
        ev[!me].fire();
    }
    co_return 0;
}

// ---- spawn ----
static long done_count;
static task trivial() {
    done_count++;
    co_return 0;
}

// ---- await ----
static task leaf(int x) { co_return x + 1; }
static task chain(int d) {
    if (d == 0)
        co_return 1;
    co_return co_await chain(d - 1) + 1;
}
static task await_main(long n, double *t_leaf, double *t_chain) {
    int x = 0;
    double t0 = bench_now();
    for (long i = 0; i < n; i++)
        x = co_await leaf(x);
    double t1 = bench_now();
    long s = 0;
    for (long i = 0; i < n / 1000; i++)
        s += co_await chain(999);
    double t2 = bench_now();
    *t_leaf = t1 - t0;
    *t_chain = t2 - t1;
    co_return x + (int)s;
}

int main(int argc, char **argv) {
    const char *what = argc > 1 ? argv[1] : "switch";
    long n = bench_arg(argc, argv, 2, 10000000);
    double t0 = bench_now(), per = 1e9 / (double)n;
    if (!strcmp(what, "switch")) {
        spawn(player(0, n / 2));
        spawn(player(1, n / 2));
        ev[0].fire();
        run();
        std::printf("{\"ns_per_op\": %.2f}\n", (bench_now() - t0) * per);
    } else if (!strcmp(what, "spawn")) {
        for (long i = 0; i < n; i += 1000) { // batches of 1000, as in acc
            for (int j = 0; j < 1000; j++)
                spawn(trivial());
            run();
        }
        std::printf("{\"ns_per_op\": %.2f}\n", (bench_now() - t0) * per);
        return done_count == n ? 0 : 1;
    } else {
        double tl = 0, tc = 0;
        task m = await_main(n, &tl, &tc);
        m.h.resume();
        std::printf("{\"ns_per_op\": %.2f, \"chain_ns\": %.2f}\n", tl * per, tc * per);
    }
    return 0;
}
