#!/usr/bin/env bash
# The scaler's control loop end to end on xensim (docs/scaler.md): the
# dom0 agent keeps a warm pool of web domains (httpd on one shared port,
# reuse-port); the scaler, a domain of its own, calls the agent and the
# web domains over vchan.  With no load it keeps "min" (1) web domain;
# under a load step from wrk (bounded: 12 s, a connection per request) it
# grows to "max" (3), each domain added taking part of the load, though
# the agent is killed (-9) in the middle and started again (it adopts
# the fleet); once the load stops it shrinks
# back to 1 after the scale-down window, each removed domain drained
# (http.drain) and destroyed, the port answering throughout, even though
# the control loop's process is killed (-9) in the middle of a drain: its
# replacement finds the domain draining and finishes; no flapping:
# exactly two added and two removed.  The scaler and the
# agent stop with exit 0 and no sanitizer report.
#   it_fleet.sh BUILD_DIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"
build=$1
xensim=$build/xensim/bin/xensim
ctl=$build/tools/shoalctl/shoalctl
run=$(test_dir shoal-fleet)
export XENSIM_SOCKET=$run/sim/xensimd.sock
trap 'track_cleanup; "$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT
port=5481

mkdir -p "$run/db"
fleet_agent_conf "127.0.0.1:$port"
# Fast enough for a test: a tick every 200 ms, one domain more a second
# at most, scale-in after 2 s of agreement.
cat >"$run/scaler.json" <<JSON
{ "store": { "sqlite": "$run/db/jobs.db" },
  "fleet": { "agent-domain": 0, "metric": "requests", "target": 200,
             "min": 1, "max": 3, "tick-ms": 200, "drain-ms": 3000,
             "scale-down-window-ms": 2000,
             "up": { "pods": 1, "percent": 0, "period-ms": 1000 },
             "down": { "pods": 1, "percent": 0, "period-ms": 1000 } } }
JSON
check "--check takes the fleet" "$build/daemons/scaler/scaler" --check \
	-c "$run/scaler.json"
sed 's/"requests"/"bytes"/' "$run/scaler.json" >"$run/bad.json"
out=$("$build/daemons/scaler/scaler" --check -c "$run/bad.json" 2>&1)
check "an unknown metric is refused ($out)" grep -q 'metric: "requests" or' <<<"$out"

# The scaler's domain first, paused: the web domains' policy names it by
# id (a service in a guest cannot read other domains' names), to let it
# read their counters and drain them.
fleet_start "$build/daemons/scaler/scaler" -c "$run/scaler.json" -v ||
	finish it_fleet
page() { curl -s --max-time 2 "http://127.0.0.1:$port/"; }
wait_for 15 eval '[ "$(fleet serving)" = 1 ]' ||
	bad "the scaler did not start one web domain: $(tail -5 "$run/sim/console.$sdom.log")"
check "one web domain answers on the shared port" test "$(page)" = ok
wait_for 5 eval '[ "$(fleet ticks)" -gt 5 ]' || bad "the loop does not tick"
check "... and with no load it stays one" test "$(fleet serving)" = 1 -a \
	"$(fleet created)" = 1

# The load step: wrk for 12 s at most (a bound, not a wait), a new
# connection for each request, so that the domains added get their share
# (the kernel spreads connections, not requests, over a shared port).
wrk -t1 -c8 -d12s -H 'Connection: close' "http://127.0.0.1:$port/" \
    >"$run/wrk.out" 2>&1 &
wrk=$!
# Once the fleet grows, the agent is killed (-9): the scaler's calls to
# it fail (counted) until a new agent adopts the domains, then the fleet
# grows on.
wait_for 10 eval '[ "$(fleet serving)" -ge 2 ]' || bad "under load it did not grow"
kill -KILL "$apid"
wait "$apid" 2>/dev/null
wait_for 5 eval '[ "$(fleet errors)" -gt 0 ]' ||
	bad "the scaler did not notice the agent gone"
