# nginx_start.sh: sourced by the tests that run nginx (nginx_test.sh,
# tls_test.sh).  `nginx_start TEMPLATE` writes $tmp/nginx.conf from TEMPLATE
# (@PREFIX@ -> $tmp, @CERTS@ -> $tmp/certs, @PORT@ and @PORT1@ -> a port
# chosen at random, @PORT2@ and @PORT3@ -> the two after it), starts nginx
# in the foreground and returns 0 once it has written its pid file (it has
# bound its ports by then), with $port and $pid set.  A port that is taken
# makes nginx exit at once: another port is tried, five in all.  The wait
# has no tight limit (a loaded machine starts nginx late); nginx that has
# not started after a minute is killed.
nginx_start() {
    _template=$1
    for _attempt in 1 2 3 4 5; do
        port=$(( 20000 + ($$ * 7 + _attempt * 7919 + $(date +%N | sed 's/^0*//;s/^$/0/') ) % 40000 ))
        sed -e "s|@PREFIX@|$tmp|g" -e "s|@CERTS@|$tmp/certs|g" -e "s|@PORT@|$port|g" \
            -e "s|@PORT1@|$port|g" -e "s|@PORT2@|$((port + 1))|g" -e "s|@PORT3@|$((port + 2))|g" \
            "$_template" >"$tmp/nginx.conf"
        rm -f "$tmp/nginx.pid"
        nginx -e "$tmp/error.log" -p "$tmp" -c "$tmp/nginx.conf" &
        pid=$!
        for _ in $(seq 1 600); do
            [ -s "$tmp/nginx.pid" ] && return 0
            kill -0 $pid 2>/dev/null || break
            sleep 0.1
        done
        kill $pid 2>/dev/null
        wait $pid 2>/dev/null
        pid=""
    done
    return 1
}
