"""End to end in a real browser (headless Chromium driven by Selenium) against a live server of the test site.

Customer A registers on /cadastro and lands on the boleto; the bank's return (CNAB 240 retorno for that boleto)
pays it; A uploads the signed contract PDF on /contrato/enviar; the project is e-mailed and A approves it through
the e-mail's signed link, choosing the execution date; the case page's timeline shows every step. Customer B,
logged in, then tries A's pages, downloads, actions, REST resources and private file URLs: every answer is 403/404
(or a list without A's records).

The live server (``frappe serve`` on a free port, a subprocess) only sees committed data, so this test commits
what it creates and deletes it again at the end (``_cleanup``).

Needs ``chromium`` + ``chromedriver`` (Debian: ``apt-get install -y chromium chromium-driver``) and the Python
``selenium`` package in the bench env (``./env/bin/pip install selenium``); skipped with that reason otherwise.
"""

from __future__ import annotations

import contextlib
import email
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from urllib.parse import unquote

import frappe
from frappe.utils import add_days, getdate, now_datetime, nowdate

from fiber_onboarding.tests.billing_factory import build_retorno, make_cnpj, retorno_item
from fiber_onboarding.tests.test_portal_isolation import make_approved_proposal, registration_form

try:
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase

from fiber_onboarding.tests.browser import (
	AVAILABLE,
	SKIP_REASON,
	refused_requests,
	start_browser,
	start_server,
	stop,
)

try:
	import requests
	from selenium.webdriver.common.by import By
	from selenium.webdriver.support import expected_conditions as EC
	from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # pragma: no cover
	pass
CASE = "Fiber Onboarding"
PASSWORD_B = "Portal-Teste-2026!"
RATE_LIMIT_KEY = "rl:fiber_onboarding.api.portal.register:127.0.0.1"
RESET_LIMIT_KEY = "rl:frappe.core.doctype.user.user.reset_password:127.0.0.1"
RESET_ANSWERS = (
	"Se este e-mail tiver uma conta, enviamos para ele as instruções para escolher uma nova senha.",
	"If this e-mail has an account, we sent it the instructions to choose a new password.",
)


