"""Integration: the customer's actions on the portal in the later stages (prior visit, 48 h test phase) and what the
case page shows then (timeline, implementation report download), plus the registration page itself.

The field part of the case is built with the field engineer's factories (``test_field_flow``); the case's Customer
then gets a portal user, who acts through ``api.portal`` like the pages do.
"""

from __future__ import annotations

import frappe

from fiber_onboarding.adapters.erpnext_accounting import add_portal_user
from fiber_onboarding.api import portal
from fiber_onboarding.tests.billing_factory import make_portal_user
from fiber_onboarding.tests.test_field_flow import approved_project, testing_circuit

try:
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase

CASE = "Fiber Onboarding"


def with_portal_user(case) -> str:
	user = make_portal_user()
	add_portal_user(case.customer, user)
	return user


class TestPortalActions(TestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self._lang = frappe.local.lang

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.lang = self._lang
		frappe.form_dict.clear()

	def test_test_phase_confirm_and_problem(self):
		case, project, circuit = testing_circuit()
		user = with_portal_user(case)
		other = with_portal_user(approved_project()[0])

		frappe.set_user(other)
		with self.assertRaises(frappe.PermissionError):
			portal.confirm_service(case.name)
		with self.assertRaises(frappe.PermissionError):
			portal.report_problem(case.name, "sem sinal")

		frappe.set_user(user)
		case = frappe.get_doc(CASE, case.name)
		steps = {s["key"]: s for s in portal.timeline_rows(case)}
		self.assertEqual(steps["external_execution"]["status"], "done")
		self.assertEqual(steps["test_phase"]["status"], "current")
		self.assertEqual(steps["test_phase"]["actor"], "Você")
		self.assertTrue(steps["test_phase"]["due"])
		content, filename = portal.document_content(case, "implementation_report")
		self.assertTrue(content.startswith(b"%PDF"))
		self.assertTrue(filename.startswith("relatorio-de-implantacao-"))

		result = portal.confirm_service(case.name)
		self.assertEqual(result["circuit"], circuit.name)
		self.assertTrue(frappe.db.get_value("Circuit", circuit.name, "customer_confirmed_at"))
		self.assertEqual(frappe.db.get_value("Circuit", circuit.name, "customer_confirmed_by"), user)

		# the problem assigns a ToDo to the activation team, whose notification e-mail Frappe sends at once and
		# commits (EmailQueue.send): muted here so the test's records stay in its transaction
		frappe.flags.mute_emails = True
		try:
			portal.report_problem(case.name, "O link cai a cada 10 minutos.")
		finally:
			frappe.flags.mute_emails = False
		values = frappe.db.get_value(
			"Circuit",
			circuit.name,
			["problem_reported", "problem_resolved", "problem_description"],
			as_dict=True,
		)
		self.assertEqual((values.problem_reported, values.problem_resolved), (1, 0))
		self.assertEqual(values.problem_description, "O link cai a cada 10 minutos.")
		steps = {s["key"]: s for s in portal.timeline_rows(frappe.get_doc(CASE, case.name))}
		self.assertEqual(steps["test_phase"]["actor"], "Nossa equipe")
		with self.assertRaises(frappe.ValidationError):
			portal.report_problem(case.name, "   ")

		from fiber_onboarding.www.ativacoes import caso

		frappe.form_dict.name = case.name
		ctx = caso.get_context(frappe._dict())
		self.assertTrue(ctx.actions["test_phase"])
		self.assertTrue(ctx.actions["problem_open"])
		kinds = [link["url"] for d in ctx.documents for link in d["links"]]
		self.assertTrue(any("kind=implementation_report" in u for u in kinds), kinds)

	def test_prior_visit_request_from_the_case_page(self):
		case, project = approved_project()
		user = with_portal_user(case)
		frappe.set_user(user)
		from fiber_onboarding.www.ativacoes import caso

		frappe.form_dict.name = case.name
		self.assertTrue(caso.get_context(frappe._dict()).actions["prior_visit"])
		result = portal.request_prior_visit(case.name)
		visit = frappe.get_doc("Site Visit", result["visit"])
		self.assertEqual((visit.visit_type, visit.customer), ("Prior Visit", case.customer))
		self.assertEqual(frappe.db.get_value("Fiber Project", project.name, "prior_visit_requested"), 1)
		self.assertFalse(caso.get_context(frappe._dict()).actions["prior_visit"])
		steps = {s["key"]: s["status"] for s in portal.timeline_rows(frappe.get_doc(CASE, case.name))}
		self.assertEqual(steps["prior_visit"], "current")
		with self.assertRaises(frappe.ValidationError):
			portal.confirm_service(case.name)  # not in the test phase

	def test_registration_page_renders_for_guests_in_portuguese(self):
		from fiber_onboarding.www import cadastro

		frappe.set_user("Guest")
		frappe.form_dict.proposta = " prop-77 "
		ctx = cadastro.get_context(frappe._dict())
		self.assertEqual(frappe.local.lang, "pt-BR")
		fields = {f["name"]: f for s in ctx.sections for f in s["fields"]}
		self.assertEqual(fields["proposal_number"]["value"], "PROP-77")
		self.assertFalse(fields["site_identifier"]["required"])
		self.assertTrue(fields["cnpj"]["required"])
		self.assertEqual(len(ctx.ufs), 27)
		self.assertEqual(ctx.csrf_token, "")

	def test_list_and_case_pages_redirect_guests_to_login(self):
		from fiber_onboarding.www.ativacoes import caso, index

		frappe.set_user("Guest")
		for page, target in ((index, "%2Fativacoes"), (caso, "%2Fativacoes%2FONB-X")):
			frappe.form_dict.name = "ONB-X"
			with self.assertRaises(frappe.Redirect):
				page.get_context(frappe._dict())
			self.assertIn(target, frappe.local.flags.redirect_location)
