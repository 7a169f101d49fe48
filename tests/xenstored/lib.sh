# Assertions for the integration scripts; sourced.  Each prints what was
# expected and what came when it fails, and the script keeps going so
# one run shows every failure.
failures=0

# expect EXPECTED_OUTPUT EXPECTED_RC command...  (stdout and stderr)
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

# Wait until FILE has N lines (a watcher has seen N events), 5 s at most.
wait_lines() {
	local file=$1 n=$2
	for _ in $(seq 100); do
		[ "$(wc -l < "$file")" -ge "$n" ] && return 0
		sleep 0.05
	done
	echo "FAIL: $file never reached $n lines"
	failures=$((failures + 1))
	return 1
}

finish() {
	[ "$failures" -eq 0 ] && echo "all passed" && exit 0
	echo "$failures failure(s)"
	exit 1
}