@unittest.skipUnless(AVAILABLE, SKIP_REASON)
class TestPortalBrowser(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.created: dict[str, list[str]] = {}
		cls.server, cls.base = start_server()
		cls.browser = start_browser("412,915")  # a phone-sized window
		cls.wait = WebDriverWait(cls.browser, 90)
		cls.tmp = tempfile.mkdtemp(prefix="fo-portal-")

	@classmethod
	def tearDownClass(cls):
		stop(cls.browser, cls.server)
		shutil.rmtree(cls.tmp, ignore_errors=True)
		cls._cleanup()
		super().tearDownClass()

	# -----------------------------------------------------------------------------------------------------------
	# Helpers
	# -----------------------------------------------------------------------------------------------------------
	@classmethod
	def _remember(cls, doctype: str, name: str | None):
		if name:
			cls.created.setdefault(doctype, []).append(name)

	@staticmethod
	def _fresh():
		"""See what the server committed (end this process's snapshot)."""
		frappe.db.commit()  # nosemgrep: the live server reads only committed data

	def _open(self, path: str):
		self.browser.get(self.base + path)

	def _wait_for_message(self, element_id: str, good: tuple, bad: tuple):
		def outcome(browser):
			element = browser.find_element(By.ID, element_id)
			css = element.get_attribute("class") or ""
			if any(c in css for c in good + bad):
				return css, element.text
			return False

		css, text = self.wait.until(outcome)
		self.assertTrue(any(c in css for c in good), f"{element_id}: {text}")
		return text

	def _mark_page(self):
		self.browser.execute_script("window.foPageBeforeReload = true;")

	def _wait_for_reload(self):
		"""Wait until the page marked by ``_mark_page`` has been replaced by its reload (no fixed delay)."""

		def reloaded(browser):
			try:
				return browser.execute_script(
					"return window.foPageBeforeReload === undefined && document.readyState === 'complete';"
				)
			except Exception:  # the old document is going away
				return False

		self.wait.until(reloaded)

	def _element(self, element_id: str):
		"""The element, or a failure showing what the page says instead."""
		try:
			return self.wait.until(EC.presence_of_element_located((By.ID, element_id)))
		except Exception:
			text = self.browser.find_element(By.TAG_NAME, "body").text
			self.fail(f"{self.browser.current_url}: no #{element_id}; the page says: {text[:1500]}")

	@staticmethod
	def _reset_rate_limit():
		"""The registration endpoint allows 5 POSTs per 10 minutes per IP: each registration of this test starts
		from a clean counter (the limit itself is checked at the end)."""
		frappe.cache.delete_value(RATE_LIMIT_KEY)

	@staticmethod
	def _form_error(browser) -> str:
		try:
			for element in browser.find_elements(By.ID, "fo-form-message"):
				if "fo-danger" in (element.get_attribute("class") or ""):
					return element.text or "error"
		except Exception:
			return ""
		return ""

	def _register_in_browser(self, form: dict, attempts: int = 4) -> str:
		"""Fill and send /cadastro. A server error (a lock held by another engineer's test run on the shared
		site) is retried; a refusal by the application fails at once."""
		for attempt in range(attempts):
			self._reset_rate_limit()
			self._open("/cadastro?" + "proposta=" + form["proposal_number"])
			self.assertIn('<label for="fo-cnpj">', self.browser.page_source)
			for field, value in form.items():
				if field == "proposal_number":
					continue
				element = self.browser.find_element(By.ID, f"fo-{field}")
				if element.tag_name == "select":
					Select(element).select_by_value(value)
				else:
					element.clear()
					element.send_keys(value)
			self.browser.find_element(By.ID, "fo-submit").click()
			self.wait.until(lambda b: "/boleto?name=" in b.current_url or self._form_error(b))
			if "/boleto?name=" in self.browser.current_url:
				return unquote(self.browser.current_url.split("name=")[1])
			error = self._form_error(self.browser)
			field_errors = [
				e.text for e in self.browser.find_elements(By.CSS_SELECTOR, ".fo-error") if e.text
			]
			self.assertFalse(field_errors, error)
			if attempt < attempts - 1:
				time.sleep(10)
		self.fail(f"registration failed: {error}")

	@staticmethod
	def _mail_html(reference_doctype: str, reference_name: str) -> str:
		messages = frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": reference_doctype, "reference_name": reference_name},
			pluck="message",
		)
		return "".join(
			part.get_payload(decode=True).decode("utf-8")
			for message in messages
			for part in email.message_from_string(message).walk()
			if part.get_content_type() == "text/html"
		)

	def _set_password_from_invitation(self, case, password: str):
		"""The invitation e-mail's link opens Frappe's /update-password (test_password_strength, update_password)."""
		keys = re.findall(r"/update-password\?key=([0-9A-Za-z]+)", self._mail_html(CASE, case.name))
		self.assertTrue(keys, "the invitation carries the set-password link")
		# opened as soon as it arrives (Frappe's reset links expire: System Settings reset_password_link_expiry)
		frappe.db.set_value("User", case.portal_user, "last_reset_password_key_generated_on", now_datetime())
		self._fresh()
		self.browser.delete_all_cookies()
		self._open("/update-password?key=" + keys[0])
		self._element("new_password").send_keys(password)
		self.browser.find_element(By.ID, "confirm_password").send_keys(password)
		self.wait.until(lambda b: b.find_element(By.ID, "update").is_enabled())
		self.browser.find_element(By.ID, "update").click()
		self.wait.until(lambda b: "/update-password" not in b.current_url)  # set, logged in and sent on
		self._fresh()

	def _forgot_password(self, user: str):
		"""/login#forgot answers the same for the customer's e-mail and for an e-mail nobody has."""
		frappe.cache.delete_value(RESET_LIMIT_KEY)  # Frappe allows 3 per hour and IP
		shown = []
		for address in (f"naoexiste.{user}", user):
			self._open("/login")
			self.browser.execute_script("window.location.hash = '#forgot';")
			field = self._element("forgot_email")
			self.wait.until(lambda b, f=field: f.is_displayed())
			field.clear()
			field.send_keys(address)
			self.browser.find_element(By.CSS_SELECTOR, ".btn-forgot").click()
			self.wait.until(lambda b: any(text in b.page_source for text in RESET_ANSWERS))
			shown.append(next(text for text in RESET_ANSWERS if text in self.browser.page_source))
		frappe.cache.delete_value(RESET_LIMIT_KEY)
		self.assertEqual(shown[0], shown[1])

	def _log_in_on_the_login_page(self, user: str, password: str):
		self._open("/login")
		self._element("login_email").send_keys(user)
		self.browser.find_element(By.ID, "login_password").send_keys(password)
		self.browser.find_element(By.CSS_SELECTOR, "form.form-login button[type=submit]").click()
		self.wait.until(lambda b: "/login" not in b.current_url)

	def _session_of(self, user: str, password: str) -> tuple[requests.Session, str]:
		s = requests.Session()
		r = s.post(self.base + "/api/method/login", data={"usr": user, "pwd": password}, timeout=60)
		self.assertEqual(r.status_code, 200, r.text)
		page = s.get(self.base + "/ativacoes", timeout=60).text
		csrf = re.search(r'csrf: "([0-9a-f]*)"', page).group(1)
		return s, csrf

	# -----------------------------------------------------------------------------------------------------------
	# The test
	# -----------------------------------------------------------------------------------------------------------
	def test_registration_to_approval_and_isolation(self):
		cnpj_a, cnpj_b = make_cnpj(), make_cnpj()
		proposal_a, proposal_b = make_approved_proposal(cnpj_a), make_approved_proposal(cnpj_b)
		self._remember("Fiber Proposal", proposal_a)
		self._remember("Fiber Proposal", proposal_b)
		form_a = registration_form(proposal_a, cnpj_a)
		form_b = registration_form(proposal_b, cnpj_b)
		self._fresh()

		# 1. registration → boleto page (logged in as the new portal user)
		boleto_name = self._register_in_browser(form_a)
		self.assertIn("bol-digitable-line", self.browser.page_source)
		self._fresh()
		case_a = frappe.get_doc(CASE, frappe.db.get_value(CASE, {"proposal": proposal_a}))
		self._remember_case(case_a)
		self.assertEqual(case_a.boleto, boleto_name)
		self.assertEqual(case_a.portal_user, form_a["legal_email"])
		boleto = frappe.get_doc("Fiber Boleto", boleto_name)
		self.assertIn(boleto.digitable_line, self.browser.page_source)

		# 2. the bank's return pays the boleto (registered + liquidated), paid three days ago
		paid_on = add_days(nowdate(), -3)
		sequence = int(frappe.db.sql("select max(file_sequence) from `tabCNAB Retorno`")[0][0] or 0) + 1
		text = build_retorno(
			[
				retorno_item(boleto.retorno_key, "02", str(boleto.amount)),
				retorno_item(
					boleto.retorno_key,
					"06",
					str(boleto.amount),
					str(boleto.amount),
					paid_on,
					paid_on,
					boleto.due_date,
				),
			],
			sequence,
		)
		from fiber_onboarding.fiber_billing.boleto_service import import_retorno

		retorno = import_retorno(text.encode("ascii"), f"retorno-portal-{sequence}-{boleto.name}.ret")
		self._remember("CNAB Retorno", retorno.name)
		self.assertEqual(retorno.status, "Processed", retorno.error_message)
		self.assertEqual(frappe.db.get_value("Fiber Boleto", boleto.name, "status"), "Paid")
		self._fresh()

		# 3. the signed contract uploaded on the portal (from the case page's link)
		from fiber_onboarding.fiber_contracts.contract_service import issued_pdf_content
		from fiber_onboarding.tests.contract_factory import make_pki, sign_pdf

		contract = frappe.get_doc("Fiber Contract", case_a.contract)
		signed = sign_pdf(issued_pdf_content(contract), make_pki())
		pdf_path = os.path.join(self.tmp, "contrato-assinado.pdf")
		with open(pdf_path, "wb") as f:
			f.write(signed)
		self._open(f"/ativacoes/{case_a.name}")
		self.browser.find_element(
			By.CSS_SELECTOR, f'a[href="/contrato/enviar?contract={contract.name}"]'
		).click()
		self._element("fo-file").send_keys(pdf_path)
		self._mark_page()
		self.browser.find_element(By.ID, "fo-submit").click()
		self._wait_for_message("fo-message", ("alert-success",), ("alert-danger", "alert-warning"))
		self._wait_for_reload()  # the page reloads itself after the upload: the next step must not race with it
		self._fresh()
		self.assertEqual(
			frappe.db.get_value("Fiber Contract", contract.name, "workflow_state"), "Signed Uploaded"
		)

		# 4. the project is drawn and e-mailed; the technical contact approves it through the e-mail's link
		from fiber_onboarding.fiber_field.project_service import send_project

		project = frappe.get_doc("Fiber Project", case_a.project)
		self.assertEqual(project.workflow_state, "Drafting")
		project_file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"projeto-{project.name}.pdf",
				"content": b"%PDF-1.4\n% projeto\n",
				"is_private": 1,
				"attached_to_doctype": "Fiber Project",
				"attached_to_name": project.name,
			}
		).insert(ignore_permissions=True)
		project.project_file = project_file.file_url
		project.save(ignore_permissions=True)
		send_project(project)
		self._fresh()
		mail = frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": "Fiber Project", "reference_name": project.name},
			pluck="message",
		)
		html = "".join(
			part.get_payload(decode=True).decode("utf-8")
			for message in mail
			for part in email.message_from_string(message).walk()
			if part.get_content_type() == "text/html"
		)
		links = re.findall(r"/projeto/aprovar\?token=([^\s\"'<>&]+)", html)
		self.assertTrue(links, "the project e-mail carries the approval link")
		approval_path = "/projeto/aprovar?token=" + links[0]
		self.browser.delete_all_cookies()  # the technical contact is not logged in: the token is the credential
		self._open(approval_path)
		dates = Select(self._element("fo-date"))
		self.assertGreater(len(dates.options), 5)
		dates.select_by_index(3)
		chosen = dates.first_selected_option.get_attribute("value")
		self._mark_page()
		self.browser.find_element(By.ID, "fo-submit").click()
		self._wait_for_message("fo-message", ("fo-success",), ("fo-danger", "fo-warning"))
		self._wait_for_reload()
		self._fresh()
		self.assertEqual(frappe.db.get_value("Fiber Project", project.name, "workflow_state"), "Approved")
		self.assertEqual(str(frappe.db.get_value("Fiber Project", project.name, "execution_date")), chosen)

		# 5. the customer chooses a password through the invitation's link (/update-password), leaves through the
		#    navbar's log-out (/?cmd=web_logout), asks for a new password (/login#forgot) and logs in on /login:
		#    Frappe's own pages work through the portal gate (what they call is on its allowlist)
		self._set_password_from_invitation(case_a, PASSWORD_B)
		self._open("/?cmd=web_logout")
		self._open("/ativacoes")
		self.wait.until(lambda b: "/login" in b.current_url)  # logged out: the portal asks for the login
		self._forgot_password(case_a.portal_user)
		self._log_in_on_the_login_page(case_a.portal_user, PASSWORD_B)
		self.assertEqual(refused_requests(self.browser), [], "a portal page calls something the gate refuses")
		session_a, _csrf = self._session_of(case_a.portal_user, PASSWORD_B)
		self._open(f"/ativacoes/{case_a.name}")
		steps = {
			li.get_attribute("data-step"): li.get_attribute("data-status")
			for li in self.browser.find_elements(By.CSS_SELECTOR, "#fo-timeline li")
		}
		self.assertEqual(
			{k: steps[k] for k in ("registration", "payment", "payment_confirmation", "contract_upload")},
			dict.fromkeys(("registration", "payment", "payment_confirmation", "contract_upload"), "done"),
		)
		self.assertEqual(steps["contract_review"], "current")
		self.assertEqual(steps["project_drafting"], "done")
		self.assertEqual(steps["project_approval"], "done")
		self.assertEqual(steps["internal_passage"], "current")
		self.assertEqual(steps["activation"], "next")
		page = self.browser.page_source
		self.assertIn(getdate(chosen).strftime("%d/%m/%Y"), page)
		self.assertNotIn("/private/files/", page)
		download = session_a.get(
			self.base + "/api/method/fiber_onboarding.api.portal.download",
			params={"case": case_a.name, "kind": "project"},
			timeout=60,
		)
		self.assertEqual(download.status_code, 200)
		self.assertTrue(download.content.startswith(b"%PDF"))

		# 6. customer B registers and then probes everything of A
		self.browser.delete_all_cookies()
		self._register_in_browser(form_b)
		self._fresh()
		case_b = frappe.get_doc(CASE, frappe.db.get_value(CASE, {"proposal": proposal_b}))
		self._remember_case(case_b)
		self.assertEqual(refused_requests(self.browser), [], "the registration page calls something refused")
		self._open(f"/ativacoes/{case_a.name}")
		self.assertNotIn(case_a.company_name, self.browser.page_source)
		frappe.utils.password.update_password(case_b.portal_user, PASSWORD_B)
		self._fresh()
		self._probe_as_b(case_a, case_b, frappe.get_doc("Fiber Contract", contract.name), project)

		# 7. the registration endpoint is rate-limited per IP (5 POSTs in 10 minutes)
		self._reset_rate_limit()
		statuses = [
			requests.post(
				self.base + "/api/method/fiber_onboarding.api.portal.register",
				data={"proposal_number": "PROP-X", "cnpj": "1"},
				headers={"Accept": "application/json"},
				timeout=60,
			).status_code
			for _ in range(6)
		]
		self._reset_rate_limit()
		self.assertEqual(statuses, [422] * 5 + [429])

	def _remember_case(self, case):
		self._remember(CASE, case.name)
		self._remember("User", case.portal_user)
		self._remember("Customer", case.customer)
		for field, doctype in (
			("boleto", "Fiber Boleto"),
			("contract", "Fiber Contract"),
			("project", "Fiber Project"),
			("circuit", "Circuit"),
			("sales_invoice", "Sales Invoice"),
		):
			self._remember(doctype, case.get(field))

	@staticmethod
	def _identifiers_of(case, contract, project) -> dict[str, str]:
		"""What belongs to customer A only: names, CNPJ, e-mails, files (shared test values left out)."""
		from fiber_onboarding.core.documents import format_cnpj

		ids = {
			"case": case.name,
			"proposal": case.proposal,
			"customer": case.customer,
			"company": case.company_name,
			"site": case.site_identifier,
			"cnpj": case.cnpj,
			"cnpj formatted": format_cnpj(case.cnpj),
			"e-mail": case.portal_user,
			"boleto": case.boleto,
			"contract": contract.name,
			"project": project.name,
			"circuit": case.circuit,
			"invoice": case.sales_invoice
			or frappe.db.get_value("Fiber Boleto", case.boleto, "sales_invoice"),
		}
		for doctype, name in (("Fiber Contract", contract.name), ("Fiber Project", project.name)):
			for row in frappe.get_all(
				"File",
				filters={"attached_to_doctype": doctype, "attached_to_name": name},
				fields=["name", "file_name", "file_url"],
			):
				ids[f"file {row.name}"] = row.file_name
				ids[f"url {row.name}"] = row.file_url
		return {k: v for k, v in ids.items() if v}

	def _probe_as_b(self, case_a, case_b, contract, project):
		"""Customer B, logged in, asks for everything of A through every door: the portal's pages, downloads and
		actions, file URLs, print views, reports, counts, Frappe's and ERPNext's methods and pages, REST. No answer
		carries any of A's identifiers that B did not send, and each answer equals the answer for a made-up
		identifier (nothing tells whether A's documents exist)."""
		s, csrf = self._session_of(case_b.portal_user, PASSWORD_B)
		ids = self._identifiers_of(case_a, contract, project)
		files = frappe.get_all(
			"File",
			filters={
				"attached_to_doctype": ("in", ["Fiber Contract", "Fiber Project"]),
				"attached_to_name": ("in", [contract.name, project.name]),
			},
			fields=["file_name", "file_url", "is_private"],
		)
		self.assertTrue(files and all(f.is_private for f in files), "A's documents are private files")
		upload = contract.uploads[-1].name if contract.uploads else "x"
		a_docs = {
			CASE: case_a.name,
			"Fiber Proposal": case_a.proposal,
			"Fiber Boleto": case_a.boleto,
			"Fiber Contract": contract.name,
			"Fiber Project": project.name,
			"Circuit": case_a.circuit,
			"Sales Invoice": ids.get("invoice", "x"),
			"Customer": case_a.customer,
		}
		denied = (403,)

		def request(http_method: str, path: str, params: dict | None):
			if http_method == "GET":
				return s.get(self.base + path, params=params, timeout=60, allow_redirects=False)
			return s.post(
				self.base + path,
				data=params,
				headers={"X-Frappe-CSRF-Token": csrf, "Accept": "application/json"},
				timeout=60,
				allow_redirects=False,
			)

		method = "/api/method/"
		probes = [
			# the portal's pages
			("case list", "GET", "/ativacoes", {}, (200,)),
			("case page", "GET", f"/ativacoes/{case_a.name}", {}, denied),
			("boleto page", "GET", "/boleto", {"name": case_a.boleto}, denied),
			("contract page", "GET", "/contrato/enviar", {"contract": contract.name}, denied),
			("approval page", "GET", "/projeto/aprovar", {"project": project.name}, denied),
			("registration page", "GET", "/cadastro", {"proposta": case_a.proposal}, (200,)),
			("my account", "GET", "/me", {}, (200,)),
			("desk form", "GET", f"/app/fiber-onboarding/{case_a.name}", {}, (200, 301, 302, 403)),
			# ERPNext's document pages
			("invoice page", "GET", f"/invoices/{ids.get('invoice', 'x')}", {}, denied),
			("invoice list", "GET", "/invoices", {}, denied),
			("order list", "GET", "/orders", {}, denied),
			("address list", "GET", "/addresses", {}, denied),
			("web list", "GET", "/list", {"doctype": CASE}, (200, 403, 404)),
			# downloads
			(
				"boleto pdf",
				"GET",
				method + "fiber_onboarding.api.boleto.download_pdf",
				{"name": case_a.boleto},
				denied,
			),
			(
				"contract pdf",
				"GET",
				method + "fiber_onboarding.api.contract.download_contract",
				{"contract": contract.name},
				denied,
			),
			(
				"signed copy",
				"GET",
				method + "fiber_onboarding.api.contract.download_upload",
				{"contract": contract.name, "upload": upload},
				denied,
			),
			(
				"project pdf",
				"GET",
				method + "fiber_onboarding.api.portal.download_project",
				{"project": project.name},
				denied,
			),
			# customer actions
			(
				"confirm",
				"POST",
				method + "fiber_onboarding.api.portal.confirm_service",
				{"case": case_a.name},
				denied,
			),
			(
				"prior visit",
				"POST",
				method + "fiber_onboarding.api.portal.request_prior_visit",
				{"case": case_a.name},
				denied,
			),
			(
				"problem",
				"POST",
				method + "fiber_onboarding.api.portal.report_problem",
				{"case": case_a.name, "description": "x"},
				denied,
			),
			(
				"approve",
				"POST",
				method + "fiber_onboarding.api.portal.approve_project",
				{"project": project.name, "execution_date": str(add_days(nowdate(), 10))},
				denied,
			),
			(
				"circuit problem",
				"POST",
				method + "fiber_onboarding.fiber_field.api.customer_report_problem",
				{"name": case_a.circuit, "description": "x"},
				denied,
			),
			# reports
			(
				"app report",
				"GET",
				method + "frappe.desk.query_report.run",
				{"report_name": "Onboarding Funnel and SLA", "filters": "{}"},
				denied,
			),
			(
				"receivables",
				"GET",
				method + "frappe.desk.query_report.run",
				{"report_name": "Accounts Receivable", "filters": json.dumps({"party": [case_a.customer]})},
				denied,
			),
			(
				"report view",
				"GET",
				method + "frappe.desk.reportview.get",
				{"doctype": CASE, "fields": '["name", "cnpj"]'},
				denied,
			),
			(
				"report export",
				"POST",
				method + "frappe.desk.reportview.export_query",
				{"doctype": "Customer"},
				denied,
			),
			# counts and existence
			("count cases", "GET", method + "frappe.client.get_count", {"doctype": CASE}, denied),
			(
				"count by CNPJ",
				"GET",
				method + "frappe.client.get_count",
				{"doctype": "Customer", "filters": json.dumps([["tax_id", "=", case_a.cnpj]])},
				denied,
			),
			(
				"count by e-mail",
				"GET",
				method + "frappe.client.get_count",
				{"doctype": "User", "filters": json.dumps([["name", "=", case_a.portal_user]])},
				denied,
			),
			(
				"count invoices",
				"GET",
				method + "frappe.client.get_count",
				{"doctype": "Sales Invoice"},
				denied,
			),
			(
				"count uploads",
				"GET",
				method + "frappe.client.get_count",
				{"doctype": "Fiber Contract Upload"},
				denied,
			),
			(
				"count agreements",
				"GET",
				"/api/v2/method/frappe.client.get_count",
				{"doctype": "Fiber Bank Agreement"},
				denied,
			),
			(
				"report count",
				"GET",
				method + "frappe.desk.reportview.get_count",
				{"doctype": "Customer"},
				denied,
			),
			("v2 customer count", "GET", "/api/v2/doctype/Customer/count", {}, denied),
			(
				"validate link",
				"GET",
				method + "frappe.client.validate_link",
				{"doctype": CASE, "docname": case_a.name},
				denied,
			),
			(
				"get value",
				"GET",
				method + "frappe.client.get_value",
				{"doctype": "Customer", "filters": json.dumps({"tax_id": case_a.cnpj}), "fieldname": "name"},
				denied,
			),
			(
				"client.get",
				"GET",
				method + "frappe.client.get",
				{"doctype": CASE, "name": case_a.name},
				denied,
			),
			("legacy cmd", "POST", "/", {"cmd": "frappe.client.get_count", "doctype": CASE}, denied),
		]
		for kind in ("boleto", "contract", "project", "photo_report", "implementation_report"):
			probes.append(
				(
					f"download {kind}",
					"GET",
					method + "fiber_onboarding.api.portal.download",
					{"case": case_a.name, "kind": kind},
					denied,
				)
			)
		for doctype, name in a_docs.items():
			probes += [
				(f"print view {doctype}", "GET", "/printview", {"doctype": doctype, "name": name}, denied),
				(
					f"print preview {doctype}",
					"GET",
					"/printpreview",
					{"doctype": doctype, "name": name},
					denied,
				),
				(
					f"print pdf {doctype}",
					"GET",
					method + "frappe.utils.print_format.download_pdf",
					{"doctype": doctype, "name": name},
					denied,
				),
				(f"resource {doctype}", "GET", f"/api/resource/{doctype}/{name}", {}, denied),
				(f"v2 document {doctype}", "GET", f"/api/v2/document/{doctype}/{name}", {}, denied),
			]
		probes.append(
			(
				"boleto print format",
				"GET",
				"/printview",
				{"doctype": "Fiber Boleto", "name": case_a.boleto, "format": "Boleto"},
				denied,
			)
		)
		for f in files:
			# not among the public files (the test server's static loader answers a missing file with an error page;
			# in production the web server answers 404)
			self.assertFalse(
				os.path.exists(frappe.get_site_path("public", "files", f.file_name)), f.file_name
			)
			probes += [
				(f"public URL {f.file_name}", "GET", f"/files/{f.file_name}", {}, (404, 500)),
				(f"private URL {f.file_name}", "GET", f.file_url, {}, denied),
			]
		for doctype in ("Fiber Onboarding", "Fiber Boleto", "Fiber Contract", "Fiber Project", "Circuit"):
			probes.append(
				(
					f"v2 count {doctype}",
					"GET",
					f"/api/v2/doctype/{doctype}/count",
					{"filters": json.dumps([["name", "=", a_docs[doctype]]])},
					(200,),
				)
			)

		self.assertEqual(
			request("GET", f"/ativacoes/{case_b.name}", {}).status_code, 200
		)  # B's own page works
		doors = 0
		for label, http_method, path, params, statuses in probes:
			response = request(http_method, path, params)
			doors += 1
			sent = path + json.dumps(params)
			self.assertIn(
				response.status_code, statuses, f"{label}: {response.status_code} {response.text[:300]}"
			)
			for key, secret in ids.items():
				if secret not in sent:
					self.assertNotIn(secret, response.text, f"{label}: reveals A's {key}")
			self.assertFalse(response.content.startswith(b"%PDF"), f"{label}: file bytes")
			if not label.startswith("public URL"):  # the test server's own error page, not the app's answer
				self.assertNotIn("Traceback", response.text, label)
			if label.startswith("v2 count"):
				self.assertEqual(response.json()["data"], 0, label)
			# the same answer for a made-up identifier: nothing tells whether A's document exists
			for key, secret in ids.items():
				if secret in sent and not key.startswith(("cnpj", "e-mail", "company", "site")):
					fake = f"{secret}-NAO-EXISTE"
					other = request(
						http_method,
						path.replace(secret, fake),
						{k: str(v).replace(secret, fake) for k, v in params.items()},
					)
					doors += 1
					self.assertEqual(
						(
							other.status_code,
							other.json().get("data") if label.startswith("v2 count") else None,
						),
						(
							response.status_code,
							response.json().get("data") if label.startswith("v2 count") else None,
						),
						f"{label}: A's {key} answered differently from a made-up one",
					)
		upload_probe = s.post(
			self.base + "/api/method/fiber_onboarding.api.contract.upload_signed_contract",
			data={"contract": contract.name},
			files={"file": ("c.pdf", b"%PDF-1.4\n", "application/pdf")},
			headers={"X-Frappe-CSRF-Token": csrf, "Accept": "application/json"},
			timeout=60,
		)
		self.assertEqual(upload_probe.status_code, 403, upload_probe.text[:300])
		# lists through REST: B's own records only
		for doctype, name in a_docs.items():
			if doctype in ("Sales Invoice", "Customer"):
				continue
			listing = s.get(
				self.base + f"/api/resource/{doctype}", params={"limit_page_length": 100}, timeout=60
			)
			self.assertEqual(listing.status_code, 200, doctype)
			self.assertNotIn(name, [r["name"] for r in listing.json()["data"]], doctype)
		own = s.get(self.base + f"/api/resource/{CASE}", params={"limit_page_length": 100}, timeout=60)
		self.assertEqual([r["name"] for r in own.json()["data"]], [case_b.name])
		print(f"\nportal browser tier: customer B probed {doors} HTTP doors with customer A's identifiers")
		# nothing changed on A's side
		self._fresh()
		self.assertEqual(frappe.db.get_value("Fiber Project", project.name, "prior_visit_requested"), 0)
		self.assertEqual(len(frappe.get_doc("Fiber Contract", contract.name).uploads), 1)

	# -----------------------------------------------------------------------------------------------------------
	# Cleanup of the committed records
	# -----------------------------------------------------------------------------------------------------------
	@classmethod
	def _cleanup(cls):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		problems = delete_cases(
			cls.created.get(CASE, []),
			proposals=cls.created.get("Fiber Proposal", []),
			retornos=cls.created.get("CNAB Retorno", []),
		)
		if problems:
			print("test_portal_browser cleanup:", *problems, sep="\n  ")


