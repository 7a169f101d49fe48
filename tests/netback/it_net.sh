#!/usr/bin/env bash
# Two xensim guests, each with a network namespace whose only link is a
# TAP behind Shoal's netfront, joined by netback's switch in dom0, whose
# uplink TAP is dom0's own way in.  Guest a has two queues and split
# event channels, b one queue and one channel.  Traffic is made by real clients
# (ping, iperf3, ethtool), every transfer bounded in bytes and time:
#   ping     guest to guest, guest to dom0 and back
#   tcp      64 MiB guest to guest checked byte for byte (xfer.py), and
#            iperf3 (its rate logged); GSO used (netback counted TSO
#            frames)
#   udp      iperf3, 8 MiB of 1,400-byte datagrams: at least 90% arrive
#   mtu9000  both guests at MTU 9000 (SG): an unfragmented 8,972-byte
#            ping, and 16 MiB of TCP byte for byte
#   nogso    TSO and GSO off in one guest (ethtool): 16 MiB of TCP byte
#            for byte with no GSO frame from it
#   restart  netback killed (SIGTERM) and started again while iperf3
#            sends for 8 s: both guests connect again, the same TCP
#            connection goes on through the new netback and iperf3
#            ends without error
# Every netfront and netback ends on SIGTERM with status 0 and no
# sanitizer report.
#   it_net.sh BUILD_DIR
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
build=$1
here=$(cd "$(dirname "$0")" && pwd)
xensim=$build/xensim/bin/xensim
nf=$build/daemons/netfront/netfront
ctl=$build/tools/shoalctl/shoalctl
run=$(test_dir shoal-net)
chmod 755 "$run"
export XENSIM_SOCKET=$run/sim/xensimd.sock
nsa=shoal-net-a.$$
nsb=shoal-net-b.$$
up=shoalup$$
cleanup() {
	track_cleanup
	"$xensim" stop >/dev/null 2>&1
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
	rm -rf "$run"
}
trap cleanup EXIT

for t in iperf3 ethtool ping jq; do
	command -v $t >/dev/null || { bad "no $t (deploy/deps tools)"; finish it_net; }
done
ip netns add "$nsa" && ip netns add "$nsb" || { bad "ip netns add"; finish it_net; }
xensim_start "$build" || finish it_net
cat >"$run/nb.json" <<JSON
{ "mode": "switch", "uplink": "$up" }
JSON

starts=0
start_netback() {
	"$build/daemons/netback/netback" -c "$run/nb.json" --user root \
		--rpc-socket "$run/nb.sock" >>"$run/nb.log" 2>&1 &
	nbpid=$!
	track "$nbpid"
	starts=$((starts + 1))
	wait_for 10 eval '[ "$(grep -c "serving vifs" "$run/nb.log")" = $starts ]' ||
		bad "netback did not start: $(tail -3 "$run/nb.log")"
}
start_netback
ip addr add 10.77.0.1/24 dev "$up"

# guest NAME NS MAC OPTS: a domain running netfront, its TAP eth0 in NS.
guest() {
	local id
	id=$("$xensim" create --name "$1" --vif "mac=$3" -- sh -c \
		"$nf --tap eth0 --netns $2 $4 --rpc-socket $run/$1.sock & echo pid \$!; wait \$!; echo netfront exited \$?")
	echo "$id"
}
# a: two queues, split event channels; b: one queue, one channel.
ga=$(guest a "$nsa" 00:16:3e:77:00:02 "--queues 2")
gb=$(guest b "$nsb" 00:16:3e:77:00:03 "--no-split")
connected() {
	"$ctl" --socket "$run/nb.sock" --json net.list 2>/dev/null |
		jq -e "[.vifs[] | select(.connected)] | length == 2" >/dev/null
}
wait_for 20 connected || bad "the two vifs did not connect: $(tail -5 "$run/nb.log")"
check "a connected with two queues" eval '"$ctl" --socket "$run/nb.sock" --json net.list | jq -e ".vifs[] | select(.domid == $ga) | .queues == 2" >/dev/null'
wait_for 10 ip -n "$nsa" link show eth0 || bad "no eth0 in $nsa"
wait_for 10 ip -n "$nsb" link show eth0 || bad "no eth0 in $nsb"
ip -n "$nsa" addr add 10.77.0.2/24 dev eth0
ip -n "$nsb" addr add 10.77.0.3/24 dev eth0
ip -n "$nsa" link set eth0 up
ip -n "$nsb" link set eth0 up
stat_of() {	# stat_of DOMID JQ-PATH
	"$ctl" --socket "$run/nb.sock" --json net.stats |
		jq -r ".vifs[] | select(.domid == $1) | $2"
}

# --- ping
check "ping: a to b" ip netns exec "$nsa" ping -c 3 -W 5 10.77.0.3
check "ping: a to dom0" ip netns exec "$nsa" ping -c 3 -W 5 10.77.0.1
check "ping: dom0 to b" ping -c 3 -W 5 10.77.0.3

# iperf NS_CLIENT SERVER_IP ARGS...: a one-off server in b, the client
# bounded in bytes (-n) and time; its JSON in $run/iperf.json.
iperf() {
	local cns=$1 ip=$2
	shift 2
	ip netns exec "$nsb" timeout 120 iperf3 -s -1 -p 5201 \
		>"$run/iperf-s.log" 2>&1 &
	local spid=$!
	wait_for 10 eval 'ip netns exec "$nsb" ss -ltn | grep -q ":5201 "' ||
		bad "iperf3 server did not listen"
	ip netns exec "$cns" timeout 120 iperf3 -c "$ip" -p 5201 -J "$@" \
		>"$run/iperf.json" 2>"$run/iperf.err"
	local rc=$?
	wait "$spid"
	return $rc
}
# What iperf3 sent: all of -n.  (What its server counts stops at the
# client's end, with bytes still in flight: xfer.py checks delivery.)
sent() { jq -r '.end.sum_sent.bytes' "$run/iperf.json"; }
rate() { jq -r '.end.sum_received.bits_per_second / 1e9 * 100 | floor / 100' "$run/iperf.json"; }

