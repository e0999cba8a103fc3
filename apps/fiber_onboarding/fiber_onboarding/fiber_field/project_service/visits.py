"""Steps 7 and 8, the visits of a project: the optional prior visit the customer asks for (and its photo report,
e-mailed as a PDF) and the internal survey on the cable-passage date."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import format_date, getdate, now_datetime

from fiber_onboarding.core.process import ProjectState
from fiber_onboarding.fiber_field.common import (
	FieldFlowError,
	customer_recipients,
	get_case,
	get_project,
	portal_url,
	render_pdf,
	require_state,
	save_private_file,
)
from fiber_onboarding.fiber_field.doctype.site_visit.site_visit import INTERNAL_SURVEY, PRIOR_VISIT
from fiber_onboarding.utils.mail import send_once

VISIT = "Site Visit"
PHOTO_REPORT_FORMAT = "Fiber Photo Report"


def request_prior_visit(project, scheduled_date=None):
	"""The customer asked for the optional prior visit: create it (staff schedule it). Idempotent."""
	project = get_project(project)
	if project.workflow_state in (
		ProjectState.AWAITING_PAYMENT,
		ProjectState.INTERNAL_EXECUTION,
		ProjectState.EXTERNAL_EXECUTION,
		ProjectState.DONE,
	):
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
	project = get_project(project)
	require_state(project, ProjectState.APPROVED)
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
			"project": get_project(project).name,
			"visit_type": INTERNAL_SURVEY,
			"status": "Done",
			"done_on": getdate(day),
		},
	)
