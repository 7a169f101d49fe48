#!/usr/bin/env bash
# consoled in a console domain of its own, on xensim, as a disaggregated
# system runs it: dom0 runs no console daemon.  The toolstack's part is
# done as libxl does it (deploy/console-domain): dom0 grants the domain
# read on @introduceDomain, @releaseDomain and /local/domain and writes
# its id to /tool/xenconsoled/domid; from then on `xensim create` grants
# each new guest's console page and port to that domain, and lets it
# read the guest's console nodes and write console/tty.  xensim, as Xen,
# lists domains to dom0 and the xenstore domain only, so consoled lists
# them from xenstore.  Then, from dom0 over vchan (shoalctl --domain console):
#   a guest's 64 KiB stream is logged in the console domain, exactly;
#   console.write reaches an echoing guest and console.tail reads the
#   echo back; console.list; `shoalctl console attach` driven through a
#   pty (tests/tools/pty-drive) types a line the guest echoes back,
#   and ^] leaves; a destroyed guest is noticed;
# consoled killed (SIGKILL) and started again in the same domain takes
# every console back (the grants and ports are the domain's, not the
# process's); and SIGTERM stops consoled with exit 0 and no sanitizer
# report.
#   it_console_domain.sh BUILD_DIR
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
build=$1
xensim=$build/xensim/bin/xensim
guest=$build/tests/tools/con-guest
ctl=$build/tools/shoalctl/shoalctl
run=$(test_dir con-dom)
export XENSIM_SOCKET=$run/xensimd.sock
trap '"$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT

"$xensim" start --xenstored "$build/daemons/xenstored/xenstored" ||
	{ echo "FAIL: start"; exit 1; }
eval "$("$xensim" env)"
xspid=$(cat "$run/xenstored.pid")
printf '%s\n' 'console.* dom0 allow' 'sys.* dom0 allow' >"$run/policy"
logs=$run/logs
# The domain's init restarts consoled once, as a stub domain's would.
condom=$("$xensim" create --name console --paused -- sh -c "
	for attempt in first second; do
		'$build/daemons/consoled/consoled' --log-dir '$logs' \
		    --policy '$run/policy'
		echo \"consoled exited \$?\"
	done; sleep 60")
check "the console domain ($condom)" test -n "$condom"
"$(dirname "$0")/../../deploy/console-domain" "$condom" ||
	bad "deploy/console-domain $condom"
"$xensim" unpause console
clog=$run/console.$condom.log
wait_for 20 grep -q 'serving consoles' "$clog" || bad "consoled did not start"
check "consoled knows it is in domain $condom" \
	grep -q "in domain $condom: serving the consoles" "$clog"
# Logged at its first scan, which comes after "serving consoles": waited
# for, not looked for once.
wait_for 20 grep -q "Xen does not list domains to this one (Operation not permitted)" "$clog" &&
	ok "Xen (xensim) does not list domains to it: it reads /local/domain" ||
	bad "Xen (xensim) does not list domains to it: no such line in its log"
wait_for 20 sh -c "'$ctl' list 2>/dev/null | grep -q '^console .*console'" ||
	bad "the console service is not registered: $("$ctl" list 2>&1)"

bytes=65536
g=$("$xensim" create --name stream -- "$guest" write 11 $bytes 0)
wait_for 20 grep -q '^DONE' "$run/console.$g.log" || bad "stream: never done"
wait_for 10 eval '[ "$(stat -c %s "$logs/guest-stream.log" 2>/dev/null)" = '$bytes' ]' ||
	bad "stream: not all logged in the console domain: $(tail -5 "$clog")"
check "stream: the console domain's log is the stream, exactly" \
	"$guest" check 11 "$logs/guest-stream.log" $bytes
# libxl waits for console/tty; a console domain's pty is no use to dom0,
# so the node names the domain, on a path no one can open.
check "stream: its console/tty written by the console domain, and not openable in dom0" \
	sh -c "[ \"\$(xenstore-read /local/domain/$g/console/tty)\" = /dev/null/console-domain-$condom ] &&
	! true 3<>/dev/null/console-domain-$condom 2>/dev/null"

e=$("$xensim" create --name echo -- "$guest" echo)
wait_for 20 grep -q READY "$run/console.$e.log" || bad "echo: not ready"
con() { "$ctl" --domain console "$@"; }
check "console.list from dom0 lists both guests" sh -c "
	'$ctl' --domain console --json console.list >'$run/list.json' &&
	grep -q '\"name\": \"stream\"' '$run/list.json' &&
	grep -q '\"name\": \"echo\"' '$run/list.json'"
con console.write echo data=$'ping-4242\n' | grep -q '^written: 10$' ||
	bad "console.write to the echoing guest"
wait_for 10 grep -q 'GOT 10: ping-4242' "$run/console.$e.log" ||
	bad "console.write did not reach the guest"
wait_for 10 sh -c "'$ctl' --domain console console.tail echo 20 | grep -q ping-4242" ||
	bad "console.tail did not read the echo back: $(con console.tail echo 20 2>&1 | tail -3)"
# Interactive, through a pty: typed keys reach the guest, its echo comes
# back, ^] leaves with 0.
check "console attach: a typed line echoed back through a pty, ^] leaves" \
	"$build/tests/tools/pty-drive" attach-5150 \
	"$ctl" --domain console console attach echo
check "console attach: the typed line reached the guest" \
	grep -q 'attach-5150' "$run/console.$e.log"
exits 1 "$ctl" --domain console console attach nosuch &&
	ok "console attach to no such guest: exit 1" ||
	bad "console attach to no such guest did not exit 1"
"$xensim" destroy stream
wait_for 10 grep -q "domain $g (stream) gone" "$clog" ||
	bad "the console domain did not notice the guest's destruction"

consoled_pid() {
	pgrep -P "$("$xensim" list | awk '$1 == "console" { print $3 }')" consoled
}
cpid=$(consoled_pid)
kill -KILL "$cpid"
wait_for 10 grep -q 'consoled exited 137' "$clog" || bad "consoled was not killed"
wait_for 20 eval '[ "$(grep -c "(echo): console attached" "$clog")" = 2 ]' ||
	bad "the second consoled did not take the echo guest's console back"
con console.write echo data=$'pong-77\n' >/dev/null ||
	bad "console.write to the second consoled"
wait_for 10 grep -q 'GOT 8: pong-77' "$run/console.$e.log" ||
	bad "the second consoled's console.write did not reach the guest"
wait_for 10 sh -c "'$ctl' --domain console console.tail echo 20 | grep -q pong-77" ||
	bad "the second consoled did not log the echo"

cpid=$(consoled_pid)
kill -TERM "$cpid"
wait_for 15 sh -c "! kill -0 $cpid 2>/dev/null" || bad "consoled did not stop"
check "consoled stopped on SIGTERM with 0, and no sanitizer report" \
	sh -c "grep -q 'consoled exited 0' '$clog' && ! grep -qE 'Sanitizer|runtime error' '$clog'"
[ "$failures" -eq 0 ] || tail -30 "$clog"
"$xensim" destroy echo
"$xensim" destroy console 2>/dev/null
xensim_stop "$xensim" "$xspid" "$run/xenstored.log"
finish it_console_domain
