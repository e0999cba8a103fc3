"""Portal page /ativacoes ("Minhas ativações"): the logged-in customer's cases with their stage and next step.

The list is read with the user's permissions (``permission_query_conditions`` of ``fiber_onboarding.permissions``)
and filtered by the Customers the user is a portal user of.
"""

import frappe
from frappe import _

from fiber_onboarding.api.portal.access import case_documents, login_url, portal_lang
from fiber_onboarding.api.portal.cases import cases_of_user, format_when, next_step
from fiber_onboarding.core.process import Stage

no_cache = 1
sitemap = 0


def get_context(context):
	portal_lang()
	if frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = login_url("/ativacoes")
		raise frappe.Redirect
	context.no_cache = 1
	context.show_sidebar = False
	context.title = _("My activations")
	rows = []
	for row in cases_of_user():
		case = frappe.get_doc("Fiber Onboarding", row.name)
		rows.append(
			{
				"name": row.name,
				"company_name": row.company_name,
				"site_identifier": row.site_identifier,
				"stage": _(row.stage or Stage.AWAITING_PAYMENT),
				"registered_on": format_when(row.registered_on),
				"sla_due": format_when(row.sla_due)
				if row.sla_status in ("On Track", "At Risk", "Overdue")
				else "",
				"next": next_step(case, case_documents(case)),
			}
		)
	context.cases = rows
	context.csrf_token = frappe.sessions.get_csrf_token()
	return context
