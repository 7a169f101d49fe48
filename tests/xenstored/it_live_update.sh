#!/usr/bin/env bash
# Live update of Shoal's xenstored on xensim, asked for by Xen's own
# xenstore-control, while a simulated domain works through its ring, a
# dom0 watcher waits, and a client holds an open transaction and half a
# request (xs-lu-client).  After it: the same process id runs the new
# image, the store is identical, the domain finished all its work, the
# watcher and the old watches still fire, the transaction got EAGAIN and
# its retry committed, the half request was answered, a second update in
# a row works, a domain's death still reaches @releaseDomain, and sys.*
# answers over RPC before and after (the helper is forked anew).
#   it_live_update.sh BUILD_DIR
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
build=$(cd "$1" && pwd)
xensim=$build/xensim/bin/xensim
xsd=$build/daemons/xenstored/xenstored
run=$(test_dir xs-lu)
export XENSIM_SOCKET=$run/xensimd.sock
trap 'kill $(jobs -p) 2>/dev/null || true; "$xensim" stop >/dev/null 2>&1 || true; rm -rf "$run"' EXIT
# xenstore-control links libxenguest, which xensim's libxenctrl subset
# does not satisfy; it needs only the socket.
control() { env -u LD_LIBRARY_PATH timeout 30 /usr/lib/xen-4.17/bin/xenstore-control "$@"; }

"$xensim" start --xenstored "$xsd" -v || { echo "FAIL: start"; exit 1; }
eval "$("$xensim" env)"
pid=$(cat "$run/xenstored.pid")
ctl=$build/tools/shoalctl/shoalctl
# sys.* through the RPC helper (xs_rpc), before and after the updates.
rpc_ok() { "$ctl" --service xenstore sys.ping 2>/dev/null | grep -q '^pong: true$'; }
wait_for 10 rpc_ok || bad "sys.ping through xenstored's RPC helper"
"$ctl" --json --service xenstore sys.stats | grep -q '"nodes": [0-9]' ||
	bad "sys.stats has no node count"

for i in $(seq 50); do xenstore-write /tool/lu/n$i v$i; done
xenstore-chmod /tool/lu/n1 n0 r1 w2
# The worker loops through its ring until told to stop (bounded).
"$xensim" create --name worker -- sh -c '
	i=0
	while [ $i -lt 20000 ] && ! xenstore-exists data/stop 2>/dev/null; do
		i=$((i + 1)); k=$((i % 50))
		xenstore-write data/k$k $i data/i $i || { echo "BAD write $i"; exit 1; }
		[ "$(xenstore-read data/k$k)" = $i ] || { echo "BAD read $i"; exit 1; }
	done
	echo "DONE $i"; sleep 60' >/dev/null
progress() { xenstore-read /local/domain/1/data/i 2>/dev/null || echo 0; }
past() { [ "$(progress)" -ge "$1" ]; }
wait_for 20 past 20 || bad "worker did not start"
# sys.stats says each domain's use of the store, by the toolstack's name.
"$ctl" --json --service xenstore sys.stats > "$run/stats.json"
jq -e '.daemon.per_domain[] | select(.domid == 1 and .name == "worker" and
	.introduced and .nodes > 0)' "$run/stats.json" >/dev/null ||
	bad "sys.stats per_domain has no worker: $(cat "$run/stats.json")"

mkfifo "$run/go"
"$build/tests/tools/xs-lu-client" "$run/go" > "$run/client.out" 2>&1 &
client=$!
wait_for 10 grep -q READY "$run/client.out" || bad "client not ready"
xenstore-watch -n 3 /tool/lu/w2 > "$run/watch.out" 2>&1 &
watcher=$!
wait_for 5 grep -q . "$run/watch.out" || bad "watcher not registered"
xenstore-ls -p /tool > "$run/before"
# The special names' permissions are state too (a console domain's grant).
xenstore-chmod @releaseDomain n0 r1
"$build/tests/tools/xs-dom-ops" perms @releaseDomain >> "$run/before"

before=$(progress)
control live-update -F "$xsd" > "$run/control.out" 2>&1 ||
	bad "xenstore-control live-update: $(cat "$run/control.out")"
[ "$before" -lt 20000 ] && ! grep -q DONE "$run/console.1.log" ||
	bad "the worker was not running during the update"
[ -d "/proc/$pid" ] || bad "xenstored $pid is gone"
tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- '--live-update-state' ||
	bad "process $pid is not the new image"
grep -q 'live update: .* restored' "$run/xenstored.log" || bad "no restore logged"
xenstore-ls -p /tool > "$run/after"
"$build/tests/tools/xs-dom-ops" perms @releaseDomain >> "$run/after"
grep -qx 'n0 r1' "$run/after" || bad "@releaseDomain's permissions lost"
diff "$run/before" "$run/after" > "$run/diff" || bad "store changed: $(cat "$run/diff")"

timeout 5 sh -c "echo go > $run/go" || bad "client gone before the end"
wait "$client" || bad "xs-lu-client failed"
grep '^BAD' "$run/client.out" && bad "client checks"
xenstore-write /tool/lu/w2 a
xenstore-write /tool/lu/w2 b
wait_for 10 eval '! kill -0 $watcher 2>/dev/null' || bad "watcher did not get 3 events"
[ "$(grep -c '^/tool/lu/w2' "$run/watch.out")" -eq 3 ] ||
	bad "watcher events: $(tr '\n' ' ' < "$run/watch.out")"

# The worker carried on through the update, then stops when told.
at=$(progress)
wait_for 30 past $((at + 50)) || bad "worker stalled after the update (at $at)"
xenstore-write /local/domain/1/data/stop 1
wait_for 30 grep -q '^DONE' "$run/console.1.log" || bad "worker did not finish"
grep -h BAD "$run/console.1.log" && bad "worker saw an error across the update"

# Twice in a row, then the domain's death must still be noticed (the
# VIRQ_DOM_EXC binding and its port came back).
control live-update -F "$xsd" > "$run/control.out" 2>&1 ||
	bad "second live update: $(cat "$run/control.out")"
[ "$(control check 2>"$run/check.err")" = OK ] || bad "check after updates"
wait_for 10 rpc_ok || bad "sys.ping after the updates (a new helper)"
xenstore-watch -n 2 @releaseDomain > "$run/release" 2>&1 &
rel=$!
wait_for 5 grep -q . "$run/release" || bad "@releaseDomain watch"
"$xensim" destroy worker
wait_for 10 eval '! kill -0 $rel 2>/dev/null' || bad "@releaseDomain did not fire"
xenstore-exists /local/domain/1/data/i 2>/dev/null && bad "worker's nodes outlived it"
grep -qE 'Sanitizer|runtime error' "$run/xenstored.log" && bad "sanitizer report"

if [ "$failures" -ne 0 ]; then
	echo "--- xenstored.log"; tail -n 40 "$run/xenstored.log"
	echo "--- client"; cat "$run/client.out"
	echo "--- worker"; cat "$run/console.1.log"
	echo "it_live_update: $failures failure(s)"; exit 1
fi
echo "it_live_update: all passed"
