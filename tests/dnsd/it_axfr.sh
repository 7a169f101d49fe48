#!/usr/bin/env bash
# NSD and Knot as dnsd's secondaries.  A zone of a few thousand records
# (A, AAAA, MX, SRV, CNAME, long TXT, a wildcard, a delegation with glue)
# is written to a temporary folder and served by dnsd with
# "axfr-allow": ["127.0.0.1"]; knotd and nsd are started as secondaries
# of it and must serve the zone within a bounded time.  Then:
#   same      AXFR from dnsd, from Knot and from NSD give the same
#             records (owners folded to lowercase, sorted), and the count
#             the generator wrote; dnsd's took more than one message
#   refresh   the zone file gets serial 2 and a changed record, dnsd is
#             sent SIGHUP, both secondaries are told to refresh (knotc
#             zone-refresh, nsd-control transfer), and both end up
#             serving serial 2 with the changed record and again the
#             same records as dnsd; dnsd's log says which transfers they
#             asked for (IXFR, answered with the whole zone)
#   notify    serial 3 and SIGHUP, nothing else: dnsd's NOTIFY (RFC 1996,
#             the zone's "notify" list) brings both secondaries to it
#             well before their hour-long SOA refresh would
#   refused   AXFR from 127.0.0.2 (not in the list), of a zone whose list
#             is empty, of a name that is not a zone's origin, and of a
#             zone not served: REFUSED, no records
#   udp       AXFR over UDP is not a transfer: NOTIMP, no records; IXFR
#             over UDP gets the SOA alone
# and SIGTERM ends dnsd with status 0.
#   it_axfr.sh DNSD_BINARY
# Ports, loopback only: 5370 dnsd, 5371 Knot, 5372 NSD.
set -uo pipefail

dnsd=${1:?usage: it_axfr.sh DNSD_BINARY}
port_dnsd=5370 port_knot=5371 port_nsd=5372
zone=xfr.example
hosts=${AXFR_HOSTS:-600}	# 5 records each, plus the fixed ones

for tool in nsd nsd-control knotd knotc dig; do
	command -v "$tool" >/dev/null ||
		{ echo "FAIL: $tool is not installed (deploy/deps tools)"; exit 1; }
done
[ -x "$dnsd" ] || { echo "FAIL: no dnsd binary at $dnsd"; exit 1; }

. "$(dirname "$0")/lib.sh"
dnsd_it_setup axfr

# zonefile SERIAL CHANGED_ADDRESS: the zone, on stdout.  Every record is
# on its own line, so the generator can count them (wc -l on the body).
zonefile() {
	local long1 long2
	long1=$(printf 'a%.0s' $(seq 250))
	long2=$(printf '0123456789%.0s' $(seq 25))
	cat <<EOF
\$ORIGIN $zone.
\$TTL 3600
@ 3600 IN SOA ns1.$zone. hostmaster.$zone. ( $1 3600 600 86400 300 )
EOF
	awk -v n="$hosts" -v changed="$2" -v l1="$long1" -v l2="$long2" '
	BEGIN {
		print "@ NS ns1"
		print "@ NS ns2.Elsewhere.example."
		print "ns1 A 127.0.0.1"
		print "ns1 AAAA ::1"
		print "@ MX 10 mail"
		print "@ MX 20 mail2.elsewhere.example."
		print "mail A 192.0.2.25"
		print "changed A " changed
		print "* 300 TXT \"wildcard at the apex\""
		print "*.wild A 192.0.2.99"
		print "*.wild AAAA 2001:db8::99"
		print "_sip._tcp SRV 10 60 5060 mail"
		print "_sip._udp SRV 0 0 5060 sip.elsewhere.example."
		print "long TXT \"" l1 "\" \"" l2 "\" \"third\""
		print "long TXT \"" l2 "\""
		# A delegation, with glue below it and beside it.
		print "sub NS ns.sub"
		print "sub NS ns2.sub"
		print "sub NS ns1"
		print "ns.sub A 192.0.2.53"
		print "ns.sub AAAA 2001:db8::53"
		print "ns2.sub A 192.0.2.54"
		print "sub DS 12345 8 2 " \
		    "49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE8D6B4B4B4D4D4D4D4D4D4D4D"
		print "alias CNAME mail"
		print "deep.a.b.c CNAME alias"
		for (i = 0; i < n; i++) {
			h = "h" i
			printf "%s A 10.%d.%d.1\n", h, int(i / 256), i % 256
			printf "%s AAAA 2001:db8:%x::1\n", h, i
			printf "%s 600 TXT \"host %d\" \"%s\"\n", h, i,
			    substr(l1, 1, i % 200)
			printf "%s MX %d mail.%s\n", h, i % 50, h
			printf "_http._tcp.%s SRV %d %d 80 %s\n", h, i % 7,
			    i % 11, h
		}
	}'
}

