#!/usr/bin/env bash
# Two app nodes serving the same site behind nginx (docs/production.md, "Scale-out").
#
#   tests/two_nodes.sh BENCH          BENCH: a bench set up by bin/setup (default: this clone)
#
# Starts BENCH with `bin/setup --production --nodes 2` (FO_GUNICORN_WORKERS defaults to 2 here to spare the
# machine): two gunicorn sets on two 127.0.0.1 ports, each with its own short/default/long RQ workers, one
# scheduler, one socketio, the bench's Redis cache and queue, nginx in front with both nodes in its upstream.
# Both nodes share the site's MariaDB database, Redis and sites/ folder (unlike two benches, tests/two_benches.sh).
# Checks:
#   1. supervisor runs both nodes' gunicorn and workers and exactly one scheduler;
#   2. nginx passes requests to both nodes (its access log names the upstream of each request), proxies socketio,
#      gzips pages; the site runs without developer mode;
#   3. a session opened on node A (login) is valid on node B, its CSRF token too; a logout on B ends it on A;
#   4. a private file uploaded through node A is downloaded, byte for byte, through node B (and through nginx),
#      and not without the session; a public file uploaded through B is served by nginx from the shared sites/
#      and its File record is read through A; a 9 MB upload passes nginx's body limit;
#   5. RQ jobs enqueued for the site run once each (one finished record, one worker), on the workers of both nodes;
#   6. the scheduler runs a due job once per due time: a job type due every minute gets one Scheduled Job Log per
#      minute over three runs; a second `bench schedule` started by hand on the same bench exits at once (Frappe's
#      lock file config/scheduler_process).
# Stops what it started (bin/setup --stop) and removes its file and job records. Takes about four minutes (the
# scheduler ticks once a minute). Prints "N passed, N failed".
set -uo pipefail
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
B="$(cd "${1:-$SRC}" && pwd)"
. "$SRC/bin/lib.sh"
BENCH="$(fo_bench_cli "$B")" || { echo "no bench CLI in $B (run bin/setup)"; exit 2; }
SITE="$(fo_conf "$B" default_site)"; SITE="${SITE:-fiber.localhost}"
WORK="$(mktemp -d)"
JAR="$WORK/cookies"
SITE_HEADER="X-Frappe-Site-Name: $SITE"   # what nginx sets for its upstream: gunicorn has no default site
passed=0; failed=0
check() {  # description, command...
	local what="$1"; shift
	if "$@"; then passed=$((passed + 1)); echo "ok   $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}
py() { (cd "$B/sites" && ../env/bin/python - "$@"); }   # a Python snippet on stdin, with frappe, in sites/
forget_records() {  # the files and the job type this test made (needs the bench's Redis: before the stop)
	py "$SITE" <<'PY' >/dev/null 2>&1
import sys, frappe
frappe.init(site=sys.argv[1], sites_path="."); frappe.connect()
for name in frappe.get_all("File", filters={"file_name": ["like", "fo-two-nodes-%"]}, pluck="name"):
	frappe.delete_doc("File", name, ignore_permissions=True, force=True)
if frappe.db.exists("Scheduled Job Type", "frappe.ping"):
	frappe.db.delete("Scheduled Job Log", {"scheduled_job_type": "frappe.ping"})
	frappe.delete_doc("Scheduled Job Type", "frappe.ping", ignore_permissions=True, force=True)
frappe.db.commit()
PY
}
cleanup() {
	[ -n "$(fo_supervisord_pid "$B")" ] && forget_records
	(cd "$B" && bin/setup --stop >/dev/null 2>&1)
	rm -rf "$WORK"
}
trap cleanup EXIT

echo "== starting $B in production with two app nodes"
(cd "$B" && FO_GUNICORN_WORKERS="${FO_GUNICORN_WORKERS:-2}" bin/setup --production --nodes 2) >"$WORK/setup.log" 2>&1 \
	|| { cat "$WORK/setup.log"; echo "bin/setup --production --nodes 2 failed"; exit 1; }
HTTP="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["nginx_port"])' "$B/sites/$SITE/site_config.json")"
A="$(grep -o -- '-b 127.0.0.1:[0-9]*' "$B/config/supervisor.conf" | sed -n 1p | cut -d: -f2)"
N2="$(grep -o -- '-b 127.0.0.1:[0-9]*' "$B/config/supervisor.conf" | sed -n 2p | cut -d: -f2)"
echo "   nginx :$HTTP -> node A :$A, node B :$N2"
status="$(fo_supervisorctl "$B" status)"
echo "$status" | sed 's/^/   /'

# 1 ---------------------------------------------------------------------------------------------------------------
running() { echo "$status" | grep -E "^$1 " | grep -q RUNNING; }
name="$(basename "$B")"
check "node A's gunicorn runs" running "$name-web:$name-frappe-web"
check "node B's gunicorn runs" running "$name-node2:$name-frappe-web-node2"
for q in short default long; do
	check "node A's $q worker runs" running "$name-workers:$name-frappe-$q-worker-0"
	check "node B's $q worker runs" running "$name-node2:$name-frappe-$q-worker-node2-0"
done
check "exactly one scheduler program" test "$(echo "$status" | grep -c -- '-frappe-schedule ')" -eq 1

# 2 ---------------------------------------------------------------------------------------------------------------
for _ in $(seq 1 12); do curl -s -o /dev/null "http://127.0.0.1:$HTTP/api/method/ping"; done
upstreams="$(grep '/api/method/ping' "$B/logs/nginx-access.log" | tail -12 | grep -o 'upstream=[0-9.:]*' | sort | uniq -c)"
echo "$upstreams" | sed 's/^/   /'
check "nginx passes requests to node A" grep -q "upstream=127.0.0.1:$A\$" <<<"$(echo "$upstreams" | awk '{print $2}')"
check "nginx passes requests to node B" grep -q "upstream=127.0.0.1:$N2\$" <<<"$(echo "$upstreams" | awk '{print $2}')"

check "socketio answers through nginx (/socket.io handshake)" grep -q '"sid"' \
	<<<"$(curl -s "http://127.0.0.1:$HTTP/socket.io/?EIO=4&transport=polling")"
check "nginx gzips a page for HTTP/1.1 clients" grep -qi '^content-encoding: gzip' \
	<<<"$(curl -s -D - -o /dev/null -H 'Accept-Encoding: gzip' "http://127.0.0.1:$HTTP/login")"
check "the site runs without developer mode" test "$(python3 -c \
	'import json,sys; print(json.load(open(sys.argv[1])).get("developer_mode"))' "$B/sites/$SITE/site_config.json")" = 0

# 3 ---------------------------------------------------------------------------------------------------------------
user_on() {  # port: the user the session cookie is logged in as there
	curl -s -H "$SITE_HEADER" -b "$JAR" "http://127.0.0.1:$1/api/method/frappe.auth.get_logged_user" \
		| python3 -c 'import json,sys; print(json.load(sys.stdin).get("message", ""))' 2>/dev/null
}
curl -s -H "$SITE_HEADER" -c "$JAR" -o /dev/null \
	--data-urlencode usr=Administrator --data-urlencode "pwd=${FO_ADMIN_PASSWORD:-admin}" \
	"http://127.0.0.1:$A/api/method/login"
check "login through node A" test "$(user_on "$A")" = Administrator
check "the session is valid on node B" test "$(user_on "$N2")" = Administrator
csrf="$(curl -s -H "$SITE_HEADER" -b "$JAR" "http://127.0.0.1:$A/app" | grep -o 'frappe.csrf_token = "[^"]*"' | cut -d'"' -f2)"
check "node A's desk page gives the session's CSRF token" test -n "$csrf"

# 4 ---------------------------------------------------------------------------------------------------------------
head -c 200000 /dev/urandom >"$WORK/fo-two-nodes-private.bin"
head -c 100000 /dev/urandom >"$WORK/fo-two-nodes-public.bin"
upload() {  # port, file, is_private -> "file_url name"
	curl -s -H "$SITE_HEADER" -b "$JAR" -H "X-Frappe-CSRF-Token: $csrf" -F "file=@$2" -F "is_private=$3" \
		"http://127.0.0.1:$1/api/method/upload_file" \
		| python3 -c 'import json,sys; m = json.load(sys.stdin)["message"]; print(m["file_url"], m["name"])' 2>/dev/null
}
same_bytes() {  # url, local file
	curl -s -H "$SITE_HEADER" -b "$JAR" -o "$WORK/got" "$1" && cmp -s "$WORK/got" "$2"
}
read -r private_url _name < <(upload "$A" "$WORK/fo-two-nodes-private.bin" 1)
echo "   uploaded through A (with A's CSRF token on A): ${private_url:-nothing}"
check "a private file uploaded through node A" test -n "$private_url"
check "is downloaded byte for byte through node B" same_bytes "http://127.0.0.1:$N2$private_url" "$WORK/fo-two-nodes-private.bin"
check "and through nginx (X-Accel-Redirect to the shared sites/)" \
	same_bytes "http://127.0.0.1:$HTTP$private_url" "$WORK/fo-two-nodes-private.bin"
check "and not without the session" \
	test "$(curl -s -H "$SITE_HEADER" -o /dev/null -w "%{http_code}" "http://127.0.0.1:$N2$private_url")" = 403
read -r public_url public_name < <(upload "$N2" "$WORK/fo-two-nodes-public.bin" 0)
echo "   uploaded through B (with A's CSRF token on B): ${public_url:-nothing}"
check "a public file uploaded through node B with node A's CSRF token" test -n "$public_url"
# (public files are nginx's to serve, from sites/<site>/public; gunicorn serves none)
check "is served byte for byte by nginx from the shared sites/" \
	same_bytes "http://127.0.0.1:$HTTP$public_url" "$WORK/fo-two-nodes-public.bin"
check "its File record is read through node A" test "$(curl -s -H "$SITE_HEADER" -b "$JAR" \
	"http://127.0.0.1:$A/api/resource/File/${public_name:-none}" \
	| python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["file_url"])' 2>/dev/null)" = "$public_url"
