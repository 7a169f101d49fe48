#!/usr/bin/env bash
# The self-hosting scenario on xensim, laid out as deploy/up lays it out:
# xenstored in a xenstore domain (dom0 runs no store), consoled in a
# console domain, dnsd and httpd each in a domain of their own, the site (made
# from README.md and docs/ by sitegen) found by name: the address from
# dnsd with dig, the pages fetched with curl over HTTPS and HTTP/2 by that
# name, a page's links to the other documents served too; http.stats from
# dom0 with shoalctl over vchan.  /status and /metrics: every domain and
# every service with its counters (xenstored, consoled, dnsd, httpd
# itself), gathered over RPC from httpd's unprivileged domain as the
# policy allows; a domain whose service never answers and whose daemon
# name is markup shows as down, escaped, and does not hold up the page.
# Headless Chromium renders the front page and /status: screenshots in
# BUILD_DIR/site-shots, and the rendered DOM holds the title and a table
# of domains.  Then dnsd's domain is destroyed and /status notices; then
# httpd's, and the site is gone, and a new httpd domain serves it (and
# /status) again.
#   it_site.sh BUILD_DIR SITE_CONFIG_DIR
set -uo pipefail
build=$(cd "$1" && pwd) site=$2
xensim=$build/xensim/bin/xensim
ctl=$build/tools/shoalctl/shoalctl
. "$(dirname "$0")/../lib.sh"
run=$(test_dir shoal-site)
export XENSIM_SOCKET=$run/xensimd.sock
trap 'track_cleanup; "$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT
dport=5314 hport=5315 tport=5316 aport=5317

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
  "admin": ["127.0.0.1:$aport"],
  "status": { "page": "/status", "interval-ms": 300, "timeout-ms": 1000,
              "xenstore-domain": XSDOM },
  "root": "$build/site" }
JSON
"$xensim" start --xenstore-domain "$build/daemons/xenstored/xenstored" \
	--policy "$site/rpc.policy" || { echo "FAIL: xensim did not start"; exit 1; }
eval "$("$xensim" env)"
sdom=$(xenstore-read /tool/xenstored/domid)
check "xenstored runs in xenstore domain $sdom" test -n "$sdom"
# httpd's domain may not read /tool/xenstored/domid: it is told.
sed -i "s/XSDOM/$sdom/" "$run/httpd.json"
cdom=$("$xensim" create --name console --paused -- \
	"$build/daemons/consoled/consoled" --log-dir "$run/consoles" \
	--policy "$site/rpc.policy")
"$(dirname "$0")/../../deploy/console-domain" "$cdom" || bad "console-domain $cdom"
"$xensim" unpause console
ddom=$("$xensim" create --name dnsd -- "$build/daemons/dnsd/dnsd" \
	-c "$run/dnsd.json" --policy "$site/rpc.policy")
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
check "... with its tables as tables (cmark-gfm)" grep -q '<th>Limit</th>' "$run/httpd.html"
check "the stylesheet" test "$(get -o /dev/null -w '%{content_type}' \
	"https://www.shoal.test:$tport/style.css")" = text/css
wait_for 20 sh -c "'$ctl' list 2>/dev/null | grep -q '^http '" || bad "http not registered"
out=$("$ctl" --domain httpd --json http.stats 2>&1)
jqc() { jq -e "$@" >/dev/null; }
check "http.stats over vchan from dom0" \
	jqc '.requests >= 4 and .tls.h2_connections >= 1' <<<"$out"

