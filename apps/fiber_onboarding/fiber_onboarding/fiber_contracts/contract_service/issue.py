"""Step 4, sending: the contract created at registration (once), its PDF issued from the Print Format (WeasyPrint,
code and "Página x de y" on every page) and e-mailed with the signed upload link; staff may resend it."""

from __future__ import annotations

import hashlib

import frappe
from frappe import _

from fiber_onboarding.core.process import ContractState
from fiber_onboarding.fiber_contracts.contract_service.shared import (
	CASE,
	CONTRACT,
	PDF_MAGIC,
	PRINT_FORMAT,
	SETTINGS,
	ContractError,
	ContractStateError,
	issued_pdf_content,
	link_expiry_hours,
	max_upload_mb,
	upload_url,
)
from fiber_onboarding.utils.workflow import advance


def create_and_send_contract(case):
	"""Create the case's contract (once), issue its PDF and e-mail it to the legal responsible. Idempotent."""
	if isinstance(case, str):
		case = frappe.get_doc(CASE, case)
	name = case.get("contract") or frappe.db.get_value(CONTRACT, {"onboarding": case.name}, "name")
	if name:
		contract = frappe.get_doc(CONTRACT, name)
	else:
		contract = frappe.get_doc(
			{
				"doctype": CONTRACT,
				"onboarding": case.name,
				"customer": case.customer,
				"proposal": case.proposal,
				"legal_name": case.legal_name,
				"legal_cpf": case.legal_cpf,
				"legal_email": case.legal_email,
			}
		)
		contract.insert(ignore_permissions=True)  # the case links it when it hears of it (case_events)
	if not contract.issued_file:
		issue_contract_pdf(contract)
	if contract.workflow_state == ContractState.DRAFT:
		contract = advance(contract, "Send", as_system=True, actor=_("System"))
	send_contract_email(contract)
	return contract


def contract_context(contract) -> dict:
	"""What the Print Format's Jinja sees besides ``doc``: the case, the proposal and the contracted company
	(the desk's print view finds them itself; the masks and money come from the ``hooks.jinja`` helpers)."""
	case = frappe.get_doc(CASE, contract.onboarding)
	proposal = frappe.get_doc("Fiber Proposal", contract.proposal or case.proposal)
	company_name = frappe.db.get_single_value(SETTINGS, "company") or frappe.defaults.get_global_default(
		"company"
	)
	company = frappe.get_doc("Company", company_name) if company_name else None
	return {"doc": contract, "case": case, "proposal": proposal, "company": company}


def render_contract_html(contract) -> str:
	print_format = frappe.get_doc("Print Format", PRINT_FORMAT)
	context = contract_context(contract)
	body = frappe.render_template(print_format.html or "", context)
	css = frappe.render_template(print_format.css or "", context)
	return (
		'<!DOCTYPE html><html lang="pt-BR"><head><meta charset="utf-8">'
		f"<title>{frappe.utils.escape_html(contract.name)}</title><style>{css}</style></head>"
		f"<body>{body}</body></html>"
	)


def _no_fetch(url: str, *args, **kwargs):
	"""WeasyPrint URL fetcher: the contract is self-contained; nothing is fetched (no network, no files)."""
	if url.startswith("data:"):
		from weasyprint.urls import default_url_fetcher

		return default_url_fetcher(url)
	raise ValueError("external resources are not allowed in the contract")


def render_contract_pdf(contract) -> tuple[bytes, int]:
	"""PDF bytes and page count of the contract (WeasyPrint: paged-media CSS puts the code on every page)."""
	from weasyprint import HTML

	document = HTML(string=render_contract_html(contract), url_fetcher=_no_fetch).render()
	pages = len(document.pages)
	pdf = document.write_pdf()
	if not pdf.startswith(PDF_MAGIC) or pages < 1:
		frappe.throw(_("The contract PDF could not be generated."), ContractError)
	return pdf, pages


def issue_contract_pdf(contract):
	"""Render the PDF and keep it as a private File attached to the contract, with its SHA-256 and page count."""
	if contract.workflow_state not in (None, "", ContractState.DRAFT, ContractState.SENT):
		frappe.throw(
			_("The contract can only be reissued before the signed copy is uploaded."), ContractStateError
		)
	pdf, pages = render_contract_pdf(contract)
	file_doc = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"{contract.name}.pdf",
			"is_private": 1,
			"attached_to_doctype": CONTRACT,
			"attached_to_name": contract.name,
			"attached_to_field": "issued_file",
			"content": pdf,
		}
	)
	file_doc.flags.ignore_permissions = True
	file_doc.insert()
	contract.db_set(
		{
			"issued_file": file_doc.file_url,
			"issued_sha256": hashlib.sha256(pdf).hexdigest(),
			"page_count": pages,
		}
	)
	return file_doc


def mail_context(contract, **extra) -> dict:
	case = frappe.get_doc(CASE, contract.onboarding)
	context = {
		"doc": contract,
		"contract": contract,
		"case": case,
		"company_name": case.company_name,
		"legal_name": contract.legal_name,
		"upload_url": upload_url(contract),
		"link_expiry_hours": link_expiry_hours(),
		"link_expiry_days": max(1, link_expiry_hours() // 24),
		"max_upload_mb": max_upload_mb(),
	}
	context.update(extra)
	return context


def send_contract_email(contract, resend: int = 0) -> bool:
	"""Queue the contract e-mail (PDF attached, signed upload link) once per sending."""
	from fiber_onboarding.utils.mail import send_once

	key = f"fo_contract:{contract.name}" + (f":{resend}" if resend else "")
	return send_once(
		key,
		"fo_contract",
		[contract.legal_email],
		mail_context(contract),
		reference_doctype=CONTRACT,
		reference_name=contract.name,
		attachments=[{"fname": f"{contract.name}.pdf", "fcontent": issued_pdf_content(contract)}],
	)


def resend_contract(contract) -> bool:
	"""Staff resend the contract with a fresh link (e.g. the first one expired)."""
	if contract.workflow_state not in (ContractState.SENT, ContractState.REJECTED):
		frappe.throw(
			_("The contract can be resent only while it waits for the signed copy."), ContractStateError
		)
	count = frappe.db.count("Fiber Notification Log", {"key": ("like", f"fo_contract:{contract.name}%")})
	sent = send_contract_email(contract, resend=count)
	contract.add_comment("Info", _("Contract resent to {0}").format(contract.legal_email))
	return sent
