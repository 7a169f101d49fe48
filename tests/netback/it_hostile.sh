#!/usr/bin/env bash
# netback against frontends that break netif.h's rules, on xensim with
# Shoal's xenstored, each guest a tests/tools/nf-hostile in its own
# domain with a vif (xensim create --vif), netback in dom0 in switch
# mode:
#   bad      five bad packets (crossing their page, 19 slots, a grant
#            ref never made, a GSO of no known type, 13 bytes): each
#            answered with an error and counted by its reason; a good
#            frame after them answered OKAY
#   endless  a chain of 70 slots: the vif shut ("error" in its backend
#            directory, ring_errors 1), the others served
#   index    req_prod 5000 past the consumer: the same
#   mcast    a guest asking for multicast control joins one group: it
#            receives that group and broadcasts, not another group
#   hoard    a guest posting no receive buffers offered 1,000 broadcast
#            frames of 1,000 bytes by another: at most rx-queue-bytes
#            held (the rest dropped as rx-full), then, after
#            rx-stall-ms, dropped as rx-stall and the queue counted
#            stalled
# Also: --check reports a bad configuration as FILE:LINE:COL; SIGHUP
# reloads, and keeps the running configuration when the file is broken.
# netback then ends on SIGTERM with status 0 and no sanitizer report.
#   it_hostile.sh BUILD_DIR
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
build=$1
xensim=$build/xensim/bin/xensim
hostile=$build/tests/tools/nf-hostile
ctl=$build/tools/shoalctl/shoalctl
run=$(test_dir shoal-nbh)
export XENSIM_SOCKET=$run/sim/xensimd.sock
trap 'track_cleanup; "$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT

# The configuration's errors say where: FILE:LINE:COL.
printf '{\n  "mode": "bridge"\n}\n' >"$run/bad.json"
"$build/daemons/netback/netback" --check -c "$run/bad.json" >"$run/check.out" 2>&1
check "--check: a bad mode refused at its place" \
	grep -q "bad.json:2:11: mode" "$run/check.out"
xensim_start "$build" || finish it_hostile
cat >"$run/nb.json" <<'JSON'
{ "mode": "switch", "rx-queue-bytes": 262144, "rx-stall-ms": 1000 }
JSON
"$build/daemons/netback/netback" -c "$run/nb.json" --user root \
	--rpc-socket "$run/nb.sock" >"$run/nb.log" 2>&1 &
nbpid=$!
track "$nbpid"
wait_for 10 grep -q 'serving vifs' "$run/nb.log" || bad "netback did not start"

# guest SCENARIO [ARG...]: a domain running nf-hostile with one vif; its
# id.  Called in a subshell: the count of guests made is kept in a file.
echo 0 >"$run/guests"
guest() {
	local n=$(($(cat "$run/guests") + 1))
	echo "$n" >"$run/guests"
	"$xensim" create --name "h$n-$1" \
		--vif "mac=00:16:3e:00:01:$(printf %02x "$n")" -- "$hostile" "$@"
}
console() { cat "$run/sim/console.$1.log" 2>/dev/null; }
stat_of() {	# stat_of DOMID JQ-PATH
	"$ctl" --socket "$run/nb.sock" --json net.stats |
		jq -r ".vifs[] | select(.domid == $1) | $2"
}
be_error() { xenstore-read "/local/domain/0/backend/vif/$1/0/error" 2>/dev/null; }

# --- bad
g=$(guest bad)
wait_for 20 eval 'console $g | grep -q "^bad:"' || bad "bad: no verdict: $(console $g)"
check "bad: five refused, a good frame taken" \
	eval 'console $g | grep -q "^bad: refused 5 of 5, good ok$"'
