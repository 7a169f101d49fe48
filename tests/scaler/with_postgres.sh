#!/usr/bin/env bash
# with_postgres.sh CMD [ARG...]: run CMD with a PostgreSQL 15 of its own,
# as the multi-host job queue uses it, then stop it.  The server (Debian's
# postgresql-15, installed by deploy/deps) gets a fresh data directory
# under /tmp owned by the postgres user (PostgreSQL refuses to run as
# root), listens on 127.0.0.1 only, on a port found free, and trusts its
# one local user; pg_ctl -w waits until it accepts connections.  Every
# "@PG@" in the arguments becomes its libpq conninfo.  The server must
# stop cleanly ("database system is shut down" in its log); CMD's exit
# status is the script's.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
pgbin=/usr/lib/postgresql/15/bin
[ -x "$pgbin/pg_ctl" ] || { echo "FAIL: $pgbin/pg_ctl: install postgresql-15 (deploy/deps)"; exit 1; }
run=$(test_dir shoal-pg)
chown postgres: "$run"
pg() { runuser -u postgres -- "$@"; }
stop_pg() {
	[ -f "$run/data/postmaster.pid" ] && pg "$pgbin/pg_ctl" -D "$run/data" -m fast -w stop >/dev/null
}
trap 'stop_pg; rm -rf "$run"' EXIT
# A port nothing listens on (PostgreSQL takes the first free from 15432).
port=15432
while ss -Hltn "sport = :$port" | grep -q . && [ $port -lt 15532 ]; do
	port=$((port + 1))
done
pg "$pgbin/initdb" -D "$run/data" -A trust -U shoal --no-sync >"$run/initdb.log" 2>&1 ||
	{ echo "FAIL: initdb"; cat "$run/initdb.log"; exit 1; }
pg "$pgbin/pg_ctl" -D "$run/data" -l "$run/pg.log" -w -t 60 \
	-o "-c listen_addresses=127.0.0.1 -p $port -k $run -c fsync=on" start >/dev/null ||
	{ echo "FAIL: PostgreSQL did not start"; cat "$run/pg.log"; exit 1; }
conninfo="host=127.0.0.1 port=$port user=shoal dbname=postgres"
args=()
for a; do args+=("${a//@PG@/$conninfo}"); done
"${args[@]}"
rc=$?
stop_pg || { echo "FAIL: PostgreSQL did not stop"; rc=1; }
grep -q 'database system is shut down' "$run/pg.log" ||
	{ echo "FAIL: PostgreSQL's log does not show a clean shutdown"; tail -5 "$run/pg.log"; rc=1; }
exit $rc
