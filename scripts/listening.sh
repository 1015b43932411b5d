# listening.sh: sourced by the scripts that start one of our test servers
# (tests/net/*.sh, samples/net/with_*_server.sh).  `listening OUT PID`
# waits until the server started as PID prints "listening on BASE" into the
# file OUT and sets $base to BASE; it returns 1 when the server exits
# first.  There is no tight limit (under valgrind on a loaded machine a
# server starts late): it gives up after two minutes.
listening() {
    base=""
    for _ in $(seq 1 2400); do
        base=$(sed -n 's/^listening on //p' "$1")
        [ -n "$base" ] && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}
