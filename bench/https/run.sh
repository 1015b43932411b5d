#!/bin/sh
# bench/https/run.sh: HTTPS client throughput, acc_net against aiohttp (or,
# without python3-aiohttp, curl's multi interface through `curl --parallel`):
# many small pages over kept-alive TLS connections from one nginx on
# 127.0.0.1 (a free port, a throwaway CA made with the openssl CLI, trusted
# through SSL_CERT_FILE).  Runs interleaved, the median of RUNS.
#
#   bench/https/run.sh BUILD_DIR [N [C [RUNS]]]     (default 20000 requests, 10 connections, 3 runs)
#
# BUILD_DIR holds bench/acc_https_get (a Release build is fair:
# cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$1 n=${2:-20000} conc=${3:-10} runs=${4:-3}
acc=$build/bench/acc_https_get
[ -x "$acc" ] || { echo "no $acc: build the bench target first"; exit 2; }
PATH=$PATH:/usr/sbin
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
sh "$root/tests/net/tls_certs.sh" "$tmp/certs"
mkdir -p "$tmp/html" "$tmp/tmp"
printf 'hello, world\n' >"$tmp/html/index.html"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/nginx.conf" <<CONF
daemon off;
master_process off;
error_log $tmp/error.log warn;
pid $tmp/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $tmp/tmp/body;
    proxy_temp_path $tmp/tmp/proxy;
    fastcgi_temp_path $tmp/tmp/fastcgi;
    uwsgi_temp_path $tmp/tmp/uwsgi;
    scgi_temp_path $tmp/tmp/scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $tmp/certs/server.pem;
        ssl_certificate_key $tmp/certs/server.key;
        root $tmp/html;
    }
}
CONF
nginx -e "$tmp/error.log" -p "$tmp" -c "$tmp/nginx.conf" &
pid=$!
for _ in $(seq 1 50); do [ -s "$tmp/nginx.pid" ] && break; sleep 0.1; done
url="https://localhost:$port/index.html"
export SSL_CERT_FILE="$tmp/certs/ca.pem"

peer=curl py=""
for p in /usr/bin/python3 python3; do # Debian's python3-aiohttp is for Debian's python
    if "$p" -c 'import aiohttp' 2>/dev/null; then peer=aiohttp py=$p; break; fi
done
run_peer() {
    if [ $peer = aiohttp ]; then
        "$py" "$root/bench/py/https_get.py" "$url" "$n" "$conc"
    else
        # curl's multi interface: C transfers at once, reused connections
        i=0; : >"$tmp/urls"
        while [ $i -lt "$n" ]; do echo "url = \"$url\""; echo "output = /dev/null"; i=$((i + 1)); done >"$tmp/urls"
        t0=$(date +%s.%N)
        curl -s --no-progress-meter --parallel --parallel-max "$conc" --cacert "$SSL_CERT_FILE" -K "$tmp/urls"
        t1=$(date +%s.%N)
        echo "requests $n seconds $(echo "$t1 - $t0" | bc) connections $conc bytes $((n * 13))"
    fi
}
echo "HTTPS GET of a 13-byte page from nginx $(nginx -v 2>&1 | sed 's/.*\///'): $n requests, $conc kept-alive TLS connections, $runs runs"
: >"$tmp/acc" ; : >"$tmp/peer"
r=0
while [ $r -lt "$runs" ]; do
    "$acc" "$url" "$n" "$conc" | tee -a "$tmp/acc"
    run_peer | tee -a "$tmp/peer"
    r=$((r + 1))
done
median() { awk '{ print $4 }' "$1" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ma=$(median "$tmp/acc") mp=$(median "$tmp/peer")
echo
echo "| client | median seconds | requests/s |"
echo "|---|---|---|"
awk -v s="$ma" -v n="$n" 'BEGIN { printf "| acc_net (acc_https_get) | %.3f | %.0f |\n", s, n / s }'
awk -v s="$mp" -v n="$n" -v p="$peer" 'BEGIN { printf "| %s | %.3f | %.0f |\n", p == "aiohttp" ? "aiohttp (python3-aiohttp)" : "curl --parallel (multi)", s, n / s }'
awk -v a="$ma" -v p="$mp" 'BEGIN { printf "acc_net is %.2fx the speed of the peer\n", p / a }'
