"""The project part of the process: from registration to the implementation report.

create_project (registration) → confirm_payment (setup fee paid) → send_project (first business day after the
payment, e-mail to the technical contact with a signed approval link) → approve_project (the technical contact
chooses the execution date on the portal) → [request_prior_visit → send_photo_report] → internal survey and
register_internal_passage (the SLA starts) → start_external_execution → send_implementation_report (PDF to the
customer; the circuit's 48 h test phase starts).

Every function takes the document (or its name), checks the step's own preconditions with a clear message, and
moves the workflow through ``common.move`` (so the process gates of the Workflow still apply). Callers check the
user's permission first (see ``fiber_field.api``).
"""

from __future__ import annotations

from datetime import date

import frappe
from frappe import _
from frappe.utils import format_date, getdate, now_datetime, nowdate

from fiber_onboarding.core import documents
from fiber_onboarding.fiber_field.common import (
	FieldFlowError,
	add_business_days,
	customer_recipients,
	get_case,
	is_business_day,
	move,
	next_business_day_after,
	portal_url,
	render_pdf,
	require_state,
	save_private_file,
	setting,
)
from fiber_onboarding.fiber_field.doctype.site_visit.site_visit import (
	EXTERNAL_SURVEY,
	INTERNAL_SURVEY,
	PRIOR_VISIT,
)
from fiber_onboarding.utils.mail import send_once

PROJECT = "Fiber Project"
VISIT = "Site Visit"
CIRCUIT = "Circuit"
IMPLEMENTATION_REPORT_FORMAT = "Fiber Implementation Report"
PHOTO_REPORT_FORMAT = "Fiber Photo Report"


class ProjectNotDueError(FieldFlowError):
	"""The project cannot be sent yet (not paid, or before the first business day after the payment)."""


class ExecutionDateError(FieldFlowError):
	pass


class InternalSurveyMissingError(FieldFlowError):
	pass


class OpenTasksError(FieldFlowError):
	pass


def _project(project):
	return frappe.get_doc(PROJECT, project) if isinstance(project, str) else project


# ---------------------------------------------------------------------------------------------------------------
# Registration and payment
# ---------------------------------------------------------------------------------------------------------------
def create_project(case):
	"""At registration: the project (Awaiting Payment), its Circuit (Planned) and the External Survey visit.

	Idempotent: a case that already has a project gets it back unchanged.
	"""
	case = get_case(case)
	existing = case.get("project") or frappe.db.get_value(PROJECT, {"onboarding": case.name})
	if existing:
		return frappe.get_doc(PROJECT, existing)

	survey = frappe.get_doc(
		{
			"doctype": VISIT,
			"visit_type": EXTERNAL_SURVEY,
			"status": "Scheduled",
			"onboarding": case.name,
			"customer": case.customer,
		}
	).insert(ignore_permissions=True)

	circuit = frappe.get_doc(
		{
			"doctype": CIRCUIT,
			"onboarding": case.name,
			"customer": case.customer,
			"bandwidth_mbps": _proposal_bandwidth(case),
			"termination_z": _case_address(case),
		}
	).insert(ignore_permissions=True)

	project = frappe.get_doc(
		{
			"doctype": PROJECT,
			"onboarding": case.name,
			"customer": case.customer,
			"external_survey": survey.name,
			"circuit": circuit.name,
		}
	).insert(ignore_permissions=True)

	survey.db_set("project", project.name, update_modified=False)
	circuit.db_set("project", project.name, update_modified=False)
	return project


def _proposal_bandwidth(case) -> int | None:
	if not case.get("proposal") or not frappe.db.exists("DocType", "Fiber Proposal"):
		return None
	meta = frappe.get_meta("Fiber Proposal")
	for field in ("bandwidth_mbps", "bandwidth"):
		if meta.has_field(field):
			value = frappe.db.get_value("Fiber Proposal", case.proposal, field)
			try:
				return int(value) if value not in (None, "") else None
			except (TypeError, ValueError):
				return None
	return None


def _case_address(case) -> str:
	parts = [
		" ".join(p for p in (case.get("address_line1"), case.get("address_number")) if p),
		case.get("address_line2"),
		case.get("neighborhood"),
		" / ".join(p for p in (case.get("city"), case.get("state")) if p),
		documents.format_cep(case.get("cep")) if case.get("cep") else None,
	]
	return ", ".join(p for p in parts if p)