# xfer BYTES: that many random bytes a to b, compared by SHA-256.
xfer() {
	head -c "$1" /dev/urandom >"$run/xfer.bin"
	ip netns exec "$nsb" "$here/xfer.py" recv 5300 >"$run/xfer.out" 2>&1 &
	local rpid=$!
	wait_for 10 eval 'ip netns exec "$nsb" ss -ltn | grep -q ":5300 "' ||
		bad "xfer: no listener"
	ip netns exec "$nsa" "$here/xfer.py" send 10.77.0.3 5300 "$run/xfer.bin" ||
		bad "xfer: send failed"
	wait "$rpid"
	[ "$(cat "$run/xfer.out")" = "$1 $(sha256sum <"$run/xfer.bin" | cut -d' ' -f1)" ]
}

# --- tcp
gso0=$(stat_of "$ga" .tx_gso)
check "tcp: 64 MiB, byte for byte" xfer $((64 << 20))
if iperf "$nsa" 10.77.0.3 -n 64M; then
	check "tcp: iperf3 sent 64 MiB ($(sent)) at $(rate) Gbit/s" eval '[ "$(sent)" -ge 67108864 ]'
else
	bad "tcp: iperf3 failed: $(cat "$run/iperf.err")"
fi
check "tcp: GSO frames from a" eval '[ "$(stat_of "$ga" .tx_gso)" -gt "$gso0" ]'

# --- udp
if iperf "$nsa" 10.77.0.3 -u -b 400M -l 1400 -n 8M; then
	lost=$(jq -r '.end.sum.lost_percent | floor' "$run/iperf.json")
	check "udp: 8 MiB, lost $lost% (<= 10%)" eval '[ "$lost" -le 10 ]'
else
	bad "udp: iperf3 failed: $(cat "$run/iperf.err")"
fi

# --- mtu9000
ip -n "$nsa" link set eth0 mtu 9000
ip -n "$nsb" link set eth0 mtu 9000
check "mtu9000: an 8,972-byte ping, not fragmented" \
	ip netns exec "$nsa" ping -c 2 -W 5 -M do -s 8972 10.77.0.3
check "mtu9000: 16 MiB of TCP, byte for byte" xfer $((16 << 20))
ip -n "$nsa" link set eth0 mtu 1500
ip -n "$nsb" link set eth0 mtu 1500

# --- nogso
ip netns exec "$nsa" ethtool -K eth0 tso off gso off >/dev/null ||
	bad "nogso: ethtool -K"
gso0=$(stat_of "$ga" .tx_gso)
check "nogso: 16 MiB of TCP, byte for byte" xfer $((16 << 20))
check "nogso: no GSO frame from a" eval '[ "$(stat_of "$ga" .tx_gso)" = "$gso0" ]'
ip netns exec "$nsa" ethtool -K eth0 tso on gso on >/dev/null

# --- restart: netback goes and comes back under a transfer of 8 s.
ip netns exec "$nsb" timeout 60 iperf3 -s -1 -p 5202 >"$run/iperf-s2.log" 2>&1 &
spid=$!
wait_for 10 eval 'ip netns exec "$nsb" ss -ltn | grep -q ":5202 "'
ip netns exec "$nsa" timeout 60 iperf3 -c 10.77.0.3 -p 5202 -J -t 8 \
	>"$run/iperf2.json" 2>"$run/iperf2.err" &
cpid=$!
base_bytes=$(stat_of "$ga" .tx_bytes)
wait_for 30 eval '[ "$(stat_of "$ga" .tx_bytes)" -gt $((base_bytes + 16000000)) ]' ||
	bad "restart: the transfer did not start"
stop_daemon "$nbpid" "$run/nb.log" netback
start_netback
wait_for 30 connected || bad "restart: the guests did not connect again"
# The same connection goes on through the new netback.
wait_for 30 eval '[ "$(stat_of "$ga" .tx_bytes)" -gt 16000000 ]' ||
	bad "restart: no traffic through the new netback"
wait "$cpid" || bad "restart: iperf3 client failed: $(cat "$run/iperf2.err") $(jq -r .error "$run/iperf2.json" 2>/dev/null)"
wait "$spid"
r=$(jq -r '.end.sum_sent.bytes' "$run/iperf2.json")
check "restart: one TCP connection across the restart ($r bytes in 8 s)" \
	eval '[ "${r:-0}" -gt 100000000 ]'

# --- the end: every netfront and netback on SIGTERM.
for g in "$ga" "$gb"; do
	pid=$(sed -n 's/^pid //p' "$run/sim/console.$g.log")
	kill -TERM "$pid"
	wait_for 10 grep -q "netfront exited" "$run/sim/console.$g.log"
	check "netfront in $g exits 0" grep -q "netfront exited 0" "$run/sim/console.$g.log"
	! sanitizer_report "$run/sim/console.$g.log" || bad "sanitizer report from netfront in $g"
done
stop_daemon "$nbpid" "$run/nb.log" netback
xensim_stop "$xensim" "$xpid" "$run/sim/xenstored.log"
finish it_net
