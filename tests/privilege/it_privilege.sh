#!/usr/bin/env bash
# Least privilege, daemon by daemon (docs/privilege.md): each runs as a
# dom0 process and, once set up, must show NoNewPrivs and a seccomp filter in /proc/PID/status
# (and the uid it was told to take), log that it dropped with Landlock,
# and be refused a file outside what it kept, while what it kept still
# works: dnsd (as shoal-dnsd, on loopback) rereads a zone in its zone
# directory but not one moved elsewhere; httpd (as shoal-httpd) reopens
# its access log but may not take another document root; consoled (under
# xensim, as shoal-consoled) serves a guest's console through its store
# broker and may not make a log directory elsewhere on reload; dnsd as
# shoal-dnsd answers RPC over vchan, its broker refusing what is not its
# own and going with it; xenstored and its RPC helper
# (under xensim) show the same status; xenstored --user shoal-xenstored
# runs as that user under a root parent that executes a live update's
# new image (its own binary only), a guest served across the update.
#   it_privilege.sh BUILD_DIR ZONES_DIR
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
build=$1 zones=$2
xensim=$build/xensim/bin/xensim
run=$(test_dir shoal-priv)
chmod 755 "$run"	# shoal-dnsd rereads its zones below it
export XENSIM_SOCKET=$run/sim/xensimd.sock
trap 'track_cleanup; "$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT

# The daemon's own line, not its store broker's ("NAME-store: ...").
dropped() { grep -v -- '-store: ' "$1" | grep -q 'privileges dropped: uid [0-9]*, no_new_privs, Landlock'; }

### dnsd, as shoal-dnsd: its default as root in dom0
port=5393
mkdir -p "$run/dnsd/zones" "$run/dnsd/elsewhere"
cp "$zones/answer.zone" "$run/dnsd/zones/"
sed 's/^web\tA\t192.0.2.10/web\tA\t192.0.2.77/; s/hostmaster 1 /hostmaster 3 /' \
    "$zones/answer.zone" > "$run/dnsd/elsewhere/answer.zone"
conf() {	# conf ZONEFILE
	printf '{ "listen": ["127.0.0.1:%s"], "zones": [ { "origin": "example.com.", "file": "%s" } ] }\n' \
	    "$port" "$1" > "$run/dnsd/dnsd.json"
}
web() { dig @127.0.0.1 -p $port +time=1 +tries=1 +short web.example.com A 2>&1; }
conf zones/answer.zone
"$build/daemons/dnsd/dnsd" -c "$run/dnsd/dnsd.json" --no-rpc \
    > "$run/dnsd.log" 2>&1 &
dpid=$!
track "$dpid"
wait_for 10 eval '[ "$(web)" = 192.0.2.10 ]' || bad "dnsd did not answer"
check "dnsd: uid is shoal-dnsd's" \
    test "$(status_of "$dpid" Uid)" = "$(id -u shoal-dnsd)"
check "dnsd: NoNewPrivs" test "$(status_of "$dpid" NoNewPrivs)" = 1
check "dnsd: a seccomp filter" test "$(status_of "$dpid" Seccomp)" = 2
check "dnsd: dropped, with Landlock" dropped "$run/dnsd.log"
# What it kept: a zone edited in its directory is reread.
sed -i 's/^web\tA\t192.0.2.10/web\tA\t192.0.2.11/; s/hostmaster 1 /hostmaster 2 /' \
    "$run/dnsd/zones/answer.zone"
kill -HUP "$dpid"
wait_for 10 eval '[ "$(web)" = 192.0.2.11 ]' ||
	bad "dnsd: a zone in its directory was not reread ($(web))"
# What it did not: the zone moved to another directory.
conf elsewhere/answer.zone
kill -HUP "$dpid"
wait_for 10 grep -q 'elsewhere/answer.zone.*Permission denied' "$run/dnsd.log" ||
	bad "dnsd: a zone outside its directories was read: $(tail -3 "$run/dnsd.log")"
check "dnsd: ...and the old zone still answers" test "$(web)" = 192.0.2.11
stop_daemon "$dpid" "$run/dnsd.log" dnsd

### A host without the daemon's user: seen through a passwd without it
grep -v '^shoal-dnsd:' /etc/passwd > "$run/passwd.nodnsd"
# A command run with /etc/passwd lacking shoal-dnsd (one process: it
# execs, so $! is the daemon's pid).
without_user=(unshare -m sh -c 'mount --bind "$0" /etc/passwd && exec "$@"'
    "$run/passwd.nodnsd")
