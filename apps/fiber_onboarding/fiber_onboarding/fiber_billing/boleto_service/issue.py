"""Step 2, the boleto: at registration the setup-fee Sales Invoice and its boleto (nosso número, barcode and
linha digitável from the core), registered with the bank (CNAB remittance, or online through the bank's API), and
the e-mail with the print link. Idempotent while the case's boleto is open."""

from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import add_days, get_url, getdate, nowdate

from fiber_onboarding.adapters import bank_registration
from fiber_onboarding.adapters import erpnext_accounting as accounting
from fiber_onboarding.adapters.cnab_files import bank_account_of
from fiber_onboarding.core.process import BoletoStatus
from fiber_onboarding.fiber_billing.boleto_service import api_registration
from fiber_onboarding.fiber_billing.boleto_service.shared import (
	BOLETO,
	BillingError,
	active_agreement,
	settings,
)
from fiber_onboarding.fiber_billing.doctype.fiber_bank_agreement.fiber_bank_agreement import (
	allocate_nosso_numero,
)
from fiber_onboarding.utils.mail import send_once


def issue_boleto(onboarding):
	"""Invoice and boleto for the setup fee of a registered case (idempotent: an open boleto is returned)."""
	case = frappe.get_doc("Fiber Onboarding", onboarding) if isinstance(onboarding, str) else onboarding
	if case.get("boleto"):
		current = frappe.get_doc(BOLETO, case.boleto)
		if current.status not in (BoletoStatus.CANCELLED, BoletoStatus.EXPIRED, BoletoStatus.REJECTED):
			return current

	agreement = active_agreement()
	s = settings()
	due_date = add_days(getdate(nowdate()), int(s.boleto_due_days or 5))
	invoice = accounting.create_setup_invoice(case, due_date=due_date)
	amount = accounting.invoice_outstanding(invoice)
	if amount <= 0:
		frappe.throw(_("Invoice {0} has nothing outstanding.").format(invoice), BillingError)

	boleto = create_boleto(
		agreement,
		customer=case.customer,
		onboarding=case.name,
		invoice=invoice,
		amount=amount,
		due_date=due_date,
		payer={
			"payer_name": case.get("company_name") or case.customer,
			"payer_tax_id": case.get("cnpj"),
			"payer_address": _payer_address(case),
		},
	)
	send_boleto_email(boleto, case)
	return boleto


def _payer_address(case) -> str:
	street = ", ".join(p for p in (case.get("address_line1"), case.get("address_number")) if p)
	parts = [street, case.get("address_line2"), case.get("neighborhood")]
	city = " / ".join(p for p in (case.get("city"), case.get("state")) if p)
	cep = case.get("cep") or ""
	if len(cep) == 8:
		cep = f"{cep[:5]}-{cep[5:]}"
	return " - ".join(p for p in [*parts, city, cep] if p)


def create_boleto(
	agreement, *, customer, onboarding, invoice, amount: Decimal, due_date, payer: dict, **extra
):
	"""Allocate a nosso número, compute the codes with the core and insert the boleto as Submitted."""
	sequence = allocate_nosso_numero(agreement.name)
	account = bank_account_of(agreement)
	codes = api_registration.title_codes(agreement, account, sequence, due_date, amount)

	boleto = frappe.get_doc(
		{
			"doctype": BOLETO,
			"status": BoletoStatus.SUBMITTED,
			"customer": customer,
			"onboarding": onboarding,
			"sales_invoice": invoice,
			"bank_agreement": agreement.name,
			"company": agreement.company,
			"bank_code": agreement.bank_code,
			"sequence": sequence,
			"nosso_numero": codes.nosso_numero,
			"retorno_key": codes.retorno_key,
			"document_number": invoice,
			"issue_date": nowdate(),
			"due_date": getdate(due_date),
			"amount": float(codes.amount),
			"barcode": codes.barcode,
			"digitable_line": codes.line_formatted,
			"registration_channel": (
				bank_registration.BANK_API if bank_registration.uses_bank_api(agreement) else "CNAB File"
			),
			**payer,
			**extra,
		}
	)
	boleto.insert(ignore_permissions=True)
	# Bank API agreements: registered at the bank now (short timeout), else retried in the background
	api_registration.register_on_issue(boleto, agreement)
	return boleto


def boleto_url(boleto_name: str) -> str:
	return get_url(f"/boleto?name={boleto_name}")


def send_boleto_email(boleto, case=None):
	case = case or (frappe.get_doc("Fiber Onboarding", boleto.onboarding) if boleto.onboarding else None)
	recipients = [
		r
		for r in ((case.get("legal_email") if case else None), (case.get("portal_user") if case else None))
		if r
	]
	if not recipients:
		return False
	return send_once(
		f"boleto:{boleto.name}",
		"fo_boleto",
		sorted(set(recipients)),
		{
			"boleto": boleto.as_dict(),
			"company_name": case.get("company_name") if case else boleto.payer_name,
			"amount": frappe.format(boleto.amount, {"fieldtype": "Currency", "options": "BRL"}),
			"due_date": frappe.format(boleto.due_date, "Date"),
			"url": boleto_url(boleto.name),
			"reissued": bool(boleto.reissued_from),
		},
		reference_doctype=BOLETO,
		reference_name=boleto.name,
		# rendered when the queue sends the e-mail (print format "Boleto", the same layout as the portal page)
		attachments=[
			{"print_format_attachment": 1, "doctype": BOLETO, "name": boleto.name, "print_format": "Boleto"}
		],
	)