mkdir -p "$run/dnsd"
zonefile 1 192.0.2.1 >"$run/dnsd/$zone.zone"
expected=$(( $(wc -l <"$run/dnsd/$zone.zone") - 2 ))	# $ORIGIN, $TTL
cat >"$run/dnsd/closed.example.zone" <<EOF
\$TTL 300
@ SOA ns1.closed.example. hostmaster.closed.example. 7 3600 600 86400 300
@ NS ns1
ns1 A 127.0.0.1
EOF
cat >"$run/dnsd.json" <<EOF
{
  "listen": ["127.0.0.1:$port_dnsd"],
  "zones": [
    { "origin": "$zone.", "file": "dnsd/$zone.zone",
      "axfr-allow": ["127.0.0.1"],
      "notify": ["127.0.0.1:$port_knot", "127.0.0.1:$port_nsd"] },
    { "origin": "closed.example.", "file": "dnsd/closed.example.zone",
      "axfr-allow": [] }
  ]
}
EOF
dnsd_secondaries "$zone" $port_dnsd $port_knot $port_nsd

"$dnsd" -c "$run/dnsd.json" -v >"$run/dnsd.log" 2>&1 &
dnsd_pid=$!
pids+=($dnsd_pid)
serial_of() {
	dig @127.0.0.1 -p "$1" +tries=1 +time=1 +norec +short "${2:-$zone}" \
	    SOA 2>/dev/null | awk '{ print $3 }'
}
is_serial() { [ "$(serial_of "$1" "${3:-}")" = "$2" ]; }
wait_for 10 is_serial $port_dnsd 1 ||
	{ echo "FAIL: dnsd does not serve $zone"; cat "$run/dnsd.log"; exit 1; }

dnsd_secondaries_start
wait_for 30 is_serial $port_knot 1 || bad "Knot does not serve serial 1"
wait_for 30 is_serial $port_nsd 1 || bad "NSD does not serve serial 1"

# records PORT: the zone by AXFR, one record a line, sorted; dig's
# summary (records, messages) in $run/xfr.PORT.  Lines are folded to
# lowercase: NSD and Knot fold the names inside NS and MX rdata, dnsd
# keeps them as written, and names compare without regard to case.
records() {
	dig @127.0.0.1 -p "$1" +tries=1 +time=5 "$zone" AXFR >"$run/raw.$1" 2>&1
	grep '^;; XFR size' "$run/raw.$1" >"$run/xfr.$1"
	awk '/^;/ || NF == 0 { next } { $0 = tolower($0); $1 = $1; print }' \
	    "$run/raw.$1" | sort -u
}
# same VERSION: every secondary's records are dnsd's.
same() {
	local p
	records $port_dnsd >"$run/dnsd.$1"
	for p in $port_knot $port_nsd; do
		records $p >"$run/sec.$p.$1"
		if ! cmp -s "$run/dnsd.$1" "$run/sec.$p.$1"; then
			bad "$1: AXFR from port $p differs from dnsd's:"
			diff "$run/dnsd.$1" "$run/sec.$p.$1" | head -20
		fi
	done
}

