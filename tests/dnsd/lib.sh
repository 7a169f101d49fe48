# tests/dnsd/lib.sh: what dnsd's integration scripts share, sourced by
# them (bash).  dnsd_it_setup NAME gives a script:
#   run       a fresh folder under /tmp, removed on exit
#   pids      an array: every process put there gets SIGTERM on exit, then
#             SIGKILL if it has not gone within 5 s
#   failures  how many checks failed; bad, ok and check report
#   wait_for  SECONDS COMMAND...: until COMMAND succeeds (polled 20 times
#             a second), or 1
# and on exit runs the function dnsd_it_cleanup_more if the script has
# one (for what is not a process: xensim, say).

dnsd_it_cleanup() {
	local p i
	if declare -F dnsd_it_cleanup_more >/dev/null; then
		dnsd_it_cleanup_more
	fi
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do
		for i in $(seq 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null || true
	done
	rm -rf "$run"
}

dnsd_it_setup() {
	run=$(mktemp -d "/tmp/dnsd-$1.XXXXXX")
	pids=()
	failures=0
	trap dnsd_it_cleanup EXIT
	trap 'exit 1' INT TERM
}

bad() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# check DESCRIPTION COMMAND...: ok or FAIL.
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}

wait_for() {
	local n=$(($1 * 20))
	shift
	for _ in $(seq "$n"); do "$@" && return 0; sleep 0.05; done
	return 1
}

# dnsd_it_stop PID LOG: SIGTERM must end dnsd with status 0, and its log
# must hold no sanitizer report.
dnsd_it_stop() {
	local rc
	kill -TERM "$1" 2>/dev/null
	wait "$1"
	rc=$?
	[ "$rc" -eq 0 ] || bad "dnsd exited $rc after SIGTERM"
	! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$2" ||
		bad "sanitizer report in $2"
}
