# tests/lib.sh: what every integration script shares; sourced (bash).
#
#   failures            checks failed so far; bad, check and expect count
#   bad MESSAGE...      report a failed check
#   ok MESSAGE...       report a passed one (for the log)
#   check DESC CMD...   ok or bad by CMD's exit status
#   expect OUT RC CMD...  CMD prints OUT (stdout and stderr) and exits RC
#   exits RC CMD...     CMD's exit status is RC (output dropped)
#   wait_for SECS CMD...  poll CMD 20 times a second until it succeeds, or
#                       return 1 after SECS: a bound, never the condition
#   wait_lines FILE N   until FILE has N lines (5 s at most; bad if not)
#   track PID...        stop these processes when the script exits
#                       (SIGTERM, then SIGKILL after 5 s)
#   stop_daemon PID LOG [NAME]  SIGTERM; it must exit 0, and LOG must hold
#                       no sanitizer report
#   xensim_stop XENSIM XSPID LOG  the same for xensim and its xenstored
#   finish [NAME]       print the verdict and exit 0 or 1
#   test_dir NAME       a fresh folder /tmp/NAME.XXXXXX that daemons read
#                       once they run as their own users (as root in dom0
#                       they do by default: docs/privilege.md)
#   daemon_writes USER DIR...  make DIR (and its parents in the run folder)
#                       and give it to USER, the daemon that writes there
#   status_of PID KEY   KEY's first value in /proc/PID/status (Uid,
#                       NoNewPrivs, Seccomp...)
#
# Scripts set their own EXIT trap if they need one and call track_cleanup
# from it; tests_lib_trap installs one that does only that.

failures=0
tracked=()

test_dir() {
	local d
	d=$(mktemp -d "/tmp/$1.XXXXXX") || return 1
	# mktemp's 0700 would shut out a daemon run as shoal-NAME: it must
	# reach its configuration, zones and document root here as it would
	# under /etc.  Nothing in a test folder is secret.
	chmod 0755 "$d" && echo "$d"
}

status_of() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

daemon_writes() {
	local user=$1
	shift
	mkdir -p "$@" && chown "$user:" "$@"
}

bad() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}

expect() {
	local want=$1 want_rc=$2 got rc
	shift 2
	got=$("$@" 2>&1)
	rc=$?
	if [ "$got" != "$want" ] || [ "$rc" -ne "$want_rc" ]; then
		printf 'FAIL: %s\n  want (rc %s): %q\n  got  (rc %s): %q\n' \
		    "$*" "$want_rc" "$want" "$rc" "$got"
		failures=$((failures + 1))
	fi
}

exits() {
	local want=$1 rc=0
	shift
	"$@" >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq "$want" ]
}

wait_for() {
	local wf_tries=$(($1 * 20))
	shift
	for _ in $(seq "$wf_tries"); do "$@" && return 0; sleep 0.05; done
	return 1
}

wait_lines() {
	local wl_file=$1 wl_want=$2
	for _ in $(seq 100); do
		[ "$(wc -l < "$wl_file" 2>/dev/null || echo 0)" -ge "$wl_want" ] &&
			return 0
		sleep 0.05
	done
	bad "$wl_file never reached $wl_want lines"
	return 1
}

track() { tracked+=("$@"); }

track_cleanup() {
	local p i
	for p in "${tracked[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${tracked[@]}"; do
		for i in $(seq 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null || true
	done
	tracked=()
}

tests_lib_trap() { trap track_cleanup EXIT; }

# A sanitizer's report, in any of our daemons' logs.
sanitizer_report() {
	grep -qE 'ERROR: [A-Za-z]*Sanitizer|runtime error:' "$@" 2>/dev/null
}

stop_daemon() {
	local pid=$1 log=$2 name=${3:-daemon} rc=0
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || bad "$name exited $rc after SIGTERM"
	! sanitizer_report "$log" || bad "sanitizer report in $log"
}

# xensim_start BUILD: xensim ($xensim) started with Shoal's xenstored
# from BUILD, its environment taken ($XENSIM_SOCKET set first), the
# xenstored's pid in $xpid.  1 after saying so if it did not start.
xensim_start() {
	"$xensim" start --xenstored "$1/daemons/xenstored/xenstored" ||
		{ bad "xensim start"; return 1; }
	eval "$("$xensim" env)"
	xpid=$(cat "$(dirname "$XENSIM_SOCKET")/xenstored.pid")
}

# xensim_stop XENSIM XSPID LOG: stop xensim and the xenstored it
# started; xenstored must go, and its log hold no sanitizer report.
xensim_stop() {
	"$1" stop
	wait_for 5 eval "! kill -0 $2 2>/dev/null" || bad "xenstored did not stop"
	! sanitizer_report "$3" || bad "sanitizer report in $3"
}

finish() {
	local name=${1:-$(basename "$0" .sh)}
	if [ "$failures" -eq 0 ]; then
		echo "$name: all passed"
		exit 0
	fi
	echo "$name: $failures failure(s)"
	exit 1
}
