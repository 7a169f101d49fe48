#!/usr/bin/env bash
# Shoal's consoled on xensim, with Shoal's xenstored.  Domains run
# con-guest, which drives their console ring as hvc_xen would.
#   good     2 MiB of seeded random bytes at half the rate limit: the log
#            is exactly the stream, byte for byte
#   flood    6 MiB as fast as it goes, at the same time: its log is the
#            stream with runs replaced by "[consoled: N bytes dropped]"
#            lines, the counts adding up to what it wrote, and it was
#            held to about its rate
#   corrupt  a sane line, then out_prod far ahead: logged as bad, the
#            line is in its log, the others and consoled carry on
#   echo     bytes typed on its pty (console/tty) reach the ring's `in`,
#            and what it writes back comes out of the pty, also to Xen's
#            xenconsole
# then console.* over RPC (list, tail, follow, write; from dom0 and from
# a domain, which the policy lets tail but not write), SIGHUP after
# renaming a log gives a new file, and SIGTERM exits 0
# with no sanitizer report.
#   it_consoled.sh BUILD_DIR
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
build=$1
xensim=$build/xensim/bin/xensim
guest=$build/tests/tools/con-guest
consoled=$build/daemons/consoled/consoled
ctl=$build/tools/shoalctl/shoalctl
run=$(test_dir con-it)
export XENSIM_SOCKET=$run/xensimd.sock
cpid=
cleanup() {
	[ -n "$cpid" ] && kill "$cpid" 2>/dev/null
	"$xensim" stop >/dev/null 2>&1
	rm -rf "$run"
}
trap cleanup EXIT


rate=1048576
cat > "$run/consoled.json" <<JSON
{
  "rate": $rate, "burst": 262144, "buffer": 65536,
  "history": 65536, "events": 1000, "tick-ms": 20
}
JSON
"$xensim" start --xenstored "$build/daemons/xenstored/xenstored" ||
	{ echo "FAIL: start"; exit 1; }
eval "$("$xensim" env)"
logs=$run/logs
daemon_writes shoal-consoled "$logs"	# it runs as shoal-consoled
printf '%s\n' 'console.tail @any allow' 'console.* dom0 allow' \
    'sys.* dom0 allow' > "$run/policy"
"$consoled" -c "$run/consoled.json" --log-dir "$logs" --policy "$run/policy" \
    > "$run/consoled.log" 2>&1 &
cpid=$!
wait_for 10 grep -q 'serving consoles' "$run/consoled.log" ||
	bad "consoled did not start"

good_bytes=$((2 * 1024 * 1024))
flood_bytes=$((6 * 1024 * 1024))
good=$("$xensim" create --name good -- "$guest" write 11 $good_bytes $((rate / 2)))
flood=$("$xensim" create --name flood -- "$guest" write 22 $flood_bytes 0)
done_line() { grep -q '^DONE' "$run/console.$1.log" 2>/dev/null; }
wait_for 60 done_line "$good" || bad "good: never done"
wait_for 60 done_line "$flood" || bad "flood: never done"
cat "$run/console.$good.log" "$run/console.$flood.log"

