#!/usr/bin/env bash
# Two simulated hosts, one job store (docs/scaler.md): two xensim
# instances, each with its own xenstored, dom0 agent and scaler domain,
# both scalers on one PostgreSQL.  One leads (a session advisory lock):
# its control loop runs and its host serves the site's port, while the
# other's waits with its web domains in the pool.  Host A's scaler
# starts first and leads; host A is then killed (its scaler -9, then the
# whole xensim), the lock goes with A's connection, and host B's scaler
# takes over within seconds: its loop runs, a web domain of B's serves
# the port.  B's scaler and agent stop cleanly.
#   it_failover.sh BUILD_DIR PG_CONNINFO   (with_postgres.sh gives one)
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
build=$1 pg=$2
xensim=$build/xensim/bin/xensim
ctl=$build/tools/shoalctl/shoalctl
run=$(test_dir shoal-failover)
port=5483
trap 'track_cleanup; for h in a b; do XENSIM_SOCKET=$run/$h/xensimd.sock \
	"$xensim" stop >/dev/null 2>&1; done; rm -rf "$run"' EXIT

mkdir -p "$run/www"
echo ok >"$run/www/index.html"
cat >"$run/scaler.json" <<JSON
{ "store": { "postgresql": "$pg" },
  "fleet": { "target": 1000, "min": 1, "max": 2, "tick-ms": 200,
             "scale-down-window-ms": 60000 } }
JSON
printf '%s\n' 'domain.* scaler allow' 'sys.* dom0 allow' >"$run/agent.policy"

# host H: its xensim and xenstored, the scaler's domain made paused (the
# web domains' policy names it by id), its agent with a pool of 2.
up() {
	local h=$1
	export XENSIM_SOCKET=$run/$h/xensimd.sock
	"$xensim" start --xenstored "$build/daemons/xenstored/xenstored" ||
		{ bad "host $h: xensim start"; return 1; }
	eval "$("$xensim" env)"
	sdom=$("$xensim" create --name scaler --paused -- \
	    "$build/daemons/scaler/scaler" -c "$run/scaler.json" -v)
	cat >"$run/$h/web.json" <<-JSON
	{ "listen": ["127.0.0.1:$port"], "reuse-port": true, "standby": true,
	  "root": "$run/www" }
	JSON
	printf '%s\n' "http.* $sdom allow" 'http.stats dom0 allow' \
	    'sys.* dom0 allow' >"$run/$h/web.policy"
	cat >"$run/$h/agent.json" <<-JSON
	{ "xensim": "$xensim", "pool": 2,
	  "domain": { "prefix": "web", "ready": "data/shoal/http/protocol",
	    "command": ["$build/daemons/httpd/httpd", "-c", "$run/$h/web.json",
	                "--policy", "$run/$h/web.policy"] } }
	JSON
	"$build/daemons/agent/agent" -c "$run/$h/agent.json" \
	    --policy "$run/$h/agent.policy" >"$run/$h/agent.log" 2>&1 &
	eval "apid_$h=$!"
	track "$!"
	wait_for 30 eval '[ "$("$xensim" list | grep -cE "^web-[0-9]+ .* paused$")" = 2 ]' ||
		bad "host $h: the agent did not fill its pool"
	"$xensim" unpause scaler
	eval "sdom_$h=$sdom"
}
on() {	# on HOST CMD...: with that host's xensim
	local h=$1
	shift
	XENSIM_SOCKET=$run/$h/xensimd.sock LD_LIBRARY_PATH=$build/xensim/lib \
	    XENSTORED_PATH=$run/$h/xenstored.sock "$@"
}
fleet() {	# fleet HOST KEY: that host's scaler's counter
	on "$1" "$ctl" --json --service scaler sys.stats 2>/dev/null |
		jq -r ".daemon.fleet.$2 | select(. != null)"
}
serving_webs() { on "$1" "$xensim" list | grep -cE '^web-[0-9]+ .* running$'; }
page() { curl -s --max-time 2 "http://127.0.0.1:$port/"; }

mkdir -p "$run/a" "$run/b"
cp "$run/agent.policy" "$run/a/agent.policy"
cp "$run/agent.policy" "$run/b/agent.policy"
up a
wait_for 15 eval '[ "$(fleet a leading)" = true ] && [ "$(fleet a serving)" = 1 ]' ||
	bad "host A's scaler does not lead, or serves no domain: $(fleet a serving)"
check "the port answers (host A's domain)" test "$(page)" = ok
up b
wait_for 10 eval '[ "$(fleet b leading)" = false ]' ||
	bad "host B's scaler is not waiting: leading $(fleet b leading)"
check "... and host B runs no web domain (its pool only)" \
	test "$(serving_webs b)" = 0
check "... while A still leads" test "$(fleet a leading)" = true

# Host A dies: its scaler first (its connection, and the lock, with it).
spid=$(on a "$xensim" list | awk '$1 == "scaler" { print $3 }')
[ -n "$spid" ] && kill -KILL "$spid"
kill -KILL "$apid_a" 2>/dev/null
on a "$xensim" stop >/dev/null 2>&1
wait_for 15 eval '[ "$(fleet b leading)" = true ] && [ "$(fleet b serving)" = 1 ]' ||
	bad "host B did not take over: leading $(fleet b leading), serving $(fleet b serving)"
check "host B's scaler logged it" grep -q 'fleet: leading: the control loop runs' \
	"$run/b/console.$sdom_b.log"
wait_for 10 eval '[ "$(page)" = ok ]' || bad "the port does not answer from host B"
check "... one web domain of B's runs" test "$(serving_webs b)" = 1

spid=$(on b "$xensim" list | awk '$1 == "scaler" { print $3 }')
[ -n "$spid" ] && kill -TERM "$spid"
wait_for 10 grep -q "domain $sdom_b (scaler) died" "$run/b/xensimd.log" ||
	bad "host B's scaler did not end on SIGTERM"
check "... with exit status 0" grep -q "domain $sdom_b (scaler) died: exit status 0" \
	"$run/b/xensimd.log"
! sanitizer_report "$run/b/console.$sdom_b.log" || bad "sanitizer report in B's scaler log"
stop_daemon "$apid_b" "$run/b/agent.log" "host B's agent"
[ "$failures" -eq 0 ] || { tail -8 "$run/a/console.$sdom_a.log"; tail -8 "$run/b/console.$sdom_b.log"; }
finish it_failover
