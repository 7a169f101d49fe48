#!/usr/bin/env bash
# Reloads under load: no query lost, none answered from a half-loaded
# zone.  Two versions of one zone hold the same names n0..n(N-1), each
# with A, AAAA and a TXT that says "v1" or "v2" (serial 1 and 2); dnsd
# serves version 1.  dnsperf sends A, AAAA and TXT queries for those
# names at a fixed rate for 20 s while a loop puts one version or the
# other in place (a rename, so dnsd never reads half a file) and sends
# SIGHUP every 0.5 s; twice it puts a broken file in place instead, and
# dnsd must report it as FILE:LINE and keep serving the zone it had;
# once it holds a reload open for 4 s (the zone file is a FIFO that the
# loading thread waits on), and queries asked meanwhile must be answered
# within a second from the zone dnsd had.  Then:
#   dnsperf   no query lost, every response NOERROR
#   stats     dns.stats over --rpc-socket: more than 10 reloads asked
#             for, at least 3 of them failed; the log shows more than
#             10 reloads done
#   final     the zone served is the last version put in place: its
#             serial, and the TXT of names picked at random
#   rpc       dns.reload with a broken file in place answers with the
#             file's FILE:LINE error and failed=1, and the zone stays;
#             dns.reload with a good one, failed=0 (both timed: that is
#             what a load of the zone costs); with a configuration that
#             does not parse, an error naming it, and dnsd carries on
# and SIGTERM ends dnsd with status 0.
#   it_reload_load.sh DNSD_BINARY SHOALCTL_BINARY
# Port 5373 (UDP and TCP), loopback only.  RELOAD_NAMES, RELOAD_SECS and
# RELOAD_QPS in the environment change N (20000), how long dnsperf runs
# and its rate (20000 a second).
set -uo pipefail

dnsd=${1:?usage: it_reload_load.sh DNSD_BINARY SHOALCTL_BINARY}
ctl=${2:?usage: it_reload_load.sh DNSD_BINARY SHOALCTL_BINARY}
port=5373
zone=load.example
names=${RELOAD_NAMES:-20000}
secs=${RELOAD_SECS:-20}
qps=${RELOAD_QPS:-20000}

for tool in dnsperf dig; do
	command -v "$tool" >/dev/null ||
		{ echo "FAIL: $tool is not installed (deploy/deps tools)"; exit 1; }
done
[ -x "$dnsd" ] || { echo "FAIL: no dnsd binary at $dnsd"; exit 1; }
[ -x "$ctl" ] || { echo "FAIL: no shoalctl binary at $ctl"; exit 1; }

. "$(dirname "$0")/lib.sh"
dnsd_it_setup reload

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# version V: the zone with serial V, on stdout.
version() {
	awk -v n="$names" -v v="$1" -v z="$zone" 'BEGIN {
		print "$ORIGIN " z "."
		print "$TTL 300"
		print "@ SOA ns1 hostmaster " v " 3600 600 86400 300"
		print "@ NS ns1"
		print "ns1 A 127.0.0.1"
		for (i = 0; i < n; i++) {
			printf "n%d A 10.%d.%d.%d\n", i, v, int(i / 256) % 256,
			    i % 256
			printf "n%d AAAA 2001:db8:%x::%x\n", i, v, i
			printf "n%d TXT \"v%d\"\n", i, v
		}
	}'
}
version 1 >"$run/v1.zone"
version 2 >"$run/v2.zone"
# The broken one: version 2 with one bad address halfway down.
badline=$(( $(wc -l <"$run/v2.zone") / 2 ))
awk -v l="$badline" 'NR == l { print "broken A 10.300.0.1"; next } { print }' \
    "$run/v2.zone" >"$run/broken.zone"
put() {		# put NAME: that file becomes the zone file, in one rename
	cp "$run/$1.zone" "$run/zone.tmp" && mv -f "$run/zone.tmp" "$run/zone.db"
}
put v1
errmsg="$run/zone.db:$badline: "
cat >"$run/dnsd.json" <<EOF
{
  "listen": ["127.0.0.1:$port"],
  "zones": [ { "origin": "$zone.", "file": "zone.db" } ]
}
EOF
# The queries: names at random, A, AAAA and TXT in turn.
awk -v n="$names" -v z="$zone" 'BEGIN {
	srand(42)
	split("A AAAA TXT", t, " ")
	for (i = 0; i < 60000; i++)
		printf "n%d.%s %s\n", int(rand() * n), z, t[i % 3 + 1]
}' >"$run/queries"

"$dnsd" -c "$run/dnsd.json" --rpc-socket "$run/rpc.sock" >"$run/dnsd.log" \
    2>&1 &
