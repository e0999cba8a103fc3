"""Integration: the site calendar, the SLA of cases, and the scheduler jobs on a real site.

Every job runs twice where it matters and the Email Queue must hold exactly one e-mail per event.
"""

from __future__ import annotations

import contextlib
from datetime import date

import frappe
from frappe.utils import add_days, add_to_date, getdate, now_datetime, nowdate

from fiber_onboarding import tasks
from fiber_onboarding.core import sla as core_sla
from fiber_onboarding.core.calendar import get_calendar as core_get_calendar
from fiber_onboarding.fiber_field import circuit_service
from fiber_onboarding.tests.query_count import count_queries
from fiber_onboarding.tests.test_field_flow import attach_file, make_case, paid_case, testing_circuit
from fiber_onboarding.utils import calendar as site_calendar
from fiber_onboarding.utils.sla import alert_key, refresh_case_sla

try:
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase

CASE = "Fiber Onboarding"
SETTINGS = "Fiber Onboarding Settings"
MANAGER = "fo-sla-manager@example.com"
ASSIGNEE = "fo-sla-assignee@example.com"
ACTIVATOR = "fo-sla-activation@example.com"
D = date.fromisoformat


def ensure_user(email: str, role: str) -> str:
	"""A staff user holding ``role``. Written with ``db_insert`` (no User controller): User.validate takes a lock
	on a site-wide default that the other test modules running on the shared site hold too."""
	if not frappe.db.exists("User", email):
		user = frappe.new_doc("User")
		user.update(
			{
				"name": email,
				"email": email,
				"first_name": email.split("@")[0],
				"enabled": 1,
				"user_type": "System User",
			}
		)
		user.append("roles", {"role": role})
		user.db_insert()
		for row in user.roles:
			row.db_insert()
	return email


def set_dates(case, **values):
	"""Milestones are read-only copies written by their documents: write them as those documents do."""
	frappe.db.set_value(CASE, case.name, values, update_modified=False)
	return frappe.get_doc(CASE, case.name)


def stored(case_name: str) -> dict:
	return frappe.db.get_value(
		CASE, case_name, ["sla_start", "sla_due", "sla_status", "sla_paused"], as_dict=True
	)


_TEST_STARTED = {"at": None}


def mark_test_start():
	"""E-mails counted by ``mails`` are those queued since the running test began: another module that committed
	an e-mail for a case whose name the naming series later handed out again must not count here."""
	_TEST_STARTED["at"] = now_datetime()


def mails(reference_doctype: str, reference_name: str) -> list:
	filters = {"reference_doctype": reference_doctype, "reference_name": reference_name}
	if _TEST_STARTED["at"]:
		filters["creation"] = (">=", _TEST_STARTED["at"])
	return frappe.get_all(
		"Email Queue",
		filters=filters,
		fields=["name", "message"],
		order_by="creation asc",
	)


def recipients(queue_name: str) -> set[str]:
	return set(
		frappe.get_all(
			"Email Queue Recipient",
			filters={"parent": queue_name},
			pluck="recipient",
			ignore_permissions=True,
		)
	)


@contextlib.contextmanager
def site_settings(**values):
	"""Fiber Onboarding Settings values for the duration of a test. Written field by field (no Settings save):
	other test modules running at the same time on the shared site commit the Settings, so a full save here
	would fail its timestamp check."""
	before = {field: frappe.db.get_single_value(SETTINGS, field) for field in values}
	frappe.db.set_single_value(SETTINGS, values, update_modified=False)
	frappe.clear_document_cache(SETTINGS, SETTINGS)
	try:
		yield
	finally:
		frappe.db.set_single_value(SETTINGS, before, update_modified=False)
		frappe.clear_document_cache(SETTINGS, SETTINGS)


