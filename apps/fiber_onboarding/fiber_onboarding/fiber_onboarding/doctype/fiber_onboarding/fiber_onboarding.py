import frappe
from frappe.model.document import Document


class FiberOnboarding(Document):
	pass
