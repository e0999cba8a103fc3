"""Finance e-mailed when the daily remessa job cannot send everything: a boleto left out of its agreement's file
(its data cannot go to the bank; it stays pending, with the pt-BR reason), or an agreement whose file failed.

One e-mail per agreement, day and problem (``utils.mail.send_once``): a job run twice the same day does not repeat
it; a problem still there the next day is e-mailed again, since those boletos are still not at the bank."""

import hashlib

import frappe
from frappe.utils import get_url_to_form, nowdate

from fiber_onboarding.fiber_billing.boleto_service.finance_exceptions import finance_recipients
from fiber_onboarding.fiber_billing.boleto_service.shared import BOLETO
from fiber_onboarding.utils.mail import send_once

TEMPLATE = "fo_cnab_remessa_blocked"
MOVEMENT_LABELS = {"Registration": "Registro (entrada)", "Cancellation": "Baixa"}


def notify_blocked(agreement: str, skipped: list, remessa: str | None = None) -> bool:
	"""Boletos left out (``skipped``: (boleto, movement, pt-BR reason)); ``remessa`` = the file sent without
	them, None when none of the agreement's boletos could go."""
	rows = [_row(boleto, movement, reason) for boleto, movement, reason in skipped]
	return _send(agreement, rows, remessa=remessa, error="")


def notify_failed(agreement: str, pending: list, error: Exception, log=None) -> bool:
	"""The agreement's whole file failed: the reason, and the boletos still waiting for it (``pending``:
	(boleto name, movement))."""
	if isinstance(error, frappe.ValidationError) and str(error):
		message = str(error)
	else:
		message = f"Erro inesperado ({type(error).__name__})."
	if log is not None:
		message += f" Detalhes no Error Log {log.name}."
	rows = [_row(frappe.get_doc(BOLETO, name), movement, "") for name, movement in pending]
	return _send(agreement, rows, remessa=None, error=message)


def _row(boleto, movement: str, reason: str) -> dict:
	return {
		"boleto": boleto.name,
		"customer": boleto.payer_name or boleto.customer,
		"nosso_numero": boleto.nosso_numero or "",
		"amount": frappe.format(boleto.amount, {"fieldtype": "Currency", "options": "BRL"}),
		"movement": MOVEMENT_LABELS.get(movement, movement),
		"reason": reason,
		"url": get_url_to_form(BOLETO, boleto.name),
	}


def _send(agreement: str, rows: list[dict], remessa: str | None, error: str) -> bool:
	problem = repr((remessa, error, [(r["boleto"], r["reason"]) for r in rows]))
	digest = hashlib.sha256(problem.encode()).hexdigest()[:16]
	title = frappe.db.get_value("Fiber Bank Agreement", agreement, "agreement_name") or agreement
	return send_once(
		f"cnab-remessa-blocked:{agreement}:{nowdate()}:{digest}",
		TEMPLATE,
		finance_recipients(),
		{
			"agreement": agreement,
			"agreement_title": title,
			"agreement_url": get_url_to_form("Fiber Bank Agreement", agreement),
			"remessa": remessa,
			"remessa_url": get_url_to_form("CNAB Remessa", remessa) if remessa else "",
			"error": error,
			"rows": rows,
			"count": len(rows),
		},
		reference_doctype="Fiber Bank Agreement",
		reference_name=agreement,
	)
