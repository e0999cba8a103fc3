"""Bank files adapter: our DocTypes ↔ the core's bank data (``core.boleto.BankAccount``) and its CNAB 240 writer
and parser (``core.cnab240``).

The only module that knows the core's CNAB data classes; the billing services hand it documents and get text or
parsed data back; the bank API adapter (``adapters.bank_registration``) takes its account and title data from here.
"""

from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import flt, getdate

from fiber_onboarding.core.boleto import BankAccount
from fiber_onboarding.core.cnab240 import (
	CnabError,
	Payer,
	RemessaError,
	RemessaHeader,
	RemessaItem,
	parse_retorno,
)

MOVEMENTS = {"Registration": "01", "Cancellation": "02"}
CENT = Decimal("0.01")


class CnabFileError(frappe.ValidationError):
	pass


def bank_account_of(agreement) -> BankAccount:
	"""The core's view of a Fiber Bank Agreement (used to generate boletos and CNAB files, and by bank APIs)."""
	return BankAccount(
		bank_code=agreement.bank_code,
		agency=agreement.agency or "",
		account=agreement.account or "",
		account_dv=agreement.account_dv or "",
		wallet=agreement.wallet or "",
		agreement=agreement.agreement_code or "",
		beneficiary_code=agreement.beneficiary_code or "",
	)


def _money(value) -> Decimal:
	return Decimal(str(flt(value, 2))).quantize(CENT)


def _percent(field: str) -> Decimal:
	value = frappe.db.get_single_value("Fiber Onboarding Settings", field) or 0
	return Decimal(str(flt(value, 2))).quantize(CENT)


def payer_of(boleto) -> Payer:
	"""Payer block from the case's registration data (or the customer's primary address)."""
	case = frappe.get_doc("Fiber Onboarding", boleto.onboarding) if boleto.onboarding else None
	if case:
		street = ", ".join(p for p in (case.get("address_line1"), case.get("address_number")) if p)
		if case.get("address_line2"):
			street = f"{street} {case.address_line2}"
		return Payer(
			name=boleto.payer_name or case.get("company_name") or boleto.customer,
			document=boleto.payer_tax_id or case.get("cnpj") or "",
			address=street,
			cep=case.get("cep") or "",
			city=case.get("city") or "",
			uf=case.get("state") or "",
			neighborhood=case.get("neighborhood") or "",
		)
	address_name = frappe.db.get_value("Customer", boleto.customer, "customer_primary_address")
	address = (
		frappe.db.get_value(
			"Address",
			address_name,
			["address_line1", "address_line2", "city", "state", "pincode"],
			as_dict=True,
		)
		or frappe._dict()
	)
	return Payer(
		name=boleto.payer_name or boleto.customer,
		document=boleto.payer_tax_id or frappe.db.get_value("Customer", boleto.customer, "tax_id") or "",
		address=address.address_line1 or "",
		cep="".join(ch for ch in (address.pincode or "") if ch.isdigit()),
		city=address.city or "",
		uf=address.state or "",
		neighborhood=address.address_line2 or "",
	)


def remessa_item(boleto, movement: str = "Registration") -> RemessaItem:
	"""The core's title data of a boleto (used by the CNAB writer and by bank API registrars)."""
	return RemessaItem(
		nosso_numero=int(boleto.sequence),
		document_number=boleto.document_number or boleto.name,
		due_date=getdate(boleto.due_date),
		amount=_money(boleto.amount),
		issue_date=getdate(boleto.issue_date),
		payer=payer_of(boleto),
		fine_percent=_percent("fine_percent"),
		monthly_interest_percent=_percent("monthly_interest_percent"),
		movement=MOVEMENTS[movement],
	)


def remessa_text(agreement, boletos: list, sequence: int, generated_at) -> str:
	"""CNAB 240 remittance text for ``boletos`` (list of (Fiber Boleto, movement)) under file ``sequence``."""
	header = RemessaHeader(
		account=bank_account_of(agreement),
		company_name=agreement.beneficiary_name,
		company_cnpj=agreement.beneficiary_cnpj or "",
	)
	items = [remessa_item(boleto, movement) for boleto, movement in boletos]
	try:
		from fiber_onboarding.core.cnab240 import build_remessa

		return build_remessa(header, items, sequence, generated_at)
	except (RemessaError, CnabError, ValueError) as e:
		frappe.throw(_("The remittance file could not be built: {0}").format(str(e)), CnabFileError)


def remessa_file_name(agreement, sequence: int, generated_at) -> str:
	return f"CNAB240-{agreement.bank_code}-{generated_at:%Y%m%d}-{sequence:06d}.rem"


def parse(text: str):
	"""(Retorno, None) when the whole file is valid, else (None, CnabError with line/column)."""
	try:
		return parse_retorno(text), None
	except CnabError as e:
		return None, e


def agreement_for(parsed) -> str | None:
	"""The bank agreement a return belongs to: same bank, and the same beneficiary CNPJ when several match."""
	agreements = frappe.get_all(
		"Fiber Bank Agreement",
		filters={"bank_code": parsed.bank_code},
		fields=["name", "beneficiary_cnpj", "is_active"],
		order_by="is_active desc, creation asc",
	)
	if len(agreements) > 1 and parsed.company_document:
		document = "".join(ch for ch in parsed.company_document.upper() if ch.isalnum())
		matching = [
			a for a in agreements if (a.beneficiary_cnpj or "") and document.endswith(a.beneficiary_cnpj)
		]
		if len(matching) == 1:
			return matching[0].name
	return agreements[0].name if len(agreements) == 1 else None