def confirm_payment(case):
	"""The setup fee was paid: the project moves Awaiting Payment → Drafting (system). Idempotent."""
	case = get_case(case)
	if not case.get("project"):
		return None
	project = frappe.get_doc(PROJECT, case.project)
	if project.workflow_state == "Awaiting Payment":
		project = move(project, "Confirm Payment", "Drafting", as_system=True)
	return project


# ---------------------------------------------------------------------------------------------------------------
# Sending and approval
# ---------------------------------------------------------------------------------------------------------------
def project_send_date(case) -> date | None:
	"""First day the project may be e-mailed: the first business day after the payment date (None: unpaid)."""
	paid_on = get_case(case).get("paid_on")
	return next_business_day_after(getdate(paid_on)) if paid_on else None


def is_due(project) -> bool:
	"""True when the scheduler should send this project now (Drafting, paid, date reached, document attached)."""
	project = _project(project)
	if project.workflow_state not in ("Awaiting Payment", "Drafting") or not project.project_file:
		return False
	earliest = project_send_date(project.onboarding)
	return earliest is not None and getdate(nowdate()) >= earliest


def send_project(project, *, as_system: bool = True):
	"""E-mail the project to the technical contact with the signed approval link; Drafting → Sent.

	Gate: setup fee paid and today ≥ the first business day after the payment. Idempotent: a project already
	sent is returned unchanged and the e-mail is never queued twice (``send_once``).
	"""
	from fiber_onboarding.utils.links import signed_url

	project = _project(project)
	if project.workflow_state != "Drafting" and project.sent_on:
		return project
	case = get_case(project.onboarding)
	earliest = project_send_date(case)
	if earliest is None:
		frappe.throw(_("The project is sent only after the setup fee is paid."), ProjectNotDueError)
	if getdate(nowdate()) < earliest:
		frappe.throw(
			_("The project can be sent from {0}, the first business day after the payment.").format(
				format_date(earliest)
			),
			ProjectNotDueError,
		)
	if project.workflow_state == "Awaiting Payment":
		project = confirm_payment(case)
	require_state(project, "Drafting")
	if not project.project_file:
		frappe.throw(_("Attach the project document before sending the project."), FieldFlowError)
	recipients = customer_recipients(case, "tech_email")
	if not recipients:
		frappe.throw(_("The case has no technical contact e-mail."), FieldFlowError)

	approval_url = signed_url("projeto/aprovar", "project-approval", project.name)
	attachments = _file_attachment(project.project_file)
	send_once(
		_send_key(project),
		"fo_project",
		recipients,
		{
			"case": case,
			"doc": project,
			"project": project,
			"customer_name": case.get("company_name") or case.customer,
			"tech_name": case.get("tech_name"),
			"approval_url": approval_url,
			"portal_url": portal_url(case),
			"link_expiry_hours": setting("link_expiry_hours", 168),
		},
		reference_doctype=PROJECT,
		reference_name=project.name,
		attachments=attachments,
	)
	project.sent_on = now_datetime()
	project.save(ignore_permissions=True)
	return move(project, "Send Project", "Sent", as_system=as_system)


def _send_key(project) -> str:
	"""Idempotency key of this sending: a project revised (Sent → Drafting) and sent again is a new e-mail."""
	earlier = frappe.db.count("Fiber Notification Log", {"key": ("like", f"project-sent:{project.name}:%")})
	return f"project-sent:{project.name}:{earlier + 1}"


def _file_attachment(file_url: str) -> list[dict]:
	file_name = frappe.db.get_value("File", {"file_url": file_url}, "name")
	if not file_name:
		frappe.throw(_("The project document {0} was not found.").format(file_url), FieldFlowError)
	f = frappe.get_doc("File", file_name)
	return [{"fname": f.file_name, "fcontent": f.get_content()}]


def allowed_execution_dates(project, n: int = 30) -> list[date]:
	"""The next ``n`` business days the technical contact may choose (at least Settings.execution_lead_days
	business days after today)."""
	lead = int(setting("execution_lead_days", 3) or 0)
	first = add_business_days(getdate(nowdate()), max(lead, 1))
	return [first] + [add_business_days(first, i) for i in range(1, max(n, 1))]


