#!/usr/bin/env bash
# httpd's differential test: one document root (make_docroot.sh) is
# served by nginx, lighttpd and httpd, each on its own loopback port, and
# every request in requests goes, raw, to all three on fresh connections
# (http_diff.py).  httpd must frame the bytes into as many responses as
# nginx or lighttpd (else: smuggling), give the statuses of one of them,
# and agree on Content-Length, Content-Range, Allow and the presence of
# an ETag wherever the two agree; a known difference is pinned in
# requests ("pin NAME => STATUSES") to httpd's exact statuses, so it
# cannot hide a new one.  Then SIGTERM must end httpd with status 0 and
# no sanitizer report, and end nginx and lighttpd.
#   it_diff.sh HTTPD_BINARY   the test
#   it_diff.sh --peers        nginx against lighttpd only, differences shown
# With DIFF_VERBOSE=1 in the environment every response head is shown;
# DIFF_ONLY=REGEX sends only the requests whose names match, and
# DIFF_REQUESTS=FILE sends FILE's requests instead of those in requests.
# Ports 5380 (nginx), 5381 (lighttpd), 5382 (httpd), 127.0.0.1 only.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
httpd=${1:?usage: it_diff.sh HTTPD_BINARY | --peers}
peers_only=
[ "$httpd" = --peers ] && peers_only=1
port_nginx=5380 port_lighttpd=5381 port_httpd=5382

for tool in nginx lighttpd python3; do
	command -v "$tool" >/dev/null ||
		{ echo "FAIL: $tool is not installed (deploy/deps tools)"; exit 1; }
done
[ -n "$peers_only" ] || [ -x "$httpd" ] ||
	{ echo "FAIL: no httpd binary at $httpd"; exit 1; }

# shellcheck source=../lib.sh
. "$here/../lib.sh"
run=$(test_dir httpd-diff)
# The servers may read the root as another user.
chmod 755 "$run"
cleanup() {
	track_cleanup
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

root=$run/root
"$here/make_docroot.sh" "$root"

cat >"$run/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $run/nginx.pid;
error_log $run/nginx-error.log notice;
events { worker_connections 256; }
http {
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	access_log $run/nginx-access.log;
	client_body_temp_path $run/nginx-body;
	proxy_temp_path $run/nginx-proxy;
	fastcgi_temp_path $run/nginx-fastcgi;
	uwsgi_temp_path $run/nginx-uwsgi;
	scgi_temp_path $run/nginx-scgi;
	sendfile on;
	server_tokens off;
	server {
		listen 127.0.0.1:$port_nginx;
		server_name localhost;
		root $root;
		index index.html;
		autoindex off;
	}
}
EOF

# The parsing options are those Debian's lighttpd.conf ships; HTTP/2 is
# off, as httpd speaks HTTP/1.x only.
cat >"$run/lighttpd.conf" <<EOF
server.modules = ("mod_indexfile", "mod_staticfile", "mod_accesslog")
server.document-root = "$root"
server.bind = "127.0.0.1"
server.port = $port_lighttpd
server.pid-file = "$run/lighttpd.pid"
server.errorlog = "$run/lighttpd-error.log"
accesslog.filename = "$run/lighttpd-access.log"
index-file.names = ("index.html")
dir-listing.activate = "disable"
server.feature-flags += ("server.h2proto" => "disable")
server.feature-flags += ("server.h2c" => "disable")
server.http-parseopts = (
	"header-strict" => "enable",
	"host-strict" => "enable",
	"host-normalize" => "enable",
	"url-normalize-unreserved" => "enable",
	"url-normalize-required" => "enable",
	"url-ctrls-reject" => "enable",
	"url-path-2f-decode" => "enable",
	"url-path-dotseg-remove" => "enable",
)
include_shell "/usr/share/lighttpd/create-mime.conf.pl"
EOF

cat >"$run/httpd.json" <<EOF
{ "listen": ["127.0.0.1:$port_httpd"], "root": "$root",
  "index": ["index.html"], "access-log": "$run/httpd-access.log" }
EOF

servers=(nginx lighttpd)
[ -n "$peers_only" ] || servers+=(httpd)
port_of() { eval "echo \$port_$1"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# running PID: not gone, nor a zombie waiting to be reaped.
running() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "${st:0:1}" != Z ]
}

# A server left over on one of our ports would be asked instead of ours.
for s in "${servers[@]}"; do
	if port_open "$(port_of "$s")"; then
		echo "FAIL: something already listens on 127.0.0.1:$(port_of "$s")"
		exit 1
	fi
done

declare -A pid_of
nginx -p "$run" -e "$run/nginx-error.log" -c "$run/nginx.conf" \
    >"$run/nginx.log" 2>&1 &
pid_of[nginx]=$!
track $!
lighttpd -D -f "$run/lighttpd.conf" >"$run/lighttpd.log" 2>&1 &
pid_of[lighttpd]=$!
track $!
if [ -z "$peers_only" ]; then
	"$httpd" -c "$run/httpd.json" --no-rpc >"$run/httpd.log" 2>&1 &
	pid_of[httpd]=$!
	track $!
fi
for s in "${servers[@]}"; do
	if ! wait_for 10 port_open "$(port_of "$s")" ||
	    ! running "${pid_of[$s]}"; then
		echo "FAIL: $s does not listen on 127.0.0.1:$(port_of "$s"); its logs:"
		cat "$run/$s".log "$run/$s"-error.log 2>/dev/null || true
		exit 1
	fi
done

opts=()
[ -z "$peers_only" ] || opts+=(--peers)
[ -z "${DIFF_ONLY:-}" ] || opts+=(--only "$DIFF_ONLY")
targets=()
for s in "${servers[@]}"; do targets+=("$s=$(port_of "$s")"); done
if python3 "$here/http_diff.py" ${opts[@]+"${opts[@]}"} \
    "${DIFF_REQUESTS:-$here/requests}" "${targets[@]}"; then
	ok "http_diff.py ${servers[*]}"
else
	bad "http_diff.py ${servers[*]}"
fi

# Every server must still run, and go on SIGTERM: httpd with status 0
# and no sanitizer report.
for s in "${servers[@]}"; do
	running "${pid_of[$s]}" || bad "$s died during the test"
done
if [ -z "$peers_only" ]; then
	stop_daemon "${pid_of[httpd]}" "$run/httpd.log" httpd
	if [ "$failures" -ne 0 ]; then
		echo "httpd's log (its last 40 lines):"
		tail -n 40 "$run/httpd.log"
	fi
fi
for s in nginx lighttpd; do
	kill -TERM "${pid_of[$s]}" 2>/dev/null || true
	wait_for 5 eval "! running ${pid_of[$s]}" ||
		bad "$s did not stop on SIGTERM"
	wait "${pid_of[$s]}" 2>/dev/null || true
done
tracked=()
finish "it_diff.sh${peers_only:+ --peers}"
