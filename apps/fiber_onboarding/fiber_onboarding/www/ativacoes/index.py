"""Portal page /ativacoes ("Minhas ativações"): the logged-in customer's cases with their stage and next step.

The list is read with the user's permissions (``permission_query_conditions`` of ``fiber_onboarding.permissions``)
and filtered by the Customers the user is a portal user of.
"""

import frappe
from frappe import _

from fiber_onboarding.api.portal.access import PORTAL_BASE, login_url, portal_lang
from fiber_onboarding.api.portal.cases import case_rows

no_cache = 1
sitemap = 0
base_template_path = PORTAL_BASE


def get_context(context):
	portal_lang()
	if frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = login_url("/ativacoes")
		raise frappe.Redirect
	context.no_cache = 1
	context.show_sidebar = False
	context.title = _("My activations")
	# the cases and every document their next step reads, in a fixed number of queries (api.portal.documents)
	context.cases = case_rows()
	context.csrf_token = frappe.sessions.get_csrf_token()
	return context
