#!/usr/bin/env bash
# Shoal's xenstored in a xenstore domain of its own on xensim, as
# init-xenstore-domain makes one: dom0 runs no xenstore daemon and
# reaches the store through its own ring (xensimd plays dom0's xenbus
# driver), guests through theirs.  With Debian's tools from dom0:
#   no xenstored process but the domain's; xenstore-utils work and
#   /tool/xenstored/domid names the domain; Xen's test-xenstore passes;
#   a guest works through its ring and is refused dom0's nodes; a
#   guest's destruction is noticed (@releaseDomain to a dom0 watcher);
#   its RPC service is listed under the store domain and answers;
#   SIGTERM stops xenstored with exit 0 and no sanitizer report.
#   it_store_domain.sh BUILD_DIR
set -uo pipefail
build=$1
xensim=$build/xensim/bin/xensim
. "$(dirname "$0")/../lib.sh"
run=$(test_dir xs-stubdom)
export XENSIM_SOCKET=$run/xensimd.sock
watcher=
trap '[ -n "$watcher" ] && kill "$watcher" 2>/dev/null
	"$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT

"$xensim" start --xenstore-domain "$build/daemons/xenstored/xenstored" -v ||
	{ echo "FAIL: start"; exit 1; }
eval "$("$xensim" env)"
sdom=$(xenstore-read /tool/xenstored/domid)
slog=$run/console.$sdom.log
spid=$("$xensim" list | awk '$1 == "xenstore" { print $3 }')
check "the xenstore domain is $sdom, /tool/xenstored/domid says" \
	test -n "$sdom" -a "$("$xensim" list | awk '$1 == "xenstore" { print $2 }')" = "$sdom"
check "dom0 reaches it through its ring's relay" \
	test "$XENSTORED_PATH" = "$run/xenbus.0"
# Every xenstored of this xensim (its socket in the environment) is the
# domain's process or its RPC helper (its child).  An earlier test's
# xenstored ending (its worker, helper and broker go a moment after the
# process that was waited for) is not one, nor is a zombie.
outside() {
	for p in $(pgrep -x xenstored); do
		case $(ps -o stat= -p "$p") in Z*) continue ;; esac
		tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null |
			grep -qx "XENSIM_SOCKET=$XENSIM_SOCKET" || continue
		[ "$p" = "$spid" ] || [ "$(ps -o ppid= -p "$p" | tr -d ' ')" = "$spid" ] ||
			echo "$p"
	done
}
check "no xenstored process outside the domain ($spid)" test -z "$(outside)"
check "xenstored serves dom0 on a ring" grep -q 'serving dom0 on its ring' "$slog"
# Its RPC helper (a client on xenstored's socket, so dom0 to it) offers
# the service under the store domain's id, where its vchans come from.
ctl=$build/tools/shoalctl/shoalctl
wait_for 10 sh -c "'$ctl' list | grep -q '^xenstore '" || bad "no xenstore service listed"
check "shoalctl lists the xenstore service in domain $sdom, named xenstore" \
	sh -c "'$ctl' list | grep -Eq '^xenstore +$sdom +xenstore +xenstored'"
check "its sys.stats answers over vchan from dom0" \
	sh -c "'$ctl' --domain xenstore sys.stats | grep -q '\"per_domain\"'"
check "the helper registered there" \
	grep -q "service xenstore registered at /local/domain/$sdom/data/shoal/xenstore" "$slog"
expect "" 0 xenstore-write /it/a 1
expect "1" 0 xenstore-read /it/a
expect "Domain-0" 0 xenstore-read /local/domain/0/name
exits 0 env -u LD_LIBRARY_PATH timeout 120 /usr/lib/xen-4.17/bin/test-xenstore -i 5 &&
	ok "test-xenstore from dom0" || bad "test-xenstore from dom0"

xenstore-watch @releaseDomain >"$run/release.out" 2>&1 &
watcher=$!
wait_for 5 grep -q . "$run/release.out" || bad "the @releaseDomain watch did not start"
g=$("$xensim" create --name guest -- sh -c "
	xenstore-write data/x hello && xenstore-read data/x
	xenstore-read /it/a || echo REFUSED; sleep 60")
wait_for 10 grep -q REFUSED "$run/console.$g.log" || bad "the guest did not finish"
check "the guest works through its ring" grep -qx hello "$run/console.$g.log"
check "... and is refused dom0's nodes" grep -q "couldn't read path /it/a" "$run/console.$g.log"
check "dom0 reads the guest's node" test "$(xenstore-read /local/domain/$g/data/x)" = hello
"$xensim" destroy guest
wait_for 10 eval '[ "$(grep -c @releaseDomain "$run/release.out")" -ge 2 ]' ||
	bad "dom0's watcher did not hear the guest go"
kill "$watcher"; watcher=

kill -TERM "$spid"
wait_for 10 sh -c "! kill -0 $spid 2>/dev/null" || bad "xenstored did not stop"
check "xenstored stopped on SIGTERM, no sanitizer report" \
	sh -c "grep -q 'SIGTERM received' '$slog' && ! grep -qE 'Sanitizer|runtime error' '$slog'"
[ "$failures" -eq 0 ] || tail -20 "$slog"
"$xensim" stop >/dev/null 2>&1
finish it_store_domain
