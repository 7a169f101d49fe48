#!/usr/bin/env bash
# blkback driven by a frontend on xensim with Shoal's xenstored, each
# guest a tests/tools/blk-probe in its own domain with a disk (xensim
# create --disk), blkback in dom0 on 64 MiB files, max-inflight 4 (so a
# full ring waits for slots):
#   rw       1 MiB written and read back in requests of 11 segments, a
#            flush, 256 KiB through indirect requests of 64, a discard
#            reading back as zeros, 32 requests at once (64 on a ring of
#            four pages): the bytes found
#            in the backing file from dom0, still there after a flush
#            and a kill -9 of blkback; blkback started again takes the
#            guest up again
#   bad      a sector past the end, first_sect > last_sect, last_sect
#            8, 12 segments, a grant ref never made (and on a read-only
#            qdisk a write): each refused and counted by its reason, a
#            good read after them answered OKAY
#   index    req_prod 5000 past the consumer: the vbd shut ("error" in
#            its backend directory, ring_errors 1), the others served
#   race     XSA-155: 400 requests, each slot rewritten by the guest while
#            blkback reads it: every one answered once, each refusal
#            counted once by its reason, a good read after
#   hoard    a guest keeping its ring full for 8 s: another guest's 1 MiB
#            written and read back meanwhile, blkback's resident size
#            bounded
# No response's padding holds anything but zeros (XSA-216); a destroyed
# guest's backend directory is gone; blkback ends on SIGTERM with
# status 0 and no sanitizer report.
#   it_blk.sh BUILD_DIR
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
build=$1
xensim=$build/xensim/bin/xensim
probe=$build/tests/tools/blk-probe
blkback=$build/daemons/blkback/blkback
ctl=$build/tools/shoalctl/shoalctl
run=$(test_dir shoal-blk)
export XENSIM_SOCKET=$run/sim/xensimd.sock
trap 'track_cleanup; "$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT

xensim_start "$build" || finish it_blk
truncate -s 64M "$run/disk.img" "$run/ro.img"
printf '{ "disk-paths": ["%s"], "max-inflight": 4 }\n' "$run" >"$run/blk.json"

# start_blkback LOG: blkback in the background, its pid in $bpid.  ASan's
# quarantine of freed memory is kept small (16 MiB, not 256), so that
# blkback's resident size under load (hoard, below) is its own.
start_blkback() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16 "$blkback" -c "$run/blk.json" --rpc-socket "$run/blk.sock" >"$1" 2>&1 &
	bpid=$!
	track "$bpid"
	wait_for 10 grep -q 'serving vbd' "$1" || bad "blkback did not start"
}
start_blkback "$run/blk.log"

echo 0 >"$run/guests"
guest() {	# guest DISK-SPEC SCENARIO...: a domain running blk-probe; its id
	local n=$(($(cat "$run/guests") + 1)) spec=$1
	echo "$n" >"$run/guests"
	shift
	"$xensim" create --name "b$n" --disk "$spec" -- "$probe" "$@"
}
console() { cat "$run/sim/console.$1.log" 2>/dev/null; }
said() { console "$1" | grep -qx "$2"; }
stat_of() {	# stat_of DOMID JQ-PATH
	"$ctl" --socket "$run/blk.sock" --json blk.stats |
		jq -r ".vbds[] | select(.domid == $1) | $2"
}
be_dir() { echo "/local/domain/0/backend/$2/$1/51712"; }
# on_disk SECTOR BYTES: the backing file holds the pattern rw wrote.
on_disk() {
	cmp -s <(dd if="$run/disk.img" bs=512 skip="$1" count=$(($2 / 512)) \
	    status=none) <("$probe" pattern $(($1 * 512)) "$2")
}
zeros_on_disk() {
	cmp -s <(dd if="$run/disk.img" bs=512 skip="$1" count=$(($2 / 512)) \
	    status=none) <(head -c "$2" /dev/zero)
}

# --- rw: the guest's bytes, and the file's
w=$(guest "target=$run/disk.img" rw burst)
wait_for 30 eval 'said $w done' || bad "rw: not done: $(console $w | tail -3)"
for line in "rw: ok 1048576 bytes" "indirect: ok 262144 bytes" \
    "discard: ok zeros" "burst: ok 32 of 32" "padding: zero"; do
	check "rw: $line" said "$w" "$line"
done
check "rw: two flushes answered" \
	eval '[ "$(console $w | grep -cx "flush: ok")" = 2 ]'
check "rw: flushes counted" eval '[ "$(stat_of $w .flushes)" = 2 ]'
check "rw: discard counted" eval '[ "$(stat_of $w .discards)" = 1 ]'
check "rw: no errors" eval \
	'[ "$(stat_of $w "[.errors[]] | add")" = 0 ]'
# A ring of four pages: a full ring is 128 requests, 64 pushed at once.
o=$(guest "target=$run/disk.img" --order 2 burst)
wait_for 30 eval 'said $o done' || bad "order 2: not done: $(console $o | tail -2)"
check "order 2: 64 requests at once" said "$o" "burst: ok 64 of 64"
pages_of() {
	"$ctl" --socket "$run/blk.sock" --json blk.list |
		jq -r ".vbds[] | select(.domid == $1) | .ring_pages"
}
check "order 2: four ring pages" eval '[ "$(pages_of $o)" = 4 ]'
"$xensim" destroy "$o"
# Flushed, then blkback killed: what the guest was told is durable is
# in the file without blkback's help.
kill -9 "$bpid"
wait "$bpid" 2>/dev/null
check "file: 1 MiB at sector 2048" on_disk 2048 1048576
check "file: indirect 256 KiB at sector 4096" on_disk 4096 262144
check "file: burst 256 KiB at sector 16384" on_disk 16384 262144
check "file: discarded 64 KiB read as zeros" zeros_on_disk 8192 65536
check "file: still 64 MiB" eval '[ "$(stat -c %s "$run/disk.img")" = 67108864 ]'
# Started again: the vbd found and connected to again.
start_blkback "$run/blk2.log"
bpid2=$bpid
wait_for 10 grep -q "vbd $w/51712: connected" "$run/blk2.log" ||
	bad "restart: vbd $w not connected again"
