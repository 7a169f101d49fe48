#!/usr/bin/env bash
# httpd's HTTPS as Debian's testssl.sh sees it: every check it makes
# (protocols, ciphers, known attacks, headers...) against httpd on
# loopback, and no finding rated above LOW, except one about the test's
# own certificate rather than the server: cert_revocation (a private
# certificate has no CRL or OCSP address; a real one from a CA would).
# The certificate is trusted through --add-ca, so its chain is checked
# as a real one would be.  Takes about three minutes.
#   it_testssl.sh HTTPD
set -uo pipefail
httpd=$1
here=$(cd "$(dirname "$0")" && pwd)
port=5393
. "$here/../lib.sh"
run=$(test_dir httpd-testssl)
trap 'track_cleanup; rm -rf "$run"' EXIT
command -v testssl >/dev/null || { echo "FAIL: testssl.sh is not installed (deploy/deps tools)"; exit 1; }

"$here/make_docroot.sh" "$run/root" >/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 365 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$run/key.pem" -out "$run/cert.pem" 2>/dev/null
cat >"$run/httpd.json" <<JSON
{
  "listen": ["127.0.0.1:5394"],
  "tls": { "listen": ["127.0.0.1:$port"], "certificate": "cert.pem",
           "key": "key.pem" },
  "root": "root",
  "headers": {
    "Strict-Transport-Security": "max-age=31536000",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'",
    "Referrer-Policy": "no-referrer"
  }
}
JSON
"$httpd" -c "$run/httpd.json" --no-rpc >"$run/httpd.log" 2>&1 &
pid=$!
track "$pid"
wait_for 10 grep -q 'serving ' "$run/httpd.log" ||
	{ cat "$run/httpd.log"; bad "httpd did not start"; finish it_testssl; }
check "the extra fields are sent" grep -qi '^x-content-type-options: nosniff' \
	<<<"$(curl -s -I --cacert "$run/cert.pem" "https://127.0.0.1:$port/" | tr -d '\r')"
testssl --quiet --warnings off --color 0 --add-ca "$run/cert.pem" \
	--jsonfile "$run/testssl.json" --ip one "127.0.0.1:$port" \
	>"$run/testssl.out" 2>&1
check "testssl.sh ran ($(jq length "$run/testssl.json" 2>/dev/null) findings)" \
	test "$(jq length "$run/testssl.json" 2>/dev/null || echo 0)" -gt 50
above=$(jq -r '.[] | select(.severity == "MEDIUM" or .severity == "HIGH" or
	.severity == "CRITICAL") | select(.id != "cert_revocation") |
	"\(.severity) \(.id): \(.finding)"' "$run/testssl.json")
check "no finding above LOW${above:+: $above}" test -z "$above"
tls13=$(jq -r '.[] | select(.id == "TLS1_3") | .finding' "$run/testssl.json")
check "TLS 1.3 offered ($tls13)" grep -q '^offered' <<<"$tls13"
stop_daemon "$pid" "$run/httpd.log" httpd
tracked=()
finish it_testssl
