#!/bin/sh
# nginx_test.sh: acc's HTTP client against nginx (Debian's package).
#
#   nginx_test.sh HTTP_CHECK NGINX_CONF_IN
#
# Starts nginx in the foreground on 127.0.0.1 and a free high port, with
# a temporary prefix holding static files of known sizes (0 B to 3 MB,
# random bytes) and SSI pages that nginx sends chunked; http_check fetches
# them all, concurrently and then over kept-alive connections, and compares
# every body byte for byte.  Exit 77 (skipped) only when nginx is not
# installed and cannot be installed.
set -u
check=$1 conf_in=$2
if ! command -v nginx >/dev/null 2>&1 && [ -x /usr/sbin/nginx ]; then PATH=$PATH:/usr/sbin; fi
if ! command -v nginx >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 ||
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null 2>&1
    fi
    PATH=$PATH:/usr/sbin
    command -v nginx >/dev/null 2>&1 || { echo "SKIP: nginx is not installed and could not be installed"; exit 77; }
fi
tmp=$(mktemp -d) || exit 2
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; [ -n "$pid" ] && wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/html/ssi" "$tmp/tmp"
set --
for size in 0 1 1000 65536 1000000 3000001; do
    head -c $size /dev/urandom >"$tmp/html/f$size.bin"
done
# text pages for SSI (it parses them, so no random bytes; no directives inside)
for lines in 1 100 20000; do
    awk -v n=$lines 'BEGIN { for (i = 0; i < n; i++) printf "line %d of a page nginx sends chunked\n", i }' \
        >"$tmp/html/ssi/p$lines.html"
done

. "$(dirname "$0")/nginx_start.sh"
if ! nginx_start "$conf_in"; then
    echo "FAIL: nginx did not start"; cat "$tmp/error.log" 2>/dev/null
    exit 1
fi
base="http://127.0.0.1:$port"
set --
for size in 0 1 1000 65536 1000000 3000001; do
    set -- "$@" "$base/f$size.bin=$tmp/html/f$size.bin"
done
for lines in 1 100 20000; do
    set -- "$@" "chunked:$base/ssi/p$lines.html=$tmp/html/ssi/p$lines.html"
done
echo "nginx $(nginx -v 2>&1 | sed 's/.*\///') on $base"
"$check" "$@"
status=$?
[ $status -eq 0 ] && echo "PASS"
exit $status