conf zones/answer.zone
"${without_user[@]}" "$build/daemons/dnsd/dnsd" -c "$run/dnsd/dnsd.json" \
    --no-rpc > "$run/nouser.log" 2>&1
check "no shoal-dnsd: dnsd refuses to start (exit 1)" test $? = 1
check "... saying so, before it binds anything" sh -c \
    "grep -q 'no user shoal-dnsd to run as' '$run/nouser.log' && ! grep -q listening '$run/nouser.log'"
# --user root keeps root; in another domain (xensim's) the domain is the
# boundary.  Both serve, as root, with the rest of the drop.
for how in "--user root" "domain 5"; do
	if [ "$how" = "--user root" ]; then
		"${without_user[@]}" "$build/daemons/dnsd/dnsd" \
		    -c "$run/dnsd/dnsd.json" --no-rpc --user root \
		    > "$run/root.log" 2>&1 &
	else
		env XENSIM_DOMID=5 "${without_user[@]}" "$build/daemons/dnsd/dnsd" \
		    -c "$run/dnsd/dnsd.json" --no-rpc > "$run/root.log" 2>&1 &
	fi
	rpid=$!
	track "$rpid"
	wait_for 10 eval '[ "$(web)" = 192.0.2.11 ]' || bad "$how: dnsd did not answer"
	check "$how: dnsd stays root, with NoNewPrivs" test \
	    "$(status_of "$rpid" Uid)" = 0 -a "$(status_of "$rpid" NoNewPrivs)" = 1
	stop_daemon "$rpid" "$run/root.log" "dnsd ($how)"
done

### httpd, as shoal-httpd
hport=5394
mkdir -p "$run/httpd/root" "$run/httpd/elsewhere" "$run/httpd/logs"
printf 'kept\n' > "$run/httpd/root/index.html"
printf 'outside\n' > "$run/httpd/elsewhere/index.html"
chown shoal-httpd "$run/httpd/logs"
chmod 755 "$run/httpd" "$run/httpd/root" "$run/httpd/elsewhere"
hconf() {	# hconf ROOT
	printf '{ "listen": ["127.0.0.1:%s"], "root": "%s", "access-log": "logs/access.log" }\n' \
	    "$hport" "$1" > "$run/httpd/httpd.json"
}
page() { curl -s --max-time 2 "http://127.0.0.1:$hport/"; }
hconf root
"$build/daemons/httpd/httpd" -c "$run/httpd/httpd.json" --no-rpc \
    --user shoal-httpd > "$run/httpd.log" 2>&1 &
hpid=$!
track "$hpid"
wait_for 10 eval '[ "$(page)" = kept ]' || bad "httpd did not serve"
check "httpd: uid is shoal-httpd's" \
    test "$(status_of "$hpid" Uid)" = "$(id -u shoal-httpd)"
check "httpd: NoNewPrivs" test "$(status_of "$hpid" NoNewPrivs)" = 1
check "httpd: a seccomp filter" test "$(status_of "$hpid" Seccomp)" = 2
check "httpd: dropped, with Landlock" dropped "$run/httpd.log"
# What it kept: its log directory, where SIGHUP reopens a moved log.
mv "$run/httpd/logs/access.log" "$run/httpd/logs/old.log"
kill -HUP "$hpid"
wait_for 10 grep -q 'reloaded ' "$run/httpd.log" || bad "httpd: no reload"
page >/dev/null
wait_for 5 test -s "$run/httpd/logs/access.log" ||
	bad "httpd: the access log was not reopened in its directory"
# What it did not: another document root.
hconf elsewhere
kill -HUP "$hpid"
wait_for 10 grep -q 'root .*elsewhere: Permission denied' "$run/httpd.log" ||
	bad "httpd: a root outside its own was opened: $(tail -3 "$run/httpd.log")"
check "httpd: ...and the old root still serves" test "$(page)" = kept
stop_daemon "$hpid" "$run/httpd.log" httpd

### xensim, with xenstored kept root (--user root; RPC helper included)
"$xensim" start --xenstored "$build/daemons/xenstored/xenstored" \
	--user root -v || { bad "xensim start"; finish it_privilege; }
