"""Integration: the process gates on a real site.

Every gate of every guarded transition blocks it when its condition is false, with a translated message listing
the reason (and nothing moves); the case's stage is derived from the documents; the full path from the portal
registration to the active circuit goes through the real services.
"""

from __future__ import annotations

import frappe
from frappe.utils import add_days, add_to_date, getdate, now_datetime, nowdate

from fiber_onboarding.core import process
from fiber_onboarding.fiber_onboarding.onboarding_service import RegistrationError, register_case
from fiber_onboarding.tests.test_workflows import (
	VALID_CNPJS,
	World,
	make_case,
	make_proposal,
	registration_data,
	role_user,
	take,
)
from fiber_onboarding.utils import gates

try:
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase

CASE = "Fiber Onboarding"


def use_portuguese():
	"""Compile the app's pt_BR catalogue (the site's assets) and switch the request language to pt-BR."""
	from frappe.gettext.translate import compile_translations
	from frappe.translate import clear_cache

	compile_translations("fiber_onboarding", "pt_BR", force=True)
	clear_cache()
	frappe.local.lang = "pt-BR"


def break_gate(world: World, gate: str, doctype: str):
	"""Make ``gate`` false in the world (after ``world.put``), leaving the other gates as they are."""
	case, project, circuit = world.case.name, world.project_name, world.circuit_name
	if gate == "not_cancelled":
		frappe.db.set_value(CASE, case, {"cancelled": 1, "cancel_reason": "Desistência"})
	elif gate == "proposal_valid":
		frappe.db.set_value("Fiber Proposal", world.proposal.name, "valid_until", add_days(nowdate(), -1))
	elif gate == "setup_fee_paid":
		frappe.db.set_value(CASE, case, "paid_on", None)
	elif gate == "project_send_date":
		frappe.db.set_value(CASE, case, "paid_on", nowdate())
	elif gate == "execution_date_chosen":
		frappe.db.set_value("Fiber Project", project, "execution_date", None)
	elif gate == "project_approved":
		if doctype == "Fiber Project":
			frappe.db.set_value("Fiber Project", project, "execution_date", None)
		else:
			frappe.db.set_value("Fiber Project", project, "workflow_state", "Sent")
	elif gate == "internal_survey":
		frappe.db.set_value("Fiber Project", project, "internal_passage_date", add_days(nowdate(), -1))
	elif gate == "implementation_report":
		frappe.db.set_value("Fiber Project", project, "implementation_report_sent_on", None)
	elif gate == "test_phase_ended":
		frappe.db.set_value("Circuit", circuit, "test_ends_at", add_to_date(now_datetime(), hours=20))
	elif gate == "contract_accepted":
		frappe.db.set_value("Fiber Contract", world.contract_name, "workflow_state", "Signed Uploaded")
	elif gate == "readings":
		row = frappe.get_all("Circuit Optical Reading", filters={"parent": circuit}, pluck="name", limit=1)[0]
		frappe.db.set_value("Circuit Optical Reading", row, "power_dbm", -31.5)
	elif gate == "no_open_problem":
		frappe.db.set_value("Circuit", circuit, {"problem_reported": 1, "problem_resolved": 0})
	else:
		raise AssertionError(gate)


GUARDED = [
	(w.doctype, t, gate) for w in process.WORKFLOWS.values() for t in w.transitions for gate in t.gates
]