def validate_execution_date(day) -> date:
	try:
		day = getdate(day)
	except Exception:
		day = None
	if not day:
		frappe.throw(_("Choose the execution date."), ExecutionDateError)
	if not is_business_day(day):
		frappe.throw(_("{0} is not a business day.").format(format_date(day)), ExecutionDateError)
	earliest = allowed_execution_dates(None, 1)[0]
	if day < earliest:
		frappe.throw(
			_("The execution date must be on or after {0}.").format(format_date(earliest)), ExecutionDateError
		)
	return day


def approve_project(project, execution_date, user: str | None = None):
	"""The technical contact approves the project and chooses the execution date; Sent → Approved (system)."""
	project = _project(project)
	require_state(project, "Sent")
	day = validate_execution_date(execution_date)
	project.execution_date = day
	project.approved_on = now_datetime()
	project.approved_by = user if user and frappe.db.exists("User", user) else None
	project.save(ignore_permissions=True)
	case = get_case(project.onboarding)
	approver = project.approved_by or _("the technical contact {0} <{1}> through the e-mailed link").format(
		case.get("tech_name") or "", case.get("tech_email") or ""
	)
	project = move(project, "Approve", "Approved", as_system=True)
	project.add_comment(
		"Info",
		_("Project approved by {0}; execution date {1}.").format(
			frappe.utils.escape_html(approver), format_date(day, "dd/MM/yyyy")
		),
	)
	return project


# ---------------------------------------------------------------------------------------------------------------
# Prior visit and internal survey
# ---------------------------------------------------------------------------------------------------------------
def request_prior_visit(project, scheduled_date=None):
	"""The customer asked for the optional prior visit: create it (staff schedule it). Idempotent."""
	project = _project(project)
	if project.workflow_state in ("Awaiting Payment", "Internal Execution", "External Execution", "Done"):
		frappe.throw(
			_("A prior visit can be requested only before the internal passage, once the setup fee is paid."),
			FieldFlowError,
		)
	if project.prior_visit and frappe.db.get_value(VISIT, project.prior_visit, "status") != "Cancelled":
		return frappe.get_doc(VISIT, project.prior_visit)
	visit = frappe.get_doc(
		{
			"doctype": VISIT,
			"visit_type": PRIOR_VISIT,
			"status": "Scheduled",
			"onboarding": project.onboarding,
			"customer": project.customer,
			"project": project.name,
			"scheduled_date": getdate(scheduled_date) if scheduled_date else None,
		}
	).insert(ignore_permissions=True)
	project.prior_visit_requested = 1
	project.prior_visit = visit.name
	project.save(ignore_permissions=True)
	return visit


def photo_report_problems(visit) -> list[str]:
	"""Why the photo report of ``visit`` cannot be sent (translated; empty: it can)."""
	if visit.visit_type != PRIOR_VISIT:
		return [_("Only a prior visit has a photo report.")]
	problems = []
	if visit.status != "Done":
		problems.append(_("Mark the prior visit as done before sending the photo report."))
	if not visit.photos:
		problems.append(_("Attach the photos of the internal route before sending the photo report."))
	return problems


def send_photo_report(visit):
	"""E-mail the photo report (PDF with the photos of the internal route) after a prior visit. Idempotent."""
	visit = frappe.get_doc(VISIT, visit) if isinstance(visit, str) else visit
	if visit.photo_report_sent_on:
		return visit
	problems = photo_report_problems(visit)
	if problems:
		frappe.throw("<br>".join(problems), FieldFlowError)
	case = get_case(visit.onboarding)
	pdf = render_pdf(VISIT, visit.name, PHOTO_REPORT_FORMAT)
	file_name = f"relatorio-fotografico-{visit.name}.pdf"
	save_private_file(VISIT, visit.name, file_name, pdf)
	send_once(
		f"photo-report:{visit.name}",
		"fo_photo_report",
		customer_recipients(case, "tech_email", "legal_email"),
		{
			"case": case,
			"doc": visit,
			"visit": visit,
			"visit_date": format_date(visit.done_on, "dd/MM/yyyy") if visit.done_on else "",
			"customer_name": case.get("company_name") or case.customer,
			"tech_name": case.get("tech_name"),
			"portal_url": portal_url(case),
		},
		reference_doctype=VISIT,
		reference_name=visit.name,
		attachments=[{"fname": file_name, "fcontent": pdf}],
	)
	visit.db_set("photo_report_sent_on", now_datetime())
	return visit