# --- same
same v1
n=$(wc -l <"$run/dnsd.v1")
echo "dnsd: $(cat "$run/xfr.$port_dnsd")"
# Both SOAs collapse into one line in the sorted set.
[ "$n" -eq "$expected" ] ||
	bad "v1: dnsd transferred $n distinct records, the file has $expected"
[[ $(cat "$run/xfr.$port_dnsd") =~ size:\ ([0-9]+)\ records\ \(messages\ ([0-9]+) ]] &&
    [ "${BASH_REMATCH[1]}" -eq $((expected + 1)) ] &&
    [ "${BASH_REMATCH[2]}" -gt 1 ] ||
	bad "v1: dnsd's AXFR is not $((expected + 1)) records in several messages"
# The AXFR begins and ends with the SOA.
awk '/^;/ || NF == 0 { next } { t[++k] = $4 } END {
	exit !(t[1] == "SOA" && t[k] == "SOA") }' "$run/raw.$port_dnsd" ||
	bad "v1: dnsd's AXFR does not begin and end with the SOA"
grep -q '^sub\.xfr\.example\. 3600 in ds ' "$run/dnsd.v1" &&
    grep -q '^ns\.sub\.xfr\.example\. 3600 in aaaa ' "$run/dnsd.v1" &&
    grep -q '^\*\.wild\.xfr\.example\. 3600 in a ' "$run/dnsd.v1" ||
	bad "v1: the delegation's DS or glue, or the wildcard, is not there"

# --- refresh
zonefile 2 192.0.2.222 >"$run/dnsd/$zone.zone.new"
mv "$run/dnsd/$zone.zone.new" "$run/dnsd/$zone.zone"
kill -HUP "$dnsd_pid"
wait_for 10 is_serial $port_dnsd 2 || bad "dnsd did not load serial 2"
knotc -c "$run/knot.conf" zone-refresh "$zone" >"$run/knotc.out" 2>&1 ||
	bad "knotc zone-refresh: $(cat "$run/knotc.out")"
nsd-control -c "$run/nsd.conf" transfer "$zone" >"$run/nsdc.out" 2>&1 ||
	bad "nsd-control transfer: $(cat "$run/nsdc.out")"
wait_for 30 is_serial $port_knot 2 || bad "Knot did not take serial 2"
wait_for 30 is_serial $port_nsd 2 || bad "NSD did not take serial 2"
for p in $port_knot $port_nsd; do
	a=$(dig @127.0.0.1 -p $p +short +norec "changed.$zone" A)
	[ "$a" = 192.0.2.222 ] || bad "port $p: changed.$zone is '$a'"
done
same v2
cmp -s "$run/dnsd.v1" "$run/dnsd.v2" && bad "v2: dnsd's zone did not change"
# What each secondary asked for: both know serial 1, so both ask IXFR;
# dnsd answers with the whole zone and they take it.
grep -E 'transfer of|IXFR|AXFR' "$run/dnsd.log"
ixfrs=$(grep -c "IXFR of $zone\\. (serial 2) .*whole zone" "$run/dnsd.log")
[ "$ixfrs" -ge 2 ] ||
	bad "refresh: dnsd saw $ixfrs IXFR requests for serial 2, not 2"
grep -q 'IXFR, incoming, remote 127.0.0.1@'$port_dnsd', receiving AXFR-style IXFR' \
    "$run/knot.log" || bad "refresh: Knot's log has no AXFR-style IXFR"