class TestEveryGateBlocks(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		use_portuguese()
		cls.world = World()

	@classmethod
	def tearDownClass(cls):
		frappe.local.lang = "en"
		super().tearDownClass()

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_every_gate_of_every_transition(self):
		self.assertTrue(GUARDED)
		for doctype, t, gate in GUARDED:
			label = f"{doctype}: {t.action} / {gate}"
			doc = self.world.put(doctype, t.state)
			break_gate(self.world, gate, doctype)
			doc = frappe.get_doc(doctype, doc.name)
			expected = gates.render_all(process.GATES[gate](gates.facts_for(doc)))
			self.assertTrue(expected, label)
			staff = [r for r in t.roles if r != process.SYSTEM]
			user = role_user(staff[0]) if staff else None
			with self.assertRaises(gates.GateError, msg=label) as caught:
				take(doc, t.action, t.next_state, user=user)
			message = str(caught.exception)
			for reason in expected:
				self.assertIn(frappe.utils.escape_html(reason), message, label)
			self.assertIn("não pode passar", message, label)
			self.assertEqual(frappe.db.get_value(doctype, doc.name, "workflow_state"), t.state, label)

	def test_messages_are_translated(self):
		doc = self.world.put("Circuit", "Testing")
		break_gate(self.world, "test_phase_ended", "Circuit")
		break_gate(self.world, "contract_accepted", "Circuit")
		with self.assertRaises(gates.GateError) as caught:
			take(
				frappe.get_doc("Circuit", doc.name), "Activate", "Active", user=role_user(process.ACTIVATION)
			)
		message = str(caught.exception)
		self.assertIn("O contrato assinado ainda não foi aceito.", message)
		self.assertIn("A fase de testes termina em", message)
		self.assertIn("encerrá-la antes exige um motivo", message)

	def test_early_close_with_a_reason_by_activation(self):
		doc = self.world.put("Circuit", "Testing")
		break_gate(self.world, "test_phase_ended", "Circuit")
		frappe.db.set_value(
			"Circuit", doc.name, "early_close_reason", "Cliente validou o serviço com o técnico"
		)
		result = take(
			frappe.get_doc("Circuit", doc.name), "Activate", "Active", user=role_user(process.ACTIVATION)
		)
		self.assertEqual(result.workflow_state, "Active")

	def test_early_close_reason_does_not_help_other_roles(self):
		# a Field Technician cannot activate at all; the Manager may; Projects has no such action
		doc = self.world.put("Circuit", "Testing")
		break_gate(self.world, "test_phase_ended", "Circuit")
		frappe.db.set_value("Circuit", doc.name, "early_close_reason", "   ")
		with self.assertRaises(gates.GateError):
			take(frappe.get_doc("Circuit", doc.name), "Activate", "Active", user=role_user(process.MANAGER))

	def test_open_erpnext_issue_blocks_activation(self):
		doc = self.world.put("Circuit", "Testing")
		issue = frappe.get_doc(
			{
				"doctype": "Issue",
				"subject": "Link instável durante os testes",
				"customer": self.world.case.customer,
				"raised_by": self.world.case.tech_email,
			}
		).insert(ignore_permissions=True)
		with self.assertRaises(gates.GateError) as caught:
			take(
				frappe.get_doc("Circuit", doc.name), "Activate", "Active", user=role_user(process.ACTIVATION)
			)
		self.assertIn(issue.name, str(caught.exception))
		issue.db_set("status", "Closed")
		result = take(
			frappe.get_doc("Circuit", doc.name), "Activate", "Active", user=role_user(process.ACTIVATION)
		)
		self.assertEqual(result.workflow_state, "Active")

	def test_case_blockers_api_lists_reasons(self):
		self.world.put("Circuit", "Testing")
		break_gate(self.world, "readings", "Circuit")
		case = frappe.get_doc(CASE, self.world.case.name)
		rows = case.get_blockers()
		activate = next(r for r in rows if r["doctype"] == "Circuit" and r["action"] == "Ativar")
		self.assertTrue(any("-31.5" in b for b in activate["blockers"]), activate)


class TestCaseStage(TestCase):
	def tearDown(self):
		frappe.set_user("Administrator")

	def test_stage_follows_the_documents(self):
		world = World()
		case = frappe.get_doc(CASE, world.case.name)
		expectations = [
			("Fiber Project", "Awaiting Payment", "Circuit", "Planned", None, "Awaiting Payment"),
			("Fiber Project", "Awaiting Payment", "Circuit", "Planned", 1, "Project Drafting"),
			("Fiber Project", "Drafting", "Circuit", "Planned", 1, "Project Drafting"),
			("Fiber Project", "Sent", "Circuit", "Planned", 1, "Awaiting Project Approval"),
			("Fiber Project", "Approved", "Circuit", "Planned", 1, "Execution Scheduled"),
			("Fiber Project", "Internal Execution", "Circuit", "Provisioning", 1, "Internal Execution"),
			("Fiber Project", "External Execution", "Circuit", "Provisioning", 1, "External Execution"),
			("Fiber Project", "Done", "Circuit", "Testing", 1, "Test Phase"),
			("Fiber Project", "Done", "Circuit", "Active", 1, "Active"),
		]
		for _p, project_state, _c, circuit_state, paid, stage in expectations:
			frappe.db.set_value("Fiber Project", world.project_name, "workflow_state", project_state)
			frappe.db.set_value("Circuit", world.circuit_name, "workflow_state", circuit_state)
			frappe.db.set_value(CASE, case.name, "paid_on", nowdate() if paid else None)
			case.reload()
			self.assertEqual(case.refresh_stage(), stage)
			self.assertEqual(frappe.db.get_value(CASE, case.name, "stage"), stage)
		case.reload()
		case.cancelled = 1
		case.cancel_reason = "Cliente desistiu"
		case.save(ignore_permissions=True)
		self.assertEqual(frappe.db.get_value(CASE, case.name, "stage"), "Cancelled")
		comments = frappe.get_all(
			"Comment",
			filters={"reference_doctype": CASE, "reference_name": case.name, "comment_type": "Info"},
		)
		self.assertGreaterEqual(len(comments), len(expectations))

	def test_milestones_are_copied_from_the_documents(self):
		world = World()
		execution = add_days(nowdate(), 7)
		frappe.db.set_value(
			"Fiber Project",
			world.project_name,
			{"execution_date": execution, "internal_passage_date": nowdate(), "prior_visit_requested": 1},
		)
		ends = add_to_date(now_datetime(), hours=30)
		frappe.db.set_value("Circuit", world.circuit_name, {"test_ends_at": ends})
		case = frappe.get_doc(CASE, world.case.name)
		changed = case.sync_milestones()
		self.assertIn("execution_date", changed)
		case.reload()
		self.assertEqual(getdate(case.execution_date), getdate(execution))
		self.assertEqual(getdate(case.internal_passage_date), getdate(nowdate()))
		self.assertEqual(case.prior_visit_requested, 1)
		self.assertEqual(case.project, world.project_name)
		self.assertEqual(case.circuit, world.circuit_name)
		self.assertEqual(case.sync_milestones(), {})

	def test_case_validation(self):
		with self.assertRaises(frappe.ValidationError):
			make_case(cnpj="11222333000182")
		with self.assertRaises(frappe.ValidationError):
			make_case(legal_cpf="11111111111")
		with self.assertRaises(frappe.ValidationError):
			make_case(cep="123")
		with self.assertRaises(frappe.ValidationError):
			make_case(tech_email="joao@")
		case = make_case(cnpj="12.abc.345/01de-35", cep="01310-100", legal_cpf="529.982.247-25")
		self.assertEqual(case.cnpj, "12ABC34501DE35")
		self.assertEqual(case.cep, "01310100")
		self.assertEqual(case.legal_cpf, "52998224725")
		self.assertEqual(case.stage, "Awaiting Payment")
		self.assertTrue(case.name.startswith("ONB-"))


class TestRegistration(TestCase):
	def tearDown(self):
		frappe.set_user("Administrator")

	def approved_proposal(self, cnpj=None, **values):
		proposal = make_proposal(cnpj, **values)
		frappe.db.set_value("Fiber Proposal", proposal.name, "workflow_state", "Approved")
		return frappe.get_doc("Fiber Proposal", proposal.name)

	def test_unusable_proposals_are_refused_and_nothing_is_created(self):
		before = frappe.db.count(CASE)
		with self.assertRaises(RegistrationError):
			register_case("NAO-EXISTE-123", registration_data())
		draft = make_proposal()
		with self.assertRaises(RegistrationError):
			register_case(draft.name, registration_data())
		expired = self.approved_proposal()
		frappe.db.set_value("Fiber Proposal", expired.name, "valid_until", add_days(nowdate(), -1))
		with self.assertRaises(RegistrationError):
			register_case(expired.name, registration_data())
		other = self.approved_proposal(cnpj=VALID_CNPJS[1])
		with self.assertRaises(RegistrationError):
			register_case(other.name, registration_data(cnpj=VALID_CNPJS[2]))
		bad = self.approved_proposal()
		with self.assertRaises(RegistrationError):
			register_case(bad.name, registration_data(cnpj="11222333000182"))
		with self.assertRaises(RegistrationError):
			register_case(bad.name, registration_data(legal_email=""))
		self.assertEqual(frappe.db.count(CASE), before)


class TestFullPath(TestCase):
	"""Registration to activation through the real services and workflows."""

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_registration_to_active(self):
		from fiber_onboarding.fiber_billing import boleto_service
		from fiber_onboarding.fiber_contracts import contract_service
		from fiber_onboarding.fiber_field import circuit_service, project_service
		from fiber_onboarding.fiber_field.common import add_business_days
		from fiber_onboarding.utils.workflow import advance

		sales = role_user(process.SALES)
		projects, activation = role_user(process.PROJECTS), role_user(process.ACTIVATION)

		# sales: the proposal is sent and approved
		cnpj = VALID_CNPJS[3]
		proposal = make_proposal(cnpj)
		take(proposal, "Send", "Sent", user=sales)
		take(frappe.get_doc("Fiber Proposal", proposal.name), "Approve", "Approved", user=sales)

		# the customer registers on the portal
		portal_user = f"{frappe.generate_hash(length=10)}@cliente.example.com"
		in_import, frappe.flags.in_import = frappe.flags.in_import, True  # user-creation throttle
		frappe.get_doc(
			{
				"doctype": "User",
				"email": portal_user,
				"first_name": "Cliente",
				"user_type": "Website User",
				"send_welcome_email": 0,
				"roles": [{"role": process.CUSTOMER}],
			}
		).insert(ignore_permissions=True)
		frappe.flags.in_import = in_import
		case = register_case(proposal.name.lower(), registration_data(cnpj=cnpj), portal_user)
		self.assertEqual(frappe.db.get_value("Fiber Proposal", proposal.name, "workflow_state"), "Registered")
		self.assertEqual(frappe.db.get_value("Fiber Proposal", proposal.name, "onboarding"), case.name)
		self.assertTrue(case.customer and case.boleto and case.project and case.circuit and case.contract)
		self.assertEqual(case.stage, "Awaiting Payment")
		self.assertEqual(frappe.db.get_value("Fiber Contract", case.contract, "workflow_state"), "Sent")
		self.assertIn(portal_user, [r.user for r in frappe.get_doc("Customer", case.customer).portal_users])
		with self.assertRaises(RegistrationError):
			register_case(proposal.name, registration_data(cnpj=cnpj), portal_user)

		# nothing moves before the payment
		project = frappe.get_doc("Fiber Project", case.project)
		with self.assertRaises(gates.GateError):
			take(project, "Confirm Payment", "Drafting")

		# finance confirms the payment (paid a few business days ago, so the project may be sent today)
		paid_on = add_business_days(getdate(nowdate()), -3)
		boleto = frappe.get_doc("Fiber Boleto", case.boleto)
		if boleto.status not in ("Registered", "Submitted"):
			boleto.db_set("status", "Registered")
		# (run as Administrator: a user holding only Fiber Finance lacks ERPNext's Account permissions that
		# Payment Entry needs to read the bank balance; the billing module owns that)
		boleto_service.mark_paid_manually(case.boleto, boleto.amount, paid_on)
		case.reload()
		self.assertEqual(getdate(case.paid_on), paid_on)
		self.assertEqual(frappe.db.get_value("Fiber Project", case.project, "workflow_state"), "Drafting")
		self.assertEqual(case.stage, "Project Drafting")

		# projects: the project document is attached and sent
		project = frappe.get_doc("Fiber Project", case.project)
		file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": "projeto.pdf",
				"content": b"%PDF-1.4 projeto",
				"is_private": 1,
				"attached_to_doctype": "Fiber Project",
				"attached_to_name": project.name,
			}
		).insert(ignore_permissions=True)
		project.db_set("project_file", file.file_url)
		frappe.set_user(projects)
		project_service.send_project(project.name, as_system=False)
		frappe.set_user("Administrator")
		case.reload()
		self.assertEqual(case.stage, "Awaiting Project Approval")

		# the technical contact approves and chooses the date
		day = project_service.allowed_execution_dates(project.name, 1)[0]
		project_service.approve_project(project.name, day, user=portal_user)
		case.reload()
		self.assertEqual(case.stage, "Execution Scheduled")
		self.assertEqual(getdate(case.execution_date), day)

		# internal survey and passage (recorded today)
		visit = project_service.schedule_internal_survey(project.name, scheduled_date=nowdate())
		for row in visit.checklist:
			row.done = 1
		visit.status = "Done"
		visit.save(ignore_permissions=True)
		project_service.register_internal_passage(project.name, nowdate(), as_system=True)
		case.reload()
		self.assertEqual(case.stage, "Internal Execution")
		project_service.start_external_execution(project.name, as_system=True)
		case.reload()
		self.assertEqual(case.stage, "External Execution")

		# the circuit is built and measured, the implementation report starts the test phase
		circuit = frappe.get_doc("Circuit", case.circuit)
		circuit.circuit_id = "SP-" + frappe.generate_hash(length=6).upper()
		circuit.append("readings", {"point": "OLT", "power_dbm": -15.1, "measured_on": now_datetime()})
		circuit.append("readings", {"point": "CPE", "power_dbm": -18.7, "measured_on": now_datetime()})
		circuit.save(ignore_permissions=True)
		project_service.send_implementation_report(project.name, as_system=True)
		case.reload()
		self.assertEqual(case.stage, "Test Phase")
		self.assertTrue(case.test_phase_ends_at)

		# activation is blocked: test phase running, contract not accepted
		blockers = circuit_service.activation_blockers(case.circuit)
		self.assertEqual(len(blockers), 2, blockers)

		# the legal responsible's signed upload, checked, is accepted by sales
		contract = frappe.get_doc("Fiber Contract", case.contract)
		contract.append(
			"uploads",
			{
				"file_name": "assinado.pdf",
				"uploaded_on": now_datetime(),
				"uploaded_by": case.legal_email,
				"status": "Checked",
				"decision": "Accept",
			},
		)
		contract.save(ignore_permissions=True)
		contract.db_set("latest_upload", contract.uploads[-1].name)
		advance(contract, "Upload Signed", as_system=True, actor=case.legal_email)
		frappe.set_user(sales)
		contract_service.accept(frappe.get_doc("Fiber Contract", case.contract))
		frappe.set_user("Administrator")
		case.reload()
		self.assertEqual(getdate(case.contract_received_on), getdate(nowdate()))

		# activation closes the test phase early with a reason
		frappe.set_user(activation)
		circuit_service.early_close(case.circuit, "Cliente validou o link com o técnico no local")
		frappe.set_user("Administrator")
		case.reload()
		self.assertEqual(frappe.db.get_value("Circuit", case.circuit, "workflow_state"), "Active")
		self.assertEqual(case.stage, "Active")
		self.assertTrue(case.activated_on)
		self.assertTrue(case.sla_start)


