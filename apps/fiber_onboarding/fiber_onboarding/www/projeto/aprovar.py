"""Portal page /projeto/aprovar: the technical contact approves the project and chooses the execution date.

Reached through the signed, expiring link of the project e-mail (``?token=…``, Guest allowed only with a valid
token) or by the logged-in customer (``?project=PRJ-…``). The dates offered are the project service's
``allowed_execution_dates``; the form posts to ``fiber_onboarding.api.portal.approve_project``. An expired link
says so and offers the login instead.
"""

from urllib.parse import urlencode

import frappe
from frappe import _
from frappe.utils import format_date

from fiber_onboarding.api.portal.access import PORTAL_BASE, login_url, portal_lang
from fiber_onboarding.api.portal.cases import format_when
from fiber_onboarding.api.portal.project_approval import project_download_url, project_for
from fiber_onboarding.core.process import ProjectState
from fiber_onboarding.fiber_field.project_service import approval

no_cache = 1
sitemap = 0
base_template_path = PORTAL_BASE

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def get_context(context):
	portal_lang()
	context.no_cache = 1
	context.show_sidebar = False
	context.title = _("Project approval")
	token = (frappe.form_dict.get("token") or "").strip() or None
	name = (frappe.form_dict.get("project") or "").strip() or None

	if not token and frappe.session.user == "Guest":
		target = "/projeto/aprovar" + (f"?{urlencode({'project': name})}" if name else "")
		frappe.local.flags.redirect_location = login_url(target)
		raise frappe.Redirect

	context.login_url = login_url("/ativacoes")
	try:
		project = project_for(token, name)
	except frappe.PermissionError as e:
		frappe.clear_messages()
		context.error = str(e) or _("You cannot access this project.")
		context.http_status_code = 403
		return context

	case = frappe.get_doc("Fiber Onboarding", project.onboarding)
	context.token = token or ""
	context.project_name = project.name
	context.case_name = case.name if frappe.session.user != "Guest" else ""
	context.company_name = case.company_name
	context.tech_name = case.tech_name
	context.state = project.workflow_state
	context.state_label = _(project.workflow_state or "")
	context.waiting = project.workflow_state == ProjectState.SENT
	context.execution_date = format_when(project.execution_date) if project.execution_date else ""
	context.download_url = project_download_url(project, token) if project.project_file else ""
	context.prior_visit_requested = bool(project.prior_visit_requested)
	context.dates = (
		[
			{
				"value": str(d),
				"label": f"{format_date(d, 'dd/MM/yyyy')} ({_(WEEKDAYS[d.weekday()])})",
			}
			for d in approval.allowed_execution_dates(project)
		]
		if context.waiting
		else []
	)
	context.csrf_token = frappe.sessions.get_csrf_token() if frappe.session.user != "Guest" else ""
	if frappe.session.user != "Guest":
		context.parents = [{"route": "ativacoes", "title": _("My activations")}]
	return context
