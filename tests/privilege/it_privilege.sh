#!/usr/bin/env bash
# Least privilege, daemon by daemon (docs/privilege.md): each runs as a
# dom0 process and, once set up, must show NoNewPrivs and a seccomp filter in /proc/PID/status
# (and the uid it was told to take), log that it dropped with Landlock,
# and be refused a file outside what it kept, while what it kept still
# works: dnsd (as shoal-dnsd, on loopback) rereads a zone in its zone
# directory but not one moved elsewhere; httpd (as shoal-httpd) reopens
# its access log but may not take another document root; consoled (under xensim) may not
# make a log directory elsewhere on reload; xenstored and its RPC helper
# (under xensim) show the same status.
#   it_privilege.sh BUILD_DIR ZONES_DIR
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
build=$1 zones=$2
xensim=$build/xensim/bin/xensim
run=$(mktemp -d /tmp/shoal-priv.XXXXXX)
chmod 755 "$run"	# shoal-dnsd rereads its zones below it
export XENSIM_SOCKET=$run/sim/xensimd.sock
trap 'track_cleanup; "$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT

status_of() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
dropped() { grep -q 'privileges dropped: uid [0-9]*, no_new_privs, Landlock' "$1"; }

### dnsd, as shoal-dnsd
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
"$build/daemons/dnsd/dnsd" -c "$run/dnsd/dnsd.json" --no-rpc --user shoal-dnsd \
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

### xensim, with xenstored (RPC helper included)
"$xensim" start --xenstored "$build/daemons/xenstored/xenstored" -v ||
	{ bad "xensim start"; finish it_privilege; }
eval "$("$xensim" env)"
xpid=$(cat "$run/sim/xenstored.pid")
wait_for 10 dropped "$run/sim/xenstored.log" || bad "xenstored did not drop"
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

### consoled under xensim
mkdir -p "$run/con"
printf '{ "log-dir": "%s" }\n' "$run/con/logs" > "$run/con/consoled.json"
"$build/daemons/consoled/consoled" -c "$run/con/consoled.json" --no-rpc -v \
    > "$run/consoled.log" 2>&1 &
cpid=$!
track "$cpid"
wait_for 10 dropped "$run/consoled.log" || bad "consoled did not drop"
check "consoled: NoNewPrivs" test "$(status_of "$cpid" NoNewPrivs)" = 1
check "consoled: a seccomp filter" test "$(status_of "$cpid" Seccomp)" = 2
printf '{ "log-dir": "%s" }\n' "$run/con/elsewhere" > "$run/con/consoled.json"
kill -HUP "$cpid"
wait_for 10 grep -q "$run/con/elsewhere: Permission denied" "$run/consoled.log" ||
	bad "consoled: made a log directory outside its own: $(tail -3 "$run/consoled.log")"
check "consoled: ...which is not there" test ! -e "$run/con/elsewhere"
stop_daemon "$cpid" "$run/consoled.log" consoled

xensim_stop "$xensim" "$xpid" "$run/sim/xenstored.log"
if [ "$failures" -ne 0 ]; then
	for f in "$run"/*.log "$run/sim/xenstored.log"; do
		echo "--- $f"; tail -n 8 "$f"
	done
fi
finish it_privilege
