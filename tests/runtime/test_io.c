/*
 * test_io.c: descriptor awaits: pipes through acc_read/acc_write (a big
 * write that must wait for the reader), readiness, and a TCP echo over
 * loopback with acc_tcp_listen, acc_accept, acc_tcp_connect.
 */
#define _GNU_SOURCE
#include "coros.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BIG (1 << 20)
static char out[BIG], in[BIG];
static int pfd[2];

typedef struct rd_frame {
    acc_frame hdr;
    int *res;
    size_t got;
    ssize_t n;
} rd_frame;
ACCT_FN(rd);

static int rd_resume(acc_frame *f) {
    rd_frame *fr = (rd_frame *)f;
    ACCT_BEGIN(fr);
    for (fr->got = 0;;) {
        ACCT_AWAIT(fr, 1, acc_read__acc(&fr->n, pfd[0], in + fr->got, BIG - fr->got));
        if (fr->n <= 0)
            break;
        fr->got += (size_t)fr->n;
    }
    ACCT_RETURN(fr, (int)fr->got);
    ACCT_END;
}

ACCT_MAIN(m_pipe) {
    ACCT_BEGIN(fr);
    assert_int_equal(pipe2(pfd, O_NONBLOCK | O_CLOEXEC), 0);
    for (int i = 0; i < BIG; i++)
        out[i] = (char)(i * 31 + 7);
    {
        rd_frame *r = ACCT_NEW(rd_frame, rd);
        r->res = &fr->r[0];
        fr->t[0] = acc_spawn(&r->hdr);
    }
    {
        static ssize_t wrote;
        ACCT_AWAIT(fr, 1, acc_write__acc(&wrote, pfd[1], out, BIG));
        assert_int_equal(wrote, BIG);
    }
    close(pfd[1]);
    ACCT_AWAIT(fr, 2, acc_join__acc(&fr->st, fr->t[0]));
    assert_int_equal(fr->r[0], BIG);
    assert_memory_equal(in, out, BIG);
    close(pfd[0]);
    /* readiness */
    assert_int_equal(pipe2(pfd, O_NONBLOCK | O_CLOEXEC), 0);
    ACCT_AWAIT(fr, 3, acc_writable__acc(&fr->st, pfd[1]));
    assert_int_equal(fr->st, 0);
    assert_int_equal(write(pfd[1], "x", 1), 1);
    ACCT_AWAIT(fr, 4, acc_readable__acc(&fr->st, pfd[0]));
    assert_int_equal(fr->st, 0);
    close(pfd[0]);
    close(pfd[1]);
    ACCT_AWAIT(fr, 5, acc_readable__acc(&fr->st, -1));
    assert_int_equal(fr->st, -EBADF);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_pipe(void **state) {
    (void)state;
    assert_int_equal(acc_run(m_pipe__acc(NULL)), 0);
    ACCT_NO_LEAKS();
}

/* ---- TCP echo ------------------------------------------------------------ */

static int lfd, port;

typedef struct srv_frame {
    acc_frame hdr;
    int *res;
    int fd;
    ssize_t n;
    char buf[64];
} srv_frame;
ACCT_FN(srv);

static int srv_resume(acc_frame *f) {
    srv_frame *fr = (srv_frame *)f;
    ACCT_BEGIN(fr);
    ACCT_AWAIT(fr, 1, acc_accept__acc(&fr->fd, lfd, NULL, NULL));
    assert_true(fr->fd >= 0);
    ACCT_AWAIT(fr, 2, acc_read__acc(&fr->n, fr->fd, fr->buf, sizeof fr->buf));
    assert_true(fr->n > 0);
    ACCT_AWAIT(fr, 3, acc_write__acc(&fr->n, fr->fd, fr->buf, (size_t)fr->n));
    close(fr->fd);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

ACCT_MAIN(m_tcp) {
    static char buf[64];
    static ssize_t n;
    ACCT_BEGIN(fr);
    lfd = acc_tcp_listen("127.0.0.1", 0, 16);
    assert_true(lfd >= 0);
    {
        struct sockaddr_in sa;
        socklen_t len = sizeof sa;
        assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
        port = ntohs(sa.sin_port);
    }
    {
        srv_frame *s = ACCT_NEW(srv_frame, srv);
        s->res = NULL;
        fr->t[0] = acc_spawn(&s->hdr);
    }
    ACCT_AWAIT(fr, 1, acc_tcp_connect__acc(&fr->n, "127.0.0.1", port));
    assert_true(fr->n >= 0);
    ACCT_AWAIT(fr, 2, acc_write__acc(&n, fr->n, "hello", 5));
    assert_int_equal(n, 5);
    ACCT_AWAIT(fr, 3, acc_read__acc(&n, fr->n, buf, sizeof buf));
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "hello", 5);
    close(fr->n);
    ACCT_AWAIT(fr, 4, acc_join__acc(&fr->st, fr->t[0]));
    assert_int_equal(fr->st, 0);
    close(lfd);
    /* Nobody listens there any more. */
    ACCT_AWAIT(fr, 5, acc_tcp_connect__acc(&fr->st, "127.0.0.1", port));
    assert_int_equal(fr->st, -ECONNREFUSED);
    assert_int_equal(acc_tcp_listen("127.0.0.1", 70000, 1), -EINVAL);
    ACCT_RETURN(fr, 0);
    ACCT_END;
}

static void test_tcp_echo(void **state) {
    (void)state;
    assert_int_equal(acc_run(m_tcp__acc(NULL)), 0);
    ACCT_NO_LEAKS();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pipe),
        cmocka_unit_test(test_tcp_echo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
