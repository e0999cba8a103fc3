"""Step 4, the check (background job): the upload checked by the core (``core.pdfcheck``, in a separate,
resource-limited process) plus the Frappe layer's checks (issued revision, trust configuration, storage); one
``checks`` row each. Policy: every check passing accepts, a ``reject`` verdict rejects, anything else waits for a
staff review (desk notification)."""

from __future__ import annotations

import hashlib

import frappe
from frappe import _
from frappe.utils import cint, now_datetime

from fiber_onboarding.core.process import ContractState
from fiber_onboarding.fiber_contracts.contract_service.decisions import accept, reject
from fiber_onboarding.fiber_contracts.contract_service.shared import (
	CASE,
	CHECKED,
	CONTRACT,
	DECISIONS,
	OUTCOMES,
	PENDING,
	REVIEW_ROLES,
	issued_pdf_content,
	max_upload_bytes,
)


def revocation_source():
	from fiber_onboarding.fiber_contracts.revocation_cache import revocation_source as source

	return source()


def load_trust_roots() -> tuple[list, list[str]]:
	from fiber_onboarding.fiber_contracts.trust_roots import load_trust_roots as load

	return load()


def chain_helpers() -> list[bytes]:
	from fiber_onboarding.fiber_contracts.trust_roots import chain_helpers as helpers

	return helpers()


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
		expected_signer_cnpj=frappe.db.get_value(CASE, doc.onboarding, "cnpj") or None,
		revocation=revocation_source(),
		extra_certs=chain_helpers(),
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

	if not is_latest or row.status != CHECKED or doc.workflow_state != ContractState.SIGNED_UPLOADED:
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
