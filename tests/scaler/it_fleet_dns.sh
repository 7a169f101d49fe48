#!/usr/bin/env bash
# DNS that follows the fleet (docs/scaler.md), end to end on xensim.
# dnsd serves fleet.test and takes signed updates; the dom0 agent keeps
# a warm pool of web domains, each listening on an address of its own
# (127.0.1.N, "{n}" in the agent's command); the scaler, a domain of its
# own, keeps www.fleet.test's A records those of the domains that serve.
# The load comes from tests/scaler/dns_load.py, which resolves the name
# through dnsd before every request and picks one of the addresses.
#   start     with no load: one domain, and www.fleet.test has its
#             address alone
#   out       a load step (12 s, bounded): replicas rise to max (3), DNS
#             has three addresses, every request answered 200, and the
#             requests went to more than one domain
#   in        a light load (20 requests a second) while the fleet
#             shrinks back to one: each domain leaves DNS, is drained
#             after the TTL, then destroyed; not one request fails
#   dead      the last web domain destroyed behind the scaler's back
#             (xensim destroy): the agent sees it gone from the
#             toolstack's list, a new one serves, and DNS has its address
#             and not the dead one's
#   restart   the scaler's whole domain destroyed and a new one started
#             with the same configuration and queue: it keeps the web
#             domain that serves (the web domains' policy names it
#             "scaler", its name made readable), DNS is unchanged and
#             the agent builds nothing
# The scaler domain ends with exit 0 on SIGTERM, dnsd and the agent too,
# none with a sanitizer report.
#   it_fleet_dns.sh BUILD_DIR
# Ports, loopback only: dnsd 5377; the web domains 127.0.1.N:5483.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
build=$1
xensim=$build/xensim/bin/xensim
ctl=$build/tools/shoalctl/shoalctl
load=$(dirname "$0")/dns_load.py
run=$(test_dir shoal-fleetdns)
export XENSIM_SOCKET=$run/sim/xensimd.sock
trap 'track_cleanup; "$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT
mkdir -p "$run/db"
dport=5377 port=5483 name=www.fleet.test

for tool in dig python3 jq curl; do
	command -v "$tool" >/dev/null || { bad "$tool is not installed"; finish it_fleet_dns; }
done

# --- dnsd, with the fleet's zone and the scaler's key; the fleet, each
# web domain on 127.0.1.N, standing by until the scaler tells it to serve.
fleet_dnsd fleet.test $dport ||
	{ bad "dnsd does not serve fleet.test: $(cat "$run/dnsd.log")"; finish it_fleet_dns; }
addrs() {
	dig @127.0.0.1 -p $dport +tries=3 +time=2 +norec +short "$name" A \
	    2>/dev/null | sort | tr '\n' ' '
}
naddrs() { addrs | wc -w; }
fleet_agent_conf "127.0.1.{n}:$port"
cat >"$run/scaler.json" <<JSON
{ "store": { "sqlite": "$run/db/jobs.db" },
  "fleet": { "agent-domain": 0, "metric": "requests", "target": 40,
             "min": 1, "max": 3, "tick-ms": 200, "drain-ms": 3000,
             "scale-down-window-ms": 2000,
             "up": { "pods": 1, "percent": 0, "period-ms": 1000 },
             "down": { "pods": 1, "percent": 0, "period-ms": 1000 },
             $(fleet_dns_json fleet.test $dport "$name") } }
JSON
check "--check takes fleet.dns" "$build/daemons/scaler/scaler" --check \
	-c "$run/scaler.json"
sed 's/"name": "www.fleet.test."/"name": "www.elsewhere.test."/' \
    "$run/scaler.json" >"$run/bad.json"
out=$("$build/daemons/scaler/scaler" --check -c "$run/bad.json" 2>&1)
check "a name outside the zone is refused ($out)" grep -q 'is not in fleet.test' <<<"$out"

fleet_start "$build/daemons/scaler/scaler" -c "$run/scaler.json" -v ||
	finish it_fleet_dns
running_webs() { "$xensim" list | awk '/^web-[0-9]+ .* running$/ { print $2 }'; }
listen_of() {	# the address web domain $1 listens on
	"$ctl" --domain "$1" --json http.stats 2>/dev/null |
		jq -r '.listen[0]' | sed 's/:[0-9]*$//'
}

# --- start
wait_for 15 eval '[ "$(fleet serving)" = 1 ] && [ "$(naddrs)" = 1 ]' ||
	bad "one domain in DNS: serving $(fleet serving), DNS '$(addrs)': $(tail -5 "$slog")"
first=$(running_webs)
check "DNS has the serving domain's address ($(addrs), domain $first at $(listen_of "$first"))" \
	test "$(addrs)" = "$(listen_of "$first") "
