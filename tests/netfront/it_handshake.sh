#!/usr/bin/env bash
# netfront (daemons/netfront) in a xensim domain made with `xensim create
# --vif`, its TAP in a network namespace of its own, driven by Debian's
# xenstore-utils playing the backend as netback and libxl would:
#   toolstack  the vif's two directories as libxl writes them (keys and
#              permissions), the TAP made in the namespace with the vif's
#              MAC and MTU
#   connect    the backend's features and InitWait: our rings, event
#              channels (split) and features in two queues' keys,
#              Connected with them (as Linux's netfront); the backend
#              Connected: the TAP up
#   closing    the backend Closing: Closed, TAP down; the backend back to
#              InitWait (a restart): connected again, the stale keys of
#              the first connection gone (one queue this time)
#   sigterm    Closing, the backend's Closing, Closed; netfront exits 0
#              with no sanitizer report
#   hostile    a backend path outside the backend's area: refused, exit 1
#   destroy    `xensim destroy` of a domain whose backend is Connected:
#              online 0 and Closing, waits for Closed, then both
#              directories go
#   it_handshake.sh BUILD_DIR
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
build=$1
xensim=$build/xensim/bin/xensim
nf=$build/daemons/netfront/netfront
run=$(test_dir shoal-nf)
ns=shoal-nf-$$
tap=nft$$
tap=${tap:0:15}
export XENSIM_SOCKET=$run/sim/xensimd.sock
trap 'track_cleanup; "$xensim" stop >/dev/null 2>&1; ip netns del "$ns" 2>/dev/null; rm -rf "$run"' EXIT

ip netns add "$ns" || { bad "ip netns add"; finish it_handshake; }
xensim_start "$build" || finish it_handshake
# The domain's program: netfront, its pid and its status said on the
# console log.
g=$("$xensim" create --name nf --vif mac=00:16:3e:0a:0b:0c,mtu=1400 -- \
	sh -c "$nf --tap $tap --netns $ns --queues 2 --no-rpc -v & echo pid \$!; wait \$!; echo netfront exited \$?")
con=$run/sim/console.$g.log
fe=/local/domain/$g/device/vif/0
be=/local/domain/0/backend/vif/$g/0
st() { xenstore-read "$fe/state" 2>/dev/null; }
has() { grep -q "$1" "$con"; }
link() { ip -n "$ns" -o link show "$tap" 2>/dev/null; }

# --- toolstack
check "toolstack: frontend keys" test "$(xenstore-read "$fe/backend" "$fe/backend-id" "$fe/mac" "$fe/handle" | tr '\n' ' ')" = \
	"$be 0 00:16:3e:0a:0b:0c 0 "
check "toolstack: backend keys" test "$(xenstore-read "$be/frontend" "$be/frontend-id" "$be/online" "$be/type" "$be/mtu" | tr '\n' ' ')" = \
	"$fe $g 1 vif 1400 "
check "toolstack: the frontend's, readable by the backend" test "$(xenstore-ls -p "${fe%/0}" | grep -c "(n$g,r0)")" -ge 1
check "toolstack: the backend's, readable by the guest" sh -c "xenstore-ls -p /local/domain/0/backend/vif/$g | grep -q '(n0,r$g)'"
wait_for 10 has "vif 0, backend" || bad "netfront did not start: $(cat "$con")"
check "the TAP, in the namespace, with the vif's MAC and MTU" sh -c \
	"ip -n $ns -o link show $tap | grep -q 'mtu 1400' && ip -n $ns -o link show $tap | grep -q 'link/ether 00:16:3e:0a:0b:0c'"
check "the TAP is not in ours" sh -c "! ip link show $tap >/dev/null 2>&1"

# --- connect
xenstore-write "$be/feature-rx-copy" 1 "$be/feature-sg" 1 \
	"$be/feature-gso-tcpv4" 1 "$be/feature-split-event-channels" 1 \
	"$be/multi-queue-max-queues" 4 "$be/state" 2
# Connected with its keys, as Linux's netfront says it (xen-netback waits
# for that); the TAP comes up only when the backend is Connected too.
wait_for 10 eval '[ "$(st)" = 4 ]' || bad "connect: state $(st), not Connected (4) with its keys"
check "connect: two queues" test "$(xenstore-read "$fe/multi-queue-num-queues")" = 2
for q in 0 1; do
	check "connect: queue-$q's rings and split ports" sh -c \
		"xenstore-read $fe/queue-$q/tx-ring-ref $fe/queue-$q/rx-ring-ref \
		$fe/queue-$q/event-channel-tx $fe/queue-$q/event-channel-rx >/dev/null"