eval "$("$xensim" env)"
xpid=$(cat "$run/sim/xenstored.pid")
wait_for 10 dropped "$run/sim/xenstored.log" || bad "xenstored did not drop"
check "xenstored --user root: root, no privileged parent" \
	sh -c "test '$(status_of "$xpid" Uid)' = 0 && ! grep -q 'monitor:' '$run/sim/xenstored.log'"
check "xenstored: NoNewPrivs" test "$(status_of "$xpid" NoNewPrivs)" = 1
check "xenstored: a seccomp filter" test "$(status_of "$xpid" Seccomp)" = 2
helper=$(pgrep -P "$xpid" | head -n 1)
wait_for 10 eval '[ "$(grep -c "privileges dropped" "$run/sim/xenstored.log")" -ge 2 ]' ||
	bad "xenstored's RPC helper did not drop"
check "xenstored's RPC helper: NoNewPrivs" \
    test "$(status_of "${helper:-0}" NoNewPrivs 2>/dev/null)" = 1
# Forked before xenstored drops: its own filter (denying exec too).
check "xenstored's RPC helper: a seccomp filter" \
    test "$(status_of "${helper:-0}" Seccomp 2>/dev/null)" = 2

### consoled under xensim, as shoal-consoled: a guest's console served
mkdir -p "$run/con/logs"
chown shoal-consoled "$run/con/logs"
chmod 755 "$run/con"
printf '{ "log-dir": "%s" }\n' "$run/con/logs" > "$run/con/consoled.json"
"$build/daemons/consoled/consoled" -c "$run/con/consoled.json" \
    --user shoal-consoled -v > "$run/consoled.log" 2>&1 &
cpid=$!
track "$cpid"
wait_for 10 dropped "$run/consoled.log" || bad "consoled did not drop"
wait_for 10 grep -q 'serving consoles' "$run/consoled.log" ||
	bad "consoled (--user) did not serve: $(tail -3 "$run/consoled.log")"
check "consoled: uid is shoal-consoled's" \
    test "$(status_of "$cpid" Uid)" = "$(id -u shoal-consoled)"
check "consoled: NoNewPrivs" test "$(status_of "$cpid" NoNewPrivs)" = 1
check "consoled: a seccomp filter" test "$(status_of "$cpid" Seccomp)" = 2
check "consoled: a store broker" grep -q 'store broker: process [0-9]* at ' "$run/consoled.log"
# A guest found through the broker (its watches, the console nodes, the
# tty node written back), its ring read with the grant handle opened
# before the drop.
cg=$("$xensim" create --name con-guest -- "$build/tests/tools/con-guest" write 5 8192 0)
wait_for 20 eval '[ "$(stat -c %s "$run/con/logs/guest-con-guest.log" 2>/dev/null)" = 8192 ]' ||
	bad "consoled (--user) did not log the guest's console"
check "... every byte, in order" \
    "$build/tests/tools/con-guest" check 5 "$run/con/logs/guest-con-guest.log" 8192
check "... its tty node written through the broker" \
    test -n "$(xenstore-read "/local/domain/${cg:-0}/console/tty" 2>/dev/null)"
"$xensim" destroy con-guest
printf '{ "log-dir": "%s" }\n' "$run/con/elsewhere" > "$run/con/consoled.json"
kill -HUP "$cpid"
wait_for 10 grep -q "$run/con/elsewhere: Permission denied" "$run/consoled.log" ||
	bad "consoled: made a log directory outside its own: $(tail -3 "$run/consoled.log")"
check "consoled: ...which is not there" test ! -e "$run/con/elsewhere"
check "consoled: no request refused by its broker" \
    eval "! grep -q 'consoled-store: warning: refused' '$run/consoled.log'"
stop_daemon "$cpid" "$run/consoled.log" consoled

### dnsd under xensim as shoal-dnsd, with RPC: the store through its broker
ctl=$build/tools/shoalctl/shoalctl
port=5395
conf zones/answer.zone
"$build/daemons/dnsd/dnsd" -c "$run/dnsd/dnsd.json" --user shoal-dnsd -v \
    > "$run/dnsd-rpc.log" 2>&1 &
dpid=$!
track "$dpid"
wait_for 10 grep -q 'rpc: service dns registered' "$run/dnsd-rpc.log" ||
	bad "dnsd (--user) did not register its RPC service: $(tail -3 "$run/dnsd-rpc.log")"
