#!/usr/bin/env bash
# blkfront (daemons/blkfront) on xensim with Shoal's xenstored, in a
# domain given a 256 MiB disk by `xensim create --disk`, served by
# blkback in dom0 (up to 4 queues offered, blkfront asks for 2), its
# NBD export on a Unix socket reached from the host:
#   config     --check: a good configuration, a bad one at FILE:LINE:COL
#   connect    Connected with 2 queues of 4-page rings (from -c; the
#              hostile backends' guests below use one page), the NBD export on TCP
#              127.0.0.1 too (nbdinfo), the disk's size, flush, discard
#              and indirect segments as blkback offers them
#   fio        fio's nbd engine (libnbd): 4 KiB random writes, 32 in
#              flight, verified by crc32c; then 1 MiB sequential writes
#              verified, which go as indirect requests (blkfront's
#              count: blkback does not count them); both queues carried
#              requests
#   copy       nbdcopy of the whole export equal to the backing file
#              (cmp), and qemu-img compare of the export with the file
#   hostile    a client breaking the protocol (nbd_client.py hostile):
#              bad magics dropped, oversized, past-the-end, unaligned
#              and unknown requests answered EINVAL; served afterwards
#   trim, fua  a TRIM read back as zeros (and zeros in the file), a FUA
#              write followed by a flush
#   sighup     max-request reloaded: a READ past the new one refused
#   flush      bytes written and flushed over NBD, blkback killed -9:
#              they are in the backing file; blkback started again,
#              blkfront reads them back through it
#   hostile backends  bf-hostile-backend serving a second guest's qdisk,
#              answering an id never used, or moving rsp_prod past our
#              requests: the read in flight EIO, the device shut (Closed,
#              ring_errors 1, state "shut"), later requests ESHUTDOWN,
#              blkfront still running and exiting 0 on SIGTERM
#   sigterm    blkfront exits 0, its vbd Closed, blkback still running
# No sanitizer report in any log; every process started is stopped.
#   it_nbd.sh BUILD_DIR
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
build=$1
here=$(cd "$(dirname "$0")" && pwd)
xensim=$build/xensim/bin/xensim
bf=$build/daemons/blkfront/blkfront
blkback=$build/daemons/blkback/blkback
ctl=$build/tools/shoalctl/shoalctl
hostile_be=$build/tests/blkfront/bf-hostile-backend
client=$here/nbd_client.py
run=$(test_dir shoal-bf)
export XENSIM_SOCKET=$run/sim/xensimd.sock
trap 'track_cleanup; "$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT

for t in fio nbdcopy qemu-img python3 jq xenstore-read; do
	command -v "$t" >/dev/null || { bad "$t is not installed"; finish it_nbd; }
done
xensim_start "$build" || finish it_nbd
size=$((256 << 20))
truncate -s "$size" "$run/disk.img"
# vbd only: the qdisks are the hostile backend's.
printf '{ "disk-paths": ["%s"], "max-queues": 4, "backend-types": ["vbd"] }\n' \
	"$run" >"$run/blk.json"
printf '* @any allow\n' >"$run/rpc.policy"
port=$((20000 + RANDOM % 20000))
bfconf() {	# bfconf MAX-REQUEST: blkfront's configuration
	printf '{\n  "queues": 2,\n  "ring-page-order": 2,\n  "nbd-tcp-port": %d,\n  "max-request": %d\n}\n' \
	    "$port" "$1" >"$run/bf.json"
}
bfconf $((32 << 20))
printf '{\n  "queues": 2,\n  "max-request": 1\n}\n' >"$run/bf-bad.json"
check "config: --check of a good one" "$bf" --check -c "$run/bf.json" \
	--nbd-socket "$run/x.sock"
"$bf" --check -c "$run/bf-bad.json" --nbd-socket "$run/x.sock" >"$run/check.out" 2>&1
check "config: a bad one refused at FILE:LINE:COL" \
	grep -q "bf-bad.json:3:18: max-request" "$run/check.out"

