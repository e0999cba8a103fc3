"""Integration: the case listens to its children (``fiber_onboarding.case_events``).

A child's save or ``db_set`` of a field the case derives from updates the case's links, milestones and stage with
no service touching the case; a change of any other field leaves the case alone; the paid boleto records the
payment on the case and releases the project, with one stage change on the timeline.
"""

from __future__ import annotations

from unittest.mock import patch

import frappe
from frappe.utils import add_days, add_to_date, get_datetime, getdate, now_datetime, nowdate

from fiber_onboarding.core import process
from fiber_onboarding.fiber_billing.boleto_service.issue import issue_boleto
from fiber_onboarding.fiber_billing.boleto_service.payment import mark_paid_manually
from fiber_onboarding.fiber_onboarding.doctype.fiber_onboarding.fiber_onboarding import FiberOnboarding
from fiber_onboarding.tests.billing_factory import make_registered_case
from fiber_onboarding.tests.test_workflows import World

try:
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase

CASE = process.CASE


def info_comments(case: str) -> list[str]:
	return frappe.get_all(
		"Comment",
		filters={"reference_doctype": CASE, "reference_name": case, "comment_type": "Info"},
		pluck="content",
		order_by="creation asc",
	)


class TestTheCaseListens(TestCase):
	def setUp(self):
		frappe.set_user("Administrator")

	def test_a_saved_child_updates_the_case(self):
		world = World()
		day = add_days(nowdate(), 9)
		project = frappe.get_doc("Fiber Project", world.project_name)
		project.execution_date = day
		project.save(ignore_permissions=True)
		self.assertEqual(getdate(frappe.db.get_value(CASE, world.case.name, "execution_date")), getdate(day))

	def test_a_db_set_on_a_child_is_heard(self):
		world = World()
		ends = add_to_date(now_datetime(), hours=30).replace(microsecond=0)
		frappe.get_doc("Circuit", world.circuit_name).db_set("test_ends_at", ends)
		self.assertEqual(get_datetime(frappe.db.get_value(CASE, world.case.name, "test_phase_ends_at")), ends)

	def test_a_new_child_is_linked(self):
		world = World()
		frappe.db.set_value(CASE, world.case.name, {"project": None, "circuit": None})
		project = frappe.get_doc("Fiber Project", world.project_name)
		visit = frappe.get_doc(
			{
				"doctype": "Site Visit",
				"visit_type": "Prior Visit",
				"status": "Scheduled",
				"onboarding": world.case.name,
				"project": project.name,
			}
		).insert(ignore_permissions=True)
		self.assertTrue(visit.name)
		self.assertEqual(
			frappe.db.get_value(CASE, world.case.name, ["project", "circuit"]),
			(world.project_name, world.circuit_name),
		)

	def test_only_what_the_case_reads_makes_it_recompute(self):
		world = World()
		circuit = frappe.get_doc("Circuit", world.circuit_name)
		with patch.object(FiberOnboarding, "refresh_stage", autospec=True) as refresh:
			circuit.db_set("vlan", 321)
			circuit.db_set("cpe_model", "Roteador de teste")
			self.assertEqual(refresh.call_count, 0)
			circuit.db_set("test_ends_at", add_to_date(now_datetime(), hours=5))
			self.assertEqual(refresh.call_count, 1)
			self.assertEqual(refresh.call_args.args[0].name, world.case.name)

	def test_the_paid_boleto_records_the_payment_and_releases_the_project(self):
		case = make_registered_case()
		boleto = issue_boleto(case)
		self.assertEqual(frappe.db.get_value(CASE, case.name, "boleto"), boleto.name)
		self.assertEqual(frappe.db.get_value(CASE, case.name, "stage"), process.Stage.AWAITING_PAYMENT)
		before = len(info_comments(case.name))

		mark_paid_manually(boleto.name, boleto.amount, nowdate())

		self.assertEqual(getdate(frappe.db.get_value(CASE, case.name, "paid_on")), getdate(nowdate()))
		project = frappe.db.get_value(CASE, case.name, "project")
		self.assertEqual(
			frappe.db.get_value("Fiber Project", project, "workflow_state"), process.ProjectState.DRAFTING
		)
		self.assertEqual(frappe.db.get_value(CASE, case.name, "stage"), process.Stage.PROJECT_DRAFTING)
		new = info_comments(case.name)[before:]
		self.assertEqual(len(new), 2, new)  # the payment, then exactly one stage change
		self.assertEqual(new[0], frappe._("Setup fee paid on {0}").format(frappe.utils.formatdate(nowdate())))
		self.assertIn(frappe._(process.Stage.PROJECT_DRAFTING), new[1])
