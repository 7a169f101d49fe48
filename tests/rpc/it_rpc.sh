#!/usr/bin/env bash
# Shoal's RPC between simulated domains (xensim, Shoal's xenstored): a
# service in one domain (rpc-testd), shoalctl and rpc-torture as callers
# in others and in dom0.  Checks: calls work across domains and the
# service learns the caller from xenstore; the policy allows and denies
# by name, id and tag, and a broken policy denies everything; 100
# simultaneous connects from one unprivileged domain all succeed; a
# caller killed mid-call and a service killed mid-call are each noticed
# by the other side alone; one service calls another in another domain;
# garbage, oversized and non-JSON frames, a missing hello, a version
# mismatch, a flood of calls and a stream nobody reads are each contained;
# a lost call says where it was lost (inbox, vchan, connect, reply).
#   it_rpc.sh BUILD_DIR
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
build=$(cd "$1" && pwd)
xensim=$build/xensim/bin/xensim
ctl=$build/tools/shoalctl/shoalctl
testd=$build/tests/tools/rpc-testd
torture=$build/tests/tools/rpc-torture
run=$(test_dir rpc-it)
export XENSIM_SOCKET=$run/xensimd.sock
trap 'kill $(jobs -p) 2>/dev/null || true; "$xensim" stop >/dev/null 2>&1 || true; rm -rf "$run"' EXIT
policy() {
	cat > "$run/policy" <<'POL'
# method      caller        action
tag friends  2
sys.*         @any          allow
test.whoami   @any          allow
test.*        dom0          allow
test.*        @tag:friends  allow
test.*        @any          deny
POL
}

# xenstored without its own RPC service: "test" is the only one here.
"$xensim" start --xenstored "$build/daemons/xenstored/xenstored" --no-rpc ||
	{ echo "FAIL: start"; exit 1; }
eval "$("$xensim" env)"
policy
"$xensim" create --name svc -- "$testd" -v --policy "$run/policy" >/dev/null
wait_for 10 xenstore-exists /local/domain/1/data/shoal/test/inbox ||
	bad "the service did not register"
"$ctl" list | grep -q '^test  *1  *svc  *rpc-testd$' || bad "shoalctl list: $("$ctl" list)"

# dom0 calls, by service name alone and by domain name.
[ "$("$ctl" test.echo hello)" = "text: hello" ] || bad "dom0 echo"
"$ctl" --domain svc --json sys.version | grep -q '"daemon": "rpc-testd"' ||
	bad "sys.version"
"$ctl" sys.ping | grep -q '^pong: true$' || bad "sys.ping"
[ "$("$ctl" test.count n=3 | tr '\n' ' ')" = '{"i":1} {"i":2} {"i":3} ' ] ||
	bad "stream of 3"
exits 2 "$ctl" test.nosuch || bad "unknown method exit code"
exits 2 "$ctl" test.sleep ms=-1 || bad "bad params exit code"

# An unprivileged friend: its calls, its identity, 100 connects at once.
"$xensim" create --name cli -- sh -c '
	echo "ECHO $('"$ctl"' --domain 1 test.echo text=from-cli)"
	'"$torture"' whoami 1
	for i in $(seq 100); do
		'"$ctl"' --domain 1 --timeout 20000 test.echo text=c$i > /tmp/rpc-it-c2.$i 2>&1 &
	done
	wait
	echo "CONCURRENT $(grep -l "^text: c" /tmp/rpc-it-c2.* | wc -l)"
	grep -vh "^text" /tmp/rpc-it-c2.* | head -3; rm -f /tmp/rpc-it-c2.*
	echo CLI-DONE; sleep 60' >/dev/null
# A stranger: allowed sys.* and whoami only.  Its calls race cli's 100
# (ASan-built) callers for two CPUs, so they get cli's patience too.
"$xensim" create --name mallory -- sh -c '
	'"$ctl"' --domain 1 --timeout 20000 test.echo text=x >/dev/null 2>&1; echo "DENIED-EXIT $?"
	out=$('"$ctl"' --domain 1 --timeout 20000 sys.ping 2>&1); rc=$?
	[ $rc -eq 0 ] || echo "$out" | tail -n 2; echo "PING-EXIT $rc"
	echo MALLORY-DONE; sleep 60' >/dev/null
wait_for 60 grep -q CLI-DONE "$run/console.2.log" || bad "cli did not finish"
wait_for 45 grep -q MALLORY-DONE "$run/console.3.log" || bad "mallory did not finish"
grep -qx 'ECHO text: from-cli' "$run/console.2.log" || bad "cli echo: $(cat "$run/console.2.log")"
grep -qx 'whoami 2' "$run/console.2.log" || bad "the service did not see domain 2"
grep -qx 'CONCURRENT 100' "$run/console.2.log" ||
	bad "100 concurrent connects: $(grep -A3 CONCURRENT "$run/console.2.log")"