# start_blkback LOG: blkback in the background, its pid in $bpid.
start_blkback() {
	"$blkback" -c "$run/blk.json" --rpc-socket "$run/blk.sock" >"$1" 2>&1 &
	bpid=$!
	track "$bpid"
	wait_for 10 grep -q 'serving vbd' "$1" || bad "blkback did not start"
}
start_blkback "$run/blk.log"

sock=$run/nbd.sock
uri="nbd+unix:///?socket=$sock"
g=$("$xensim" create --name bf --disk "target=$run/disk.img" -- sh -c \
	"$bf -c $run/bf.json --nbd-socket $sock --rpc-socket $run/bf.sock --policy $run/rpc.policy -v & echo pid \$!; wait \$!; echo blkfront exited \$?; exec sleep 600")
con=$run/sim/console.$g.log
fe=/local/domain/$g/device/vbd/51712
show() { "$ctl" --socket "$run/bf.sock" --json blkfront.show | jq -r "$1"; }
blk_of() {	# blk_of METHOD JQ-PATH: our vbd in blkback's list or stats
	"$ctl" --socket "$run/blk.sock" --json "blk.$1" |
		jq -r ".vbds[] | select(.domid == $g) | $2"
}

# --- connect
wait_for 30 test -S "$sock" || { bad "no NBD socket: $(tail -5 "$con")"; finish it_nbd; }
bfpid=$(awk '$1 == "pid" { print $2; exit }' "$con")
check "connect: blkfront's pid said" test -n "$bfpid"
track "$bfpid"
check "connect: Connected (4)" test "$(xenstore-read "$fe/state")" = 4
check "connect: show says connected" test "$(show .state)" = connected
check "connect: two queues" test "$(show .queues)" = 2
check "connect: queue-N keys" xenstore-read "$fe/multi-queue-num-queues" \
	"$fe/queue-0/ring-ref0" "$fe/queue-1/event-channel" "$fe/protocol"
check "connect: blkback serves two queues" test "$(blk_of list .queues)" = 2
check "connect: rings of four pages" test "$(show .ring_pages)" = 4 -a \
	"$(blk_of list .ring_pages)" = 4 -a \
	"$(xenstore-read "$fe/ring-page-order")" = 2
check "connect: ring-refN per queue, no single ring-ref" eval \
	'xenstore-read $fe/queue-1/ring-ref3 >/dev/null &&
	! xenstore-read $fe/queue-0/ring-ref 2>/dev/null'

check "connect: 256 MiB" test "$(show .sectors)" = $((size / 512))
check "connect: TCP on loopback too" \
	test "$(nbdinfo --size "nbd://127.0.0.1:$port" 2>&1)" = "$size"
check "connect: flush, discard, indirect" \
	test "$(show '[.flush, .discard, .indirect > 11] | all')" = true

# --- fio through libnbd: random 4 KiB writes, then 1 MiB ones
fio_run() {	# fio_run NAME ARGS...: fio's verdict in $run/fio.NAME
	local name=$1
	shift
	fio --name="$name" --ioengine=nbd --uri="$uri" --verify=crc32c \
	    --do_verify=1 --verify_fatal=1 --verify_state_save=0 \
	    --output="$run/fio.$name" "$@"
}
ind0=$(show .requests.indirect)
check "fio: 4k random writes, iodepth 32, verified" fio_run rand \
	--rw=randwrite --bs=4k --iodepth=32 --size=64M
check "fio: 4k: no errors" grep -q 'err= 0' "$run/fio.rand"
check "fio: 4k: no indirect requests" test "$(show .requests.indirect)" = "$ind0"
check "fio: 1M sequential writes, verified" fio_run seq \
	--rw=write --bs=1M --iodepth=4 --size=128M --offset=128M
