"""Fiber Proposal: the approved commercial proposal a customer registers with (number, terms, SLA, validity).

Workflow: Draft → Sent → Approved → Registered (the portal registration, system); Expired; Lost.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, nowdate

from fiber_onboarding.core import documents, process, sla
from fiber_onboarding.utils.gates import enforce_gates


class ProposalError(frappe.ValidationError):
	"""Invalid proposal data."""


# the commercial terms the customer registered with
FROZEN_FIELDS = (
	"cnpj",
	"bandwidth_mbps",
	"term_months",
	"sla_business_days",
	"setup_fee",
	"monthly_fee",
	"valid_until",
	"terms",
)


def _check(fn, value, label):
	try:
		return fn(value)
	except documents.DocumentError as e:
		frappe.throw(_("{0}: {1}").format(_(label), e.message), ProposalError, title=_("Invalid data"))


class FiberProposal(Document):
	def autoname(self):
		self.proposal_number = (self.proposal_number or "").strip().upper()
		self.name = self.proposal_number

	def validate(self):
		self.validate_identity()
		self.validate_terms()
		self.validate_frozen_terms()
		self.validate_lost_reason()
		enforce_gates(self)

	def validate_identity(self):
		if self.cnpj:
			self.cnpj = _check(documents.validate_cnpj, self.cnpj, "CNPJ")
		if self.cep:
			self.cep = _check(documents.validate_cep, self.cep, "CEP")
		if self.state:
			self.state = _check(documents.validate_uf, self.state, "State (UF)")
		if self.contact_email:
			self.contact_email = _check(documents.validate_email, self.contact_email, "Contact E-mail")

	def validate_terms(self):
		days = int(self.sla_business_days or 0)
		if not (sla.MIN_BUSINESS_DAYS <= days <= sla.MAX_BUSINESS_DAYS):
			frappe.throw(
				_("The activation SLA must be between {0} and {1} business days.").format(
					sla.MIN_BUSINESS_DAYS, sla.MAX_BUSINESS_DAYS
				),
				ProposalError,
				title=_("Invalid data"),
			)
		if not self.setup_fee or self.setup_fee <= 0:
			frappe.throw(
				_("The setup fee must be greater than zero."), ProposalError, title=_("Invalid data")
			)
		if self.monthly_fee is not None and self.monthly_fee < 0:
			frappe.throw(_("The monthly fee cannot be negative."), ProposalError, title=_("Invalid data"))
		if self.is_new() and self.valid_until and getdate(self.valid_until) < getdate(nowdate()):
			frappe.throw(_("The validity date is in the past."), ProposalError, title=_("Invalid data"))

	def validate_frozen_terms(self):
		"""A registered proposal is what the customer signed up for: its terms no longer change."""
		before = self.get_doc_before_save()
		if before is None or before.workflow_state != process.ProposalState.REGISTERED:
			return
		changed = [
			self.meta.get_label(f)
			for f in FROZEN_FIELDS
			if str(before.get(f) or "") != str(self.get(f) or "")
		]
		if changed:
			frappe.throw(
				_("A registered proposal cannot change: {0}.").format(", ".join(_(c) for c in changed)),
				ProposalError,
				title=_("Invalid data"),
			)

	def validate_lost_reason(self):
		if self.workflow_state == process.ProposalState.LOST and not (self.lost_reason or "").strip():
			frappe.throw(
				_("Fill in the lost reason before marking the proposal as lost."),
				ProposalError,
				title=_("Invalid data"),
			)

	@property
	def is_expired(self) -> bool:
		return bool(self.valid_until) and getdate(self.valid_until) < getdate(nowdate())

	def registration_problems(self) -> list[str]:
		"""Translated reasons this proposal cannot be used for a registration now (empty: it can)."""
		if self.onboarding or self.workflow_state == process.ProposalState.REGISTERED:
			return [_("This proposal was already used for a registration.")]
		if self.workflow_state == process.ProposalState.EXPIRED or self.is_expired:
			return [_("This proposal has expired. Ask your sales contact for a new one.")]
		if self.workflow_state != process.ProposalState.APPROVED:
			return [_("This proposal is not approved.")]
		return []
