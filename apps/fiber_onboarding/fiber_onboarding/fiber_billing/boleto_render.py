"""Everything the boleto layout (``templates/includes/boleto_layout.html``) shows, for the portal page and the PDF.

The barcode image comes from the core (``core.boleto.image``): inline SVG on the page, a PNG data URI in the
PDF (wkhtmltopdf). The Pix QR is drawn only from the bank's validated payload (``core.pix``), never invented.
"""

import base64

import frappe
from frappe.utils import flt, fmt_money, formatdate

from fiber_onboarding.core.process import BoletoStatus

# FEBRABAN bank code with its check digit (mod 11), as printed in the boleto header
BANK_LABELS = {
	"001": ("001-9", "Banco do Brasil"),
	"033": ("033-7", "Santander"),
	"104": ("104-0", "Caixa"),
	"237": ("237-2", "Bradesco"),
	"341": ("341-7", "Itaú"),
	"756": ("756-0", "Sicoob"),
	"077": ("077-9", "Banco Inter"),
}


CODE_BANKS = ("104", "033", "756")


def _wallet(agreement) -> str:
	"""The carteira as printed (BB keeps the variation for CNAB only: "17-019" prints as "17")."""
	wallet = agreement.wallet or ""
	if agreement.bank_code == "001":
		from fiber_onboarding.core.boleto.banks import bb_wallet

		return bb_wallet(wallet)[0]
	return wallet


def _instructions(agreement) -> str:
	"""Fine and interest after the due date (the same values the remittance sends), then the agreement's text."""
	fine = flt(frappe.db.get_single_value("Fiber Onboarding Settings", "fine_percent"))
	interest = flt(frappe.db.get_single_value("Fiber Onboarding Settings", "monthly_interest_percent"))
	lines = []
	if fine or interest:
		fine_text, interest_text = _percent(fine), _percent(interest)
		lines.append(f"Após o vencimento, cobrar multa de {fine_text}% e juros de {interest_text}% ao mês.")
	if agreement.instructions:
		lines.append(agreement.instructions.strip())
	return "\n".join(lines)


def _percent(value: float) -> str:
	return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _brl(value) -> str:
	return fmt_money(value or 0, precision=2, currency="BRL", format="#.###,##")


def _date(value) -> str:
	return formatdate(value, "dd/mm/yyyy") if value else ""


def _cnpj(value: str | None) -> str:
	v = (value or "").strip().upper()
	if len(v) == 14:
		return f"{v[:2]}.{v[2:5]}.{v[5:8]}/{v[8:12]}-{v[12:]}"
	return v


def _barcode_markup(barcode: str, for_pdf: bool) -> str:
	from fiber_onboarding.core.boleto.image import itf_png, itf_svg

	if not barcode:
		return ""
	if for_pdf:
		data = base64.b64encode(itf_png(barcode)).decode("ascii")
		return f'<img class="bol-barcode-img" alt="" src="data:image/png;base64,{data}">'
	return itf_svg(barcode)


def _pix_markup(payload: str | None, for_pdf: bool) -> str:
	if not payload:
		return ""
	from fiber_onboarding.core.pix import PixError, qr_png, qr_svg

	try:
		if for_pdf:
			data = base64.b64encode(qr_png(payload)).decode("ascii")
			return f'<img class="bol-pix-img" alt="QR Code Pix" src="data:image/png;base64,{data}">'
		return qr_svg(payload)
	except PixError:
		return ""


def _withheld(doc) -> bool:
	"""Codes not shown: the bank's API has not registered the boleto yet, or answered with other codes."""
	if doc.get("api_state") == "Code Mismatch":
		return True
	return doc.get("registration_channel") == "Bank API" and doc.status == BoletoStatus.SUBMITTED


def render_context(doc, for_pdf: bool = False) -> dict:
	"""Values of the boleto layout, already formatted for pt-BR."""
	withheld = _withheld(doc)
	agreement = frappe.get_cached_doc("Fiber Bank Agreement", doc.bank_agreement)
	code_label, bank_name = BANK_LABELS.get(doc.bank_code or agreement.bank_code, (doc.bank_code, ""))
	agency = "-".join(p for p in (agreement.agency, agreement.agency_dv) if p)
	account = "-".join(p for p in (agreement.account, agreement.account_dv) if p)
	# Caixa, Santander and Sicoob print the beneficiary code; the others the account
	beneficiary_code = (
		agreement.beneficiary_code if agreement.bank_code in CODE_BANKS and agreement.beneficiary_code else ""
	)
	return {
		"name": doc.name,
		"status": doc.status,
		"provisional": doc.status in (BoletoStatus.DRAFT, BoletoStatus.SUBMITTED) and not withheld,
		# registered online: the page says so until the bank answers (and the customer is e-mailed then)
		"registering": withheld and doc.status == BoletoStatus.SUBMITTED,
		"code_mismatch": doc.get("api_state") == "Code Mismatch",
		"unpayable": doc.status
		in (BoletoStatus.PAID, BoletoStatus.CANCELLED, BoletoStatus.EXPIRED, BoletoStatus.REJECTED),
		"bank_code_label": code_label,
		"bank_name": bank_name,
		"digitable_line": "" if withheld else doc.digitable_line or "",
		"barcode_markup": "" if withheld else _barcode_markup(doc.barcode, for_pdf),
		"pix_markup": "" if withheld else _pix_markup(doc.pix_payload, for_pdf),
		"pix_payload": "" if withheld else doc.pix_payload or "",
		"payment_place": agreement.payment_place or "Pagável em qualquer banco até o vencimento",
		"beneficiary_name": agreement.beneficiary_name,
		"beneficiary_cnpj": _cnpj(agreement.beneficiary_cnpj),
		"beneficiary_address": agreement.beneficiary_address or "",
		"agency_code": f"{agency} / {account}" if not beneficiary_code else f"{agency} / {beneficiary_code}",
		"wallet": _wallet(agreement),
		"nosso_numero": doc.get("bank_nosso_numero") or doc.nosso_numero or "",
		"document_number": doc.document_number or "",
		"document_date": _date(doc.issue_date),
		"processing_date": _date(doc.issue_date),
		"due_date": _date(doc.due_date),
		"amount": _brl(doc.amount),
		"instructions": _instructions(agreement),
		"payer_name": doc.payer_name or doc.customer,
		"payer_tax_id": _cnpj(doc.payer_tax_id),
		"payer_address": doc.payer_address or "",
		"paid_on": _date(doc.paid_on),
		"replaced_by": doc.reissued_by or "",
	}
