#!/usr/bin/env bash
# Dynamic update (RFC 2136) with Debian's nsupdate, TSIG (RFC 8945), the
# journal, and IXFR with real differences (RFC 1995) to NSD and Knot as
# secondaries.  dnsd serves a zone of a few hundred records with
# "update-keys" and "notify"; knotd and nsd take it by AXFR first.
#   add       nsupdate adds two addresses (signed with hmac-sha256):
#             NOERROR, dnsd answers them, the serial went up by one
#   delete    one record, then a whole RRset, are deleted
#   prereq    each RFC 2136 3.2 kind that fails (NXDOMAIN, YXDOMAIN,
#             NXRRSET, YXRRSET) fails with its rcode and changes nothing;
#             one that holds lets the update through
#   tsig      a wrong secret (BADSIG), an unknown key (BADKEY), no
#             signature (REFUSED): nothing changes
#   ixfr      NSD and Knot are told by NOTIFY and follow each serial by
#             IXFR from dnsd's history (dnsd logs the differences sent,
#             not the whole zone), ending with dnsd's records exactly
#   restart   dnsd killed (-9) and started again serves the same serial
#             and records (the journal), and IXFR from it still works;
#             SIGHUP keeps them too
#   file      the zone file edited with a newer serial wins over the
#             journal on SIGHUP, and updates go on from it
# and SIGTERM ends dnsd with status 0 and no sanitizer report.
#   it_update.sh DNSD_BINARY
# Ports, loopback only: 5374 dnsd, 5375 Knot, 5376 NSD.
set -uo pipefail

dnsd=${1:?usage: it_update.sh DNSD_BINARY}
port_dnsd=5374 port_knot=5375 port_nsd=5376
zone=dyn.example
hosts=150

for tool in nsupdate nsd nsd-control knotd knotc dig openssl; do
	command -v "$tool" >/dev/null ||
		{ echo "FAIL: $tool is not installed (deploy/deps tools)"; exit 1; }
done
[ -x "$dnsd" ] || { echo "FAIL: no dnsd binary at $dnsd"; exit 1; }

. "$(dirname "$0")/lib.sh"
dnsd_it_setup update

mkdir -p "$run/dnsd" "$run/jnl"
daemon_writes shoal-dnsd "$run/jnl"
secret=$(openssl rand -base64 32)
{
	printf '$ORIGIN %s.\n$TTL 3600\n' "$zone"
	printf '@ SOA ns1 hostmaster 1 3600 600 86400 60\n@ NS ns1\n'
	printf 'ns1 A 127.0.0.1\nwww A 192.0.2.80\n'
	for i in $(seq $hosts); do printf 'h%d A 10.0.%d.%d\n' "$i" \
	    $((i / 250)) $((i % 250)); done
} >"$run/dnsd/$zone.zone"
cat >"$run/dnsd.json" <<EOF
{
  "listen": ["127.0.0.1:$port_dnsd"],
  "journal-dir": "jnl",
  "tsig-keys": [ { "name": "scaler.", "algorithm": "hmac-sha256",
                   "secret": "$secret" } ],
  "zones": [
    { "origin": "$zone.", "file": "dnsd/$zone.zone",
      "update-keys": ["scaler."], "update-allow": ["127.0.0.0/8"],
      "axfr-allow": ["127.0.0.1"],
      "notify": ["127.0.0.1:$port_knot", "127.0.0.1:$port_nsd"] }
  ]
}
EOF
dnsd_secondaries "$zone" $port_dnsd $port_knot $port_nsd

