#!/usr/bin/env bash
# The scaler daemon so far (docs/scaler.md): its job queue seen over RPC,
# on both stores.  Under xensim with Shoal's xenstored, the scaler as a
# dom0 process:
#   --check opens the store (and makes its schema); a configuration with
#   an unknown key, or naming both stores, is refused with FILE:LINE:COL
#   or the reason, exit 1;
#   jobs written by Debian's sqlite3 (or psql) into the store are listed
#   by `shoalctl scaler.jobs` over vchan, oldest first, filtered by state
#   and cut by limit; sys.stats counts them by state;
#   SIGHUP with a broken file keeps serving, SIGTERM exits 0 with no
#   sanitizer report.
#   it_scaler.sh BUILD_DIR [PG_CONNINFO]   (with_postgres.sh gives one)
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
build=$1 pg=${2:-}
xensim=$build/xensim/bin/xensim
scaler=$build/daemons/scaler/scaler
ctl=$build/tools/shoalctl/shoalctl
run=$(test_dir scaler-it)
export XENSIM_SOCKET=$run/sim/xensimd.sock
trap 'track_cleanup; "$xensim" stop >/dev/null 2>&1; rm -rf "$run"' EXIT

if [ -n "$pg" ]; then
	store="\"postgresql\": \"$pg\""
	sql() { psql -q -X -v ON_ERROR_STOP=1 "$pg" -c "$1" >/dev/null; }
	name=PostgreSQL
else
	store="\"sqlite\": \"$run/db/jobs.db\""
	mkdir -p "$run/db"
	sql() { sqlite3 "$run/db/jobs.db" "$1"; }
	name=SQLite
fi
printf '{ "store": { %s },\n  "backoff-ms": 500 }\n' "$store" >"$run/scaler.json"

exits 0 "$scaler" -c "$run/scaler.json" --check &&
	ok "--check opens the $name store" || bad "--check on $name"
printf '{ "store": { %s },\n  "backof-ms": 500 }\n' "$store" >"$run/typo.json"
expect "" 1 sh -c "'$scaler' -c '$run/typo.json' --check 2>&1 |
	grep -q '$run/typo.json:2:3: .*backof-ms' || exit 1; '$scaler' -c '$run/typo.json' --check 2>/dev/null"
printf '{ "store": { "sqlite": "a", "postgresql": "b" } }\n' >"$run/both.json"
out=$("$scaler" -c "$run/both.json" --check 2>&1)
check "both stores named: refused" grep -q 'not both' <<<"$out"

# Jobs as another program leaves them: ready, running, dead.
sql "INSERT INTO jobs (kind, idem_key, payload, state, max_attempts, run_at, created_at)
	VALUES ('domain.start', 'web-1', '{\"domain\": \"web-1\"}', 'ready', 3, 0, 0)"
sql "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, token, run_at,
	lease_until, worker, created_at) VALUES ('domain.stop', '{}', 'running', 1, 3, 1, 0,
	99999999999999, 'w1', 0)"
sql "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, error,
	created_at, finished_at) VALUES ('dns.update', 'not json', 'dead', 3, 3, 0,
	'refused by dnsd', 0, 0)"

"$xensim" start --xenstored "$build/daemons/xenstored/xenstored" ||
	{ bad "xensim start"; finish it_scaler; }
eval "$("$xensim" env)"
# The scaler runs as shoal-scaler once set up: the SQLite file and its
# directory (the WAL and shared-memory files) are its own.
[ -n "$pg" ] || chown -R shoal-scaler: "$run/db"
"$scaler" -c "$run/scaler.json" -v >"$run/scaler.log" 2>&1 &
spid=$!
track "$spid"
wait_for 10 sh -c "'$ctl' list 2>/dev/null | grep -q '^scaler '" ||
	bad "the scaler did not register: $(tail -3 "$run/scaler.log")"
check "the scaler runs as shoal-scaler, NoNewPrivs, a seccomp filter" test \
	"$(status_of "$spid" Uid)" = "$(id -u shoal-scaler)" -a \
	"$(status_of "$spid" NoNewPrivs)" = 1 -a "$(status_of "$spid" Seccomp)" = 2
check "... and Landlock" grep -q 'privileges dropped: uid [0-9]*, no_new_privs, Landlock' \
	"$run/scaler.log"
jobs=$("$ctl" --json scaler.jobs 2>&1)
check "scaler.jobs lists the three, oldest first" \
	test "$(jq -c '[.jobs[].kind]' <<<"$jobs")" = '["domain.start","domain.stop","dns.update"]'
check "... with their fields (key, payload as JSON, worker, error)" \
	jq -e '.jobs[0].key == "web-1" and .jobs[0].payload.domain == "web-1" and
	.jobs[0].state == "ready" and .jobs[1].worker == "w1" and .jobs[1].token == 1 and
	.jobs[2].payload == "not json" and .jobs[2].error == "refused by dnsd" and
	.more == false' <<<"$jobs"
dead=$("$ctl" --json scaler.jobs dead 2>&1)
check "scaler.jobs dead: the dead letter only" \
	test "$(jq -c '[.jobs[].kind]' <<<"$dead")" = '["dns.update"]'
cut=$("$ctl" --json scaler.jobs limit=2 2>&1)
check "limit=2 cuts the list and says so" \
	test "$(jq -c '[(.jobs | length), .more]' <<<"$cut")" = '[2,true]'
# Checked by shoalctl against the schema (usage: 2) before it is sent.
expect "" 2 sh -c "'$ctl' scaler.jobs state=lost >/dev/null 2>&1"
stats=$("$ctl" --json --service scaler sys.stats 2>&1)
check "sys.stats counts jobs by state" \
	jq -e '.daemon.jobs == {"ready": 1, "running": 1, "done": 0, "dead": 1}' <<<"$stats"

# A broken configuration on SIGHUP: refused, the old one stays.
cp "$run/scaler.json" "$run/good.json"
echo '{ "store": ' >"$run/scaler.json"
kill -HUP "$spid"
wait_for 10 grep -q 'reload failed, the old configuration stays' "$run/scaler.log" ||
	bad "a broken reload was not refused"
check "... and the jobs are still served" sh -c "'$ctl' scaler.jobs >/dev/null"
stop_daemon "$spid" "$run/scaler.log" scaler
tracked=()
[ "$failures" -eq 0 ] || tail -20 "$run/scaler.log"
finish "it_scaler ($name)"
