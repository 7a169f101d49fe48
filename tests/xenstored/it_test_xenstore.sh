#!/bin/bash
# Xen's own client test, /usr/lib/xen-4.17/bin/test-xenstore, in
# iteration mode (every test 20 times) and random mode (5 seconds).
. "$(dirname "$0")/../lib.sh"
tx=/usr/lib/xen-4.17/bin/test-xenstore

ntests=$("$tx" -l | wc -l)
expect "12" 0 echo "$ntests"
expect "$ntests" 0 sh -c "$tx -i 20 | grep -c ': avg: '"
expect "" 0 sh -c "$tx -r 5 >/dev/null"
# It cleans up after itself: nothing left but what we started with.
expect $'local\ntool' 0 xenstore-list /
finish
