#!/bin/bash
# Configuration: quotas from the file, SIGHUP reloads them, a bad file
# on reload keeps the running configuration; CONTROL through Xen's
# xenstore-control.
. "$(dirname "$0")/../lib.sh"
ctl=/usr/lib/xen-4.17/bin/xenstore-control

quota() {	# the value the daemon reports for quota $1
	"$ctl" quota | awk -v k="$1" '$1 == k { print $2 }'
}

# Wait for the log to mention a reload (SIGHUP is asynchronous).
reloaded() {
	for _ in $(seq 100); do
		[ "$(grep -c "$1" "$XS_DIR/log")" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

expect "1000" 0 quota nodes
expect "2621440" 0 quota memory
expect "OK" 0 "$ctl" check

cat > "$XS_CONFIG" <<'JSON'
{ "quota": { "nodes": 7, "watches": 3 }, "quota-soft": { "memory": 99 } }
JSON
kill -HUP "$XS_PID"
reloaded "configuration reloaded" 1
expect "7" 0 quota nodes
expect "3" 0 quota watches
expect "99" 0 sh -c "$ctl quota-soft | awk '\$1 == \"memory\" { print \$2 }'"

# A typo must not half-apply: the old values stay.
echo '{ "quota": { "nodez": 1 } }' > "$XS_CONFIG"
kill -HUP "$XS_PID"
reloaded "reload failed" 1
expect "7" 0 quota nodes
expect "1" 0 sh -c "grep -c 'unknown key' $XS_DIR/log"

expect "OK" 0 "$ctl" quota nodes 11
expect "11" 0 quota nodes
finish
