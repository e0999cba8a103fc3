"""/projeto/aprovar: the technical contact (the e-mail's signed link) or the logged-in customer downloads the
project and approves it, choosing the execution date among the allowed business days."""

from __future__ import annotations

from urllib.parse import urlencode

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils import cint, format_date, getdate

from fiber_onboarding.api.portal.access import (
	CASE,
	PROJECT,
	PortalError,
	case_documents,
	is_customer,
	portal_lang,
)
from fiber_onboarding.api.portal.downloads import _send_file, document_content
from fiber_onboarding.core.process import ProjectState
from fiber_onboarding.permissions import can_see, is_staff

PROJECT_PURPOSE = "project-approval"


def project_for(token: str | None = None, project: str | None = None):
	"""The project the caller may approve: a valid ``project-approval`` token, or a customer who sees it."""
	from fiber_onboarding.utils.links import verify

	if token:
		name = verify(token, PROJECT_PURPOSE)
		if project and project != name:
			frappe.throw(_("Invalid link."), frappe.PermissionError)
		if not frappe.db.exists(PROJECT, name):
			frappe.throw(_("Invalid link."), frappe.PermissionError)
		return frappe.get_doc(PROJECT, name)
	if frappe.session.user == "Guest":
		frappe.throw(_("Log in to the portal or use the link from the e-mail."), frappe.PermissionError)
	if not project or not frappe.db.exists(PROJECT, project):
		frappe.throw(_("You cannot access this project."), frappe.PermissionError)
	doc = frappe.get_doc(PROJECT, project)
	if not (
		is_customer() and not is_staff() and can_see(doc) and frappe.has_permission(PROJECT, "read", doc)
	):
		frappe.throw(_("You cannot access this project."), frappe.PermissionError)
	return doc


def project_download_url(project, token: str | None) -> str:
	query = {"token": token} if token else {"project": project.name}
	return "/api/method/fiber_onboarding.api.portal.download_project?" + urlencode(query)


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=60, seconds=60 * 60)
def download_project(token: str | None = None, project: str | None = None):
	"""The project document for the technical contact (e-mail token) or the logged-in customer."""
	portal_lang()
	doc = project_for(token, project)
	case = frappe.get_doc(CASE, doc.onboarding)
	docs = case_documents(case)
	docs["project"] = doc
	content, filename = document_content(case, "project", docs)
	_send_file(content, filename)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=20, seconds=60 * 60)
def approve_project(
	execution_date: str,
	token: str | None = None,
	project: str | None = None,
	prior_visit: int | str | None = 0,
) -> dict:
	"""The technical contact approves the project and chooses the execution date (and may ask for the prior
	visit). Guest only with the e-mail's token."""
	from fiber_onboarding.fiber_field import project_service

	portal_lang()
	doc = project_for(token, project)
	if doc.workflow_state != ProjectState.SENT:
		frappe.throw(_("This project is not waiting for approval."), PortalError)
	try:
		day = getdate(execution_date)
	except Exception:
		day = None
	allowed = project_service.allowed_execution_dates(doc)
	if day not in allowed:
		frappe.throw(_("Choose one of the dates offered."), PortalError)
	user = frappe.session.user if frappe.session.user != "Guest" else None
	doc = project_service.approve_project(doc, day, user)
	visit = None
	if cint(prior_visit):
		visit = project_service.request_prior_visit(doc)
	return {
		"project": doc.name,
		"state": doc.workflow_state,
		"execution_date": str(doc.execution_date),
		"prior_visit": visit.name if visit else None,
		"message": _("Project approved. Execution scheduled for {0}.").format(format_date(day, "dd/MM/yyyy")),
	}
