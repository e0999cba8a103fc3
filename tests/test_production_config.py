"""tools/production_config.py (bin/setup --production): bench's supervisor and nginx conventions, sized and
wired as the README and docs/production.md say — read from the generated files of a fake bench."""

import configparser
import importlib.util
import json
import re

import pytest
from conftest import ROOT

spec = importlib.util.spec_from_file_location("production_config", ROOT / "tools" / "production_config.py")
production_config = importlib.util.module_from_spec(spec)
spec.loader.exec_module(production_config)


def generate(tmp_path, web_ports="8004", upload_mb=10.0, workers=0):
	bench = tmp_path / "prod-bench"
	(bench / "sites").mkdir(parents=True)
	(bench / "sites" / "common_site_config.json").write_text(
		json.dumps({"socketio_port": 9004, "background_workers": 1, "webserver_port": 8004})
	)
	args = [
		"--bench", str(bench), "--site", "fiber.localhost", "--http-port", "8080", "--web-ports", web_ports,
		"--bench-cmd", f"{bench}/.bench-cli/bin/bench", "--upload-limit-mb", str(upload_mb), "--user", "frappe",
	]  # fmt: skip
	if workers:
		args += ["--workers", str(workers)]
	assert production_config.main(args) == 0
	config = bench / "config"
	supervisor = configparser.ConfigParser(interpolation=None)
	supervisor.read(config / "supervisor.conf")
	return bench, supervisor, (config / "nginx.conf").read_text(), (config / "supervisord.conf").read_text()


@pytest.mark.parametrize(
	"cores, mem_mb, expected",
	[(1, 8192, 3), (2, 8192, 5), (4, 16384, 9), (16, 65536, 16), (8, 2048, 4), (1, 512, 2)],
)
def test_gunicorn_workers_follow_bench_formula_capped_by_memory(cores, mem_mb, expected):
	assert production_config.gunicorn_workers(cores, mem_mb) == expected


def test_one_app_node_has_gunicorn_a_worker_per_queue_the_scheduler_socketio_and_redis(tmp_path):
	bench, sup, _nginx, _supd = generate(tmp_path, workers=5)
	web = sup["program:prod-bench-frappe-web"]["command"]
	assert "-b 127.0.0.1:8004 -w 5 --threads 4 --worker-class gthread" in web
	assert web.endswith("frappe.app:application --preload")
	assert sup["program:prod-bench-frappe-web"]["directory"] == f"{bench}/sites"
	for queue in ("short", "default", "long"):
		assert sup[f"program:prod-bench-frappe-{queue}-worker"]["command"].endswith(
			f"bench worker --queue {queue}"
		)
	assert sup["program:prod-bench-frappe-schedule"]["command"].endswith("bench schedule")
	assert sup["program:prod-bench-node-socketio"]["command"].endswith("apps/frappe/socketio.js")
	for redis in ("cache", "queue"):
		assert sup[f"program:prod-bench-redis-{redis}"]["command"].endswith(f"config/redis_{redis}.conf")
		assert sup[f"program:prod-bench-redis-{redis}"]["priority"] == "1"  # first up, last down
	groups = {s: sup[s]["programs"].split(",") for s in sup.sections() if s.startswith("group:")}
	assert groups["group:prod-bench-web"] == ["prod-bench-frappe-web", "prod-bench-node-socketio"]
	assert "prod-bench-frappe-schedule" in groups["group:prod-bench-workers"]
	assert all(p.startswith("prod-bench-") for programs in groups.values() for p in programs)


def test_two_app_nodes_share_one_scheduler_and_sit_behind_one_upstream(tmp_path):
	_bench, sup, nginx, _supd = generate(tmp_path, web_ports="8004,8104")
	assert "-b 127.0.0.1:8104" in sup["program:prod-bench-frappe-web-node2"]["command"]
	node2 = sup["group:prod-bench-node2"]["programs"].split(",")
	assert node2 == [
		"prod-bench-frappe-web-node2",
		"prod-bench-frappe-short-worker-node2",
		"prod-bench-frappe-default-worker-node2",
		"prod-bench-frappe-long-worker-node2",
	]
	schedulers = [s for s in sup.sections() if s.startswith("program:") and "schedule" in s]
	assert schedulers == ["program:prod-bench-frappe-schedule"]
	upstream = re.search(r"upstream prod-bench-frappe \{(.*?)\}", nginx, re.S).group(1)
	assert re.findall(r"server 127\.0\.0\.1:(\d+)", upstream) == ["8004", "8104"]


def test_nginx_serves_assets_and_files_from_the_bench_and_accepts_the_largest_upload(tmp_path):
	bench, _sup, nginx, _supd = generate(tmp_path, upload_mb=10)
	assert f"root {bench}/sites;" in nginx
	assert "location /assets" in nginx
	assert "try_files /fiber.localhost/public/$uri @webserver;" in nginx
	assert "try_files /fiber.localhost/$1 =404;" in nginx  # private files through X-Accel-Redirect
	assert "proxy_set_header X-Frappe-Site-Name fiber.localhost;" in nginx
	assert "gzip on;" in nginx and "application/javascript" in nginx
	assert "client_max_body_size 50m;" in nginx
	assert "proxy_read_timeout 120;" in nginx
	_bench, _sup, bigger, _supd = generate(tmp_path / "big", upload_mb=80)
	assert "client_max_body_size 89m;" in bigger


def test_the_bench_runs_its_own_supervisord_and_nginx(tmp_path):
	bench, _sup, _nginx, supd = generate(tmp_path)
	assert f"pidfile={bench}/config/pids/supervisord.pid" in supd
	assert f"file={bench}/config/supervisor.sock" in supd
	assert f"directory={bench}" in supd  # bin/setup --stop recognizes it by pid file and working directory
	assert f"files = {bench}/config/supervisor.conf" in supd
	main = (bench / "config" / "nginx-main.conf").read_text()
	assert f"pid {bench}/config/pids/nginx.pid;" in main
	assert f"include {bench}/config/nginx.conf;" in main
