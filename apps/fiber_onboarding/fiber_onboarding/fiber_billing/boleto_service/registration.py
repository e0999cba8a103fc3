"""Online registration through the bank's API: the bank's answer recorded on the boleto (codes, Pix,
registered/rejected/cancelled), Finance's retry, and the hourly sync of the boletos still waiting."""

import frappe
from frappe import _
from frappe.utils import getdate, nowdate

from fiber_onboarding.adapters import bank_registration
from fiber_onboarding.core.process import BoletoStatus
from fiber_onboarding.fiber_billing.boleto_service.finance_exceptions import raise_finance_exception
from fiber_onboarding.fiber_billing.boleto_service.shared import (
	BOLETO,
	FINANCE_ROLES,
	BillingError,
	active_agreement,
	lock_boleto,
)
from fiber_onboarding.permissions import require_roles


def apply_registration(boleto, result):
	"""Record a bank API answer on the boleto (the bank is the truth for codes, Pix and registration)."""
	if result is None:
		return boleto
	from fiber_onboarding.core.boleto.codes import format_line

	if result.barcode and result.barcode != boleto.barcode:
		boleto.flags.allow_frozen_change = True
		boleto.barcode = result.barcode
		boleto.digitable_line = format_line(result.line) if result.line else boleto.digitable_line
		boleto.add_comment("Info", _("The bank returned other codes for this boleto; they replace ours."))
	if result.bank_reference:
		boleto.bank_reference = result.bank_reference
	if result.pix_payload:
		boleto.pix_payload = result.pix_payload
	if result.status == "registered" and boleto.status in (BoletoStatus.DRAFT, BoletoStatus.SUBMITTED):
		boleto.status = BoletoStatus.REGISTERED
		boleto.registered_on = getdate(nowdate())
	elif result.status == "rejected" and boleto.status in (BoletoStatus.DRAFT, BoletoStatus.SUBMITTED):
		boleto.status = BoletoStatus.REJECTED
		boleto.rejection_reason = result.message
	elif result.status == "cancelled" and boleto.status != BoletoStatus.PAID:
		boleto.status = BoletoStatus.CANCELLED
		boleto.cancel_reason = boleto.cancel_reason or result.message
	boleto.save(ignore_permissions=True)
	if boleto.status == BoletoStatus.REJECTED and result.status == "rejected":
		raise_finance_exception(
			"Rejected Registration",
			nosso_numero=boleto.nosso_numero,
			boleto=boleto,
			expected_amount=boleto.amount,
			detail=_("The bank rejected the registration: {0}").format(result.message or "-"),
		)
	return boleto


def retry_registration(boleto: str):
	"""Finance: register again online a boleto whose bank API call failed (it is still waiting)."""
	require_roles(FINANCE_ROLES)
	status = lock_boleto(boleto)
	doc = frappe.get_doc(BOLETO, boleto)
	if status != BoletoStatus.SUBMITTED or doc.registration_channel != bank_registration.BANK_API:
		frappe.throw(
			_("Only a boleto waiting for its online registration can be registered again."), BillingError
		)
	agreement = active_agreement(doc.bank_agreement)
	return apply_registration(doc, bank_registration.register(doc, agreement))


def sync_bank_registrations() -> list[str]:
	"""Ask the bank API about every boleto still waiting for its online registration (for a scheduler job)."""
	changed = []
	names = frappe.get_all(
		BOLETO,
		filters={"status": BoletoStatus.SUBMITTED, "registration_channel": bank_registration.BANK_API},
		pluck="name",
	)
	for name in names:
		frappe.db.savepoint("fo_sync_boleto")
		try:
			doc = frappe.get_doc(BOLETO, name)
			agreement = frappe.get_doc("Fiber Bank Agreement", doc.bank_agreement)
			if not bank_registration.uses_bank_api(agreement):
				continue
			before = doc.status
			apply_registration(doc, bank_registration.query(doc, agreement))
			if doc.status != before:
				changed.append(name)
		except Exception:
			frappe.db.rollback(save_point="fo_sync_boleto")
			frappe.log_error(
				title=f"Boleto registration sync failed: {name}",
				reference_doctype=BOLETO,
				reference_name=name,
			)
	return changed
