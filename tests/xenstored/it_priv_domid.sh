#!/usr/bin/env bash
# --priv-domid ("priv-domid" in the configuration): a control domain
# other than dom0, as Xen's C xenstored has it.  On xensim, with Debian's
# xenstore-utils run inside two domains through libxenstore:
#  - before the setting, the would-be control domain is refused a node
#    only dom0 may read, and IS_DOMAIN_INTRODUCED (xenstore-control
#    cannot send it; xs-dom-ops can);
#  - the configuration names it and SIGHUP reloads: it reads the node,
#    writes under /tool, and asks which domains are introduced;
#  - the other domain is still refused all of it.
#   it_priv_domid.sh BUILD_DIR
set -uo pipefail
build=$1
xensim=$build/xensim/bin/xensim
run=$(mktemp -d /tmp/xs-priv.XXXXXX)
export XENSIM_SOCKET=$run/xensimd.sock
trap '"$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT
. "$(dirname "$0")/../lib.sh"

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
[ "$failures" -eq 0 ] || { cat "$run"/*.out; tail -20 "$xslog"; }
"$xensim" destroy ctl
"$xensim" destroy guest
xensim_stop "$xensim" "$xspid" "$xslog"
finish it_priv_domid
