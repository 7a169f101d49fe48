#!/usr/bin/env bash
# netback in TAP mode on xensim: a guest with two queues (its netfront's
# TAP in a namespace of its own) is vifD.0 in dom0, a multi-queue TAP as
# the kernel's netback would make it (vifD.N, its address fe:ff:ff:ff:ff:ff),
# which dom0 addresses itself (nothing runs hotplug scripts on xensim):
# ping both ways, 16 MiB of TCP each way checked byte for byte
# (xfer.py), checksums and TSO passed through (netback counted TSO
# frames both ways); the vif torn down when the guest's domain is
# destroyed (its TAP gone with it); netback and netfront end on SIGTERM
# with status 0 and no sanitizer report.
#   it_tap.sh BUILD_DIR
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
build=$1
here=$(cd "$(dirname "$0")" && pwd)
xensim=$build/xensim/bin/xensim
ctl=$build/tools/shoalctl/shoalctl
run=$(test_dir shoal-tap)
chmod 755 "$run"
export XENSIM_SOCKET=$run/sim/xensimd.sock
ns=shoal-tap.$$
trap 'track_cleanup; "$xensim" stop >/dev/null 2>&1; ip netns del "$ns" 2>/dev/null; rm -rf "$run"' EXIT

ip netns add "$ns" || { bad "ip netns add"; finish it_tap; }
xensim_start "$build" || finish it_tap
echo '{ "mode": "tap", "max-queues": 2 }' >"$run/nb.json"
"$build/daemons/netback/netback" -c "$run/nb.json" --user root \
	--rpc-socket "$run/nb.sock" >"$run/nb.log" 2>&1 &
nbpid=$!
track "$nbpid"
wait_for 10 grep -q 'serving vifs' "$run/nb.log" || bad "netback did not start"
g=$("$xensim" create --name tapg --vif mac=00:16:3e:79:00:02 -- sh -c \
	"$build/daemons/netfront/netfront --tap eth0 --netns $ns --queues 2 --no-rpc & echo pid \$!; wait \$!; echo netfront exited \$?")
vif=vif$g.0
stat_of() {
	"$ctl" --socket "$run/nb.sock" --json net.stats |
		jq -r ".vifs[] | select(.domid == $g) | $1"
}
wait_for 20 eval '"$ctl" --socket "$run/nb.sock" --json net.list | jq -e ".vifs[0].connected" >/dev/null' ||
	bad "the vif did not connect: $(tail -3 "$run/nb.log")"
check "vifD.0 is a TAP with the kernel backend's address" \
	eval 'ip link show "$vif" | grep -q "fe:ff:ff:ff:ff:ff"'
check "two queues" eval '"$ctl" --socket "$run/nb.sock" --json net.list | jq -e ".vifs[0].queues == 2" >/dev/null'
ip addr add 10.79.0.1/24 dev "$vif"
wait_for 10 ip -n "$ns" link show eth0 || bad "no eth0 in the guest"
ip -n "$ns" addr add 10.79.0.2/24 dev eth0
ip -n "$ns" link set eth0 up
check "ping: dom0 to the guest" ping -c 3 -W 5 10.79.0.2
check "ping: the guest to dom0" ip netns exec "$ns" ping -c 3 -W 5 10.79.0.1

# xfer FROM-NS TO-NS TO-IP: 16 MiB, compared by SHA-256 ("" is dom0).
inns() { if [ -n "$1" ]; then ip netns exec "$1" "${@:2}"; else "${@:2}"; fi; }
xfer() {
	local from=$1 to=$2 rpid
	head -c $((16 << 20)) /dev/urandom >"$run/xfer.bin"
	inns "$to" "$here/xfer.py" recv 5300 >"$run/xfer.out" 2>&1 &
	rpid=$!
	# (eval runs inside wait_for: the names, not $1, $2.)
	wait_for 10 eval 'inns "$to" ss -ltn | grep -q ":5300 "' || bad "xfer: no listener"
	inns "$from" "$here/xfer.py" send "$3" 5300 "$run/xfer.bin" || bad "xfer: send failed"
	wait "$rpid"
	[ "$(cat "$run/xfer.out")" = "$((16 << 20)) $(sha256sum <"$run/xfer.bin" | cut -d' ' -f1)" ]
}
check "tcp: 16 MiB guest to dom0, byte for byte" xfer "$ns" "" 10.79.0.1
check "tcp: 16 MiB dom0 to guest, byte for byte" xfer "" "$ns" 10.79.0.2
check "TSO frames from the guest" eval '[ "$(stat_of .tx_gso)" -gt 0 ]'
check "TSO frames to the guest" eval '[ "$(stat_of .rx_gso)" -gt 0 ]'

# The guest's domain destroyed: the vif disconnected and removed, its
# TAP gone.
"$xensim" destroy tapg
wait_for 10 eval '! ip link show "$vif" >/dev/null 2>&1' || bad "$vif still there"
check "netback let the vif go" eval '"$ctl" --socket "$run/nb.sock" --json net.list | jq -e ".vifs | length == 0" >/dev/null'
stop_daemon "$nbpid" "$run/nb.log" netback
xensim_stop "$xensim" "$xpid" "$run/sim/xenstored.log"
finish it_tap