head -c 9000000 /dev/urandom >"$WORK/fo-two-nodes-contract-size.bin"
read -r big_url _name < <(upload "$HTTP" "$WORK/fo-two-nodes-contract-size.bin" 1)
check "a 9 MB upload (a signed contract's size) passes nginx's body limit" test -n "$big_url"
curl -s -H "$SITE_HEADER" -o /dev/null -b "$JAR" -H "X-Frappe-CSRF-Token: $csrf" -X POST "http://127.0.0.1:$N2/api/method/logout"
check "a logout on node B ends the session on node A" test "$(user_on "$A")" != Administrator

# 5 ---------------------------------------------------------------------------------------------------------------
qport="$(fo_conf "$B" redis_queue --port)"
py "$SITE" "$$" <<'PY' >/dev/null
import sys, frappe
frappe.init(site=sys.argv[1], sites_path="."); frappe.connect()
for i in range(16):
	frappe.enqueue("frappe.ping", queue=("short", "default", "long")[i % 3], job_id=f"fo-two-nodes-{sys.argv[2]}-{i}")
frappe.db.commit()
PY
jobs_done() {
	local n=0 k
	for k in $(redis-cli -p "$qport" --scan --pattern "rq:job:*fo-two-nodes-$$-*"); do
		[ "$(redis-cli -p "$qport" hget "$k" status)" = finished ] && n=$((n + 1))
	done
	[ "$n" -eq 16 ]
}
for _ in $(seq 1 120); do jobs_done && break; sleep 1; done   # last-resort bound: 2 minutes
check "16 jobs enqueued for the site all finished" jobs_done
workers="$(for k in $(redis-cli -p "$qport" --scan --pattern "rq:job:*fo-two-nodes-$$-*"); do
	redis-cli -p "$qport" hget "$k" worker_name; done)"