def schedule_internal_survey(project, scheduled_date=None, technician: str | None = None):
	"""The internal survey visit for the passage date (default: the execution date the customer chose)."""
	project = _project(project)
	require_state(project, "Approved")
	day = getdate(scheduled_date or project.execution_date)
	existing = frappe.db.get_value(
		VISIT,
		{
			"project": project.name,
			"visit_type": INTERNAL_SURVEY,
			"status": ("!=", "Cancelled"),
			"scheduled_date": day,
		},
	)
	if existing:
		return frappe.get_doc(VISIT, existing)
	visit = frappe.get_doc(
		{
			"doctype": VISIT,
			"visit_type": INTERNAL_SURVEY,
			"status": "Scheduled",
			"onboarding": project.onboarding,
			"customer": project.customer,
			"project": project.name,
			"scheduled_date": day,
			"technician": technician,
		}
	).insert(ignore_permissions=True)
	project.db_set("internal_survey", visit.name)
	return visit


def internal_survey_done_on(project, day) -> str | None:
	"""Name of the project's Internal Survey visit done on ``day`` (None when there is none)."""
	return frappe.db.get_value(
		VISIT,
		{
			"project": _project(project).name,
			"visit_type": INTERNAL_SURVEY,
			"status": "Done",
			"done_on": getdate(day),
		},
	)


def register_internal_passage(project, passage_date=None, *, as_system: bool = False):
	"""The internal optical cable was passed on ``passage_date`` (default today): Approved → Internal Execution.

	Requires the Internal Survey visit Done on that same date; sets the case's internal passage date, which starts
	the activation SLA (together with the accepted signed contract).
	"""
	project = _project(project)
	require_state(project, "Approved")
	day = getdate(passage_date or nowdate())
	if day > getdate(nowdate()):
		frappe.throw(
			_("The internal passage date {0} is in the future.").format(format_date(day)), FieldFlowError
		)
	survey = internal_survey_done_on(project, day)
	if not survey:
		frappe.throw(
			_(
				"The internal survey of {0} is not done: record it (checklist done) before the internal passage."
			).format(format_date(day)),
			InternalSurveyMissingError,
		)
	project.internal_passage_date = day
	project.internal_survey = survey
	project.save(ignore_permissions=True)
	# the case hears the passage date (case_events): with the accepted contract it starts the activation term
	return move(project, "Register Internal Passage", "Internal Execution", as_system=as_system)


# ---------------------------------------------------------------------------------------------------------------
# Execution and the implementation report
# ---------------------------------------------------------------------------------------------------------------
def _open_tasks(project, phase: str) -> list[str]:
	return [t.task for t in project.tasks if t.phase == phase and t.status in ("Open", "In Progress")]


def start_external_execution(project, *, as_system: bool = False):
	"""Internal work done (every internal task closed): Internal Execution → External Execution."""
	project = _project(project)
	require_state(project, "Internal Execution")
	pending = _open_tasks(project, "Internal")
	if pending:
		frappe.throw(_("Close the internal tasks first: {0}").format("; ".join(pending)), OpenTasksError)
	return move(project, "Start External Execution", "External Execution", as_system=as_system)


