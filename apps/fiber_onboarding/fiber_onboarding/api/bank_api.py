"""Desk buttons of the Fiber Bank Agreement for the bank's API (Fiber Finance and System Manager only).

Every method starts with the permission check; the work is ``boleto_service.bank_api_setup``'s.
"""

import frappe
from frappe import _

from fiber_onboarding.fiber_billing.boleto_service import FINANCE_ROLES, bank_api_setup
from fiber_onboarding.permissions import require_roles


def _agreement(name: str):
	require_roles(FINANCE_ROLES)
	doc = frappe.get_doc("Fiber Bank Agreement", name)
	doc.check_permission("write")
	return doc


@frappe.whitelist(methods=["POST"])
def test_connection(agreement: str):
	"""Obtain a token from the bank with the agreement's credentials and certificate; report in pt-BR."""
	doc = _agreement(agreement)
	ok, message = bank_api_setup.test_connection(doc)
	frappe.msgprint(
		message,
		title=_("Connection confirmed") if ok else _("Connection failed"),
		indicator="green" if ok else "red",
	)
	return {"ok": ok, "message": message}


@frappe.whitelist(methods=["POST"])
def register_inter_webhook(agreement: str):
	"""Register this site's webhook (with the agreement's token) at Banco Inter."""
	doc = _agreement(agreement)
	ok, message = bank_api_setup.register_inter_webhook(doc)
	frappe.msgprint(message, indicator="green" if ok else "red")
	return {"ok": ok, "message": message}
