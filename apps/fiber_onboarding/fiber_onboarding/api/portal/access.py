"""Who may see what on the portal: the case of the logged-in customer and its documents, same answer for unknown
and foreign records (nothing can be enumerated). Every portal page and endpoint starts here."""

from __future__ import annotations

from urllib.parse import quote

import frappe
from frappe import _

from fiber_onboarding.permissions import can_see, is_customer, is_staff

CASE = "Fiber Onboarding"
BOLETO = "Fiber Boleto"
CONTRACT = "Fiber Contract"
PROJECT = "Fiber Project"
CIRCUIT = "Circuit"
VISIT = "Site Visit"
PORTAL_LANG = "pt-BR"
# the portal pages' base template (their ``base_template_path``): Frappe's, without its ≈ 320 KB of icon sprites
PORTAL_BASE = "fiber_onboarding/templates/portal_base.html"


class PortalError(frappe.ValidationError):
	"""A customer action the case does not allow now (translated message)."""


def portal_lang():
	"""Customer pages and messages are pt-BR, whatever the browser asks for."""
	frappe.local.lang = PORTAL_LANG


def login_url(target: str) -> str:
	return "/login?redirect-to=" + quote(target, safe="")


def _deny():
	frappe.throw(_("You cannot access this activation."), frappe.PermissionError)


def _existing(doctype: str, name: str):
	"""The document, or None when there is none by that name (one query, not an ``exists`` and a ``get_doc``)."""
	try:
		return frappe.get_doc(doctype, name)
	except frappe.DoesNotExistError:
		frappe.clear_last_message()  # get_doc's "not found" alert is not for the visitor
		return None


def case_for(name: str | None, ptype: str = "read"):
	"""The case ``name`` if the logged-in user may see it; PermissionError (same for unknown and foreign)."""
	if frappe.session.user == "Guest":
		frappe.throw(_("Log in to the portal to see your activations."), frappe.PermissionError)
	name = (name or "").strip()
	doc = _existing(CASE, name) if name else None
	if doc is None:
		_deny()
	if not (can_see(doc) and frappe.has_permission(CASE, ptype, doc)):
		_deny()
	return doc


def customer_case_for(name: str | None):
	"""``case_for`` for actions only the customer takes (staff act from the desk, not through the portal)."""
	doc = case_for(name)
	if not is_customer() or is_staff():
		_deny()
	return doc


def _linked_doc(case, doctype: str, field: str):
	"""The case's document of ``doctype`` (its link, else the latest for the case); only of the same customer."""
	name = case.get(field) or frappe.db.get_value(
		doctype, {"onboarding": case.name}, "name", order_by="creation desc"
	)
	if not name or not frappe.db.exists(doctype, name):
		return None
	doc = frappe.get_doc(doctype, name)
	if doc.get("customer") != case.customer or doc.get("onboarding") not in (None, "", case.name):
		return None
	return doc


def case_documents(case) -> dict:
	docs = {
		"boleto": _linked_doc(case, BOLETO, "boleto"),
		"contract": _linked_doc(case, CONTRACT, "contract"),
		"project": _linked_doc(case, PROJECT, "project"),
		"circuit": _linked_doc(case, CIRCUIT, "circuit"),
	}
	project = docs["project"]
	visit = None
	if project is not None and project.get("prior_visit") and frappe.db.exists(VISIT, project.prior_visit):
		visit = frappe.get_doc(VISIT, project.prior_visit)
		if visit.customer != case.customer:
			visit = None
	docs["prior_visit"] = visit
	return docs
