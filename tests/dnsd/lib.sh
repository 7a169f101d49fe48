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