def next_step(project) -> dict:
	"""The project's next step (button label) and what blocks it now (translated; empty: it can be done)."""
	project = _project(project)
	state = project.workflow_state
	problems: list[str] = []
	if state == "Awaiting Payment":
		return {
			"step": "Send Project",
			"problems": [_("The project is sent only after the setup fee is paid.")],
		}
	if state == "Drafting":
		earliest = project_send_date(project.onboarding)
		if earliest and getdate(nowdate()) < earliest:
			problems.append(
				_("The project can be sent from {0}, the first business day after the payment.").format(
					format_date(earliest)
				)
			)
		if not project.project_file:
			problems.append(_("Attach the project document before sending the project."))
		return {"step": "Send Project", "problems": problems}
	if state == "Sent":
		return {
			"step": "Approve",
			"problems": [_("Waiting for the technical contact to approve the project.")],
		}
	if state == "Approved":
		surveys = frappe.get_all(
			VISIT,
			filters={"project": project.name, "visit_type": INTERNAL_SURVEY, "status": ("!=", "Cancelled")},
			fields=["name", "status", "scheduled_date"],
		)
		if not surveys:
			problems.append(_("Schedule the internal survey for the passage date."))
		elif not any(v.status == "Done" for v in surveys):
			problems.append(_("The internal survey is not done yet."))
		return {"step": "Register Internal Passage", "problems": problems}
	if state == "Internal Execution":
		pending = _open_tasks(project, "Internal")
		if pending:
			problems.append(_("Close the internal tasks first: {0}").format("; ".join(pending)))
		return {"step": "Start External Execution", "problems": problems}
	if state == "External Execution":
		return {"step": "Send Implementation Report", "problems": implementation_report_problems(project)}
	return {"step": None, "problems": []}


def implementation_report_problems(project) -> list[str]:
	"""Why the implementation report cannot be sent yet (translated; empty: it can)."""
	project = _project(project)
	problems = []
	if project.workflow_state != "External Execution":
		problems.append(
			_("The project is in state {0}; the report is sent at the end of the external execution.").format(
				_(project.workflow_state or "")
			)
		)
	pending = _open_tasks(project, "External") + _open_tasks(project, "Internal")
	if pending:
		problems.append(_("Close the execution tasks first: {0}").format("; ".join(pending)))
	circuit = frappe.get_doc(CIRCUIT, project.circuit) if project.circuit else None
	if not circuit:
		problems.append(_("The project has no circuit."))
	else:
		if circuit.workflow_state not in ("Planned", "Provisioning"):
			problems.append(
				_("The circuit {0} is already in state {1}.").format(circuit.name, _(circuit.workflow_state))
			)
		if not circuit.circuit_id:
			problems.append(_("Fill in the circuit identifier."))
		if not circuit.readings:
			problems.append(_("Record the optical power readings of the circuit."))
	return problems


def send_implementation_report(project, *, as_system: bool = False):
	"""E-mail the implementation report (PDF) to the customer; it starts the circuit's 48 h test phase.

	Project External Execution → Done; circuit → Testing with test_started_at/test_ends_at. Idempotent on the
	e-mail (``send_once``).
	"""
	from fiber_onboarding.fiber_field import circuit_service

	project = _project(project)
	if project.workflow_state == "Done" and project.implementation_report_sent_on:
		return project
	problems = implementation_report_problems(project)
	if problems:
		frappe.throw("<br>".join(problems), FieldFlowError, title=_("Implementation report not sent"))
	case = get_case(project.onboarding)
	recipients = customer_recipients(case, "tech_email", "legal_email")
	if not recipients:
		frappe.throw(_("The case has no customer e-mail."), FieldFlowError)

	now = now_datetime()
	if not project.circuit_delivery_date:
		project.circuit_delivery_date = getdate(now)
	project.implementation_report_sent_on = now
	project.save(ignore_permissions=True)

	# the report shows the test phase it starts: start it first (one transaction: a failure undoes both)
	circuit = circuit_service.start_test_phase(project.circuit, started_at=now)
	pdf = render_pdf(PROJECT, project.name, IMPLEMENTATION_REPORT_FORMAT)
	file_name = f"relatorio-de-implantacao-{project.name}.pdf"
	save_private_file(PROJECT, project.name, file_name, pdf)
	send_once(
		f"implementation-report:{project.name}",
		"fo_implementation_report",
		recipients,
		{
			"case": case,
			"doc": project,
			"project": project,
			"circuit": circuit,
			"customer_name": case.get("company_name") or case.customer,
			"tech_name": case.get("tech_name"),
			"test_phase_hours": setting("test_phase_hours", 48),
			"test_ends_at": circuit.test_ends_at,
			"portal_url": portal_url(case),
		},
		reference_doctype=PROJECT,
		reference_name=project.name,
		attachments=[{"fname": file_name, "fcontent": pdf}],
	)
	return move(project, "Finish", "Done", as_system=as_system)
