#!/usr/bin/env bash
# The real-Xen tier's probes for corruption, between two simulated domains
# on xensim, where they must pass and must name a deliberate fault:
#  1. ring-probe (a ring on grant-shared pages, no libxenvchan) moves
#     64 MiB each way, every byte checked;
#  2. the same with the client flipping byte 5000000: the server reports
#     that byte as the deliberate 0x5a flip, the client that its peer
#     stopped;
#  3. vchan-xfer with the same flip: named the same way, so that real
#     corruption can never pass for the deliberate one.
#   ring_probe_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
xensim=$build/xensim/bin/xensim
probe=$build/tests/tools/ring-probe
xfer=$build/tests/tools/vchan-xfer
run=$(mktemp -d /tmp/xensim-ring.XXXXXX)
export XENSIM_SOCKET=$run/xensimd.sock
trap '"$xensim" stop >/dev/null 2>&1 || true; rm -rf "$run"' EXIT
fail() {
	echo "ring_probe_test: FAIL: $*"
	for f in "$run"/console.*.log; do
		[ -e "$f" ] && { echo "--- $f"; tail -n 5 "$f"; }
	done
	exit 1
}
# Wait (bounded) until domain $1 is gone; its console then has its verdict.
wait_gone() {
	for _ in $(seq 1200); do
		"$xensim" list | awk '{print $2}' | grep -qx "$1" || return 0
		sleep 0.1
	done
	fail "domain $1 still running after 120 s"
}
says() { grep -qE "$2" "$run/console.$1.log" || fail "domain $1 did not say /$2/"; }

"$xensim" start --xenstored "$build/daemons/xenstored/xenstored" || fail "start"

# Domain ids are handed out in order on a fresh xensim, so each side is
# told the other's id up front (checked).
pair() {	# pair PROG SRV CLI [EXTRA CLIENT ARGS]
	local prog=$1 s=$2 c=$3; shift 3
	[ "$("$xensim" create --name "srv$s" -- "$prog" server --peer "$c" \
	    --path data/probe --bytes 64M)" = "$s" ] || fail "server is not domain $s"
	[ "$("$xensim" create --name "cli$c" -- "$prog" client --peer "$s" \
	    --path "/local/domain/$s/data/probe" --bytes 64M "$@")" = "$c" ] ||
		fail "client is not domain $c"
	wait_gone "$c"; wait_gone "$s"
}

pair "$probe" 1 2
says 1 'sent 67108864 bytes, received 67108864 bytes .* all verified'
says 2 'sent 67108864 bytes, received 67108864 bytes .* all verified'

pair "$probe" 3 4 --corrupt-at 5000000
says 3 'MISMATCH at byte 5000000 of 67108864: .* 1 of the .*a single byte flipped by 0x5a'
says 4 'the peer stopped'

pair "$xfer" 5 6 --corrupt-at 5000000
says 5 'MISMATCH at byte 5000000 of 67108864: .* 1 of the .*a single byte flipped by 0x5a'
grep -hE 'all verified|MISMATCH' "$run"/console.*.log
grep -qE 'Sanitizer|runtime error' "$run"/console.*.log && fail "sanitizer report"
echo "ring_probe_test: PASS"