check "... and the scaler's sys.stats says so" \
	test "$(fleet dns.addresses[0])" = "$(listen_of "$first")"

# --- out
python3 "$load" --dns 127.0.0.1:$dport --name "$name" --port $port \
    --seconds 12 --max 40000 --threads 4 >"$run/load1.json" 2>"$run/load1.err" &
lpid=$!
wait_for 20 eval '[ "$(fleet serving)" = 3 ] && [ "$(naddrs)" = 3 ]' ||
	bad "under load: serving $(fleet serving), DNS '$(addrs)', metric $(fleet metric)"
wait "$lpid"
echo "load step: $(cat "$run/load1.json")"
check "every request of the load step answered 200" \
	jq -e '.errors == 0 and .ok > 500' "$run/load1.json"
check "... spread over more than one domain" \
	jq -e '(.by_address | length) >= 2' "$run/load1.json"

# --- in: a light load while it shrinks
python3 "$load" --dns 127.0.0.1:$dport --name "$name" --port $port \
    --seconds 20 --max 600 --rate 20 --threads 2 >"$run/load2.json" 2>"$run/load2.err" &
lpid=$!
wait_for 25 eval '[ "$(fleet serving)" = 1 ] && [ "$(fleet draining)" = 0 ] &&
	[ "$(running_webs | wc -l)" = 1 ] && [ "$(naddrs)" = 1 ]' ||
	bad "it did not shrink to 1: serving $(fleet serving), draining $(fleet draining), DNS '$(addrs)'"
wait "$lpid"
echo "scale-in: $(cat "$run/load2.json")"
check "not one request failed while domains left" \
	jq -e '.errors == 0 and .resolve_failures == 0 and .ok > 100' "$run/load2.json"
left=$(grep -c 'fleet: domain [0-9]* leaving DNS' "$slog")
check "two domains left DNS before their drain ($left), then were destroyed" sh -c \
	"[ $left = 2 ] && [ \$(grep -c 'fleet: domain [0-9]* draining' '$slog') = 2 ] &&
	 [ \$(grep -c 'fleet: domain [0-9]* destroyed' '$slog') = 2 ]"
last=$(running_webs)
check "DNS has the one left ($(addrs) for $last)" test "$(addrs)" = "$(listen_of "$last") "

# --- dead: the domain destroyed behind the scaler's back.
dead=$(listen_of "$last")
"$xensim" destroy "$("$xensim" list | awk -v d="$last" '$2 == d { print $1 }')" >/dev/null
one_in_dns() {	# the one web domain running is the one DNS names
	now=$(running_webs)
	[ "$(echo $now | wc -w)" = 1 ] && [ "$(addrs)" = "$(listen_of "$now") " ]
}
wait_for 20 one_in_dns ||
	bad "after a domain died: serving $(fleet serving), running $(echo $(running_webs)), DNS '$(addrs)', the dead one had $dead"
now=$(running_webs)
check "the agent saw it gone" grep -q "domain web-[0-9]* ([0-9]*) is gone, not by us" \
	"$run/agent.log"
check "DNS has the new domain ($(addrs) for $now), not the dead one's $dead" \
	test "$(addrs)" = "$(listen_of "$now") "
check "the name answers HTTP" test "$(curl -s --max-time 2 "http://$(addrs | tr -d ' '):$port/")" = ok

# --- restart: the scaler's whole domain replaced by a new one, which
# carries on from the queue and from what the domains say: the same
# domain serves, DNS is unchanged, and the agent builds nothing.
builds() { "$ctl" --json --service domain sys.stats 2>/dev/null |
	jq -r '.daemon | (.cold_starts + .warm_starts)'; }
before=$(builds) old=$sdom
"$xensim" destroy scaler >/dev/null
start_scaler "$build/daemons/scaler/scaler" -c "$run/scaler.json" -v &&
	"$xensim" unpause scaler
wait_for 20 eval '[ "$(fleet serving)" = 1 ] && one_in_dns' ||
	bad "after the scaler's domain was replaced: serving $(fleet serving), DNS '$(addrs)'"
check "the new scaler (domain $sdom, was $old) kept domain $now: no new build ($before, $(builds))" \
	sh -c "[ '$(running_webs)' = '$now' ] && [ '$(builds)' = '$before' ]"
check "... and DNS names it still ($(addrs))" test "$(addrs)" = "$(listen_of "$now") "

check "no control-loop actor crashed (actor_restarts $(fleet actor_restarts))" \
	test "$(fleet actor_restarts)" = 0

# --- stop
fleet_stop
[ "$failures" -eq 0 ] || { grep 'fleet:' "$slog" | tail -30; tail -10 "$run/dnsd.log"; }
finish it_fleet_dns
