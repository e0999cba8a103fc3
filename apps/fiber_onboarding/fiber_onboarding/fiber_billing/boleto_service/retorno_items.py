"""One line of a bank return applied on its own: the entrada confirmada or rejeitada (with the bank's pt-BR motive
and Pix payload), the payment, the write-off. Each line runs in its own savepoint: a line that cannot be applied
normally (cancelled case, other amount, unknown nosso número, boleto paid by hand or cancelled, any unexpected
error) is recorded as a row with its outcome and becomes a Finance Exception; it never blocks the other lines.
Money is never applied twice: a boleto already Paid is skipped under its row lock."""

import frappe
from frappe import _
from frappe.utils import getdate, nowdate

from fiber_onboarding.core import cnab
from fiber_onboarding.core.process import BoletoStatus
from fiber_onboarding.fiber_billing.boleto_service.finance_exceptions import (
	raise_finance_exception,
	reject_registration,
)
from fiber_onboarding.fiber_billing.boleto_service.payment import mark_paid, payment_problem
from fiber_onboarding.fiber_billing.boleto_service.shared import BOLETO, lock_boleto, money

# outcomes that skip a line without an exception, and those that count as registered / rejected / paid
SKIPPED = ("Already Paid", "Ignored")
SAVEPOINT = "fo_retorno_item"


def apply_line(retorno, agreement: str, item) -> dict:
	"""Apply one retorno item in its own savepoint; an unexpected error undoes this line only."""
	messages = len(frappe.local.message_log or [])
	frappe.db.savepoint(SAVEPOINT)
	try:
		row = apply_item(retorno, agreement, item)
	except frappe.QueryDeadlockError:
		raise  # the database rolled the whole transaction back: nothing left to isolate
	except Exception as e:
		frappe.db.rollback(save_point=SAVEPOINT)
		del frappe.local.message_log[messages:]
		frappe.log_error(
			title=f"CNAB Retorno {retorno.name}: line {item.line_number}",
			reference_doctype="CNAB Retorno",
			reference_name=retorno.name,
		)
		return _could_not_apply(retorno, agreement, item, e)
	frappe.db.release_savepoint(SAVEPOINT)
	return row


def _could_not_apply(retorno, agreement, item, error) -> dict:
	name = find_boleto(agreement, item)
	boleto = frappe.get_doc(BOLETO, name) if name else None
	message = frappe.utils.strip_html(str(error)) or error.__class__.__name__
	detail = _("This line could not be applied: {0}").format(message)
	exc = raise_finance_exception(
		"Could Not Apply",
		retorno=retorno.name,
		line_number=item.line_number,
		nosso_numero=item.nosso_numero,
		boleto=boleto,
		expected_amount=money(boleto.amount) if boleto else None,
		received_amount=item.amount_paid if item.status == cnab.PAID else None,
		credit_date=item.credit_date or item.payment_date,
		detail=detail,
	)
	return _row(item, boleto=name, outcome="Could Not Apply", finance_exception=exc, detail=detail)


def find_boleto(agreement: str, item) -> str | None:
	name = frappe.db.get_value(
		BOLETO, {"bank_agreement": agreement, "retorno_key": item.nosso_numero}, "name"
	)
	return name or frappe.db.get_value(
		BOLETO, {"bank_agreement": agreement, "nosso_numero": item.nosso_numero}, "name"
	)


def _row(item, **values) -> dict:
	row = {
		"line_number": item.line_number,
		"nosso_numero": item.nosso_numero,
		"occurrence_code": item.occurrence_code,
		"bank_status": item.status,
		"amount_title": float(item.amount_title or 0),
		"amount_paid": float(item.amount_paid or 0),
		"fees": float(item.fees or 0),
		"credit_date": item.credit_date,
		"payment_date": item.payment_date,
	}
	row.update(values)
	return row


def _bank_says(item) -> str:
	"""The bank's own words for the line: occurrence and motives, pt-BR."""
	return " — ".join(t for t in (item.occurrence_text, item.reason) if t)


def apply_item(retorno, agreement: str, item) -> dict:
	name = find_boleto(agreement, item)
	if not name:
		if item.status == cnab.PAID:
			exc = raise_finance_exception(
				"Unknown Nosso Número",
				retorno=retorno.name,
				line_number=item.line_number,
				nosso_numero=item.nosso_numero,
				received_amount=item.amount_paid,
				credit_date=item.credit_date or item.payment_date,
				detail=_("The bank reports a payment for a nosso número we did not issue."),
			)
			return _row(item, outcome="Unknown Nosso Número", finance_exception=exc)
		return _row(item, outcome="Ignored", detail=_("Nosso número not issued by us."))

	status = lock_boleto(name)
	boleto = frappe.get_doc(BOLETO, name)
	if item.status == cnab.REGISTERED:
		return _apply_registered(boleto, status, item)
	if item.status == cnab.REJECTED:
		return _apply_rejected(retorno, boleto, status, item)
	if item.status == cnab.PAID:
		return _apply_paid(retorno, boleto, status, item)
	if item.status == cnab.WRITTEN_OFF:
		return _apply_written_off(boleto, status, item)
	pix = _take_pix(boleto, status, item)
	if pix:
		boleto.save(ignore_permissions=True)
	return _row(item, boleto=name, outcome="Ignored", detail=_bank_says(item) or None)


