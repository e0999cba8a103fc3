"""Step 3, payment: a boleto paid (bank return, Finance's manual confirmation, or an accepted overpayment) gets its
ERPNext Payment Entry and becomes Paid. The case hears it (``case_events``): it records the payment date and
releases the project. Paying twice is refused under the boleto's row lock."""

from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import getdate, nowdate

from fiber_onboarding.adapters import erpnext_accounting as accounting
from fiber_onboarding.core import process as p
from fiber_onboarding.core.process import BoletoStatus
from fiber_onboarding.fiber_billing.boleto_service.shared import (
	BOLETO,
	CENT,
	FINANCE_ROLES,
	AlreadyPaidError,
	BillingError,
	lock_boleto,
	money,
)
from fiber_onboarding.permissions import require_roles


def case_cancelled(boleto) -> bool:
	"""The boleto's onboarding case was cancelled by staff (its flag or its derived stage)."""
	if not boleto.onboarding:
		return False
	values = frappe.db.get_value(p.CASE, boleto.onboarding, ["cancelled", "stage"], as_dict=True)
	return bool(values and (values.cancelled or values.stage == p.Stage.CANCELLED))


def payment_problem(boleto, status, received, expected) -> tuple[str, str] | None:
	"""(exception type, detail) when the bank's payment cannot be applied to the boleto as it stands, else None;
	the one rule of every bank path (CNAB retorno, bank API). A boleto Paid by the bank gives None: "Already Paid"."""
	if status == BoletoStatus.PAID:
		if boleto.payment_source != "Manual" or frappe.db.exists(
			"Fiber Finance Exception", {"boleto": boleto.name, "exception_type": "Already Paid Manually"}
		):
			return None  # paid by the bank, or this bank payment was reported once already: "Already Paid"
		return (
			"Already Paid Manually",
			_(
				"The bank reports the payment of a boleto Finance already marked as paid by hand ({0})."
			).format(boleto.payment_entry or "-"),
		)
	if status == BoletoStatus.CANCELLED:
		return ("Cancelled Boleto Paid", _("The bank reports a payment for a cancelled boleto."))
	if case_cancelled(boleto):
		return (
			"Cancelled Case Paid",
			_("The bank reports a payment for the boleto of a cancelled onboarding case."),
		)
	if received != expected:
		return ("Amount Mismatch", _("Paid {0}, expected {1}.").format(received, expected))
	return None


def mark_paid(boleto, amount: Decimal, paid_on, credit_date, source: str):
	"""The boleto paid: its ERPNext Payment Entry, then the boleto Paid with amount, dates and source (the caller
	holds the boleto's row lock)."""
	payment_entry = accounting.create_payment_entry(boleto, amount, credit_date)
	boleto.status = BoletoStatus.PAID
	boleto.paid_amount = float(amount)
	boleto.paid_on = getdate(paid_on)
	boleto.credit_date = getdate(credit_date)
	boleto.payment_entry = payment_entry
	boleto.payment_source = source
	# the case hears it (case_events): it records the payment date and releases the project
	boleto.save(ignore_permissions=True)


def mark_paid_manually(boleto: str, amount, paid_on, credit_date=None):
	"""Finance confirms a payment seen on the bank statement (same effects as a bank return)."""
	require_roles(FINANCE_ROLES)
	status = lock_boleto(boleto)
	if status == BoletoStatus.PAID:
		frappe.throw(_("Boleto {0} is already paid.").format(boleto), AlreadyPaidError)
	if status in (BoletoStatus.CANCELLED, BoletoStatus.DRAFT):
		frappe.throw(_("A {0} boleto cannot be marked as paid.").format(_(status)), BillingError)
	doc = frappe.get_doc(BOLETO, boleto)
	amount = Decimal(str(amount)).quantize(CENT)
	if amount != money(doc.amount):
		frappe.throw(
			_("The amount {0} differs from the boleto amount {1}.").format(amount, money(doc.amount)),
			BillingError,
		)
	paid_on = getdate(paid_on)
	if paid_on > getdate(nowdate()):
		frappe.throw(_("The payment date cannot be in the future."), BillingError)
	mark_paid(doc, amount, paid_on, getdate(credit_date or paid_on), source="Manual")
	doc.add_comment("Info", _("Marked as paid manually by {0}").format(frappe.session.user))
	return doc


def accept_overpayment(exception: str, resolution: str | None = None):
	"""Finance accepts a bank payment above the boleto amount (e.g. paid late with fine and interest): the whole
	amount is received, the invoice is settled and the excess stays as the customer's unallocated credit."""
	require_roles(FINANCE_ROLES)
	exc = frappe.get_doc("Fiber Finance Exception", exception)
	received, expected = money(exc.received_amount), money(exc.expected_amount)
	if (
		exc.exception_type != "Amount Mismatch"
		or exc.status != "Open"
		or not exc.boleto
		or received <= expected
	):
		frappe.throw(
			_("Only an open amount mismatch with more than the boleto amount received can be accepted."),
			BillingError,
		)
	status = lock_boleto(exc.boleto)
	if status == BoletoStatus.PAID:
		frappe.throw(_("Boleto {0} is already paid.").format(exc.boleto), AlreadyPaidError)
	if status in (BoletoStatus.CANCELLED, BoletoStatus.DRAFT):
		frappe.throw(_("A {0} boleto cannot be marked as paid.").format(_(status)), BillingError)
	boleto = frappe.get_doc(BOLETO, exc.boleto)
	credit_date = getdate(exc.credit_date or nowdate())
	mark_paid(boleto, received, credit_date, credit_date, source="Bank Return")
	exc.status = "Resolved"
	exc.resolution = resolution or _(
		"Payment of {0} accepted; {1} above the boleto stays as customer credit."
	).format(received, received - expected)
	exc.save(ignore_permissions=True)
	return boleto