dnsd_pid=$!
pids+=($dnsd_pid)
serial() {
	dig @127.0.0.1 -p $port +tries=1 +time=1 +short "$zone" SOA 2>/dev/null |
	    awk '{ print $3 }'
}
is_serial() { [ "$(serial)" = "$1" ]; }
wait_for 10 is_serial 1 ||
	{ echo "FAIL: dnsd does not serve $zone"; cat "$run/dnsd.log"; exit 1; }
wait_for 5 test -S "$run/rpc.sock" || bad "no RPC socket"

dnsperf -s 127.0.0.1 -p $port -d "$run/queries" -l "$secs" -Q "$qps" -c 1 \
    -t 3 >"$run/dnsperf.out" 2>&1 &
perf_pid=$!
pids+=($perf_pid)

# The reloads: every 0.5 s while dnsperf runs, save the last 2 s.
errors() { grep -cF "warning: $errmsg" "$run/dnsd.log"; }
more_errors() { [ "$(errors)" -gt "$1" ]; }
reloads_done() { grep -c '^dnsd: reload: ' "$run/dnsd.log"; }
more_reloads() { [ "$(reloads_done)" -gt "$1" ]; }
# A reload reads the files when it runs, and one asked for while another
# runs waits for it: before a step that needs the zone served to be the
# last file put in place, let that file in.
settle() {
	wait_for 10 is_serial $last || bad "$1: serial $(serial), not $last"
}
# broken: a file with an error; dnsd says FILE:LINE and keeps the zone.
broken() {
	local before
	settle "before broken file $((nbroken + 1))"
	before=$(errors)
	put broken
	kill -HUP "$dnsd_pid"
	nbroken=$((nbroken + 1))
	wait_for 10 more_errors "$before" ||
		bad "broken file $nbroken: no '$errmsg' in dnsd's log"
	[ "$(dig @127.0.0.1 -p $port +short n7.$zone TXT)" = "\"v$last\"" ] ||
		bad "after broken file $nbroken: n7 is not v$last"
}
# held: a reload that takes as long as the test likes.  The zone file is
# a FIFO, so the loading thread waits in open(2) until the test opens the
# other end; for 4 s (more than dnsperf's 3 s timeout) queries must be
# answered as fast as ever, from the zone dnsd has.  Then the test opens
# and closes the FIFO: an empty file, a failed reload, the zone stays.
held() {
	local before t0 n a k=0 slow=0
	settle "before the held reload"
	before=$(reloads_done)
	rm -f "$run/held"
	mkfifo "$run/held" && mv -f "$run/held" "$run/zone.db"
	kill -HUP "$dnsd_pid"
	t0=$(now_ms)
	while [ $(($(now_ms) - t0)) -lt 4000 ]; do
		k=$((k + 1))
		n=$(( (RANDOM * 32768 + RANDOM) % names ))
		a=$(dig @127.0.0.1 -p $port +tries=1 +time=1 +short \
		    "n$n.$zone" TXT 2>&1)
		[ "$a" = "\"v$last\"" ] || slow=$((slow + 1))
		sleep 0.1
	done
	[ "$slow" -eq 0 ] ||
		bad "held reload: $slow of $k queries not answered v$last"
	[ "$(reloads_done)" -eq "$before" ] ||
		bad "held reload: it ended before the FIFO was opened"
	timeout 10 bash -c ": >'$run/zone.db'" ||
		bad "held reload: dnsd never opened the FIFO"
	wait_for 10 more_reloads "$before" ||
		bad "held reload: not done after the FIFO was closed"
	is_serial $last || bad "held reload: serial $(serial), not $last"
	echo "held reload: $k queries asked while it waited, $slow not answered"
	put v$last
}
start=$(now_ms)
i=0 last=1 nbroken=0
while [ $(($(now_ms) - start)) -lt $(((secs - 2) * 1000)) ]; do
	i=$((i + 1))
	case $i in
	5|15) broken ;;
	10) held ;;
	*)
		last=$((3 - last))
		put v$last
		kill -HUP "$dnsd_pid"
		;;
	esac
	sleep 0.5
done
[ "$i" -ge 15 ] || bad "only $i reloads while dnsperf ran"
hups=$i
wait "$perf_pid"
echo "dnsperf (exit $?):"
sed -n '/^Statistics/,$p' "$run/dnsperf.out"

# --- dnsperf
grep -qE '^ +Queries lost: +0 ' "$run/dnsperf.out" || bad "dnsperf: queries lost"
grep -qE '^ +Response codes: +NOERROR [0-9]+ \(100\.00%\)$' \
    "$run/dnsperf.out" || bad "dnsperf: not every response is NOERROR"
