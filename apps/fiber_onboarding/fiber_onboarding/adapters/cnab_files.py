"""Bank files adapter: our DocTypes ↔ the core's bank data (``core.boleto.BankAccount``, ``core.cnab.Agreement``)
and its CNAB reader and writer (``core.cnab``: six banks, CNAB 240 and 400).

The only module that knows the core's CNAB data classes; the billing services hand it documents and get text or
parsed data back; the bank API adapter (``adapters.bank_registration``) takes its account and title data from here.
"""

from datetime import date, datetime
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import flt, getdate

from fiber_onboarding.core import cnab
from fiber_onboarding.core.boleto import BankAccount, generate
from fiber_onboarding.core.boleto.banks import BANKS
from fiber_onboarding.core.cnab import CnabError, Payer, RemessaError, RemessaItem, TitleError

MOVEMENTS = {"Registration": "01", "Cancellation": "02"}
LAYOUTS = {"CNAB 240": 240, "CNAB 400": 400}
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


def cnab_agreement_of(agreement) -> cnab.Agreement:
	"""The core's collection agreement (remessa header data, and the company a retorno must belong to)."""
	return cnab.Agreement(
		account=bank_account_of(agreement),
		company_name=agreement.beneficiary_name or "",
		company_document=agreement.beneficiary_cnpj or "",
		transmission_code=agreement.get("transmission_code") or "",
		agency_dv=agreement.agency_dv or "",
		beneficiary_dv=agreement.get("beneficiary_dv") or "",
	)


def layout_of(agreement) -> int:
	return LAYOUTS.get(agreement.cnab_layout or "CNAB 240", 240)


def retorno_key(agreement, sequence: int) -> str:
	"""The title key a retorno of this agreement's bank carries (``RetornoItem.nosso_numero``), any of the six
	banks, the same in CNAB 240 and 400 (``core.cnab.retorno_key``)."""
	return cnab.retorno_key(bank_account_of(agreement), sequence)


def agreement_problem(agreement) -> str | None:
	"""Why the core could not print this agreement's boletos or write its remessa (pt-BR), or None: a one-title
	probe through ``core.boleto.generate`` and ``core.cnab.write_remessa`` in the agreement's layout."""
	if agreement.bank_code not in BANKS:  # Inter numbers its own titles (API only): no layout of ours
		return None
	ours = cnab_agreement_of(agreement)
	today = date.today()
	payer = Payer("Pagador", "11.222.333/0001-81", "Rua", "01310-100", "Sao Paulo", "SP")
	probe = RemessaItem(1, "TESTE", today, Decimal("1.00"), today, payer)
	try:
		generate(ours.account, 1, today, Decimal("1.00"))
		cnab.retorno_key(ours.account, 1)
		if agreement.registration_method == "CNAB File":
			cnab.write_remessa(ours, [probe], 1, datetime.now(), layout_of(agreement))
	except ValueError as e:  # BoletoError, RemessaError: pt-BR messages
		return str(e)
	return None


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


def remessa_text(agreement, boletos: list, sequence: int, generated_at, skip_bad: bool = False):
	"""(text, boletos written, boletos left out) — the remessa in the agreement's bank and layout for ``boletos``
	(list of (Fiber Boleto, movement)) under file ``sequence``, read back by ``core.cnab.read_remessa``
	(``expect_company`` = the full agreement: bank, CNPJ and the code the layout carries) and checked before it is
	returned. A boleto whose own data cannot be written (payer's CPF/CNPJ, CEP, UF, name…) makes the whole file fail,
	unless ``skip_bad``: then it is left out, returned as (boleto, movement, pt-BR reason), and the others written
	(text None when none is left). The agreement's own problems always fail the file."""
	kept = list(boletos)
	items = [remessa_item(boleto, movement) for boleto, movement in kept]
	skipped = []
	ours = cnab_agreement_of(agreement)
	try:
		while True:
			try:
				text = cnab.write_remessa(ours, items, sequence, generated_at, layout_of(agreement))
				break
			except TitleError as e:
				if not skip_bad:
					raise
				boleto, movement = kept.pop(e.index - 1)
				items.pop(e.index - 1)
				skipped.append((boleto, movement, e.reason))
				if not items:
					return None, [], skipped
		check_remessa(cnab.read_remessa(text, expect_company=ours), ours, items)
	except (RemessaError, CnabError, ValueError) as e:
		frappe.throw(_("The remittance file could not be built: {0}").format(str(e)), CnabFileError)
	return text, kept, skipped


def check_remessa(remessa, agreement, items) -> None:
	"""The file as the bank will read it says what we meant: its titles, keys, movements and total."""
	keys = [cnab.retorno_key(agreement.account, item.nosso_numero) for item in items]
	found = [(t.nosso_numero, t.movement, t.amount) for t in remessa.items]
	if found != [(k, i.movement, i.amount) for k, i in zip(keys, items, strict=True)]:
		raise RemessaError("a remessa relida não traz os títulos enviados.")
	if remessa.total_amount != sum((i.amount for i in items), Decimal(0)):
		raise RemessaError("o total da remessa relida difere do total dos títulos.")


def remessa_file_name(agreement, sequence: int, generated_at) -> str:
	return f"CNAB{layout_of(agreement)}-{agreement.bank_code}-{generated_at:%Y%m%d}-{sequence:06d}.rem"


def _candidates(bank_code: str) -> list:
	return frappe.get_all(
		"Fiber Bank Agreement",
		filters={"bank_code": bank_code},
		pluck="name",
		order_by="is_active desc, creation asc",
	)


def read(data: bytes | str):
	"""(Retorno, agreement name, None) when the whole file is valid and belongs to one of our agreements of its
	bank (checked with ``expect_company``: CNPJ and the company's code at the bank), else (None, None,
	CnabError with line/column and a pt-BR message)."""
	try:
		layout, bank_code = cnab.detect(data)
		candidates = _candidates(bank_code)
		if not candidates:
			cnab.read_retorno(data)  # a broken file says where it is broken first
			raise CnabError(1, 1, f"nenhum convênio do banco {bank_code} cadastrado: arquivo recusado.")
		accepted, first_error = [], None
		for name in candidates:
			agreement = frappe.get_doc("Fiber Bank Agreement", name)
			try:
				accepted.append(
					(agreement, cnab.read_retorno(data, expect_company=cnab_agreement_of(agreement)))
				)
			except CnabError as e:
				first_error = first_error or e
		if not accepted:
			raise first_error
	except CnabError as e:
		return None, None, e
	agreement, parsed = max(accepted, key=lambda found: _fit(found[0], layout, found[1]))
	return parsed, agreement.name, None


def _fit(agreement, layout: int, parsed) -> tuple[int, int]:
	"""How well a file fits an agreement that accepts it: its titles issued under it, then the same layout
	(several agreements of one company at one bank may not be told apart by the header alone)."""
	keys = list({item.nosso_numero for item in parsed.items})
	found = frappe.db.count("Fiber Boleto", {"bank_agreement": agreement.name, "retorno_key": ("in", keys)})
	return (found if keys else 0, int(layout_of(agreement) == layout))