done
check "connect: no single-queue keys" sh -c "! xenstore-read $fe/tx-ring-ref 2>/dev/null"
check "connect: features" test "$(xenstore-read "$fe/request-rx-copy" "$fe/feature-rx-notify" "$fe/feature-sg" "$fe/feature-gso-tcpv4" | tr -d '\n')" = 1111
check "connect: TAP still down" sh -c "! ip -n $ns -o link show $tap | grep -q ',UP'"
xenstore-write "$be/state" 4
wait_for 10 eval '[ "$(st)" = 4 ]' || bad "connect: state $(st), not Connected (4)"
wait_for 5 eval 'link | grep -q ",UP"' || bad "connect: the TAP is not up"

# --- the backend closes, then comes back
xenstore-write "$be/state" 5
wait_for 10 eval '[ "$(st)" = 6 ]' || bad "closing: state $(st), not Closed (6)"
wait_for 5 eval '! link | grep -q ",UP"' || bad "closing: the TAP is still up"
xenstore-rm "$be/multi-queue-max-queues"
xenstore-write "$be/state" 6
xenstore-write "$be/state" 2
wait_for 10 eval '[ "$(st)" = 4 ]' || bad "again: state $(st), not Connected with its keys"
check "again: one queue, its keys at the top" sh -c \
	"xenstore-read $fe/tx-ring-ref $fe/event-channel-tx >/dev/null"
check "again: the first connection's keys gone" sh -c \
	"! xenstore-read $fe/queue-0/tx-ring-ref 2>/dev/null && ! xenstore-read $fe/multi-queue-num-queues 2>/dev/null"
xenstore-write "$be/state" 4
wait_for 10 eval '[ "$(st)" = 4 ]' || bad "again: state $(st), not Connected"

# --- SIGTERM: the orderly close
pid=$(sed -n 's/^pid //p' "$con")
kill -TERM "$pid"
wait_for 10 eval '[ "$(st)" = 5 ]' || bad "sigterm: state $(st), not Closing (5)"
check "sigterm: waits for the backend" sh -c "kill -0 $pid"
xenstore-write "$be/state" 5
wait_for 10 has "netfront exited" || bad "sigterm: netfront did not exit"
check "sigterm: exit 0" has "netfront exited 0"
check "sigterm: Closed last" sh -c \
	"grep -q ' closed: ' '$con' && ! grep -q 'writing state' '$con'"
! sanitizer_report "$con" || bad "sanitizer report in $con"

# --- hostile: a backend path in another domain's area
h=$("$xensim" create --name nfh --paused --vif devid=0 -- \
	sh -c "$nf --tap ${tap}h --netns $ns --no-rpc; echo netfront exited \$?")
xenstore-write "/local/domain/$h/device/vif/0/backend" "/local/domain/$g/backend/vif/$h/0"
"$xensim" unpause "$h"
wait_for 10 grep -q "netfront exited" "$run/sim/console.$h.log" || bad "hostile: netfront did not exit"
check "hostile: refused ($(head -1 "$run/sim/console.$h.log"))" sh -c \
	"grep -q 'not in the backend' '$run/sim/console.$h.log' && grep -q 'netfront exited 1' '$run/sim/console.$h.log'"

# --- destroy, as libxl: the connected backend asked to let go first
d=$("$xensim" create --name nfd --vif devid=3 -- sleep 600)
dbe=/local/domain/0/backend/vif/$d/3
xenstore-write "$dbe/state" 4
"$xensim" destroy "$d" &
dpid=$!
wait_for 10 eval '[ "$(xenstore-read "$dbe/online" "$dbe/state" 2>/dev/null | tr -d "\n")" = 05 ]' ||
	bad "destroy: the backend was not asked to close"
xenstore-write "$dbe/state" 6
wait "$dpid"
check "destroy: exit 0" test $? -eq 0
check "destroy: both directories gone" sh -c \
	"! xenstore-read /local/domain/$d/name 2>/dev/null && ! xenstore-ls /local/domain/0/backend/vif/$d >/dev/null 2>&1"

xensim_stop "$xensim" "$xpid" "$run/sim/xenstored.log"
[ "$failures" -eq 0 ] || cat "$con"
finish it_handshake
