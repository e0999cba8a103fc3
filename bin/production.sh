# Production mode of bin/setup (sourced by bin/setup --production; uses its say, die, have, apt_install, db).
#
# Follows `bench setup production` (bench/config/production_setup.py, supervisor.py, nginx.py): gunicorn with
# workers sized to the cores, one RQ worker program per queue, the scheduler, socketio and the bench's own Redis
# cache and queue under supervisor; nginx in front. The generated files are bench's (config/supervisor.conf,
# config/nginx.conf, what a real host links into /etc/supervisor/conf.d and /etc/nginx/conf.d); here they run
# under a supervisord and an nginx master of this bench's own (config/supervisord.conf, config/nginx-main.conf,
# pid files in config/pids/), so `bin/setup --stop` stops exactly what was started, and the machine's services
# are left alone. docs/production.md has the topology and the mapping to real hosts and container images.
#
# Environment: FO_HTTP_PORT (nginx's port; default the site's nginx_port, else 80 when free, else the first
# free port from 8080), FO_GUNICORN_WORKERS (default bench's 2 x cores + 1, capped by memory and at 16),
# FO_GUNICORN_THREADS (4), FO_HOST_NAME (the site's public URL, default http://127.0.0.1:<http port>),
# FO_APP_NODES (app nodes on this host, default 1; --nodes N).

fo_port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

fo_site_conf() {  # site, key: a value of the site's site_config.json
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' \
		"$ROOT/sites/$1/site_config.json" "$2" 2>/dev/null
}

production_http_port() {
	local port
	port="${FO_HTTP_PORT:-$(fo_site_conf "$SITE" nginx_port)}"
	if [ -z "$port" ]; then
		if [ "$(id -u)" = 0 ] && ! fo_port_busy 80; then
			port=80
		else
			port=8080
			while fo_port_busy "$port"; do port=$((port + 1)); done
		fi
	fi
	echo "$port"
}

production_web_ports() {  # the gunicorn port of each app node: the bench's webserver_port, then +100, +200...
	local base port i ports
	base="$(fo_conf "$ROOT" webserver_port)"
	ports="$base"
	for i in $(seq 2 "${FO_APP_NODES:-1}"); do
		port=$((base + 100 * (i - 1)))
		while fo_port_busy "$port"; do port=$((port + 1)); done
		ports="$ports,$port"
	done
	echo "$ports"
}

production_upload_limit_mb() {  # the largest upload the site accepts: contract PDFs and Frappe's max_file_size
	local dbname contract frappe_bytes
	dbname="$(fo_site_conf "$SITE" db_name)"
	contract="$(db "SELECT value FROM \`$dbname\`.tabSingles WHERE doctype='Fiber Onboarding Settings' AND field='max_upload_mb'" 2>/dev/null)"
	frappe_bytes="$(fo_site_conf "$SITE" max_file_size)"
	[ -n "$frappe_bytes" ] || frappe_bytes="$(fo_conf "$ROOT" max_file_size)"
	python3 -c 'import sys; print(max(float(sys.argv[1] or 10), float(sys.argv[2] or 10485760) / 1048576))' \
		"${contract:-}" "${frappe_bytes:-}"
}

setup_production() {
	say "production: nginx, supervisor, gunicorn (bench setup production's conventions)"
	[[ "$FO_APP_NODES" =~ ^[1-9]$ ]] || die "--nodes takes a number of app nodes from 1 to 9 (got: $FO_APP_NODES)"
	have nginx || apt_install nginx || die "nginx is required for --production: apt-get install nginx"
	have supervisord || apt_install supervisor || die "supervisor is required for --production: apt-get install supervisor"
	# the processes bin/setup started before (a development bench start or an earlier production run)
	stop_started
	local http_port web_ports workers threads host upload
	http_port="$(production_http_port)"
	fo_port_busy "$http_port" && die "port $http_port is in use (set FO_HTTP_PORT to a free port)"
	web_ports="$(production_web_ports)"
	workers="${FO_GUNICORN_WORKERS:-$(python3 tools/production_config.py --bench . --site x --http-port 0 \
		--web-ports 0 --bench-cmd x --print-workers)}"
	threads="${FO_GUNICORN_THREADS:-4}"
	host="${FO_HOST_NAME:-http://127.0.0.1:$http_port}"
	[ "$http_port" = 80 ] && [ -z "${FO_HOST_NAME:-}" ] && host="http://127.0.0.1"
	upload="$(production_upload_limit_mb)"

	# the bench's settings, where bench's own commands read them
	bench set-config -g -p gunicorn_workers "$workers" >/dev/null
	# production site settings: no developer mode, no tracebacks for users (security/site.py), e-mails and
	# links with the public URL, the scheduler on, backups with files on schedule (setup/backups.py)
	bench --site "$SITE" set-config -p developer_mode 0 >/dev/null
	bench --site "$SITE" set-config host_name "$host" >/dev/null
	bench --site "$SITE" set-config -p nginx_port "$http_port" >/dev/null
	bench --site "$SITE" set-config -p fo_scheduled_backups 1 >/dev/null
	bench --site "$SITE" execute fiber_onboarding.security.site.harden_site >/dev/null || die "harden_site failed"
	bench --site "$SITE" scheduler enable >/dev/null
	bench --site "$SITE" clear-cache >/dev/null

	python3 tools/production_config.py --bench "$ROOT" --site "$SITE" --http-port "$http_port" \
		--web-ports "$web_ports" --workers "$workers" --threads "$threads" --upload-limit-mb "$upload" \
		--user "$(whoami)" --bench-cmd "$ROOT/.bench-cli/bin/bench" --node "$(command -v node)" \
		--redis-server "$(command -v redis-server)" --nginx "$(command -v nginx)" \
		|| die "writing the production configuration failed"
	nginx -t -q -c "$ROOT/config/nginx-main.conf" -e "$ROOT/logs/nginx-error.log" \
		|| die "nginx rejects config/nginx.conf (see above)"
	echo "   upload limit ${upload} MB; site host_name $host"
}

start_production() {
	local http_port
	http_port="$(fo_site_conf "$SITE" nginx_port)"
	fo_redis_down; trap - EXIT   # supervisord runs the bench's Redis servers itself: let these go first
	for _ in $(seq 1 50); do
		fo_port_busy "$(fo_conf "$ROOT" redis_cache --port)" || fo_port_busy "$(fo_conf "$ROOT" redis_queue --port)" || break
		sleep 0.2
	done
	say "starting supervisord (config/supervisord.conf; logs/supervisord.log)"
	supervisord -c "$ROOT/config/supervisord.conf" || die "supervisord did not start (logs/supervisord.log)"
	for _ in $(seq 1 120); do
		curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/login" 2>/dev/null | grep -q 200 && break
		sleep 1
	done
	fo_supervisorctl "$ROOT" status | sed 's/^/   /'
	curl -s -o /dev/null -w '   /login through nginx -> HTTP %{http_code}\n' "http://127.0.0.1:$http_port/login" || true
	cat <<EOF

   Desk:    http://127.0.0.1:$http_port/app          (login: Administrator / $ADMIN_PASSWORD)
   Portal:  http://127.0.0.1:$http_port/ativacoes
   Status:  supervisorctl -c $ROOT/config/supervisord.conf status
   stop with: bin/setup --stop
EOF
}
