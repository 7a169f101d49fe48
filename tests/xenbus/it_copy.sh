#!/usr/bin/env bash
# Grant copies through common/xb_copy.h on xensim: a guest shares two
# pages with dom0 (tests/tools/xb-copy-test guest); dom0 copies out of
# the first in one batch (1000 bytes at 100, the page's last 96, and a
# segment with a grant ref the guest never made, which alone fails) and
# into the second; the guest finds the bytes where they belong and
# nothing else changed.
#   it_copy.sh BUILD_DIR
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
build=$1
xensim=$build/xensim/bin/xensim
tool=$build/tests/tools/xb-copy-test
run=$(test_dir shoal-xbcopy)
export XENSIM_SOCKET=$run/sim/xensimd.sock
trap 'track_cleanup; "$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT

xensim_start "$build" || finish it_copy
g=$("$xensim" create --name guest -- "$tool" guest)
glog=$run/sim/console.$g.log
out=$("$tool" backend "$g" 2>&1)
rc=$?
echo "$out"
check "the backend's copies: one batch, the bad ref alone failed, then back (exit $rc)" \
	sh -c "[ $rc = 0 ] && grep -q '^BACKEND OK\$' <<'EOF'
$out
EOF"
wait_for 10 grep -q '^GUEST' "$glog" || bad "the guest never said"
cat "$glog"
check "the guest's second page holds the copy and nothing else" grep -q '^GUEST OK$' "$glog"
! sanitizer_report "$glog" || bad "sanitizer report in the guest's log"
! sanitizer_report <(echo "$out") || bad "sanitizer report from the backend"
xensim_stop "$xensim" "$xpid" "$run/sim/xenstored.log"
finish it_copy
