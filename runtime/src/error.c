/*
 * error.c: acc_strerror, names for the statuses the runtime returns.
 */
#include "acc_int.h"

const char *acc_strerror(int status) {
    switch (-status) {
    case 0: return "success";
    case ECANCELED: return "cancelled";
    case ETIMEDOUT: return "timed out";
    case ENOMEM: return "out of memory";
    case EAGAIN: return "resource temporarily unavailable";
    case EINVAL: return "invalid argument";
    case EBUSY: return "loop already running";
    case EDEADLK: return "a task cannot join itself";
    case EBADF: return "bad file descriptor";
    case ESHUTDOWN: return "event loop is closed";
    case ENOENT: return "name not found";
    case ECONNREFUSED: return "connection refused";
    case ECONNRESET: return "connection reset by peer";
    case EPIPE: return "broken pipe";
    default: return status < 0 ? strerror(-status) : "unknown status";
    }
}