broker=$(sed -n 's/.*store broker: process \([0-9]*\) at \([^,]*\),.*/\1/p' "$run/dnsd-rpc.log")
bsock=$(sed -n 's/.*store broker: process \([0-9]*\) at \([^,]*\),.*/\2/p' "$run/dnsd-rpc.log")
check "dnsd: uid is shoal-dnsd's" \
    test "$(status_of "$dpid" Uid)" = "$(id -u shoal-dnsd)"
check "dnsd's store broker ($broker) is its child, root, confined" \
    test "$(status_of "${broker:-0}" PPid)" = "$dpid" -a \
    "$(status_of "${broker:-0}" Uid)" = 0 -a \
    "$(status_of "${broker:-0}" NoNewPrivs)" = 1 -a \
    "$(status_of "${broker:-0}" Seccomp)" = 2
# Over vchan: libxenvchan publishes the ring through the broker.
out=$("$ctl" --domain 0 --json dns.stats 2>&1)
check "dns.stats from dom0 over vchan, dnsd as shoal-dnsd ($out)" \
    grep -q '"udp_queries"' <<<"$out"
# Through the broker, as dnsd's user: its own nodes, and nothing else.
as_dnsd() { runuser -u shoal-dnsd -- env XENSTORED_PATH="$bsock" "$@"; }
check "as shoal-dnsd, through the broker: its service's node" \
    test "$(as_dnsd xenstore-read /local/domain/0/data/shoal/dns/daemon 2>&1)" = dnsd
check "... a write outside it is refused" \
    exits 1 as_dnsd xenstore-write /local/domain/0/name evil
check "... and not done" test "$(xenstore-read /local/domain/0/name)" != evil
xenstore-write /tool/shoal-priv-test secret
check "... nor a read outside it" \
    exits 1 as_dnsd xenstore-read /tool/shoal-priv-test
check "... the write (XS_WRITE, 11) and the read (XS_READ, 2) logged as refused" \
    eval "grep -q 'store: warning: refused a request of type 11 (/local/domain/0/name)' '$run/dnsd-rpc.log' &&
	grep -q 'store: warning: refused a request of type 2 (/tool/shoal-priv-test)' '$run/dnsd-rpc.log'"
check "... and nothing else was: the RPC call needed no more" \
    test "$(grep -c 'store: warning: refused' "$run/dnsd-rpc.log")" = 2
check "root is not dnsd's user: the broker closes on it" \
    exits 1 env XENSTORED_PATH="$bsock" timeout 5 xenstore-read /local/domain/0/data/shoal/dns/daemon
check "... and says so" grep -q "dnsd-store: warning: a connection refused (not the daemon's user)" "$run/dnsd-rpc.log"
# Xen's devices as a user (xensim's socket stands for them): event
# channels and sharing its own pages, as the group shoal-xen may on Xen,
# but no domain control (privcmd is root's).
out=$(runuser -u shoal-dnsd -- env -u LD_LIBRARY_PATH "$xensim" list 2>&1)
check "as shoal-dnsd, xensim's domain list is refused ($out)" \
    grep -q 'Permission denied' <<<"$out"
stop_daemon "$dpid" "$run/dnsd-rpc.log" dnsd
wait_for 5 eval "! kill -0 ${broker:-0} 2>/dev/null" ||
	bad "dnsd's store broker outlived dnsd"
check "... and its socket went with it" test -n "$bsock" -a ! -e "${bsock:-/}"

xensim_stop "$xensim" "$xpid" "$run/sim/xenstored.log"

### xenstored as shoal-xenstored, the default for root in dom0: its
### privileged parent and a live update
export XENSIM_SOCKET=$run/sim2/xensimd.sock
slog=$run/sim2/xenstored.log
"$xensim" start --xenstored "$build/daemons/xenstored/xenstored" -v ||
	{ bad "xensim start (shoal-xenstored)"; finish it_privilege; }
eval "$("$xensim" env)"
mpid=$(cat "$run/sim2/xenstored.pid")
worker() { pgrep -P "$mpid" -f 'xenstored' | head -n 1; }
wait_for 10 dropped "$slog" || bad "xenstored (shoal-xenstored) did not drop"
w1=$(worker)
check "xenstored: the process started keeps root (the monitor)" \
	test "$(status_of "$mpid" Uid)" = 0
check "... its worker ($w1) runs as shoal-xenstored" \
	test "$(status_of "${w1:-0}" Uid)" = "$(id -u shoal-xenstored)"
