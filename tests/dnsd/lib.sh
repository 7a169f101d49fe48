# tests/dnsd/lib.sh: what dnsd's integration scripts share beyond
# tests/lib.sh (which it sources), sourced by them (bash).
# dnsd_it_setup NAME gives a script:
#   run       a fresh folder under /tmp, removed on exit
#   pids      an array: every process put there gets SIGTERM on exit, then
#             SIGKILL if it has not gone within 5 s
# and on exit runs the function dnsd_it_cleanup_more if the script has
# one (for what is not a process: xensim, say).

. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

dnsd_it_cleanup() {
	if declare -F dnsd_it_cleanup_more >/dev/null; then
		dnsd_it_cleanup_more
	fi
	track "${pids[@]}"
	track_cleanup
	rm -rf "$run"
}

dnsd_it_setup() {
	run=$(test_dir "dnsd-$1")
	pids=()
	failures=0
	trap dnsd_it_cleanup EXIT
	trap 'exit 1' INT TERM
}

# dnsd_it_stop PID LOG: SIGTERM must end dnsd with status 0, and its log
# must hold no sanitizer report.
dnsd_it_stop() { stop_daemon "$1" "$2" dnsd; }

# nsd_server ZONESDIR XFRDIR: the start of an nsd.conf's "server:" for
# a test's NSD on 127.0.0.1:$port_nsd, its files in $run, no root, no
# database (the rest of the clause follows it).
nsd_server() {
	cat <<EOF
server:
	ip-address: 127.0.0.1@$port_nsd
	do-ip6: no
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "$1"
	pidfile: "$run/nsd.pid"
	database: ""
	zonelistfile: "$run/nsd.zonelist"
	xfrdfile: "$run/nsd.xfrd"
	xfrdir: "$2"
EOF
}

# dnsd_secondaries ZONE DNSD_PORT KNOT_PORT NSD_PORT: Knot's and NSD's
# configurations ($run/knot.conf, $run/nsd.conf, their folders made) as
# secondaries of dnsd for ZONE on loopback: they transfer it from dnsd,
# take its NOTIFY, and give AXFR to 127.0.0.1 (so a test can compare).
dnsd_secondaries() {
	local zone=$1 port_dnsd=$2 port_knot=$3 port_nsd=$4
	mkdir -p "$run/knot/db" "$run/nsd"
	cat >"$run/knot.conf" <<EOF
server:
    rundir: "$run/knot"
    listen: 127.0.0.1@$port_knot
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
control:
    listen: "$run/knot/knot.sock"
database:
    storage: "$run/knot/db"
log:
  - target: stderr
    any: info
remote:
  - id: shoal
    address: 127.0.0.1@$port_dnsd
acl:
  - id: local
    address: 127.0.0.1
    action: [transfer, notify]
zone:
  - domain: $zone
    storage: "$run/knot"
    master: shoal
    acl: local
    zonefile-sync: -1
    zonefile-load: none
    journal-content: none
EOF
	{ nsd_server "$run/nsd" "$run/nsd"
	cat <<EOF
	verbosity: 2
remote-control:
	control-enable: yes
	control-interface: "$run/nsd.ctl"
zone:
	name: $zone
	zonefile: $zone.zone
	request-xfr: 127.0.0.1@$port_dnsd NOKEY
	allow-notify: 127.0.0.1 NOKEY
	provide-xfr: 127.0.0.1 NOKEY
EOF
	} >"$run/nsd.conf"
}

# dnsd_secondaries_start: knotd and nsd started on the configurations
# dnsd_secondaries wrote, logging to $run/knot.log and $run/nsd.log; both
# go in pids (stopped on exit).
dnsd_secondaries_start() {
	knotd -c "$run/knot.conf" >"$run/knot.log" 2>&1 &
	pids+=($!)
	nsd -d -c "$run/nsd.conf" >"$run/nsd.log" 2>&1 &
	pids+=($!)
}
