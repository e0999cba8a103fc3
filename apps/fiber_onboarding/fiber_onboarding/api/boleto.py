"""Whitelisted boleto and CNAB endpoints (portal PDF download and Finance desk actions).

Every method starts with the permission check; the work is done by ``fiber_billing.boleto_service``.
"""

import frappe
from frappe import _

from fiber_onboarding.fiber_billing import boleto_service
from fiber_onboarding.permissions import can_see, require_roles


def _boleto_for(name: str, ptype: str = "read"):
	"""The boleto if the caller may see it; one PermissionError for unknown and foreign names (nothing to
	enumerate)."""
	if frappe.session.user == "Guest":
		frappe.throw(_("Log in to see your boleto."), frappe.PermissionError)
	doc = frappe.get_doc("Fiber Boleto", name) if name and frappe.db.exists("Fiber Boleto", name) else None
	if doc is None or not can_see(doc) or not frappe.has_permission("Fiber Boleto", ptype, doc):
		frappe.throw(_("You are not allowed to see this boleto."), frappe.PermissionError)
	return doc


@frappe.whitelist(methods=["GET"])
def download_pdf(name: str):
	"""The boleto as PDF (print format "Boleto"), for the customer who owns it or for staff."""
	doc = _boleto_for(name, "print")
	pdf = frappe.get_print("Fiber Boleto", doc.name, print_format="Boleto", doc=doc, as_pdf=True)
	frappe.local.response.filename = f"boleto-{doc.name}.pdf"
	frappe.local.response.filecontent = pdf
	frappe.local.response.type = "pdf"


@frappe.whitelist(methods=["POST"])
def mark_paid_manually(name: str, amount: str, paid_on: str, credit_date: str | None = None):
	require_roles(boleto_service.FINANCE_ROLES)
	frappe.get_doc("Fiber Boleto", name).check_permission("write")
	doc = boleto_service.mark_paid_manually(name, amount, paid_on, credit_date)
	return {"name": doc.name, "status": doc.status, "payment_entry": doc.payment_entry}


@frappe.whitelist(methods=["POST"])
def reissue(name: str, due_date: str):
	require_roles(boleto_service.FINANCE_ROLES)
	frappe.get_doc("Fiber Boleto", name).check_permission("write")
	new = boleto_service.reissue(name, due_date)
	return {"name": new.name}


@frappe.whitelist(methods=["POST"])
def generate_remessa(agreement: str):
	frappe.has_permission("CNAB Remessa", "create", throw=True)
	frappe.get_doc("Fiber Bank Agreement", agreement).check_permission("write")
	remessa = boleto_service.build_remessa_file(agreement)
	return {"name": remessa.name, "sequence": remessa.sequence, "items": remessa.item_count}


@frappe.whitelist(methods=["POST"])
def start_retorno_import(name: str):
	frappe.has_permission("CNAB Retorno", "write", throw=True)
	doc = frappe.get_doc("CNAB Retorno", name)
	doc.check_permission("write")
	boleto_service.start_import(doc.name)
	return {"name": doc.name, "status": frappe.db.get_value("CNAB Retorno", doc.name, "status")}


@frappe.whitelist(methods=["POST"])
def retry_registration(name: str):
	require_roles(boleto_service.FINANCE_ROLES)
	frappe.get_doc("Fiber Boleto", name).check_permission("write")
	doc = boleto_service.retry_registration(name)
	return {"name": doc.name, "status": doc.status}


@frappe.whitelist(methods=["POST"])
def accept_overpayment(name: str, resolution: str | None = None):
	require_roles(boleto_service.FINANCE_ROLES)
	frappe.get_doc("Fiber Finance Exception", name).check_permission("write")
	doc = boleto_service.accept_overpayment(name, resolution)
	return {"boleto": doc.name, "status": doc.status, "payment_entry": doc.payment_entry}
