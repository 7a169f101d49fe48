# tests/scaler/lib.sh: what the scaler's fleet scripts share beyond
# tests/lib.sh (which it sources), sourced by them (bash).  They set
# build, xensim, ctl and run first.

. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# fleet_dnsd ZONE PORT: dnsd on 127.0.0.1:PORT serving ZONE (an SOA and
# an NS, a 1 s negative TTL) and taking updates signed with the key
# "scaler." (its secret in $secret), its journal in $run/jnl; $dpid.
# Returns once dnsd answers, 1 if it did not.
fleet_dnsd() {
	local zone=$1 port=$2
	secret=$(openssl rand -base64 32)
	mkdir -p "$run/jnl"
	daemon_writes shoal-dnsd "$run/jnl"
	printf '$ORIGIN %s.\n$TTL 60\n@ SOA ns1 hostmaster 1 3600 600 86400 1\n@ NS ns1\nns1 A 127.0.0.1\n' \
	    "$zone" >"$run/fleet.zone"
	cat >"$run/dnsd.json" <<JSON
{ "listen": ["127.0.0.1:$port"], "journal-dir": "jnl",
  "tsig-keys": [ { "name": "scaler.", "algorithm": "hmac-sha256",
                   "secret": "$secret" } ],
  "zones": [ { "origin": "$zone.", "file": "fleet.zone",
               "update-keys": ["scaler."] } ] }
JSON
	"$build/daemons/dnsd/dnsd" -c "$run/dnsd.json" -v >"$run/dnsd.log" 2>&1 &
	dpid=$!
	track "$dpid"
	wait_for 10 eval "dig @127.0.0.1 -p $port +short $zone SOA | grep -q hostmaster"
}

# fleet_dns_json ZONE PORT NAME: the scaler's "dns" object for them.
fleet_dns_json() {
	printf '"dns": { "server": "127.0.0.1:%s", "zone": "%s.", "name": "%s.", "ttl": 1,
	         "key": { "name": "scaler.", "algorithm": "hmac-sha256", "secret": "%s" } }' \
	    "$2" "$1" "$3" "$secret"
}

# fleet_agent_conf LISTEN: the agent's configuration ($run/agent.json,
# $run/agent.policy, dom0 may list) keeping a warm pool of two web
# domains, each httpd standing by on LISTEN and serving $run/www.  With
# "{n}" in LISTEN ("127.0.1.{n}:PORT") each domain has its own address;
# without, all share the one port (reuse-port).
fleet_agent_conf() {
	local reuse=true args='' q='"'
	case $1 in
	*"{n}"*) reuse=false
		args=", $q--listen$q, $q$1$q" ;;
	esac
	mkdir -p "$run/www"
	echo ok >"$run/www/index.html"
	printf '{ "listen": ["%s"], "reuse-port": %s, "standby": true, "root": "%s/www" }\n' \
	    "${1//\{n\}/0}" "$reuse" "$run" >"$run/web.json"
	printf '%s\n' 'domain.* scaler allow' 'domain.list dom0 allow' \
	    'sys.* dom0 allow' >"$run/agent.policy"
	cat >"$run/agent.json" <<JSON
{ "xensim": "$xensim", "pool": 2,
  "domain": { "prefix": "web", "ready": "data/shoal/http/protocol",
              "command": ["$build/daemons/httpd/httpd", "-c", "$run/web.json"$args,
                          "--policy", "$run/web.policy"] } }
JSON
}

# fleet_start CMD...: xensim started ($xpid its xenstored), the scaler's
# domain made paused running CMD (start_scaler), the web domains' policy
# naming it "scaler", the agent started (start_agent; $apid) and its pool
# full, then the scaler unpaused.  Returns 1 after saying what failed.
fleet_start() {
	"$xensim" start --xenstored "$build/daemons/xenstored/xenstored" ||
		{ bad "xensim start"; return 1; }
	eval "$("$xensim" env)"
	xpid=$(cat "$run/sim/xenstored.pid")
	start_scaler "$@" || return 1
	printf '%s\n' 'http.stats scaler allow' 'http.serve scaler allow' \
	    'http.drain scaler allow' 'http.stats dom0 allow' 'sys.* dom0 allow' \
	    >"$run/web.policy"
	start_agent
	wait_for 30 eval '[ "$("$xensim" list | grep -cE "^web-[0-9]+ .* paused$")" = 2 ]' ||
		{ bad "the agent did not fill its pool: $(tail -3 "$run/agent.log")"; return 1; }
	"$xensim" unpause scaler
}

# start_scaler CMD...: a domain named scaler, paused, running CMD ($sdom,
# its log $slog), its name made readable by every domain: a guest reads
# no other domain's name unless dom0 allows it, and the web domains'
# policy names the scaler, so that a scaler started again in a new domain
# is the same caller to them (docs/scaler.md).
start_scaler() {
	sdom=$("$xensim" create --name scaler --paused -- "$@") &&
	    xenstore-chmod "/local/domain/$sdom/name" r0 ||
		{ bad "the scaler's domain"; return 1; }
	slog=$run/sim/console.$sdom.log
}

start_agent() {
	"$build/daemons/agent/agent" -c "$run/agent.json" \
	    --policy "$run/agent.policy" >>"$run/agent.log" 2>&1 &
	apid=$!
	track "$apid"
}

# fleet KEY: the scaler's daemon.fleet.KEY from its sys.stats.
fleet() {
	"$ctl" --json --service scaler sys.stats 2>/dev/null |
		jq -r ".daemon.fleet.$1 | select(. != null)"
}

# fleet_stop: the scaler's domain ends on SIGTERM with status 0 and no
# sanitizer report, then the agent, the web domains, xensim and dnsd.
fleet_stop() {
	local spid
	spid=$("$xensim" list | awk '$1 == "scaler" { print $3 }')
	[ -n "$spid" ] && kill -TERM "$spid"
	wait_for 10 grep -q "domain $sdom (scaler) died" "$run/sim/xensimd.log" ||
		bad "the scaler domain did not end on SIGTERM"
	check "... with exit status 0" grep -q "domain $sdom (scaler) died: exit status 0" \
		"$run/sim/xensimd.log"
	! sanitizer_report "$slog" || bad "sanitizer report in the scaler's log"
	stop_daemon "$apid" "$run/agent.log" agent
	for w in $("$xensim" list | awk '/^web-/ { print $1 }'); do
		"$xensim" destroy "$w" >/dev/null 2>&1
	done
	xensim_stop "$xensim" "$xpid" "$run/sim/xenstored.log"
	[ -z "${dpid:-}" ] || stop_daemon "$dpid" "$run/dnsd.log" dnsd
}