check "fio: 1M: no errors" grep -q 'err= 0' "$run/fio.seq"
check "fio: 1M: indirect requests sent" \
	test "$(show .requests.indirect)" -gt "$ind0"
for q in 0 1; do
	check "fio: queue $q carried writes and reads" test \
	    "$(show ".per_queue[$q] | .write > 0 and .read > 0")" = true
done
check "fio: no backend errors" test "$(show .requests.errors)" = 0
grep -E '^ +(write|read):' "$run/fio.rand" "$run/fio.seq" | sed 's/^/  /'

# --- copy: the export read whole equals the file
check "copy: nbdcopy of the export" nbdcopy "$uri" "$run/copy.img"
check "copy: the same bytes as the backing file" cmp "$run/copy.img" "$run/disk.img"
check "copy: qemu-img compare" qemu-img compare -q -f raw -F raw \
	"$uri" "$run/disk.img"

# --- hostile client
python3 "$client" "$sock" hostile "$size" >"$run/hostile.out" 2>&1
check "hostile: every check" test "$(grep -c '^ok: ' "$run/hostile.out")" = 12
grep '^FAIL' "$run/hostile.out"
check "hostile: two bad magics counted" test "$(show .nbd.bad_magic)" = 2
check "hostile: EINVAL counted" test "$(show .nbd.errors.einval)" -ge 7
check "hostile: still served: a write" test \
	"$(python3 "$client" "$sock" flushwrite $((7 << 20)) 65536 3 2>&1)" = flushed
check "hostile: still served: read back" test \
	"$(python3 "$client" "$sock" readcheck $((7 << 20)) 65536 3 2>&1)" = "read ok"
check "hostile: still connected" test "$(show .state)" = connected

# --- trim, FUA
check "trim: read back as zeros" test \
	"$(python3 "$client" "$sock" trimcheck $((9 << 20)) 65536 2>&1)" = "trim ok zeros"
check "trim: zeros in the file" cmp -s <(head -c 65536 /dev/zero) \
	<(dd if="$run/disk.img" bs=65536 skip=$((9 << 4)) count=1 status=none)
check "trim: counted" test "$(show .requests.discard)" -ge 1
f0=$(show .requests.flush)
check "fua: a write with FUA" test \
	"$(python3 "$client" "$sock" fuawrite $((10 << 20)) 8192 4 2>&1)" = "fua ok"
check "fua: a flush after it" test "$(show .requests.flush)" = $((f0 + 1))

# --- SIGHUP: max-request reloaded
bfconf $((1 << 20))
kill -HUP "$bfpid"
wait_for 10 grep -q "SIGHUP: max-request 1048576" "$con" || bad "sighup: not reloaded"
check "sighup: a READ of 2 MiB refused" test \
	"$(python3 "$client" "$sock" readlen 0 $((2 << 20)))" = "error 22"
check "sighup: a READ of 1 MiB served" test \
	"$(python3 "$client" "$sock" readlen 0 $((1 << 20)))" = "error 0"

# --- flush, then blkback killed: the bytes are in the file
off=$((5 << 20)) len=$((192 << 10))
check "flush: written and flushed" test \
	"$(python3 "$client" "$sock" flushwrite $off $len 7)" = flushed
check "flush: counted" test "$(show .requests.flush)" -ge 1
kill -9 "$bpid"
wait "$bpid" 2>/dev/null
check "flush: the bytes in the file after kill -9" cmp -s \
	<(dd if="$run/disk.img" bs=4096 skip=$((off / 4096)) count=$((len / 4096)) status=none) \
	<(python3 "$client" pattern $len 7)
start_blkback "$run/blk2.log"
bpid2=$bpid
wait_for 10 grep -q "vbd $g/51712: connected" "$run/blk2.log" ||
	bad "restart: blkback did not connect again"
check "restart: read back through the new blkback" test \
	"$(timeout 30 python3 "$client" "$sock" readcheck $off $len 7)" = "read ok"