class TestSiteCalendar(TestCase):
	def test_calendar_follows_settings_subdivision(self):
		with site_settings(subdivision="SP", holiday_list=None):
			self.assertEqual(site_calendar.next_business_day_after("2026-07-08"), D("2026-07-10"))
			self.assertEqual(site_calendar.next_business_day_after("2026-02-13"), D("2026-02-18"))
			self.assertEqual(site_calendar.add_business_days("2026-12-30", 2), D("2027-01-04"))
		with site_settings(subdivision="RJ", holiday_list=None):
			self.assertEqual(site_calendar.next_business_day_after("2026-07-08"), D("2026-07-09"))
			self.assertEqual(site_calendar.next_business_day_after("2026-04-22"), D("2026-04-24"))

	def test_holiday_list_dates_are_merged_and_edits_take_effect(self):
		hl = frappe.get_doc(
			{
				"doctype": "Holiday List",
				"holiday_list_name": "FO Test " + frappe.generate_hash(length=6),
				"from_date": "2026-01-01",
				"to_date": "2026-12-31",
				"holidays": [{"holiday_date": "2026-03-10", "description": "Aniversário da cidade"}],
			}
		).insert(ignore_permissions=True)
		with site_settings(subdivision="SP", holiday_list=hl.name):
			self.assertEqual(site_calendar.add_business_days("2026-03-09", 1), D("2026-03-11"))
			self.assertFalse(site_calendar.is_business_day("2026-03-10"))
			hl.reload()
			hl.append("holidays", {"holiday_date": "2026-03-11", "description": "Emenda"})
			hl.save(ignore_permissions=True)  # a new `modified`: the cached dates are read again
			self.assertEqual(site_calendar.add_business_days("2026-03-09", 1), D("2026-03-12"))
		with site_settings(subdivision="SP", holiday_list=None):
			self.assertEqual(site_calendar.add_business_days("2026-03-09", 1), D("2026-03-10"))


