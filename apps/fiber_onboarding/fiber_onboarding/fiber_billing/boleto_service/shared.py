"""What every step of the boleto's life cycle shares: the errors, money as an exact Decimal, the settings, the
active bank agreement and the boleto row lock."""

from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import flt

from fiber_onboarding.core.process import BoletoStatus

SETTINGS = "Fiber Onboarding Settings"
BOLETO = "Fiber Boleto"
FINANCE_ROLES = ("Fiber Finance", "System Manager")
OPEN_STATUSES = (BoletoStatus.SUBMITTED, BoletoStatus.REGISTERED)
CENT = Decimal("0.01")


class BillingError(frappe.ValidationError):
	pass


class NothingToSendError(BillingError):
	pass


class AlreadyPaidError(BillingError):
	pass


def money(value) -> Decimal:
	"""A Currency field value (float from the database) as an exact Decimal with two places."""
	return Decimal(str(flt(value, 2))).quantize(CENT)


def settings():
	return frappe.get_single(SETTINGS)


def active_agreement(name: str | None = None):
	name = name or settings().bank_agreement
	if not name:
		frappe.throw(_("Set the bank agreement in Fiber Onboarding Settings first."), BillingError)
	agreement = frappe.get_doc("Fiber Bank Agreement", name)
	if not agreement.is_active:
		frappe.throw(_("Bank agreement {0} is not active.").format(name), BillingError)
	return agreement


def lock_boleto(name: str) -> str:
	"""Lock the boleto row for the rest of the transaction and return its stored status."""
	rows = frappe.db.sql(f"select status from `tab{BOLETO}` where name=%s for update", (name,))
	if not rows:
		frappe.throw(_("Boleto {0} not found.").format(name), BillingError)
	return rows[0][0]
