#!/usr/bin/env bash
# Shoal's xenstored serving simulated domains through their own rings
# (xensim's relay, Debian's unmodified xenstore-utils inside each domain):
# permissions between two domains checked both ways, a quota enforced on
# one domain without the others noticing, and @introduceDomain /
# @releaseDomain seen by a privileged watcher, and a released domain's
# nodes and permission entries gone.
#   it_rings.sh BUILD_DIR
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
build=$1
xensim=$build/xensim/bin/xensim
run=$(test_dir xs-rings)
export XENSIM_SOCKET=$run/xensimd.sock
trap '"$xensim" stop >/dev/null 2>&1 || true; rm -rf "$run"' EXIT

echo '{ "quota": { "nodes": 20, "write-rate": 50, "write-burst": 10 } }' \
    > "$run/xs.json"
"$xensim" start --xenstored "$build/daemons/xenstored/xenstored" -v \
    -c "$run/xs.json" || { echo "FAIL: start"; exit 1; }
eval "$("$xensim" env)"

xenstore-watch -n 3 @introduceDomain > "$run/intro" 2>&1 &
wi=$!
xenstore-watch -n 2 @releaseDomain > "$run/release" 2>&1 &
wr=$!
# Each watch's first event comes once it is set.
wait_lines "$run/intro" 1 && wait_lines "$run/release" 1

# Each domain says OK or BAD per check; files on the host order them.
check='ok() { echo "OK $*"; }; no() { echo "BAD $*"; };'
"$xensim" create --name alice -- sh -c "$check"'
	xenstore-write data/secret a data/shared a-shared || no alice-write
	xenstore-chmod data/shared n1 r2 || no alice-chmod
	touch '"$run"'/alice-ready
	while [ ! -e '"$run"'/bob-ready ]; do sleep 0.05; done
	xenstore-read /local/domain/2/data/secret 2>/dev/null && no alice-read-bob || ok alice-cannot-read-bob
	[ "$(xenstore-read /local/domain/2/data/shared)" = b-shared ] && ok alice-reads-bob-shared || no alice-reads-bob-shared
	touch '"$run"'/alice-done; sleep 60' >/dev/null
"$xensim" create --name bob -- sh -c "$check"'
	while [ ! -e '"$run"'/alice-ready ]; do sleep 0.05; done
	xenstore-read /local/domain/1/data/secret 2>/dev/null && no bob-read-alice || ok bob-cannot-read-alice
	[ "$(xenstore-read /local/domain/1/data/shared)" = a-shared ] && ok bob-reads-alice-shared || no bob-reads-alice-shared
	xenstore-write /local/domain/1/data/shared x 2>/dev/null && no bob-wrote-alice || ok bob-cannot-write-alice
	xenstore-write data/secret b data/shared b-shared && xenstore-chmod data/shared n2 r1 || no bob-write
	touch '"$run"'/bob-ready; sleep 60' >/dev/null
for _ in $(seq 200); do [ -e "$run/alice-done" ] && break; sleep 0.05; done

# Quota: carol may own 20 nodes (6 come with her domain), dave is untouched.
"$xensim" create --name carol -- sh -c '
	for i in $(seq 30); do
		xenstore-write data/n$i x 2>/dev/null || { echo "refused at $i"; break; }
	done; touch '"$run"'/carol-done; sleep 60' >/dev/null
for _ in $(seq 200); do [ -e "$run/carol-done" ] && break; sleep 0.05; done
"$xensim" create --name dave -- sh -c '
	for i in $(seq 10); do xenstore-write data/n$i x || exit 1; done
	echo "dave wrote 10"; sleep 60' >/dev/null
for _ in $(seq 100); do grep -q . "$run/console.4.log" 2>/dev/null && break; sleep 0.05; done
for i in $(seq 40); do xenstore-write /tool/test/n$i x || bad "dom0 write $i"; done

for c in alice-cannot-read-bob alice-reads-bob-shared bob-cannot-read-alice \
    bob-reads-alice-shared bob-cannot-write-alice; do
	grep -qx "OK $c" "$run"/console.[12].log || bad "$c"
done
grep -h BAD "$run"/console.[12].log && bad "a domain reported a failed check"
grep -qx 'refused at 15' "$run/console.3.log" ||
	bad "carol: $(cat "$run/console.3.log") (want: refused at 15)"
grep -qx 'dave wrote 10' "$run/console.4.log" || bad "dave was affected by carol's quota"
[ "$(xenstore-read /local/domain/3/data/n14)" = x ] || bad "carol's 14th node missing"

# Write rate: erin's 110 writes in one transaction take at least
# (110 - 10) / 50 s; the others' buckets are their own.
"$xensim" create --name erin -- sh -c '
	set --; for i in $(seq 110); do set -- "$@" data/w x; done
	s=$(date +%s%N); xenstore-write "$@" || echo "erin write failed"
	echo "erin took $((($(date +%s%N) - s) / 1000000)) ms"; sleep 60' >/dev/null
for _ in $(seq 200); do grep -q took "$run/console.5.log" 2>/dev/null && break; sleep 0.05; done
took=$(sed -n 's/^erin took \([0-9]*\) ms$/\1/p' "$run/console.5.log")
[ -n "$took" ] && [ "$took" -ge 1900 ] ||
	bad "erin's writes were not held to 50/s: $(cat "$run/console.5.log")"
[ "$(xenstore-read /local/domain/5/data/w)" = x ] || bad "erin's write missing"

# Release: destroying a domain fires @releaseDomain for dom0's watcher,
# deletes what it owned wherever it was, and drops entries naming it.
xenstore-write /tool/test/bobs x && xenstore-chmod /tool/test/bobs n2 ||
	bad "dom0 gives bob a node"
"$xensim" destroy bob
# Counted, not waited for: a missing event must fail, not hang.
wait_lines "$run/intro" 3; wait_lines "$run/release" 2
kill "$wi" "$wr" 2>/dev/null || true; wait "$wi" "$wr" 2>/dev/null || true
[ "$(grep -c '^@introduceDomain' "$run/intro")" -eq 3 ] ||
	bad "@introduceDomain events: $(tr '\n' ' ' < "$run/intro")"
[ "$(grep -c '^@releaseDomain' "$run/release")" -eq 2 ] ||
	bad "@releaseDomain events: $(tr '\n' ' ' < "$run/release")"
[ "$(xenstore-read /local/domain/1/data/shared)" = a-shared ] || bad "dom0 reads alice"
xenstore-exists /tool/test/bobs 2>/dev/null && bad "bob's node outlived bob"
xenstore-exists /local/domain/2/data/secret 2>/dev/null && bad "bob's data outlived bob"
shared=$(xenstore-ls -p /local/domain/1/data | grep '^shared')
case $shared in
*'(n1)') ;;
*) bad "alice's shared node still names bob: $shared" ;;
esac
grep -qE 'Sanitizer|runtime error' "$run/xenstored.log" && bad "sanitizer report"

if [ "$failures" -ne 0 ]; then
	echo "--- xenstored.log"; tail -n 30 "$run/xenstored.log"
	for f in "$run"/console.*.log; do echo "--- $f"; cat "$f"; done
	echo "it_rings: $failures failure(s)"; exit 1
fi
echo "it_rings: all passed"
