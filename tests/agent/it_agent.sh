#!/usr/bin/env bash
# The dom0 agent under xensim (docs/agent.md): it keeps a warm pool of
# two paused web domains; dom0 may not call domain.* (the policy gives it
# to the domain named scaler alone); the scaler domain, calling with
# shoalctl over vchan, gets two domains from the pool (warm: booted, then
# paused until taken), a third built or from the refilled pool, the
# list, a destroy, a pause and an unpause, and is refused its own domain
# (not the agent's); a create with a token, asked again with that token,
# gets the same domain; the pool is refilled; a restarted agent adopts
# every domain it had and builds no extra one, and answers the token
# again with the same domain; SIGTERM exits 0 with no sanitizer report.
#   it_agent.sh BUILD_DIR
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
build=$1
xensim=$build/xensim/bin/xensim
ctl=$build/tools/shoalctl/shoalctl
agent=$build/daemons/agent/agent
run=$(test_dir shoal-agent)
export XENSIM_SOCKET=$run/sim/xensimd.sock
trap 'track_cleanup; "$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT

cat >"$run/agent.json" <<JSON
{ "xensim": "$xensim",
  "domain": { "command": ["sh", "-c",
                "echo WEB-UP && xenstore-write data/up 1; exec sleep 600"],
              "prefix": "web", "memory-mb": 32, "ready": "data/up" },
  "pool": 2 }
JSON
printf '%s\n' 'domain.* scaler allow' 'sys.* dom0 allow' >"$run/policy"

check "--check loads the configuration" "$agent" --check -c "$run/agent.json"
printf '{ "xensim": "%s", "domain": { "command": [] } }\n' "$xensim" >"$run/bad.json"
out=$("$agent" --check -c "$run/bad.json" 2>&1)
check "an empty command is refused ($out)" grep -q 'xensim needs a command' <<<"$out"
printf '{ "xensim": "%s", "libxl": { "domain-config": "web.json" },
  "domain": { "command": ["x"] } }\n' "$xensim" >"$run/bad.json"
out=$("$agent" --check -c "$run/bad.json" 2>&1)
check "two toolstacks are refused ($out)" grep -q 'one toolstack' <<<"$out"

"$xensim" start --xenstored "$build/daemons/xenstored/xenstored" ||
	{ bad "xensim start"; finish it_agent; }
eval "$("$xensim" env)"
xpid=$(cat "$run/sim/xenstored.pid")

start_agent() {
	"$agent" -c "$run/agent.json" --policy "$run/policy" -v \
	    >>"$run/agent.log" 2>&1 &
	apid=$!
	track "$apid"
}
paused_webs() { "$xensim" list | grep -cE '^web-[0-9]+ .* paused$'; }
running_webs() { "$xensim" list | grep -cE '^web-[0-9]+ .* running$'; }

start_agent
wait_for 10 grep -q 'privileges dropped' "$run/agent.log" ||
	bad "the agent did not drop: $(tail -3 "$run/agent.log")"
# It holds the toolstack and stays root (docs/privilege.md), confined.
check "the agent: root, NoNewPrivs, a seccomp filter, Landlock" sh -c \
	"[ '$(status_of "$apid" Uid)' = 0 ] && [ '$(status_of "$apid" NoNewPrivs)' = 1 ] &&
	[ '$(status_of "$apid" Seccomp)' = 2 ] &&
	grep -q 'privileges dropped: uid 0, no_new_privs, Landlock' '$run/agent.log'"
wait_for 30 eval '[ "$(paused_webs)" = 2 ]' ||
	bad "no warm pool of two: $("$xensim" list)"
wait_for 10 grep -q 'rpc: service domain registered' "$run/agent.log" ||
	bad "the agent did not register domain.*"
# Booted, then paused: each pooled domain said it was up first.
for w in $("$xensim" list | awk '/^web-[0-9]+ .* paused$/ { print $2 }'); do
	check "pool domain $w booted before it was paused" \
		grep -q WEB-UP "$run/sim/console.$w.log"
done
exits 4 "$ctl" domain.list &&
	ok "dom0 is refused domain.list (exit 4: the policy)" ||
	bad "dom0 was not refused domain.list"
out=$("$ctl" --json --service domain sys.stats 2>&1)
check "sys.stats from dom0: two in the pool ($(tr -d '\n ' <<<"$out"))" \
	grep -q '"pool_ready": 2' <<<"$out"

