#!/usr/bin/env bash
# httpd as a daemon on loopback, driven by curl (a real client), by
# shoalctl over its RPC socket and by hostile.py where no real client
# misbehaves on purpose:
#   cli       --help, no -c (exit 2), an unknown key at FILE:LINE:COL,
#             --check
#   serve     GET and HEAD byte for byte (1 KiB from the cache's memory,
#             100 KiB and 1 MiB by sendfile), 304 for the ETag, a range,
#             the .gz and .br siblings by Accept-Encoding with Vary,
#             Cache-Control by path prefix, keep-alive reuse
#   tls       HTTPS with curl (byte for byte, keep-alive), openssl
#             s_client: TLS 1.3 and 1.2 with ALPN http/1.1, TLS 1.1
#             refused; a renewed certificate served after SIGHUP;
#             HTTP/2 by ALPN: curl --http2 (bytes, three streams on one
#             connection, a range, 304, a redirect) and h2load
#   limits    413, 414, 431, and 408 for a head not finished in time
#   log       one JSON line per response; SIGHUP reopens a moved log
#   reload    a keep-alive connection survives SIGHUP and its next answer
#             has the new configuration; a broken configuration is
#             refused by http.reload with FILE:LINE:COL and the old one
#             stays
#   rpc       http.stats counts requests, statuses and timeouts
#   metrics   /metrics on the admin listener: Prometheus's text format,
#             counters by code, a cumulative histogram; no files there,
#             and no /metrics on the site
#   cap       past "connections" a client gets 503, counted
#   hostile   1000 slowloris connections, closed at the header timeout,
#             while a normal client is served every 100 ms within 100 ms;
#             a client that never reads a 100 MiB file is dropped at the
#             send timeout without the server's memory growing; 10,000
#             idle keep-alive connections held, and memory per connection
#   stop      SIGTERM: exit 0, no sanitizer report
#   it_httpd.sh HTTPD SHOALCTL
set -uo pipefail
httpd=$1 ctl=$2
here=$(cd "$(dirname "$0")" && pwd)
port=5390 tport=5391 aport=5392
. "$here/../lib.sh"
run=$(test_dir httpd-it)
# httpd runs as shoal-httpd: its access log is reopened here on SIGHUP.
daemon_writes shoal-httpd "$run"
cleanup() { track_cleanup; rm -rf "$run"; }
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"
url=http://127.0.0.1:$port
rpc() { "$ctl" --socket "$run/rpc.sock" --json "$@"; }
stat_of() { rpc http.stats | jq -r "$1"; }
jqc() { jq -e "$@" >/dev/null; }
section() { echo "--- $1 ($(date +%T))"; }
# SIGHUP, and wait until http.stats counts one more reload.
hup_and_wait() {
	local n
	n=$(stat_of .reloads)
	kill -HUP "$pid"
	wait_for 5 eval "[ \$(stat_of .reloads) -gt $n ]"
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"; }

### cli
section cli
"$httpd" --help | grep -q -- '--config' && ok "--help" || bad "--help"
exits 2 "$httpd" && ok "no -c: usage, exit 2" || bad "no -c should exit 2"
cat >"$run/typo.json" <<'JSON'
{
  "listen": ["127.0.0.1:5390"],
  "root": ".",
  "limits": { "head": 4096, "bodyy": 1 }
}
JSON
out=$("$httpd" -c "$run/typo.json" --check 2>&1)
check "unknown key at FILE:LINE:COL ($out)" \
	grep -q 'typo.json:4:29: .*bodyy' <<<"$out"

### set-up
"$here/make_docroot.sh" "$run/root" >/dev/null
head -c 1048576 /dev/urandom >"$run/root/1m.bin"
truncate -s 100M "$run/root/100m.bin"
printf 'plain\n' >"$run/root/enc.txt"
printf 'gzip bytes\n' >"$run/root/enc.txt.gz"
printf 'brotli bytes\n' >"$run/root/enc.txt.br"
cert() {	# cert NAME: a self-signed certificate for NAME
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -days 2 -subj "/CN=$1" \
	    -addext "subjectAltName=DNS:$1,IP:127.0.0.1" \
	    -keyout "$run/key.pem" -out "$run/cert.pem" 2>/dev/null
	# As an operator would: the key is root's, readable by httpd's
	# group (SIGHUP rereads it as shoal-httpd).
	chgrp shoal-httpd "$run/key.pem" && chmod 0640 "$run/key.pem"
}
cert www.shoal.test
config() {	# config CACHE_VALUE CONNECTIONS
	cat >"$run/httpd.json" <<JSON
{
  "listen": ["127.0.0.1:$port"],
  "tls": { "listen": ["127.0.0.1:$tport"], "certificate": "cert.pem",
           "key": "key.pem" },
  "admin": ["127.0.0.1:$aport"],
  "root": "root",
  "access-log": "access.log",
  "access-log-format": "json",
  "cache-control": [ { "prefix": "/sub/", "value": "$1" } ],
  "limits": { "body": 4096, "header-timeout-ms": 3000,
              "send-timeout-ms": 2000, "connections": $2 }
}
JSON
}
config "max-age=60" 16384
exits 0 "$httpd" -c "$run/httpd.json" --check && ok "--check" ||
	bad "--check of a good configuration"
"$httpd" -c "$run/httpd.json" --rpc-socket "$run/rpc.sock" -v \
	>"$run/httpd.log" 2>&1 &
pid=$!
track "$pid"
wait_for 10 grep -q "serving " "$run/httpd.log" ||
	{ cat "$run/httpd.log"; bad "httpd did not start"; exit 1; }
wait_for 5 test -S "$run/rpc.sock" || bad "no RPC socket"

### serve
section serve
c() { curl -s --max-time 10 "$@"; }
c -o "$run/got" "$url/1k.bin" && cmp -s "$run/got" "$run/root/1k.bin" &&
	ok "1 KiB byte for byte" || bad "GET /1k.bin"
c -o "$run/got" "$url/100k.bin" && cmp -s "$run/got" "$run/root/100k.bin" &&
	ok "100 KiB byte for byte" || bad "GET /100k.bin"
c -o "$run/got" "$url/1m.bin" && cmp -s "$run/got" "$run/root/1m.bin" &&
	ok "1 MiB byte for byte" || bad "GET /1m.bin"
h=$(c -I "$url/1k.bin" | tr -d '\r')
check "HEAD: Content-Length 1024" grep -qx 'Content-Length: 1024' <<<"$h"
etag=$(sed -n 's/^ETag: //p' <<<"$h")
check "HEAD: a strong ETag ($etag)" grep -q '^"[^"]*"$' <<<"$etag"
expect 304 0 c -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" \
	"$url/1k.bin"
c -o "$run/got" -r 100-199 "$url/1k.bin"
head -c 200 "$run/root/1k.bin" | tail -c 100 >"$run/want"
check "a range: bytes 100-199" cmp -s "$run/got" "$run/want"
h=$(c -D - -o "$run/got" -H 'Accept-Encoding: gzip' "$url/enc.txt" | tr -d '\r')
check "gzip sibling chosen" grep -qx 'Content-Encoding: gzip' <<<"$h"
check "Vary: Accept-Encoding" grep -qx 'Vary: Accept-Encoding' <<<"$h"
check "the .gz bytes sent" cmp -s "$run/got" "$run/root/enc.txt.gz"
h=$(c -D - -o "$run/got" -H 'Accept-Encoding: gzip, br' "$url/enc.txt" | tr -d '\r')
check "br preferred when both are taken" grep -qx 'Content-Encoding: br' <<<"$h"
check "its type is the original's" grep -qx 'Content-Type: text/plain' <<<"$h"
h=$(c -D - -o "$run/got" "$url/enc.txt" | tr -d '\r')
check "no coding asked: the plain file" cmp -s "$run/got" "$run/root/enc.txt"
check "... and still Vary" grep -qx 'Vary: Accept-Encoding' <<<"$h"
check "Cache-Control by prefix" grep -qx 'Cache-Control: max-age=60' \
	<<<"$(c -I "$url/sub/page.html" | tr -d '\r')"
check "no Cache-Control outside it" eval "! c -I $url/1k.bin | grep -qi '^Cache-Control'"
out=$(curl -sv -o /dev/null -o /dev/null "$url/1k.bin" "$url/text.txt" 2>&1)
check "keep-alive: the second request reuses the connection" \
	grep -q 'Re-using existing connection' <<<"$out"

### tls
turl=https://127.0.0.1:$tport
# HTTP/1.1 over TLS: curl would choose h2 by ALPN otherwise.
ct() { curl -s --max-time 10 --http1.1 --cacert "$run/cert.pem" "$@"; }
ct -o "$run/got" "$turl/1m.bin" && cmp -s "$run/got" "$run/root/1m.bin" &&
	ok "HTTPS: 1 MiB byte for byte" || bad "HTTPS GET /1m.bin"
ct -o "$run/got" -r 100-199 "$turl/1k.bin"
check "HTTPS: a range" cmp -s "$run/got" "$run/want"
out=$(curl -sv --http1.1 --cacert "$run/cert.pem" -o /dev/null -o /dev/null \
	"$turl/1k.bin" "$turl/text.txt" 2>&1)
check "HTTPS: keep-alive reuses the connection" \
	grep -q 'Re-using existing connection' <<<"$out"
sc() { openssl s_client -connect "127.0.0.1:$tport" -CAfile "$run/cert.pem" "$@" </dev/null 2>&1; }
out=$(sc -tls1_3 -alpn http/1.1)
check "TLS 1.3" grep -q '^New, TLSv1.3, ' <<<"$out"
check "ALPN http/1.1" grep -q 'ALPN protocol: http/1.1' <<<"$out"
check "the certificate verifies" grep -q 'Verify return code: 0 (ok)' <<<"$out"
check "TLS 1.2" grep -q '^New, TLSv1.2, ' <<<"$(sc -tls1_2)"
check "TLS 1.1 refused" eval "! sc -tls1_1 | grep -q '^New, TLSv1'"
check "ALPN h2 when offered" grep -q 'ALPN protocol: h2' \
	<<<"$(sc -alpn h2,http/1.1)"
h2() { curl -s --max-time 10 --http2 --cacert "$run/cert.pem" "$@"; }
out=$(h2 -o "$run/got" -w '%{http_version} %{http_code}' "$turl/1m.bin")
check "HTTP/2: 1 MiB ($out)" test "$out" = "2 200"
check "HTTP/2: byte for byte" cmp -s "$run/got" "$run/root/1m.bin"
out=$(h2 -o "$run/a" -o "$run/b" -o /dev/null -w '%{http_version} %{http_code} %{num_connects}\n' \
	"$turl/1k.bin" "$turl/100k.bin" "$turl/missing")
check "HTTP/2: three streams on one connection ($(tr '\n' ' ' <<<"$out"))" \
	test "$out" = "2 200 1
2 200 0
2 404 0"
check "HTTP/2: the streams' bytes" eval "cmp -s $run/a $run/root/1k.bin && cmp -s $run/b $run/root/100k.bin"
h2 -o "$run/got" -r 100-199 "$turl/1k.bin"
check "HTTP/2: a range" cmp -s "$run/got" "$run/want"
check "HTTP/2: 304 for the ETag" test "$(h2 -o /dev/null -w '%{http_code}' \
	-H "If-None-Match: $etag" "$turl/1k.bin")" = 304
check "HTTP/2: a directory's redirect" grep -qx 'location: /sub/' \
	<<<"$(h2 -I "$turl/sub" | tr -d '\r')"
out=$(h2load -n 2000 -c 4 -m 10 "$turl/1k.bin" 2>&1)
check "h2load: 2000 requests, all 2xx ($(grep -E '^requests:|^status codes:' <<<"$out" | tr '\n' ' '))" \
	grep -q '^status codes: 2000 2xx' <<<"$out"
cert renewed.shoal.test
kill -HUP "$pid"
wait_for 5 eval "sc | grep -q 'subject=CN = renewed.shoal.test'" &&
	ok "a renewed certificate after SIGHUP" ||
	bad "the certificate was not reloaded: $(sc | grep subject=)"
cp "$run/cert.pem" "$run/renewed.pem"
check "HTTPS after the renewal" ct --cacert "$run/renewed.pem" -o /dev/null "$turl/1k.bin"

### limits
section limits
head -c 8192 /dev/zero >"$run/body"
expect 413 0 c -o /dev/null -w '%{http_code}' --data-binary @"$run/body" \
	"$url/1k.bin"
expect 414 0 c -o /dev/null -w '%{http_code}' "$url/$(head -c 9000 /dev/zero | tr '\0' a)"
expect 431 0 c -o /dev/null -w '%{http_code}' \
	-H "X-Big: $(head -c 9000 /dev/zero | tr '\0' b)" "$url/1k.bin"
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /1k.bin HTTP/1.1\r\nHost: t\r\n' >&3
line=$(timeout 10 head -n 1 <&3 | tr -d '\r')
exec 3<&-
check "an unfinished head: 408 at the header timeout ($line)" \
	test "$line" = "HTTP/1.1 408 Request Timeout"

### log
section log
wait_for 5 grep -q '"status":408' "$run/access.log" || bad "408 not logged"
check "every access log line is JSON" jqc . "$run/access.log" >/dev/null
check "the log names target and status" \
	jq -se 'map(select(.target == "/1k.bin" and .status == 304 and .version == "HTTP/1.1")) | length == 1' \
	"$run/access.log"
check "HTTP/2 streams are logged too" \
	jq -se 'map(select(.version == "HTTP/2.0" and .target == "/1m.bin" and .status == 200)) | length == 1' \
	"$run/access.log"
mv "$run/access.log" "$run/access.log.1"
kill -HUP "$pid"
wait_for 5 grep -q 'reloaded ' "$run/httpd.log" || bad "no reload on SIGHUP"
c -o /dev/null "$url/text.txt?after-reopen"
wait_for 5 grep -q 'after-reopen' "$run/access.log" &&
	ok "SIGHUP reopened the access log" || bad "the log was not reopened"

### reload
section reload
python3 "$here/hostile.py" twice "$port" /sub/page.html "$run/ready" \
	"$run/gate" >"$run/twice.out" 2>&1 &
twice=$!
track "$twice"
wait_for 10 test -e "$run/ready" || bad "twice: no first answer"
config "no-store" 16384
n=$(grep -c 'reloaded ' "$run/httpd.log")
kill -HUP "$pid"
wait_for 5 eval "[ \$(grep -c 'reloaded ' $run/httpd.log) -gt $n ]" ||
	bad "second reload not logged"
touch "$run/gate"
wait "$twice" || bad "twice failed: $(cat "$run/twice.out")"
expect "200 max-age=60
200 no-store" 0 cat "$run/twice.out"
printf '{ "listen": [], \n  "root": 5 }\n' >"$run/httpd.json"
out=$(rpc http.reload)
check "a broken configuration is refused ($out)" \
	jqc '.reloaded == false and (.error | test("httpd.json:1:13: "))' <<<"$out"
check "... and the old one serves on" grep -qx 'Cache-Control: no-store' \
	<<<"$(c -I "$url/sub/page.html" | tr -d '\r')"
config "no-store" 16384
check "http.reload of a good one" jqc '.reloaded == true' <<<"$(rpc http.reload)"

### rpc
section rpc
check "http.stats: requests counted" test "$(stat_of .requests)" -ge 15
check "http.stats: the two 304s (HTTP/1.1, HTTP/2)" \
	test "$(stat_of '.status["304"]')" -eq 2
check "http.stats: the header timeout" test "$(stat_of .timeouts.header)" -eq 1
check "http.stats: the file cache has hits" test "$(stat_of .file_cache.hits)" -ge 1
check "http.stats: TLS handshakes" test "$(stat_of .tls.handshakes)" -ge 8
check "http.stats: HTTP/2 connections" test "$(stat_of .tls.h2_connections)" -ge 5
check "sys.stats has httpd's counters" \
	jqc '.daemon.requests >= 15' <<<"$(rpc sys.stats)"

### metrics
section metrics
m=$(c -D "$run/mhead" "http://127.0.0.1:$aport/metrics")
check "/metrics: Prometheus's text format" \
	grep -qix 'Content-Type: text/plain; version=0.0.4; charset=utf-8' \
	<<<"$(tr -d '\r' <"$run/mhead")"
bad_lines=$(grep -v '^#' <<<"$m" |
	grep -cvE '^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-z]+="[^"]*"\})? [0-9.e+-]+$')
check "/metrics: every sample line well-formed ($bad_lines not)" test "$bad_lines" -eq 0
check "/metrics: requests counted" \
	test "$(awk '$1 == "shoal_http_requests_total" { print $2 }' <<<"$m")" -ge 15
check "/metrics: the 304s by code" grep -qx 'shoal_http_responses_total{code="304"} 2' <<<"$m"
check "/metrics: the histogram is cumulative and ends at its count" \
	awk '/_bucket/ { if ($2 < last) bad = 1; last = $2; inf = $2 }
	     /_seconds_count/ { cnt = $2 } END { exit bad || inf != cnt || cnt == 0 }' <<<"$m"
expect 404 0 c -o /dev/null -w '%{http_code}' "http://127.0.0.1:$aport/1k.bin"
expect 405 0 c -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$aport/metrics"
expect 404 0 c -o /dev/null -w '%{http_code}' "$url/metrics"

### cap
section cap
config "no-store" 20
hup_and_wait || bad "cap: no reload"
rm -f "$run/ready"
python3 "$here/hostile.py" idle "$port" 30 "$run/ready" >"$run/cap.out" 2>&1 &
cap=$!
track "$cap"
wait_for 60 test -e "$run/ready" || bad "cap: the idle clients never got ready"
kill -TERM "$cap"
wait "$cap" || bad "hostile.py idle (cap) failed"
check "cap: 20 of 30 served ($(cat "$run/cap.out"))" \
	jqc '.served == 20' "$run/cap.out"
check "cap: 10 refused with 503, counted" test "$(stat_of .connections_refused)" -eq 10
config "no-store" 16384
hup_and_wait || bad "no reload after cap"

### hostile
section hostile
python3 "$here/hostile.py" slowloris "$port" 1000 6 >"$run/slow.out" 2>&1 &
slow=$!
track "$slow"
wait_for 10 eval "[ \$(stat_of .connections_active) -ge 1000 ]" ||
	bad "slowloris: 1000 connections never open"
# A normal client every 100 ms while they last (and the server ends
# them at the header timeout, 3 s): each answer's time, in ms.
: >"$run/probes"
while kill -0 "$slow" 2>/dev/null && [ "$(wc -l <"$run/probes")" -lt 100 ]; do
	curl -s --max-time 5 -o /dev/null -w '%{http_code} %{time_total}\n' \
		"$url/1k.bin" >>"$run/probes"
	sleep 0.1
done
wait "$slow" || bad "hostile.py slowloris failed"
out=$(cat "$run/slow.out")
check "slowloris: 1000 connections opened ($out)" jqc '.opened == 1000' <<<"$out"
check "slowloris: all closed at the header timeout" \
	jqc '.closed_by_server == 1000' <<<"$out"
probes=$(wc -l <"$run/probes")
slowest=$(awk '{ if ($2 > m) m = $2 } END { printf "%d", m * 1000 }' "$run/probes")
check "slowloris: $probes probes, all served" \
	test "$probes" -ge 10 -a "$(grep -c '^200 ' "$run/probes")" -eq "$probes"
check "slowloris: the slowest probe within 100 ms ($slowest ms)" \
	test "$slowest" -lt 100

section noread
rm -f "$run/ready"
before=$(rss_kb)
python3 "$here/hostile.py" noread "$port" /100m.bin "$run/ready" \
	>"$run/noread.out" 2>&1 &
nr=$!
track "$nr"
wait_for 10 test -e "$run/ready" || bad "noread: request not sent"
check "a normal client is served meanwhile" c -o /dev/null "$url/1k.bin"
wait_for 15 eval "[ \$(stat_of .timeouts.send) -ge 1 ]" &&
	ok "the non-reading client dropped at the send timeout" ||
	bad "the non-reading client was never dropped"
after=$(rss_kb)
check "memory did not follow the 100 MiB ($before -> $after KiB)" \
	test $((after - before)) -lt 16384
kill -TERM "$nr"
wait "$nr" || bad "hostile.py noread failed"
check "noread: the server had closed ($(cat "$run/noread.out"))" \
	jqc '.closed_by_server == true and .received < 104857600' "$run/noread.out"

section idle
rm -f "$run/ready"
before=$(rss_kb)
python3 "$here/hostile.py" idle "$port" 10000 "$run/ready" >"$run/idle.out" 2>&1 &
idle=$!
track "$idle"
wait_for 120 test -e "$run/ready" || bad "idle: 10000 clients never got ready"
section idle-ready
sleep_until_swept() { [ "$(stat_of .connections_active)" -ge 10000 ]; }
wait_for 10 sleep_until_swept || bad "idle: not 10000 connections active"
check "a normal client is served beside 10,000 idle ones" c -o /dev/null "$url/1k.bin"
wait_for 5 eval "[ \$(stat_of .connection_buffers_bytes) -eq 0 ]" &&
	ok "idle: the idle connections hold no read buffer or request" ||
	bad "idle: idle connections still hold $(stat_of .connection_buffers_bytes) bytes"
after=$(rss_kb)
echo "idle: RSS $before -> $after KiB: $(( (after - before) * 1024 / 10000 )) bytes a connection (ASan build)"
kill -TERM "$idle"
wait "$idle" || bad "hostile.py idle failed"
check "idle: all 10,000 served and still open ($(cat "$run/idle.out"), refused so far $(stat_of .connections_refused))" \
	jqc '.served == 10000 and .still_open == 10000' "$run/idle.out"

section h2idle
# HTTP/2 clients sitting idle hold a TLS session and nghttp2's state, and
# nothing of an HTTP/1.1 request's (each stream brings its own).
rm -f "$run/ready"
before=$(rss_kb)
python3 "$here/hostile.py" h2idle "$tport" 1000 "$run/ready" >"$run/h2idle.out" 2>&1 &
h2i=$!
track "$h2i"
wait_for 60 test -e "$run/ready" || bad "h2idle: 1000 clients never got ready"
check "a normal HTTP/2 client is served beside 1000 idle ones" \
	curl -sf --http2 --cacert "$run/cert.pem" -o /dev/null "$turl/1k.bin"
after=$(rss_kb)
h2_per=$(( (after - before) * 1024 / 1000 ))
echo "h2idle: RSS $before -> $after KiB: $h2_per bytes a connection (ASan build)"
# A tick after its last byte, an idle connection's read buffer is freed.
wait_for 5 eval "[ \$(stat_of .connection_buffers_bytes) -eq 0 ]" &&
	ok "h2idle: the idle connections hold no read buffer or request" ||
	bad "h2idle: idle connections still hold $(stat_of .connection_buffers_bytes) bytes"
kill -TERM "$h2i"
wait "$h2i" || bad "hostile.py h2idle failed"
check "h2idle: 1000 negotiated h2 and were all still open ($(cat "$run/h2idle.out"))" \
	jqc '.h2 == 1000 and .still_open == 1000' "$run/h2idle.out"

### stop
section stop
stop_daemon "$pid" "$run/httpd.log" httpd
tracked=()
finish it_httpd
