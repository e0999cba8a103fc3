"""Integration: the field part of the process on a real site, from the external survey to the active circuit.

Factories build a case (proposal, customer, case; contract accepted as a fixture), then every step runs through
the services, with the e-mails checked in the Email Queue (MIME, with the PDF attachments) and the blocking rules
checked to hold.
"""

from __future__ import annotations

import email
import io
import itertools
import random

import frappe
from frappe.model.workflow import apply_workflow
from frappe.utils import add_days, add_to_date, get_datetime, getdate, now_datetime, nowdate

from fiber_onboarding.core.documents import format_cnpj
from fiber_onboarding.fiber_field import circuit_service, project_service
from fiber_onboarding.fiber_field.common import FieldFlowError, ServiceOnlyTransitionError, add_business_days
from fiber_onboarding.fiber_field.doctype.site_visit.site_visit import SiteVisitError
from fiber_onboarding.tests.billing_factory import check_digit, make_cnpj

try:
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase

CASE = "Fiber Onboarding"


# ---------------------------------------------------------------------------------------------------------------
# Factories
# ---------------------------------------------------------------------------------------------------------------
def make_cpf() -> str:
	while True:
		base = [random.randint(0, 9) for _ in range(9)]
		if len(set(base)) > 1:
			break
	d1 = check_digit(base, list(range(10, 1, -1)))
	d2 = check_digit([*base, d1], list(range(11, 1, -1)))
	return "".join(map(str, [*base, d1, d2]))


def make_case(**overrides):
	suffix = frappe.generate_hash(length=8).upper()
	cnpj = make_cnpj()
	proposal = frappe.get_doc(
		{
			"doctype": "Fiber Proposal",
			"proposal_number": "PT-FIELD-" + suffix,
			"company_name": "Fibra Teste " + suffix,
			"cnpj": cnpj,
			"valid_until": add_days(nowdate(), 30),
			"bandwidth_mbps": 500,
			"term_months": 36,
			"sla_business_days": 20,
			"setup_fee": 1500,
			"monthly_fee": 900,
		}
	).insert(ignore_permissions=True)
	customer = frappe.get_doc(
		{"doctype": "Customer", "customer_name": "Fibra Teste " + suffix, "customer_type": "Company"}
	).insert(ignore_permissions=True)
	values = {
		"doctype": CASE,
		"company_name": "Fibra Teste " + suffix,
		"cnpj": cnpj,
		"proposal": proposal.name,
		"customer": customer.name,
		"site_identifier": "matriz-" + suffix.lower(),
		"address_line1": "Avenida Paulista",
		"address_number": "1000",
		"neighborhood": "Bela Vista",
		"city": "São Paulo",
		"state": "SP",
		"cep": "01310100",
		"legal_name": "Maria Responsável",
		"legal_cpf": make_cpf(),
		"legal_email": f"legal-{suffix.lower()}@example.com",
		"tech_name": "João Técnico",
		"tech_email": f"tech-{suffix.lower()}@example.com",
		"sla_business_days": 20,
	}
	values.update(overrides)
	return frappe.get_doc(values).insert(ignore_permissions=True)


def accept_contract(case):
	"""Fixture: the signed contract of the case was received and accepted (owned by Fiber Contracts)."""
	contract = frappe.get_doc(
		{
			"doctype": "Fiber Contract",
			"onboarding": case.name,
			"customer": case.customer,
			"proposal": case.proposal,
			"legal_name": case.legal_name,
			"legal_cpf": case.legal_cpf,
			"legal_email": case.legal_email,
		}
	).insert(ignore_permissions=True)
	frappe.db.set_value(
		"Fiber Contract", contract.name, {"workflow_state": "Accepted", "received_on": nowdate()}
	)
	frappe.db.set_value(CASE, case.name, "contract", contract.name)
	return contract