def delete_cases(cases: list[str], proposals=(), retornos=()) -> list[str]:
	"""Delete committed test cases with everything registration and the flow created for them (ERPNext
	documents cancelled first). Returns what could not be deleted."""
	problems: list[str] = []

	def drop(doctype, name, cancel=False, attempts=4):
		if not name or not frappe.db.exists(doctype, name):
			return
		for attempt in range(attempts):
			try:
				doc = frappe.get_doc(doctype, name)
				if cancel and doc.docstatus == 1:
					doc.flags.ignore_links = True
					doc.cancel()
				frappe.delete_doc(doctype, name, force=True, ignore_permissions=True, delete_permanently=True)
			except (frappe.QueryDeadlockError, frappe.QueryTimeoutError) as e:
				frappe.db.rollback()  # another test run holds a lock on the shared site: try again
				if attempt == attempts - 1:
					problems.append(f"{doctype} {name}: {e!r}")
				time.sleep(3 * (attempt + 1))
			except Exception as e:
				frappe.db.rollback()
				problems.append(f"{doctype} {name}: {e!r}")
				return
			else:
				frappe.db.commit()  # nosemgrep: test cleanup of committed records
				return

	for case_name in cases:
		if not frappe.db.exists(CASE, case_name):
			continue
		case = frappe.get_doc(CASE, case_name)
		invoices = [case.sales_invoice] if case.sales_invoice else []
		boletos = frappe.get_all("Fiber Boleto", filters={"onboarding": case.name}, pluck="name")
		invoices += frappe.get_all("Fiber Boleto", filters={"onboarding": case.name}, pluck="sales_invoice")
		payments = frappe.get_all(
			"Payment Entry Reference",
			filters={"reference_name": ("in", [i for i in invoices if i] or [""])},
			pluck="parent",
		)
		for name in set(payments):
			drop("Payment Entry", name, cancel=True)
		for name in set(i for i in invoices if i):
			drop("Sales Invoice", name, cancel=True)
		for doctype in ("Site Visit", "Fiber Project", "Circuit", "Fiber Contract"):
			for name in frappe.get_all(doctype, filters={"onboarding": case.name}, pluck="name"):
				drop(doctype, name)
		for name in boletos:
			drop("Fiber Boleto", name)
		proposal, customer, user = case.proposal, case.customer, case.portal_user
		drop(CASE, case.name)
		drop("Fiber Proposal", proposal)
		for link_doctype in ("Contact", "Address"):
			for name in frappe.get_all(
				"Dynamic Link",
				filters={"link_doctype": "Customer", "link_name": customer, "parenttype": link_doctype},
				pluck="parent",
			):
				drop(link_doctype, name)
		drop("Customer", customer)
		if user and not frappe.db.exists(CASE, {"portal_user": user}):
			drop("User", user)
	for name in retornos:
		drop("CNAB Retorno", name)
	for name in proposals:
		if frappe.db.exists("Fiber Proposal", name) and not frappe.db.get_value(
			"Fiber Proposal", name, "onboarding"
		):
			drop("Fiber Proposal", name)
	return problems
