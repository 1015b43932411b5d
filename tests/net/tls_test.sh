#!/bin/sh
# tls_test.sh: acc_net's TLS against real peers, all on 127.0.0.1 with ports
# chosen at run time.
#
#   tls_test.sh MODE WORKDIR HERE TLS_TEST TEST_SERVER [WRAPPER...]
#
# Makes a throwaway PKI with the openssl CLI (tls_certs.sh) in a fresh
# directory under WORKDIR (the build tree), then by MODE:
#   local  tls_test against our own TLS server (and misbehaving peers);
#   nginx  nginx started here with three certificates (from the test CA,
#          self-signed, for another name): verified fetches with the CA in
#          SSL_CERT_FILE, and the refusals;
#   curl   curl against our TLS server (test_server with a certificate).
# WRAPPER (valgrind ...) runs our programs.  The directory (config, pid,
# logs) is removed on success and kept on failure.  Exit 77 (skipped) when
# openssl, nginx or curl is missing and cannot be installed.
set -u
mode=$1 workdir=$2 here=$3 tls_test=$4 server=$5
shift 5
command -v openssl >/dev/null 2>&1 || { echo "SKIP: the openssl CLI is not installed"; exit 77; }
mkdir -p "$workdir"
tmp=$(mktemp -d "$workdir/tls-$mode.XXXXXX") || exit 2
pid=""
status=1
cleanup() {
    [ -n "$pid" ] && kill $pid 2>/dev/null && wait $pid 2>/dev/null
    if [ $status -eq 0 ]; then rm -rf "$tmp"; else echo "(kept $tmp)"; fi
}
trap cleanup EXIT
sh "$here/tls_certs.sh" "$tmp/certs" || { echo "FAIL: openssl could not make the test certificates"; exit 1; }
fail() { echo "FAIL: $*"; [ -f "$tmp/server.out" ] && cat "$tmp/server.out"; exit 1; }
unset SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE

case $mode in
local)
    "$@" "$tls_test" local "$tmp/certs" || fail "tls_test local"
    ;;
nginx)
    if ! command -v nginx >/dev/null 2>&1; then PATH=$PATH:/usr/sbin; fi
    command -v nginx >/dev/null 2>&1 || { status=77; echo "SKIP: nginx is not installed"; exit 77; }
    mkdir -p "$tmp/html" "$tmp/tmp"
    for size in 0 1 65536 1000000; do
        head -c $size /dev/urandom >"$tmp/html/f$size.bin"
        cp "$tmp/html/f$size.bin" "$tmp/certs/"
    done
    awk 'BEGIN { for (i = 0; i < 20000; i++) printf "line %d of a text nginx sends gzipped\n", i }' >"$tmp/html/t.txt"
    cp "$tmp/html/t.txt" "$tmp/certs/"
    . "$here/nginx_start.sh"
    nginx_start "$here/nginx_tls.conf.in" || { cat "$tmp/error.log" 2>/dev/null; fail "nginx did not start"; }
    p=$port
    echo "nginx $(nginx -v 2>&1 | sed 's/.*\///') on https://127.0.0.1:$p (and $((p + 1)), $((p + 2)))"
    SSL_CERT_FILE="$tmp/certs/ca.pem" "$@" "$tls_test" nginx "$tmp/certs" "https://localhost:$p" \
        "https://localhost:$((p + 1))" "https://localhost:$((p + 2))" || fail "tls_test nginx"
    ;;
curl)
    command -v curl >/dev/null 2>&1 || { status=77; echo "SKIP: curl is not installed"; exit 77; }
    : >"$tmp/server.out" # before the server: the loop below reads it at once
    "$@" "$server" 120 "$tmp/certs/server.pem" "$tmp/certs/server.key" >"$tmp/server.out" 2>&1 &
    pid=$!
    . "$here/../../scripts/listening.sh"
    listening "$tmp/server.out" $pid || fail "test server did not start"
    ca="$tmp/certs/ca.pem"
    set --
    for i in $(seq 1 20); do set -- "$@" -o "$tmp/h$i" "$base/hello"; done
    conns=$(curl -sS --cacert "$ca" -w '%{num_connects}\n' "$@") || fail "curl keep-alive run"
    total=$(echo "$conns" | awk '{ s += $1 } END { print s }')
    [ "$total" = 1 ] || fail "20 requests took $total connections, want 1"
    for i in $(seq 1 20); do [ "$(cat "$tmp/h$i")" = "hello" ] || fail "body $i"; done
    curl -sS --cacert "$ca" -o "$tmp/c" "$base/chunked/100001" -o "$tmp/s" "$base/size/100001" || fail "curl bodies"
    cmp -s "$tmp/c" "$tmp/s" || fail "chunked body differs from the sized one"
    [ "$(wc -c <"$tmp/c")" -eq 100001 ] || fail "chunked body size"
    head -c 300000 /dev/urandom >"$tmp/post"
    curl -sS --cacert "$ca" --data-binary @"$tmp/post" -o "$tmp/echo" "$base/echo" || fail "curl post"
    cmp -s "$tmp/post" "$tmp/echo" || fail "POST /echo did not come back byte for byte"
    lbase=$(echo "$base" | sed 's/127\.0\.0\.1/localhost/')
    [ "$(curl -sS --cacert "$ca" "$lbase/hello")" = hello ] || fail "curl by name"
    curl -sS -o /dev/null --cacert "$tmp/certs/other_ca.pem" "$base/hello" 2>/dev/null
    rc=$?
    [ $rc -eq 60 ] || fail "curl trusting another CA: exit $rc, want 60 (peer certificate not verified)"
    curl -sS --cacert "$ca" "$base/quit" >/dev/null || fail "curl quit"
    wait $pid || fail "the server did not stop cleanly"
    pid=""
    cat "$tmp/server.out"
    echo "curl over TLS: keep-alive, chunked, POST, by name, refused by another CA: ok"
    ;;
*)
    echo "usage: tls_test.sh local|nginx|curl WORKDIR HERE TLS_TEST TEST_SERVER [WRAPPER...]"; exit 2 ;;
esac
status=0
echo PASS
