"""The service contract, from the proposal terms to the accepted signed PDF (process step 4).

When the contract is sent: at registration. The process text says the company's legal responsible "receives
the contract by e-mail" and that the activation term counts only from the internal passage *and* the receipt
of the signed contract (the later of the two). Sending it right at registration, in parallel with the boleto,
lets the customer sign while the payment clears and the project is drawn, so the contract never delays the
activation term; the contract carries no step that depends on the payment. ``register_case`` therefore calls
``create_and_send_contract(case)``; staff can resend it (with a fresh link) while it waits for the signature.

Flow: Draft --Send--> Sent --Upload Signed--> Signed Uploaded --Accept--> Accepted
                                              Signed Uploaded --Reject--> Rejected --Upload Signed--> ...

- The PDF is rendered with WeasyPrint from the Jinja Print Format "Contrato de Prestação de Serviços" (staff edit
  it in the desk); CSS paged media puts the contract code and "Página x de y" on every page. The issued PDF is a
  private File attached to the contract, with its SHA-256 and page count (the checker compares them).
- Every upload is kept (private File + a row in ``uploads``) and checked in a background job by
  ``core.pdfcheck.check_pdf`` in a separate, resource-limited process; each check becomes a row in ``checks``.
- Policy: an ``accept`` verdict in which every check passed accepts the contract automatically; a ``reject``
  verdict rejects it and tells the customer what to fix; anything else (``review``) waits for staff.
- Uploads are stored as ``<code>-assinado-<n>.pdf.bin``: Frappe serves private files inline by their extension,
  and an untrusted PDF must never open in a browser's (JavaScript-capable) viewer; with ``.bin`` it is always
  downloaded (``download_upload`` gives it back as ``.pdf`` with ``Content-Disposition: attachment``).
"""

from __future__ import annotations

import hashlib
import re

import frappe
from frappe import _
from frappe.utils import cint, get_datetime, getdate, now_datetime

from fiber_onboarding.utils.workflow import advance

CONTRACT = "Fiber Contract"
CASE = "Fiber Onboarding"
SETTINGS = "Fiber Onboarding Settings"
PRINT_FORMAT = "Contrato de Prestação de Serviços"
UPLOAD_ROUTE = "contrato/enviar"
UPLOAD_PURPOSE = "contract-upload"
DEFAULT_MAX_UPLOAD_MB = 10
PDF_MAGIC = b"%PDF-"

# workflow states and actions (core/process.py: CONTRACT_WORKFLOW)
DRAFT, SENT, SIGNED_UPLOADED, ACCEPTED, REJECTED = "Draft", "Sent", "Signed Uploaded", "Accepted", "Rejected"
UPLOAD_STATES = (SENT, REJECTED, SIGNED_UPLOADED)

# upload row status
PENDING, CHECKED, UPLOAD_ACCEPTED, UPLOAD_REJECTED, SUPERSEDED = (
	"Pending",
	"Checked",
	"Accepted",
	"Rejected",
	"Superseded",
)
DECISIONS = {"accept": "Accept", "review": "Review", "reject": "Reject"}
OUTCOMES = {"pass": "Pass", "warn": "Warn", "fail": "Fail"}


class ContractError(frappe.ValidationError):
	"""The contract cannot be generated or sent."""


class ContractUploadError(frappe.ValidationError):
	"""The uploaded file is refused before anything is stored."""


class ContractStateError(frappe.ValidationError):
	"""The action does not fit the contract's current state."""


# ---------------------------------------------------------------------------------------------------------------
# Generation and sending
# ---------------------------------------------------------------------------------------------------------------


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
	if contract.workflow_state == DRAFT:
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
	if contract.workflow_state not in (None, "", DRAFT, SENT):
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


def upload_url(contract, hours: int | None = None) -> str:
	from fiber_onboarding.utils.links import signed_url

	return signed_url(UPLOAD_ROUTE, UPLOAD_PURPOSE, contract.name, hours=hours)


def link_expiry_hours() -> int:
	return cint(frappe.db.get_single_value(SETTINGS, "link_expiry_hours")) or 168


def _mail_context(contract, **extra) -> dict:
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


def issued_pdf_content(contract) -> bytes:
	file_name = frappe.db.get_value(
		"File",
		{
			"file_url": contract.issued_file,
			"attached_to_doctype": CONTRACT,
			"attached_to_name": contract.name,
		},
	)
	if not file_name:
		frappe.throw(_("The contract PDF has not been issued yet."), ContractStateError)
	return frappe.get_doc("File", file_name).get_content()


