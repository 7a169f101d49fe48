#!/usr/bin/env bash
# dnsd in its own domain on xensim, as deploy/up runs it: the site's zone
# (deploy/site) answered to dig, and dns.zones, dns.stats and dns.reload
# called from dom0 with shoalctl over vchan (Shoal's RPC, rendezvous in
# Shoal's xenstored), the service registered under the domain's own id.
# Then xensim destroys the domain and the service is gone.
#   it_dnsd_domain.sh BUILD_DIR SITE_DIR
set -uo pipefail
build=$1 site=$2
xensim=$build/xensim/bin/xensim
dnsd=$build/daemons/dnsd/dnsd
ctl=$build/tools/shoalctl/shoalctl
. "$(dirname "$0")/lib.sh"
dnsd_it_setup dom
export XENSIM_SOCKET=$run/xensimd.sock
dnsd_it_cleanup_more() { "$xensim" stop >/dev/null 2>&1 || true; }

# A copy of the site, on a port of the test's own.
cp "$site/shoal.test.zone" "$run/"
sed 's/:5353/:5310/g' "$site/dnsd.json" >"$run/dnsd.json"
"$xensim" start --xenstored "$build/daemons/xenstored/xenstored" ||
	{ echo "xensim did not start"; exit 1; }
eval "$("$xensim" env)"
dom=$("$xensim" create --name dnsd -- "$dnsd" -c "$run/dnsd.json")
check "dnsd started as domain $dom" test -n "$dom"
wait_for 20 sh -c 'dig @127.0.0.1 -p 5310 +time=1 +tries=1 +short ns1.shoal.test A | grep -q 127.0.0.1'
check "dig: the site's zone answers" \
	test "$(dig @127.0.0.1 -p 5310 +short www.shoal.test A | tail -1)" = 127.0.0.1
wait_for 20 sh -c "'$ctl' list 2>/dev/null | grep -q '^dns '"
"$ctl" list >"$run/list" 2>&1
check "shoalctl list: service dns in domain $dom ($(grep '^dns' "$run/list"))" \
	grep -Eq "^dns +$dom +dnsd +dnsd" "$run/list"
out=$("$ctl" --domain dnsd dns.zones 2>&1)
check "dns.zones over vchan" grep -q 'shoal.test' <<<"$out"
check "…served, with its serial" grep -q '2026112901' <<<"$out"
out=$("$ctl" --domain dnsd --json dns.stats 2>&1)
check "dns.stats over vchan counts the queries" grep -q '"udp_queries": [1-9]' <<<"$out"
sed -i 's/2026112901/2026112902/' "$run/shoal.test.zone"
out=$("$ctl" --domain dnsd dns.reload 2>&1)
check "dns.reload over vchan ($out)" grep -q 'failed: 0' <<<"$out"
check "…the new serial is served" \
	sh -c "dig @127.0.0.1 -p 5310 +short shoal.test SOA | grep -q 2026112902"
"$xensim" destroy dnsd
wait_for 10 sh -c "! dig @127.0.0.1 -p 5310 +time=1 +tries=1 shoal.test SOA >/dev/null 2>&1"
check "destroyed: no longer answers" \
	sh -c "! dig @127.0.0.1 -p 5310 +time=1 +tries=1 shoal.test SOA >/dev/null 2>&1"
log=$(dirname "$XENSIM_SOCKET")/console.$dom.log
check "no sanitizer report in its console log" \
	sh -c "! grep -qE 'Sanitizer|runtime error' '$log' 2>/dev/null"
[ $failures -eq 0 ] || { [ -f "$log" ] && tail -20 "$log"; echo "it_dnsd_domain: $failures failed"; exit 1; }
echo "it_dnsd_domain: all passed"