# /status and /metrics, gathered from httpd's own (unprivileged) domain.
# A domain with a service that never answers, its daemon name markup.
edom=$("$xensim" create --name evil -- sh -c '
	d=$(xenstore-read domid); s=/local/domain/$d/data/shoal
	xenstore-write $s/mute/daemon "<script>alert(1)</script>" $s/mute/inbox ""
	# Readable by all, the inbox writable, as a real service leaves them.
	xenstore-chmod $s r$d; xenstore-chmod $s/mute r$d
	xenstore-chmod $s/mute/daemon r$d; xenstore-chmod $s/mute/inbox w$d
	echo REGISTERED; sleep 120')
status() { curl -s --max-time 5 "http://127.0.0.1:$hport/status"; }
metrics() { curl -s --max-time 5 "http://127.0.0.1:$aport/metrics"; }
row_up() {	# row_up SERVICE DOMAIN DOMID DAEMON: up in the services table
	status | grep -F >/dev/null "<tr><td>$1</td><td>$2 ($3)</td><td>$4</td><td class=\"up\">up</td>"
}
wait_for 20 row_up dns dnsd "$ddom" dnsd || bad "/status never showed dns up: $(status)"
check "/status: xenstore up in its domain $sdom" row_up xenstore xenstore "$sdom" xenstored
wait_for 20 row_up console console "$cdom" consoled ||
	bad "/status: console not up in its domain $cdom"
check "/status: http up (itself) in domain $hdom" row_up http httpd "$hdom" httpd
check "/status: dnsd's counters" sh -c "curl -s http://127.0.0.1:$hport/status |
	grep -A3 '<td>dns</td>' | grep -q 'udp_queries'"
# The evil domain makes its nodes readable only after writing them: a round
# gathered in between shows the mute row without its daemon name.
mute_row_escaped() {
	status | grep -qF '<td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td class="down">no answer'
}
wait_for 20 mute_row_escaped || bad "the mute service never showed as down with its name: $(status)"
check "/status: the domains table lists dom0, the store, console, dnsd, httpd and evil" sh -c "
	curl -s http://127.0.0.1:$hport/status | sed -n '/id=\"domains\"/,/<\/table>/p' >'$run/doms'
	grep -q '<tr><td>0</td><td>Domain-0</td>' '$run/doms' &&
	grep -q '<tr><td>$sdom</td><td>xenstore</td><td>xenstore</td>' '$run/doms' &&
	grep -q '<tr><td>$cdom</td><td>console</td><td>console</td>' '$run/doms' &&
	grep -q '<tr><td>$ddom</td><td>dnsd</td><td>dns</td>' '$run/doms' &&
	grep -q '<tr><td>$hdom</td><td>httpd</td><td>http</td>' '$run/doms' &&
	grep -q '<tr><td>$edom</td><td>evil</td><td>mute</td>' '$run/doms'"
check "/status: the mute service down, its daemon name escaped" sh -c "
	curl -s http://127.0.0.1:$hport/status >'$run/status.html'
	grep -qF '<td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td class=\"down\">no answer' '$run/status.html' &&
	! grep -q '<script>' '$run/status.html'"
took=$(metrics | awk '/^shoal_status_taken_seconds/ { print $2 }')
check "/metrics: when gathered ($took)" test -n "$took"
check "/metrics: every service up but the mute one" sh -c "
	curl -s http://127.0.0.1:$aport/metrics >'$run/metrics'
	grep -qx 'shoal_service_up{domid=\"$ddom\",domain=\"dnsd\",service=\"dns\",daemon=\"dnsd\"} 1' '$run/metrics' &&
	grep -qx 'shoal_service_up{domid=\"$sdom\",domain=\"xenstore\",service=\"xenstore\",daemon=\"xenstored\"} 1' '$run/metrics' &&
	grep -qx 'shoal_service_up{domid=\"$cdom\",domain=\"console\",service=\"console\",daemon=\"consoled\"} 1' '$run/metrics' &&
	grep -qx 'shoal_service_up{domid=\"$edom\",domain=\"evil\",service=\"mute\",daemon=\"<script>alert(1)</script>\"} 0' '$run/metrics'"
check "/metrics: dnsd's and xenstored's numbers" sh -c "
	grep -Eq '^shoal_service_stat\{domid=\"$ddom\",domain=\"dnsd\",service=\"dns\",stat=\"[a-z_.]*udp_queries\"\} [1-9]' '$run/metrics' &&
	grep -Eq '^shoal_service_stat\{domid=\"$sdom\",domain=\"xenstore\",service=\"xenstore\",stat=\"daemon.nodes\"\} [1-9]' '$run/metrics'"
check "/metrics: httpd's own counters too" grep -q '^shoal_http_requests_total ' "$run/metrics"

# The collector is a process of its own, holding none of httpd's
# sockets; killed, it is reported and replaced, and /status goes on.
hpid=$("$xensim" list | awk '$1 == "httpd" { print $3 }')
cpid=$(pgrep -P "$hpid" | head -n 1)
check "the status collector is httpd's child process ($cpid)" test -n "$cpid"
check "... holding none of httpd's listening sockets" sh -c "
	ss -Hltnp | grep -q 'pid=$hpid,' && ! ss -Htanp | grep -q 'pid=$cpid,'"
hlog=$(dirname "$XENSIM_SOCKET")/console.$hdom.log
kill -KILL "$cpid"
wait_for 10 grep -q "status collector: process $cpid killed by signal 9" "$hlog" ||
	bad "httpd did not report its collector killed"
wait_for 10 sh -c "pgrep -P $hpid | grep -qvx $cpid" ||
	bad "no collector started after the killed one"
before=$(metrics | awk '/^shoal_status_taken_seconds/ { print $2 }')
wait_for 10 sh -c "[ \"\$(curl -s http://127.0.0.1:$aport/metrics |
	awk '/^shoal_status_taken_seconds/ { print \$2 }')\" != '$before' ]" &&
	row_up dns dnsd "$ddom" dnsd &&
	ok "/status gathered again by the new collector" ||
	bad "/status not gathered again after the collector was killed"

