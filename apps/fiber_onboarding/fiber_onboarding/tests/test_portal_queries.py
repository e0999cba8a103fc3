"""Integration: the portal pages send a number of SQL statements that does not grow with the customer's cases.

One customer registers a first case (paid, project sent: boleto, contract, project and its file on the case);
every portal page is rendered as that customer through Frappe's website renderer (``get_response``, the whole
page: template, navbar, footer) and its statements counted. Then the same customer registers 49 more cases and
every page is rendered again: the list (/ativacoes, 50 rows, each with its next step) and the first case's
pages must send exactly as many statements as with one case. Each count is taken on a second rendering, so
what Frappe caches on a first view (roles, website settings, translations) is the same for both.

No time is measured here (speed is ``benchmarks/portal_load.py``'s business).
"""

from __future__ import annotations

from urllib.parse import urlencode

import frappe
from frappe.app import make_form_dict
from frappe.utils import set_request
from frappe.website.serve import get_response

from fiber_onboarding.api import portal
from fiber_onboarding.tests.billing_factory import make_cnpj
from fiber_onboarding.tests.query_count import count_queries
from fiber_onboarding.tests.test_portal_isolation import (
	make_approved_proposal,
	pay_case,
	registration_form,
	retry_on_lock,
	send_project_of,
)

try:
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase

CASE = "Fiber Onboarding"
MORE_CASES = 49


def register(cnpj: str, user: str | None) -> str:
	"""A case of the customer with ``cnpj``: as Guest (first case: creates the portal user) or as ``user``
	registering another proposal of the same company with the same account."""
	form = registration_form(make_approved_proposal(cnpj), cnpj)
	if user:
		form["legal_email"] = user
	frappe.set_user(user or "Guest")
	try:
		result = portal.register_customer(form)
	finally:
		frappe.set_user("Administrator")
	assert result["ok"], result
	return result["case"]


def forget_request():
	if hasattr(frappe.local, "request"):
		del frappe.local.request
	frappe.local.form_dict = frappe._dict()


def new_customer() -> frappe._dict:
	"""A customer registered on the portal (its first case paid and its project sent)."""
	cnpj = make_cnpj()
	first = retry_on_lock(lambda: register(cnpj, None))
	pay_case(first)
	send_project_of(first)
	case = frappe.get_doc(CASE, first)
	return frappe._dict(cnpj=cnpj, case=case, user=case.portal_user, customer=case.customer)


def portal_pages(case) -> dict[str, tuple[str, dict | None]]:
	"""The customer's portal pages for ``case``: label -> (path, query)."""
	return {
		"list": ("/ativacoes", None),
		"case": (f"/ativacoes/{case.name}", None),
		"boleto": ("/boleto", {"name": case.boleto}),
		"project approval": ("/projeto/aprovar", {"project": case.project}),
		"contract upload": ("/contrato/enviar", {"contract": case.contract}),
		"contract upload (latest)": ("/contrato/enviar", None),
	}


def render_page(user: str, path: str, query: dict | None) -> tuple[int, str, dict]:
	"""(status, html, query counter) of the page as ``user``: a GET request through the website renderer, like
	a browser's (rendered once first, so every count sees the same warm caches)."""
	counter = None
	for _attempt in range(2):
		frappe.set_user(user)
		set_request(method="GET", path=path, query_string=urlencode(query or {}))
		make_form_dict(frappe.local.request)
		try:
			with count_queries() as counter:
				response = get_response()
		finally:
			forget_request()
			frappe.set_user("Administrator")
	return response.status_code, frappe.safe_decode(response.get_data()), counter


class TestPortalQueries(TestCase):
	def setUp(self):
		self._lang = frappe.local.lang

	def tearDown(self):
		forget_request()
		frappe.set_user("Administrator")
		frappe.local.lang = self._lang  # the portal forces pt-BR; other tests expect the site language

	def counts(self, who: frappe._dict) -> dict[str, tuple[int, list[str]]]:
		cases = frappe.get_all(CASE, filters={"customer": who.customer}, pluck="name")
		out = {}
		for label, (path, query) in portal_pages(who.case).items():
			status, html, counter = render_page(who.user, path, query)
			self.assertEqual(status, 200, f"{label}: {html[:400]}")
			if label == "list":  # every case of the customer is on it, each with its next step
				self.assertEqual(html.count('<a href="/ativacoes/'), len(cases))
				for name in cases:
					self.assertIn(f'<a href="/ativacoes/{name}">', html)
			out[label] = (counter["queries"], counter["statements"])
		return out

	def test_pages_send_as_many_statements_with_50_cases_as_with_one(self):
		who = new_customer()
		one = self.counts(who)
		for _ in range(MORE_CASES):
			retry_on_lock(lambda: register(who.cnpj, who.user))
		self.assertEqual(frappe.db.count(CASE, {"customer": who.customer}), 1 + MORE_CASES)
		self.assertEqual(portal.customers_of(who.user), [who.customer])

		fifty = self.counts(who)
		for label in one:
			with self.subTest(page=label):
				(n1, s1), (n50, s50) = one[label], fifty[label]
				detail = "\n".join(["with 1 case:", *s1, f"with {1 + MORE_CASES} cases:", *s50])
				self.assertEqual(n50, n1, f"{label}: {n1} statements with 1 case, {n50} with 50\n{detail}")
		print("statements per page (1 case, 50 cases):", {k: (one[k][0], fifty[k][0]) for k in one})

	def test_rows_read_at_once_show_what_the_whole_documents_show(self):
		"""The list's and the case page's batched read (``api.portal.documents``) give every case the next step,
		timeline, documents and actions that its whole documents (``access.case_documents``) give."""
		from fiber_onboarding.api.portal.cases import case_rows
		from fiber_onboarding.api.portal.documents import documents_of_cases
		from fiber_onboarding.www.ativacoes import caso

		who = new_customer()
		second = retry_on_lock(lambda: register(who.cnpj, who.user))
		frappe.set_user(who.user)
		portal.portal_lang()
		rows = {r["name"]: r for r in case_rows()}
		self.assertEqual(set(rows), {who.case.name, second})
		for name in rows:
			case = frappe.get_doc(CASE, name)
			whole, read = portal.case_documents(case), documents_of_cases([case])[name]
			self.assertEqual(rows[name]["next"], portal.next_step(case, whole))
			self.assertEqual(portal.timeline_rows(case, read), portal.timeline_rows(case, whole))
			self.assertEqual(caso._documents(case, read), caso._documents(case, whole))
			self.assertEqual(caso._actions(case, read), caso._actions(case, whole))
		self.assertNotEqual(rows[who.case.name]["next"], rows[second]["next"])  # paid vs not yet paid
		first = frappe.get_doc(CASE, who.case.name)
		shown = caso._documents(first, documents_of_cases([first])[first.name])
		self.assertEqual([d["title"] for d in shown], ["Boleto da taxa de ativação", "Contrato", "Projeto"])