def send_contract_email(contract, resend: int = 0) -> bool:
	"""Queue the contract e-mail (PDF attached, signed upload link) once per sending."""
	from fiber_onboarding.utils.mail import send_once

	key = f"fo_contract:{contract.name}" + (f":{resend}" if resend else "")
	return send_once(
		key,
		"fo_contract",
		[contract.legal_email],
		_mail_context(contract),
		reference_doctype=CONTRACT,
		reference_name=contract.name,
		attachments=[{"fname": f"{contract.name}.pdf", "fcontent": issued_pdf_content(contract)}],
	)


def resend_contract(contract) -> bool:
	"""Staff resend the contract with a fresh link (e.g. the first one expired)."""
	if contract.workflow_state not in (SENT, REJECTED):
		frappe.throw(
			_("The contract can be resent only while it waits for the signed copy."), ContractStateError
		)
	count = frappe.db.count("Fiber Notification Log", {"key": ("like", f"fo_contract:{contract.name}%")})
	sent = send_contract_email(contract, resend=count)
	contract.add_comment("Info", _("Contract resent to {0}").format(contract.legal_email))
	return sent


# ---------------------------------------------------------------------------------------------------------------
# Upload
# ---------------------------------------------------------------------------------------------------------------


def max_upload_mb() -> int:
	return cint(frappe.db.get_single_value(SETTINGS, "max_upload_mb")) or DEFAULT_MAX_UPLOAD_MB


def max_upload_bytes() -> int:
	return max_upload_mb() * 1024 * 1024


def looks_like_pdf(content: bytes) -> bool:
	"""The content itself must be a PDF: ``%PDF-`` at the start (leading whitespace tolerated), whatever the name."""
	return content[:1024].lstrip().startswith(PDF_MAGIC)


def validate_upload_content(content: bytes | None):
	"""Refuse an empty, oversized or non-PDF upload before anything is stored."""
	if not content:
		frappe.throw(_("Choose the signed contract PDF to upload."), ContractUploadError)
	if len(content) > max_upload_bytes():
		frappe.throw(
			_(
				"The file is larger than {0} MB. Send the signed PDF without attachments or scanned images."
			).format(max_upload_mb()),
			ContractUploadError,
		)
	if not looks_like_pdf(content):
		frappe.throw(
			_(
				"The file is not a PDF. Upload the signed contract as a PDF file (renaming another file does not work)."
			),
			ContractUploadError,
		)


def validate_can_upload(contract):
	state = contract.workflow_state
	if state == ACCEPTED:
		frappe.throw(
			_("This contract has already been accepted: no new upload is needed."), ContractStateError
		)
	if state not in UPLOAD_STATES:
		frappe.throw(_("This contract is not waiting for a signed copy."), ContractStateError)


def _safe_name(name: str | None) -> str:
	name = re.sub(r"[^\w.\- ]+", "_", (name or "").strip(), flags=re.UNICODE)
	return name[-140:] or "contrato.pdf"


def latest_upload(contract):
	if contract.latest_upload:
		for row in contract.uploads:
			if row.name == contract.latest_upload:
				return row
	return contract.uploads[-1] if contract.uploads else None


def receive_upload(contract, content: bytes, filename: str | None, uploaded_by: str, ip_address: str | None):
	"""Store a signed copy (private, never trusted by name), record it and queue its check. Returns the row.

	The caller has already checked that the user may upload to this contract (token or portal permission).
	"""
	validate_can_upload(contract)
	validate_upload_content(content)

	number = len(contract.uploads) + 1
	file_doc = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"{contract.name}-assinado-{number}.pdf.bin",
			"is_private": 1,
			"attached_to_doctype": CONTRACT,
			"attached_to_name": contract.name,
			"content": content,
		}
	)
	file_doc.flags.ignore_permissions = True
	file_doc.insert()

	for row in contract.uploads:
		if row.status in (PENDING, CHECKED):
			row.status = SUPERSEDED
	row = contract.append(
		"uploads",
		{
			"file": file_doc.file_url,
			"file_name": _safe_name(filename),
			"sha256": hashlib.sha256(content).hexdigest(),
			"size": len(content),
			"uploaded_on": now_datetime(),
			"uploaded_by": uploaded_by,
			"ip_address": ip_address,
			"status": PENDING,
		},
	)
	contract.latest_decision = None
	contract.rejection_reason = None
	contract.signer = None
	contract.flags.ignore_permissions = True
	contract.save()
	contract.db_set("latest_upload", row.name)

	if contract.workflow_state in (SENT, REJECTED):
		contract = advance(contract, "Upload Signed", as_system=True, actor=uploaded_by)

	frappe.enqueue(
		"fiber_onboarding.fiber_contracts.contract_service.run_checks",
		queue="default",
		timeout=120,
		now=frappe.flags.in_test,
		enqueue_after_commit=not frappe.flags.in_test,
		job_id=f"fo-contract-check:{contract.name}:{row.name}",
		deduplicate=True,
		contract=contract.name,
		upload=row.name,
	)
	return row


