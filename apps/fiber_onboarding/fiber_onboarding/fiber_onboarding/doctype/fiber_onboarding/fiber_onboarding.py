"""Fiber Onboarding: the case. Ties the proposal, boleto, contract, project and circuit of one customer site.

The case owns its identity data (company, address, contacts). Milestones, SLA fields and the stage are read-only
copies derived from the owning documents (``sync_milestones``, ``refresh_stage``), never edited by hand.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_datetime, getdate, nowdate

from fiber_onboarding.core import documents, process, sla
from fiber_onboarding.permissions import require_roles
from fiber_onboarding.utils.gates import case_facts

# milestone on the case -> (doctype, field on that document, kind)
MILESTONES = {
	"project_sent_on": (process.PROJECT, "sent_on", "date"),
	"project_approved_on": (process.PROJECT, "approved_on", "date"),
	"execution_date": (process.PROJECT, "execution_date", "date"),
	"prior_visit_requested": (process.PROJECT, "prior_visit_requested", "check"),
	"internal_passage_date": (process.PROJECT, "internal_passage_date", "date"),
	"test_phase_started_at": (process.CIRCUIT, "test_started_at", "datetime"),
	"test_phase_ends_at": (process.CIRCUIT, "test_ends_at", "datetime"),
	"activated_on": (process.CIRCUIT, "activated_on", "datetime"),
}
LINKS = {
	"boleto": "Fiber Boleto",
	"contract": process.CONTRACT,
	"project": process.PROJECT,
	"circuit": process.CIRCUIT,
}


class OnboardingError(frappe.ValidationError):
	"""Invalid data on the case (CNPJ, CPF, CEP, e-mail, SLA, pauses)."""


def _check(fn, value, label):
	try:
		return fn(value)
	except documents.DocumentError as e:
		frappe.throw(_("{0}: {1}").format(_(label), e.message), OnboardingError, title=_("Invalid data"))


class FiberOnboarding(Document):
	# ------------------------------------------------------------------------------------------------------------
	# Validation
	# ------------------------------------------------------------------------------------------------------------
	def before_insert(self):
		if not self.registered_on:
			self.registered_on = nowdate()
		if self.stage in (None, ""):
			self.stage = process.Stage.AWAITING_PAYMENT

	def validate(self):
		self.validate_identity()
		self.validate_sla_days()
		self.validate_pauses()
		self.validate_cancellation()

	def validate_identity(self):
		self.cnpj = _check(documents.validate_cnpj, self.cnpj, "CNPJ")
		self.legal_cpf = _check(documents.validate_cpf, self.legal_cpf, "Legal Responsible CPF")
		self.cep = _check(documents.validate_cep, self.cep, "CEP")
		self.state = _check(documents.validate_uf, self.state, "State (UF)")
		for field, label in (
			("legal_email", "Legal Responsible E-mail"),
			("tech_email", "Technical Contact E-mail"),
		):
			self.set(field, _check(documents.validate_email, self.get(field), label))
		if self.proposal:
			proposal_cnpj = frappe.db.get_value(process.PROPOSAL, self.proposal, "cnpj")
			if proposal_cnpj and documents.normalize_cnpj(proposal_cnpj) != self.cnpj:
				frappe.throw(
					_("The CNPJ {0} is not the one of proposal {1}.").format(
						documents.format_cnpj(self.cnpj), self.proposal
					),
					OnboardingError,
					title=_("Invalid data"),
				)

	def validate_sla_days(self):
		if not self.sla_business_days and self.proposal:
			self.sla_business_days = frappe.db.get_value(process.PROPOSAL, self.proposal, "sla_business_days")
		if self.sla_business_days and not (
			sla.MIN_BUSINESS_DAYS <= int(self.sla_business_days) <= sla.MAX_BUSINESS_DAYS
		):
			frappe.throw(
				_("The activation SLA must be between {0} and {1} business days.").format(
					sla.MIN_BUSINESS_DAYS, sla.MAX_BUSINESS_DAYS
				),
				OnboardingError,
				title=_("Invalid data"),
			)

	def validate_pauses(self):
		open_rows = 0
		for row in self.sla_pauses:
			if row.to_date and getdate(row.to_date) < getdate(row.from_date):
				frappe.throw(
					_("SLA pause row {0}: the end is before the start.").format(row.idx),
					OnboardingError,
					title=_("Invalid data"),
				)
			if not row.to_date:
				open_rows += 1
		if open_rows > 1:
			frappe.throw(
				_("Only one SLA pause may be open at a time."), OnboardingError, title=_("Invalid data")
			)
		self.sla_paused = 1 if open_rows else 0

	def validate_cancellation(self):
		if self.cancelled and not (self.cancel_reason or "").strip():
			frappe.throw(_("Give the reason for the cancellation."), OnboardingError, title=_("Invalid data"))

	def on_update(self):
		before = self.get_doc_before_save()
		if before is not None and (before.cancelled != self.cancelled or _pauses(before) != _pauses(self)):
			self.refresh_stage()

	# ------------------------------------------------------------------------------------------------------------
	# Derived data
	# ------------------------------------------------------------------------------------------------------------
	def _doc(self, field: str):
		name = self.get(field)
		if not name:
			name = frappe.db.get_value(
				LINKS[field], {"onboarding": self.name}, "name", order_by="creation desc"
			)
		if name and frappe.db.exists(LINKS[field], name):
			return frappe.get_doc(LINKS[field], name)
		return None

	def sync_milestones(self) -> dict:
		"""Copy links and milestone dates from the owning documents (the documents are the truth).

		Writes only what changed (``db_set``, so no workflow or validation runs) and returns the changes.
		"""
		docs = {field: self._doc(field) for field in LINKS}
		values: dict = {}
		for field, doc in docs.items():
			if doc is not None and self.get(field) != doc.name:
				values[field] = doc.name
		boleto = docs["boleto"]
		if boleto is not None:
			if not self.sales_invoice and boleto.get("sales_invoice"):
				values["sales_invoice"] = boleto.sales_invoice
			if boleto.get("status") == "Paid" and boleto.get("paid_on"):
				values["paid_on"] = getdate(boleto.paid_on)
		contract = docs["contract"]
		if contract is not None:
			received = (
				getdate(contract.received_on)
				if contract.get("workflow_state") == process.ContractState.ACCEPTED
				and contract.get("received_on")
				else None
			)
			values["contract_received_on"] = received
		by_doctype = {process.PROJECT: docs["project"], process.CIRCUIT: docs["circuit"]}
		for field, (doctype, source, kind) in MILESTONES.items():
			doc = by_doctype[doctype]
			if doc is None:
				continue
			value = doc.get(source)
			if kind == "date":
				value = getdate(value) if value else None
			elif kind == "datetime":
				value = get_datetime(value) if value else None
			else:
				value = 1 if value else 0
			values[field] = value
		changed = {k: v for k, v in values.items() if not _same(self.get(k), v)}
		if changed:
			self.db_set(changed)
		return changed

	def compute_stage(self) -> str:
		return process.derive_stage(case_facts(self))

	def refresh_stage(self) -> str:
		"""Sync milestones, recompute the SLA and the stage from the documents; store only what changed."""
		if self.is_new():
			return self.stage
		self.sync_milestones()
		stage = self.compute_stage()
		if stage != self.stage:
			old = self.stage
			self.db_set("stage", stage)
			self.add_comment(
				"Info", _("Stage changed from {0} to {1}").format(_(old or process.STAGES[0]), _(stage))
			)
		self.refresh_sla()
		return stage

	def refresh_sla(self):
		from fiber_onboarding.utils.sla import refresh_case_sla

		return refresh_case_sla(self)

	# ------------------------------------------------------------------------------------------------------------
	# Events from the services
	# ------------------------------------------------------------------------------------------------------------
	def on_setup_fee_paid(self, paid_on=None):
		"""The billing service saw the setup-fee boleto paid: record the date and release the project."""
		from fiber_onboarding.fiber_field.project_service import confirm_payment

		paid_on = getdate(paid_on or nowdate())
		if not self.paid_on:
			self.db_set("paid_on", paid_on)
			self.add_comment("Info", _("Setup fee paid on {0}").format(frappe.utils.formatdate(paid_on)))
		confirm_payment(self)
		self.reload()
		self.refresh_stage()
		return self

	@frappe.whitelist(methods=["POST"])
	def refresh_stage_now(self) -> str:
		"""Desk button: recompute the derived data now (staff only; nothing but derived fields is written)."""
		self.check_permission("read")
		from fiber_onboarding.permissions import is_staff

		if not is_staff():
			raise frappe.PermissionError
		return self.refresh_stage()

	@frappe.whitelist(methods=["POST"])
	def cancel_case(self, reason: str):
		"""Cancel the onboarding (Fiber Onboarding Manager): every gate then blocks; documents stay as they are."""
		require_roles(("Fiber Onboarding Manager", "System Manager"))
		self.check_permission("write")
		if not (reason or "").strip():
			frappe.throw(_("Give the reason for the cancellation."), OnboardingError, title=_("Invalid data"))
		self.cancelled = 1
		self.cancel_reason = reason.strip()
		self.save()
		return self.stage

	@frappe.whitelist()
	def get_blockers(self) -> list[dict]:
		"""For each next step of the case's documents: its action and what blocks it now (translated)."""
		self.check_permission("read")
		from fiber_onboarding.utils.gates import blockers

		out = []
		for field in ("contract", "project", "circuit"):
			doc = self._doc(field)
			if doc is None or doc.doctype not in process.WORKFLOWS:
				continue
			for t in process.WORKFLOWS[doc.doctype].transitions_from(doc.get("workflow_state")):
				if t.roles == (process.SYSTEM,) or not t.gates:
					continue
				out.append(
					{
						"doctype": doc.doctype,
						"name": doc.name,
						"action": _(t.action),
						"blockers": blockers(doc, t.action),
					}
				)
		return out


def _pauses(doc) -> list[tuple]:
	return [
		(str(r.from_date or ""), str(r.to_date or ""), r.reason or "") for r in doc.get("sla_pauses") or []
	]


def _same(a, b) -> bool:
	if a in (None, "", 0) and b in (None, "", 0):
		return True
	if a is None or b is None:
		return False
	try:
		if hasattr(b, "hour"):
			return get_datetime(a) == b
		if hasattr(b, "isoformat"):
			return getdate(a) == b
	except Exception:
		return False
	return a == b
