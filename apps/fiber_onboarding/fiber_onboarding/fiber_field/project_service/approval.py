"""Step 6, the project: e-mailed to the technical contact on the first business day after the setup fee was paid
(with a signed approval link), approved online with the execution date they choose among the allowed business
days."""

from __future__ import annotations

from datetime import date

import frappe
from frappe import _
from frappe.utils import format_date, getdate, now_datetime, nowdate

from fiber_onboarding.core.process import ProjectState
from fiber_onboarding.fiber_field.common import (
	FieldFlowError,
	add_business_days,
	customer_recipients,
	get_case,
	get_project,
	is_business_day,
	move,
	next_business_day_after,
	portal_url,
	require_state,
	setting,
)
from fiber_onboarding.fiber_field.project_service.creation import confirm_payment
from fiber_onboarding.utils.mail import send_once

PROJECT = "Fiber Project"


class ProjectNotDueError(FieldFlowError):
	"""The project cannot be sent yet (not paid, or before the first business day after the payment)."""


class ExecutionDateError(FieldFlowError):
	pass


def project_send_date(case) -> date | None:
	"""First day the project may be e-mailed: the first business day after the payment date (None: unpaid)."""
	paid_on = get_case(case).get("paid_on")
	return next_business_day_after(getdate(paid_on)) if paid_on else None


def is_due(project) -> bool:
	"""True when the scheduler should send this project now (Drafting, paid, date reached, document attached)."""
	project = get_project(project)
	if (
		project.workflow_state not in (ProjectState.AWAITING_PAYMENT, ProjectState.DRAFTING)
		or not project.project_file
	):
		return False
	earliest = project_send_date(project.onboarding)
	return earliest is not None and getdate(nowdate()) >= earliest


def send_project(project, *, as_system: bool = True):
	"""E-mail the project to the technical contact with the signed approval link; Drafting → Sent.

	Gate: setup fee paid and today ≥ the first business day after the payment. Idempotent: a project already
	sent is returned unchanged and the e-mail is never queued twice (``send_once``).
	"""
	from fiber_onboarding.utils.links import signed_url

	project = get_project(project)
	if project.workflow_state != ProjectState.DRAFTING and project.sent_on:
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
	if project.workflow_state == ProjectState.AWAITING_PAYMENT:
		project = confirm_payment(case)
	require_state(project, ProjectState.DRAFTING)
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
	return move(project, "Send Project", ProjectState.SENT, as_system=as_system)


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
	project = get_project(project)
	require_state(project, ProjectState.SENT)
	day = validate_execution_date(execution_date)
	project.execution_date = day
	project.approved_on = now_datetime()
	project.approved_by = user if user and frappe.db.exists("User", user) else None
	project.save(ignore_permissions=True)
	case = get_case(project.onboarding)
	approver = project.approved_by or _("the technical contact {0} <{1}> through the e-mailed link").format(
		case.get("tech_name") or "", case.get("tech_email") or ""
	)
	project = move(project, "Approve", ProjectState.APPROVED, as_system=True)
	project.add_comment(
		"Info",
		_("Project approved by {0}; execution date {1}.").format(
			frappe.utils.escape_html(approver), format_date(day, "dd/MM/yyyy")
		),
	)
	return project