# --- hostile backends: the device shut, blkfront still running
# hostile_backend MODE: a guest's qdisk served by bf-hostile-backend MODE.
hostile_backend() {
	local mode=$1 hb hpid h hcon hfe hsock=$run/h-$1.sock
	"$hostile_be" "$mode" >"$run/hb-$mode.log" 2>&1 &
	hb=$!
	track "$hb"
	wait_for 10 grep -q 'serving qdisk' "$run/hb-$mode.log" ||
		bad "$mode: the hostile backend did not start"
	truncate -s 64M "$run/h-$mode.img"
	h=$("$xensim" create --name "h$mode" --disk "target=$run/h-$mode.img,type=qdisk" -- sh -c \
	    "$bf --nbd-socket $hsock --rpc-socket $run/h-$mode.rpc --policy $run/rpc.policy -v & echo pid \$!; wait \$!; echo blkfront exited \$?; exec sleep 600")
	hcon=$run/sim/console.$h.log
	hfe=/local/domain/$h/device/vbd/51712
	hshow() { "$ctl" --socket "$run/h-$mode.rpc" --json blkfront.show | jq -r "$1"; }
	wait_for 30 test -S "$hsock" || { bad "$mode: no NBD socket: $(tail -3 "$hcon")"; return; }
	hpid=$(awk '$1 == "pid" { print $2; exit }' "$hcon")
	track "$hpid"
	check "$mode: the read in flight answered EIO" test \
		"$(timeout 30 python3 "$client" "$hsock" readlen 0 4096 2>&1)" = "error 5"
	check "$mode: the backend did it" grep -q "hostile: $mode sent" "$run/hb-$mode.log"
	check "$mode: the device shut" test "$(hshow .state)" = shut
	check "$mode: a ring error counted" test "$(hshow .ring_errors)" = 1
	wait_for 10 eval '[ "$(xenstore-read $hfe/state)" = 6 ]' ||
		bad "$mode: the vbd not Closed: $(xenstore-read "$hfe/state")"
	check "$mode: then ESHUTDOWN" test \
		"$(timeout 30 python3 "$client" "$hsock" readlen 0 4096 2>&1)" = "error 108"
	check "$mode: blkfront still running" kill -0 "$hpid"
	kill -TERM "$hpid"
	wait_for 15 grep -q 'blkfront exited' "$hcon" || bad "$mode: blkfront did not exit"
	check "$mode: blkfront exits 0" grep -qx 'blkfront exited 0' "$hcon"
	! sanitizer_report "$hcon" || bad "$mode: sanitizer report in blkfront's log"
	"$xensim" destroy "$h"
	stop_daemon "$hb" "$run/hb-$mode.log" bf-hostile-backend
}
hostile_backend badid
hostile_backend index

# --- SIGTERM: an orderly close
"$ctl" --socket "$run/bf.sock" blkfront.show | sed 's/^/  /' | head -40
kill -TERM "$bfpid"
wait_for 15 grep -q 'blkfront exited' "$con" || bad "sigterm: blkfront did not exit"
check "sigterm: exit 0" grep -qx 'blkfront exited 0' "$con"
check "sigterm: the vbd Closed (6)" test "$(xenstore-read "$fe/state")" = 6
check "sigterm: the NBD socket removed" test ! -e "$sock"
check "sigterm: blkback still running" kill -0 "$bpid2"
wait_for 10 grep -q "vbd $g/51712: disconnected" "$run/blk2.log" ||
	bad "sigterm: blkback did not let go"
! sanitizer_report "$con" || bad "sanitizer report in blkfront's log"
"$xensim" destroy "$g"
stop_daemon "$bpid2" "$run/blk2.log" blkback
! sanitizer_report "$run/blk.log" || bad "sanitizer report in blk.log"
xensim_stop "$xensim" "$xpid" "$run/sim/xenstored.log"
finish it_nbd
