#!/usr/bin/env bash
# Differential test: Shoal's xenstored and Debian's C xenstored (Xen
# 4.17) side by side, each under its own xensim with the same two guest
# domains, driven in lock step by xs_diff.py as dom0 (each daemon's
# socket) and as the guests (each xensim's xenbus relay sockets).  Any
# difference not listed in docs/xenstored.md ("Differences from C
# xenstored") fails.
#   it_diff.sh BUILD_DIR [xs_diff.py options...]
# XS_DIFF_SEED, XS_DIFF_SEQUENCES and XS_DIFF_TIME override the defaults
# (seed 1, so that CI is repeatable: XS_DIFF_SEED=$RANDOM explores;
# 400 sequences, 60 s).
set -euo pipefail
build=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
xensim=$build/xensim/bin/xensim
cxsd=${SHOAL_XEN_BIN:-/usr/lib/xen-4.17/bin}/xenstored
shim=$build/bench/libxsdshim.so
for f in "$cxsd" "$shim" "$build/daemons/xenstored/xenstored"; do
	[ -e "$f" ] || { echo "SKIP: $f missing"; exit 77; }
done
run=$(test_dir xs-diff)
mkdir -p "$run/shoal" "$run/c"

stop_all() {
	for side in shoal c; do
		XENSIM_SOCKET=$run/$side/xensimd.sock "$xensim" stop \
		    >/dev/null 2>&1 || true
	done
}
# XS_DIFF_KEEP=1 keeps the logs.
trap 'stop_all; [ -n "${XS_DIFF_KEEP:-}" ] && echo "kept $run" || rm -rf "$run"' EXIT

# One xensim per daemon, each with guests g1 (domid 1) and g2 (domid 2)
# that only wait: xs_diff.py speaks for them through their relays.
start_side() {	# start_side NAME XENSTORED-COMMAND...
	local side=$1 g
	shift
	XENSIM_SOCKET=$run/$side/xensimd.sock "$xensim" start --xenstored "$@" ||
	    { echo "FAIL: xensim start for $side"; cat "$run/$side"/*.log; exit 1; }
	for g in g1 g2; do
		XENSIM_SOCKET=$run/$side/xensimd.sock "$xensim" create --name "$g" \
		    -- sleep 3600 >/dev/null ||
		    { echo "FAIL: create $g for $side"; exit 1; }
	done
}
# No RPC helper: its registration nodes would be a difference in the tree.
start_side shoal "$build/daemons/xenstored/xenstored" -v --no-rpc
# Debian's xenstored needs dom0's xenfs files: the benchmark's shim.
start_side c env XENSTORED_RUNDIR="$run/c" LD_PRELOAD="$shim" "$cxsd" -N

for side in shoal c; do
	for f in xenstored.sock xenbus.1 xenbus.2; do
		[ -S "$run/$side/$f" ] || { bad=1; echo "FAIL: no $side/$f"; }
	done
done
[ -z "${bad:-}" ] || exit 1

rc=0
python3 "$here/xs_diff.py" --shoal "$run/shoal" --c "$run/c" --guests 1,2 \
    --seed "${XS_DIFF_SEED:-1}" \
    --sequences "${XS_DIFF_SEQUENCES:-400}" --time "${XS_DIFF_TIME:-60}" \
    "$@" || rc=$?
[ "$rc" -eq 0 ] || failures=$((failures + 1))

# Both daemons still alive and well after it all.
for side in shoal c; do
	pid=$(cat "$run/$side/xenstored.pid")
	kill -0 "$pid" 2>/dev/null || {
		echo "FAIL: $side's xenstored died"; failures=$((failures + 1)); }
done
shoal_pid=$(cat "$run/shoal/xenstored.pid")
stop_all
# xensim stop sent SIGTERM; the sanitizers report at exit.
for _ in $(seq 200); do kill -0 "$shoal_pid" 2>/dev/null || break; sleep 0.05; done
if grep -qE 'Sanitizer|runtime error' "$run/shoal/xenstored.log"; then
	echo "FAIL: sanitizer report in Shoal's log:"
	grep -E -A20 'Sanitizer|runtime error' "$run/shoal/xenstored.log" | head -40
	failures=$((failures + 1))
fi
finish
