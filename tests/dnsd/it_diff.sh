#!/usr/bin/env bash
# dnsd's differential test: the zones in diff/ are loaded into NSD, Knot
# and dnsd, each on its own loopback port, and every query in
# diff/queries goes to all three with dig.  Each response is reduced to
# parts (header: rcode and flags; edns: the OPT's version, flags, UDP
# size and options; question; answer, authority and additional: their
# records as sorted lines, TTLs included), and for every part dnsd must
# equal NSD or Knot, and both when they agree, unless the queries file
# lists it as a known difference; then dnsd's part must be exactly what
# the file pins for it ("pin PART QUERY => LINE", one per line), so a
# known difference cannot hide a new one.  docs/dnsd.md has the details
# and the table of differences.
#   it_diff.sh DNSD_BINARY     the test
#   it_diff.sh --peers         NSD against Knot only, every difference shown
# With DIFF_VERBOSE=1 in the environment every response is shown.
# Ports 5350 (NSD), 5351 (Knot), 5352 (dnsd), loopback only.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data=$here/diff
dnsd=${1:?usage: it_diff.sh DNSD_BINARY | --peers}
peers_only=
[ "$dnsd" = --peers ] && peers_only=1
port_nsd=5350 port_knot=5351 port_dnsd=5352
version="shoal-diff 1" identity="diff.example"

for tool in nsd knotd dig; do
	command -v "$tool" >/dev/null ||
		{ echo "FAIL: $tool is not installed (deploy/deps tools)"; exit 1; }
done
[ -n "$peers_only" ] || [ -x "$dnsd" ] ||
	{ echo "FAIL: no dnsd binary at $dnsd"; exit 1; }

. "$(dirname "$0")/lib.sh"
dnsd_it_setup diff
trap 'echo "FAIL: it_diff.sh line $LINENO failed"' ERR

mkdir -p "$run/zones" "$run/knot/db"
cp "$data"/*.zone "$run/zones/"
zones=()
for f in "$data"/*.zone; do
	f=${f##*/}
	zones+=("${f%.zone}")
done

{ nsd_server "$run/zones" "$run"
cat <<EOF
	cookie-secret-file: "$run/nsd.cookie"
	verbosity: 1
	rrl-ratelimit: 0
	hide-version: no
	hide-identity: no
	version: "$version"
	identity: "$identity"
remote-control:
	control-enable: no
EOF
} >"$run/nsd.conf"
cat >"$run/knot.conf" <<EOF
server:
    rundir: "$run/knot"
    listen: 127.0.0.1@$port_knot
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
    version: "$version"
    identity: "$identity"
database:
    storage: "$run/knot/db"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "$run/zones"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
EOF
# dnsd also listens on ::1 when the host has it (NSD and Knot do not).
v6=
grep -qi '^0\{31\}1 .* lo$' /proc/net/if_inet6 2>/dev/null && v6=1
{
	printf '{\n  "listen": ["127.0.0.1:%s"%s],\n  "version": "%s",\n' \
	    "$port_dnsd" "${v6:+, \"[::1]:$port_dnsd\"}" "$version"
	printf '  "id": "%s",\n  "zones": [' "$identity"
	sep=
	for z in "${zones[@]}"; do
		printf '%s\n    {"origin": "%s.", "file": "zones/%s.zone"}' \
		    "$sep" "$z" "$z"
		sep=,
	done
	printf '\n  ]\n}\n'
} >"$run/dnsd.json"
for z in "${zones[@]}"; do
	printf 'zone:\n\tname: %s\n\tzonefile: %s.zone\n' "$z" "$z" \
	    >>"$run/nsd.conf"
	printf '  - domain: %s\n    file: %s.zone\n' "$z" "$z" >>"$run/knot.conf"
done

# Start the servers; each must answer SOA for every zone within 10 s.
# A server left over on one of our ports would be asked instead of ours.
servers=(nsd knot)
[ -n "$peers_only" ] || servers+=(dnsd)
port_of() { eval "echo \$port_$1"; }
for s in "${servers[@]}"; do
	if dig @127.0.0.1 -p "$(port_of "$s")" +tries=1 +time=1 +short \
	    example.com SOA 2>/dev/null | grep -q .; then
		echo "FAIL: something already answers on 127.0.0.1:$(port_of "$s")"
		exit 1
	fi
done
nsd -d -c "$run/nsd.conf" >"$run/nsd.log" 2>&1 &
pids+=($!)
knotd -c "$run/knot.conf" >"$run/knot.log" 2>&1 &
pids+=($!)
if [ -z "$peers_only" ]; then
	"$dnsd" -c "$run/dnsd.json" >"$run/dnsd.log" 2>&1 &
	pids+=($!)
	dnsd_pid=$!
fi
ready() {
	local z
	for z in "${zones[@]}"; do
		dig @127.0.0.1 -p "$1" +tries=1 +time=1 +norec +short \
		    "$z" SOA 2>/dev/null | grep -q . || return 1
	done
}
for s in "${servers[@]}"; do
	for _ in $(seq 100); do
		ready "$(port_of "$s")" && continue 2
		sleep 0.1
	done
	echo "FAIL: $s does not answer on 127.0.0.1:$(port_of "$s"); its log:"
	cat "$run/$s.log"
	exit 1
