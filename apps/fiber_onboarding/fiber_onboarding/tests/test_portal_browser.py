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
from frappe.utils import add_days, getdate, nowdate

from fiber_onboarding.tests.billing_factory import build_retorno, make_cnpj, retorno_item
from fiber_onboarding.tests.test_portal_isolation import make_approved_proposal, registration_form

try:
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase

from fiber_onboarding.tests.browser import AVAILABLE, SKIP_REASON, start_browser, start_server, stop

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
		self.browser.find_element(By.ID, "fo-submit").click()
		self._wait_for_message("fo-message", ("alert-success",), ("alert-danger", "alert-warning"))
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
		self.browser.find_element(By.ID, "fo-submit").click()
		self._wait_for_message("fo-message", ("fo-success",), ("fo-danger", "fo-warning"))
		self._fresh()
		self.assertEqual(frappe.db.get_value("Fiber Project", project.name, "workflow_state"), "Approved")
		self.assertEqual(str(frappe.db.get_value("Fiber Project", project.name, "execution_date")), chosen)

		# 5. the customer (logged in again) sees every step on the timeline
		frappe.utils.password.update_password(case_a.portal_user, PASSWORD_B)
		self._fresh()
		self._open("/login")
		session_a, _csrf = self._session_of(case_a.portal_user, PASSWORD_B)
		self.browser.add_cookie({"name": "sid", "value": session_a.cookies.get("sid"), "path": "/"})
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
		self._open(f"/ativacoes/{case_a.name}")
		self.assertNotIn(case_a.company_name, self.browser.page_source)
		frappe.utils.password.update_password(case_b.portal_user, PASSWORD_B)
		self._fresh()
		self._probe_as_b(case_a, case_b, contract, project)

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

	def _probe_as_b(self, case_a, case_b, contract, project):
		s, csrf = self._session_of(case_b.portal_user, PASSWORD_B)
		denied = (403, 404)

		def get(path, **params):
			return s.get(self.base + path, params=params, timeout=60, allow_redirects=False)

		def post(method, data, files=None):
			return s.post(
				self.base + "/api/method/" + method,
				data=data,
				files=files,
				headers={"X-Frappe-CSRF-Token": csrf, "Accept": "application/json"},
				timeout=60,
			)

		self.assertEqual(get(f"/ativacoes/{case_b.name}").status_code, 200)  # B's own page works
		probes = {
			"case page": get(f"/ativacoes/{case_a.name}"),
			"boleto page": get("/boleto", name=case_a.boleto),
			"contract page": get("/contrato/enviar", contract=contract.name),
			"approval page": get("/projeto/aprovar", project=project.name),
			"boleto pdf": get("/api/method/fiber_onboarding.api.boleto.download_pdf", name=case_a.boleto),
			"contract pdf": get(
				"/api/method/fiber_onboarding.api.contract.download_contract", contract=contract.name
			),
			"project pdf": get(
				"/api/method/fiber_onboarding.api.portal.download_project", project=project.name
			),
			"private file (contract)": get(contract.issued_file),
			"private file (project)": get(
				project.project_file if project.project_file else "/private/files/x"
			),
			"print view": get("/printview", doctype=CASE, name=case_a.name),
			"client.get": get("/api/method/frappe.client.get", doctype=CASE, name=case_a.name),
			"confirm": post("fiber_onboarding.api.portal.confirm_service", {"case": case_a.name}),
			"prior visit": post("fiber_onboarding.api.portal.request_prior_visit", {"case": case_a.name}),
			"problem": post(
				"fiber_onboarding.api.portal.report_problem", {"case": case_a.name, "description": "x"}
			),
			"approve": post(
				"fiber_onboarding.api.portal.approve_project",
				{"project": project.name, "execution_date": str(add_days(nowdate(), 10))},
			),
			"upload": post(
				"fiber_onboarding.api.contract.upload_signed_contract",
				{"contract": contract.name},
				files={"file": ("c.pdf", b"%PDF-1.4\n", "application/pdf")},
			),
		}
		for kind in ("boleto", "contract", "project", "photo_report", "implementation_report"):
			probes[f"download {kind}"] = get(
				"/api/method/fiber_onboarding.api.portal.download", case=case_a.name, kind=kind
			)
		a_names = {
			"Fiber Onboarding": case_a.name,
			"Fiber Proposal": case_a.proposal,
			"Fiber Boleto": case_a.boleto,
			"Fiber Contract": contract.name,
			"Fiber Project": project.name,
			"Circuit": case_a.circuit,
		}
		for doctype, name in a_names.items():
			probes[f"resource {doctype}"] = get(f"/api/resource/{doctype}/{name}")
		for label, response in probes.items():
			self.assertIn(
				response.status_code, denied, f"{label}: {response.status_code} {response.text[:300]}"
			)
			self.assertNotIn(case_a.company_name, response.text, label)
		for doctype, name in a_names.items():
			listing = get(f"/api/resource/{doctype}", limit_page_length=0)
			self.assertEqual(listing.status_code, 200, doctype)
			self.assertNotIn(name, [r["name"] for r in listing.json()["data"]], doctype)
		own = get(f"/api/resource/{CASE}", limit_page_length=0).json()["data"]
		self.assertEqual([r["name"] for r in own], [case_b.name])
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
