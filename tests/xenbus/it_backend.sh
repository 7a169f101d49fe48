#!/usr/bin/env bash
# The backend side of the xenbus handshake (common/xb_backend.h) on
# xensim with Shoal's xenstored, through tests/tools/xb-test-backend (a
# backend of type "vshoal" saying what the library asked of it), driven
# as libxl and a frontend drive it, with Debian's xenstore-utils:
#   add       libxl's two directories, in one transaction: probed, its
#             feature written, InitWait
#   connect   the frontend's ring-ref and event-channel, then Connected:
#             connect is told them, Connected
#   garbage   a frontend state that is not one: as a frontend gone
#             (disconnect, Closed); it starts over (Initialising):
#             InitWait, and Connected again
#   restart   the backend stopped (SIGTERM: disconnect, remove) and
#             started again while the frontend is Connected: it finds the
#             device and connects again
#   close     the frontend Closing then Closed: disconnect, Closing,
#             Closed; starting over without a ring-ref: refused, Closing,
#             with the reason in the backend's "error"
#   removal   libxl's removal (online 0, state Closing): Closed; the
#             directories removed: remove
#   hostile   a device whose frontend path is another domain's, and one
#             whose frontend-id is not its directory's: refused, Closed,
#             "error" says why, never probed
# The backend ends on SIGTERM with status 0 and no sanitizer report.
#   it_backend.sh BUILD_DIR
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
build=$1
xensim=$build/xensim/bin/xensim
tool=$build/tests/tools/xb-test-backend
run=$(test_dir shoal-xb)
export XENSIM_SOCKET=$run/sim/xensimd.sock
trap 'track_cleanup; "$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT

xensim_start "$build" || finish it_backend
start_backend() {
	"$tool" vshoal >>"$run/be.log" 2>&1 &
	bpid=$!
	track "$bpid"
}
start_backend
wait_for 10 grep -q '^ready' "$run/be.log" || bad "the backend did not start"
g=$("$xensim" create --name guest -- sleep 600)
be=/local/domain/0/backend/vshoal/$g/0
fe=/local/domain/$g/device/vshoal/0
state() { xenstore-read "$be/state" 2>/dev/null; }
lines() { grep -c "^$1 $g 0" "$run/be.log"; }
logged() { grep -q "^$1\$" "$run/be.log"; }

# --- add: as libxl writes them, both at once.
xenstore-write "$fe/backend" "$be" "$fe/backend-id" 0 "$fe/state" 1 \
	"$be/frontend" "$fe" "$be/frontend-id" "$g" "$be/online" 1 "$be/state" 1
wait_for 10 eval '[ "$(state)" = 2 ]' || bad "add: state $(state), not InitWait (2)"
check "add: probed, its feature written" \
	sh -c "grep -q '^probe $g 0\$' '$run/be.log' && [ \"\$(xenstore-read $be/feature-test)\" = 1 ]"

# --- connect
xenstore-write "$fe/ring-ref" 8 "$fe/event-channel" 5 "$fe/state" 4
wait_for 10 eval '[ "$(state)" = 4 ]' || bad "connect: state $(state), not Connected (4)"
check "connect: told ring-ref 8 and event-channel 5" logged "connect $g 0 8 5"

# --- garbage, then starting over
xenstore-write "$fe/state" banana
wait_for 10 eval '[ "$(state)" = 6 ]' || bad "garbage: state $(state), not Closed (6)"
check "garbage: disconnected" logged "disconnect $g 0"
xenstore-write "$fe/state" 1
wait_for 10 eval '[ "$(state)" = 2 ]' || bad "over: state $(state), not InitWait"
xenstore-write "$fe/state" 4
wait_for 10 eval '[ "$(state)" = 4 ]' || bad "over: state $(state), not Connected"
check "over: connected a second time" test "$(lines connect)" = 2

# --- restart while Connected
kill -TERM "$bpid"
wait "$bpid"
check "restart: the backend stopped with status 0" test $? -eq 0
check "... having disconnected and removed the device" sh -c \
	"[ $(lines disconnect) = 2 ] && grep -q '^remove $g 0\$' '$run/be.log' && grep -q '^stopped' '$run/be.log'"
start_backend
wait_for 10 eval '[ "$(lines connect)" = 3 ] && [ "$(state)" = 4 ]' ||
	bad "restart: not connected again (state $(state)): $(tail -3 "$run/be.log")"
check "restart: found the device and probed it again" test "$(lines probe)" = 2

# --- close, then a start without a ring-ref
xenstore-write "$fe/state" 5
wait_for 10 eval '[ "$(state)" = 5 ]' || bad "close: state $(state), not Closing (5)"
check "close: disconnected" test "$(lines disconnect)" = 3
xenstore-write "$fe/state" 6
wait_for 10 eval '[ "$(state)" = 6 ]' || bad "close: state $(state), not Closed (6)"
xenstore-rm "$fe/ring-ref"
xenstore-write "$fe/state" 1
wait_for 10 eval '[ "$(state)" = 2 ]' || bad "refuse: state $(state), not InitWait"
xenstore-write "$fe/state" 3
wait_for 10 eval '[ "$(state)" = 5 ]' || bad "refuse: state $(state), not Closing"
check "refuse: the reason in error ($(xenstore-read "$be/error" 2>&1))" \
	sh -c "xenstore-read $be/error | grep -q 'no ring-ref' && grep -q '^refuse $g 0' '$run/be.log'"

# --- removal, as libxl does it
xenstore-write "$be/online" 0 "$be/state" 5
wait_for 10 eval '[ "$(state)" = 6 ]' || bad "removal: state $(state), not Closed"
xenstore-rm "$be"
xenstore-rm "$fe"
wait_for 10 eval '[ "$(lines remove)" = 2 ]' || bad "removal: not removed"

# --- hostile devices: never probed.
b1=${be%/0}/1 b2=${be%/0}/2
xenstore-write "$b1/frontend" /local/domain/0/device/vshoal/1 \
	"$b1/frontend-id" "$g" "$b1/online" 1 "$b1/state" 1
wait_for 10 eval '[ "$(xenstore-read "$b1/state")" = 6 ]' ||
	bad "hostile: another domain's frontend path not refused"
check "hostile: it says why ($(xenstore-read "$b1/error" 2>&1))" \
	sh -c "xenstore-read $b1/error | grep -q \"not in the frontend's area\""
xenstore-write "$b2/frontend" "/local/domain/$g/device/vshoal/2" \
	"$b2/frontend-id" 0 "$b2/online" 1 "$b2/state" 1
wait_for 10 eval '[ "$(xenstore-read "$b2/state")" = 6 ]' ||
	bad "hostile: a frontend-id not the directory's not refused"
check "hostile: neither was probed" sh -c "! grep -Eq '^probe $g [12]\$' '$run/be.log'"

# --- stop
stop_daemon "$bpid" "$run/be.log" xb-test-backend
xensim_stop "$xensim" "$xpid" "$run/sim/xenstored.log"
[ "$failures" -eq 0 ] || cat "$run/be.log"
finish it_backend
