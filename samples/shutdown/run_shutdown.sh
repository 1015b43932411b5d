#!/bin/bash
# run_shutdown.sh PROGRAM SIGNAL: starts the shutdown sample, talks to it
# through one connection (bash's /dev/tcp), sends it SIGNAL (INT or TERM)
# while that connection is open, and checks that the connection is closed
# by the server, the exit status is 0 and the output is exactly right.
set -u
prog=$1 sig=$2
out=$(mktemp) || exit 2
trap 'rm -f "$out"; [ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null' EXIT
"$prog" >"$out" 2>&1 &
pid=$!
port=
for _ in $(seq 1 600); do # up to 60 s on a loaded machine
    port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$out")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: no listening line"; cat "$out"; exit 1; }
exec 3<>"/dev/tcp/127.0.0.1/$port" || { echo "FAIL: cannot connect"; exit 1; }
echo "ping" >&3
IFS= read -r -t 60 line <&3
[ "$line" = "ping" ] || { echo "FAIL: echo gave '$line'"; exit 1; }
kill -s "$sig" "$pid"
# the server closes our connection: end of file
if IFS= read -r -t 60 rest <&3; then echo "FAIL: read '$rest' instead of end of file"; exit 1; fi
exec 3<&-
wait "$pid"
status=$?
pid=
[ "$status" -eq 0 ] || { echo "FAIL: exit status $status"; cat "$out"; exit 1; }
want=$(printf 'listening on 127.0.0.1:%s\nSIG%s: shutting down, 1 connection(s) open\nclosed: served 1 connection(s), acceptor 0\n' "$port" "$sig")
if [ "$(cat "$out")" != "$want" ]; then
    echo "FAIL: output differs"; echo "--- expected:"; echo "$want"; echo "--- got:"; cat "$out"; exit 1
fi
echo PASS