# The scaler: a domain of its own, calling over vchan.
sdom=$("$xensim" create --name scaler -- sh -c '
	# Spaces and newlines go: one line per answer in the log.
	c() { "$0" --timeout 30000 --domain 0 --json "$@" 2>&1 | tr -d " \n"; }
	one=$(c domain.create); echo "CREATE1 $one"
	two=$(c domain.create); echo "CREATE2 $two"
	echo "CREATE3 $(c domain.create)"
	echo "LIST $(c domain.list)"
	id=$(echo "$one" | sed -n "s/.*\"domid\":\([0-9]*\).*/\1/p")
	echo "DESTROY1 $(c domain.destroy "$id")"
	echo "SELF $(c domain.destroy "$XENSIM_DOMID")"
	id2=$(echo "$two" | sed -n "s/.*\"domid\":\([0-9]*\).*/\1/p")
	echo "PAUSE $(c domain.pause "$id2")"
	echo "PAUSED $(c domain.list)"
	echo "UNPAUSE $(c domain.unpause "$id2")"
	echo "TOKEN1 $(c domain.create token=job-1)"
	echo "TOKEN2 $(c domain.create token=job-1)"
	echo DONE
	n=0; while [ ! -e "$1/go" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
	echo "TOKEN3 $(c domain.create token=job-1)"
	echo DONE2; exec sleep 600' "$ctl" "$run")
log=$run/sim/console.$sdom.log
wait_for 90 grep -q '^DONE' "$log" || bad "the scaler's calls did not finish: $(cat "$log")"
line() { sed -n "s/^$1 //p" "$log"; }
check "a first domain, from the pool ($(line CREATE1))" \
	grep -q '"warm":true' <<<"$(line CREATE1)"
check "a second, from the pool ($(line CREATE2))" \
	grep -q '"warm":true' <<<"$(line CREATE2)"
check "a third, built or from the refilled pool ($(line CREATE3))" \
	grep -q '"domid":[0-9]' <<<"$(line CREATE3)"
check "the list shows them ($(line LIST))" \
	grep -q '"state":"running"' <<<"$(line LIST)"
check "destroy of one of ours ($(line DESTROY1))" \
	grep -q '"name":"web-' <<<"$(line DESTROY1)"
check "its own domain is refused: not the agent's ($(line SELF))" \
	grep -q 'wasnotmadebythisagent' <<<"$(line SELF)"
check "pause of a running one ($(line PAUSE))" \
	grep -q '"name":"web-' <<<"$(line PAUSE)"
check "... listed as paused ($(line PAUSED))" \
	grep -q '"state":"paused"' <<<"$(line PAUSED)"
check "... and unpaused ($(line UNPAUSE))" \
	grep -q '"name":"web-' <<<"$(line UNPAUSE)"
tok=$(line TOKEN1 | sed -n 's/.*"domid":\([0-9]*\).*/\1/p')
check "a create with a token ($(line TOKEN1))" test -n "$tok"
check "... asked again with it: the same domain ($(line TOKEN2))" \
	grep -q "\"domid\":$tok," <<<"$(line TOKEN2)"
check "... the agent says so" grep -q "made for job-1 already" "$run/agent.log"
check "three web domains run, as the toolstack says" \
	test "$(running_webs)" = 3
wait_for 30 eval '[ "$(paused_webs)" = 2 ]' ||
	bad "the pool was not refilled: $("$xensim" list)"

# A restarted agent adopts all four and builds nothing.
before=$("$xensim" list | grep -cE '^web-')
stop_daemon "$apid" "$run/agent.log" agent
start_agent
wait_for 30 grep -q 'domains of ours running, 2 in the pool' "$run/agent.log" ||
	bad "the restarted agent did not adopt: $(tail -5 "$run/agent.log")"
check "... 3 running and 2 pooled adopted" \
	grep -q '3 domains of ours running, 2 in the pool' "$run/agent.log"
wait_for 10 grep -q -c 'rpc: service domain registered' "$run/agent.log"
check "... and no domain built after the restart ($before web domains)" \
	test "$("$xensim" list | grep -cE '^web-')" = "$before"
check "... no two with one name" \
	test -z "$("$xensim" list | awk '/^web-/ { print $1 }' | sort | uniq -d)"
touch "$run/go"
wait_for 30 grep -q '^DONE2' "$log" || bad "the call after the restart did not finish"
check "the token again, to the restarted agent: the same domain ($(line TOKEN3))" \
	grep -q "\"domid\":$tok," <<<"$(line TOKEN3)"
check "... and still no domain built" \
	test "$("$xensim" list | grep -cE '^web-')" = "$before"
stop_daemon "$apid" "$run/agent.log" agent
"$xensim" destroy scaler >/dev/null
xensim_stop "$xensim" "$xpid" "$run/sim/xenstored.log"
[ "$failures" -eq 0 ] || tail -20 "$run/agent.log"
finish it_agent
