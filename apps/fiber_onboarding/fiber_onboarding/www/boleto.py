"""Portal page /boleto?name=BOL-…: the setup-fee boleto (recibo do pagador + ficha de compensação), pt-BR.

Login required; only a user who may see the boleto (``permissions.can_see``: staff, or a portal user of the
boleto's customer) gets it. Anyone else gets 403, the same answer as for an unknown name: nothing revealed.
"""

from urllib.parse import quote

import frappe
from frappe import _

from fiber_onboarding.api.portal.access import PORTAL_BASE
from fiber_onboarding.fiber_billing.boleto_render import render_context
from fiber_onboarding.permissions import can_see

no_cache = 1
sitemap = 0
base_template_path = PORTAL_BASE


def get_context(context):
	name = (frappe.form_dict.get("name") or "").strip()
	if frappe.session.user == "Guest":
		target = "/boleto" + (f"?name={quote(name)}" if name else "")
		frappe.local.flags.redirect_location = "/login?redirect-to=" + quote(target, safe="")
		raise frappe.Redirect(302)  # temporary: after logging in the same address must show the boleto

	# the same 403 for an unknown name and for another customer's boleto: nothing to enumerate
	doc = frappe.get_doc("Fiber Boleto", name) if name and frappe.db.exists("Fiber Boleto", name) else None
	if doc is None or not can_see(doc):
		raise frappe.PermissionError(_("You are not allowed to see this boleto."))

	context.no_cache = 1
	context.show_sidebar = False
	context.title = f"Boleto {doc.name}"
	context.bol = render_context(doc, for_pdf=False)
	context.pdf_url = "/api/method/fiber_onboarding.api.boleto.download_pdf?name=" + quote(doc.name)
	context.parents = [{"route": "ativacoes", "title": "Minhas ativações"}]
	return context
