#!/bin/sh
# with_tls_server.sh: runs a fetch sample against an HTTPS delay server.
#
#   with_tls_server.sh CERTS_SH DELAY_SERVER PAGES DELAY_MS PROGRAM
#
# Makes a throwaway CA and a certificate for localhost with CERTS_SH
# (tests/net/tls_certs.sh, the openssl CLI), starts DELAY_SERVER with it on
# 127.0.0.1 and a free port, and runs PROGRAM with the https://localhost
# URLs of pages 0..PAGES-1 and SSL_CERT_FILE naming the CA, as a user would
# trust a private CA.  Exits with PROGRAM's status (77 without openssl).
set -u
certs_sh=$1 server=$2 pages=$3 ms=$4 prog=$5
command -v openssl >/dev/null 2>&1 || { echo "SKIP: the openssl CLI is not installed"; exit 77; }
out=$(mktemp -d) || exit 2
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null && wait $pid 2>/dev/null; rm -rf "$out"' EXIT
sh "$certs_sh" "$out/certs" || exit 2
: >"$out/server" # before the server: the loop below reads it at once
"$server" 0 "$out/certs/server.pem" "$out/certs/server.key" >"$out/server" 2>"$out/server.err" &
pid=$!
. "$(dirname "$0")/../../scripts/listening.sh"
listening "$out/server" $pid || { echo "delay server did not start" >&2; cat "$out/server.err" >&2; exit 2; }
base=$(echo "$base" | sed 's/127\.0\.0\.1/localhost/')
set --
i=0
while [ $i -lt "$pages" ]; do
    set -- "$@" "$base/delay/$ms/$i"
    i=$((i + 1))
done
SSL_CERT_FILE="$out/certs/ca.pem" "$prog" "$@"
