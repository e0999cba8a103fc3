"""Integration: the four Workflows on a real site.

For every transition of every workflow, a user holding only an allowed role takes it and a user holding only
another role cannot; the records created on install match ``core.process``; the state history is kept.
The documents are put in the state under test with ``db_set`` (test setup only) and moved with the workflow.
"""

from __future__ import annotations

import frappe
from frappe.model.workflow import WorkflowTransitionError, apply_workflow, get_transitions
from frappe.utils import add_days, add_to_date, getdate, now_datetime, nowdate

from fiber_onboarding.core import process
from fiber_onboarding.fiber_field.common import service_transition
from fiber_onboarding.setup.roles import ensure_roles
from fiber_onboarding.setup.workflows import ensure_workflows, workflow_doc
from fiber_onboarding.utils.workflow import advance

try:
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase

CASE = "Fiber Onboarding"
VALID_CNPJS = ("11222333000181", "11444777000161", "45997418000153", "04252011000110", "33000167000101")
LEGAL_CPF = "52998224725"
DENIED = (WorkflowTransitionError, frappe.PermissionError)


# ---------------------------------------------------------------------------------------------------------------
# Factories (shared with test_gates)
# ---------------------------------------------------------------------------------------------------------------
def unique(prefix: str) -> str:
	return f"{prefix}-{frappe.generate_hash(length=8).upper()}"


def role_user(role: str) -> str:
	"""A user holding ``role`` only (the portal role makes a Website User)."""
	email = "fo-" + role.lower().replace(" ", "-") + "@roles.example.com"
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": role,
				"user_type": "Website User" if role == process.CUSTOMER else "System User",
				"send_welcome_email": 0,
			}
		)
		# the shared test site creates many users: Frappe's 60-per-hour throttle skips imports
		in_import, frappe.flags.in_import = frappe.flags.in_import, True
		try:
			user.insert(ignore_permissions=True)
		finally:
			frappe.flags.in_import = in_import
		user.add_roles(role)
	return email


def make_customer(portal_user: str | None = None) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": unique("Empresa Teste"),
			"customer_type": "Company",
			"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}, "name"),
			"territory": frappe.db.get_value("Territory", {"is_group": 0}, "name"),
		}
	)
	if portal_user:
		doc.append("portal_users", {"user": portal_user})
	return doc.insert(ignore_permissions=True).name


def make_proposal(cnpj: str | None = None, **values):
	doc = frappe.get_doc(
		{
			"doctype": "Fiber Proposal",
			"proposal_number": unique("PROP"),
			"company_name": "Empresa Teste Ltda",
			"cnpj": cnpj,
			"valid_until": add_days(nowdate(), 30),
			"bandwidth_mbps": 500,
			"term_months": 36,
			"sla_business_days": 20,
			"setup_fee": 1500,
			"monthly_fee": 899.9,
			**values,
		}
	)
	return doc.insert(ignore_permissions=True)


def registration_data(cnpj: str = VALID_CNPJS[0], **values) -> dict:
	return {
		"company_name": "Empresa Teste Ltda",
		"cnpj": cnpj,
		"site_identifier": "empresa-teste",
		"address_line1": "Avenida Paulista",
		"address_number": "1000",
		"neighborhood": "Bela Vista",
		"city": "São Paulo",
		"state": "SP",
		"cep": "01310-100",
		"legal_name": "Maria da Silva Souza",
		"legal_cpf": LEGAL_CPF,
		"legal_email": "maria@empresa-teste.example.com",
		"legal_phone": "+55 11 99999-0000",
		"tech_name": "João Pereira",
		"tech_email": "joao@empresa-teste.example.com",
		**values,
	}