# ---------------------------------------------------------------------------------------------------------------
# Checks (background job)
# ---------------------------------------------------------------------------------------------------------------


def load_trust_roots() -> tuple[list, list[str]]:
	from fiber_onboarding.fiber_contracts.trust_roots import load_trust_roots as load

	return load()


SIGNER_LABELS = (
	("name", "Nome"),
	("cpf", "CPF"),
	("category", "Assinatura"),
	("trust_root", "Raiz de confiança"),
	("issuer", "Emissor"),
	("subject", "Certificado"),
)


def _summarise_signer(signer: dict | None) -> str:
	"""The signer of the deciding signature, one ``Rótulo: valor`` line per known field (pt-BR)."""
	if not signer:
		return ""
	lines = [f"{label}: {signer[key]}" for key, label in SIGNER_LABELS if signer.get(key)]
	return "\n".join(lines)


def issued_revision_check(contract, content: bytes) -> dict:
	"""signed-pdf.md §3 rule 4: a signer that appends incrementally leaves the issued PDF as the first revision.

	pass: the upload starts with the exact bytes of the issued PDF (same SHA-256) and only adds revisions;
	warn: the signing tool rewrote the file, so only its page count and contract code tie it to the issued
	contract (checked by the core) and staff confirm it.
	"""
	issued = issued_pdf_content(contract)
	prefix = content[: len(issued)]
	if len(content) > len(issued) and hashlib.sha256(prefix).hexdigest() == contract.issued_sha256:
		return {
			"check": "issued_revision",
			"outcome": "pass",
			"detail": f"A primeira revisão é o contrato emitido, byte a byte (SHA-256 {contract.issued_sha256[:16]}…); "
			"a assinatura foi acrescentada depois.",
		}
	return {
		"check": "issued_revision",
		"outcome": "warn",
		"detail": "O arquivo foi regravado pelo programa de assinatura: não contém o contrato emitido byte a byte. "
		"Confira o conteúdo antes de aceitar.",
	}


def run_checks(contract: str, upload: str):
	"""Background job: check one upload with the core checker, store the checks, apply the policy."""
	from fiber_onboarding.core.pdfcheck import check_pdf

	doc = frappe.get_doc(CONTRACT, contract)
	row = next((r for r in doc.uploads if r.name == upload), None)
	if not row or row.decision:
		return  # already checked (a rerun of the job)

	file_name = frappe.db.get_value(
		"File", {"file_url": row.file, "attached_to_doctype": CONTRACT, "attached_to_name": doc.name}
	)
	content = frappe.get_doc("File", file_name).get_content()
	roots, root_problems = load_trust_roots()
	verdict = check_pdf(
		content,
		contract_code=doc.name,
		expected_pages=cint(doc.page_count) or None,
		trust_roots=roots,
		expected_signer_cpf=doc.legal_cpf or None,
		expected_signer_name=doc.legal_name or None,
		max_bytes=max_upload_bytes(),
	)
	checks = list(verdict.checks)
	if verdict.decision != "reject":
		checks.append(issued_revision_check(doc, content))
	for problem in root_problems:
		checks.append({"check": "trust_config", "outcome": "warn", "detail": problem})
	if verdict.sha256 and verdict.sha256 != row.sha256:
		checks.append(
			{"check": "storage", "outcome": "fail", "detail": "O arquivo armazenado difere do enviado."}
		)

	for c in checks:
		doc.append(
			"checks",
			{
				"upload": row.name,
				"check": str(c.get("check"))[:140],
				"outcome": OUTCOMES.get(c.get("outcome"), "Fail"),
				"detail": str(c.get("detail") or ""),
			},
		)
	decision = DECISIONS.get(verdict.decision, "Review")
	if decision == "Accept" and any(c.get("outcome") != "pass" for c in checks):
		decision = "Review"  # auto-acceptance only when everything passed
	row.decision = decision
	if (
		row.status == PENDING
	):  # a superseded or already rejected upload keeps its status, and gets its verdict
		row.status = CHECKED
	row.checked_on = now_datetime()
	row.signer = _summarise_signer(verdict.signer)
	is_latest = doc.latest_upload == row.name
	if is_latest:
		doc.latest_decision = decision
		doc.signer = row.signer
	doc.flags.ignore_permissions = True
	doc.save()

	if not is_latest or row.status != CHECKED or doc.workflow_state != SIGNED_UPLOADED:
		return
	if decision == "Accept":
		accept(
			doc, actor=_("System (automatic check)"), note=_("Accepted automatically: every check passed.")
		)
	elif decision == "Reject":
		failed = [c for c in checks if c.get("outcome") == "fail"]
		reason = "\n".join("- " + str(c.get("detail") or c.get("check")) for c in failed) or _(
			"The automatic check refused the file."
		)
		reject(doc, reason, actor=_("System (automatic check)"))
	else:
		doc.add_comment("Info", _("The signed contract needs a staff review."))
		notify_reviewers(doc)


