#!/usr/bin/env bash
# dnsd as a daemon, driven by dig and kdig (real clients) on loopback,
# and by dns-tcp-probe where they cannot go (tests/tools/dns_tcp_probe.c):
#   cli       --help, a missing -c, configuration errors naming
#             FILE:LINE:COL, --check on a broken zone naming FILE:LINE
#   serve     UDP and TCP over IPv4 and IPv6, dig and kdig, AA, the
#             query's case, NXDOMAIN, REFUSED outside our zones, CHAOS
#             version.bind and id.server, a port alone (in a network
#             namespace: each reply from the address asked), truncation
#             over UDP and the full answer over TCP, a zone whose file is
#             broken is not served and the others are
#   tcp       100 pipelined queries answered in order on one connection;
#             an idle connection closed after tcp-idle-ms; a zero or
#             header-short length drops the connection; tcp-clients + 5
#             connections: exactly 5 closed; a client that writes and
#             never reads is stopped being read, others still answered
#   axfr      allowed from 127.0.0.1 (dig and kdig, SOA first and last,
#             every record), refused from ::1, UDP is not a transfer;
#             IXFR: the SOA alone to a current secondary and over UDP,
#             the whole zone to an older one
#   rpc       dns.zones, dns.stats (rcodes and qtypes counted), dns.reload
#             after the broken zone is fixed: served
#   reload    SIGHUP with a broken edit: the old zone keeps answering and
#             the log names FILE:LINE; a good edit is served
#   stop      SIGTERM: exit 0, no sanitizer report
#   it_dnsd.sh DNSD DNS_TCP_PROBE SHOALCTL ZONEDIR
set -uo pipefail
dnsd=$1 probe=$2 ctl=$3 zones=$4
port=5300
. "$(dirname "$0")/lib.sh"
dnsd_it_setup it
pid=
q() { dig @127.0.0.1 -p $port +time=2 +tries=1 "$@"; }
q6() { dig @::1 -p $port +time=2 +tries=1 "$@"; }
status_of() { q "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
flags_of() { q "$@" | sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p'; }

### cli
"$dnsd" --help | grep -q -- '--config' && ok "--help" || bad "--help"
"$dnsd" >/dev/null 2>&1; [ $? -eq 2 ] && ok "no -c: usage, exit 2" ||
	bad "no -c should exit 2"
cat > "$run/typo.json" <<'JSON'
{
  "listen": ["127.0.0.1:5300"],
  "zones": [],
  "tcp-clinets": 5
}
JSON
out=$("$dnsd" -c "$run/typo.json" --check 2>&1)
check "unknown key reported at FILE:LINE:COL ($out)" \
	grep -q "typo.json:4:3: .*tcp-clinets" <<<"$out"
cat > "$run/badaddr.json" <<'JSON'
{
  "listen": ["127.0.0.1:5300",
             "[::1]:99999"],
  "zones": [ { "origin": "x.test.", "file": "x", "axfr-allow": ["10.0.0.0/33"] } ]
}
JSON
out=$("$dnsd" -c "$run/badaddr.json" --check 2>&1)
check "bad listen address at its line and column ($out)" \
	grep -q "badaddr.json:3:14: .*bad port" <<<"$out"

mkdir -p "$run/zones"
cp "$zones/answer.zone" "$zones/child.example.com.zone" "$run/zones/"
printf '$ORIGIN broken.test.\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.300\n' \
	> "$run/zones/broken.zone"
cat > "$run/dnsd.json" <<JSON
{
  "listen": ["127.0.0.1:$port", "[::1]:$port"],
  "zones": [
    { "origin": "example.com.", "file": "zones/answer.zone",
      "axfr-allow": ["127.0.0.0/8"] },
    { "origin": "child.example.com.", "file": "zones/child.example.com.zone" },
    { "origin": "broken.test.", "file": "zones/broken.zone" }
  ],
  "version": "Shoal dnsd it", "id": "ns-it",
  "tcp-clients": 20, "tcp-idle-ms": 1000
}
JSON
out=$("$dnsd" -c "$run/dnsd.json" --check 2>&1)
rc=$?
check "--check: a broken zone named at FILE:LINE, exit 1 ($out)" \
	test $rc -eq 1 -a -n "$(grep 'broken.zone:4:' <<<"$out")"

### serve
# With a umask that would leave the RPC socket open to all: dnsd must not.
old_umask=$(umask)
umask 000
"$dnsd" -c "$run/dnsd.json" --rpc-socket "$run/rpc.sock" -v \
	>"$run/dnsd.log" 2>&1 &
pid=$!
umask "$old_umask"
pids+=($pid)
wait_for 10 test -S "$run/rpc.sock" || bad "no RPC socket"
wait_for 10 sh -c "dig @127.0.0.1 -p $port +time=1 +tries=1 example.com SOA | grep -q NOERROR" ||
	{ cat "$run/dnsd.log"; bad "dnsd did not answer"; exit 1; }
check "UDP/IPv4: AA answer" \
	grep -qw aa <<<"$(flags_of web.example.com A)"
check "UDP/IPv4: the address" \
	test "$(q +short web.example.com A)" = 192.0.2.10
check "UDP/IPv6" test "$(q6 +short web.example.com A)" = 192.0.2.10
check "TCP/IPv4" test "$(q +tcp +short web.example.com A)" = 192.0.2.10
check "TCP/IPv6" test "$(q6 +tcp +short web.example.com A)" = 192.0.2.10
check "kdig over UDP and TCP" test "$(kdig @127.0.0.1 -p $port +short web.example.com A; kdig @::1 -p $port +tcp +short web.example.com A)" = "192.0.2.10
192.0.2.10"
check "the question's case is kept" \
	grep -q '^WeB.ExAmPlE.CoM\..*192.0.2.10' <<<"$(q +noall +answer WeB.ExAmPlE.CoM A)"
check "NXDOMAIN" test "$(status_of nothere.example.com A)" = NXDOMAIN
check "REFUSED outside our zones" test "$(status_of example.org A)" = REFUSED
check "CHAOS version.bind" test "$(q +short version.bind TXT CH)" = '"Shoal dnsd it"'
check "CHAOS id.server" test "$(q +short id.server TXT CH)" = '"ns-it"'
check "UDP at 512 octets: TC" \
	grep -qw tc <<<"$(flags_of +noedns +ignore big.example.com TXT)"
check "TCP: all ten strings" \
	test "$(q +tcp +short big.example.com TXT | wc -l)" -eq 10
check "dig retries a truncated answer over TCP by itself" \
	test "$(q +noedns +short big.example.com TXT | wc -l)" -eq 10
check "the broken zone is not served" test "$(status_of ns.broken.test A)" = REFUSED
check "its error was logged at FILE:LINE" grep -q 'broken.zone:4:' "$run/dnsd.log"

# A port alone: every address of both families.  A reply must leave
# from the address its query went to (dig drops it otherwise): in a
# network namespace of the test's own with two addresses, a query to the
# second from the first is answered from the second only if dnsd sets
# the source from pktinfo; on 127.0.0.1 the kernel would do it anyway.
printf '{ "listen": ["5301"], "zones": [ { "origin": "example.com.", "file": "%s" } ] }\n' \
	"$run/zones/answer.zone" >"$run/any.json"
ns=shoal-dnsd-$$
dnsd_it_cleanup_more() { ip netns del "$ns" 2>/dev/null || true; }
ip netns add "$ns" && ip -n "$ns" link set lo up &&
    ip -n "$ns" addr add 10.77.0.1/32 dev lo &&
    ip -n "$ns" addr add 10.77.0.3/32 dev lo &&
    ip -n "$ns" addr add fd77::3/128 dev lo || bad "no network namespace"
ip netns exec "$ns" "$dnsd" -c "$run/any.json" --no-rpc >"$run/any.log" 2>&1 &
anypid=$!	# ip netns exec execs dnsd: this is dnsd
pids+=($anypid)
any() {	# any FROM TO
	ip netns exec "$ns" dig @"$2" -b "$1" -p 5301 +time=1 +tries=1 +short \
	    web.example.com A 2>&1
}
wait_for 10 sh -c "ip netns exec $ns dig @10.77.0.1 -p 5301 +time=1 +tries=1 +short web.example.com A | grep -q 192.0.2.10"
check "a port alone: 10.77.0.1 asks 10.77.0.3, the reply comes from .3" \
	test "$(any 10.77.0.1 10.77.0.3)" = 192.0.2.10
check "a port alone: IPv6 too (::1 asks fd77::3)" \
	test "$(any ::1 fd77::3)" = 192.0.2.10

### tcp
out=$("$probe" pipeline 127.0.0.1 $port 100 web.example.com)
check "100 pipelined queries ($out)" test "$out" = "answers 100 of 100 in-order yes noerror 100"
out=$("$probe" idle 127.0.0.1 $port)
check "idle connection closed after tcp-idle-ms ($out)" \
	grep -Eq '^closed after (0\.9|1\.[0-9]|2\.[0-9]) s$' <<<"$out"
check "length 0 drops the connection" test "$("$probe" badlen 127.0.0.1 $port 0)" = closed
check "a length shorter than a header drops it" \
	test "$("$probe" badlen 127.0.0.1 $port 5)" = closed
# 300 zero octets: a header with no question, which is FORMERR.
check "a query of garbage is answered (FORMERR), not a crash" \
	test "$("$probe" badlen 127.0.0.1 $port 300)" = answered
check "…and dnsd still answers" test "$(q +short web.example.com A)" = 192.0.2.10
out=$("$probe" conns 127.0.0.1 $port 25 web.example.com)
check "tcp-clients 20: 25 connections, 5 closed ($out)" test "$out" = "answered 20 closed 5"
"$probe" hog 127.0.0.1 $port 2000000 web.example.com 6 >"$run/hog.out" &
hog=$!
# The hog is writing and dnsd has stopped reading it once the hog's
# socket holds unsent queries (Send-Q above 0 on the client's side).
hog_stalled() {
	ss -Htn state established "( dport = :$port )" |
		awk '$2 > 0 { found = 1 } END { exit !found }'
}
wait_for 20 hog_stalled || bad "the never-reading client never filled its socket"
check "answers to others while one client only writes" \
	test "$(q +tcp +short web.example.com A)" = 192.0.2.10
wait $hog
# 2M queries are 66 MB; the server stops reading once 256 KiB of answers
# wait, so what it took is that plus the kernel's buffers; then, with
# nothing read from it for tcp-idle-ms, the connection is closed.
took=$(awk '/^took/ { print $2 } /^closed after/ { print $3 }' "$run/hog.out")
check "a client that never reads is stopped being read ($(cat "$run/hog.out"))" \
	test -n "$took" -a "${took:-0}" -lt 40000000
check "…and the server still answers" test "$(q +short web.example.com A)" = 192.0.2.10

### axfr
q example.com AXFR >"$run/axfr.out"
soas=$(grep -c $'\tSOA\t' "$run/axfr.out")
recs=$(grep -Ev '^(;|$)' "$run/axfr.out" | wc -l)
zrecs=$(grep -Ev '^\s*(;|\$|$)' "$zones/answer.zone" | wc -l)
check "AXFR from 127.0.0.1: SOA first and last ($soas SOA, $recs records, $zrecs lines in the file)" \
	test "$soas" -eq 2 -a "$(grep -Ev '^(;|$)' "$run/axfr.out" | head -1 | awk '{print $4}')" = SOA \
	-a "$(grep -Ev '^(;|$)' "$run/axfr.out" | tail -1 | awk '{print $4}')" = SOA
check "AXFR carries every record of the file" test "$recs" -eq $((zrecs + 1))
check "kdig AXFR agrees" test "$(kdig @127.0.0.1 -p $port example.com AXFR | grep -Ev '^(;|$)' | wc -l)" -eq "$recs"
check "AXFR from ::1 refused" grep -q "REFUSED" <<<"$(kdig @::1 -p $port example.com AXFR 2>&1)"
check "AXFR of a zone not ours refused" grep -q REFUSED <<<"$(kdig @127.0.0.1 -p $port example.org AXFR 2>&1)"
check "AXFR of a name below the apex refused" grep -q REFUSED <<<"$(kdig @127.0.0.1 -p $port www.example.com AXFR 2>&1)"
ixfr_recs() { q "$@" | grep -Ev '^(;|$)' | wc -l; }
check "IXFR from a current secondary (serial 1): the SOA alone" \
	test "$(ixfr_recs +tcp example.com IXFR=1)" -eq 1
check "IXFR from an older one (serial 0): the whole zone" \
	test "$(ixfr_recs +tcp example.com IXFR=0)" -eq "$recs"
check "IXFR over UDP: the SOA alone, so it asks again over TCP" \
	test "$(ixfr_recs +notcp example.com IXFR=0)" -eq 1
check "AXFR over UDP is not a transfer" \
	grep -q NOTIMP <<<"$(kdig @127.0.0.1 -p $port +notcp example.com AXFR 2>&1)"

### rpc
check "the RPC socket is the owner's alone (0600), whatever the umask" \
	test "$(stat -c %a "$run/rpc.sock")" = 600
"$ctl" --socket "$run/rpc.sock" --json dns.zones >"$run/zones.json" || bad "dns.zones"
check "dns.zones: example.com served, broken.test not" \
	jq -e '([.zones[] | select(.origin == "example.com.") | .served] == [true])
	    and ([.zones[] | select(.origin == "broken.test.") | .served] == [false])' \
	    "$run/zones.json"
"$ctl" --socket "$run/rpc.sock" --json dns.stats >"$run/stats.json" || bad "dns.stats"
check "dns.stats counts NXDOMAIN, REFUSED, qtype A and TXT" \
	sh -c "grep -q '\"NXDOMAIN\": [1-9]' $run/stats.json && grep -q '\"REFUSED\": [1-9]' $run/stats.json &&
	 grep -q '\"A\": [1-9]' $run/stats.json && grep -q '\"TXT\": [1-9]' $run/stats.json &&
	 grep -q '\"axfr_done\": [1-9]' $run/stats.json && grep -q '\"tcp_over_limit\": [1-9]' $run/stats.json"
sed -i 's/192.0.2.300/192.0.2.30/' "$run/zones/broken.zone"
out=$("$ctl" --socket "$run/rpc.sock" dns.reload 2>&1)
check "dns.reload: the fixed zone loads ($out)" grep -q 'failed: 0' <<<"$out"
check "…and is served" test "$(q +short ns.broken.test A)" = 192.0.2.30

### reload
cp "$run/zones/answer.zone" "$run/good.zone"
sed -i 's/^web\tA\t192.0.2.10/web\tA\t192.0.2.999/' "$run/zones/answer.zone"
kill -HUP $pid
wait_for 10 grep -q 'answer.zone:[0-9]*:.*the zone loaded before stays' "$run/dnsd.log"
check "SIGHUP with a broken edit: logged at FILE:LINE" \
	grep -q 'answer.zone:[0-9]*:.*the zone loaded before stays' "$run/dnsd.log"
check "…and the old zone answers" test "$(q +short web.example.com A)" = 192.0.2.10
sed 's/^web\tA\t192.0.2.10/web\tA\t192.0.2.11/; s/hostmaster 1 /hostmaster 2 /' \
	"$run/good.zone" >"$run/zones/answer.zone"
kill -HUP $pid
wait_for 10 sh -c "[ \"\$(dig @127.0.0.1 -p $port +short web.example.com A)\" = 192.0.2.11 ]"
check "SIGHUP with a good edit: the new zone answers" \
	test "$(q +short web.example.com A)" = 192.0.2.11

### stop
stop_daemon "$pid" "$run/dnsd.log" dnsd
stop_daemon "$anypid" "$run/any.log" "dnsd in the namespace"
pid= anypid=
pids=()
if [ $failures -gt 0 ]; then
	echo "--- dnsd's log"
	tail -40 "$run/dnsd.log"
	echo "it_dnsd: $failures failed"
	exit 1
fi
echo "it_dnsd: all passed"
