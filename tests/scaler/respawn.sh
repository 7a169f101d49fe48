#!/bin/sh
# respawn.sh MAX CMD [ARG...]: run CMD, and again each time it is killed
# by SIGKILL, at most MAX times: what a stub domain's init does for its
# service, so that a test can kill -9 the scaler and have it come back
# in the same domain (the web domains' policy names that domain by id).
# SIGTERM is passed on; the exit status is CMD's last.
max=$1
shift
n=0
pid=
trap '[ -n "$pid" ] && kill -TERM "$pid"; wait "$pid"; exit $?' TERM
while :; do
	"$@" &
	pid=$!
	wait "$pid"
	rc=$?
	n=$((n + 1))
	if [ "$rc" -ne 137 ] || [ "$n" -ge "$max" ]; then
		exit "$rc"
	fi
	echo "respawn: $1 killed (9), starting it again ($n)" >&2
done
