#!/usr/bin/env bash
# Shoal's xenstored against guests that break their own xenstore ring.
# Each hostile domain is created with a raw xenbus (it owns its ring, as a
# guest kernel does) and runs xs-ring-guest: it first speaks the protocol
# correctly, then moves the request producer far ahead, the response
# consumer past the producer, announces an oversized payload, or sends
# well-framed garbage.  Meanwhile a well-behaved domain (Debian's
# xenstore-utils through xensim's relay) keeps writing and reading.
# Checked after each: the hostile connection was flagged and dropped
# (XENSTORE_ERROR_RINGIDX for index errors) or, for garbage, answered
# message by message and kept; xenstored logged what it caught; the good
# domain and dom0 carry on; xenstored is alive; destroying the hostile
# domain fires @releaseDomain.  A raw domain that stays polite is the
# control: its probe gets a reply, so "no reply" elsewhere means dropped.
#   it_ring_hostile.sh BUILD_DIR
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
build=$1
xensim=$build/xensim/bin/xensim
guest=$build/tests/tools/xs-ring-guest
run=$(test_dir xs-hostile)
export XENSIM_SOCKET=$run/xensimd.sock
trap '"$xensim" stop >/dev/null 2>&1 || true; rm -rf "$run"' EXIT

"$xensim" start --xenstored "$build/daemons/xenstored/xenstored" ||
	{ echo "FAIL: start"; exit 1; }
eval "$("$xensim" env)"
xspid=$(cat "$run/xenstored.pid")

xenstore-watch @releaseDomain > "$run/release" 2>&1 &
watcher=$!
releases() { grep -c '^@releaseDomain' "$run/release" || true; }
for _ in $(seq 100); do [ "$(releases)" -ge 1 ] && break; sleep 0.05; done

good=$("$xensim" create --name good -- sh -c '
	i=0
	while [ ! -e '"$run"'/stop ]; do
		i=$((i + 1))
		if xenstore-write data/n "$i" &&
		    [ "$(xenstore-read data/n)" = "$i" ]; then
			echo "GOOD $i"
		else
			echo "BAD $i"
		fi
		sleep 0.05
	done
	echo DONE; sleep 60')
goods() { grep -c '^GOOD' "$run/console.$good.log" || true; }

# The good domain gets at least three more writes and reads through.
good_goes_on() {
	local n0
	n0=$(goods)
	for _ in $(seq 200); do
		[ "$(goods)" -ge $((n0 + 3)) ] && return 0
		sleep 0.05
	done
	bad "$1: the good domain stalled at $(goods) round trips"
}

# The RESULT line of domain $1, waiting for it.
result() {
	for _ in $(seq 300); do
		grep -m1 '^RESULT' "$run/console.$1.log" 2>/dev/null && return
		sleep 0.05
	done
	echo "no RESULT"
}

# hostile MODE WANT-RESULT-REGEX LOG-REGEX ('' for "nothing dropped")
hostile() {
	local mode=$1 want=$2 logre=$3 id got n
	id=$("$xensim" create --raw-xenbus --name "h-$mode" -- \
	    "$guest" "$mode" "h-$mode")
	got=$(result "$id")
	[[ $got =~ $want ]] || bad "$mode: got '$got', want /$want/"
	if [ -n "$logre" ]; then
		grep -qE "domain $id: $logre" "$run/xenstored.log" ||
			bad "$mode: xenstored logged no /$logre/ for domain $id"
	elif grep -E "domain $id: .*dropping" "$run/xenstored.log"; then
		bad "$mode: xenstored dropped domain $id"
	fi
	kill -0 "$xspid" 2>/dev/null || bad "$mode: xenstored died"
	good_goes_on "$mode"
	xenstore-write "/tool/hostile/$mode" "after-$mode" &&
	    [ "$(xenstore-read "/tool/hostile/$mode")" = "after-$mode" ] ||
		bad "$mode: dom0 cannot write and read"
	n=$(releases)
	"$xensim" destroy "$id"
	for _ in $(seq 200); do
		[ "$(releases)" -gt "$n" ] && break
		sleep 0.05
	done
	[ "$(releases)" -gt "$n" ] || bad "$mode: no @releaseDomain after destroy"
}

for _ in $(seq 200); do [ "$(goods)" -ge 3 ] && break; sleep 0.05; done
[ "$(goods)" -ge 3 ] || bad "the good domain never got going"

ok='baseline=ok features=2'	# XENSTORE_SERVER_FEATURE_ERROR
hostile baseline "^RESULT mode=baseline $ok error=0 reply-after=yes$" ''
hostile req-prod "^RESULT mode=req-prod $ok error=2 reply-after=no$" \
    'bad request producer index'
hostile rsp-cons "^RESULT mode=rsp-cons $ok error=2 reply-after=no$" \
    'bad response consumer index'
# Dropped, with the ring error indicator's XENSTORE_ERROR_PROTO (3).
hostile oversize "^RESULT mode=oversize $ok error=3 reply-after=no$" \
    'payload of 4097 bytes announced'
hostile garbage \
    "^RESULT mode=garbage $ok error=0 reply-after=yes answered=64/64$" ''
# Xen's xenstore-control needs more libxenctrl than xensim's drop-in has.
ctl() { env -u LD_LIBRARY_PATH /usr/lib/xen-4.17/bin/xenstore-control "$@" 2>&1; }
[ "$(ctl check)" = OK ] || bad "the store is inconsistent: $(ctl check)"

touch "$run/stop"
for _ in $(seq 100); do
	grep -q '^DONE' "$run/console.$good.log" && break
	sleep 0.05
done
grep -h '^BAD' "$run/console.$good.log" && bad "the good domain failed a round trip"
last=$(grep '^GOOD' "$run/console.$good.log" | tail -n 1)
[ "GOOD $(xenstore-read /local/domain/"$good"/data/n)" = "$last" ] ||
	bad "dom0 does not read the good domain's last write ($last)"
"$xensim" destroy good
kill "$watcher" 2>/dev/null || true
xensim_stop "$xensim" "$xspid" "$run/xenstored.log"

if [ "$failures" -ne 0 ]; then
	echo "--- xenstored.log"; grep -v debug "$run/xenstored.log" | tail -n 30
	for f in "$run"/console.*.log; do echo "--- $f"; tail -n 5 "$f"; done
	echo "it_ring_hostile: $failures failure(s)"; exit 1
fi
echo "it_ring_hostile: all passed"