check "restart: connected again" eval \
	'[ "$(xenstore-read $(be_dir $w vbd)/state)" = 4 ]'

# --- index: shut, the reason said
x=$(guest "target=$run/disk.img" index)
wait_for 20 eval 'xenstore-read $(be_dir $x vbd)/error >/dev/null 2>&1' ||
	bad "index: no error key"
check "index: the vbd shut, counted" eval '[ "$(stat_of $x .ring_errors)" = 1 ]'
echo "ok: index: $(xenstore-read "$(be_dir "$x" vbd)/error")"

# --- bad, on a writable vbd and a read-only qdisk, after the broken one
b=$(guest "target=$run/disk.img" bad)
r=$(guest "target=$run/ro.img,type=qdisk,mode=r" bad)
wait_for 20 eval 'said $b done && said $r done' ||
	bad "bad: not done: $(console $b | tail -2) $(console $r | tail -2)"
check "bad: five refused, a good read" said "$b" "bad: refused 5 of 5, good ok"
check "bad, read-only: six refused, a good read" \
	said "$r" "bad: refused 6 of 6, good ok"
check "bad: padding zero" said "$b" "padding: zero"
check "bad, read-only: padding zero" said "$r" "padding: zero"
for why in range:1 sect:2 segments:1 grant:1; do
	check "bad: errors.${why%:*} ${why#*:}" eval \
	    "[ \"\$(stat_of $b '.errors[\"${why%:*}\"]')\" = ${why#*:} ]"
done
check "bad, read-only: errors.read-only 1" eval \
	"[ \"\$(stat_of $r '.errors[\"read-only\"]')\" = 1 ]"
check "bad, read-only: served as a qdisk" eval '[ "$(stat_of $r .type)" = qdisk ]'
check "bad: one good read each" eval \
	'[ "$(stat_of $b .reads)" = 1 ] && [ "$(stat_of $r .reads)" = 1 ]'
"$ctl" --socket "$run/blk.sock" blk.stats | sed 's/ latency=.*//'

# --- race (XSA-155): each request's slot rewritten while blkback reads it
truncate -s 64M "$run/race.img"
c=$(guest "target=$run/race.img" race)
wait_for 60 eval 'said $c done' || bad "race: not done: $(console $c | tail -2)"
check "race: every request answered once" eval \
	'console $c | grep -q "^race: answered 400 of 400 "'
check "race: a good read after it" said "$c" "race: good ok"
check "race: padding zero" said "$c" "padding: zero"
console "$c" | grep '^race: answered'
refused_c=$(console "$c" | sed -n 's/^race: answered .*, \([0-9]*\) refused)$/\1/p')
check "race: each refusal counted once by its reason ($refused_c)" eval \
	'[ -n "$refused_c" ] && [ "$(stat_of $c "[.errors[]] | add")" = "$refused_c" ]'
"$xensim" destroy "$c"

# --- hoard: one guest keeps its ring full for 8 s; blkback's memory stays
# bounded and another guest's 1 MiB is written and read back beside it.
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$bpid2/status"; }
rss0=$(rss)
h=$(guest "target=$run/disk.img" hoard)
wait_for 10 eval 'console $h | grep -q "^ready"' || bad "hoard: not connected"
g=$(guest "target=$run/race.img" rw)
peak=$rss0
echo 0 >"$run/rw-done-during-hoard"
# Sampled every 0.2 s until the hoarder is done (at most 30 s).
end=$((SECONDS + 30))
while ! said "$h" done && kill -0 "$bpid2" 2>/dev/null && [ $SECONDS -lt $end ]; do
	r=$(rss); [ "${r:-0}" -le "$peak" ] || peak=$r
	said "$g" done && ! said "$h" done && echo 1 >"$run/rw-done-during-hoard"
	sleep 0.2
done
check "hoard: the hoarder ran its 8 s" eval 'console $h | grep -q "^hoard: [0-9]* requests"'
check "hoard: the other guest served while it ran" eval \
	'[ "$(cat $run/rw-done-during-hoard)" = 1 ] && said $g "rw: ok 1048576 bytes"'
check "hoard: blkback grew by less than 64 MiB ($rss0 -> $peak KiB)" \
	eval '[ $((peak - rss0)) -lt 65536 ]'
console "$h" | grep '^hoard:'
"$xensim" destroy "$h"
"$xensim" destroy "$g"

# --- destroy: the backend directory goes with the guest
"$xensim" destroy "$b"
check "destroy: backend directory removed" \
	eval '! xenstore-read $(be_dir $b vbd)/state >/dev/null 2>&1'
wait_for 10 grep -q "vbd $b/51712: gone" "$run/blk2.log" ||
	bad "destroy: blkback did not let go"

stop_daemon "$bpid2" "$run/blk2.log" blkback
! sanitizer_report "$run/blk.log" || bad "sanitizer report in blk.log"
xensim_stop "$xensim" "$xpid" "$run/sim/xenstored.log"
finish it_blk
