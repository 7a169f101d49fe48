#!/usr/bin/env bash
# What a disaggregated system gives domains other than dom0, on xensim,
# with Debian's xenstore-utils run inside domains through libxenstore.
#
# --priv-domid ("priv-domid" in the configuration): a control domain
# other than dom0, as Xen's C xenstored has it:
#  - before the setting, the would-be control domain is refused a node
#    only dom0 may read, and IS_DOMAIN_INTRODUCED (xenstore-control
#    cannot send it; xs-dom-ops can);
#  - the configuration names it and SIGHUP reloads: it reads the node,
#    writes under /tool, and asks which domains are introduced;
#  - the other domain is still refused all of it.
# The special names' permissions: a domain dom0 grants read on
# @introduceDomain (xenstore-chmod, as for a console or driver domain)
# watches it and hears the next domain come; one not granted is refused.
#   it_control_domains.sh BUILD_DIR
set -uo pipefail
build=$1
xensim=$build/xensim/bin/xensim
. "$(dirname "$0")/../lib.sh"
run=$(test_dir xs-priv)
export XENSIM_SOCKET=$run/xensimd.sock
trap '"$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT

echo '{ "priv-domid": 0 }' >"$run/xs.json"
"$xensim" start --xenstored "$build/daemons/xenstored/xenstored" \
	-c "$run/xs.json" -v || { echo "FAIL: start"; exit 1; }
eval "$("$xensim" env)"
xspid=$(cat "$run/xenstored.pid")
xslog=$run/xenstored.log

xenstore-write /tool/secret dom0-only
xenstore-chmod /tool/secret n0

# Each domain, once unpaused, runs the same probe and leaves its answers
# in $run/NAME.out: the exit status of each step, then what it printed.
probe() {
	"$xensim" create --name "$1" --paused -- sh -c "
	{ xenstore-read /tool/secret; echo \"read \$?\"
	  xenstore-write /tool/by-$1 yes; echo \"write \$?\"
	  '$build/tests/tools/xs-dom-ops' introduced 0; echo \"introduced \$?\"
	} >'$run/$1.tmp' 2>&1; mv '$run/$1.tmp' '$run/$1.out'; sleep 60"
}
ctl=$(probe ctl)
guest=$(probe guest)
check "two domains ($ctl, $guest)" test -n "$ctl" -a -n "$guest"

# Before: ctl is a guest like any other.
"$xensim" unpause ctl
wait_for 10 test -e "$run/ctl.out" || bad "ctl's probe did not finish"
check "before: ctl refused dom0's node" grep -qx 'read 1' "$run/ctl.out"
check "before: ctl refused /tool" grep -qx 'write 1' "$run/ctl.out"
check "before: ctl refused IS_DOMAIN_INTRODUCED" \
	grep -qx 'introduced 1' "$run/ctl.out"
"$xensim" destroy ctl
ctl=$(probe ctl)

# The configuration names it; a reload makes it privileged.
echo "{ \"priv-domid\": $ctl }" >"$run/xs.json"
kill -HUP "$xspid"
wait_for 10 grep -q "domain $ctl is privileged" "$xslog" ||
	bad "xenstored did not take priv-domid $ctl"
"$xensim" unpause ctl
"$xensim" unpause guest
wait_for 10 test -e "$run/ctl.out" -a -e "$run/guest.out" ||
	bad "the probes did not finish"
check "ctl ($ctl) reads dom0's node" grep -qx 'dom0-only' "$run/ctl.out"
check "... writes under /tool" test "$(xenstore-read /tool/by-ctl)" = yes
check "... asks IS_DOMAIN_INTRODUCED" grep -qx 'introduced 0' "$run/ctl.out"
check "guest ($guest) still refused dom0's node" grep -qx 'read 1' "$run/guest.out"
check "... and /tool" grep -qx 'write 1' "$run/guest.out"
check "... and IS_DOMAIN_INTRODUCED" grep -qx 'introduced 1' "$run/guest.out"
"$xensim" destroy ctl
"$xensim" destroy guest

# Special names: granted to one domain, not to another.
watcher() {	# paused: unpaused once its permissions are set
	"$xensim" create --name "$1" --paused -- sh -c "
	xenstore-watch -n 2 @introduceDomain >'$run/$1.events' 2>&1
	echo \"watch \$?\" >>'$run/$1.events'; sleep 60"
}
check "@introduceDomain is dom0's alone at first" \
	test "$("$build/tests/tools/xs-dom-ops" perms @introduceDomain)" = n0
condom=$(watcher console-like)
xenstore-chmod @introduceDomain n0 "r$condom"
check "... then readable by domain $condom" \
	test "$("$build/tests/tools/xs-dom-ops" perms @introduceDomain)" = "n0 r$condom"
other=$(watcher other)
"$xensim" unpause console-like
"$xensim" unpause other
wait_for 10 grep -q '^watch' "$run/other.events" ||
	bad "the ungranted domain's watch neither failed nor ended"
check "an ungranted domain ($other) may not watch @introduceDomain" \
	grep -q 'watch 1' "$run/other.events"
wait_for 10 grep -qx '@introduceDomain' "$run/console-like.events" ||
	bad "domain $condom's watch did not start"
"$xensim" create --name next -- sleep 60 >/dev/null
wait_for 10 grep -qx 'watch 0' "$run/console-like.events" ||
	bad "domain $condom did not hear the next domain come"
check "... the granted one heard @introduceDomain twice (initial, next)" \
	test "$(grep -cx '@introduceDomain' "$run/console-like.events")" = 2
[ "$failures" -eq 0 ] || { cat "$run"/*.out "$run"/*.events; tail -20 "$xslog"; }
"$xensim" destroy console-like
"$xensim" destroy other
"$xensim" destroy next
xensim_stop "$xensim" "$xspid" "$xslog"
finish it_control_domains
