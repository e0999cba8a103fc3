"""An unpaid boleto past its due date: expired by the daily job after the grace days, and reissued by Finance (the
old one Cancelled and written off, a new one linked, the invoice's due date moved)."""

import frappe
from frappe import _
from frappe.utils import add_days, getdate, nowdate

from fiber_onboarding.adapters import bank_registration
from fiber_onboarding.adapters import erpnext_accounting as accounting
from fiber_onboarding.core.process import BoletoStatus
from fiber_onboarding.fiber_billing.boleto_service.bank_payments import send_write_off
from fiber_onboarding.fiber_billing.boleto_service.issue import create_boleto, send_boleto_email
from fiber_onboarding.fiber_billing.boleto_service.shared import (
	BOLETO,
	FINANCE_ROLES,
	OPEN_STATUSES,
	SETTINGS,
	BillingError,
	active_agreement,
	lock_boleto,
	money,
)
from fiber_onboarding.permissions import require_roles

DEFAULT_EXPIRY_GRACE_DAYS = 10


def reissue(boleto: str, new_due_date):
	"""Replace an expired (or rejected) unpaid boleto: old one Cancelled, new one linked, invoice due date moved."""
	require_roles(FINANCE_ROLES)
	status = lock_boleto(boleto)
	if status not in (BoletoStatus.EXPIRED, BoletoStatus.REJECTED):
		frappe.throw(
			_("Only an expired or rejected boleto can be reissued (this one is {0}).").format(_(status)),
			BillingError,
		)
	old = frappe.get_doc(BOLETO, boleto)
	new_due_date = getdate(new_due_date)
	if new_due_date < getdate(nowdate()):
		frappe.throw(_("The new due date cannot be in the past."), BillingError)
	amount = accounting.invoice_outstanding(old.sales_invoice) if old.sales_invoice else money(old.amount)
	if amount <= 0:
		frappe.throw(_("Invoice {0} has nothing outstanding.").format(old.sales_invoice), BillingError)

	agreement = active_agreement(old.bank_agreement)
	new = create_boleto(
		agreement,
		customer=old.customer,
		onboarding=old.onboarding,
		invoice=old.sales_invoice,
		amount=amount,
		due_date=new_due_date,
		payer={
			"payer_name": old.payer_name,
			"payer_tax_id": old.payer_tax_id,
			"payer_address": old.payer_address,
		},
		reissued_from=old.name,
	)
	if old.registration_channel == bank_registration.BANK_API and old.bank_write_off != "Sent":
		send_write_off(old, agreement)  # registered online: the write-off (baixa) goes online too
	old.status = BoletoStatus.CANCELLED
	old.reissued_by = new.name
	old.cancel_reason = _("Reissued as {0}").format(new.name)
	old.save(ignore_permissions=True)
	if old.sales_invoice:
		accounting.set_invoice_due_date(old.sales_invoice, new_due_date)
	send_boleto_email(new)
	return new


def expiry_grace_days() -> int:
	meta = frappe.get_meta(SETTINGS)
	if meta.has_field("boleto_expiry_grace_days"):
		value = frappe.db.get_single_value(SETTINGS, "boleto_expiry_grace_days")
		if value:
			return int(value)
	return DEFAULT_EXPIRY_GRACE_DAYS


def expire_overdue(today=None) -> list[str]:
	"""Daily: Submitted/Registered boletos past their due date by more than the grace days become Expired."""
	limit = add_days(getdate(today or nowdate()), -expiry_grace_days())
	names = frappe.get_all(
		BOLETO, filters={"status": ("in", OPEN_STATUSES), "due_date": ("<", limit)}, pluck="name"
	)
	expired = []
	for name in names:
		# one broken boleto never stops the others: its change is undone and logged
		frappe.db.savepoint("fo_expire_boleto")
		try:
			if lock_boleto(name) not in OPEN_STATUSES:
				continue
			doc = frappe.get_doc(BOLETO, name)
			doc.status = BoletoStatus.EXPIRED
			doc.save(ignore_permissions=True)
			send_write_off(doc)  # online boletos: the bank's baixa (Pending and retried when it is down)
			expired.append(name)
		except Exception:
			frappe.db.rollback(save_point="fo_expire_boleto")
			frappe.log_error(
				title=f"Boleto expiry failed: {name}", reference_doctype=BOLETO, reference_name=name
			)
	return expired
