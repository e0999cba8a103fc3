"""Step 4, the signed copy: an upload is refused before anything is stored unless it is a PDF by its content (never
by its name) within the size limit; it is kept as a private ``.pdf.bin`` File plus an ``uploads`` row, the contract
moves to Signed Uploaded and the check is queued."""

from __future__ import annotations

import hashlib
import re

import frappe
from frappe import _
from frappe.utils import now_datetime

from fiber_onboarding.core.process import ContractState
from fiber_onboarding.fiber_contracts.contract_service.shared import (
	CHECKED,
	CONTRACT,
	PDF_MAGIC,
	PENDING,
	SUPERSEDED,
	UPLOAD_STATES,
	ContractStateError,
	ContractUploadError,
	max_upload_bytes,
	max_upload_mb,
)
from fiber_onboarding.utils.workflow import advance


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
	if state == ContractState.ACCEPTED:
		frappe.throw(
			_("This contract has already been accepted: no new upload is needed."), ContractStateError
		)
	if state not in UPLOAD_STATES:
		frappe.throw(_("This contract is not waiting for a signed copy."), ContractStateError)


def _safe_name(name: str | None) -> str:
	name = re.sub(r"[^\w.\- ]+", "_", (name or "").strip(), flags=re.UNICODE)
	return name[-140:] or "contrato.pdf"


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

	if contract.workflow_state in (ContractState.SENT, ContractState.REJECTED):
		contract = advance(contract, "Upload Signed", as_system=True, actor=uploaded_by)

	frappe.enqueue(
		"fiber_onboarding.fiber_contracts.contract_service.checks.run_checks",
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