class TestCaseSla(TestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		mark_test_start()

	def test_refresh_case_sla_computes_and_persists(self):
		with site_settings(subdivision="SP", holiday_list=None, at_risk_share=70):
			case = make_case(sla_business_days=20)
			result = refresh_case_sla(case, on=D("2026-03-05"))
			self.assertEqual(result.status, core_sla.NOT_STARTED)
			self.assertEqual(stored(case.name).sla_status, core_sla.NOT_STARTED)

			case = set_dates(case, internal_passage_date="2026-03-02")
			self.assertEqual(refresh_case_sla(case, on=D("2026-03-05")).status, core_sla.NOT_STARTED)

			case = set_dates(case, contract_received_on="2026-03-04")
			result = refresh_case_sla(case, on=D("2026-03-05"))
			# 20 business days after 4 March 2026 in SP: the term ends on 1 April
			self.assertEqual((result.start, result.due), (D("2026-03-04"), D("2026-04-01")))
			self.assertEqual(result.status, core_sla.ON_TRACK)
			row = stored(case.name)
			self.assertEqual(
				(getdate(row.sla_start), getdate(row.sla_due)), (D("2026-03-04"), D("2026-04-01"))
			)
			self.assertEqual(row.sla_status, core_sla.ON_TRACK)
			self.assertEqual(refresh_case_sla(case, on=D("2026-04-02")).status, core_sla.OVERDUE)
			self.assertEqual(stored(case.name).sla_status, core_sla.OVERDUE)


class TestSlaJobs(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		ensure_user(MANAGER, "Fiber Onboarding Manager")
		ensure_user(ASSIGNEE, "Fiber Projects")
		ensure_user(ACTIVATOR, "Fiber Activation")

	def setUp(self):
		frappe.set_user("Administrator")
		mark_test_start()

	def _case(self, n=10, passage=None, contract=None, activated=None, cancelled=False):
		case = make_case(sla_business_days=n)
		values = {}
		if passage:
			values["internal_passage_date"] = passage
		if contract:
			values["contract_received_on"] = contract
		if activated:
			values["activated_on"] = activated
		if cancelled:
			values.update(cancelled=1, cancel_reason="Desistência", sla_status=core_sla.ON_TRACK)
		return set_dates(case, **values) if values else case

	@site_settings(subdivision="SP", holiday_list=None, at_risk_share=70)
	def test_sweep_statuses_match_the_rule(self):
		today = D("2026-03-13")
		cases = {
			"not_started": self._case(passage="2026-03-02"),
			"at_risk": self._case(passage="2026-03-02", contract="2026-03-04"),  # 7 of 10 days used
			"on_track": self._case(passage="2026-03-11", contract="2026-03-10"),
			"overdue": self._case(passage="2026-02-20", contract="2026-02-19"),  # due 6 March
			"missed": self._case(
				passage="2026-02-20", contract="2026-02-20", activated="2026-03-09 10:00:00"
			),
			"met": self._case(passage="2026-02-20", contract="2026-02-20", activated="2026-03-06 18:00:00"),
			"paused": self._case(passage="2026-03-02", contract="2026-03-04"),
			"carnival": self._case(n=10, passage="2026-02-13", contract="2026-02-13"),
			"cancelled": self._case(passage="2026-02-20", contract="2026-02-20", cancelled=True),
		}
		paused = cases["paused"]
		paused.append(
			"sla_pauses", {"from_date": "2026-03-09", "to_date": "2026-03-11", "reason": "Prédio fechado"}
		)
		paused.save(ignore_permissions=True)

		summary = tasks.sweep_sla(today=today, notify=False)
		self.assertFalse(summary["errors"])
		expected = {
			"not_started": (None, None, core_sla.NOT_STARTED),
			"at_risk": ("2026-03-04", "2026-03-18", core_sla.AT_RISK),
			"on_track": ("2026-03-11", "2026-03-25", core_sla.ON_TRACK),
			"overdue": ("2026-02-20", "2026-03-06", core_sla.OVERDUE),
			"missed": ("2026-02-20", "2026-03-06", core_sla.MISSED),
			"met": ("2026-02-20", "2026-03-06", core_sla.MET),
			"paused": ("2026-03-04", "2026-03-23", core_sla.ON_TRACK),  # 3 paused business days
			"carnival": ("2026-02-13", "2026-03-03", core_sla.OVERDUE),  # 16-17 Feb are not counted
		}
		for key, (start, due, status) in expected.items():
			row = stored(cases[key].name)
			self.assertEqual(row.sla_status, status, key)
			self.assertEqual(
				getdate(row.sla_start) if row.sla_start else None, D(start) if start else None, key
			)
			self.assertEqual(getdate(row.sla_due) if row.sla_due else None, D(due) if due else None, key)
		# a cancelled case is left alone
		self.assertEqual(stored(cases["cancelled"].name).sla_status, core_sla.ON_TRACK)
		self.assertIsNone(stored(cases["cancelled"].name).sla_due)

		# the stored values are the core rule's, on the site calendar
		cal = core_get_calendar("SP")
		for key in ("at_risk", "paused"):
			doc = frappe.get_doc(CASE, cases[key].name)
			pauses = [
				core_sla.Pause(getdate(p.from_date), getdate(p.to_date), p.reason) for p in doc.sla_pauses
			]
			r = core_sla.compute_sla(
				getdate(doc.internal_passage_date),
				getdate(doc.contract_received_on),
				10,
				today,
				None,
				pauses,
				cal,
			)
			self.assertEqual((r.due, r.status), (getdate(doc.sla_due), doc.sla_status))

		# Met/Missed are final: later sweeps no longer read those cases
		tasks.sweep_sla(today=D("2026-06-01"), notify=False)
		self.assertEqual(stored(cases["met"].name).sla_status, core_sla.MET)
		self.assertEqual(stored(cases["on_track"].name).sla_status, core_sla.OVERDUE)

	@site_settings(subdivision="SP", holiday_list=None, at_risk_share=70)
	def test_sweep_query_count_does_not_grow_with_cases(self):
		today = D("2026-03-13")
		tasks.sweep_sla(today=today)  # alert whatever other tests left, so only our cases change below

		def make(k):
			for _i in range(k):
				case = self._case(passage="2026-03-02", contract="2026-03-11")
				case.append("sla_pauses", {"from_date": "2026-03-12", "reason": "Cliente ausente"})
				case.save(ignore_permissions=True)

		counts = []
		for k in (2, 12):
			make(k)
			with count_queries() as changed_run:
				summary = tasks.sweep_sla(today=today, notify=False)
			self.assertGreaterEqual(summary["changed"], k)
			with count_queries() as steady_run:
				summary = tasks.sweep_sla(today=today)
			self.assertEqual(summary["changed"], 0)
			self.assertEqual(summary["alerted"], [])
			counts.append((changed_run["queries"], steady_run["queries"]))
		self.assertEqual(counts[0], counts[1], counts)
		self.assertLessEqual(max(counts[1]), 5, counts)

	@site_settings(subdivision="SP", holiday_list=None, at_risk_share=70)
	def test_alerts_once_per_status_change_with_todo_and_timeline(self):
		case = self._case(passage="2026-03-02", contract="2026-03-04")  # due 18 March
		tasks.sweep_sla(today=D("2026-03-12"))  # 6 of 10 days: On Track
		self.assertEqual(stored(case.name).sla_status, core_sla.ON_TRACK)
		self.assertEqual(mails(CASE, case.name), [])

		for _run in range(2):
			summary = tasks.sweep_sla(today=D("2026-03-13"))
		self.assertEqual(stored(case.name).sla_status, core_sla.AT_RISK)
		queue = mails(CASE, case.name)
		self.assertEqual(len(queue), 1)
		self.assertIn(MANAGER, recipients(queue[0].name))
		self.assertIn(case.name, queue[0].message)
		self.assertTrue(
			frappe.db.exists("Fiber Notification Log", alert_key(case.name, "At Risk", D("2026-03-18")))
		)
		todos = frappe.get_all(
			"ToDo",
			filters={"reference_type": CASE, "reference_name": case.name, "status": "Open"},
			pluck="allocated_to",
		)
		self.assertIn(MANAGER, todos)
		self.assertTrue(
			frappe.db.exists(
				"Comment", {"reference_doctype": CASE, "reference_name": case.name, "comment_type": "Info"}
			)
		)
		self.assertNotIn(case.name, summary["alerted"])  # the second run sent nothing

		# Overdue is a new event: one more e-mail; the manager's open ToDo is reused
		for _run in range(2):
			tasks.sweep_sla(today=D("2026-03-19"))
		self.assertEqual(stored(case.name).sla_status, core_sla.OVERDUE)
		self.assertEqual(len(mails(CASE, case.name)), 2)
		self.assertEqual(
			frappe.db.count(
				"ToDo",
				{
					"reference_type": CASE,
					"reference_name": case.name,
					"allocated_to": MANAGER,
					"status": "Open",
				},
			),
			1,
		)

	@site_settings(subdivision="SP", holiday_list=None, at_risk_share=70)
	def test_alert_backlog_is_bounded_per_run_overdue_first(self):
		today = D("2026-03-16")
		tasks.sweep_sla(today=today)  # nothing else pending
		at_risk = self._case(passage="2026-03-02", contract="2026-03-04")  # 8 of 10 days used
		overdue = self._case(passage="2026-02-20", contract="2026-02-20")  # due 6 March
		original = tasks.MAX_ALERTS_PER_RUN
		tasks.MAX_ALERTS_PER_RUN = 1
		try:
			first = tasks.sweep_sla(today=today)
			second = tasks.sweep_sla(today=today)
			third = tasks.sweep_sla(today=today)
		finally:
			tasks.MAX_ALERTS_PER_RUN = original
		self.assertEqual((first["alerted"], first["alerts_pending"]), ([overdue.name], 1))
		self.assertEqual((second["alerted"], second["alerts_pending"]), ([at_risk.name], 0))
		self.assertEqual(third["alerted"], [])
		self.assertEqual(len(mails(CASE, overdue.name)), 1)
		self.assertEqual(len(mails(CASE, at_risk.name)), 1)

	@site_settings(subdivision="SP", holiday_list=None, at_risk_share=70)
	def test_alert_reaches_the_case_assignee(self):
		case = self._case(passage="2026-03-02", contract="2026-03-04")
		from frappe.desk.form.assign_to import add as assign

		assign({"assign_to": [ASSIGNEE], "doctype": CASE, "name": case.name}, ignore_permissions=True)
		tasks.sweep_sla(today=D("2026-03-19"))
		queue = mails(CASE, case.name)
		self.assertEqual(len(queue), 1)
		self.assertTrue({ASSIGNEE, MANAGER} <= recipients(queue[0].name))

	@site_settings(subdivision="SP", holiday_list=None, at_risk_share=70)
	def test_status_set_by_the_controller_is_alerted_by_the_next_sweep(self):
		case = self._case(passage="2026-03-02", contract="2026-03-04")
		refresh_case_sla(
			frappe.get_doc(CASE, case.name), on=D("2026-03-19")
		)  # the case itself turned Overdue
		self.assertEqual(stored(case.name).sla_status, core_sla.OVERDUE)
		self.assertEqual(mails(CASE, case.name), [])
		summary = tasks.sweep_sla(today=D("2026-03-19"))
		self.assertEqual(summary["changed"], 0)
		self.assertIn(case.name, summary["alerted"])
		tasks.sweep_sla(today=D("2026-03-19"))
		self.assertEqual(len(mails(CASE, case.name)), 1)

	def test_send_due_projects_once_on_the_first_business_day_after_payment(self):
		due_case, due_project = paid_case(days_ago=2)
		not_due_case, not_due_project = paid_case(days_ago=0)  # paid today: goes out on the next business day
		for project in (due_project, not_due_project):
			project.project_file = attach_file(
				project.doctype, project.name, "projeto.pdf", b"%PDF-1.4 projeto"
			)
			project.save(ignore_permissions=True)
		no_file_case, no_file_project = paid_case(days_ago=3)

		first = tasks.send_due_projects()
		second = tasks.send_due_projects()
		self.assertIn(due_project.name, first)
		self.assertNotIn(not_due_project.name, first)
		self.assertNotIn(no_file_project.name, first)
		self.assertEqual(second, [])
		self.assertEqual(frappe.db.get_value("Fiber Project", due_project.name, "workflow_state"), "Sent")
		self.assertEqual(
			frappe.db.get_value("Fiber Project", not_due_project.name, "workflow_state"), "Drafting"
		)
		self.assertEqual(len(mails("Fiber Project", due_project.name)), 1)
		self.assertEqual(mails("Fiber Project", not_due_project.name), [])

	@site_settings(subdivision="SP", holiday_list=None)
	def test_due_projects_follow_the_calendar_across_carnival(self):
		case, project = paid_case(days_ago=2)
		project.project_file = attach_file(project.doctype, project.name, "projeto.pdf", b"%PDF-1.4 projeto")
		project.save(ignore_permissions=True)
		frappe.db.set_value(CASE, case.name, "paid_on", "2026-02-13")  # Friday before Carnival
		self.assertNotIn(project.name, tasks.due_projects(D("2026-02-16")))
		self.assertNotIn(project.name, tasks.due_projects(D("2026-02-17")))
		self.assertIn(project.name, tasks.due_projects(D("2026-02-18")))  # Ash Wednesday

	def test_close_test_phases_activates_once(self):
		case, project, circuit = testing_circuit()
		self.assertEqual(circuit.workflow_state, "Testing")
		self.assertEqual(tasks.close_test_phases()["activated"], [])  # 48 h not over yet
		frappe.db.set_value("Circuit", circuit.name, "test_ends_at", add_to_date(now_datetime(), hours=-1))

		first = tasks.close_test_phases()
		second = tasks.close_test_phases()
		self.assertEqual(first["activated"], [circuit.name])
		self.assertEqual(second["activated"], [])
		self.assertEqual(frappe.db.get_value("Circuit", circuit.name, "workflow_state"), "Active")
		self.assertTrue(frappe.db.exists("Fiber Notification Log", f"activation:{circuit.name}"))
		activation = [
			m for m in mails("Circuit", circuit.name) if "pronto para uso" in m.message.replace("=\n", "")
		]
		self.assertEqual(len(activation), 1)
		self.assertTrue(frappe.db.get_value(CASE, case.name, "activated_on"))

	def test_close_test_phases_blocked_alerts_staff_once(self):
		case, project, circuit = testing_circuit()
		circuit_service.report_problem(circuit, "Link cai à noite", "Administrator")
		frappe.db.set_value("Circuit", circuit.name, "test_ends_at", add_to_date(now_datetime(), hours=-2))
		before = len(mails("Circuit", circuit.name))

		first = tasks.close_test_phases()
		second = tasks.close_test_phases()
		self.assertIn(circuit.name, first["blocked"])
		self.assertTrue(first["blocked"][circuit.name])
		self.assertIn(circuit.name, second["blocked"])
		self.assertEqual(frappe.db.get_value("Circuit", circuit.name, "workflow_state"), "Testing")
		alerts = mails("Circuit", circuit.name)[before:]
		self.assertEqual(len(alerts), 1)
		self.assertTrue({MANAGER, ACTIVATOR} <= recipients(alerts[0].name))
		self.assertTrue(
			frappe.db.exists(
				"ToDo",
				{"reference_type": "Circuit", "reference_name": circuit.name, "allocated_to": ACTIVATOR},
			)
		)
