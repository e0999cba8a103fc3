#!/usr/bin/env bash
# Load benchmark of the portal pages, the registration and the staff list, beside Frappe's stock /me page
# (benchmarks/portal_load.py, locust, headless). Loopback only, bounded in time and requests.
#
#   benchmarks/run_portal_load.sh                # starts its own gunicorn (3 workers x 4 threads) on a free port
#   FO_LOAD_HOST=http://127.0.0.1:8000 benchmarks/run_portal_load.sh      # a server already running (bench serve)
#
# Environment: FO_BENCH (the bench, default this clone), FO_SITE (default fiber.localhost, the demo site: its
# demo customer and cases are used), FO_LOAD_USERS (default "1 20 50"), FO_LOAD_RUN_TIME (per run, default 60s),
# FO_LOAD_MAX_REQUESTS (per run, default 20000), FO_LOAD_REGISTRATIONS (POSTs per run, default 5, the gate's
# limit per address in 10 minutes), FO_LOAD_WORKERS / FO_LOAD_THREADS (own gunicorn, default 3 / 4),
# FO_LOAD_WARMUP (an unreported first run, default 20s).
# locust lives in benchmarks/.venv (benchmarks/requirements-load.txt), never in the app's dependencies.
# Output: benchmarks/out/portal_load_<N>users_*.csv and benchmarks/out/portal_load.md (the table).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
BENCH="${FO_BENCH:-$ROOT}"
SITE="${FO_SITE:-fiber.localhost}"
USERS="${FO_LOAD_USERS:-1 20 50}"
RUN_TIME="${FO_LOAD_RUN_TIME:-60s}"
MAX_REQUESTS="${FO_LOAD_MAX_REQUESTS:-20000}"
REGISTRATIONS="${FO_LOAD_REGISTRATIONS:-5}"
WORKERS="${FO_LOAD_WORKERS:-3}"
THREADS="${FO_LOAD_THREADS:-4}"
OUT="$HERE/out"
VENV="$HERE/.venv"

[ -x "$BENCH/env/bin/python" ] && [ -d "$BENCH/sites/$SITE" ] \
	|| { echo "no bench with site $SITE at $BENCH (run bin/setup)" >&2; exit 2; }
mkdir -p "$OUT"

# locust, benchmark-only, in its own venv
if ! "$VENV/bin/python" -c 'import locust' 2>/dev/null; then
	python3 -m venv "$VENV"
	"$VENV/bin/pip" install -q -r "$HERE/requirements-load.txt"
fi

. "$ROOT/bin/lib.sh"
FO_STARTED_REDIS=()
SERVER_PID=""
cleanup() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	fo_redis_down
}
trap cleanup EXIT
fo_redis_up "$BENCH"

if [ -n "${FO_LOAD_HOST:-}" ]; then
	HOST="$FO_LOAD_HOST"
	SERVER="given: $HOST"
else
	PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
	HOST="http://127.0.0.1:$PORT"
	(cd "$BENCH/sites" && exec ../env/bin/gunicorn -b "127.0.0.1:$PORT" -w "$WORKERS" --threads "$THREADS" \
		-t 120 --preload frappe.app:application) > "$OUT/gunicorn.log" 2>&1 &
	SERVER_PID=$!
	SERVER="gunicorn -b 127.0.0.1:$PORT -w $WORKERS --threads $THREADS --preload frappe.app:application"
fi
case "$HOST" in
	http://127.0.0.1:*) ;;
	*) echo "refusing $HOST: the load runs against http://127.0.0.1:<port> only" >&2; exit 2 ;;
esac
for _ in $(seq 1 120); do
	curl -fsS -o /dev/null -H "X-Frappe-Site-Name: $SITE" "$HOST/api/method/ping" 2>/dev/null && break
	sleep 0.5
done
# the site is named in X-Frappe-Site-Name, as bench's nginx configuration does (gunicorn serves by that header)
curl -fsS -o /dev/null -H "X-Frappe-Site-Name: $SITE" "$HOST/api/method/ping" \
	|| { echo "no answer from $HOST for $SITE" >&2; exit 1; }

# warm-up, not reported: the workers import, compile and fill their caches as a server does in its first minute
(cd "$BENCH/sites" && ../env/bin/python "$HERE/portal_load_site.py" "$SITE" 0 "$OUT/portal_load_fixture.json")
FO_LOAD_FIXTURE="$OUT/portal_load_fixture.json" "$VENV/bin/locust" -f "$HERE/portal_load.py" --headless \
	--host "$HOST" -u 3 -r 3 --run-time "${FO_LOAD_WARMUP:-20s}" --only-summary --loglevel ERROR >/dev/null 2>&1 || true

for n in $USERS; do
	echo "== $n users, at most $RUN_TIME and $MAX_REQUESTS requests ($SERVER)"
	(cd "$BENCH/sites" && ../env/bin/python "$HERE/portal_load_site.py" "$SITE" "$REGISTRATIONS" \
		"$OUT/portal_load_fixture.json")
	FO_LOAD_FIXTURE="$OUT/portal_load_fixture.json" FO_LOAD_MAX_REQUESTS="$MAX_REQUESTS" \
		"$VENV/bin/locust" -f "$HERE/portal_load.py" --headless --host "$HOST" -u "$n" -r "$n" \
		--run-time "$RUN_TIME" --stop-timeout 10 --csv "$OUT/portal_load_${n}users" --only-summary \
		--loglevel WARNING || echo "(locust exited $?: failures are in the table)"
done

{
	echo "Server: $SERVER; site $SITE; $(nproc) cores; run time $RUN_TIME per run."
	echo
	# shellcheck disable=SC2086
	python3 "$HERE/portal_load_report.py" "$OUT/portal_load" $USERS
} | tee "$OUT/portal_load.md"
