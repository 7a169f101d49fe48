#!/usr/bin/env bash
# A thousand simulated domains alive at once, each a small process with its
# xenstore ring (and relay) and console page; then all of them gone.  Prints
# what xensimd itself costs per domain (resident memory, descriptors).
#   scale_test.sh BUILD_DIR [N]
set -euo pipefail
xensim=$1/xensim/bin/xensim
n=${2:-1000}
run=$(mktemp -d /tmp/xensim-scale.XXXXXX)
export XENSIM_SOCKET=$run/xensimd.sock
trap '"$xensim" stop >/dev/null 2>&1 || true; rm -rf "$run"' EXIT
fail() { echo "scale_test: FAIL: $*"; tail -5 "$run/xensimd.log" || true; exit 1; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

"$xensim" start || fail "start"
pid=$(pgrep -f "xensimd --socket $XENSIM_SOCKET" | head -n 1)
before=$(rss_kb "$pid")
fds_before=$(ls "/proc/$pid/fd" | wc -l)
start=$(date +%s%N)
for i in $(seq "$n"); do
	"$xensim" create --name "d$i" --memory 16 -- sleep 599.7 >/dev/null ||
		fail "creating domain $i"
done
ms=$(( ($(date +%s%N) - start) / 1000000 ))
alive=$("$xensim" list | awk 'NR > 1 && $NF == "running"' | wc -l)
[ "$alive" -eq "$n" ] || fail "$alive of $n domains running"
after=$(rss_kb "$pid")
fds_after=$(ls "/proc/$pid/fd" | wc -l)
relays=$(ls "$run" | grep -c '^xenbus\.')
[ "$relays" -eq "$n" ] || fail "$relays xenbus relays for $n domains"
awk -v n="$n" -v ms="$ms" -v a="$after" -v b="$before" -v fa="$fds_after" \
    -v fb="$fds_before" 'BEGIN { printf "scale_test: %d domains alive, " \
    "created in %.1f s; xensimd: %d KiB RSS (+%.1f KiB per domain), " \
    "%d descriptors (+%.1f per domain)\n", n, ms / 1000, a, (a - b) / n, \
    fa, (fa - fb) / n }'
"$xensim" destroy d1
"$xensim" stop || fail "stop"
# Killed processes may take a moment to be reaped on a busy machine.
for _ in $(seq 100); do
	left=$(pgrep -fc 'sleep 599.7' || true)
	[ "${left:-0}" -eq 0 ] && break
	sleep 0.1
done
[ "${left:-0}" -eq 0 ] || fail "$left domain processes outlived xensim"
echo "scale_test: PASS"