grep -qx 'DENIED-EXIT 4' "$run/console.3.log" || bad "mallory not denied: $(cat "$run/console.3.log")"
grep -qx 'PING-EXIT 0' "$run/console.3.log" || bad "mallory's ping: $(cat "$run/console.3.log")"
grep -q 'test.echo denied to domain 3 ' "$run/console.1.log" ||
	bad "the denial was not logged"

# Daemon to daemon: a second service in domain 4 calls the first (the
# policy lets test.whoami through from @any; sys.* too).
"$xensim" create --name svc2 -- "$testd" --policy "$run/policy" >/dev/null
wait_for 10 xenstore-exists /local/domain/4/data/shoal/test/inbox ||
	bad "the second service did not register"
"$ctl" --domain 4 --json test.relay 1 test test.whoami | grep -q '"domid": 4' ||
	bad "relay: $("$ctl" --domain 4 test.relay 1 test test.whoami 2>&1)"
"$ctl" --domain 4 test.relay 1 test sys.ping | grep -q pong ||
	bad "relay sys.ping"
"$xensim" destroy svc2	# one "test" service again for the rest

# Rule breakers, each contained; the service answers others after each.
for m in garbage oversize badjson nohello silent version flood slowstream; do
	timeout 90 "$torture" "$m" 1 > "$run/t.$m" 2>&1 || bad "torture $m: $(cat "$run/t.$m")"
	"$ctl" sys.ping >/dev/null || bad "service gone after $m"
done
grep -q 'rpc: domain 0 connected but said no hello within 30 s: dropped' \
	"$run/console.1.log" || bad "a caller dropped for no hello was not logged"

# A call that is lost says where.  A service stopped (SIGSTOP) never takes
# the call from its inbox, and the caller removes its entry; a service
# that takes calls but makes no vchan, and one that publishes a vchan
# nobody can connect to (fake services in dom0, played by xenstore-utils);
# a call that is sent but not answered in time.
lost() {	# lost PATTERN SHOALCTL-ARGS...: the call fails, saying PATTERN
	local want=$1 out; shift
	out=$("$ctl" --timeout 1500 "$@" 2>&1) && { bad "lost call succeeded: $*"; return; }
	echo "$out" | grep -q -- "$want" || bad "lost call: want /$want/, got: $out"
}
svcpid=$("$xensim" list | awk '$1 == "svc" { print $3 }')
kill -STOP "$svcpid"
lost "did not take the call from its inbox within 1500 ms" test.echo x
kill -CONT "$svcpid"
[ -z "$(xenstore-list /local/domain/1/data/shoal/test/inbox)" ] ||
	bad "the caller left its inbox entry behind"
fake_service() {	# fake_service NAME: registered in dom0, taking nothing yet
	xenstore-write "/local/domain/0/data/shoal/$1/daemon" fake \
		"/local/domain/0/data/shoal/$1/protocol" 1
	xenstore-write "/local/domain/0/data/shoal/$1/inbox" ""
}
# Serve each inbox entry of fake service $1 once with "$2 NONCE".
fake_serve() {
	local e
	until [ -e "$run/fakes-stop" ]; do
		for e in $(xenstore-list "/local/domain/0/data/shoal/$1/inbox"); do
			xenstore-rm "/local/domain/0/data/shoal/$1/inbox/$e"
			$2 "$e"
		done
		sleep 0.05
	done
}
no_vchan() { :; }
bogus_vchan() {
	xenstore-write "/local/domain/0/data/rpc/$1/ring-ref" 4095 \
		"/local/domain/0/data/rpc/$1/event-channel" 4095
}
fake_service takes; fake_service bogus
fake_serve takes no_vchan &
fakes=$!
fake_serve bogus bogus_vchan &
fakes="$fakes $!"
lost "took the call from its inbox but no vchan was there" --domain 0 --service takes sys.ping
lost "made the vchan .*, but connecting to it failed [0-9]* times" --domain 0 --service bogus sys.ping
touch "$run/fakes-stop"
wait $fakes
xenstore-rm /local/domain/0/data/shoal; xenstore-rm /local/domain/0/data/rpc
lost "connected and sent test.sleep (call 1), but no reply came within 1500 ms" test.sleep ms=5000

# A caller killed mid-call: the service drops it and carries on.
conns() { "$ctl" --json sys.stats | sed -n 's/.*"connections": \([0-9]*\).*/\1/p'; }
"$ctl" test.sleep ms=10000 >/dev/null 2>&1 &
sleeper=$!
# Mid-call: its connection and the one asking are both there.
wait_for 10 eval '[ "$(conns)" -ge 2 ]' || bad "the sleeper never connected"
kill -9 $sleeper; wait $sleeper 2>/dev/null || true
wait_for 5 eval '[ "$(conns)" = 1 ]' || bad "killed caller's connection lingers: $(conns)"