# The pty path is in xenstore, as xenconsoled writes it.
tty=$(xenstore-read /local/domain/"$good"/console/tty)
[[ $tty == /dev/pts/* ]] || bad "good: console/tty is '$tty'"

# The held bytes come out at the rate: wait until all are in the log.
wait_for 10 eval '[ "$(stat -c %s "$logs/guest-good.log" 2>/dev/null)" = '"$good_bytes"' ]'
"$guest" check 11 "$logs/guest-good.log" $good_bytes ||
	bad "good: the log is not the stream"
[ "$(stat -c %s "$logs/guest-good.log")" -eq $good_bytes ] ||
	bad "good: log size"
# The flood's held bytes and its last gap's marker come out at the rate
# after DONE too: wait until the log accounts for the whole stream.
flood_whole() { "$guest" check-gaps 22 "$logs/guest-flood.log" $flood_bytes >/dev/null; }
wait_for 10 flood_whole
out=$("$guest" check-gaps 22 "$logs/guest-flood.log" $flood_bytes) ||
	bad "flood: the log is not the stream with marked gaps: $out"
echo "flood: $out"
[[ $out =~ dropped=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] ||
	bad "flood: nothing was dropped"
# Kept: at most the burst, the buffer and the rate for as long as it ran.
secs=$(sed -n 's/.*secs=\([0-9]*\).*/\1/p' "$run/console.$flood.log")
[[ $out =~ kept=([0-9]+) ]] &&
    [ "${BASH_REMATCH[1]}" -le $((262144 + 65536 + rate * (secs + 3))) ] ||
	bad "flood: kept more than its rate allows ($out in ${secs}s)"

# A corrupt ring: marked bad, its sane line kept, the rest unharmed.
corrupt=$("$xensim" create --name corrupt -- "$guest" corrupt)
wait_for 10 grep -q "domain $corrupt: output producer index out of range" \
    "$run/consoled.log" || bad "corrupt: not reported"
grep -q 'a last sane line' "$logs/guest-corrupt.log" ||
	bad "corrupt: its sane line is not in its log"
kill -0 "$cpid" 2>/dev/null || bad "consoled died"

# The pty both ways, with another domain still writing meanwhile.
echo_id=$("$xensim" create --name echo -- "$guest" echo)
wait_for 10 grep -q READY "$logs/guest-echo.log" || bad "echo: no READY"
etty=$(xenstore-read /local/domain/"$echo_id"/console/tty)
exec 3<>"$etty"
printf 'ping-4242\n' >&3
wait_for 10 grep -q 'GOT 10: ping-4242' "$run/console.$echo_id.log" ||
	bad "echo: what was typed on the pty did not reach the ring"
got=$(timeout 5 head -c 16 <&3 | tr -d '\r')
[[ $got == *ping-4242* ]] || bad "echo: pty read back '$got'"
exec 3>&-
grep -q 'ping-4242' "$logs/guest-echo.log" || bad "echo: not logged"
# Xen's own xenconsole (what `xl console` runs) finds the pty through
# console/tty and reads what the guest wrote meanwhile.
exec 3<>"$etty"
printf 'xc-probe\n' >&3
exec 3>&-
wait_for 10 grep -q 'GOT 9: xc-probe' "$run/console.$echo_id.log" ||
	bad "echo: xc-probe did not reach the ring"
mkfifo "$run/xc.in"
sleep 3 > "$run/xc.in" &
timeout 2 /usr/lib/xen-4.17/bin/xenconsole "$echo_id" < "$run/xc.in" \
    > "$run/xc.out" 2>&1
grep -q 'xc-probe' "$run/xc.out" ||
	bad "xenconsole did not read the guest's output: $(cat "$run/xc.out")"
after=$("$xensim" create --name after -- "$guest" write 33 100000 0)
wait_for 20 done_line "$after" || bad "after: never done"
wait_for 10 eval '[ "$(stat -c %s "$logs/guest-after.log" 2>/dev/null)" = 100000 ]'
"$guest" check 33 "$logs/guest-after.log" 100000 ||
	bad "after the corrupt domain: the log is not the stream"

# console.* over RPC, from dom0.
"$ctl" --json console.list | grep -q '"name": "echo"' ||
	bad "console.list: $("$ctl" console.list 2>&1)"
# The corrupt domain's ring counts as bad, not as a console still awaited.
"$ctl" --json --service console sys.stats >"$run/stats.json" 2>&1
grep -q '"bad_rings": 1' "$run/stats.json" && grep -q '"waiting": 0' "$run/stats.json" ||
	bad "sys.stats: $(tr -d '\n ' <"$run/stats.json")"
"$ctl" console.tail echo 50 | grep -q 'ping-4242' ||
	bad "console.tail: $("$ctl" console.tail echo 50 2>&1 | tail -3)"
timeout 4 "$ctl" console.follow echo > "$run/follow.out" 2>&1 &
follower=$!
# The follower is connected when the service counts two connections
# (it and the sys.stats call asking).
rpc_conns() { "$ctl" --json --service console sys.stats |
	sed -n 's/.*"connections": \([0-9]*\).*/\1/p'; }
wait_for 10 eval '[ "$(rpc_conns)" -ge 2 ]' || bad "the follower never connected"
"$ctl" console.write echo data=$'via-rpc-99\n' | grep -q '^written: 11$' ||
	bad "console.write"
wait_for 10 grep -q 'GOT 11: via-rpc-99' "$run/console.$echo_id.log" ||
	bad "console.write did not reach the guest"
wait $follower 2>/dev/null
grep -q 'via-rpc-99' "$run/follow.out" ||
	bad "console.follow did not stream the echo: $(head -c 200 "$run/follow.out")"
# From another domain: tail is allowed, write is not.
reader=$("$xensim" create --name reader -- sh -c '
	'"$ctl"' --domain 0 console.tail echo 50 | grep -c ping-4242 | sed "s/^/TAILED /"
	'"$ctl"' --domain 0 console.write echo data=x >/dev/null 2>&1; echo "WRITE-EXIT $?"
	sleep 30')
wait_for 20 grep -q WRITE-EXIT "$run/console.$reader.log" || bad "reader did not finish"
grep -q '^TAILED [1-9]' "$run/console.$reader.log" ||
	bad "a domain could not tail: $(cat "$run/console.$reader.log")"
grep -qx 'WRITE-EXIT 4' "$run/console.$reader.log" ||
	bad "a domain was not denied console.write"

# SIGHUP reopens: a renamed log is followed by a new one.
mv "$logs/guest-echo.log" "$logs/guest-echo.log.1"
kill -HUP "$cpid"
wait_for 10 test -e "$logs/guest-echo.log" || bad "SIGHUP: no new log"
exec 3<>"$etty"
printf 'pong-77\n' >&3
exec 3>&-
wait_for 10 grep -q 'pong-77' "$logs/guest-echo.log" ||
	bad "SIGHUP: the new log does not get the output"
grep -q 'pong-77' "$logs/guest-echo.log.1" && bad "SIGHUP: old log written"

# Destroying domains is noticed; SIGTERM is clean.
"$xensim" destroy flood
wait_for 10 grep -q "domain $flood (flood) gone" "$run/consoled.log" ||
	bad "flood: release not noticed"
kill -TERM "$cpid"
wait "$cpid"
rc=$?
cpid=
[ "$rc" -eq 0 ] || bad "consoled exited $rc"
grep -qE 'Sanitizer|runtime error|leak' "$run/consoled.log" &&
	bad "sanitizer report"

if [ "$failures" -ne 0 ]; then
	echo "--- consoled.log"; tail -n 30 "$run/consoled.log"
	echo "it_consoled: $failures failure(s)"; exit 1
fi
echo "it_consoled: all passed"
