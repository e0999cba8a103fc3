"""Finance Exceptions: money the bank reports that cannot be applied (unknown nosso número, amount mismatch,
cancelled boleto paid, rejected registration) is recorded, never lost, and Finance is e-mailed."""

from decimal import Decimal

import frappe
from frappe import _

from fiber_onboarding.core.process import BoletoStatus
from fiber_onboarding.fiber_billing.boleto_service.shared import SETTINGS
from fiber_onboarding.utils.mail import send_once, staff_recipients


def raise_finance_exception(exception_type: str, *, boleto=None, **values) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Fiber Finance Exception",
			"exception_type": exception_type,
			"status": "Open",
			"boleto": boleto.name if boleto else None,
			"customer": boleto.customer if boleto else None,
			"onboarding": boleto.onboarding if boleto else None,
			**{k: (float(v) if isinstance(v, Decimal) else v) for k, v in values.items()},
		}
	)
	doc.insert(ignore_permissions=True)
	notify_finance(doc)
	return doc.name


def reject_registration(boleto, reason: str | None, **where) -> str:
	"""The bank refused the title (CNAB retorno or API): the boleto Rejected with the bank's reason, and Finance
	told. ``where`` says where the answer came from (retorno and line)."""
	boleto.status = BoletoStatus.REJECTED
	boleto.rejection_reason = reason
	boleto.save(ignore_permissions=True)
	return raise_finance_exception(
		"Rejected Registration",
		nosso_numero=boleto.nosso_numero,
		boleto=boleto,
		expected_amount=boleto.amount,
		detail=_("The bank rejected the registration: {0}").format(reason or "-"),
		**where,
	)


def finance_recipients() -> list[str]:
	email = frappe.db.get_single_value(SETTINGS, "finance_email")
	return [email] if email else staff_recipients("Fiber Finance")


def notify_finance(exception):
	send_once(
		f"finance-exception:{exception.name}",
		"fo_finance_exception",
		finance_recipients(),
		{
			"exception": exception.as_dict(),
			"exception_type": _(exception.exception_type),
			"expected": frappe.format(exception.expected_amount, {"fieldtype": "Currency", "options": "BRL"}),
			"received": frappe.format(exception.received_amount, {"fieldtype": "Currency", "options": "BRL"}),
			"url": frappe.utils.get_url_to_form("Fiber Finance Exception", exception.name),
		},
		reference_doctype="Fiber Finance Exception",
		reference_name=exception.name,
	)
