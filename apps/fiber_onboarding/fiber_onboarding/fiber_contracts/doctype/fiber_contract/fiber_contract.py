import frappe
from frappe import _
from frappe.model.document import Document

from fiber_onboarding.core.process import ContractState
from fiber_onboarding.fiber_contracts.contract_service import decisions, issue, shared


class FiberContract(Document):
	"""The service contract of one onboarding case; its name (CTR-YYYY-NNNNN) is the contract code.

	Thin: the work is in ``fiber_contracts.contract_service`` (one module per step). The state-change effects live here so they
	happen however the transition is made (the desk's workflow buttons, the API, the checker's job).
	"""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from fiber_onboarding.fiber_contracts.doctype.fiber_contract_check.fiber_contract_check import (
			FiberContractCheck,
		)
		from fiber_onboarding.fiber_contracts.doctype.fiber_contract_upload.fiber_contract_upload import (
			FiberContractUpload,
		)

		checks: DF.Table[FiberContractCheck]
		customer: DF.Link
		issued_file: DF.Attach | None
		issued_sha256: DF.Data | None
		latest_decision: DF.Literal["", "Accept", "Review", "Reject"]
		latest_upload: DF.Data | None
		legal_cpf: DF.Data | None
		legal_email: DF.Data | None
		legal_name: DF.Data | None
		naming_series: DF.Literal["CTR-.YYYY.-.#####"]
		onboarding: DF.Link
		page_count: DF.Int
		proposal: DF.Link | None
		received_on: DF.Date | None
		rejection_reason: DF.SmallText | None
		sent_on: DF.Datetime | None
		signer: DF.SmallText | None
		uploads: DF.Table[FiberContractUpload]
		workflow_state: DF.Link | None
	# end: auto-generated types

	def validate(self):
		self.validate_legal_responsible()
		# the process gates run from hooks.doc_events (utils.gates.enforce_gates) after this
		if self.state_changed():
			self.apply_state_change()

	def on_update(self):
		if self.has_value_changed("workflow_state"):
			if self.workflow_state == ContractState.SENT:
				# also when staff send it from the desk: the PDF exists and the e-mail goes out (once)
				if not self.issued_file:
					issue.issue_contract_pdf(self)
				issue.send_contract_email(self)
			elif self.workflow_state == ContractState.REJECTED:
				decisions.after_rejected(self)

	def state_changed(self) -> bool:
		before = self.get_doc_before_save()
		return bool(before) and before.workflow_state != self.workflow_state

	def validate_legal_responsible(self):
		from fiber_onboarding.core.documents import DocumentError, normalize_cpf, validate_cpf

		if self.legal_cpf:
			try:
				self.legal_cpf = normalize_cpf(self.legal_cpf)
				validate_cpf(self.legal_cpf)
			except DocumentError as e:
				frappe.throw(
					_("Invalid CPF of the legal responsible: {0}").format(str(e)), frappe.ValidationError
				)

	def apply_state_change(self):
		if self.workflow_state == ContractState.SENT and not self.sent_on:
			self.sent_on = frappe.utils.now_datetime()
		elif self.workflow_state == ContractState.ACCEPTED:
			decisions.on_accepted(self)
		elif self.workflow_state == ContractState.REJECTED:
			decisions.on_rejected(self)