# --- notify: a new serial and nothing else; the SOA refresh is an hour
# away, so only dnsd's NOTIFY (RFC 1996) can bring it to them in time.
zonefile 3 192.0.2.233 >"$run/dnsd/$zone.zone.new"
mv "$run/dnsd/$zone.zone.new" "$run/dnsd/$zone.zone"
kill -HUP "$dnsd_pid"
wait_for 10 is_serial $port_dnsd 3 || bad "dnsd did not load serial 3"
wait_for 20 is_serial $port_knot 3 || bad "notify: Knot did not take serial 3"
wait_for 20 is_serial $port_nsd 3 || bad "notify: NSD did not take serial 3"
grep -q "NOTIFY of $zone\. (serial 3) to 127.0.0.1:$port_knot" "$run/dnsd.log" &&
    grep -q "NOTIFY of $zone\. (serial 3) to 127.0.0.1:$port_nsd" "$run/dnsd.log" ||
	bad "notify: dnsd did not log both NOTIFYs for serial 3"
for p in $port_knot $port_nsd; do
	a=$(dig @127.0.0.1 -p $p +short +norec "changed.$zone" A)
	[ "$a" = 192.0.2.233 ] || bad "notify: port $p: changed.$zone is '$a'"
done

# --- refused
refused() {	# refused WHAT DIG-ARGS...
	local what=$1 out
	shift
	out=$(dig @127.0.0.1 -p $port_dnsd +tries=1 +time=5 "$@" 2>&1)
	if ! grep -q 'Transfer failed' <<<"$out" &&
	    ! grep -q 'status: REFUSED' <<<"$out"; then
		bad "refused: $what: $(head -5 <<<"$out")"
	fi
	if grep -qE '^[^;].*[[:space:]]IN[[:space:]]+SOA' <<<"$out"; then
		bad "refused: $what: records were sent"
	fi
}
refused "from 127.0.0.2" -b 127.0.0.2 "$zone" AXFR
refused "zone with an empty list" closed.example AXFR
refused "not an origin" "h1.$zone" AXFR
refused "not our zone" other.example AXFR
refused "IXFR from 127.0.0.2" -b 127.0.0.2 "$zone" IXFR=1
grep -q "transfer of $zone\\. refused to 127.0.0.2" "$run/dnsd.log" ||
	bad "refused: not logged"

# --- udp: dig always transfers over TCP; kdig +notcp sends AXFR over
# UDP, and dig +notcp an IXFR.  AXFR: NOTIMP.  IXFR: the current SOA
# alone (RFC 1995 2), never a transfer.
if ! command -v kdig >/dev/null; then
	bad "udp: AXFR: kdig is missing (deploy/deps tools installs knot-dnsutils)"
else
	out=$(kdig @127.0.0.1 -p $port_dnsd +notcp +retry=0 +time=2 \
	    "$zone" AXFR 2>&1)
	grep -q "replied with error 'NOTIMPL'" <<<"$out" ||
		bad "udp: AXFR: $(head -8 <<<"$out")"
fi
out=$(dig @127.0.0.1 -p $port_dnsd +notcp +comments +tries=1 +time=2 \
    "$zone" IXFR=1 2>&1)
grep -q 'status: NOERROR' <<<"$out" &&
    [ "$(grep -cE '^[^;].*[[:space:]]IN[[:space:]]+SOA' <<<"$out")" -eq 1 ] &&
    [ "$(grep -cE '^[^;].*[[:space:]]IN[[:space:]]' <<<"$out")" -eq 1 ] ||
	bad "udp: IXFR: $(head -12 <<<"$out")"

# --- dnsd still well, and exits cleanly.
is_serial $port_dnsd 3 || bad "dnsd stopped answering"
dnsd_it_stop "$dnsd_pid" "$run/dnsd.log"

if [ "$failures" -ne 0 ]; then
	echo "--- dnsd.log"; tail -40 "$run/dnsd.log"
	echo "--- knot.log"; tail -20 "$run/knot.log"
	echo "--- nsd.log"; tail -20 "$run/nsd.log"
	echo "it_axfr: $failures failures"
	exit 1
fi
echo "it_axfr: ok, $n distinct records;$(sed 's/^;;//' "$run/xfr.$port_dnsd")"