REVIEW_ROLES = ("Fiber Onboarding Manager", "Fiber Sales")


def notify_reviewers(contract):
	"""A desk notification (the bell) for the staff who may accept or reject: the contract waits for them."""
	from frappe.desk.doctype.notification_log.notification_log import enqueue_create_notification

	from fiber_onboarding.utils.mail import staff_recipients

	users = sorted({u for role in REVIEW_ROLES for u in staff_recipients(role)})
	if not users:
		return
	company = frappe.db.get_value(CASE, contract.onboarding, "company_name") or contract.customer
	enqueue_create_notification(
		users,
		{
			"type": "Alert",
			"document_type": CONTRACT,
			"document_name": contract.name,
			"subject": _("Signed contract {0} of {1} needs a review").format(contract.name, company),
			"email_content": _("Open the contract, check the verdict and accept or reject it."),
		},
	)


# ---------------------------------------------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------------------------------------------


def accept(contract, actor: str | None = None, note: str | None = None):
	"""Accept the latest upload. Staff calls run as the session user (the workflow checks the role)."""
	as_system = actor is not None
	row = latest_upload(contract)
	if contract.workflow_state != SIGNED_UPLOADED or not row:
		frappe.throw(_("There is no signed upload waiting for a decision."), ContractStateError)
	if row.status != CHECKED or row.decision not in ("Accept", "Review"):
		frappe.throw(
			_("The latest upload cannot be accepted: it has not been checked yet or the check refused it."),
			ContractStateError,
		)
	frappe.db.set_value(
		"Fiber Contract Upload",
		row.name,
		{
			"reviewed_by": frappe.session.user if not as_system else "Administrator",
			"reviewed_on": now_datetime(),
			"review_note": note,
		},
	)
	return advance(contract, "Accept", as_system=as_system, actor=actor)


def reject(contract, reason: str, actor: str | None = None):
	"""Reject the latest upload with a reason the customer receives by e-mail; a new upload is possible."""
	as_system = actor is not None
	reason = (reason or "").strip()
	if not reason:
		frappe.throw(
			_("Give the reason for the rejection: the customer receives it by e-mail."), ContractStateError
		)
	if contract.workflow_state != SIGNED_UPLOADED:
		frappe.throw(_("There is no signed upload waiting for a decision."), ContractStateError)
	row = latest_upload(contract)
	if row:
		frappe.db.set_value(
			"Fiber Contract Upload",
			row.name,
			{
				"reviewed_by": frappe.session.user if not as_system else "Administrator",
				"reviewed_on": now_datetime(),
				"review_note": reason,
			},
		)
	contract.db_set("rejection_reason", reason)
	return advance(contract, "Reject", as_system=as_system, actor=actor)


# --- called by the controller when the state changes -------------------------------------------------------------


def on_accepted(contract):
	"""Before save, entering Accepted: the accepted upload's date is the contract's receipt date."""
	row = latest_upload(contract)
	if not row or row.status not in (CHECKED, UPLOAD_ACCEPTED) or row.decision not in ("Accept", "Review"):
		frappe.throw(
			_("The latest upload cannot be accepted: it has not been checked yet or the check refused it."),
			ContractStateError,
		)
	row.status = UPLOAD_ACCEPTED
	if not row.reviewed_by:
		row.reviewed_by = frappe.session.user
		row.reviewed_on = now_datetime()
	contract.received_on = getdate(get_datetime(row.uploaded_on))
	contract.rejection_reason = None


def on_rejected(contract):
	"""Before save, entering Rejected: a reason is mandatory (the customer receives it)."""
	if not (contract.rejection_reason or "").strip():
		frappe.throw(
			_("Give the reason for the rejection: the customer receives it by e-mail."), ContractStateError
		)
	row = latest_upload(contract)
	if row and row.status in (PENDING, CHECKED):
		row.status = UPLOAD_REJECTED
		if not row.reviewed_by:
			row.reviewed_by = frappe.session.user
			row.reviewed_on = now_datetime()
		row.review_note = row.review_note or contract.rejection_reason


def after_rejected(contract):
	"""After save: e-mail the legal responsible the reason and the link to upload again."""
	from fiber_onboarding.utils.mail import send_once

	send_once(
		f"fo_contract_rejected:{contract.name}:{contract.latest_upload or len(contract.uploads)}",
		"fo_contract_rejected",
		[contract.legal_email],
		_mail_context(contract, reason=contract.rejection_reason),
		reference_doctype=CONTRACT,
		reference_name=contract.name,
	)