check "... with NoNewPrivs and a seccomp filter" \
	test "$(status_of "${w1:-0}" NoNewPrivs)" = 1 -a "$(status_of "${w1:-0}" Seccomp)" = 2
# The helper is forked before the worker drops, and drops itself once
# the store answers.
wait_for 10 grep -q 'xenstored-rpc: privileges dropped' "$slog" ||
	bad "xenstored's RPC helper did not drop"
check "... and so does its RPC helper" \
	test "$(status_of "$(pgrep -P "${w1:-0}" | head -n 1)" Uid)" = "$(id -u shoal-xenstored)"
expect "" 0 xenstore-write /lu/kept before
g=$("$xensim" create --name lu-guest -- sh -c '
	xenstore-write data/hello hi && echo WROTE
	i=0; until v=$(xenstore-read data/ping 2>/dev/null) || [ $i -ge 300 ]; do
		i=$((i + 1)); sleep 0.1; done
	xenstore-write data/pong "pong $v" && echo PONG; sleep 60')
wait_for 10 grep -q WROTE "$run/sim2/console.$g.log" || bad "the guest did not write"
xc() { env -u LD_LIBRARY_PATH timeout 60 /usr/lib/xen-4.17/bin/xenstore-control "$@"; }
# A worker taken over by a guest may ask its parent for nothing but its
# own binary, with its own arguments.
out=$(xc live-update -f /bin/true -F 2>&1)
check "a live update to another binary is refused" \
	grep -q 'only the binary xenstored was started from' <<<"$out"
check "... and the worker goes on serving" test "$(worker)" = "$w1" -a \
	"$(xenstore-read /lu/kept)" = before
exits 0 xc live-update -F "$(realpath "$build/daemons/xenstored/xenstored")" &&
	ok "live update as shoal-xenstored (the parent executes the new image)" ||
	bad "live update as shoal-xenstored: $(tail -3 "$slog")"
wait_for 10 eval '[ -n "$(worker)" ] && [ "$(worker)" != "$w1" ]' ||
	bad "no new worker after the update"
w2=$(worker)
# Forked by the root parent, the new worker is root until it drops.
wait_for 10 eval '[ "$(status_of "${w2:-0}" Uid)" = "$(id -u shoal-xenstored)" ]' ||
	bad "the new worker did not drop"
wait_for 10 eval '[ -n "$(pgrep -P "${w2:-0}")" ]' || bad "no RPC helper after the update"
h2=$(pgrep -P "${w2:-0}" | head -n 1)
check "the same daemon pid ($mpid), still root; a new worker ($w2) as shoal-xenstored" \
	sh -c "[ '$w2' != '$w1' ] && kill -0 $mpid && [ \"\$(awk '\$1 == \"Uid:\" { print \$2 }' /proc/$mpid/status)\" = 0 ] &&
	[ \"\$(awk '\$1 == \"Uid:\" { print \$2 }' /proc/$w2/status)\" = $(id -u shoal-xenstored) ]"
check "the old worker is gone, and reaped" sh -c "! kill -0 $w1 2>/dev/null"
check "the nodes survived" test "$(xenstore-read /lu/kept)" = before
xenstore-write "/local/domain/$g/data/ping" after
wait_for 15 grep -q PONG "$run/sim2/console.$g.log" ||
	bad "the guest was not served after the update"
check "the guest's ring was served across it" \
	test "$(xenstore-read "/local/domain/$g/data/pong")" = "pong after"
"$xensim" destroy lu-guest
kill -TERM "$mpid"
wait_for 10 eval "! kill -0 $mpid 2>/dev/null" || bad "xenstored (shoal-xenstored) did not stop"
check "SIGTERM to the monitor reached the worker, which ended" \
	grep -q 'SIGTERM received' "$slog"
check "... no process of it is left (worker $w2, RPC helper $h2)" \
	sh -c "! kill -0 ${w2:-0} 2>/dev/null && ! kill -0 ${h2:-0} 2>/dev/null"
! sanitizer_report "$slog" || bad "sanitizer report in $slog"
"$xensim" stop >/dev/null 2>&1

if [ "$failures" -ne 0 ]; then
	for f in "$run"/*.log "$run/sim/xenstored.log" "$slog"; do
		echo "--- $f"; tail -n 8 "$f"
	done
fi
finish it_privilege
