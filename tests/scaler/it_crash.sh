#!/usr/bin/env bash
# The crash test (docs/scaler.md): the fleet of it_fleet_dns.sh (dnsd
# taking the scaler's updates, web domains on 127.0.1.N) is driven up
# and down by bursts of load that resolves through dnsd, while something
# is killed with SIGKILL at 50 random points (a random pause of 0.1 to
# 1.2 s before each): the whole scaler (its domain's init, respawn.sh,
# starts it again in the same domain), or only its control loop's
# process (the scaler forks another), or the dom0 agent (started again,
# it adopts the fleet).  At every point, before the kill:
#   dns       every address DNS gives for the name is that of a web
#             domain running then: no record of a dead domain
# After the last kill the load stops, and within 40 s:
#   converged one web domain serving (min), none draining, one running
#             in the toolstack and the pool full (2 paused), DNS holding
#             exactly the serving one's address
#   orphans   every web domain in the toolstack is one the agent lists
#             (running or in its pool): none left behind by a kill
#   jobs      every create the loop decided is a job in the store, and
#             every one is done (none ready, running or dead: none
#             lost); each job made exactly one domain, even those retried
#             after a kill (the agent answers a retried token with the
#             domain it made: no effect twice)
#   clean     the scaler's last run exits 0 on SIGTERM with no
#             sanitizer report, the agent and dnsd too
#   it_crash.sh BUILD_DIR [POINTS]
# Ports, loopback only: dnsd 5378; the web domains 127.0.2.N:5484.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
build=$1
points=${2:-50}
xensim=$build/xensim/bin/xensim
ctl=$build/tools/shoalctl/shoalctl
here=$(cd "$(dirname "$0")" && pwd)
run=$(test_dir shoal-crash)
export XENSIM_SOCKET=$run/sim/xensimd.sock
trap 'track_cleanup; "$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT
mkdir -p "$run/db"
dport=5378 port=5484 name=www.crash.test

fleet_dnsd crash.test $dport || { bad "dnsd does not serve crash.test"; finish it_crash; }
addrs() {
	dig @127.0.0.1 -p $dport +tries=3 +time=2 +norec +short "$name" A \
	    2>/dev/null | sort
}
fleet_agent_conf "127.0.2.{n}:$port"
cat >"$run/scaler.json" <<JSON
{ "store": { "sqlite": "$run/db/jobs.db" },
  "fleet": { "agent-domain": 0, "metric": "requests", "target": 40,
             "min": 1, "max": 3, "tick-ms": 100, "drain-ms": 1000,
             "scale-down-window-ms": 1000,
             "up": { "pods": 1, "percent": 0, "period-ms": 300 },
             "down": { "pods": 1, "percent": 0, "period-ms": 300 },
             $(fleet_dns_json crash.test $dport "$name") } }
JSON
# Its domain's init starts it again when it is killed (respawn.sh).
fleet_start "$here/respawn.sh" 100 "$build/daemons/scaler/scaler" \
    -c "$run/scaler.json" -v || finish it_crash
# name state for each web domain in the toolstack
webs() { "$xensim" list | awk '/^web-[0-9]+ / { print $1, $NF }'; }
running_addrs() {
	webs | awk '$2 == "running" { sub(/^web-/, "", $1); print "127.0.2." $1 }' | sort
}
wait_for 15 eval '[ "$(fleet serving)" = 1 ] && [ -n "$(addrs)" ]' ||
	bad "the fleet did not start: $(tail -5 "$slog")"

# Bursts of load, 3 s on and 3 s off, for as long as the kills go on.
(
	while [ ! -e "$run/stop-load" ]; do
		python3 "$here/dns_load.py" --dns 127.0.0.1:$dport --name "$name" \
		    --port $port --seconds 3 --max 20000 --threads 4 \
		    >>"$run/load.json" 2>/dev/null
		sleep 3
	done
) &
loadpid=$!

