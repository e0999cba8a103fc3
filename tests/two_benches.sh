#!/usr/bin/env bash
# Two benches side by side on one machine, each with its own state (README, "One bench, its own state").
#
#   tests/two_benches.sh BENCH_A            BENCH_A: a bench set up by bin/setup (its apps are reused as sources)
#
# Clones this repository beside BENCH_A, sets that second bench up with bin/setup (Frappe and ERPNext copied from
# BENCH_A's apps/), starts both with `bin/setup --background`, and checks:
#   1. the two benches have different web, socketio and Redis ports, and each runs its own Redis servers;
#   2. every CSS/JS bundle that each bench's /login page references is served by that bench (HTTP 200) and is
#      the file of that bench's own sites/assets; the asset map cached in each bench's Redis is its own
#      assets.json;
#   3. a job enqueued on each bench runs on that bench's worker (finished in its own queue Redis) and is unknown
#      to the other bench's queue.
# Stops what it started (bin/setup --stop on both) and removes the second bench unless FO_KEEP=1. Takes the
# time of one bin/setup (several minutes). Prints "N passed, N failed".
set -uo pipefail
A="$(cd "${1:?usage: tests/two_benches.sh BENCH_A}" && pwd)"
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$SRC/bin/lib.sh"
B="$(dirname "$A")/fo-second-bench-$$"
passed=0; failed=0
check() {  # description, command...
	local what="$1"; shift
	if "$@"; then passed=$((passed + 1)); echo "ok   $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}
cleanup() {
	(cd "$A" && bin/setup --stop >/dev/null 2>&1)
	[ -d "$B" ] && (cd "$B" && bin/setup --stop >/dev/null 2>&1)
	if [ -z "${FO_KEEP:-}" ] && [ -d "$B" ]; then
		for s in "$B"/sites/*/site_config.json; do
			[ -f "$s" ] || continue
			db="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["db_name"])' "$s")"
			mariadb -h 127.0.0.1 -uroot ${FO_DB_ROOT_PASSWORD:+-p"$FO_DB_ROOT_PASSWORD"} \
				-e "DROP DATABASE IF EXISTS \`$db\`; DROP USER IF EXISTS '$db'@'%'" 2>/dev/null
		done
		rm -rf "$B"
	fi
}
trap cleanup EXIT

echo "== setting up a second bench in $B"
git clone -q "$SRC" "$B" || exit 2
(cd "$B" && bin/setup --no-start --frappe-path "$A/apps/frappe" --erpnext-path "$A/apps/erpnext") \
	>"$B.setup.log" 2>&1 || { echo "bin/setup of the second bench failed (see $B.setup.log)"; exit 1; }

echo "== starting both"
(cd "$A" && bin/setup --background) >/dev/null 2>&1
(cd "$B" && bin/setup --background) >/dev/null 2>&1

for key in webserver_port socketio_port; do
	check "different $key" [ "$(fo_conf "$A" $key)" != "$(fo_conf "$B" $key)" ]
done
for key in redis_cache redis_queue; do
	pa="$(fo_conf "$A" $key --port)"; pb="$(fo_conf "$B" $key --port)"
	check "different $key port ($pa, $pb)" [ "$pa" != "$pb" ]
	check "bench A's $key answers" fo_redis_ping "$pa"
	check "bench B's $key answers" fo_redis_ping "$pb"
done

own_assets() {  # bench dir: every bundle its login page references is its own file, served with 200
	local dir="$1" port page refs ref bad=0
	port="$(fo_conf "$dir" webserver_port)"
	page="$(curl -s "http://127.0.0.1:$port/login")" || return 1
	refs="$(printf '%s' "$page" | grep -Eo '/assets/[A-Za-z0-9_./-]+\.bundle\.[A-Z0-9]+\.(css|js)' | sort -u)"
	[ -n "$refs" ] || { echo "   no bundles referenced on $dir's /login"; return 1; }
	for ref in $refs; do
		[ -f "$dir/sites$ref" ] || { echo "   $ref is not a file of $dir"; bad=1; }
		[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$ref")" = 200 ] \
			|| { echo "   $ref: not served by $dir"; bad=1; }
	done
	return $bad
}
cached_map_is_own() {  # the asset map in the bench's Redis cache equals its own sites/assets/assets.json
	local dir="$1" port key
	port="$(fo_conf "$dir" redis_cache --port)"
	key="$(redis-cli -p "$port" --scan --pattern '*assets_json*' | head -1)"
	[ -n "$key" ] || { echo "   no cached asset map in $dir's Redis"; return 1; }
	"$dir/env/bin/python" - "$dir/sites/assets/assets.json" "$port" "$key" <<'PY'
import json, pickle, sys
import redis
cached = redis.Redis(port=int(sys.argv[2])).get(sys.argv[3])
own = json.load(open(sys.argv[1]))
try:  # Frappe merges the right-to-left map into it
	own.update(json.load(open(sys.argv[1].replace("assets.json", "assets-rtl.json"))))
except OSError:
	pass
sys.exit(0 if pickle.loads(cached) == own else 1)
PY
}
for dir in "$A" "$B"; do
	check "$(basename "$dir") serves its own bundles" own_assets "$dir"
	check "$(basename "$dir")'s cached asset map is its own" cached_map_is_own "$dir"
done

job_runs_at_home() {  # bench dir, other bench dir
	local dir="$1" other="$2" site id key qport oport
	site="$(fo_conf "$dir" default_site)"
	qport="$(fo_conf "$dir" redis_queue --port)"; oport="$(fo_conf "$other" redis_queue --port)"
	id="fo-two-benches-$$-$(basename "$dir")"
	# (bench execute then fails to print the returned rq Job as JSON: its exit status says nothing here)
	(cd "$dir" && .bench-cli/bin/bench --site "$site" execute frappe.enqueue \
		--args '["frappe.ping"]' --kwargs "{\"job_id\": \"$id\", \"queue\": \"short\"}") >/dev/null 2>&1
	for _ in $(seq 1 90); do
		key="$(redis-cli -p "$qport" --scan --pattern "rq:job:*$id" | head -1)"
		if [ -n "$key" ] && [ "$(redis-cli -p "$qport" hget "$key" status)" = finished ]; then
			[ -z "$(redis-cli -p "$oport" --scan --pattern "rq:job:*$id" | head -1)" ] && return 0
			echo "   the job is known to the other bench's queue"; return 1
		fi
		sleep 1
	done
	echo "   the job did not finish on $dir"
	return 1
}
check "$(basename "$A") runs its own job" job_runs_at_home "$A" "$B"
check "$(basename "$B") runs its own job" job_runs_at_home "$B" "$A"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
