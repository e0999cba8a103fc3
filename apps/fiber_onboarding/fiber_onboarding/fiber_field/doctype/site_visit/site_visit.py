"""Site Visit: the external survey (public road), the optional prior visit (photos of the internal route) and the
internal survey done on the cable-passage date, right before the internal optical cable is passed."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, nowdate

EXTERNAL_SURVEY = "External Survey"
PRIOR_VISIT = "Prior Visit"
INTERNAL_SURVEY = "Internal Survey"

# The internal survey's checklist, stored translated in the language of whoever creates the visit.
INTERNAL_SURVEY_CHECKLIST = (
	"Access to the building authorised by the building management",
	"Internal cable route confirmed with the customer (shafts, conduits, trays)",
	"Shafts and conduits free, with room for the optical cable",
	"Entry point of the external cable identified",
	"Equipment location confirmed, with power and grounding",
	"Safety conditions checked (ladders, heights, protective equipment)",
	"Photos of the internal route taken",
)


class SiteVisitError(frappe.ValidationError):
	pass


class SiteVisit(Document):
	def before_insert(self):
		if self.visit_type == INTERNAL_SURVEY and not self.checklist:
			for item in INTERNAL_SURVEY_CHECKLIST:
				self.append("checklist", {"item": _(item)})

	def validate(self):
		self.set_customer()
		self.validate_project()
		self.validate_done()

	def set_customer(self):
		if self.onboarding:
			self.customer = (
				frappe.db.get_value("Fiber Onboarding", self.onboarding, "customer") or self.customer
			)

	def validate_project(self):
		if (
			self.project
			and frappe.db.get_value("Fiber Project", self.project, "onboarding") != self.onboarding
		):
			frappe.throw(
				_("The project {0} belongs to another onboarding case.").format(self.project), SiteVisitError
			)

	def validate_done(self):
		if self.status != "Done":
			if self.status == "Scheduled" and self.done_on:
				self.done_on = None
			return
		if not self.done_on:
			self.done_on = nowdate()
		if getdate(self.done_on) > getdate(nowdate()):
			frappe.throw(
				_("A visit cannot be done in the future ({0}).").format(self.done_on), SiteVisitError
			)
		if self.visit_type == INTERNAL_SURVEY:
			pending = [row.item for row in self.checklist if not row.done and not (row.note or "").strip()]
			if pending:
				frappe.throw(
					_(
						"Check every item of the internal survey (or explain it in a note) before marking it done: {0}"
					).format("; ".join(pending)),
					SiteVisitError,
				)