def make_case(cnpj: str = VALID_CNPJS[0], paid_on=None, **values):
	"""A case inserted directly (customer and proposal included), without running the registration services."""
	proposal = make_proposal(cnpj)
	data = registration_data(cnpj)
	data.update(values)
	case = frappe.get_doc(
		{
			"doctype": CASE,
			**data,
			"proposal": proposal.name,
			"customer": make_customer(),
			"paid_on": paid_on,
			"sla_business_days": 20,
		}
	).insert(ignore_permissions=True)
	proposal.db_set({"onboarding": case.name, "customer": case.customer})
	return case


class World:
	"""A case with every document, reset before each step so that every gate passes ("happy" facts)."""

	def __init__(self):
		from fiber_onboarding.fiber_field.project_service import create_project

		self.case = make_case(paid_on=add_days(nowdate(), -10))
		self.proposal = frappe.get_doc("Fiber Proposal", self.case.proposal)
		project = create_project(self.case)
		self.project_name = project.name
		self.circuit_name = project.circuit
		contract = frappe.get_doc(
			{
				"doctype": "Fiber Contract",
				"onboarding": self.case.name,
				"customer": self.case.customer,
				"proposal": self.case.proposal,
				"legal_name": self.case.legal_name,
				"legal_cpf": self.case.legal_cpf,
				"legal_email": self.case.legal_email,
			}
		).insert(ignore_permissions=True)
		self.contract_name = contract.name
		self.case.db_set("contract", contract.name)
		today = getdate(nowdate())
		frappe.get_doc(
			{
				"doctype": "Site Visit",
				"visit_type": "Internal Survey",
				"status": "Done",
				"onboarding": self.case.name,
				"project": project.name,
				"scheduled_date": today,
				"done_on": today,
				"checklist": [{"item": "Rota interna conferida", "done": 1}],
			}
		).insert(ignore_permissions=True)
		circuit = frappe.get_doc("Circuit", self.circuit_name)
		circuit.circuit_id = unique("CIR")
		circuit.append("readings", {"point": "OLT", "power_dbm": -14.2, "measured_on": now_datetime()})
		circuit.append("readings", {"point": "CPE", "power_dbm": -19.5, "measured_on": now_datetime()})
		circuit.save(ignore_permissions=True)
		self.add_checked_upload()

	def add_checked_upload(self):
		contract = frappe.get_doc("Fiber Contract", self.contract_name)
		contract.append(
			"uploads",
			{
				"file_name": "contrato-assinado.pdf",
				"uploaded_on": now_datetime(),
				"uploaded_by": self.case.legal_email,
				"status": "Checked",
				"decision": "Accept",
			},
		)
		contract.save(ignore_permissions=True)
		contract.db_set("latest_upload", contract.uploads[-1].name)

	def reset(self):
		"""Every document in a state and with data that let every gate pass."""
		frappe.db.set_value(CASE, self.case.name, {"cancelled": 0, "paid_on": add_days(nowdate(), -10)})
		frappe.db.set_value(
			"Fiber Proposal",
			self.proposal.name,
			{"valid_until": add_days(nowdate(), 30), "workflow_state": "Approved"},
		)
		frappe.db.set_value(
			"Fiber Contract", self.contract_name, {"workflow_state": "Accepted", "rejection_reason": None}
		)
		frappe.db.set_value(
			"Fiber Project",
			self.project_name,
			{
				"workflow_state": "Done",
				"execution_date": nowdate(),
				"internal_passage_date": nowdate(),
				"implementation_report_sent_on": add_to_date(now_datetime(), hours=-60),
			},
		)
		frappe.db.set_value(
			"Circuit",
			self.circuit_name,
			{
				"workflow_state": "Testing",
				"test_started_at": add_to_date(now_datetime(), hours=-50),
				"test_ends_at": add_to_date(now_datetime(), hours=-2),
				"problem_reported": 0,
				"early_close_reason": None,
			},
		)
		for row in frappe.get_all(
			"Circuit Optical Reading", filters={"parent": self.circuit_name}, pluck="name"
		):
			frappe.db.set_value("Circuit Optical Reading", row, "power_dbm", -15.5)
		upload = frappe.db.get_value("Fiber Contract", self.contract_name, "latest_upload")
		frappe.db.set_value("Fiber Contract Upload", upload, {"status": "Checked", "decision": "Accept"})

	def doc_name(self, doctype: str) -> str:
		return {
			"Fiber Proposal": self.proposal.name,
			"Fiber Contract": self.contract_name,
			"Fiber Project": self.project_name,
			"Circuit": self.circuit_name,
		}[doctype]

	def put(self, doctype: str, state: str):
		"""The document of ``doctype`` in ``state`` (the rest of the world reset to happy facts)."""
		self.reset()
		name = self.doc_name(doctype)
		frappe.db.set_value(doctype, name, "workflow_state", state)
		if doctype == "Fiber Contract" and state == "Signed Uploaded":
			frappe.db.set_value(doctype, name, "rejection_reason", "Assinatura ilegível")
		if doctype == "Fiber Proposal":
			frappe.db.set_value(doctype, name, "lost_reason", "Cliente escolheu outro fornecedor")
		return frappe.get_doc(doctype, name)