def attach_file(doctype: str, name: str, file_name: str, content: bytes) -> str:
	f = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": file_name,
			"content": content,
			"is_private": 1,
			"attached_to_doctype": doctype,
			"attached_to_name": name,
		}
	).insert(ignore_permissions=True)
	return f.file_url


def png_bytes(color=(200, 30, 30)) -> bytes:
	from PIL import Image

	out = io.BytesIO()
	Image.new("RGB", (320, 240), color).save(out, format="PNG")
	return out.getvalue()


def queued(reference_doctype: str, reference_name: str) -> list:
	return frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": reference_doctype, "reference_name": reference_name},
		fields=["name", "message"],
		order_by="creation asc",
	)


def recipients_of(queue_name: str) -> list[str]:
	return frappe.get_all("Email Queue Recipient", filters={"parent": queue_name}, pluck="recipient")


def mime_html(message: str) -> str:
	for part in email.message_from_string(message).walk():
		if part.get_content_type() == "text/html":
			return part.get_payload(decode=True).decode("utf-8")
	return ""


def mime_attachments(message: str) -> dict[str, bytes]:
	msg = email.message_from_string(message)
	out = {}
	for part in msg.walk():
		name = part.get_filename()
		if name:
			out[name] = part.get_payload(decode=True)
	return out


def record_payment(case, paid_on):
	"""The setup fee paid on ``paid_on`` without a boleto: the date on the case, then what the case does when it
	sees its boleto Paid (a timeline note, the project released)."""
	frappe.db.set_value(CASE, case.name, "paid_on", getdate(paid_on))
	case.reload()
	case.setup_fee_paid(paid_on)


def paid_case(days_ago: int = 2):
	"""A case with its project, paid ``days_ago`` business days ago, contract accepted."""
	case = make_case()
	project = project_service.create_project(case)
	accept_contract(case)
	case.reload()
	record_payment(case, add_business_days(getdate(nowdate()), -days_ago))
	return frappe.get_doc(CASE, case.name), frappe.get_doc("Fiber Project", project.name)


def sent_project():
	case, project = paid_case()
	project.project_file = attach_file(project.doctype, project.name, "projeto.pdf", b"%PDF-1.4 projeto")
	project.save(ignore_permissions=True)
	return case, project_service.send_project(project)


def approved_project():
	case, project = sent_project()
	day = project_service.allowed_execution_dates(project, 1)[0]
	return case, project_service.approve_project(project, day, "Administrator")


def internal_survey_done(project, day=None):
	visit = project_service.schedule_internal_survey(project, day or nowdate())
	for row in visit.checklist:
		row.done = 1
	visit.status = "Done"
	visit.done_on = day or nowdate()
	visit.save(ignore_permissions=True)
	return visit


def executing_project():
	"""Project in External Execution with every task closed."""
	case, project = approved_project()
	internal_survey_done(project)
	project = project_service.register_internal_passage(project, nowdate())
	project = project_service.start_external_execution(project)
	return case, project


def ready_circuit(project, readings=((("OLT", -12.5)), ("CEO-01", -18), ("Cliente", -21.3))):
	circuit = frappe.get_doc("Circuit", project.circuit)
	circuit.circuit_id = "SPO-" + frappe.generate_hash(length=6).upper()
	circuit.vlan = 1200
	circuit.ip_block = "200.160.2.0/29"
	circuit.cpe_model = "Huawei AR651"
	circuit.cpe_serial = "21500102"
	circuit.termination_a = "POP Paulista — OLT-01 slot 3 porta 7"
	circuit.set("readings", [])
	for point, power in readings:
		circuit.append("readings", {"point": point, "power_dbm": power, "measured_on": now_datetime()})
	circuit.append(
		"splice_points", {"point": "CEO-01", "location": "Poste 1234", "closure": "CEO 24F", "loss_db": 0.05}
	)
	circuit.save(ignore_permissions=True)
	return circuit


