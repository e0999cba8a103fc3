"""Integration: what a newcomer meets in the first hour after ``bin/setup``.

- the demo customer logs in with exactly the line ``bin/setup`` prints, and opens ``/ativacoes``;
- the site's clock: every scheduled job of the app is due within its frequency (a site created in another time
  zone and switched afterwards would hold them back for hours), and the correction moves only future times;
- the registration answer carries no framework alert in English;
- Administrator reads the desk in pt-BR after the setup wizard's language step.

The HTTP requests go through Frappe's WSGI application in a thread of their own (their own database connection:
they see committed data only), as Frappe's own API tests do.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from threading import Thread
from unittest.mock import patch

from croniter import croniter

import frappe
from frappe.utils import get_datetime, get_test_client, now_datetime

from fiber_onboarding.setup import demo, demo_site, site_clock
from fiber_onboarding.tests.billing_factory import make_cnpj
from fiber_onboarding.tests.test_portal_isolation import (
	make_approved_proposal,
	registration_form,
	retry_on_lock,
)

try:
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase

FREQUENCY = {
	"All": timedelta(minutes=5),
	"Hourly": timedelta(hours=1),
	"Hourly Long": timedelta(hours=1),
	"Daily": timedelta(days=1),
	"Daily Long": timedelta(days=1),
	"Weekly": timedelta(days=7),
	"Weekly Long": timedelta(days=7),
	"Monthly": timedelta(days=31),
	"Monthly Long": timedelta(days=31),
}


def _period(job, now):
	"""How often a Scheduled Job Type runs (a cron job: the time between two of its runs after ``now``)."""
	if job.frequency == "Cron":
		runs = croniter(job.cron_format, now)
		first = runs.get_next(datetime)
		return runs.get_next(datetime) - first
	return FREQUENCY[job.frequency]


def http(steps):
	"""Run ``steps(client)`` against the WSGI app in another thread (one cookie jar); returns what it returns."""
	site, out = frappe.local.site, {}

	def run():
		with patch("frappe.app.get_site_name", return_value=site):
			out["value"] = steps(get_test_client())

	thread = Thread(target=run)
	thread.start()
	thread.join()
	return out.get("value")


class TestFirstHour(TestCase):
	def tearDown(self):
		frappe.set_user("Administrator")

	def test_demo_customer_logs_in_with_the_printed_credentials(self):
		demo.ensure_portal_user()
		frappe.db.commit()  # the request thread has its own connection
		user, password = demo_site.printed_credentials().split(" / ")
		self.assertEqual(frappe.db.get_value("User", user, "enabled"), 1)

		def steps(client):
			login = client.post("/api/method/login", data={"usr": user, "pwd": password})
			page = client.get("/ativacoes")
			return (
				login.status_code,
				login.get_data(as_text=True),
				page.status_code,
				page.get_data(as_text=True),
			)

		login_status, login_body, page_status, page = http(steps)
		self.assertEqual(login_status, 200, login_body)
		self.assertEqual(page_status, 200)
		self.assertIn("Minhas ativações", page)
		self.assertNotIn('id="login_email"', page)  # the page itself, not the login form

	def test_a_disabled_demo_customer_is_enabled_again(self):
		demo.ensure_portal_user()
		frappe.db.set_value("User", demo.PORTAL_USER, "enabled", 0)
		demo.ensure_portal_user()
		self.assertEqual(frappe.db.get_value("User", demo.PORTAL_USER, "enabled"), 1)

	def test_every_app_job_is_due_within_its_frequency(self):
		now = now_datetime()
		jobs = frappe.get_all(
			"Scheduled Job Type",
			filters={"method": ("like", "fiber_onboarding.%"), "stopped": 0},
			pluck="name",
		)
		hooks = frappe.get_hooks("scheduler_events", app_name="fiber_onboarding")
		expected = {m for event, methods in hooks.items() if event != "cron" for m in methods}
		expected |= {
			m for methods in hooks.get("cron", {}).values() for m in methods
		}  # cron: {format: [...]}
		self.assertEqual({frappe.db.get_value("Scheduled Job Type", j, "method") for j in jobs}, expected)
		for name in jobs:
			job = frappe.get_doc("Scheduled Job Type", name)
			self.assertLessEqual(get_datetime(job.creation), now, f"{job.method} created in the future")
			self.assertLessEqual(
				job.get_next_execution(), now + _period(job, now), f"{job.method} not due in time"
			)

	def test_clock_correction_moves_future_timestamps_only(self):
		now = now_datetime()
		ahead = frappe.get_doc({"doctype": "ToDo", "description": "escrito no fuso antigo"}).insert()
		past = frappe.get_doc({"doctype": "ToDo", "description": "escrito antes"}).insert()
		offset = timedelta(hours=8, minutes=30)
		frappe.db.set_value("ToDo", ahead.name, "creation", now + offset, update_modified=False)
		frappe.db.set_value("ToDo", past.name, "creation", now - timedelta(hours=2), update_modified=False)
		self.assertGreater(site_clock.shift_future_timestamps(offset), 0)
		moved = get_datetime(frappe.db.get_value("ToDo", ahead.name, "creation"))
		self.assertLess(abs((moved - now).total_seconds()), 2)
		kept = get_datetime(frappe.db.get_value("ToDo", past.name, "creation"))
		self.assertEqual(kept, now - timedelta(hours=2))
		self.assertEqual(site_clock.shift_future_timestamps(timedelta(0)), 0)

	def test_zone_offset_is_the_wall_clock_difference(self):
		from datetime import datetime
		from zoneinfo import ZoneInfo

		instant = datetime(2026, 12, 6, 12, 0, tzinfo=ZoneInfo("UTC"))
		self.assertEqual(
			site_clock.zone_offset("Asia/Kolkata", "America/Sao_Paulo", instant),
			timedelta(hours=8, minutes=30),
		)
		self.assertEqual(
			site_clock.zone_offset("America/Sao_Paulo", "America/Sao_Paulo", instant), timedelta(0)
		)

	def test_registration_answer_has_no_framework_alert(self):
		from fiber_onboarding.api import portal

		cnpj = make_cnpj()
		form = registration_form(retry_on_lock(lambda: make_approved_proposal(cnpj)), cnpj)
		frappe.clear_messages()
		frappe.set_user("Guest")
		try:
			result = portal.register_customer(form)
		finally:
			frappe.set_user("Administrator")
		self.assertTrue(result["ok"], result)
		self.assertEqual(frappe.local.message_log, [], "framework alerts would reach the customer")

	def test_setup_language_is_pt_br_for_administrator(self):
		from fiber_onboarding.setup.company import SITE_LANGUAGE, use_site_language

		before = (
			frappe.db.get_value("User", "Administrator", "language"),
			frappe.db.get_single_value("System Settings", "language"),
			frappe.db.get_default("lang"),
		)
		try:
			use_site_language()
			self.assertEqual(SITE_LANGUAGE, "pt-BR")
			self.assertEqual(frappe.db.get_value("User", "Administrator", "language"), "pt-BR")
			self.assertEqual(frappe.db.get_single_value("System Settings", "language"), "pt-BR")
		finally:  # other tests read the site's own language
			frappe.db.set_value("User", "Administrator", "language", before[0])
			frappe.db.set_single_value("System Settings", "language", before[1])
			frappe.db.set_default("lang", before[2])
