#!/bin/sh
# bench/dns_zone_gen.sh: the zones and query file for `bench/run dns`.
#
#   dns_zone_gen.sh zone ORIGIN NAMES          > FILE   the query-rate zone
#   dns_zone_gen.sh queries ORIGIN NAMES LINES > FILE   dnsperf's query file
#   dns_zone_gen.sh big ORIGIN NAMES           > FILE   NAMES x (A + AAAA)
#
# ORIGIN ends with a dot.  Everything is deterministic (a Park-Miller
# generator inside awk, the same under mawk and gawk), so every run and
# every server sees the same zone and the same queries.
#
# The query-rate zone: the apex (SOA, two NS with addresses, MX), a
# wildcard *.wild, and hosts h0 .. h(NAMES-1), each with A and AAAA;
# every 10th also has MX, every 5th TXT; every 100th host has an alias
# c<i> (CNAME).  The query mix, of LINES lines: A of a host 60%, AAAA
# 20%, NXDOMAIN 5% (names that do not exist, half one label below a
# host), NODATA 5% (TXT or MX at a host that has none), A at a CNAME 4%,
# MX that exists 3%, TXT that exists 2%, A under the wildcard 1%.
#
# The big zone: the apex (SOA, NS, the server's A) then NAMES hosts
# h0 .. h(NAMES-1), each with one A and one AAAA: 2 x NAMES records plus
# 3.  The last host is h(NAMES-1): `bench/run dns` polls for it.
set -eu
mode=${1:?usage: dns_zone_gen.sh zone|queries|big ORIGIN NAMES [LINES]}
origin=${2:?origin}
names=${3:?number of names}
lines=${4:-0}

apex() {
	cat <<-EOF
	\$ORIGIN $origin
	\$TTL 3600
	@	IN SOA	ns1 hostmaster (1 7200 3600 1209600 300)
	@	IN NS	ns1
	EOF
}

case $mode in
zone)
	apex
	awk -v n="$names" 'BEGIN {
		print "@\tIN NS\tns2"
		print "@\tIN MX\t10 mail"
		print "ns1\tIN A\t127.0.0.1"
		print "ns2\tIN A\t127.0.0.2"
		print "mail\tIN A\t192.0.2.25"
		print "*.wild\tIN A\t192.0.2.99"
		print "*.wild\tIN TXT\t\"wildcard\""
		for (i = 0; i < n; i++) {
			printf "h%d\tIN A\t10.%d.%d.%d\n", i, int(i / 65536) % 256,
			    int(i / 256) % 256, i % 256
			printf "h%d\tIN AAAA\t2001:db8::%x:%x\n", i, int(i / 65536), i % 65536
			if (i % 10 == 0)
				printf "h%d\tIN MX\t10 mail\n", i
			if (i % 5 == 0)
				printf "h%d\tIN TXT\t\"host %d\" \"v=bench\"\n", i, i
			if (i % 100 == 0)
				printf "c%d\tIN CNAME\th%d\n", i, i
		}
	}'
	;;
queries)
	[ "$lines" -gt 0 ] || { echo "dns_zone_gen.sh: queries needs LINES" >&2; exit 2; }
	awk -v n="$names" -v lines="$lines" -v o="$origin" 'BEGIN {
		x = 20261129
		for (l = 0; l < lines; l++) {
			x = (x * 16807) % 2147483647; p = x % 100
			x = (x * 16807) % 2147483647; r = x % n
			if (p < 60)       printf "h%d.%s A\n", r, o
			else if (p < 80)  printf "h%d.%s AAAA\n", r, o
			else if (p < 85)  printf (r % 2 ? "nx%d.%s A\n" : "x.h%d.%s A\n"), r, o
			else if (p < 90) {
				# A host with neither TXT nor MX: r not a multiple of 5.
				if (r % 5 == 0) r = (r + 1) % n
				printf "h%d.%s %s\n", r, o, r % 2 ? "TXT" : "MX"
			}
			else if (p < 94)  printf "c%d.%s A\n", r - r % 100, o
			else if (p < 97)  printf "h%d.%s MX\n", r - r % 10, o
			else if (p < 99)  printf "h%d.%s TXT\n", r - r % 5, o
			else              printf "w%d.wild.%s A\n", r, o
		}
	}'
	;;
big)
	apex
	awk -v n="$names" 'BEGIN {
		print "ns1\tIN A\t127.0.0.1"
		for (i = 0; i < n; i++)
			printf "h%d\tIN A\t10.%d.%d.%d\nh%d\tIN AAAA\t2001:db8::%x:%x\n",
			    i, int(i / 65536) % 256, int(i / 256) % 256, i % 256,
			    i, int(i / 65536), i % 65536
	}'
	;;
*)
	echo "dns_zone_gen.sh: mode is zone, queries or big" >&2
	exit 2
	;;
esac