def testing_circuit(readings=None):
	case, project = executing_project()
	if readings is None:
		ready_circuit(project)
	else:
		ready_circuit(project, readings)
	project = project_service.send_implementation_report(project)
	return case, project, frappe.get_doc("Circuit", project.circuit)


# ---------------------------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------------------------
class TestFieldFlow(TestCase):
	def setUp(self):
		frappe.set_user("Administrator")

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_create_project_builds_survey_circuit_and_is_idempotent(self):
		case = make_case()
		project = project_service.create_project(case)
		self.assertEqual(project.workflow_state, "Awaiting Payment")
		survey = frappe.get_doc("Site Visit", project.external_survey)
		self.assertEqual(
			(survey.visit_type, survey.status, survey.project), ("External Survey", "Scheduled", project.name)
		)
		circuit = frappe.get_doc("Circuit", project.circuit)
		self.assertEqual(circuit.workflow_state, "Planned")
		self.assertEqual(circuit.bandwidth_mbps, 500)
		self.assertEqual(circuit.customer, case.customer)
		case.reload()
		self.assertEqual((case.project, case.circuit), (project.name, circuit.name))
		self.assertEqual(project_service.create_project(case).name, project.name)
		self.assertEqual(frappe.db.count("Circuit", {"onboarding": case.name}), 1)

	def test_project_not_sent_before_payment_nor_before_next_business_day(self):
		case = make_case()
		project = project_service.create_project(case)
		project.project_file = attach_file(project.doctype, project.name, "projeto.pdf", b"%PDF-1.4 x")
		project.save(ignore_permissions=True)
		with self.assertRaises(project_service.ProjectNotDueError):
			project_service.send_project(project)
		record_payment(case, nowdate())  # paid today: the project goes out on the next business day
		project.reload()
		self.assertEqual(project.workflow_state, "Drafting")
		self.assertFalse(project_service.is_due(project))
		with self.assertRaises(project_service.ProjectNotDueError):
			project_service.send_project(project)
		self.assertEqual(queued("Fiber Project", project.name), [])

	def test_bare_workflow_action_cannot_skip_the_service(self):
		case, project = paid_case()
		with self.assertRaises(ServiceOnlyTransitionError):
			apply_workflow(project.as_dict(), "Send Project")
		self.assertEqual(frappe.db.get_value("Fiber Project", project.name, "workflow_state"), "Drafting")

	def test_send_project_emails_tech_contact_once_with_document_and_signed_link(self):
		case, project = paid_case()
		with self.assertRaises(FieldFlowError):  # no project document attached yet
			project_service.send_project(project)
		project.project_file = attach_file(project.doctype, project.name, "projeto.pdf", b"%PDF-1.4 projeto")
		project.save(ignore_permissions=True)
		self.assertTrue(project_service.is_due(project))
		project = project_service.send_project(project)
		self.assertEqual(project.workflow_state, "Sent")
		self.assertTrue(project.sent_on)
		mails = queued("Fiber Project", project.name)
		self.assertEqual(len(mails), 1)
		self.assertEqual(recipients_of(mails[0].name), [case.tech_email])
		self.assertIn("/projeto/aprovar?token=", mime_html(mails[0].message))
		self.assertEqual(mime_attachments(mails[0].message)["projeto.pdf"], b"%PDF-1.4 projeto")
		# idempotent
		project_service.send_project(frappe.get_doc("Fiber Project", project.name))
		self.assertEqual(len(queued("Fiber Project", project.name)), 1)
		self.assertEqual(frappe.db.get_value(CASE, case.name, "stage"), "Awaiting Project Approval")
		self.assertEqual(getdate(frappe.db.get_value(CASE, case.name, "project_sent_on")), getdate(nowdate()))
		# the customer asked for changes: revised, sent again with the new document
		project = apply_workflow(frappe.get_doc("Fiber Project", project.name).as_dict(), "Revise")
		self.assertEqual(project.workflow_state, "Drafting")
		project.project_file = attach_file(
			project.doctype, project.name, "projeto-rev2.pdf", b"%PDF-1.4 rev2"
		)
		project.save(ignore_permissions=True)
		project = project_service.send_project(project)
		mails = queued("Fiber Project", project.name)
		self.assertEqual(len(mails), 2)
		self.assertIn("projeto-rev2.pdf", mime_attachments(mails[1].message))

	def test_execution_date_rules(self):
		case, project = sent_project()
		dates = project_service.allowed_execution_dates(project, 10)
		self.assertEqual(len(dates), 10)
		lead = int(frappe.db.get_single_value("Fiber Onboarding Settings", "execution_lead_days") or 3)
		self.assertEqual(dates[0], add_business_days(getdate(nowdate()), lead))
		self.assertTrue(all(a < b for a, b in itertools.pairwise(dates)))
		too_early = add_business_days(getdate(nowdate()), lead - 1)
		with self.assertRaises(project_service.ExecutionDateError):
			project_service.approve_project(project, too_early, "Administrator")
		saturday = dates[-1]
		while saturday.weekday() != 5:
			saturday = add_days(saturday, 1)
		with self.assertRaises(project_service.ExecutionDateError):
			project_service.approve_project(project, saturday, "Administrator")
		project = project_service.approve_project(project, dates[2], "Administrator")
		self.assertEqual(project.workflow_state, "Approved")
		self.assertEqual(getdate(project.execution_date), dates[2])
		self.assertEqual(project.approved_by, "Administrator")
		case.reload()
		self.assertEqual(getdate(case.execution_date), dates[2])
		self.assertEqual(case.stage, "Execution Scheduled")

	def test_next_step_names_what_blocks_it(self):
		case, project = paid_case()
		step = project_service.next_step(project)
		self.assertEqual(step["step"], "Send Project")
		self.assertEqual(step["problems"], ["Attach the project document before sending the project."])
		case, project = approved_project()
		self.assertEqual(
			project_service.next_step(project),
			{
				"step": "Register Internal Passage",
				"problems": ["Schedule the internal survey for the passage date."],
			},
		)
		internal_survey_done(project)
		self.assertEqual(project_service.next_step(project)["problems"], [])

	def test_the_desk_endpoints_of_the_project_form_answer(self):
		"""The whitelisted methods the Fiber Project form calls (fiber_project.js) reach their step."""
		from fiber_onboarding.fiber_field import api

		case, project = approved_project()
		self.assertEqual(api.project_next_step(project.name), project_service.next_step(project))
		self.assertEqual(
			api.implementation_report_problems(project.name),
			project_service.implementation_report_problems(project),
		)

	def test_guest_approval_through_the_link_is_recorded_with_the_contact(self):
		case, project = sent_project()
		day = project_service.allowed_execution_dates(project, 1)[0]
		frappe.set_user("Guest")  # the e-mailed link: the portal endpoint checked the token
		project = project_service.approve_project(project, day, None)
		frappe.set_user("Administrator")
		self.assertEqual(project.workflow_state, "Approved")
		self.assertIsNone(project.approved_by)
		comments = frappe.get_all(
			"Comment",
			filters={
				"reference_doctype": "Fiber Project",
				"reference_name": project.name,
				"comment_type": "Info",
			},
			pluck="content",
		)
		self.assertTrue(any(case.tech_email in c for c in comments), comments)

	def test_prior_visit_photo_report_pdf_with_embedded_photos(self):
		case, project = sent_project()
		visit = project_service.request_prior_visit(project, nowdate())
		self.assertEqual(visit.visit_type, "Prior Visit")
		self.assertEqual(
			project_service.request_prior_visit(frappe.get_doc("Fiber Project", project.name)).name,
			visit.name,
		)
		self.assertEqual(frappe.db.get_value(CASE, case.name, "prior_visit_requested"), 1)
		with self.assertRaises(FieldFlowError):
			project_service.send_photo_report(visit)  # not done yet
		for i, color in enumerate(((200, 30, 30), (30, 200, 30)), start=1):
			url = attach_file("Site Visit", visit.name, f"rota-{i}.png", png_bytes(color))
			visit.append("photos", {"image": url, "caption": f"Trecho {i} da rota interna"})
		visit.status = "Done"
		visit.save(ignore_permissions=True)
		visit = project_service.send_photo_report(visit)
		self.assertTrue(visit.photo_report_sent_on)
		mails = queued("Site Visit", visit.name)
		self.assertEqual(len(mails), 1)
		pdf = mime_attachments(mails[0].message)[f"relatorio-fotografico-{visit.name}.pdf"]
		self.assertTrue(pdf.startswith(b"%PDF"))
		from pypdf import PdfReader

		reader = PdfReader(io.BytesIO(pdf))
		text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
		self.assertNotIn("Get PDF", text)
		self.assertIn("Relatório fotográfico", text)
		self.assertIn("Trecho 2 da rota interna", text)
		images = sum(len(page.images) for page in reader.pages)
		self.assertGreaterEqual(images, 2)  # the private photos are embedded, not linked

	def test_internal_passage_requires_internal_survey_done_that_day(self):
		case, project = approved_project()
		with self.assertRaises(project_service.InternalSurveyMissingError):
			project_service.register_internal_passage(project, nowdate())
		visit = project_service.schedule_internal_survey(project, nowdate())
		self.assertTrue(len(visit.checklist) >= 5)  # default checklist filled on creation
		visit.status = "Done"
		with self.assertRaises(SiteVisitError):  # checklist not done
			visit.save(ignore_permissions=True)
		visit.reload()
		internal_survey_done(project)
		with self.assertRaises(FieldFlowError):  # not in the future
			project_service.register_internal_passage(project, add_days(nowdate(), 1))
		yesterday = add_days(nowdate(), -1)
		with self.assertRaises(project_service.InternalSurveyMissingError):  # survey was today, not yesterday
			project_service.register_internal_passage(project, yesterday)
		project = project_service.register_internal_passage(project, nowdate())
		self.assertEqual(project.workflow_state, "Internal Execution")
		case.reload()
		self.assertEqual(getdate(case.internal_passage_date), getdate(nowdate()))
		self.assertEqual(case.stage, "Internal Execution")
		# contract accepted and internal passage set: the SLA counts
		self.assertEqual(getdate(case.sla_start), getdate(nowdate()))
		self.assertTrue(case.sla_due)

	def test_external_execution_requires_internal_tasks_closed(self):
		case, project = approved_project()
		internal_survey_done(project)
		project = project_service.register_internal_passage(project, nowdate())
		project.append(
			"tasks",
			{
				"phase": "Internal",
				"task": "Lançar cabo óptico no shaft",
				"status": "Open",
				"responsible": "Administrator",
			},
		)
		project.append("tasks", {"phase": "External", "task": "Emenda na CEO-01", "status": "Open"})
		project.save(ignore_permissions=True)
		with self.assertRaises(project_service.OpenTasksError):
			project_service.start_external_execution(project)
		todo = {
			"reference_type": "Fiber Project",
			"reference_name": project.name,
			"allocated_to": "Administrator",
		}
		self.assertEqual(frappe.db.get_value("ToDo", todo, "status"), "Open")  # on the responsible's list
		project.save(ignore_permissions=True)
		self.assertEqual(frappe.db.count("ToDo", todo), 1)  # saved again: no duplicate
		project.tasks[0].status = "Done"
		project.save(ignore_permissions=True)
		self.assertEqual(frappe.db.get_value("ToDo", todo, "status"), "Closed")
		self.assertEqual(getdate(project.tasks[0].done_on), getdate(nowdate()))

		def mails_to_customer():
			return frappe.db.count(
				"Email Queue Recipient", {"recipient": ("in", [case.tech_email, case.legal_email])}
			)

		before = mails_to_customer()
		project = project_service.start_external_execution(project)
		self.assertEqual(project.workflow_state, "External Execution")
		self.assertEqual(mails_to_customer(), before)  # external work sends the customer nothing
		ready_circuit(project)
		problems = project_service.implementation_report_problems(project)
		self.assertTrue(any("Emenda na CEO-01" in p for p in problems))

	def test_reading_results_and_network_validation(self):
		case = make_case()
		project = project_service.create_project(case)
		circuit = ready_circuit(project, (("OLT", -8), ("Cliente", -25.01)))
		self.assertEqual([r.result for r in circuit.readings], ["Pass", "Fail"])
		self.assertEqual(circuit.readings_verdict, "Fail")
		self.assertTrue(any("Cliente" in p for p in circuit.reading_problems()))
		circuit.vlan = 5000
		with self.assertRaises(frappe.ValidationError):
			circuit.save(ignore_permissions=True)
		circuit.reload()
		circuit.ip_block = "200.160.2.3/29"  # host bits set
		with self.assertRaises(frappe.ValidationError):
			circuit.save(ignore_permissions=True)

	def test_implementation_report_starts_test_phase(self):
		case, project = executing_project()
		with self.assertRaises(FieldFlowError):  # no readings, no identifier
			project_service.send_implementation_report(project)
		circuit = ready_circuit(project)
		# data typed by the customer is text in the PDF, never markup (nothing fetched, nothing injected)
		hostile = 'Fibra <img src="http://169.254.169.254/x"> & Cia'
		frappe.db.set_value(CASE, case.name, "company_name", hostile)
		before = now_datetime()
		project = project_service.send_implementation_report(project)
		self.assertEqual(project.workflow_state, "Done")
		self.assertTrue(project.implementation_report_sent_on)
		self.assertEqual(getdate(project.circuit_delivery_date), getdate(nowdate()))
		circuit.reload()
		self.assertEqual(circuit.workflow_state, "Testing")
		hours = int(frappe.db.get_single_value("Fiber Onboarding Settings", "test_phase_hours") or 48)
		self.assertEqual(
			get_datetime(circuit.test_ends_at),
			add_to_date(get_datetime(circuit.test_started_at), hours=hours),
		)
		self.assertGreaterEqual(get_datetime(circuit.test_started_at), before.replace(microsecond=0))
		case.reload()
		self.assertEqual(case.stage, "Test Phase")
		self.assertEqual(get_datetime(case.test_phase_ends_at), get_datetime(circuit.test_ends_at))
		mails = queued("Fiber Project", project.name)
		report = [m for m in mails if "relatorio-de-implantacao" in m.message]
		self.assertEqual(len(report), 1)
		self.assertEqual(sorted(recipients_of(report[0].name)), sorted([case.tech_email, case.legal_email]))
		pdf = mime_attachments(report[0].message)[f"relatorio-de-implantacao-{project.name}.pdf"]
		from pypdf import PdfReader

		text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
		self.assertIn(frappe.utils.get_datetime(circuit.test_ends_at).strftime("%d/%m/%Y %H:%M"), text)
		self.assertIn("Relatório de implantação", text)
		self.assertIn(circuit.circuit_id, text)
		self.assertIn("-21,30 dBm", text)
		self.assertIn("CEO 24F", text)
		# shown as text (Frappe's URL rewriting may touch the quoted part), and no image was fetched or embedded
		self.assertIn("Fibra <img src=", text)
		self.assertIn("> & Cia", text)
		self.assertEqual(sum(len(p.images) for p in PdfReader(io.BytesIO(pdf)).pages), 0)
		self.assertIn(format_cnpj(case.cnpj), text)
		self.assertIn("01310-100", text)
		self.assertTrue(
			frappe.db.exists("File", {"attached_to_name": project.name, "file_name": ["like", "relatorio-%"]})
		)
		# idempotent
		project_service.send_implementation_report(project)
		self.assertEqual(
			len(
				[m for m in queued("Fiber Project", project.name) if "relatorio-de-implantacao" in m.message]
			),
			1,
		)

	def test_activation_blocked_before_48h_and_by_failing_reading(self):
		case, project, circuit = testing_circuit(readings=(("OLT", -12), ("Cliente", -27.5)))
		with self.assertRaises(circuit_service.ActivationBlockedError) as ctx:
			circuit_service.activate_circuit(circuit)
		message = str(ctx.exception)
		self.assertIn("Cliente", message)
		blockers = circuit_service.activation_blockers(circuit)
		self.assertEqual(len(blockers), 2, blockers)  # test phase running + reading outside the window
		# the phase ended, the reading still fails
		circuit.db_set("test_ends_at", add_to_date(now_datetime(), hours=-1))
		circuit.reload()
		self.assertEqual(len(circuit_service.activation_blockers(circuit)), 1)
		with self.assertRaises(circuit_service.ActivationBlockedError):
			circuit_service.activate_circuit(circuit)
		# re-measured after a cleaned connector
		circuit.readings[1].power_dbm = -19.4
		circuit.save(ignore_permissions=True)
		circuit = circuit_service.activate_circuit(circuit)
		self.assertEqual(circuit.workflow_state, "Active")
		self.assertEqual(len(queued("Circuit", circuit.name)), 1)
		case.reload()
		self.assertEqual(case.stage, "Active")
		self.assertTrue(case.activated_on)
		self.assertEqual(case.sla_status, "Met")

	def test_customer_problem_blocks_until_resolved_and_confirmation_is_recorded_only(self):
		case, project, circuit = testing_circuit()
		circuit.db_set("test_ends_at", add_to_date(now_datetime(), hours=-1))
		circuit.reload()
		circuit = circuit_service.confirm_service(circuit, "Administrator")
		self.assertTrue(circuit.customer_confirmed_at)
		self.assertEqual(circuit.workflow_state, "Testing")  # confirmation alone never activates
		with self.assertRaises(FieldFlowError):
			circuit_service.report_problem(circuit, "   ")
		circuit = circuit_service.report_problem(circuit, "Perda de pacotes à noite", "Administrator")
		with self.assertRaises(circuit_service.ActivationBlockedError):
			circuit_service.activate_circuit(circuit)
		self.assertEqual(frappe.db.get_value("Circuit", circuit.name, "workflow_state"), "Testing")
		circuit = circuit_service.resolve_problem(circuit, "Troca do cordão óptico na CPE")
		circuit = circuit_service.activate_circuit(circuit)
		self.assertEqual(circuit.workflow_state, "Active")

	def test_early_close_needs_role_and_reason(self):
		case, project, circuit = testing_circuit()
		user = "fo-field-nobody@example.com"
		if not frappe.db.exists("User", user):
			frappe.get_doc(
				{"doctype": "User", "email": user, "first_name": "Sem Papel", "send_welcome_email": 0}
			).insert(ignore_permissions=True)
		with self.assertRaises(circuit_service.EarlyCloseNotAllowedError):
			circuit_service.early_close(circuit, "Cliente pediu", user=user)
		with self.assertRaises(FieldFlowError):
			circuit_service.early_close(circuit, "  ")
		circuit = circuit_service.early_close(circuit, "Cliente validou e pediu a ativação imediata")
		self.assertEqual(circuit.workflow_state, "Active")
		self.assertEqual(circuit.early_close_reason, "Cliente validou e pediu a ativação imediata")
		# the activation e-mail goes once, whatever runs next
		self.assertEqual(circuit_service.activate_circuit(circuit).name, circuit.name)
		self.assertEqual(len(queued("Circuit", circuit.name)), 1)


