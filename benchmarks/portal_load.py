"""Load benchmark of the portal and the staff list, side by side with Frappe's stock ``/me`` page (locust).

Run by ``benchmarks/run_portal_load.sh`` (headless, loopback only, bounded in time and in requests); not part of
the app, not imported by any test. Every simulated user holds three sessions against the same server and picks
one of the scenarios below at random each time, so every scenario runs in every run (also with one user) under
the same load as the stock page it is compared with:

- ``/me`` (Frappe's stock portal page, the yardstick), ``/ativacoes``, ``/ativacoes/<case>``, ``/boleto``,
  ``/projeto/aprovar``, ``/contrato/enviar`` — as the demo customer (logged in);
- ``/cadastro`` (GET, as a visitor) and the registration itself (POST ``api.portal.register`` with a proposal
  prepared for it): at most as many POSTs as there are prepared proposals (the gate lets one address register
  5 times in 10 minutes; ``portal_load_site.py`` prepares that many);
- the staff list view (``frappe.desk.reportview.get`` of Fiber Onboarding, the desk's list request) as a staff
  user made for the benchmark.

Environment: ``FO_LOAD_FIXTURE`` (the JSON ``portal_load_site.py`` wrote), ``FO_LOAD_MAX_REQUESTS`` (stop after
that many requests, default 20000). The host must be ``http://127.0.0.1:<port>``; anything else stops the run.
"""

from __future__ import annotations

import json
import os
import random
import threading
from urllib.parse import urlencode, urlsplit

from locust import HttpUser, between, events, task
from locust.clients import HttpSession

LOOPBACK = "127.0.0.1"
with open(os.environ["FO_LOAD_FIXTURE"], encoding="utf-8") as _fh:
	FIXTURE = json.load(_fh)
MAX_REQUESTS = int(os.environ.get("FO_LOAD_MAX_REQUESTS", "20000"))
STAFF_LIST_QUERY = urlencode(
	{
		"doctype": "Fiber Onboarding",
		"fields": json.dumps(
			[
				"`tabFiber Onboarding`.`name`",
				"`tabFiber Onboarding`.`company_name`",
				"`tabFiber Onboarding`.`stage`",
				"`tabFiber Onboarding`.`sla_due`",
				"`tabFiber Onboarding`.`sla_status`",
				"`tabFiber Onboarding`.`modified`",
			]
		),
		"filters": "[]",
		"order_by": "`tabFiber Onboarding`.`modified` desc",
		"start": 0,
		"page_length": 20,
		"view": "List",
		"group_by": "",
		"with_comment_count": 1,
	}
)

_lock = threading.Lock()
_sent = {"requests": 0}
_registrations = list(FIXTURE["registrations"])


def is_loopback(host: str | None) -> bool:
	parts = urlsplit(host or "")
	return parts.scheme == "http" and parts.hostname == LOOPBACK


@events.init.add_listener
def _refuse_other_hosts(environment, **_kwargs):
	if not is_loopback(environment.host):
		raise SystemExit(
			f"portal_load: only http://{LOOPBACK}:<port> may be benchmarked, not {environment.host!r}"
		)


_environment: dict = {}


@events.test_start.add_listener
def _remember_environment(environment, **_kwargs):
	_environment["env"] = environment


@events.request.add_listener
def _bound_requests(**_kwargs):
	"""Stop the run once MAX_REQUESTS requests were sent (the run time bounds it too)."""
	from locust.runners import STATE_STOPPED, STATE_STOPPING

	with _lock:
		_sent["requests"] += 1
		reached = _sent["requests"] >= MAX_REQUESTS
	env = _environment.get("env")
	runner = env.runner if env is not None else None
	if reached and runner is not None and runner.state not in (STATE_STOPPING, STATE_STOPPED):
		runner.quit()


def _next_registration() -> dict | None:
	with _lock:
		return _registrations.pop() if _registrations else None


class PortalVisitor(HttpUser):
	"""One person of the load: a customer session, a staff session and a visitor session."""

	wait_time = between(0.1, 0.3)

	def on_start(self):
		if not is_loopback(self.host):
			raise SystemExit("portal_load: loopback only")
		self.staff = HttpSession(base_url=self.host, request_event=self.environment.events.request, user=self)
		self.visitor = HttpSession(
			base_url=self.host, request_event=self.environment.events.request, user=self
		)
		for session in (self.client, self.staff, self.visitor):
			# the site, named as bench's nginx names it to gunicorn (which serves by this header or the Host)
			session.headers["X-Frappe-Site-Name"] = FIXTURE["site"]
		self._login(self.client, FIXTURE["customer"])
		self._login(self.staff, FIXTURE["staff"])

	def _login(self, session, who: dict):
		with session.post(
			"/api/method/login",
			data={"usr": who["user"], "pwd": who["password"]},
			name="(login)",
			catch_response=True,
		) as response:
			if response.status_code != 200:
				response.failure(
					f"login of {who['user']} answered {response.status_code}: {response.text[:200]}"
				)
				raise SystemExit(
					f"portal_load: cannot log in as {who['user']}: HTTP {response.status_code} {response.text[:200]}"
				)

	def _page(self, session, url: str, name: str, expect: str | None = None):
		with session.get(url, name=name, catch_response=True, allow_redirects=False) as response:
			if response.status_code != 200:
				response.failure(f"{name}: HTTP {response.status_code}")
			elif expect and expect not in response.text:
				response.failure(f"{name}: the page does not show {expect!r}")

	@task
	def stock_me(self):
		self._page(self.client, "/me", "/me (Frappe stock)")

	@task
	def case_list(self):
		self._page(self.client, "/ativacoes", "/ativacoes", FIXTURE["case"])

	@task
	def case_page(self):
		self._page(self.client, f"/ativacoes/{FIXTURE['case']}", "/ativacoes/<case>", FIXTURE["case"])

	@task
	def boleto(self):
		self._page(
			self.client, "/boleto?" + urlencode({"name": FIXTURE["boleto"]}), "/boleto", FIXTURE["boleto"]
		)

	@task
	def project_approval(self):
		url = "/projeto/aprovar?" + urlencode({"project": FIXTURE["project"]})
		self._page(self.client, url, "/projeto/aprovar", FIXTURE["project"])

	@task
	def contract_upload(self):
		url = "/contrato/enviar?" + urlencode({"contract": FIXTURE["contract"]})
		self._page(self.client, url, "/contrato/enviar", FIXTURE["contract"])

	@task
	def registration(self):
		"""The visitor's form; while prepared proposals remain, its POST with the next one."""
		self._page(self.visitor, "/cadastro", "/cadastro (GET)")
		form = _next_registration()
		if form is None:
			return
		self.visitor.cookies.clear()  # a registration logs the new user in: the next one is a visitor again
		with self.visitor.post(
			"/api/method/fiber_onboarding.api.portal.register",
			data=form,
			name="/cadastro (POST register)",
			catch_response=True,
		) as response:
			ok = response.status_code == 200 and response.json().get("message", {}).get("ok")
			if not ok:
				response.failure(f"registration answered {response.status_code}: {response.text[:200]}")
		self.visitor.cookies.clear()

	@task
	def staff_list(self):
		self._page(
			self.staff,
			"/api/method/frappe.desk.reportview.get?" + STAFF_LIST_QUERY,
			"staff list (reportview.get)",
			"keys",
		)