done
for p in "${pids[@]}"; do
	kill -0 "$p" 2>/dev/null ||
		{ echo "FAIL: a server exited:"; cat "$run"/*.log; exit 1; }
done

# ask PORT QUERY...: dig's answer reduced to "part: text" lines; the
# server is $addr, 127.0.0.1 if unset.  No answer is "header: no
# response" (three tries over UDP: the machine may be busy).
ask() {
	local port=$1
	shift
	{ dig @"${addr:-127.0.0.1}" -p "$port" +noall +comments +question \
	    +answer +authority +additional +nocookie +ignore +tries=3 \
	    +time=2 +noidnout "$@" 2>&1 || true; } | awk '
	/^;; ->>HEADER<<-/ {
		s = $0; sub(/.*status: /, "", s); sub(/,.*/, "", s)
		status = s; next
	}
	/^;; flags:/ {
		s = $0; sub(/^;; flags: */, "", s); sub(/;.*/, "", s)
		flags = s; next
	}
	/^;; OPT PSEUDOSECTION:/ { sec = "opt"; next }
	/^;; QUESTION SECTION:/ { sec = "question"; next }
	/^;; ANSWER SECTION:/ { sec = "answer"; next }
	/^;; AUTHORITY SECTION:/ { sec = "authority"; next }
	/^;; ADDITIONAL SECTION:/ { sec = "additional"; next }
	/^;; (connection timed out|communications error)/ { err = err $0 }
	sec == "opt" && /^; EDNS:/ { edns = substr($0, 9); next }
	sec == "opt" && /^; [A-Z]+:/ { opts = opts ", " substr($0, 3); next }
	sec == "question" && /^;[^;]/ {
		$0 = substr($0, 2); $1 = $1; print "question: " $0; next
	}
	/^;/ || NF == 0 { next }
	sec != "" && sec != "opt" { $1 = $1; print sec ": " $0 }
	END {
		if (status == "") print "header: no response " err
		else print "header: " status " " flags
		if (edns != "") print "edns: " edns opts
		else print "edns: none"
	}' | sort
}

# part FILE PART: that part's lines of a reduced answer.
part() { grep "^$2: " "$1" || true; }

parts="header edns question answer authority additional"
declare -A known pinned
while read -r line; do
	case $line in
	known\ *)
		read -r _ p q <<<"${line%% -- *}"
		known["$p $q"]=1 ;;
	pin\ *)
		key=${line#pin }
		key=${key%% => *}
		pinned["$key"]+="${pinned["$key"]+$'\n'}${line#* => }" ;;
	esac
done <"$data/queries"

failures=0 count=0 differ=0
: >"$run/differ"
while read -r line; do
	[[ -z $line || $line == \#* || $line == known\ * || $line == pin\ * ]] &&
		continue
	read -ra args <<<"$line"
	count=$((count + 1))
	for s in "${servers[@]}"; do
		ask "$(port_of "$s")" "${args[@]}" >"$run/out.$s"
	done
	bad= note=
	for p in $parts; do
		n=$(part "$run/out.nsd" "$p")
		k=$(part "$run/out.knot" "$p")
		[ "$n" = "$k" ] || note+=" $p"
		[ -n "$peers_only" ] && continue
		d=$(part "$run/out.dnsd" "$p")
		if [ -n "${known["$p ${args[*]}"]+x}" ]; then
			[ "$d" != "$n" ] && [ "$d" != "$k" ] ||
				echo "note: known difference no longer differs: $p ${args[*]}"
			[ "$d" = "${pinned["$p ${args[*]}"]-(nothing pinned)}" ] ||
				bad+=" $p(not as pinned: $d)"
			[ "$n" = "$k" ] && note+=" $p"
			note+="(known)"
		elif [ "$n" = "$k" ]; then
			[ "$d" = "$n" ] || bad+=" $p"
		elif [ "$d" = "$n" ]; then
			note+="(nsd)"
		elif [ "$d" = "$k" ]; then
			note+="(knot)"
		else
			bad+=" $p"
		fi
	done
	if [ -n "$note" ]; then
		differ=$((differ + 1))
		echo "${args[*]}:$note" >>"$run/differ"
	fi
	if [ -n "$bad" ] || [ -n "${DIFF_VERBOSE:-}" ] ||
	    { [ -n "$peers_only" ] && [ -n "$note" ]; }; then
		if [ -n "$bad" ]; then
			echo "FAIL: ${args[*]}:$bad"
			failures=$((failures + 1))
		else
			echo "${args[*]}:${note:+ NSD and Knot differ:$note}"
		fi
		for s in "${servers[@]}"; do
			echo "  -- $s"
			sed 's/^/    /' "$run/out.$s"
		done
	fi
done <"$data/queries"

echo "$count queries; NSD and Knot differ on $differ (parts, and whom dnsd follows):"
sed 's/^/  /' "$run/differ"

if [ -z "$peers_only" ] && [ -n "$v6" ]; then
	# Over ::1, dnsd answers as it does over 127.0.0.1.
	v6bad=$failures
	for q in "www.example.com A" "big.example.com TXT +tcp"; do
		read -ra args <<<"$q"
		ask "$port_dnsd" "${args[@]}" >"$run/out.v4"
		addr=::1 ask "$port_dnsd" "${args[@]}" >"$run/out.v6"
		if ! grep -q '^header: NOERROR' "$run/out.v6" ||
		    ! cmp -s "$run/out.v4" "$run/out.v6"; then
			echo "FAIL: $q over ::1 differs from 127.0.0.1"
			cat "$run/out.v4" "$run/out.v6"
			failures=$((failures + 1))
		fi
	done
	[ "$failures" -ne "$v6bad" ] || echo "dnsd over ::1: the same answers"
fi
if [ -z "$peers_only" ]; then
	# SIGTERM ends dnsd cleanly, with no sanitizer report.
	kill -TERM "$dnsd_pid"
	rc=0
	wait "$dnsd_pid" || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: dnsd exited $rc on SIGTERM"
		failures=$((failures + 1))
	fi
	if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error' "$run/dnsd.log"; then
		echo "FAIL: sanitizer report in dnsd's log:"
		cat "$run/dnsd.log"
		failures=$((failures + 1))
	fi
fi
[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
echo "PASS"