def make_user(email: str, *roles: str) -> str:
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": email.split("@")[0], "send_welcome_email": 0}
		).insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	user.add_roles(*roles)
	return email


def portal_user_for(case) -> str:
	email = f"portal-{frappe.generate_hash(length=8)}@example.com"
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": "Cliente",
			"send_welcome_email": 0,
			"user_type": "Website User",
		}
	).insert(ignore_permissions=True)
	user.add_roles("Fiber Customer")
	customer = frappe.get_doc("Customer", case.customer)
	customer.append("portal_users", {"user": email})
	customer.save(ignore_permissions=True)
	return email


class TestFieldPermissions(TestCase):
	def setUp(self):
		frappe.set_user("Administrator")

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_customer_acts_only_on_own_circuit_during_test_phase(self):
		from fiber_onboarding.fiber_field import api

		case_a, _project_a, circuit_a = testing_circuit()
		case_b, _project_b, circuit_b = testing_circuit()
		user_a = portal_user_for(case_a)
		frappe.set_user(user_a)
		with self.assertRaises(frappe.PermissionError):
			api.customer_report_problem(circuit_b.name, "Sem sinal")
		with self.assertRaises(frappe.PermissionError):
			api.customer_confirm_service(circuit_b.name)
		with self.assertRaises(frappe.PermissionError):  # staff endpoint
			api.activate(circuit_a.name)
		api.customer_report_problem(circuit_a.name, "Sem sinal desde as 10h")
		api.customer_confirm_service(circuit_a.name)
		frappe.set_user("Administrator")
		circuit_a.reload()
		circuit_b.reload()
		self.assertEqual((circuit_a.problem_reported, circuit_a.problem_reported_by), (1, user_a))
		self.assertTrue(circuit_a.customer_confirmed_at)
		self.assertFalse(circuit_b.problem_reported or circuit_b.customer_confirmed_at)

	def test_staff_roles_on_project_buttons(self):
		from fiber_onboarding.fiber_field import api

		case, project = paid_case()
		project.project_file = attach_file(project.doctype, project.name, "projeto.pdf", b"%PDF-1.4 p")
		project.save(ignore_permissions=True)
		sales = make_user("fo-field-sales@example.com", "Fiber Sales")
		frappe.set_user(sales)
		with self.assertRaises(frappe.PermissionError):
			api.send_project(project.name)
		frappe.set_user("Administrator")
		projects = make_user("fo-field-projects@example.com", "Fiber Projects")
		frappe.set_user(projects)
		result = api.send_project(project.name)
		self.assertEqual(result["workflow_state"], "Sent")
		frappe.set_user("Administrator")
		self.assertEqual(len(queued("Fiber Project", project.name)), 1)

	def test_photo_helper_embeds_only_files_of_the_printed_document(self):
		from fiber_onboarding.fiber_field.printing import fo_photo_src

		case, project = sent_project()
		visit = project_service.request_prior_visit(project)
		own = attach_file("Site Visit", visit.name, "rota.png", png_bytes())
		other = attach_file("Fiber Project", project.name, "outra.png", png_bytes((0, 0, 200)))
		self.assertTrue(fo_photo_src(visit, own).startswith("data:image/jpeg;base64,"))
		self.assertEqual(fo_photo_src(visit, other), "")
		self.assertEqual(fo_photo_src(visit, "/private/files/../../site_config.json"), "")

	def test_report_buttons_check_first_then_run_the_job(self):
		from fiber_onboarding.fiber_field import api

		case, project = executing_project()
		with self.assertRaises(FieldFlowError):  # no readings yet: refused before anything is queued
			api.send_implementation_report(project.name)
		self.assertEqual(
			frappe.db.get_value("Fiber Project", project.name, "workflow_state"), "External Execution"
		)
		ready_circuit(project)
		self.assertEqual(api.send_implementation_report(project.name)["queued"], 1)
		self.assertEqual(frappe.db.get_value("Fiber Project", project.name, "workflow_state"), "Done")
		self.assertEqual(frappe.db.get_value("Circuit", project.circuit, "workflow_state"), "Testing")