start_agent
adopted() { grep 'domains of ours running' "$run/agent.log" | sed -n 2p; }
wait_for 10 eval '[ -n "$(adopted)" ]' ||
	bad "the new agent did not list the fleet: $(tail -3 "$run/agent.log")"
check "... and adopted it ($(adopted))" \
	grep -q ': [1-9][0-9]* domains of ours running' <<<"$(adopted)"
wait_for 10 eval '[ "$(fleet serving)" = 3 ]' ||
	bad "under load it did not grow to 3: $(fleet serving) serving, metric $(fleet metric)"
check "... and desired 3, what max allows" test "$(fleet desired)" = 3
wait "$wrk"
check "wrk got answers throughout ($(grep -E 'Requests/sec|Non-2xx|Socket errors' "$run/wrk.out" | tr '\n' ' '))" \
	sh -c "grep -q 'Requests/sec' '$run/wrk.out' && ! grep -q 'Non-2xx' '$run/wrk.out'"
# Each domain added took part of the load (the kernel spreads a shared
# port's connections): every serving domain answered requests.
served=0
for w in $("$xensim" list | awk '/^web-[0-9]+ .* running/ { print $2 }'); do
	n=$("$ctl" --domain "$w" --json http.stats 2>/dev/null | jq -r '.requests')
	[ "${n:-0}" -gt 0 ] && served=$((served + 1))
done
check "... and $served of the 3 web domains served requests" test "$served" = 3

# The load gone: back to 1 after the window, each removed one drained.
# Idle connections held open (bash's /dev/tcp) keep a drained domain
# draining until drain-ms, and while the first one drains the control
# loop's process is killed (-9): the scaler starts another, which finds
# that domain draining (http.stats says so) and finishes the scale-in.
slog=$run/sim/console.$sdom.log
idle=()
for _ in 1 2 3 4 5 6 7 8 9; do
	exec {fd}<>"/dev/tcp/127.0.0.1/$port" && idle+=("$fd")
done
wait_for 10 grep -q 'fleet: domain [0-9]* draining' "$slog" ||
	bad "no scale-in began"
spid=$("$xensim" list | awk '$1 == "scaler" { print $3 }')
loop=$(pgrep -P "${spid:-0}" | head -n 1)
check "the control loop is a process of its own ($loop)" test -n "$loop"
[ -n "$loop" ] && kill -KILL "$loop"
wait_for 10 grep -q 'control loop ended; another in' "$slog" ||
	bad "the scaler did not see its control loop die"
for fd in "${idle[@]}"; do exec {fd}<&-; done
wait_for 20 eval '[ "$(fleet serving)" = 1 ] && [ "$(fleet draining)" = 0 ] &&
	[ "$("$xensim" list | grep -cE "^web-[0-9]+ .* running$")" = 1 ]' ||
	bad "it did not shrink back to 1: $(fleet serving) serving, $(fleet draining) draining"
check "the new loop found the drained domain and destroyed it" \
	grep -q 'fleet: domain [0-9]* found draining' "$slog"
# Added: distinct domains (a create retried after the agent's kill is
# answered with the domain its job made, and logged again).
added() { grep -o 'fleet: domain [0-9]* .*added' "$slog" | awk '{ print $3 }' | sort -u | wc -l; }
check "... two destroyed in all, no flapping (three added, two drained: $(grep -c 'fleet: domain [0-9]* destroyed' "$slog"), $(added), $(grep -c 'fleet: domain [0-9]* draining' "$slog"))" sh -c \
	"[ \$(grep -c 'fleet: domain [0-9]* destroyed' '$slog') = 2 ] &&
	 [ $(added) = 3 ] &&
	 [ \$(grep -c 'fleet: domain [0-9]* draining' '$slog') = 2 ]"
check "... the toolstack agrees: one web domain running" \
	test "$("$xensim" list | grep -cE '^web-[0-9]+ .* running$')" = 1
check "the port still answers" test "$(page)" = ok

# The scaler domain ends with exit 0 on SIGTERM, the agent too.
fleet_stop
[ "$failures" -eq 0 ] || tail -20 "$run/sim/console.$sdom.log"
finish it_fleet
