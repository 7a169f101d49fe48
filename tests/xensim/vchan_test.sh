#!/usr/bin/env bash
# Debian's unmodified libxenvchan between two simulated domains on xensim,
# through Shoal's xenstored (domain rings, via xensim's xenbus relay):
#  1. 1 GiB each way at once, stream mode, every byte checked by both ends;
#  2. the same in packet mode;
#  3. a domain SIGKILLed mid-transfer: the peer must say the peer is gone,
#     within seconds, and xensimd must be back to the descriptors it had.
#   vchan_test.sh BUILD_DIR [BYTES]
set -euo pipefail
build=$1 bytes=${2:-1G}
xensim=$build/xensim/bin/xensim
xfer=$build/tests/tools/vchan-xfer
run=$(mktemp -d /tmp/xensim-vchan.XXXXXX)
export XENSIM_SOCKET=$run/xensimd.sock
trap '"$xensim" stop >/dev/null 2>&1 || true; rm -rf "$run"' EXIT
fail() {
	echo "vchan_test: FAIL: $*"
	for f in "$run"/console.*.log "$run"/xenstored.log; do
		[ -e "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
	done
	exit 1
}
fds() { ls "/proc/$(pgrep -f "xensimd --socket $XENSIM_SOCKET" | head -n 1)/fd" | wc -l; }
# Wait (bounded) until domain $1 is gone; its console then has its verdict.
wait_gone() {
	for _ in $(seq 1200); do
		"$xensim" list | awk '{print $2}' | grep -qx "$1" || return 0
		sleep 0.1
	done
	fail "domain $1 still running after 120 s"
}

"$xensim" start --xenstored "$build/daemons/xenstored/xenstored" || fail "start"
base_fds=$(fds)

# Domain ids are handed out in order on a fresh xensim: server 1, client 2
# (checked), so each can be told the other's id up front.
pair() {	# pair MODE SRV CLI [EXTRA CLIENT ARGS]
	local mode=$1 s=$2 c=$3; shift 3
	[ "$("$xensim" create --name "srv-$mode" -- "$xfer" server --peer "$c" \
	    --path data/vchan --bytes "$bytes" --mode "$mode")" = "$s" ] ||
		fail "server domain is not $s"
	[ "$("$xensim" create --name "cli-$mode" -- "$xfer" client --peer "$s" \
	    --path "/local/domain/$s/data/vchan" --bytes "$bytes" --mode "$mode" \
	    "$@")" = "$c" ] || fail "client domain is not $c"
}
verified() { grep -q "$2 mode: sent .* all verified" "$run/console.$1.log" ||
	fail "domain $1 did not verify its $2 transfer"; }

pair stream 1 2
wait_gone 2; wait_gone 1
verified 1 stream; verified 2 stream
grep -h 'all verified' "$run"/console.[12].log

pair packet 3 4
wait_gone 4; wait_gone 3
verified 3 packet; verified 4 packet
grep -h 'all verified' "$run"/console.[34].log

# SIGKILL the server mid-transfer: the client must see it go.
pair stream 5 6 --timeout 20
for _ in $(seq 100); do
	grep -q connected "$run/console.6.log" 2>/dev/null && break
	sleep 0.1
done
# Connected: the stream is under way (it is far larger than one ring).
kill -9 "$("$xensim" list | awk '$2 == 5 {print $3}')" || fail "no server process to kill"
start=$(date +%s)
wait_gone 6
took=$(( $(date +%s) - start ))
grep -qE 'peer (gone|closed)' "$run/console.6.log" ||
	fail "the client did not report its peer gone"
grep -hE 'peer (gone|closed)' "$run/console.6.log"
[ "$took" -le 10 ] || fail "the client took ${took}s to notice"
wait_gone 5
# xensimd closes a dead domain's descriptors as it reaps it.
for _ in $(seq 100); do [ "$(fds)" -eq "$base_fds" ] && break; sleep 0.05; done
[ "$(fds)" -eq "$base_fds" ] ||
	fail "xensimd holds $(fds) descriptors, $base_fds before the domains"
echo "vchan_test: PASS (peer loss noticed in ${took}s, no descriptors left over)"
