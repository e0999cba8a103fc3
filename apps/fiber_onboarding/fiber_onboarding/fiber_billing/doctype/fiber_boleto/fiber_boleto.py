"""A boleto for the setup fee. Status moves only through ``fiber_billing.boleto_service`` (no workflow):
Draft → Submitted (in a remittance) → Registered / Rejected → Paid; Expired; Cancelled (reissued).
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate

from fiber_onboarding.core.process import BoletoStatus

# Fields fixed once the boleto left Draft: the barcode encodes them, the bank registered them.
FROZEN_AFTER_DRAFT = (
	"bank_agreement",
	"nosso_numero",
	"amount",
	"due_date",
	"barcode",
	"digitable_line",
	"customer",
)


class BoletoValidationError(frappe.ValidationError):
	pass


class FiberBoleto(Document):
	def validate(self):
		self.validate_amount()
		self.validate_dates()
		self.validate_frozen_fields()
		self.validate_pix_payload()

	def validate_amount(self):
		if (self.amount or 0) <= 0:
			frappe.throw(_("The boleto amount must be greater than zero."), BoletoValidationError)

	def validate_dates(self):
		if self.issue_date and self.due_date and getdate(self.due_date) < getdate(self.issue_date):
			frappe.throw(_("The due date cannot be before the issue date."), BoletoValidationError)

	def validate_frozen_fields(self):
		if self.is_new() or self.flags.allow_frozen_change:
			return
		before = self.get_doc_before_save()
		if not before or before.status == BoletoStatus.DRAFT:
			return
		for field in FROZEN_AFTER_DRAFT:
			if str(before.get(field) or "") != str(self.get(field) or ""):
				frappe.throw(
					_("{0} cannot change after the boleto was issued; reissue it instead.").format(
						_(self.meta.get_label(field))
					),
					BoletoValidationError,
				)

	def validate_pix_payload(self):
		if not self.pix_payload:
			return
		from fiber_onboarding.core.pix import PixError, validate_emv

		self.pix_payload = self.pix_payload.strip()
		try:
			validate_emv(self.pix_payload)
		except PixError as e:
			frappe.throw(_("Invalid Pix payload: {0}").format(str(e)), BoletoValidationError)

	def print_context(self, for_pdf: bool = True) -> dict:
		"""Values for the shared boleto layout (used by the "Boleto" print format)."""
		from fiber_onboarding.fiber_billing.boleto_render import render_context

		return render_context(self, for_pdf=for_pdf)

	@property
	def is_provisional(self) -> bool:
		"""True while the bank has not confirmed the registration (a print is only provisional)."""
		return self.status in (BoletoStatus.DRAFT, BoletoStatus.SUBMITTED)


def on_doctype_update():
	frappe.db.add_unique(
		"Fiber Boleto", ["bank_agreement", "nosso_numero"], constraint_name="unique_agreement_nn"
	)