for why in size slots grant extra; do
	[ "$(stat_of "$g" ".drops[\"$why\"]")" -ge 1 ] 2>/dev/null ||
		bad "bad: drops.$why is $(stat_of "$g" ".drops[\"$why\"]")"
done
[ "$(stat_of "$g" .tx_packets)" = 1 ] || bad "bad: tx_packets $(stat_of "$g" .tx_packets), not 1"

# --- endless, index: shut, the reason said
for s in endless index; do
	h=$(guest $s)
	wait_for 20 eval '[ -n "$(be_error $h)" ]' || bad "$s: no error key"
	check "$s: the vif shut, counted" \
		eval '[ "$(stat_of $h .ring_errors)" = 1 ]'
	echo "ok: $s: $(be_error "$h")"
done

# --- hoard
hoarder=$(guest hoard)
wait_for 20 eval 'console $hoarder | grep -q "^done hoard"' || bad "hoard: not connected"
f=$(guest flood 1000)
wait_for 60 eval 'console $f | grep -q "^flood: 1000 sent"' ||
	bad "flood: $(console $f | tail -2)"
wait_for 20 eval '[ "$(stat_of $hoarder .stalls)" = 1 ]' ||
	bad "hoard: stalls $(stat_of "$hoarder" .stalls), not 1"
full=$(stat_of "$hoarder" '.drops["rx-full"]')
stall=$(stat_of "$hoarder" '.drops["rx-stall"]')
# 262,144 bytes hold 262 frames of 1,000: the rest are rx-full.
[ "${full:-0}" -ge 700 ] || bad "hoard: rx-full $full, not >= 700"
[ "${stall:-0}" -ge 200 ] || bad "hoard: rx-stall $stall, not >= 200"
[ $((full + stall)) -le 1000 ] || bad "hoard: $full + $stall drops of 1000 frames"
echo "ok: hoard: rx-full $full, rx-stall $stall, stalled once"
# The first guest is still served.
check "bad's vif still connected" \
	eval '"$ctl" --socket "$run/nb.sock" --json net.list | jq -e ".vifs[] | select(.domid == $g) | .connected" >/dev/null'

# --- multicast control: a guest that joined 01:00:5e:00:00:fb gets that
# group and broadcasts, not another group.  The sender sends the other
# group first: once its broadcasts are in, anything of it would be too.
m=$(guest mcast)
wait_for 20 eval 'console $m | grep -q "^joined"' || bad "mcast: $(console $m | tail -2)"
s1=$(guest flood 5 01:00:5e:00:00:fc)
wait_for 20 eval 'console $s1 | grep -q "^flood: 5 sent"' || bad "mcast: fc not sent"
s2=$(guest flood 5 01:00:5e:00:00:fb)
wait_for 20 eval 'console $s2 | grep -q "^flood: 5 sent"' || bad "mcast: fb not sent"
s3=$(guest flood 5)
wait_for 20 eval 'console $s3 | grep -q "^flood: 5 sent"' || bad "mcast: broadcast not sent"
wait_for 20 eval '[ "$(console $m | grep -c "^rx ff:ff:ff:ff:ff:ff")" -ge 5 ]' ||
	bad "mcast: broadcasts not received"
check "mcast: the joined group received" \
	eval '[ "$(console $m | grep -c "^rx 01:00:5e:00:00:fb")" = 5 ]'
check "mcast: the other group filtered" \
	eval '! console $m | grep -q "^rx 01:00:5e:00:00:fc"'
check "mcast: one group joined" \
	eval '"$ctl" --socket "$run/nb.sock" --json net.list | jq -e ".vifs[] | select(.domid == $m) | .multicast" >/dev/null'

# SIGHUP reloads; a broken file keeps the running configuration.
kill -HUP "$nbpid"
wait_for 10 grep -q 'SIGHUP: configuration reloaded' "$run/nb.log" ||
	bad "SIGHUP: no reload"
cp "$run/bad.json" "$run/nb.json"
kill -HUP "$nbpid"
wait_for 10 grep -q 'reload failed, keeping the running configuration' "$run/nb.log" ||
	bad "SIGHUP: a broken file not refused"
stop_daemon "$nbpid" "$run/nb.log" netback
xensim_stop "$xensim" "$xpid" "$run/sim/xenstored.log"
finish it_hostile
