"""The field desk forms in a real browser (headless Chromium + Selenium) against a live server of the test site.

A circuit in its test phase with one reading outside the window: the Circuit form shows the readings coloured
(green pill Pass, red pill Fail), says the activation is blocked, and its "Early Close" button (Process menu)
activates the circuit through the API once the reading is fixed. The Fiber Project form shows its step buttons.

The live server sees only committed data, so the records are committed and deleted again at the end. Skipped
without chromium/chromedriver/selenium.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import unittest
from urllib.parse import unquote

import frappe

from fiber_onboarding.tests.test_field_flow import approved_project, testing_circuit

try:
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase

from fiber_onboarding.tests.browser import AVAILABLE, SKIP_REASON, start_browser, start_server, stop

try:
	import requests
	from selenium.webdriver.common.by import By
except ImportError:  # pragma: no cover
	pass
PASSWORD = "Campo-Teste-2026!"


@unittest.skipUnless(AVAILABLE, SKIP_REASON)
class TestFieldDeskBrowser(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.cases: list[str] = []
		cls.server, cls.base = start_server()
		cls.browser = start_browser("1400,1000")

	@classmethod
	def tearDownClass(cls):
		stop(cls.browser, cls.server)
		cls._cleanup()
		super().tearDownClass()

	def _until(self, check, timeout=90, message=""):
		deadline = time.time() + timeout
		last = None
		while time.time() < deadline:
			with contextlib.suppress(Exception):
				last = check()
				if last:
					return last
			time.sleep(0.5)
		self.fail(message or f"timed out; last value {last!r}")

	def _headline(self) -> str:
		"""The form's message area (``frm.dashboard.set_headline_alert``)."""
		return self.browser.execute_script(
			"return Array.from(document.querySelectorAll('.form-message'))"
			".map(e => e.innerText).join('\\n').trim()"
		)

	def _login_as(self, user: str):
		b = self.browser
		b.delete_all_cookies()
		b.get(self.base + "/login")
		self._until(lambda: b.find_element(By.ID, "login_email"))
		b.find_element(By.ID, "login_email").send_keys(user)
		b.find_element(By.ID, "login_password").send_keys(PASSWORD)
		b.find_element(By.CSS_SELECTOR, ".btn-login").click()
		self._until(lambda: "/app" in b.current_url, message="login failed")

	def _staff_user(self) -> str:
		email = "fo-field-desk@example.com"
		if not frappe.db.exists("User", email):
			frappe.get_doc(
				{
					"doctype": "User",
					"email": email,
					"first_name": "Ativação",
					"send_welcome_email": 0,
					"language": "en",
				}
			).insert(ignore_permissions=True)
		user = frappe.get_doc("User", email)
		user.db_set("language", "en")
		user.add_roles("Fiber Activation", "Fiber Projects", "Fiber Onboarding Manager")
		from frappe.utils.password import update_password

		update_password(email, PASSWORD)
		return email

	def test_circuit_and_project_forms(self):
		case, project, circuit = testing_circuit(readings=(("OLT", -12), ("Cliente", -27.5)))
		self.cases.append(case.name)
		case2, project2 = approved_project()
		self.cases.append(case2.name)
		user = self._staff_user()
		frappe.db.commit()  # nosemgrep: the live server reads only committed data

		self._login_as(user)
		b = self.browser
		b.get(f"{self.base}/app/circuit/{circuit.name}")
		pills = self._until(
			lambda: len(b.find_elements(By.CSS_SELECTOR, "[data-fieldname='readings'] .indicator-pill")) >= 2
			and b.find_elements(By.CSS_SELECTOR, "[data-fieldname='readings'] .indicator-pill"),
			message="the readings grid shows no Pass/Fail pills",
		)
		colours = sorted(p.get_attribute("class").split()[-1] for p in pills)
		self.assertEqual(colours, ["green", "red"])
		headline = self._until(self._headline)
		self.assertIn("Cliente", headline)  # the failing reading blocks the activation
		process = b.find_element(By.CSS_SELECTOR, ".inner-group-button[data-label='Process']")
		labels = [
			unquote(a.get_attribute("data-label") or "") for a in process.find_elements(By.CSS_SELECTOR, "a")
		]
		self.assertIn("Activate", labels)
		self.assertIn("Early Close", labels)

		# fix the reading (re-measured), then close the test phase early from the form
		frappe.db.rollback()
		doc = frappe.get_doc("Circuit", circuit.name)
		doc.readings[1].power_dbm = -19.0
		doc.save(ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: the live server reads only committed data
		b.get(f"{self.base}/app/circuit/{circuit.name}")
		self._until(lambda: "Cliente" not in self._headline() and self._headline())
		process = b.find_element(By.CSS_SELECTOR, ".inner-group-button[data-label='Process']")
		process.find_element(By.CSS_SELECTOR, "button").click()
		self._until(lambda: process.find_element(By.CSS_SELECTOR, "a[data-label='Early%20Close']")).click()
		reason = self._until(
			lambda: b.find_element(By.CSS_SELECTOR, ".modal.show [data-fieldname='reason'] textarea")
		)
		reason.send_keys("Cliente validou o serviço e pediu a ativação imediata")
		b.find_element(By.CSS_SELECTOR, ".modal.show .btn-primary").click()

		def active():
			frappe.db.rollback()
			return frappe.db.get_value("Circuit", circuit.name, "workflow_state") == "Active"

		self._until(active, message="the Early Close button did not activate the circuit")
		self.assertEqual(
			frappe.db.get_value("Circuit", circuit.name, "early_close_reason"),
			"Cliente validou o serviço e pediu a ativação imediata",
		)

		b.get(f"{self.base}/app/fiber-project/{project2.name}")
		process = self._until(
			lambda: b.find_element(By.CSS_SELECTOR, ".inner-group-button[data-label='Process']"),
			message="no Process menu on the project form",
		)
		labels = {
			unquote(a.get_attribute("data-label") or "") for a in process.find_elements(By.CSS_SELECTOR, "a")
		}
		self.assertTrue({"Register Internal Passage", "Schedule Internal Survey"} <= labels, labels)
		headline = self._until(self._headline)
		self.assertIn("Next step: Register Internal Passage", headline)
		self.assertIn("Schedule the internal survey", headline)

		# the workflow's own Actions menu runs the same step (a dialog), never the bare state change
		b.find_element(By.CSS_SELECTOR, ".actions-btn-group > button").click()
		item = self._until(
			lambda: next(
				a
				for a in b.find_elements(By.CSS_SELECTOR, ".actions-btn-group .dropdown-item")
				if a.text.strip() == "Register Internal Passage"
			),
			message="no workflow action Register Internal Passage",
		)
		item.click()
		self._until(
			lambda: b.find_element(By.CSS_SELECTOR, ".modal.show [data-fieldname='passage_date']"),
			message="the workflow action did not open the step's dialog",
		)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Fiber Project", project2.name, "workflow_state"), "Approved")

	@classmethod
	def _cleanup(cls):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		for case in cls.cases:
			for doctype in ("Site Visit", "Fiber Project", "Circuit", "Fiber Contract"):
				for name in frappe.get_all(doctype, filters={"onboarding": case}, pluck="name"):
					with contextlib.suppress(Exception):
						frappe.delete_doc(
							doctype, name, force=True, ignore_permissions=True, delete_permanently=True
						)
			proposal = frappe.db.get_value("Fiber Onboarding", case, "proposal")
			customer = frappe.db.get_value("Fiber Onboarding", case, "customer")
			for doctype, name in (
				("Fiber Onboarding", case),
				("Fiber Proposal", proposal),
				("Customer", customer),
			):
				with contextlib.suppress(Exception):
					frappe.delete_doc(
						doctype, name, force=True, ignore_permissions=True, delete_permanently=True
					)
		frappe.db.commit()  # nosemgrep: removes what this test committed for the live server
