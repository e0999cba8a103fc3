"""Shared harness of the browser tests: a live ``frappe serve`` of the test site and a headless Chromium.

The live server sees only committed data, so the tests using it commit their own records and delete them again.
Without chromium, chromedriver and selenium the tests are skipped with ``SKIP_REASON`` (``bin/setup`` installs
them when it can).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import frappe

try:
	import requests
	from selenium import webdriver
except ImportError:  # pragma: no cover
	webdriver = None

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver")
AVAILABLE = bool(webdriver is not None and CHROMIUM and CHROMEDRIVER)
SKIP_REASON = (
	"needs chromium + chromedriver (apt-get install -y chromium chromium-driver) and selenium in the bench env "
	"(./env/bin/pip install selenium)"
)


def free_port() -> int:
	with contextlib.closing(socket.socket()) as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


def start_server(timeout: int = 90) -> tuple[subprocess.Popen, str]:
	"""A ``frappe serve`` of the current site on a free port; returns the process and its base URL."""
	port = free_port()
	base = f"http://127.0.0.1:{port}"
	server = subprocess.Popen(
		[
			sys.executable,
			"-m",
			"frappe.utils.bench_helper",
			"frappe",
			"--site",
			frappe.local.site,
			"serve",
			"--port",
			str(port),
			"--noreload",
		],
		cwd=frappe.local.sites_path,
		stdout=subprocess.DEVNULL,
		stderr=subprocess.DEVNULL,
		env={**os.environ, "CI": ""},
	)
	deadline = time.time() + timeout
	while time.time() < deadline:
		with contextlib.suppress(Exception):
			if requests.get(base + "/api/method/ping", timeout=5).status_code == 200:
				return server, base
		if server.poll() is not None:
			raise RuntimeError("the test web server exited")
		time.sleep(1)
	server.terminate()
	raise RuntimeError("the test web server did not start")


def start_browser(window_size: str):
	options = webdriver.ChromeOptions()
	options.binary_location = CHROMIUM
	for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={window_size}"):
		options.add_argument(arg)
	options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # read by refused_requests()
	browser = webdriver.Chrome(service=webdriver.ChromeService(CHROMEDRIVER), options=options)
	browser.set_page_load_timeout(120)
	return browser


REFUSED_STATUS = re.compile(r"status of (400|403)\b")


def refused_requests(browser) -> list[str]:
	"""The console's requests answered 403 or 400 (what the portal gate answers) since the last call (the log is
	drained): a page calling something the gate refuses shows up here."""
	try:
		entries = browser.get_log("browser")
	except Exception:  # pragma: no cover - a driver without the log
		return []
	return [e["message"] for e in entries if REFUSED_STATUS.search(e.get("message", ""))]


def stop(browser, server: subprocess.Popen):
	with contextlib.suppress(Exception):
		browser.quit()
	server.terminate()
	with contextlib.suppress(Exception):
		server.wait(timeout=20)