class TestFunnelReport(TestCase):
	"""The Script Report over cases registered in March 2020 (no other test writes that far back)."""

	def make(self, stage: str, sla_status: str, **milestones):
		case = make_case()
		frappe.db.set_value(CASE, case.name, {"stage": stage, "sla_status": sla_status, **milestones})
		return case.name

	def test_counts_durations_and_sla(self):
		from fiber_onboarding.fiber_onboarding.report.onboarding_funnel_and_sla import (
			onboarding_funnel_and_sla as report,
		)

		# Monday 2 March 2020 -> Thursday 5 March: 3 business days awaiting payment
		self.make("Project Drafting", "Not Started", registered_on="2020-03-02", paid_on="2020-03-05")
		self.make(
			"Active",
			"Met",
			registered_on="2020-03-02",
			paid_on="2020-03-03",
			project_sent_on="2020-03-04",
			project_approved_on="2020-03-06",
			internal_passage_date="2020-03-12",
			test_phase_started_at="2020-03-20 10:00:00",
			activated_on="2020-03-23 10:00:00",
		)
		self.make("Test Phase", "Overdue", registered_on="2020-03-09", paid_on="2020-03-10")
		cancelled = self.make("Awaiting Payment", "Not Started", registered_on="2020-03-10")
		frappe.db.set_value(CASE, cancelled, {"cancelled": 1, "stage": "Cancelled"})

		columns, data, _msg, chart, summary = report.execute(
			{"from_date": "2020-03-01", "to_date": "2020-03-31"}
		)
		rows = {r["stage_key"]: r for r in data}
		self.assertEqual([r["stage_key"] for r in data], list(process.STAGES))
		self.assertEqual(rows["Project Drafting"]["cases"], 1)
		self.assertEqual(rows["Active"]["cases"], 1)
		self.assertEqual(rows["Test Phase"]["cases"], 1)
		self.assertEqual(rows["Cancelled"]["cases"], 0)  # excluded unless asked
		self.assertEqual(rows["Test Phase"]["overdue"], 1)
		self.assertEqual(rows["Active"]["met"], 1)
		self.assertEqual(rows["Active"]["sla_met_percent"], 100.0)
		# awaiting payment: 3, 1 and 1 business days -> 1.7
		self.assertEqual(rows["Awaiting Payment"]["avg_business_days"], 1.7)
		# execution scheduled: 6 -> 12 March = 4 business days
		self.assertEqual(rows["Execution Scheduled"]["avg_business_days"], 4.0)
		self.assertEqual(rows["Test Phase"]["avg_business_days"] is not None, True)
		self.assertEqual(summary[0]["value"], 3)
		self.assertEqual(chart["data"]["datasets"][0]["values"][0], 0)
		self.assertTrue(any(c["fieldname"] == "avg_business_days" for c in columns))

		_c, with_cancelled, *_rest = report.execute(
			{"from_date": "2020-03-01", "to_date": "2020-03-31", "include_cancelled": 1}
		)
		self.assertEqual({r["stage_key"]: r for r in with_cancelled}["Cancelled"]["cases"], 1)

	def test_stage_durations_count_the_current_stage_until_today(self):
		from fiber_onboarding.fiber_onboarding.report.onboarding_funnel_and_sla.onboarding_funnel_and_sla import (
			stage_durations,
		)

		def days(a, b):
			return (b - a).days

		today = getdate("2020-04-10")
		running = {"stage": "Project Drafting", "registered_on": "2020-04-01", "paid_on": "2020-04-03"}
		self.assertEqual(
			stage_durations(running, days, today), {"Awaiting Payment": 2, "Project Drafting": 7}
		)
		done = {"stage": "Active", "registered_on": "2020-04-01", "activated_on": "2020-04-09 10:00:00"}
		self.assertEqual(stage_durations(done, days, today), {"Awaiting Payment": 8})

	def test_report_applies_the_portal_row_filter(self):
		from fiber_onboarding.fiber_onboarding.report.onboarding_funnel_and_sla import (
			onboarding_funnel_and_sla as report,
		)

		self.make("Project Drafting", "Not Started", registered_on="2020-03-02")
		customer_user = role_user(process.CUSTOMER)
		frappe.set_user(customer_user)
		try:
			with self.assertRaises(frappe.PermissionError):
				report.execute({"from_date": "2020-03-01", "to_date": "2020-03-31"})
		finally:
			frappe.set_user("Administrator")


class TestDemo(TestCase):
	"""The demo data: every stage reached through the real services of every module."""

	def test_a_case_in_every_stage_and_idempotent(self):
		from fiber_onboarding.setup.demo import make_demo

		result = make_demo()
		self.assertEqual(set(result["cases"]), set(process.STAGES))
		for stage, name in result["cases"].items():
			self.assertEqual(frappe.db.get_value(CASE, name, "stage"), stage, name)
		active = frappe.get_doc(CASE, result["cases"]["Active"])
		self.assertEqual(frappe.db.get_value("Circuit", active.circuit, "workflow_state"), "Active")
		self.assertEqual(frappe.db.get_value("Fiber Contract", active.contract, "workflow_state"), "Accepted")
		self.assertEqual(active.sla_status, "Met")
		self.assertTrue(frappe.db.get_value(CASE, result["cases"]["Cancelled"], "cancelled"))
		self.assertEqual(
			frappe.db.get_value("Fiber Proposal", "DEMO-P-APROVADA", "workflow_state"), "Approved"
		)
		self.assertEqual(make_demo()["cases"], result["cases"])
