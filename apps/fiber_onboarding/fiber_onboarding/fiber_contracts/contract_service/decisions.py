"""Step 4, the decision: staff (or the automatic check) accept or reject the latest upload. On Accepted the upload's
date is the contract's receipt date, which the case hears (``case_events``) and which, with the internal passage,
starts the activation term; on Rejected the customer is e-mailed the reason and may upload again."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import get_datetime, getdate, now_datetime

from fiber_onboarding.core.process import ContractState
from fiber_onboarding.fiber_contracts.contract_service.issue import mail_context
from fiber_onboarding.fiber_contracts.contract_service.shared import (
	CHECKED,
	CONTRACT,
	PENDING,
	UPLOAD_ACCEPTED,
	UPLOAD_REJECTED,
	ContractStateError,
	latest_upload,
)
from fiber_onboarding.utils.workflow import advance


def accept(contract, actor: str | None = None, note: str | None = None):
	"""Accept the latest upload. Staff calls run as the session user (the workflow checks the role)."""
	as_system = actor is not None
	row = latest_upload(contract)
	if contract.workflow_state != ContractState.SIGNED_UPLOADED or not row:
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
	if contract.workflow_state != ContractState.SIGNED_UPLOADED:
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
		mail_context(contract, reason=contract.rejection_reason),
		reference_doctype=CONTRACT,
		reference_name=contract.name,
	)
