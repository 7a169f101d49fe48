#!/usr/bin/env bash
# A domain's life as xenstored sees it beyond create and destroy, on xensim
# with Debian's xenstore-utils and libxenstore:
#  - shut down but not dying (xensim's SCHEDOP_shutdown, as a guest
#    suspending for `xl save -c` or a migration does): @releaseDomain fires
#    once, the domain's nodes and ring stay, IS_DOMAIN_INTRODUCED says yes,
#    RESUME succeeds, and once resumed the domain works through its ring
#    again; destroying it then releases it for good;
#  - transactions hoarding memory: a guest holding 10 transactions of 2 KB
#    nodes is refused once what they hold reaches its memory quota,
#    xenstored's resident size stays bounded, and aborting gives it back.
#   it_domain_life.sh BUILD_DIR
set -uo pipefail
build=$1
xensim=$build/xensim/bin/xensim
domops=$build/tests/tools/xs-dom-ops
. "$(dirname "$0")/../lib.sh"
run=$(test_dir xs-life)
export XENSIM_SOCKET=$run/xensimd.sock
watcher=
trap '[ -n "$watcher" ] && kill "$watcher" 2>/dev/null
	"$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT

# Wait (10 s at most) until FILE has a line matching RE.
wait_line() {
	for _ in $(seq 200); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	bad "no line /$2/ in $1"
	return 1
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$xspid/status"; }

"$xensim" start --xenstored "$build/daemons/xenstored/xenstored" -v ||
	{ echo "FAIL: start"; exit 1; }
eval "$("$xensim" env)"
xspid=$(cat "$run/xenstored.pid")

# --- shut down, not dying ---
xenstore-watch @releaseDomain > "$run/release" 2>&1 &
watcher=$!
wait_lines "$run/release" 1		# the watch's first event
id=$("$xensim" create --name sleeper -- sh -c '
	xenstore-write data/before 1 && echo READY
	for _ in $(seq 600); do [ -e '"$run"'/go ] && break; sleep 0.05; done
	xenstore-write data/after 2 && echo AFTER-OK
	sleep 600')
wait_line "$run/console.$id.log" '^READY'
"$xensim" shutdown sleeper suspend || bad "xensim shutdown"
wait_lines "$run/release" 2
"$xensim" list | grep -qE "^sleeper +$id .*shutdown \(suspend\)" ||
	bad "xensim list does not show the shutdown: $("$xensim" list)"
wait_line "$run/xenstored.log" "domain $id shut down"
expect 1 0 xenstore-read "/local/domain/$id/data/before"
expect yes 0 "$domops" introduced "$id"
expect "" 0 "$domops" resume "$id"
"$xensim" resume sleeper || bad "xensim resume"
touch "$run/go"
wait_line "$run/console.$id.log" '^AFTER-OK'
expect 2 0 xenstore-read "/local/domain/$id/data/after"
grep -q "domain $id released" "$run/xenstored.log" &&
	bad "the shut-down domain was released"
[ "$(wc -l < "$run/release")" -eq 2 ] ||
	bad "@releaseDomain fired $(wc -l < "$run/release") times, want 2"
# A second shutdown is news again; destroying it releases it.
"$xensim" shutdown sleeper crash || bad "xensim shutdown crash"
wait_lines "$run/release" 3
"$xensim" destroy sleeper
wait_lines "$run/release" 4
wait_line "$run/xenstored.log" "domain $id released"
expect no 0 "$domops" introduced "$id"
expect "xenstore-read: couldn't read path /local/domain/$id/data/before" 1 \
    xenstore-read "/local/domain/$id/data/before"

# --- transactions hoarding memory ---
rss0=$(rss_kb)
id=$("$xensim" create --name hog -- "$domops" txn-hog 10 2000 "$run/hog-go")
wait_line "$run/console.$id.log" '^HELD'
held=$(grep '^HELD' "$run/console.$id.log")
rss1=$(rss_kb)
# xenstore-control links libxenguest, which xensim's libxenctrl subset
# does not satisfy; it needs only the socket.
txmem=$(env -u LD_LIBRARY_PATH /usr/lib/xen-4.17/bin/xenstore-control \
    quota "$id" | sed -n 's/^transaction-memory //p')
touch "$run/hog-go"
wait_line "$run/console.$id.log" '^ABORTED'
rss2=$(rss_kb)
echo "hog: $held, charged $txmem bytes; xenstored resident: ${rss0} kB before," \
    "${rss1} kB holding, ${rss2} kB after the abort"
case $held in
"HELD "*", refused: Cannot allocate memory") ;;
*) bad "want the hog refused for memory, got: $held" ;;
esac
n=$(echo "$held" | sed -n 's/^HELD \([0-9]*\) .*/\1/p')
# The default quota, 2,621,440 bytes, holds some 1,250 nodes of 2,000.
[ -n "$n" ] && [ "$n" -ge 1000 ] && [ "$n" -le 1310 ] ||
	bad "hog held $n nodes, want 1000-1310"
[ "$((rss1 - rss0))" -le 12288 ] ||
	bad "xenstored grew by $((rss1 - rss0)) kB holding the hog's transactions"
# What the abort gives back is checked in the accounting: under ASan
# (tests/run) freed memory sits in its quarantine, so the resident size
# after the abort says nothing; docs/xenstored.md has release-build figures.
grep -qx 'ABORTED ok' "$run/console.$id.log" ||
	bad "after the abort: $(grep ABORTED "$run/console.$id.log")"
# Held, the transactions' bytes were charged in full (the quota is
# 2,621,440, one request may overshoot it); after the abort the hog's new
# transaction took a write, which the quota would have refused had the
# bytes not been given back.
[ -n "$txmem" ] && [ "$txmem" -ge 2400000 ] && [ "$txmem" -le 2700000 ] ||
	bad "transaction-memory while held: $txmem"
"$xensim" destroy hog

kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null; watcher=
xensim_stop "$xensim" "$xspid" "$run/xenstored.log"
if [ "$failures" -ne 0 ]; then
	echo "--- xenstored.log"; grep -v debug "$run/xenstored.log" | tail -n 30
	for f in "$run"/console.*.log; do echo "--- $f"; tail -n 5 "$f"; done
fi
finish
