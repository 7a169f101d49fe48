#!/usr/bin/env bash
# The xensim command as a person uses it: start, create (paused and not),
# list, console, unpause, destroy, a domain that exits by itself, stop.
#   cli_test.sh BUILD_DIR
set -euo pipefail
xensim=$1/xensim/bin/xensim
run=$(mktemp -d /tmp/xensim-cli.XXXXXX)
export XENSIM_SOCKET=$run/xensimd.sock
trap '"$xensim" stop >/dev/null 2>&1 || true; rm -rf "$run"' EXIT
fail() { echo "cli_test: FAIL: $*"; echo "--- xensimd.log"; cat "$run/xensimd.log" || true; exit 1; }
expect() { grep -qE "$2" <<<"$1" || fail "expected /$2/ in: $1"; }

"$xensim" start || fail "start"
"$xensim" start 2>/dev/null && fail "a second start must refuse"
id=$("$xensim" create --name web1 --memory 48 -- sh -c 'echo "up as $XENSIM_DOMID"; exec sleep 60')
[ "$id" = 1 ] || fail "first domain got id $id"
id2=$("$xensim" create --name quick --paused -- sh -c 'echo quick ran; exit 3')
# A second paused domain, created after: it must not hold quick's gate.
id3=$("$xensim" create --name later --paused -- sh -c 'echo later ran; exit 0')
expect "$("$xensim" list)" 'web1 +1 +[0-9]+ +48 running'
expect "$("$xensim" list)" "quick +$id2 .* paused"
for _ in $(seq 50); do grep -q 'up as 1' "$run/console.1.log" 2>/dev/null && break; sleep 0.1; done
expect "$("$xensim" console web1)" '^up as 1$'
# A paused domain has not run; unpaused, it runs, exits, and is gone.
[ ! -s "$run/console.$id2.log" ] || fail "paused domain ran"
"$xensim" unpause quick
for _ in $(seq 50); do "$xensim" list | grep -q quick || break; sleep 0.1; done
"$xensim" list | grep -q quick && fail "exited domain still listed"
expect "$("$xensim" console "$id2")" 'quick ran'
expect "$("$xensim" list)" "later +$id3 .* paused"
"$xensim" unpause later
for _ in $(seq 50); do "$xensim" list | grep -q later || break; sleep 0.1; done
expect "$("$xensim" console "$id3")" 'later ran'
"$xensim" destroy web1
"$xensim" list | grep -q web1 && fail "destroyed domain still listed"
"$xensim" destroy web1 2>/dev/null && fail "destroying twice must fail"
"$xensim" stop || fail "stop"
[ ! -e "$XENSIM_SOCKET" ] || fail "socket left behind"
grep -q 'stopped' "$run/xensimd.log" || fail "xensimd did not stop cleanly"
echo "cli_test: PASS"