# The policy: broken denies all (sys.* too), fixed and reloaded allows.
echo "test.* everybody maybe" > "$run/policy"
"$ctl" sys.reload >/dev/null || bad "sys.reload"
exits 4 "$ctl" test.echo x || bad "broken policy did not deny"
grep -q 'policy.*line 1\|policy:1' "$run/console.1.log" || grep -q "$run/policy:1" "$run/console.1.log" ||
	bad "the broken policy's line was not named"
policy
kill -HUP "$("$xensim" list | awk '$1 == "svc" { print $3 }')"
wait_for 5 eval '"$ctl" test.echo x >/dev/null 2>&1' || bad "fixed policy not reloaded on SIGHUP"

# Limits for all callers together: a service taking 3 vchans at once
# refuses the 4th call with "busy", and the caller says so without
# waiting out its timeout; once a connection closes, calls go through.
"$xensim" create --name capped -- "$testd" -v --policy "$run/policy" \
    --max-connections 3 --pending-per-domain 4 >/dev/null
capid=$("$xensim" list | awk '$1 == "capped" { print $2 }')
wait_for 10 xenstore-exists "/local/domain/$capid/data/shoal/test/inbox" ||
	bad "the capped service did not register"
holders=
for i in 1 2 3; do
	"$ctl" --domain capped test.sleep ms=60000 >/dev/null 2>&1 &
	holders="$holders $!"
done
vchans() { grep -c ': vchan at ' "$run/console.$capid.log"; }
wait_for 30 eval '[ "$(vchans)" -ge 3 ]' || bad "3 callers did not connect"
out=$("$ctl" --domain capped --timeout 20000 sys.ping 2>&1) &&
	bad "a 4th connection was accepted"
echo "$out" | grep -q 'refused the call: busy: the service has its most vchans open (3)' ||
	bad "4th caller: $out"
grep -q 'domain 0: refused a call, the service has its most vchans open' \
    "$run/console.$capid.log" || bad "the refusal was not logged"
kill $holders; wait $holders 2>/dev/null || true
wait_for 20 eval '"$ctl" --domain capped sys.ping >/dev/null 2>&1' ||
	bad "calls refused after the holders left"
"$ctl" --domain capped --json sys.stats | grep -q '"refused": [1-9]' ||
	bad "sys.stats does not count the refusal"

# A guest leaving unfinished calls in the inbox (empty entries, readable
# by the service, as a caller makes them): past 4 (the capped service's
# limit) the service removes them, and the inbox stays small however
# many the guest makes; calls from others go through meanwhile.
"$xensim" create --name hoarder -- sh -c '
	inbox=/local/domain/'"$capid"'/data/shoal/test/inbox
	me=$(xenstore-read domid)
	for i in $(seq 40); do
		e=$inbox/$(printf "%016x" "$i")
		xenstore-write "$e" "" && xenstore-chmod "$e" "n$me" "b'"$capid"'"
	done
	echo HOARDED; sleep 60' >/dev/null
hoardid=$("$xensim" list | awk '$1 == "hoarder" { print $2 }')
wait_for 30 grep -q HOARDED "$run/console.$hoardid.log" || bad "the hoarder did not finish"
wait_for 10 eval '[ "$(xenstore-list "/local/domain/$capid/data/shoal/test/inbox" | wc -l)" -le 4 ]' ||
	bad "inbox holds $(xenstore-list "/local/domain/$capid/data/shoal/test/inbox" | wc -l) entries, want at most 4"
grep -q "rpc: domain $hoardid leaves 4 unfinished calls in the inbox" \
    "$run/console.$capid.log" || bad "the hoarder's removals were not logged"
"$ctl" --domain capped --json sys.stats | grep -q '"pending_dropped": 36' ||
	bad "pending_dropped: $("$ctl" --domain capped --json sys.stats | grep -o '"pending[a-z_]*": [0-9]*')"
"$ctl" --domain capped test.echo still | grep -q 'text: still' ||
	bad "a call during the hoarding failed"
"$xensim" destroy hoarder
"$xensim" destroy capped

# The service killed mid-call: the caller hears of it at once.
start=$(date +%s%N)
"$ctl" test.sleep ms=20000 > "$run/orphan" 2>&1 &
orphan=$!
wait_for 10 eval '[ "$(conns)" -ge 2 ]' || bad "the orphan never connected"
"$xensim" destroy svc
rc=0; wait $orphan || rc=$?
took=$((($(date +%s%N) - start) / 1000000))
[ "$rc" -eq 3 ] && [ "$took" -lt 10000 ] ||
	bad "caller of a dead service: exit $rc after $took ms: $(cat "$run/orphan")"
grep -qE 'Sanitizer|runtime error' "$run"/console.*.log && bad "sanitizer report"

if [ "$failures" -ne 0 ]; then
	for f in "$run"/console.*.log; do echo "--- $f"; tail -n 15 "$f"; done
	echo "it_rpc: $failures failure(s)"; exit 1
fi
echo "it_rpc: all passed"
