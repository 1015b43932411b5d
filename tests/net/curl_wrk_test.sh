#!/bin/sh
# curl_wrk_test.sh: acc's HTTP server against real clients.
#
#   curl_wrk_test.sh TEST_SERVER
#
# curl fetches several URLs on one command line (one kept-alive
# connection), posts a body and gets a chunked reply, each compared byte
# for byte; then wrk (when installed) runs 2 s with 10 connections, which
# must all succeed.  Exit 77 (skipped) only when curl is missing.
set -u
server=$1
command -v curl >/dev/null 2>&1 || { echo "SKIP: curl is not installed"; exit 77; }
tmp=$(mktemp -d) || exit 2
: >"$tmp/server.out" # before the server: the loop below reads it at once
"$server" 120 >"$tmp/server.out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../../scripts/listening.sh"
listening "$tmp/server.out" $pid || { echo "FAIL: test server did not start"; cat "$tmp/server.out"; exit 1; }
fail() { echo "FAIL: $*"; cat "$tmp/server.out"; exit 1; }

# 1. twenty requests on one command line: one connection, reused
set --
for i in $(seq 1 20); do set -- "$@" -o "$tmp/h$i" "$base/hello"; done
conns=$(curl -sS -w '%{num_connects}\n' "$@") || fail "curl keep-alive run"
total=$(echo "$conns" | awk '{ s += $1 } END { print s }')
[ "$total" = 1 ] || fail "20 requests took $total connections, want 1"
for i in $(seq 1 20); do [ "$(cat "$tmp/h$i")" = "hello" ] || fail "body $i"; done

# 2. bodies: a chunked reply, sized replies, a POST echoed back
curl -sS -o "$tmp/c" "$base/chunked/100001" -o "$tmp/s" "$base/size/100001" || fail "curl bodies"
cmp -s "$tmp/c" "$tmp/s" || fail "chunked body differs from the sized one"
[ "$(wc -c <"$tmp/c")" -eq 100001 ] || fail "chunked body size"
head -c 300000 /dev/urandom >"$tmp/post"
curl -sS --data-binary @"$tmp/post" -H 'Content-Type: application/octet-stream' -o "$tmp/echo" "$base/echo" ||
    fail "curl post"
cmp -s "$tmp/post" "$tmp/echo" || fail "POST /echo did not come back byte for byte"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$base/nowhere")
[ "$code" = 404 ] || fail "404 expected, got $code"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' a)" "$base/hello")
[ "$code" = 431 ] || fail "431 expected for a 9 KB header, got $code"
code=$(curl -sS -o /dev/null -w '%{http_code}' --http1.0 "$base/hello")
[ "$code" = 200 ] || fail "HTTP/1.0: got $code"
echo "curl: keep-alive, chunked, POST, 404, 431, HTTP/1.0: ok"

# 3. wrk: 2 s, 10 connections
if command -v wrk >/dev/null 2>&1; then
    wrk -t1 -c10 -d2s "$base/hello" >"$tmp/wrk" 2>&1 || fail "wrk failed: $(cat "$tmp/wrk")"
    cat "$tmp/wrk"
    grep -q "Socket errors" "$tmp/wrk" && fail "wrk saw socket errors"
    grep -q "Non-2xx" "$tmp/wrk" && fail "wrk saw non-2xx responses"
    reqs=$(awk '/requests in/ { print $1 }' "$tmp/wrk")
    [ "${reqs:-0}" -gt 100 ] || fail "wrk made only ${reqs:-0} requests"
else
    echo "wrk is not installed: that part is skipped"
fi

curl -sS "$base/quit" >/dev/null || fail "quit"
wait $pid
status=$?
pid=""
cat "$tmp/server.out"
[ $status -eq 0 ] || fail "server exit status $status"
echo "PASS"