scaler_pid() {	# the scaler process under the domain's respawn.sh
	local init
	init=$("$xensim" list | awk '$1 == "scaler" { print $3 }')
	[ -n "$init" ] && pgrep -P "$init" -x scaler | head -n 1
}
loop_pid() { local s; s=$(scaler_pid); [ -n "$s" ] && pgrep -P "$s" | head -n 1; }
killed_scaler=0 killed_loop=0 killed_agent=0 dns_bad=0
for i in $(seq "$points"); do
	sleep "0.$((RANDOM % 12 + 1))"
	# DNS names only running domains, whatever was killed before.
	extra=$(comm -23 <(addrs) <(running_addrs))
	if [ -n "$extra" ]; then
		dns_bad=$((dns_bad + 1))
		echo "point $i: DNS has $(echo $extra) with no running domain ($(webs | tr '\n' ' '))"
	fi
	case $((RANDOM % 5)) in
	0|1|2)	p=$(scaler_pid); what=scaler ;;
	3)	p=$(loop_pid); what=loop ;;
	4)	p=$apid; what=agent ;;
	esac
	[ -n "$p" ] || continue
	kill -KILL "$p" 2>/dev/null || continue
	case $what in
	scaler)	killed_scaler=$((killed_scaler + 1)) ;;
	loop)	killed_loop=$((killed_loop + 1)) ;;
	agent)	killed_agent=$((killed_agent + 1))
		wait "$apid" 2>/dev/null
		start_agent ;;
	esac
done
touch "$run/stop-load"
wait "$loadpid"
echo "killed: scaler $killed_scaler, control loop $killed_loop, agent $killed_agent"
check "$points points, each kind killed (scaler $killed_scaler, loop $killed_loop, agent $killed_agent)" \
	test $((killed_scaler + killed_loop + killed_agent)) -ge $((points * 4 / 5)) -a \
	"$killed_scaler" -gt 0 -a "$killed_loop" -gt 0 -a "$killed_agent" -gt 0
check "DNS never named a domain not running ($dns_bad points did)" test "$dns_bad" = 0
most=$(jq -s 'map(.by_address | length) | max' "$run/load.json")
check "the load saw the fleet grow (a burst reached $most domains)" \
	test "${most:-0}" -ge 2

converged() {
	[ "$(fleet serving)" = 1 ] && [ "$(fleet draining)" = 0 ] &&
	    [ "$(webs | grep -c ' running$')" = 1 ] &&
	    [ "$(webs | grep -c ' paused$')" = 2 ] &&
	    [ "$(addrs)" = "$(running_addrs)" ]
}
wait_for 40 converged ||
	bad "no convergence: serving $(fleet serving), draining $(fleet draining), toolstack $(webs | tr '\n' ' '), DNS $(addrs | tr '\n' ' ')"
check "DNS holds the one serving domain ($(addrs))" test "$(addrs)" = "$(running_addrs)"
listed=$("$ctl" --json --domain 0 --service domain domain.list 2>/dev/null |
	jq -r '.domains[].name' | sort)
check "no orphan: the toolstack's web domains are the agent's ($(echo $listed))" \
	test "$(webs | awk '{ print $1 }' | sort)" = "$listed"
# --- jobs: all done, each one domain.
jobs=$("$ctl" --json --service scaler scaler.jobs limit=1000 2>/dev/null)
ncreate=$(jq '[.jobs[] | select(.kind == "domain.create")] | length' <<<"$jobs")
ndone=$(jq '[.jobs[] | select(.kind == "domain.create" and .state == "done")] | length' <<<"$jobs")
check "every create job is done ($ndone of $ncreate)" \
	test "${ncreate:-0}" -gt 0 -a "$ndone" = "$ncreate"
# job-ID -> domid, from every "added" line of every run of the scaler.
grep -o 'fleet: domain [0-9]* ([^)]*) added.*, job-[0-9]*' "$slog" |
	awk '{ print $NF, $3 }' | sort -u >"$run/added"
per_job=$(awk '{ print $1 }' "$run/added" | uniq -d)
check "each job made one domain, retried or not ($(wc -l <"$run/added") job-domain pairs, $(grep -c 'made for job-' "$run/agent.log") retries answered with the first domain)" \
	test -z "$per_job" -a "$(awk '{ print $1 }' "$run/added" | sort -u | wc -l)" = "$ndone"
check "the scaler came back after each kill ($(grep -c 'respawn: .* killed' "$slog") restarts)" \
	test "$(grep -c 'respawn: .* killed' "$slog")" = "$killed_scaler"

fleet_stop
[ "$failures" -eq 0 ] || { tail -30 "$slog"; tail -20 "$run/agent.log"; }
finish it_crash