sent=$(awk '/Queries sent:/ { print $3 }' "$run/dnsperf.out")
[ "${sent:-0}" -ge $((qps * secs / 2)) ] ||
	bad "dnsperf: only ${sent:-0} queries sent"

# --- final: the last version put in place is what is served.
wait_for 10 is_serial $last || bad "final: serial $(serial), not $last"
for k in 0 1 2 3 4; do
	n=$(( (RANDOM * 32768 + RANDOM) % names ))
	t=$(dig @127.0.0.1 -p $port +short "n$n.$zone" TXT)
	[ "$t" = "\"v$last\"" ] || bad "final: n$n TXT is '$t', not \"v$last\""
done

# --- stats
"$ctl" --socket "$run/rpc.sock" --json dns.stats >"$run/stats" 2>&1 ||
	bad "dns.stats: $(cat "$run/stats")"
stat() { sed -n "s/^ *\"$1\": \\([0-9]*\\).*/\\1/p" "$run/stats"; }
reloads=$(stat reloads) failed=$(stat reload_failures)
done_reloads=$(grep -c '^dnsd: reload: ' "$run/dnsd.log")
echo "SIGHUPs: $hups (broken: $nbroken, held: 1); dns.stats: reloads $reloads," \
    "failures $failed; reloads done: $done_reloads"
[ "${reloads:-0}" -gt 10 ] || bad "stats: reloads ${reloads:-none}"
[ "${failed:-0}" -ge 3 ] || bad "stats: reload_failures ${failed:-none}"
[ "$done_reloads" -gt 10 ] || bad "log: only $done_reloads reloads done"
grep -qE '"(NXDOMAIN|SERVFAIL|REFUSED)"' "$run/stats" &&
	bad "stats: answers other than NOERROR: $(grep -A6 rcodes "$run/stats")"

# --- rpc: a broken file reported in the result, then a good one.
put broken
t0=$(now_ms)
"$ctl" --socket "$run/rpc.sock" --json dns.reload >"$run/rpc.bad" 2>&1 ||
	bad "dns.reload (broken): exit $?: $(cat "$run/rpc.bad")"
t1=$(now_ms)
cat "$run/rpc.bad"
grep -qF "\"$errmsg" "$run/rpc.bad" ||
	bad "dns.reload (broken): no '$errmsg' in its result"
grep -qE '"failed": 1' "$run/rpc.bad" || bad "dns.reload (broken): not failed=1"
is_serial $last || bad "dns.reload (broken): the zone served changed"
other=$((3 - last))
put v$other
t2=$(now_ms)
"$ctl" --socket "$run/rpc.sock" --json dns.reload >"$run/rpc.good" 2>&1 ||
	bad "dns.reload (good): $(cat "$run/rpc.good")"
t3=$(now_ms)
grep -qE '"failed": 0' "$run/rpc.good" ||
	bad "dns.reload (good): $(cat "$run/rpc.good")"
# The call returns once the new set is published.
is_serial $other || bad "dns.reload (good): serial $(serial), not $other"
[ "$(dig @127.0.0.1 -p $port +short "n$((names - 1)).$zone" TXT)" = \
    "\"v$other\"" ] || bad "dns.reload (good): the last name is not v$other"
echo "dns.reload of $((names * 3 + 3)) records: broken file $((t1 - t0)) ms," \
    "good file $((t3 - t2)) ms"

# A configuration that does not parse: dns.reload fails with its
# FILE:LINE:COL, nothing changes, dnsd carries on (it once answered the
# call before it had its handle, and wrote to freed memory).
cp "$run/dnsd.json" "$run/dnsd.json.good"
printf '{\n  "listen": [\n' >"$run/dnsd.json"
"$ctl" --socket "$run/rpc.sock" dns.reload >"$run/rpc.cfg" 2>&1
rc=$?
[ "$rc" -eq 1 ] && grep -qF "$run/dnsd.json:" "$run/rpc.cfg" ||
	bad "dns.reload (broken configuration): exit $rc: $(cat "$run/rpc.cfg")"
mv -f "$run/dnsd.json.good" "$run/dnsd.json"
kill -0 "$dnsd_pid" 2>/dev/null && is_serial $other ||
	bad "dns.reload (broken configuration): dnsd is not serving"

dnsd_it_stop "$dnsd_pid" "$run/dnsd.log"

if [ "$failures" -ne 0 ]; then
	echo "--- dnsd.log"; tail -40 "$run/dnsd.log"
	echo "it_reload_load: $failures failures"
	exit 1
fi
echo "it_reload_load: ok"