def take(doc, action: str, next_state: str, *, user: str | None = None):
	"""Apply ``action`` as ``user`` (None: the system), announced to the field controllers' service guard."""
	with service_transition(doc.doctype, doc.name, next_state):
		if user is None:
			return advance(doc, action, as_system=True, actor="test")
		frappe.set_user(user)
		try:
			return apply_workflow(doc.as_dict(), action)
		finally:
			frappe.set_user("Administrator")


def actions_for(doc, user: str) -> list[str]:
	frappe.set_user(user)
	try:
		return [t.action for t in get_transitions(frappe.get_doc(doc.doctype, doc.name))]
	except frappe.PermissionError:
		return []
	finally:
		frappe.set_user("Administrator")


# ---------------------------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------------------------
class TestWorkflowRecords(TestCase):
	def test_records_match_the_core_tables(self):
		ensure_roles()
		ensure_workflows()
		for definition in process.WORKFLOWS.values():
			wf = frappe.get_doc("Workflow", definition.name)
			self.assertTrue(wf.is_active)
			self.assertEqual(wf.document_type, definition.doctype)
			self.assertEqual(wf.workflow_state_field, "workflow_state")
			rows = {(t.state, t.action, t.next_state, t.allowed) for t in wf.transitions}
			expected = {(t.state, t.action, t.next_state, r) for t in definition.transitions for r in t.roles}
			self.assertEqual(rows, expected, definition.name)
			self.assertEqual(
				{(s.state, s.allow_edit) for s in wf.states},
				{(s.name, r) for s in definition.states for r in s.edit_roles},
			)
			for t in wf.transitions:
				self.assertFalse(t.condition)
		for state in process.all_states():
			self.assertEqual(
				frappe.db.get_value("Workflow State", state, "style") or "", process.STATE_STYLES[state][0]
			)
		for action in process.all_actions():
			self.assertTrue(frappe.db.exists("Workflow Action Master", action))

	def test_installers_are_idempotent_and_keep_staff_edits(self):
		# staff edits (written directly: saving a Workflow rewrites the states of every document)
		frappe.db.set_value("Workflow", "Fiber Proposal", "send_email_alert", 1)
		style = frappe.db.get_value("Workflow State", "Sent", "style")
		frappe.db.set_value("Workflow State", "Sent", "style", "Info")
		try:
			before = frappe.db.count("Workflow Transition", {"parent": "Fiber Proposal"})
			ensure_roles()
			ensure_workflows()
			ensure_workflows()
			self.assertEqual(frappe.db.get_value("Workflow", "Fiber Proposal", "send_email_alert"), 1)
			self.assertEqual(frappe.db.get_value("Workflow State", "Sent", "style"), "Info")
			self.assertEqual(frappe.db.count("Workflow Transition", {"parent": "Fiber Proposal"}), before)
			self.assertEqual(frappe.db.count("Workflow", {"document_type": "Fiber Proposal"}), 1)
		finally:
			# the class shares one transaction: leave the masters as the other tests expect them
			frappe.db.set_value("Workflow State", "Sent", "style", style)
			frappe.db.set_value("Workflow", "Fiber Proposal", "send_email_alert", 0)

	def test_missing_workflow_is_recreated_and_unsaved_doc_matches(self):
		frappe.delete_doc("Workflow", "Circuit", ignore_permissions=True, force=True)
		self.assertFalse(frappe.db.exists("Workflow", "Circuit"))
		ensure_workflows()
		self.assertTrue(frappe.db.exists("Workflow", "Circuit"))
		doc = workflow_doc(process.CIRCUIT_WORKFLOW)
		self.assertEqual(
			len(doc.transitions), sum(len(t.roles) for t in process.CIRCUIT_WORKFLOW.transitions)
		)

	def test_desk_records(self):
		from fiber_onboarding.setup.desk import STAGE_CHART, ensure_desk, number_cards

		ensure_desk()
		ensure_desk()
		for card in number_cards():
			self.assertEqual(frappe.db.count("Number Card", {"name": card["name"]}), 1)
			doc = frappe.get_doc("Number Card", card["name"])
			self.assertEqual(doc.document_type, CASE)
			self.assertEqual(frappe.parse_json(doc.filters_json), card["filters"])
		self.assertTrue(frappe.db.exists("Dashboard Chart", STAGE_CHART))
		workspace = frappe.get_doc("Workspace", "Fiber Onboarding Desk")
		# no workspace may shadow the case DocType's desk routes (/app/fiber-onboarding)
		self.assertFalse(frappe.db.exists("Workspace", "Fiber Onboarding"))
		self.assertEqual(
			{c.number_card_name for c in workspace.number_cards}, {c["name"] for c in number_cards()}
		)
		self.assertTrue(frappe.db.exists("Report", "Onboarding funnel and SLA"))

	def test_roles(self):
		ensure_roles()
		for role in process.ALL_ROLES:
			self.assertTrue(frappe.db.exists("Role", role))
		self.assertEqual(frappe.db.get_value("Role", process.CUSTOMER, "desk_access"), 0)
		for role in process.STAFF_ROLES:
			self.assertEqual(frappe.db.get_value("Role", role, "desk_access"), 1)


