#!/bin/bash
# Debian's xenstore-utils against our daemon: exact outputs and codes.
. "$(dirname "$0")/../lib.sh"

expect "" 0 xenstore-write /it/a 1 /it/b "two words"
expect "1" 0 xenstore-read /it/a
expect $'1\ntwo words' 0 xenstore-read /it/a /it/b
expect $'a\nb' 0 xenstore-list /it
expect $'a = "1"\nb = "two words"' 0 xenstore-ls /it
expect "" 0 xenstore-exists /it/a
expect "" 1 xenstore-exists /it/none
expect "xenstore-read: couldn't read path /it/none" 1 \
    xenstore-read /it/none
expect "" 0 xenstore-write /it/deep/er/node x
expect "" 0 xenstore-list /it/deep/er/node
expect $'it\nlocal\ntool' 0 xenstore-list /

# Permissions: set, then see them the way xenstore-ls -p prints them.
expect "" 0 xenstore-chmod /it/a r5 b7
expect "(r5,b7)" 0 sh -c 'xenstore-ls -p /it | grep "^a " | grep -o "(.*)"'
expect "(n0)" 0 sh -c 'xenstore-ls -p /it | grep "^b " | grep -o "(.*)"'
expect "" 0 xenstore-chmod -r /it/deep b3
expect "(b3)" 0 sh -c 'xenstore-ls -p /it/deep/er | grep "^node " | grep -o "(.*)"'

# Relative paths from a socket client live under dom0's home.
expect "" 0 xenstore-write rel 7
expect "7" 0 xenstore-read /local/domain/0/rel

# Removal, including a missing node under an existing parent.
expect "" 0 xenstore-rm /it/a
expect "" 1 xenstore-exists /it/a
expect "" 0 xenstore-rm /it/a
expect "" 0 xenstore-rm -t /it/deep/er/node
expect "" 1 xenstore-exists /it/deep

# Watches: one event at registration, one per change, one for removal.
out=$XS_DIR/watch.out
xenstore-watch -n 4 /it/w > "$out" 2>&1 &
wpid=$!
if wait_lines "$out" 1; then
	xenstore-write /it/w/x 1
	wait_lines "$out" 2
	xenstore-write /it/other 1
	xenstore-chmod /it/w/x b1
	wait_lines "$out" 3
	xenstore-rm /it/w
fi
# Counted, not waited for: a missing event must fail, not hang.
wait_lines "$out" 4
kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null
expect $'/it/w\n/it/w/x\n/it/w/x\n/it/w' 0 cat "$out"

# Long listings go through DIRECTORY_PART when DIRECTORY says E2BIG.
for i in $(seq 1 250); do
	printf '/it/many/child-name-number-%04d x\n' "$i"
done | xargs xenstore-write
expect "250" 0 sh -c 'xenstore-list /it/many | wc -l'
expect "child-name-number-0250" 0 sh -c 'xenstore-list /it/many | tail -1'

expect "" 0 xenstore-rm /it

# Left connected with a watch when run-daemon sends SIGTERM: shutdown
# must free its connection and watch with no leak report.
# run-daemon kills it afterwards: xenstore-watch spins once its daemon is
# gone, and must not outlive the test.
xenstore-watch /left-behind > "$XS_DIR/left.out" 2>&1 &
echo $! >> "$XS_DIR/children.pids"
wait_lines "$XS_DIR/left.out" 1
finish
