"""Fiber Onboarding: the case. Ties the proposal, boleto, contract, project and circuit of one customer site.

The case owns its identity data (company, address, contacts). Its links, milestones, SLA fields and stage are
read-only copies derived from its children, never edited by hand and never written by a service: each child
(Fiber Boleto, Fiber Contract, Fiber Project, Site Visit, Circuit) announces its changes (``case_events``), and
``refresh_stage`` recomputes everything here, through the core (``core.process``).
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import formatdate, get_datetime, getdate, nowdate

from fiber_onboarding.core import documents, process, sla
from fiber_onboarding.permissions import require_roles
from fiber_onboarding.utils.gates import case_facts


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
	# Derived data: the case listens to its children (case_events) and recomputes itself here, in one place
	# ------------------------------------------------------------------------------------------------------------
	def child_doc(self, field: str):
		"""The case's child behind link ``field`` (a key of ``process.CASE_LINKS``), or None.

		The boleto is the newest one not replaced by a reissue; the others are the linked one, else the newest
		one of the case.
		"""
		doctype = process.CASE_LINKS[field]
		name = None
		if field == "boleto":
			name = frappe.db.get_value(
				doctype,
				{"onboarding": self.name, "reissued_by": ("is", "not set")},
				"name",
				order_by="creation desc",
			)
		name = name or self.get(field)
		if not name:
			name = frappe.db.get_value(doctype, {"onboarding": self.name}, "name", order_by="creation desc")
		if name and frappe.db.exists(doctype, name):
			return frappe.get_doc(doctype, name)
		return None

	def sync_milestones(self) -> dict:
		"""Copy links and milestone dates from the children (the children are the truth).

		Writes only what changed (``db_set``, so no workflow or validation runs) and returns the changes.
		"""
		children = {field: self.child_doc(field) for field in process.CASE_LINKS}
		values: dict = {field: doc.name for field, doc in children.items() if doc is not None}
		boleto = children["boleto"]
		if boleto is not None and not self.sales_invoice and boleto.get("sales_invoice"):
			values["sales_invoice"] = boleto.sales_invoice
		values.update(process.derive_milestones(children, _typed))
		changed = {k: v for k, v in values.items() if not _same(self.get(k), v)}
		if changed:
			self.db_set(changed)
		return changed

	def compute_stage(self) -> str:
		return process.derive_stage(case_facts(self))

	def refresh_stage(self) -> str:
		"""Sync links and milestones, react to the payment, recompute the stage and the SLA; store what changed.

		Re-entrant safe: while the case reacts (the paid fee moves its project), the children's own events for
		this case are left to this call, which reads the children again before deriving the stage.
		"""
		if self.is_new():
			return self.stage
		busy = frappe.flags.fo_refreshing_cases
		if busy is None:
			busy = frappe.flags.fo_refreshing_cases = set()
		if self.name in busy:
			return self.stage
		busy.add(self.name)
		try:
			changed = self.sync_milestones()
			if changed.get("paid_on"):
				self.setup_fee_paid(changed["paid_on"])
				self.sync_milestones()
			stage = self.compute_stage()
			if stage != self.stage:
				old = self.stage
				self.db_set("stage", stage)
				self.add_comment(
					"Info", _("Stage changed from {0} to {1}").format(_(old or process.STAGES[0]), _(stage))
				)
			self.refresh_sla()
		finally:
			busy.discard(self.name)
		return stage

	def refresh_sla(self):
		from fiber_onboarding.utils.sla import refresh_case_sla

		return refresh_case_sla(self)

	def setup_fee_paid(self, paid_on):
		"""The case just saw its setup fee paid: a note on its timeline, and its project may now be drawn
		(Awaiting Payment → Drafting, through the project's service)."""
		from fiber_onboarding.fiber_field.project_service.creation import confirm_payment

		self.add_comment("Info", _("Setup fee paid on {0}").format(formatdate(getdate(paid_on))))
		confirm_payment(self)

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
			doc = self.child_doc(field)
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


def _typed(kind: str, value):
	return getdate(value) if kind == "date" else get_datetime(value)


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