class TestEveryTransitionByRole(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.users = {role: role_user(role) for role in process.ALL_ROLES}
		cls.world = World()

	def tearDown(self):
		frappe.set_user("Administrator")

	def check_transition(self, doctype: str, t: process.TransitionDef):
		label = f"{doctype}: {t.state} --{t.action}--> {t.next_state}"
		doc = self.world.put(doctype, t.state)
		# who is offered the action
		for role, user in self.users.items():
			offered = t.action in actions_for(doc, user)
			self.assertEqual(offered, role in t.roles, f"{label} offered to {role}")
		# a user without an allowed role cannot take it
		for role, user in self.users.items():
			if role in t.roles:
				continue
			with self.assertRaises(DENIED, msg=f"{label} taken by {role}"):
				take(doc, t.action, t.next_state, user=user)
			self.assertEqual(frappe.db.get_value(doctype, doc.name, "workflow_state"), t.state)
		# the allowed role (or the system) takes it
		staff = [r for r in t.roles if r != process.SYSTEM]
		for role in staff or [None]:
			doc = self.world.put(doctype, t.state)
			result = take(doc, t.action, t.next_state, user=self.users[role] if role else None)
			self.assertEqual(result.workflow_state, t.next_state, f"{label} by {role or 'system'}")
			self.assertEqual(frappe.db.get_value(doctype, doc.name, "workflow_state"), t.next_state)

	def test_proposal_transitions(self):
		for t in process.PROPOSAL_WORKFLOW.transitions:
			self.check_transition("Fiber Proposal", t)

	def test_contract_transitions(self):
		for t in process.CONTRACT_WORKFLOW.transitions:
			self.check_transition("Fiber Contract", t)

	def test_project_transitions(self):
		for t in process.PROJECT_WORKFLOW.transitions:
			self.check_transition("Fiber Project", t)

	def test_circuit_transitions(self):
		for t in process.CIRCUIT_WORKFLOW.transitions:
			self.check_transition("Circuit", t)

	def test_lost_needs_a_reason_and_registered_terms_are_frozen(self):
		doc = self.world.put("Fiber Proposal", "Sent")
		frappe.db.set_value("Fiber Proposal", doc.name, "lost_reason", None)
		with self.assertRaises(frappe.ValidationError):
			take(
				frappe.get_doc("Fiber Proposal", doc.name),
				"Mark Lost",
				"Lost",
				user=self.users[process.SALES],
			)
		self.assertEqual(frappe.db.get_value("Fiber Proposal", doc.name, "workflow_state"), "Sent")
		doc = self.world.put("Fiber Proposal", "Registered")
		doc.setup_fee = 1
		with self.assertRaises(frappe.ValidationError):
			doc.save(ignore_permissions=True)
		doc.reload()
		doc.contact_name = "Outro contato"
		doc.save(ignore_permissions=True)

	def test_state_cannot_be_assigned_directly(self):
		doc = self.world.put("Fiber Proposal", "Draft")
		doc.workflow_state = "Approved"
		with self.assertRaises(frappe.ValidationError):
			doc.save(ignore_permissions=True)


class TestHistory(TestCase):
	def test_state_history_is_kept(self):
		frappe.set_user("Administrator")
		sales = role_user(process.SALES)
		proposal = make_proposal()
		# Frappe skips Version rows while frappe.flags.in_test is set: record them as on a live site
		in_test, frappe.flags.in_test = frappe.flags.in_test, False
		frappe.set_user(sales)
		try:
			proposal = apply_workflow(proposal.as_dict(), "Send")
			proposal = apply_workflow(proposal.as_dict(), "Approve")
		finally:
			frappe.set_user("Administrator")
			frappe.flags.in_test = in_test
		self.assertEqual(proposal.workflow_state, "Approved")
		comments = frappe.get_all(
			"Comment",
			filters={
				"reference_doctype": "Fiber Proposal",
				"reference_name": proposal.name,
				"comment_type": "Workflow",
			},
			fields=["content", "owner"],
			order_by="creation asc",
		)
		self.assertEqual([c.content for c in comments][-2:], ["Sent", "Approved"])
		self.assertTrue(all(c.owner == sales for c in comments[-2:]))
		versions = frappe.get_all(
			"Version", filters={"ref_doctype": "Fiber Proposal", "docname": proposal.name}, pluck="data"
		)
		changes = [frappe.parse_json(v).get("changed") or [] for v in versions]
		moved = [row for rows in changes for row in rows if row[0] == "workflow_state"]
		self.assertIn(["workflow_state", "Draft", "Sent"], moved)
		self.assertIn(["workflow_state", "Sent", "Approved"], moved)

	def test_system_moves_record_who_caused_them(self):
		proposal = make_proposal()
		frappe.db.set_value("Fiber Proposal", proposal.name, "workflow_state", "Approved")
		advance(
			frappe.get_doc("Fiber Proposal", proposal.name),
			"Register",
			as_system=True,
			actor="portal@x.example",
		)
		infos = frappe.get_all(
			"Comment",
			filters={
				"reference_doctype": "Fiber Proposal",
				"reference_name": proposal.name,
				"comment_type": "Info",
			},
			pluck="content",
		)
		self.assertTrue(any("portal@x.example" in c for c in infos))
