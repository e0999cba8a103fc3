"""Something in a bank return that the system does not decide alone (never guessed): Finance resolves it."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import now_datetime


class FinanceExceptionError(frappe.ValidationError):
	pass


class FiberFinanceException(Document):
	def validate(self):
		before = self.get_doc_before_save()
		if self.status == "Resolved":
			if not (self.resolution or "").strip():
				frappe.throw(
					_("Describe the resolution before closing the exception."), FinanceExceptionError
				)
			if not before or before.status != "Resolved":
				self.resolved_by = frappe.session.user
				self.resolved_on = now_datetime()
		elif before and before.status == "Resolved":
			frappe.throw(
				_("A resolved exception cannot be reopened; create a new one."), FinanceExceptionError
			)