def _take_pix(boleto, status, item) -> bool:
	"""The Pix "copia e cola" the bank sent for an open boleto goes onto it (a payload that does not validate is
	left out and noted on the boleto)."""
	payload = (item.pix_payload or "").strip()
	if not payload or payload == boleto.pix_payload or status in (BoletoStatus.PAID, BoletoStatus.CANCELLED):
		return False
	from fiber_onboarding.core.pix import PixError, validate_emv

	try:
		validate_emv(payload)
	except PixError as e:
		boleto.add_comment("Info", _("The bank sent a Pix payload that is not valid: {0}").format(str(e)))
		return False
	boleto.pix_payload = payload
	return True


def _apply_registered(boleto, status, item) -> dict:
	pix = _take_pix(boleto, status, item)
	if status not in (BoletoStatus.DRAFT, BoletoStatus.SUBMITTED, BoletoStatus.REJECTED):
		if pix:
			boleto.save(ignore_permissions=True)
		return _row(item, boleto=boleto.name, outcome="Ignored", detail=_("Already {0}.").format(_(status)))
	boleto.status = BoletoStatus.REGISTERED
	boleto.registered_on = item.payment_date or getdate(nowdate())
	boleto.rejection_reason = None
	boleto.save(ignore_permissions=True)
	return _row(item, boleto=boleto.name, outcome="Registered", detail=_bank_says(item) or None)


def _apply_rejected(retorno, boleto, status, item) -> dict:
	if status not in (BoletoStatus.DRAFT, BoletoStatus.SUBMITTED):
		return _row(item, boleto=boleto.name, outcome="Ignored", detail=_("Already {0}.").format(_(status)))
	reason = item.reason or item.occurrence_text or item.occurrence_code
	exc = reject_registration(boleto, reason, retorno=retorno.name, line_number=item.line_number)
	return _row(
		item, boleto=boleto.name, outcome="Rejected", finance_exception=exc, detail=boleto.rejection_reason
	)


def _apply_paid(retorno, boleto, status, item) -> dict:
	received = money(item.amount_paid or 0)
	expected = money(boleto.amount)
	credit_date = item.credit_date or item.payment_date or getdate(nowdate())
	problem = payment_problem(boleto, status, received, expected)
	if problem is None and status == BoletoStatus.PAID:
		return _row(item, boleto=boleto.name, outcome="Already Paid", payment_entry=boleto.payment_entry)
	if problem:
		kind, detail = problem
		# the same payment sent again in another file: the exception Finance already has, not a second one
		exc = _reported(kind, boleto.name, received, credit_date) or raise_finance_exception(
			kind,
			retorno=retorno.name,
			line_number=item.line_number,
			nosso_numero=boleto.nosso_numero,
			boleto=boleto,
			expected_amount=expected,
			received_amount=received,
			credit_date=credit_date,
			detail=detail,
		)
		return _row(item, boleto=boleto.name, outcome=kind, finance_exception=exc, detail=detail)

	mark_paid(boleto, received, item.payment_date or credit_date, credit_date, source="Bank Return")
	return _row(item, boleto=boleto.name, outcome="Paid", payment_entry=boleto.payment_entry)


def _reported(kind: str, boleto: str, received, credit_date) -> str | None:
	return frappe.db.get_value(
		"Fiber Finance Exception",
		{
			"exception_type": kind,
			"boleto": boleto,
			"received_amount": float(received),
			"credit_date": getdate(credit_date),
		},
		"name",
	)


def _apply_written_off(boleto, status, item) -> dict:
	if status in (BoletoStatus.PAID, BoletoStatus.CANCELLED):
		return _row(item, boleto=boleto.name, outcome="Ignored", detail=_("Already {0}.").format(_(status)))
	boleto.status = BoletoStatus.CANCELLED
	boleto.cancel_reason = _bank_says(item) or _("Cancelled by the bank")
	boleto.save(ignore_permissions=True)
	return _row(item, boleto=boleto.name, outcome="Cancelled", detail=boleto.cancel_reason)