# What a browser makes of the pages: Debian's Chromium, headless.
shots=$build/site-shots
mkdir -p "$shots"
chrome() {
	timeout 90 chromium --headless --no-sandbox --disable-gpu \
		--disable-dev-shm-usage --no-first-run --hide-scrollbars \
		--user-data-dir="$run/chrome" "$@" 2>>"$run/chromium.log"
}
check "Chromium screenshots the front page" chrome --window-size=1200,900 \
	--screenshot="$shots/index.png" "http://127.0.0.1:$hport/"
check "Chromium screenshots /status" chrome --window-size=1200,1400 \
	--screenshot="$shots/status.png" "http://127.0.0.1:$hport/status"
dump_dom() { chrome --dump-dom "$1" >"$2"; }
check "Chromium renders /status's DOM" dump_dom "http://127.0.0.1:$hport/status" "$run/status.dom"
check "... its title, and a table of domains with dom0, dnsd and httpd" \
	python3 "$(dirname "$0")/page_check.py" status "$run/status.dom" \
	Domain-0 dnsd httpd
check "... and the screenshots are pictures of something" \
	python3 "$(dirname "$0")/page_check.py" png "$shots/index.png" "$shots/status.png"
[ "$failures" -eq 0 ] || tail -20 "$run/chromium.log"

# dnsd's domain destroyed: /status and /metrics notice.
"$xensim" destroy dnsd
wait_for 20 sh -c "! curl -s http://127.0.0.1:$hport/status | grep -q '<td>dnsd</td>'" ||
	bad "/status still lists dnsd after its domain was destroyed"
check "/metrics no longer has dnsd's domain" sh -c "
	! curl -s http://127.0.0.1:$aport/metrics | grep -q 'domain=\"dnsd\"'"
"$xensim" destroy evil

"$xensim" destroy httpd
wait_for 10 sh -c "! curl -s --max-time 1 -o /dev/null http://127.0.0.1:$hport/" ||
	bad "httpd's domain destroyed but the site still answers"
log=$(dirname "$XENSIM_SOCKET")/console.$hdom.log
check "no sanitizer report in httpd's console log" \
	sh -c "! grep -qE 'Sanitizer|runtime error' '$log' 2>/dev/null"
old_hdom=$hdom
hdom=$("$xensim" create --name httpd -- "$build/daemons/httpd/httpd" -c "$run/httpd.json")
wait_for 20 sh -c "curl -s --max-time 2 -o /dev/null http://127.0.0.1:$hport/" ||
	bad "the new httpd domain did not answer"
check "served again from domain $hdom" grep -q '<title>' <<<"$(front)"
wait_for 20 row_up http httpd "$hdom" httpd ||
	bad "/status from the new domain $hdom does not list itself"
check "... and /status has the old httpd domain no more" sh -c "
	! curl -s http://127.0.0.1:$hport/status | grep -q '<td>httpd ($old_hdom)</td>'"
# This httpd stops on SIGTERM, so that it and its collector exit normally
# and LeakSanitizer's exit reports (a leak per round would show) are in
# its log.
hpid=$("$xensim" list | awk '$1 == "httpd" { print $3 }')
kill -TERM "$hpid"
wait_for 15 sh -c "! kill -0 $hpid 2>/dev/null" || bad "httpd did not end on SIGTERM"
log=$(dirname "$XENSIM_SOCKET")/console.$hdom.log
check "httpd ended cleanly: no sanitizer or leak report" \
	sh -c "grep -q 'SIGTERM received' '$log' && ! grep -qE 'Sanitizer|runtime error' '$log'"
"$xensim" destroy httpd 2>/dev/null
# consoled and xenstored, each in its domain, stop on SIGTERM too.
for d in console xenstore; do
	pid=$("$xensim" list | awk -v d=$d '$1 == d { print $3 }')
	dlog=$(dirname "$XENSIM_SOCKET")/console.$("$xensim" list | awk -v d=$d '$1 == d { print $2 }').log
	kill -TERM "$pid"
	wait_for 15 sh -c "! kill -0 $pid 2>/dev/null" || bad "$d's daemon did not end on SIGTERM"
	check "$d's daemon ended cleanly: no sanitizer or leak report" \
		sh -c "grep -q 'SIGTERM received' '$dlog' && ! grep -qE 'Sanitizer|runtime error' '$dlog'"
done
[ "$failures" -eq 0 ] || { [ -f "$log" ] && tail -20 "$log"; }
finish it_site