check "each job ran on exactly one worker" test "$(echo "$workers" | grep -c .)" -eq 16
# which node ran them: RQ records each worker's pid; supervisor knows each program's pid (the worker is a child)
node_of_pid() {
	local pid="$1" program ppid
	while [ -n "$pid" ] && [ "$pid" -gt 1 ]; do
		program="$(echo "$pids" | awk -v p="$pid" '$2 == p {print $1}')"
		[ -n "$program" ] && { case "$program" in *node2*) echo B ;; *) echo A ;; esac; return; }
		ppid="$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null)"; pid="$ppid"
	done
	echo "?"
}
pids="$(for p in $(echo "$status" | awk '/worker/ {print $1}'); do echo "$p $(fo_supervisorctl "$B" pid "$p")"; done)"
echo "   jobs per node: $(for w in $workers; do
	node_of_pid "$(redis-cli -p "$qport" hget "rq:worker:$w" pid)"; done | sort | uniq -c | tr -s ' \n' ' ')"

# 6 ---------------------------------------------------------------------------------------------------------------
(cd "$B" && timeout 60 "$BENCH" schedule >/dev/null 2>&1)
check "a second scheduler on the same bench exits at once (Frappe's scheduler lock)" test $? -eq 0
py "$SITE" <<'PY' >/dev/null
import sys, frappe
frappe.init(site=sys.argv[1], sites_path="."); frappe.connect()
frappe.get_doc({"doctype": "Scheduled Job Type", "method": "frappe.ping", "frequency": "Cron",
	"cron_format": "* * * * *"}).insert(ignore_permissions=True)
frappe.db.commit()
PY
slots() {  # "runs minutes": Scheduled Job Logs of the every-minute job, and the distinct minutes they ran in
	py "$SITE" <<'PY'
import sys, frappe
frappe.init(site=sys.argv[1], sites_path="."); frappe.connect()
rows = frappe.get_all("Scheduled Job Log", filters={"scheduled_job_type": "frappe.ping"}, pluck="creation")
print(len(rows), len({r.strftime("%Y-%m-%d %H:%M") for r in rows}))
PY
}
for _ in $(seq 1 60); do read -r runs minutes < <(slots); [ "${runs:-0}" -ge 3 ] && break; sleep 5; done  # last resort: 5 min
echo "   the every-minute job ran $runs times in $minutes distinct minutes"
check "the scheduler ran the every-minute job at least three times" test "${runs:-0}" -ge 3
check "once per due minute (one scheduler for both nodes)" test "${runs:-0}" -eq "${minutes:-x}"

# stop --------------------------------------------------------------------------------------------------------------
forget_records
(cd "$B" && bin/setup --stop >/dev/null 2>&1)
closed() { ! fo_port_busy_any "$@"; }
fo_port_busy_any() { local p; for p in "$@"; do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && return 0; done; return 1; }
check "bin/setup --stop stops nginx, both nodes and socketio" closed "$HTTP" "$A" "$N2" "$(fo_conf "$B" socketio_port)"
check "and its supervisord" test -z "$(fo_supervisord_pid "$B")"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
