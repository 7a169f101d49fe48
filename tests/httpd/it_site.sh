#!/usr/bin/env bash
# The self-hosting scenario on xensim, as deploy/up runs it: dnsd and
# httpd each in a domain of their own, the site (made from README.md and
# docs/ by sitegen) found by name: the address from dnsd with dig, the
# pages fetched with curl over HTTPS and HTTP/2 by that name, a page's
# links to the other documents served too; http.stats from dom0 with
# shoalctl over vchan; then xensim destroys httpd's domain and the site
# is gone, and a new httpd domain serves it again.
#   it_site.sh BUILD_DIR SITE_CONFIG_DIR
set -uo pipefail
build=$(cd "$1" && pwd) site=$2
xensim=$build/xensim/bin/xensim
ctl=$build/tools/shoalctl/shoalctl
. "$(dirname "$0")/../lib.sh"
run=$(mktemp -d /tmp/shoal-site.XXXXXX)
export XENSIM_SOCKET=$run/xensimd.sock
trap 'track_cleanup; "$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT
dport=5314 hport=5315 tport=5316

check "the site was made" test -s "$build/site/index.html"
cp "$site/shoal.test.zone" "$run/"
sed "s/:5353/:$dport/g" "$site/dnsd.json" >"$run/dnsd.json"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -subj /CN=www.shoal.test -addext "subjectAltName=DNS:www.shoal.test" \
    -keyout "$run/key.pem" -out "$run/cert.pem" 2>/dev/null
cat >"$run/httpd.json" <<JSON
{ "listen": ["127.0.0.1:$hport"],
  "tls": { "listen": ["127.0.0.1:$tport"], "certificate": "cert.pem",
           "key": "key.pem" },
  "root": "$build/site" }
JSON
"$xensim" start --xenstored "$build/daemons/xenstored/xenstored" ||
	{ echo "FAIL: xensim did not start"; exit 1; }
eval "$("$xensim" env)"
ddom=$("$xensim" create --name dnsd -- "$build/daemons/dnsd/dnsd" -c "$run/dnsd.json")
hdom=$("$xensim" create --name httpd -- "$build/daemons/httpd/httpd" -c "$run/httpd.json")
check "dnsd and httpd in domains $ddom and $hdom" test -n "$ddom" -a -n "$hdom"
wait_for 20 sh -c "dig @127.0.0.1 -p $dport +time=1 +tries=1 +short www.shoal.test A | grep -q ." ||
	bad "dnsd did not answer"
www=$(dig @127.0.0.1 -p "$dport" +short www.shoal.test A | tail -n 1)
check "www.shoal.test has an address ($www)" test "$www" = 127.0.0.1
get() { curl -s --max-time 5 --cacert "$run/cert.pem" \
	--resolve "www.shoal.test:$tport:$www" "$@"; }
front() { get "https://www.shoal.test:$tport/"; }
wait_for 20 sh -c "curl -s --max-time 2 -o /dev/null http://127.0.0.1:$hport/" ||
	bad "httpd did not answer"
page=$(front)
check "the front page by name over HTTPS" grep -q '<title>Shoal · Shoal</title>' <<<"$page"
check "... is README.md's text" grep -q 'Quick start' <<<"$page"
check "... links docs/httpd.md as httpd.html" grep -q 'href="httpd.html"' <<<"$page"
out=$(get --http2 -o "$run/httpd.html" -w '%{http_version} %{http_code}' \
	"https://www.shoal.test:$tport/httpd.html")
check "a linked page over HTTP/2 ($out)" test "$out" = "2 200"
check "... is docs/httpd.md" grep -q 'Where httpd differs from nginx and lighttpd' "$run/httpd.html"
check "the stylesheet" test "$(get -o /dev/null -w '%{content_type}' \
	"https://www.shoal.test:$tport/style.css")" = text/css
wait_for 20 sh -c "'$ctl' list 2>/dev/null | grep -q '^http '" || bad "http not registered"
out=$("$ctl" --domain httpd --json http.stats 2>&1)
jqc() { jq -e "$@" >/dev/null; }
check "http.stats over vchan from dom0" \
	jqc '.requests >= 4 and .tls.h2_connections >= 1' <<<"$out"
"$xensim" destroy httpd
wait_for 10 sh -c "! curl -s --max-time 1 -o /dev/null http://127.0.0.1:$hport/" ||
	bad "httpd's domain destroyed but the site still answers"
log=$(dirname "$XENSIM_SOCKET")/console.$hdom.log
check "no sanitizer report in httpd's console log" \
	sh -c "! grep -qE 'Sanitizer|runtime error' '$log' 2>/dev/null"
hdom=$("$xensim" create --name httpd -- "$build/daemons/httpd/httpd" -c "$run/httpd.json")
wait_for 20 sh -c "curl -s --max-time 2 -o /dev/null http://127.0.0.1:$hport/" ||
	bad "the new httpd domain did not answer"
check "served again from domain $hdom" grep -q '<title>' <<<"$(front)"
"$xensim" destroy httpd
"$xensim" destroy dnsd
[ "$failures" -eq 0 ] || { [ -f "$log" ] && tail -20 "$log"; }
finish it_site
