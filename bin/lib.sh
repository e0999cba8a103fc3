# Shared by bin/setup and bin/test (sourced, bash): where a bench's CLI lives, its ports and its own Redis.
#
# A bench made by bin/setup keeps everything of its own, as benches made by `bench init` do: the bench CLI in
# .bench-cli/, its ports in sites/common_site_config.json (webserver, socketio, Redis cache and queue, picked
# beside the benches in the same parent folder), its Redis servers' configs in config/ and their pid files in
# config/pids/. Nothing here stops a process it did not start.

# The bench CLI of the bench in $1 (bin/setup installs it in .bench-cli/); a bench set up by other means may
# have it on PATH.
fo_bench_cli() {
	if [ -x "$1/.bench-cli/bin/bench" ]; then
		echo "$1/.bench-cli/bin/bench"
	elif command -v bench >/dev/null 2>&1; then
		command -v bench
	else
		return 1
	fi
}

# A value of the bench's sites/common_site_config.json ($1 bench, $2 key); ports of Redis URLs with --port.
fo_conf() {
	python3 - "$1/sites/common_site_config.json" "$2" "${3:-}" <<'PY'
import json, sys
from urllib.parse import urlparse
try:
	value = json.load(open(sys.argv[1])).get(sys.argv[2], "")
except (OSError, ValueError):
	value = ""
if sys.argv[3] == "--port" and value:
	value = urlparse(value).port or ""
print(value)
PY
}

fo_redis_ping() { redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG; }

# Start the bench's own Redis servers (cache, queue) that are not answering; remember which were started here.
FO_STARTED_REDIS=()
fo_redis_up() {
	local dir="$1" name port
	for name in redis_cache redis_queue; do
		port="$(fo_conf "$dir" "$name" --port)"
		[ -n "$port" ] || { echo "no $name port in $dir/sites/common_site_config.json (run bin/setup)" >&2; return 1; }
		fo_redis_ping "$port" && continue
		[ -f "$dir/config/$name.conf" ] || { echo "missing $dir/config/$name.conf (run bin/setup)" >&2; return 1; }
		mkdir -p "$dir/config/pids"
		(cd "$dir" && redis-server "config/$name.conf" --daemonize yes >/dev/null) || return 1
		for _ in $(seq 1 50); do fo_redis_ping "$port" && break; sleep 0.1; done
		fo_redis_ping "$port" || { echo "the bench's $name did not start on port $port" >&2; return 1; }
		FO_STARTED_REDIS+=("$dir/config/pids/$name.pid")
	done
}

# Stop the Redis servers that fo_redis_up started (by the pid each one wrote), nothing else.
fo_redis_down() {
	local pidfile pid
	for pidfile in "${FO_STARTED_REDIS[@]}"; do
		pid="$(cat "$pidfile" 2>/dev/null)" || continue
		[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	done
	FO_STARTED_REDIS=()
}

# Production (bin/setup --production): the supervisord of the bench in $1, by the pid file it wrote, if it still
# runs from that bench (a recycled pid is not ours).
fo_supervisord_pid() {
	local pid
	pid="$(cat "$1/config/pids/supervisord.pid" 2>/dev/null)" || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$1" ] || return 1
	echo "$pid"
}

# supervisorctl of that supervisord (its own socket in config/): `fo_supervisorctl BENCH status`
fo_supervisorctl() {
	local dir="$1"; shift
	supervisorctl -c "$dir/config/supervisord.conf" "$@"
}
