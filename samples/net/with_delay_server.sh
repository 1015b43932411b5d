#!/bin/sh
# with_delay_server.sh: runs a fetch sample against a delay server of its own.
#
#   with_delay_server.sh DELAY_SERVER PAGES DELAY_MS PROGRAM
#
# Starts DELAY_SERVER on 127.0.0.1 and a free port, runs PROGRAM with the
# URLs of pages 0..PAGES-1 (each answered after DELAY_MS ms), stops the
# server and exits with PROGRAM's status.
set -u
server=$1 pages=$2 ms=$3 prog=$4
out=$(mktemp -d) || exit 2
: >"$out/server" # before the server: the loop below reads it at once
"$server" 0 >"$out/server" 2>"$out/server.err" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$out"' EXIT
. "$(dirname "$0")/../../scripts/listening.sh"
listening "$out/server" $pid || { echo "delay server did not start" >&2; cat "$out/server.err" >&2; exit 2; }
set --
i=0
while [ $i -lt "$pages" ]; do
    set -- "$@" "$base/delay/$ms/$i"
    i=$((i + 1))
done
"$prog" "$@"
status=$?
exit $status