start_dnsd() {
	"$dnsd" -c "$run/dnsd.json" -v >>"$run/dnsd.log" 2>&1 &
	dnsd_pid=$!
	pids+=($dnsd_pid)
}
serial_of() {
	dig @127.0.0.1 -p "$1" +tries=1 +time=1 +norec +short "$zone" SOA \
	    2>/dev/null | awk '{ print $3 }'
}
is_serial() { [ "$(serial_of "$1")" = "$2" ]; }
addr_of() {
	dig @127.0.0.1 -p "$1" +tries=1 +time=1 +norec +short "$2.$zone" A \
	    2>/dev/null | sort | tr '\n' ' '
}
# upd [NSUPDATE-ARGS...] <<< COMMANDS: nsupdate against dnsd, signed
# with the zone's key unless told otherwise; its output in $run/upd.out.
upd() {
	local args=("$@")
	[ ${#args[@]} -gt 0 ] || args=(-y "hmac-sha256:scaler.:$secret")
	{ echo "server 127.0.0.1 $port_dnsd"; echo "zone $zone."; cat
	    echo send; } | nsupdate -t 5 "${args[@]}" >"$run/upd.out" 2>&1
}

start_dnsd
wait_for 10 is_serial $port_dnsd 1 ||
	{ echo "FAIL: dnsd does not serve $zone"; cat "$run/dnsd.log"; exit 1; }
dnsd_secondaries_start
wait_for 30 is_serial $port_knot 1 || bad "Knot does not serve serial 1"
wait_for 30 is_serial $port_nsd 1 || bad "NSD does not serve serial 1"

# --- add
upd <<EOF || bad "add: nsupdate failed: $(cat "$run/upd.out")"
update add web1.$zone. 5 A 10.1.0.1
update add web2.$zone. 5 A 10.1.0.2
EOF
[ "$(addr_of $port_dnsd web1)" = "10.1.0.1 " ] &&
    [ "$(addr_of $port_dnsd web2)" = "10.1.0.2 " ] ||
	bad "add: dnsd does not answer the new addresses"
is_serial $port_dnsd 2 || bad "add: serial is $(serial_of $port_dnsd), not 2"
check "add: the TTL asked for" \
	grep -q "web1.$zone.[[:space:]]*5[[:space:]]" \
	<(dig @127.0.0.1 -p $port_dnsd +norec web1.$zone A)

# --- delete
upd <<EOF || bad "delete: nsupdate failed: $(cat "$run/upd.out")"
update add www.$zone. 3600 A 192.0.2.81
EOF
upd <<EOF || bad "delete: nsupdate failed: $(cat "$run/upd.out")"
update delete www.$zone. A 192.0.2.80
update delete web2.$zone. A
EOF
[ "$(addr_of $port_dnsd www)" = "192.0.2.81 " ] ||
	bad "delete: www is '$(addr_of $port_dnsd www)'"
[ -z "$(addr_of $port_dnsd web2)" ] || bad "delete: web2 is still there"
is_serial $port_dnsd 4 || bad "delete: serial is $(serial_of $port_dnsd)"

# --- prereq: each kind failing, then one holding.
prereq_fails() {	# prereq_fails RCODE PREREQ
	upd <<EOF && bad "prereq '$2' passed"
prereq $2
update add marker.$zone. 5 A 10.9.9.9
EOF
	grep -q "$1" "$run/upd.out" || bad "prereq '$2': $(cat "$run/upd.out")"
}
prereq_fails NXDOMAIN "yxdomain nothere.$zone."
prereq_fails YXDOMAIN "nxdomain www.$zone."
prereq_fails NXRRSET "yxrrset www.$zone. AAAA"
prereq_fails YXRRSET "nxrrset www.$zone. A"
prereq_fails NXRRSET "yxrrset www.$zone. A 192.0.2.80"
[ -z "$(addr_of $port_dnsd marker)" ] || bad "prereq: a failed update changed the zone"
is_serial $port_dnsd 4 || bad "prereq: the serial moved"
upd <<EOF || bad "prereq: a holding one failed: $(cat "$run/upd.out")"
prereq yxrrset www.$zone. A 192.0.2.81
prereq nxdomain marker.$zone.
update add marker.$zone. 5 A 10.9.9.9
EOF
[ "$(addr_of $port_dnsd marker)" = "10.9.9.9 " ] || bad "prereq: marker not added"

# --- tsig
upd -y "hmac-sha256:scaler.:$(openssl rand -base64 32)" <<EOF && bad "tsig: a wrong secret was taken"
update add evil.$zone. 5 A 10.6.6.6
EOF
grep -q BADSIG "$run/upd.out" || bad "tsig: wrong secret: $(cat "$run/upd.out")"
upd -y "hmac-sha256:intruder.:$secret" <<EOF && bad "tsig: an unknown key was taken"
update add evil.$zone. 5 A 10.6.6.6
EOF
grep -q BADKEY "$run/upd.out" || bad "tsig: unknown key: $(cat "$run/upd.out")"
upd -v <<EOF && bad "tsig: an unsigned update was taken"
update add evil.$zone. 5 A 10.6.6.6
EOF
grep -q REFUSED "$run/upd.out" || bad "tsig: unsigned: $(cat "$run/upd.out")"
[ -z "$(addr_of $port_dnsd evil)" ] || bad "tsig: evil.$zone was added"
serial=$(serial_of $port_dnsd)
[ "$serial" = 5 ] || bad "tsig: serial is $serial, not 5"

# --- ixfr: the secondaries follow by NOTIFY, each step an IXFR.
wait_for 20 is_serial $port_knot 5 || bad "ixfr: Knot did not reach serial 5"
wait_for 20 is_serial $port_nsd 5 || bad "ixfr: NSD did not reach serial 5"
for p in $port_knot $port_nsd; do
	[ "$(addr_of $p marker)" = "10.9.9.9 " ] && [ -z "$(addr_of $p web2)" ] &&
	    [ "$(addr_of $p www)" = "192.0.2.81 " ] ||
		bad "ixfr: port $p: marker '$(addr_of $p marker)'," \
		    "web2 '$(addr_of $p web2)', www '$(addr_of $p www)'"
done
records() {
	dig @127.0.0.1 -p "$1" +tries=1 +time=5 "$zone" AXFR 2>/dev/null |
	    awk '/^;/ || NF == 0 { next } { $0 = tolower($0); $1 = $1; print }' |
	    sort -u
}
records $port_dnsd >"$run/dnsd.rr"
for p in $port_knot $port_nsd; do
	records $p | cmp -s - "$run/dnsd.rr" ||
		bad "ixfr: port $p's records differ from dnsd's"
done
grep -E 'IXFR|NOTIFY' "$run/dnsd.log" | tail -8
n=$(grep -c "IXFR of $zone\\. from serial [0-9]* to [0-9]* to 127.0.0.1" \
    "$run/dnsd.log")
[ "$n" -ge 2 ] || bad "ixfr: dnsd sent differences $n times, not at least 2"
grep -q "whole zone" "$run/dnsd.log" &&
	bad "ixfr: dnsd sent a whole zone for an IXFR: $(grep 'whole zone' "$run/dnsd.log" | head -2)"
grep -q "IXFR, incoming, remote 127.0.0.1@$port_dnsd, finished" \
    "$run/knot.log" && ! grep -q 'AXFR-style IXFR' "$run/knot.log" ||
	bad "ixfr: Knot's log does not show an incremental IXFR"

# --- restart: kill -9, then the journal brings everything back.
kill -KILL "$dnsd_pid"
wait "$dnsd_pid" 2>/dev/null
start_dnsd
wait_for 10 is_serial $port_dnsd 5 || bad "restart: serial $(serial_of $port_dnsd), not 5"
records $port_dnsd | cmp -s - "$run/dnsd.rr" ||
	bad "restart: the records are not those before the kill"
out=$(dig @127.0.0.1 -p $port_dnsd +tries=1 +time=5 "$zone" IXFR=3 2>&1)
[ "$(grep -cE '^[^;].*[[:space:]]SOA[[:space:]]' <<<"$out")" -eq 6 ] ||
	bad "restart: IXFR=3 is not two differences: $(head -20 <<<"$out")"
kill -HUP "$dnsd_pid"
wait_for 10 grep -q 'reload: 1 zones' "$run/dnsd.log" || bad "restart: no reload"
is_serial $port_dnsd 5 && [ "$(addr_of $port_dnsd marker)" = "10.9.9.9 " ] ||
	bad "restart: SIGHUP lost the updates"
upd <<EOF || bad "restart: nsupdate failed: $(cat "$run/upd.out")"
update add web3.$zone. 5 A 10.1.0.3
EOF
wait_for 20 is_serial $port_knot 6 || bad "restart: Knot did not reach serial 6"
wait_for 20 is_serial $port_nsd 6 || bad "restart: NSD did not reach serial 6"

# --- file: the operator's newer serial wins on SIGHUP.
sed -i 's/ SOA ns1 hostmaster 1 / SOA ns1 hostmaster 100 /; s/^www A .*/www A 192.0.2.90/' \
    "$run/dnsd/$zone.zone"
kill -HUP "$dnsd_pid"
wait_for 10 is_serial $port_dnsd 100 || bad "file: serial $(serial_of $port_dnsd), not 100"
[ "$(addr_of $port_dnsd www)" = "192.0.2.90 " ] && [ -z "$(addr_of $port_dnsd marker)" ] ||
	bad "file: the zone is not the file's"
grep -q "newer than the journal's 6" "$run/dnsd.log" || bad "file: not logged"
upd <<EOF || bad "file: nsupdate failed: $(cat "$run/upd.out")"
update add web4.$zone. 5 A 10.1.0.4
EOF
is_serial $port_dnsd 101 || bad "file: serial $(serial_of $port_dnsd), not 101"
wait_for 20 is_serial $port_knot 101 || bad "file: Knot did not reach serial 101"
wait_for 20 is_serial $port_nsd 101 || bad "file: NSD did not reach serial 101"

dnsd_it_stop "$dnsd_pid" "$run/dnsd.log"
if [ "$failures" -ne 0 ]; then
	echo "--- dnsd.log"; tail -40 "$run/dnsd.log"
	echo "--- knot.log"; tail -20 "$run/knot.log"
	echo "--- nsd.log"; tail -20 "$run/nsd.log"
	echo "it_update: $failures failures"
	exit 1
fi
echo "it_update: ok"
